/* SPDX-License-Identifier: MIT */
/*
 * The program type rules, table-driven: context accesses on both sides
 * of every edge (field starts and ends, sizes 1/2/4/8, misaligned, past
 * the end, read and write, attach types), what valid reads give,
 * the rewriting of accesses into runtime-context accesses, helpers and
 * return ranges. tests/kernel/progtypes_kernel_diff_test.c compares the
 * same rules with the kernel exhaustively.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <asm/ptrace.h>
#include <linux/bpf_perf_event.h>

#include "progtypes/progtypes.h"
#include "uebpf/progtypes.h"
#include "tests/check.h"

#define SKB(f) ((int)offsetof(struct __sk_buff, f))
#define XDP(f) ((int)offsetof(struct xdp_md, f))
#define SA(f) ((int)offsetof(struct bpf_sock_addr, f))
#define PE(f) ((int)offsetof(struct bpf_perf_event_data, f))

enum { R, W };            /* read, write */
enum { NO = 0, OK = 1 };  /* refused, allowed */
#define ANY 0xff          /* result not checked */

struct access_case {
	enum bpf_prog_type type;
	uint32_t attach;
	int off, size, write;
	int ok;
	uint8_t result;     /* enum ctx_result when ok */
	uint8_t field_size; /* when ok */
};

#define P CTX_PACKET
#define PE_ CTX_PACKET_END
#define PM CTX_PACKET_META
#define S CTX_SCALAR

