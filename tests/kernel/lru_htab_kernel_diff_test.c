/* SPDX-License-Identifier: MIT */
/*
 * LRU_HASH and LRU_PERCPU_HASH against the kernel.
 *
 * 1. Random creation attributes (flags incl. BPF_F_NO_PREALLOC,
 *    BPF_F_NO_COMMON_LRU, NUMA, sizes, max_entries): created or refused
 *    alike, with the same errno, and the same max_entries afterwards
 *    (BPF_F_NO_COMMON_LRU rounds it up to a multiple of the CPUs).
 * 2. Seeded random sequences on a kernel map and a uebpf map, with the
 *    thread pinned to one CPU (sched_setaffinity), so that the kernel's
 *    LRU is deterministic: updates with every flag (BPF_EXIST on missing
 *    keys included), deletes, lookups from user space (which leave the
 *    reference bit alone), programs' lookups (which set it), updates and
 *    deletes (run with BPF_PROG_TEST_RUN in the kernel, by the
 *    interpreter here), lookup_and_delete, get_next_key and the batch
 *    commands. Every return code must agree, and after every step the
 *    whole contents, keys and all values: the same keys survive every
 *    eviction, in the same iteration order with BPF_F_ZERO_SEED (as sets
 *    otherwise). Sequences run on CPU 0, on the last CPU, or move between
 *    CPUs now and then (the common LRU's per-CPU lists and stealing), with
 *    and without BPF_F_NO_COMMON_LRU.
 *
 *    Per-CPU values are compared with their padding, which the kernel
 *    leaves as the element's previous use wrote it: so even which free
 *    element each insert reuses must be the kernel's.
 *
 *   lru_htab_kernel_diff_test [SEQUENCES [SEED]]
 *
 * $LRU_DIFF_TRACE=N prints the steps of sequence N, $LRU_DIFF_VERBOSE the
 * values that differ. Skips (exit 77) where bpf() is not permitted or not
 * every possible CPU is available.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

static int ncpus;

static int pin_to(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -1;
	return sched_getcpu() == cpu ? 0 : -1;
}

/* ---- the kernel side ---- */

static int k_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		    uint64_t extra)
{
	return kernel_map_create(type, ks, vs, max, flags, extra, 0);
}

static uint32_t k_max_entries(int fd)
{
	struct bpf_map_info info;
	return kernel_map_info(fd, &info) ? 0 : info.max_entries;
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_LRU_HASH: return "lru_hash";
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: return "lru_percpu_hash";
	case BPF_MAP_TYPE_HASH: return "hash";
	case BPF_MAP_TYPE_PERCPU_HASH: return "percpu_hash";
	default: return "?";
	}
}

/* ---- 1. creation attributes ---- */

static void test_create(int rounds)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
					  BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH,
					  BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_PERCPU_HASH };
	static const uint32_t key_sizes[] = { 4, 4, 8, 1, 0, 64, 4194200, 4194255 };
	static const uint32_t value_sizes[] = { 8, 8, 4, 1, 0, 56, 32768, 32769, 4194255 };
	static const uint32_t maxes[] = { 1, 2, 3, 5, 7, 64, 1000, 0, (1u << 27) + 1,
					  0xffffffffu };
	static const uint32_t flag_bits[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, BPF_F_RDONLY,
		BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED,
		BPF_F_MMAPABLE, BPF_F_INNER_MAP, 1u << 20,
	};
	int created = 0, refused = 0;
	check_current = "create";
	for (int r = 0; r < rounds; r++) {
		uint32_t type = types[below(sizeof(types) / 4)];
		uint32_t ks = key_sizes[below(sizeof(key_sizes) / 4)];
		uint32_t vs = value_sizes[below(sizeof(value_sizes) / 4)];
		uint32_t max = maxes[below(sizeof(maxes) / 4)];
		uint32_t flags = 0;
		uint64_t extra = below(20) == 0;
		for (unsigned n = below(4); n; n--)
			flags |= flag_bits[below(sizeof(flag_bits) / 4)];
		if ((uint64_t)ks + vs > 65536 && max > 3)
			max = 1 + below(3); /* the kernel preallocates */
		int kfd = k_create(type, ks, vs, max, flags, extra);
		if (kernel_bpf_refused(kfd)) {
			printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n",
			       strerror(-kfd));
			exit(KERNEL_TEST_SKIP);
		}
		struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags,
						   .map_extra = extra };
		int ufd = uebpf_map_create(type, "lrucreate", ks, vs, max, &o);
		CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
			     "create %s key_size %u value_size %u max %u flags 0x%x extra %d: "
			     "kernel %d, uebpf %d", type_name(type), ks, vs, max, flags, (int)extra,
			     kfd >= 0 ? 0 : kfd, ufd >= 0 ? 0 : ufd);
		if (kfd >= 0 && ufd >= 0) {
			struct uebpf_map_info info;
			uebpf_map_get_info(ufd, &info);
			CHECK_REPORT(k_max_entries(kfd) == info.max_entries,
				     "create %s max %u flags 0x%x: max_entries kernel %u, uebpf %u",
				     type_name(type), max, flags, k_max_entries(kfd),
				     info.max_entries);
			created++;
		} else {
			refused++;
		}
		if (kfd >= 0)
			close(kfd);
		if (ufd >= 0)
			uebpf_map_close(ufd);
	}
	printf("creation: %d created by both, %d refused by both\n", created, refused);
}

