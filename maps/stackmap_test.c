/* SPDX-License-Identifier: MIT */
/*
 * Stack trace maps and bpf_get_stackid / bpf_get_stack: creation rules,
 * the syscall side, ids and collisions (EEXIST, BPF_F_REUSE_STACKID,
 * BPF_F_FAST_STACK_CMP, running out of elements), native stacks taken
 * from a known C call chain compared with backtrace() of the same
 * thread, skip counts, build ids of this test binary compared with
 * `readelf -n` and its file bytes, the checked mode's refusals, a
 * pluggable stack source, threads and two processes on one map.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unwind.h>

#include "maps/jhash.h"
#include "maps/stackmap.h"
#include "tests/check.h"
#include "uebpf/uebpf.h"

static char err[300];
static struct uebpf_vm *vm;

static int create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, uint64_t extra)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags, .map_extra = extra };
	return uebpf_map_create(BPF_MAP_TYPE_STACK_TRACE, "stacks", ks, vs, max, &o);
}

static struct uebpf_code *load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct uebpf_code *load(const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return NULL;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_load(vm, insns, cnt, &lo, &code))
		CHECK_REPORT(0, "loading: %s", err);
	free(insns);
	return code;
}

/* r0 = bpf_get_stackid(ctx, map, r2). */
static const char stackid_prog[] =
	"r3 = r2\n"
	"r2 = map[fd:%d]\n"
	"call bpf_get_stackid\n"
	"exit\n";

/* r0 = bpf_get_stack(ctx, r1, SIZE, r2). */
static const char get_stack_prog[] =
	"r4 = r2\n"
	"r2 = r1\n"
	"r1 = 0\n"
	"r3 = %u\n"
	"call bpf_get_stack\n"
	"exit\n";

static uint32_t id_of(const uint64_t *ips, uint32_t n, uint32_t n_buckets)
{
	return jhash2(ips, 2 * n, 0) & (n_buckets - 1);
}

/* ---- creation ---- */

static void test_creation_rules(void)
{
	static const struct {
		uint32_t ks, vs, max, flags;
		uint64_t extra;
		int rc; /* 0: created */
	} cases[] = {
		{ 4, 8, 1, 0, 0, 0 },
		{ 4, 1016, 3, 0, 0, 0 },
		{ 4, 1024, 3, 0, 0, -EINVAL },  /* 128 frames > perf_event_max_stack */
		{ 4, 0, 3, 0, 0, -EINVAL },
		{ 4, 4, 3, 0, 0, -EINVAL },
		{ 4, 12, 3, 0, 0, -EINVAL },
		{ 8, 8, 3, 0, 0, -EINVAL },
		{ 0, 8, 3, 0, 0, -EINVAL },
		{ 4, 8, 0, 0, 0, -EINVAL },
		{ 4, 32, 3, BPF_F_STACK_BUILD_ID, 0, 0 },
		{ 4, 127 * 32, 3, BPF_F_STACK_BUILD_ID, 0, 0 },
		{ 4, 128 * 32, 3, BPF_F_STACK_BUILD_ID, 0, -EINVAL },
		{ 4, 40, 3, BPF_F_STACK_BUILD_ID, 0, -EINVAL },
		{ 4, 8, 3, BPF_F_STACK_BUILD_ID, 0, -EINVAL },
		{ 4, 8, 3, BPF_F_NUMA_NODE, 0, 0 },
		{ 4, 8, 3, BPF_F_RDONLY, 0, 0 },
		{ 4, 8, 3, BPF_F_WRONLY, 0, 0 },
		{ 4, 8, 3, BPF_F_RDONLY | BPF_F_WRONLY, 0, -EINVAL },
		{ 4, 8, 3, BPF_F_NO_PREALLOC, 0, -EINVAL },
		{ 4, 8, 3, BPF_F_RDONLY_PROG, 0, -EINVAL },
		{ 4, 8, 3, BPF_F_ZERO_SEED, 0, -EINVAL },
		{ 4, 8, 3, BPF_F_MMAPABLE, 0, -EINVAL },
		{ 4, 8, 3, 0, 1, -EINVAL },
		{ 4, 8, (1u << 31) + 1, 0, 0, -E2BIG },
		{ 4, 8, 0xffffffffu, BPF_F_NO_PREALLOC, 0, -EINVAL }, /* flags come first */
		{ 4, 4064, 1u << 31, BPF_F_STACK_BUILD_ID, 0, -ENOMEM },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd = create(cases[i].ks, cases[i].vs, cases[i].max, cases[i].flags,
				cases[i].extra);
		CHECK_REPORT(cases[i].rc ? fd == cases[i].rc : fd >= 0,
			     "case %zu: ks %u vs %u max %u flags 0x%x: got %d, want %d", i,
			     cases[i].ks, cases[i].vs, cases[i].max, cases[i].flags, fd,
			     cases[i].rc);
		if (fd >= 0)
			uebpf_map_close(fd);
	}
	int fd = create(4, 64, 5, BPF_F_STACK_BUILD_ID | BPF_F_NUMA_NODE, 0);
	struct uebpf_map_info info;
	CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
	CHECK_EQ(info.type, BPF_MAP_TYPE_STACK_TRACE);
	CHECK_EQ(info.max_entries, 5);
	CHECK_EQ(info.map_flags, BPF_F_STACK_BUILD_ID | BPF_F_NUMA_NODE);
	uebpf_map_close(fd);
}

/* ---- the syscall side ---- */

