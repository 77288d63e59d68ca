// SPDX-License-Identifier: MIT
/*
 * Opening objects: programs, maps, names and sizes as libbpf reports them
 * for the same objects (the expected values were read with libbpf 1.1 on
 * objects built by clang-19 from testdata/), and malformed objects refused
 * with messages that name the section and offset.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "object/object.h"
#include "tests/check.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"

static char err[512];

static uint8_t *read_file(const char *name, size_t *size)
{
	char path[512];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", OBJECT_TESTDATA, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

static struct uebpf_object *open_test(const char *name)
{
	char path[512];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
	};
	struct uebpf_object *obj;

	snprintf(path, sizeof(path), "%s/%s", OBJECT_TESTDATA, name);
	obj = uebpf_object_open_file(path, &opts);
	if (!obj)
		printf("open %s: %s\n", name, err);
	return obj;
}

/* Opens a (modified) image and returns NULL with the message in err. */
static struct uebpf_object *open_image(const void *buf, size_t size)
{
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
	};

	return uebpf_object_open_mem(buf, size, &opts);
}

static void check_map(const struct uebpf_map *m, const char *name, enum bpf_map_type type,
		      uint32_t key, uint32_t value, uint32_t max, uint32_t flags)
{
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_STR(uebpf_map_name(m), name);
	CHECK_EQ(uebpf_map_type(m), type);
	CHECK_EQ(uebpf_map_key_size(m), key);
	CHECK_EQ(uebpf_map_value_size(m), value);
	CHECK_EQ(uebpf_map_max_entries(m), max);
	CHECK_EQ(uebpf_map_flags(m), flags);
	CHECK_EQ(uebpf_map_fd(m), -1);
}

static void check_prog(const struct uebpf_program *p, const char *name, const char *sec,
		       size_t insns, bool autoload)
{
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_STR(uebpf_program_name(p), name);
	CHECK_STR(uebpf_program_section_name(p), sec);
	CHECK_EQ(uebpf_program_insn_cnt(p), insns);
	CHECK_EQ(uebpf_program_autoload(p), autoload);
	CHECK_EQ(uebpf_program_fd(p), -1);
	/* Each ends with exit. */
	CHECK_EQ(uebpf_program_insns(p)[insns - 1].code, 0x95);
}

