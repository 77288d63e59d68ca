/* SPDX-License-Identifier: MIT */
/* Internet checksum (RFC 1071) over the whole 1500-byte frame. */
#include "bench_prog.h"

BENCH_ENTRY(bench_checksum)
{
	u64 sum = 0;
	if (len < BENCH_INPUT_LEN)
		return 0;
	for (int i = 0; i < BENCH_INPUT_LEN; i += 2)
		sum += (u32)mem[i] << 8 | mem[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}
