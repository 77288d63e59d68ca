/* SPDX-License-Identifier: MIT */
/*
 * uebpf-maps-bench: map operations in uebpf and in the kernel of this
 * machine, side by side in one run, as ratios.
 *
 * User space: the same command on identical maps, uebpf_map_*() against
 * the bpf() syscall (filled alike, same keys in the same order). Programs:
 * the same instructions (only the map fds differ) run by the kernel with
 * BPF_PROG_TEST_RUN (XDP, `repeat` runs, the kernel's own average) and by
 * uebpf_code_run() in a loop (normal mode); an empty program gives each
 * side's cost of a run, which the per-operation figures leave out. Each
 * figure is the median of several timed batches, each calibrated to last
 * at least a target time, as in bench.c. Ring buffer programs are run
 * once through the whole ring first, and a consumer drains the ring
 * between batches. The kernel columns are left empty where bpf() is
 * refused (or with --no-kernel).
 *
 *   uebpf-maps-bench [--quick] [--filter NAME] [--no-kernel] [-j]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "uebpf/uebpf.h"

#define HASH_KEYS 10000     /* elements in the hash map */
#define HASH_MAX 16384      /* its max_entries */
#define ARRAY_MAX 1024
#define LPM_PREFIXES 4096   /* prefixes inserted, /8 to /32 */
#define LPM_MAX 8192
#define LPM_PROBES 4096     /* addresses looked up, each under some prefix */
#define BATCH_ELEMS 256     /* room per batch lookup */
#define PROG_OPS 64         /* map operations per program run */
#define RECORD_SIZE 64      /* ring buffer records written by programs */
#define RING_SIZE (64u << 20)
#define PAGE 4096u

#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)

static int quick, json, no_kernel;
static const char *filter;
static uint64_t target_ns;
static int batches;
static int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "uebpf-maps-bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

/* ---- the kernel: raw bpf(), attributes sized as libbpf sizes them ---- */

#define ATTR_END(field) (offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))

static int sys_bpf(int cmd, union bpf_attr *attr, size_t size)
{
	int rc = (int)syscall(__NR_bpf, cmd, attr, (unsigned)size);
	return rc < 0 ? -errno : rc;
}

static int k_map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = ks;
	a.value_size = vs;
	a.max_entries = max;
	a.map_flags = flags;
	return sys_bpf(BPF_MAP_CREATE, &a, sizeof(a));
}

static inline int k_elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, ATTR_END(flags));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value; /* also next_key */
	a.flags = flags;
	return sys_bpf(cmd, &a, ATTR_END(flags));
}

static int k_lookup_batch(int fd, void *in, void *out, void *keys, void *values,
			  uint32_t *count)
{
	union bpf_attr a;
	memset(&a, 0, ATTR_END(batch));
	a.batch.in_batch = (uintptr_t)in;
	a.batch.out_batch = (uintptr_t)out;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = *count;
	a.batch.map_fd = (uint32_t)fd;
	int rc = sys_bpf(BPF_MAP_LOOKUP_BATCH, &a, ATTR_END(batch));
	*count = a.batch.count;
	return rc;
}

static char vlog[1 << 20];

static int k_prog_load(const struct uebpf_insn *insns, size_t cnt)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_XDP;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = (uint32_t)cnt;
	a.license = (uintptr_t)"GPL";
	vlog[0] = '\0';
	a.log_level = 1;
	a.log_buf = (uintptr_t)vlog;
	a.log_size = sizeof(vlog);
	return sys_bpf(BPF_PROG_LOAD, &a, sizeof(a));
}

/* Runs an XDP program `repeat` times on a 64-byte frame: the kernel's
 * average ns per run and the last r0. */
static int k_test_run(int prog_fd, uint32_t repeat, uint32_t *duration, uint32_t *retval)
{
	uint8_t frame[64] = { 0 };
	union bpf_attr a;
	memset(&a, 0, ATTR_END(test));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uintptr_t)frame;
	a.test.data_size_in = sizeof(frame);
	a.test.repeat = repeat;
	int rc = sys_bpf(BPF_PROG_TEST_RUN, &a, ATTR_END(test));
	if (rc == 0) {
		*duration = a.test.duration;
		*retval = a.test.retval;
	}
	return rc;
}

/* ---- one side: uebpf or the kernel ---- */

struct lpm_key {
	uint32_t plen;
	uint8_t addr[4];
};

struct side {
	const char *name;
	int kernel;
	int hash, array, percpu, lpm, ring;
	/* Walk state of get_next_key and of batch lookups. */
	uint64_t walk_key;
	int walk_started;
	uint32_t batch_token;
	int batch_started;
	/* The ring's consumer: the kernel's mapping or uebpf's API. */
	_Atomic uint64_t *k_cons;
	const uint8_t *k_prod; /* producer page, then the data twice */
	struct uebpf_ringbuf *u_ring;
	uint64_t consumed;
	/* Unexpected results of timed operations. */
	uint64_t bad;
};

