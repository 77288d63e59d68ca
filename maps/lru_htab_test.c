/* SPDX-License-Identifier: MIT */
/*
 * LRU_HASH and LRU_PERCPU_HASH: creation rules, the order of evictions on
 * one CPU (oldest first, in the kernel's batches), reference bits set by
 * programs' lookups (not by user space's) protecting keys, updates that
 * never fail with E2BIG, BPF_EXIST's quirk, per-CPU values, per-CPU LRU
 * lists (BPF_F_NO_COMMON_LRU), threads and two processes inserting at once
 * (also under ThreadSanitizer), and a scribbled segment.
 *
 * The expected evictions follow the kernel's algorithm (see maps/htab.c;
 * tests/kernel/lru_htab_kernel_diff_test.c compares with the kernel): on
 * one CPU, with max_entries = 2 * CPUs, each CPU's refill is one node, so
 * an insert into a full map evicts exactly one key.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/map.h"
#include "tests/check.h"
#include "uebpf/uebpf.h"

/* maps/htab.c's consistency check of the LRU lists (quiescent maps). */
int lru_htab_audit(struct map *map, char *why, size_t why_size);

static void audit(int fd)
{
	char why[200] = "";
	CHECK_REPORT(lru_htab_audit(map_from_fd(fd), why, sizeof(why)) == 0, "LRU lists: %s", why);
}

static int ncpus;
static struct uebpf_vm *vm;
static uint64_t *values; /* room for 64 user values */
static char err[300];

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags,
					   .segment = UEBPF_SEGMENT_ANON };
	return uebpf_map_create(type, "lrutest", ks, vs, max, &o);
}

/* Runs the rest of the test on the CPU it is on: the LRU lists are per CPU. */
static void pin_here(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	CHECK_EQ(sched_setaffinity(0, sizeof(set), &set), 0);
}

static void unpin(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	for (int c = 0; c < CPU_SETSIZE && c < ncpus; c++)
		CPU_SET(c, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int has(int fd, uint32_t key)
{
	return uebpf_map_lookup_elem(fd, &key, values) == 0;
}

static uint32_t count(int fd)
{
	uint32_t n = 0, k, prev;
	const void *pk = NULL;
	while (uebpf_map_get_next_key(fd, pk, &k) == 0 && n <= 1u << 20) {
		prev = k;
		pk = &prev;
		n++;
	}
	return n;
}

static int put(int fd, uint32_t key, uint64_t flags)
{
	for (int c = 0; c < ncpus; c++)
		values[c] = key;
	return uebpf_map_update_elem(fd, &key, values, flags);
}

/* bpf_map_lookup_elem from a program: r1 points to the key. */
static struct uebpf_code *lookup_prog(int fd)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "r2 = r1\n"
		 "r1 = map[fd:%d]\n"
		 "call bpf_map_lookup_elem\n"
		 "if r0 == 0 goto out\n"
		 "r0 = 1\n"
		 "out:\n"
		 "exit\n", fd);
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return NULL;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = err, .err_size = sizeof(err) };
	CHECK_EQ(uebpf_code_load(vm, insns, cnt, &lo, &code), 0);
	free(insns);
	return code;
}

static int prog_lookup(struct uebpf_code *code, uint32_t key)
{
	uint64_t r0 = 0;
	struct uebpf_region key_region = { &key, sizeof(key), UEBPF_MEM_READ };
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = 1, .regions = &key_region,
				    .region_cnt = 1, .err_buf = err, .err_size = sizeof(err) };
	if (!code || uebpf_code_run(code, (uintptr_t)&key, sizeof(key), &o, &r0)) {
		printf("run: %s\n", err);
		return -1;
	}
	return (int)r0;
}

