/* SPDX-License-Identifier: MIT */
/*
 * The verifier's program generator (gen_verify.h): snippets aimed at the
 * verifier's usual mistakes, glued into one program per supported type,
 * then a few random mutations.
 *
 * Register conventions of the snippets: r6 holds the context for the
 * whole program; every snippet may clobber r0-r5 and r7-r9 and starts
 * from no assumption about them (a mutation may break that, which is
 * the point: the verifier must then refuse).
 */
#include <string.h>

#include "gen_verify.h"

#ifndef BPF_JCOND
#define BPF_JCOND 0xe0 /* may_goto (older UAPI headers lack it) */
#endif

const enum bpf_prog_type gv_types[] = {
	BPF_PROG_TYPE_KPROBE,     BPF_PROG_TYPE_TRACEPOINT,    BPF_PROG_TYPE_RAW_TRACEPOINT,
	BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_XDP,           BPF_PROG_TYPE_SOCKET_FILTER,
	BPF_PROG_TYPE_SCHED_CLS,  BPF_PROG_TYPE_CGROUP_SKB,
};
const size_t gv_ntypes = sizeof(gv_types) / sizeof(gv_types[0]);

static const char *const type_names[] = {
	[BPF_PROG_TYPE_KPROBE] = "kprobe",
	[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
	[BPF_PROG_TYPE_XDP] = "xdp",
	[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
	[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
	[BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
};

const char *gv_type_name(enum bpf_prog_type type)
{
	return (size_t)type < sizeof(type_names) / sizeof(type_names[0]) && type_names[type]
		       ? type_names[type]
		       : "?";
}

enum bpf_prog_type gv_type_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i] && !strcmp(type_names[i], name))
			return (enum bpf_prog_type)i;
	return BPF_PROG_TYPE_UNSPEC;
}

/* ---- what each type's context offers ---- */

struct ctx_desc {
	int size;                    /* of the UAPI context */
	int data, data_end, meta;    /* packet pointer fields, or -1 */
	bool skb;                    /* struct __sk_buff */
	const int16_t (*fields)[2];  /* { offset, size } worth reading */
	size_t nfields;
};

static const int16_t pt_regs_fields[][2] = {
	{ 0, 8 }, { 8, 8 }, { 16, 8 }, { 80, 8 }, { 104, 8 }, { 112, 8 }, { 128, 8 },
	{ 152, 8 }, { 160, 8 }, { 4, 4 }, { 164, 4 }, { 166, 2 }, { 167, 1 },
};
static const int16_t tp_fields[][2] = {
	{ 8, 8 }, { 16, 4 }, { 20, 4 }, { 24, 8 }, { 8, 2 }, { 8, 1 }, { 8184, 8 }, { 8188, 4 },
};
static const int16_t raw_tp_fields[][2] = {
	{ 0, 8 }, { 8, 8 }, { 16, 8 }, { 24, 8 }, { 88, 8 }, { 92, 4 }, { 0, 4 },
};
static const int16_t perf_fields[][2] = {
	{ 0, 8 }, { 8, 8 }, { 160, 8 }, { 168, 8 }, { 168, 4 }, { 176, 8 }, { 180, 4 }, { 176, 1 },
};
static const int16_t xdp_fields[][2] = {
	{ 0, 4 }, { 4, 4 }, { 8, 4 }, { 12, 4 }, { 16, 4 }, { 20, 4 },
};
static const int16_t skb_fields[][2] = {
	{ 0, 4 }, { 4, 4 }, { 8, 4 }, { 12, 4 }, { 16, 4 }, { 20, 4 }, { 24, 4 }, { 32, 4 },
	{ 36, 4 }, { 40, 4 }, { 44, 4 }, { 48, 4 }, { 52, 4 }, { 64, 4 }, { 68, 4 }, { 72, 4 },
	{ 76, 4 }, { 80, 4 }, { 84, 4 }, { 88, 4 }, { 140, 4 }, { 152, 8 }, { 160, 4 },
	{ 164, 4 }, { 168, 8 }, { 176, 4 }, { 0, 2 }, { 0, 1 }, { 48, 8 }, { 8, 1 },
};
#define NF(a) (sizeof(a) / sizeof(a[0]))

static struct ctx_desc ctx_of(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_KPROBE:
		return (struct ctx_desc){ 168, -1, -1, -1, false, pt_regs_fields, NF(pt_regs_fields) };
	case BPF_PROG_TYPE_TRACEPOINT:
		return (struct ctx_desc){ 8192, -1, -1, -1, false, tp_fields, NF(tp_fields) };
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return (struct ctx_desc){ 96, -1, -1, -1, false, raw_tp_fields, NF(raw_tp_fields) };
	case BPF_PROG_TYPE_PERF_EVENT:
		return (struct ctx_desc){ 184, -1, -1, -1, false, perf_fields, NF(perf_fields) };
	case BPF_PROG_TYPE_XDP:
		return (struct ctx_desc){ 24, 0, 4, 8, false, xdp_fields, NF(xdp_fields) };
	case BPF_PROG_TYPE_SOCKET_FILTER:
		return (struct ctx_desc){ 192, -1, -1, -1, true, skb_fields, NF(skb_fields) };
	case BPF_PROG_TYPE_SCHED_CLS:
		return (struct ctx_desc){ 192, 76, 80, 140, true, skb_fields, NF(skb_fields) };
	default: /* CGROUP_SKB */
		return (struct ctx_desc){ 192, 76, 80, -1, true, skb_fields, NF(skb_fields) };
	}
}

