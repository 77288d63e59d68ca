/* SPDX-License-Identifier: MIT */
/*
 * The networking program types: xdp (struct xdp_md), those that see a
 * struct __sk_buff (sched_cls, sched_act, socket_filter, cgroup_skb, the
 * four lwt types, sk_skb) and cgroup_sock_addr (struct bpf_sock_addr).
 *
 * The access rules are those of the kernel's net/core/filter.c
 * (xdp_is_valid_access, bpf_skb_is_valid_access and the per-type
 * wrappers, sock_addr_is_valid_access) for a privileged loader, with one
 * tightening: where the kernel's rule accepts an access its rewriting
 * then refuses (part of a socket pointer), the access is refused here.
 */
#include <errno.h>
#include <stddef.h>

#include "progtypes/internal.h"
#include "uebpf/progtypes.h"

#define SKB(f) offsetof(struct __sk_buff, f)
#define SKB_END(f) (offsetof(struct __sk_buff, f) + sizeof(((struct __sk_buff *)0)->f))
#define RT_SKB(f) offsetof(struct uebpf_skb_ctx, f)
#define XDP(f) offsetof(struct xdp_md, f)
#define RT_XDP(f) offsetof(struct uebpf_xdp_ctx, f)
#define SA(f) offsetof(struct bpf_sock_addr, f)
#define SA_END(f) (offsetof(struct bpf_sock_addr, f) + sizeof(((struct bpf_sock_addr *)0)->f))

_Static_assert(offsetof(struct uebpf_sock_addr_ctx, fd) == sizeof(struct bpf_sock_addr) &&
		       offsetof(struct uebpf_sock_addr_ctx, user_ip6) == SA(user_ip6) &&
		       offsetof(struct uebpf_sock_addr_ctx, user_port) == SA(user_port) &&
		       offsetof(struct uebpf_sock_addr_ctx, msg_src_ip6) == SA(msg_src_ip6) &&
		       offsetof(struct uebpf_sock_addr_ctx, sk) == SA(sk),
	       "struct uebpf_sock_addr_ctx has the layout of struct bpf_sock_addr");

/* ---- xdp ---- */

static bool xdp_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				struct ctx_access *acc)
{
	ctx_access_scalar(acc);
	if (t->expected_attach_type != BPF_XDP_DEVMAP && off == (int)XDP(egress_ifindex))
		return false;
	if (write)
		return false;
	if (off == (int)XDP(data))
		acc->result = CTX_PACKET;
	else if (off == (int)XDP(data_meta))
		acc->result = CTX_PACKET_META;
	else if (off == (int)XDP(data_end))
		acc->result = CTX_PACKET_END;
	/* Only whole, aligned 4-byte fields: no narrow reads. */
	return off >= 0 && off < (int)sizeof(struct xdp_md) && off % size == 0 && size == 4;
}

static const struct ctx_field xdp_fields[] = {
	{ XDP(data), 4, FIELD_POINTER, RT_XDP(data), 8 },
	{ XDP(data_end), 4, FIELD_POINTER, RT_XDP(data_end), 8 },
	{ XDP(data_meta), 4, FIELD_POINTER, RT_XDP(data_meta), 8 },
	{ XDP(ingress_ifindex), 4, FIELD_SCALAR, RT_XDP(ingress_ifindex), 4 },
	{ XDP(rx_queue_index), 4, FIELD_SCALAR, RT_XDP(rx_queue_index), 4 },
	{ XDP(egress_ifindex), 4, FIELD_SCALAR, RT_XDP(egress_ifindex), 4 },
};

static int xdp_convert(const struct prog_target *t, const struct uebpf_insn *insn,
		       struct uebpf_insn *out, size_t cap)
{
	(void)t;
	return convert_with_fields(xdp_fields, sizeof(xdp_fields) / sizeof(xdp_fields[0]), insn,
				   out, cap);
}

