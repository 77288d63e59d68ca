/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: not implemented yet
 * (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int queue_stack_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops queue_map_ops = {
	.check = queue_stack_check,
};

const struct map_ops stack_map_ops = {
	.check = queue_stack_check,
};
