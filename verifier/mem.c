// SPDX-License-Identifier: MIT
/*
 * Memory accesses: loads, stores and helper memory arguments through
 * each kind of pointer (stack, map values and keys, packets, context,
 * helper memory), with the kernel's bounds rules and messages
 * (kernel/bpf/verifier.c: check_mem_access and what it calls).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verifier/env.h"

#define BPF_MAX_VAR_OFF (1 << 29)
#define BPF_MAX_VAR_SIZ (1 << 29)

/* off .. off+size within [0, mem_size) (the kernel's __check_mem_access). */
static int check_mem_bounds(struct venv *env, uint32_t regno, int64_t off, int size,
			    uint32_t mem_size, bool zero_size_allowed)
{
	const struct reg_state *reg = &cur_regs(env)[regno];
	bool size_ok = size > 0 || (size == 0 && zero_size_allowed);

	if (off >= 0 && size_ok && (uint64_t)off + (uint64_t)size <= mem_size)
		return 0;
	switch (base_type(reg->type)) {
	case PTR_TO_MAP_KEY:
		verbose(env, "invalid access to map key, key_size=%u off=%lld size=%d\n", mem_size,
			(long long)off, size);
		break;
	case PTR_TO_MAP_VALUE:
		verbose(env, "invalid access to map value, value_size=%u off=%lld size=%d\n",
			mem_size, (long long)off, size);
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
	case PTR_TO_PACKET_END:
		verbose(env, "invalid access to packet, off=%lld size=%d, R%u(id=%u,off=%lld,r=%u)\n",
			(long long)off, size, regno, reg->id, (long long)off, mem_size);
		break;
	default:
		verbose(env, "invalid access to memory, mem_size=%u off=%lld size=%d\n", mem_size,
			(long long)off, size);
	}
	return -EACCES;
}

/* A region of mem_size bytes through a pointer with a variable offset:
 * both ends of its range must be inside (check_mem_region_access). */
static int check_region(struct venv *env, uint32_t regno, int32_t off, int size,
			uint32_t mem_size, bool zero_size_allowed)
{
	const struct reg_state *reg = &cur_regs(env)[regno];
	int64_t smin = reg->smin_value;

	if (smin < 0 && (smin == INT64_MIN || (int64_t)off + smin != (int32_t)(off + smin) ||
			 smin + off < 0)) {
		verbose(env, "R%u min value is negative, either use unsigned index or do a "
			"if (index >=0) check.\n", regno);
		return -EACCES;
	}
	if (check_mem_bounds(env, regno, smin + off, size, mem_size, zero_size_allowed)) {
		verbose(env, "R%u min value is outside of the allowed memory range\n", regno);
		return -EACCES;
	}
	if (reg->umax_value >= BPF_MAX_VAR_OFF) {
		verbose(env, "R%u unbounded memory access, make sure to bounds check any such "
			"access\n", regno);
		return -EACCES;
	}
	if (check_mem_bounds(env, regno, (int64_t)reg->umax_value + off, size, mem_size,
			     zero_size_allowed)) {
		verbose(env, "R%u max value is outside of the allowed memory range\n", regno);
		return -EACCES;
	}
	return 0;
}

static int check_packet(struct venv *env, uint32_t regno, int32_t off, int size,
			bool zero_size_allowed)
{
	const struct reg_state *reg = &cur_regs(env)[regno];

	if (reg->smin_value < 0) {
		verbose(env, "R%u min value is negative, either use unsigned index or do a "
			"if (index >=0) check.\n", regno);
		return -EACCES;
	}
	if (check_mem_bounds(env, regno, off, size, reg->range, zero_size_allowed)) {
		verbose(env, "R%u offset is outside of the packet\n", regno);
		return -EACCES;
	}
	return 0;
}

