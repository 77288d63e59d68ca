/* SPDX-License-Identifier: MIT */
/*
 * Structure-aware mutations of BPF ELF objects, for the malformed-object
 * test and the fuzz target: a truncation at a section boundary, a field
 * of the ELF header, of a section header, of a symbol, of a relocation,
 * of the .BTF header or a BTF type record, of .BTF.ext, an instruction,
 * overlapping or misaligned code symbols, a section's bytes. The values
 * written are the ones that break parsers: 0, -1, sizes just past the
 * end, misaligned offsets, huge counts, indices one too far, another
 * section's values, a type that refers to itself.
 *
 * elf_mutate() mutates a buffer in place (never longer; truncations make
 * it shorter), describes what it did, and is deterministic for a given
 * PRNG state. Inputs that are not ELF get byte-level mutations.
 */
#ifndef UEBPF_ELF_MUTATE_H
#define UEBPF_ELF_MUTATE_H

#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tests/objects/corpus_elf.h"

enum em_kind {
	EM_TRUNCATE_AT_SECTION,
	EM_TRUNCATE_RANDOM,
	EM_EHDR,
	EM_SHDR,
	EM_SECTION_OVERLAP,
	EM_SYMBOL,
	EM_CODE_SYMBOL,
	EM_RELOCATION,
	EM_BTF_HEADER,
	EM_BTF_TYPE,
	EM_BTF_STRING,
	EM_BTF_EXT,
	EM_INSN,
	EM_SECTION_BYTES,
	EM_BYTES,
	EM_KINDS
};

static const char *const em_kind_names[EM_KINDS] = {
	"truncate at a section boundary", "truncate anywhere", "ELF header field",
	"section header field", "overlapping sections", "symbol field",
	"code symbol overlap/misalignment", "relocation entry", ".BTF header", "BTF type record",
	"BTF string", ".BTF.ext record", "instruction", "section bytes", "random bytes",
};

static inline uint64_t em_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t em_below(uint64_t *s, uint64_t n)
{
	return n <= 1 ? 0 : (uint32_t)(em_next(s) % n);
}

static inline uint64_t em_get(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;
	memcpy(&v, p, width); /* little-endian host and file */
	return v;
}

static inline void em_put(uint8_t *p, unsigned width, uint64_t v)
{
	memcpy(p, &v, width);
}

/* A value that breaks parsers, given the old one and a size that
 * matters (the file's, a section's, a count). */
static inline uint64_t em_value(uint64_t *rng, uint64_t old, uint64_t size)
{
	static const uint64_t interesting[] = {
		0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 24, 32, 63, 64, 127, 128, 255, 256, 0x7fff,
		0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff,
		0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffffff8ull,
		0xffffffffffffffffull,
	};
	switch (em_below(rng, 8)) {
	case 0:
	case 1:
		return interesting[em_below(rng, sizeof(interesting) / sizeof(interesting[0]))];
	case 2:
		return old + em_below(rng, 33) - 16;
	case 3:
		return old ^ (1ull << em_below(rng, 64));
	case 4:
		return size + em_below(rng, 17) - 8;
	case 5:
		return old + size;
	case 6:
		return old * 2 + em_below(rng, 2);
	default:
		return em_next(rng);
	}
}