static inline int s_lookup(struct side *s, int fd, const void *key, void *value)
{
	return s->kernel ? k_elem(BPF_MAP_LOOKUP_ELEM, fd, key, value, 0)
			 : uebpf_map_lookup_elem(fd, key, value);
}

static inline int s_update(struct side *s, int fd, const void *key, const void *value,
			   uint64_t flags)
{
	return s->kernel ? k_elem(BPF_MAP_UPDATE_ELEM, fd, key, (void *)value, flags)
			 : uebpf_map_update_elem(fd, key, value, flags);
}

static inline int s_delete(struct side *s, int fd, const void *key)
{
	return s->kernel ? k_elem(BPF_MAP_DELETE_ELEM, fd, key, NULL, 0)
			 : uebpf_map_delete_elem(fd, key);
}

static inline int s_next_key(struct side *s, int fd, const void *key, void *next)
{
	return s->kernel ? k_elem(BPF_MAP_GET_NEXT_KEY, fd, key, next, 0)
			 : uebpf_map_get_next_key(fd, key, next);
}

static inline int s_lookup_batch(struct side *s, int fd, void *in, void *out, void *keys,
				 void *values, uint32_t *count)
{
	return s->kernel ? k_lookup_batch(fd, in, out, keys, values, count)
			 : uebpf_map_lookup_batch(fd, in, out, keys, values, count, NULL);
}

/* ---- contents: identical on both sides ---- */

static uint64_t rng_state = 0x6d617073;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Key i of the hash map: distinct for distinct i (an odd multiplier mod
 * 2^31), below 2^31 so that programs can store it as an immediate. Keys
 * HASH_KEYS and up are never inserted. */
static inline uint64_t hash_key(uint32_t i)
{
	return (uint64_t)((i * 2654435761u) & 0x7fffffffu);
}

static struct lpm_key lpm_prefixes[LPM_PREFIXES], lpm_probes[LPM_PROBES];

static void make_lpm_keys(void)
{
	for (int i = 0; i < LPM_PREFIXES; i++) {
		uint32_t plen = 8 + (uint32_t)(rnd() % 25);
		uint32_t addr = (uint32_t)rnd() & (uint32_t)(~0ull << (32 - plen));
		lpm_prefixes[i].plen = plen;
		for (int b = 0; b < 4; b++)
			lpm_prefixes[i].addr[b] = (uint8_t)(addr >> (24 - 8 * b));
	}
	/* Addresses under a random prefix: every lookup finds something. */
	for (int i = 0; i < LPM_PROBES; i++) {
		const struct lpm_key *p = &lpm_prefixes[rnd() % LPM_PREFIXES];
		uint32_t net = (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
			       (uint32_t)p->addr[2] << 8 | p->addr[3];
		uint32_t host = p->plen == 32 ? 0 : (uint32_t)rnd() & (0xffffffffu >> p->plen);
		uint32_t addr = net | host;
		lpm_probes[i].plen = 32;
		for (int b = 0; b < 4; b++)
			lpm_probes[i].addr[b] = (uint8_t)(addr >> (24 - 8 * b));
	}
}

static int ncpus;
static uint64_t *percpu_values; /* one 8-byte value per possible CPU */

static int create_maps(struct side *s)
{
	if (s->kernel) {
		s->hash = k_map_create(BPF_MAP_TYPE_HASH, 8, 8, HASH_MAX, 0);
		s->array = k_map_create(BPF_MAP_TYPE_ARRAY, 4, 8, ARRAY_MAX, 0);
		s->percpu = k_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, ARRAY_MAX, 0);
		s->lpm = k_map_create(BPF_MAP_TYPE_LPM_TRIE, 8, 8, LPM_MAX, BPF_F_NO_PREALLOC);
		s->ring = k_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE, 0);
	} else {
		struct uebpf_map_create_opts lpm_opts = { .sz = sizeof(lpm_opts),
							  .map_flags = BPF_F_NO_PREALLOC };
		s->hash = uebpf_map_create(BPF_MAP_TYPE_HASH, "bench_hash", 8, 8, HASH_MAX, NULL);
		s->array = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "bench_array", 4, 8, ARRAY_MAX,
					    NULL);
		s->percpu = uebpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bench_pcpu", 4, 8,
					     ARRAY_MAX, NULL);
		s->lpm = uebpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "bench_lpm", 8, 8, LPM_MAX,
					  &lpm_opts);
		s->ring = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "bench_ring", 0, 0, RING_SIZE,
					   NULL);
	}
	const char *names[] = { "hash", "array", "percpu array", "lpm trie", "ringbuf" };
	int fds[] = { s->hash, s->array, s->percpu, s->lpm, s->ring };
	for (int i = 0; i < 5; i++)
		if (fds[i] < 0) {
			fail("%s: cannot create the %s map: %s", s->name, names[i],
			     strerror(-fds[i]));
			return -1;
		}

	for (uint32_t i = 0; i < HASH_KEYS; i++) {
		uint64_t key = hash_key(i), value = i;
		if (s_update(s, s->hash, &key, &value, BPF_NOEXIST))
			return fail("%s: filling the hash map", s->name), -1;
	}
	for (int c = 0; c < ncpus; c++)
		percpu_values[c] = 1;
	for (uint32_t i = 0; i < ARRAY_MAX; i++) {
		uint64_t value = 1;
		if (s_update(s, s->array, &i, &value, 0) ||
		    s_update(s, s->percpu, &i, percpu_values, 0))
			return fail("%s: filling the arrays", s->name), -1;
	}
	for (uint32_t i = 0; i < LPM_PREFIXES; i++) {
		uint64_t value = i;
		if (s_update(s, s->lpm, &lpm_prefixes[i], &value, 0))
			return fail("%s: filling the lpm trie", s->name), -1;
	}
	return 0;
}

