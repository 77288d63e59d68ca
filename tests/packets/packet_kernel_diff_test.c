/* SPDX-License-Identifier: MIT */
/*
 * The packet differential suite: every program of the objects in
 * tests/packets/progs, run on the same seeded packet corpus by the
 * kernel (BPF_PROG_TEST_RUN through libbpf) and by uebpf
 * (uebpf_prog_test_run), must give the same results.
 *
 * Each program is loaded on its own on both sides (a fresh copy of its
 * object, only it and the object's tail-call targets loaded), its maps
 * get the same contents (rules, program array slots), then every packet
 * runs in order, map state carrying over from packet to packet. Each run
 * compares the test run's result (0 or errno), retval, data_size_out,
 * the packet out, the context out (struct __sk_buff for skb programs,
 * struct xdp_md for XDP when one was given) and the ring buffer records
 * the run produced. After the last packet, every map's contents (every
 * key; per-CPU maps: every CPU's value) must be the same.
 *
 * Checks: one per program for the load, one per program and packet, one
 * per program for the final map contents.
 *
 *   packet_kernel_diff_test [options] [OBJECT[:PROGRAM]]...
 *     --dir DIR       where the compiled objects are
 *     --list FILE     the objects to run, one a line (default: the arguments)
 *     --packets N     corpus size (default 2000)
 *     --seed S        corpus seed
 *     --details N     mismatches shown in full per program (default 4)
 *     --kernel-only / --uebpf-only   run one side and show its results
 *     -v              print every run
 *
 * Skips (exit 77) where bpf() is refused.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktgen.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/uebpf.h"

#define DEFAULT_PACKETS 2000
#define DEFAULT_SEED 0x9e7c0ffee5eedull
#define OUT_CAP (PKTGEN_MAX_LEN + 4096u)

/*
 * Known differences, each with its reason: uebpf's bugs found by this
 * suite and not fixed yet. A program is named OBJECT:PROGRAM (one build)
 * or PROGRAM (every build). Its mismatches are still printed, but counted
 * apart ("known"), not as failures; a program listed here that matches is
 * reported so that the entry gets removed.
 */
static const struct {
	const char *prog;
	const char *reason;
} known_differences[] = {
	/* none open: the last ones (GSO state in bpf_skb_change_tail and
	 * bpf_skb_adjust_room, VLAN tags for bpf_skb_ecn_set_ce in cgroup_skb)
	 * are fixed. An entry: { "PROGRAM" or "OBJECT:PROGRAM", "reason" }. */
	{ NULL, NULL },
};

enum side_mode { BOTH, KERNEL_ONLY, UEBPF_ONLY };

static struct {
	const char *dir;
	enum side_mode mode;
	int verbose;
	unsigned details; /* mismatches printed in full per program */
	size_t packets;
	uint64_t seed;
} cfg = { .dir = ".", .details = 4, .packets = DEFAULT_PACKETS, .seed = DEFAULT_SEED };

static struct pkt_corpus corpus;
static unsigned long checks_passed, checks_failed, checks_known, checks_not_run;
static unsigned long progs_run, runs_done;

/* ---- records of ring buffers ---- */

struct records {
	uint8_t *buf;
	size_t len, cap;
	unsigned count;
};

static int record_add(void *ctx, void *data, size_t size)
{
	struct records *r = ctx;
	size_t need = r->len + sizeof(uint32_t) + size;
	if (need > r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4096;
		while (cap < need)
			cap *= 2;
		uint8_t *nb = realloc(r->buf, cap);
		if (!nb)
			return -ENOMEM;
		r->buf = nb;
		r->cap = cap;
	}
	uint32_t sz = (uint32_t)size;
	memcpy(r->buf + r->len, &sz, sizeof(sz));
	if (size)
		memcpy(r->buf + r->len + sizeof(sz), data, size);
	r->len = need;
	r->count++;
	return 0;
}

static int kernel_record(void *ctx, void *data, size_t size)
{
	return record_add(ctx, data, size);
}

/* ---- one side's view of a program ---- */

struct side {
	const char *name; /* "kernel" or "uebpf" */
	struct bpf_object *kobj;
	struct uebpf_object *uobj;
	int prog_fd;
	struct ring_buffer *krb;
	struct uebpf_ringbuf *urb;
	struct records rec;
	char err[2048];
};

/* One run's results. */
struct result {
	int rc;
	uint32_t retval;
	uint32_t size_out;
	uint32_t ctx_size_out;
	uint8_t *data;
	union {
		struct __sk_buff skb;
		struct xdp_md xdp;
	} ctx;
};

static char libbpf_log[65536];
static size_t libbpf_log_len;

/* The end of libbpf's messages (where the verifier says why). */
static const char *log_tail(void)
{
	return libbpf_log_len > 1800 ? libbpf_log + libbpf_log_len - 1800 : libbpf_log;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list ap2;
	char *msg;

	if (level == LIBBPF_DEBUG)
		return 0;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0 || !(msg = malloc((size_t)n + 1)))
		return 0;
	vsnprintf(msg, (size_t)n + 1, fmt, ap);
	/* Keep the end of everything (where the verifier says why). */
	size_t len = (size_t)n, room = sizeof(libbpf_log) - 1;
	const char *from = msg;
	if (len > room) {
		from += len - room;
		len = room;
	}
	if (libbpf_log_len + len > room) {
		size_t drop = libbpf_log_len + len - room;
		memmove(libbpf_log, libbpf_log + drop, libbpf_log_len - drop);
		libbpf_log_len -= drop;
	}
	memcpy(libbpf_log + libbpf_log_len, from, len);
	libbpf_log_len += len;
	libbpf_log[libbpf_log_len] = '\0';
	free(msg);
	return 0;
}

