// SPDX-License-Identifier: MIT
/*
 * The object API: opening an ELF object into programs and maps, loading
 * it, iterating, finding, getters and setters (include/uebpf/object.h).
 */
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "object/btf_ext.h"
#include "object/externs.h"
#include "object/object.h"
#include "object/sec_def.h"
#include "uebpf/maps.h"

int obj_err(struct uebpf_object *obj, int err, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (obj->err_buf && obj->err_size) {
		/* The first error is the one that explains the others. */
		if (obj->err_buf[0])
			return -err;
		if (obj->path)
			n = snprintf(obj->err_buf, obj->err_size, "%s: ", obj->path);
		if (n < 0 || (size_t)n >= obj->err_size)
			n = 0;
		va_start(ap, fmt);
		vsnprintf(obj->err_buf + n, obj->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -err;
}

bool prog_is_subprog(const struct uebpf_object *obj, const struct uebpf_program *prog)
{
	/* Functions in .text are subprograms of the others, unless the
	 * object has nothing else. */
	return obj->text_sec_idx && prog->sec_idx == obj->text_sec_idx && obj->nr_progs > 1;
}

struct uebpf_program *obj_add_program(struct uebpf_object *obj)
{
	struct uebpf_program *progs, *prog;

	progs = reallocarray(obj->progs, obj->nr_progs + 1, sizeof(*progs));
	if (!progs)
		return NULL;
	obj->progs = progs;
	prog = &progs[obj->nr_progs++];
	memset(prog, 0, sizeof(*prog));
	prog->obj = obj;
	prog->fd = -1;
	prog->type = BPF_PROG_TYPE_UNSPEC;
	return prog;
}

struct uebpf_map *obj_add_map(struct uebpf_object *obj)
{
	struct uebpf_map *maps, *map;

	maps = reallocarray(obj->maps, obj->nr_maps + 1, sizeof(*maps));
	if (!maps)
		return NULL;
	obj->maps = maps;
	map = &maps[obj->nr_maps++];
	memset(map, 0, sizeof(*map));
	map->obj = obj;
	map->fd = -1;
	return map;
}

/* Type, attach type, flags and target from the section name, as libbpf
 * reads it (for objects only older loaders read, also by their
 * prefixes); an unknown name leaves the type unset (the user may set it,
 * loading refuses it otherwise with libbpf's message). */
static int init_programs(struct uebpf_object *obj)
{
	bool legacy = obj->elf.legacy_maps_idx || obj->elf.no_func_syms;
	size_t i;

	for (i = 0; i < obj->nr_progs; i++) {
		struct uebpf_program *prog = &obj->progs[i];
		char *sec_name, *target = NULL;
		struct sec_def def;

		/* def points into prog->sec_name: copy before replacing it. */
		if (legacy)
			sec_def_parse_legacy(prog->sec_name, &def);
		else
			sec_def_parse(prog->sec_name, &def);
		sec_name = strdup(def.name);
		if (def.prog_type != BPF_PROG_TYPE_UNSPEC && def.attach_target)
			target = strdup(def.attach_target);
		if (!sec_name || (def.prog_type != BPF_PROG_TYPE_UNSPEC && def.attach_target &&
				  !target)) {
			free(sec_name);
			return obj_err(obj, ENOMEM, "out of memory");
		}
		free(prog->sec_name);
		prog->sec_name = sec_name;
		prog->attach_target = target;
		prog->autoload = def.autoload;
		if (def.prog_type == BPF_PROG_TYPE_UNSPEC)
			continue;
		prog->type = def.prog_type;
		prog->expected_attach_type = def.attach_type;
		prog->prog_flags = def.prog_flags;
	}
	return 0;
}

/* Bytes of a BTF type record of this kind with vlen entries; 0 for an
 * unknown kind. */
static size_t btf_record_size(uint32_t kind, uint32_t vlen)
{
	const size_t base = sizeof(struct btf_type);

	switch (kind) {
	case BTF_KIND_FWD: case BTF_KIND_CONST: case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT: case BTF_KIND_PTR: case BTF_KIND_TYPEDEF:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
		return base;
	case BTF_KIND_INT:
		return base + sizeof(uint32_t);
	case BTF_KIND_ENUM:
		return base + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return base + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_ARRAY:
		return base + sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		return base + vlen * sizeof(struct btf_member);
	case BTF_KIND_FUNC_PROTO:
		return base + vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return base + sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return base + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return base + sizeof(struct btf_decl_tag);
	default:
		return 0;
	}
}

/* Checks the layout of .BTF (header, string section, every type record
 * of a known kind and inside the type section) before btf__new reads it,
 * for messages with offsets (and none from libbpf on stderr). */
static int check_btf(struct uebpf_object *obj, const uint8_t *data, size_t size)
{
	struct btf_header hdr;
	size_t off, end, id = 1;

	if (!data || size < sizeof(hdr))
		return obj_err(obj, EINVAL, "section '.BTF': %zu bytes, too short for a BTF header",
			       size);
	if (size > UINT32_MAX)
		return obj_err(obj, E2BIG, "section '.BTF': %zu bytes, too large", size);
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic != BTF_MAGIC)
		return obj_err(obj, EINVAL, "section '.BTF', offset 0: magic 0x%x, expected 0x%x",
			       hdr.magic, BTF_MAGIC);
	/* Types are read in place: keep them aligned. */
	if (hdr.hdr_len < sizeof(hdr) || hdr.hdr_len % 4 || hdr.type_off % 4)
		return obj_err(obj, EINVAL, "section '.BTF', offset 4: header length %u and type "
			       "offset %u must be multiples of 4, the header at least %zu bytes",
			       hdr.hdr_len, hdr.type_off, sizeof(hdr));
	if ((uint64_t)hdr.hdr_len + hdr.type_off + hdr.type_len > size ||
	    (uint64_t)hdr.hdr_len + hdr.str_off + hdr.str_len > size ||
	    (uint64_t)hdr.type_off + hdr.type_len > hdr.str_off)
		return obj_err(obj, EINVAL, "section '.BTF': types at 0x%x (+0x%x bytes) and "
			       "strings at 0x%x (+0x%x bytes) overlap or go past the end of the "
			       "section (%zu bytes)", hdr.hdr_len + hdr.type_off, hdr.type_len,
			       hdr.hdr_len + hdr.str_off, hdr.str_len, size);
	if (hdr.str_len == 0 || data[hdr.hdr_len + hdr.str_off] != '\0' ||
	    data[hdr.hdr_len + hdr.str_off + hdr.str_len - 1] != '\0')
		return obj_err(obj, EINVAL, "section '.BTF', offset 0x%x: the string section must "
			       "start and end with a NUL byte", hdr.hdr_len + hdr.str_off);
	off = hdr.hdr_len + hdr.type_off;
	end = off + hdr.type_len;
	for (; off < end; id++) {
		struct btf_type t;
		size_t n;

		if (end - off < sizeof(t))
			return obj_err(obj, EINVAL, "section '.BTF', offset 0x%zx: type [%zu] "
				       "truncated by the end of the type section", off, id);
		memcpy(&t, data + off, sizeof(t));
		n = btf_record_size(btf_kind(&t), btf_vlen(&t));
		if (n == 0)
			return obj_err(obj, EINVAL, "section '.BTF', offset 0x%zx: type [%zu] has "
				       "unknown kind %u", off, id, btf_kind(&t));
		if (n > end - off)
			return obj_err(obj, EINVAL, "section '.BTF', offset 0x%zx: type [%zu] "
				       "(%zu bytes) crosses the end of the type section", off, id, n);
		off += n;
	}
	return 0;
}

/* The object's BTF, read by libbpf's btf__new (a copy we own). */
static int init_btf(struct uebpf_object *obj)
{
	const struct elf_sec *sec = obj->elf.btf_sec;
	struct btf *btf;
	int err;

	if (!sec)
		return 0;
	err = check_btf(obj, sec->data, sec->size);
	if (err)
		return err;
	btf = btf__new(sec->data, sec->size);
	if (!btf)
		return obj_err(obj, EINVAL, "section '.BTF': malformed BTF (%s)", strerror(errno));
	btf__set_pointer_size(btf, 8);
	obj->btf = btf;
	return 0;
}

static void free_program(struct uebpf_program *prog)
{
	free(prog->name);
	free(prog->sec_name);
	free(prog->insns);
	free(prog->attach_target);
	free(prog->relos);
	free(prog->cores);
	free(prog->parts);
}

void uebpf_object_close(struct uebpf_object *obj)
{
	size_t i;

	if (!obj)
		return;
	elf_close(obj);
	for (i = 0; i < obj->nr_progs; i++) {
		if (obj->progs[i].fd >= 0)
			uebpf_prog_close(obj->progs[i].fd);
		free_program(&obj->progs[i]);
	}
	for (i = 0; i < obj->nr_maps; i++) {
		if (obj->maps[i].fd >= 0)
			uebpf_map_close(obj->maps[i].fd);
		map_free(&obj->maps[i]);
	}
	free(obj->progs);
	free(obj->maps);
	btf_ext_free(obj->btf_ext);
	externs_free(obj);
	btf__free(obj->btf);
	free(obj->pin_root_path);
	free(obj->path);
	free(obj);
}

/* Opens the object from buf (which it takes over). */
static struct uebpf_object *open_buf(uint8_t *buf, size_t size, const char *path,
				     const char *default_name,
				     const struct uebpf_object_open_opts *opts)
{
	struct uebpf_object *obj;
	const char *name;
	int err;

	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	obj->kconfig_map_idx = -1;
	if (opts && opts->sz >= offsetof(struct uebpf_object_open_opts, err_size) + sizeof(size_t)) {
		obj->err_buf = opts->err_buf;
		obj->err_size = opts->err_buf ? opts->err_size : 0;
		if (obj->err_size)
			obj->err_buf[0] = '\0';
	}
	name = opts && opts->object_name ? opts->object_name : NULL;
	if (name) {
		snprintf(obj->name, sizeof(obj->name), "%s", name);
	} else {
		char *dot;

		/* libbpf's default: the file name up to its first dot. */
		snprintf(obj->name, sizeof(obj->name), "%s", default_name);
		dot = strchr(obj->name, '.');
		if (dot)
			*dot = '\0';
	}
	obj->path = strdup(path ? path : obj->name);
	if (opts && opts->pin_root_path)
		obj->pin_root_path = strdup(opts->pin_root_path);
	if (!obj->path || (opts && opts->pin_root_path && !obj->pin_root_path)) {
		free(buf);
		err = obj_err(obj, ENOMEM, "out of memory");
		goto fail;
	}
	/* libbpf's default: the running kernel's version. */
	obj->kversion = externs_kernel_version();

	err = elf_open(obj, buf, size);
	obj->text_sec_idx = obj->elf.text_idx;
	err = err ? err : init_btf(obj);
	err = err ? err : externs_collect(obj);
	err = err ? err : btf_fixup_datasecs(obj);
	err = err ? err : maps_init(obj);
	err = err ? err : init_programs(obj);
	err = err ? err : relo_collect(obj);
	if (err)
		goto fail;
	elf_close(obj);
	return obj;
fail:
	uebpf_object_close(obj);
	errno = -err;
	return NULL;
}

static bool opts_valid(const struct uebpf_object_open_opts *opts)
{
	return !opts || opts->sz >= sizeof(size_t);
}

static void open_error(const struct uebpf_object_open_opts *opts, const char *path,
		       const char *what, int err)
{
	if (opts && opts->sz >= offsetof(struct uebpf_object_open_opts, err_size) + sizeof(size_t) &&
	    opts->err_buf && opts->err_size)
		snprintf(opts->err_buf, opts->err_size, "%s: %s: %s", path, what, strerror(err));
	errno = err;
}

struct uebpf_object *uebpf_object_open_mem(const void *buf, size_t size,
					   const struct uebpf_object_open_opts *opts)
{
	uint8_t *copy;

	if (!opts_valid(opts)) {
		errno = EINVAL;
		return NULL;
	}
	if (!buf || !size) {
		open_error(opts, "mem", "empty object", EINVAL);
		return NULL;
	}
	copy = malloc(size);
	if (!copy) {
		open_error(opts, "mem", "cannot copy", ENOMEM);
		return NULL;
	}
	memcpy(copy, buf, size);
	return open_buf(copy, size, NULL, "mem", opts);
}

struct uebpf_object *uebpf_object_open_file(const char *path,
					    const struct uebpf_object_open_opts *opts)
{
	struct stat st;
	uint8_t *buf;
	size_t done = 0;
	char *base;
	struct uebpf_object *obj;
	int fd;

	if (!path || !opts_valid(opts)) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		open_error(opts, path, "cannot open", errno);
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		int err = errno ? errno : EINVAL;

		close(fd);
		open_error(opts, path, S_ISREG(st.st_mode) ? "empty file" : "not a regular file",
			   S_ISREG(st.st_mode) || !err ? EINVAL : err);
		return NULL;
	}
	buf = malloc(st.st_size);
	if (!buf) {
		close(fd);
		open_error(opts, path, "cannot read", ENOMEM);
		return NULL;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n <= 0) {
			int err = n < 0 ? errno : EIO;

			free(buf);
			close(fd);
			open_error(opts, path, "cannot read", err);
			return NULL;
		}
		done += n;
	}
	close(fd);
	base = strdup(path);
	if (!base) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	obj = open_buf(buf, done, path, basename(base), opts);
	free(base);
	return obj;
}

