// SPDX-License-Identifier: MIT
/*
 * Externs: variables and functions a BPF program declares `extern` and
 * the loader provides.
 *
 * At open (externs_collect) they are found as libbpf finds them:
 * undefined global or weak symbols without a type, each described by a
 * BTF VAR or FUNC in a DATASEC that says what it is: ".kconfig" (values
 * of the kernel's config and LINUX_* values the loader knows, which live
 * in the object's .kconfig map) or ".ksyms" (kernel variables and kernel
 * functions). They are sorted and the .kconfig ones laid out as libbpf
 * does, and the BTF of both DATASECs rewritten as libbpf rewrites it, so
 * that offsets, the .kconfig map and its type are the same.
 *
 * At load (externs_resolve) the .kconfig map's value is filled in as
 * libbpf fills it in user space: LINUX_KERNEL_VERSION from the running
 * kernel, CONFIG_* from the kernel's config file. Kernel symbols do not
 * exist in user space: a weak one stays unset (zero), a strong one is
 * refused.
 *
 * Every BTF type id is looked up with btf__type_by_id (NULL when out of
 * range) and every chain of modifiers followed a bounded number of
 * steps; lookups by name use sorted indexes, so that objects with many
 * symbols or types do not take quadratic time.
 */
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "object/externs.h"

#define KCONFIG_SEC ".kconfig"
#define KSYMS_SEC ".ksyms"

/* enum libbpf_tristate of bpf_helpers.h */
enum { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- lookups ---- */

struct btf_index {
	const struct btf *btf;
	uint32_t *named; /* VAR and FUNC ids, sorted by name then id */
	size_t nr_named;
	uint32_t *sec_of; /* by type id: the first DATASEC listing it, 0: none */
	size_t nr_types;
};

static int cmp_named(const void *a_, const void *b_, void *btf_)
{
	const struct btf *btf = btf_;
	uint32_t a = *(const uint32_t *)a_, b = *(const uint32_t *)b_;
	int c = strcmp(btf_name(btf, btf__type_by_id(btf, a)->name_off),
		       btf_name(btf, btf__type_by_id(btf, b)->name_off));

	return c ? c : (a < b ? -1 : a > b);
}

static int btf_index_build(struct btf_index *ix, const struct btf *btf)
{
	size_t n = btf__type_cnt(btf), i;

	ix->btf = btf;
	ix->nr_types = n;
	ix->named = malloc(n * sizeof(uint32_t));
	ix->sec_of = calloc(n, sizeof(uint32_t));
	if (!ix->named || !ix->sec_of)
		return -ENOMEM;
	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const struct btf_var_secinfo *vs;
		uint32_t j;

		if (btf_is_var(t) || btf_is_func(t))
			ix->named[ix->nr_named++] = i;
		if (!btf_is_datasec(t))
			continue;
		vs = btf_var_secinfos(t);
		for (j = 0; j < btf_vlen(t); j++)
			if (vs[j].type < n && !ix->sec_of[vs[j].type])
				ix->sec_of[vs[j].type] = i;
	}
	qsort_r(ix->named, ix->nr_named, sizeof(uint32_t), cmp_named, (void *)btf);
	return 0;
}

static void btf_index_free(struct btf_index *ix)
{
	free(ix->named);
	free(ix->sec_of);
}

/* The first VAR or FUNC with that name (the lowest id, as libbpf's scan
 * finds it); 0 if none. */
