/* SPDX-License-Identifier: MIT */
/* BPF_MAP_TYPE_LPM_TRIE: creation rules, longest-prefix match, the
 * kernel's iteration order, full maps, the programs' lookup path, a
 * random model check with node reuse, opening by path, and lookups from
 * threads while another thread changes the trie. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "maps/map.h"
#include "tests/check.h"

struct key4 {
	uint32_t plen;
	uint8_t a[4];
};

struct key6 {
	uint32_t plen;
	uint8_t a[16];
};

static struct key4 k4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t plen)
{
	struct key4 k = { plen, { a, b, c, d } };
	return k;
}

static int create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	return uebpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "lpm", ks, vs, max, &opts);
}

/* The value found for an address (as a /32), or -1 when none. */
static int64_t find4(int fd, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct key4 k = k4(a, b, c, d, 32);
	uint64_t v;
	return uebpf_map_lookup_elem(fd, &k, &v) ? -1 : (int64_t)v;
}

static int put4(int fd, struct key4 k, uint64_t v, uint64_t flags)
{
	return uebpf_map_update_elem(fd, &k, &v, flags);
}

static void test_create_rules(void)
{
	const uint32_t np = BPF_F_NO_PREALLOC;
	int fd = create(8, 8, 16, np);
	CHECK(fd >= 0);
	uebpf_map_close(fd);
	CHECK_EQ(create(8, 8, 16, 0), -EINVAL); /* NO_PREALLOC is required */
	CHECK_EQ(create(4, 8, 16, np), -EINVAL); /* no data */
	CHECK_EQ(create(261, 8, 16, np), -EINVAL); /* more than 256 data bytes */
	CHECK_EQ(create(8, 0, 16, np), -EINVAL);
	CHECK_EQ(create(8, 4194025, 16, np), -EINVAL);
	CHECK_EQ(create(8, 8, 0, np), -EINVAL);
	CHECK_EQ(create(8, 8, 16, np | BPF_F_ZERO_SEED), -EINVAL);
	CHECK_EQ(create(8, 8, 16, np | BPF_F_MMAPABLE), -EINVAL);
	fd = create(5, 1, 1, np | BPF_F_NUMA_NODE | BPF_F_RDONLY_PROG);
	CHECK(fd >= 0);
	uebpf_map_close(fd);
	fd = create(260, 4194024, 2, np);
	CHECK(fd >= 0);
	/* The kernel cannot allocate such a node: every update is ENOMEM. */
	static uint8_t key[260], val[4194024];
	CHECK_EQ(uebpf_map_update_elem(fd, key, val, BPF_ANY), -ENOMEM);
	uebpf_map_close(fd);
	/* Any max_entries: nodes are reserved, not touched. */
	fd = create(8, 8, 0xffffffffu, np);
	CHECK(fd >= 0);
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 8), 1, BPF_ANY), 0);
	CHECK_EQ(find4(fd, 10, 1, 2, 3), 1);
	uebpf_map_close(fd);
}

