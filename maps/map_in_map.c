/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS: maps whose
 * values are other maps.
 *
 * The outer map's segment can hold only numbers, so a slot holds the
 * inner map's id (what user-space lookups return, as in the kernel). The
 * array of maps is an array of ids; the hash of maps is a uebpf hash
 * (htab_map_ops) whose 4-byte values are ids, plus a lock that keeps
 * "read the old id, write the new one" atomic for writers.
 *
 * Reaching an inner map from its id, in any process: when a map is put in
 * an outer map, its segment file gets one more link, .inner/<id> in the
 * pin directory, and a count of the outer slots holding it (in the spare
 * end of its header page, with a lock). The link goes when the count
 * drops to zero and no process has the map open (see mark_open), so an
 * inner map lives while it is in an outer map (or open or pinned), as in
 * the kernel. Each process keeps a table id ->
 * its own view of the map (struct map, with a reference): filled
 * when user space puts a map in, or on a program's first lookup by
 * opening .inner/<id>. A program's bpf_map_lookup_elem on an outer map
 * returns that view, usable as a map argument to the other helpers.
 *
 * Views of maps no longer in any outer map are retired, and freed a
 * grace period later (programs may still use a view they looked up just
 * before; uebpf has no RCU to know when they are done).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maps/lock.h"
#include "maps/map.h"

/* ---- the count of outer slots holding a map (in the inner map) ---- */

/* The header page's last bytes are unused by struct map_hdr. */
#define INNER_SHARED_OFF (MAP_HDR_SIZE - 64)
_Static_assert(sizeof(struct map_hdr) <= INNER_SHARED_OFF, "map_hdr reaches the inner count");

struct inner_shared {
	_Atomic uint32_t lock;
	_Atomic uint32_t refs; /* outer slots holding this map */
};

static struct inner_shared *inner_shared(struct map *map)
{
	return (struct inner_shared *)((uint8_t *)map->seg.base + INNER_SHARED_OFF);
}

/* ".inner/<id>", relative to the pin directory. */
static void inner_name(char *buf, size_t size, uint32_t id)
{
	snprintf(buf, size, ".inner/%u", id);
}

/* Does the link at path name the file fd is open on? */
static int link_is(const char *path, int fd)
{
	struct stat a, b;
	return fd >= 0 && stat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* Links map's segment as .inner/<id>. Maps in a memfd or anonymous
 * memory have no file to link: they stay reachable in this process only
 * (as does a map whose every name is gone: a file cannot get a name back). */
static void inner_link(struct map *map)
{
	char name[32], path[4096], dir[4096];
	if (map->seg.kind != UEBPF_SEGMENT_DEFAULT || map->seg.fd < 0)
		return;
	inner_name(name, sizeof(name), map->hdr->id);
	if (seg_path(path, sizeof(path), name, NULL) || seg_path(dir, sizeof(dir), ".inner", NULL))
		return;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return;
	if (seg_pin(&map->seg, name, NULL) == -EEXIST && !link_is(path, map->seg.fd)) {
		/* A stale name (a map with the same id that was not cleaned
		 * up): this map takes it over. */
		unlink(path);
		seg_pin(&map->seg, name, NULL);
	}
}

/*
 * Who has an inner map open: every process that uses one here (put it in
 * a slot, or reached it by id) holds a shared lock on its file (an open
 * file description lock, dropped with the last fd). A map whose last slot
 * is gone loses its name only when no one else has it open: a file that
 * lost every name can never be linked again, so a map still open
 * somewhere keeps it in case it goes back into an outer map. Names left
 * so ("parked") are collected later, when no one has the map open.
 */
static void mark_open(struct map *map)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	if (map->seg.kind == UEBPF_SEGMENT_DEFAULT && map->seg.fd >= 0)
		fcntl(map->seg.fd, F_OFD_SETLK, &fl);
}

