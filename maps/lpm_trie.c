/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_LPM_TRIE: longest-prefix match. A key is a u32 prefix
 * length followed by data bytes compared most significant bit first.
 *
 * The trie has the kernel's shape node for node, so that get_next_key's
 * post-order is the kernel's: each node holds a prefix, a child extends
 * it by at least one bit (child[0] when the next bit is 0), and glue
 * ("intermediate") nodes that are not entries join two subtrees that
 * diverge. Glue nodes always have two children, so max_entries entries
 * need at most 2 * max_entries - 1 nodes: that many are preallocated,
 * addressed by index, handed out from a bump index and then a free list.
 *
 * Writers take one map-wide lock. Programs' lookups take none: they walk
 * the trie with atomic loads, and every step must go to a longer prefix,
 * so a walk ends within max_prefixlen + 1 steps whatever it meets. Nodes
 * are changed in place only in ways a walker tolerates (a value, the key
 * bits past the prefix, the glue flag), and new nodes are filled before
 * they are linked. What a walker cannot tolerate is a freed node being
 * reused under it: writers make a sequence count odd while they refill a
 * reused node, and a walk that saw the count change starts again (after
 * a few attempts it takes the lock).
 *
 * Values are updated in place, so a pointer a program got stays inside
 * the map (the kernel swaps in a new node instead).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "maps/lock.h"
#include "maps/map.h"

#define LPM_KEY_HDR 4           /* the u32 prefixlen */
#define LPM_DATA_MAX 256        /* data bytes */
#define LPM_WORDS_MAX (LPM_DATA_MAX / 8)
#define LPM_PLEN_MAX (LPM_DATA_MAX * 8)
#define LPM_VALUE_MAX 4194024u  /* KMALLOC_MAX_SIZE - data max - node header */
/* The kernel allocates each node (its 24-byte header, data and value,
 * and its allocator's 8-byte link) in one piece of at most
 * KMALLOC_MAX_SIZE: with long keys, the largest values fail ENOMEM at
 * every update. */
#define KERNEL_NODE_MAX 4194304u
#define KERNEL_NODE_OVERHEAD 32u
#define NIL 0xffffffffu
#define NODE_GLUE 0x80000000u   /* in meta: an intermediate node, not an entry */
#define META_PLEN(meta) ((meta) & 0xffffu)
/* Lock-free walks that saw a node reused before one takes the lock. */
#define MAX_RETRIES 16

#define NODES_OFF 64 /* the nodes, after struct lpm_shared */

struct lpm_shared {
	_Atomic uint32_t lock;
	_Atomic uint32_t root;      /* node index or NIL */
	_Atomic uint32_t reuse_seq; /* odd while a freed node is being refilled */
	/* Read and written only under the lock. */
	uint32_t n_entries;
	uint32_t free_head;
	uint32_t fresh; /* nodes below this have been handed out */
};

struct lpm_node {
	_Atomic uint32_t child[2]; /* node index or NIL */
	_Atomic uint32_t meta;     /* prefixlen | NODE_GLUE */
	uint32_t next_free;        /* under the lock; walkers never read it */
	/* The data as big-endian words (bit 0 of the key is the top bit of
	 * word 0), zero padded; then the value. */
	_Atomic uint64_t data[];
};

/* A key in the form nodes hold it. */
struct lpm_key {
	uint32_t plen;
	uint64_t w[LPM_WORDS_MAX];
};

/* The geometry, derived from the header's attributes each time: the
 * header has no room of its own for it. */
struct lpm_geom {
	uint32_t data_size, words, max_plen;
	uint32_t n_nodes;
	uint64_t node_size;
};

/* Segments are at most 1 TiB: the room nodes have there. */
#define SEG_MAX ((uint64_t)1 << 40)
#define NODES_ROOM (SEG_MAX - MAP_HDR_SIZE - NODES_OFF)

static struct lpm_geom geom_of(const struct map_hdr *hdr)
{
	struct lpm_geom g;
	g.data_size = hdr->key_size - LPM_KEY_HDR;
	g.words = (g.data_size + 7) / 8;
	g.max_plen = g.data_size * 8;
	g.node_size = sizeof(struct lpm_node) + (uint64_t)g.words * 8 + hdr->value_stride;
	/* Every entry and every glue node possible, as far as indices and
	 * the segment reach. Beyond, an insert fails with ENOMEM, as the
	 * kernel's would when memory runs out. */
	uint64_t n = 2 * (uint64_t)hdr->max_entries - 1;
	if (n > NIL - 1)
		n = NIL - 1;
	if (n * g.node_size > NODES_ROOM) /* no overflow: < 2^32 * 2^23 */
		n = NODES_ROOM / g.node_size;
	g.n_nodes = (uint32_t)n;
	return g;
}

