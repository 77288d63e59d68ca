/* SPDX-License-Identifier: MIT */
/*
 * bpf_get_stackid and bpf_get_stack, the stack sources they read
 * (maps/stackmap.h) and the build ids of user frames.
 *
 * The kernel's rules: flags hold a skip count (low 8 bits) and
 * BPF_F_USER_STACK; at most value_size / frame + skip frames (capped at
 * STACKMAP_MAX_DEPTH) are taken, the skipped ones dropped. Stacks come
 * from this thread's stack source: by default the native call stack of
 * the code that ran the program, and an empty kernel stack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <string.h>
#include <sys/auxv.h>
#include <unwind.h>

#include "helpers/helpers.h"
#include "maps/stackmap.h"

#define SKIP_MASK 0xffull

/* ---- stack sources ---- */

static _Thread_local stack_source_fn thread_source;
static _Thread_local void *thread_source_ctx;

void stack_source_set(stack_source_fn fn, void *ctx, stack_source_fn *old_fn, void **old_ctx)
{
	if (old_fn)
		*old_fn = thread_source;
	if (old_ctx)
		*old_ctx = thread_source_ctx;
	thread_source = fn;
	thread_source_ctx = ctx;
}

/* uebpf's frames a walk passes through before reaching uebpf_code_run's
 * (helper, interpreter, callbacks nested in helpers). */
#define WALK_INNER 64

struct walk {
	/* Frames up to uebpf_code_run's, with their canonical frame
	 * addresses; after it, the caller's frames go to out. */
	uint64_t inner_ip[WALK_INNER];
	uintptr_t inner_cfa[WALK_INNER];
	uint32_t n_inner;
	int found_run; /* uebpf_code_run's frame was seen */
	uint64_t *out;
	uint32_t n_out, max;
};

static _Unwind_Reason_Code walk_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct walk *w = arg;
	uintptr_t ip = _Unwind_GetIP(ctx);
	if (!ip)
		return _URC_END_OF_STACK;
	if (w->found_run) {
		if (w->n_out == w->max)
			return _URC_END_OF_STACK;
		w->out[w->n_out++] = ip;
		return w->n_out == w->max ? _URC_END_OF_STACK : _URC_NO_REASON;
	}
	if (_Unwind_GetRegionStart(ctx) == (uintptr_t)&uebpf_code_run) {
		w->found_run = 1;
		return w->max ? _URC_NO_REASON : _URC_END_OF_STACK;
	}
	if (w->n_inner == WALK_INNER)
		return _URC_END_OF_STACK;
	w->inner_ip[w->n_inner] = ip;
	w->inner_cfa[w->n_inner] = _Unwind_GetCFA(ctx);
	w->n_inner++;
	return _URC_NO_REASON;
}

int stack_source_native(struct uebpf_exec *exec, int user, uint64_t *ips, uint32_t max,
			void *ctx)
{
	if (!user)
		return 0; /* no kernel below the program: an empty kernel stack */
	struct walk w;
	w.n_inner = 0;
	w.found_run = 0;
	w.out = ips;
	w.n_out = 0;
	w.max = max;
	_Unwind_Backtrace(walk_frame, &w);
	if (w.found_run)
		return (int)w.n_out;
	/*
	 * uebpf_code_run's frame was not recognised (its address seen from
	 * here is not its code, e.g. a PLT stub): the run state lives in its
	 * frame, so the first frame whose CFA is above it is that frame.
	 */
	for (uint32_t i = 0; i < w.n_inner; i++) {
		if (w.inner_cfa[i] <= (uintptr_t)exec)
			continue;
		uint32_t n = 0;
		for (uint32_t j = i + 1; j < w.n_inner && n < max; j++)
			ips[n++] = w.inner_ip[j];
		return (int)n;
	}
	return -EFAULT;
}

/* The stack the program's thread asks for: frames in ips (at most max),
 * or a negative errno. */
