// SPDX-License-Identifier: MIT
/*
 * .BTF.ext parsing: a hand-built section with known records (every value
 * expected here is the one the builder below wrote), each way a section
 * can be malformed with the message it must give, truncations and random
 * corruption of a valid section, and the real objects given on the
 * command line (clang -O2 -g -target bpf output) parse.
 *
 *   object_btf_ext_test [OBJ.o ...]     the tests
 *   object_btf_ext_test --dump OBJ.o    the parsed records and, for every
 *                                       instruction, its line and function
 *                                       as the lookups give them, for
 *                                       btf_ext_oracle_test.py to compare
 *                                       with llvm-objdump, llvm-dwarfdump,
 *                                       llvm-readelf and bpftool
 */
#include "object/btf_ext.h"

#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/check.h"

/* ---- a BTF and a .BTF.ext built by hand ---- */

static struct btf *btf;
static struct {
	int t_int, t_proto, f_a, f_b, f_c, t_pair, t_color, t_color_t;
	int s_xdp, s_tc, s_file_a, s_file_b, s_text1, s_text2, s_acc01, s_acc0, s_acc1, s_acc2;
} ids;

static void build_btf(void)
{
	btf = btf__new_empty();
	if (!btf) {
		printf("btf__new_empty failed\n");
		exit(1);
	}
	ids.t_int = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ids.t_proto = btf__add_func_proto(btf, ids.t_int);
	ids.f_a = btf__add_func(btf, "prog_a", BTF_FUNC_GLOBAL, ids.t_proto);
	ids.f_b = btf__add_func(btf, "sub_b", BTF_FUNC_STATIC, ids.t_proto);
	ids.f_c = btf__add_func(btf, "prog_c", BTF_FUNC_GLOBAL, ids.t_proto);
	ids.t_pair = btf__add_struct(btf, "pair", 8);
	btf__add_field(btf, "x", ids.t_int, 0, 0);
	btf__add_field(btf, "y", ids.t_int, 32, 0);
	ids.t_color = btf__add_enum(btf, "color", 4);
	btf__add_enum_value(btf, "RED", 1);
	btf__add_enum_value(btf, "BLUE", 42);
	ids.t_color_t = btf__add_typedef(btf, "color_t", ids.t_color);
	ids.s_xdp = btf__add_str(btf, "xdp");
	ids.s_tc = btf__add_str(btf, "tc");
	ids.s_file_a = btf__add_str(btf, "/src/a.c");
	ids.s_file_b = btf__add_str(btf, "rel/b.c");
	ids.s_text1 = btf__add_str(btf, "\tint x = 1;");
	ids.s_text2 = btf__add_str(btf, "\treturn x;");
	ids.s_acc01 = btf__add_str(btf, "0:1");
	ids.s_acc0 = btf__add_str(btf, "0");
	ids.s_acc1 = btf__add_str(btf, "1");
	ids.s_acc2 = btf__add_str(btf, "2");
	CHECK(ids.t_color_t == 8 && ids.s_acc1 > 0);
}

struct blob {
	uint8_t d[1024];
	size_t n;
};

static uint32_t put32(struct blob *b, uint32_t v)
{
	uint32_t at = (uint32_t)b->n;

	memcpy(b->d + b->n, &v, 4);
	b->n += 4;
	return at;
}

static void set32(struct blob *b, uint32_t at, uint32_t v)
{
	memcpy(b->d + at, &v, 4);
}

/* Where the builder put things, for the tests that corrupt them. */
static struct {
	uint32_t hdr_len, func_off_field, line_off_field, core_off_field;
	uint32_t func_start, line_start, core_start; /* the record sizes */
	uint32_t func_xdp_block, func_xdp_rec[2], func_tc_rec;
	uint32_t line_xdp_block, line_xdp_rec[3], line_tc_rec;
	uint32_t core_tc_block, core_rec[2];
} at;

/*
 * The standard section: hdr_len (32, or 24 without CO-RE, or more with
 * unknown trailing header bytes), record sizes as given (larger than the
 * known ones to check that tails are skipped).
 *   func_info  xdp: insn 0 prog_a, insn 5 sub_b      tc: insn 0 prog_c
 *   line_info  xdp: insn 0 /src/a.c:10:2, insn 2 /src/a.c:11:5,
 *                   insn 5 rel/b.c:3 (col 0)
 *              tc:  insn 0 /src/a.c, the largest line and column
 *   core_relo  tc:  insn 1 pair "0:1" byte_off, insn 2 color_t "1" enumval_value
 */
