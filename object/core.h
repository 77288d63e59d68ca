/* SPDX-License-Identifier: MIT */
/*
 * CO-RE relocations (compile once, run everywhere): clang records, for an
 * instruction that uses a field offset, a field size, a type's existence
 * or an enum value, which type and which access path ("0:1:2") it meant
 * in the program's own BTF; the loader finds the same field by name in the
 * target's BTF and patches the instruction. libbpf's target is the
 * running kernel's vmlinux BTF; uebpf's is the BTF of the types it
 * provides to programs (progtypes/btf.h).
 *
 * The matching rules are libbpf's (documented in the kernel's
 * Documentation/bpf/llvm_reloc.rst and libbpf's relo_core.c): candidates
 * are target types of a compatible kind whose names agree up to a
 * "___flavor" suffix, fields are found by name through anonymous
 * structs and unions, arrays by index, and every candidate that matches
 * must give the same result.
 */
#ifndef UEBPF_OBJECT_CORE_H
#define UEBPF_OBJECT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "uebpf/engine.h"
#include "uebpf/isa.h"

struct btf;

/* One record of .BTF.ext's CO-RE section, for one program. */
struct core_relo {
	uint32_t insn_idx;      /* instruction of the program it patches */
	uint32_t type_id;       /* the root type, in the program's BTF */
	const char *access_str; /* "0:1:2": the access path from that type */
	uint32_t kind;          /* enum bpf_core_relo_kind */
};

/* The call that replaces an instruction whose relocation cannot be
 * satisfied: helper 0xbad2310 ("bad relo"), as libbpf writes it. */
#define CORE_POISON_HELPER UEBPF_CORE_POISON_HELPER

/*
 * Resolves relo (local_btf: the program's BTF) against target_btf and
 * patches insns[relo->insn_idx]: the immediate of an ALU instruction,
 * the offset (and, for a field of another size, the width) of a load or
 * store, or the 64-bit value of an lddw.
 *
 * Returns 0 when patched. Existence relocations (FIELD_EXISTS,
 * TYPE_EXISTS, ENUMVAL_EXISTS, TYPE_MATCHES) resolve to 0 when the
 * target lacks what they ask about, and TYPE_SIZE and TYPE_ID_TARGET to
 * 0 when it lacks the type, as with libbpf: that is not an error.
 *
 * Returns -ESRCH when the target lacks the type, field or enum value
 * that the instruction needs (or has it with a type the access cannot be
 * adjusted to); err then says what is missing ("struct task_struct is
 * not a type uebpf provides", "field pid not found in struct foo"), and
 * the instruction has been poisoned as libbpf does (a call of
 * CORE_POISON_HELPER, both halves of an lddw): a caller that wants
 * libbpf's leniency for code guarded by bpf_core_field_exists() may go
 * on and report the message only if the instruction is reachable.
 *
 * Other errors (nothing patched): -EINVAL for a malformed record (type
 * id, access string, instruction index) or an instruction that does not
 * hold the value the program's BTF implies, -ERANGE for an offset that
 * does not fit, -E2BIG for too deep an access path, -EOPNOTSUPP for an
 * anonymous root type. Messages name the instruction, the relocation
 * and the access path.
 *
 * Unlike libbpf, candidates are not pruned from one relocation to the
 * next of the same type (the result is the same on a target with one
 * type per name, such as uebpf's).
 */
int core_relo_apply(const struct btf *local_btf, const struct btf *target_btf,
		    const struct core_relo *relo, struct uebpf_insn *insns, size_t insn_cnt,
		    char *err, size_t err_size);

#endif /* UEBPF_OBJECT_CORE_H */
