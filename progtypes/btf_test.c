/* SPDX-License-Identifier: MIT */
/*
 * The program types' BTF: every type is there, with the layout the host
 * compiler gives the same UAPI headers (and <asm/ptrace.h> for pt_regs's
 * user-space names).
 *
 *   progtypes_btf_test          against the host compiler's layouts
 *   progtypes_btf_test kernel   against the running kernel's BTF
 *                               (/sys/kernel/btf/vmlinux; 77 without it)
 */
#include "progtypes/btf.h"
#include "tests/check.h"

#include <asm/ptrace.h>
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A member by name, looking through anonymous members as CO-RE does:
 * 1 and its bit offset and size (bits of a bitfield, else the type's
 * bytes * 8), 0 when absent. */
static int find_member(const struct btf *btf, uint32_t id, const char *name, uint32_t *bit_off,
		       uint32_t *bit_size, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	while (t && (btf_is_mod(t) || btf_is_typedef(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_composite(t) || depth > 8)
		return 0;
	for (int i = 0; i < btf_vlen(t); i++) {
		const struct btf_member *m = btf_members(t) + i;
		const char *n = btf__name_by_offset(btf, m->name_off);
		uint32_t off = btf_member_bit_offset(t, i);
		if (!n || !*n) {
			if (find_member(btf, m->type, name, bit_off, bit_size, depth + 1)) {
				*bit_off += off;
				return 1;
			}
			continue;
		}
		if (strcmp(n, name))
			continue;
		*bit_off = off;
		*bit_size = btf_member_bitfield_size(t, i);
		if (!*bit_size)
			*bit_size = (uint32_t)btf__resolve_size(btf, m->type) * 8;
		return 1;
	}
	return 0;
}

static int32_t find_struct(const struct btf *btf, const char *name)
{
	int32_t id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	return id > 0 ? id : btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
}

static void *call_progtypes_btf(void *arg)
{
	return (void *)progtypes_btf();
}

static void test_parses_once(void)
{
	size_t size;
	const uint8_t *data = progtypes_btf_data(&size);
	pthread_t th[4];
	void *got[4];

	CHECK(size > 1000);
	CHECK_EQ(data[0] | data[1] << 8, 0xeB9F); /* BTF_MAGIC, little-endian */
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, call_progtypes_btf, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], &got[i]);
	const struct btf *btf = progtypes_btf();
	CHECK(btf != NULL);
	for (int i = 0; i < 4; i++)
		CHECK(got[i] == btf);
}

/* Everything btf_types.bpf.c promises, by name and kind. */
static void test_every_type(void)
{
	static const char *const structs[] = {
		"xdp_md", "__sk_buff", "bpf_sock", "bpf_sock_addr", "bpf_sock_ops", "sk_msg_md",
		"bpf_sockopt", "bpf_sysctl", "bpf_perf_event_data", "bpf_raw_tracepoint_args",
		"bpf_cgroup_dev_ctx", "sk_reuseport_md", "bpf_sk_lookup", "pt_regs",
		"bpf_flow_keys", "bpf_tcp_sock", "bpf_xdp_sock", "bpf_sock_tuple",
		"bpf_perf_event_value", "bpf_pidns_info", "trace_entry",
		"trace_event_raw_sys_enter", "trace_event_raw_sys_exit", "syscall_trace_enter",
		"syscall_trace_exit", "ethhdr", "vlan_hdr", "iphdr", "ipv6hdr", "in6_addr",
		"tcphdr", "udphdr", "icmphdr", "icmp6hdr",
	};
	static const char *const enums[] = {
		"xdp_action", "sk_action", "bpf_ret_code", "bpf_prog_type", "bpf_attach_type",
		"bpf_map_type", "bpf_func_id",
	};
	const struct btf *btf = progtypes_btf();

	for (size_t i = 0; i < sizeof(structs) / sizeof(structs[0]); i++)
		CHECK_REPORT(btf__find_by_name_kind(btf, structs[i], BTF_KIND_STRUCT) > 0,
			     "struct %s", structs[i]);
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		CHECK_REPORT(btf__find_by_name_kind(btf, enums[i], BTF_KIND_ENUM) > 0, "enum %s",
			     enums[i]);
	CHECK(btf__find_by_name_kind(btf, "bpf_user_pt_regs_t", BTF_KIND_TYPEDEF) > 0);
	/* Not a kernel-internal type. */
	CHECK(btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) < 0);
}

struct layout {
	const char *type, *member;
	size_t off, size, type_size;
};

#define L(T, M) { #T, #M, offsetof(struct T, M), sizeof(((struct T *)0)->M), sizeof(struct T) }