static uint32_t btf_index_find(const struct btf_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->nr_named;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct btf_type *t = btf__type_by_id(ix->btf, ix->named[mid]);

		if (strcmp(btf_name(ix->btf, t->name_off), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ix->nr_named &&
	    strcmp(btf_name(ix->btf, btf__type_by_id(ix->btf, ix->named[lo])->name_off), name) == 0)
		return ix->named[lo];
	return 0;
}

static int cmp_ext_names(const void *a_, const void *b_, void *obj_)
{
	const struct uebpf_object *obj = obj_;
	size_t a = *(const size_t *)a_, b = *(const size_t *)b_;
	int c = strcmp(obj->externs[a].name, obj->externs[b].name);

	return c ? c : (a < b ? -1 : a > b);
}

/* The first extern with that name, in the order of obj->externs, through
 * an index of them sorted by name; NULL if none. */
static struct extern_desc *find_extern(struct uebpf_object *obj, const size_t *by_name,
				       const char *name)
{
	size_t lo = 0, hi = obj->nr_externs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(obj->externs[by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < obj->nr_externs && strcmp(obj->externs[by_name[lo]].name, name) == 0)
		return &obj->externs[by_name[lo]];
	return NULL;
}

/* ---- collecting ---- */

static bool sym_is_extern(const Elf64_Sym *sym)
{
	int bind = ELF64_ST_BIND(sym->st_info);

	return sym->st_shndx == SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       ELF64_ST_TYPE(sym->st_info) == STT_NOTYPE;
}

/* What a .kconfig extern's type is, as libbpf accepts them: char, bool,
 * integers of 1, 2, 4 or 8 bytes, enum libbpf_tristate, char arrays. */
static enum kcfg_type kcfg_type_of(const struct btf *btf, uint32_t id, bool *is_signed,
				   bool elem)
{
	const struct btf_type *t = btf_skip_mods(btf, id, NULL);
	const char *name;

	*is_signed = false;
	if (!t)
		return KCFG_UNKNOWN;
	name = btf_name(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		uint8_t enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL)
			return t->size == 1 ? KCFG_BOOL : KCFG_UNKNOWN;
		*is_signed = enc & BTF_INT_SIGNED;
		if (t->size == 1)
			return KCFG_CHAR;
		if (t->size < 1 || t->size > 8 || (t->size & (t->size - 1)))
			return KCFG_UNKNOWN;
		return KCFG_INT;
	}
	case BTF_KIND_ENUM:
		if (t->size != 4 || strcmp(name, "libbpf_tristate") != 0)
			return KCFG_UNKNOWN;
		return KCFG_TRISTATE;
	case BTF_KIND_ENUM64:
		/* libbpf takes any size; the value is written as 4 bytes. */
		if (t->size < 4 || strcmp(name, "libbpf_tristate") != 0)
			return KCFG_UNKNOWN;
		return KCFG_TRISTATE;
	case BTF_KIND_ARRAY: {
		bool elem_signed;

		/* Arrays of char only: no recursion past one level. */
		if (elem || btf_array(t)->nelems == 0)
			return KCFG_UNKNOWN;
		if (kcfg_type_of(btf, btf_array(t)->type, &elem_signed, true) != KCFG_CHAR)
			return KCFG_UNKNOWN;
		return KCFG_CHAR_ARR;
	}
	default:
		return KCFG_UNKNOWN;
	}
}

static int cmp_externs(const void *a_, const void *b_)
{
	const struct extern_desc *a = a_, *b = b_;
	int c;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type == EXT_KCFG) {
		/* Larger alignments first, then smaller sizes: little padding. */
		if (a->align != b->align)
			return a->align > b->align ? -1 : 1;
		if (a->sz != b->sz)
			return a->sz < b->sz ? -1 : 1;
	}
	c = strcmp(a->name, b->name);
	if (c)
		return c;
	return a->sym_idx < b->sym_idx ? -1 : a->sym_idx > b->sym_idx;
}

/* libbpf gives a .ksyms DATASEC holding functions a variable "dummy_ksym"
 * (an int) to stand in for them; the same here, at the same place. */
static int add_dummy_ksym_var(struct uebpf_object *obj, int *dummy_id)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	int sec_id, int_id, id;
	uint32_t i, n;

	*dummy_id = 0;
	sec_id = btf__find_by_name_kind(obj->btf, KSYMS_SEC, BTF_KIND_DATASEC);
	if (sec_id <= 0)
		return 0;
	sec = btf__type_by_id(obj->btf, sec_id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++) {
		const struct btf_type *vt = btf__type_by_id(obj->btf, vs[i].type);

		if (vt && btf_is_func(vt))
			break;
	}
	if (i == btf_vlen(sec))
		return 0;
	/* The first 32-bit integer, as libbpf picks it (0: void). */
	int_id = 0;
	n = btf__type_cnt(obj->btf);
	for (i = 1; i < n && !int_id; i++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, i);

		if (btf_is_int(t) && btf_int_bits(t) == 32)
			int_id = i;
	}
	id = btf__add_var(obj->btf, "dummy_ksym", BTF_VAR_GLOBAL_ALLOCATED, int_id);
	if (id < 0)
		return obj_err(obj, -id, "section '.BTF': cannot add the variable that stands "
			       "for the kernel functions of '.ksyms': %s", strerror(-id));
	*dummy_id = id;
	return 0;
}

