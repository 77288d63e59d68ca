/* SPDX-License-Identifier: MIT */
/* LSM programs: lsm/HOOK and sleepable lsm.s/HOOK, arguments through
 * BPF_PROG (a u64 array context), opaque kernel structs. */
#include "corpus.h"

struct file;
struct linux_binprm;
struct vm_area_struct;

__u32 denied_pid;
__u64 checks;

SEC("lsm/file_open")
int BPF_PROG(deny_file_open, struct file *file, int ret)
{
	__sync_fetch_and_add(&checks, 1);
	if (ret)
		return ret;
	if ((bpf_get_current_pid_tgid() >> 32) == denied_pid)
		return -1; /* -EPERM */
	return 0;
}

SEC("lsm/bprm_check_security")
int BPF_PROG(check_exec, struct linux_binprm *bprm, int ret)
{
	return ret;
}

SEC("lsm.s/file_mprotect")
int BPF_PROG(mprotect_audit, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot, int ret)
{
	return (prot & 4) && denied_pid ? -1 : ret;
}

char LICENSE[] SEC("license") = "GPL";
