/* SPDX-License-Identifier: MIT */
/*
 * The map commands: creation, opening by path, pinning, the fd registry,
 * and the checks common to all map types before their ops run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "maps/fd_table.h"
#include "maps/lock.h"
#include "maps/map.h"

/* ---- the fd registry: fd -> map, for this process ---- */

static struct fd_table map_fds = FD_TABLE_INIT;

struct map *map_from_fd(int fd)
{
	return fd_table_get(&map_fds, fd);
}

static int registry_set(int fd, struct map *map)
{
	return fd_table_set(&map_fds, fd, map);
}

/* ---- CPUs ---- */

int uebpf_num_possible_cpus(void)
{
	static _Atomic int cached;
	int n = atomic_load(&cached);
	if (n)
		return n;
	/* "0-3" or "0,2-5": the highest CPU number + 1, as libbpf counts. */
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[256];
	n = 0;
	if (f && fgets(buf, sizeof(buf), f)) {
		for (char *p = buf; *p;) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p)
				break;
			if (v + 1 > n)
				n = (int)v + 1;
			p = end + (*end == '-' || *end == ',');
		}
	}
	if (f)
		fclose(f);
	if (n <= 0) {
		long conf = sysconf(_SC_NPROCESSORS_CONF);
		n = conf > 0 ? (int)conf : 1;
	}
	atomic_store(&cached, n);
	return n;
}

uint32_t map_current_cpu(const struct map_hdr *hdr)
{
	if (hdr->ncpus <= 1)	/* shared maps: skip the vDSO call */
		return 0;
	int cpu = sched_getcpu();
	return cpu < 0 ? 0 : (uint32_t)cpu % hdr->ncpus;
}

/* ---- types ---- */

const struct map_ops *map_ops_for(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_ARRAY: return &array_map_ops;
	case BPF_MAP_TYPE_PERCPU_ARRAY: return &percpu_array_map_ops;
	case BPF_MAP_TYPE_HASH: return &htab_map_ops;
	case BPF_MAP_TYPE_PERCPU_HASH: return &percpu_htab_map_ops;
	case BPF_MAP_TYPE_LPM_TRIE: return &lpm_trie_map_ops;
	case BPF_MAP_TYPE_QUEUE: return &queue_map_ops;
	case BPF_MAP_TYPE_STACK: return &stack_map_ops;
	case BPF_MAP_TYPE_BLOOM_FILTER: return &bloom_filter_map_ops;
	case BPF_MAP_TYPE_RINGBUF: return &ringbuf_map_ops;
	case BPF_MAP_TYPE_PROG_ARRAY: return &prog_array_map_ops;
	case BPF_MAP_TYPE_LRU_HASH: return &lru_htab_map_ops;
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: return &lru_percpu_htab_map_ops;
	case BPF_MAP_TYPE_STACK_TRACE: return &stack_trace_map_ops;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY: return &perf_event_array_map_ops;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS: return &array_of_maps_map_ops;
	case BPF_MAP_TYPE_HASH_OF_MAPS: return &hash_of_maps_map_ops;
	case BPF_MAP_TYPE_DEVMAP: return &devmap_map_ops;
	case BPF_MAP_TYPE_DEVMAP_HASH: return &devmap_hash_map_ops;
	case BPF_MAP_TYPE_CGROUP_ARRAY: return &cgroup_array_map_ops;
	case BPF_MAP_TYPE_CPUMAP: return &cpumap_map_ops;
	case BPF_MAP_TYPE_XSKMAP: return &xskmap_map_ops;
	default: return NULL;
	}
}

bool uebpf_map_type_supported(enum bpf_map_type type)
{
	return map_ops_for(type) != NULL;
}

/* The kernel's rule for object names: [A-Za-z0-9_.], at most 15. */
static int valid_name(const char *name)
{
	if (!name)
		return 1;
	size_t n = strnlen(name, 16);
	if (n == 16)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static uint32_t random_u32(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)getpid() * 2654435761u ^ (uint32_t)(uintptr_t)&v;
	return v;
}

void map_get(struct map *map)
{
	atomic_fetch_add(&map->refs, 1);
}

void map_put(struct map *map)
{
	if (atomic_fetch_sub(&map->refs, 1) != 1)
		return;
	if (map->ops->detach)
		map->ops->detach(map);
	for (uint32_t i = 0; map->progs && i < map->hdr->max_entries; i++)
		prog_array_set(map, i, NULL, 0, map->prog_put);
	free(map->progs);
	seg_close(&map->seg);
	free(map->waiters);
	free(map);
}

