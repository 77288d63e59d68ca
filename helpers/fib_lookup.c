/* SPDX-License-Identifier: MIT */
/*
 * bpf_fib_lookup for XDP and tc programs, against the host's own
 * forwarding tables, read through rtnetlink at every call: the ingress
 * device and its forwarding switch (RTM_GETLINK, RTM_GETNETCONF), the
 * route (RTM_GETROUTE with RTM_F_FIB_MATCH, which answers with the FIB
 * entry itself; with BPF_FIB_LOOKUP_DIRECT, a dump of the one table and
 * a longest-prefix match here), the egress device and the neighbour of
 * the next hop (RTM_GETNEIGH). Nothing is cached: each thread keeps one
 * netlink socket, opened at its first lookup in the network namespace
 * the thread is in then, and reuses it.
 *
 * The answers follow the kernel's bpf_ipv4_fib_lookup and
 * bpf_ipv6_fib_lookup (net/core/filter.c) step by step: the same checks
 * in the same order, the same fields written before an early return.
 * docs/helpers.md lists what rtnetlink cannot show and how close uebpf
 * comes there.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/lwtunnel.h>
#include <linux/neighbour.h>
#include <linux/netconf.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "uebpf/progtypes.h"

/* Newer than some UAPI headers: the flag and the field it reads (mark
 * shares its bytes with smac[0..3]). */
#define FIB_LOOKUP_MARK (1U << 5)
#define FIB_LOOKUP_MASK                                                              \
	(BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH |  \
	 BPF_FIB_LOOKUP_TBID | BPF_FIB_LOOKUP_SRC | FIB_LOOKUP_MARK)
#define FIB_RET_NO_SRC_ADDR 9
/* The kernel's NUD_VALID: an entry whose address may be used. */
#define NUD_VALID \
	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define FIB_PARAMS_SIZE 64

/* The kernel's struct bpf_fib_lookup, mark included. */
struct fib_params {
	uint8_t family;
	uint8_t l4_protocol;
	uint16_t sport, dport;
	uint16_t tot_len; /* in: tot_len; out: mtu_result */
	uint32_t ifindex;
	uint32_t tos;     /* in: tos / flowinfo; out: rt_metric */
	uint32_t src[4];
	uint32_t dst[4];
	uint32_t vlan;    /* out: h_vlan_proto, h_vlan_TCI; in: tbid */
	uint8_t smac[6];  /* in: mark in the first 4 bytes */
	uint8_t dmac[6];
};
_Static_assert(sizeof(struct fib_params) == FIB_PARAMS_SIZE, "struct bpf_fib_lookup");

#define NL_BUF 32768

/* ---- one netlink socket per thread ---- */

static __thread int nl_fd = -1;
static __thread uint32_t nl_seq;
static __thread uint8_t nl_buf[NL_BUF] __attribute__((aligned(8)));

static pthread_key_t nl_key;
static pthread_once_t nl_once = PTHREAD_ONCE_INIT;

/* A thread's socket is closed when the thread ends. */
static void nl_close(void *p)
{
	close((int)(intptr_t)p - 1);
}

static void nl_key_init(void)
{
	pthread_key_create(&nl_key, nl_close);
}

static int nl_socket(void)
{
	if (nl_fd >= 0)
		return nl_fd;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	pthread_once(&nl_once, nl_key_init);
	pthread_setspecific(nl_key, (void *)(intptr_t)(fd + 1));
	int one = 1;
	/* Dumps filtered by table and family in the kernel. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	nl_fd = fd;
	return fd;
}

struct nl_req {
	union {
		struct nlmsghdr h;
		uint8_t raw[320];
	};
};

static void nl_init(struct nl_req *r, uint16_t type, uint16_t flags, const void *hdr, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | flags;
	r->h.nlmsg_len = NLMSG_LENGTH(len);
	memcpy(NLMSG_DATA(&r->h), hdr, len);
}

static void nl_put(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(r->raw + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

typedef void (*nl_cb)(const struct nlmsghdr *h, void *arg);

/* Sends r and hands each answer to cb until the kernel's ack, error or
 * end of dump: 0 or the kernel's negative errno. */
static int nl_talk(struct nl_req *r, nl_cb cb, void *arg)
{
	int fd = nl_socket();
	if (fd < 0)
		return fd;
	uint32_t seq = ++nl_seq;
	r->h.nlmsg_seq = seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	bool dump = r->h.nlmsg_flags & NLM_F_DUMP;
	for (;;) {
		ssize_t n = recv(fd, nl_buf, sizeof(nl_buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)nl_buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != seq)
				continue; /* an answer to an abandoned request */
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return e->error;
			}
			cb(h, arg);
			if (!dump)
				return 0;
		}
	}
}