/* Programs named tailN_... fill slot N of the object's program arrays. */
static int tail_slot(const char *name)
{
	if (strncmp(name, "tail", 4) || !isdigit((unsigned char)name[4]))
		return -1;
	return atoi(name + 4);
}

static bool is_skb_type(enum bpf_prog_type t)
{
	return t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
	       t == BPF_PROG_TYPE_SOCKET_FILTER || t == BPF_PROG_TYPE_CGROUP_SKB;
}

/* ---- map contents installed before the runs, by map name ---- */

struct map_pair {
	const char *name;
	enum bpf_map_type type;
	uint32_t key_size, value_size, max_entries;
	int kfd, ufd;
};

static int pair_update(struct map_pair *m, const void *key, const void *value)
{
	int kr = 0, ur = 0;
	if (m->kfd >= 0)
		kr = bpf_map_update_elem(m->kfd, key, value, BPF_ANY) ? -errno : 0;
	if (m->ufd >= 0)
		ur = uebpf_map_update_elem(m->ufd, key, value, BPF_ANY);
	if (kr || ur) {
		printf("FAIL setup of map %s: kernel %d, uebpf %d\n", m->name, kr, ur);
		return -1;
	}
	return 0;
}

struct lpm4 {
	uint32_t prefixlen;
	uint8_t addr[4];
};
struct lpm6 {
	uint32_t prefixlen;
	uint8_t addr[16];
};

