// SPDX-License-Identifier: MIT
/*
 * Section names to program types, as libbpf reads them. The rules are
 * libbpf's (its section_defs table, learned from its source); this table
 * is our own.
 */
#include "object/sec_def.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum {
	MATCH_EXACT,  /* the name is the entry */
	MATCH_TARGET, /* the entry alone, or the entry, '/' and a target */
};

enum {
	F_ATTACHABLE = 1 << 0, /* libbpf_attach_type_by_name knows it */
	F_BTF = 1 << 1,        /* the target is a BTF name */
	F_SLEEPABLE = 1 << 2,  /* loaded with BPF_F_SLEEPABLE */
	F_FRAGS = 1 << 3,      /* loaded with BPF_F_XDP_HAS_FRAGS */
};

struct sec_rule {
	const char *name;
	uint8_t match;
	uint8_t prog_type;
	uint8_t attach_type;
	uint8_t kind;
	uint8_t flags;
	uint8_t libbpf_minor; /* first libbpf 1.N that has it */
};

#define X MATCH_EXACT
#define T MATCH_TARGET
#define P(t) BPF_PROG_TYPE_##t
#define A(t) BPF_##t
#define U(t) UEBPF_BPF_##t /* newer than <linux/bpf.h> */
#define K(k) SEC_KIND_##k

/*
 * At most one entry matches any name (no exact entry is "prefix/..." of a
 * target entry, and target entries need '/' or the end after their
 * prefix), so the order is only for reading.
 */