static const struct access_case cases[] = {
	/* xdp: whole 4-byte fields, read only, egress_ifindex for devmap only */
	{ BPF_PROG_TYPE_XDP, 0, XDP(data), 4, R, OK, P, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(data_end), 4, R, OK, PE_, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(data_meta), 4, R, OK, PM, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(ingress_ifindex), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(rx_queue_index), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(data), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(data), 2, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(ingress_ifindex), 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(ingress_ifindex) + 2, 2, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, 2, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(data), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(ingress_ifindex), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, XDP(egress_ifindex), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, XDP(egress_ifindex), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_XDP, BPF_XDP_CPUMAP, XDP(egress_ifindex), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, 24, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_XDP, 0, -4, 4, R, NO, 0, 0 },

	/* sched_cls: packet pointers, narrow reads, tc's writable fields */
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(len), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(len), 2, R, OK, S, 4 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(len) + 3, 1, R, OK, S, 4 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(len) + 1, 2, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(len), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(len), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(mark), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(mark), 2, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(priority), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tc_index), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tc_classid), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(queue_mapping), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(protocol), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(cb[0]), 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(cb[0]) + 1, 1, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(cb[2]), 8, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(cb[4]), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(cb[4]), 8, R, NO, 0, 0 }, /* past cb[4] */
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(cb[1]), 8, R, NO, 0, 0 }, /* misaligned */
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(data), 4, R, OK, P, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(data), 2, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(data), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(data_end), 4, R, OK, PE_, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(data_meta), 4, R, OK, PM, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(family), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(local_port), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(flow_keys), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp), 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp), 8, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(wire_len), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(sk), 8, R, OK, CTX_SOCK_OR_NULL, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(sk), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(sk) + 4, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(sk), 8, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(gso_size), 2, R, OK, S, 4 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp_type), 1, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp_type), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp_type), 1, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(tstamp_type) + 1, 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(hwtstamp), 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, SKB(hwtstamp), 8, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_CLS, 0, (int)sizeof(struct __sk_buff), 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SCHED_ACT, 0, SKB(mark), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SCHED_ACT, 0, SKB(data), 4, R, OK, P, 0 },

	/* socket_filter: no packet pointers, only cb writable */
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(len), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(mark), 1, R, OK, S, 4 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(mark), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(cb[1]), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(data), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(data_end), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(tc_classid), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(tstamp), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(wire_len), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(hwtstamp), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(sk), 8, R, OK, CTX_SOCK_OR_NULL, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(gso_segs), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_SOCKET_FILTER, 0, SKB(tstamp_type), 1, R, NO, 0, 0 },

	/* cgroup_skb: packet read, socket fields, mark/priority/cb/tstamp */
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(data), 4, R, OK, P, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(data_end), 4, R, OK, PE_, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(data_meta), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(family), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(remote_port), 2, R, OK, S, 4 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(remote_ip4), 2, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(remote_ip6[3]), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(local_ip6[0]), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(mark), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(tstamp), 8, W, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(tc_index), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(tc_classid), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, 0, SKB(wire_len), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, SKB(data), 4, R, OK, P, 0 },

	/* cgroup_sock_addr: address fields by family, wide ip6 accesses */
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, SA(user_ip4), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, SA(user_ip4) + 2, 2, R, OK, S, 4 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, SA(user_ip4), 2, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, SA(user_ip6), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, SA(user_ip6), 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, SA(user_ip6[2]), 8, W, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, SA(user_ip6[1]), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_CONNECT, SA(user_ip4), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, SA(msg_src_ip4), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, SA(msg_src_ip4), 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, SA(msg_src_ip6[1]), 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_SENDMSG, SA(msg_src_ip6[2]), 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(user_port), 4, W, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(user_port), 1, R, OK, S, 4 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(user_family), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(user_family), 2, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(user_family), 4, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(protocol), 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, 60, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(sk), 8, R, OK, CTX_SOCK, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(sk) + 4, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, SA(sk), 8, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_CONNECT, SA(user_ip4), 4, R, NO, 0, 0 },

	/* kprobe: any aligned read inside pt_regs */
	{ BPF_PROG_TYPE_KPROBE, 0, 0, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, 3, 1, R, OK, S, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, 4, 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, 160, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, 164, 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, 168, 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, 0, 8, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_KPROBE, 0, -8, 8, R, NO, 0, 0 },

	/* tracepoint: aligned reads from 8 to PERF_MAX_TRACE_SIZE */
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 0, 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 7, 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 8, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 10, 2, R, OK, S, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 10, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 8184, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 8192, 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, 8, 8, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_TRACEPOINT, 0, -8, 8, R, NO, 0, 0 }, /* the kernel accepts this */

	/* raw_tracepoint: 12 u64 arguments */
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 4, 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 88, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 96, 1, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 12, 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, 8, W, NO, 0, 0 },

	/* perf_event: registers whole, sample_period and addr narrow too */
	{ BPF_PROG_TYPE_PERF_EVENT, 0, 0, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, 0, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, 160, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, PE(sample_period), 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, PE(sample_period) + 4, 4, R, OK, S, 8 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, PE(addr) + 1, 1, R, OK, S, 8 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, PE(addr) + 4, 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, PE(addr), 8, W, NO, 0, 0 },
	{ BPF_PROG_TYPE_PERF_EVENT, 0, (int)sizeof(struct bpf_perf_event_data), 8, R, NO, 0, 0 },

	/* lsm: reads at multiples of 8 in 12 argument slots */
	{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 0, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 8, 4, R, OK, S, 0 },
	{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 12, 4, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 88, 8, R, OK, S, 0 },
	{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 96, 8, R, NO, 0, 0 },
	{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, 0, 8, W, NO, 0, 0 },
};

static void test_access_table(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct access_case *c = &cases[i];
		const struct progtype *pt = progtype_get(c->type);
		if (!pt) {
			CHECK_REPORT(0, "case %zu: type %d unsupported", i, c->type);
			continue;
		}
		struct prog_target t = { c->type, (enum bpf_attach_type)c->attach };
		struct ctx_access acc = { ANY, ANY };
		bool ok = pt->is_valid_access(&t, c->off, c->size, c->write == W, &acc);
		CHECK_REPORT(ok == (c->ok == OK), "case %zu: %s %s off %d size %d: %s", i, pt->name,
			     c->write == W ? "write" : "read", c->off, c->size,
			     ok ? "allowed" : "refused");
		if (ok && c->ok == OK) {
			CHECK_REPORT(acc.result == c->result, "case %zu: %s off %d: result %d, want %d",
				     i, pt->name, c->off, acc.result, c->result);
			CHECK_REPORT(acc.field_size == c->field_size,
				     "case %zu: %s off %d size %d: field_size %d, want %d", i, pt->name,
				     c->off, c->size, acc.field_size, c->field_size);
		}
	}
}

/* Whatever the type: nothing before the context, nothing past its end,
 * nothing misaligned, and the runtime registers only. */