static int take_stack(struct uebpf_exec *exec, int user, uint64_t *ips, uint32_t max)
{
	stack_source_fn fn = thread_source ? thread_source : stack_source_native;
	int n = fn(exec, user, ips, max, thread_source ? thread_source_ctx : NULL);
	return n > (int)max ? (int)max : n;
}

/* ---- build ids ---- */

struct build_id_walk {
	const uint64_t *ips;
	uint32_t n;
	struct bpf_stack_build_id *out;
	uintptr_t vdso, page;
};

/* Does [addr, addr + size) lie in a readable file-backed part of a
 * loaded segment of the object? */
static int object_readable(const struct dl_phdr_info *info, uintptr_t addr, size_t size)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R))
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (addr >= lo && size <= ph->p_filesz && addr - lo <= ph->p_filesz - size)
			return 1;
	}
	return 0;
}

/* The object's NT_GNU_BUILD_ID, read from its mapped note segments as
 * the kernel parses them (4-byte alignment, owner "GNU", 1 to 20 bytes,
 * zero padded). Returns 1 if found. */
static int object_build_id(const struct dl_phdr_info *info, unsigned char id[BPF_BUILD_ID_SIZE])
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		const uint8_t *note = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		size_t size = ph->p_filesz, off = 0;
		if (!object_readable(info, (uintptr_t)note, size))
			continue;
		while (size - off > sizeof(ElfW(Nhdr))) {
			ElfW(Nhdr) nh;
			memcpy(&nh, note + off, sizeof(nh));
			size_t name_off = off + sizeof(nh);
			size_t desc_off = name_off + (((size_t)nh.n_namesz + 3) & ~(size_t)3);
			size_t next = desc_off + (((size_t)nh.n_descsz + 3) & ~(size_t)3);
			if (next > size || next <= off)
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp(note + name_off, "GNU", 4) && nh.n_descsz > 0 &&
			    nh.n_descsz <= BPF_BUILD_ID_SIZE) {
				memset(id, 0, BPF_BUILD_ID_SIZE);
				memcpy(id, note + desc_off, nh.n_descsz);
				return 1;
			}
			off = next;
		}
	}
	return 0;
}

static int build_id_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct build_id_walk *w = arg;
	unsigned char id[BPF_BUILD_ID_SIZE];
	int have_id = -1; /* not read yet */

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		/* The vDSO has no file behind it: the kernel gives its ips. */
		if (ph->p_type == PT_LOAD && w->vdso >= start && w->vdso - start < ph->p_memsz)
			return 0;
	}
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		/* The pages mapped from the file (the rest of a segment,
		 * its .bss, is anonymous memory). */
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		uintptr_t lo = start & ~(w->page - 1);
		uintptr_t hi = (start + ph->p_filesz + w->page - 1) & ~(w->page - 1);
		uint64_t file_lo = ph->p_offset & ~(uint64_t)(w->page - 1);
		for (uint32_t j = 0; j < w->n; j++) {
			uint64_t ip = w->ips[j];
			if (w->out[j].status != BPF_STACK_BUILD_ID_IP || ip < lo || ip >= hi)
				continue;
			if (have_id < 0)
				have_id = object_build_id(info, id);
			if (!have_id)
				break;
			w->out[j].status = BPF_STACK_BUILD_ID_VALID;
			memcpy(w->out[j].build_id, id, sizeof(id));
			w->out[j].offset = file_lo + (ip - lo);
		}
	}
	return 0;
}

void stack_build_ids(const uint64_t *ips, uint32_t n, struct bpf_stack_build_id *out)
{
	for (uint32_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].status = BPF_STACK_BUILD_ID_IP;
		out[i].ip = ips[i];
	}
	if (!n)
		return;
	struct build_id_walk w = { ips, n, out, getauxval(AT_SYSINFO_EHDR), getauxval(AT_PAGESZ) };
	if (!w.page || (w.page & (w.page - 1)))
		w.page = 4096;
	dl_iterate_phdr(build_id_object, &w);
}

/* ---- the helpers ---- */

/* r2 of bpf_get_stackid: in checked mode a stack trace map of the
 * program (faults otherwise). NULL with *err set when unusable. */