static const struct sec_rule rules[] = {
	/* sockets */
	{ "socket", X, P(SOCKET_FILTER), 0, K(NONE), 0, 1 },
	{ "sk_reuseport/migrate", X, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT_OR_MIGRATE), K(NONE), F_ATTACHABLE, 1 },
	{ "sk_reuseport", X, P(SK_REUSEPORT), A(SK_REUSEPORT_SELECT), K(NONE), F_ATTACHABLE, 1 },
	{ "sk_lookup", X, P(SK_LOOKUP), A(SK_LOOKUP), K(NONE), F_ATTACHABLE, 1 },
	{ "sockops", X, P(SOCK_OPS), A(CGROUP_SOCK_OPS), K(NONE), F_ATTACHABLE, 1 },
	{ "sk_skb/stream_parser", X, P(SK_SKB), A(SK_SKB_STREAM_PARSER), K(NONE), F_ATTACHABLE, 1 },
	{ "sk_skb/stream_verdict", X, P(SK_SKB), A(SK_SKB_STREAM_VERDICT), K(NONE), F_ATTACHABLE, 1 },
	{ "sk_skb/verdict", X, P(SK_SKB), A(SK_SKB_VERDICT), K(NONE), F_ATTACHABLE, 4 },
	{ "sk_skb", X, P(SK_SKB), 0, K(NONE), 0, 1 },
	{ "sk_msg", X, P(SK_MSG), A(SK_MSG_VERDICT), K(NONE), F_ATTACHABLE, 1 },
	{ "flow_dissector", X, P(FLOW_DISSECTOR), A(FLOW_DISSECTOR), K(NONE), F_ATTACHABLE, 1 },
	{ "lirc_mode2", X, P(LIRC_MODE2), A(LIRC_MODE2), K(NONE), F_ATTACHABLE, 1 },

	/* kernel and user probes */
	{ "kprobe", T, P(KPROBE), 0, K(KPROBE), 0, 1 },
	{ "kretprobe", T, P(KPROBE), 0, K(KRETPROBE), 0, 1 },
	{ "kprobe.multi", T, P(KPROBE), A(TRACE_KPROBE_MULTI), K(KPROBE_MULTI), 0, 1 },
	{ "kretprobe.multi", T, P(KPROBE), A(TRACE_KPROBE_MULTI), K(KRETPROBE_MULTI), 0, 1 },
	{ "kprobe.session", T, P(KPROBE), U(TRACE_KPROBE_SESSION), K(KPROBE_SESSION), 0, 5 },
	{ "ksyscall", T, P(KPROBE), 0, K(KSYSCALL), 0, 1 },
	{ "kretsyscall", T, P(KPROBE), 0, K(KRETSYSCALL), 0, 1 },
	{ "uprobe", T, P(KPROBE), 0, K(UPROBE), 0, 1 },
	{ "uprobe.s", T, P(KPROBE), 0, K(UPROBE), F_SLEEPABLE, 1 },
	{ "uretprobe", T, P(KPROBE), 0, K(URETPROBE), 0, 1 },
	{ "uretprobe.s", T, P(KPROBE), 0, K(URETPROBE), F_SLEEPABLE, 1 },
	{ "uprobe.multi", T, P(KPROBE), U(TRACE_UPROBE_MULTI), K(UPROBE_MULTI), 0, 3 },
	{ "uretprobe.multi", T, P(KPROBE), U(TRACE_UPROBE_MULTI), K(URETPROBE_MULTI), 0, 3 },
	{ "uprobe.multi.s", T, P(KPROBE), U(TRACE_UPROBE_MULTI), K(UPROBE_MULTI), F_SLEEPABLE, 3 },
	{ "uretprobe.multi.s", T, P(KPROBE), U(TRACE_UPROBE_MULTI), K(URETPROBE_MULTI), F_SLEEPABLE, 3 },
	{ "uprobe.session", T, P(KPROBE), U(TRACE_UPROBE_SESSION), K(UPROBE_SESSION), 0, 6 },
	{ "uprobe.session.s", T, P(KPROBE), U(TRACE_UPROBE_SESSION), K(UPROBE_SESSION), F_SLEEPABLE, 6 },
	{ "usdt", T, P(KPROBE), 0, K(USDT), 0, 1 },
	{ "usdt.s", T, P(KPROBE), 0, K(USDT), F_SLEEPABLE, 3 },

	/* traffic control */
	{ "tc", X, P(SCHED_CLS), 0, K(NONE), 0, 1 },
	{ "classifier", X, P(SCHED_CLS), 0, K(NONE), 0, 1 },
	{ "action", X, P(SCHED_ACT), 0, K(NONE), 0, 1 },
	{ "tc/ingress", X, P(SCHED_CLS), U(TCX_INGRESS), K(NONE), 0, 3 },
	{ "tc/egress", X, P(SCHED_CLS), U(TCX_EGRESS), K(NONE), 0, 3 },
	{ "tcx/ingress", X, P(SCHED_CLS), U(TCX_INGRESS), K(NONE), 0, 3 },
	{ "tcx/egress", X, P(SCHED_CLS), U(TCX_EGRESS), K(NONE), 0, 3 },
	{ "netkit/primary", X, P(SCHED_CLS), U(NETKIT_PRIMARY), K(NONE), 0, 3 },
	{ "netkit/peer", X, P(SCHED_CLS), U(NETKIT_PEER), K(NONE), 0, 3 },

	/* tracepoints and BTF-typed tracing */
	{ "tracepoint", T, P(TRACEPOINT), 0, K(TRACEPOINT), 0, 1 },
	{ "tp", T, P(TRACEPOINT), 0, K(TRACEPOINT), 0, 1 },
	{ "raw_tracepoint", T, P(RAW_TRACEPOINT), 0, K(RAW_TRACEPOINT), 0, 1 },
	{ "raw_tp", T, P(RAW_TRACEPOINT), 0, K(RAW_TRACEPOINT), 0, 1 },
	{ "raw_tracepoint.w", T, P(RAW_TRACEPOINT_WRITABLE), 0, K(RAW_TRACEPOINT), 0, 1 },
	{ "raw_tp.w", T, P(RAW_TRACEPOINT_WRITABLE), 0, K(RAW_TRACEPOINT), 0, 1 },
	{ "tp_btf", T, P(TRACING), A(TRACE_RAW_TP), K(TRACE), F_BTF, 1 },
	{ "fentry", T, P(TRACING), A(TRACE_FENTRY), K(TRACE), F_BTF, 1 },
	{ "fmod_ret", T, P(TRACING), A(MODIFY_RETURN), K(TRACE), F_BTF, 1 },
	{ "fexit", T, P(TRACING), A(TRACE_FEXIT), K(TRACE), F_BTF, 1 },
	{ "fsession", T, P(TRACING), U(TRACE_FSESSION), K(TRACE), F_BTF, 7 },
	{ "fentry.s", T, P(TRACING), A(TRACE_FENTRY), K(TRACE), F_BTF | F_SLEEPABLE, 1 },
	{ "fmod_ret.s", T, P(TRACING), A(MODIFY_RETURN), K(TRACE), F_BTF | F_SLEEPABLE, 1 },
	{ "fexit.s", T, P(TRACING), A(TRACE_FEXIT), K(TRACE), F_BTF | F_SLEEPABLE, 1 },
	{ "fsession.s", T, P(TRACING), U(TRACE_FSESSION), K(TRACE), F_BTF | F_SLEEPABLE, 7 },
	{ "freplace", T, P(EXT), 0, K(TRACE), F_BTF, 1 },
	{ "lsm", T, P(LSM), A(LSM_MAC), K(LSM), F_BTF, 1 },
	{ "lsm.s", T, P(LSM), A(LSM_MAC), K(LSM), F_BTF | F_SLEEPABLE, 1 },
	/* no automatic attach in libbpf: attached to a cgroup */
	{ "lsm_cgroup", T, P(LSM), A(LSM_CGROUP), K(NONE), F_BTF, 1 },
	{ "iter", T, P(TRACING), A(TRACE_ITER), K(ITER), F_BTF, 1 },
	{ "iter.s", T, P(TRACING), A(TRACE_ITER), K(ITER), F_BTF | F_SLEEPABLE, 1 },
	{ "struct_ops", T, P(STRUCT_OPS), 0, K(NONE), 0, 1 },
	{ "struct_ops.s", T, P(STRUCT_OPS), 0, K(NONE), F_SLEEPABLE, 2 },
	{ "syscall", X, P(SYSCALL), 0, K(NONE), F_SLEEPABLE, 1 },
	{ "perf_event", X, P(PERF_EVENT), 0, K(NONE), 0, 1 },

	/* XDP */
	{ "xdp.frags/devmap", X, P(XDP), A(XDP_DEVMAP), K(NONE), F_FRAGS, 1 },
	{ "xdp/devmap", X, P(XDP), A(XDP_DEVMAP), K(NONE), F_ATTACHABLE, 1 },
	{ "xdp.frags/cpumap", X, P(XDP), A(XDP_CPUMAP), K(NONE), F_FRAGS, 1 },
	{ "xdp/cpumap", X, P(XDP), A(XDP_CPUMAP), K(NONE), F_ATTACHABLE, 1 },
	{ "xdp.frags", X, P(XDP), A(XDP), K(NONE), F_FRAGS, 1 },
	{ "xdp", X, P(XDP), A(XDP), K(NONE), F_ATTACHABLE, 1 },

	/* lightweight tunnels, netfilter */
	{ "lwt_in", X, P(LWT_IN), 0, K(NONE), 0, 1 },
	{ "lwt_out", X, P(LWT_OUT), 0, K(NONE), 0, 1 },
	{ "lwt_xmit", X, P(LWT_XMIT), 0, K(NONE), 0, 1 },
	{ "lwt_seg6local", X, P(LWT_SEG6LOCAL), 0, K(NONE), 0, 1 },
	{ "netfilter", X, UEBPF_BPF_PROG_TYPE_NETFILTER, U(NETFILTER), K(NONE), 0, 3 },

	/* cgroups */
	{ "cgroup_skb/ingress", X, P(CGROUP_SKB), A(CGROUP_INET_INGRESS), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup_skb/egress", X, P(CGROUP_SKB), A(CGROUP_INET_EGRESS), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/skb", X, P(CGROUP_SKB), 0, K(NONE), 0, 1 },
	{ "cgroup/sock_create", X, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/sock_release", X, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_RELEASE), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/sock", X, P(CGROUP_SOCK), A(CGROUP_INET_SOCK_CREATE), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/post_bind4", X, P(CGROUP_SOCK), A(CGROUP_INET4_POST_BIND), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/post_bind6", X, P(CGROUP_SOCK), A(CGROUP_INET6_POST_BIND), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/bind4", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_BIND), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/bind6", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_BIND), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/connect4", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_CONNECT), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/connect6", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_CONNECT), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/connect_unix", X, P(CGROUP_SOCK_ADDR), U(CGROUP_UNIX_CONNECT), K(NONE), F_ATTACHABLE, 3 },
	{ "cgroup/sendmsg4", X, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_SENDMSG), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/sendmsg6", X, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_SENDMSG), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/sendmsg_unix", X, P(CGROUP_SOCK_ADDR), U(CGROUP_UNIX_SENDMSG), K(NONE), F_ATTACHABLE, 3 },
	{ "cgroup/recvmsg4", X, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP4_RECVMSG), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/recvmsg6", X, P(CGROUP_SOCK_ADDR), A(CGROUP_UDP6_RECVMSG), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/recvmsg_unix", X, P(CGROUP_SOCK_ADDR), U(CGROUP_UNIX_RECVMSG), K(NONE), F_ATTACHABLE, 3 },
	{ "cgroup/getpeername4", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETPEERNAME), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/getpeername6", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETPEERNAME), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/getpeername_unix", X, P(CGROUP_SOCK_ADDR), U(CGROUP_UNIX_GETPEERNAME), K(NONE), F_ATTACHABLE, 3 },
	{ "cgroup/getsockname4", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET4_GETSOCKNAME), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/getsockname6", X, P(CGROUP_SOCK_ADDR), A(CGROUP_INET6_GETSOCKNAME), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/getsockname_unix", X, P(CGROUP_SOCK_ADDR), U(CGROUP_UNIX_GETSOCKNAME), K(NONE), F_ATTACHABLE, 3 },
	{ "cgroup/sysctl", X, P(CGROUP_SYSCTL), A(CGROUP_SYSCTL), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/getsockopt", X, P(CGROUP_SOCKOPT), A(CGROUP_GETSOCKOPT), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/setsockopt", X, P(CGROUP_SOCKOPT), A(CGROUP_SETSOCKOPT), K(NONE), F_ATTACHABLE, 1 },
	{ "cgroup/dev", X, P(CGROUP_DEVICE), A(CGROUP_DEVICE), K(NONE), F_ATTACHABLE, 1 },
};

