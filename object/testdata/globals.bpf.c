/* SPDX-License-Identifier: MIT */
/* Global data in every section form, without maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int counter = 3;
const volatile int threshold = 9;
int zero;
/* Hidden: static to the loader, so .rodata.hidden is not mmapable. */
__hidden const volatile int secret SEC(".rodata.hidden") = 5;
char a_rather_long_section_name[4] SEC(".data.a_rather_long_section_name") = "abc";
int bss_custom SEC(".bss.custom");

SEC("socket")
int globals(struct __sk_buff *skb)
{
	counter++;
	zero += threshold + secret;
	bss_custom++;
	return a_rather_long_section_name[skb->len & 3];
}

char LICENSE[] SEC("license") = "GPL";