/* ---- programs: lookup, update and delete of the key in an args map ---- */

/* The args map (an array of one element) holds the key at 0, the value at
 * 16 and the update flags at 64. */
#define ARGS_KEY 0
#define ARGS_VALUE 16
#define ARGS_FLAGS 64
#define ARGS_SIZE 72
#define MAX_KS 16
#define MAX_VS (ARGS_FLAGS - ARGS_VALUE)

#define PROG_ARGS                                                                  \
	"*(u32 *)(r10 - 4) = 0\n"                                                  \
	"r1 = map[fd:%d]\n"                                                        \
	"r2 = r10\n"                                                               \
	"r2 += -4\n"                                                               \
	"call bpf_map_lookup_elem\n"                                               \
	"if r0 == 0 goto fail\n"                                                   \
	"r6 = r0\n"                                                                \
	"r1 = map[fd:%d]\n"                                                        \
	"r2 = r6\n"

/* Found: 256 | the value's first byte (this CPU's copy); missing: 0. */
static const char lookup_prog[] = PROG_ARGS
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto miss\n"
	"r0 = *(u8 *)(r0 + 0)\n"
	"r0 |= 256\n"
	"exit\n"
	"miss:\n"
	"r0 = 0\n"
	"exit\n"
	"fail:\n"
	"r0 = 12345\n"
	"exit\n";

static const char update_prog[] = PROG_ARGS
	"r3 = r6\n"
	"r3 += 16\n"
	"r4 = *(u64 *)(r6 + 64)\n"
	"call bpf_map_update_elem\n"
	"exit\n"
	"fail:\n"
	"r0 = 12345\n"
	"exit\n";

static const char delete_prog[] = PROG_ARGS
	"call bpf_map_delete_elem\n"
	"exit\n"
	"fail:\n"
	"r0 = 12345\n"
	"exit\n";

enum { P_LOOKUP, P_UPDATE, P_DELETE, NPROGS };

static struct uebpf_vm *vm;
static char errbuf[512];
static char vlog[1 << 16];

struct side {
	int kernel;
	int map_fd, args_fd;
	int prog_fd[NPROGS];              /* kernel */
	struct uebpf_code *code[NPROGS];  /* uebpf */
};

static void side_close(struct side *s)
{
	for (int p = 0; p < NPROGS; p++) {
		if (s->kernel && s->prog_fd[p] >= 0)
			close(s->prog_fd[p]);
		if (!s->kernel)
			uebpf_code_free(s->code[p]);
	}
	if (s->args_fd >= 0) {
		if (s->kernel)
			close(s->args_fd);
		else
			uebpf_map_close(s->args_fd);
	}
}

