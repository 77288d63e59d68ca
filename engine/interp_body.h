/* SPDX-License-Identifier: MIT */
/*
 * The interpreter's main loop, included twice by interp.c:
 *   INTERP_NAME = interp_fast,    CHECKED = 0: direct threading through
 *     slot->label, no checks (the verifier has proven the program safe);
 *   INTERP_NAME = interp_checked, CHECKED = 1: every memory access is
 *     validated and every instruction counted; dispatch on code->ops[].
 * One handler per operation; slow paths (faults, helpers stopping the
 * program) live after the handlers.
 */

static int INTERP_NAME(const struct uebpf_code *code, struct uebpf_exec *ex,
		       const struct slot *start, const uint64_t *args, uint64_t *ret,
		       const void *const **labels_out)
{
	static const void *const labels[FOP__COUNT] = {
#define OP(id, ...) [OP_##id] = &&L_##id,
#include "isa/ops.def"
#undef OP
		[EOP_OFF_END] = &&L_OFF_END,
		[EOP_TAIL_CALL] = &&L_TAIL_CALL,
		[EOP_MAP_LOOKUP] = &&L_MAP_LOOKUP,
		[FOP_MOV_ADD] = &&L_FOP_MOV_ADD,
		[FOP_LDXB_LSH] = &&L_FOP_LDXB_LSH,
		[FOP_LSH_OR] = &&L_FOP_LSH_OR,
		[FOP_ADD_JGT] = &&L_FOP_ADD_JGT,
		[FOP_LDXB_LSH32] = &&L_FOP_LDXB_LSH32,
		[FOP_LSH_OR32] = &&L_FOP_LSH_OR32,
		[FOP_MOV_RSH32] = &&L_FOP_MOV_RSH32,
		[FOP_LDXB_STXB] = &&L_FOP_LDXB_STXB,
	};
	if (labels_out) {
		*labels_out = labels;
		return 0;
	}

	/* r0..r10; r10 is the frame pointer of the current frame. */
	uint64_t reg[UEBPF_REG_COUNT] = { 0 };
	/* All frames' stacks; frame 0 at the top, calls grow downwards. */
	uint64_t stack[UEBPF_MAX_CALL_FRAMES * UEBPF_STACK_SIZE / 8]
		__attribute__((aligned(16)));
	/* What a bpf-to-bpf call saves: return slot, callee-saved r6..r9, and
	 * the program (a tail call in the callee replaces only the callee). */
	struct frame {
		const struct slot *ret;
		uint64_t r6, r7, r8, r9;
		const struct uebpf_code *code;
	} frames[UEBPF_MAX_CALL_FRAMES];
	unsigned depth = 0;
	const struct slot *base = code->slots;
	const struct slot *pc = start ? start : base;
	const uintptr_t stack_top = (uintptr_t)stack + sizeof(stack);
	uintptr_t fault_addr = 0;
	unsigned fault_size = 0, fault_access = 0;

	for (int i = 0; i < 5; i++)
		reg[1 + i] = args[i];
	reg[10] = stack_top;
#if CHECKED
	memset(stack, 0, sizeof(stack));
	ex->stack_hi = stack_top;
	ex->stack_lo = stack_top - UEBPF_STACK_SIZE;
	/* Registers that hold a value (bit n: rN): r1 and r10 at the start,
	 * r1-r5 in a callback (its arguments), as the verifier assumes.
	 * Programs of a type (verified ones) may read no other; raw
	 * programs (the conformance suite's r1 and r2) are not checked. */
	uint32_t init = start ? 0x43eu : 0x402u;
	const uint32_t init_checked = code->prog_type ? 0x7ffu : 0;
	uint32_t frame_init[UEBPF_MAX_CALL_FRAMES];
	unsigned uninit_reg = 0;
/* After a helper call: r0 set, r1-r5 clobbered. */
#define CLOBBER_CALLER_SAVED() (init = (init & ~0x3fu) | 1u)
#else
#define CLOBBER_CALLER_SAVED() ((void)0)
#endif

/* Operand access. */
#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM ((uint64_t)(int64_t)pc->imm) /* sign-extended to 64 bits */
#define OFF ((uint64_t)(int64_t)pc->off)

#if CHECKED
#define DISPATCH()                                                   \
	do {                                                         \
		if (++ex->insn_count > ex->insn_limit)               \
			goto fault_limit;                            \
		uint32_t use_ = code->regs[pc - base];               \
		if (__builtin_expect(use_ & ~init & init_checked, 0)) \
			goto fault_uninit;                           \
		init |= use_ >> 16;                                  \
		goto *labels[code->ops[pc - base]];                  \
	} while (0)
/* Stops the program unless [addr, addr + size) may be accessed. */
#define CHECK_MEM(addr, size, access)                                \
	do {                                                         \
		if (!mem_ok(ex, (addr), (size), (access))) {         \
			fault_addr = (addr);                         \
			fault_size = (size);                         \
			fault_access = (access);                     \
			goto fault_mem;                              \
		}                                                    \
	} while (0)
/* Atomic accesses must also be naturally aligned. */
#define CHECK_ATOMIC(addr, size, access)                             \
	do {                                                         \
		CHECK_MEM(addr, size, access);                       \
		if ((addr) & ((size) - 1)) {                         \
			fault_addr = (addr);                         \
			fault_size = (size);                         \
			goto fault_misaligned;                       \
		}                                                    \
	} while (0)
#else
#define DISPATCH() goto *pc->label
#define CHECK_MEM(addr, size, access) ((void)0)
#define CHECK_ATOMIC(addr, size, access) ((void)0)
#endif
#define NEXT                   \
	do {                   \
		pc++;          \
		DISPATCH();    \
	} while (0)
#define JUMP(rel)                      \
	do {                           \
		pc += 1 + (int64_t)(rel); \
		DISPATCH();            \
	} while (0)

/* Unaligned-safe memory access (programs may legally do it). */
#define LOAD(T, addr)                                               \
	({                                                          \
		T v_;                                               \
		memcpy(&v_, (const void *)(uintptr_t)(addr), sizeof(T)); \
		v_;                                                 \
	})
#define STORE(T, addr, val)                                         \
	do {                                                        \
		T v_ = (T)(val);                                    \
		memcpy((void *)(uintptr_t)(addr), &v_, sizeof(T));  \
	} while (0)

	DISPATCH();

/* ---- ALU: dst op= src|imm, 64-bit and 32-bit (zero-extended) ---- */
#define ALU(NAME, OPER)                                                     \
	L_##NAME##64_K: DST = DST OPER IMM; NEXT;                           \
	L_##NAME##64_X: DST = DST OPER SRC; NEXT;                           \
	L_##NAME##32_K: DST = (uint32_t)((uint32_t)DST OPER (uint32_t)pc->imm); NEXT; \
	L_##NAME##32_X: DST = (uint32_t)((uint32_t)DST OPER (uint32_t)SRC); NEXT;
	ALU(ADD, +)
	ALU(SUB, -)
	ALU(MUL, *)
	ALU(OR, |)
	ALU(AND, &)
	ALU(XOR, ^)
#undef ALU

/* Shift amounts are masked to the operand width. */
#define SHIFT(NAME, T64, T32, OPER)                                          \
	L_##NAME##64_K: DST = (uint64_t)((T64)DST OPER (pc->imm & 63)); NEXT; \
	L_##NAME##64_X: DST = (uint64_t)((T64)DST OPER (SRC & 63)); NEXT;     \
	L_##NAME##32_K: DST = (uint32_t)((T32)(uint32_t)DST OPER (pc->imm & 31)); NEXT; \
	L_##NAME##32_X: DST = (uint32_t)((T32)(uint32_t)DST OPER (SRC & 31)); NEXT;
	SHIFT(LSH, uint64_t, uint32_t, <<)
	SHIFT(RSH, uint64_t, uint32_t, >>)
	SHIFT(ARSH, int64_t, int32_t, >>)
#undef SHIFT

	L_MOV64_K: DST = IMM; NEXT;
	L_MOV64_X: DST = SRC; NEXT;
	L_MOV32_K: DST = (uint32_t)pc->imm; NEXT;
	L_MOV32_X: DST = (uint32_t)SRC; NEXT;
	L_MOVSX8_64: DST = (uint64_t)(int64_t)(int8_t)SRC; NEXT;
	L_MOVSX16_64: DST = (uint64_t)(int64_t)(int16_t)SRC; NEXT;
	L_MOVSX32_64: DST = (uint64_t)(int64_t)(int32_t)SRC; NEXT;
	L_MOVSX8_32: DST = (uint32_t)(int32_t)(int8_t)SRC; NEXT;
	L_MOVSX16_32: DST = (uint32_t)(int32_t)(int16_t)SRC; NEXT;
	L_NEG64: DST = 0 - DST; NEXT;
	L_NEG32: DST = (uint32_t)(0u - (uint32_t)DST); NEXT;

/* Division by zero gives 0; modulo by zero leaves dst (its low half for
 * 32-bit). Signed: INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0. */
#define UDIV(NAME, T, DIVISOR)                                           \
	L_DIV##NAME: { T d_ = (T)(DIVISOR);                              \
		DST = d_ ? (T)DST / d_ : 0; NEXT; }                      \
	L_MOD##NAME: { T d_ = (T)(DIVISOR);                              \
		DST = d_ ? (T)DST % d_ : (T)DST; NEXT; }
	UDIV(64_K, uint64_t, IMM)
	UDIV(64_X, uint64_t, SRC)
	UDIV(32_K, uint32_t, pc->imm)
	UDIV(32_X, uint32_t, SRC)