static void test_create_rules(void)
{
	const uint32_t lru = BPF_MAP_TYPE_LRU_HASH, lrup = BPF_MAP_TYPE_LRU_PERCPU_HASH;
	CHECK_EQ(create(lru, 4, 8, 16, BPF_F_NO_PREALLOC), -ENOTSUPP);
	CHECK_EQ(create(lrup, 4, 8, 16, BPF_F_NO_PREALLOC), -ENOTSUPP);
	/* Flags first, then preallocation, then sizes. */
	CHECK_EQ(create(lru, 4, 8, 16, BPF_F_NO_PREALLOC | BPF_F_MMAPABLE), -EINVAL);
	CHECK_EQ(create(lru, 0, 8, 16, BPF_F_NO_PREALLOC), -ENOTSUPP);
	CHECK_EQ(create(lru, 0, 8, 16, 0), -EINVAL);
	CHECK_EQ(create(lru, 4, 8, 0, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4, 8, 16, BPF_F_NO_COMMON_LRU), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 16, BPF_F_NO_COMMON_LRU), -EINVAL);
	CHECK_EQ(create(lru, 4, 8, 16, BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE), -EINVAL);
	CHECK_EQ(create(lrup, 4, 8, 16, BPF_F_NUMA_NODE), -EINVAL);
	CHECK_EQ(create(lru, 4, 8, (1u << 27) + 1, 0), -E2BIG);
	CHECK_EQ(create(lrup, 4, 32769, 4, 0), -E2BIG);
	int fd = create(lru, 4, 8, 16, BPF_F_NUMA_NODE | BPF_F_ZERO_SEED);
	CHECK(fd >= 0);
	uebpf_map_close(fd);

	/* BPF_F_NO_COMMON_LRU: max_entries rounded up to a multiple of the CPUs. */
	for (uint32_t max = 1; max <= 3 * (uint32_t)ncpus + 1; max++) {
		fd = create(max % 2 ? lru : lrup, 4, 8, max, BPF_F_NO_COMMON_LRU);
		struct uebpf_map_info info;
		CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
		CHECK_EQ(info.max_entries, (max + ncpus - 1) / ncpus * ncpus);
		uebpf_map_close(fd);
	}
	fd = create(lru, 4, 8, 3, 0); /* the common LRU keeps max_entries */
	struct uebpf_map_info info;
	CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
	CHECK_EQ(info.max_entries, 3);
	uebpf_map_close(fd);

	/* No spin lock in LRU values. */
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .value_has_spin_lock = 1,
					   .spin_lock_off = 0 };
	CHECK_EQ(uebpf_map_create(lru, "l", 4, 8, 4, &o), -EOPNOTSUPP);
	CHECK_EQ(uebpf_map_create(lrup, "l", 4, 8, 4, &o), -EOPNOTSUPP);
}

/* One CPU, max = 2 * CPUs: every insert into a full map evicts the oldest. */
static void test_evicts_oldest_first(void)
{
	for (uint32_t type = BPF_MAP_TYPE_LRU_HASH; type <= BPF_MAP_TYPE_LRU_PERCPU_HASH; type++) {
		uint32_t max = 2 * (uint32_t)ncpus;
		int fd = create(type, 4, 8, max, 0);
		pin_here();
		for (uint32_t k = 0; k < max; k++)
			CHECK_EQ(put(fd, k, BPF_NOEXIST), 0);
		CHECK_EQ(count(fd), max);
		for (uint32_t k = max; k < 3 * max; k++) {
			CHECK_EQ(put(fd, k, BPF_NOEXIST), 0);
			CHECK_EQ(count(fd), max);
			CHECK(!has(fd, k - max));
			CHECK(has(fd, k - max + 1) && has(fd, k));
		}
		uebpf_map_close(fd);
		unpin();
	}
}

/* Larger maps evict in batches: target_free = max / CPUs / 2 (at most
 * 128) nodes move to a CPU at a time; when the global free list has run
 * dry, that many of the oldest keys go at once. */
