/* SPDX-License-Identifier: MIT */
/*
 * Maps of maps against the kernel: the same seeded random sequences on a
 * kernel ARRAY_OF_MAPS / HASH_OF_MAPS (bpf()) and on a uebpf one.
 *
 * Each sequence draws an inner-map template (every type both sides
 * create, with random sizes and flags, BPF_F_INNER_MAP among them) and
 * outer attributes (sometimes wrong: both must refuse alike), then a pool
 * of candidate inner maps made alike on both sides: copies of the
 * template, ones differing in max_entries, value size, type or flags,
 * the template itself, the outer map itself, a closed fd, an fd that is
 * not a map. Random updates (candidate fds, random flags), lookups (the
 * ids returned must name the same candidate), deletes, get_next_key,
 * lookup_and_delete, the four batch commands and freeze must give the
 * same results at every step, and the final contents must agree.
 *
 * A second part runs a program on both sides (BPF_PROG_TEST_RUN in the
 * kernel): it looks up an inner map in the outer map, then looks up,
 * updates or deletes a key in it, while user space swaps inner maps in
 * and out; return values and the inner maps' contents must agree.
 *
 *   map_in_map_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Without a seed, several seeds run. Skips (exit 77) where bpf() is not
 * permitted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

/* ---- both sides' commands ---- */

struct shape {
	uint32_t type, key_size, value_size, max_entries, flags;
	uint64_t map_extra;
};

static int k_create(const struct shape *s, int inner_fd)
{
	return kernel_map_create(s->type, s->key_size, s->value_size, s->max_entries, s->flags,
				 s->map_extra, inner_fd);
}

static int u_create(const struct shape *s, int inner_fd)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = s->flags,
					   .map_extra = s->map_extra, .inner_map_fd = inner_fd };
	return uebpf_map_create(s->type, "mimdiff", s->key_size, s->value_size, s->max_entries,
				&o);
}

static int u_batch(int cmd, int fd, void *in, void *out, void *keys, void *values,
		   uint32_t *count, uint64_t elem_flags)
{
	struct uebpf_map_batch_opts o = { .sz = sizeof(o), .elem_flags = elem_flags };
	switch (cmd) {
	case BPF_MAP_LOOKUP_BATCH:
		return uebpf_map_lookup_batch(fd, in, out, keys, values, count, &o);
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return uebpf_map_lookup_and_delete_batch(fd, in, out, keys, values, count, &o);
	case BPF_MAP_UPDATE_BATCH:
		return uebpf_map_update_batch(fd, keys, values, count, &o);
	default:
		return uebpf_map_delete_batch(fd, keys, count, &o);
	}
}

static uint32_t k_id(int fd)
{
	struct bpf_map_info info;
	return kernel_map_info(fd, &info) ? 0 : info.id;
}

static uint32_t u_id(int fd)
{
	struct uebpf_map_info info;
	return uebpf_map_get_info(fd, &info) ? 0 : info.id;
}

/* ---- outcomes seen ---- */

static struct {
	const char *what;
	int rc;
	unsigned n;
} seen[96];

static void count(const char *what, int rc)
{
	for (unsigned i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		if (!seen[i].what) {
			seen[i].what = what;
			seen[i].rc = rc;
		}
		if (seen[i].rc == rc && !strcmp(seen[i].what, what)) {
			seen[i].n++;
			return;
		}
	}
}

/* ---- inner-map templates ---- */

/* Valid attributes of each type both sides create (key, value, max,
 * flags), and flags that may be added. */
static const struct {
	uint32_t type, key_size, value_size, max_entries, flags, extra_flags;
} inner_kinds[] = {
	{ BPF_MAP_TYPE_HASH, 4, 8, 4, 0, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG | BPF_F_ZERO_SEED },
	{ BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, BPF_F_INNER_MAP | BPF_F_RDONLY_PROG | BPF_F_MMAPABLE },
	{ BPF_MAP_TYPE_PERCPU_HASH, 8, 4, 4, 0, BPF_F_NO_PREALLOC },
	{ BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, 4, 0, BPF_F_WRONLY_PROG },
	{ BPF_MAP_TYPE_LPM_TRIE, 8, 8, 4, BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG },
	{ BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, BPF_F_RDONLY_PROG },
	{ BPF_MAP_TYPE_STACK, 0, 8, 4, 0, 0 },
	{ BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 4, 0, BPF_F_ZERO_SEED },
	{ BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0 },
	{ BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, 0 },
	{ BPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 4, 0, 0 },
	{ BPF_MAP_TYPE_LRU_HASH, 4, 8, 4, 0, BPF_F_NO_COMMON_LRU },
	{ BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, 0 },
	{ BPF_MAP_TYPE_STACK_TRACE, 4, 8, 4, 0, 0 },
	{ BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0 },   /* no template: ENOTSUPP */
	{ BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, 0 }, /* no template: EINVAL */
};
#define N_KINDS (sizeof(inner_kinds) / sizeof(inner_kinds[0]))

