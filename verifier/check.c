// SPDX-License-Identifier: MIT
/*
 * The verifier's walk: every path of the program, instruction by
 * instruction, on abstract states (verifier/env.h). Conditional jumps
 * whose outcome is unknown push the other path; states at prune points
 * are remembered and a path whose state is covered by one already
 * explored stops there. The rules and messages are the kernel's
 * (kernel/bpf/verifier.c: do_check, check_alu_op, check_cond_jmp_op,
 * is_state_visited), for a privileged loader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers/helpers.h"
#include "isa/isa.h"
#include "verifier/env.h"

#define BPF_MAX_VAR_OFF (1 << 29)
#define MAX_PACKET_OFF 0xffff

static const char *const alu_string[16] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	"neg", "%=", "^=", "=", "s>>=", "endian", "?", "?",
};

/* ---- registers ---- */

void mark_reg_not_init(struct reg_state *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg_mark_unbounded(reg);
	reg->type = NOT_INIT;
}

uint32_t new_id(struct venv *env)
{
	return ++env->id_gen;
}

bool is_pointer(const struct reg_state *reg)
{
	return reg->type != SCALAR_VALUE && reg->type != NOT_INIT;
}

int check_reg_read(struct venv *env, uint32_t regno)
{
	if (regno >= MAX_BPF_REG) {
		verbose(env, "R%u is invalid\n", regno);
		return -EINVAL;
	}
	if (cur_regs(env)[regno].type == NOT_INIT) {
		verbose(env, "R%u !read_ok\n", regno);
		return -EACCES;
	}
	return 0;
}

int check_reg_write(struct venv *env, uint32_t regno)
{
	if (regno >= MAX_BPF_REG) {
		verbose(env, "R%u is invalid\n", regno);
		return -EINVAL;
	}
	if (regno == BPF_REG_10) {
		verbose(env, "frame pointer is read only\n");
		return -EACCES;
	}
	return 0;
}

/* ---- states ---- */