static int lpm_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_RDONLY |
				 BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
	/* The kernel allocates nodes on demand and insists on being told so. */
	if (hdr->max_entries == 0 || !(hdr->map_flags & BPF_F_NO_PREALLOC) ||
	    hdr->map_flags & ~allowed || hdr->map_extra ||
	    hdr->key_size < LPM_KEY_HDR + 1 || hdr->key_size > LPM_KEY_HDR + LPM_DATA_MAX ||
	    hdr->value_size == 0 || hdr->value_size > LPM_VALUE_MAX)
		return -EINVAL;
	/* Address space for the worst case; memory is touched only as
	 * nodes are used. */
	struct lpm_geom g = geom_of(hdr);
	hdr->data_size = NODES_OFF + g.node_size * g.n_nodes;
	return 0;
}

static struct lpm_shared *shared_of(struct map *map)
{
	return (struct lpm_shared *)map->data;
}

static int lpm_init(struct map *map)
{
	struct lpm_shared *sh = shared_of(map);
	atomic_store(&sh->root, NIL);
	sh->free_head = NIL;
	return 0;
}

/* The node at idx, or NULL for NIL or an index out of range (a damaged
 * segment). */
static struct lpm_node *node_at(struct map *map, const struct lpm_geom *g, uint32_t idx)
{
	if (idx >= g->n_nodes)
		return NULL;
	return (struct lpm_node *)(map->data + NODES_OFF + (uint64_t)idx * g->node_size);
}

static uint8_t *node_value(const struct lpm_geom *g, struct lpm_node *n)
{
	return (uint8_t *)&n->data[g->words];
}

static void key_parse(const struct lpm_geom *g, const void *key, struct lpm_key *k)
{
	const uint8_t *data = (const uint8_t *)key + LPM_KEY_HDR;
	memcpy(&k->plen, key, sizeof(k->plen));
	for (uint32_t i = 0; i < g->words; i++) {
		uint8_t bytes[8] = { 0 };
		uint32_t off = i * 8;
		memcpy(bytes, data + off, g->data_size - off < 8 ? g->data_size - off : 8);
		uint64_t w;
		memcpy(&w, bytes, 8);
		k->w[i] = be64toh(w);
	}
}

/* Copies a node's key out in the user's layout. */
static void key_unparse(const struct lpm_geom *g, struct lpm_node *n, uint32_t plen, void *key)
{
	uint8_t *data = (uint8_t *)key + LPM_KEY_HDR;
	memcpy(key, &plen, sizeof(plen));
	for (uint32_t i = 0; i < g->words; i++) {
		uint64_t w = htobe64(atomic_load_explicit(&n->data[i], memory_order_acquire));
		uint32_t off = i * 8;
		memcpy(data + off, &w, g->data_size - off < 8 ? g->data_size - off : 8);
	}
}

/* Bit i of a key, most significant first; i < max_prefixlen. */
static unsigned key_bit(const struct lpm_key *k, uint32_t i)
{
	return (unsigned)(k->w[i / 64] >> (63 - i % 64)) & 1;
}

static unsigned node_bit(struct lpm_node *n, uint32_t i)
{
	uint64_t w = atomic_load_explicit(&n->data[i / 64], memory_order_acquire);
	return (unsigned)(w >> (63 - i % 64)) & 1;
}

/* How many leading bits of the node's data and the key agree, up to
 * limit (at most max_prefixlen, so within the data words). */
static uint32_t match_len(struct lpm_node *n, const struct lpm_key *k, uint32_t limit)
{
	for (uint32_t i = 0; i * 64 < limit; i++) {
		uint64_t diff = atomic_load_explicit(&n->data[i], memory_order_acquire) ^ k->w[i];
		if (diff) {
			uint32_t m = i * 64 + (uint32_t)__builtin_clzll(diff);
			return m < limit ? m : limit;
		}
	}
	return limit;
}

/* A node's prefix length, or -1 when it is not a valid next step of a
 * walk: too long, or not longer than its parent's (a node being reused,
 * or a damaged segment). Either ends the walk, so walks are bounded. */