static inline void em_describe(char *desc, size_t dsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void em_describe(char *desc, size_t dsize, const char *fmt, ...)
{
	va_list ap;
	if (!desc || !dsize)
		return;
	va_start(ap, fmt);
	vsnprintf(desc, dsize, fmt, ap);
	va_end(ap);
}

struct em_field {
	const char *name;
	unsigned off, width;
};

static const struct em_field em_ehdr_fields[] = {
	{ "e_ident[EI_CLASS]", EI_CLASS, 1 }, { "e_ident[EI_DATA]", EI_DATA, 1 },
	{ "e_ident[EI_VERSION]", EI_VERSION, 1 }, { "e_type", 16, 2 }, { "e_machine", 18, 2 },
	{ "e_version", 20, 4 }, { "e_entry", 24, 8 }, { "e_phoff", 32, 8 }, { "e_shoff", 40, 8 },
	{ "e_flags", 48, 4 }, { "e_ehsize", 52, 2 }, { "e_phentsize", 54, 2 },
	{ "e_phnum", 56, 2 }, { "e_shentsize", 58, 2 }, { "e_shnum", 60, 2 },
	{ "e_shstrndx", 62, 2 },
};

static const struct em_field em_shdr_fields[] = {
	{ "sh_name", 0, 4 }, { "sh_type", 4, 4 }, { "sh_flags", 8, 8 }, { "sh_addr", 16, 8 },
	{ "sh_offset", 24, 8 }, { "sh_size", 32, 8 }, { "sh_link", 40, 4 }, { "sh_info", 44, 4 },
	{ "sh_addralign", 48, 8 }, { "sh_entsize", 56, 8 },
};

static const struct em_field em_sym_fields[] = {
	{ "st_name", 0, 4 }, { "st_info", 4, 1 }, { "st_other", 5, 1 },
	{ "st_shndx", 6, 2 }, { "st_value", 8, 8 }, { "st_size", 16, 8 },
};

#define EM_NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Sections of a type (or with a flag), by index. */
static inline int em_pick_section(uint64_t *rng, const struct elf_view *v, uint32_t type,
				  uint64_t flag)
{
	int found[256], n = 0;
	for (size_t i = 1; i < v->eh->e_shnum && n < 256; i++) {
		const Elf64_Shdr *s = &v->sh[i];
		size_t sz = 0;
		if ((type && s->sh_type != type) || (flag && !(s->sh_flags & flag)))
			continue;
		if (!elf_section_data(v, i, &sz) || !sz)
			continue;
		found[n++] = (int)i;
	}
	return n ? found[em_below(rng, (uint64_t)n)] : -1;
}

/* ---- BTF ---- */

/* Bytes after the 12-byte btf_type of each kind (per vlen where vlen
 * counts); -1 for a kind this walker does not know. */
static inline long em_btf_extra(uint32_t info)
{
	uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
	switch (kind) {
	case 1: case 14: case 17: return 4;                  /* int, var, decl_tag */
	case 3: return 12;                                   /* array */
	case 4: case 5: case 15: case 19: return 12l * vlen; /* struct, union, datasec, enum64 */
	case 6: case 13: return 8l * vlen;                   /* enum, func_proto */
	case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18:
		return 0;
	default: return -1;
	}
}

struct em_btf {
	size_t sec_off, sec_size;      /* the .BTF section in the file */
	size_t types_off, types_len;   /* relative to the section */
	size_t strs_off, strs_len;
	uint32_t type_off[4096];       /* relative to the section */
	uint32_t nr_types;
};

static inline int em_btf_parse(const struct elf_view *v, struct em_btf *b)
{
	int idx = elf_find_section(v, ".BTF");
	const uint8_t *d;
	size_t size = 0;

	memset(b, 0, sizeof(*b));
	if (idx < 0 || !(d = elf_section_data(v, (size_t)idx, &size)) || size < 24)
		return -1;
	b->sec_off = v->sh[idx].sh_offset;
	b->sec_size = size;
	uint32_t hdr_len = (uint32_t)em_get(d + 4, 4);
	uint32_t toff = (uint32_t)em_get(d + 8, 4), tlen = (uint32_t)em_get(d + 12, 4);
	uint32_t soff = (uint32_t)em_get(d + 16, 4), slen = (uint32_t)em_get(d + 20, 4);
	if (hdr_len < 24 || hdr_len > size || toff > size - hdr_len ||
	    tlen > size - hdr_len - toff || soff > size - hdr_len || slen > size - hdr_len - soff)
		return -1;
	b->types_off = hdr_len + toff;
	b->types_len = tlen;
	b->strs_off = hdr_len + soff;
	b->strs_len = slen;
	for (size_t pos = 0; pos + 12 <= tlen && b->nr_types < 4096;) {
		uint32_t info = (uint32_t)em_get(d + b->types_off + pos + 4, 4);
		long extra = em_btf_extra(info);
		if (extra < 0 || pos + 12 + (size_t)extra > tlen)
			break;
		b->type_off[b->nr_types++] = (uint32_t)(b->types_off + pos);
		pos += 12 + (size_t)extra;
	}
	return 0;
}

/* A type id that hurts: none, itself, one too far, huge, a neighbour. */
static inline uint32_t em_type_id(uint64_t *rng, uint32_t self, uint32_t nr_types)
{
	switch (em_below(rng, 7)) {
	case 0: return 0;
	case 1: return self;
	case 2: return nr_types + 1;
	case 3: return nr_types + 1 + em_below(rng, 1000);
	case 4: return 0xffffffff - em_below(rng, 2);
	case 5: return self > 1 ? self - 1 : self + 1;
	default: return 1 + em_below(rng, nr_types ? nr_types : 1);
	}
}

/* ---- the mutations ---- */

static inline size_t em_bytes(uint64_t *rng, uint8_t *buf, size_t len, size_t from, size_t to,
			      char *desc, size_t dsize)
{
	unsigned n = 1 + em_below(rng, em_below(rng, 2) ? 4 : 32);
	if (to <= from)
		return len;
	size_t first = from + em_below(rng, to - from);
	for (unsigned i = 0; i < n; i++) {
		size_t at = from + em_below(rng, to - from);
		switch (em_below(rng, 3)) {
		case 0: buf[at] ^= (uint8_t)(1u << em_below(rng, 8)); break;
		case 1: buf[at] = (uint8_t)em_next(rng); break;
		default: buf[at] = em_below(rng, 2) ? 0xff : 0; break;
		}
	}
	em_describe(desc, dsize, "%u bytes changed in [%zu, %zu) (first near %zu)", n, from, to,
		    first);
	return len;
}

static inline size_t elf_mutate_kind(uint64_t *rng, uint8_t *buf, size_t len, int kind,
				     char *desc, size_t dsize)
{
	struct elf_view v;

	if (elf_view_init(&v, buf, len)) {
		/* Not (or no longer) an ELF file we can read: bytes. */
		if (!len)
			return 0;
		if (em_below(rng, 4) == 0) {
			size_t n = em_below(rng, len);
			em_describe(desc, dsize, "truncated to %zu bytes (not ELF)", n);
			return n;
		}
		return em_bytes(rng, buf, len, 0, len, desc, dsize);
	}
	uint16_t shnum = v.eh->e_shnum;
	size_t shoff = v.eh->e_shoff;

	switch (kind) {
	case EM_TRUNCATE_AT_SECTION: {
		size_t i = em_below(rng, shnum);
		size_t at;
		switch (em_below(rng, 4)) {
		case 0: at = v.sh[i].sh_offset; break;
		case 1: at = v.sh[i].sh_offset + v.sh[i].sh_size; break;
		case 2: at = shoff + i * sizeof(Elf64_Shdr); break;
		default: at = shoff + i * sizeof(Elf64_Shdr) + em_below(rng, sizeof(Elf64_Shdr)); break;
		}
		if (at >= len)
			at = len ? len - 1 : 0;
		em_describe(desc, dsize, "truncated to %zu bytes (at section %zu %s)", at, i,
			    elf_section_name(&v, i));
		return at;
	}
	case EM_TRUNCATE_RANDOM: {
		size_t at = em_below(rng, len);
		em_describe(desc, dsize, "truncated to %zu bytes", at);
		return at;
	}
	case EM_EHDR: {
		const struct em_field *f = &em_ehdr_fields[em_below(rng, EM_NFIELDS(em_ehdr_fields))];
		uint64_t old = em_get(buf + f->off, f->width), val = em_value(rng, old, len);
		if (!strcmp(f->name, "e_shnum") || !strcmp(f->name, "e_shstrndx"))
			val = em_below(rng, 2) ? shnum + em_below(rng, 3) : em_value(rng, old, shnum);
		em_put(buf + f->off, f->width, val);
		em_describe(desc, dsize, "%s %#llx -> %#llx", f->name, (unsigned long long)old,
			    (unsigned long long)em_get(buf + f->off, f->width));
		return len;
	}
	case EM_SHDR: {
		size_t i = em_below(rng, shnum);
		const struct em_field *f = &em_shdr_fields[em_below(rng, EM_NFIELDS(em_shdr_fields))];
		uint8_t *p = buf + shoff + i * sizeof(Elf64_Shdr) + f->off;
		uint64_t old = em_get(p, f->width), val;
		if (!strcmp(f->name, "sh_link") || !strcmp(f->name, "sh_info"))
			val = em_below(rng, 2) ? shnum + em_below(rng, 3) : em_value(rng, old, shnum);
		else if (!strcmp(f->name, "sh_type"))
			val = em_below(rng, 2) ? em_below(rng, 20) : em_value(rng, old, 0);
		else if (!strcmp(f->name, "sh_entsize") && em_below(rng, 2))
			val = em_below(rng, 33);
		else
			val = em_value(rng, old, !strcmp(f->name, "sh_offset") ? len : v.sh[i].sh_size);
		em_put(p, f->width, val);
		em_describe(desc, dsize, "section %zu (%s) %s %#llx -> %#llx", i,
			    elf_section_name(&v, i), f->name, (unsigned long long)old,
			    (unsigned long long)em_get(p, f->width));
		return len;
	}
	case EM_SECTION_OVERLAP: {
		size_t i = 1 + em_below(rng, shnum > 1 ? shnum - 1u : 1u);
		size_t j = 1 + em_below(rng, shnum > 1 ? shnum - 1u : 1u);
		if (i >= shnum || j >= shnum)
			return len;
		Elf64_Shdr s;
		memcpy(&s, buf + shoff + i * sizeof(Elf64_Shdr), sizeof(s));
		const char *how;
		if (em_below(rng, 2)) {
			s.sh_offset = v.sh[j].sh_offset + em_below(rng, 2) * em_below(rng, v.sh[j].sh_size + 1);
			how = "moved into";
		} else {
			s.sh_size = v.sh[j].sh_offset + v.sh[j].sh_size - s.sh_offset;
			how = "stretched over";
		}
		memcpy(buf + shoff + i * sizeof(Elf64_Shdr), &s, sizeof(s));
		em_describe(desc, dsize, "section %zu (%s) %s section %zu (%s): offset %#llx size %#llx",
			    i, elf_section_name(&v, i), how, j, elf_section_name(&v, j),
			    (unsigned long long)s.sh_offset, (unsigned long long)s.sh_size);
		return len;
	}
	case EM_SYMBOL:
	case EM_CODE_SYMBOL: {
		int si = em_pick_section(rng, &v, SHT_SYMTAB, 0);
		if (si < 0)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		size_t ssize = 0, nsyms;
		uint8_t *syms = buf + v.sh[si].sh_offset;
		elf_section_data(&v, (size_t)si, &ssize);
		nsyms = ssize / sizeof(Elf64_Sym);
		if (!nsyms)
			return len;
		if (kind == EM_CODE_SYMBOL) {
			/* A function symbol moved onto, into or across a neighbour,
			 * or off the 8-byte grid. */
			size_t funcs[512], nf = 0;
			for (size_t k = 0; k < nsyms && nf < 512; k++) {
				Elf64_Sym s;
				memcpy(&s, syms + k * sizeof(Elf64_Sym), sizeof(s));
				if (ELF64_ST_TYPE(s.st_info) == STT_FUNC)
					funcs[nf++] = k;
			}
			if (!nf)
				return len;
			size_t k = funcs[em_below(rng, nf)], o = funcs[em_below(rng, nf)];
			uint8_t *s = syms + k * sizeof(Elf64_Sym);
			Elf64_Sym ns, other;
			memcpy(&ns, s, sizeof(ns));
			memcpy(&other, syms + o * sizeof(Elf64_Sym), sizeof(other));
			switch (em_below(rng, 5)) {
			case 0: ns.st_value = other.st_value; ns.st_shndx = other.st_shndx; break;
			case 1: ns.st_value = other.st_value + 8 * em_below(rng, 4); break;
			case 2: ns.st_size = ns.st_size + 8 * (1 + em_below(rng, 64)); break;
			case 3: ns.st_value += 1 + em_below(rng, 7); break;
			default: ns.st_size += 1 + em_below(rng, 7); break;
			}
			memcpy(s, &ns, sizeof(ns));
			em_describe(desc, dsize, "function symbol %zu: value %#llx size %#llx section %u",
				    k, (unsigned long long)ns.st_value, (unsigned long long)ns.st_size,
				    ns.st_shndx);
			return len;
		}
		size_t k = em_below(rng, nsyms);
		const struct em_field *f = &em_sym_fields[em_below(rng, EM_NFIELDS(em_sym_fields))];
		uint8_t *p = syms + k * sizeof(Elf64_Sym) + f->off;
		uint64_t old = em_get(p, f->width), val;
		if (!strcmp(f->name, "st_shndx")) {
			static const uint16_t special[] = { SHN_UNDEF, SHN_ABS, SHN_COMMON, SHN_XINDEX,
							    0xff00, 0xfff0 };
			switch (em_below(rng, 3)) {
			case 0: val = special[em_below(rng, 6)]; break;
			case 1: val = shnum + em_below(rng, 3); break;
			default: val = em_below(rng, shnum); break;
			}
		} else if (!strcmp(f->name, "st_info")) {
			val = em_below(rng, 2) ? em_next(rng) & 0xff :
			      (uint64_t)ELF64_ST_INFO(em_below(rng, 3), em_below(rng, 7));
		} else {
			val = em_value(rng, old, 0);
		}
		em_put(p, f->width, val);
		em_describe(desc, dsize, "symbol %zu %s %#llx -> %#llx", k, f->name,
			    (unsigned long long)old, (unsigned long long)em_get(p, f->width));
		return len;
	}
	case EM_RELOCATION: {
		int ri = em_pick_section(rng, &v, SHT_REL, 0);
		if (ri < 0)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		size_t rsize = 0, nrel;
		elf_section_data(&v, (size_t)ri, &rsize);
		nrel = rsize / sizeof(Elf64_Rel);
		if (!nrel)
			return len;
		size_t k = em_below(rng, nrel);
		uint8_t *r = buf + v.sh[ri].sh_offset + k * sizeof(Elf64_Rel);
		Elf64_Rel nr;
		memcpy(&nr, r, sizeof(nr));
		uint64_t sym = ELF64_R_SYM(nr.r_info), type = ELF64_R_TYPE(nr.r_info);
		const char *what;
		switch (em_below(rng, 5)) {
		case 0:
			nr.r_offset = em_value(rng, nr.r_offset, 0);
			what = "r_offset";
			break;
		case 1:
			nr.r_offset += em_below(rng, 2) ? 1 + em_below(rng, 7) : 8 * (1 + em_below(rng, 3));
			what = "r_offset (nudged)";
			break;
		case 2:
			sym = em_value(rng, sym, 0) & 0xffffffff;
			what = "symbol";
			break;
		case 3:
			sym = em_below(rng, 64);
			what = "symbol (another)";
			break;
		default:
			type = em_below(rng, 2) ? em_below(rng, 16) : em_next(rng) & 0xffffffff;
			what = "type";
			break;
		}
		nr.r_info = ELF64_R_INFO(sym, type);
		memcpy(r, &nr, sizeof(nr));
		em_describe(desc, dsize, "relocation %zu of %s: %s -> offset %#llx sym %llu type %llu",
			    k, elf_section_name(&v, (size_t)ri), what,
			    (unsigned long long)nr.r_offset, (unsigned long long)sym,
			    (unsigned long long)type);
		return len;
	}
	case EM_BTF_HEADER: {
		int bi = elf_find_section(&v, ".BTF");
		size_t bsize = 0;
		if (bi < 0 || !elf_section_data(&v, (size_t)bi, &bsize) || bsize < 24)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		static const struct em_field fields[] = {
			{ "magic", 0, 2 }, { "version", 2, 1 }, { "flags", 3, 1 }, { "hdr_len", 4, 4 },
			{ "type_off", 8, 4 }, { "type_len", 12, 4 }, { "str_off", 16, 4 },
			{ "str_len", 20, 4 },
		};
		const struct em_field *f = &fields[em_below(rng, EM_NFIELDS(fields))];
		uint8_t *p = buf + v.sh[bi].sh_offset + f->off;
		uint64_t old = em_get(p, f->width);
		em_put(p, f->width, em_value(rng, old, bsize));
		em_describe(desc, dsize, ".BTF header %s %#llx -> %#llx", f->name,
			    (unsigned long long)old, (unsigned long long)em_get(p, f->width));
		return len;
	}
	case EM_BTF_TYPE: {
		static struct em_btf b; /* large; not reentrant, as the tests are not */
		if (em_btf_parse(&v, &b) || !b.nr_types)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		uint32_t t = em_below(rng, b.nr_types), id = t + 1;
		uint8_t *rec = buf + b.sec_off + b.type_off[t];
		uint32_t info = (uint32_t)em_get(rec + 4, 4);
		long extra = em_btf_extra(info);
		const char *what;
		uint64_t old, val;
		uint8_t *p;
		switch (em_below(rng, 6)) {
		case 0: /* vlen */
			p = rec + 4;
			old = info;
			val = (info & 0xffff0000u) | (em_value(rng, info & 0xffff, 0) & 0xffff);
			what = "vlen";
			break;
		case 1: /* kind, kflag */
			p = rec + 4;
			old = info;
			val = em_below(rng, 2) ? (info & 0xe0ffffffu) | (em_below(rng, 32) << 24) :
			      info ^ 0x80000000u;
			what = "kind/kflag";
			break;
		case 2: /* name */
			p = rec;
			old = em_get(p, 4);
			val = em_below(rng, 2) ? b.strs_len + em_below(rng, 3) - 1 : em_value(rng, old, b.strs_len);
			what = "name_off";
			break;
		case 3: /* size or type: a type id */
			p = rec + 8;
			old = em_get(p, 4);
			val = em_below(rng, 3) ? em_type_id(rng, id, b.nr_types) : em_value(rng, old, 0);
			what = "size/type";
			break;
		default: /* the kind's data: member types, offsets, counts */
			if (extra <= 0) { /* no data: its type then */
				p = rec + 8;
				old = em_get(p, 4);
				val = em_type_id(rng, id, b.nr_types);
				what = "size/type";
				break;
			}
			p = rec + 12 + 4 * em_below(rng, (uint64_t)extra / 4);
			old = em_get(p, 4);
			val = em_below(rng, 2) ? em_type_id(rng, id, b.nr_types) : em_value(rng, old, 0);
			what = "kind data";
			break;
		}
		em_put(p, 4, val);
		em_describe(desc, dsize, "BTF type [%u] (kind %u) %s %#llx -> %#llx", id,
			    (info >> 24) & 0x1f, what, (unsigned long long)old,
			    (unsigned long long)(val & 0xffffffff));
		return len;
	}
	case EM_BTF_STRING: {
		static struct em_btf b;
		if (em_btf_parse(&v, &b) || !b.strs_len)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		uint8_t *s = buf + b.sec_off + b.strs_off;
		size_t at = em_below(rng, b.strs_len);
		static const char repl[] = { 0, ':', '9', 'x', '.', '/', 0x7f };
		char c = em_below(rng, 4) ? repl[em_below(rng, sizeof(repl))] : (char)em_next(rng);
		if (em_below(rng, 3) == 0) { /* the last NUL gone */
			at = b.strs_len - 1;
			c = 'A';
		}
		em_describe(desc, dsize, "BTF string byte %zu: %#x -> %#x", at, s[at], (uint8_t)c);
		s[at] = (uint8_t)c;
		return len;
	}
	case EM_BTF_EXT: {
		int xi = elf_find_section(&v, ".BTF.ext");
		size_t xsize = 0;
		const uint8_t *xd;
		if (xi < 0 || !(xd = elf_section_data(&v, (size_t)xi, &xsize)) || xsize < 24)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		/* Every 32-bit word that means something: header fields,
		 * record sizes, section names, counts, record fields. */
		uint32_t words[2048], nw = 0;
		uint32_t hdr_len = (uint32_t)em_get(xd + 4, 4);
		for (uint32_t o = 4; o + 4 <= hdr_len && o + 4 <= xsize && nw < 16; o += 4)
			words[nw++] = o;
		for (int sub = 0; sub < 3; sub++) {
			uint32_t off_at = 8 + 8 * (uint32_t)sub;
			if (off_at + 8 > hdr_len || off_at + 8 > xsize)
				break;
			uint64_t start = (uint64_t)hdr_len + em_get(xd + off_at, 4);
			uint64_t end = start + em_get(xd + off_at + 4, 4);
			if (end > xsize || start + 4 > end)
				continue;
			uint32_t rec = (uint32_t)em_get(xd + start, 4);
			if (nw < 2048)
				words[nw++] = (uint32_t)start;
			if (rec < 4 || rec > 64)
				continue;
			for (uint64_t p = start + 4; p + 8 <= end && nw < 2040;) {
				uint32_t num = (uint32_t)em_get(xd + p + 4, 4);
				words[nw++] = (uint32_t)p;
				words[nw++] = (uint32_t)(p + 4);
				p += 8;
				for (uint32_t r = 0; r < num && p + rec <= end && nw < 2040; r++, p += rec)
					for (uint32_t w = 0; w < rec / 4 && nw < 2040; w++)
						if (em_below(rng, 4) == 0)
							words[nw++] = (uint32_t)(p + 4 * w);
				if (p + rec > end)
					break;
			}
		}
		if (!nw)
			return em_bytes(rng, buf, len, v.sh[xi].sh_offset, v.sh[xi].sh_offset + xsize,
					desc, dsize);
		uint32_t at = words[em_below(rng, nw)];
		uint8_t *p = buf + v.sh[xi].sh_offset + at;
		uint64_t old = em_get(p, 4), val;
		switch (em_below(rng, 4)) {
		case 0: val = old + 1 + em_below(rng, 7); break;            /* misaligned */
		case 1: val = old + 8 * (1 + em_below(rng, 1000)); break;   /* further */
		default: val = em_value(rng, old, xsize); break;
		}
		em_put(p, 4, val);
		em_describe(desc, dsize, ".BTF.ext word at %u: %#llx -> %#llx", at,
			    (unsigned long long)old, (unsigned long long)(val & 0xffffffff));
		return len;
	}
	case EM_INSN: {
		int ci = em_pick_section(rng, &v, SHT_PROGBITS, SHF_EXECINSTR);
		size_t csize = 0;
		if (ci < 0 || !elf_section_data(&v, (size_t)ci, &csize) || csize < 8)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		size_t n = csize / 8, k = em_below(rng, n);
		uint8_t *insn = buf + v.sh[ci].sh_offset + 8 * k;
		const char *what;
		switch (em_below(rng, 6)) {
		case 0: insn[0] = (uint8_t)em_next(rng); what = "opcode"; break;
		case 1: insn[1] = (uint8_t)em_next(rng); what = "registers"; break;
		case 2: em_put(insn + 2, 2, em_value(rng, em_get(insn + 2, 2), n)); what = "off"; break;
		case 3: em_put(insn + 4, 4, em_value(rng, em_get(insn + 4, 4), n)); what = "imm"; break;
		case 4: /* an lddw whose second half is missing or wrong */
			insn = buf + v.sh[ci].sh_offset + 8 * (n - 1);
			insn[0] = 0x18;
			insn[1] = (uint8_t)(em_below(rng, 7) << 4);
			k = n - 1;
			what = "lddw in the last slot";
			break;
		default: /* a call to somewhere */
			insn[0] = 0x85;
			insn[1] = (uint8_t)(em_below(rng, 3) << 4);
			em_put(insn + 4, 4, em_value(rng, em_get(insn + 4, 4), n));
			what = "call";
			break;
		}
		em_describe(desc, dsize, "section %d (%s) insn %zu: %s", ci,
			    elf_section_name(&v, (size_t)ci), k, what);
		return len;
	}
	case EM_SECTION_BYTES: {
		int si = em_pick_section(rng, &v, 0, 0);
		if (si < 0)
			return em_bytes(rng, buf, len, 0, len, desc, dsize);
		size_t from = v.sh[si].sh_offset, sz = 0;
		elf_section_data(&v, (size_t)si, &sz);
		size_t r = em_bytes(rng, buf, len, from, from + sz, desc, dsize);
		size_t dl = desc ? strlen(desc) : 0;
		if (desc && dl < dsize)
			snprintf(desc + dl, dsize - dl, " in section %d (%s)", si,
				 elf_section_name(&v, (size_t)si));
		return r;
	}
	default:
		return em_bytes(rng, buf, len, 0, len, desc, dsize);
	}
}

/* One mutation of a kind chosen at random, mostly the structured ones;
 * *kind_out (if given) says which. */
static inline size_t elf_mutate(uint64_t *rng, uint8_t *buf, size_t len, char *desc,
				size_t dsize, int *kind_out)
{
	int kind = (int)em_below(rng, EM_KINDS);
	if (kind_out)
		*kind_out = kind;
	return elf_mutate_kind(rng, buf, len, kind, desc, dsize);
}

#endif
