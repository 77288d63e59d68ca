/* SPDX-License-Identifier: MIT */
/*
 * The bloom filter against the kernel.
 *
 * 1. Random creation attributes (value sizes, max_entries, map_extra,
 *    flags, key sizes): created or refused alike, with the same errno.
 * 2. Seeded random sequences of adds (update, and bpf_map_push_elem from a
 *    program run by BPF_PROG_TEST_RUN in the kernel and by the
 *    interpreter here), membership tests (lookup, bpf_map_peek_elem) and
 *    the commands a bloom filter refuses. With BPF_F_ZERO_SEED both
 *    filters hash alike, so every answer must be identical, false
 *    positives included; with a random seed only the return codes of
 *    values that were added (0 on both: no false negatives) and of the
 *    other commands must agree.
 * 3. Sizing probes: with BPF_F_ZERO_SEED, values chosen so that a lookup
 *    answers "present" only if the kernel's bit array has exactly the
 *    size we compute (collisions under that mask, none under the next),
 *    including the 2^31 and 2^32-bit cases.
 * 4. Fixed edge cases of the syscall layer (NULL pointers, keys, flags).
 *
 *   bloom_filter_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/jhash.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

/* Value number id as value_size bytes (splitmix64 stream). */
static void make_value(uint8_t *buf, uint32_t size, uint64_t id)
{
	uint64_t x = id * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	for (uint32_t i = 0; i < size; i += 8) {
		x += 0x9e3779b97f4a7c15ull;
		uint64_t z = x;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(buf + i, &z, size - i < 8 ? size - i : 8);
	}
}

/* ---- the kernel side ---- */

static int k_create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, uint64_t extra)
{
	return kernel_map_create(BPF_MAP_TYPE_BLOOM_FILTER, ks, vs, max, flags, extra, 0);
}

static int k_create_type(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max)
{
	return kernel_map_create(type, ks, vs, max, 0, 0, 0);
}

static int u_create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, uint64_t extra)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags,
					   .map_extra = extra };
	return uebpf_map_create(BPF_MAP_TYPE_BLOOM_FILTER, "bloomdiff", ks, vs, max, &o);
}

/* ---- programs: push or peek the value held in an array map ---- */

/* The value comes from element 0 of a one-element array (the tested
 * value), the push flags from element 0 of another. Returns r0. */
static const char push_prog[] =
	"*(u32 *)(r10 - 4) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r6 = r0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r3 = *(u64 *)(r0 + 0)\n"
	"r1 = map[fd:%d]\n"
	"r2 = r6\n"
	"call bpf_map_push_elem\n"
	"exit\n"
	"fail:\n"
	"r0 = 12345\n"
	"exit\n";

static const char peek_prog[] =
	"*(u32 *)(r10 - 4) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r1 = map[fd:%d]\n"
	"r2 = r0\n"
	"call bpf_map_peek_elem\n"
	"exit\n"
	"fail:\n"
	"r0 = 12345\n"
	"exit\n";

static struct uebpf_vm *vm;
static char errbuf[512];
static char vlog[1 << 16];