static void build_ext(struct blob *b, uint32_t hdr_len, uint32_t func_rs, uint32_t line_rs,
		      uint32_t core_rs)
{
	uint32_t i;

	memset(b, 0, sizeof(*b));
	b->d[0] = 0x9f;
	b->d[1] = 0xeb;
	b->d[2] = 1;
	b->d[3] = 0;
	b->n = 4;
	at.hdr_len = put32(b, hdr_len);
	at.func_off_field = put32(b, 0);
	put32(b, 0);
	at.line_off_field = put32(b, 0);
	put32(b, 0);
	at.core_off_field = 24;
	while (b->n < hdr_len)
		put32(b, 0);

	at.func_start = put32(b, func_rs);
	at.func_xdp_block = put32(b, (uint32_t)ids.s_xdp);
	put32(b, 2);
	at.func_xdp_rec[0] = put32(b, 0);
	put32(b, (uint32_t)ids.f_a);
	for (i = 8; i < func_rs; i += 4)
		put32(b, 0xdeadbeef);
	at.func_xdp_rec[1] = put32(b, 5 * 8);
	put32(b, (uint32_t)ids.f_b);
	for (i = 8; i < func_rs; i += 4)
		put32(b, 0xdeadbeef);
	put32(b, (uint32_t)ids.s_tc);
	put32(b, 1);
	at.func_tc_rec = put32(b, 0);
	put32(b, (uint32_t)ids.f_c);
	for (i = 8; i < func_rs; i += 4)
		put32(b, 0xdeadbeef);
	set32(b, at.func_off_field, at.func_start - hdr_len);
	set32(b, at.func_off_field + 4, (uint32_t)b->n - at.func_start);

	at.line_start = put32(b, line_rs);
	at.line_xdp_block = put32(b, (uint32_t)ids.s_xdp);
	put32(b, 3);
	static const uint32_t xdp_lines[3][4] = { { 0, 0, 0, 10 << 10 | 2 },
						  { 16, 0, 1, 11 << 10 | 5 },
						  { 40, 1, 1, 3 << 10 } };
	for (int r = 0; r < 3; r++) {
		at.line_xdp_rec[r] = put32(b, xdp_lines[r][0]);
		put32(b, (uint32_t)(xdp_lines[r][1] ? ids.s_file_b : ids.s_file_a));
		put32(b, (uint32_t)(xdp_lines[r][2] ? ids.s_text2 : ids.s_text1));
		put32(b, xdp_lines[r][3]);
		for (i = 16; i < line_rs; i += 4)
			put32(b, 0xdeadbeef);
	}
	put32(b, (uint32_t)ids.s_tc);
	put32(b, 1);
	at.line_tc_rec = put32(b, 0);
	put32(b, (uint32_t)ids.s_file_a);
	put32(b, (uint32_t)ids.s_text2);
	put32(b, 0xffffffff); /* line 0x3fffff, column 0x3ff */
	for (i = 16; i < line_rs; i += 4)
		put32(b, 0xdeadbeef);
	set32(b, at.line_off_field, at.line_start - hdr_len);
	set32(b, at.line_off_field + 4, (uint32_t)b->n - at.line_start);

	if (hdr_len < 32)
		return;
	at.core_start = put32(b, core_rs);
	at.core_tc_block = put32(b, (uint32_t)ids.s_tc);
	put32(b, 2);
	at.core_rec[0] = put32(b, 8);
	put32(b, (uint32_t)ids.t_pair);
	put32(b, (uint32_t)ids.s_acc01);
	put32(b, BPF_CORE_FIELD_BYTE_OFFSET);
	for (i = 16; i < core_rs; i += 4)
		put32(b, 0xdeadbeef);
	at.core_rec[1] = put32(b, 16);
	put32(b, (uint32_t)ids.t_color_t);
	put32(b, (uint32_t)ids.s_acc1);
	put32(b, BPF_CORE_ENUMVAL_VALUE);
	for (i = 16; i < core_rs; i += 4)
		put32(b, 0xdeadbeef);
	set32(b, at.core_off_field, at.core_start - hdr_len);
	set32(b, at.core_off_field + 4, (uint32_t)b->n - at.core_start);
}

/* xdp: 6 instructions, tc: 4; nothing else. */
static int64_t test_sec_size(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "xdp"))
		return 6 * 8;
	if (!strcmp(name, "tc"))
		return 4 * 8;
	return -1;
}

static char err[512];

static int parse(const struct blob *b, struct btf_ext **ext)
{
	return btf_ext_parse(b->d, b->n, btf, test_sec_size, NULL, ext, err, sizeof(err));
}

/* ---- well-formed ---- */

static void check_standard(const struct btf_ext *ext, bool with_core)
{
	const struct btf_ext_sec *xdp = btf_ext_section(ext, "xdp");
	const struct btf_ext_sec *tc = btf_ext_section(ext, "tc");

	CHECK_EQ(ext->sec_cnt, 2);
	CHECK(ext->sec_cnt == 2 && &ext->secs[0] == xdp && &ext->secs[1] == tc);
	CHECK(btf_ext_section(ext, "kprobe/x") == NULL);
	if (!xdp || !tc)
		return;
	CHECK_STR(xdp->sec_name, "xdp");
	CHECK_EQ(xdp->func_cnt, 2);
	CHECK_EQ(xdp->funcs[0].insn_off, 0);
	CHECK_EQ(xdp->funcs[0].type_id, ids.f_a);
	CHECK_EQ(xdp->funcs[1].insn_off, 5);
	CHECK_EQ(xdp->funcs[1].type_id, ids.f_b);
	CHECK_EQ(tc->func_cnt, 1);
	CHECK_EQ(tc->funcs[0].insn_off, 0);
	CHECK_EQ(tc->funcs[0].type_id, ids.f_c);

	CHECK_EQ(xdp->line_cnt, 3);
	CHECK_EQ(xdp->lines[0].insn_off, 0);
	CHECK_EQ(xdp->lines[0].line, 10);
	CHECK_EQ(xdp->lines[0].col, 2);
	CHECK_STR(btf_ext_line_file(ext, &xdp->lines[0]), "/src/a.c");
	CHECK_STR(btf_ext_line_text(ext, &xdp->lines[0]), "\tint x = 1;");
	CHECK_EQ(xdp->lines[1].insn_off, 2);
	CHECK_EQ(xdp->lines[1].line, 11);
	CHECK_EQ(xdp->lines[1].col, 5);
	CHECK_STR(btf_ext_line_text(ext, &xdp->lines[1]), "\treturn x;");
	CHECK_EQ(xdp->lines[2].insn_off, 5);
	CHECK_EQ(xdp->lines[2].line, 3);
	CHECK_EQ(xdp->lines[2].col, 0);
	CHECK_STR(btf_ext_line_file(ext, &xdp->lines[2]), "rel/b.c");
	CHECK_EQ(tc->line_cnt, 1);
	CHECK_EQ(tc->lines[0].line, 0x3fffff);
	CHECK_EQ(tc->lines[0].col, 0x3ff);

	CHECK_EQ(xdp->core_cnt, 0);
	CHECK_EQ(tc->core_cnt, with_core ? 2 : 0);
	if (with_core && tc->core_cnt == 2) {
		CHECK_EQ(tc->cores[0].insn_off, 1);
		CHECK_EQ(tc->cores[0].type_id, ids.t_pair);
		CHECK_EQ(tc->cores[0].kind, BPF_CORE_FIELD_BYTE_OFFSET);
		CHECK_STR(btf_ext_str(ext, tc->cores[0].access_str_off), "0:1");
		CHECK_EQ(tc->cores[1].insn_off, 2);
		CHECK_EQ(tc->cores[1].type_id, ids.t_color_t);
		CHECK_EQ(tc->cores[1].kind, BPF_CORE_ENUMVAL_VALUE);
		CHECK_STR(btf_ext_str(ext, tc->cores[1].access_str_off), "1");
	}
}

