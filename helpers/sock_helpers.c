/* SPDX-License-Identifier: MIT */
/*
 * Socket helpers for the program types whose context stands for a socket
 * (cgroup_sock, sock_ops, cgroup_sock_addr): the runtime contexts carry
 * the socket's fd (-1 for none), and the helpers act on that socket
 * through the system calls a process has for it.
 *
 * - bpf_get_socket_cookie: SO_COOKIE, the kernel's cookie of the socket.
 * - bpf_get_netns_cookie: SO_NETNS_COOKIE of the socket; with a NULL
 *   context (or none), the cookie of the thread's network namespace.
 * - bpf_setsockopt / bpf_getsockopt: the options the kernel lets programs
 *   use (its sol_socket_sockopt, sol_tcp_sockopt, sol_ip_sockopt and
 *   sol_ipv6_sockopt), passed to setsockopt(2) / getsockopt(2); the
 *   kernel-internal TCP_BPF_* options are refused.
 * - bpf_sock_ops_cb_flags_set: the flags are kept in the context's
 *   bpf_sock_ops_cb_flags, for the hook that runs the program.
 *
 * Programs of the __sk_buff types see no socket in uebpf: the cookie is
 * 0 there, and the netns cookie the thread's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "uebpf/progtypes.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif
#ifndef SO_TXREHASH
#define SO_TXREHASH 74
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif
#define TCP_BPF_IW 1001 /* the first of the kernel-internal TCP_BPF_* options */

/* The context's socket fd, -1 when it has none; NULL ctx: -1. In checked
 * mode the context must be the program's. */
static int ctx_fd(struct uebpf_exec *exec, uint64_t r1)
{
	const void *ctx = (const void *)(uintptr_t)r1;
	size_t off;

	switch (exec->prog_type) {
	case BPF_PROG_TYPE_CGROUP_SOCK: off = offsetof(struct uebpf_sock_ctx, fd); break;
	case BPF_PROG_TYPE_SOCK_OPS: off = offsetof(struct uebpf_sock_ops_ctx, fd); break;
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR: off = offsetof(struct uebpf_sock_addr_ctx, fd); break;
	default: return -1;
	}
	if (!ctx)
		return -1;
	if (uebpf_exec_check_mem(exec, (const uint8_t *)ctx + off, 4, UEBPF_MEM_READ)) {
		uebpf_exec_fault(exec, "R1 socket context: its fd is not readable");
		return -1;
	}
	int32_t fd;
	memcpy(&fd, (const uint8_t *)ctx + off, 4);
	return fd;
}

static uint64_t sock_u64_opt(int fd, int opt)
{
	uint64_t v = 0;
	socklen_t len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, opt, &v, &len) ? 0 : v;
}

HELPER(get_socket_cookie)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	int fd = ctx_fd(exec, r1);
	return fd < 0 ? 0 : sock_u64_opt(fd, SO_COOKIE);
}

HELPER(get_netns_cookie)
{
	(void)r2, (void)r3, (void)r4, (void)r5;
	int fd = ctx_fd(exec, r1);
	if (fd >= 0)
		return sock_u64_opt(fd, SO_NETNS_COOKIE);
	/* No socket: the namespace this thread is in. */
	int tmp = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tmp < 0)
		return 0;
	uint64_t v = sock_u64_opt(tmp, SO_NETNS_COOKIE);
	close(tmp);
	return v;
}

