/* SPDX-License-Identifier: MIT */
/*
 * The oracle of gen_verify.h: uebpf's verifier decides, the checked
 * interpreter runs what it accepts on random contexts, packets and map
 * contents, and any violation is a program the verifier should have
 * refused. Also the minimiser and the reproducers' text form.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "gen_verify.h"
#include "uebpf/engine.h"
#include "uebpf/maps.h"
#include "uebpf/progtypes.h"
#include "verifier/verifier.h"

/* Runs stop here: far beyond anything the verifier's budget of 1M
 * processed instructions lets a program without callbacks run. */
#define RUN_INSN_LIMIT (4u << 20)
/* With may_goto (a budget of 8M per run) or bpf_loop (8M calls). */
#define RUN_INSN_LIMIT_CALLBACKS (256u << 20)
#define PAGE 4096

const char *gv_verdict_name(enum gv_verdict v)
{
	static const char *const names[] = { "rejected", "clean", "fault", "uninit",
					     "leak", "loop", "engine" };
	return names[v];
}

static struct uebpf_vm *get_vm(void)
{
	static struct uebpf_vm *vm;
	if (!vm) {
		vm = uebpf_vm_new();
		FUZZ_CHECK(vm && !uebpf_vm_add_kernel_helpers(vm), "no helper table");
	}
	return vm;
}

struct maps {
	const struct gv_prog *p;
	int fds[GV_MAX_MAPS];
	struct vmap v[GV_MAX_MAPS];
};

static const struct vmap *map_by_fd(void *arg, int fd)
{
	struct maps *m = arg;
	for (size_t i = 0; i < m->p->nmaps; i++)
		if (m->fds[i] == fd)
			return &m->v[i];
	return NULL;
}

static int maps_create(struct maps *m, const struct gv_prog *p)
{
	m->p = p;
	for (size_t i = 0; i < p->nmaps; i++) {
		const struct gv_map *d = &p->maps[i];
		m->fds[i] = uebpf_map_create(d->type, "gv", d->key_size, d->value_size,
					     d->max_entries, NULL);
		if (m->fds[i] < 0) {
			for (size_t j = 0; j < i; j++)
				uebpf_map_close(m->fds[j]);
			return m->fds[i];
		}
		m->v[i] = (struct vmap){ .type = d->type, .key_size = d->key_size,
					 .value_size = d->value_size,
					 .max_entries = d->max_entries, .id = (uint32_t)i + 1,
					 .spin_lock_off = -1, .name = "gv" };
	}
	return 0;
}

static void maps_close(struct maps *m)
{
	for (size_t i = 0; i < m->p->nmaps; i++)
		uebpf_map_close(m->fds[i]);
}

/* Random contents: array values rewritten, hash keys 0..3 present or not. */
static void maps_fill(struct maps *m, uint64_t *rng)
{
	uint8_t val[8 * 128 * 8];
	for (size_t i = 0; i < m->p->nmaps; i++) {
		const struct gv_map *d = &m->p->maps[i];
		if (d->type == BPF_MAP_TYPE_RINGBUF)
			continue;
		size_t vsize = d->type == BPF_MAP_TYPE_PERCPU_ARRAY
				       ? ((d->value_size + 7) & ~7u) * (size_t)uebpf_num_possible_cpus()
				       : d->value_size;
		if (vsize > sizeof(val))
			vsize = sizeof(val);
		for (uint32_t k = 0; k < 4; k++) {
			for (size_t j = 0; j < vsize; j++)
				val[j] = (uint8_t)fuzz_rng_next(rng);
			uint64_t key = k;
			if (d->type == BPF_MAP_TYPE_HASH && fuzz_rng_next(rng) % 3 == 0)
				uebpf_map_delete_elem(m->fds[i], &key);
			else
				uebpf_map_update_elem(m->fds[i], &key, val, 0);
		}
	}
}

/* After a run: every ring buffer record committed or discarded? Consumes
 * them all, so the next run starts empty. */
