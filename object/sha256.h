/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), for program tags. */
#ifndef UEBPF_OBJECT_SHA256_H
#define UEBPF_OBJECT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[32]);

#endif /* UEBPF_OBJECT_SHA256_H */