/* One extern from symbol sym_idx, described by BTF. */
static int collect_extern(struct uebpf_object *obj, const struct btf_index *ix, size_t sym_idx,
			  const char *name, struct btf_type **kcfg_sec, struct btf_type **ksym_sec)
{
	const Elf64_Sym *sym = &obj->elf.syms[sym_idx];
	struct extern_desc *ext;
	const struct btf_type *t;
	struct btf_type *sec;
	const char *sec_name;
	uint32_t id, sec_id;

	ext = reallocarray(obj->externs, obj->nr_externs + 1, sizeof(*ext));
	if (!ext)
		return obj_err(obj, ENOMEM, "out of memory for extern '%s'", name);
	obj->externs = ext;
	ext = &ext[obj->nr_externs];
	memset(ext, 0, sizeof(*ext));
	ext->name = strdup(name);
	if (!ext->name)
		return obj_err(obj, ENOMEM, "out of memory for extern '%s'", name);
	obj->nr_externs++;
	ext->sym_idx = sym_idx;
	ext->is_weak = ELF64_ST_BIND(sym->st_info) == STB_WEAK;

	if (!obj->btf)
		return obj_err(obj, ESRCH, "extern '%s' (symbol #%zu): the object has no BTF "
			       "(.BTF section) to tell what it is: compile with -g", name, sym_idx);
	id = btf_index_find(ix, name);
	if (!id)
		return obj_err(obj, ENOENT, "extern '%s' (symbol #%zu): no BTF VAR or FUNC of "
			       "that name in section '.BTF'", name, sym_idx);
	t = btf__type_by_id(obj->btf, id);
	/* A FUNC's linkage is in its vlen. */
	if ((btf_is_var(t) && btf_var(t)->linkage != BTF_VAR_GLOBAL_EXTERN) ||
	    (btf_is_func(t) && btf_vlen(t) != BTF_FUNC_EXTERN))
		return obj_err(obj, EINVAL, "extern '%s' (symbol #%zu): its BTF %s [%u] is not "
			       "declared extern", name, sym_idx, btf_kind_name(t), id);
	ext->btf_id = id;
	ext->is_func = btf_is_func(t);
	sec_id = ix->sec_of[id];
	if (!sec_id)
		return obj_err(obj, ENOENT, "extern '%s': its BTF %s [%u] is in no DATASEC of "
			       "section '.BTF'", name, btf_kind_name(t), id);
	sec = (struct btf_type *)btf__type_by_id(obj->btf, sec_id);
	sec_name = btf_name(obj->btf, sec->name_off);

	if (strcmp(sec_name, KCONFIG_SEC) == 0) {
		int64_t sz;
		int align;

		if (ext->is_func)
			return obj_err(obj, EOPNOTSUPP, "extern function '%s' in section '%s': "
				       "only variables are kernel config values (kernel functions "
				       "are declared __ksym)", name, KCONFIG_SEC);
		*kcfg_sec = sec;
		ext->type = EXT_KCFG;
		/* The type first: the size and alignment of anything else
		 * (a struct that contains itself) may never be found. */
		ext->kcfg_type = kcfg_type_of(obj->btf, t->type, &ext->is_signed, false);
		if (ext->kcfg_type == KCFG_UNKNOWN)
			return obj_err(obj, EOPNOTSUPP, "extern (kcfg) '%s': its type (a %s, "
				       "BTF [%u]) is not supported: use char, bool, an integer of 1, "
				       "2, 4 or 8 bytes, enum libbpf_tristate or a char array", name,
				       btf_kind_name(btf_skip_mods(obj->btf, t->type, NULL)), t->type);
		sz = btf__resolve_size(obj->btf, t->type);
		if (sz <= 0 || sz > MAP_VALUE_MAX)
			return obj_err(obj, sz <= 0 ? EINVAL : E2BIG, "extern (kcfg) '%s': size "
				       "%lld of its type [%u] is not one uebpf can lay out (1 to %u "
				       "bytes)", name, (long long)sz, t->type, MAP_VALUE_MAX);
		align = btf__align_of(obj->btf, t->type);
		if (align <= 0)
			return obj_err(obj, EINVAL, "extern (kcfg) '%s': cannot tell the alignment "
				       "of its type [%u]", name, t->type);
		ext->sz = sz;
		ext->align = align;
	} else if (strcmp(sec_name, KSYMS_SEC) == 0) {
		*ksym_sec = sec;
		ext->type = EXT_KSYM;
	} else {
		return obj_err(obj, EOPNOTSUPP, "extern '%s' in section '%s': unrecognized extern "
			       "section (uebpf knows '%s' (__kconfig) and '%s' (__ksym))", name,
			       sec_name, KCONFIG_SEC, KSYMS_SEC);
	}
	return 0;
}