static const struct rtattr *attr_next(const struct rtattr *a, size_t *left)
{
	return RTA_OK(a, *left) ? a : NULL;
}

/* ---- devices ---- */

struct link {
	bool found;
	uint32_t mtu, flags;
	uint16_t type;
	uint8_t addr[6];
	char name[IFNAMSIZ];
};

static void link_cb(const struct nlmsghdr *h, void *arg)
{
	struct link *l = arg;
	if (h->nlmsg_type != RTM_NEWLINK)
		return;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	l->found = true;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	size_t left = IFLA_PAYLOAD(h);
	for (const struct rtattr *a = IFLA_RTA(ifi); attr_next(a, &left); a = RTA_NEXT(a, left)) {
		if (a->rta_type == IFLA_MTU && RTA_PAYLOAD(a) >= 4)
			memcpy(&l->mtu, RTA_DATA(a), 4);
		else if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) >= 6)
			memcpy(l->addr, RTA_DATA(a), 6);
		else if (a->rta_type == IFLA_IFNAME)
			snprintf(l->name, sizeof(l->name), "%.*s", (int)RTA_PAYLOAD(a),
				 (const char *)RTA_DATA(a));
	}
}

static int get_link(uint32_t ifindex, struct link *l)
{
	memset(l, 0, sizeof(*l));
	if (!ifindex || ifindex > INT32_MAX)
		return -ENODEV;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)ifindex };
	struct nl_req r;
	nl_init(&r, RTM_GETLINK, 0, &ifi, sizeof(ifi));
	uint32_t mask = RTEXT_FILTER_SKIP_STATS;
	nl_put(&r, IFLA_EXT_MASK, &mask, sizeof(mask));
	int err = nl_talk(&r, link_cb, l);
	if (err)
		return err;
	return l->found ? 0 : -ENODEV;
}

static void netconf_cb(const struct nlmsghdr *h, void *arg)
{
	int32_t *fwd = arg;
	if (h->nlmsg_type != RTM_NEWNETCONF)
		return;
	const struct netconfmsg *m = NLMSG_DATA(h);
	size_t left = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*m)));
	const struct rtattr *a = (const struct rtattr *)((const uint8_t *)m + NLMSG_ALIGN(sizeof(*m)));
	for (; attr_next(a, &left); a = RTA_NEXT(a, left))
		if (a->rta_type == NETCONFA_FORWARDING && RTA_PAYLOAD(a) >= 4)
			memcpy(fwd, RTA_DATA(a), 4);
}

/* The device's forwarding switch for the family (the kernel's
 * IN_DEV_FORWARD, idev->cnf.forwarding): a device without that family's
 * configuration does not forward. */
static bool forwarding(int family, uint32_t ifindex)
{
	struct netconfmsg m = { .ncm_family = (uint8_t)family };
	struct nl_req r;
	nl_init(&r, RTM_GETNETCONF, 0, &m, sizeof(m));
	int32_t idx = (int32_t)ifindex, fwd = 0;
	nl_put(&r, NETCONFA_IFINDEX, &idx, sizeof(idx));
	return nl_talk(&r, netconf_cb, &fwd) == 0 && fwd;
}

/* A sysctl of this network namespace (0 when unreadable). */
static long sysctl_long(const char *path)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* ---- routes ---- */

