/* SPDX-License-Identifier: MIT */
/*
 * Maps against the kernel: the same seeded random sequence of map
 * commands on a kernel map (bpf()) and on a uebpf map, with identical
 * return codes and values required at every step and identical contents
 * (as sets, since hash iteration orders differ) at the end. Also random
 * creation attributes: the same ones must be refused with the same errno.
 *
 *   maps_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uebpf/uebpf.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"

/* ---- the two sides ---- */

static int k_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	return kernel_map_create(type, ks, vs, max, flags, 0, 0);
}

/* ---- one sequence ---- */

struct shape {
	uint32_t type, key_size, value_size, max_entries, flags;
};

static const char *type_name(uint32_t type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH: return "hash";
	case BPF_MAP_TYPE_ARRAY: return "array";
	case BPF_MAP_TYPE_PERCPU_HASH: return "percpu_hash";
	case BPF_MAP_TYPE_PERCPU_ARRAY: return "percpu_array";
	default: return "?";
	}
}

static int is_hash(uint32_t type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_PERCPU_HASH;
}

static size_t user_value_size(const struct shape *s)
{
	int percpu = s->type == BPF_MAP_TYPE_PERCPU_HASH || s->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	return percpu ? ((s->value_size + 7) & ~7u) * (size_t)uebpf_num_possible_cpus()
		      : s->value_size;
}

static void random_key(const struct shape *s, uint8_t *key)
{
	memset(key, 0, s->key_size);
	if (s->type == BPF_MAP_TYPE_ARRAY || s->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
		uint32_t idx = below(s->max_entries + 3); /* some out of range */
		memcpy(key, &idx, 4);
	} else {
		/* A small key space, so that hits, misses and fullness happen. */
		uint32_t k = below(s->max_entries * 2 + 2);
		memcpy(key, &k, s->key_size < 4 ? s->key_size : 4);
		if (s->key_size > 4)
			key[s->key_size - 1] = (uint8_t)(k * 7);
	}
}

/* The whole contents as (key, value) records, sorted, for comparing. */
struct dump {
	uint8_t *recs;
	size_t n, rec;
};

static int cmp_rec_size;
static int cmp_rec(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)cmp_rec_size);
}

static int dump_map(int kernel, int fd, const struct shape *s, struct dump *d)
{
	size_t vsz = user_value_size(s);
	d->rec = s->key_size + vsz;
	d->recs = calloc((size_t)s->max_entries + 4, d->rec);
	d->n = 0;
	uint8_t key[600], next[600];
	const void *prev = NULL;
	for (;;) {
		int rc = kernel ? kernel_map_elem(BPF_MAP_GET_NEXT_KEY, fd, prev, next, 0)
				: uebpf_map_get_next_key(fd, prev, next);
		if (rc == -ENOENT)
			break;
		if (rc || d->n > s->max_entries)
			return rc ? rc : -ELOOP;
		uint8_t *r = d->recs + d->n * d->rec;
		memcpy(r, next, s->key_size);
		rc = kernel ? kernel_map_elem(BPF_MAP_LOOKUP_ELEM, fd, next, r + s->key_size, 0)
			    : uebpf_map_lookup_elem(fd, next, r + s->key_size);
		if (rc)
			return rc;
		d->n++;
		memcpy(key, next, s->key_size);
		prev = key;
	}
	/* Without BPF_F_ZERO_SEED only the set of elements must agree. */
	cmp_rec_size = (int)d->rec;
	if (is_hash(s->type) && !(s->flags & BPF_F_ZERO_SEED))
		qsort(d->recs, d->n, d->rec, cmp_rec);
	return 0;
}

