/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_STACK_TRACE: not implemented yet (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int stackmap_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops stack_trace_map_ops = {
	.check = stackmap_check,
};

