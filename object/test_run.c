/* SPDX-License-Identifier: MIT */
/*
 * uebpf_prog_test_run: the kernel's BPF_PROG_TEST_RUN for programs this
 * process loaded. The packet is laid out as the kernel's test run lays
 * it out (net/bpf/test_run.c), so that what a program sees - headroom,
 * tailroom, metadata, the __sk_buff fields, the device - and what comes
 * back - return value, packet, context - are the kernel's, and every
 * attribute the kernel refuses is refused with its errno.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "object/prog.h"
#include "uebpf/engine.h"
#include "uebpf/object.h"
#include "uebpf/progtypes.h"

/* The kernel's internal "operation not supported" errno, which
 * BPF_PROG_TEST_RUN returns for program types without a test run. */
#define ENOTSUPP 524

#define ETH_HLEN 14
#define ETH_ALEN 6
#define PAGE_SIZE 4096u
/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)): the tailroom every
 * packet buffer keeps. */
#define SHINFO_SIZE 320u
/* XDP: XDP_PACKET_HEADROOM, of which the struct xdp_frame at its start
 * is out of the program's reach; metadata comes in 4-byte units, at most
 * 255 bytes (Linux 6.18; 32 before) and within the headroom. */
#define XDP_HEADROOM 256u
#define XDP_FRAME_SIZE 40u
#define XDP_META_MAX 255u
#define XDP_MAX_FRAGS 17u /* MAX_SKB_FRAGS */
#define PAGES_OF(n) (((n) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
/* skb: NET_SKB_PAD + NET_IP_ALIGN on x86-64. */
#define SKB_HEADROOM 64u
#define GSO_MAX_SEGS 65535u
#define GSO_LEGACY_MAX_SIZE 65536u

#define PACKET_HOST 0
#define PACKET_BROADCAST 1
#define PACKET_MULTICAST 2
#define PACKET_OTHERHOST 3
#define ETH_P_802_3_MIN 0x0600
#define ETH_P_802_3 0x0001
#define ETH_P_802_2 0x0004
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD

/* A field of the options if the caller's struct has it, else 0. */
#define OPT(opts, field)                                                             \
	((opts)->sz >= offsetof(struct uebpf_test_run_opts, field) + sizeof((opts)->field) \
		 ? (opts)->field                                                       \
		 : 0)

/* ---- the device a packet arrives on ---- */

struct netdev {
	uint32_t ifindex;
	uint8_t addr[ETH_ALEN];
	uint8_t broadcast[ETH_ALEN];
	uint32_t rx_queues;
};

static bool read_mac(const char *name, const char *attr, uint8_t mac[ETH_ALEN])
{
	char path[96], line[64];
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	unsigned int b[ETH_ALEN];
	bool ok = fgets(line, sizeof(line), f) &&
		  sscanf(line, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) == 6;
	fclose(f);
	for (int i = 0; ok && i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
	return ok;
}

static uint32_t count_rx_queues(const char *name)
{
	char path[96];
	uint32_t n = 0;
	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%u", name, n);
		FILE *f = fopen(path, "re");
		if (f) {
			fclose(f);
			continue;
		}
		/* A directory cannot be fopen'ed for reading on every libc:
		 * ask for its first attribute. */
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%u/rps_cpus", name, n);
		f = fopen(path, "re");
		if (!f)
			break;
		fclose(f);
	}
	return n ? n : 1;
}

/*
 * The device with this index in the caller's network namespace, as the
 * kernel's test run finds it (it runs in the same namespace): 0 and 1
 * are the loopback device, whose addresses are all zero.
 */
static int netdev_get(uint32_t ifindex, struct netdev *d)
{
	char name[IF_NAMESIZE];
	memset(d, 0, sizeof(*d));
	d->ifindex = ifindex > 1 ? ifindex : 1;
	d->rx_queues = 1;
	if (d->ifindex == 1)
		return 0;
	if (!if_indextoname(ifindex, name))
		return -ENODEV;
	read_mac(name, "address", d->addr);
	read_mac(name, "broadcast", d->broadcast);
	d->rx_queues = count_rx_queues(name);
	return 0;
}