int check_ptr_alignment(struct venv *env, const struct reg_state *reg, int32_t off, int size,
			bool strict)
{
	const char *desc = "";

	switch (base_type(reg->type)) {
	case PTR_TO_STACK:
		desc = "stack ";
		strict = true; /* the kernel checks stack alignment always */
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		/* As the kernel: packets start 2 bytes into a word
		 * (NET_IP_ALIGN), so that the IP header is aligned. */
		if (!strict || size == 1)
			return 0;
		struct tnum pat = tnum_add(reg->var_off,
					   tnum_const((uint64_t)(int64_t)(2 + reg->off + off)));
		if (!tnum_is_aligned(pat, (uint64_t)size)) {
			char tn[48];
			tnum_strn(tn, sizeof(tn), reg->var_off);
			verbose(env, "misaligned packet access off %d+%s+%d+%d size %d\n", 2, tn,
				reg->off, off, size);
			return -EACCES;
		}
		return 0;
	case PTR_TO_MAP_VALUE:
		desc = "value ";
		break;
	case PTR_TO_CTX:
		desc = "context ";
		break;
	default:
		break;
	}
	if (!strict || size == 1)
		return 0;
	struct tnum at = tnum_add(reg->var_off, tnum_const((uint64_t)(int64_t)(reg->off + off)));
	if (!tnum_is_aligned(at, (uint64_t)size)) {
		char tn[48];
		if (tnum_is_const(reg->var_off))
			snprintf(tn, sizeof(tn), "%lld", (long long)reg->var_off.value);
		else
			tnum_strn(tn, sizeof(tn), reg->var_off);
		verbose(env, "misaligned %saccess off %s+%d+%d size %d\n", desc, tn, reg->off, off,
			size);
		return -EACCES;
	}
	return 0;
}

/* ---- stack ---- */

static struct func_state *stack_owner(struct venv *env, const struct reg_state *reg)
{
	return env->cur->frame[reg->frameno];
}

static void note_stack_depth(struct venv *env, struct func_state *f, int64_t min_off)
{
	uint32_t depth = (uint32_t)-min_off;
	struct subprog *sp = &env->subprogs[f->subprogno];

	if (depth > sp->stack_depth)
		sp->stack_depth = depth;
}

/* The stack range [min_off, max_off) lies in the frame; grows the
 * state's slots to cover it (check_stack_access_within_bounds). */
static int stack_within_bounds(struct venv *env, uint32_t regno, int32_t off, int size,
			       const char *what, int64_t *min_out, int64_t *max_out)
{
	const struct reg_state *reg = &cur_regs(env)[regno];
	struct func_state *f = stack_owner(env, reg);
	int64_t min_off, max_off;

	if (tnum_is_const(reg->var_off)) {
		min_off = (int64_t)reg->var_off.value + off;
		max_off = min_off + size;
	} else {
		if (reg->smax_value >= BPF_MAX_VAR_OFF || reg->smin_value <= -BPF_MAX_VAR_OFF) {
			verbose(env, "invalid unbounded variable-offset%s stack R%u\n", what, regno);
			return -EACCES;
		}
		min_off = reg->smin_value + off;
		max_off = reg->smax_value + off + size;
	}
	/* A zero-sized access still names a byte of the frame, as in the
	 * kernel: fp + 0 is outside. */
	if (min_off < -MAX_BPF_STACK || max_off > 0 || size < 0 || (size == 0 && min_off >= 0)) {
		if (tnum_is_const(reg->var_off)) {
			verbose(env, "invalid%s stack R%u off=%d size=%d\n", what, regno, off, size);
		} else {
			char tn[48];
			tnum_strn(tn, sizeof(tn), reg->var_off);
			verbose(env, "invalid variable-offset%s stack R%u var_off=%s off=%d size=%d\n",
				what, regno, tn, off, size);
		}
		return -EACCES;
	}
	if (state_alloc_stack(f, (uint32_t)-min_off))
		return -ENOMEM;
	note_stack_depth(env, f, min_off);
	*min_out = min_off;
	*max_out = max_off;
	return 0;
}

