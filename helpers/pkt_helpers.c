/* SPDX-License-Identifier: MIT */
/*
 * Packet helpers: the kernel's net/core/filter.c helpers for XDP
 * (struct uebpf_xdp_ctx) and for the program types that see an skb
 * (struct uebpf_skb_ctx): reading and writing packet bytes, checksums,
 * moving and resizing the packet, VLAN tags, hashes and redirects.
 *
 * Arguments are checked as the kernel checks them, with its errno. The
 * skb is always linear (as in the kernel's test run); it has no
 * offloaded checksum state (the kernel's CHECKSUM_NONE), so
 * bpf_csum_update answers -ENOTSUPP and the checksum helpers only fix
 * the checksum in the packet. A helper that needs more room than the
 * buffer has replaces it with a larger one and moves every pointer of
 * the context; the old buffer lives until the run ends.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "helpers/csum.h"
#include "helpers/helpers.h"
#include "maps/jhash.h"
#include "maps/map.h"
#include "uebpf/progtypes.h"

#define ETH_HLEN 14
#define ETH_ALEN 6
#define VLAN_HLEN 4
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004
#define ETH_P_802_3_MIN 0x0600
/* The largest skb the helpers build (the kernel's SKB_MAX_ALLOC: four
 * pages less the 320-byte skb_shared_info). */
#define SKB_MAX_LEN (4 * 4096 - 320)
/* Room added around a grown buffer (the kernel's NET_SKB_PAD). */
#define SKB_PAD 64

/* Flags newer than some UAPI headers. */
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)
#define ADJ_ROOM_DECAP_L3_MASK (ADJ_ROOM_DECAP_L3_IPV4 | ADJ_ROOM_DECAP_L3_IPV6)
#define ADJ_ROOM_ENCAP_L3_MASK (BPF_F_ADJ_ROOM_ENCAP_L3_IPV4 | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
#define ADJ_ROOM_MASK                                                                       \
	(BPF_F_ADJ_ROOM_FIXED_GSO | ADJ_ROOM_ENCAP_L3_MASK | BPF_F_ADJ_ROOM_ENCAP_L4_GRE |  \
	 BPF_F_ADJ_ROOM_ENCAP_L4_UDP | BPF_F_ADJ_ROOM_ENCAP_L2_ETH |                       \
	 BPF_F_ADJ_ROOM_ENCAP_L2(BPF_ADJ_ROOM_ENCAP_L2_MASK) | ADJ_ROOM_DECAP_L3_MASK)
#define L4_CSUM_IPV6 (1ULL << 7) /* BPF_F_IPV6 */

/* ---- checksums ---- */

static uint64_t load_le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* One x86 add-with-carry: a + b + *cf, the carry out in *cf. */
static uint64_t adc64(uint64_t a, uint64_t b, unsigned *cf)
{
	uint64_t s = a + b;
	unsigned c = s < a;
	uint64_t t = s + *cf;
	c |= t < s;
	*cf = c;
	return t;
}

/* Adds n words to acc in one carry chain and the last carry once more
 * (addq, adcq..., adcq $0); a carry out of that last add is lost, as on
 * the machine. */
static uint64_t add_chain(uint64_t acc, const uint8_t *p, unsigned n)
{
	unsigned cf = 0;
	for (unsigned i = 0; i < n; i++)
		acc = adc64(acc, load_le64(p + 8 * i, 8), &cf);
	return adc64(acc, 0, &cf);
}

uint32_t csum_partial_x86(const void *buf, size_t len, uint32_t seed)
{
	const uint8_t *p = buf;
	uint64_t t = seed;

	if (len == 40) {
		t = add_chain(t, p, 5);
	} else {
		if (len >= 64) {
			/* Two accumulators over each 64-byte block, their
			 * carries counted apart and added at the end. */
			uint64_t acc = 0;
			uint32_t carries = 0;
			size_t blocks = len / 64;
			for (size_t b = 0; b < blocks; b++, p += 64) {
				unsigned cf = 0;
				for (unsigned i = 0; i < 4; i++)
					t = adc64(t, load_le64(p + 8 * i, 8), &cf);
				carries += cf;
				cf = 0;
				for (unsigned i = 4; i < 8; i++)
					acc = adc64(acc, load_le64(p + 8 * i, 8), &cf);
				carries += cf;
			}
			unsigned cf = 0;
			t = adc64(t, acc, &cf);
			t = adc64(t, carries, &cf);
			t = adc64(t, 0, &cf);
		}
		if (len & 32) {
			t = add_chain(t, p, 4);
			p += 32;
		}
		if (len & 16) {
			t = add_chain(t, p, 2);
			p += 16;
		}
		if (len & 8) {
			t = add_chain(t, p, 1);
			p += 8;
		}
		if (len & 7) {
			unsigned cf = 0;
			t = adc64(t, load_le64(p, len & 7), &cf);
			t = adc64(t, 0, &cf);
		}
	}
	/* The high half of t + (t rotated by 32): hi + lo with the carry. */
	uint64_t r = t + ((t >> 32) | (t << 32));
	return (uint32_t)(r >> 32);
}

