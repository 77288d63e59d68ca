/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_DEVMAP and BPF_MAP_TYPE_DEVMAP_HASH: not implemented yet (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int devmap_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops devmap_map_ops = {
	.check = devmap_check,
};

const struct map_ops devmap_hash_map_ops = {
	.check = devmap_check,
};

