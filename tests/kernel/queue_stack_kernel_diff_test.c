/* SPDX-License-Identifier: MIT */
/*
 * Queues and stacks against the kernel: the same seeded random sequence
 * of commands (push with random flags, peek, pop, delete, get_next_key,
 * freeze, keys where none belong) on a kernel map (bpf()) and on a uebpf
 * map, with identical return codes required at every step and identical
 * value buffers after every peek and pop (also after a failed one: the
 * buffer must be left as it was). At the end both are drained and
 * compared. Random creation attributes must be refused alike.
 *
 *   queue_stack_kernel_diff_test [SEQUENCES [SEED]]
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

/* ---- the kernel side ---- */

struct shape {
	uint32_t type, key_size, value_size, max_entries, flags;
	uint64_t map_extra;
};

static int k_create(const struct shape *s)
{
	return kernel_map_create(s->type, s->key_size, s->value_size, s->max_entries, s->flags,
				 s->map_extra, 0);
}

/* A batch command; count in and out. */
static int k_batch(int cmd, int fd, void *keys, void *values, uint32_t *count)
{
	uint64_t token = 0;
	return kernel_map_batch(cmd, fd, NULL, &token, keys, values, count, 0);
}

static int u_batch(int cmd, int fd, void *keys, void *values, uint32_t *count)
{
	uint64_t token = 0;
	switch (cmd) {
	case BPF_MAP_LOOKUP_BATCH:
		return uebpf_map_lookup_batch(fd, NULL, &token, keys, values, count, NULL);
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return uebpf_map_lookup_and_delete_batch(fd, NULL, &token, keys, values, count,
							 NULL);
	case BPF_MAP_UPDATE_BATCH:
		return uebpf_map_update_batch(fd, keys, values, count, NULL);
	default:
		return uebpf_map_delete_batch(fd, keys, count, NULL);
	}
}

/* ---- one sequence ---- */

/* How often each outcome happened, to show the sequences reach full,
 * empty, overwriting and refusals. */
static struct {
	const char *what;
	int rc;
	unsigned n;
} seen[64];

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

static const char *type_name(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE ? "queue" : type == BPF_MAP_TYPE_STACK ? "stack" : "?";
}

#define BIG_VALUE (4u << 20)
static uint8_t kval[BIG_VALUE + 8], uval[BIG_VALUE + 8], val[BIG_VALUE + 8];

/* A value to push: random bytes at the start, a cheap pattern after, so
 * that 4 MiB values stay fast. */
static void random_value(uint32_t size)
{
	uint64_t r = rnd();
	for (uint32_t i = 0; i < size; i++)
		val[i] = i < 256 ? (uint8_t)rnd() : (uint8_t)(r + i * 131);
}

static void report(int seq, const struct shape *s, int step, const char *what, int krc, int urc)
{
	CHECK_REPORT(0, "sequence %d (%s, value_size %u, max %u, flags 0x%x), step %d %s: "
		     "kernel %d, uebpf %d%s", seq, type_name(s->type), s->value_size,
		     s->max_entries, s->flags, step, what, krc, urc,
		     krc == urc ? " (different outputs)" : "");
}

/* Runs `steps` random commands on both maps; returns 0 if all agreed. */
static int run_sequence(int seq, const struct shape *s, int kfd, int ufd, int steps)
{
	uint32_t vs = s->value_size;
	uint32_t some_key = 0, knext = 0, unext = 0;
	/* Phases that push more than they pop, then the reverse, so that
	 * both full and empty are reached and the ring wraps. */
	unsigned push_pct = 50;
	int frozen_at = below(5) == 0 ? (int)below((unsigned)steps) : -1;
	int frozen_again = frozen_at >= 0 && below(2) ? frozen_at + 1 + (int)below(5) : -1;

	for (int step = 0; step < steps; step++) {
		const char *what = "";
		int krc = 0, urc = 0, cmp_value = 0, outputs_differ = 0;
		memset(kval, 0xaa, vs);
		memset(uval, 0xaa, vs);
		if (step % 40 == 0)
			push_pct = 20 + 30 * below(3);
		/* A key pointer where none belongs: EINVAL on every command. */
		const void *key = below(25) == 0 ? &some_key : NULL;
		unsigned op = below(100);
		if (step == frozen_at || step == frozen_again) {
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
		} else if (op < 80 && op * 100 < push_pct * 80) {
			static const uint64_t bad_flags[] = {
				BPF_NOEXIST, BPF_NOEXIST | BPF_EXIST, BPF_F_LOCK,
				BPF_F_LOCK | BPF_EXIST, 8, (uint64_t)1 << 32,
			};
			unsigned r = below(12);
			uint64_t f = r < 6 ? BPF_ANY : r < 10 ? BPF_EXIST
					: bad_flags[below(sizeof(bad_flags) / sizeof(bad_flags[0]))];
			random_value(vs);
			what = f == BPF_ANY ? "push" : f == BPF_EXIST ? "push(EXIST)" : "push(bad flags)";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, key, val, f);
			urc = uebpf_map_update_elem(ufd, key, val, f);
		} else if (op < 80) {
			what = "pop";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, key, uval);
			cmp_value = 1;
		} else if (op < 92) {
			uint64_t f = below(6) == 0 ? BPF_F_LOCK : 0;
			what = f ? "peek(F_LOCK)" : "peek";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, f);
			urc = uebpf_map_lookup_elem_flags(ufd, key, uval, f);
			cmp_value = 1;
		} else if (op < 96) {
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, key);
		} else if (op < 98) {
			static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
						    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH };
			static const char *const names[] = { "lookup_batch", "lookup_and_delete_batch",
							     "update_batch", "delete_batch" };
			unsigned c = below(4);
			uint32_t kcount = below(2), ucount = kcount; /* room for one */
			uint64_t keys[2] = { 0 };
			what = names[c];
			krc = k_batch(cmds[c], kfd, keys, kval, &kcount);
			urc = u_batch(cmds[c], ufd, keys, uval, &ucount);
			outputs_differ = kcount != ucount;
		} else {
			/* next_key is never NULL here: the kernel gives EINVAL
			 * for that too (the op runs first), uebpf EFAULT. */
			what = "get_next_key";
			knext = unext = 0x5a5a5a5a;
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, key, &knext, 0);
			urc = uebpf_map_get_next_key(ufd, key, &unext);
			outputs_differ = knext != unext;
		}
		count(what, krc);
		int same = krc == urc && !outputs_differ;
		/* Compared after failures too: the buffer must be untouched. */
		if (same && cmp_value)
			same = memcmp(kval, uval, vs) == 0;
		if (!same) {
			report(seq, s, step, what, krc, urc);
			return -1;
		}
	}

	/* Drain both (where this fd may pop and the map is not frozen) and
	 * compare what comes out; else the final peeks must agree. */
	for (uint64_t n = 0; n <= (uint64_t)s->max_entries; n++) {
		memset(kval, 0xaa, vs);
		memset(uval, 0xaa, vs);
		int krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, NULL, kval, 0);
		int urc = uebpf_map_lookup_and_delete_elem(ufd, NULL, uval);
		if (krc != urc || memcmp(kval, uval, vs)) {
			report(seq, s, steps + (int)n, "final pop", krc, urc);
			return -1;
		}
		if (krc)
			break;
	}
	memset(kval, 0xaa, vs);
	memset(uval, 0xaa, vs);
	int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, kval, 0);
	int urc = uebpf_map_lookup_elem(ufd, NULL, uval);
	if (krc != urc || memcmp(kval, uval, vs)) {
		report(seq, s, steps, "final peek", krc, urc);
		return -1;
	}
	return 0;
}