const char *uebpf_object_name(const struct uebpf_object *obj)
{
	return obj->name;
}

const char *uebpf_object_license(const struct uebpf_object *obj)
{
	return obj->license;
}

uint32_t uebpf_object_kversion(const struct uebpf_object *obj)
{
	return obj->kversion;
}

struct uebpf_program *uebpf_object_next_program(const struct uebpf_object *obj,
						const struct uebpf_program *prev)
{
	size_t i;

	if (prev && prev->obj != obj) {
		errno = EINVAL;
		return NULL;
	}
	for (i = prev ? (size_t)(prev - obj->progs) + 1 : 0; i < obj->nr_progs; i++)
		if (!prog_is_subprog(obj, &obj->progs[i]))
			return &obj->progs[i];
	return NULL;
}

struct uebpf_program *uebpf_object_next_function(const struct uebpf_object *obj,
						 const struct uebpf_program *prev)
{
	size_t i;

	if (prev && prev->obj != obj) {
		errno = EINVAL;
		return NULL;
	}
	i = prev ? (size_t)(prev - obj->progs) + 1 : 0;
	return i < obj->nr_progs ? &obj->progs[i] : NULL;
}

bool uebpf_program_is_subprog(const struct uebpf_program *prog)
{
	return prog_is_subprog(prog->obj, prog);
}

