// SPDX-License-Identifier: MIT
/*
 * Loading an object, in libbpf's order (bpf_object__load): externs
 * resolved, maps created (or pinned ones reused) and filled with their
 * initial contents, .rodata and .kconfig frozen, maps pinned, programs
 * relocated (relo.c) and loaded with prog_load, then the initial slots
 * of maps of maps and program arrays filled. On failure everything this
 * load created is released and the maps it pinned are unpinned.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object/btf_ext.h"
#include "object/object.h"
#include "object/prog.h"
#include "uebpf/maps.h"

static int map_err(struct uebpf_map *map, int err, const char *what)
{
	return obj_err(map->obj, err, "map '%s': %s: %s", map->name, what, strerror(err));
}

/* A pinned map is reused when it is what the object defines. */
static int reuse_pinned(struct uebpf_map *map, int fd)
{
	struct uebpf_map_info info = { 0 };
	const struct map_def *d = &map->def;
	int err = uebpf_map_get_info(fd, &info);

	if (err)
		return map_err(map, -err, "cannot read the pinned map's definition");
	if (info.type != d->type || info.key_size != d->key_size ||
	    info.value_size != d->value_size || info.max_entries != d->max_entries ||
	    info.map_flags != d->map_flags || info.map_extra != d->map_extra)
		return obj_err(map->obj, EINVAL, "map '%s': the map pinned at '%s' is not the one "
			       "the object defines (type %u/%u, key %u/%u, value %u/%u, "
			       "max_entries %u/%u, flags 0x%x/0x%x): remove the pin or change "
			       "the definition", map->name, map->pin_path, info.type, d->type,
			       info.key_size, d->key_size, info.value_size, d->value_size,
			       info.max_entries, d->max_entries, info.map_flags, d->map_flags);
	map->fd = fd;
	map->reused = true;
	return 0;
}

static int create_one(struct uebpf_map *map, const char *pin_dir, int inner_fd)
{
	const struct map_def *d = &map->def;
	struct uebpf_map_create_opts opts = {
		.sz = sizeof(opts),
		.map_flags = d->map_flags,
		.numa_node = d->numa_node,
		.map_extra = d->map_extra,
		.inner_map_fd = inner_fd,
		.pin_dir = pin_dir,
		.value_has_spin_lock = map->value_has_spin_lock,
		.spin_lock_off = map->spin_lock_off,
	};

	return uebpf_map_create(d->type, map->kern_name, d->key_size, d->value_size,
				d->max_entries, &opts);
}

static int create_map(struct uebpf_map *map)
{
	char dir_buf[PATH_MAX];
	const char *pin_dir = NULL;
	int fd, inner_fd = -1, err;

	if (map->fd >= 0) /* uebpf_map_reuse_fd */
		return 0;
	if (map->pin_path) {
		fd = uebpf_obj_get(map->pin_path);
		if (fd >= 0) {
			err = reuse_pinned(map, fd);
			if (err)
				uebpf_map_close(fd);
			return err;
		}
		if (fd != -ENOENT)
			return map_err(map, -fd, "cannot open its pin");
		/* Created where it is pinned, so that pinning links it. */
		snprintf(dir_buf, sizeof(dir_buf), "%s", map->pin_path);
		pin_dir = dirname(dir_buf);
	}
	/* libbpf's default: one slot per possible CPU. */
	if (map->def.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && !map->def.max_entries)
		map->def.max_entries = uebpf_num_possible_cpus();
	if (map->inner) {
		inner_fd = create_one(map->inner, NULL, -1);
		if (inner_fd < 0)
			return map_err(map, -inner_fd, "cannot create its inner map");
	}
	fd = create_one(map, pin_dir, inner_fd);
	if (inner_fd >= 0)
		uebpf_map_close(inner_fd);
	if (fd < 0 && !uebpf_map_type_supported(map->def.type)) {
		const char *type = libbpf_bpf_map_type_str(map->def.type);

		return obj_err(map->obj, EOPNOTSUPP, "map '%s': uebpf has no maps of type %s (%u)",
			       map->name, type ? type : "unknown", map->def.type);
	}
	if (fd < 0)
		return map_err(map, -fd, "cannot create it");
	map->fd = fd;

	if (map->initial && map->kind != MAP_BSS) {
		uint32_t zero = 0;

		err = uebpf_map_update_elem(fd, &zero, map->initial, BPF_ANY);
		if (err)
			return map_err(map, -err, "cannot write its initial contents");
	}
	if (map->kind == MAP_RODATA || map->kind == MAP_KCONFIG) {
		err = uebpf_map_freeze(fd);
		if (err)
			return map_err(map, -err, "cannot freeze it");
	}
	if (map->pin_path) {
		err = uebpf_obj_pin(fd, map->pin_path);
		if (err)
			return map_err(map, -err, "cannot pin it");
		map->pinned = true;
	}
	return 0;
}