static int side_open(struct side *s, int kernel, int map_fd)
{
	static const char *const texts[NPROGS] = { lookup_prog, update_prog, delete_prog };
	memset(s, 0, sizeof(*s));
	s->kernel = kernel;
	s->map_fd = map_fd;
	for (int p = 0; p < NPROGS; p++)
		s->prog_fd[p] = -1;
	s->args_fd = kernel ? k_create(BPF_MAP_TYPE_ARRAY, 4, ARGS_SIZE, 1, 0, 0)
			    : uebpf_map_create(BPF_MAP_TYPE_ARRAY, "args", 4, ARGS_SIZE, 1, NULL);
	if (s->args_fd < 0)
		return -1;
	for (int p = 0; p < NPROGS; p++) {
		char text[2048];
		struct uebpf_insn *insns;
		size_t cnt;
		snprintf(text, sizeof(text), texts[p], s->args_fd, map_fd);
		struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = errbuf,
					     .err_size = sizeof(errbuf) };
		if (uebpf_asm(text, &insns, &cnt, &ao)) {
			printf("assembler: %s\n", errbuf);
			return -1;
		}
		int err = 0;
		if (kernel) {
			s->prog_fd[p] = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog,
							 sizeof(vlog), 1);
			if (s->prog_fd[p] < 0) {
				printf("kernel prog load: %d\n%s\n", s->prog_fd[p], vlog);
				err = -1;
			}
		} else {
			struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
						      .err_size = sizeof(errbuf) };
			if (uebpf_code_load(vm, insns, cnt, &lo, &s->code[p])) {
				printf("uebpf_code_load: %s\n", errbuf);
				err = -1;
			}
		}
		free(insns);
		if (err)
			return -1;
	}
	return 0;
}

/* Runs program p with the given args on one side; -1 if it could not run. */
static int side_run(struct side *s, int p, const uint8_t *args, int64_t *r0)
{
	uint32_t zero = 0;
	uint8_t pkt[64] = { 0 };
	if (s->kernel) {
		if (kernel_map_elem(BPF_MAP_UPDATE_ELEM, s->args_fd, &zero, (void *)args, 0))
			return -1;
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.test.prog_fd = (uint32_t)s->prog_fd[p];
		attr.test.data_in = (uintptr_t)pkt;
		attr.test.data_size_in = sizeof(pkt);
		attr.test.repeat = 1;
		if (kernel_bpf(BPF_PROG_TEST_RUN, &attr) < 0)
			return -1;
		*r0 = (int32_t)attr.test.retval;
		return 0;
	}
	if (uebpf_map_update_elem(s->args_fd, &zero, args, 0))
		return -1;
	uint64_t ret = 0;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = (int)below(2),
				    .err_buf = errbuf, .err_size = sizeof(errbuf) };
	if (uebpf_code_run(s->code[p], (uintptr_t)pkt, sizeof(pkt), &o, &ret)) {
		printf("uebpf run: %s\n", errbuf);
		return -1;
	}
	*r0 = (int32_t)ret;
	return 0;
}

/* ---- 2. sequences ---- */

struct shape {
	uint32_t type, key_size, value_size, max_entries, flags;
	int cpu_mode; /* 0: CPU 0, 1: the last CPU, 2: moving */
};

/* Key number k as key_size bytes. */
static void make_key(const struct shape *s, uint32_t k, uint8_t *key)
{
	memset(key, 0, s->key_size);
	memcpy(key, &k, s->key_size < 4 ? s->key_size : 4);
	for (uint32_t i = 4; i < s->key_size; i++)
		key[i] = (uint8_t)(k * 13 + i);
}

static size_t user_value_size(const struct shape *s)
{
	return s->type == BPF_MAP_TYPE_LRU_PERCPU_HASH
		       ? ((s->value_size + 7) & ~7u) * (size_t)ncpus : s->value_size;
}

/* The whole contents (keys, then values) through LOOKUP_BATCH. */
struct dump {
	int rc;
	uint32_t n;
	uint8_t *keys, *values;
};

static int cmp_size;
static int cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)cmp_size);
}

