// SPDX-License-Identifier: MIT
/*
 * Precision: which scalars' exact ranges the program's safety depends
 * on. A scalar is precise when it decides a memory access (a pointer
 * offset, a size), a helper's constant argument, a return value that is
 * checked, or a branch the walk took as certain. Only precise scalars
 * must match when a state is compared with an explored one; the others
 * may hold anything, so paths that differ only in them are pruned (the
 * kernel's mark_chain_precision and backtrack_insn, on the same idea).
 *
 * When a scalar must be precise, the walk goes back over the path that
 * computed it (the instructions of the current state, then of each
 * explored state it descends from, using the recorded history of
 * non-sequential steps and stack accesses), collecting the registers
 * and stack slots it came from, and marks them precise in those states.
 * Where going back is not possible (callbacks, legacy packet loads),
 * every scalar of every state on the path becomes precise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/env.h"

struct backtrack {
	uint32_t frame; /* the frame the instruction being undone ran in */
	uint16_t regs[MAX_CALL_FRAMES];
	uint64_t slots[MAX_CALL_FRAMES];
};

static bool bt_empty(const struct backtrack *bt)
{
	for (int f = 0; f < MAX_CALL_FRAMES; f++)
		if (bt->regs[f] || bt->slots[f])
			return false;
	return true;
}

int hist_push(struct venv *env, uint32_t idx, uint32_t prev, uint32_t flags, uint16_t linked)
{
	struct vstate *st = env->cur;

	if (env->hist_this_insn && st->hist_cnt && st->hist[st->hist_cnt - 1].idx == idx) {
		st->hist[st->hist_cnt - 1].flags |= flags;
		st->hist[st->hist_cnt - 1].linked |= linked;
		return 0;
	}
	if (st->hist_cnt == st->hist_cap) {
		uint32_t cap = st->hist_cap ? st->hist_cap * 2 : 16;
		struct hist_entry *h = realloc(st->hist, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		st->hist = h;
		st->hist_cap = cap;
	}
	st->hist[st->hist_cnt++] = (struct hist_entry){ idx, prev, flags, linked };
	env->hist_this_insn = true;
	return 0;
}

static bool is_lddw(const struct venv *env, uint32_t i)
{
	return env->insns[i].code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* The instruction before i on the path, from the history (consumed
 * backwards), or the one before it in the program. */
static uint32_t prev_insn(const struct venv *env, const struct vstate *st, uint32_t i,
			  uint32_t *hist, const struct hist_entry **entry)
{
	if (*hist && st->hist[*hist - 1].idx == i) {
		*entry = &st->hist[*hist - 1];
		(*hist)--;
		return (*entry)->prev_idx;
	}
	*entry = NULL;
	if (i >= 2 && is_lddw(env, i - 2))
		return i - 2;
	return i - 1;
}

/* The history entry of instruction i in this visit, if any. */
static const struct hist_entry *entry_of(const struct vstate *st, uint32_t i, uint32_t hist)
{
	return hist && st->hist[hist - 1].idx == i ? &st->hist[hist - 1] : NULL;
}

/* Undoes instruction i for the backtracking set: what it wrote leaves
 * the set, what that came from joins it. 0, or -ENOTSUPP to give up.
 * subseq is the instruction the path went to after i. */
static int backtrack_insn(const struct venv *env, uint32_t i, uint32_t subseq,
			  const struct hist_entry *h, struct backtrack *bt)
{
	const struct uebpf_insn *in = &env->insns[i];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code), mode = BPF_MODE(in->code);
	uint16_t *mask = &bt->regs[bt->frame];
	uint16_t dbit = (uint16_t)(1u << in->dst_reg), sbit = (uint16_t)(1u << in->src_reg);

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		if (!(*mask & dbit))
			return 0;
		if (op == BPF_MOV) {
			*mask &= (uint16_t)~dbit;
			if (BPF_SRC(in->code) == BPF_X)
				*mask |= sbit;
		} else if (BPF_SRC(in->code) == BPF_X && op != BPF_END && op != BPF_NEG) {
			*mask |= sbit;
		}
		return 0;
	case BPF_LDX:
		if (!(*mask & dbit))
			return 0;
		*mask &= (uint16_t)~dbit;
		if (h && h->flags & HIST_STACK)
			bt->slots[HIST_FRAME(h->flags)] |= 1ull << HIST_SPI(h->flags);
		return 0;
	case BPF_STX:
	case BPF_ST:
		if (*mask & dbit)
			return -ENOTSUPP; /* a scalar used as an address */
		if (cls == BPF_STX && mode == BPF_ATOMIC) {
			if (*mask & (sbit | 1) || (h && h->flags & HIST_STACK &&
						   bt->slots[HIST_FRAME(h->flags)] &
						   (1ull << HIST_SPI(h->flags))))
				return -ENOTSUPP;
			return 0;
		}
		if (!h || !(h->flags & HIST_STACK))
			return 0;
		uint64_t slot = 1ull << HIST_SPI(h->flags);
		if (!(bt->slots[HIST_FRAME(h->flags)] & slot))
			return 0;
		bt->slots[HIST_FRAME(h->flags)] &= ~slot;
		if (cls == BPF_STX)
			*mask |= sbit;
		return 0;
	case BPF_LD:
		if (mode == BPF_IMM) {
			*mask &= (uint16_t)~dbit;
			return 0;
		}
		/* Legacy packet loads write r0 and clobber r1-r5. */
		return *mask & 0x3f ? -ENOTSUPP : 0;
	default:
		break;
	}
	/* Jumps. */
	if (op == BPF_CALL) {
		if (in->src_reg == BPF_PSEUDO_CALL) {
			/* Back out of the callee into the caller: its arguments
			 * are the caller's r1-r5. */
			if (bt->frame == 0 || (*mask & ~0x3eu) || bt->slots[bt->frame])
				return -ENOTSUPP;
			bt->regs[bt->frame - 1] |= *mask;
			*mask = 0;
			bt->frame--;
			return 0;
		}
		if (subseq != i + 1)
			return -ENOTSUPP; /* came back from a callback */
		if (*mask & 0x3e)
			return -ENOTSUPP;
		*mask &= (uint16_t)~1u; /* the helper's result depends on nothing here */
		return 0;
	}
	if (op == BPF_EXIT) {
		/* Back into the callee the caller's r0 came from. */
		if ((h && h->flags & HIST_CALLBACK) || bt->frame + 1 >= MAX_CALL_FRAMES ||
		    (*mask & 0x3e))
			return -ENOTSUPP;
		bool r0 = *mask & 1;
		*mask &= (uint16_t)~1u;
		bt->frame++;
		bt->regs[bt->frame] = r0 ? 1 : 0;
		bt->slots[bt->frame] = 0;
		return 0;
	}
	if (op == BPF_JA || op == BPF_JCOND)
		return 0;
	/* A conditional jump: its operands (and the registers linked to
	 * them, which it refined together) decided together. */
	uint16_t group = dbit | (h ? h->linked : 0);
	if (BPF_SRC(in->code) == BPF_X)
		group |= sbit;
	if (*mask & group)
		*mask |= group;
	return 0;
}