int state_alloc_stack(struct func_state *f, uint32_t bytes)
{
	uint32_t slots = (bytes + 7) / 8;

	if (slots <= f->nr_slots)
		return 0;
	struct stack_slot *s = realloc(f->stack, slots * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (uint32_t i = f->nr_slots; i < slots; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		mark_reg_not_init(&s[i].spilled);
	}
	f->stack = s;
	f->nr_slots = slots;
	return 0;
}

static void free_frame(struct func_state *f)
{
	if (f) {
		free(f->stack);
		free(f);
	}
}

void free_vstate(struct vstate *st)
{
	if (!st)
		return;
	for (uint32_t i = 0; i <= st->curframe && i < MAX_CALL_FRAMES; i++)
		free_frame(st->frame[i]);
	free(st->hist);
	free(st);
}

static struct func_state *clone_frame(const struct func_state *src)
{
	struct func_state *f = malloc(sizeof(*f));

	if (!f)
		return NULL;
	*f = *src;
	f->stack = NULL;
	if (src->nr_slots) {
		f->stack = malloc(src->nr_slots * sizeof(*f->stack));
		if (!f->stack) {
			free(f);
			return NULL;
		}
		memcpy(f->stack, src->stack, src->nr_slots * sizeof(*f->stack));
	}
	return f;
}

/* A copy of src with frames, stacks and history of its own. */
static struct vstate *clone_vstate(const struct vstate *src)
{
	struct vstate *st = malloc(sizeof(*st));

	if (!st)
		return NULL;
	*st = *src;
	memset(st->frame, 0, sizeof(st->frame));
	st->hist = NULL;
	st->hist_cap = st->hist_cnt = 0;
	if (src->hist_cnt) {
		st->hist = malloc(src->hist_cnt * sizeof(*st->hist));
		if (!st->hist)
			goto fail;
		memcpy(st->hist, src->hist, src->hist_cnt * sizeof(*st->hist));
		st->hist_cap = st->hist_cnt = src->hist_cnt;
	}
	for (uint32_t i = 0; i <= src->curframe; i++)
		if (!(st->frame[i] = clone_frame(src->frame[i])))
			goto fail;
	return st;
fail:
	free_vstate(st);
	return NULL;
}

struct vstate *push_branch(struct venv *env, uint32_t insn_idx, uint32_t prev_insn_idx)
{
	if (env->stack_size == env->stack_cap) {
		size_t cap = env->stack_cap ? env->stack_cap * 2 : 64;
		struct branch *b = realloc(env->stack, cap * sizeof(*b));
		if (!b)
			return NULL;
		env->stack = b;
		env->stack_cap = cap;
	}
	struct vstate *st = clone_vstate(env->cur);
	if (!st)
		return NULL;
	env->stack[env->stack_size++] = (struct branch){
		.st = st, .insn_idx = insn_idx, .prev_insn_idx = prev_insn_idx,
		.log_pos = log_pos(env),
	};
	if (env->stack_size > COMPLEXITY_LIMIT_JMP_SEQ) {
		verbose(env, "The sequence of %zu jumps is too complex.\n", env->stack_size);
		return NULL;
	}
	if (st->parent)
		st->parent->branches++;
	return st;
}

static void release_backedges(struct venv *env, struct vstate *head);
static int propagate_backedges(struct venv *env, struct vstate *head);

/* A path ended: the explored states it came through have one open path
 * fewer. A loop head whose paths are all done takes its backedges' marks
 * back first. */
static int update_branch_counts(struct venv *env, struct vstate *st)
{
	int err = 0;

	while (st) {
		if (--st->branches)
			break;
		struct vstate *parent = st->parent;
		if (st->backedges) {
			st->pins++; /* not freed while its backedges let go */
			err = err ? err : propagate_backedges(env, st);
			release_backedges(env, st);
			st->pins--;
		}
		if (st->retired && !st->pins)
			free_vstate(st); /* out of the lists, and now of every path */
		st = parent;
	}
	return err;
}

/* A state that left the prune lists: freed now if no path or backedge
 * goes through it any more, else when the last one ends. */
static void retire_state(struct vstate *st)
{
	if (st->branches || st->pins)
		st->retired = 1;
	else
		free_vstate(st);
}

/* ---- loops cut short: backedges ---- */

/* For an explored state at idx: the loop head not done yet whose marks it
 * may lack (the latest, when loops nest), or NULL. States outside loops
 * have their marks from their own futures. */
static struct vstate *pending_loop_head(const struct venv *env, uint32_t idx)
{
	if (!env->pending_loops || !env->aux[idx].in_loop)
		return NULL;
	return env->heads[env->pending_loops - 1];
}

/* The current path met an explored state in a loop not done yet: keep a
 * copy of it for head, whose marks are taken back along it when the
 * loop is done (the states on its way stay until then). */
static int add_backedge(struct venv *env, struct vstate *head, const struct vstate *equal,
			uint32_t idx)
{
	struct backedge *b = calloc(1, sizeof(*b));
	struct vstate *copy = b ? clone_vstate(env->cur) : NULL;
	if (!copy) {
		free(b);
		return -ENOMEM;
	}
	copy->parent = env->cur->parent;
	copy->insn_idx = idx;
	if (!head->backedges) {
		if (env->pending_loops == env->heads_cap) {
			uint32_t cap = env->heads_cap ? env->heads_cap * 2 : 8;
			struct vstate **h = realloc(env->heads, cap * sizeof(*h));
			if (!h) {
				free_vstate(copy);
				free(b);
				return -ENOMEM;
			}
			env->heads = h;
			env->heads_cap = cap;
		}
		env->heads[env->pending_loops++] = head;
	}
	for (struct vstate *p = copy->parent; p; p = p->parent)
		p->pins++;
	*b = (struct backedge){ copy, equal, head, idx, head->backedges, env->backedges };
	head->backedges = b;
	env->backedges = b;
	return 0;
}

/* Each backedge's path takes the marks of the state it met, until no
 * pass marks anything more (the kernel's propagate_backedges). */
static int propagate_backedges(struct venv *env, struct vstate *head)
{
	struct vstate *cur = env->cur;
	uint32_t insn_idx = env->insn_idx;
	uint64_t before;
	int err = 0;

	do {
		before = env->precise_marks;
		for (struct backedge *b = head->backedges; b && !err; b = b->next) {
			env->cur = b->st;
			env->insn_idx = b->insn_idx;
			err = propagate_precision(env, b->equal);
		}
	} while (!err && env->precise_marks != before);
	env->cur = cur;
	env->insn_idx = insn_idx;
	return err;
}

static void free_backedge_path(struct vstate *st)
{
	for (struct vstate *p = st->parent, *next; p; p = next) {
		next = p->parent;
		if (!--p->pins && p->retired == 1 && !p->branches)
			free_vstate(p);
	}
	free_vstate(st);
}

/* head is done: its backedges go (from the list of all as well). */
static void release_backedges(struct venv *env, struct vstate *head)
{
	for (struct backedge **pb = &env->backedges, *b; (b = *pb);) {
		if (b->head != head) {
			pb = &b->all_next;
			continue;
		}
		*pb = b->all_next;
		free_backedge_path(b->st);
		free(b);
	}
	head->backedges = NULL;
	for (uint32_t i = 0; i < env->pending_loops; i++)
		if (env->heads[i] == head) {
			memmove(&env->heads[i], &env->heads[i + 1],
				(env->pending_loops - i - 1) * sizeof(*env->heads));
			env->pending_loops--;
			break;
		}
}

/* The next path to explore, or 0 when none is left (1). */
static int pop_branch(struct venv *env)
{
	if (!env->stack_size)
		return 1;
	struct branch *b = &env->stack[--env->stack_size];
	/* The pushed state becomes the current one. */
	free_vstate(env->cur);
	env->cur = b->st;
	env->insn_idx = b->insn_idx;
	env->prev_insn_idx = b->prev_insn_idx;
	if (!(env->log_level & 2))
		log_truncate(env, b->log_pos);
	return 0;
}

/* ---- ALU ---- */

static int check_reg_sane_offset(struct venv *env, const struct reg_state *reg, uint32_t ptr_type)
{
	bool known = reg_is_const(reg);
	int64_t val = (int64_t)reg->var_off.value;
	int64_t smin = reg->smin_value;

	if (known && (val >= BPF_MAX_VAR_OFF || val <= -BPF_MAX_VAR_OFF)) {
		verbose(env, "math between %s pointer and %lld is not allowed\n",
			reg_type_str(ptr_type), (long long)val);
		return 0;
	}
	if (reg->off >= BPF_MAX_VAR_OFF || reg->off <= -BPF_MAX_VAR_OFF) {
		verbose(env, "%s pointer offset %d is not allowed\n", reg_type_str(reg->type), reg->off);
		return 0;
	}
	if (smin == INT64_MIN) {
		verbose(env, "math between %s pointer and register with unbounded min value is not allowed\n",
			reg_type_str(ptr_type));
		return 0;
	}
	if (smin >= BPF_MAX_VAR_OFF || smin <= -BPF_MAX_VAR_OFF) {
		verbose(env, "value %lld makes %s pointer be out of bounds\n", (long long)smin,
			reg_type_str(ptr_type));
		return 0;
	}
	return 1;
}

static bool add_overflows_s32(int32_t a, int64_t b)
{
	int64_t r = (int64_t)a + b;
	return r != (int32_t)r;
}

/* ptr's variable offset op= off; a packet pointer then gets a new id and
 * no proven range (the range was for the old offset). */
static void add_var_offset(struct venv *env, struct reg_state *ptr, const struct reg_state *off,
			   uint8_t op)
{
	struct reg_state var = *ptr;

	var.type = SCALAR_VALUE;
	scalar_alu(&var, off, op, false, false);
	ptr->var_off = var.var_off;
	ptr->smin_value = var.smin_value;
	ptr->smax_value = var.smax_value;
	ptr->umin_value = var.umin_value;
	ptr->umax_value = var.umax_value;
	ptr->s32_min_value = var.s32_min_value;
	ptr->s32_max_value = var.s32_max_value;
	ptr->u32_min_value = var.u32_min_value;
	ptr->u32_max_value = var.u32_max_value;
	if (base_type(ptr->type) == PTR_TO_PACKET || base_type(ptr->type) == PTR_TO_PACKET_META) {
		ptr->id = new_id(env);
		ptr->range = 0;
	}
}

/* dst = ptr op off (the kernel's adjust_ptr_min_max_vals). */
static int adjust_ptr(struct venv *env, const struct uebpf_insn *insn,
		      const struct reg_state *ptr_in,
		      const struct reg_state *off_in)
{
	struct reg_state *regs = cur_regs(env);
	struct reg_state *dst = &regs[insn->dst_reg];
	struct reg_state ptr = *ptr_in, off = *off_in;
	uint8_t opcode = BPF_OP(insn->code);
	bool known = reg_is_const(&off);
	int64_t smin_val = off.smin_value;
	uint32_t dst_regno = insn->dst_reg;

	if (BPF_CLASS(insn->code) != BPF_ALU64) {
		/* 32-bit ALU ops on pointers give (meaningless) scalars. */
		if (opcode == BPF_SUB) {
			reg_mark_unknown(dst);
			return 0;
		}
		verbose(env, "R%u 32-bit pointer arithmetic prohibited\n", dst_regno);
		return -EACCES;
	}
	if (ptr.type & PTR_MAYBE_NULL) {
		verbose(env, "R%u pointer arithmetic on %s prohibited, null-check it first\n", dst_regno,
			reg_type_str(ptr.type));
		return -EACCES;
	}
	/* An XSK map's element is the kernel's PTR_TO_XDP_SOCK. */
	if (base_type(ptr.type) == PTR_TO_MAP_VALUE && ptr.map_ptr &&
	    ptr.map_ptr->type == BPF_MAP_TYPE_XSKMAP) {
		verbose(env, "R%u pointer arithmetic on xdp_sock prohibited\n", dst_regno);
		return -EACCES;
	}
	switch (base_type(ptr.type)) {
	case PTR_TO_CTX:
	case PTR_TO_MAP_VALUE:
	case PTR_TO_MAP_KEY:
	case PTR_TO_STACK:
	case PTR_TO_PACKET_META:
	case PTR_TO_PACKET:
	case PTR_TO_MEM:
	case PTR_TO_FUNC:
	case PTR_TO_BTF_ID:
		if (ptr.type & MEM_RINGBUF && !(base_type(ptr.type) == PTR_TO_MEM))
			goto bad;
		break;
	case PTR_TO_FLOW_KEYS:
		if (known)
			break;
		goto bad;
	case CONST_PTR_TO_MAP:
		if (known && smin_val == 0 && opcode == BPF_ADD)
			break;
		goto bad;
	default:
	bad:
		verbose(env, "R%u pointer arithmetic on %s prohibited\n", dst_regno,
			reg_type_str(ptr.type));
		return -EACCES;
	}
	if (!check_reg_sane_offset(env, &off, ptr.type) ||
	    !check_reg_sane_offset(env, &ptr, ptr.type))
		return -EINVAL;

	struct reg_state res = ptr;
	switch (opcode) {
	case BPF_ADD:
		if (known && !add_overflows_s32(ptr.off, smin_val)) {
			res.off = (int32_t)(ptr.off + smin_val);
			break;
		}
		/* A variable offset: the fixed part stays, the variable part
		 * grows, and a packet pointer loses its proven range. */
		add_var_offset(env, &res, &off, BPF_ADD);
		break;
	case BPF_SUB:
		if (dst->type == SCALAR_VALUE && &regs[insn->dst_reg] != ptr_in) {
			verbose(env, "R%u tried to subtract pointer from scalar\n", dst_regno);
			return -EACCES;
		}
		if (base_type(ptr.type) == PTR_TO_STACK) {
			verbose(env, "R%u subtraction from stack pointer prohibited\n", dst_regno);
			return -EACCES;
		}
		if (known && !add_overflows_s32(ptr.off, -smin_val) && smin_val != INT64_MIN) {
			res.off = (int32_t)(ptr.off - smin_val);
			break;
		}
		add_var_offset(env, &res, &off, BPF_SUB);
		break;
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		verbose(env, "R%u bitwise operator %s on pointer prohibited\n", dst_regno,
			alu_string[opcode >> 4]);
		return -EACCES;
	default:
		verbose(env, "R%u pointer arithmetic with %s operator prohibited\n", dst_regno,
			alu_string[opcode >> 4]);
		return -EACCES;
	}
	if (!check_reg_sane_offset(env, &res, ptr.type))
		return -EINVAL;
	reg_bounds_sync(&res);
	*dst = res;
	return 0;
}

/* Before a scalar is copied: it gets an id to share with the copy. One
 * that is itself a copy plus a constant starts anew (a copy of it would
 * need a second constant). */
static void link_before_copy(struct venv *env, struct reg_state *src)
{
	if (src->link != LINK_SAME)
		scalar_unlink(src);
	if (!src->id && !reg_is_const(src))
		src->id = new_id(env);
}

static int check_alu(struct venv *env, const struct uebpf_insn *insn)
{
	struct reg_state *regs = cur_regs(env);
	uint8_t opcode = BPF_OP(insn->code);
	bool alu32 = BPF_CLASS(insn->code) == BPF_ALU;
	bool src_x = BPF_SRC(insn->code) == BPF_X;
	struct reg_state *dst = &regs[insn->dst_reg];
	int err;

	if (opcode == BPF_END || opcode == BPF_NEG) {
		if ((err = check_reg_read(env, insn->dst_reg)) || (err = check_reg_write(env, insn->dst_reg)))
			return err;
		if (dst->type != SCALAR_VALUE) {
			/* Privileged: a pointer turned into a number. */
			reg_mark_unknown(dst);
			return 0;
		}
		if (opcode == BPF_NEG) {
			struct reg_state v = *dst;
			scalar_alu(dst, &v, BPF_NEG, alu32, false);
			scalar_unlink(dst);
		} else {
			scalar_byte_swap(dst, insn->imm, BPF_SRC(insn->code) == BPF_TO_BE,
					 BPF_CLASS(insn->code) == BPF_ALU64);
			scalar_unlink(dst);
		}
		return 0;
	}

	if (opcode == BPF_MOV) {
		if (src_x && (err = check_reg_read(env, insn->src_reg)))
			return err;
		if ((err = check_reg_write(env, insn->dst_reg)))
			return err;
		if (!src_x) {
			memset(dst, 0, sizeof(*dst));
			reg_mark_known(dst, alu32 ? (uint32_t)insn->imm : (uint64_t)(int64_t)insn->imm);
			return 0;
		}
		struct reg_state *src = &regs[insn->src_reg];
		if (src->type != SCALAR_VALUE) {
			if (insn->off || alu32) {
				reg_mark_unknown(dst);
				if (alu32)
					reg_zext_32_to_64(dst);
			} else {
				*dst = *src;
			}
			return 0;
		}
		/* A copy of a scalar is linked to it (what a jump proves on
		 * one holds for the other) when the copy has its value: a
		 * 64-bit move, a 32-bit one of a value that fits, a sign
		 * extension that changes nothing. */
		uint64_t fits = insn->off ? 1ull << (insn->off - 1) : alu32 ? 1ull << 32 : 0;
		bool same = !fits || src->umax_value < fits;
		if (same)
			link_before_copy(env, src);
		struct reg_state v = *src;
		if (insn->off)
			scalar_movsx(&v, src, insn->off, alu32);
		else if (alu32)
			reg_zext_32_to_64(&v);
		if (!same)
			scalar_unlink(&v);
		*dst = v;
		return 0;
	}

	/* dst op= src|imm */
	if (src_x && (err = check_reg_read(env, insn->src_reg)))
		return err;
	if ((err = check_reg_read(env, insn->dst_reg)))
		return err;
	if ((err = check_reg_write(env, insn->dst_reg)))
		return err;
	if (!src_x && (opcode == BPF_DIV || opcode == BPF_MOD) && insn->imm == 0) {
		verbose(env, "div by zero\n");
		return -EINVAL;
	}
	if (!src_x && (opcode == BPF_LSH || opcode == BPF_RSH || opcode == BPF_ARSH)) {
		int size = alu32 ? 32 : 64;
		if (insn->imm < 0 || insn->imm >= size) {
			verbose(env, "invalid shift %d\n", insn->imm);
			return -EINVAL;
		}
	}

	struct reg_state imm_reg, *src;
	if (src_x) {
		src = &regs[insn->src_reg];
	} else {
		memset(&imm_reg, 0, sizeof(imm_reg));
		reg_mark_known(&imm_reg, (uint64_t)(int64_t)insn->imm);
		src = &imm_reg;
	}
	if (src->type != SCALAR_VALUE) {
		if (dst->type != SCALAR_VALUE) {
			if (opcode == BPF_SUB) {
				/* Privileged: pointer - pointer is a number. */
				reg_mark_unknown(dst);
				return 0;
			}
			verbose(env, "R%u pointer %s pointer prohibited\n", insn->dst_reg,
				alu_string[opcode >> 4]);
			return -EACCES;
		}
		/* scalar += pointer: the scalar's range becomes an offset. */
		if ((err = mark_precise(env, insn->dst_reg)))
			return err;
		return adjust_ptr(env, insn, src, dst);
	}
	if (dst->type != SCALAR_VALUE) {
		if (src_x && (err = mark_precise(env, insn->src_reg)))
			return err;
		return adjust_ptr(env, insn, dst, src);
	}
	struct reg_state s = *src;
	bool was_copy = dst->id && dst->link == LINK_SAME && (!alu32 || dst->umax_value <= UINT32_MAX);
	scalar_alu(dst, &s, opcode, alu32, insn->off == 1);
	/* A copy plus a constant stays linked, the constant noted (once:
	 * a second addition unlinks it, as in the kernel). */
	int64_t k = alu32 ? (int32_t)s.var_off.value : (int64_t)s.var_off.value;
	if (opcode == BPF_ADD && was_copy && reg_is_const(&s) && (int64_t)(int32_t)k == k) {
		dst->link = alu32 ? LINK_ADD32 : LINK_ADD64;
		dst->off = (int32_t)k;
	} else {
		scalar_unlink(dst);
	}
	return 0;
}

/* ---- conditional jumps ---- */

static bool reg_not_null(const struct reg_state *reg)
{
	unsigned t = base_type(reg->type);

	if (reg->type & PTR_MAYBE_NULL)
		return false;
	return t == PTR_TO_STACK || t == PTR_TO_CTX || t == PTR_TO_MAP_VALUE ||
	       t == PTR_TO_MAP_KEY || t == PTR_TO_PACKET || t == PTR_TO_PACKET_META ||
	       t == PTR_TO_PACKET_END || t == PTR_TO_FUNC || t == CONST_PTR_TO_MAP ||
	       t == PTR_TO_MEM || t == PTR_TO_SOCKET || t == PTR_TO_SOCK_COMMON ||
	       t == PTR_TO_TCP_SOCK;
}

static bool reg_is_null_const(const struct reg_state *reg)
{
	return reg->type == SCALAR_VALUE && reg_is_const(reg) && reg->var_off.value == 0;
}

/* Whether a comparison involving a pointer is decided (the kernel's
 * is_branch_taken for pointers): a non-null pointer against 0, a
 * packet pointer within its proven range against the packet end. */
static int pointer_branch_taken(const struct reg_state *r1, const struct reg_state *r2,
				uint8_t op, bool jmp32)
{
	if (jmp32)
		return -1;
	if (reg_is_null_const(r2) && reg_not_null(r1)) {
		if (op == BPF_JEQ)
			return 0;
		if (op == BPF_JNE)
			return 1;
		return -1;
	}
	if (reg_is_null_const(r1) && reg_not_null(r2)) {
		if (op == BPF_JEQ)
			return 0;
		if (op == BPF_JNE)
			return 1;
		return -1;
	}
	return -1;
}

void for_each_reg(struct vstate *st, void (*fn)(struct reg_state *reg, void *arg), void *arg)
{
	for (uint32_t f = 0; f <= st->curframe; f++) {
		struct func_state *fs = st->frame[f];
		for (int r = 0; r < MAX_BPF_REG; r++)
			if (fs->regs[r].type != NOT_INIT)
				fn(&fs->regs[r], arg);
		for (uint32_t s = 0; s < fs->nr_slots; s++)
			if (fs->stack[s].byte[0] == STACK_SPILL && fs->stack[s].spilled.type != NOT_INIT)
				fn(&fs->stack[s].spilled, arg);
	}
}

struct with_id {
	uint32_t id;
	void (*fn)(struct reg_state *reg, void *arg);
	void *arg;
};

static void call_if_id(struct reg_state *reg, void *arg)
{
	const struct with_id *w = arg;

	if (reg->id == w->id)
		w->fn(reg, w->arg);
}

/* Every register (in every frame, and spilled) sharing id: apply fn. */
static void for_each_reg_with_id(struct vstate *st, uint32_t id,
				 void (*fn)(struct reg_state *reg, void *arg), void *arg)
{
	struct with_id w = { id, fn, arg };

	for_each_reg(st, call_if_id, &w);
}

struct null_mark {
	bool is_null;
	struct venv *env;
};

static void mark_ptr_or_null(struct reg_state *reg, void *arg)
{
	const struct null_mark *m = arg;

	if (!(reg->type & PTR_MAYBE_NULL))
		return;
	if (m->is_null) {
		reg_mark_known(reg, 0);
		return;
	}
	reg->type &= ~PTR_MAYBE_NULL;
	if (base_type(reg->type) == PTR_TO_MAP_VALUE && reg->map_ptr && reg->map_ptr->inner) {
		/* An outer map's value is the inner map. */
		reg->type = CONST_PTR_TO_MAP;
		reg->map_ptr = reg->map_ptr->inner;
	}
	/* The id served the null check; a map value keeps none (the kernel
	 * keeps it only for values with a spin lock). */
	if (base_type(reg->type) == PTR_TO_MAP_VALUE &&
	    !(reg->map_ptr && reg->map_ptr->spin_lock_off >= 0))
		reg->id = 0;
}

static void mark_null_regs(struct venv *env, struct vstate *st, uint32_t regno, bool is_null)
{
	struct reg_state *reg = &st->frame[st->curframe]->regs[regno];
	uint32_t id = reg->id, ref = reg->ref_obj_id;
	struct null_mark m = { is_null, env };

	if (!id || !(reg->type & PTR_MAYBE_NULL))
		return;
	if (is_null && ref) {
		/* A failed acquire holds nothing. */
		for (uint32_t i = 0; i < st->nr_refs; i++)
			if (st->refs[i].id == ref) {
				st->refs[i] = st->refs[--st->nr_refs];
				break;
			}
	}
	for_each_reg_with_id(st, id, mark_ptr_or_null, &m);
}

struct pkt_range {
	uint32_t type;
	uint32_t range;
};

static void set_pkt_range(struct reg_state *reg, void *arg)
{
	const struct pkt_range *p = arg;

	if (reg->type == p->type && reg->range < p->range)
		reg->range = p->range;
}

/* dst (a packet pointer) <= data_end is proven: every copy of it gets
 * the range up to its offset (the kernel's find_good_pkt_pointers). */
static void find_good_pkt_pointers(struct vstate *st, const struct reg_state *dst, bool right_open)
{
	if (dst->off < 0 || (dst->off == 0 && right_open))
		return;
	if (dst->umax_value > MAX_PACKET_OFF || dst->umax_value + (uint64_t)dst->off > MAX_PACKET_OFF)
		return;
	struct pkt_range p = { dst->type, (uint32_t)dst->off + (right_open ? 1 : 0) };
	/* Every packet pointer with the same id, including id 0. */
	for_each_reg_with_id(st, dst->id, set_pkt_range, &p);
}

/* Packet pointer against packet end (or meta against data): which path
 * proves the range. this_st is the fall-through, other_st the jump. */
static bool try_match_pkt_pointers(const struct uebpf_insn *insn, const struct reg_state *dst,
				   const struct reg_state *src, struct vstate *this_st,
				   struct vstate *other_st)
{
	unsigned dt = base_type(dst->type), st = base_type(src->type);
	bool dst_data = (dt == PTR_TO_PACKET && st == PTR_TO_PACKET_END) ||
			(dt == PTR_TO_PACKET_META && st == PTR_TO_PACKET);
	bool src_data = (st == PTR_TO_PACKET && dt == PTR_TO_PACKET_END) ||
			(st == PTR_TO_PACKET_META && dt == PTR_TO_PACKET);

	if (BPF_CLASS(insn->code) == BPF_JMP32 || (!dst_data && !src_data))
		return false;
	switch (BPF_OP(insn->code)) {
	case BPF_JGT: /* data' > end: in range on fall-through */
		if (dst_data)
			find_good_pkt_pointers(this_st, dst, false);
		else
			find_good_pkt_pointers(other_st, src, true);
		return true;
	case BPF_JLT:
		if (dst_data)
			find_good_pkt_pointers(other_st, dst, true);
		else
			find_good_pkt_pointers(this_st, src, false);
		return true;
	case BPF_JGE:
		if (dst_data)
			find_good_pkt_pointers(this_st, dst, true);
		else
			find_good_pkt_pointers(other_st, src, false);
		return true;
	case BPF_JLE:
		if (dst_data)
			find_good_pkt_pointers(other_st, dst, false);
		else
			find_good_pkt_pointers(this_st, src, true);
		return true;
	default:
		return false;
	}
}

/* reg += k in 64-bit or 32-bit (zero-extended) arithmetic. */
static void scalar_add_const(struct reg_state *reg, int64_t k, bool alu32)
{
	struct reg_state c;

	memset(&c, 0, sizeof(c));
	reg_mark_known(&c, alu32 ? (uint32_t)k : (uint64_t)k);
	scalar_alu(reg, &c, BPF_ADD, alu32, false);
}

struct scalar_sync {
	const struct reg_state *self; /* the register refined */
	const struct reg_state *known; /* its state */
	struct reg_state base; /* the value the id stands for */
};

/* A register linked to the one a jump refined gets what that proves:
 * the value the id stands for, plus its own constant. */
static void sync_scalar(struct reg_state *reg, void *arg)
{
	const struct scalar_sync *s = arg;

	/* A copy plus a 32-bit constant and one plus a 64-bit constant do
	 * not learn from each other (the kernel's rule). */
	if (reg->type != SCALAR_VALUE || reg == s->self ||
	    (reg->link != LINK_SAME && s->known->link != LINK_SAME && reg->link != s->known->link))
		return;
	struct reg_state v = reg->link == LINK_SAME && s->known->link == LINK_SAME ? *s->known
										: s->base;
	if (reg->link != LINK_SAME)
		scalar_add_const(&v, reg->off, reg->link == LINK_ADD32);
	v.id = reg->id;
	v.link = reg->link;
	v.off = reg->off;
	*reg = v;
}

/* What a jump proved about a scalar holds for its linked copies. */
static void sync_linked_scalars(struct vstate *st, const struct reg_state *reg)
{
	if (reg->type != SCALAR_VALUE || !reg->id)
		return;
	struct reg_state copy = *reg;
	struct scalar_sync s = { reg, &copy, copy };
	if (copy.link != LINK_SAME)
		scalar_add_const(&s.base, -(int64_t)copy.off, copy.link == LINK_ADD32);
	for_each_reg_with_id(st, reg->id, sync_scalar, &s);
}

static int check_cond_jmp(struct venv *env, const struct uebpf_insn *insn, uint32_t *insn_idx)
{
	uint8_t op = BPF_OP(insn->code);
	bool jmp32 = BPF_CLASS(insn->code) == BPF_JMP32;
	bool src_x = BPF_SRC(insn->code) == BPF_X;
	struct reg_state *regs = cur_regs(env);
	int err;

	if ((err = check_reg_read(env, insn->dst_reg)))
		return err;
	if (src_x && (err = check_reg_read(env, insn->src_reg)))
		return err;

	struct reg_state imm_reg, *dst = &regs[insn->dst_reg], *src;
	if (src_x) {
		src = &regs[insn->src_reg];
	} else {
		memset(&imm_reg, 0, sizeof(imm_reg));
		reg_mark_known(&imm_reg, jmp32 ? (uint64_t)(uint32_t)insn->imm
					       : (uint64_t)(int64_t)insn->imm);
		src = &imm_reg;
	}

	int pred = -1;
	if (dst->type == SCALAR_VALUE && src->type == SCALAR_VALUE)
		pred = scalar_branch_taken(dst, src, op, jmp32);
	else
		pred = pointer_branch_taken(dst, src, op, jmp32);

	uint32_t idx = env->insn_idx, target = idx + insn->off + 1;
	if (pred >= 0) {
		/* A branch taken as certain depends on the operands' ranges. */
		if (dst->type == SCALAR_VALUE && (err = mark_precise(env, insn->dst_reg)))
			return err;
		if (src_x && src->type == SCALAR_VALUE && (err = mark_precise(env, insn->src_reg)))
			return err;
	}
	if (pred == 1) {
		*insn_idx = target;
		return 0;
	}
	if (pred == 0) {
		*insn_idx = idx + 1;
		return 0;
	}

	/* Registers linked to the operands are refined with them. */
	uint16_t linked = 0;
	for (int r = 0; r < MAX_BPF_REG; r++) {
		const struct reg_state *l = &regs[r];
		if (l->type == SCALAR_VALUE && l->id &&
		    ((dst->type == SCALAR_VALUE && l->id == dst->id) ||
		     (src_x && src->type == SCALAR_VALUE && l->id == src->id)))
			linked |= (uint16_t)(1u << r);
	}
	if (linked && (err = hist_push(env, idx, env->prev_insn_idx, 0, linked)))
		return err;
	struct vstate *other = push_branch(env, target, idx);
	if (!other)
		return env->stack_size > COMPLEXITY_LIMIT_JMP_SEQ ? -E2BIG : -ENOMEM;
	struct reg_state *oregs = other->frame[other->curframe]->regs;
	struct reg_state *odst = &oregs[insn->dst_reg];
	struct reg_state oimm = imm_reg, *osrc = src_x ? &oregs[insn->src_reg] : &oimm;

	if (dst->type == SCALAR_VALUE && src->type == SCALAR_VALUE) {
		/* Jump taken: dst op src holds; fall-through: its negation. */
		scalar_refine_cond(odst, osrc, op, jmp32);
		scalar_refine_cond(dst, src, cond_negate(op), jmp32);
		sync_linked_scalars(other, odst);
		if (src_x)
			sync_linked_scalars(other, osrc);
		sync_linked_scalars(env->cur, dst);
		if (src_x)
			sync_linked_scalars(env->cur, src);
		/* An impossible path (bounds crossed): nothing to explore. */
		if (reg_bounds_invalid(odst) || (src_x && reg_bounds_invalid(osrc)))
			other->branches = UINT32_MAX; /* marker, see below */
		if (reg_bounds_invalid(dst) || (src_x && reg_bounds_invalid(src)))
			env->cur->branches = UINT32_MAX;
	} else if (!jmp32 && (op == BPF_JEQ || op == BPF_JNE)) {
		/* Null checks: "if ptr == 0" proves one side null, the other
		 * not (for the pointer and every copy with its id). */
		const struct reg_state *ptr = NULL;
		uint32_t ptr_regno = 0;
		if (reg_is_null_const(src) && (dst->type & PTR_MAYBE_NULL)) {
			ptr = dst;
			ptr_regno = insn->dst_reg;
		} else if (src_x && reg_is_null_const(dst) && (src->type & PTR_MAYBE_NULL)) {
			ptr = src;
			ptr_regno = insn->src_reg;
		}
		if (ptr) {
			bool jump_is_null = op == BPF_JEQ;
			if (src_x && (err = mark_precise(env, ptr == dst ? insn->src_reg : insn->dst_reg)))
				return err;
			mark_null_regs(env, other, ptr_regno, jump_is_null);
			mark_null_regs(env, env->cur, ptr_regno, !jump_is_null);
		}
	} else if (src_x) {
		try_match_pkt_pointers(insn, dst, src, env->cur, other);
	}
	*insn_idx = idx + 1;
	return 0;
}

/* ---- instructions ---- */

static bool is_tracing_prog(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_KPROBE || t == BPF_PROG_TYPE_TRACEPOINT ||
	       t == BPF_PROG_TYPE_PERF_EVENT || t == BPF_PROG_TYPE_RAW_TRACEPOINT ||
	       t == BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE;
}

static int check_ld_imm64(struct venv *env, const struct uebpf_insn *insn, uint32_t idx)
{
	struct reg_state *dst = &cur_regs(env)[insn->dst_reg];
	int err;

	if ((err = check_reg_write(env, insn->dst_reg)))
		return err;
	memset(dst, 0, sizeof(*dst));
	switch (insn->src_reg) {
	case 0:
		reg_mark_known(dst, isa_imm64(insn));
		return 0;
	case BPF_PSEUDO_FUNC: {
		int sub = find_subprog(env, idx + insn->imm + 1);
		if (sub < 0) {
			verbose(env, "function pointer to an unknown subprogram\n");
			return -EINVAL;
		}
		reg_mark_known_zero(dst);
		dst->type = PTR_TO_FUNC;
		dst->subprogno = (uint32_t)sub;
		return 0;
	}
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_VALUE: {
		const struct vmap *map = env->opts->map_by_fd ?
			env->opts->map_by_fd(env->opts->map_arg, insn->imm) : NULL;
		if (!map) {
			verbose(env, "fd %d is not pointing to valid bpf_map\n", insn->imm);
			return -EBADF;
		}
		if (map->spin_lock_off >= 0 && is_tracing_prog(env->target.type)) {
			verbose(env, "tracing progs cannot use bpf_spin_lock yet\n");
			return -EINVAL;
		}
		reg_mark_known_zero(dst);
		dst->map_ptr = map;
		if (insn->src_reg == BPF_PSEUDO_MAP_VALUE) {
			dst->type = PTR_TO_MAP_VALUE;
			dst->off = insn[1].imm;
		} else {
			dst->type = CONST_PTR_TO_MAP;
		}
		return 0;
	}
	default:
		verbose(env, "unsupported 64-bit immediate (src %u)\n", insn->src_reg);
		return -EINVAL;
	}
}

/* Where the same instruction sees the context on one path and something
 * else on another, its rewriting cannot serve both. */
static int note_ctx_access(struct venv *env, uint32_t idx, uint32_t ptr_type)
{
	struct insn_aux *aux = &env->aux[idx];
	bool ctx = base_type(ptr_type) == PTR_TO_CTX;

	if (!aux->ptr_type_set) {
		aux->ptr_type_set = true;
		aux->ctx_access = ctx;
		return 0;
	}
	if (aux->ctx_access != ctx) {
		verbose(env, "same insn cannot be used with different pointers\n");
		return -EINVAL;
	}
	return 0;
}

static int check_ld_abs(struct venv *env, const struct uebpf_insn *insn)
{
	struct reg_state *regs = cur_regs(env);
	enum bpf_prog_type t = env->target.type;
	int err;

	if (t != BPF_PROG_TYPE_SOCKET_FILTER && t != BPF_PROG_TYPE_SCHED_CLS &&
	    t != BPF_PROG_TYPE_SCHED_ACT) {
		verbose(env, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
		return -EINVAL;
	}
	if (env->cur->nr_refs) {
		verbose(env, "BPF_LD_[ABS|IND] cannot be mixed with socket references\n");
		return -EINVAL;
	}
	if (env->cur->lock_id) {
		verbose(env, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region\n");
		return -EINVAL;
	}
	if ((err = check_reg_read(env, BPF_REG_6)))
		return err;
	if (BPF_MODE(insn->code) == BPF_IND && (err = check_reg_read(env, insn->src_reg)))
		return err;
	if (regs[BPF_REG_6].type != PTR_TO_CTX) {
		verbose(env, "at the time of BPF_LD_ABS|IND R6 != pointer to skb\n");
		return -EINVAL;
	}
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		mark_reg_not_init(&regs[r]);
	reg_mark_unknown(&regs[BPF_REG_0]);
	return 0;
}

static int check_load_store(struct venv *env, const struct uebpf_insn *insn, uint32_t idx)
{
	struct reg_state *regs = cur_regs(env);
	uint8_t cls = BPF_CLASS(insn->code), mode = BPF_MODE(insn->code);
	int size = (int)isa_size_bytes(insn->code);
	int err;

	if (cls == BPF_LDX) {
		bool sx = mode == BPF_MEMSX;
		if ((err = check_reg_read(env, insn->src_reg)) ||
		    (err = check_reg_write(env, insn->dst_reg)))
			return err;
		uint32_t ptype = regs[insn->src_reg].type;
		err = check_mem_access(env, idx, insn->src_reg, insn->off, size, ACCESS_READ,
				       insn->dst_reg, sx);
		return err ? err : note_ctx_access(env, idx, ptype);
	}
	if (cls == BPF_ST) {
		if ((err = check_reg_read(env, insn->dst_reg)))
			return err;
		/* A store of an immediate into the context is checked as a
		 * register's (the kernel allows it since 6.3; clang emits it
		 * for `skb->mark = 1` with -mcpu=v4). */
		err = check_mem_access(env, idx, insn->dst_reg, insn->off, size, ACCESS_WRITE, -1,
				       false);
		return err ? err : note_ctx_access(env, idx, regs[insn->dst_reg].type);
	}
	/* BPF_STX. A load-acquire is a load: dst = *(src + off). */
	if (mode == BPF_ATOMIC && insn->imm == BPF_LOAD_ACQ) {
		if ((err = check_reg_read(env, insn->src_reg)) ||
		    (err = check_reg_write(env, insn->dst_reg)))
			return err;
		return check_mem_access(env, idx, insn->src_reg, insn->off, size, ACCESS_READ,
					insn->dst_reg, false);
	}
	if ((err = check_reg_read(env, insn->src_reg)) || (err = check_reg_read(env, insn->dst_reg)))
		return err;
	if (mode == BPF_ATOMIC) {
		int32_t aop = insn->imm;
		if (aop == BPF_STORE_REL)
			return check_mem_access(env, idx, insn->dst_reg, insn->off, size,
						ACCESS_WRITE, insn->src_reg, false);
		if (size != 4 && size != 8) {
			verbose(env, "invalid atomic operand size\n");
			return -EINVAL;
		}
		if (aop == BPF_CMPXCHG && (err = check_reg_read(env, BPF_REG_0)))
			return err;
		unsigned t = base_type(regs[insn->dst_reg].type);
		if (t == PTR_TO_CTX || t == PTR_TO_PACKET || t == PTR_TO_PACKET_META ||
		    t == PTR_TO_FLOW_KEYS || t == PTR_TO_SOCKET || t == PTR_TO_SOCK_COMMON) {
			verbose(env, "BPF_ATOMIC stores into R%u %s is not allowed\n", insn->dst_reg,
				reg_type_str(regs[insn->dst_reg].type));
			return -EACCES;
		}
		int load_reg = -1;
		if (aop == BPF_CMPXCHG)
			load_reg = BPF_REG_0;
		else if (aop & BPF_FETCH)
			load_reg = insn->src_reg;
		if (load_reg >= 0 && (err = check_reg_write(env, (uint32_t)load_reg)))
			return err;
		/* Read, then write, the location (aligned, whatever the
		 * program's flags). */
		env->atomic_access = true;
		err = check_mem_access(env, idx, insn->dst_reg, insn->off, size, ACCESS_READ,
				       load_reg, false);
		if (!err)
			err = check_mem_access(env, idx, insn->dst_reg, insn->off, size,
					       ACCESS_WRITE, -1, false);
		env->atomic_access = false;
		return err;
	}
	err = check_mem_access(env, idx, insn->dst_reg, insn->off, size, ACCESS_WRITE,
			       insn->src_reg, false);
	return err ? err : note_ctx_access(env, idx, regs[insn->dst_reg].type);
}

/* ---- pruning ---- */

struct idmap {
	uint32_t old_id[64], cur_id[64];
	size_t n;
	bool overflow;
};

static bool check_ids(struct idmap *m, uint32_t old_id, uint32_t cur_id)
{
	if (!old_id && !cur_id)
		return true;
	if (!old_id || !cur_id)
		return old_id == cur_id;
	for (size_t i = 0; i < m->n; i++) {
		if (m->old_id[i] == old_id)
			return m->cur_id[i] == cur_id;
		if (m->cur_id[i] == cur_id)
			return false;
	}
	if (m->n == 64) {
		m->overflow = true;
		return false;
	}
	m->old_id[m->n] = old_id;
	m->cur_id[m->n++] = cur_id;
	return true;
}

static bool range_within(const struct reg_state *old, const struct reg_state *cur)
{
	return old->umin_value <= cur->umin_value && old->umax_value >= cur->umax_value &&
	       old->smin_value <= cur->smin_value && old->smax_value >= cur->smax_value &&
	       old->u32_min_value <= cur->u32_min_value && old->u32_max_value >= cur->u32_max_value &&
	       old->s32_min_value <= cur->s32_min_value && old->s32_max_value >= cur->s32_max_value;
}

static bool var_within(const struct reg_state *old, const struct reg_state *cur)
{
	return range_within(old, cur) && tnum_in(old->var_off, cur->var_off);
}

/* Whether everything the old register allowed the rest of the program
 * to assume holds for the current one (the kernel's regsafe). */
/* How states are compared: imprecise scalars match any scalar (pruning
 * against a finished state); every scalar by its range (against a state
 * still being explored); everything equal (loop detection). */
enum cmp_mode { CMP_PRECISE, CMP_RANGE, CMP_EXACT };

static bool regsafe(const struct reg_state *old, const struct reg_state *cur, struct idmap *m,
		    enum cmp_mode mode)
{
	bool exact = mode == CMP_EXACT;

	if (old->type == NOT_INIT)
		return !exact || cur->type == NOT_INIT;
	if (cur->type == NOT_INIT)
		return false;
	if (old->type != cur->type)
		return false;
	if (exact) {
		return memcmp(&old->var_off, &cur->var_off, sizeof(old->var_off)) == 0 &&
		       old->off == cur->off && old->link == cur->link &&
		       range_within(old, cur) && range_within(cur, old) &&
		       old->map_ptr == cur->map_ptr && old->range == cur->range &&
		       check_ids(m, old->id, cur->id) && check_ids(m, old->ref_obj_id, cur->ref_obj_id);
	}
	switch (base_type(old->type)) {
	case SCALAR_VALUE:
		if (mode == CMP_PRECISE && !old->precise)
			return true;
		if (!var_within(old, cur))
			return false;
		/* Linked scalars: what a later jump proves on one is applied
		 * to the others, so the links must be the same. */
		return !old->id || (check_ids(m, old->id, cur->id) && old->link == cur->link &&
				    (old->link == LINK_SAME || old->off == cur->off));
	case PTR_TO_MAP_VALUE:
	case PTR_TO_MAP_KEY:
	case PTR_TO_MEM:
		return old->map_ptr == cur->map_ptr && old->off == cur->off &&
		       (base_type(old->type) != PTR_TO_MEM || old->mem_size == cur->mem_size) &&
		       var_within(old, cur) && check_ids(m, old->id, cur->id) &&
		       check_ids(m, old->ref_obj_id, cur->ref_obj_id);
	case PTR_TO_PACKET_META:
	case PTR_TO_PACKET:
		/* A wider proven range is fine, a narrower one is not. */
		return old->range <= cur->range && old->off == cur->off && var_within(old, cur) &&
		       check_ids(m, old->id, cur->id);
	case PTR_TO_STACK:
		return old->frameno == cur->frameno && old->off == cur->off && var_within(old, cur);
	case CONST_PTR_TO_MAP:
		return old->map_ptr == cur->map_ptr && check_ids(m, old->id, cur->id);
	case PTR_TO_FUNC:
		return old->subprogno == cur->subprogno;
	default:
		return memcmp(&old->var_off, &cur->var_off, sizeof(old->var_off)) == 0 &&
		       old->off == cur->off && range_within(old, cur) &&
		       check_ids(m, old->id, cur->id) && check_ids(m, old->ref_obj_id, cur->ref_obj_id);
	}
}

static bool stacksafe(const struct func_state *old, const struct func_state *cur,
		      struct idmap *m, enum cmp_mode mode)
{
	bool exact = mode == CMP_EXACT;

	for (uint32_t s = 0; s < old->nr_slots; s++) {
		const struct stack_slot *os = &old->stack[s];
		const struct stack_slot *cs = s < cur->nr_slots ? &cur->stack[s] : NULL;
		for (int b = 0; b < 8; b++) {
			uint8_t ot = os->byte[b], ct = cs ? cs->byte[b] : STACK_INVALID;
			if (exact) {
				if (ot != ct)
					return false;
				continue;
			}
			/* Privileged programs may read uninitialised stack, as
			 * unknown bytes: an old invalid byte accepts anything
			 * and an old misc byte anything but a spill. */
			if (ot == STACK_INVALID)
				continue;
			if (ot == STACK_MISC && (ct == STACK_MISC || ct == STACK_ZERO ||
						 ct == STACK_INVALID))
				continue;
			if (ot == STACK_MISC && ct == STACK_SPILL && cs->spilled.type == SCALAR_VALUE)
				continue;
			/* A spilled scalar nothing depended on: any data. */
			if (ot == STACK_SPILL && mode == CMP_PRECISE && os->spilled.type == SCALAR_VALUE &&
			    !os->spilled.precise &&
			    (ct == STACK_MISC || ct == STACK_ZERO || ct == STACK_INVALID ||
			     (ct == STACK_SPILL && cs->spilled.type == SCALAR_VALUE)))
				continue;
			if (ot != ct)
				return false;
		}
		if (os->byte[0] == STACK_SPILL && cs && cs->byte[0] == STACK_SPILL &&
		    !regsafe(&os->spilled, &cs->spilled, m, mode))
			return false;
	}
	if (exact && cur->nr_slots > old->nr_slots) {
		for (uint32_t s = old->nr_slots; s < cur->nr_slots; s++)
			for (int b = 0; b < 8; b++)
				if (cur->stack[s].byte[b] != STACK_INVALID)
					return false;
	}
	return true;
}

static bool states_equal(struct venv *env, const struct vstate *old, const struct vstate *cur,
			 enum cmp_mode mode)
{
	bool exact = mode == CMP_EXACT;

	/* Only the first n pairs are read: the 0.5 KiB of pairs is not
	 * cleared at every comparison. */
	struct idmap m;
	m.n = 0;
	m.overflow = false;

	if (old->curframe != cur->curframe || old->nr_refs != cur->nr_refs)
		return false;
	if (!!old->lock_id != !!cur->lock_id || old->lock_off != cur->lock_off ||
	    old->lock_map != cur->lock_map)
		return false;
	if (old->lock_id && !check_ids(&m, old->lock_id, cur->lock_id))
		return false;
	for (uint32_t f = 0; f <= old->curframe; f++) {
		const struct func_state *of = old->frame[f], *cf = cur->frame[f];
		if (of->callsite != cf->callsite || of->in_callback != cf->in_callback)
			return false;
		/* The innermost frame compares the registers live at the
		 * instruction; callers those they keep across the call. */
		uint16_t live = f == old->curframe ? env->aux[cur->insn_idx].live_in
						    : (uint16_t)0x7c0; /* r6-r9, r10 */
		for (int r = 0; r < MAX_BPF_REG; r++) {
			if (!exact && !(live & (1u << r)))
				continue;
			if (!regsafe(&of->regs[r], &cf->regs[r], &m, mode))
				return false;
		}
		if (!stacksafe(of, cf, &m, mode))
			return false;
	}
	for (uint32_t i = 0; i < old->nr_refs; i++)
		if (!check_ids(&m, old->refs[i].id, cur->refs[i].id))
			return false;
	return !m.overflow;
}

static bool same_callsites(const struct vstate *a, const struct vstate *b)
{
	if (a->curframe != b->curframe)
		return false;
	for (uint32_t f = 0; f <= a->curframe; f++)
		if (a->frame[f]->callsite != b->frame[f]->callsite)
			return false;
	return true;
}

/* The latest explored state at idx in the same calls as st that is still
 * being explored (on st's path: the loop's previous round), not st's own
 * checkpoint there. */
const struct vstate *find_prev_entry(struct venv *env, const struct vstate *st, uint32_t idx)
{
	for (const struct explored *e = env->aux[idx].explored; e; e = e->next)
		if (e->st != st->parent && e->st->branches && same_callsites(e->st, st))
			return e->st;
	return NULL;
}

static void widen_reg(const struct reg_state *old, struct reg_state *cur)
{
	if (old->type != SCALAR_VALUE || cur->type != SCALAR_VALUE || old->precise || cur->precise)
		return;
	if (old->var_off.value == cur->var_off.value && old->var_off.mask == cur->var_off.mask &&
	    range_within(old, cur) && range_within(cur, old))
		return;
	reg_mark_unknown(cur);
}

/* A loop (a callback run again, a may_goto loop) goes round with the
 * scalars nothing depends on made unknown where they changed, so that
 * its states meet an explored one instead of counting up forever (the
 * kernel's widen_imprecise_scalars). */
void widen_imprecise_scalars(const struct vstate *old, struct vstate *cur)
{
	for (uint32_t f = 0; f <= old->curframe && f <= cur->curframe; f++) {
		const struct func_state *of = old->frame[f];
		struct func_state *cf = cur->frame[f];
		for (int r = 0; r < MAX_BPF_REG; r++)
			widen_reg(&of->regs[r], &cf->regs[r]);
		for (uint32_t s = 0; s < of->nr_slots && s < cf->nr_slots; s++)
			if (of->stack[s].byte[0] == STACK_SPILL && cf->stack[s].byte[0] == STACK_SPILL)
				widen_reg(&of->stack[s].spilled, &cf->stack[s].spilled);
	}
}

/* The current path ends at idx, covered by the explored state old: it
 * takes old's precise scalars now, and, within a loop not done (head),
 * again when the loop is done. */
static int covered_by(struct venv *env, struct vstate *head, const struct vstate *old,
		    uint32_t idx, bool jumped_in)
{
	if (env->log_level & 2)
		verbose(env, "%u: safe\n", idx);
	/* Going back over the path for precision starts with the step into
	 * this instruction: a jump must be in the history first, or the
	 * path would be taken to come from the instruction before. */
	int err = jumped_in ? hist_push(env, idx, env->prev_insn_idx, env->pending_hist_flags, 0)
			    : 0;
	if (!err)
		err = propagate_precision(env, old);
	if (!err && head)
		err = add_backedge(env, head, old, idx);
	return err;
}

/* At a prune point: 1 when an explored state covers the current one (the
 * path ends here), 0 to go on (maybe remembering this state), <0 on
 * error (an infinite loop). */
static int is_state_visited(struct venv *env, uint32_t idx, bool jumped_in)
{
	struct insn_aux *aux = &env->aux[idx];
	struct vstate *cur = env->cur;
	/* A new state is kept after 2 jumps and 8 instructions since the
	 * last one (the kernel's rate), always at callback calls and may_goto. */
	bool add_new = aux->calls_callback || env->insns[idx].code == (BPF_JMP | BPF_JCOND) ||
		       (env->jmps_processed - env->prev_jmps_processed >= 2 &&
			env->stats.insn_processed - env->prev_insn_processed >= 8);
	/* A long stretch without one: every state copies its history. */
	bool long_history = cur->hist_cnt > 1024;

	cur->insn_idx = idx;

	for (struct explored **pe = &aux->explored, *e; (e = *pe);) {
		struct vstate *old = e->st, *head;
		bool may_goto = env->insns[idx].code == (BPF_JMP | BPF_JCOND);
		if (old->branches && ((may_goto && old->may_goto_depth != cur->may_goto_depth) ||
				      aux->calls_callback)) {
			/* Another round of a loop whose rounds meet (a callback
			 * called again, a may_goto loop within its budget), come
			 * back to a state still being explored: it adds nothing.
			 * What that state's future needs is not known yet: the
			 * path is kept as a backedge, to take the marks back
			 * when the loop is done (the kernel's SCC backedges). */
			if (states_equal(env, old, cur, CMP_RANGE)) {
				int err = covered_by(env, old, old, idx, jumped_in);
				return err ? err : 1;
			}
		} else if (old->branches) {
			/* Still being explored: on the current path or a
			 * sibling. The same state again is a loop that
			 * cannot end. */
			if (old->may_goto_depth == cur->may_goto_depth &&
			    states_equal(env, old, cur, CMP_EXACT)) {
				print_line_info(env, idx);
				verbose(env, "infinite loop detected at insn %u\n", idx);
				return -EINVAL;
			}
			/* Within a loop, a state every 20 jumps or 100
			 * instructions is enough; callback calls and may_goto
			 * always keep theirs, the rounds meet there. */
			if (!aux->calls_callback && !may_goto && !long_history &&
			    env->jmps_processed - env->prev_jmps_processed < 20 &&
			    env->stats.insn_processed - env->prev_insn_processed < 100)
				add_new = false;
		} else if ((head = pending_loop_head(env, idx)) ?
				   states_equal(env, old, cur, CMP_RANGE) :
				   states_equal(env, old, cur, CMP_PRECISE)) {
			/* Within a loop not done yet, the explored state's marks
			 * are not complete: every scalar's range must fit. */
			e->hits++;
			int err = covered_by(env, head, old, idx, jumped_in);
			return err ? err : 1;
		}
		/* A state that keeps missing is unlikely to help: it leaves
		 * the list (kept alive while paths still descend from it).
		 * Misses count only where a state is added, so that the
		 * rounds of a loop do not evict the states of its first
		 * ones; loop checkpoints still being explored stay longer. */
		uint32_t n = old->branches && (aux->calls_callback || may_goto) ? 64 : 3;
		if (add_new)
			e->misses++;
		if (e->misses > e->hits * n + n) {
			*pe = e->next;
			aux->nr_explored--;
			env->cur_states--;
			retire_state(e->st);
			free(e);
			continue;
		}
		pe = &e->next;
	}
	if (!add_new && !long_history)
		return 0;

	/* Remember this state; the current one now descends from it. */
	struct vstate *copy = clone_vstate(cur);
	struct explored *e = calloc(1, sizeof(*e));
	if (!copy || !e) {
		free_vstate(copy);
		free(e);
		return -ENOMEM;
	}
	copy->branches = 1;
	copy->parent = cur->parent;
	copy->last_insn_idx = env->prev_insn_idx;
	e->st = copy;
	e->next = aux->explored;
	aux->explored = e;
	aux->nr_explored++;
	if (aux->nr_explored > env->stats.max_states_per_insn)
		env->stats.max_states_per_insn = aux->nr_explored;
	env->stats.total_states++;
	env->cur_states++;
	if (env->cur_states > env->stats.peak_states)
		env->stats.peak_states = env->cur_states;
	env->prev_jmps_processed = env->jmps_processed;
	env->prev_insn_processed = env->stats.insn_processed;
	cur->parent = copy;
	/* The current state's stretch starts here. */
	cur->first_insn_idx = idx;
	cur->hist_cnt = 0;
	return 0;
}

/* ---- encodings, in the kernel's words ---- */

/* Opcodes the kernel knows (its bpf_opcode_in_insntable): the ISA's,
 * without callx; known[code] once for the whole program. */
static void opcodes_known(bool known[256])
{
	memset(known, 0, 256 * sizeof(bool));
	for (size_t i = 0; i < OP__COUNT; i++)
		known[isa_ops[i].code] = true;
	known[BPF_JMP | BPF_CALL | BPF_X] = false;
}

/* What a 64-bit immediate load refers to, checked for every one,
 * reached or not (the kernel's resolve_pseudo_ldimm64). */
static int check_ldimm64_refs(struct venv *env, const struct uebpf_insn *in)
{
	const struct vmap *map;

	switch (in->src_reg) {
	case 0:
	case BPF_PSEUDO_FUNC:
		return 0;
	case BPF_PSEUDO_BTF_ID:
		verbose(env, "kernel variables by BTF id (lddw src 3) are not supported by uebpf\n");
		return -EINVAL;
	case PSEUDO_MAP_IDX:
	case PSEUDO_MAP_IDX_VALUE:
		verbose(env, "fd_idx without fd_array is invalid\n");
		return -EPROTO;
	case BPF_PSEUDO_MAP_FD:
	case BPF_PSEUDO_MAP_VALUE:
		if (in->src_reg == BPF_PSEUDO_MAP_FD && in[1].imm) {
			verbose(env, "unrecognized bpf_ld_imm64 insn\n");
			return -EINVAL;
		}
		map = env->opts->map_by_fd ? env->opts->map_by_fd(env->opts->map_arg, in->imm) : NULL;
		if (!map) {
			verbose(env, "fd %d is not pointing to valid bpf_map\n", in->imm);
			return -EBADF;
		}
		if (in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			if (map->type != BPF_MAP_TYPE_ARRAY || map->max_entries != 1) {
				verbose(env, "no direct value access support for this map type\n");
				return -EINVAL;
			}
			if ((uint32_t)in[1].imm >= map->value_size) {
				verbose(env, "invalid access to map value pointer, value_size=%u off=%u\n",
					map->value_size, (uint32_t)in[1].imm);
				return -EINVAL;
			}
		}
		return 0;
	default:
		verbose(env, "unrecognized bpf_ld_imm64 insn\n");
		return -EINVAL;
	}
}

/* What the kernel checks of every instruction before anything else
 * (resolve_pseudo_ldimm64): known opcodes, whole 64-bit immediate loads
 * with a known source and what they refer to, no jump into their second
 * half. */
static int check_encodings(struct venv *env)
{
	bool known[256];
	int err;

	opcodes_known(known);
	for (size_t i = 0; i < env->cnt; i++) {
		const struct uebpf_insn *in = &env->insns[i];
		env->err_insn = (int64_t)i;
		if (!known[in->code]) {
			verbose(env, "unknown opcode %02x\n", in->code);
			return -EINVAL;
		}
		if (BPF_CLASS(in->code) == BPF_LDX &&
		    ((BPF_MODE(in->code) != BPF_MEM && BPF_MODE(in->code) != BPF_MEMSX) || in->imm)) {
			verbose(env, "BPF_LDX uses reserved fields\n");
			return -EINVAL;
		}
		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (i + 1 == env->cnt || in[1].code || in[1].dst_reg || in[1].src_reg || in[1].off) {
			/* A lone half at the end: the kernel's next check
			 * words it as a program that does not end. */
			verbose(env, i + 1 == env->cnt ? "last insn is not an exit or jmp\n"
						       : "invalid bpf_ld_imm64 insn\n");
			return -EINVAL;
		}
		if ((err = check_ldimm64_refs(env, in)))
			return err;
		i++;
	}
	for (size_t i = 0; i < env->cnt; i++) {
		const struct uebpf_insn *in = &env->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;
			continue;
		}
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT ||
		    (op == BPF_CALL && in->src_reg != BPF_PSEUDO_CALL))
			continue;
		int64_t t = op == BPF_CALL ? (int64_t)i + in->imm + 1
			    : (cls == BPF_JMP32 && op == BPF_JA) ? (int64_t)i + in->imm + 1
								 : (int64_t)i + in->off + 1;
		if (t > 0 && (size_t)t < env->cnt &&
		    env->insns[t - 1].code == (BPF_LD | BPF_IMM | BPF_DW) &&
		    !(t >= 2 && env->insns[t - 2].code == (BPF_LD | BPF_IMM | BPF_DW))) {
			verbose(env, "jump into the middle of ldimm64 insn %lld\n", (long long)t - 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* The fields an instruction may not use, checked when it is reached
 * (the kernel's "uses reserved fields" messages). */
static int check_fields(struct venv *env, const struct uebpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	if (isa_decode(in, NULL, 0) >= 0)
		return 0;
	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_MOV && cls == BPF_ALU64 && BPF_SRC(in->code) == BPF_X && in->off == 1) {
			verbose(env, "addr_space_cast insn can only convert between address space 1 "
				"and 0\n");
			return -EINVAL;
		}
		verbose(env, "%s uses reserved fields\n", op == BPF_MOV ? "BPF_MOV" :
			op == BPF_END ? "BPF_END" : op == BPF_NEG ? "BPF_NEG" : "BPF_ALU");
		return -EINVAL;
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC) {
			verbose(env, "BPF_ATOMIC uses invalid atomic opcode %02x\n", (uint8_t)in->imm);
			return -EINVAL;
		}
		verbose(env, "BPF_STX uses reserved fields\n");
		return -EINVAL;
	case BPF_ST:
		verbose(env, "BPF_ST uses reserved fields\n");
		return -EINVAL;
	case BPF_LDX:
		verbose(env, "BPF_LDX uses reserved fields\n");
		return -EINVAL;
	case BPF_LD:
		verbose(env, BPF_MODE(in->code) == BPF_IMM ? "invalid BPF_LD_IMM insn\n"
							  : "BPF_LD_[ABS|IND] uses reserved fields\n");
		return -EINVAL;
	default:
		verbose(env, "%s uses reserved fields\n", op == BPF_CALL ? "BPF_CALL" :
			op == BPF_JA ? "BPF_JA" : op == BPF_EXIT ? "BPF_EXIT" : "BPF_JMP/JMP32");
		return -EINVAL;
	}
}

static uint32_t insn_width(const struct venv *env, uint32_t idx)
{
	return idx < env->cnt && env->insns[idx].code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1;
}

/* ---- the walk ---- */

static int do_check(struct venv *env, uint32_t start)
{
	uint32_t idx = start;
	bool first = true;
	bool popped = false, popped_step = false;
	int err;

	env->insn_idx = start;
	for (;;) {
		if (idx >= env->cnt) {
			verbose(env, "invalid insn idx %u insn_cnt %zu\n", idx, env->cnt);
			return -EFAULT;
		}
		const struct uebpf_insn *insn = &env->insns[idx];
		uint8_t cls = BPF_CLASS(insn->code);
		bool done = false;

		if (++env->stats.insn_processed > COMPLEXITY_LIMIT_INSNS) {
			verbose(env, "BPF program is too large. Processed %u insn\n",
				env->stats.insn_processed);
			return -E2BIG;
		}
		env->insn_idx = idx;
		/* A step that is not from the instruction before is recorded
		 * for going back over the path. */
		bool jumped_in = !first && (popped_step || env->prev_insn_idx +
								insn_width(env, env->prev_insn_idx) !=
							idx);
		if (env->aux[idx].prune_point) {
			err = is_state_visited(env, idx, jumped_in);
			if (err < 0)
				return err;
			if (err == 1) {
				done = true;
				goto path_end;
			}
		}
		if (env->log_level & 3) {
			if (popped) {
				verbose(env, "\nfrom %u to %u: ", env->prev_insn_idx, idx);
				print_state(env, env->cur, true);
				popped = false;
			}
			print_line_info(env, idx);
			print_insn(env, idx);
		}
		/* Fields are checked when first reached: they do not change. */
		if (!env->aux[idx].seen && (err = check_fields(env, insn)))
			return err;
		env->aux[idx].seen = true;
		uint32_t next = idx + 1;
		env->hist_this_insn = false;
		if (jumped_in && (err = hist_push(env, idx, env->prev_insn_idx,
						  env->pending_hist_flags, 0)))
			return err;
		env->pending_hist_flags = 0;
		popped_step = false;
		first = false;

		switch (cls) {
		case BPF_ALU:
		case BPF_ALU64:
			err = check_alu(env, insn);
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			err = check_load_store(env, insn, idx);
			break;
		case BPF_LD:
			if (BPF_MODE(insn->code) == BPF_IMM) {
				err = check_ld_imm64(env, insn, idx);
				next = idx + 2;
			} else {
				err = check_ld_abs(env, insn);
			}
			break;
		default: { /* JMP, JMP32 */
			uint8_t op = BPF_OP(insn->code);
			env->jmps_processed++;
			if (op == BPF_CALL) {
				if (env->cur->lock_id && !(insn->src_reg == 0 &&
							   insn->imm == BPF_FUNC_spin_unlock)) {
					verbose(env, "function calls are not allowed while holding a lock\n");
					return -EINVAL;
				}
				if (insn->src_reg == BPF_PSEUDO_CALL) {
					err = check_subprog_call(env, insn, &next);
				} else if (insn->src_reg == 0) {
					err = check_helper_call(env, insn, &next);
				} else {
					verbose(env, "calling kernel functions is not supported\n");
					err = -EINVAL;
				}
			} else if (op == BPF_JA) {
				if (BPF_SRC(insn->code) != BPF_K) {
					verbose(env, "BPF_JA uses reserved fields\n");
					return -EINVAL;
				}
				next = cls == BPF_JMP32 ? idx + insn->imm + 1 : idx + insn->off + 1;
				err = 0;
			} else if (op == BPF_EXIT) {
				err = check_exit(env, &next, &done);
			} else if (op == BPF_JCOND) {
				/* may_goto: the loop's next round is a path of its
				 * own, one level deeper; this one leaves the loop. */
				struct vstate *round = push_branch(env, idx + 1, idx);
				if (!round)
					return env->stack_size > COMPLEXITY_LIMIT_JMP_SEQ ? -E2BIG : -ENOMEM;
				round->may_goto_depth++;
				const struct vstate *prev = env->cur->parent ?
					find_prev_entry(env, env->cur, idx) : NULL;
				if (prev)
					widen_imprecise_scalars(prev, round);
				next = idx + insn->off + 1;
				err = 0;
			} else {
				err = check_cond_jmp(env, insn, &next);
			}
			break;
		}
		}
		if (err) {
			env->err_insn = idx;
			return err;
		}
		if (env->log_level & 2 && !done) {
			verbose(env, " ; ");
			print_state(env, env->cur, false);
		}
		/* A path whose bounds became impossible ends here. */
		if (env->cur->branches == UINT32_MAX)
			done = true;
		if (!done) {
			env->prev_insn_idx = idx;
			idx = next;
			continue;
		}
path_end:
		err = update_branch_counts(env, env->cur->parent);
		env->cur->parent = NULL; /* it may be gone now */
		if (err)
			return err;
		for (;;) {
			err = pop_branch(env);
			if (err < 0)
				return err;
			if (err == 1)
				return 0;
			if (env->cur->branches == UINT32_MAX) {
				/* An impossible branch pushed by a jump. */
				env->cur->branches = 0;
				err = update_branch_counts(env, env->cur->parent);
				env->cur->parent = NULL; /* it may be gone now */
				if (err)
					return err;
				continue;
			}
			break;
		}
		idx = env->insn_idx;
		popped = popped_step = true;
	}
}

/* ---- preparation ---- */

int find_subprog(const struct venv *env, uint32_t start)
{
	for (size_t i = 0; i < env->cfg.nr_subprogs; i++)
		if (env->cfg.subprog_start[i] == start)
			return (int)i;
	return -1;
}

static uint16_t regs_read(const struct uebpf_insn *in, uint16_t *written)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	uint16_t r = 0, w = 0;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (op != BPF_MOV)
			r |= 1u << in->dst_reg;
		if (BPF_SRC(in->code) == BPF_X && op != BPF_END && op != BPF_NEG)
			r |= 1u << in->src_reg;
		w |= 1u << in->dst_reg;
		break;
	case BPF_LDX:
		r |= 1u << in->src_reg;
		w |= 1u << in->dst_reg;
		break;
	case BPF_ST:
		r |= 1u << in->dst_reg;
		break;
	case BPF_STX:
		r |= 1u << in->dst_reg | 1u << in->src_reg;
		if (BPF_MODE(in->code) == BPF_ATOMIC) {
			if (in->imm == BPF_CMPXCHG) {
				r |= 1;
				w |= 1;
			} else if (in->imm == BPF_LOAD_ACQ) {
				r = 1u << in->src_reg;
				w |= 1u << in->dst_reg;
			} else if (in->imm & BPF_FETCH) {
				w |= 1u << in->src_reg;
			}
		}
		break;
	case BPF_LD:
		if (BPF_MODE(in->code) == BPF_IMM) {
			w |= 1u << in->dst_reg;
		} else {
			r |= 1u << 6;
			if (BPF_MODE(in->code) == BPF_IND)
				r |= 1u << in->src_reg;
			w |= 0x3f;
		}
		break;
	default:
		if (op == BPF_CALL) {
			/* A helper reads its arguments only; a subprogram may
			 * read r1-r5. */
			const struct helper_proto *p = in->src_reg == 0 ? helper_proto(in->imm) : NULL;
			if (p) {
				for (int a = 0; a < 5 && p->args[a] != ARG_NONE; a++)
					r |= (uint16_t)(1u << (a + 1));
			} else {
				r |= 0x3e;
			}
			w |= 0x3f;
		} else if (op == BPF_EXIT) {
			r |= 1;
		} else if (op != BPF_JA && op != BPF_JCOND) {
			r |= 1u << in->dst_reg;
			if (BPF_SRC(in->code) == BPF_X)
				r |= 1u << in->src_reg;
		}
		break;
	}
	*written = w;
	return r;
}

/* Registers read before written from each instruction on (backwards
 * data flow to a fixed point), so pruning compares only those. */
static void compute_liveness(struct venv *env)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t i = env->cnt; i-- > 0;) {
			const struct uebpf_insn *in = &env->insns[i];
			uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
			uint16_t w, r = regs_read(in, &w), out = 0;
			bool jmp = cls == BPF_JMP || cls == BPF_JMP32;

			if (i > 0 && env->insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW))
				continue; /* second half of lddw */
			size_t width = in->code == (BPF_LD | BPF_IMM | BPF_DW) ? 2 : 1;
			if (jmp && op == BPF_EXIT) {
				out = 0;
			} else if (jmp && op == BPF_JA) {
				int64_t t = cls == BPF_JMP32 ? (int64_t)i + in->imm + 1
							     : (int64_t)i + in->off + 1;
				if (t >= 0 && (size_t)t < env->cnt)
					out = env->aux[t].live_in;
			} else {
				if (i + width < env->cnt)
					out = env->aux[i + width].live_in;
				if (jmp && op != BPF_CALL) {
					int64_t t = (int64_t)i + in->off + 1;
					if (t >= 0 && (size_t)t < env->cnt)
						out |= env->aux[t].live_in;
				}
			}
			uint16_t live = (uint16_t)((out & ~w) | r | (1u << 10));
			if (live != env->aux[i].live_in) {
				env->aux[i].live_in = live;
				changed = true;
			}
		}
	}
}