static void test_longest_match(void)
{
	int fd = create(8, 8, 16, BPF_F_NO_PREALLOC);
	uint64_t v;
	CHECK_EQ(find4(fd, 10, 1, 2, 3), -1); /* empty */
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 8), 8, BPF_ANY), 0);
	CHECK_EQ(put4(fd, k4(10, 1, 0, 0, 16), 16, BPF_ANY), 0);
	CHECK_EQ(put4(fd, k4(10, 1, 2, 0, 24), 24, BPF_ANY), 0);
	CHECK_EQ(put4(fd, k4(10, 1, 2, 3, 32), 32, BPF_ANY), 0);
	CHECK_EQ(find4(fd, 10, 1, 2, 3), 32);
	CHECK_EQ(find4(fd, 10, 1, 2, 4), 24);
	CHECK_EQ(find4(fd, 10, 1, 3, 3), 16);
	CHECK_EQ(find4(fd, 10, 2, 2, 3), 8);
	CHECK_EQ(find4(fd, 11, 1, 2, 3), -1);
	/* The key's own prefix length bounds the match. */
	struct key4 k = k4(10, 1, 2, 3, 12);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	CHECK_EQ(v, 8);
	k.plen = 24;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	CHECK_EQ(v, 24);
	k.plen = 7;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	k.plen = 33;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	CHECK_EQ(uebpf_map_lookup_elem_flags(fd, &k, &v, BPF_F_LOCK), -EINVAL);
	/* /0 matches everything that nothing longer does. */
	CHECK_EQ(put4(fd, k4(0, 0, 0, 0, 0), 100, BPF_ANY), 0);
	CHECK_EQ(find4(fd, 11, 1, 2, 3), 100);
	CHECK_EQ(find4(fd, 255, 255, 255, 255), 100);
	CHECK_EQ(find4(fd, 10, 1, 2, 3), 32);
	/* Deleting the /16 uncovers the /8 for addresses under it. */
	k = k4(10, 1, 0, 0, 16);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), 0);
	CHECK_EQ(find4(fd, 10, 1, 3, 3), 8);
	CHECK_EQ(find4(fd, 10, 1, 2, 9), 24);
	uebpf_map_close(fd);
}

static void test_update_rules(void)
{
	int fd = create(8, 8, 16, BPF_F_NO_PREALLOC);
	struct key4 k = k4(10, 0, 0, 0, 8), next;
	CHECK_EQ(put4(fd, k, 1, BPF_EXIST), -ENOENT);
	CHECK_EQ(put4(fd, k, 1, BPF_NOEXIST), 0);
	CHECK_EQ(put4(fd, k, 2, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(put4(fd, k, 3, BPF_EXIST), 0);
	CHECK_EQ(put4(fd, k, 3, BPF_EXIST + 1), -EINVAL);
	CHECK_EQ(put4(fd, k, 3, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 33), 3, BPF_ANY), -EINVAL);
	/* The same /8 with other bits after it: the same entry, whose key
	 * bytes become the new ones. */
	CHECK_EQ(put4(fd, k4(10, 99, 99, 99, 8), 4, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(put4(fd, k4(10, 99, 99, 99, 8), 4, BPF_ANY), 0);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &next), 0);
	CHECK_EQ(next.plen, 8);
	CHECK(!memcmp(next.a, "\x0a\x63\x63\x63", 4));
	CHECK_EQ(uebpf_map_get_next_key(fd, &next, &next), -ENOENT);
	CHECK_EQ(find4(fd, 10, 0, 0, 1), 4);
	/* Exact delete only. */
	CHECK_EQ(uebpf_map_delete_elem(fd, &(struct key4){ 9, { 10 } }), -ENOENT);
	CHECK_EQ(uebpf_map_delete_elem(fd, &(struct key4){ 33, { 10 } }), -EINVAL);
	uint64_t v;
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k, &v), -ENOTSUPP);
	CHECK_EQ(uebpf_map_delete_elem(fd, &(struct key4){ 8, { 10, 1, 1, 1 } }), 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -ENOENT);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &next), -ENOENT);
	uebpf_map_close(fd);
}

static void test_full_map(void)
{
	int fd = create(8, 8, 2, BPF_F_NO_PREALLOC);
	/* Two prefixes that diverge need a glue node: it does not count. */
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 16), 1, BPF_ANY), 0);
	CHECK_EQ(put4(fd, k4(10, 128, 0, 0, 16), 2, BPF_ANY), 0);
	CHECK_EQ(put4(fd, k4(10, 64, 0, 0, 16), 3, BPF_ANY), -ENOSPC);
	/* The glue node's own prefix (10.0/8) is not an entry either. */
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 8), 3, BPF_ANY), -ENOSPC);
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 8), 3, BPF_EXIST), -ENOENT);
	CHECK_EQ(uebpf_map_delete_elem(fd, &(struct key4){ 8, { 10 } }), -ENOENT);
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 16), 4, BPF_ANY), 0); /* replacing still works */
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 16), 5, BPF_EXIST), 0);
	CHECK_EQ(find4(fd, 10, 0, 1, 1), 5);
	CHECK_EQ(uebpf_map_delete_elem(fd, &(struct key4){ 16, { 10, 128 } }), 0);
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 8), 6, BPF_ANY), 0);
	CHECK_EQ(find4(fd, 10, 5, 1, 1), 6);
	CHECK_EQ(find4(fd, 10, 0, 1, 1), 5);
	uebpf_map_close(fd);
}

