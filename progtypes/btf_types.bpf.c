/* SPDX-License-Identifier: MIT */
/*
 * The types uebpf provides to programs, as BTF: CO-RE relocations of a
 * program are resolved against the BTF of this file (compiled with
 * clang -g -target bpf at build time and embedded in libuebpf), not
 * against the running kernel's vmlinux BTF.
 *
 * Every type is what a program sees in the kernel:
 *   - the program contexts of <linux/bpf.h> (the installed UAPI header);
 *   - struct pt_regs of x86-64 with the kernel's member names (vmlinux.h
 *     and PT_REGS_*_CORE use them) and the user-space names of
 *     <asm/ptrace.h> at the same offsets;
 *   - tracepoint records with the kernel's layouts;
 *   - the packet headers programs parse (UAPI headers, tcphdr as current
 *     kernels have it): vmlinux.h marks every struct for CO-RE, so these
 *     too are relocated.
 * Each type is used by a dummy global below, so that clang emits it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

/*
 * x86-64 registers as saved on kernel entry: the kernel's
 * arch/x86/include/asm/ptrace.h (as in the running kernel's BTF: cs and
 * ss are u16 in a union with the u64 csx / ssx since Linux 6.9), with
 * the UAPI <asm/ptrace.h> names (rax, rip, eflags, ...) as aliases in
 * anonymous unions: CO-RE finds a member through anonymous members.
 */
struct pt_regs {
	unsigned long r15;
	unsigned long r14;
	unsigned long r13;
	unsigned long r12;
	union { unsigned long bp; unsigned long rbp; };
	union { unsigned long bx; unsigned long rbx; };
	unsigned long r11;
	unsigned long r10;
	unsigned long r9;
	unsigned long r8;
	union { unsigned long ax; unsigned long rax; };
	union { unsigned long cx; unsigned long rcx; };
	union { unsigned long dx; unsigned long rdx; };
	union { unsigned long si; unsigned long rsi; };
	union { unsigned long di; unsigned long rdi; };
	union { unsigned long orig_ax; unsigned long orig_rax; };
	union { unsigned long ip; unsigned long rip; };
	union { unsigned short cs; unsigned long long csx; };
	union { unsigned long flags; unsigned long eflags; };
	union { unsigned long sp; unsigned long rsp; };
	union { unsigned short ss; unsigned long long ssx; };
};

/* <linux/bpf_perf_event.h> and <asm-generic/bpf_perf_event.h> (which
 * would bring the UAPI pt_regs without the kernel's names). */
typedef struct pt_regs bpf_user_pt_regs_t;

struct bpf_perf_event_data {
	bpf_user_pt_regs_t regs;
	__u64 sample_period;
	__u64 addr;
};

/* Common header of every tracepoint record: include/linux/trace_events.h. */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* The raw_syscalls:sys_enter / sys_exit records:
 * include/trace/events/syscalls.h via TRACE_EVENT's trace_event_raw_##name. */
struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
	char __data[0];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
	char __data[0];
};

/* The syscalls:sys_enter_NAME / sys_exit_NAME records:
 * include/trace/syscall.h. */
struct syscall_trace_enter {
	struct trace_entry ent;
	int nr;
	unsigned long args[0];
};

struct syscall_trace_exit {
	struct trace_entry ent;
	int nr;
	long ret;
};

/* <linux/icmp.h>, which cannot be included here: it pulls in the C
 * library's <sys/socket.h>. */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
		struct {
			__be16 __unused;
			__be16 mtu;
		} frag;
		__u8 reserved[4];
	} un;
};

/* include/uapi/linux/tcp.h of current kernels (the running kernel's BTF
 * has it): the AccECN flag ae took the first bit of res1, which older
 * headers (Linux 6.1's, installed here) still have 4 bits wide. */
struct tcphdr {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u16 ae:1, res1:3, doff:4, fin:1, syn:1, rst:1, psh:1, ack:1, urg:1, ece:1, cwr:1;
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

/* 802.1Q tag after the MAC addresses: include/linux/if_vlan.h. */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

#define USE(type, name) type *uebpf_progtypes_##name

/* Program contexts. */
USE(struct xdp_md, xdp_md);
USE(struct __sk_buff, sk_buff);
USE(struct bpf_sock, bpf_sock);
USE(struct bpf_sock_addr, bpf_sock_addr);
USE(struct bpf_sock_ops, bpf_sock_ops);
USE(struct sk_msg_md, sk_msg_md);
USE(struct bpf_sockopt, bpf_sockopt);
USE(struct bpf_sysctl, bpf_sysctl);
USE(struct bpf_perf_event_data, bpf_perf_event_data);
USE(struct bpf_raw_tracepoint_args, bpf_raw_tracepoint_args);
USE(struct bpf_cgroup_dev_ctx, bpf_cgroup_dev_ctx);
USE(struct sk_reuseport_md, sk_reuseport_md);
USE(struct bpf_sk_lookup, bpf_sk_lookup);
USE(struct pt_regs, pt_regs);

/* What contexts point to, and what helpers fill in. */
USE(struct bpf_flow_keys, bpf_flow_keys);
USE(struct bpf_tcp_sock, bpf_tcp_sock);
USE(struct bpf_xdp_sock, bpf_xdp_sock);
USE(struct bpf_sock_tuple, bpf_sock_tuple);
USE(struct bpf_perf_event_value, bpf_perf_event_value);
USE(struct bpf_pidns_info, bpf_pidns_info);

/* Tracepoint records. */
USE(struct trace_entry, trace_entry);
USE(struct trace_event_raw_sys_enter, trace_event_raw_sys_enter);
USE(struct trace_event_raw_sys_exit, trace_event_raw_sys_exit);
USE(struct syscall_trace_enter, syscall_trace_enter);
USE(struct syscall_trace_exit, syscall_trace_exit);

/* Packet headers. */
USE(struct ethhdr, ethhdr);
USE(struct vlan_hdr, vlan_hdr);
USE(struct iphdr, iphdr);
USE(struct ipv6hdr, ipv6hdr);
USE(struct tcphdr, tcphdr);
USE(struct udphdr, udphdr);
USE(struct icmphdr, icmphdr);
USE(struct icmp6hdr, icmp6hdr);

/* Enums programs ask about with bpf_core_enum_value(). */
enum xdp_action uebpf_progtypes_xdp_action;
enum sk_action uebpf_progtypes_sk_action;
enum bpf_ret_code uebpf_progtypes_bpf_ret_code;
enum bpf_prog_type uebpf_progtypes_bpf_prog_type;
enum bpf_attach_type uebpf_progtypes_bpf_attach_type;
enum bpf_map_type uebpf_progtypes_bpf_map_type;
enum bpf_func_id uebpf_progtypes_bpf_func_id;
