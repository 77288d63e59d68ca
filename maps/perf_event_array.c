/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: slots of perf events for
 * bpf_perf_event_output, and the perf buffer consumer.
 *
 * An "event" here is a ring (uebpf_perf_event_open): a sealed memfd with
 * the kernel's perf mmap layout, a struct perf_event_mmap_page (uebpf's own
 * fields sit in its unused second half) and 2^n data pages. Records are the
 * kernel's: PERF_RECORD_SAMPLE {header, u32 raw size, data, padding} and
 * PERF_RECORD_LOST {header, id, lost}; data_head/data_tail are free-running.
 *
 * A map slot names its ring by the process and fd that put it there, and
 * the ring's random cookie: a producer in any process opens
 * /proc/PID/fd/FD, checks the cookie, and keeps the mapping in a cache of
 * its own process, per (map id, slot). Slots change under a lock in the
 * segment and are read lock-free through a sequence count.
 *
 * Producers of one ring serialize on a lock word in the ring (another
 * process may write into it too); the consumer needs none. Wake-ups: a
 * sequence word in the ring (futex, across processes) and, for consumers in
 * the producer's process, eventfds usable with epoll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "maps/lock.h"
#include "maps/map.h"
#include "maps/perf_event_array.h"
#include "uebpf/perf_buffer.h"

#define PAGE 4096
#define RING_MAGIC "uebpfprf"
#define RING_LAYOUT_VERSION 1
#define RING_PRIV_OFF 2048     /* past the kernel's fields (1088 bytes) */
#define RING_MAX_PAGES (1u << 18) /* 1 GiB of data */
#define MAX_RECORD 0xffffu     /* perf_event_header.size is 16 bits */
#define LOST_RECORD 24

/* ---- rings ---- */

/* uebpf's part of a ring's control page. Set at creation, except where
 * marked. */
struct ring_priv {
	char magic[8];
	uint32_t layout_version;
	uint32_t page_cnt;
	int32_t cpu;      /* programs on this CPU may write into it; -1: any */
	uint32_t pad;
	uint64_t cookie;  /* random, never 0: names the ring; LOST records' id */
	_Atomic uint32_t lock;      /* producers, in any process */
	_Atomic uint32_t wake_seq;  /* bumped on each record (futex word) */
	_Atomic uint32_t sleepers;  /* consumers waiting on wake_seq */
	_Atomic uint32_t want_wake; /* an epoll consumer has caught up */
	_Atomic uint32_t closed;    /* its consumer is gone */
	uint32_t pad2;
	uint64_t lost;    /* under lock: samples dropped since the last LOST record */
};

/* One process's mapping of a ring: the control page, the data pages, and
 * the data pages again, so that records that wrap are contiguous. */
struct ring_view {
	struct segment seg;
	struct perf_event_mmap_page *pg;
	struct ring_priv *priv;
	uint8_t *data;
	uint64_t mask;   /* data size - 1 */
	uint64_t cookie; /* as found when mapped: never re-read */
	int32_t cpu;
};

static uint64_t random_cookie(void)
{
	uint64_t v = 0;
	while (!v)
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			v = ((uint64_t)getpid() << 32 ^ (uint64_t)time(NULL)) * 0x9e3779b97f4a7c15ull;
	return v;
}

/* Is fd a ring? Reads its uebpf fields; the file must be sealed against
 * shrinking (nobody can make a mapping of it fault) and have the size its
 * page count says. */
static int ring_read_priv(int fd, struct ring_priv *rp)
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EBADF;
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK) ||
	    pread(fd, rp, sizeof(*rp), RING_PRIV_OFF) != (ssize_t)sizeof(*rp))
		return -EBADF;
	uint32_t pages = rp->page_cnt;
	if (memcmp(rp->magic, RING_MAGIC, 8) || rp->layout_version != RING_LAYOUT_VERSION ||
	    !pages || pages & (pages - 1) || pages > RING_MAX_PAGES || rp->cpu < -1 ||
	    !rp->cookie || (uint64_t)st.st_size != (1 + (uint64_t)pages) * PAGE)
		return -EBADF;
	return 0;
}

/* Maps the ring fd (which stays the caller's). cookie: the one expected,
 * or 0 for any. */
