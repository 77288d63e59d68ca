/* SPDX-License-Identifier: MIT */
/* Externs the loader refuses, one per CASE (-DCASE=n): at open (types
 * and sections it does not know) or at load (values it cannot give). */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	int a, b;
};

#if CASE == 1 /* load: a strong kernel variable */
extern const int uebpf_strong_ksym __ksym;
#define USE ((long)&uebpf_strong_ksym)
#elif CASE == 2 /* load: a strong kfunc */
extern int uebpf_strong_kfunc(int x) __ksym;
#define USE uebpf_strong_kfunc(1)
#elif CASE == 3 /* load: an unknown LINUX_ value */
extern int LINUX_UEBPF_NO_SUCH_VALUE __kconfig;
#define USE LINUX_UEBPF_NO_SUCH_VALUE
#elif CASE == 4 /* load: neither CONFIG_ nor LINUX_, even weak */
extern int UEBPF_OTHER_VALUE __kconfig __weak;
#define USE UEBPF_OTHER_VALUE
#elif CASE == 5 /* open: a struct in .kconfig */
extern struct pair CONFIG_UEBPF_PAIR __kconfig;
#define USE CONFIG_UEBPF_PAIR.a
#elif CASE == 6 /* open: an int array in .kconfig */
extern int CONFIG_UEBPF_INTS[4] __kconfig;
#define USE CONFIG_UEBPF_INTS[1]
#elif CASE == 7 /* open: an extern in a section of its own */
extern int uebpf_elsewhere __attribute__((section(".uebpf_ext")));
#define USE uebpf_elsewhere
#elif CASE == 8 /* open: a function in .kconfig */
extern int CONFIG_UEBPF_FUNC(int x) __kconfig;
#define USE CONFIG_UEBPF_FUNC(1)
#endif

long sink;

SEC("socket")
int use_bad(struct __sk_buff *skb)
{
	sink = USE;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