/* The example of the reference: the kernel's post-order. */
static void test_iteration_order(void)
{
	static const struct {
		uint8_t a[4];
		uint32_t plen;
	} in[] = {
		{ { 0 }, 0 }, { { 128 }, 1 }, { { 0 }, 1 }, { { 10 }, 8 }, { { 10, 0 }, 16 },
		{ { 10, 128 }, 16 }, { { 10, 128, 1 }, 24 }, { { 192 }, 8 },
		{ { 10, 0, 0, 1 }, 32 }, { { 0 }, 4 },
	}, want[] = {
		{ { 10, 0, 0, 1 }, 32 }, { { 10, 0 }, 16 }, { { 10, 128, 1 }, 24 },
		{ { 10, 128 }, 16 }, { { 10 }, 8 }, { { 0 }, 4 }, { { 0 }, 1 }, { { 192 }, 8 },
		{ { 128 }, 1 }, { { 0 }, 0 },
	};
	int fd = create(8, 8, 16, BPF_F_NO_PREALLOC);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct key4 k = { in[i].plen, { 0 } };
		memcpy(k.a, in[i].a, 4);
		CHECK_EQ(put4(fd, k, i, BPF_NOEXIST), 0);
	}
	struct key4 k, *prev = NULL;
	size_t n = 0;
	while (uebpf_map_get_next_key(fd, prev, &k) == 0 && n < 20) {
		CHECK_REPORT(n < 10 && k.plen == want[n].plen && !memcmp(k.a, want[n].a, 4),
			     "key %zu: %u.%u.%u.%u/%u", n, k.a[0], k.a[1], k.a[2], k.a[3], k.plen);
		n++;
		prev = &k;
	}
	CHECK_EQ(n, 10);
	/* A key that is not there (or too long) starts again. */
	struct key4 first, missing = k4(10, 0, 0, 0, 12);
	CHECK_EQ(uebpf_map_get_next_key(fd, &missing, &first), 0);
	CHECK_EQ(first.plen, 32);
	missing.plen = 40;
	CHECK_EQ(uebpf_map_get_next_key(fd, &missing, &first), 0);
	CHECK_EQ(first.plen, 32);
	uebpf_map_close(fd);
}

static void test_ipv6(void)
{
	int fd = create(sizeof(struct key6), 4, 8, BPF_F_NO_PREALLOC);
	struct key6 k = { 32, { 0x20, 0x01, 0x0d, 0xb8 } };
	uint32_t v = 32, out = 0;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	k.plen = 128;
	k.a[15] = 1;
	v = 128;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &out), 0);
	CHECK_EQ(out, 128);
	k.a[15] = 2;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &out), 0);
	CHECK_EQ(out, 32);
	k.a[3] = 0xb9;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &out), -ENOENT);
	k.plen = 129;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, BPF_ANY), -EINVAL);
	uebpf_map_close(fd);
}

