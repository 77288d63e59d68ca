/* SPDX-License-Identifier: MIT */
/*
 * libbpf is the oracle: every object of the corpus (tests/objects/, and
 * the BPF objects Debian packages ship, when installed) is opened with
 * libbpf (bpf_object__open_file, no root needed) and with uebpf
 * (uebpf_object_open_file), and what both find must be the same:
 *   - programs: names, section names, types, expected attach types,
 *     autoload, instructions before load, in the same order;
 *   - maps: names in order, types, key and value sizes, max_entries,
 *     flags, map_extra, BTF key/value type ids, pinning, whether
 *     internal, initial contents of global data.
 * Then uebpf loads each object (maps created in a private pin directory);
 * map-in-map and program array slots given in the source must be filled.
 * As root with bpf() permitted, each program is also loaded into the
 * kernel by libbpf, alone, and its relocated instructions (subprograms
 * appended, maps resolved, CO-RE applied) compared with uebpf's, map
 * references compared by map name instead of fd.
 *
 * Where libbpf 1.1 (Debian 12) cannot be the oracle, the expected values
 * are written here from the sources: the legacy `maps` section (libbpf
 * 1.x refuses it, uebpf supports it) and sections newer libbpf knows
 * (tc/ingress, tc/egress).
 *
 * Usage: object_libbpf_test CORPUS_DIR CORPUS_LIST [SYSTEM_OBJECT_DIR]...
 *   UEBPF_TEST_VERBOSE=1 prints every difference and libbpf's messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "uebpf/maps.h"
#include "uebpf/object.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/objects/corpus_elf.h"

/* Attach types newer than the UAPI headers of Debian 12. */
#define ATTACH_TCX_INGRESS 46
#define ATTACH_TCX_EGRESS 47

static bool verbose;
static char libbpf_log[8192];
static size_t libbpf_log_len;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (libbpf_log_len < sizeof(libbpf_log) - 1) {
		int n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len,
				  fmt, args);
		if (n > 0)
			libbpf_log_len += (size_t)n;
		if (libbpf_log_len > sizeof(libbpf_log) - 1)
			libbpf_log_len = sizeof(libbpf_log) - 1;
	}
	return 0;
}

static void libbpf_log_reset(void)
{
	libbpf_log[0] = '\0';
	libbpf_log_len = 0;
}

/* The object's name as both name it by default: the file name up to its
 * first dot ("xdp_parse.v2.o" -> "xdp_parse"). */
static const char *base_of(const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s", file);
	buf[strcspn(buf, ".")] = '\0';
	return buf;
}

/* ---- what libbpf 1.1 cannot tell ---- */

/* Section names libbpf 1.1 does not know and newer libbpf does. */
static const struct {
	const char *sec;
	enum bpf_prog_type type;
	int attach;
} newer_sections[] = {
	{ "tc/ingress", BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_INGRESS },
	{ "tc/egress", BPF_PROG_TYPE_SCHED_CLS, ATTACH_TCX_EGRESS },
};

static int newer_section(const char *sec)
{
	for (size_t i = 0; i < sizeof(newer_sections) / sizeof(newer_sections[0]); i++)
		if (!strcmp(sec, newer_sections[i].sec))
			return (int)i;
	return -1;
}

struct expect_map {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, value_size, max_entries, flags;
};

/* legacy_maps.bpf.c, as written there. */
static const struct expect_map legacy_maps[] = {
	{ "legacy_hash", BPF_MAP_TYPE_HASH, 4, 8, 1024, 0 },
	{ "legacy_array", BPF_MAP_TYPE_ARRAY, 4, 24, 16, 0 },
	{ "legacy_percpu", BPF_MAP_TYPE_PERCPU_HASH, 8, 8, 64, BPF_F_NO_PREALLOC },
};

/* Objects uebpf must load (only map types, program types and helpers
 * uebpf has); the others may be refused with a message. Not yet here:
 * xdp_frags, tc_sections and perf_event, whose programs call packet and
 * perf event helpers (bpf_xdp_get_buff_len, bpf_skb_load_bytes,
 * bpf_perf_event_read_value) that uebpf does not implement yet. */
