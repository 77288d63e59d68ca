/* SPDX-License-Identifier: MIT */
/*
 * The packet helpers against the kernel on this machine: small programs
 * that call one helper (or a few) with a range of arguments (offsets,
 * sizes and flags valid and not) are loaded into the kernel and into
 * uebpf and run with BPF_PROG_TEST_RUN and uebpf_prog_test_run on the
 * same packet and context. The return value, the packet afterwards and
 * the context afterwards must be the same, byte for byte. Arguments that
 * vary are read from __sk_buff->cb (settable by the test run) where the
 * program type has it, so one program runs on many of them.
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/kernel/insn_builder.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"

/* ---- programs ---- */

#define CB(i) ((int16_t)offsetof(struct __sk_buff, cb[i]))

static void ld_imm64(struct prog *p, uint8_t dst, uint8_t src, uint64_t v)
{
	emit(p, BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int32_t)(uint32_t)v);
	emit(p, 0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
}

/* Fills n bytes of stack below fp-off_from with a pattern (so that a
 * helper's clearing or copying shows). */
static void stack_pattern(struct prog *p, int16_t at, unsigned n)
{
	ld_imm64(p, BPF_REG_0, 0, 0xa5a4a3a2a1a0a9a8ull);
	for (unsigned i = 0; i < n; i += 8)
		STX(BPF_DW, BPF_REG_10, BPF_REG_0, (int16_t)(at + (int)i));
}

/* Copies n (multiple of 8) stack bytes at fp+at into the packet's first
 * bytes, if it has them (r6: the context; clobbers r2-r4). data and
 * data_end are at the given context offsets. */
static void stack_to_packet(struct prog *p, int16_t at, unsigned n, int16_t data, int16_t end)
{
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, data);
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, end);
	MOV(BPF_REG_4, BPF_REG_2);
	ADDI(BPF_REG_4, (int32_t)n);
	JGT(BPF_REG_4, BPF_REG_3, (int16_t)(2 * (n / 8)));
	for (unsigned i = 0; i < n; i += 8) {
		LDX(BPF_DW, BPF_REG_4, BPF_REG_10, (int16_t)(at + (int)i));
		STX(BPF_DW, BPF_REG_2, BPF_REG_4, (int16_t)i);
	}
}

/* r0's 64 bits into cb[3] and cb[4] (skb programs), so that a result
 * wider than the 32-bit retval shows; r0 is kept. */
static void r0_to_cb(struct prog *p)
{
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(3));
	MOV(BPF_REG_1, BPF_REG_0);
	emit(p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_1, 0, 0, 32);
	STX(BPF_W, BPF_REG_6, BPF_REG_1, CB(4));
}

#define XDP_OFF(f) ((int16_t)offsetof(struct xdp_md, f))
#define SKB_OFF(f) ((int16_t)offsetof(struct __sk_buff, f))

/* ---- running on both sides ---- */

#define OUT_MAX 17000

struct outcome {
	int load_err, run_err;
	uint32_t retval, size_out;
	uint8_t data[OUT_MAX];
	struct __sk_buff ctx;
	char log[4096];
};

/* Runs per test run (what one run leaves on the skb, the next sees). */
static int repeat = 1;

static int kernel_run(int fd, const void *pkt, uint32_t len, const struct __sk_buff *ctx,
		      struct outcome *o)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = len;
	a.test.data_out = (uintptr_t)o->data;
	a.test.data_size_out = OUT_MAX;
	if (ctx) {
		a.test.ctx_in = (uintptr_t)ctx;
		a.test.ctx_size_in = sizeof(*ctx);
		a.test.ctx_out = (uintptr_t)&o->ctx;
		a.test.ctx_size_out = sizeof(o->ctx);
	}
	a.test.repeat = (uint32_t)repeat;
	if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		return -errno;
	o->retval = a.test.retval;
	o->size_out = a.test.data_size_out;
	return 0;
}

static int uebpf_run(int fd, const void *pkt, uint32_t len, const struct __sk_buff *ctx,
		     struct outcome *o)
{
	struct uebpf_test_run_opts t = {
		.sz = sizeof(t),
		.data_in = pkt,
		.data_size_in = len,
		.data_out = o->data,
		.data_size_out = OUT_MAX,
		.repeat = repeat,
	};
	if (ctx) {
		t.ctx_in = ctx;
		t.ctx_size_in = sizeof(*ctx);
		t.ctx_out = &o->ctx;
		t.ctx_size_out = sizeof(o->ctx);
	}
	int err = uebpf_prog_test_run(fd, &t);
	o->retval = t.retval;
	o->size_out = t.data_size_out;
	return err;
}

static struct outcome ko, uo;
static unsigned long runs;

/* Builds the program for each side (map fds differ), loads it into both
 * and runs it on each (packet, context) input. */
typedef void (*builder)(struct prog *p, int map_fd, const void *arg);

struct input {
	const uint8_t *pkt;
	uint32_t len;
	const struct __sk_buff *ctx; /* NULL: none */
};

static void print_diff(const char *what)
{
	if (ko.retval != uo.retval)
		printf("  %s: retval kernel %d (0x%x), uebpf %d (0x%x)\n", what, (int)ko.retval,
		       ko.retval, (int)uo.retval, uo.retval);
	if (ko.size_out != uo.size_out)
		printf("  %s: data_size_out kernel %u, uebpf %u\n", what, ko.size_out, uo.size_out);
	uint32_t n = ko.size_out < uo.size_out ? ko.size_out : uo.size_out;
	if (n > OUT_MAX)
		n = OUT_MAX;
	for (uint32_t i = 0; i < n; i++)
		if (ko.data[i] != uo.data[i]) {
			printf("  %s: data_out[%u] kernel 0x%02x, uebpf 0x%02x\n", what, i, ko.data[i],
			       uo.data[i]);
			break;
		}
	if (memcmp(&ko.ctx, &uo.ctx, sizeof(ko.ctx))) {
		const uint8_t *a = (const uint8_t *)&ko.ctx, *b = (const uint8_t *)&uo.ctx;
		for (size_t i = 0; i < sizeof(ko.ctx); i++)
			if (a[i] != b[i]) {
				printf("  %s: ctx_out byte %zu kernel 0x%02x, uebpf 0x%02x\n", what, i,
				       a[i], b[i]);
				break;
			}
	}
}

static void compare(const char *what, enum bpf_prog_type type, builder build, const void *arg,
		    int kmap, int umap, const struct input *in, size_t n_in)
{
	struct prog kp = { .n = 0 }, up = { .n = 0 };
	build(&kp, kmap, arg);
	build(&up, umap, arg);
	int kfd = kernel_prog_load(type, kp.in, kp.n, NULL, 0, 0);
	if (kfd < 0) /* again, for the log */
		kernel_prog_load(type, kp.in, kp.n, ko.log, sizeof(ko.log), 1);
	struct uebpf_prog_load_opts lo = { .sz = sizeof(lo), .log_buf = uo.log,
					   .log_size = sizeof(uo.log) };
	int ufd = uebpf_prog_load(type, "pkt", "GPL", up.in, up.n, &lo);
	if (kfd < 0 || ufd < 0) {
		CHECK_REPORT((kfd < 0) == (ufd < 0), "%s: load: kernel %d, uebpf %d", what, kfd, ufd);
		if (kfd < 0)
			printf("  %s: kernel log:\n%s\n", what, ko.log);
		if (ufd < 0)
			printf("  %s: uebpf log:\n%s\n", what, uo.log);
		goto out;
	}
	for (size_t i = 0; i < n_in; i++) {
		memset(ko.data, 0, sizeof(ko.data));
		memset(uo.data, 0, sizeof(uo.data));
		memset(&ko.ctx, 0, sizeof(ko.ctx));
		memset(&uo.ctx, 0, sizeof(uo.ctx));
		int ke = kernel_run(kfd, in[i].pkt, in[i].len, in[i].ctx, &ko);
		int ue = uebpf_run(ufd, in[i].pkt, in[i].len, in[i].ctx, &uo);
		runs++;
		bool same = ke == ue;
		if (!ke && !ue) {
			uint32_t m = ko.size_out < OUT_MAX ? ko.size_out : OUT_MAX;
			same = ko.retval == uo.retval && ko.size_out == uo.size_out &&
			       !memcmp(ko.data, uo.data, m) &&
			       !memcmp(&ko.ctx, &uo.ctx, sizeof(ko.ctx));
		}
		char name[160];
		if (in[i].ctx)
			snprintf(name, sizeof(name), "%s [cb %#x %#x %#x %#x, len %u]", what,
				 in[i].ctx->cb[0], in[i].ctx->cb[1], in[i].ctx->cb[2],
				 in[i].ctx->cb[3], in[i].len);
		else
			snprintf(name, sizeof(name), "%s [len %u]", what, in[i].len);
		CHECK_REPORT(same, "%s: run: kernel %d, uebpf %d", name, ke, ue);
		if (!same && !ke && !ue)
			print_diff(name);
	}
out:
	if (kfd >= 0)
		close(kfd);
	if (ufd >= 0)
		uebpf_prog_close(ufd);
}

