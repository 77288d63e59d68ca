// SPDX-License-Identifier: MIT
/*
 * Reading the ELF file: header, sections, symbols, string tables, the
 * license and version, and the programs in code sections.
 *
 * libelf reads the file; every offset, size, index and count it hands
 * back is checked here before use, so that a malformed file is refused
 * with a message naming the section and offset rather than read out of
 * bounds. Sections are classified as libbpf does (which are programs,
 * global data, maps, relocations, ignored), and programs are found and
 * ordered as libbpf finds and orders them.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "object/object.h"

#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A NUL-terminated string at off inside a string table, or NULL. */
static const char *str_at(const char *tab, size_t tab_size, size_t off)
{
	if (!tab || off >= tab_size || !memchr(tab + off, '\0', tab_size - off))
		return NULL;
	return tab + off;
}

const char *elf_sec_name(const struct uebpf_object *obj, size_t idx)
{
	if (idx >= obj->elf.sec_cnt || !obj->elf.secs[idx].name)
		return "<?>";
	return obj->elf.secs[idx].name;
}

const char *elf_sym_name(const struct uebpf_object *obj, const Elf64_Sym *sym)
{
	return str_at(obj->elf.strtab, obj->elf.strtab_size, sym->st_name);
}

const char *elf_sym_display_name(const struct uebpf_object *obj, const Elf64_Sym *sym)
{
	const char *name;

	/* Relocations against static functions and data are against the
	 * section's symbol, which has no name. */
	if (ELF64_ST_TYPE(sym->st_info) == STT_SECTION && sym->st_name == 0)
		return elf_sec_name(obj, sym->st_shndx);
	name = elf_sym_name(obj, sym);
	return name ? name : "<?>";
}

/* Checks the ELF header before libelf reads the file, so that the common
 * mistakes get a message of their own. */
static int check_ehdr(struct uebpf_object *obj, const uint8_t *buf, size_t size)
{
	Elf64_Ehdr eh;

	if (size < sizeof(eh))
		return obj_err(obj, EINVAL, "not an ELF file: %zu bytes, shorter than an ELF header",
			       size);
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return obj_err(obj, EINVAL, "not an ELF file (no ELF magic at offset 0)");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return obj_err(obj, EINVAL, "not a 64-bit ELF object (EI_CLASS %u at offset 4)",
			       eh.e_ident[EI_CLASS]);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return obj_err(obj, EINVAL,
			       "ELF object is not little-endian (EI_DATA %u at offset 5): "
			       "build it with -target bpfel or -target bpf on this host",
			       eh.e_ident[EI_DATA]);
	/* Old LLVM versions left e_machine EM_NONE. */
	if (eh.e_type != ET_REL || (eh.e_machine != EM_NONE && eh.e_machine != EM_BPF))
		return obj_err(obj, EINVAL,
			       "not an eBPF object file: ELF type %u, machine %u "
			       "(expected a relocatable file (1) for BPF (247), as clang -target bpf -c makes)",
			       eh.e_type, eh.e_machine);
	if (eh.e_shoff == 0 || eh.e_shoff >= size || eh.e_shoff % 8)
		return obj_err(obj, EINVAL, "ELF header: section header table offset 0x%llx "
			       "outside the file (%zu bytes) or not 8-byte aligned",
			       (unsigned long long)eh.e_shoff, size);
	if (eh.e_shentsize != sizeof(Elf64_Shdr))
		return obj_err(obj, EINVAL, "ELF header: section header size %u, expected %zu",
			       eh.e_shentsize, sizeof(Elf64_Shdr));
	if (eh.e_shnum > (size - eh.e_shoff) / sizeof(Elf64_Shdr))
		return obj_err(obj, EINVAL, "ELF header: %u section headers at offset 0x%llx do "
			       "not fit in the file (%zu bytes)", eh.e_shnum,
			       (unsigned long long)eh.e_shoff, size);
	return 0;
}

/* Sections libbpf ignores: string tables, address-significance tables,
 * an empty .text, DWARF and the relocations of DWARF and BTF. */