static void test_standard_section(void)
{
	struct btf_ext *ext = NULL;
	struct blob b;

	build_ext(&b, 32, 8, 16, 16);
	CHECK_EQ(parse(&b, &ext), 0);
	CHECK_STR(err, "");
	if (ext)
		check_standard(ext, true);
	btf_ext_free(ext);
}

/* Without the size callback the same records come out. */
static void test_without_section_sizes(void)
{
	struct btf_ext *ext = NULL;
	struct blob b;

	build_ext(&b, 32, 8, 16, 16);
	CHECK_EQ(btf_ext_parse(b.d, b.n, btf, NULL, NULL, &ext, err, sizeof(err)), 0);
	if (ext) {
		check_standard(ext, true);
		CHECK_EQ(btf_ext_check_sizes(ext, test_sec_size, NULL, err, sizeof(err)), 0);
	}
	btf_ext_free(ext);
}

/* An older compiler's header (no CO-RE part), a newer compiler's larger
 * header and larger records: the known fields come out the same. */
static void test_header_and_record_sizes(void)
{
	struct btf_ext *ext = NULL;
	struct blob b;

	build_ext(&b, 24, 8, 16, 16);
	CHECK_EQ(parse(&b, &ext), 0);
	if (ext)
		check_standard(ext, false);
	btf_ext_free(ext);
	ext = NULL;

	build_ext(&b, 40, 12, 24, 20);
	CHECK_EQ(parse(&b, &ext), 0);
	CHECK_STR(err, "");
	if (ext)
		check_standard(ext, true);
	btf_ext_free(ext);
}

static void test_lookups(void)
{
	const struct btf_line_rec *l;
	const struct btf_func_rec *f;
	const struct btf_ext_sec *xdp;
	struct btf_ext *ext = NULL;
	uint32_t idx[4];
	char text[64];
	struct blob b;

	build_ext(&b, 32, 8, 16, 16);
	if (parse(&b, &ext)) {
		CHECK(!"parse");
		return;
	}
	xdp = btf_ext_section(ext, "xdp");
	/* line records at insns 0, 2, 5 */
	static const uint32_t want_line[8] = { 10, 10, 11, 11, 11, 3, 3, 3 };
	for (uint32_t i = 0; i < 8; i++) {
		l = btf_ext_line_at(xdp, i);
		CHECK(l != NULL);
		if (l)
			CHECK_EQ(l->line, want_line[i]);
	}
	/* func records at insns 0 and 5 */
	f = btf_ext_func_at(xdp, 4);
	CHECK(f && f->type_id == (uint32_t)ids.f_a);
	f = btf_ext_func_at(xdp, 5);
	CHECK(f && f->type_id == (uint32_t)ids.f_b);
	CHECK(btf_ext_line_at(NULL, 0) == NULL);

	CHECK_EQ(btf_ext_line_format(ext, &xdp->lines[1], text, sizeof(text)), 13);
	CHECK_STR(text, "/src/a.c:11:5");
	btf_ext_line_format(ext, &xdp->lines[2], text, sizeof(text));
	CHECK_STR(text, "rel/b.c:3");

	const struct btf_ext_sec *tc = btf_ext_section(ext, "tc");
	CHECK_EQ(btf_ext_core_access(ext, &tc->cores[0], idx, 4), 2);
	CHECK(idx[0] == 0 && idx[1] == 1);
	CHECK_EQ(btf_ext_core_access(ext, &tc->cores[0], idx, 1), -E2BIG);
	CHECK_STR(btf_ext_core_kind_name(BPF_CORE_FIELD_BYTE_OFFSET), "byte_off");
	CHECK_STR(btf_ext_core_kind_name(BPF_CORE_ENUMVAL_VALUE), "enumval_value");
	CHECK_STR(btf_ext_core_kind_name(BPF_CORE_TYPE_MATCHES), "type_matches");
	CHECK_STR(btf_ext_core_kind_name(13), "unknown");
	btf_ext_free(ext);
}

/* Two blocks for the same section merge into one, in file order; a
 * later block must continue after the earlier one. */