/* ---- packets ---- */

static uint8_t pkt_v4[98], pkt_v6[118], pkt_vlan[102], pkt_arp[60], pkt_big[1600];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The IPv4 header checksum, computed the textbook way. */
static void ip_checksum(uint8_t *ip)
{
	uint32_t s = 0;
	put16(ip + 10, 0);
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(ip + 10, (uint16_t)~s);
}

static void make_packets(void)
{
	/* Ethernet, IPv4 (tos given per test), UDP 10.0.0.1:1234 ->
	 * 10.0.0.2:80 with a payload. */
	uint8_t *e = pkt_v4;
	for (size_t i = 0; i < sizeof(pkt_v4); i++)
		e[i] = (uint8_t)(i * 7 + 3);
	memcpy(e, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(e + 12, 0x0800);
	uint8_t *ip = e + 14;
	ip[0] = 0x45;
	ip[1] = 0x02; /* ECT(0) */
	put16(ip + 2, sizeof(pkt_v4) - 14);
	put16(ip + 6, 0);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	ip_checksum(ip);
	uint8_t *udp = ip + 20;
	put16(udp, 1234);
	put16(udp + 2, 80);
	put16(udp + 4, sizeof(pkt_v4) - 34);
	put16(udp + 6, 0x1c46);

	e = pkt_v6;
	for (size_t i = 0; i < sizeof(pkt_v6); i++)
		e[i] = (uint8_t)(i * 13 + 1);
	memcpy(e, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(e + 12, 0x86dd);
	ip = e + 14;
	ip[0] = 0x60 | 0x0; /* traffic class 0x01 (ECT(1)) */
	ip[1] = 0x10;
	ip[6] = 6;
	ip[7] = 64;

	/* Two 802.1Q tags in the packet, then IPv4. */
	e = pkt_vlan;
	memcpy(e, pkt_v4, 12);
	put16(e + 12, 0x88a8);
	put16(e + 14, 0x0064);
	put16(e + 16, 0x8100);
	put16(e + 18, 0x00c8);
	put16(e + 20, 0x0800);
	memcpy(e + 22, pkt_v4 + 14, sizeof(pkt_vlan) - 22);

	e = pkt_arp;
	memcpy(e, pkt_v4, sizeof(pkt_arp));
	put16(e + 12, 0x0806);

	memcpy(pkt_big, pkt_v4, sizeof(pkt_v4));
	for (size_t i = sizeof(pkt_v4); i < sizeof(pkt_big); i++)
		pkt_big[i] = (uint8_t)rnd();
}

/* Inputs for an skb program: cb[0..3] from the table, on the packet. */
#define MAX_INPUTS 128

static size_t cb_inputs(struct input *in, struct __sk_buff *ctx, const uint32_t (*cb)[4], size_t n,
			const uint8_t *pkt, uint32_t len)
{
	if (n > MAX_INPUTS)
		abort(); /* a table larger than the callers' arrays */
	for (size_t i = 0; i < n; i++) {
		memset(&ctx[i], 0, sizeof(ctx[i]));
		memcpy(ctx[i].cb, cb[i], sizeof(cb[i]));
		in[i] = (struct input){ pkt, len, &ctx[i] };
	}
	return n;
}

/* ---- XDP ---- */

struct xdp_arg {
	int32_t a, b;
};

/* adjust_meta(-8), 8 known bytes in the metadata, then
 * adjust_head(a): the metadata moves with the data. */
static void build_adjust_head(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_2, x->b);
	CALL(BPF_FUNC_xdp_adjust_meta);
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, XDP_OFF(data_meta));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, XDP_OFF(data));
	MOV(BPF_REG_4, BPF_REG_2);
	ADDI(BPF_REG_4, 8);
	JGT(BPF_REG_4, BPF_REG_3, 3);
	ld_imm64(p, BPF_REG_5, 0, 0x8877665544332211ull);
	STX(BPF_DW, BPF_REG_2, BPF_REG_5, 0);
	MOV(BPF_REG_1, BPF_REG_6);
	MOVI(BPF_REG_2, x->a);
	CALL(BPF_FUNC_xdp_adjust_head);
	EXIT();
}

static void build_adjust_tail(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_2, x->a);
	CALL(BPF_FUNC_xdp_adjust_tail);
	MOV(BPF_REG_7, BPF_REG_0);
	MOV(BPF_REG_1, BPF_REG_6);
	MOVI(BPF_REG_2, x->b);
	CALL(BPF_FUNC_xdp_adjust_tail);
	LSHI(BPF_REG_0, 8);
	OR(BPF_REG_0, BPF_REG_7);
	EXIT();
}

static void build_adjust_meta(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOVI(BPF_REG_2, x->a);
	CALL(BPF_FUNC_xdp_adjust_meta);
	EXIT();
}

/* xdp_load_bytes(a, 8 or b) into a patterned stack buffer, which is
 * then copied to the packet's start; the result in r0. */
static void build_xdp_load(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	stack_pattern(p, -64, 64);
	MOV(BPF_REG_1, BPF_REG_6);
	MOVI(BPF_REG_2, x->a);
	MOV(BPF_REG_3, BPF_REG_10);
	ADDI(BPF_REG_3, -64);
	MOVI(BPF_REG_4, x->b);
	CALL(BPF_FUNC_xdp_load_bytes);
	MOV(BPF_REG_7, BPF_REG_0);
	stack_to_packet(p, -64, 64, XDP_OFF(data), XDP_OFF(data_end));
	MOV(BPF_REG_0, BPF_REG_7);
	EXIT();
}

static void build_xdp_store(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	stack_pattern(p, -64, 64);
	MOV(BPF_REG_1, BPF_REG_6);
	MOVI(BPF_REG_2, x->a);
	MOV(BPF_REG_3, BPF_REG_10);
	ADDI(BPF_REG_3, -64);
	MOVI(BPF_REG_4, x->b);
	CALL(BPF_FUNC_xdp_store_bytes);
	EXIT();
}

static void build_xdp_buff_len(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_2, x->a);
	CALL(BPF_FUNC_xdp_adjust_tail);
	MOV(BPF_REG_1, BPF_REG_6);
	CALL(BPF_FUNC_xdp_get_buff_len);
	EXIT();
}

