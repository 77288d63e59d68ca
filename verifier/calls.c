// SPDX-License-Identifier: MIT
/*
 * Calls and exits: helper calls checked against their prototypes
 * (helpers/table.c) and the program type's allowed set, acquired
 * references and spin locks, bpf-to-bpf calls and callbacks, and the
 * return value at exit (kernel/bpf/verifier.c: check_helper_call,
 * check_func_arg, check_func_call, prepare_func_exit, check_return_code).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "isa/isa.h"
#include "verifier/env.h"

/* The kernel's mem_types: what a memory argument may point to. */
static const char mem_types_str[] =
	"fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_";

static const char *helper_name(int32_t id, char *buf, size_t size)
{
	const char *n = uebpf_helper_name(id);

	if (n)
		return n;
	snprintf(buf, size, "unknown");
	return buf;
}

static bool is_mem_type(const struct reg_state *reg)
{
	switch (base_type(reg->type)) {
	case PTR_TO_STACK:
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
	case PTR_TO_MAP_KEY:
	case PTR_TO_MAP_VALUE:
	case PTR_TO_MEM:
		return !(reg->type & PTR_MAYBE_NULL);
	default:
		return false;
	}
}

static int type_mismatch(struct venv *env, uint32_t regno, const char *expected)
{
	verbose(env, "R%u type=%s expected=%s\n", regno,
		reg_type_str(cur_regs(env)[regno].type), expected);
	return -EACCES;
}

static uint32_t acquire_reference(struct venv *env, uint32_t insn_idx)
{
	struct vstate *st = env->cur;

	if (st->nr_refs == MAX_REFS)
		return 0;
	uint32_t id = new_id(env);
	st->refs[st->nr_refs++] = (struct vref){ id, insn_idx };
	return id;
}

static void forget_released(struct reg_state *reg, void *arg)
{
	if (reg->ref_obj_id == *(const uint32_t *)arg)
		reg_mark_unknown(reg);
}

/* Every copy of a released object becomes a plain number (the kernel
 * does that for privileged programs; using it as a pointer then fails). */
static int release_reference(struct venv *env, uint32_t ref_obj_id)
{
	struct vstate *st = env->cur;
	uint32_t i;

	for (i = 0; i < st->nr_refs && st->refs[i].id != ref_obj_id; i++)
		;
	if (i == st->nr_refs) {
		verbose(env, "verifier internal error: reference %u not held\n", ref_obj_id);
		return -EFAULT;
	}
	st->refs[i] = st->refs[--st->nr_refs];
	for_each_reg(st, forget_released, &ref_obj_id);
	return 0;
}

/* Which maps a helper takes, and which helpers a map allows (the
 * kernel's check_map_func_compatibility). */
static bool map_func_compatible(uint32_t map_type, int32_t func)
{
	switch (map_type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
		if (func != BPF_FUNC_tail_call)
			return false;
		break;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		if (func != BPF_FUNC_perf_event_read && func != BPF_FUNC_perf_event_output &&
		    func != BPF_FUNC_skb_output && func != BPF_FUNC_perf_event_read_value &&
		    func != BPF_FUNC_xdp_output)
			return false;
		break;
	case BPF_MAP_TYPE_RINGBUF:
		if (func != BPF_FUNC_ringbuf_output && func != BPF_FUNC_ringbuf_reserve &&
		    func != BPF_FUNC_ringbuf_query && func != BPF_FUNC_ringbuf_reserve_dynptr &&
		    func != BPF_FUNC_ringbuf_submit_dynptr && func != BPF_FUNC_ringbuf_discard_dynptr)
			return false;
		break;
	case BPF_MAP_TYPE_STACK_TRACE:
		if (func != BPF_FUNC_get_stackid)
			return false;
		break;
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		if (func != BPF_FUNC_map_peek_elem && func != BPF_FUNC_map_pop_elem &&
		    func != BPF_FUNC_map_push_elem)
			return false;
		break;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		if (func != BPF_FUNC_map_peek_elem && func != BPF_FUNC_map_push_elem)
			return false;
		break;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		if (func != BPF_FUNC_map_lookup_elem)
			return false;
		break;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		if (func != BPF_FUNC_redirect_map && func != BPF_FUNC_map_lookup_elem)
			return false;
		break;
	case BPF_MAP_TYPE_CGROUP_ARRAY:
		if (func != BPF_FUNC_skb_under_cgroup && func != BPF_FUNC_current_task_under_cgroup)
			return false;
		break;
	case BPF_MAP_TYPE_CPUMAP:
		if (func != BPF_FUNC_redirect_map)
			return false;
		break;
	case BPF_MAP_TYPE_XSKMAP:
		if (func != BPF_FUNC_redirect_map && func != BPF_FUNC_map_lookup_elem)
			return false;
		break;
	default:
		break;
	}
	switch (func) {
	case BPF_FUNC_tail_call:
		return map_type == BPF_MAP_TYPE_PROG_ARRAY;
	case BPF_FUNC_perf_event_read:
	case BPF_FUNC_perf_event_output:
	case BPF_FUNC_perf_event_read_value:
	case BPF_FUNC_skb_output:
	case BPF_FUNC_xdp_output:
		return map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
	case BPF_FUNC_ringbuf_output:
	case BPF_FUNC_ringbuf_reserve:
	case BPF_FUNC_ringbuf_query:
		return map_type == BPF_MAP_TYPE_RINGBUF;
	case BPF_FUNC_get_stackid:
		return map_type == BPF_MAP_TYPE_STACK_TRACE;
	case BPF_FUNC_skb_under_cgroup:
	case BPF_FUNC_current_task_under_cgroup:
		return map_type == BPF_MAP_TYPE_CGROUP_ARRAY;
	case BPF_FUNC_map_pop_elem:
		return map_type == BPF_MAP_TYPE_QUEUE || map_type == BPF_MAP_TYPE_STACK;
	case BPF_FUNC_map_peek_elem:
	case BPF_FUNC_map_push_elem:
		return map_type == BPF_MAP_TYPE_QUEUE || map_type == BPF_MAP_TYPE_STACK ||
		       map_type == BPF_MAP_TYPE_BLOOM_FILTER;
	case BPF_FUNC_for_each_map_elem:
		return map_type == BPF_MAP_TYPE_HASH || map_type == BPF_MAP_TYPE_LRU_HASH ||
		       map_type == BPF_MAP_TYPE_ARRAY || map_type == BPF_MAP_TYPE_PERCPU_HASH ||
		       map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
		       map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
	case BPF_FUNC_redirect_map:
		return map_type == BPF_MAP_TYPE_DEVMAP || map_type == BPF_MAP_TYPE_DEVMAP_HASH ||
		       map_type == BPF_MAP_TYPE_CPUMAP || map_type == BPF_MAP_TYPE_XSKMAP;
	default:
		return true;
	}
}