/* .ksyms as libbpf gives it to the kernel: every entry 4 bytes at
 * consecutive offsets, variables allocated ints, functions global and
 * replaced in the DATASEC by the dummy variable. */
static int layout_ksyms(struct uebpf_object *obj, struct btf_type *sec, const size_t *by_name,
			int dummy_id)
{
	struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	const struct btf_type *dummy = dummy_id > 0 ? btf__type_by_id(obj->btf, dummy_id) : NULL;
	uint32_t int_id = 0, n = btf__type_cnt(obj->btf), i, off = 0;

	for (i = 1; i < n && !int_id; i++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, i);

		if (btf_is_int(t) && btf_int_bits(t) == 32)
			int_id = i;
	}
	for (i = 0; i < btf_vlen(sec); i++, off += sizeof(int)) {
		struct btf_type *vt = (struct btf_type *)btf__type_by_id(obj->btf, vs[i].type);
		const char *name = vt ? btf_name(obj->btf, vt->name_off) : "";
		struct extern_desc *ext;

		if (!vt || (!btf_is_var(vt) && !btf_is_func(vt)))
			return obj_err(obj, EINVAL, "section '.BTF': DATASEC '%s' entry #%u is a "
				       "%s (type [%u]), not a VAR or FUNC", KSYMS_SEC, i,
				       btf_kind_name(vt), vs[i].type);
		ext = find_extern(obj, by_name, name);
		if (!ext || ext->type != EXT_KSYM)
			return obj_err(obj, ESRCH, "section '.BTF': DATASEC '%s' entry #%u, %s '%s', "
				       "has no extern symbol of that name in '%s'", KSYMS_SEC, i,
				       btf_kind_name(vt), name, KSYMS_SEC);
		if (btf_is_func(vt)) {
			const struct btf_type *proto = btf__type_by_id(obj->btf, vt->type);
			struct btf_param *param;
			uint32_t j;

			if (!proto || !btf_is_func_proto(proto) || !dummy)
				return obj_err(obj, EINVAL, "section '.BTF': kernel function '%s' "
					       "(type [%u]) has no function prototype", name,
					       vs[i].type);
			/* Parameters without a name get the dummy's. */
			param = btf_params(proto);
			for (j = 0; j < btf_vlen(proto); j++)
				if (param[j].type && !param[j].name_off)
					param[j].name_off = dummy->name_off;
			vs[i].type = dummy_id;
			vt->info = (vt->info & ~0xffffu) | BTF_FUNC_GLOBAL;
		} else {
			btf_var(vt)->linkage = BTF_VAR_GLOBAL_ALLOCATED;
			vt->type = int_id;
		}
		vs[i].offset = off;
		vs[i].size = sizeof(int);
	}
	sec->size = off;
	return 0;
}

/* .kconfig: each extern at the next offset its alignment allows, in the
 * sorted order; the DATASEC's variables allocated at those offsets. */