#undef UDIV
#define SDIV(NAME, S, U, DIVISOR)                                         \
	L_SDIV##NAME: { S d_ = (S)(DIVISOR), n_ = (S)DST;                 \
		DST = (U)(d_ == 0 ? 0 : d_ == -1 ? (U)0 - (U)n_ : (U)(n_ / d_)); NEXT; } \
	L_SMOD##NAME: { S d_ = (S)(DIVISOR), n_ = (S)DST;                 \
		DST = (U)(d_ == 0 ? (U)n_ : d_ == -1 ? 0 : (U)(n_ % d_)); NEXT; }
	SDIV(64_K, int64_t, uint64_t, IMM)
	SDIV(64_X, int64_t, uint64_t, SRC)
	SDIV(32_K, int32_t, uint32_t, pc->imm)
	SDIV(32_X, int32_t, uint32_t, SRC)
#undef SDIV

/* Byte swaps: le/be convert to that order (ALU class), bswap always. */
	L_LE16: DST = htole16((uint16_t)DST); NEXT;
	L_LE32: DST = htole32((uint32_t)DST); NEXT;
	L_LE64: DST = htole64(DST); NEXT;
	L_BE16: DST = htobe16((uint16_t)DST); NEXT;
	L_BE32: DST = htobe32((uint32_t)DST); NEXT;
	L_BE64: DST = htobe64(DST); NEXT;
	L_BSWAP16: DST = __builtin_bswap16((uint16_t)DST); NEXT;
	L_BSWAP32: DST = __builtin_bswap32((uint32_t)DST); NEXT;
	L_BSWAP64: DST = __builtin_bswap64(DST); NEXT;