/* Where states are compared and remembered, as the kernel's check_cfg
 * marks them: conditional jumps and the targets of every jump, the
 * instruction after a call, calls into subprograms and callbacks. */
static void mark_prune_points(struct venv *env)
{
	for (size_t i = 0; i < env->cnt; i++) {
		const struct uebpf_insn *in = &env->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;
			continue;
		}
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			if (i + 1 < env->cnt)
				env->aux[i + 1].prune_point = true;
			if (in->src_reg == BPF_PSEUDO_CALL)
				env->aux[i].prune_point = true;
			if (in->src_reg == 0 && (in->imm == BPF_FUNC_loop ||
						 in->imm == BPF_FUNC_for_each_map_elem))
				env->aux[i].prune_point = env->aux[i].calls_callback = true;
			continue;
		}
		if (op == BPF_JA) {
			int64_t t = cls == BPF_JMP32 ? (int64_t)i + in->imm + 1 : (int64_t)i + in->off + 1;
			if (t >= 0 && (size_t)t < env->cnt)
				env->aux[t].prune_point = true;
			continue;
		}
		/* A conditional jump, and where it goes. */
		env->aux[i].prune_point = true;
		int64_t t = (int64_t)i + in->off + 1;
		if (t >= 0 && (size_t)t < env->cnt)
			env->aux[t].prune_point = true;
	}
}