static void dump_map(int kernel, int fd, const struct shape *s, int ordered, struct dump *d)
{
	size_t vsz = user_value_size(s), cap = s->max_entries + 8;
	uint32_t out = 0;
	d->n = (uint32_t)cap;
	d->keys = calloc(cap, s->key_size);
	d->values = calloc(cap, vsz);
	struct uebpf_map_batch_opts bo = { .sz = sizeof(bo) };
	d->rc = kernel ? kernel_map_batch(BPF_MAP_LOOKUP_BATCH, fd, NULL, &out, d->keys, d->values, &d->n, 0)
		       : uebpf_map_lookup_batch(fd, NULL, &out, d->keys, d->values, &d->n, &bo);
	if (ordered)
		return;
	/* Sorted (key, value) records, so that sets compare. */
	size_t rec = s->key_size + vsz;
	uint8_t *recs = malloc(cap * rec);
	for (uint32_t i = 0; i < d->n; i++) {
		memcpy(recs + i * rec, d->keys + i * s->key_size, s->key_size);
		memcpy(recs + i * rec + s->key_size, d->values + i * vsz, vsz);
	}
	cmp_size = (int)rec;
	qsort(recs, d->n, rec, cmp_rec);
	for (uint32_t i = 0; i < d->n; i++) {
		memcpy(d->keys + i * s->key_size, recs + i * rec, s->key_size);
		memcpy(d->values + i * vsz, recs + i * rec + s->key_size, vsz);
	}
	free(recs);
}

static int dump_has(const struct dump *d, const struct shape *s, const uint8_t *key)
{
	for (uint32_t i = 0; i < d->n; i++)
		if (!memcmp(d->keys + i * s->key_size, key, s->key_size))
			return 1;
	return 0;
}

static unsigned long long n_steps, n_prog_steps, n_evictions, n_evicted_keys, n_moves,
	n_compared_dumps;

#define MISMATCH(...)                                                              \
	do {                                                                       \
		char msg_[256];                                                    \
		snprintf(msg_, sizeof(msg_), __VA_ARGS__);                         \
		CHECK_REPORT(0, "sequence %d (%s, key %u, value %u, max %u, flags 0x%x, " \
			     "cpus %s), step %d: %s", seq, type_name(s->type), s->key_size, \
			     s->value_size, s->max_entries, s->flags,                \
			     s->cpu_mode == 2 ? "moving" : s->cpu_mode ? "last" : "0", step, \
			     msg_);                                                  \
		failed = 1;                                                        \
	} while (0)

static int trace_seq = -1; /* $LRU_DIFF_TRACE: print this sequence's steps */

