/* SPDX-License-Identifier: MIT */
/* General helpers: time, randomness, the current CPU, process and thread,
 * and reading user memory without faulting. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "helpers/helpers.h"

/* Jiffies tick at this rate (the loader gives programs CONFIG_HZ = this). */
#define UEBPF_HZ 1000

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

HELPER(ktime_get_ns)
{
	return clock_ns(CLOCK_MONOTONIC);
}

HELPER(ktime_get_boot_ns)
{
	return clock_ns(CLOCK_BOOTTIME);
}

HELPER(ktime_get_coarse_ns)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

HELPER(ktime_get_tai_ns)
{
	return clock_ns(CLOCK_TAI);
}

HELPER(jiffies64)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE) / (1000000000u / UEBPF_HZ);
}

/* xorshift128+ per thread, seeded from the kernel's randomness. */
HELPER(get_prandom_u32)
{
	static __thread uint64_t s[2];
	if (!s[0] && !s[1]) {
		if (getrandom(s, sizeof(s), 0) != sizeof(s) || (!s[0] && !s[1])) {
			s[0] = clock_ns(CLOCK_MONOTONIC) | 1;
			s[1] = (uint64_t)gettid() * 0x9e3779b97f4a7c15ull;
		}
	}
	uint64_t a = s[0], b = s[1];
	s[0] = b;
	a ^= a << 23;
	s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return (uint32_t)((s[1] + b) >> 32);
}

HELPER(get_smp_processor_id)
{
	return exec_cpu(exec);
}

HELPER(get_numa_node_id)
{
	unsigned cpu, node = 0;
	if (getcpu(&cpu, &node))
		return 0;
	return node;
}

/* The thread group (process) id in the upper half, the thread id in the
 * lower, as the kernel reports a task. */
HELPER(get_current_pid_tgid)
{
	return (uint64_t)(uint32_t)getpid() << 32 | (uint32_t)gettid();
}

HELPER(get_current_uid_gid)
{
	return (uint64_t)(uint32_t)getgid() << 32 | (uint32_t)getuid();
}

/* Checked mode: dst must be writable for size bytes; faults otherwise. */
static int dst_ok(struct uebpf_exec *exec, void *dst, uint64_t size)
{
	if (uebpf_exec_check_mem(exec, dst, size, UEBPF_MEM_WRITE) == 0)
		return 1;
	uebpf_exec_fault(exec, "helper destination: %llu bytes at %p are not writable",
			 (unsigned long long)size, dst);
	return 0;
}

HELPER(get_current_comm)
{
	char *buf = (char *)(uintptr_t)r1, comm[16] = "";
	uint64_t size = r2;
	if (size == 0)
		return (uint64_t)-EINVAL;
	if (!dst_ok(exec, buf, size))
		return 0;
	prctl(PR_GET_NAME, comm);
	size_t n = strnlen(comm, sizeof(comm));
	if (n >= size)
		n = size - 1;
	memcpy(buf, comm, n);
	memset(buf + n, 0, size - n); /* padded with zeros, as strscpy_pad does */
	return 0;
}

/* Copies size bytes of this process's memory at src without faulting:
 * the kernel checks the addresses. Returns the bytes copied or -EFAULT. */
static long read_nofault(void *dst, const void *src, size_t size)
{
	struct iovec local = { dst, size }, remote = { (void *)src, size };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	return n < 0 ? -EFAULT : (long)n;
}

HELPER(probe_read_user)
{
	void *dst = (void *)(uintptr_t)r1;
	uint64_t size = r2;
	if (size == 0)
		return 0;
	if (!dst_ok(exec, dst, size))
		return 0;
	if (read_nofault(dst, (const void *)(uintptr_t)r3, size) != (long)size) {
		memset(dst, 0, size);
		return (uint64_t)-EFAULT;
	}
	return 0;
}

/* Reads a NUL-terminated string of at most size bytes (NUL included);
 * returns its length with the NUL, or -EFAULT (dst then cleared). A
 * longer string is cut to size - 1 bytes and terminated. */
HELPER(probe_read_user_str)
{
	char *dst = (char *)(uintptr_t)r1;
	const char *src = (const char *)(uintptr_t)r3;
	uint64_t size = r2;
	if (size == 0)
		return 0;
	if (!dst_ok(exec, dst, size))
		return 0;
	size_t done = 0;
	while (done < size) {
		/* Page by page: a string may end just before unmapped memory. */
		size_t page = 4096 - ((uintptr_t)(src + done) & 4095);
		size_t chunk = size - done < page ? size - done : page;
		long n = read_nofault(dst + done, src + done, chunk);
		if (n <= 0) {
			memset(dst, 0, size);
			return (uint64_t)-EFAULT;
		}
		char *nul = memchr(dst + done, '\0', (size_t)n);
		if (nul)
			return (uint64_t)(nul - dst + 1);
		done += (size_t)n;
	}
	dst[size - 1] = '\0';
	return size;
}