static bool ignored_section(const Elf64_Shdr *sh, const char *name)
{
	if (sh->sh_type == SHT_STRTAB || sh->sh_type == SHT_LLVM_ADDRSIG)
		return true;
	if (sh->sh_type == SHT_PROGBITS && sh->sh_size == 0 && strcmp(name, ".text") == 0)
		return true;
	if (has_prefix(name, ".debug_"))
		return true;
	if (has_prefix(name, ".rel")) {
		name += strlen(".rel");
		if (has_prefix(name, ".debug_") || strcmp(name, ".BTF") == 0 ||
		    strcmp(name, ".BTF.ext") == 0)
			return true;
	}
	return false;
}

/* Reads the section headers and names; checks that every section's
 * contents lie inside the file. */
static int read_sections(struct uebpf_object *obj)
{
	struct elf_state *ef = &obj->elf;
	Elf64_Ehdr *eh = elf64_getehdr(ef->elf);
	size_t shnum, shstrndx, i;
	const char *names;
	size_t names_size;
	Elf_Scn *scn;

	if (!eh)
		return obj_err(obj, EINVAL, "ELF header: %s", elf_errmsg(-1));
	if (elf_getshdrnum(ef->elf, &shnum))
		return obj_err(obj, EINVAL, "ELF header: cannot read the number of sections: %s",
			       elf_errmsg(-1));
	/* Bound the count by what the file can hold before allocating. */
	if (shnum == 0 || shnum > (ef->size - eh->e_shoff) / sizeof(Elf64_Shdr))
		return obj_err(obj, EINVAL, "ELF header: %zu section headers at offset 0x%llx do not "
			       "fit in the file (%zu bytes)", shnum,
			       (unsigned long long)eh->e_shoff, ef->size);
	if (elf_getshdrstrndx(ef->elf, &shstrndx) || shstrndx == 0 || shstrndx >= shnum)
		return obj_err(obj, EINVAL, "ELF header: invalid section name table index");

	ef->secs = calloc(shnum, sizeof(*ef->secs));
	if (!ef->secs)
		return obj_err(obj, ENOMEM, "out of memory for %zu sections", shnum);
	ef->sec_cnt = shnum;

	for (i = 0; i < shnum; i++) {
		struct elf_sec *sec = &ef->secs[i];
		Elf64_Shdr *sh;

		scn = elf_getscn(ef->elf, i);
		sh = scn ? elf64_getshdr(scn) : NULL;
		if (!sh)
			return obj_err(obj, EINVAL, "section #%zu: cannot read its header: %s", i,
				       elf_errmsg(-1));
		sec->shdr = sh;
		if (i == 0)
			continue;
		if (sh->sh_type != SHT_NOBITS &&
		    (sh->sh_offset > ef->size || sh->sh_size > ef->size - sh->sh_offset))
			return obj_err(obj, EINVAL, "section #%zu: contents at offset 0x%llx, "
				       "size 0x%llx, go past the end of the file (%zu bytes)", i,
				       (unsigned long long)sh->sh_offset,
				       (unsigned long long)sh->sh_size, ef->size);
		/* Symbols and relocations are read in place (libelf does not
		 * copy them on x86): they must be aligned. */
		if ((sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_REL ||
		     sh->sh_type == SHT_RELA) && sh->sh_offset % 8)
			return obj_err(obj, EINVAL, "section #%zu: symbols or relocations at offset "
				       "0x%llx, not 8-byte aligned", i,
				       (unsigned long long)sh->sh_offset);
	}

	{
		const Elf64_Shdr *sh = ef->secs[shstrndx].shdr;

		if (sh->sh_type != SHT_STRTAB || sh->sh_size == 0)
			return obj_err(obj, EINVAL, "section #%zu: the section name table is not a "
				       "string table", shstrndx);
		names = (const char *)ef->buf + sh->sh_offset;
		names_size = sh->sh_size;
	}
	for (i = 1; i < shnum; i++) {
		struct elf_sec *sec = &ef->secs[i];

		sec->name = str_at(names, names_size, sec->shdr->sh_name);
		if (!sec->name)
			return obj_err(obj, EINVAL, "section #%zu: name offset 0x%x outside the "
				       "section name table", i, sec->shdr->sh_name);
	}
	return 0;
}

/* The contents of a section through libelf (aligned and converted for
 * the structured types), checked against the header's size. */