/* The subprogram insn i belongs to. */
static size_t subprog_of(const struct venv *env, size_t i)
{
	size_t k = 0;
	while (k + 1 < env->cfg.nr_subprogs && env->cfg.subprog_start[k + 1] <= i)
		k++;
	return k;
}

/* Which instructions are part of a loop (insn_aux.in_loop): from a jump
 * back to its target; every instruction of a callback and of what it
 * calls; the calls of callbacks. A generous superset of the kernel's
 * strongly connected components: only its comparisons are stricter. */
static int mark_loop_insns(struct venv *env)
{
	size_t n = env->cfg.nr_subprogs;
	bool *cb = calloc(n ? n : 1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	for (size_t i = 0; i < env->cnt; i++) {
		const struct uebpf_insn *in = &env->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (in->src_reg == BPF_PSEUDO_FUNC && (int64_t)i + in->imm + 1 >= 0 &&
			    (size_t)((int64_t)i + in->imm + 1) < env->cnt)
				cb[subprog_of(env, (size_t)((int64_t)i + in->imm + 1))] = true;
			i++;
			continue;
		}
		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			env->aux[i].in_loop |= env->aux[i].calls_callback;
			continue;
		}
		int64_t t = (int64_t)i + 1 +
			    (cls == BPF_JMP32 && op == BPF_JA ? in->imm : in->off);
		for (int64_t k = t; k >= 0 && k <= (int64_t)i; k++)
			env->aux[k].in_loop = true;
	}
	/* What callbacks call is part of their loop too. */
	for (bool grew = true; grew;) {
		grew = false;
		for (size_t i = 0; i < env->cnt; i++) {
			const struct uebpf_insn *in = &env->insns[i];
			if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != BPF_PSEUDO_CALL ||
			    !cb[subprog_of(env, i)])
				continue;
			int64_t t = (int64_t)i + in->imm + 1;
			if (t >= 0 && (size_t)t < env->cnt && !cb[subprog_of(env, (size_t)t)])
				cb[subprog_of(env, (size_t)t)] = grew = true;
		}
	}
	for (size_t i = 0; i < env->cnt; i++)
		env->aux[i].in_loop |= cb[subprog_of(env, i)];
	free(cb);
	return 0;
}