/* Maps of maps: the maps named in ".values = { ... }". */
static int fill_map_slots(struct uebpf_object *obj)
{
	for (size_t i = 0; i < obj->nr_maps; i++) {
		struct uebpf_map *map = &obj->maps[i];
		bool progs = map->def.type == BPF_MAP_TYPE_PROG_ARRAY;

		for (uint32_t k = 0; k < map->nr_slots; k++) {
			const struct map_slot *s = &map->slots[k];
			int fd, err;

			if (!s->set || map->reused)
				continue;
			fd = progs ? obj->progs[s->idx].fd : obj->maps[s->idx].fd;
			err = uebpf_map_update_elem(map->fd, &k, &fd, BPF_ANY);
			if (err) {
				char what[160];

				snprintf(what, sizeof(what), "cannot set slot %u to %s '%s'", k,
					 progs ? "program" : "map",
					 progs ? obj->progs[s->idx].name : obj->maps[s->idx].name);
				return map_err(map, -err, what);
			}
		}
	}
	return 0;
}

/* Line info of the loaded instructions, for `uebpf prog dump`. */
static struct prog_line *loaded_lines(struct uebpf_object *obj, const struct relo_result *r,
				      size_t *cnt)
{
	struct prog_line *lines = NULL;
	size_t n = 0, cap = 0;

	*cnt = 0;
	for (size_t pi = 0; pi < r->nr_parts; pi++) {
		const struct prog_part *part = &r->parts[pi];
		const struct uebpf_program *p = &obj->progs[part->prog_idx];
		const struct btf_ext_sec *es = p->ext_sec;

		for (size_t k = 0; es && k < es->line_cnt; k++) {
			const struct btf_line_rec *rec = &es->lines[k];

			if (rec->insn_off < p->sec_insn_off ||
			    rec->insn_off >= p->sec_insn_off + p->sec_insn_cnt)
				continue;
			if (n == cap) {
				struct prog_line *l;

				cap = cap ? 2 * cap : 64;
				l = reallocarray(lines, cap, sizeof(*l));
				if (!l) {
					free(lines);
					return NULL;
				}
				lines = l;
			}
			lines[n++] = (struct prog_line){
				.insn_off = (uint32_t)(part->off + rec->insn_off - p->sec_insn_off),
				.line = rec->line,
				.col = rec->col,
				.file = btf_ext_line_file(obj->btf_ext, rec),
				.text = btf_ext_line_text(obj->btf_ext, rec),
			};
		}
	}
	*cnt = n;
	return lines;
}

/* The context struct a program type's global functions take, by name. */
static const char *ctx_struct_name(enum bpf_prog_type type)
{
	switch (type) {
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_CGROUP_SKB:
		return "__sk_buff";
	case BPF_PROG_TYPE_XDP:
		return "xdp_md";
	case BPF_PROG_TYPE_KPROBE:
		return "pt_regs";
	case BPF_PROG_TYPE_PERF_EVENT:
		return "bpf_perf_event_data";
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		return "bpf_sock_addr";
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return "bpf_raw_tracepoint_args";
	default:
		return NULL;
	}
}

