/* SPDX-License-Identifier: MIT */
/* Load/store mix: copies 256 bytes of the frame to the stack in 8-byte
 * words, byte-reverses them in place, then folds 32- and 16-bit loads. */
#include "bench_prog.h"

BENCH_ENTRY(bench_load_store)
{
	u64 buf[32];
	u64 acc = 0;
	if (len < 512)
		return 0;
	for (int pass = 0; pass < 4; pass++) {
		const u8 *src = mem + pass * 64;
		for (int i = 0; i < 32; i++) {
			u64 w = 0;
			for (int b = 0; b < 8; b++)
				w |= (u64)src[i * 8 + b] << (b * 8);
			buf[i] = w;
		}
		u8 *bytes = (u8 *)buf;
		for (int i = 0; i < 128; i++) {
			u8 t = bytes[i];
			bytes[i] = bytes[255 - i];
			bytes[255 - i] = t;
		}
		for (int i = 0; i < 64; i++) {
			u32 w32;
			u16 w16;
			__builtin_memcpy(&w32, bytes + i * 4, 4);
			__builtin_memcpy(&w16, bytes + i * 4 + 2, 2);
			acc = acc * 33 + w32 + w16;
		}
	}
	return acc;
}