/* Helpers that may move or resize the packet (the kernel's
 * bpf_helper_changes_pkt_data): every packet pointer is stale after them. */
static bool changes_pkt_data(int32_t func)
{
	switch (func) {
	case BPF_FUNC_clone_redirect:
	case BPF_FUNC_l3_csum_replace:
	case BPF_FUNC_l4_csum_replace:
	case BPF_FUNC_lwt_push_encap:
	case BPF_FUNC_lwt_seg6_action:
	case BPF_FUNC_lwt_seg6_adjust_srh:
	case BPF_FUNC_lwt_seg6_store_bytes:
	case BPF_FUNC_msg_pop_data:
	case BPF_FUNC_msg_pull_data:
	case BPF_FUNC_msg_push_data:
	case BPF_FUNC_skb_adjust_room:
	case BPF_FUNC_skb_change_head:
	case BPF_FUNC_skb_change_proto:
	case BPF_FUNC_skb_change_tail:
	case BPF_FUNC_skb_pull_data:
	case BPF_FUNC_skb_store_bytes:
	case BPF_FUNC_skb_vlan_pop:
	case BPF_FUNC_skb_vlan_push:
	case BPF_FUNC_store_hdr_opt:
	case BPF_FUNC_xdp_adjust_head:
	case BPF_FUNC_xdp_adjust_meta:
	case BPF_FUNC_xdp_adjust_tail:
		return true;
	default:
		return false;
	}
}

/* A packet pointer (data, meta or end) becomes a number, as the kernel
 * makes it for a privileged program (clear_all_pkt_pointers): using it
 * as a pointer then fails. */
static void forget_pkt_pointer(struct reg_state *reg, void *arg)
{
	(void)arg;
	switch (base_type(reg->type)) {
	case PTR_TO_PACKET:
	case PTR_TO_PACKET_META:
	case PTR_TO_PACKET_END:
		reg_mark_unknown(reg);
		break;
	default:
		break;
	}
}

struct call_meta {
	const struct vmap *map;
	uint32_t release_ref; /* the reference an argument releases */
	uint32_t release_regno;
	bool has_alloc_size;
	uint64_t alloc_size;
	bool has_func;
	uint32_t subprogno;
	uint64_t msize_max; /* largest size of a sized memory argument */
	int64_t const_key;  /* an array lookup's key when known, else -1 */
	const char *fmt;    /* a constant format string (bpf_snprintf) */
	uint64_t data_len;  /* the size of its data argument */
};

/* A format string takes at most as many arguments as the data holds
 * (8 bytes each), and only the conversions the kernel's bprintf knows. */
