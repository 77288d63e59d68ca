/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH.
 *
 * Preallocated elements addressed by index; buckets are singly linked
 * chains with a per-bucket lock for writers. Readers take no lock: a
 * chain ends in a "nulls" marker naming its bucket, so a reader that
 * followed an element moved to another chain (deleted and reused) notices
 * it ended in the wrong bucket and starts again (the kernel's
 * hlist_nulls technique). Free elements sit on a lock-free stack whose
 * head carries an ABA tag; never-used elements are handed out from a
 * bump index, so a fresh map touches no memory.
 *
 * Existing values are updated in place: a pointer a program holds stays
 * inside the map and sees the new value.
 *
 * The LRU types replace the free stack with the kernel's LRU lists (see
 * "LRU" below): updates take a node from them, which may evict other
 * keys, and never fail with E2BIG.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/jhash.h"
#include "maps/lock.h"
#include "maps/map.h"

struct htab_bucket {
	_Atomic uint32_t lock;
	_Atomic uint32_t head; /* element index, or a nulls marker */
};

struct htab_elem {
	_Atomic uint32_t next; /* element index, or a nulls marker */
	_Atomic uint32_t hash;
	/* The key in 8-byte words, zero padded; then the value(s). Readers
	 * that take no lock may meet an element being reused for another
	 * key: keys are read and written a word at a time, atomically, so
	 * such a reader sees some key, never undefined behaviour. */
	_Atomic uint64_t key[];
};

#define NULLS_BIT 0x80000000u
#define NULLS(bucket) (NULLS_BIT | (bucket))
#define IS_NULLS(idx) ((idx) & NULLS_BIT)
#define FREE_END 0xffffffffu /* end of the free list: no bucket's marker */
/* Restarts of a lock-free walk before taking the bucket's lock. */
#define MAX_RESTARTS 8

/* ---- LRU bookkeeping (LRU types only) ----
 *
 * The LRU types keep, beside the elements, one node per element and the
 * heads of the kernel's lists, all linked by index: the common LRU's
 * active, inactive and free lists with one lock, and per CPU a local
 * free list and a pending list (new elements) with their own lock; or,
 * with BPF_F_NO_COMMON_LRU, active/inactive/free lists per CPU. Layout
 * after the elements: struct lru_list [1 + ncpus] (the common one, then
 * the per-CPU ones), struct lru_local [ncpus], struct lru_node
 * [n_elems + 3 + 3 * ncpus] (the elements' nodes, then list heads).
 */
enum lru_type {
	LRU_ACTIVE,
	LRU_INACTIVE,
	LRU_FREE,
	LRU_LOCAL_FREE,
	LRU_LOCAL_PENDING,
};

/* Every field is atomic (relaxed, so plain moves on x86): lists change
 * under locks that another process may hold, which ThreadSanitizer cannot
 * see, and reference bits are set without a lock. */
struct lru_node {
	_Atomic uint32_t prev, next; /* under the lock of the list holding the node */
	_Atomic uint32_t cpu; /* the pending list it joined, or (per-CPU LRU) its owner */
	_Atomic uint8_t type; /* enum lru_type; read without a lock by push_free */
	_Atomic uint8_t ref;  /* set by programs' lookups, which take no lock */
	uint8_t pad[2];
};

struct lru_list {
	_Atomic uint32_t lock;
	_Atomic uint32_t count[2];      /* nodes on the active and inactive lists */
	_Atomic uint32_t next_rotation; /* where the inactive list's rotation goes on */
	/* Never-used nodes [fresh, fresh_end) are the free list's tail, the
	 * highest first (the kernel lists its nodes so): a fresh map touches
	 * no node. */
	_Atomic uint32_t fresh, fresh_end;
	uint8_t pad[40];
};

struct lru_local {
	_Atomic uint32_t lock;
	_Atomic uint32_t next_steal; /* the CPU to steal from next */
	uint8_t pad[56];
};

_Static_assert(sizeof(struct lru_node) == 16, "lru_node layout");
_Static_assert(sizeof(struct lru_list) == 64, "lru_list layout");
_Static_assert(sizeof(struct lru_local) == 64, "lru_local layout");

/* The kernel's batch sizes: the common LRU moves up to
 * clamp(n / ncpus / 2, 1, 128) free nodes to a CPU at a time and scans
 * at most 128 nodes; per-CPU lists shrink by up to 4 and scan 4. */
#define LRU_LOCAL_FREE_TARGET 128
#define LRU_PERCPU_FREE_TARGET 4

static int is_lru(uint32_t type)
{
	return type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static uint32_t lru_ncpus(void)
{
	int n = uebpf_num_possible_cpus();
	return n > 0 ? (uint32_t)n : 1;
}

/* Offset (from the data) of the LRU area, and its size. */
static uint64_t lru_area_off(uint64_t elems_off, uint32_t elem_size, uint32_t n_elems)
{
	return (elems_off + (uint64_t)elem_size * n_elems + 63) & ~(uint64_t)63;
}

static uint64_t lru_area_size(uint32_t n_elems, uint32_t ncpus)
{
	return (1 + (uint64_t)ncpus) * sizeof(struct lru_list) +
	       (uint64_t)ncpus * sizeof(struct lru_local) +
	       ((uint64_t)n_elems + 3 + 3 * (uint64_t)ncpus) * sizeof(struct lru_node);
}

/* The kernel's create checks, in its order: flags, then the LRU's
 * preallocation (ENOTSUPP), NUMA, sizes, limits. */
static int htab_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE |
				 BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG |
				 BPF_F_WRONLY_PROG | BPF_F_ZERO_SEED;
	int lru = is_lru(hdr->type), percpu_lru = (hdr->map_flags & BPF_F_NO_COMMON_LRU) != 0;
	if (hdr->map_extra || hdr->map_flags & ~allowed || (percpu_lru && !lru))
		return -EINVAL;
	if (lru && hdr->map_flags & BPF_F_NO_PREALLOC)
		return -ENOTSUPP;
	if (hdr->map_flags & BPF_F_NUMA_NODE && (map_is_percpu(hdr->type) || percpu_lru))
		return -EINVAL;
	if (hdr->key_size == 0 || hdr->value_size == 0 || hdr->max_entries == 0)
		return -EINVAL;
	/* The kernel's limits: an element within KMALLOC_MAX_SIZE, a per-CPU
	 * value within the per-CPU allocator's unit, the bucket array
	 * within 4 GiB. */
	if ((uint64_t)hdr->key_size + hdr->value_size > 4194255 ||
	    (map_is_percpu(hdr->type) && hdr->value_stride > 32768))
		return -E2BIG;
	if (percpu_lru) {
		/* Each CPU's list gets the same number of nodes: round up to
		 * a multiple of the CPUs (down if that overflows). */
		uint32_t ncpus = lru_ncpus();
		uint64_t up = ((uint64_t)hdr->max_entries + ncpus - 1) / ncpus * ncpus;
		hdr->max_entries = up <= UINT32_MAX ? (uint32_t)up
						    : hdr->max_entries / ncpus * ncpus;
	}
	if (hdr->max_entries > (1u << 27))
		return -E2BIG;
	uint32_t n_buckets = 1;
	while (n_buckets < hdr->max_entries)
		n_buckets <<= 1;
	uint64_t elem_size = sizeof(struct htab_elem) + round_up8(hdr->key_size) +
			     (uint64_t)hdr->value_stride * hdr->ncpus;
	uint64_t buckets = (uint64_t)n_buckets * sizeof(struct htab_bucket);
	uint64_t elems = elem_size * hdr->max_entries;
	if (elems > ((uint64_t)1 << 40))
		return -ENOMEM;
	hdr->htab.n_buckets = n_buckets;
	hdr->htab.n_elems = hdr->max_entries;
	hdr->htab.elem_size = (uint32_t)elem_size;
	hdr->htab.buckets_off = 0;
	hdr->htab.elems_off = (buckets + 63) & ~(uint64_t)63;
	hdr->data_size = hdr->htab.elems_off + elems;
	if (lru)
		hdr->data_size = lru_area_off(hdr->htab.elems_off, hdr->htab.elem_size,
					      hdr->htab.n_elems) +
				 lru_area_size(hdr->htab.n_elems, lru_ncpus());
	return 0;
}