static int section_data(struct uebpf_object *obj, size_t idx)
{
	struct elf_sec *sec = &obj->elf.secs[idx];
	Elf_Scn *scn = elf_getscn(obj->elf.elf, idx);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;

	if (sec->shdr->sh_size == 0) {
		sec->data = NULL;
		sec->size = 0;
		return 0;
	}
	if (!data || data->d_size != sec->shdr->sh_size)
		return obj_err(obj, EINVAL, "section '%s' (#%zu): cannot read its contents: %s",
			       sec->name, idx, elf_errmsg(-1));
	sec->data = sec->shdr->sh_type == SHT_NOBITS ? NULL : data->d_buf;
	sec->size = data->d_size;
	return 0;
}

static int read_symtab(struct uebpf_object *obj)
{
	struct elf_state *ef = &obj->elf;
	const struct elf_sec *sec, *strsec;
	size_t i;
	int err;

	for (i = 1; i < ef->sec_cnt; i++) {
		if (ef->secs[i].shdr->sh_type != SHT_SYMTAB)
			continue;
		if (ef->symtab_idx)
			return obj_err(obj, EINVAL, "section '%s' (#%zu): a second symbol table "
				       "(the first is section #%zu)", ef->secs[i].name, i,
				       ef->symtab_idx);
		ef->symtab_idx = i;
	}
	if (!ef->symtab_idx)
		return obj_err(obj, ENOENT, "no symbol table: is the object stripped? "
			       "uebpf needs the symbols clang -target bpf -c writes");
	sec = &ef->secs[ef->symtab_idx];
	if (sec->shdr->sh_entsize != sizeof(Elf64_Sym) || sec->shdr->sh_size % sizeof(Elf64_Sym))
		return obj_err(obj, EINVAL, "section '%s' (#%zu): symbol table of %llu bytes with "
			       "entries of %llu bytes (expected multiples of %zu)", sec->name,
			       ef->symtab_idx, (unsigned long long)sec->shdr->sh_size,
			       (unsigned long long)sec->shdr->sh_entsize, sizeof(Elf64_Sym));
	err = section_data(obj, ef->symtab_idx);
	if (err)
		return err;
	ef->syms = (const Elf64_Sym *)sec->data;
	ef->sym_cnt = sec->size / sizeof(Elf64_Sym);

	if (sec->shdr->sh_link == 0 || sec->shdr->sh_link >= ef->sec_cnt)
		return obj_err(obj, EINVAL, "section '%s' (#%zu): symbol names section #%u does "
			       "not exist", sec->name, ef->symtab_idx, sec->shdr->sh_link);
	strsec = &ef->secs[sec->shdr->sh_link];
	if (strsec->shdr->sh_type != SHT_STRTAB)
		return obj_err(obj, EINVAL, "section '%s' (#%u): symbol names section is not a "
			       "string table", strsec->name, sec->shdr->sh_link);
	ef->strtab = (const char *)ef->buf + strsec->shdr->sh_offset;
	ef->strtab_size = strsec->shdr->sh_size;
	return 0;
}

/* The license is a string of at most 63 characters, as libbpf keeps it. */
static int read_license(struct uebpf_object *obj, const struct elf_sec *sec)
{
	size_t n;

	if (!sec->data)
		return obj_err(obj, EINVAL, "section 'license': empty or without contents");
	n = strnlen((const char *)sec->data, sec->size);
	if (n > sizeof(obj->license) - 1)
		n = sizeof(obj->license) - 1;
	memcpy(obj->license, sec->data, n);
	obj->license[n] = '\0';
	return 0;
}

static int read_version(struct uebpf_object *obj, const struct elf_sec *sec)
{
	if (!sec->data || sec->size != sizeof(uint32_t))
		return obj_err(obj, EINVAL, "section 'version': %zu bytes, expected 4 "
			       "(a __u32 kernel version)", sec->size);
	memcpy(&obj->kversion, sec->data, sizeof(uint32_t));
	return 0;
}

static int note_unique(struct uebpf_object *obj, size_t *slot, size_t idx)
{
	if (*slot)
		return obj_err(obj, EINVAL, "section '%s' (#%zu): appears twice (also section #%zu)",
			       obj->elf.secs[idx].name, idx, *slot);
	*slot = idx;
	return 0;
}

