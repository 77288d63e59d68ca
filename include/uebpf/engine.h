/* SPDX-License-Identifier: MIT */
/*
 * uebpf execution engine: helper tables, programs prepared for execution,
 * and running them in the interpreter (normal or checked mode).
 *
 *   struct uebpf_vm    the helpers programs may call, by kernel id;
 *   struct uebpf_code  a program prepared to run (pre-decoded);
 *   struct uebpf_exec  one running invocation, as seen by helpers.
 *
 * The engine runs what it is given: safety comes from the verifier, or
 * from the checked mode, which validates every memory access against the
 * regions the program was given and stops the program on a violation.
 */
#ifndef UEBPF_ENGINE_H
#define UEBPF_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uebpf_vm;
struct uebpf_code;
struct uebpf_exec;

/* Stack bytes per call frame, and the deepest bpf-to-bpf call chain. */
#define UEBPF_STACK_SIZE 512
#define UEBPF_MAX_CALL_FRAMES 8
/* The loop budget of `may_goto`, per run (the kernel's BPF_MAX_LOOPS). */
#define UEBPF_MAY_GOTO_BUDGET (8u * 1024 * 1024)
/* Checked mode stops a program after this many instructions unless the
 * run options say otherwise. */
#define UEBPF_DEFAULT_INSN_LIMIT 100000000ull

/*
 * A helper receives r1..r5 and the running invocation; its result goes to
 * r0. The exec pointer gives access to the embedder's data
 * (uebpf_exec_user) and to the checked mode's memory rules.
 */
typedef uint64_t (*uebpf_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3,
				    uint64_t r4, uint64_t r5,
				    struct uebpf_exec *exec);

/* The helper id libbpf writes into an instruction whose CO-RE relocation
 * it could not resolve ("0xbad2310"). Programs may contain such calls
 * where they cannot reach them: they load, and a run that reaches one
 * ends with a fault. */
#define UEBPF_CORE_POISON_HELPER 195896080

struct uebpf_vm *uebpf_vm_new(void);
void uebpf_vm_free(struct uebpf_vm *vm);

/* Registers (or with fn = NULL removes) helper `id`. Programs loaded
 * afterwards may call it. Returns 0, -EINVAL for a bad id, -ENOMEM. */
int uebpf_vm_set_helper(struct uebpf_vm *vm, int32_t id, const char *name,
			uebpf_helper_fn fn);
uebpf_helper_fn uebpf_vm_helper(const struct uebpf_vm *vm, int32_t id);

/* Registers every kernel helper uebpf implements (bpf_map_lookup_elem,
 * bpf_ktime_get_ns, ...) under its kernel id. */
int uebpf_vm_add_kernel_helpers(struct uebpf_vm *vm);

struct uebpf_code_opts {
	size_t sz;
	/* On error: what is wrong and at which instruction. */
	char *err_buf;
	size_t err_size;
	/* The program was not verified: it may only run in checked mode
	 * (uebpf_code_run refuses the normal mode, tail calls into it from
	 * normal mode fall through). */
	bool checked_only;
	/* The program's type (enum bpf_prog_type, 0 for a raw program), for
	 * helpers that behave by type as the kernel's do (bpf_redirect
	 * returns XDP_REDIRECT to an XDP program, TC_ACT_REDIRECT to tc). */
	uint32_t prog_type;
};
#define UEBPF_CODE_OPTS_SZ sizeof(struct uebpf_code_opts)

/*
 * Checks the encoding of a program (uebpf_insns_check) and prepares it
 * for execution with the helpers of vm, which must outlive the code.
 * Every helper the program calls must be registered. 64-bit immediates
 * are plain values or map references by fd (lddw src 1: the map; src 2:
 * the address of byte N of the value of a one-element array map); the
 * code holds a reference on each map it uses. Other pseudo sources are
 * resolved by the object loader. Returns 0 and *code, or -EINVAL /
 * -EBADF (not a map fd) / -ENOENT (unknown helper) / -ENOMEM.
 */
int uebpf_code_load(struct uebpf_vm *vm, const struct uebpf_insn *insns,
		    size_t insn_cnt, const struct uebpf_code_opts *opts,
		    struct uebpf_code **code);
/* Drops the caller's reference; the code goes when program arrays hold
 * it no more either. */
void uebpf_code_free(struct uebpf_code *code);

/* Puts code in slot index of a BPF_MAP_TYPE_PROG_ARRAY (NULL empties
 * it), for bpf_tail_call. The slot holds a reference on the code; the
 * array empties when its fd is closed, as in the kernel. Returns 0,
 * -EBADF, -EINVAL (not a program array), -E2BIG (index), -EPERM. */