static void test_programs_in_libbpf_order(void)
{
	struct uebpf_object *obj = open_test("progs.bpf.o");
	struct uebpf_program *p;
	struct uebpf_map *m;

	CHECK(obj != NULL);
	if (!obj)
		return;
	CHECK_STR(uebpf_object_name(obj), "progs");
	CHECK_STR(uebpf_object_license(obj), "GPL");
	CHECK_EQ(uebpf_object_kversion(obj), 0x050a00);

	/* Entry programs by section, then offset; .text functions are
	 * subprograms and not listed. */
	p = uebpf_object_next_program(obj, NULL);
	check_prog(p, "first", "xdp", 6, true);
	p = uebpf_object_next_program(obj, p);
	check_prog(p, "second", "xdp", 20, true);
	p = uebpf_object_next_program(obj, p);
	check_prog(p, "classify", "tc", 15, true);
	p = uebpf_object_next_program(obj, p);
	check_prog(p, "probe", "kprobe/do_unlinkat", 16, true);
	p = uebpf_object_next_program(obj, p);
	/* SEC("?...") turns autoload off; the name loses the '?'. */
	check_prog(p, "maybe", "tracepoint/syscalls/sys_enter_openat", 3, false);
	CHECK(uebpf_object_next_program(obj, p) == NULL);

	CHECK_EQ(uebpf_program_type(uebpf_object_find_program(obj, "first")), BPF_PROG_TYPE_XDP);
	CHECK_EQ(uebpf_program_expected_attach_type(uebpf_object_find_program(obj, "first")),
		 BPF_XDP);
	CHECK_EQ(uebpf_program_type(uebpf_object_find_program(obj, "classify")),
		 BPF_PROG_TYPE_SCHED_CLS);
	CHECK_EQ(uebpf_program_type(uebpf_object_find_program(obj, "probe")),
		 BPF_PROG_TYPE_KPROBE);
	CHECK_STR(uebpf_program_attach_target(uebpf_object_find_program(obj, "probe")),
		  "do_unlinkat");
	CHECK_EQ(uebpf_program_type(uebpf_object_find_program(obj, "maybe")),
		 BPF_PROG_TYPE_TRACEPOINT);

	CHECK(uebpf_object_find_program(obj, "square") == NULL);
	CHECK(uebpf_object_find_program(obj, "sum_squares") == NULL);
	CHECK(uebpf_object_find_program(obj, "probe") != NULL);

	/* Subprograms are kept, in .text order, for relocation. */
	CHECK_EQ(obj->nr_progs, 9);
	CHECK_STR(obj->progs[0].name, "sum_squares");
	CHECK_STR(obj->progs[1].name, "square");
	CHECK(prog_is_subprog(obj, &obj->progs[0]));

	m = uebpf_object_next_map(obj, NULL);
	check_map(m, "totals", BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	CHECK(uebpf_map_btf_key_type_id(m) != 0 && uebpf_map_btf_value_type_id(m) != 0);
	CHECK(!uebpf_map_is_internal(m));
	CHECK(uebpf_map_initial_value(m, NULL) == NULL);
	/* Only static variables in .rodata: not mmapable. */
	m = uebpf_object_next_map(obj, m);
	check_map(m, "progs.rodata", BPF_MAP_TYPE_ARRAY, 4, 10, 1, BPF_F_RDONLY_PROG);
	CHECK(uebpf_map_is_internal(m));
	CHECK(uebpf_map_btf_value_type_id(m) != 0);
	{
		size_t size = 0;
		const char *v = uebpf_map_initial_value(m, &size);

		CHECK_EQ(size, 10);
		CHECK(v && memcmp(v, "len %u\0%s", 10) == 0);
	}
	/* String literals: a map without BTF. */
	m = uebpf_object_next_map(obj, m);
	check_map(m, ".rodata.str1.1", BPF_MAP_TYPE_ARRAY, 4, 17, 1, BPF_F_RDONLY_PROG);
	CHECK_EQ(uebpf_map_btf_value_type_id(m), 0);
	CHECK(uebpf_map_initial_value(m, NULL) &&
	      strcmp(uebpf_map_initial_value(m, NULL), "a string literal") == 0);
	CHECK_STR(m->kern_name, ".rodata.str1.1");
	CHECK(uebpf_object_next_map(obj, m) == NULL);
	uebpf_object_close(obj);
}

static void test_btf_maps_and_global_data(void)
{
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
		.pin_root_path = "/tmp/pins",
	};
	char path[512];
	struct uebpf_object *obj;
	struct uebpf_map *m;
	size_t size;
	const uint8_t *v;

	snprintf(path, sizeof(path), "%s/maps.bpf.o", OBJECT_TESTDATA);
	obj = uebpf_object_open_file(path, &opts);
	CHECK(obj != NULL);
	if (!obj) {
		printf("%s\n", err);
		return;
	}
	CHECK_STR(uebpf_object_license(obj), "Dual MIT/GPL");

	/* .maps in offset order, then .data, .rodata, .data.custom, .bss
	 * in section order. */
	m = uebpf_object_next_map(obj, NULL);
	check_map(m, "inner_a", BPF_MAP_TYPE_ARRAY, 4, 4, 8, 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "inner_b", BPF_MAP_TYPE_ARRAY, 4, 4, 8, 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "outer", BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0);
	CHECK(m->inner != NULL);
	if (m->inner) {
		CHECK_STR(m->inner->name, "outer.inner");
		CHECK_EQ(m->inner->def.type, BPF_MAP_TYPE_ARRAY);
		CHECK_EQ(m->inner->def.key_size, 4);
		CHECK_EQ(m->inner->def.value_size, 4);
		CHECK_EQ(m->inner->def.max_entries, 8);
	}
	CHECK(uebpf_map_btf_key_type_id(m) != 0);
	CHECK_EQ(uebpf_map_btf_value_type_id(m), 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "jumps", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 3, 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "counts", BPF_MAP_TYPE_HASH, 8, 8, 128, BPF_F_NO_PREALLOC);
	CHECK(uebpf_map_btf_key_type_id(m) != 0 && uebpf_map_btf_value_type_id(m) != 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "sized", BPF_MAP_TYPE_ARRAY, 4, 24, 4, 0);
	CHECK_STR(uebpf_map_pin_path(m), "/tmp/pins/sized");
	CHECK_EQ(uebpf_map_btf_key_type_id(m), 0);
	m = uebpf_object_next_map(obj, m);
	/* 5000 bytes: rounded up to two pages, as libbpf does. */
	check_map(m, "events", BPF_MAP_TYPE_RINGBUF, 0, 0, 8192, 0);
	CHECK(uebpf_map_pin_path(m) == NULL);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "bloom", BPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 64, 0);
	CHECK_EQ(uebpf_map_extra(m), 3);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "locked", BPF_MAP_TYPE_ARRAY, 4, 16, 2, 0);
	CHECK(m && m->value_has_spin_lock && m->spin_lock_off == 8);

	m = uebpf_object_next_map(obj, m);
	check_map(m, "maps.data", BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE);
	v = uebpf_map_initial_value(m, &size);
	CHECK(v && size == 8 && v[0] == 7 && v[1] == 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "maps.rodata", BPF_MAP_TYPE_ARRAY, 4, 14, 1,
		  BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
	v = uebpf_map_initial_value(m, &size);
	CHECK(v && size == 14 && memcmp(v, "\x44\x33\x22\x11hits %llu", 14) == 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, ".data.custom", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_MMAPABLE);
	v = uebpf_map_initial_value(m, &size);
	CHECK(v && size == 4 && v[0] == 0xcd && v[1] == 0xab);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "maps.bss", BPF_MAP_TYPE_ARRAY, 4, 8, 1, BPF_F_MMAPABLE);
	v = uebpf_map_initial_value(m, &size);
	CHECK(v && size == 8 && !v[0] && !v[7]);
	CHECK(uebpf_object_next_map(obj, m) == NULL);

	/* Finding: by name, global data also by section name. */
	CHECK(uebpf_object_find_map(obj, ".rodata") == uebpf_object_find_map(obj, "maps.rodata"));
	CHECK(uebpf_object_find_map(obj, ".rodata") != NULL);
	CHECK(uebpf_object_find_map(obj, ".bss") == m);
	CHECK(uebpf_object_find_map(obj, ".data.custom") != NULL);
	errno = 0;
	CHECK(uebpf_object_find_map(obj, "nothing") == NULL && errno == ENOENT);
	uebpf_object_close(obj);
}