static const char *const must_load[] = {
	"xdp_parse", "socket_filters", "kprobes", "optional_progs", "maps_btf_types", "map_sizes", "pinning",
	"map_in_map", "prog_array", "legacy_maps", "maps_only", "globals", "strings",
	"data_relocs", "subprogs", "multi_per_section", "core_ctx", "atomics",
	"v4_insns", "big_prog", "ringbuf_events", "license_version", "no_license",
};

/* Objects uebpf must refuse to load, and a word the message must have. */
static const struct {
	const char *object;
	const char *word;
} must_fail_load[] = {
	{ "core_kernel", "task_struct" },
};

static bool in_list(const char *const *list, size_t cnt, const char *name)
{
	for (size_t i = 0; i < cnt; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* ---- ELF facts read directly ---- */

static void elf_license_version(const struct corpus_file *f, char *license, size_t size,
				bool *has_version, uint32_t *version)
{
	struct elf_view v;
	const uint8_t *d;
	size_t n;
	int idx;

	license[0] = '\0';
	*has_version = false;
	if (elf_view_init(&v, f->data, f->size))
		return;
	idx = elf_find_section(&v, "license");
	if (idx >= 0 && (d = elf_section_data(&v, (size_t)idx, &n)))
		snprintf(license, size, "%.*s", (int)strnlen((const char *)d, n), (const char *)d);
	idx = elf_find_section(&v, "version");
	if (idx >= 0 && (d = elf_section_data(&v, (size_t)idx, &n)) && n == 4) {
		memcpy(version, d, 4);
		*has_version = true;
	}
}

/* ---- open: programs and maps ---- */

static void compare_insns(const char *what, const struct uebpf_insn *u, size_t ucnt,
			  const struct bpf_insn *l, size_t lcnt)
{
	CHECK_REPORT(ucnt == lcnt, "%s: %zu instructions, libbpf %zu", what, ucnt, lcnt);
	if (ucnt != lcnt || !u || !l)
		return;
	for (size_t i = 0; i < ucnt; i++) {
		if (memcmp(&u[i], &l[i], sizeof(u[i]))) {
			uint64_t a, b;
			memcpy(&a, &u[i], 8);
			memcpy(&b, &l[i], 8);
			CHECK_REPORT(0, "%s: insn %zu is %016llx, libbpf %016llx", what, i,
				     (unsigned long long)a, (unsigned long long)b);
			return;
		}
	}
	check_passed++;
}

static void compare_programs(const char *file, struct uebpf_object *uo, struct bpf_object *lo)
{
	struct uebpf_program *up = uebpf_object_next_program(uo, NULL);
	struct bpf_program *lp = bpf_object__next_program(lo, NULL);
	char what[256];
	size_t n = 0;

	for (; up && lp; up = uebpf_object_next_program(uo, up),
			 lp = bpf_object__next_program(lo, lp), n++) {
		const char *sec = bpf_program__section_name(lp);
		snprintf(what, sizeof(what), "%s: program %zu (%s)", file, n, bpf_program__name(lp));
		CHECK_REPORT(!strcmp(uebpf_program_name(up), bpf_program__name(lp)),
			     "%s: named '%s'", what, uebpf_program_name(up));
		CHECK_REPORT(!strcmp(uebpf_program_section_name(up), sec),
			     "%s: section '%s', libbpf '%s'", what, uebpf_program_section_name(up), sec);

		enum bpf_prog_type want_type = bpf_program__type(lp);
		int want_attach = bpf_program__expected_attach_type(lp);
		int k = newer_section(sec[0] == '?' ? sec + 1 : sec);
		if (k >= 0) {
			want_type = newer_sections[k].type;
			want_attach = newer_sections[k].attach;
		}
		CHECK_REPORT(uebpf_program_type(up) == want_type, "%s: type %d, expected %d", what,
			     (int)uebpf_program_type(up), (int)want_type);
		CHECK_REPORT((int)uebpf_program_expected_attach_type(up) == want_attach,
			     "%s: expected attach type %d, expected %d", what,
			     (int)uebpf_program_expected_attach_type(up), want_attach);
		CHECK_REPORT(uebpf_program_autoload(up) == bpf_program__autoload(lp),
			     "%s: autoload %d, libbpf %d", what, uebpf_program_autoload(up),
			     bpf_program__autoload(lp));
		CHECK_REPORT(uebpf_program_fd(up) < 0, "%s: an fd before load", what);
		compare_insns(what, uebpf_program_insns(up), uebpf_program_insn_cnt(up),
			      bpf_program__insns(lp), bpf_program__insn_cnt(lp));
	}
	CHECK_REPORT(!up && !lp, "%s: uebpf has %s programs than libbpf (%zu in common)", file,
		     up ? "more" : "fewer", n);
}

static void compare_maps(const char *file, struct uebpf_object *uo, struct bpf_object *lo)
{
	struct uebpf_map *um = uebpf_object_next_map(uo, NULL);
	struct bpf_map *lm = bpf_object__next_map(lo, NULL);
	char what[256];
	size_t n = 0;

	for (; um && lm; um = uebpf_object_next_map(uo, um), lm = bpf_object__next_map(lo, lm),
			 n++) {
		snprintf(what, sizeof(what), "%s: map %zu (%s)", file, n, bpf_map__name(lm));
		CHECK_REPORT(!strcmp(uebpf_map_name(um), bpf_map__name(lm)), "%s: named '%s'", what,
			     uebpf_map_name(um));
		CHECK_REPORT(uebpf_map_type(um) == bpf_map__type(lm), "%s: type %d, libbpf %d", what,
			     (int)uebpf_map_type(um), (int)bpf_map__type(lm));
		CHECK_REPORT(uebpf_map_key_size(um) == bpf_map__key_size(lm),
			     "%s: key size %u, libbpf %u", what, uebpf_map_key_size(um),
			     bpf_map__key_size(lm));
		CHECK_REPORT(uebpf_map_value_size(um) == bpf_map__value_size(lm),
			     "%s: value size %u, libbpf %u", what, uebpf_map_value_size(um),
			     bpf_map__value_size(lm));
		CHECK_REPORT(uebpf_map_max_entries(um) == bpf_map__max_entries(lm),
			     "%s: max_entries %u, libbpf %u", what, uebpf_map_max_entries(um),
			     bpf_map__max_entries(lm));
		CHECK_REPORT(uebpf_map_flags(um) == bpf_map__map_flags(lm),
			     "%s: flags %#x, libbpf %#x", what, uebpf_map_flags(um),
			     bpf_map__map_flags(lm));
		CHECK_REPORT(uebpf_map_extra(um) == bpf_map__map_extra(lm),
			     "%s: map_extra %llu, libbpf %llu", what,
			     (unsigned long long)uebpf_map_extra(um),
			     (unsigned long long)bpf_map__map_extra(lm));
		CHECK_REPORT(uebpf_map_is_internal(um) == bpf_map__is_internal(lm),
			     "%s: internal %d, libbpf %d", what, uebpf_map_is_internal(um),
			     bpf_map__is_internal(lm));
		CHECK_REPORT(uebpf_map_fd(um) < 0, "%s: an fd before load", what);

		/* libbpf fills the type ids of global data maps at load. */
		if (!bpf_map__is_internal(lm)) {
			CHECK_REPORT(uebpf_map_btf_key_type_id(um) == bpf_map__btf_key_type_id(lm),
				     "%s: BTF key type %u, libbpf %u", what,
				     uebpf_map_btf_key_type_id(um), bpf_map__btf_key_type_id(lm));
			CHECK_REPORT(uebpf_map_btf_value_type_id(um) ==
					     bpf_map__btf_value_type_id(lm),
				     "%s: BTF value type %u, libbpf %u", what,
				     uebpf_map_btf_value_type_id(um), bpf_map__btf_value_type_id(lm));
		}

		/* Pinned by name: the same name, under each one's root. */
		const char *lpin = bpf_map__pin_path(lm), *upin = uebpf_map_pin_path(um);
		CHECK_REPORT(!lpin == !upin, "%s: pin path %s, libbpf %s", what,
			     upin ? upin : "none", lpin ? lpin : "none");
		if (lpin && upin) {
			const char *lbase = strrchr(lpin, '/'), *ubase = strrchr(upin, '/');
			CHECK_REPORT(!strcmp(ubase ? ubase + 1 : upin, lbase ? lbase + 1 : lpin),
				     "%s: pinned as %s, libbpf %s", what, upin, lpin);
		}

		size_t lsize = 0, usize = 0;
		const void *lval = bpf_map__initial_value(lm, &lsize);
		const void *uval = uebpf_map_initial_value(um, &usize);
		if (lval) {
			CHECK_REPORT(uval && usize == lsize, "%s: initial value of %zu bytes, libbpf %zu",
				     what, uval ? usize : 0, lsize);
			if (uval && usize == lsize)
				CHECK_REPORT(!memcmp(uval, lval, lsize),
					     "%s: initial value differs from libbpf's", what);
		}
	}
	CHECK_REPORT(!um && !lm, "%s: uebpf has %s maps than libbpf (%zu in common)", file,
		     um ? "more" : "fewer", n);
}

/* ---- load: uebpf alone ---- */

/* Slot i of a map-in-map or program array holds something (user space
 * reads an id there). */
static bool slot_filled(struct uebpf_map *m, uint32_t i)
{
	uint32_t id = 0;
	return uebpf_map_lookup_elem(uebpf_map_fd(m), &i, &id) == 0;
}

static void check_initial_slots(const char *file, struct uebpf_object *uo, const char *map,
				const uint32_t *filled, size_t nfilled, uint32_t slots)
{
	struct uebpf_map *m = uebpf_object_find_map(uo, map);
	CHECK_REPORT(m, "%s: no map %s", file, map);
	if (!m)
		return;
	for (uint32_t i = 0; i < slots; i++) {
		bool want = false;
		for (size_t k = 0; k < nfilled; k++)
			want |= filled[k] == i;
		CHECK_REPORT(slot_filled(m, i) == want, "%s: %s slot %u is %s after load", file, map,
			     i, want ? "empty" : "filled");
	}
}

static void check_loaded(const char *file, const char *base, struct uebpf_object *uo)
{
	struct uebpf_program *p;
	struct uebpf_map *m;

	uebpf_object_for_each_program(p, uo) {
		if (uebpf_program_autoload(p))
			CHECK_REPORT(uebpf_program_fd(p) >= 0, "%s: %s not loaded", file,
				     uebpf_program_name(p));
		else
			CHECK_REPORT(uebpf_program_fd(p) < 0, "%s: %s loaded, autoload off", file,
				     uebpf_program_name(p));
	}
	uebpf_object_for_each_map(m, uo)
		CHECK_REPORT(uebpf_map_fd(m) >= 0, "%s: map %s has no fd", file, uebpf_map_name(m));

	/* Initial slots, as map_in_map.bpf.c and prog_array.bpf.c give them. */
	if (!strcmp(base, "map_in_map")) {
		static const uint32_t array_slots[] = { 0, 3 }, hash_slots[] = { 1 };
		check_initial_slots(file, uo, "outer_array", array_slots, 2, 4);
		check_initial_slots(file, uo, "outer_hash", hash_slots, 1, 8);
	}
	if (!strcmp(base, "prog_array")) {
		static const uint32_t slots[] = { 0, 2 };
		check_initial_slots(file, uo, "jump_table", slots, 2, 4);
		check_initial_slots(file, uo, "runtime_table", NULL, 0, 8);
	}
	/* .rodata is frozen for user space too. */
	uebpf_object_for_each_map(m, uo) {
		size_t size = 0;
		const char *name = uebpf_map_name(m);
		if (!uebpf_map_is_internal(m) || !strstr(name, ".rodata") ||
		    !uebpf_map_initial_value(m, &size) || !size)
			continue;
		struct uebpf_map_info info;
		memset(&info, 0, sizeof(info));
		CHECK(uebpf_map_get_info(uebpf_map_fd(m), &info) == 0);
		CHECK_REPORT(info.frozen, "%s: %s not frozen after load", file, name);
	}
}

/* ---- load: the kernel too ---- */

struct fd_names {
	int fd[128];
	const char *name[128];
	size_t cnt;
};

static const char *name_of_fd(const struct fd_names *t, int fd)
{
	for (size_t i = 0; i < t->cnt; i++)
		if (t->fd[i] == fd)
			return t->name[i];
	return "?";
}

/* Relocated instructions, with map fds replaced by map names. */
static void compare_loaded_insns(const char *what, const struct uebpf_insn *u, size_t ucnt,
				 const struct fd_names *ufds, const struct bpf_insn *l,
				 size_t lcnt, const struct fd_names *lfds)
{
	CHECK_REPORT(ucnt == lcnt, "%s: %zu instructions after load, kernel's libbpf %zu", what,
		     ucnt, lcnt);
	if (ucnt != lcnt)
		return;
	for (size_t i = 0; i < ucnt; i++) {
		struct uebpf_insn a = u[i];
		struct bpf_insn b = l[i];
		bool is_map = a.code == (BPF_LD | BPF_DW | BPF_IMM) &&
			      (a.src_reg == BPF_PSEUDO_MAP_FD || a.src_reg == BPF_PSEUDO_MAP_VALUE);
		if (is_map && b.code == a.code && b.src_reg == a.src_reg) {
			const char *an = name_of_fd(ufds, a.imm), *bn = name_of_fd(lfds, b.imm);
			if (strcmp(an, bn)) {
				CHECK_REPORT(0, "%s: insn %zu refers to map %s, libbpf's to %s", what, i,
					     an, bn);
				return;
			}
			a.imm = b.imm = 0;
		}
		/* libbpf poisoned a CO-RE relocation the kernel's BTF cannot
		 * satisfy; uebpf's types may have it (pt_regs with user-space
		 * register names, for one): not compared. */
		if (b.code == (BPF_JMP | BPF_CALL) && b.imm == 0xbad2310 &&
		    (a.code != b.code || a.imm != b.imm)) {
			if (verbose)
				printf("NOTE %s: insn %zu: libbpf could not relocate it for the "
				       "kernel, uebpf did for its own types\n", what, i);
			continue;
		}
		if (memcmp(&a, &b, sizeof(a))) {
			uint64_t x, y;
			memcpy(&x, &u[i], 8);
			memcpy(&y, &l[i], 8);
			CHECK_REPORT(0, "%s: loaded insn %zu is %016llx, libbpf %016llx", what, i,
				     (unsigned long long)x, (unsigned long long)y);
			return;
		}
	}
	check_passed++;
}

static int kernel_loaded, kernel_refused, kernel_compared;

/*
 * Loads the object with libbpf into the kernel and with uebpf, either
 * whole (only == NULL: the programs whose autoload is on) or with program
 * `only` alone, and compares the instructions of each program both
 * loaded. Marks the programs compared in done[] (by position).
 */
static void kernel_compare(const struct corpus_file *f, const char *only, bool *done, size_t ndone)
{
	char what[256], uerr[512] = "";
	struct bpf_object *lo = bpf_object__open_file(f->path, NULL);
	struct uebpf_object_open_opts uopts = {
		.sz = sizeof(uopts), .err_buf = uerr, .err_size = sizeof(uerr),
	};
	struct uebpf_object *uo = uebpf_object_open_file(f->path, &uopts);
	struct bpf_program *lp;
	struct uebpf_program *up;
	struct bpf_map *lm;
	struct uebpf_map *um;
	struct fd_names lfds = { .cnt = 0 }, ufds = { .cnt = 0 };
	size_t i;

	snprintf(what, sizeof(what), "%s: %s%s", f->name, only ? "program " : "the whole object",
		 only ? only : "");
	if (!lo || !uo)
		goto out;
	if (only) {
		bpf_object__for_each_program(lp, lo)
			bpf_program__set_autoload(lp, !strcmp(bpf_program__name(lp), only));
		uebpf_object_for_each_program(up, uo)
			uebpf_program_set_autoload(up, !strcmp(uebpf_program_name(up), only));
	}
	bpf_object__for_each_program(lp, lo) {
		int k = newer_section(bpf_program__section_name(lp));
		if (k >= 0) {
			bpf_program__set_type(lp, newer_sections[k].type);
			bpf_program__set_expected_attach_type(
				lp, (enum bpf_attach_type)newer_sections[k].attach);
		}
	}
	/* No bpffs needed: the kernel's maps are not pinned. */
	bpf_object__for_each_map(lm, lo)
		bpf_map__set_pin_path(lm, NULL);
	libbpf_log_reset();
	if (bpf_object__load(lo)) {
		kernel_refused++;
		if (verbose)
			printf("NOTE %s: the kernel refuses it (libbpf: %.2000s)\n", what, libbpf_log);
		goto out;
	}
	kernel_loaded++;
	if (uebpf_object_load(uo)) {
		if (verbose)
			printf("NOTE %s: uebpf refuses it: %s\n", what, uerr);
		goto out;
	}
	bpf_object__for_each_map(lm, lo) {
		if (lfds.cnt < 128) {
			lfds.fd[lfds.cnt] = bpf_map__fd(lm);
			lfds.name[lfds.cnt++] = bpf_map__name(lm);
		}
	}
	uebpf_object_for_each_map(um, uo) {
		if (ufds.cnt < 128) {
			ufds.fd[ufds.cnt] = uebpf_map_fd(um);
			ufds.name[ufds.cnt++] = uebpf_map_name(um);
		}
	}
	for (lp = bpf_object__next_program(lo, NULL), i = 0; lp;
	     lp = bpf_object__next_program(lo, lp), i++) {
		const char *name = bpf_program__name(lp);
		if (!bpf_program__autoload(lp) || i >= ndone || done[i])
			continue;
		up = uebpf_object_find_program(uo, name);
		CHECK_REPORT(up, "%s: uebpf has no program %s", what, name);
		if (!up)
			continue;
		char pwhat[300];
		snprintf(pwhat, sizeof(pwhat), "%s: program %s (loaded with %s)", f->name, name,
			 only ? "no other" : "the others");
		kernel_compared++;
		done[i] = true;
		compare_loaded_insns(pwhat, uebpf_program_insns(up), uebpf_program_insn_cnt(up),
				     &ufds, bpf_program__insns(lp), bpf_program__insn_cnt(lp), &lfds);
	}
out:
	bpf_object__close(lo);
	uebpf_object_close(uo);
}

static bool kernel_available(void)
{
	static const struct uebpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, NULL, 0, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* ---- one object ---- */

static int opened_both, refused_both, loaded_uebpf, refused_uebpf;

static void test_object(const struct corpus_file *f, bool with_kernel, bool from_corpus)
{
	char base[128], uerr[512] = "", license[128];
	struct uebpf_object_open_opts uopts = {
		.sz = sizeof(uopts), .err_buf = uerr, .err_size = sizeof(uerr),
	};
	bool legacy, has_version;
	uint32_t version = 0;

	check_current = f->name;
	base_of(f->name, base, sizeof(base));
	legacy = from_corpus && !strcmp(base, "legacy_maps");
	elf_license_version(f, license, sizeof(license), &has_version, &version);

	libbpf_log_reset();
	errno = 0;
	struct bpf_object *lo = bpf_object__open_file(f->path, NULL);
	int lerr = lo ? 0 : errno;
	errno = 0;
	struct uebpf_object *uo = uebpf_object_open_file(f->path, &uopts);
	int uerrno = uo ? 0 : errno;

	if (!lo && !legacy) {
		/* Both must refuse it, uebpf with a reason. */
		CHECK_REPORT(!uo, "%s: opened, libbpf refuses it (%s)", f->name, strerror(lerr));
		if (!uo) {
			refused_both++;
			CHECK_REPORT(uerrno > 0 && uerr[0], "%s: refused with errno %d, message '%s'",
				     f->name, uerrno, uerr);
			if (!strcmp(base, "edge_static_prog"))
				CHECK_CONTAINS(uerr, "static_entry");
			if (verbose)
				printf("NOTE %s: both refuse it; uebpf: %s\n", f->name, uerr);
		}
		goto out;
	}
	CHECK_REPORT(uo, "%s: uebpf refuses it (errno %d): %s", f->name, uerrno, uerr);
	if (!uo)
		goto out;

	/* libbpf: the first 15 characters of the file name, up to a dot. */
	char want_name[BPF_OBJ_NAME_LEN];
	size_t len = strnlen(f->name, sizeof(want_name) - 1);
	memcpy(want_name, f->name, len);
	want_name[len] = '\0';
	want_name[strcspn(want_name, ".")] = '\0';
	CHECK_REPORT(!strcmp(uebpf_object_name(uo), want_name), "%s: object name '%s', libbpf '%s'",
		     f->name, uebpf_object_name(uo), want_name);
	CHECK_REPORT(!strcmp(uebpf_object_license(uo) ? uebpf_object_license(uo) : "", license),
		     "%s: license '%s', the file has '%s'", f->name, uebpf_object_license(uo),
		     license);
	if (has_version)
		CHECK_REPORT(uebpf_object_kversion(uo) == version, "%s: kversion %#x, the file has %#x",
			     f->name, uebpf_object_kversion(uo), version);

	if (legacy) {
		/* libbpf 1.x refuses legacy maps: the definitions are the
		 * oracle; the program is the socket filter of the source. */
		struct uebpf_map *m = uebpf_object_next_map(uo, NULL);
		for (size_t i = 0; i < sizeof(legacy_maps) / sizeof(legacy_maps[0]); i++) {
			const struct expect_map *e = &legacy_maps[i];
			CHECK_REPORT(m, "%s: no map %zu (%s)", f->name, i, e->name);
			if (!m)
				break;
			CHECK_STR(uebpf_map_name(m), e->name);
			CHECK_EQ(uebpf_map_type(m), e->type);
			CHECK_EQ(uebpf_map_key_size(m), e->key_size);
			CHECK_EQ(uebpf_map_value_size(m), e->value_size);
			CHECK_EQ(uebpf_map_max_entries(m), e->max_entries);
			CHECK_EQ(uebpf_map_flags(m), e->flags);
			CHECK(!uebpf_map_is_internal(m));
			m = uebpf_object_next_map(uo, m);
		}
		CHECK_REPORT(!m, "%s: a map after the legacy ones: %s", f->name,
			     m ? uebpf_map_name(m) : "");
		struct uebpf_program *p = uebpf_object_find_program(uo, "legacy_counter");
		CHECK_REPORT(p, "%s: no program legacy_counter", f->name);
		if (p) {
			CHECK_STR(uebpf_program_section_name(p), "socket");
			CHECK_EQ(uebpf_program_type(p), BPF_PROG_TYPE_SOCKET_FILTER);
			CHECK(uebpf_program_insn_cnt(p) > 10);
		}
		CHECK(!uebpf_object_next_program(uo, p));
	} else {
		opened_both++;
		compare_programs(f->name, uo, lo);
		compare_maps(f->name, uo, lo);
	}

	/* Load with uebpf. */
	uerr[0] = '\0';
	errno = 0;
	int err = uebpf_object_load(uo);
	bool must = from_corpus && in_list(must_load, sizeof(must_load) / sizeof(must_load[0]), base);
	const char *fail_word = NULL;
	for (size_t i = 0; from_corpus && i < sizeof(must_fail_load) / sizeof(must_fail_load[0]); i++)
		if (!strcmp(base, must_fail_load[i].object))
			fail_word = must_fail_load[i].word;
	if (err) {
		refused_uebpf++;
		CHECK_REPORT(err < 0 && uerr[0], "%s: load returned %d with message '%s'", f->name, err,
			     uerr);
		CHECK_REPORT(!must, "%s: uebpf does not load it: %s", f->name, uerr);
		if (fail_word)
			CHECK_CONTAINS(uerr, fail_word);
		if (verbose || !must)
			printf("NOTE %s: uebpf does not load it: %s\n", f->name, uerr);
	} else {
		loaded_uebpf++;
		CHECK_REPORT(!fail_word, "%s: loaded, must be refused", f->name);
		check_loaded(f->name, base, uo);
		CHECK_REPORT(uebpf_object_load(uo) < 0, "%s: loaded twice", f->name);
	}

	if (with_kernel && !legacy && !fail_word) {
		/* The whole object first (program arrays need their programs),
		 * then each program the kernel did not take with the others. */
		struct bpf_program *lp;
		bool done[256] = { false };
		size_t i = 0;
		kernel_compare(f, NULL, done, 256);
		bpf_object__for_each_program(lp, lo)
			if (i < 256 && !done[i++])
				kernel_compare(f, bpf_program__name(lp), done, 256);
	}
out:
	if (!lo && verbose && libbpf_log[0])
		printf("NOTE %s: libbpf: %.400s\n", f->name, libbpf_log);
	bpf_object__close(lo);
	uebpf_object_close(uo);
}

int main(int argc, char **argv)
{
	struct corpus corpus = { 0 }, sys_objs = { 0 };
	char pin_dir[] = "/tmp/uebpf-object-test-XXXXXX";

	if (argc < 3) {
		fprintf(stderr, "usage: %s CORPUS_DIR CORPUS_LIST [SYSTEM_OBJECT_DIR]...\n", argv[0]);
		return 2;
	}
	verbose = getenv("UEBPF_TEST_VERBOSE") != NULL;
	libbpf_set_print(libbpf_print);
	/* Maps of uebpf (and its pinned ones) live in a private directory. */
	if (!mkdtemp(pin_dir)) {
		perror("mkdtemp");
		return 2;
	}
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);

	if (corpus_load_list(&corpus, argv[1], argv[2])) {
		fprintf(stderr, "the corpus is incomplete\n");
		return 1;
	}
	for (int i = 3; i < argc; i++)
		corpus_load_dir(&sys_objs, argv[i]);
	bool with_kernel = geteuid() == 0 && kernel_available();
	printf("%zu corpus objects, %zu system objects; kernel comparison %s\n", corpus.cnt,
	       sys_objs.cnt, with_kernel ? "on" : "off (not root or bpf() refused)");

	for (size_t i = 0; i < corpus.cnt; i++) {
		int before = check_failed;
		test_object(&corpus.files[i], with_kernel, true);
		printf("%s %s\n", check_failed == before ? "PASS" : "FAIL", corpus.files[i].name);
	}
	for (size_t i = 0; i < sys_objs.cnt; i++) {
		int before = check_failed;
		test_object(&sys_objs.files[i], with_kernel, false);
		printf("%s %s (%s)\n", check_failed == before ? "PASS" : "FAIL", sys_objs.files[i].name,
		       sys_objs.files[i].path);
	}
	printf("opened by both: %d, refused by both: %d; uebpf loaded %d, refused %d\n",
	       opened_both, refused_both, loaded_uebpf, refused_uebpf);
	if (with_kernel)
		printf("kernel: %d loads accepted (%d refused), %d programs compared with uebpf's\n",
		       kernel_loaded, kernel_refused, kernel_compared);

	corpus_free(&corpus);
	corpus_free(&sys_objs);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pin_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", pin_dir);
	return check_summary("object_libbpf_test");
}