static int ring_map(int fd, uint64_t cookie, struct ring_view *v)
{
	struct ring_priv rp;
	int err = ring_read_priv(fd, &rp);
	if (err)
		return err;
	if (cookie && rp.cookie != cookie)
		return -ESTALE;
	size_t data_size = (size_t)rp.page_cnt * PAGE;
	struct segment seg = { .fd = fd, .size = PAGE + data_size, .kind = UEBPF_SEGMENT_MEMFD };
	seg.base = mmap(NULL, seg.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (seg.base == MAP_FAILED)
		return -errno;
	err = seg_mirror_tail(&seg, data_size);
	if (err) {
		munmap(seg.base, seg.size);
		return err;
	}
	seg.fd = -1; /* the mapping is enough */
	v->seg = seg;
	v->pg = seg.base;
	v->priv = (struct ring_priv *)((uint8_t *)seg.base + RING_PRIV_OFF);
	v->data = (uint8_t *)seg.base + PAGE;
	v->mask = data_size - 1;
	v->cookie = rp.cookie;
	v->cpu = rp.cpu;
	return 0;
}

static void ring_unmap(struct ring_view *v)
{
	if (v->pg)
		seg_close(&v->seg);
	memset(v, 0, sizeof(*v));
}

int uebpf_perf_event_open(int cpu, size_t page_cnt)
{
	if (cpu < -1 || cpu >= uebpf_num_possible_cpus() || !page_cnt ||
	    page_cnt & (page_cnt - 1) || page_cnt > RING_MAX_PAGES)
		return -EINVAL;
	int fd = memfd_create("uebpf-perf-event", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* The control page as the kernel fills it for a BPF output event. */
	static const size_t priv_end = RING_PRIV_OFF + sizeof(struct ring_priv);
	_Static_assert(sizeof(struct perf_event_mmap_page) <= RING_PRIV_OFF, "room");
	uint8_t page[PAGE] = { 0 };
	struct perf_event_mmap_page *pg = (struct perf_event_mmap_page *)page;
	pg->cap_bit0_is_deprecated = 1;
	pg->size = offsetof(struct perf_event_mmap_page, __reserved);
	pg->data_offset = PAGE;
	pg->data_size = (uint64_t)page_cnt * PAGE;
	struct ring_priv rp = { .layout_version = RING_LAYOUT_VERSION,
				.page_cnt = (uint32_t)page_cnt, .cpu = cpu,
				.cookie = random_cookie() };
	memcpy(rp.magic, RING_MAGIC, 8);
	memcpy(page + RING_PRIV_OFF, &rp, sizeof(rp));
	int err = 0;
	if (ftruncate(fd, (off_t)((1 + page_cnt) * PAGE)))
		err = -errno;
	else if (pwrite(fd, page, priv_end, 0) != (ssize_t)priv_end)
		err = -EIO;
	else if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* ---- the map ---- */

/* The data area: this header, then the slots. */
struct pea_shared {
	_Atomic uint32_t lock; /* writers of slots */
	uint32_t pad[15];
};

/* An empty slot has pid 0. */
struct pea_slot {
	_Atomic uint32_t seq; /* odd while being changed */
	_Atomic uint32_t pid; /* the process holding the ring's fd */
	_Atomic int32_t fd;
	uint32_t pad;
	_Atomic uint64_t cookie;
	uint64_t pad2;
};

struct slot_val {
	uint32_t pid;
	int32_t fd;
	uint64_t cookie;
};

static struct pea_shared *pea_shared(struct map *map)
{
	return (struct pea_shared *)map->data;
}

static struct pea_slot *pea_slot(struct map *map, uint32_t index)
{
	return (struct pea_slot *)(map->data + sizeof(struct pea_shared)) + index;
}

static int pea_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
				 BPF_F_PRESERVE_ELEMS;
	if (hdr->key_size != 4 || hdr->value_size != 4 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	hdr->data_size = sizeof(struct pea_shared) +
			 (uint64_t)hdr->max_entries * sizeof(struct pea_slot);
	return 0;
}

/* A consistent copy of a slot. A writer that died halfway leaves the
 * count odd: after a while the slot reads as empty. */
static void slot_read(struct pea_slot *s, struct slot_val *v)
{
	for (unsigned tries = 0; tries < 4096; tries++) {
		uint32_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		if (!(seq & 1)) {
			/* Acquire: the second look at seq stays after these. */
			v->pid = atomic_load_explicit(&s->pid, memory_order_acquire);
			v->fd = atomic_load_explicit(&s->fd, memory_order_acquire);
			v->cookie = atomic_load_explicit(&s->cookie, memory_order_acquire);
			if (atomic_load_explicit(&s->seq, memory_order_relaxed) == seq)
				return;
		}
		if (tries < 64)
			cpu_relax();
		else
			sched_yield();
	}
	memset(v, 0, sizeof(*v));
}

/* Under the map's lock. */
static void slot_write(struct pea_slot *s, const struct slot_val *v)
{
	uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed) & ~1u;
	/* Release: whoever sees a new field sees the odd count too. */
	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	atomic_store_explicit(&s->pid, v->pid, memory_order_release);
	atomic_store_explicit(&s->fd, v->fd, memory_order_release);
	atomic_store_explicit(&s->cookie, v->cookie, memory_order_release);
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

static int pea_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	return -ENOTSUPP; /* the kernel has no way to show an event to user space */
}

/* User space puts a ring in by its fd (the kernel: a perf event fd). */
static int pea_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	uint32_t index;
	int32_t fd;
	memcpy(&index, key, 4);
	memcpy(&fd, value, 4);
	if (cpu != MAP_USER || flags != BPF_ANY)
		return -EINVAL; /* programs cannot (the verifier refuses them) */
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	struct ring_priv rp;
	int err = fd < 0 ? -EBADF : ring_read_priv(fd, &rp);
	if (err)
		return err;
	struct slot_val v = { (uint32_t)getpid(), fd, rp.cookie };
	seg_lock(&pea_shared(map)->lock);
	slot_write(pea_slot(map, index), &v);
	seg_unlock(&pea_shared(map)->lock);
	return 0;
}

/* Empties slot index if it holds cookie (any ring: cookie 0). */
static int slot_clear(struct map *map, uint32_t index, uint64_t cookie)
{
	struct pea_slot *s = pea_slot(map, index);
	struct slot_val v, empty = { 0, 0, 0 };
	int err = -ENOENT;
	seg_lock(&pea_shared(map)->lock);
	slot_read(s, &v);
	if (v.pid && (!cookie || v.cookie == cookie)) {
		slot_write(s, &empty);
		err = 0;
	}
	seg_unlock(&pea_shared(map)->lock);
	return err;
}

static int pea_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	return slot_clear(map, index, 0);
}

