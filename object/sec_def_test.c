// SPDX-License-Identifier: MIT
/*
 * Section names against libbpf: the libbpf 1.1 installed here answers for
 * every name (libbpf_prog_type_by_name, libbpf_attach_type_by_name, and
 * objects with one program in a section of that name opened with
 * bpf_object__open_mem and loaded with the bpf() calls for our programs
 * caught, to see the flags libbpf loads them with). What libbpf does not
 * report (kind, attach target, flags without bpf()) comes from the facts
 * table below, read from libbpf's source; names libbpf added after 1.1 are
 * checked against that table, and libbpf 1.1 must not know them.
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "object/sec_def.h"
#include "tests/check.h"

/*
 * libbpf's section_defs (src/libbpf.c, SEC_DEF lines): name, whether it
 * takes a target ("+" in libbpf: the name alone or "name/target"),
 * program type, expected attach type, flags (SEC_SLEEPABLE ->
 * BPF_F_SLEEPABLE, SEC_XDP_FRAGS -> BPF_F_XDP_HAS_FRAGS in
 * libbpf_prepare_prog_load), SEC_ATTACH_BTF, SEC_ATTACHABLE, the attach_*
 * function (kind; retprobe from the name as attach_kprobe, attach_uprobe,
 * attach_ksyscall, attach_kprobe_multi, attach_uprobe_multi read it), and
 * the first release with the entry (v1.1.2 for 1; later ones by diffing
 * the tags v1.2.0 ... v1.7.0). Types and attach types newer than the
 * installed <linux/bpf.h> are the numbers of the kernel's uapi enums
 * (include/uapi/linux/bpf.h in libbpf v1.7.0, counted from 0).
 */
struct fact {
	const char *name;
	bool target;
	int prog_type;
	int attach_type;
	uint32_t flags;
	enum sec_kind kind;
	bool btf;
	bool attachable;
	int since;
};

#define P(t) BPF_PROG_TYPE_##t
#define A(t) BPF_##t
#define K(k) SEC_KIND_##k
#define SLEEP BPF_F_SLEEPABLE
#define FRAGS BPF_F_XDP_HAS_FRAGS