/* Runs `steps` random commands on both maps; returns 0 if all agreed. */
static int run_sequence(int seq, const struct shape *s, int kfd, int ufd, int steps)
{
	size_t vsz = user_value_size(s);
	uint8_t key[600], knext[600], unext[600];
	static uint8_t kval[1 << 17], uval[1 << 17], val[1 << 17];
	int frozen_at = below(4) == 0 ? (int)below((unsigned)steps) : -1;
	int frozen_again = frozen_at >= 0 && below(2) ? frozen_at + 1 + (int)below(5) : -1;
	/* Batch tokens (a bucket index or a key) of each side, and whether
	 * the previous lookup batch left one to continue from. */
	uint8_t ktok[600], utok[600], kout[600], uout[600];
	int have_tok = 0;
	static uint8_t kkeys[64 * 600], ukeys[64 * 600], kvals[64 << 17], uvals[64 << 17];
	int ordered = !is_hash(s->type) || s->flags & BPF_F_ZERO_SEED;

	for (int step = 0; step < steps; step++) {
		const char *what = "";
		int krc = 0, urc = 0, cmp_value = 0, cmp_next = 0;
		random_key(s, key);
		memset(kval, 0xaa, vsz);
		memset(uval, 0xaa, vsz);
		if (step == frozen_at || step == frozen_again) {
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
		} else switch (below(9)) {
		case 7: case 8: { /* batches */
			static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
						    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH };
			static const char *const names[] = { "lookup_batch", "lookup_and_delete_batch",
							     "update_batch", "delete_batch" };
			int c = (int)below(4);
			if (c == 1 && !ordered)
				c = 0; /* would delete different elements on each side */
			uint32_t n = below(6), kn, un;
			uint64_t ef = below(8) ? 0 : (below(2) ? BPF_F_LOCK : BPF_NOEXIST);
			struct uebpf_map_batch_opts bo = { .sz = sizeof(bo), .elem_flags = ef };
			what = names[c];
			if (c >= 2) { /* update/delete: random keys and values */
				for (uint32_t i = 0; i < n; i++) {
					random_key(s, kkeys + i * s->key_size);
					for (size_t j = 0; j < vsz; j++)
						kvals[i * vsz + j] = (uint8_t)rnd();
				}
				memcpy(ukeys, kkeys, n * s->key_size);
				memcpy(uvals, kvals, n * vsz);
			}
			kn = un = n;
			void *kin = have_tok && below(3) ? ktok : NULL;
			void *uin = kin ? utok : NULL;
			if (c == 0 || c == 1) {
				krc = kernel_map_batch(cmds[c], kfd, kin, kout, kkeys, kvals, &kn, ef);
				urc = c == 0 ? uebpf_map_lookup_batch(ufd, uin, uout, ukeys, uvals, &un, &bo)
					     : uebpf_map_lookup_and_delete_batch(ufd, uin, uout, ukeys, uvals,
										 &un, &bo);
				if ((krc == 0 || krc == -ENOENT) && kn) {
					memcpy(ktok, kout, sizeof(ktok));
					memcpy(utok, uout, sizeof(utok));
					have_tok = 1;
				}
			} else if (c == 2) {
				krc = kernel_map_batch(cmds[c], kfd, NULL, NULL, kkeys, kvals, &kn, ef);
				urc = uebpf_map_update_batch(ufd, ukeys, uvals, &un, &bo);
			} else {
				krc = kernel_map_batch(cmds[c], kfd, NULL, NULL, kkeys, NULL, &kn, ef);
				urc = uebpf_map_delete_batch(ufd, ukeys, &un, &bo);
			}
			/* Bucket-sized answers depend on where keys hash to. */
			if (!ordered && c < 2 && (krc == 0 || krc == -ENOENT || krc == -ENOSPC))
				krc = urc = 0, kn = un;
			if (krc == urc && kn != un) {
				CHECK_REPORT(0, "sequence %d (%s), step %d %s: count %u vs %u", seq,
					     type_name(s->type), step, what, kn, un);
				return -1;
			}
			if (krc == urc && ordered && c < 2 && (krc == 0 || krc == -ENOENT) &&
			    (memcmp(kkeys, ukeys, kn * s->key_size) || memcmp(kvals, uvals, kn * vsz))) {
				CHECK_REPORT(0, "sequence %d (%s), step %d %s: different elements", seq,
					     type_name(s->type), step, what);
				return -1;
			}
			break;
		}
		case 0: case 1: {
			static const uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_NOEXIST, BPF_EXIST,
							  BPF_EXIST + 1, BPF_F_LOCK };
			uint64_t f = flags[below(6)];
			for (size_t i = 0; i < vsz; i++)
				val[i] = (uint8_t)rnd();
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, key, val, f);
			urc = uebpf_map_update_elem(ufd, key, val, f);
			break;
		}
		case 2:
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_elem(ufd, key, uval);
			cmp_value = 1;
			break;
		case 3:
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, key);
			break;
		case 4:
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, key, uval);
			cmp_value = 1;
			break;
		case 5: {
			int null_key = below(3) == 0;
			what = null_key ? "get_next_key(NULL)" : "get_next_key";
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, null_key ? NULL : key, knext, 0);
			urc = uebpf_map_get_next_key(ufd, null_key ? NULL : key, unext);
			/* A hash's order depends on its random seed: it must be the
			 * kernel's only with BPF_F_ZERO_SEED. */
			if (!ordered && !null_key)
				krc = urc = 0;
			cmp_next = ordered;
			break;
		}
		default:
			what = "lookup_elem_flags";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, BPF_F_LOCK);
			urc = uebpf_map_lookup_elem_flags(ufd, key, uval, BPF_F_LOCK);
			break;
		}
		int same = krc == urc;
		if (same && krc == 0 && cmp_value)
			same = memcmp(kval, uval, vsz) == 0;
		if (same && krc == 0 && cmp_next)
			same = memcmp(knext, unext, s->key_size) == 0;
		if (!same) {
			uint32_t k32 = 0;
			memcpy(&k32, key, s->key_size < 4 ? s->key_size : 4);
			CHECK_REPORT(0, "sequence %d (%s, key_size %u, value_size %u, max %u, flags 0x%x), "
				     "step %d %s key %u: kernel %d, uebpf %d%s", seq, type_name(s->type),
				     s->key_size, s->value_size, s->max_entries, s->flags, step, what,
				     k32, krc, urc, krc == urc ? " (different data)" : "");
			return -1;
		}
	}

	struct dump kd, ud;
	int krc = dump_map(1, kfd, s, &kd), urc = dump_map(0, ufd, s, &ud);
	int same = krc == urc && kd.n == ud.n && !memcmp(kd.recs, ud.recs, kd.n * kd.rec);
	CHECK_REPORT(same, "sequence %d (%s): final contents differ: kernel %zu elements (%d), "
		     "uebpf %zu (%d)", seq, type_name(s->type), kd.n, krc, ud.n, urc);
	free(kd.recs);
	free(ud.recs);
	return same ? 0 : -1;
}