static struct shape kind_shape(unsigned k)
{
	struct shape s = { inner_kinds[k].type, inner_kinds[k].key_size, inner_kinds[k].value_size,
			   inner_kinds[k].max_entries, inner_kinds[k].flags, 0 };
	return s;
}

/* One more of this shape on both sides (maps of maps get a hash inner
 * template of their own). 0 if both made it, -1 if neither, 1 if they
 * disagree (another type's rules: not this test's business). */
static int make_pair(const struct shape *s, int *kfd, int *ufd)
{
	int kin = -1, uin = -1;
	if (s->type == BPF_MAP_TYPE_ARRAY_OF_MAPS || s->type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		struct shape h = kind_shape(0);
		kin = k_create(&h, 0);
		uin = u_create(&h, 0);
	}
	*kfd = k_create(s, kin);
	*ufd = u_create(s, uin);
	if (kin >= 0)
		close(kin);
	if (uin >= 0)
		uebpf_map_close(uin);
	if (*kfd >= 0 && *ufd >= 0)
		return 0;
	int disagree = (*kfd >= 0) != (*ufd >= 0);
	if (*kfd >= 0)
		close(*kfd);
	if (*ufd >= 0)
		uebpf_map_close(*ufd);
	*kfd = *ufd = -1;
	return disagree ? 1 : -1;
}

/* ---- candidates for the slots ---- */

enum { C_TEMPLATE, C_SAME1, C_SAME2, C_MAX, C_VALUE, C_TYPE, C_FLAGS, C_FDMODE,
       C_SELF, C_CLOSED, C_NOT_MAP, C_OTHER_SIDE, N_CANDS };

static const char *const cand_names[N_CANDS] = {
	"template", "same", "same", "other max_entries", "other value_size", "other type",
	"other flags", "RDONLY fd", "the outer map", "closed fd", "not a map", "other side's map",
};

struct cand {
	int kfd, ufd;     /* fds given as values (per side) */
	uint32_t kid, uid; /* map ids, 0 for non-maps */
	int owned;        /* close at the end */
};

static struct cand cands[N_CANDS];
static int devnull = -1;