/* ---- memory ---- */
#define LDX(NAME, T, EXT)                                              \
	L_##NAME: { uint64_t a_ = SRC + OFF;                           \
		CHECK_MEM(a_, sizeof(T), UEBPF_MEM_READ);               \
		DST = (uint64_t)(EXT)LOAD(T, a_); NEXT; }
	LDX(LDXB, uint8_t, uint64_t)
	LDX(LDXH, uint16_t, uint64_t)
	LDX(LDXW, uint32_t, uint64_t)
	LDX(LDXDW, uint64_t, uint64_t)
	LDX(LDXSB, int8_t, int64_t)
	LDX(LDXSH, int16_t, int64_t)
	LDX(LDXSW, int32_t, int64_t)
#undef LDX
#define ST(NAME, T, VALUE)                                             \
	L_##NAME: { uint64_t a_ = DST + OFF;                           \
		CHECK_MEM(a_, sizeof(T), UEBPF_MEM_WRITE);              \
		STORE(T, a_, VALUE); NEXT; }
	ST(STB, uint8_t, pc->imm)
	ST(STH, uint16_t, pc->imm)
	ST(STW, uint32_t, pc->imm)
	ST(STDW, uint64_t, IMM)
	ST(STXB, uint8_t, SRC)
	ST(STXH, uint16_t, SRC)
	ST(STXW, uint32_t, SRC)
	ST(STXDW, uint64_t, SRC)
#undef ST

/* Atomics on (dst + off); fetch forms return the old value in src,
 * zero-extended for 32 bits. */