static bool is_tracing(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_KPROBE || t == BPF_PROG_TYPE_TRACEPOINT ||
	       t == BPF_PROG_TYPE_RAW_TRACEPOINT || t == BPF_PROG_TYPE_PERF_EVENT;
}

/* ---- a tiny assembler with forward labels ---- */

#define MAX_LABELS 8
#define MAX_FIX 64
#define NSUB 3 /* subprograms: 0 writes through r1, 1 bpf_loop callback, 2 scalar */

enum fix_kind { FIX_JMP, FIX_CALL, FIX_FUNC };

struct gb {
	struct fuzz_src *s;
	struct gv_prog *p;
	struct ctx_desc ctx;
	size_t max; /* room for the main program (subprograms after it) */
	int lab[MAX_LABELS];
	struct {
		size_t at;
		int kind, target;
	} fix[MAX_FIX], subfix[MAX_FIX];
	int nfix, nsubfix;
	bool sub_used[NSUB];
	bool full;
};

static void emit(struct gb *b, uint8_t code, int dst, int src, int off, int32_t imm)
{
	if (b->p->cnt >= b->max) {
		b->full = true;
		return;
	}
	b->p->insns[b->p->cnt++] = (struct uebpf_insn){ .code = code, .dst_reg = (uint8_t)dst,
							.src_reg = (uint8_t)src,
							.off = (int16_t)off, .imm = imm };
}

static void lddw(struct gb *b, int dst, int src, int32_t imm)
{
	if (b->p->cnt + 2 > b->max) {
		b->full = true;
		return;
	}
	emit(b, BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, imm);
	emit(b, 0, 0, 0, 0, 0);
}

#define MOV64(d, i) emit(b, BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64X(d, s) emit(b, BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define ADD64(d, i) emit(b, BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ADD64X(d, s) emit(b, BPF_ALU64 | BPF_ADD | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) emit(b, BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) emit(b, BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) emit(b, BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define CALL(id) emit(b, BPF_JMP | BPF_CALL, 0, 0, 0, id)
#define EXIT() emit(b, BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A jump (op | BPF_K or BPF_X, JMP or JMP32 class) to label l. */
static void jmp(struct gb *b, uint8_t code, int dst, int src, int32_t imm, int l)
{
	if (b->nfix < MAX_FIX && b->p->cnt < b->max) {
		b->fix[b->nfix].at = b->p->cnt;
		b->fix[b->nfix].kind = FIX_JMP;
		b->fix[b->nfix++].target = l;
	}
	emit(b, code, dst, src, 0, imm);
}

static void label(struct gb *b, int l)
{
	b->lab[l] = (int)b->p->cnt;
}

/* Resolves the snippet's jumps (a label never placed: the snippet's end). */
static void resolve(struct gb *b)
{
	for (int i = 0; i < b->nfix; i++) {
		int t = b->lab[b->fix[i].target];
		if (t < 0)
			t = (int)b->p->cnt;
		b->p->insns[b->fix[i].at].off = (int16_t)(t - (int)b->fix[i].at - 1);
	}
	b->nfix = 0;
	for (int i = 0; i < MAX_LABELS; i++)
		b->lab[i] = -1;
}

/* A call of subprogram k (kind FIX_CALL) or its address (FIX_FUNC lddw). */
static void subref(struct gb *b, int kind, int k)
{
	if (b->nsubfix >= MAX_FIX || b->p->cnt + (kind == FIX_FUNC ? 2 : 1) > b->max) {
		b->full = true;
		return;
	}
	b->subfix[b->nsubfix].at = b->p->cnt;
	b->subfix[b->nsubfix].kind = kind;
	b->subfix[b->nsubfix++].target = k;
	b->sub_used[k] = true;
	if (kind == FIX_FUNC)
		lddw(b, 2, BPF_PSEUDO_FUNC, 0);
	else
		emit(b, BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0);
}

/* ---- choices ---- */

static uint32_t below(struct gb *b, uint32_t n)
{
	return fuzz_below(b->s, n);
}

static bool one_in(struct gb *b, uint32_t n)
{
	return fuzz_one_in(b->s, n);
}

static const uint8_t sizes[4] = { BPF_B, BPF_H, BPF_W, BPF_DW };
static int size_bytes(uint8_t sz)
{
	return sz == BPF_B ? 1 : sz == BPF_H ? 2 : sz == BPF_W ? 4 : 8;
}