static int check_format(struct venv *env, const struct call_meta *meta)
{
	const char *f = meta->fmt;
	uint64_t args = 0;

	if (!f)
		return 0;
	for (; *f; f++) {
		if (*f != '%')
			continue;
		if (f[1] == '%') {
			f++;
			continue;
		}
		f++;
		while (*f && strchr("-+ #0", *f))
			f++;
		while (*f >= '0' && *f <= '9')
			f++;
		if (*f == '.') {
			f++;
			while (*f >= '0' && *f <= '9')
				f++;
		}
		while (*f == 'l' || *f == 'h')
			f++;
		if (!*f || !strchr("diuxXocsp", *f)) {
			verbose(env, "Invalid format string\n");
			return -EINVAL;
		}
		args++;
	}
	if (args > meta->data_len / 8 || args > 12) {
		verbose(env, "Invalid format string\n");
		return -EINVAL;
	}
	return 0;
}

/* The key of an array lookup when the stack holds a known one: the
 * lookup then cannot fail if it is in range (the kernel's
 * get_constant_map_key). */
static int64_t constant_map_key(struct venv *env, const struct reg_state *key, uint32_t key_size)
{
	if (base_type(key->type) != PTR_TO_STACK || !tnum_is_const(key->var_off))
		return -1;
	int64_t off = key->off + (int64_t)key->var_off.value;
	if (off >= 0 || off < -MAX_BPF_STACK)
		return -1;
	struct func_state *f = env->cur->frame[key->frameno];
	uint32_t spi = (uint32_t)((-off - 1) / 8);
	if (spi >= f->nr_slots)
		return -1;
	const struct stack_slot *s = &f->stack[spi];
	int first = (int)(((off % 8) + 8) % 8);
	uint32_t zeros = 0;
	for (int b = first; b < 8 && s->byte[b] == STACK_ZERO; b++)
		zeros++;
	if (zeros >= key_size)
		return 0;
	if (first || (uint32_t)spill_size(s) != key_size || s->spilled.type != SCALAR_VALUE ||
	    !tnum_is_const(s->spilled.var_off))
		return -1;
	/* The lookup relies on the key's value. */
	if (mark_slot_precise(env, key->frameno, spi))
		return -1;
	return (int64_t)s->spilled.var_off.value;
}

static int check_spin_lock_arg(struct venv *env, uint32_t regno, bool lock)
{
	const struct reg_state *reg = &cur_regs(env)[regno];
	struct vstate *st = env->cur;

	if (base_type(reg->type) != PTR_TO_MAP_VALUE || reg->type & PTR_MAYBE_NULL)
		return type_mismatch(env, regno, "map_value");
	if (!tnum_is_const(reg->var_off)) {
		verbose(env, "R%u doesn't have constant offset. bpf_spin_lock has to be at the "
			"constant offset\n", regno);
		return -EINVAL;
	}
	const struct vmap *m = reg->map_ptr;
	int64_t off = (int64_t)reg->var_off.value + reg->off;
	if (!m || m->spin_lock_off < 0) {
		verbose(env, "map '%s' has no valid bpf_spin_lock\n", m && m->name ? m->name : "");
		return -EINVAL;
	}
	if (off != m->spin_lock_off) {
		verbose(env, "off %lld doesn't point to 'struct bpf_spin_lock' that is at %d\n",
			(long long)off, m->spin_lock_off);
		return -EINVAL;
	}
	if (lock) {
		if (st->lock_map) {
			verbose(env, "Locking two bpf_spin_locks are not allowed\n");
			return -EINVAL;
		}
		st->lock_map = m;
		st->lock_id = reg->id ? reg->id : UINT32_MAX;
		st->lock_off = (int32_t)off;
		return 0;
	}
	if (!st->lock_map) {
		verbose(env, "bpf_spin_unlock without taking a lock\n");
		return -EINVAL;
	}
	if (st->lock_map != m || st->lock_id != (reg->id ? reg->id : UINT32_MAX)) {
		verbose(env, "bpf_spin_unlock of different lock\n");
		return -EINVAL;
	}
	st->lock_map = NULL;
	st->lock_id = 0;
	st->lock_off = 0;
	return 0;
}

/* Packet memory for a helper that does not take it (the kernel's
 * may_access_direct_pkt_data with the helper's pkt_access). */
static int check_pkt_arg(struct venv *env, int32_t func, const struct reg_state *reg)
{
	const struct helper_proto *p = helper_proto(func);

	if ((base_type(reg->type) == PTR_TO_PACKET || base_type(reg->type) == PTR_TO_PACKET_META) &&
	    !(p && p->pkt_access)) {
		verbose(env, "helper access to the packet is not allowed\n");
		return -EACCES;
	}
	return 0;
}

static int check_func_arg(struct venv *env, int32_t func, uint32_t regno, uint8_t arg,
			  struct call_meta *meta)
{
	struct reg_state *reg = &cur_regs(env)[regno];
	int err;