/* csum_diff(data, a, data + 512, b, seed from the packet's first word). */
static void build_csum_diff(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	LDX(BPF_W, BPF_REG_2, BPF_REG_1, XDP_OFF(data));
	LDX(BPF_W, BPF_REG_3, BPF_REG_1, XDP_OFF(data_end));
	MOV(BPF_REG_4, BPF_REG_2);
	ADDI(BPF_REG_4, 1024);
	JGT(BPF_REG_4, BPF_REG_3, 8);
	LDX(BPF_W, BPF_REG_5, BPF_REG_2, 1020);
	MOV(BPF_REG_1, BPF_REG_2);
	MOV(BPF_REG_3, BPF_REG_2);
	ADDI(BPF_REG_3, 512);
	MOVI(BPF_REG_2, x->a);
	MOVI(BPF_REG_4, x->b);
	CALL(BPF_FUNC_csum_diff);
	EXIT();
	MOVI(BPF_REG_0, -1);
	EXIT();
}

static void build_xdp_redirect(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOVI(BPF_REG_1, x->a);
	MOVI(BPF_REG_2, x->b);
	CALL(BPF_FUNC_redirect);
	EXIT();
}

static void build_redirect_map(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	ld_imm64(p, BPF_REG_1, BPF_PSEUDO_MAP_FD, (uint32_t)map_fd);
	MOVI(BPF_REG_2, x->a);
	MOVI(BPF_REG_3, x->b);
	CALL(BPF_FUNC_redirect_map);
	EXIT();
}

static void xdp_cases(const char *name, builder b, const struct xdp_arg *args, size_t n,
		      const uint8_t *pkt, uint32_t len, int kmap, int umap)
{
	struct input in = { pkt, len, NULL };
	for (size_t i = 0; i < n; i++) {
		char what[96];
		snprintf(what, sizeof(what), "%s(%d, %d)", name, args[i].a, args[i].b);
		compare(what, BPF_PROG_TYPE_XDP, b, &args[i], kmap, umap, &in, 1);
	}
}

static void test_xdp_adjust(void)
{
	/* The frame: 256 bytes of headroom of which 40 unreachable, 320 of
	 * shared info at the end of 4096. */
	static const struct xdp_arg head[] = {
		{ -300, 0 }, { -217, 0 }, { -216, 0 }, { -209, -8 }, { -208, -8 }, { -14, -8 },
		{ -1, -4 },  { 0, -8 },   { 7, -8 },   { 50, -8 },   { 51, -8 },   { 4096, 0 },
		{ INT32_MIN, -8 }, { INT32_MAX, -8 }, { 24, 0 },
	};
	xdp_cases("xdp_adjust_head", build_adjust_head, head, sizeof(head) / sizeof(head[0]),
		  pkt_v4, sizeof(pkt_v4), -1, -1);
	static const struct xdp_arg tail[] = {
		{ -100, 0 }, { -85, 0 }, { -84, 0 }, { -20, 20 }, { -40, 30 }, { 0, 0 },
		{ 10, -10 }, { 3400, 0 }, { 3358, 0 }, { 3359, 0 }, { INT32_MIN, 0 },
		{ INT32_MAX, 0 }, { 1, 3357 },
	};
	xdp_cases("xdp_adjust_tail", build_adjust_tail, tail, sizeof(tail) / sizeof(tail[0]),
		  pkt_v4, sizeof(pkt_v4), -1, -1);
	static const struct xdp_arg meta[] = {
		{ 0, 0 }, { -4, 0 }, { -8, 0 }, { -3, 0 }, { -2, 0 }, { 4, 0 },
		{ -32, 0 }, { -36, 0 }, { -212, 0 }, { -216, 0 }, { -220, 0 }, { -256, 0 },
		{ -252, 0 }, { -300, 0 }, { INT32_MIN, 0 },
	};
	xdp_cases("xdp_adjust_meta", build_adjust_meta, meta, sizeof(meta) / sizeof(meta[0]),
		  pkt_v4, sizeof(pkt_v4), -1, -1);
	static const struct xdp_arg buff_len[] = { { 0, 0 }, { -20, 0 }, { 100, 0 } };
	xdp_cases("xdp_get_buff_len", build_xdp_buff_len, buff_len, 3, pkt_v4, sizeof(pkt_v4),
		  -1, -1);
}

static void test_xdp_bytes(void)
{
	static const struct xdp_arg args[] = {
		{ 0, 8 },  { 0, 64 }, { 34, 64 }, { 35, 64 }, { 90, 8 }, { 91, 8 }, { 97, 1 },
		{ 98, 1 }, { -1, 8 }, { 0xffff, 1 }, { 0x10000, 1 }, { 4, 63 },
	};
	xdp_cases("xdp_load_bytes", build_xdp_load, args, sizeof(args) / sizeof(args[0]), pkt_v4,
		  sizeof(pkt_v4), -1, -1);
	xdp_cases("xdp_store_bytes", build_xdp_store, args, sizeof(args) / sizeof(args[0]), pkt_v4,
		  sizeof(pkt_v4), -1, -1);
}

static void test_csum_diff(void)
{
	static const struct xdp_arg sizes[] = {
		{ 0, 0 },    { 0, 4 },     { 4, 0 },     { 4, 4 },     { 8, 8 },    { 0, 12 },
		{ 20, 20 },  { 0, 40 },    { 40, 0 },    { 4, 36 },    { 0, 44 },   { 0, 60 },
		{ 0, 64 },   { 64, 0 },    { 0, 68 },    { 32, 40 },   { 0, 128 },  { 0, 132 },
		{ 100, 100 }, { 0, 188 },  { 256, 256 }, { 512, 0 },   { 0, 512 },  { 508, 4 },
		{ 256, 260 }, { 0, 3 },    { 2, 0 },     { 1, 1 },
	};
	/* Packets of random words, of all ones (every add carries) and of
	 * zeros, with the seed in their word 255. */
	static uint8_t pkts[6][1024];
	struct input in[6];
	for (int k = 0; k < 6; k++) {
		for (int i = 0; i < 1024; i++)
			pkts[k][i] = k == 0 ? 0xff : k == 1 ? 0 : (uint8_t)rnd();
		if (k == 5)
			memset(pkts[k] + 512, 0xff, 512);
		in[k] = (struct input){ pkts[k], 1024, NULL };
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "csum_diff(%d, %d)", sizes[i].a, sizes[i].b);
		compare(what, BPF_PROG_TYPE_XDP, build_csum_diff, &sizes[i], -1, -1, in, 6);
	}
}

static void test_xdp_redirect(void)
{
	static const struct xdp_arg redir[] = { { 1, 0 }, { 7, 0 }, { 1, 1 }, { 1, 8 } };
	xdp_cases("redirect (xdp)", build_xdp_redirect, redir, 4, pkt_v4, sizeof(pkt_v4), -1, -1);

	int kmap = kernel_map_create(BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, 0, 0);
	int umap = uebpf_map_create(BPF_MAP_TYPE_DEVMAP, "dm", 4, 4, 4, NULL);
	CHECK(kmap >= 0 && umap >= 0);
	if (kmap < 0 || umap < 0)
		return;
	uint32_t key = 0, lo = 1;
	CHECK(kernel_map_elem(BPF_MAP_UPDATE_ELEM, kmap, &key, &lo, 0) == 0);
	CHECK(uebpf_map_update_elem(umap, &key, &lo, 0) == 0);
	static const struct xdp_arg rm[] = {
		{ 0, 0 }, { 1, 0 }, { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 4 }, { 1, 8 },
		{ 1, 8 | 3 }, { 0, 16 }, { 1, 16 | 2 }, { 5, 0 }, { -1, 2 }, { 0, 32 },
	};
	xdp_cases("redirect_map", build_redirect_map, rm, sizeof(rm) / sizeof(rm[0]), pkt_v4,
		  sizeof(pkt_v4), kmap, umap);
	close(kmap);
	uebpf_map_close(umap);

	kmap = kernel_map_create(BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, 0, 0, 0);
	umap = uebpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "dmh", 4, 4, 4, NULL);
	CHECK(kmap >= 0 && umap >= 0);
	if (kmap < 0 || umap < 0)
		return;
	key = 5;
	CHECK(kernel_map_elem(BPF_MAP_UPDATE_ELEM, kmap, &key, &lo, 0) == 0);
	CHECK(uebpf_map_update_elem(umap, &key, &lo, 0) == 0);
	static const struct xdp_arg rh[] = { { 5, 0 }, { 6, 0 }, { 6, 2 }, { 6, 8 }, { 5, 16 } };
	xdp_cases("redirect_map (hash)", build_redirect_map, rh, sizeof(rh) / sizeof(rh[0]),
		  pkt_v4, sizeof(pkt_v4), kmap, umap);
	close(kmap);
	uebpf_map_close(umap);
}

