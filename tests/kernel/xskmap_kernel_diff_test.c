/* SPDX-License-Identifier: MIT */
/*
 * XSK maps against the kernel on this machine: creation rules; updates
 * with fds of every kind (none, not a socket, a UDP socket, AF_XDP
 * sockets without and with their UMEM and RX ring), lookups, deletes and
 * get_next_key in seeded random sequences on a kernel map and a uebpf
 * map side by side (same errno, same keys); then XDP programs that call
 * bpf_redirect_map on the map with every key and flag, and that look an
 * entry up and read its queue_id, or try what the kernel's verifier
 * refuses, run through BPF_PROG_TEST_RUN and uebpf_prog_test_run.
 *
 * Skips (exit 77) where bpf() or AF_XDP sockets are not available.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_xdp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

static int u_create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };
	return uebpf_map_create(BPF_MAP_TYPE_XSKMAP, "xsks", ks, vs, max, &o);
}

static void test_creation(void)
{
	static const struct {
		uint32_t ks, vs, max, flags;
	} shapes[] = {
		{ 4, 4, 1, 0 }, { 4, 4, 64, 0 }, { 4, 4, 0, 0 }, { 8, 4, 4, 0 }, { 4, 8, 4, 0 },
		{ 2, 4, 4, 0 }, { 4, 2, 4, 0 }, { 0, 4, 4, 0 }, { 4, 0, 4, 0 },
		{ 4, 4, 4, BPF_F_NUMA_NODE }, { 4, 4, 4, BPF_F_RDONLY }, { 4, 4, 4, BPF_F_WRONLY },
		{ 4, 4, 4, BPF_F_RDONLY | BPF_F_WRONLY }, { 4, 4, 4, BPF_F_RDONLY_PROG },
		{ 4, 4, 4, BPF_F_WRONLY_PROG }, { 4, 4, 4, BPF_F_NO_PREALLOC },
		{ 4, 4, 4, BPF_F_MMAPABLE }, { 4, 4, 4, BPF_F_INNER_MAP }, { 4, 4, 4, BPF_F_ZERO_SEED },
		{ 4, 4, 4, BPF_F_NO_COMMON_LRU }, { 4, 4, 4, BPF_F_PRESERVE_ELEMS },
	};
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		int k = kernel_map_create(BPF_MAP_TYPE_XSKMAP, shapes[i].ks, shapes[i].vs, shapes[i].max,
					  shapes[i].flags, 0, 0);
		int u = u_create(shapes[i].ks, shapes[i].vs, shapes[i].max, shapes[i].flags);
		CHECK_REPORT((k < 0 ? k : 0) == (u < 0 ? u : 0),
			     "create key %u value %u max %u flags %#x: kernel %d, uebpf %d", shapes[i].ks,
			     shapes[i].vs, shapes[i].max, shapes[i].flags, k < 0 ? k : 0, u < 0 ? u : 0);
		if (k >= 0)
			close(k);
		if (u >= 0)
			uebpf_map_close(u);
	}
}

/* ---- fds ---- */

enum { N_FDS = 10 };
static int fds[N_FDS];
static const char *fd_names[N_FDS] = { "-1", "closed fd", "pipe", "udp socket", "bare xsk",
				       "xsk umem", "xsk rx", "xsk A", "xsk B", "xsk C" };

/* An AF_XDP socket with a UMEM and/or an RX ring, or -errno. */
static int xsk(bool umem, bool rx)
{
	int s = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (umem) {
		size_t len = 16 * 4096;
		void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct xdp_umem_reg r = { .addr = (uintptr_t)mem, .len = len, .chunk_size = 4096 };
		if (mem == MAP_FAILED || setsockopt(s, SOL_XDP, XDP_UMEM_REG, &r, sizeof(r)))
			return -errno;
	}
	if (rx) {
		int n = 64;
		if (setsockopt(s, SOL_XDP, XDP_RX_RING, &n, sizeof(n)))
			return -errno;
	}
	return s;
}

static const char *make_fds(void)
{
	int p[2];
	if (pipe(p))
		return "no pipe";
	fds[0] = -1;
	fds[1] = dup(p[1]);
	close(fds[1]);
	fds[2] = p[0];
	fds[3] = socket(AF_INET, SOCK_DGRAM, 0);
	fds[4] = xsk(false, false);
	if (fds[4] < 0)
		return "no AF_XDP sockets";
	fds[5] = xsk(true, false);
	fds[6] = xsk(false, true);
	fds[7] = xsk(true, true);
	fds[8] = xsk(true, true);
	fds[9] = xsk(true, true);
	for (int i = 5; i < N_FDS; i++)
		if (fds[i] < 0)
			return "AF_XDP sockets without UMEM or rings";
	return NULL;
}

/* ---- sequences ---- */

static unsigned long ops;

