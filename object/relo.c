// SPDX-License-Identifier: MIT
/*
 * Relocations of programs: collected at open from the .rel<code section>
 * sections and the CO-RE records of .BTF.ext, applied at load.
 *
 * Loading a program works as libbpf's bpf_object__relocate does, so that
 * the instructions loaded are the ones libbpf would load: CO-RE records
 * patch each program's own instructions first; then, for each main
 * program, the subprograms of .text it calls (or takes the address of)
 * are appended in the order it reaches them, depth first, and calls are
 * pointed at the copies; last, map and global data references get map
 * fds (lddw src 1) or map value addresses (lddw src 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object/btf_ext.h"
#include "object/core.h"
#include "object/object.h"
#include "object/prog.h"
#include "progtypes/btf.h"

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)
#define CALL (BPF_JMP | BPF_CALL)

/* ---- at open ---- */

/* The program holding instruction insn_idx of section sec_idx, or NULL
 * (programs are sorted by section, then offset, and do not overlap). */
static struct uebpf_program *prog_at(const struct uebpf_object *obj, size_t sec_idx,
				     size_t insn_idx)
{
	size_t lo = 0, hi = obj->nr_progs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct uebpf_program *p = &obj->progs[mid];

		if (p->sec_idx < sec_idx || (p->sec_idx == sec_idx && p->sec_insn_off <= insn_idx))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	struct uebpf_program *p = &obj->progs[lo - 1];
	if (p->sec_idx != sec_idx || insn_idx >= p->sec_insn_off + p->sec_insn_cnt)
		return NULL;
	return p;
}

