/* SPDX-License-Identifier: MIT */
/*
 * Externs (.kconfig, .ksyms) and initial map slots (.rel.maps).
 *
 *   externs_test unit DIR     layouts, values and errors, checked against
 *                             values worked out from the sources in
 *                             testdata/ and against libbpf's open of the
 *                             same objects (no root needed);
 *   externs_test libbpf DIR   the .kconfig values libbpf writes into the
 *                             kernel's map at load, compared with uebpf's
 *                             (root and bpf() needed, else skipped: 77).
 *
 * DIR holds the objects built from testdata/: externs.bpf.o,
 * externs_bad<N>.bpf.o, externs-nobtf.bpf.o, slots.bpf.o,
 * kconfig_externs.bpf.o (tests/objects/kconfig_externs.bpf.c).
 */
#define _GNU_SOURCE
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "object/externs.h"
#include "object/object.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/object.h"

static const char *dir;
static char err_buf[1024];

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static const char *path_of(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static struct uebpf_object *open_obj(const char *name)
{
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err_buf, .err_size = sizeof(err_buf),
	};

	return uebpf_object_open_file(path_of(name), &opts);
}

static struct uebpf_object *open_buf(const void *buf, size_t size)
{
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err_buf, .err_size = sizeof(err_buf),
	};

	return uebpf_object_open_mem(buf, size, &opts);
}

static const struct extern_desc *find_ext(const struct uebpf_object *obj, const char *name)
{
	for (size_t i = 0; i < obj->nr_externs; i++)
		if (!strcmp(obj->externs[i].name, name))
			return &obj->externs[i];
	return NULL;
}

static char *write_file(const char *text, bool gz)
{
	char *path = strdup("/tmp/uebpf-kconfig-XXXXXX");
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	if (gz) {
		gzFile f = gzdopen(fd, "wb");

		gzwrite(f, text, strlen(text));
		gzclose(f);
	} else {
		if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
			fprintf(stderr, "short write\n");
		close(fd);
	}
	return path;
}

/* ---- layout at open ---- */

/* From externs.bpf.c, by hand: sorted by alignment (descending), size
 * (ascending), name; each at the next offset its alignment allows. */
static const struct {
	const char *name;
	uint32_t off, sz;
	enum kcfg_type type;
	bool is_signed, weak;
} kcfg_layout[] = {
	{ "CONFIG_T_S64", 0, 8, KCFG_INT, true, true },
	{ "CONFIG_T_U64", 8, 8, KCFG_INT, false, false },
	{ "CONFIG_T_MISSING", 16, 4, KCFG_INT, true, true },
	{ "CONFIG_T_S32", 20, 4, KCFG_INT, true, false },
	{ "CONFIG_T_TRI", 24, 4, KCFG_TRISTATE, false, false },
	{ "CONFIG_T_TRI_M", 28, 4, KCFG_TRISTATE, false, false },
	{ "LINUX_KERNEL_VERSION", 32, 4, KCFG_INT, false, false },
	{ "LINUX_UEBPF_UNKNOWN", 36, 4, KCFG_INT, true, true },
	{ "CONFIG_T_S16", 40, 2, KCFG_INT, true, false },
	{ "CONFIG_T_U16", 42, 2, KCFG_INT, false, true },
	{ "CONFIG_T_BOOL", 44, 1, KCFG_BOOL, false, false },
	{ "CONFIG_T_CHAR", 45, 1, KCFG_CHAR, true, false },
	{ "CONFIG_T_S8", 46, 1, KCFG_CHAR, true, false },
	{ "LINUX_HAS_BPF_COOKIE", 47, 1, KCFG_BOOL, false, false },
	{ "LINUX_HAS_SYSCALL_WRAPPER", 48, 1, KCFG_BOOL, false, true },
	{ "CONFIG_T_LONGSTR", 49, 4, KCFG_CHAR_ARR, false, true },
	{ "CONFIG_T_STR", 53, 16, KCFG_CHAR_ARR, false, false },
};
#define KCFG_SIZE 69
#define NR_KCFG (sizeof(kcfg_layout) / sizeof(kcfg_layout[0]))

static const char *const ksyms_sorted[] = { "uebpf_kfunc", "uebpf_ksym_typeless",
					    "uebpf_ksym_var" };

static const struct btf_type *datasec(const struct btf *btf, const char *name, int *id)
{
	int i = btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC);

	if (id)
		*id = i;
	return i > 0 ? btf__type_by_id(btf, i) : NULL;
}