static int assemble(const char *text, struct uebpf_insn **insns, size_t *cnt)
{
	struct uebpf_asm_opts o = { .sz = sizeof(o), .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	int rc = uebpf_asm(text, insns, cnt, &o);
	if (rc)
		printf("assembler: %s\n", errbuf);
	return rc;
}

/* One side's program pair and its argument maps. */
struct progs {
	int val_fd, flags_fd;
	int push_fd, peek_fd;                 /* kernel */
	struct uebpf_code *push_code, *peek_code; /* uebpf */
};

static void progs_close(struct progs *p, int kernel)
{
	if (kernel) {
		if (p->push_fd >= 0)
			close(p->push_fd);
		if (p->peek_fd >= 0)
			close(p->peek_fd);
		if (p->val_fd >= 0)
			close(p->val_fd);
		if (p->flags_fd >= 0)
			close(p->flags_fd);
	} else {
		uebpf_code_free(p->push_code);
		uebpf_code_free(p->peek_code);
		if (p->val_fd >= 0)
			uebpf_map_close(p->val_fd);
		if (p->flags_fd >= 0)
			uebpf_map_close(p->flags_fd);
	}
	memset(p, 0, sizeof(*p));
	p->val_fd = p->flags_fd = p->push_fd = p->peek_fd = -1;
}

/* Loads push and peek for the bloom filter bfd on one side. A program the
 * kernel's verifier refuses (BPF_F_RDONLY_PROG for push, say) gets fd < 0
 * and is not run on either side. */
static void progs_open(struct progs *p, int kernel, int bfd, uint32_t vs)
{
	char text[2048];
	struct uebpf_insn *insns;
	size_t cnt;
	memset(p, 0, sizeof(*p));
	p->val_fd = p->flags_fd = p->push_fd = p->peek_fd = -1;
	if (kernel) {
		p->val_fd = k_create_type(BPF_MAP_TYPE_ARRAY, 4, vs, 1);
		p->flags_fd = k_create_type(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
	} else {
		p->val_fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "val", 4, vs, 1, NULL);
		p->flags_fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "flags", 4, 8, 1, NULL);
	}
	if (p->val_fd < 0 || p->flags_fd < 0)
		return;
	for (int which = 0; which < 2; which++) {
		if (which == 0)
			snprintf(text, sizeof(text), push_prog, p->val_fd, p->flags_fd, bfd);
		else
			snprintf(text, sizeof(text), peek_prog, p->val_fd, bfd);
		if (assemble(text, &insns, &cnt))
			continue;
		if (kernel) {
			int fd = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog,
						  sizeof(vlog), 1);
			*(which ? &p->peek_fd : &p->push_fd) = fd;
		} else {
			struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
						      .err_size = sizeof(errbuf) };
			struct uebpf_code *code = NULL;
			if (uebpf_code_load(vm, insns, cnt, &lo, &code))
				printf("uebpf_code_load: %s\n", errbuf);
			*(which ? &p->peek_code : &p->push_code) = code;
		}
		free(insns);
	}
}

static int k_run(int prog_fd, int32_t *r0)
{
	uint32_t v = 0;
	int rc = kernel_test_run(prog_fd, &v);
	if (!rc)
		*r0 = (int32_t)v;
	return rc;
}

static int u_run(struct uebpf_code *code, int checked, int32_t *r0)
{
	uint8_t pkt[64] = { 0 };
	uint64_t ret = 0;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = errbuf, .err_size = sizeof(errbuf) };
	int rc = uebpf_code_run(code, (uintptr_t)pkt, sizeof(pkt), &o, &ret);
	if (rc)
		printf("uebpf run: %s\n", errbuf);
	*r0 = (int32_t)ret;
	return rc;
}

/* Runs push (flags) or peek of value on both sides: the two r0 values. */
static int run_both(struct progs *kp, struct progs *up, int push, const uint8_t *value,
		    uint64_t flags, int32_t *kr0, int32_t *ur0)
{
	uint32_t zero = 0;
	if (kernel_map_elem(BPF_MAP_UPDATE_ELEM, kp->val_fd, &zero, (void *)value, 0) ||
	    uebpf_map_update_elem(up->val_fd, &zero, value, 0))
		return -1;
	if (push && (kernel_map_elem(BPF_MAP_UPDATE_ELEM, kp->flags_fd, &zero, &flags, 0) ||
		     uebpf_map_update_elem(up->flags_fd, &zero, &flags, 0)))
		return -1;
	if (k_run(push ? kp->push_fd : kp->peek_fd, kr0))
		return -1;
	return u_run(push ? up->push_code : up->peek_code, (int)below(2), ur0) ? -1 : 0;
}

/* ---- one random sequence ---- */

struct shape {
	uint32_t key_size, value_size, max_entries, flags;
	uint64_t extra;
};

static unsigned long long exact_answers, fp_kernel, fp_uebpf, prog_steps, prog_refused;

/* Values added so far (by id), for the no-false-negative checks. */
struct added {
	uint64_t *ids;
	size_t n, cap;
};

static void added_put(struct added *a, uint64_t id)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->ids = realloc(a->ids, a->cap * sizeof(*a->ids));
	}
	a->ids[a->n++] = id;
}

