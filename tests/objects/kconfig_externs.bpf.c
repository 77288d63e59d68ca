/* SPDX-License-Identifier: MIT */
/* .kconfig externs, which the loader fills: LINUX_KERNEL_VERSION and the
 * other LINUX_* values, config values of each type (bool, tristate, char,
 * integers, a string), strong and weak, one the kernel does not have;
 * they become the object's .kconfig map. And weak kernel symbols
 * (.ksyms), a variable and a kfunc, used by a program loaded on demand
 * only. */
#include "corpus.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT_ALWAYS_ON __kconfig __weak;
extern int CONFIG_UEBPF_DOES_NOT_EXIST __kconfig __weak;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;
extern int CONFIG_HZ __kconfig __weak;
extern unsigned long long CONFIG_NR_CPUS __kconfig __weak;
extern short CONFIG_PGTABLE_LEVELS __kconfig __weak;
extern char CONFIG_IPV6 __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;

extern const int uebpf_no_such_ksym __ksym __weak;
extern void uebpf_no_such_kfunc(void) __ksym __weak;

SEC("kprobe/do_nanosleep")
int kconfig_values(struct pt_regs *ctx)
{
	if (LINUX_KERNEL_VERSION < 0x050a00)
		return 1;
	if (!CONFIG_BPF_SYSCALL)
		return 2;
	if (CONFIG_BPF_JIT_ALWAYS_ON == TRI_YES)
		return 3;
	if (CONFIG_HZ > 1000 || CONFIG_NR_CPUS == 0 || CONFIG_PGTABLE_LEVELS > 5)
		return 4;
	if (CONFIG_IPV6 == 'm' || CONFIG_DEFAULT_HOSTNAME[0] == 'x')
		return 5;
	return CONFIG_UEBPF_DOES_NOT_EXIST + LINUX_HAS_BPF_COOKIE + LINUX_HAS_SYSCALL_WRAPPER;
}

SEC("?kprobe/do_nanosleep")
int kernel_symbols(struct pt_regs *ctx)
{
	uebpf_no_such_kfunc();
	return &uebpf_no_such_ksym != 0;
}

char LICENSE[] SEC("license") = "GPL";
