/* SPDX-License-Identifier: MIT */
/* sieve.c as an XDP program (see pkt_compute.h). Its 400-byte array is in
 * global data rather than on the stack: the kernel's verifier tracks
 * stack bytes one by one and gives up on the sieve's paths. */
#include "pkt_compute.h"

u64 sieve_words[400 / 8];
#define SIEVE_ARRAY(words) u64 *words = sieve_words

#include "sieve.c"
PKT_COMPUTE_COPY(sieve)