/* Registers an opened or created segment as a map with an fd. */
static int map_register(struct map *map)
{
	int fd = map->seg.fd;
	if (fd < 0) {
		/* Anonymous memory has no file: the fd only names the map. */
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	map->fd = fd;
	map->hdr = map->seg.base;
	map->data = (uint8_t *)map->seg.base + map->hdr->data_off;
	atomic_store(&map->refs, 1);
	int err = registry_set(fd, map);
	if (err && map->seg.fd < 0)
		close(fd);
	return err ? err : fd;
}

/* Copies the template inner map of a map of maps into the header. 0 is
 * "none given"; an fd that is not open is EBADF, one that is not a map
 * EINVAL, as in the kernel. */
static int32_t inner_template(struct map_hdr *hdr, int fd)
{
	if (fd == 0)
		return 0;
	if (fd < 0)
		return -EBADF;
	struct map *inner = map_from_fd(fd);
	if (!inner)
		return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL;
	hdr->inner.given = 1;
	hdr->inner.type = inner->hdr->type;
	hdr->inner.key_size = inner->hdr->key_size;
	hdr->inner.value_size = inner->hdr->value_size;
	hdr->inner.max_entries = inner->hdr->max_entries;
	hdr->inner.map_flags = inner->hdr->map_flags;
	hdr->inner.map_extra = inner->hdr->map_extra;
	return 0;
}

int uebpf_map_create(enum bpf_map_type type, const char *name,
		     uint32_t key_size, uint32_t value_size,
		     uint32_t max_entries,
		     const struct uebpf_map_create_opts *opts)
{
	const struct map_ops *ops = map_ops_for(type);
	struct map_hdr hdr = { 0 };
	enum uebpf_segment_kind kind = UEBPF_SEGMENT_DEFAULT;
	const char *pin_dir = NULL;
	mode_t mode = 0;

	if (!ops || !valid_name(name))
		return -EINVAL;
	hdr.spin_lock_off = -1;
	if (opts) {
		if (opts->sz < offsetof(struct uebpf_map_create_opts, mode) + sizeof(mode_t))
			return -EINVAL;
		hdr.map_flags = opts->map_flags;
		hdr.map_extra = opts->map_extra;
		kind = opts->segment;
		pin_dir = opts->pin_dir;
		mode = opts->mode;
		/* Other types ignore the fd, as the kernel does. */
		if (type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS)
			hdr.inner.fd_err = inner_template(&hdr, opts->inner_map_fd);
		if (opts->sz >= offsetof(struct uebpf_map_create_opts, spin_lock_off) +
				   sizeof(opts->spin_lock_off) && opts->value_has_spin_lock) {
			/* Only hash and array values may hold a lock. */
			if (type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_ARRAY)
				return map_is_percpu(type) || type == BPF_MAP_TYPE_LRU_HASH
					       ? -EOPNOTSUPP : -EINVAL;
			if (opts->spin_lock_off % 4 || (uint64_t)opts->spin_lock_off + 4 > value_size)
				return -EINVAL;
			hdr.spin_lock_off = (int32_t)opts->spin_lock_off;
		}
	}
	memcpy(hdr.magic, MAP_MAGIC, sizeof(hdr.magic));
	hdr.layout_version = MAP_LAYOUT_VERSION;
	hdr.type = type;
	hdr.key_size = key_size;
	hdr.value_size = value_size;
	hdr.max_entries = max_entries;
	hdr.value_stride = round_up8(value_size);
	hdr.ncpus = map_is_percpu(type) ? (uint32_t)uebpf_num_possible_cpus() : 1;
	hdr.data_off = MAP_HDR_SIZE;
	hdr.id = random_u32() & 0x7fffffff;
	if (name)
		strncpy(hdr.name, name, sizeof(hdr.name) - 1);

	/* The kernel's BPF_F_RDONLY|WRONLY pairs, checked before the type's
	 * own rules (except by the bloom filter, which checks its value size
	 * first, in its check). */
	if ((hdr.map_flags & BPF_F_RDONLY && hdr.map_flags & BPF_F_WRONLY) ||
	    (type != BPF_MAP_TYPE_BLOOM_FILTER && hdr.map_flags & BPF_F_RDONLY_PROG &&
	     hdr.map_flags & BPF_F_WRONLY_PROG))
		return -EINVAL;
	int err = ops->check(&hdr);
	if (err)
		return err;
	hdr.total_size = hdr.data_off + hdr.data_size;
	/* BPF_F_RDONLY / WRONLY restrict the fd create returns, not the map
	 * (the kernel keeps them out of the map's flags too). */
	uint32_t fd_mode = hdr.map_flags & (BPF_F_RDONLY | BPF_F_WRONLY);
	hdr.map_flags &= ~(uint32_t)(BPF_F_RDONLY | BPF_F_WRONLY);
	/* A ring's data is mapped twice from its file: it needs one. */
	if (type == BPF_MAP_TYPE_RINGBUF && kind == UEBPF_SEGMENT_ANON)
		kind = UEBPF_SEGMENT_MEMFD;

	struct map *map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	map->ops = ops;
	map->fd_mode = fd_mode;
	err = seg_create(&map->seg, hdr.total_size, kind, pin_dir, mode);
	if (err) {
		free(map);
		return err == -E2BIG ? -ENOMEM : err;
	}
	memcpy(map->seg.base, &hdr, sizeof(hdr));
	err = ops->attach ? ops->attach(map) : 0;
	if (err) {
		seg_close(&map->seg);
		free(map);
		return err;
	}
	err = map_register(map);
	if (err >= 0 && ops->init) {
		int ierr = ops->init(map);
		if (ierr) {
			uebpf_map_close(err);
			return ierr;
		}
	}
	if (err < 0) {
		seg_close(&map->seg);
		free(map);
	}
	return err;
}

/* A segment found at a path: is it a map this build can use safely? */
static int check_opened(const struct map *map)
{
	const struct map_hdr *hdr = map->seg.base;
	if (map->seg.size < MAP_HDR_SIZE || memcmp(hdr->magic, MAP_MAGIC, 8))
		return -EINVAL;
	if (hdr->layout_version != MAP_LAYOUT_VERSION || !map_ops_for(hdr->type))
		return -EOPNOTSUPP;
	if (hdr->data_off != MAP_HDR_SIZE || hdr->data_size > map->seg.size ||
	    hdr->data_off + hdr->data_size > map->seg.size ||
	    hdr->total_size > map->seg.size || hdr->value_stride != round_up8(hdr->value_size) ||
	    hdr->ncpus == 0 || (!map_is_percpu(hdr->type) && hdr->ncpus != 1) ||
	    (hdr->spin_lock_off != -1 &&
	     (hdr->spin_lock_off < 0 || hdr->spin_lock_off % 4 ||
	      (uint64_t)hdr->spin_lock_off + 4 > hdr->value_size)))
		return -EINVAL;
	/* The type's own sizes must agree with what the header says. */
	struct map_hdr copy = *hdr;
	int err = map_ops_for(hdr->type)->check(&copy);
	if (err || copy.data_size != hdr->data_size)
		return -EINVAL;
	return 0;
}

int uebpf_obj_get(const char *path)
{
	struct map *map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	int err = seg_open(&map->seg, path, NULL);
	if (!err)
		err = check_opened(map);
	if (!err) {
		map->ops = map_ops_for(((struct map_hdr *)map->seg.base)->type);
		err = map->ops->attach ? map->ops->attach(map) : 0;
	}
	if (!err) {
		err = map_register(map);
		if (err >= 0)
			return err;
	}
	seg_close(&map->seg);
	free(map);
	return err;
}

int uebpf_obj_pin(int fd, const char *path)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	return seg_pin(&map->seg, path, NULL);
}

