/* SPDX-License-Identifier: MIT */
/*
 * Stack trace maps against the kernel. Random creation attributes must be
 * refused alike. On maps both create, a seeded random sequence of
 * commands runs on both sides with identical return codes and values
 * required at every step: lookup, delete, lookup_and_delete, update,
 * get_next_key and batches by id (valid, empty, out of range, NULL),
 * freeze, and programs that add traces:
 *
 * - kernel: a raw_tp program run by BPF_PROG_TEST_RUN calls
 *   bpf_get_stack (skip and user/kernel flags as given, the ips it sees)
 *   and bpf_get_stackid (random flags) on the kernel map;
 * - uebpf: a program calls bpf_get_stackid with the same flags on the
 *   uebpf map, from a stack source that returns the kernel's stack (the
 *   skipped frames as stand-ins, then the ips bpf_get_stack saw). Same
 *   hash, same id, same collisions (EEXIST, REUSE, FAST_STACK_CMP,
 *   ENOMEM), same records in build-id maps: the kernel resolves the build
 *   ids of this process's user frames, uebpf its own way.
 *
 * Kernel stacks are taken with a skip of 1 at least: the first frame is
 * the program's own call site, which differs between the two helpers.
 * At the end both maps are walked and every trace compared.
 *
 *   stackmap_kernel_diff_test [SEQUENCES [SEED]]   (default: 4 seeds x 300)
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps/stackmap.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

/* ---- the kernel side ---- */

static int k_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		    uint64_t extra)
{
	return kernel_map_create(type, ks, vs, max, flags, extra, 0);
}

static int k_batch(int cmd, int fd, void *keys, void *values, uint32_t *count)
{
	uint64_t token = 0;
	return kernel_map_batch(cmd, fd, NULL, &token, keys, values, count, 0);
}

static int u_batch(int cmd, int fd, void *keys, void *values, uint32_t *count)
{
	uint32_t token = 0;
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

/* ---- programs ---- */

/* Room for bpf_get_stack: the most frames a stack holds. */
#define STACK_BYTES (STACKMAP_MAX_DEPTH * 8)

/*
 * Kernel: ctx = { stackid flags, get_stack flags }. Element 0 of the
 * out array gets { get_stack's r0, get_stackid's r0, the ips }.
 */
static const char kernel_prog[] =
	"r6 = r1\n"
	"*(u32 *)(r10 - 4) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r7 = r0\n"
	"r1 = r6\n"
	"r2 = r7\n"
	"r2 += 16\n"
	"r3 = %u\n"
	"r4 = *(u64 *)(r6 + 8)\n"
	"call bpf_get_stack\n"
	"*(u64 *)(r7 + 0) = r0\n"
	"r1 = r6\n"
	"r2 = map[fd:%d]\n"
	"r3 = *(u64 *)(r6 + 0)\n"
	"call bpf_get_stackid\n"
	"*(u64 *)(r7 + 8) = r0\n"
	"r0 = 0\n"
	"exit\n"
	"fail:\n"
	"r0 = 1\n"
	"exit\n";

/* uebpf: r0 = bpf_get_stackid(ctx, map, r2). */
static const char uebpf_prog[] =
	"r3 = r2\n"
	"r2 = map[fd:%d]\n"
	"call bpf_get_stackid\n"
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

struct progs {
	int out_fd, prog_fd;     /* kernel */
	struct uebpf_code *code; /* uebpf */
};

static int progs_open(struct progs *p, int kfd, int ufd)
{
	char text[2048];
	struct uebpf_insn *insns;
	size_t cnt;
	p->prog_fd = -1;
	p->code = NULL;
	p->out_fd = k_create(BPF_MAP_TYPE_ARRAY, 4, 16 + STACK_BYTES, 1, 0, 0);
	if (p->out_fd < 0)
		return -1;
	snprintf(text, sizeof(text), kernel_prog, p->out_fd, STACK_BYTES, kfd);
	if (assemble(text, &insns, &cnt))
		return -1;
	p->prog_fd = kernel_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, cnt, vlog,
				      sizeof(vlog), 1);
	free(insns);
	if (p->prog_fd < 0) {
		printf("kernel program refused (%d): %s\n", p->prog_fd, vlog);
		return -1;
	}
	snprintf(text, sizeof(text), uebpf_prog, ufd);
	if (assemble(text, &insns, &cnt))
		return -1;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
				      .err_size = sizeof(errbuf) };
	int rc = uebpf_code_load(vm, insns, cnt, &lo, &p->code);
	free(insns);
	if (rc)
		printf("uebpf_code_load: %s\n", errbuf);
	return rc;
}