static void test_syscall_side_on_an_empty_map(void)
{
	int fd = create(4, 16, 3, 0, 0); /* 4 buckets */
	uint32_t id = 0, next = 77;
	uint64_t value[2] = { 0 }, keys[2];
	uint32_t count = 1;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, value), -ENOENT);
	id = 100;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, value), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, &id, value, 0), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, &id, value, BPF_NOEXIST), -EINVAL);
	id = 3;
	CHECK_EQ(uebpf_map_delete_elem(fd, &id), -ENOENT);
	id = 4;
	CHECK_EQ(uebpf_map_delete_elem(fd, &id), -E2BIG);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &id, value), -ENOENT);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &next), -ENOENT);
	CHECK_EQ(next, 77);
	CHECK_EQ(uebpf_map_delete_elem(fd, NULL), -EFAULT);
	CHECK_EQ(uebpf_map_lookup_batch(fd, NULL, &next, keys, value, &count, NULL), -ENOTSUPP);
	CHECK_EQ(uebpf_map_delete_batch(fd, keys, &count, NULL), -ENOTSUPP);
	uebpf_map_close(fd);
}

static void test_store_lookup_delete_walk(void)
{
	int fd = create(4, 32, 6, 0, 0); /* 8 buckets, 4 frames */
	struct map *map = map_from_fd(fd);
	uint64_t traces[4][3] = {
		{ 0x401000, 0x402000, 0x403000 },
		{ 0x401001, 0x402000, 0x403000 },
		{ 0x7f0000001234, 0, 0 },
		{ 0x55550000aaaa, 0x55550000bbbb, 0 },
	};
	uint32_t lens[4] = { 3, 3, 1, 2 }, ids[4];
	int stored = 0;
	for (int i = 0; i < 4; i++) {
		int id = stackmap_store(map, traces[i], NULL, lens[i], 0);
		ids[i] = id_of(traces[i], lens[i], 8);
		if (id == -EEXIST) /* the bucket of an earlier one */
			continue;
		CHECK_EQ(id, ids[i]);
		stored |= 1 << i;
		/* The same trace again: the same id, nothing added. */
		CHECK_EQ(stackmap_store(map, traces[i], NULL, lens[i], 0), ids[i]);
		uint64_t value[4];
		memset(value, 0xaa, sizeof(value));
		CHECK_EQ(uebpf_map_lookup_elem(fd, &ids[i], value), 0);
		CHECK(memcmp(value, traces[i], lens[i] * 8) == 0);
		for (uint32_t j = lens[i]; j < 4; j++)
			CHECK_EQ(value[j], 0); /* zero padded */
	}
	CHECK(stored & 1);
	/* The walk: occupied ids in ascending order. */
	uint32_t key, prev = 0, n = 0;
	const uint32_t *cur = NULL;
	while (uebpf_map_get_next_key(fd, cur, &key) == 0) {
		CHECK(cur == NULL || key > prev);
		prev = key;
		cur = &prev;
		n++;
	}
	CHECK_EQ(n, (uint32_t)__builtin_popcount((unsigned)stored) -
			    ((stored & 2) && ids[1] == ids[0]));
	/* An empty or invalid id restarts the walk. */
	uint32_t bad = 1000, first = 0;
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &first), 0);
	CHECK_EQ(uebpf_map_get_next_key(fd, &bad, &key), 0);
	CHECK_EQ(key, first);
	/* lookup_and_delete returns and frees it. */
	uint64_t value[4];
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &ids[0], value), 0);
	CHECK(memcmp(value, traces[0], 24) == 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &ids[0], value), -ENOENT);
	CHECK_EQ(uebpf_map_delete_elem(fd, &ids[0]), -ENOENT);
	/* Stored again after the delete. */
	CHECK_EQ(stackmap_store(map, traces[0], NULL, 3, 0), ids[0]);
	CHECK_EQ(uebpf_map_delete_elem(fd, &ids[0]), 0);
	/* Longer than the map's depth: cut to 4 frames. */
	uint64_t deep[6] = { 1, 2, 3, 4, 5, 6 };
	int id = stackmap_store(map, deep, NULL, 6, BPF_F_REUSE_STACKID);
	CHECK_EQ(id, id_of(deep, 4, 8));
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, value), 0);
	CHECK(memcmp(value, deep, 32) == 0);
	/* An empty stack has no id. */
	CHECK_EQ(stackmap_store(map, deep, NULL, 0, 0), -EFAULT);
	/* Frozen: user space can no longer delete; programs still store. */
	CHECK_EQ(uebpf_map_freeze(fd), 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, (uint32_t *)&id), -EPERM);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &id, value), -EPERM);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, value), 0);
	CHECK(stackmap_store(map, traces[2], NULL, 1, BPF_F_REUSE_STACKID) >= 0);
	uebpf_map_close(fd);
}

/* ---- collisions ---- */

struct hashed {
	uint32_t hash;
	uint64_t ip;
};

static int by_hash(const void *a, const void *b)
{
	const struct hashed *x = a, *y = b;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Two one-frame traces with the same 32-bit hash (a birthday search). */
static int full_hash_collision(uint64_t *a, uint64_t *b)
{
	const size_t n = 300000;
	struct hashed *h = malloc(n * sizeof(*h));
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		h[i].ip = 0x400000 + i * 0x9e3779b1ull;
		h[i].hash = jhash2(&h[i].ip, 2, 0);
	}
	qsort(h, n, sizeof(*h), by_hash);
	for (size_t i = 1; i < n && !found; i++) {
		if (h[i].hash == h[i - 1].hash && h[i].ip != h[i - 1].ip) {
			*a = h[i - 1].ip;
			*b = h[i].ip;
			found = 1;
		}
	}
	free(h);
	return found;
}

