/* SPDX-License-Identifier: MIT */
/*
 * LPM tries against the kernel: the same seeded random sequence of map
 * commands on a kernel BPF_MAP_TYPE_LPM_TRIE (bpf()) and on a uebpf one,
 * with identical return codes, values and next keys required at every
 * step. Lookups also go through the programs' path (ops->lookup_ptr),
 * which must find what the kernel's lookup finds. The whole get_next_key
 * iteration (its order is defined: a post-order of the trie) is compared
 * now and then and at the end, and the batch commands, whose lookups walk
 * that order, must return the same elements and tokens. Keys are IPv4 and IPv6 sized mostly,
 * drawn from a few addresses sharing prefixes, with random prefix lengths
 * and random bits past the prefix; creation attributes are random too.
 *
 *   lpm_trie_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/map.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"

/* ---- the kernel side ---- */

static int k_create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	return kernel_map_create(BPF_MAP_TYPE_LPM_TRIE, ks, vs, max, flags, 0, 0);
}

/* ---- keys ---- */

#define KEY_MAX 264
#define POOL 6

struct shape {
	uint32_t key_size, value_size, max_entries, flags;
};

/* Addresses of one sequence: each copies another's leading bits and
 * differs after a random bit, so prefixes overlap, nest and diverge. */
static uint8_t pool[POOL][KEY_MAX];

static void make_pool(uint32_t data_size)
{
	for (int i = 0; i < POOL; i++) {
		for (uint32_t b = 0; b < data_size; b++)
			pool[i][b] = (uint8_t)rnd();
		if (i == 0)
			continue;
		const uint8_t *from = pool[below((unsigned)i)];
		uint32_t keep = below(data_size * 8 + 1); /* leading bits shared */
		for (uint32_t bit = 0; bit < keep; bit++) {
			uint8_t mask = (uint8_t)(0x80 >> (bit % 8));
			pool[i][bit / 8] = (uint8_t)((pool[i][bit / 8] & ~mask) | (from[bit / 8] & mask));
		}
	}
}

/* Keys the map was given, to hit existing entries often. */
#define HISTORY 32
static uint8_t history[HISTORY][KEY_MAX];
static unsigned n_history;

static void remember(const uint8_t *key, uint32_t ks)
{
	memcpy(history[n_history++ % HISTORY], key, ks);
}

static void random_key(const struct shape *s, uint8_t *key)
{
	uint32_t ds = s->key_size - 4, max_plen = ds * 8, plen;
	if (n_history && below(2)) {
		memcpy(key, history[below(n_history < HISTORY ? n_history : HISTORY)], s->key_size);
		memcpy(&plen, key, 4);
	} else {
		switch (below(16)) {
		case 0: plen = 0; break;
		case 1: case 2: plen = max_plen; break;
		case 3: plen = below(5) ? max_plen + 1 + below(8) : 0xffffffffu; break; /* invalid */
		default: plen = below(max_plen + 1); break;
		}
		memcpy(key, &plen, 4);
		memcpy(key + 4, pool[below(POOL)], ds);
	}
	/* The bits past the prefix do not decide which entry a key names,
	 * but they are stored: vary them. */
	if (below(3) == 0 && plen < max_plen) {
		for (uint32_t bit = plen; bit < max_plen; bit++)
			if (below(2))
				key[4 + bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	}
}

/* ---- one sequence ---- */

static int seq_no, step_no;
/* What the sequences exercised, to see that they test something. */
static long n_ok[5], n_err[5]; /* update, lookup hit, delete, get_next_key, batch */
static const struct shape *cur;

#define MISMATCH(...)                                                                   \
	do {                                                                            \
		CHECK_REPORT(0, "sequence %d (key_size %u, value_size %u, max %u, flags 0x%x), " \
			     "step %d: " __VA_ARGS__);                                  \
		return -1;                                                              \
	} while (0)
#define SEQ_ARGS seq_no, cur->key_size, cur->value_size, cur->max_entries, cur->flags, step_no

static void key_str(const uint8_t *key, uint32_t ks, char *buf, size_t size)
{
	uint32_t plen;
	memcpy(&plen, key, 4);
	size_t n = (size_t)snprintf(buf, size, "/%u ", plen);
	for (uint32_t i = 4; i < ks && n + 3 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%02x", key[i]);
}

/* Walks both maps with get_next_key from the start and requires the same
 * keys in the same order, with the same values. */
static int compare_iteration(int kfd, int ufd, const struct shape *s, uint8_t *kval, uint8_t *uval)
{
	uint8_t kprev[KEY_MAX], uprev[KEY_MAX], knext[KEY_MAX], unext[KEY_MAX];
	char a[600], b[600];
	int first = 1;
	for (uint32_t n = 0; n <= (uint64_t)s->max_entries + 1 && n < 1000; n++) {
		int krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, first ? NULL : kprev, knext, 0);
		int urc = uebpf_map_get_next_key(ufd, first ? NULL : uprev, unext);
		if (krc != urc)
			MISMATCH("iteration %u: get_next_key kernel %d, uebpf %d", SEQ_ARGS, n, krc, urc);
		if (krc)
			return 0;
		if (memcmp(knext, unext, s->key_size)) {
			key_str(knext, s->key_size, a, sizeof(a));
			key_str(unext, s->key_size, b, sizeof(b));
			MISMATCH("iteration %u: kernel next key %s, uebpf %s", SEQ_ARGS, n, a, b);
		}
		krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, knext, kval, 0);
		urc = uebpf_map_lookup_elem(ufd, unext, uval);
		if (krc != urc || (!krc && memcmp(kval, uval, s->value_size)))
			MISMATCH("iteration %u: lookup of the key returned kernel %d, uebpf %d%s",
				 SEQ_ARGS, n, krc, urc, krc == urc ? " (different values)" : "");
		memcpy(kprev, knext, s->key_size);
		memcpy(uprev, unext, s->key_size);
		first = 0;
	}
	MISMATCH("iteration did not end after max_entries keys", SEQ_ARGS);
}