/* The rules the firewall and NAT programs read (same layouts in progs/common.h). */
static int install_rules(struct map_pair *m)
{
	if (!strcmp(m->name, "fw4_lpm") && m->key_size == sizeof(struct lpm4)) {
		static const struct { uint32_t plen; uint8_t a[4]; uint32_t action; } r[] = {
			{ 8, { 10, 0, 0, 0 }, 1 },        { 16, { 10, 1, 0, 0 }, 2 },
			{ 24, { 10, 1, 7, 0 }, 3 },       { 24, { 192, 168, 1, 0 }, 4 },
			{ 32, { 8, 8, 8, 8 }, 5 },        { 12, { 172, 16, 0, 0 }, 6 },
			{ 0, { 0, 0, 0, 0 }, 7 },         { 28, { 192, 168, 1, 64 }, 8 },
			{ 32, { 127, 0, 0, 1 }, 9 },      { 4, { 224, 0, 0, 0 }, 10 },
		};
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			struct lpm4 k = { .prefixlen = r[i].plen };
			memcpy(k.addr, r[i].a, 4);
			if (pair_update(m, &k, &r[i].action))
				return -1;
		}
	} else if (!strcmp(m->name, "fw6_lpm") && m->key_size == sizeof(struct lpm6)) {
		static const struct { uint32_t plen; uint8_t a[16]; uint32_t action; } r[] = {
			{ 32, { 0x20, 0x01, 0x0d, 0xb8 }, 1 },
			{ 48, { 0x20, 0x01, 0x0d, 0xb8, 0, 1 }, 2 },
			{ 64, { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3 }, 3 },
			{ 10, { 0xfe, 0x80 }, 4 },
			{ 128, { [15] = 1 }, 5 },
			{ 3, { 0x20 }, 6 },
		};
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
			struct lpm6 k = { .prefixlen = r[i].plen };
			memcpy(k.addr, r[i].a, 16);
			if (pair_update(m, &k, &r[i].action))
				return -1;
		}
	} else if (!strcmp(m->name, "fw_ports") && m->key_size == 4 && m->value_size == 4) {
		/* key: proto << 16 | port (host order); value: verdict */
		static const uint32_t r[][2] = { { 6 << 16 | 22, 1 },   { 6 << 16 | 80, 2 },
						 { 6 << 16 | 443, 2 },  { 17 << 16 | 53, 3 },
						 { 17 << 16 | 123, 1 }, { 6 << 16 | 3306, 1 },
						 { 17 << 16 | 4789, 4 } };
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
			if (pair_update(m, &r[i][0], &r[i][1]))
				return -1;
	} else if (!strcmp(m->name, "nat4") && m->key_size == 8 && m->value_size == 8) {
		/* key: { addr (network order), port (network order), proto, pad };
		 * value: { new addr, new port, pad } */
		for (uint32_t i = 0; i < 256; i++) {
			uint8_t k[8] = { 10, 0, 0, (uint8_t)(i / 4), 0, 0, 0, 0 },
				v[8] = { 198, 51, 100, (uint8_t)(i / 4 + 1) };
			static const uint16_t ports[] = { 80, 443, 53, 22 };
			uint16_t p = ports[i % 4];
			k[4] = (uint8_t)(p >> 8);
			k[5] = (uint8_t)p;
			k[6] = p == 53 ? 17 : 6;
			v[4] = (uint8_t)((p + 1000) >> 8);
			v[5] = (uint8_t)(p + 1000);
			if (pair_update(m, k, v))
				return -1;
		}
	} else if (!strcmp(m->name, "vlan_policy") && m->key_size == 4 && m->value_size == 4) {
		static const uint32_t r[][2] = { { 1, 0 }, { 10, 1 }, { 100, 2 }, { 4094, 3 }, { 42, 1 } };
		for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++)
			if (pair_update(m, &r[i][0], &r[i][1]))
				return -1;
	} else if (!strcmp(m->name, "mac_allow") && m->key_size == 8 && m->value_size == 4) {
		static const uint8_t macs[][8] = { { 0x02, 0, 0, 0, 0, 1 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
		for (uint32_t i = 0; i < 2; i++)
			if (pair_update(m, macs[i], &i))
				return -1;
	}
	return 0;
}

/* ---- loading ---- */

static bool keep_loaded(const char *name, const char *target)
{
	return !strcmp(name, target) || tail_slot(name) >= 0;
}

static int load_kernel(struct side *s, const char *path, const char *prog_name,
		       enum bpf_prog_type *type)
{
	struct bpf_program *p, *target = NULL;

	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
	s->kobj = bpf_object__open_file(path, NULL);
	if (!s->kobj) {
		snprintf(s->err, sizeof(s->err), "libbpf open: %s\n...%.1900s", strerror(errno), log_tail());
		return -1;
	}
	bpf_object__for_each_program(p, s->kobj) {
		bpf_program__set_autoload(p, keep_loaded(bpf_program__name(p), prog_name));
		if (!strcmp(bpf_program__name(p), prog_name))
			target = p;
	}
	if (!target) {
		snprintf(s->err, sizeof(s->err), "no program %s", prog_name);
		return -1;
	}
	if (bpf_object__load(s->kobj)) {
		snprintf(s->err, sizeof(s->err), "kernel load: %s\n...%.1900s", strerror(errno), log_tail());
		return -1;
	}
	s->prog_fd = bpf_program__fd(target);
	*type = bpf_program__type(target);
	return 0;
}

static int load_uebpf(struct side *s, const char *path, const char *prog_name,
		      enum bpf_prog_type *type)
{
	struct uebpf_object_open_opts oo = { .sz = sizeof(oo), .err_buf = s->err,
					     .err_size = sizeof(s->err) };
	struct uebpf_program *p, *target = NULL;

	s->uobj = uebpf_object_open_file(path, &oo);
	if (!s->uobj)
		return -1;
	uebpf_object_for_each_program(p, s->uobj) {
		uebpf_program_set_autoload(p, keep_loaded(uebpf_program_name(p), prog_name));
		if (!strcmp(uebpf_program_name(p), prog_name))
			target = p;
	}
	if (!target) {
		snprintf(s->err, sizeof(s->err), "no program %s", prog_name);
		return -1;
	}
	if (uebpf_object_load(s->uobj))
		return -1;
	s->prog_fd = uebpf_program_fd(target);
	*type = uebpf_program_type(target);
	return 0;
}

/* Pairs the maps of both sides by name (one side may be absent: fd -1). */
static size_t pair_maps(struct side *k, struct side *u, struct map_pair *pairs, size_t max)
{
	size_t n = 0;
	if (k->kobj) {
		struct bpf_map *m;
		bpf_object__for_each_map(m, k->kobj) {
			if (n == max)
				break;
			struct map_pair *mp = &pairs[n++];
			mp->name = bpf_map__name(m);
			mp->type = bpf_map__type(m);
			mp->key_size = bpf_map__key_size(m);
			mp->value_size = bpf_map__value_size(m);
			mp->max_entries = bpf_map__max_entries(m);
			mp->kfd = bpf_map__fd(m);
			mp->ufd = -1;
			if (u->uobj) {
				struct uebpf_map *um = uebpf_object_find_map(u->uobj, mp->name);
				mp->ufd = um ? uebpf_map_fd(um) : -1;
			}
		}
	} else if (u->uobj) {
		struct uebpf_map *m;
		uebpf_object_for_each_map(m, u->uobj) {
			if (n == max)
				break;
			struct map_pair *mp = &pairs[n++];
			mp->name = uebpf_map_name(m);
			mp->type = uebpf_map_type(m);
			mp->key_size = uebpf_map_key_size(m);
			mp->value_size = uebpf_map_value_size(m);
			mp->max_entries = uebpf_map_max_entries(m);
			mp->kfd = -1;
			mp->ufd = uebpf_map_fd(m);
		}
	}
	return n;
}

static int install_prog_arrays(struct side *k, struct side *u, struct map_pair *m)
{
	if (m->type != BPF_MAP_TYPE_PROG_ARRAY)
		return 0;
	if (k->kobj) {
		struct bpf_program *p;
		bpf_object__for_each_program(p, k->kobj) {
			int slot = tail_slot(bpf_program__name(p)), fd = bpf_program__fd(p);
			if (slot >= 0 && fd >= 0 && (uint32_t)slot < m->max_entries &&
			    bpf_map_update_elem(m->kfd, &slot, &fd, BPF_ANY)) {
				printf("FAIL kernel program array %s slot %d: %s\n", m->name, slot,
				       strerror(errno));
				return -1;
			}
		}
	}
	if (u->uobj) {
		struct uebpf_program *p;
		uebpf_object_for_each_program(p, u->uobj) {
			int slot = tail_slot(uebpf_program_name(p)), fd = uebpf_program_fd(p);
			int rc;
			if (slot >= 0 && fd >= 0 && (uint32_t)slot < m->max_entries &&
			    (rc = uebpf_map_update_elem(m->ufd, &slot, &fd, BPF_ANY))) {
				printf("FAIL uebpf program array %s slot %d: %s\n", m->name, slot,
				       strerror(-rc));
				return -1;
			}
		}
	}
	return 0;
}

static int setup_ringbufs(struct side *k, struct side *u, struct map_pair *pairs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (pairs[i].type != BPF_MAP_TYPE_RINGBUF)
			continue;
		if (pairs[i].kfd >= 0) {
			if (!k->krb)
				k->krb = ring_buffer__new(pairs[i].kfd, kernel_record, &k->rec, NULL);
			else if (ring_buffer__add(k->krb, pairs[i].kfd, kernel_record, &k->rec))
				return -1;
			if (!k->krb)
				return -1;
		}
		if (pairs[i].ufd >= 0) {
			if (!u->urb)
				u->urb = uebpf_ringbuf_new(pairs[i].ufd, record_add, &u->rec);
			else if (uebpf_ringbuf_add(u->urb, pairs[i].ufd, record_add, &u->rec))
				return -1;
			if (!u->urb)
				return -1;
		}
	}
	return 0;
}

