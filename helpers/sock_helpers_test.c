/* SPDX-License-Identifier: MIT */
/*
 * The socket helpers on real sockets: programs of the socket types,
 * verified (uebpf_prog_load) and run in the checked mode on a runtime
 * context that holds a socket's fd, must see what the system calls say of
 * that socket (cookies, options) and change it as setsockopt(2) would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/check.h"
#include "uebpf/uebpf.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static char log_buf[8192], err[300];

static int result_map;

/* Loads the program text as the given type, with an epilogue that keeps
 * its r0 in result_map (these types may only return 0 or 1); the fd or a
 * negative errno (the reason in log_buf). */
static int load_as(enum bpf_prog_type type, enum bpf_attach_type attach, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int load_as(enum bpf_prog_type type, enum bpf_attach_type attach, const char *fmt, ...)
{
	char body[2048], text[2560];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(text, sizeof(text),
		 "%s"
		 "r6 = r0\n"
		 "*(u32 *)(r10 - 16) = 0\n"
		 "r1 = map[fd:%d]\n"
		 "r2 = r10\n"
		 "r2 += -16\n"
		 "call bpf_map_lookup_elem\n"
		 "if r0 == 0 goto out\n"
		 "*(u64 *)(r0 + 0) = r6\n"
		 "out:\n"
		 "r0 = 0\n"
		 "exit\n",
		 body, result_map);
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return -EINVAL;
	}
	struct uebpf_prog_load_opts lo = { .sz = sizeof(lo), .expected_attach_type = attach,
					   .log_buf = log_buf, .log_size = sizeof(log_buf) };
	int fd = uebpf_prog_load(type, "sock", "GPL", insns, cnt, &lo);
	free(insns);
	return fd;
}

/* Runs a loaded program once, checked, on ctx; the r0 its body left (or
 * 0xdead on failure). */
static uint64_t run_on(int prog_fd, void *ctx, size_t ctx_size)
{
	struct uebpf_region reg = { ctx, ctx_size, UEBPF_MEM_RW };
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true, .regions = &reg,
				    .region_cnt = 1, .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0xdead, value = 0xdead;
	uint32_t key = 0;
	CHECK_REPORT(uebpf_code_run(uebpf_prog_code(prog_fd), (uintptr_t)ctx, 0, &o, &r0) == 0 &&
			     r0 == 0,
		     "run: %s", err);
	CHECK(uebpf_map_lookup_elem(result_map, &key, &value) == 0);
	return value;
}

static uint64_t sock_u64(int fd, int opt)
{
	uint64_t v = 0;
	socklen_t len = sizeof(v);
	CHECK(getsockopt(fd, SOL_SOCKET, opt, &v, &len) == 0);
	return v;
}

static int sock_int(int fd, int level, int opt)
{
	int v = -1;
	socklen_t len = sizeof(v);
	CHECK(getsockopt(fd, level, opt, &v, &len) == 0);
	return v;
}

static void test_cookies(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct uebpf_sock_addr_ctx sa = { .fd = s };
	struct uebpf_sock_ctx sk = { .fd = s };
	int p = load_as(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_CONNECT, "call bpf_get_socket_cookie\n");
	CHECK_REPORT(p >= 0, "load: %s", log_buf);
	CHECK_EQ(run_on(p, &sa, sizeof(sa)), sock_u64(s, SO_COOKIE));
	sa.fd = -1;
	CHECK_EQ(run_on(p, &sa, sizeof(sa)), 0); /* no socket */
	uebpf_prog_close(p);
	p = load_as(BPF_PROG_TYPE_CGROUP_SOCK, 0, "call bpf_get_netns_cookie\n");
	CHECK(p >= 0);
	CHECK_EQ(run_on(p, &sk, sizeof(sk)), sock_u64(s, SO_NETNS_COOKIE));
	uebpf_prog_close(p);
	/* NULL: the thread's namespace, the socket's here too. */
	p = load_as(BPF_PROG_TYPE_CGROUP_SOCK, 0, "r1 = 0\ncall bpf_get_netns_cookie\n");
	CHECK(p >= 0);
	CHECK_EQ(run_on(p, &sk, sizeof(sk)), sock_u64(s, SO_NETNS_COOKIE));
	uebpf_prog_close(p);
	/* Neither the context nor NULL: refused. */
	CHECK(load_as(BPF_PROG_TYPE_CGROUP_SOCK, 0, "r1 = 5\ncall bpf_get_netns_cookie\n") < 0);
	CHECK_CONTAINS(log_buf, "R1 type=scalar expected=ctx");
	close(s);
}

/* setsockopt(ctx, level, optname, &value, 4) with value in r5's place:
 * returns the helper's r0. */
static const char set_prog[] =
	"*(u32 *)(r10 - 4) = %d\n"
	"r2 = %d\n"
	"r3 = %d\n"
	"r4 = r10\n"
	"r4 += -4\n"
	"r5 = %d\n"
	"call bpf_setsockopt\n";

static int64_t set_opt(int fd, int level, int optname, int value, int optlen)
{
	struct uebpf_sock_ops_ctx ctx = { .fd = fd };
	int p = load_as(BPF_PROG_TYPE_SOCK_OPS, 0, set_prog, value, level, optname, optlen);
	CHECK_REPORT(p >= 0, "load: %s", log_buf);
	int64_t r0 = (int64_t)run_on(p, &ctx, sizeof(ctx));
	uebpf_prog_close(p);
	return r0;
}