static void test_layout(void)
{
	struct uebpf_object *obj = open_obj("externs.bpf.o");
	const struct btf_type *sec;
	const struct btf_var_secinfo *vs;
	struct uebpf_map *map;
	int sec_id;

	CHECK_REPORT(obj, "open: %s", err_buf);
	if (!obj)
		return;
	CHECK_EQ(obj->nr_externs, NR_KCFG + 3);
	for (size_t i = 0; i < NR_KCFG && i < obj->nr_externs; i++) {
		const struct extern_desc *e = &obj->externs[i];

		CHECK_STR(e->name, kcfg_layout[i].name);
		CHECK_EQ(e->type, EXT_KCFG);
		CHECK_REPORT(e->data_off == kcfg_layout[i].off && e->sz == kcfg_layout[i].sz,
			     "%s at %u, %u bytes; expected %u, %u", e->name, e->data_off, e->sz,
			     kcfg_layout[i].off, kcfg_layout[i].sz);
		CHECK_REPORT(e->kcfg_type == kcfg_layout[i].type, "%s: kcfg type %d, expected %d",
			     e->name, e->kcfg_type, kcfg_layout[i].type);
		if (e->kcfg_type == KCFG_INT)
			CHECK_REPORT(e->is_signed == kcfg_layout[i].is_signed, "%s: signed %d",
				     e->name, e->is_signed);
		CHECK_REPORT(e->is_weak == kcfg_layout[i].weak, "%s: weak %d", e->name, e->is_weak);
		CHECK(!e->is_func);
	}
	for (size_t i = 0; i < 3 && NR_KCFG + i < obj->nr_externs; i++) {
		const struct extern_desc *e = &obj->externs[NR_KCFG + i];

		CHECK_STR(e->name, ksyms_sorted[i]);
		CHECK_EQ(e->type, EXT_KSYM);
		CHECK(e->is_weak);
		CHECK_EQ(e->is_func, i == 0);
	}

	/* The .kconfig DATASEC: size and offsets filled, variables allocated. */
	sec = datasec(obj->btf, ".kconfig", &sec_id);
	CHECK(sec);
	if (sec) {
		CHECK_EQ(sec->size, KCFG_SIZE);
		vs = btf_var_secinfos(sec);
		for (uint32_t i = 0; i < btf_vlen(sec); i++) {
			const struct btf_type *v = btf__type_by_id(obj->btf, vs[i].type);
			const struct extern_desc *e = find_ext(obj, btf__name_by_offset(obj->btf,
											 v->name_off));

			CHECK_REPORT(e && vs[i].offset == e->data_off, "var #%u at %u", i,
				     vs[i].offset);
			CHECK_EQ(btf_var(v)->linkage, BTF_VAR_GLOBAL_ALLOCATED);
		}
		/* Sorted by offset by the DATASEC fix-up. */
		for (uint32_t i = 1; i < btf_vlen(sec); i++)
			CHECK(vs[i - 1].offset < vs[i].offset);
	}
	/* .ksyms: 4 bytes each, the kfunc replaced by "dummy_ksym". */
	sec = datasec(obj->btf, ".ksyms", NULL);
	CHECK(sec);
	if (sec) {
		CHECK_EQ(sec->size, 12);
		vs = btf_var_secinfos(sec);
		for (uint32_t i = 0; i < btf_vlen(sec); i++) {
			const struct btf_type *v = btf__type_by_id(obj->btf, vs[i].type);

			CHECK_EQ(vs[i].size, 4);
			CHECK(btf_is_var(v));
			CHECK_EQ(btf_var(v)->linkage, BTF_VAR_GLOBAL_ALLOCATED);
		}
		CHECK(btf__find_by_name_kind(obj->btf, "dummy_ksym", BTF_KIND_VAR) > 0);
	}

	/* The .kconfig map: after the global data maps. */
	map = uebpf_object_find_map(obj, ".kconfig");
	CHECK(map);
	CHECK(obj->kconfig_map_idx >= 0 && map == &obj->maps[obj->kconfig_map_idx]);
	CHECK_EQ(obj->kconfig_map_idx, obj->nr_maps - 1);
	if (map) {
		size_t size = 0;
		const uint8_t *init = uebpf_map_initial_value(map, &size);
		bool zero = true;

		CHECK_STR(uebpf_map_name(map), "externs.kconfig");
		CHECK_STR(map->kern_name, "externs.kconfig");
		CHECK(uebpf_map_is_internal(map));
		CHECK_EQ(uebpf_map_type(map), BPF_MAP_TYPE_ARRAY);
		CHECK_EQ(uebpf_map_key_size(map), 4);
		CHECK_EQ(uebpf_map_value_size(map), KCFG_SIZE);
		CHECK_EQ(uebpf_map_max_entries(map), 1);
		CHECK_EQ(uebpf_map_flags(map), BPF_F_RDONLY_PROG | BPF_F_MMAPABLE);
		CHECK_EQ(uebpf_map_btf_value_type_id(map), sec_id);
		CHECK_EQ(uebpf_map_btf_key_type_id(map), 0);
		CHECK(init && size == KCFG_SIZE);
		for (size_t i = 0; init && i < size; i++)
			zero &= init[i] == 0;
		CHECK(zero);
		/* Its contents are the loader's, not the user's. */
		CHECK(uebpf_map_set_initial_value(map, init, size) < 0);
	}
	uebpf_object_close(obj);

	/* Without externs: no .kconfig map. */
	obj = open_obj("slots.bpf.o");
	CHECK_REPORT(obj, "open: %s", err_buf);
	if (obj) {
		CHECK_EQ(obj->kconfig_map_idx, -1);
		CHECK_EQ(obj->nr_externs, 0);
		CHECK(!uebpf_object_find_map(obj, ".kconfig"));
		uebpf_object_close(obj);
	}
}

