/* SPDX-License-Identifier: MIT */
/*
 * Ring buffers against the kernel: the program side.
 *
 * For each sequence, a ring of a random size and one generated program,
 * loaded into the kernel (BPF_PROG_TEST_RUN) and into uebpf with only the
 * map fds differing. The program reads what to do from an array map
 * (the operation and its random sizes, flags and data) and does one of:
 *   - bpf_ringbuf_output of 0..SRC_SIZE bytes with random flags (valid,
 *     both wake-up bits, invalid ones);
 *   - bpf_ringbuf_reserve of one of the sequence's constant sizes (the
 *     verifier wants a constant: 0, odd sizes, sizes about the ring's,
 *     UINT_MAX / 4 and beyond) with random flags, then submit or discard
 *     with random flags;
 *   - two reservations at once, committed in a random order;
 *   - a reservation held while bpf_ringbuf_output runs;
 * and calls bpf_ringbuf_query for every flag (and a random one) after
 * each helper call, storing every result in a second array map. Between
 * runs a consumer reads a random number of records on both sides, as a
 * consumer would (skipping discarded ones), and moves consumer_pos alike.
 *
 * After every run: every helper result, the consumer and producer
 * positions, each record's raw bytes (header: len with the busy and
 * discard bits, pg_off; data) and the whole data area must be identical.
 * The kernel's ring is read by mmap'ing the map fd (consumer page rw at
 * offset 0, producer page and data, mapped twice, read-only after it);
 * uebpf's from the map's memory (maps/map.h).
 *
 *   ringbuf_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Without a seed the sequences are spread over four seeds. Skips (exit
 * 77) where bpf() is not permitted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "maps/map.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/uebpf.h"

#define PAGE 4096u
#define RB_BUSY (1u << 31)
#define RB_DISCARD (1u << 30)
#define SRC_SIZE (65536u + 256u) /* output sources: more than the largest ring */
#define POOL 8                  /* constant reservation sizes per sequence */
#define PAIRS 3
#define HELD 2                  /* reservations held across an output */
#define CHECKPOINTS 4
#define QUERIES 5               /* flags 0..3 and the step's random one */

/* What the program reads: the array map "args", element 0. */
struct args {
	uint64_t op;
	uint64_t out_size, out_flags;
	uint64_t rsv_flags_a, rsv_flags_b;
	uint64_t commit_flags_a, commit_flags_b;
	uint64_t discard_a, discard_b;
	uint64_t order; /* pairs: 1 commits B before A */
	uint64_t query_flag;
	uint64_t pattern_a, pattern_b;
};

/* What it writes: the array map "res", element 0. */
struct results {
	uint64_t ret[4]; /* helper results: output's, reserve's (1: got one) */
	uint64_t q[CHECKPOINTS][QUERIES];
};

enum {
	OP_OUTPUT = 0,
	OP_QUERY = 1,
	OP_SINGLE = 2,                 /* + pool index */
	OP_PAIR = OP_SINGLE + POOL,    /* + pair index */
	OP_HELD = OP_PAIR + PAIRS,     /* + held index */
	OP_COUNT = OP_HELD + HELD,
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- program text ---- */

struct text {
	char buf[1 << 18];
	size_t len;
	int labels;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(t->buf) - t->len)
		t->len += (size_t)n;
	else
		t->len = sizeof(t->buf) - 1; /* the assembler will complain */
}

#define ARG(f) offsetof(struct args, f)
#define RET(i) (offsetof(struct results, ret) + 8 * (i))
#define QRY(cp, i) (offsetof(struct results, q) + 8 * ((cp) * QUERIES + (i)))

/* The maps of one side. */
struct fds {
	int ring, args, res, src;
};

/* Queries every flag, and the step's own, into checkpoint cp. */
static void gen_query(struct text *t, const struct fds *f, int cp)
{
	for (int flag = 0; flag < 4; flag++)
		emit(t, "r1 = map[fd:%d]\nr2 = %d\ncall bpf_ringbuf_query\n"
			"*(u64 *)(r8 + %zu) = r0\n", f->ring, flag, QRY(cp, flag));
	emit(t, "r1 = map[fd:%d]\nr2 = *(u64 *)(r7 + %zu)\ncall bpf_ringbuf_query\n"
		"*(u64 *)(r8 + %zu) = r0\n", f->ring, ARG(query_flag), QRY(cp, 4));
}

/* Reserves size bytes into reg (r9 or r6); ret[slot] = 1 if it got them. */
static void gen_reserve(struct text *t, const struct fds *f, const char *reg, uint64_t size,
			size_t flags_off, int slot)
{
	int l = t->labels++;
	emit(t, "r1 = map[fd:%d]\n", f->ring);
	if (size > INT32_MAX)
		emit(t, "r2 = %" PRIu64 " ll\n", size);
	else
		emit(t, "r2 = %" PRIu64 "\n", size);
	emit(t, "r3 = *(u64 *)(r7 + %zu)\n"
		"call bpf_ringbuf_reserve\n"
		"%s = r0\n"
		"r1 = 0\n"
		"if %s == 0 goto rsv%d\n"
		"r1 = 1\n"
		"rsv%d:\n"
		"*(u64 *)(r8 + %zu) = r1\n", flags_off, reg, reg, l, l, RET(slot));
}