static void side_close(struct side *s)
{
	if (s->krb)
		ring_buffer__free(s->krb);
	if (s->urb)
		uebpf_ringbuf_free(s->urb);
	if (s->kobj)
		bpf_object__close(s->kobj);
	if (s->uobj)
		uebpf_object_close(s->uobj);
	free(s->rec.buf);
	memset(s, 0, sizeof(*s));
}

/* ---- runs ---- */

/* The input of one run: the packet, its context, the room for output. */
struct run_in {
	const struct pkt *pkt;
	bool has_ctx;
	uint32_t ctx_size;
	union {
		struct __sk_buff skb;
		struct xdp_md xdp;
	} ctx;
	uint32_t out_cap;
};

/* The context of one run, from the packet's seed: mostly the fields a
 * program may read set to ordinary values, sometimes the attributes the
 * kernel checks (ifindex, wire_len, gso, fields that must stay zero,
 * XDP's metadata and queue fields, a context shorter than the struct). */
static void make_input(struct run_in *in, const struct pkt *p, enum bpf_prog_type type)
{
	uint64_t st = p->seed ^ 0x5eedc7c7ull;
	uint64_t r = pktgen_next(&st), odd = pktgen_next(&st);

	memset(in, 0, sizeof(*in));
	in->pkt = p;
	in->out_cap = (r & 15) == 0 ? p->len / 2 : OUT_CAP;
	r >>= 4;
	if (is_skb_type(type)) {
		struct __sk_buff *c = &in->ctx.skb;
		in->has_ctx = true;
		in->ctx_size = sizeof(*c);
		if (r & 1) {
			c->mark = (uint32_t)pktgen_next(&st) & 0xffff;
			c->priority = (uint32_t)(r >> 8) & 7;
		}
		if (r & 2)
			for (int i = 0; i < 5; i++)
				c->cb[i] = (uint32_t)pktgen_next(&st);
		if ((r & 12) == 12)
			c->ingress_ifindex = 1 + (uint32_t)(r >> 16) % 8;
		switch (odd % 100) {
		case 0: c->ifindex = 1; break;
		case 1: c->ifindex = 1000000; break;            /* no such device */
		case 2: c->wire_len = p->len + 100; break;
		case 3: c->wire_len = 1; break;                  /* shorter than the packet */
		case 4: c->gso_segs = 3; c->gso_size = 1400; break;
		case 5: c->gso_segs = 70000; break;              /* over GSO_MAX_SEGS */
		case 6: c->tstamp = 123456789; c->hwtstamp = 987654321; break;
		case 7: c->tc_index = 5; break;                  /* must be zero */
		case 8: in->ctx_size = offsetof(struct __sk_buff, cb); break;
		default: break;
		}
	} else if (type == BPF_PROG_TYPE_XDP) {
		struct xdp_md *x = &in->ctx.xdp;
		uint32_t k = (uint32_t)(r % 3);
		if (k) {
			static const uint32_t metas[] = { 4, 8, 16, 32, 12, 20 };
			in->has_ctx = true;
			in->ctx_size = sizeof(*x);
			x->data = k == 1 ? 0 : metas[(r >> 4) % 6];
			x->data_end = p->len;
			switch (odd % 80) {
			case 0: x->egress_ifindex = 1; break;             /* refused */
			case 1: x->ingress_ifindex = 1; break;
			case 2: x->rx_queue_index = 1; break;             /* without a device */
			case 3: x->data_meta = 4; break;                  /* must be zero */
			case 4: x->data = 6; break;                       /* not a multiple of 4 */
			case 5: x->data_end = p->len > 200 ? p->len - 100 : p->len; break;
			case 6: x->data = x->data_end + 4; break;
			case 7: x->data_end = p->len + 1; break;
			case 8: x->data = 216; break; /* metadata near the headroom's limits */
			case 9: x->data = 220; break;
			case 10: x->data = 252; break;
			case 11: x->data = 256; break;
			default: break;
			}
		}
	}
}

static void run_kernel(struct side *s, const struct run_in *in, struct result *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in->pkt->data, .data_size_in = in->pkt->len,
		    .data_out = res->data, .data_size_out = in->out_cap, .repeat = 1);
	memset(&res->ctx, 0, sizeof(res->ctx));
	if (in->has_ctx) {
		o.ctx_in = &in->ctx;
		o.ctx_size_in = in->ctx_size;
		o.ctx_out = &res->ctx;
		o.ctx_size_out = in->ctx_size;
	}
	res->rc = bpf_prog_test_run_opts(s->prog_fd, &o) ? -errno : 0;
	res->retval = o.retval;
	res->size_out = o.data_size_out;
	res->ctx_size_out = o.ctx_size_out;
	s->rec.len = 0;
	s->rec.count = 0;
	if (s->krb)
		ring_buffer__consume(s->krb);
}