static void test_evicts_in_batches(void)
{
	const uint32_t per_cpu_targets[] = { 2, 8, 128 };
	for (size_t t = 0; t < 3; t++) {
		uint32_t target = per_cpu_targets[t], max = 2 * target * (uint32_t)ncpus;
		int fd = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, max, 0);
		pin_here();
		for (uint32_t k = 0; k < max; k++)
			put(fd, k, BPF_ANY);
		CHECK_EQ(count(fd), max);
		CHECK_EQ(put(fd, max, BPF_ANY), 0);
		CHECK_EQ(count(fd), max + 1 - target);
		CHECK(!has(fd, target - 1) && has(fd, target) && has(fd, max));
		/* The batch's other nodes serve the next inserts: no eviction. */
		for (uint32_t k = max + 1; k < max + target; k++)
			CHECK_EQ(put(fd, k, BPF_ANY), 0);
		CHECK_EQ(count(fd), max);
		uebpf_map_close(fd);
		unpin();
	}
}

/* A program's lookup sets the element's reference bit: the key survives
 * the next eviction, which takes the next oldest. A lookup from user space
 * does not; updating a key refers it too. */
static void test_reference_bits(void)
{
	for (uint32_t type = BPF_MAP_TYPE_LRU_HASH; type <= BPF_MAP_TYPE_LRU_PERCPU_HASH; type++) {
		uint32_t max = 2 * (uint32_t)ncpus;
		int fd = create(type, 4, 8, max, 0);
		struct uebpf_code *code = lookup_prog(fd);
		pin_here();
		for (uint32_t k = 0; k < max; k++)
			put(fd, k, BPF_ANY);
		CHECK_EQ(prog_lookup(code, 0), 1);
		CHECK_EQ(put(fd, 100, BPF_ANY), 0);
		CHECK(has(fd, 0) && !has(fd, 1) && has(fd, 2));
		/* User space looking key 2 up changes nothing. */
		CHECK(has(fd, 2));
		CHECK_EQ(put(fd, 101, BPF_ANY), 0);
		CHECK(has(fd, 0) && !has(fd, 2));
		/* LRU_HASH's update takes a node first, which evicts the
		 * oldest key, 3: even when that is the key updated (then
		 * ENOENT). LRU_PERCPU_HASH takes none for BPF_EXIST. */
		int lru_hash = type == BPF_MAP_TYPE_LRU_HASH;
		CHECK_EQ(put(fd, 3, BPF_EXIST), lru_hash ? -ENOENT : 0);
		CHECK_EQ(has(fd, 3), !lru_hash);
		/* The updated key is referred: the next eviction spares it. */
		CHECK_EQ(put(fd, 100, BPF_EXIST), 0);
		CHECK_EQ(put(fd, 102, BPF_ANY), 0);
		CHECK(has(fd, 100) && has(fd, 102) && has(fd, 0));
		CHECK_EQ(count(fd), max);
		audit(fd);
		/* A missing key: the program finds nothing. */
		CHECK_EQ(prog_lookup(code, 1), 0);
		/* Looking up every key keeps none from eviction for ever: a
		 * full map still takes new keys (forcing one out if need be). */
		for (uint32_t k = 0; k < 1000; k++)
			prog_lookup(code, k);
		CHECK_EQ(put(fd, 1000, BPF_NOEXIST), 0);
		CHECK(has(fd, 1000));
		CHECK_EQ(count(fd), max);
		uebpf_code_free(code);
		uebpf_map_close(fd);
		unpin();
	}
}

/* Whatever the order of commands, LRU updates succeed (no E2BIG), and the
 * map never holds more than max_entries. */