/* Writes the step's pattern into a reservation: its first and last
 * bytes and one in the middle (the rest keeps what the ring held). */
static void gen_fill(struct text *t, const char *reg, uint64_t size, size_t pattern_off)
{
	int l = t->labels++;
	if (size == 0)
		return;
	emit(t, "if %s == 0 goto fill%d\nr1 = *(u64 *)(r7 + %zu)\n", reg, l, pattern_off);
	if (size < 8) {
		for (uint64_t i = 0; i < size; i++)
			emit(t, "*(u8 *)(%s + %" PRIu64 ") = r1\nr1 >>= 8\n", reg, i);
	} else {
		emit(t, "*(u64 *)(%s + 0) = r1\n", reg);
		/* Offsets the verifier can take (the size is tracked as u32). */
		if (size >= 16 && size <= (1u << 20)) {
			/* Past a 16-bit offset through a pointer moved by a
			 * constant. */
			emit(t, "r1 ^= -1\nr2 = %s\nr2 += %" PRIu64 "\n*(u64 *)(r2 + 0) = r1\n", reg,
			     size - 8);
			if (size >= 24)
				emit(t, "r1 += 1\nr2 = %s\nr2 += %" PRIu64 "\n*(u32 *)(r2 + 0) = r1\n",
				     reg, (size / 2) & ~(uint64_t)3);
		}
	}
	emit(t, "fill%d:\n", l);
}

/* Submits or discards the reservation in reg, as the step says. */
static void gen_commit(struct text *t, const char *reg, size_t flags_off, size_t discard_off)
{
	int l = t->labels++;
	emit(t, "if %s == 0 goto cskip%d\n"
		"r1 = %s\n"
		"r2 = *(u64 *)(r7 + %zu)\n"
		"r3 = *(u64 *)(r7 + %zu)\n"
		"if r3 != 0 goto cdisc%d\n"
		"call bpf_ringbuf_submit\n"
		"goto cskip%d\n"
		"cdisc%d:\n"
		"call bpf_ringbuf_discard\n"
		"cskip%d:\n", reg, l, reg, flags_off, discard_off, l, l, l, l);
}

/* bpf_ringbuf_output of out_size bytes of the source map's value;
 * ret[slot] = its result. */
static void gen_output(struct text *t, const struct fds *f, int slot)
{
	int l = t->labels++;
	emit(t, "*(u32 *)(r10 - 4) = 0\n"
		"r1 = map[fd:%d]\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"call bpf_map_lookup_elem\n"
		"if r0 == 0 goto out%d\n"
		"r2 = r0\n"
		"r3 = *(u64 *)(r7 + %zu)\n"
		"if r3 > %u goto out%d\n"
		"r1 = map[fd:%d]\n"
		"r4 = *(u64 *)(r7 + %zu)\n"
		"call bpf_ringbuf_output\n"
		"*(u64 *)(r8 + %zu) = r0\n"
		"out%d:\n", f->src, l, ARG(out_size), SRC_SIZE, l, f->ring, ARG(out_flags),
	     RET(slot), l);
}

/* The sequence's constant sizes. */
struct shape {
	uint32_t ring_size;
	uint64_t pool[POOL];
	int pair[PAIRS][2]; /* pool indices */
	int held[HELD];
};