/* A batch command on both sides: the same result, count, keys, values
 * and continuation token (lookups walk get_next_key, whose order is the
 * same). in_batch continues from the last token now and then. */
#define BATCH_MAX 6
#define BATCH_VALUE_MAX 4096
static uint8_t ktok[KEY_MAX], utok[KEY_MAX];
static int have_tok;

static int run_batch(const struct shape *s, int kfd, int ufd)
{
	static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
				    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH };
	static const char *const names[] = { "lookup_batch", "lookup_and_delete_batch",
					     "update_batch", "delete_batch" };
	static uint8_t kkeys[BATCH_MAX * KEY_MAX], ukeys[BATCH_MAX * KEY_MAX];
	static uint8_t kvals[BATCH_MAX * BATCH_VALUE_MAX], uvals[BATCH_MAX * BATCH_VALUE_MAX];
	uint8_t kout[KEY_MAX], uout[KEY_MAX];
	uint32_t ks = s->key_size, vs = s->value_size;
	int c = (int)below(4);
	uint32_t n = below(BATCH_MAX + 1), kn, un;
	uint64_t ef = below(10) ? 0 : (below(2) ? BPF_F_LOCK : BPF_NOEXIST);
	struct uebpf_map_batch_opts bo = { .sz = sizeof(bo), .elem_flags = ef };
	int krc, urc;

	memset(kkeys, 0x55, sizeof(kkeys));
	memset(ukeys, 0x55, sizeof(ukeys));
	memset(kvals, 0x55, (size_t)BATCH_MAX * vs);
	memset(uvals, 0x55, (size_t)BATCH_MAX * vs);
	memset(kout, 0x55, ks);
	memset(uout, 0x55, ks);
	if (c >= 2) {
		for (uint32_t i = 0; i < n; i++) {
			random_key(s, kkeys + i * ks);
			for (uint32_t j = 0; j < vs; j++)
				kvals[i * vs + j] = (uint8_t)rnd();
		}
		memcpy(ukeys, kkeys, (size_t)n * ks);
		memcpy(uvals, kvals, (size_t)n * vs);
	}
	kn = un = n;
	if (c < 2) {
		int cont = have_tok && below(3);
		krc = kernel_map_batch(cmds[c], kfd, cont ? ktok : NULL, kout, kkeys, kvals, &kn, ef);
		urc = c == 0 ? uebpf_map_lookup_batch(ufd, cont ? utok : NULL, uout, ukeys, uvals,
						      &un, &bo)
			     : uebpf_map_lookup_and_delete_batch(ufd, cont ? utok : NULL, uout, ukeys,
								 uvals, &un, &bo);
	} else if (c == 2) {
		krc = kernel_map_batch(cmds[c], kfd, NULL, NULL, kkeys, kvals, &kn, ef);
		urc = uebpf_map_update_batch(ufd, ukeys, uvals, &un, &bo);
		for (uint32_t i = 0; !krc && i < kn; i++)
			remember(kkeys + i * ks, ks);
	} else {
		krc = kernel_map_batch(cmds[c], kfd, NULL, NULL, kkeys, NULL, &kn, ef);
		urc = uebpf_map_delete_batch(ufd, ukeys, &un, &bo);
	}
	if (krc != urc || kn != un)
		MISMATCH("%s of %u (elem_flags 0x%llx): kernel %d count %u, uebpf %d count %u",
			 SEQ_ARGS, names[c], n, (unsigned long long)ef, krc, kn, urc, un);
	(krc ? n_err : n_ok)[4]++;
	if (c < 2 && (krc == 0 || krc == -ENOENT)) {
		if (memcmp(kkeys, ukeys, (size_t)kn * ks) || memcmp(kvals, uvals, (size_t)kn * vs))
			MISMATCH("%s: different keys or values", SEQ_ARGS, names[c]);
		if (memcmp(kout, uout, ks))
			MISMATCH("%s: different out_batch", SEQ_ARGS, names[c]);
		if (kn) {
			memcpy(ktok, kout, ks);
			memcpy(utok, uout, ks);
			have_tok = 1;
		}
	}
	return 0;
}