/* The target part of name for rule r, or NULL; *ok says whether r
 * matches at all. */
static const char *rule_match(const struct sec_rule *r, const char *name, bool *ok)
{
	size_t len = strlen(r->name);

	*ok = false;
	if (r->match == MATCH_EXACT) {
		*ok = strcmp(name, r->name) == 0;
		return NULL;
	}
	if (strncmp(name, r->name, len) != 0)
		return NULL;
	if (name[len] == '\0') {
		*ok = true;
		return NULL;
	}
	if (name[len] == '/') {
		*ok = true;
		return name + len + 1;
	}
	return NULL;
}

int sec_def_parse(const char *sec_name, struct sec_def *out)
{
	memset(out, 0, sizeof(*out));
	out->prog_type = BPF_PROG_TYPE_UNSPEC;
	if (!sec_name)
		return -EINVAL;

	/* "?name" is "name" with autoload off; one '?' only, as libbpf */
	out->autoload = sec_name[0] != '?';
	out->name = out->autoload ? sec_name : sec_name + 1;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct sec_rule *r = &rules[i];
		bool ok;
		const char *target = rule_match(r, out->name, &ok);

		if (!ok)
			continue;
		out->prog_type = (enum bpf_prog_type)r->prog_type;
		out->attach_type = (enum bpf_attach_type)r->attach_type;
		out->attach_target = target;
		out->kind = (enum sec_kind)r->kind;
		out->attach_btf = r->flags & F_BTF;
		out->attachable = r->flags & F_ATTACHABLE;
		if (r->flags & F_SLEEPABLE)
			out->prog_flags |= BPF_F_SLEEPABLE;
		if (r->flags & F_FRAGS)
			out->prog_flags |= BPF_F_XDP_HAS_FRAGS;
		out->libbpf_minor = r->libbpf_minor;
		return 0;
	}
	return -ESRCH;
}