static void test_access_edges_every_type(void)
{
	size_t n;
	const struct progtype *const *all = progtype_all(&n);
	CHECK_EQ(n, 24);
	for (size_t i = 0; i < n; i++) {
		const struct progtype *pt = all[i];
		CHECK(progtype_get(pt->type) == pt);
		struct prog_target t = { pt->type, 0 };
		if (pt->type == BPF_PROG_TYPE_CGROUP_SOCK_ADDR)
			t.expected_attach_type = BPF_CGROUP_UDP6_SENDMSG;
		int allowed = 0;
		for (int w = 0; w <= 1; w++)
			for (int off = -16; off < (int)pt->ctx_size + 16; off++)
				for (int size = 1; size <= 8; size *= 2) {
					struct ctx_access acc;
					bool ok = pt->is_valid_access(&t, off, size, w, &acc);
					allowed += ok;
					if (ok && (off < 0 || off + size > (int)pt->ctx_size ||
						   off % size != 0))
						CHECK_REPORT(0, "%s: %s off %d size %d allowed", pt->name,
							     w ? "write" : "read", off, size);
				}
		CHECK_REPORT(allowed > 0, "%s allows nothing", pt->name);
	}
	CHECK(progtype_get(BPF_PROG_TYPE_FLOW_DISSECTOR) == NULL);
}

/* Every valid access of a type with a runtime context of its own can be
 * rewritten, with the instruction's own registers only. */
static void test_every_valid_access_converts(void)
{
	static const enum bpf_prog_type types[] = {
		BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SOCKET_FILTER,
		BPF_PROG_TYPE_CGROUP_SKB,
	};
	static const uint8_t sizes[] = { BPF_B, BPF_H, BPF_W, BPF_DW };
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		const struct progtype *pt = progtype_get(types[k]);
		struct prog_target t = { types[k], BPF_XDP_DEVMAP };
		if (types[k] != BPF_PROG_TYPE_XDP)
			t.expected_attach_type = 0;
		int converted = 0;
		for (int w = 0; w <= 1; w++)
			for (int off = 0; off < (int)pt->ctx_size; off++)
				for (int s = 0; s < 4; s++) {
					struct ctx_access acc;
					if (!pt->is_valid_access(&t, off, 1 << s, w, &acc))
						continue;
					struct uebpf_insn in = {
						.code = (uint8_t)((w ? BPF_STX : BPF_LDX) | BPF_MEM | sizes[s]),
						.dst_reg = w ? 6 : 3, .src_reg = w ? 7 : 6, .off = (int16_t)off,
					};
					struct uebpf_insn out[8];
					int cnt = pt->convert_ctx_access(&t, &in, out, 8);
					CHECK_REPORT(cnt > 0, "%s: %s off %d size %d: %d", pt->name,
						     w ? "write" : "read", off, 1 << s, cnt);
					for (int j = 0; j < cnt; j++) {
						bool regs_ok = (out[j].dst_reg == in.dst_reg ||
								out[j].dst_reg == in.src_reg ||
								BPF_CLASS(out[j].code) == BPF_JMP) &&
							       (out[j].src_reg == in.src_reg ||
								out[j].src_reg == in.dst_reg ||
								out[j].src_reg == 0);
						CHECK_REPORT(regs_ok, "%s off %d: insn %d uses r%d/r%d",
							     pt->name, off, j, out[j].dst_reg,
							     out[j].src_reg);
					}
					converted += cnt > 0;
				}
		CHECK_REPORT(converted >= 6, "%s: %d conversions", pt->name, converted);
	}
}

#define LDX(sz, d, s, o) { .code = BPF_LDX | BPF_MEM | (sz), .dst_reg = d, .src_reg = s, .off = o }
#define STX(sz, d, s, o) { .code = BPF_STX | BPF_MEM | (sz), .dst_reg = d, .src_reg = s, .off = o }

static bool same_insn(const struct uebpf_insn *a, const struct uebpf_insn *b)
{
	return a->code == b->code && a->dst_reg == b->dst_reg && a->src_reg == b->src_reg &&
	       a->off == b->off && a->imm == b->imm;
}

