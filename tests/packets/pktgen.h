/* SPDX-License-Identifier: MIT */
/*
 * The packet corpus of the packet differential suite: frames generated
 * from a seed, the same frames for the same seed on every machine.
 *
 * Well-formed frames of every size class (Ethernet alone up to the
 * largest frame BPF_PROG_TEST_RUN takes), with 802.1Q and QinQ tags,
 * IPv4 with options, IPv6 with extension headers (hop-by-hop, routing,
 * fragment, destination options), TCP with options, UDP, ICMP, ICMPv6,
 * ARP and unknown EtherTypes, every checksum right; then broken
 * variants of them (cut short, bad lengths, bad IHL, wrong checksums,
 * bytes flipped, random bytes) and sizes the kernel refuses (fewer than
 * 14 bytes, more than it takes).
 */
#ifndef UEBPF_TESTS_PACKETS_PKTGEN_H
#define UEBPF_TESTS_PACKETS_PKTGEN_H

#include <stddef.h>
#include <stdint.h>

/* Largest frame the corpus makes: above every limit of the kernel's
 * BPF_PROG_TEST_RUN with 4 KiB pages: 3712 bytes for skb programs, 3520
 * in XDP's linear part and 3520 + 17 pages of fragments (73152) in all. */
#define PKTGEN_MAX_LEN 100000u
#define PKTGEN_XDP_MAX 73152u

enum pkt_kind {
	PKT_WELL_FORMED,
	PKT_TRUNCATED,
	PKT_MALFORMED, /* a field made wrong: lengths, IHL, checksum, flipped bytes */
	PKT_RANDOM,    /* random bytes */
	PKT_REFUSED_SIZE, /* fewer than 14 bytes, or more than the kernel's limit */
};

struct pkt {
	uint8_t *data;
	uint32_t len;
	enum pkt_kind kind;
	uint64_t seed;   /* this packet's own seed (for the context and replay) */
	char desc[96];   /* what it is: "vlan ipv4+opt12 tcp SA len 74" */
};

struct pkt_corpus {
	struct pkt *pkts;
	size_t count;
};

/* The splitmix64 generator the corpus uses. */
static inline uint64_t pktgen_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Builds count packets from seed; 0 or -ENOMEM. */
int pktgen_corpus(struct pkt_corpus *c, uint64_t seed, size_t count);
void pktgen_corpus_free(struct pkt_corpus *c);

/* The Internet checksum of buf folded to 16 bits, starting from sum. */
uint16_t pktgen_csum(const void *buf, size_t len, uint32_t sum);

#endif