static void test_same_section_twice(void)
{
	struct btf_ext *ext = NULL;
	struct blob b;

	build_ext(&b, 32, 8, 16, 16);
	/* func_info: rename tc's block to xdp, its record to insn 6 of xdp */
	set32(&b, at.func_tc_rec - 8, (uint32_t)ids.s_xdp);
	set32(&b, at.func_tc_rec, 5 * 8);
	CHECK_EQ(parse(&b, &ext), -EINVAL);
	CHECK_CONTAINS(err, "insn 5 does not come after the previous record's insn 5");
	set32(&b, at.func_tc_rec, 5 * 8 + 8);
	/* with xdp 6 instructions long, insn 6 is past its end */
	CHECK_EQ(parse(&b, &ext), -EINVAL);
	CHECK_CONTAINS(err, "insn_off 0x30 (insn 6) is past the end of the section (6 instructions)");
	set32(&b, at.func_xdp_rec[1], 4 * 8);
	set32(&b, at.func_tc_rec, 5 * 8);
	CHECK_EQ(parse(&b, &ext), 0);
	if (ext) {
		const struct btf_ext_sec *xdp = btf_ext_section(ext, "xdp");
		const struct btf_ext_sec *tc = btf_ext_section(ext, "tc");

		CHECK(xdp && xdp->func_cnt == 3);
		if (xdp && xdp->func_cnt == 3) {
			CHECK_EQ(xdp->funcs[1].insn_off, 4);
			CHECK_EQ(xdp->funcs[2].insn_off, 5);
			CHECK_EQ(xdp->funcs[2].type_id, ids.f_c);
		}
		CHECK(tc && tc->func_cnt == 0 && tc->line_cnt == 1);
	}
	btf_ext_free(ext);
}

/* ---- malformed ---- */

/* Parses b; expects errnum and a message containing want. */
#define EXPECT_ERR(b, errnum, want)                                     \
	do {                                                            \
		struct btf_ext *e_ = (struct btf_ext *)1;               \
		CHECK_EQ(parse((b), &e_), -(errnum));                   \
		CHECK(e_ == NULL);                                      \
		CHECK_CONTAINS(err, want);                              \
	} while (0)

static void test_bad_header(void)
{
	struct blob b, good;
	char want[160];

	build_ext(&good, 32, 8, 16, 16);

	b = good;
	b.n = 7;
	EXPECT_ERR(&b, EINVAL, "BTF.ext: 7 bytes is too short for a header");
	b = good;
	b.d[0] = 0x00;
	EXPECT_ERR(&b, EINVAL, "BTF.ext: bad magic 0xeb00 at offset 0 (expected 0xeb9f)");
	b = good;
	b.d[0] = 0xeb;
	b.d[1] = 0x9f;
	EXPECT_ERR(&b, ENOTSUP, "big-endian object");
	b = good;
	b.d[2] = 2;
	EXPECT_ERR(&b, ENOTSUP, "BTF.ext: version 2 at offset 2 is not supported");
	b = good;
	b.d[3] = 1;
	EXPECT_ERR(&b, ENOTSUP, "BTF.ext: flags 0x1 at offset 3");
	b = good;
	set32(&b, at.hdr_len, (uint32_t)b.n + 1);
	snprintf(want, sizeof(want), "header length %zu at offset 4 is beyond the end of the section (%zu bytes)",
		 b.n + 1, b.n);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.hdr_len, 20);
	EXPECT_ERR(&b, EINVAL, "BTF.ext: header length 20 at offset 4 is too short");
	b = good;
	b.n = 32;
	EXPECT_ERR(&b, EINVAL, "BTF.ext: nothing after the header");
}

static void test_bad_parts(void)
{
	struct blob b, good;
	char want[200];

	build_ext(&good, 32, 8, 16, 16);

	b = good;
	set32(&b, at.line_off_field, 2);
	EXPECT_ERR(&b, EINVAL, "BTF.ext line_info: offset 0x2 (at offset 0x10) is not a multiple of 4");
	b = good;
	set32(&b, at.core_off_field + 4, (uint32_t)b.n - at.core_start + 4);
	snprintf(want, sizeof(want), "BTF.ext core_relo: 0x%zx bytes at offset 0x%x run past the end of the section (0x%zx bytes)",
		 b.n - at.core_start + 4, at.core_start, b.n);
	EXPECT_ERR(&b, EINVAL, want);
	b = good; /* offset so large that offset + length wraps 32 bits */
	set32(&b, at.func_off_field, 0xfffffff0);
	EXPECT_ERR(&b, EINVAL, "BTF.ext func_info: 0x");
	b = good;
	set32(&b, at.func_off_field + 4, 3);
	snprintf(want, sizeof(want), "BTF.ext func_info at offset 0x%x: 3 bytes, no room for the record size",
		 at.func_start);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.func_off_field + 4, 4);
	snprintf(want, sizeof(want), "BTF.ext func_info at offset 0x%x: a record size and no records",
		 at.func_start);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.line_start, 12);
	snprintf(want, sizeof(want), "BTF.ext line_info at offset 0x%x: record size 12 is invalid",
		 at.line_start);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.func_start, 10);
	EXPECT_ERR(&b, EINVAL, "record size 10 is invalid");
	b = good; /* a record size larger than the whole section */
	set32(&b, at.core_start, 0xfffffffc);
	snprintf(want, sizeof(want), "BTF.ext core_relo: block at offset 0x%x: 2 records of 4294967292 bytes run past the end of core_relo",
		 at.core_tc_block);
	EXPECT_ERR(&b, EINVAL, want);
	b = good; /* a huge count */
	set32(&b, at.line_xdp_block + 4, 0xffffffff);
	snprintf(want, sizeof(want), "BTF.ext line_info: block at offset 0x%x: 4294967295 records of 16 bytes run past the end of line_info",
		 at.line_xdp_block);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.line_xdp_block + 4, 0);
	snprintf(want, sizeof(want), "BTF.ext line_info: block at offset 0x%x: num_info is 0",
		 at.line_xdp_block);
	EXPECT_ERR(&b, EINVAL, want);
	b = good; /* the part's length ends inside a block header */
	set32(&b, at.func_off_field + 4, at.func_tc_rec - 4 - at.func_start);
	snprintf(want, sizeof(want), "BTF.ext func_info: block at offset 0x%x: 4 bytes left, too few for a section header",
		 at.func_tc_rec - 8);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.func_xdp_block, 0x7fffffff);
	snprintf(want, sizeof(want), "BTF.ext func_info: block at offset 0x%x: section name offset 0x7fffffff is outside the BTF strings",
		 at.func_xdp_block);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.func_xdp_block, 0);
	EXPECT_ERR(&b, EINVAL, "the section name is empty");
	b = good;
	set32(&b, at.core_tc_block, (uint32_t)ids.s_file_a);
	snprintf(want, sizeof(want), "BTF.ext core_relo: block at offset 0x%x: section '/src/a.c': the object has no code section of that name",
		 at.core_tc_block);
	EXPECT_ERR(&b, ENOENT, want);
}

