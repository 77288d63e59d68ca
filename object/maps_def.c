// SPDX-License-Identifier: MIT
/*
 * Map definitions: BTF-defined maps in .maps, legacy struct bpf_map_def
 * records in `maps`, and the maps the loader makes for global data
 * (.data, .rodata, .bss and their .name variants), with libbpf's order,
 * names, sizes and flags.
 *
 * BTF is read with libbpf's <bpf/btf.h>; every type id taken from BTF is
 * looked up with btf__type_by_id (NULL when out of range) and every chain
 * of modifiers and typedefs is followed a bounded number of steps, so
 * that malformed BTF is refused rather than followed forever.
 */
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object/object.h"
#include "uebpf/maps.h"

/* Longest chain of const/volatile/typedef/... followed; C code never
 * comes close, a cycle would otherwise never end. */
#define MAX_MODS 32

/*
 * Definitions of the legacy `maps` section: libbpf's struct bpf_map_def
 * (the first 5 fields), extended by the older loaders that read them:
 * the kernel's samples/bpf/bpf_load (inner_map_idx, numa_node: 28
 * bytes) and iproute2's struct bpf_elf_map (id, pinning: 28 bytes;
 * inner_id, inner_idx: 36 bytes).
 */
struct legacy_map_def {
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t f5; /* bpf_load: inner_map_idx; iproute2: id */
	uint32_t f6; /* bpf_load: numa_node; iproute2: pinning */
	uint32_t inner_id, inner_idx; /* iproute2 */
};
#define LEGACY_DEF_BASE 20 /* the bytes of libbpf's struct bpf_map_def */
/* iproute2's pinning values (PIN_NONE, PIN_OBJECT_NS, PIN_GLOBAL_NS). */
#define LEGACY_PIN_MAX 2

/* values of __uint(pinning, ...) (bpf_helpers.h) */
enum { PIN_NONE, PIN_BY_NAME };

const char *btf_kind_name(const struct btf_type *t)
{
	static const char *const names[] = {
		"void", "int", "ptr", "array", "struct", "union", "enum", "fwd",
		"typedef", "volatile", "const", "restrict", "func", "func_proto",
		"var", "datasec", "float", "decl_tag", "type_tag", "enum64",
	};

	if (!t)
		return "missing type";
	return btf_kind(t) < sizeof(names) / sizeof(names[0]) ? names[btf_kind(t)] : "unknown";
}

const struct btf_type *btf_skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	int i;

	for (i = 0; t && (btf_is_mod(t) || btf_is_typedef(t)); i++) {
		if (i == MAX_MODS)
			return NULL;
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (res_id)
		*res_id = id;
	return t;
}

const char *btf_name(const struct btf *btf, uint32_t off)
{
	const char *s = btf__name_by_offset(btf, off);

	return s ? s : "";
}

/* ---- lookups by name ---- */

static int cmp_btf_ids(const void *a_, const void *b_, void *btf_)
{
	const struct btf *btf = btf_;
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	int c = strcmp(btf_name(btf, btf__type_by_id(btf, a)->name_off),
		       btf_name(btf, btf__type_by_id(btf, b)->name_off));

	return c ? c : (a < b ? -1 : a > b);
}

/* The first type id with that name, as btf__find_by_name gives it,
 * without its scan of every type for every lookup. */
