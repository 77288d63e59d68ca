// SPDX-License-Identifier: MIT
/*
 * The verifier's log, in the kernel's format: instructions as
 * `12: (bf) r1 = r6`, register states as `R1=ctx() R10=fp0`, source lines
 * from BTF line info as `; return x; @ prog.c:12`, and the message of a
 * rejection last. The whole log is kept here; the caller's buffer gets
 * its tail (the kernel's rotating log does the same).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uebpf/isa.h"
#include "verifier/env.h"

/* The log kept here: the caller gets only its last log_size bytes, so
 * beyond four times that (at least 1 MiB) the oldest half is dropped. */
static size_t log_keep(const struct venv *env)
{
	size_t keep = env->opts->log_size * 4;
	return keep < (1u << 20) ? 1u << 20 : keep > (256u << 20) ? 256u << 20 : keep;
}

void verbose(struct venv *env, const char *fmt, ...)
{
	va_list ap;
	char small[512];
	int n;

	/* Without a log, only the reason for a rejection is kept (the
	 * caller shows it in its error). */
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	size_t len = (size_t)n;
	if (env->log_len + len + 1 > env->log_cap) {
		size_t cap = env->log_cap ? env->log_cap : 4096;
		while (cap < env->log_len + len + 1)
			cap *= 2;
		char *p = realloc(env->log, cap);
		if (!p)
			return;
		env->log = p;
		env->log_cap = cap;
	}
	if (len < sizeof(small)) {
		memcpy(env->log + env->log_len, small, len + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(env->log + env->log_len, len + 1, fmt, ap);
		va_end(ap);
	}
	env->log_len += len;
	if (env->log_len > log_keep(env)) {
		size_t drop = env->log_len - log_keep(env) / 2;
		memmove(env->log, env->log + drop, env->log_len - drop + 1);
		env->log_len -= drop;
		env->log_dropped += drop;
	}
}

size_t log_pos(const struct venv *env)
{
	return env->log_dropped + env->log_len;
}

/* Back to a position log_pos gave (what was written since goes). */
void log_truncate(struct venv *env, size_t abs_pos)
{
	size_t pos = abs_pos > env->log_dropped ? abs_pos - env->log_dropped : 0;

	if (pos < env->log_len) {
		env->log_len = pos;
		env->log[pos] = '\0';
	}
}

void log_finish(struct venv *env)
{
	const struct verifier_opts *o = env->opts;

	if (!o->log_buf || !o->log_size)
		return;
	if (!env->log_len) {
		o->log_buf[0] = '\0';
		return;
	}
	size_t keep = env->log_len < o->log_size - 1 ? env->log_len : o->log_size - 1;
	memcpy(o->log_buf, env->log + env->log_len - keep, keep);
	o->log_buf[keep] = '\0';
}

const char *reg_type_str(uint32_t type)
{
	static const char *const names[REG_TYPE__MAX] = {
		[NOT_INIT] = "?",
		[SCALAR_VALUE] = "scalar",
		[PTR_TO_CTX] = "ctx",
		[CONST_PTR_TO_MAP] = "map_ptr",
		[PTR_TO_MAP_VALUE] = "map_value",
		[PTR_TO_MAP_KEY] = "map_key",
		[PTR_TO_STACK] = "fp",
		[PTR_TO_PACKET_META] = "pkt_meta",
		[PTR_TO_PACKET] = "pkt",
		[PTR_TO_PACKET_END] = "pkt_end",
		[PTR_TO_MEM] = "mem",
		[PTR_TO_FUNC] = "func",
		[PTR_TO_FLOW_KEYS] = "flow_keys",
		[PTR_TO_SOCK_COMMON] = "sock_common",
		[PTR_TO_SOCKET] = "sock",
		[PTR_TO_TCP_SOCK] = "tcp_sock",
		[PTR_TO_BTF_ID] = "ptr_",
	};
	static _Thread_local char bufs[4][48];
	static _Thread_local unsigned next;
	unsigned base = base_type(type);
	char *buf = bufs[next++ % 4];

	snprintf(buf, sizeof(bufs[0]), "%s%s%s%s",
		 type & MEM_RDONLY ? "rdonly_" : "", type & MEM_RINGBUF ? "ringbuf_" : "",
		 base < REG_TYPE__MAX && names[base] ? names[base] : "?",
		 type & PTR_MAYBE_NULL ? "_or_null" : "");
	return buf;
}

/* Numbers as the kernel's log shows them: small ones in decimal. */
static void print_num(struct venv *env, int64_t v)
{
	if (v >= -512 && v <= 512)
		verbose(env, "%lld", (long long)v);
	else
		verbose(env, "%#llx", (unsigned long long)v);
}

static void print_bounds(struct venv *env, const struct reg_state *r, bool *first)
{
#define FIELD(cond, fmt, val)                                         \
	do {                                                          \
		if (cond) {                                           \
			verbose(env, "%s" fmt, *first ? "" : ",", val); \
			*first = false;                               \
		}                                                     \
	} while (0)
	FIELD(r->smin_value != INT64_MIN, "smin=%lld", (long long)r->smin_value);
	FIELD(r->smax_value != INT64_MAX, "smax=%lld", (long long)r->smax_value);
	FIELD(r->umin_value != 0, "umin=%llu", (unsigned long long)r->umin_value);
	FIELD(r->umax_value != UINT64_MAX, "umax=%llu", (unsigned long long)r->umax_value);
	FIELD(r->s32_min_value != INT32_MIN && (int64_t)r->s32_min_value != r->smin_value,
	      "smin32=%d", r->s32_min_value);
	FIELD(r->s32_max_value != INT32_MAX && (int64_t)r->s32_max_value != r->smax_value,
	      "smax32=%d", r->s32_max_value);
	FIELD(r->u32_min_value != 0 && r->u32_min_value != r->umin_value, "umin32=%u",
	      r->u32_min_value);
	FIELD(r->u32_max_value != UINT32_MAX && r->u32_max_value != r->umax_value, "umax32=%u",
	      r->u32_max_value);
	if (!tnum_is_unknown(r->var_off)) {
		char tn[48];
		tnum_strn(tn, sizeof(tn), r->var_off);
		FIELD(true, "var_off=%s", tn);
	}
#undef FIELD
}

void print_reg(struct venv *env, const struct reg_state *r, uint32_t curframe)
{
	unsigned t = base_type(r->type);
	bool first = true;

	if (r->type == SCALAR_VALUE && r->precise)
		verbose(env, "P");
	if (r->type == SCALAR_VALUE && reg_is_const(r) && !r->id) {
		print_num(env, (int64_t)r->var_off.value);
		return;
	}
	if (t == PTR_TO_STACK && tnum_is_const(r->var_off) && !r->var_off.value) {
		if (r->frameno != curframe)
			verbose(env, "fp[%u]", r->frameno);
		else
			verbose(env, "fp");
		print_num(env, r->off);
		return;
	}
	verbose(env, "%s(", reg_type_str(r->type));
	if (r->id) {
		verbose(env, "id=%u", r->id);
		if (t == SCALAR_VALUE && r->link != LINK_SAME)
			verbose(env, "%+d", r->off);
		first = false;
	}
	if (r->ref_obj_id) {
		verbose(env, "%sref_obj_id=%u", first ? "" : ",", r->ref_obj_id);
		first = false;
	}
	if (t != SCALAR_VALUE && r->off) {
		verbose(env, "%soff=%d", first ? "" : ",", r->off);
		first = false;
	}
	if ((t == PTR_TO_PACKET || t == PTR_TO_PACKET_META)) {
		verbose(env, "%sr=%u", first ? "" : ",", r->range);
		first = false;
	}
	if ((t == CONST_PTR_TO_MAP || t == PTR_TO_MAP_VALUE || t == PTR_TO_MAP_KEY) && r->map_ptr) {
		verbose(env, "%smap=%s,ks=%u,vs=%u", first ? "" : ",",
			r->map_ptr->name ? r->map_ptr->name : "", r->map_ptr->key_size,
			r->map_ptr->value_size);
		first = false;
	}
	if (t == PTR_TO_MEM) {
		verbose(env, "%ssz=%u", first ? "" : ",", r->mem_size);
		first = false;
	}
	if (t == SCALAR_VALUE || !tnum_is_const(r->var_off) || r->var_off.value)
		print_bounds(env, r, &first);
	verbose(env, ")");
}

void print_state(struct venv *env, const struct vstate *st, bool all_frames)
{
	uint32_t first_frame = all_frames ? 0 : st->curframe;

	for (uint32_t f = first_frame; f <= st->curframe; f++) {
		const struct func_state *fs = st->frame[f];
		bool sep = false;
		if (f)
			verbose(env, " frame%u:", f);
		for (int r = 0; r < MAX_BPF_REG; r++) {
			if (fs->regs[r].type == NOT_INIT)
				continue;
			verbose(env, "%sR%d=", sep || f ? " " : "", r);
			print_reg(env, &fs->regs[r], f);
			sep = true;
		}
		for (uint32_t s = 0; s < fs->nr_slots; s++) {
			const struct stack_slot *sl = &fs->stack[s];
			if (sl->byte[0] == STACK_SPILL) {
				verbose(env, " fp%d=", -8 * (int)(s + 1));
				print_reg(env, &sl->spilled, f);
				continue;
			}
			char bytes[9];
			bool any = false;
			for (int b = 0; b < 8; b++) {
				static const char sym[] = { '?', 'r', 'm', '0' };
				bytes[7 - b] = sym[sl->byte[b] & 3];
				any |= sl->byte[b] != STACK_INVALID;
			}
			bytes[8] = '\0';
			if (any)
				verbose(env, " fp%d=%s", -8 * (int)(s + 1), bytes);
		}
	}
	if (st->nr_refs) {
		verbose(env, " refs=");
		for (uint32_t i = 0; i < st->nr_refs; i++)
			verbose(env, "%s%u", i ? "," : "", st->refs[i].id);
	}
	verbose(env, "\n");
}

void print_insn(struct venv *env, uint32_t idx)
{
	struct uebpf_disasm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_KERNEL,
				       .show_raw = true };
	char buf[160];

	if (uebpf_disasm_insn(env->insns, env->cnt, idx, buf, sizeof(buf), &o) < 0)
		snprintf(buf, sizeof(buf), "%u: <?>", idx);
	verbose(env, "%s\n", buf + strspn(buf, " "));
}

