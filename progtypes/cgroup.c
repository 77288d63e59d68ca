/* SPDX-License-Identifier: MIT */
/*
 * The cgroup hooks that are not about packets or socket addresses:
 * cgroup_device (struct bpf_cgroup_dev_ctx, device access),
 * cgroup_sysctl (struct bpf_sysctl, a sysctl read or written) and
 * cgroup_sockopt (struct bpf_sockopt, getsockopt and setsockopt). Their
 * runtime contexts are the UAPI structs, whose pointer fields are 8-byte
 * slots: accesses are not rewritten.
 *
 * The access rules are those of the kernel's kernel/bpf/cgroup.c
 * (cgroup_dev_is_valid_access, sysctl_is_valid_access,
 * cg_sockopt_is_valid_access) for a privileged loader.
 */
#include <stddef.h>

#include "progtypes/internal.h"

#define SO(f) offsetof(struct bpf_sockopt, f)

/* ---- cgroup_device ---- */

static bool dev_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (write || off < 0 || off + size > (int)sizeof(struct bpf_cgroup_dev_ctx) ||
	    off % size != 0)
		return false;
	if (in_field(off, offsetof(struct bpf_cgroup_dev_ctx, access_type), 4))
		return ctx_narrow_word(size, acc);
	return size == 4;
}

/* The kernel's cgroup_current_func_proto and cgroup_common_func_proto,
 * beyond the base set: get_retval and set_retval by attach type (0, no
 * attach type given, is BPF_CGROUP_INET_INGRESS, which has none). */
static bool cgroup_helper(const struct prog_target *t, int32_t id)
{
	if (id == BPF_FUNC_get_retval || id == BPF_FUNC_set_retval)
		return t->expected_attach_type != BPF_CGROUP_INET_INGRESS;
	return progtype_base_helper(id) || id == BPF_FUNC_get_local_storage ||
	       id == BPF_FUNC_perf_event_output;
}

const struct progtype progtype_cgroup_device = {
	.type = BPF_PROG_TYPE_CGROUP_DEVICE,
	.name = "cgroup_device",
	.ctx_size = sizeof(struct bpf_cgroup_dev_ctx),
	.is_valid_access = dev_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = cgroup_helper,
	.return_range = return_zero_or_one,
	.packet_write = false,
};

/* ---- cgroup_sysctl ---- */

static bool sysctl_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				   struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (off < 0 || off + size > (int)sizeof(struct bpf_sysctl) || off % size != 0)
		return false;
	if (in_field(off, offsetof(struct bpf_sysctl, write), 4))
		return !write && ctx_narrow_word(size, acc);
	/* file_pos: read whole or narrow, written whole */
	return write ? size == 4 : ctx_narrow_word(size, acc);
}

static const int32_t sysctl_helpers[] = {
	BPF_FUNC_sysctl_get_name, BPF_FUNC_sysctl_get_current_value,
	BPF_FUNC_sysctl_get_new_value, BPF_FUNC_sysctl_set_new_value,
	BPF_FUNC_ktime_get_coarse_ns,
};

static bool sysctl_helper(const struct prog_target *t, int32_t id)
{
	return cgroup_helper(t, id) || HELPER_IN(sysctl_helpers, id);
}

const struct progtype progtype_cgroup_sysctl = {
	.type = BPF_PROG_TYPE_CGROUP_SYSCTL,
	.name = "cgroup_sysctl",
	.ctx_size = sizeof(struct bpf_sysctl),
	.is_valid_access = sysctl_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sysctl_helper,
	.return_range = return_zero_or_one,
	.packet_write = false,
};

/* ---- cgroup_sockopt ---- */

static bool sockopt_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				    struct ctx_access *acc)
{
	bool get = t->expected_attach_type == BPF_CGROUP_GETSOCKOPT;
	ctx_access_scalar(acc);
	if (off < 0 || off >= (int)sizeof(struct bpf_sockopt) || off % size != 0)
		return false;
	if (write) {
		if (off == (int)SO(retval))
			return size == 4 && get;
		if (off == (int)SO(optname) || off == (int)SO(level))
			return size == 4 && t->expected_attach_type == BPF_CGROUP_SETSOCKOPT;
		return off == (int)SO(optlen) && size == 4;
	}
	if (in_field(off, SO(sk), 8))
		acc->result = CTX_SOCK;
	else if (in_field(off, SO(optval), 8))
		acc->result = CTX_PACKET;
	else if (in_field(off, SO(optval_end), 8))
		acc->result = CTX_PACKET_END;
	if (acc->result != CTX_SCALAR)
		return size == 8;
	if (in_field(off, SO(retval), 4))
		return size == 4 && get;
	return size == 4;
}

static const int32_t sockopt_helpers[] = {
	BPF_FUNC_get_netns_cookie, BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete,
	BPF_FUNC_tcp_sock,
};

static bool sockopt_helper(const struct prog_target *t, int32_t id)
{
	/* The socket's options may be used from setsockopt's hook only. */
	if (id == BPF_FUNC_setsockopt || id == BPF_FUNC_getsockopt)
		return t->expected_attach_type == BPF_CGROUP_SETSOCKOPT;
	return cgroup_helper(t, id) || HELPER_IN(sockopt_helpers, id);
}

const struct progtype progtype_cgroup_sockopt = {
	.type = BPF_PROG_TYPE_CGROUP_SOCKOPT,
	.name = "cgroup_sockopt",
	.ctx_size = sizeof(struct bpf_sockopt),
	.is_valid_access = sockopt_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sockopt_helper,
	.return_range = return_zero_or_one,
	.packet_write = true,
};
