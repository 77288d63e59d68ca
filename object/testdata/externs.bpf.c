/* SPDX-License-Identifier: MIT */
/* Externs of every kind the loader knows: .kconfig values of each type
 * (bool, char, tristate, signed and unsigned integers of 1 to 8 bytes,
 * char arrays), strong and weak, the LINUX_* values, and weak kernel
 * symbols (.ksyms): a typed variable, a typeless one and a kfunc. */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;
extern int LINUX_UEBPF_UNKNOWN __kconfig __weak;

extern bool CONFIG_T_BOOL __kconfig;
extern char CONFIG_T_CHAR __kconfig;
extern enum libbpf_tristate CONFIG_T_TRI __kconfig;
extern enum libbpf_tristate CONFIG_T_TRI_M __kconfig;
extern signed char CONFIG_T_S8 __kconfig;
extern short CONFIG_T_S16 __kconfig;
extern unsigned short CONFIG_T_U16 __kconfig __weak;
extern int CONFIG_T_S32 __kconfig;
extern unsigned long long CONFIG_T_U64 __kconfig;
extern long long CONFIG_T_S64 __kconfig __weak;
extern char CONFIG_T_STR[16] __kconfig;
extern char CONFIG_T_LONGSTR[4] __kconfig __weak;
extern int CONFIG_T_MISSING __kconfig __weak;

extern const int uebpf_ksym_var __ksym __weak;
extern const void uebpf_ksym_typeless __ksym __weak;
extern void uebpf_kfunc(int x) __ksym __weak;

long sink;

SEC("socket")
int use_kconfig(struct __sk_buff *skb)
{
	long v = LINUX_KERNEL_VERSION + LINUX_HAS_BPF_COOKIE + LINUX_HAS_SYSCALL_WRAPPER +
		 LINUX_UEBPF_UNKNOWN;

	v += CONFIG_T_BOOL + CONFIG_T_CHAR + CONFIG_T_TRI + CONFIG_T_TRI_M + CONFIG_T_S8 +
	     CONFIG_T_S16 + CONFIG_T_U16 + CONFIG_T_S32 + CONFIG_T_U64 + CONFIG_T_S64 +
	     CONFIG_T_STR[0] + CONFIG_T_LONGSTR[1] + CONFIG_T_MISSING;
	sink = v;
	return 0;
}

SEC("?tc")
int use_ksyms(struct __sk_buff *skb)
{
	sink = (long)&uebpf_ksym_var + (long)&uebpf_ksym_typeless;
	uebpf_kfunc(1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
