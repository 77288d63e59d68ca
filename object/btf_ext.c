// SPDX-License-Identifier: MIT
/*
 * .BTF.ext parsing. The layout (kernel include/uapi/linux/btf.h and
 * Documentation/bpf/btf.rst, libbpf's btf.c for the rules it enforces):
 *
 *   header   u16 magic 0xeb9f, u8 version 1, u8 flags 0, u32 hdr_len,
 *            u32 func_info_off, func_info_len, line_info_off, line_info_len,
 *            and, when hdr_len says so, u32 core_relo_off, core_relo_len;
 *            the offsets count from the end of the header (hdr_len).
 *   part     u32 record size, then blocks up to the part's length:
 *   block    u32 sec_name_off, u32 num_info, num_info records.
 *   records  func: insn_off, type_id
 *            line: insn_off, file_name_off, line_off, line_col
 *                  (line = line_col >> 10, column = line_col & 0x3ff)
 *            CO-RE: insn_off, type_id, access_str_off, kind
 *
 * insn_off is in bytes within the section. Records larger than the ones
 * known here are accepted and their tail skipped (libbpf does the same,
 * for newer compilers); smaller ones are refused.
 *
 * The parse walks the parts three times: once to check their structure
 * and count the blocks, once to group the blocks by section name and
 * count the records of each section, once to decode and check the
 * records into arrays of exactly the right size. Every count is bounded
 * by the data and section names by SEC_NAME_MAX, so the work is at most
 * n log n in the section's size, whatever the input.
 */
#include "object/btf_ext.h"

#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BTF_EXT_MAGIC 0xeB9F
#define HDR_LEN_MIN 24  /* through line_info_len */
#define HDR_LEN_CORE 32 /* through core_relo_len */
#define BLOCK_HDR 8     /* sec_name_off, num_info */
#define INSN_SZ 8
#define ACCESS_MAX 64   /* libbpf's BPF_CORE_SPEC_MAX_LEN */
#define MOD_CHAIN_MAX 64 /* typedef/const/... hops to an enum, against cycles */
/* Longer than any real section name ("uprobe/" PATH ":" function); a
 * bound on the cost of comparing names, which may otherwise be whole
 * suffixes of one huge string. */
#define SEC_NAME_MAX 8192

enum part { PART_FUNC, PART_LINE, PART_CORE, PART_CNT };

static const char *const part_names[PART_CNT] = { "func_info", "line_info", "core_relo" };
static const uint32_t part_min_rec[PART_CNT] = { 8, 16, 16 };

struct part_info {
	uint64_t start;  /* offset of the record size in .BTF.ext */
	uint64_t end;    /* offset just past the part */
	uint32_t rec_size;
	size_t block_cnt;
};

struct block {
	uint64_t off;    /* of the block header */
	uint32_t name_off;
	uint32_t num;
};

/* A block of any part, for grouping blocks by section name. */
struct named_block {
	const char *name;
	uint64_t off;   /* of its header, for messages */
	/* In the file: func_info's, line_info's, core_relo's. Below 2^30:
	 * each part is at most 4 GiB of blocks of 16 bytes or more. */
	uint32_t order;
	uint32_t part;
	uint32_t num;
	uint32_t sec;   /* the section it belongs to */
};

struct parser {
	const uint8_t *data;
	size_t size;
	const struct btf *btf;
	uint32_t type_cnt;
	btf_ext_sec_size_fn sec_size;
	void *ctx;
	char *err;
	size_t err_size;
	uint32_t hdr_len;
	struct part_info parts[PART_CNT];
	struct btf_ext *ext;
	int64_t *sec_bytes;  /* per section: its size from sec_size, or -1 */
	size_t *counts[PART_CNT]; /* per section: records of each part */
	struct named_block *blocks; /* every block, in file order */
};

static int fail(struct parser *p, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->err_size) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->err_size, fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

static uint32_t rd32(const struct parser *p, uint64_t off)
{
	uint32_t v;

	memcpy(&v, p->data + off, sizeof(v));
	return v;
}