/* ---- ring consumers ---- */

static int count_record(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(uint64_t *)ctx)++;
	return 0;
}

static int open_consumer(struct side *s)
{
	if (!s->kernel) {
		s->u_ring = uebpf_ringbuf_new(s->ring, count_record, &s->consumed);
		return s->u_ring ? 0 : -errno;
	}
	void *cons = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, s->ring, 0);
	void *prod = mmap(NULL, PAGE + 2 * (size_t)RING_SIZE, PROT_READ, MAP_SHARED, s->ring, PAGE);
	if (cons == MAP_FAILED || prod == MAP_FAILED)
		return -errno;
	s->k_cons = cons;
	s->k_prod = prod;
	return 0;
}

/* Consumes every committed record, as a consumer would. */
static void drain(struct side *s)
{
	if (!s->kernel) {
		if (uebpf_ringbuf_consume(s->u_ring) < 0)
			s->bad++;
		return;
	}
	const _Atomic uint64_t *prod_pos = (const _Atomic uint64_t *)s->k_prod;
	const uint8_t *data = s->k_prod + PAGE;
	uint64_t cons = atomic_load_explicit(s->k_cons, memory_order_acquire);
	uint64_t prod = atomic_load_explicit(prod_pos, memory_order_acquire);
	while (cons < prod) {
		const _Atomic uint32_t *hdr =
			(const _Atomic uint32_t *)(data + (cons & (RING_SIZE - 1)));
		uint32_t len = atomic_load_explicit(hdr, memory_order_acquire);
		if (len & RB_BUSY)
			break;
		if (!(len & RB_DISCARD))
			s->consumed++;
		cons += ((len & ~(RB_BUSY | RB_DISCARD)) + 8 + 7) & ~7ull;
	}
	atomic_store_explicit(s->k_cons, cons, memory_order_release);
}

/* ---- timing ---- */

/* The thread's CPU time, not the wall clock: on a shared machine the
 * time other processes run is left out, as the kernel's test runs leave
 * it out of their own figure. */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A user-space case: runs `units` calls on a side and returns how many
 * operations they made (an element of a batch counts as one). */
typedef uint64_t (*user_fn)(struct side *s, uint64_t units);

/* Median ns per operation over the batches, each of at least target_ns. */
static double time_user(user_fn fn, struct side *s)
{
	uint64_t units = 1;
	for (;;) { /* calibrate */
		uint64_t t0 = now_ns();
		fn(s, units);
		uint64_t dt = now_ns() - t0;
		if (dt >= target_ns / 4 || units >= (1ull << 30))
			break;
		units *= 2;
	}
	units *= 4;
	double samples[32];
	for (int b = 0; b < batches; b++) {
		uint64_t t0 = now_ns();
		uint64_t ops = fn(s, units);
		samples[b] = (double)(now_ns() - t0) / (double)(ops ? ops : 1);
	}
	return bench_median(samples, batches);
}

/* ---- user-space cases ---- */

static uint64_t u_hash_hit(struct side *s, uint64_t n)
{
	uint64_t value;
	uint32_t i = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t key = hash_key(i);
		s->bad += s_lookup(s, s->hash, &key, &value) != 0;
		if (++i == HASH_KEYS)
			i = 0;
	}
	return n;
}

static uint64_t u_hash_miss(struct side *s, uint64_t n)
{
	uint64_t value;
	uint32_t i = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t key = hash_key(HASH_KEYS + i);
		s->bad += s_lookup(s, s->hash, &key, &value) != -ENOENT;
		if (++i == HASH_KEYS)
			i = 0;
	}
	return n;
}

