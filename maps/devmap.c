/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_DEVMAP and BPF_MAP_TYPE_DEVMAP_HASH: network devices by
 * ifindex, for bpf_redirect_map.
 *
 * A value is the kernel's struct bpf_devmap_val: the ifindex, and with
 * value_size 8 a program (an fd going in, its id coming out). Each entry
 * is stored as one 64-bit word (ifindex | prog id << 32, little-endian:
 * the struct's layout), written atomically, so a reader never sees half
 * an update; ifindex 0 marks an empty entry, as the kernel never stores
 * one. Updates check that the device exists, as the kernel does in the
 * caller's network namespace (if_indextoname). uebpf programs have no
 * fds yet, so a program fd > 0 is refused (EINVAL, the kernel's answer
 * for an fd that is not an XDP devmap program) and the prog id is 0.
 *
 * DEVMAP is an array of entries. DEVMAP_HASH is the kernel's hash: key &
 * (n_buckets - 1) picks the bucket (no hash function), new and replaced
 * entries go to the head of their chain, so get_next_key walks in the
 * kernel's order. Writers take one lock (the kernel's index_lock);
 * readers take none: chains end in a marker naming their bucket, and a
 * reader that followed an entry moved to another chain ends at the wrong
 * marker and starts again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>

#include "maps/lock.h"
#include "maps/map.h"

/* ---- values ---- */

static int dev_exists(uint32_t ifindex)
{
	char name[IF_NAMESIZE];
	return ifindex && ifindex <= INT32_MAX && if_indextoname(ifindex, name) != NULL;
}

/* The value user space gives, as the kernel reads it (value_size bytes
 * into a zeroed struct bpf_devmap_val). */
static void read_val(const struct map_hdr *hdr, const void *value, uint32_t *ifindex,
		     int32_t *prog_fd)
{
	uint8_t buf[8] = { 0 };
	memcpy(buf, value, hdr->value_size);
	memcpy(ifindex, buf, 4);
	memcpy(prog_fd, buf + 4, 4);
}

/* A device entry for ifindex, or the kernel's EINVAL (no such device, or
 * a program fd: none can be an XDP devmap program here). */
static int make_entry(uint32_t ifindex, int32_t prog_fd, uint64_t *entry)
{
	if (!dev_exists(ifindex) || prog_fd > 0)
		return -EINVAL;
	*entry = ifindex; /* prog id 0 */
	return 0;
}

static void write_val(const struct map_hdr *hdr, void *value, uint64_t entry)
{
	memcpy(value, &entry, hdr->value_size); /* little-endian: ifindex first */
}

/* ---- creation ---- */

struct dmh_shared {
	_Atomic uint32_t lock; /* writers */
	uint32_t items;        /* entries in use */
	uint32_t fresh;        /* entries ever handed out */
	uint32_t free_head;    /* freed entries, linked by free_next */
	uint8_t pad[48];
};

struct dmh_entry {
	_Atomic uint32_t next; /* entry index, or a nulls marker */
	_Atomic uint32_t key;
	_Atomic uint64_t val;  /* 0: being set up */
	uint32_t free_next;    /* on the free list (next stays for readers) */
	uint32_t pad;
};

#define NULLS_BIT 0x80000000u
#define NULLS(bucket) (NULLS_BIT | (bucket))
#define IS_NULLS(idx) ((idx) & NULLS_BIT)
#define FREE_END 0xffffffffu
#define MAX_RESTARTS 8

static uint32_t dmh_buckets(uint32_t max_entries)
{
	uint32_t n = 1;
	while (n < max_entries)
		n <<= 1;
	return n;
}

static int devmap_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
	int hash = hdr->type == BPF_MAP_TYPE_DEVMAP_HASH;
	/* Opening a map again: the flag the kernel adds itself (below). */
	uint32_t flags = hdr->total_size ? hdr->map_flags & ~(uint32_t)BPF_F_RDONLY_PROG
					 : hdr->map_flags;
	if (hdr->max_entries == 0 || hdr->key_size != 4 ||
	    (hdr->value_size != 4 && hdr->value_size != 8) || flags & ~allowed ||
	    hdr->map_extra)
		return -EINVAL;
	if (hash && hdr->max_entries > (1u << 31))
		return -EINVAL;
	/* As in the kernel: lookups hand programs the entry itself, which
	 * they may only read. */
	hdr->map_flags |= BPF_F_RDONLY_PROG;
	if (!hash) {
		/* Beyond this the kernel's table cannot be allocated. */
		if (hdr->max_entries > (1u << 31))
			return -ENOMEM;
		hdr->data_size = (uint64_t)hdr->max_entries * 8;
		return 0;
	}
	uint64_t buckets = (uint64_t)dmh_buckets(hdr->max_entries) * 4;
	hdr->data_size = sizeof(struct dmh_shared) + ((buckets + 63) & ~(uint64_t)63) +
			 (uint64_t)hdr->max_entries * sizeof(struct dmh_entry);
	return 0;
}

/* ---- DEVMAP: an array ---- */

