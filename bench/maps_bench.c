/* SPDX-License-Identifier: MIT */
/* uebpf-maps-bench: not written yet. */
#include <stdio.h>

int main(void)
{
	printf("uebpf-maps-bench: not written yet\n");
	return 0;
}