static void run_uebpf(struct side *s, const struct run_in *in, struct result *res)
{
	memset(&res->ctx, 0, sizeof(res->ctx));
	struct uebpf_test_run_opts o = { .sz = sizeof(o), .data_in = in->pkt->data,
					 .data_size_in = in->pkt->len, .data_out = res->data,
					 .data_size_out = in->out_cap, .repeat = 1,
					 .err_buf = s->err, .err_size = sizeof(s->err) };
	if (in->has_ctx) {
		o.ctx_in = &in->ctx;
		o.ctx_size_in = in->ctx_size;
		o.ctx_out = &res->ctx;
		o.ctx_size_out = in->ctx_size;
	}
	s->err[0] = '\0';
	res->rc = uebpf_prog_test_run(s->prog_fd, &o);
	res->retval = o.retval;
	res->size_out = o.data_size_out;
	res->ctx_size_out = o.ctx_size_out;
	s->rec.len = 0;
	s->rec.count = 0;
	if (s->urb)
		uebpf_ringbuf_consume(s->urb);
}

static void print_hex(const uint8_t *b, uint32_t len, uint32_t limit)
{
	for (uint32_t i = 0; i < len && i < limit; i++)
		printf("%s%02x", i % 32 ? " " : "\n    ", b[i]);
	if (len > limit)
		printf(" ... (%u more)", len - limit);
	printf("\n");
}

static const char *skb_field_name(size_t off)
{
	static const struct { size_t off, size; const char *name; } f[] = {
#define F(x) { offsetof(struct __sk_buff, x), sizeof(((struct __sk_buff *)0)->x), #x }
		F(len), F(pkt_type), F(mark), F(queue_mapping), F(protocol), F(vlan_present),
		F(vlan_tci), F(vlan_proto), F(priority), F(ingress_ifindex), F(ifindex),
		F(tc_index), F(cb), F(hash), F(tc_classid), F(data), F(data_end), F(napi_id),
		F(family), F(remote_ip4), F(local_ip4), F(remote_ip6), F(local_ip6),
		F(remote_port), F(local_port), F(data_meta), F(tstamp), F(wire_len),
		F(gso_segs), F(gso_size), F(tstamp_type), F(hwtstamp),
#undef F
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (off >= f[i].off && off < f[i].off + f[i].size)
			return f[i].name;
	return "?";
}

/* The first difference between two runs, described in msg; 0 when none. */
static int diff_results(const struct run_in *in, const struct result *k, const struct result *u,
			const struct side *ks, const struct side *us, enum bpf_prog_type type,
			char *msg, size_t size)
{
	if (k->rc != u->rc) {
		snprintf(msg, size, "test run result: kernel %d (%s), uebpf %d (%s)%s%.800s", k->rc,
			 strerror(-k->rc), u->rc, strerror(-u->rc), us->err[0] ? ": " : "", us->err);
		return 1;
	}
	if (k->rc && k->rc != -ENOSPC)
		return 0; /* refused alike: nothing else is defined */
	if (k->retval != u->retval) {
		snprintf(msg, size, "retval: kernel %u (0x%x), uebpf %u (0x%x)", k->retval, k->retval,
			 u->retval, u->retval);
		return 1;
	}
	if (k->size_out != u->size_out) {
		snprintf(msg, size, "data_size_out: kernel %u, uebpf %u", k->size_out, u->size_out);
		return 1;
	}
	uint32_t n = k->size_out < in->out_cap ? k->size_out : in->out_cap;
	for (uint32_t i = 0; i < n; i++)
		if (k->data[i] != u->data[i]) {
			snprintf(msg, size, "data_out byte %u: kernel 0x%02x, uebpf 0x%02x", i,
				 k->data[i], u->data[i]);
			return 1;
		}
	if (in->has_ctx) {
		if (k->ctx_size_out != u->ctx_size_out) {
			snprintf(msg, size, "ctx_size_out: kernel %u, uebpf %u", k->ctx_size_out,
				 u->ctx_size_out);
			return 1;
		}
		const uint8_t *kc = (const uint8_t *)&k->ctx, *uc = (const uint8_t *)&u->ctx;
		for (uint32_t i = 0; i < in->ctx_size; i++)
			if (kc[i] != uc[i]) {
				uint32_t kv, uv;
				size_t at = i & ~3u;
				memcpy(&kv, kc + at, 4);
				memcpy(&uv, uc + at, 4);
				snprintf(msg, size, "ctx_out offset %zu (%s): kernel 0x%x, uebpf 0x%x", at,
					 type == BPF_PROG_TYPE_XDP ? (at == 0 ? "data" : at == 4 ? "data_end" : "?")
								   : skb_field_name(at),
					 kv, uv);
				return 1;
			}
	}
	if (ks->rec.count != us->rec.count || ks->rec.len != us->rec.len ||
	    (ks->rec.len && memcmp(ks->rec.buf, us->rec.buf, ks->rec.len))) {
		size_t i = 0;
		while (i < ks->rec.len && i < us->rec.len && ks->rec.buf[i] == us->rec.buf[i])
			i++;
		snprintf(msg, size,
			 "ring buffer records: kernel %u (%zu bytes), uebpf %u (%zu bytes), first "
			 "difference at byte %zu of the stream (size-prefixed records)",
			 ks->rec.count, ks->rec.len, us->rec.count, us->rec.len, i);
		return 1;
	}
	return 0;
}

/* ---- final map contents ---- */

struct dump {
	uint8_t *keys, *values;
	size_t n;
	uint32_t ks, vs;
};

static int key_cmp_size;
static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)key_cmp_size);
}

static bool dumpable(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_PERCPU_ARRAY: case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH: case BPF_MAP_TYPE_LPM_TRIE:
		return true;
	default:
		return false;
	}
}