static const int32_t xdp_helpers[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_redirect, BPF_FUNC_redirect_map,
	BPF_FUNC_csum_diff, BPF_FUNC_xdp_adjust_head, BPF_FUNC_xdp_adjust_meta,
	BPF_FUNC_xdp_adjust_tail, BPF_FUNC_xdp_get_buff_len, BPF_FUNC_xdp_load_bytes,
	BPF_FUNC_xdp_store_bytes, BPF_FUNC_fib_lookup, BPF_FUNC_check_mtu,
	BPF_FUNC_sk_lookup_tcp, BPF_FUNC_sk_lookup_udp, BPF_FUNC_skc_lookup_tcp,
	BPF_FUNC_sk_release, BPF_FUNC_tcp_check_syncookie, BPF_FUNC_tcp_gen_syncookie,
	BPF_FUNC_tcp_raw_gen_syncookie_ipv4, BPF_FUNC_tcp_raw_gen_syncookie_ipv6,
	BPF_FUNC_tcp_raw_check_syncookie_ipv4, BPF_FUNC_tcp_raw_check_syncookie_ipv6,
};

static bool xdp_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return progtype_base_helper(id) || progtype_sk_base_helper(id) || HELPER_IN(xdp_helpers, id);
}

const struct progtype progtype_xdp = {
	.type = BPF_PROG_TYPE_XDP,
	.name = "xdp",
	.ctx_size = sizeof(struct xdp_md),
	.is_valid_access = xdp_is_valid_access,
	.convert_ctx_access = xdp_convert,
	.helper_allowed = xdp_helper,
	.return_range = return_any,
	.packet_write = true,
};

/* ---- struct __sk_buff ---- */

/* The kernel's bpf_skb_is_valid_access: what every __sk_buff type
 * allows once its own rules have passed. */
static bool skb_is_valid_access(int off, int size, bool write, struct ctx_access *acc)
{
	if (off < 0 || off >= (int)sizeof(struct __sk_buff) || off % size != 0)
		return false;
	if (in_field(off, SKB(cb), sizeof(((struct __sk_buff *)0)->cb)))
		return off + size <= (int)SKB_END(cb); /* any size, read or write */
	if (in_field(off, SKB(remote_ip6), 16) || in_field(off, SKB(local_ip6), 16) ||
	    in_field(off, SKB(remote_ip4), 4) || in_field(off, SKB(local_ip4), 4) ||
	    in_field(off, SKB(data), 4) || in_field(off, SKB(data_meta), 4) ||
	    in_field(off, SKB(data_end), 4))
		return size == 4;
	if (in_field(off, SKB(flow_keys), 8))
		return false;
	if (in_field(off, SKB(hwtstamp), 8))
		return !write && size == 8;
	if (in_field(off, SKB(tstamp), 8))
		return size == 8;
	if (off == (int)SKB(sk)) {
		if (write || size != 8)
			return false;
		acc->result = CTX_SOCK_OR_NULL;
		return true;
	}
	/* The rest of the socket pointer: the kernel's rule lets a narrow read
	 * through, its rewriting then refuses it. */
	if (in_field(off, SKB(sk), 8))
		return false;
	/* tstamp_type (readable by tc only) and the padding after it. */
	if (off >= (int)SKB(tstamp_type) && off < (int)SKB(hwtstamp))
		return false;
	/* A 4-byte field: writes whole, reads narrow or whole. */
	if (write)
		return size == 4;
	if (!ctx_narrow_ok(size, 4))
		return false;
	if (size < 4)
		acc->field_size = 4;
	return true;
}

/* skb_is_valid_access for the types that read data and data_end as
 * packet pointers. */
static bool skb_packet_access(int off, int size, bool write, struct ctx_access *acc)
{
	if (in_field(off, SKB(data), 4))
		acc->result = CTX_PACKET;
	else if (in_field(off, SKB(data_end), 4))
		acc->result = CTX_PACKET_END;
	return skb_is_valid_access(off, size, write, acc);
}

static bool tc_is_valid_access(const struct prog_target *t, int off, int size, bool write,
			       struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (write && !(in_field(off, SKB(mark), 4) || in_field(off, SKB(tc_index), 4) ||
		       in_field(off, SKB(priority), 4) || in_field(off, SKB(tc_classid), 4) ||
		       in_field(off, SKB(cb), 20) || in_field(off, SKB(tstamp), 8) ||
		       in_field(off, SKB(queue_mapping), 4)))
		return false;
	if (in_field(off, SKB(data), 4))
		acc->result = CTX_PACKET;
	else if (in_field(off, SKB(data_meta), 4))
		acc->result = CTX_PACKET_META;
	else if (in_field(off, SKB(data_end), 4))
		acc->result = CTX_PACKET_END;
	else if (off >= (int)SKB(family) && off < (int)SKB_END(local_port))
		return false;
	else if (off == (int)SKB(tstamp_type))
		return size == 1;
	return skb_is_valid_access(off, size, write, acc);
}