/* The host compiler's view of the same headers. */
static const struct layout uapi[] = {
	L(xdp_md, data), L(xdp_md, data_end), L(xdp_md, data_meta), L(xdp_md, egress_ifindex),
	L(__sk_buff, len), L(__sk_buff, cb), L(__sk_buff, data), L(__sk_buff, remote_ip6),
	L(__sk_buff, flow_keys), L(__sk_buff, tstamp), L(__sk_buff, sk), L(__sk_buff, hwtstamp),
	L(bpf_sock, family), L(bpf_sock, dst_port), L(bpf_sock, rx_queue_mapping),
	L(bpf_sock_addr, user_ip6), L(bpf_sock_addr, msg_src_ip6), L(bpf_sock_addr, sk),
	L(bpf_sock_ops, args), L(bpf_sock_ops, reply), L(bpf_sock_ops, bytes_acked),
	L(bpf_sock_ops, sk), L(bpf_sock_ops, skb_data_end), L(bpf_sock_ops, skb_tcp_flags),
	L(sk_msg_md, data), L(sk_msg_md, data_end), L(sk_msg_md, local_ip6), L(sk_msg_md, size),
	L(sk_msg_md, sk),
	L(bpf_sockopt, sk), L(bpf_sockopt, optval), L(bpf_sockopt, optval_end),
	L(bpf_sockopt, level), L(bpf_sockopt, retval),
	L(bpf_sysctl, write), L(bpf_sysctl, file_pos),
	L(bpf_raw_tracepoint_args, args),
	L(bpf_cgroup_dev_ctx, access_type), L(bpf_cgroup_dev_ctx, minor),
	L(sk_reuseport_md, data), L(sk_reuseport_md, hash), L(sk_reuseport_md, sk),
	L(sk_reuseport_md, migrating_sk),
	L(bpf_sk_lookup, sk), L(bpf_sk_lookup, cookie), L(bpf_sk_lookup, remote_port),
	L(bpf_sk_lookup, local_ip6), L(bpf_sk_lookup, ingress_ifindex),
	L(bpf_flow_keys, nhoff), L(bpf_flow_keys, ipv6_dst), L(bpf_flow_keys, flow_label),
	L(bpf_tcp_sock, snd_cwnd), L(bpf_tcp_sock, bytes_acked), L(bpf_tcp_sock, delivered_ce),
	L(bpf_sock_tuple, ipv4), L(bpf_sock_tuple, ipv6),
	L(bpf_perf_event_value, running), L(bpf_pidns_info, tgid),
	L(ethhdr, h_dest), L(ethhdr, h_source), L(ethhdr, h_proto),
	L(iphdr, tos), L(iphdr, frag_off), L(iphdr, check), L(iphdr, saddr), L(iphdr, daddr),
	L(ipv6hdr, flow_lbl), L(ipv6hdr, nexthdr), L(ipv6hdr, saddr), L(ipv6hdr, daddr),
	L(tcphdr, source), L(tcphdr, seq), L(tcphdr, ack_seq), L(tcphdr, window), L(tcphdr, urg_ptr),
	L(udphdr, source), L(udphdr, len), L(udphdr, check),
	L(icmp6hdr, icmp6_type), L(icmp6hdr, icmp6_cksum), L(icmp6hdr, icmp6_dataun),
	/* The UAPI names of pt_regs; the kernel's are checked below. */
	L(pt_regs, r15), L(pt_regs, rbp), L(pt_regs, rbx), L(pt_regs, r8), L(pt_regs, rax),
	L(pt_regs, rcx), L(pt_regs, rdx), L(pt_regs, rsi), L(pt_regs, rdi), L(pt_regs, orig_rax),
	L(pt_regs, rip), L(pt_regs, eflags), L(pt_regs, rsp),
};

static void test_uapi_layouts(void)
{
	const struct btf *btf = progtypes_btf();

	for (size_t i = 0; i < sizeof(uapi) / sizeof(uapi[0]); i++) {
		const struct layout *l = &uapi[i];
		int32_t id = find_struct(btf, l->type);
		uint32_t off = 0, size = 0;
		CHECK_REPORT(id > 0, "struct %s", l->type);
		if (id <= 0)
			continue;
		CHECK_REPORT(btf__resolve_size(btf, id) == (int64_t)l->type_size,
			     "sizeof(struct %s): %lld, host %zu", l->type,
			     (long long)btf__resolve_size(btf, id), l->type_size);
		CHECK_REPORT(find_member(btf, id, l->member, &off, &size, 0), "%s.%s", l->type,
			     l->member);
		CHECK_REPORT(off == l->off * 8 && size == l->size * 8,
			     "%s.%s at bit %u size %u bits, host at byte %zu size %zu", l->type,
			     l->member, off, size, l->off, l->size);
	}
}

/* pt_regs: each kernel name where the UAPI name is; cs and ss are the
 * kernel's u16 with csx / ssx the whole slot. */
