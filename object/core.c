/* SPDX-License-Identifier: MIT */
/*
 * CO-RE relocations, resolved with libbpf's rules (see core.h) against
 * the types uebpf provides. The steps:
 *   1. parse the access string against the program's type into a "spec":
 *      the raw indices, the named fields and array indices they go
 *      through ("accessors"), and the bit offset they reach;
 *   2. find candidate target types: a compatible kind and the same name
 *      once a "___flavor" suffix is dropped;
 *   3. match the spec in each candidate (fields by name, looking through
 *      anonymous members; array indices in bounds; compatible types);
 *   4. compute the value the instruction holds (from the program's BTF,
 *      to check it) and the one it must hold (from the target), and
 *      patch it.
 * Both BTFs are read through libbpf's btf API; nothing in them is
 * trusted: every type id is looked up with a NULL check, loops over
 * modifier chains and nested comparisons are bounded.
 */
#include "object/btf_ext.h"
#include "object/core.h"
#include "object/object.h"

#include <bpf/btf.h>
#include <errno.h>
#include <limits.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Elements of an access path (libbpf's BPF_CORE_SPEC_MAX_LEN). */
#define SPEC_MAX 64
/* Modifier and typedef chains, pointer/array chains, nesting levels of
 * type comparisons: libbpf's limit. */
#define DEPTH_MAX 32
/* Steps of the type comparisons of one relocation: a hostile BTF cannot
 * make them run for long. */
#define WORK_MAX 1000000

/* One high-level step of an access path: a named field (type_id is the
 * struct or union, idx the member), or an array element / the root
 * (name NULL, type_id the element type). */
struct accessor {
	uint32_t type_id;
	uint32_t idx;
	const char *name;
};

struct spec {
	const struct btf *btf;
	uint32_t root_id;
	struct accessor acc[SPEC_MAX];
	int len;
	uint32_t raw[SPEC_MAX]; /* the access string's indices, anonymous members included */
	int raw_len;
	uint64_t bit_off;
};

/* What a relocation resolves to. */
struct result {
	uint64_t orig_val; /* what the instruction holds, from the program's BTF */
	uint64_t new_val;  /* what it must hold, from the target's */
	uint32_t orig_sz, new_sz;     /* field sizes, for loads and stores */
	uint32_t orig_type, new_type; /* field types, for loads and stores */
	bool poison;   /* the target lacks what the instruction needs */
	bool validate; /* the instruction must hold orig_val */
	bool resize_bad; /* a load or store of this field cannot be resized */
};

struct ctx {
	const struct core_relo *relo;
	const struct btf *local;
	const struct btf *target;
	char *err;
	size_t err_size;
	char what[320]; /* "byte_off of struct foo.a.b (access 0:1:2)" */
	char miss[256]; /* why the last candidate did not match */
	long work;
};

enum { CALC_POISON = 1 };

static bool field_based(uint32_t kind)
{
	return kind <= BPF_CORE_FIELD_RSHIFT_U64;
}

static bool type_based(uint32_t kind)
{
	return kind == BPF_CORE_TYPE_ID_LOCAL || kind == BPF_CORE_TYPE_ID_TARGET ||
	       kind == BPF_CORE_TYPE_EXISTS || kind == BPF_CORE_TYPE_SIZE ||
	       kind == BPF_CORE_TYPE_MATCHES;
}

static bool enumval_based(uint32_t kind)
{
	return kind == BPF_CORE_ENUMVAL_EXISTS || kind == BPF_CORE_ENUMVAL_VALUE;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, int code, const char *fmt, ...)
{
	if (!c->err || !c->err_size)
		return code;
	int n = snprintf(c->err, c->err_size, "insn %u: CO-RE %s: ", c->relo->insn_idx, c->what);
	if (n >= 0 && (size_t)n < c->err_size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* "task_struct___old" -> 9: the length before the last "X___Y" flavor
 * separator (X and Y not underscores), or the whole length. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);
	for (size_t i = n >= 5 ? n - 4 : 0; i-- > 0;) {
		const char *s = name + i;
		if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_')
			return i + 1;
	}
	return n;
}

static bool kinds_compat(const struct btf_type *a, const struct btf_type *b)
{
	return btf_kind(a) == btf_kind(b) || (btf_is_any_enum(a) && btf_is_any_enum(b));
}

static const char *kind_word(const struct btf_type *t)
{
	static const char *const words[] = {
		[BTF_KIND_UNKN] = "void", [BTF_KIND_INT] = "int", [BTF_KIND_PTR] = "pointer",
		[BTF_KIND_ARRAY] = "array", [BTF_KIND_STRUCT] = "struct",
		[BTF_KIND_UNION] = "union", [BTF_KIND_ENUM] = "enum", [BTF_KIND_FWD] = "fwd",
		[BTF_KIND_TYPEDEF] = "typedef", [BTF_KIND_VOLATILE] = "volatile",
		[BTF_KIND_CONST] = "const", [BTF_KIND_RESTRICT] = "restrict",
		[BTF_KIND_FUNC] = "func", [BTF_KIND_FUNC_PROTO] = "func_proto",
		[BTF_KIND_VAR] = "var", [BTF_KIND_DATASEC] = "datasec",
		[BTF_KIND_FLOAT] = "float", [BTF_KIND_DECL_TAG] = "decl_tag",
		[BTF_KIND_TYPE_TAG] = "type_tag", [BTF_KIND_ENUM64] = "enum",
	};
	unsigned k = btf_kind(t);
	return k < sizeof(words) / sizeof(words[0]) ? words[k] : "type";
}