	if ((err = check_reg_read(env, regno)))
		return err;
	switch (arg) {
	case ARG_ANYTHING:
		return 0;
	case ARG_CONST_MAP_PTR:
		if (reg->type != CONST_PTR_TO_MAP)
			return type_mismatch(env, regno, "map_ptr");
		meta->map = reg->map_ptr;
		if (func == BPF_FUNC_tail_call && meta->map->type != BPF_MAP_TYPE_PROG_ARRAY) {
			verbose(env, "expected prog array map for tail call\n");
			return -EINVAL;
		}
		return 0;
	case ARG_PTR_TO_MAP_KEY:
	case ARG_PTR_TO_MAP_VALUE:
	case ARG_PTR_TO_UNINIT_MAP_VALUE:
		if (!is_mem_type(reg))
			return type_mismatch(env, regno, mem_types_str);
		if ((err = check_pkt_arg(env, func, reg)))
			return err;
		if (!meta->map) {
			verbose(env, "invalid map_ptr to access map->%s\n",
				arg == ARG_PTR_TO_MAP_KEY ? "key" : "value");
			return -EACCES;
		}
		if (arg == ARG_PTR_TO_MAP_KEY && (meta->map->type == BPF_MAP_TYPE_ARRAY ||
						  meta->map->type == BPF_MAP_TYPE_PERCPU_ARRAY))
			meta->const_key = constant_map_key(env, reg, meta->map->key_size);
		return check_helper_mem(env, regno,
					(int)(arg == ARG_PTR_TO_MAP_KEY ? meta->map->key_size
									: meta->map->value_size),
					false, arg == ARG_PTR_TO_UNINIT_MAP_VALUE ? ACCESS_WRITE
										   : ACCESS_READ);
	case ARG_PTR_TO_MEM_OR_NULL:
		if (reg->type == SCALAR_VALUE && reg_is_const(reg) && reg->var_off.value == 0)
			return 0; /* NULL: its size must be 0 (checked with the size) */
		/* fallthrough */
	case ARG_PTR_TO_MEM:
	case ARG_PTR_TO_UNINIT_MEM: {
		if (!is_mem_type(reg))
			return type_mismatch(env, regno, mem_types_str);
		if ((err = check_pkt_arg(env, func, reg)))
			return err;
		/* The size is the next argument. */
		struct reg_state *size = &cur_regs(env)[regno + 1];
		if ((err = check_reg_read(env, regno + 1)))
			return err;
		if (size->type != SCALAR_VALUE)
			return type_mismatch(env, regno + 1, "scalar");
		return 0; /* checked with the size argument */
	}
	case ARG_CONST_SIZE:
	case ARG_CONST_SIZE_OR_ZERO: {
		if (reg->type != SCALAR_VALUE)
			return type_mismatch(env, regno, "scalar");
		enum access t = ACCESS_READ;
		const struct helper_proto *p = helper_proto(func);
		if (p && regno >= 2 && p->args[regno - 2] == ARG_PTR_TO_UNINIT_MEM)
			t = ACCESS_WRITE;
		if (reg->umax_value > meta->msize_max)
			meta->msize_max = reg->umax_value;
		meta->data_len = reg->umax_value;
		if ((err = mark_precise(env, regno)))
			return err;
		return check_helper_mem_sized(env, regno - 1, reg, arg == ARG_CONST_SIZE_OR_ZERO, t);
	}
	case ARG_CONST_ALLOC_SIZE_OR_ZERO:
		if (reg->type != SCALAR_VALUE)
			return type_mismatch(env, regno, "scalar");
		if (!tnum_is_const(reg->var_off)) {
			verbose(env, "R%u is not a known constant'\n", regno);
			return -EACCES;
		}
		meta->has_alloc_size = true;
		meta->alloc_size = reg->var_off.value;
		return mark_precise(env, regno);
	case ARG_PTR_TO_CTX_OR_NULL:
		if (reg->type == SCALAR_VALUE && reg_is_const(reg) && reg->var_off.value == 0)
			return 0;
		/* fallthrough */
	case ARG_PTR_TO_CTX:
		if (base_type(reg->type) != PTR_TO_CTX || reg->type & PTR_MAYBE_NULL)
			return type_mismatch(env, regno, "ctx");
		if (reg->off || !tnum_is_const(reg->var_off) || reg->var_off.value) {
			verbose(env, "dereference of modified ctx ptr R%u off=%d disallowed\n", regno,
				reg->off);
			return -EACCES;
		}
		return 0;
	case ARG_PTR_TO_FUNC:
		if (reg->type != PTR_TO_FUNC)
			return type_mismatch(env, regno, "func");
		/* Only the function's own address (the kernel's
		 * __check_ptr_off_reg): one moved by arithmetic would start
		 * the callback elsewhere. */
		if (reg->off < 0) {
			verbose(env, "negative offset func ptr R%u off=%d disallowed\n", regno,
				reg->off);
			return -EACCES;
		}
		if (reg->off) {
			verbose(env, "dereference of modified func ptr R%u off=%d disallowed\n",
				regno, reg->off);
			return -EACCES;
		}
		if (!tnum_is_const(reg->var_off) || reg->var_off.value) {
			verbose(env, "variable func access var_off=(%#llx; %#llx) disallowed\n",
				(unsigned long long)reg->var_off.value,
				(unsigned long long)reg->var_off.mask);
			return -EACCES;
		}
		meta->has_func = true;
		meta->subprogno = reg->subprogno;
		return 0;
	case ARG_PTR_TO_STACK_OR_NULL:
		if (reg->type == SCALAR_VALUE && reg_is_const(reg) && reg->var_off.value == 0)
			return 0;
		if (reg->type != PTR_TO_STACK)
			return type_mismatch(env, regno, "fp");
		return 0;
	case ARG_PTR_TO_CONST_STR: {
		if (base_type(reg->type) != PTR_TO_MAP_VALUE || reg->type & PTR_MAYBE_NULL)
			return type_mismatch(env, regno, "map_value");
		const struct vmap *m = reg->map_ptr;
		if (!m || !m->rodata) {
			verbose(env, "R%u does not point to a readonly map'\n", regno);
			return -EACCES;
		}
		if (!tnum_is_const(reg->var_off)) {
			verbose(env, "R%u is not a constant address'\n", regno);
			return -EACCES;
		}
		uint64_t off = reg->var_off.value + (uint64_t)(int64_t)reg->off;
		if (off >= m->value_size) {
			verbose(env, "invalid access to map value, value_size=%u off=%lld size=0\n",
				m->value_size, (long long)off);
			return -EACCES;
		}
		if (!memchr(m->rodata + off, 0, m->value_size - off)) {
			verbose(env, "string is not zero-terminated\n");
			return -EINVAL;
		}
		meta->fmt = (const char *)m->rodata + off;
		return 0;
	}
	case ARG_PTR_TO_SPIN_LOCK:
		return check_spin_lock_arg(env, regno, func == BPF_FUNC_spin_lock);
	case ARG_PTR_TO_RINGBUF_MEM:
		if (base_type(reg->type) != PTR_TO_MEM || !(reg->type & MEM_RINGBUF) ||
		    reg->type & PTR_MAYBE_NULL)
			return type_mismatch(env, regno, "ringbuf_mem");
		if (!reg->ref_obj_id) {
			verbose(env, "R%u must be referenced when passed to release function\n", regno);
			return -EINVAL;
		}
		if (reg->off || !tnum_is_const(reg->var_off) || reg->var_off.value) {
			verbose(env, "R%u must have zero offset when passed to release func or trusted "
				"arg to kfunc\n", regno);
			return -EINVAL;
		}
		meta->release_ref = reg->ref_obj_id;
		meta->release_regno = regno;
		return 0;
	case ARG_PTR_TO_LONG:
		if (!is_mem_type(reg))
			return type_mismatch(env, regno, mem_types_str);
		if ((err = check_pkt_arg(env, func, reg)))
			return err;
		return check_helper_mem(env, regno, 8, false, ACCESS_WRITE);
	default:
		verbose(env, "verifier internal error: unsupported arg type %u\n", arg);
		return -EFAULT;
	}
}