static void progs_close(struct progs *p)
{
	if (p->prog_fd >= 0)
		close(p->prog_fd);
	if (p->out_fd >= 0)
		close(p->out_fd);
	uebpf_code_free(p->code);
}

/* The stack the uebpf side sees: what the kernel's program saw. */
static struct {
	uint64_t ips[2 * STACKMAP_MAX_DEPTH + 256];
	int n;
} replay;

static int replay_source(struct uebpf_exec *exec, int user, uint64_t *ips, uint32_t max,
			 void *ctx)
{
	uint32_t n = (uint32_t)replay.n < max ? (uint32_t)replay.n : max;
	memcpy(ips, replay.ips, n * sizeof(*ips));
	return (int)n;
}

/*
 * Runs both programs with these get_stackid flags: the kernel's first,
 * then uebpf's on the kernel's stack. Returns 0 with both r0 values, or
 * -1 when a run itself failed.
 */
static int run_programs(struct progs *p, uint64_t flags, int checked, int64_t *kid,
			int64_t *uid)
{
	static uint8_t out[16 + STACK_BYTES];
	uint32_t skip = (uint32_t)(flags & 0xff), zero = 0;
	uint64_t ctx[2] = { flags, skip | (flags & BPF_F_USER_STACK) };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)p->prog_fd;
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = sizeof(ctx);
	if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0 || a.test.retval != 0 ||
	    kernel_map_elem(BPF_MAP_LOOKUP_ELEM, p->out_fd, &zero, out, 0))
		return -1;
	int64_t got;
	memcpy(&got, out, 8);
	memcpy(kid, out + 8, 8);
	/* The stack bpf_get_stack saw after skipping; when it had fewer
	 * frames than skip, any shorter stack does for the replay. */
	replay.n = got >= 0 ? (int)skip + (int)(got / 8) : skip ? (int)skip - 1 : 0;
	for (uint32_t i = 0; i < skip && i < (uint32_t)replay.n; i++)
		replay.ips[i] = 0xdead0000 + i; /* the skipped frames */
	if (got > 0)
		memcpy(replay.ips + skip, out + 16, (size_t)got);
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked, .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	uint64_t r0 = 0;
	if (uebpf_code_run(p->code, 0, flags, &o, &r0)) {
		printf("uebpf run: %s\n", errbuf);
		return -1;
	}
	*uid = (int64_t)r0;
	return 0;
}

/* ---- one sequence ---- */

struct shape {
	uint32_t key_size, value_size, max_entries, flags;
	uint64_t map_extra;
};

static struct {
	const char *what;
	int rc;
	unsigned n;
} seen[64];
static unsigned long steps_compared;

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

static void report(int seq, const struct shape *s, int step, const char *what, long long krc,
		   long long urc)
{
	CHECK_REPORT(0, "sequence %d (value_size %u, max %u, flags 0x%x), step %d %s: "
		     "kernel %lld, uebpf %lld%s", seq, s->value_size, s->max_entries, s->flags,
		     step, what, krc, urc, krc == urc ? " (different outputs)" : "");
}

static uint32_t n_buckets_of(uint32_t max)
{
	uint32_t n = 1;
	while (n < max)
		n <<= 1;
	return n;
}

/* Random get_stackid flags: skips, user stacks, the comparison flags,
 * now and then bits the helper refuses. */
static uint64_t random_stackid_flags(void)
{
	uint64_t f, user = below(5) == 0;
	static const uint64_t big_skips[] = { 7, 8, 10, 20, 126, 127, 200, 255 };
	if (user)
		f = BPF_F_USER_STACK | (below(4) ? 0 : below(3));
	else
		f = below(10) ? 1 + below(4) : big_skips[below(8)];
	if (below(3) == 0)
		f |= BPF_F_REUSE_STACKID;
	if (below(4) == 0)
		f |= BPF_F_FAST_STACK_CMP;
	if (below(30) == 0) {
		static const uint64_t bad[] = { BPF_F_USER_BUILD_ID, 1ull << 12, 1ull << 32,
						1ull << 63 };
		f |= bad[below(4)];
	}
	return f;
}