static void test_bad_records(void)
{
	struct blob b, good;
	char want[240];

	build_ext(&good, 32, 8, 16, 16);

	b = good; /* the brief's example, in func_info, line_info, core_relo */
	set32(&b, at.func_xdp_rec[1], 0x1f);
	snprintf(want, sizeof(want), "BTF.ext func_info: section 'xdp' record 1 at offset 0x%x: insn_off 0x1f is not a multiple of 8",
		 at.func_xdp_rec[1]);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.line_xdp_rec[2], 0x2c);
	snprintf(want, sizeof(want), "BTF.ext line_info: section 'xdp' record 2 at offset 0x%x: insn_off 0x2c is not a multiple of 8",
		 at.line_xdp_rec[2]);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.core_rec[1], 0x20);
	snprintf(want, sizeof(want), "BTF.ext core_relo: section 'tc' record 1 at offset 0x%x: insn_off 0x20 (insn 4) is past the end of the section (4 instructions)",
		 at.core_rec[1]);
	EXPECT_ERR(&b, EINVAL, want);
	b = good; /* out of order */
	set32(&b, at.line_xdp_rec[1], 0);
	snprintf(want, sizeof(want), "BTF.ext line_info: section 'xdp' record 1 at offset 0x%x: insn 0 does not come after the previous record's insn 0",
		 at.line_xdp_rec[1]);
	EXPECT_ERR(&b, EINVAL, want);

	b = good;
	set32(&b, at.func_xdp_rec[0] + 4, 99);
	EXPECT_ERR(&b, EINVAL, "record 0 at offset");
	CHECK_CONTAINS(err, "type_id 99 is not in the BTF (types 1..8)");
	b = good;
	set32(&b, at.func_xdp_rec[0] + 4, (uint32_t)ids.t_pair);
	EXPECT_ERR(&b, EINVAL, "type_id 6 (STRUCT) is not a FUNC");
	b = good;
	set32(&b, at.func_xdp_rec[0] + 4, 0);
	EXPECT_ERR(&b, EINVAL, "type_id 0 (void) is not a FUNC");
	b = good;
	set32(&b, at.line_tc_rec + 4, 0x10000);
	snprintf(want, sizeof(want), "BTF.ext line_info: section 'tc' record 0 at offset 0x%x: file_name_off 0x10000 is outside the BTF strings",
		 at.line_tc_rec);
	EXPECT_ERR(&b, EINVAL, want);
	b = good;
	set32(&b, at.line_tc_rec + 8, 0xffffffff);
	EXPECT_ERR(&b, EINVAL, "line_off 0xffffffff is outside the BTF strings");

	b = good;
	set32(&b, at.core_rec[0] + 4, 9);
	EXPECT_ERR(&b, EINVAL, "BTF.ext core_relo: section 'tc' record 0");
	CHECK_CONTAINS(err, "type_id 9 is not in the BTF");
	b = good;
	set32(&b, at.core_rec[0] + 8, 0x123456);
	EXPECT_ERR(&b, EINVAL, "access string offset 0x123456 is outside the BTF strings");
	b = good;
	set32(&b, at.core_rec[0] + 12, 13);
	EXPECT_ERR(&b, EINVAL, "kind 13 is not a CO-RE relocation kind (0..12)");
	b = good;
	set32(&b, at.core_rec[0] + 8, (uint32_t)ids.s_text1);
	EXPECT_ERR(&b, EINVAL, "access string \"\tint x = 1;\" is not indices separated by ':'");
	b = good; /* a type relocation must say "0" */
	set32(&b, at.core_rec[0] + 12, BPF_CORE_TYPE_SIZE);
	EXPECT_ERR(&b, EINVAL, "type_size relocation with access string \"0:1\" (must be \"0\")");
	b = good; /* an enum relocation of a struct */
	set32(&b, at.core_rec[1] + 4, (uint32_t)ids.t_pair);
	EXPECT_ERR(&b, EINVAL, "enumval_value relocation of type [6] (STRUCT), not an enum");
	b = good; /* enumerator 1 of 2 is fine, "0:1" is two indices */
	set32(&b, at.core_rec[1] + 8, (uint32_t)ids.s_acc01);
	EXPECT_ERR(&b, EINVAL, "(must be one enumerator index)");
	b = good; /* color has RED and BLUE: indices 0 and 1 */
	set32(&b, at.core_rec[1] + 8, (uint32_t)ids.s_acc2);
	EXPECT_ERR(&b, EINVAL, "enumerator index 2 is out of range: enum [7] has 2 values");
	b = good;
	set32(&b, at.core_rec[1] + 8, (uint32_t)ids.s_acc0);
	set32(&b, at.core_rec[1] + 12, BPF_CORE_ENUMVAL_EXISTS);
	{
		struct btf_ext *ext = NULL;

		CHECK_EQ(parse(&b, &ext), 0);
		btf_ext_free(ext);
	}
}

