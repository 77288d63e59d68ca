/* SPDX-License-Identifier: MIT */
/*
 * Perf event arrays against the kernel.
 *
 * 1. Random creation attributes: created or refused alike, same errno.
 * 2. Seeded random sequences of syscall commands on a kernel
 *    PERF_EVENT_ARRAY (values: perf event fds from perf_event_open) and on
 *    a uebpf one (values: uebpf_perf_event_open fds), with the wrong kinds
 *    of fds, flags, indices, NULL keys, fd modes and freezing: the same
 *    return code at each step, then the same slots occupied.
 * 3. Programs: the same instructions run by BPF_PROG_TEST_RUN (raw_tp, on
 *    a chosen CPU) into PERF_COUNT_SW_BPF_OUTPUT events with mmapped rings,
 *    and by uebpf (thread pinned to that CPU) into uebpf rings, doing
 *    bpf_perf_event_output with random flags, indices and sizes, while the
 *    test consumes from both rings alike: the same return codes, the same
 *    data_head, and the same bytes in the whole data area of each ring
 *    (records, padding left as it was, LOST records; only the LOST
 *    records' event id differs).
 *
 *   perf_event_array_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Skips (exit 77) where bpf() or perf_event_open() is not permitted.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/perf_buffer.h"
#include "uebpf/uebpf.h"

static int ncpus;

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

/* A PERF_COUNT_SW_BPF_OUTPUT event on cpu, as libbpf's perf buffer opens
 * them. */
static int k_perf_event(int cpu)
{
	struct perf_event_attr at;
	memset(&at, 0, sizeof(at));
	at.size = sizeof(at);
	at.type = PERF_TYPE_SOFTWARE;
	at.config = PERF_COUNT_SW_BPF_OUTPUT;
	at.sample_type = PERF_SAMPLE_RAW;
	at.sample_period = 1;
	at.wakeup_events = 1;
	int fd = (int)syscall(__NR_perf_event_open, &at, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int u_create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, uint64_t extra)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags,
					   .map_extra = extra };
	return uebpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "pea_diff", ks, vs, max, &o);
}

/* ---- 1. creation ---- */

static void test_creation(int rounds)
{
	static const uint32_t sizes[] = { 4, 4, 4, 4, 0, 1, 2, 8, 3, 16 };
	static const uint32_t maxes[] = { 1, 2, 4, 64, 1000, 0 };
	static const uint32_t flag_bits[] = {
		BPF_F_NO_PREALLOC, BPF_F_NO_COMMON_LRU, BPF_F_NUMA_NODE, BPF_F_RDONLY,
		BPF_F_WRONLY, BPF_F_STACK_BUILD_ID, BPF_F_ZERO_SEED, BPF_F_RDONLY_PROG,
		BPF_F_WRONLY_PROG, BPF_F_CLONE, BPF_F_MMAPABLE, BPF_F_PRESERVE_ELEMS,
		BPF_F_INNER_MAP, 1u << 19, 1u << 25,
	};
	int same = 0;
	check_current = "creation";
	for (int i = 0; i < rounds; i++) {
		uint32_t ks = sizes[below(10)], vs = sizes[below(10)];
		uint32_t max = maxes[below(6)], flags = 0;
		uint64_t extra = below(10) == 0;
		for (unsigned n = below(3); n; n--)
			flags |= flag_bits[below(sizeof(flag_bits) / sizeof(flag_bits[0]))];
		int kfd = k_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, ks, vs, max, flags, extra);
		int ufd = u_create(ks, vs, max, flags, extra);
		int ok = (kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd);
		CHECK_REPORT(ok, "create key %u value %u max %u flags 0x%x extra %" PRIu64
			     ": kernel %d, uebpf %d", ks, vs, max, flags, extra, kfd >= 0 ? 0 : kfd,
			     ufd >= 0 ? 0 : ufd);
		same += ok;
		if (kfd >= 0)
			close(kfd);
		if (ufd >= 0)
			uebpf_map_close(ufd);
	}
	printf("creation: %d random attribute sets, %d alike\n", rounds, same);
}

/* ---- 2. syscall sequences ---- */

/* The values update is given, one set per side: events, then fds that
 * are not events. */
enum { V_EVENT0, V_EVENT1, V_EVENT2, V_CLOSED, V_MINUS1, V_MAP, V_FILE, V_PIPE, V_STDIN,
       V_KINDS };

struct side {
	int map;
	int v[V_KINDS];
};

