/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_RINGBUF: the kernel's ring buffer, with its memory layout.
 *
 * Data area (after the header page): a consumer page (consumer_pos), a
 * producer page (producer_pos, then uebpf's own producer state), and the
 * ring, max_entries bytes, mapped twice in a row so that a record that
 * wraps reads as contiguous memory. Records: an 8-byte header {len, pg_off}
 * (len's bit 31 = busy, bit 30 = discarded) and the data, padded to 8.
 * Positions are free-running byte counters.
 *
 * Producers reserve under a lock (as the kernel's spinlock), commit by
 * clearing the busy bit; consumers need no lock. Wake-ups: a sequence
 * word in the producer page (futex, across processes) and, for consumers
 * in the producer's own process, eventfds usable with epoll.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "maps/lock.h"
#include "maps/map.h"
#include "maps/ringbuf.h"

#define PAGE 4096
#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define RB_HDR 8

struct rb_consumer_page {
	_Atomic uint64_t consumer_pos;
};

struct rb_producer_page {
	_Atomic uint64_t producer_pos; /* what the kernel's page holds */
	uint8_t pad[56];
	/* uebpf's producer state, shared by all processes. */
	_Atomic uint32_t lock;
	_Atomic uint32_t wake_seq; /* bumped on each wake-up (futex word) */
	_Atomic uint32_t sleepers; /* consumers waiting on wake_seq */
	uint32_t pad2;
	uint64_t pending_pos;      /* oldest record maybe still busy */
};

/* In-process consumers' eventfds, signalled on wake-ups. */
struct map_waiters {
	pthread_mutex_t lock;
	int fds[16];
	int n;
};

static struct rb_consumer_page *cons_page(struct map *map)
{
	return (struct rb_consumer_page *)map->data;
}

static struct rb_producer_page *prod_page(struct map *map)
{
	return (struct rb_producer_page *)(map->data + PAGE);
}

static uint8_t *ring(struct map *map)
{
	return map->data + 2 * PAGE;
}

struct rb_hdr {
	_Atomic uint32_t len;
	uint32_t pg_off;
};

static int rb_check(struct map_hdr *hdr)
{
	uint32_t size = hdr->max_entries;
	if (hdr->key_size || hdr->value_size || size == 0 || size & (size - 1) ||
	    size % PAGE || hdr->map_flags & ~(uint32_t)BPF_F_NUMA_NODE || hdr->map_extra)
		return -EINVAL;
	hdr->data_size = 2 * PAGE + (uint64_t)size;
	return 0;
}

static int rb_attach(struct map *map)
{
	const struct map_hdr *hdr = map->seg.base;
	return seg_mirror_tail(&map->seg, hdr->max_entries);
}

static int rb_unsupported(struct map *map, const void *key, void *value, uint64_t flags)
{
	return -ENOTSUPP;
}

static int rb_update(struct map *map, const void *key, const void *value,
		     uint64_t flags, uint32_t cpu)
{
	return -ENOTSUPP;
}

static int rb_delete(struct map *map, const void *key)
{
	return -ENOTSUPP;
}

static int rb_get_next_key(struct map *map, const void *key, void *next)
{
	return -ENOTSUPP;
}

/* ---- producing ---- */

static void futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Wakes consumers: those sleeping on the sequence word, in any process,
 * and this process's epoll-style consumers. */
static void rb_wake(struct map *map)
{
	struct rb_producer_page *pp = prod_page(map);
	atomic_fetch_add(&pp->wake_seq, 1);
	if (atomic_load(&pp->sleepers))
		futex_wake_all(&pp->wake_seq);
	struct map_waiters *w = map->waiters;
	if (w) {
		uint64_t one = 1;
		pthread_mutex_lock(&w->lock);
		for (int i = 0; i < w->n; i++)
			if (write(w->fds[i], &one, sizeof(one)) < 0)
				continue; /* a full counter still wakes the reader */
		pthread_mutex_unlock(&w->lock);
	}
}

void *ringbuf_reserve(struct map *map, uint64_t size, uint64_t flags)
{
	uint64_t mask = map->hdr->max_entries - 1;
	if (flags || size > UINT32_MAX / 4)
		return NULL;
	uint64_t len = (size + RB_HDR + 7) & ~7ull;
	if (len > mask + 1)
		return NULL;

	struct rb_producer_page *pp = prod_page(map);
	seg_lock(&pp->lock);
	uint64_t cons = atomic_load_explicit(&cons_page(map)->consumer_pos, memory_order_acquire);
	uint64_t prod = atomic_load_explicit(&pp->producer_pos, memory_order_relaxed);
	/* Skip over the records committed since the oldest pending one. */
	uint64_t pend = pp->pending_pos;
	while (pend < prod) {
		struct rb_hdr *h = (struct rb_hdr *)(ring(map) + (pend & mask));
		uint32_t hl = atomic_load_explicit(&h->len, memory_order_acquire);
		if (hl & RB_BUSY)
			break;
		pend += ((hl & ~RB_DISCARD) + RB_HDR + 7) & ~7ull;
	}
	pp->pending_pos = pend;
	uint64_t new_prod = prod + len;
	/* The producer may run at most size - 1 bytes ahead of the consumer
	 * and of the oldest record not yet committed. */
	if (new_prod - cons > mask || new_prod - pend > mask) {
		seg_unlock(&pp->lock);
		return NULL;
	}
	struct rb_hdr *h = (struct rb_hdr *)(ring(map) + (prod & mask));
	h->pg_off = (uint32_t)(((prod & mask) >> 12) + 3);
	atomic_store_explicit(&h->len, (uint32_t)size | RB_BUSY, memory_order_relaxed);
	atomic_store_explicit(&pp->producer_pos, new_prod, memory_order_release);
	seg_unlock(&pp->lock);
	return (uint8_t *)h + RB_HDR;
}

void ringbuf_commit(struct map *map, void *sample, uint64_t flags, int discard)
{
	struct rb_hdr *h = (struct rb_hdr *)((uint8_t *)sample - RB_HDR);
	uint32_t len = atomic_load_explicit(&h->len, memory_order_relaxed) & ~RB_BUSY;
	if (discard)
		len |= RB_DISCARD;
	atomic_store_explicit(&h->len, len, memory_order_release);

	/* Wake the consumer if asked, or if it has caught up with this
	 * record (it may be about to sleep). */
	uint64_t mask = map->hdr->max_entries - 1;
	uint64_t rec = (uint64_t)((uint8_t *)h - ring(map)) & mask;
	uint64_t cons = atomic_load_explicit(&cons_page(map)->consumer_pos, memory_order_acquire);
	if (flags & BPF_RB_FORCE_WAKEUP)
		rb_wake(map);
	else if (!(flags & BPF_RB_NO_WAKEUP) && (cons & mask) == rec)
		rb_wake(map);
}

int ringbuf_output(struct map *map, const void *data, uint64_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP))
		return -EINVAL;
	void *rec = ringbuf_reserve(map, size, 0);
	if (!rec)
		return -EAGAIN;
	memcpy(rec, data, size);
	ringbuf_commit(map, rec, flags, 0);
	return 0;
}

uint64_t ringbuf_query(struct map *map, uint64_t flags)
{
	uint64_t cons = atomic_load(&cons_page(map)->consumer_pos);
	uint64_t prod = atomic_load(&prod_page(map)->producer_pos);
	switch (flags) {
	case BPF_RB_AVAIL_DATA: return prod - cons;
	case BPF_RB_RING_SIZE: return map->hdr->max_entries;
	case BPF_RB_CONS_POS: return cons;
	case BPF_RB_PROD_POS: return prod;
	default: return 0;
	}
}

int ringbuf_owns(struct map *map, const void *sample, uint64_t size)
{
	const uint8_t *p = sample, *lo = ring(map);
	uint64_t ring_size = map->hdr->max_entries;
	return p >= lo + RB_HDR && p < lo + ring_size + RB_HDR && size <= ring_size &&
	       (uint64_t)(p - lo) + size <= 2 * ring_size;
}

const struct map_ops ringbuf_map_ops = {
	.check = rb_check,
	.attach = rb_attach,
	.lookup = rb_unsupported,
	.update = rb_update,
	.delete = rb_delete,
	.lookup_and_delete = rb_unsupported,
	.get_next_key = rb_get_next_key,
};

/* ---- consuming ---- */

struct rb_ring {
	struct map *map;
	int fd;
	uebpf_ringbuf_sample_fn fn;
	void *ctx;
};

struct uebpf_ringbuf {
	struct rb_ring *rings;
	size_t n;
	int epoll_fd;
	int event_fd; /* signalled by producers in this process */
};

static int waiters_add(struct map *map, int fd)
{
	if (!map->waiters) {
		struct map_waiters *w = calloc(1, sizeof(*w));
		if (!w)
			return -ENOMEM;
		pthread_mutex_init(&w->lock, NULL);
		map->waiters = w; /* kept with the map */
	}
	struct map_waiters *w = map->waiters;
	pthread_mutex_lock(&w->lock);
	int err = w->n < (int)(sizeof(w->fds) / sizeof(w->fds[0])) ? 0 : -ENOSPC;
	if (!err)
		w->fds[w->n++] = fd;
	pthread_mutex_unlock(&w->lock);
	return err;
}

static void waiters_remove(struct map *map, int fd)
{
	struct map_waiters *w = map->waiters;
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	for (int i = 0; i < w->n; i++)
		if (w->fds[i] == fd)
			w->fds[i--] = w->fds[--w->n];
	pthread_mutex_unlock(&w->lock);
}

int uebpf_ringbuf_add(struct uebpf_ringbuf *rb, int map_fd, uebpf_ringbuf_sample_fn fn,
		      void *ctx)
{
	struct map *map = map_from_fd(map_fd);
	if (!map)
		return -EBADF;
	if (map->hdr->type != BPF_MAP_TYPE_RINGBUF || !fn)
		return -EINVAL;
	struct rb_ring *r = realloc(rb->rings, (rb->n + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	rb->rings = r;
	int err = waiters_add(map, rb->event_fd);
	if (err)
		return err;
	map_get(map);
	rb->rings[rb->n++] = (struct rb_ring){ map, map_fd, fn, ctx };
	return 0;
}

struct uebpf_ringbuf *uebpf_ringbuf_new(int map_fd, uebpf_ringbuf_sample_fn fn, void *ctx)
{
	struct uebpf_ringbuf *rb = calloc(1, sizeof(*rb));
	if (!rb) {
		errno = ENOMEM;
		return NULL;
	}
	rb->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	if (rb->event_fd < 0 || rb->epoll_fd < 0 ||
	    epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, rb->event_fd, &ev)) {
		int err = errno;
		uebpf_ringbuf_free(rb);
		errno = err;
		return NULL;
	}
	int err = uebpf_ringbuf_add(rb, map_fd, fn, ctx);
	if (err) {
		uebpf_ringbuf_free(rb);
		errno = -err;
		return NULL;
	}
	return rb;
}

void uebpf_ringbuf_free(struct uebpf_ringbuf *rb)
{
	if (!rb)
		return;
	for (size_t i = 0; i < rb->n; i++) {
		waiters_remove(rb->rings[i].map, rb->event_fd);
		map_put(rb->rings[i].map);
	}
	free(rb->rings);
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
	if (rb->event_fd >= 0)
		close(rb->event_fd);
	free(rb);
}

/* Hands every committed record to the callback; returns how many, or
 * the callback's negative result (the consumer then stands after the
 * record that returned it). */
static int64_t consume_ring(struct rb_ring *r)
{
	struct map *map = r->map;
	uint64_t mask = map->hdr->max_entries - 1;
	_Atomic uint64_t *cons_pos = &cons_page(map)->consumer_pos;
	uint64_t cons = atomic_load_explicit(cons_pos, memory_order_acquire);
	int64_t n = 0;
	for (;;) {
		uint64_t prod = atomic_load_explicit(&prod_page(map)->producer_pos,
						     memory_order_acquire);
		if (cons >= prod)
			break;
		while (cons < prod) {
			struct rb_hdr *h = (struct rb_hdr *)(ring(map) + (cons & mask));
			uint32_t len = atomic_load_explicit(&h->len, memory_order_acquire);
			if (len & RB_BUSY)
				return n;
			uint32_t size = len & ~(RB_BUSY | RB_DISCARD);
			cons += (size + RB_HDR + 7) & ~7ull;
			if (size > mask + 1) { /* damaged: skip everything */
				atomic_store_explicit(cons_pos, prod, memory_order_release);
				return -EINVAL;
			}
			if (!(len & RB_DISCARD)) {
				int ret = r->fn(r->ctx, (uint8_t *)h + RB_HDR, size);
				if (ret < 0) {
					atomic_store_explicit(cons_pos, cons, memory_order_release);
					return ret;
				}
				n++;
			}
			atomic_store_explicit(cons_pos, cons, memory_order_release);
		}
	}
	return n;
}

int uebpf_ringbuf_consume(struct uebpf_ringbuf *rb)
{
	uint64_t drain; /* reset the epoll signal: everything is read now */
	if (read(rb->event_fd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
		return -errno;
	int64_t total = 0;
	for (size_t i = 0; i < rb->n; i++) {
		int64_t n = consume_ring(&rb->rings[i]);
		if (n < 0)
			return (int)n;
		total += n;
	}
	return total > INT_MAX ? INT_MAX : (int)total;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int uebpf_ringbuf_poll(struct uebpf_ringbuf *rb, int timeout_ms)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	struct rb_producer_page *pp = prod_page(rb->rings[0].map);
	for (;;) {
		/* Read the sequence first: a record committed after the
		 * consume below changes it, and the wait returns at once. */
		uint32_t seq = atomic_load(&pp->wake_seq);
		int n = uebpf_ringbuf_consume(rb);
		if (n != 0 || timeout_ms == 0)
			return n;
		int64_t left = timeout_ms < 0 ? 1000000000 : deadline - now_ns();
		if (left <= 0)
			return 0;
		/* Sleep on the first ring's word; others are looked at every
		 * 10 ms. */
		if (rb->n > 1 && left > 10000000)
			left = 10000000;
		struct timespec slice = { left / 1000000000, left % 1000000000 };
		atomic_fetch_add(&pp->sleepers, 1);
		syscall(SYS_futex, (uint32_t *)&pp->wake_seq, FUTEX_WAIT, seq, &slice, NULL, 0);
		atomic_fetch_sub(&pp->sleepers, 1);
	}
}

int uebpf_ringbuf_epoll_fd(const struct uebpf_ringbuf *rb)
{
	return rb->epoll_fd;
}