/* Has a file description other than fd's a mark on the file? */
static int open_elsewhere(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

/* One more outer slot holds map. */
static void inner_get(struct map *map)
{
	struct inner_shared *sh = inner_shared(map);
	seg_lock(&sh->lock);
	if (atomic_fetch_add(&sh->refs, 1) == 0)
		inner_link(map);
	seg_unlock(&sh->lock);
}

/* One outer slot less; returns the slots left. open_here: this process
 * holds map other than through the slot being emptied. */
static uint32_t inner_put(struct map *map, int open_here)
{
	struct inner_shared *sh = inner_shared(map);
	char name[32], path[4096];
	seg_lock(&sh->lock);
	uint32_t left = atomic_load(&sh->refs);
	if (left) /* a scribbled count must not wrap */
		atomic_store(&sh->refs, --left);
	inner_name(name, sizeof(name), map->hdr->id);
	if (left == 0 && !open_here && !open_elsewhere(map->seg.fd) &&
	    !seg_path(path, sizeof(path), name, NULL) && link_is(path, map->seg.fd))
		unlink(path);
	seg_unlock(&sh->lock);
	return left;
}

/* Removes the parked name at path if its map is in no slot and no one
 * has it open. */
static void collect_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	struct map_hdr hdr;
	struct stat st;
	uint32_t refs = 1;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size >= MAP_HDR_SIZE &&
	    pread(fd, &hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
	    !memcmp(hdr.magic, MAP_MAGIC, 8) &&
	    pread(fd, &refs, 4, INNER_SHARED_OFF + offsetof(struct inner_shared, refs)) == 4 &&
	    refs == 0 && !open_elsewhere(fd)) {
		/* Check again under the map's lock: a slot may be taking it
		 * right now. */
		void *page = mmap(NULL, MAP_HDR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (page != MAP_FAILED) {
			struct inner_shared *sh =
				(struct inner_shared *)((uint8_t *)page + INNER_SHARED_OFF);
			seg_lock(&sh->lock);
			if (atomic_load(&sh->refs) == 0 && !open_elsewhere(fd) && link_is(path, fd))
				unlink(path);
			seg_unlock(&sh->lock);
			munmap(page, MAP_HDR_SIZE);
		}
	}
	close(fd);
}

static void collect_id(uint32_t id)
{
	char name[32], path[4096];
	inner_name(name, sizeof(name), id);
	if (!seg_path(path, sizeof(path), name, NULL))
		collect_path(path);
}

/* Every parked name: for those whose last holder let go without passing
 * here (a process that exited, say). */
static void collect_all(void)
{
	char dir[4096], path[4096 + 512];
	if (seg_path(dir, sizeof(dir), ".inner", NULL))
		return;
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		collect_path(path);
	}
	if (d)
		closedir(d);
}

/* ---- this process's views of inner maps, by id ---- */

struct inner_view {
	_Atomic(struct inner_view *) next; /* the bucket's chain */
	uint32_t id;
	struct map *map; /* holds a reference */
	struct inner_view *retired_next;
	uint64_t retired_ns;
};

#define VIEW_BUCKETS 256
/* Views retired longer ago than this are freed: far longer than any
 * program run that may still use one. */
#define GRACE_NS 1000000000ull
/* How often views of maps in no slot are looked for, and how often
 * every parked name is. */
#define SWEEP_NS 1000000000ull
#define SCAN_NS 60000000000ull

/* Readers walk the chains without a lock; the lock orders writers. */
static _Atomic(struct inner_view *) views[VIEW_BUCKETS];
static pthread_mutex_t views_lock = PTHREAD_MUTEX_INITIALIZER;
static struct inner_view *retired;
static uint64_t last_sweep_ns, last_scan_ns;
static _Atomic size_t views_cnt; /* in the table or retired */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static _Atomic(struct inner_view *) *view_bucket(uint32_t id)
{
	return &views[(id * 2654435761u) >> 24];
}

static struct inner_view *view_find(uint32_t id)
{
	struct inner_view *v = atomic_load_explicit(view_bucket(id), memory_order_acquire);
	while (v && v->id != id)
		v = atomic_load_explicit(&v->next, memory_order_acquire);
	return v;
}