/* A size code, mostly the widest that fits n bytes. */
static uint8_t pick_size(struct gb *b)
{
	return sizes[below(b, 4)];
}

/* A number near an edge: 0, 1, the size, the size +-1, a power of two
 * +-1, a negative one. */
static int32_t edge(struct gb *b, int32_t size)
{
	if (one_in(b, 2))
		return size > 8 ? (int32_t)below(b, (uint32_t)size - 7) : 0;
	switch (below(b, 10)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return size;
	case 3: return size - 1;
	case 4: return size + 1;
	case 5: return -1;
	case 6: return (int32_t)(1u << below(b, 31)) - (int32_t)below(b, 2);
	case 7: return -(int32_t)below(b, 600);
	case 8: return size - (int32_t)below(b, 9);
	default: return (int32_t)below(b, (uint32_t)size + 2);
	}
}

/* A conditional jump opcode: 64- or 32-bit, any comparison. */
static uint8_t cond_op(struct gb *b, bool x)
{
	static const uint8_t ops[] = { BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE,
				       BPF_JSGT, BPF_JSGE, BPF_JSLT, BPF_JSLE, BPF_JSET };
	return (uint8_t)((one_in(b, 4) ? BPF_JMP32 : BPF_JMP) | ops[below(b, NF(ops))] |
			 (x ? BPF_X : BPF_K));
}

/* A map of a given kind, declared on first use; its index. */
static int map_of(struct gb *b, uint32_t type)
{
	struct gv_prog *p = b->p;
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].type == type)
			return (int)i;
	if (p->nmaps == GV_MAX_MAPS)
		return (int)below(b, (uint32_t)p->nmaps);
	static const uint32_t vsizes[] = { 1, 4, 8, 12, 16, 48, 64, 100 };
	struct gv_map m = { type, 4, vsizes[below(b, NF(vsizes))], 1 + below(b, 8) };
	if (type == BPF_MAP_TYPE_HASH && one_in(b, 3))
		m.key_size = 8;
	if (type == BPF_MAP_TYPE_RINGBUF) {
		m.key_size = m.value_size = 0;
		m.max_entries = 4096;
	}
	p->maps[p->nmaps] = m;
	return (int)p->nmaps++;
}

static const uint32_t value_map_types[] = { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH,
					    BPF_MAP_TYPE_PERCPU_ARRAY };

/* ---- snippets ---- */

/* rD = a context field, at a valid or an edge offset. */
static void s_ctx_load(struct gb *b, int dst)
{
	int off, sz;
	if (!one_in(b, 6)) {
		const int16_t *f = b->ctx.fields[below(b, (uint32_t)b->ctx.nfields)];
		off = f[0];
		sz = f[1];
	} else {
		sz = size_bytes(pick_size(b));
		off = edge(b, b->ctx.size) - (one_in(b, 2) ? sz : 0);
	}
	uint8_t code = sz == 1 ? BPF_B : sz == 2 ? BPF_H : sz == 4 ? BPF_W : BPF_DW;
	if (one_in(b, 8)) /* a context store */
		ST(code, 6, off, (int32_t)below(b, 3));
	else
		LDX(code, dst, 6, off);
}

/* A loaded scalar in rD with some bounds: from a helper, the context or
 * the stack, then masked, clamped or shifted (or not). */
static void s_scalar(struct gb *b, int dst)
{
	switch (below(b, 4)) {
	case 0:
		CALL(BPF_FUNC_get_prandom_u32);
		if (dst)
			MOV64X(dst, 0);
		break;
	case 1:
		s_ctx_load(b, dst);
		break;
	case 2:
		emit(b, BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, edge(b, 64));
		break;
	default:
		CALL(BPF_FUNC_ktime_get_ns);
		if (dst)
			MOV64X(dst, 0);
		break;
	}
	switch (below(b, 6)) {
	case 0:
		emit(b, (one_in(b, 3) ? BPF_ALU : BPF_ALU64) | BPF_AND | BPF_K, dst, 0, 0,
		     (int32_t)((1u << below(b, 9)) - 1 + (one_in(b, 4) ? 1 : 0)));
		break;
	case 1: {
		/* if rD > N goto skip-the-rest: the caller's code after it. */
		int32_t n = edge(b, 64);
		emit(b, BPF_JMP | BPF_JLE | BPF_K, dst, 0, 1, n);
		MOV64(dst, (int32_t)below(b, 16));
		break;
	}
	case 2:
		if (one_in(b, 2))
			emit(b, BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, (int32_t)(24 + below(b, 8)));
		else
			emit(b, BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, (int32_t)(56 + below(b, 8)));
		break;
	case 3:
		emit(b, BPF_ALU64 | BPF_MOD | BPF_K, dst, 0, 0, edge(b, 64));
		break;
	default:
		break;
	}
}

/* ALU corner cases on a scalar in r9, then r9 used as an offset into
 * the stack or a map value. */