static bool percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Every key (sorted) and its value. */
static int dump_map(const struct map_pair *m, bool kernel, struct dump *d)
{
	int fd = kernel ? m->kfd : m->ufd;
	int ncpu = kernel ? libbpf_num_possible_cpus() : uebpf_num_possible_cpus();
	uint8_t key[256], next[256];
	size_t cap = 64;

	d->ks = m->key_size;
	d->vs = percpu(m->type) ? ((m->value_size + 7) & ~7u) * (uint32_t)ncpu : m->value_size;
	d->n = 0;
	d->keys = malloc(cap * d->ks);
	d->values = NULL;
	if (!d->keys || m->key_size > sizeof(key))
		return -ENOMEM;
	const void *prev = NULL;
	for (;;) {
		int rc = kernel ? (bpf_map_get_next_key(fd, prev, next) ? -errno : 0)
				: uebpf_map_get_next_key(fd, prev, next);
		if (rc == -ENOENT)
			break;
		if (rc)
			return rc;
		if (d->n == cap) {
			cap *= 2;
			uint8_t *nk = realloc(d->keys, cap * d->ks);
			if (!nk)
				return -ENOMEM;
			d->keys = nk;
		}
		memcpy(d->keys + d->n * d->ks, next, d->ks);
		d->n++;
		memcpy(key, next, d->ks);
		prev = key;
		if (d->n > 1000000)
			return -E2BIG;
	}
	key_cmp_size = (int)d->ks;
	qsort(d->keys, d->n, d->ks, key_cmp);
	d->values = calloc(d->n ? d->n : 1, d->vs);
	if (!d->values)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++) {
		const void *k = d->keys + i * d->ks;
		void *v = d->values + i * d->vs;
		int rc = kernel ? (bpf_map_lookup_elem(fd, k, v) ? -errno : 0)
				: uebpf_map_lookup_elem(fd, k, v);
		if (rc)
			return rc;
	}
	return 0;
}

static void print_key(const uint8_t *k, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < 32; i++)
		printf("%02x", k[i]);
}

/* 0 when every map matches; else describes the first difference. */
static int compare_maps(struct map_pair *pairs, size_t n, char *msg, size_t size)
{
	for (size_t i = 0; i < n; i++) {
		struct map_pair *m = &pairs[i];
		struct dump kd = { 0 }, ud = { 0 };
		int bad = 0;

		if (!dumpable(m->type) || m->kfd < 0 || m->ufd < 0)
			continue;
		int kr = dump_map(m, true, &kd), ur = dump_map(m, false, &ud);
		if (kr || ur) {
			snprintf(msg, size, "map %s: reading it: kernel %d, uebpf %d", m->name, kr, ur);
			bad = 1;
		} else if (kd.n != ud.n || memcmp(kd.keys, ud.keys, kd.n * kd.ks)) {
			size_t j = 0;
			while (j < kd.n && j < ud.n && !memcmp(kd.keys + j * kd.ks, ud.keys + j * kd.ks, kd.ks))
				j++;
			snprintf(msg, size, "map %s: keys: kernel has %zu, uebpf %zu; the first sorted "
				 "key that differs is #%zu (printed above)", m->name, kd.n, ud.n, j);
			if (j < kd.n) {
				printf("  kernel key %zu: ", j);
				print_key(kd.keys + j * kd.ks, kd.ks);
				printf("\n");
			}
			if (j < ud.n) {
				printf("  uebpf key %zu: ", j);
				print_key(ud.keys + j * ud.ks, ud.ks);
				printf("\n");
			}
			bad = 1;
		} else {
			for (size_t j = 0; j < kd.n && !bad; j++) {
				const uint8_t *kv = kd.values + j * kd.vs, *uv = ud.values + j * kd.vs;
				for (uint32_t b = 0; b < kd.vs; b++)
					if (kv[b] != uv[b]) {
						uint32_t stride = percpu(m->type) ? (m->value_size + 7) & ~7u : kd.vs;
						snprintf(msg, size,
							 "map %s: value of key #%zu, cpu %u, byte %u: kernel 0x%02x, uebpf 0x%02x",
							 m->name, j, b / stride, b % stride, kv[b], uv[b]);
						printf("  key: ");
						print_key(kd.keys + j * kd.ks, kd.ks);
						printf("\n");
						bad = 1;
						break;
					}
			}
		}
		free(kd.keys);
		free(kd.values);
		free(ud.keys);
		free(ud.values);
		if (bad)
			return 1;
	}
	return 0;
}

/* ---- one program ---- */

static const char *known_reason(const char *obj, const char *prog)
{
	char full[512];
	snprintf(full, sizeof(full), "%s:%s", obj, prog);
	for (size_t i = 0; known_differences[i].prog; i++)
		if (!strcmp(known_differences[i].prog, prog) || !strcmp(known_differences[i].prog, full))
			return known_differences[i].reason;
	return NULL;
}

static const char *type_name(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP: return "xdp";
	case BPF_PROG_TYPE_SCHED_CLS: return "tc";
	case BPF_PROG_TYPE_SCHED_ACT: return "act";
	case BPF_PROG_TYPE_SOCKET_FILTER: return "socket";
	case BPF_PROG_TYPE_CGROUP_SKB: return "cgroup_skb";
	default: return "other";
	}
}

static unsigned long type_counts[64];

