/* SPDX-License-Identifier: MIT */
/* bpf_get_stackid, bpf_get_stack: not implemented yet. */
#include <errno.h>

#include "helpers/helpers.h"
#include "maps/map.h" /* ENOTSUPP */

HELPER(get_stackid)
{
	return (uint64_t)-ENOTSUPP;
}

HELPER(get_stack)
{
	return (uint64_t)-ENOTSUPP;
}