/* An extern: undefined, global or weak, without a type (libbpf's rule). */
static bool sym_is_extern(const Elf64_Sym *sym)
{
	int bind = ELF64_ST_BIND(sym->st_info);

	return sym->st_shndx == SHN_UNDEF && (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       ELF64_ST_TYPE(sym->st_info) == STT_NOTYPE;
}

/* A function of .text: a static one is named by its section symbol
 * (the offset is in the instruction), a global one by its own. */
static bool sym_is_subprog(const Elf64_Sym *sym, size_t text_idx)
{
	int bind = ELF64_ST_BIND(sym->st_info), type = ELF64_ST_TYPE(sym->st_info);

	if (!text_idx || sym->st_shndx != text_idx)
		return false;
	return (bind == STB_LOCAL && type == STT_SECTION) ||
	       (bind == STB_GLOBAL && type == STT_FUNC);
}

static ssize_t find_map(const struct uebpf_object *obj, size_t sec_idx, bool data,
			uint64_t sec_off)
{
	for (size_t i = 0; i < obj->nr_maps; i++) {
		const struct uebpf_map *m = &obj->maps[i];
		bool is_data = m->kind == MAP_DATA || m->kind == MAP_RODATA || m->kind == MAP_BSS;

		if (m->sec_idx != sec_idx || is_data != data)
			continue;
		if (data || m->sec_offset == sec_off)
			return (ssize_t)i;
	}
	return -1;
}

/* What a relocation of instruction insn_idx (in the program) against
 * sym means, as libbpf's bpf_program__record_reloc decides it. */
static int record_relo(struct uebpf_object *obj, struct uebpf_program *prog, const char *where,
		       size_t insn_idx, const Elf64_Sym *sym, size_t sym_idx, struct relo *r)
{
	const struct elf_state *ef = &obj->elf;
	const struct uebpf_insn *insn = &prog->insns[insn_idx];
	const char *sym_name = elf_sym_display_name(obj, sym);
	size_t shndx = sym->st_shndx;
	bool is_call = insn->code == CALL, is_lddw = insn->code == LDDW;

	if (!sym_name)
		sym_name = "?";
	r->insn_idx = (uint32_t)insn_idx;
	r->idx = 0;
	r->sym_off = 0;
	if (!is_call && !is_lddw)
		return obj_err(obj, EINVAL, "%s: against '%s' on instruction %zu of program '%s' "
			       "(opcode 0x%02x), which is neither a call nor a 64-bit load", where,
			       sym_name, insn_idx, prog->name, insn->code);
	if (is_lddw && insn_idx + 1 >= prog->sec_insn_cnt)
		return obj_err(obj, EINVAL, "%s: against '%s': the 64-bit load at instruction %zu "
			       "of program '%s' has no second half", where, sym_name, insn_idx,
			       prog->name);

	if (sym_is_extern(sym)) {
		for (size_t i = 0; i < obj->nr_externs; i++) {
			if (obj->externs[i].sym_idx != sym_idx)
				continue;
			r->type = is_call ? RELO_EXTERN_FUNC : RELO_EXTERN_VAR;
			r->idx = (uint32_t)i;
			return 0;
		}
		return obj_err(obj, EINVAL, "%s: against extern '%s', which has no BTF description "
			       "(compile with -g)", where, sym_name);
	}

	if (is_call) {
		if (insn->src_reg != BPF_PSEUDO_CALL)
			return obj_err(obj, EINVAL, "%s: against '%s' on the helper call at "
				       "instruction %zu of program '%s'", where, sym_name, insn_idx,
				       prog->name);
		if (!shndx || shndx != obj->text_sec_idx)
			return obj_err(obj, EINVAL, "%s: call of '%s' in section '%s': called "
				       "functions must be in .text", where, sym_name,
				       shndx < ef->sec_cnt ? ef->secs[shndx].name : "?");
		if (sym->st_value % INSN_SZ)
			return obj_err(obj, EINVAL, "%s: call of '%s' at offset 0x%llx, not an "
				       "instruction boundary", where, sym_name,
				       (unsigned long long)sym->st_value);
		r->type = RELO_CALL;
		r->sym_off = sym->st_value;
		return 0;
	}

	if (!shndx || shndx >= SHN_LORESERVE)
		return obj_err(obj, EINVAL, "%s: against '%s' in special section 0x%zx (a global "
			       "variable without an initial value? give it one, or make it static)",
			       where, sym_name, shndx);
	if (sym_is_subprog(sym, obj->text_sec_idx)) {
		if (sym->st_value % INSN_SZ || insn->imm % INSN_SZ)
			return obj_err(obj, EINVAL, "%s: address of function '%s' at offset "
				       "0x%llx%+d, not an instruction boundary", where, sym_name,
				       (unsigned long long)sym->st_value, insn->imm);
		r->type = RELO_SUBPROG_ADDR;
		r->sym_off = sym->st_value;
		return 0;
	}

	const struct elf_sec *sec = &ef->secs[shndx];
	ssize_t map_idx;

	switch (sec->kind) {
	case SEC_BTF_MAPS:
	case SEC_LEGACY_MAPS:
		map_idx = find_map(obj, shndx, false, sym->st_value);
		if (map_idx < 0)
			return obj_err(obj, EINVAL, "%s: against '%s': section '%s' has no map at "
				       "offset 0x%llx", where, sym_name, sec->name,
				       (unsigned long long)sym->st_value);
		r->type = RELO_LD64;
		r->idx = (uint32_t)map_idx;
		return 0;
	case SEC_DATA:
	case SEC_RODATA:
	case SEC_BSS:
		map_idx = find_map(obj, shndx, true, 0);
		if (map_idx < 0)
			return obj_err(obj, EINVAL, "%s: against '%s': no map for section '%s'",
				       where, sym_name, sec->name);
		r->type = RELO_DATA;
		r->idx = (uint32_t)map_idx;
		r->sym_off = sym->st_value;
		return 0;
	default:
		return obj_err(obj, EINVAL, "%s: against '%s' in section '%s', which holds neither "
			       "maps nor global data", where, sym_name, sec->name);
	}
}

static int cmp_relos(const void *a_, const void *b_)
{
	const struct relo *a = a_, *b = b_;

	return a->insn_idx < b->insn_idx ? -1 : a->insn_idx > b->insn_idx;
}

static int collect_section_relos(struct uebpf_object *obj, size_t rel_idx, size_t *caps)
{
	const struct elf_state *ef = &obj->elf;
	const struct elf_sec *rs = &ef->secs[rel_idx];
	size_t target = rs->shdr->sh_info;
	const struct elf_sec *ts = &ef->secs[target];
	bool rela = rs->shdr->sh_type == SHT_RELA;
	size_t esz = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel), n = rs->size / esz;

	for (size_t i = 0; i < n; i++) {
		Elf64_Rela rel = { 0 };
		char where[160];

		memcpy(&rel, rs->data + i * esz, esz);
		size_t sym_idx = ELF64_R_SYM(rel.r_info);
		snprintf(where, sizeof(where), "section '%s', offset 0x%zx: relocation #%zu",
			 rs->name, i * esz, i);
		/* What REL keeps in the instruction, RELA has in the entry:
		 * only entries that add nothing mean the same. */
		if (rela && rel.r_addend)
			return obj_err(obj, EOPNOTSUPP, "%s: addend %lld: RELA relocations are "
				       "read only without addends", where,
				       (long long)rel.r_addend);
		if (sym_idx >= ef->sym_cnt)
			return obj_err(obj, EINVAL, "%s: symbol #%zu does not exist (%zu symbols)",
				       where, sym_idx, ef->sym_cnt);
		const Elf64_Sym *sym = &ef->syms[sym_idx];
		if (sym->st_shndx >= ef->sec_cnt && sym->st_shndx < SHN_LORESERVE)
			return obj_err(obj, EINVAL, "%s: symbol #%zu is in section #%u, which does "
				       "not exist", where, sym_idx, sym->st_shndx);
		if (rel.r_offset % INSN_SZ || rel.r_offset >= ts->size)
			return obj_err(obj, EINVAL, "%s: offset 0x%llx is not an instruction of "
				       "section '%s' (%zu bytes)", where,
				       (unsigned long long)rel.r_offset, ts->name, ts->size);
		size_t insn_idx = rel.r_offset / INSN_SZ;
		struct uebpf_program *prog = prog_at(obj, target, insn_idx);
		/* Code outside any function (a weak function another one
		 * replaced, when objects are linked) is not loaded. */
		if (!prog)
			continue;
		size_t pi = prog - obj->progs;
		if (prog->nr_relos == caps[pi]) {
			size_t cap = caps[pi] ? 2 * caps[pi] : 8;
			struct relo *relos = reallocarray(prog->relos, cap, sizeof(*relos));

			if (!relos)
				return obj_err(obj, ENOMEM, "out of memory");
			prog->relos = relos;
			caps[pi] = cap;
		}
		int err = record_relo(obj, prog, where, insn_idx - prog->sec_insn_off, sym, sym_idx,
				      &prog->relos[prog->nr_relos]);
		if (err)
			return err;
		prog->nr_relos++;
	}
	return 0;
}

