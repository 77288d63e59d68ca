/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_STACK_TRACE, for the helpers that fill it
 * (bpf_get_stackid), and the stack sources those helpers read stacks
 * from (helpers/stack_helpers.c).
 */
#ifndef UEBPF_MAPS_STACKMAP_H
#define UEBPF_MAPS_STACKMAP_H

#include <linux/bpf.h>
#include <stdint.h>

#include "maps/map.h"

/* The deepest stack a trace holds: the kernel's default
 * kernel.perf_event_max_stack, which bounds value_size at creation and
 * the frames the helpers collect. */
#define STACKMAP_MAX_DEPTH 127

/* Bytes per frame in a map's values: a u64 ip, or a struct
 * bpf_stack_build_id with BPF_F_STACK_BUILD_ID. */
static inline uint32_t stackmap_frame_size(const struct map *map)
{
	return map->hdr->map_flags & BPF_F_STACK_BUILD_ID ? sizeof(struct bpf_stack_build_id)
							   : sizeof(uint64_t);
}

/*
 * Stores a trace as bpf_get_stackid does, once the stack is taken, the
 * skipped frames dropped and the rest cut to the map's depth: ips holds
 * n frames, innermost first. The id is jhash2 of the ips (as 2n u32
 * words, seed 0) masked by the bucket count. Build-id maps store ids[]
 * (n records), or with ids NULL records of status BPF_STACK_BUILD_ID_IP,
 * as the kernel does for kernel stacks; their hash is still over the ips.
 *
 * flags: BPF_F_FAST_STACK_CMP (a bucket with the same hash is a match),
 * BPF_F_REUSE_STACKID (a different trace in the bucket is replaced);
 * other bits are ignored (the helper checks them). Returns the id, or
 * -EEXIST (the bucket holds another trace), -ENOMEM (no free element),
 * -EFAULT (n == 0, an empty stack).
 */
int stackmap_store(struct map *map, const uint64_t *ips,
		   const struct bpf_stack_build_id *ids, uint32_t n, uint64_t flags);

/* ---- stack sources (implemented in helpers/stack_helpers.c) ---- */

struct uebpf_exec;

/*
 * Where bpf_get_stackid and bpf_get_stack take a stack from: fills ips
 * with at most max frames, innermost first, of the user stack (user) or
 * the kernel stack (!user) at the event, and returns how many; 0 for an
 * empty stack; a negative errno if it cannot be taken (the helpers then
 * return -EFAULT, as the kernel does when it has no callchain).
 */
typedef int (*stack_source_fn)(struct uebpf_exec *exec, int user, uint64_t *ips,
			       uint32_t max, void *ctx);

/*
 * The default source. The user stack is the native call stack of the
 * thread running the program, from the code that called uebpf_code_run
 * outwards: the first ip is the return address into uebpf_code_run's
 * caller, the others return addresses further out (what backtrace()
 * gives there, minus its own frame). uebpf's frames (helper, interpreter,
 * uebpf_code_run) are left out. Taken with the unwinder (.eh_frame, as
 * backtrace() does: no frame pointers needed); it ends at code without
 * unwind tables. There is no kernel in user space: the kernel stack is
 * empty (0 frames), as for a kernel uprobe.
 */
int stack_source_native(struct uebpf_exec *exec, int user, uint64_t *ips, uint32_t max,
			void *ctx);

/*
 * Sets the source programs run by this thread take stacks from (fn NULL:
 * the default); the previous one goes to *old_fn / *old_ctx if given.
 * Hooks that run programs for an event elsewhere (a stopped thread, a
 * signal's context) set theirs around uebpf_code_run.
 */
void stack_source_set(stack_source_fn fn, void *ctx, stack_source_fn *old_fn, void **old_ctx);

/*
 * Build ids of the frames at ips, as the kernel reports user frames:
 * BPF_STACK_BUILD_ID_VALID with the ELF build id (NT_GNU_BUILD_ID) of
 * the loaded object the ip falls in and the ip's offset in its file, or
 * BPF_STACK_BUILD_ID_IP with the ip (no object, no file behind the
 * mapping such as the vDSO or JIT code, or no build id).
 */
void stack_build_ids(const uint64_t *ips, uint32_t n, struct bpf_stack_build_id *out);

#endif /* UEBPF_MAPS_STACKMAP_H */