static void test_never_e2big(void)
{
	uint64_t rs = 0x5eed;
	for (int round = 0; round < 12; round++) {
		uint32_t type = round % 2 ? BPF_MAP_TYPE_LRU_PERCPU_HASH : BPF_MAP_TYPE_LRU_HASH;
		uint32_t flags = round % 4 >= 2 ? BPF_F_NO_COMMON_LRU : 0;
		uint32_t max = 1 + (uint32_t)(round * 7 % 40);
		int fd = create(type, 4, 8, max, flags);
		struct uebpf_map_info info;
		uebpf_map_get_info(fd, &info);
		int bad = 0;
		for (int i = 0; i < 3000; i++) {
			rs = rs * 6364136223846793005ull + 1442695040888963407ull;
			uint32_t k = (uint32_t)(rs >> 40) % (3 * max + 3);
			int rc;
			switch ((rs >> 20) % 4) {
			case 0: case 1:
				rc = put(fd, k, (rs >> 30) % 2 ? BPF_ANY : BPF_NOEXIST);
				bad += rc != 0 && rc != -EEXIST;
				break;
			case 2:
				rc = uebpf_map_delete_elem(fd, &k);
				bad += rc != 0 && rc != -ENOENT;
				break;
			default:
				rc = put(fd, k, BPF_EXIST);
				bad += rc != 0 && rc != -ENOENT;
			}
			bad += count(fd) > info.max_entries;
		}
		CHECK_REPORT(!bad, "type %u flags 0x%x max %u: %d bad results", type, flags, max, bad);
		audit(fd);
		uebpf_map_close(fd);
	}
}

/* LRU_HASH takes a node before it looks at the flags: BPF_EXIST on a
 * missing key fails, but may have evicted a key. LRU_PERCPU_HASH takes no
 * node for BPF_EXIST. */
static void test_exist_on_missing_key(void)
{
	uint32_t max = 2 * (uint32_t)ncpus;
	for (uint32_t type = BPF_MAP_TYPE_LRU_HASH; type <= BPF_MAP_TYPE_LRU_PERCPU_HASH; type++) {
		int fd = create(type, 4, 8, max, 0);
		pin_here();
		for (uint32_t k = 0; k < max; k++)
			put(fd, k, BPF_ANY);
		CHECK_EQ(put(fd, 50, BPF_EXIST), -ENOENT);
		CHECK_EQ(count(fd), type == BPF_MAP_TYPE_LRU_HASH ? max - 1 : max);
		CHECK_EQ(has(fd, 0), type != BPF_MAP_TYPE_LRU_HASH);
		CHECK(!has(fd, 50));
		/* NOEXIST on an existing key fails too (EEXIST). */
		CHECK_EQ(put(fd, max - 1, BPF_NOEXIST), -EEXIST);
		/* Flags beyond BPF_EXIST, also from programs. */
		CHECK_EQ(put(fd, 1, 3), -EINVAL);
		struct map *map = map_from_fd(fd);
		uint64_t v = 0;
		uint32_t k = 1;
		CHECK_EQ(map->ops->update(map, &k, &v, BPF_F_LOCK, 0), -EINVAL);
		CHECK_EQ(put(fd, 1, BPF_F_LOCK), -EINVAL);
		uebpf_map_close(fd);
		unpin();
	}
}

/* LRU_PERCPU_HASH values: user space writes every CPU's copy; a program's
 * insert sets its CPU's and zeroes the others', an update changes its own
 * only; programs read their CPU's copy. */