static int64_t code_sec_size(void *ctx, const char *name)
{
	const struct uebpf_object *obj = ctx;

	for (size_t i = 1; i < obj->elf.sec_cnt; i++)
		if (obj->elf.secs[i].kind == SEC_PROGS && !strcmp(obj->elf.secs[i].name, name))
			return (int64_t)obj->elf.secs[i].size;
	return -1;
}

static int collect_btf_ext(struct uebpf_object *obj)
{
	const struct elf_state *ef = &obj->elf;
	char msg[512];
	int err;

	/* Without .BTF, .BTF.ext has nothing to refer to (libbpf ignores it too). */
	if (!ef->btf_ext_sec || !obj->btf)
		return 0;
	err = btf_ext_parse(ef->btf_ext_sec->data, ef->btf_ext_sec->size, obj->btf, code_sec_size,
			    obj, &obj->btf_ext, msg, sizeof(msg));
	if (err)
		return obj_err(obj, -err, "%s", msg);

	for (size_t i = 0; i < obj->nr_progs; i++) {
		struct uebpf_program *p = &obj->progs[i];

		p->ext_sec = btf_ext_section(obj->btf_ext, ef->secs[p->sec_idx].name);
	}
	for (size_t s = 0; s < obj->btf_ext->sec_cnt; s++) {
		const struct btf_ext_sec *es = &obj->btf_ext->secs[s];
		size_t sec_idx = 0;

		for (size_t i = 1; i < ef->sec_cnt && !sec_idx; i++)
			if (ef->secs[i].kind == SEC_PROGS && !strcmp(ef->secs[i].name, es->sec_name))
				sec_idx = i;
		for (size_t k = 0; k < es->core_cnt && sec_idx; k++) {
			const struct btf_core_rec *rec = &es->cores[k];
			struct uebpf_program *p = prog_at(obj, sec_idx, rec->insn_off);
			struct core_ref *cores;

			if (!p)
				continue;
			cores = reallocarray(p->cores, p->nr_cores + 1, sizeof(*cores));
			if (!cores)
				return obj_err(obj, ENOMEM, "out of memory");
			p->cores = cores;
			cores[p->nr_cores++] = (struct core_ref){
				.insn_idx = (uint32_t)(rec->insn_off - p->sec_insn_off),
				.rec_idx = (uint32_t)k,
				.rec = rec,
			};
		}
	}
	return 0;
}