static int pea_get_next_key(struct map *map, const void *key, void *next_key)
{
	return array_get_next_key(map, key, next_key);
}

const struct map_ops perf_event_array_map_ops = {
	.check = pea_check,
	.lookup = pea_lookup,
	.update = pea_update,
	.delete = pea_delete,
	.get_next_key = pea_get_next_key,
};

/* ---- this process's view of the rings in slots ---- */

/* One per (map, slot) this process has written to; never freed. The
 * rwlock keeps the mapping while a producer writes into it. */
struct cache_entry {
	_Atomic(struct cache_entry *) next;
	uint32_t map_id, index;
	pthread_rwlock_t lock;
	struct ring_view view;  /* view.pg NULL: none */
	uint64_t dead_cookie;   /* a ring that could not be opened */
};

#define CACHE_BUCKETS 1024
static _Atomic(struct cache_entry *) cache[CACHE_BUCKETS];
static pthread_mutex_t cache_add_lock = PTHREAD_MUTEX_INITIALIZER;

static struct cache_entry *cache_get(uint32_t map_id, uint32_t index)
{
	uint32_t b = ((map_id * 2654435761u) ^ (index * 40503u + index)) % CACHE_BUCKETS;
	struct cache_entry *e;
	for (e = atomic_load_explicit(&cache[b], memory_order_acquire); e;
	     e = atomic_load_explicit(&e->next, memory_order_acquire))
		if (e->map_id == map_id && e->index == index)
			return e;
	pthread_mutex_lock(&cache_add_lock);
	for (e = atomic_load(&cache[b]); e; e = atomic_load(&e->next))
		if (e->map_id == map_id && e->index == index)
			break;
	if (!e && (e = calloc(1, sizeof(*e)))) {
		e->map_id = map_id;
		e->index = index;
		/* Producers read-lock all the time: a remap must not starve. */
		pthread_rwlockattr_t attr;
		pthread_rwlockattr_init(&attr);
		pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&e->lock, &attr);
		pthread_rwlockattr_destroy(&attr);
		atomic_store_explicit(&e->next, atomic_load(&cache[b]), memory_order_relaxed);
		atomic_store_explicit(&cache[b], e, memory_order_release);
	}
	pthread_mutex_unlock(&cache_add_lock);
	return e;
}