/* What a program sees: bpf_map_lookup_elem through ops->lookup_ptr. */
static void test_program_lookup(void)
{
	int fd = create(8, 8, 4, BPF_F_NO_PREALLOC);
	struct map *map = map_from_fd(fd);
	CHECK(map != NULL);
	if (!map)
		return;
	struct key4 k = k4(192, 168, 0, 0, 16), q = k4(192, 168, 7, 7, 32);
	CHECK(map->ops->lookup_ptr(map, &q, 0) == NULL);
	CHECK_EQ(put4(fd, k, 7, BPF_ANY), 0);
	uint64_t *p = map->ops->lookup_ptr(map, &q, 0);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(*p, 7);
	*p = 9; /* the program writes the value in place */
	CHECK_EQ(find4(fd, 192, 168, 1, 1), 9);
	/* An update keeps the pointer valid and visible to the program. */
	CHECK_EQ(put4(fd, k, 11, BPF_EXIST), 0);
	CHECK_EQ(*p, 11);
	q.plen = 33;
	CHECK(map->ops->lookup_ptr(map, &q, 0) == NULL);
	q.plen = 8;
	CHECK(map->ops->lookup_ptr(map, &q, 0) == NULL);
	/* A program's update and delete: the same rules. */
	uint64_t v = 12;
	struct key4 k24 = k4(192, 168, 7, 0, 24);
	CHECK_EQ(map->ops->update(map, &k24, &v, BPF_NOEXIST, 0), 0);
	CHECK_EQ(map->ops->update(map, &k24, &v, BPF_NOEXIST, 0), -EEXIST);
	q.plen = 32;
	p = map->ops->lookup_ptr(map, &q, 0);
	CHECK(p && *p == 12);
	k24.plen = 40;
	CHECK_EQ(map->ops->update(map, &k24, &v, BPF_ANY, 0), -EINVAL);
	CHECK_EQ(map->ops->delete(map, &k24), -EINVAL);
	uebpf_map_close(fd);
}

/* ---- random operations against a model (a list of prefixes) ---- */

struct model_entry {
	uint32_t plen;
	uint8_t a[4];
	uint64_t v;
};