static void side_open(struct side *s, int kernel, int map, int other_map, int file, int pipe_fd)
{
	s->map = map;
	for (int i = 0; i < 3; i++)
		s->v[V_EVENT0 + i] = kernel ? k_perf_event(i % ncpus)
					    : uebpf_perf_event_open(i % ncpus, 1);
	s->v[V_CLOSED] = 1000 + kernel; /* not open */
	s->v[V_MINUS1] = -1;
	s->v[V_MAP] = other_map;
	s->v[V_FILE] = file;
	s->v[V_PIPE] = pipe_fd;
	s->v[V_STDIN] = 0;
}

static void side_close(struct side *s)
{
	for (int i = 0; i < 3; i++)
		if (s->v[V_EVENT0 + i] >= 0)
			close(s->v[V_EVENT0 + i]);
}

static long syscall_steps;

static int run_sequence(int seq, int steps)
{
	static const uint32_t maxes[] = { 1, 2, 3, 4, 8 };
	static const uint32_t mode_flags[] = { 0, 0, 0, 0, BPF_F_RDONLY, BPF_F_WRONLY,
					       BPF_F_PRESERVE_ELEMS, BPF_F_NUMA_NODE };
	uint32_t max = maxes[below(5)], flags = mode_flags[below(8)];
	int kfd = k_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, max, flags, 0);
	int ufd = u_create(4, 4, max, flags, 0);
	if (kfd < 0 || ufd < 0) {
		CHECK_REPORT(0, "sequence %d: create max %u flags 0x%x: kernel %d, uebpf %d", seq,
			     max, flags, kfd, ufd);
		return -1;
	}
	int k_other = k_create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0);
	int u_other = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "other", 4, 4, 1, NULL);
	char tmpl[] = "/tmp/pea-diff-XXXXXX";
	int file = mkstemp(tmpl);
	unlink(tmpl);
	int pipefd[2] = { -1, -1 };
	if (pipe(pipefd))
		pipefd[0] = -1;
	struct side k, u;
	side_open(&k, 1, kfd, k_other, file, pipefd[0]);
	side_open(&u, 0, ufd, u_other, file, pipefd[0]);
	int failed = 0;
	int frozen_at = below(5) == 0 ? (int)below((unsigned)steps) : -1;

	for (int step = 0; step < steps && !failed; step++) {
		uint32_t key = below(max + 3), knext = 77, unext = 77, kval = 0, uval = 0;
		const char *what = "";
		int krc = 0, urc = 0, cmp_next = 0;
		unsigned op = step == frozen_at ? 100 : below(20);
		switch (op) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6: {
			static const uint64_t fl[] = { 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 8 };
			uint64_t f = fl[below(12)];
			unsigned kind = below(3) ? below(3) : below(V_KINDS);
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, &key, &k.v[kind], f);
			urc = uebpf_map_update_elem(ufd, &key, &u.v[kind], f);
			break;
		}
		case 7: case 8: case 9: case 10:
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, &key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, &key);
			break;
		case 11: case 12:
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &key, &kval, 0);
			urc = uebpf_map_lookup_elem(ufd, &key, &uval);
			break;
		case 13: case 14: {
			int null_key = below(3) == 0;
			what = null_key ? "get_next_key (first)" : "get_next_key";
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, null_key ? NULL : &key, &knext, 0);
			urc = uebpf_map_get_next_key(ufd, null_key ? NULL : &key, &unext);
			cmp_next = 1;
			break;
		}
		case 15:
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, &key, &kval, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, &key, &uval);
			break;
		case 16: {
			unsigned which = below(4);
			what = which == 0 ? "update, NULL key" : which == 1 ? "update, NULL value"
				 : which == 2 ? "delete, NULL key" : "lookup, NULL key";
			if (which == 0) {
				krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, NULL, &k.v[0], 0);
				urc = uebpf_map_update_elem(ufd, NULL, &u.v[0], 0);
			} else if (which == 1) {
				krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, &key, NULL, 0);
				urc = uebpf_map_update_elem(ufd, &key, NULL, 0);
			} else if (which == 2) {
				krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, NULL, NULL, 0);
				urc = uebpf_map_delete_elem(ufd, NULL);
			} else {
				krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, &kval, 0);
				urc = uebpf_map_lookup_elem(ufd, NULL, &uval);
			}
			break;
		}
		case 17: {
			static const uint64_t fl[] = { BPF_F_LOCK, 1, 2, 8 };
			uint64_t f = fl[below(4)];
			what = "lookup with flags";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &key, &kval, f);
			urc = uebpf_map_lookup_elem_flags(ufd, &key, &uval, f);
			break;
		}
		case 18: case 19: {
			static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_UPDATE_BATCH,
						    BPF_MAP_DELETE_BATCH,
						    BPF_MAP_LOOKUP_AND_DELETE_BATCH };
			static const char *names[] = { "lookup_batch", "update_batch", "delete_batch",
						       "lookup_and_delete_batch" };
			unsigned c = below(4);
			uint32_t keys[2] = { 0, 1 }, kv[2] = { (uint32_t)k.v[0], (uint32_t)k.v[1] };
			uint32_t uv[2] = { (uint32_t)u.v[0], (uint32_t)u.v[1] }, kc = 2, uc = 2;
			uint32_t out = 0;
			what = names[c];
			krc = k_batch(cmds[c], kfd, keys, kv, &kc);
			switch (c) {
			case 0:
				urc = uebpf_map_lookup_batch(ufd, NULL, &out, keys, uv, &uc, NULL);
				break;
			case 1:
				urc = uebpf_map_update_batch(ufd, keys, uv, &uc, NULL);
				break;
			case 2:
				urc = uebpf_map_delete_batch(ufd, keys, &uc, NULL);
				break;
			default:
				urc = uebpf_map_lookup_and_delete_batch(ufd, NULL, &out, keys, uv, &uc,
									NULL);
			}
			break;
		}
		case 100:
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
			break;
		}
		syscall_steps++;
		int same = krc == urc && (!cmp_next || krc || knext == unext);
		if (!same) {
			CHECK_REPORT(0, "sequence %d (max %u, flags 0x%x) step %d %s key %u: kernel %d "
				     "(next %u), uebpf %d (next %u)", seq, max, flags, step, what, key,
				     krc, knext, urc, unext);
			failed = 1;
		}
	}
	/* The same slots are occupied: deleting each tells. */
	for (uint32_t key = 0; key < max && !failed; key++) {
		int krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, &key, NULL, 0);
		int urc = uebpf_map_delete_elem(ufd, &key);
		if (krc != urc) {
			CHECK_REPORT(0, "sequence %d: final delete of %u: kernel %d, uebpf %d", seq, key,
				     krc, urc);
			failed = 1;
		}
	}
	if (!failed)
		CHECK_REPORT(1, "sequence");
	side_close(&k);
	side_close(&u);
	close(kfd);
	close(k_other);
	uebpf_map_close(ufd);
	uebpf_map_close(u_other);
	if (file >= 0)
		close(file);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	return failed ? -1 : 0;
}

