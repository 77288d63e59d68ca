/* SPDX-License-Identifier: MIT */
/* Helper tables, loading (pre-decoding) programs, and the run entry point. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "helpers/helpers.h"

/* Helper ids the table accepts (kernel ids are below 256 today). */
#define MAX_HELPER_ID 65535

struct uebpf_vm *uebpf_vm_new(void)
{
	return calloc(1, sizeof(struct uebpf_vm));
}

void uebpf_vm_free(struct uebpf_vm *vm)
{
	if (!vm)
		return;
	free(vm->helpers);
	free(vm);
}

/* Stands for libbpf's poisoned instruction: the program reached code
 * whose CO-RE relocation failed, which a verifier would have refused. */
static uint64_t helper_core_poison(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				   uint64_t r5, struct uebpf_exec *ex)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	uebpf_exec_fault(ex, "reached an instruction whose CO-RE relocation could not be "
			 "resolved (call 0x%x)", UEBPF_CORE_POISON_HELPER);
	return 0;
}

int uebpf_vm_set_helper(struct uebpf_vm *vm, int32_t id, const char *name,
			uebpf_helper_fn fn)
{
	if (!vm || id < 0 || id > MAX_HELPER_ID)
		return -EINVAL;
	if ((size_t)id >= vm->helper_cap) {
		if (!fn)
			return 0;
		size_t cap = vm->helper_cap ? vm->helper_cap : 256;
		while (cap <= (size_t)id)
			cap *= 2;
		struct helper_entry *h = realloc(vm->helpers, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		memset(h + vm->helper_cap, 0, (cap - vm->helper_cap) * sizeof(*h));
		vm->helpers = h;
		vm->helper_cap = cap;
	}
	vm->helpers[id].fn = fn;
	snprintf(vm->helpers[id].name, sizeof(vm->helpers[id].name), "%s",
		 name ? name : "");
	return 0;
}

int uebpf_vm_add_kernel_helpers(struct uebpf_vm *vm)
{
	size_t n;
	const struct helper_proto *protos = helper_protos(&n);
	int err = uebpf_vm_set_helper(vm, BPF_FUNC_loop, "bpf_loop", helper_loop);
	if (!err)
		err = uebpf_vm_set_helper(vm, BPF_FUNC_for_each_map_elem, "bpf_for_each_map_elem",
					  helper_for_each_map_elem);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (!protos[i].fn)
			continue;
		err = uebpf_vm_set_helper(vm, protos[i].id, uebpf_helper_name(protos[i].id),
					  protos[i].fn);
		if (err)
			return err;
	}
	return 0;
}

uebpf_helper_fn uebpf_vm_helper(const struct uebpf_vm *vm, int32_t id)
{
	return vm && id >= 0 ? vm_helper(vm, (uint64_t)id) : NULL;
}