static struct htab_bucket *bucket_at(struct map *map, uint32_t b)
{
	return (struct htab_bucket *)(map->data + map->hdr->htab.buckets_off) + b;
}

static struct htab_elem *elem_at(struct map *map, uint32_t idx)
{
	return (struct htab_elem *)(map->data + map->hdr->htab.elems_off +
				    (uint64_t)idx * map->hdr->htab.elem_size);
}

static uint32_t elem_index(struct map *map, struct htab_elem *e)
{
	return (uint32_t)(((uint8_t *)e - (map->data + map->hdr->htab.elems_off)) /
			  map->hdr->htab.elem_size);
}

static uint8_t *elem_value(struct map *map, struct htab_elem *e, uint32_t cpu)
{
	return (uint8_t *)e->key + round_up8(map->hdr->key_size) +
	       (size_t)cpu * map->hdr->value_stride;
}

/* Word i of a key, zero padded past its size. */
static inline uint64_t key_word(const uint8_t *key, uint32_t size, uint32_t i)
{
	uint64_t w = 0;
	uint32_t off = i * 8;
	if (size - off >= 8)
		memcpy(&w, key + off, 8); /* a whole word: one load */
	else
		memcpy(&w, key + off, size - off);
	return w;
}

#define KEY_WORDS(size) (((size) + 7) / 8)

static void key_store(struct htab_elem *e, const uint8_t *key, uint32_t size)
{
	for (uint32_t i = 0; i < KEY_WORDS(size); i++)
		atomic_store_explicit(&e->key[i], key_word(key, size, i), memory_order_relaxed);
}

static void key_load(uint8_t *key, struct htab_elem *e, uint32_t size)
{
	for (uint32_t i = 0; i < KEY_WORDS(size); i++) {
		uint64_t w = atomic_load_explicit(&e->key[i], memory_order_relaxed);
		memcpy(key + i * 8, &w, size - i * 8 < 8 ? size - i * 8 : 8);
	}
}

static int htab_init(struct map *map)
{
	struct map_hdr *hdr = map->hdr;
	for (uint32_t b = 0; b < hdr->htab.n_buckets; b++)
		atomic_store(&bucket_at(map, b)->head, NULLS(b));
	atomic_store(&hdr->htab.freelist, FREE_END);
	hdr->htab.hash_seed = hdr->map_flags & BPF_F_ZERO_SEED ? 0 : hdr->id * 2654435761u + 1;
	return 0;
}

/* The kernel's hash of a key: jhash2 over 32-bit words when the size
 * allows, jhash otherwise. */
static uint32_t hash_key(const void *key, uint32_t len, uint32_t seed)
{
	return len % 4 == 0 ? jhash2(key, len / 4, seed) : jhash(key, len, seed);
}

/* ---- element allocation ---- */

/* Freed elements come from the free list, never-used ones from the
 * `fresh` index. FREE_END when all max_entries are in use. */
static uint32_t elem_alloc(struct map *map)
{
	struct map_hdr *hdr = map->hdr;
	uint64_t old = atomic_load(&hdr->htab.freelist);
	for (;;) {
		uint32_t idx = (uint32_t)old;
		if (idx == FREE_END)
			break;
		if (idx >= hdr->htab.n_elems)
			return FREE_END; /* corrupted: refuse, do not follow */
		uint32_t next = atomic_load(&elem_at(map, idx)->next);
		uint64_t tag = (old >> 32) + 1;
		if (atomic_compare_exchange_weak(&hdr->htab.freelist, &old, next | tag << 32))
			return idx;
	}
	uint32_t fresh = atomic_load(&hdr->htab.fresh);
	while (fresh < hdr->htab.n_elems) {
		if (atomic_compare_exchange_weak(&hdr->htab.fresh, &fresh, fresh + 1))
			return fresh;
	}
	return FREE_END;
}

static void elem_free(struct map *map, uint32_t idx)
{
	struct map_hdr *hdr = map->hdr;
	struct htab_elem *e = elem_at(map, idx);
	uint64_t old = atomic_load(&hdr->htab.freelist);
	for (;;) {
		atomic_store(&e->next, (uint32_t)old);
		uint64_t tag = (old >> 32) + 1;
		if (atomic_compare_exchange_weak(&hdr->htab.freelist, &old, idx | tag << 32))
			return;
	}
}

/* ---- finding elements ---- */

static inline __attribute__((always_inline)) int
key_matches(struct map *map, struct htab_elem *e, uint32_t hash, const uint8_t *key)
{
	uint32_t size = map->hdr->key_size;
	if (atomic_load_explicit(&e->hash, memory_order_relaxed) != hash)
		return 0;
	for (uint32_t i = 0; i < KEY_WORDS(size); i++)
		if (atomic_load_explicit(&e->key[i], memory_order_relaxed) != key_word(key, size, i))
			return 0;
	return 1;
}

/* (key_matches and walk are inlined: they are the lookup's fast path.)
 * Walks bucket b's chain without a lock. Returns the element's index,
 * FREE_END if absent, or NULLS_BIT if the walk went astray (restart). */
static inline __attribute__((always_inline)) uint32_t
walk(struct map *map, uint32_t b, uint32_t hash, const uint8_t *key)
{
	uint32_t n_elems = map->hdr->htab.n_elems;
	uint32_t idx = atomic_load_explicit(&bucket_at(map, b)->head, memory_order_acquire);
	for (uint32_t steps = 0; !IS_NULLS(idx); steps++) {
		if (idx >= n_elems || steps > n_elems)
			return NULLS_BIT;
		struct htab_elem *e = elem_at(map, idx);
		if (key_matches(map, e, hash, key))
			return idx;
		idx = atomic_load_explicit(&e->next, memory_order_acquire);
	}
	return idx == NULLS(b) ? FREE_END : NULLS_BIT;
}

/* The element holding key, or NULL. */
static struct htab_elem *find(struct map *map, const uint8_t *key, uint32_t *hash_out)
{
	uint32_t hash = hash_key(key, map->hdr->key_size, map->hdr->htab.hash_seed);
	uint32_t b = hash & (map->hdr->htab.n_buckets - 1);
	if (hash_out)
		*hash_out = hash;
	for (int tries = 0; tries < MAX_RESTARTS; tries++) {
		uint32_t idx = walk(map, b, hash, key);
		if (idx == FREE_END)
			return NULL;
		if (!IS_NULLS(idx))
			return elem_at(map, idx);
	}
	/* Writers keep moving elements under us: look with the lock held. */
	struct htab_bucket *bk = bucket_at(map, b);
	seg_lock(&bk->lock);
	uint32_t idx = walk(map, b, hash, key);
	seg_unlock(&bk->lock);
	return IS_NULLS(idx) || idx == FREE_END ? NULL : elem_at(map, idx);
}

/* With bucket b locked: the element holding key and the link that points
 * to it. */