static const struct fact facts[] = {
	{ "socket", 0, P(SOCKET_FILTER), 0, 0, K(NONE), 0, 0, 1 },
	{ "sk_reuseport/migrate", 0, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE), 0, K(NONE), 0, 1, 1 },
	{ "sk_reuseport", 0, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT), 0, K(NONE), 0, 1, 1 },
	{ "kprobe", 1, P(KPROBE), 0, 0, K(KPROBE), 0, 0, 1 },
	{ "uprobe", 1, P(KPROBE), 0, 0, K(UPROBE), 0, 0, 1 },
	{ "uprobe.s", 1, P(KPROBE), 0, SLEEP, K(UPROBE), 0, 0, 1 },
	{ "kretprobe", 1, P(KPROBE), 0, 0, K(KRETPROBE), 0, 0, 1 },
	{ "uretprobe", 1, P(KPROBE), 0, 0, K(URETPROBE), 0, 0, 1 },
	{ "uretprobe.s", 1, P(KPROBE), 0, SLEEP, K(URETPROBE), 0, 0, 1 },
	{ "kprobe.multi", 1, P(KPROBE), A(TRACE_KPROBE_MULTI), 0, K(KPROBE_MULTI), 0, 0, 1 },
	{ "kretprobe.multi", 1, P(KPROBE), A(TRACE_KPROBE_MULTI), 0, K(KRETPROBE_MULTI), 0, 0, 1 },
	{ "ksyscall", 1, P(KPROBE), 0, 0, K(KSYSCALL), 0, 0, 1 },
	{ "kretsyscall", 1, P(KPROBE), 0, 0, K(KRETSYSCALL), 0, 0, 1 },
	{ "usdt", 1, P(KPROBE), 0, 0, K(USDT), 0, 0, 1 },
	{ "tc", 0, P(SCHED_CLS), 0, 0, K(NONE), 0, 0, 1 },
	{ "classifier", 0, P(SCHED_CLS), 0, 0, K(NONE), 0, 0, 1 },
	{ "action", 0, P(SCHED_ACT), 0, 0, K(NONE), 0, 0, 1 },
	{ "tracepoint", 1, P(TRACEPOINT), 0, 0, K(TRACEPOINT), 0, 0, 1 },
	{ "tp", 1, P(TRACEPOINT), 0, 0, K(TRACEPOINT), 0, 0, 1 },
	{ "raw_tracepoint", 1, P(RAW_TRACEPOINT), 0, 0, K(RAW_TRACEPOINT), 0, 0, 1 },
	{ "raw_tp", 1, P(RAW_TRACEPOINT), 0, 0, K(RAW_TRACEPOINT), 0, 0, 1 },
	{ "raw_tracepoint.w", 1, P(RAW_TRACEPOINT_WRITABLE), 0, 0, K(RAW_TRACEPOINT), 0, 0, 1 },
	{ "raw_tp.w", 1, P(RAW_TRACEPOINT_WRITABLE), 0, 0, K(RAW_TRACEPOINT), 0, 0, 1 },
	{ "tp_btf", 1, P(TRACING), A(TRACE_RAW_TP), 0, K(TRACE), 1, 0, 1 },
	{ "fentry", 1, P(TRACING), A(TRACE_FENTRY), 0, K(TRACE), 1, 0, 1 },
	{ "fmod_ret", 1, P(TRACING), A(MODIFY_RETURN), 0, K(TRACE), 1, 0, 1 },
	{ "fexit", 1, P(TRACING), A(TRACE_FEXIT), 0, K(TRACE), 1, 0, 1 },
	{ "fentry.s", 1, P(TRACING), A(TRACE_FENTRY), SLEEP, K(TRACE), 1, 0, 1 },
	{ "fmod_ret.s", 1, P(TRACING), A(MODIFY_RETURN), SLEEP, K(TRACE), 1, 0, 1 },
	{ "fexit.s", 1, P(TRACING), A(TRACE_FEXIT), SLEEP, K(TRACE), 1, 0, 1 },
	{ "freplace", 1, P(EXT), 0, 0, K(TRACE), 1, 0, 1 },
	{ "lsm", 1, P(LSM), A(LSM_MAC), 0, K(LSM), 1, 0, 1 },
	{ "lsm.s", 1, P(LSM), A(LSM_MAC), SLEEP, K(LSM), 1, 0, 1 },
	{ "lsm_cgroup", 1, P(LSM), A(LSM_CGROUP), 0, K(NONE), 1, 0, 1 },
	{ "iter", 1, P(TRACING), A(TRACE_ITER), 0, K(ITER), 1, 0, 1 },
	{ "iter.s", 1, P(TRACING), A(TRACE_ITER), SLEEP, K(ITER), 1, 0, 1 },
	{ "syscall", 0, P(SYSCALL), 0, SLEEP, K(NONE), 0, 0, 1 },
	{ "xdp.frags/devmap", 0, P(XDP), A(XDP_DEVMAP), FRAGS, K(NONE), 0, 0, 1 },
	{ "xdp/devmap", 0, P(XDP), A(XDP_DEVMAP), 0, K(NONE), 0, 1, 1 },
	{ "xdp.frags/cpumap", 0, P(XDP), A(XDP_CPUMAP), FRAGS, K(NONE), 0, 0, 1 },
	{ "xdp/cpumap", 0, P(XDP), A(XDP_CPUMAP), 0, K(NONE), 0, 1, 1 },
	{ "xdp.frags", 0, P(XDP), A(XDP), FRAGS, K(NONE), 0, 0, 1 },
	{ "xdp", 0, P(XDP), A(XDP), 0, K(NONE), 0, 1, 1 },
	{ "perf_event", 0, P(PERF_EVENT), 0, 0, K(NONE), 0, 0, 1 },
	{ "lwt_in", 0, P(LWT_IN), 0, 0, K(NONE), 0, 0, 1 },
	{ "lwt_out", 0, P(LWT_OUT), 0, 0, K(NONE), 0, 0, 1 },
	{ "lwt_xmit", 0, P(LWT_XMIT), 0, 0, K(NONE), 0, 0, 1 },
	{ "lwt_seg6local", 0, P(LWT_SEG6LOCAL), 0, 0, K(NONE), 0, 0, 1 },
	{ "sockops", 0, P(SOCK_OPS), A(CGROUP_SOCK_OPS), 0, K(NONE), 0, 1, 1 },
	{ "sk_skb/stream_parser", 0, P(SK_SKB), A(SK_SKB_STREAM_PARSER), 0, K(NONE), 0, 1, 1 },
	{ "sk_skb/stream_verdict", 0, P(SK_SKB), A(SK_SKB_STREAM_VERDICT), 0, K(NONE), 0, 1, 1 },
	{ "sk_skb", 0, P(SK_SKB), 0, 0, K(NONE), 0, 0, 1 },
	{ "sk_msg", 0, P(SK_MSG), A(SK_MSG_VERDICT), 0, K(NONE), 0, 1, 1 },
	{ "lirc_mode2", 0, P(LIRC_MODE2), A(LIRC_MODE2), 0, K(NONE), 0, 1, 1 },
	{ "flow_dissector", 0, P(FLOW_DISSECTOR), A(FLOW_DISSECTOR), 0, K(NONE), 0, 1, 1 },
	{ "cgroup_skb/ingress", 0, P(CGROUP_SKB), A(CGROUP_INET_INGRESS), 0, K(NONE), 0, 1, 1 },
	{ "cgroup_skb/egress", 0, P(CGROUP_SKB), A(CGROUP_INET_EGRESS), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/skb", 0, P(CGROUP_SKB), 0, 0, K(NONE), 0, 0, 1 },
	{ "cgroup/sock_create", 0, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/sock_release", 0, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/sock", 0, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/post_bind4", 0, P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/post_bind6", 0, P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/bind4", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/bind6", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/connect4", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/connect6", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/sendmsg4", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/sendmsg6", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/recvmsg4", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/recvmsg6", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/getpeername4", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/getpeername6", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/getsockname4", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/getsockname6", 0, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/sysctl", 0, P(CGROUP_SYSCTL), A(CGROUP_SYSCTL), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/getsockopt", 0, P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/setsockopt", 0, P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT), 0, K(NONE), 0, 1, 1 },
	{ "cgroup/dev", 0, P(CGROUP_DEVICE), A(CGROUP_DEVICE), 0, K(NONE), 0, 1, 1 },
	{ "struct_ops", 1, P(STRUCT_OPS), 0, 0, K(NONE), 0, 0, 1 },
	{ "sk_lookup", 0, P(SK_LOOKUP), A(SK_LOOKUP), 0, K(NONE), 0, 1, 1 },

	/* v1.2.0 */
	{ "struct_ops.s", 1, P(STRUCT_OPS), 0, SLEEP, K(NONE), 0, 0, 2 },
	/* v1.3.0: A(TRACE_UPROBE_MULTI) 48, A(TCX_INGRESS) 46, A(TCX_EGRESS)
	 * 47, A(NETKIT_PRIMARY) 54, A(NETKIT_PEER) 55, A(CGROUP_UNIX_)*
	 * 49..53, P(NETFILTER) 32, A(NETFILTER) 45 */
	{ "uprobe.multi", 1, P(KPROBE), 48, 0, K(UPROBE_MULTI), 0, 0, 3 },
	{ "uretprobe.multi", 1, P(KPROBE), 48, 0, K(URETPROBE_MULTI), 0, 0, 3 },
	{ "uprobe.multi.s", 1, P(KPROBE), 48, SLEEP, K(UPROBE_MULTI), 0, 0, 3 },
	{ "uretprobe.multi.s", 1, P(KPROBE), 48, SLEEP, K(URETPROBE_MULTI), 0, 0, 3 },
	{ "usdt.s", 1, P(KPROBE), 0, SLEEP, K(USDT), 0, 0, 3 },
	{ "tc/ingress", 0, P(SCHED_CLS), 46, 0, K(NONE), 0, 0, 3 },
	{ "tc/egress", 0, P(SCHED_CLS), 47, 0, K(NONE), 0, 0, 3 },
	{ "tcx/ingress", 0, P(SCHED_CLS), 46, 0, K(NONE), 0, 0, 3 },
	{ "tcx/egress", 0, P(SCHED_CLS), 47, 0, K(NONE), 0, 0, 3 },
	{ "netkit/primary", 0, P(SCHED_CLS), 54, 0, K(NONE), 0, 0, 3 },
	{ "netkit/peer", 0, P(SCHED_CLS), 55, 0, K(NONE), 0, 0, 3 },
	{ "cgroup/connect_unix", 0, P(CGROUP_SOCK_ADDR), 49, 0, K(NONE), 0, 1, 3 },
	{ "cgroup/sendmsg_unix", 0, P(CGROUP_SOCK_ADDR), 50, 0, K(NONE), 0, 1, 3 },
	{ "cgroup/recvmsg_unix", 0, P(CGROUP_SOCK_ADDR), 51, 0, K(NONE), 0, 1, 3 },
	{ "cgroup/getpeername_unix", 0, P(CGROUP_SOCK_ADDR), 52, 0, K(NONE), 0, 1, 3 },
	{ "cgroup/getsockname_unix", 0, P(CGROUP_SOCK_ADDR), 53, 0, K(NONE), 0, 1, 3 },
	{ "netfilter", 0, 32, 45, 0, K(NONE), 0, 0, 3 },
	/* v1.4.0 */
	{ "sk_skb/verdict", 0, P(SK_SKB), A(SK_SKB_VERDICT), 0, K(NONE), 0, 1, 4 },
	/* v1.5.0: A(TRACE_KPROBE_SESSION) 56 */
	{ "kprobe.session", 1, P(KPROBE), 56, 0, K(KPROBE_SESSION), 0, 0, 5 },
	/* v1.6.0: A(TRACE_UPROBE_SESSION) 57 */
	{ "uprobe.session", 1, P(KPROBE), 57, 0, K(UPROBE_SESSION), 0, 0, 6 },
	{ "uprobe.session.s", 1, P(KPROBE), 57, SLEEP, K(UPROBE_SESSION), 0, 0, 6 },
	/* v1.7.0: A(TRACE_FSESSION) 58 */
	{ "fsession", 1, P(TRACING), 58, 0, K(TRACE), 1, 0, 7 },
	{ "fsession.s", 1, P(TRACING), 58, SLEEP, K(TRACE), 1, 0, 7 },
};

#define N_FACTS (sizeof(facts) / sizeof(facts[0]))

static const struct fact *fact_named(const char *name)
{
	for (size_t i = 0; i < N_FACTS; i++)
		if (strcmp(facts[i].name, name) == 0)
			return &facts[i];
	return NULL;
}

static int names_checked;

/*
 * One name: sec_def_parse against the expected fact (NULL: unknown) and
 * target, and against libbpf 1.1, which must agree for the names it has
 * (since 1) and not know the others. libbpf_prog_type_by_name takes the
 * name as the object loader does after dropping one '?'.
 */
static void check_name(const char *name, const struct fact *f, const char *target)
{
	struct sec_def d;
	bool autoload = name[0] != '?';
	const char *plain = autoload ? name : name + 1;
	int err = sec_def_parse(name, &d);

	names_checked++;
	if (f) {
		CHECK_REPORT(err == 0, "%.80s: %d, expected a match with \"%s\"", name, err,
			     f->name);
		CHECK_REPORT(d.prog_type == (enum bpf_prog_type)f->prog_type &&
				     d.attach_type == (enum bpf_attach_type)f->attach_type,
			     "%.80s: type %d/%d, expected %d/%d", name, d.prog_type,
			     d.attach_type, f->prog_type, f->attach_type);
		CHECK_REPORT(d.prog_flags == f->flags && d.kind == f->kind &&
				     d.attach_btf == f->btf && d.attachable == f->attachable &&
				     d.libbpf_minor == f->since,
			     "%.80s: flags %#x kind %d btf %d attachable %d since %d", name,
			     d.prog_flags, d.kind, d.attach_btf, d.attachable, d.libbpf_minor);
	} else {
		CHECK_REPORT(err == -ESRCH, "%.80s: %d, expected -ESRCH", name, err);
		CHECK_REPORT(d.prog_type == BPF_PROG_TYPE_UNSPEC && d.attach_type == 0 &&
				     d.prog_flags == 0 && d.kind == SEC_KIND_NONE &&
				     !d.attach_btf && !d.attachable && d.libbpf_minor == 0,
			     "%.80s: unknown name with type %d attach %d", name, d.prog_type,
			     d.attach_type);
	}
	if (target) {
		CHECK_REPORT(d.attach_target && strcmp(d.attach_target, target) == 0 &&
				     d.attach_target >= name &&
				     d.attach_target <= name + strlen(name),
			     "%.80s: target \"%.80s\", expected \"%.80s\" inside the name", name,
			     d.attach_target ? d.attach_target : "(null)", target);
	} else {
		CHECK_REPORT(!d.attach_target, "%.80s: target \"%.80s\", expected none", name,
			     d.attach_target);
	}
	CHECK_REPORT(d.autoload == autoload && d.name == plain, "%.80s: autoload %d name %.80s",
		     name, d.autoload, d.name);

	/* libbpf 1.1 */
	enum bpf_prog_type lt = 0;
	enum bpf_attach_type la = 0;
	int lerr = libbpf_prog_type_by_name(plain, &lt, &la);
	if (f && f->since <= 1) {
		CHECK_REPORT(lerr == 0 && lt == d.prog_type && la == d.attach_type,
			     "%.80s: libbpf says %d %d/%d, we say %d/%d", name, lerr, lt, la,
			     d.prog_type, d.attach_type);
		enum bpf_attach_type aa = 0;
		int aerr = libbpf_attach_type_by_name(plain, &aa);
		CHECK_REPORT(d.attachable ? aerr == 0 && aa == d.attach_type : aerr == -EINVAL,
			     "%.80s: libbpf_attach_type_by_name %d %d, attachable %d", name, aerr,
			     aa, d.attachable);
	} else {
		CHECK_REPORT(lerr == -ESRCH, "%.80s: libbpf 1.1 knows it (%d, type %d)", name,
			     lerr, lt);
	}
}

/* Every name of the table in every form: alone, with '?', with targets
 * (which only the entries taking one accept), and near misses. */
static void test_every_entry_in_every_form(void)
{
	static const char *const targets[] = {
		"", "do_unlinkat", "a/b/c", "/", "/usr/bin/bash:readline+0x10",
		"syscalls/sys_enter_openat", "\xc3\xa9\xff\x01", "?",
	};
	static const char *const misses_after[] = { "x", "_", " ", ".", "-", "s", "\xff" };
	static const char *const misses_before[] = { "??", " ", "/", "x", "\xff" };
	char buf[600];
	char long_target[400];

	memset(long_target, 'z', sizeof(long_target) - 1);
	long_target[sizeof(long_target) - 1] = '\0';

	for (size_t i = 0; i < N_FACTS; i++) {
		const struct fact *f = &facts[i];

		check_name(f->name, f, NULL);
		snprintf(buf, sizeof(buf), "?%s", f->name);
		check_name(buf, f, NULL);

		for (size_t t = 0; t <= sizeof(targets) / sizeof(targets[0]); t++) {
			const char *tg = t < sizeof(targets) / sizeof(targets[0]) ? targets[t]
										  : long_target;
			snprintf(buf, sizeof(buf), "%s/%s", f->name, tg);
			check_name(buf, f->target ? f : NULL, f->target ? tg : NULL);
			snprintf(buf, sizeof(buf), "?%s/%s", f->name, tg);
			check_name(buf, f->target ? f : NULL, f->target ? tg : NULL);
		}
		for (size_t m = 0; m < sizeof(misses_after) / sizeof(misses_after[0]); m++) {
			snprintf(buf, sizeof(buf), "%s%s", f->name, misses_after[m]);
			/* "uprobe" + "s" is not "uprobe.s"; no other miss is a name */
			check_name(buf, fact_named(buf), NULL);
		}
		for (size_t m = 0; m < sizeof(misses_before) / sizeof(misses_before[0]); m++) {
			snprintf(buf, sizeof(buf), "%s%s", misses_before[m], f->name);
			check_name(buf, NULL, NULL);
		}
		/* upper case, and the name one byte short */
		size_t len = strlen(f->name);
		for (size_t c = 0; c <= len; c++)
			buf[c] = (char)(f->name[c] >= 'a' && f->name[c] <= 'z' ? f->name[c] - 32
									      : f->name[c]);
		check_name(buf, NULL, NULL);
		memcpy(buf, f->name, len - 1);
		buf[len - 1] = '\0';
		check_name(buf, fact_named(buf), NULL);
	}
}

/* Odd names, each with what libbpf's source says of it. */
static void test_odd_names(void)
{
	static const struct {
		const char *name;
		const char *fact; /* NULL: unknown */
		const char *target;
	} cases[] = {
		{ "", NULL, NULL },
		{ "?", NULL, NULL },
		{ "??xdp", NULL, NULL },           /* one '?' only */
		{ "xdp/", NULL, NULL },            /* "xdp" is exact */
		{ "xdp.frags/", NULL, NULL },
		{ "kprobe/", "kprobe", "" },       /* attach_kprobe: "kprobe name is invalid" */
		{ "kprobe/do_sys_open+0x10", "kprobe", "do_sys_open+0x10" },
		{ "tc/bogus", NULL, NULL },
		{ "tc/ingress", "tc/ingress", NULL },
		{ "tracepoint/a/b/c", "tracepoint", "a/b/c" },
		{ "tp/syscalls/sys_enter_openat", "tp", "syscalls/sys_enter_openat" },
		{ "xdp_devmap/foo", NULL, NULL },  /* legacy names, gone in libbpf 1.0 */
		{ "xdp_cpumap/foo", NULL, NULL },
		{ "xdp_devmap", NULL, NULL },
		{ "classifier/foo", NULL, NULL },  /* exact since libbpf 1.0 */
		{ "action/foo", NULL, NULL },
		{ "socket/foo", NULL, NULL },
		{ "socket1", NULL, NULL },
		{ "sockops/x", NULL, NULL },
		{ "cgroup", NULL, NULL },
		{ "cgroup/", NULL, NULL },
		{ "cgroup/connect", NULL, NULL },
		{ "cgroup_skb", NULL, NULL },
		{ "kprobe.multi/vfs_*", "kprobe.multi", "vfs_*" },
		{ "uprobe//usr/bin/bash:readline", "uprobe", "/usr/bin/bash:readline" },
		{ "uretprobe.s/libc.so.6:malloc", "uretprobe.s", "libc.so.6:malloc" },
		{ "usdt/./a.out:provider:probe", "usdt", "./a.out:provider:probe" },
		{ "ksyscall/openat", "ksyscall", "openat" },
		{ "kretsyscall/openat", "kretsyscall", "openat" },
		{ "tp_btf/sched_switch", "tp_btf", "sched_switch" },
		{ "fentry/do_unlinkat", "fentry", "do_unlinkat" },
		{ "fmod_ret/bpf_modify_return_test", "fmod_ret", "bpf_modify_return_test" },
		{ "lsm.s/file_open", "lsm.s", "file_open" },
		{ "lsm_cgroup/socket_bind", "lsm_cgroup", "socket_bind" },
		{ "iter/task", "iter", "task" },
		{ "iter.s/bpf_map_elem", "iter.s", "bpf_map_elem" },
		{ "freplace/handler", "freplace", "handler" },
		{ "struct_ops/dctcp_init", "struct_ops", "dctcp_init" },
		{ "raw_tp.w/bpf_test_finish", "raw_tp.w", "bpf_test_finish" },
		{ "uprobe.sx", NULL, NULL },
		{ "uprobe.multi", "uprobe.multi", NULL },
		{ ".text", NULL, NULL },
		{ "license", NULL, NULL },
		{ "maps", NULL, NULL },
		{ ".maps", NULL, NULL },
		{ "xdp\xff", NULL, NULL },
		{ "\xff", NULL, NULL },
		{ "kprobe/\xc3\xa9", "kprobe", "\xc3\xa9" },
		{ "kprobe\xff/x", NULL, NULL },
		{ "Xdp", NULL, NULL },
		{ "xdp\n", NULL, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fact *f = cases[i].fact ? fact_named(cases[i].fact) : NULL;

		CHECK_REPORT(!cases[i].fact || f, "no fact %s", cases[i].fact);
		check_name(cases[i].name, f, cases[i].target);
	}

	/* very long names */
	enum { LONG = 100000 };
	char *name = malloc(LONG + 16);
	CHECK(name != NULL);
	if (!name)
		return;
	memset(name, 'a', LONG);
	name[LONG] = '\0';
	check_name(name, NULL, NULL);
	memcpy(name, "kprobe/", 7);
	check_name(name, fact_named("kprobe"), name + 7);
	name[0] = '?';
	memcpy(name + 1, "kprobe/", 7);
	check_name(name, fact_named("kprobe"), name + 8);
	free(name);

	struct sec_def d;
	CHECK_EQ(sec_def_parse(NULL, &d), -EINVAL);
	enum bpf_prog_type lt;
	enum bpf_attach_type la;
	/* libbpf too */
	CHECK_EQ(libbpf_prog_type_by_name(NULL, &lt, &la), -EINVAL);
}

/* ---- objects opened (and loaded) by libbpf ---- */

#define MAGIC 0x5ec0def

/*
 * A minimal BPF object as clang makes it: one global function "prog" of
 * two instructions (r0 = MAGIC; exit) in a code section named sec_name,
 * a symbol table and a "GPL" license. Sections: null, .strtab (also the
 * section names), .symtab, license, the code.
 */
static unsigned char *build_object(const char *sec_name, size_t *size)
{
	static const char strs[] = "\0.strtab\0.symtab\0license\0prog";
	size_t name_len = strlen(sec_name) + 1;
	size_t str_off = sizeof(Elf64_Ehdr);
	size_t str_size = sizeof(strs) + name_len;
	size_t sym_off = (str_off + str_size + 7) & ~(size_t)7;
	size_t lic_off = sym_off + 2 * sizeof(Elf64_Sym);
	size_t code_off = lic_off + 8;
	size_t sh_off = code_off + 16;
	size_t total = sh_off + 5 * sizeof(Elf64_Shdr);
	unsigned char *buf = calloc(1, total);

	if (!buf)
		return NULL;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_REL;
	eh->e_machine = EM_BPF;
	eh->e_version = EV_CURRENT;
	eh->e_shoff = sh_off;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 5;
	eh->e_shstrndx = 1;

	memcpy(buf + str_off, strs, sizeof(strs));
	memcpy(buf + str_off + sizeof(strs), sec_name, name_len);

	Elf64_Sym *sym = (Elf64_Sym *)(buf + sym_off);
	sym[1].st_name = 26; /* "prog" */
	sym[1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
	sym[1].st_shndx = 4;
	sym[1].st_size = 16;

	memcpy(buf + lic_off, "GPL", 4);

	unsigned char *code = buf + code_off;
	code[0] = 0xb7; /* mov64 r0, imm */
	uint32_t magic = MAGIC;
	memcpy(code + 4, &magic, 4);
	code[8] = 0x95; /* exit */

	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + sh_off);
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = str_off,
			      .sh_size = str_size, .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = 9, .sh_type = SHT_SYMTAB, .sh_offset = sym_off,
			      .sh_size = 2 * sizeof(Elf64_Sym), .sh_link = 1, .sh_info = 1,
			      .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) };
	sh[3] = (Elf64_Shdr){ .sh_name = 17, .sh_type = SHT_PROGBITS,
			      .sh_flags = SHF_ALLOC | SHF_WRITE, .sh_offset = lic_off,
			      .sh_size = 4, .sh_addralign = 1 };
	sh[4] = (Elf64_Shdr){ .sh_name = (Elf64_Word)sizeof(strs), .sh_type = SHT_PROGBITS,
			      .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_offset = code_off,
			      .sh_size = 16, .sh_addralign = 8 };
	*size = total;
	return buf;
}