/* Access strings: what is a valid one, through a BTF of its own. */
static void test_access_strings(void)
{
	static const struct {
		const char *s;
		int want;
	} cases[] = {
		{ "0", 1 }, { "0:1:2:3", 4 }, { "10:2147483647", 2 }, { "", -EINVAL },
		{ ":1", -EINVAL }, { "1:", -EINVAL }, { "1::2", -EINVAL }, { "1:-2", -EINVAL },
		{ " 1", -EINVAL }, { "2147483648", -EINVAL }, { "99999999999999999999", -EINVAL },
		{ "0x1", -EINVAL },
	};
	struct btf_core_rec rec = { 0 };
	struct btf_ext ext = { .btf = btf };
	uint32_t idx[8];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int off = btf__add_str(btf, cases[i].s);

		rec.access_str_off = (uint32_t)off;
		CHECK_REPORT(btf_ext_core_access(&ext, &rec, idx, 8) == cases[i].want,
			     "access \"%s\": %d, want %d", cases[i].s,
			     btf_ext_core_access(&ext, &rec, idx, 8), cases[i].want);
	}
	rec.access_str_off = (uint32_t)btf__add_str(btf, "10:2147483647");
	btf_ext_core_access(&ext, &rec, idx, 8);
	CHECK(idx[0] == 10 && idx[1] == 2147483647u);

	/* 65 indices: more than CO-RE takes (64) */
	char many[200] = "0";
	for (int i = 0; i < 64; i++)
		strcat(many, ":1");
	rec.access_str_off = (uint32_t)btf__add_str(btf, many);
	CHECK_EQ(btf_ext_core_access(&ext, &rec, NULL, 64), -E2BIG);
	CHECK_EQ(btf_ext_core_access(&ext, &rec, NULL, 65), 65);
}

/* Every truncation of a valid section is refused cleanly (the lengths in
 * its header no longer fit); every single corrupted byte and a sweep of
 * random corruptions parse or fail without crashing or leaking, and a
 * failure always says why. */
static void test_truncation_and_corruption(void)
{
	struct btf_ext *ext;
	struct blob good, b;
	unsigned int seed = 12345;
	int failures = 0, ok = 0;

	build_ext(&good, 32, 8, 16, 16);
	for (size_t n = 0; n < good.n; n++) {
		ext = NULL;
		err[0] = '\0';
		if (btf_ext_parse(good.d, n, btf, test_sec_size, NULL, &ext, err, sizeof(err)) == 0) {
			CHECK_REPORT(0, "truncated to %zu bytes: parsed", n);
			btf_ext_free(ext);
		} else {
			CHECK_REPORT(err[0] != '\0' && ext == NULL, "truncated to %zu: no message", n);
		}
	}
	for (size_t i = 0; i < good.n; i++) {
		for (int v = 0; v < 256; v += 51) {
			b = good;
			b.d[i] ^= (uint8_t)(v | 1);
			ext = NULL;
			err[0] = '\0';
			if (parse(&b, &ext) == 0) {
				ok++;
				btf_ext_free(ext);
			} else {
				failures += err[0] == '\0';
			}
		}
	}
	for (int round = 0; round < 3000; round++) {
		b = good;
		for (int k = 1 + rand_r(&seed) % 4; k > 0; k--) {
			size_t i = (size_t)rand_r(&seed) % b.n;

			if (rand_r(&seed) % 3)
				b.d[i] = (uint8_t)rand_r(&seed);
			else /* small values in whole words: counts, sizes, offsets */
				set32(&b, (uint32_t)(i & ~(size_t)3), (uint32_t)rand_r(&seed) % 64);
		}
		ext = NULL;
		err[0] = '\0';
		if (parse(&b, &ext) == 0) {
			ok++;
			btf_ext_free(ext);
		} else {
			failures += err[0] == '\0';
		}
	}
	CHECK_EQ(failures, 0);
	CHECK(ok > 0); /* some corruptions (padding, unused bytes) are harmless */
	printf("  corruptions that still parse: %d\n", ok);
}

/* Many blocks over many sections (a linked object, or a hostile one):
 * grouped correctly, in little time. */
static void test_many_blocks(void)
{
	enum { NAMES = 1000, BLOCKS = 60000 };
	size_t size = 32 + 4 + (size_t)BLOCKS * (8 + 16);
	uint32_t *w = calloc(size / 4, 4), *q, name_off[NAMES];
	struct btf_ext *ext = NULL;
	char name[32];

	if (!w) {
		CHECK(!"calloc");
		return;
	}
	for (int i = 0; i < NAMES; i++) {
		snprintf(name, sizeof(name), "kprobe/fn_%d", i);
		name_off[i] = (uint32_t)btf__add_str(btf, name);
	}
	w[0] = 0x0001eb9f;
	w[1] = 32;
	w[4] = 0;                  /* line_info_off */
	w[5] = (uint32_t)size - 32; /* line_info_len */
	q = w + 8;
	*q++ = 16;
	for (int j = 0; j < BLOCKS; j++) {
		*q++ = name_off[j % NAMES];
		*q++ = 1;
		*q++ = (uint32_t)(j / NAMES) * 8; /* each section's next instruction */
		*q++ = (uint32_t)ids.s_file_a;
		*q++ = (uint32_t)ids.s_text1;
		*q++ = (uint32_t)j << 10;
	}
	CHECK_EQ(btf_ext_parse(w, size, btf, NULL, NULL, &ext, err, sizeof(err)), 0);
	if (ext) {
		CHECK_EQ(ext->sec_cnt, NAMES);
		const struct btf_ext_sec *s = btf_ext_section(ext, "kprobe/fn_7");
		CHECK(s && s == &ext->secs[7] && s->line_cnt == BLOCKS / NAMES);
		if (s && s->line_cnt == BLOCKS / NAMES) {
			CHECK_EQ(s->lines[0].line, 7);
			CHECK_EQ(s->lines[59].insn_off, 59);
			CHECK_EQ(s->lines[59].line, 59 * NAMES + 7);
		}
	}
	btf_ext_free(ext);
	free(w);
}