static struct htab_elem *find_locked(struct map *map, uint32_t b, uint32_t hash,
				     const uint8_t *key, _Atomic uint32_t **link)
{
	_Atomic uint32_t *prev = &bucket_at(map, b)->head;
	uint32_t idx = atomic_load(prev);
	for (uint32_t steps = 0; !IS_NULLS(idx) && idx < map->hdr->htab.n_elems &&
				 steps <= map->hdr->htab.n_elems; steps++) {
		struct htab_elem *e = elem_at(map, idx);
		if (key_matches(map, e, hash, key)) {
			*link = prev;
			return e;
		}
		prev = &e->next;
		idx = atomic_load(prev);
	}
	return NULL;
}

/* ---- operations ---- */

static void *htab_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	struct htab_elem *e = find(map, key, NULL);
	return e ? elem_value(map, e, cpu) : NULL;
}

/* Values of LRU maps are copied a word at a time, atomically: an element
 * can be evicted and reused under a reader that takes no lock. dst or src
 * in the element is 8-byte aligned; n bytes, the last word merged. */
static void words_in(uint8_t *dst, const uint8_t *src, size_t n)
{
	_Atomic uint64_t *d = (_Atomic uint64_t *)(void *)dst;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, src + i, 8);
		atomic_store_explicit(&d[i / 8], w, memory_order_relaxed);
	}
	if (i < n) {
		uint64_t w = atomic_load_explicit(&d[i / 8], memory_order_relaxed);
		memcpy(&w, src + i, n - i);
		atomic_store_explicit(&d[i / 8], w, memory_order_relaxed);
	}
}

static void words_out(uint8_t *dst, const uint8_t *src, size_t n)
{
	_Atomic uint64_t *s = (_Atomic uint64_t *)(void *)src;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = atomic_load_explicit(&s[i / 8], memory_order_relaxed);
		memcpy(dst + i, &w, n - i < 8 ? n - i : 8);
	}
}

static void copy_out(struct map *map, struct htab_elem *e, void *value, int locked)
{
	const struct map_hdr *hdr = map->hdr;
	if (is_lru(hdr->type))
		words_out(value, elem_value(map, e, 0), map_user_value_size(hdr));
	else if (map_is_percpu(hdr->type))
		memcpy(value, elem_value(map, e, 0), (size_t)hdr->value_stride * hdr->ncpus);
	else
		map_value_copy_out(hdr, value, elem_value(map, e, 0), locked);
}

static int htab_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	struct htab_elem *e = find(map, key, NULL);
	if (!e)
		return -ENOENT;
	copy_out(map, e, value, flags & BPF_F_LOCK);
	return 0;
}

/* Stores a value into an element: see map_ops.update for cpu. */
static void store_value(struct map *map, struct htab_elem *e, const void *value,
			uint32_t cpu, int fresh, int locked)
{
	const struct map_hdr *hdr = map->hdr;
	if (!map_is_percpu(hdr->type)) {
		if (fresh && hdr->spin_lock_off >= 0) /* a new element's lock starts free */
			memset(elem_value(map, e, 0) + hdr->spin_lock_off, 0, 4);
		map_value_copy_in(hdr, elem_value(map, e, 0), value, locked);
	} else if (cpu == MAP_USER) {
		memcpy(elem_value(map, e, 0), value, (size_t)hdr->value_stride * hdr->ncpus);
	} else {
		/* A program's insert: as the kernel, value_size bytes for this
		 * CPU and zeroes for the others; the padding stays as the
		 * element's last use left it. */
		for (uint32_t c = 0; fresh && c < hdr->ncpus; c++)
			if (c != cpu)
				memset(elem_value(map, e, c), 0, hdr->value_size);
		memcpy(elem_value(map, e, cpu), value, hdr->value_size);
	}
}

/* store_value for LRU maps (no spin locks), a word at a time. */
static void lru_store_value(struct map *map, struct htab_elem *e, const void *value,
			    uint32_t cpu, int fresh)
{
	const struct map_hdr *hdr = map->hdr;
	static const uint8_t zeroes[64];
	if (!map_is_percpu(hdr->type)) {
		words_in(elem_value(map, e, 0), value, hdr->value_size);
	} else if (cpu == MAP_USER) {
		words_in(elem_value(map, e, 0), value, (size_t)hdr->value_stride * hdr->ncpus);
	} else {
		for (uint32_t c = 0; fresh && c < hdr->ncpus; c++)
			for (uint32_t off = 0; c != cpu && off < hdr->value_size; off += 64)
				words_in(elem_value(map, e, c) + off, zeroes,
					 hdr->value_size - off < 64 ? hdr->value_size - off : 64);
		words_in(elem_value(map, e, cpu), value, hdr->value_size);
	}
}

static int htab_update(struct map *map, const void *key, const void *value,
		       uint64_t flags, uint32_t cpu)
{
	struct map_hdr *hdr = map->hdr;
	int locked = (flags & BPF_F_LOCK) != 0;
	if ((flags & ~(uint64_t)BPF_F_LOCK) > BPF_EXIST || (locked && hdr->spin_lock_off < 0))
		return -EINVAL; /* BPF_F_LOCK needs a spin lock in the value */
	flags &= ~(uint64_t)BPF_F_LOCK;
	uint32_t hash = hash_key(key, hdr->key_size, hdr->htab.hash_seed);
	uint32_t b = hash & (hdr->htab.n_buckets - 1);
	struct htab_bucket *bk = bucket_at(map, b);
	_Atomic uint32_t *link;
	int err = 0;

	seg_lock(&bk->lock);
	struct htab_elem *e = find_locked(map, b, hash, key, &link);
	if (e) {
		if (flags == BPF_NOEXIST) {
			err = -EEXIST;
			goto out;
		}
		store_value(map, e, value, cpu, 0, locked);
		/* (With BPF_F_LOCK the kernel updates in place: no move.) */
		if (!map_is_percpu(hdr->type) && !locked && link != &bk->head) {
			/* The kernel replaces the element, which puts the key first
			 * in its bucket: move it there (iteration orders agree). */
			atomic_store_explicit(link, atomic_load(&e->next), memory_order_release);
			atomic_store_explicit(&e->next, atomic_load(&bk->head), memory_order_relaxed);
			atomic_store_explicit(&bk->head, elem_index(map, e), memory_order_release);
		}
		goto out;
	}
	if (flags == BPF_EXIST) {
		err = -ENOENT;
		goto out;
	}
	uint32_t idx = elem_alloc(map);
	if (idx == FREE_END) {
		err = -E2BIG;
		goto out;
	}
	e = elem_at(map, idx);
	atomic_store_explicit(&e->hash, hash, memory_order_relaxed);
	key_store(e, key, hdr->key_size);
	store_value(map, e, value, cpu, 1, 0);
	atomic_store_explicit(&e->next, atomic_load(&bk->head), memory_order_relaxed);
	atomic_store_explicit(&bk->head, idx, memory_order_release); /* publish */
	atomic_fetch_add(&hdr->htab.count, 1);
out:
	seg_unlock(&bk->lock);
	return err;
}

static void lru_free_elem(struct map *map, uint32_t idx);

/* Unlinks key's element; copies its value out first when value != NULL. */
static int remove_elem(struct map *map, const void *key, void *value, int locked)
{
	struct map_hdr *hdr = map->hdr;
	uint32_t hash = hash_key(key, hdr->key_size, hdr->htab.hash_seed);
	uint32_t b = hash & (hdr->htab.n_buckets - 1);
	struct htab_bucket *bk = bucket_at(map, b);
	_Atomic uint32_t *link;

	seg_lock(&bk->lock);
	struct htab_elem *e = find_locked(map, b, hash, key, &link);
	if (!e) {
		seg_unlock(&bk->lock);
		return -ENOENT;
	}
	if (value)
		copy_out(map, e, value, locked);
	atomic_store_explicit(link, atomic_load(&e->next), memory_order_release);
	seg_unlock(&bk->lock);
	atomic_fetch_sub(&hdr->htab.count, 1);
	if (is_lru(hdr->type))
		lru_free_elem(map, elem_index(map, e));
	else
		elem_free(map, elem_index(map, e));
	return 0;
}