static int layout_kconfig(struct uebpf_object *obj, struct btf_type *sec, const size_t *by_name)
{
	struct btf_var_secinfo *vs = btf_var_secinfos(sec);
	uint64_t off = 0;
	size_t i;

	for (i = 0; i < obj->nr_externs; i++) {
		struct extern_desc *ext = &obj->externs[i];

		if (ext->type != EXT_KCFG)
			continue;
		off = (off + ext->align - 1) / ext->align * ext->align;
		ext->data_off = off;
		off += ext->sz;
		if (off > MAP_VALUE_MAX)
			return obj_err(obj, E2BIG, "extern (kcfg) '%s': the .kconfig externs take "
				       "more than %u bytes", ext->name, MAP_VALUE_MAX);
	}
	sec->size = off;
	for (i = 0; i < btf_vlen(sec); i++) {
		const struct btf_type *t = btf__type_by_id(obj->btf, vs[i].type);
		const char *name = t ? btf_name(obj->btf, t->name_off) : "";
		struct extern_desc *ext;

		if (!t || !btf_is_var(t))
			return obj_err(obj, EINVAL, "section '.BTF': DATASEC '%s' entry #%zu is a "
				       "%s (type [%u]), not a VAR", KCONFIG_SEC, i, btf_kind_name(t),
				       vs[i].type);
		ext = find_extern(obj, by_name, name);
		if (!ext || ext->type != EXT_KCFG)
			return obj_err(obj, ESRCH, "section '.BTF': DATASEC '%s' variable '%s' has "
				       "no extern symbol of that name in '%s'", KCONFIG_SEC, name,
				       KCONFIG_SEC);
		btf_var((struct btf_type *)t)->linkage = BTF_VAR_GLOBAL_ALLOCATED;
		vs[i].offset = ext->data_off;
	}
	return 0;
}

int externs_collect(struct uebpf_object *obj)
{
	struct btf_type *kcfg_sec = NULL, *ksym_sec = NULL;
	struct btf_index ix = { 0 };
	size_t *by_name = NULL, i;
	int dummy_id = 0, err = 0;

	obj->kconfig_map_idx = -1;
	if (obj->btf) {
		/* Before any pointer into the BTF is taken: adding a type
		 * may move them all. */
		err = add_dummy_ksym_var(obj, &dummy_id);
		if (err)
			return err;
		if (btf_index_build(&ix, obj->btf)) {
			err = obj_err(obj, ENOMEM, "out of memory for the BTF of externs");
			goto out;
		}
	}
	for (i = 0; i < obj->elf.sym_cnt; i++) {
		const Elf64_Sym *sym = &obj->elf.syms[i];
		const char *name;

		if (!sym_is_extern(sym))
			continue;
		name = elf_sym_name(obj, sym);
		if (!name || !name[0])
			continue;
		err = collect_extern(obj, &ix, i, name, &kcfg_sec, &ksym_sec);
		if (err)
			goto out;
	}
	if (!obj->nr_externs)
		goto out;

	qsort(obj->externs, obj->nr_externs, sizeof(*obj->externs), cmp_externs);
	by_name = malloc(obj->nr_externs * sizeof(*by_name));
	if (!by_name) {
		err = obj_err(obj, ENOMEM, "out of memory for externs");
		goto out;
	}
	for (i = 0; i < obj->nr_externs; i++)
		by_name[i] = i;
	qsort_r(by_name, obj->nr_externs, sizeof(*by_name), cmp_ext_names, obj);

	if (ksym_sec) {
		err = layout_ksyms(obj, ksym_sec, by_name, dummy_id);
		if (err)
			goto out;
	}
	if (kcfg_sec)
		err = layout_kconfig(obj, kcfg_sec, by_name);
out:
	free(by_name);
	btf_index_free(&ix);
	return err;
}

void externs_free(struct uebpf_object *obj)
{
	size_t i;

	for (i = 0; i < obj->nr_externs; i++)
		free(obj->externs[i].name);
	free(obj->externs);
	obj->externs = NULL;
	obj->nr_externs = 0;
}

/* ---- resolving ---- */

uint32_t externs_kernel_version(void)
{
	/* Ubuntu's uname gives its own ABI number where the kernel's
	 * LINUX_VERSION_CODE has the upstream sublevel, which it tells
	 * in /proc/version_signature ("Ubuntu 5.4.0-12.15-generic 5.4.8"). */
	const char *ubuntu = "/proc/version_signature";
	unsigned int major, minor, patch;
	struct utsname u;

	if (faccessat(AT_FDCWD, ubuntu, R_OK, AT_EACCESS) == 0) {
		FILE *f = fopen(ubuntu, "r");

		if (f) {
			int n = fscanf(f, "%*s %*s %u.%u.%u\n", &major, &minor, &patch);

			fclose(f);
			if (n == 3)
				goto done;
		}
	}
	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &major, &minor, &patch) != 3)
		return 0;