static int run_sequence(const struct shape *s, int kfd, int ufd, int steps)
{
	static uint8_t kval[1 << 22], uval[1 << 22], val[1 << 22];
	uint8_t key[KEY_MAX], knext[KEY_MAX], unext[KEY_MAX], last_next[KEY_MAX];
	char a[600], b[600];
	int have_last = 0;
	struct map *umap = map_from_fd(ufd);
	int frozen_at = below(6) == 0 ? (int)below((unsigned)steps + 1) : -1;

	cur = s;
	n_history = 0;
	have_tok = 0;
	make_pool(s->key_size - 4);
	for (step_no = 0; step_no < steps; step_no++) {
		const char *what = "";
		int krc = 0, urc = 0, cmp_value = 0, cmp_next = 0;
		random_key(s, key);
		memset(kval, 0xaa, s->value_size);
		memset(uval, 0xaa, s->value_size);
		if (step_no == frozen_at) {
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
		} else switch (below(18)) {
		case 16: case 17:
			what = "batch";
			if (s->value_size <= BATCH_VALUE_MAX && run_batch(s, kfd, ufd))
				return -1;
			break;
		case 0: case 1: case 2: case 3: case 4: case 5: {
			static const uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_ANY, BPF_NOEXIST,
							  BPF_EXIST, BPF_EXIST + 1, BPF_F_LOCK };
			uint64_t f = flags[below(7)];
			for (uint32_t i = 0; i < s->value_size && i < 64; i++)
				val[i] = (uint8_t)rnd();
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, key, val, f);
			urc = uebpf_map_update_elem(ufd, key, val, f);
			if (!krc)
				remember(key, s->key_size);
			break;
		}
		case 6: case 7: case 8: {
			uint64_t f = below(10) ? 0 : BPF_F_LOCK;
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, f);
			urc = uebpf_map_lookup_elem_flags(ufd, key, uval, f);
			cmp_value = 1;
			/* A program's lookup finds the same entry. */
			if (!f && !(s->flags & BPF_F_WRONLY)) {
				void *p = umap->ops->lookup_ptr(umap, key, 0);
				if ((p != NULL) != (krc == 0) ||
				    (p && memcmp(p, kval, s->value_size)))
					MISMATCH("lookup_ptr: kernel lookup %d, program lookup %s",
						 SEQ_ARGS, krc, p ? "found a value" : "NULL");
			}
			break;
		}
		case 9: case 10: case 11:
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, key);
			break;
		case 12:
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, key, uval);
			break;
		case 13: case 14: {
			int which = (int)below(3);
			const void *from = which == 0 ? NULL : which == 1 && have_last ? last_next : key;
			what = which == 0 ? "get_next_key(NULL)" : "get_next_key";
			if (from == last_next)
				memcpy(key, last_next, s->key_size);
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, from, knext, 0);
			urc = uebpf_map_get_next_key(ufd, from, unext);
			cmp_next = 1;
			break;
		}
		default:
			what = "iteration";
			if (compare_iteration(kfd, ufd, s, kval, uval))
				return -1;
			break;
		}
		int same = krc == urc;
		if (same && krc == 0 && cmp_value)
			same = memcmp(kval, uval, s->value_size) == 0;
		if (same && krc == 0 && cmp_next)
			same = memcmp(knext, unext, s->key_size) == 0;
		if (!same) {
			key_str(key, s->key_size, a, sizeof(a));
			b[0] = 0;
			if (cmp_next && krc == urc) {
				key_str(knext, s->key_size, a, sizeof(a));
				key_str(unext, s->key_size, b, sizeof(b));
			}
			MISMATCH("%s key %s: kernel %d, uebpf %d%s%s", SEQ_ARGS, what, a, krc, urc,
				 krc == urc ? " (different data) " : "", b);
		}
		int kind = !strcmp(what, "update") ? 0 : !strcmp(what, "lookup") ? 1
			   : !strcmp(what, "delete") ? 2 : cmp_next ? 3 : -1;
		if (kind >= 0)
			(krc ? n_err : n_ok)[kind]++;
		if (cmp_next && krc == 0) {
			memcpy(last_next, knext, s->key_size);
			have_last = 1;
		}
	}
	return compare_iteration(kfd, ufd, s, kval, uval);
}

