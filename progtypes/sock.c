/* SPDX-License-Identifier: MIT */
/*
 * The socket program types: cgroup_sock (struct bpf_sock, at socket
 * creation, release and after bind) and sock_ops (struct bpf_sock_ops, TCP
 * events). Their runtime contexts have the UAPI layouts (struct
 * uebpf_sock_ctx, struct uebpf_sock_ops_ctx: pointers are 8-byte slots
 * there already), so accesses are not rewritten.
 *
 * The access rules are those of the kernel's net/core/filter.c
 * (bpf_sock_is_valid_access and sock_filter_is_valid_access,
 * sock_ops_is_valid_access) for a privileged loader.
 */
#include <stddef.h>

#include "progtypes/internal.h"
#include "uebpf/progtypes.h"

#define SK(f) offsetof(struct bpf_sock, f)
#define SK_END(f) (offsetof(struct bpf_sock, f) + sizeof(((struct bpf_sock *)0)->f))

_Static_assert(offsetof(struct uebpf_sock_ctx, fd) == sizeof(struct bpf_sock) &&
		       offsetof(struct uebpf_sock_ctx, src_port) == SK(src_port) &&
		       offsetof(struct uebpf_sock_ctx, dst_ip6) == SK(dst_ip6) &&
		       offsetof(struct uebpf_sock_ctx, rx_queue_mapping) == SK(rx_queue_mapping),
	       "struct uebpf_sock_ctx has the layout of struct bpf_sock");
/* struct bpf_sock_ops as of Linux 6.2 (skb_hwtstamp last): the header
 * uebpf is built with may be older, so its fields are taken from the
 * runtime struct, whose start is checked against the header's. */
#undef SO
#undef SO_END
#define SO(f) offsetof(struct uebpf_sock_ops_ctx, f)
#define SO_END(f) (SO(f) + sizeof(((struct uebpf_sock_ops_ctx *)0)->f))
_Static_assert(offsetof(struct bpf_sock_ops, sk_txhash) == SO(sk_txhash) &&
		       offsetof(struct bpf_sock_ops, sk) == SO(sk) &&
		       offsetof(struct bpf_sock_ops, skb_data_end) == SO(skb_data_end) &&
		       offsetof(struct bpf_sock_ops, skb_tcp_flags) == SO(skb_tcp_flags),
	       "struct uebpf_sock_ops_ctx has the layout of struct bpf_sock_ops");

/* ---- cgroup_sock: struct bpf_sock ---- */

/* The kernel's bpf_sock_is_valid_access: the shape of an access. */
static bool bpf_sock_shape_ok(int off, int size, struct ctx_access *acc)
{
	if (off < 0 || off >= (int)sizeof(struct bpf_sock) || off % size != 0)
		return false;
	if (off == (int)SK(state) || off == (int)SK(family) || off == (int)SK(type) ||
	    off == (int)SK(protocol) || off == (int)SK(src_port) ||
	    off == (int)SK(rx_queue_mapping) || in_field(off, SK(src_ip4), 4) ||
	    in_field(off, SK(src_ip6), 16) || in_field(off, SK(dst_ip4), 4) ||
	    in_field(off, SK(dst_ip6), 16)) {
		return ctx_narrow_word(size, acc);
	}
	if (in_field(off, SK(dst_port), 2)) {
		/* __be16: a 4-byte read is the whole word, a 2-byte one the
		 * port, a 1-byte one part of it. */
		if (size == 1)
			acc->field_size = 2;
		return size == 4 || ctx_narrow_ok(size, 2);
	}
	if (off >= (int)SK_END(dst_port) && off < (int)SK(dst_ip4))
		return false;
	return size == 4;
}

static bool sock_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				 struct ctx_access *acc)
{
	enum bpf_attach_type at = t->expected_attach_type;
	ctx_access_scalar(acc);
	if (!bpf_sock_shape_ok(off, size, acc))
		return false;
	/* Which hook may see or set a field. */
	if (off == (int)SK(bound_dev_if) || off == (int)SK(mark) || off == (int)SK(priority))
		return at == BPF_CGROUP_INET_SOCK_CREATE || at == BPF_CGROUP_INET_SOCK_RELEASE;
	if (in_field(off, SK(src_ip4), 4) && at != BPF_CGROUP_INET4_POST_BIND)
		return false;
	if (in_field(off, SK(src_ip6), 16) && at != BPF_CGROUP_INET6_POST_BIND)
		return false;
	if (in_field(off, SK(src_port), 4) && at != BPF_CGROUP_INET4_POST_BIND &&
	    at != BPF_CGROUP_INET6_POST_BIND)
		return false;
	return !write;
}