/* ---- inputs ---- */

static bool all_zero(const void *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (((const uint8_t *)p)[i])
			return false;
	return true;
}

/*
 * bpf_ctx_init: a zeroed context of the type's size, with the caller's
 * ctx_in over it. A longer ctx_in is allowed if its extra bytes are zero
 * (E2BIG otherwise). NULL when the caller gave neither ctx_in nor
 * ctx_out.
 */
static int ctx_init(const struct uebpf_test_run_opts *opts, size_t max_size, void **out)
{
	const void *in = OPT(opts, ctx_in);
	uint32_t size = OPT(opts, ctx_size_in);
	*out = NULL;
	if (!in && !OPT(opts, ctx_out))
		return 0;
	uint8_t *ctx = calloc(1, max_size);
	if (!ctx)
		return -ENOMEM;
	if (in) {
		if (size > max_size && !all_zero(in, max_size, size)) {
			free(ctx);
			return -E2BIG;
		}
		memcpy(ctx, in, size < max_size ? size : max_size);
	}
	*out = ctx;
	return 0;
}

/* ---- outputs: bpf_test_finish and bpf_ctx_finish ---- */

/* bpf_test_finish: the packet - its linear part, then the fragments -
 * into data_out, cut to data_size_out with -ENOSPC; then its full size,
 * the return value and the duration. The kernel copies the linear part
 * short of the room the fragments need, then the fragments; when they do
 * not fit at all, nothing is written. */
static int data_finish(struct uebpf_test_run_opts *opts, const uint8_t *data, uint32_t len,
		       const uint8_t *frags, uint32_t frags_len, uint32_t retval,
		       uint32_t duration)
{
	uint32_t cap = OPT(opts, data_size_out);
	uint32_t size = len + frags_len, copy = size;
	int err = 0;
	if (cap && copy > cap) {
		copy = cap;
		err = -ENOSPC;
	}
	if (OPT(opts, data_out)) {
		if (copy < frags_len)
			return -ENOSPC;
		memcpy(opts->data_out, data, copy - frags_len);
		if (frags_len)
			memcpy((uint8_t *)opts->data_out + copy - frags_len, frags, frags_len);
	}
	opts->data_size_out = size;
	opts->retval = retval;
	opts->duration = duration;
	return err;
}

static int ctx_finish(struct uebpf_test_run_opts *opts, const void *ctx, uint32_t size)
{
	void *out = OPT(opts, ctx_out);
	if (!ctx || !out)
		return 0;
	uint32_t copy = size;
	int err = 0;
	if (copy > opts->ctx_size_out) {
		copy = opts->ctx_size_out;
		err = -ENOSPC;
	}
	memcpy(out, ctx, copy);
	opts->ctx_size_out = size;
	return err;
}

/* ---- running ---- */

/* The thread's CPU time: the kernel's test run leaves the time it is
 * rescheduled out of `duration` (bpf_test_timer), so time other threads
 * take from this one is left out here too. */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Where the program may go in checked mode: its context and the packet's
 * buffer (which skb helpers may replace between runs). */
struct run_view {
	void *ctx;
	size_t ctx_size;
	void *(*buffer)(void *ctx, size_t *size);
	const void *(*packet)(void *ctx, size_t *len); /* for LD_ABS / LD_IND */
};

/*
 * Runs the program `repeat` times on the same context and packet, as the
 * kernel does (what one run changes, the next sees), and gives the last
 * run's return value and the mean time per run.
 */