static int btf_find_by_name(struct uebpf_object *obj, const char *name)
{
	struct elf_state *ef = &obj->elf;
	size_t lo = 0, hi, n, i;

	if (!ef->btf_ids_by_name) {
		n = btf__type_cnt(obj->btf);
		ef->btf_ids_by_name = malloc(n * sizeof(uint32_t));
		if (!ef->btf_ids_by_name)
			return -ENOMEM;
		for (i = 1; i < n; i++)
			ef->btf_ids_by_name[i - 1] = i;
		ef->btf_ids_cnt = n - 1;
		qsort_r(ef->btf_ids_by_name, ef->btf_ids_cnt, sizeof(uint32_t), cmp_btf_ids,
			obj->btf);
	}
	hi = ef->btf_ids_cnt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct btf_type *t = btf__type_by_id(obj->btf, ef->btf_ids_by_name[mid]);

		if (strcmp(btf_name(obj->btf, t->name_off), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ef->btf_ids_cnt &&
	    strcmp(btf_name(obj->btf,
			    btf__type_by_id(obj->btf, ef->btf_ids_by_name[lo])->name_off), name) == 0)
		return ef->btf_ids_by_name[lo];
	return -ENOENT;
}

static bool sym_is_global_var(const Elf64_Sym *sym)
{
	return ELF64_ST_TYPE(sym->st_info) == STT_OBJECT &&
	       (ELF64_ST_BIND(sym->st_info) == STB_GLOBAL || ELF64_ST_BIND(sym->st_info) == STB_WEAK);
}

static int cmp_vars(const void *a_, const void *b_, void *obj_)
{
	const struct uebpf_object *obj = obj_;
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	const char *na = elf_sym_name(obj, &obj->elf.syms[a]);
	const char *nb = elf_sym_name(obj, &obj->elf.syms[b]);
	int c = strcmp(na ? na : "", nb ? nb : "");

	return c ? c : (a < b ? -1 : a > b);
}

/* The first global or weak object symbol with that name, or NULL. */
static const Elf64_Sym *find_var_sym(struct uebpf_object *obj, const char *name)
{
	struct elf_state *ef = &obj->elf;
	size_t lo = 0, hi, i;

	if (!ef->vars_by_name) {
		ef->vars_by_name = malloc((ef->sym_cnt + 1) * sizeof(uint32_t));
		if (!ef->vars_by_name)
			return NULL;
		for (i = 0; i < ef->sym_cnt; i++)
			if (sym_is_global_var(&ef->syms[i]))
				ef->vars_by_name[ef->vars_cnt++] = i;
		qsort_r(ef->vars_by_name, ef->vars_cnt, sizeof(uint32_t), cmp_vars, obj);
	}
	hi = ef->vars_cnt;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *n = elf_sym_name(obj, &ef->syms[ef->vars_by_name[mid]]);

		if (strcmp(n ? n : "", name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ef->vars_cnt) {
		const Elf64_Sym *sym = &ef->syms[ef->vars_by_name[lo]];
		const char *n = elf_sym_name(obj, sym);

		if (n && strcmp(n, name) == 0)
			return sym;
	}
	return NULL;
}

/* ---- BTF DATASEC fix-ups ---- */

static int cmp_secinfo(const void *a_, const void *b_)
{
	const struct btf_var_secinfo *a = a_, *b = b_;

	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

static size_t find_section(const struct uebpf_object *obj, const char *name)
{
	size_t i;

	for (i = 1; i < obj->elf.sec_cnt; i++)
		if (strcmp(obj->elf.secs[i].name, name) == 0)
			return i;
	return 0;
}

/*
 * clang leaves the size of a DATASEC and the offsets of its variables
 * zero; they come from the ELF section and symbols, as libbpf fills them
 * in. Global variables with hidden visibility become static (they do not
 * make their map mmapable). Variables are then sorted by offset: the
 * order of BTF-defined maps.
 */
static int fixup_datasec(struct uebpf_object *obj, uint32_t id, struct btf_type *t)
{
	const char *sec_name = btf_name(obj->btf, t->name_off);
	struct btf_var_secinfo *vsi = btf_var_secinfos(t);
	uint32_t vars = btf_vlen(t), i;
	bool fix_offsets = false;

	/* .kconfig and .ksyms hold externs: nothing in the ELF to take. */
	if (strcmp(sec_name, ".kconfig") != 0 && strcmp(sec_name, ".ksyms") != 0) {
		if (t->size == 0) {
			size_t idx = find_section(obj, sec_name);
			const struct elf_sec *sec = idx ? &obj->elf.secs[idx] : NULL;

			if (!sec || sec->size == 0 || sec->size > UINT32_MAX)
				return obj_err(obj, ENOENT, "section '.BTF': DATASEC '%s' (type [%u]) "
					       "has no ELF section of that name to take its size from",
					       sec_name, id);
			t->size = sec->size;
			fix_offsets = true;
		}
		for (i = 0; i < vars; i++) {
			const struct btf_type *tv = btf__type_by_id(obj->btf, vsi[i].type);
			const char *var_name;
			const Elf64_Sym *sym;
			struct btf_var *var;

			if (!tv || !btf_is_var(tv))
				return obj_err(obj, EINVAL, "section '.BTF': DATASEC '%s' (type [%u]) "
					       "entry #%u is a %s (type [%u]), not a VAR", sec_name,
					       id, i, btf_kind_name(tv), vsi[i].type);
			var = btf_var(tv);
			if (var->linkage == BTF_VAR_STATIC || var->linkage == BTF_VAR_GLOBAL_EXTERN)
				continue;
			var_name = btf_name(obj->btf, tv->name_off);
			sym = find_var_sym(obj, var_name);
			if (!sym)
				return obj_err(obj, ENOENT, "section '.BTF': DATASEC '%s': variable "
					       "'%s' has no global symbol in the ELF symbol table",
					       sec_name, var_name);
			if (fix_offsets) {
				if (sym->st_value > UINT32_MAX)
					return obj_err(obj, EINVAL, "symbol '%s': value 0x%llx out of "
						       "range", var_name,
						       (unsigned long long)sym->st_value);
				vsi[i].offset = sym->st_value;
			}
			if (ELF64_ST_VISIBILITY(sym->st_other) == STV_HIDDEN ||
			    ELF64_ST_VISIBILITY(sym->st_other) == STV_INTERNAL)
				var->linkage = BTF_VAR_STATIC;
		}
	}
	qsort(vsi, vars, sizeof(*vsi), cmp_secinfo);
	return 0;
}

int btf_fixup_datasecs(struct uebpf_object *obj)
{
	uint32_t n, i;
	int err;

	if (!obj->btf)
		return 0;
	n = btf__type_cnt(obj->btf);
	for (i = 1; i < n; i++) {
		/* Our own copy of the BTF (btf__new copies), ours to fix. */
		struct btf_type *t = (struct btf_type *)btf__type_by_id(obj->btf, i);

		if (btf_is_datasec(t)) {
			err = fixup_datasec(obj, i, t);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- common ---- */

void map_free(struct uebpf_map *map)
{
	if (map->inner) {
		map_free(map->inner);
		free(map->inner);
	}
	free(map->name);
	free(map->kern_name);
	free(map->real_name);
	free(map->slots);
	free(map->initial);
	free(map->pin_path);
}

static bool is_map_in_map(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* The kernel wants a ring buffer's size a power-of-2 number of pages;
 * libbpf rounds a size that is not up to the next one. */
static uint32_t ringbuf_size(uint32_t size)
{
	uint64_t page = sysconf(_SC_PAGESIZE), mul;

	if (size == 0 || (size % page == 0 && !((size / page) & (size / page - 1))))
		return size;
	for (mul = 1; mul * page <= UINT32_MAX; mul <<= 1)
		if (mul * page > size)
			return mul * page;
	return size;
}

uint32_t map_adjust_max_entries(enum bpf_map_type type, uint32_t max_entries)
{
	if (type == BPF_MAP_TYPE_RINGBUF || type == BPF_MAP_TYPE_USER_RINGBUF)
		return ringbuf_size(max_entries);
	return max_entries;
}

/* Where the value's struct bpf_spin_lock is, as the kernel finds it
 * (a member of the value struct). */
static void find_spin_lock(struct uebpf_object *obj, struct uebpf_map *map)
{
	const struct btf_type *t, *mt;
	const struct btf_member *m;
	uint32_t i;

	if (!obj->btf || !map->def.btf_value_type_id)
		return;
	t = btf_skip_mods(obj->btf, map->def.btf_value_type_id, NULL);
	if (!t || !btf_is_struct(t))
		return;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		mt = btf_skip_mods(obj->btf, m[i].type, NULL);
		if (mt && btf_is_struct(mt) &&
		    strcmp(btf_name(obj->btf, mt->name_off), "bpf_spin_lock") == 0) {
			map->value_has_spin_lock = true;
			map->spin_lock_off = btf_member_bit_offset(t, i) / 8;
			return;
		}
	}
}

static int set_pin_path(struct uebpf_object *obj, struct uebpf_map *map)
{
	const char *root = obj->pin_root_path;
	char buf[PATH_MAX];
	int n;

	if (!root)
		root = getenv(UEBPF_PIN_DIR_ENV);
	if (!root || !root[0])
		root = UEBPF_PIN_DIR_DEFAULT;
	n = snprintf(buf, sizeof(buf), "%s/%s", root, map->name);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return obj_err(obj, ENAMETOOLONG, "map '%s': pin path '%s/%s' is too long",
			       map->name, root, map->name);
	free(map->pin_path);
	map->pin_path = strdup(buf);
	return map->pin_path ? 0 : obj_err(obj, ENOMEM, "out of memory");
}

/* ---- legacy maps (SEC("maps"), struct bpf_map_def) ---- */

/* BPF_ANNOTATE_KV_PAIR: struct ____btf_map_NAME { key; value; } gives
 * the key and value types when their sizes match the definition. */
static void legacy_map_btf(struct uebpf_object *obj, struct uebpf_map *map)
{
	const struct btf_type *t;
	const struct btf_member *m;
	char name[256];
	int id;

	if (!obj->btf)
		return;
	if ((size_t)snprintf(name, sizeof(name), "____btf_map_%s", map->name) >= sizeof(name))
		return;
	id = btf_find_by_name(obj, name);
	t = id > 0 ? btf__type_by_id(obj->btf, id) : NULL;
	if (!t || !btf_is_struct(t) || btf_vlen(t) < 2)
		return;
	m = btf_members(t);
	if (btf__resolve_size(obj->btf, m[0].type) != map->def.key_size ||
	    btf__resolve_size(obj->btf, m[1].type) != map->def.value_size)
		return;
	map->def.btf_key_type_id = m[0].type;
	map->def.btf_value_type_id = m[1].type;
}

/*
 * The fields past libbpf's 20 bytes. samples/bpf's loader and iproute2's
 * share the 28-byte size, told apart by what the fields can mean: an
 * inner map index only for maps of maps (bpf_load), a NUMA node only with
 * BPF_F_NUMA_NODE, otherwise iproute2's id (a name for its own
 * references, unused here) and pinning. iproute2 pins in its own bpffs
 * directory; uebpf reads the pinning but leaves the map private, as a
 * map of an object loaded alone.
 */
static int legacy_map_ext(struct uebpf_object *obj, struct uebpf_map *map,
			  const struct legacy_map_def *def, size_t def_sz)
{
	const struct elf_sec *sec = &obj->elf.secs[obj->elf.legacy_maps_idx];
	struct legacy_map_def in = { 0 };

	size_t nr = sec->size / def_sz, inner_off = 0;

	if (def_sz <= LEGACY_DEF_BASE)
		return 0;
	if (def->map_flags & BPF_F_NUMA_NODE)
		map->def.numa_node = def->f6;
	else if (def->f6 > LEGACY_PIN_MAX)
		return obj_err(obj, EINVAL, "section 'maps': map '%s' at offset 0x%llx: %u at "
			       "offset 0x%llx is neither a NUMA node (no BPF_F_NUMA_NODE) nor one "
			       "of iproute2's pinnings (0 to %d)", map->name,
			       (unsigned long long)map->sec_offset, def->f6,
			       (unsigned long long)(map->sec_offset +
						    offsetof(struct legacy_map_def, f6)),
			       LEGACY_PIN_MAX);
	if (!is_map_in_map(def->type))
		return 0;
	/* The value is an inner map's fd: bpf_load wrote no size. */
	if (!map->def.value_size)
		map->def.value_size = sizeof(uint32_t);
	if (def_sz > offsetof(struct legacy_map_def, inner_id)) {
		/* iproute2: the inner map is the one whose id is the outer
		 * map's inner_id (where iproute2 puts inner maps, inner_idx,
		 * is not applied: their slots start empty). */
		size_t i;

		for (i = 0; i < nr; i++) {
			uint32_t id;

			memcpy(&id, sec->data + i * def_sz + offsetof(struct legacy_map_def, f5),
			       sizeof(id));
			if (def->inner_id && id == def->inner_id && i * def_sz != map->sec_offset)
				break;
		}
		if (i == nr)
			return obj_err(obj, EINVAL, "section 'maps': map '%s': no map of the section "
				       "has the id %u its inner_id names", map->name, def->inner_id);
		inner_off = i * def_sz;
	} else {
		/* bpf_load: the inner map is the definition at index f5 of
		 * the section, whose maps all have the same size. */
		if (def->f5 >= nr || (uint64_t)def->f5 * def_sz == map->sec_offset)
			return obj_err(obj, EINVAL, "section 'maps': map '%s': inner map index %u "
				       "is not another map of the section (%zu of them)", map->name,
				       def->f5, nr);
		inner_off = (size_t)def->f5 * def_sz;
	}
	memcpy(&in, sec->data + inner_off, def_sz < sizeof(in) ? def_sz : sizeof(in));
	map->inner = calloc(1, sizeof(*map->inner));
	if (!map->inner)
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", map->name);
	map->inner->obj = obj;
	map->inner->fd = -1;
	map->inner->kind = MAP_LEGACY;
	map->inner->sec_idx = map->sec_idx;
	if (asprintf(&map->inner->name, "%s.inner", map->name) < 0) {
		map->inner->name = NULL;
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", map->name);
	}
	map->inner->kern_name = strndup(map->inner->name, OBJ_NAME_LEN - 1);
	if (!map->inner->kern_name)
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", map->name);
	map->inner->def.type = in.type;
	map->inner->def.key_size = in.key_size;
	map->inner->def.value_size = in.value_size;
	map->inner->def.max_entries = in.max_entries;
	map->inner->def.map_flags = in.map_flags;
	return 0;
}

static int init_legacy_maps(struct uebpf_object *obj)
{
	struct elf_state *ef = &obj->elf;
	size_t idx = ef->legacy_maps_idx, nr_maps = 0, def_sz, i;
	const struct elf_sec *sec;

	if (!idx)
		return 0;
	sec = &ef->secs[idx];
	for (i = 0; i < ef->sym_cnt; i++)
		if (ef->syms[i].st_shndx == idx && ELF64_ST_TYPE(ef->syms[i].st_info) != STT_SECTION)
			nr_maps++;
	/* All definitions have the same size: the section's size over
	 * the number of map symbols. */
	if (!sec->data || nr_maps == 0 || sec->size % nr_maps)
		return obj_err(obj, EINVAL, "section 'maps': %zu bytes for %zu map symbols: "
			       "cannot tell the size of a struct bpf_map_def", sec->size, nr_maps);
	def_sz = sec->size / nr_maps;

	for (i = 0; i < ef->sym_cnt; i++) {
		const Elf64_Sym *sym = &ef->syms[i];
		struct legacy_map_def def = { 0 };
		struct uebpf_map *map;
		const char *name;
		size_t j;
		int err;

		if (sym->st_shndx != idx || ELF64_ST_TYPE(sym->st_info) == STT_SECTION)
			continue;
		name = elf_sym_name(obj, sym);
		if (!name)
			return obj_err(obj, EINVAL, "section 'maps': symbol #%zu at offset 0x%llx: "
				       "name offset 0x%x outside the symbol names", i,
				       (unsigned long long)sym->st_value, sym->st_name);
		if (ELF64_ST_BIND(sym->st_info) == STB_LOCAL)
			return obj_err(obj, EOPNOTSUPP, "section 'maps': map '%s' at offset 0x%llx "
				       "is static: legacy maps must be global", name,
				       (unsigned long long)sym->st_value);
		if (sym->st_value > sec->size || def_sz > sec->size - sym->st_value)
			return obj_err(obj, EINVAL, "section 'maps': map '%s' at offset 0x%llx, "
				       "%zu bytes, crosses the end of the section (%zu bytes)", name,
				       (unsigned long long)sym->st_value, def_sz, sec->size);
		memcpy(&def, sec->data + sym->st_value, def_sz < sizeof(def) ? def_sz : sizeof(def));
		for (j = sizeof(def); j < def_sz; j++)
			if (sec->data[sym->st_value + j])
				return obj_err(obj, EINVAL, "section 'maps': map '%s' at offset "
					       "0x%llx: non-zero byte at offset 0x%llx past the %zu "
					       "bytes of iproute2's struct bpf_elf_map (fields uebpf "
					       "does not know)", name, (unsigned long long)sym->st_value,
					       (unsigned long long)(sym->st_value + j), sizeof(def));

		map = obj_add_map(obj);
		if (!map)
			return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);
		map->kind = MAP_LEGACY;
		map->sec_idx = idx;
		map->sec_offset = sym->st_value;
		map->name = strdup(name);
		map->kern_name = strndup(name, OBJ_NAME_LEN - 1);
		if (!map->name || !map->kern_name)
			return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);
		map->def.type = def.type;
		map->def.key_size = def.key_size;
		map->def.value_size = def.value_size;
		map->def.max_entries = def.max_entries;
		map->def.map_flags = def.map_flags;
		err = legacy_map_ext(obj, map, &def, def_sz);
		if (err)
			return err;
		legacy_map_btf(obj, map);
		find_spin_lock(obj, map);
	}
	return 0;
}

/* ---- BTF-defined maps (SEC(".maps")) ---- */

#define DEF_KEY_SIZE (1u << 0)
#define DEF_VALUE_SIZE (1u << 1)
#define DEF_INNER_MAP (1u << 2)

struct btf_map_def {
	struct map_def def;
	uint32_t pinning;
	uint32_t parts;
};

/* __uint(name, N) is `int (*name)[N]`: the number is the array's length. */
static int map_field_int(struct uebpf_object *obj, const char *map_name,
			 const struct btf_member *m, uint32_t *res)
{
	const char *name = btf_name(obj->btf, m->name_off);
	const struct btf_type *t = btf_skip_mods(obj->btf, m->type, NULL), *arr;

	if (!t || !btf_is_ptr(t))
		return obj_err(obj, EINVAL, "section '.maps': map '%s': attribute '%s' is a %s, "
			       "expected a pointer (__uint(%s, N))", map_name, name,
			       btf_kind_name(t), name);
	arr = btf__type_by_id(obj->btf, t->type);
	if (!arr || !btf_is_array(arr))
		return obj_err(obj, EINVAL, "section '.maps': map '%s': attribute '%s' points to "
			       "a %s, expected an array (__uint(%s, N))", map_name, name,
			       btf_kind_name(arr), name);
	*res = btf_array(arr)->nelems;
	return 0;
}

/* __type(key, T): a pointer to T, whose size is the key's. */
static int map_field_type(struct uebpf_object *obj, const char *map_name,
			  const struct btf_member *m, uint32_t *size, uint32_t *type_id)
{
	const char *name = btf_name(obj->btf, m->name_off);
	const struct btf_type *t = btf__type_by_id(obj->btf, m->type);
	int64_t sz;

	if (!t || !btf_is_ptr(t))
		return obj_err(obj, EINVAL, "section '.maps': map '%s': '%s' is a %s, expected a "
			       "pointer (__type(%s, T))", map_name, name, btf_kind_name(t), name);
	sz = btf__resolve_size(obj->btf, t->type);
	if (sz < 0 || sz > UINT32_MAX)
		return obj_err(obj, EINVAL, "section '.maps': map '%s': cannot tell the size of "
			       "the %s type [%u]", map_name, name, t->type);
	if (*size && *size != sz)
		return obj_err(obj, EINVAL, "section '.maps': map '%s': conflicting %s sizes %u "
			       "and %lld", map_name, name, *size, (long long)sz);
	*size = sz;
	*type_id = t->type;
	return 0;
}

static int parse_btf_map_def(struct uebpf_object *obj, const char *map_name,
			     const struct btf_type *def_t, struct btf_map_def *md,
			     struct btf_map_def *inner)
{
	const struct btf_member *m = btf_members(def_t);
	uint32_t vlen = btf_vlen(def_t), i, sz;
	bool is_inner = inner == NULL;
	int err;

	for (i = 0; i < vlen; i++, m++) {
		const char *name = btf__name_by_offset(obj->btf, m->name_off);

		if (!name)
			return obj_err(obj, EINVAL, "section '.maps': map '%s': field #%u has no "
				       "name", map_name, i);
		if (strcmp(name, "type") == 0) {
			uint32_t type;

			err = map_field_int(obj, map_name, m, &type);
			md->def.type = type;
		} else if (strcmp(name, "max_entries") == 0) {
			err = map_field_int(obj, map_name, m, &md->def.max_entries);
		} else if (strcmp(name, "map_flags") == 0) {
			err = map_field_int(obj, map_name, m, &md->def.map_flags);
		} else if (strcmp(name, "numa_node") == 0) {
			err = map_field_int(obj, map_name, m, &md->def.numa_node);
		} else if (strcmp(name, "key_size") == 0 || strcmp(name, "value_size") == 0) {
			uint32_t *size = name[0] == 'k' ? &md->def.key_size : &md->def.value_size;

			err = map_field_int(obj, map_name, m, &sz);
			if (!err && *size && *size != sz)
				return obj_err(obj, EINVAL, "section '.maps': map '%s': conflicting "
					       "%s %u and %u", map_name, name, *size, sz);
			*size = sz;
		} else if (strcmp(name, "key") == 0) {
			err = map_field_type(obj, map_name, m, &md->def.key_size,
					     &md->def.btf_key_type_id);
		} else if (strcmp(name, "value") == 0) {
			err = map_field_type(obj, map_name, m, &md->def.value_size,
					     &md->def.btf_value_type_id);
		} else if (strcmp(name, "values") == 0) {
			bool mim = is_map_in_map(md->def.type);
			bool prog_array = md->def.type == BPF_MAP_TYPE_PROG_ARRAY;
			const char *what = mim ? "map-in-map inner map" : "prog-array value";
			const struct btf_type *t;
			char inner_name[128];

			if (is_inner)
				return obj_err(obj, EOPNOTSUPP, "section '.maps': map '%s': inner maps "
					       "of inner maps are not supported", map_name);
			if (i != vlen - 1)
				return obj_err(obj, EINVAL, "section '.maps': map '%s': 'values' must "
					       "be the last field", map_name);
			if (!mim && !prog_array)
				return obj_err(obj, EOPNOTSUPP, "section '.maps': map '%s': 'values' "
					       "needs a map-in-map or prog-array type", map_name);
			if (md->def.value_size && md->def.value_size != 4)
				return obj_err(obj, EINVAL, "section '.maps': map '%s': conflicting "
					       "value sizes %u and 4", map_name, md->def.value_size);
			md->def.value_size = 4;
			t = btf__type_by_id(obj->btf, m->type);
			if (!t || !btf_is_array(t) || btf_array(t)->nelems)
				return obj_err(obj, EINVAL, "section '.maps': map '%s': %s spec is not "
					       "a zero-sized array", map_name, what);
			t = btf_skip_mods(obj->btf, btf_array(t)->type, NULL);
			if (!t || !btf_is_ptr(t))
				return obj_err(obj, EINVAL, "section '.maps': map '%s': %s is a %s, "
					       "expected a pointer", map_name, what, btf_kind_name(t));
			t = btf_skip_mods(obj->btf, t->type, NULL);
			if (prog_array) {
				if (!t || !btf_is_func_proto(t))
					return obj_err(obj, EINVAL, "section '.maps': map '%s': "
						       "prog-array value is a %s, expected a function "
						       "prototype", map_name, btf_kind_name(t));
				continue;
			}
			if (!t || !btf_is_struct(t))
				return obj_err(obj, EINVAL, "section '.maps': map '%s': map-in-map "
					       "inner map is a %s, expected a struct", map_name,
					       btf_kind_name(t));
			snprintf(inner_name, sizeof(inner_name), "%s.inner", map_name);
			err = parse_btf_map_def(obj, inner_name, t, inner, NULL);
			md->parts |= DEF_INNER_MAP;
		} else if (strcmp(name, "pinning") == 0) {
			if (is_inner)
				return obj_err(obj, EINVAL, "section '.maps': map '%s': an inner map "
					       "cannot be pinned", map_name);
			err = map_field_int(obj, map_name, m, &md->pinning);
			if (!err && md->pinning != PIN_NONE && md->pinning != PIN_BY_NAME)
				return obj_err(obj, EINVAL, "section '.maps': map '%s': pinning %u, "
					       "expected LIBBPF_PIN_NONE or LIBBPF_PIN_BY_NAME",
					       map_name, md->pinning);
		} else if (strcmp(name, "map_extra") == 0) {
			uint32_t extra;

			err = map_field_int(obj, map_name, m, &extra);
			md->def.map_extra = extra;
		} else {
			return obj_err(obj, EOPNOTSUPP, "section '.maps': map '%s': unknown field '%s'",
				       map_name, name);
		}
		if (err)
			return err;
	}
	if (md->def.type == BPF_MAP_TYPE_UNSPEC)
		return obj_err(obj, EINVAL, "section '.maps': map '%s': no map type "
			       "(__uint(type, BPF_MAP_TYPE_...))", map_name);
	return 0;
}

static void fill_def(struct uebpf_map *map, const struct btf_map_def *md)
{
	map->def = md->def;
	map->def.max_entries = map_adjust_max_entries(map->def.type, map->def.max_entries);
}

static int init_btf_map(struct uebpf_object *obj, const struct btf_type *sec, uint32_t var_idx)
{
	const struct btf_var_secinfo *vi = btf_var_secinfos(sec) + var_idx;
	const struct elf_sec *maps_sec = &obj->elf.secs[obj->elf.btf_maps_idx];
	const struct btf_type *var = btf__type_by_id(obj->btf, vi->type), *def;
	struct btf_map_def md = { 0 }, inner = { 0 };
	const char *name = var ? btf__name_by_offset(obj->btf, var->name_off) : NULL;
	struct uebpf_map *map;
	int err;

	if (!name || !name[0])
		return obj_err(obj, EINVAL, "section '.maps': map #%u at offset 0x%x has no name",
			       var_idx, vi->offset);
	if ((uint64_t)vi->offset + vi->size > maps_sec->size)
		return obj_err(obj, EINVAL, "section '.maps': map '%s' at offset 0x%x, %u bytes, "
			       "crosses the end of the section (%zu bytes)", name, vi->offset,
			       vi->size, maps_sec->size);
	if (!btf_is_var(var))
		return obj_err(obj, EINVAL, "section '.maps': map '%s' is a %s in BTF, expected a "
			       "VAR", name, btf_kind_name(var));
	if (btf_var(var)->linkage != BTF_VAR_GLOBAL_ALLOCATED)
		return obj_err(obj, EOPNOTSUPP, "section '.maps': map '%s' is %s: maps must be "
			       "global variables", name,
			       btf_var(var)->linkage == BTF_VAR_STATIC ? "static" : "extern");
	def = btf_skip_mods(obj->btf, var->type, NULL);
	if (!def || !btf_is_struct(def))
		return obj_err(obj, EINVAL, "section '.maps': map '%s' is a %s, expected a struct",
			       name, btf_kind_name(def));
	if (def->size > vi->size)
		return obj_err(obj, EINVAL, "section '.maps': map '%s': definition of %u bytes in "
			       "a variable of %u bytes", name, def->size, vi->size);

	map = obj_add_map(obj);
	if (!map)
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);
	map->kind = MAP_BTF;
	map->sec_idx = obj->elf.btf_maps_idx;
	map->sec_offset = vi->offset;
	map->btf_var_idx = var_idx;
	map->name = strdup(name);
	map->kern_name = strndup(name, OBJ_NAME_LEN - 1);
	if (!map->name || !map->kern_name)
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);

	err = parse_btf_map_def(obj, name, def, &md, &inner);
	if (err)
		return err;
	fill_def(map, &md);
	find_spin_lock(obj, map);
	if (md.pinning == PIN_BY_NAME) {
		map->pin_by_name = true;
		err = set_pin_path(obj, map);
		if (err)
			return err;
	}
	if (md.parts & DEF_INNER_MAP) {
		map->inner = calloc(1, sizeof(*map->inner));
		if (!map->inner)
			return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);
		map->inner->obj = obj;
		map->inner->fd = -1;
		map->inner->kind = MAP_BTF;
		map->inner->sec_idx = map->sec_idx;
		if (asprintf(&map->inner->name, "%s.inner", name) < 0) {
			map->inner->name = NULL;
			return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);
		}
		map->inner->kern_name = strndup(map->inner->name, OBJ_NAME_LEN - 1);
		if (!map->inner->kern_name)
			return obj_err(obj, ENOMEM, "out of memory for map '%s'", name);
		fill_def(map->inner, &inner);
		find_spin_lock(obj, map->inner);
	}
	return 0;
}