static void test_legacy_maps(void)
{
	struct uebpf_object *obj = open_test("legacy.bpf.o");
	struct uebpf_map *m;

	CHECK(obj != NULL);
	if (!obj)
		return;
	m = uebpf_object_next_map(obj, NULL);
	check_map(m, "legacy_hash", BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	/* Key and value types from BPF_ANNOTATE_KV_PAIR's struct. */
	CHECK(uebpf_map_btf_key_type_id(m) != 0 && uebpf_map_btf_value_type_id(m) != 0);
	CHECK(!uebpf_map_is_internal(m));
	m = uebpf_object_next_map(obj, m);
	check_map(m, "legacy_array", BPF_MAP_TYPE_ARRAY, 4, 12, 3, BPF_F_RDONLY_PROG);
	CHECK_EQ(uebpf_map_btf_value_type_id(m), 0);
	CHECK(uebpf_object_next_map(obj, m) == NULL);
	check_prog(uebpf_object_next_program(obj, NULL), "filter", "socket", 
		   uebpf_program_insn_cnt(uebpf_object_next_program(obj, NULL)), true);
	uebpf_object_close(obj);
}

static enum bpf_prog_type prog_type_of(const struct uebpf_object *obj, const char *name)
{
	const struct uebpf_program *p = uebpf_object_find_program(obj, name);

	return p ? uebpf_program_type(p) : (enum bpf_prog_type)-1;
}

/* iproute2's struct bpf_elf_map: pinning read (the maps stay private),
 * a map of maps whose inner map is the one its inner_id names (the
 * verifier accepts reading 16 bytes of the inner value: the template's
 * size); tc's section names. */
static void test_legacy_iproute2_maps(void)
{
	struct uebpf_object *obj = open_test("legacy_iproute2.bpf.o");

	CHECK(obj != NULL);
	if (!obj)
		return;
	check_map(uebpf_object_find_map(obj, "counters"), "counters", BPF_MAP_TYPE_ARRAY, 4, 8,
		  4, 0);
	CHECK(uebpf_map_pin_path(uebpf_object_find_map(obj, "counters")) == NULL);
	check_map(uebpf_object_find_map(obj, "inner_tmpl"), "inner_tmpl", BPF_MAP_TYPE_ARRAY, 4,
		  16, 1, 0);
	check_map(uebpf_object_find_map(obj, "outer"), "outer", BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4,
		  8, 0);
	CHECK_EQ(prog_type_of(obj, "cls"), BPF_PROG_TYPE_SCHED_CLS);
	CHECK_EQ(prog_type_of(obj, "act"), BPF_PROG_TYPE_SCHED_ACT);
	CHECK_EQ(uebpf_object_load(obj), 0);
	uebpf_object_close(obj);
}

/* samples/bpf's struct bpf_map_def: the inner map by index, a map of
 * maps without a value size, a NUMA node; its section names. */
static void test_legacy_bpf_load_maps(void)
{
	struct uebpf_object *obj = open_test("legacy_bpf_load.bpf.o");

	CHECK(obj != NULL);
	if (!obj)
		return;
	check_map(uebpf_object_find_map(obj, "port_a"), "port_a", BPF_MAP_TYPE_ARRAY, 4, 4, 64, 0);
	check_map(uebpf_object_find_map(obj, "numa_hash"), "numa_hash", BPF_MAP_TYPE_HASH, 4, 8,
		  16, BPF_F_NUMA_NODE);
	check_map(uebpf_object_find_map(obj, "a_of_port_a"), "a_of_port_a",
		  BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0);
	CHECK_EQ(prog_type_of(obj, "sock"), BPF_PROG_TYPE_SOCKET_FILTER);
	CHECK_EQ(prog_type_of(obj, "xdp"), BPF_PROG_TYPE_XDP);
	CHECK_EQ(prog_type_of(obj, "probe"), BPF_PROG_TYPE_KPROBE);
	CHECK_EQ(uebpf_object_load(obj), 0);
	uebpf_object_close(obj);
}

/* Programs of an object without function symbols start at its global
 * symbols and end at the next one. */
static void test_programs_without_function_symbols(void)
{
	struct uebpf_object *obj = open_test("legacy_nofunc.bpf.o");
	struct uebpf_program *p;

	CHECK(obj != NULL);
	if (!obj)
		return;
	p = uebpf_object_next_program(obj, NULL);
	check_prog(p, "first", "socket/0", 2, true);
	p = uebpf_object_next_program(obj, p);
	check_prog(p, "second", "socket/0", 9, true);
	p = uebpf_object_next_program(obj, p);
	check_prog(p, "third", "socket/1", 2, true);
	CHECK(uebpf_object_next_program(obj, p) == NULL);
	CHECK_EQ(prog_type_of(obj, "third"), BPF_PROG_TYPE_SOCKET_FILTER);
	CHECK_EQ(uebpf_object_load(obj), 0);
	uebpf_object_close(obj);
}

static Elf64_Shdr *shdr_by_name(uint8_t *buf, const char *name);
static Elf64_Sym *sym_by_name(uint8_t *buf, const char *name);

/* legacy_nofunc.bpf.o with its code relocations as one RELA entry of
 * the given addend (appended to the file), and 'third' a static
 * function: as Open vSwitch's old datapath object has them. */
static uint8_t *nofunc_as_rela(int64_t addend, size_t *size)
{
	uint8_t *buf = read_file("legacy_nofunc.bpf.o", size);
	size_t off = (*size + 7) & ~(size_t)7;

	if (!buf)
		return NULL;
	buf = realloc(buf, off + sizeof(Elf64_Rela));
	if (!buf)
		return NULL;
	Elf64_Shdr *rs = shdr_by_name(buf, ".relsocket/0");
	Elf64_Rel rel;
	memcpy(&rel, buf + rs->sh_offset, sizeof(rel));
	Elf64_Rela rela = { .r_offset = rel.r_offset, .r_info = rel.r_info, .r_addend = addend };
	memset(buf + *size, 0, off - *size);
	memcpy(buf + off, &rela, sizeof(rela));
	rs->sh_type = SHT_RELA;
	rs->sh_offset = off;
	rs->sh_size = sizeof(rela);
	rs->sh_entsize = sizeof(rela);
	Elf64_Sym *third = sym_by_name(buf, "third");
	third->st_info = ELF64_ST_INFO(STB_LOCAL, STT_NOTYPE);
	*size = off + sizeof(rela);
	return buf;
}

static void test_rela_relocations_and_static_programs(void)
{
	size_t size;
	uint8_t *buf = nofunc_as_rela(0, &size);
	struct uebpf_object *obj;

	CHECK(buf != NULL);
	if (!buf)
		return;
	obj = open_image(buf, size);
	CHECK(obj != NULL);
	if (obj) {
		/* The map reference came through: the lookup verifies. */
		CHECK(uebpf_object_find_program(obj, "third") != NULL);
		CHECK_EQ(uebpf_object_load(obj), 0);
		uebpf_object_close(obj);
	}
	free(buf);

	buf = nofunc_as_rela(8, &size);
	CHECK(buf != NULL);
	if (!buf)
		return;
	err[0] = '\0';
	obj = open_image(buf, size);
	CHECK(obj == NULL);
	CHECK_CONTAINS(err, "section '.relsocket/0', offset 0x0: relocation #0: addend 8");
	uebpf_object_close(obj);
	free(buf);
}

static void test_text_only_object(void)
{
	struct uebpf_object *obj = open_test("text_only.bpf.o");
	struct uebpf_program *p;

	CHECK(obj != NULL);
	if (!obj)
		return;
	/* A lone .text function is a program, not a subprogram. */
	p = uebpf_object_next_program(obj, NULL);
	check_prog(p, "only", ".text", 2, true);
	CHECK_EQ(uebpf_program_type(p), BPF_PROG_TYPE_UNSPEC);
	CHECK(uebpf_object_next_program(obj, p) == NULL);
	CHECK(uebpf_object_next_map(obj, NULL) == NULL);
	CHECK_STR(uebpf_object_license(obj), "");
	uebpf_object_close(obj);
}

static void test_global_data_sections(void)
{
	struct uebpf_object *obj = open_test("globals.bpf.o");
	struct uebpf_map *m;

	CHECK(obj != NULL);
	if (!obj)
		return;
	m = uebpf_object_next_map(obj, NULL);
	check_map(m, "globals.data", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_MMAPABLE);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "globals.rodata", BPF_MAP_TYPE_ARRAY, 4, 4, 1,
		  BPF_F_MMAPABLE | BPF_F_RDONLY_PROG);
	/* Only a hidden variable: not mmapable. */
	m = uebpf_object_next_map(obj, m);
	check_map(m, ".rodata.hidden", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_RDONLY_PROG);
	CHECK(m && *(const int *)uebpf_map_initial_value(m, NULL) == 5);
	/* The full section name for the user, 15 characters for the kernel. */
	m = uebpf_object_next_map(obj, m);
	check_map(m, ".data.a_rather_long_section_name", BPF_MAP_TYPE_ARRAY, 4, 4, 1,
		  BPF_F_MMAPABLE);
	CHECK(m && strcmp(m->kern_name, ".data.a_rather_") == 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "globals.bss", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_MMAPABLE);
	m = uebpf_object_next_map(obj, m);
	check_map(m, ".bss.custom", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_MMAPABLE);
	CHECK(uebpf_object_next_map(obj, m) == NULL);
	uebpf_object_close(obj);

	/* Without BTF: the same maps, no type ids, none mmapable. */
	obj = open_test("globals-nobtf.bpf.o");
	CHECK(obj != NULL);
	if (!obj)
		return;
	m = uebpf_object_next_map(obj, NULL);
	check_map(m, "globals_.data", BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0);
	CHECK_EQ(uebpf_map_btf_value_type_id(m), 0);
	m = uebpf_object_next_map(obj, m);
	check_map(m, "globals_.rodata", BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_RDONLY_PROG);
	uebpf_object_close(obj);
}

