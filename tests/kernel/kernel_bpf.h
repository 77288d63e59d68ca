/* SPDX-License-Identifier: MIT */
/* The kernel side of the differential tests: raw bpf() calls. */
#ifndef UEBPF_TESTS_KERNEL_BPF_H
#define UEBPF_TESTS_KERNEL_BPF_H

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uebpf/isa.h"

/* ctest's "skipped" exit status, for machines where bpf() is refused. */
#define KERNEL_TEST_SKIP 77

static inline int kernel_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* BPF_PROG_LOAD with an expected_attach_type; returns the fd or -errno.
 * The verifier's log goes to log (at log_level) when given. */
static inline int kernel_prog_load_attach(enum bpf_prog_type type, uint32_t expected_attach_type,
					  const struct uebpf_insn *insns, size_t cnt,
					  char *log, size_t log_size, uint32_t log_level)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.expected_attach_type = expected_attach_type;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)"GPL";
	if (log && log_size) {
		log[0] = '\0';
		attr.log_level = log_level;
		attr.log_buf = (uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
	}
	int fd = kernel_bpf(BPF_PROG_LOAD, &attr);
	return fd < 0 ? -errno : fd;
}

/* BPF_PROG_LOAD; returns the fd or -errno. The verifier's log goes to
 * log (at log_level) when given. */
static inline int kernel_prog_load(enum bpf_prog_type type,
				   const struct uebpf_insn *insns, size_t cnt,
				   char *log, size_t log_size, uint32_t log_level)
{
	return kernel_prog_load_attach(type, 0, insns, cnt, log, log_size, log_level);
}

/* BPF_MAP_CREATE; the fd or -errno. inner_fd: maps of maps only (0 otherwise). */
static inline int kernel_map_create(uint32_t type, uint32_t key_size, uint32_t value_size,
				    uint32_t max_entries, uint32_t flags, uint64_t map_extra,
				    int inner_fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	a.map_extra = map_extra;
	a.inner_map_fd = (uint32_t)inner_fd;
	int fd = kernel_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

/* An element command (lookup, update, delete, get_next_key: value is
 * then the next key, lookup_and_delete); 0 or -errno. */
static inline int kernel_map_elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	return kernel_bpf(cmd, &a) < 0 ? -errno : 0;
}

/* A batch command; *count in and out. 0 or -errno. */
static inline int kernel_map_batch(int cmd, int fd, void *in, void *out, void *keys,
				   void *values, uint32_t *count, uint64_t elem_flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = (uint32_t)fd;
	a.batch.in_batch = (uintptr_t)in;
	a.batch.out_batch = (uintptr_t)out;
	a.batch.keys = (uintptr_t)keys;
	a.batch.values = (uintptr_t)values;
	a.batch.count = *count;
	a.batch.elem_flags = elem_flags;
	int rc = kernel_bpf(cmd, &a) < 0 ? -errno : 0;
	*count = a.batch.count;
	return rc;
}

static inline int kernel_map_freeze(int fd)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	return kernel_bpf(BPF_MAP_FREEZE, &a) < 0 ? -errno : 0;
}

/* BPF_OBJ_GET_INFO_BY_FD of a map; 0 or -errno. */
static inline int kernel_map_info(int fd, struct bpf_map_info *info)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, sizeof(*info));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(*info);
	a.info.info = (uintptr_t)info;
	return kernel_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0 ? -errno : 0;
}

/* BPF_PROG_TEST_RUN once on 64 zero bytes; 0 or -errno, the program's
 * return value in *retval. */
static inline int kernel_test_run(int prog_fd, uint32_t *retval)
{
	uint8_t pkt[64] = { 0 };
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = sizeof(pkt);
	a.test.repeat = 1;
	if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		return -errno;
	*retval = a.test.retval;
	return 0;
}

/* BPF_PROG_TEST_RUN once on data (data_out receives the packet
 * afterwards when given, up to its size) with an optional context in
 * and out (ctx_in / ctx_out of ctx_size bytes, NULL for none). 0 or
 * -errno, the program's return value in *retval. */
static inline int kernel_test_run_ctx(int prog_fd, const void *data, uint32_t data_size,
				      void *data_out, uint32_t data_out_size,
				      const void *ctx_in, void *ctx_out, uint32_t ctx_size,
				      uint32_t *retval)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uintptr_t)data;
	a.test.data_size_in = data_size;
	a.test.data_out = (uintptr_t)data_out;
	a.test.data_size_out = data_out ? data_out_size : 0;
	a.test.ctx_in = (uintptr_t)ctx_in;
	a.test.ctx_size_in = ctx_in ? ctx_size : 0;
	a.test.ctx_out = (uintptr_t)ctx_out;
	a.test.ctx_size_out = ctx_out ? ctx_size : 0;
	a.test.repeat = 1;
	if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		return -errno;
	*retval = a.test.retval;
	return 0;
}

/* True when an error means bpf() is not available to this process. */
static inline int kernel_bpf_refused(int err)
{
	return err == -EPERM || err == -ENOSYS;
}

/* Whether the kernel loads the smallest program (r0 = 0; exit): 0 or
 * the negative errno of BPF_PROG_LOAD. */
static inline int kernel_probe_prog_load(void)
{
	const struct uebpf_insn prog[2] = { { .code = BPF_ALU64 | BPF_MOV | BPF_K },
					    { .code = BPF_JMP | BPF_EXIT } };
	int fd = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, prog, 2, NULL, 0, 0);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

#endif
