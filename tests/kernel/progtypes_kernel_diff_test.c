/* SPDX-License-Identifier: MIT */
/*
 * The program type rules against the kernel on this machine.
 *
 *   progtypes_kernel_diff_test access   every context offset (from -8 to
 *       8 past the end), size 1/2/4/8, read and write, per program type
 *       and attach type: the tiny program
 *           r2 = *(size *)(r1 + off)      or   r2 = 0
 *           r0 = 1                             *(size *)(r1 + off) = r2
 *           exit                               r0 = 1; exit
 *       is loaded into the kernel, and is_valid_access must agree with
 *       the kernel's accept / reject;
 *   progtypes_kernel_diff_test helpers  `call id` for every helper id of
 *       <linux/bpf.h>: helper_allowed must agree with whether the
 *       kernel's verifier found a prototype for it (its log says
 *       "cannot use helper" when not);
 *   progtypes_kernel_diff_test returns  `r0 = K; exit` for values around
 *       the ranges: return_range must agree.
 *
 * lsm is not compared: its programs load only with the BTF id of the
 * hook they attach to, and the kernel then checks the context against
 * that hook's arguments, while uebpf's rules are those of every hook at
 * most (docs/progtypes.md). Skips (exit 77) where bpf() is not permitted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progtypes/progtypes.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"

struct target {
	enum bpf_prog_type type;
	uint32_t attach;
	const char *attach_name;
};

static const struct target targets[] = {
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, "" },
	{ BPF_PROG_TYPE_KPROBE, 0, "" },
	{ BPF_PROG_TYPE_KPROBE, BPF_TRACE_KPROBE_MULTI, "kprobe_multi" },
	{ BPF_PROG_TYPE_KPROBE, PROGTYPE_TRACE_KPROBE_SESSION, "kprobe_session" },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, "" },
	{ BPF_PROG_TYPE_SCHED_ACT, 0, "" },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, "" },
	{ BPF_PROG_TYPE_XDP, 0, "" },
	{ BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, "xdp_devmap" },
	{ BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, "xdp_cpumap" },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, "" },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, "ingress" },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, "egress" },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_CREATE, "sock_create" },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET_SOCK_RELEASE, "sock_release" },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET4_POST_BIND, "post_bind4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK, BPF_CGROUP_INET6_POST_BIND, "post_bind6" },
	{ BPF_PROG_TYPE_SOCK_OPS, 0, "" },
	{ BPF_PROG_TYPE_LWT_IN, 0, "" },
	{ BPF_PROG_TYPE_LWT_OUT, 0, "" },
	{ BPF_PROG_TYPE_LWT_XMIT, 0, "" },
	{ BPF_PROG_TYPE_LWT_SEG6LOCAL, 0, "" },
	{ BPF_PROG_TYPE_SK_SKB, 0, "" },
	{ BPF_PROG_TYPE_SK_MSG, 0, "" },
	{ BPF_PROG_TYPE_SK_REUSEPORT, 0, "" },
	{ BPF_PROG_TYPE_SK_REUSEPORT, BPF_SK_REUSEPORT_SELECT_OR_MIGRATE, "migrate" },
	{ BPF_PROG_TYPE_SK_LOOKUP, BPF_SK_LOOKUP, "" },
	{ BPF_PROG_TYPE_CGROUP_DEVICE, 0, "" },
	{ BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, "device" },
	{ BPF_PROG_TYPE_CGROUP_SYSCTL, 0, "" },
	{ BPF_PROG_TYPE_CGROUP_SYSCTL, BPF_CGROUP_SYSCTL, "sysctl" },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_GETSOCKOPT, "getsockopt" },
	{ BPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_CGROUP_SETSOCKOPT, "setsockopt" },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, "" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, "bind4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, "bind6" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, "connect4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, "connect6" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, "sendmsg4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, "sendmsg6" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, "recvmsg4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, "recvmsg6" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETPEERNAME, "getpeername4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETPEERNAME, "getpeername6" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, "getsockname4" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_GETSOCKNAME, "getsockname6" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_CONNECT, "unix_connect" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_SENDMSG, "unix_sendmsg" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_RECVMSG, "unix_recvmsg" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_GETPEERNAME, "unix_getpeername" },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_GETSOCKNAME, "unix_getsockname" },
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static struct uebpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct uebpf_insn in = { .code = code, .dst_reg = dst, .src_reg = src, .off = off,
				 .imm = imm };
	return in;
}

static const uint8_t size_codes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };

static const char *target_name(const struct target *t, char *buf, size_t size)
{
	const struct progtype *pt = progtype_get(t->type);
	snprintf(buf, size, "%s%s%s", pt->name, t->attach_name[0] ? "/" : "", t->attach_name);
	return buf;
}

static unsigned long comparisons, disagreements, intended;

/*
 * Where uebpf refuses on purpose what the kernel accepts: a tracepoint
 * program's reads at negative offsets (the kernel's bound check compares
 * a negative int with a size_t and lets them through; they would read
 * before the record).
 */
static bool intended_difference(const struct target *t, int off, bool write)
{
	return t->type == BPF_PROG_TYPE_TRACEPOINT && off < 0 && !write;
}

/* Disagreements are printed, at most this many per target and check. */
#define MAX_PRINTED 40

