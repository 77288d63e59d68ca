/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK: values without keys in a
 * ring of max_entries + 1 slots (one always free, so that head == tail
 * means empty), as in the kernel. Push writes at head; a queue takes
 * from tail (oldest first), a stack from head - 1 (newest first). Pushing
 * into a full map with BPF_EXIST drops the oldest value (tail) first.
 *
 * The ring state and the slots live in the data area; one cross-process
 * spin lock covers every operation, values are copied in and out under
 * it (the kernel takes a spin lock too).
 */
#include <errno.h>
#include <string.h>

#include "maps/lock.h"
#include "maps/map.h"

/* The kernel's largest value: user space could not copy a bigger one. */
#define QS_MAX_VALUE_SIZE (4u << 20)
/* Slots start one cache line into the data area. */
#define QS_SLOTS_OFF 64

struct qs_ring {
	_Atomic uint32_t lock;
	/* Read and written only under the lock. */
	uint32_t head; /* the slot the next push writes */
	uint32_t tail; /* the oldest value */
};

static int qs_check(struct map_hdr *hdr)
{
	const uint32_t allowed = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY |
				 BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;
	if (hdr->key_size != 0 || hdr->value_size == 0 || hdr->max_entries == 0 ||
	    hdr->map_flags & ~allowed || hdr->map_extra)
		return -EINVAL;
	if (hdr->value_size > QS_MAX_VALUE_SIZE)
		return -E2BIG;
	uint64_t slots = (uint64_t)hdr->max_entries + 1;
	uint64_t size = QS_SLOTS_OFF + slots * hdr->value_size;
	if (size > ((uint64_t)1 << 40))
		return -ENOMEM;
	hdr->data_size = size;
	return 0;
}

static int qs_init(struct map *map)
{
	struct qs_ring *ring = (struct qs_ring *)map->data;
	ring->head = 0;
	ring->tail = 0;
	atomic_store(&ring->lock, 0);
	return 0;
}

static struct qs_ring *qs_ring(struct map *map)
{
	return (struct qs_ring *)map->data;
}

/*
 * The ring size as the kernel keeps it: max_entries + 1 in 32 bits. With
 * max_entries = 0xffffffff it wraps to 0, and the kernel's map is then
 * always full and always empty: a push is E2BIG, a push with BPF_EXIST
 * succeeds and leaves it empty. The same arithmetic gives the same quirk.
 */
static uint32_t qs_size(const struct map_hdr *hdr)
{
	return hdr->max_entries + 1;
}

static uint8_t *qs_slot(struct map *map, uint32_t index)
{
	return map->data + QS_SLOTS_OFF + (uint64_t)index * map->hdr->value_size;
}

/* Under the lock: the indices, checked against the slots there are
 * (another process may have scribbled on them). A ring with an index
 * out of range is emptied rather than addressed outside the segment. */
static void qs_indices(struct map *map, uint32_t *head, uint32_t *tail)
{
	struct qs_ring *ring = qs_ring(map);
	uint64_t slots = (uint64_t)map->hdr->max_entries + 1;
	*head = ring->head;
	*tail = ring->tail;
	if (*head >= slots || *tail >= slots) {
		ring->head = ring->tail = 0;
		*head = *tail = 0;
	}
}

static int qs_push(struct map *map, const void *value, uint64_t flags)
{
	struct qs_ring *ring = qs_ring(map);
	uint32_t size = qs_size(map->hdr), head, tail;

	if (flags & BPF_NOEXIST || flags > BPF_EXIST)
		return -EINVAL;
	seg_lock(&ring->lock);
	qs_indices(map, &head, &tail);
	uint32_t next = head + 1 >= size ? 0 : head + 1;
	if (next == tail) { /* full */
		if (!(flags & BPF_EXIST)) {
			seg_unlock(&ring->lock);
			return -E2BIG;
		}
		/* Make room: the oldest value goes. */
		ring->tail = tail + 1 >= size ? 0 : tail + 1;
	}
	memcpy(qs_slot(map, head), value, map->hdr->value_size);
	ring->head = next;
	seg_unlock(&ring->lock);
	return 0;
}

/*
 * Takes (pop) or reads (peek) the next value: a queue's oldest, a stack's
 * newest. Empty: -ENOENT, and value is not written (the syscall leaves
 * the user's buffer as it was).
 */
static int qs_get(struct map *map, void *value, int stack, int take)
{
	struct qs_ring *ring = qs_ring(map);
	uint32_t size = qs_size(map->hdr), head, tail, index;

	seg_lock(&ring->lock);
	qs_indices(map, &head, &tail);
	if (head == tail) {
		seg_unlock(&ring->lock);
		return -ENOENT;
	}
	if (stack) {
		index = head == 0 ? size - 1 : head - 1;
		if (take)
			ring->head = index;
	} else {
		index = tail;
		if (take)
			ring->tail = tail + 1 >= size ? 0 : tail + 1;
	}
	memcpy(value, qs_slot(map, index), map->hdr->value_size);
	seg_unlock(&ring->lock);
	return 0;
}

static int queue_pop(struct map *map, void *value)
{
	return qs_get(map, value, 0, 1);
}

static int queue_peek(struct map *map, void *value)
{
	return qs_get(map, value, 0, 0);
}

static int stack_pop(struct map *map, void *value)
{
	return qs_get(map, value, 1, 1);
}

static int stack_peek(struct map *map, void *value)
{
	return qs_get(map, value, 1, 0);
}

/* No keys: the kernel refuses both. */
static int qs_delete(struct map *map, const void *key)
{
	return -EINVAL;
}

static int qs_get_next_key(struct map *map, const void *key, void *next_key)
{
	return -EINVAL;
}

const struct map_ops queue_map_ops = {
	.check = qs_check,
	.init = qs_init,
	.delete = qs_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = queue_pop,
	.peek = queue_peek,
};

const struct map_ops stack_map_ops = {
	.check = qs_check,
	.init = qs_init,
	.delete = qs_delete,
	.get_next_key = qs_get_next_key,
	.push = qs_push,
	.pop = stack_pop,
	.peek = stack_peek,
};
