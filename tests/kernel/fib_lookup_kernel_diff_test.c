/* SPDX-License-Identifier: MIT */
/*
 * bpf_fib_lookup against the kernel on this machine. The test moves into
 * a network namespace of its own, builds a small network there with
 * `ip` (veth pairs, addresses, a default route, blackhole,
 * unreachable and prohibit routes, a locked MTU, another table chosen by
 * a mark rule, an IPv6 gateway for IPv4, neighbours in several states, a
 * device that does not forward), then runs one XDP and one tc program
 * that call the helper on parameters from the packet, through the
 * kernel's BPF_PROG_TEST_RUN and uebpf_prog_test_run: the return value
 * and the 64 bytes of struct bpf_fib_lookup afterwards must be the same.
 * The namespace disappears with the process. Before, a child process
 * compares the same on the host's own tables (lo, its devices, its
 * default route if any).
 *
 * Skips (exit 77) where bpf(), namespaces or `ip` are not available.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/check.h"
#include "tests/kernel/insn_builder.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/object.h"

/* The struct as Linux 6.10 and later have it (mark over smac). */
struct params {
	uint8_t family, l4_protocol;
	uint16_t sport, dport, tot_len;
	uint32_t ifindex, tos;
	uint32_t src[4], dst[4];
	uint32_t tbid;
	uint8_t smac[6], dmac[6];
};
_Static_assert(sizeof(struct params) == 64, "struct bpf_fib_lookup");

#define F_DIRECT 1u
#define F_OUTPUT 2u
#define F_SKIP_NEIGH 4u
#define F_TBID 8u
#define F_SRC 16u
#define F_MARK 32u

/* The packet: params, flags, the helper's answer. */
struct frame {
	struct params p;
	uint32_t flags;
	int32_t ret;
	uint8_t pad[56];
};

/* r2 = data, r3 = data_end; a jump (to be aimed, its index returned)
 * unless the packet has 72 bytes. */
static size_t packet(struct prog *p, bool xdp)
{
	LDX(BPF_W, BPF_REG_2, BPF_REG_6,
	    xdp ? (int16_t)offsetof(struct xdp_md, data) : (int16_t)offsetof(struct __sk_buff, data));
	LDX(BPF_W, BPF_REG_3, BPF_REG_6,
	    xdp ? (int16_t)offsetof(struct xdp_md, data_end)
		: (int16_t)offsetof(struct __sk_buff, data_end));
	MOV(BPF_REG_4, BPF_REG_2);
	ADDI(BPF_REG_4, 72);
	JGT(BPF_REG_4, BPF_REG_3, 0);
	return p->n - 1;
}

/* Copies the packet's params to fp-80 (80 bytes, the rest zero), calls
 * bpf_fib_lookup(ctx, fp-80, plen, flags) and writes params and answer
 * back. */
static void build(struct prog *p, bool xdp, int plen)
{
	MOV(BPF_REG_6, BPF_REG_1);
	MOVI(BPF_REG_0, 0);
	STX(BPF_DW, BPF_REG_10, BPF_REG_0, -16);
	STX(BPF_DW, BPF_REG_10, BPF_REG_0, -8);
	size_t j1 = packet(p, xdp);
	for (int i = 0; i < 64; i += 8) {
		LDX(BPF_DW, BPF_REG_0, BPF_REG_2, (int16_t)i);
		STX(BPF_DW, BPF_REG_10, BPF_REG_0, (int16_t)(-80 + i));
	}
	LDX(BPF_W, BPF_REG_4, BPF_REG_2, 64);
	MOV(BPF_REG_1, BPF_REG_6);
	MOV(BPF_REG_2, BPF_REG_10);
	ADDI(BPF_REG_2, -80);
	MOVI(BPF_REG_3, plen);
	CALL(BPF_FUNC_fib_lookup);
	MOV(BPF_REG_7, BPF_REG_0);
	size_t j2 = packet(p, xdp);
	for (int i = 0; i < 64; i += 8) {
		LDX(BPF_DW, BPF_REG_0, BPF_REG_10, (int16_t)(-80 + i));
		STX(BPF_DW, BPF_REG_2, BPF_REG_0, (int16_t)i);
	}
	STX(BPF_W, BPF_REG_2, BPF_REG_7, 68);
	p->in[j1].off = (int16_t)(p->n - j1 - 1);
	p->in[j2].off = (int16_t)(p->n - j2 - 1);
	MOVI(BPF_REG_0, xdp ? XDP_PASS : 0);
	EXIT();
}

/* ---- the two sides ---- */