/* Adds a view of map (taking a reference); views_lock held. */
static struct map *view_add(struct map *map)
{
	struct inner_view *v = view_find(map->hdr->id);
	if (v)
		return v->map;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	map_get(map);
	mark_open(map);
	atomic_fetch_add(&views_cnt, 1);
	v->id = map->hdr->id;
	v->map = map;
	_Atomic(struct inner_view *) *head = view_bucket(v->id);
	atomic_store_explicit(&v->next, atomic_load(head), memory_order_relaxed);
	atomic_store_explicit(head, v, memory_order_release);
	return map;
}

/* Opens the map linked as .inner/<id>: this process's own view, with no
 * fd of its own registered. NULL when it is gone or not a map. */
static struct map *open_by_id(uint32_t id)
{
	char name[32];
	inner_name(name, sizeof(name), id);
	int fd = uebpf_obj_get(name);
	if (fd < 0)
		return NULL;
	struct map *map = map_from_fd(fd);
	if (map)
		map_get(map);
	map_close(fd); /* the view keeps the segment and its file */
	if (map && map->hdr->id != id) {
		map_put(map);
		return NULL;
	}
	return map;
}

/* This process's view of the map with that id, opening it if needed. */
static struct map *view_get(uint32_t id)
{
	struct inner_view *v = view_find(id);
	if (v)
		return v->map;
	pthread_mutex_lock(&views_lock);
	struct map *map = NULL;
	v = view_find(id);
	if (v) {
		map = v->map;
	} else {
		struct map *opened = open_by_id(id);
		if (opened) {
			map = view_add(opened);
			map_put(opened); /* the view holds its own reference */
		}
	}
	pthread_mutex_unlock(&views_lock);
	return map;
}

/* Takes id's view out of the table; freed after the grace period.
 * views_lock held. */
static void view_retire(uint32_t id, uint64_t now)
{
	_Atomic(struct inner_view *) *link = view_bucket(id);
	struct inner_view *v;
	while ((v = atomic_load(link)) && v->id != id)
		link = &v->next;
	if (!v)
		return;
	atomic_store_explicit(link, atomic_load(&v->next), memory_order_release);
	/* Used here by nothing but the view: its file (and the mark that
	 * says "open here") goes now; the memory stays mapped through the
	 * grace period, for programs that looked the map up just before. */
	if (atomic_load(&v->map->refs) == 1 && v->map->seg.fd >= 0) {
		close(v->map->seg.fd);
		v->map->seg.fd = -1;
	}
	v->retired_ns = now;
	v->retired_next = retired;
	retired = v;
}

/* Frees views retired long enough ago (and then collects their names if
 * that was the last use here); now and then retires views of maps that
 * are in no slot and used here by nothing else. views_lock held. */
static void views_reclaim(void)
{
	uint64_t now = now_ns();
	struct inner_view **link = &retired, *v;
	while ((v = *link)) {
		if (now - v->retired_ns < GRACE_NS) {
			link = &v->retired_next;
			continue;
		}
		*link = v->retired_next;
		uint32_t id = v->id;
		map_put(v->map); /* a last reference drops this process's mark too */
		free(v);
		atomic_fetch_sub(&views_cnt, 1);
		collect_id(id);
	}
	if (now - last_sweep_ns < SWEEP_NS)
		return;
	last_sweep_ns = now;
	for (unsigned b = 0; b < VIEW_BUCKETS; b++) {
		struct inner_view *next;
		for (v = atomic_load(&views[b]); v; v = next) {
			next = atomic_load(&v->next);
			if (atomic_load(&inner_shared(v->map)->refs) == 0 &&
			    atomic_load(&v->map->refs) == 1)
				view_retire(v->id, now);
		}
	}
	if (now - last_scan_ns >= SCAN_NS) {
		last_scan_ns = now;
		collect_all();
	}
}

void inner_views_settle(void)
{
	if (!atomic_load(&views_cnt))
		return;
	pthread_mutex_lock(&views_lock);
	last_sweep_ns = 0;
	views_reclaim();
	pthread_mutex_unlock(&views_lock);
}