static void cands_open(const struct shape *t, int ktmpl, int utmpl, int kouter, int uouter)
{
	memset(cands, 0, sizeof(cands));
	for (int i = 0; i < N_CANDS; i++)
		cands[i].kfd = cands[i].ufd = -1;
	cands[C_TEMPLATE] = (struct cand){ ktmpl, utmpl, k_id(ktmpl), u_id(utmpl), 0 };
	for (int i = C_SAME1; i <= C_FDMODE; i++) {
		struct shape s = *t;
		switch (i) {
		case C_MAX:
			s.max_entries = s.type == BPF_MAP_TYPE_RINGBUF ? 8192 : s.max_entries * 2;
			break;
		case C_VALUE:
			if (s.type == BPF_MAP_TYPE_RINGBUF)
				s.max_entries = 16384;
			else if (s.type == BPF_MAP_TYPE_DEVMAP || s.type == BPF_MAP_TYPE_DEVMAP_HASH)
				s.value_size = 12 - s.value_size;
			else if (s.type == BPF_MAP_TYPE_PROG_ARRAY ||
				 s.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY || s.type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
				s.key_size = 8; /* refused alike */
			else
				s.value_size += 8;
			break;
		case C_TYPE:
			s = kind_shape(s.type == BPF_MAP_TYPE_HASH ? 1 : 0);
			break;
		case C_FLAGS: {
			unsigned k = 0;
			while (k < N_KINDS && inner_kinds[k].type != s.type)
				k++;
			uint32_t extra = k < N_KINDS ? inner_kinds[k].extra_flags : 0;
			s.flags ^= extra ? extra & -extra : BPF_F_NUMA_NODE;
			break;
		}
		case C_FDMODE:
			s.flags |= BPF_F_RDONLY;
			break;
		}
		if (make_pair(&s, &cands[i].kfd, &cands[i].ufd) == 0) {
			cands[i].kid = k_id(cands[i].kfd);
			cands[i].uid = u_id(cands[i].ufd);
			cands[i].owned = 1;
		}
	}
	cands[C_SELF] = (struct cand){ kouter, uouter, 0, 0, 0 };
	cands[C_CLOSED] = (struct cand){ 999, 999, 0, 0, 0 };
	cands[C_NOT_MAP] = (struct cand){ devnull, devnull, 0, 0, 0 };
	cands[C_OTHER_SIDE] = (struct cand){ utmpl, ktmpl, 0, 0, 0 };
}

static void cands_close(void)
{
	for (int i = 0; i < N_CANDS; i++) {
		if (!cands[i].owned)
			continue;
		close(cands[i].kfd);
		uebpf_map_close(cands[i].ufd);
	}
}

/* The candidate a returned id names, or -1. */
static int k_cand(uint32_t id)
{
	for (int i = 0; i < N_CANDS; i++)
		if (id && cands[i].kid == id)
			return i;
	return -1;
}

static int u_cand(uint32_t id)
{
	for (int i = 0; i < N_CANDS; i++)
		if (id && cands[i].uid == id)
			return i;
	return -1;
}

static int random_cand(void)
{
	unsigned r = below(100);
	if (r < 45)
		return (int)below(3); /* template, same, same */
	int c = (int)(3 + below(N_CANDS - 3));
	return cands[c].kfd < 0 && c <= C_FDMODE ? C_SAME1 : c;
}

/* ---- one sequence ---- */

struct outer {
	struct shape s;
	int kfd, ufd;
	int ordered; /* the hash's order is the same on both sides (BPF_F_ZERO_SEED) */
};

#define MAX_KEY 16

/* Key number n as the outer map's key. */
static void make_key(const struct outer *o, uint8_t *key, uint32_t n)
{
	memset(key, 0, MAX_KEY);
	memcpy(key, &n, o->s.key_size < 4 ? o->s.key_size : 4);
	if (o->s.key_size > 4)
		key[o->s.key_size - 1] = (uint8_t)(n * 7);
}

/* The key numbers a sequence uses: around max_entries, at most 40 (the
 * map may be huge). */
static uint32_t key_universe(const struct outer *o)
{
	return o->s.max_entries < 19 ? o->s.max_entries * 2 + 2 : 40;
}

static uint32_t random_key_number(const struct outer *o)
{
	return below(key_universe(o));
}

static int report_fail(int seq, const struct outer *o, int step, const char *what, int krc,
		       int urc, const char *detail)
{
	CHECK_REPORT(0, "sequence %d (%s key %u max %u flags 0x%x), step %d %s: kernel %d, "
		     "uebpf %d%s", seq, o->s.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ? "array" : "hash",
		     o->s.key_size, o->s.max_entries, o->s.flags, step, what, krc, urc, detail);
	return -1;
}

/* Values the commands gave, as candidates. */
static int same_ids(const uint32_t *kv, const uint32_t *uv, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (k_cand(kv[i]) != u_cand(uv[i]) || k_cand(kv[i]) < 0)
			return 0;
	return 1;
}

static int run_sequence(int seq, struct outer *o, int steps)
{
	uint32_t ks = o->s.key_size;
	uint8_t key[MAX_KEY], knext[MAX_KEY], unext[MAX_KEY];
	uint8_t ktok[MAX_KEY] = { 0 }, utok[MAX_KEY] = { 0 };
	int have_tok = 0, frozen_at = below(10) == 0 ? (int)below((unsigned)steps) : -1;

	for (int step = 0; step < steps; step++) {
		const char *what;
		int krc, urc, differ = 0, cand = -1;
		unsigned op = below(100);
		make_key(o, key, random_key_number(o));
		if (step == frozen_at) {
			/* Mostly emptied first: uebpf cannot let go of the inner
			 * maps of an outer map dropped while it holds some. */
			int empty_first = below(20) != 0;
			for (uint32_t n = 0; empty_first && n < key_universe(o); n++) {
				make_key(o, key, n);
				krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, o->kfd, key, NULL, 0);
				urc = uebpf_map_delete_elem(o->ufd, key);
				if (krc != urc)
					return report_fail(seq, o, step, "delete before freeze", krc, urc, "");
			}
			what = "freeze";
			krc = kernel_map_freeze(o->kfd);
			urc = uebpf_map_freeze(o->ufd);
		} else if (op < 40) {
			static const uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_ANY, BPF_NOEXIST,
							  BPF_EXIST, 3, BPF_F_LOCK };
			uint64_t f = flags[below(sizeof(flags) / sizeof(flags[0]))];
			cand = random_cand();
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, o->kfd, key, &cands[cand].kfd, f);
			urc = uebpf_map_update_elem(o->ufd, key, &cands[cand].ufd, f);
		} else if (op < 55) {
			uint32_t kv = 0x5a5a5a5a, uv = 0x5a5a5a5a;
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, o->kfd, key, &kv, 0);
			urc = uebpf_map_lookup_elem(o->ufd, key, &uv);
			differ = krc == 0 ? !same_ids(&kv, &uv, 1) : kv != uv;
		} else if (op < 67) {
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, o->kfd, key, NULL, 0);
			urc = uebpf_map_delete_elem(o->ufd, key);
		} else if (op < 77) {
			const void *from = below(4) == 0 ? NULL : key;
			uint32_t kv, uv;
			what = "get_next_key";
			if (!o->ordered && from) {
				/* Random seeds: only where the answer is the first key. */
				if (kernel_map_elem(BPF_MAP_LOOKUP_ELEM, o->kfd, key, &kv, 0) != -ENOENT ||
				    uebpf_map_lookup_elem(o->ufd, key, &uv) != -ENOENT)
					continue;
			}
			memset(knext, 0x5a, sizeof(knext));
			memset(unext, 0x5a, sizeof(unext));
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, o->kfd, from, knext, 0);
			urc = uebpf_map_get_next_key(o->ufd, from, unext);
			if (o->ordered || krc)
				differ = memcmp(knext, unext, ks) != 0;
			else /* some key that is in both */
				differ = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, o->kfd, unext, &kv, 0) != 0 ||
					 uebpf_map_lookup_elem(o->ufd, knext, &uv) != 0;
		} else if (op < 80) {
			uint32_t kv = 0x5a5a5a5a, uv = 0x5a5a5a5a;
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, o->kfd, key, &kv, 0);
			urc = uebpf_map_lookup_and_delete_elem(o->ufd, key, &uv);
		} else if (op < 96) {
			static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
						    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH };
			static const char *const names[] = { "lookup_batch", "lookup_and_delete_batch",
							     "update_batch", "delete_batch" };
			unsigned c = below(4);
			if (c < 2 && !o->ordered)
				continue; /* buckets differ with random seeds */
			uint8_t keys[8 * MAX_KEY], kkeys[8 * MAX_KEY], ukeys[8 * MAX_KEY];
			uint32_t kvals[8], uvals[8];
			int kfds[8], ufds[8];
			uint32_t kcount = below(6), ucount;
			uint64_t ef = below(15) == 0 ? (below(2) ? BPF_F_LOCK : BPF_NOEXIST) : 0;
			for (uint32_t i = 0; i < 8; i++) {
				make_key(o, keys + i * ks, random_key_number(o));
				int which = random_cand();
				kfds[i] = cands[which].kfd;
				ufds[i] = cands[which].ufd;
			}
			ucount = kcount;
			what = names[c];
			if (c < 2) {
				int from = have_tok && below(3) != 0;
				uint8_t kout[MAX_KEY], uout[MAX_KEY];
				memset(kout, 0x5a, sizeof(kout));
				memset(uout, 0x5a, sizeof(uout));
				memset(kkeys, 0x5a, sizeof(kkeys));
				memset(ukeys, 0x5a, sizeof(ukeys));
				krc = kernel_map_batch(cmds[c], o->kfd, from ? ktok : NULL, kout, kkeys, kvals,
					      &kcount, ef);
				urc = u_batch(cmds[c], o->ufd, from ? utok : NULL, uout, ukeys, uvals,
					      &ucount, ef);
				/* (After an error the buffers are not written.) */
				differ = kcount != ucount || memcmp(kout, uout, 4) != 0 ||
					 ((krc == 0 || krc == -ENOENT) && kcount <= 8 &&
					  (memcmp(kkeys, ukeys, (size_t)kcount * ks) != 0 ||
					   !same_ids(kvals, uvals, kcount)));
				if (!differ && (krc == 0 || krc == -ENOENT) && kcount) {
					memcpy(ktok, kout, sizeof(ktok));
					memcpy(utok, uout, sizeof(utok));
					have_tok = 1;
				}
			} else {
				krc = kernel_map_batch(cmds[c], o->kfd, NULL, NULL, keys, kfds, &kcount, ef);
				urc = u_batch(cmds[c], o->ufd, NULL, NULL, keys, ufds, &ucount, ef);
				differ = kcount != ucount;
			}
		} else {
			/* A key of the wrong kind: NULL (EFAULT). */
			uint32_t kv, uv;
			what = "lookup(NULL key)";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, o->kfd, NULL, &kv, 0);
			urc = uebpf_map_lookup_elem(o->ufd, NULL, &uv);
		}
		count(what, krc);
		if (krc != urc || differ) {
			char detail[96];
			snprintf(detail, sizeof(detail), "%s%s%s", differ ? " (different outputs)" : "",
				 cand >= 0 ? ", value: " : "", cand >= 0 ? cand_names[cand] : "");
			return report_fail(seq, o, step, what, krc, urc, detail);
		}
	}

	/* The final contents, key by key. */
	for (uint32_t n = 0; n < key_universe(o); n++) {
		uint32_t kv = 0, uv = 0;
		make_key(o, key, n);
		int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, o->kfd, key, &kv, 0);
		int urc = uebpf_map_lookup_elem(o->ufd, key, &uv);
		if (krc != urc || (krc == 0 && !same_ids(&kv, &uv, 1)))
			return report_fail(seq, o, steps, "final lookup", krc, urc, "");
	}
	return 0;
}