int map_close(int fd)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	registry_set(fd, NULL);
	/* As in the kernel, a program array empties when user space lets go
	 * of it, even if programs still use it (that breaks the cycle of a
	 * program holding the array that holds the program). */
	for (uint32_t i = 0; map->progs && i < map->hdr->max_entries; i++)
		prog_array_set(map, i, NULL, 0, map->prog_put);
	/* The segment's own fd is closed with the segment; a stand-in fd of
	 * an anonymous segment here. */
	if (map->seg.fd < 0)
		close(fd);
	map_put(map);
	return 0;
}

int uebpf_map_close(int fd)
{
	int err = map_close(fd);

	if (!err)
		inner_views_settle();
	return err;
}

void map_value_copy_in(const struct map_hdr *hdr, uint8_t *dst, const void *src, int locked)
{
	const uint8_t *s = src;
	int32_t off = hdr->spin_lock_off;
	if (off < 0) {
		memcpy(dst, src, hdr->value_size);
		return;
	}
	_Atomic uint32_t *lock = (_Atomic uint32_t *)(dst + off);
	if (locked)
		seg_lock(lock);
	memcpy(dst, s, (size_t)off);
	memcpy(dst + off + 4, s + off + 4, hdr->value_size - (size_t)off - 4);
	if (locked)
		seg_unlock(lock);
}