static void gen_program(struct text *t, const struct fds *f, const struct shape *s)
{
	t->len = 0;
	t->labels = 0;
	/* r7 = args, r8 = results; r9 and r6 hold reservations. */
	emit(t, "*(u32 *)(r10 - 4) = 0\n"
		"r1 = map[fd:%d]\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"call bpf_map_lookup_elem\n"
		"if r0 == 0 goto noargs\n"
		"r7 = r0\n"
		"r1 = map[fd:%d]\n"
		"r2 = r10\n"
		"r2 += -4\n"
		"call bpf_map_lookup_elem\n"
		"if r0 == 0 goto noargs\n"
		"r8 = r0\n"
		"r1 = *(u64 *)(r7 + %zu)\n", f->args, f->res, ARG(op));
	for (int op = 0; op < OP_COUNT; op++)
		emit(t, "if r1 == %d goto op%d\n", op, op);
	emit(t, "goto done\n");

	emit(t, "op%d:\n", OP_OUTPUT);
	gen_output(t, f, 0);
	gen_query(t, f, 0);
	emit(t, "goto done\n");

	emit(t, "op%d:\n", OP_QUERY);
	gen_query(t, f, 0);
	emit(t, "goto done\n");

	for (int k = 0; k < POOL; k++) {
		emit(t, "op%d:\n", OP_SINGLE + k);
		gen_reserve(t, f, "r9", s->pool[k], ARG(rsv_flags_a), 1);
		gen_query(t, f, 0);
		gen_fill(t, "r9", s->pool[k], ARG(pattern_a));
		gen_commit(t, "r9", ARG(commit_flags_a), ARG(discard_a));
		gen_query(t, f, 1);
		emit(t, "goto done\n");
	}
	for (int j = 0; j < PAIRS; j++) {
		uint64_t a = s->pool[s->pair[j][0]], b = s->pool[s->pair[j][1]];
		emit(t, "op%d:\n", OP_PAIR + j);
		gen_reserve(t, f, "r9", a, ARG(rsv_flags_a), 1);
		gen_query(t, f, 0);
		gen_reserve(t, f, "r6", b, ARG(rsv_flags_b), 2);
		gen_query(t, f, 1);
		gen_fill(t, "r9", a, ARG(pattern_a));
		gen_fill(t, "r6", b, ARG(pattern_b));
		emit(t, "r1 = *(u64 *)(r7 + %zu)\nif r1 != 0 goto ba%d\n", ARG(order), j);
		gen_commit(t, "r9", ARG(commit_flags_a), ARG(discard_a));
		gen_query(t, f, 2);
		gen_commit(t, "r6", ARG(commit_flags_b), ARG(discard_b));
		gen_query(t, f, 3);
		emit(t, "goto done\nba%d:\n", j);
		gen_commit(t, "r6", ARG(commit_flags_b), ARG(discard_b));
		gen_query(t, f, 2);
		gen_commit(t, "r9", ARG(commit_flags_a), ARG(discard_a));
		gen_query(t, f, 3);
		emit(t, "goto done\n");
	}
	for (int j = 0; j < HELD; j++) {
		uint64_t a = s->pool[s->held[j]];
		emit(t, "op%d:\n", OP_HELD + j);
		gen_reserve(t, f, "r9", a, ARG(rsv_flags_a), 1);
		gen_query(t, f, 0);
		gen_output(t, f, 0);
		gen_query(t, f, 1);
		gen_fill(t, "r9", a, ARG(pattern_a));
		gen_commit(t, "r9", ARG(commit_flags_a), ARG(discard_a));
		gen_query(t, f, 2);
		emit(t, "goto done\n");
	}
	emit(t, "done:\nr0 = 0\nexit\nnoargs:\nr0 = 1\nexit\n");
}

/* ---- the two sides ---- */

static struct uebpf_vm *vm;
static char errbuf[512];
static char vlog[1 << 22];

struct side {
	struct fds f;
	/* kernel: the program and the mappings; uebpf: the code */
	int prog_fd;
	struct uebpf_code *code;
	_Atomic uint64_t *cons;        /* consumer_pos */
	const _Atomic uint64_t *prod;  /* producer_pos */
	const uint8_t *data;           /* the ring, mapped twice */
	void *k_cons_map, *k_prod_map;
	struct map *map;
	struct uebpf_ringbuf *ring; /* uebpf's consumer, once used */
};

static int k_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	return kernel_map_create(type, ks, vs, max, flags, 0, 0);
}

static int set_elem(int kernel, int fd, const void *value)
{
	uint32_t zero = 0;
	return kernel ? kernel_map_elem(BPF_MAP_UPDATE_ELEM, fd, &zero, (void *)value, 0)
		      : uebpf_map_update_elem(fd, &zero, value, 0);
}

static int get_elem(int kernel, int fd, void *value)
{
	uint32_t zero = 0;
	return kernel ? kernel_map_elem(BPF_MAP_LOOKUP_ELEM, fd, &zero, value, 0)
		      : uebpf_map_lookup_elem(fd, &zero, value);
}

/* Nothing open yet: side_close does nothing. */
static void side_init(struct side *s)
{
	memset(s, 0, sizeof(*s));
	s->prog_fd = s->f.ring = s->f.args = s->f.res = s->f.src = -1;
}

static void side_close(struct side *s, int kernel, uint32_t ring_size)
{
	if (kernel) {
		if (s->prog_fd >= 0)
			close(s->prog_fd);
		if (s->k_cons_map)
			munmap(s->k_cons_map, PAGE);
		if (s->k_prod_map)
			munmap(s->k_prod_map, PAGE + 2 * (size_t)ring_size);
	} else {
		uebpf_ringbuf_free(s->ring);
		uebpf_code_free(s->code);
	}
	int fds[] = { s->f.ring, s->f.args, s->f.res, s->f.src };
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0) {
			if (kernel)
				close(fds[i]);
			else
				uebpf_map_close(fds[i]);
		}
	side_init(s);
}