static const uint32_t types[] = {
	BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_PERCPU_ARRAY,
};

/* Random creation attributes, mostly valid. */
static struct shape random_shape(void)
{
	static const uint32_t key_sizes[] = { 4, 4, 4, 1, 2, 8, 12, 16, 0, 3, 100, 600 };
	static const uint32_t value_sizes[] = { 8, 4, 1, 3, 12, 16, 64, 0, 200, 32769 };
	static const uint32_t max_entries[] = { 1, 2, 4, 7, 16, 33, 0 };
	static const uint32_t flag_bits[] = {
		BPF_F_NO_PREALLOC, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED, BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU,
		BPF_F_CLONE, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP, BPF_F_STACK_BUILD_ID, 1u << 20,
	};
	struct shape s;
	s.type = types[below(4)];
	s.key_size = key_sizes[below(sizeof(key_sizes) / 4)];
	if (s.type == BPF_MAP_TYPE_ARRAY || s.type == BPF_MAP_TYPE_PERCPU_ARRAY)
		s.key_size = below(8) ? 4 : s.key_size;
	s.value_size = value_sizes[below(sizeof(value_sizes) / 4)];
	s.max_entries = max_entries[below(sizeof(max_entries) / 4)];
	s.flags = 0;
	if (below(3) == 0)
		s.flags = flag_bits[below(sizeof(flag_bits) / 4)];
	if (is_hash(s.type) && below(2))
		s.flags |= BPF_F_ZERO_SEED; /* hash orders comparable */
	return s;
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 400;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x3a95;
	int created = 0, refused = 0;

	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		struct shape s = random_shape();
		int kfd = k_create(s.type, s.key_size, s.value_size, s.max_entries, s.flags);
		if (kernel_bpf_refused(kfd)) {
			printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-kfd));
			return KERNEL_TEST_SKIP;
		}
		struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = s.flags };
		int ufd = uebpf_map_create(s.type, "difftest", s.key_size, s.value_size,
					   s.max_entries, &opts);
		check_current = "create";
		CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
			     "create %s key_size %u value_size %u max %u flags 0x%x: kernel %d, uebpf %d",
			     type_name(s.type), s.key_size, s.value_size, s.max_entries, s.flags,
			     kfd >= 0 ? 0 : kfd, ufd >= 0 ? 0 : ufd);
		if (kfd >= 0 && ufd >= 0) {
			check_current = "sequence";
			run_sequence(seq, &s, kfd, ufd, 200);
			created++;
		} else {
			refused++;
		}
		if (kfd >= 0)
			close(kfd);
		if (ufd >= 0)
			uebpf_map_close(ufd);
	}
	printf("%d sequences compared with the kernel, %d creations refused by both\n", created,
	       refused);
	return check_summary("maps_kernel_diff_test");
}
