/* SPDX-License-Identifier: MIT */
/* BTF-attached tracing programs: fentry, fexit, fmod_ret, sleepable
 * fentry.s, freplace-free; a syscall program; arguments through BPF_PROG. */
#include "corpus.h"

__u64 entered, exited;
long last_ret;

SEC("fentry/do_unlinkat")
int BPF_PROG(enter_unlinkat, int dfd, void *name)
{
	entered++;
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(exit_unlinkat, int dfd, void *name, long ret)
{
	exited++;
	last_ret = ret;
	return 0;
}

SEC("fmod_ret/security_file_permission")
int BPF_PROG(deny_nothing, void *file, int mask, int ret)
{
	return ret;
}

SEC("fentry.s/do_sys_openat2")
int BPF_PROG(sleepable_enter, int dfd, const char *filename)
{
	char buf[8];

	bpf_copy_from_user(buf, sizeof(buf), filename);
	return 0;
}

struct syscall_args {
	int a;
	int b;
};

SEC("syscall")
int run_from_user(struct syscall_args *args)
{
	return args->a + args->b;
}

char LICENSE[] SEC("license") = "GPL";