/* ---- putting maps in and taking them out ---- */

/* Is inner compatible with the outer map's template? The kernel compares
 * type, sizes and flags; an array template also max_entries, unless it
 * was created with BPF_F_INNER_MAP. */
static int template_matches(const struct map_hdr *outer, const struct map_hdr *inner)
{
	if (!outer->inner.given || inner->type != outer->inner.type ||
	    inner->key_size != outer->inner.key_size ||
	    inner->value_size != outer->inner.value_size ||
	    inner->map_flags != outer->inner.map_flags)
		return 0;
	if (outer->inner.type == BPF_MAP_TYPE_ARRAY && !(outer->inner.map_flags & BPF_F_INNER_MAP))
		return inner->max_entries == outer->inner.max_entries;
	return 1;
}

/* The map whose fd is in value, if it may go into outer; else NULL with
 * the kernel's errno: EBADF for an fd that is not open, EINVAL for one
 * that is not a map or does not match the template. */
static struct map *inner_from_fd(struct map *outer, const void *value, int *err)
{
	int fd;
	memcpy(&fd, value, 4);
	struct map *inner = map_from_fd(fd);
	if (!inner) {
		*err = fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL;
		return NULL;
	}
	if (!template_matches(outer->hdr, inner->hdr)) {
		*err = -EINVAL;
		return NULL;
	}
	return inner;
}

/* inner goes into a slot: counted, linked, and known to this process. */
static void hold(struct map *inner)
{
	mark_open(inner); /* before the count: a collector must see it */
	inner_get(inner);
	pthread_mutex_lock(&views_lock);
	view_add(inner);
	views_reclaim();
	pthread_mutex_unlock(&views_lock);
}

/* The map with that id left a slot. */
static void release(uint32_t id)
{
	pthread_mutex_lock(&views_lock);
	struct inner_view *v = view_find(id);
	struct map *map = v ? v->map : open_by_id(id);
	if (map) {
		mark_open(map);
		/* Held here besides the view (or this call's own reference)?
		 * Then the view stays until that lets go (see views_reclaim). */
		int open_here = atomic_load(&map->refs) > 1;
		if (inner_put(map, open_here) == 0 && v && !open_here)
			view_retire(id, now_ns());
	}
	if (map && !v)
		map_put(map);
	views_reclaim();
	pthread_mutex_unlock(&views_lock);
}

/* What a program's lookup gets for an id: this process's view of the
 * map, if it still matches the template (ids come from shared memory). */
static struct map *resolve(struct map *outer, uint32_t id)
{
	if (!id)
		return NULL;
	struct map *inner = view_get(id);
	return inner && template_matches(outer->hdr, inner->hdr) ? inner : NULL;
}

/* ---- creation ---- */

/* The outer map's own shared word, after the type's data. */
struct outer_shared {
	_Atomic uint32_t lock; /* writers of a hash of maps */
	uint8_t pad[60];
};

/* The template's rules, checked where the kernel checks them: after the
 * outer map's attributes, before its size limits. */
static int check_template(const struct map_hdr *hdr)
{
	if (hdr->inner.fd_err)
		return hdr->inner.fd_err;
	if (!hdr->inner.given)
		return -EINVAL; /* no inner map: the kernel's fd 0 is not a map */
	if (hdr->inner.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    hdr->inner.type == BPF_MAP_TYPE_HASH_OF_MAPS)
		return -EINVAL; /* one level only */
	if (hdr->inner.type == BPF_MAP_TYPE_PROG_ARRAY)
		return -ENOTSUPP; /* a type the kernel cannot compare */
	return 0;
}

/* Arrays of maps: the shared word, then max_entries ids. */
#define AOM_IDS_OFF sizeof(struct outer_shared)