/* ---- skb ---- */

/* helper(ctx, cb[0], cb[1], cb[2], cb[3]) for the helpers that take
 * numbers; r0 returned and kept in cb[3..4]. */
static void build_cb_call(struct prog *p, int map_fd, const void *arg)
{
	int32_t id = *(const int32_t *)arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, CB(0));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, CB(1));
	LDX(BPF_W, BPF_REG_4, BPF_REG_6, CB(2));
	LDX(BPF_W, BPF_REG_5, BPF_REG_6, CB(3));
	CALL(id);
	r0_to_cb(p);
	EXIT();
}

/* adjust_room(cb[0], cb[1], cb[2] | cb[3] << 32). */
static void build_adjust_room(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	MOV(BPF_REG_6, BPF_REG_1);
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, CB(0));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, CB(1));
	LDX(BPF_W, BPF_REG_4, BPF_REG_6, CB(2));
	LDX(BPF_W, BPF_REG_5, BPF_REG_6, CB(3));
	LSHI(BPF_REG_5, 32);
	OR(BPF_REG_4, BPF_REG_5);
	/* A signed 32-bit len_diff. */
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_2, 32, 0);
	MOV(BPF_REG_1, BPF_REG_6);
	CALL(BPF_FUNC_skb_adjust_room);
	r0_to_cb(p);
	EXIT();
}

struct bytes_arg {
	int32_t id; /* skb_load_bytes, _relative or skb_store_bytes */
	int32_t len;
	enum bpf_prog_type type;
};

/* The helper on a 64-byte patterned stack buffer (offset cb[0], the
 * last argument cb[1]); a load's buffer is copied to the packet (tc) or
 * its first word returned in cb[2] (socket filters). */
static void build_bytes(struct prog *p, int map_fd, const void *arg)
{
	const struct bytes_arg *b = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	stack_pattern(p, -64, 64);
	MOV(BPF_REG_1, BPF_REG_6);
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, CB(0));
	MOV(BPF_REG_3, BPF_REG_10);
	ADDI(BPF_REG_3, -64);
	MOVI(BPF_REG_4, b->len);
	LDX(BPF_W, BPF_REG_5, BPF_REG_6, CB(1));
	CALL(b->id);
	r0_to_cb(p);
	MOV(BPF_REG_7, BPF_REG_0);
	if (b->id != BPF_FUNC_skb_store_bytes) {
		if (b->type == BPF_PROG_TYPE_SCHED_CLS) {
			stack_to_packet(p, -64, 64, SKB_OFF(data), SKB_OFF(data_end));
		} else {
			LDX(BPF_W, BPF_REG_2, BPF_REG_10, -64);
			STX(BPF_W, BPF_REG_6, BPF_REG_2, CB(2));
			LDX(BPF_W, BPF_REG_2, BPF_REG_10, -8);
			STX(BPF_W, BPF_REG_6, BPF_REG_2, CB(1));
		}
	}
	MOV(BPF_REG_0, BPF_REG_7);
	EXIT();
}

static void test_skb_bytes(void)
{
	static const uint32_t offs[][4] = {
		{ 0, 0 },  { 10, 0 }, { 34, 0 }, { 35, 0 }, { 90, 0 },   { 91, 0 }, { 97, 0 },
		{ 98, 0 }, { 0x7fffffff, 0 }, { 0x80000000, 0 }, { 0xffffffff, 0 }, { 0xffff, 0 },
		{ 0x10000, 0 },
	};
	static const int32_t lens[] = { 1, 8, 64 };
	static struct input in[128];
	static struct __sk_buff ctx[128];
	for (size_t l = 0; l < 3; l++) {
		size_t n = cb_inputs(in, ctx, offs, sizeof(offs) / sizeof(offs[0]), pkt_v4,
				     sizeof(pkt_v4));
		struct bytes_arg tc = { BPF_FUNC_skb_load_bytes, lens[l], BPF_PROG_TYPE_SCHED_CLS };
		char what[64];
		snprintf(what, sizeof(what), "skb_load_bytes(tc, len %d)", lens[l]);
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_bytes, &tc, -1, -1, in, n);
		struct bytes_arg sf = { BPF_FUNC_skb_load_bytes, lens[l],
					BPF_PROG_TYPE_SOCKET_FILTER };
		snprintf(what, sizeof(what), "skb_load_bytes(socket, len %d)", lens[l]);
		compare(what, BPF_PROG_TYPE_SOCKET_FILTER, build_bytes, &sf, -1, -1, in, n);
	}
	/* Relative to the MAC and network headers, and a bad start. */
	static uint32_t rel[64][4];
	size_t nr = 0;
	static const uint32_t roffs[] = { 0, 4, 12, 14, 30, 70, 76, 77, 84, 0xffff, 0x10000 };
	for (uint32_t start = 0; start < 3; start++)
		for (size_t i = 0; i < sizeof(roffs) / sizeof(roffs[0]); i++) {
			rel[nr][0] = roffs[i];
			rel[nr][1] = start;
			nr++;
		}
	size_t n = cb_inputs(in, ctx, (const uint32_t(*)[4])rel, nr, pkt_v4, sizeof(pkt_v4));
	for (size_t l = 0; l < 2; l++) {
		struct bytes_arg tc = { BPF_FUNC_skb_load_bytes_relative, lens[l],
					BPF_PROG_TYPE_SCHED_CLS };
		compare("skb_load_bytes_relative(tc)", BPF_PROG_TYPE_SCHED_CLS, build_bytes, &tc,
			-1, -1, in, n);
		struct bytes_arg sf = { BPF_FUNC_skb_load_bytes_relative, lens[l],
					BPF_PROG_TYPE_SOCKET_FILTER };
		compare("skb_load_bytes_relative(socket)", BPF_PROG_TYPE_SOCKET_FILTER,
			build_bytes, &sf, -1, -1, in, n);
	}
	/* Stores: offsets and flags. */
	static uint32_t st[96][4];
	size_t ns = 0;
	static const uint32_t flags[] = { 0, 1, 2, 3, 4, 0x80 };
	for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			st[ns][0] = offs[i][0];
			st[ns][1] = flags[f];
			ns++;
		}
	n = cb_inputs(in, ctx, (const uint32_t(*)[4])st, ns, pkt_v4, sizeof(pkt_v4));
	for (size_t l = 0; l < 3; l++) {
		struct bytes_arg tc = { BPF_FUNC_skb_store_bytes, lens[l], BPF_PROG_TYPE_SCHED_CLS };
		char what[64];
		snprintf(what, sizeof(what), "skb_store_bytes(len %d)", lens[l]);
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_bytes, &tc, -1, -1, in, n);
	}
}