/* "struct foo", "enum <anon>", "unsigned int", "type [12]" for a bad id. */
static const char *type_str(const struct btf *btf, uint32_t id, char *buf, size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	if (!t) {
		snprintf(buf, size, "type [%u]", id);
		return buf;
	}
	const char *name = btf_name(btf, t->name_off);
	if ((btf_is_int(t) || btf_is_float(t)) && *name)
		snprintf(buf, size, "%s", name); /* "unsigned long" */
	else
		snprintf(buf, size, "%s %s", kind_word(t), *name ? name : "<anon>");
	return buf;
}

/* ---- 1. the program's side: access string to spec ---- */

static bool is_flex_array(const struct btf *btf, const struct accessor *acc,
			  const struct btf_array *arr)
{
	/* A zero-length array that is the last member of its struct. */
	if (!acc->name || arr->nelems > 0)
		return false;
	const struct btf_type *t = btf__type_by_id(btf, acc->type_id);
	return t && acc->idx + 1 == btf_vlen(t);
}

static int parse_access(struct ctx *c, struct spec *s)
{
	const char *p = c->relo->access_str;

	if (!p || !*p || *p == ':')
		return fail(c, -EINVAL, "empty or malformed access string");
	while (*p) {
		if (s->raw_len > 0 && *p++ != ':')
			return fail(c, -EINVAL, "malformed access string");
		if (*p < '0' || *p > '9')
			return fail(c, -EINVAL, "malformed access string");
		uint64_t v = 0;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint64_t)(*p++ - '0');
			if (v > INT_MAX)
				return fail(c, -EINVAL, "index out of range in the access string");
		}
		if (s->raw_len == SPEC_MAX)
			return fail(c, -E2BIG, "access path longer than %d steps", SPEC_MAX);
		s->raw[s->raw_len++] = (uint32_t)v;
	}
	return 0;
}

static int add_bits(struct ctx *c, struct spec *s, uint64_t idx, uint64_t size)
{
	/* idx < 2^31 and size < 2^32: the product fits; keep the sum small
	 * enough that every later offset computation fits too. */
	s->bit_off += idx * size * 8;
	if (s->bit_off > (uint64_t)UINT32_MAX * 8)
		return fail(c, -ERANGE, "offset beyond 4 GiB");
	return 0;
}

static int parse_spec(struct ctx *c, const struct btf *btf, struct spec *s)
{
	const struct core_relo *relo = c->relo;
	const struct btf_type *t;
	uint32_t id;
	int err;

	memset(s, 0, sizeof(*s));
	s->btf = btf;
	s->root_id = relo->type_id;

	if (type_based(relo->kind)) {
		if (!relo->access_str || strcmp(relo->access_str, "0"))
			return fail(c, -EINVAL, "a type relocation's access string must be \"0\"");
		return 0;
	}
	err = parse_access(c, s);
	if (err)
		return err;

	t = btf_skip_mods(btf, relo->type_id, &id);
	if (!t)
		return fail(c, -EINVAL, "type [%u] is not in the program's BTF", relo->type_id);
	s->acc[0] = (struct accessor){ .type_id = id, .idx = s->raw[0] };
	s->len = 1;

	if (enumval_based(relo->kind)) {
		if (!btf_is_any_enum(t))
			return fail(c, -EINVAL, "type [%u] is not an enum", relo->type_id);
		if (s->raw_len > 1 || s->raw[0] >= btf_vlen(t))
			return fail(c, -EINVAL, "no enum value #%u in type [%u]", s->raw[0],
				    relo->type_id);
		uint32_t off = btf_is_enum(t) ? btf_enum(t)[s->raw[0]].name_off
					      : btf_enum64(t)[s->raw[0]].name_off;
		s->acc[0].name = btf_name(btf, off);
		return 0;
	}

	int64_t sz = btf__resolve_size(btf, id);
	if (sz < 0)
		return fail(c, -EINVAL, "type [%u] has no size", relo->type_id);
	err = add_bits(c, s, s->raw[0], (uint64_t)sz);
	if (err)
		return err;

	for (int i = 1; i < s->raw_len; i++) {
		uint32_t idx = s->raw[i];

		t = btf_skip_mods(btf, id, &id);
		if (!t)
			return fail(c, -EINVAL, "bad type [%u] in the program's BTF", id);
		if (btf_is_composite(t)) {
			if (idx >= btf_vlen(t))
				return fail(c, -EINVAL, "no member #%u in type [%u]", idx, id);
			s->bit_off += btf_member_bit_offset(t, idx);
			const struct btf_member *m = btf_members(t) + idx;
			if (m->name_off) {
				const char *name = btf_name(btf, m->name_off);
				if (!*name)
					return fail(c, -EINVAL, "member #%u of type [%u] has a bad name",
						    idx, id);
				s->acc[s->len++] = (struct accessor){ id, idx, name };
			}
			id = m->type;
		} else if (btf_is_array(t)) {
			const struct btf_array *a = btf_array(t);
			if (!btf_skip_mods(btf, a->type, &id))
				return fail(c, -EINVAL, "bad element type [%u] in the program's BTF",
					    a->type);
			if (!is_flex_array(btf, &s->acc[s->len - 1], a) && idx >= a->nelems)
				return fail(c, -EINVAL, "index %u beyond an array of %u", idx,
					    a->nelems);
			s->acc[s->len++] = (struct accessor){ .type_id = id, .idx = idx };
			sz = btf__resolve_size(btf, id);
			if (sz < 0)
				return fail(c, -EINVAL, "type [%u] has no size", id);
			err = add_bits(c, s, idx, (uint64_t)sz);
			if (err)
				return err;
		} else {
			return fail(c, -EINVAL, "step %d of the access path goes into a %s", i,
				    kind_word(t));
		}
	}
	return 0;
}