/* A second one-frame trace in the same bucket as *a (of n_buckets). */
static uint64_t same_bucket(uint64_t a, uint32_t n_buckets)
{
	uint32_t want = id_of(&a, 1, n_buckets);
	for (uint64_t b = a + 1;; b++)
		if (id_of(&b, 1, n_buckets) == want)
			return b;
}

static void test_collisions(void)
{
	uint64_t a = 0x401234, b = same_bucket(a, 4), c, d, v[2];
	int fd = create(4, 16, 4, 0, 0);
	struct map *map = map_from_fd(fd);
	uint32_t id = id_of(&a, 1, 4);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, 0), id);
	CHECK_EQ(stackmap_store(map, &b, NULL, 1, 0), -EEXIST);
	CHECK_EQ(stackmap_store(map, &b, NULL, 1, BPF_F_FAST_STACK_CMP), -EEXIST);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, BPF_F_FAST_STACK_CMP), id);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, v), 0);
	CHECK_EQ(v[0], a);
	/* REUSE replaces the trace in the bucket. */
	CHECK_EQ(stackmap_store(map, &b, NULL, 1, BPF_F_REUSE_STACKID), id);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, v), 0);
	CHECK_EQ(v[0], b);
	CHECK_EQ(v[1], 0);
	uebpf_map_close(fd);

	/* Same hash, different trace: FAST_STACK_CMP takes it as a match. */
	CHECK(full_hash_collision(&c, &d));
	fd = create(4, 8, 64, 0, 0);
	map = map_from_fd(fd);
	id = id_of(&c, 1, 64);
	CHECK_EQ(stackmap_store(map, &c, NULL, 1, 0), id);
	CHECK_EQ(stackmap_store(map, &d, NULL, 1, 0), -EEXIST);
	CHECK_EQ(stackmap_store(map, &d, NULL, 1, BPF_F_FAST_STACK_CMP), id);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, v), 0);
	CHECK_EQ(v[0], c); /* not replaced */
	CHECK_EQ(stackmap_store(map, &d, NULL, 1, BPF_F_REUSE_STACKID), id);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, v), 0);
	CHECK_EQ(v[0], d);
	uebpf_map_close(fd);

	/* One element: replacing needs a free one first, as in the kernel. */
	fd = create(4, 8, 1, 0, 0);
	map = map_from_fd(fd);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, 0), 0);
	CHECK_EQ(stackmap_store(map, &b, NULL, 1, BPF_F_REUSE_STACKID), -ENOMEM);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, BPF_F_REUSE_STACKID), 0);
	uebpf_map_close(fd);

	/* max_entries 3 in 4 buckets: the fourth trace has no element. */
	fd = create(4, 8, 3, 0, 0);
	map = map_from_fd(fd);
	uint64_t per_bucket[4] = { 0 };
	for (uint64_t ip = 0x1000, found = 0; found < 4; ip++) {
		uint32_t bucket = id_of(&ip, 1, 4);
		if (!per_bucket[bucket]) {
			per_bucket[bucket] = ip;
			found++;
		}
	}
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(stackmap_store(map, &per_bucket[i], NULL, 1, 0), i);
	CHECK_EQ(stackmap_store(map, &per_bucket[3], NULL, 1, 0), -ENOMEM);
	id = 1;
	CHECK_EQ(uebpf_map_delete_elem(fd, &id), 0);
	CHECK_EQ(stackmap_store(map, &per_bucket[3], NULL, 1, 0), 3);
	uebpf_map_close(fd);

	/* Build-id maps take an element before comparing: when all are in
	 * use, even the trace already stored is -ENOMEM, unless the hash
	 * alone decides (FAST_STACK_CMP). */
	fd = create(4, 64, 1, BPF_F_STACK_BUILD_ID, 0);
	map = map_from_fd(fd);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, 0), 0);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, 0), -ENOMEM);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, BPF_F_FAST_STACK_CMP), 0);
	struct bpf_stack_build_id rec[2];
	CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ 0 }, rec), 0);
	CHECK_EQ(rec[0].status, BPF_STACK_BUILD_ID_IP); /* no ids given: kernel-stack records */
	CHECK_EQ(rec[0].ip, a);
	CHECK_EQ(rec[1].status, BPF_STACK_BUILD_ID_EMPTY);
	uebpf_map_close(fd);
	fd = create(4, 64, 2, BPF_F_STACK_BUILD_ID, 0);
	map = map_from_fd(fd);
	id = id_of(&a, 1, 2);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, 0), id);
	CHECK_EQ(stackmap_store(map, &a, NULL, 1, 0), id);
	uebpf_map_close(fd);
}

/* ---- native stacks from a known call chain ---- */

struct chain {
	struct uebpf_code *code;
	uint64_t flags;
	int checked;
	struct uebpf_region region;
	void *bt[128];
	int bt_n;
	int rc;
	uint64_t r0;
};

/* The function whose code holds return address ip. */
static void *enclosing(uint64_t ip)
{
	return _Unwind_FindEnclosingFunction((void *)(uintptr_t)(ip - 1));
}

/* Runs the program right here, after taking backtrace() here: both see
 * the same callers. */