static int dm_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -ENOENT;
	uint64_t entry = atomic_load_explicit(map_u64_slot(map, index), memory_order_acquire);
	if (!entry)
		return -ENOENT;
	write_val(map->hdr, value, entry);
	return 0;
}

static int dm_update(struct map *map, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu)
{
	uint32_t index, ifindex;
	int32_t prog_fd;
	uint64_t entry = 0;
	memcpy(&index, key, 4);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	if (flags == BPF_NOEXIST)
		return -EEXIST; /* every slot exists */
	read_val(map->hdr, value, &ifindex, &prog_fd);
	if (!ifindex) {
		if (prog_fd > 0)
			return -EINVAL; /* no program without a device */
	} else {
		int err = make_entry(ifindex, prog_fd, &entry);
		if (err)
			return err;
	}
	atomic_store_explicit(map_u64_slot(map, index), entry, memory_order_release);
	return 0;
}

static int dm_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -EINVAL;
	atomic_store_explicit(map_u64_slot(map, index), 0, memory_order_release);
	return 0;
}

const struct map_ops devmap_map_ops = {
	.check = devmap_check,
	.lookup_ptr = u64_slot_lookup_ptr,
	.lookup = dm_lookup,
	.update = dm_update,
	.delete = dm_delete,
	.get_next_key = array_get_next_key,
};

/* ---- DEVMAP_HASH ---- */

static struct dmh_shared *dmh_shared(struct map *map)
{
	return (struct dmh_shared *)map->data;
}

static uint32_t dmh_nbuckets(const struct map_hdr *hdr)
{
	return dmh_buckets(hdr->max_entries);
}

static _Atomic uint32_t *dmh_head(struct map *map, uint32_t b)
{
	return (_Atomic uint32_t *)(map->data + sizeof(struct dmh_shared)) + b;
}

static struct dmh_entry *dmh_entry(struct map *map, uint32_t idx)
{
	uint64_t buckets = (uint64_t)dmh_nbuckets(map->hdr) * 4;
	return (struct dmh_entry *)(map->data + sizeof(struct dmh_shared) +
				    ((buckets + 63) & ~(uint64_t)63)) + idx;
}

static int dmh_init(struct map *map)
{
	uint32_t nb = dmh_nbuckets(map->hdr);
	for (uint32_t b = 0; b < nb; b++)
		atomic_store(dmh_head(map, b), NULLS(b));
	dmh_shared(map)->free_head = FREE_END;
	return 0;
}

/* The entry for key, without the lock: NULL when there is none. A walk
 * that strays into another chain (an entry deleted and reused under it)
 * starts again; after a few tries it takes the lock. */
static struct dmh_entry *dmh_find(struct map *map, uint32_t key)
{
	uint32_t max = map->hdr->max_entries, b = key & (dmh_nbuckets(map->hdr) - 1);
	for (int attempt = 0; attempt < MAX_RESTARTS; attempt++) {
		uint32_t idx = atomic_load_explicit(dmh_head(map, b), memory_order_acquire);
		uint32_t steps = 0;
		while (!IS_NULLS(idx) && idx < max && steps++ <= max) {
			struct dmh_entry *e = dmh_entry(map, idx);
			if (atomic_load_explicit(&e->key, memory_order_relaxed) == key)
				return e;
			idx = atomic_load_explicit(&e->next, memory_order_acquire);
		}
		if (idx == NULLS(b))
			return NULL;
	}
	struct dmh_shared *sh = dmh_shared(map);
	struct dmh_entry *found = NULL;
	seg_lock(&sh->lock);
	uint32_t idx = atomic_load(dmh_head(map, b)), steps = 0;
	while (!IS_NULLS(idx) && idx < max && steps++ <= max) {
		struct dmh_entry *e = dmh_entry(map, idx);
		if (atomic_load(&e->key) == key) {
			found = e;
			break;
		}
		idx = atomic_load(&e->next);
	}
	seg_unlock(&sh->lock);
	return found;
}

/* With the lock held: the link pointing at key's entry (or NULL). */
static _Atomic uint32_t *dmh_find_locked(struct map *map, uint32_t key,
					 struct dmh_entry **out)
{
	uint32_t max = map->hdr->max_entries, b = key & (dmh_nbuckets(map->hdr) - 1);
	_Atomic uint32_t *link = dmh_head(map, b);
	uint32_t idx, steps = 0;
	while (!IS_NULLS(idx = atomic_load(link)) && idx < max && steps++ <= max) {
		struct dmh_entry *e = dmh_entry(map, idx);
		if (atomic_load(&e->key) == key) {
			*out = e;
			return link;
		}
		link = &e->next;
	}
	*out = NULL;
	return NULL;
}

static void *dmh_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	uint32_t k;
	memcpy(&k, key, 4);
	struct dmh_entry *e = dmh_find(map, k);
	return e && atomic_load_explicit(&e->val, memory_order_acquire) ? (void *)&e->val : NULL;
}