/* line_info only: one record per block, block j naming name_off[j] at
 * instruction insn[j], line 100 + j. */
static uint32_t *line_blocks(const uint32_t *name_off, const uint32_t *insn, int cnt,
			     size_t *size)
{
	uint32_t *w, *q;

	*size = 32 + 4 + (size_t)cnt * (8 + 16);
	w = calloc(*size / 4, 4);
	if (!w)
		return NULL;
	w[0] = 0x0001eb9f;
	w[1] = 32;
	w[5] = (uint32_t)*size - 32; /* line_info_len */
	q = w + 8;
	*q++ = 16;
	for (int j = 0; j < cnt; j++) {
		*q++ = name_off[j];
		*q++ = 1;
		*q++ = insn[j] * 8;
		*q++ = (uint32_t)ids.s_file_a;
		*q++ = (uint32_t)ids.s_text1;
		*q++ = (uint32_t)(100 + j) << 10;
	}
	return w;
}

/* Names are compared by their text, not their string offset: "kprobe/f"
 * as a string of its own and as the tail of "xkprobe/f" is one section.
 * Names beyond 8 KiB are refused (they would make grouping slow). */
static void test_section_names(void)
{
	uint32_t whole = (uint32_t)btf__add_str(btf, "kprobe/f");
	uint32_t longer = (uint32_t)btf__add_str(btf, "xkprobe/f");
	uint32_t names[4] = { whole, longer + 1, longer, longer + 1 };
	uint32_t insns[4] = { 0, 1, 0, 3 };
	struct btf_ext *ext = NULL;
	size_t size;
	uint32_t *w = line_blocks(names, insns, 4, &size);
	char *huge;

	CHECK(whole != longer + 1);
	if (!w)
		return;
	CHECK_EQ(btf_ext_parse(w, size, btf, NULL, NULL, &ext, err, sizeof(err)), 0);
	if (ext) {
		CHECK_EQ(ext->sec_cnt, 2);
		CHECK(!strcmp(ext->secs[0].sec_name, "kprobe/f"));
		CHECK(!strcmp(ext->secs[1].sec_name, "xkprobe/f"));
		CHECK_EQ(ext->secs[0].line_cnt, 3);
		if (ext->secs[0].line_cnt == 3) {
			CHECK_EQ(ext->secs[0].lines[1].insn_off, 1);
			CHECK_EQ(ext->secs[0].lines[1].line, 101);
			CHECK_EQ(ext->secs[0].lines[2].line, 103);
		}
		CHECK_EQ(ext->secs[1].line_cnt, 1);
	}
	btf_ext_free(ext);
	/* insn 0 twice in one section, from blocks naming it differently */
	w[9 + 6 + 2] = 0; /* block 1's insn_off */
	ext = (struct btf_ext *)1;
	CHECK_EQ(btf_ext_parse(w, size, btf, NULL, NULL, &ext, err, sizeof(err)), -EINVAL);
	CHECK(ext == NULL);
	CHECK_CONTAINS(err, "section 'kprobe/f' record 0 at offset 0x44: insn 0 does not come after");
	free(w);

	huge = malloc(8194);
	if (!huge)
		return;
	memset(huge, 'a', 8193);
	huge[8193] = '\0';
	names[0] = (uint32_t)btf__add_str(btf, huge);
	names[1] = names[0] + 1; /* 8192 bytes: still allowed */
	insns[1] = 1;
	w = line_blocks(names, insns, 2, &size);
	free(huge);
	if (!w)
		return;
	CHECK_EQ(btf_ext_parse(w, size, btf, NULL, NULL, &ext, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "BTF.ext line_info: block at offset 0x24: the section name (string offset");
	CHECK_CONTAINS(err, "is longer than 8192 bytes");
	w[9] = names[1]; /* block 0's name */
	CHECK_EQ(btf_ext_parse(w, size, btf, NULL, NULL, &ext, err, sizeof(err)), 0);
	CHECK(ext && ext->sec_cnt == 1 && ext->secs[0].line_cnt == 2);
	btf_ext_free(ext);
	free(w);
}

static void test_bad_arguments(void)
{
	struct btf_ext *ext = (struct btf_ext *)1;
	struct blob b;

	build_ext(&b, 32, 8, 16, 16);
	CHECK_EQ(btf_ext_parse(b.d, b.n, NULL, NULL, NULL, &ext, err, sizeof(err)), -EINVAL);
	CHECK(ext == NULL);
	CHECK_CONTAINS(err, "no .BTF");
	CHECK_EQ(btf_ext_parse(NULL, 0, btf, NULL, NULL, &ext, err, sizeof(err)), -EINVAL);
	CHECK_EQ(btf_ext_parse(b.d, b.n, btf, NULL, NULL, &ext, NULL, 0), 0);
	btf_ext_free(ext);
	btf_ext_free(NULL);
}

/* ---- real objects ---- */

struct elf_obj {
	int fd;
	Elf *elf;
	struct btf *btf;
	Elf_Data *ext;
};

static int64_t elf_sec_size(void *ctx, const char *name)
{
	struct elf_obj *o = ctx;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(o->elf, &shstrndx))
		return -1;
	while ((scn = elf_nextscn(o->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			return -1;
		n = elf_strptr(o->elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name))
			return (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR))
				       ? (int64_t)sh.sh_size : -1;
	}
	return -1;
}

