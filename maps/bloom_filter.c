/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_BLOOM_FILTER: not implemented yet (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int bloom_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops bloom_filter_map_ops = {
	.check = bloom_check,
};