/* Creates the maps and loads the program; 0 or -1 (reported). */
static int side_open(struct side *s, int kernel, const struct shape *sh, const uint8_t *src)
{
	static struct text t;
	side_init(s);
	const char *who = kernel ? "kernel" : "uebpf";
	if (kernel) {
		s->f.ring = k_create(BPF_MAP_TYPE_RINGBUF, 0, 0, sh->ring_size, 0);
		s->f.args = k_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct args), 1, 0);
		s->f.res = k_create(BPF_MAP_TYPE_ARRAY, 4, sizeof(struct results), 1, 0);
		s->f.src = k_create(BPF_MAP_TYPE_ARRAY, 4, SRC_SIZE, 1, 0);
	} else {
		s->f.ring = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rbdiff", 0, 0, sh->ring_size,
					     NULL);
		s->f.args = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "args", 4, sizeof(struct args),
					     1, NULL);
		s->f.res = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "res", 4, sizeof(struct results),
					    1, NULL);
		s->f.src = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "src", 4, SRC_SIZE, 1, NULL);
	}
	if (s->f.ring < 0 || s->f.args < 0 || s->f.res < 0 || s->f.src < 0) {
		CHECK_REPORT(0, "%s: creating the maps (ring %u): %d %d %d %d", who, sh->ring_size,
			     s->f.ring, s->f.args, s->f.res, s->f.src);
		return -1;
	}
	if (set_elem(kernel, s->f.src, src)) {
		CHECK_REPORT(0, "%s: filling the source", who);
		return -1;
	}

	if (kernel) {
		s->k_cons_map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, s->f.ring, 0);
		s->k_prod_map = mmap(NULL, PAGE + 2 * (size_t)sh->ring_size, PROT_READ, MAP_SHARED,
				     s->f.ring, PAGE);
		if (s->k_cons_map == MAP_FAILED || s->k_prod_map == MAP_FAILED) {
			CHECK_REPORT(0, "kernel: mmap of the ring: %s", strerror(errno));
			if (s->k_cons_map == MAP_FAILED)
				s->k_cons_map = NULL;
			if (s->k_prod_map == MAP_FAILED)
				s->k_prod_map = NULL;
			return -1;
		}
		s->cons = s->k_cons_map;
		s->prod = s->k_prod_map;
		s->data = (const uint8_t *)s->k_prod_map + PAGE;
	} else {
		s->map = map_from_fd(s->f.ring);
		if (!s->map) {
			CHECK_REPORT(0, "uebpf: no map behind fd %d", s->f.ring);
			return -1;
		}
		s->cons = (_Atomic uint64_t *)s->map->data;
		s->prod = (const _Atomic uint64_t *)(s->map->data + PAGE);
		s->data = s->map->data + 2 * PAGE;
	}

	gen_program(&t, &s->f, sh);
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = errbuf,
				     .err_size = sizeof(errbuf) };
	if (uebpf_asm(t.buf, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembler: %s", errbuf);
		return -1;
	}
	int err = 0;
	if (kernel) {
		s->prog_fd = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, cnt, NULL, 0, 0);
		if (s->prog_fd < 0) {
			/* Again with the verifier's log, to say why. */
			kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, cnt, vlog, sizeof(vlog),
					 1);
			size_t l = strlen(vlog);
			CHECK_REPORT(0, "the kernel refuses the program (%s):\n%s",
				     strerror(-s->prog_fd), vlog + (l > 3000 ? l - 3000 : 0));
			err = -1;
		}
	} else {
		struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
					      .err_size = sizeof(errbuf) };
		if (uebpf_code_load(vm, insns, cnt, &lo, &s->code)) {
			CHECK_REPORT(0, "uebpf_code_load: %s", errbuf);
			err = -1;
		}
	}
	free(insns);
	return err;
}

static int run_side(struct side *s, int kernel, int checked)
{
	uint8_t pkt[64] = { 0 };
	if (kernel) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)s->prog_fd;
		a.test.data_in = (uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		a.test.repeat = 1;
		if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0)
			return -errno;
		return (int)a.test.retval;
	}
	uint64_t r0 = 0;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked, .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	int rc = uebpf_code_run(s->code, (uintptr_t)pkt, sizeof(pkt), &o, &r0);
	if (rc) {
		printf("uebpf run: %s\n", errbuf);
		return rc;
	}
	return (int)r0;
}

/* ---- comparing ---- */

struct stats {
	unsigned long long sequences, steps, ops[5], consumed, discarded_seen, wraps;
	unsigned long long out_ok, out_eagain, out_einval, rsv_ok, rsv_null, busy_seen;
	unsigned long long api_consumed;
} st;

static const char *op_name(uint64_t op)
{
	if (op == OP_OUTPUT)
		return "output";
	if (op == OP_QUERY)
		return "query";
	if (op < OP_PAIR)
		return "reserve";
	if (op < OP_HELD)
		return "reserve two";
	return "reserve, output, commit";
}