static bool sk_filter_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				      struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (in_field(off, SKB(tc_classid), 4) || in_field(off, SKB(data), 4) ||
	    in_field(off, SKB(data_meta), 4) || in_field(off, SKB(data_end), 4) ||
	    (off >= (int)SKB(family) && off < (int)SKB_END(local_port)) ||
	    in_field(off, SKB(tstamp), 8) || in_field(off, SKB(wire_len), 4) ||
	    in_field(off, SKB(hwtstamp), 8))
		return false;
	if (write && !in_field(off, SKB(cb), 20))
		return false;
	return skb_is_valid_access(off, size, write, acc);
}

static bool cg_skb_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				   struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (in_field(off, SKB(tc_classid), 4) || in_field(off, SKB(data_meta), 4) ||
	    in_field(off, SKB(wire_len), 4))
		return false;
	if (write && !(in_field(off, SKB(mark), 4) || in_field(off, SKB(priority), 4) ||
		       in_field(off, SKB(cb), 20) || in_field(off, SKB(tstamp), 8)))
		return false;
	return skb_packet_access(off, size, write, acc);
}

#define RT_SKB_FIELD(f, rt_size) { SKB(f), 4, FIELD_SCALAR, RT_SKB(f), rt_size }

/* The runtime width of each field is the width of the kernel's sk_buff
 * member behind it, so narrow reads give the kernel's results. */
static const struct ctx_field skb_fields[] = {
	RT_SKB_FIELD(len, 4),
	RT_SKB_FIELD(pkt_type, 1),
	RT_SKB_FIELD(mark, 4),
	{ SKB(queue_mapping), 4, FIELD_QUEUE_MAPPING, RT_SKB(queue_mapping), 2 },
	RT_SKB_FIELD(protocol, 2),
	RT_SKB_FIELD(vlan_present, 4),
	RT_SKB_FIELD(vlan_tci, 2),
	RT_SKB_FIELD(vlan_proto, 2),
	RT_SKB_FIELD(priority, 4),
	RT_SKB_FIELD(ingress_ifindex, 4),
	RT_SKB_FIELD(ifindex, 4),
	RT_SKB_FIELD(tc_index, 2),
	{ SKB(cb), 20, FIELD_BYTES, RT_SKB(cb), 20 },
	RT_SKB_FIELD(hash, 4),
	RT_SKB_FIELD(tc_classid, 2),
	{ SKB(data), 4, FIELD_POINTER, RT_SKB(data), 8 },
	{ SKB(data_end), 4, FIELD_POINTER, RT_SKB(data_end), 8 },
	RT_SKB_FIELD(napi_id, 4),
	RT_SKB_FIELD(family, 4),
	RT_SKB_FIELD(remote_ip4, 4),
	RT_SKB_FIELD(local_ip4, 4),
	RT_SKB_FIELD(remote_ip6[0], 4),
	RT_SKB_FIELD(remote_ip6[1], 4),
	RT_SKB_FIELD(remote_ip6[2], 4),
	RT_SKB_FIELD(remote_ip6[3], 4),
	RT_SKB_FIELD(local_ip6[0], 4),
	RT_SKB_FIELD(local_ip6[1], 4),
	RT_SKB_FIELD(local_ip6[2], 4),
	RT_SKB_FIELD(local_ip6[3], 4),
	RT_SKB_FIELD(remote_port, 4),
	RT_SKB_FIELD(local_port, 4),
	{ SKB(data_meta), 4, FIELD_POINTER, RT_SKB(data_meta), 8 },
	{ SKB(tstamp), 8, FIELD_SCALAR, RT_SKB(tstamp), 8 },
	RT_SKB_FIELD(wire_len, 4),
	RT_SKB_FIELD(gso_segs, 2),
	{ SKB(sk), 8, FIELD_POINTER, RT_SKB(sk), 8 },
	RT_SKB_FIELD(gso_size, 2),
	{ SKB(tstamp_type), 1, FIELD_SCALAR, RT_SKB(tstamp_type), 1 },
	{ SKB(hwtstamp), 8, FIELD_SCALAR, RT_SKB(hwtstamp), 8 },
};