/* The last line record at or before instruction idx, or NULL. */
static const struct verifier_line *line_at(const struct verifier_opts *o, uint32_t idx)
{
	size_t lo = 0, hi = o->lines ? o->line_cnt : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->lines[mid].insn_off <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &o->lines[lo - 1] : NULL;
}

static const char *line_file(const struct verifier_line *l)
{
	const char *slash = l->file ? strrchr(l->file, '/') : NULL;
	return slash ? slash + 1 : l->file ? l->file : "";
}

static const char *line_text(const struct verifier_line *l)
{
	return l->text ? l->text + strspn(l->text, " \t") : "";
}

/* The source line an instruction comes from, once per change of line. */
void print_line_info(struct venv *env, uint32_t idx)
{
	const struct verifier_line *l = line_at(env->opts, idx);

	if (!(env->log_level & 3) || !l || l->insn_off != idx)
		return;
	uint32_t n = (uint32_t)(l - env->opts->lines);
	if (n == env->last_line)
		return;
	env->last_line = n;
	verbose(env, "; %s @ %s:%u\n", line_text(l), line_file(l), l->line);
}

/* Without a log level only the reason is given: say where, too (the
 * instruction and, from line info, the source line), on one line. */
void log_name_insn(struct venv *env)
{
	if (env->err_insn < 0 || !env->log_len)
		return;
	uint32_t idx = (uint32_t)env->err_insn;
	char *reason = strdup(env->log);
	if (!reason)
		return;
	log_truncate(env, 0);
	verbose(env, "insn %u: ", idx);
	/* The kernel's lines of the reason, joined. */
	char *save = NULL;
	for (char *l = strtok_r(reason, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		verbose(env, "%s%s", l == reason ? "" : "; ", l);
	const struct verifier_line *l = line_at(env->opts, idx);
	if (l)
		verbose(env, " (%s:%u: %s)", line_file(l), l->line, line_text(l));
	verbose(env, "\n");
	free(reason);
}
