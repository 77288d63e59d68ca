// SPDX-License-Identifier: MIT
/*
 * Opens each object given on the command line with uebpf and with the
 * libbpf installed here, and compares what both find: the programs
 * (order, names, section names, instruction counts, autoload, type and
 * expected attach type) and the maps (order, names, types, sizes,
 * flags, map_extra, BTF type ids, internal or not, initial contents of
 * global data, pin file name). Any difference is a failure.
 *
 *   object_libbpf_diff_test FILE.o...
 *
 * An object libbpf refuses counts as a failure too: pass only objects
 * libbpf 1.1 opens (not legacy `maps` sections, which it dropped).
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "object/sec_def.h"
#include "tests/check.h"
#include "uebpf/object.h"

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int newer_names;

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

static void compare_programs(const char *file, struct bpf_object *lobj, struct uebpf_object *uobj)
{
	struct uebpf_program *up = uebpf_object_next_program(uobj, NULL);
	struct bpf_program *lp;
	struct sec_def def;

	bpf_object__for_each_program(lp, lobj) {
		const char *name = bpf_program__name(lp);

		CHECK_REPORT(up != NULL, "%s: uebpf has no program '%s'", file, name);
		if (!up)
			return;
		CHECK_STR(uebpf_program_name(up), name);
		CHECK_STR(uebpf_program_section_name(up), bpf_program__section_name(lp));
		CHECK_REPORT(uebpf_program_insn_cnt(up) == bpf_program__insn_cnt(lp),
			     "%s: program '%s': %zu instructions, libbpf %zu", file, name,
			     uebpf_program_insn_cnt(up), bpf_program__insn_cnt(lp));
		CHECK_REPORT(uebpf_program_autoload(up) == bpf_program__autoload(lp),
			     "%s: program '%s': autoload differs", file, name);
		/* Names later libbpf releases added: uebpf knows them, the
		 * libbpf here leaves the type unspecified. */
		if (sec_def_parse(uebpf_program_section_name(up), &def) == 0 &&
		    def.libbpf_minor > LIBBPF_MINOR_VERSION) {
			CHECK_REPORT(bpf_program__type(lp) == BPF_PROG_TYPE_UNSPEC,
				     "%s: program '%s': libbpf 1.%d knows section '%s'", file,
				     name, LIBBPF_MINOR_VERSION, def.name);
			newer_names++;
		} else {
			CHECK_REPORT(uebpf_program_type(up) == bpf_program__type(lp),
				     "%s: program '%s': type %d, libbpf %d", file, name,
				     uebpf_program_type(up), bpf_program__type(lp));
			CHECK_REPORT(uebpf_program_expected_attach_type(up) ==
					     bpf_program__expected_attach_type(lp),
				     "%s: program '%s': expected attach type %d, libbpf %d", file,
				     name, uebpf_program_expected_attach_type(up),
				     bpf_program__expected_attach_type(lp));
		}
		if (uebpf_program_insn_cnt(up) == bpf_program__insn_cnt(lp))
			CHECK_REPORT(memcmp(uebpf_program_insns(up), bpf_program__insns(lp),
					    bpf_program__insn_cnt(lp) * 8) == 0,
				     "%s: program '%s': instructions differ", file, name);
		up = uebpf_object_next_program(uobj, up);
	}
	CHECK_REPORT(up == NULL, "%s: uebpf has program '%s', libbpf not", file,
		     up ? uebpf_program_name(up) : "");
}

static void compare_maps(const char *file, struct bpf_object *lobj, struct uebpf_object *uobj)
{
	struct uebpf_map *um = uebpf_object_next_map(uobj, NULL);
	struct bpf_map *lm;

	bpf_object__for_each_map(lm, lobj) {
		const char *name = bpf_map__name(lm);
		const void *lv, *uv;
		size_t lsize = 0, usize = 0;

		CHECK_REPORT(um != NULL, "%s: uebpf has no map '%s'", file, name);
		if (!um)
			return;
		CHECK_STR(uebpf_map_name(um), name);
#define SAME(what, u, l)                                                             \
	CHECK_REPORT((uint64_t)(u) == (uint64_t)(l), "%s: map '%s': %s %llu, libbpf %llu", \
		     file, name, what, (unsigned long long)(u), (unsigned long long)(l))
		SAME("type", uebpf_map_type(um), bpf_map__type(lm));
		SAME("key size", uebpf_map_key_size(um), bpf_map__key_size(lm));
		SAME("value size", uebpf_map_value_size(um), bpf_map__value_size(lm));
		SAME("max_entries", uebpf_map_max_entries(um), bpf_map__max_entries(lm));
		SAME("flags", uebpf_map_flags(um), bpf_map__map_flags(lm));
		SAME("map_extra", uebpf_map_extra(um), bpf_map__map_extra(lm));
		SAME("BTF key type", uebpf_map_btf_key_type_id(um), bpf_map__btf_key_type_id(lm));
		SAME("BTF value type", uebpf_map_btf_value_type_id(um),
		     bpf_map__btf_value_type_id(lm));
		SAME("internal", uebpf_map_is_internal(um), bpf_map__is_internal(lm));
#undef SAME
		lv = bpf_map__initial_value(lm, &lsize);
		uv = uebpf_map_initial_value(um, &usize);
		CHECK_REPORT(!lv == !uv && lsize == usize && (!lv || !memcmp(lv, uv, lsize)),
			     "%s: map '%s': initial value differs (%zu bytes, libbpf %zu)", file,
			     name, usize, lsize);
		/* Pinned in a directory of their own; the same file name. */
		CHECK_REPORT(!bpf_map__pin_path(lm) == !uebpf_map_pin_path(um) &&
				     (!bpf_map__pin_path(lm) ||
				      strcmp(base_name(bpf_map__pin_path(lm)),
					     base_name(uebpf_map_pin_path(um))) == 0),
			     "%s: map '%s': pin path '%s', libbpf '%s'", file, name,
			     uebpf_map_pin_path(um) ? uebpf_map_pin_path(um) : "(none)",
			     bpf_map__pin_path(lm) ? bpf_map__pin_path(lm) : "(none)");
		um = uebpf_object_next_map(uobj, um);
	}
	CHECK_REPORT(um == NULL, "%s: uebpf has map '%s', libbpf not", file,
		     um ? uebpf_map_name(um) : "");
}

int main(int argc, char **argv)
{
	char err[512];
	int i;

	libbpf_set_print(quiet_libbpf);
	for (i = 1; i < argc; i++) {
		struct uebpf_object_open_opts opts = {
			.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
		};
		const char *file = argv[i];
		struct bpf_object *lobj = bpf_object__open_file(file, NULL);
		struct uebpf_object *uobj = uebpf_object_open_file(file, &opts);
		int failed = check_failed;

		check_current = base_name(file);
		CHECK_REPORT(lobj != NULL, "%s: libbpf refuses it (%s)", file, strerror(errno));
		CHECK_REPORT(uobj != NULL, "%s: uebpf refuses it: %s", file, err);
		if (lobj && uobj) {
			CHECK_STR(uebpf_object_name(uobj), bpf_object__name(lobj));
			CHECK_EQ(uebpf_object_kversion(uobj), bpf_object__kversion(lobj));
			compare_programs(file, lobj, uobj);
			compare_maps(file, lobj, uobj);
		}
		printf("%s %s\n", check_failed != failed ? "FAIL" : "PASS", file);
		bpf_object__close(lobj);
		uebpf_object_close(uobj);
	}
	if (newer_names)
		printf("%d programs in sections only later libbpf releases know\n", newer_names);
	return check_summary("object_libbpf_diff_test");
}