static void test_csum_replace(void)
{
	/* cb: offset, from, to, flags. The IPv4 checksum is at 24, the UDP
	 * one at 40. */
	static uint32_t cb[200][4];
	size_t n = 0;
	static const uint32_t l3_flags[] = { 0, 2, 4, 1, 3, 8, 0x10, 0x12 };
	static const uint32_t offs[] = { 24, 40, 25, 0, 96, 97, 98, 0xfffe, 0x10000 };
	for (size_t f = 0; f < sizeof(l3_flags) / sizeof(l3_flags[0]); f++)
		for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			cb[n][0] = offs[o];
			cb[n][1] = (l3_flags[f] & 0xf) ? (uint32_t)rnd() : 0;
			cb[n][2] = (uint32_t)rnd();
			cb[n][3] = l3_flags[f];
			n++;
		}
	/* Values that fold to 0 and 0xffff. */
	for (int i = 0; i < 24; i++) {
		cb[n][0] = 24;
		cb[n][1] = i & 1 ? 0xffffffff : 0;
		cb[n][2] = i & 2 ? 0xffffffff : (i & 4 ? 0x0000ffff : 0);
		cb[n][3] = i < 8 ? 4 : i < 16 ? 2 : 0;
		if (cb[n][3] == 0)
			cb[n][1] = 0;
		n++;
	}
	static struct input in[MAX_INPUTS];
	static struct __sk_buff ctx[MAX_INPUTS];
	size_t ni = cb_inputs(in, ctx, (const uint32_t(*)[4])cb, n, pkt_v4, sizeof(pkt_v4));
	int32_t id = BPF_FUNC_l3_csum_replace;
	compare("l3_csum_replace", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, ni);

	n = 0;
	static const uint32_t l4_flags[] = {
		0, 2, 4, 0x10 | 4, 0x20 | 4, 0x40 | 0x20 | 4, 0x40 | 2, 0x80 | 2, 0x100 | 2,
		0x20 | 2, 0x10 | 0x20 | 0x40 | 0x80 | 2, 5, 0x20 | 0,
	};
	for (size_t f = 0; f < sizeof(l4_flags) / sizeof(l4_flags[0]); f++)
		for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			cb[n][0] = offs[o];
			cb[n][1] = (l4_flags[f] & 0xf) ? (uint32_t)rnd() : 0;
			cb[n][2] = (uint32_t)rnd();
			cb[n][3] = l4_flags[f];
			n++;
		}
	/* A zero UDP checksum with and without BPF_F_MARK_MANGLED_0 /
	 * _ENFORCE, and replacements that give zero. */
	static uint8_t zero_udp[sizeof(pkt_v4)];
	memcpy(zero_udp, pkt_v4, sizeof(pkt_v4));
	zero_udp[40] = zero_udp[41] = 0;
	ni = cb_inputs(in, ctx, (const uint32_t(*)[4])cb, n, pkt_v4, sizeof(pkt_v4));
	id = BPF_FUNC_l4_csum_replace;
	compare("l4_csum_replace", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, ni);
	static const uint32_t mangled[][4] = {
		{ 40, 0x1234, 0x5678, 0x20 | 2 }, { 40, 0x1234, 0x5678, 0x60 | 2 },
		{ 40, 0, 0x5678, 2 },             { 40, 0x1234, 0x1234, 0x20 | 2 },
		{ 40, 0x1c46, 0, 0x20 | 2 },      { 40, 0xe3b9, 0, 0x20 | 2 },
		{ 40, 0, 0, 0x20 | 0 },           { 40, 0, 0xffff, 0x20 | 0 },
		{ 40, 0, 0, 0x60 | 0 },
	};
	ni = cb_inputs(in, ctx, mangled, 9, zero_udp, sizeof(zero_udp));
	compare("l4_csum_replace (checksum 0)", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1,
		-1, in, ni);
	ni = cb_inputs(in, ctx, mangled, 9, pkt_v4, sizeof(pkt_v4));
	compare("l4_csum_replace (mangled)", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1,
		in, ni);
	static const uint32_t upd[][4] = { { 0 }, { 0x1234 }, { 0xffffffff } };
	ni = cb_inputs(in, ctx, upd, 3, pkt_v4, sizeof(pkt_v4));
	id = BPF_FUNC_csum_update;
	compare("csum_update", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, ni);
}

static void test_skb_resize(void)
{
	struct input in[64];
	struct __sk_buff ctx[64];
	int32_t id;
	size_t n;
	static const uint32_t pull[][4] = { { 0 }, { 1 }, { 14 }, { 98 }, { 99 }, { 0xffffffff } };
	n = cb_inputs(in, ctx, pull, 6, pkt_v4, sizeof(pkt_v4));
	id = BPF_FUNC_skb_pull_data;
	compare("skb_pull_data", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, n);

	static const uint32_t head[][4] = {
		{ 0 },    { 1 },    { 14 },   { 64 },   { 65 },   { 1000 },
		{ 15966 }, { 15967 }, { 0xffffffff }, { 14, 1 }, { 4, 0x80000000 },
	};
	n = cb_inputs(in, ctx, head, sizeof(head) / sizeof(head[0]), pkt_v4, sizeof(pkt_v4));
	id = BPF_FUNC_skb_change_head;
	compare("skb_change_head", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, n);

	static const uint32_t tail[][4] = {
		{ 0 },   { 13 },   { 14 },   { 15 },   { 60 },   { 98 },   { 99 },  { 200 },
		{ 2000 }, { 16064 }, { 16065 }, { 0xffffffff }, { 60, 1 },
	};
	n = cb_inputs(in, ctx, tail, sizeof(tail) / sizeof(tail[0]), pkt_v4, sizeof(pkt_v4));
	id = BPF_FUNC_skb_change_tail;
	compare("skb_change_tail", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, n);
	n = cb_inputs(in, ctx, tail, sizeof(tail) / sizeof(tail[0]), pkt_arp, sizeof(pkt_arp));
	compare("skb_change_tail (arp)", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in,
		n);
}

#define ENCAP_L2(len) ((uint32_t)(len) << 24) /* in cb[3], the flags' high word */

static void test_adjust_room(void)
{
	const uint32_t net = BPF_ADJ_ROOM_NET, mac = BPF_ADJ_ROOM_MAC;
	const uint32_t e4 = BPF_F_ADJ_ROOM_ENCAP_L3_IPV4, e6 = BPF_F_ADJ_ROOM_ENCAP_L3_IPV6;
	const uint32_t gre = BPF_F_ADJ_ROOM_ENCAP_L4_GRE, udp = BPF_F_ADJ_ROOM_ENCAP_L4_UDP;
	const uint32_t eth = BPF_F_ADJ_ROOM_ENCAP_L2_ETH, d4 = 1u << 7, d6 = 1u << 8;
	static uint32_t cb[64][4];
	const uint32_t t[][4] = {
		{ 0, net, 0, 0 },         { 8, net, 0, 0 },        { 8, mac, 0, 0 },
		{ (uint32_t)-8, net, 0, 0 }, { (uint32_t)-8, mac, 0, 0 },
		{ (uint32_t)-20, mac, 0, 0 }, { (uint32_t)-64, net, 0, 0 },
		{ (uint32_t)-63, net, 0, 0 }, { (uint32_t)-64, mac, 0, 0 },
		{ (uint32_t)-65, mac, 0, 0 }, { (uint32_t)-84, mac, 0, 0 },
		{ 4095, net, 0, 0 },      { 4096, net, 0, 0 },     { (uint32_t)-4096, net, 0, 0 },
		{ 0x80000000, net, 0, 0 }, { 8, 2, 0, 0 },         { 8, net, 1, 0 },
		{ 20, mac, e4, 0 },       { 28, mac, e4 | udp, 0 }, { 24, mac, e4 | gre, 0 },
		{ 40, mac, e6, 0 },       { 28, mac, e4 | udp | gre, 0 }, { 28, mac, e4 | e6, 0 },
		{ 42, mac, e4 | udp | eth, ENCAP_L2(14) }, { 42, mac, e4 | eth, ENCAP_L2(13) },
		{ 10, mac, e4, ENCAP_L2(12) }, { 10, mac, e4, ENCAP_L2(11) },
		{ 20, mac, e4 | 0x20, 0 }, { 20, mac, 0x20, 0 }, { 20, mac, 0x400, 0 },
		{ (uint32_t)-20, mac, d4, 0 }, { (uint32_t)-20, mac, d6, 0 },
		{ (uint32_t)-20, mac, d4 | d6, 0 }, { 20, mac, d4, 0 }, { (uint32_t)-20, mac, e4, 0 },
		{ (uint32_t)-40, mac, d4, 0 }, { (uint32_t)-44, mac, d4, 0 },
		{ 8, net, 1 | 0x20, 0 },   { (uint32_t)-8, net, 1, 0 },
	};
	size_t nt = sizeof(t) / sizeof(t[0]);
	memcpy(cb, t, sizeof(t));
	struct input in[64];
	struct __sk_buff ctx[64];
	size_t n = cb_inputs(in, ctx, (const uint32_t(*)[4])cb, nt, pkt_v4, sizeof(pkt_v4));
	compare("skb_adjust_room (ipv4)", BPF_PROG_TYPE_SCHED_CLS, build_adjust_room, NULL, -1,
		-1, in, n);
	n = cb_inputs(in, ctx, (const uint32_t(*)[4])cb, nt, pkt_v6, sizeof(pkt_v6));
	compare("skb_adjust_room (ipv6)", BPF_PROG_TYPE_SCHED_CLS, build_adjust_room, NULL, -1,
		-1, in, n);
	n = cb_inputs(in, ctx, (const uint32_t(*)[4])cb, 4, pkt_arp, sizeof(pkt_arp));
	compare("skb_adjust_room (arp)", BPF_PROG_TYPE_SCHED_CLS, build_adjust_room, NULL, -1, -1,
		in, n);
}

