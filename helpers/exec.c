/* SPDX-License-Identifier: MIT */
/* The services a running program's helpers use: see helpers/exec.h. */
#define _GNU_SOURCE /* sched_getcpu */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "helpers/exec.h"

void *uebpf_exec_user(const struct uebpf_exec *exec)
{
	return exec->user;
}

void uebpf_exec_stop(struct uebpf_exec *exec, uint64_t retval)
{
	exec->stopped = EXEC_STOPPED;
	exec->stop_r0 = retval;
}

void uebpf_exec_fault(struct uebpf_exec *exec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(exec->helper_fault, sizeof(exec->helper_fault), fmt, ap);
	va_end(ap);
	exec->stopped = EXEC_FAULT;
}

bool uebpf_exec_checked(const struct uebpf_exec *exec)
{
	return exec->checked;
}

/* [addr, addr + size) inside [lo, lo + len)? Written to avoid overflow. */
static int inside(uintptr_t addr, size_t size, uintptr_t lo, size_t len)
{
	return addr >= lo && size <= len && addr - lo <= len - size;
}

static int in_list(const struct uebpf_region *list, size_t n, uintptr_t addr, size_t size,
		   unsigned int access)
{
	for (size_t i = 0; i < n; i++)
		if ((list[i].access & access) == access &&
		    inside(addr, size, (uintptr_t)list[i].addr, list[i].size))
			return 1;
	return 0;
}

int uebpf_exec_check_mem(const struct uebpf_exec *ex, const void *ptr,
			 size_t size, unsigned int access)
{
	uintptr_t addr = (uintptr_t)ptr;
	if (!ex->checked)
		return 0;
	if (inside(addr, size, ex->stack_lo, ex->stack_hi - ex->stack_lo) ||
	    in_list(ex->regions, ex->region_cnt, addr, size, access) ||
	    in_list(ex->added, ex->added_cnt, addr, size, access))
		return 0;
	return -EFAULT;
}

int uebpf_exec_add_region(struct uebpf_exec *ex, const void *addr, size_t size,
			  unsigned int access)
{
	if (!ex->checked)
		return 0;
	/* A helper called in a loop grants the same memory again and again.
	 * (Not the stack: its frames come and go.) */
	if (in_list(ex->added, ex->added_cnt, (uintptr_t)addr, size, access))
		return 0;
	if (ex->added_cnt == ex->added_cap) {
		size_t cap = ex->added_cap ? ex->added_cap * 2 : 16;
		struct uebpf_region *r = realloc(ex->added, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		ex->added = r;
		ex->added_cap = cap;
	}
	ex->added[ex->added_cnt++] = (struct uebpf_region){ addr, size, access };
	return 0;
}

uint32_t exec_cpu(struct uebpf_exec *exec)
{
	if (exec->cpu < 0) {
		int cpu = sched_getcpu();
		exec->cpu = cpu < 0 ? 0 : cpu;
	}
	return (uint32_t)exec->cpu;
}

int exec_map_ok(const struct uebpf_exec *exec, const void *ptr)
{
	if (!exec->checked)
		return 1;
	for (size_t i = 0; i < exec->map_cnt; i++)
		if ((const void *)exec->maps[i] == ptr)
			return 1;
	for (size_t i = 0; i < exec->inner_cnt; i++)
		if ((const void *)exec->inner_maps[i] == ptr)
			return 1;
	return 0;
}

int exec_add_inner_map(struct uebpf_exec *exec, struct map *map)
{
	if (!exec->checked || exec_map_ok(exec, map))
		return 0;
	if (exec->inner_cnt == exec->inner_cap) {
		size_t cap = exec->inner_cap ? exec->inner_cap * 2 : 8;
		struct map **m = realloc(exec->inner_maps, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		exec->inner_maps = m;
		exec->inner_cap = cap;
	}
	exec->inner_maps[exec->inner_cnt++] = map;
	return 0;
}

int exec_retire_reserve(struct uebpf_exec *exec)
{
	if (exec->retired_cnt < exec->retired_cap)
		return 0;
	size_t cap = exec->retired_cap ? exec->retired_cap * 2 : 4;
	void **r = realloc(exec->retired, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	exec->retired = r;
	exec->retired_cap = cap;
	return 0;
}

void exec_retire(struct uebpf_exec *exec, void *buf)
{
	exec->retired[exec->retired_cnt++] = buf;
}

void exec_retired_free(struct uebpf_exec *exec)
{
	for (size_t i = 0; i < exec->retired_cnt; i++)
		free(exec->retired[i]);
	free(exec->retired);
	exec->retired = NULL;
	exec->retired_cnt = exec->retired_cap = 0;
}
