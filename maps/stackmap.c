/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_STACK_TRACE: stack traces by id. Programs add them with
 * bpf_get_stackid (stackmap_store); user space reads, deletes and walks
 * them by id. A trace's id is the kernel's: jhash2 of its ips, masked by
 * the bucket count (max_entries rounded up to a power of two); one trace
 * per bucket, so a different trace landing there is refused (-EEXIST) or
 * replaces it (BPF_F_REUSE_STACKID). Traces live in max_entries
 * preallocated elements, like the kernel's free list; a bucket refers to
 * one by index.
 *
 * The data area: struct sm_data (the free list), the buckets, the
 * elements. Each bucket has a cross-process lock that covers its element
 * while it is in the bucket: every read and write of a stored trace
 * happens under it, or while the element is off every bucket (taken from
 * the free list, not yet published). get_next_key reads the bucket words
 * atomically without a lock. Indices read from the segment are checked
 * against the sizes this process mapped.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "maps/jhash.h"
#include "maps/lock.h"
#include "maps/stackmap.h"

struct sm_data {
	_Atomic uint32_t free_lock;
	/* Under free_lock: the free elements returned so far (a chain of
	 * element index + 1, 0 ends it), and how many never-used elements
	 * have been handed out (a fresh map touches no memory). */
	uint32_t free_head;
	uint32_t fresh;
	uint32_t reserved[13];
};

struct sm_bucket {
	_Atomic uint32_t lock;
	_Atomic uint32_t elem; /* element index + 1; 0: empty */
};

struct sm_elem {
	uint32_t hash;
	uint32_t nr;        /* frames stored */
	uint32_t next_free; /* on the free list: the next, index + 1 */
	uint32_t pad;
	uint8_t data[];     /* value_size bytes: nr frames, then stale bytes */
};

/* Where things are, from the header's sizes. */
struct sm_layout {
	uint32_t n_buckets, max_entries, value_size, frame, depth;
	uint64_t buckets_off, elems_off, elem_size, size;
};

static void sm_compute(uint32_t max_entries, uint32_t value_size, uint32_t flags,
		       struct sm_layout *l)
{
	uint64_t nb = 1;
	while (nb < max_entries)
		nb <<= 1;
	l->n_buckets = (uint32_t)nb;
	l->max_entries = max_entries;
	l->value_size = value_size;
	l->frame = flags & BPF_F_STACK_BUILD_ID ? sizeof(struct bpf_stack_build_id) : 8;
	l->depth = value_size / l->frame;
	l->buckets_off = sizeof(struct sm_data);
	l->elems_off = (l->buckets_off + nb * sizeof(struct sm_bucket) + 63) & ~(uint64_t)63;
	l->elem_size = sizeof(struct sm_elem) + (uint64_t)value_size;
	l->size = l->elems_off + l->elem_size * max_entries;
}

/* The kernel preallocates every element: a map larger than this
 * machine's memory fails there with ENOMEM (2^31 entries do), while a
 * segment here would be created sparse and fault when filled. */
static uint64_t sm_memory_limit(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	uint64_t limit = (uint64_t)1 << 40;
	if (pages > 0 && page > 0 && (uint64_t)pages * (uint64_t)page < limit)
		limit = (uint64_t)pages * (uint64_t)page;
	return limit;
}

/* The kernel's checks, in its order: generic map_extra, then the type's
 * flags, sizes, bucket count; then what the memory costs. */
static int sm_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
				 BPF_F_STACK_BUILD_ID;
	if (hdr->map_extra || hdr->map_flags & ~allowed)
		return -EINVAL;
	if (hdr->max_entries == 0 || hdr->key_size != 4 || hdr->value_size < 8 ||
	    hdr->value_size % 8)
		return -EINVAL;
	uint32_t frame = hdr->map_flags & BPF_F_STACK_BUILD_ID ? sizeof(struct bpf_stack_build_id)
								: 8;
	if (hdr->value_size % frame || hdr->value_size / frame > STACKMAP_MAX_DEPTH)
		return -EINVAL;
	if (hdr->max_entries > (1u << 31))
		return -E2BIG;
	struct sm_layout l;
	sm_compute(hdr->max_entries, hdr->value_size, hdr->map_flags, &l);
	if (l.size > sm_memory_limit())
		return -ENOMEM;
	hdr->data_size = l.size;
	return 0;
}

/* The layout of this map, or -EFAULT when the header no longer matches
 * what this process mapped (another process scribbled on it). */
