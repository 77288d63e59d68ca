/* SPDX-License-Identifier: MIT */
/* The decoder: which encodings are valid and what it says about the rest. */
#include <errno.h>
#include <stdlib.h>

#include "isa/isa.h"
#include "tests/check.h"

#define INSN(c, d, s, o, i) ((struct uebpf_insn){ (c), (d), (s), (o), (i) })
#define EXIT INSN(0x95, 0, 0, 0, 0)

/* Checks prog and returns the message (static buffer). */
static const char *check_msg(const struct uebpf_insn *prog, size_t n, int *ret)
{
	static char msg[256];
	*ret = uebpf_insns_check(prog, n, msg, sizeof(msg));
	return msg;
}

/* A canonical encoding of table row `id`: the selecting field set, used
 * register fields r1/r2, offset 0. */
static struct uebpf_insn canonical(int id)
{
	const struct isa_op *op = &isa_ops[id];
	struct uebpf_insn in = INSN(op->code, 0, 0, 0, 0);
	if (op->uses & F_DST)
		in.dst_reg = 1;
	if ((op->uses & F_SRC) && op->kind != K_LDDW)
		in.src_reg = 2;
	if ((op->uses & F_IMM) && op->kind != K_CALL_LOCAL && op->kind != K_JA32)
		in.imm = 7;
	switch (op->fix) {
	case FIX_SRC: in.src_reg = (uint8_t)op->fix_val; break;
	case FIX_OFF: in.off = (int16_t)op->fix_val; break;
	case FIX_IMM: in.imm = op->fix_val; break;
	}
	return in;
}

static void test_table_rows_sharing_an_opcode_are_adjacent(void)
{
	for (int i = 0; i < OP__COUNT; i++)
		for (int j = i + 2; j < OP__COUNT; j++)
			if (isa_ops[j].code == isa_ops[i].code)
				CHECK_REPORT(isa_ops[j - 1].code == isa_ops[i].code,
					     "rows %s and %s share 0x%02x but are apart",
					     isa_ops[i].name, isa_ops[j].name, isa_ops[i].code);
}

static void test_every_table_row_decodes_to_itself(void)
{
	for (int id = 0; id < OP__COUNT; id++) {
		struct uebpf_insn in = canonical(id);
		char why[160] = "";
		int got = isa_decode(&in, why, sizeof(why));
		CHECK_REPORT(got == id, "%s (0x%02x) decodes as %d: %s", isa_ops[id].name,
			     in.code, got, why);
	}
}

static void test_every_table_row_passes_the_program_check(void)
{
	for (int id = 0; id < OP__COUNT; id++) {
		struct uebpf_insn prog[3] = { canonical(id), EXIT, EXIT };
		if (isa_ops[id].kind == K_LDDW)
			prog[1] = INSN(0, 0, 0, 0, 0);
		int ret;
		const char *msg = check_msg(prog, 3, &ret);
		CHECK_REPORT(ret == 0, "%s rejected: %s", isa_ops[id].name, msg);
	}
}

/* Every opcode byte either decodes to a row with that byte, or is unknown. */
static void test_all_opcode_bytes_are_classified(void)
{
	int known = 0;
	for (int code = 0; code < 256; code++) {
		struct uebpf_insn in = INSN((uint8_t)code, 0, 0, 0, 0);
		char why[160];
		int id = isa_decode(&in, why, sizeof(why));
		int listed = 0;
		for (int i = 0; i < OP__COUNT; i++)
			listed |= isa_ops[i].code == code;
		known += listed;
		if (!listed)
			CHECK_CONTAINS(why, "unknown opcode");
		if (id >= 0)
			CHECK_EQ(isa_ops[id].code, code);
	}
	/* RFC 9669 + legacy packet loads + may_goto + load-acquire/store-release */
	CHECK_EQ(known, 129);
}

static void expect_reject(struct uebpf_insn in, const char *message)
{
	struct uebpf_insn prog[2] = { in, EXIT };
	int ret;
	const char *msg = check_msg(prog, 2, &ret);
	CHECK_REPORT(ret == -EINVAL, "0x%02x accepted", in.code);
	CHECK_REPORT(strstr(msg, message) != NULL, "message \"%s\" lacks \"%s\"", msg, message);
}

static void test_unknown_opcodes_are_rejected(void)
{
	expect_reject(INSN(0x8f, 1, 0, 0, 0), "insn 0: unknown opcode 0x8f"); /* neg X */
	expect_reject(INSN(0x00, 0, 0, 0, 0), "unknown opcode 0x00");
	expect_reject(INSN(0x99, 1, 2, 0, 0), "unknown opcode 0x99"); /* ldxsdw */
	expect_reject(INSN(0xdf, 1, 0, 0, 16), "unknown opcode 0xdf");
	expect_reject(INSN(0x0e, 1, 2, 0, 0), "unknown opcode 0x0e"); /* JMP32 JA|X */
	expect_reject(INSN(0x38, 0, 0, 0, 0), "unknown opcode 0x38"); /* ldabsdw */
}