static const int32_t sock_helpers[] = {
	BPF_FUNC_get_local_storage, BPF_FUNC_get_retval, BPF_FUNC_set_retval,
	BPF_FUNC_get_socket_cookie, BPF_FUNC_get_netns_cookie, BPF_FUNC_perf_event_output,
	BPF_FUNC_sk_storage_get, BPF_FUNC_ktime_get_coarse_ns,
};

static bool sock_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || HELPER_IN(sock_helpers, id);
}

const struct progtype progtype_cgroup_sock = {
	.type = BPF_PROG_TYPE_CGROUP_SOCK,
	.name = "cgroup_sock",
	.ctx_size = sizeof(struct bpf_sock),
	.is_valid_access = sock_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sock_helper,
	.return_range = return_zero_or_one,
	.packet_write = false,
};

/* ---- sock_ops: struct bpf_sock_ops ---- */

static bool sock_ops_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				     struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (off < 0 || off >= (int)offsetof(struct uebpf_sock_ops_ctx, fd) || off % size != 0)
		return false;
	if (write)
		return (off == (int)SO(reply) || off == (int)SO(sk_txhash)) && size == 4;
	if (off >= (int)SO(bytes_received) && off < (int)SO_END(bytes_acked))
		return size == 8;
	/* The pointers and skb_hwtstamp: all 8 bytes at once. */
	if (in_field(off, SO(sk), 8)) {
		acc->result = CTX_SOCK_OR_NULL;
		return size == 8;
	}
	if (in_field(off, SO(skb_data), 8)) {
		acc->result = CTX_PACKET;
		return size == 8;
	}
	if (in_field(off, SO(skb_data_end), 8)) {
		acc->result = CTX_PACKET_END;
		return size == 8;
	}
	if (off == (int)SO(skb_tcp_flags)) {
		return ctx_narrow_word(size, acc);
	}
	if (in_field(off, SO(skb_hwtstamp), 8))
		return size == 8;
	return size == 4;
}

static const int32_t sock_ops_helpers[] = {
	BPF_FUNC_setsockopt, BPF_FUNC_getsockopt, BPF_FUNC_sock_ops_cb_flags_set,
	BPF_FUNC_sock_map_update, BPF_FUNC_sock_hash_update, BPF_FUNC_get_socket_cookie,
	BPF_FUNC_get_local_storage, BPF_FUNC_perf_event_output, BPF_FUNC_sk_storage_get,
	BPF_FUNC_sk_storage_delete, BPF_FUNC_get_netns_cookie, BPF_FUNC_load_hdr_opt,
	BPF_FUNC_store_hdr_opt, BPF_FUNC_reserve_hdr_opt, BPF_FUNC_tcp_sock,
};

static bool sock_ops_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || progtype_sk_base_helper(id) ||
	       HELPER_IN(sock_ops_helpers, id);
}

const struct progtype progtype_sock_ops = {
	.type = BPF_PROG_TYPE_SOCK_OPS,
	.name = "sock_ops",
	.ctx_size = offsetof(struct uebpf_sock_ops_ctx, fd),
	.is_valid_access = sock_ops_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sock_ops_helper,
	.return_range = return_zero_or_one,
	.packet_write = false,
};

/* ---- sk_msg, sk_reuseport, sk_lookup: the UAPI structs at run time ---- */

#define MSG(f) offsetof(struct sk_msg_md, f)
#define RP(f) offsetof(struct sk_reuseport_md, f)
#define LK(f) offsetof(struct bpf_sk_lookup, f)
#define LK_END(f) (offsetof(struct bpf_sk_lookup, f) + sizeof(((struct bpf_sk_lookup *)0)->f))

/* An 8-byte pointer field giving what; refuses any part of it. */
static bool ptr_field(int off, int size, int field, enum ctx_result what,
		      struct ctx_access *acc, bool *valid)
{
	if (!in_field(off, field, 8))
		return false;
	acc->result = what;
	*valid = size == 8;
	return true;
}

static bool sk_msg_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				   struct ctx_access *acc)
{
	bool valid;
	(void)t;
	ctx_access_scalar(acc);
	if (write || off < 0 || off >= (int)sizeof(struct sk_msg_md) || off % size != 0)
		return false;
	if (ptr_field(off, size, MSG(data), CTX_PACKET, acc, &valid) ||
	    ptr_field(off, size, MSG(data_end), CTX_PACKET_END, acc, &valid) ||
	    ptr_field(off, size, MSG(sk), CTX_SOCK, acc, &valid))
		return valid;
	/* family .. size: whole words */
	return off >= (int)MSG(family) && off < (int)MSG(sk) && size == 4;
}

