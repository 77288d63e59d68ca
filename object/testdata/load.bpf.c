// SPDX-License-Identifier: MIT
/* Loading: a pinned map, subprograms, global data, and CO-RE against a
 * field uebpf's __sk_buff does not have, guarded and not. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_counts SEC(".maps");

const volatile __u64 step = 3;
__u64 calls;

/* The program-type context, with a field no kernel has. */
struct __sk_buff___local {
	__u32 len;
	__u32 not_a_field;
} __attribute__((preserve_access_index));

static __attribute__((noinline)) __u64 add(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&shared_counts, &slot);

	if (!v)
		return 0;
	*v += step;
	return *v;
}

__attribute__((noinline)) int twice(__u32 slot)
{
	add(slot);
	return (int)add(slot);
}

SEC("socket")
int count(struct __sk_buff *skb)
{
	calls++;
	return twice(1);
}

SEC("socket")
int guarded(struct __sk_buff *skb)
{
	struct __sk_buff___local *s = (void *)skb;

	if (bpf_core_field_exists(s->not_a_field))
		return s->not_a_field;
	return 7;
}

SEC("socket")
int unguarded(struct __sk_buff *skb)
{
	struct __sk_buff___local *s = (void *)skb;

	return s->not_a_field;
}

SEC("unknown_section")
int untyped(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