/* Two adjust_room calls in one run: a second encapsulation is refused,
 * and change_tail refuses an encapsulated packet. */
static void build_double_encap(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_2, 20);
	MOVI(BPF_REG_3, BPF_ADJ_ROOM_MAC);
	MOVI(BPF_REG_4, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	CALL(BPF_FUNC_skb_adjust_room);
	MOV(BPF_REG_7, BPF_REG_0);
	MOV(BPF_REG_1, BPF_REG_6);
	MOVI(BPF_REG_2, 20);
	MOVI(BPF_REG_3, BPF_ADJ_ROOM_MAC);
	MOVI(BPF_REG_4, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	CALL(BPF_FUNC_skb_adjust_room);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(0));
	MOV(BPF_REG_1, BPF_REG_6);
	MOVI(BPF_REG_2, 100);
	MOVI(BPF_REG_3, 0);
	CALL(BPF_FUNC_skb_change_tail);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(1));
	MOV(BPF_REG_0, BPF_REG_7);
	EXIT();
}

/* vlan pushes and pops from cb[0..3] (0: none; 1: pop; else push of
 * proto << 16 | tci), then the offloaded tag into cb[4]. */
static void build_vlan(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_7, 0);
	for (int i = 0; i < 4; i++) {
		LDX(BPF_W, BPF_REG_2, BPF_REG_6, CB(i));
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, 11, 0);
		MOV(BPF_REG_1, BPF_REG_6);
		emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 2, 1);
		CALL(BPF_FUNC_skb_vlan_pop);
		emit(p, BPF_JMP | BPF_JA, 0, 0, 4, 0);
		MOV(BPF_REG_3, BPF_REG_2);
		emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
		emit(p, BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
		CALL(BPF_FUNC_skb_vlan_push);
		/* Results, 8 bits each. */
		emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_0, 0, 0, 0xff);
		LSHI(BPF_REG_7, 8);
		OR(BPF_REG_7, BPF_REG_0);
	}
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, SKB_OFF(vlan_present));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, SKB_OFF(vlan_tci));
	LSHI(BPF_REG_3, 1);
	OR(BPF_REG_2, BPF_REG_3);
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, SKB_OFF(vlan_proto));
	STX(BPF_W, BPF_REG_6, BPF_REG_3, CB(3));
	STX(BPF_W, BPF_REG_6, BPF_REG_2, CB(4));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, SKB_OFF(protocol));
	STX(BPF_W, BPF_REG_6, BPF_REG_3, CB(2));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6, SKB_OFF(len));
	STX(BPF_W, BPF_REG_6, BPF_REG_3, CB(1));
	MOV(BPF_REG_0, BPF_REG_7);
	EXIT();
}

static void test_vlan(void)
{
	const uint32_t q = 0x0081u << 16, ad = 0xa888u << 16, other = 0x0008u << 16;
	static const uint32_t seq[][4] = {
		{ 0x0081u << 16 | 5 },
		{ 0x0081u << 16 | 5, 0xa888u << 16 | 7 },
		{ 0x0081u << 16 | 5, 0xa888u << 16 | 7, 0x0081u << 16 | 0xffff },
		{ 0x0008u << 16 | 9 },
		{ 1 },
		{ 1, 1 },
		{ 1, 1, 1 },
		{ 0x0081u << 16 | 5, 1 },
		{ 0x0081u << 16 | 5, 0x0081u << 16 | 6, 1 },
		{ 0x0081u << 16 | 5, 0x0081u << 16 | 6, 1, 1 },
		{ 0x0081u << 16 | 5, 0x0081u << 16 | 6, 0x0081u << 16 | 7, 1 },
		{ 0x0081u << 16 | 0xf123, 0x0081u << 16 | 0 },
	};
	(void)q, (void)ad, (void)other;
	struct input in[64];
	struct __sk_buff ctx[64];
	size_t ns = sizeof(seq) / sizeof(seq[0]);
	size_t n = cb_inputs(in, ctx, seq, ns, pkt_v4, sizeof(pkt_v4));
	compare("skb_vlan_push/pop (untagged)", BPF_PROG_TYPE_SCHED_CLS, build_vlan, NULL, -1, -1,
		in, n);
	n = cb_inputs(in, ctx, seq, ns, pkt_vlan, sizeof(pkt_vlan));
	compare("skb_vlan_push/pop (two tags)", BPF_PROG_TYPE_SCHED_CLS, build_vlan, NULL, -1, -1,
		in, n);
	/* A tagged frame too short for its tag. */
	n = cb_inputs(in, ctx, seq + 4, 3, pkt_vlan, 17);
	compare("skb_vlan_pop (short)", BPF_PROG_TYPE_SCHED_CLS, build_vlan, NULL, -1, -1, in, n);
	n = cb_inputs(in, ctx, seq, 1, pkt_v4, sizeof(pkt_v4));
	compare("skb_adjust_room twice", BPF_PROG_TYPE_SCHED_CLS, build_double_encap, NULL, -1,
		-1, in, n);
}

static void build_ecn(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	CALL(BPF_FUNC_skb_ecn_set_ce);
	EXIT();
}

/* cgroup_skb programs return 0 or 1. */
static void build_ecn_cg(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	CALL(BPF_FUNC_skb_ecn_set_ce);
	emit(p, BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_0, 0, 0, 1);
	EXIT();
}

static void test_ecn(void)
{
	static uint8_t v4[4][sizeof(pkt_v4)], v6[4][sizeof(pkt_v6)];
	struct input in[10];
	for (int e = 0; e < 4; e++) {
		memcpy(v4[e], pkt_v4, sizeof(pkt_v4));
		v4[e][15] = (uint8_t)(0xb8 | e);
		ip_checksum(v4[e] + 14);
		memcpy(v6[e], pkt_v6, sizeof(pkt_v6));
		v6[e][15] = (uint8_t)((v6[e][15] & 0xcf) | e << 4);
		in[e] = (struct input){ v4[e], sizeof(pkt_v4), NULL };
		in[4 + e] = (struct input){ v6[e], sizeof(pkt_v6), NULL };
	}
	in[8] = (struct input){ pkt_arp, sizeof(pkt_arp), NULL };
	in[9] = (struct input){ v4[2], 34, NULL };
	compare("skb_ecn_set_ce (tc)", BPF_PROG_TYPE_SCHED_CLS, build_ecn, NULL, -1, -1, in, 10);
	/* The network header at data, no data_end. */
	compare("skb_ecn_set_ce (cgroup_skb)", BPF_PROG_TYPE_CGROUP_SKB, build_ecn_cg, NULL, -1, -1,
		in, 10);
}