static int run_sequence(int seq, const struct shape *s, int kfd, int ufd, int steps)
{
	const uint32_t vs = s->value_size, nb = n_buckets_of(s->max_entries);
	uint8_t *kval = malloc(vs + 8), *uval = malloc(vs + 8);
	struct progs p;
	int have_progs = progs_open(&p, kfd, ufd) == 0;
	uint32_t known[16] = { 0 }; /* ids programs returned */
	unsigned n_known = 0;
	int failed = 0;

	for (int step = 0; step < steps && !failed; step++) {
		const char *what = "";
		long long krc = 0, urc = 0;
		int cmp_value = 0, outputs_differ = 0;
		memset(kval, 0xaa, vs);
		memset(uval, 0xaa, vs);
		/* An id: one a program returned, any bucket, or out of range. */
		uint32_t id;
		unsigned r = below(10);
		if (r < 5 && n_known)
			id = known[below(n_known)];
		else if (r < 9)
			id = below(nb);
		else
			id = below(2) ? nb + below(4) : 0xffffffffu - below(2);
		const uint32_t *key = below(40) ? &id : NULL;
		unsigned op = below(100);
		if (op < 35 && have_progs) {
			uint64_t flags = random_stackid_flags();
			int64_t kid = 0, uid = 0;
			what = "get_stackid";
			if (run_programs(&p, flags, (int)below(2), &kid, &uid)) {
				CHECK_REPORT(0, "sequence %d step %d: a program run failed", seq, step);
				failed = 1;
				break;
			}
			krc = kid;
			urc = uid;
			if (kid >= 0 && n_known < 16)
				known[n_known++] = (uint32_t)kid;
			count(what, kid >= 0 ? 0 : (int)kid);
		} else if (op < 55) {
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_elem(ufd, key, uval);
			cmp_value = 1;
		} else if (op < 67) {
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, key);
		} else if (op < 75) {
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, key, kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, key, uval);
			cmp_value = 1;
		} else if (op < 80) {
			static const uint64_t uflags[] = { BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK, 8 };
			uint64_t f = uflags[below(5)];
			what = "update";
			memset(kval, 0x11, vs);
			memset(uval, 0x11, vs);
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, key, kval, f);
			urc = uebpf_map_update_elem(ufd, key, uval, f);
		} else if (op < 93) {
			uint32_t knext = 0x5a5a5a5a, unext = 0x5a5a5a5a;
			what = key ? "get_next_key" : "get_next_key(NULL)";
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, key, &knext, 0);
			urc = uebpf_map_get_next_key(ufd, key, &unext);
			outputs_differ = knext != unext;
		} else if (op < 95) {
			uint64_t f = below(2) ? BPF_F_LOCK : 0;
			what = "lookup(F_LOCK)";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, key, kval, f);
			urc = uebpf_map_lookup_elem_flags(ufd, key, uval, f);
			cmp_value = 1;
		} else if (op < 99) {
			static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
						    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH };
			unsigned c = below(4);
			uint32_t kcount = 1, ucount = 1, keys[2] = { id, 0 };
			what = "batch";
			krc = k_batch(cmds[c], kfd, keys, kval, &kcount);
			urc = u_batch(cmds[c], ufd, keys, uval, &ucount);
			outputs_differ = kcount != ucount;
		} else {
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
		}
		if (strcmp(what, "get_stackid"))
			count(what, (int)krc);
		int same = krc == urc && !outputs_differ;
		if (same && cmp_value)
			same = memcmp(kval, uval, vs) == 0;
		if (!same) {
			report(seq, s, step, what, krc, urc);
			failed = 1;
		}
		steps_compared++;
	}

	/* Both walks give the same ids, and every trace is the same. */
	uint32_t kkey = 0, ukey = 0;
	int first = 1;
	for (uint64_t n = 0; !failed && n <= nb; n++) {
		uint32_t knext = 0, unext = 0;
		int krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, first ? NULL : &kkey, &knext, 0);
		int urc = uebpf_map_get_next_key(ufd, first ? NULL : &ukey, &unext);
		if (krc != urc || knext != unext) {
			report(seq, s, steps + (int)n, "final walk", krc, urc);
			failed = 1;
			break;
		}
		if (krc)
			break;
		first = 0;
		kkey = knext;
		ukey = unext;
		memset(kval, 0xaa, vs);
		memset(uval, 0xaa, vs);
		krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &kkey, kval, 0);
		urc = uebpf_map_lookup_elem(ufd, &ukey, uval);
		if (krc != urc || memcmp(kval, uval, vs)) {
			report(seq, s, steps + (int)n, "final lookup", krc, urc);
			failed = 1;
		}
	}
	if (have_progs || p.out_fd >= 0)
		progs_close(&p);
	free(kval);
	free(uval);
	return failed ? -1 : 0;
}