/* Marks the set's registers and slots precise in st (the state at the
 * start of the stretch just walked); those already precise leave the
 * set (their own past was handled when they became so). */
static int mark_in_state(struct venv *env, struct vstate *st, struct backtrack *bt)
{
	for (uint32_t f = 0; f < MAX_CALL_FRAMES; f++) {
		if (!bt->regs[f] && !bt->slots[f])
			continue;
		if (f > st->curframe)
			return -ENOTSUPP;
		struct func_state *fs = st->frame[f];
		/* Only the set's members: a walk marks in many states. */
		for (uint32_t m = bt->regs[f] & ((1u << MAX_BPF_REG) - 1); m; m &= m - 1) {
			int r = __builtin_ctz(m);
			struct reg_state *reg = &fs->regs[r];
			if (reg->type != SCALAR_VALUE || reg->precise)
				bt->regs[f] &= (uint16_t)~(1u << r);
			else
				reg->precise = true, env->precise_marks++;
		}
		for (uint64_t m = bt->slots[f]; m; m &= m - 1) {
			uint32_t s = (uint32_t)__builtin_ctzll(m);
			struct reg_state *reg = s < fs->nr_slots && fs->stack[s].byte[0] == STACK_SPILL
						? &fs->stack[s].spilled : NULL;
			if (!reg || reg->type != SCALAR_VALUE || reg->precise)
				bt->slots[f] &= ~(1ull << s);
			else
				reg->precise = true, env->precise_marks++;
		}
	}
	return 0;
}