static struct map *stack_map_arg(struct uebpf_exec *exec, uint64_t r2, uint64_t *err)
{
	struct map *map = (struct map *)(uintptr_t)r2;
	*err = 0;
	if (!exec_map_ok(exec, map) ||
	    (exec->checked && map->hdr->type != BPF_MAP_TYPE_STACK_TRACE)) {
		uebpf_exec_fault(exec, "R2 is not a stack trace map of this program (0x%llx)",
				 (unsigned long long)r2);
		return NULL;
	}
	if (map->hdr->type != BPF_MAP_TYPE_STACK_TRACE) {
		*err = (uint64_t)-EINVAL; /* the verifier's job: refused, not followed */
		return NULL;
	}
	return map;
}

static uint32_t max_depth(uint32_t frames, uint32_t skip)
{
	uint32_t depth = frames + skip;
	return depth > STACKMAP_MAX_DEPTH ? STACKMAP_MAX_DEPTH : depth;
}

HELPER(get_stackid)
{
	uint64_t flags = r3, err;
	struct map *map = stack_map_arg(exec, r2, &err);
	if (!map)
		return err;
	if (flags & ~(SKIP_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID))
		return (uint64_t)-EINVAL;
	int user = !!(flags & BPF_F_USER_STACK);
	uint32_t skip = (uint32_t)(flags & SKIP_MASK), frame = stackmap_frame_size(map);
	uint32_t depth = max_depth(map->hdr->value_size / frame, skip);
	uint64_t ips[STACKMAP_MAX_DEPTH];
	int nr = take_stack(exec, user, ips, depth);
	if (nr < 0 || (uint32_t)nr <= skip)
		return (uint64_t)-EFAULT; /* no stack, or nothing left after skipping */
	uint32_t n = (uint32_t)nr - skip;
	if (frame == sizeof(struct bpf_stack_build_id) && user) {
		struct bpf_stack_build_id ids[STACKMAP_MAX_DEPTH];
		stack_build_ids(ips + skip, n, ids);
		return (uint64_t)(int64_t)stackmap_store(map, ips + skip, ids, n, flags);
	}
	return (uint64_t)(int64_t)stackmap_store(map, ips + skip, NULL, n, flags);
}

HELPER(get_stack)
{
	uint8_t *buf = (uint8_t *)(uintptr_t)r2;
	uint64_t flags = r4;
	uint32_t size = (uint32_t)r3;
	int64_t ret = -EINVAL;
	if (r3 && uebpf_exec_check_mem(exec, buf, r3, UEBPF_MEM_WRITE)) {
		uebpf_exec_fault(exec, "get_stack buffer: %llu bytes at %p are not writable",
				 (unsigned long long)r3, (void *)buf);
		return 0;
	}
	int user = !!(flags & BPF_F_USER_STACK), build_id = !!(flags & BPF_F_USER_BUILD_ID);
	uint32_t skip = (uint32_t)(flags & SKIP_MASK);
	uint32_t frame = build_id ? sizeof(struct bpf_stack_build_id) : sizeof(uint64_t);
	if (flags & ~(SKIP_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID) ||
	    (build_id && !user) || size % frame)
		goto clear;
	uint64_t ips[STACKMAP_MAX_DEPTH];
	int nr = take_stack(exec, user, ips, max_depth(size / frame, skip));
	ret = -EFAULT;
	if (nr < 0 || (uint32_t)nr < skip)
		goto clear;
	uint32_t n = (uint32_t)nr - skip;
	size_t len = (size_t)n * frame;
	if (build_id) {
		struct bpf_stack_build_id ids[STACKMAP_MAX_DEPTH];
		stack_build_ids(ips + skip, n, ids);
		memcpy(buf, ids, len);
	} else if (len) {
		memcpy(buf, ips + skip, len);
	}
	if (size > len)
		memset(buf + len, 0, size - len);
	return len;
clear:
	if (size)
		memset(buf, 0, size);
	return (uint64_t)ret;
}