static void expect_conversion(enum bpf_prog_type type, struct uebpf_insn in,
			      const struct uebpf_insn *want, int want_cnt)
{
	const struct progtype *pt = progtype_get(type);
	struct prog_target t = { type, 0 };
	struct uebpf_insn out[8];
	int cnt = pt->convert_ctx_access(&t, &in, out, 8);
	CHECK_REPORT(cnt == want_cnt, "%s off %d: %d instructions, want %d", pt->name, in.off, cnt,
		     want_cnt);
	for (int i = 0; i < cnt && i < want_cnt; i++)
		CHECK_REPORT(same_insn(&out[i], &want[i]),
			     "%s off %d: insn %d is %02x %d %d %d %d", pt->name, in.off, i,
			     out[i].code, out[i].dst_reg, out[i].src_reg, out[i].off, out[i].imm);
}

static void test_conversions(void)
{
	const int16_t rt_len = offsetof(struct uebpf_skb_ctx, len);
	const int16_t rt_proto = offsetof(struct uebpf_skb_ctx, protocol);
	/* A packet pointer: a 64-bit load of the runtime pointer. */
	expect_conversion(BPF_PROG_TYPE_XDP, (struct uebpf_insn)LDX(BPF_W, 2, 1, XDP(data_end)),
			  (struct uebpf_insn[]){ LDX(BPF_DW, 2, 1,
						     offsetof(struct uebpf_xdp_ctx, data_end)) },
			  1);
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS, (struct uebpf_insn)LDX(BPF_W, 2, 1, SKB(data)),
			  (struct uebpf_insn[]){ LDX(BPF_DW, 2, 1,
						     offsetof(struct uebpf_skb_ctx, data)) },
			  1);
	/* A whole field. */
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS, (struct uebpf_insn)LDX(BPF_W, 0, 1, SKB(len)),
			  (struct uebpf_insn[]){ LDX(BPF_W, 0, 1, rt_len) }, 1);
	/* Narrow: the whole field, shifted and masked. */
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS, (struct uebpf_insn)LDX(BPF_H, 0, 1, SKB(len) + 2),
			  (struct uebpf_insn[]){
				  LDX(BPF_W, 0, 1, rt_len),
				  { .code = BPF_ALU | BPF_RSH | BPF_K, .dst_reg = 0, .imm = 16 },
				  { .code = BPF_ALU | BPF_AND | BPF_K, .dst_reg = 0, .imm = 0xffff },
			  },
			  3);
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS, (struct uebpf_insn)LDX(BPF_B, 4, 1, SKB(len)),
			  (struct uebpf_insn[]){
				  LDX(BPF_W, 4, 1, rt_len),
				  { .code = BPF_ALU | BPF_AND | BPF_K, .dst_reg = 4, .imm = 0xff },
			  },
			  2);
	/* protocol is 16 bits wide in the kernel: a 16-bit read of either
	 * half is the whole field, as there. */
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS,
			  (struct uebpf_insn)LDX(BPF_H, 0, 1, SKB(protocol) + 2),
			  (struct uebpf_insn[]){ LDX(BPF_H, 0, 1, rt_proto) }, 1);
	/* cb[] maps byte for byte, any size. */
	expect_conversion(BPF_PROG_TYPE_SOCKET_FILTER, (struct uebpf_insn)STX(BPF_DW, 1, 3, SKB(cb[2])),
			  (struct uebpf_insn[]){ STX(BPF_DW, 1, 3,
						     offsetof(struct uebpf_skb_ctx, cb[2])) },
			  1);
	/* tc_classid keeps 16 bits. */
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS, (struct uebpf_insn)STX(BPF_W, 1, 2, SKB(tc_classid)),
			  (struct uebpf_insn[]){ STX(BPF_H, 1, 2,
						     offsetof(struct uebpf_skb_ctx, tc_classid)) },
			  1);
	/* queue_mapping ignores 0xffff and more. */
	expect_conversion(BPF_PROG_TYPE_SCHED_CLS,
			  (struct uebpf_insn)STX(BPF_W, 1, 2, SKB(queue_mapping)),
			  (struct uebpf_insn[]){
				  { .code = BPF_JMP | BPF_JGE | BPF_K, .dst_reg = 2, .off = 1,
				    .imm = 0xffff },
				  STX(BPF_H, 1, 2, offsetof(struct uebpf_skb_ctx, queue_mapping)),
			  },
			  2);
	/* Types that run on the UAPI layout keep their instructions. */
	expect_conversion(BPF_PROG_TYPE_KPROBE, (struct uebpf_insn)LDX(BPF_DW, 0, 1, 8), NULL, 0);
	expect_conversion(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
			  (struct uebpf_insn)LDX(BPF_W, 0, 1, SA(user_port)), NULL, 0);

	/* Errors: no room, not a field, atomics. */
	const struct progtype *tc = progtype_get(BPF_PROG_TYPE_SCHED_CLS);
	struct prog_target t = { BPF_PROG_TYPE_SCHED_CLS, 0 };
	struct uebpf_insn out[8];
	struct uebpf_insn narrow = LDX(BPF_B, 0, 1, SKB(len) + 1);
	CHECK_EQ(tc->convert_ctx_access(&t, &narrow, out, 2), -ENOSPC);
	struct uebpf_insn flow_keys = LDX(BPF_DW, 0, 1, SKB(flow_keys));
	CHECK_EQ(tc->convert_ctx_access(&t, &flow_keys, out, 8), -EINVAL);
	struct uebpf_insn atomic = { .code = BPF_STX | BPF_ATOMIC | BPF_W, .dst_reg = 1,
				     .src_reg = 2, .off = SKB(mark), .imm = BPF_ADD };
	CHECK_EQ(tc->convert_ctx_access(&t, &atomic, out, 8), -EINVAL);
}