static uint64_t u_hash_update(struct side *s, uint64_t n)
{
	uint32_t i = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t key = hash_key(i), value = k;
		s->bad += s_update(s, s->hash, &key, &value, BPF_ANY) != 0;
		if (++i == HASH_KEYS)
			i = 0;
	}
	return n;
}

/* One operation: insert a new key, then delete it. */
static uint64_t u_hash_insert_delete(struct side *s, uint64_t n)
{
	uint32_t i = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t key = hash_key(HASH_KEYS + i), value = k;
		s->bad += s_update(s, s->hash, &key, &value, BPF_NOEXIST) != 0;
		s->bad += s_delete(s, s->hash, &key) != 0;
		if (++i == HASH_KEYS)
			i = 0;
	}
	return n;
}

static uint64_t u_array_lookup(struct side *s, uint64_t n)
{
	uint64_t value;
	for (uint64_t k = 0; k < n; k++) {
		uint32_t key = (uint32_t)k % ARRAY_MAX;
		s->bad += s_lookup(s, s->array, &key, &value) != 0;
	}
	return n;
}

static uint64_t u_percpu_lookup(struct side *s, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		uint32_t key = (uint32_t)k % ARRAY_MAX;
		s->bad += s_lookup(s, s->percpu, &key, percpu_values) != 0;
	}
	return n;
}

static uint64_t u_lpm_lookup(struct side *s, uint64_t n)
{
	uint64_t value;
	for (uint64_t k = 0; k < n; k++)
		s->bad += s_lookup(s, s->lpm, &lpm_probes[k % LPM_PROBES], &value) != 0;
	return n;
}

/* One operation: one get_next_key along a walk of the whole map (which
 * starts again after the last key). */
static uint64_t u_next_key(struct side *s, uint64_t n)
{
	for (uint64_t k = 0; k < n; k++) {
		uint64_t next;
		int rc = s_next_key(s, s->hash, s->walk_started ? &s->walk_key : NULL, &next);
		if (rc == -ENOENT) {
			s->walk_started = 0;
			continue;
		}
		s->bad += rc != 0;
		s->walk_key = next;
		s->walk_started = 1;
	}
	return n;
}

/* Calls of BATCH_ELEMS along the whole map; an element is an operation. */
static uint64_t u_batch_lookup(struct side *s, uint64_t n)
{
	static uint64_t keys[BATCH_ELEMS], values[BATCH_ELEMS];
	uint64_t elems = 0;
	for (uint64_t k = 0; k < n; k++) {
		uint32_t count = BATCH_ELEMS, out = 0;
		int rc = s_lookup_batch(s, s->hash, s->batch_started ? &s->batch_token : NULL,
					&out, keys, values, &count);
		elems += count;
		if (rc == -ENOENT) {
			s->batch_started = 0;
			continue;
		}
		s->bad += rc != 0;
		s->batch_token = out;
		s->batch_started = 1;
	}
	return elems;
}

struct user_case {
	const char *name;
	const char *op; /* what one operation is */
	user_fn fn;
};

static const struct user_case user_cases[] = {
	{ "hash_lookup_hit", "lookup", u_hash_hit },
	{ "hash_lookup_miss", "lookup", u_hash_miss },
	{ "hash_update", "update (existing key)", u_hash_update },
	{ "hash_insert_delete", "update+delete (new key)", u_hash_insert_delete },
	{ "array_lookup", "lookup", u_array_lookup },
	{ "percpu_array_lookup", "lookup (all CPUs)", u_percpu_lookup },
	{ "lpm_lookup", "lookup (longest prefix)", u_lpm_lookup },
	{ "hash_get_next_key", "get_next_key", u_next_key },
	{ "hash_lookup_batch", "element of a batch", u_batch_lookup },
};
#define N_USER (sizeof(user_cases) / sizeof(user_cases[0]))

/* ---- programs ---- */

struct text {
	char buf[1 << 16];
	size_t len;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(t->buf) - t->len)
		t->len += (size_t)n;
	else
		t->len = sizeof(t->buf) - 1; /* truncated: the assembler will say */
}

/* Programs count their successful operations in r6 and return it. */

static void gen_empty(struct text *t, const struct side *s)
{
	(void)s;
	emit(t, "r0 = 0\nexit\n");
}

static void gen_hash_lookup_add(struct text *t, const struct side *s)
{
	emit(t, "r6 = 0\n");
	for (int i = 0; i < PROG_OPS; i++)
		emit(t, "*(u64 *)(r10 - 8) = %" PRIu64 "\n"
			"r1 = map[fd:%d]\n"
			"r2 = r10\n"
			"r2 += -8\n"
			"call bpf_map_lookup_elem\n"
			"if r0 == 0 goto miss%d\n"
			"r1 = 1\n"
			"lock *(u64 *)(r0 + 0) += r1\n"
			"r6 += 1\n"
			"miss%d:\n",
		     hash_key((uint32_t)i * 151 % HASH_KEYS), s->hash, i, i);
	emit(t, "r0 = r6\nexit\n");
}