static int init_btf_maps(struct uebpf_object *obj)
{
	const struct btf_type *sec = NULL;
	uint32_t n, i;
	int err;

	if (!obj->elf.btf_maps_idx)
		return 0;
	if (!obj->btf)
		return obj_err(obj, ENOENT, "section '.maps': BTF-defined maps need the object's "
			       "BTF, and it has no .BTF section (compile with -g)");
	n = btf__type_cnt(obj->btf);
	for (i = 1; i < n && !sec; i++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, i);

		if (btf_is_datasec(t) && strcmp(btf_name(obj->btf, t->name_off), ".maps") == 0)
			sec = t;
	}
	if (!sec)
		return obj_err(obj, ENOENT, "section '.BTF': no DATASEC '.maps' describing the "
			       "maps of section '.maps'");
	for (i = 0; i < btf_vlen(sec); i++) {
		err = init_btf_map(obj, sec, i);
		if (err)
			return err;
	}
	return 0;
}

/* ---- global data ---- */

/*
 * libbpf's names for global data maps, which the kernel sees and tools
 * print: as much of the object name as fits in 15 characters before the
 * section name, the section name being given at least 7 ("obj.bss" keeps
 * "obj" and room for ".rodata"); names with a second dot (.data.custom,
 * .rodata.str1.1) get no prefix; characters the kernel refuses become _.
 */