/* Empties the uebpf outer map (its inner maps' names go with their last
 * slot) where this fd may. */
static void u_empty(const struct outer *o)
{
	uint8_t key[MAX_KEY];
	for (uint32_t n = 0; n < key_universe(o); n++) {
		make_key(o, key, n);
		uebpf_map_delete_elem(o->ufd, key);
	}
}

/* Random outer attributes, mostly valid. */
static struct shape random_outer(int *bad_inner)
{
	static const uint32_t good_flags[] = { BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_NUMA_NODE,
					       BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
					       BPF_F_NO_PREALLOC };
	static const uint32_t bad_flags[] = { BPF_F_MMAPABLE, BPF_F_INNER_MAP,
					      BPF_F_PRESERVE_ELEMS, BPF_F_NO_COMMON_LRU,
					      BPF_F_STACK_BUILD_ID, 1u << 20 };
	struct shape s = { 0 };
	s.type = below(2) ? BPF_MAP_TYPE_ARRAY_OF_MAPS : BPF_MAP_TYPE_HASH_OF_MAPS;
	s.key_size = 4;
	s.value_size = 4;
	s.max_entries = 1 + below(8);
	if (s.type == BPF_MAP_TYPE_HASH_OF_MAPS) {
		static const uint32_t key_sizes[] = { 1, 2, 3, 8, 12, 16 };
		if (below(3) == 0)
			s.key_size = key_sizes[below(6)];
		if (below(5) != 0)
			s.flags |= BPF_F_ZERO_SEED;
	}
	*bad_inner = below(12) == 0 ? 1 + (int)below(3) : 0;
	switch (below(50)) {
	case 0: s.value_size = below(2) ? 8 : 0; break;
	case 1: s.key_size = below(2) ? 8 : 0; break;
	case 2: s.max_entries = 0; break;
	case 3: /* too many buckets: E2BIG, refused before any memory is
		 * taken. (Huge arrays of maps are never tried: the kernel would
		 * take the memory, and 6.18 oopses freeing one of more than
		 * 2^31 entries.) */
		if (s.type == BPF_MAP_TYPE_HASH_OF_MAPS)
			s.max_entries = (1u << 27) + 1;
		break;
	case 4: s.key_size = 4194252; break;
	case 5: s.map_extra = 1; break;
	case 6: s.flags |= bad_flags[below(sizeof(bad_flags) / 4)]; break;
	case 7: s.flags |= BPF_F_RDONLY | BPF_F_WRONLY; break;
	default: break;
	}
	if (below(4) == 0)
		s.flags |= good_flags[below(sizeof(good_flags) / 4)];
	return s;
}