/* Compares everything; reports the first difference. 0 if identical. */
static int compare(const struct side *k, const struct side *u, uint32_t ring_size,
		   const struct results *kr, const struct results *ur, const char *where)
{
	static const char *qname[QUERIES] = { "AVAIL_DATA", "RING_SIZE", "CONS_POS", "PROD_POS",
					      "the step's flag" };
	for (int i = 0; i < 4; i++)
		if (kr->ret[i] != ur->ret[i]) {
			CHECK_REPORT(0, "%s: helper result %d: kernel 0x%" PRIx64 " (%" PRId64 "), "
				     "uebpf 0x%" PRIx64 " (%" PRId64 ")", where, i, kr->ret[i],
				     (int64_t)kr->ret[i], ur->ret[i], (int64_t)ur->ret[i]);
			return -1;
		}
	for (int cp = 0; cp < CHECKPOINTS; cp++)
		for (int i = 0; i < QUERIES; i++)
			if (kr->q[cp][i] != ur->q[cp][i]) {
				CHECK_REPORT(0, "%s: bpf_ringbuf_query(%s) after helper call %d: "
					     "kernel %" PRIu64 ", uebpf %" PRIu64, where, qname[i],
					     cp, kr->q[cp][i], ur->q[cp][i]);
				return -1;
			}
	uint64_t kc = atomic_load(k->cons), uc = atomic_load(u->cons);
	uint64_t kp = atomic_load(k->prod), up = atomic_load(u->prod);
	if (kc != uc || kp != up) {
		CHECK_REPORT(0, "%s: positions: kernel consumer %" PRIu64 " producer %" PRIu64
			     ", uebpf consumer %" PRIu64 " producer %" PRIu64, where, kc, kp, uc, up);
		return -1;
	}
	/* Record by record, for a precise report. */
	uint64_t mask = ring_size - 1;
	for (uint64_t pos = kc; pos < kp;) {
		const uint8_t *kh = k->data + (pos & mask), *uh = u->data + (pos & mask);
		uint32_t klen, kpg, ulen, upg;
		memcpy(&klen, kh, 4);
		memcpy(&kpg, kh + 4, 4);
		memcpy(&ulen, uh, 4);
		memcpy(&upg, uh + 4, 4);
		if (klen != ulen || kpg != upg) {
			CHECK_REPORT(0, "%s: record at %" PRIu64 " (ring offset %" PRIu64 "): "
				     "header kernel len 0x%08x pg_off %u, uebpf len 0x%08x pg_off %u",
				     where, pos, pos & mask, klen, kpg, ulen, upg);
			return -1;
		}
		st.busy_seen += !!(klen & RB_BUSY);
		uint32_t size = klen & ~(RB_BUSY | RB_DISCARD);
		if (size > ring_size) {
			CHECK_REPORT(0, "%s: record at %" PRIu64 ": impossible size %u", where, pos,
				     size);
			return -1;
		}
		if (memcmp(kh + 8, uh + 8, size)) {
			uint32_t i = 0;
			while (kh[8 + i] == uh[8 + i])
				i++;
			CHECK_REPORT(0, "%s: record at %" PRIu64 " (len 0x%08x): data byte %u: kernel "
				     "0x%02x, uebpf 0x%02x", where, pos, klen, i, kh[8 + i], uh[8 + i]);
			return -1;
		}
		pos += (size + 8 + 7) & ~7ull;
	}
	/* Everything else too: what lies beyond the records was written
	 * by the same earlier steps. */
	if (memcmp(k->data, u->data, ring_size)) {
		uint32_t i = 0;
		while (k->data[i] == u->data[i])
			i++;
		CHECK_REPORT(0, "%s: ring offset %u (consumer %" PRIu64 ", producer %" PRIu64 "): "
			     "kernel 0x%02x, uebpf 0x%02x", where, i, kc, kp, k->data[i], u->data[i]);
		return -1;
	}
	return 0;
}

/* Reads up to n records on both sides as a consumer would, and moves
 * both consumer positions past them. The kernel's ring decides where
 * the records are; uebpf's must hold the same. */
static int consume(struct side *k, struct side *u, uint32_t ring_size, uint64_t n,
		   const char *where)
{
	uint64_t mask = ring_size - 1;
	uint64_t pos = atomic_load(k->cons), prod = atomic_load(k->prod);
	for (uint64_t i = 0; i < n && pos < prod; i++) {
		uint32_t klen, ulen;
		memcpy(&klen, k->data + (pos & mask), 4);
		memcpy(&ulen, u->data + (pos & mask), 4);
		if (klen != ulen) {
			CHECK_REPORT(0, "%s: consuming the record at %" PRIu64 ": len kernel 0x%08x, "
				     "uebpf 0x%08x", where, pos, klen, ulen);
			return -1;
		}
		if (klen & RB_BUSY)
			break; /* not committed: a consumer stops */
		uint32_t size = klen & ~(RB_BUSY | RB_DISCARD);
		if (klen & RB_DISCARD)
			st.discarded_seen++;
		else
			st.consumed++;
		pos += (size + 8 + 7) & ~7ull;
	}
	atomic_store(k->cons, pos);
	atomic_store(u->cons, pos);
	return 0;
}

/* uebpf's own consumer (uebpf_ringbuf_consume) against the kernel's
 * records: the same records, in order, with the same bytes. */
struct expected {
	const struct side *k;
	uint64_t mask;
	uint64_t pos[4096];
	uint32_t size[4096];
	size_t n, seen;
	int bad;
};

