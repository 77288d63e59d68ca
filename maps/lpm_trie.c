/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_LPM_TRIE: not implemented yet (creation is refused). */
#include <errno.h>

#include "maps/map.h"

static int lpm_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops lpm_trie_map_ops = {
	.check = lpm_check,
};