static int run_sequence(int seq, const struct shape *s, int kfd, int ufd, int steps)
{
	size_t vsz = user_value_size(s), ks = s->key_size;
	int ordered = (s->flags & BPF_F_ZERO_SEED) != 0;
	uint32_t space = s->max_entries + 2 + below(2 * s->max_entries + 2);
	uint8_t key[MAX_KS], knext[MAX_KS], unext[MAX_KS], args[ARGS_SIZE];
	uint8_t *val = malloc(vsz), *kval = malloc(vsz), *uval = malloc(vsz);
	size_t bcap = 8;
	uint8_t *kkeys = malloc(bcap * ks), *ukeys = malloc(bcap * ks);
	uint8_t *kvals = malloc(bcap * vsz), *uvals = malloc(bcap * vsz);
	struct side kside, uside;
	struct dump prev = { 0 };
	int failed = 0, step = -1, cpu = s->cpu_mode == 1 ? ncpus - 1 : 0;

	int prefill = below(3) ? 0 : (int)below(2 * s->max_entries + 1);
	steps += prefill;
	if (pin_to(cpu)) {
		MISMATCH("cannot run on CPU %d", cpu);
		return -1;
	}
	if (side_open(&kside, 1, kfd) || side_open(&uside, 0, ufd)) {
		MISMATCH("programs did not load");
		failed = 1;
		steps = 0;
	}
	dump_map(1, kfd, s, ordered, &prev);
	for (step = 0; step < steps && !failed; step++) {
		const char *what = "";
		int64_t krc = 0, urc = 0;
		int cmp_value = 0, cmp_next = 0, inserts = 0, deletes = 0;
		uint32_t k = below(space);
		make_key(s, k, key);
		for (size_t i = 0; i < vsz; i++)
			val[i] = (uint8_t)rnd();
		memset(kval, 0xaa, vsz);
		memset(uval, 0xaa, vsz);
		int had = dump_has(&prev, s, key);
		if (s->cpu_mode == 2 && below(20) == 0) {
			cpu = (cpu + 1 + (int)below((unsigned)ncpus - 1)) % ncpus;
			if (pin_to(cpu)) {
				MISMATCH("cannot run on CPU %d", cpu);
				break;
			}
			n_moves++;
		}
		/* Some sequences start by filling the map (with some programs'
		 * lookups), so that large maps evict too. */
		unsigned op = step < prefill ? (below(4) ? 0 : 35) : below(100);
		if (op < 30) {
			static const uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_ANY, BPF_NOEXIST,
							  BPF_NOEXIST, BPF_EXIST, BPF_EXIST, 3,
							  BPF_F_LOCK };
			uint64_t f = step < prefill ? BPF_ANY : flags[below(sizeof(flags) / 8)];
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, key, val, f);
			urc = uebpf_map_update_elem(ufd, key, val, f);
			inserts = krc == 0 && !had;
		} else if (op < 62) {
			/* Programs: lookup (sets the reference bit), update, delete. */
			static const uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_EXIST,
							  BPF_F_LOCK };
			int p = op < 46 ? P_LOOKUP : op < 57 ? P_UPDATE : P_DELETE;
			uint64_t f = flags[below(5)];
			what = p == P_LOOKUP ? "program lookup"
			       : p == P_UPDATE ? "program update" : "program delete";
			memset(args, 0, sizeof(args));
			memcpy(args + ARGS_KEY, key, ks);
			memcpy(args + ARGS_VALUE, val, s->value_size);
			memcpy(args + ARGS_FLAGS, &f, 8);
			if (side_run(&kside, p, args, &krc) || side_run(&uside, p, args, &urc)) {
				MISMATCH("%s did not run", what);
				break;
			}
			n_prog_steps++;
			inserts = p == P_UPDATE && krc == 0 && !had;
			deletes = p == P_DELETE && krc == 0;
		} else if (op < 72) {
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_elem(ufd, key, uval);
			cmp_value = 1;
		} else if (op < 80) {
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, key);
			deletes = krc == 0;
		} else if (op < 85) {
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, key, uval);
			cmp_value = 1;
			deletes = krc == 0;
		} else if (op < 92) {
			int null_key = below(4) == 0;
			what = null_key ? "get_next_key(NULL)" : "get_next_key";
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, null_key ? NULL : key, knext, 0);
			urc = uebpf_map_get_next_key(ufd, null_key ? NULL : key, unext);
			cmp_next = ordered;
			/* A random seed: the next key is the kernel's only when
			 * there is none (an empty map). */
			if (!ordered && !null_key)
				krc = urc = 0;
		} else {
			/* Batches: generic update/delete, and with a known order
			 * the hash's bucket-wise lookup (and delete). */
			int c = (int)below(4);
			if (c == 1 && !ordered)
				c = 3;
			uint32_t n = 1 + below(5), kn = n, un = n, kout = 0, uout = 0;
			struct uebpf_map_batch_opts bo = { .sz = sizeof(bo) };
			for (uint32_t i = 0; i < n; i++) {
				make_key(s, below(space), kkeys + i * ks);
				for (size_t j = 0; j < vsz; j++)
					kvals[i * vsz + j] = (uint8_t)rnd();
			}
			memcpy(ukeys, kkeys, n * ks);
			memcpy(uvals, kvals, n * vsz);
			if (c == 0 || c == 1) {
				uint32_t start = below(4) ? 0 : below(8);
				int cmd = c ? BPF_MAP_LOOKUP_AND_DELETE_BATCH : BPF_MAP_LOOKUP_BATCH;
				what = c ? "lookup_and_delete_batch" : "lookup_batch";
				krc = kernel_map_batch(cmd, kfd, start ? &start : NULL, &kout, kkeys, kvals,
					      &kn, 0);
				urc = c ? uebpf_map_lookup_and_delete_batch(ufd, start ? &start : NULL,
									    &uout, ukeys, uvals, &un, &bo)
					: uebpf_map_lookup_batch(ufd, start ? &start : NULL, &uout,
								 ukeys, uvals, &un, &bo);
				if (!ordered && krc != -EFAULT)
					krc = urc = 0, kn = un; /* bucket sizes differ */
				else if (krc == urc && kn == un &&
					 (memcmp(kkeys, ukeys, kn * ks) ||
					  memcmp(kvals, uvals, kn * vsz) || kout != uout))
					MISMATCH("%s: different elements", what);
			} else if (c == 2) {
				what = "update_batch";
				krc = kernel_map_batch(BPF_MAP_UPDATE_BATCH, kfd, NULL, NULL, kkeys, kvals, &kn, 0);
				urc = uebpf_map_update_batch(ufd, ukeys, uvals, &un, &bo);
			} else {
				what = "delete_batch";
				krc = kernel_map_batch(BPF_MAP_DELETE_BATCH, kfd, NULL, NULL, kkeys, NULL, &kn, 0);
				urc = uebpf_map_delete_batch(ufd, ukeys, &un, &bo);
			}
			if (krc == urc && kn != un)
				MISMATCH("%s: count %u vs %u", what, kn, un);
			inserts = deletes = -1; /* not counted */
		}
		n_steps++;
		if (trace_seq == seq) {
			printf("  step %d cpu %d: %s key %u -> %" PRId64 " / %" PRId64 "  value",
			       step, sched_getcpu(), what, k, krc, urc);
			for (size_t j = 0; j < vsz; j++)
				printf("%s%02x", j % 8 ? "" : " ", val[j]);
			printf("\n");
		}
		if (!failed && krc != urc)
			MISMATCH("%s key %u: kernel %" PRId64 ", uebpf %" PRId64, what, k, krc, urc);
		if (!failed && krc == 0 && cmp_value && memcmp(kval, uval, vsz))
			MISMATCH("%s key %u: different values", what, k);
		if (!failed && krc == 0 && cmp_next && memcmp(knext, unext, ks))
			MISMATCH("%s key %u: different next keys", what, k);
		if (failed)
			break;

		/* The contents after every step: same keys (in the same order
		 * with BPF_F_ZERO_SEED), same values. */
		struct dump kd, ud;
		dump_map(1, kfd, s, ordered, &kd);
		dump_map(0, ufd, s, ordered, &ud);
		n_compared_dumps++;
		if (kd.rc != ud.rc || kd.n != ud.n || memcmp(kd.keys, ud.keys, kd.n * ks) ||
		    memcmp(kd.values, ud.values, kd.n * vsz)) {
			MISMATCH("after %s key %u: contents differ: kernel %u keys (%d), uebpf %u "
				 "(%d)%s", what, k, kd.n, kd.rc, ud.n, ud.rc,
				 kd.n == ud.n && !memcmp(kd.keys, ud.keys, kd.n * ks)
					 ? " (same keys, different values)" : "");
			for (uint32_t i = 0; i < kd.n && i < ud.n && getenv("LRU_DIFF_VERBOSE"); i++) {
				if (!memcmp(kd.values + i * vsz, ud.values + i * vsz, vsz))
					continue;
				printf("  value %u:\n   kernel", i);
				for (size_t j = 0; j < vsz; j++)
					printf(" %02x", kd.values[i * vsz + j]);
				printf("\n   uebpf ");
				for (size_t j = 0; j < vsz; j++)
					printf(" %02x", ud.values[i * vsz + j]);
				printf("\n");
			}
			if (kd.n < 64 && ud.n < 64 && ks >= 4) {
				printf("  kernel:");
				for (uint32_t i = 0; i < kd.n; i++)
					printf(" %u", *(uint32_t *)(kd.keys + i * ks));
				printf("\n  uebpf: ");
				for (uint32_t i = 0; i < ud.n; i++)
					printf(" %u", *(uint32_t *)(ud.keys + i * ks));
				printf("\n");
			}
		}
		/* Keys gone beyond what the step itself deleted: evicted. */
		if (inserts >= 0 && kd.n < prev.n + (uint32_t)inserts - (uint32_t)deletes) {
			n_evictions++;
			n_evicted_keys += prev.n + (uint32_t)inserts - (uint32_t)deletes - kd.n;
		}
		free(prev.keys);
		free(prev.values);
		prev = kd;
		free(ud.keys);
		free(ud.values);
	}
	side_close(&kside);
	side_close(&uside);
	free(prev.keys);
	free(prev.values);
	free(val);
	free(kval);
	free(uval);
	free(kkeys);
	free(ukeys);
	free(kvals);
	free(uvals);
	return failed ? -1 : 0;
}