struct uebpf_program *uebpf_object_find_program(const struct uebpf_object *obj,
						const char *name)
{
	struct uebpf_program *prog;

	uebpf_object_for_each_program(prog, obj)
		if (strcmp(prog->name, name) == 0)
			return prog;
	errno = ENOENT;
	return NULL;
}

struct uebpf_map *uebpf_object_next_map(const struct uebpf_object *obj,
					const struct uebpf_map *prev)
{
	size_t i;

	if (prev && prev->obj != obj) {
		errno = EINVAL;
		return NULL;
	}
	i = prev ? (size_t)(prev - obj->maps) + 1 : 0;
	return i < obj->nr_maps ? &obj->maps[i] : NULL;
}

struct uebpf_map *uebpf_object_find_map(const struct uebpf_object *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->nr_maps; i++) {
		const struct uebpf_map *map = &obj->maps[i];

		/* ".rodata" names a global data map by its section (and a
		 * map of .maps whose name starts with a dot, by that name). */
		if (name[0] == '.') {
			if (strcmp(map->real_name ? map->real_name : map->name, name) == 0)
				return &obj->maps[i];
			continue;
		}
		if (strcmp(map->name, name) == 0)
			return &obj->maps[i];
	}
	errno = ENOENT;
	return NULL;
}