/* The prefixes of the loaders before libbpf 1.0, longest first where one
 * is the start of another. */
static const struct {
	const char *prefix;
	enum bpf_prog_type type;
} legacy_prefixes[] = {
	{ "socket", BPF_PROG_TYPE_SOCKET_FILTER },
	{ "xdp", BPF_PROG_TYPE_XDP },
	{ "classifier", BPF_PROG_TYPE_SCHED_CLS },
	{ "action", BPF_PROG_TYPE_SCHED_ACT },
	{ "kprobe/", BPF_PROG_TYPE_KPROBE },
	{ "kretprobe/", BPF_PROG_TYPE_KPROBE },
	{ "tracepoint/", BPF_PROG_TYPE_TRACEPOINT },
	{ "raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT },
	{ "perf_event", BPF_PROG_TYPE_PERF_EVENT },
	{ "cgroup/skb", BPF_PROG_TYPE_CGROUP_SKB },
	{ "cgroup/sock", BPF_PROG_TYPE_CGROUP_SOCK },
	{ "cgroup/dev", BPF_PROG_TYPE_CGROUP_DEVICE },
	{ "sockops", BPF_PROG_TYPE_SOCK_OPS },
	{ "sk_skb", BPF_PROG_TYPE_SK_SKB },
	{ "sk_msg", BPF_PROG_TYPE_SK_MSG },
	{ "lwt_in", BPF_PROG_TYPE_LWT_IN },
	{ "lwt_out", BPF_PROG_TYPE_LWT_OUT },
	{ "lwt_xmit", BPF_PROG_TYPE_LWT_XMIT },
	{ "lwt_seg6local", BPF_PROG_TYPE_LWT_SEG6LOCAL },
};

int sec_def_parse_legacy(const char *sec_name, struct sec_def *out)
{
	int err = sec_def_parse(sec_name, out);

	if (err != -ESRCH)
		return err;
	for (size_t i = 0; i < sizeof(legacy_prefixes) / sizeof(legacy_prefixes[0]); i++) {
		size_t len = strlen(legacy_prefixes[i].prefix);

		if (!strncmp(out->name, legacy_prefixes[i].prefix, len)) {
			out->prog_type = legacy_prefixes[i].type;
			return 0;
		}
	}
	return -ESRCH;
}

int sec_def_missing_type_msg(char *buf, size_t size, const char *prog_name,
			     const char *sec_name)
{
	/* Section names come from the file: unprintable bytes are shown as
	 * \xNN so a hostile name cannot garble a terminal; 256 bytes of the
	 * name are plenty to recognise it. */
	enum { SHOWN_MAX = 256 };
	char shown[SHOWN_MAX * 4 + sizeof("...")];
	const unsigned char *p = (const unsigned char *)(sec_name ? sec_name : "");
	size_t n = 0, i;

	for (i = 0; p[i] && i < SHOWN_MAX; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			shown[n++] = (char)p[i];
		} else {
			static const char hex[] = "0123456789abcdef";

			shown[n++] = '\\';
			shown[n++] = 'x';
			shown[n++] = hex[p[i] >> 4];
			shown[n++] = hex[p[i] & 15];
		}
	}
	if (p[i]) {
		memcpy(shown + n, "...", 3);
		n += 3;
	}
	shown[n] = '\0';

	return snprintf(buf, size,
			"prog '%s': missing BPF prog type, check ELF section name '%s' "
			"(no known section name matches; set the type with "
			"uebpf_program_set_type before load)",
			prog_name ? prog_name : "", shown);
}

