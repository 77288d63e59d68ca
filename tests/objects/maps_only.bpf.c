/* SPDX-License-Identifier: MIT */
/* No programs: maps and global data only (shared definitions that a
 * loader pins for other objects). */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 128);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} shared_events SEC(".maps");

__u32 version_of_layout = 3;
const char layout_name[] = "maps_only v3";

char LICENSE[] SEC("license") = "GPL";