static void test_object_and_internal_map_names(void)
{
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
	};
	struct uebpf_object *obj;
	size_t size;
	uint8_t *buf = read_file("maps.bpf.o", &size);

	CHECK(buf != NULL);
	if (!buf)
		return;
	obj = uebpf_object_open_mem(buf, size, &opts);
	CHECK(obj && strcmp(uebpf_object_name(obj), "mem") == 0);
	CHECK(obj && uebpf_object_find_map(obj, "mem.rodata") != NULL);
	uebpf_object_close(obj);

	/* 15 characters of the object name at most, 8 of them before
	 * the 7 reserved for the section name. */
	opts.object_name = "a_very_long_object_name";
	obj = uebpf_object_open_mem(buf, size, &opts);
	CHECK(obj != NULL);
	if (obj) {
		CHECK_STR(uebpf_object_name(obj), "a_very_long_obj");
		CHECK(uebpf_object_find_map(obj, "a_very_l.rodata") != NULL);
		CHECK(uebpf_object_find_map(obj, "a_very_l.data") != NULL);
		CHECK(uebpf_object_find_map(obj, "a_very_l.bss") != NULL);
		CHECK_STR(uebpf_object_find_map(obj, ".data.custom")->kern_name, ".data.custom");
		uebpf_object_close(obj);
	}
	/* Characters the kernel refuses in names become '_'. */
	opts.object_name = "my-obj";
	obj = uebpf_object_open_mem(buf, size, &opts);
	CHECK(obj && strcmp(uebpf_object_name(obj), "my-obj") == 0);
	CHECK(obj && uebpf_object_find_map(obj, "my_obj.rodata") != NULL);
	uebpf_object_close(obj);

	/* The name of the file up to its first dot; the pin directory by
	 * default. */
	opts.object_name = NULL;
	setenv(UEBPF_PIN_DIR_ENV, "/tmp/uebpf-pins", 1);
	obj = open_test("maps.bpf.o");
	CHECK(obj && strcmp(uebpf_object_name(obj), "maps") == 0);
	CHECK(obj && strcmp(uebpf_map_pin_path(uebpf_object_find_map(obj, "sized")),
			    "/tmp/uebpf-pins/sized") == 0);
	unsetenv(UEBPF_PIN_DIR_ENV);
	uebpf_object_close(obj);
	free(buf);
}