static int htab_delete(struct map *map, const void *key)
{
	return remove_elem(map, key, NULL, 0);
}

static int htab_lookup_and_delete(struct map *map, const void *key, void *value,
				  uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK ||
	    (flags & BPF_F_LOCK && map->hdr->spin_lock_off < 0))
		return -EINVAL;
	return remove_elem(map, key, value, flags & BPF_F_LOCK);
}

static int htab_get_next_key(struct map *map, const void *key, void *next_key)
{
	struct map_hdr *hdr = map->hdr;
	uint32_t b = 0;
	if (key) {
		uint32_t hash;
		struct htab_elem *e = find(map, key, &hash);
		if (e) {
			uint32_t next = atomic_load_explicit(&e->next, memory_order_acquire);
			if (!IS_NULLS(next) && next < hdr->htab.n_elems) {
				key_load(next_key, elem_at(map, next), hdr->key_size);
				return 0;
			}
			b = (hash & (hdr->htab.n_buckets - 1)) + 1;
		}
		/* A key that is not there: start again from the first. */
	}
	for (; b < hdr->htab.n_buckets; b++) {
		uint32_t idx = atomic_load_explicit(&bucket_at(map, b)->head, memory_order_acquire);
		if (!IS_NULLS(idx) && idx < hdr->htab.n_elems) {
			key_load(next_key, elem_at(map, idx), hdr->key_size);
			return 0;
		}
	}
	return -ENOENT;
}

/* The kernel's hash batch: whole buckets at a time; the batch token is a
 * bucket index. ENOSPC when even the first non-empty bucket does not fit,
 * ENOENT when the walk passed the last bucket. */
static int htab_lookup_batch(struct map *map, void *in_batch, void *out_batch,
			     uint8_t *keys, uint8_t *values, uint32_t *count, int delete)
{
	struct map_hdr *hdr = map->hdr;
	uint32_t b = 0, n = 0, max = *count, n_elems = hdr->htab.n_elems;
	size_t ks = hdr->key_size, vs = map_user_value_size(hdr);
	int err = 0, lru = is_lru(hdr->type);

	if (in_batch)
		memcpy(&b, in_batch, 4);
	if (b >= hdr->htab.n_buckets) {
		*count = 0;
		return -ENOENT;
	}
	for (; b < hdr->htab.n_buckets; b++) {
		struct htab_bucket *bk = bucket_at(map, b);
		uint32_t in_bucket = 0, idx;
		seg_lock(&bk->lock);
		for (idx = atomic_load(&bk->head); !IS_NULLS(idx) && idx < n_elems && in_bucket <= n_elems;
		     idx = atomic_load(&elem_at(map, idx)->next))
			in_bucket++;
		if (n + in_bucket > max) {
			seg_unlock(&bk->lock);
			if (n == 0)
				err = -ENOSPC;
			break;
		}
		uint32_t first = idx = atomic_load(&bk->head);
		if (delete && in_bucket)
			atomic_store_explicit(&bk->head, NULLS(b), memory_order_release);
		for (uint32_t i = 0; i < in_bucket; i++, n++) {
			struct htab_elem *e = elem_at(map, idx);
			key_load(keys + n * ks, e, hdr->key_size);
			copy_out(map, e, values + n * vs, 0);
			uint32_t next = atomic_load(&e->next);
			if (delete) {
				atomic_fetch_sub(&hdr->htab.count, 1);
				if (!lru)
					elem_free(map, idx);
			}
			idx = next;
		}
		seg_unlock(&bk->lock);
		/* LRU nodes go back to their lists after the bucket's lock is
		 * dropped (the LRU may take bucket locks), last first as in
		 * the kernel (which node is reused next shows in per-CPU
		 * values' padding). The detached chain's head stays ours until
		 * its nodes are given back: walk it again for each (buckets
		 * are short). */
		for (uint32_t left = delete && lru ? in_bucket : 0; left > 0; left--) {
			uint32_t at = first;
			for (uint32_t i = 1; i < left && at < n_elems; i++)
				at = atomic_load(&elem_at(map, at)->next);
			if (at < n_elems)
				lru_free_elem(map, at);
		}
	}
	if (b == hdr->htab.n_buckets)
		err = -ENOENT;
	memcpy(out_batch, &b, 4);
	*count = n;
	return err;
}

const struct map_ops htab_map_ops = {
	.check = htab_check,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE | MAP_BATCH_UPDATE |
		 MAP_BATCH_DELETE,
	.lookup_batch = htab_lookup_batch,
	.init = htab_init,
	.lookup_ptr = htab_lookup_ptr,
	.lookup = htab_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
};

const struct map_ops percpu_htab_map_ops = {
	.check = htab_check,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE | MAP_BATCH_UPDATE |
		 MAP_BATCH_DELETE,
	.lookup_batch = htab_lookup_batch,
	.init = htab_init,
	.lookup_ptr = htab_lookup_ptr,
	.lookup = htab_lookup,
	.update = htab_update,
	.delete = htab_delete,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
};

/* ---- LRU ----
 *
 * The kernel's algorithm (kernel/bpf/bpf_lru_list.c), on index-linked
 * lists. Common LRU: an update takes a node from its CPU's local free
 * list and puts it on that CPU's pending list. When the local free list
 * is empty it is refilled under the global lock: pending nodes move to
 * the global lists (referenced ones to active, the others to inactive),
 * the lists rotate, then up to target_free nodes come from the global
 * free list, and if that is short the inactive list shrinks from its tail
 * (referenced nodes go back to active, the others are evicted from the
 * hash), or failing that one node is evicted whatever its reference bit.
 * If even that finds nothing, nodes are stolen from the CPUs' local lists.
 * BPF_F_NO_COMMON_LRU: each CPU has its own three lists and nodes.
 *
 * Locks nest as the kernel's: a CPU's local lock, then the global (or a
 * per-CPU list's) lock, then a bucket lock (evicting). Nobody holding a
 * bucket lock takes an LRU lock: updates take their node before locking
 * the bucket and give nodes back after unlocking it. Whoever unlinks an
 * element from its bucket owns its node: evictions that find it gone
 * skip it.
 */

#define LRU_NONE UINT32_MAX

/* The LRU of one map, as this process sees it. */
struct lru {
	struct map *map;
	struct lru_list *lists;   /* [0]: the common LRU, [1 + cpu]: per-CPU LRUs */
	struct lru_local *locals; /* the common LRU's per-CPU locks */
	struct lru_node *nodes;   /* the elements' nodes, then the list heads */
	uint32_t n_elems, n_nodes, ncpus, target_free, nr_scans;
	int percpu; /* BPF_F_NO_COMMON_LRU */
};