/* ---- 3. programs ---- */

#define MAX_DATA 9000
#define VALUE_SIZE (16 + MAX_DATA)

/* r3 = flags and r5 = size from the array's value, the data after them. */
static const char output_prog[] =
	"r6 = r1\n"
	"*(u32 *)(r10 - 4) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r3 = *(u64 *)(r0 + 0)\n"
	"r5 = *(u64 *)(r0 + 8)\n"
	"if r5 > %d goto fail\n"
	"r4 = r0\n"
	"r4 += 16\n"
	"r1 = r6\n"
	"r2 = map[fd:%d]\n"
	"call bpf_perf_event_output\n"
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

/* A ring as the test reads it: the mapping of an event fd. */
struct ring {
	int fd;
	struct perf_event_mmap_page *pg;
	uint8_t *data;
	size_t size;
};

static int ring_open(struct ring *r, int kernel, int cpu, size_t pages)
{
	memset(r, 0, sizeof(*r));
	r->fd = kernel ? k_perf_event(cpu) : uebpf_perf_event_open(cpu, pages);
	if (r->fd < 0)
		return r->fd;
	void *m = mmap(NULL, (1 + pages) * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	r->pg = m;
	r->data = (uint8_t *)m + 4096;
	r->size = pages * 4096;
	return 0;
}

static void ring_close(struct ring *r)
{
	if (r->pg)
		munmap(r->pg, 4096 + r->size);
	if (r->fd >= 0)
		close(r->fd);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static long prog_cases, prog_ok, prog_errors[8], lost_records;

static void count_rc(int rc)
{
	static const int codes[] = { -EINVAL, -E2BIG, -ENOENT, -EOPNOTSUPP, -ENOSPC };
	prog_ok += rc == 0;
	for (int i = 0; i < 5; i++)
		prog_errors[i] += rc == codes[i];
}

/* One seeded setup: a map of m slots, rings of `pages` pages for some of
 * them (one ring may sit in two slots), and `cases` program runs. */
static int run_programs(int seq, int cases)
{
	uint32_t m = 1 + below(4);
	size_t pages = below(3) ? 1 : 2;
	int kfd = k_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, m, 0, 0);
	int ufd = u_create(4, 4, m, 0, 0);
	int karr = k_create(BPF_MAP_TYPE_ARRAY, 4, VALUE_SIZE, 1, 0, 0);
	int uarr = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "args", 4, VALUE_SIZE, 1, NULL);
	struct ring kr[4], ur[4];
	int nrings = 0, failed = 0;
	int slot_ring[4];
	uint8_t *val = calloc(1, VALUE_SIZE);
	/* Which byte offsets of each ring hold a LOST record's id (they
	 * differ: the kernel's event id, uebpf's ring cookie). */
	uint8_t *idmask[4] = { 0 };
	int kprog = -1;
	struct uebpf_code *code = NULL;
	if (kfd < 0 || ufd < 0 || karr < 0 || uarr < 0 || !val) {
		CHECK_REPORT(0, "programs %d: setup failed (%d %d %d %d)", seq, kfd, ufd, karr, uarr);
		failed = 1;
		goto out;
	}
	for (uint32_t i = 0; i < m; i++) {
		unsigned what = below(5);
		slot_ring[i] = -1;
		if (what == 0)
			continue; /* empty */
		if (what == 1 && nrings) {
			slot_ring[i] = (int)below((unsigned)nrings); /* shared */
		} else {
			/* Mostly as a perf buffer does: slot i for CPU i. */
			int cpu = (int)(below(3) ? i % (uint32_t)ncpus : below((unsigned)ncpus));
			int ke = ring_open(&kr[nrings], 1, cpu, pages);
			int ue = ring_open(&ur[nrings], 0, cpu, pages);
			if (ke || ue) {
				CHECK_REPORT(0, "programs %d: rings: kernel %d, uebpf %d", seq, ke, ue);
				if (!ke)
					ring_close(&kr[nrings]);
				if (!ue)
					ring_close(&ur[nrings]);
				failed = 1;
				goto out;
			}
			idmask[nrings] = calloc(1, pages * 4096);
			slot_ring[i] = nrings++;
		}
		if (kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, &i, &kr[slot_ring[i]].fd, 0) ||
		    uebpf_map_update_elem(ufd, &i, &ur[slot_ring[i]].fd, 0)) {
			CHECK_REPORT(0, "programs %d: putting ring %d in slot %u", seq, slot_ring[i], i);
			failed = 1;
			goto out;
		}
	}
	char text[2048];
	struct uebpf_insn *insns;
	size_t cnt;
	snprintf(text, sizeof(text), output_prog, karr, MAX_DATA, kfd);
	if (assemble(text, &insns, &cnt)) {
		failed = 1;
		goto out;
	}
	kprog = kernel_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, cnt, vlog, sizeof(vlog), 1);
	free(insns);
	snprintf(text, sizeof(text), output_prog, uarr, MAX_DATA, ufd);
	if (kprog < 0 || assemble(text, &insns, &cnt)) {
		CHECK_REPORT(0, "programs %d: kernel load %d: %s", seq, kprog, vlog);
		failed = 1;
		goto out;
	}
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
				      .err_size = sizeof(errbuf) };
	if (uebpf_code_load(vm, insns, cnt, &lo, &code)) {
		CHECK_REPORT(0, "programs %d: uebpf load: %s", seq, errbuf);
		free(insns);
		failed = 1;
		goto out;
	}
	free(insns);

	const size_t dsize = pages * 4096;
	for (int c = 0; c < cases && !failed; c++) {
		int cpu = (int)below((unsigned)ncpus);
		uint64_t flags, size;
		switch (below(10)) {
		case 0: case 1: case 2: case 3:
			flags = BPF_F_CURRENT_CPU;
			break;
		case 4: case 5: case 6:
			flags = below(m + 2);
			break;
		case 7:
			flags = below(2) ? 0xfffffffeull : 0x80000000ull;
			break;
		case 8:
			flags = (1ull << (32 + below(32))) | below(m);
			break;
		default:
			flags = below(2) ? BPF_F_CURRENT_CPU | 1ull << 32 : rnd() % m;
		}
		switch (below(8)) {
		case 0:
			size = below(9);
			break;
		case 1:
			/* Near the ring's size: fits an empty ring or not. */
			size = dsize - 28 + below(24);
			break;
		case 2:
			size = below(MAX_DATA + 1);
			break;
		default:
			size = below(300);
		}
		/* Often: a record that just fits, or just does not, in the free
		 * space of the ring the flags name (a LOST record may come
		 * first). */
		uint64_t target = flags == BPF_F_CURRENT_CPU ? (uint64_t)cpu : flags;
		if (target < m && slot_ring[target] >= 0 && below(3) == 0) {
			const struct ring *tr = &kr[slot_ring[target]];
			uint64_t free_space = (tr->pg->data_tail - tr->pg->data_head - 1) & (dsize - 1);
			int64_t rec = (int64_t)(free_space & ~7ull) - 24 + 8 * (int)below(5);
			size = rec < 16 ? below(8) : (uint64_t)rec - 12 - below(8);
		}
		if (size > MAX_DATA)
			size = MAX_DATA;
		memcpy(val, &flags, 8);
		memcpy(val + 8, &size, 8);
		for (size_t b = 0; b < size; b++)
			val[16 + b] = (uint8_t)rnd();
		uint32_t zero = 0;
		if (kernel_map_elem(BPF_MAP_UPDATE_ELEM, karr, &zero, val, 0) ||
		    uebpf_map_update_elem(uarr, &zero, val, 0)) {
			CHECK_REPORT(0, "programs %d: setting the arguments", seq);
			failed = 1;
			break;
		}
		uint64_t kheads[4];
		for (int r = 0; r < nrings; r++)
			kheads[r] = kr[r].pg->data_head;
		/* The kernel on cpu, uebpf pinned to it. */
		uint64_t args[2] = { 0, 0 };
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)kprog;
		a.test.ctx_in = (uintptr_t)args;
		a.test.ctx_size_in = sizeof(args);
		a.test.flags = BPF_F_TEST_RUN_ON_CPU;
		a.test.cpu = (uint32_t)cpu;
		int krun = kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0 ? -errno : 0;
		int krc = (int)a.test.retval;
		pin_cpu(cpu);
		struct uebpf_run_opts ro = { .sz = sizeof(ro), .checked = below(2),
					     .err_buf = errbuf, .err_size = sizeof(errbuf) };
		uint64_t r0 = 0;
		int urun = uebpf_code_run(code, 0, 0, &ro, &r0);
		int urc = (int)r0;
		int where = sched_getcpu();
		prog_cases++;
		count_rc(krc);
		if (krun || urun || where != cpu) {
			CHECK_REPORT(0, "programs %d case %d: runs: kernel %d, uebpf %d (%s), on cpu %d "
				     "not %d", seq, c, krun, urun, urun ? errbuf : "", where, cpu);
			failed = 1;
			break;
		}
		if (krc != urc) {
			CHECK_REPORT(0, "programs %d (slots %u, pages %zu) case %d: cpu %d flags 0x%" PRIx64
				     " size %" PRIu64 ": kernel %d, uebpf %d", seq, m, pages, c, cpu,
				     flags, size, krc, urc);
			failed = 1;
			break;
		}
		for (int r = 0; r < nrings && !failed; r++) {
			uint64_t kh = kr[r].pg->data_head, uh = ur[r].pg->data_head;
			if (kh != uh) {
				CHECK_REPORT(0, "programs %d case %d ring %d: data_head kernel %" PRIu64
					     ", uebpf %" PRIu64, seq, c, r, kh, uh);
				failed = 1;
				break;
			}
			/* Mark where LOST ids were written, unmark what else was. */
			for (uint64_t p = kheads[r]; p < kh;) {
				struct perf_event_header h;
				for (int b = 0; b < 8; b++)
					((uint8_t *)&h)[b] = kr[r].data[(p + b) % dsize];
				if (h.size < 8)
					break;
				uint64_t written = h.size;
				if (h.type == PERF_RECORD_SAMPLE)
					written = 12 + size; /* padding is not written */
				for (uint64_t b = 0; b < written; b++)
					idmask[r][(p + b) % dsize] = 0;
				if (h.type == PERF_RECORD_LOST) {
					lost_records++;
					for (int b = 8; b < 16; b++)
						idmask[r][(p + b) % dsize] = 1;
				}
				p += h.size;
			}
			for (size_t b = 0; b < dsize; b++) {
				if (idmask[r][b] || kr[r].data[b] == ur[r].data[b])
					continue;
				CHECK_REPORT(0, "programs %d case %d ring %d: byte %zu of the data: "
					     "kernel 0x%02x, uebpf 0x%02x (head %" PRIu64 ")", seq, c,
					     r, b, kr[r].data[b], ur[r].data[b], kh);
				failed = 1;
				break;
			}
		}
		/* The reader: now and then, drain a ring or read a few records
		 * (the same on both), or set any tail at all. */
		for (int r = 0; r < nrings && !failed; r++) {
			unsigned how = below(8);
			uint64_t head = kr[r].pg->data_head, tail = kr[r].pg->data_tail;
			if (how == 0) {
				tail = head;
			} else if (how == 1) {
				for (unsigned n = 1 + below(4); n && tail < head; n--) {
					uint16_t rs;
					rs = (uint16_t)(kr[r].data[(tail + 6) % dsize] |
							kr[r].data[(tail + 7) % dsize] << 8);
					if (rs < 8)
						break;
					tail += rs;
				}
			} else if (how == 2 && below(8) == 0) {
				tail = head - below((unsigned)dsize); /* not on a record */
			} else {
				continue;
			}
			__atomic_store_n(&kr[r].pg->data_tail, tail, __ATOMIC_RELEASE);
			__atomic_store_n(&ur[r].pg->data_tail, tail, __ATOMIC_RELEASE);
		}
	}