static int64_t step_plen(const struct lpm_geom *g, uint32_t meta, int64_t parent_plen)
{
	uint32_t plen = META_PLEN(meta);
	if (plen > g->max_plen || (int64_t)plen <= parent_plen || (meta & ~(NODE_GLUE | 0xffffu)))
		return -1;
	return plen;
}

static uint32_t child_idx(struct lpm_node *n, unsigned bit)
{
	return atomic_load_explicit(&n->child[bit], memory_order_acquire);
}

/* ---- lookups ---- */

/* The entry with the longest prefix matching k, or NIL. Safe without the
 * lock: see the top of the file. */
static uint32_t walk_longest(struct map *map, const struct lpm_geom *g,
			     const struct lpm_key *k)
{
	uint32_t found = NIL;
	uint32_t idx = atomic_load_explicit(&shared_of(map)->root, memory_order_acquire);
	int64_t plen = -1;
	struct lpm_node *n;
	while ((n = node_at(map, g, idx))) {
		uint32_t meta = atomic_load_explicit(&n->meta, memory_order_acquire);
		plen = step_plen(g, meta, plen);
		if (plen < 0)
			break;
		uint32_t m = match_len(n, k, (uint32_t)plen < k->plen ? (uint32_t)plen : k->plen);
		if (m < plen)
			break;
		if (!(meta & NODE_GLUE))
			found = idx;
		if (m == g->max_plen)
			break; /* an exact full-length match: nothing is longer */
		idx = child_idx(n, key_bit(k, (uint32_t)plen));
	}
	return found;
}

static uint32_t find_longest(struct map *map, const struct lpm_geom *g,
			     const struct lpm_key *k)
{
	struct lpm_shared *sh = shared_of(map);
	for (int tries = 0; tries < MAX_RETRIES; tries++) {
		uint32_t seq = atomic_load_explicit(&sh->reuse_seq, memory_order_acquire);
		if (seq & 1) {
			cpu_relax();
			continue;
		}
		uint32_t idx = walk_longest(map, g, k);
		/* A node refilled after seq was read was written after the
		 * odd count with release stores, which the walk read with
		 * acquire loads: then it sees the count moved. */
		if (atomic_load_explicit(&sh->reuse_seq, memory_order_acquire) == seq)
			return idx;
	}
	seg_lock(&sh->lock);
	uint32_t idx = walk_longest(map, g, k);
	seg_unlock(&sh->lock);
	return idx;
}

static void *lpm_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	struct lpm_geom g = geom_of(map->hdr);
	struct lpm_key k;
	key_parse(&g, key, &k);
	if (k.plen > g.max_plen)
		return NULL;
	struct lpm_node *n = node_at(map, &g, find_longest(map, &g, &k));
	return n ? node_value(&g, n) : NULL;
}

static int lpm_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	if (flags & BPF_F_LOCK)
		return -EINVAL; /* no spin lock in the value */
	struct lpm_geom g = geom_of(map->hdr);
	struct lpm_key k;
	key_parse(&g, key, &k);
	if (k.plen > g.max_plen)
		return -ENOENT;
	/* Under the lock, so that user space never sees a value half
	 * updated by another update. */
	struct lpm_shared *sh = shared_of(map);
	seg_lock(&sh->lock);
	struct lpm_node *n = node_at(map, &g, walk_longest(map, &g, &k));
	if (n)
		memcpy(value, node_value(&g, n), map->hdr->value_size);
	seg_unlock(&sh->lock);
	return n ? 0 : -ENOENT;
}

/* ---- writers (under the lock) ---- */

static void writer_unlock(struct lpm_shared *sh)
{
	uint32_t seq = atomic_load_explicit(&sh->reuse_seq, memory_order_relaxed);
	if (seq & 1)
		atomic_store_explicit(&sh->reuse_seq, seq + 1, memory_order_release);
	seg_unlock(&sh->lock);
}

/* A node to fill, or NIL when none is left (only with a damaged
 * segment: there is one for every entry and glue node possible). Sets
 * *reused when it was freed before: walkers may still be on it. */
static uint32_t node_alloc(struct map *map, const struct lpm_geom *g, int *reused)
{
	struct lpm_shared *sh = shared_of(map);
	uint32_t idx = sh->free_head;
	struct lpm_node *n = node_at(map, g, idx);
	if (n) {
		sh->free_head = n->next_free;
		*reused = 1;
		return idx;
	}
	sh->free_head = NIL;
	if (sh->fresh < g->n_nodes)
		return sh->fresh++;
	return NIL;
}