static struct stack_slot *slot_at(struct func_state *f, int64_t off)
{
	return &f->stack[(-off - 1) / 8];
}

static uint8_t *byte_at(struct func_state *f, int64_t off)
{
	return &slot_at(f, off)->byte[(off % 8 + 8) % 8];
}

/* A slot's spill is broken by a partial write: its bytes become data. */
static void scrub_spill(struct stack_slot *s)
{
	if (s->byte[0] != STACK_SPILL)
		return;
	for (int b = 0; b < 8; b++)
		if (s->byte[b] == STACK_SPILL)
			s->byte[b] = STACK_MISC;
	mark_reg_not_init(&s->spilled);
}

/* How many bytes from the slot's start hold the spilled register. */
int spill_size(const struct stack_slot *s)
{
	int n = 0;

	while (n < 8 && s->byte[n] == STACK_SPILL)
		n++;
	return n;
}

/* Whether a scalar's value survives being cut to size bytes. */
static bool value_fits(const struct reg_state *reg, int size)
{
	return size >= 8 || (reg->smin_value >= 0 && reg->umax_value < (1ull << (8 * size)));
}

/* Keeps a register's state in a slot (size bytes from its start; the
 * rest of the slot becomes data, zeros staying zeros). */
static void save_spill(struct stack_slot *s, const struct reg_state *reg, int size)
{
	s->spilled = *reg;
	for (int b = 0; b < 8; b++) {
		if (b < size)
			s->byte[b] = STACK_SPILL;
		else if (s->byte[b] == STACK_SPILL)
			s->byte[b] = STACK_MISC;
	}
}

static int stack_write(struct venv *env, uint32_t ptr_regno, int32_t off, int size,
		       int value_regno, const struct uebpf_insn *insn)
{
	const struct reg_state *ptr = &cur_regs(env)[ptr_regno];
	struct func_state *f = stack_owner(env, ptr);
	const struct reg_state *val = value_regno >= 0 ? &cur_regs(env)[value_regno] : NULL;
	bool zero = val ? val->type == SCALAR_VALUE && reg_is_const(val) && val->var_off.value == 0
			: insn->imm == 0;
	int64_t min_off, max_off;
	int err = stack_within_bounds(env, ptr_regno, off, size, " write to", &min_off, &max_off);

	if (err)
		return err;
	if (!tnum_is_const(ptr->var_off)) {
		/* Variable offset: every byte it may reach becomes data,
		 * zeros stay zeros if zeros are written. */
		for (int64_t o = min_off; o < max_off; o++) {
			scrub_spill(slot_at(f, o));
			uint8_t *b = byte_at(f, o);
			if (!(zero && *b == STACK_ZERO))
				*b = STACK_MISC;
		}
		return 0;
	}
	struct stack_slot *s = slot_at(f, min_off);
	bool slot_start = (min_off % 8) == 0;

	if (val && val->type == SCALAR_VALUE && slot_start) {
		/* A scalar keeps its state, whatever its size; a narrowing
		 * spill is no longer the register's copy (what a jump proves
		 * on one would be wrong for the other). */
		save_spill(s, val, size);
		if (!value_fits(val, size))
			scalar_unlink(&s->spilled);
		return 0;
	}
	if (!val && slot_start && (insn->code & 0x07) == BPF_ST) {
		struct reg_state imm;
		memset(&imm, 0, sizeof(imm));
		reg_mark_known(&imm, (uint64_t)(int64_t)insn->imm);
		save_spill(s, &imm, size);
		return 0;
	}
	if (val && is_pointer(val)) {
		if (size != 8 || !slot_start) {
			verbose(env, "invalid size of register spill\n");
			return -EACCES;
		}
		if (f != cur_frame(env) && base_type(val->type) == PTR_TO_STACK) {
			verbose(env, "cannot spill pointers to stack into stack frame of the caller\n");
			return -EINVAL;
		}
		save_spill(s, val, 8);
		return 0;
	}
	for (int64_t o = min_off; o < min_off + size; o++) {
		scrub_spill(slot_at(f, o));
		*byte_at(f, o) = zero ? STACK_ZERO : STACK_MISC;
	}
	return 0;
}