struct route {
	bool found;
	uint8_t type, dst_len, tos, table;
	uint32_t table_id;
	uint32_t oif, priority, mtu, locked;
	bool lwt, multipath, dead;
	uint8_t gw_family;     /* 0: none */
	uint32_t gw[4];
	bool has_prefsrc;
	uint32_t prefsrc[4];
	uint32_t dst[4];
};

static void parse_metrics(const struct rtattr *m, struct route *rt)
{
	size_t left = RTA_PAYLOAD(m);
	for (const struct rtattr *a = RTA_DATA(m); attr_next(a, &left); a = RTA_NEXT(a, left)) {
		if (RTA_PAYLOAD(a) < 4)
			continue;
		if (a->rta_type == RTAX_MTU)
			memcpy(&rt->mtu, RTA_DATA(a), 4);
		else if (a->rta_type == RTAX_LOCK)
			memcpy(&rt->locked, RTA_DATA(a), 4);
	}
}

static void parse_gateway(const struct rtattr *a, struct route *rt, int family)
{
	if (a->rta_type == RTA_GATEWAY) {
		size_t n = family == AF_INET ? 4 : 16;
		if (RTA_PAYLOAD(a) >= n) {
			rt->gw_family = (uint8_t)family;
			memcpy(rt->gw, RTA_DATA(a), n);
		}
	} else if (a->rta_type == RTA_VIA && RTA_PAYLOAD(a) >= sizeof(struct rtvia)) {
		const struct rtvia *v = RTA_DATA(a);
		size_t n = v->rtvia_family == AF_INET ? 4 : 16;
		if (RTA_PAYLOAD(a) >= sizeof(*v) + n) {
			rt->gw_family = (uint8_t)v->rtvia_family;
			memcpy(rt->gw, v->rtvia_addr, n);
		}
	}
}

/* The first live nexthop of a multipath route (or the first allowed
 * device when oif is set). */
static void parse_multipath(const struct rtattr *m, struct route *rt, int family, uint32_t oif)
{
	size_t left = RTA_PAYLOAD(m);
	const struct rtnexthop *nh = RTA_DATA(m);
	rt->dead = true;
	while (left >= sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) && nh->rtnh_len <= left) {
		if (!(nh->rtnh_flags & RTNH_F_DEAD) && (!oif || (uint32_t)nh->rtnh_ifindex == oif)) {
			rt->dead = false;
			rt->oif = (uint32_t)nh->rtnh_ifindex;
			size_t al = nh->rtnh_len - RTNH_LENGTH(0);
			for (const struct rtattr *a = RTNH_DATA(nh); attr_next(a, &al); a = RTA_NEXT(a, al)) {
				parse_gateway(a, rt, family);
				if (a->rta_type == RTA_ENCAP)
					rt->lwt = true;
			}
			return;
		}
		left -= RTNH_ALIGN(nh->rtnh_len);
		nh = (const struct rtnexthop *)((const uint8_t *)nh + RTNH_ALIGN(nh->rtnh_len));
	}
}

static void parse_route(const struct nlmsghdr *h, struct route *rt, uint32_t oif)
{
	const struct rtmsg *m = NLMSG_DATA(h);
	memset(rt, 0, sizeof(*rt));
	rt->found = true;
	rt->type = m->rtm_type;
	rt->dst_len = m->rtm_dst_len;
	rt->tos = m->rtm_tos;
	rt->table_id = m->rtm_table;
	rt->dead = m->rtm_flags & RTNH_F_DEAD;
	size_t left = RTM_PAYLOAD(h);
	size_t alen = m->rtm_family == AF_INET ? 4 : 16;
	for (const struct rtattr *a = RTM_RTA(m); attr_next(a, &left); a = RTA_NEXT(a, left)) {
		switch (a->rta_type) {
		case RTA_OIF:
			memcpy(&rt->oif, RTA_DATA(a), 4);
			break;
		case RTA_PRIORITY:
			memcpy(&rt->priority, RTA_DATA(a), 4);
			break;
		case RTA_TABLE:
			memcpy(&rt->table_id, RTA_DATA(a), 4);
			break;
		case RTA_DST:
			if (RTA_PAYLOAD(a) >= alen)
				memcpy(rt->dst, RTA_DATA(a), alen);
			break;
		case RTA_PREFSRC:
			if (RTA_PAYLOAD(a) >= alen) {
				rt->has_prefsrc = true;
				memcpy(rt->prefsrc, RTA_DATA(a), alen);
			}
			break;
		case RTA_METRICS:
			parse_metrics(a, rt);
			break;
		case RTA_ENCAP:
			rt->lwt = true;
			break;
		case RTA_GATEWAY:
		case RTA_VIA:
			parse_gateway(a, rt, m->rtm_family);
			break;
		case RTA_MULTIPATH:
			rt->multipath = true;
			parse_multipath(a, rt, m->rtm_family, oif);
			break;
		}
	}
}