static void internal_kern_name(const char *obj_name, const char *real_name,
			       char out[OBJ_NAME_LEN])
{
	size_t sfx_len = strlen(real_name), pfx_len;
	char *p;

	if (sfx_len < 7)
		sfx_len = 7;
	if (sfx_len > OBJ_NAME_LEN - 1)
		sfx_len = OBJ_NAME_LEN - 1;
	if (strchr(real_name + 1, '.'))
		pfx_len = 0;
	else
		pfx_len = strnlen(obj_name, OBJ_NAME_LEN - 1 - sfx_len);
	snprintf(out, OBJ_NAME_LEN, "%.*s%.*s", (int)pfx_len, obj_name, (int)sfx_len, real_name);
	for (p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.')
			*p = '_';
}

/* Global data maps are mmapable when a variable in them is visible to
 * user space: a DATASEC with a global (non-static) variable. */
static bool data_map_mmapable(const struct uebpf_object *obj, uint32_t value_type_id)
{
	const struct btf_type *t;
	const struct btf_var_secinfo *vsi;
	uint32_t i;

	if (!obj->btf || !value_type_id)
		return false;
	t = btf__type_by_id(obj->btf, value_type_id);
	if (!t || !btf_is_datasec(t))
		return false;
	vsi = btf_var_secinfos(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *vt = btf__type_by_id(obj->btf, vsi[i].type);

		if (vt && btf_is_var(vt) && btf_var(vt)->linkage != BTF_VAR_STATIC)
			return true;
	}
	return false;
}

static int init_data_map(struct uebpf_object *obj, size_t idx)
{
	const struct elf_sec *sec = &obj->elf.secs[idx];
	char kern_name[OBJ_NAME_LEN];
	struct uebpf_map *map;
	int id;

	if (sec->size > MAP_VALUE_MAX)
		return obj_err(obj, E2BIG, "section '%s': %zu bytes of global data, more than a "
			       "map value can hold (%u)", sec->name, sec->size, MAP_VALUE_MAX);
	map = obj_add_map(obj);
	if (!map)
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", sec->name);
	map->kind = sec->kind == SEC_DATA ? MAP_DATA : sec->kind == SEC_RODATA ? MAP_RODATA : MAP_BSS;
	map->sec_idx = idx;
	internal_kern_name(obj->name, sec->name, kern_name);
	map->kern_name = strdup(kern_name);
	map->real_name = strdup(sec->name);
	/* libbpf shows .data.NAME and .rodata.NAME by their full section
	 * name, the others by their kernel name. */
	if ((map->kind == MAP_DATA && strcmp(sec->name, ".data") != 0) ||
	    (map->kind == MAP_RODATA && strcmp(sec->name, ".rodata") != 0))
		map->name = strdup(sec->name);
	else
		map->name = strdup(kern_name);
	map->initial = calloc(1, sec->size);
	if (!map->kern_name || !map->real_name || !map->name || !map->initial)
		return obj_err(obj, ENOMEM, "out of memory for map '%s'", sec->name);
	if (sec->data)
		memcpy(map->initial, sec->data, sec->size);

	map->def.type = BPF_MAP_TYPE_ARRAY;
	map->def.key_size = sizeof(uint32_t);
	map->def.value_size = sec->size;
	map->def.max_entries = 1;
	map->def.map_flags = map->kind == MAP_RODATA ? BPF_F_RDONLY_PROG : 0;
	/* The DATASEC of the section, when there is one (strings have none). */
	id = obj->btf ? btf_find_by_name(obj, sec->name) : -ENOENT;
	if (id == -ENOMEM)
		return obj_err(obj, ENOMEM, "out of memory");
	if (id > 0)
		map->def.btf_value_type_id = id;
	if (data_map_mmapable(obj, map->def.btf_value_type_id))
		map->def.map_flags |= BPF_F_MMAPABLE;
	return 0;
}

static int init_data_maps(struct uebpf_object *obj)
{
	size_t i;
	int err;

	for (i = 1; i < obj->elf.sec_cnt; i++) {
		enum elf_sec_type kind = obj->elf.secs[i].kind;

		if ((kind != SEC_DATA && kind != SEC_RODATA && kind != SEC_BSS) ||
		    obj->elf.secs[i].size == 0)
			continue;
		err = init_data_map(obj, i);
		if (err)
			return err;
	}
	return 0;
}

/* ---- .kconfig ---- */

/*
 * The values of the .kconfig externs (laid out by externs_collect) live
 * in an internal map as global data does: an array of one read-only
 * value, named as libbpf names it ("obj.kconfig" cut to fit), its type
 * the .kconfig DATASEC. Its contents are zeros until load fills them in.
 */
static int init_kconfig_map(struct uebpf_object *obj)
{
	const struct extern_desc *last = NULL;
	char kern_name[OBJ_NAME_LEN];
	struct uebpf_map *map;
	size_t i;
	int id;

	for (i = 0; i < obj->nr_externs; i++)
		if (obj->externs[i].type == EXT_KCFG)
			last = &obj->externs[i];
	if (!last)
		return 0;
	map = obj_add_map(obj);
	if (!map)
		return obj_err(obj, ENOMEM, "out of memory for map '.kconfig'");
	map->kind = MAP_KCONFIG;
	map->sec_idx = obj->elf.symtab_idx;
	internal_kern_name(obj->name, ".kconfig", kern_name);
	map->kern_name = strdup(kern_name);
	map->name = strdup(kern_name);
	map->real_name = strdup(".kconfig");
	map->def.type = BPF_MAP_TYPE_ARRAY;
	map->def.key_size = sizeof(uint32_t);
	map->def.value_size = last->data_off + last->sz;
	map->def.max_entries = 1;
	map->def.map_flags = BPF_F_RDONLY_PROG;
	map->initial = calloc(1, map->def.value_size);
	if (!map->kern_name || !map->name || !map->real_name || !map->initial)
		return obj_err(obj, ENOMEM, "out of memory for map '.kconfig'");
	id = obj->btf ? btf_find_by_name(obj, ".kconfig") : -ENOENT;
	if (id == -ENOMEM)
		return obj_err(obj, ENOMEM, "out of memory");
	if (id > 0)
		map->def.btf_value_type_id = id;
	/* Its variables are allocated globals now: mmapable, as libbpf
	 * makes it. */
	if (data_map_mmapable(obj, map->def.btf_value_type_id))
		map->def.map_flags |= BPF_F_MMAPABLE;
	obj->kconfig_map_idx = obj->nr_maps - 1;
	return 0;
}

/* ---- initial slots of prog-arrays and maps of maps (.rel.maps) ---- */

/* The .maps DATASEC, or NULL. */
static const struct btf_type *maps_datasec(const struct uebpf_object *obj)
{
	uint32_t n = btf__type_cnt(obj->btf), i;

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, i);

		if (btf_is_datasec(t) && strcmp(btf_name(obj->btf, t->name_off), ".maps") == 0)
			return t;
	}
	return NULL;
}