static void test_setsockopt(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), ref = socket(AF_INET, SOCK_STREAM, 0);
	int u = socket(AF_INET6, SOCK_DGRAM, 0);

	/* What setsockopt(2) would do to the same socket. */
	int v = 70000;
	CHECK(setsockopt(ref, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0);
	CHECK_EQ(set_opt(s, SOL_SOCKET, SO_SNDBUF, 70000, 4), 0);
	CHECK_EQ(sock_int(s, SOL_SOCKET, SO_SNDBUF), sock_int(ref, SOL_SOCKET, SO_SNDBUF));
	CHECK_EQ(set_opt(s, SOL_TCP, TCP_NODELAY, 1, 4), 0);
	CHECK_EQ(sock_int(s, SOL_TCP, TCP_NODELAY), 1);
	CHECK_EQ(set_opt(s, SOL_IP, IP_TOS, 0x10, 4), 0);
	CHECK_EQ(sock_int(s, SOL_IP, IP_TOS), 0x10);
	CHECK_EQ(set_opt(u, SOL_IPV6, IPV6_TCLASS, 0x20, 4), 0);
	CHECK_EQ(sock_int(u, SOL_IPV6, IPV6_TCLASS), 0x20);
	/* What the kernel does not let programs set. */
	CHECK_EQ(set_opt(s, SOL_SOCKET, SO_LINGER, 1, 4), -EINVAL);
	CHECK_EQ(set_opt(s, SOL_SOCKET, SO_SNDBUF, 1, 2), -EINVAL); /* size */
	CHECK_EQ(set_opt(u, SOL_TCP, TCP_NODELAY, 1, 4), -EINVAL);  /* not TCP */
	CHECK_EQ(set_opt(u, SOL_IP, IP_TOS, 1, 4), -EINVAL);        /* not IPv4 */
	CHECK_EQ(set_opt(s, SOL_TCP, 1001, 10, 4), -EINVAL);        /* TCP_BPF_IW */
	CHECK_EQ(set_opt(s, 12345, 1, 1, 4), -EINVAL);
	CHECK_EQ(set_opt(-1, SOL_SOCKET, SO_SNDBUF, 1, 4), -EINVAL); /* no socket */
	close(s), close(ref), close(u);
}

static void test_getsockopt(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct uebpf_sock_ops_ctx ctx = { .fd = s };
	/* getsockopt(ctx, level, optname, fp-8, 8); r0 << 32 | the first word */
	static const char get_prog[] =
		"*(u64 *)(r10 - 8) = -1\n"
		"r6 = r1\n"
		"r2 = %d\n"
		"r3 = %d\n"
		"r4 = r10\n"
		"r4 += -8\n"
		"r5 = %d\n"
		"call bpf_getsockopt\n"
		"r0 <<= 32\n"
		"r1 = *(u32 *)(r10 - 8)\n"
		"r0 |= r1\n";
	int p = load_as(BPF_PROG_TYPE_SOCK_OPS, 0, get_prog, SOL_SOCKET, SO_RCVBUF, 4);
	CHECK_REPORT(p >= 0, "load: %s", log_buf);
	CHECK_EQ(run_on(p, &ctx, sizeof(ctx)), (uint32_t)sock_int(s, SOL_SOCKET, SO_RCVBUF));
	uebpf_prog_close(p);
	/* refused: an error and the buffer zeroed */
	p = load_as(BPF_PROG_TYPE_SOCK_OPS, 0, get_prog, SOL_SOCKET, SO_BINDTODEVICE, 4);
	CHECK(p >= 0);
	CHECK_EQ(run_on(p, &ctx, sizeof(ctx)), (uint64_t)(uint32_t)-EINVAL << 32);
	uebpf_prog_close(p);
	/* the program types the kernel does not give the helper to */
	CHECK(load_as(BPF_PROG_TYPE_SOCKET_FILTER, 0, get_prog, SOL_SOCKET, SO_RCVBUF, 4) < 0);
	CHECK_CONTAINS(log_buf, "cannot use helper bpf_getsockopt");
	close(s);
}

static void test_cb_flags(void)
{
	struct uebpf_sock_ops_ctx ctx = { .fd = 0, .bpf_sock_ops_cb_flags = 0 };
	int p = load_as(BPF_PROG_TYPE_SOCK_OPS, 0, "r2 = 0x1ff\ncall bpf_sock_ops_cb_flags_set\n");
	CHECK(p >= 0);
	CHECK_EQ(run_on(p, &ctx, sizeof(ctx)), 0x180); /* the flags it does not know */
	CHECK_EQ(ctx.bpf_sock_ops_cb_flags, 0x7f);
	uebpf_prog_close(p);
}

int main(void)
{
	result_map = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "result", 4, 8, 1, NULL);
	CHECK(result_map >= 0);
	RUN(test_cookies);
	RUN(test_setsockopt);
	RUN(test_getsockopt);
	RUN(test_cb_flags);
	return check_summary("sock_helpers_test");
}