static uint16_t load16(const void *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void store16(void *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

/* csum_unfold then complement, as the kernel's replace helpers start. */
static uint32_t unfold_not(uint16_t sum)
{
	return ~(uint32_t)sum;
}

/* The checksum at p after a 4-byte field went from `from` to `to`
 * (inet_proto_csum_replace4 without offloads). */
static void csum_replace4_proto(uint8_t *p, uint32_t from, uint32_t to)
{
	uint32_t diff[2] = { ~from, to };
	store16(p, csum_fold32(csum_partial_x86(diff, sizeof(diff), unfold_not(load16(p)))));
}

/* ---- checked mode ---- */

static int chk(struct uebpf_exec *exec, const void *p, size_t n, unsigned access,
	       const char *what)
{
	if (!exec->checked || !n)
		return 0;
	if (uebpf_exec_check_mem(exec, p, n, access)) {
		uebpf_exec_fault(exec, "%s: %zu bytes at %p are not %s", what, n, p,
				 access & UEBPF_MEM_WRITE ? "writable" : "readable");
		return -EFAULT;
	}
	return 0;
}

static bool ordered(const void *a, const void *b)
{
	return (uintptr_t)a <= (uintptr_t)b;
}

/* The skb context r1 points to. In checked mode, a context the program
 * may use whose pointers are in order inside a buffer it may use. */
static struct uebpf_skb_ctx *skb_ctx(struct uebpf_exec *exec, uint64_t r1)
{
	struct uebpf_skb_ctx *skb = (struct uebpf_skb_ctx *)(uintptr_t)r1;
	if (!exec->checked)
		return skb;
	if (chk(exec, skb, sizeof(*skb), UEBPF_MEM_RW, "R1 skb context"))
		return NULL;
	if (!ordered(skb->head, skb->data_meta) || !ordered(skb->data_meta, skb->data) ||
	    skb->len > (uintptr_t)skb->end - (uintptr_t)skb->data ||
	    (skb->mac_header && !ordered(skb->head, skb->mac_header)) ||
	    (skb->network_header && !ordered(skb->head, skb->network_header)) ||
	    chk(exec, skb->head, (size_t)((uint8_t *)skb->end - (uint8_t *)skb->head), UEBPF_MEM_RW,
		"skb buffer")) {
		if (!exec->stopped)
			uebpf_exec_fault(exec, "R1 skb context: pointers out of order");
		return NULL;
	}
	return skb;
}

static struct uebpf_xdp_ctx *xdp_ctx(struct uebpf_exec *exec, uint64_t r1)
{
	struct uebpf_xdp_ctx *xdp = (struct uebpf_xdp_ctx *)(uintptr_t)r1;
	if (!exec->checked)
		return xdp;
	if (chk(exec, xdp, sizeof(*xdp), UEBPF_MEM_RW, "R1 xdp context"))
		return NULL;
	if (!ordered(xdp->buf_start, xdp->data_meta) || !ordered(xdp->data_meta, xdp->data) ||
	    !ordered(xdp->data, xdp->data_end) || !ordered(xdp->data_end, xdp->buf_end) ||
	    chk(exec, xdp->buf_start, (size_t)((uint8_t *)xdp->buf_end - (uint8_t *)xdp->buf_start),
		UEBPF_MEM_RW, "xdp buffer")) {
		if (!exec->stopped)
			uebpf_exec_fault(exec, "R1 xdp context: pointers out of order");
		return NULL;
	}
	return xdp;
}

/* ---- the skb ---- */

static uint8_t *u8p(void *p)
{
	return p;
}

/* The skb's length is len: data_end is only computed for the program
 * types with direct packet access (and by the helpers below, as the
 * kernel's bpf_compute_data_pointers). */
static size_t skb_len(const struct uebpf_skb_ctx *skb)
{
	return skb->len;
}

static uint8_t *skb_tail(const struct uebpf_skb_ctx *skb)
{
	return u8p(skb->data) + skb->len;
}

/* After the packet moved: data_end, and the packet LD_ABS / LD_IND
 * read. */
static void skb_sync(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb)
{
	skb->data_end = skb_tail(skb);
	exec->packet = skb->data;
	exec->packet_len = skb->len;
}

static uint8_t *skb_net(const struct uebpf_skb_ctx *skb)
{
	return skb->network_header ? skb->network_header : skb->data;
}

/* Makes sure headroom bytes before data and tailroom bytes after
 * data_end exist (the kernel's skb_cow and tail growth), replacing the
 * buffer with a larger one if needed. 0 or -ENOMEM. */
static int skb_room(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb, size_t headroom,
		    size_t tailroom)
{
	size_t have_head = (size_t)(u8p(skb->data) - u8p(skb->head));
	size_t have_tail = (size_t)(u8p(skb->end) - skb_tail(skb));
	if (have_head >= headroom && have_tail >= tailroom)
		return 0;
	size_t new_head = (have_head >= headroom ? have_head : headroom) + SKB_PAD;
	size_t new_tail = (have_tail >= tailroom ? have_tail : tailroom) + SKB_PAD;
	size_t len = skb_len(skb);
	size_t size = new_head + len + new_tail;
	if (exec_retire_reserve(exec))
		return -ENOMEM;
	uint8_t *buf = calloc(1, size);
	if (!buf)
		return -ENOMEM;
	if (uebpf_exec_add_region(exec, buf, size, UEBPF_MEM_RW)) {
		free(buf);
		return -ENOMEM;
	}
	/* The old buffer lands so that data is new_head bytes in. */
	uint8_t *old = skb->head;
	size_t old_size = (size_t)(u8p(skb->end) - old);
	uint8_t *base = buf + new_head - have_head; /* where old[0] goes */
	memcpy(base, old, old_size);
#define MOVE(f) (skb->f = skb->f ? base + (u8p(skb->f) - old) : NULL)
	MOVE(data);
	MOVE(data_end);
	MOVE(data_meta);
	MOVE(mac_header);
	MOVE(network_header);
#undef MOVE
	skb->head = buf;
	skb->end = buf + size;
	exec_retire(exec, old);
	return 0;
}

static bool eth_type_vlan(uint16_t proto_be)
{
	return proto_be == htons(ETH_P_8021Q) || proto_be == htons(ETH_P_8021AD);
}

static void skb_clear_hash(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb)
{
	skb->hash = 0;
	exec->skb_hash_state = SKB_HASH_INVALID;
}

HELPER(skb_load_bytes)
{
	(void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	uint8_t *to = (uint8_t *)(uintptr_t)r3;
	if (!skb || chk(exec, to, len, UEBPF_MEM_WRITE, "R3 destination"))
		return 0;
	if (off > INT32_MAX || (uint64_t)off + len > skb_len(skb)) {
		memset(to, 0, len);
		return (uint64_t)-EFAULT;
	}
	memcpy(to, u8p(skb->data) + off, len);
	return 0;
}

HELPER(skb_load_bytes_relative)
{
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	uint8_t *to = (uint8_t *)(uintptr_t)r3, *start = NULL;
	if (!skb || chk(exec, to, len, UEBPF_MEM_WRITE, "R3 destination"))
		return 0;
	if (off <= 0xffff) {
		if ((uint32_t)r5 == BPF_HDR_START_MAC)
			start = skb->mac_header;
		else if ((uint32_t)r5 == BPF_HDR_START_NET)
			start = skb_net(skb);
	}
	/* From the header to the end of the data (a MAC header before data
	 * is readable, as in the kernel). */
	if (!start || (uintptr_t)start + off + len > (uintptr_t)skb_tail(skb)) {
		memset(to, 0, len);
		return (uint64_t)-EFAULT;
	}
	memcpy(to, start + off, len);
	return 0;
}

HELPER(skb_store_bytes)
{
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	const uint8_t *from = (const uint8_t *)(uintptr_t)r3;
	if (!skb || chk(exec, from, len, UEBPF_MEM_READ, "R3 source"))
		return 0;
	if (r5 & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH))
		return (uint64_t)-EINVAL;
	if (off > INT32_MAX || (uint64_t)off + len > skb_len(skb))
		return (uint64_t)-EFAULT;
	memmove(u8p(skb->data) + off, from, len);
	/* BPF_F_RECOMPUTE_CSUM only updates an offloaded checksum, which
	 * this skb does not have. */
	if (r5 & BPF_F_INVALIDATE_HASH)
		skb_clear_hash(exec, skb);
	return 0;
}

/* The 2-byte checksum field at offset, or an errno (the checks common
 * to bpf_l3_csum_replace and bpf_l4_csum_replace). */
static int csum_field(struct uebpf_skb_ctx *skb, uint32_t off, uint8_t **p)
{
	if (off > 0xffff || off & 1 || (uint64_t)off + 2 > skb_len(skb))
		return -EFAULT;
	*p = u8p(skb->data) + off;
	return 0;
}

HELPER(l3_csum_replace)
{
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	uint8_t *p;
	int err;
	if (!skb)
		return 0;
	if (r5 & ~(uint64_t)BPF_F_HDR_FIELD_MASK)
		return (uint64_t)-EINVAL;
	if ((err = csum_field(skb, (uint32_t)r2, &p)))
		return (uint64_t)(int64_t)err;
	switch (r5 & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (r3)
			return (uint64_t)-EINVAL;
		store16(p, csum_fold32(csum32_add((uint32_t)r4, unfold_not(load16(p)))));
		break;
	case 2:
		store16(p, (uint16_t)~csum16_add(csum16_add((uint16_t)~load16(p), (uint16_t)~(uint16_t)r3),
						 (uint16_t)r4));
		break;
	case 4: {
		uint32_t tmp = csum32_sub(unfold_not(load16(p)), (uint32_t)r3);
		store16(p, csum_fold32(csum32_add(tmp, (uint32_t)r4)));
		break;
	}
	default:
		return (uint64_t)-EINVAL;
	}
	return 0;
}

HELPER(l4_csum_replace)
{
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	bool mangled0 = r5 & BPF_F_MARK_MANGLED_0, enforce = r5 & BPF_F_MARK_ENFORCE;
	uint8_t *p;
	int err;
	if (!skb)
		return 0;
	if (r5 & ~(uint64_t)(BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR |
			     BPF_F_HDR_FIELD_MASK | L4_CSUM_IPV6))
		return (uint64_t)-EINVAL;
	if ((err = csum_field(skb, (uint32_t)r2, &p)))
		return (uint64_t)(int64_t)err;
	/* A UDP checksum of 0 means "none": left alone unless enforced. */
	if (mangled0 && !enforce && !load16(p))
		return 0;
	/* BPF_F_PSEUDO_HDR and BPF_F_IPV6 only matter for offloaded
	 * checksums. */
	switch (r5 & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (r3)
			return (uint64_t)-EINVAL;
		store16(p, csum_fold32(csum32_add((uint32_t)r4, unfold_not(load16(p)))));
		break;
	case 2:
		csum_replace4_proto(p, (uint16_t)r3, (uint16_t)r4);
		break;
	case 4:
		csum_replace4_proto(p, (uint32_t)r3, (uint32_t)r4);
		break;
	default:
		return (uint64_t)-EINVAL;
	}
	if (mangled0 && !load16(p))
		store16(p, 0xffff);
	return 0;
}

/*
 * The ones' complement sum of `to` less that of `from`, on top of seed,
 * folded to 16 bits (not complemented). Since Linux 6.13 the kernel sums
 * the two buffers apart, accepts any sizes and folds the result the same
 * way on every architecture; earlier kernels returned x86's unfolded
 * 32-bit sum of a scratch copy and refused sizes that are not multiples
 * of 4 or exceed 512 bytes.
 */
HELPER(csum_diff)
{
	uint32_t from_size = (uint32_t)r2, to_size = (uint32_t)r4, sum = (uint32_t)r5;
	const uint8_t *from = (const uint8_t *)(uintptr_t)r1, *to = (const uint8_t *)(uintptr_t)r3;
	if (chk(exec, from, from_size, UEBPF_MEM_READ, "R1 from") ||
	    chk(exec, to, to_size, UEBPF_MEM_READ, "R3 to"))
		return 0;
	if (from_size && to_size)
		sum = csum32_sub(csum_partial_x86(to, to_size, sum),
				 csum_partial_x86(from, from_size, 0));
	else if (to_size)
		sum = csum_partial_x86(to, to_size, sum);
	else if (from_size)
		sum = ~csum_partial_x86(from, from_size, ~sum);
	return csum_from32to16(sum);
}

HELPER(csum_update)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	if (!skb_ctx(exec, r1))
		return 0;
	/* Only a CHECKSUM_COMPLETE skb has a checksum to update. */
	return (uint64_t)-ENOTSUPP;
}

HELPER(skb_pull_data)
{
	(void)r3, (void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	/* The data is all linear already: only a length beyond it fails. */
	uint32_t len = (uint32_t)r2;
	if (!len)
		len = (uint32_t)skb_len(skb);
	skb_sync(exec, skb);
	return len <= skb_len(skb) ? 0 : (uint64_t)-ENOMEM;
}

HELPER(skb_change_head)
{
	(void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	uint32_t room = (uint32_t)r2, len = (uint32_t)skb_len(skb), new_len = len + room;
	if (r3 || new_len > SKB_MAX_LEN || new_len < len)
		return (uint64_t)-EINVAL;
	size_t meta = (size_t)(u8p(skb->data) - u8p(skb->data_meta));
	if (skb_room(exec, skb, room, 0))
		return (uint64_t)-ENOMEM;
	skb->data = u8p(skb->data) - room;
	skb->len += room;
	memset(skb->data, 0, room);
	skb->mac_header = skb->data; /* the new bytes are the link layer */
	skb->data_meta = u8p(skb->data) - meta;
	skb_sync(exec, skb);
	return 0;
}

HELPER(skb_change_tail)
{
	(void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	uint32_t new_len = (uint32_t)r2;
	/* Not below the network header (no transport header is set). */
	intptr_t net_off = (intptr_t)(skb_net(skb) - u8p(skb->data));
	uint32_t min_len = net_off > 0 ? (uint32_t)net_off : 0;
	size_t len = skb_len(skb);
	if (r3 || new_len > SKB_MAX_LEN || new_len < min_len)
		return (uint64_t)-EINVAL;
	if (exec->skb_encap)
		return (uint64_t)-ENOTSUPP;
	if (new_len > len) {
		if (skb_room(exec, skb, 0, new_len - len))
			return (uint64_t)-ENOMEM;
		memset(skb_tail(skb), 0, new_len - len);
	}
	skb->len = new_len;
	/* A GSO packet of another length is segmented anew (skb_gso_reset). */
	if (skb->gso_size)
		skb->gso_size = skb->gso_segs = 0;
	skb_sync(exec, skb);
	return 0;
}

static uint32_t net_base_len(uint16_t proto_be)
{
	if (proto_be == htons(ETH_P_IP))
		return 20;
	if (proto_be == htons(ETH_P_IPV6))
		return 40;
	return UINT32_MAX;
}

/* Inserts len zero bytes off bytes after data (the headers before them
 * move down), or removes them. */
static int skb_push_at(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb, uint32_t off,
		       uint32_t len)
{
	if (skb_room(exec, skb, len, 0))
		return -ENOMEM;
	uint8_t *old = skb->data;
	skb->data = old - len;
	skb->len += len;
	skb->data_meta = u8p(skb->data_meta) - len;
	memmove(skb->data, old, off);
	memset(u8p(skb->data) + off, 0, len);
	if (skb->mac_header)
		skb->mac_header = u8p(skb->mac_header) - len;
	skb->network_header = skb_net(skb) - len;
	return 0;
}

static int skb_pop_at(struct uebpf_skb_ctx *skb, uint32_t off, uint32_t len)
{
	if ((uint64_t)off + len > skb_len(skb))
		return -ENOMEM;
	uint8_t *old = skb->data;
	skb->data = old + len;
	skb->len -= len;
	skb->data_meta = u8p(skb->data_meta) + len;
	memmove(skb->data, old, off);
	if (skb->mac_header)
		skb->mac_header = u8p(skb->mac_header) + len;
	skb->network_header = skb_net(skb) + len;
	return 0;
}

static int adjust_room(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb, int32_t len_diff,
		       uint32_t mode, uint64_t flags)
{
	uint32_t abs_diff = len_diff < 0 ? (uint32_t)-(int64_t)len_diff : (uint32_t)len_diff;
	uint32_t len_min = net_base_len(skb->protocol);
	bool shrink = len_diff < 0;
	if (flags & ~(ADJ_ROOM_MASK | BPF_F_ADJ_ROOM_NO_CSUM_RESET))
		return -EINVAL;
	if (abs_diff > 0xfff)
		return -EFAULT;
	if (skb->protocol != htons(ETH_P_IP) && skb->protocol != htons(ETH_P_IPV6))
		return -ENOTSUPP;
	uint8_t *mac = skb->mac_header ? skb->mac_header : skb->data;
	/* Headers in order and of a sane size, whatever the context says. */
	if (skb_net(skb) < mac || skb_net(skb) - mac > 0xffff)
		return -EINVAL;
	uint32_t mac_len = (uint32_t)(skb_net(skb) - mac);
	uint32_t off = mac_len;
	if (mode == BPF_ADJ_ROOM_NET)
		off += net_base_len(skb->protocol);
	else if (mode != BPF_ADJ_ROOM_MAC)
		return -ENOTSUPP;
	if (flags & ADJ_ROOM_DECAP_L3_MASK) {
		if (!shrink)
			return -EINVAL;
		if ((flags & ADJ_ROOM_DECAP_L3_MASK) == ADJ_ROOM_DECAP_L3_IPV4)
			len_min = 20;
		else if ((flags & ADJ_ROOM_DECAP_L3_MASK) == ADJ_ROOM_DECAP_L3_IPV6)
			len_min = 40;
		else
			return -EINVAL;
	}
	uint32_t len = (uint32_t)skb_len(skb);
	uint32_t len_cur = len - (uint32_t)(skb_net(skb) - u8p(skb->data));
	if ((shrink && (abs_diff >= len_cur || len_cur - abs_diff < len_min)) ||
	    (!shrink && len + abs_diff > SKB_MAX_LEN))
		return -ENOTSUPP;

	if (shrink) {
		if (flags & ~(BPF_F_ADJ_ROOM_FIXED_GSO | ADJ_ROOM_DECAP_L3_MASK |
			      BPF_F_ADJ_ROOM_NO_CSUM_RESET))
			return -EINVAL;
		/* GSO packets only of TCP; a test run's GSO type is none. */
		if (skb->gso_size)
			return -ENOTSUPP;
		int err = skb_pop_at(skb, off, abs_diff);
		if (err)
			return err;
		if (skb->protocol == htons(ETH_P_IP) && flags & ADJ_ROOM_DECAP_L3_IPV6)
			skb->protocol = htons(ETH_P_IPV6);
		else if (skb->protocol == htons(ETH_P_IPV6) && flags & ADJ_ROOM_DECAP_L3_IPV4)
			skb->protocol = htons(ETH_P_IP);
		return 0;
	}

	uint8_t inner_mac_len = (uint8_t)(flags >> BPF_ADJ_ROOM_ENCAP_L2_SHIFT);
	bool encap = flags & ADJ_ROOM_ENCAP_L3_MASK;
	if (skb->gso_size)
		return -ENOTSUPP;
	/* The headers before the gap move down: a packet shorter than them
	 * (which the kernel's test run never makes) reads buffer bytes past
	 * its end, as the kernel would, so they must exist. */
	if (skb_room(exec, skb, abs_diff, off > len ? off - len : 0))
		return -ENOMEM;
	if (encap) {
		if ((flags & ADJ_ROOM_ENCAP_L3_MASK) == ADJ_ROOM_ENCAP_L3_MASK ||
		    ((flags & BPF_F_ADJ_ROOM_ENCAP_L4_GRE) && (flags & BPF_F_ADJ_ROOM_ENCAP_L4_UDP)) ||
		    ((flags & BPF_F_ADJ_ROOM_ENCAP_L2_ETH) && inner_mac_len < ETH_HLEN))
			return -EINVAL;
		if (exec->skb_encap)
			return -EALREADY;
		if (inner_mac_len > abs_diff)
			return -EINVAL;
	}
	int err = skb_push_at(exec, skb, off, abs_diff);
	if (err)
		return err;
	if (encap) {
		exec->skb_encap = true;
		/* The new outer network header follows the link layer. */
		skb->network_header = u8p(skb->data) + mac_len;
		if (skb->protocol == htons(ETH_P_IP) && flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV6)
			skb->protocol = htons(ETH_P_IPV6);
		else if (skb->protocol == htons(ETH_P_IPV6) && flags & BPF_F_ADJ_ROOM_ENCAP_L3_IPV4)
			skb->protocol = htons(ETH_P_IP);
	}
	return 0;
}

HELPER(skb_adjust_room)
{
	(void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	int err = adjust_room(exec, skb, (int32_t)r2, (uint32_t)r3, r4);
	skb_sync(exec, skb);
	return (uint64_t)(int64_t)err;
}

/*
 * IPv4 <-> IPv6: 20 zero bytes inserted after the link layer, or the
 * first 20 bytes of the network header taken out; the program rewrites
 * the headers itself. The protocol changes and the hash is cleared; the
 * test run's GSO type is none, so the GSO state stays as it is (the
 * kernel only changes a TCP GSO type).
 */
static int change_proto(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb, uint16_t to)
{
	const uint32_t diff = 40 - 20;
	uint8_t *mac = skb->mac_header ? skb->mac_header : skb->data;
	int err;
	/* Headers in order and of a sane size, whatever the context says. */
	if (skb_net(skb) < mac || skb_net(skb) - mac > 0xffff)
		return -EINVAL;
	uint32_t off = (uint32_t)(skb_net(skb) - mac), len = (uint32_t)skb_len(skb);
	if (skb->protocol == htons(ETH_P_IP) && to == htons(ETH_P_IPV6)) {
		/* The bytes before the gap move down: a packet shorter than
		 * the link layer (which a test run never makes) moves buffer
		 * bytes past its end, so they must exist. */
		if (skb_room(exec, skb, diff, off > len ? off - len : 0))
			return -ENOMEM;
		if ((err = skb_push_at(exec, skb, off, diff)))
			return err;
		skb->protocol = htons(ETH_P_IPV6);
	} else if (skb->protocol == htons(ETH_P_IPV6) && to == htons(ETH_P_IP)) {
		if ((err = skb_pop_at(skb, off, diff)))
			return err;
		skb->protocol = htons(ETH_P_IP);
	} else {
		return -ENOTSUPP;
	}
	skb_clear_hash(exec, skb);
	return 0;
}

HELPER(skb_change_proto)
{
	(void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	if (r3)
		return (uint64_t)-EINVAL;
	int err = change_proto(exec, skb, (uint16_t)r2);
	skb_sync(exec, skb);
	return (uint64_t)(int64_t)err;
}

/* Moves the offloaded tag into the packet, after the MAC addresses (the
 * kernel's __vlan_insert_tag with a 14-byte link layer). */
static int vlan_insert(struct uebpf_exec *exec, struct uebpf_skb_ctx *skb, uint16_t proto_be,
		       uint16_t tci)
{
	if (skb->data != skb->mac_header)
		return -EINVAL;
	if (skb_len(skb) < 2 * ETH_ALEN)
		return -EINVAL; /* no MAC addresses to move (never in a test run) */
	if (skb_room(exec, skb, VLAN_HLEN, 0))
		return -ENOMEM;
	skb->data = u8p(skb->data) - VLAN_HLEN;
	skb->len += VLAN_HLEN;
	skb->data_meta = u8p(skb->data_meta) - VLAN_HLEN;
	skb->mac_header = skb->data;
	memmove(skb->data, u8p(skb->data) + VLAN_HLEN, 2 * ETH_ALEN);
	store16(u8p(skb->data) + 2 * ETH_ALEN, proto_be);
	store16(u8p(skb->data) + 2 * ETH_ALEN + 2, htons(tci));
	return 0;
}

/* Takes the tag after the MAC addresses out of the packet (the kernel's
 * __skb_vlan_pop). */
static int vlan_remove(struct uebpf_skb_ctx *skb, uint16_t *tci)
{
	if (skb->data != skb->mac_header)
		return -EINVAL;
	if (skb_len(skb) < ETH_HLEN + VLAN_HLEN)
		return -ENOMEM;
	uint8_t *d = skb->data;
	*tci = ntohs(load16(d + ETH_HLEN));
	uint16_t inner = load16(d + ETH_HLEN + 2);
	memmove(d + VLAN_HLEN, d, 2 * ETH_ALEN);
	if (ntohs(inner) >= ETH_P_802_3_MIN)
		skb->protocol = inner;
	else if (load16(d) == 0xffff) /* raw 802.3 (Novell) */
		skb->protocol = htons(ETH_P_802_3);
	else
		skb->protocol = htons(ETH_P_802_2);
	skb->data = d + VLAN_HLEN;
	skb->len -= VLAN_HLEN;
	skb->data_meta = u8p(skb->data_meta) + VLAN_HLEN;
	skb->mac_header = skb->data;
	if (skb_net(skb) - u8p(skb->data) < ETH_HLEN)
		skb->network_header = u8p(skb->data) + ETH_HLEN;
	return 0;
}

static void vlan_put_tag(struct uebpf_skb_ctx *skb, uint16_t proto_be, uint16_t tci)
{
	skb->vlan_proto = proto_be;
	skb->vlan_tci = tci;
	skb->vlan_present = 1;
}

HELPER(skb_vlan_push)
{
	(void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	uint16_t proto = (uint16_t)r2, tci = (uint16_t)r3;
	if (proto != htons(ETH_P_8021Q) && proto != htons(ETH_P_8021AD))
		proto = htons(ETH_P_8021Q);
	int err = 0;
	/* The first tag is offloaded; pushing another moves the
	 * offloaded one into the packet. */
	if (skb->vlan_present) {
		err = vlan_insert(exec, skb, skb->vlan_proto, skb->vlan_tci);
		if (!err)
			skb->protocol = skb->vlan_proto;
	}
	if (!err)
		vlan_put_tag(skb, proto, tci);
	skb_sync(exec, skb);
	return (uint64_t)(int64_t)err;
}

static int vlan_pop(struct uebpf_skb_ctx *skb)
{
	uint16_t tci;
	int err;
	if (skb->vlan_present) {
		skb->vlan_present = 0;
		skb->vlan_tci = 0;
		skb->vlan_proto = 0;
	} else {
		if (!eth_type_vlan(skb->protocol))
			return 0;
		if ((err = vlan_remove(skb, &tci)))
			return err;
	}
	/* A tag left in the packet becomes the offloaded one. */
	if (!eth_type_vlan(skb->protocol))
		return 0;
	uint16_t proto = skb->protocol;
	if ((err = vlan_remove(skb, &tci)))
		return err;
	vlan_put_tag(skb, proto, tci);
	return 0;
}

HELPER(skb_vlan_pop)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	int err = vlan_pop(skb);
	skb_sync(exec, skb);
	return (uint64_t)(int64_t)err;
}

/* ---- hashes ---- */

/* The network protocol, past VLAN tags in the packet (the kernel's
 * skb_protocol(skb, true)); 0 if the tags run past the data. */
static uint16_t skb_l3_proto(const struct uebpf_skb_ctx *skb)
{
	uint16_t proto = skb->protocol;
	if (!eth_type_vlan(proto))
		return proto;
	/* The kernel's __vlan_get_protocol with the test run's mac_len of
	 * 0: the tags are looked for 14 bytes past data, whatever data is
	 * (the network header for cgroup_skb and socket filters). */
	const uint8_t *p = u8p(skb->data) + ETH_HLEN;
	for (int depth = 0; eth_type_vlan(proto) && depth < 8; depth++, p += VLAN_HLEN) {
		if (p + VLAN_HLEN > skb_tail(skb))
			return 0;
		proto = load16(p + 2);
	}
	return proto;
}

/*
 * A flow hash of uebpf's own: the kernel's is a siphash keyed with a
 * random boot-time key, which nobody outside that kernel can reproduce.
 * Like the kernel's it is symmetric (both directions of a flow hash
 * alike), covers addresses, the L4 protocol and ports, and is never 0.
 */
static uint32_t flow_hash(const struct uebpf_skb_ctx *skb)
{
	uint32_t w[11] = { 0 };
	const uint8_t *net = skb_net(skb), *end = skb_tail(skb), *l4 = NULL;
	uint16_t proto = skb_l3_proto(skb);
	uint8_t ipproto = 0;
	uint32_t addr_words = 0;

	w[0] = proto;
	if (proto == htons(ETH_P_IP) && net + 20 <= end && (net[0] >> 4) == 4) {
		uint32_t ihl = (net[0] & 15u) * 4;
		ipproto = net[9];
		memcpy(&w[1], net + 12, 4);
		memcpy(&w[5], net + 16, 4);
		addr_words = 1;
		/* Ports only in the first fragment. */
		if (ihl >= 20 && !(load16(net + 6) & htons(0x1fff)))
			l4 = net + ihl;
	} else if (proto == htons(ETH_P_IPV6) && net + 40 <= end) {
		ipproto = net[6];
		memcpy(&w[1], net + 8, 16);
		memcpy(&w[5], net + 24, 16);
		addr_words = 4;
		l4 = net + 40;
	}
	uint16_t sport = 0, dport = 0;
	if (l4 && (ipproto == 6 || ipproto == 17 || ipproto == 132 || ipproto == 136) &&
	    l4 + 4 <= end) {
		sport = load16(l4);
		dport = load16(l4 + 2);
	}
	/* Order the endpoints so that both directions agree. */
	int cmp = memcmp(&w[1], &w[5], addr_words * 4);
	if (cmp > 0 || (cmp == 0 && sport > dport)) {
		uint32_t t[4];
		memcpy(t, &w[1], 16);
		memcpy(&w[1], &w[5], 16);
		memcpy(&w[5], t, 16);
		uint16_t s = sport;
		sport = dport;
		dport = s;
	}
	w[9] = ipproto;
	w[10] = (uint32_t)sport << 16 | dport;
	uint32_t h = jhash(w, sizeof(w), 0x75656270 /* "uebp" */);
	return h ? h : 1;
}

HELPER(get_hash_recalc)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	/* A hash the program set, or one the packet came with, stays. */
	if (exec->skb_hash_state == SKB_HASH_SET ||
	    (exec->skb_hash_state == SKB_HASH_UNKNOWN && skb->hash))
		return skb->hash;
	skb->hash = flow_hash(skb);
	exec->skb_hash_state = SKB_HASH_SET;
	return skb->hash;
}

HELPER(set_hash_invalid)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (skb)
		skb_clear_hash(exec, skb);
	return 0;
}

HELPER(set_hash)
{
	(void)r3, (void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	skb->hash = (uint32_t)r2;
	exec->skb_hash_state = SKB_HASH_SET;
	return 0;
}

/* ---- tunnels ---- */

/*
 * A packet comes through no tunnel device in user space, so the only
 * tunnel an skb has is the one its program set (the kernel's per-CPU
 * metadata dst, which bpf_skb_set_tunnel_key attaches to the skb): kept
 * in the context, read back by the get helpers exactly as the kernel
 * reads its own (a key set for transmission gives the remote address as
 * the local one and the other way round, as in the kernel).
 */

/* Flags newer than some UAPI headers. */
#define TUNINFO_FLAGS (1ULL << 4)     /* BPF_F_TUNINFO_FLAGS (get) */
#define NO_TUNNEL_KEY (1ULL << 4)     /* BPF_F_NO_TUNNEL_KEY (set) */
/* The kernel's tunnel flags (TUNNEL_* / IP_TUNNEL_*_BIT). */
#define TUN_CSUM 0x0001
#define TUN_KEY 0x0004
#define TUN_SEQ 0x0008
#define TUN_DONT_FRAGMENT 0x0100
#define TUN_NOCACHE 0x2000
#define TUN_OPTIONS_PRESENT 0xd800 /* geneve, vxlan, erspan and gtp options */
#define TUN_OPTS_MAX 255           /* IP_TUNNEL_OPTS_MAX: options_len is a u8 */
/* The older, shorter layouts of struct bpf_tunnel_key. */
#define TKEY_SIZE sizeof(struct bpf_tunnel_key)
#define TKEY_V4_ONLY offsetof(struct bpf_tunnel_key, remote_ipv6[1])
#define TKEY_NO_LABEL offsetof(struct bpf_tunnel_key, tunnel_ext)
#define TKEY_NO_LOCAL_OLD offsetof(struct bpf_tunnel_key, tunnel_label)
#define TKEY_NO_LOCAL offsetof(struct bpf_tunnel_key, local_ipv4)

HELPER(skb_get_tunnel_key)
{
	(void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	uint8_t *to = (uint8_t *)(uintptr_t)r2;
	uint32_t size = (uint32_t)r3;
	uint64_t flags = r4;
	int err = -EINVAL;
	if (!skb || chk(exec, to, size, UEBPF_MEM_WRITE, "R2 key"))
		return 0;
	const struct uebpf_tunnel *t = &skb->tunnel;
	if (!t->set || flags & ~(uint64_t)(BPF_F_TUNINFO_IPV6 | TUNINFO_FLAGS))
		goto clear;
	if (t->ipv6 != !!(flags & BPF_F_TUNINFO_IPV6)) {
		err = -EPROTO;
		goto clear;
	}
	if (size != TKEY_SIZE && size != TKEY_NO_LOCAL && size != TKEY_NO_LOCAL_OLD &&
	    size != TKEY_NO_LABEL && !(size == TKEY_V4_ONLY && !t->ipv6))
		goto clear;
	struct bpf_tunnel_key k;
	memset(&k, 0, sizeof(k));
	k.tunnel_id = t->id;
	k.tunnel_tos = t->tos;
	k.tunnel_ttl = t->ttl;
	if (flags & TUNINFO_FLAGS)
		k.tunnel_flags = htons(t->flags);
	/* What the kernel calls the tunnel's source is the local end of a
	 * key set for transmission. */
	if (t->ipv6) {
		memcpy(k.remote_ipv6, t->local, 16);
		memcpy(k.local_ipv6, t->remote, 16);
		k.tunnel_label = t->label;
	} else {
		k.remote_ipv4 = ntohl(t->local[0]);
		k.local_ipv4 = ntohl(t->remote[0]);
	}
	memcpy(to, &k, size);
	return 0;
clear:
	memset(to, 0, size);
	return (uint64_t)(int64_t)err;
}

HELPER(skb_get_tunnel_opt)
{
	(void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	uint8_t *to = (uint8_t *)(uintptr_t)r2;
	uint32_t size = (uint32_t)r3;
	int err = -ENOENT;
	if (!skb || chk(exec, to, size, UEBPF_MEM_WRITE, "R2 opt"))
		return 0;
	const struct uebpf_tunnel *t = &skb->tunnel;
	if (!t->set || !(t->flags & TUN_OPTIONS_PRESENT))
		goto clear;
	if (size < t->opts_len) {
		err = -ENOMEM;
		goto clear;
	}
	memcpy(to, t->opts, t->opts_len);
	memset(to + t->opts_len, 0, size - t->opts_len);
	return t->opts_len;
clear:
	memset(to, 0, size);
	return (uint64_t)(int64_t)err;
}

HELPER(skb_set_tunnel_key)
{
	(void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	const uint8_t *from = (const uint8_t *)(uintptr_t)r2;
	uint32_t size = (uint32_t)r3;
	uint64_t flags = r4;
	if (!skb || chk(exec, from, size, UEBPF_MEM_READ, "R2 key"))
		return 0;
	if (flags & ~(uint64_t)(BPF_F_TUNINFO_IPV6 | BPF_F_ZERO_CSUM_TX | BPF_F_DONT_FRAGMENT |
				BPF_F_SEQ_NUMBER | NO_TUNNEL_KEY))
		return (uint64_t)-EINVAL;
	if (size != TKEY_SIZE && size != TKEY_NO_LOCAL && size != TKEY_NO_LOCAL_OLD &&
	    size != TKEY_NO_LABEL && size != TKEY_V4_ONLY)
		return (uint64_t)-EINVAL;
	/* An older layout lacks the later fields: they are zero. */
	struct bpf_tunnel_key k;
	memset(&k, 0, sizeof(k));
	memcpy(&k, from, size);
	bool ipv6 = flags & BPF_F_TUNINFO_IPV6;
	if ((!ipv6 && k.tunnel_label) || k.tunnel_ext)
		return (uint64_t)-EINVAL;

	struct uebpf_tunnel *t = &skb->tunnel;
	/* A new key drops the options set before. */
	memset(t, 0, sizeof(*t));
	t->set = 1;
	t->ipv6 = ipv6;
	t->flags = TUN_KEY | TUN_CSUM | TUN_NOCACHE;
	if (flags & BPF_F_DONT_FRAGMENT)
		t->flags |= TUN_DONT_FRAGMENT;
	if (flags & BPF_F_ZERO_CSUM_TX)
		t->flags &= (uint16_t)~TUN_CSUM;
	if (flags & BPF_F_SEQ_NUMBER)
		t->flags |= TUN_SEQ;
	if (flags & NO_TUNNEL_KEY)
		t->flags &= (uint16_t)~TUN_KEY;
	t->id = k.tunnel_id;
	t->tos = k.tunnel_tos;
	t->ttl = k.tunnel_ttl;
	if (ipv6) {
		memcpy(t->remote, k.remote_ipv6, 16);
		memcpy(t->local, k.local_ipv6, 16);
		t->label = k.tunnel_label & 0xfffff;
	} else {
		t->remote[0] = htonl(k.remote_ipv4);
		t->local[0] = htonl(k.local_ipv4);
	}
	return 0;
}

HELPER(skb_set_tunnel_opt)
{
	(void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	const uint8_t *from = (const uint8_t *)(uintptr_t)r2;
	uint32_t size = (uint32_t)r3;
	if (!skb || chk(exec, from, size, UEBPF_MEM_READ, "R2 opt"))
		return 0;
	struct uebpf_tunnel *t = &skb->tunnel;
	/* Only on a key this program set, in whole 32-bit words. */
	if (!t->set || size & 3)
		return (uint64_t)-EINVAL;
	if (size > TUN_OPTS_MAX)
		return (uint64_t)-ENOMEM;
	t->opts_len = (uint8_t)size;
	if (size) {
		memcpy(t->opts, from, size);
		t->flags |= TUN_OPTIONS_PRESENT;
	}
	return 0;
}

/* ---- ECN ---- */

HELPER(skb_ecn_set_ce)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb)
		return 0;
	uint16_t proto = skb_l3_proto(skb);
	size_t hlen = proto == htons(ETH_P_IP) ? 20 : proto == htons(ETH_P_IPV6) ? 40 : 0;
	uint8_t *ip = skb_net(skb);
	if (!hlen || skb_len(skb) < hlen || ip + hlen > skb_tail(skb))
		return 0;
	if (proto == htons(ETH_P_IP)) {
		/* (tos + 1) & 3: Not-ECT 1, ECT(1) 2, ECT(0) 3, CE 0. */
		uint32_t ecn = (ip[1] + 1u) & 3;
		if (!(ecn & 2))
			return !ecn;
		/* The checksum of tos going to tos | CE: one addition. */
		uint16_t add = htons((uint16_t)(0xfffb + ecn));
		store16(ip + 10, csum16_add(load16(ip + 10), add));
		ip[1] |= 3;
		return 1;
	}
	uint8_t dsfield = (uint8_t)(ntohs(load16(ip)) >> 4);
	if (!(dsfield & 3))
		return 0;
	ip[1] |= 3 << 4; /* CE in the traffic class; IPv6 has no checksum */
	return 1;
}

/* ---- redirects ---- */

static bool dev_exists(uint32_t ifindex)
{
	char name[IF_NAMESIZE];
	return ifindex && ifindex <= INT32_MAX && if_indextoname(ifindex, name) != NULL;
}

HELPER(redirect)
{
	(void)r3, (void)r4, (void)r5;
	if (exec->prog_type == BPF_PROG_TYPE_XDP) {
		if (r2)
			return XDP_ABORTED;
		exec->redirect = (struct uebpf_redirect){ .ifindex = (uint32_t)r1,
							  .clones = exec->redirect.clones };
		exec->redirect_set = true;
		return XDP_REDIRECT;
	}
	if (r2 & ~(uint64_t)BPF_F_INGRESS)
		return TC_ACT_SHOT;
	exec->redirect = (struct uebpf_redirect){ .ifindex = (uint32_t)r1, .flags = (uint32_t)r2,
						  .clones = exec->redirect.clones };
	exec->redirect_set = true;
	return TC_ACT_REDIRECT;
}

HELPER(redirect_map)
{
	(void)r4, (void)r5;
	struct map *map = (struct map *)(uintptr_t)r1;
	if (exec->checked && !exec_map_ok(exec, map)) {
		uebpf_exec_fault(exec, "R1 is not a map of this program (0x%llx)",
				 (unsigned long long)r1);
		return 0;
	}
	const uint64_t actions = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
	uint32_t type = map->hdr->type;
	uint64_t allowed = type == BPF_MAP_TYPE_DEVMAP || type == BPF_MAP_TYPE_DEVMAP_HASH
				   ? BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS
				   : 0;
	if (r3 & ~(actions | allowed))
		return XDP_ABORTED;
	uint32_t key = (uint32_t)r2;
	void *target = map->ops->lookup_ptr ? map->ops->lookup_ptr(map, &key, 0) : NULL;
	if (!target && !(r3 & BPF_F_BROADCAST)) {
		/* A failed lookup forgets an earlier map target, and its
		 * flags' low bits are the program's answer. */
		exec->redirect.map_id = 0;
		exec->redirect.flags = 0;
		return r3 & actions;
	}
	exec->redirect.ifindex = key;
	exec->redirect.map_id = map->hdr->id;
	exec->redirect.flags = r3 & BPF_F_BROADCAST ? (uint32_t)r3 : 0;
	exec->redirect_set = true;
	return XDP_REDIRECT;
}

HELPER(clone_redirect)
{
	(void)r4, (void)r5;
	if (!skb_ctx(exec, r1))
		return 0;
	if (r3 & ~(uint64_t)BPF_F_INGRESS)
		return (uint64_t)-EINVAL;
	if (!dev_exists((uint32_t)r2))
		return (uint64_t)-EINVAL;
	/* A copy goes out now; the packet itself stays. The target is kept
	 * only while no bpf_redirect named the packet's own. */
	exec->redirect.clones++;
	if (!exec->redirect_set) {
		exec->redirect.ifindex = (uint32_t)r2;
		exec->redirect.flags = (uint32_t)r3;
	}
	return 0;
}

HELPER(get_cgroup_classid)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5, (void)exec;
	return 0; /* no net_cls cgroup in user space */
}

/* ---- XDP ---- */

static intptr_t dist(const void *from, const void *to)
{
	return (intptr_t)((uintptr_t)to - (uintptr_t)from);
}

HELPER(xdp_adjust_head)
{
	(void)r3, (void)r4, (void)r5;
	struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
	if (!xdp)
		return 0;
	int32_t off = (int32_t)r2;
	intptr_t metalen = dist(xdp->data_meta, xdp->data);
	/* Offsets from buf_start, in a width that cannot overflow. */
	int64_t data = (int64_t)dist(xdp->buf_start, xdp->data) + off;
	int64_t end = (int64_t)dist(xdp->buf_start, xdp->data_end);
	if (data < (int64_t)metalen || data > end - ETH_HLEN)
		return (uint64_t)-EINVAL;
	uint8_t *meta = u8p(xdp->data_meta) + off;
	if (metalen)
		memmove(meta, xdp->data_meta, (size_t)metalen);
	xdp->data_meta = meta;
	xdp->data = u8p(xdp->buf_start) + data;
	return 0;
}

/* The fragments of a multi-buffer frame: pages of 4096 bytes, all full
 * but the last, which may grow to the end of its page. */
#define XDP_FRAG_PAGE 4096u

static uint32_t xdp_frags_tailroom(const struct uebpf_xdp_ctx *xdp)
{
	return xdp->frags_len % XDP_FRAG_PAGE ? XDP_FRAG_PAGE - xdp->frags_len % XDP_FRAG_PAGE : 0;
}

static uint64_t xdp_buff_len(const struct uebpf_xdp_ctx *xdp)
{
	return (uint64_t)dist(xdp->data, xdp->data_end) + xdp->frags_len;
}

/* bpf_xdp_adjust_tail on a frame with fragments: growing fills the last
 * fragment's page; shrinking frees fragments from the last one and,
 * once none is left, takes the rest from the linear part. */
static uint64_t xdp_frags_adjust_tail(struct uebpf_exec *exec, struct uebpf_xdp_ctx *xdp,
				      int32_t off)
{
	if (off > 0) {
		if ((uint32_t)off > xdp_frags_tailroom(xdp))
			return (uint64_t)-EINVAL;
		if (chk(exec, u8p(xdp->frags) + xdp->frags_len, (size_t)off, UEBPF_MEM_WRITE,
			"xdp fragments"))
			return 0;
		memset(u8p(xdp->frags) + xdp->frags_len, 0, (size_t)off);
		xdp->frags_len += (uint32_t)off;
		return 0;
	}
	uint64_t shrink = (uint64_t)-(int64_t)off;
	if ((int64_t)shrink > (int64_t)xdp_buff_len(xdp) - ETH_HLEN)
		return (uint64_t)-EINVAL;
	uint32_t from_frags = shrink < xdp->frags_len ? (uint32_t)shrink : xdp->frags_len;
	xdp->frags_len -= from_frags;
	if (!xdp->frags_len) {
		xdp->frags = NULL;
		xdp->data_end = u8p(xdp->data_end) - (shrink - from_frags);
	}
	return 0;
}

HELPER(xdp_adjust_tail)
{
	(void)r3, (void)r4, (void)r5;
	struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
	if (!xdp)
		return 0;
	int32_t off = (int32_t)r2;
	if (xdp->frags_len)
		return xdp_frags_adjust_tail(exec, xdp, off);
	int64_t end = (int64_t)dist(xdp->buf_start, xdp->data_end) + off;
	if (end > (int64_t)dist(xdp->buf_start, xdp->buf_end) ||
	    end < (int64_t)dist(xdp->buf_start, xdp->data) + ETH_HLEN)
		return (uint64_t)-EINVAL;
	/* Grown bytes are cleared: they may hold an earlier packet. */
	if (off > 0)
		memset(xdp->data_end, 0, (size_t)off);
	xdp->data_end = u8p(xdp->buf_start) + end;
	return 0;
}

HELPER(xdp_adjust_meta)
{
	(void)r3, (void)r4, (void)r5;
	struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
	if (!xdp)
		return 0;
	int64_t meta = (int64_t)dist(xdp->buf_start, xdp->data_meta) + (int32_t)r2;
	int64_t data = (int64_t)dist(xdp->buf_start, xdp->data);
	if (meta < 0 || meta > data)
		return (uint64_t)-EINVAL;
	/* Whole 4-byte words, at most what skb_shared_info's u8 meta_len
	 * can describe. */
	int64_t metalen = data - meta;
	if (metalen & 3 || metalen > 255)
		return (uint64_t)-EACCES;
	xdp->data_meta = u8p(xdp->buf_start) + meta;
	return 0;
}

/* The frame's bytes [off, off + len), fragments included, or an errno. */
static int xdp_range(const struct uebpf_xdp_ctx *xdp, uint32_t off, uint32_t len)
{
	if (off > 0xffff || len > 0xffff)
		return -EFAULT;
	if ((uint64_t)off + len > xdp_buff_len(xdp))
		return -EINVAL;
	return 0;
}

/* Copies between buf and the frame's bytes [off, off + len): the linear
 * part, then the fragments. */
static int xdp_copy(struct uebpf_exec *exec, struct uebpf_xdp_ctx *xdp, uint32_t off,
		    uint8_t *buf, uint32_t len, bool to_frame)
{
	uint64_t linear = (uint64_t)dist(xdp->data, xdp->data_end);
	uint32_t in_linear = off < linear ? (uint32_t)(linear - off < len ? linear - off : len) : 0;
	if (in_linear) {
		if (to_frame)
			memmove(u8p(xdp->data) + off, buf, in_linear);
		else
			memcpy(buf, u8p(xdp->data) + off, in_linear);
	}
	uint32_t rest = len - in_linear;
	if (!rest)
		return 0;
	uint8_t *frag = u8p(xdp->frags) + (off + in_linear - linear);
	if (chk(exec, frag, rest, to_frame ? UEBPF_MEM_WRITE : UEBPF_MEM_READ, "xdp fragments"))
		return 0;
	if (to_frame)
		memmove(frag, buf + in_linear, rest);
	else
		memcpy(buf + in_linear, frag, rest);
	return 0;
}

bool packet_ctx_type(uint32_t prog_type)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_SK_SKB:
		return true;
	default:
		return false;
	}
}

int packet_ctx_head(struct uebpf_exec *exec, uint64_t r1, uint64_t len, uint8_t *out)
{
	if (exec->prog_type == BPF_PROG_TYPE_XDP) {
		struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
		if (!xdp || len > xdp_buff_len(xdp))
			return -EFAULT;
		return xdp_copy(exec, xdp, 0, out, (uint32_t)len, false);
	}
	struct uebpf_skb_ctx *skb = skb_ctx(exec, r1);
	if (!skb || len > skb_len(skb))
		return -EFAULT;
	if (len)
		memcpy(out, skb->data, len);
	return 0;
}

HELPER(xdp_load_bytes)
{
	(void)r5;
	struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
	uint8_t *buf = (uint8_t *)(uintptr_t)r3;
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	if (!xdp || chk(exec, buf, len, UEBPF_MEM_WRITE, "R3 destination"))
		return 0;
	int err = xdp_range(xdp, off, len);
	if (err)
		return (uint64_t)(int64_t)err; /* the buffer is left as it was */
	return (uint64_t)(int64_t)xdp_copy(exec, xdp, off, buf, len, false);
}

HELPER(xdp_store_bytes)
{
	(void)r5;
	struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
	uint8_t *buf = (uint8_t *)(uintptr_t)r3;
	uint32_t off = (uint32_t)r2, len = (uint32_t)r4;
	if (!xdp || chk(exec, buf, len, UEBPF_MEM_READ, "R3 source"))
		return 0;
	int err = xdp_range(xdp, off, len);
	if (err)
		return (uint64_t)(int64_t)err;
	return (uint64_t)(int64_t)xdp_copy(exec, xdp, off, buf, len, true);
}

HELPER(xdp_get_buff_len)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	struct uebpf_xdp_ctx *xdp = xdp_ctx(exec, r1);
	return xdp ? xdp_buff_len(xdp) : 0;
}
