/* SPDX-License-Identifier: MIT */
/*
 * Map internals: the header every map segment starts with, the per-process
 * map object, and the operations each map type implements.
 *
 * A segment holds: the header (one page), then the type's data at
 * hdr->data_off. Everything inside is addressed by offsets or indices, so
 * any process mapping the segment can use it.
 */
#ifndef UEBPF_MAPS_MAP_H
#define UEBPF_MAPS_MAP_H

#include <stdatomic.h>
#include <stdint.h>

#include "maps/segment.h"
#include "uebpf/maps.h"

/* The kernel's "operation not supported" errno, which bpf() returns to
 * user space but libc does not name. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

#define MAP_MAGIC "uebpfmap"
#define MAP_LAYOUT_VERSION 2
#define MAP_HDR_SIZE 4096

/* Fields shared by all processes. Written at creation, read-only after,
 * except where marked. */
struct map_hdr {
	char magic[8];
	uint32_t layout_version;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint64_t map_extra;
	uint32_t ncpus;        /* per-CPU copies of each value */
	uint32_t value_stride; /* value_size rounded up to 8 */
	uint64_t data_off;     /* type-specific data, page aligned */
	uint64_t data_size;
	uint64_t total_size;
	char name[16];
	uint32_t id;
	_Atomic uint32_t frozen; /* changes: set once by freeze */
	int32_t spin_lock_off;   /* struct bpf_spin_lock in the value, or -1 */
	/* Maps of maps: the inner map given at creation (inner_map_fd), as a
	 * template (inner.given = 0: none given); fd_err: what was wrong with
	 * the fd, reported where the kernel checks it (after the outer map's
	 * own attributes). */
	struct {
		uint32_t given, type, key_size, value_size, max_entries, map_flags;
		uint64_t map_extra;
		int32_t fd_err;
	} inner;
	/* Type-specific shared state (counters, list heads). */
	union {
		struct {
			uint32_t n_buckets; /* power of two */
			uint32_t n_elems;   /* preallocated elements */
			uint32_t elem_size;
			uint32_t hash_seed;
			uint64_t buckets_off;
			uint64_t elems_off;
			_Atomic uint32_t count;    /* elements in use */
			_Atomic uint32_t fresh;    /* elements ever handed out */
			_Atomic uint64_t freelist; /* index | ABA tag << 32 */
		} htab;
	};
};

struct map;

/*
 * Operations of a map type. User-space operations copy keys and values
 * (all CPUs' copies for per-CPU maps); lookup_ptr is the programs' fast
 * path and returns a pointer into the segment (this CPU's copy). All
 * return 0 or a negative errno as the kernel would.
 */
struct map_ops {
	/* Validates the create attributes; fills data_size (and
	 * type-specific header fields). */
	int (*check)(struct map_hdr *hdr);
	/* Initialises a fresh segment. */
	int (*init)(struct map *map);
	/* Sets up this process's view of a segment just mapped (created or
	 * opened), before the map is used: e.g. a ring's mirrored data. */
	int (*attach)(struct map *map);
	/* This process lets go of the map (its last reference here). */
	void (*detach)(struct map *map);
	void *(*lookup_ptr)(struct map *map, const void *key, uint32_t cpu);
	int (*lookup)(struct map *map, const void *key, void *value, uint64_t flags);
	/* cpu: MAP_USER for user space (per-CPU maps get every CPU's copy),
	 * else the program's CPU (its copy; the other CPUs' are zeroed when
	 * the element is created, as in the kernel). */
	int (*update)(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu);
	int (*delete)(struct map *map, const void *key);
	int (*lookup_and_delete)(struct map *map, const void *key, void *value,
				 uint64_t flags);
	int (*get_next_key)(struct map *map, const void *key, void *next_key);
	/* Maps without keys (queue, stack, bloom filter): push adds a value
	 * (flags: BPF_EXIST replaces the oldest when full), pop takes one
	 * out, peek reads one (bloom filter: tests membership). The
	 * syscall layer maps update/lookup/lookup_and_delete onto these. */
	int (*push)(struct map *map, const void *value, uint64_t flags);
	int (*pop)(struct map *map, void *value);
	int (*peek)(struct map *map, void *value);
	/* Batch commands the type supports (MAP_BATCH_*). Lookup batches walk
	 * get_next_key unless the type has its own lookup_batch (the hash's,
	 * by bucket); update and delete batches repeat update and delete. */
	uint8_t batch;
	int (*lookup_batch)(struct map *map, void *in_batch, void *out_batch,
			    uint8_t *keys, uint8_t *values, uint32_t *count, int delete);
};

enum {
	MAP_BATCH_LOOKUP = 1,
	MAP_BATCH_LOOKUP_AND_DELETE = 2,
	MAP_BATCH_UPDATE = 4,
	MAP_BATCH_DELETE = 8,
};

/* The cpu argument of update for user-space callers. */
#define MAP_USER UINT32_MAX