static void test_reserved_fields_are_rejected(void)
{
	expect_reject(INSN(0x07, 1, 0, 1, 1), "BPF_ALU uses reserved fields: off = 1");
	expect_reject(INSN(0x07, 1, 3, 0, 1), "BPF_ALU uses reserved fields: src_reg = 3");
	expect_reject(INSN(0x0f, 1, 2, 0, 5), "BPF_ALU uses reserved fields: imm = 5");
	expect_reject(INSN(0xb7, 1, 0, 1, 0), "BPF_MOV uses reserved fields: off = 1");
	expect_reject(INSN(0xbf, 1, 2, 0, 1), "BPF_MOV uses reserved fields: imm = 1");
	expect_reject(INSN(0x87, 1, 0, 0, 1), "BPF_NEG uses reserved fields: imm = 1");
	expect_reject(INSN(0x87, 1, 1, 0, 0), "BPF_NEG uses reserved fields: src_reg = 1");
	expect_reject(INSN(0xdc, 1, 2, 0, 16), "BPF_END uses reserved fields: src_reg = 2");
	expect_reject(INSN(0xd4, 1, 0, 3, 16), "BPF_END uses reserved fields: off = 3");
	expect_reject(INSN(0x85, 1, 0, 0, 1), "BPF_CALL uses reserved fields: dst_reg = 1");
	expect_reject(INSN(0x85, 0, 0, 2, 1), "BPF_CALL uses reserved fields: off = 2");
	expect_reject(INSN(0x95, 0, 0, 0, 1), "BPF_EXIT uses reserved fields: imm = 1");
	expect_reject(INSN(0x95, 1, 0, 0, 0), "BPF_EXIT uses reserved fields: dst_reg = 1");
	expect_reject(INSN(0x05, 0, 0, 0, 1), "BPF_JA uses reserved fields: imm = 1");
	expect_reject(INSN(0x06, 0, 0, 1, 0), "BPF_JA uses reserved fields: off = 1");
	expect_reject(INSN(0x15, 1, 2, 0, 0), "BPF_JMP/JMP32 uses reserved fields: src_reg = 2");
	expect_reject(INSN(0x1d, 1, 2, 0, 9), "BPF_JMP/JMP32 uses reserved fields: imm = 9");
	expect_reject(INSN(0x79, 1, 2, 0, 1), "BPF_LDX uses reserved fields: imm = 1");
	expect_reject(INSN(0x7a, 1, 2, 0, 1), "BPF_ST uses reserved fields: src_reg = 2");
	expect_reject(INSN(0x7b, 1, 2, 0, 1), "BPF_STX uses reserved fields: imm = 1");
	expect_reject(INSN(0x20, 1, 0, 0, 1), "BPF_LD_[ABS|IND] uses reserved fields: dst_reg = 1");
	expect_reject(INSN(0x8d, 1, 2, 0, 0), "BPF_CALL uses reserved fields: src_reg = 2");
}

static void test_selecting_fields_must_name_a_variant(void)
{
	expect_reject(INSN(0x37, 1, 0, 2, 1), "BPF_ALU (opcode 0x37) has invalid off 2");
	expect_reject(INSN(0xbf, 1, 2, 24, 0), "BPF_MOV (opcode 0xbf) has invalid off 24");
	expect_reject(INSN(0xbc, 1, 2, 32, 0), "has invalid off 32"); /* no movsx32 in ALU32 */
	expect_reject(INSN(0xd7, 1, 0, 0, 8), "BPF_END (opcode 0xd7) has invalid imm 8");
	expect_reject(INSN(0x85, 0, 3, 0, 1), "BPF_CALL (opcode 0x85) has invalid src 3");
	expect_reject(INSN(0xdb, 1, 2, 0, 0x02), "BPF_ATOMIC uses invalid atomic opcode 0x2");
	expect_reject(INSN(0xcb, 1, 2, 0, 0x00), "invalid atomic opcode 0x0"); /* 16-bit add */
}

static void test_registers_above_r10_are_invalid(void)
{
	expect_reject(INSN(0xb7, 11, 0, 0, 0), "R11 is invalid");
	expect_reject(INSN(0xbf, 1, 15, 0, 0), "R15 is invalid");
	expect_reject(INSN(0x8d, 12, 0, 0, 0), "R12 is invalid");
}