int relo_collect(struct uebpf_object *obj)
{
	const struct elf_state *ef = &obj->elf;
	size_t *caps;
	int err = 0;

	caps = calloc(obj->nr_progs ? obj->nr_progs : 1, sizeof(*caps));
	if (!caps)
		return obj_err(obj, ENOMEM, "out of memory");
	for (size_t i = 1; i < ef->sec_cnt && !err; i++) {
		const struct elf_sec *sec = &ef->secs[i];

		if (sec->kind == SEC_RELO && ef->secs[sec->shdr->sh_info].kind == SEC_PROGS)
			err = collect_section_relos(obj, i, caps);
	}
	free(caps);
	for (size_t i = 0; i < obj->nr_progs && !err; i++) {
		struct uebpf_program *p = &obj->progs[i];

		if (p->nr_relos > 1)
			qsort(p->relos, p->nr_relos, sizeof(*p->relos), cmp_relos);
	}
	return err ? err : collect_btf_ext(obj);
}

/* ---- line info ---- */

const struct btf_line_rec *relo_line_at(const struct uebpf_object *obj,
					const struct uebpf_program *prog, size_t insn_idx)
{
	const struct uebpf_program *p = prog;
	size_t local = insn_idx;

	if (prog->parts) {
		size_t i;

		for (i = 0; i < prog->nr_parts; i++)
			if (insn_idx >= prog->parts[i].off &&
			    insn_idx < prog->parts[i].off + prog->parts[i].cnt)
				break;
		if (i == prog->nr_parts)
			return NULL;
		p = &obj->progs[prog->parts[i].prog_idx];
		local = insn_idx - prog->parts[i].off;
	} else if (insn_idx >= prog->insn_cnt) {
		return NULL;
	}
	if (!p->ext_sec || local >= p->sec_insn_cnt)
		return NULL;
	const struct btf_line_rec *rec = btf_ext_line_at(p->ext_sec, p->sec_insn_off + local);
	/* A record before the function's first one belongs to another. */
	if (!rec || rec->insn_off < p->sec_insn_off)
		return NULL;
	return rec;
}

void relo_describe_insn(const struct uebpf_object *obj, const struct uebpf_program *prog,
			size_t insn_idx, char *buf, size_t size)
{
	const struct btf_line_rec *rec = relo_line_at(obj, prog, insn_idx);
	int n;

	if (!size)
		return;
	buf[0] = '\0';
	if (!rec)
		return;
	n = btf_ext_line_format(obj->btf_ext, rec, buf, size);
	const char *text = btf_ext_line_text(obj->btf_ext, rec);

	text += strspn(text, " \t");
	if (n >= 0 && (size_t)n < size && text[0])
		snprintf(buf + n, size - n, ": %s", text);
}

/* ---- at load ---- */

/* A main program being assembled. */
struct build {
	struct uebpf_insn *insns;
	size_t cnt, cap;
	struct prog_part *parts;
	size_t nr_parts, parts_cap;
};

static int build_append(struct uebpf_object *obj, struct build *b, size_t prog_idx,
			const struct uebpf_insn *insns, size_t cnt)
{
	if (cnt > PROG_MAX_INSNS - b->cnt)
		return obj_err(obj, E2BIG, "program '%s': more than %u instructions with its "
			       "subprograms",
			       obj->progs[b->nr_parts ? b->parts[0].prog_idx : prog_idx].name,
			       PROG_MAX_INSNS);
	if (b->cnt + cnt > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		struct uebpf_insn *p;

		while (cap < b->cnt + cnt)
			cap *= 2;
		p = reallocarray(b->insns, cap, sizeof(*p));
		if (!p)
			return obj_err(obj, ENOMEM, "out of memory");
		b->insns = p;
		b->cap = cap;
	}
	if (b->nr_parts == b->parts_cap) {
		size_t cap = b->parts_cap ? 2 * b->parts_cap : 8;
		struct prog_part *p = reallocarray(b->parts, cap, sizeof(*p));

		if (!p)
			return obj_err(obj, ENOMEM, "out of memory");
		b->parts = p;
		b->parts_cap = cap;
	}
	memcpy(b->insns + b->cnt, insns, cnt * sizeof(*insns));
	b->parts[b->nr_parts++] = (struct prog_part){ .prog_idx = prog_idx, .off = b->cnt, .cnt = cnt };
	b->cnt += cnt;
	return 0;
}

static const struct relo *find_relo(const struct uebpf_program *p, size_t insn_idx)
{
	struct relo key = { .insn_idx = (uint32_t)insn_idx };

	if (!p->nr_relos)
		return NULL;
	return bsearch(&key, p->relos, p->nr_relos, sizeof(key), cmp_relos);
}

static int insn_err(struct uebpf_object *obj, const struct uebpf_program *prog, size_t insn_idx,
		    int err, const char *what)
{
	char src[256];

	relo_describe_insn(obj, prog, insn_idx, src, sizeof(src));
	return obj_err(obj, err, "program '%s', instruction %zu%s%s%s: %s", prog->name, insn_idx,
		       src[0] ? " (" : "", src, src[0] ? ")" : "", what);
}

