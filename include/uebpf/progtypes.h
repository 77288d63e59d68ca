/* SPDX-License-Identifier: MIT */
/*
 * The contexts uebpf hands to programs at run time.
 *
 * A program is compiled against the kernel's UAPI context (struct xdp_md,
 * struct __sk_buff, ...), where packet pointers are 32-bit fields. At load
 * time uebpf rewrites every context access, as the kernel does, so that
 * at run time r1 points to one of the structs below, where pointers are
 * 64 bits wide. A hook (or an embedder running a program itself) fills
 * one in for each run.
 *
 * Types whose UAPI context holds no 32-bit pointer field run on the UAPI
 * layout itself, unchanged:
 *
 *   kprobe            struct pt_regs (x86-64)
 *   tracepoint        the tracepoint's record (common fields first)
 *   raw_tracepoint    u64 args[12] (struct bpf_raw_tracepoint_args)
 *   perf_event        struct bpf_perf_event_data
 *   lsm               u64 args[12], one per argument of the hook
 *   cgroup_sock_addr  struct uebpf_sock_addr_ctx (the layout of struct
 *                     bpf_sock_addr, sk a real pointer)
 *   cgroup_sock       struct uebpf_sock_ctx (the layout of struct bpf_sock)
 *   sock_ops          struct uebpf_sock_ops_ctx (the layout of struct
 *                     bpf_sock_ops, pointers real)
 *
 * docs/progtypes.md says field by field what each program type sees.
 */
#ifndef UEBPF_PROGTYPES_H
#define UEBPF_PROGTYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * BPF_PROG_TYPE_XDP: one frame. A program reads data, data_end and
 * data_meta (the metadata area, data_meta <= data <= data_end) as packet
 * pointers; the other fields are read-only scalars.
 */
struct uebpf_xdp_ctx {
	void *data;
	void *data_end;
	void *data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	/* Only readable by programs attached to a device map entry
	 * (expected_attach_type BPF_XDP_DEVMAP). */
	uint32_t egress_ifindex;
	uint32_t reserved;
	/* The frame's buffer, for the helpers that move data_meta, data and
	 * data_end (bpf_xdp_adjust_head, _meta, _tail): data_meta may move
	 * down to buf_start and data_end up to buf_end. As in the kernel's
	 * test run, the buffer has 256 bytes of headroom of which the first
	 * 40 (the kernel's struct xdp_frame) are not reachable. */
	void *buf_start;
	void *buf_end;
	/* What did not fit the frame: the kernel's fragments of a multi-
	 * buffer frame. Programs reach these bytes only through
	 * bpf_xdp_load_bytes / bpf_xdp_store_bytes (bpf_xdp_get_buff_len
	 * counts them); they follow the linear part in the packet that
	 * comes out. NULL and 0 for a frame that fits. */
	void *frags;
	uint32_t frags_len;
	uint32_t reserved2;
};

/*
 * The tunnel a program chose for its skb with bpf_skb_set_tunnel_key and
 * bpf_skb_set_tunnel_opt (the kernel's metadata dst): what a tunnel
 * device in collect-metadata mode would encapsulate the packet with.
 * There is no tunnel device in user space, so whoever runs the program
 * reads it from here (uebpf_prog_test_run gives it back in
 * uebpf_test_run_opts.tunnel). Zero until a key is set.
 */
struct uebpf_tunnel {
	uint8_t set;      /* 1 once bpf_skb_set_tunnel_key succeeded */
	uint8_t ipv6;     /* the addresses are IPv6 (BPF_F_TUNINFO_IPV6) */
	uint8_t tos;
	uint8_t ttl;
	/* The kernel's tunnel flags (TUNNEL_* of <linux/if_tunnel.h>, in
	 * host order): 0x0001 checksum, 0x0004 key, 0x0008 sequence
	 * numbers, 0x0100 don't fragment, 0x2000 no route cache, 0xd800
	 * options present. */
	uint16_t flags;
	uint8_t opts_len; /* bytes of opts (bpf_skb_set_tunnel_opt) */
	uint8_t reserved;
	uint32_t id;      /* the tunnel id (VNI, GRE key), host order */
	uint32_t label;   /* the IPv6 flow label (20 bits), host order */
	/* Where the packet goes and where it comes from, network byte
	 * order; an IPv4 address is the first word. */
	uint32_t remote[4];
	uint32_t local[4];
	uint8_t opts[256];
};

/*
 * BPF_PROG_TYPE_SCHED_CLS, SCHED_ACT, SOCKET_FILTER and CGROUP_SKB: one
 * packet, the fields of struct __sk_buff. Each field has the width the
 * kernel's sk_buff gives it, because a narrow read of a __sk_buff field
 * behaves according to that width; byte order is the kernel's (protocol
 * and vlan_proto in network order, as skb->protocol).
 *
 * Which fields a program type may read or write is the kernel's rule
 * (docs/progtypes.md); cb[] is scratch space a program may use freely.
 */