static int run_sequence(int seq, const struct shape *s, int kfd, int ufd, int steps)
{
	const uint32_t vs = s->value_size;
	const int zero_seed = !!(s->flags & BPF_F_ZERO_SEED);
	const int readable = !(s->flags & BPF_F_WRONLY);
	uint8_t *val = malloc(vs), *kval = malloc(vs), *uval = malloc(vs);
	uint8_t knext[8], unext[8], key[8] = { 0 };
	struct added added = { 0 };
	/* A pool of values so that added ones are tested again; fresh ids
	 * (never added) for false positives. */
	uint64_t pool = s->max_entries < 64 ? 2 * (uint64_t)s->max_entries + 4 : 256;
	int frozen_at = below(6) == 0 ? (int)below((unsigned)steps) : -1;
	int use_progs = vs <= 4096 && below(3) != 0;
	struct progs kp, up;
	int failed = 0;

	if (use_progs) {
		progs_open(&kp, 1, kfd, vs);
		progs_open(&up, 0, ufd, vs);
		if (kp.push_fd < 0 || kp.peek_fd < 0)
			prog_refused++;
	}
	for (int step = 0; step < steps && !failed; step++) {
		const char *what = "";
		int krc = 0, urc = 0;
		/* answer: a membership test; must_find: of a value added */
		int answer = 0, must_find = 0, added_now = 0;
		uint64_t id = below(4) ? below((unsigned)pool) : (rnd() | 1ull << 63);
		int in_set = 0;
		for (size_t i = 0; i < added.n && !in_set; i++)
			in_set = added.ids[i] == id;
		make_value(val, vs, id);
		memcpy(kval, val, vs);
		memcpy(uval, val, vs);
		unsigned op = step == frozen_at ? 100 : below(24);
		if (op >= 16 && op < 20 && !use_progs)
			op = below(11);
		switch (op) {
		case 0: case 1: case 2: case 3: case 4: {
			static const uint64_t flags[] = { 0, 0, 0, 0, 0, 0, BPF_NOEXIST, BPF_EXIST,
							  3, BPF_F_LOCK };
			uint64_t f = flags[below(10)];
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, NULL, val, f);
			urc = uebpf_map_update_elem(ufd, NULL, val, f);
			added_now = 1;
			break;
		}
		case 5: case 6: case 7: case 8: case 9: case 10:
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, kval, 0);
			urc = uebpf_map_lookup_elem(ufd, NULL, uval);
			/* The value is input: nothing is copied back. */
			if (memcmp(kval, val, vs) || memcmp(uval, val, vs)) {
				CHECK_REPORT(0, "sequence %d step %d: lookup changed the value "
					     "buffer", seq, step);
				failed = 1;
			}
			answer = readable;
			must_find = in_set && readable;
			break;
		case 11: {
			static const uint64_t flags[] = { BPF_F_LOCK, 1, 2, 4 };
			uint64_t f = flags[below(4)];
			what = "lookup with flags";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, kval, f);
			urc = uebpf_map_lookup_elem_flags(ufd, NULL, uval, f);
			break;
		}
		case 12: {
			int with_key = below(2);
			what = with_key ? "delete with a key" : "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, with_key ? key : NULL, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, with_key ? key : NULL);
			break;
		}
		case 13: {
			int with_key = below(2);
			what = with_key ? "get_next_key with a key" : "get_next_key";
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, with_key ? key : NULL, knext, 0);
			urc = uebpf_map_get_next_key(ufd, with_key ? key : NULL, unext);
			break;
		}
		case 14: {
			int with_key = below(2);
			what = with_key ? "lookup_and_delete with a key" : "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, with_key ? key : NULL,
				     kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, with_key ? key : NULL, uval);
			break;
		}
		case 15:
			if (below(2)) {
				what = "update with a key";
				krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, key, val, 0);
				urc = uebpf_map_update_elem(ufd, key, val, 0);
			} else {
				what = "lookup with a key";
				krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, 0);
				urc = uebpf_map_lookup_elem(ufd, key, uval);
			}
			break;
		case 16: case 17: {
			static const uint64_t flags[] = { 0, 0, 0, 0, 0, BPF_NOEXIST, BPF_EXIST,
							  BPF_F_LOCK };
			uint64_t f = flags[below(8)];
			int32_t kr0, ur0;
			what = "bpf_map_push_elem";
			if (kp.push_fd < 0 || !up.push_code)
				continue;
			prog_steps++;
			if (run_both(&kp, &up, 1, val, f, &kr0, &ur0)) {
				CHECK_REPORT(0, "sequence %d step %d: running push failed", seq, step);
				failed = 1;
				continue;
			}
			krc = kr0;
			urc = ur0;
			added_now = 1;
			break;
		}
		case 18: case 19: {
			int32_t kr0, ur0;
			what = "bpf_map_peek_elem";
			if (kp.peek_fd < 0 || !up.peek_code)
				continue;
			prog_steps++;
			if (run_both(&kp, &up, 0, val, 0, &kr0, &ur0)) {
				CHECK_REPORT(0, "sequence %d step %d: running peek failed", seq, step);
				failed = 1;
				continue;
			}
			krc = kr0;
			urc = ur0;
			answer = 1; /* programs peek whatever the fd's mode */
			must_find = in_set;
			break;
		}
		case 100:
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
			break;
		default:
			/* An added value again: no false negatives. */
			if (!added.n || !readable)
				continue;
			id = added.ids[below((unsigned)added.n)];
			in_set = 1;
			make_value(val, vs, id);
			what = "lookup of an added value";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, val, 0);
			urc = uebpf_map_lookup_elem(ufd, NULL, val);
			answer = must_find = 1;
			break;
		}
		int same;
		if (answer && !zero_seed)
			/* A random seed: answers may differ by false positives. */
			same = (krc == 0 || krc == -ENOENT) && (urc == 0 || urc == -ENOENT);
		else
			same = krc == urc;
		if (must_find)
			same = same && krc == 0 && urc == 0;
		if (answer && !must_find) {
			exact_answers += zero_seed;
			fp_kernel += krc == 0;
			fp_uebpf += urc == 0;
		}
		if (added_now && krc == 0 && urc == 0)
			added_put(&added, id);
		if (!same && !failed) {
			CHECK_REPORT(0, "sequence %d (value_size %u, max %u, map_extra 0x%" PRIx64
				     ", flags 0x%x), step %d %s of value %" PRIu64 "%s: kernel %d, "
				     "uebpf %d", seq, vs, s->max_entries, s->extra, s->flags, step,
				     what, id, in_set ? " (added)" : "", krc, urc);
			failed = 1;
		}
	}

	/* Every added value is found by both. */
	for (size_t i = 0; i < added.n && !failed && readable; i++) {
		make_value(val, vs, added.ids[i]);
		int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, val, 0);
		int urc = uebpf_map_lookup_elem(ufd, NULL, val);
		if (krc || urc) {
			CHECK_REPORT(0, "sequence %d: added value %" PRIu64 " not found: kernel %d, "
				     "uebpf %d", seq, added.ids[i], krc, urc);
			failed = 1;
		}
	}
	/* With the same seed, the same false positives among fresh values. */
	for (int i = 0; i < 64 && zero_seed && !failed && readable; i++) {
		uint64_t id = rnd() | 1ull << 62;
		make_value(val, vs, id);
		int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, val, 0);
		int urc = uebpf_map_lookup_elem(ufd, NULL, val);
		exact_answers++;
		fp_kernel += krc == 0;
		fp_uebpf += urc == 0;
		if (krc != urc) {
			CHECK_REPORT(0, "sequence %d: fresh value %" PRIu64 ": kernel %d, uebpf %d",
				     seq, id, krc, urc);
			failed = 1;
		}
	}
	if (!failed)
		CHECK_REPORT(1, "sequence");
	if (use_progs) {
		progs_close(&kp, 1);
		progs_close(&up, 0);
	}
	free(added.ids);
	free(val);
	free(kval);
	free(uval);
	return failed ? -1 : 0;
}