/*
 * Appends the subprograms the main program reaches, depth first in the
 * order of its instructions, and points calls and function addresses at
 * them (libbpf's bpf_object__reloc_code, with an explicit stack).
 */
static int link_subprogs(struct uebpf_object *obj, struct build *b, struct uebpf_insn **work,
			 size_t *appended_at)
{
	struct frame {
		size_t part, pos;
	} *stack;
	size_t depth = 1;
	int err = 0;

	stack = malloc(sizeof(*stack) * (obj->nr_progs + 1));
	if (!stack)
		return obj_err(obj, ENOMEM, "out of memory");
	stack[0] = (struct frame){ 0, 0 };
	while (depth && !err) {
		struct frame *f = &stack[depth - 1];
		const struct prog_part *part = &b->parts[f->part];
		const struct uebpf_program *p = &obj->progs[part->prog_idx];
		size_t pos = f->pos++, at = part->off + pos;

		if (pos >= part->cnt) {
			depth--;
			continue;
		}
		struct uebpf_insn *insn = &b->insns[at];
		bool call = insn->code == CALL && insn->src_reg == BPF_PSEUDO_CALL &&
			    insn->dst_reg == 0 && insn->off == 0;
		bool func = insn->code == LDDW && insn->src_reg == BPF_PSEUDO_FUNC;
		if (!call && !func)
			continue;

		const struct relo *r = find_relo(p, pos);
		int64_t target;

		if (r && r->type == RELO_EXTERN_FUNC)
			continue;
		if (r && r->type != RELO_CALL && r->type != RELO_SUBPROG_ADDR) {
			err = insn_err(obj, p, pos, EINVAL, "a call with a relocation that is not "
				       "against a function");
			break;
		}
		if (r && r->type == RELO_CALL)
			target = (int64_t)(r->sym_off / INSN_SZ) + insn->imm + 1;
		else if (r)
			target = (int64_t)(r->sym_off / INSN_SZ) + insn->imm / INSN_SZ + 1;
		else if (func) {
			err = insn_err(obj, p, pos, EINVAL, "a function address without a relocation");
			break;
		} else
			/* A static function of the same section: no relocation,
			 * the offset is relative to the call. */
			target = (int64_t)(p->sec_insn_off + pos) + insn->imm + 1;

		struct uebpf_program *sub = target >= 0 ? prog_at(obj, obj->text_sec_idx, target) : NULL;
		if (!obj->text_sec_idx || !sub || !prog_is_subprog(obj, sub)) {
			char what[128];

			snprintf(what, sizeof(what), "%s instruction %lld of .text, which is not in "
				 "a function of .text", func ? "the address of" : "a call of",
				 (long long)target);
			err = insn_err(obj, p, pos, EINVAL, what);
			break;
		}
		size_t si = sub - obj->progs;
		if (appended_at[si] == SIZE_MAX) {
			appended_at[si] = b->cnt;
			err = build_append(obj, b, si, work[si], sub->sec_insn_cnt);
			if (err)
				break;
			insn = &b->insns[at]; /* moved by the append */
			stack[depth++] = (struct frame){ b->nr_parts - 1, 0 };
		}
		insn->imm = (int32_t)((int64_t)appended_at[si] - (int64_t)at - 1);
	}
	free(stack);
	return err;
}