/* The state a program (sub 0) or a global function starts in: r1 the
 * context, or the function's arguments as its BTF says; r10 the frame. */
static int init_state(struct venv *env, uint32_t sub)
{
	struct vstate *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->frame[0] = calloc(1, sizeof(*st->frame[0]));
	if (!st->frame[0]) {
		free(st);
		return -ENOMEM;
	}
	struct func_state *f = st->frame[0];
	for (int r = 0; r < MAX_BPF_REG; r++)
		mark_reg_not_init(&f->regs[r]);
	f->callsite = -1;
	f->subprogno = sub;
	st->first_insn_idx = env->subprogs[sub].start;
	reg_mark_known_zero(&f->regs[BPF_REG_10]);
	f->regs[BPF_REG_10].type = PTR_TO_STACK;
	const struct verifier_func *fn = env->subprogs[sub].btf;
	if (!sub || !fn) {
		reg_mark_known_zero(&f->regs[BPF_REG_1]);
		f->regs[BPF_REG_1].type = PTR_TO_CTX;
	} else {
		for (int i = 0; i < fn->nargs; i++) {
			struct reg_state *reg = &f->regs[i + 1];
			if (fn->arg[i] == VARG_CTX) {
				reg_mark_known_zero(reg);
				reg->type = PTR_TO_CTX;
			} else if (fn->arg[i] == VARG_MEM) {
				reg_mark_known_zero(reg);
				reg->type = PTR_TO_MEM | PTR_MAYBE_NULL;
				reg->mem_size = fn->arg_size[i];
				reg->id = new_id(env);
			} else {
				reg_mark_unknown(reg);
			}
		}
	}
	env->cur = st;
	return 0;
}