int uebpf_prog_array_set(int map_fd, uint32_t index, struct uebpf_code *code);
/* How uebpf_map_update_elem on a program array finds the code behind the
 * program fd it is given (the object layer registers uebpf_prog_code),
 * and the id lookups of the array then return for it (its program id). */
void uebpf_set_prog_fd_lookup(struct uebpf_code *(*lookup)(int fd));
void uebpf_code_set_id(struct uebpf_code *code, uint32_t id);
size_t uebpf_code_insn_cnt(const struct uebpf_code *code);

/* Access rights of a memory region. */
#define UEBPF_MEM_READ 1u
#define UEBPF_MEM_WRITE 2u
#define UEBPF_MEM_RW (UEBPF_MEM_READ | UEBPF_MEM_WRITE)

struct uebpf_region {
	const void *addr;
	size_t size;
	unsigned int access; /* UEBPF_MEM_* */
};

/*
 * Where bpf_redirect, bpf_redirect_map and bpf_clone_redirect send the
 * packet: the helper records its target (the kernel keeps it per CPU) and the
 * program's return value (XDP_REDIRECT, TC_ACT_REDIRECT) says to act on
 * it. Whoever runs the program reads it from the run's results; the
 * engine sends nothing anywhere.
 */
struct uebpf_redirect {
	uint32_t ifindex; /* the target device, or the key in map_id */
	uint32_t flags;   /* BPF_F_INGRESS, ... as the program gave them */
	uint32_t map_id;  /* bpf_redirect_map: the map's id; else 0 */
	uint32_t clones;  /* bpf_clone_redirect: copies sent so far */
};

struct uebpf_run_opts {
	size_t sz;
	/* Checked mode: every load, store and atomic must fall inside the
	 * program's active stack frames or one of the regions below (or one
	 * a helper added); the program is stopped at the first violation, at
	 * a misaligned atomic, or when it runs more than insn_limit
	 * instructions. */
	bool checked;
	const struct uebpf_region *regions;
	size_t region_cnt;
	uint64_t insn_limit; /* 0: UEBPF_DEFAULT_INSN_LIMIT */
	/* The packet read by the legacy LD_ABS / LD_IND instructions. */
	const void *packet;
	size_t packet_len;
	/* Passed through to helpers (uebpf_exec_user). */
	void *user;
	/* On a run-time error: what happened, where. */
	char *err_buf;
	size_t err_size;

	/* Results. */
	struct uebpf_redirect redirect; /* zeroed when no redirect helper ran */
	uint64_t insn_count; /* instructions executed (checked mode) */
	int64_t fault_pc;    /* instruction of the run-time error, else -1 */
};
#define UEBPF_RUN_OPTS_SZ sizeof(struct uebpf_run_opts)

/*
 * Runs the program with r1 and r2 as given (by the conformance suite's
 * convention r1 points to the input memory and r2 is its length; program
 * types pass their context in r1 and 0 in r2). On success returns 0 and
 * stores r0 in *ret. Run-time errors: -EFAULT (memory violation in checked
 * mode, call stack deeper than UEBPF_MAX_CALL_FRAMES, call through callx
 * to an unknown helper, running off the end of the program) and -ELOOP
 * (instruction limit in checked mode); opts->err_buf says what happened.
 */
int uebpf_code_run(const struct uebpf_code *code, uint64_t r1, uint64_t r2,
		   struct uebpf_run_opts *opts, uint64_t *ret);

/* ---- for helpers ---- */

void *uebpf_exec_user(const struct uebpf_exec *exec);
/* Ends the program as soon as the helper returns, with r0 = retval. */
void uebpf_exec_stop(struct uebpf_exec *exec, uint64_t retval);
/* Ends the program with a run-time error (-EFAULT, the message naming
 * the calling instruction), e.g. when a checked program hands a helper
 * memory it may not use. */
void uebpf_exec_fault(struct uebpf_exec *exec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool uebpf_exec_checked(const struct uebpf_exec *exec);
/* In checked mode: 0 if the program may access [addr, addr + size) with
 * the given rights, else -EFAULT. Always 0 in normal mode. */
int uebpf_exec_check_mem(const struct uebpf_exec *exec, const void *addr,
			 size_t size, unsigned int access);
/* In checked mode, lets the program access memory a helper hands it (a
 * map value, ring buffer space) until the run ends. No-op otherwise. */
int uebpf_exec_add_region(struct uebpf_exec *exec, const void *addr,
			  size_t size, unsigned int access);

#ifdef __cplusplus
}
#endif
#endif /* UEBPF_ENGINE_H */