static void test_setters(void)
{
	struct uebpf_object *obj = open_test("maps.bpf.o");
	struct uebpf_map *m;
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const uint8_t *v;
	size_t size;

	CHECK(obj != NULL);
	if (!obj)
		return;
	m = uebpf_object_find_map(obj, "events");
	CHECK_EQ(uebpf_map_set_max_entries(m, 3 * 4096), 0);
	CHECK_EQ(uebpf_map_max_entries(m), 4 * 4096);
	CHECK_EQ(uebpf_map_set_max_entries(m, 8192), 0);
	CHECK_EQ(uebpf_map_max_entries(m), 8192);
	m = uebpf_object_find_map(obj, "counts");
	CHECK_EQ(uebpf_map_set_max_entries(m, 5000), 0);
	CHECK_EQ(uebpf_map_max_entries(m), 5000);
	CHECK_EQ(uebpf_map_set_type(m, BPF_MAP_TYPE_LRU_HASH), 0);
	CHECK_EQ(uebpf_map_type(m), BPF_MAP_TYPE_LRU_HASH);
	CHECK_EQ(uebpf_map_set_flags(m, 0), 0);
	CHECK_EQ(uebpf_map_flags(m), 0);
	/* Initial values: global data only, of the value's size. */
	CHECK_EQ(uebpf_map_set_initial_value(m, data, 8), -EINVAL);
	m = uebpf_object_find_map(obj, ".data");
	CHECK_EQ(uebpf_map_set_initial_value(m, data, 4), -EINVAL);
	CHECK_EQ(uebpf_map_set_initial_value(m, data, 8), 0);
	v = uebpf_map_initial_value(m, &size);
	CHECK(v && size == 8 && memcmp(v, data, 8) == 0);
	CHECK_EQ(uebpf_map_set_value_size(m, 16), 0);
	v = uebpf_map_initial_value(m, &size);
	CHECK(v && size == 16 && memcmp(v, data, 8) == 0 && v[8] == 0 && v[15] == 0);
	CHECK_EQ(uebpf_program_set_autoload(uebpf_object_find_program(obj, "use_maps"), false), 0);
	CHECK(!uebpf_program_autoload(uebpf_object_find_program(obj, "use_maps")));
	CHECK_EQ(uebpf_program_set_attach_target(uebpf_object_find_program(obj, "use_maps"), "eth0"),
		 0);
	CHECK_STR(uebpf_program_attach_target(uebpf_object_find_program(obj, "use_maps")), "eth0");
	uebpf_object_close(obj);
}