/* Before refilling a reused node: walks that meet it start again (the
 * count goes back to even when the lock is released). */
static void reuse_begin(struct lpm_shared *sh)
{
	uint32_t seq = atomic_load_explicit(&sh->reuse_seq, memory_order_relaxed);
	if (!(seq & 1))
		atomic_store_explicit(&sh->reuse_seq, seq + 1, memory_order_release);
}

/* Freed nodes keep their contents until reused: a walker on one goes on
 * into the trie as it was. */
static void node_free(struct map *map, const struct lpm_geom *g, uint32_t idx)
{
	struct lpm_shared *sh = shared_of(map);
	struct lpm_node *n = node_at(map, g, idx);
	if (!n)
		return;
	n->next_free = sh->free_head;
	sh->free_head = idx;
}

static void store_data(const struct lpm_geom *g, struct lpm_node *n, const uint64_t *w)
{
	for (uint32_t i = 0; i < g->words; i++)
		atomic_store_explicit(&n->data[i], w[i], memory_order_release);
}

/* Fills a node that no walker can reach yet (but one may still be on
 * it, if reused: release stores, see find_longest). */
static void node_fill(const struct lpm_geom *g, struct lpm_node *n, uint32_t meta,
		      const uint64_t *data, uint32_t child0, uint32_t child1)
{
	store_data(g, n, data);
	atomic_store_explicit(&n->child[0], child0, memory_order_release);
	atomic_store_explicit(&n->child[1], child1, memory_order_release);
	atomic_store_explicit(&n->meta, meta, memory_order_release);
}

/* A new entry counts against max_entries; the kernel's checks, in order. */
static int add_entry(struct lpm_shared *sh, const struct map_hdr *hdr, uint64_t flags)
{
	if (flags == BPF_EXIST)
		return -ENOENT;
	if (sh->n_entries >= hdr->max_entries)
		return -ENOSPC;
	sh->n_entries++;
	return 0;
}

/* The result of walking down to where key k belongs. */
struct lpm_place {
	_Atomic uint32_t *slot;   /* the link to node (or to where it would go) */
	_Atomic uint32_t *parent_slot; /* the link to parent */
	uint32_t idx, parent;     /* NIL when none */
	struct lpm_node *node;    /* NULL: an empty slot */
	uint32_t meta, plen, matched;
};

/* Walks as the kernel's update and delete do: down while the node's
 * prefix is a proper prefix of k. */
static void place_find(struct map *map, const struct lpm_geom *g, const struct lpm_key *k,
		       struct lpm_place *p)
{
	int64_t plen = -1;
	p->slot = p->parent_slot = &shared_of(map)->root;
	p->parent = NIL;
	for (;;) {
		p->idx = atomic_load_explicit(p->slot, memory_order_relaxed);
		p->node = node_at(map, g, p->idx);
		if (!p->node)
			break;
		p->meta = atomic_load_explicit(&p->node->meta, memory_order_relaxed);
		plen = step_plen(g, p->meta, plen);
		if (plen < 0) {
			p->node = NULL; /* damaged: treat the slot as empty */
			break;
		}
		p->plen = (uint32_t)plen;
		p->matched = match_len(p->node, k, p->plen < k->plen ? p->plen : k->plen);
		if (p->matched != p->plen || p->plen == k->plen)
			break;
		p->parent_slot = p->slot;
		p->parent = p->idx;
		p->slot = &p->node->child[key_bit(k, p->plen)];
	}
	if (!p->node)
		p->idx = NIL;
}

