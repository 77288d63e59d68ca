// SPDX-License-Identifier: MIT
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier/cfg.h"

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size) {
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool is_jmp_class(uint8_t code)
{
	return BPF_CLASS(code) == BPF_JMP || BPF_CLASS(code) == BPF_JMP32;
}

static bool is_pseudo_call(const struct uebpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
}

static bool is_pseudo_func(const struct uebpf_insn *in)
{
	return in->code == LDDW && in->src_reg == BPF_PSEUDO_FUNC;
}

/* Where a jump goes (gotol takes its offset from imm). */
static int64_t jump_target(const struct uebpf_insn *in, size_t i)
{
	if (in->code == (BPF_JMP32 | BPF_JA))
		return (int64_t)i + in->imm + 1;
	return (int64_t)i + in->off + 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int find_subprogs(const struct uebpf_insn *insns, size_t cnt, struct cfg *cfg,
			 char *err, size_t err_size)
{
	size_t n = 1;

	cfg->subprog_start = malloc((cnt + 1) * sizeof(*cfg->subprog_start));
	if (!cfg->subprog_start)
		return -ENOMEM;
	cfg->subprog_start[0] = 0;
	for (size_t i = 0; i < cnt; i++) {
		const struct uebpf_insn *in = &insns[i];

		if (is_pseudo_call(in) || is_pseudo_func(in)) {
			int64_t t = (int64_t)i + in->imm + 1;

			if (t < 0 || (uint64_t)t >= cnt)
				return fail(err, err_size, "call to invalid destination");
			cfg->subprog_start[n++] = (uint32_t)t;
		}
		if (in->code == LDDW)
			i++;
	}
	qsort(cfg->subprog_start, n, sizeof(*cfg->subprog_start), cmp_u32);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || cfg->subprog_start[i] != cfg->subprog_start[k - 1])
			cfg->subprog_start[k++] = cfg->subprog_start[i];
	cfg->nr_subprogs = k;
	return 0;
}

/* Jumps stay in their subprogram, which ends with an exit or a jump. */
static int check_subprogs(const struct uebpf_insn *insns, size_t cnt, const struct cfg *cfg,
			  char *err, size_t err_size)
{
	for (size_t s = 0; s < cfg->nr_subprogs; s++) {
		size_t start = cfg->subprog_start[s];
		size_t end = s + 1 < cfg->nr_subprogs ? cfg->subprog_start[s + 1] : cnt;

		for (size_t i = start; i < end; i++) {
			const struct uebpf_insn *in = &insns[i];
			uint8_t op = BPF_OP(in->code);

			if (is_jmp_class(in->code) && op != BPF_CALL && op != BPF_EXIT) {
				int64_t t = jump_target(in, i);

				if (t < (int64_t)start || t >= (int64_t)end)
					return fail(err, err_size, "jump out of range from insn %zu to %lld",
						    i, (long long)t);
			}
			if (i == end - 1 && in->code != (BPF_JMP | BPF_EXIT) &&
			    in->code != (BPF_JMP | BPF_JA) && in->code != (BPF_JMP32 | BPF_JA))
				return fail(err, err_size, "last insn is not an exit or jmp");
		}
	}
	return 0;
}

/* Every instruction reached from the first: calls reach their callee and
 * come back, function addresses reach the callback. */
static int check_reachable(const struct uebpf_insn *insns, size_t cnt, char *err,
			   size_t err_size)
{
	uint8_t *seen = calloc(cnt, 1);
	size_t *stack = malloc(cnt * sizeof(*stack)), top = 0;
	int ret = 0;

	if (!seen || !stack) {
		free(seen);
		free(stack);
		return -ENOMEM;
	}
#define PUSH(t)                                                          \
	do {                                                             \
		int64_t t_ = (t);                                        \
		if (t_ >= 0 && (uint64_t)t_ < cnt && !seen[t_]) {        \
			seen[t_] = 1;                                    \
			stack[top++] = (size_t)t_;                       \
		}                                                        \
	} while (0)
	PUSH(0);
	while (top) {
		size_t i = stack[--top];
		const struct uebpf_insn *in = &insns[i];
		uint8_t op = BPF_OP(in->code);

		if (in->code == LDDW) {
			if (is_pseudo_func(in))
				PUSH((int64_t)i + in->imm + 1);
			PUSH((int64_t)i + 2);
			continue;
		}
		if (!is_jmp_class(in->code)) {
			PUSH((int64_t)i + 1);
			continue;
		}
		if (op == BPF_EXIT)
			continue;
		if (op == BPF_CALL) {
			if (is_pseudo_call(in))
				PUSH((int64_t)i + in->imm + 1);
			PUSH((int64_t)i + 1);
			continue;
		}
		PUSH(jump_target(in, i));
		if (op != BPF_JA)
			PUSH((int64_t)i + 1);
	}
#undef PUSH
	for (size_t i = 0; i < cnt; i++) {
		if (!seen[i]) {
			ret = fail(err, err_size, "unreachable insn %zu", i);
			break;
		}
		if (insns[i].code == LDDW)
			i++;
	}
	free(seen);
	free(stack);
	return ret;
}

int cfg_check(const struct uebpf_insn *insns, size_t cnt, struct cfg *cfg, char *err,
	      size_t err_size)
{
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (err_size)
		err[0] = '\0';
	if (!cnt)
		return fail(err, err_size, "no instructions");
	ret = find_subprogs(insns, cnt, cfg, err, err_size);
	ret = ret ? ret : check_subprogs(insns, cnt, cfg, err, err_size);
	ret = ret ? ret : check_reachable(insns, cnt, err, err_size);
	if (ret)
		cfg_free(cfg);
	return ret;
}

void cfg_free(struct cfg *cfg)
{
	free(cfg->subprog_start);
	cfg->subprog_start = NULL;
	cfg->nr_subprogs = 0;
}
