/* SPDX-License-Identifier: MIT */
/* Local storage and cgroup maps: task, inode, per-CPU cgroup storage, a
 * cgroup array; the LSM, tracing and cgroup programs reaching them. */
#include "corpus.h"

struct inode;
struct task_struct;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} task_starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} inode_marks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} pkts_per_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);
} watched_cgroup SEC(".maps");

SEC("lsm/inode_create")
int BPF_PROG(mark_dir, struct inode *dir, void *dentry, unsigned short mode)
{
	__u32 *mark = bpf_inode_storage_get(&inode_marks, dir, 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (mark)
		*mark = mode;
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_time, struct task_struct *parent, struct task_struct *child)
{
	__u64 *start = bpf_task_storage_get(&task_starts, child, 0,
					    BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (start)
		*start = bpf_ktime_get_ns();
	return 0;
}

SEC("cgroup_skb/egress")
int count_cgroup_pkts(struct __sk_buff *skb)
{
	__u64 *n = bpf_get_local_storage(&pkts_per_cgroup, 0);

	(*n)++;
	return 1;
}

SEC("kprobe/do_sys_openat2")
int in_watched_cgroup(struct pt_regs *ctx)
{
	return bpf_current_task_under_cgroup(&watched_cgroup, 0) == 1;
}

char LICENSE[] SEC("license") = "GPL";