static void test_helpers(void)
{
	struct { enum bpf_prog_type type; uint32_t attach; int32_t id; bool ok; } h[] = {
		{ BPF_PROG_TYPE_XDP, 0, BPF_FUNC_map_lookup_elem, true },
		{ BPF_PROG_TYPE_XDP, 0, BPF_FUNC_xdp_adjust_head, true },
		{ BPF_PROG_TYPE_XDP, 0, BPF_FUNC_redirect_map, true },
		{ BPF_PROG_TYPE_XDP, 0, BPF_FUNC_skb_load_bytes, false },
		{ BPF_PROG_TYPE_XDP, 0, BPF_FUNC_probe_read, false },
		{ BPF_PROG_TYPE_SCHED_CLS, 0, BPF_FUNC_skb_store_bytes, true },
		{ BPF_PROG_TYPE_SCHED_CLS, 0, BPF_FUNC_xdp_adjust_head, false },
		{ BPF_PROG_TYPE_SOCKET_FILTER, 0, BPF_FUNC_skb_load_bytes, true },
		{ BPF_PROG_TYPE_SOCKET_FILTER, 0, BPF_FUNC_skb_store_bytes, false },
		{ BPF_PROG_TYPE_CGROUP_SKB, 0, BPF_FUNC_get_local_storage, true },
		{ BPF_PROG_TYPE_CGROUP_SKB, 0, BPF_FUNC_redirect, false },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, BPF_FUNC_bind, true },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, BPF_FUNC_bind, false },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_SENDMSG, BPF_FUNC_set_retval, true },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP4_RECVMSG, BPF_FUNC_set_retval, false },
		{ BPF_PROG_TYPE_KPROBE, 0, BPF_FUNC_get_stackid, true },
		{ BPF_PROG_TYPE_KPROBE, 0, BPF_FUNC_perf_prog_read_value, false },
		{ BPF_PROG_TYPE_PERF_EVENT, 0, BPF_FUNC_perf_prog_read_value, true },
		{ BPF_PROG_TYPE_TRACEPOINT, 0, BPF_FUNC_skb_load_bytes, false },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, BPF_FUNC_get_stack, true },
		{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BPF_FUNC_inode_storage_get, true },
		{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BPF_FUNC_get_local_storage, false },
		{ BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, BPF_FUNC_get_local_storage, true },
		{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, BPF_FUNC_xdp_adjust_head, false },
		{ BPF_PROG_TYPE_XDP, 0, 0, false },
		{ BPF_PROG_TYPE_XDP, 0, -1, false },
		{ BPF_PROG_TYPE_XDP, 0, __BPF_FUNC_MAX_ID, false },
	};
	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		const struct progtype *pt = progtype_get(h[i].type);
		struct prog_target t = { h[i].type, (enum bpf_attach_type)h[i].attach };
		CHECK_REPORT(pt->helper_allowed(&t, h[i].id) == h[i].ok, "%s helper %d: want %s",
			     pt->name, h[i].id, h[i].ok ? "allowed" : "refused");
	}
	/* The base set is in every type's set. */
	size_t n;
	const struct progtype *const *all = progtype_all(&n);
	for (int32_t id = 0; id < __BPF_FUNC_MAX_ID; id++) {
		if (!progtype_base_helper(id))
			continue;
		for (size_t i = 0; i < n; i++) {
			struct prog_target t = { all[i]->type, 0 };
			CHECK_REPORT(all[i]->helper_allowed(&t, id), "%s refuses base helper %d",
				     all[i]->name, id);
		}
	}
	CHECK(progtype_base_helper(BPF_FUNC_ringbuf_output));
	CHECK(!progtype_base_helper(BPF_FUNC_redirect));
}

