/* SPDX-License-Identifier: MIT */
/* Kernel probes: kprobe/FN, kretprobe/FN and a bare kprobe, with the
 * BPF_KPROBE macros on the UAPI struct pt_regs (no CO-RE), counting in
 * a hash map keyed by pid. */
#include "corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 10240);
} unlink_calls SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(kprobe_unlinkat, int dfd, void *name)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1, *n;

	n = bpf_map_lookup_elem(&unlink_calls, &pid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&unlink_calls, &pid, &one, BPF_NOEXIST);
	return dfd < 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(kretprobe_unlinkat, long ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (ret == 0)
		bpf_map_delete_elem(&unlink_calls, &pid);
	return 0;
}

SEC("kprobe")
int kprobe_unnamed(struct pt_regs *ctx)
{
	return PT_REGS_PARM2(ctx) > PT_REGS_PARM1(ctx);
}

char LICENSE[] SEC("license") = "GPL";