static int stack_read(struct venv *env, uint32_t ptr_regno, int32_t off, int size,
		      int value_regno)
{
	const struct reg_state *ptr = &cur_regs(env)[ptr_regno];
	struct func_state *f = stack_owner(env, ptr);
	int64_t min_off, max_off;
	int err = stack_within_bounds(env, ptr_regno, off, size, " read from", &min_off, &max_off);

	if (err)
		return err;
	struct reg_state *dst = value_regno >= 0 ? &cur_regs(env)[value_regno] : NULL;
	if (!tnum_is_const(ptr->var_off)) {
		if (dst)
			reg_mark_unknown(dst);
		return 0;
	}
	struct stack_slot *s = slot_at(f, min_off);
	int spilled = spill_size(s);
	if (spilled) {
		if (size != 8 && s->spilled.type != SCALAR_VALUE) {
			verbose(env, "invalid size of register fill\n");
			return -EACCES;
		}
		/* From the slot's start, within the spill: the register
		 * (narrowed by the caller for a narrower load). */
		if ((min_off % 8) == 0 && size <= spilled) {
			if (dst) {
				*dst = s->spilled;
				if (!value_fits(&s->spilled, size))
					scalar_unlink(dst);
			}
			return 0;
		}
	}
	int spill_cnt = 0, zero_cnt = 0;
	for (int64_t o = min_off; o < min_off + size; o++) {
		uint8_t b = *byte_at(f, o);
		spill_cnt += b == STACK_SPILL;
		zero_cnt += b == STACK_ZERO;
	}
	if (!dst)
		return 0;
	if ((spill_cnt == size && s->spilled.type == SCALAR_VALUE && reg_is_const(&s->spilled) &&
	     s->spilled.var_off.value == 0) || zero_cnt == size) {
		memset(dst, 0, sizeof(*dst));
		reg_mark_known(dst, 0);
	} else {
		reg_mark_unknown(dst);
	}
	return 0;
}

/* ---- context ---- */

static int check_ctx_access(struct venv *env, uint32_t idx, uint32_t regno, int32_t off,
			    int size, enum access t, int value_regno)
{
	const struct reg_state *reg = &cur_regs(env)[regno];
	struct ctx_access acc = { 0 };

	if (reg->off) {
		verbose(env, "dereference of modified ctx ptr R%u off=%d disallowed\n", regno,
			reg->off);
		return -EACCES;
	}
	if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), reg->var_off);
		verbose(env, "variable ctx access var_off=%s disallowed\n", tn);
		return -EACCES;
	}
	if (!env->pt || !env->pt->is_valid_access) {
		verbose(env, "invalid bpf_context access off=%d size=%d (uebpf has no context rules "
			"for this program type yet)\n", off, size);
		return -EACCES;
	}
	if (!env->pt->is_valid_access(&env->target, off, size, t == ACCESS_WRITE, &acc)) {
		verbose(env, "invalid bpf_context access off=%d size=%d\n", off, size);
		return -EACCES;
	}
	if (t == ACCESS_READ && value_regno >= 0) {
		struct reg_state *dst = &cur_regs(env)[value_regno];
		memset(dst, 0, sizeof(*dst));
		switch (acc.result) {
		case CTX_PACKET:
			reg_mark_known_zero(dst);
			dst->type = PTR_TO_PACKET;
			break;
		case CTX_PACKET_END:
			reg_mark_known_zero(dst);
			dst->type = PTR_TO_PACKET_END;
			break;
		case CTX_PACKET_META:
			reg_mark_known_zero(dst);
			dst->type = PTR_TO_PACKET_META;
			break;
		case CTX_SOCK_OR_NULL:
			reg_mark_known_zero(dst);
			dst->type = PTR_TO_SOCK_COMMON | PTR_MAYBE_NULL;
			dst->id = new_id(env);
			break;
		default:
			reg_mark_unknown(dst);
			break;
		}
	}
	return 0;
}