/* Decides what each section is, as libbpf does. */
static int classify_sections(struct uebpf_object *obj)
{
	struct elf_state *ef = &obj->elf;
	size_t btf_idx = 0, btf_ext_idx = 0, i;
	int err;

	for (i = 1; i < ef->sec_cnt; i++) {
		struct elf_sec *sec = &ef->secs[i];
		const Elf64_Shdr *sh = sec->shdr;
		const char *name = sec->name;

		if (ignored_section(sh, name) || sh->sh_type == SHT_SYMTAB)
			continue;
		if (sh->sh_type == SHT_REL &&
		    (sh->sh_entsize != sizeof(Elf64_Rel) || sh->sh_size % sizeof(Elf64_Rel)))
			return obj_err(obj, EINVAL, "section '%s' (#%zu): relocations of %llu bytes "
				       "with entries of %llu bytes (expected multiples of %zu)",
				       name, i, (unsigned long long)sh->sh_size,
				       (unsigned long long)sh->sh_entsize, sizeof(Elf64_Rel));
		if (sh->sh_type == SHT_RELA &&
		    (sh->sh_entsize != sizeof(Elf64_Rela) || sh->sh_size % sizeof(Elf64_Rela)))
			return obj_err(obj, EINVAL, "section '%s' (#%zu): relocations of %llu bytes "
				       "with entries of %llu bytes (expected multiples of %zu)",
				       name, i, (unsigned long long)sh->sh_size,
				       (unsigned long long)sh->sh_entsize, sizeof(Elf64_Rela));
		err = section_data(obj, i);
		if (err)
			return err;

		if (strcmp(name, "license") == 0) {
			err = read_license(obj, sec);
		} else if (strcmp(name, "version") == 0) {
			err = read_version(obj, sec);
		} else if (strcmp(name, "maps") == 0) {
			sec->kind = SEC_LEGACY_MAPS;
			err = note_unique(obj, &ef->legacy_maps_idx, i);
		} else if (strcmp(name, ".maps") == 0) {
			sec->kind = SEC_BTF_MAPS;
			err = note_unique(obj, &ef->btf_maps_idx, i);
		} else if (strcmp(name, ".BTF") == 0 || strcmp(name, ".BTF.ext") == 0) {
			bool ext = name[4] != '\0';

			if (sh->sh_type != SHT_PROGBITS)
				return obj_err(obj, EINVAL, "section '%s' (#%zu): type %u, expected "
					       "PROGBITS", name, i, sh->sh_type);
			err = note_unique(obj, ext ? &btf_ext_idx : &btf_idx, i);
		} else if (sh->sh_type == SHT_PROGBITS && sec->size > 0) {
			if (sh->sh_flags & SHF_EXECINSTR) {
				if (strcmp(name, ".text") == 0)
					ef->text_idx = i;
				sec->kind = SEC_PROGS;
			} else if (strcmp(name, ".data") == 0 || has_prefix(name, ".data.")) {
				sec->kind = SEC_DATA;
			} else if (strcmp(name, ".rodata") == 0 || has_prefix(name, ".rodata.")) {
				sec->kind = SEC_RODATA;
			} else if (strcmp(name, ".struct_ops") == 0 ||
				   strcmp(name, ".struct_ops.link") == 0) {
				return obj_err(obj, EOPNOTSUPP, "section '%s' (#%zu): struct_ops maps "
					       "are kernel objects that uebpf does not have", name, i);
			}
		} else if (sh->sh_type == SHT_REL || sh->sh_type == SHT_RELA) {
			/* RELA: from toolchains other than clang (Open vSwitch's
			 * old datapath), read as REL when every addend is 0. */
			size_t target = sh->sh_info;

			if (target == 0 || target >= ef->sec_cnt)
				return obj_err(obj, EINVAL, "section '%s' (#%zu): relocates section "
					       "#%zu, which does not exist", name, i, target);
			/* Only code and .maps have relocations the loader uses. */
			if ((ef->secs[target].shdr->sh_flags & SHF_EXECINSTR) ||
			    strcmp(name, ".rel.maps") == 0)
				sec->kind = SEC_RELO;
		} else if (sh->sh_type == SHT_NOBITS &&
			   (strcmp(name, ".bss") == 0 || has_prefix(name, ".bss."))) {
			sec->kind = SEC_BSS;
		}
		if (err)
			return err;
	}
	if (btf_idx)
		ef->btf_sec = &ef->secs[btf_idx];
	if (btf_ext_idx)
		ef->btf_ext_sec = &ef->secs[btf_ext_idx];
	return 0;
}