/* Drops the mappings of rings whose consumer is gone (those not in use
 * right now; the next sweep gets the others). */
static void cache_sweep(void)
{
	for (size_t b = 0; b < CACHE_BUCKETS; b++)
		for (struct cache_entry *e = atomic_load(&cache[b]); e; e = atomic_load(&e->next)) {
			if (pthread_rwlock_trywrlock(&e->lock))
				continue;
			if (e->view.pg && atomic_load(&e->view.priv->closed))
				ring_unmap(&e->view);
			pthread_rwlock_unlock(&e->lock);
		}
}

/* Makes e map the ring slot value v names (under e's write lock). */
static void cache_refresh(struct cache_entry *e, const struct slot_val *v)
{
	if (e->view.pg && (e->view.cookie != v->cookie || atomic_load(&e->view.priv->closed)))
		ring_unmap(&e->view);
	if (e->view.pg || e->dead_cookie == v->cookie)
		return;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/fd/%d", v->pid, v->fd);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int err = fd < 0 ? -errno : ring_map(fd, v->cookie, &e->view);
	/* Closed, or its process is gone (not: this process is short of
	 * something for now). */
	if (err && err != -EMFILE && err != -ENFILE && err != -ENOMEM)
		e->dead_cookie = v->cookie;
	if (fd >= 0)
		close(fd);
}

/* ---- producing ---- */

/* In-process epoll consumers: the eventfd of each ring they read. */
struct local_waiter {
	uint64_t cookie;
	int event_fd;
};
static pthread_mutex_t local_lock = PTHREAD_MUTEX_INITIALIZER;
static struct local_waiter *local_waiters;
static size_t local_cnt, local_cap;
static _Atomic uint32_t local_any;

static void futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* After a record is published: wake sleeping consumers (any process), and
 * an epoll consumer of this process that has caught up. */
static void ring_wake(struct ring_view *v)
{
	struct ring_priv *p = v->priv;
	atomic_fetch_add(&p->wake_seq, 1); /* also orders data_head before the loads */
	if (atomic_load(&p->sleepers))
		futex_wake_all(&p->wake_seq);
	if (!atomic_load_explicit(&local_any, memory_order_relaxed) || !atomic_load(&p->want_wake))
		return;
	pthread_mutex_lock(&local_lock);
	for (size_t i = 0; i < local_cnt; i++) {
		if (local_waiters[i].cookie != v->cookie)
			continue;
		uint64_t one = 1;
		/* Once per catch-up; a full counter still wakes the reader. */
		if (atomic_exchange(&p->want_wake, 0) &&
		    write(local_waiters[i].event_fd, &one, sizeof(one)) < 0) {
		}
		break;
	}
	pthread_mutex_unlock(&local_lock);
}

/* The kernel's perf_output_begin: room for the record (and a LOST record
 * first if samples were dropped), leaving one byte free; else the sample is
 * counted lost. Padding bytes are skipped, not written, as the kernel does. */
static int ring_write(struct ring_view *v, const void *data, uint32_t size, uint32_t rec)
{
	struct ring_priv *p = v->priv;
	seg_lock(&p->lock);
	uint64_t lost = p->lost;
	uint64_t need = rec + (lost ? LOST_RECORD : 0);
	uint64_t head = __atomic_load_n(&v->pg->data_head, __ATOMIC_RELAXED);
	uint64_t tail = __atomic_load_n(&v->pg->data_tail, __ATOMIC_ACQUIRE);
	if (((tail - (head + 1)) & v->mask) < need) {
		p->lost = lost + 1;
		seg_unlock(&p->lock);
		return -ENOSPC;
	}
	uint8_t *at = v->data + (head & v->mask);
	if (lost) {
		struct {
			struct perf_event_header header;
			uint64_t id, lost;
		} rl = { { PERF_RECORD_LOST, 0, LOST_RECORD }, v->cookie, lost };
		memcpy(at, &rl, LOST_RECORD);
		at += LOST_RECORD;
		p->lost = 0;
	}
	struct perf_event_header h = { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL, (uint16_t)rec };
	uint32_t raw_size = rec - sizeof(h) - 4;
	memcpy(at, &h, sizeof(h));
	memcpy(at + sizeof(h), &raw_size, 4);
	memcpy(at + sizeof(h) + 4, data, size);
	/* Sequentially consistent, as want_wake below and in consume_ring:
	 * either the producer sees the consumer's want_wake, or the consumer
	 * sees this head. */
	__atomic_store_n(&v->pg->data_head, head + need, __ATOMIC_SEQ_CST);
	seg_unlock(&p->lock);
	ring_wake(v);
	return 0;
}

