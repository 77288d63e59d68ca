/* SPDX-License-Identifier: MIT */
/* Code from a header: line info names this file, not the including one. */
#ifndef BTF_EXT_HELPERS_H
#define BTF_EXT_HELPERS_H

static __always_inline int clamp_len(int n, int max)
{
	if (n > max)
		return max;
	return n;
}

static __noinline int mix(int a, int b)
{
	return (a << 3) ^ (b >> 1);
}

#endif