static int skb_convert(const struct prog_target *t, const struct uebpf_insn *insn,
		       struct uebpf_insn *out, size_t cap)
{
	(void)t;
	return convert_with_fields(skb_fields, sizeof(skb_fields) / sizeof(skb_fields[0]), insn,
				   out, cap);
}

/* Reading the packet and the socket of an skb: every __sk_buff type. */
static const int32_t skb_read_helpers[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_skb_load_bytes, BPF_FUNC_skb_load_bytes_relative,
	BPF_FUNC_get_socket_cookie, BPF_FUNC_get_socket_uid, BPF_FUNC_get_netns_cookie,
};

static const int32_t tc_helpers[] = {
	BPF_FUNC_skb_store_bytes, BPF_FUNC_skb_pull_data, BPF_FUNC_skb_change_proto,
	BPF_FUNC_skb_change_type, BPF_FUNC_skb_change_tail, BPF_FUNC_skb_change_head,
	BPF_FUNC_skb_adjust_room, BPF_FUNC_skb_vlan_push, BPF_FUNC_skb_vlan_pop,
	BPF_FUNC_l3_csum_replace, BPF_FUNC_l4_csum_replace, BPF_FUNC_csum_diff,
	BPF_FUNC_csum_update, BPF_FUNC_csum_level, BPF_FUNC_get_hash_recalc,
	BPF_FUNC_set_hash_invalid, BPF_FUNC_set_hash, BPF_FUNC_skb_get_tunnel_key,
	BPF_FUNC_skb_set_tunnel_key, BPF_FUNC_skb_get_tunnel_opt, BPF_FUNC_skb_set_tunnel_opt,
	BPF_FUNC_skb_get_xfrm_state, BPF_FUNC_skb_under_cgroup, BPF_FUNC_skb_cgroup_id,
	BPF_FUNC_skb_ancestor_cgroup_id, BPF_FUNC_skb_cgroup_classid, BPF_FUNC_get_route_realm,
	BPF_FUNC_redirect, BPF_FUNC_redirect_neigh, BPF_FUNC_redirect_peer,
	BPF_FUNC_clone_redirect, BPF_FUNC_fib_lookup, BPF_FUNC_check_mtu,
	BPF_FUNC_skb_ecn_set_ce, BPF_FUNC_skb_set_tstamp, BPF_FUNC_sk_lookup_tcp,
	BPF_FUNC_sk_lookup_udp, BPF_FUNC_skc_lookup_tcp, BPF_FUNC_sk_release,
	BPF_FUNC_sk_fullsock, BPF_FUNC_tcp_sock, BPF_FUNC_get_listener_sock,
	BPF_FUNC_sk_assign, BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete,
	BPF_FUNC_tcp_check_syncookie, BPF_FUNC_tcp_gen_syncookie,
	BPF_FUNC_tcp_raw_gen_syncookie_ipv4, BPF_FUNC_tcp_raw_gen_syncookie_ipv6,
	BPF_FUNC_tcp_raw_check_syncookie_ipv4, BPF_FUNC_tcp_raw_check_syncookie_ipv6,
};

static const int32_t cg_skb_helpers[] = {
	BPF_FUNC_get_local_storage, BPF_FUNC_skb_cgroup_id, BPF_FUNC_skb_ancestor_cgroup_id,
	BPF_FUNC_sk_cgroup_id, BPF_FUNC_sk_ancestor_cgroup_id, BPF_FUNC_skb_ecn_set_ce,
	BPF_FUNC_sk_lookup_tcp, BPF_FUNC_sk_lookup_udp, BPF_FUNC_skc_lookup_tcp,
	BPF_FUNC_sk_release, BPF_FUNC_sk_fullsock, BPF_FUNC_tcp_sock,
	BPF_FUNC_get_listener_sock, BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete,
};

static bool net_base_helper(int32_t id)
{
	return progtype_base_helper(id) || progtype_sk_base_helper(id);
}

static bool tc_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return net_base_helper(id) || HELPER_IN(skb_read_helpers, id) || HELPER_IN(tc_helpers, id);
}

static bool sk_filter_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return net_base_helper(id) || HELPER_IN(skb_read_helpers, id);
}

static bool cg_skb_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return net_base_helper(id) || HELPER_IN(skb_read_helpers, id) ||
	       HELPER_IN(cg_skb_helpers, id);
}

