// SPDX-License-Identifier: MIT
/* CO-RE relocations of every kind: field offsets (bpf_core_read,
 * __builtin_preserve_access_index, arrays, nested anonymous members),
 * field existence, size, signedness and bitfield shifts, local and target
 * type ids, type existence, size and match, enum value existence and
 * value. The types are this file's own, marked preserve_access_index. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

enum core_color { CORE_RED = 1, CORE_GREEN = 7, CORE_BLUE = 42 };

struct core_inner {
	int before;
	long arr[6];
};

struct core_obj {
	int a;
	struct {
		short b;
		unsigned int bits_lo : 3;
		int bits_hi : 9;
	};
	struct core_inner in;
	struct core_obj *next;
} __attribute__((preserve_access_index));

typedef unsigned long core_cookie_t;

SEC("raw_tp/core_fields")
int core_fields(struct core_obj *o)
{
	long r = 0;

	r += BPF_CORE_READ(o, a);
	r += BPF_CORE_READ(o, b);
	r += BPF_CORE_READ(o, in.arr[3]);
	r += BPF_CORE_READ(o, next, in.before);
	r += o->in.arr[5];
	r += BPF_CORE_READ_BITFIELD_PROBED(o, bits_lo);
	r += BPF_CORE_READ_BITFIELD_PROBED(o, bits_hi);
	return r;
}

SEC("raw_tp/core_checks")
int core_checks(struct core_obj *o)
{
	long r = 0;

	r += bpf_core_field_exists(o->b);
	r += bpf_core_field_size(o->in.arr);
	r += __builtin_preserve_field_info(o->bits_hi, BPF_FIELD_SIGNED);
	r += __builtin_preserve_field_info(o->bits_hi, BPF_FIELD_LSHIFT_U64);
	r += __builtin_preserve_field_info(o->bits_lo, BPF_FIELD_RSHIFT_U64);
	r += bpf_core_field_offset(o->in.before);
	r += bpf_core_type_id_local(struct core_obj);
	r += bpf_core_type_id_kernel(struct core_inner);
	r += bpf_core_type_exists(core_cookie_t);
	r += bpf_core_type_size(struct core_inner);
	r += bpf_core_type_matches(enum core_color);
	r += bpf_core_enum_value_exists(enum core_color, CORE_GREEN);
	r += bpf_core_enum_value(enum core_color, CORE_BLUE);
	return r;
}

char LICENSE[] SEC("license") = "GPL";