static void fail_run(const char *obj, const char *prog, size_t idx, const struct run_in *in,
		     const char *what, unsigned *details)
{
	if ((*details)++ >= cfg.details)
		return;
	const struct pkt *p = in->pkt;
	printf("MISMATCH %s:%s packet %zu (%s; len %u", obj, prog, idx, p->desc, p->len);
	if (in->has_ctx && in->ctx_size == sizeof(struct xdp_md))
		printf("; xdp_md data_meta %u data %u data_end %u ingress_ifindex %u rx_queue_index %u "
		       "egress_ifindex %u", in->ctx.xdp.data_meta, in->ctx.xdp.data, in->ctx.xdp.data_end,
		       in->ctx.xdp.ingress_ifindex, in->ctx.xdp.rx_queue_index,
		       in->ctx.xdp.egress_ifindex);
	else if (in->has_ctx)
		printf("; __sk_buff (%u bytes) mark %u priority %u cb0 %u ingress_ifindex %u ifindex %u "
		       "wire_len %u gso_segs %u gso_size %u tc_index %u", in->ctx_size, in->ctx.skb.mark,
		       in->ctx.skb.priority, in->ctx.skb.cb[0], in->ctx.skb.ingress_ifindex,
		       in->ctx.skb.ifindex, in->ctx.skb.wire_len, in->ctx.skb.gso_segs,
		       in->ctx.skb.gso_size, in->ctx.skb.tc_index);
	printf("; out room %u)\n  %s\n  packet:", in->out_cap, what);
	print_hex(p->data, p->len, 256);
}

static void run_program(const char *obj, const char *path, const char *prog)
{
	struct side k = { .name = "kernel", .prog_fd = -1 }, u = { .name = "uebpf", .prog_fd = -1 };
	enum bpf_prog_type kt = BPF_PROG_TYPE_UNSPEC, ut = BPF_PROG_TYPE_UNSPEC, type;
	struct map_pair pairs[32];
	const char *known = cfg.mode == BOTH ? known_reason(obj, prog) : NULL;
	unsigned long failed = 0, passed = 0;
	unsigned details = 0;
	char msg[1024];
	struct result kr = { 0 }, ur = { 0 };
	unsigned long hist[8] = { 0 }, errs = 0;

	progs_run++;
	if (cfg.mode != UEBPF_ONLY && load_kernel(&k, path, prog, &kt)) {
		printf("FAIL %s:%s: the kernel refuses it (a bug of the test program): %s\n", obj, prog,
		       k.err);
		checks_failed++;
		checks_not_run += corpus.count + 1;
		side_close(&k);
		return;
	}
	if (cfg.mode != UEBPF_ONLY)
		type_counts[kt & 63]++;
	if (cfg.mode != KERNEL_ONLY && load_uebpf(&u, path, prog, &ut)) {
		printf("%s %s:%s: uebpf refuses what the kernel loads: %s\n",
		       known ? "KNOWN" : "FAIL", obj, prog, u.err);
		if (known) {
			printf("  known difference: %s\n", known);
			checks_known++;
		} else {
			checks_failed++;
		}
		checks_not_run += corpus.count + 1;
		side_close(&k);
		side_close(&u);
		return;
	}
	type = cfg.mode == UEBPF_ONLY ? ut : kt;
	if (cfg.mode == BOTH && kt != ut)
		printf("FAIL %s:%s: program type: kernel %d, uebpf %d\n", obj, prog, kt, ut);
	passed++;
	if (cfg.mode == UEBPF_ONLY)
		type_counts[type & 63]++;

	size_t npairs = pair_maps(&k, &u, pairs, sizeof(pairs) / sizeof(pairs[0]));
	for (size_t i = 0; i < npairs; i++)
		if (install_rules(&pairs[i]) || install_prog_arrays(&k, &u, &pairs[i]))
			failed++;
	if (setup_ringbufs(&k, &u, pairs, npairs)) {
		printf("FAIL %s:%s: ring buffer consumers\n", obj, prog);
		failed++;
	}
	kr.data = malloc(OUT_CAP);
	ur.data = malloc(OUT_CAP);
	if (!kr.data || !ur.data) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < corpus.count; i++) {
		struct run_in in;
		make_input(&in, &corpus.pkts[i], type);
		if (cfg.mode != UEBPF_ONLY)
			run_kernel(&k, &in, &kr);
		if (cfg.mode != KERNEL_ONLY)
			run_uebpf(&u, &in, &ur);
		runs_done++;
		if (cfg.mode != BOTH) {
			struct result *r = cfg.mode == KERNEL_ONLY ? &kr : &ur;
			if (r->rc)
				errs++;
			else
				hist[r->retval < 7 ? r->retval : 7]++;
			if (cfg.verbose)
				printf("  %zu: rc %d retval %u size_out %u records %u  (%s)\n", i, r->rc,
				       r->retval, r->size_out,
				       cfg.mode == KERNEL_ONLY ? k.rec.count : u.rec.count,
				       corpus.pkts[i].desc);
			passed++;
			continue;
		}
		if (diff_results(&in, &kr, &ur, &k, &u, type, msg, sizeof(msg))) {
			fail_run(obj, prog, i, &in, msg, &details);
			failed++;
		} else {
			if (cfg.verbose)
				printf("  %zu: rc %d retval %u size_out %u records %u  (%s)\n", i, kr.rc,
				       kr.retval, kr.size_out, k.rec.count, corpus.pkts[i].desc);
			passed++;
		}
	}
	if (cfg.mode == BOTH) {
		if (compare_maps(pairs, npairs, msg, sizeof(msg))) {
			printf("MISMATCH %s:%s after the last packet: %s\n", obj, prog, msg);
			failed++;
		} else {
			passed++;
		}
	} else {
		passed++;
		printf("%s %s:%s (%s): errors %lu; retval 0..6,7+: %lu %lu %lu %lu %lu %lu %lu %lu\n",
		       cfg.mode == KERNEL_ONLY ? "kernel" : "uebpf", obj, prog, type_name(type), errs,
		       hist[0], hist[1], hist[2], hist[3], hist[4], hist[5], hist[6], hist[7]);
	}
	if (failed && known) {
		printf("KNOWN %s:%s: %lu checks differ: %s\n", obj, prog, failed, known);
		checks_known += failed;
	} else if (failed) {
		printf("FAIL %s:%s (%s): %lu of %zu checks differ\n", obj, prog, type_name(type),
		       failed, corpus.count + 2);
		checks_failed += failed;
	} else {
		if (known)
			printf("NOTE %s:%s matches now: remove it from known_differences\n", obj, prog);
		if (cfg.verbose || cfg.mode == BOTH)
			printf("ok %s:%s (%s)\n", obj, prog, type_name(type));
	}
	checks_passed += passed;
	free(kr.data);
	free(ur.data);
	side_close(&k);
	side_close(&u);
}