/* A template: a random kind, with random sizes and flags now and then. */
static struct shape random_template(void)
{
	struct shape t = kind_shape(below(N_KINDS));
	unsigned k = 0;
	while (inner_kinds[k].type != t.type)
		k++;
	if (t.type != BPF_MAP_TYPE_RINGBUF && below(2))
		t.max_entries = 1 + below(6);
	if (below(3) == 0 && inner_kinds[k].extra_flags) {
		uint32_t extra = inner_kinds[k].extra_flags;
		uint32_t bit = 1u << below(32);
		while (!(extra & bit))
			bit = bit << 1 ? bit << 1 : 1;
		t.flags |= bit;
	}
	if (below(6) == 0 && t.key_size >= 4 && t.type == BPF_MAP_TYPE_HASH)
		t.key_size += 4 * below(3);
	return t;
}

static unsigned long long compared_array, compared_hash, refused_alike, template_refused,
	other_disagree;

static void one_sequence(int seq, uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
	struct shape t = random_template();
	int ktmpl, utmpl;
	int made = make_pair(&t, &ktmpl, &utmpl);
	if (made) {
		template_refused++;
		other_disagree += made > 0;
		return;
	}
	int bad_inner;
	struct outer o = { .s = random_outer(&bad_inner) };
	int kin = ktmpl, uin = utmpl;
	if (bad_inner == 1)
		kin = uin = 999; /* closed */
	else if (bad_inner == 2)
		kin = uin = devnull; /* not a map */
	else if (bad_inner == 3)
		kin = utmpl, uin = ktmpl; /* the other side's map: not a map here */
	o.kfd = k_create(&o.s, kin);
	o.ufd = u_create(&o.s, uin);
	o.ordered = o.s.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || o.s.flags & BPF_F_ZERO_SEED;
	check_current = "create";
	CHECK_REPORT((o.kfd >= 0) == (o.ufd >= 0) && (o.kfd >= 0 || o.kfd == o.ufd),
		     "sequence %d: create type %u key %u value %u max %u flags 0x%x extra %" PRIu64
		     " template type %u (key %u value %u max %u flags 0x%x) inner %d: kernel %d, "
		     "uebpf %d", seq, o.s.type, o.s.key_size, o.s.value_size, o.s.max_entries,
		     o.s.flags, o.s.map_extra, t.type, t.key_size, t.value_size, t.max_entries,
		     t.flags, bad_inner, o.kfd >= 0 ? 0 : o.kfd, o.ufd >= 0 ? 0 : o.ufd);
	if (o.kfd >= 0 && o.ufd >= 0) {
		check_current = "sequence";
		cands_open(&t, ktmpl, utmpl, o.kfd, o.ufd);
		run_sequence(seq, &o, 60);
		u_empty(&o);
		cands_close();
		if (o.s.type == BPF_MAP_TYPE_ARRAY_OF_MAPS)
			compared_array++;
		else
			compared_hash++;
	} else {
		refused_alike++;
	}
	if (o.kfd >= 0)
		close(o.kfd);
	if (o.ufd >= 0)
		uebpf_map_close(o.ufd);
	close(ktmpl);
	uebpf_map_close(utmpl);
}

