/* SPDX-License-Identifier: MIT */
/* Loads and stores of every size, sign-extending loads and moves (cpu v4:
 * ldxs*, movsx; older cpus use shifts), stores of immediates (cpu v4: st)
 * and the stack. */
#include "bpf_test.h"

struct rec {
	u8 b;
	s8 sb;
	u16 h;
	s16 sh;
	u32 w;
	s32 sw;
	u64 dw;
	s64 sdw;
};

SEC("tc/loads") s64 loads(struct rec *r, s64 *out)
{
	out[0] = r->b;
	out[1] = r->sb;
	out[2] = r->h;
	out[3] = r->sh;
	out[4] = r->w;
	out[5] = r->sw;
	out[6] = r->dw;
	out[7] = r->sdw;
	out[8] = r[100].sh; /* a large offset */
	return r[-1].sw + r->sb;
}

SEC("tc/movsx") s64 movsx(s64 *out, u64 a, u32 b)
{
	out[0] = (s8)a;
	out[1] = (s16)a;
	out[2] = (s32)a;
	out[3] = (s32)(s8)b;
	out[4] = (s32)(s16)b;
	out[5] = (s64)(s32)b;
	return (s8)(a >> 8) + (s16)(b >> 4);
}

SEC("tc/movsx32") s32 movsx32(s32 *out, s32 a, s32 b)
{
	out[0] = (s8)a;
	out[1] = (s16)b;
	return (s8)b + (s16)a;
}

SEC("tc/stores") u64 stores(struct rec *r, u64 a)
{
	volatile u64 stack[8];

	r->b = 1;
	r->sb = -1;
	r->h = 0xffff;
	r->sh = -2;
	r->w = 0x7fffffff;
	r->sw = -0x7fffffff - 1;
	r->dw = 0;
	r->sdw = -3;
	stack[0] = 0;
	stack[1] = -1;
	stack[2] = 0x12345678;
	stack[7] = a;
	((volatile u32 *)stack)[6] = 5;
	((volatile u16 *)stack)[10] = 6;
	((volatile u8 *)stack)[18] = 7;
	r[1000].b = (u8)a;
	r[2].h = (u16)a;
	r[3].w = (u32)a;
	return stack[1] + stack[2] + stack[5] + stack[7];
}