static int aom_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
	if (hdr->value_size != 4 || hdr->key_size != 4 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	int err = check_template(hdr);
	if (err)
		return err;
	/* The kernel's table of map pointers cannot be allocated beyond
	 * this (ENOMEM on the reference machine). */
	if (hdr->max_entries > (1u << 31))
		return -ENOMEM;
	hdr->data_size = AOM_IDS_OFF + (uint64_t)hdr->max_entries * 4;
	return 0;
}

static _Atomic uint32_t *aom_slot(struct map *map, uint32_t index)
{
	return (_Atomic uint32_t *)(map->data + AOM_IDS_OFF) + index;
}

/* Hashes of maps: the hash's data, then the shared word. */
static uint64_t hom_shared_off(const struct map_hdr *hdr)
{
	return (hdr->data_size + 63) & ~(uint64_t)63;
}

static int hom_check(struct map_hdr *hdr)
{
	if (hdr->value_size != 4)
		return -EINVAL;
	/* The hash's attribute checks come first (the size of the bucket
	 * table is checked after the template: try them with one entry). */
	struct map_hdr attrs = *hdr;
	attrs.max_entries = hdr->max_entries ? 1 : 0;
	int err = htab_map_ops.check(&attrs);
	if (err == 0)
		err = check_template(hdr);
	if (err == 0)
		err = htab_map_ops.check(hdr);
	if (err)
		return err;
	hdr->data_size = hom_shared_off(hdr) + sizeof(struct outer_shared);
	return 0;
}

static struct outer_shared *hom_shared(struct map *map)
{
	/* data_size = the hash's data rounded up, then the shared word */
	return (struct outer_shared *)(map->data + map->hdr->data_size -
				       sizeof(struct outer_shared));
}

/* ---- arrays of maps ---- */

static int aom_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	uint32_t index, id;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries ||
	    !(id = atomic_load_explicit(aom_slot(map, index), memory_order_relaxed)))
		return -ENOENT;
	memcpy(value, &id, 4);
	return 0;
}

static void *aom_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return NULL;
	return resolve(map, atomic_load_explicit(aom_slot(map, index), memory_order_acquire));
}

static int aom_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	uint32_t index;
	int err;
	memcpy(&index, key, 4);
	if (cpu != MAP_USER)
		return -EINVAL; /* the kernel's verifier refuses this */
	if (flags != BPF_ANY)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	struct map *inner = inner_from_fd(map, value, &err);
	if (!inner)
		return err;
	hold(inner);
	uint32_t old = atomic_exchange_explicit(aom_slot(map, index), inner->hdr->id,
						memory_order_acq_rel);
	if (old)
		release(old);
	return 0;
}

static int aom_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	uint32_t old = atomic_exchange_explicit(aom_slot(map, index), 0, memory_order_acq_rel);
	if (!old)
		return -ENOENT;
	release(old);
	return 0;
}

/* ---- an outer map that goes ---- */

/* Every process that uses an outer map marks it, so that the last one to
 * let go of an unnamed one knows the map goes with it. */
static int outer_attach(struct map *map)
{
	mark_open(map);
	return 0;
}

/* Is this the end of the map: an unnamed file nobody else has open? */
static bool outer_gone(struct map *map)
{
	struct stat st;

	return map->seg.kind == UEBPF_SEGMENT_DEFAULT && map->seg.fd >= 0 &&
	       fstat(map->seg.fd, &st) == 0 && st.st_nlink == 0 && !open_elsewhere(map->seg.fd);
}

/* As the kernel frees an outer map: its slots let go of their maps. */
static void aom_detach(struct map *map)
{
	if (!outer_gone(map))
		return;
	for (uint32_t i = 0; i < map->hdr->max_entries; i++) {
		uint32_t old = atomic_exchange_explicit(aom_slot(map, i), 0, memory_order_acq_rel);
		if (old)
			release(old);
	}
}

const struct map_ops array_of_maps_map_ops = {
	.check = aom_check,
	.attach = outer_attach,
	.detach = aom_detach,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE,
	.lookup_ptr = aom_lookup_ptr,
	.lookup = aom_lookup,
	.update = aom_update,
	.delete = aom_delete,
	.get_next_key = array_get_next_key,
};