/* ---- malformed objects ---- */

static Elf64_Shdr *shdr_by_name(uint8_t *buf, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff);
	const char *names = (const char *)buf + sh[eh->e_shstrndx].sh_offset;
	int i;

	for (i = 1; i < eh->e_shnum; i++)
		if (strcmp(names + sh[i].sh_name, name) == 0)
			return &sh[i];
	return NULL;
}

static Elf64_Sym *sym_by_name(uint8_t *buf, const char *name)
{
	Elf64_Shdr *symtab = shdr_by_name(buf, ".symtab");
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = (Elf64_Shdr *)(buf + eh->e_shoff);
	Elf64_Sym *syms = (Elf64_Sym *)(buf + symtab->sh_offset);
	const char *strs = (const char *)buf + sh[symtab->sh_link].sh_offset;
	size_t i;

	for (i = 0; i < symtab->sh_size / sizeof(Elf64_Sym); i++)
		if (strcmp(strs + syms[i].st_name, name) == 0)
			return &syms[i];
	return NULL;
}

/* Opens a copy of the object changed by fn; expects a refusal whose
 * message contains each of the needles. */
static void refused(const char *file, void (*fn)(uint8_t *buf, size_t *size), int errno_want,
		    const char *needle1, const char *needle2)
{
	size_t size;
	uint8_t *buf = read_file(file, &size);
	struct uebpf_object *obj;

	CHECK(buf != NULL);
	if (!buf)
		return;
	fn(buf, &size);
	err[0] = '\0';
	errno = 0;
	obj = open_image(buf, size);
	CHECK(obj == NULL);
	CHECK_EQ(errno, errno_want);
	CHECK_CONTAINS(err, needle1);
	if (needle2)
		CHECK_CONTAINS(err, needle2);
	uebpf_object_close(obj);
	free(buf);
}