void map_value_copy_out(const struct map_hdr *hdr, void *dst, uint8_t *src, int locked)
{
	uint8_t *d = dst;
	int32_t off = hdr->spin_lock_off;
	if (off < 0) {
		memcpy(dst, src, hdr->value_size);
		return;
	}
	_Atomic uint32_t *lock = (_Atomic uint32_t *)(src + off);
	if (locked)
		seg_lock(lock);
	memcpy(d, src, (size_t)off);
	memcpy(d + off + 4, src + off + 4, hdr->value_size - (size_t)off - 4);
	if (locked)
		seg_unlock(lock);
	memset(d + off, 0, 4);
}

/* ---- element commands: the checks the kernel's syscall layer makes ---- */

/* The kernel copies keys and values in and out: a NULL one is EFAULT,
 * and keyless maps want no key at all. */
static int check_key(const struct map *map, const void *key)
{
	if (map->hdr->key_size == 0)
		return key ? -EINVAL : 0;
	return key ? 0 : -EFAULT;
}

/* The kernel runs a map's op before it copies the value out: with no
 * place for the value, the op's answer (ENOENT, ...) still comes first,
 * and only a success (which, for pop and lookup_and_delete, has taken the
 * element out) gives EFAULT. These run the op into a scratch value. */
static int keyless_without_value(struct map *map, int (*op)(struct map *, void *))
{
	void *scratch = malloc(map->hdr->value_size);
	if (!scratch)
		return -ENOMEM;
	int err = op(map, scratch);
	free(scratch);
	return err ? err : -EFAULT;
}

static int keyed_without_value(struct map *map, const void *key, uint64_t flags,
			       int (*op)(struct map *, const void *, void *, uint64_t))
{
	void *scratch = malloc(map_user_value_size(map->hdr));
	if (!scratch)
		return -ENOMEM;
	int err = op(map, key, scratch, flags);
	free(scratch);
	return err ? err : -EFAULT;
}

int uebpf_map_lookup_elem_flags(int fd, const void *key, void *value,
				uint64_t flags)
{
	if (flags & ~(uint64_t)BPF_F_LOCK)
		return -EINVAL; /* checked before the fd, as the kernel does */
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	if (map->fd_mode & BPF_F_WRONLY)
		return -EPERM;
	if (flags & BPF_F_LOCK && map->hdr->spin_lock_off < 0)
		return -EINVAL;
	int err = check_key(map, key);
	if (err)
		return err;
	if (map->ops->peek) { /* keyless maps: lookup reads (or tests) a value */
		if (flags)
			return -EINVAL;
		if (!value) /* the bloom filter's value is an input, copied in first */
			return map->hdr->type == BPF_MAP_TYPE_BLOOM_FILTER
				       ? -EFAULT : keyless_without_value(map, map->ops->peek);
		return map->ops->peek(map, value);
	}
	if (!map->ops->lookup)
		return -ENOTSUPP;
	if (!value)
		return keyed_without_value(map, key, flags, map->ops->lookup);
	return map->ops->lookup(map, key, value, flags);
}

int uebpf_map_lookup_elem(int fd, const void *key, void *value)
{
	return uebpf_map_lookup_elem_flags(fd, key, value, 0);
}

int uebpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	if (map->fd_mode & BPF_F_RDONLY || atomic_load(&map->hdr->frozen))
		return -EPERM;
	if (flags & BPF_F_LOCK && map->hdr->spin_lock_off < 0)
		return -EINVAL;
	int err = check_key(map, key);
	if (err)
		return err;
	if (!value)
		return -EFAULT;
	if (map->ops->push) /* keyless maps: update adds a value */
		return map->ops->push(map, value, flags);
	if (!map->ops->update)
		return -ENOTSUPP;
	return map->ops->update(map, key, value, flags, MAP_USER);
}

int uebpf_map_delete_elem(int fd, const void *key)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	if (map->fd_mode & BPF_F_RDONLY || atomic_load(&map->hdr->frozen))
		return -EPERM;
	int err = check_key(map, key);
	if (err)
		return err;
	if (!map->ops->delete)
		return -ENOTSUPP;
	return map->ops->delete(map, key);
}