/* ---- hashes of maps: the hash's ops, under the writers' lock ---- */

static int hom_init(struct map *map)
{
	return htab_map_ops.init ? htab_map_ops.init(map) : 0;
}

static void *hom_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	_Atomic uint32_t *id = htab_map_ops.lookup_ptr(map, key, 0);
	return id ? resolve(map, atomic_load_explicit(id, memory_order_acquire)) : NULL;
}

static int hom_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	int err;
	if (cpu != MAP_USER)
		return -EINVAL; /* the kernel's verifier refuses this */
	/* The kernel resolves the fd before the hash looks at the flags. */
	struct map *inner = inner_from_fd(map, value, &err);
	if (!inner)
		return err;
	uint32_t id = inner->hdr->id, old = 0;
	err = 0;
	hold(inner); /* before the id is visible to other processes */
	struct outer_shared *sh = hom_shared(map);
	seg_lock(&sh->lock);
	/* The kernel replaces an inner map in place: the key keeps its
	 * place in its bucket (a plain hash's update moves it first). */
	_Atomic uint32_t *slot = flags <= BPF_EXIST ? htab_map_ops.lookup_ptr(map, key, 0) : NULL;
	if (slot && flags == BPF_NOEXIST)
		err = -EEXIST;
	else if (slot)
		old = atomic_exchange_explicit(slot, id, memory_order_acq_rel);
	else
		err = htab_map_ops.update(map, key, &id, flags, MAP_USER);
	seg_unlock(&sh->lock);
	if (err)
		release(id);
	else if (old)
		release(old);
	return err;
}

static int hom_delete(struct map *map, const void *key)
{
	uint32_t old = 0;
	struct outer_shared *sh = hom_shared(map);
	seg_lock(&sh->lock);
	int err = htab_map_ops.lookup(map, key, &old, 0);
	if (!err)
		err = htab_map_ops.delete(map, key);
	seg_unlock(&sh->lock);
	if (!err && old)
		release(old);
	return err;
}

static int hom_lookup_batch(struct map *map, void *in_batch, void *out_batch,
			    uint8_t *keys, uint8_t *values, uint32_t *count, int delete)
{
	if (!delete)
		return htab_map_ops.lookup_batch(map, in_batch, out_batch, keys, values, count, 0);
	struct outer_shared *sh = hom_shared(map);
	seg_lock(&sh->lock);
	int err = htab_map_ops.lookup_batch(map, in_batch, out_batch, keys, values, count, 1);
	seg_unlock(&sh->lock);
	for (uint32_t i = 0; i < *count; i++) {
		uint32_t id;
		memcpy(&id, values + (size_t)i * 4, 4);
		if (id)
			release(id);
	}
	return err;
}

static int hom_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	return htab_map_ops.lookup(map, key, value, flags);
}

static int hom_get_next_key(struct map *map, const void *key, void *next_key)
{
	return htab_map_ops.get_next_key(map, key, next_key);
}

static void hom_detach(struct map *map)
{
	uint8_t *key = malloc(map->hdr->key_size), *next = malloc(map->hdr->key_size);
	if (key && next && outer_gone(map)) {
		const void *prev = NULL;
		while (htab_map_ops.get_next_key(map, prev, next) == 0) {
			uint32_t id = 0;
			if (htab_map_ops.lookup(map, next, &id, 0) == 0 && id)
				release(id);
			memcpy(key, next, map->hdr->key_size);
			prev = key;
		}
	}
	free(key);
	free(next);
}

const struct map_ops hash_of_maps_map_ops = {
	.check = hom_check,
	.init = hom_init,
	.attach = outer_attach,
	.detach = hom_detach,
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE | MAP_BATCH_UPDATE |
		 MAP_BATCH_DELETE,
	.lookup_batch = hom_lookup_batch,
	.lookup_ptr = hom_lookup_ptr,
	.lookup = hom_lookup,
	.update = hom_update,
	.delete = hom_delete,
	.get_next_key = hom_get_next_key,
};