static int check_record(void *ctx, void *data, size_t size)
{
	struct expected *e = ctx;
	if (e->seen >= e->n || size != e->size[e->seen] ||
	    memcmp(data, e->k->data + ((e->pos[e->seen] + 8) & e->mask), size)) {
		if (!e->bad)
			printf("uebpf_ringbuf_consume: record %zu: %zu bytes, kernel's: %s%u bytes at "
			       "%" PRIu64 "\n", e->seen, size, e->seen >= e->n ? "none, " : "",
			       e->seen < e->n ? e->size[e->seen] : 0,
			       e->seen < e->n ? e->pos[e->seen] : 0);
		e->bad = 1;
	}
	e->seen++;
	return 0;
}

static int consume_all_with_api(struct side *k, struct side *u, uint32_t ring_size,
				const char *where)
{
	static struct expected e;
	memset(&e, 0, sizeof(e));
	e.k = k;
	e.mask = ring_size - 1;
	uint64_t pos = atomic_load(k->cons), prod = atomic_load(k->prod);
	while (pos < prod && e.n < sizeof(e.pos) / sizeof(e.pos[0])) {
		uint32_t len;
		memcpy(&len, k->data + (pos & e.mask), 4);
		if (len & RB_BUSY)
			break;
		uint32_t size = len & ~(RB_BUSY | RB_DISCARD);
		if (!(len & RB_DISCARD)) {
			e.pos[e.n] = pos;
			e.size[e.n++] = size;
		}
		pos += (size + 8 + 7) & ~7ull;
	}
	if (pos < prod)
		return consume(k, u, ring_size, ~0ull, where); /* too many: the plain way */
	if (!u->ring)
		u->ring = uebpf_ringbuf_new(u->f.ring, check_record, &e);
	int n = u->ring ? uebpf_ringbuf_consume(u->ring) : -errno;
	uint64_t ucons = atomic_load(u->cons);
	if (n != (int)e.n || e.bad || e.seen != e.n || ucons != pos) {
		CHECK_REPORT(0, "%s: uebpf_ringbuf_consume gave %d records (kernel's ring: %zu), "
			     "consumer at %" PRIu64 " (kernel's records end at %" PRIu64 ")%s",
			     where, n, e.n, ucons, pos, e.bad ? ", different records" : "");
		return -1;
	}
	st.consumed += e.n;
	st.api_consumed += e.n;
	atomic_store(k->cons, pos);
	return 0;
}

/* ---- one sequence ---- */

/* A reservation size for the pool: small, odd, about the ring's size,
 * or beyond what a ring can hold. */
static uint64_t pool_size(uint32_t r)
{
	static const uint64_t fixed[] = { 0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 24, 56, 63, 64, 100,
					  255, 1000 };
	switch (below(6)) {
	case 0:
	case 1:
		return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
	case 2:
		return below(r / 4);
	case 3: {
		const uint64_t edge[] = { r / 2 - 8, r / 2 - 9, r / 2, r - 24, r - 17, r - 16,
					  r - 15, r - 9, r - 8, r - 7, r, r + 1, 2ull * r };
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	}
	case 4:
		return 8 * below(r / 16) + below(8);
	default: {
		const uint64_t huge[] = { 0x3fffffffull, 0x40000000ull, 0x7ffffff8ull,
					  0xfffffff8ull, 0xffffffffull };
		return below(3) ? r / 8 + below(64) : huge[below(5)];
	}
	}
}

static uint64_t random_flags(int valid_bias)
{
	static const uint64_t odd[] = { 4, 5, 8, 0x10, 1ull << 32, (1ull << 32) | 1, ~0ull,
					0x8000000000000000ull };
	if ((int)below(10) < valid_bias)
		return below(4); /* 0, NO_WAKEUP, FORCE_WAKEUP, both */
	return below(2) ? odd[below(sizeof(odd) / sizeof(odd[0]))] : rnd();
}

static uint64_t output_size(uint32_t r, uint64_t used)
{
	uint64_t free_bytes = r - 1 - (used < r ? used : r - 1);
	switch (below(10)) {
	case 0: case 1: case 2:
		return below(65);
	case 3: case 4:
		return below(r + 1ull);
	case 5: case 6: case 7: {
		/* About what still fits: header and padding included. */
		int64_t s = (int64_t)free_bytes - 8 + (int64_t)below(25) - 12;
		return s < 0 ? 0 : (uint64_t)s;
	}
	case 8:
		return r - 16 + below(80);
	default:
		return below(SRC_SIZE + 1ull);
	}
}

static void random_shape(struct shape *s)
{
	static const uint32_t sizes[] = { 4096, 4096, 4096, 8192, 8192, 16384, 65536, 4096,
					  8192, 262144 };
	s->ring_size = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
	for (int k = 0; k < POOL; k++)
		s->pool[k] = pool_size(s->ring_size);
	for (int j = 0; j < PAIRS; j++) {
		s->pair[j][0] = (int)below(POOL);
		s->pair[j][1] = (int)below(POOL);
	}
	for (int j = 0; j < HELD; j++)
		s->held[j] = (int)below(POOL);
}