static struct frame kout, uout;
static unsigned long runs;
static int kfd[2][3], ufd[2][3]; /* [xdp, tc][plen 64, 63, 80] */
static const int plens[3] = { 64, 63, 80 };

static int kernel_run(int fd, const void *pkt, uint32_t len, void *out, uint32_t *retval)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd;
	a.test.data_in = (uintptr_t)pkt;
	a.test.data_size_in = len;
	a.test.data_out = (uintptr_t)out;
	a.test.data_size_out = len;
	a.test.repeat = 1;
	if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0)
		return -errno;
	*retval = a.test.retval;
	return 0;
}

static int uebpf_run(int fd, const void *pkt, uint32_t len, void *out, uint32_t *retval)
{
	struct uebpf_test_run_opts t = { .sz = sizeof(t), .data_in = pkt, .data_size_in = len,
					 .data_out = out, .data_size_out = len, .repeat = 1 };
	int err = uebpf_prog_test_run(fd, &t);
	*retval = t.retval;
	return err;
}

static uint8_t big_k[1700], big_u[1700];

static const char *ret_name(int32_t r)
{
	static const char *names[] = { "SUCCESS", "BLACKHOLE", "UNREACHABLE", "PROHIBIT",
				       "NOT_FWDED", "FWD_DISABLED", "UNSUPP_LWT", "NO_NEIGH",
				       "FRAG_NEEDED", "NO_SRC_ADDR" };
	static char buf[16];
	if (r >= 0 && r < 10)
		return names[r];
	snprintf(buf, sizeof(buf), "%d", r);
	return buf;
}

static unsigned per_ret[11];

/* One case on both sides, both program types, the three sizes; size
 * 1600 makes the tc packet larger than the MTUs. */
static void compare(const char *what, const struct params *in, uint32_t flags, uint32_t size)
{
	struct frame f = { .p = *in, .flags = flags };
	static uint8_t pkt[1700];
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, &f, sizeof(f));
	for (int t = 0; t < 2; t++)
		for (int s = 0; s < 3; s++) {
			if (s && (flags || size != sizeof(struct frame)))
				continue; /* the sizes once per case without flags */
			uint32_t kr = 0, ur = 0;
			int ke = kernel_run(kfd[t][s], pkt, size, big_k, &kr);
			int ue = uebpf_run(ufd[t][s], pkt, size, big_u, &ur);
			runs++;
			memcpy(&kout, big_k, sizeof(kout));
			memcpy(&uout, big_u, sizeof(uout));
			bool same = ke == ue && (ke || (kr == ur && !memcmp(&kout, &uout, 72)));
			if (!ke && kout.ret >= -1 && kout.ret < 10)
				per_ret[kout.ret + 1]++;
			CHECK_REPORT(same, "%s %s flags %#x plen %d size %u: kernel %d %s, uebpf %d %s",
				     t ? "tc" : "xdp", what, flags, plens[s], size, ke,
				     ret_name(kout.ret), ue, ret_name(uout.ret));
			if (!same && !ke && !ue) {
				const uint8_t *a = (const uint8_t *)&kout, *b = (const uint8_t *)&uout;
				for (int i = 0; i < 72; i++)
					if (a[i] != b[i])
						printf("  byte %d: kernel %02x uebpf %02x\n", i, a[i], b[i]);
			}
		}
}

/* ---- the network ---- */

static int sh(const char *cmd)
{
	char full[512];
	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	return system(full);
}

static int write_file(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, v, strlen(v));
	close(fd);
	return n < 0 ? -1 : 0;
}

static uint32_t d0, d1, d2;
static bool have_lwt, have_v6gw;