static int sm_layout(const struct map *map, struct sm_layout *l)
{
	const struct map_hdr *hdr = map->hdr;
	uint32_t max_entries = hdr->max_entries, value_size = hdr->value_size;
	uint32_t flags = hdr->map_flags;
	/* Bounded by what this process mapped, not by the header's data_off. */
	uint64_t mapped = (uint64_t)((uint8_t *)map->seg.base + map->seg.size - map->data);
	if (max_entries == 0 || max_entries > (1u << 31) || value_size % 8 ||
	    value_size > STACKMAP_MAX_DEPTH * 32)
		return -EFAULT;
	sm_compute(max_entries, value_size, flags, l);
	return l->size <= mapped ? 0 : -EFAULT;
}

static struct sm_data *sm_data(struct map *map)
{
	return (struct sm_data *)map->data;
}

static struct sm_bucket *sm_bucket(struct map *map, const struct sm_layout *l, uint32_t id)
{
	return (struct sm_bucket *)(map->data + l->buckets_off) + id;
}

/* Element ref (index + 1), which must be in range. */
static struct sm_elem *sm_elem(struct map *map, const struct sm_layout *l, uint32_t ref)
{
	return (struct sm_elem *)(map->data + l->elems_off + (uint64_t)(ref - 1) * l->elem_size);
}

static int ref_ok(const struct sm_layout *l, uint32_t ref)
{
	return ref >= 1 && ref <= l->max_entries;
}

/* A free element's ref, or 0 when all max_entries are in use. */
static uint32_t sm_pop(struct map *map, const struct sm_layout *l)
{
	struct sm_data *d = sm_data(map);
	uint32_t ref = 0;
	seg_lock(&d->free_lock);
	if (ref_ok(l, d->free_head)) {
		ref = d->free_head;
		uint32_t next = sm_elem(map, l, ref)->next_free;
		d->free_head = ref_ok(l, next) ? next : 0;
	} else {
		d->free_head = 0;
		if (d->fresh < l->max_entries)
			ref = ++d->fresh;
	}
	seg_unlock(&d->free_lock);
	return ref;
}

static void sm_push(struct map *map, const struct sm_layout *l, uint32_t ref)
{
	struct sm_data *d = sm_data(map);
	seg_lock(&d->free_lock);
	sm_elem(map, l, ref)->next_free = d->free_head;
	d->free_head = ref;
	seg_unlock(&d->free_lock);
}

/* Under the bucket's lock: its element ref, 0 if empty. A ref out of
 * range (scribbled on) empties the bucket. */
static uint32_t bucket_ref(const struct sm_layout *l, struct sm_bucket *b)
{
	uint32_t ref = atomic_load_explicit(&b->elem, memory_order_relaxed);
	if (ref && !ref_ok(l, ref)) {
		atomic_store_explicit(&b->elem, 0, memory_order_relaxed);
		ref = 0;
	}
	return ref;
}

static uint32_t elem_nr(const struct sm_layout *l, const struct sm_elem *e)
{
	return e->nr <= l->depth ? e->nr : l->depth;
}

/* Builds the records of a build-id trace in dst. */
static void fill_records(uint8_t *dst, const uint64_t *ips, const struct bpf_stack_build_id *ids,
			 uint32_t n)
{
	if (ids) {
		memcpy(dst, ids, (size_t)n * sizeof(*ids));
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct bpf_stack_build_id rec;
		memset(&rec, 0, sizeof(rec));
		rec.status = BPF_STACK_BUILD_ID_IP;
		rec.ip = ips[i];
		memcpy(dst + (size_t)i * sizeof(rec), &rec, sizeof(rec));
	}
}

int stackmap_store(struct map *map, const uint64_t *ips,
		   const struct bpf_stack_build_id *ids, uint32_t n, uint64_t flags)
{
	struct sm_layout l;
	if (sm_layout(map, &l))
		return -EFAULT;
	if (n == 0)
		return -EFAULT;
	if (n > l.depth)
		n = l.depth;
	uint32_t hash = jhash2(ips, 2 * n, 0), id = hash & (l.n_buckets - 1);
	struct sm_bucket *b = sm_bucket(map, &l, id);
	int build_id = l.frame != 8;
	size_t len = (size_t)n * l.frame;
	uint32_t new_ref = 0;

	seg_lock(&b->lock);
	uint32_t old_ref = bucket_ref(&l, b);
	struct sm_elem *old = old_ref ? sm_elem(map, &l, old_ref) : NULL;
	int hash_matches = old && old->hash == hash;
	if (hash_matches && flags & BPF_F_FAST_STACK_CMP)
		goto found;
	if (build_id) {
		/* The kernel takes an element before comparing build ids
		 * (it builds the records in it): none free is -ENOMEM, even
		 * for a trace already there. */
		new_ref = sm_pop(map, &l);
		if (!new_ref)
			goto nomem;
		fill_records(sm_elem(map, &l, new_ref)->data, ips, ids, n);
		if (hash_matches && elem_nr(&l, old) == n &&
		    !memcmp(old->data, sm_elem(map, &l, new_ref)->data, len)) {
			seg_unlock(&b->lock);
			sm_push(map, &l, new_ref);
			return (int)id;
		}
		if (old && !(flags & BPF_F_REUSE_STACKID)) {
			seg_unlock(&b->lock);
			sm_push(map, &l, new_ref);
			return -EEXIST;
		}
	} else {
		if (hash_matches && elem_nr(&l, old) == n && !memcmp(old->data, ips, len))
			goto found;
		if (old && !(flags & BPF_F_REUSE_STACKID)) {
			seg_unlock(&b->lock);
			return -EEXIST;
		}
		new_ref = sm_pop(map, &l);
		if (!new_ref)
			goto nomem;
		memcpy(sm_elem(map, &l, new_ref)->data, ips, len);
	}
	struct sm_elem *e = sm_elem(map, &l, new_ref);
	e->hash = hash;
	e->nr = n;
	atomic_store_explicit(&b->elem, new_ref, memory_order_relaxed);
	seg_unlock(&b->lock);
	if (old_ref)
		sm_push(map, &l, old_ref);
	return (int)id;
found:
	seg_unlock(&b->lock);
	return (int)id;
nomem:
	seg_unlock(&b->lock);
	return -ENOMEM;
}