static int lpm_update(struct map *map, const void *key, const void *value,
		      uint64_t flags, uint32_t cpu)
{
	const struct map_hdr *hdr = map->hdr;
	struct lpm_geom g = geom_of(hdr);
	struct lpm_shared *sh = shared_of(map);
	struct lpm_key k;
	struct lpm_place p;
	int err = 0;

	if (flags > BPF_EXIST)
		return -EINVAL; /* BPF_F_LOCK too: no spin lock in the value */
	key_parse(&g, key, &k);
	if (k.plen > g.max_plen)
		return -EINVAL;
	if (KERNEL_NODE_OVERHEAD + g.data_size + hdr->value_size > KERNEL_NODE_MAX)
		return -ENOMEM;

	seg_lock(&sh->lock);
	place_find(map, &g, &k, &p);

	if (p.node && p.matched == p.plen) {
		/* This very prefix: an entry, or a glue node that becomes
		 * one. Either way the key's bytes are stored anew (the bits
		 * that decide the prefix stay the same). */
		if (!(p.meta & NODE_GLUE))
			err = flags == BPF_NOEXIST ? -EEXIST : 0;
		else
			err = add_entry(sh, hdr, flags);
		if (!err) {
			memcpy(node_value(&g, p.node), value, hdr->value_size);
			store_data(&g, p.node, k.w);
			atomic_store_explicit(&p.node->meta, k.plen, memory_order_release);
		}
		goto out;
	}
	err = add_entry(sh, hdr, flags);
	if (err)
		goto out;

	/* The new entry, and a glue node when it and the node in its slot
	 * diverge below both their prefixes. */
	int need_glue = p.node && p.matched != k.plen, reused = 0;
	uint32_t new_idx = node_alloc(map, &g, &reused);
	uint32_t glue_idx = need_glue ? node_alloc(map, &g, &reused) : NIL;
	struct lpm_node *new_node = node_at(map, &g, new_idx);
	struct lpm_node *glue = node_at(map, &g, glue_idx);
	if (!new_node || (need_glue && !glue)) {
		node_free(map, &g, new_idx);
		node_free(map, &g, glue_idx);
		sh->n_entries--;
		err = -ENOMEM;
		goto out;
	}
	/* Walkers never read values: the count need not cover this copy. */
	memcpy(node_value(&g, new_node), value, hdr->value_size);
	if (reused)
		reuse_begin(sh);

	if (!p.node) {
		/* An empty slot. */
		node_fill(&g, new_node, k.plen, k.w, NIL, NIL);
		atomic_store_explicit(p.slot, new_idx, memory_order_release);
	} else if (!need_glue) {
		/* The new prefix is a prefix of the node's: it goes above. */
		unsigned bit = node_bit(p.node, k.plen);
		node_fill(&g, new_node, k.plen, k.w, bit ? NIL : p.idx, bit ? p.idx : NIL);
		atomic_store_explicit(p.slot, new_idx, memory_order_release);
	} else {
		uint64_t glue_data[LPM_WORDS_MAX];
		for (uint32_t i = 0; i < g.words; i++)
			glue_data[i] = atomic_load_explicit(&p.node->data[i], memory_order_relaxed);
		node_fill(&g, new_node, k.plen, k.w, NIL, NIL);
		unsigned bit = key_bit(&k, p.matched);
		node_fill(&g, glue, p.matched | NODE_GLUE, glue_data, bit ? p.idx : new_idx,
			  bit ? new_idx : p.idx);
		atomic_store_explicit(p.slot, glue_idx, memory_order_release);
	}
out:
	writer_unlock(sh);
	return err;
}

static int lpm_delete(struct map *map, const void *key)
{
	struct lpm_geom g = geom_of(map->hdr);
	struct lpm_shared *sh = shared_of(map);
	struct lpm_key k;
	struct lpm_place p;

	key_parse(&g, key, &k);
	if (k.plen > g.max_plen)
		return -EINVAL;

	seg_lock(&sh->lock);
	place_find(map, &g, &k, &p);
	if (!p.node || p.plen != k.plen || p.matched != p.plen || p.meta & NODE_GLUE) {
		writer_unlock(sh);
		return -ENOENT;
	}
	sh->n_entries--;

	uint32_t c0 = child_idx(p.node, 0), c1 = child_idx(p.node, 1);
	int has0 = node_at(map, &g, c0) != NULL, has1 = node_at(map, &g, c1) != NULL;
	struct lpm_node *parent = node_at(map, &g, p.parent);
	if (has0 && has1) {
		/* Still needed to join its two subtrees: it becomes glue. */
		atomic_store_explicit(&p.node->meta, p.plen | NODE_GLUE, memory_order_release);
	} else if (!has0 && !has1 && parent &&
		   atomic_load_explicit(&parent->meta, memory_order_relaxed) & NODE_GLUE) {
		/* A leaf under glue: the glue goes too, its other child
		 * takes its place. */
		uint32_t other = child_idx(parent, child_idx(parent, 0) == p.idx ? 1 : 0);
		atomic_store_explicit(p.parent_slot, other, memory_order_release);
		node_free(map, &g, p.parent);
		node_free(map, &g, p.idx);
	} else {
		atomic_store_explicit(p.slot, has0 ? c0 : has1 ? c1 : NIL, memory_order_release);
		node_free(map, &g, p.idx);
	}
	writer_unlock(sh);
	return 0;
}

