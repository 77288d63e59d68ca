/* SPDX-License-Identifier: MIT */
/* Global data of every kind: .data (initialised), .rodata (const and
 * volatile const), .bss (zero), custom .data.* and .rodata.* sections,
 * static locals, a struct with nested initialisers. Built with
 * -mcpu=v2 and v4 and without -g (global data needs no BTF). */
#include "corpus.h"

struct config {
	__u32 magic;
	__u16 ports[4];
	char tag[6];
};

/* .data */
int counter = 5;
__u64 samples[4] = { 1, 2, 3, 0x1122334455667788ULL };
struct config cfg = { .magic = 0xcafef00d, .ports = { 22, 80, 443 }, .tag = "uebpf" };

/* .rodata */
const volatile __u32 threshold = 1000;
const __u8 table[8] = { 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80 };

/* .bss */
__u64 total_bytes;
__u32 last_len;
char scratch[64];

/* Custom sections: each becomes its own map. */
__u32 custom_counter SEC(".data.counters") = 7;
__u64 custom_hist[8] SEC(".data.counters");
const char banner[] SEC(".rodata.banner") = "hello from .rodata.banner";
__u32 more SEC(".data.second") = 0xdeadbeef;

SEC("socket")
int use_globals(struct __sk_buff *skb)
{
	static __u32 calls; /* a static local: .bss, named use_globals.calls */
	__u32 len = skb->len;

	calls++;
	counter += 1;
	total_bytes += len;
	last_len = len;
	custom_counter++;
	custom_hist[len & 7]++;
	more ^= len;
	samples[len & 3] = len;
	scratch[len & 63] = table[len & 7];
	if (len > threshold)
		return cfg.ports[len & 3] + banner[len & 15];
	return cfg.magic == 0xcafef00d ? cfg.tag[0] + calls : 0;
}

char LICENSE[] SEC("license") = "GPL";