static void lru_get(struct map *map, struct lru *lru)
{
	const struct map_hdr *hdr = map->hdr;
	uint8_t *p = map->data + lru_area_off(hdr->htab.elems_off, hdr->htab.elem_size,
					      hdr->htab.n_elems);
	lru->map = map;
	lru->ncpus = lru_ncpus();
	lru->n_elems = hdr->htab.n_elems;
	lru->n_nodes = lru->n_elems + 3 + 3 * lru->ncpus;
	lru->lists = (struct lru_list *)p;
	p += (1 + (size_t)lru->ncpus) * sizeof(struct lru_list);
	lru->locals = (struct lru_local *)p;
	p += (size_t)lru->ncpus * sizeof(struct lru_local);
	lru->nodes = (struct lru_node *)p;
	lru->percpu = (hdr->map_flags & BPF_F_NO_COMMON_LRU) != 0;
	uint32_t target = lru->n_elems / lru->ncpus / 2;
	lru->target_free = target < 1 ? 1 : target > LRU_LOCAL_FREE_TARGET ? LRU_LOCAL_FREE_TARGET
									  : target;
	lru->nr_scans = lru->percpu ? LRU_PERCPU_FREE_TARGET : LRU_LOCAL_FREE_TARGET;
}

/* Node i; an index out of range (a damaged segment) lands on the last
 * head rather than outside the map. */
static struct lru_node *lnode(const struct lru *lru, uint32_t i)
{
	return &lru->nodes[i < lru->n_nodes ? i : lru->n_nodes - 1];
}

/* The head of list t (active, inactive, free) of list set li (0: the
 * common LRU, 1 + cpu: a per-CPU LRU). The common LRU's local lists of a
 * CPU use the unused per-CPU heads. */
static uint32_t lhead(const struct lru *lru, uint32_t li, uint32_t t)
{
	return lru->n_elems + 3 * li + t;
}

static uint32_t local_free_head(const struct lru *lru, uint32_t cpu)
{
	return lhead(lru, 1 + cpu, 0);
}

static uint32_t pending_head(const struct lru *lru, uint32_t cpu)
{
	return lhead(lru, 1 + cpu, 1);
}

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)
#define ST(x, v) atomic_store_explicit(&(x), (v), memory_order_relaxed)

static uint32_t lnext(const struct lru *lru, uint32_t i)
{
	return LD(lnode(lru, i)->next);
}

static uint32_t lprev(const struct lru *lru, uint32_t i)
{
	return LD(lnode(lru, i)->prev);
}

static void l_del(struct lru *lru, uint32_t i)
{
	uint32_t prev = lprev(lru, i), next = lnext(lru, i);
	ST(lnode(lru, prev)->next, next);
	ST(lnode(lru, next)->prev, prev);
}

/* Adds i right after head (list_add). */
static void l_add(struct lru *lru, uint32_t i, uint32_t head)
{
	uint32_t first = lnext(lru, head);
	ST(lnode(lru, i)->next, first);
	ST(lnode(lru, i)->prev, head);
	ST(lnode(lru, first)->prev, i);
	ST(lnode(lru, head)->next, i);
}

static void l_move(struct lru *lru, uint32_t i, uint32_t head)
{
	l_del(lru, i);
	l_add(lru, i, head);
}

static int l_empty(struct lru *lru, uint32_t head)
{
	return lnext(lru, head) == head;
}

static int is_ref(struct lru *lru, uint32_t i)
{
	return atomic_load_explicit(&lnode(lru, i)->ref, memory_order_relaxed);
}

static void set_ref(struct lru_node *n, uint8_t v)
{
	atomic_store_explicit(&n->ref, v, memory_order_relaxed);
}

static uint8_t type_of(struct lru *lru, uint32_t i)
{
	return atomic_load_explicit(&lnode(lru, i)->type, memory_order_relaxed);
}

static void set_type(struct lru *lru, uint32_t i, uint8_t t)
{
	atomic_store_explicit(&lnode(lru, i)->type, t, memory_order_relaxed);
}

static void count_add(struct lru_list *l, uint8_t type, int d)
{
	if (type < 2)
		ST(l->count[type], LD(l->count[type]) + (uint32_t)d);
}

/* Removes element i from the hash if it is there (the kernel's
 * del_from_htab): 1 if it was, and its node is now the caller's. */
static int lru_unhash(struct lru *lru, uint32_t i)
{
	struct map *map = lru->map;
	struct map_hdr *hdr = map->hdr;
	if (i >= lru->n_elems)
		return 0;
	struct htab_elem *e = elem_at(map, i);
	uint32_t b = atomic_load_explicit(&e->hash, memory_order_relaxed) &
		     (hdr->htab.n_buckets - 1);
	struct htab_bucket *bk = bucket_at(map, b);
	int found = 0;
	seg_lock(&bk->lock);
	_Atomic uint32_t *link = &bk->head;
	uint32_t idx = atomic_load(link);
	for (uint32_t steps = 0; !IS_NULLS(idx) && idx < lru->n_elems && steps <= lru->n_elems;
	     steps++) {
		if (idx == i) {
			atomic_store_explicit(link, atomic_load(&e->next), memory_order_release);
			atomic_fetch_sub(&hdr->htab.count, 1);
			found = 1;
			break;
		}
		link = &elem_at(map, idx)->next;
		idx = atomic_load(link);
	}
	seg_unlock(&bk->lock);
	return found;
}

/* ---- moves within a list set li, under its lock ---- */

/* To a free list: the set's own (at its head), or a CPU's local one being
 * refilled (at its tail: the kernel hands a refill's nodes out in the
 * order they were taken, which shows in the padding of reused per-CPU
 * values). */
static void move_to_free(struct lru *lru, uint32_t li, uint32_t i, uint32_t free_head,
			 uint8_t free_type)
{
	struct lru_list *l = &lru->lists[li];
	uint8_t type = type_of(lru, i);
	if (type >= LRU_LOCAL_FREE)
		return;
	if (i == LD(l->next_rotation))
		ST(l->next_rotation, lprev(lru, i));
	count_add(l, type, -1);
	set_type(lru, i, free_type);
	l_del(lru, i);
	l_add(lru, i, free_type == LRU_LOCAL_FREE ? lprev(lru, free_head) : free_head);
}

/* From a CPU's pending list into the set. */
static void move_in(struct lru *lru, uint32_t li, uint32_t i, uint8_t to)
{
	if (type_of(lru, i) < LRU_LOCAL_FREE)
		return;
	count_add(&lru->lists[li], to, 1);
	set_type(lru, i, to);
	set_ref(lnode(lru, i), 0);
	l_move(lru, i, lhead(lru, li, to));
}

/* Between (or to the head of) the set's lists; clears the reference. */
static void move(struct lru *lru, uint32_t li, uint32_t i, uint8_t to)
{
	struct lru_list *l = &lru->lists[li];
	uint8_t type = type_of(lru, i);
	if (type >= LRU_LOCAL_FREE)
		return;
	if (type != to) {
		count_add(l, type, -1);
		count_add(l, to, 1);
		set_type(lru, i, to);
	}
	set_ref(lnode(lru, i), 0);
	if (i == LD(l->next_rotation))
		ST(l->next_rotation, lprev(lru, i));
	l_move(lru, i, lhead(lru, li, to));
}

/* The first node of the set's free list, or LRU_NONE. Never-used nodes
 * join the list when it has no other. */
static uint32_t free_first(struct lru *lru, uint32_t li)
{
	struct lru_list *l = &lru->lists[li];
	uint32_t head = lhead(lru, li, LRU_FREE);
	if (!l_empty(lru, head)) {
		uint32_t i = lnext(lru, head);
		return i < lru->n_elems ? i : LRU_NONE;
	}
	uint32_t i = LD(l->fresh_end);
	if (LD(l->fresh) >= i || i > lru->n_elems)
		return LRU_NONE;
	ST(l->fresh_end, --i);
	struct lru_node *n = lnode(lru, i);
	atomic_store_explicit(&n->cpu, li ? li - 1 : 0, memory_order_relaxed);
	set_type(lru, i, LRU_FREE);
	set_ref(n, 0);
	l_add(lru, i, head);
	return i;
}