static void test_lddw_pairs(void)
{
	int ret;
	struct uebpf_insn lone[1] = { INSN(0x18, 1, 0, 0, 1) };
	CHECK_CONTAINS(check_msg(lone, 1, &ret), "insn 0: invalid bpf_ld_imm64 insn: second slot is missing");
	CHECK_EQ(ret, -EINVAL);

	struct uebpf_insn bad_hi[3] = { INSN(0x18, 1, 0, 0, 1), INSN(0x07, 0, 0, 0, 0), EXIT };
	CHECK_CONTAINS(check_msg(bad_hi, 3, &ret), "insn 1: invalid bpf_ld_imm64 insn: second slot");

	struct uebpf_insn bad_src[3] = { INSN(0x18, 1, 7, 0, 1), INSN(0, 0, 0, 0, 0), EXIT };
	CHECK_CONTAINS(check_msg(bad_src, 3, &ret), "unknown pseudo src 7");

	struct uebpf_insn map_fd_hi[3] = { INSN(0x18, 1, 1, 0, 3), INSN(0, 0, 0, 0, 4), EXIT };
	CHECK_CONTAINS(check_msg(map_fd_hi, 3, &ret), "second slot imm must be 0 for pseudo src 1");

	struct uebpf_insn map_value[3] = { INSN(0x18, 1, 2, 0, 3), INSN(0, 0, 0, 0, 4), EXIT };
	check_msg(map_value, 3, &ret);
	CHECK_EQ(ret, 0);

	struct uebpf_insn reserved_off[3] = { INSN(0x18, 1, 0, 5, 1), INSN(0, 0, 0, 0, 0), EXIT };
	CHECK_CONTAINS(check_msg(reserved_off, 3, &ret), "BPF_LD_IMM uses reserved fields: off = 5");
}

static void test_jump_targets(void)
{
	int ret;
	struct uebpf_insn fwd[2] = { INSN(0x05, 0, 0, 1, 0), EXIT };
	CHECK_CONTAINS(check_msg(fwd, 2, &ret), "insn 0: jump out of range from insn 0 to 2");
	struct uebpf_insn back[2] = { EXIT, INSN(0x15, 1, 0, -3, 0) };
	CHECK_CONTAINS(check_msg(back, 2, &ret), "jump out of range from insn 1 to -1");
	struct uebpf_insn mid[4] = { INSN(0x05, 0, 0, 1, 0), INSN(0x18, 1, 0, 0, 1),
				     INSN(0, 0, 0, 0, 0), EXIT };
	CHECK_CONTAINS(check_msg(mid, 4, &ret), "jump to the middle of ldimm64 insn 1");
	struct uebpf_insn call[2] = { INSN(0x85, 0, 1, 0, 5), EXIT };
	CHECK_CONTAINS(check_msg(call, 2, &ret), "call out of range from insn 0 to 6");
	struct uebpf_insn gotol[2] = { INSN(0x06, 0, 0, 0, -2), EXIT };
	CHECK_CONTAINS(check_msg(gotol, 2, &ret), "jump out of range from insn 0 to -1");
	struct uebpf_insn func[3] = { INSN(0x18, 1, 4, 0, 9), INSN(0, 0, 0, 0, 0), EXIT };
	CHECK_CONTAINS(check_msg(func, 3, &ret), "function reference out of range");
	struct uebpf_insn self[2] = { INSN(0x05, 0, 0, -1, 0), EXIT };
	check_msg(self, 2, &ret);
	CHECK_EQ(ret, 0); /* an infinite loop is the verifier's business */
}

static void test_program_size_limits(void)
{
	int ret;
	CHECK_CONTAINS(check_msg(NULL, 0, &ret), "program has no instructions");
	CHECK_EQ(ret, -EINVAL);
	size_t n = UEBPF_MAX_INSNS + 1;
	struct uebpf_insn *big = calloc(n, sizeof(*big));
	CHECK(big != NULL);
	if (big) {
		CHECK_CONTAINS(check_msg(big, n, &ret), "more than");
		CHECK_EQ(ret, -E2BIG);
		free(big);
	}
}

static void test_helper_names_come_from_the_uapi(void)
{
	CHECK_STR(uebpf_helper_name(1), "bpf_map_lookup_elem");
	CHECK_STR(uebpf_helper_name(6), "bpf_trace_printk");
	CHECK_STR(uebpf_helper_name(12), "bpf_tail_call");
	CHECK_STR(uebpf_helper_name(130), "bpf_ringbuf_output");
	CHECK_STR(uebpf_helper_name(211), "bpf_cgrp_storage_delete");
	CHECK(uebpf_helper_name(0) == NULL);
	CHECK(uebpf_helper_name(-1) == NULL);
	CHECK(uebpf_helper_name(100000) == NULL);
	CHECK_EQ(uebpf_helper_id("bpf_map_update_elem"), 2);
	CHECK_EQ(uebpf_helper_id("ktime_get_ns"), 5);
	CHECK_EQ(uebpf_helper_id("no_such_helper"), (uint64_t)-1);
}

int main(void)
{
	RUN(test_table_rows_sharing_an_opcode_are_adjacent);
	RUN(test_every_table_row_decodes_to_itself);
	RUN(test_every_table_row_passes_the_program_check);
	RUN(test_all_opcode_bytes_are_classified);
	RUN(test_unknown_opcodes_are_rejected);
	RUN(test_reserved_fields_are_rejected);
	RUN(test_selecting_fields_must_name_a_variant);
	RUN(test_registers_above_r10_are_invalid);
	RUN(test_lddw_pairs);
	RUN(test_jump_targets);
	RUN(test_program_size_limits);
	RUN(test_helper_names_come_from_the_uapi);
	return check_summary("isa_decode_test");
}