static int run_sequence(uint64_t seed, int seq, int steps)
{
	struct shape sh;
	random_shape(&sh);
	static uint8_t src[SRC_SIZE];
	for (size_t i = 0; i < sizeof(src); i += 8) {
		uint64_t x = rnd();
		memcpy(src + i, &x, 8);
	}
	struct side k, u;
	side_init(&k);
	side_init(&u);
	int failed = side_open(&k, 1, &sh, src) || side_open(&u, 0, &sh, src);
	char where[256];

	for (int step = 0; step < steps && !failed; step++) {
		struct args a;
		memset(&a, 0, sizeof(a));
		unsigned pick = (unsigned)below(20);
		a.op = pick < 7    ? OP_OUTPUT
		       : pick < 8  ? OP_QUERY
		       : pick < 14 ? OP_SINGLE + below(POOL)
		       : pick < 17 ? OP_PAIR + below(PAIRS)
				   : OP_HELD + below(HELD);
		uint64_t used = atomic_load(k.prod) - atomic_load(k.cons);
		a.out_size = output_size(sh.ring_size, used);
		a.out_flags = random_flags(8);
		a.rsv_flags_a = below(8) ? 0 : random_flags(3);
		a.rsv_flags_b = below(8) ? 0 : random_flags(3);
		a.commit_flags_a = random_flags(7);
		a.commit_flags_b = random_flags(7);
		a.discard_a = below(4) == 0;
		a.discard_b = below(4) == 0;
		a.order = below(2);
		a.query_flag = below(2) ? below(6) : random_flags(0);
		a.pattern_a = rnd();
		a.pattern_b = rnd();

		struct results zero, kr, ur;
		memset(&zero, 0, sizeof(zero));
		int checked = (int)below(2);
		int krc = -1, urc = -1;
		if (set_elem(1, k.f.args, &a) || set_elem(0, u.f.args, &a) ||
		    set_elem(1, k.f.res, &zero) || set_elem(0, u.f.res, &zero)) {
			CHECK_REPORT(0, "sequence %d step %d: setting the arguments", seq, step);
			failed = 1;
			break;
		}
		krc = run_side(&k, 1, 0);
		urc = run_side(&u, 0, checked);
		if (krc != 0 || urc != 0 || get_elem(1, k.f.res, &kr) ||
		    get_elem(0, u.f.res, &ur)) {
			CHECK_REPORT(0, "sequence %d step %d: runs returned kernel %d, uebpf %d", seq,
				     step, krc, urc);
			failed = 1;
			break;
		}
		st.steps++;
		st.ops[a.op == OP_OUTPUT ? 0 : a.op == OP_QUERY ? 1 : a.op < OP_PAIR ? 2
		       : a.op < OP_HELD ? 3 : 4]++;
		if (a.op == OP_OUTPUT || a.op >= OP_HELD) {
			int64_t r = (int64_t)kr.ret[0];
			st.out_ok += r == 0;
			st.out_eagain += r == -EAGAIN;
			st.out_einval += r == -EINVAL;
		}
		if (a.op >= OP_SINGLE) {
			st.rsv_ok += kr.ret[1] + kr.ret[2];
			int pair = a.op >= OP_PAIR && a.op < OP_HELD;
			st.rsv_null += !kr.ret[1] + (pair && !kr.ret[2]);
		}
		st.wraps += (atomic_load(k.prod) & ~(uint64_t)(sh.ring_size - 1)) !=
			    ((atomic_load(k.prod) - used) & ~(uint64_t)(sh.ring_size - 1));

		uint64_t pool_a = a.op >= OP_SINGLE && a.op < OP_PAIR ? sh.pool[a.op - OP_SINGLE]
				  : a.op >= OP_PAIR && a.op < OP_HELD
					  ? sh.pool[sh.pair[a.op - OP_PAIR][0]]
				  : a.op >= OP_HELD ? sh.pool[sh.held[a.op - OP_HELD]] : 0;
		snprintf(where, sizeof(where),
			 "seed 0x%" PRIx64 " sequence %d (ring %u) step %d, %s (output %" PRIu64
			 " bytes flags 0x%" PRIx64 ", reserve %" PRIu64 " flags 0x%" PRIx64
			 ", %s, %s mode)", seed, seq, sh.ring_size, step, op_name(a.op), a.out_size,
			 a.out_flags, pool_a, a.rsv_flags_a, a.discard_a ? "discard" : "submit",
			 checked ? "checked" : "normal");
		if (compare(&k, &u, sh.ring_size, &kr, &ur, where)) {
			failed = 1;
			break;
		}
		if (below(3) == 0) {
			uint64_t n = below(2) ? ~0ull : 1 + below(4);
			int api = n == ~0ull && below(2);
			if ((api ? consume_all_with_api(&k, &u, sh.ring_size, where)
				 : consume(&k, &u, sh.ring_size, n, where)) ||
			    compare(&k, &u, sh.ring_size, &kr, &ur, where)) {
				failed = 1;
				break;
			}
		}
	}
	if (!failed)
		CHECK_REPORT(1, "sequence");
	side_close(&k, 1, sh.ring_size);
	side_close(&u, 0, sh.ring_size);
	st.sequences++;
	return failed ? -1 : 0;
}