static int free_empty(struct lru *lru, uint32_t li)
{
	struct lru_list *l = &lru->lists[li];
	return l_empty(lru, lhead(lru, li, LRU_FREE)) && LD(l->fresh) >= LD(l->fresh_end);
}

/* From the tail of the active list: referenced nodes go back to its head,
 * the others to the inactive list. */
static void rotate_active(struct lru *lru, uint32_t li)
{
	uint32_t head = lhead(lru, li, LRU_ACTIVE), first = lnext(lru, head);
	uint32_t i = lprev(lru, head);
	for (uint32_t scans = 0; i != head && i < lru->n_elems;) {
		uint32_t prev = lprev(lru, i);
		move(lru, li, i, is_ref(lru, i) ? LRU_ACTIVE : LRU_INACTIVE);
		if (++scans == lru->nr_scans || i == first)
			break;
		i = prev;
	}
}

/* From where the last rotation stopped, backwards: referenced nodes move
 * to the active list, the others stay for the next shrink. */
static void rotate_inactive(struct lru *lru, uint32_t li)
{
	struct lru_list *l = &lru->lists[li];
	uint32_t head = lhead(lru, li, LRU_INACTIVE);
	if (l_empty(lru, head))
		return;
	uint32_t last = lnext(lru, LD(l->next_rotation));
	if (last == head)
		last = lnext(lru, last);
	uint32_t cur = LD(l->next_rotation), next = head, scans = 0;
	for (uint32_t steps = 0; scans < lru->nr_scans && steps <= lru->n_nodes; steps++) {
		if (cur == head) {
			cur = lprev(lru, cur);
			continue;
		}
		if (cur >= lru->n_elems)
			break; /* damaged */
		next = lprev(lru, cur);
		if (is_ref(lru, cur))
			move(lru, li, cur, LRU_ACTIVE);
		if (cur == last)
			break;
		cur = next;
		scans++;
	}
	ST(l->next_rotation, next);
}

static void rotate(struct lru *lru, uint32_t li)
{
	struct lru_list *l = &lru->lists[li];
	if (LD(l->count[LRU_INACTIVE]) < LD(l->count[LRU_ACTIVE]))
		rotate_active(lru, li);
	rotate_inactive(lru, li);
}

/* Evicts up to want unreferenced nodes from the inactive list's tail onto
 * free_head; referenced ones move to the active list. */
static uint32_t shrink_inactive(struct lru *lru, uint32_t li, uint32_t want, uint32_t free_head,
				uint8_t free_type)
{
	uint32_t head = lhead(lru, li, LRU_INACTIVE), i = lprev(lru, head), got = 0;
	for (uint32_t scans = 0; i != head && i < lru->n_elems;) {
		uint32_t prev = lprev(lru, i);
		if (is_ref(lru, i)) {
			move(lru, li, i, LRU_ACTIVE);
		} else if (lru_unhash(lru, i)) {
			move_to_free(lru, li, i, free_head, free_type);
			if (++got == want)
				break;
		}
		if (++scans == lru->nr_scans)
			break;
		i = prev;
	}
	return got;
}

/* shrink_inactive, or if that freed nothing, one node from the tail of
 * the inactive (else the active) list whatever its reference bit. */
static uint32_t shrink(struct lru *lru, uint32_t li, uint32_t want, uint32_t free_head,
		       uint8_t free_type)
{
	uint32_t got = shrink_inactive(lru, li, want, free_head, free_type);
	if (got)
		return got;
	uint32_t head = lhead(lru, li, LRU_INACTIVE);
	if (l_empty(lru, head))
		head = lhead(lru, li, LRU_ACTIVE);
	uint32_t i = lprev(lru, head);
	for (uint32_t steps = 0; i != head && i < lru->n_elems && steps < lru->n_nodes; steps++) {
		uint32_t prev = lprev(lru, i);
		if (lru_unhash(lru, i)) {
			move_to_free(lru, li, i, free_head, free_type);
			return 1;
		}
		i = prev;
	}
	return 0;
}

/* ---- the common LRU ---- */

/* With the CPU's local lock: its pending nodes join the global lists and
 * up to target_free free nodes come to its local free list. */
static void refill_local(struct lru *lru, uint32_t cpu)
{
	struct lru_list *l = &lru->lists[0];
	uint32_t pending = pending_head(lru, cpu), free_head = local_free_head(lru, cpu);
	seg_lock(&l->lock);
	/* Oldest first, each to its list's head: the newest ends first. */
	uint32_t i = lprev(lru, pending);
	for (uint32_t steps = 0; i != pending && i < lru->n_elems && steps < lru->n_nodes;
	     steps++) {
		uint32_t prev = lprev(lru, i);
		move_in(lru, 0, i, is_ref(lru, i) ? LRU_ACTIVE : LRU_INACTIVE);
		i = prev;
	}
	rotate(lru, 0);
	uint32_t nfree = 0;
	while (nfree < lru->target_free && (i = free_first(lru, 0)) != LRU_NONE) {
		move_to_free(lru, 0, i, free_head, LRU_LOCAL_FREE);
		nfree++;
	}
	if (nfree < lru->target_free)
		shrink(lru, 0, lru->target_free - nfree, free_head, LRU_LOCAL_FREE);
	seg_unlock(&l->lock);
}

static uint32_t local_pop_free(struct lru *lru, uint32_t cpu)
{
	uint32_t head = local_free_head(lru, cpu);
	if (l_empty(lru, head))
		return LRU_NONE;
	uint32_t i = lnext(lru, head);
	if (i >= lru->n_elems)
		return LRU_NONE;
	l_del(lru, i);
	return i;
}

/* Steals from a CPU's pending list, oldest first: an unreferenced node,
 * else any. */
static uint32_t local_pop_pending(struct lru *lru, uint32_t cpu)
{
	uint32_t head = pending_head(lru, cpu);
	for (int force = 0; force < 2; force++) {
		uint32_t i = lprev(lru, head);
		for (uint32_t steps = 0; i != head && i < lru->n_elems && steps < lru->n_nodes;
		     steps++) {
			if ((force || !is_ref(lru, i)) && lru_unhash(lru, i)) {
				l_del(lru, i);
				return i;
			}
			i = lprev(lru, i);
		}
	}
	return LRU_NONE;
}

static void add_pending(struct lru *lru, uint32_t cpu, uint32_t i)
{
	struct lru_node *n = lnode(lru, i);
	atomic_store_explicit(&n->cpu, cpu, memory_order_relaxed);
	set_type(lru, i, LRU_LOCAL_PENDING);
	set_ref(n, 0);
	l_add(lru, i, pending_head(lru, cpu));
}

static uint32_t common_pop(struct lru *lru, uint32_t cpu)
{
	struct lru_local *loc = &lru->locals[cpu];
	seg_lock(&loc->lock);
	uint32_t i = local_pop_free(lru, cpu);
	if (i == LRU_NONE) {
		refill_local(lru, cpu);
		i = local_pop_free(lru, cpu);
	}
	if (i != LRU_NONE)
		add_pending(lru, cpu, i);
	seg_unlock(&loc->lock);
	if (i != LRU_NONE)
		return i;

	/* Nothing free or evictable on the global lists: steal from the CPUs'
	 * local lists in turn, starting where the last steal stopped. */
	uint32_t first = atomic_load_explicit(&loc->next_steal, memory_order_relaxed) % lru->ncpus;
	uint32_t steal = first;
	do {
		struct lru_local *victim = &lru->locals[steal];
		seg_lock(&victim->lock);
		i = local_pop_free(lru, steal);
		if (i == LRU_NONE)
			i = local_pop_pending(lru, steal);
		seg_unlock(&victim->lock);
		steal = (steal + 1) % lru->ncpus;
	} while (i == LRU_NONE && steal != first);
	atomic_store_explicit(&loc->next_steal, steal, memory_order_relaxed);
	if (i != LRU_NONE) {
		seg_lock(&loc->lock);
		add_pending(lru, cpu, i);
		seg_unlock(&loc->lock);
	}
	return i;
}

