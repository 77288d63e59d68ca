/* SPDX-License-Identifier: MIT */
/* What the benchmarks against the kernel share. */
#ifndef UEBPF_BENCH_UTIL_H
#define UEBPF_BENCH_UTIL_H

#include <stddef.h>

/* The median of n samples (sorted in place); the mean of the middle two
 * when n is even. */
double bench_median(double *v, int n);

/* The kernel's bpf_jit_enable setting as text ("1"), or "?". */
void bench_jit_setting(char *buf, size_t size);

#endif