static __attribute__((noinline)) int chain_inner(struct chain *c)
{
	c->bt_n = backtrace(c->bt, 128);
	/* A sanitizer's interceptor of backtrace() adds its own frame. */
	while (c->bt_n > 0 && enclosing((uintptr_t)c->bt[0]) != (void *)chain_inner)
		memmove(c->bt, c->bt + 1, (size_t)--c->bt_n * sizeof(c->bt[0]));
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = c->checked,
				    .regions = &c->region, .region_cnt = 1,
				    .err_buf = err, .err_size = sizeof(err) };
	c->rc = uebpf_code_run(c->code, (uintptr_t)c->region.addr, c->flags, &o, &c->r0);
	__asm__ volatile("" ::: "memory"); /* no tail call: keep this frame */
	return c->rc;
}

static __attribute__((noinline)) int chain_middle(struct chain *c)
{
	int rc = chain_inner(c);
	__asm__ volatile("" ::: "memory");
	return rc + 1;
}

static __attribute__((noinline)) int chain_outer(struct chain *c)
{
	int rc = chain_middle(c);
	__asm__ volatile("" ::: "memory");
	return rc + 1;
}

/* Another call site, for a different first frame. */
static __attribute__((noinline)) int chain_other(struct chain *c)
{
	int rc = chain_inner(c) * 3;
	__asm__ volatile("" ::: "memory");
	return chain_inner(c) + rc;
}

/* The n innermost frames of a run from chain_inner, against its
 * backtrace(): frame 0 is the call of uebpf_code_run in chain_inner, the
 * others are backtrace()'s (after skip). */
static void check_frames(const struct chain *c, const uint64_t *ips, uint32_t n, uint32_t skip)
{
	if (skip == 0 && n > 0) {
		CHECK(enclosing(ips[0]) == (void *)chain_inner);
		CHECK(enclosing((uintptr_t)c->bt[0]) == (void *)chain_inner);
		CHECK(ips[0] != (uintptr_t)c->bt[0]);
	}
	for (uint32_t i = skip ? 0 : 1; i < n && i + skip < (uint32_t)c->bt_n; i++)
		CHECK_REPORT(ips[i] == (uintptr_t)c->bt[i + skip],
			     "skip %u frame %u: 0x%llx, backtrace 0x%llx", skip, i,
			     (unsigned long long)ips[i], (unsigned long long)(uintptr_t)c->bt[i + skip]);
}

/* The same, for the whole stack. */
static void check_against_backtrace(const struct chain *c, const uint64_t *ips, uint32_t n,
				    uint32_t skip)
{
	CHECK_EQ(n, (uint32_t)c->bt_n - skip);
	check_frames(c, ips, n, skip);
}

static uint32_t frames_in(const uint64_t *v, uint32_t max)
{
	uint32_t n = 0;
	while (n < max && v[n])
		n++;
	return n;
}

static void test_get_stackid_native_stack(void)
{
	int fd = create(4, 127 * 8, 1024, 0, 0);
	struct uebpf_code *code = load(stackid_prog, fd);
	static uint64_t v[127];
	for (int checked = 0; checked < 2; checked++) {
		struct chain c = { .code = code, .checked = checked,
				   .flags = BPF_F_USER_STACK | BPF_F_REUSE_STACKID };
		c.region = (struct uebpf_region){ v, 8, UEBPF_MEM_RW };
		int64_t ids[2];
		for (int k = 0; k < 2; k++) { /* the same call chain twice */
			chain_outer(&c);
			CHECK_EQ(c.rc, 0);
			ids[k] = (int64_t)c.r0;
		}
		int64_t id = ids[0];
		CHECK(id >= 0 && id < 1024);
		CHECK_EQ(ids[1], id); /* the same trace: the same id */
		CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)id }, v), 0);
		uint32_t n = frames_in(v, 127);
		check_against_backtrace(&c, v, n, 0);
		CHECK_EQ(id, id_of(v, n, 1024));
		/* Skipping frames: the rest of the same stack. */
		for (uint32_t skip = 1; skip < 4; skip++) {
			c.flags = BPF_F_USER_STACK | BPF_F_REUSE_STACKID | skip;
			chain_outer(&c);
			id = (int64_t)c.r0;
			CHECK(id >= 0);
			CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)id }, v), 0);
			check_against_backtrace(&c, v, frames_in(v, 127), skip);
		}
		/* Another call site: another first frame. */
		c.flags = BPF_F_USER_STACK | BPF_F_REUSE_STACKID;
		chain_other(&c);
		id = (int64_t)c.r0;
		CHECK(id >= 0);
		CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)id }, v), 0);
		CHECK(enclosing(v[1]) == (void *)chain_other);
		/* Skipping all of it, a kernel stack (there is none), bad flags. */
		c.flags = BPF_F_USER_STACK | 200;
		chain_outer(&c);
		CHECK_EQ(c.r0, (uint64_t)-EFAULT);
		c.flags = 0;
		chain_outer(&c);
		CHECK_EQ(c.r0, (uint64_t)-EFAULT);
		c.flags = BPF_F_USER_STACK | BPF_F_USER_BUILD_ID;
		chain_outer(&c);
		CHECK_EQ(c.r0, (uint64_t)-EINVAL);
	}
	uebpf_code_free(code);
	uebpf_map_close(fd);

	/* A shallow map keeps the innermost frames. */
	fd = create(4, 16, 8, 0, 0);
	code = load(stackid_prog, fd);
	struct chain c = { .code = code, .flags = BPF_F_USER_STACK | 1 };
	c.region = (struct uebpf_region){ v, 8, UEBPF_MEM_RW };
	chain_outer(&c);
	int64_t id = (int64_t)c.r0;
	CHECK(id >= 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)id }, v), 0);
	CHECK_EQ(v[0], (uintptr_t)c.bt[1]);
	CHECK_EQ(v[1], (uintptr_t)c.bt[2]);
	uebpf_code_free(code);
	uebpf_map_close(fd);
}