static int load_error(const struct uebpf_code_opts *opts, int err,
		      const char *fmt, ...)
{
	if (opts && opts->err_buf && opts->err_size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(opts->err_buf, opts->err_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

static const char *const pseudo_names[] = {
	[PSEUDO_MAP_FD] = "map fd", [PSEUDO_MAP_VALUE] = "map value",
	[PSEUDO_BTF_ID] = "BTF id", [PSEUDO_FUNC] = "function",
	[PSEUDO_MAP_IDX] = "map index", [PSEUDO_MAP_IDX_VALUE] = "map index value",
};

/* The index of map in code->maps, adding it (with a reference). */
static int code_add_map(struct uebpf_code *code, struct map *map, int direct)
{
	size_t i;
	for (i = 0; i < code->map_cnt; i++)
		if (code->maps[i] == map)
			break;
	if (i == code->map_cnt) {
		struct map **maps = realloc(code->maps, (i + 1) * sizeof(*maps));
		uint8_t *dir = realloc(code->direct, i + 1);
		if (maps)
			code->maps = maps;
		if (dir)
			code->direct = dir;
		if (!maps || !dir)
			return -ENOMEM;
		map_get(map);
		code->maps[i] = map;
		code->direct[i] = 0;
		code->map_cnt++;
	}
	code->direct[i] |= (uint8_t)direct;
	return 0;
}

/* Map references by fd: the map itself, or the address of a value of an
 * array map (global data). Other pseudo sources are the loader's. */
static int resolve_pseudo(struct uebpf_code *code, const struct uebpf_insn *in,
			  size_t idx, uint64_t *value, const struct uebpf_code_opts *opts)
{
	if (in->src_reg == PSEUDO_FUNC) {
		/* A callback: the slot its subprogram starts at (the checker
		 * made sure it is in the program). */
		*value = (uintptr_t)&code->slots[idx + 1 + (int64_t)in->imm];
		return 0;
	}
	if (in->src_reg != PSEUDO_MAP_FD && in->src_reg != PSEUDO_MAP_VALUE)
		return load_error(opts, -EINVAL,
			"insn %zu: 64-bit immediate refers to a %s (pseudo src %d); "
			"it must be resolved by the object loader first",
			idx, pseudo_names[in->src_reg], in->src_reg);
	struct map *map = map_from_fd(in->imm);
	if (!map)
		return load_error(opts, -EBADF, "insn %zu: fd %d is not a map", idx, in->imm);
	if (in->src_reg == PSEUDO_MAP_FD) {
		*value = (uintptr_t)map;
		return code_add_map(code, map, 0);
	}
	uint32_t off = (uint32_t)in[1].imm;
	if (map->hdr->type != BPF_MAP_TYPE_ARRAY || map->hdr->max_entries != 1)
		return load_error(opts, -EINVAL,
			"insn %zu: direct value access needs an array map of one element", idx);
	if (off >= map->hdr->value_size)
		return load_error(opts, -EINVAL,
			"insn %zu: offset %u is past the map's %u-byte value", idx, off,
			map->hdr->value_size);
	*value = (uintptr_t)map->data + off;
	return code_add_map(code, map, 1);
}

/* The registers an instruction reads (bits 0-10) and writes (bits 16-26),
 * for the checked interpreter's test of uninitialised reads. Calls,
 * exits and legacy packet loads also clobber r1-r5 or change frames:
 * the interpreter does that part itself. */
static uint32_t reg_use(const struct uebpf_insn *in, int op)
{
	uint32_t d = 1u << in->dst_reg, s = 1u << in->src_reg, rd = 0, wr = 0;
	switch (isa_ops[op].kind) {
	case K_ALU:
		if (BPF_OP(in->code) == BPF_MOV)
			rd = BPF_SRC(in->code) == BPF_X ? s : 0;
		else
			rd = d | (BPF_SRC(in->code) == BPF_X ? s : 0);
		wr = d;
		break;
	case K_NEG:
	case K_END:
		rd = wr = d;
		break;
	case K_MOVSX:
	case K_LDX:
	case K_LOAD_ACQ:
		rd = s;
		wr = d;
		break;
	case K_LDDW:
		wr = d;
		break;
	case K_LDABS:
		rd = 1u << 6;
		wr = 1;
		break;
	case K_LDIND:
		rd = 1u << 6 | s;
		wr = 1;
		break;
	case K_ST:
		rd = d;
		break;
	case K_STX:
	case K_STORE_REL:
		rd = d | s;
		break;
	case K_ATOMIC:
		rd = d | s;
		if (in->imm == BPF_CMPXCHG) {
			rd |= 1;
			wr = 1;
		} else if (in->imm & BPF_FETCH) {
			wr = s;
		}
		break;
	case K_JCC:
		rd = d | (BPF_SRC(in->code) == BPF_X ? s : 0);
		break;
	case K_CALLX:
		rd = d;
		break;
	case K_EXIT:
		rd = 1;
		break;
	default:
		break;
	}
	return rd | wr << 16;
}

int uebpf_code_load(struct uebpf_vm *vm, const struct uebpf_insn *insns,
		    size_t insn_cnt, const struct uebpf_code_opts *opts,
		    struct uebpf_code **out)
{
	char msg[256];
	*out = NULL;
	if (!vm || (!insns && insn_cnt))
		return load_error(opts, -EINVAL, "no program");

	int err = uebpf_insns_check(insns, insn_cnt, msg, sizeof(msg));
	if (err)
		return load_error(opts, err, "%s", msg);

	struct uebpf_code *code = calloc(1, sizeof(*code));
	if (!code)
		return load_error(opts, -ENOMEM, "out of memory");
	code->vm = vm;
	code->insn_cnt = insn_cnt;
	code->checked_only = opts && opts->sz >= offsetof(struct uebpf_code_opts, checked_only) +
						  sizeof(opts->checked_only) && opts->checked_only;
	if (opts && opts->sz >= offsetof(struct uebpf_code_opts, prog_type) + sizeof(opts->prog_type))
		code->prog_type = opts->prog_type;
	atomic_store(&code->refs, 1);
	code->id = (uint32_t)(((uintptr_t)code >> 4) * 2654435761u) | 1;
	code->slots = calloc(insn_cnt + 1, sizeof(*code->slots));
	code->ops = calloc(insn_cnt + 1, 1);
	code->regs = calloc(insn_cnt + 1, sizeof(*code->regs));
	if (!code->slots || !code->ops || !code->regs) {
		uebpf_code_free(code);
		return load_error(opts, -ENOMEM, "out of memory");
	}

	const void *const *labels = interp_fast_labels();
	for (size_t i = 0; i < insn_cnt; i++) {
		const struct uebpf_insn *in = &insns[i];
		struct slot *s = &code->slots[i];
		int op = isa_decode(in, NULL, 0);

		code->ops[i] = (uint8_t)op;
		code->regs[i] = reg_use(in, op);
		s->label = labels[op];
		s->dst = in->dst_reg;
		s->src = in->src_reg;
		s->off = in->off;
		s->imm = in->imm;

		switch (isa_ops[op].kind) {
		case K_LDDW: {
			uint64_t value = isa_imm64(in);
			if (in->src_reg != PSEUDO_IMM64) {
				err = resolve_pseudo(code, &insns[i], i, &value, opts);
				if (err) {
					uebpf_code_free(code);
					return err;
				}
			}
			/* The second slot carries the value; it is never executed
			 * (jumps into it are rejected by the checker). */
			code->ops[i + 1] = (uint8_t)op;
			code->slots[i + 1].label = labels[op];
			code->slots[i + 1].imm64 = value;
			i++;
			break;
		}
		case K_CALL: {
			if (in->imm == BPF_FUNC_tail_call) { /* not a call: a jump */
				code->ops[i] = EOP_TAIL_CALL;
				s->label = labels[EOP_TAIL_CALL];
				break;
			}
			uebpf_helper_fn fn = vm_helper(vm, (uint32_t)in->imm);
			if (in->imm == UEBPF_CORE_POISON_HELPER)
				fn = helper_core_poison;
			if (in->imm < 0 || !fn) {
				const char *name = uebpf_helper_name(in->imm);
				uebpf_code_free(code);
				return load_error(opts, -ENOENT,
					"insn %zu: invalid func %s#%d: helper is not available",
					i, name ? name : "unknown", in->imm);
			}
			s->fn = fn;
			if (fn == helper_map_lookup_elem)
				s->label = labels[EOP_MAP_LOOKUP];
			break;
		}
		case K_CALL_KFUNC:
			uebpf_code_free(code);
			return load_error(opts, -EINVAL,
				"insn %zu: calls to kernel functions (kfunc #%d) are not supported",
				i, in->imm);
		default:
			break;
		}
	}
	code->ops[insn_cnt] = EOP_OFF_END;
	code->slots[insn_cnt].label = labels[EOP_OFF_END];
	interp_fuse(code, insns);
	*out = code;
	return 0;
}

static void code_put(void *p)
{
	uebpf_code_free(p);
}

void uebpf_code_free(struct uebpf_code *code)
{
	if (!code || atomic_fetch_sub(&code->refs, 1) != 1)
		return;
	for (size_t i = 0; i < code->map_cnt; i++)
		map_put(code->maps[i]);
	free(code->maps);
	free(code->direct);
	free(code->slots);
	free(code->ops);
	free(code->regs);
	free(code);
}

size_t uebpf_code_insn_cnt(const struct uebpf_code *code)
{
	return code ? code->insn_cnt : 0;
}

static struct uebpf_code *(*prog_fd_lookup)(int fd);

static int prog_array_set_fd(struct map *map, uint32_t index, int fd)
{
	struct uebpf_code *code = prog_fd_lookup(fd);
	if (!code)
		return fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL; /* not a program */
	atomic_fetch_add(&code->refs, 1);
	int err = prog_array_set(map, index, code, code->id, code_put);
	if (err)
		atomic_fetch_sub(&code->refs, 1);
	return err;
}

void uebpf_set_prog_fd_lookup(struct uebpf_code *(*lookup)(int fd))
{
	prog_fd_lookup = lookup;
	prog_array_fd_set = lookup ? prog_array_set_fd : NULL;
}

void uebpf_code_set_id(struct uebpf_code *code, uint32_t id)
{
	code->id = id;
}

int uebpf_prog_array_set(int map_fd, uint32_t index, struct uebpf_code *code)
{
	struct map *map = map_from_fd(map_fd);
	if (!map)
		return -EBADF;
	if (map->fd_mode & BPF_F_RDONLY)
		return -EPERM;
	if (code)
		atomic_fetch_add(&code->refs, 1);
	int err = prog_array_set(map, index, code, code ? code->id : 0, code_put);
	if (err && code)
		atomic_fetch_sub(&code->refs, 1);
	return err;
}

/* Checked mode: global data a program addresses directly is memory it may
 * use. */
static void allow_direct_values(struct uebpf_exec *ex, const struct uebpf_code *code)
{
	for (size_t i = 0; ex->checked && i < code->map_cnt; i++)
		if (code->direct[i])
			uebpf_exec_add_region(ex, code->maps[i]->data, code->maps[i]->hdr->value_size,
					      code->maps[i]->hdr->map_flags & BPF_F_RDONLY_PROG
						      ? UEBPF_MEM_READ : UEBPF_MEM_RW);
}

const struct uebpf_code *tail_call_target(struct uebpf_exec *ex, uint64_t map_ptr,
					  uint64_t index)
{
	struct map *map = (struct map *)(uintptr_t)map_ptr;
	if (ex->checked && (!exec_map_ok(ex, map) || map->hdr->type != BPF_MAP_TYPE_PROG_ARRAY)) {
		uebpf_exec_fault(ex, "R2 is not a program array of this program (0x%llx)",
				 (unsigned long long)map_ptr);
		return NULL;
	}
	if (ex->tail_calls >= MAX_TAIL_CALLS)
		return NULL;
	const struct uebpf_code *next = prog_array_get(map, (uint32_t)index);
	if (!next || (uint32_t)index != index || (next->checked_only && !ex->checked))
		return NULL;
	/* The kernel refuses to mix program types in one array; a program of
	 * another type here is not called (helpers behave by type). */
	if (next->prog_type != ex->prog_type)
		return NULL;
	ex->tail_calls++;
	ex->code = next;
	ex->maps = next->maps;
	ex->map_cnt = next->map_cnt;
	allow_direct_values(ex, next);
	return next;
}

int uebpf_code_run(const struct uebpf_code *code, uint64_t r1, uint64_t r2,
		   struct uebpf_run_opts *opts, uint64_t *ret)
{
	struct uebpf_exec ex;
	/* Zeroed but for the fault message, which only a fault writes: a
	 * third of the struct, a noticeable part of a short program's run. */
	memset(&ex, 0, offsetof(struct uebpf_exec, helper_fault));
	ex.helper_fault[0] = '\0';
	memset((char *)&ex + offsetof(struct uebpf_exec, helper_fault) + sizeof(ex.helper_fault), 0,
	       sizeof(ex) - offsetof(struct uebpf_exec, helper_fault) - sizeof(ex.helper_fault));
	ex.code = code;
	ex.fault_pc = -1;
	ex.cpu = -1;
	ex.may_goto_left = UEBPF_MAY_GOTO_BUDGET;
	ex.prog_type = code ? code->prog_type : 0;
	if (!code || !ret)
		return -EINVAL;
	if (code->checked_only && !(opts && opts->checked)) {
		if (opts && opts->err_buf && opts->err_size)
			snprintf(opts->err_buf, opts->err_size, "the program was loaded without "
				 "verification: it may only run in checked mode");
		return -EPERM;
	}
	if (opts) {
		ex.checked = opts->checked;
		ex.regions = opts->regions;
		ex.region_cnt = opts->regions ? opts->region_cnt : 0;
		ex.insn_limit = opts->insn_limit ? opts->insn_limit
						 : UEBPF_DEFAULT_INSN_LIMIT;
		ex.packet = opts->packet;
		ex.packet_len = opts->packet ? opts->packet_len : 0;
		ex.user = opts->user;
		ex.err_buf = opts->err_buf;
		ex.err_size = opts->err_buf ? opts->err_size : 0;
		if (ex.err_size)
			ex.err_buf[0] = '\0';
	}

	ex.maps = code->maps;
	ex.map_cnt = code->map_cnt;
	if (ex.checked)
		allow_direct_values(&ex, code);

	int err = interp_run(code, &ex, r1, r2, ret);

	if (ex.added) /* checked mode only */
		free(ex.added);
	if (ex.inner_maps)
		free(ex.inner_maps);
	if (ex.retired) /* buffers a helper replaced */
		exec_retired_free(&ex);
	if (opts) {
		opts->insn_count = ex.insn_count;
		opts->fault_pc = ex.fault_pc;
		if (opts->sz >= offsetof(struct uebpf_run_opts, redirect) + sizeof(opts->redirect))
			opts->redirect = ex.redirect;
	}
	return err;
}