int uebpf_map_lookup_and_delete_elem(int fd, const void *key, void *value)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	if (map->fd_mode & (BPF_F_RDONLY | BPF_F_WRONLY) ||
	    atomic_load(&map->hdr->frozen))
		return -EPERM;
	int err = check_key(map, key);
	if (err)
		return err;
	if (!map->ops->pop && !map->ops->lookup_and_delete)
		return -ENOTSUPP;
	if (map->ops->pop) /* queue, stack: take the next value out */
		return value ? map->ops->pop(map, value) : keyless_without_value(map, map->ops->pop);
	if (!value)
		return keyed_without_value(map, key, 0, map->ops->lookup_and_delete);
	return map->ops->lookup_and_delete(map, key, value, 0);
}

int uebpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	if (map->fd_mode & BPF_F_WRONLY)
		return -EPERM;
	if (key && map->hdr->key_size == 0)
		return -EINVAL;
	if (!map->ops->get_next_key)
		return -ENOTSUPP;
	if (next_key)
		return map->ops->get_next_key(map, key, next_key);
	/* The kernel copies the next key out after finding it: with nowhere
	 * to put it, the op's own answer comes first. */
	void *scratch = malloc(map->hdr->key_size + 1);
	if (!scratch)
		return -ENOMEM;
	int err = map->ops->get_next_key(map, key, scratch);
	free(scratch);
	return err ? err : -EFAULT;
}

int uebpf_map_freeze(int fd)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	/* Freezing needs the right to write, which a frozen map has lost:
	 * a second freeze is EPERM, as in the kernel. */
	if (map->fd_mode & BPF_F_RDONLY || atomic_load(&map->hdr->frozen))
		return -EPERM;
	if (map->hdr->spin_lock_off >= 0)
		return -ENOTSUPP; /* values with special fields cannot be frozen */
	if (map->writable_mmap)
		return -EBUSY;
	uint32_t was = 0;
	if (!atomic_compare_exchange_strong(&map->hdr->frozen, &was, 1))
		return -EPERM;
	return 0;
}