/* Runs the programs of one object (or only `only`). */
static void run_object(const char *obj, const char *only)
{
	char path[4096];
	char name[256];

	snprintf(path, sizeof(path), "%s/%s", cfg.dir, obj);
	snprintf(name, sizeof(name), "%s", obj);
	/* The list of programs, from the file (libbpf opens it without loading). */
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	if (!o) {
		printf("FAIL %s: cannot open %s: %s\n", obj, path, strerror(errno));
		checks_failed++;
		return;
	}
	char *names[128];
	size_t n = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, o)
		if (n < 128 && (!only || !strcmp(only, bpf_program__name(p))))
			names[n++] = strdup(bpf_program__name(p));
	bpf_object__close(o);
	if (!n) {
		printf("FAIL %s: no program%s%s\n", obj, only ? " named " : "", only ? only : "");
		checks_failed++;
	}
	for (size_t i = 0; i < n; i++) {
		run_program(name, path, names[i]);
		free(names[i]);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: packet_kernel_diff_test [--dir DIR] [--list FILE] [--packets N] "
			"[--seed S] [--details N] [--kernel-only|--uebpf-only] [-v] "
			"[OBJECT[:PROGRAM]]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *list = NULL;
	char *targets[512];
	size_t ntargets = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			cfg.dir = argv[++i];
		else if (!strcmp(argv[i], "--list") && i + 1 < argc)
			list = argv[++i];
		else if (!strcmp(argv[i], "--packets") && i + 1 < argc)
			cfg.packets = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--details") && i + 1 < argc)
			cfg.details = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			cfg.seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--kernel-only"))
			cfg.mode = KERNEL_ONLY;
		else if (!strcmp(argv[i], "--uebpf-only"))
			cfg.mode = UEBPF_ONLY;
		else if (!strcmp(argv[i], "-v"))
			cfg.verbose = 1;
		else if (argv[i][0] == '-')
			usage();
		else if (ntargets < 512)
			targets[ntargets++] = strdup(argv[i]);
	}
	if (list && !ntargets) {
		FILE *f = fopen(list, "r");
		char line[512];
		if (!f) {
			perror(list);
			return 1;
		}
		while (fgets(line, sizeof(line), f) && ntargets < 512) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0])
				targets[ntargets++] = strdup(line);
		}
		fclose(f);
	}
	if (!ntargets)
		usage();

	if (cfg.mode != UEBPF_ONLY) {
		int err = kernel_probe_prog_load();
		if (err) {
			printf("SKIP: the kernel refuses bpf() here: %s\n", strerror(-err));
			return KERNEL_TEST_SKIP;
		}
	}
	/* Per-CPU maps: every run on CPU 0, on both sides. */
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("sched_setaffinity");
		return 1;
	}
	libbpf_set_print(libbpf_print);
	if (pktgen_corpus(&corpus, cfg.seed, cfg.packets)) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	unsigned long kinds[5] = { 0 };
	for (size_t i = 0; i < corpus.count; i++)
		kinds[corpus.pkts[i].kind]++;
	printf("corpus: %zu packets (seed 0x%" PRIx64 "): %lu well-formed, %lu truncated, %lu "
	       "malformed, %lu random, %lu of refused sizes\n",
	       corpus.count, cfg.seed, kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]);

	for (size_t i = 0; i < ntargets; i++) {
		char *colon = strchr(targets[i], ':');
		if (colon)
			*colon++ = '\0';
		run_object(targets[i], colon);
		free(targets[i]);
	}
	pktgen_corpus_free(&corpus);

	printf("programs: %lu (xdp %lu, tc %lu, tc action %lu, socket %lu, cgroup_skb %lu); "
	       "packets: %zu; runs: %lu per side\n",
	       progs_run, type_counts[BPF_PROG_TYPE_XDP], type_counts[BPF_PROG_TYPE_SCHED_CLS],
	       type_counts[BPF_PROG_TYPE_SCHED_ACT], type_counts[BPF_PROG_TYPE_SOCKET_FILTER],
	       type_counts[BPF_PROG_TYPE_CGROUP_SKB], cfg.packets, runs_done);
	if (checks_known || checks_not_run)
		printf("known differences: %lu checks; not run (a side refused the program): %lu checks\n",
		       checks_known, checks_not_run);
	printf("packets_match_kernel%s: %lu passed, %lu failed\n",
	       cfg.mode == KERNEL_ONLY ? " (kernel side only)" : cfg.mode == UEBPF_ONLY ? " (uebpf side only)" : "",
	       checks_passed, checks_failed);
	return checks_failed ? 1 : 0;
}
