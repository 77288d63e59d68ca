/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_PERF_EVENT_ARRAY: not implemented yet (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int pea_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops perf_event_array_map_ops = {
	.check = pea_check,
};