static void common_push(struct lru *lru, uint32_t i)
{
	struct lru_node *n = lnode(lru, i);
	uint8_t type = type_of(lru, i);
	if (type == LRU_FREE || type == LRU_LOCAL_FREE)
		return;
	if (type == LRU_LOCAL_PENDING) {
		uint32_t cpu = atomic_load_explicit(&n->cpu, memory_order_relaxed);
		if (cpu >= lru->ncpus)
			return; /* damaged */
		struct lru_local *loc = &lru->locals[cpu];
		seg_lock(&loc->lock);
		/* Still pending, not flushed to the global lists meanwhile:
		 * back to that CPU's local free list. */
		if (type_of(lru, i) == LRU_LOCAL_PENDING) {
			set_type(lru, i, LRU_LOCAL_FREE);
			set_ref(n, 0);
			l_move(lru, i, local_free_head(lru, cpu));
			seg_unlock(&loc->lock);
			return;
		}
		seg_unlock(&loc->lock);
	}
	struct lru_list *l = &lru->lists[0];
	seg_lock(&l->lock);
	move(lru, 0, i, LRU_FREE);
	seg_unlock(&l->lock);
}

/* ---- BPF_F_NO_COMMON_LRU: each CPU's own lists ---- */

static uint32_t percpu_pop(struct lru *lru, uint32_t cpu)
{
	uint32_t li = 1 + cpu;
	struct lru_list *l = &lru->lists[li];
	seg_lock(&l->lock);
	rotate(lru, li);
	if (free_empty(lru, li))
		shrink(lru, li, LRU_PERCPU_FREE_TARGET, lhead(lru, li, LRU_FREE), LRU_FREE);
	uint32_t i = free_first(lru, li);
	if (i != LRU_NONE)
		move(lru, li, i, LRU_INACTIVE);
	seg_unlock(&l->lock);
	return i;
}

static void percpu_push(struct lru *lru, uint32_t i)
{
	uint32_t cpu = atomic_load_explicit(&lnode(lru, i)->cpu, memory_order_relaxed);
	if (cpu >= lru->ncpus)
		return; /* damaged */
	struct lru_list *l = &lru->lists[1 + cpu];
	seg_lock(&l->lock);
	move(lru, 1 + cpu, i, LRU_FREE);
	seg_unlock(&l->lock);
}

/* A node for a new element, from this CPU's side of the LRU: LRU_NONE
 * when even evicting found none. */
static uint32_t lru_pop(struct lru *lru)
{
	int c = sched_getcpu();
	uint32_t cpu = c < 0 ? 0 : (uint32_t)c % lru->ncpus;
	return lru->percpu ? percpu_pop(lru, cpu) : common_pop(lru, cpu);
}

/* Gives back the node of an element no longer in the hash. */
static void lru_free_elem(struct map *map, uint32_t idx)
{
	struct lru lru;
	lru_get(map, &lru);
	if (idx >= lru.n_elems)
		return;
	if (lru.percpu)
		percpu_push(&lru, idx);
	else
		common_push(&lru, idx);
}

static int lru_init(struct map *map)
{
	int err = htab_init(map);
	if (err)
		return err;
	struct lru lru;
	lru_get(map, &lru);
	for (uint32_t h = lru.n_elems; h < lru.n_nodes; h++)
		ST(lru.nodes[h].prev, h), ST(lru.nodes[h].next, h);
	uint32_t per_cpu = lru.n_elems / lru.ncpus;
	for (uint32_t li = 0; li <= lru.ncpus; li++) {
		struct lru_list *l = &lru.lists[li];
		ST(l->next_rotation, lhead(&lru, li, LRU_INACTIVE));
		if (!lru.percpu) {
			ST(l->fresh, 0);
			ST(l->fresh_end, li == 0 ? lru.n_elems : 0);
		} else if (li > 0) {
			ST(l->fresh, (li - 1) * per_cpu);
			ST(l->fresh_end, li * per_cpu);
		}
	}
	for (uint32_t c = 0; c < lru.ncpus; c++)
		atomic_store(&lru.locals[c].next_steal, c);
	return 0;
}

/* Programs' lookups mark the element referenced (user space's do not). */
static void *lru_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	struct htab_elem *e = find(map, key, NULL);
	if (!e)
		return NULL;
	const struct map_hdr *hdr = map->hdr;
	uint32_t ncpus = lru_ncpus();
	struct lru_node *nodes =
		(struct lru_node *)(map->data +
				    lru_area_off(hdr->htab.elems_off, hdr->htab.elem_size,
						 hdr->htab.n_elems) +
				    (1 + (size_t)ncpus) * sizeof(struct lru_list) +
				    (size_t)ncpus * sizeof(struct lru_local));
	struct lru_node *n = &nodes[elem_index(map, e)];
	if (!atomic_load_explicit(&n->ref, memory_order_relaxed))
		set_ref(n, 1);
	return elem_value(map, e, cpu);
}

/* User space's lookup: the copy counts only if the element still holds
 * the key afterwards (it may have been evicted and reused meanwhile; the
 * kernel would return the newcomer's value). */
static int lru_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	(void)flags; /* LRU values hold no spin lock: BPF_F_LOCK was refused */
	uint32_t hash;
	for (int tries = 0; tries < MAX_RESTARTS; tries++) {
		struct htab_elem *e = find(map, key, &hash);
		if (!e)
			return -ENOENT;
		copy_out(map, e, value, 0);
		atomic_thread_fence(memory_order_acquire);
		if (key_matches(map, e, hash, key))
			return 0;
	}
	/* Evicted and reused again and again: copy under the bucket lock. */
	uint32_t b = hash & (map->hdr->htab.n_buckets - 1);
	struct htab_bucket *bk = bucket_at(map, b);
	_Atomic uint32_t *link;
	seg_lock(&bk->lock);
	struct htab_elem *e = find_locked(map, b, hash, key, &link);
	if (e)
		copy_out(map, e, value, 0);
	seg_unlock(&bk->lock);
	return e ? 0 : -ENOENT;
}

/* LRU_HASH: the new value goes into a new element, which replaces the
 * old one (then referenced). The node is taken before the flags are
 * checked, as in the kernel, so even a failing update can evict. */
static int lru_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	struct map_hdr *hdr = map->hdr;
	if (flags > BPF_EXIST)
		return -EINVAL;
	struct lru lru;
	lru_get(map, &lru);
	uint32_t hash = hash_key(key, hdr->key_size, hdr->htab.hash_seed);
	uint32_t b = hash & (hdr->htab.n_buckets - 1);
	struct htab_bucket *bk = bucket_at(map, b);
	uint32_t idx = lru_pop(&lru);
	if (idx == LRU_NONE)
		return -ENOMEM;
	struct htab_elem *e = elem_at(map, idx);
	atomic_store_explicit(&e->hash, hash, memory_order_relaxed);
	key_store(e, key, hdr->key_size);
	/* A reader still on this element from its last use sees the new key
	 * before any of the new value (lru_lookup checks the key after). */
	atomic_thread_fence(memory_order_release);
	lru_store_value(map, e, value, cpu, 1);

	_Atomic uint32_t *link;
	int err = 0;
	seg_lock(&bk->lock);
	struct htab_elem *old = find_locked(map, b, hash, key, &link);
	if (old && flags == BPF_NOEXIST) {
		err = -EEXIST;
	} else if (!old && flags == BPF_EXIST) {
		err = -ENOENT;
	} else {
		/* The new element first, so that readers always find the key. */
		atomic_store_explicit(&e->next, atomic_load(&bk->head), memory_order_relaxed);
		atomic_store_explicit(&bk->head, idx, memory_order_release);
		atomic_fetch_add(&hdr->htab.count, 1);
		if (old) {
			set_ref(lnode(&lru, idx), 1);
			if (link == &bk->head)
				link = &e->next;
			atomic_store_explicit(link, atomic_load(&old->next), memory_order_release);
			atomic_fetch_sub(&hdr->htab.count, 1);
		}
	}
	seg_unlock(&bk->lock);
	if (err)
		lru_free_elem(map, idx);
	else if (old)
		lru_free_elem(map, elem_index(map, old));
	return err;
}

