/* SPDX-License-Identifier: MIT */
/*
 * The object layer's view of an ELF object: its programs, maps and the
 * ELF state used while opening it.
 *
 * Opening (elf.c, externs.c, maps_def.c, relo.c) reads everything from
 * the file into these structures and frees the ELF afterwards: programs
 * keep a copy of their instructions and their relocations, maps their
 * definition, initial contents and slots, the object its BTF and
 * .BTF.ext. Loading (load.c, relo.c, externs.c) works from these copies
 * only.
 *
 * The order of programs and maps, and the names, sizes and flags of maps,
 * are libbpf's (see docs/object.md).
 */
#ifndef UEBPF_OBJECT_OBJECT_H
#define UEBPF_OBJECT_OBJECT_H

#include <gelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uebpf/object.h"

struct btf;
struct btf_type;
struct btf_ext;
struct btf_ext_sec;
struct btf_core_rec;
struct btf_line_rec;

#define INSN_SZ 8
/* The largest array map value the kernel accepts (KMALLOC_MAX_SIZE on
 * x86-64): larger global data or .kconfig could never load. */
#define MAP_VALUE_MAX (4u << 20)
/* The kernel's BPF_OBJ_NAME_LEN: names of kernel objects (maps). */
#define OBJ_NAME_LEN 16

/* What the loader made of an ELF section. */
enum elf_sec_type {
	SEC_UNUSED = 0,
	SEC_PROGS,       /* executable code: programs */
	SEC_RELO,        /* relocations of a code section or of .maps */
	SEC_DATA,        /* .data, .data.* */
	SEC_RODATA,      /* .rodata, .rodata.* */
	SEC_BSS,         /* .bss, .bss.* (SHT_NOBITS) */
	SEC_BTF_MAPS,    /* .maps */
	SEC_LEGACY_MAPS, /* maps */
};

struct elf_sec {
	const char *name;    /* in the section name table */
	Elf64_Shdr *shdr;
	const uint8_t *data; /* NULL for SHT_NOBITS */
	size_t size;
	enum elf_sec_type kind;
};

/* The ELF file while the object is opened. */
struct elf_state {
	Elf *elf;
	uint8_t *buf; /* the file's bytes (our copy) */
	size_t size;
	struct elf_sec *secs;
	size_t sec_cnt;
	const Elf64_Sym *syms;
	size_t sym_cnt;
	size_t symtab_idx;
	const char *strtab;
	size_t strtab_size;
	size_t text_idx;        /* 0: none */
	size_t btf_maps_idx;    /* .maps; 0: none */
	size_t legacy_maps_idx; /* maps; 0: none */
	/* No function symbol in code sections (clang before 6): programs
	 * start at global symbols. */
	bool no_func_syms;
	const struct elf_sec *btf_sec, *btf_ext_sec;
	/* Lookups by name, built on first use: BTF type ids sorted by name
	 * (then id), and global object symbols sorted by name (then index). */
	uint32_t *btf_ids_by_name;
	size_t btf_ids_cnt;
	uint32_t *vars_by_name;
	size_t vars_cnt;
};

/* A relocation of a program's instruction, collected at open. */
enum relo_type {
	RELO_LD64,         /* lddw of a map (legacy or BTF-defined) */
	RELO_DATA,         /* lddw of global data: map value + offset */
	RELO_CALL,         /* bpf-to-bpf call into .text */
	RELO_SUBPROG_ADDR, /* lddw of a function's address (callbacks) */
	RELO_EXTERN_VAR,   /* lddw of an extern variable (.kconfig, ksym) */
	RELO_EXTERN_FUNC,  /* call of an extern function (kfunc) */
};

struct relo {
	enum relo_type type;
	uint32_t insn_idx; /* in the program's own instructions */
	uint32_t idx;      /* RELO_LD64, RELO_DATA: map; RELO_EXTERN_*: extern */
	uint64_t sym_off;  /* RELO_CALL, RELO_SUBPROG_ADDR, RELO_DATA: symbol value */
};

/* A CO-RE record of .BTF.ext for one of the program's instructions. */
struct core_ref {
	uint32_t insn_idx; /* in the program's own instructions */
	uint32_t rec_idx;  /* in its section's records (for messages) */
	const struct btf_core_rec *rec;
};

/* Part of a loaded program: the instructions of program prog_idx (the
 * program itself, then the subprograms appended) at offset off. */