static uint8_t func_arg_kind(const struct btf *btf, uint32_t type_id, const char *ctx_name,
			     uint32_t *size)
{
	const struct btf_type *t = btf_skip_mods(btf, type_id, &type_id);

	if (!t)
		return VARG_OTHER;
	if (btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t))
		return VARG_SCALAR;
	if (!btf_is_ptr(t))
		return VARG_OTHER;
	uint32_t ref_id;
	const struct btf_type *ref = btf_skip_mods(btf, t->type, &ref_id);
	if (!ref)
		return VARG_OTHER;
	if (btf_is_struct(ref) && ctx_name && !strcmp(btf_name(btf, ref->name_off), ctx_name))
		return VARG_CTX;
	if (btf_is_int(ref) || btf_is_struct(ref) || btf_is_union(ref) || btf_is_enum(ref) ||
	    btf_is_array(ref)) {
		long sz = btf__resolve_size(btf, ref_id);
		if (sz > 0) {
			*size = (uint32_t)sz;
			return VARG_MEM;
		}
	}
	return VARG_OTHER;
}

/* What BTF says of the loaded program's functions: which are global,
 * what they take and return (for the verifier). */
static struct verifier_func *loaded_funcs(struct uebpf_object *obj,
					  const struct uebpf_program *prog,
					  const struct relo_result *r, size_t *cnt)
{
	struct verifier_func *funcs = calloc(r->nr_parts ? r->nr_parts : 1, sizeof(*funcs));
	size_t n = 0;

	*cnt = 0;
	if (!funcs || !obj->btf)
		return funcs;
	for (size_t pi = 0; pi < r->nr_parts; pi++) {
		const struct uebpf_program *p = &obj->progs[r->parts[pi].prog_idx];
		int id = btf__find_by_name_kind(obj->btf, p->name, BTF_KIND_FUNC);
		const struct btf_type *fn = id > 0 ? btf__type_by_id(obj->btf, (uint32_t)id) : NULL;
		const struct btf_type *proto = fn ? btf__type_by_id(obj->btf, fn->type) : NULL;
		if (!proto || !btf_is_func_proto(proto))
			continue;
		struct verifier_func *f = &funcs[n++];
		f->insn_off = (uint32_t)r->parts[pi].off;
		f->name = p->name;
		f->global = pi > 0 && btf_vlen(fn) == BTF_FUNC_GLOBAL && !p->mark_btf_static;
		f->returns_void = proto->type == 0;
		const struct btf_param *params = btf_params(proto);
		f->nargs = (uint8_t)(btf_vlen(proto) < 5 ? btf_vlen(proto) : 5);
		for (int a = 0; a < f->nargs; a++)
			f->arg[a] = func_arg_kind(obj->btf, params[a].type,
						  ctx_struct_name(prog->type), &f->arg_size[a]);
	}
	*cnt = n;
	return funcs;
}

static int load_program(struct uebpf_object *obj, struct uebpf_program *prog,
			struct relo_result *r)
{
	char log[1024] = "";
	struct uebpf_prog_load_opts opts = {
		.sz = sizeof(opts),
		.expected_attach_type = prog->expected_attach_type,
		.attach_target = prog->attach_target,
		.prog_flags = prog->prog_flags,
		.log_buf = prog->log_buf ? prog->log_buf : log,
		.log_size = prog->log_buf ? prog->log_size : sizeof(log),
		.log_level = prog->log_level,
	};
	struct prog_load_extra extra = { 0 };
	int fd;