/*
 * One relocation of .rel.maps: `.values = { [i] = &x }` in the definition
 * of a BTF-defined map puts the address of x (a map or a program) at
 * slot i of its zero-sized `values` array; the relocation tells which
 * map's variable, which slot (the offset) and what x is (the symbol).
 */
static int map_slot_relo(struct uebpf_object *obj, const struct elf_sec *rsec,
			 const struct btf_type *datasec, size_t i, const Elf64_Rel *rel)
{
	const size_t ptr_sz = 8; /* a BPF pointer, whatever the host's */
	const char *rname = rsec->name;
	size_t rel_off = i * sizeof(*rel), sym_idx = ELF64_R_SYM(rel->r_info), j, slot;
	const struct btf_var_secinfo *vi = NULL;
	const struct btf_type *var, *def;
	const struct btf_member *m;
	struct uebpf_map *map = NULL;
	struct map_slot *slots;
	const Elf64_Sym *sym;
	const char *name;
	uint64_t moff, off = rel->r_offset;
	bool mim, prog_array;
	size_t target;

	if (sym_idx >= obj->elf.sym_cnt)
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: relocation #%zu: symbol "
			       "index %zu out of range (%zu symbols)", rname, rel_off, i, sym_idx,
			       obj->elf.sym_cnt);
	sym = &obj->elf.syms[sym_idx];
	name = elf_sym_display_name(obj, sym);

	for (j = 0; j < obj->nr_maps; j++) {
		const struct btf_var_secinfo *v;

		if (obj->maps[j].kind != MAP_BTF || obj->maps[j].btf_var_idx >= btf_vlen(datasec))
			continue;
		v = btf_var_secinfos(datasec) + obj->maps[j].btf_var_idx;
		/* The 8 bytes at off inside the variable (no overflow). */
		if (v->size >= ptr_sz && off >= v->offset && off - v->offset <= v->size - ptr_sz) {
			map = &obj->maps[j];
			vi = v;
			break;
		}
	}
	if (!map)
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: relocation #%zu of '%s' "
			       "at offset 0x%llx of '.maps' is inside no map's definition", rname,
			       rel_off, i, name, (unsigned long long)off);

	mim = is_map_in_map(map->def.type);
	prog_array = map->def.type == BPF_MAP_TYPE_PROG_ARRAY;
	if (mim) {
		const struct uebpf_map *targ;

		if (sym->st_shndx != obj->elf.btf_maps_idx)
			return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s': slot "
				       "value '%s' is not a BTF-defined map (in '.maps')", rname,
				       rel_off, map->name, name);
		if (map->def.type == BPF_MAP_TYPE_HASH_OF_MAPS && map->def.key_size != 4)
			return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: hash of maps '%s' "
				       "with initial values must have 4-byte keys, not %u", rname,
				       rel_off, map->name, map->def.key_size);
		targ = uebpf_object_find_map(obj, name);
		if (!targ)
			return obj_err(obj, ESRCH, "section '%s', offset 0x%zx: map '%s': slot "
				       "value '%s' is not a map of the object", rname, rel_off,
				       map->name, name);
		target = targ - obj->maps;
	} else if (prog_array) {
		const struct uebpf_program *prog = uebpf_object_find_program(obj, name);

		if (!prog)
			return obj_err(obj, ESRCH, "section '%s', offset 0x%zx: map '%s': slot "
				       "value '%s' is not a program of the object", rname, rel_off,
				       map->name, name);
		if (prog->sec_idx != sym->st_shndx || prog->sec_insn_off * INSN_SZ != sym->st_value)
			return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s': slot "
				       "value '%s' is not an entry-point program", rname, rel_off,
				       map->name, name);
		target = prog - obj->progs;
	} else {
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s' (type %u) has "
			       "an initial value for '%s', but only prog-arrays and maps of maps "
			       "take initial values", rname, rel_off, map->name, map->def.type,
			       name);
	}

	/* The slot: the offset into the last member, `values`. */
	var = btf__type_by_id(obj->btf, vi->type);
	def = var ? btf_skip_mods(obj->btf, var->type, NULL) : NULL;
	if (!def || !btf_is_struct(def) || btf_vlen(def) == 0)
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s': its definition "
			       "is not a struct with members", rname, rel_off, map->name);
	m = btf_members(def) + btf_vlen(def) - 1;
	if (strcmp(btf_name(obj->btf, m->name_off), "values") != 0)
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s': initial value "
			       "'%s' but the definition's last member is '%s', not 'values'", rname,
			       rel_off, map->name, name, btf_name(obj->btf, m->name_off));
	moff = btf_member_bit_offset(def, btf_vlen(def) - 1) / 8;
	if (off - vi->offset < moff)
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s': relocation at "
			       "offset 0x%llx is before 'values' (at 0x%llx)", rname, rel_off,
			       map->name, (unsigned long long)off,
			       (unsigned long long)(vi->offset + moff));
	moff = off - vi->offset - moff;
	if (moff % ptr_sz)
		return obj_err(obj, EINVAL, "section '%s', offset 0x%zx: map '%s': relocation at "
			       "offset 0x%llx is not at an 8-byte slot of 'values'", rname, rel_off,
			       map->name, (unsigned long long)off);
	slot = moff / ptr_sz;
	if (slot >= map->nr_slots) {
		slots = reallocarray(map->slots, slot + 1, sizeof(*slots));
		if (!slots)
			return obj_err(obj, ENOMEM, "out of memory for the slots of map '%s'",
				       map->name);
		memset(slots + map->nr_slots, 0, (slot + 1 - map->nr_slots) * sizeof(*slots));
		map->slots = slots;
		map->nr_slots = slot + 1;
	}
	map->slots[slot].set = true;
	map->slots[slot].idx = target;
	return 0;
}