static void test_percpu_values(void)
{
	int fd = create(BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 8, 0);
	struct map *map = map_from_fd(fd);
	uint32_t stride = 8, k = 7, v32;
	uint8_t *all = calloc((size_t)ncpus, stride), *got = calloc((size_t)ncpus, stride);
	for (int c = 0; c < ncpus; c++) {
		v32 = 100 + (uint32_t)c;
		memcpy(all + c * stride, &v32, 4);
		memset(all + c * stride + 4, 0x99, 4); /* padding, kept as given */
	}
	CHECK_EQ(uebpf_map_update_elem(fd, &k, all, BPF_NOEXIST), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, got), 0);
	CHECK(!memcmp(all, got, (size_t)ncpus * stride));
	uint32_t last = (uint32_t)ncpus - 1;
	uint32_t *mine = map->ops->lookup_ptr(map, &k, last);
	CHECK(mine && *mine == 100 + last);

	/* A program on the last CPU updates its copy in place. */
	v32 = 555;
	CHECK_EQ(map->ops->update(map, &k, &v32, BPF_EXIST, last), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, got), 0);
	for (uint32_t c = 0; c < (uint32_t)ncpus; c++) {
		memcpy(&v32, got + c * stride, 4);
		CHECK_EQ(v32, c == last ? 555 : 100 + c);
	}
	CHECK(mine == map->ops->lookup_ptr(map, &k, last)); /* in place */

	/* A program's insert: its CPU's copy, zeroes for the others. */
	uint32_t k2 = 8;
	v32 = 777;
	CHECK_EQ(map->ops->update(map, &k2, &v32, BPF_NOEXIST, 0), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k2, got), 0);
	for (int c = 0; c < ncpus; c++) {
		memcpy(&v32, got + c * stride, 4);
		CHECK_EQ(v32, c == 0 ? 777 : 0);
	}
	/* lookup_and_delete returns every CPU's copy. */
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k, got), 0);
	memcpy(&v32, got + last * stride, 4);
	CHECK_EQ(v32, 555);
	CHECK(!has(fd, k));
	free(all);
	free(got);
	uebpf_map_close(fd);
}

/* BPF_F_NO_COMMON_LRU: a CPU owns max / CPUs nodes and shrinks its own
 * lists by up to 4 at once. */
static void test_per_cpu_lists(void)
{
	uint32_t per = 8, max = per * (uint32_t)ncpus;
	int fd = create(BPF_MAP_TYPE_LRU_HASH, 4, 8, max, BPF_F_NO_COMMON_LRU);
	pin_here();
	for (uint32_t k = 0; k < per; k++)
		CHECK_EQ(put(fd, k, BPF_ANY), 0);
	CHECK_EQ(count(fd), per);
	CHECK_EQ(put(fd, per, BPF_ANY), 0);
	CHECK_EQ(count(fd), per - 4 + 1);
	CHECK(!has(fd, 3) && has(fd, 4) && has(fd, per));
	for (uint32_t k = per + 1; k < 100; k++)
		CHECK_EQ(put(fd, k, BPF_ANY), 0);
	CHECK(count(fd) <= per && count(fd) > per - 4);
	unpin();
	uebpf_map_close(fd);
}

/* ---- threads and processes ---- */

#define WORKERS 4
#define KEYS 200 /* per worker; the map holds fewer than all */

struct worker {
	int fd, id, ops, errors, enomem, ncpus; /* ncpus: copies per value */
	struct uebpf_code *code;
	char what[160];
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Each worker inserts, updates, deletes and looks up keys of its own; a key
 * may vanish (evicted) but never reads back another value than the last
 * one written. Programs' lookups set reference bits meanwhile. */
static void *work(void *p)
{
	struct worker *w = p;
	uint64_t model[KEYS] = { 0 };
	uint64_t rs = 0x9e3779b97f4a7c15ull * (uint64_t)(w->id + 1);
	uint64_t *buf = calloc((size_t)ncpus, 8); /* a value (per CPU: all copies) */
	for (int i = 0; i < w->ops && !w->errors; i++) {
		uint64_t r = next_rand(&rs);
		uint32_t slot = (uint32_t)(r % KEYS);
		uint64_t key = (uint64_t)w->id << 32 | slot, value = 0;
		int rc = 0;
		switch ((r >> 16) % 6) {
		case 0: case 1: { /* insert or update: never E2BIG */
			uint64_t v = (r >> 20) << 8 | slot;
			for (int c = 0; c < ncpus; c++)
				buf[c] = v;
			rc = uebpf_map_update_elem(w->fd, &key, buf, BPF_ANY);
			if (rc == 0)
				model[slot] = v;
			else if (rc == -ENOMEM) /* every node in flight elsewhere */
				w->enomem++;
			else
				goto bad;
			break;
		}
		case 2:
			rc = uebpf_map_delete_elem(w->fd, &key);
			if (rc != 0 && rc != -ENOENT)
				goto bad;
			model[slot] = 0;
			break;
		case 3: case 4:
			rc = uebpf_map_lookup_elem(w->fd, &key, buf);
			value = buf[0];
			for (int c = 1; rc == 0 && c < w->ncpus; c++)
				value = buf[c] == value ? value : ~0ull;
			if (rc == 0 ? value != model[slot] || !model[slot] : rc != -ENOENT)
				goto bad;
			break;
		default:
			if (w->code) {
				uint64_t r0;
				struct uebpf_run_opts o = { .sz = sizeof(o) };
				uebpf_code_run(w->code, (uintptr_t)&key, 8, &o, &r0);
			}
			break;
		}
		continue;
bad:
		snprintf(w->what, sizeof(w->what), "worker %d op %d key %u: rc %d, model %llx, read %llx",
			 w->id, i, slot, rc, (unsigned long long)model[slot],
			 (unsigned long long)value);
		w->errors++;
	}
	free(buf);
	return NULL;
}

static int run_workers(int fd, int first_id, int ops, struct uebpf_code *code)
{
	pthread_t t[WORKERS];
	struct worker w[WORKERS];
	int errors = 0;
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .fd = fd, .id = first_id + i, .ops = ops, .code = code,
					.ncpus = map_from_fd(fd)->hdr->ncpus };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].errors) {
			printf("%s\n", w[i].what);
			errors++;
		}
	}
	return errors;
}