/*
 * The bpf() calls libbpf makes go through syscall(); ours is found first.
 * BPF_PROG_LOAD of our program (r0 = MAGIC) is recorded and answered with
 * an fd of /dev/null; everything else (libbpf's feature probes) goes to
 * the kernel.
 */
static struct {
	bool on;
	int loads;
	union bpf_attr attr;
} caught;

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	va_list ap;
	long a[6];

	/* as glibc's syscall(): six arguments, whatever the call passed */
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	if (nr == __NR_bpf && a[0] == BPF_PROG_LOAD && caught.on) {
		const union bpf_attr *attr = (const union bpf_attr *)a[1];
		const struct bpf_insn *insns = (const struct bpf_insn *)(uintptr_t)attr->insns;

		if (attr->insn_cnt == 2 && insns[0].imm == MAGIC) {
			caught.loads++;
			size_t n = (size_t)a[2] < sizeof(caught.attr) ? (size_t)a[2]
								      : sizeof(caught.attr);

			memset(&caught.attr, 0, sizeof(caught.attr));
			memcpy(&caught.attr, attr, n);
			return open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static struct bpf_object *open_one(const char *sec_name, unsigned char **buf)
{
	size_t size;

	*buf = build_object(sec_name, &size);
	if (!*buf)
		return NULL;
	struct bpf_object *obj = bpf_object__open_mem(*buf, size, NULL);
	if (libbpf_get_error(obj))
		return NULL;
	return obj;
}

/* What libbpf's object open makes of the section name: type, expected
 * attach type, autoload, and the section name it reports. */
static void check_open(const char *sec_name)
{
	unsigned char *buf;
	struct bpf_object *obj = open_one(sec_name, &buf);
	struct sec_def d;
	int err = sec_def_parse(sec_name, &d);

	CHECK_REPORT(obj != NULL, "%.80s: libbpf cannot open the object", sec_name);
	if (!obj) {
		free(buf);
		return;
	}
	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	CHECK_REPORT(prog && !bpf_object__next_program(obj, prog),
		     "%.80s: libbpf does not find exactly one program", sec_name);
	if (prog) {
		/* names libbpf 1.1 does not know stay unspecified there */
		bool known = err == 0 && d.libbpf_minor <= 1;

		CHECK_REPORT(bpf_program__type(prog) == (known ? d.prog_type : 0) &&
				     bpf_program__expected_attach_type(prog) ==
					     (known ? d.attach_type : 0),
			     "%.80s: libbpf open gives %d/%d, we %d/%d", sec_name,
			     bpf_program__type(prog), bpf_program__expected_attach_type(prog),
			     d.prog_type, d.attach_type);
		CHECK_REPORT(bpf_program__autoload(prog) == d.autoload,
			     "%.80s: libbpf autoload %d", sec_name, bpf_program__autoload(prog));
		CHECK_REPORT(strcmp(bpf_program__section_name(prog), d.name) == 0,
			     "%.80s: libbpf section name %.80s, ours %.80s", sec_name,
			     bpf_program__section_name(prog), d.name);
	}
	bpf_object__close(obj);
	free(buf);
}

static void test_libbpf_open_agrees(void)
{
	static const char *const extra[] = {
		"", "?", "??xdp", "xdp/", "kprobe/", "kprobe/do_unlinkat", "tc/bogus",
		"tracepoint/a/b/c", "xdp_devmap/foo", "classifier/foo", "uprobe//bin/sh:main",
		"\xff", "kprobe/\xc3\xa9", "?tp/sched/sched_switch", "lsm.s/file_open",
	};
	char buf[300];
	int n = 0;

	for (size_t i = 0; i < N_FACTS; i++) {
		check_open(facts[i].name);
		snprintf(buf, sizeof(buf), "?%s", facts[i].name);
		check_open(buf);
		snprintf(buf, sizeof(buf), "%s/target", facts[i].name);
		check_open(buf);
		n += 3;
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++, n++)
		check_open(extra[i]);

	char *name = malloc(70001);
	CHECK(name != NULL);
	if (name) {
		memset(name, 'q', 70000);
		name[70000] = '\0';
		memcpy(name, "?kprobe/", 8);
		check_open(name);
		n++;
		free(name);
	}
	printf("  %d objects opened by libbpf\n", n);
}

/*
 * The flags libbpf loads with (and the types it sends), from the
 * BPF_PROG_LOAD it makes. Names with a BTF target need the kernel's BTF
 * to have it; where it does not, libbpf does not get to the load and the
 * name is skipped with a note.
 */
static void test_libbpf_load_flags(void)
{
	static const char *const names[] = {
		"xdp", "xdp.frags", "xdp.frags/devmap", "xdp.frags/cpumap", "xdp/devmap",
		"xdp/cpumap", "syscall", "socket", "tc", "classifier", "action",
		"kprobe/do_unlinkat", "kretprobe", "uprobe", "uprobe.s", "uretprobe.s/bin:f",
		"usdt", "ksyscall/openat", "tp/a/b", "raw_tp.w/x", "perf_event", "sockops",
		"cgroup/dev", "cgroup_skb/ingress", "cgroup/connect4", "sk_lookup", "sk_msg",
		"sk_skb/stream_verdict", "flow_dissector", "lwt_xmit",
		"fentry/do_unlinkat", "fentry.s/do_unlinkat", "fexit/do_unlinkat",
		"fexit.s/do_unlinkat", "fmod_ret/bpf_fentry_test1",
		"fmod_ret.s/bpf_fentry_test1", "lsm/file_open", "lsm.s/file_open",
		"lsm_cgroup/file_open", "iter/task", "iter.s/task", "tp_btf/sched_switch",
	};
	int loaded = 0, skipped = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned char *buf;
		struct bpf_object *obj = open_one(names[i], &buf);
		struct sec_def d;

		CHECK_EQ(sec_def_parse(names[i], &d), 0);
		CHECK_REPORT(obj != NULL, "%s: libbpf cannot open the object", names[i]);
		if (!obj) {
			free(buf);
			continue;
		}
		memset(&caught, 0, sizeof(caught));
		caught.on = true;
		int err = bpf_object__load(obj);
		caught.on = false;

		if (caught.loads == 0) {
			if (i == 0) {
				/* libbpf stops before our program when bpf() is refused */
				printf("  SKIP load flags: libbpf could not load \"xdp\" (%d); "
				       "is bpf() refused?\n", err);
				bpf_object__close(obj);
				free(buf);
				return;
			}
			CHECK_REPORT(d.attach_btf, "%s: libbpf did not load it (%d)", names[i],
				     err);
			if (d.attach_btf) {
				printf("  skip %s: target not in this kernel's BTF\n", names[i]);
				skipped++;
			}
		} else {
			loaded++;
			CHECK_REPORT(caught.loads == 1 && err == 0, "%s: %d loads, load %d",
				     names[i], caught.loads, err);
			CHECK_REPORT(caught.attr.prog_flags == d.prog_flags,
				     "%s: libbpf loads with flags %#x, ours %#x", names[i],
				     caught.attr.prog_flags, d.prog_flags);
			CHECK_REPORT(caught.attr.prog_type == d.prog_type &&
					     caught.attr.expected_attach_type == d.attach_type,
				     "%s: libbpf loads as %u/%u, ours %d/%d", names[i],
				     caught.attr.prog_type, caught.attr.expected_attach_type,
				     d.prog_type, d.attach_type);
			/* a BTF target becomes attach_btf_id */
			CHECK_REPORT((caught.attr.attach_btf_id != 0) == d.attach_btf,
				     "%s: attach_btf_id %u", names[i], caught.attr.attach_btf_id);
		}
		bpf_object__close(obj);
		free(buf);
	}

	/* "?..." is not loaded at all */
	unsigned char *buf;
	struct bpf_object *obj = open_one("?xdp.frags", &buf);
	CHECK(obj != NULL);
	if (obj) {
		memset(&caught, 0, sizeof(caught));
		caught.on = true;
		bpf_object__load(obj);
		caught.on = false;
		CHECK_EQ(caught.loads, 0);
		bpf_object__close(obj);
	}
	free(buf);
	printf("  %d programs loaded by libbpf, %d skipped\n", loaded, skipped);
}

/* Type names: libbpf 1.1's for every value it has; the newer ones from
 * libbpf v1.7.0's prog_type_name and attach_type_name. */
static void test_type_names(void)
{
	int prog_known = 0, attach_known = 0;

	for (int t = 0; t < 64; t++) {
		const char *lb = libbpf_bpf_prog_type_str((enum bpf_prog_type)t);
		const char *ours = sec_def_prog_type_name((enum bpf_prog_type)t);

		if (lb) {
			CHECK_STR(ours, lb);
			prog_known++;
		} else if (t == 32) {
			CHECK_STR(ours, "netfilter");
		} else {
			CHECK_REPORT(!ours, "prog type %d: %s", t, ours);
		}
	}
	static const char *const newer_attach[] = {
		[44] = "struct_ops", [45] = "netfilter", [46] = "tcx_ingress",
		[47] = "tcx_egress", [48] = "trace_uprobe_multi", [49] = "cgroup_unix_connect",
		[50] = "cgroup_unix_sendmsg", [51] = "cgroup_unix_recvmsg",
		[52] = "cgroup_unix_getpeername", [53] = "cgroup_unix_getsockname",
		[54] = "netkit_primary", [55] = "netkit_peer", [56] = "trace_kprobe_session",
		[57] = "trace_uprobe_session", [58] = "trace_fsession",
	};
	for (int t = 0; t < 64; t++) {
		const char *lb = libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
		const char *ours = sec_def_attach_type_name((enum bpf_attach_type)t);
		const char *newer = t < (int)(sizeof(newer_attach) / sizeof(newer_attach[0]))
					    ? newer_attach[t]
					    : NULL;

		if (lb) {
			CHECK_STR(ours, lb);
			attach_known++;
		} else if (newer) {
			CHECK_STR(ours, newer);
		} else {
			CHECK_REPORT(!ours, "attach type %d: %s", t, ours);
		}
	}
	CHECK(sec_def_prog_type_name((enum bpf_prog_type)-1) == NULL);
	CHECK(sec_def_attach_type_name((enum bpf_attach_type)-1) == NULL);
	CHECK(sec_def_attach_type_name((enum bpf_attach_type)1000) == NULL);
	/* libbpf 1.1 knows 32 program types and 44 attach types */
	CHECK_EQ(prog_known, 32);
	CHECK_EQ(attach_known, 44);
}

/* The message libbpf prints at load ("prog '%s': missing BPF prog type,
 * check ELF section name '%s'"), with hostile bytes escaped. */
static void test_missing_type_message(void)
{
	char msg[512];

	sec_def_missing_type_msg(msg, sizeof(msg), "handler", "tc/bogus");
	CHECK_CONTAINS(msg, "prog 'handler': missing BPF prog type, check ELF section name "
			    "'tc/bogus'");
	sec_def_missing_type_msg(msg, sizeof(msg), "h", "a\x1b[2Jb\\\xff");
	CHECK_CONTAINS(msg, "section name 'a\\x1b[2Jb\\x5c\\xff'");

	char *name = malloc(5000);
	CHECK(name != NULL);
	if (name) {
		memset(name, 'n', 4999);
		name[4999] = '\0';
		char big[2000];
		int len = sec_def_missing_type_msg(big, sizeof(big), "p", name);
		CHECK(len > 0 && (size_t)len < sizeof(big));
		CHECK_CONTAINS(big, "nnn...'");
		/* truncated into a small buffer, still a string */
		len = sec_def_missing_type_msg(msg, 20, "p", name);
		CHECK(len > 20 && strlen(msg) == 19);
		free(name);
	}
	sec_def_missing_type_msg(msg, sizeof(msg), NULL, NULL);
	CHECK_CONTAINS(msg, "prog '': missing BPF prog type, check ELF section name ''");
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("SEC_DEF_TEST_VERBOSE"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(void)
{
	libbpf_set_print(quiet);
	RUN(test_every_entry_in_every_form);
	RUN(test_odd_names);
	printf("  %d names checked, each against libbpf 1.1\n", names_checked);
	RUN(test_libbpf_open_agrees);
	RUN(test_libbpf_load_flags);
	RUN(test_type_names);
	RUN(test_missing_type_message);
	return check_summary("sec_def");
}