static void s_alu(struct gb *b)
{
	s_scalar(b, 9);
	unsigned n = 1 + below(b, 3);
	for (unsigned i = 0; i < n; i++) {
		static const uint8_t ops[] = { BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND,
					       BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD, BPF_XOR,
					       BPF_MOV, BPF_ARSH, BPF_END };
		uint8_t op = ops[below(b, NF(ops))];
		uint8_t cls = one_in(b, 3) ? BPF_ALU : BPF_ALU64;
		bool x = one_in(b, 3) && op != BPF_NEG && op != BPF_END;
		int off = 0;
		int32_t imm = edge(b, 64);
		if ((op == BPF_DIV || op == BPF_MOD) && one_in(b, 2))
			off = 1; /* sdiv / smod */
		if (op == BPF_MOV && one_in(b, 2)) {
			static const int sx[] = { 8, 16, 32 };
			off = sx[below(b, cls == BPF_ALU ? 2 : 3)]; /* movsx */
			x = true;
		}
		if (op == BPF_END) {
			static const int w[] = { 16, 32, 64 };
			imm = w[below(b, 3)];
			x = one_in(b, 2); /* to big endian */
			if (one_in(b, 2)) {
				cls = BPF_ALU64; /* bswap */
				x = false;
			}
		}
		if (op == BPF_NEG)
			imm = 0;
		if (op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH)
			imm = (int32_t)below(b, one_in(b, 16) ? 70 : cls == BPF_ALU ? 32 : 64);
		if (x) {
			/* the source: r8 with small bounds, or r9 itself */
			if (one_in(b, 2)) {
				s_scalar(b, 8);
				emit(b, (uint8_t)(cls | op | BPF_X), 9, 8, off, 0);
			} else {
				emit(b, (uint8_t)(cls | op | BPF_X), 9, 9, off, 0);
			}
		} else {
			emit(b, (uint8_t)(cls | op | BPF_K), 9, 0, off, imm);
		}
	}
	/* Bounded or not, r9 now offsets a pointer. */
	if (!one_in(b, 5)) {
		int32_t lim = edge(b, 64);
		uint8_t op = one_in(b, 3) ? cond_op(b, false) : BPF_JMP | BPF_JGT | BPF_K;
		jmp(b, op, 9, 0, lim, 0);
		if (one_in(b, 2))
			jmp(b, BPF_JMP | BPF_JSLT | BPF_K, 9, 0, (int32_t)below(b, 2) - 1, 0);
	}
	MOV64X(1, 10);
	ADD64(1, -(int32_t)(8 * (1 + below(b, 16))));
	ADD64X(1, 9);
	if (one_in(b, 2))
		LDX(pick_size(b), 0, 1, edge(b, 8) - 8);
	else
		STX(pick_size(b), 1, 9, edge(b, 8) - 8);
	label(b, 0);
}

/* Packet access after a bounds check with off-by-one variants. */
static void s_packet(struct gb *b)
{
	if (is_tracing(b->p->type)) {
		/* no packet: a read of what a context field points to */
		s_ctx_load(b, 3);
		MOV64X(1, 10);
		ADD64(1, -32);
		MOV64(2, edge(b, 32));
		CALL(one_in(b, 2) ? BPF_FUNC_probe_read_kernel : BPF_FUNC_probe_read_user);
		return;
	}
	if (b->ctx.data < 0) {
		/* socket filters: legacy loads, bpf_skb_load_bytes */
		if (one_in(b, 2)) {
			uint8_t sz = sizes[below(b, 3)];
			if (one_in(b, 2)) {
				emit(b, BPF_LD | BPF_ABS | sz, 0, 0, 0, edge(b, 64));
			} else {
				s_scalar(b, 7);
				emit(b, BPF_LD | BPF_IND | sz, 0, 7, 0, edge(b, 16));
			}
			/* LD_ABS clobbers r1-r5: r6 stays. */
			return;
		}
		MOV64X(1, 6);
		MOV64(2, edge(b, 64));
		MOV64X(3, 10);
		ADD64(3, -64);
		MOV64(4, edge(b, 64));
		CALL(BPF_FUNC_skb_load_bytes);
		return;
	}
	bool meta = b->ctx.meta >= 0 && one_in(b, 5);
	LDX(BPF_W, 7, 6, meta ? b->ctx.meta : b->ctx.data);
	LDX(BPF_W, 8, 6, meta ? b->ctx.data : b->ctx.data_end);
	if (one_in(b, 6))
		LDX(BPF_W, 8, 6, b->ctx.data_end); /* meta checked against the end */
	int32_t n = (int32_t)below(b, 64);
	bool var = one_in(b, 3);
	if (var) {
		/* a variable offset, masked or clamped */
		s_scalar(b, 2);
		ADD64X(7, 2);
	}
	MOV64X(1, 7);
	ADD64(1, n);
	/* the check, in one of its forms; label 0: the access is skipped */
	switch (below(b, 6)) {
	case 0:
		jmp(b, BPF_JMP | BPF_JGT | BPF_X, 1, 8, 0, 0);
		break;
	case 1:
		jmp(b, BPF_JMP | BPF_JGE | BPF_X, 1, 8, 0, 0);
		break;
	case 2:
		jmp(b, BPF_JMP | BPF_JLT | BPF_X, 8, 1, 0, 0);
		break;
	case 3:
		jmp(b, BPF_JMP | BPF_JLE | BPF_X, 8, 1, 0, 0);
		break;
	case 4: /* the good branch is the jump */
		jmp(b, BPF_JMP | BPF_JLE | BPF_X, 1, 8, 0, 1);
		jmp(b, BPF_JMP | BPF_JA, 0, 0, 0, 0);
		label(b, 1);
		break;
	default:
		jmp(b, cond_op(b, true), 1, 8, 0, 0);
		break;
	}
	int accesses = 1 + (int)below(b, 2);
	for (int i = 0; i < accesses; i++) {
		int off = n - (int)below(b, 9) + (one_in(b, 4) ? 1 : 0);
		uint8_t sz = pick_size(b);
		if (one_in(b, 3))
			STX(sz, 7, 6, off); /* a pointer into the packet: must be refused */
		else if (one_in(b, 3))
			ST(sz, 7, off, 0x55);
		else
			LDX(sz, 0, 7, off);
	}
	label(b, 0);
}