static bool ringbufs_clean(struct maps *m)
{
	bool clean = true;
	for (size_t i = 0; i < m->p->nmaps; i++) {
		if (m->p->maps[i].type != BPF_MAP_TYPE_RINGBUF)
			continue;
		size_t size;
		uint8_t *base = uebpf_map_mmap(m->fds[i], &size);
		if (!base)
			continue;
		volatile uint64_t *cons = (uint64_t *)base, *prod = (uint64_t *)(base + PAGE);
		uint32_t mask = m->p->maps[i].max_entries - 1;
		while (*cons < *prod) {
			uint32_t hdr;
			memcpy(&hdr, base + 2 * PAGE + (*cons & mask), 4);
			if (hdr & BPF_RINGBUF_BUSY_BIT) {
				clean = false;
				break;
			}
			uint32_t len = hdr & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
			*cons += (BPF_RINGBUF_HDR_SZ + len + 7) & ~7u;
		}
		munmap(base, size);
	}
	return clean;
}

/* One run's input: the context (and packet) of the program's type. */
struct input {
	uint8_t raw[8192];
	struct uebpf_xdp_ctx xdp;
	struct uebpf_skb_ctx skb;
	uint8_t *skb_head;
	struct uebpf_region regions[2];
	size_t nregions;
	void *r1;
	uint8_t *pkt;
	size_t pkt_len;
};

static size_t raw_ctx_size(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_KPROBE: return 168;
	case BPF_PROG_TYPE_TRACEPOINT: return 8192;
	case BPF_PROG_TYPE_RAW_TRACEPOINT: return 96;
	case BPF_PROG_TYPE_PERF_EVENT: return 184;
	default: return 0;
	}
}

static void input_make(struct input *in, enum bpf_prog_type t, uint64_t *rng)
{
	static const size_t lens[] = { 0, 1, 13, 14, 20, 34, 54, 60, 64, 100, 128, 200 };
	in->pkt_len = lens[fuzz_rng_next(rng) % (sizeof(lens) / sizeof(lens[0]))];
	in->skb_head = NULL;
	for (size_t i = 0; i < sizeof(in->raw); i += 8) {
		uint64_t v = fuzz_rng_next(rng);
		/* small numbers too, so bounds checks pass both ways */
		if (v % 3 == 0)
			v %= 80;
		memcpy(in->raw + i, &v, 8);
	}
	size_t raw = raw_ctx_size(t);
	if (raw) {
		in->r1 = in->raw;
		in->regions[0] = (struct uebpf_region){ in->raw, raw, UEBPF_MEM_READ };
		in->nregions = 1;
		in->pkt = NULL;
		in->pkt_len = 0;
		return;
	}
	if (t == BPF_PROG_TYPE_XDP) {
		/* a frame that is the packet exactly (no head or tail room) */
		in->skb_head = malloc(in->pkt_len ? in->pkt_len : 1);
		FUZZ_CHECK(in->skb_head, "out of memory");
		in->pkt = in->skb_head;
		memcpy(in->pkt, in->raw + 512, in->pkt_len);
		memset(&in->xdp, 0, sizeof(in->xdp));
		in->xdp.data = in->xdp.data_meta = in->pkt;
		in->xdp.data_end = in->pkt + in->pkt_len;
		in->xdp.ingress_ifindex = 1;
		in->xdp.buf_start = in->pkt;
		in->xdp.buf_end = in->pkt + in->pkt_len;
		in->r1 = &in->xdp;
		in->regions[0] = (struct uebpf_region){ &in->xdp, sizeof(in->xdp), UEBPF_MEM_RW };
		/* the packet only: a read one byte past data_end must fault */
		in->regions[1] = (struct uebpf_region){ in->pkt, in->pkt_len, UEBPF_MEM_RW };
		in->nregions = 2;
		return;
	}
	/* an skb whose buffer is the packet exactly (no head or tail room),
	 * so that any access past either end faults (and ASan sees it) */
	in->skb_head = malloc(in->pkt_len ? in->pkt_len : 1);
	FUZZ_CHECK(in->skb_head, "out of memory");
	memcpy(in->skb_head, in->raw + 512, in->pkt_len);
	in->pkt = in->skb_head;
	struct uebpf_skb_ctx *s = &in->skb;
	memset(s, 0, sizeof(*s));
	s->head = in->skb_head;
	s->end = in->pkt + in->pkt_len;
	s->mac_header = s->network_header = in->pkt;
	s->data = s->data_meta = in->pkt;
	s->data_end = in->pkt + in->pkt_len;
	s->len = s->wire_len = (uint32_t)in->pkt_len;
	s->protocol = 0x0008;
	s->mark = (uint32_t)fuzz_rng_next(rng);
	in->r1 = s;
	in->regions[0] = (struct uebpf_region){ s, sizeof(*s), UEBPF_MEM_RW };
	in->regions[1] = (struct uebpf_region){ in->pkt, in->pkt_len, UEBPF_MEM_RW };
	in->nregions = 2;
}