/* The BTF of both DATASECs and the .kconfig map as libbpf leaves them
 * after its open. */
static void test_layout_matches_libbpf(void)
{
	struct uebpf_object *obj = open_obj("externs.bpf.o");
	struct bpf_object *lo = bpf_object__open_file(path_of("externs.bpf.o"), NULL);
	const char *secs[] = { ".kconfig", ".ksyms" };
	const struct btf *lb;
	struct bpf_map *lm;
	struct uebpf_map *um;

	CHECK_REPORT(obj, "open: %s", err_buf);
	CHECK(lo);
	if (!obj || !lo)
		goto out;
	lb = bpf_object__btf(lo);
	CHECK_EQ(btf__type_cnt(obj->btf), btf__type_cnt(lb));
	for (size_t s = 0; s < 2; s++) {
		int uid, lid;
		const struct btf_type *us = datasec(obj->btf, secs[s], &uid);
		const struct btf_type *ls = datasec(lb, secs[s], &lid);

		CHECK_REPORT(us && ls && uid == lid, "%s: DATASEC [%d], libbpf [%d]", secs[s], uid,
			     lid);
		if (!us || !ls)
			continue;
		CHECK_REPORT(us->size == ls->size && btf_vlen(us) == btf_vlen(ls),
			     "%s: %u bytes, %u vars; libbpf %u, %u", secs[s], us->size, btf_vlen(us),
			     ls->size, btf_vlen(ls));
		for (uint32_t i = 0; i < btf_vlen(us) && i < btf_vlen(ls); i++) {
			const struct btf_var_secinfo *u = btf_var_secinfos(us) + i;
			const struct btf_var_secinfo *l = btf_var_secinfos(ls) + i;
			const struct btf_type *uv = btf__type_by_id(obj->btf, u->type);
			const struct btf_type *lv = btf__type_by_id(lb, l->type);

			CHECK_REPORT(u->type == l->type && u->offset == l->offset &&
					     u->size == l->size,
				     "%s #%u: type %u at %u (%u bytes); libbpf %u at %u (%u)", secs[s],
				     i, u->type, u->offset, u->size, l->type, l->offset, l->size);
			CHECK_REPORT(uv->info == lv->info && uv->type == lv->type &&
					     (!btf_is_var(uv) ||
					      btf_var(uv)->linkage == btf_var(lv)->linkage),
				     "%s #%u: the variable differs from libbpf's", secs[s], i);
		}
	}
	/* Kernel functions: global, parameters named as libbpf names them. */
	for (uint32_t id = 1; id < btf__type_cnt(lb); id++) {
		const struct btf_type *u = btf__type_by_id(obj->btf, id), *l = btf__type_by_id(lb, id);

		if (btf_is_func(l) || btf_is_func_proto(l)) {
			CHECK_REPORT(u->info == l->info, "type [%u]: info %#x, libbpf %#x", id, u->info,
				     l->info);
			for (uint32_t j = 0; btf_is_func_proto(l) && j < btf_vlen(l); j++)
				CHECK_REPORT(!strcmp(btf__name_by_offset(obj->btf,
									 btf_params(u)[j].name_off),
						     btf__name_by_offset(lb, btf_params(l)[j].name_off)),
					     "type [%u] param %u named differently", id, j);
		}
	}
	lm = bpf_object__find_map_by_name(lo, ".kconfig");
	um = uebpf_object_find_map(obj, ".kconfig");
	CHECK(lm && um);
	if (lm && um) {
		CHECK_STR(uebpf_map_name(um), bpf_map__name(lm));
		CHECK_EQ(uebpf_map_value_size(um), bpf_map__value_size(lm));
		CHECK_EQ(uebpf_map_flags(um), bpf_map__map_flags(lm));
		CHECK_EQ(uebpf_map_btf_value_type_id(um), bpf_map__btf_value_type_id(lm));
	}
out:
	bpf_object__close(lo);
	uebpf_object_close(obj);
}

