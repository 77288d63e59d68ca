/* SPDX-License-Identifier: MIT */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_jit_setting(char *buf, size_t size)
{
	snprintf(buf, size, "?");
	FILE *f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		snprintf(buf, size, "?");
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}