int perf_event_array_output(struct map *map, uint64_t flags, const void *data,
			    uint64_t size)
{
	if (flags & ~(uint64_t)BPF_F_INDEX_MASK)
		return -EINVAL;
	int c = sched_getcpu();
	uint32_t cpu = c < 0 ? 0 : (uint32_t)c;
	uint64_t index = flags == BPF_F_CURRENT_CPU ? cpu : flags;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	struct slot_val sv;
	slot_read(pea_slot(map, (uint32_t)index), &sv);
	if (!sv.pid)
		return -ENOENT;
	struct cache_entry *e = cache_get(map->hdr->id, (uint32_t)index);
	if (!e)
		return -ENOMEM;
	pthread_rwlock_rdlock(&e->lock);
	if (!e->view.pg || e->view.cookie != sv.cookie || atomic_load(&e->view.priv->closed)) {
		if (e->dead_cookie == sv.cookie) {
			pthread_rwlock_unlock(&e->lock);
			return -ENOENT;
		}
		/* Map the ring the slot names now (and let go of others). */
		pthread_rwlock_unlock(&e->lock);
		cache_sweep();
		pthread_rwlock_wrlock(&e->lock);
		cache_refresh(e, &sv);
		pthread_rwlock_unlock(&e->lock);
		pthread_rwlock_rdlock(&e->lock);
		if (!e->view.pg || e->view.cookie != sv.cookie ||
		    atomic_load(&e->view.priv->closed)) {
			pthread_rwlock_unlock(&e->lock);
			return -ENOENT; /* as the kernel's slot once its owner is gone */
		}
	}
	int err;
	/* The record: header, u32 raw size, data padded to a multiple of 8. */
	uint64_t rec = sizeof(struct perf_event_header) + ((size + 4 + 7) & ~7ull);
	if (e->view.cpu >= 0 && (uint32_t)e->view.cpu != cpu)
		err = -EOPNOTSUPP; /* the kernel's event->oncpu check */
	else if (size > MAX_RECORD || rec > MAX_RECORD)
		err = -E2BIG; /* the kernel would wrap header.size */
	else
		err = ring_write(&e->view, data, (uint32_t)size, (uint32_t)rec);
	pthread_rwlock_unlock(&e->lock);
	return err;
}

/* ---- consuming ---- */

struct pb_ring {
	struct ring_view view;
	int fd;
	int cpu;
};

struct uebpf_perf_buffer {
	struct map *map;
	struct pb_ring *rings;
	size_t n;
	uebpf_perf_buffer_sample_fn sample_cb;
	uebpf_perf_buffer_lost_fn lost_cb;
	void *ctx;
	int epoll_fd;
	int event_fd; /* signalled by producers in this process */
};

static int local_add(uint64_t cookie, int event_fd)
{
	pthread_mutex_lock(&local_lock);
	int err = 0;
	if (local_cnt == local_cap) {
		size_t cap = local_cap ? 2 * local_cap : 16;
		struct local_waiter *w = realloc(local_waiters, cap * sizeof(*w));
		if (w) {
			local_waiters = w;
			local_cap = cap;
		} else {
			err = -ENOMEM;
		}
	}
	if (!err) {
		local_waiters[local_cnt++] = (struct local_waiter){ cookie, event_fd };
		atomic_fetch_add(&local_any, 1);
	}
	pthread_mutex_unlock(&local_lock);
	return err;
}

static void local_remove(uint64_t cookie)
{
	pthread_mutex_lock(&local_lock);
	for (size_t i = 0; i < local_cnt; i++)
		if (local_waiters[i].cookie == cookie) {
			local_waiters[i] = local_waiters[--local_cnt];
			atomic_fetch_sub(&local_any, 1);
			break;
		}
	pthread_mutex_unlock(&local_lock);
}