/* Egress programs may also return 2 and 3 (congestion notification). */
static bool cg_skb_return_range(const struct prog_target *t, int64_t *min, int64_t *max)
{
	*min = 0;
	*max = t->expected_attach_type == BPF_CGROUP_INET_EGRESS ? 3 : 1;
	return true;
}

const struct progtype progtype_sched_cls = {
	.type = BPF_PROG_TYPE_SCHED_CLS,
	.name = "sched_cls",
	.ctx_size = sizeof(struct __sk_buff),
	.is_valid_access = tc_is_valid_access,
	.convert_ctx_access = skb_convert,
	.helper_allowed = tc_helper,
	.return_range = return_any,
	.packet_write = true,
};

const struct progtype progtype_sched_act = {
	.type = BPF_PROG_TYPE_SCHED_ACT,
	.name = "sched_act",
	.ctx_size = sizeof(struct __sk_buff),
	.is_valid_access = tc_is_valid_access,
	.convert_ctx_access = skb_convert,
	.helper_allowed = tc_helper,
	.return_range = return_any,
	.packet_write = true,
};

const struct progtype progtype_socket_filter = {
	.type = BPF_PROG_TYPE_SOCKET_FILTER,
	.name = "socket_filter",
	.ctx_size = sizeof(struct __sk_buff),
	.is_valid_access = sk_filter_is_valid_access,
	.convert_ctx_access = skb_convert,
	.helper_allowed = sk_filter_helper,
	.return_range = return_any,
	.packet_write = false,
};

const struct progtype progtype_cgroup_skb = {
	.type = BPF_PROG_TYPE_CGROUP_SKB,
	.name = "cgroup_skb",
	.ctx_size = sizeof(struct __sk_buff),
	.is_valid_access = cg_skb_is_valid_access,
	.convert_ctx_access = skb_convert,
	.helper_allowed = cg_skb_helper,
	.return_range = cg_skb_return_range,
	.packet_write = false,
};

/* ---- lwt and sk_skb: struct __sk_buff again ---- */

static bool lwt_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (in_field(off, SKB(tc_classid), 4) || in_field(off, SKB(data_meta), 4) ||
	    (off >= (int)SKB(family) && off < (int)SKB_END(local_port)) ||
	    in_field(off, SKB(tstamp), 8) || in_field(off, SKB(wire_len), 4) ||
	    in_field(off, SKB(hwtstamp), 8))
		return false;
	if (write && !(in_field(off, SKB(mark), 4) || in_field(off, SKB(priority), 4) ||
		       in_field(off, SKB(cb), 20)))
		return false;
	return skb_packet_access(off, size, write, acc);
}

static bool sk_skb_is_valid_access(const struct prog_target *t, int off, int size, bool write,
				   struct ctx_access *acc)
{
	(void)t;
	ctx_access_scalar(acc);
	if (in_field(off, SKB(tc_classid), 4) || in_field(off, SKB(data_meta), 4) ||
	    in_field(off, SKB(tstamp), 8) || in_field(off, SKB(wire_len), 4) ||
	    in_field(off, SKB(hwtstamp), 8) || in_field(off, SKB(mark), 4))
		return false;
	if (write && !(in_field(off, SKB(tc_index), 4) || in_field(off, SKB(priority), 4)))
		return false;
	return skb_packet_access(off, size, write, acc);
}

/* What every lwt type may call (the kernel's lwt_out_func_proto). */
static const int32_t lwt_out_helpers[] = {
	BPF_FUNC_skb_load_bytes, BPF_FUNC_skb_pull_data, BPF_FUNC_csum_diff,
	BPF_FUNC_get_cgroup_classid, BPF_FUNC_get_route_realm, BPF_FUNC_get_hash_recalc,
	BPF_FUNC_perf_event_output, BPF_FUNC_get_smp_processor_id, BPF_FUNC_skb_under_cgroup,
};

static const int32_t lwt_xmit_helpers[] = {
	BPF_FUNC_skb_get_tunnel_key, BPF_FUNC_skb_set_tunnel_key, BPF_FUNC_skb_get_tunnel_opt,
	BPF_FUNC_skb_set_tunnel_opt, BPF_FUNC_redirect, BPF_FUNC_clone_redirect,
	BPF_FUNC_skb_change_tail, BPF_FUNC_skb_change_head, BPF_FUNC_skb_store_bytes,
	BPF_FUNC_csum_update, BPF_FUNC_csum_level, BPF_FUNC_l3_csum_replace,
	BPF_FUNC_l4_csum_replace, BPF_FUNC_set_hash_invalid, BPF_FUNC_lwt_push_encap,
};

