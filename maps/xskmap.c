/* SPDX-License-Identifier: MIT */
/*
 * BPF_MAP_TYPE_XSKMAP: AF_XDP sockets by index, for bpf_redirect_map
 * from XDP.
 *
 * User space stores a socket by its fd (4-byte keys and values, the
 * kernel's rules): the fd must be an AF_XDP socket with an RX ring and
 * a UMEM (EBADF, ENOTSOCK, EOPNOTSUPP else, as the kernel answers). An
 * fd only means something in its own process, so an entry holds the
 * socket's inode number, which names it for every process (as
 * /proc/PID/fd shows it), and the queue it is bound to. The entry does
 * not keep the socket open: closing it leaves the entry until it is
 * deleted or replaced (the kernel drops the entry with the socket).
 *
 * As in the kernel, user space cannot read an entry (EOPNOTSUPP); a
 * program's bpf_map_lookup_elem gets the kernel's struct bpf_xdp_sock
 * (its queue_id) or NULL, and bpf_redirect_map records the index.
 *
 * The RX ring and UMEM of a socket are read with sock_diag (xdp_diag);
 * where the kernel has no xdp_diag, any AF_XDP socket is taken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_xdp.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/xdp_diag.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maps/map.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

/* One entry: the socket's inode (0: empty) and the kernel's struct
 * bpf_xdp_sock, which programs see. */
struct xsk_slot {
	_Atomic uint64_t ino;
	uint32_t queue_id;
	uint32_t pad;
};

static int xskmap_check(struct map_hdr *hdr)
{
	if (hdr->max_entries == 0 || hdr->key_size != 4 || hdr->value_size != 4 ||
	    hdr->map_flags & ~(uint32_t)(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY) ||
	    hdr->map_extra)
		return -EINVAL;
	hdr->data_size = (uint64_t)hdr->max_entries * sizeof(struct xsk_slot);
	return 0;
}

static struct xsk_slot *slot_of(struct map *map, uint32_t index)
{
	return (struct xsk_slot *)map->data + index;
}

static void *xsk_lookup_ptr(struct map *map, const void *key, uint32_t cpu)
{
	(void)cpu;
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return NULL;
	struct xsk_slot *s = slot_of(map, index);
	return atomic_load_explicit(&s->ino, memory_order_acquire) ? &s->queue_id : NULL;
}

static int xsk_lookup(struct map *map, const void *key, void *value, uint64_t flags)
{
	(void)map, (void)key, (void)value, (void)flags;
	return -EOPNOTSUPP;
}

/* What xdp_diag says of the socket with inode ino: 1 when it has an RX
 * ring and a UMEM (*queue_id its queue), 0 when not, -1 when the kernel
 * cannot tell. */
static int xsk_setup(uint64_t ino, uint32_t *queue_id)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr h;
		struct xdp_diag_req r;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = AF_XDP, .xdiag_ino = (uint32_t)ino,
		       .xdiag_show = XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM },
	};
	int found = -1;
	if (send(fd, &req, sizeof(req), 0) < 0)
		goto out;
	static __thread uint8_t buf[16384] __attribute__((aligned(8)));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			goto out;
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
				goto out;
			const struct xdp_diag_msg *m = NLMSG_DATA(h);
			if (found == -1)
				found = 0; /* xdp_diag answers: the socket must be in it */
			if (m->xdiag_ino != (uint32_t)ino)
				continue;
			bool rx = false, umem = false;
			size_t al = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
			for (const struct nlattr *a = (const struct nlattr *)(m + 1);
			     al >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= al;
			     al -= NLA_ALIGN(a->nla_len),
					  a = (const struct nlattr *)((const uint8_t *)a + NLA_ALIGN(a->nla_len))) {
				if (a->nla_type == XDP_DIAG_RX_RING)
					rx = true;
				else if (a->nla_type == XDP_DIAG_UMEM)
					umem = true;
				else if (a->nla_type == XDP_DIAG_INFO &&
					 a->nla_len >= NLA_HDRLEN + sizeof(struct xdp_diag_info)) {
					struct xdp_diag_info info;
					memcpy(&info, (const uint8_t *)a + NLA_HDRLEN, sizeof(info));
					*queue_id = info.queue_id;
				}
			}
			found = rx && umem;
			goto out;
		}
	}
out:
	close(fd);
	return found;
}

static int xsk_update(struct map *map, const void *key, const void *value, uint64_t flags,
		      uint32_t cpu)
{
	(void)cpu;
	uint32_t index;
	int32_t fd;
	memcpy(&index, key, 4);
	memcpy(&fd, value, 4);
	if (flags > BPF_EXIST)
		return -EINVAL;
	if (index >= map->hdr->max_entries)
		return -E2BIG;
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		return -EBADF;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	int domain = 0;
	socklen_t len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) || domain != AF_XDP)
		return -EOPNOTSUPP;
	uint32_t queue_id = 0;
	if (xsk_setup(st.st_ino, &queue_id) == 0)
		return -EOPNOTSUPP;
	struct xsk_slot *s = slot_of(map, index);
	uint64_t old = atomic_load_explicit(&s->ino, memory_order_acquire);
	if (old == (uint64_t)st.st_ino)
		return 0;
	if (old && flags == BPF_NOEXIST)
		return -EEXIST;
	if (!old && flags == BPF_EXIST)
		return -ENOENT;
	/* A reader between the two stores may see the old socket with the
	 * new queue for an instant; both are ones the map held. */
	s->queue_id = queue_id;
	atomic_store_explicit(&s->ino, (uint64_t)st.st_ino, memory_order_release);
	return 0;
}

static int xsk_delete(struct map *map, const void *key)
{
	uint32_t index;
	memcpy(&index, key, 4);
	if (index >= map->hdr->max_entries)
		return -EINVAL;
	atomic_store_explicit(&slot_of(map, index)->ino, 0, memory_order_release);
	return 0;
}

const struct map_ops xskmap_map_ops = {
	.check = xskmap_check,
	.lookup_ptr = xsk_lookup_ptr,
	.lookup = xsk_lookup,
	.update = xsk_update,
	.delete = xsk_delete,
	.get_next_key = array_get_next_key,
};
