/* SPDX-License-Identifier: MIT */
/* The producer side of perf event arrays, for the helpers
 * (maps/perf_event_array.c). */
#ifndef UEBPF_MAPS_PERF_EVENT_ARRAY_H
#define UEBPF_MAPS_PERF_EVENT_ARRAY_H

#include <stdint.h>

#include "maps/map.h"

/* bpf_perf_event_output: writes a PERF_RECORD_SAMPLE of size raw bytes
 * into the ring in slot flags & BPF_F_INDEX_MASK (BPF_F_CURRENT_CPU: the
 * current CPU's). 0, or -EINVAL (other flag bits), -E2BIG (index out of
 * range, or a record over 65535 bytes), -ENOENT (empty slot), -EOPNOTSUPP
 * (the ring is another CPU's), -ENOSPC (full: the sample is counted lost). */
int perf_event_array_output(struct map *map, uint64_t flags, const void *data,
			    uint64_t size);

#endif /* UEBPF_MAPS_PERF_EVENT_ARRAY_H */