static void run_sequence(int seq, int kfd, int ufd, uint32_t max)
{
	for (int step = 0; step < 200; step++) {
		uint32_t key = (uint32_t)(rnd() % (max + 2)), kn = 0xdead, un = 0xdead;
		unsigned fi = (unsigned)(rnd() % N_FDS);
		int32_t fd = fds[fi];
		uint64_t flags = rnd() % 5;
		int op = (int)(rnd() % 4), kr, ur;
		const char *what;
		uint32_t kv = 0, uv = 0;
		switch (op) {
		case 0:
			what = "update";
			kr = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, &key, &fd, flags);
			ur = uebpf_map_update_elem(ufd, &key, &fd, flags);
			break;
		case 1:
			what = "delete";
			kr = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, &key, NULL, 0);
			ur = uebpf_map_delete_elem(ufd, &key);
			break;
		case 2:
			what = "lookup";
			kr = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &key, &kv, 0);
			ur = uebpf_map_lookup_elem(ufd, &key, &uv);
			break;
		default: {
			what = "get_next_key";
			bool first = rnd() % 4 == 0;
			kr = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, first ? NULL : &key, &kn, 0);
			ur = uebpf_map_get_next_key(ufd, first ? NULL : &key, &un);
			break;
		}
		}
		ops++;
		CHECK_REPORT(kr == ur && kn == un && kv == uv,
			     "seq %d step %d: %s key %u fd %s flags %llu: kernel %d (%u), uebpf %d (%u)",
			     seq, step, what, key, op == 0 ? fd_names[fi] : "-", (unsigned long long)flags,
			     kr, kn, ur, un);
	}
}

/* ---- programs ---- */

struct prog {
	struct uebpf_insn in[32];
	size_t n;
};

static void emit(struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	p->in[p->n++] = (struct uebpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
					     .off = off, .imm = imm };
}

static void ld_map(struct prog *p, uint8_t dst, int fd)
{
	emit(p, BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd);
	emit(p, 0, 0, 0, 0, 0);
}

/* kind 0: bpf_redirect_map(map, key, flags); 1: lookup and read
 * queue_id at off with size (99 when NULL); 2: lookup and write; 3:
 * lookup, move the pointer by off and read. */
