/* SPDX-License-Identifier: MIT */
/* bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf, bpf_strncmp: not implemented yet. */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map.h" /* ENOTSUPP */

HELPER(trace_printk)
{
	return (uint64_t)-ENOTSUPP;
}

HELPER(trace_vprintk)
{
	return (uint64_t)-ENOTSUPP;
}

HELPER(snprintf)
{
	return (uint64_t)-ENOTSUPP;
}

HELPER(strncmp)
{
	return (uint64_t)-ENOTSUPP;
}

