/* SPDX-License-Identifier: MIT */
/* The packet corpus: see pktgen.h. */
#include "pktgen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One frame being built. */
struct gen {
	uint64_t st;
	uint8_t *b;
	uint32_t len;      /* bytes written so far */
	uint32_t target;   /* the size the frame should reach */
	uint32_t l3off, l4off;
	uint16_t ethertype; /* of the L3 header, 0 when none */
	uint8_t l4proto;
	int l4csum_off;    /* offset of the L4 checksum, -1 when none */
	char *desc;
	size_t dlen;
};

static uint32_t rn(struct gen *g, uint32_t n)
{
	return n ? (uint32_t)(pktgen_next(&g->st) % n) : 0;
}

static uint32_t pick(struct gen *g, const uint32_t *v, size_t n)
{
	return v[rn(g, (uint32_t)n)];
}
#define PICK(g, arr) pick((g), (arr), sizeof(arr) / sizeof((arr)[0]))

static void say(struct gen *g, const char *fmt, ...)
{
	size_t used = strlen(g->desc);
	va_list ap;

	if (used + 1 >= g->dlen)
		return;
	va_start(ap, fmt);
	vsnprintf(g->desc + used, g->dlen - used, fmt, ap);
	va_end(ap);
}

static void put8(struct gen *g, uint32_t v)
{
	g->b[g->len++] = (uint8_t)v;
}

static void put16(struct gen *g, uint32_t v)
{
	put8(g, v >> 8);
	put8(g, v);
}

static void put32(struct gen *g, uint32_t v)
{
	put16(g, v >> 16);
	put16(g, v);
}

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void fill(struct gen *g, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put8(g, rn(g, 4) ? (g->len * 7 + 3) & 0xff : rn(g, 256));
}

static uint32_t csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