#define ATOMIC(SUFFIX, T)                                                 \
	L_AADD##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_RW, __atomic_fetch_add(p_, (T)SRC, __ATOMIC_SEQ_CST)); \
	L_AOR##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_RW, __atomic_fetch_or(p_, (T)SRC, __ATOMIC_SEQ_CST));   \
	L_AAND##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_RW, __atomic_fetch_and(p_, (T)SRC, __ATOMIC_SEQ_CST)); \
	L_AXOR##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_RW, __atomic_fetch_xor(p_, (T)SRC, __ATOMIC_SEQ_CST)); \
	L_AADD##SUFFIX##_F: ATOMIC_DO(T, UEBPF_MEM_RW, SRC = __atomic_fetch_add(p_, (T)SRC, __ATOMIC_SEQ_CST)); \
	L_AOR##SUFFIX##_F: ATOMIC_DO(T, UEBPF_MEM_RW, SRC = __atomic_fetch_or(p_, (T)SRC, __ATOMIC_SEQ_CST));   \
	L_AAND##SUFFIX##_F: ATOMIC_DO(T, UEBPF_MEM_RW, SRC = __atomic_fetch_and(p_, (T)SRC, __ATOMIC_SEQ_CST)); \
	L_AXOR##SUFFIX##_F: ATOMIC_DO(T, UEBPF_MEM_RW, SRC = __atomic_fetch_xor(p_, (T)SRC, __ATOMIC_SEQ_CST)); \
	L_AXCHG##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_RW, SRC = __atomic_exchange_n(p_, (T)SRC, __ATOMIC_SEQ_CST));   \
	L_ACMPXCHG##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_RW, {                                  \
		T old_ = (T)reg[0];                                         \
		__atomic_compare_exchange_n(p_, &old_, (T)SRC, 0,           \
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
		reg[0] = old_; });
#define ATOMIC_DO(T, ACCESS, ...)                                         \
	{ uint64_t a_ = DST + OFF;                                        \
	  CHECK_ATOMIC(a_, sizeof(T), ACCESS);                            \
	  T *p_ = (T *)(uintptr_t)a_;                                     \
	  __VA_ARGS__; NEXT; }
	ATOMIC(32, uint32_t)
	ATOMIC(64, uint64_t)
#undef ATOMIC
#define ACQ_REL(SUFFIX, T)                                                \
	L_LDACQ##SUFFIX: { uint64_t a_ = SRC + OFF;                       \
		CHECK_ATOMIC(a_, sizeof(T), UEBPF_MEM_READ);              \
		DST = __atomic_load_n((T *)(uintptr_t)a_, __ATOMIC_ACQUIRE); NEXT; } \
	L_STREL##SUFFIX: ATOMIC_DO(T, UEBPF_MEM_WRITE, __atomic_store_n(p_, (T)SRC, __ATOMIC_RELEASE));
	ACQ_REL(B, uint8_t)
	ACQ_REL(H, uint16_t)
	ACQ_REL(W, uint32_t)
	ACQ_REL(DW, uint64_t)
#undef ACQ_REL
#undef ATOMIC_DO

/* ---- pairs fused at load (interp_fuse; the normal mode only): one
 * dispatch for two instructions, the second never a jump target ---- */
	/* rD = rS; rD += imm (an address: a pointer plus an offset) */
	L_FOP_MOV_ADD: DST = SRC + (uint64_t)(int64_t)pc[1].imm; pc += 2; DISPATCH();
	/* rD = *(u8 *)(rS + off); rD <<= imm (assembling a wider value) */
	L_FOP_LDXB_LSH:
		DST = (uint64_t)LOAD(uint8_t, SRC + OFF) << (pc[1].imm & 63);
		pc += 2;
		DISPATCH();
	/* the same, 32-bit: wD = *(u8 *)(rS + off); wD <<= imm */
	L_FOP_LDXB_LSH32:
		DST = (uint32_t)((uint32_t)LOAD(uint8_t, SRC + OFF) << (pc[1].imm & 31));
		pc += 2;
		DISPATCH();
	/* wD <<= imm; wD |= wX */
	L_FOP_LSH_OR32:
		DST = (uint32_t)(((uint32_t)DST << (pc->imm & 31)) | (uint32_t)reg[pc[1].src]);
		pc += 2;
		DISPATCH();
	/* wD = wS; wD >>= imm (folding a checksum's carries) */
	L_FOP_MOV_RSH32:
		DST = (uint32_t)SRC >> (pc[1].imm & 31);
		pc += 2;
		DISPATCH();
	/* rD = *(u8 *)(rS + off); *(u8 *)(rT + off2) = rD (a byte moved) */
	L_FOP_LDXB_STXB:
		DST = LOAD(uint8_t, SRC + OFF);
		STORE(uint8_t, reg[pc[1].dst] + (uint64_t)(int64_t)pc[1].off, DST);
		pc += 2;
		DISPATCH();
	/* rD <<= imm; rD |= rX */
	L_FOP_LSH_OR:
		DST = (DST << (pc->imm & 63)) | reg[pc[1].src];
		pc += 2;
		DISPATCH();
	/* rD += imm; if rD > rX goto (a packet bounds check) */
	L_FOP_ADD_JGT:
		DST += IMM;
		if (DST > reg[pc[1].src]) {
			pc += 2 + (int64_t)pc[1].off;
			DISPATCH();
		}
		pc += 2;
		DISPATCH();

	L_LDDW:
		DST = pc[1].imm64;
		pc += 2;
		DISPATCH();

