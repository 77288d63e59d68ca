/* SPDX-License-Identifier: MIT */
/*
 * uebpf objects: ELF files as `clang -O2 -g -target bpf` and libbpf make
 * them, opened, their maps created and their programs loaded.
 *
 * Like libbpf's object API (bpf_object__open_file, bpf_program__*,
 * bpf_map__*), without the double underscores:
 *
 *   struct uebpf_object *obj = uebpf_object_open_file("prog.bpf.o", NULL);
 *   if (!obj) ... errno says why ...
 *   struct uebpf_map *m = uebpf_object_find_map(obj, "counts");
 *   uebpf_map_set_max_entries(m, 4096);          (before load)
 *   if (uebpf_object_load(obj)) ...
 *   int fd = uebpf_map_fd(m);                   (uebpf_map_lookup_elem ...)
 *   uebpf_object_close(obj);
 *
 * Opening reads and checks everything in the file (sections, symbols,
 * relocations, BTF, map definitions) and creates nothing; loading creates
 * the maps (or reuses pinned ones), relocates the programs and loads them
 * with uebpf_prog_load. A malformed file is refused with a message that
 * names the section and offset (err_buf in the open options).
 *
 * Functions returning pointers return NULL and set errno on error; the
 * others return 0 (or an fd) or a negative errno.
 */
#ifndef UEBPF_OBJECT_H
#define UEBPF_OBJECT_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/engine.h"
#include "uebpf/isa.h"
#include "uebpf/progtypes.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uebpf_object;
struct uebpf_program;
struct uebpf_map;
struct uebpf_code;

/* ---- loading raw instructions (BPF_PROG_LOAD) ---- */

struct uebpf_prog_load_opts {
	size_t sz; /* size of this struct, for compatibility */
	enum bpf_attach_type expected_attach_type;
	/* What the program attaches to (a function, a tracepoint
	 * "category/name", an LSM hook, ...), for the program types that
	 * need one. */
	const char *attach_target;
	uint32_t prog_flags; /* BPF_F_SLEEPABLE, BPF_F_XDP_HAS_FRAGS, ... */
	/* The verifier's log (level 1: the path to a rejection; 2: every
	 * instruction with its state; 4: statistics). With a buffer and
	 * level 0, only the reason for a rejection. */
	char *log_buf;
	size_t log_size;
	uint32_t log_level;
	/* Load without verification (for testing code the verifier refuses):
	 * the program then runs only in the checked interpreter mode, which
	 * bounds-checks every access at run time. */
	bool unverified;
};
#define UEBPF_PROG_LOAD_OPTS_SZ sizeof(struct uebpf_prog_load_opts)

/*
 * Loads a program, as the kernel's BPF_PROG_LOAD does: its instructions
 * are checked (the decoder's structural checks, then the verifier, see
 * docs/verifier.md), context accesses are rewritten for uebpf's runtime
 * contexts, and it is prepared to run with every kernel helper uebpf
 * implements.
 * Map references are `lddw rN, map_fd` (src 1) and map values (src 2),
 * by fd, as for the kernel. Returns a program fd or a negative errno, the
 * reason in log_buf.
 */
int uebpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
		    const struct uebpf_insn *insns, size_t insn_cnt,
		    const struct uebpf_prog_load_opts *opts);

struct uebpf_prog_info {
	uint32_t type;   /* enum bpf_prog_type */
	uint32_t id;
	uint8_t tag[8];  /* the kernel's program tag (SHA-256 of the code, maps masked) */
	uint32_t insn_cnt;
	char name[16];   /* BPF_OBJ_NAME_LEN, as the kernel shortens it */
	uint32_t nr_map_ids;
	uint32_t map_ids[64];
	uint64_t load_time; /* CLOCK_REALTIME, ns */
	bool gpl_compatible;
};

int uebpf_prog_get_info(int prog_fd, struct uebpf_prog_info *info);
/* The program ready to run (uebpf_code_run), valid while the fd is open. */
struct uebpf_code *uebpf_prog_code(int prog_fd);
/* Closes a program fd (use this rather than close()). */
int uebpf_prog_close(int prog_fd);

/* ---- running a program on test input (BPF_PROG_TEST_RUN) ---- */

/*
 * The attributes of the kernel's BPF_PROG_TEST_RUN (libbpf's struct
 * bpf_test_run_opts), with the same meaning and the same errno for
 * every refusal. Inputs: data_in/data_size_in (the packet), ctx_in /
 * ctx_size_in (a struct xdp_md or struct __sk_buff whose settable
 * fields the run takes over), repeat (runs on the same packet and
 * context, one after the other), flags. Outputs: data_out gets the
 * packet as the program left it (data_size_out: its capacity on input,
 * 0 for no limit; its full size on output, with -ENOSPC when it was cut),
 * ctx_out the context, retval the last run's return value and duration
 * the mean time per run in ns.
 */