struct route_arg {
	struct route *rt;
	uint32_t oif;
};

static void route_cb(const struct nlmsghdr *h, void *arg)
{
	struct route_arg *ra = arg;
	if (h->nlmsg_type == RTM_NEWROUTE)
		parse_route(h, ra->rt, ra->oif);
}

struct lookup {
	int family;
	uint32_t dst[4], src[4];
	uint32_t iif, oif, mark;
	uint8_t tos, proto;
	uint16_t sport, dport;
	bool use_src, use_mark;
};

/* RTM_GETROUTE for one flow: the FIB entry (fib_match) or the route the
 * kernel would build (its RTA_PREFSRC is the chosen source address). */
static int get_route(const struct lookup *q, bool fib_match, struct route *rt)
{
	size_t alen = q->family == AF_INET ? 4 : 16;
	struct rtmsg m = { .rtm_family = (uint8_t)q->family, .rtm_dst_len = (uint8_t)(alen * 8),
			   .rtm_tos = q->tos,
			   .rtm_flags = fib_match ? RTM_F_FIB_MATCH : 0 };
	if (q->family == AF_INET)
		m.rtm_flags |= RTM_F_LOOKUP_TABLE; /* the table of the FIB entry */
	if (q->use_src)
		m.rtm_src_len = (uint8_t)(alen * 8);
	struct nl_req r;
	nl_init(&r, RTM_GETROUTE, 0, &m, sizeof(m));
	nl_put(&r, RTA_DST, q->dst, alen);
	if (q->use_src)
		nl_put(&r, RTA_SRC, q->src, alen);
	if (q->iif)
		nl_put(&r, RTA_IIF, &q->iif, 4);
	if (q->oif)
		nl_put(&r, RTA_OIF, &q->oif, 4);
	if (q->use_mark)
		nl_put(&r, RTA_MARK, &q->mark, 4);
	uint32_t uid = 0; /* the kernel's helper looks up as the namespace's root */
	nl_put(&r, RTA_UID, &uid, 4);
	bool l4 = q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP ||
		  (q->proto == IPPROTO_ICMP && q->family == AF_INET) ||
		  (q->proto == IPPROTO_ICMPV6 && q->family == AF_INET6);
	if (l4) {
		nl_put(&r, RTA_IP_PROTO, &q->proto, 1);
		nl_put(&r, RTA_SPORT, &q->sport, 2);
		nl_put(&r, RTA_DPORT, &q->dport, 2);
	}
	struct route_arg ra = { rt, q->oif };
	memset(rt, 0, sizeof(*rt));
	int err = nl_talk(&r, route_cb, &ra);
	if (!err && !rt->found)
		err = -ENETUNREACH;
	return err;
}

/* The kernel's errors of a lookup that matched no unicast route, as the
 * helper maps them. */
static int route_error(int err)
{
	switch (err) {
	case -EINVAL: return BPF_FIB_LKUP_RET_BLACKHOLE;
	case -EHOSTUNREACH: return BPF_FIB_LKUP_RET_UNREACHABLE;
	case -EACCES: return BPF_FIB_LKUP_RET_PROHIBIT;
	default: return BPF_FIB_LKUP_RET_NOT_FWDED;
	}
}