/* ---- the dispatcher ---- */

/* Whether the map lets programs do t (BPF_F_RDONLY_PROG/WRONLY_PROG). */
static bool map_access_allowed(struct venv *env, const struct reg_state *reg, int32_t off,
			       int size, enum access t)
{
	const struct vmap *m = reg->map_ptr;

	if (!m)
		return true;
	if (t == ACCESS_WRITE && m->flags & BPF_F_RDONLY_PROG) {
		verbose(env, "write into map forbidden, value_size=%u off=%d size=%d\n",
			m->value_size, off, size);
		return false;
	}
	if (t == ACCESS_READ && m->flags & BPF_F_WRONLY_PROG) {
		verbose(env, "read from map forbidden, value_size=%u off=%d size=%d\n",
			m->value_size, off, size);
		return false;
	}
	return true;
}

int check_mem_access(struct venv *env, uint32_t insn_idx, uint32_t regno, int32_t off, int size,
		     enum access t, int value_regno, bool sign_ext)
{
	struct reg_state *regs = cur_regs(env);
	struct reg_state *reg = &regs[regno];
	const struct uebpf_insn *insn = &env->insns[insn_idx];
	int err;

	err = check_ptr_alignment(env, reg, off, size, env->strict_alignment || env->atomic_access);
	if (err)
		return err;
	/* For the bounds, the pointer's fixed offset is part of off. */
	int32_t full_off = off + reg->off;
	struct reg_state *dst = value_regno >= 0 && t == ACCESS_READ ? &regs[value_regno] : NULL;