static int run_repeat(const struct prog_run_target *t, const struct run_view *v,
		      struct uebpf_test_run_opts *opts, uint32_t *retval, uint32_t *duration)
{
	uint32_t repeat = OPT(opts, repeat) > 0 ? (uint32_t)opts->repeat : 1;
	struct uebpf_region regions[2] = {
		{ v->ctx, v->ctx_size, UEBPF_MEM_RW },
		{ NULL, 0, UEBPF_MEM_RW },
	};
	struct uebpf_run_opts ro = {
		.sz = sizeof(ro),
		.checked = t->checked_only,
		.regions = regions,
		.region_cnt = 2,
		.err_buf = OPT(opts, err_buf),
		.err_size = OPT(opts, err_size),
	};
	uint64_t r0 = 0;
	uint64_t start = now_ns();
	for (uint32_t i = 0; i < repeat; i++) {
		regions[1].addr = v->buffer(v->ctx, &regions[1].size);
		ro.packet = v->packet(v->ctx, &ro.packet_len);
		int err = uebpf_code_run(t->code, (uint64_t)(uintptr_t)v->ctx, 0, &ro, &r0);
		if (err)
			return err;
	}
	uint64_t spent = (now_ns() - start) / repeat;
	*duration = spent > UINT32_MAX ? UINT32_MAX : (uint32_t)spent;
	*retval = (uint32_t)r0;
	if (opts->sz >= offsetof(struct uebpf_test_run_opts, redirect) + sizeof(opts->redirect))
		opts->redirect = ro.redirect;
	return 0;
}

/* ---- XDP: bpf_prog_test_run_xdp ---- */

static void *xdp_buffer(void *ctx, size_t *size)
{
	struct uebpf_xdp_ctx *x = ctx;
	/* The fragments' pages follow the frame's. */
	uint8_t *end = x->frags ? (uint8_t *)x->frags + PAGES_OF(x->frags_len)
				: (uint8_t *)x->buf_end;
	*size = (size_t)(end - (uint8_t *)x->buf_start);
	return x->buf_start;
}

static const void *no_packet(void *ctx, size_t *len)
{
	(void)ctx;
	*len = 0;
	return NULL;
}