/* ---- values at load ---- */

static const char test_config[] =
	"#\n"
	"# a kernel config, as make writes it\n"
	"#\n"
	"CONFIG_T_BOOL=y\n"
	"CONFIG_T_CHAR=m\n"
	"CONFIG_T_TRI=y\n"
	"CONFIG_T_TRI_M=m\n"
	"CONFIG_T_S8=-5\n"
	"CONFIG_T_S16=0x7fff\n"
	"CONFIG_T_U16=65535\n"
	"CONFIG_T_S32=-2147483648\n"
	"CONFIG_T_U64=0xfedcba9876543210\n"
	"CONFIG_T_S64=-2\n"
	"CONFIG_T_STR=\"hello\"\n"
	"CONFIG_T_LONGSTR=\"toolong\"\n"
	"# CONFIG_T_MISSING is not set\n"
	"CONFIG_OTHER_THING=y\n"
	"CONFIG_T_S32=7\n"; /* the first line of a name wins */

static uint32_t kernel_version_by_hand(void)
{
	struct utsname u;
	unsigned int a, b, c;

	/* No /proc/version_signature on this machine's kernels: uname. */
	if (access("/proc/version_signature", R_OK) == 0)
		return externs_kernel_version();
	if (uname(&u) || sscanf(u.release, "%u.%u.%u", &a, &b, &c) != 3)
		return 0;
	return a * 65536 + b * 256 + (c > 255 ? 255 : c);
}

static uint64_t val_at(const uint8_t *p, const char *name, uint32_t sz)
{
	for (size_t i = 0; i < NR_KCFG; i++) {
		if (strcmp(kcfg_layout[i].name, name))
			continue;
		uint64_t v = 0;

		memcpy(&v, p + kcfg_layout[i].off, sz);
		return v;
	}
	return 0xdeadbeef;
}

static void check_test_values(const struct uebpf_object *obj)
{
	const struct uebpf_map *map = &obj->maps[obj->kconfig_map_idx];
	const uint8_t *p = map->initial;
	const struct extern_desc *e;

	CHECK_EQ(val_at(p, "LINUX_KERNEL_VERSION", 4), kernel_version_by_hand());
	CHECK(kernel_version_by_hand() > 0x050000);
	CHECK_EQ(val_at(p, "LINUX_HAS_BPF_COOKIE", 1), 1);
	CHECK_EQ(val_at(p, "LINUX_HAS_SYSCALL_WRAPPER", 1), 0);
	CHECK_EQ(val_at(p, "LINUX_UEBPF_UNKNOWN", 4), 0);
	CHECK_EQ(val_at(p, "CONFIG_T_BOOL", 1), 1);
	CHECK_EQ(val_at(p, "CONFIG_T_CHAR", 1), 'm');
	CHECK_EQ(val_at(p, "CONFIG_T_TRI", 4), 1);   /* TRI_YES */
	CHECK_EQ(val_at(p, "CONFIG_T_TRI_M", 4), 2); /* TRI_MODULE */
	CHECK_EQ(val_at(p, "CONFIG_T_S8", 1), 0xfb);
	CHECK_EQ(val_at(p, "CONFIG_T_S16", 2), 0x7fff);
	CHECK_EQ(val_at(p, "CONFIG_T_U16", 2), 0xffff);
	CHECK_EQ(val_at(p, "CONFIG_T_S32", 4), 0x80000000u);
	CHECK_EQ(val_at(p, "CONFIG_T_U64", 8), 0xfedcba9876543210ull);
	CHECK_EQ(val_at(p, "CONFIG_T_S64", 8), (uint64_t)-2);
	CHECK_EQ(val_at(p, "CONFIG_T_MISSING", 4), 0);
	CHECK(!memcmp(p + 53, "hello\0\0\0\0\0\0\0\0\0\0\0", 16));
	CHECK(!memcmp(p + 49, "too\0", 4)); /* cut, as libbpf cuts it */
	e = find_ext(obj, "CONFIG_T_MISSING");
	CHECK(e && !e->is_set);
	e = find_ext(obj, "CONFIG_T_STR");
	CHECK(e && e->is_set);
	e = find_ext(obj, "LINUX_UEBPF_UNKNOWN");
	CHECK(e && e->is_set); /* a weak LINUX_ value libbpf does not know: 0 */
	e = find_ext(obj, "uebpf_ksym_var");
	CHECK(e && !e->is_set);
	e = find_ext(obj, "uebpf_kfunc");
	CHECK(e && !e->is_set);
}