static void gen_array_lookup(struct text *t, int fd)
{
	emit(t, "r6 = 0\n");
	for (int i = 0; i < PROG_OPS; i++)
		emit(t, "*(u32 *)(r10 - 4) = %d\n"
			"r1 = map[fd:%d]\n"
			"r2 = r10\n"
			"r2 += -4\n"
			"call bpf_map_lookup_elem\n"
			"if r0 == 0 goto miss%d\n"
			"r1 = *(u64 *)(r0 + 0)\n"
			"r6 += r1\n"
			"miss%d:\n",
		     i * 13 % ARRAY_MAX, fd, i, i);
	emit(t, "r0 = r6\nexit\n");
}

static void gen_array(struct text *t, const struct side *s)
{
	gen_array_lookup(t, s->array);
}

static void gen_percpu(struct text *t, const struct side *s)
{
	gen_array_lookup(t, s->percpu);
}

static void gen_lpm_lookup(struct text *t, const struct side *s)
{
	emit(t, "r6 = 0\n*(u32 *)(r10 - 8) = 32\n");
	for (int i = 0; i < PROG_OPS; i++) {
		int32_t addr;
		memcpy(&addr, lpm_probes[i].addr, 4); /* the bytes as they lie in memory */
		emit(t, "*(u32 *)(r10 - 4) = %" PRId32 "\n"
			"r1 = map[fd:%d]\n"
			"r2 = r10\n"
			"r2 += -8\n"
			"call bpf_map_lookup_elem\n"
			"if r0 == 0 goto miss%d\n"
			"r6 += 1\n"
			"miss%d:\n",
		     addr, s->lpm, i, i);
	}
	emit(t, "r0 = r6\nexit\n");
}

static void gen_hash_update(struct text *t, const struct side *s)
{
	emit(t, "r6 = 0\n");
	for (int i = 0; i < PROG_OPS; i++)
		emit(t, "*(u64 *)(r10 - 8) = %" PRIu64 "\n"
			"*(u64 *)(r10 - 16) = %d\n"
			"r1 = map[fd:%d]\n"
			"r2 = r10\n"
			"r2 += -8\n"
			"r3 = r10\n"
			"r3 += -16\n"
			"r4 = 0\n"
			"call bpf_map_update_elem\n"
			"if r0 != 0 goto fail%d\n"
			"r6 += 1\n"
			"fail%d:\n",
		     hash_key((uint32_t)i * 149 % HASH_KEYS), i, s->hash, i, i);
	emit(t, "r0 = r6\nexit\n");
}

static void gen_ringbuf_output(struct text *t, const struct side *s)
{
	emit(t, "r6 = 0\n");
	for (int off = 8; off <= RECORD_SIZE; off += 8)
		emit(t, "*(u64 *)(r10 - %d) = %d\n", off, off);
	for (int i = 0; i < PROG_OPS; i++)
		emit(t, "r1 = map[fd:%d]\n"
			"r2 = r10\n"
			"r2 += -%d\n"
			"r3 = %d\n"
			"r4 = 0\n"
			"call bpf_ringbuf_output\n"
			"if r0 != 0 goto fail%d\n"
			"r6 += 1\n"
			"fail%d:\n",
		     s->ring, RECORD_SIZE, RECORD_SIZE, i, i);
	emit(t, "r0 = r6\nexit\n");
}

static void gen_ringbuf_reserve(struct text *t, const struct side *s)
{
	emit(t, "r6 = 0\n");
	for (int i = 0; i < PROG_OPS; i++)
		emit(t, "r1 = map[fd:%d]\n"
			"r2 = %d\n"
			"r3 = 0\n"
			"call bpf_ringbuf_reserve\n"
			"if r0 == 0 goto fail%d\n"
			"*(u64 *)(r0 + 0) = %d\n"
			"*(u64 *)(r0 + %d) = %d\n"
			"r1 = r0\n"
			"r2 = 0\n"
			"call bpf_ringbuf_submit\n"
			"r6 += 1\n"
			"fail%d:\n",
		     s->ring, RECORD_SIZE, i, i, RECORD_SIZE - 8, i, i);
	emit(t, "r0 = r6\nexit\n");
}

struct prog_case {
	const char *name;
	const char *what;
	int ops;   /* map operations per run */
	int ring;  /* writes RECORD_SIZE records to the ring: drain between batches */
	uint64_t expect; /* r0 */
	void (*gen)(struct text *t, const struct side *s);
	/* loaded */
	int k_fd;
	struct uebpf_code *code;
};

