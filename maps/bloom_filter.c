/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_BLOOM_FILTER: a bit array and k hash functions. Push (an
 * update from user space, bpf_map_push_elem from programs) sets the k
 * bits of a value; peek (a lookup, whose value is the input, or
 * bpf_map_peek_elem) answers 0 when all k bits are set ("possibly
 * present") and -ENOENT otherwise ("definitely absent"). Nothing is ever
 * removed.
 *
 * The size of the array, the hashes (jhash2 over words when the value
 * size is a multiple of 4, jhash over bytes otherwise, function i seeded
 * with seed + i) and the seed (random, or 0 with BPF_F_ZERO_SEED) are the
 * kernel's, so a ZERO_SEED filter gives exactly the kernel's answers,
 * false positives included.
 *
 * Bits are set with an atomic OR and read with atomic loads: no lock,
 * for writers or readers.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "maps/jhash.h"
#include "maps/map.h"

/* The data area: this header, then the bit array in 64-bit words. */
struct bloom_data {
	uint32_t hash_seed; /* written once, at creation */
	uint32_t reserved[15];
	_Atomic uint64_t bits[];
};

/* Beyond this the kernel refuses the value (user space could not copy it). */
#define BLOOM_MAX_VALUE_SIZE 4194304u /* KMALLOC_MAX_SIZE */
#define BLOOM_DEFAULT_HASHES 5

/* The low 4 bits of map_extra; 0 means the kernel's default. */
static uint32_t bloom_nr_hashes(const struct map_hdr *hdr)
{
	uint32_t k = (uint32_t)(hdr->map_extra & 0xf);
	return k ? k : BLOOM_DEFAULT_HASHES;
}

/*
 * The kernel's sizing: about n * k / ln 2 bits for n = max_entries
 * (7/5 for 1/ln 2, computed as (n * k) / 5 * 7 in 32 bits), at least 64,
 * rounded up to a power of two so that a mask picks a bit; 2^32 bits when
 * the product overflows or exceeds 2^31. Returns the mask (bits - 1).
 */
static uint32_t bloom_mask(const struct map_hdr *hdr)
{
	uint64_t nk = (uint64_t)hdr->max_entries * bloom_nr_hashes(hdr);
	if (nk > UINT32_MAX)
		return UINT32_MAX;
	uint64_t nr_bits = (nk / 5) * 7;
	if (nr_bits > ((uint64_t)1 << 31))
		return UINT32_MAX;
	if (nr_bits <= 64)
		return 63;
	uint64_t pow = 128;
	while (pow < nr_bits)
		pow <<= 1;
	return (uint32_t)(pow - 1);
}

static int bloom_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_RDONLY |
				 BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
	/* The kernel checks the value size first (map_alloc_check). */
	if (hdr->value_size > BLOOM_MAX_VALUE_SIZE)
		return -E2BIG;
	if (hdr->key_size != 0 || hdr->value_size == 0 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra & ~(uint64_t)0xf ||
	    (hdr->map_flags & BPF_F_RDONLY_PROG && hdr->map_flags & BPF_F_WRONLY_PROG))
		return -EINVAL;
	uint64_t nr_bits = (uint64_t)bloom_mask(hdr) + 1;
	hdr->data_size = sizeof(struct bloom_data) + nr_bits / 8;
	return 0;
}

static int bloom_init(struct map *map)
{
	struct bloom_data *d = (struct bloom_data *)map->data;
	uint32_t seed = 0;
	if (!(map->hdr->map_flags & BPF_F_ZERO_SEED) &&
	    getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = map->hdr->id * 2654435761u ^ (uint32_t)getpid();
	d->hash_seed = seed;
	return 0; /* the segment starts zeroed: no bit set */
}

/* Words of the bit array this process has mapped: the bound for every
 * index, whatever the shared header says (another process could have
 * scribbled on it). */
static uint64_t bloom_mapped_words(const struct map *map)
{
	const uint8_t *end = (const uint8_t *)map->seg.base + map->seg.size;
	size_t avail = (size_t)(end - map->data);
	if (avail < sizeof(struct bloom_data))
		return 0;
	return (avail - sizeof(struct bloom_data)) / 8;
}

/* Hash function i of a value: the bit it selects. */
static uint32_t bloom_hash(const void *value, uint32_t size, uint32_t seed, uint32_t i,
			   uint32_t mask)
{
	uint32_t h = size % 4 == 0 ? jhash2(value, size / 4, seed + i)
				   : jhash(value, size, seed + i);
	return h & mask;
}

static int bloom_push(struct map *map, const void *value, uint64_t flags)
{
	struct bloom_data *d = (struct bloom_data *)map->data;
	const struct map_hdr *hdr = map->hdr;
	if (flags != BPF_ANY)
		return -EINVAL;
	uint32_t k = bloom_nr_hashes(hdr), mask = bloom_mask(hdr), seed = d->hash_seed;
	uint64_t words = bloom_mapped_words(map);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t h = bloom_hash(value, hdr->value_size, seed, i, mask);
		if (h / 64 >= words)
			return -EFAULT; /* damaged header */
		_Atomic uint64_t *w = &d->bits[h / 64];
		uint64_t bit = (uint64_t)1 << (h % 64);
		/* Already set bits are common: do not dirty their line. */
		if (!(atomic_load_explicit(w, memory_order_relaxed) & bit))
			atomic_fetch_or_explicit(w, bit, memory_order_relaxed);
	}
	return 0;
}

static int bloom_peek(struct map *map, void *value)
{
	struct bloom_data *d = (struct bloom_data *)map->data;
	const struct map_hdr *hdr = map->hdr;
	uint32_t k = bloom_nr_hashes(hdr), mask = bloom_mask(hdr), seed = d->hash_seed;
	uint64_t words = bloom_mapped_words(map);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t h = bloom_hash(value, hdr->value_size, seed, i, mask);
		if (h / 64 >= words)
			return -EFAULT; /* damaged header */
		uint64_t w = atomic_load_explicit(&d->bits[h / 64], memory_order_relaxed);
		if (!(w & (uint64_t)1 << (h % 64)))
			return -ENOENT;
	}
	return 0;
}

/* Elements cannot be removed or listed: the kernel's EOPNOTSUPP (95). */
static int bloom_delete(struct map *map, const void *key)
{
	return -EOPNOTSUPP;
}

static int bloom_get_next_key(struct map *map, const void *key, void *next_key)
{
	/* A key given to a map without keys is refused before the op. */
	return key ? -EINVAL : -EOPNOTSUPP;
}

/* No pop and no lookup_and_delete: the syscall layer then answers
 * ENOTSUPP (524) as the kernel does. No lookup_ptr or update either:
 * programs only push and peek. */
const struct map_ops bloom_filter_map_ops = {
	.check = bloom_check,
	.init = bloom_init,
	.delete = bloom_delete,
	.get_next_key = bloom_get_next_key,
	.push = bloom_push,
	.peek = bloom_peek,
};