const char *btf_ext_core_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[BPF_CORE_FIELD_BYTE_OFFSET] = "byte_off",
		[BPF_CORE_FIELD_BYTE_SIZE] = "byte_sz",
		[BPF_CORE_FIELD_EXISTS] = "field_exists",
		[BPF_CORE_FIELD_SIGNED] = "signed",
		[BPF_CORE_FIELD_LSHIFT_U64] = "lshift_u64",
		[BPF_CORE_FIELD_RSHIFT_U64] = "rshift_u64",
		[BPF_CORE_TYPE_ID_LOCAL] = "local_type_id",
		[BPF_CORE_TYPE_ID_TARGET] = "target_type_id",
		[BPF_CORE_TYPE_EXISTS] = "type_exists",
		[BPF_CORE_TYPE_SIZE] = "type_size",
		[BPF_CORE_ENUMVAL_EXISTS] = "enumval_exists",
		[BPF_CORE_ENUMVAL_VALUE] = "enumval_value",
		[BPF_CORE_TYPE_MATCHES] = "type_matches",
	};

	if (kind >= sizeof(names) / sizeof(names[0]) || !names[kind])
		return "unknown";
	return names[kind];
}

static const char *btf_kind_name(uint16_t kind)
{
	static const char *const names[] = {
		"void", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM",
		"FWD", "TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC",
		"FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG",
		"ENUM64",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown kind";
}

static bool kind_is_type_based(uint32_t kind)
{
	return kind == BPF_CORE_TYPE_ID_LOCAL || kind == BPF_CORE_TYPE_ID_TARGET ||
	       kind == BPF_CORE_TYPE_EXISTS || kind == BPF_CORE_TYPE_SIZE ||
	       kind == BPF_CORE_TYPE_MATCHES;
}

static bool kind_is_enum_based(uint32_t kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

/* Splits "0:2:1:5" into indices; -EINVAL when it is not decimal numbers
 * (each below 2^31, as libbpf reads them into an int) separated by
 * single colons, -E2BIG past max. Returns the count. */
static int parse_access(const char *s, uint32_t *idx, size_t max)
{
	size_t n = 0;

	if (!*s)
		return -EINVAL;
	for (;;) {
		uint64_t v = 0;
		const char *start = s;

		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > INT32_MAX)
				return -EINVAL;
			s++;
		}
		if (s == start)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		if (idx)
			idx[n] = (uint32_t)v;
		n++;
		if (!*s)
			return (int)n;
		if (*s++ != ':')
			return -EINVAL;
	}
}

/* ---- header and structure ---- */