/* Enters a callback (bpf_loop, for_each_map_elem) on a path of its own;
 * the current path goes on after the call as if the loop had ended. The
 * callback's exit comes back to the call, which runs it again (as many
 * times as the states keep changing). */
static int push_callback(struct venv *env, const struct uebpf_insn *insn, uint32_t idx,
			 const struct call_meta *meta)
{
	struct vstate *st = push_branch(env, env->subprogs[meta->subprogno].start, idx);
	if (!st)
		return env->stack_size > COMPLEXITY_LIMIT_JMP_SEQ ? -E2BIG : -ENOMEM;
	if (st->curframe + 1 >= MAX_CALL_FRAMES) {
		verbose(env, "the call stack of %u frames is too deep !\n", st->curframe + 2);
		return -E2BIG;
	}
	struct func_state *caller = st->frame[st->curframe];
	struct func_state *callee = calloc(1, sizeof(*callee));
	if (!callee)
		return -ENOMEM;
	st->frame[++st->curframe] = callee;
	callee->callsite = (int32_t)idx;
	callee->frameno = st->curframe;
	callee->subprogno = meta->subprogno;
	callee->in_callback = true;
	callee->cb_ret_min = 0;
	callee->cb_ret_max = 1;
	for (int r = 0; r < MAX_BPF_REG; r++)
		mark_reg_not_init(&callee->regs[r]);
	reg_mark_known_zero(&callee->regs[BPF_REG_10]);
	callee->regs[BPF_REG_10].type = PTR_TO_STACK;
	callee->regs[BPF_REG_10].frameno = callee->frameno;
	if (insn->imm == BPF_FUNC_loop) {
		/* long callback(u64 index, void *ctx) */
		reg_mark_unknown(&callee->regs[BPF_REG_1]);
		callee->regs[BPF_REG_2] = caller->regs[BPF_REG_3];
	} else {
		/* long callback(map, key, value, ctx) */
		reg_mark_known_zero(&callee->regs[BPF_REG_1]);
		callee->regs[BPF_REG_1].type = CONST_PTR_TO_MAP;
		callee->regs[BPF_REG_1].map_ptr = meta->map;
		reg_mark_known_zero(&callee->regs[BPF_REG_2]);
		callee->regs[BPF_REG_2].type = PTR_TO_MAP_KEY;
		callee->regs[BPF_REG_2].map_ptr = meta->map;
		reg_mark_known_zero(&callee->regs[BPF_REG_3]);
		callee->regs[BPF_REG_3].type = PTR_TO_MAP_VALUE;
		callee->regs[BPF_REG_3].map_ptr = meta->map;
		callee->regs[BPF_REG_4] = caller->regs[BPF_REG_3];
	}
	return 0;
}