static const int32_t lwt_seg6local_helpers[] = {
	BPF_FUNC_lwt_seg6_store_bytes, BPF_FUNC_lwt_seg6_action, BPF_FUNC_lwt_seg6_adjust_srh,
};

static bool lwt_helper(const struct prog_target *t, int32_t id)
{
	if (net_base_helper(id) || HELPER_IN(lwt_out_helpers, id))
		return true;
	switch (t->type) {
	case BPF_PROG_TYPE_LWT_IN:
		return id == BPF_FUNC_lwt_push_encap;
	case BPF_PROG_TYPE_LWT_XMIT:
		return HELPER_IN(lwt_xmit_helpers, id);
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
		return HELPER_IN(lwt_seg6local_helpers, id);
	default:
		return false;
	}
}

static const int32_t sk_skb_helpers[] = {
	BPF_FUNC_skb_store_bytes, BPF_FUNC_skb_load_bytes, BPF_FUNC_skb_pull_data,
	BPF_FUNC_skb_change_tail, BPF_FUNC_skb_change_head, BPF_FUNC_skb_adjust_room,
	BPF_FUNC_get_socket_cookie, BPF_FUNC_get_socket_uid, BPF_FUNC_sk_redirect_map,
	BPF_FUNC_sk_redirect_hash, BPF_FUNC_perf_event_output, BPF_FUNC_sk_lookup_tcp,
	BPF_FUNC_sk_lookup_udp, BPF_FUNC_sk_release, BPF_FUNC_skc_lookup_tcp,
};

static bool sk_skb_helper(const struct prog_target *t, int32_t id)
{
	(void)t;
	return net_base_helper(id) || HELPER_IN(sk_skb_helpers, id);
}

#define LWT_TYPE(id, nm, writes)                                   \
	{                                                          \
		.type = id, .name = nm, .ctx_size = sizeof(struct __sk_buff), \
		.is_valid_access = lwt_is_valid_access,            \
		.convert_ctx_access = skb_convert, .helper_allowed = lwt_helper, \
		.return_range = return_any, .packet_write = writes, \
	}
/* Only lwt_xmit may write the packet (dst_input and dst_output cannot). */
const struct progtype progtype_lwt_in = LWT_TYPE(BPF_PROG_TYPE_LWT_IN, "lwt_in", false);
const struct progtype progtype_lwt_out = LWT_TYPE(BPF_PROG_TYPE_LWT_OUT, "lwt_out", false);
const struct progtype progtype_lwt_xmit = LWT_TYPE(BPF_PROG_TYPE_LWT_XMIT, "lwt_xmit", true);
const struct progtype progtype_lwt_seg6local =
	LWT_TYPE(BPF_PROG_TYPE_LWT_SEG6LOCAL, "lwt_seg6local", false);

const struct progtype progtype_sk_skb = {
	.type = BPF_PROG_TYPE_SK_SKB,
	.name = "sk_skb",
	.ctx_size = sizeof(struct __sk_buff),
	.is_valid_access = sk_skb_is_valid_access,
	.convert_ctx_access = skb_convert,
	.helper_allowed = sk_skb_helper,
	.return_range = return_any,
	.packet_write = true,
};

/* ---- struct bpf_sock_addr ---- */

static bool is_attach(const struct prog_target *t, const int *types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((int)t->expected_attach_type == types[i])
			return true;
	return false;
}
#define IS_ATTACH(t, ...) \
	is_attach(t, (const int[]){ __VA_ARGS__ }, sizeof((const int[]){ __VA_ARGS__ }) / sizeof(int))