static int parse_header(struct parser *p)
{
	uint16_t magic;
	uint32_t off, len;
	uint64_t start;
	int i;

	if (p->size < 8)
		return fail(p, EINVAL, "BTF.ext: %zu bytes is too short for a header (8 bytes at least)",
			    p->size);
	memcpy(&magic, p->data, sizeof(magic));
	if (magic == 0x9FeB)
		return fail(p, ENOTSUP, "BTF.ext: magic 0x%04x at offset 0 is byte-swapped: a big-endian object; only little-endian objects are supported",
			    magic);
	if (magic != BTF_EXT_MAGIC)
		return fail(p, EINVAL, "BTF.ext: bad magic 0x%04x at offset 0 (expected 0x%04x)",
			    magic, BTF_EXT_MAGIC);
	if (p->data[2] != 1)
		return fail(p, ENOTSUP, "BTF.ext: version %u at offset 2 is not supported (only 1)",
			    p->data[2]);
	if (p->data[3])
		return fail(p, ENOTSUP, "BTF.ext: flags 0x%x at offset 3 are not supported (must be 0)",
			    p->data[3]);
	p->hdr_len = rd32(p, 4);
	if (p->hdr_len > p->size)
		return fail(p, EINVAL, "BTF.ext: header length %u at offset 4 is beyond the end of the section (%zu bytes)",
			    p->hdr_len, p->size);
	if (p->hdr_len < HDR_LEN_MIN)
		return fail(p, EINVAL, "BTF.ext: header length %u at offset 4 is too short (%u bytes at least: func_info and line_info)",
			    p->hdr_len, HDR_LEN_MIN);
	if (p->hdr_len == p->size)
		return fail(p, EINVAL, "BTF.ext: nothing after the header (%u bytes)", p->hdr_len);

	for (i = 0; i < PART_CNT; i++) {
		struct part_info *pi = &p->parts[i];
		uint32_t field = 8 + 8 * (uint32_t)i; /* of the part's offset */

		if (i == PART_CORE && p->hdr_len < HDR_LEN_CORE)
			break; /* an older compiler: no CO-RE part */
		off = rd32(p, field);
		len = rd32(p, field + 4);
		if (!len)
			continue;
		if (off % 4)
			return fail(p, EINVAL, "BTF.ext %s: offset 0x%x (at offset 0x%x) is not a multiple of 4",
				    part_names[i], off, field);
		start = (uint64_t)p->hdr_len + off;
		if (start + len > p->size)
			return fail(p, EINVAL, "BTF.ext %s: 0x%x bytes at offset 0x%llx run past the end of the section (0x%zx bytes)",
				    part_names[i], len, (unsigned long long)start, p->size);
		if (len < 4)
			return fail(p, EINVAL, "BTF.ext %s at offset 0x%llx: %u bytes, no room for the record size",
				    part_names[i], (unsigned long long)start, len);
		pi->start = start;
		pi->end = start + len;
		pi->rec_size = rd32(p, start);
		if (pi->rec_size < part_min_rec[i] || pi->rec_size % 4)
			return fail(p, EINVAL, "BTF.ext %s at offset 0x%llx: record size %u is invalid (a multiple of 4, %u at least)",
				    part_names[i], (unsigned long long)start, pi->rec_size,
				    part_min_rec[i]);
		if (len == 4)
			return fail(p, EINVAL, "BTF.ext %s at offset 0x%llx: a record size and no records",
				    part_names[i], (unsigned long long)start);
	}
	return 0;
}

/* The block at *pos of part pi, its structure checked; advances *pos. */
static int read_block(struct parser *p, int part, uint64_t *pos, struct block *b)
{
	const struct part_info *pi = &p->parts[part];
	uint64_t left = pi->end - *pos, need;

	b->off = *pos;
	if (left < BLOCK_HDR)
		return fail(p, EINVAL, "BTF.ext %s: block at offset 0x%llx: %llu bytes left, too few for a section header (8)",
			    part_names[part], (unsigned long long)b->off,
			    (unsigned long long)left);
	b->name_off = rd32(p, *pos);
	b->num = rd32(p, *pos + 4);
	if (!b->num)
		return fail(p, EINVAL, "BTF.ext %s: block at offset 0x%llx: num_info is 0",
			    part_names[part], (unsigned long long)b->off);
	need = BLOCK_HDR + (uint64_t)b->num * pi->rec_size;
	if (need > left)
		return fail(p, EINVAL, "BTF.ext %s: block at offset 0x%llx: %u records of %u bytes run past the end of %s (%llu bytes left)",
			    part_names[part], (unsigned long long)b->off, b->num,
			    pi->rec_size, part_names[part],
			    (unsigned long long)(left - BLOCK_HDR));
	*pos += need;
	return 0;
}

