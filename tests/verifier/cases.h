/* SPDX-License-Identifier: MIT */
/*
 * Annotations for verifier cases, in the style of the kernel's selftests
 * (tools/testing/selftests/bpf/progs/bpf_misc.h): each program of a
 * tests/verifier/NAME.bpf.c object is one case, and says with BTF decl tags
 * what the verifier must decide. The runner (verifier_cases_test.c) reads
 * the tags, loads each program alone into the kernel and into uebpf, and
 * requires both to give the expected verdict and message.
 *
 *   SEC("socket") __description("div by constant zero") __failure
 *   __msg("division by zero") __naked void div_zero(void) { asm volatile(...); }
 */
#ifndef UEBPF_TESTS_VERIFIER_CASES_H
#define UEBPF_TESTS_VERIFIER_CASES_H

#define __case_tag(x) __attribute__((btf_decl_tag("comment:" x)))

/* The program must load. */
#define __success __case_tag("test_expect_success")
/* The program must be rejected. */
#define __failure __case_tag("test_expect_failure")
/* The verifier's log must contain this text (several may be given; each
 * must appear, in this order). Checked against the kernel and uebpf. */
#define __msg(text) __case_tag("test_expect_msg=" text)
/* A message only uebpf's log must contain (where its wording differs,
 * say why with __uebpf_differs). */
#define __uebpf_msg(text) __case_tag("uebpf_expect_msg=" text)
/* What the case checks, in words (default: the function's name). */
#define __description(text) __case_tag("test_description=" text)
/* The log level to load with (default 2 for cases with __msg, else 0). */
#define __log_level(n) __case_tag("test_log_level=" #n)
/* uebpf deliberately gives another verdict than the kernel: why. The
 * expected verdict (__success/__failure) is then uebpf's. */
#define __uebpf_differs(why) __case_tag("uebpf_differs=" why)

#define __naked __attribute__((naked))
#define __imm(name) [name] "i"(name)
#define __imm_const(name, expr) [name] "i"(expr)
#define __imm_addr(name) [name] "i"(&name)
/* One raw instruction, for encodings the assembler refuses to write
 * (reserved fields, unknown opcodes): ".8byte %[name];" with
 * __imm_insn(name, __raw_insn(code, dst, src, off, imm)). Little endian,
 * as the ELF objects are. */
#define __raw_insn(code, dst, src, off, imm)                                      \
	((unsigned long long)(code) | ((unsigned long long)((dst) | ((src) << 4)) << 8) | \
	 ((unsigned long long)(unsigned short)(off) << 16) |                       \
	 ((unsigned long long)(unsigned int)(imm) << 32))
#define __imm_insn(name, insn) [name] "i"(insn)
#define __clobber_all "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "memory"
#define __clobber_common "r0", "r1", "r2", "r3", "r4", "r5", "memory"

#endif /* UEBPF_TESTS_VERIFIER_CASES_H */