struct uebpf_test_run_opts {
	size_t sz; /* size of this struct, for compatibility */
	const void *data_in;
	void *data_out;
	uint32_t data_size_in;
	uint32_t data_size_out;
	const void *ctx_in;
	void *ctx_out;
	uint32_t ctx_size_in;
	uint32_t ctx_size_out;
	uint32_t retval;
	int repeat;
	uint32_t duration;
	uint32_t flags;
	uint32_t cpu;
	uint32_t batch_size;
	/* uebpf's own. Where a redirect helper sent the packet (valid when
	 * retval is XDP_REDIRECT or TC_ACT_REDIRECT, or clones > 0). */
	struct uebpf_redirect redirect;
	/* On a run-time error (-EFAULT, -ELOOP: only programs loaded
	 * unverified, which run in the checked interpreter), what happened. */
	char *err_buf;
	size_t err_size;
	/* __sk_buff programs: the tunnel key and options the program set
	 * with bpf_skb_set_tunnel_key / _opt (tunnel.set is 0 if none). */
	struct uebpf_tunnel tunnel;
};
#define UEBPF_TEST_RUN_OPTS_SZ sizeof(struct uebpf_test_run_opts)

/*
 * Runs a loaded program as BPF_PROG_TEST_RUN does (docs/test_run.md):
 * XDP, SCHED_CLS, SCHED_ACT, SOCKET_FILTER and CGROUP_SKB on a packet
 * laid out as the kernel lays it out (headroom, tailroom, metadata,
 * the __sk_buff fields the kernel fills). Returns 0 or a negative errno:
 * -EINVAL for attributes the kernel refuses, -ENOSPC when an output was
 * cut, -ENOTSUPP for program types uebpf cannot test-run, -EBADF.
 */
int uebpf_prog_test_run(int prog_fd, struct uebpf_test_run_opts *opts);

/* ---- objects ---- */

struct uebpf_object_open_opts {
	size_t sz; /* size of this struct, for compatibility */
	/* The object's name (default: the file's name without directories
	 * and ".o"; for open_mem, "mem"). */
	const char *object_name;
	/* Where maps with LIBBPF_PIN_BY_NAME are pinned (default: the pin
	 * directory, see <uebpf/maps.h>). */
	const char *pin_root_path;
	/* Errors of open and load: what is wrong, in which section, at which
	 * offset. The buffer must stay valid until the object is closed. */
	char *err_buf;
	size_t err_size;
};
#define UEBPF_OBJECT_OPEN_OPTS_SZ sizeof(struct uebpf_object_open_opts)

struct uebpf_object *uebpf_object_open_file(const char *path,
					    const struct uebpf_object_open_opts *opts);
/* The buffer is copied; the caller may free it after the call. */
struct uebpf_object *uebpf_object_open_mem(const void *buf, size_t size,
					   const struct uebpf_object_open_opts *opts);
/* Creates the maps, relocates and loads the programs whose autoload is
 * on. Once only; on failure everything created is released. */
int uebpf_object_load(struct uebpf_object *obj);
void uebpf_object_close(struct uebpf_object *obj);

const char *uebpf_object_name(const struct uebpf_object *obj);
const char *uebpf_object_license(const struct uebpf_object *obj);
uint32_t uebpf_object_kversion(const struct uebpf_object *obj);

/* Programs and maps in libbpf's order: programs by section, then offset
 * (functions of .text are subprograms, not listed, unless the object has
 * nothing else); maps: legacy `maps` (as libbpf before 1.0 read them),
 * BTF-defined in .maps by offset, then global data by section. */
struct uebpf_program *uebpf_object_next_program(const struct uebpf_object *obj,
						const struct uebpf_program *prev);
struct uebpf_program *uebpf_object_find_program(const struct uebpf_object *obj,
						const char *name);
struct uebpf_map *uebpf_object_next_map(const struct uebpf_object *obj,
					const struct uebpf_map *prev);
struct uebpf_map *uebpf_object_find_map(const struct uebpf_object *obj, const char *name);

/* Every function of the object's code, programs and the subprograms of
 * .text alike, by section, then offset (for tools that show the whole
 * file: disassemblers, dumpers); the uebpf_program_* getters work on
 * both. */
struct uebpf_program *uebpf_object_next_function(const struct uebpf_object *obj,
						 const struct uebpf_program *prev);
/* A function of .text that programs call rather than a program. */
bool uebpf_program_is_subprog(const struct uebpf_program *prog);

#define uebpf_object_for_each_program(pos, obj)                   \
	for ((pos) = uebpf_object_next_program((obj), NULL); (pos); \
	     (pos) = uebpf_object_next_program((obj), (pos)))
#define uebpf_object_for_each_function(pos, obj)                   \
	for ((pos) = uebpf_object_next_function((obj), NULL); (pos); \
	     (pos) = uebpf_object_next_function((obj), (pos)))
#define uebpf_object_for_each_map(pos, obj)                   \
	for ((pos) = uebpf_object_next_map((obj), NULL); (pos); \
	     (pos) = uebpf_object_next_map((obj), (pos)))

/* ---- programs of an object ---- */