struct prog_part {
	size_t prog_idx;
	size_t off;
	size_t cnt;
};

/* Externs (extern variables and functions the loader resolves). */
enum extern_type {
	EXT_KCFG, /* .kconfig: CONFIG_*, LINUX_* values */
	EXT_KSYM, /* .ksyms: kernel variables and functions (kfuncs) */
};

enum kcfg_type {
	KCFG_UNKNOWN,
	KCFG_CHAR,
	KCFG_BOOL,
	KCFG_INT,
	KCFG_TRISTATE,
	KCFG_CHAR_ARR,
};

struct extern_desc {
	char *name;
	enum extern_type type;
	size_t sym_idx;
	uint32_t btf_id;
	bool is_weak;
	bool is_func;
	bool is_set; /* while loading */
	/* EXT_KCFG */
	enum kcfg_type kcfg_type;
	bool is_signed;
	uint32_t sz;
	uint32_t align;
	uint32_t data_off; /* in the .kconfig map's value */
};

struct uebpf_program {
	struct uebpf_object *obj;
	char *name;
	char *sec_name;     /* without the "?" that turns autoload off */
	size_t sec_idx;
	size_t sec_insn_off; /* first instruction, in the section */
	size_t sec_insn_cnt;
	/* Before load the instructions of the file; after load those
	 * loaded (subprograms appended, relocations applied). */
	struct uebpf_insn *insns;
	size_t insn_cnt;
	enum bpf_prog_type type;
	enum bpf_attach_type expected_attach_type;
	char *attach_target;
	uint32_t prog_flags;
	bool autoload;
	char *log_buf; /* the caller's, for the verifier's log */
	size_t log_size;
	uint32_t log_level;
	/* A global function with hidden visibility (the verifier may
	 * treat it as static). */
	bool mark_btf_static;
	struct relo *relos; /* sorted by insn_idx */
	size_t nr_relos;
	struct core_ref *cores; /* in the order of the file */
	size_t nr_cores;
	/* The .BTF.ext records of the program's section, or NULL. */
	const struct btf_ext_sec *ext_sec;
	/* After load: the parts of the loaded instructions (the program,
	 * then each subprogram appended), NULL before. */
	struct prog_part *parts;
	size_t nr_parts;
	int fd;
};

enum map_kind {
	MAP_BTF,    /* .maps */
	MAP_LEGACY, /* maps (struct bpf_map_def) */
	MAP_DATA,   /* .data, .data.* */
	MAP_RODATA, /* .rodata, .rodata.* */
	MAP_BSS,    /* .bss, .bss.* */
	MAP_KCONFIG,
};

/* The definition of a map, as the file gives it and the setters change it. */
struct map_def {
	enum bpf_map_type type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	uint32_t numa_node;
	uint64_t map_extra;
	uint32_t btf_key_type_id;
	uint32_t btf_value_type_id;
};

/* An initial slot of a prog-array or map-in-map (".values = { ... }"). */
struct map_slot {
	bool set;
	size_t idx; /* program or map index in the object */
};

struct uebpf_map {
	struct uebpf_object *obj;
	char *name;      /* what uebpf_map_name gives (libbpf's bpf_map__name) */
	char *kern_name; /* the name the map is created with (<= 15 chars) */
	char *real_name; /* global data: the ELF section name */
	enum map_kind kind;
	size_t sec_idx;
	size_t sec_offset;
	uint32_t btf_var_idx; /* MAP_BTF: the variable in the .maps DATASEC */
	struct map_def def;
	bool pin_by_name;
	/* The value has a struct bpf_spin_lock at spin_lock_off (from BTF). */
	bool value_has_spin_lock;
	uint32_t spin_lock_off;
	/* Map-in-map: the inner map's definition ("name.inner"). */
	struct uebpf_map *inner;
	struct map_slot *slots;
	size_t nr_slots;
	/* Global data: the initial contents, def.value_size bytes. */
	uint8_t *initial;
	char *pin_path;
	bool pinned;
	bool reused;
	int fd;
};