/* Maps, global data and externs of each part's relocations. */
static int relocate_data(struct uebpf_object *obj, struct build *b)
{
	for (size_t pi = 0; pi < b->nr_parts; pi++) {
		const struct prog_part *part = &b->parts[pi];
		const struct uebpf_program *p = &obj->progs[part->prog_idx];

		for (size_t k = 0; k < p->nr_relos; k++) {
			const struct relo *r = &p->relos[k];
			struct uebpf_insn *insn = &b->insns[part->off + r->insn_idx];
			const struct extern_desc *ext;

			switch (r->type) {
			case RELO_LD64:
				insn[0].src_reg = BPF_PSEUDO_MAP_FD;
				insn[0].imm = obj->maps[r->idx].fd;
				break;
			case RELO_DATA:
				insn[1].imm = (int32_t)((uint32_t)insn[0].imm + (uint32_t)r->sym_off);
				insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
				insn[0].imm = obj->maps[r->idx].fd;
				break;
			case RELO_EXTERN_VAR:
				ext = &obj->externs[r->idx];
				if (ext->type == EXT_KCFG && obj->kconfig_map_idx < 0)
					return insn_err(obj, p, r->insn_idx, EINVAL,
							"a .kconfig extern without a .kconfig map");
				if (ext->type == EXT_KCFG) {
					insn[0].src_reg = BPF_PSEUDO_MAP_VALUE;
					insn[0].imm = obj->maps[obj->kconfig_map_idx].fd;
					insn[1].imm = (int32_t)ext->data_off;
				} else {
					/* A weak kernel symbol uebpf does not have: 0. */
					insn[0].imm = 0;
					insn[1].imm = 0;
				}
				break;
			case RELO_EXTERN_FUNC:
				/* A weak kfunc uebpf does not have: a call the
				 * program must not reach. */
				insn[0].src_reg = BPF_PSEUDO_KFUNC_CALL;
				insn[0].imm = 0;
				insn[0].off = 0;
				break;
			case RELO_SUBPROG_ADDR:
				if (insn[0].src_reg != BPF_PSEUDO_FUNC)
					return insn_err(obj, p, r->insn_idx, EINVAL,
							"a function address on an instruction "
							"that does not load one");
				break;
			case RELO_CALL:
				break;
			}
		}
	}
	return 0;
}

/* An instruction CO-RE could not relocate, poisoned as libbpf does. */
struct poison {
	size_t prog_idx;
	uint32_t insn_idx;
	char *msg;
};

struct poisons {
	struct poison *v;
	size_t cnt;
};

/* core_relo_apply's message without its "insn N: " (insn_err says where). */
static const char *core_msg(const char *msg)
{
	const char *colon = strncmp(msg, "insn ", 5) ? NULL : strstr(msg, ": ");

	return colon ? colon + 2 : msg;
}

/* CO-RE: the program's own instructions patched against the types
 * uebpf provides (progtypes/btf.h). A relocation uebpf cannot satisfy
 * poisons its instruction; the program is refused only if it can reach
 * one (see check_poison). */
static int relocate_core(struct uebpf_object *obj, size_t prog_idx, struct uebpf_insn *insns,
			 struct poisons *poisons)
{
	const struct uebpf_program *p = &obj->progs[prog_idx];
	const struct btf *target = progtypes_btf();

	if (!p->nr_cores)
		return 0;
	if (!target)
		return obj_err(obj, ENOENT, "program '%s': CO-RE relocations, but the types uebpf "
			       "provides are not available", p->name);
	for (size_t k = 0; k < p->nr_cores; k++) {
		const struct core_ref *c = &p->cores[k];
		const char *access = btf_ext_str(obj->btf_ext, c->rec->access_str_off);
		struct core_relo relo = {
			.insn_idx = c->insn_idx,
			.type_id = c->rec->type_id,
			.access_str = access ? access : "",
			.kind = c->rec->kind,
		};
		char msg[512];
		int err = core_relo_apply(obj->btf, target, &relo, insns, p->sec_insn_cnt, msg,
					  sizeof(msg));

		if (err == -ESRCH) {
			struct poison *v = reallocarray(poisons->v, poisons->cnt + 1, sizeof(*v));
			char *m = strdup(core_msg(msg));

			if (!v || !m) {
				free(m);
				if (v)
					poisons->v = v;
				return obj_err(obj, ENOMEM, "out of memory");
			}
			poisons->v = v;
			v[poisons->cnt++] = (struct poison){ prog_idx, c->insn_idx, m };
		} else if (err) {
			return insn_err(obj, p, c->insn_idx, -err, core_msg(msg));
		}
	}
	return 0;
}

/* Registers whose value is a known constant, from the instructions
 * since the last place control flow joins. */
struct consts {
	uint16_t known; /* bit r: val[r] is known */
	uint64_t val[11];
};

