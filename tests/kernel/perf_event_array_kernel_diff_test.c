/* SPDX-License-Identifier: MIT */
/* perf event arrays: differential test against the kernel (not written yet). */
#include <stdio.h>

int main(void)
{
	printf("SKIP: not written yet\n");
	return 77;
}