static struct prog_case prog_cases[] = {
	{ "empty", "r0 = 0 (the cost of a run)", 0, 0, 0, gen_empty, -1, NULL },
	{ "hash_lookup_add", "64 hash lookups + atomic add", PROG_OPS, 0, PROG_OPS,
	  gen_hash_lookup_add, -1, NULL },
	{ "array_lookup", "64 array lookups + load", PROG_OPS, 0, PROG_OPS, gen_array, -1, NULL },
	{ "percpu_array_lookup", "64 per-CPU array lookups + load", PROG_OPS, 0, PROG_OPS,
	  gen_percpu, -1, NULL },
	{ "lpm_lookup", "64 LPM lookups (/8../32)", PROG_OPS, 0, PROG_OPS, gen_lpm_lookup, -1,
	  NULL },
	{ "hash_update", "64 hash updates (existing)", PROG_OPS, 0, PROG_OPS, gen_hash_update, -1,
	  NULL },
	{ "ringbuf_output", "64 ringbuf_output of 64 B", PROG_OPS, 1, PROG_OPS,
	  gen_ringbuf_output, -1, NULL },
	{ "ringbuf_reserve_submit", "64 reserve+submit of 64 B", PROG_OPS, 1, PROG_OPS,
	  gen_ringbuf_reserve, -1, NULL },
};
#define N_PROG (sizeof(prog_cases) / sizeof(prog_cases[0]))

static struct uebpf_vm *vm;

static int assemble(const char *text, struct uebpf_insn **insns, size_t *cnt)
{
	char err[256];
	struct uebpf_asm_opts o = { .sz = sizeof(o), .err_buf = err, .err_size = sizeof(err) };
	int rc = uebpf_asm(text, insns, cnt, &o);
	if (rc)
		fail("assembler: %s", err);
	return rc;
}

static void load_prog(struct prog_case *p, struct side *us, struct side *ks)
{
	static struct text t;
	struct uebpf_insn *insns;
	size_t cnt;

	t.len = 0;
	p->gen(&t, us);
	if (!assemble(t.buf, &insns, &cnt)) {
		char err[256];
		struct uebpf_code_opts o = { .sz = sizeof(o), .err_buf = err,
					     .err_size = sizeof(err) };
		if (uebpf_code_load(vm, insns, cnt, &o, &p->code))
			fail("%s: uebpf_code_load: %s", p->name, err);
		free(insns);
	}
	if (!ks)
		return;
	t.len = 0;
	p->gen(&t, ks);
	if (!assemble(t.buf, &insns, &cnt)) {
		p->k_fd = k_prog_load(insns, cnt);
		if (p->k_fd < 0) {
			size_t l = strlen(vlog);
			fail("%s: the kernel refuses the program (%s); verifier log tail:\n%s",
			     p->name, strerror(-p->k_fd), vlog + (l > 2000 ? l - 2000 : 0));
		}
		free(insns);
	}
}

/* Runs left before the ring is full. */
static uint64_t ring_capacity(const struct prog_case *p)
{
	uint64_t per_run = (uint64_t)p->ops * ((RECORD_SIZE + 8 + 7) & ~7u);
	return p->ring ? (RING_SIZE - 1) / per_run : UINT64_MAX;
}

static uint64_t u_run_prog(struct prog_case *p, struct side *s, uint64_t n)
{
	uint8_t frame[64] = { 0 };
	uint64_t r0 = 0;
	for (uint64_t i = 0; i < n; i++)
		s->bad += uebpf_code_run(p->code, (uintptr_t)frame, sizeof(frame), NULL, &r0) != 0;
	s->bad += r0 != p->expect;
	return n;
}

/* Median ns per run of uebpf_code_run in a loop. */
static double time_uebpf_prog(struct prog_case *p, struct side *s)
{
	uint64_t cap = ring_capacity(p), runs = 1;
	if (p->ring) {
		/* Once through the whole ring first: the kernel's ring memory
		 * is allocated at creation, uebpf's (a tmpfs file) faulted in
		 * on first touch. */
		drain(s);
		u_run_prog(p, s, cap);
		s->bad = 0;
	}
	for (;;) {
		drain(s);
		uint64_t t0 = now_ns();
		u_run_prog(p, s, runs);
		uint64_t dt = now_ns() - t0;
		if (dt >= target_ns / 4 || runs >= (1ull << 30) || runs * 2 > cap)
			break;
		runs *= 2;
	}
	runs = runs * 4 > cap ? cap : runs * 4;
	double samples[32];
	for (int b = 0; b < batches; b++) {
		drain(s);
		uint64_t t0 = now_ns();
		u_run_prog(p, s, runs);
		samples[b] = (double)(now_ns() - t0) / (double)runs;
	}
	drain(s);
	return bench_median(samples, batches);
}

/* Median of the kernel's own ns per run over BPF_PROG_TEST_RUN calls.
 * Calibrated on the kernel's figure, not the call's wall time: an XDP
 * test run with repeat > 1 spends some 16 ms setting up and tearing down
 * (measured on 6.18), outside the timed loop. */