/* ---- programs ---- */

const char *uebpf_program_name(const struct uebpf_program *prog)
{
	return prog->name;
}

const char *uebpf_program_section_name(const struct uebpf_program *prog)
{
	return prog->sec_name;
}

enum bpf_prog_type uebpf_program_type(const struct uebpf_program *prog)
{
	return prog->type;
}

enum bpf_attach_type uebpf_program_expected_attach_type(const struct uebpf_program *prog)
{
	return prog->expected_attach_type;
}

const char *uebpf_program_attach_target(const struct uebpf_program *prog)
{
	return prog->attach_target;
}

bool uebpf_program_autoload(const struct uebpf_program *prog)
{
	return prog->autoload;
}

int uebpf_program_set_type(struct uebpf_program *prog, enum bpf_prog_type type)
{
	if (prog->obj->loaded)
		return -EBUSY;
	prog->type = type;
	return 0;
}

int uebpf_program_set_expected_attach_type(struct uebpf_program *prog,
					   enum bpf_attach_type type)
{
	if (prog->obj->loaded)
		return -EBUSY;
	prog->expected_attach_type = type;
	return 0;
}

int uebpf_program_set_attach_target(struct uebpf_program *prog, const char *target)
{
	char *copy = NULL;

	if (prog->obj->loaded)
		return -EBUSY;
	if (target) {
		copy = strdup(target);
		if (!copy)
			return -ENOMEM;
	}
	free(prog->attach_target);
	prog->attach_target = copy;
	return 0;
}