/* A map lookup, null check (or not), access near the value's bounds. */
static void s_map(struct gb *b)
{
	int m = map_of(b, value_map_types[below(b, NF(value_map_types))]);
	const struct gv_map *d = &b->p->maps[m];
	int vs = (int)d->value_size;
	ST(BPF_W, 10, -4, (int32_t)below(b, d->max_entries + 1));
	if (d->key_size == 8)
		ST(BPF_W, 10, -8, 0);
	lddw(b, 1, BPF_PSEUDO_MAP_FD, m);
	MOV64X(2, 10);
	ADD64(2, d->key_size == 8 ? -8 : -4);
	CALL(BPF_FUNC_map_lookup_elem);
	if (!one_in(b, 8))
		jmp(b, one_in(b, 6) ? cond_op(b, false) : BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0);
	int n = 1 + (int)below(b, 3);
	for (int i = 0; i < n; i++) {
		uint8_t sz = pick_size(b);
		int off = edge(b, vs) - (one_in(b, 2) ? size_bytes(sz) : 0);
		switch (below(b, 5)) {
		case 0: /* a variable offset, bounded or not */
			s_scalar(b, 3);
			MOV64X(1, 0);
			ADD64X(1, 3);
			LDX(sz, 4, 1, off < 0 ? 0 : off % 8);
			break;
		case 1:
			STX(sz, 0, 6, off);
			break;
		case 2:
			ST(sz, 0, off, 7);
			break;
		case 3: /* atomic add */
			emit(b, BPF_STX | BPF_ATOMIC | (one_in(b, 2) ? BPF_W : BPF_DW), 0, 6, off,
			     BPF_ADD | (one_in(b, 2) ? BPF_FETCH : 0));
			break;
		default:
			LDX(sz, 4, 0, off);
			break;
		}
		if (one_in(b, 4))
			ADD64(0, edge(b, vs)); /* the pointer moved */
	}
	if (one_in(b, 4))
		MOV64X(7, 0); /* kept for later: may be null */
	label(b, 0);
}

/* A ring buffer record reserved, written, submitted or discarded (or
 * neither, or twice). */
static void s_ringbuf(struct gb *b)
{
	int m = map_of(b, BPF_MAP_TYPE_RINGBUF);
	if (one_in(b, 3)) {
		lddw(b, 1, BPF_PSEUDO_MAP_FD, m);
		MOV64X(2, 10);
		ADD64(2, -(int32_t)(8 * (1 + below(b, 8))));
		MOV64(3, edge(b, 16));
		MOV64(4, 0);
		CALL(BPF_FUNC_ringbuf_output);
		return;
	}
	int32_t size = edge(b, 16);
	lddw(b, 1, BPF_PSEUDO_MAP_FD, m);
	if (one_in(b, 4)) {
		s_scalar(b, 2);
		lddw(b, 1, BPF_PSEUDO_MAP_FD, m);
	} else {
		MOV64(2, size);
	}
	MOV64(3, 0);
	CALL(BPF_FUNC_ringbuf_reserve);
	if (!one_in(b, 8))
		jmp(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0, 0);
	uint8_t sz = pick_size(b);
	ST(sz, 0, edge(b, size) - (one_in(b, 2) ? size_bytes(sz) : 0), 1);
	MOV64X(1, 0);
	MOV64(2, 0);
	if (one_in(b, 10))
		MOV64X(7, 0); /* a copy that outlives the release */
	switch (below(b, 8)) {
	case 0:
		break; /* neither submitted nor discarded */
	case 1:
		CALL(BPF_FUNC_ringbuf_discard);
		MOV64X(1, 7);
		MOV64(2, 0);
		CALL(BPF_FUNC_ringbuf_submit); /* twice */
		break;
	case 2:
	case 3:
		CALL(BPF_FUNC_ringbuf_discard);
		break;
	default:
		CALL(BPF_FUNC_ringbuf_submit);
		break;
	}
	label(b, 0);
}