static double time_kernel_prog(struct prog_case *p, struct side *s)
{
	uint64_t cap = ring_capacity(p), repeat = 64 > cap ? cap : 64;
	uint32_t duration, retval;
	if (p->ring) { /* as for uebpf: the whole ring once */
		drain(s);
		if (k_test_run(p->k_fd, (uint32_t)cap, &duration, &retval))
			return -1;
	}
	for (;;) {
		drain(s);
		if (k_test_run(p->k_fd, (uint32_t)repeat, &duration, &retval))
			return -1;
		if ((double)duration * (double)repeat >= (double)target_ns / 4 ||
		    repeat >= (1u << 28) || repeat * 2 > cap)
			break;
		repeat *= 2;
	}
	repeat = repeat * 4 > cap ? cap : repeat * 4;
	double samples[32];
	for (int b = 0; b < batches; b++) {
		drain(s);
		if (k_test_run(p->k_fd, (uint32_t)repeat, &duration, &retval))
			return -1;
		s->bad += retval != p->expect;
		samples[b] = duration;
	}
	drain(s);
	return bench_median(samples, batches);
}

/* ---- output ---- */

static int selected(const char *name)
{
	return !filter || strstr(name, filter);
}

static void print_ns(double ns)
{
	if (ns < 0)
		printf(" %10s", "-");
	else
		printf(" %10.1f", ns);
}

static void print_ratio(double k, double u)
{
	if (k < 0 || u <= 0)
		printf(" %12s", "-");
	else
		printf(" %12.2f", k / u);
}

static void json_num(const char *key, double v, int last)
{
	if (v < 0)
		printf("\"%s\": null%s", key, last ? "" : ", ");
	else
		printf("\"%s\": %.2f%s", key, v, last ? "" : ", ");
}