static void test_values(void)
{
	struct uebpf_object *obj = open_obj("externs.bpf.o");
	char *plain = write_file(test_config, false), *gz = write_file(test_config, true);

	CHECK_REPORT(obj, "open: %s", err_buf);
	CHECK(plain && gz);
	if (!obj || !plain || !gz)
		goto out;
	err_buf[0] = '\0';
	CHECK_REPORT(externs_resolve_config(obj, plain) == 0, "resolve: %s", err_buf);
	check_test_values(obj);
	/* Compressed as /proc/config.gz is: the same. */
	CHECK_REPORT(externs_resolve_config(obj, gz) == 0, "resolve gz: %s", err_buf);
	check_test_values(obj);
out:
	if (plain)
		unlink(plain);
	if (gz)
		unlink(gz);
	free(plain);
	free(gz);
	uebpf_object_close(obj);
}

/* Config lines the externs' types do not accept. */
static void test_value_errors(void)
{
	static const struct {
		const char *line;
		int err;
		const char *word;
	} cases[] = {
		{ "CONFIG_T_BOOL=m\n", EINVAL, "CONFIG_T_BOOL" },
		{ "CONFIG_T_BOOL=2\n", EINVAL, "integer" },
		{ "CONFIG_T_S8=200\n", ERANGE, "does not fit" },
		{ "CONFIG_T_S8=-129\n", ERANGE, "does not fit" },
		{ "CONFIG_T_U16=65536\n", ERANGE, "does not fit" },
		{ "CONFIG_T_S32=\"x\"\n", EINVAL, "char array" },
		{ "CONFIG_T_STR=\"\n", EINVAL, "closing quote" },
		{ "CONFIG_T_STR=\"abc\n", EINVAL, "closing quote" },
		{ "CONFIG_T_STR=y\n", EINVAL, "bool, tristate or char" },
		{ "CONFIG_T_STR=12\n", EINVAL, "integer type" },
		{ "CONFIG_T_S32=12abc\n", EINVAL, "not a valid integer" },
		{ "CONFIG_T_U64=0x1ffffffffffffffff\n", ERANGE, "not a valid integer" },
		{ "CONFIG_T_TRI=5\n", EINVAL, "integer type" },
		{ "CONFIG_T_S32\n", EINVAL, "no '='" },
		{ "CONFIG_T_S32=\n", EINVAL, "no value" },
		{ "CONFIG_UNRELATED\n", EINVAL, "no '='" }, /* libbpf refuses it too */
	};
	struct uebpf_object *obj = open_obj("externs.bpf.o");
	char text[2048];

	CHECK_REPORT(obj, "open: %s", err_buf);
	if (!obj)
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path;
		int err;

		/* The line after a valid one, so that the line number shows. */
		snprintf(text, sizeof(text), "CONFIG_T_CHAR=y\n%s%s", cases[i].line, test_config);
		path = write_file(text, false);
		err_buf[0] = '\0';
		err = externs_resolve_config(obj, path);
		CHECK_REPORT(err == -cases[i].err, "'%.*s': %d, expected %d (%s)",
			     (int)strlen(cases[i].line) - 1, cases[i].line, err, -cases[i].err,
			     err_buf);
		CHECK_CONTAINS(err_buf, cases[i].word);
		CHECK_CONTAINS(err_buf, ", line 2: ");
		CHECK_CONTAINS(err_buf, path);
		unlink(path);
		free(path);
	}

	/* A strong value the config does not have; no config at all. */
	{
		char *path = write_file("CONFIG_T_BOOL=y\n", false);
		int err;

		err_buf[0] = '\0';
		err = externs_resolve_config(obj, path);
		CHECK_EQ(err, -ESRCH);
		CHECK_CONTAINS(err_buf, "'CONFIG_T_");
		CHECK_CONTAINS(err_buf, "__weak");
		unlink(path);
		free(path);
		err_buf[0] = '\0';
		err = externs_resolve_config(obj, "/nonexistent/uebpf-config");
		CHECK_EQ(err, -ENOENT);
		CHECK_CONTAINS(err_buf, "/nonexistent/uebpf-config");
	}
	uebpf_object_close(obj);
}