int uebpf_program_set_autoload(struct uebpf_program *prog, bool autoload)
{
	if (prog->obj->loaded)
		return -EBUSY;
	prog->autoload = autoload;
	return 0;
}

int uebpf_program_set_log_buf(struct uebpf_program *prog, char *buf, size_t size)
{
	if (prog->obj->loaded)
		return -EBUSY;
	if (!buf != !size)
		return -EINVAL;
	prog->log_buf = buf;
	prog->log_size = size;
	return 0;
}

int uebpf_program_set_log_level(struct uebpf_program *prog, uint32_t level)
{
	if (prog->obj->loaded)
		return -EBUSY;
	prog->log_level = level;
	return 0;
}

uint32_t uebpf_program_log_level(const struct uebpf_program *prog)
{
	return prog->log_level;
}

const struct uebpf_insn *uebpf_program_insns(const struct uebpf_program *prog)
{
	return prog->insns;
}

size_t uebpf_program_insn_cnt(const struct uebpf_program *prog)
{
	return prog->insn_cnt;
}

int uebpf_program_fd(const struct uebpf_program *prog)
{
	return prog->fd;
}

int uebpf_program_line_info(const struct uebpf_program *prog, size_t insn_idx,
			    struct uebpf_line_info *info)
{
	const struct uebpf_object *obj = prog->obj;
	const struct btf_line_rec *rec = relo_line_at(obj, prog, insn_idx);

	if (!rec)
		return -ENOENT;
	info->file = btf_ext_line_file(obj->btf_ext, rec);
	info->line_text = btf_ext_line_text(obj->btf_ext, rec);
	info->line = rec->line;
	info->column = rec->col;
	return 0;
}

/* ---- maps ---- */