static void machine_line(int kernel_ok, const char *why)
{
	struct utsname u;
	char jit[16];
	bench_jit_setting(jit, sizeof(jit));
	uname(&u);
	if (json) {
		printf("{\"machine\": {\"kernel\": \"%s\", \"possible_cpus\": %d, \"bpf_jit_enable\": "
		       "\"%s\", \"kernel_columns\": %s, \"batches\": %d, \"target_ns\": %" PRIu64
		       "}}\n", u.release, ncpus, jit, kernel_ok ? "true" : "false", batches,
		       target_ns);
		return;
	}
	printf("uebpf-maps-bench: median of %d batches (each >= %.0f ms); kernel %s, "
	       "bpf_jit_enable %s, %d possible CPUs\n", batches, (double)target_ns / 1e6,
	       u.release, jit, ncpus);
	if (!kernel_ok)
		printf("kernel columns skipped: %s\n", why);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-kernel", no_argument, NULL, 'n' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quick = 1; break;
		case 'f': filter = optarg; break;
		case 'j': json = 1; break;
		case 'n': no_kernel = 1; break;
		default:
			fprintf(stderr, "usage: uebpf-maps-bench [--quick] [--filter NAME] "
					"[--no-kernel] [-j]\n");
			return 2;
		}
	}
	target_ns = quick ? 2000000 : 20000000;
	batches = quick ? 3 : 7;
	ncpus = uebpf_num_possible_cpus();
	percpu_values = calloc((size_t)ncpus, 8);
	if (!percpu_values)
		return 1;
	make_lpm_keys();

	/* Is bpf() there for us? */
	char why[128] = "--no-kernel";
	int kernel_ok = !no_kernel;
	if (kernel_ok) {
		int probe = k_map_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
		if (probe < 0) {
			snprintf(why, sizeof(why), "bpf(BPF_MAP_CREATE) is refused (%s)",
				 strerror(-probe));
			kernel_ok = 0;
		} else {
			close(probe);
		}
	}

	struct side us = { .name = "uebpf", .kernel = 0 }, ks = { .name = "kernel", .kernel = 1 };
	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm) || create_maps(&us) || open_consumer(&us)) {
		fail("cannot set up the uebpf side");
		return 1;
	}
	if (kernel_ok && (create_maps(&ks) || open_consumer(&ks))) {
		snprintf(why, sizeof(why), "the kernel maps could not be set up");
		kernel_ok = 0;
	}

	/* Both sides must answer alike: the LPM trie's matches, compared. */
	for (int i = 0; kernel_ok && i < LPM_PROBES; i++) {
		uint64_t kv = 0, uv = 1;
		int krc = s_lookup(&ks, ks.lpm, &lpm_probes[i], &kv);
		int urc = s_lookup(&us, us.lpm, &lpm_probes[i], &uv);
		if (krc || urc || kv != uv) {
			fail("lpm probe %d: kernel %d (value %" PRIu64 "), uebpf %d (value %" PRIu64 ")",
			     i, krc, kv, urc, uv);
			break;
		}
	}

	machine_line(kernel_ok, why);
	int shown = 0;
	int any_user = 0;
	for (size_t i = 0; i < N_USER; i++)
		any_user |= selected(user_cases[i].name);
	if (any_user && !json)
		printf("\nuser space: ns per operation (uebpf_map_* vs bpf() syscall)\n"
		       "%-22s %-26s %10s %10s %12s\n", "case", "operation", "kernel",
		       "uebpf", "kernel/uebpf");
	for (size_t i = 0; i < N_USER; i++) {
		const struct user_case *uc = &user_cases[i];
		if (!selected(uc->name))
			continue;
		shown++;
		us.bad = ks.bad = 0;
		double kns = kernel_ok ? time_user(uc->fn, &ks) : -1;
		double uns = time_user(uc->fn, &us);
		if (us.bad || ks.bad)
			fail("%s: unexpected results: uebpf %" PRIu64 ", kernel %" PRIu64, uc->name,
			     us.bad, ks.bad);
		if (json) {
			printf("{\"kind\": \"user\", \"case\": \"%s\", \"operation\": \"%s\", ",
			       uc->name, uc->op);
			json_num("kernel_ns", kns, 0);
			json_num("uebpf_ns", uns, 0);
			json_num("ratio", kns >= 0 ? kns / uns : -1, 1);
			printf("}\n");
		} else {
			printf("%-22s %-26s", uc->name, uc->op);
			print_ns(kns);
			print_ns(uns);
			print_ratio(kns, uns);
			printf("\n");
		}
		fflush(stdout);
	}

	/* The empty program's time is the cost of a run on each side: the
	 * per-operation columns leave it out. */
	int any_prog = 0;
	for (size_t i = 0; i < N_PROG; i++)
		any_prog |= selected(prog_cases[i].name);
	if (any_prog && !json)
		printf("\nprograms: ns per run (kernel: BPF_PROG_TEST_RUN of XDP, JIT; uebpf: "
		       "uebpf_code_run, interpreter),\nper map operation: (run - empty run) / "
		       "operations\n%-23s %-32s %10s %10s %10s %10s %12s\n", "case", "program",
		       "kernel", "uebpf", "kernel/op", "uebpf/op", "kernel/uebpf");
	double k_empty = 0, u_empty = 0;
	for (size_t i = 0; i < N_PROG && any_prog; i++) {
		struct prog_case *p = &prog_cases[i];
		if (i > 0 && !selected(p->name))
			continue;
		load_prog(p, &us, kernel_ok ? &ks : NULL);
		if (!p->code)
			continue;
		us.bad = ks.bad = 0;
		double kns = -1, uns;
		if (p->k_fd >= 0) {
			kns = time_kernel_prog(p, &ks);
			if (kns < 0)
				fail("%s: BPF_PROG_TEST_RUN failed: %s", p->name, strerror(errno));
		}
		uns = time_uebpf_prog(p, &us);
		if (us.bad || ks.bad)
			fail("%s: unexpected results: uebpf %" PRIu64 ", kernel %" PRIu64, p->name,
			     us.bad, ks.bad);
		if (p->ops == 0) {
			k_empty = kns > 0 ? kns : 0;
			u_empty = uns;
		}
		if (!selected(p->name))
			continue;
		shown++;
		double kop = kns >= 0 && p->ops ? (kns - k_empty) / p->ops : -1;
		double uop = p->ops ? (uns - u_empty) / p->ops : -1;
		if (json) {
			printf("{\"kind\": \"program\", \"case\": \"%s\", \"program\": \"%s\", "
			       "\"ops_per_run\": %d, ", p->name, p->what, p->ops);
			json_num("kernel_ns_per_run", kns, 0);
			json_num("uebpf_ns_per_run", uns, 0);
			json_num("kernel_ns_per_op", kop, 0);
			json_num("uebpf_ns_per_op", uop, 0);
			json_num("ratio", kns >= 0 ? kns / uns : -1, 1);
			printf("}\n");
		} else {
			printf("%-23s %-32s", p->name, p->what);
			print_ns(kns);
			print_ns(uns);
			print_ns(kop);
			print_ns(uop);
			print_ratio(kns, uns);
			printf("\n");
		}
		fflush(stdout);
	}

	for (size_t i = 0; i < N_PROG; i++) {
		uebpf_code_free(prog_cases[i].code);
		if (prog_cases[i].k_fd >= 0)
			close(prog_cases[i].k_fd);
	}
	uebpf_ringbuf_free(us.u_ring);
	uebpf_vm_free(vm);
	free(percpu_values);
	if (!shown) {
		fprintf(stderr, "uebpf-maps-bench: no case matches '%s'\n", filter);
		return 2;
	}
	return failures ? 1 : 0;
}