static struct shape random_shape(void)
{
	static const uint32_t key_sizes[] = { 4, 4, 4, 8, 8, 2, 3, 12, 16 };
	static const uint32_t value_sizes[] = { 8, 8, 4, 1, 12, 16, 13, 48 };
	static const uint32_t maxes[] = { 1, 2, 3, 4, 5, 6, 8, 9, 13, 16, 17, 31, 32, 50,
					  64, 100, 128, 200, 257, 300, 600 };
	struct shape s;
	s.type = below(2) ? BPF_MAP_TYPE_LRU_HASH : BPF_MAP_TYPE_LRU_PERCPU_HASH;
	s.key_size = key_sizes[below(sizeof(key_sizes) / 4)];
	s.value_size = value_sizes[below(sizeof(value_sizes) / 4)];
	s.max_entries = maxes[below(sizeof(maxes) / 4)];
	if (s.key_size == 2 && s.max_entries > 200)
		s.max_entries = 200;
	s.flags = below(4) ? BPF_F_ZERO_SEED : 0;
	if (below(4) == 0)
		s.flags |= BPF_F_NO_COMMON_LRU;
	s.cpu_mode = (int)below(3);
	return s;
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 600;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x1e5;
	int compared = 0;
	cpu_set_t saved;

	ncpus = uebpf_num_possible_cpus();
	sched_getaffinity(0, sizeof(saved), &saved);
	for (int c = 0; c < ncpus; c++) {
		if (!CPU_ISSET(c, &saved)) {
			printf("SKIP: CPU %d is not available to this process\n", c);
			return KERNEL_TEST_SKIP;
		}
	}
	if (getenv("LRU_DIFF_TRACE"))
		trace_seq = atoi(getenv("LRU_DIFF_TRACE"));
	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm)) {
		printf("FAIL: no vm\n");
		return 1;
	}
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	test_create(sequences);

	check_current = "sequence";
	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		struct shape s = random_shape();
		struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = s.flags };
		int kfd = k_create(s.type, s.key_size, s.value_size, s.max_entries, s.flags, 0);
		int ufd = uebpf_map_create(s.type, "lrudiff", s.key_size, s.value_size,
					   s.max_entries, &o);
		if (kfd < 0 || ufd < 0) {
			CHECK_REPORT(0, "sequence %d: create %s max %u flags 0x%x: kernel %d, uebpf %d",
				     seq, type_name(s.type), s.max_entries, s.flags, kfd, ufd);
		} else {
			s.max_entries = k_max_entries(kfd);
			if (run_sequence(seq, &s, kfd, ufd, 300) == 0)
				check_passed++;
			compared++;
		}
		if (kfd >= 0)
			close(kfd);
		if (ufd >= 0)
			uebpf_map_close(ufd);
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	uebpf_vm_free(vm);
	printf("%d sequences compared with the kernel (seed 0x%" PRIx64 "): %llu steps, %llu by "
	       "programs, %llu CPU moves; contents compared after every step (%llu times), "
	       "%llu evictions (%llu keys)\n", compared, seed, n_steps, n_prog_steps, n_moves,
	       n_compared_dumps, n_evictions, n_evicted_keys);
	return check_summary("lru_htab_kernel_diff_test");
}