static int dmh_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t k;
	memcpy(&k, key, 4);
	struct dmh_entry *e = dmh_find(map, k);
	uint64_t entry = e ? atomic_load_explicit(&e->val, memory_order_acquire) : 0;
	if (!entry)
		return -ENOENT;
	write_val(map->hdr, value, entry);
	return 0;
}

/* Takes a free entry; FREE_END when all are in use. Lock held. */
static uint32_t dmh_alloc(struct map *map)
{
	struct dmh_shared *sh = dmh_shared(map);
	uint32_t idx = sh->free_head;
	if (idx < map->hdr->max_entries) {
		sh->free_head = dmh_entry(map, idx)->free_next;
		return idx;
	}
	if (sh->fresh < map->hdr->max_entries)
		return sh->fresh++;
	return FREE_END;
}

/* Unlinks e (link points at it) and frees it. Lock held. */
static void dmh_remove(struct map *map, _Atomic uint32_t *link, struct dmh_entry *e)
{
	struct dmh_shared *sh = dmh_shared(map);
	atomic_store_explicit(link, atomic_load(&e->next), memory_order_release);
	e->free_next = sh->free_head;
	sh->free_head = (uint32_t)(e - dmh_entry(map, 0));
	sh->items--;
}

static int dmh_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	uint32_t k, ifindex;
	int32_t prog_fd;
	uint64_t entry;
	memcpy(&k, key, 4);
	read_val(map->hdr, value, &ifindex, &prog_fd);
	if (flags > BPF_EXIST || !ifindex)
		return -EINVAL;
	struct dmh_shared *sh = dmh_shared(map);
	struct dmh_entry *old;
	int err = 0;
	seg_lock(&sh->lock);
	_Atomic uint32_t *old_link = dmh_find_locked(map, k, &old);
	if (old && flags == BPF_NOEXIST) {
		err = -EEXIST;
		goto out;
	}
	err = make_entry(ifindex, prog_fd, &entry);
	if (err)
		goto out;
	if (!old && sh->items >= map->hdr->max_entries) {
		err = -E2BIG;
		goto out;
	}
	/* The kernel puts a new node at the head, also when it replaces an
	 * entry: take the old one out first. */
	if (old)
		dmh_remove(map, old_link, old);
	uint32_t idx = dmh_alloc(map);
	if (idx == FREE_END) { /* cannot happen: items < max_entries */
		err = -E2BIG;
		goto out;
	}
	struct dmh_entry *e = dmh_entry(map, idx);
	uint32_t b = k & (dmh_nbuckets(map->hdr) - 1);
	atomic_store_explicit(&e->key, k, memory_order_relaxed);
	atomic_store_explicit(&e->val, entry, memory_order_relaxed);
	atomic_store_explicit(&e->next, atomic_load(dmh_head(map, b)), memory_order_relaxed);
	atomic_store_explicit(dmh_head(map, b), idx, memory_order_release); /* publish */
	sh->items++;
out:
	seg_unlock(&sh->lock);
	return err;
}

static int dmh_delete(struct map *map, const void *key)
{
	uint32_t k;
	memcpy(&k, key, 4);
	struct dmh_shared *sh = dmh_shared(map);
	struct dmh_entry *e;
	seg_lock(&sh->lock);
	_Atomic uint32_t *link = dmh_find_locked(map, k, &e);
	if (e)
		dmh_remove(map, link, e);
	seg_unlock(&sh->lock);
	return e ? 0 : -ENOENT;
}

/* The kernel's walk: the entry after key in its chain, else the first
 * entry of the following buckets; a key not there starts from the first
 * bucket. */
static int dmh_get_next_key(struct map *map, const void *key, void *next_key)
{
	uint32_t nb = dmh_nbuckets(map->hdr), max = map->hdr->max_entries, b = 0;
	if (key) {
		uint32_t k;
		memcpy(&k, key, 4);
		struct dmh_entry *e = dmh_find(map, k);
		if (e) {
			uint32_t next = atomic_load_explicit(&e->next, memory_order_acquire);
			if (!IS_NULLS(next) && next < max) {
				uint32_t nk = atomic_load_explicit(&dmh_entry(map, next)->key,
								   memory_order_relaxed);
				memcpy(next_key, &nk, 4);
				return 0;
			}
			b = (k & (nb - 1)) + 1;
		}
	}
	for (; b < nb; b++) {
		uint32_t idx = atomic_load_explicit(dmh_head(map, b), memory_order_acquire);
		if (!IS_NULLS(idx) && idx < max) {
			uint32_t nk = atomic_load_explicit(&dmh_entry(map, idx)->key,
							   memory_order_relaxed);
			memcpy(next_key, &nk, 4);
			return 0;
		}
	}
	return -ENOENT;
}

const struct map_ops devmap_hash_map_ops = {
	.check = devmap_check,
	.init = dmh_init,
	.lookup_ptr = dmh_lookup_ptr,
	.lookup = dmh_lookup,
	.update = dmh_update,
	.delete = dmh_delete,
	.get_next_key = dmh_get_next_key,
};