static int test_run_xdp(const struct prog_run_target *t, struct uebpf_test_run_opts *opts)
{
	uint32_t size_in = OPT(opts, data_size_in);
	uint32_t headroom = XDP_HEADROOM, meta = 0, linear = size_in;
	struct xdp_md *md = NULL;
	struct netdev dev;
	int err;

	if (t->expected_attach_type == BPF_XDP_DEVMAP || t->expected_attach_type == BPF_XDP_CPUMAP)
		return -EINVAL;
	if (OPT(opts, flags) & ~BPF_F_TEST_XDP_LIVE_FRAMES)
		return -EINVAL;
	/* Live frames send XDP_TX and XDP_REDIRECT packets out of real
	 * devices: nothing uebpf can do. */
	if (OPT(opts, flags) & BPF_F_TEST_XDP_LIVE_FRAMES)
		return -EOPNOTSUPP;
	if (OPT(opts, batch_size))
		return -EINVAL;
	err = ctx_init(opts, sizeof(struct xdp_md), (void **)&md);
	if (err)
		return err;
	err = -EINVAL;
	if (md) {
		/* The metadata is the start of data_in, up to md->data. */
		if (md->data_meta || md->data_end > size_in || md->data > md->data_end)
			goto out;
		meta = md->data;
		if (meta % 4 || meta > XDP_META_MAX || meta > headroom - XDP_FRAME_SIZE)
			goto out;
		headroom -= meta;
		linear = md->data_end;
	}
	uint32_t max_linear = PAGE_SIZE - headroom - SHINFO_SIZE;
	if (linear > max_linear)
		linear = max_linear;
	if (size_in - meta < ETH_HLEN)
		goto out;
	if (size_in && !OPT(opts, data_in)) {
		err = -EFAULT;
		goto out;
	}
	uint32_t ifindex = md && md->ingress_ifindex ? md->ingress_ifindex : 1;
	if (md) {
		if (md->egress_ifindex || (!md->ingress_ifindex && md->rx_queue_index))
			goto out;
		if (md->ingress_ifindex) {
			err = netdev_get(md->ingress_ifindex, &dev);
			if (err)
				goto out;
			err = -EINVAL;
			if (md->rx_queue_index >= dev.rx_queues)
				goto out;
		}
	}
	/* What does not fit the linear part goes to fragments of a page
	 * each, at most MAX_SKB_FRAGS of them (after the context's checks,
	 * as in the kernel). */
	if (size_in > linear && size_in - linear > XDP_MAX_FRAGS * PAGE_SIZE) {
		err = -ENOMEM;
		goto out;
	}

	/* Fragments are whole pages; the last one may grow to its end. */
	uint32_t frags_len = size_in - linear;
	uint8_t *frame = calloc(1, PAGE_SIZE + PAGES_OF(frags_len));
	if (!frame) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(frame + headroom, opts->data_in, linear);
	memcpy(frame + PAGE_SIZE, (const uint8_t *)opts->data_in + linear, frags_len);
	struct uebpf_xdp_ctx x = {
		.data_meta = frame + headroom,
		.data = frame + headroom + meta,
		.data_end = frame + headroom + linear,
		.ingress_ifindex = ifindex,
		.rx_queue_index = md ? md->rx_queue_index : 0,
		.buf_start = frame + XDP_FRAME_SIZE,
		.buf_end = frame + PAGE_SIZE - SHINFO_SIZE,
		.frags = frags_len ? frame + PAGE_SIZE : NULL,
		.frags_len = frags_len,
	};
	struct run_view v = { &x, sizeof(x), xdp_buffer, no_packet };
	uint32_t retval = 0, duration = 0;
	err = run_repeat(t, &v, opts, &retval, &duration);
	if (md) {
		md->data = (uint32_t)((uint8_t *)x.data - (uint8_t *)x.data_meta);
		md->data_end = (uint32_t)((uint8_t *)x.data_end - (uint8_t *)x.data_meta);
	}
	if (!err) {
		err = data_finish(opts, x.data_meta,
				  (uint32_t)((uint8_t *)x.data_end - (uint8_t *)x.data_meta), x.frags,
				  x.frags_len, retval, duration);
		if (!err)
			err = ctx_finish(opts, md, sizeof(*md));
	}
	free(frame);
out:
	free(md);
	return err;
}

/* ---- skb: bpf_prog_test_run_skb ---- */

#define SKB_OFF(f) offsetof(struct __sk_buff, f)
#define SKB_END(f) (offsetof(struct __sk_buff, f) + sizeof(((struct __sk_buff *)0)->f))

/* convert___skb_to_skb's rule: only these fields may be set in ctx_in. */
static bool skb_ctx_settable_only(const struct __sk_buff *s)
{
	static const struct {
		size_t from, to;
	} zero[] = {
		{ 0, SKB_OFF(mark) },
		{ SKB_END(mark), SKB_OFF(priority) },
		/* priority, ingress_ifindex, ifindex */
		{ SKB_END(ifindex), SKB_OFF(cb) },
		{ SKB_END(cb), SKB_OFF(tstamp) },
		/* tstamp, wire_len, gso_segs */
		{ SKB_END(gso_segs), SKB_OFF(gso_size) },
		{ SKB_END(gso_size), SKB_OFF(hwtstamp) },
		{ SKB_END(hwtstamp), sizeof(struct __sk_buff) },
	};
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		if (!all_zero(s, zero[i].from, zero[i].to))
			return false;
	return true;
}

static void *skb_buffer(void *ctx, size_t *size)
{
	struct uebpf_skb_ctx *s = ctx;
	*size = (size_t)((uint8_t *)s->end - (uint8_t *)s->head);
	return s->head;
}

static const void *skb_packet(void *ctx, size_t *len)
{
	struct uebpf_skb_ctx *s = ctx;
	*len = s->len;
	return s->data;
}