static void test_get_stack_native_stack(void)
{
	static uint64_t buf[130];
	struct uebpf_code *code = load(get_stack_prog, 127 * 8);
	for (int checked = 0; checked < 2; checked++) {
		struct chain c = { .code = code, .checked = checked, .flags = BPF_F_USER_STACK };
		c.region = (struct uebpf_region){ buf, 127 * 8, UEBPF_MEM_RW };
		memset(buf, 0xaa, sizeof(buf));
		chain_outer(&c);
		CHECK_EQ(c.rc, 0);
		CHECK_EQ(c.r0, 8 * (uint64_t)c.bt_n);
		check_against_backtrace(&c, buf, (uint32_t)c.r0 / 8, 0);
		for (uint32_t i = (uint32_t)c.r0 / 8; i < 127; i++)
			CHECK_EQ(buf[i], 0); /* zero filled */
		CHECK_EQ(buf[127], 0xaaaaaaaaaaaaaaaaull); /* not beyond */
		for (uint32_t skip = 1; skip < 5; skip++) {
			c.flags = BPF_F_USER_STACK | skip;
			chain_outer(&c);
			CHECK_EQ(c.r0, 8 * (uint64_t)(c.bt_n - (int)skip));
			check_against_backtrace(&c, buf, (uint32_t)c.r0 / 8, skip);
		}
		/* Skipping exactly all frames is an empty stack; more faults. */
		c.flags = BPF_F_USER_STACK | (uint64_t)c.bt_n;
		chain_outer(&c);
		CHECK_EQ(c.r0, 0);
		c.flags = BPF_F_USER_STACK | (uint64_t)(c.bt_n + 1);
		memset(buf, 0xaa, 127 * 8);
		chain_outer(&c);
		CHECK_EQ(c.r0, (uint64_t)-EFAULT);
		CHECK_EQ(buf[0], 0); /* cleared */
		/* The kernel stack is empty: 0 bytes, or -EFAULT when skipping. */
		c.flags = 0;
		memset(buf, 0xaa, 127 * 8);
		chain_outer(&c);
		CHECK_EQ(c.r0, 0);
		CHECK_EQ(buf[0], 0);
		c.flags = 1;
		chain_outer(&c);
		CHECK_EQ(c.r0, (uint64_t)-EFAULT);
		/* Bad flags: -EINVAL, buffer cleared. */
		static const uint64_t bad[] = { BPF_F_USER_BUILD_ID, BPF_F_FAST_STACK_CMP,
						BPF_F_USER_STACK | BPF_F_REUSE_STACKID, 1ull << 32 };
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			c.flags = bad[i];
			memset(buf, 0xaa, 127 * 8);
			chain_outer(&c);
			CHECK_EQ(c.r0, (uint64_t)-EINVAL);
			CHECK_EQ(buf[126], 0);
		}
	}
	uebpf_code_free(code);

	/* A short buffer: the innermost frames; a size that is not a whole
	 * number of frames: -EINVAL. */
	code = load(get_stack_prog, 24);
	struct chain c = { .code = code, .flags = BPF_F_USER_STACK | 1, .checked = 1 };
	c.region = (struct uebpf_region){ buf, 24, UEBPF_MEM_RW };
	chain_outer(&c);
	CHECK_EQ(c.r0, 24);
	check_frames(&c, buf, 3, 1);
	uebpf_code_free(code);
	code = load(get_stack_prog, 20);
	c.code = code;
	memset(buf, 0xaa, 24);
	chain_outer(&c);
	CHECK_EQ(c.r0, (uint64_t)-EINVAL);
	CHECK_EQ(buf[0], 0);
	CHECK_EQ(buf[2], 0xaaaaaaaa00000000ull); /* 20 bytes cleared, no more */
	uebpf_code_free(code);
}

/* ---- build ids ---- */

static int hex_value(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* The build id `readelf -n` reports for path; its length, 0 if none. */
static size_t readelf_build_id(const char *path, unsigned char id[BPF_BUILD_ID_SIZE])
{
	char cmd[600], line[512];
	size_t n = 0;
	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
	FILE *f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Build ID: ");
		if (!p || n)
			continue;
		for (p += 10; n < BPF_BUILD_ID_SIZE && hex_value(p[0]) >= 0 && hex_value(p[1]) >= 0;
		     p += 2)
			id[n++] = (unsigned char)(hex_value(p[0]) << 4 | hex_value(p[1]));
	}
	pclose(f);
	return n;
}

/* The file an ip's code was loaded from (the libraries' names are
 * absolute; the program's is where /proc/self/exe points). */
static void file_of(uint64_t ip, char *path, size_t size)
{
	Dl_info info;
	if (dladdr((void *)(uintptr_t)ip, &info) && info.dli_fname && info.dli_fname[0] == '/' &&
	    !strstr(info.dli_fname, "stackmap_test")) {
		snprintf(path, size, "%s", info.dli_fname);
		return;
	}
	ssize_t n = readlink("/proc/self/exe", path, size - 1);
	path[n > 0 ? n : 0] = '\0';
}