/* Random creation attributes, mostly valid. */
static struct shape random_shape(void)
{
	static const uint32_t value_sizes[] = { 8, 4, 1, 3, 12, 16, 64, 200, 4096 };
	static const uint32_t max_entries[] = { 1, 2, 3, 4, 7, 16, 33, 100 };
	static const uint32_t good_flags[] = {
		BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_NUMA_NODE,
	};
	static const uint32_t bad_flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED, BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU,
		BPF_F_CLONE, BPF_F_PRESERVE_ELEMS, BPF_F_INNER_MAP, BPF_F_STACK_BUILD_ID,
		1u << 20, 1u << 31,
	};
	struct shape s = { 0 };
	s.type = below(2) ? BPF_MAP_TYPE_QUEUE : BPF_MAP_TYPE_STACK;
	s.value_size = value_sizes[below(sizeof(value_sizes) / 4)];
	s.max_entries = max_entries[below(sizeof(max_entries) / 4)];
	switch (below(40)) {
	case 0: /* the largest value the kernel takes, in a small ring */
		s.value_size = BIG_VALUE;
		s.max_entries = 1 + below(3);
		break;
	case 1: /* far too much memory for both: ENOMEM */
		s.value_size = BIG_VALUE;
		s.max_entries = below(2) ? 0xffffffffu : 1u << 20;
		break;
	case 2: /* too big a value: E2BIG */
		s.value_size = BIG_VALUE + 1 + below(2) * 1000;
		break;
	case 3: case 4:
		s.value_size = 0;
		break;
	case 5: case 6:
		s.max_entries = 0;
		break;
	case 7: case 8: /* queues have no keys */
		s.key_size = 1 + below(8);
		break;
	case 9: /* several wrong at once: which errno wins */
		s.key_size = below(2) * 4;
		s.value_size = below(2) ? 0 : BIG_VALUE + 1;
		s.max_entries = below(2);
		s.flags = bad_flags[below(sizeof(bad_flags) / 4)];
		break;
	default:
		break;
	}
	if (below(3) == 0)
		s.flags |= good_flags[below(sizeof(good_flags) / 4)];
	if (below(8) == 0)
		s.flags |= good_flags[below(sizeof(good_flags) / 4)];
	if (below(12) == 0)
		s.flags |= bad_flags[below(sizeof(bad_flags) / 4)];
	if (below(30) == 0)
		s.map_extra = 1;
	return s;
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 400;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e57;
	int created = 0, refused = 0;

	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		struct shape s = random_shape();
		int kfd = k_create(&s);
		if (kernel_bpf_refused(kfd)) {
			printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-kfd));
			return KERNEL_TEST_SKIP;
		}
		struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = s.flags,
						      .map_extra = s.map_extra };
		int ufd = uebpf_map_create(s.type, "qsdiff", s.key_size, s.value_size,
					   s.max_entries, &opts);
		check_current = "create";
		CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
			     "create %s key_size %u value_size %u max %u flags 0x%x extra %" PRIu64
			     ": kernel %d, uebpf %d", type_name(s.type), s.key_size, s.value_size,
			     s.max_entries, s.flags, s.map_extra, kfd >= 0 ? 0 : kfd,
			     ufd >= 0 ? 0 : ufd);
		if (kfd >= 0 && ufd >= 0) {
			check_current = "sequence";
			/* Big values: fewer steps, the kernel copies them too. */
			run_sequence(seq, &s, kfd, ufd, s.value_size > 4096 ? 30 : 300);
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
	for (unsigned i = 0; i < sizeof(seen) / sizeof(seen[0]) && seen[i].what; i++)
		printf("  %-24s %4d (%s): %u\n", seen[i].what, seen[i].rc, strerror(-seen[i].rc),
		       seen[i].n);
	return check_summary("queue_stack_kernel_diff_test");
}