done:
	return (major << 16) + (minor << 8) + (patch > 255 ? 255 : patch);
}

/* Where the kernel config values come from, for messages. */
struct kcfg_src {
	const char *path;
	size_t line;
};

static int kcfg_fail(struct uebpf_object *obj, const struct kcfg_src *src, int err,
		     const char *fmt, const char *name, const char *value)
{
	char what[512];

	snprintf(what, sizeof(what), fmt, name, value);
	if (src)
		return obj_err(obj, err, "%s, line %zu: %s", src->path, src->line, what);
	return obj_err(obj, err, "%s", what);
}

static int set_kcfg_tri(struct uebpf_object *obj, const struct kcfg_src *src,
			struct extern_desc *ext, uint8_t *val, char value)
{
	char v[2] = { value, '\0' };
	uint32_t tri;

	switch (ext->kcfg_type) {
	case KCFG_BOOL:
		if (value == 'm')
			return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': value '%s' (a "
					 "module) needs a tristate or char type, not bool",
					 ext->name, v);
		*val = value == 'y';
		break;
	case KCFG_TRISTATE:
		tri = value == 'y' ? TRI_YES : value == 'm' ? TRI_MODULE : TRI_NO;
		memcpy(val, &tri, sizeof(tri));
		break;
	case KCFG_CHAR:
		*val = value;
		break;
	default:
		return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': value '%s' needs a bool, "
				 "tristate or char type", ext->name, v);
	}
	ext->is_set = true;
	return 0;
}

static int set_kcfg_str(struct uebpf_object *obj, const struct kcfg_src *src,
			struct extern_desc *ext, uint8_t *val, const char *value)
{
	size_t len = strlen(value);

	if (ext->kcfg_type != KCFG_CHAR_ARR)
		return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': value '%s' needs a char "
				 "array type", ext->name, value);
	if (len < 2 || value[len - 1] != '"')
		return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': invalid string value "
				 "'%s' (no closing quote)", ext->name, value);
	/* Without the quotes; a string too long is cut, as libbpf does. */
	len -= 2;
	if (len >= ext->sz)
		len = ext->sz - 1;
	memcpy(val, value + 1, len);
	val[len] = '\0';
	ext->is_set = true;
	return 0;
}

/* The value fits in the extern's size, signed or not. */
static bool kcfg_in_range(const struct extern_desc *ext, uint64_t v)
{
	unsigned int bits = ext->sz * 8;

	if (ext->sz >= 8)
		return true;
	if (ext->is_signed)
		return v + (1ULL << (bits - 1)) < (1ULL << bits);
	return (v >> bits) == 0;
}

static int set_kcfg_num(struct uebpf_object *obj, const struct kcfg_src *src,
			struct extern_desc *ext, uint8_t *val, uint64_t value)
{
	char v[32];

	snprintf(v, sizeof(v), "%llu", (unsigned long long)value);
	if (ext->kcfg_type != KCFG_INT && ext->kcfg_type != KCFG_CHAR &&
	    ext->kcfg_type != KCFG_BOOL)
		return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': value %s needs an "
				 "integer, char or bool type", ext->name, v);
	if (ext->kcfg_type == KCFG_BOOL && value > 1)
		return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': value %s is not a bool "
				 "(0 or 1)", ext->name, v);
	if (!kcfg_in_range(ext, value))
		return kcfg_fail(obj, src, ERANGE, "extern (kcfg) '%s': value %s does not fit in "
				 "its type", ext->name, v);
	switch (ext->sz) {
	case 1: {
		uint8_t x = value;

		memcpy(val, &x, sizeof(x));
		break;
	}
	case 2: {
		uint16_t x = value;

		memcpy(val, &x, sizeof(x));
		break;
	}
	case 4: {
		uint32_t x = value;

		memcpy(val, &x, sizeof(x));
		break;
	}
	case 8:
		memcpy(val, &value, sizeof(value));
		break;
	default:
		return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': %s: an integer of this "
				 "size cannot be set", ext->name, v);
	}
	ext->is_set = true;
	return 0;
}

static int cmp_kcfg_names(const void *a_, const void *b_)
{
	const struct extern_desc *a = *(struct extern_desc *const *)a_;
	const struct extern_desc *b = *(struct extern_desc *const *)b_;
	int c = strcmp(a->name, b->name);

	return c ? c : (a < b ? -1 : a > b);
}