const char *uebpf_program_name(const struct uebpf_program *prog);
const char *uebpf_program_section_name(const struct uebpf_program *prog);
enum bpf_prog_type uebpf_program_type(const struct uebpf_program *prog);
enum bpf_attach_type uebpf_program_expected_attach_type(const struct uebpf_program *prog);
/* The attach target from the section name ("do_unlinkat" for
 * "kprobe/do_unlinkat", "syscalls/sys_enter_openat" for
 * "tracepoint/syscalls/sys_enter_openat"), or NULL. */
const char *uebpf_program_attach_target(const struct uebpf_program *prog);
bool uebpf_program_autoload(const struct uebpf_program *prog);
/* Before load; -EBUSY after. */
int uebpf_program_set_type(struct uebpf_program *prog, enum bpf_prog_type type);
int uebpf_program_set_expected_attach_type(struct uebpf_program *prog,
					   enum bpf_attach_type type);
int uebpf_program_set_attach_target(struct uebpf_program *prog, const char *target);
int uebpf_program_set_autoload(struct uebpf_program *prog, bool autoload);
/* The verifier's log for this program's load, as libbpf's
 * bpf_program__set_log_buf/_level: level 1 shows the path to a
 * rejection, level 2 every instruction with its register state (4 adds
 * statistics). Without a buffer of its own, a rejection's message goes to
 * the object's error buffer. */
int uebpf_program_set_log_buf(struct uebpf_program *prog, char *buf, size_t size);
int uebpf_program_set_log_level(struct uebpf_program *prog, uint32_t level);
uint32_t uebpf_program_log_level(const struct uebpf_program *prog);
/* The instructions: as in the file before load (relocations not yet
 * applied), as loaded after (subprograms appended, maps resolved). */
const struct uebpf_insn *uebpf_program_insns(const struct uebpf_program *prog);
size_t uebpf_program_insn_cnt(const struct uebpf_program *prog);
/* After load: the program's fd, or -1 (not loaded). */
int uebpf_program_fd(const struct uebpf_program *prog);

/* Where instruction insn_idx of the program (as uebpf_program_insns
 * gives it) comes from, from BTF line info: 0 and the file, line, column
 * and source line text (valid while the object is open); -ENOENT when
 * the object has no line info for it. */
struct uebpf_line_info {
	const char *file;
	const char *line_text;
	uint32_t line;
	uint32_t column;
};
int uebpf_program_line_info(const struct uebpf_program *prog, size_t insn_idx,
			    struct uebpf_line_info *info);

/* ---- maps of an object ---- */

const char *uebpf_map_name(const struct uebpf_map *map);
/* After load: the map's fd (use the uebpf_map_* fd functions of
 * <uebpf/maps.h> with it); -1 before. */
int uebpf_map_fd(const struct uebpf_map *map);
enum bpf_map_type uebpf_map_type(const struct uebpf_map *map);
uint32_t uebpf_map_key_size(const struct uebpf_map *map);
uint32_t uebpf_map_value_size(const struct uebpf_map *map);
uint32_t uebpf_map_max_entries(const struct uebpf_map *map);
uint32_t uebpf_map_flags(const struct uebpf_map *map);
uint64_t uebpf_map_extra(const struct uebpf_map *map);
/* BTF type ids of the key and value (0 when the object has no BTF for
 * them), for printing. */
uint32_t uebpf_map_btf_key_type_id(const struct uebpf_map *map);
uint32_t uebpf_map_btf_value_type_id(const struct uebpf_map *map);
/* Global data (.data, .rodata, .bss, .data.*, .rodata.*) and .kconfig
 * maps the loader made, as opposed to maps the program defined. */
bool uebpf_map_is_internal(const struct uebpf_map *map);
/* The contents a global data map starts with; *size gets its size. */
const void *uebpf_map_initial_value(const struct uebpf_map *map, size_t *size);

/* Before load; -EBUSY after. */
int uebpf_map_set_type(struct uebpf_map *map, enum bpf_map_type type);
int uebpf_map_set_key_size(struct uebpf_map *map, uint32_t size);
int uebpf_map_set_value_size(struct uebpf_map *map, uint32_t size);
int uebpf_map_set_max_entries(struct uebpf_map *map, uint32_t max_entries);
int uebpf_map_set_flags(struct uebpf_map *map, uint32_t flags);
int uebpf_map_set_initial_value(struct uebpf_map *map, const void *data, size_t size);
/* Uses an existing map (same type and sizes) instead of creating one;
 * the object takes its own reference (a dup of fd). */
int uebpf_map_reuse_fd(struct uebpf_map *map, int fd);
/* Pins the map there at load (reusing a compatible map already pinned
 * there), as LIBBPF_PIN_BY_NAME does with pin_root_path/NAME. */
int uebpf_map_set_pin_path(struct uebpf_map *map, const char *path);
const char *uebpf_map_pin_path(const struct uebpf_map *map);

#ifdef __cplusplus
}
#endif
#endif /* UEBPF_OBJECT_H */
