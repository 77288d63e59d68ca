/* SPDX-License-Identifier: MIT */
/* bpf_perf_event_output: not implemented yet. */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map.h" /* ENOTSUPP */

HELPER(perf_event_output)
{
	return (uint64_t)-ENOTSUPP;
}