static int type_error(uint8_t type)
{
	switch (type) {
	case RTN_BLACKHOLE: return -EINVAL;
	case RTN_UNREACHABLE: return -EHOSTUNREACH;
	case RTN_PROHIBIT: return -EACCES;
	default: return -EAGAIN;
	}
}

/* ---- BPF_FIB_LOOKUP_DIRECT: one table, longest prefix first ---- */

struct table_arg {
	const struct lookup *q;
	uint32_t table;
	struct route best;
	bool any;
};

static bool prefix_match(const uint32_t *a, const uint32_t *b, unsigned len)
{
	const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
	unsigned i = 0;
	for (; len >= 8; len -= 8, i++)
		if (x[i] != y[i])
			return false;
	return !len || ((x[i] ^ y[i]) & (0xff00 >> len)) == 0;
}

static void table_cb(const struct nlmsghdr *h, void *arg)
{
	struct table_arg *ta = arg;
	if (h->nlmsg_type != RTM_NEWROUTE)
		return;
	const struct rtmsg *m = NLMSG_DATA(h);
	if (m->rtm_family != ta->q->family)
		return;
	struct route rt;
	parse_route(h, &rt, ta->q->oif);
	if (rt.table_id != ta->table)
		return;
	ta->any = true;
	if (m->rtm_flags & RTM_F_CLONED || m->rtm_src_len)
		return;
	if (!prefix_match(rt.dst, ta->q->dst, rt.dst_len))
		return;
	if (ta->q->family == AF_INET && rt.tos && rt.tos != (ta->q->tos & 0xfc))
		return;
	bool unicast = rt.type == RTN_UNICAST || rt.type == RTN_LOCAL ||
		       rt.type == RTN_BROADCAST || rt.type == RTN_ANYCAST ||
		       rt.type == RTN_MULTICAST;
	/* A route through another device than the requested one, or dead,
	 * is passed over (error routes have no device). */
	if (unicast && (rt.dead || (ta->q->oif && rt.oif != ta->q->oif)))
		return;
	const struct route *b = &ta->best;
	if (b->found && (b->dst_len > rt.dst_len ||
			 (b->dst_len == rt.dst_len &&
			  ((ta->q->family == AF_INET && b->tos > rt.tos) ||
			   (b->tos == rt.tos && b->priority <= rt.priority)))))
		return;
	ta->best = rt;
}

static int table_lookup(const struct lookup *q, uint32_t table, struct route *rt, bool *exists)
{
	struct rtmsg m = { .rtm_family = (uint8_t)q->family,
			   .rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC };
	struct nl_req r;
	nl_init(&r, RTM_GETROUTE, NLM_F_DUMP, &m, sizeof(m));
	nl_put(&r, RTA_TABLE, &table, 4);
	struct table_arg ta = { .q = q, .table = table };
	int err = nl_talk(&r, table_cb, &ta);
	*exists = ta.any || table == RT_TABLE_MAIN || table == RT_TABLE_LOCAL;
	if (err)
		return err;
	*rt = ta.best;
	if (!rt->found)
		return -EAGAIN;
	if (rt->type != RTN_UNICAST && rt->type != RTN_LOCAL && rt->type != RTN_BROADCAST &&
	    rt->type != RTN_ANYCAST && rt->type != RTN_MULTICAST)
		return type_error(rt->type);
	return 0;
}

/* ---- neighbours ---- */

struct neigh {
	bool found;
	uint16_t state;
	uint8_t lladdr[6];
};

static void neigh_cb(const struct nlmsghdr *h, void *arg)
{
	struct neigh *n = arg;
	if (h->nlmsg_type != RTM_NEWNEIGH)
		return;
	const struct ndmsg *m = NLMSG_DATA(h);
	n->found = true;
	n->state = m->ndm_state;
	size_t left = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	for (const struct rtattr *a = (const struct rtattr *)((const uint8_t *)m + NLMSG_ALIGN(sizeof(*m)));
	     attr_next(a, &left); a = RTA_NEXT(a, left))
		if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) >= 6)
			memcpy(n->lladdr, RTA_DATA(a), 6);
}