/* Legacy packet loads: big-endian values from the packet; out of bounds
 * ends the program with r0 = 0, as in the kernel. */
#define LDPKT(NAME, SIZE, OFFSET)                                          \
	L_##NAME: if (!packet_load(ex, (int32_t)(OFFSET), SIZE, &reg[0]))  \
			goto packet_fault;                                 \
		CLOBBER_CALLER_SAVED();                                    \
		NEXT;
	LDPKT(LDABSB, 1, pc->imm)
	LDPKT(LDABSH, 2, pc->imm)
	LDPKT(LDABSW, 4, pc->imm)
	LDPKT(LDINDB, 1, (uint32_t)SRC + (uint32_t)pc->imm)
	LDPKT(LDINDH, 2, (uint32_t)SRC + (uint32_t)pc->imm)
	LDPKT(LDINDW, 4, (uint32_t)SRC + (uint32_t)pc->imm)
#undef LDPKT

/* ---- jumps ---- */
	L_JA: JUMP(pc->off);
	L_JA32: JUMP(pc->imm);
#define JCC(NAME, T, OPER)                                                  \
	L_##NAME##_K: if ((T)DST OPER (T)IMM) JUMP(pc->off); NEXT;          \
	L_##NAME##_X: if ((T)DST OPER (T)SRC) JUMP(pc->off); NEXT;
	JCC(JEQ, uint64_t, ==)
	JCC(JNE, uint64_t, !=)
	JCC(JGT, uint64_t, >)
	JCC(JGE, uint64_t, >=)
	JCC(JLT, uint64_t, <)
	JCC(JLE, uint64_t, <=)
	JCC(JSGT, int64_t, >)
	JCC(JSGE, int64_t, >=)
	JCC(JSLT, int64_t, <)
	JCC(JSLE, int64_t, <=)
	JCC(JSET, uint64_t, &)
	JCC(JEQ32, uint32_t, ==)
	JCC(JNE32, uint32_t, !=)
	JCC(JGT32, uint32_t, >)
	JCC(JGE32, uint32_t, >=)
	JCC(JLT32, uint32_t, <)
	JCC(JLE32, uint32_t, <=)
	JCC(JSGT32, int32_t, >)
	JCC(JSGE32, int32_t, >=)
	JCC(JSLT32, int32_t, <)
	JCC(JSLE32, int32_t, <=)
	JCC(JSET32, uint32_t, &)
#undef JCC

	L_MAY_GOTO:
		if (ex->may_goto_left == 0)
			JUMP(pc->off);
		ex->may_goto_left--;
		NEXT;

/* ---- calls ---- */
	L_CALL:
		reg[0] = pc->fn(reg[1], reg[2], reg[3], reg[4], reg[5], ex);
		if (__builtin_expect(ex->stopped, 0))
			goto stopped;
		CLOBBER_CALLER_SAVED();
		NEXT;
	/* bpf_tail_call(ctx, prog_array, index): on success the program in
	 * the slot replaces this one, in this stack frame; else fall through. */
	L_TAIL_CALL: {
		const struct uebpf_code *next = tail_call_target(ex, reg[2], reg[3]);
		if (!next) {
			if (__builtin_expect(ex->stopped, 0))
				goto stopped;
			CLOBBER_CALLER_SAVED();
			NEXT;
		}
		code = next;
		base = pc = code->slots;
		reg[10] = stack_top - (uintptr_t)depth * UEBPF_STACK_SIZE;
		DISPATCH();
	}
	/* bpf_map_lookup_elem: array values are found inline, as the
	 * kernel's verifier inlines them; other maps go to the helper. (The
	 * checked interpreter dispatches this call as L_CALL.) */
	L_MAP_LOOKUP: {
		const struct map *m = (const struct map *)(uintptr_t)reg[1];
		const struct map_hdr *h = m->hdr;
		if (h->type == BPF_MAP_TYPE_ARRAY || h->type == BPF_MAP_TYPE_PERCPU_ARRAY) {
			uint32_t index;
			memcpy(&index, (const void *)(uintptr_t)reg[2], sizeof(index));
			reg[0] = index < h->max_entries
					 ? (uintptr_t)array_value(m, index, exec_map_cpu(ex, h->ncpus))
					 : 0;
			NEXT;
		}
		goto L_CALL;
	}
	L_CALLX: {
		uebpf_helper_fn fn = vm_helper(code->vm, DST);
		if (!fn)
			goto fault_callx;
		reg[0] = fn(reg[1], reg[2], reg[3], reg[4], reg[5], ex);
		if (__builtin_expect(ex->stopped, 0))
			goto stopped;
		CLOBBER_CALLER_SAVED();
		NEXT;
	}
	L_CALL_LOCAL:
		if (depth + 1 >= UEBPF_MAX_CALL_FRAMES)
			goto fault_depth;
		frames[depth] = (struct frame){ pc + 1, reg[6], reg[7], reg[8], reg[9], code };
		depth++;
		reg[10] = stack_top - (uintptr_t)depth * UEBPF_STACK_SIZE;