/* Random creation attributes, mostly valid. */
static struct shape random_shape(void)
{
	static const uint32_t value_sizes[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 23, 24, 25,
		32, 36, 40, 64, 100, 128, 255, 256, 1000, 4096, 0, 4194305,
	};
	static const uint32_t max_entries[] = {
		1, 2, 3, 5, 9, 10, 16, 30, 49, 50, 64, 100, 255, 1000, 10000, 0,
	};
	static const uint64_t extras[] = {
		0, 0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15,
		16, 0x1f, 0x100, 1ull << 32,
	};
	static const uint32_t flag_bits[] = {
		BPF_F_NO_PREALLOC, BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY,
		BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_MMAPABLE, BPF_F_INNER_MAP,
		BPF_F_NO_COMMON_LRU, BPF_F_CLONE, BPF_F_STACK_BUILD_ID, 1u << 20,
		BPF_F_RDONLY | BPF_F_WRONLY,
	};
	struct shape s;
	s.key_size = below(20) ? 0 : (below(2) ? 4 : 1);
	s.value_size = value_sizes[below(sizeof(value_sizes) / 4)];
	s.max_entries = max_entries[below(sizeof(max_entries) / 4)];
	if (below(100) == 0) /* the largest arrays: 2^31 and 2^32 bits */
		s.max_entries = below(2) ? 0xffffffffu : 1533916890u;
	s.extra = extras[below(sizeof(extras) / 8)];
	s.flags = 0;
	if (below(6) == 0)
		s.flags = flag_bits[below(sizeof(flag_bits) / 4)];
	if (below(2))
		s.flags |= BPF_F_ZERO_SEED;
	/* Not RDONLY_PROG|WRONLY_PROG with a value too large: the kernel
	 * says E2BIG, uebpf's syscall layer EINVAL (see the report). */
	if (below(30) == 0 && s.value_size <= 4194304)
		s.flags |= BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
	return s;
}