/* The neighbour entry of addr on the device, if it exists and is valid
 * (the kernel's NUD_VALID); none is created. */
static bool neigh_valid(int family, const uint32_t *addr, uint32_t ifindex, uint8_t *lladdr)
{
	struct ndmsg m = { .ndm_family = (uint8_t)family, .ndm_ifindex = (int)ifindex };
	struct nl_req r;
	nl_init(&r, RTM_GETNEIGH, 0, &m, sizeof(m));
	nl_put(&r, NDA_DST, addr, family == AF_INET ? 4 : 16);
	struct neigh n = { 0 };
	if (nl_talk(&r, neigh_cb, &n) || !n.found || !(n.state & NUD_VALID))
		return false;
	memcpy(lladdr, n.lladdr, 6);
	return true;
}

/* ---- the helper ---- */

/* Link-local, multicast and loopback IPv6 addresses (rt6_need_strict). */
static bool ipv6_strict(const uint32_t *a)
{
	const uint8_t *b = (const uint8_t *)a;
	if (b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return true;
	static const uint8_t loopback[16] = { [15] = 1 };
	return memcmp(b, loopback, 16) == 0;
}

static void fwd_params(struct fib_params *p, uint32_t mtu)
{
	p->vlan = 0;
	if (mtu)
		p->tot_len = (uint16_t)mtu;
}

/* The IPv4 path MTU towards the route (ip_mtu_from_fib_result): the
 * route's locked MTU or, with ip_forward_use_pmtu, its MTU, else the
 * device's. */
static uint32_t ipv4_mtu(const struct route *rt, const struct link *dev)
{
	uint32_t mtu = 0;
	if ((rt->locked & (1u << RTAX_MTU)) ||
	    sysctl_long("/proc/sys/net/ipv4/ip_forward_use_pmtu") > 0)
		mtu = rt->mtu;
	if (!mtu)
		mtu = dev->mtu < 0xffff ? dev->mtu : 0xffff;
	return mtu;
}

/* The IPv6 path MTU (ip6_mtu_from_fib6): a locked route MTU, else the
 * device's IPv6 MTU (its mtu sysctl), at least 1280. */
static uint32_t ipv6_mtu(const struct route *rt, const struct link *dev)
{
	if ((rt->locked & (1u << RTAX_MTU)) && rt->mtu)
		return rt->mtu;
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/mtu", dev->name);
	long v = sysctl_long(path);
	uint32_t mtu = v > 0 ? (uint32_t)v : dev->mtu;
	if (mtu < 1280)
		mtu = 1280;
	return mtu < 0xffff ? mtu : 0xffff;
}

/* The route for the flow, as the kernel's fib_lookup or (DIRECT)
 * fib_table_lookup finds it; 0, a route error (-EINVAL, -EHOSTUNREACH,
 * -EACCES, other) or 1 for a table that does not exist. */
static int find_route(struct lookup *q, struct fib_params *p, uint32_t flags, struct route *rt)
{
	if (flags & BPF_FIB_LOOKUP_DIRECT) {
		uint32_t tbid = RT_TABLE_MAIN;
		if (flags & BPF_FIB_LOOKUP_TBID) {
			tbid = p->vlan ? p->vlan : RT_TABLE_MAIN;
			p->vlan = 0;
		}
		bool exists;
		int err = table_lookup(q, tbid, rt, &exists);
		if (!exists)
			return 1;
		return err;
	}
	if (q->family == AF_INET6) {
		/* The input lookup of IPv6 has no extra checks: the ingress
		 * device, the source and the mark as the helper gives them. */
		return get_route(q, true, rt);
	}
	/* IPv4: the output lookup, which has none of the input path's
	 * martian and reverse-path checks, without a source address (it
	 * would have to be local). With a device, a failed lookup comes
	 * back as an on-link route without a FIB entry (-EHOSTUNREACH):
	 * the lookup without the device tells the error apart. */
	if (q->dst[0] == 0) {
		/* The output path answers for 0.0.0.0 without the FIB: the
		 * tables of the default rules, in their order. */
		static const uint32_t tables[] = { RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT };
		int err = -EAGAIN;
		bool exists;
		for (size_t i = 0; i < 3 && err == -EAGAIN; i++)
			err = table_lookup(q, tables[i], rt, &exists);
		return err;
	}
	uint32_t oif = q->oif;
	int err = get_route(q, true, rt);
	if (err == -EHOSTUNREACH && q->oif) {
		q->oif = 0;
		struct route any;
		err = get_route(q, true, &any);
		q->oif = oif;
		if (err)
			return err;
		/* Local multicast and broadcast never reach the FIB with a
		 * device: the entry without it, if it is through that device. */
		if (any.oif != oif)
			return -ENETUNREACH;
		*rt = any;
		return 0;
	}
	return err;
}

/* The source address the kernel picks on the route's device for the
 * next hop (fib_result_prefsrc, ipv6_dev_get_saddr): the output route
 * to the gateway, or to the destination, through that device. */
static int source_of(const struct lookup *q, const struct route *rt, struct route *built)
{
	struct lookup q2 = { .family = q->family, .oif = rt->oif };
	memcpy(q2.dst, rt->gw_family == q->family ? rt->gw : q->dst, sizeof(q2.dst));
	int err = get_route(&q2, false, built);
	return err ? err : built->has_prefsrc ? 0 : -EADDRNOTAVAIL;
}

static int64_t fib_lookup(struct fib_params *p, uint32_t flags, bool check_mtu)
{
	const bool v4 = p->family == AF_INET;
	const bool output = flags & BPF_FIB_LOOKUP_OUTPUT;
	struct lookup q = { .family = p->family, .proto = p->l4_protocol, .sport = p->sport,
			    .dport = p->dport };
	if (v4)
		q.oif = output ? p->ifindex : 0;
	else /* IPv6 does not hold the lookup to the device (no strict
	      * interface match): the flow comes from it, or from lo. */
		q.iif = output ? 1 : p->ifindex;
	if (v4) {
		q.dst[0] = p->dst[0];
		q.tos = (uint8_t)p->tos;
	} else {
		if (ipv6_strict(p->dst) || ipv6_strict(p->src))
			return BPF_FIB_LKUP_RET_NOT_FWDED;
		memcpy(q.dst, p->dst, 16);
		memcpy(q.src, p->src, 16);
		q.use_src = memcmp(p->src, (uint32_t[4]){ 0 }, 16) != 0;
	}
	if (flags & FIB_LOOKUP_MARK) {
		memcpy(&q.mark, p->smac, 4);
		q.use_mark = true;
	}
	struct link in, out;
	int err = get_link(p->ifindex, &in);
	if (err)
		return err == -ENODEV ? -ENODEV : err;
	if (!forwarding(p->family, p->ifindex))
		return BPF_FIB_LKUP_RET_FWD_DISABLED;

	struct route rt;
	err = find_route(&q, p, flags, &rt);
	if (err == 1)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	if (err)
		return route_error(err);
	/* The answer names the type of the route the kernel builds: a
	 * multicast or broadcast destination that a unicast entry of
	 * another table than local matched. */
	if (v4 && !(flags & BPF_FIB_LOOKUP_DIRECT) && rt.table_id != RT_TABLE_LOCAL &&
	    (rt.type == RTN_MULTICAST || rt.type == RTN_BROADCAST))
		rt.type = RTN_UNICAST;
	if (rt.type != RTN_UNICAST || rt.dead)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	if (rt.oif == p->ifindex)
		out = in;
	else if (get_link(rt.oif, &out))
		return BPF_FIB_LKUP_RET_NOT_FWDED;

	uint32_t mtu = 0;
	if (check_mtu) {
		mtu = v4 ? ipv4_mtu(&rt, &out) : ipv6_mtu(&rt, &out);
		if (p->tot_len > mtu) {
			p->tot_len = (uint16_t)mtu;
			return BPF_FIB_LKUP_RET_FRAG_NEEDED;
		}
	}
	if (rt.lwt)
		return BPF_FIB_LKUP_RET_UNSUPP_LWT;

	if (v4) {
		p->tos = rt.priority;
		p->ifindex = rt.oif;
		if (flags & BPF_FIB_LOOKUP_SRC) {
			if (rt.has_prefsrc) {
				p->src[0] = rt.prefsrc[0];
			} else {
				struct route built;
				p->src[0] = source_of(&q, &rt, &built) == 0 ? built.prefsrc[0] : 0;
			}
		}
		if (rt.gw_family == AF_INET) {
			p->dst[0] = rt.gw[0];
		} else if (rt.gw_family == AF_INET6) {
			p->family = AF_INET6;
			memcpy(p->dst, rt.gw, 16);
		}
	} else {
		if (rt.gw_family == AF_INET6)
			memcpy(p->dst, rt.gw, 16);
		p->tos = rt.priority;
		p->ifindex = rt.oif;
		if (flags & BPF_FIB_LOOKUP_SRC) {
			if (rt.has_prefsrc) {
				memcpy(p->src, rt.prefsrc, 16);
			} else {
				struct route built;
				if (source_of(&q, &rt, &built))
					return FIB_RET_NO_SRC_ADDR;
				memcpy(p->src, built.prefsrc, 16);
			}
		}
	}
	if (!(flags & BPF_FIB_LOOKUP_SKIP_NEIGH)) {
		uint8_t lladdr[6];
		/* IPv4 neighbours of loopback and point-to-point devices
		 * are all one entry, 0.0.0.0. */
		uint32_t any[4] = { 0 };
		const uint32_t *nh = p->family == AF_INET && out.flags & (IFF_LOOPBACK | IFF_POINTOPOINT)
					     ? any
					     : p->dst;
		if (!neigh_valid(p->family, nh, rt.oif, lladdr))
			return BPF_FIB_LKUP_RET_NO_NEIGH;
		memcpy(p->dmac, lladdr, 6);
		memcpy(p->smac, out.addr, 6);
	}
	fwd_params(p, mtu);
	return BPF_FIB_LKUP_RET_SUCCESS;
}

HELPER(fib_lookup)
{
	(void)r5;
	struct fib_params *p = (struct fib_params *)(uintptr_t)r2;
	int32_t plen = (int32_t)r3;
	uint32_t flags = (uint32_t)r4;
	bool xdp = exec->prog_type == BPF_PROG_TYPE_XDP;

	if (plen < FIB_PARAMS_SIZE || flags & ~FIB_LOOKUP_MASK)
		return (uint64_t)-EINVAL;
	if (exec->checked && uebpf_exec_check_mem(exec, p, FIB_PARAMS_SIZE, UEBPF_MEM_RW)) {
		uebpf_exec_fault(exec, "R2 params: %d bytes at %p are not writable",
				 FIB_PARAMS_SIZE, (void *)p);
		return 0;
	}
	if (p->family != AF_INET && p->family != AF_INET6)
		return (uint64_t)-EAFNOSUPPORT;
	if (xdp)
		return (uint64_t)fib_lookup(p, flags, true);

	/* tc: the MTU is checked when the program gave a length, else the
	 * packet is checked against the egress device afterwards. */
	const struct uebpf_skb_ctx *skb = (const struct uebpf_skb_ctx *)(uintptr_t)r1;
	bool check_mtu = p->tot_len != 0;
	int64_t rc = fib_lookup(p, flags, check_mtu);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS && !check_mtu) {
		struct link out;
		if (get_link(p->ifindex, &out) == 0) {
			uint32_t hard_header = out.type == ARPHRD_ETHER || out.type == ARPHRD_LOOPBACK
						       ? 14
						       : 0;
			if (!(out.flags & IFF_UP) ||
			    (skb->len > out.mtu + hard_header + 4 && !skb->gso_size))
				rc = BPF_FIB_LKUP_RET_FRAG_NEEDED;
			p->tot_len = (uint16_t)out.mtu;
		}
	}
	return (uint64_t)rc;
}
