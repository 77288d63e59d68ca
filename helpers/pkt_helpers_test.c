/* SPDX-License-Identifier: MIT */
/*
 * Packet helpers on contexts laid out as the kernel's test run lays them
 * out (XDP: a 4096-byte frame, data at 256; skb: 64 bytes of headroom
 * before the Ethernet header), against values worked out here: textbook
 * checksums, packets built by hand, the kernel's documented errno.
 * tests/kernel/pkt_helpers_kernel_diff_test.c compares with the kernel
 * itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/csum.h"
#include "helpers/helpers.h"
#include "tests/check.h"
#include "uebpf/maps.h"
#include "uebpf/progtypes.h"
#include "uebpf/uebpf.h"

#define E(x) ((uint64_t)(int64_t)(x))
#define ENOTSUPP 524 /* the kernel's, not in libc */
#define P(x) ((uint64_t)(uintptr_t)(x))

/* ---- contexts ---- */

static uint8_t *frame;

static struct uebpf_xdp_ctx xdp_frame(const uint8_t *pkt, size_t len)
{
	memset(frame, 0, 4096);
	memcpy(frame + 256, pkt, len);
	return (struct uebpf_xdp_ctx){
		.data = frame + 256, .data_end = frame + 256 + len, .data_meta = frame + 256,
		.buf_start = frame + 40, .buf_end = frame + 4096 - 320,
	};
}

/* A tc skb (data at the Ethernet header), headroom 64, tailroom 0. */
static struct uebpf_skb_ctx skb_tc(const uint8_t *pkt, size_t len)
{
	uint8_t *head = calloc(1, 64 + len);
	memcpy(head + 64, pkt, len);
	struct uebpf_skb_ctx s = {
		.head = head, .end = head + 64 + len, .data = head + 64, .data_end = head + 64 + len,
		.data_meta = head + 64, .len = (uint32_t)len, .mac_header = head + 64,
		.network_header = head + 64 + 14, .protocol = (uint16_t)(pkt[12] | pkt[13] << 8),
	};
	return s;
}

static struct uebpf_exec new_exec(uint32_t type)
{
	return (struct uebpf_exec){ .prog_type = type, .cpu = -1 };
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The textbook Internet checksum of a buffer (RFC 1071), big-endian
 * 16-bit words. */
static uint16_t inet_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Ethernet + IPv4 + UDP 10.0.0.1:1234 -> 10.0.0.2:80, 8 bytes of data. */
static uint8_t pkt[50];

static void make_pkt(void)
{
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(pkt + 12, 0x0800);
	uint8_t *ip = pkt + 14;
	ip[0] = 0x45;
	ip[1] = 0x02; /* ECT(0) */
	put16(ip + 2, 36);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	put16(ip + 10, inet_csum(ip, 20));
	put16(ip + 20, 1234);
	put16(ip + 22, 80);
	put16(ip + 24, 16);
	memcpy(ip + 28, "abcdefgh", 8);
}

/* ---- checksums ---- */

/* The 32-bit sum is the ones' complement sum of the little-endian words
 * (mod 2^32 - 1), whatever the order of the additions. */
static void test_csum_partial_is_ones_complement_sum(void)
{
	uint8_t buf[700];
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		buf[i] = (uint8_t)x;
	}
	memset(buf + 100, 0xff, 200);
	static const size_t lens[] = { 0, 1, 4, 7, 8, 15, 16, 32, 40, 63, 64, 65, 128, 200, 512, 600 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		for (int start = 0; start < 2; start++) {
			const uint8_t *p = buf + start * 96;
			uint32_t seed = start ? 0xfffffffe : 0x1234;
			unsigned __int128 s = seed;
			for (size_t i = 0; i < lens[k]; i += 4) {
				uint32_t w = 0;
				for (size_t b = 0; b < 4 && i + b < lens[k]; b++)
					w |= (uint32_t)p[i + b] << (8 * b);
				s += w;
			}
			uint32_t r = csum_partial_x86(p, lens[k], seed);
			CHECK_REPORT(r % 0xffffffffu == (uint32_t)(s % 0xffffffffu),
				     "len %zu: 0x%08x", lens[k], r);
		}
	}
	/* Nothing to add: the seed itself. */
	CHECK_EQ(csum_partial_x86(buf, 0, 0x89abcdef), 0x89abcdef);
}