/* ---- sizing probes ---- */

static uint32_t probe_hash(uint64_t id, uint32_t i)
{
	uint8_t v[8];
	make_value(v, 8, id);
	return jhash2(v, 2, i); /* value_size 8, seed 0 */
}

/* The kernel's sizing, written out plainly: bits of the array. */
static uint64_t expected_bits(uint32_t max, uint32_t k)
{
	uint64_t prod = (uint64_t)max * k;
	if (prod > UINT32_MAX)
		return 1ull << 32;
	uint64_t nr = prod / 5 * 7;
	if (nr > 1ull << 31)
		return 1ull << 32;
	if (nr <= 64)
		return 64;
	uint64_t b = 1;
	while (b < nr)
		b <<= 1;
	return b;
}

/* Is value b present, for a filter of mask m holding values a[0..n)? */
static int model_present(const uint64_t *a, size_t n, uint64_t b, uint32_t k, uint64_t m)
{
	for (uint32_t i = 0; i < k; i++) {
		uint64_t hb = probe_hash(b, i) & m;
		int found = 0;
		for (size_t j = 0; j < n && !found; j++)
			for (uint32_t f = 0; f < k && !found; f++)
				found = (probe_hash(a[j], f) & m) == hb;
		if (!found)
			return 0;
	}
	return 1;
}

struct hashed {
	uint64_t key, id;
};

static int cmp_hashed(const void *x, const void *y)
{
	const struct hashed *a = x, *b = y;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* k = 1: two values whose hashes agree under mask low but differ in bit
 * disc (a birthday search: about sqrt(low + 1) candidates). */
static int find_pair(uint64_t low, int disc, uint64_t base, uint64_t *a, uint64_t *b)
{
	size_t n = 64;
	while ((double)n * n < 16.0 * ((double)low + 1))
		n *= 2;
	struct hashed *h = malloc(n * sizeof(*h));
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		h[i].id = base + i;
		h[i].key = probe_hash(base + i, 0) & low;
	}
	qsort(h, n, sizeof(*h), cmp_hashed);
	for (size_t i = 1; i < n && !found; i++) {
		if (h[i].key != h[i - 1].key)
			continue;
		uint64_t x = probe_hash(h[i].id, 0), y = probe_hash(h[i - 1].id, 0);
		if (((x ^ y) >> disc) & 1) {
			*a = h[i - 1].id;
			*b = h[i].id;
			found = 1;
		}
	}
	free(h);
	return found;
}

/* k > 1: values a[0..k) and b such that b's bit for every function is set
 * by some a under mask m, and the model agrees with want under mask m and
 * with !want under the neighbouring mask other (2m+1 or m/2). */
static int find_set(uint32_t k, uint64_t m, uint64_t other, int want, uint64_t base,
		    uint64_t *a, uint64_t *b)
{
	for (int attempt = 0; attempt < 20; attempt++) {
		*b = base + (uint64_t)attempt * 1000003;
		uint64_t next = base + 0x100000000ull * (uint64_t)(attempt + 1);
		for (uint32_t i = 0; i < k; i++) {
			/* Function 0 tells the masks apart; the others collide
			 * under the larger one so that they do not. */
			uint64_t small = m < other ? m : other, large = m < other ? other : m;
			uint64_t match = i == 0 ? small : large;
			uint64_t target = probe_hash(*b, i);
			for (;;) {
				uint32_t h = probe_hash(next, i);
				if ((h & match) == (target & match) &&
				    (i != 0 || (h & large) != (target & large)))
					break;
				next++;
			}
			a[i] = next++;
		}
		if (model_present(a, k, *b, k, m) == want &&
		    model_present(a, k, *b, k, other) == !want)
			return 1;
	}
	return 0;
}