/* ---- programs ---- */

/* args: { u32 outer_key, inner_key, op, update_flags; u64 value }. op 0
 * looks inner_key up (its value, or 7777), 1 updates it, 2 deletes it;
 * 8888 when the outer slot is empty. */
static const char prog_text[] =
	"  *(u32 *)(r10 - 4) = 0\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto fail\n"
	"  r6 = r0\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r6\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto nomap\n"
	"  r7 = r0\n"
	"  r1 = *(u32 *)(r6 + 8)\n"
	"  if r1 == 1 goto update\n"
	"  if r1 == 2 goto delete\n"
	"  r1 = r7\n"
	"  r2 = r6\n"
	"  r2 += 4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto nokey\n"
	"  r0 = *(u64 *)(r0 + 0)\n"
	"  exit\n"
	"update:\n"
	"  r1 = r7\n"
	"  r2 = r6\n"
	"  r2 += 4\n"
	"  r3 = r6\n"
	"  r3 += 16\n"
	"  r4 = *(u32 *)(r6 + 12)\n"
	"  call bpf_map_update_elem\n"
	"  exit\n"
	"delete:\n"
	"  r1 = r7\n"
	"  r2 = r6\n"
	"  r2 += 4\n"
	"  call bpf_map_delete_elem\n"
	"  exit\n"
	"nokey:\n"
	"  r0 = 7777\n"
	"  exit\n"
	"nomap:\n"
	"  r0 = 8888\n"
	"  exit\n"
	"fail:\n"
	"  r0 = 9999\n"
	"  exit\n";

struct prog_args {
	uint32_t outer_key, inner_key, op, flags;
	uint64_t value;
};

static struct uebpf_vm *vm;
static char errbuf[512];
static char vlog[1 << 16];

static int k_run(int prog_fd, int32_t *r0)
{
	uint32_t v = 0;
	int rc = kernel_test_run(prog_fd, &v);
	if (!rc)
		*r0 = (int32_t)v;
	return rc;
}

#define PROG_INNER 4

static unsigned long long prog_runs;

/* One program sequence: an outer map (array or hash of maps, key 4) of
 * hash or array maps (key 4, value 8), the program run with random args
 * while user space swaps inner maps. */