static const int32_t sk_msg_helpers[] = {
	BPF_FUNC_msg_redirect_map, BPF_FUNC_msg_redirect_hash, BPF_FUNC_msg_apply_bytes,
	BPF_FUNC_msg_cork_bytes, BPF_FUNC_msg_pull_data, BPF_FUNC_msg_push_data,
	BPF_FUNC_msg_pop_data, BPF_FUNC_perf_event_output, BPF_FUNC_sk_storage_get,
	BPF_FUNC_sk_storage_delete, BPF_FUNC_get_netns_cookie, BPF_FUNC_get_cgroup_classid,
};

static bool sk_msg_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || progtype_sk_base_helper(id) ||
	       HELPER_IN(sk_msg_helpers, id);
}

const struct progtype progtype_sk_msg = {
	.type = BPF_PROG_TYPE_SK_MSG,
	.name = "sk_msg",
	.ctx_size = sizeof(struct sk_msg_md),
	.is_valid_access = sk_msg_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sk_msg_helper,
	.return_range = return_any,
	.packet_write = true,
};

static bool sk_reuseport_is_valid_access(const struct prog_target *t, int off, int size,
					 bool write, struct ctx_access *acc)
{
	bool valid;
	(void)t;
	ctx_access_scalar(acc);
	if (write || off < 0 || off >= (int)sizeof(struct sk_reuseport_md) || off % size != 0)
		return false;
	if (ptr_field(off, size, RP(data), CTX_PACKET, acc, &valid) ||
	    ptr_field(off, size, RP(data_end), CTX_PACKET_END, acc, &valid) ||
	    ptr_field(off, size, RP(sk), CTX_SOCK, acc, &valid) ||
	    ptr_field(off, size, RP(migrating_sk), CTX_SOCK_OR_NULL, acc, &valid))
		return valid;
	if (off == (int)RP(hash))
		return size == 4;
	/* eth_protocol is the 16-bit skb->protocol: no single byte. */
	if (in_field(off, RP(eth_protocol), 4) && size < 2)
		return false;
	if (in_field(off, RP(len), 4) || in_field(off, RP(eth_protocol), 4) ||
	    in_field(off, RP(ip_protocol), 4) || in_field(off, RP(bind_inany), 4)) {
		return ctx_narrow_word(size, acc);
	}
	return false;
}

static const int32_t sk_reuseport_helpers[] = {
	BPF_FUNC_sk_select_reuseport, BPF_FUNC_skb_load_bytes, BPF_FUNC_skb_load_bytes_relative,
	BPF_FUNC_get_socket_cookie, BPF_FUNC_ktime_get_coarse_ns,
};

static bool sk_reuseport_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || HELPER_IN(sk_reuseport_helpers, id);
}

const struct progtype progtype_sk_reuseport = {
	.type = BPF_PROG_TYPE_SK_REUSEPORT,
	.name = "sk_reuseport",
	.ctx_size = sizeof(struct sk_reuseport_md),
	.is_valid_access = sk_reuseport_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sk_reuseport_helper,
	.return_range = return_any,
	.packet_write = false,
};

static bool sk_lookup_is_valid_access(const struct prog_target *t, int off, int size,
				      bool write, struct ctx_access *acc)
{
	bool valid;
	(void)t;
	ctx_access_scalar(acc);
	if (write || off < 0 || off >= (int)sizeof(struct bpf_sk_lookup) || off % size != 0)
		return false;
	if (ptr_field(off, size, LK(sk), CTX_SOCK_OR_NULL, acc, &valid))
		return valid && off == (int)LK(sk);
	if (in_field(off, LK(remote_port), 2)) {
		/* a 4-byte read of the 2-byte port, for old programs */
		if (size == 4)
			return true;
		if (size == 1)
			acc->field_size = 2;
		return ctx_narrow_ok(size, 2);
	}
	if (off >= (int)LK_END(remote_port) && off < (int)LK(local_ip4)) {
		/* the zero padding, for old programs */
		if (size == 1)
			acc->field_size = 2;
		return ctx_narrow_ok(size, 2);
	}
	/* family .. ingress_ifindex, not the padding after it */
	if (off >= (int)LK(family) && off < (int)LK_END(ingress_ifindex)) {
		return ctx_narrow_word(size, acc);
	}
	return false;
}

static const int32_t sk_lookup_helpers[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_sk_assign, BPF_FUNC_sk_release,
};

static bool sk_lookup_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || progtype_sk_base_helper(id) ||
	       HELPER_IN(sk_lookup_helpers, id);
}

const struct progtype progtype_sk_lookup = {
	.type = BPF_PROG_TYPE_SK_LOOKUP,
	.name = "sk_lookup",
	.ctx_size = sizeof(struct bpf_sk_lookup),
	.is_valid_access = sk_lookup_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sk_lookup_helper,
	.return_range = return_zero_or_one,
	.packet_write = false,
};