/* A VALID record: its file holds at `offset` the bytes found at ip. */
static void check_record(const struct bpf_stack_build_id *rec, uint64_t ip)
{
	char path[512];
	uint8_t file_bytes[16];
	CHECK_EQ(rec->status, BPF_STACK_BUILD_ID_VALID);
	if (rec->status != BPF_STACK_BUILD_ID_VALID)
		return;
	file_of(ip, path, sizeof(path));
	int fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(pread(fd, file_bytes, sizeof(file_bytes), (off_t)rec->offset), sizeof(file_bytes));
	CHECK(memcmp(file_bytes, (void *)(uintptr_t)ip, sizeof(file_bytes)) == 0);
	close(fd);
	unsigned char want[BPF_BUILD_ID_SIZE] = { 0 };
	size_t n = readelf_build_id(path, want);
	CHECK_REPORT(n > 0, "readelf found no build id in %s", path);
	CHECK(memcmp(rec->build_id, want, BPF_BUILD_ID_SIZE) == 0);
}

static void test_build_ids(void)
{
	/* This binary, a C library function, and memory with no file. */
	uint64_t heap_ip = (uintptr_t)malloc(16);
	uint64_t ips[5] = { (uintptr_t)test_build_ids + 4, (uintptr_t)&getpid, heap_ip,
			    getauxval(AT_SYSINFO_EHDR) + 0x10, 0 };
	struct bpf_stack_build_id rec[5];
	stack_build_ids(ips, 5, rec);
	check_record(&rec[0], ips[0]);
	check_record(&rec[1], ips[1]);
	for (int i = 2; i < 5; i++) {
		CHECK_EQ(rec[i].status, BPF_STACK_BUILD_ID_IP);
		CHECK_EQ(rec[i].ip, ips[i]);
		static const unsigned char zero[BPF_BUILD_ID_SIZE];
		CHECK(memcmp(rec[i].build_id, zero, sizeof(zero)) == 0);
	}
	free((void *)(uintptr_t)heap_ip);

	/* From one call site: bpf_get_stack (ips), bpf_get_stack with
	 * BPF_F_USER_BUILD_ID (records), bpf_get_stackid on a build-id map,
	 * and one with a kernel stack (there is none: -EFAULT). */
	static uint64_t plain[127], buf[127 * 4], stored[127 * 4];
	int fd = create(4, 127 * 32, 64, BPF_F_STACK_BUILD_ID, 0);
	struct uebpf_code *codes[4] = { load(get_stack_prog, 127 * 8),
					load(get_stack_prog, 127 * 32), load(stackid_prog, fd),
					load(stackid_prog, fd) };
	const uint64_t flags[4] = { BPF_F_USER_STACK, BPF_F_USER_STACK | BPF_F_USER_BUILD_ID,
				    BPF_F_USER_STACK, 0 };
	void *bufs[4] = { plain, buf, buf, buf };
	const size_t sizes[4] = { sizeof(plain), sizeof(buf), 8, 8 };
	uint64_t r0[4];
	struct chain c = { .checked = 1 };
	for (int k = 0; k < 4; k++) {
		c.code = codes[k];
		c.flags = flags[k];
		c.region = (struct uebpf_region){ bufs[k], sizes[k], UEBPF_MEM_RW };
		chain_outer(&c);
		r0[k] = c.r0;
	}
	uint32_t n = (uint32_t)r0[0] / 8;
	CHECK(n > 4);
	CHECK_EQ(r0[1], 32 * (uint64_t)n);
	struct bpf_stack_build_id *recs = (struct bpf_stack_build_id *)buf;
	for (uint32_t i = 0; i < n; i++) {
		struct bpf_stack_build_id one;
		stack_build_ids(&plain[i], 1, &one);
		CHECK(memcmp(&one, &recs[i], sizeof(one)) == 0);
	}
	/* chain_inner, _middle, _outer: this binary; the outermost frames
	 * are the C library's start-up code. */
	for (uint32_t i = 0; i < 3; i++)
		check_record(&recs[i], plain[i]);
	check_record(&recs[n - 2], plain[n - 2]);
	/* The stack id: the same records, the id is the hash of the ips. */
	int64_t id = (int64_t)r0[2];
	CHECK(id >= 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)id }, stored), 0);
	CHECK(memcmp(stored, buf, sizeof(stored)) == 0);
	CHECK_EQ(id, id_of(plain, n, 64));
	CHECK_EQ(r0[3], (uint64_t)-EFAULT);
	for (int k = 0; k < 4; k++)
		uebpf_code_free(codes[k]);
	uebpf_map_close(fd);
}

/* ---- the checked mode ---- */