	if (prog->type == BPF_PROG_TYPE_UNSPEC)
		return obj_err(obj, EINVAL, "program '%s': section '%s' does not say what type of "
			       "program it is (see docs/object.md), nor did "
			       "uebpf_program_set_type", prog->name, prog->sec_name);
	extra.lines = loaded_lines(obj, r, &extra.line_cnt);
	extra.funcs = loaded_funcs(obj, prog, r, &extra.func_cnt);
	fd = prog_load(prog->type, prog->name, obj->license, r->insns, r->insn_cnt, &opts, &extra);
	free((void *)extra.lines);
	free((void *)extra.funcs);
	if (fd < 0)
		return obj_err(obj, -fd, "program '%s': %s", prog->name,
			       log[0] ? log : prog->log_buf ? "rejected (see its log)" : strerror(-fd));
	prog->fd = fd;
	/* From now on the program's instructions are those loaded. */
	free(prog->insns);
	prog->insns = r->insns;
	prog->insn_cnt = r->insn_cnt;
	prog->parts = r->parts;
	prog->nr_parts = r->nr_parts;
	*r = (struct relo_result){ 0 };
	return 0;
}

static void unload(struct uebpf_object *obj)
{
	for (size_t i = 0; i < obj->nr_progs; i++) {
		if (obj->progs[i].fd >= 0)
			uebpf_prog_close(obj->progs[i].fd);
		obj->progs[i].fd = -1;
	}
	for (size_t i = 0; i < obj->nr_maps; i++) {
		struct uebpf_map *map = &obj->maps[i];

		if (map->pinned && !map->reused)
			unlink(map->pin_path);
		map->pinned = false;
		if (map->fd >= 0)
			uebpf_map_close(map->fd);
		map->fd = -1;
		map->reused = false;
	}
}

int uebpf_object_load(struct uebpf_object *obj)
{
	struct relo_result *res = NULL;
	int err = 0;

	if (!obj)
		return -EINVAL;
	if (obj->loaded)
		return obj_err(obj, EBUSY, "the object is already loaded (or failed to load)");
	obj->loaded = true;

	err = externs_resolve(obj);
	for (size_t i = 0; i < obj->nr_maps && !err; i++)
		err = create_map(&obj->maps[i]);
	if (!err) {
		res = calloc(obj->nr_progs + 1, sizeof(*res));
		err = res ? relo_programs(obj, res) : obj_err(obj, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < obj->nr_progs && !err; i++) {
		struct uebpf_program *prog = &obj->progs[i];

		if (prog->autoload && !prog_is_subprog(obj, prog))
			err = load_program(obj, prog, &res[i]);
	}
	err = err ? err : fill_map_slots(obj);
	if (res) {
		relo_results_free(obj, res);
		free(res);
	}
	if (err)
		unload(obj);
	return err;
}

int object_relocate_only(struct uebpf_object *obj, const struct uebpf_program *prog,
			 struct uebpf_insn **insns, size_t *cnt)
{
	struct relo_result *res;
	size_t idx = (size_t)(prog - obj->progs);
	int err = 0;

	if (obj->loaded)
		return obj_err(obj, EBUSY, "the object is already loaded (or failed to load)");
	if (idx >= obj->nr_progs || !prog->autoload || prog_is_subprog(obj, prog))
		return obj_err(obj, EINVAL, "not a main program of the object with autoload on");
	obj->loaded = true;
	err = externs_resolve(obj);
	for (size_t i = 0; i < obj->nr_maps && !err; i++)
		err = create_map(&obj->maps[i]);
	res = err ? NULL : calloc(obj->nr_progs + 1, sizeof(*res));
	if (!err && !res)
		err = obj_err(obj, ENOMEM, "out of memory");
	err = err ? err : relo_programs(obj, res);
	if (!err) {
		*insns = res[idx].insns;
		*cnt = res[idx].insn_cnt;
		res[idx].insns = NULL;
	}
	if (res) {
		relo_results_free(obj, res);
		free(res);
	}
	if (err)
		unload(obj);
	return err;
}