static void mark_scalar_precise(struct reg_state *reg, void *arg)
{
	struct venv *env = arg;
	if (reg->type == SCALAR_VALUE && !reg->precise) {
		reg->precise = true;
		env->precise_marks++;
	}
}

/* Every scalar on the path precise, back to (not including) stop: when
 * going back is not possible (stop NULL: the whole path), or for the
 * states between a loop's round and the one it was pruned against. */
void mark_all_precise(struct venv *env, const struct vstate *stop)
{
	for (struct vstate *st = env->cur; st && st != stop; st = st->parent) {
		/* Explored states do not change but for marks: one a whole
		 * walk went through needs nothing more, nor do those before
		 * it (a walk per callback step was quadratic). */
		if (st != env->cur && st->all_precise)
			break;
		for_each_reg(st, mark_scalar_precise, env);
		if (!stop && st != env->cur)
			st->all_precise = true;
	}
}

static int backtrack(struct venv *env, struct backtrack *bt)
{
	struct vstate *st = env->cur;
	uint32_t last = env->insn_idx, first = st->first_insn_idx, hist = st->hist_cnt;
	uint32_t subseq = last;
	bool skip_first = true; /* the requesting instruction has not run yet */

	for (;;) {
		uint32_t i = last;
		for (;;) {
			if (i >= env->cnt)
				return -ENOTSUPP;
			if (!skip_first) {
				int err = backtrack_insn(env, i, subseq, entry_of(st, i, hist), bt);
				if (err)
					return err;
			}
			skip_first = false;
			if (bt_empty(bt))
				return 0;
			if (i == first)
				break;
			const struct hist_entry *e;
			subseq = i;
			i = prev_insn(env, st, i, &hist, &e);
		}
		struct vstate *parent = st->parent;
		if (!parent)
			return 0; /* the program's start: only r1 and r10 were set */
		if (bt->frame != parent->curframe)
			return -ENOTSUPP;
		int err = mark_in_state(env, parent, bt);
		if (err)
			return err;
		if (bt_empty(bt))
			return 0;
		st = parent;
		subseq = i;
		last = st->last_insn_idx;
		first = st->first_insn_idx;
		hist = st->hist_cnt;
		/* The parent's stretch ends with the step into i: undo
		 * its last instruction first. */
	}
}

static int run_backtrack(struct venv *env, struct backtrack *bt)
{
	int err = backtrack(env, bt);

	if (err == -ENOTSUPP) {
		mark_all_precise(env, NULL);
		return 0;
	}
	return err;
}

int mark_precise(struct venv *env, uint32_t regno)
{
	struct backtrack bt = { .frame = env->cur->curframe };
	const struct reg_state *reg = &cur_regs(env)[regno];

	if (reg->type != SCALAR_VALUE || regno >= MAX_BPF_REG)
		return 0;
	bt.regs[bt.frame] = (uint16_t)(1u << regno);
	return run_backtrack(env, &bt);
}

int mark_slot_precise(struct venv *env, uint32_t frameno, uint32_t spi)
{
	struct backtrack bt = { .frame = env->cur->curframe };

	if (spi >= 64)
		return 0;
	bt.slots[frameno] = 1ull << spi;
	return run_backtrack(env, &bt);
}

/* A path ended because an explored state covers it: what the explored
 * state's future needed precise, this path's past must provide too. */
int propagate_precision(struct venv *env, const struct vstate *old)
{
	struct backtrack bt = { .frame = env->cur->curframe };

	for (uint32_t f = 0; f <= old->curframe; f++) {
		const struct func_state *fs = old->frame[f];
		uint16_t live = f == old->curframe ? env->aux[env->insn_idx].live_in : 0x7c0;
		for (int r = 0; r < MAX_BPF_REG; r++)
			if (live & (1u << r) && fs->regs[r].type == SCALAR_VALUE && fs->regs[r].precise)
				bt.regs[f] |= (uint16_t)(1u << r);
		for (uint32_t s = 0; s < fs->nr_slots && s < 64; s++)
			if (fs->stack[s].byte[0] == STACK_SPILL &&
			    fs->stack[s].spilled.type == SCALAR_VALUE && fs->stack[s].spilled.precise)
				bt.slots[f] |= 1ull << s;
	}
	if (bt_empty(&bt))
		return 0;
	return run_backtrack(env, &bt);
}