/* Explored states belong to one walk (the program's or a global
 * function's). */
static void forget_explored(struct venv *env)
{
	for (size_t i = 0; i < env->cnt; i++) {
		struct explored *e = env->aux[i].explored;
		while (e) {
			struct explored *next = e->next;
			retire_state(e->st);
			free(e);
			e = next;
		}
		env->aux[i].explored = NULL;
		env->aux[i].nr_explored = 0;
	}
	env->cur_states = 0;
}

/* The combined stack of every call chain fits in 512 bytes (checked
 * after the walk, as the kernel's check_max_stack_depth). */
static int check_max_stack_depth(struct venv *env)
{
	size_t n = env->cfg.nr_subprogs;
	/* Depth-first over the static call graph, frames on an explicit stack. */
	struct { uint32_t sub, pc; } frames[MAX_CALL_FRAMES + 1];
	uint32_t depth[MAX_CALL_FRAMES + 1];
	int top = 0;

	frames[0].sub = 0;
	frames[0].pc = 0;
	/* Frames round up to 16 bytes, as with the kernel's JIT. */
	depth[0] = (env->subprogs[0].stack_depth + 15) & ~15u;
	for (;;) {
		uint32_t sub = frames[top].sub;
		uint32_t end = sub + 1 < n ? env->cfg.subprog_start[sub + 1] : (uint32_t)env->cnt;
		uint32_t pc = frames[top].pc ? frames[top].pc : env->cfg.subprog_start[sub];
		bool pushed = false;

		for (; pc < end; pc++) {
			const struct uebpf_insn *in = &env->insns[pc];
			if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != BPF_PSEUDO_CALL ||
			    !env->aux[pc].seen)
				continue;
			int callee = find_subprog(env, pc + in->imm + 1);
			if (callee < 0)
				continue;
			frames[top].pc = pc + 1;
			if (top + 1 >= MAX_CALL_FRAMES) {
				verbose(env, "the call stack of %d frames is too deep !\n", top + 1);
				return -E2BIG;
			}
			/* Tail calls from a subprogram keep its callers' frames:
			 * 33 of them must fit, so the callers get 256 bytes. */
			if (env->subprogs[callee].has_tail_call && depth[top] >= 256) {
				verbose(env, "tail_calls are not allowed when call stack of previous "
					"frames is %u bytes. Too large\n", depth[top]);
				return -EACCES;
			}
			uint32_t d = (env->subprogs[callee].stack_depth + 15) & ~15u;
			depth[top + 1] = depth[top] + d;
			if (depth[top + 1] > MAX_BPF_STACK) {
				verbose(env, "combined stack size of %d calls is %u. Too large\n",
					top + 2, depth[top + 1]);
				return -EACCES;
			}
			top++;
			frames[top].sub = (uint32_t)callee;
			frames[top].pc = 0;
			pushed = true;
			break;
		}
		if (pushed)
			continue;
		if (top == 0)
			return 0;
		top--;
	}
}