static bool jump_decided(const struct consts *c, const struct uebpf_insn *in, bool *taken)
{
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	uint64_t a, b;

	if (!(c->known & (1u << in->dst_reg)))
		return false;
	a = c->val[in->dst_reg];
	if (BPF_SRC(in->code) == BPF_X) {
		if (in->src_reg > 10 || !(c->known & (1u << in->src_reg)))
			return false;
		b = c->val[in->src_reg];
	} else {
		b = (uint64_t)(int64_t)in->imm;
	}
	if (is32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	int64_t sa = is32 ? (int32_t)a : (int64_t)a, sb = is32 ? (int32_t)b : (int64_t)b;

	switch (BPF_OP(in->code)) {
	case BPF_JEQ: *taken = a == b; return true;
	case BPF_JNE: *taken = a != b; return true;
	case BPF_JGT: *taken = a > b; return true;
	case BPF_JGE: *taken = a >= b; return true;
	case BPF_JLT: *taken = a < b; return true;
	case BPF_JLE: *taken = a <= b; return true;
	case BPF_JSET: *taken = (a & b) != 0; return true;
	case BPF_JSGT: *taken = sa > sb; return true;
	case BPF_JSGE: *taken = sa >= sb; return true;
	case BPF_JSLT: *taken = sa < sb; return true;
	case BPF_JSLE: *taken = sa <= sb; return true;
	default: return false;
	}
}

/* What an instruction does to the known constants. */
static void consts_step(struct consts *c, const struct uebpf_insn *in, const struct uebpf_insn *next)
{
	uint8_t cls = BPF_CLASS(in->code);
	uint16_t dst = in->dst_reg < 11 ? (uint16_t)(1u << in->dst_reg) : 0;

	switch (cls) {
	case BPF_ALU:
	case BPF_ALU64:
		c->known &= ~dst;
		if (BPF_OP(in->code) == BPF_MOV && BPF_SRC(in->code) == BPF_K && in->off == 0 && dst) {
			c->known |= dst;
			c->val[in->dst_reg] = cls == BPF_ALU64 ? (uint64_t)(int64_t)in->imm
							       : (uint32_t)in->imm;
		}
		break;
	case BPF_LD:
		c->known &= ~dst;
		if (in->code == LDDW && in->src_reg == 0 && next && dst) {
			c->known |= dst;
			c->val[in->dst_reg] = (uint32_t)in->imm | (uint64_t)(uint32_t)next->imm << 32;
		}
		break;
	case BPF_LDX:
		c->known &= ~dst;
		break;
	case BPF_ST:
		break;
	case BPF_STX:
		/* Atomics with fetch write the source register (or r0). */
		if (BPF_MODE(in->code) == BPF_ATOMIC)
			c->known = 0;
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (BPF_OP(in->code) == BPF_CALL)
			c->known &= ~0x3fu; /* r0-r5 */
		break;
	}
}

/* The message of the poisoned instruction at pc of the program built. */
static int poison_reached(struct uebpf_object *obj, const struct build *b,
			  const struct poisons *poisons, size_t pc)
{
	for (size_t pi = 0; pi < b->nr_parts; pi++) {
		const struct prog_part *part = &b->parts[pi];

		if (pc < part->off || pc >= part->off + part->cnt)
			continue;
		for (size_t k = 0; k < poisons->cnt; k++) {
			const struct poison *po = &poisons->v[k];

			if (part->prog_idx == po->prog_idx && pc == part->off + po->insn_idx)
				return insn_err(obj, &obj->progs[po->prog_idx], po->insn_idx,
						EINVAL, po->msg);
		}
		/* A poison call the file itself holds. */
		return insn_err(obj, &obj->progs[part->prog_idx], pc - part->off, EINVAL,
				"a call of libbpf's marker for a failed CO-RE relocation");
	}
	return 0;
}

/*
 * Refuses the program if it can reach a poisoned instruction. Control
 * flow is followed from the first instruction; a conditional jump on a
 * register holding a constant set since the last join point (typically
 * what bpf_core_field_exists() became) goes one way only, as the
 * kernel's verifier would see it. Joins forget every constant, which
 * keeps this sound: nothing reachable is ever skipped.
 */
static int check_poison(struct uebpf_object *obj, const struct build *b,
			const struct poisons *poisons)
{
	size_t n = b->cnt, top = 0;
	uint8_t *state = calloc(n ? n : 1, 1); /* 1: a join point; 2: reached */
	/* Each instruction pushes at most a target and a join. */
	size_t *work = malloc((2 * n + 1) * sizeof(*work));
	int err = 0;

	if (!state || !work) {
		free(state);
		free(work);
		return obj_err(obj, ENOMEM, "out of memory");
	}
	/* Join points: jump and call targets. */
	for (size_t pc = 0; pc < n; pc++) {
		const struct uebpf_insn *in = &b->insns[pc];
		uint8_t cls = BPF_CLASS(in->code);
		int64_t t = -1;

		if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(in->code) != BPF_EXIT) {
			if (BPF_OP(in->code) == BPF_CALL)
				t = in->src_reg == BPF_PSEUDO_CALL ? (int64_t)pc + in->imm + 1 : -1;
			else if (cls == BPF_JMP32 && BPF_OP(in->code) == BPF_JA)
				t = (int64_t)pc + in->imm + 1;
			else
				t = (int64_t)pc + in->off + 1;
		} else if (in->code == LDDW && in->src_reg == BPF_PSEUDO_FUNC) {
			t = (int64_t)pc + in->imm + 1;
		}
		if (t >= 0 && (uint64_t)t < n)
			state[t] = 1;
	}
	work[top++] = 0;
	while (top && !err) {
		size_t pc = work[--top];
		struct consts c = { 0 };

		/* One straight run, from a join point with nothing known, to
		 * the next jump, exit, join point or reached instruction. */
		for (bool first = true; pc < n && !(state[pc] & 2); first = false) {
			const struct uebpf_insn *in = &b->insns[pc];
			uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
			bool lddw = in->code == LDDW, taken = false;
			int64_t t = -1;

			if ((state[pc] & 1) && !first) {
				work[top++] = pc;
				break;
			}
			state[pc] |= 2;
			if (in->code == CALL && in->src_reg == 0 && in->imm == CORE_POISON_HELPER) {
				err = poison_reached(obj, b, poisons, pc);
				break;
			}
			if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL) {
				if (op == BPF_EXIT)
					break;
				t = (int64_t)pc + (cls == BPF_JMP32 && op == BPF_JA ? in->imm : in->off) + 1;
				bool decided = op == BPF_JA || jump_decided(&c, in, &taken);

				if (op == BPF_JA)
					taken = true;
				if ((!decided || taken) && t >= 0 && (uint64_t)t < n)
					work[top++] = (size_t)t;
				if (taken)
					break;
				pc++;
				continue;
			}
			if (in->code == CALL && in->src_reg == BPF_PSEUDO_CALL)
				t = (int64_t)pc + in->imm + 1;
			else if (lddw && in->src_reg == BPF_PSEUDO_FUNC)
				t = (int64_t)pc + in->imm + 1;
			if (t >= 0 && (uint64_t)t < n)
				work[top++] = (size_t)t;
			consts_step(&c, in, lddw && pc + 1 < n ? &b->insns[pc + 1] : NULL);
			pc += lddw ? 2 : 1;
		}
	}
	free(state);
	free(work);
	return err;
}