/* The .kconfig externs sorted by name (then position), for the lines of
 * the config file. */
struct kcfg_index {
	struct extern_desc **by_name;
	size_t nr;
};

static int kcfg_index_build(struct uebpf_object *obj, struct kcfg_index *kx)
{
	size_t i;

	kx->nr = 0;
	kx->by_name = malloc((obj->nr_externs ? obj->nr_externs : 1) * sizeof(*kx->by_name));
	if (!kx->by_name)
		return obj_err(obj, ENOMEM, "out of memory for the .kconfig externs");
	for (i = 0; i < obj->nr_externs; i++)
		if (obj->externs[i].type == EXT_KCFG)
			kx->by_name[kx->nr++] = &obj->externs[i];
	qsort(kx->by_name, kx->nr, sizeof(*kx->by_name), cmp_kcfg_names);
	return 0;
}

static struct extern_desc *find_kcfg(const struct kcfg_index *kx, const char *name)
{
	size_t lo = 0, hi = kx->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(kx->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < kx->nr && strcmp(kx->by_name[lo]->name, name) == 0)
		return kx->by_name[lo];
	return NULL;
}

/* One line of a kernel config: CONFIG_NAME=value (y, m, n, a number, a
 * quoted string); other lines (comments) are skipped. */
static int kconfig_line(struct uebpf_object *obj, const struct kcfg_index *kx,
			const struct kcfg_src *src, char *buf, uint8_t *data)
{
	struct extern_desc *ext;
	char *sep, *value, *end;
	size_t len;
	uint64_t num;

	if (!has_prefix(buf, "CONFIG_"))
		return 0;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	sep = strchr(buf, '=');
	if (!sep)
		return kcfg_fail(obj, src, EINVAL, "cannot read '%s%s': no '=' between name and "
				 "value", buf, "");
	if (!sep[1])
		return kcfg_fail(obj, src, EINVAL, "cannot read '%s%s': no value", buf, "");
	*sep = '\0';
	ext = find_kcfg(kx, buf);
	if (!ext || ext->is_set)
		return 0;
	value = sep + 1;
	switch (*value) {
	case 'y': case 'n': case 'm':
		return set_kcfg_tri(obj, src, ext, data + ext->data_off, *value);
	case '"':
		return set_kcfg_str(obj, src, ext, data + ext->data_off, value);
	default:
		errno = 0;
		num = strtoull(value, &end, 0);
		if (errno || *end)
			return kcfg_fail(obj, src, errno ? errno : EINVAL, "extern (kcfg) '%s': "
					 "value '%s' is not a valid integer", ext->name, value);
		if (ext->kcfg_type != KCFG_INT && ext->kcfg_type != KCFG_CHAR)
			return kcfg_fail(obj, src, EINVAL, "extern (kcfg) '%s': value '%s' needs "
					 "an integer type", ext->name, value);
		return set_kcfg_num(obj, src, ext, data + ext->data_off, num);
	}
}

/* gzopen reads plain files too. */
static int read_kconfig(struct uebpf_object *obj, const struct kcfg_index *kx, const char *path,
			uint8_t *data)
{
	char release_path[PATH_MAX], buf[PATH_MAX];
	struct kcfg_src src = { .path = path, .line = 0 };
	bool line_start = true;
	struct utsname u;
	gzFile f;
	int err = 0;

	if (path) {
		f = gzopen(path, "r");
		if (!f)
			return obj_err(obj, ENOENT, "cannot read the kernel config '%s' for the "
				       ".kconfig externs: %s", path, strerror(errno ? errno : ENOENT));
	} else {
		if (uname(&u))
			return obj_err(obj, errno, "uname: %s", strerror(errno));
		snprintf(release_path, sizeof(release_path), EXTERNS_BOOT_CONFIG_FMT, u.release);
		src.path = release_path;
		f = gzopen(release_path, "r");
		if (!f) {
			src.path = EXTERNS_PROC_CONFIG;
			f = gzopen(EXTERNS_PROC_CONFIG, "r");
		}
		if (!f)
			return obj_err(obj, ENOENT, "the .kconfig externs need the kernel's config, "
				       "and neither %s nor %s can be read", release_path,
				       EXTERNS_PROC_CONFIG);
	}
	while (gzgets(f, buf, sizeof(buf))) {
		bool whole = strchr(buf, '\n') != NULL;

		if (line_start)
			src.line++;
		/* The rest of a line longer than the buffer is not a line
		 * of its own (libbpf reads it as one). */
		err = kconfig_line(obj, kx, &src, buf, data);
		if (err)
			break;
		line_start = whole;
	}
	gzclose(f);
	return err;
}