/* After the workers: the map holds at most max_entries, every key once,
 * and the LRU lists account for every node; the map keeps working. */
static void check_after_workers(int fd, uint32_t max)
{
	uint64_t k, prev;
	const void *pk = NULL;
	uint32_t n = 0;
	while (uebpf_map_get_next_key(fd, pk, &k) == 0 && n <= max) {
		prev = k;
		pk = &prev;
		n++;
	}
	CHECK(n <= max);
	audit(fd);
	for (uint64_t i = 0; i < 4 * max; i++) {
		k = 1ull << 40 | i;
		for (int c = 0; c < ncpus; c++)
			values[c] = i;
		CHECK_EQ(uebpf_map_update_elem(fd, &k, values, BPF_ANY), 0);
	}
	k = 1ull << 40 | (4 * max - 1); /* the newest key is there */
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, values), 0);
	audit(fd);
}

static int ops = 20000;

static void test_threads(void)
{
	for (int round = 0; round < 4; round++) {
		uint32_t type = round % 2 ? BPF_MAP_TYPE_LRU_PERCPU_HASH : BPF_MAP_TYPE_LRU_HASH;
		uint32_t flags = round >= 2 ? BPF_F_NO_COMMON_LRU : 0;
		uint32_t max = 256;
		int fd = create(type, 8, 8, max, flags);
		struct uebpf_code *code = lookup_prog(fd);
		CHECK_EQ(run_workers(fd, 0, ops, code), 0);
		check_after_workers(fd, max);
		uebpf_code_free(code);
		uebpf_map_close(fd);
	}
}