static int elf_open(const char *path, struct elf_obj *o)
{
	Elf_Data *btf_data = NULL;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	memset(o, 0, sizeof(*o));
	elf_version(EV_CURRENT);
	o->fd = open(path, O_RDONLY);
	if (o->fd < 0)
		return -errno;
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_getshdrstrndx(o->elf, &shstrndx))
		return -EINVAL;
	while ((scn = elf_nextscn(o->elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		n = elf_strptr(o->elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, ".BTF"))
			btf_data = elf_getdata(scn, NULL);
		if (n && !strcmp(n, ".BTF.ext"))
			o->ext = elf_getdata(scn, NULL);
	}
	if (!btf_data || !o->ext)
		return -ENOENT;
	o->btf = btf__new(btf_data->d_buf, (uint32_t)btf_data->d_size);
	return o->btf ? 0 : -EINVAL;
}

static void elf_close(struct elf_obj *o)
{
	btf__free(o->btf);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd > 0)
		close(o->fd);
}

static int parse_obj(struct elf_obj *o, struct btf_ext **ext)
{
	return btf_ext_parse(o->ext->d_buf, o->ext->d_size, o->btf, elf_sec_size, o, ext, err,
			     sizeof(err));
}

static const char **obj_paths;
static int obj_cnt;

static void test_real_objects(void)
{
	for (int i = 0; i < obj_cnt; i++) {
		struct btf_ext *ext = NULL;
		struct elf_obj o;
		size_t funcs = 0, lines = 0;

		CHECK_REPORT(elf_open(obj_paths[i], &o) == 0, "%s: cannot open", obj_paths[i]);
		if (o.btf && o.ext) {
			CHECK_REPORT(parse_obj(&o, &ext) == 0, "%s: %s", obj_paths[i], err);
			for (size_t k = 0; ext && k < ext->sec_cnt; k++) {
				funcs += ext->secs[k].func_cnt;
				lines += ext->secs[k].line_cnt;
				/* every code section's first function and line at insn 0 */
				CHECK(ext->secs[k].func_cnt && ext->secs[k].funcs[0].insn_off == 0);
				CHECK(ext->secs[k].line_cnt && ext->secs[k].lines[0].insn_off == 0);
			}
			printf("  %s: %zu sections, %zu functions, %zu line records\n", obj_paths[i],
			       ext ? ext->sec_cnt : 0, funcs, lines);
			/* a function has one line at least */
			CHECK(funcs >= 1 && lines >= funcs);
			btf_ext_free(ext);
		}
		elf_close(&o);
	}
}

/* The records as text, for btf_ext_oracle_test.py. */
static int dump(const char *path)
{
	struct btf_ext *ext = NULL;
	struct elf_obj o;
	int ret;

	ret = elf_open(path, &o);
	if (!ret)
		ret = parse_obj(&o, &ext);
	if (ret) {
		fprintf(stderr, "%s: %s (%d)\n", path, err, ret);
		elf_close(&o);
		return 1;
	}
	for (size_t k = 0; k < ext->sec_cnt; k++) {
		const struct btf_ext_sec *s = &ext->secs[k];

		printf("sec %s\n", s->sec_name);
		for (size_t i = 0; i < s->func_cnt; i++)
			printf("func %u %u\n", s->funcs[i].insn_off, s->funcs[i].type_id);
		for (size_t i = 0; i < s->line_cnt; i++)
			printf("line %u %u %u %s\t%s\n", s->lines[i].insn_off, s->lines[i].line,
			       s->lines[i].col, btf_ext_line_file(ext, &s->lines[i]),
			       btf_ext_line_text(ext, &s->lines[i]));
		for (size_t i = 0; i < s->core_cnt; i++)
			printf("core %u %u %s %s\n", s->cores[i].insn_off, s->cores[i].type_id,
			       btf_ext_core_kind_name(s->cores[i].kind),
			       btf_ext_str(ext, s->cores[i].access_str_off));
		/* every instruction: its line and function, by lookup */
		for (uint32_t i = 0; i < elf_sec_size(&o, s->sec_name) / 8; i++) {
			const struct btf_line_rec *l = btf_ext_line_at(s, i);
			const struct btf_func_rec *f = btf_ext_func_at(s, i);

			if (l)
				printf("at %u %u %u %u %s\n", i, f ? f->type_id : 0, l->line, l->col,
				       btf_ext_line_file(ext, l));
			else
				printf("at %u %u - - -\n", i, f ? f->type_id : 0);
		}
	}
	btf_ext_free(ext);
	elf_close(&o);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	obj_paths = (const char **)argv + 1;
	obj_cnt = argc - 1;

	build_btf();
	RUN(test_standard_section);
	RUN(test_without_section_sizes);
	RUN(test_header_and_record_sizes);
	RUN(test_lookups);
	RUN(test_same_section_twice);
	RUN(test_bad_header);
	RUN(test_bad_parts);
	RUN(test_bad_records);
	RUN(test_access_strings);
	RUN(test_truncation_and_corruption);
	RUN(test_many_blocks);
	RUN(test_section_names);
	RUN(test_bad_arguments);
	if (obj_cnt)
		RUN(test_real_objects);
	btf__free(btf);
	return check_summary("object_btf_ext_test");
}