/* ---- iteration: the kernel's post-order (children before parents, the
 * 0 side first), glue nodes skipped ---- */

/* The first entry in post-order of the subtree at idx: down to a leaf,
 * left when possible. */
static struct lpm_node *leftmost(struct map *map, const struct lpm_geom *g, uint32_t idx,
				 int64_t parent_plen, uint32_t *plen_out)
{
	struct lpm_node *n, *found = NULL;
	int64_t plen = parent_plen;
	while ((n = node_at(map, g, idx))) {
		uint32_t meta = atomic_load_explicit(&n->meta, memory_order_relaxed);
		plen = step_plen(g, meta, plen);
		if (plen < 0)
			break;
		if (!(meta & NODE_GLUE)) {
			found = n;
			*plen_out = (uint32_t)plen;
		}
		idx = child_idx(n, 0);
		if (!node_at(map, g, idx))
			idx = child_idx(n, 1);
	}
	return found;
}

static int lpm_get_next_key(struct map *map, const void *key, void *next_key)
{
	struct lpm_geom g = geom_of(map->hdr);
	struct lpm_shared *sh = shared_of(map);
	/* The path from the root to key's node: node indices and prefix
	 * lengths, at most one per prefix length. */
	uint32_t stack[LPM_PLEN_MAX + 1];
	int64_t plens[LPM_PLEN_MAX + 1];
	struct lpm_node *next = NULL;
	uint32_t next_plen = 0;
	int depth = 0;
	struct lpm_key k;

	seg_lock(&sh->lock);
	uint32_t root = atomic_load_explicit(&sh->root, memory_order_relaxed);
	if (!node_at(map, &g, root))
		goto out;
	if (key)
		key_parse(&g, key, &k);
	if (!key || k.plen > g.max_plen)
		goto first;

	/* Find key's exact entry, as update does, remembering the path. */
	uint32_t idx = root;
	int64_t plen = -1;
	struct lpm_node *n;
	uint32_t meta = 0, matched = 0;
	while ((n = node_at(map, &g, idx))) {
		meta = atomic_load_explicit(&n->meta, memory_order_relaxed);
		plen = step_plen(&g, meta, plen);
		if (plen < 0) {
			n = NULL;
			break;
		}
		stack[depth] = idx;
		plens[depth] = plen;
		depth++;
		matched = match_len(n, &k, (uint32_t)plen < k.plen ? (uint32_t)plen : k.plen);
		if (matched != plen || plen == k.plen)
			break;
		idx = child_idx(n, key_bit(&k, (uint32_t)plen));
	}
	if (!n || matched != plen || plen != k.plen || meta & NODE_GLUE)
		goto first;

	/* Up from key's node: the next is the first of the right sibling
	 * subtree when we come from the left, else the parent itself
	 * unless it is glue. */
	for (int i = depth - 1; i > 0; i--) {
		struct lpm_node *parent = node_at(map, &g, stack[i - 1]);
		if (child_idx(parent, 0) == stack[i]) {
			next = leftmost(map, &g, child_idx(parent, 1), plens[i - 1], &next_plen);
			if (next)
				goto out;
		}
		meta = atomic_load_explicit(&parent->meta, memory_order_relaxed);
		if (!(meta & NODE_GLUE)) {
			next = parent;
			next_plen = (uint32_t)plens[i - 1];
			goto out;
		}
	}
	goto out; /* key was the last */
first:
	next = leftmost(map, &g, root, -1, &next_plen);
out:
	if (next)
		key_unparse(&g, next, next_plen, next_key);
	seg_unlock(&sh->lock);
	return next ? 0 : -ENOENT;
}

const struct map_ops lpm_trie_map_ops = {
	.check = lpm_check,
	.init = lpm_init,
	.lookup_ptr = lpm_lookup_ptr,
	.lookup = lpm_lookup,
	.update = lpm_update,
	.delete = lpm_delete,
	.get_next_key = lpm_get_next_key,
	/* The kernel's generic batches: lookups walk get_next_key. */
	.batch = MAP_BATCH_LOOKUP | MAP_BATCH_UPDATE | MAP_BATCH_DELETE,
};