static int init_map_slots(struct uebpf_object *obj)
{
	const struct btf_type *datasec;
	size_t i, j;
	int err;

	if (!obj->elf.btf_maps_idx)
		return 0;
	for (i = 1; i < obj->elf.sec_cnt; i++) {
		const struct elf_sec *rsec = &obj->elf.secs[i];

		if (rsec->kind != SEC_RELO || rsec->shdr->sh_info != obj->elf.btf_maps_idx)
			continue;
		datasec = obj->btf ? maps_datasec(obj) : NULL;
		if (!datasec)
			return obj_err(obj, EINVAL, "section '%s': relocations of '.maps' without a "
				       "DATASEC '.maps' in BTF", rsec->name);
		for (j = 0; j < rsec->size / sizeof(Elf64_Rel); j++) {
			Elf64_Rel rel;

			memcpy(&rel, rsec->data + j * sizeof(rel), sizeof(rel));
			err = map_slot_relo(obj, rsec, datasec, j, &rel);
			if (err)
				return err;
		}
	}
	return 0;
}

/* Maps in libbpf's order: legacy (as libbpf before 1.0 read them),
 * BTF-defined, global data, .kconfig; then the initial slots, once all
 * are known. */
int maps_init(struct uebpf_object *obj)
{
	int err;

	err = init_legacy_maps(obj);
	err = err ? err : init_btf_maps(obj);
	err = err ? err : init_data_maps(obj);
	err = err ? err : init_kconfig_map(obj);
	err = err ? err : init_map_slots(obj);
	return err;
}