static void free_env(struct venv *env)
{
	/* Backedges of loops a rejection left unfinished: their paths let
	 * go first, while every state they go through is still there. */
	while (env->backedges) {
		struct backedge *b = env->backedges;
		env->backedges = b->all_next;
		free_backedge_path(b->st);
		free(b);
	}
	free(env->heads);
	/* Retired states that unfinished paths (a rejection) still count
	 * are on those paths' parent chains: collect each once first. The
	 * chains share their beginnings; a walk stops where an earlier one
	 * went (3: walked, not retired), or the walks are quadratic. */
	struct vstate **retired = NULL;
	size_t nretired = 0, cap = 0;
	for (size_t i = 0; i <= env->stack_size; i++) {
		struct vstate *st = i < env->stack_size ? env->stack[i].st : env->cur;
		for (st = st ? st->parent : NULL; st; st = st->parent) {
			if (st->retired >= 2)
				break;
			if (st->retired != 1) {
				st->retired = 3;
				continue;
			}
			if (nretired == cap) {
				size_t c = cap ? cap * 2 : 16;
				struct vstate **r = realloc(retired, c * sizeof(*r));
				if (!r)
					break;
				retired = r;
				cap = c;
			}
			st->retired = 2; /* collected */
			retired[nretired++] = st;
		}
	}
	if (env->aux) {
		for (size_t i = 0; i < env->cnt; i++) {
			struct explored *e = env->aux[i].explored;
			while (e) {
				struct explored *next = e->next;
				free_vstate(e->st);
				free(e);
				e = next;
			}
		}
	}
	for (size_t i = 0; i < nretired; i++)
		free_vstate(retired[i]);
	free(retired);
	for (size_t i = 0; i < env->stack_size; i++)
		free_vstate(env->stack[i].st);
	free(env->stack);
	free_vstate(env->cur);
	free(env->aux);
	free(env->subprogs);
	cfg_free(&env->cfg);
	free(env->log);
}

