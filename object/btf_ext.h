/* SPDX-License-Identifier: MIT */
/*
 * .BTF.ext: what clang -g records beside the code of a BPF object, per
 * code section: function info (where each function starts and its BTF
 * FUNC type), line info (the file, line, column and source text of the
 * instructions) and CO-RE relocation records (instructions whose field
 * offsets, sizes, type ids or enum values are to be fixed up).
 *
 * btf_ext_parse() checks everything in the section (header, every
 * offset, length, record size and count, every instruction offset and
 * string offset) and gives the records decoded, grouped by section name,
 * instruction offsets already turned into instruction indices. Strings
 * are offsets into the .BTF string section: the result points into the
 * struct btf given, which must outlive it.
 */
#ifndef UEBPF_OBJECT_BTF_EXT_H
#define UEBPF_OBJECT_BTF_EXT_H

#include <stddef.h>
#include <stdint.h>

struct btf;

/* Where a function starts: insn_off is an instruction index within the
 * section (the file's byte offset / 8); type_id a BTF FUNC. */
struct btf_func_rec {
	uint32_t insn_off;
	uint32_t type_id;
};

/* The source of the instructions from insn_off on (up to the next
 * record): file name and line text are BTF string offsets (use
 * btf_ext_line_file / btf_ext_line_text). col is 0 when unknown. */
struct btf_line_rec {
	uint32_t insn_off;
	uint32_t file_name_off;
	uint32_t line_off;
	uint32_t line;
	uint32_t col;
};

/* A CO-RE relocation of the instruction at insn_off: kind is an enum
 * bpf_core_relo_kind, type_id the root type, the access string (a BTF
 * string, "0:1:2") the path from it to the field or the enumerator. */
struct btf_core_rec {
	uint32_t insn_off;
	uint32_t type_id;
	uint32_t access_str_off;
	uint32_t kind;
};

/* The records of one code section, each array in instruction order
 * (funcs and lines strictly increasing; cores in the file's order). */
struct btf_ext_sec {
	const char *sec_name;
	struct btf_func_rec *funcs;
	size_t func_cnt;
	struct btf_line_rec *lines;
	size_t line_cnt;
	struct btf_core_rec *cores;
	size_t core_cnt;
};

struct btf_ext {
	const struct btf *btf; /* where the strings are */
	struct btf_ext_sec *secs; /* in the order the file names them */
	size_t sec_cnt;
};

/* The size in bytes of the code section of that name, or a negative
 * number when the object has no such code section. */
typedef int64_t (*btf_ext_sec_size_fn)(void *ctx, const char *sec_name);

/*
 * Parses the .BTF.ext section data[0..size) against btf (the object's
 * .BTF). With sec_size (may be NULL) every record must name a code
 * section of the object and an instruction inside it; without it, only
 * the multiple-of-8 rule is checked and btf_ext_check_sizes() does the
 * rest later. Returns 0 and *out (free with btf_ext_free), or a negative
 * errno and a message in err naming the part, section, record and byte
 * offset in .BTF.ext of what is wrong.
 */
int btf_ext_parse(const void *data, size_t size, const struct btf *btf,
		  btf_ext_sec_size_fn sec_size, void *ctx,
		  struct btf_ext **out, char *err, size_t err_size);
void btf_ext_free(struct btf_ext *ext);

/* The check btf_ext_parse() does with sec_size, on a parsed ext: every
 * section exists and every record's instruction lies inside it. The
 * message names the section, the part and the record's instruction. */
int btf_ext_check_sizes(const struct btf_ext *ext, btf_ext_sec_size_fn sec_size,
			void *ctx, char *err, size_t err_size);

/* The records of the section of that name, or NULL. */
const struct btf_ext_sec *btf_ext_section(const struct btf_ext *ext, const char *sec_name);

/* The line record in effect at instruction insn_off of the section (the
 * last one at or before it), or NULL. */
const struct btf_line_rec *btf_ext_line_at(const struct btf_ext_sec *sec, uint32_t insn_off);
/* The function containing instruction insn_off (the last function record
 * at or before it), or NULL. */
const struct btf_func_rec *btf_ext_func_at(const struct btf_ext_sec *sec, uint32_t insn_off);

/* A string of the .BTF string section, or NULL if off is outside it. */
const char *btf_ext_str(const struct btf_ext *ext, uint32_t off);
/* The file as clang recorded it (usually absolute; relative when the
 * build mapped prefixes) and the source line's text ("" when clang could
 * not read the file). Never NULL for a record of a parsed ext. */
const char *btf_ext_line_file(const struct btf_ext *ext, const struct btf_line_rec *rec);
const char *btf_ext_line_text(const struct btf_ext *ext, const struct btf_line_rec *rec);
/* "file:line:col" (":col" left out when 0) into buf, as snprintf does;
 * returns the length it needed. */
int btf_ext_line_format(const struct btf_ext *ext, const struct btf_line_rec *rec,
			char *buf, size_t size);

/* libbpf's name for a CO-RE relocation kind ("byte_off", "field_exists",
 * "enumval_value", ...), "unknown" for others. */
const char *btf_ext_core_kind_name(uint32_t kind);

/* The access string of rec split into its indices ("0:2:1:5" -> 0 2 1
 * 5) into idx[0..max): returns how many, -E2BIG when more than max,
 * -EINVAL when the string is not a valid access string. */
int btf_ext_core_access(const struct btf_ext *ext, const struct btf_core_rec *rec,
			uint32_t *idx, size_t max);

#endif /* UEBPF_OBJECT_BTF_EXT_H */