static const char *const prog_type_names[] = {
	[BPF_PROG_TYPE_UNSPEC] = "unspec",
	[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
	[BPF_PROG_TYPE_KPROBE] = "kprobe",
	[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
	[BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
	[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_PROG_TYPE_XDP] = "xdp",
	[BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
	[BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
	[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
	[BPF_PROG_TYPE_LWT_IN] = "lwt_in",
	[BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
	[BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
	[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
	[BPF_PROG_TYPE_SK_SKB] = "sk_skb",
	[BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
	[BPF_PROG_TYPE_SK_MSG] = "sk_msg",
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
	[BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
	[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
	[BPF_PROG_TYPE_TRACING] = "tracing",
	[BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_PROG_TYPE_EXT] = "ext",
	[BPF_PROG_TYPE_LSM] = "lsm",
	[BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
	[BPF_PROG_TYPE_SYSCALL] = "syscall",
	[UEBPF_BPF_PROG_TYPE_NETFILTER] = "netfilter",
};

static const char *const attach_type_names[] = {
	[BPF_CGROUP_INET_INGRESS] = "cgroup_inet_ingress",
	[BPF_CGROUP_INET_EGRESS] = "cgroup_inet_egress",
	[BPF_CGROUP_INET_SOCK_CREATE] = "cgroup_inet_sock_create",
	[BPF_CGROUP_SOCK_OPS] = "cgroup_sock_ops",
	[BPF_SK_SKB_STREAM_PARSER] = "sk_skb_stream_parser",
	[BPF_SK_SKB_STREAM_VERDICT] = "sk_skb_stream_verdict",
	[BPF_CGROUP_DEVICE] = "cgroup_device",
	[BPF_SK_MSG_VERDICT] = "sk_msg_verdict",
	[BPF_CGROUP_INET4_BIND] = "cgroup_inet4_bind",
	[BPF_CGROUP_INET6_BIND] = "cgroup_inet6_bind",
	[BPF_CGROUP_INET4_CONNECT] = "cgroup_inet4_connect",
	[BPF_CGROUP_INET6_CONNECT] = "cgroup_inet6_connect",
	[BPF_CGROUP_INET4_POST_BIND] = "cgroup_inet4_post_bind",
	[BPF_CGROUP_INET6_POST_BIND] = "cgroup_inet6_post_bind",
	[BPF_CGROUP_UDP4_SENDMSG] = "cgroup_udp4_sendmsg",
	[BPF_CGROUP_UDP6_SENDMSG] = "cgroup_udp6_sendmsg",
	[BPF_LIRC_MODE2] = "lirc_mode2",
	[BPF_FLOW_DISSECTOR] = "flow_dissector",
	[BPF_CGROUP_SYSCTL] = "cgroup_sysctl",
	[BPF_CGROUP_UDP4_RECVMSG] = "cgroup_udp4_recvmsg",
	[BPF_CGROUP_UDP6_RECVMSG] = "cgroup_udp6_recvmsg",
	[BPF_CGROUP_GETSOCKOPT] = "cgroup_getsockopt",
	[BPF_CGROUP_SETSOCKOPT] = "cgroup_setsockopt",
	[BPF_TRACE_RAW_TP] = "trace_raw_tp",
	[BPF_TRACE_FENTRY] = "trace_fentry",
	[BPF_TRACE_FEXIT] = "trace_fexit",
	[BPF_MODIFY_RETURN] = "modify_return",
	[BPF_LSM_MAC] = "lsm_mac",
	[BPF_TRACE_ITER] = "trace_iter",
	[BPF_CGROUP_INET4_GETPEERNAME] = "cgroup_inet4_getpeername",
	[BPF_CGROUP_INET6_GETPEERNAME] = "cgroup_inet6_getpeername",
	[BPF_CGROUP_INET4_GETSOCKNAME] = "cgroup_inet4_getsockname",
	[BPF_CGROUP_INET6_GETSOCKNAME] = "cgroup_inet6_getsockname",
	[BPF_XDP_DEVMAP] = "xdp_devmap",
	[BPF_CGROUP_INET_SOCK_RELEASE] = "cgroup_inet_sock_release",
	[BPF_XDP_CPUMAP] = "xdp_cpumap",
	[BPF_SK_LOOKUP] = "sk_lookup",
	[BPF_XDP] = "xdp",
	[BPF_SK_SKB_VERDICT] = "sk_skb_verdict",
	[BPF_SK_REUSEPORT_SELECT] = "sk_reuseport_select",
	[BPF_SK_REUSEPORT_SELECT_OR_MIGRATE] = "sk_reuseport_select_or_migrate",
	[BPF_PERF_EVENT] = "perf_event",
	[BPF_TRACE_KPROBE_MULTI] = "trace_kprobe_multi",
	[BPF_LSM_CGROUP] = "lsm_cgroup",
	[UEBPF_BPF_STRUCT_OPS] = "struct_ops",
	[UEBPF_BPF_NETFILTER] = "netfilter",
	[UEBPF_BPF_TCX_INGRESS] = "tcx_ingress",
	[UEBPF_BPF_TCX_EGRESS] = "tcx_egress",
	[UEBPF_BPF_TRACE_UPROBE_MULTI] = "trace_uprobe_multi",
	[UEBPF_BPF_CGROUP_UNIX_CONNECT] = "cgroup_unix_connect",
	[UEBPF_BPF_CGROUP_UNIX_SENDMSG] = "cgroup_unix_sendmsg",
	[UEBPF_BPF_CGROUP_UNIX_RECVMSG] = "cgroup_unix_recvmsg",
	[UEBPF_BPF_CGROUP_UNIX_GETPEERNAME] = "cgroup_unix_getpeername",
	[UEBPF_BPF_CGROUP_UNIX_GETSOCKNAME] = "cgroup_unix_getsockname",
	[UEBPF_BPF_NETKIT_PRIMARY] = "netkit_primary",
	[UEBPF_BPF_NETKIT_PEER] = "netkit_peer",
	[UEBPF_BPF_TRACE_KPROBE_SESSION] = "trace_kprobe_session",
	[UEBPF_BPF_TRACE_UPROBE_SESSION] = "trace_uprobe_session",
	[UEBPF_BPF_TRACE_FSESSION] = "trace_fsession",
};

const char *sec_def_prog_type_name(enum bpf_prog_type type)
{
	if ((unsigned int)type >= sizeof(prog_type_names) / sizeof(prog_type_names[0]))
		return NULL;
	return prog_type_names[type];
}

const char *sec_def_attach_type_name(enum bpf_attach_type type)
{
	if ((unsigned int)type >= sizeof(attach_type_names) / sizeof(attach_type_names[0]))
		return NULL;
	return attach_type_names[type];
}