static void input_free(struct input *in, enum bpf_prog_type t)
{
	/* helpers may have replaced the skb's buffer */
	if (t == BPF_PROG_TYPE_XDP)
		free(in->skb_head);
	else if (in->skb_head)
		free(in->skb.head);
}

void gv_check(const struct gv_prog *p, uint64_t seed, unsigned runs, struct gv_result *r,
	      char *log, size_t log_size)
{
	memset(r, 0, sizeof(*r));
	struct maps m;
	int err = maps_create(&m, p);
	FUZZ_CHECK(!err, "map creation failed: %d", err);
	struct uebpf_insn *insns = gv_patch_fds(p, m.fds);
	FUZZ_CHECK(insns, "out of memory");
	char small[256];
	if (!log) {
		log = small;
		log_size = sizeof(small);
	}
	log[0] = '\0';
	struct verifier_opts vo = {
		.prog_type = p->type, .expected_attach_type = p->expected_attach_type, .gpl = true,
		.map_by_fd = map_by_fd, .map_arg = &m,
		.log_buf = log, .log_size = log_size, .log_level = log == small ? 0 : 1,
	};
	struct verifier_stats st = { 0 };
	struct uebpf_insn *out = NULL;
	size_t out_cnt = 0;
	r->verify_rc = verify_program(insns, p->cnt, &vo, &out, &out_cnt, &st);
	r->insn_processed = st.insn_processed;
	free(insns);
	if (r->verify_rc) {
		r->verdict = GV_REJECTED;
		const char *last = log, *nl;
		size_t len = strlen(log);
		while (len && log[len - 1] == '\n')
			len--;
		for (nl = log; (nl = memchr(nl, '\n', len - (size_t)(nl - log))); nl++)
			last = nl + 1;
		snprintf(r->why, sizeof(r->why), "%.*s", (int)(len - (size_t)(last - log)), last);
		maps_close(&m);
		return;
	}
	struct uebpf_code *code = NULL;
	char err_buf[200] = "";
	struct uebpf_code_opts co = { .sz = sizeof(co), .err_buf = err_buf,
				      .err_size = sizeof(err_buf), .prog_type = p->type };
	if (uebpf_code_load(get_vm(), out, out_cnt, &co, &code)) {
		r->verdict = GV_ENGINE;
		snprintf(r->why, sizeof(r->why), "the engine refuses it: %s", err_buf);
		free(out);
		maps_close(&m);
		return;
	}
	r->bounded = out_cnt == p->cnt && !gv_has_unbounded_loops(p);
	free(out);
	r->verdict = GV_CLEAN;
	uint64_t rng = seed;
	static struct input in;
	for (unsigned i = 0; i < runs && r->verdict == GV_CLEAN; i++) {
		maps_fill(&m, &rng);
		input_make(&in, p->type, &rng);
		struct uebpf_run_opts ro = {
			.sz = sizeof(ro), .checked = true, .regions = in.regions,
			.region_cnt = in.nregions,
			.insn_limit = r->bounded		  ? r->insn_processed
				      : gv_has_unbounded_loops(p) ? RUN_INSN_LIMIT_CALLBACKS
								  : RUN_INSN_LIMIT,
			.packet = in.pkt, .packet_len = in.pkt_len,
			.err_buf = err_buf, .err_size = sizeof(err_buf),
		};
		uint64_t ret = 0;
		err_buf[0] = '\0';
		int rc = uebpf_code_run(code, (uintptr_t)in.r1, 0, &ro, &ret);
		input_free(&in, p->type);
		r->runs++;
		if (ro.insn_count > r->max_run_insns)
			r->max_run_insns = ro.insn_count;
		if (rc == -ELOOP) {
			r->verdict = GV_LOOP;
		} else if (rc) {
			r->verdict = strstr(err_buf, "uninitialised") ? GV_UNINIT : GV_FAULT;
		} else if (!ringbufs_clean(&m)) {
			r->verdict = GV_LEAK;
			snprintf(err_buf, sizeof(err_buf), "a ring buffer record is still reserved");
		}
		if (r->verdict != GV_CLEAN)
			snprintf(r->why, sizeof(r->why), "run %u (packet %zu bytes): %s", i,
				 in.pkt_len, err_buf);
	}
	uebpf_code_free(code);
	maps_close(&m);
}