static void test_csum_diff_folds_to_16_bits(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_XDP);
	const uint8_t to[4] = { 0x12, 0x34, 0x56, 0x78 };
	const uint8_t from[4] = { 0x00, 0x00, 0x00, 0x01 };
	/* Host words 0x3412 + 0x7856. */
	CHECK_EQ(helper_csum_diff(0, 0, P(to), 4, 0, &ex), 0xac68);
	/* Removing what was added gives back the seed's fold. */
	CHECK_EQ(helper_csum_diff(P(to), 4, P(to), 4, 0x5678, &ex), 0x5678);
	/* ~from: host words 0xffff + 0xfeff; with nothing else, -from. */
	uint64_t r = helper_csum_diff(P(from), 4, 0, 0, 0, &ex);
	CHECK_EQ(r, (uint64_t)csum_from32to16(~(uint32_t)0x01000000 + 0));
	/* No sizes: the seed folded. */
	CHECK_EQ(helper_csum_diff(0, 0, 0, 0, 0xc7dd21e9, &ex), 0xe9c6);
	CHECK_EQ(helper_csum_diff(0, 0, 0, 0, 0xffffffff, &ex), 0xffff);
}

static void test_l3_csum_replace_keeps_header_valid(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	uint8_t *ip = (uint8_t *)s.data + 14;
	/* TTL 64 -> 63: the 16-bit word ttl|proto changes. */
	uint16_t from = htons(64 << 8 | 17), to = htons(63 << 8 | 17);
	ip[8] = 63;
	CHECK_EQ(helper_l3_csum_replace(P(&s), 24, from, to, 2, &ex), 0);
	CHECK_EQ(inet_csum(ip, 20), 0);
	/* The source address, 4 bytes at once. */
	uint32_t a_from, a_to;
	memcpy(&a_from, ip + 12, 4);
	memcpy(ip + 12, "\xc0\xa8\x01\x07", 4);
	memcpy(&a_to, ip + 12, 4);
	CHECK_EQ(helper_l3_csum_replace(P(&s), 24, a_from, a_to, 4, &ex), 0);
	CHECK_EQ(inet_csum(ip, 20), 0);
	/* The errno of each argument, in the kernel's order. */
	CHECK_EQ(helper_l3_csum_replace(P(&s), 24, 0, 0, 0x10, &ex), E(-EINVAL));
	CHECK_EQ(helper_l3_csum_replace(P(&s), 25, 0, 0, 2, &ex), E(-EFAULT));
	CHECK_EQ(helper_l3_csum_replace(P(&s), 49, 0, 0, 2, &ex), E(-EFAULT));
	CHECK_EQ(helper_l3_csum_replace(P(&s), 0x10000, 0, 0, 2, &ex), E(-EFAULT));
	CHECK_EQ(helper_l3_csum_replace(P(&s), 24, 1, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_l3_csum_replace(P(&s), 24, 0, 0, 3, &ex), E(-EINVAL));
	CHECK_EQ(inet_csum(ip, 20), 0);
	free(s.head);
}

static void test_l4_csum_replace_mangled_zero(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	uint8_t *csum = (uint8_t *)s.data + 40;
	/* No UDP checksum: left alone with BPF_F_MARK_MANGLED_0. */
	CHECK_EQ(helper_l4_csum_replace(P(&s), 40, 0x1234, 0x5678, BPF_F_MARK_MANGLED_0 | 2, &ex),
		 0);
	CHECK(csum[0] == 0 && csum[1] == 0);
	/* Enforced, a result of 0 is written as 0xffff. Checksum 0 means
	 * ~sum = 0; replacing 0 by 0 keeps the sum. */
	CHECK_EQ(helper_l4_csum_replace(P(&s), 40, 0, 0,
					BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | 2, &ex),
		 0);
	CHECK(csum[0] == 0xff && csum[1] == 0xff);
	CHECK_EQ(helper_l4_csum_replace(P(&s), 40, 0, 0, 0x100 | 2, &ex), E(-EINVAL));
	CHECK_EQ(helper_l4_csum_replace(P(&s), 40, 0, 0, BPF_F_PSEUDO_HDR | (1u << 7) | 4, &ex), 0);
	free(s.head);
}

/* ---- XDP ---- */

static void test_xdp_adjust_head_bounds_and_metadata(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_XDP);
	struct uebpf_xdp_ctx x = xdp_frame(pkt, sizeof(pkt));
	/* Down to buf_start, no further; up to 14 bytes before the end. */
	CHECK_EQ(helper_xdp_adjust_head(P(&x), (uint64_t)-217, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_xdp_adjust_head(P(&x), (uint64_t)-216, 0, 0, 0, &ex), 0);
	CHECK(x.data == x.buf_start && x.data_meta == x.data);
	CHECK_EQ(helper_xdp_adjust_head(P(&x), 216 + 36 + 1, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_xdp_adjust_head(P(&x), 216 + 36, 0, 0, 0, &ex), 0);
	CHECK_EQ((uint8_t *)x.data_end - (uint8_t *)x.data, 14);
	/* Metadata travels with the data. */
	x = xdp_frame(pkt, sizeof(pkt));
	CHECK_EQ(helper_xdp_adjust_meta(P(&x), (uint64_t)-8, 0, 0, 0, &ex), 0);
	memcpy(x.data_meta, "METADATA", 8);
	CHECK_EQ(helper_xdp_adjust_head(P(&x), (uint64_t)-20, 0, 0, 0, &ex), 0);
	CHECK(!memcmp(x.data_meta, "METADATA", 8));
	CHECK_EQ((uint8_t *)x.data - (uint8_t *)x.data_meta, 8);
	CHECK(!memcmp((uint8_t *)x.data + 20, pkt, sizeof(pkt)));
	/* With metadata, data may not go below buf_start + its length. */
	CHECK_EQ(helper_xdp_adjust_head(P(&x), (uint64_t)-(256 - 20 - 40 - 8 + 1), 0, 0, 0, &ex),
		 E(-EINVAL));
}

static void test_xdp_adjust_tail_and_meta(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_XDP);
	struct uebpf_xdp_ctx x = xdp_frame(pkt, sizeof(pkt));
	CHECK_EQ(helper_xdp_adjust_tail(P(&x), (uint64_t)-20, 0, 0, 0, &ex), 0);
	CHECK_EQ(helper_xdp_adjust_tail(P(&x), 20, 0, 0, 0, &ex), 0);
	static const uint8_t zeros[20];
	CHECK(!memcmp((uint8_t *)x.data + 30, zeros, 20)); /* grown bytes cleared */
	CHECK_EQ(helper_xdp_adjust_tail(P(&x), (uint64_t)-37, 0, 0, 0, &ex), E(-EINVAL));
	uint64_t room = (uint64_t)((uint8_t *)x.buf_end - (uint8_t *)x.data_end);
	CHECK_EQ(helper_xdp_adjust_tail(P(&x), room + 1, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_xdp_adjust_tail(P(&x), room, 0, 0, 0, &ex), 0);
	CHECK(x.data_end == x.buf_end);
	CHECK_EQ(helper_xdp_get_buff_len(P(&x), 0, 0, 0, 0, &ex), 50 + room);

	x = xdp_frame(pkt, sizeof(pkt));
	CHECK_EQ(helper_xdp_adjust_meta(P(&x), (uint64_t)-3, 0, 0, 0, &ex), E(-EACCES));
	CHECK_EQ(helper_xdp_adjust_meta(P(&x), 4, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_xdp_adjust_meta(P(&x), (uint64_t)-256, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_xdp_adjust_meta(P(&x), (uint64_t)-216, 0, 0, 0, &ex), 0);
	CHECK(x.data_meta == x.buf_start);
}

static void test_xdp_load_store_bytes(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_XDP);
	struct uebpf_xdp_ctx x = xdp_frame(pkt, sizeof(pkt));
	uint8_t buf[8];
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(helper_xdp_load_bytes(P(&x), 42, P(buf), 8, 0, &ex), 0);
	CHECK(!memcmp(buf, "abcdefgh", 8));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(helper_xdp_load_bytes(P(&x), 43, P(buf), 8, 0, &ex), E(-EINVAL));
	CHECK_EQ(buf[0], 0xaa); /* untouched, unlike skb_load_bytes */
	CHECK_EQ(helper_xdp_load_bytes(P(&x), 0x10000, P(buf), 8, 0, &ex), E(-EFAULT));
	CHECK_EQ(helper_xdp_store_bytes(P(&x), 0, P("ABCDEFGH"), 8, 0, &ex), 0);
	CHECK(!memcmp(x.data, "ABCDEFGH", 8));
	CHECK_EQ(helper_xdp_store_bytes(P(&x), 43, P("ABCDEFGH"), 8, 0, &ex), E(-EINVAL));
}

/* ---- skb ---- */

static void test_skb_load_store_bytes(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	uint8_t buf[8];
	CHECK_EQ(helper_skb_load_bytes(P(&s), 42, P(buf), 8, 0, &ex), 0);
	CHECK(!memcmp(buf, "abcdefgh", 8));
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(helper_skb_load_bytes(P(&s), 43, P(buf), 8, 0, &ex), E(-EFAULT));
	static const uint8_t zeros[8];
	CHECK(!memcmp(buf, zeros, 8)); /* cleared on error */
	CHECK_EQ(helper_skb_load_bytes(P(&s), 0x80000000u, P(buf), 8, 0, &ex), E(-EFAULT));
	/* Relative to the network header: the IPv4 addresses. */
	CHECK_EQ(helper_skb_load_bytes_relative(P(&s), 12, P(buf), 8, BPF_HDR_START_NET, &ex), 0);
	CHECK(!memcmp(buf, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8));
	CHECK_EQ(helper_skb_load_bytes_relative(P(&s), 0, P(buf), 6, BPF_HDR_START_MAC, &ex), 0);
	CHECK(!memcmp(buf, pkt, 6));
	CHECK_EQ(helper_skb_load_bytes_relative(P(&s), 0, P(buf), 4, 2, &ex), E(-EFAULT));
	CHECK_EQ(helper_skb_load_bytes_relative(P(&s), 0x10000, P(buf), 4, 0, &ex), E(-EFAULT));

	CHECK_EQ(helper_skb_store_bytes(P(&s), 42, P("ABCDEFGH"), 8, 0, &ex), 0);
	CHECK(!memcmp((uint8_t *)s.data + 42, "ABCDEFGH", 8));
	CHECK_EQ(helper_skb_store_bytes(P(&s), 43, P("ABCDEFGH"), 8, 0, &ex), E(-EFAULT));
	CHECK_EQ(helper_skb_store_bytes(P(&s), 0, P("A"), 1, 4, &ex), E(-EINVAL));
	s.hash = 77;
	CHECK_EQ(helper_skb_store_bytes(P(&s), 0, P("A"), 1, BPF_F_INVALIDATE_HASH, &ex), 0);
	CHECK_EQ(s.hash, 0);
	free(s.head);
}

/* Growing past the headroom replaces the buffer: every pointer moves,
 * the old bytes come along, LD_ABS reads the new packet. */
static void test_skb_change_head_grows_buffer(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	uint8_t *old_head = s.head;
	CHECK_EQ(helper_skb_change_head(P(&s), 14, 0, 0, 0, &ex), 0);
	CHECK(s.head == old_head && s.len == 64);
	CHECK(s.mac_header == s.data);
	CHECK_EQ(helper_skb_change_head(P(&s), 100, 0, 0, 0, &ex), 0);
	CHECK(s.head != old_head);
	CHECK_EQ(s.len, 164);
	CHECK((uint8_t *)s.data_end == (uint8_t *)s.data + 164);
	CHECK(!memcmp((uint8_t *)s.data + 114, pkt, sizeof(pkt)));
	static const uint8_t zeros[114];
	CHECK(!memcmp(s.data, zeros, 114));
	CHECK((uint8_t *)s.network_header == (uint8_t *)s.data + 114 + 14);
	CHECK(ex.packet == s.data && ex.packet_len == 164);
	CHECK(s.head <= s.data && (uint8_t *)s.data_end <= (uint8_t *)s.end);
	CHECK_EQ(helper_skb_change_head(P(&s), 14, 1, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_change_head(P(&s), 16064 - 164 + 1, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_change_head(P(&s), 0xffffffffu, 0, 0, 0, &ex), E(-EINVAL));
	free(s.head);
	exec_retired_free(&ex); /* the old buffer */
}

static void test_skb_change_tail(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	/* Not below the network header. */
	CHECK_EQ(helper_skb_change_tail(P(&s), 13, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_change_tail(P(&s), 20, 0, 0, 0, &ex), 0);
	CHECK_EQ(s.len, 20);
	CHECK_EQ(helper_skb_change_tail(P(&s), 300, 0, 0, 0, &ex), 0);
	CHECK_EQ(s.len, 300);
	static const uint8_t zeros[280];
	CHECK(!memcmp((uint8_t *)s.data + 20, zeros, 280));
	CHECK(!memcmp(s.data, pkt, 20));
	CHECK_EQ(helper_skb_change_tail(P(&s), 16065, 0, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_change_tail(P(&s), 30, 1, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_pull_data(P(&s), 0, 0, 0, 0, &ex), 0);
	CHECK_EQ(helper_skb_pull_data(P(&s), 301, 0, 0, 0, &ex), E(-ENOMEM));
	free(s.head);
	exec_retired_free(&ex);
}

static void test_skb_adjust_room(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	/* 8 zero bytes after the IPv4 header. */
	CHECK_EQ(helper_skb_adjust_room(P(&s), 8, BPF_ADJ_ROOM_NET, 0, 0, &ex), 0);
	uint8_t want[58];
	memcpy(want, pkt, 34);
	memset(want + 34, 0, 8);
	memcpy(want + 42, pkt + 34, 16);
	CHECK_EQ(s.len, 58);
	CHECK(!memcmp(s.data, want, 58));
	CHECK((uint8_t *)s.network_header == (uint8_t *)s.data + 14);
	/* And out again. */
	CHECK_EQ(helper_skb_adjust_room(P(&s), (uint64_t)-8, BPF_ADJ_ROOM_NET, 0, 0, &ex), 0);
	CHECK(!memcmp(s.data, pkt, sizeof(pkt)));
	/* An IPv4 encapsulation header after the MAC header: the protocol
	 * stays, a second encapsulation is refused. */
	CHECK_EQ(helper_skb_adjust_room(P(&s), 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4,
					0, &ex),
		 0);
	CHECK(!memcmp((uint8_t *)s.data + 34, pkt + 14, 36));
	CHECK_EQ(helper_skb_adjust_room(P(&s), 20, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_ENCAP_L3_IPV4,
					0, &ex),
		 E(-EALREADY));
	CHECK_EQ(helper_skb_change_tail(P(&s), 100, 0, 0, 0, &ex), E(-ENOTSUPP));
	CHECK_EQ(helper_skb_adjust_room(P(&s), 8, 2, 0, 0, &ex), E(-ENOTSUPP));
	CHECK_EQ(helper_skb_adjust_room(P(&s), 4096, BPF_ADJ_ROOM_NET, 0, 0, &ex), E(-EFAULT));
	CHECK_EQ(helper_skb_adjust_room(P(&s), 8, BPF_ADJ_ROOM_NET, 1ull << 10, 0, &ex),
		 E(-EINVAL));
	free(s.head);
	/* A packet shorter than the headers it claims: no read past the
	 * buffer (ASan watches). */
	s = skb_tc(pkt, 20);
	CHECK_EQ(helper_skb_adjust_room(P(&s), 8, BPF_ADJ_ROOM_NET, 0, 0, &ex), 0);
	CHECK_EQ(s.len, 28);
	free(s.head);
	exec_retired_free(&ex);
}

/* IPv4 -> IPv6 puts 20 zero bytes after the Ethernet header, IPv6 ->
 * IPv4 takes them out again: the packet as it was. */
static void test_skb_change_proto_round_trip(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	static const uint8_t zeros[20];
	s.hash = 0x1234;
	CHECK_EQ(helper_skb_change_proto(P(&s), htons(0x86dd), 1, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_change_proto(P(&s), htons(0x0800), 0, 0, 0, &ex), E(-ENOTSUPP));
	CHECK_EQ(helper_skb_change_proto(P(&s), htons(0x86dd), 0, 0, 0, &ex), 0);
	CHECK_EQ(s.len, sizeof(pkt) + 20);
	CHECK_EQ(s.protocol, htons(0x86dd));
	CHECK_EQ(s.hash, 0);
	CHECK(!memcmp(s.data, pkt, 14));
	CHECK(!memcmp((uint8_t *)s.data + 14, zeros, 20));
	CHECK(!memcmp((uint8_t *)s.data + 34, pkt + 14, sizeof(pkt) - 14));
	CHECK(s.network_header == (uint8_t *)s.data + 14);
	CHECK(s.data_end == (uint8_t *)s.data + s.len);
	CHECK_EQ(helper_skb_change_proto(P(&s), htons(0x0800), 0, 0, 0, &ex), 0);
	CHECK_EQ(s.len, sizeof(pkt));
	CHECK_EQ(s.protocol, htons(0x0800));
	CHECK(!memcmp(s.data, pkt, sizeof(pkt)));
	/* Too short for the 20 bytes after the link layer. */
	s.protocol = htons(0x86dd);
	s.len = 33;
	CHECK_EQ(helper_skb_change_proto(P(&s), htons(0x0800), 0, 0, 0, &ex), E(-ENOMEM));
	free(s.head);
	exec_retired_free(&ex);
}

/* A key set is read back as the kernel reads a key set for transmission
 * (remote and local swapped); options only after a key; a new key drops
 * them. */
static void test_skb_tunnel_set_get(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	struct bpf_tunnel_key k = { .tunnel_id = 7, .remote_ipv4 = 0x0a000001,
				    .local_ipv4 = 0x0a000002, .tunnel_tos = 1, .tunnel_ttl = 64 };
	struct bpf_tunnel_key got;
	uint8_t opt[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, back[12];
	CHECK_EQ(helper_skb_get_tunnel_key(P(&s), P(&got), sizeof(got), 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_set_tunnel_opt(P(&s), P(opt), 8, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_set_tunnel_key(P(&s), P(&k), sizeof(k), 1ull << 5, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_set_tunnel_key(P(&s), P(&k), 12, 0, 0, &ex), E(-EINVAL));
	k.tunnel_label = 5; /* a label with IPv4 */
	CHECK_EQ(helper_skb_set_tunnel_key(P(&s), P(&k), sizeof(k), 0, 0, &ex), E(-EINVAL));
	k.tunnel_label = 0;
	CHECK_EQ(helper_skb_set_tunnel_key(P(&s), P(&k), sizeof(k), BPF_F_ZERO_CSUM_TX, 0, &ex), 0);
	CHECK_EQ(s.tunnel.set, 1);
	CHECK_EQ(s.tunnel.flags, 0x2004);
	CHECK_EQ(s.tunnel.remote[0], htonl(0x0a000001));
	CHECK_EQ(helper_skb_get_tunnel_key(P(&s), P(&got), sizeof(got), BPF_F_TUNINFO_IPV6, 0, &ex),
		 E(-EPROTO));
	CHECK_EQ(helper_skb_get_tunnel_key(P(&s), P(&got), sizeof(got), 1ull << 4, 0, &ex), 0);
	CHECK_EQ(got.tunnel_id, 7);
	CHECK_EQ(got.remote_ipv4, 0x0a000002);
	CHECK_EQ(got.local_ipv4, 0x0a000001);
	CHECK_EQ(got.tunnel_flags, htons(0x2004));
	CHECK_EQ(helper_skb_get_tunnel_opt(P(&s), P(back), sizeof(back), 0, 0, &ex), E(-ENOENT));
	CHECK_EQ(helper_skb_set_tunnel_opt(P(&s), P(opt), 6, 0, 0, &ex), E(-EINVAL));
	CHECK_EQ(helper_skb_set_tunnel_opt(P(&s), P(opt), 8, 0, 0, &ex), 0);
	CHECK_EQ(helper_skb_get_tunnel_opt(P(&s), P(back), 4, 0, 0, &ex), E(-ENOMEM));
	CHECK_EQ(helper_skb_get_tunnel_opt(P(&s), P(back), sizeof(back), 0, 0, &ex), 8);
	CHECK(!memcmp(back, opt, 8) && !back[8] && !back[11]);
	CHECK_EQ(helper_skb_set_tunnel_key(P(&s), P(&k), sizeof(k), 0, 0, &ex), 0);
	CHECK_EQ(helper_skb_get_tunnel_opt(P(&s), P(back), sizeof(back), 0, 0, &ex), E(-ENOENT));
	free(s.head);
}

static void test_skb_vlan_push_pop(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	/* The first tag is offloaded: the bytes do not change. */
	CHECK_EQ(helper_skb_vlan_push(P(&s), htons(0x8100), 5, 0, 0, &ex), 0);
	CHECK(s.vlan_present == 1 && s.vlan_tci == 5 && s.vlan_proto == htons(0x8100));
	CHECK(s.len == sizeof(pkt) && !memcmp(s.data, pkt, sizeof(pkt)));
	/* The second moves the first into the packet, after the MACs. An
	 * unknown protocol becomes 802.1Q. */
	CHECK_EQ(helper_skb_vlan_push(P(&s), htons(0x1234), 7, 0, 0, &ex), 0);
	uint8_t want[54];
	memcpy(want, pkt, 12);
	memcpy(want + 12, "\x81\x00\x00\x05", 4);
	memcpy(want + 16, pkt + 12, 38);
	CHECK_EQ(s.len, 54);
	CHECK(!memcmp(s.data, want, 54));
	CHECK(s.vlan_tci == 7 && s.vlan_proto == htons(0x8100) && s.protocol == htons(0x8100));
	CHECK(s.mac_header == s.data);
	/* Pop: the offloaded tag goes, the one in the packet is offloaded. */
	CHECK_EQ(helper_skb_vlan_pop(P(&s), 0, 0, 0, 0, &ex), 0);
	CHECK(s.vlan_present == 1 && s.vlan_tci == 5 && s.protocol == htons(0x0800));
	CHECK(s.len == sizeof(pkt) && !memcmp(s.data, pkt, sizeof(pkt)));
	CHECK_EQ(helper_skb_vlan_pop(P(&s), 0, 0, 0, 0, &ex), 0);
	CHECK(s.vlan_present == 0 && s.vlan_tci == 0 && s.vlan_proto == 0);
	CHECK_EQ(helper_skb_vlan_pop(P(&s), 0, 0, 0, 0, &ex), 0); /* nothing left: no-op */
	free(s.head);
	exec_retired_free(&ex);
}

static void test_skb_ecn_set_ce(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	uint8_t *ip = (uint8_t *)s.data + 14;
	CHECK_EQ(helper_skb_ecn_set_ce(P(&s), 0, 0, 0, 0, &ex), 1);
	CHECK_EQ(ip[1] & 3, 3);
	CHECK_EQ(inet_csum(ip, 20), 0);
	CHECK_EQ(helper_skb_ecn_set_ce(P(&s), 0, 0, 0, 0, &ex), 1); /* already CE */
	ip[1] = 0; /* Not-ECT: no change */
	CHECK_EQ(helper_skb_ecn_set_ce(P(&s), 0, 0, 0, 0, &ex), 0);
	CHECK_EQ(ip[1], 0);
	free(s.head);
}

static void test_flow_hash_is_symmetric(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	uint32_t h = (uint32_t)helper_get_hash_recalc(P(&s), 0, 0, 0, 0, &ex);
	CHECK(h != 0 && s.hash == h);
	uint8_t rev[sizeof(pkt)];
	memcpy(rev, pkt, sizeof(pkt));
	memcpy(rev + 26, pkt + 30, 4);
	memcpy(rev + 30, pkt + 26, 4);
	memcpy(rev + 34, pkt + 36, 2);
	memcpy(rev + 36, pkt + 34, 2);
	struct uebpf_exec ex2 = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	struct uebpf_skb_ctx r = skb_tc(rev, sizeof(rev));
	CHECK_EQ(helper_get_hash_recalc(P(&r), 0, 0, 0, 0, &ex2), h);
	/* Another port, another hash. */
	((uint8_t *)r.data)[35] ^= 1;
	CHECK_EQ(helper_set_hash_invalid(P(&r), 0, 0, 0, 0, &ex2), 0);
	CHECK(helper_get_hash_recalc(P(&r), 0, 0, 0, 0, &ex2) != h);
	/* A hash set stays, even 0. */
	CHECK_EQ(helper_set_hash(P(&r), 0, 0, 0, 0, &ex2), 0);
	CHECK_EQ(helper_get_hash_recalc(P(&r), 0, 0, 0, 0, &ex2), 0);
	free(s.head);
	free(r.head);
}

/* ---- redirects, through the engine ---- */

static struct uebpf_vm *vm;

static int run_prog(const char *text, uint32_t type, void *ctx, struct uebpf_run_opts *o,
		    uint64_t *r0)
{
	char err[200];
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return -EINVAL;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .prog_type = type };
	int rc = uebpf_code_load(vm, insns, cnt, &lo, &code);
	free(insns);
	if (rc)
		return rc;
	rc = uebpf_code_run(code, P(ctx), 0, o, r0);
	uebpf_code_free(code);
	return rc;
}

static void test_redirect_by_program_type(void)
{
	struct uebpf_run_opts o = { .sz = sizeof(o) };
	uint64_t r0;
	struct uebpf_xdp_ctx x = xdp_frame(pkt, sizeof(pkt));
	const char *prog = "r1 = 7\nr2 = 0\ncall bpf_redirect\nexit\n";
	CHECK_EQ(run_prog(prog, BPF_PROG_TYPE_XDP, &x, &o, &r0), 0);
	CHECK_EQ(r0, XDP_REDIRECT);
	CHECK(o.redirect.ifindex == 7 && o.redirect.map_id == 0);
	CHECK_EQ(run_prog("r1 = 7\nr2 = 1\ncall bpf_redirect\nexit\n", BPF_PROG_TYPE_XDP, &x, &o,
			  &r0),
		 0);
	CHECK_EQ(r0, XDP_ABORTED);
	CHECK_EQ(o.redirect.ifindex, 0); /* a new run starts with no target */
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	CHECK_EQ(run_prog("r1 = 3\nr2 = 1\ncall bpf_redirect\nexit\n", BPF_PROG_TYPE_SCHED_CLS, &s,
			  &o, &r0),
		 0);
	CHECK_EQ(r0, TC_ACT_REDIRECT);
	CHECK(o.redirect.ifindex == 3 && o.redirect.flags == BPF_F_INGRESS);
	CHECK_EQ(run_prog("r1 = 3\nr2 = 2\ncall bpf_redirect\nexit\n", BPF_PROG_TYPE_SCHED_CLS, &s,
			  &o, &r0),
		 0);
	CHECK_EQ(r0, TC_ACT_SHOT);
	/* LD_ABS reads the packet the helpers left. */
	o = (struct uebpf_run_opts){ .sz = sizeof(o), .packet = s.data, .packet_len = s.len };
	CHECK_EQ(run_prog("r6 = r1\nr2 = 2\nr3 = 0\ncall bpf_skb_change_head\nldabsh 2\nexit\n",
			  BPF_PROG_TYPE_SCHED_CLS, &s, &o, &r0),
		 0);
	CHECK_EQ(r0, 0x0200); /* the destination MAC's first bytes, 2 bytes later */
	free(s.head);
}

static void test_redirect_map_fallback(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_DEVMAP, "dm", 4, 4, 2, NULL);
	CHECK(fd >= 0);
	uint32_t k = 0, lo = 1;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &lo, 0), 0);
	char text[256];
	struct uebpf_run_opts o = { .sz = sizeof(o) };
	uint64_t r0;
	struct uebpf_xdp_ctx x = xdp_frame(pkt, sizeof(pkt));
	static const struct {
		uint32_t key, flags;
		uint64_t ret;
	} t[] = {
		{ 0, 0, XDP_REDIRECT }, { 1, 0, XDP_ABORTED }, { 1, XDP_PASS, XDP_PASS },
		{ 1, XDP_TX, XDP_TX },  { 1, 4, XDP_ABORTED }, { 1, BPF_F_BROADCAST, XDP_REDIRECT },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(text, sizeof(text),
			 "r1 = map[fd:%d]\nr2 = %u\nr3 = %u\ncall bpf_redirect_map\nexit\n", fd,
			 t[i].key, t[i].flags);
		CHECK_EQ(run_prog(text, BPF_PROG_TYPE_XDP, &x, &o, &r0), 0);
		CHECK_EQ(r0, t[i].ret);
	}
	uebpf_map_close(fd);
}

/* A checked program's skb whose pointers are out of order stops the
 * run rather than letting a helper write anywhere. */
static void test_checked_mode_refuses_bad_context(void)
{
	struct uebpf_exec ex = new_exec(BPF_PROG_TYPE_SCHED_CLS);
	ex.checked = 1;
	struct uebpf_skb_ctx s = skb_tc(pkt, sizeof(pkt));
	struct uebpf_region r[2] = { { &s, sizeof(s), UEBPF_MEM_RW },
				     { s.head, 64 + sizeof(pkt), UEBPF_MEM_RW } };
	ex.regions = r;
	ex.region_cnt = 2;
	CHECK_EQ(helper_skb_change_tail(P(&s), 20, 0, 0, 0, &ex), 0);
	CHECK_EQ(ex.stopped, 0);
	s.len = 5000;
	helper_skb_change_tail(P(&s), 20, 0, 0, 0, &ex);
	CHECK_EQ(ex.stopped, EXEC_FAULT);
	free(s.head);
}

int main(void)
{
	frame = aligned_alloc(4096, 4096);
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);
	make_pkt();
	RUN(test_csum_partial_is_ones_complement_sum);
	RUN(test_csum_diff_folds_to_16_bits);
	RUN(test_l3_csum_replace_keeps_header_valid);
	RUN(test_l4_csum_replace_mangled_zero);
	RUN(test_xdp_adjust_head_bounds_and_metadata);
	RUN(test_xdp_adjust_tail_and_meta);
	RUN(test_xdp_load_store_bytes);
	RUN(test_skb_load_store_bytes);
	RUN(test_skb_change_head_grows_buffer);
	RUN(test_skb_change_tail);
	RUN(test_skb_adjust_room);
	RUN(test_skb_change_proto_round_trip);
	RUN(test_skb_tunnel_set_get);
	RUN(test_skb_vlan_push_pop);
	RUN(test_skb_ecn_set_ce);
	RUN(test_flow_hash_is_symmetric);
	RUN(test_redirect_by_program_type);
	RUN(test_redirect_map_fallback);
	RUN(test_checked_mode_refuses_bad_context);
	uebpf_vm_free(vm);
	free(frame);
	return check_summary("pkt_helpers_test");
}