struct uebpf_skb_ctx {
	void *data;      /* first byte of the packet (its Ethernet header for tc) */
	void *data_end;  /* one past the last byte */
	void *data_meta; /* metadata before data; == data when there is none */
	void *sk;        /* the socket (a struct bpf_sock view) or NULL */
	uint64_t tstamp;
	uint64_t hwtstamp;
	uint32_t len;
	uint32_t mark;
	uint32_t priority;
	uint32_t ingress_ifindex;
	uint32_t ifindex;
	uint32_t hash;
	uint32_t napi_id;
	uint32_t wire_len;
	uint32_t vlan_present; /* 0 or 1 */
	uint32_t cb[5];
	uint16_t queue_mapping;
	uint16_t protocol;   /* network byte order: the EtherType as in the header */
	uint16_t vlan_tci;
	uint16_t vlan_proto; /* network byte order */
	uint16_t tc_index;
	uint16_t tc_classid;
	uint16_t gso_segs;
	uint16_t gso_size;
	uint8_t pkt_type;    /* PACKET_HOST, PACKET_BROADCAST, ... */
	uint8_t tstamp_type; /* BPF_SKB_TSTAMP_* */
	uint8_t reserved[2];
	/* The socket's view (cgroup_skb programs): values exactly as the
	 * __sk_buff fields give them (addresses in network byte order,
	 * remote_port in network byte order in the upper 16 bits,
	 * local_port in host byte order). */
	uint32_t family;
	uint32_t remote_ip4;
	uint32_t local_ip4;
	uint32_t remote_ip6[4];
	uint32_t local_ip6[4];
	uint32_t remote_port;
	uint32_t local_port;
	/* The buffer the packet lives in, from malloc: head <= mac_header,
	 * head <= data_meta <= data <= data_end <= end. The helpers that
	 * grow the packet past it (bpf_skb_change_head, _change_tail,
	 * _adjust_room, _vlan_push) replace it with a larger one and move
	 * every pointer; whoever runs the program frees head afterwards. */
	void *head;
	void *end;
	/* Where the link-layer and network headers start (the kernel's
	 * skb_mac_header and skb_network_header), for
	 * bpf_skb_load_bytes_relative and the helpers that push or pop
	 * headers. */
	void *mac_header;
	void *network_header;
	/* The tunnel the program set (tc and lwt_xmit programs): kept
	 * across the runs of one test run, as the kernel keeps the skb's
	 * metadata dst. Zeroed, the packet came through no tunnel. */
	struct uebpf_tunnel tunnel;
};

/*
 * BPF_PROG_TYPE_CGROUP_SOCK_ADDR: the address of a bind, connect,
 * sendmsg, recvmsg, getpeername or getsockname. The layout of struct
 * bpf_sock_addr with sk a pointer, so programs run on it unchanged.
 * Addresses and user_port are in network byte order.
 */
struct uebpf_sock_addr_ctx {
	uint32_t user_family;
	uint32_t user_ip4;
	uint32_t user_ip6[4];
	uint32_t user_port;
	uint32_t family;
	uint32_t type;
	uint32_t protocol;
	uint32_t msg_src_ip4;
	uint32_t msg_src_ip6[4];
	void *sk; /* a struct bpf_sock view */
	/* Not seen by programs: the socket's fd, for the socket helpers
	 * (cookies, options); -1 for none. */
	int32_t fd;
};

/*
 * BPF_PROG_TYPE_CGROUP_SOCK: a socket being created, released or just
 * bound (struct bpf_sock's layout). bound_dev_if, mark and priority are
 * writable at creation and release; the addresses are those of the hook's
 * family. Addresses and dst_port are in network byte order, src_port in
 * host order.
 */
struct uebpf_sock_ctx {
	uint32_t bound_dev_if;
	uint32_t family;
	uint32_t type;
	uint32_t protocol;
	uint32_t mark;
	uint32_t priority;
	uint32_t src_ip4;
	uint32_t src_ip6[4];
	uint32_t src_port;
	uint16_t dst_port;
	uint16_t zero_padding;
	uint32_t dst_ip4;
	uint32_t dst_ip6[4];
	uint32_t state;
	int32_t rx_queue_mapping;
	/* Not seen by programs: the socket's fd, for the socket helpers;
	 * -1 for none. */
	int32_t fd;
};

/*
 * BPF_PROG_TYPE_SOCK_OPS: a TCP event of a socket (struct bpf_sock_ops's
 * layout, Linux 6.2 and later): op says which, args its arguments; the
 * program answers in reply and may set sk_txhash. skb_data and
 * skb_data_end bound the TCP header of the segment, when there is one.
 */
struct uebpf_sock_ops_ctx {
	uint32_t op;
	union {
		uint32_t args[4];
		uint32_t reply;
		uint32_t replylong[4];
	};
	uint32_t family;
	uint32_t remote_ip4;
	uint32_t local_ip4;
	uint32_t remote_ip6[4];
	uint32_t local_ip6[4];
	uint32_t remote_port;
	uint32_t local_port;
	uint32_t is_fullsock;
	uint32_t snd_cwnd;
	uint32_t srtt_us;
	uint32_t bpf_sock_ops_cb_flags;
	uint32_t state;
	uint32_t rtt_min;
	uint32_t snd_ssthresh;
	uint32_t rcv_nxt;
	uint32_t snd_nxt;
	uint32_t snd_una;
	uint32_t mss_cache;
	uint32_t ecn_flags;
	uint32_t rate_delivered;
	uint32_t rate_interval_us;
	uint32_t packets_out;
	uint32_t retrans_out;
	uint32_t total_retrans;
	uint32_t segs_in;
	uint32_t data_segs_in;
	uint32_t segs_out;
	uint32_t data_segs_out;
	uint32_t lost_out;
	uint32_t sacked_out;
	uint32_t sk_txhash;
	uint64_t bytes_received;
	uint64_t bytes_acked;
	void *sk; /* a struct bpf_sock view, or NULL */
	void *skb_data;
	void *skb_data_end;
	uint32_t skb_len;
	uint32_t skb_tcp_flags;
	uint64_t skb_hwtstamp;
	/* Not seen by programs: the socket's fd, for the socket helpers
	 * (bpf_setsockopt and bpf_getsockopt act on it); -1 for none. */
	int32_t fd;
};

#ifdef __cplusplus
}
#endif
#endif /* UEBPF_PROGTYPES_H */