static void truncate_header(uint8_t *buf, size_t *size)
{
	*size = 40;
}

static void truncate_half(uint8_t *buf, size_t *size)
{
	/* Keep the section headers (at the end), lose the sections' data. */
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Shdr *sh = shdr_by_name(buf, ".BTF");

	sh->sh_offset = eh->e_shoff - 16;
}

static void misalign_program(uint8_t *buf, size_t *size)
{
	sym_by_name(buf, "second")->st_value += 4;
	sym_by_name(buf, "second")->st_size -= 8;
}

static void program_past_end(uint8_t *buf, size_t *size)
{
	sym_by_name(buf, "second")->st_size += 8;
}

static void overlap_programs(uint8_t *buf, size_t *size)
{
	sym_by_name(buf, "second")->st_value = 0x28;
}

static void bad_btf_magic(uint8_t *buf, size_t *size)
{
	buf[shdr_by_name(buf, ".BTF")->sh_offset] ^= 0xff;
}

static void bad_btf_hdr_len(uint8_t *buf, size_t *size)
{
	/* hdr_len at offset 4 */
	buf[shdr_by_name(buf, ".BTF")->sh_offset + 4] = 26;
}

static void bad_symtab_link(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, ".symtab")->sh_link = 999;
}

static void bad_section_name(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, "xdp")->sh_name = 0x7fffffff;
}

static void bad_rel_target(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, ".relxdp")->sh_info = 4000;
}

static void bad_rel_entsize(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, ".relxdp")->sh_entsize = 24;
}

static void second_symtab(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, ".maps")->sh_type = SHT_SYMTAB;
}

static void static_program(uint8_t *buf, size_t *size)
{
	Elf64_Sym *s = sym_by_name(buf, "classify");

	s->st_info = ELF64_ST_INFO(STB_LOCAL, STT_FUNC);
}

static void big_endian(uint8_t *buf, size_t *size)
{
	buf[EI_DATA] = ELFDATA2MSB;
}

static void not_bpf(uint8_t *buf, size_t *size)
{
	((Elf64_Ehdr *)buf)->e_machine = EM_X86_64;
}

static void too_many_sections(uint8_t *buf, size_t *size)
{
	((Elf64_Ehdr *)buf)->e_shnum = 60000;
}

static void bad_version(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, "version")->sh_size = 3;
}

static void map_field_renamed(uint8_t *buf, size_t *size)
{
	/* Rename the BTF member "type" of the first map definition:
	 * "max_entries" is kept, the type is lost. Find "type\0" among
	 * the BTF strings and change it. */
	Elf64_Shdr *sh = shdr_by_name(buf, ".BTF");
	uint8_t *p = buf + sh->sh_offset, *end = p + sh->sh_size;

	for (; p + 6 < end; p++)
		if (p[-1] == 0 && memcmp(p, "type\0", 5) == 0) {
			p[0] = 'T';
			break;
		}
}

static void legacy_maps_odd_size(uint8_t *buf, size_t *size)
{
	shdr_by_name(buf, "maps")->sh_size -= 1;
}

static void legacy_map_extra_fields(uint8_t *buf, size_t *size)
{
	/* Two 28-byte records: the first one's iproute2 pinning is the
	 * second's key size, 4, not a pinning. */
	shdr_by_name(buf, "maps")->sh_size = 56;
	sym_by_name(buf, "legacy_array")->st_value = 28;
}

static void legacy_map_past_iproute2(uint8_t *buf, size_t *size)
{
	/* Two 40-byte records: bytes past iproute2's 36 are not zero. */
	shdr_by_name(buf, "maps")->sh_size = 80;
	sym_by_name(buf, "legacy_array")->st_value = 40;
}