/* Adds a[0..n) and tests b on a ZERO_SEED kernel filter and on ours. */
static void probe_once(uint32_t max, uint32_t extra, const uint64_t *a, size_t n, uint64_t b,
		       int want, const char *what)
{
	uint32_t k = extra ? extra : 5;
	int kfd = k_create(0, 8, max, BPF_F_ZERO_SEED, extra);
	int ufd = u_create(0, 8, max, BPF_F_ZERO_SEED, extra);
	uint8_t v[8];
	if (kfd < 0 || ufd < 0) {
		CHECK_REPORT(0, "probe max %u k %u: create: kernel %d, uebpf %d", max, k, kfd, ufd);
	} else {
		for (size_t i = 0; i < n; i++) {
			make_value(v, 8, a[i]);
			kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, NULL, v, 0);
			uebpf_map_update_elem(ufd, NULL, v, 0);
		}
		make_value(v, 8, b);
		int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, v, 0);
		int urc = uebpf_map_lookup_elem(ufd, NULL, v);
		int expect = want ? 0 : -ENOENT;
		CHECK_REPORT(krc == expect && urc == expect,
			     "probe max %u k %u (%" PRIu64 " bits, %s): expected %d, kernel %d, "
			     "uebpf %d", max, k, expected_bits(max, k), what, expect, krc, urc);
	}
	if (kfd >= 0)
		close(kfd);
	if (ufd >= 0)
		uebpf_map_close(ufd);
}

static void sizing_probes(void)
{
	static const struct { uint32_t max, k; } cases[] = {
		{ 1, 1 }, { 49, 1 }, { 50, 1 }, { 94, 1 }, { 95, 1 }, { 9, 5 }, { 10, 5 },
		{ 7, 7 }, { 4, 15 }, { 1000, 3 }, { 1000, 1 }, { 3, 0 }, { 10, 0 }, { 2000, 2 },
		{ 10000, 15 }, { 100000, 1 }, { 5000000, 1 }, { 1533916890u, 1 },
		{ 1533916895u, 1 }, { 0xffffffffu, 1 },
	};
	check_current = "sizing probes";
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint32_t max = cases[c].max, k = cases[c].k ? cases[c].k : 5;
		uint64_t bits = expected_bits(max, k), m = bits - 1;
		int log2 = 0;
		while ((1ull << log2) < bits)
			log2++;
		uint64_t a[16] = { 0 }, b = 0;
		if (k == 1) {
			/* Collide under m, not under 2m + 1: present only if the
			 * array is not larger (it cannot be larger than 2^32). */
			if (bits < (1ull << 32)) {
				CHECK(find_pair(m, log2, 1000 + c * 10000000, &a[0], &b));
				probe_once(max, cases[c].k, a, 1, b, 1, "not larger");
			}
			/* Collide under m/2, not under m: absent only if the
			 * array is not smaller. */
			CHECK(find_pair(m >> 1, log2 - 1, 5000000 + c * 10000000, &a[0], &b));
			probe_once(max, cases[c].k, a, 1, b, 0, "not smaller");
		} else if (bits <= (1u << 18)) {
			CHECK(find_set(k, m, 2 * m + 1, 1, 1000 + c * 10000000, a, &b));
			probe_once(max, cases[c].k, a, k, b, 1, "not larger");
			CHECK(find_set(k, m, m >> 1, 0, 5000000 + c * 10000000, a, &b));
			probe_once(max, cases[c].k, a, k, b, 0, "not smaller");
		}
	}
}

/* ---- fixed edge cases of the syscall layer ---- */

/* Runs a command on both sides (in this order) and compares. order: the
 * order of checks in maps/map.c decides, not the bloom filter: a
 * difference is reported as a note, not failed. */
#define EDGE(what, order, kcall, ucall)                                             \
	do {                                                                        \
		int krc_ = (kcall), urc_ = (ucall);                                 \
		if ((order) && krc_ != urc_)                                        \
			printf("NOTE: %s: kernel %d, uebpf %d (order of checks in "  \
			       "maps/map.c)\n", what, krc_, urc_);                  \
		else                                                                \
			CHECK_REPORT(krc_ == urc_, "%s: kernel %d, uebpf %d", what, \
				     krc_, urc_);                                   \
	} while (0)