static void compare_access(const struct target *t)
{
	const struct progtype *pt = progtype_get(t->type);
	struct prog_target pt_target = { t->type, (enum bpf_attach_type)t->attach };
	char name[64];
	target_name(t, name, sizeof(name));
	unsigned long before = disagreements, printed = 0;
	for (int write = 0; write <= 1; write++)
		for (int off = -8; off < (int)pt->ctx_size + 8; off++)
			for (int s = 0; s < 4; s++) {
				int size = 1 << s;
				struct uebpf_insn p[4];
				size_t n = 0;
				if (write) {
					p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 0);
					p[n++] = insn(BPF_STX | BPF_MEM | size_codes[s], 1, 2,
						      (int16_t)off, 0);
				} else {
					p[n++] = insn(BPF_LDX | BPF_MEM | size_codes[s], 2, 1,
						      (int16_t)off, 0);
				}
				p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
				p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
				int fd = kernel_prog_load_attach(t->type, t->attach, p, n, NULL, 0, 0);
				bool kernel = fd >= 0;
				if (fd >= 0)
					close(fd);
				struct ctx_access acc = { 0xff, 0xff };
				bool ours = pt->is_valid_access(&pt_target, off, size, write, &acc);
				comparisons++;
				if (ours != kernel && !ours && intended_difference(t, off, write)) {
					intended++;
				} else if (ours != kernel) {
					disagreements++;
					if (printed++ < MAX_PRINTED)
						printf("  %s: %s off %d size %d: kernel %s (%d), uebpf %s\n",
						       name, write ? "write" : "read", off, size,
						       kernel ? "accepts" : "refuses", fd < 0 ? fd : 0,
						       ours ? "accepts" : "refuses");
				}
			}
	CHECK_REPORT(disagreements == before, "%s: %lu context accesses disagree", name,
		     disagreements - before);
}

static char vlog[1 << 14];

static void compare_helpers(const struct target *t)
{
	const struct progtype *pt = progtype_get(t->type);
	struct prog_target pt_target = { t->type, (enum bpf_attach_type)t->attach };
	char name[64];
	target_name(t, name, sizeof(name));
	unsigned long before = disagreements;
	for (int32_t id = 1; id < __BPF_FUNC_MAX_ID; id++) {
		struct uebpf_insn p[3] = {
			insn(BPF_JMP | BPF_CALL, 0, 0, 0, id),
			insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
			insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		int fd = kernel_prog_load_attach(t->type, t->attach, p, 3, vlog, sizeof(vlog), 1);
		bool kernel;
		if (fd >= 0) {
			kernel = true;
			close(fd);
		} else {
			/* No prototype for the type, or one it may not use. */
			kernel = !(strstr(vlog, "cannot use helper") || strstr(vlog, "unknown func") ||
				   strstr(vlog, "invalid func") || strstr(vlog, "not allowed in probe"));
		}
		bool ours = pt->helper_allowed(&pt_target, id);
		comparisons++;
		if (ours != kernel) {
			disagreements++;
			printf("  %s: helper %s#%d: kernel %s, uebpf %s\n", name,
			       uebpf_helper_name(id) ? uebpf_helper_name(id) : "?", id,
			       kernel ? "allows" : "refuses", ours ? "allows" : "refuses");
		}
	}
	CHECK_REPORT(disagreements == before, "%s: %lu helpers disagree", name,
		     disagreements - before);
}

static void compare_returns(const struct target *t)
{
	static const int32_t values[] = { -4096, -4095, -2, -1, 0, 1, 2, 3, 4, 1000, INT32_MAX };
	const struct progtype *pt = progtype_get(t->type);
	struct prog_target pt_target = { t->type, (enum bpf_attach_type)t->attach };
	char name[64];
	target_name(t, name, sizeof(name));
	unsigned long before = disagreements;
	int64_t min = 0, max = 0;
	bool ranged = pt->return_range(&pt_target, &min, &max);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct uebpf_insn p[2] = {
			insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, values[i]),
			insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		int fd = kernel_prog_load_attach(t->type, t->attach, p, 2, NULL, 0, 0);
		bool kernel = fd >= 0;
		if (fd >= 0)
			close(fd);
		bool ours = !ranged || (values[i] >= min && values[i] <= max);
		comparisons++;
		if (ours != kernel) {
			disagreements++;
			printf("  %s: return %d: kernel %s, uebpf %s\n", name, values[i],
			       kernel ? "accepts" : "refuses", ours ? "accepts" : "refuses");
		}
	}
	CHECK_REPORT(disagreements == before, "%s: %lu return values disagree", name,
		     disagreements - before);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "access";
	int err = kernel_probe_prog_load();
	if (err) {
		printf("bpf() refused (%s): skipped\n", strerror(-err));
		return KERNEL_TEST_SKIP;
	}
	printf("lsm is not compared: it loads only with the BTF id of a hook, whose "
	       "arguments the kernel then checks accesses against\n");

	void (*check)(const struct target *) = NULL;
	if (!strcmp(what, "access"))
		check = compare_access;
	else if (!strcmp(what, "helpers"))
		check = compare_helpers;
	else if (!strcmp(what, "returns"))
		check = compare_returns;
	else {
		fprintf(stderr, "usage: %s access|helpers|returns\n", argv[0]);
		return 2;
	}
	char name[64];
	for (size_t i = 0; i < NTARGETS; i++) {
		check_current = target_name(&targets[i], name, sizeof(name));
		check(&targets[i]);
	}
	printf("%s: %lu comparisons with the kernel, %lu disagreements, %lu intended "
	       "differences\n", what, comparisons, disagreements, intended);
	return check_summary("progtypes_kernel_diff_test");
}