int check_helper_call(struct venv *env, const struct uebpf_insn *insn, uint32_t *insn_idx)
{
	int32_t func = insn->imm;
	uint32_t idx = env->insn_idx;
	struct reg_state *regs = cur_regs(env);
	struct call_meta meta = { .const_key = -1 };
	char buf[16];
	int err;

	if (func < 0 || func >= __BPF_FUNC_MAX_ID) {
		verbose(env, "invalid func unknown#%d\n", func);
		return -EINVAL;
	}
	if (env->pt && env->pt->helper_allowed && !env->pt->helper_allowed(&env->target, func)) {
		verbose(env, "program of this type cannot use helper %s#%d\n",
			helper_name(func, buf, sizeof(buf)), func);
		return -EINVAL;
	}
	const struct helper_proto *p = helper_proto(func);
	if (!p) {
		verbose(env, "helper %s#%d is not provided by uebpf\n",
			helper_name(func, buf, sizeof(buf)), func);
		return -EINVAL;
	}
	for (int i = 0; i < 5 && p->args[i] != ARG_NONE; i++) {
		err = check_func_arg(env, func, (uint32_t)i + 1, p->args[i], &meta);
		if (err)
			return err;
	}
	if (meta.map && !map_func_compatible(meta.map->type, func)) {
		verbose(env, "cannot pass map_type %u into func %s#%d\n", meta.map->type,
			helper_name(func, buf, sizeof(buf)), func);
		return -EINVAL;
	}
	if (func == BPF_FUNC_snprintf && (err = check_format(env, &meta)))
		return err;
	if (func == BPF_FUNC_tail_call) {
		const struct verifier_func *fn = env->subprogs[cur_frame(env)->subprogno].btf;
		if (cur_frame(env)->subprogno && fn && fn->returns_void) {
			verbose(env, "tail_call is only allowed in functions that return 'int'.\n");
			return -EINVAL;
		}
		if (env->cur->nr_refs) {
			verbose(env, "tail_call would lead to reference leak\n");
			return -EINVAL;
		}
		env->subprogs[cur_frame(env)->subprogno].has_tail_call = true;
	}
	if (meta.release_ref && (err = release_reference(env, meta.release_ref)))
		return err;
	if ((func == BPF_FUNC_loop || func == BPF_FUNC_for_each_map_elem) && meta.has_func) {
		err = push_callback(env, insn, idx, &meta);
		if (err)
			return err;
		regs = cur_regs(env);
	}

	/* r1-r5 are clobbered, r0 holds the result. */
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		mark_reg_not_init(&regs[r]);
	struct reg_state *r0 = &regs[BPF_REG_0];
	memset(r0, 0, sizeof(*r0));
	switch (p->ret) {
	case RET_VOID:
		mark_reg_not_init(r0);
		break;
	case RET_PTR_TO_MAP_VALUE_OR_NULL:
		reg_mark_known_zero(r0);
		if (func == BPF_FUNC_map_lookup_elem && meta.const_key >= 0 &&
		    meta.const_key < meta.map->max_entries) {
			r0->type = PTR_TO_MAP_VALUE;
			r0->map_ptr = meta.map;
			break;
		} else {
			r0->type = PTR_TO_MAP_VALUE | PTR_MAYBE_NULL;
			r0->map_ptr = meta.map;
		}
		r0->id = new_id(env);
		break;
	case RET_PTR_TO_RINGBUF_MEM_OR_NULL: {
		reg_mark_known_zero(r0);
		r0->type = PTR_TO_MEM | MEM_RINGBUF | PTR_MAYBE_NULL;
		r0->mem_size = (uint32_t)meta.alloc_size;
		new_id(env); /* the kernel numbers the null check first */
		uint32_t ref = acquire_reference(env, idx);
		if (!ref) {
			verbose(env, "too many acquired references\n");
			return -EINVAL;
		}
		r0->id = ref;
		r0->ref_obj_id = ref;
		break;
	}
	default:
		reg_mark_unknown(r0);
		if (func == BPF_FUNC_get_smp_processor_id) {
			/* A CPU number: below the number of CPUs. */
			long n = sysconf(_SC_NPROCESSORS_CONF);
			r0->umax_value = n > 0 ? (uint64_t)n - 1 : 0;
			r0->smin_value = 0;
			reg_bounds_sync(r0);
		}
		/* Helpers that return how much they wrote return at most
		 * the size they were given (do_refine_retval_range). */
		if (func == BPF_FUNC_get_stack || func == BPF_FUNC_probe_read_str ||
		    func == BPF_FUNC_probe_read_user_str || func == BPF_FUNC_probe_read_kernel_str ||
		    func == BPF_FUNC_get_task_stack) {
			r0->smax_value = (int64_t)meta.msize_max;
			r0->s32_max_value = (int32_t)meta.msize_max;
			reg_bounds_sync(r0);
		}
		break;
	}
	if (changes_pkt_data(func))
		for_each_reg(env->cur, forget_pkt_pointer, NULL);
	*insn_idx = idx + 1;
	return 0;
}