/* "struct foo.a.b[3] (access 0:1:2:3)", "enum e::V", "struct foo" into
 * c->what, after the kind's name. */
static void describe(struct ctx *c, const struct spec *s)
{
	char buf[128];
	size_t n = 0, size = sizeof(c->what);
	const struct btf_type *t = btf__type_by_id(s->btf, s->root_id);
	int r;

#define PUT(...)                                                                 \
	do {                                                                     \
		r = snprintf(c->what + n, size - n, __VA_ARGS__);                \
		n = r < 0 || (size_t)r >= size - n ? size - 1 : n + (size_t)r; \
	} while (0)

	n = 0;
	c->what[0] = '\0';
	PUT("%s of %s", btf_ext_core_kind_name(c->relo->kind),
	    t ? type_str(s->btf, s->root_id, buf, sizeof(buf)) : "a bad type");
	if (enumval_based(c->relo->kind) && s->len > 0) {
		PUT("::%s", s->acc[0].name);
	} else if (field_based(c->relo->kind)) {
		for (int i = 0; i < s->len; i++) {
			if (s->acc[i].name)
				PUT(".%s", s->acc[i].name);
			else if (i > 0 || s->acc[i].idx > 0)
				PUT("[%u]", s->acc[i].idx);
		}
		PUT(" (access %s)", c->relo->access_str);
	}
#undef PUT
}

/* ---- 2. and 3. matching in the target ---- */

/* Two field types are compatible (libbpf's rules): structs and unions
 * with each other, pointers, floats, ints (no legacy bitfield ints),
 * enums and forward declarations of the same name or anonymous, arrays of
 * compatible elements. 1, 0, or <0 for a bad BTF. */