/* ---- creation and the syscall side ---- */

static void create_attributes(void)
{
	static const uint32_t maxes[] = { 0, 1, 8, 2048, 4095, 4096, 8192, 12288, 16384, 20480,
					  65536, 1u << 20, 3u << 12 };
	static const uint32_t flags[] = { 0, BPF_F_NUMA_NODE, BPF_F_NO_PREALLOC, BPF_F_RDONLY,
					  BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
					  BPF_F_MMAPABLE, BPF_F_INNER_MAP, 1u << 20 };
	check_current = "create";
	for (size_t m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++)
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			for (int kv = 0; kv < 3; kv++) {
				uint32_t ks = kv == 1 ? 4 : 0, vs = kv == 2 ? 8 : 0;
				int kfd = k_create(BPF_MAP_TYPE_RINGBUF, ks, vs, maxes[m],
						   flags[f]);
				struct uebpf_map_create_opts o = { .sz = sizeof(o),
								   .map_flags = flags[f] };
				int ufd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rbcreate", ks, vs,
							   maxes[m], &o);
				CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd),
					     "ring max_entries %u flags 0x%x key %u value %u: kernel %d, "
					     "uebpf %d", maxes[m], flags[f], ks, vs, kfd < 0 ? kfd : 0,
					     ufd < 0 ? ufd : 0);
				if (kfd >= 0)
					close(kfd);
				if (ufd >= 0)
					uebpf_map_close(ufd);
			}
}

static void syscall_side(void)
{
	check_current = "syscall side";
	int kfd = k_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
	int ufd = uebpf_map_create(BPF_MAP_TYPE_RINGBUF, "rbsys", 0, 0, 4096, NULL);
	uint32_t key = 0;
	uint64_t v = 0, next = 0;
	struct {
		const char *what;
		int k, u;
	} cases[] = {
		{ "lookup", kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, &v, 0),
		  uebpf_map_lookup_elem(ufd, NULL, &v) },
		{ "lookup with a key", kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &key, &v, 0),
		  uebpf_map_lookup_elem(ufd, &key, &v) },
		{ "update", kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, NULL, &v, 0),
		  uebpf_map_update_elem(ufd, NULL, &v, 0) },
		{ "delete", kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, NULL, NULL, 0),
		  uebpf_map_delete_elem(ufd, NULL) },
		{ "get_next_key", kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, NULL, &next, 0),
		  uebpf_map_get_next_key(ufd, NULL, &next) },
		{ "lookup_and_delete", kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, NULL, &v, 0),
		  uebpf_map_lookup_and_delete_elem(ufd, NULL, &v) },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_REPORT(cases[i].k == cases[i].u, "%s: kernel %d, uebpf %d", cases[i].what,
			     cases[i].k, cases[i].u);
	close(kfd);
	uebpf_map_close(ufd);
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 1000;
	static const uint64_t default_seeds[] = { 0x71b0f, 0x2d2d2d, 0xc0ffee, 0x5eed };
	uint64_t one_seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	size_t nseeds = argc > 2 ? 1 : sizeof(default_seeds) / sizeof(default_seeds[0]);

	int probe = k_create(BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0);
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

	create_attributes();
	syscall_side();

	int failed_sequences = 0;
	for (size_t s = 0; s < nseeds; s++) {
		uint64_t seed = argc > 2 ? one_seed : default_seeds[s];
		int n = sequences / (int)nseeds + ((int)s < sequences % (int)nseeds);
		check_current = "sequence";
		for (int seq = 0; seq < n; seq++) {
			rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
			/* Stop reporting after a few failures: one is enough to
			 * see what differs. */
			if (failed_sequences >= 5)
				break;
			failed_sequences += run_sequence(seed, seq, 20 + (int)below(60)) != 0;
		}
	}
	printf("%llu sequences (%zu seed%s), %llu steps compared with the kernel: %llu outputs, "
	       "%llu queries, %llu reserves, %llu double reserves, %llu reserves held across "
	       "an output; outputs 0: %llu, -EAGAIN: %llu, -EINVAL: %llu; reservations "
	       "granted %llu, refused %llu; records consumed %llu, discarded records skipped "
	       "%llu (%llu through uebpf_ringbuf_consume); steps that wrapped the ring %llu; busy "
	       "records seen between runs %llu\n", st.sequences, nseeds,
	       nseeds > 1 ? "s" : "", st.steps, st.ops[0], st.ops[1], st.ops[2], st.ops[3],
	       st.ops[4], st.out_ok, st.out_eagain, st.out_einval, st.rsv_ok, st.rsv_null,
	       st.consumed, st.discarded_seen, st.api_consumed, st.wraps, st.busy_seen);
	uebpf_vm_free(vm);
	return check_summary("ringbuf_kernel_diff_test");
}