static void test_pt_regs_names(void)
{
	static const struct { const char *kernel, *user; size_t off, size; } regs[] = {
		{ "bp", "rbp", offsetof(struct pt_regs, rbp), 8 },
		{ "bx", "rbx", offsetof(struct pt_regs, rbx), 8 },
		{ "ax", "rax", offsetof(struct pt_regs, rax), 8 },
		{ "cx", "rcx", offsetof(struct pt_regs, rcx), 8 },
		{ "dx", "rdx", offsetof(struct pt_regs, rdx), 8 },
		{ "si", "rsi", offsetof(struct pt_regs, rsi), 8 },
		{ "di", "rdi", offsetof(struct pt_regs, rdi), 8 },
		{ "orig_ax", "orig_rax", offsetof(struct pt_regs, orig_rax), 8 },
		{ "ip", "rip", offsetof(struct pt_regs, rip), 8 },
		{ "flags", "eflags", offsetof(struct pt_regs, eflags), 8 },
		{ "sp", "rsp", offsetof(struct pt_regs, rsp), 8 },
		{ "csx", "cs", offsetof(struct pt_regs, cs), 8 },
		{ "ssx", "ss", offsetof(struct pt_regs, ss), 8 },
		{ "cs", "cs", offsetof(struct pt_regs, cs), 2 },
		{ "ss", "ss", offsetof(struct pt_regs, ss), 2 },
	};
	const struct btf *btf = progtypes_btf();
	int32_t id = find_struct(btf, "pt_regs");

	CHECK_EQ(btf__resolve_size(btf, id), sizeof(struct pt_regs));
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		uint32_t off = 0, size = 0;
		CHECK_REPORT(find_member(btf, id, regs[i].kernel, &off, &size, 0) &&
				     off == regs[i].off * 8 && size == regs[i].size * 8,
			     "pt_regs.%s: bit %u size %u, expected at %s (byte %zu)", regs[i].kernel,
			     off, size, regs[i].user, regs[i].off);
	}
	/* bpf_perf_event_data.regs is the same pt_regs. */
	int32_t perf = find_struct(btf, "bpf_perf_event_data");
	uint32_t off = 0, size = 0;
	CHECK(find_member(btf, perf, "sample_period", &off, &size, 0));
	CHECK_EQ(off, sizeof(struct pt_regs) * 8);
}

/* pt_regs's names from <asm/ptrace.h>, which the kernel does not use. */
static bool is_user_reg(const char *name)
{
	static const char *const user[] = { "rbp", "rbx", "rax", "rcx", "rdx", "rsi", "rdi",
					    "orig_rax", "rip", "eflags", "rsp" };
	for (size_t i = 0; i < sizeof(user) / sizeof(user[0]); i++)
		if (!strcmp(name, user[i]))
			return true;
	return false;
}

/* Every member the kernel and uebpf both have is at the same place;
 * every member of uebpf's is the kernel's (but pt_regs's user names). */
static int compare_with_kernel(void)
{
	struct btf *kernel = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	if (!kernel) {
		printf("SKIP: no kernel BTF at /sys/kernel/btf/vmlinux\n");
		return 77;
	}
	const struct btf *ours = progtypes_btf();
	int compared = 0;

	for (uint32_t id = 1; id < btf__type_cnt(ours); id++) {
		const struct btf_type *t = btf__type_by_id(ours, id);
		const char *name = btf__name_by_offset(ours, t->name_off);
		if (!btf_is_struct(t) || !name || !*name)
			continue;
		int32_t kid = btf__find_by_name_kind(kernel, name, BTF_KIND_STRUCT);
		if (kid <= 0) {
			printf("note: the kernel has no struct %s\n", name);
			continue;
		}
		check_current = name;
		/* Our members, anonymous ones flattened. */
		for (int i = 0; i < btf_vlen(t); i++) {
			const struct btf_member *m = btf_members(t) + i;
			const char *mn = btf__name_by_offset(ours, m->name_off);
			const struct btf_type *mt = btf__type_by_id(ours, m->type);
			const char *names[8];
			int n = 0;
			if (mn && *mn) {
				names[n++] = mn;
			} else if (mt && btf_is_composite(mt)) {
				for (int j = 0; j < btf_vlen(mt) && n < 8; j++) {
					const char *an = btf__name_by_offset(
						ours, btf_members(mt)[j].name_off);
					if (an && *an)
						names[n++] = an;
				}
			}
			for (int j = 0; j < n; j++) {
				uint32_t o1 = 0, s1 = 0, o2 = 0, s2 = 0;
				find_member(ours, id, names[j], &o1, &s1, 0);
				if (!find_member(kernel, (uint32_t)kid, names[j], &o2, &s2, 0)) {
					CHECK_REPORT(!strcmp(name, "pt_regs") && is_user_reg(names[j]),
						     "the kernel's %s has no %s", name, names[j]);
					continue;
				}
				CHECK_REPORT(o1 == o2 && s1 == s2,
					     "%s.%s: uebpf bit %u size %u, kernel bit %u size %u", name,
					     names[j], o1, s1, o2, s2);
				compared++;
			}
		}
	}
	btf__free(kernel);
	printf("%d members compared with the kernel's\n", compared);
	CHECK(compared > 200);
	return check_summary("progtypes_btf_test kernel");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "kernel")) {
		if (!progtypes_btf())
			return 1;
		return compare_with_kernel();
	}
	RUN(test_parses_once);
	RUN(test_every_type);
	RUN(test_uapi_layouts);
	RUN(test_pt_regs_names);
	return check_summary("progtypes_btf_test");
}