static int fields_compat(const struct btf *lb, uint32_t lid, const struct btf *tb, uint32_t tid)
{
	for (int depth = 0; depth < DEPTH_MAX; depth++) {
		const struct btf_type *lt = btf_skip_mods(lb, lid, &lid);
		const struct btf_type *tt = btf_skip_mods(tb, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (btf_is_composite(lt) && btf_is_composite(tt))
			return 1;
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_PTR:
		case BTF_KIND_FLOAT:
			return 1;
		case BTF_KIND_FWD:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			const char *ln = btf_name(lb, lt->name_off), *tn = btf_name(tb, tt->name_off);
			size_t ll = essential_len(ln), tl = essential_len(tn);
			return ll == 0 || tl == 0 || (ll == tl && !strncmp(ln, tn, ll));
		}
		case BTF_KIND_INT:
			return btf_int_offset(lt) == 0 && btf_int_offset(tt) == 0;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Finds the member named like local accessor la in target type tid,
 * searching anonymous members too, and appends the steps to ts. 1 found
 * (*next_id: its type), 0 not found or incompatible (c->miss says which),
 * <0 error. Each level of anonymous nesting takes one raw step, so
 * SPEC_MAX bounds the recursion.
 */
static int match_member(struct ctx *c, const struct accessor *la, uint32_t tid,
			struct spec *ts, uint32_t *next_id)
{
	const struct btf *tb = ts->btf;
	const struct btf_type *tt = btf_skip_mods(tb, tid, &tid);
	if (!tt)
		return -EINVAL;
	if (!btf_is_composite(tt))
		return 0;

	const struct btf_type *lt = btf__type_by_id(c->local, la->type_id);
	const struct btf_member *lm = btf_members(lt) + la->idx;
	const struct btf_member *m = btf_members(tt);
	int n = btf_vlen(tt);

	for (int i = 0; i < n; i++, m++) {
		uint32_t bits = btf_member_bit_offset(tt, i);
		if (ts->raw_len == SPEC_MAX)
			return fail(c, -E2BIG, "uebpf's types nest anonymous members too deep");
		ts->bit_off += bits;
		ts->raw[ts->raw_len++] = (uint32_t)i;

		const char *name = btf_name(tb, m->name_off);
		if (!*name) {
			int found = match_member(c, la, m->type, ts, next_id);
			if (found)
				return found;
		} else if (!strcmp(name, la->name)) {
			ts->acc[ts->len++] = (struct accessor){ tid, (uint32_t)i, name };
			*next_id = m->type;
			int ok = fields_compat(c->local, lm->type, tb, m->type);
			if (ok == 0) {
				char a[96], b[96], l[96];
				ts->len--;
				snprintf(c->miss, sizeof(c->miss),
					 "field %s is %s in uebpf's %s, incompatible with the program's %s",
					 name, type_str(tb, m->type, a, sizeof(a)),
					 type_str(tb, tid, b, sizeof(b)),
					 type_str(c->local, lm->type, l, sizeof(l)));
			}
			return ok;
		}
		ts->bit_off -= bits;
		ts->raw_len--;
	}
	return 0;
}

/* Matches a field or enum value spec in candidate tid: 1, 0 (c->miss
 * says why), <0. */
static int match_spec(struct ctx *c, const struct spec *ls, uint32_t tid, struct spec *ts)
{
	char buf[128];

	memset(ts, 0, sizeof(*ts));
	ts->btf = c->target;
	ts->root_id = tid;

	if (enumval_based(c->relo->kind)) {
		const struct btf_type *tt = btf_skip_mods(c->target, tid, &tid);
		if (!tt || !btf_is_any_enum(tt))
			return 0;
		const char *ln = ls->acc[0].name;
		size_t ll = essential_len(ln);
		for (int i = 0; i < btf_vlen(tt); i++) {
			uint32_t off = btf_is_enum(tt) ? btf_enum(tt)[i].name_off
						       : btf_enum64(tt)[i].name_off;
			const char *tn = btf_name(c->target, off);
			if (essential_len(tn) != ll || strncmp(ln, tn, ll))
				continue;
			ts->acc[0] = (struct accessor){ tid, (uint32_t)i, tn };
			ts->len = 1;
			ts->raw[0] = (uint32_t)i;
			ts->raw_len = 1;
			return 1;
		}
		snprintf(c->miss, sizeof(c->miss), "enum value %.*s not found in %s", (int)ll, ln,
			 type_str(c->target, tid, buf, sizeof(buf)));
		return 0;
	}

	for (int i = 0; i < ls->len; i++) {
		const struct accessor *la = &ls->acc[i];
		const struct btf_type *tt = btf_skip_mods(c->target, tid, &tid);
		if (!tt)
			return -EINVAL;
		if (la->name) {
			uint32_t in_id = tid;
			int found = match_member(c, la, tid, ts, &tid);
			if (found < 0)
				return found;
			if (found == 0) {
				if (!c->miss[0])
					snprintf(c->miss, sizeof(c->miss), "field %s not found in %s",
						 la->name, type_str(c->target, in_id, buf, sizeof(buf)));
				return 0;
			}
			continue;
		}
		/* An array index; for i == 0 tid is already the element. */
		if (i > 0) {
			if (!btf_is_array(tt)) {
				snprintf(c->miss, sizeof(c->miss), "%s is not an array in uebpf's types",
					 ls->acc[i - 1].name ? ls->acc[i - 1].name : "the element");
				return 0;
			}
			const struct btf_array *a = btf_array(tt);
			if (!is_flex_array(c->target, &ts->acc[ts->len - 1], a) &&
			    la->idx >= a->nelems) {
				snprintf(c->miss, sizeof(c->miss),
					 "index %u beyond %s[%u] in uebpf's types", la->idx,
					 ls->acc[i - 1].name ? ls->acc[i - 1].name : "", a->nelems);
				return 0;
			}
			if (!btf_skip_mods(c->target, a->type, &tid))
				return -EINVAL;
		}
		if (ts->raw_len == SPEC_MAX)
			return fail(c, -E2BIG, "access path longer than %d steps", SPEC_MAX);
		ts->acc[ts->len++] = (struct accessor){ .type_id = tid, .idx = la->idx };
		ts->raw[ts->raw_len++] = la->idx;
		int64_t sz = btf__resolve_size(c->target, tid);
		if (sz < 0)
			return -EINVAL;
		int err = add_bits(c, ts, la->idx, (uint64_t)sz);
		if (err)
			return err;
	}
	return 1;
}

/* Type compatibility for TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET (libbpf's
 * rules): the same kind; names are not compared below the root; ints of
 * any size; pointers, arrays and typedefs by what they refer to; function
 * prototypes by their parameters and return type. */
static int types_compat(struct ctx *c, uint32_t lid, uint32_t tid, int level)
{
	const struct btf *lb = c->local, *tb = c->target;
	const struct btf_type *lt = btf__type_by_id(lb, lid), *tt = btf__type_by_id(tb, tid);

	if (!lt || !tt)
		return -EINVAL;
	if (!kinds_compat(lt, tt))
		return 0;
	for (int depth = 0; depth < DEPTH_MAX; depth++) {
		if (++c->work > WORK_MAX)
			return -E2BIG;
		lt = btf_skip_mods(lb, lid, &lid);
		tt = btf_skip_mods(tb, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!kinds_compat(lt, tt))
			return 0;
		switch (btf_kind(lt)) {
		case BTF_KIND_UNKN:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			return 1;
		case BTF_KIND_INT:
			return btf_int_offset(lt) == 0 && btf_int_offset(tt) == 0;
		case BTF_KIND_PTR:
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btf_params(lt), *tp = btf_params(tt);
			int n = btf_vlen(lt);
			if (n != btf_vlen(tt))
				return 0;
			for (int i = 0; i < n; i++) {
				uint32_t l, t;
				if (level <= 0)
					return -EINVAL;
				btf_skip_mods(lb, lp[i].type, &l);
				btf_skip_mods(tb, tp[i].type, &t);
				int ok = types_compat(c, l, t, level - 1);
				if (ok <= 0)
					return ok;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* Names agree up to a flavor suffix; an anonymous target matches only an
 * anonymous local. */
static bool names_match(const struct btf *lb, uint32_t loff, const struct btf *tb, uint32_t toff)
{
	const char *ln = btf_name(lb, loff), *tn = btf_name(tb, toff);
	if (!*tn)
		return !*ln;
	size_t ll = essential_len(ln), tl = essential_len(tn);
	return ll == tl && !strncmp(ln, tn, ll);
}

static int types_match(struct ctx *c, uint32_t lid, uint32_t tid, bool behind_ptr, int level);

static int enums_match(struct ctx *c, const struct btf_type *lt, const struct btf_type *tt)
{
	int ln = btf_vlen(lt), tn = btf_vlen(tt);

	if (lt->size != tt->size || ln > tn)
		return 0;
	for (int i = 0; i < ln; i++) {
		uint32_t loff = btf_is_enum(lt) ? btf_enum(lt)[i].name_off : btf_enum64(lt)[i].name_off;
		bool found = false;
		for (int j = 0; j < tn && !found; j++) {
			if (++c->work > WORK_MAX)
				return -E2BIG;
			uint32_t toff = btf_is_enum(tt) ? btf_enum(tt)[j].name_off
							: btf_enum64(tt)[j].name_off;
			found = names_match(c->local, loff, c->target, toff);
		}
		if (!found)
			return 0;
	}
	return 1;
}

static int composites_match(struct ctx *c, const struct btf_type *lt, const struct btf_type *tt,
			    bool behind_ptr, int level)
{
	const struct btf_member *lm = btf_members(lt);
	int ln = btf_vlen(lt), tn = btf_vlen(tt);

	if (ln > tn)
		return 0;
	for (int i = 0; i < ln; i++, lm++) {
		const struct btf_member *tm = btf_members(tt);
		bool found = false;
		for (int j = 0; j < tn && !found; j++, tm++) {
			if (!names_match(c->local, lm->name_off, c->target, tm->name_off))
				continue;
			int ok = types_match(c, lm->type, tm->type, behind_ptr, level - 1);
			if (ok < 0)
				return ok;
			found = ok > 0;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* TYPE_MATCHES (libbpf's rules): the same kind at every level (a struct
 * or union behind a pointer may match a forward declaration, an enum an
 * enum64), names agree up to flavors, ints of the same size and
 * signedness, arrays of the same length, every local member or enum
 * value present in the target, members behind pointers compared by name
 * and kind only. */
static int types_match(struct ctx *c, uint32_t lid, uint32_t tid, bool behind_ptr, int level)
{
	const struct btf *lb = c->local, *tb = c->target;

	if (level <= 0)
		return -EINVAL;
	for (int depth = 0; depth < DEPTH_MAX; depth++) {
		if (++c->work > WORK_MAX)
			return -E2BIG;
		const struct btf_type *lt = btf_skip_mods(lb, lid, &lid);
		const struct btf_type *tt = btf_skip_mods(tb, tid, &tid);
		if (!lt || !tt)
			return -EINVAL;
		if (!names_match(lb, lt->name_off, tb, tt->name_off))
			return 0;

		unsigned lk = btf_kind(lt), tk = btf_kind(tt);
		switch (lk) {
		case BTF_KIND_UNKN:
			return lk == tk;
		case BTF_KIND_FWD: {
			bool lf = btf_kflag(lt);
			if (lk == tk)
				return lf == btf_kflag(tt);
			/* kflag of a forward declaration: 0 struct, 1 union */
			return behind_ptr && ((tk == BTF_KIND_STRUCT && !lf) ||
					      (tk == BTF_KIND_UNION && lf));
		}
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			return btf_is_any_enum(tt) ? enums_match(c, lt, tt) : 0;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			if (behind_ptr) {
				if (lk == tk)
					return 1;
				return tk == BTF_KIND_FWD &&
				       (lk == BTF_KIND_UNION) == btf_kflag(tt);
			}
			if (lk != tk)
				return 0;
			return composites_match(c, lt, tt, behind_ptr, level);
		case BTF_KIND_INT:
			if (lk != tk)
				return 0;
			return lt->size == tt->size &&
			       (btf_int_encoding(lt) & BTF_INT_SIGNED) ==
				       (btf_int_encoding(tt) & BTF_INT_SIGNED);
		case BTF_KIND_PTR:
			if (lk != tk)
				return 0;
			behind_ptr = true;
			lid = lt->type;
			tid = tt->type;
			continue;
		case BTF_KIND_ARRAY:
			if (lk != tk || btf_array(lt)->nelems != btf_array(tt)->nelems)
				return 0;
			lid = btf_array(lt)->type;
			tid = btf_array(tt)->type;
			continue;
		case BTF_KIND_FUNC_PROTO: {
			const struct btf_param *lp = btf_params(lt), *tp = btf_params(tt);
			int n = btf_vlen(lt);
			if (lk != tk || n != btf_vlen(tt))
				return 0;
			for (int i = 0; i < n; i++) {
				int ok = types_match(c, lp[i].type, tp[i].type, behind_ptr, level - 1);
				if (ok <= 0)
					return ok;
			}
			lid = lt->type;
			tid = tt->type;
			continue;
		}
		default:
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- 4. values ---- */

static int calc_field(struct ctx *c, const struct spec *s, uint64_t *val, uint32_t *field_sz,
		      uint32_t *type_id, bool *validate)
{
	uint32_t kind = c->relo->kind;

	*field_sz = 0;
	if (kind == BPF_CORE_FIELD_EXISTS) {
		*val = s ? 1 : 0;
		return 0;
	}
	if (!s)
		return CALC_POISON;

	const struct accessor *acc = &s->acc[s->len - 1];
	if (!acc->name) {
		/* The last step is an array element (or the root itself). */
		int64_t sz = btf__resolve_size(s->btf, acc->type_id);
		if (sz < 0)
			return -EINVAL;
		if (kind == BPF_CORE_FIELD_BYTE_OFFSET) {
			*val = s->bit_off / 8;
			*field_sz = (uint32_t)sz;
			*type_id = acc->type_id;
		} else if (kind == BPF_CORE_FIELD_BYTE_SIZE) {
			*val = (uint64_t)sz;
		} else {
			return fail(c, -EINVAL, "an array element is not a field: only its offset "
						"and size can be relocated");
		}
		if (validate)
			*validate = true;
		return 0;
	}

	const struct btf_type *t = btf__type_by_id(s->btf, acc->type_id);
	const struct btf_member *m = btf_members(t) + acc->idx;
	uint32_t mt_id;
	const struct btf_type *mt = btf_skip_mods(s->btf, m->type, &mt_id);
	if (!mt)
		return -EINVAL;
	uint64_t bit_off = s->bit_off, byte_off;
	uint32_t bit_sz = btf_member_bitfield_size(t, acc->idx), byte_sz;
	bool bitfield = bit_sz > 0;

	if (bitfield) {
		/* The smallest naturally aligned load (at least the field's
		 * type) that holds all the bits. */
		byte_sz = mt->size;
		if (byte_sz == 0 || byte_sz > 8)
			return fail(c, -EINVAL, "bitfield %s has a type of %u bytes", acc->name,
				    byte_sz);
		byte_off = bit_off / 8 / byte_sz * byte_sz;
		while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
			if (byte_sz >= 8)
				return fail(c, -E2BIG, "bitfield %s cannot be read with one 64-bit load",
					    acc->name);
			byte_sz *= 2;
			byte_off = bit_off / 8 / byte_sz * byte_sz;
		}
	} else {
		int64_t sz = btf__resolve_size(s->btf, mt_id);
		if (sz < 0)
			return -EINVAL;
		byte_sz = (uint32_t)sz;
		byte_off = bit_off / 8;
		bit_sz = byte_sz * 8;
	}
	/* The compiler's view of a bitfield may differ from ours: only its
	 * signedness and right shift are checked. */
	if (validate)
		*validate = !bitfield;

	switch (kind) {
	case BPF_CORE_FIELD_BYTE_OFFSET:
		*val = byte_off;
		if (!bitfield) {
			*field_sz = byte_sz;
			*type_id = mt_id;
		}
		break;
	case BPF_CORE_FIELD_BYTE_SIZE:
		*val = byte_sz;
		break;
	case BPF_CORE_FIELD_SIGNED:
		*val = btf_is_any_enum(mt) ? btf_kflag(mt)
		       : btf_is_int(mt)    ? (btf_int_encoding(mt) & BTF_INT_SIGNED) != 0
					   : 0;
		if (validate)
			*validate = true;
		break;
	case BPF_CORE_FIELD_LSHIFT_U64:
		/* BPF is little-endian here (bpfel objects). */
		*val = 64 - (bit_off + bit_sz - byte_off * 8);
		break;
	case BPF_CORE_FIELD_RSHIFT_U64:
		*val = 64 - bit_sz;
		if (validate)
			*validate = true;
		break;
	}
	return 0;
}

static int calc_type(struct ctx *c, const struct spec *s, uint64_t *val, bool *validate)
{
	if (validate)
		*validate = true;
	if (!s) {
		*val = 0; /* type relocations give 0 for a missing type */
		return 0;
	}
	switch (c->relo->kind) {
	case BPF_CORE_TYPE_ID_TARGET:
		*val = s->root_id;
		if (validate)
			*validate = false; /* linking renumbers types */
		return 0;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		*val = 1;
		return 0;
	case BPF_CORE_TYPE_SIZE: {
		int64_t sz = btf__resolve_size(s->btf, s->root_id);
		if (sz < 0)
			return -EINVAL;
		*val = (uint64_t)sz;
		return 0;
	}
	}
	return -EINVAL;
}

static int calc_enumval(struct ctx *c, const struct spec *s, uint64_t *val)
{
	if (c->relo->kind == BPF_CORE_ENUMVAL_EXISTS) {
		*val = s ? 1 : 0;
		return 0;
	}
	if (!s)
		return CALC_POISON;
	const struct btf_type *t = btf__type_by_id(s->btf, s->acc[0].type_id);
	if (btf_is_enum(t))
		*val = (uint64_t)(int64_t)btf_enum(t)[s->acc[0].idx].val; /* as libbpf: sign-extended */
	else
		*val = btf_enum64_value(btf_enum64(t) + s->acc[0].idx);
	return 0;
}

/* Values from the local spec and a target spec (NULL: no match). */
static int calc(struct ctx *c, const struct spec *ls, const struct spec *ts, struct result *r)
{
	uint32_t kind = c->relo->kind;
	int err;

	memset(r, 0, sizeof(*r));
	r->validate = true;
	if (field_based(kind)) {
		err = calc_field(c, ls, &r->orig_val, &r->orig_sz, &r->orig_type, &r->validate);
		if (!err)
			err = calc_field(c, ts, &r->new_val, &r->new_sz, &r->new_type, NULL);
		if (err == 0 && r->orig_sz != r->new_sz) {
			/* A load or store may change width only for pointers
			 * (as 64-bit values) and unsigned ints (zero-extended). */
			const struct btf_type *ot = btf__type_by_id(ls->btf, r->orig_type);
			const struct btf_type *nt = btf__type_by_id(ts->btf, r->new_type);
			bool ok = ot && nt &&
				  ((btf_is_ptr(ot) && btf_is_ptr(nt)) ||
				   (btf_is_int(ot) && btf_is_int(nt) &&
				    btf_int_encoding(ot) != BTF_INT_SIGNED &&
				    btf_int_encoding(nt) != BTF_INT_SIGNED));
			r->resize_bad = !ok;
		}
	} else if (type_based(kind)) {
		err = calc_type(c, ls, &r->orig_val, &r->validate);
		if (!err)
			err = calc_type(c, ts, &r->new_val, NULL);
	} else {
		err = calc_enumval(c, ls, &r->orig_val);
		if (!err)
			err = calc_enumval(c, ts, &r->new_val);
	}
	if (err == CALC_POISON) {
		r->poison = true;
		err = 0;
	}
	return err;
}

/* ---- patching ---- */

static void poison(struct uebpf_insn *insn)
{
	*insn = (struct uebpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = CORE_POISON_HELPER };
}

static int size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_DW: return 8;
	case BPF_W: return 4;
	case BPF_H: return 2;
	default: return 1;
	}
}

static int size_code(uint32_t bytes)
{
	switch (bytes) {
	case 8: return BPF_DW;
	case 4: return BPF_W;
	case 2: return BPF_H;
	case 1: return BPF_B;
	default: return -1;
	}
}

static bool is_lddw(const struct uebpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

static int patch(struct ctx *c, struct uebpf_insn *insns, size_t insn_cnt, const struct result *r)
{
	uint32_t idx = c->relo->insn_idx;
	struct uebpf_insn *insn = &insns[idx];
	bool wide = is_lddw(insn);

	if (wide && idx + 1 >= insn_cnt)
		return fail(c, -EINVAL, "lddw without its second half");
	if (r->poison) {
		if (wide)
			poison(insn + 1);
		poison(insn);
		return -ESRCH;
	}

	switch (BPF_CLASS(insn->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		if (BPF_SRC(insn->code) != BPF_K)
			return fail(c, -EINVAL, "the instruction (op 0x%02x) has no immediate",
				    insn->code);
		if (r->validate && (uint64_t)(int64_t)insn->imm != r->orig_val)
			return fail(c, -EINVAL,
				    "the instruction holds %d where the program's BTF says %llu",
				    insn->imm, (unsigned long long)r->orig_val);
		insn->imm = (int32_t)r->new_val;
		return 0;
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		if (r->validate && (uint64_t)(int64_t)insn->off != r->orig_val)
			return fail(c, -EINVAL,
				    "the instruction's offset is %d where the program's BTF says %llu",
				    insn->off, (unsigned long long)r->orig_val);
		if (r->new_val > SHRT_MAX)
			return fail(c, -ERANGE, "offset %llu does not fit in an instruction",
				    (unsigned long long)r->new_val);
		if (r->resize_bad) {
			poison(insn);
			return -ESRCH;
		}
		insn->off = (int16_t)r->new_val;
		if (r->new_sz != r->orig_sz) {
			int code = size_code(r->new_sz);
			if (size_bytes(insn->code) != (int)r->orig_sz)
				return fail(c, -EINVAL,
					    "the instruction accesses %d bytes where the field has %u",
					    size_bytes(insn->code), r->orig_sz);
			if (code < 0)
				return fail(c, -EINVAL, "a field of %u bytes cannot be loaded",
					    r->new_sz);
			insn->code = (uint8_t)(BPF_MODE(insn->code) | code | BPF_CLASS(insn->code));
		}
		return 0;
	case BPF_LD: {
		const struct uebpf_insn *hi = insn + 1;
		if (!wide || insn->src_reg || insn->off || hi->code || hi->dst_reg || hi->src_reg ||
		    hi->off)
			return fail(c, -EINVAL, "the instruction (op 0x%02x) is not a plain lddw",
				    insn->code);
		uint64_t imm = (uint32_t)insn->imm | (uint64_t)(uint32_t)hi->imm << 32;
		if (r->validate && imm != r->orig_val)
			return fail(c, -EINVAL,
				    "the instruction holds %llu where the program's BTF says %llu",
				    (unsigned long long)imm, (unsigned long long)r->orig_val);
		insn[0].imm = (int32_t)(uint32_t)r->new_val;
		insn[1].imm = (int32_t)(uint32_t)(r->new_val >> 32);
		return 0;
	}
	default:
		return fail(c, -EINVAL, "instruction op 0x%02x cannot be relocated", insn->code);
	}
}

/* ---- the relocation ---- */

int core_relo_apply(const struct btf *local_btf, const struct btf *target_btf,
		    const struct core_relo *relo, struct uebpf_insn *insns, size_t insn_cnt,
		    char *err, size_t err_size)
{
	struct ctx c = { .relo = relo, .local = local_btf, .target = target_btf,
			 .err = err, .err_size = err_size };
	struct spec local, cand;
	struct result res, cand_res;
	uint64_t first_bit_off = 0;
	uint32_t first_id = 0;
	char buf[128];
	int matched = 0, cands = 0, rc;

	if (err && err_size)
		err[0] = '\0';
	snprintf(c.what, sizeof(c.what), "%s of type [%u] (access \"%s\")",
		 btf_ext_core_kind_name(relo->kind), relo->type_id,
		 relo->access_str ? relo->access_str : "");
	if (!local_btf || !target_btf || !insns)
		return fail(&c, -EINVAL, "no BTF or no instructions");
	if (relo->insn_idx >= insn_cnt)
		return fail(&c, -EINVAL, "instruction out of range (the program has %zu)", insn_cnt);
	if (relo->kind > BPF_CORE_TYPE_MATCHES)
		return fail(&c, -EINVAL, "unknown relocation kind %u", relo->kind);

	const struct btf_type *local_t = btf__type_by_id(local_btf, relo->type_id);
	if (!local_t || relo->type_id == 0)
		return fail(&c, -EINVAL, "type [%u] is not in the program's BTF", relo->type_id);
	const char *local_name = btf_name(local_btf, local_t->name_off);

	rc = parse_spec(&c, local_btf, &local);
	if (rc)
		return rc;
	describe(&c, &local);

	if (relo->kind == BPF_CORE_TYPE_ID_LOCAL) {
		res = (struct result){ .orig_val = relo->type_id, .new_val = relo->type_id };
		return patch(&c, insns, insn_cnt, &res);
	}
	if (!*local_name)
		return fail(&c, -EOPNOTSUPP, "anonymous types cannot be relocated");

	size_t ess = essential_len(local_name);
	uint32_t n = btf__type_cnt(target_btf);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(target_btf, id);
		if (!t || !kinds_compat(t, local_t))
			continue;
		const char *name = btf_name(target_btf, t->name_off);
		if (essential_len(name) != ess || strncmp(name, local_name, ess) || !*name)
			continue;
		cands++;

		c.miss[0] = '\0';
		if (field_based(relo->kind) || enumval_based(relo->kind)) {
			rc = match_spec(&c, &local, id, &cand);
		} else {
			memset(&cand, 0, sizeof(cand));
			cand.btf = target_btf;
			cand.root_id = id;
			rc = relo->kind == BPF_CORE_TYPE_MATCHES
				     ? types_match(&c, relo->type_id, id, false, DEPTH_MAX)
				     : types_compat(&c, relo->type_id, id, DEPTH_MAX);
			if (rc == 0)
				snprintf(c.miss, sizeof(c.miss), "uebpf's %s is not compatible",
					 type_str(target_btf, id, buf, sizeof(buf)));
		}
		if (rc < 0) {
			if (c.err && c.err_size && c.err[0])
				return rc;
			return fail(&c, rc, "cannot compare with uebpf's %s (bad BTF)",
				    type_str(target_btf, id, buf, sizeof(buf)));
		}
		if (rc == 0)
			continue;

		rc = calc(&c, &local, &cand, &cand_res);
		if (rc)
			return c.err && c.err_size && c.err[0]
				       ? rc
				       : fail(&c, rc, "cannot compute the value (bad BTF)");
		if (matched == 0) {
			res = cand_res;
			first_bit_off = cand.bit_off;
			first_id = id;
		} else if (cand.bit_off != first_bit_off || cand_res.poison != res.poison ||
			   cand_res.new_val != res.new_val) {
			return fail(&c, -EINVAL, "ambiguous: %s and %s give different results",
				    type_str(target_btf, first_id, buf, 64),
				    type_str(target_btf, id, buf + 64, 64));
		}
		matched++;
	}

	if (matched == 0) {
		rc = calc(&c, &local, NULL, &res);
		if (rc)
			return c.err && c.err_size && c.err[0]
				       ? rc
				       : fail(&c, rc, "cannot compute the value (bad BTF)");
	}
	rc = patch(&c, insns, insn_cnt, &res);
	if (rc != -ESRCH)
		return rc;
	if (res.resize_bad)
		return fail(&c, -ESRCH,
			    "field %s is %s in uebpf's types and %s in the program: the %u-byte "
			    "access cannot be resized; read pointers, unsigned ints or fields of "
			    "the same type and size",
			    local.acc[local.len - 1].name ? local.acc[local.len - 1].name : "",
			    type_str(target_btf, res.new_type, buf, 64),
			    type_str(local_btf, res.orig_type, buf + 64, 64), res.orig_sz);
	if (cands == 0)
		return fail(&c, -ESRCH,
			    "%s %.*s is not a type uebpf provides (CO-RE resolves against "
			    "program contexts, pt_regs, tracepoint records and packet headers; "
			    "guard its use with bpf_core_type_exists())",
			    kind_word(local_t), (int)ess, local_name);
	return fail(&c, -ESRCH, "%s", c.miss[0] ? c.miss : "no match in uebpf's types");
}