/* eth_type_trans: who the frame is for, and its protocol. */
static void eth_type_trans(struct uebpf_skb_ctx *s, const uint8_t *eth, const struct netdev *dev)
{
	const uint8_t *dst = eth;
	s->pkt_type = PACKET_HOST;
	if (memcmp(dst, dev->addr, ETH_ALEN)) {
		if (dst[0] & 1)
			s->pkt_type = memcmp(dst, dev->broadcast, ETH_ALEN) ? PACKET_MULTICAST
									  : PACKET_BROADCAST;
		else
			s->pkt_type = PACKET_OTHERHOST;
	}
	uint16_t proto = (uint16_t)(eth[12] << 8 | eth[13]);
	if (proto >= ETH_P_802_3_MIN)
		s->protocol = htons(proto);
	else if (s->len >= 2 && eth[ETH_HLEN] == 0xff && eth[ETH_HLEN + 1] == 0xff)
		s->protocol = htons(ETH_P_802_3);
	else
		s->protocol = htons(ETH_P_802_2);
}

/* The test run's socket: its family and addresses come from the packet's
 * network header (the kernel's test run fills them so). */
static void skb_socket_view(struct uebpf_skb_ctx *s, const uint8_t *nh)
{
	if (s->protocol == htons(ETH_P_IP)) {
		s->family = 2; /* AF_INET */
		if (s->len >= 20) {
			memcpy(&s->local_ip4, nh + 12, 4);
			memcpy(&s->remote_ip4, nh + 16, 4);
		}
	} else if (s->protocol == htons(ETH_P_IPV6)) {
		s->family = 10; /* AF_INET6 */
		if (s->len >= 40) {
			memcpy(s->local_ip6, nh + 8, 16);
			memcpy(s->remote_ip6, nh + 24, 16);
		}
	}
}