static int cmp_progs(const void *a_, const void *b_)
{
	const struct uebpf_program *a = a_, *b = b_;

	if (a->sec_idx != b->sec_idx)
		return a->sec_idx < b->sec_idx ? -1 : 1;
	if (a->sec_insn_off != b->sec_insn_off)
		return a->sec_insn_off < b->sec_insn_off ? -1 : 1;
	return 0;
}

static bool in_code_section(const struct elf_state *ef, const Elf64_Sym *sym)
{
	return sym->st_shndx != SHN_UNDEF && sym->st_shndx < ef->sec_cnt &&
	       ef->secs[sym->st_shndx].kind == SEC_PROGS;
}

/* A program's symbol. Clang before 6 marked no function as STT_FUNC:
 * in objects that have none, the global symbols of code sections start
 * the programs, as the loaders of the time (libbpf before 0.3, the
 * kernel's samples, iproute2) read them. */
static bool program_sym(const struct elf_state *ef, size_t idx, bool no_func_syms)
{
	const Elf64_Sym *sym = &ef->syms[idx];

	if (!in_code_section(ef, sym))
		return false;
	if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC)
		return true;
	if (!no_func_syms || ELF64_ST_TYPE(sym->st_info) != STT_NOTYPE)
		return false;
	if (ELF64_ST_BIND(sym->st_info) == STB_GLOBAL)
		return true;
	/* A section of static functions only (Open vSwitch's): the local
	 * symbol at its start names it, unless a global one is there. */
	if (ELF64_ST_BIND(sym->st_info) != STB_LOCAL || sym->st_value != 0 ||
	    sym->st_shndx == ef->text_idx)
		return false;
	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const Elf64_Sym *o = &ef->syms[i];

		if (o->st_shndx == sym->st_shndx && ELF64_ST_TYPE(o->st_info) == STT_NOTYPE &&
		    (ELF64_ST_BIND(o->st_info) == STB_GLOBAL || (o->st_value == 0 && i < idx)))
			return false;
	}
	return true;
}

/* The size of a program whose symbol has none (an STT_NOTYPE one): up
 * to the next program of its section, or the section's end. */
static uint64_t program_sym_size(const struct elf_state *ef, const Elf64_Sym *sym,
				 bool no_func_syms)
{
	uint64_t end = ef->secs[sym->st_shndx].size;

	if (sym->st_size || sym->st_value > end)
		return sym->st_size;
	for (size_t i = 0; i < ef->sym_cnt; i++) {
		const Elf64_Sym *o = &ef->syms[i];

		if (o->st_shndx == sym->st_shndx && program_sym(ef, i, no_func_syms) &&
		    o->st_value > sym->st_value && o->st_value < end)
			end = o->st_value;
	}
	return end - sym->st_value;
}

/* One program per function symbol of a code section, as libbpf makes
 * them; ordered by section, then offset. */