static void prog_sequence(int seq, uint64_t seed)
{
	rng_state = seed * 0x51ed270b27cb5a3dull + (uint64_t)seq + 7;
	struct shape inner = { below(2) ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY, 4, 8,
			       1 + below(6), 0, 0 };
	struct shape outer = { below(2) ? BPF_MAP_TYPE_ARRAY_OF_MAPS : BPF_MAP_TYPE_HASH_OF_MAPS,
			       4, 4, 1 + below(4), 0, 0 };
	struct shape args = { BPF_MAP_TYPE_ARRAY, 4, sizeof(struct prog_args), 1, 0, 0 };
	int kin[PROG_INNER], uin[PROG_INNER], kout, uout, kargs, uargs;
	for (int i = 0; i < PROG_INNER; i++)
		if (make_pair(&inner, &kin[i], &uin[i])) {
			CHECK_REPORT(0, "program sequence %d: inner map not created alike", seq);
			return;
		}
	kout = k_create(&outer, kin[0]);
	uout = u_create(&outer, uin[0]);
	kargs = k_create(&args, 0);
	uargs = u_create(&args, 0);
	if (kout < 0 || uout < 0 || kargs < 0 || uargs < 0) {
		CHECK_REPORT(0, "program sequence %d: maps not created (%d %d %d %d)", seq, kout,
			     uout, kargs, uargs);
		return;
	}
	char text[4096];
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = errbuf, .err_size = sizeof(errbuf) };
	int kprog = -1;
	struct uebpf_code *code = NULL;
	snprintf(text, sizeof(text), prog_text, kargs, kout);
	if (uebpf_asm(text, &insns, &cnt, &ao) == 0) {
		kprog = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog, sizeof(vlog), 1);
		free(insns);
	}
	snprintf(text, sizeof(text), prog_text, uargs, uout);
	if (uebpf_asm(text, &insns, &cnt, &ao) == 0) {
		struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
					      .err_size = sizeof(errbuf) };
		if (uebpf_code_load(vm, insns, cnt, &lo, &code))
			printf("uebpf_code_load: %s\n", errbuf);
		free(insns);
	}
	check_current = "programs";
	CHECK_REPORT(kprog >= 0 && code, "program sequence %d: loads: kernel %d (%s), uebpf %s",
		     seq, kprog, vlog, code ? "ok" : errbuf);
	for (int step = 0; kprog >= 0 && code && step < 40; step++) {
		uint32_t okey = below(outer.max_entries + 1), zero = 0;
		unsigned op = below(10);
		if (op < 3) { /* user space swaps an inner map in or out */
			int i = (int)below(PROG_INNER);
			int krc, urc;
			if (op == 0) {
				krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kout, &okey, NULL, 0);
				urc = uebpf_map_delete_elem(uout, &okey);
			} else {
				krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kout, &okey, &kin[i], 0);
				urc = uebpf_map_update_elem(uout, &okey, &uin[i], 0);
			}
			CHECK_REPORT(krc == urc, "program sequence %d step %d: swap: kernel %d, uebpf %d",
				     seq, step, krc, urc);
			continue;
		}
		struct prog_args a = { okey, below(inner.max_entries + 2), below(3),
				       below(4) == 0 ? 1 + below(3) : 0, rnd() % 100000 };
		int32_t kr0 = 0, ur0 = 0;
		uint64_t r0 = 0;
		struct uebpf_run_opts ro = { .sz = sizeof(ro), .err_buf = errbuf,
					     .err_size = sizeof(errbuf) };
		if (kernel_map_elem(BPF_MAP_UPDATE_ELEM, kargs, &zero, &a, 0) ||
		    uebpf_map_update_elem(uargs, &zero, &a, 0) || k_run(kprog, &kr0) ||
		    uebpf_code_run(code, 0, 0, &ro, &r0)) {
			CHECK_REPORT(0, "program sequence %d step %d: run failed (%s)", seq, step, errbuf);
			break;
		}
		ur0 = (int32_t)r0;
		prog_runs++;
		CHECK_REPORT(kr0 == ur0, "program sequence %d step %d (outer key %u, inner key %u, op %u, "
			     "flags %u): kernel r0 %d, uebpf r0 %d", seq, step, a.outer_key, a.inner_key,
			     a.op, a.flags, kr0, ur0);
		/* Every inner map's contents agree. */
		for (int i = 0; i < PROG_INNER; i++)
			for (uint32_t k = 0; k < inner.max_entries + 2; k++) {
				uint64_t kv = 1, uv = 2;
				int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kin[i], &k, &kv, 0);
				int urc = uebpf_map_lookup_elem(uin[i], &k, &uv);
				CHECK_REPORT(krc == urc && (krc || kv == uv),
					     "program sequence %d step %d: inner %d key %u: kernel %d/%" PRIu64
					     ", uebpf %d/%" PRIu64, seq, step, i, k, krc, kv, urc, uv);
			}
	}
	if (kprog >= 0)
		close(kprog);
	uebpf_code_free(code);
	for (uint32_t k = 0; k <= outer.max_entries; k++)
		uebpf_map_delete_elem(uout, &k);
	close(kout);
	uebpf_map_close(uout);
	close(kargs);
	uebpf_map_close(uargs);
	for (int i = 0; i < PROG_INNER; i++) {
		close(kin[i]);
		uebpf_map_close(uin[i]);
	}
}

/* What a worker found, sent to the parent. */
struct results {
	unsigned long long compared[2], refused_alike, template_refused, other_disagree, prog_runs;
	int passed, failed;
	struct {
		const char *what; /* a string literal: the same address in the parent */
		int rc;
		unsigned n;
	} seen[96];
};