static int prefix_eq(const uint8_t *a, const uint8_t *b, uint32_t plen)
{
	for (uint32_t i = 0; i < plen; i++)
		if ((a[i / 8] ^ b[i / 8]) & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t rnd32(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void test_random_model(void)
{
	enum { MAX = 48, STEPS = 60000 };
	struct model_entry m[MAX];
	size_t n = 0;
	int fd = create(8, 8, MAX, BPF_F_NO_PREALLOC);
	struct map *map = map_from_fd(fd);
	int bad = 0;
	for (int step = 0; step < STEPS && !bad; step++) {
		/* Addresses under 10.0/16 and a few elsewhere: deep nesting. */
		uint32_t addr = rnd32() % 4 ? 0x0a000000u | (rnd32() & 0xffffu) : rnd32();
		uint8_t a[4] = { (uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
				 (uint8_t)addr };
		uint32_t plen = rnd32() % 33;
		struct key4 k = k4(a[0], a[1], a[2], a[3], plen);
		size_t at = n;
		for (size_t i = 0; i < n; i++)
			if (m[i].plen == plen && prefix_eq(m[i].a, a, plen))
				at = i;
		switch (rnd32() % 3) {
		case 0: {
			uint64_t v = rnd32();
			int want = at < n ? 0 : n == MAX ? -ENOSPC : 0;
			int rc = put4(fd, k, v, BPF_ANY);
			bad |= rc != want;
			if (!rc) {
				if (at == n)
					n++;
				m[at] = (struct model_entry){ plen, { a[0], a[1], a[2], a[3] }, v };
			}
			break;
		}
		case 1: {
			int rc = uebpf_map_delete_elem(fd, &k);
			bad |= rc != (at < n ? 0 : -ENOENT);
			if (!rc && at < n)
				m[at] = m[--n];
			break;
		}
		default: {
			/* The model's longest match; the map's, both ways. */
			int64_t best = -1, want = -1;
			for (size_t i = 0; i < n; i++)
				if (m[i].plen <= plen && (int64_t)m[i].plen > best &&
				    prefix_eq(m[i].a, a, m[i].plen)) {
					best = m[i].plen;
					want = (int64_t)m[i].v;
				}
			uint64_t v = 0;
			int rc = uebpf_map_lookup_elem(fd, &k, &v);
			uint64_t *p = map->ops->lookup_ptr(map, &k, 0);
			bad |= rc != (want < 0 ? -ENOENT : 0) || (!rc && v != (uint64_t)want);
			bad |= (p == NULL) != (want < 0) || (p && *p != (uint64_t)want);
			break;
		}
		}
		if (bad)
			CHECK_REPORT(0, "step %d: %u.%u.%u.%u/%u with %zu entries", step, a[0], a[1],
				     a[2], a[3], plen, n);
	}
	/* The iteration has every entry once. */
	struct key4 key, *prev = NULL;
	size_t seen = 0;
	while (uebpf_map_get_next_key(fd, prev, &key) == 0 && seen <= MAX) {
		seen++;
		prev = &key;
	}
	CHECK_EQ(seen, n);
	CHECK(!bad);
	uebpf_map_close(fd);
}

/* ---- a damaged segment: no crash, no endless walk ---- */

static void test_damaged_segment(void)
{
	enum { MAX = 32 };
	int fd = create(8, 8, MAX, BPF_F_NO_PREALLOC);
	struct map *map = map_from_fd(fd);
	int completed = 0;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < MAX; i++) {
			uint32_t x = rnd32();
			put4(fd, k4(10, (uint8_t)x, (uint8_t)(x >> 8), 0, 8 + x % 25), x, BPF_ANY);
		}
		/* Scribble over the shared words and the nodes, but not the
		 * lock: a lock word left taken would only make everyone wait,
		 * as with any lock another process died holding. */
		uint32_t *words = (uint32_t *)map->data;
		size_t n_words = map->hdr->data_size / 4;
		for (int i = 0; i < 8; i++) {
			size_t at = 1 + rnd32() % (n_words - 1);
			words[at] = rnd32() % 4 ? rnd32() % (2 * MAX + 4) : rnd32();
		}
		for (int i = 0; i < 200; i++) {
			uint32_t x = rnd32();
			struct key4 k = k4(10, (uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16),
					   x % 34), next;
			uint64_t v;
			map->ops->lookup_ptr(map, &k, 0);
			uebpf_map_lookup_elem(fd, &k, &v);
			uebpf_map_get_next_key(fd, x & 1 ? &k : NULL, &next);
			if (x & 2)
				uebpf_map_delete_elem(fd, &k);
			else
				put4(fd, k, x, BPF_ANY);
		}
		/* Iterating ends (or is cut short: post-order over a damaged
		 * trie may cycle, which the walk's bound cannot see). */
		struct key4 key, *prev = NULL;
		for (int n = 0; n < 4 * MAX && uebpf_map_get_next_key(fd, prev, &key) == 0; n++)
			prev = &key;
		completed++;
	}
	CHECK_EQ(completed, 200);
	uebpf_map_close(fd);
}

/* ---- pinned and opened by path ---- */

static void test_open_by_path(void)
{
	char dir[] = "/tmp/uebpf-lpm-test-XXXXXX", path[64];
	CHECK(mkdtemp(dir) != NULL);
	setenv(UEBPF_PIN_DIR_ENV, dir, 1);
	int fd = create(8, 8, 8, BPF_F_NO_PREALLOC);
	CHECK_EQ(put4(fd, k4(172, 16, 0, 0, 12), 12, BPF_ANY), 0);
	snprintf(path, sizeof(path), "%s/trie", dir);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	int fd2 = uebpf_obj_get(path);
	CHECK(fd2 >= 0);
	CHECK_EQ(find4(fd2, 172, 20, 1, 1), 12);
	CHECK_EQ(put4(fd2, k4(172, 20, 0, 0, 16), 16, BPF_ANY), 0);
	CHECK_EQ(find4(fd, 172, 20, 1, 1), 16);
	uebpf_map_close(fd2);
	uebpf_map_close(fd);
	unlink(path);
	rmdir(dir);
	unsetenv(UEBPF_PIN_DIR_ENV);
}

/* ---- lookups while the trie changes ---- */

struct stress {
	struct map *map;
	_Atomic int stop;
	/* Never removed: 0/0, 10.0/16 and 10.0.X.0/24 for X < 16. */
	uint64_t *root_value, *net_value;
	_Atomic long lookups, wrong;
};

static void *reader(void *arg)
{
	struct stress *st = arg;
	uint8_t *lo = st->map->data, *hi = lo + st->map->hdr->data_size;
	uint32_t x = (uint32_t)(uintptr_t)&x;
	long n = 0, wrong = 0;
	while (!atomic_load(&st->stop)) {
		x = x * 1103515245u + 12345u;
		/* Under a /24 that is always there: that entry or a longer
		 * one must be found, never the /16 or the /0. */
		struct key4 k = k4(10, 0, (uint8_t)((x >> 16) % 16), (uint8_t)(x >> 24), 32);
		uint8_t *p = st->map->ops->lookup_ptr(st->map, &k, 0);
		if (!p || p < lo || p + 8 > hi || p == (uint8_t *)st->root_value ||
		    p == (uint8_t *)st->net_value)
			wrong++;
		n++;
	}
	atomic_fetch_add(&st->lookups, n);
	atomic_fetch_add(&st->wrong, wrong);
	return NULL;
}

static void test_concurrent_lookups(void)
{
	struct stress st = { 0 };
	/* More readers than most machines have CPUs: a reader preempted in
	 * the middle of a walk wakes up on nodes changed under it. */
	enum { MAX = 64, READERS = 4 };
	int fd = create(8, 8, MAX, BPF_F_NO_PREALLOC);
	st.map = map_from_fd(fd);
	CHECK_EQ(put4(fd, k4(0, 0, 0, 0, 0), 1, BPF_ANY), 0);
	CHECK_EQ(put4(fd, k4(10, 0, 0, 0, 16), 2, BPF_ANY), 0);
	for (uint8_t x = 0; x < 16; x++)
		CHECK_EQ(put4(fd, k4(10, 0, x, 0, 24), 3, BPF_ANY), 0);
	st.root_value = st.map->ops->lookup_ptr(st.map, &(struct key4){ 32, { 11 } }, 0);
	st.net_value = st.map->ops->lookup_ptr(st.map, &(struct key4){ 32, { 10, 0, 99 } }, 0);
	CHECK(st.root_value && st.net_value && st.root_value != st.net_value);

	pthread_t t[READERS];
	for (int i = 0; i < READERS; i++)
		pthread_create(&t[i], NULL, reader, &st);
	/* Entries under 10.0/16 (but no /24: those stay) come and go above
	 * and below the /24s: glue nodes are made and removed, freed nodes
	 * reused at once. */
	struct key4 live[MAX];
	int n_live = 0;
	long failed = 0, changes = 0;
	for (int i = 0; i < 500000; i++) {
		uint32_t x = rnd32(), plen = 17 + (x >> 16) % 16;
		if (plen == 24)
			plen = 20;
		int rc;
		if (n_live < MAX - 20 && (n_live < 8 || x >> 31)) {
			struct key4 c = k4(10, 0, (uint8_t)(x % 32), (uint8_t)(x >> 8), plen);
			rc = put4(fd, c, x, BPF_NOEXIST);
			if (!rc)
				live[n_live++] = c;
		} else {
			int at = (int)(x % (uint32_t)n_live);
			rc = uebpf_map_delete_elem(fd, &live[at]);
			live[at] = live[--n_live];
		}
		failed += rc && rc != -EEXIST;
		changes += !rc;
	}
	atomic_store(&st.stop, 1);
	for (int i = 0; i < READERS; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(failed, 0);
	CHECK(changes > 300000);
	CHECK(atomic_load(&st.lookups) > 0);
	CHECK_REPORT(atomic_load(&st.wrong) == 0, "%ld of %ld lookups went wrong",
		     atomic_load(&st.wrong), atomic_load(&st.lookups));
	CHECK_EQ(find4(fd, 10, 0, 15, 255), 3);
	uebpf_map_close(fd);
}

int main(void)
{
	RUN(test_create_rules);
	RUN(test_longest_match);
	RUN(test_update_rules);
	RUN(test_full_map);
	RUN(test_iteration_order);
	RUN(test_ipv6);
	RUN(test_program_lookup);
	RUN(test_random_model);
	RUN(test_damaged_segment);
	RUN(test_open_by_path);
	RUN(test_concurrent_lookups);
	return check_summary("lpm_trie_test");
}