static bool sock_addr_is_valid_access(const struct prog_target *t, int off, int size,
				      bool write, struct ctx_access *acc)
{
	ctx_access_scalar(acc);
	if (off < 0 || off >= (int)sizeof(struct bpf_sock_addr) || off % size != 0)
		return false;
	/* Address fields belong to the hooks of their address family. */
	bool ip4 = in_field(off, SA(user_ip4), 4), ip6 = in_field(off, SA(user_ip6), 16);
	bool src4 = in_field(off, SA(msg_src_ip4), 4), src6 = in_field(off, SA(msg_src_ip6), 16);
	if (ip4 && !IS_ATTACH(t, BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET4_CONNECT,
			      BPF_CGROUP_INET4_GETPEERNAME, BPF_CGROUP_INET4_GETSOCKNAME,
			      BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP4_RECVMSG))
		return false;
	if (ip6 && !IS_ATTACH(t, BPF_CGROUP_INET6_BIND, BPF_CGROUP_INET6_CONNECT,
			      BPF_CGROUP_INET6_GETPEERNAME, BPF_CGROUP_INET6_GETSOCKNAME,
			      BPF_CGROUP_UDP6_SENDMSG, BPF_CGROUP_UDP6_RECVMSG))
		return false;
	if (src4 && t->expected_attach_type != BPF_CGROUP_UDP4_SENDMSG)
		return false;
	if (src6 && t->expected_attach_type != BPF_CGROUP_UDP6_SENDMSG)
		return false;

	if (ip4 || ip6 || src4 || src6 || in_field(off, SA(user_port), 4)) {
		/* 8-byte access to two words of an IPv6 address, else the
		 * whole word (written) or a part of it (read). */
		if (ctx_wide_ok(off, size, SA(user_ip6), SA_END(user_ip6)) ||
		    ctx_wide_ok(off, size, SA(msg_src_ip6), SA_END(msg_src_ip6)))
			return true;
		if (write)
			return size == 4;
		if (!ctx_narrow_ok(size, 4))
			return false;
		if (size < 4)
			acc->field_size = 4;
		return true;
	}
	if (off == (int)SA(sk)) {
		if (write || size != 8)
			return false;
		acc->result = CTX_SOCK;
		return true;
	}
	/* The other words (user_family, family, type, protocol) are read
	 * whole; the padding before sk is not a field. */
	return !write && size == 4 && off < (int)SA_END(msg_src_ip6);
}

static const int32_t sock_addr_helpers[] = {
	BPF_FUNC_perf_event_output, BPF_FUNC_get_socket_cookie, BPF_FUNC_get_netns_cookie,
	BPF_FUNC_get_local_storage, BPF_FUNC_setsockopt, BPF_FUNC_getsockopt,
	BPF_FUNC_sk_lookup_tcp, BPF_FUNC_sk_lookup_udp, BPF_FUNC_skc_lookup_tcp,
	BPF_FUNC_sk_release, BPF_FUNC_sk_storage_get, BPF_FUNC_sk_storage_delete,
};

static bool sock_addr_helper(const struct prog_target *t, int32_t id)
{
	if (net_base_helper(id) || HELPER_IN(sock_addr_helpers, id))
		return true;
	/* bpf_bind: connect hooks only. */
	if (id == BPF_FUNC_bind)
		return IS_ATTACH(t, BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT);
	/* The return value of the system call: hooks that run before it. */
	if (id == BPF_FUNC_get_retval || id == BPF_FUNC_set_retval)
		return IS_ATTACH(t, BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND,
				 BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_INET6_CONNECT,
				 BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP6_SENDMSG,
				 PROGTYPE_CGROUP_UNIX_CONNECT, PROGTYPE_CGROUP_UNIX_SENDMSG);
	return false;
}

static bool sock_addr_return_range(const struct prog_target *t, int64_t *min, int64_t *max)
{
	*min = 0;
	*max = 1;
	/* Hooks that report an address may not refuse. */
	if (IS_ATTACH(t, BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_UDP6_RECVMSG,
		      PROGTYPE_CGROUP_UNIX_RECVMSG, BPF_CGROUP_INET4_GETPEERNAME,
		      BPF_CGROUP_INET6_GETPEERNAME, PROGTYPE_CGROUP_UNIX_GETPEERNAME,
		      BPF_CGROUP_INET4_GETSOCKNAME, BPF_CGROUP_INET6_GETSOCKNAME,
		      PROGTYPE_CGROUP_UNIX_GETSOCKNAME))
		*min = 1;
	/* bind may also ask to skip the port checks (bit 1). */
	if (IS_ATTACH(t, BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND))
		*max = 3;
	return true;
}

const struct progtype progtype_cgroup_sock_addr = {
	.type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	.name = "cgroup_sock_addr",
	.ctx_size = sizeof(struct bpf_sock_addr),
	.is_valid_access = sock_addr_is_valid_access,
	.convert_ctx_access = ctx_access_unchanged,
	.helper_allowed = sock_addr_helper,
	.return_range = sock_addr_return_range,
	.packet_write = false,
};
