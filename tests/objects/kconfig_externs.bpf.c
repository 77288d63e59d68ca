/* SPDX-License-Identifier: MIT */
/* .kconfig externs, which the loader fills: LINUX_KERNEL_VERSION, a
 * bool, a tristate and a weak one the kernel may not have; they become
 * the object's .kconfig map. */
#include "corpus.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT_ALWAYS_ON __kconfig __weak;
extern int CONFIG_UEBPF_DOES_NOT_EXIST __kconfig __weak;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;

SEC("kprobe/do_nanosleep")
int kconfig_values(struct pt_regs *ctx)
{
	if (LINUX_KERNEL_VERSION < 0x050a00)
		return 1;
	if (!CONFIG_BPF_SYSCALL)
		return 2;
	if (CONFIG_BPF_JIT_ALWAYS_ON == TRI_YES)
		return 3;
	return CONFIG_UEBPF_DOES_NOT_EXIST + LINUX_HAS_BPF_COOKIE;
}

char LICENSE[] SEC("license") = "GPL";