/* Runs the sequences seq % workers == w of every seed. */
static void work(int w, int workers, int sequences, const uint64_t *seeds, int nseeds,
		 struct results *r)
{
	for (int s = 0; s < nseeds; s++) {
		for (int seq = w; seq < sequences; seq += workers)
			one_sequence(seq, seeds[s]);
		for (int seq = w; seq < sequences / 20 + 1; seq += workers)
			prog_sequence(seq, seeds[s]);
	}
	memset(r, 0, sizeof(*r));
	r->compared[0] = compared_array;
	r->compared[1] = compared_hash;
	r->refused_alike = refused_alike;
	r->template_refused = template_refused;
	r->other_disagree = other_disagree;
	r->prog_runs = prog_runs;
	r->passed = check_passed;
	r->failed = check_failed;
	memcpy(r->seen, seen, sizeof(r->seen));
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 1100;
	static const uint64_t default_seeds[] = { 0x3a9, 0x51f0, 0xbee5 };
	uint64_t seeds[3] = { default_seeds[0], default_seeds[1], default_seeds[2] };
	int nseeds = 3;
	if (argc > 2) {
		seeds[0] = strtoull(argv[2], NULL, 0);
		nseeds = 1;
	}

	/* Is bpf() allowed here at all? */
	struct shape probe = kind_shape(0);
	int fd = k_create(&probe, 0);
	if (kernel_bpf_refused(fd)) {
		printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-fd));
		return KERNEL_TEST_SKIP;
	}
	if (fd >= 0)
		close(fd);
	char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/uebpf-mimdiff-%d", (int)getpid());
	setenv(UEBPF_PIN_DIR_ENV, dir, 1);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);

	/* The kernel waits for an RCU grace period after each change of a
	 * map of maps (milliseconds): workers in parallel overlap the waits. */
	enum { WORKERS = 8 };
	int pipes[WORKERS][2];
	pid_t pids[WORKERS];
	fflush(stdout);
	for (int w = 0; w < WORKERS; w++) {
		if (pipe(pipes[w]))
			return 1;
		pids[w] = fork();
		if (pids[w] == 0) {
			struct results r;
			close(pipes[w][0]);
			work(w, WORKERS, sequences, seeds, nseeds, &r);
			fflush(stdout);
			_exit(write(pipes[w][1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
		}
		close(pipes[w][1]);
	}
	struct results total = { 0 };
	for (int w = 0; w < WORKERS; w++) {
		struct results r;
		int status = 0;
		ssize_t got = read(pipes[w][0], &r, sizeof(r));
		close(pipes[w][0]);
		waitpid(pids[w], &status, 0);
		CHECK_REPORT(got == (ssize_t)sizeof(r) && WIFEXITED(status) && WEXITSTATUS(status) == 0,
			     "worker %d did not finish", w);
		if (got != (ssize_t)sizeof(r))
			continue;
		total.compared[0] += r.compared[0];
		total.compared[1] += r.compared[1];
		total.refused_alike += r.refused_alike;
		total.template_refused += r.template_refused;
		total.other_disagree += r.other_disagree;
		total.prog_runs += r.prog_runs;
		check_passed += r.passed;
		check_failed += r.failed;
		for (unsigned i = 0; i < sizeof(r.seen) / sizeof(r.seen[0]) && r.seen[i].what; i++)
			for (unsigned j = 0; j < sizeof(total.seen) / sizeof(total.seen[0]); j++) {
				if (!total.seen[j].what) {
					total.seen[j].what = r.seen[i].what;
					total.seen[j].rc = r.seen[i].rc;
				}
				if (total.seen[j].rc == r.seen[i].rc &&
				    !strcmp(total.seen[j].what, r.seen[i].what)) {
					total.seen[j].n += r.seen[i].n;
					break;
				}
			}
	}
	printf("%llu array and %llu hash sequences compared with the kernel (%d seed%s), %llu "
	       "creations refused by both, %llu templates not made (%llu where the sides "
	       "disagree: other types' rules), %llu program runs\n", total.compared[0],
	       total.compared[1], nseeds, nseeds > 1 ? "s" : "", total.refused_alike,
	       total.template_refused, total.other_disagree, total.prog_runs);
	for (unsigned i = 0; i < sizeof(total.seen) / sizeof(total.seen[0]) && total.seen[i].what; i++)
		printf("  %-24s %4d (%s): %u\n", total.seen[i].what, total.seen[i].rc,
		       total.seen[i].rc == -524 ? "ENOTSUPP" : strerror(-total.seen[i].rc),
		       total.seen[i].n);
	uebpf_vm_free(vm);
	close(devnull);
	/* Inner maps of outer maps that were frozen or read-only (and so not
	 * emptied) keep their names: remove them. */
	char inner_dir[128], path[512];
	snprintf(inner_dir, sizeof(inner_dir), "%s/.inner", dir);
	DIR *d = opendir(inner_dir);
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", inner_dir, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(inner_dir);
	rmdir(dir);
	return check_summary("map_in_map_kernel_diff_test");
}