int uebpf_map_get_info(int fd, struct uebpf_map_info *info)
{
	struct map *map = map_from_fd(fd);
	if (!map)
		return -EBADF;
	const struct map_hdr *hdr = map->hdr;
	memset(info, 0, sizeof(*info));
	info->type = hdr->type;
	info->id = hdr->id;
	info->key_size = hdr->key_size;
	info->value_size = hdr->value_size;
	info->max_entries = hdr->max_entries;
	info->map_flags = hdr->map_flags;
	info->map_extra = hdr->map_extra;
	memcpy(info->name, hdr->name, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = '\0';
	info->frozen = atomic_load(&map->hdr->frozen) != 0;
	info->ncpus = hdr->ncpus;
	info->memory_size = map->seg.size;
	return 0;
}

void *uebpf_map_mmap(int fd, size_t *size)
{
	struct map *map = map_from_fd(fd);
	if (!map || !(map->hdr->map_flags & BPF_F_MMAPABLE)) {
		errno = map ? EINVAL : EBADF;
		return NULL;
	}
	if (map->hdr->spin_lock_off >= 0) {
		errno = ENOTSUPP;
		return NULL;
	}
	if (size)
		*size = map->hdr->data_size;
	/* The mapping is writable and stays: the map can no longer be frozen. */
	map->writable_mmap = 1;
	return map->data; /* the map's own shared mapping */
}

/* ---- batch commands ---- */

/* What the kernel checks before any batch: permissions, support, flags,
 * the count. Returns the map, or NULL with *err set (0: nothing to do). */
static struct map *batch_begin(int fd, int op, int write, uint32_t *count,
				     const struct uebpf_map_batch_opts *opts, int *err)
{
	struct map *map = map_from_fd(fd);
	uint64_t elem_flags = opts ? opts->elem_flags : 0;
	*err = -EBADF;
	if (!map)
		return NULL;
	*err = -EPERM;
	if (op & (MAP_BATCH_LOOKUP | MAP_BATCH_LOOKUP_AND_DELETE) &&
	    map->fd_mode & BPF_F_WRONLY)
		return NULL;
	if (write && (map->fd_mode & BPF_F_RDONLY || atomic_load(&map->hdr->frozen)))
		return NULL;
	*err = -ENOTSUPP;
	if (!(map->ops->batch & op))
		return NULL;
	/* Only BPF_F_LOCK, and only with a spin lock in the value. */
	*err = -EINVAL;
	if (elem_flags)
		return NULL;
	*err = -EFAULT;
	if (!count)
		return NULL;
	*err = 0;
	return *count ? map : NULL;
}

/* Lookups by walking the keys: in_batch/out_batch hold the last key
 * walked. Keys that vanish between the walk and the lookup are skipped. */
static int generic_lookup_batch(struct map *map, void *in_batch, void *out_batch,
				uint8_t *keys, uint8_t *values, uint32_t *count)
{
	uint32_t ks = map->hdr->key_size, n = 0;
	size_t vs = map_user_value_size(map->hdr);
	uint8_t *buf = malloc(2 * (size_t)ks + 1), *cur = buf, *prev = buf + ks;
	int have_prev = in_batch != NULL, err = 0;
	if (!buf)
		return -ENOMEM;
	if (in_batch)
		memcpy(prev, in_batch, ks);
	while (n < *count) {
		err = map->ops->get_next_key(map, have_prev ? prev : NULL, cur);
		if (err)
			break;
		err = map->ops->lookup(map, cur, values + n * vs, 0);
		if (err == 0)
			memcpy(keys + (size_t)n++ * ks, cur, ks);
		else if (err != -ENOENT)
			break;
		err = 0;
		uint8_t *t = prev; /* the key just walked is where to go on from */
		prev = cur;
		cur = t;
		have_prev = 1;
	}
	if (n)
		memcpy(out_batch, prev, ks);
	*count = n;
	free(buf);
	return err;
}

static int lookup_batch(int fd, int op, void *in_batch, void *out_batch, void *keys,
			void *values, uint32_t *count, const struct uebpf_map_batch_opts *opts)
{
	int err;
	struct map *map = batch_begin(fd, op, op == MAP_BATCH_LOOKUP_AND_DELETE, count,
					    opts, &err);
	if (!map)
		return err;
	if (!out_batch || !keys || !values)
		return -EFAULT;
	if (map->ops->lookup_batch) {
		if (opts && opts->flags)
			return -EINVAL;
		return map->ops->lookup_batch(map, in_batch, out_batch, keys, values, count,
					      op == MAP_BATCH_LOOKUP_AND_DELETE);
	}
	return generic_lookup_batch(map, in_batch, out_batch, keys, values, count);
}

int uebpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys,
			   void *values, uint32_t *count,
			   const struct uebpf_map_batch_opts *opts)
{
	return lookup_batch(fd, MAP_BATCH_LOOKUP, in_batch, out_batch, keys, values, count, opts);
}

int uebpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch,
				      void *keys, void *values, uint32_t *count,
				      const struct uebpf_map_batch_opts *opts)
{
	return lookup_batch(fd, MAP_BATCH_LOOKUP_AND_DELETE, in_batch, out_batch, keys, values,
			    count, opts);
}

/* Update and delete batches: one element after the other, stopping at
 * the first error; *count tells how many were done. */
int uebpf_map_update_batch(int fd, const void *keys, const void *values, uint32_t *count,
			   const struct uebpf_map_batch_opts *opts)
{
	int err;
	struct map *map = batch_begin(fd, MAP_BATCH_UPDATE, 1, count, opts, &err);
	if (!map)
		return err;
	if (!keys || !values)
		return -EFAULT;
	size_t ks = map->hdr->key_size, vs = map_user_value_size(map->hdr);
	uint32_t n = 0;
	for (; n < *count; n++) {
		err = map->ops->update(map, (const uint8_t *)keys + n * ks,
				       (const uint8_t *)values + n * vs, 0, MAP_USER);
		if (err)
			break;
	}
	*count = n;
	return err;
}

int uebpf_map_delete_batch(int fd, const void *keys, uint32_t *count,
			   const struct uebpf_map_batch_opts *opts)
{
	int err;
	struct map *map = batch_begin(fd, MAP_BATCH_DELETE, 1, count, opts, &err);
	if (!map)
		return err;
	if (!keys)
		return -EFAULT;
	size_t ks = map->hdr->key_size;
	uint32_t n = 0;
	for (; n < *count; n++) {
		err = map->ops->delete(map, (const uint8_t *)keys + n * ks);
		if (err)
			break;
	}
	*count = n;
	return err;
}