/* ---- minimising ---- */

/* Whether instruction i is the second slot of an lddw. */
static bool lddw_tail(const struct gv_prog *p, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (p->insns[k].code == (BPF_LD | BPF_DW | BPF_IMM)) {
			if (k + 1 == i)
				return true;
			k++;
		}
	return false;
}

static bool is_jump_with_off(const struct uebpf_insn *in)
{
	uint8_t cls = in->code & 7;
	if (cls != BPF_JMP && cls != BPF_JMP32)
		return false;
	uint8_t op = in->code & 0xf0;
	return op != BPF_CALL && op != BPF_EXIT;
}

/* Removes instruction i (not an lddw half), fixing relative jumps,
 * local calls and function addresses across it. */
static void remove_insn(struct gv_prog *p, size_t i)
{
	for (size_t k = 0; k < p->cnt; k++) {
		struct uebpf_insn *in = &p->insns[k];
		bool call = in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL;
		bool func = in->code == (BPF_LD | BPF_DW | BPF_IMM) &&
			    in->src_reg == BPF_PSEUDO_FUNC;
		if (!is_jump_with_off(in) && !call && !func)
			continue;
		if (lddw_tail(p, k))
			continue;
		int64_t rel = call || func || in->code == (BPF_JMP32 | BPF_JA) ? in->imm : in->off;
		int64_t target = (int64_t)k + 1 + rel;
		int64_t nk = k > i ? (int64_t)k - 1 : (int64_t)k;
		int64_t nt = target > (int64_t)i ? target - 1 : target;
		int64_t nrel = nt - nk - 1;
		if (call || func || in->code == (BPF_JMP32 | BPF_JA))
			in->imm = (int32_t)nrel;
		else
			in->off = (int16_t)nrel;
	}
	memmove(&p->insns[i], &p->insns[i + 1], (p->cnt - i - 1) * sizeof(p->insns[0]));
	p->cnt--;
}

static bool same(const struct gv_prog *p, uint64_t seed, unsigned runs, enum gv_verdict v)
{
	struct gv_result r;
	gv_check(p, seed, runs, &r, NULL, 0);
	return r.verdict == v;
}

void gv_minimise(struct gv_prog *p, uint64_t seed, unsigned runs, enum gv_verdict v)
{
	bool progress = true;
	while (progress) {
		progress = false;
		for (size_t i = p->cnt; i-- > 0;) {
			if (i >= p->cnt || lddw_tail(p, i))
				continue;
			struct gv_prog save = *p;
			bool wide = p->insns[i].code == (BPF_LD | BPF_DW | BPF_IMM);
			if (wide)
				remove_insn(p, i + 1);
			remove_insn(p, i);
			if (p->cnt && same(p, seed, runs, v)) {
				progress = true;
				continue;
			}
			*p = save;
			/* else a nop in its place (for a jump's own target) */
			if (!wide && p->insns[i].code != (BPF_JMP | BPF_JA) &&
			    !(p->insns[i].code == (BPF_JMP | BPF_JA) && p->insns[i].off == 0)) {
				p->insns[i] = (struct uebpf_insn){ .code = BPF_JMP | BPF_JA };
				if (same(p, seed, runs, v)) {
					progress = true;
					continue;
				}
				*p = save;
			}
		}
	}
	/* maps no instruction refers to any more stay declared: indexes
	 * would otherwise move */
}