static void test_checked_mode_refuses_bad_arguments(void)
{
	static uint64_t buf[16], other[16];
	struct uebpf_code *code = load(get_stack_prog, 64);
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true, .err_buf = err,
				    .err_size = sizeof(err) };
	struct uebpf_region region = { buf, 64, UEBPF_MEM_RW };
	uint64_t r0 = 0;
	/* Memory the program was not given. */
	o.regions = &region;
	o.region_cnt = 1;
	memset(other, 0xaa, sizeof(other));
	CHECK_EQ(uebpf_code_run(code, (uintptr_t)other, BPF_F_USER_STACK, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "not writable");
	CHECK_EQ(other[0], 0xaaaaaaaaaaaaaaaaull);
	/* Read-only memory. */
	region.access = UEBPF_MEM_READ;
	CHECK_EQ(uebpf_code_run(code, (uintptr_t)buf, BPF_F_USER_STACK, &o, &r0), -EFAULT);
	/* Too short a region. */
	region.access = UEBPF_MEM_RW;
	region.size = 32;
	CHECK_EQ(uebpf_code_run(code, (uintptr_t)buf, BPF_F_USER_STACK, &o, &r0), -EFAULT);
	region.size = 64;
	CHECK_EQ(uebpf_code_run(code, (uintptr_t)buf, BPF_F_USER_STACK, &o, &r0), 0);
	CHECK((int64_t)r0 > 0);
	uebpf_code_free(code);
	/* No buffer at all is fine when its size is 0. */
	code = load(get_stack_prog, 0);
	CHECK_EQ(uebpf_code_run(code, 0, BPF_F_USER_STACK, &o, &r0), 0);
	CHECK_EQ(r0, 0);
	CHECK_EQ(uebpf_code_run(code, 0, BPF_F_USER_STACK | 1, &o, &r0), 0);
	CHECK_EQ(r0, 0);
	uebpf_code_free(code);

	/* get_stackid with something that is not a stack trace map. */
	code = load("r3 = r2\nr2 = r1\ncall bpf_get_stackid\nexit\n");
	CHECK_EQ(uebpf_code_run(code, (uintptr_t)buf, BPF_F_USER_STACK, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "not a stack trace map");
	uebpf_code_free(code);
	int hfd = uebpf_map_create(BPF_MAP_TYPE_HASH, "h", 4, 8, 4, NULL);
	code = load(stackid_prog, hfd);
	CHECK_EQ(uebpf_code_run(code, 0, BPF_F_USER_STACK, &o, &r0), -EFAULT);
	CHECK_CONTAINS(err, "not a stack trace map");
	o.checked = false; /* trusted: refused all the same, not followed */
	CHECK_EQ(uebpf_code_run(code, 0, BPF_F_USER_STACK, &o, &r0), 0);
	CHECK_EQ(r0, (uint64_t)-EINVAL);
	uebpf_code_free(code);
	uebpf_map_close(hfd);
}

/* ---- a stack source of the test's own ---- */

struct fixed_stack {
	const uint64_t *ips;
	int n;
	int calls, last_user;
};

static int fixed_source(struct uebpf_exec *exec, int user, uint64_t *ips, uint32_t max, void *ctx)
{
	struct fixed_stack *s = ctx;
	s->calls++;
	s->last_user = user;
	if (s->n < 0)
		return s->n;
	uint32_t n = (uint32_t)s->n < max ? (uint32_t)s->n : max;
	memcpy(ips, s->ips, n * sizeof(*ips));
	return (int)n;
}

static void test_pluggable_stack_source(void)
{
	static const uint64_t frames[6] = { 0x1111, 0x2222, 0x3333, 0x4444, 0x5555, 0x6666 };
	struct fixed_stack s = { frames, 6, 0, 0 };
	stack_source_fn old_fn = (stack_source_fn)1;
	void *old_ctx = (void *)1;
	stack_source_set(fixed_source, &s, &old_fn, &old_ctx);
	CHECK(old_fn == NULL && old_ctx == NULL);

	int fd = create(4, 32, 16, 0, 0);
	struct uebpf_code *code = load(stackid_prog, fd);
	struct uebpf_run_opts o = { .sz = sizeof(o) };
	uint64_t r0, v[4];
	/* Kernel stacks come from the source too: it decides what exists. */
	CHECK_EQ(uebpf_code_run(code, 0, 2, &o, &r0), 0);
	CHECK_EQ(s.last_user, 0);
	CHECK_EQ(r0, id_of(frames + 2, 4, 16));
	CHECK_EQ(uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)r0 }, v), 0);
	CHECK(memcmp(v, frames + 2, 32) == 0);
	CHECK_EQ(uebpf_code_run(code, 0, BPF_F_USER_STACK | 6, &o, &r0), 0);
	CHECK_EQ(s.last_user, 1);
	CHECK_EQ(r0, (uint64_t)-EFAULT); /* skipped them all */
	s.n = -ENOENT;
	CHECK_EQ(uebpf_code_run(code, 0, BPF_F_USER_STACK, &o, &r0), 0);
	CHECK_EQ(r0, (uint64_t)-EFAULT); /* no stack at all */
	uebpf_code_free(code);

	static uint64_t buf[8];
	s.n = 6;
	code = load(get_stack_prog, 64);
	CHECK_EQ(uebpf_code_run(code, (uintptr_t)buf, 1, &o, &r0), 0);
	CHECK_EQ(r0, 40);
	CHECK(memcmp(buf, frames + 1, 40) == 0);
	CHECK_EQ(buf[5], 0);
	uebpf_code_free(code);
	uebpf_map_close(fd);

	stack_source_set(NULL, NULL, &old_fn, &old_ctx);
	CHECK(old_fn == fixed_source && old_ctx == &s);
}

/* ---- threads and processes ---- */

#define POOL 64

struct pool {
	uint64_t ips[POOL][8];
	uint32_t len[POOL];
};

static struct pool pool;

/* Is v (of a map with n_buckets buckets, depth 8) the pool trace stored
 * at id? */
static int pool_trace_at(const uint64_t *v, uint32_t id, uint32_t n_buckets)
{
	for (int i = 0; i < POOL; i++)
		if (!memcmp(v, pool.ips[i], 64) && id_of(pool.ips[i], pool.len[i], n_buckets) == id)
			return 1;
	return 0;
}

