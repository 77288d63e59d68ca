/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: not implemented yet (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int map_in_map_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops array_of_maps_map_ops = {
	.check = map_in_map_check,
};

const struct map_ops hash_of_maps_map_ops = {
	.check = map_in_map_check,
};