/* Copies (and with take, removes) the trace with id key. */
static int sm_extract(struct map *map, const void *key, void *value, int take)
{
	struct sm_layout l;
	uint32_t id;
	memcpy(&id, key, sizeof(id));
	if (sm_layout(map, &l))
		return -EFAULT;
	if (id >= l.n_buckets)
		return -ENOENT;
	struct sm_bucket *b = sm_bucket(map, &l, id);
	seg_lock(&b->lock);
	uint32_t ref = bucket_ref(&l, b);
	if (!ref) {
		seg_unlock(&b->lock);
		return -ENOENT;
	}
	struct sm_elem *e = sm_elem(map, &l, ref);
	size_t len = (size_t)elem_nr(&l, e) * l.frame;
	memcpy(value, e->data, len);
	memset((uint8_t *)value + len, 0, l.value_size - len);
	if (take)
		atomic_store_explicit(&b->elem, 0, memory_order_relaxed);
	seg_unlock(&b->lock);
	if (take)
		sm_push(map, &l, ref);
	return 0;
}

static int sm_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	return sm_extract(map, key, value, 0);
}

static int sm_lookup_and_delete(struct map *map, const void *key, void *value,
				uint64_t flags)
{
	if (flags) /* only BPF_F_LOCK exists, and a trace has no lock */
		return -EINVAL;
	return sm_extract(map, key, value, 1);
}

/* Traces are added by programs only. */
static int sm_update(struct map *map, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu)
{
	return -EINVAL;
}

static int sm_delete(struct map *map, const void *key)
{
	struct sm_layout l;
	uint32_t id;
	memcpy(&id, key, sizeof(id));
	if (sm_layout(map, &l))
		return -EFAULT;
	if (id >= l.n_buckets)
		return -E2BIG;
	struct sm_bucket *b = sm_bucket(map, &l, id);
	seg_lock(&b->lock);
	uint32_t ref = bucket_ref(&l, b);
	if (ref)
		atomic_store_explicit(&b->elem, 0, memory_order_relaxed);
	seg_unlock(&b->lock);
	if (!ref)
		return -ENOENT;
	sm_push(map, &l, ref);
	return 0;
}

/* The next occupied id after key; from the start when key is NULL, out
 * of range or empty. */
static int sm_get_next_key(struct map *map, const void *key, void *next_key)
{
	struct sm_layout l;
	uint32_t id = 0;
	if (sm_layout(map, &l))
		return -EFAULT;
	if (key) {
		memcpy(&id, key, sizeof(id));
		if (id >= l.n_buckets ||
		    !atomic_load_explicit(&sm_bucket(map, &l, id)->elem, memory_order_relaxed))
			id = 0;
		else
			id++;
	}
	while (id < l.n_buckets &&
	       !atomic_load_explicit(&sm_bucket(map, &l, id)->elem, memory_order_relaxed))
		id++;
	if (id >= l.n_buckets)
		return -ENOENT;
	memcpy(next_key, &id, sizeof(id));
	return 0;
}

/* No lookup_ptr (programs cannot look traces up: the kernel's verifier
 * refuses it), no batch commands. */
const struct map_ops stack_trace_map_ops = {
	.check = sm_check,
	.lookup = sm_lookup,
	.update = sm_update,
	.delete = sm_delete,
	.lookup_and_delete = sm_lookup_and_delete,
	.get_next_key = sm_get_next_key,
};