struct worker {
	int fd;
	unsigned seed;
	int bad;
};

static void *worker_run(void *p)
{
	struct worker *w = p;
	struct map *map = map_from_fd(w->fd);
	for (int i = 0; i < 20000; i++) {
		w->seed = w->seed * 1103515245 + 12345;
		unsigned r = w->seed >> 8, t = r % POOL;
		uint32_t id = (r >> 8) % 16;
		uint64_t v[8];
		switch ((r >> 16) % 4) {
		case 0: {
			int rc = stackmap_store(map, pool.ips[t], NULL, pool.len[t],
						r & 1 << 30 ? BPF_F_REUSE_STACKID : 0);
			w->bad += !(rc == -EEXIST || rc == -ENOMEM ||
				    rc == (int)id_of(pool.ips[t], pool.len[t], 16));
			break;
		}
		case 1: {
			int rc = uebpf_map_delete_elem(w->fd, &id);
			w->bad += rc != 0 && rc != -ENOENT;
			break;
		}
		case 2:
			if (uebpf_map_lookup_elem(w->fd, &id, v) == 0)
				w->bad += !pool_trace_at(v, id, 16);
			break;
		default: {
			uint32_t next;
			if (uebpf_map_get_next_key(w->fd, &id, &next) == 0)
				w->bad += next >= 16;
			break;
		}
		}
	}
	return NULL;
}

static void make_pool(void)
{
	uint64_t x = 0x123456789ull;
	for (int i = 0; i < POOL; i++) {
		pool.len[i] = 1 + (uint32_t)(i % 8);
		for (uint32_t j = 0; j < 8; j++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			pool.ips[i][j] = j < pool.len[i] ? x >> 8 : 0;
		}
	}
}

/* One trace per bucket of 16: storing all proves no element was lost. */
static void fill_every_bucket(int fd)
{
	struct map *map = map_from_fd(fd);
	uint64_t ip[1];
	int filled = 0;
	for (ip[0] = 0x7000; filled < 16; ip[0]++) {
		int rc = stackmap_store(map, ip, NULL, 1, 0);
		if (rc >= 0 && rc == (int)id_of(ip, 1, 16)) {
			uint64_t v[8];
			if (uebpf_map_lookup_elem(fd, &(uint32_t){ (uint32_t)rc }, v) == 0 &&
			    v[0] == ip[0])
				filled++;
		} else if (rc != -EEXIST) {
			CHECK_REPORT(0, "store in an empty bucket: %d", rc);
			return;
		}
	}
	CHECK_EQ(filled, 16);
}

static void test_threads_share_a_map(void)
{
	make_pool();
	int fd = create(4, 64, 16, 0, 0);
	struct worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ fd, 17u * (unsigned)i + 1, 0 };
		pthread_create(&t[i], NULL, worker_run, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].bad, 0);
	}
	uint64_t v[8];
	for (uint32_t id = 0; id < 16; id++) {
		if (uebpf_map_lookup_elem(fd, &id, v) == 0)
			CHECK(pool_trace_at(v, id, 16));
		uebpf_map_delete_elem(fd, &id);
	}
	fill_every_bucket(fd);
	uebpf_map_close(fd);
}

static void test_two_processes_share_a_map(void)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .segment = UEBPF_SEGMENT_ANON };
	int fd = uebpf_map_create(BPF_MAP_TYPE_STACK_TRACE, "shared", 4, 64, 16, &o);
	CHECK(fd >= 0);
	make_pool();
	fflush(stdout); /* the child must not print what is buffered again */
	pid_t pid = fork();
	if (pid == 0) {
		struct map *map = map_from_fd(fd);
		int bad = 0;
		for (int i = 0; i < 8; i++)
			bad += stackmap_store(map, pool.ips[i], NULL, pool.len[i],
					      BPF_F_REUSE_STACKID) < 0;
		_exit(bad);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The last of the child's traces is in its bucket, for this process. */
	uint32_t id = id_of(pool.ips[7], pool.len[7], 16);
	uint64_t v[8];
	CHECK_EQ(uebpf_map_lookup_elem(fd, &id, v), 0);
	CHECK(memcmp(v, pool.ips[7], 64) == 0);
	uebpf_map_close(fd);

	/* Pinned and opened again: the same traces. */
	char dir[] = "/tmp/stackmap_test.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct uebpf_map_create_opts po = { .sz = sizeof(po), .pin_dir = dir };
	fd = uebpf_map_create(BPF_MAP_TYPE_STACK_TRACE, "pinned", 4, 64, 16, &po);
	id = (uint32_t)stackmap_store(map_from_fd(fd), pool.ips[3], NULL, pool.len[3], 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/traces", dir);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	int fd2 = uebpf_obj_get(path);
	CHECK(fd2 >= 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd2, &id, v), 0);
	CHECK(memcmp(v, pool.ips[3], 64) == 0);
	uebpf_map_close(fd2);
	uebpf_map_close(fd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	RUN(test_creation_rules);
	RUN(test_syscall_side_on_an_empty_map);
	RUN(test_store_lookup_delete_walk);
	RUN(test_collisions);
	RUN(test_get_stackid_native_stack);
	RUN(test_get_stack_native_stack);
	RUN(test_build_ids);
	RUN(test_checked_mode_refuses_bad_arguments);
	RUN(test_pluggable_stack_source);
	RUN(test_threads_share_a_map);
	RUN(test_two_processes_share_a_map);
	uebpf_vm_free(vm);
	return check_summary("stackmap_test");
}