static void edge_cases(void)
{
	check_current = "edge cases";
	int kfd = k_create(0, 4, 16, 0, 0), ufd = u_create(0, 4, 16, 0, 0);
	uint32_t v = 7, w = 8, key = 0, out = 0;
	const int U = BPF_MAP_UPDATE_ELEM, L = BPF_MAP_LOOKUP_ELEM, D = BPF_MAP_DELETE_ELEM,
		  N = BPF_MAP_GET_NEXT_KEY, LD = BPF_MAP_LOOKUP_AND_DELETE_ELEM;

	EDGE("lookup absent", 0, kernel_map_elem(L, kfd, NULL, &v, 0), uebpf_map_lookup_elem(ufd, NULL, &v));
	EDGE("update", 0, kernel_map_elem(U, kfd, NULL, &v, 0), uebpf_map_update_elem(ufd, NULL, &v, 0));
	EDGE("lookup present", 0, kernel_map_elem(L, kfd, NULL, &v, 0),
	     uebpf_map_lookup_elem(ufd, NULL, &v));
	EDGE("update again", 0, kernel_map_elem(U, kfd, NULL, &v, 0),
	     uebpf_map_update_elem(ufd, NULL, &v, 0));
	EDGE("update flags 1", 0, kernel_map_elem(U, kfd, NULL, &w, 1),
	     uebpf_map_update_elem(ufd, NULL, &w, 1));
	EDGE("update flags 2", 0, kernel_map_elem(U, kfd, NULL, &w, 2),
	     uebpf_map_update_elem(ufd, NULL, &w, 2));
	EDGE("update F_LOCK", 0, kernel_map_elem(U, kfd, NULL, &w, BPF_F_LOCK),
	     uebpf_map_update_elem(ufd, NULL, &w, BPF_F_LOCK));
	EDGE("update flags 1, NULL value", 0, kernel_map_elem(U, kfd, NULL, NULL, 1),
	     uebpf_map_update_elem(ufd, NULL, NULL, 1));
	EDGE("update with a key", 0, kernel_map_elem(U, kfd, &key, &w, 0),
	     uebpf_map_update_elem(ufd, &key, &w, 0));
	EDGE("update NULL value", 0, kernel_map_elem(U, kfd, NULL, NULL, 0),
	     uebpf_map_update_elem(ufd, NULL, NULL, 0));
	EDGE("update F_LOCK, NULL value", 1, kernel_map_elem(U, kfd, NULL, NULL, BPF_F_LOCK),
	     uebpf_map_update_elem(ufd, NULL, NULL, BPF_F_LOCK));
	EDGE("lookup NULL value", 0, kernel_map_elem(L, kfd, NULL, NULL, 0),
	     uebpf_map_lookup_elem(ufd, NULL, NULL));
	EDGE("lookup with a key", 0, kernel_map_elem(L, kfd, &key, &v, 0),
	     uebpf_map_lookup_elem(ufd, &key, &v));
	EDGE("lookup F_LOCK", 0, kernel_map_elem(L, kfd, NULL, &v, BPF_F_LOCK),
	     uebpf_map_lookup_elem_flags(ufd, NULL, &v, BPF_F_LOCK));
	EDGE("lookup F_LOCK, NULL value", 1, kernel_map_elem(L, kfd, NULL, NULL, BPF_F_LOCK),
	     uebpf_map_lookup_elem_flags(ufd, NULL, NULL, BPF_F_LOCK));
	EDGE("delete", 0, kernel_map_elem(D, kfd, NULL, NULL, 0), uebpf_map_delete_elem(ufd, NULL));
	EDGE("delete with a key", 0, kernel_map_elem(D, kfd, &key, NULL, 0),
	     uebpf_map_delete_elem(ufd, &key));
	EDGE("get_next_key", 0, kernel_map_elem(N, kfd, NULL, &out, 0),
	     uebpf_map_get_next_key(ufd, NULL, &out));
	EDGE("get_next_key with a key", 0, kernel_map_elem(N, kfd, &key, &out, 0),
	     uebpf_map_get_next_key(ufd, &key, &out));
	EDGE("get_next_key NULL next", 1, kernel_map_elem(N, kfd, NULL, NULL, 0),
	     uebpf_map_get_next_key(ufd, NULL, NULL));
	EDGE("get_next_key with a key, NULL next", 1, kernel_map_elem(N, kfd, &key, NULL, 0),
	     uebpf_map_get_next_key(ufd, &key, NULL));
	EDGE("lookup_and_delete", 0, kernel_map_elem(LD, kfd, NULL, &out, 0),
	     uebpf_map_lookup_and_delete_elem(ufd, NULL, &out));
	EDGE("lookup_and_delete with a key", 0, kernel_map_elem(LD, kfd, &key, &out, 0),
	     uebpf_map_lookup_and_delete_elem(ufd, &key, &out));
	EDGE("lookup_and_delete NULL value", 1, kernel_map_elem(LD, kfd, NULL, NULL, 0),
	     uebpf_map_lookup_and_delete_elem(ufd, NULL, NULL));
	EDGE("lookup still present", 0, kernel_map_elem(L, kfd, NULL, &v, 0),
	     uebpf_map_lookup_elem(ufd, NULL, &v));
	EDGE("freeze", 0, kernel_map_freeze(kfd), uebpf_map_freeze(ufd));
	EDGE("update frozen", 0, kernel_map_elem(U, kfd, NULL, &w, 0),
	     uebpf_map_update_elem(ufd, NULL, &w, 0));
	EDGE("update frozen, F_LOCK", 0, kernel_map_elem(U, kfd, NULL, &w, BPF_F_LOCK),
	     uebpf_map_update_elem(ufd, NULL, &w, BPF_F_LOCK));
	EDGE("delete frozen", 0, kernel_map_elem(D, kfd, NULL, NULL, 0), uebpf_map_delete_elem(ufd, NULL));
	EDGE("lookup_and_delete frozen", 0, kernel_map_elem(LD, kfd, NULL, &out, 0),
	     uebpf_map_lookup_and_delete_elem(ufd, NULL, &out));
	EDGE("lookup frozen", 0, kernel_map_elem(L, kfd, NULL, &v, 0), uebpf_map_lookup_elem(ufd, NULL, &v));
	close(kfd);
	uebpf_map_close(ufd);

	/* Create: the pair of program flags is checked by the syscall layer
	 * before the value size (the kernel: after). */
	int k2 = k_create(0, 4194305, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0);
	int u2 = u_create(0, 4194305, 1, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0);
	EDGE("create value_size 4194305, RDONLY_PROG|WRONLY_PROG", 1, k2 < 0 ? k2 : 0,
	     u2 < 0 ? u2 : 0);
	if (k2 >= 0)
		close(k2);
	if (u2 >= 0)
		uebpf_map_close(u2);
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 2000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0xb100f;
	int created = 0, refused = 0;

	int probe = k_create(0, 4, 1, 0, 0);
	if (kernel_bpf_refused(probe)) {
		printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-probe));
		return KERNEL_TEST_SKIP;
	}
	if (probe >= 0)
		close(probe);
	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm)) {
		printf("FAIL: no vm\n");
		return 1;
	}

	edge_cases();
	sizing_probes();

	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		struct shape s = random_shape();
		int kfd = k_create(s.key_size, s.value_size, s.max_entries, s.flags, s.extra);
		int ufd = u_create(s.key_size, s.value_size, s.max_entries, s.flags, s.extra);
		check_current = "create";
		CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
			     "create key_size %u value_size %u max %u flags 0x%x map_extra 0x%" PRIx64
			     ": kernel %d, uebpf %d", s.key_size, s.value_size, s.max_entries,
			     s.flags, s.extra, kfd >= 0 ? 0 : kfd, ufd >= 0 ? 0 : ufd);
		if (kfd >= 0 && ufd >= 0) {
			check_current = "sequence";
			run_sequence(seq, &s, kfd, ufd, s.value_size > 65536 ? 20 : 150);
			created++;
		} else {
			refused++;
		}
		if (kfd >= 0)
			close(kfd);
		if (ufd >= 0)
			uebpf_map_close(ufd);
	}
	printf("%d sequences compared with the kernel (seed 0x%" PRIx64 "), %d creations refused "
	       "by both; %llu membership answers compared exactly (ZERO_SEED), false positives "
	       "kernel %llu uebpf %llu; %llu program steps (%llu sequences whose programs the "
	       "verifier refused)\n", created, seed, refused, exact_answers, fp_kernel, fp_uebpf,
	       prog_steps, prog_refused);
	uebpf_vm_free(vm);
	return check_summary("bloom_filter_kernel_diff_test");
}