/* Externs refused at open (their type or section) or at load. */
static void test_bad_externs(void)
{
	static const struct {
		int n;
		bool at_open;
		int err;
		const char *words[2];
	} cases[] = {
		{ 1, false, ENOENT, { "'uebpf_strong_ksym'", "kernel symbol (.ksyms)" } },
		{ 2, false, ENOENT, { "'uebpf_strong_kfunc'", "kernel function" } },
		{ 3, false, EINVAL, { "'LINUX_UEBPF_NO_SUCH_VALUE'", "unrecognized virtual" } },
		{ 4, false, EINVAL, { "'UEBPF_OTHER_VALUE'", "unrecognized virtual" } },
		{ 5, true, EOPNOTSUPP, { "'CONFIG_UEBPF_PAIR'", "a struct" } },
		{ 6, true, EOPNOTSUPP, { "'CONFIG_UEBPF_INTS'", "not supported" } },
		{ 7, true, EOPNOTSUPP, { "'.uebpf_ext'", "unrecognized extern section" } },
		{ 8, true, EOPNOTSUPP, { "'CONFIG_UEBPF_FUNC'", "extern function" } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[64];
		struct uebpf_object *obj;
		struct bpf_object *lo;

		snprintf(name, sizeof(name), "externs_bad%d.bpf.o", cases[i].n);
		err_buf[0] = '\0';
		obj = open_obj(name);
		/* libbpf refuses the same ones at open. */
		lo = bpf_object__open_file(path_of(name), NULL);
		CHECK_REPORT(!lo == cases[i].at_open, "%s: libbpf %s it", name,
			     lo ? "opens" : "refuses");
		bpf_object__close(lo);
		if (cases[i].at_open) {
			CHECK_REPORT(!obj && errno == cases[i].err, "%s: opened or errno %d (%s)",
				     name, errno, err_buf);
		} else {
			int err;

			CHECK_REPORT(obj, "%s: %s", name, err_buf);
			if (!obj)
				continue;
			err_buf[0] = '\0';
			err = externs_resolve_config(obj, "/dev/null");
			CHECK_REPORT(err == -cases[i].err, "%s: resolve %d (%s)", name, err, err_buf);
		}
		CHECK_CONTAINS(err_buf, cases[i].words[0]);
		CHECK_CONTAINS(err_buf, cases[i].words[1]);
		uebpf_object_close(obj);
	}

	/* Without BTF nothing tells what an extern is. */
	err_buf[0] = '\0';
	CHECK(!open_obj("externs-nobtf.bpf.o"));
	CHECK_EQ(errno, ESRCH);
	CHECK_CONTAINS(err_buf, "no BTF");
}

/* ---- initial slots ---- */

static size_t prog_idx(struct uebpf_object *obj, const char *name)
{
	struct uebpf_program *p = uebpf_object_find_program(obj, name);

	return p ? (size_t)(p - obj->progs) : (size_t)-1;
}

static size_t map_idx(struct uebpf_object *obj, const char *name)
{
	struct uebpf_map *m = uebpf_object_find_map(obj, name);

	return m ? (size_t)(m - obj->maps) : (size_t)-1;
}

static void check_slots(struct uebpf_object *obj, const char *map, size_t nr,
			const int *filled, const size_t *idx)
{
	struct uebpf_map *m = uebpf_object_find_map(obj, map);

	CHECK_REPORT(m, "no map %s", map);
	if (!m)
		return;
	CHECK_REPORT(m->nr_slots == nr, "%s: %zu slots, expected %zu", map, m->nr_slots, nr);
	for (size_t i = 0; i < m->nr_slots && i < nr; i++) {
		CHECK_REPORT(m->slots[i].set == (filled[i] >= 0), "%s slot %zu set %d", map, i,
			     m->slots[i].set);
		if (filled[i] >= 0)
			CHECK_REPORT(m->slots[i].idx == idx[filled[i]], "%s slot %zu: %zu, "
				     "expected %zu", map, i, m->slots[i].idx, idx[filled[i]]);
	}
}

static void test_slots(void)
{
	struct uebpf_object *obj = open_obj("slots.bpf.o");

	CHECK_REPORT(obj, "open: %s", err_buf);
	if (!obj)
		return;
	/* From slots.bpf.c: progs [1] = prog_two, [3] = prog_one; outer
	 * [0] = in_b, [2] = in_a; outer_hash [5] = in_a. */
	{
		size_t idx[] = { prog_idx(obj, "prog_one"), prog_idx(obj, "prog_two") };
		int filled[] = { -1, 1, -1, 0 };

		check_slots(obj, "progs", 4, filled, idx);
	}
	{
		size_t idx[] = { map_idx(obj, "in_a"), map_idx(obj, "in_b") };
		int filled[] = { 1, -1, 0 };
		int filled_hash[] = { -1, -1, -1, -1, -1, 0 };

		check_slots(obj, "outer", 3, filled, idx);
		check_slots(obj, "outer_hash", 6, filled_hash, idx);
		CHECK_EQ(uebpf_object_find_map(obj, "in_a")->nr_slots, 0);
	}
	uebpf_object_close(obj);
}

/* The file's bytes, and where its .rel.maps and symbols are. */
struct elf_view {
	uint8_t *buf;
	size_t size;
	Elf64_Rel *rels;
	size_t nr_rels, rel_off;
	Elf64_Sym *syms;
	size_t nr_syms;
	const char *strtab;
};

static bool elf_view(struct elf_view *v, const char *name)
{
	FILE *f = fopen(path_of(name), "rb");
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	const char *names;

	memset(v, 0, sizeof(*v));
	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	v->size = ftell(f);
	fseek(f, 0, SEEK_SET);
	v->buf = malloc(v->size);
	if (!v->buf || fread(v->buf, 1, v->size, f) != v->size) {
		fclose(f);
		return false;
	}
	fclose(f);
	eh = (Elf64_Ehdr *)v->buf;
	sh = (Elf64_Shdr *)(v->buf + eh->e_shoff);
	names = (const char *)v->buf + sh[eh->e_shstrndx].sh_offset;
	for (size_t i = 1; i < eh->e_shnum; i++) {
		if (!strcmp(names + sh[i].sh_name, ".rel.maps")) {
			v->rel_off = sh[i].sh_offset;
			v->rels = (Elf64_Rel *)(v->buf + sh[i].sh_offset);
			v->nr_rels = sh[i].sh_size / sizeof(Elf64_Rel);
		} else if (sh[i].sh_type == SHT_SYMTAB) {
			v->syms = (Elf64_Sym *)(v->buf + sh[i].sh_offset);
			v->nr_syms = sh[i].sh_size / sizeof(Elf64_Sym);
			v->strtab = (const char *)v->buf + sh[sh[i].sh_link].sh_offset;
		}
	}
	return v->rels && v->syms;
}

static size_t sym_by_name(const struct elf_view *v, const char *name)
{
	for (size_t i = 0; i < v->nr_syms; i++)
		if (!strcmp(v->strtab + v->syms[i].st_name, name))
			return i;
	return 0;
}

static Elf64_Rel *rel_to(const struct elf_view *v, const char *name)
{
	for (size_t i = 0; i < v->nr_rels; i++)
		if (ELF64_R_SYM(v->rels[i].r_info) == sym_by_name(v, name))
			return &v->rels[i];
	return NULL;
}

/* Malformed relocations of .rel.maps: refused, by libbpf as well, with a
 * message naming the section and the offset of the relocation. */
static void test_bad_slots(void)
{
	enum { OFF_ADD4, SYM_RANGE, OFF_OUTSIDE, OFF_WRAP, OFF_DEF, SYM_MAP, SYM_PROG, NOT_MIM };
	static const struct {
		int what;
		const char *target;
		const char *word;
	} cases[] = {
		{ OFF_ADD4, "prog_two", "8-byte slot" },
		{ SYM_RANGE, "prog_two", "out of range" },
		{ OFF_OUTSIDE, "prog_two", "inside no map" },
		{ OFF_WRAP, "prog_two", "inside no map" },
		{ OFF_DEF, "prog_two", "before 'values'" },
		{ SYM_MAP, "prog_two", "not a program" },
		{ SYM_PROG, "in_b", "not a BTF-defined map" },
		{ NOT_MIM, "in_b", "only prog-arrays and maps of maps" },
	};

	libbpf_set_print(quiet);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct elf_view v;
		Elf64_Rel *rel;
		size_t sym;
		char want[64];
		struct uebpf_object *obj;
		struct bpf_object *lo;

		if (!elf_view(&v, "slots.bpf.o") || !(rel = rel_to(&v, cases[i].target))) {
			CHECK_REPORT(0, "slots.bpf.o: no .rel.maps relocation to %s", cases[i].target);
			free(v.buf);
			continue;
		}
		sym = ELF64_R_SYM(rel->r_info);
		switch (cases[i].what) {
		case OFF_ADD4:
			rel->r_offset += 4;
			break;
		case SYM_RANGE:
			rel->r_info = ELF64_R_INFO(v.nr_syms + 5, ELF64_R_TYPE(rel->r_info));
			break;
		case OFF_OUTSIDE:
			rel->r_offset = 0xfffff0;
			break;
		case OFF_WRAP:
			/* offset + 8 wraps around */
			rel->r_offset = ~0ull - 3;
			break;
		case OFF_DEF:
			rel->r_offset = v.syms[sym_by_name(&v, "progs")].st_value;
			break;
		case SYM_MAP:
			rel->r_info = ELF64_R_INFO(sym_by_name(&v, "in_a"), ELF64_R_TYPE(rel->r_info));
			break;
		case SYM_PROG:
			rel->r_info = ELF64_R_INFO(sym_by_name(&v, "prog_one"),
						   ELF64_R_TYPE(rel->r_info));
			break;
		case NOT_MIM:
			rel->r_offset = v.syms[sym_by_name(&v, "in_a")].st_value;
			break;
		}
		(void)sym;
		snprintf(want, sizeof(want), "section '.rel.maps', offset 0x%zx:",
			 (size_t)((uint8_t *)rel - v.buf - v.rel_off));
		err_buf[0] = '\0';
		obj = open_buf(v.buf, v.size);
		CHECK_REPORT(!obj, "case %zu: opened", i);
		CHECK_CONTAINS(err_buf, want);
		CHECK_CONTAINS(err_buf, cases[i].word);
		uebpf_object_close(obj);
		lo = bpf_object__open_mem(v.buf, v.size, NULL);
		CHECK_REPORT(!lo, "case %zu: libbpf opens it", i);
		bpf_object__close(lo);
		free(v.buf);
	}
	libbpf_set_print(NULL);
}