static bool kcfg_fits(const struct uebpf_map *map, const struct extern_desc *ext)
{
	return map->initial && (uint64_t)ext->data_off + ext->sz <= map->def.value_size;
}

int externs_resolve_config(struct uebpf_object *obj, const char *config_path)
{
	struct uebpf_map *map = NULL;
	bool need_config = false;
	uint8_t *data = NULL;
	size_t i;
	int err;

	if (!obj->nr_externs)
		return 0;
	if (obj->kconfig_map_idx >= 0 && (size_t)obj->kconfig_map_idx < obj->nr_maps) {
		map = &obj->maps[obj->kconfig_map_idx];
		data = map->initial;
		if (data)
			memset(data, 0, map->def.value_size);
	}
	for (i = 0; i < obj->nr_externs; i++)
		obj->externs[i].is_set = false;

	for (i = 0; i < obj->nr_externs; i++) {
		struct extern_desc *ext = &obj->externs[i];
		uint64_t value = 0;

		if (ext->type != EXT_KCFG)
			continue;
		if (!map || !kcfg_fits(map, ext))
			return obj_err(obj, EINVAL, "extern (kcfg) '%s': no room for it (%u bytes "
				       "at offset %u) in the .kconfig map's value", ext->name, ext->sz,
				       ext->data_off);
		if (has_prefix(ext->name, "CONFIG_")) {
			need_config = true;
			continue;
		}
		if (strcmp(ext->name, "LINUX_KERNEL_VERSION") == 0) {
			value = externs_kernel_version();
			if (!value)
				return obj_err(obj, EINVAL, "extern (kcfg) '%s': cannot tell the "
					       "running kernel's version", ext->name);
		} else if (strcmp(ext->name, "LINUX_HAS_BPF_COOKIE") == 0) {
			/* uebpf has bpf_get_attach_cookie. */
			value = 1;
		} else if (strcmp(ext->name, "LINUX_HAS_SYSCALL_WRAPPER") == 0) {
			/* uebpf's syscall hooks give the syscall's arguments in
			 * pt_regs directly, not a pointer to the user's regs. */
			value = 0;
		} else if (!has_prefix(ext->name, "LINUX_") || !ext->is_weak) {
			return obj_err(obj, EINVAL, "extern (kcfg) '%s': unrecognized virtual extern "
				       "(uebpf provides CONFIG_* from the kernel's config, "
				       "LINUX_KERNEL_VERSION, LINUX_HAS_BPF_COOKIE and "
				       "LINUX_HAS_SYSCALL_WRAPPER; others must be __weak)", ext->name);
		}
		err = set_kcfg_num(obj, NULL, ext, data + ext->data_off, value);
		if (err)
			return err;
	}
	if (need_config) {
		struct kcfg_index kx;

		err = kcfg_index_build(obj, &kx);
		if (err)
			return err;
		err = read_kconfig(obj, &kx, config_path, data);
		free(kx.by_name);
		if (err)
			return err;
	}
	for (i = 0; i < obj->nr_externs; i++) {
		const struct extern_desc *ext = &obj->externs[i];

		if (ext->type == EXT_KSYM && !ext->is_weak)
			return obj_err(obj, ENOENT, "extern '%s' is a kernel symbol (.ksyms), which "
				       "uebpf does not have%s", ext->name,
				       ext->is_func ? " (a kernel function: kfuncs cannot be called "
				       "in user space)" : "");
	}
	for (i = 0; i < obj->nr_externs; i++) {
		const struct extern_desc *ext = &obj->externs[i];

		if (!ext->is_set && !ext->is_weak)
			return obj_err(obj, ESRCH, "extern (kcfg) '%s' is not set in the kernel's "
				       "config: declare it __weak to let it default to zero",
				       ext->name);
	}
	return 0;
}

int externs_resolve(struct uebpf_object *obj)
{
	return externs_resolve_config(obj, NULL);
}