/* A call to a global function: the arguments against its BTF
 * signature; it returns a number (it is verified on its own). */
static int check_global_call(struct venv *env, int sub, uint32_t *insn_idx)
{
	const struct verifier_func *fn = env->subprogs[sub].btf;
	struct reg_state *regs = cur_regs(env);
	int err = 0;

	for (int i = 0; i < fn->nargs && !err; i++) {
		uint32_t regno = (uint32_t)i + 1;
		const struct reg_state *reg = &regs[regno];
		if ((err = check_reg_read(env, regno)))
			return err;
		switch (fn->arg[i]) {
		case VARG_SCALAR:
			if (reg->type != SCALAR_VALUE) {
				verbose(env, "R%u is not a scalar\n", regno);
				err = -EINVAL;
			}
			break;
		case VARG_CTX:
			if (reg->type != PTR_TO_CTX) {
				verbose(env, "arg#%d expects pointer to ctx\n", i);
				err = -EINVAL;
			} else if (reg->off || !tnum_is_const(reg->var_off) || reg->var_off.value) {
				verbose(env, "dereference of modified ctx ptr R%u off=%d disallowed\n",
					regno, reg->off);
				err = -EACCES;
			}
			break;
		case VARG_MEM:
			if (reg->type == SCALAR_VALUE && reg_is_const(reg) && !reg->var_off.value)
				break; /* NULL */
			if (!is_mem_type(reg)) {
				err = type_mismatch(env, regno, mem_types_str);
				break;
			}
			err = check_helper_mem(env, regno, (int)fn->arg_size[i], false, ACCESS_READ);
			break;
		default:
			verbose(env, "arg#%d: global functions take numbers, the context and pointers "
				"to sized memory\n", i);
			err = -EINVAL;
		}
	}
	if (err) {
		verbose(env, "Caller passes invalid args into func#%d ('%s')\n", sub,
			fn->name ? fn->name : "");
		return err;
	}
	if (env->log_level & 3)
		verbose(env, "Func#%d ('%s') is global and assumed valid.\n", sub,
			fn->name ? fn->name : "");
	env->subprogs[sub].called = true;
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		mark_reg_not_init(&regs[r]);
	reg_mark_unknown(&regs[BPF_REG_0]);
	*insn_idx = env->insn_idx + 1;
	return 0;
}

int check_subprog_call(struct venv *env, const struct uebpf_insn *insn, uint32_t *insn_idx)
{
	struct vstate *st = env->cur;
	uint32_t idx = env->insn_idx;
	int sub = find_subprog(env, idx + insn->imm + 1);

	if (sub < 0) {
		verbose(env, "verifier bug. No program starts at insn %u\n", idx + insn->imm + 1);
		return -EFAULT;
	}
	if (env->subprogs[sub].btf && env->subprogs[sub].btf->global)
		return check_global_call(env, sub, insn_idx);
	if (st->curframe + 1 >= MAX_CALL_FRAMES) {
		verbose(env, "the call stack of %u frames is too deep\n", st->curframe + 2);
		return -E2BIG;
	}
	struct func_state *caller = st->frame[st->curframe];
	struct func_state *callee = calloc(1, sizeof(*callee));
	if (!callee)
		return -ENOMEM;
	st->frame[++st->curframe] = callee;
	callee->callsite = (int32_t)idx;
	callee->frameno = st->curframe;
	callee->subprogno = (uint32_t)sub;
	for (int r = 0; r < MAX_BPF_REG; r++)
		mark_reg_not_init(&callee->regs[r]);
	for (int r = BPF_REG_1; r <= BPF_REG_5; r++)
		callee->regs[r] = caller->regs[r];
	reg_mark_known_zero(&callee->regs[BPF_REG_10]);
	callee->regs[BPF_REG_10].type = PTR_TO_STACK;
	callee->regs[BPF_REG_10].frameno = callee->frameno;
	/* The caller's scratch registers do not survive the call. */
	for (int r = BPF_REG_0; r <= BPF_REG_5; r++)
		mark_reg_not_init(&caller->regs[r]);
	*insn_idx = env->subprogs[sub].start;
	return 0;
}