/* LRU_PERCPU_HASH: values are updated in place (the element referenced);
 * BPF_EXIST takes no node, the other flags do, even for an existing key. */
static int lru_percpu_update(struct map *map, const void *key, const void *value,
			     uint64_t flags, uint32_t cpu)
{
	struct map_hdr *hdr = map->hdr;
	if (flags > BPF_EXIST)
		return -EINVAL;
	struct lru lru;
	lru_get(map, &lru);
	uint32_t hash = hash_key(key, hdr->key_size, hdr->htab.hash_seed);
	uint32_t b = hash & (hdr->htab.n_buckets - 1);
	struct htab_bucket *bk = bucket_at(map, b);
	uint32_t idx = LRU_NONE;
	struct htab_elem *e = NULL;
	if (flags != BPF_EXIST) {
		idx = lru_pop(&lru);
		if (idx == LRU_NONE)
			return -ENOMEM;
		e = elem_at(map, idx);
		atomic_store_explicit(&e->hash, hash, memory_order_relaxed);
		key_store(e, key, hdr->key_size);
		atomic_thread_fence(memory_order_release); /* see lru_update */
	}

	_Atomic uint32_t *link;
	int err = 0;
	seg_lock(&bk->lock);
	struct htab_elem *old = find_locked(map, b, hash, key, &link);
	if (old && flags == BPF_NOEXIST) {
		err = -EEXIST;
	} else if (!old && flags == BPF_EXIST) {
		err = -ENOENT;
	} else if (old) {
		struct lru_node *n = lnode(&lru, elem_index(map, old));
		if (!atomic_load_explicit(&n->ref, memory_order_relaxed))
			set_ref(n, 1);
		lru_store_value(map, old, value, cpu, 0);
	} else {
		lru_store_value(map, e, value, cpu, 1);
		atomic_store_explicit(&e->next, atomic_load(&bk->head), memory_order_relaxed);
		atomic_store_explicit(&bk->head, idx, memory_order_release);
		atomic_fetch_add(&hdr->htab.count, 1);
		idx = LRU_NONE; /* in use */
	}
	seg_unlock(&bk->lock);
	if (idx != LRU_NONE)
		lru_free_elem(map, idx);
	return err;
}

/* For tests, with no command running: every node is on exactly one list
 * of the right type (or never used), the counts agree, and the hash holds
 * exactly the elements of the active, inactive and pending lists.
 * 0, or -EUCLEAN (with what went wrong in why). */
int lru_htab_audit(struct map *map, char *why, size_t why_size);
int lru_htab_audit(struct map *map, char *why, size_t why_size)
{
	struct lru lru;
	lru_get(map, &lru);
	struct map_hdr *hdr = map->hdr;
	uint8_t *seen = calloc(lru.n_elems ? lru.n_elems : 1, 1); /* 1 listed in use, 2 free, 3 hashed */
	int err = 0;
#define AUDIT_FAIL(...)                                          \
	do {                                                      \
		snprintf(why, why_size, __VA_ARGS__);             \
		err = -EUCLEAN;                                   \
		goto out;                                         \
	} while (0)
	if (!seen)
		return -ENOMEM;
	for (uint32_t li = 0; li <= lru.ncpus; li++) {
		struct lru_list *l = &lru.lists[li];
		for (uint8_t t = 0; t < 3; t++) {
			uint8_t want = t;
			int used = lru.percpu ? li > 0 : li == 0 || t < 2;
			if (!lru.percpu && li > 0)
				want = t == 0 ? LRU_LOCAL_FREE : LRU_LOCAL_PENDING;
			uint32_t head = lhead(&lru, li, t), len = 0;
			for (uint32_t i = lnext(&lru, head); i != head; i = lnext(&lru, i)) {
				if (!used || i >= lru.n_elems || seen[i] || len++ > lru.n_elems)
					AUDIT_FAIL("list %u/%u: node %u unexpected", li, t, i);
				if (lprev(&lru, lnext(&lru, i)) != i || type_of(&lru, i) != want)
					AUDIT_FAIL("list %u/%u: node %u badly linked or typed", li, t, i);
				uint32_t cpu = atomic_load(&lnode(&lru, i)->cpu);
				if ((lru.percpu || want == LRU_LOCAL_PENDING) && cpu != li - 1)
					AUDIT_FAIL("list %u/%u: node %u of CPU %u", li, t, i, cpu);
				seen[i] = want == LRU_FREE || want == LRU_LOCAL_FREE ? 2 : 1;
			}
			if (t < 2 && (lru.percpu || li == 0) && LD(l->count[t]) != len)
				AUDIT_FAIL("list %u/%u: count %u, %u listed", li, t, LD(l->count[t]), len);
		}
		for (uint32_t i = LD(l->fresh); i < LD(l->fresh_end) && i < lru.n_elems; i++) {
			if (seen[i])
				AUDIT_FAIL("fresh node %u also listed", i);
			seen[i] = 2;
		}
	}
	uint32_t hashed = 0;
	for (uint32_t b = 0; b < hdr->htab.n_buckets; b++) {
		uint32_t idx = atomic_load(&bucket_at(map, b)->head);
		for (; !IS_NULLS(idx); idx = atomic_load(&elem_at(map, idx)->next)) {
			if (idx >= lru.n_elems || seen[idx] != 1)
				AUDIT_FAIL("bucket %u: element %u not on an LRU list", b, idx);
			seen[idx] = 3;
			hashed++;
		}
	}
	for (uint32_t i = 0; i < lru.n_elems; i++)
		if (seen[i] < 2)
			AUDIT_FAIL("node %u %s", i, seen[i] ? "listed but not hashed" : "lost");
	if (atomic_load(&hdr->htab.count) != hashed)
		AUDIT_FAIL("count %u, %u hashed", atomic_load(&hdr->htab.count), hashed);
#undef AUDIT_FAIL
out:
	free(seen);
	return err;
}

const struct map_ops lru_htab_map_ops = {
	.check = htab_check,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE | MAP_BATCH_UPDATE |
		 MAP_BATCH_DELETE,
	.lookup_batch = htab_lookup_batch,
	.init = lru_init,
	.lookup_ptr = lru_lookup_ptr,
	.lookup = lru_lookup,
	.update = lru_update,
	.delete = htab_delete,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
};

const struct map_ops lru_percpu_htab_map_ops = {
	.check = htab_check,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE | MAP_BATCH_UPDATE |
		 MAP_BATCH_DELETE,
	.lookup_batch = htab_lookup_batch,
	.init = lru_init,
	.lookup_ptr = lru_lookup_ptr,
	.lookup = lru_lookup,
	.update = lru_percpu_update,
	.delete = htab_delete,
	.lookup_and_delete = htab_lookup_and_delete,
	.get_next_key = htab_get_next_key,
};