static const char *setup(void)
{
	if (unshare(CLONE_NEWNET))
		return "no network namespace (unshare)";
	if (sh("ip link set lo up"))
		return "no `ip` command";
	write_file("/proc/sys/net/ipv4/ip_forward", "1");
	write_file("/proc/sys/net/ipv4/conf/all/forwarding", "1");
	write_file("/proc/sys/net/ipv4/conf/default/forwarding", "1");
	write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1");
	write_file("/proc/sys/net/ipv6/conf/default/forwarding", "1");
	static const char *cmds[] = {
		"ip link add d0 address 02:00:00:00:00:10 type veth peer name p0",
		"ip link add d1 address 02:00:00:00:00:11 mtu 1400 type veth peer name p1",
		"ip link add d2 address 02:00:00:00:00:12 type veth peer name p2",
		"ip link set p0 up", "ip link set p1 up", "ip link set p2 up",
		"ip link set d0 up", "ip link set d1 up", "ip link set d2 up",
		"ip addr add 10.1.0.1/24 dev d0", "ip addr add 10.2.0.1/24 dev d1",
		"ip addr add 10.3.0.1/24 dev d2",
		"ip -6 addr add fd00:1::1/64 dev d0 nodad", "ip -6 addr add fd00:2::1/64 dev d1 nodad",
		"ip -6 addr add fd00:3::1/64 dev d2 nodad",
		"ip route add default via 10.1.0.254 dev d0",
		"ip -6 route add default via fd00:1::fe dev d0",
		"ip neigh add 10.1.0.254 lladdr 02:aa:00:00:00:fe dev d0 nud permanent",
		"ip neigh add 10.1.0.7 lladdr 02:aa:00:00:00:07 dev d0 nud stale",
		"ip neigh add 10.1.0.8 dev d0 nud failed",
		"ip neigh add 10.2.0.254 lladdr 02:bb:00:00:00:fe dev d1 nud reachable",
		"ip -6 neigh add fd00:1::fe lladdr 02:aa:00:00:01:fe dev d0 nud permanent",
		"ip -6 neigh add fd00:2::fe lladdr 02:bb:00:00:01:fe dev d1 nud permanent",
		"ip route add blackhole 10.9.0.0/16", "ip route add unreachable 10.10.0.0/16",
		"ip route add prohibit 10.11.0.0/16",
		"ip -6 route add blackhole fd09::/32", "ip -6 route add unreachable fd0a::/32",
		"ip -6 route add prohibit fd0b::/32",
		"ip route add 10.20.0.0/16 via 10.2.0.254 dev d1 mtu lock 1300",
		"ip route add 10.21.0.0/16 via 10.2.0.254 dev d1 metric 77",
		"ip -6 route add fd20::/32 via fd00:2::fe dev d1 mtu lock 1300",
		"ip route add 10.30.0.0/16 via 10.2.0.254 dev d1 table 100",
		"ip -6 route add fd30::/32 via fd00:2::fe dev d1 table 100",
		"ip rule add fwmark 7 table 100", "ip -6 rule add fwmark 7 table 100",
		"ip route add 10.31.0.0/16 src 10.2.0.1 via 10.2.0.254 dev d1",
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (sh(cmds[i])) {
			static char msg[160];
			snprintf(msg, sizeof(msg), "`%s` failed", cmds[i]);
			return msg;
		}
	have_v6gw = !sh("ip route add 10.40.0.0/16 via inet6 fd00:1::fe dev d0");
	have_lwt = !sh("ip route add 10.50.0.0/16 encap ip id 5 dst 10.1.0.254 dev d0");
	write_file("/proc/sys/net/ipv4/conf/d2/forwarding", "0");
	write_file("/proc/sys/net/ipv6/conf/d2/forwarding", "0");
	d0 = if_nametoindex("d0");
	d1 = if_nametoindex("d1");
	d2 = if_nametoindex("d2");
	return d0 && d1 && d2 ? NULL : "the veth devices have no index";
}

static struct params v4(const char *dst, const char *src, uint32_t ifindex)
{
	struct params p = { .family = AF_INET, .ifindex = ifindex };
	inet_pton(AF_INET, dst, &p.dst[0]);
	if (src)
		inet_pton(AF_INET, src, &p.src[0]);
	return p;
}

static struct params v6(const char *dst, const char *src, uint32_t ifindex)
{
	struct params p = { .family = AF_INET6, .ifindex = ifindex };
	inet_pton(AF_INET6, dst, p.dst);
	if (src)
		inet_pton(AF_INET6, src, p.src);
	return p;
}

static const char *v4_dsts[] = {
	"10.1.0.254", "10.1.0.7", "10.1.0.8", "10.1.0.5", "8.8.8.8", "10.9.1.1", "10.10.1.1",
	"10.11.1.1", "10.1.0.1", "127.0.0.1", "10.2.0.9", "10.2.0.254", "10.20.1.1", "10.21.1.1",
	"10.30.1.1", "10.31.1.1", "10.1.0.255", "224.0.0.5", "10.3.0.9", "0.0.0.0",
	"255.255.255.255", "0.1.2.3", "10.2.0.1", "239.1.1.1", "10.1.0.0",
};
static const char *v6_dsts[] = {
	"fd00:1::fe", "fd00:1::5", "2001:db8::1", "fd09::1", "fd0a::1", "fd0b::1", "fd00:1::1",
	"fe80::1", "ff02::1", "::1", "fd00:2::fe", "fd20::1", "fd30::1", "fd00:3::9",
};

static void test_flags(void)
{
	char what[96];
	uint32_t ifs[] = { 1, d0, d1, d2 };
	for (uint32_t flags = 0; flags < 64; flags++) {
		for (size_t i = 0; i < sizeof(v4_dsts) / sizeof(v4_dsts[0]); i++)
			for (size_t j = 0; j < 4; j++) {
				struct params p = v4(v4_dsts[i], NULL, ifs[j]);
				if (flags & F_TBID)
					p.tbid = 100;
				if (flags & F_MARK)
					p.smac[0] = 7;
				snprintf(what, sizeof(what), "%s if %u", v4_dsts[i], ifs[j]);
				compare(what, &p, flags, sizeof(struct frame));
			}
		for (size_t i = 0; i < sizeof(v6_dsts) / sizeof(v6_dsts[0]); i++)
			for (size_t j = 0; j < 4; j++) {
				struct params p = v6(v6_dsts[i], NULL, ifs[j]);
				if (flags & F_TBID)
					p.tbid = 100;
				if (flags & F_MARK)
					p.smac[0] = 7;
				snprintf(what, sizeof(what), "%s if %u", v6_dsts[i], ifs[j]);
				compare(what, &p, flags, sizeof(struct frame));
			}
	}
}

static void test_mtu_and_sources(void)
{
	char what[96];
	static const uint16_t lens[] = { 0, 100, 1299, 1300, 1301, 1400, 1401, 1500, 1501, 65535 };
	static const uint32_t fl[] = { 0, F_SKIP_NEIGH, F_DIRECT, F_OUTPUT | F_SRC, F_SRC };
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
		for (size_t f = 0; f < sizeof(fl) / sizeof(fl[0]); f++) {
			const char *d4[] = { "10.1.0.254", "10.2.0.254", "10.20.1.1", "8.8.8.8", "10.31.1.1" };
			for (size_t i = 0; i < 5; i++) {
				struct params p = v4(d4[i], i & 1 ? "10.1.0.77" : NULL, d0);
				p.tot_len = lens[l];
				p.tos = (uint32_t)(i * 4);
				snprintf(what, sizeof(what), "%s tot_len %u", d4[i], lens[l]);
				compare(what, &p, fl[f], sizeof(struct frame));
				compare(what, &p, fl[f], 1600);
			}
			const char *d6[] = { "fd00:1::fe", "fd00:2::fe", "fd20::1", "2001:db8::1" };
			for (size_t i = 0; i < 4; i++) {
				struct params p = v6(d6[i], i & 1 ? "fd00:1::77" : NULL, d0);
				p.tot_len = lens[l];
				p.tos = (uint32_t)(i << 8); /* a flow label */
				snprintf(what, sizeof(what), "%s tot_len %u", d6[i], lens[l]);
				compare(what, &p, fl[f], sizeof(struct frame));
				compare(what, &p, fl[f], 1600);
			}
		}
	/* Local sources, ports and protocols. */
	for (uint8_t proto = 0; proto < 20; proto += 1) {
		struct params p = v4("8.8.8.8", "10.1.0.1", d1);
		p.l4_protocol = proto;
		p.sport = htons(1234);
		p.dport = htons(53);
		compare("8.8.8.8 l4", &p, 0, sizeof(struct frame));
		struct params q = v6("2001:db8::1", "fd00:1::1", d1);
		q.l4_protocol = proto;
		compare("2001:db8::1 l4", &q, F_SRC, sizeof(struct frame));
	}
}

static void test_gateways(void)
{
	for (uint32_t flags = 0; flags < 32; flags++) {
		if (have_v6gw) {
			struct params p = v4("10.40.1.1", NULL, d0);
			compare("10.40.1.1 via inet6", &p, flags, sizeof(struct frame));
		}
		if (have_lwt) {
			struct params p = v4("10.50.1.1", NULL, d0);
			p.tot_len = (uint16_t)(flags * 100);
			compare("10.50.1.1 encap", &p, flags, sizeof(struct frame));
		}
	}
	if (!have_v6gw)
		printf("note: no IPv4 route via an IPv6 gateway here\n");
	if (!have_lwt)
		printf("note: no lightweight tunnel encapsulation here\n");
}

static void test_bad(void)
{
	struct params p = v4("10.1.0.254", NULL, d0);
	for (uint32_t bit = 6; bit < 32; bit++)
		compare("bad flag", &p, 1u << bit, sizeof(struct frame));
	compare("bad flags", &p, 0xffffffffu, sizeof(struct frame));
	for (uint8_t fam = 0; fam < 12; fam++) {
		struct params q = p;
		q.family = fam;
		compare("family", &q, 0, sizeof(struct frame));
	}
	for (uint32_t ifindex = 0; ifindex < 8; ifindex++) {
		struct params q = v4("10.1.0.254", NULL, ifindex);
		compare("ifindex", &q, 0, sizeof(struct frame));
		q = v4("10.1.0.254", NULL, ifindex + 1000);
		compare("ifindex", &q, 0, sizeof(struct frame));
		struct params r = v6("fd00:1::fe", NULL, ifindex);
		compare("ifindex6", &r, 0, sizeof(struct frame));
	}
	struct params q = v6("fd00:1::fe", "fe80::1", d0);
	compare("link-local source", &q, 0, sizeof(struct frame));
	struct params t = v4("10.30.1.1", NULL, d0);
	for (uint32_t tb = 0; tb < 300; tb += 37) {
		t.tbid = tb;
		compare("tbid", &t, F_DIRECT | F_TBID, sizeof(struct frame));
	}
}

/* The host's own tables, in a child that stays in this network
 * namespace: whatever routes, neighbours and forwarding switches the
 * machine has (lo, its devices, the default route if any). */
static void host_cases(void)
{
	static const char *d4[] = { "127.0.0.1", "8.8.8.8", "10.255.255.1", "192.168.0.1",
				    "172.17.0.1", "0.0.0.0" };
	static const char *d6[] = { "2001:4860::8888", "::1", "fd00::1", "fe80::1" };
	struct if_nameindex *ifs = if_nameindex();
	for (uint32_t flags = 0; flags < 64; flags++)
		for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
			char what[96];
			for (size_t d = 0; d < sizeof(d4) / sizeof(d4[0]); d++) {
				struct params p = v4(d4[d], NULL, i->if_index);
				if (flags & F_TBID)
					p.tbid = 254;
				snprintf(what, sizeof(what), "host %s via %s", d4[d], i->if_name);
				compare(what, &p, flags, sizeof(struct frame));
			}
			for (size_t d = 0; d < sizeof(d6) / sizeof(d6[0]); d++) {
				struct params p = v6(d6[d], NULL, i->if_index);
				if (flags & F_TBID)
					p.tbid = 254;
				snprintf(what, sizeof(what), "host %s via %s", d6[d], i->if_name);
				compare(what, &p, flags, sizeof(struct frame));
			}
		}
	if (ifs)
		if_freenameindex(ifs);
}