/* A register spilled and filled back at aligned, misaligned, partial
 * slots; the filled value then used as what it was. */
static void s_spill(struct gb *b)
{
	int slot = -(int)(8 * (1 + below(b, 16)));
	int what = (int)below(b, 4);
	switch (what) {
	case 0: /* the context */
		MOV64X(7, 6);
		break;
	case 1: /* a stack pointer */
		MOV64X(7, 10);
		ADD64(7, -(int32_t)(8 * (1 + below(b, 8))));
		break;
	case 2: /* a bounded scalar */
		s_scalar(b, 7);
		break;
	default: /* a map value, null-checked */
		s_map(b);
		MOV64X(7, 0);
		break;
	}
	uint8_t ssz = one_in(b, 4) ? pick_size(b) : BPF_DW;
	int soff = slot + (one_in(b, 6) ? (int)below(b, 8) : 0);
	STX(ssz, 10, 7, soff);
	if (one_in(b, 4))
		ST(pick_size(b), 10, slot + (int)below(b, 8), 0); /* partly overwritten */
	if (one_in(b, 5))
		s_scalar(b, 3);
	uint8_t fsz = one_in(b, 4) ? pick_size(b) : BPF_DW;
	LDX(fsz, 8, 10, slot + (one_in(b, 6) ? (int)below(b, 8) : 0));
	switch (what) {
	case 0:
		LDX(pick_size(b), 0, 8, b->ctx.fields[0][0]);
		break;
	case 2:
		MOV64X(1, 10);
		ADD64(1, -128);
		ADD64X(1, 8);
		LDX(BPF_B, 0, 1, 0);
		break;
	default:
		LDX(pick_size(b), 0, 8, edge(b, 8) - 4);
		break;
	}
}

/* A helper writing or reading a buffer of an edge-case size. */
static void s_helper(struct gb *b)
{
	int32_t buf = -(int32_t)(8 * (1 + below(b, 16)));
	bool var = one_in(b, 4);
	if (var)
		s_scalar(b, 7);
	MOV64X(1, 10);
	ADD64(1, buf);
	if (var)
		MOV64X(2, 7);
	else
		MOV64(2, edge(b, -buf));
	switch (below(b, 5)) {
	case 0:
		if (is_tracing(b->p->type)) {
			MOV64X(3, 6);
			CALL(one_in(b, 2) ? BPF_FUNC_probe_read_kernel : BPF_FUNC_probe_read);
			return;
		}
		/* fall through */
	case 1:
		CALL(BPF_FUNC_get_current_comm);
		break;
	case 2: { /* map update from a stack value */
		int m = map_of(b, value_map_types[below(b, NF(value_map_types))]);
		MOV64X(3, 1);
		ST(BPF_DW, 10, -8, 0);
		MOV64X(2, 10);
		ADD64(2, -8);
		lddw(b, 1, BPF_PSEUDO_MAP_FD, m);
		MOV64(4, 0);
		CALL(BPF_FUNC_map_update_elem);
		break;
	}
	case 3: /* csum_diff over the stack */
		if (is_tracing(b->p->type)) {
			CALL(BPF_FUNC_get_current_comm);
			break;
		}
		MOV64(3, 0);
		MOV64(4, 0);
		MOV64(5, 0);
		CALL(BPF_FUNC_csum_diff);
		break;
	default:
		if (is_tracing(b->p->type)) {
			CALL(BPF_FUNC_get_current_comm);
		} else {
			/* the packet's bytes into the stack */
			MOV64X(4, 2);
			MOV64X(3, 1);
			MOV64X(1, 6);
			MOV64(2, edge(b, 32));
			CALL(b->p->type == BPF_PROG_TYPE_XDP ? BPF_FUNC_xdp_load_bytes
							     : BPF_FUNC_skb_load_bytes);
		}
		break;
	}
	if (one_in(b, 2))
		LDX(pick_size(b), 0, 10, buf);
}