const char *uebpf_map_name(const struct uebpf_map *map)
{
	return map->name;
}

int uebpf_map_fd(const struct uebpf_map *map)
{
	return map->fd;
}

enum bpf_map_type uebpf_map_type(const struct uebpf_map *map)
{
	return map->def.type;
}

uint32_t uebpf_map_key_size(const struct uebpf_map *map)
{
	return map->def.key_size;
}

uint32_t uebpf_map_value_size(const struct uebpf_map *map)
{
	return map->def.value_size;
}

uint32_t uebpf_map_max_entries(const struct uebpf_map *map)
{
	return map->def.max_entries;
}

uint32_t uebpf_map_flags(const struct uebpf_map *map)
{
	return map->def.map_flags;
}

uint64_t uebpf_map_extra(const struct uebpf_map *map)
{
	return map->def.map_extra;
}

uint32_t uebpf_map_btf_key_type_id(const struct uebpf_map *map)
{
	return map->def.btf_key_type_id;
}

uint32_t uebpf_map_btf_value_type_id(const struct uebpf_map *map)
{
	return map->def.btf_value_type_id;
}

bool uebpf_map_is_internal(const struct uebpf_map *map)
{
	return map->kind != MAP_BTF && map->kind != MAP_LEGACY;
}

const void *uebpf_map_initial_value(const struct uebpf_map *map, size_t *size)
{
	if (!map->initial) {
		errno = ENOENT;
		return NULL;
	}
	if (size)
		*size = map->def.value_size;
	return map->initial;
}

static bool map_busy(const struct uebpf_map *map)
{
	return map->obj->loaded || map->fd >= 0;
}

int uebpf_map_set_type(struct uebpf_map *map, enum bpf_map_type type)
{
	if (map_busy(map))
		return -EBUSY;
	map->def.type = type;
	return 0;
}

int uebpf_map_set_key_size(struct uebpf_map *map, uint32_t size)
{
	if (map_busy(map))
		return -EBUSY;
	map->def.key_size = size;
	return 0;
}

int uebpf_map_set_value_size(struct uebpf_map *map, uint32_t size)
{
	if (map_busy(map))
		return -EBUSY;
	/* Global data keeps its contents, cut or zero-extended. */
	if (map->initial && size != map->def.value_size) {
		uint8_t *p = realloc(map->initial, size ? size : 1);

		if (!p)
			return -ENOMEM;
		if (size > map->def.value_size)
			memset(p + map->def.value_size, 0, size - map->def.value_size);
		map->initial = p;
	}
	map->def.value_size = size;
	return 0;
}

int uebpf_map_set_max_entries(struct uebpf_map *map, uint32_t max_entries)
{
	if (map_busy(map))
		return -EBUSY;
	map->def.max_entries = map_adjust_max_entries(map->def.type, max_entries);
	return 0;
}

int uebpf_map_set_flags(struct uebpf_map *map, uint32_t flags)
{
	if (map_busy(map))
		return -EBUSY;
	map->def.map_flags = flags;
	return 0;
}

int uebpf_map_set_initial_value(struct uebpf_map *map, const void *data, size_t size)
{
	if (map_busy(map))
		return -EBUSY;
	if (!map->initial || map->kind == MAP_KCONFIG || size != map->def.value_size)
		return -EINVAL;
	memcpy(map->initial, data, size);
	return 0;
}

int uebpf_map_reuse_fd(struct uebpf_map *map, int fd)
{
	(void)map;
	(void)fd;
	return -EOPNOTSUPP;
}

int uebpf_map_set_pin_path(struct uebpf_map *map, const char *path)
{
	char *copy = NULL;

	if (map_busy(map))
		return -EBUSY;
	if (path) {
		copy = strdup(path);
		if (!copy)
			return -ENOMEM;
	}
	free(map->pin_path);
	map->pin_path = copy;
	return 0;
}

const char *uebpf_map_pin_path(const struct uebpf_map *map)
{
	return map->pin_path;
}