/* Random creation attributes, mostly valid. */
static struct shape random_shape(void)
{
	static const uint32_t max_entries[] = { 1, 2, 3, 4, 5, 7, 8, 16, 33, 64 };
	static const uint32_t good_flags[] = { BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_WRONLY };
	static const uint32_t bad_flags[] = {
		BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED,
		BPF_F_MMAPABLE, BPF_F_INNER_MAP, BPF_F_NO_COMMON_LRU, 1u << 20, 1u << 31,
	};
	struct shape s = { 4, 0, 0, 0, 0 };
	int build_id = below(5) == 0;
	if (build_id) {
		s.flags = BPF_F_STACK_BUILD_ID;
		s.value_size = 32 * (1 + below(4));
	} else {
		s.value_size = 8 * (1 + below(below(3) ? 8 : 127));
	}
	s.max_entries = max_entries[below(sizeof(max_entries) / 4)];
	switch (below(30)) {
	case 0: { /* value sizes at and past the limits */
		static const uint32_t sizes[] = { 0, 4, 12, 1016, 1020, 1024, 40, 48, 127 * 32,
						  128 * 32 };
		s.value_size = sizes[below(10)];
		break;
	}
	case 1:
		s.key_size = below(2) ? 8 : below(2);
		break;
	case 2:
		s.max_entries = 0;
		break;
	case 3: /* past 2^31 buckets */
		s.max_entries = below(2) ? (1u << 31) + 1 + below(1000) : 0xffffffffu;
		break;
	case 4: /* several wrong at once: which errno wins */
		s.max_entries = below(2) ? 0 : 0xffffffffu;
		s.value_size = below(2) ? 12 : 8;
		s.flags |= bad_flags[below(sizeof(bad_flags) / 4)];
		break;
	default:
		break;
	}
	if (below(4) == 0)
		s.flags |= good_flags[below(sizeof(good_flags) / 4)];
	if (below(10) == 0)
		s.flags |= good_flags[below(sizeof(good_flags) / 4)];
	if (below(12) == 0)
		s.flags |= bad_flags[below(sizeof(bad_flags) / 4)];
	if (below(40) == 0)
		s.map_extra = 1;
	return s;
}

static int run_seed(uint64_t seed, int sequences, int *created, int *refused)
{
	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		struct shape s = random_shape();
		int kfd = k_create(BPF_MAP_TYPE_STACK_TRACE, s.key_size, s.value_size,
				   s.max_entries, s.flags, s.map_extra);
		if (kernel_bpf_refused(kfd)) {
			printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-kfd));
			return KERNEL_TEST_SKIP;
		}
		struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = s.flags,
						      .map_extra = s.map_extra };
		int ufd = uebpf_map_create(BPF_MAP_TYPE_STACK_TRACE, "stackdiff", s.key_size,
					   s.value_size, s.max_entries, &opts);
		check_current = "create";
		CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
			     "seed 0x%" PRIx64 " sequence %d: create key_size %u value_size %u max %u "
			     "flags 0x%x extra %" PRIu64 ": kernel %d, uebpf %d", seed, seq,
			     s.key_size, s.value_size, s.max_entries, s.flags, s.map_extra,
			     kfd >= 0 ? 0 : kfd, ufd >= 0 ? 0 : ufd);
		if (kfd >= 0 && ufd >= 0) {
			check_current = "sequence";
			run_sequence(seq, &s, kfd, ufd, 100);
			++*created;
		} else {
			++*refused;
		}
		if (kfd >= 0)
			close(kfd);
		if (ufd >= 0)
			uebpf_map_close(ufd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const uint64_t seeds[] = { 0x57ac, 0x1d5, 0xb0117, 0x5eed5 };
	int sequences = argc > 1 ? atoi(argv[1]) : 300;
	int created = 0, refused = 0;

	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	stack_source_set(replay_source, NULL, NULL, NULL);
	for (size_t i = 0; i < (argc > 2 ? 1 : sizeof(seeds) / sizeof(seeds[0])); i++) {
		uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : seeds[i];
		if (run_seed(seed, sequences, &created, &refused) == KERNEL_TEST_SKIP)
			return KERNEL_TEST_SKIP;
	}
	stack_source_set(NULL, NULL, NULL, NULL);
	uebpf_vm_free(vm);
	printf("%d sequences (%lu steps) compared with the kernel, %d creations refused by both\n",
	       created, steps_compared, refused);
	for (unsigned i = 0; i < sizeof(seen) / sizeof(seen[0]) && seen[i].what; i++)
		printf("  %-24s %4d (%s): %u\n", seen[i].what, seen[i].rc,
		       seen[i].rc ? strerror(-seen[i].rc) : "ok", seen[i].n);
	return check_summary("stackmap_kernel_diff_test");
}