/* A bounded loop: a counter (64 or 32-bit), may_goto, or bpf_loop. */
static void s_loop(struct gb *b)
{
	switch (below(b, 4)) {
	case 0:
	case 1: {
		bool w = one_in(b, 3);
		uint8_t cls = w ? BPF_JMP32 : BPF_JMP;
		MOV64(9, one_in(b, 6) ? edge(b, 16) : 0);
		label(b, 1);
		emit(b, (w ? BPF_ALU : BPF_ALU64) | BPF_ADD | BPF_K, 9, 0, 0,
		     one_in(b, 8) ? (int32_t)below(b, 3) : 1);
		/* body: a store at a stack slot picked by the counter */
		MOV64X(1, 9);
		if (!one_in(b, 6))
			emit(b, BPF_ALU64 | BPF_AND | BPF_K, 1, 0, 0, 7);
		emit(b, BPF_ALU64 | BPF_LSH | BPF_K, 1, 0, 0, 3);
		MOV64X(2, 10);
		ADD64(2, -64);
		ADD64X(2, 1);
		STX(BPF_DW, 2, 9, 0);
		int32_t n = (int32_t)below(b, 12);
		static const uint8_t ops[] = { BPF_JLT, BPF_JLE, BPF_JNE, BPF_JSLT };
		uint8_t op = one_in(b, 8) ? (uint8_t)(cond_op(b, false) & 0xf0) : ops[below(b, 4)];
		/* the backward jump to label 1 */
		if (b->nfix < MAX_FIX && b->p->cnt < b->max) {
			size_t at = b->p->cnt;
			emit(b, (uint8_t)(cls | op | BPF_K), 9, 0, 0, n);
			b->p->insns[at].off = (int16_t)(b->lab[1] - (int)at - 1);
		}
		break;
	}
	case 2: /* may_goto */
		MOV64(9, 0);
		label(b, 1);
		jmp(b, BPF_JMP | BPF_JCOND, 0, 0, 0, 0);
		ADD64(9, 1);
		ST(BPF_DW, 10, -8, 0);
		if (b->p->cnt < b->max) {
			size_t at = b->p->cnt;
			emit(b, BPF_JMP | BPF_JA, 0, 0, 0, 0);
			b->p->insns[at].off = (int16_t)(b->lab[1] - (int)at - 1);
		}
		label(b, 0);
		if (one_in(b, 2))
			LDX(BPF_B, 0, 10, -(int32_t)(8 * (1 + below(b, 2))));
		break;
	default: /* bpf_loop(n, callback, ctx on the stack, 0) */
		ST(BPF_DW, 10, -16, 0);
		ST(BPF_DW, 10, -8, 0);
		if (one_in(b, 4))
			s_scalar(b, 1);
		else
			MOV64(1, edge(b, 16));
		subref(b, FIX_FUNC, 1);
		MOV64X(3, 10);
		ADD64(3, -16);
		MOV64(4, 0);
		CALL(BPF_FUNC_loop);
		break;
	}
}

/* A static subprogram call with a pointer (or a scalar). */
static void s_call(struct gb *b)
{
	if (one_in(b, 3)) {
		s_scalar(b, 1);
		subref(b, FIX_CALL, 2);
		MOV64X(1, 10);
		ADD64(1, -64);
		ADD64X(1, 0);
		LDX(BPF_B, 0, 1, 0);
		return;
	}
	ST(BPF_DW, 10, -16, 0);
	ST(BPF_DW, 10, -8, 0);
	MOV64X(1, 10);
	ADD64(1, -(int32_t)(8 * (1 + below(b, 3))));
	if (one_in(b, 5))
		MOV64X(1, 6);
	subref(b, FIX_CALL, 0);
	LDX(BPF_DW, 0, 10, -16);
}

/* The subprograms after the main program. */
static void subprogs(struct gb *b, size_t start[NSUB])
{
	for (int k = 0; k < NSUB; k++) {
		start[k] = b->p->cnt;
		if (!b->sub_used[k])
			continue;
		switch (k) {
		case 0: /* *(r1 + off) = 0: the caller's stack */
			ST(pick_size(b), 1, edge(b, 16) - 8, 0);
			if (one_in(b, 4))
				LDX(BPF_DW, 0, 1, 0);
			MOV64(0, 0);
			EXIT();
			break;
		case 1: /* bpf_loop callback (index, ctx): touches ctx */
			if (one_in(b, 2))
				LDX(BPF_DW, 3, 2, edge(b, 16) - 8);
			if (one_in(b, 3))
				STX(BPF_DW, 2, 1, 0);
			MOV64(0, one_in(b, 4) ? (int32_t)below(b, 3) : 0);
			EXIT();
			break;
		default: /* r0 = r1 & mask (bounds through a call) */
			MOV64X(0, 1);
			emit(b, BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, (int32_t)below(b, 128));
			EXIT();
			break;
		}
	}
}

/* ---- mutations ---- */