/* ---- libbpf's values in the kernel's map ---- */

static int libbpf_kconfig(const char *name, const char *kconfig, uint8_t *out, size_t size)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .kconfig = kconfig);
	struct bpf_object *lo = bpf_object__open_file(path_of(name), &opts);
	struct bpf_program *p;
	struct bpf_map *m;
	uint32_t key = 0;
	int err;

	if (!lo)
		return -errno;
	/* The maps alone: the programs do not matter here. */
	bpf_object__for_each_program(p, lo)
		bpf_program__set_autoload(p, false);
	err = bpf_object__load(lo);
	m = err ? NULL : bpf_object__find_map_by_name(lo, ".kconfig");
	if (!err && (!m || bpf_map__value_size(m) != size))
		err = -EINVAL;
	if (!err)
		err = bpf_map__lookup_elem(m, &key, sizeof(key), out, size, 0);
	bpf_object__close(lo);
	return err;
}

static void compare_with_libbpf(const char *name, const char *config_path, const char *kconfig)
{
	struct uebpf_object *obj = open_obj(name);
	const struct uebpf_map *map;
	const struct extern_desc *wrapper;
	uint8_t lval[4096];
	int err;

	CHECK_REPORT(obj, "%s: %s", name, err_buf);
	if (!obj)
		return;
	map = &obj->maps[obj->kconfig_map_idx];
	CHECK(map->def.value_size <= sizeof(lval));
	err = externs_resolve_config(obj, config_path);
	CHECK_REPORT(err == 0, "%s: %s", name, err_buf);
	err = libbpf_kconfig(name, kconfig, lval, map->def.value_size);
	CHECK_REPORT(err == 0, "%s: libbpf: %d", name, err);
	/* The kernel has the syscall wrapper, uebpf's hooks do not. */
	wrapper = find_ext(obj, "LINUX_HAS_SYSCALL_WRAPPER");
	if (wrapper)
		lval[wrapper->data_off] = 0;
	for (size_t i = 0; !err && i < map->def.value_size; i++)
		CHECK_REPORT(map->initial[i] == lval[i], "%s: byte %zu of .kconfig: %#x, libbpf %#x",
			     name, i, map->initial[i], lval[i]);
	uebpf_object_close(obj);
}