/* Rewrites context accesses for the runtime context (after acceptance). */
static int convert_ctx_accesses(struct venv *env, struct uebpf_insn **out, size_t *out_cnt)
{
	size_t cap = env->cnt + 16, n = 0;
	struct uebpf_insn *prog = malloc(cap * sizeof(*prog));
	uint32_t *new_idx = malloc((env->cnt + 1) * sizeof(*new_idx));

	if (!prog || !new_idx) {
		free(prog);
		free(new_idx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < env->cnt; i++) {
		struct uebpf_insn patch[16];
		int k = 0;

		new_idx[i] = (uint32_t)n;
		/* Code no path reaches becomes a jump to itself (the kernel's
		 * sanitize_dead_code): never run, and nothing in it (an
		 * unknown helper) can stop the program from loading. */
		bool second_half = i > 0 && env->insns[i - 1].code == (BPF_LD | BPF_IMM | BPF_DW) &&
				   env->aux[i - 1].seen;
		if (!env->aux[i].seen && !second_half) {
			patch[0] = (struct uebpf_insn){ .code = BPF_JMP | BPF_JA, .off = -1 };
			k = 1;
		} else if (env->aux[i].ctx_access && env->aux[i].seen && env->pt &&
		    env->pt->convert_ctx_access) {
			k = env->pt->convert_ctx_access(&env->target, &env->insns[i], patch, 16);
			if (k < 0) {
				free(prog);
				free(new_idx);
				verbose(env, "cannot rewrite the context access at insn %zu\n", i);
				return k;
			}
		}
		if (n + (k ? (size_t)k : 1) > cap) {
			cap = cap * 2 + 16;
			struct uebpf_insn *p = realloc(prog, cap * sizeof(*p));
			if (!p) {
				free(prog);
				free(new_idx);
				return -ENOMEM;
			}
			prog = p;
		}
		if (k) {
			memcpy(&prog[n], patch, (size_t)k * sizeof(*patch));
			n += (size_t)k;
		} else {
			prog[n++] = env->insns[i];
		}
	}
	new_idx[env->cnt] = (uint32_t)n;
	/* Jumps and calls: offsets between the new positions. */
	for (size_t i = 0; i < env->cnt; i++) {
		const struct uebpf_insn *in = &env->insns[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		struct uebpf_insn *o = &prog[new_idx[i]];
		if (!env->aux[i].seen)
			continue; /* a dead instruction or a second half */
		bool is_call = cls == BPF_JMP && op == BPF_CALL && in->src_reg == BPF_PSEUDO_CALL;
		bool is_func = in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_FUNC;

		if (is_call || is_func) {
			int64_t t = (int64_t)i + in->imm + 1;
			o->imm = (int32_t)((int64_t)new_idx[t] - new_idx[i] - 1);
		} else if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT) {
			if (cls == BPF_JMP32 && op == BPF_JA) {
				int64_t t = (int64_t)i + in->imm + 1;
				o->imm = (int32_t)((int64_t)new_idx[t] - new_idx[i] - 1);
			} else {
				int64_t t = (int64_t)i + in->off + 1;
				int64_t rel = (int64_t)new_idx[t] - new_idx[i] - 1;
				if (rel != (int16_t)rel) {
					free(prog);
					free(new_idx);
					verbose(env, "jump at insn %zu too far after rewriting\n", i);
					return -E2BIG;
				}
				o->off = (int16_t)rel;
			}
		}
	}
	free(new_idx);
	*out = prog;
	*out_cnt = n;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int verify_program(const struct uebpf_insn *insns, size_t cnt, const struct verifier_opts *opts,
		   struct uebpf_insn **out, size_t *out_cnt, struct verifier_stats *stats)
{
	struct venv env = { 0 };
	uint64_t start = now_ns();
	char msg[256];
	int err;

	env.insns = insns;
	env.cnt = cnt;
	env.opts = opts;
	env.log_level = opts->log_buf && opts->log_size ? opts->log_level : 0;
	env.target.type = opts->prog_type;
	env.target.expected_attach_type = opts->expected_attach_type;
	env.strict_alignment = opts->prog_flags & BPF_F_STRICT_ALIGNMENT;
	env.pt = progtype_get(opts->prog_type);
	env.last_line = UINT32_MAX;
	if (out)
		*out = NULL;

	env.err_insn = -1;
	err = check_encodings(&env);
	if (err)
		goto done;
	env.err_insn = -1;
	err = cfg_check(insns, cnt, &env.cfg, msg, sizeof(msg));
	if (err) {
		if (err == -EINVAL)
			verbose(&env, "%s\n", msg);
		goto done;
	}
	env.aux = calloc(cnt, sizeof(*env.aux));
	env.subprogs = calloc(env.cfg.nr_subprogs, sizeof(*env.subprogs));
	if (!env.aux || !env.subprogs) {
		err = -ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < env.cfg.nr_subprogs; i++)
		env.subprogs[i].start = env.cfg.subprog_start[i];
	compute_liveness(&env);
	mark_prune_points(&env);
	if ((err = mark_loop_insns(&env)))
		goto done;
	for (size_t i = 0; i < env.cfg.nr_subprogs; i++)
		for (size_t k = 0; k < opts->func_cnt; k++)
			if (opts->funcs[k].insn_off == env.subprogs[i].start)
				env.subprogs[i].btf = &opts->funcs[k];
	if ((err = init_state(&env, 0)))
		goto done;
	err = do_check(&env, 0);
	/* Then each global function called, on its own. */
	while (!err) {
		size_t sub = 1;
		while (sub < env.cfg.nr_subprogs &&
		       !(env.subprogs[sub].called && !env.subprogs[sub].verified))
			sub++;
		if (sub == env.cfg.nr_subprogs)
			break;
		env.subprogs[sub].verified = true;
		forget_explored(&env);
		free_vstate(env.cur);
		env.cur = NULL;
		if (env.log_level & 3)
			verbose(&env, "Validating %s() func#%zu...\n", env.subprogs[sub].btf->name ?
				env.subprogs[sub].btf->name : "", sub);
		err = init_state(&env, (uint32_t)sub);
		if (!err)
			err = do_check(&env, env.subprogs[sub].start);
	}
	if (!err)
		err = check_max_stack_depth(&env);
	if (!err && out) {
		err = convert_ctx_accesses(&env, out, out_cnt);
		if (!err && uebpf_insns_check(*out, *out_cnt, msg, sizeof(msg))) {
			/* What the kernel lets through and the engine does not
			 * run (the decoder's reason names the instruction). */
			verbose(&env, "%s\n", msg);
			free(*out);
			*out = NULL;
			err = -EINVAL;
		}
	}
	if (err == -E2BIG || err == -EINVAL || err == -EACCES || err == -EFAULT || err == -EBADF ||
	    err == -EPROTO || err == -ENOTSUPP)
		; /* the kernel's codes for a rejection */
	else if (err && err != -ENOMEM)
		err = -EINVAL;
done:
	env.stats.time_ns = now_ns() - start;
	env.stats.stack_depth = env.subprogs ? env.subprogs[0].stack_depth : 0;
	if (err && !(env.log_level & 3))
		log_name_insn(&env);
	if (env.log_level & 4) {
		verbose(&env, "verification time %llu usec\n",
			(unsigned long long)(env.stats.time_ns / 1000));
		verbose(&env, "stack depth %u\n", env.stats.stack_depth);
	}
	if (env.log_level)
		verbose(&env, "processed %u insns (limit %u) max_states_per_insn %u total_states %u "
			"peak_states %u mark_read 0\n", env.stats.insn_processed,
			COMPLEXITY_LIMIT_INSNS, env.stats.max_states_per_insn, env.stats.total_states,
			env.stats.peak_states);
	log_finish(&env);
	if (stats)
		*stats = env.stats;
	free_env(&env);
	return err;
}