/* ---- reproducers ---- */

static const char *map_type_name(uint32_t t)
{
	switch (t) {
	case BPF_MAP_TYPE_ARRAY: return "array";
	case BPF_MAP_TYPE_HASH: return "hash";
	case BPF_MAP_TYPE_PERCPU_ARRAY: return "percpu_array";
	case BPF_MAP_TYPE_RINGBUF: return "ringbuf";
	default: return "?";
	}
}

static uint32_t map_type_by_name(const char *n)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_HASH,
					  BPF_MAP_TYPE_PERCPU_ARRAY, BPF_MAP_TYPE_RINGBUF };
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(map_type_name(types[i]), n))
			return types[i];
	return 0;
}

int gv_write(FILE *f, const struct gv_prog *p, uint64_t seed, const char *why)
{
	struct uebpf_disasm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_CONFORMANCE };
	int valid;
	char *text = fuzz_disasm_text(p->insns, p->cnt, &o, &valid);
	if (!text)
		return -ENOMEM;
	fprintf(f, "; type %s\n", gv_type_name(p->type));
	for (size_t i = 0; i < p->nmaps; i++)
		fprintf(f, "; map %zu %s key %u value %u entries %u\n", i,
			map_type_name(p->maps[i].type), p->maps[i].key_size,
			p->maps[i].value_size, p->maps[i].max_entries);
	fprintf(f, "; seed %llu\n", (unsigned long long)seed);
	if (why)
		fprintf(f, "; found: %s\n", why);
	fputs(text, f);
	free(text);
	return ferror(f) ? -EIO : 0;
}

int gv_read(const char *path, struct gv_prog *p, uint64_t *seed, char *err, size_t err_size)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -errno;
	}
	memset(p, 0, sizeof(*p));
	*seed = 1;
	char line[512];
	char *text = NULL;
	size_t text_len = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[32];
		unsigned idx, k, v, e;
		unsigned long long s;
		if (sscanf(line, "; type %31s", name) == 1) {
			p->type = gv_type_by_name(name);
		} else if (sscanf(line, "; map %u %31s key %u value %u entries %u", &idx, name, &k,
				  &v, &e) == 5 && idx < GV_MAX_MAPS) {
			p->maps[idx] = (struct gv_map){ map_type_by_name(name), k, v, e };
			if (idx >= p->nmaps)
				p->nmaps = idx + 1;
		} else if (sscanf(line, "; seed %llu", &s) == 1) {
			*seed = s;
		}
		size_t n = strlen(line);
		char *t = realloc(text, text_len + n + 1);
		if (!t) {
			free(text);
			fclose(f);
			return -ENOMEM;
		}
		text = t;
		memcpy(text + text_len, line, n + 1);
		text_len += n;
	}
	fclose(f);
	if (!p->type) {
		free(text);
		snprintf(err, err_size, "%s: no `; type` line", path);
		return -EINVAL;
	}
	struct uebpf_insn *insns = NULL;
	size_t cnt = 0;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .syntax = UEBPF_SYNTAX_CONFORMANCE,
				     .err_buf = err, .err_size = err_size };
	int rc = uebpf_asm(text ? text : "", &insns, &cnt, &ao);
	free(text);
	if (rc)
		return rc;
	if (cnt > GV_MAX_INSNS) {
		free(insns);
		snprintf(err, err_size, "%s: more than %d instructions", path, GV_MAX_INSNS);
		return -E2BIG;
	}
	memcpy(p->insns, insns, cnt * sizeof(*insns));
	p->cnt = cnt;
	free(insns);
	return 0;
}