static int collect_programs(struct uebpf_object *obj)
{
	struct elf_state *ef = &obj->elf;
	bool no_func_syms = true;
	size_t i;

	for (i = 0; i < ef->sym_cnt; i++)
		if (ELF64_ST_TYPE(ef->syms[i].st_info) == STT_FUNC &&
		    in_code_section(ef, &ef->syms[i]))
			no_func_syms = false;
	ef->no_func_syms = no_func_syms;

	for (i = 0; i < ef->sym_cnt; i++) {
		Elf64_Sym sym_copy = ef->syms[i], *sym = &sym_copy;
		size_t sec_idx = sym->st_shndx;
		const struct elf_sec *sec;
		struct uebpf_program *prog;
		const char *name;

		if (!program_sym(ef, i, no_func_syms))
			continue;
		sec = &ef->secs[sec_idx];
		sym->st_size = program_sym_size(ef, sym, no_func_syms);
		name = elf_sym_name(obj, sym);
		if (!name)
			return obj_err(obj, EINVAL, "section '%s': function symbol #%zu at offset "
				       "0x%llx: name offset 0x%x outside the symbol names", sec->name,
				       i, (unsigned long long)sym->st_value, sym->st_name);
		if (sym->st_value > sec->size || sym->st_size > sec->size - sym->st_value)
			return obj_err(obj, EINVAL, "section '%s': program '%s' at offset 0x%llx, "
				       "%llu bytes, crosses the end of the section (%zu bytes)",
				       sec->name, name, (unsigned long long)sym->st_value,
				       (unsigned long long)sym->st_size, sec->size);
		if (sec_idx != ef->text_idx && ELF64_ST_BIND(sym->st_info) == STB_LOCAL &&
		    !no_func_syms)
			return obj_err(obj, EOPNOTSUPP, "section '%s': program '%s' at offset 0x%llx "
				       "is static: programs outside .text must be global functions",
				       sec->name, name, (unsigned long long)sym->st_value);
		if (sym->st_size == 0 || sym->st_size % INSN_SZ || sym->st_value % INSN_SZ)
			return obj_err(obj, EINVAL, "section '%s': program '%s' at offset 0x%llx, "
				       "%llu bytes: not a whole number of 8-byte instructions at an "
				       "instruction boundary", sec->name, name,
				       (unsigned long long)sym->st_value,
				       (unsigned long long)sym->st_size);

		prog = obj_add_program(obj);
		if (!prog)
			return obj_err(obj, ENOMEM, "out of memory for program '%s'", name);
		prog->sec_idx = sec_idx;
		prog->sec_insn_off = sym->st_value / INSN_SZ;
		prog->sec_insn_cnt = sym->st_size / INSN_SZ;
		prog->insn_cnt = prog->sec_insn_cnt;
		/* The section name as in the file; init_programs makes it
		 * libbpf's (SEC("?...") loses its '?' and autoload). */
		prog->autoload = true;
		prog->name = strdup(name);
		prog->sec_name = strdup(sec->name);
		prog->insns = malloc(sym->st_size);
		if (!prog->name || !prog->sec_name || !prog->insns)
			return obj_err(obj, ENOMEM, "out of memory for program '%s'", name);
		memcpy(prog->insns, sec->data + sym->st_value, sym->st_size);
		/* A global function with restricted visibility is static to
		 * the verifier. */
		if (ELF64_ST_BIND(sym->st_info) != STB_LOCAL &&
		    (ELF64_ST_VISIBILITY(sym->st_other) == STV_HIDDEN ||
		     ELF64_ST_VISIBILITY(sym->st_other) == STV_INTERNAL))
			prog->mark_btf_static = true;
	}

	if (obj->nr_progs > 1)
		qsort(obj->progs, obj->nr_progs, sizeof(*obj->progs), cmp_progs);
	for (i = 0; i + 1 < obj->nr_progs; i++) {
		const struct uebpf_program *a = &obj->progs[i], *b = &obj->progs[i + 1];

		if (a->sec_idx == b->sec_idx && a->sec_insn_off + a->sec_insn_cnt > b->sec_insn_off)
			return obj_err(obj, EINVAL, "section '%s': programs '%s' (offset 0x%zx, %zu "
				       "bytes) and '%s' (offset 0x%zx) overlap",
				       elf_sec_name(obj, a->sec_idx), a->name,
				       a->sec_insn_off * INSN_SZ, a->sec_insn_cnt * INSN_SZ, b->name,
				       b->sec_insn_off * INSN_SZ);
	}
	return 0;
}

int elf_open(struct uebpf_object *obj, uint8_t *buf, size_t size)
{
	struct elf_state *ef = &obj->elf;
	int err;

	/* Ours from now on: elf_close frees it. */
	ef->buf = buf;
	ef->size = size;
	err = check_ehdr(obj, buf, size);
	if (err)
		return err;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return obj_err(obj, ENOSYS, "libelf: %s", elf_errmsg(-1));
	ef->elf = elf_memory((char *)buf, size);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF)
		return obj_err(obj, EINVAL, "not an ELF object: %s", elf_errmsg(-1));

	err = read_sections(obj);
	err = err ? err : read_symtab(obj);
	err = err ? err : classify_sections(obj);
	err = err ? err : collect_programs(obj);
	return err;
}

void elf_close(struct uebpf_object *obj)
{
	struct elf_state *ef = &obj->elf;

	if (ef->elf)
		elf_end(ef->elf);
	free(ef->secs);
	free(ef->buf);
	free(ef->btf_ids_by_name);
	free(ef->vars_by_name);
	memset(ef, 0, sizeof(*ef));
}
