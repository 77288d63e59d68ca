/* SPDX-License-Identifier: MIT */
/* How a map's key and value are given: by type (structs with padding,
 * typedefs, enums, arrays, a 7-byte char array), by size, sizes and
 * max_entries from enum constants and expressions. */
#include "corpus.h"

enum { SLOTS = 3 * 7, KEYSZ = 12 };

typedef __u16 port_t;
enum color { RED, GREEN = 5, BLUE };

struct flow_key {
	__u8 proto;   /* padding after */
	__u32 saddr;
	__u32 daddr;
	port_t sport;
	port_t dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct flow_key);
	__type(value, __u64);
	__uint(max_entries, 1 << 14);
} by_struct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, port_t);
	__type(value, char[7]);
	__uint(max_entries, SLOTS);
} by_typedef SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, enum color);
	__type(value, struct flow_key[2]);
	__uint(max_entries, BLUE + 1);
} by_enum SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, KEYSZ);
	__uint(value_size, 3);
	__uint(max_entries, 100);
} by_size SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, 4);
	__type(value, union { __u64 u; __s32 i[2]; });
	__uint(max_entries, 1);
} key_size_value_type SEC(".maps");

SEC("tc")
int sizes(struct __sk_buff *skb)
{
	struct flow_key k = { .proto = 6, .saddr = skb->hash, .sport = 80 };
	port_t p = 443;
	enum color c = GREEN;
	char key12[KEYSZ] = { 1, 2, 3 };
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&by_struct, &k);
	char *s = bpf_map_lookup_elem(&by_typedef, &p);
	struct flow_key *pair = bpf_map_lookup_elem(&by_enum, &c);
	__u8 *three = bpf_map_lookup_elem(&by_size, key12);
	__u64 *u = bpf_map_lookup_elem(&key_size_value_type, &zero);

	return (v ? *v : 0) + (s ? s[6] : 0) + (pair ? pair[1].dport : 0) +
	       (three ? three[2] : 0) + (u ? *u : 0);
}

char LICENSE[] SEC("license") = "GPL";