static void invalid_scalar(struct venv *env, const struct reg_state *reg, int64_t min, int64_t max,
			   const char *ctx)
{
	bool unknown = true;

	verbose(env, "%s the register R0 has", ctx);
	if (reg->smin_value > INT64_MIN) {
		verbose(env, " smin=%lld", (long long)reg->smin_value);
		unknown = false;
	}
	if (reg->smax_value < INT64_MAX) {
		verbose(env, " smax=%lld", (long long)reg->smax_value);
		unknown = false;
	}
	if (unknown)
		verbose(env, " unknown scalar value");
	verbose(env, " should have been in [%lld, %lld]\n", (long long)min, (long long)max);
}

int check_exit(struct venv *env, uint32_t *insn_idx, bool *done)
{
	struct vstate *st = env->cur;
	struct func_state *callee = st->frame[st->curframe];
	int err;

	*done = false;
	if (!st->curframe && st->lock_map) {
		verbose(env, "BPF_EXIT instruction in main prog cannot be used inside "
			"bpf_spin_lock-ed region\n");
		return -EINVAL;
	}
	if (!st->curframe && st->nr_refs) {
		verbose(env, "Unreleased reference id=%u alloc_insn=%u\n", st->refs[0].id,
			st->refs[0].insn_idx);
		verbose(env, "BPF_EXIT instruction in main prog would lead to reference leak\n");
		return -EINVAL;
	}
	struct reg_state *r0 = &callee->regs[BPF_REG_0];

	/* A static subprogram may leave r0 unset (its caller may not read
	 * it); callbacks and the program may not. */
	if ((!st->curframe || callee->in_callback) && (err = check_reg_read(env, BPF_REG_0)))
		return err;
	if (st->curframe) {
		struct func_state *caller = st->frame[st->curframe - 1];
		if (callee->in_callback) {
			if (r0->type != SCALAR_VALUE) {
				verbose(env, "R0 not a scalar value\n");
				return -EACCES;
			}
			if ((err = mark_precise(env, BPF_REG_0)))
				return err;
			if (r0->smin_value < callee->cb_ret_min || r0->smax_value > callee->cb_ret_max) {
				invalid_scalar(env, r0, callee->cb_ret_min, callee->cb_ret_max,
					       "At callback return");
				return -EINVAL;
			}
			/* Back to the call: the callback may run again. */
			*insn_idx = (uint32_t)callee->callsite;
			env->pending_hist_flags |= HIST_CALLBACK;
		} else {
			if (base_type(r0->type) == PTR_TO_STACK && r0->frameno == callee->frameno) {
				verbose(env, "cannot return stack pointer to the caller\n");
				return -EINVAL;
			}
			caller->regs[BPF_REG_0] = *r0;
			*insn_idx = (uint32_t)callee->callsite + 1;
		}
		bool callback = callee->in_callback;
		free(callee->stack);
		free(callee);
		st->frame[st->curframe--] = NULL;
		if (callback) {
			/* The next round starts where this one ended: widen
			 * what changed and nothing depends on. */
			const struct vstate *prev = find_prev_entry(env, st, *insn_idx);
			if (prev)
				widen_imprecise_scalars(prev, st);
		}
		return 0;
	}

	int64_t min, max;
	if (callee->subprogno) {
		/* A global function verified on its own returns a number. */
		if (r0->type != SCALAR_VALUE) {
			verbose(env, "At subprogram exit the register R0 is not a scalar value (%s)\n",
				reg_type_str(r0->type));
			return -EINVAL;
		}
		*done = true;
		return 0;
	}
	if (env->pt && env->pt->return_range && env->pt->return_range(&env->target, &min, &max)) {
		if (r0->type != SCALAR_VALUE) {
			verbose(env, "At program exit the register R0 is not a known value (%s)\n",
				reg_type_str(r0->type));
			return -EINVAL;
		}
		if ((err = mark_precise(env, BPF_REG_0)))
			return err;
		if (r0->smin_value < min || r0->smax_value > max) {
			invalid_scalar(env, r0, min, max, "At program exit");
			return -EINVAL;
		}
	}
	*done = true;
	return 0;
}