static void test_malformed_objects_refused_with_place(void)
{
	refused("progs.bpf.o", truncate_header, EINVAL, "shorter than an ELF header", NULL);
	refused("progs.bpf.o", truncate_half, EINVAL, "section #", "past the end of the file");
	refused("progs.bpf.o", misalign_program, EINVAL, "section 'xdp': program 'second' at offset 0x34",
		"8-byte instructions");
	refused("progs.bpf.o", program_past_end, EINVAL, "section 'xdp': program 'second'",
		"crosses the end of the section");
	refused("progs.bpf.o", overlap_programs, EINVAL, "section 'xdp': programs 'first'",
		"overlap");
	refused("progs.bpf.o", bad_btf_magic, EINVAL, "section '.BTF', offset 0", "magic");
	refused("progs.bpf.o", bad_btf_hdr_len, EINVAL, "section '.BTF', offset 4", "header length");
	refused("progs.bpf.o", bad_symtab_link, EINVAL, "section '.symtab'", "#999");
	refused("progs.bpf.o", bad_section_name, EINVAL, "name offset 0x7fffffff", "section #");
	refused("progs.bpf.o", bad_rel_target, EINVAL, "section '.relxdp'", "#4000");
	refused("progs.bpf.o", bad_rel_entsize, EINVAL, "section '.relxdp'", "entries of 24 bytes");
	refused("progs.bpf.o", second_symtab, EINVAL, "second symbol table", NULL);
	refused("progs.bpf.o", static_program, EOPNOTSUPP, "section 'tc': program 'classify'",
		"static");
	refused("progs.bpf.o", big_endian, EINVAL, "little-endian", "offset 5");
	refused("progs.bpf.o", not_bpf, EINVAL, "not an eBPF object file", NULL);
	refused("progs.bpf.o", too_many_sections, EINVAL, "60000 section headers", "do not fit");
	refused("progs.bpf.o", bad_version, EINVAL, "section 'version'", "expected 4");
	refused("maps.bpf.o", map_field_renamed, EOPNOTSUPP, "section '.maps': map 'inner_a'",
		"unknown field 'Type'");
	refused("legacy.bpf.o", legacy_maps_odd_size, EINVAL, "section 'maps'",
		"cannot tell the size");
	refused("legacy.bpf.o", legacy_map_extra_fields, EINVAL,
		"section 'maps': map 'legacy_hash' at offset 0x0", "offset 0x18");
	refused("legacy.bpf.o", legacy_map_past_iproute2, EINVAL,
		"section 'maps': map 'legacy_hash' at offset 0x0", "offset 0x24");

	/* Files that are not there or not objects. */
	CHECK(uebpf_object_open_file("/nonexistent/x.o", NULL) == NULL && errno == ENOENT);
	CHECK(uebpf_object_open_file("/", NULL) == NULL);
	CHECK(uebpf_object_open_mem("", 0, NULL) == NULL && errno == EINVAL);
}

/* Every prefix of an object, and objects with bytes changed at random:
 * an object or a refusal with a message, never a crash (ASan build). */
static void test_truncated_and_mutated_objects(void)
{
	static const char *const files[] = { "progs.bpf.o", "maps.bpf.o", "legacy.bpf.o",
					      "globals-nobtf.bpf.o" };
	unsigned int seed = 1;
	size_t f, len, i;
	int opened = 0, refusals = 0, silent = 0;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t size;
		uint8_t *orig = read_file(files[f], &size), *buf;

		CHECK(orig != NULL);
		if (!orig)
			continue;
		for (len = 1; len < size; len += 1 + len / 64) {
			struct uebpf_object *obj;

			buf = malloc(len);
			memcpy(buf, orig, len);
			err[0] = '\0';
			obj = open_image(buf, len);
			if (obj)
				opened++;
			else if (err[0])
				refusals++;
			else
				silent++;
			uebpf_object_close(obj);
			free(buf);
		}
		buf = malloc(size);
		for (i = 0; i < 1500; i++) {
			struct uebpf_object *obj;
			int n = 1 + rand_r(&seed) % 4;

			memcpy(buf, orig, size);
			while (n--)
				buf[rand_r(&seed) % size] = rand_r(&seed);
			err[0] = '\0';
			obj = open_image(buf, size);
			if (obj)
				opened++;
			else if (err[0])
				refusals++;
			else
				silent++;
			uebpf_object_close(obj);
		}
		free(buf);
		free(orig);
	}
	printf("mutations: %d opened, %d refused\n", opened, refusals);
	CHECK(refusals > 0 && opened > 0);
	CHECK_EQ(silent, 0);
}

int main(void)
{
	RUN(test_programs_in_libbpf_order);
	RUN(test_btf_maps_and_global_data);
	RUN(test_legacy_maps);
	RUN(test_legacy_iproute2_maps);
	RUN(test_legacy_bpf_load_maps);
	RUN(test_programs_without_function_symbols);
	RUN(test_rela_relocations_and_static_programs);
	RUN(test_text_only_object);
	RUN(test_global_data_sections);
	RUN(test_object_and_internal_map_names);
	RUN(test_setters);
	RUN(test_malformed_objects_refused_with_place);
	RUN(test_truncated_and_mutated_objects);
	return check_summary("object_test");
}