/* The per-process view of a map. */
struct map {
	int fd;
	struct segment seg;
	struct map_hdr *hdr;
	uint8_t *data; /* seg.base + hdr->data_off */
	const struct map_ops *ops;
	_Atomic int refs; /* the fd, and programs using the map */
	int writable_mmap; /* uebpf_map_mmap() handed out the values */
	uint32_t fd_mode;  /* BPF_F_RDONLY or BPF_F_WRONLY: what this fd may do */
	/* In-process consumers to wake (ring buffers): eventfds. */
	struct map_waiters *waiters;
	/* Program arrays: this process's programs in the slots, and how to
	 * drop a reference on one (the engine's). */
	void **progs;
	void (*prog_put)(void *prog);
};

/* The ops of each type; NULL for types not (yet) supported. */
const struct map_ops *map_ops_for(uint32_t type);

extern const struct map_ops array_map_ops, percpu_array_map_ops;
extern const struct map_ops htab_map_ops, percpu_htab_map_ops;
extern const struct map_ops lpm_trie_map_ops;           /* maps/lpm_trie.c */
extern const struct map_ops queue_map_ops, stack_map_ops; /* maps/queue_stack.c */
extern const struct map_ops bloom_filter_map_ops;       /* maps/bloom_filter.c */
extern const struct map_ops ringbuf_map_ops;            /* maps/ringbuf.c */
extern const struct map_ops prog_array_map_ops;         /* maps/prog_array.c */
extern const struct map_ops lru_htab_map_ops, lru_percpu_htab_map_ops; /* maps/htab.c */
extern const struct map_ops stack_trace_map_ops;        /* maps/stackmap.c */
extern const struct map_ops perf_event_array_map_ops;   /* maps/perf_event_array.c */
extern const struct map_ops array_of_maps_map_ops, hash_of_maps_map_ops; /* maps/map_in_map.c */
extern const struct map_ops devmap_map_ops, devmap_hash_map_ops; /* maps/devmap.c */
extern const struct map_ops cgroup_array_map_ops;       /* maps/cgroup_array.c */
extern const struct map_ops cpumap_map_ops; /* maps/cpumap.c */
extern const struct map_ops xskmap_map_ops; /* maps/xskmap.c */

/* Array-style key walk: NULL or out of range -> 0, the last -> ENOENT. */
int array_get_next_key(struct map *map, const void *key, void *next_key);

/* Maps whose data is one 64-bit word per index, 0 for an empty slot
 * (device and CPU maps): the slot, and a program's lookup (the slot, or
 * NULL when the index is past the end or the slot empty). */
static inline _Atomic uint64_t *map_u64_slot(struct map *map, uint32_t index)
{
	return (_Atomic uint64_t *)map->data + index;
}
void *u64_slot_lookup_ptr(struct map *map, const void *key, uint32_t cpu);

/* After user space closes a map: views of inner maps that are now used
 * by nothing else here and in no slot let go of their files at once,
 * rather than at the next periodic sweep (maps/map_in_map.c). */
void inner_views_settle(void);
/* uebpf_map_close without that (for maps/map_in_map.c, which holds the
 * views' lock). */
int map_close(int fd);

/* Program arrays (maps/prog_array.c): put prog (holding a reference the
 * map drops with put) in a slot, or NULL to clear it; read a slot. */
int prog_array_set(struct map *map, uint32_t index, void *prog, uint32_t id,
		   void (*put)(void *prog));
void *prog_array_get(struct map *map, uint32_t index);
/* Cgroup arrays (maps/cgroup_array.c): the id of the cgroup in a slot,
 * 0 for none. */
uint64_t cgroup_array_get(struct map *map, uint32_t index);
/* Puts the program behind fd in a slot, for user space's updates of
 * program arrays; set by the engine once programs have fds (NULL
 * before: every fd is then "not a program"). */
extern int (*prog_array_fd_set)(struct map *map, uint32_t index, int fd);

/* The map behind fd, or NULL (not a map of this process). */
struct map *map_from_fd(int fd);

/* References held by programs: the map stays until the last is dropped,
 * whatever happens to its fd. */
void map_get(struct map *map);
void map_put(struct map *map);

static inline int map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Size of a value as user space sees it: per-CPU maps give every CPU's
 * copy, each rounded up to 8 bytes. */
static inline size_t map_user_value_size(const struct map_hdr *hdr)
{
	return map_is_percpu(hdr->type) ? (size_t)hdr->value_stride * hdr->ncpus
					: hdr->value_size;
}

/* Copies of a (not per-CPU) value between user space and the map: the
 * spin lock, if the value has one, is never copied in and reads as zero;
 * with `locked` (BPF_F_LOCK) the copy happens under it. */
void map_value_copy_in(const struct map_hdr *hdr, uint8_t *dst, const void *src, int locked);
void map_value_copy_out(const struct map_hdr *hdr, void *dst, uint8_t *src, int locked);

static inline uint32_t round_up8(uint32_t n)
{
	return (n + 7) & ~7u;
}

/* The CPU a program runs on, as an index of per-CPU copies. */
uint32_t map_current_cpu(const struct map_hdr *hdr);

/* An array's value (for per-CPU arrays, CPU cpu's copy): the values are
 * max_entries rows of ncpus copies, each value_stride bytes. */
static inline uint8_t *array_value(const struct map *map, uint32_t index, uint32_t cpu)
{
	const struct map_hdr *hdr = map->hdr;
	return map->data + ((uint64_t)index * hdr->ncpus + cpu) * hdr->value_stride;
}

#endif /* UEBPF_MAPS_MAP_H */