static void build(struct prog *p, int map_fd, int kind, uint32_t key, uint64_t flags, int16_t off,
		  uint8_t size)
{
	p->n = 0;
	if (kind == 0) {
		ld_map(p, BPF_REG_1, map_fd);
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, (int32_t)key);
		emit(p, BPF_LD | BPF_DW | BPF_IMM, BPF_REG_3, 0, 0, (int32_t)(uint32_t)flags);
		emit(p, 0, 0, 0, 0, (int32_t)(uint32_t)(flags >> 32));
		emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map);
		emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return;
	}
	emit(p, BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, (int32_t)key);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
	ld_map(p, BPF_REG_1, map_fd);
	emit(p, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	emit(p, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 2, 0);
	emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 99);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (kind == 1) {
		emit(p, BPF_LDX | BPF_MEM | size, BPF_REG_0, BPF_REG_0, off, 0);
	} else if (kind == 3) {
		emit(p, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_0, 0, 0, off);
		emit(p, BPF_LDX | BPF_MEM | size, BPF_REG_0, BPF_REG_0, 0, 0);
	} else {
		emit(p, BPF_ST | BPF_MEM | size, BPF_REG_0, 0, off, 7);
		emit(p, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	}
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static unsigned long prog_runs, messages;

static void compare_prog(const char *what, int kmap, int umap, int kind, uint32_t key,
			 uint64_t flags, int16_t off, uint8_t size)
{
	struct prog kp, up;
	build(&kp, kmap, kind, key, flags, off, size);
	build(&up, umap, kind, key, flags, off, size);
	static char klog[4096], ulog[4096];
	int kfd = kernel_prog_load(BPF_PROG_TYPE_XDP, kp.in, kp.n, klog, sizeof(klog), 1);
	struct uebpf_prog_load_opts lo = { .sz = sizeof(lo), .log_buf = ulog, .log_size = sizeof(ulog) };
	int ufd = uebpf_prog_load(BPF_PROG_TYPE_XDP, "xsk", "GPL", up.in, up.n, &lo);
	CHECK_REPORT((kfd < 0) == (ufd < 0), "%s key %u flags %#llx off %d: load kernel %d, uebpf %d",
		     what, key, (unsigned long long)flags, off, kfd < 0 ? kfd : 0, ufd < 0 ? ufd : 0);
	if (kfd < 0 && ufd < 0) {
		/* The kernel's message names the refusal: uebpf's must too. */
		char line[160] = "";
		for (const char *l = klog; *l;) {
			size_t n = strcspn(l, "\n");
			if (memmem(l, n, "xdp_sock", 8) && !memmem(l, n, "R0=", 3)) {
				snprintf(line, sizeof(line), "%.*s", (int)n, l);
				break;
			}
			l += n + (l[n] == '\n');
		}
		messages += line[0] != 0;
		if (line[0])
			CHECK_REPORT(strstr(ulog, line) != NULL, "%s: kernel says '%s', uebpf:\n%s", what,
				     line, ulog);
	}
	if (kfd >= 0 && ufd >= 0) {
		uint32_t kr = 0;
		int ke = kernel_test_run(kfd, &kr);
		uint8_t pkt[64] = { 0 };
		struct uebpf_test_run_opts t = { .sz = sizeof(t), .data_in = pkt,
						 .data_size_in = sizeof(pkt), .repeat = 1 };
		int ue = uebpf_prog_test_run(ufd, &t);
		prog_runs++;
		CHECK_REPORT(ke == ue && kr == t.retval,
			     "%s key %u flags %#llx: kernel %d retval %u, uebpf %d retval %u", what, key,
			     (unsigned long long)flags, ke, kr, ue, t.retval);
	} else if ((kfd < 0) != (ufd < 0)) {
		printf("kernel log:\n%s\nuebpf log:\n%s\n", klog, ulog);
	}
	if (kfd >= 0)
		close(kfd);
	if (ufd >= 0)
		uebpf_prog_close(ufd);
}

static void test_programs(void)
{
	int kmap = kernel_map_create(BPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0, 0, 0);
	int umap = u_create(4, 4, 4, 0);
	if (kmap < 0 || umap < 0) {
		CHECK_REPORT(0, "create: kernel %d, uebpf %d", kmap, umap);
		return;
	}
	uint32_t k1 = 1, k3 = 3;
	CHECK_EQ(kernel_map_elem(BPF_MAP_UPDATE_ELEM, kmap, &k1, &fds[7], 0), 0);
	CHECK_EQ(uebpf_map_update_elem(umap, &k1, &fds[7], 0), 0);
	CHECK_EQ(kernel_map_elem(BPF_MAP_UPDATE_ELEM, kmap, &k3, &fds[8], 0), 0);
	CHECK_EQ(uebpf_map_update_elem(umap, &k3, &fds[8], 0), 0);
	static const uint64_t flags[] = { 0, XDP_DROP, XDP_PASS, XDP_TX, XDP_ABORTED, XDP_REDIRECT,
					  BPF_F_BROADCAST, BPF_F_EXCLUDE_INGRESS, 8, 1ull << 32,
					  BPF_F_BROADCAST | XDP_PASS };
	for (uint32_t key = 0; key < 6; key++) {
		for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++)
			compare_prog("redirect_map", kmap, umap, 0, key, flags[f], 0, 0);
		compare_prog("lookup queue_id", kmap, umap, 1, key, 0, 0, BPF_W);
	}
	compare_prog("lookup u8", kmap, umap, 1, 1, 0, 0, BPF_B);
	compare_prog("lookup u16", kmap, umap, 1, 1, 0, 0, BPF_H);
	compare_prog("lookup u64", kmap, umap, 1, 1, 0, 0, BPF_DW);
	compare_prog("lookup off 4", kmap, umap, 1, 1, 0, 4, BPF_W);
	compare_prog("lookup off -4", kmap, umap, 1, 1, 0, -4, BPF_W);
	compare_prog("write", kmap, umap, 2, 1, 0, 0, BPF_W);
	compare_prog("pointer arithmetic", kmap, umap, 3, 1, 0, 0, BPF_W);
	compare_prog("pointer arithmetic 4", kmap, umap, 3, 1, 0, 4, BPF_W);
	close(kmap);
	uebpf_map_close(umap);
}

static void test_sequences(void)
{
	for (int seq = 0; seq < 40; seq++) {
		uint32_t max = 1 + (uint32_t)(seq % 5);
		int kfd = kernel_map_create(BPF_MAP_TYPE_XSKMAP, 4, 4, max, 0, 0, 0);
		int ufd = u_create(4, 4, max, 0);
		if (kfd < 0 || ufd < 0) {
			CHECK_REPORT(0, "create: kernel %d, uebpf %d", kfd, ufd);
			return;
		}
		run_sequence(seq, kfd, ufd, max);
		close(kfd);
		uebpf_map_close(ufd);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int err = kernel_probe_prog_load();
	if (err) {
		printf("SKIP: bpf() refused (%d)\n", err);
		return KERNEL_TEST_SKIP;
	}
	const char *why = make_fds();
	if (why) {
		printf("SKIP: %s\n", why);
		return KERNEL_TEST_SKIP;
	}
	rng_state = 0x5eed0f5c;
	RUN(test_creation);
	RUN(test_sequences);
	RUN(test_programs);
	printf("%lu map operations, %lu program runs and %lu refusal messages compared\n", ops,
	       prog_runs, messages);
	return check_summary("xskmap_kernel_diff_test");
}