uint16_t pktgen_csum(const void *buf, size_t len, uint32_t sum)
{
	sum = csum_add(buf, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- L2 ---- */

static void put_mac(struct gen *g)
{
	static const uint8_t macs[4][6] = { { 0x02, 0, 0, 0, 0, 1 },
					    { 0x02, 0, 0, 0, 0, 2 },
					    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
					    { 0x01, 0x00, 0x5e, 0, 0, 0xfb } };
	uint32_t k = rn(g, 6);

	for (int i = 0; i < 6; i++)
		put8(g, k < 4 ? macs[k][i] : rn(g, 256));
}

static void put_l2(struct gen *g, uint16_t ethertype)
{
	static const uint32_t vids[] = { 1, 10, 100, 4094, 0, 42 };
	uint32_t r = rn(g, 20);

	put_mac(g);
	put_mac(g);
	if (r < 11) {
		say(g, "eth ");
	} else if (r < 16) {
		uint32_t tci = rn(g, 8) << 13 | PICK(g, vids);
		put16(g, 0x8100);
		put16(g, tci);
		say(g, "vlan%u ", tci & 0xfff);
	} else {
		uint32_t outer = rn(g, 3) ? 0x88a8 : 0x8100;
		uint32_t t1 = rn(g, 8) << 13 | PICK(g, vids), t2 = PICK(g, vids);
		put16(g, outer);
		put16(g, t1);
		put16(g, 0x8100);
		put16(g, t2);
		say(g, "qinq%x/%u/%u ", outer, t1 & 0xfff, t2);
	}
	put16(g, ethertype);
	g->l3off = g->len;
	g->ethertype = ethertype;
}

/* ---- L4 ---- */

static uint32_t port(struct gen *g, int udp)
{
	static const uint32_t tcp_ports[] = { 22, 80, 443, 8080, 25, 3306 };
	static const uint32_t udp_ports[] = { 53, 67, 123, 4789, 443, 5353 };
	if (rn(g, 4) == 0)
		return 1024 + rn(g, 64512);
	return udp ? PICK(g, udp_ports) : PICK(g, tcp_ports);
}

static void put_tcp(struct gen *g)
{
	static const uint32_t flag_sets[] = { 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x29, 0x01, 0x00, 0xc2 };
	uint32_t start = g->len, opt_len = 0;
	uint32_t flags = rn(g, 8) ? PICK(g, flag_sets) : rn(g, 256);
	uint8_t opts[40];

	/* Options: MSS, window scale, SACK permitted, timestamps, NOPs, SACK blocks. */
	uint32_t nopt = rn(g, 3) ? rn(g, 5) : 0;
	for (uint32_t i = 0; i < nopt; i++) {
		uint32_t kind = rn(g, 6);
		uint32_t need = kind == 0 ? 4 : kind == 1 ? 3 : kind == 2 ? 2 : kind == 3 ? 10 : kind == 4 ? 1 : 10;
		if (opt_len + need > 40)
			break;
		uint8_t *o = opts + opt_len;
		switch (kind) {
		case 0: o[0] = 2; o[1] = 4; wr16(o + 2, 536 + rn(g, 9000)); break;
		case 1: o[0] = 3; o[1] = 3; o[2] = (uint8_t)rn(g, 15); break;
		case 2: o[0] = 4; o[1] = 2; break;
		case 3: o[0] = 8; o[1] = 10; for (int j = 2; j < 10; j++) o[j] = (uint8_t)rn(g, 256); break;
		case 4: o[0] = 1; break;
		default: o[0] = 5; o[1] = 10; for (int j = 2; j < 10; j++) o[j] = (uint8_t)rn(g, 256); break;
		}
		opt_len += need;
	}
	while (opt_len % 4)
		opts[opt_len++] = rn(g, 2) ? 0 : 1;

	put16(g, port(g, 0));
	put16(g, port(g, 0));
	put32(g, (uint32_t)pktgen_next(&g->st));
	put32(g, rn(g, 4) ? (uint32_t)pktgen_next(&g->st) : 0);
	put8(g, (5 + opt_len / 4) << 4);
	put8(g, flags);
	put16(g, rn(g, 65536));
	g->l4csum_off = (int)g->len;
	put16(g, 0);
	put16(g, flags & 0x20 ? rn(g, 65536) : 0);
	memcpy(g->b + g->len, opts, opt_len);
	g->len += opt_len;
	g->l4proto = 6;
	say(g, "tcp %u>%u f%02x opt%u ", rd16(g->b + start), rd16(g->b + start + 2), flags, opt_len);
}

static void put_udp(struct gen *g)
{
	uint32_t start = g->len;
	put16(g, port(g, 1));
	put16(g, port(g, 1));
	put16(g, 0); /* length, when the payload is there */
	g->l4csum_off = (int)g->len;
	put16(g, 0);
	g->l4proto = 17;
	say(g, "udp %u>%u ", rd16(g->b + start), rd16(g->b + start + 2));
}

static void put_icmp(struct gen *g, int v6)
{
	static const uint32_t t4[] = { 8, 0, 3, 11, 5, 13 };
	static const uint32_t t6[] = { 128, 129, 1, 3, 133, 134, 135, 136 };
	uint32_t type = rn(g, 8) ? (v6 ? PICK(g, t6) : PICK(g, t4)) : rn(g, 256);
	put8(g, type);
	put8(g, rn(g, 3) ? 0 : rn(g, 16));
	g->l4csum_off = (int)g->len;
	put16(g, 0);
	put16(g, rn(g, 65536));
	put16(g, rn(g, 65536));
	g->l4proto = v6 ? 58 : 1;
	say(g, "icmp%s t%u ", v6 ? "6" : "", type);
}

static void put_l4(struct gen *g, int v6)
{
	uint32_t r = rn(g, 20);
	g->l4off = g->len;
	g->l4csum_off = -1;
	if (r < 9) {
		put_tcp(g);
	} else if (r < 15) {
		put_udp(g);
	} else if (r < 19) {
		put_icmp(g, v6);
	} else {
		g->l4proto = rn(g, 2) ? 47 : 132; /* GRE, SCTP: no header of ours */
		say(g, "proto%u ", g->l4proto);
	}
}

/* ---- L3 ---- */

static uint32_t addr4(struct gen *g)
{
	static const uint32_t nets[] = { 0x0a000000, 0x0a010000, 0xc0a80100, 0xac100000,
					 0x08080808, 0x7f000001, 0xe0000001, 0xc6336400 };
	uint32_t k = rn(g, 12);
	if (k >= 10)
		return (uint32_t)pktgen_next(&g->st);
	if (k >= 8)
		return 0x0a000000 | rn(g, 80); /* the NAT table's addresses */
	uint32_t base = nets[k];
	if (base == 0x08080808 || base == 0x7f000001 || base == 0xe0000001)
		return base;
	return base | rn(g, base == 0x0a000000 ? 65536 : 256);
}

static void put_ipv4_options(struct gen *g, uint32_t *opt_len)
{
	uint32_t want = rn(g, 3) ? 0 : 4 * (1 + rn(g, 10));
	uint32_t n = 0;
	while (n < want) {
		uint32_t room = want - n, k = rn(g, 5);
		if (k == 0 && room >= 4) { /* router alert */
			put8(g, 148); put8(g, 4); put16(g, 0); n += 4;
		} else if (k == 1 && room >= 7) { /* record route with room for 1..k addresses */
			uint32_t slots = 1 + rn(g, (room - 3) / 4);
			put8(g, 7); put8(g, 3 + 4 * slots); put8(g, 4);
			for (uint32_t i = 0; i < 4 * slots; i++)
				put8(g, rn(g, 256));
			n += 3 + 4 * slots;
		} else if (k == 2 && room >= 8) { /* timestamp */
			uint32_t l = 4 + 4 * (1 + rn(g, (room - 4) / 4));
			put8(g, 68); put8(g, l); put8(g, 5); put8(g, 0);
			for (uint32_t i = 4; i < l; i++)
				put8(g, rn(g, 256));
			n += l;
		} else if (k == 3) {
			put8(g, 0); n++; /* end of list, then padding */
		} else {
			put8(g, 1); n++;
		}
	}
	*opt_len = want;
}

static void put_ipv4(struct gen *g)
{
	static const uint32_t ttls[] = { 64, 1, 2, 255, 128 };
	uint32_t start = g->len, opt_len;
	uint32_t frag = rn(g, 10) == 0 ? (rn(g, 2) ? 0x2000 : 0) | rn(g, 200) : (rn(g, 2) ? 0x4000 : 0);

	put8(g, 0x45);
	put8(g, rn(g, 4) ? 0 : rn(g, 256));
	put16(g, 0);
	put16(g, rn(g, 65536));
	put16(g, frag);
	put8(g, PICK(g, ttls));
	put8(g, 0); /* protocol, below */
	put16(g, 0);
	put32(g, addr4(g));
	put32(g, addr4(g));
	put_ipv4_options(g, &opt_len);
	g->b[start] = (uint8_t)(0x40 | (5 + opt_len / 4));
	say(g, "ipv4%s%u ", opt_len ? "+opt" : "", opt_len);
	if (frag & 0x3fff)
		say(g, "frag%04x ", frag);
	put_l4(g, 0);
	g->b[start + 9] = g->l4proto;
}

static void put_addr6(struct gen *g)
{
	uint32_t k = rn(g, 5);
	if (k == 0) { /* 2001:db8::x */
		put32(g, 0x20010db8); put32(g, 0); put32(g, 0); put32(g, rn(g, 256));
	} else if (k == 1) { /* fe80::x */
		put32(g, 0xfe800000); put32(g, 0); put32(g, rn(g, 4)); put32(g, rn(g, 65536));
	} else if (k == 2) { /* 2001:db8:1:N::1 */
		put32(g, 0x20010db8); put32(g, 0x00010000 | rn(g, 16)); put32(g, 0); put32(g, 1);
	} else if (k == 3) { /* ::1 */
		put32(g, 0); put32(g, 0); put32(g, 0); put32(g, 1);
	} else {
		for (int i = 0; i < 4; i++)
			put32(g, (uint32_t)pktgen_next(&g->st));
	}
}

static void put_ipv6(struct gen *g)
{
	static const uint32_t exts[] = { 0, 43, 44, 60 };
	uint32_t start = g->len;
	uint32_t next_off;

	put32(g, 0x60000000 | rn(g, 256) << 20 | rn(g, 1 << 20));
	put16(g, 0);
	next_off = g->len;
	put8(g, 0);
	put8(g, rn(g, 3) ? 64 : rn(g, 256));
	put_addr6(g);
	put_addr6(g);
	say(g, "ipv6 ");
	uint32_t n = rn(g, 3) ? rn(g, 2) : rn(g, 5);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t type = i == 0 && rn(g, 2) ? 0 : PICK(g, exts);
		uint32_t here = g->len;
		g->b[next_off] = (uint8_t)type;
		next_off = here;
		put8(g, 0);
		if (type == 44) { /* fragment: mostly first fragments */
			put8(g, 0);
			put16(g, rn(g, 4) ? (rn(g, 2)) : (rn(g, 100) << 3 | rn(g, 2)));
			put32(g, (uint32_t)pktgen_next(&g->st));
			say(g, "frag ");
			continue;
		}
		uint32_t hdrlen = rn(g, 3);
		put8(g, hdrlen);
		if (type == 43) { /* routing: type, segments left, then addresses */
			put8(g, rn(g, 2) ? 4 : 2);
			put8(g, rn(g, 3));
			for (uint32_t j = 4; j < 8 * (hdrlen + 1); j++)
				put8(g, rn(g, 256));
		} else { /* options: padding only (PadN, Pad1) */
			uint32_t left = 8 * (hdrlen + 1) - 2;
			while (left) {
				if (left == 1 || rn(g, 4) == 0) {
					put8(g, 0);
					left--;
				} else {
					put8(g, 1);
					put8(g, left - 2);
					for (uint32_t j = 0; j < left - 2; j++)
						put8(g, 0);
					left = 0;
				}
			}
		}
		say(g, "%s%u ", type == 0 ? "hbh" : type == 43 ? "rt" : "dst", hdrlen);
	}
	put_l4(g, 1);
	g->b[next_off] = g->l4proto == 47 || g->l4proto == 132 ? (rn(g, 2) ? 59 : g->l4proto) : g->l4proto;
	(void)start;
}

/* Fills the payload up to the target and sets the lengths and checksums. */
static void finish(struct gen *g)
{
	if (g->len < g->target)
		fill(g, g->target - g->len);
	if (g->ethertype == 0x0800) {
		uint8_t *ip = g->b + g->l3off;
		uint32_t ihl = (ip[0] & 15u) * 4;
		wr16(ip + 2, g->len - g->l3off);
		wr16(ip + 10, 0);
		wr16(ip + 10, pktgen_csum(ip, ihl, 0));
		if (g->l4csum_off >= 0) {
			uint32_t l4len = g->len - g->l4off;
			uint32_t sum = 0;
			if (g->l4proto == 17)
				wr16(g->b + g->l4off + 4, l4len);
			if (g->l4proto != 1) {
				sum = csum_add(ip + 12, 8, 0) + g->l4proto + l4len;
			}
			uint16_t c = pktgen_csum(g->b + g->l4off, l4len, sum);
			if (g->l4proto == 17 && c == 0)
				c = 0xffff;
			if (g->l4proto == 17 && rn(g, 8) == 0)
				c = 0; /* no checksum, as IPv4 allows */
			wr16(g->b + g->l4csum_off, c);
		}
	} else if (g->ethertype == 0x86dd) {
		uint8_t *ip = g->b + g->l3off;
		wr16(ip + 4, g->len - g->l3off - 40);
		if (g->l4csum_off >= 0) {
			uint32_t l4len = g->len - g->l4off;
			if (g->l4proto == 17)
				wr16(g->b + g->l4off + 4, l4len);
			uint32_t sum = csum_add(ip + 8, 32, 0) + g->l4proto + l4len;
			uint16_t c = pktgen_csum(g->b + g->l4off, l4len, sum);
			if (g->l4proto == 17 && c == 0)
				c = 0xffff;
			wr16(g->b + g->l4csum_off, c);
		}
	}
	say(g, "len %u", g->len);
}

static uint32_t size_class(struct gen *g)
{
	static const uint32_t edges[] = { 14, 15, 34, 54, 60, 64, 1500, 1514, 1518,
					  3519, 3520, 3521, 3711, 3712 };
	uint32_t r = rn(g, 100);
	if (r < 10)
		return 14 + rn(g, 46);
	if (r < 40)
		return 60 + rn(g, 140);
	if (r < 65)
		return 200 + rn(g, 1315);
	if (r < 78)
		return 1514 + rn(g, 2007);
	if (r < 88)
		return 3400 + rn(g, 313);
	return PICK(g, edges);
}

/* A well-formed frame of the size class chosen, or of g->target bytes
 * (at least its headers) when set. */
static void build_frame(struct gen *g)
{
	uint32_t r = rn(g, 20);
	if (!g->target)
		g->target = size_class(g);
	if (r < 10) {
		put_l2(g, 0x0800);
		put_ipv4(g);
	} else if (r < 17) {
		put_l2(g, 0x86dd);
		put_ipv6(g);
	} else if (r < 18) { /* ARP request */
		put_l2(g, 0x0806);
		put16(g, 1); put16(g, 0x0800); put8(g, 6); put8(g, 4); put16(g, 1 + rn(g, 2));
		fill(g, 20);
		say(g, "arp ");
		g->ethertype = 0;
	} else {
		static const uint32_t others[] = { 0x88b5, 0x88cc, 0x8847, 0x0600, 0x05dc };
		put_l2(g, PICK(g, others));
		say(g, "ethertype%04x ", g->ethertype);
		g->ethertype = 0;
	}
	finish(g);
}

/* Makes one field of a well-formed frame wrong. */
static void break_frame(struct gen *g)
{
	uint8_t *b = g->b;
	uint32_t r = rn(g, 10);
	int v4 = g->ethertype == 0x0800, v6 = g->ethertype == 0x86dd;

	if (r == 0 && v4) {
		uint32_t ihl = rn(g, 16);
		b[g->l3off] = (uint8_t)(0x40 | ihl);
		say(g, " bad-ihl%u", ihl);
	} else if (r == 1 && v4) {
		uint32_t tl = rn(g, 2) ? rn(g, 40) : rd16(b + g->l3off + 2) + 1 + rn(g, 3000);
		wr16(b + g->l3off + 2, tl);
		say(g, " bad-totlen%u", tl);
	} else if (r == 2 && v4) {
		b[g->l3off + 10] ^= (uint8_t)(1 + rn(g, 255));
		say(g, " bad-ipcsum");
	} else if (r == 3 && g->l4csum_off >= 0 && (uint32_t)g->l4csum_off + 2 <= g->len) {
		b[g->l4csum_off + 1] ^= (uint8_t)(1 + rn(g, 255));
		say(g, " bad-l4csum");
	} else if (r == 4 && v6) {
		uint32_t pl = rn(g, 2) ? rn(g, 8) : rd16(b + g->l3off + 4) + 8 + rn(g, 100);
		wr16(b + g->l3off + 4, pl);
		say(g, " bad-paylen%u", pl);
	} else if (r == 5 && v6 && g->l4off > g->l3off + 40) {
		b[g->l3off + 40 + 1] = (uint8_t)(100 + rn(g, 156));
		say(g, " bad-extlen");
	} else if (r == 6 && g->l4proto == 6 && g->l4off + 13 <= g->len) {
		b[g->l4off + 12] = (uint8_t)(rn(g, 16) << 4);
		say(g, " bad-doff%u", b[g->l4off + 12] >> 4);
	} else if (r == 7 && g->l4proto == 17 && g->l4off + 6 <= g->len) {
		wr16(b + g->l4off + 4, rn(g, 2) ? rn(g, 8) : g->len);
		say(g, " bad-udplen");
	} else if (r == 8 && v4) {
		b[g->l3off] = (uint8_t)(rn(g, 16) << 4 | 5);
		say(g, " bad-version%u", b[g->l3off] >> 4);
	} else {
		uint32_t n = 1 + rn(g, 4);
		for (uint32_t i = 0; i < n; i++)
			b[rn(g, g->len)] ^= (uint8_t)(1 + rn(g, 255));
		say(g, " flipped%u", n);
	}
}

static void make_packet(struct pkt *p, uint8_t *buf, uint64_t seed, uint32_t index)
{
	struct gen g = { .st = seed, .b = buf, .desc = p->desc, .dlen = sizeof(p->desc) };
	uint32_t r;

	p->desc[0] = '\0';
	p->seed = seed;
	/* The first packets are well-formed, whatever the seed. */
	r = rn(&g, 100);
	if (r < 60 || index < 8) {
		p->kind = PKT_WELL_FORMED;
		build_frame(&g);
	} else if (r < 72) {
		p->kind = PKT_TRUNCATED;
		build_frame(&g);
		uint32_t cut = 14 + rn(&g, g.len > 14 ? g.len - 14 : 1);
		if (rn(&g, 2) && g.l4off > 14 && g.l4off < g.len)
			cut = g.l4off + rn(&g, 8); /* in the middle of a header */
		if (cut < g.len)
			g.len = cut;
		say(&g, " cut to %u", g.len);
	} else if (r < 90) {
		p->kind = PKT_MALFORMED;
		build_frame(&g);
		break_frame(&g);
	} else if (r < 96) {
		p->kind = PKT_RANDOM;
		g.len = 14 + rn(&g, rn(&g, 4) ? 200 : 3700);
		for (uint32_t i = 0; i < g.len; i++)
			buf[i] = (uint8_t)rn(&g, 256);
		say(&g, "random len %u", g.len);
	} else {
		p->kind = PKT_REFUSED_SIZE;
		if (rn(&g, 2)) {
			uint32_t cut = rn(&g, 14);
			build_frame(&g);
			g.len = cut;
			say(&g, " cut to %u", g.len);
		} else {
			uint32_t k = rn(&g, 4);
			if (k < 2)
				g.target = 3713 + rn(&g, 9000 - 3713);
			else if (k == 2)
				g.target = PKTGEN_XDP_MAX - 1 + rn(&g, 3);
			else
				g.target = PKTGEN_XDP_MAX + 2 + rn(&g, PKTGEN_MAX_LEN - PKTGEN_XDP_MAX - 2);
			build_frame(&g);
		}
	}
	p->len = g.len;
}

int pktgen_corpus(struct pkt_corpus *c, uint64_t seed, size_t count)
{
	uint8_t *buf = malloc(PKTGEN_MAX_LEN + 512);
	uint64_t st = seed;

	c->count = 0;
	c->pkts = calloc(count, sizeof(*c->pkts));
	if (!buf || !c->pkts) {
		free(buf);
		free(c->pkts);
		c->pkts = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		struct pkt *p = &c->pkts[i];
		make_packet(p, buf, pktgen_next(&st), (uint32_t)i);
		if (p->len > PKTGEN_MAX_LEN)
			p->len = PKTGEN_MAX_LEN;
		p->data = malloc(p->len ? p->len : 1);
		if (!p->data) {
			pktgen_corpus_free(c);
			free(buf);
			return -ENOMEM;
		}
		memcpy(p->data, buf, p->len);
		c->count++;
	}
	free(buf);
	return 0;
}

void pktgen_corpus_free(struct pkt_corpus *c)
{
	for (size_t i = 0; i < c->count; i++)
		free(c->pkts[i].data);
	free(c->pkts);
	c->pkts = NULL;
	c->count = 0;
}