static void build_tc_redirect(struct prog *p, int map_fd, const void *arg)
{
	const struct xdp_arg *x = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_1, x->a);
	MOVI(BPF_REG_2, x->b);
	CALL(BPF_FUNC_redirect);
	EXIT();
}

static void test_tc_redirect(void)
{
	static const struct xdp_arg r[] = { { 1, 0 }, { 1, 1 }, { 1, 2 }, { 3, 8 }, { 0, 0 } };
	struct input in = { pkt_v4, sizeof(pkt_v4), NULL };
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "redirect (tc)(%d, %d)", r[i].a, r[i].b);
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_tc_redirect, &r[i], -1, -1, &in, 1);
	}
	/* clone_redirect: flags and a device that does not exist (a copy
	 * sent to a real one would leave the machine). */
	static const uint32_t cl[][4] = { { 0, 0 }, { 1, 2 }, { 1, 0x10000 }, { 0x7ffffff0, 0 },
					  { 0x7ffffff0, 1 } };
	struct input ins[8];
	struct __sk_buff ctx[8];
	size_t n = cb_inputs(ins, ctx, cl, 5, pkt_v4, sizeof(pkt_v4));
	int32_t id = BPF_FUNC_clone_redirect;
	compare("clone_redirect", BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, ins, n);
}

/* The hash a program sets is the hash it reads back. */
static void build_hash(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	MOV(BPF_REG_6, BPF_REG_1);
	LDX(BPF_W, BPF_REG_2, BPF_REG_6, CB(0));
	CALL(BPF_FUNC_set_hash);
	MOV(BPF_REG_1, BPF_REG_6);
	CALL(BPF_FUNC_get_hash_recalc);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(1));
	LDX(BPF_W, BPF_REG_0, BPF_REG_6, SKB_OFF(hash));
	EXIT();
}

/* LD_ABS after the packet moved reads the new packet. */
static void build_ld_abs(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_2, 6);
	MOVI(BPF_REG_3, 0);
	CALL(BPF_FUNC_skb_change_head);
	emit(p, BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 4);
	MOV(BPF_REG_7, BPF_REG_0);
	emit(p, BPF_LD | BPF_ABS | BPF_H, 0, 0, 0, 18);
	LSHI(BPF_REG_7, 16);
	OR(BPF_REG_0, BPF_REG_7);
	r0_to_cb(p);
	EXIT();
}

/* ---- tunnels ---- */

struct tun_arg {
	uint32_t set_size;    /* bpf_skb_set_tunnel_key's size; 0: not called */
	uint32_t get_size;    /* bpf_skb_get_tunnel_key's */
	uint32_t opt_size;    /* bpf_skb_set_tunnel_opt's; 0: not called */
	uint32_t getopt_size; /* bpf_skb_get_tunnel_opt's (at most 48) */
	bool reset;           /* set the key again after the options */
};

/* Stack: fp-64 the key set (a pattern; bytes 20..23 = cb[2], the label
 * = cb[3]), fp-128 the key read back, fp-176 the options read back,
 * fp-512 the options set (a pattern). set_tunnel_key(flags cb[0]),
 * set_tunnel_opt, get_tunnel_key(flags cb[1]), get_tunnel_opt; their
 * results in cb[0..3], the 96 bytes read back at the packet's start. */
static void build_tunnel(struct prog *p, int map_fd, const void *arg)
{
	const struct tun_arg *a = arg;
	(void)map_fd;
	MOV(BPF_REG_6, BPF_REG_1);
	stack_pattern(p, -512, 512);
	LDX(BPF_W, BPF_REG_0, BPF_REG_6, CB(2));
	STX(BPF_W, BPF_REG_10, BPF_REG_0, -64 + 20);
	LDX(BPF_W, BPF_REG_0, BPF_REG_6, CB(3));
	STX(BPF_W, BPF_REG_10, BPF_REG_0, -64 + 24);
	LDX(BPF_W, BPF_REG_7, BPF_REG_6, CB(0)); /* set flags */
	LDX(BPF_W, BPF_REG_8, BPF_REG_6, CB(1)); /* get flags */
	MOVI(BPF_REG_0, 0);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(0));
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(1));
	if (a->set_size) {
		MOV(BPF_REG_1, BPF_REG_6);
		MOV(BPF_REG_2, BPF_REG_10);
		ADDI(BPF_REG_2, -64);
		MOVI(BPF_REG_3, (int32_t)a->set_size);
		MOV(BPF_REG_4, BPF_REG_7);
		CALL(BPF_FUNC_skb_set_tunnel_key);
		STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(0));
	}
	if (a->opt_size) {
		MOV(BPF_REG_1, BPF_REG_6);
		MOV(BPF_REG_2, BPF_REG_10);
		ADDI(BPF_REG_2, -512);
		MOVI(BPF_REG_3, (int32_t)a->opt_size);
		CALL(BPF_FUNC_skb_set_tunnel_opt);
		STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(1));
	}
	if (a->reset) {
		MOV(BPF_REG_1, BPF_REG_6);
		MOV(BPF_REG_2, BPF_REG_10);
		ADDI(BPF_REG_2, -64);
		MOVI(BPF_REG_3, (int32_t)sizeof(struct bpf_tunnel_key));
		MOV(BPF_REG_4, BPF_REG_7);
		CALL(BPF_FUNC_skb_set_tunnel_key);
	}
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -128);
	MOVI(BPF_REG_3, (int32_t)a->get_size);
	MOV(BPF_REG_4, BPF_REG_8);
	CALL(BPF_FUNC_skb_get_tunnel_key);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(2));
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -176);
	MOVI(BPF_REG_3, (int32_t)a->getopt_size);
	CALL(BPF_FUNC_skb_get_tunnel_opt);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(3));
	stack_to_packet(p, -176, 96, SKB_OFF(data), SKB_OFF(data_end));
	MOVI(BPF_REG_0, 0);
	EXIT();
}