static void test_host(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		host_cases();
		printf("host tables: %lu runs compared, %d differ\n", runs, check_failed);
		fflush(stdout);
		_exit(check_failed ? 1 : 0);
	}
	int status = 0;
	CHECK_REPORT(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			     WEXITSTATUS(status) == 0,
		     "the host's tables differ (status %#x)", status);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int err = kernel_probe_prog_load();
	if (err) {
		printf("SKIP: bpf() refused (%d)\n", err);
		return KERNEL_TEST_SKIP;
	}
	for (int t = 0; t < 2; t++)
		for (int s = 0; s < 3; s++) {
			struct prog p = { .n = 0 };
			enum bpf_prog_type type = t ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_XDP;
			build(&p, !t, plens[s]);
			static char log[8192];
			kfd[t][s] = kernel_prog_load(type, p.in, p.n, NULL, 0, 0);
			if (kfd[t][s] < 0) {
				kernel_prog_load(type, p.in, p.n, log, sizeof(log), 1);
				printf("kernel refused the program: %s\n", log);
				return 1;
			}
			struct uebpf_prog_load_opts lo = { .sz = sizeof(lo), .log_buf = log,
							   .log_size = sizeof(log) };
			ufd[t][s] = uebpf_prog_load(type, "fib", "GPL", p.in, p.n, &lo);
			if (ufd[t][s] < 0) {
				printf("uebpf refused the program: %s\n", log);
				return 1;
			}
		}
	RUN(test_host);
	/* From here on, the network of the test's own. */
	const char *why = setup();
	if (why) {
		printf("SKIP: %s\n", why);
		return check_failed ? 1 : KERNEL_TEST_SKIP;
	}
	RUN(test_bad);
	RUN(test_flags);
	RUN(test_mtu_and_sources);
	RUN(test_gateways);
	printf("%lu runs compared; kernel answers:", runs);
	for (int i = 0; i < 11; i++)
		if (per_ret[i])
			printf(" %s %u", i ? ret_name(i - 1) : "errno", per_ret[i]);
	printf("\n");
	return check_summary("fib_lookup_kernel_diff_test");
}