out:
	if (code)
		uebpf_code_free(code);
	if (kprog >= 0)
		close(kprog);
	for (int r = 0; r < nrings; r++) {
		ring_close(&kr[r]);
		ring_close(&ur[r]);
		free(idmask[r]);
	}
	free(val);
	if (kfd >= 0)
		close(kfd);
	if (ufd >= 0)
		uebpf_map_close(ufd);
	if (karr >= 0)
		close(karr);
	if (uarr >= 0)
		uebpf_map_close(uarr);
	if (!failed)
		CHECK_REPORT(1, "programs");
	return failed ? -1 : 0;
}

/* Where uebpf knowingly differs: printed, not failed (see the report). */
static void known_differences(void)
{
	int kfd = k_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0, 0);
	int ufd = u_create(4, 4, 2, 0, 0);
	uint32_t key = 0;
	int krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &key, NULL, 0);
	int urc = uebpf_map_lookup_elem(ufd, &key, NULL);
	printf("note: lookup with a NULL value: kernel %d, uebpf %d%s\n", krc, urc,
	       krc == urc ? "" : " (maps/map.c checks the value pointer before the type's op)");
	close(kfd);
	uebpf_map_close(ufd);
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 200;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e7f;
	ncpus = uebpf_num_possible_cpus();
	if (ncpus > 4)
		ncpus = 4;

	int probe = k_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 1, 0, 0);
	if (kernel_bpf_refused(probe)) {
		printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-probe));
		return KERNEL_TEST_SKIP;
	}
	close(probe);
	probe = k_perf_event(0);
	if (probe < 0) {
		printf("SKIP: perf_event_open is not permitted here (%s)\n", strerror(-probe));
		return KERNEL_TEST_SKIP;
	}
	close(probe);
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);

	rng_state = seed;
	test_creation(sequences * 2);

	check_current = "sequences";
	for (int seq = 0; seq < sequences; seq++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		run_sequence(seq, 100);
	}
	printf("syscalls: %d sequences, %ld steps compared with the kernel\n", sequences,
	       syscall_steps);

	check_current = "programs";
	int settings = sequences / 20 > 8 ? sequences / 20 : 8;
	for (int seq = 0; seq < settings; seq++) {
		rng_state = (seed + 0x5bd1e995ull) * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
		run_programs(seq, 150);
	}
	cpu_set_t all;
	CPU_ZERO(&all);
	for (int i = 0; i < uebpf_num_possible_cpus() && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
	printf("programs: %d setups, %ld cases compared with the kernel (0: %ld, EINVAL %ld, "
	       "E2BIG %ld, ENOENT %ld, EOPNOTSUPP %ld, ENOSPC %ld; %ld LOST records)\n", settings,
	       prog_cases, prog_ok, prog_errors[0], prog_errors[1], prog_errors[2],
	       prog_errors[3], prog_errors[4], lost_records);
	known_differences();
	uebpf_vm_free(vm);
	return check_summary("perf_event_array_kernel_diff_test");
}