static void test_tunnel(void)
{
	const uint32_t v6 = BPF_F_TUNINFO_IPV6, fl = 1u << 4; /* BPF_F_TUNINFO_FLAGS */
	/* cb: set flags, get flags, tos | ttl << 8 | ext << 16, label. */
	static const uint32_t keys[][4] = {
		{ 0, 0, 0x4005, 0 },        { 0, fl, 0x4005, 0 },       { 2, fl, 0x4005, 0 },
		{ 4, fl, 0x4005, 0 },       { 8, fl, 0x4005, 0 },       { 16, fl, 0x4005, 0 },
		{ 30, fl, 0x4005, 0 },      { 32, fl, 0x4005, 0 },      { 0x80000000, 0, 0, 0 },
		{ 0, v6, 0x4005, 0 },       { v6, 0, 0x4005, 0 },       { v6, v6, 0x4005, 0 },
		{ v6, v6 | fl, 0x4005, 0x12345 }, { v6 | 31, v6 | fl, 0x4005, 0xfff12345 },
		{ 0, 0, 0x4005, 0x12345 },  { 0, 0, 0x14005, 0 },       { v6, v6, 0x10000, 0 },
		{ 0, 2, 0x4005, 0 },        { 0, 0x20, 0x4005, 0 },     { 0, 0, 0xffff, 0 },
	};
	static const struct tun_arg args[] = {
		{ 44, 44, 0, 48, false }, { 28, 44, 0, 48, false }, { 24, 44, 0, 48, false },
		{ 22, 44, 0, 48, false }, { 8, 44, 0, 48, false },  { 12, 44, 0, 48, false },
		{ 43, 44, 0, 48, false }, { 45, 44, 0, 48, false }, { 0, 44, 0, 48, false },
		{ 44, 28, 0, 48, false }, { 44, 24, 0, 48, false }, { 44, 22, 0, 48, false },
		{ 44, 8, 0, 48, false },  { 44, 12, 0, 48, false }, { 44, 40, 0, 48, false },
		{ 44, 44, 8, 48, false }, { 44, 44, 4, 48, false }, { 44, 44, 48, 48, false },
		{ 44, 44, 6, 48, false }, { 44, 44, 252, 48, false }, { 44, 44, 256, 48, false },
		{ 44, 44, 255, 48, false }, { 44, 44, 8, 4, false }, { 44, 44, 8, 8, false },
		{ 44, 44, 8, 1, false },  { 0, 44, 8, 48, false },  { 44, 44, 8, 48, true },
		{ 12, 44, 8, 48, false },
	};
	struct input in[MAX_INPUTS];
	struct __sk_buff ctx[MAX_INPUTS];
	size_t nk = sizeof(keys) / sizeof(keys[0]);
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		char what[96];
		const struct tun_arg *a = &args[i];
		snprintf(what, sizeof(what), "tunnel key %u/%u opt %u/%u%s", a->set_size, a->get_size,
			 a->opt_size, a->getopt_size, a->reset ? " reset" : "");
		size_t n = cb_inputs(in, ctx, keys, nk, pkt_v4, sizeof(pkt_v4));
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_tunnel, a, -1, -1, in, n);
	}
}

static void test_change_proto(void)
{
	const uint32_t ip = htons(0x0800), ip6 = htons(0x86dd);
	static uint32_t t[16][4];
	const uint32_t rows[][4] = {
		{ ip6, 0 },     { ip, 0 },         { ip6, 1 },          { ip, 1 },
		{ 0x0800, 0 },  { 0x86dd, 0 },     { htons(0x0806), 0 }, { ip6 | 0x10000, 0 },
		{ ip6, 0, 0, 1 }, { 0, 0 },        { 0xffffffff, 0 },   { ip6, 0x80000000 },
	};
	size_t nt = sizeof(rows) / sizeof(rows[0]);
	memcpy(t, rows, sizeof(rows));
	struct input in[32];
	struct __sk_buff ctx[32];
	int32_t id = BPF_FUNC_skb_change_proto;
	static const struct {
		const char *name;
		const uint8_t *pkt;
		uint32_t len;
	} pk[] = {
		{ "ipv4", pkt_v4, sizeof(pkt_v4) },   { "ipv6", pkt_v6, sizeof(pkt_v6) },
		{ "vlan", pkt_vlan, sizeof(pkt_vlan) }, { "arp", pkt_arp, sizeof(pkt_arp) },
		{ "ipv4 short", pkt_v4, 34 },          { "ipv6 short", pkt_v6, 54 },
		{ "big", pkt_big, sizeof(pkt_big) },
	};
	for (size_t k = 0; k < sizeof(pk) / sizeof(pk[0]); k++) {
		char what[64];
		snprintf(what, sizeof(what), "skb_change_proto (%s)", pk[k].name);
		size_t n = cb_inputs(in, ctx, (const uint32_t(*)[4])t, nt, pk[k].pkt, pk[k].len);
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, n);
		/* A GSO packet (gso_size from the context). */
		for (size_t i = 0; i < n; i++) {
			ctx[i].gso_size = 1400;
			ctx[i].gso_segs = 3;
		}
		snprintf(what, sizeof(what), "skb_change_proto (%s, gso)", pk[k].name);
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_cb_call, &id, -1, -1, in, n);
	}
}

/* get_tunnel_key, then set_tunnel_key (flags cb[0]) and set_tunnel_opt:
 * the first run finds no tunnel, a second run of the same test run the
 * one the first set (the kernel keeps the skb's metadata dst). */
static void build_tunnel_kept(struct prog *p, int map_fd, const void *arg)
{
	(void)map_fd, (void)arg;
	MOV(BPF_REG_6, BPF_REG_1);
	stack_pattern(p, -176, 176);
	MOVI(BPF_REG_0, 0);
	STX(BPF_W, BPF_REG_10, BPF_REG_0, -64 + 20);
	STX(BPF_W, BPF_REG_10, BPF_REG_0, -64 + 24);
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -128);
	MOVI(BPF_REG_3, (int32_t)sizeof(struct bpf_tunnel_key));
	LDX(BPF_W, BPF_REG_4, BPF_REG_6, CB(1));
	CALL(BPF_FUNC_skb_get_tunnel_key);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(2));
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -176);
	MOVI(BPF_REG_3, 16);
	CALL(BPF_FUNC_skb_get_tunnel_opt);
	STX(BPF_W, BPF_REG_6, BPF_REG_0, CB(3));
	stack_to_packet(p, -176, 96, SKB_OFF(data), SKB_OFF(data_end));
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -64);
	MOVI(BPF_REG_3, (int32_t)sizeof(struct bpf_tunnel_key));
	LDX(BPF_W, BPF_REG_4, BPF_REG_6, CB(0));
	CALL(BPF_FUNC_skb_set_tunnel_key);
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -64);
	MOVI(BPF_REG_3, 8);
	CALL(BPF_FUNC_skb_set_tunnel_opt);
	MOVI(BPF_REG_0, 0);
	EXIT();
}

static void test_tunnel_kept(void)
{
	static const uint32_t cb[][4] = { { 0, 0 }, { 1, 1 }, { 1, 0 }, { 8, 0x10 } };
	struct input in[4];
	struct __sk_buff ctx[4];
	for (repeat = 1; repeat <= 3; repeat++) {
		char what[64];
		snprintf(what, sizeof(what), "tunnel kept (repeat %d)", repeat);
		size_t n = cb_inputs(in, ctx, cb, 4, pkt_v4, sizeof(pkt_v4));
		compare(what, BPF_PROG_TYPE_SCHED_CLS, build_tunnel_kept, NULL, -1, -1, in, n);
	}
	repeat = 1;
}

static void test_skb_misc(void)
{
	static const uint32_t h[][4] = { { 0 }, { 1 }, { 0xdeadbeef } };
	struct input in[4];
	struct __sk_buff ctx[4];
	size_t n = cb_inputs(in, ctx, h, 3, pkt_v4, sizeof(pkt_v4));
	compare("set_hash + get_hash_recalc", BPF_PROG_TYPE_SCHED_CLS, build_hash, NULL, -1, -1,
		in, n);
	n = cb_inputs(in, ctx, h, 1, pkt_v4, sizeof(pkt_v4));
	compare("LD_ABS after skb_change_head", BPF_PROG_TYPE_SCHED_CLS, build_ld_abs, NULL, -1,
		-1, in, n);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int err = kernel_probe_prog_load();
	if (err) {
		printf("SKIP: bpf() refused (%d)\n", err);
		return KERNEL_TEST_SKIP;
	}
	rng_state = 0x9e3779b97f4a7c15ull;
	make_packets();
	RUN(test_xdp_adjust);
	RUN(test_xdp_bytes);
	RUN(test_csum_diff);
	RUN(test_xdp_redirect);
	RUN(test_skb_bytes);
	RUN(test_csum_replace);
	RUN(test_skb_resize);
	RUN(test_adjust_room);
	RUN(test_vlan);
	RUN(test_ecn);
	RUN(test_tc_redirect);
	RUN(test_skb_misc);
	RUN(test_tunnel);
	RUN(test_tunnel_kept);
	RUN(test_change_proto);
	printf("%lu runs compared\n", runs);
	return check_summary("pkt_helpers_kernel_diff_test");
}