static int count_blocks(struct parser *p)
{
	struct block b;
	uint64_t pos;
	int i, err;

	for (i = 0; i < PART_CNT; i++) {
		struct part_info *pi = &p->parts[i];

		if (!pi->end)
			continue;
		for (pos = pi->start + 4; pos < pi->end; pi->block_cnt++) {
			err = read_block(p, i, &pos, &b);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- sections by name ---- */

/* Blocks are grouped by section name by sorting (name, then file order):
 * linear-logarithmic whatever the names are. */
static int by_name_then_order(const void *a, const void *b)
{
	const struct named_block *x = a, *y = b;
	/* the same string offset (clang's usual) needs no comparison */
	int c = x->name == y->name ? 0 : strcmp(x->name, y->name);

	if (c)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

static int by_order(const void *a, const void *b)
{
	const struct named_block *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

static void *alloc_array(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* Sections in the order the file first names them; each block's sec. */
static int group_sections(struct parser *p)
{
	struct btf_ext *ext = p->ext;
	struct named_block *nb;
	size_t total = 0, n = 0, k, *sec_of_leader;
	struct block b;
	uint64_t pos;
	int i, err;

	for (i = 0; i < PART_CNT; i++)
		total += p->parts[i].block_cnt;
	p->blocks = alloc_array(total, sizeof(*p->blocks));
	ext->secs = alloc_array(total, sizeof(*ext->secs));
	p->sec_bytes = alloc_array(total, sizeof(*p->sec_bytes));
	for (i = 0; i < PART_CNT; i++)
		p->counts[i] = alloc_array(total, sizeof(*p->counts[i]));
	if (!p->blocks || !ext->secs || !p->sec_bytes || !p->counts[0] || !p->counts[1] ||
	    !p->counts[2])
		return fail(p, ENOMEM, "BTF.ext: out of memory");

	for (i = 0; i < PART_CNT; i++) {
		struct part_info *pi = &p->parts[i];

		if (!pi->end)
			continue;
		for (pos = pi->start + 4; pos < pi->end; n++) {
			err = read_block(p, i, &pos, &b);
			if (err)
				return err;
			nb = &p->blocks[n];
			nb->name = btf__name_by_offset(p->btf, b.name_off);
			if (!nb->name)
				return fail(p, EINVAL, "BTF.ext %s: block at offset 0x%llx: section name offset 0x%x is outside the BTF strings",
					    part_names[i], (unsigned long long)b.off, b.name_off);
			if (!*nb->name)
				return fail(p, EINVAL, "BTF.ext %s: block at offset 0x%llx: the section name is empty",
					    part_names[i], (unsigned long long)b.off);
			if (strnlen(nb->name, SEC_NAME_MAX + 1) > SEC_NAME_MAX)
				return fail(p, EINVAL, "BTF.ext %s: block at offset 0x%llx: the section name (string offset 0x%x, \"%.40s...\") is longer than %u bytes",
					    part_names[i], (unsigned long long)b.off, b.name_off,
					    nb->name, SEC_NAME_MAX);
			nb->off = b.off;
			nb->order = n;
			nb->part = (uint32_t)i;
			nb->num = b.num;
		}
	}

	/* Each block points at the first block of its name (the leader)... */
	qsort(p->blocks, total, sizeof(*p->blocks), by_name_then_order);
	for (n = 0; n < total; n++) {
		nb = &p->blocks[n];
		nb->sec = (n && !strcmp(nb[-1].name, nb->name)) ? nb[-1].sec : nb->order;
	}
	qsort(p->blocks, total, sizeof(*p->blocks), by_order);

	/* ...and leaders, in file order, become the sections. */
	sec_of_leader = alloc_array(total, sizeof(*sec_of_leader));
	if (!sec_of_leader)
		return fail(p, ENOMEM, "BTF.ext: out of memory");
	for (n = 0; n < total; n++) {
		nb = &p->blocks[n];
		if (nb->sec == nb->order) {
			int64_t bytes = -1;

			if (p->sec_size && (bytes = p->sec_size(p->ctx, nb->name)) < 0) {
				free(sec_of_leader);
				return fail(p, ENOENT, "BTF.ext %s: block at offset 0x%llx: section '%s': the object has no code section of that name",
					    part_names[nb->part], (unsigned long long)nb->off,
					    nb->name);
			}
			k = ext->sec_cnt++;
			ext->secs[k].sec_name = nb->name;
			p->sec_bytes[k] = bytes;
			sec_of_leader[n] = k;
		}
		nb->sec = (uint32_t)sec_of_leader[nb->sec];
		p->counts[nb->part][nb->sec] += nb->num;
	}
	free(sec_of_leader);

	for (k = 0; k < ext->sec_cnt; k++) {
		struct btf_ext_sec *sec = &ext->secs[k];

		if (p->counts[PART_FUNC][k] &&
		    !(sec->funcs = calloc(p->counts[PART_FUNC][k], sizeof(*sec->funcs))))
			return fail(p, ENOMEM, "BTF.ext: out of memory");
		if (p->counts[PART_LINE][k] &&
		    !(sec->lines = calloc(p->counts[PART_LINE][k], sizeof(*sec->lines))))
			return fail(p, ENOMEM, "BTF.ext: out of memory");
		if (p->counts[PART_CORE][k] &&
		    !(sec->cores = calloc(p->counts[PART_CORE][k], sizeof(*sec->cores))))
			return fail(p, ENOMEM, "BTF.ext: out of memory");
	}
	return 0;
}

/* ---- records ---- */

/* What every record shares: where it is, for messages. */
struct rec_ctx {
	int part;
	const char *sec_name;
	uint32_t index;   /* within its block */
	uint64_t off;     /* in .BTF.ext */
	int64_t sec_bytes; /* -1: unknown */
};

#define REC_FMT "BTF.ext %s: section '%s' record %u at offset 0x%llx: "
#define REC_ARGS(r) part_names[(r)->part], (r)->sec_name, (r)->index, (unsigned long long)(r)->off

static int check_insn_off(struct parser *p, const struct rec_ctx *r, uint32_t insn_off)
{
	if (insn_off % INSN_SZ)
		return fail(p, EINVAL, REC_FMT "insn_off 0x%x is not a multiple of 8", REC_ARGS(r),
			    insn_off);
	if (r->sec_bytes >= 0 && insn_off / INSN_SZ >= (uint64_t)r->sec_bytes / INSN_SZ)
		return fail(p, EINVAL, REC_FMT "insn_off 0x%x (insn %u) is past the end of the section (%llu instructions)",
			    REC_ARGS(r), insn_off, insn_off / INSN_SZ,
			    (unsigned long long)r->sec_bytes / INSN_SZ);
	return 0;
}

static int check_increasing(struct parser *p, const struct rec_ctx *r, uint32_t insn,
			    const uint32_t *prev)
{
	if (prev && insn <= *prev)
		return fail(p, EINVAL, REC_FMT "insn %u does not come after the previous record's insn %u (records must be in instruction order, one per instruction)",
			    REC_ARGS(r), insn, *prev);
	return 0;
}

static int check_str(struct parser *p, const struct rec_ctx *r, const char *what, uint32_t off,
		     const char **s)
{
	*s = btf__name_by_offset(p->btf, off);
	if (!*s)
		return fail(p, EINVAL, REC_FMT "%s 0x%x is outside the BTF strings", REC_ARGS(r),
			    what, off);
	return 0;
}

static int check_type_id(struct parser *p, const struct rec_ctx *r, uint32_t type_id)
{
	if (type_id >= p->type_cnt)
		return fail(p, EINVAL, REC_FMT "type_id %u is not in the BTF (types 1..%u)",
			    REC_ARGS(r), type_id, p->type_cnt - 1);
	return 0;
}

static int decode_func(struct parser *p, const struct rec_ctx *r, struct btf_ext_sec *sec)
{
	struct btf_func_rec *f = &sec->funcs[sec->func_cnt];
	uint32_t insn_off = rd32(p, r->off), type_id = rd32(p, r->off + 4);
	const struct btf_type *t;
	int err;

	err = check_insn_off(p, r, insn_off);
	if (!err)
		err = check_increasing(p, r, insn_off / INSN_SZ,
				       sec->func_cnt ? &f[-1].insn_off : NULL);
	if (!err)
		err = check_type_id(p, r, type_id);
	if (err)
		return err;
	t = btf__type_by_id(p->btf, type_id);
	if (!t || !btf_is_func(t))
		return fail(p, EINVAL, REC_FMT "type_id %u (%s) is not a FUNC", REC_ARGS(r), type_id,
			    t ? btf_kind_name(btf_kind(t)) : "void");
	f->insn_off = insn_off / INSN_SZ;
	f->type_id = type_id;
	sec->func_cnt++;
	return 0;
}

static int decode_line(struct parser *p, const struct rec_ctx *r, struct btf_ext_sec *sec)
{
	struct btf_line_rec *l = &sec->lines[sec->line_cnt];
	uint32_t insn_off = rd32(p, r->off), file_off = rd32(p, r->off + 4);
	uint32_t line_off = rd32(p, r->off + 8), line_col = rd32(p, r->off + 12);
	const char *s;
	int err;

	err = check_insn_off(p, r, insn_off);
	if (!err)
		err = check_increasing(p, r, insn_off / INSN_SZ,
				       sec->line_cnt ? &l[-1].insn_off : NULL);
	if (!err)
		err = check_str(p, r, "file_name_off", file_off, &s);
	if (!err)
		err = check_str(p, r, "line_off", line_off, &s);
	if (err)
		return err;
	l->insn_off = insn_off / INSN_SZ;
	l->file_name_off = file_off;
	l->line_off = line_off;
	l->line = BPF_LINE_INFO_LINE_NUM(line_col);
	l->col = BPF_LINE_INFO_LINE_COL(line_col);
	sec->line_cnt++;
	return 0;
}

/* Skips typedefs and qualifiers from type_id, as CO-RE does for the root
 * of an enum relocation; NULL on a chain too long (a cycle). */
static const struct btf_type *skip_mods(const struct btf *btf, uint32_t *type_id)
{
	const struct btf_type *t;
	int hops;

	for (hops = 0; hops < MOD_CHAIN_MAX; hops++) {
		t = btf__type_by_id(btf, *type_id);
		if (!t)
			return NULL;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			*type_id = t->type;
			break;
		default:
			return t;
		}
	}
	return NULL;
}

static int decode_core(struct parser *p, const struct rec_ctx *r, struct btf_ext_sec *sec)
{
	struct btf_core_rec *c = &sec->cores[sec->core_cnt];
	uint32_t insn_off = rd32(p, r->off), type_id = rd32(p, r->off + 4);
	uint32_t access_off = rd32(p, r->off + 8), kind = rd32(p, r->off + 12);
	uint32_t idx[1] = { 0 }, root_id = type_id;
	const struct btf_type *t;
	const char *access;
	int err, n;

	err = check_insn_off(p, r, insn_off);
	if (!err)
		err = check_type_id(p, r, type_id);
	if (!err)
		err = check_str(p, r, "access string offset", access_off, &access);
	if (err)
		return err;
	if (kind > BPF_CORE_TYPE_MATCHES)
		return fail(p, EINVAL, REC_FMT "kind %u is not a CO-RE relocation kind (0..%u)",
			    REC_ARGS(r), kind, BPF_CORE_TYPE_MATCHES);
	n = parse_access(access, NULL, ACCESS_MAX);
	if (n == -E2BIG)
		return fail(p, E2BIG, REC_FMT "access string \"%.40s...\" has more than %u indices",
			    REC_ARGS(r), access, ACCESS_MAX);
	if (n < 0)
		return fail(p, EINVAL, REC_FMT "access string \"%.40s\" is not indices separated by ':'",
			    REC_ARGS(r), access);
	if (kind_is_type_based(kind) && strcmp(access, "0"))
		return fail(p, EINVAL, REC_FMT "%s relocation with access string \"%.40s\" (must be \"0\")",
			    REC_ARGS(r), btf_ext_core_kind_name(kind), access);
	if (kind_is_enum_based(kind)) {
		t = skip_mods(p->btf, &root_id);
		if (!t || !btf_is_any_enum(t))
			return fail(p, EINVAL, REC_FMT "%s relocation of type [%u] (%s), not an enum",
				    REC_ARGS(r), btf_ext_core_kind_name(kind), type_id,
				    t ? btf_kind_name(btf_kind(t)) : "chain of typedefs");
		if (n != 1)
			return fail(p, EINVAL, REC_FMT "%s relocation with access string \"%.40s\" (must be one enumerator index)",
				    REC_ARGS(r), btf_ext_core_kind_name(kind), access);
		parse_access(access, idx, 1);
		if (idx[0] >= btf_vlen(t))
			return fail(p, EINVAL, REC_FMT "enumerator index %u is out of range: enum [%u] has %u values",
				    REC_ARGS(r), idx[0], root_id, btf_vlen(t));
	}
	c->insn_off = insn_off / INSN_SZ;
	c->type_id = type_id;
	c->access_str_off = access_off;
	c->kind = kind;
	sec->core_cnt++;
	return 0;
}

static int decode_records(struct parser *p)
{
	static int (*const decode[PART_CNT])(struct parser *, const struct rec_ctx *,
					     struct btf_ext_sec *) = {
		decode_func, decode_line, decode_core,
	};
	struct btf_ext_sec *sec;
	struct rec_ctx r;
	struct block b;
	uint64_t pos;
	size_t k, n = 0;
	int i, err;

	for (i = 0; i < PART_CNT; i++) {
		struct part_info *pi = &p->parts[i];

		if (!pi->end)
			continue;
		for (pos = pi->start + 4; pos < pi->end;) {
			err = read_block(p, i, &pos, &b);
			if (err)
				return err;
			k = p->blocks[n++].sec;
			sec = &p->ext->secs[k];
			r.part = i;
			r.sec_name = sec->sec_name;
			r.sec_bytes = p->sec_bytes[k];
			for (r.index = 0; r.index < b.num; r.index++) {
				r.off = b.off + BLOCK_HDR + (uint64_t)r.index * pi->rec_size;
				err = decode[i](p, &r, sec);
				if (err)
					return err;
			}
		}
	}
	return 0;
}

int btf_ext_parse(const void *data, size_t size, const struct btf *btf,
		  btf_ext_sec_size_fn sec_size, void *ctx,
		  struct btf_ext **out, char *err, size_t err_size)
{
	struct parser p = {
		.data = data, .size = size, .btf = btf, .sec_size = sec_size, .ctx = ctx,
		.err = err, .err_size = err_size,
	};
	int ret, i;

	if (err && err_size)
		err[0] = '\0';
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!btf)
		return fail(&p, EINVAL, "BTF.ext: the object has no .BTF for its strings and types");
	if (!data && size)
		return fail(&p, EINVAL, "BTF.ext: no data");
	p.type_cnt = btf__type_cnt(btf);
	p.ext = calloc(1, sizeof(*p.ext));
	if (!p.ext)
		return fail(&p, ENOMEM, "BTF.ext: out of memory");
	p.ext->btf = btf;

	ret = parse_header(&p);
	if (!ret)
		ret = count_blocks(&p);
	if (!ret)
		ret = group_sections(&p);
	if (!ret)
		ret = decode_records(&p);

	free(p.sec_bytes);
	free(p.blocks);
	for (i = 0; i < PART_CNT; i++)
		free(p.counts[i]);
	if (ret) {
		btf_ext_free(p.ext);
		return ret;
	}
	*out = p.ext;
	return 0;
}

void btf_ext_free(struct btf_ext *ext)
{
	size_t k;

	if (!ext)
		return;
	for (k = 0; ext->secs && k < ext->sec_cnt; k++) {
		free(ext->secs[k].funcs);
		free(ext->secs[k].lines);
		free(ext->secs[k].cores);
	}
	free(ext->secs);
	free(ext);
}

int btf_ext_check_sizes(const struct btf_ext *ext, btf_ext_sec_size_fn sec_size,
			void *ctx, char *err, size_t err_size)
{
	struct parser p = { .err = err, .err_size = err_size };
	const struct btf_ext_sec *sec;
	uint32_t last;
	int64_t bytes;
	size_t k;

	for (k = 0; k < ext->sec_cnt; k++) {
		sec = &ext->secs[k];
		bytes = sec_size(ctx, sec->sec_name);
		if (bytes < 0)
			return fail(&p, ENOENT, "BTF.ext: section '%s': the object has no code section of that name",
				    sec->sec_name);
		/* funcs and lines are in order: the last is the largest */
		if (sec->func_cnt && (last = sec->funcs[sec->func_cnt - 1].insn_off) >= bytes / INSN_SZ)
			return fail(&p, EINVAL, "BTF.ext func_info: section '%s': insn %u is past the end of the section (%lld instructions)",
				    sec->sec_name, last, (long long)bytes / INSN_SZ);
		if (sec->line_cnt && (last = sec->lines[sec->line_cnt - 1].insn_off) >= bytes / INSN_SZ)
			return fail(&p, EINVAL, "BTF.ext line_info: section '%s': insn %u is past the end of the section (%lld instructions)",
				    sec->sec_name, last, (long long)bytes / INSN_SZ);
		for (size_t i = 0; i < sec->core_cnt; i++)
			if (sec->cores[i].insn_off >= bytes / INSN_SZ)
				return fail(&p, EINVAL, "BTF.ext core_relo: section '%s' record %zu: insn %u is past the end of the section (%lld instructions)",
					    sec->sec_name, i, sec->cores[i].insn_off,
					    (long long)bytes / INSN_SZ);
	}
	return 0;
}

/* ---- lookups ---- */

const struct btf_ext_sec *btf_ext_section(const struct btf_ext *ext, const char *sec_name)
{
	size_t k;

	if (!ext || !sec_name)
		return NULL;
	for (k = 0; k < ext->sec_cnt; k++)
		if (!strcmp(ext->secs[k].sec_name, sec_name))
			return &ext->secs[k];
	return NULL;
}

/* Index of the last of cnt records (stride bytes apart, insn_off first,
 * increasing) at or before insn, or -1. */
static long last_at_or_before(const void *recs, size_t cnt, size_t stride, uint32_t insn)
{
	size_t lo = 0, hi = cnt; /* answer + 1 is in [lo, hi] */
	uint32_t v;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(&v, (const char *)recs + mid * stride, sizeof(v));
		if (v <= insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

const struct btf_line_rec *btf_ext_line_at(const struct btf_ext_sec *sec, uint32_t insn_off)
{
	long i;

	if (!sec)
		return NULL;
	i = last_at_or_before(sec->lines, sec->line_cnt, sizeof(*sec->lines), insn_off);
	return i < 0 ? NULL : &sec->lines[i];
}

const struct btf_func_rec *btf_ext_func_at(const struct btf_ext_sec *sec, uint32_t insn_off)
{
	long i;

	if (!sec)
		return NULL;
	i = last_at_or_before(sec->funcs, sec->func_cnt, sizeof(*sec->funcs), insn_off);
	return i < 0 ? NULL : &sec->funcs[i];
}

const char *btf_ext_str(const struct btf_ext *ext, uint32_t off)
{
	return ext && ext->btf ? btf__name_by_offset(ext->btf, off) : NULL;
}

const char *btf_ext_line_file(const struct btf_ext *ext, const struct btf_line_rec *rec)
{
	const char *s = btf_ext_str(ext, rec->file_name_off);

	return s ? s : "";
}

const char *btf_ext_line_text(const struct btf_ext *ext, const struct btf_line_rec *rec)
{
	const char *s = btf_ext_str(ext, rec->line_off);

	return s ? s : "";
}

int btf_ext_line_format(const struct btf_ext *ext, const struct btf_line_rec *rec,
			char *buf, size_t size)
{
	const char *file = btf_ext_line_file(ext, rec);

	if (rec->col)
		return snprintf(buf, size, "%s:%u:%u", file, rec->line, rec->col);
	return snprintf(buf, size, "%s:%u", file, rec->line);
}

int btf_ext_core_access(const struct btf_ext *ext, const struct btf_core_rec *rec,
			uint32_t *idx, size_t max)
{
	const char *s = btf_ext_str(ext, rec->access_str_off);

	if (!s)
		return -EINVAL;
	return parse_access(s, idx, max);
}