static int test_run_skb(const struct prog_run_target *t, struct uebpf_test_run_opts *opts)
{
	uint32_t size = OPT(opts, data_size_in);
	bool is_l2 = t->type == BPF_PROG_TYPE_SCHED_CLS || t->type == BPF_PROG_TYPE_SCHED_ACT;
	struct __sk_buff *in = NULL;
	struct netdev dev;
	int err;

	if ((OPT(opts, flags) & ~BPF_F_TEST_SKB_CHECKSUM_COMPLETE) || OPT(opts, cpu) ||
	    OPT(opts, batch_size))
		return -EINVAL;
	/* CHECKSUM_COMPLETE tracking is not kept by uebpf's csum helpers. */
	if (OPT(opts, flags) & BPF_F_TEST_SKB_CHECKSUM_COMPLETE)
		return -EOPNOTSUPP;
	if (size < ETH_HLEN || size > PAGE_SIZE - SKB_HEADROOM - SHINFO_SIZE)
		return -EINVAL;
	if (!OPT(opts, data_in))
		return -EFAULT;
	err = ctx_init(opts, sizeof(struct __sk_buff), (void **)&in);
	if (err)
		return err;
	err = netdev_get(in && in->ifindex > 1 ? in->ifindex : 1, &dev);
	if (err)
		goto out;
	err = -EINVAL;
	if (in && (!skb_ctx_settable_only(in) || in->gso_segs > GSO_MAX_SEGS))
		goto out;
	uint32_t wire_len = 0;
	if (in) {
		uint32_t len = is_l2 ? size : size - ETH_HLEN;
		wire_len = in->wire_len ? in->wire_len : len;
		if (in->wire_len && (in->wire_len < len || in->wire_len > GSO_LEGACY_MAX_SIZE))
			goto out;
	}

	/* The buffer as slab_build_skb makes it: headroom, the data rounded
	 * up to a cache line, no room for the shared info. */
	size_t cap = SKB_HEADROOM + ((size + 63u) & ~(size_t)63u);
	uint8_t *head = calloc(1, cap);
	if (!head) {
		err = -ENOMEM;
		goto out;
	}
	uint8_t *eth = head + SKB_HEADROOM;
	memcpy(eth, opts->data_in, size);

	struct uebpf_skb_ctx s = {
		.head = head,
		.end = head + cap,
		.mac_header = eth,
		.network_header = eth + ETH_HLEN,
		.len = size - ETH_HLEN,
		.ifindex = dev.ifindex,
	};
	eth_type_trans(&s, eth, &dev);
	/* An IP packet must hold its IP header. */
	if ((s.protocol == htons(ETH_P_IP) && s.len < 20) ||
	    (s.protocol == htons(ETH_P_IPV6) && s.len < 40)) {
		free(head);
		err = -EINVAL;
		goto out;
	}
	skb_socket_view(&s, eth + ETH_HLEN);
	s.data = is_l2 ? eth : eth + ETH_HLEN;
	s.len = is_l2 ? size : size - ETH_HLEN;
	s.data_meta = s.data;
	s.data_end = (uint8_t *)s.data + s.len;
	if (in) {
		s.mark = in->mark;
		s.priority = in->priority;
		s.ingress_ifindex = in->ingress_ifindex;
		s.tstamp = in->tstamp;
		memcpy(s.cb, in->cb, sizeof(s.cb));
		s.wire_len = wire_len;
		s.gso_segs = (uint16_t)in->gso_segs;
		s.gso_size = (uint16_t)in->gso_size;
		s.hwtstamp = in->hwtstamp;
	}

	struct run_view v = { &s, sizeof(s), skb_buffer, skb_packet };
	uint32_t retval = 0, duration = 0;
	err = run_repeat(t, &v, opts, &retval, &duration);
	if (err)
		goto free_head;

	uint8_t *out_data = s.data;
	uint32_t out_len = s.len;
	uint8_t *grown = NULL;
	if (!is_l2) {
		/* The kernel gives back what follows a zeroed Ethernet header. */
		grown = malloc((size_t)out_len + ETH_HLEN);
		if (!grown) {
			err = -ENOMEM;
			goto free_head;
		}
		memset(grown, 0, ETH_HLEN);
		memcpy(grown + ETH_HLEN, out_data, out_len);
		out_data = grown;
		out_len += ETH_HLEN;
	}
	if (in) {
		in->mark = s.mark;
		in->priority = s.priority;
		in->ingress_ifindex = s.ingress_ifindex;
		in->ifindex = s.ifindex;
		in->tstamp = s.tstamp;
		memcpy(in->cb, s.cb, sizeof(in->cb));
		in->wire_len = s.wire_len;
		in->gso_segs = s.gso_segs;
		in->hwtstamp = s.hwtstamp;
	}
	if (opts->sz >= offsetof(struct uebpf_test_run_opts, tunnel) + sizeof(opts->tunnel))
		opts->tunnel = s.tunnel;
	err = data_finish(opts, out_data, out_len, NULL, 0, retval, duration);
	if (!err)
		err = ctx_finish(opts, in, sizeof(*in));
	free(grown);
free_head:
	/* Helpers may have replaced the buffer. */
	free(s.head);
out:
	free(in);
	return err;
}

int uebpf_prog_test_run(int prog_fd, struct uebpf_test_run_opts *opts)
{
	struct prog_run_target t;
	if (!opts || opts->sz < offsetof(struct uebpf_test_run_opts, batch_size) + sizeof(uint32_t))
		return -EINVAL;
	/* A context buffer and its size go together. */
	if (!OPT(opts, ctx_size_in) != !OPT(opts, ctx_in) ||
	    !OPT(opts, ctx_size_out) != !OPT(opts, ctx_out))
		return -EINVAL;
	int err = prog_run_target(prog_fd, &t);
	if (err)
		return err;
	switch (t.type) {
	case BPF_PROG_TYPE_XDP:
		return test_run_xdp(&t, opts);
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
		return test_run_skb(&t, opts);
	default:
		return -ENOTSUPP;
	}
}