static int run_libbpf(void)
{
	char *path = write_file(test_config, false);

	if (kernel_bpf_refused(kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER,
						(const struct uebpf_insn[]){
							{ .code = 0xb7 }, { .code = 0x95 } },
						2, NULL, 0, 0))) {
		printf("SKIP: bpf() is not permitted here\n");
		unlink(path);
		free(path);
		return KERNEL_TEST_SKIP;
	}
	libbpf_set_print(quiet);
	/* The test's config given to libbpf as its extra config. */
	check_current = "externs.bpf.o with a config of the test's";
	compare_with_libbpf("externs.bpf.o", path, test_config);
	/* The running kernel's own config. */
	check_current = "kconfig_externs.bpf.o with the kernel's config";
	compare_with_libbpf("kconfig_externs.bpf.o", NULL, NULL);
	unlink(path);
	free(path);
	return check_summary("externs_test libbpf");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s unit|libbpf DIR\n", argv[0]);
		return 2;
	}
	dir = argv[2];
	if (!strcmp(argv[1], "libbpf"))
		return run_libbpf();
	libbpf_set_print(quiet);
	RUN(test_layout);
	RUN(test_layout_matches_libbpf);
	RUN(test_values);
	RUN(test_value_errors);
	RUN(test_bad_externs);
	RUN(test_slots);
	RUN(test_bad_slots);
	return check_summary("externs_test");
}