/* Whether the kernel lets a program use this option: 0, or -EINVAL. */
static int option_allowed(int fd, int level, int optname, uint64_t optlen, bool get)
{
	int domain = 0, protocol = 0;
	socklen_t len = sizeof(int);

	getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len);
	len = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
	switch (level) {
	case SOL_SOCKET:
		switch (optname) {
		case SO_REUSEADDR: case SO_SNDBUF: case SO_RCVBUF: case SO_KEEPALIVE:
		case SO_PRIORITY: case SO_REUSEPORT: case SO_RCVLOWAT: case SO_MARK:
		case SO_MAX_PACING_RATE: case SO_BINDTOIFINDEX: case SO_TXREHASH:
			return optlen == sizeof(int) ? 0 : -EINVAL;
		case SO_BINDTODEVICE:
			return get ? -EINVAL : 0;
		default:
			return -EINVAL;
		}
	case SOL_TCP:
		if (protocol != IPPROTO_TCP || optname >= TCP_BPF_IW)
			return -EINVAL;
		switch (optname) {
		case TCP_NODELAY: case TCP_MAXSEG: case TCP_KEEPIDLE: case TCP_KEEPINTVL:
		case TCP_KEEPCNT: case TCP_SYNCNT: case TCP_WINDOW_CLAMP:
		case TCP_THIN_LINEAR_TIMEOUTS: case TCP_USER_TIMEOUT: case TCP_NOTSENT_LOWAT:
		case TCP_SAVE_SYN:
			return optlen == sizeof(int) ? 0 : -EINVAL;
		case TCP_CONGESTION:
			return 0;
		case TCP_SAVED_SYN:
			return get ? 0 : -EINVAL;
		default:
			return -EINVAL;
		}
	case SOL_IP:
		return domain == AF_INET && optname == IP_TOS && optlen == sizeof(int) ? 0 : -EINVAL;
	case SOL_IPV6:
		return domain == AF_INET6 && (optname == IPV6_TCLASS || optname == IPV6_AUTOFLOWLABEL) &&
		       optlen == sizeof(int) ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* r1 ctx, r2 level, r3 optname, r4 optval, r5 optlen */
HELPER(setsockopt)
{
	void *optval = (void *)(uintptr_t)r4;
	int fd = ctx_fd(exec, r1);
	if (uebpf_exec_check_mem(exec, optval, r5, UEBPF_MEM_READ)) {
		uebpf_exec_fault(exec, "setsockopt: %llu bytes at %p are not readable",
				 (unsigned long long)r5, optval);
		return 0;
	}
	if (fd < 0)
		return (uint64_t)-EINVAL;
	int err = option_allowed(fd, (int)r2, (int)r3, r5, false);
	if (err)
		return (uint64_t)(int64_t)err;
	return setsockopt(fd, (int)r2, (int)r3, optval, (socklen_t)r5) ? (uint64_t)-(int64_t)errno
									: 0;
}

HELPER(getsockopt)
{
	void *optval = (void *)(uintptr_t)r4;
	int fd = ctx_fd(exec, r1);
	if (uebpf_exec_check_mem(exec, optval, r5, UEBPF_MEM_WRITE)) {
		uebpf_exec_fault(exec, "getsockopt: %llu bytes at %p are not writable",
				 (unsigned long long)r5, optval);
		return 0;
	}
	int err = fd < 0 ? -EINVAL : option_allowed(fd, (int)r2, (int)r3, r5, true);
	socklen_t len = (socklen_t)r5;
	if (!err && getsockopt(fd, (int)r2, (int)r3, optval, &len))
		err = -errno;
	/* As the kernel: a failed read leaves zeros, a short one zero
	 * padding. */
	if (err)
		memset(optval, 0, r5);
	else if (len < r5)
		memset((uint8_t *)optval + len, 0, r5 - len);
	return (uint64_t)(int64_t)err;
}

/* The flags the hook will call the program for; returns the bits it does
 * not know, as the kernel does. */
HELPER(sock_ops_cb_flags_set)
{
	struct uebpf_sock_ops_ctx *ctx = (struct uebpf_sock_ops_ctx *)(uintptr_t)r1;
	(void)r3, (void)r4, (void)r5;
	if (exec->prog_type != BPF_PROG_TYPE_SOCK_OPS ||
	    uebpf_exec_check_mem(exec, ctx, sizeof(*ctx), UEBPF_MEM_WRITE)) {
		uebpf_exec_fault(exec, "R1 is not a sock_ops context");
		return 0;
	}
	if (ctx->fd < 0)
		return (uint64_t)-EINVAL;
	ctx->bpf_sock_ops_cb_flags = (uint32_t)r2 & BPF_SOCK_OPS_ALL_CB_FLAGS;
	return r2 & ~(uint64_t)BPF_SOCK_OPS_ALL_CB_FLAGS;
}