int relo_programs(struct uebpf_object *obj, struct relo_result *res)
{
	struct uebpf_insn **work;
	struct poisons poisons = { 0 };
	size_t *appended_at;
	int err = 0;

	work = calloc(obj->nr_progs + 1, sizeof(*work));
	appended_at = calloc(obj->nr_progs + 1, sizeof(*appended_at));
	if (!work || !appended_at) {
		err = obj_err(obj, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < obj->nr_progs && !err; i++) {
		struct uebpf_program *p = &obj->progs[i];

		work[i] = malloc(p->sec_insn_cnt * sizeof(**work));
		if (!work[i]) {
			err = obj_err(obj, ENOMEM, "out of memory");
			break;
		}
		memcpy(work[i], p->insns, p->sec_insn_cnt * sizeof(**work));
		if (p->autoload)
			err = relocate_core(obj, i, work[i], &poisons);
		/* Function addresses are marked for the linking below. */
		for (size_t k = 0; k < p->nr_relos && !err; k++)
			if (p->relos[k].type == RELO_SUBPROG_ADDR)
				work[i][p->relos[k].insn_idx].src_reg = BPF_PSEUDO_FUNC;
	}
	for (size_t i = 0; i < obj->nr_progs && !err; i++) {
		struct uebpf_program *p = &obj->progs[i];
		struct build b = { 0 };

		if (!p->autoload || prog_is_subprog(obj, p))
			continue;
		for (size_t k = 0; k < obj->nr_progs; k++)
			appended_at[k] = SIZE_MAX;
		err = build_append(obj, &b, i, work[i], p->sec_insn_cnt);
		err = err ? err : link_subprogs(obj, &b, work, appended_at);
		err = err ? err : check_poison(obj, &b, &poisons);
		err = err ? err : relocate_data(obj, &b);
		res[i] = (struct relo_result){ b.insns, b.cnt, b.parts, b.nr_parts };
	}
out:
	for (size_t i = 0; work && i < obj->nr_progs; i++)
		free(work[i]);
	free(work);
	free(appended_at);
	for (size_t k = 0; k < poisons.cnt; k++)
		free(poisons.v[k].msg);
	free(poisons.v);
	if (err)
		relo_results_free(obj, res);
	return err;
}

void relo_results_free(struct uebpf_object *obj, struct relo_result *res)
{
	for (size_t i = 0; i < obj->nr_progs; i++) {
		free(res[i].insns);
		free(res[i].parts);
		res[i] = (struct relo_result){ 0 };
	}
}