struct uebpf_perf_buffer *uebpf_perf_buffer_new(int map_fd, size_t page_cnt,
						uebpf_perf_buffer_sample_fn sample_cb,
						uebpf_perf_buffer_lost_fn lost_cb, void *ctx)
{
	struct map *map = map_from_fd(map_fd);
	if (!map) {
		errno = EBADF;
		return NULL;
	}
	if (map->hdr->type != BPF_MAP_TYPE_PERF_EVENT_ARRAY || !page_cnt ||
	    page_cnt & (page_cnt - 1) || page_cnt > RING_MAX_PAGES) {
		errno = EINVAL;
		return NULL;
	}
	struct uebpf_perf_buffer *pb = calloc(1, sizeof(*pb));
	size_t n = (size_t)uebpf_num_possible_cpus();
	if (n > map->hdr->max_entries)
		n = map->hdr->max_entries;
	if (!pb || !(pb->rings = calloc(n, sizeof(*pb->rings)))) {
		free(pb);
		errno = ENOMEM;
		return NULL;
	}
	map_get(map);
	pb->map = map;
	pb->sample_cb = sample_cb;
	pb->lost_cb = lost_cb;
	pb->ctx = ctx;
	pb->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	int err = 0;
	if (pb->event_fd < 0 || pb->epoll_fd < 0 ||
	    epoll_ctl(pb->epoll_fd, EPOLL_CTL_ADD, pb->event_fd, &ev))
		err = -errno;
	for (size_t i = 0; i < n && !err; i++) {
		struct pb_ring *r = &pb->rings[i];
		r->cpu = (int)i;
		r->fd = uebpf_perf_event_open((int)i, page_cnt);
		if (r->fd < 0) {
			err = r->fd;
			break;
		}
		pb->n++;
		uint32_t key = (uint32_t)i;
		err = ring_map(r->fd, 0, &r->view);
		if (!err) {
			/* Nothing to read yet: the first record signals. */
			atomic_store(&r->view.priv->want_wake, 1);
			err = local_add(r->view.cookie, pb->event_fd);
		}
		if (!err)
			err = uebpf_map_update_elem(map_fd, &key, &r->fd, BPF_ANY);
	}
	if (err) {
		uebpf_perf_buffer_free(pb);
		errno = -err;
		return NULL;
	}
	return pb;
}

void uebpf_perf_buffer_free(struct uebpf_perf_buffer *pb)
{
	if (!pb)
		return;
	for (size_t i = 0; i < pb->n; i++) {
		struct pb_ring *r = &pb->rings[i];
		if (r->view.pg) {
			slot_clear(pb->map, (uint32_t)r->cpu, r->view.cookie);
			atomic_store(&r->view.priv->closed, 1);
			local_remove(r->view.cookie);
			ring_unmap(&r->view);
		}
		close(r->fd);
	}
	free(pb->rings);
	if (pb->epoll_fd >= 0)
		close(pb->epoll_fd);
	if (pb->event_fd >= 0)
		close(pb->event_fd);
	map_put(pb->map);
	free(pb);
}

/* Hands the ring's records to the callbacks; returns how many, or -EINVAL
 * for a damaged ring (whose records are then skipped). */
static int64_t consume_ring(struct uebpf_perf_buffer *pb, struct pb_ring *r)
{
	struct ring_view *v = &r->view;
	uint64_t size = v->mask + 1;
	uint64_t tail = __atomic_load_n(&v->pg->data_tail, __ATOMIC_RELAXED);
	int64_t n = 0;
	/* Tell in-process producers to signal the next record, then look. */
	atomic_store(&v->priv->want_wake, 1);
	for (;;) {
		uint64_t head = __atomic_load_n(&v->pg->data_head, __ATOMIC_SEQ_CST);
		if (head == tail)
			return n;
		if (head - tail > size)
			goto damaged;
		while (tail != head) {
			const uint8_t *rec = v->data + (tail & v->mask);
			struct perf_event_header h;
			memcpy(&h, rec, sizeof(h));
			if (h.size < sizeof(h) || h.size > head - tail)
				goto damaged;
			if (h.type == PERF_RECORD_SAMPLE) {
				uint32_t raw;
				if (h.size < sizeof(h) + 4)
					goto damaged;
				memcpy(&raw, rec + sizeof(h), 4);
				if (raw > h.size - sizeof(h) - 4u)
					goto damaged;
				if (pb->sample_cb)
					pb->sample_cb(pb->ctx, r->cpu, (void *)(rec + sizeof(h) + 4), raw);
				n++;
			} else if (h.type == PERF_RECORD_LOST && h.size >= LOST_RECORD) {
				uint64_t lost;
				memcpy(&lost, rec + 16, 8);
				if (pb->lost_cb)
					pb->lost_cb(pb->ctx, r->cpu, lost);
				n++;
			}
			tail += h.size;
			__atomic_store_n(&v->pg->data_tail, tail, __ATOMIC_RELEASE);
		}
	}
damaged:
	__atomic_store_n(&v->pg->data_tail,
			 __atomic_load_n(&v->pg->data_head, __ATOMIC_ACQUIRE), __ATOMIC_RELEASE);
	return -EINVAL;
}

