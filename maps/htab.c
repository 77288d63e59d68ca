/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_HASH and BPF_MAP_TYPE_PERCPU_HASH.
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
 */
#include <errno.h>
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

static int htab_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY |
				 BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG |
				 BPF_F_ZERO_SEED;
	if (hdr->key_size == 0 || hdr->value_size == 0 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	if (map_is_percpu(hdr->type) && hdr->map_flags & BPF_F_NUMA_NODE)
		return -EINVAL;
	/* The kernel's limits: an element within KMALLOC_MAX_SIZE, a per-CPU
	 * value within the per-CPU allocator's unit, the bucket array
	 * within 4 GiB. */
	if ((uint64_t)hdr->key_size + hdr->value_size > 4194255 ||
	    (map_is_percpu(hdr->type) && hdr->value_stride > 32768) ||
	    hdr->max_entries > (1u << 27))
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
	return 0;
}

static struct htab_bucket *bucket_at(struct uebpf_map *map, uint32_t b)
{
	return (struct htab_bucket *)(map->data + map->hdr->htab.buckets_off) + b;
}

static struct htab_elem *elem_at(struct uebpf_map *map, uint32_t idx)
{
	return (struct htab_elem *)(map->data + map->hdr->htab.elems_off +
				    (uint64_t)idx * map->hdr->htab.elem_size);
}

static uint32_t elem_index(struct uebpf_map *map, struct htab_elem *e)
{
	return (uint32_t)(((uint8_t *)e - (map->data + map->hdr->htab.elems_off)) /
			  map->hdr->htab.elem_size);
}

static uint8_t *elem_value(struct uebpf_map *map, struct htab_elem *e, uint32_t cpu)
{
	return (uint8_t *)e->key + round_up8(map->hdr->key_size) +
	       (size_t)cpu * map->hdr->value_stride;
}

/* Word i of a key, zero padded past its size. */
static inline uint64_t key_word(const uint8_t *key, uint32_t size, uint32_t i)
{
	uint64_t w = 0;
	uint32_t off = i * 8;
	memcpy(&w, key + off, size - off < 8 ? size - off : 8);
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

static int htab_init(struct uebpf_map *map)
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
static uint32_t elem_alloc(struct uebpf_map *map)
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

static void elem_free(struct uebpf_map *map, uint32_t idx)
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

static int key_matches(struct uebpf_map *map, struct htab_elem *e, uint32_t hash,
		       const uint8_t *key)
{
	uint32_t size = map->hdr->key_size;
	if (atomic_load_explicit(&e->hash, memory_order_relaxed) != hash)
		return 0;
	for (uint32_t i = 0; i < KEY_WORDS(size); i++)
		if (atomic_load_explicit(&e->key[i], memory_order_relaxed) != key_word(key, size, i))
			return 0;
	return 1;
}

/* Walks bucket b's chain without a lock. Returns the element's index,
 * FREE_END if absent, or NULLS_BIT if the walk went astray (restart). */
static uint32_t walk(struct uebpf_map *map, uint32_t b, uint32_t hash, const uint8_t *key)
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
static struct htab_elem *find(struct uebpf_map *map, const uint8_t *key, uint32_t *hash_out)
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
static struct htab_elem *find_locked(struct uebpf_map *map, uint32_t b, uint32_t hash,
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

static void *htab_lookup_ptr(struct uebpf_map *map, const void *key, uint32_t cpu)
{
	struct htab_elem *e = find(map, key, NULL);
	return e ? elem_value(map, e, cpu) : NULL;
}

static void copy_out(struct uebpf_map *map, struct htab_elem *e, void *value, int locked)
{
	const struct map_hdr *hdr = map->hdr;
	if (map_is_percpu(hdr->type))
		memcpy(value, elem_value(map, e, 0), (size_t)hdr->value_stride * hdr->ncpus);
	else
		map_value_copy_out(hdr, value, elem_value(map, e, 0), locked);
}

static int htab_lookup(struct uebpf_map *map, const void *key, void *value, uint64_t flags)
{
	struct htab_elem *e = find(map, key, NULL);
	if (!e)
		return -ENOENT;
	copy_out(map, e, value, flags & BPF_F_LOCK);
	return 0;
}

/* Stores a value into an element: see map_ops.update for cpu. */
static void store_value(struct uebpf_map *map, struct htab_elem *e, const void *value,
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
		if (fresh)
			memset(elem_value(map, e, 0), 0, (size_t)hdr->value_stride * hdr->ncpus);
		memcpy(elem_value(map, e, cpu), value, hdr->value_size);
	}
}

static int htab_update(struct uebpf_map *map, const void *key, const void *value,
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

/* Unlinks key's element; copies its value out first when value != NULL. */
static int remove_elem(struct uebpf_map *map, const void *key, void *value, int locked)
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
	elem_free(map, elem_index(map, e));
	return 0;
}

static int htab_delete(struct uebpf_map *map, const void *key)
{
	return remove_elem(map, key, NULL, 0);
}

static int htab_lookup_and_delete(struct uebpf_map *map, const void *key, void *value,
				  uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK ||
	    (flags & BPF_F_LOCK && map->hdr->spin_lock_off < 0))
		return -EINVAL;
	return remove_elem(map, key, value, flags & BPF_F_LOCK);
}

static int htab_get_next_key(struct uebpf_map *map, const void *key, void *next_key)
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
static int htab_lookup_batch(struct uebpf_map *map, void *in_batch, void *out_batch,
			     uint8_t *keys, uint8_t *values, uint32_t *count, int delete)
{
	struct map_hdr *hdr = map->hdr;
	uint32_t b = 0, n = 0, max = *count, n_elems = hdr->htab.n_elems;
	size_t ks = hdr->key_size, vs = map_user_value_size(hdr);
	int err = 0;

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
		idx = atomic_load(&bk->head);
		if (delete && in_bucket)
			atomic_store_explicit(&bk->head, NULLS(b), memory_order_release);
		for (uint32_t i = 0; i < in_bucket; i++, n++) {
			struct htab_elem *e = elem_at(map, idx);
			key_load(keys + n * ks, e, hdr->key_size);
			copy_out(map, e, values + n * vs, 0);
			uint32_t next = atomic_load(&e->next);
			if (delete) {
				atomic_fetch_sub(&hdr->htab.count, 1);
				elem_free(map, idx);
			}
			idx = next;
		}
		seg_unlock(&bk->lock);
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

/* LRU hashes: not implemented yet (creation is refused). */
static int lru_check(struct map_hdr *hdr)
{
	return -EINVAL;
}

const struct map_ops lru_htab_map_ops = {
	.check = lru_check,
};

const struct map_ops lru_percpu_htab_map_ops = {
	.check = lru_check,
};