struct uebpf_object {
	char name[OBJ_NAME_LEN];
	char *path; /* file path, or the name for open_mem */
	char license[64];
	uint32_t kversion;
	struct uebpf_program *progs;
	size_t nr_progs;
	struct uebpf_map *maps;
	size_t nr_maps;
	struct btf *btf;
	struct btf_ext *btf_ext;
	struct extern_desc *externs; /* .kconfig ones first, in libbpf's order */
	size_t nr_externs;
	/* The .kconfig map, when there are .kconfig externs; -1: none. */
	ssize_t kconfig_map_idx;
	char *pin_root_path;
	char *err_buf;
	size_t err_size;
	bool loaded; /* load was attempted (once only, as with libbpf) */
	size_t text_sec_idx; /* .text, whose functions are subprograms; 0: none */
	struct elf_state elf; /* only while opening */
};

/* object.c */
/* Records an error message for the user (err_buf of the open options);
 * returns -err so that callers can write `return obj_err(obj, EINVAL, ...)`. */
int obj_err(struct uebpf_object *obj, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool prog_is_subprog(const struct uebpf_object *obj, const struct uebpf_program *prog);
struct uebpf_program *obj_add_program(struct uebpf_object *obj);
struct uebpf_map *obj_add_map(struct uebpf_object *obj);

/* elf.c */
int elf_open(struct uebpf_object *obj, uint8_t *buf, size_t size);
void elf_close(struct uebpf_object *obj);
const char *elf_sym_name(const struct uebpf_object *obj, const Elf64_Sym *sym);
/* A symbol's name for messages: the section's name for section symbols. */
const char *elf_sym_display_name(const struct uebpf_object *obj, const Elf64_Sym *sym);
const char *elf_sec_name(const struct uebpf_object *obj, size_t idx);

/* externs.c */
/* Externs from the symbol table and BTF, as libbpf collects them at open
 * (before the BTF DATASECs are fixed up); lays out .kconfig. */
int externs_collect(struct uebpf_object *obj);
/* Fills in the .kconfig map's initial value (LINUX_KERNEL_VERSION,
 * CONFIG_* from the kernel's config, ...) at load. */
int externs_resolve(struct uebpf_object *obj);
void externs_free(struct uebpf_object *obj);

/* relo.c */
/* At open: the relocations of code sections and the .BTF.ext records
 * (.maps' own relocations are maps_def.c's). */
int relo_collect(struct uebpf_object *obj);
/* At load, once the maps have fds: every autoload main program
 * relocated (CO-RE, subprograms appended, maps, data and externs
 * resolved) into res[i] (zeroed for the others). On error the message
 * is in the object's err_buf and res is freed. */
struct relo_result {
	struct uebpf_insn *insns;
	size_t insn_cnt;
	struct prog_part *parts;
	size_t nr_parts;
};
int relo_programs(struct uebpf_object *obj, struct relo_result *res);
/* load.c: the first steps of uebpf_object_load (externs, maps created,
 * every autoload program relocated), giving one program's instructions
 * (the caller frees them) without loading it: for tests that load the
 * same instructions elsewhere (the kernel). The maps stay until the
 * object is closed; the object cannot be loaded after. */
int object_relocate_only(struct uebpf_object *obj, const struct uebpf_program *prog,
			 struct uebpf_insn **insns, size_t *cnt);
void relo_results_free(struct uebpf_object *obj, struct relo_result *res);
/* The line record of instruction insn_idx of a program (as loaded, when
 * it has parts; as in the file otherwise), or NULL. */
const struct btf_line_rec *relo_line_at(const struct uebpf_object *obj,
					const struct uebpf_program *prog, size_t insn_idx);
/* "file.c:12: source text" for messages, into buf (empty when unknown). */
void relo_describe_insn(const struct uebpf_object *obj, const struct uebpf_program *prog,
			size_t insn_idx, char *buf, size_t size);

/* maps_def.c */
/* BTF lookups that never fail: a name ("" when none), a kind's name for
 * messages, the type behind modifiers and typedefs (NULL for a missing
 * type or too long a chain; *res_id its id). */
const char *btf_name(const struct btf *btf, uint32_t off);
const char *btf_kind_name(const struct btf_type *t);
const struct btf_type *btf_skip_mods(const struct btf *btf, uint32_t id, uint32_t *res_id);
int btf_fixup_datasecs(struct uebpf_object *obj);
int maps_init(struct uebpf_object *obj);
void map_free(struct uebpf_map *map);
/* max_entries as libbpf passes it on: ring buffers rounded up to a
 * power-of-2 number of pages. */
uint32_t map_adjust_max_entries(enum bpf_map_type type, uint32_t max_entries);

#endif /* UEBPF_OBJECT_OBJECT_H */
