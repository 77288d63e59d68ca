/* SPDX-License-Identifier: MIT */
/* The producer side of ring buffers, for the helpers (maps/ringbuf.c). */
#ifndef UEBPF_MAPS_RINGBUF_H
#define UEBPF_MAPS_RINGBUF_H

#include <stdint.h>

#include "maps/map.h"

/* Space for a record of size bytes, or NULL (bad flags or size, no room). */
void *ringbuf_reserve(struct map *map, uint64_t size, uint64_t flags);
/* Commits (or discards) a reserved record; flags: BPF_RB_NO_WAKEUP,
 * BPF_RB_FORCE_WAKEUP. */
void ringbuf_commit(struct map *map, void *sample, uint64_t flags, int discard);
/* Reserve, copy, commit: 0, -EINVAL (flags) or -EAGAIN (no room). */
int ringbuf_output(struct map *map, const void *data, uint64_t size, uint64_t flags);
/* BPF_RB_AVAIL_DATA, _RING_SIZE, _CONS_POS, _PROD_POS; 0 otherwise. */
uint64_t ringbuf_query(struct map *map, uint64_t flags);
/* Could sample (of size bytes) be a record of this ring? (checked mode) */
int ringbuf_owns(struct map *map, const void *sample, uint64_t size);

#endif /* UEBPF_MAPS_RINGBUF_H */