#if CHECKED
		ex->stack_lo = reg[10] - UEBPF_STACK_SIZE;
		/* The callee has its arguments and its frame pointer only. */
		frame_init[depth - 1] = init;
		init = (init & 0x3eu) | 0x400u;
#endif
		JUMP(pc->imm);
	L_EXIT:
		if (depth == 0) {
			*ret = reg[0];
			return 0;
		}
		depth--;
		reg[6] = frames[depth].r6;
		reg[7] = frames[depth].r7;
		reg[8] = frames[depth].r8;
		reg[9] = frames[depth].r9;
		reg[10] = stack_top - (uintptr_t)depth * UEBPF_STACK_SIZE;
		if (__builtin_expect(frames[depth].code != code, 0)) {
			/* The callee was replaced by a tail call: back to the
			 * caller's program. */
			code = frames[depth].code;
			base = code->slots;
			ex->code = code;
			ex->maps = code->maps;
			ex->map_cnt = code->map_cnt;
		}
#if CHECKED
		ex->stack_lo = reg[10] - UEBPF_STACK_SIZE;
		init = (frame_init[depth] & ~0x3fu) | 1u;
#endif
		pc = frames[depth].ret;
		DISPATCH();

	L_CALL_KFUNC: /* refused by uebpf_code_load() */
	L_OFF_END:
		return run_fault(ex, pc - base, -EFAULT,
				 "execution ran past the last instruction");

/* ---- slow paths ---- */
	stopped:
		if (ex->stopped == EXEC_FAULT)
			return run_fault(ex, pc - base, -EFAULT, "%s", ex->helper_fault);
		*ret = ex->stop_r0;
		return 0;
	packet_fault:
		*ret = 0;
		return 0;
	fault_callx:
		return run_fault(ex, pc - base, -EFAULT,
				 "callx r%d: no helper with id %" PRIu64, pc->dst, DST);
	fault_depth:
		return run_fault(ex, pc - base, -EFAULT,
				 "the call stack is too deep (more than %d frames)",
				 UEBPF_MAX_CALL_FRAMES);
#if CHECKED
	fault_mem:
		return run_fault(ex, pc - base, -EFAULT,
				 "invalid %s of %u bytes at 0x%" PRIxPTR
				 ": outside the stack and the memory given to the program",
				 fault_access & UEBPF_MEM_WRITE ?
					 (fault_access & UEBPF_MEM_READ ? "atomic access" : "write") :
					 "read",
				 fault_size, fault_addr);
	fault_misaligned:
		return run_fault(ex, pc - base, -EFAULT,
				 "misaligned atomic access of %u bytes at 0x%" PRIxPTR,
				 fault_size, fault_addr);
	fault_limit:
		return run_fault(ex, pc - base, -ELOOP,
				 "stopped after %" PRIu64 " instructions (the limit)",
				 ex->insn_limit);
	fault_uninit:
		while (!((code->regs[pc - base] & ~init) >> uninit_reg & 1))
			uninit_reg++;
		return run_fault(ex, pc - base, -EFAULT, "reads r%u, which is uninitialised",
				 uninit_reg);
#else
	(void)fault_addr;
	(void)fault_size;
	(void)fault_access;
#endif

#undef DST
#undef SRC
#undef IMM
#undef OFF
#undef DISPATCH
#undef CHECK_MEM
#undef CHECK_ATOMIC
#undef CLOBBER_CALLER_SAVED
#undef NEXT
#undef JUMP
#undef LOAD
#undef STORE
}
