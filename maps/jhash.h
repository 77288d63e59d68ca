/* SPDX-License-Identifier: MIT */
/*
 * Bob Jenkins' lookup3 hash as the kernel uses it (jhash, jhash2), so that
 * hash maps and bloom filters created with BPF_F_ZERO_SEED place keys
 * exactly where the kernel does: same buckets, same iteration order, same
 * bloom filter bits.
 */
#ifndef UEBPF_MAPS_JHASH_H
#define UEBPF_MAPS_JHASH_H

#include <stdint.h>
#include <string.h>

#define JHASH_INITVAL 0xdeadbeefu

static inline uint32_t jhash_rol32(uint32_t x, unsigned k)
{
	return (x << k) | (x >> (32 - k));
}

/* Mixes three words reversibly. */
#define JHASH_MIX(a, b, c)                                          \
	do {                                                        \
		a -= c; a ^= jhash_rol32(c, 4);  c += b;            \
		b -= a; b ^= jhash_rol32(a, 6);  a += c;            \
		c -= b; c ^= jhash_rol32(b, 8);  b += a;            \
		a -= c; a ^= jhash_rol32(c, 16); c += b;            \
		b -= a; b ^= jhash_rol32(a, 19); a += c;            \
		c -= b; c ^= jhash_rol32(b, 4);  b += a;            \
	} while (0)

/* Final mixing of three words into c. */
#define JHASH_FINAL(a, b, c)                                        \
	do {                                                        \
		c ^= b; c -= jhash_rol32(b, 14);                    \
		a ^= c; a -= jhash_rol32(c, 11);                    \
		b ^= a; b -= jhash_rol32(a, 25);                    \
		c ^= b; c -= jhash_rol32(b, 16);                    \
		a ^= c; a -= jhash_rol32(c, 4);                     \
		b ^= a; b -= jhash_rol32(a, 14);                    \
		c ^= b; c -= jhash_rol32(b, 24);                    \
	} while (0)

/* Hash of length bytes; 12-byte blocks read as host-order words, the
 * tail byte by byte. */
static inline uint32_t jhash(const void *key, uint32_t length, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c, w[3];
	a = b = c = JHASH_INITVAL + length + initval;
	while (length > 12) {
		memcpy(w, k, 12);
		a += w[0];
		b += w[1];
		c += w[2];
		JHASH_MIX(a, b, c);
		length -= 12;
		k += 12;
	}
	switch (length) {
	case 12: c += (uint32_t)k[11] << 24; /* fall through */
	case 11: c += (uint32_t)k[10] << 16; /* fall through */
	case 10: c += (uint32_t)k[9] << 8;   /* fall through */
	case 9:  c += k[8];                  /* fall through */
	case 8:  b += (uint32_t)k[7] << 24;  /* fall through */
	case 7:  b += (uint32_t)k[6] << 16;  /* fall through */
	case 6:  b += (uint32_t)k[5] << 8;   /* fall through */
	case 5:  b += k[4];                  /* fall through */
	case 4:  a += (uint32_t)k[3] << 24;  /* fall through */
	case 3:  a += (uint32_t)k[2] << 16;  /* fall through */
	case 2:  a += (uint32_t)k[1] << 8;   /* fall through */
	case 1:  a += k[0];
		JHASH_FINAL(a, b, c);
		break;
	case 0:
		break;
	}
	return c;
}

/* Hash of length 32-bit words (the key read as host-order words). */
static inline uint32_t jhash2(const void *key, uint32_t length, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c, w[3];
	a = b = c = JHASH_INITVAL + (length << 2) + initval;
	while (length > 3) {
		memcpy(w, k, 12);
		a += w[0];
		b += w[1];
		c += w[2];
		JHASH_MIX(a, b, c);
		length -= 3;
		k += 12;
	}
	w[0] = w[1] = w[2] = 0;
	memcpy(w, k, length * 4);
	switch (length) {
	case 3: c += w[2]; /* fall through */
	case 2: b += w[1]; /* fall through */
	case 1: a += w[0];
		JHASH_FINAL(a, b, c);
		break;
	case 0:
		break;
	}
	return c;
}

#endif /* UEBPF_MAPS_JHASH_H */
