/* SPDX-License-Identifier: MIT */
/* CO-RE type and enum value relocations: existence, size, type ids,
 * type matches, enum values (also from flavored and 64-bit local enums). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct trace_entry___same {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

/* Fewer members, in another order: still matches. */
struct trace_entry___subset {
	int pid;
	unsigned short type;
};

/* pid of another size: exists, but does not match. */
struct trace_entry___wide {
	long pid;
};

struct pt_regs___ptr {
	unsigned long di;
	struct trace_entry___same *entry; /* not in uebpf's pt_regs */
};

typedef struct pt_regs___ptr regs_alias_t;
typedef struct pt_regs___ptr bpf_user_pt_regs_t___x;

union bpf_attr___x {
	int a;
};

enum xdp_action___mine {
	XDP_ABORTED___mine = 10,
	XDP_PASS___mine = 20,
	XDP_TX___mine,
};

/* A 64-bit local enum (BTF_KIND_ENUM64) matched against uebpf's 32-bit one. */
enum xdp_action___big {
	XDP_DROP___big = 0x100000001ULL,
	XDP_REDIRECT___big = 0x200000000ULL,
};

SEC("kprobe/types")
int types(void *ctx)
{
	long r = 0;

	r += bpf_core_type_exists(struct pt_regs);
	r += bpf_core_type_exists(struct trace_entry___same) << 1;
	r += bpf_core_type_exists(struct xdp_md) << 2;
	r += bpf_core_type_exists(bpf_user_pt_regs_t___x) << 3;
	r += bpf_core_type_exists(union bpf_attr___x) << 4;
	r += bpf_core_type_size(struct pt_regs___ptr) << 5;
	r += bpf_core_type_size(struct __sk_buff) << 6;
	r += bpf_core_type_size(struct trace_entry___subset) << 7;
	r += bpf_core_type_size(regs_alias_t) << 8;
	r += bpf_core_type_size(enum xdp_action___mine) << 9;
	return (int)r;
}

SEC("kprobe/matches")
int matches(void *ctx)
{
	long r = 0;

	r += bpf_core_type_matches(struct trace_entry___same);
	r += bpf_core_type_matches(struct trace_entry___subset) << 1;
	r += bpf_core_type_matches(struct trace_entry___wide) << 2;
	r += bpf_core_type_matches(struct pt_regs___ptr) << 3;
	r += bpf_core_type_matches(enum xdp_action___mine) << 4;
	r += bpf_core_type_matches(enum xdp_action___big) << 5;
	r += bpf_core_type_matches(struct bpf_sock_tuple) << 6;
	return (int)r;
}

SEC("kprobe/type_ids")
int type_ids(void *ctx)
{
	long r = 0;

	r += bpf_core_type_id_kernel(struct pt_regs);
	r += bpf_core_type_id_kernel(struct trace_entry___subset) << 8;
	r += bpf_core_type_id_local(struct trace_entry___subset) << 16;
	r += bpf_core_type_id_kernel(enum xdp_action___mine) << 24;
	return (int)r;
}

SEC("kprobe/enums")
int enums(void *ctx)
{
	long r = 0;

	r += bpf_core_enum_value(enum xdp_action___mine, XDP_PASS___mine);
	r += bpf_core_enum_value(enum xdp_action___mine, XDP_TX___mine) << 4;
	r += bpf_core_enum_value_exists(enum xdp_action___mine, XDP_ABORTED___mine) << 8;
	r += bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_probe_read_kernel) << 12;
	r += bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF) << 20;
	r += bpf_core_enum_value(enum xdp_action___big, XDP_REDIRECT___big) << 28;
	r += bpf_core_enum_value_exists(enum xdp_action___big, XDP_DROP___big) << 40;
	return (int)(r ^ (r >> 32));
}

char LICENSE[] SEC("license") = "GPL";