	switch (base_type(reg->type)) {
	case PTR_TO_MAP_VALUE:
		if (reg->type & PTR_MAYBE_NULL)
			goto bad_type;
		/* An XSK map's element is the kernel's struct bpf_xdp_sock
		 * (PTR_TO_XDP_SOCK): queue_id may be read, nothing else. */
		if (reg->map_ptr && reg->map_ptr->type == BPF_MAP_TYPE_XSKMAP) {
			if (t == ACCESS_WRITE) {
				verbose(env, "R%u cannot write into xdp_sock\n", regno);
				return -EACCES;
			}
			if (full_off != 0 || size != 4 || !tnum_is_const(reg->var_off) ||
			    reg->var_off.value) {
				verbose(env, "R%u invalid xdp_sock access off=%d size=%d\n", regno,
					full_off, size);
				return -EACCES;
			}
		}
		if (!map_access_allowed(env, reg, full_off, size, t))
			return -EACCES;
		if (reg->map_ptr && reg->map_ptr->spin_lock_off >= 0) {
			int64_t lo = reg->smin_value + full_off, hi = (int64_t)reg->umax_value + full_off + size;
			int32_t l = reg->map_ptr->spin_lock_off;
			if (lo < l + 4 && hi > l) {
				verbose(env, "bpf_spin_lock cannot be accessed directly by load/store\n");
				return -EACCES;
			}
		}
		err = check_region(env, regno, full_off, size, reg->map_ptr ? reg->map_ptr->value_size : 0,
				   false);
		if (err)
			return err;
		if (dst) {
			const struct vmap *m = reg->map_ptr;
			if (m && m->rodata && tnum_is_const(reg->var_off) && !sign_ext) {
				/* A frozen read-only map's bytes are known. */
				uint64_t v = 0;
				memcpy(&v, m->rodata + reg->var_off.value + full_off, (size_t)size);
				memset(dst, 0, sizeof(*dst));
				reg_mark_known(dst, v);
				return 0;
			}
			reg_mark_unknown(dst);
		}
		break;
	case PTR_TO_MAP_KEY:
		if (t == ACCESS_WRITE) {
			verbose(env, "write to change key R%u not allowed\n", regno);
			return -EACCES;
		}
		err = check_region(env, regno, full_off, size, reg->map_ptr ? reg->map_ptr->key_size : 0,
				   false);
		if (err)
			return err;
		if (dst)
			reg_mark_unknown(dst);
		break;
	case PTR_TO_MEM:
		if (reg->type & PTR_MAYBE_NULL)
			goto bad_type;
		if (t == ACCESS_WRITE && reg->type & MEM_RDONLY) {
			verbose(env, "R%u cannot write into %s\n", regno, reg_type_str(reg->type));
			return -EACCES;
		}
		err = check_region(env, regno, full_off, size, reg->mem_size, false);
		if (err)
			return err;
		if (dst)
			reg_mark_unknown(dst);
		break;
	case PTR_TO_CTX:
		if (reg->type & PTR_MAYBE_NULL)
			goto bad_type;
		err = check_ctx_access(env, insn_idx, regno, full_off, size, t, value_regno);
		if (err)
			return err;
		if (dst && dst->type != SCALAR_VALUE)
			return 0; /* a pointer: no size coercion */
		break;
	case PTR_TO_STACK:
		if (t == ACCESS_WRITE)
			err = stack_write(env, regno, full_off, size, value_regno, insn);
		else
			err = stack_read(env, regno, full_off, size, value_regno);
		if (err)
			return err;
		if (tnum_is_const(reg->var_off)) {
			/* Which slot: spills and fills carry precision. */
			int64_t o = (int64_t)reg->var_off.value + full_off;
			err = hist_push(env, insn_idx, env->prev_insn_idx,
					HIST_STACK_AT(reg->frameno, (-o - 1) / 8), 0);
			if (err)
				return err;
		}
		if (dst && dst->type != SCALAR_VALUE)
			return 0; /* a filled pointer */
		break;
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		if (t == ACCESS_WRITE && !(env->pt && env->pt->packet_write)) {
			verbose(env, "cannot write into packet\n");
			return -EACCES;
		}
		err = check_packet(env, regno, full_off, size, false);
		if (err)
			return err;
		if (dst)
			reg_mark_unknown(dst);
		break;
	case CONST_PTR_TO_MAP:
		if (t == ACCESS_WRITE) {
			verbose(env, "only read from bpf_array is supported\n");
			return -EACCES;
		}
		/* The kernel lets programs read its struct bpf_map; uebpf's
		 * maps are not that struct. */
		verbose(env, "R%u invalid mem access '%s' (uebpf's maps are not struct bpf_map)\n",
			regno, reg_type_str(reg->type));
		return -EACCES;
	case PTR_TO_FLOW_KEYS:
	case PTR_TO_SOCKET:
	case PTR_TO_SOCK_COMMON:
	case PTR_TO_TCP_SOCK:
	case PTR_TO_BTF_ID:
		if (reg->type & PTR_MAYBE_NULL)
			goto bad_type;
		verbose(env, "R%u invalid mem access '%s' (not supported by uebpf)\n", regno,
			reg_type_str(reg->type));
		return -EACCES;
	default:
	bad_type:
		verbose(env, "R%u invalid mem access '%s'\n", regno, reg_type_str(reg->type));
		return -EACCES;
	}
	if (dst && dst->type == SCALAR_VALUE && size < 8)
		reg_coerce_to_size(dst, size, sign_ext);
	return 0;
}

/* ---- helper memory arguments ---- */