static void test_return_ranges(void)
{
	struct { enum bpf_prog_type type; uint32_t attach; bool ranged; int64_t min, max; } r[] = {
		{ BPF_PROG_TYPE_XDP, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_SCHED_CLS, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_SOCKET_FILTER, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_KPROBE, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_KPROBE, PROGTYPE_TRACE_KPROBE_SESSION, true, 0, 1 },
		{ BPF_PROG_TYPE_TRACEPOINT, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_PERF_EVENT, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT, 0, false, 0, 0 },
		{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS, true, 0, 1 },
		{ BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS, true, 0, 3 },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, true, 0, 1 },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, true, 0, 3 },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_UDP6_RECVMSG, true, 1, 1 },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_GETSOCKNAME, true, 1, 1 },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, PROGTYPE_CGROUP_UNIX_GETPEERNAME, true, 1, 1 },
		{ BPF_PROG_TYPE_LSM, BPF_LSM_MAC, true, -4095, 0 },
		{ BPF_PROG_TYPE_LSM, BPF_LSM_CGROUP, true, 0, 1 },
	};
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		const struct progtype *pt = progtype_get(r[i].type);
		struct prog_target t = { r[i].type, (enum bpf_attach_type)r[i].attach };
		int64_t min = 12345, max = 12345;
		bool ranged = pt->return_range(&t, &min, &max);
		CHECK_REPORT(ranged == r[i].ranged, "%s/%u: ranged %d", pt->name, r[i].attach, ranged);
		if (ranged && r[i].ranged)
			CHECK_REPORT(min == r[i].min && max == r[i].max,
				     "%s/%u: [%" PRId64 ", %" PRId64 "]", pt->name, r[i].attach, min,
				     max);
	}
}

static void test_names_and_sizes(void)
{
	struct { enum bpf_prog_type type; const char *name; uint32_t size; bool pkt_write; } n[] = {
		{ BPF_PROG_TYPE_XDP, "xdp", 24, true },
		{ BPF_PROG_TYPE_SCHED_CLS, "sched_cls", 192, true },
		{ BPF_PROG_TYPE_SCHED_ACT, "sched_act", 192, true },
		{ BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter", 192, false },
		{ BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb", 192, false },
		{ BPF_PROG_TYPE_CGROUP_SOCK_ADDR, "cgroup_sock_addr", 72, false },
		{ BPF_PROG_TYPE_KPROBE, "kprobe", 168, false },
		{ BPF_PROG_TYPE_TRACEPOINT, "tracepoint", 8192, false },
		{ BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", 96, false },
		{ BPF_PROG_TYPE_PERF_EVENT, "perf_event", 184, false },
		{ BPF_PROG_TYPE_LSM, "lsm", 96, false },
	};
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		const struct progtype *pt = progtype_get(n[i].type);
		if (!pt) {
			CHECK_REPORT(0, "%s missing", n[i].name);
			continue;
		}
		CHECK_STR(pt->name, n[i].name);
		CHECK_EQ(pt->ctx_size, n[i].size);
		CHECK_EQ(pt->packet_write, n[i].pkt_write);
	}
}

int main(void)
{
	RUN(test_access_table);
	RUN(test_access_edges_every_type);
	RUN(test_every_valid_access_converts);
	RUN(test_conversions);
	RUN(test_helpers);
	RUN(test_return_ranges);
	RUN(test_names_and_sizes);
	return check_summary("progtypes_ctx_access_test");
}