static void test_two_processes(void)
{
	uint32_t max = 256;
	int fd = create(BPF_MAP_TYPE_LRU_HASH, 8, 8, max, 0); /* anonymous: shared by fork */
	pid_t pids[2];
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		if (pids[p] == 0)
			_exit(run_workers(fd, 10 + p * WORKERS, ops, NULL) ? 1 : 0);
	}
	for (int p = 0; p < 2; p++) {
		int status = 0;
		waitpid(pids[p], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	check_after_workers(fd, max);
	uebpf_map_close(fd);
}

/* Another process may scribble on the segment: indices in the LRU lists,
 * bucket chains and elements out of range or wrong. Commands must neither
 * crash nor hang (the locks are left alone: a held lock word blocks as it
 * would in the kernel). */
static void test_scribbled_segment(void)
{
	uint64_t rs = 0xbadcafe;
	for (int round = 0; round < 40; round++) {
		uint32_t type = round % 2 ? BPF_MAP_TYPE_LRU_PERCPU_HASH : BPF_MAP_TYPE_LRU_HASH;
		uint32_t flags = round % 4 >= 2 ? BPF_F_NO_COMMON_LRU : 0;
		uint32_t max = 4 + (uint32_t)round;
		int fd = create(type, 4, 8, max, flags);
		struct map *map = map_from_fd(fd);
		struct map_hdr *hdr = map->hdr;
		for (uint32_t k = 0; k < 2 * max; k++)
			put(fd, k, BPF_ANY);
		/* The LRU area's layout (maps/htab.c): lists, per-CPU locks,
		 * then 16-byte nodes, at the end of the data. */
		uint32_t n = hdr->htab.n_elems;
		uint64_t nodes_size = ((uint64_t)n + 3 + 3 * (uint64_t)ncpus) * 16;
		uint8_t *nodes = map->data + hdr->data_size - nodes_size;
		uint8_t *lists = nodes - (uint64_t)ncpus * 64 - (1 + (uint64_t)ncpus) * 64;
		for (int hits = 0; hits < 6; hits++) {
			uint64_t r = next_rand(&rs);
			uint32_t word = (uint32_t)(r >> 32);
			uint32_t bad = r % 3 == 0 ? word : r % 3 == 1 ? n + (uint32_t)(r >> 8) % 8
								     : (uint32_t)(r >> 8) % (n + 1);
			switch ((r >> 4) % 4) {
			case 0: { /* a node's prev, next, cpu or type */
				uint64_t at = (r >> 12) % (nodes_size / 4) * 4;
				memcpy(nodes + at, &bad, 4);
				break;
			}
			case 1: { /* a list's counts, rotation, fresh range */
				uint64_t at = (r >> 12) % (1 + (uint64_t)ncpus) * 64 + 4 +
					      (r >> 20) % 6 * 4;
				memcpy(lists + at, &bad, 4);
				break;
			}
			case 2: { /* a bucket's head */
				uint64_t b = (r >> 12) % hdr->htab.n_buckets;
				memcpy(map->data + hdr->htab.buckets_off + b * 8 + 4, &bad, 4);
				break;
			}
			default: { /* an element's next */
				uint64_t e = (r >> 12) % n;
				memcpy(map->data + hdr->htab.elems_off + e * hdr->htab.elem_size, &bad, 4);
			}
			}
		}
		struct uebpf_code *code = lookup_prog(fd);
		for (int i = 0; i < 500; i++) {
			uint64_t r = next_rand(&rs);
			uint32_t k = (uint32_t)(r >> 8) % (3 * max);
			switch (r % 6) {
			case 0: case 1: put(fd, k, r >> 40 & 3); break;
			case 2: uebpf_map_delete_elem(fd, &k); break;
			case 3: has(fd, k); break;
			case 4: prog_lookup(code, k); break;
			default: {
				uint32_t keys[64], in = 0, out, cnt = 64;
				uebpf_map_lookup_and_delete_batch(fd, r & 64 ? &in : NULL, &out, keys,
								  values, &cnt, NULL);
				count(fd);
			}
			}
		}
		uebpf_code_free(code);
		uebpf_map_close(fd);
	}
	CHECK(1); /* got here: no crash, no hang */
}

int main(int argc, char **argv)
{
	if (argc > 1)
		ops = atoi(argv[1]);
	ncpus = uebpf_num_possible_cpus();
	values = calloc(64 * (size_t)ncpus, 8);
	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm)) {
		printf("FAIL: no vm\n");
		return 1;
	}
	RUN(test_create_rules);
	RUN(test_evicts_oldest_first);
	RUN(test_evicts_in_batches);
	RUN(test_reference_bits);
	RUN(test_never_e2big);
	RUN(test_exist_on_missing_key);
	RUN(test_percpu_values);
	RUN(test_per_cpu_lists);
	RUN(test_threads);
	RUN(test_two_processes);
	RUN(test_scribbled_segment);
	uebpf_vm_free(vm);
	free(values);
	return check_summary("lru_htab_test");
}