static int helper_stack_access(struct venv *env, uint32_t regno, int32_t off, int size,
			       bool zero_size_allowed, enum access t)
{
	const struct reg_state *reg = &cur_regs(env)[regno];
	struct func_state *f = stack_owner(env, reg);
	int64_t min_off, max_off;

	if (!tnum_is_const(reg->var_off) &&
	    (reg->smax_value >= BPF_MAX_VAR_OFF || reg->smin_value <= -BPF_MAX_VAR_OFF)) {
		verbose(env, "invalid unbounded variable-offset indirect access to stack R%u\n", regno);
		return -EACCES;
	}
	/* Zero bytes must still point into the frame (the kernel's
	 * check_stack_range_initialized); nothing is read or written. */
	int err = stack_within_bounds(env, regno, off, size,
				      t == ACCESS_WRITE ? " write to" : " read from", &min_off,
				      &max_off);
	if (err || (size == 0 && zero_size_allowed))
		return err;
	/* Privileged: uninitialised bytes may be read (as unknown). A
	 * helper that writes leaves data bytes. */
	if (t == ACCESS_WRITE) {
		for (int64_t o = min_off; o < max_off; o++) {
			scrub_spill(slot_at(f, o));
			*byte_at(f, o) = STACK_MISC;
		}
	}
	return 0;
}

int check_helper_mem(struct venv *env, uint32_t regno, int size, bool zero_ok, enum access t)
{
	const struct reg_state *reg = &cur_regs(env)[regno];

	if (size == 0 && !zero_ok) {
		verbose(env, "R%u invalid zero-sized read: u64=[0,0]\n", regno);
		return -EACCES;
	}

	switch (base_type(reg->type)) {
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
		if (t == ACCESS_WRITE && !(env->pt && env->pt->packet_write)) {
			verbose(env, "cannot write into packet\n");
			return -EACCES;
		}
		return check_packet(env, regno, reg->off, size, zero_ok);
	case PTR_TO_MAP_KEY:
		if (t == ACCESS_WRITE) {
			verbose(env, "R%u cannot write into %s\n", regno, reg_type_str(reg->type));
			return -EACCES;
		}
		return check_region(env, regno, reg->off, size, reg->map_ptr->key_size, false);
	case PTR_TO_MAP_VALUE:
		if (!map_access_allowed(env, reg, reg->off, size, t))
			return -EACCES;
		return check_region(env, regno, reg->off, size, reg->map_ptr->value_size, zero_ok);
	case PTR_TO_MEM:
		if (t == ACCESS_WRITE && reg->type & MEM_RDONLY) {
			verbose(env, "R%u cannot write into %s\n", regno, reg_type_str(reg->type));
			return -EACCES;
		}
		return check_region(env, regno, reg->off, size, reg->mem_size, zero_ok);
	case PTR_TO_STACK:
		return helper_stack_access(env, regno, reg->off, size, zero_ok, t);
	default:
		if (zero_ok && size == 0 && reg->type == SCALAR_VALUE && tnum_is_const(reg->var_off) &&
		    reg->var_off.value == 0)
			return 0;
		verbose(env, "R%u type=%s expected=%s\n", regno, reg_type_str(reg->type),
			reg_type_str(PTR_TO_STACK));
		return -EACCES;
	}
}

int check_helper_mem_sized(struct venv *env, uint32_t regno, const struct reg_state *size_reg,
			   bool zero_ok, enum access t)
{
	uint32_t sregno = regno + 1;

	if (size_reg->smin_value < 0) {
		verbose(env, "R%u min value is negative, either use unsigned or 'var &= const'\n",
			sregno);
		return -EACCES;
	}
	if (size_reg->umin_value == 0 && !zero_ok) {
		verbose(env, "R%u invalid zero-sized read: u64=[%llu,%llu]\n", sregno,
			(unsigned long long)size_reg->umin_value,
			(unsigned long long)size_reg->umax_value);
		return -EACCES;
	}
	if (size_reg->umax_value >= BPF_MAX_VAR_SIZ) {
		verbose(env, "R%u unbounded memory access, use 'var &= const' or 'if (var < const)'\n",
			sregno);
		return -EACCES;
	}
	return check_helper_mem(env, regno, (int)size_reg->umax_value,
				zero_ok || size_reg->umin_value == 0, t);
}