int uebpf_perf_buffer_consume(struct uebpf_perf_buffer *pb)
{
	uint64_t drain; /* reset the epoll signal: everything is read now */
	if (read(pb->event_fd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
		return -errno;
	int64_t total = 0;
	int err = 0;
	for (size_t i = 0; i < pb->n; i++) {
		int64_t n = consume_ring(pb, &pb->rings[i]);
		if (n < 0)
			err = (int)n;
		else
			total += n;
	}
	if (err)
		return err;
	return total > INT_MAX ? INT_MAX : (int)total;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sleeps until a ring's sequence word differs from seqs[i] (or until
 * deadline_ns, CLOCK_MONOTONIC): on all of them at once with futex_waitv,
 * else on the first with short slices. */
static void wait_rings(struct uebpf_perf_buffer *pb, const uint32_t *seqs, int64_t deadline_ns)
{
	size_t n = pb->n < FUTEX_WAITV_MAX ? pb->n : FUTEX_WAITV_MAX;
	struct futex_waitv w[FUTEX_WAITV_MAX];
	int64_t deadline = deadline_ns;
	if (n < pb->n && deadline - now_ns() > 10000000)
		deadline = now_ns() + 10000000; /* look at the others now and then */
	struct timespec ts = { deadline / 1000000000, deadline % 1000000000 };
	for (size_t i = 0; i < n; i++) {
		atomic_fetch_add(&pb->rings[i].view.priv->sleepers, 1);
		w[i] = (struct futex_waitv){ .val = seqs[i], .flags = FUTEX_32,
					     .uaddr = (uintptr_t)&pb->rings[i].view.priv->wake_seq };
	}
	if (syscall(SYS_futex_waitv, w, (unsigned)n, 0, &ts, CLOCK_MONOTONIC) < 0 &&
	    errno == ENOSYS) {
		int64_t left = deadline - now_ns();
		if (left > 10000000)
			left = 10000000;
		if (left > 0) {
			struct timespec rel = { 0, (long)left };
			syscall(SYS_futex, (uint32_t *)&pb->rings[0].view.priv->wake_seq,
				FUTEX_WAIT, seqs[0], &rel, NULL, 0);
		}
	}
	for (size_t i = 0; i < n; i++)
		atomic_fetch_sub(&pb->rings[i].view.priv->sleepers, 1);
}

int uebpf_perf_buffer_poll(struct uebpf_perf_buffer *pb, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? INT64_MAX / 2 : now_ns() + (int64_t)timeout_ms * 1000000;
	uint32_t *seqs = calloc(pb->n ? pb->n : 1, sizeof(*seqs));
	if (!seqs)
		return -ENOMEM;
	int n;
	for (;;) {
		/* Read the sequences first: a record written after the consume
		 * below changes one, and the wait returns at once. */
		for (size_t i = 0; i < pb->n; i++)
			seqs[i] = atomic_load(&pb->rings[i].view.priv->wake_seq);
		n = uebpf_perf_buffer_consume(pb);
		if (n != 0 || timeout_ms == 0 || !pb->n || now_ns() >= deadline)
			break;
		wait_rings(pb, seqs, deadline);
	}
	free(seqs);
	return n;
}

int uebpf_perf_buffer_epoll_fd(const struct uebpf_perf_buffer *pb)
{
	return pb->epoll_fd;
}

size_t uebpf_perf_buffer_buffer_cnt(const struct uebpf_perf_buffer *pb)
{
	return pb->n;
}

int uebpf_perf_buffer_buffer_fd(const struct uebpf_perf_buffer *pb, size_t i)
{
	return i < pb->n ? pb->rings[i].fd : -EINVAL;
}

int uebpf_perf_buffer_buffer(const struct uebpf_perf_buffer *pb, size_t i, void **buf,
			     size_t *size)
{
	if (i >= pb->n)
		return -EINVAL;
	*buf = pb->rings[i].view.pg;
	*size = PAGE + pb->rings[i].view.mask + 1;
	return 0;
}