/* Random creation attributes, mostly valid. */
static struct shape random_shape(void)
{
	static const uint32_t key_sizes[] = { 8, 8, 8, 8, 8, 20, 20, 20, 20, 20, 5, 6, 12, 36,
					      260, 4, 261, 0 };
	static const uint32_t value_sizes[] = { 8, 8, 4, 1, 3, 13, 64, 0, 4194024, 4194025,
						1u << 22 };
	static const uint32_t max_entries[] = { 1, 2, 3, 4, 8, 16, 16, 64, 0, 0xffffffffu };
	static const uint32_t flag_bits[] = {
		BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED, BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU,
		BPF_F_CLONE, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP, BPF_F_STACK_BUILD_ID, 1u << 20,
	};
	struct shape s;
	s.key_size = key_sizes[below(sizeof(key_sizes) / 4)];
	s.value_size = below(3) ? 8 : value_sizes[below(sizeof(value_sizes) / 4)];
	s.max_entries = below(2) ? 16 : max_entries[below(sizeof(max_entries) / 4)];
	s.flags = below(16) ? BPF_F_NO_PREALLOC : 0;
	if (below(8) == 0)
		s.flags |= flag_bits[below(sizeof(flag_bits) / 4)];
	if (below(30) == 0)
		s.flags |= BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
	return s;
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 1000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x19b7;
	int created = 0, refused = 0;

	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		struct shape s = random_shape();
		int kfd = k_create(s.key_size, s.value_size, s.max_entries, s.flags);
		if (kernel_bpf_refused(kfd)) {
			printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-kfd));
			return KERNEL_TEST_SKIP;
		}
		struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = s.flags };
		int ufd = uebpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "lpmdiff", s.key_size,
					   s.value_size, s.max_entries, &opts);
		check_current = "create";
		CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
			     "create key_size %u value_size %u max %u flags 0x%x: kernel %d, uebpf %d",
			     s.key_size, s.value_size, s.max_entries, s.flags,
			     kfd >= 0 ? 0 : kfd, ufd >= 0 ? 0 : ufd);
		if (kfd >= 0 && ufd >= 0) {
			check_current = "sequence";
			seq_no = seq;
			/* Huge values: a few steps only (each node takes 4 MiB). */
			int steps = s.value_size > 65536 ? 12 : 200 + (int)below(200);
			if (!run_sequence(&s, kfd, ufd, steps))
				check_passed++;
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
	printf("ok/failed alike: update %ld/%ld, lookup %ld/%ld, delete %ld/%ld, "
	       "get_next_key %ld/%ld, batches %ld/%ld\n", n_ok[0], n_err[0], n_ok[1], n_err[1],
	       n_ok[2], n_err[2], n_ok[3], n_err[3], n_ok[4], n_err[4]);
	return check_summary("lpm_trie_kernel_diff_test");
}