static void mutate(struct gb *b, size_t main_cnt)
{
	struct gv_prog *p = b->p;
	unsigned n = one_in(b, 3) ? 0 : 1 + below(b, 2);
	for (unsigned i = 0; i < n && main_cnt > 2; i++) {
		size_t at = 1 + below(b, (uint32_t)main_cnt - 1);
		struct uebpf_insn *in = &p->insns[at];
		if (at > 0 && p->insns[at - 1].code == (BPF_LD | BPF_DW | BPF_IMM))
			continue; /* lddw's second slot */
		uint8_t cls = in->code & 7;
		bool jmpc = (cls == BPF_JMP || cls == BPF_JMP32) && (in->code & 0xf0) != BPF_CALL &&
			    (in->code & 0xf0) != BPF_EXIT && (in->code & 0xf0) != BPF_JA &&
			    in->code != (BPF_JMP | BPF_JCOND);
		switch (below(b, 5)) {
		case 0: /* flip a comparison, or drop a check */
			if (jmpc) {
				if (one_in(b, 3))
					*in = (struct uebpf_insn){ .code = BPF_JMP | BPF_JA };
				else
					in->code = (uint8_t)((in->code & 0x0f) |
							     (cond_op(b, false) & 0xf0));
			}
			break;
		case 1: /* an offset by one */
			if (cls == BPF_LDX || cls == BPF_ST || cls == BPF_STX)
				in->off = (int16_t)(in->off + (one_in(b, 2) ? 1 : -1));
			break;
		case 2: /* a size or constant by one */
			if ((cls == BPF_ALU64 || cls == BPF_ALU) && (in->code & BPF_X) == 0)
				in->imm += one_in(b, 2) ? 1 : -1;
			else if (jmpc && (in->code & BPF_X) == 0)
				in->imm += one_in(b, 2) ? 1 : -1;
			break;
		case 3: /* a register swapped */
			if (cls != BPF_JMP || jmpc) {
				if (one_in(b, 2))
					in->src_reg = (uint8_t)below(b, 10);
				else
					in->dst_reg = (uint8_t)below(b, 10);
			}
			break;
		default: /* an instruction dropped */
			if (!jmpc && (in->code & 0xf0) != BPF_EXIT)
				*in = (struct uebpf_insn){ .code = BPF_JMP | BPF_JA };
			break;
		}
	}
}

/* ---- the program ---- */

void gv_generate(struct fuzz_src *s, struct gv_prog *p, enum bpf_prog_type type)
{
	memset(p, 0, sizeof(*p));
	p->type = type ? type : gv_types[fuzz_below(s, (uint32_t)gv_ntypes)];
	struct gb gb = { .s = s, .p = p, .ctx = ctx_of(p->type), .max = GV_MAX_INSNS - 24 };
	struct gb *b = &gb;
	for (int i = 0; i < MAX_LABELS; i++)
		b->lab[i] = -1;

	MOV64X(6, 1);
	unsigned n = 1 + fuzz_below(s, 4);
	for (unsigned i = 0; i < n && !b->full; i++) {
		unsigned k = fuzz_below(s, 20);
		if (k < 2)
			s_ctx_load(b, 0);
		else if (k < 5)
			s_packet(b);
		else if (k < 8)
			s_map(b);
		else if (k < 10)
			s_ringbuf(b);
		else if (k < 12)
			s_spill(b);
		else if (k < 14)
			s_helper(b);
		else if (k < 16)
			s_loop(b);
		else if (k < 17)
			s_call(b);
		else
			s_alu(b);
		resolve(b);
		if (fuzz_src_exhausted(s))
			break;
	}
	/* The return value: mostly one the type allows. */
	b->max = GV_MAX_INSNS - 12;
	b->full = false;
	if (fuzz_one_in(s, 8))
		MOV64X(0, 9);
	else
		emit(b, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0,
		     fuzz_one_in(s, 16) ? (int32_t)fuzz_below(s, 8) : (int32_t)fuzz_below(s, 2));
	EXIT();
	size_t main_cnt = p->cnt;
	mutate(b, main_cnt);
	b->max = GV_MAX_INSNS;
	size_t start[NSUB];
	subprogs(b, start);
	for (int i = 0; i < b->nsubfix; i++) {
		size_t at = b->subfix[i].at;
		p->insns[at].imm = (int32_t)(start[b->subfix[i].target] - at - 1);
	}
}

struct uebpf_insn *gv_patch_fds(const struct gv_prog *p, const int *fds)
{
	struct uebpf_insn *out = malloc(p->cnt * sizeof(*out));
	if (!out)
		return NULL;
	memcpy(out, p->insns, p->cnt * sizeof(*out));
	for (size_t i = 0; i + 1 < p->cnt; i++)
		if (out[i].code == (BPF_LD | BPF_DW | BPF_IMM)) {
			if (out[i].src_reg == BPF_PSEUDO_MAP_FD && out[i].imm >= 0 &&
			    (size_t)out[i].imm < p->nmaps)
				out[i].imm = fds[out[i].imm];
			i++;
		}
	return out;
}

bool gv_has_unbounded_loops(const struct gv_prog *p)
{
	for (size_t i = 0; i < p->cnt; i++) {
		const struct uebpf_insn *in = &p->insns[i];
		if (in->code == (BPF_JMP | BPF_JCOND) ||
		    (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 &&
		     in->imm == BPF_FUNC_loop) ||
		    (in->code == (BPF_LD | BPF_DW | BPF_IMM) && in->src_reg == BPF_PSEUDO_FUNC))
			return true;
	}
	return false;
}
