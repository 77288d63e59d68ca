/* SPDX-License-Identifier: MIT */
/* A single function in .text, without SEC(): a program of its own. */
#include <linux/bpf.h>

int only(void *ctx)
{
	return 42;
}
