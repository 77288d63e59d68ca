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

/* BPF_PROG_LOAD; returns the fd or -errno. The verifier's log goes to
 * log (at log_level) when given. */
static inline int kernel_prog_load(enum bpf_prog_type type,
				   const struct uebpf_insn *insns, size_t cnt,
				   char *log, size_t log_size, uint32_t log_level)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
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

/* True when an error means bpf() is not available to this process. */
static inline int kernel_bpf_refused(int err)
{
	return err == -EPERM || err == -ENOSYS;
}

#endif
