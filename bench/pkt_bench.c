/* SPDX-License-Identifier: MIT */
/*
 * uebpf-pkt-bench: packet programs in the kernel and in uebpf, side by
 * side. Each program is one ELF object (clang -target bpf) that libbpf
 * loads into the kernel and uebpf_object_open_file/uebpf_object_load
 * load into uebpf; both run it on the same packet with the same
 * `repeat`: BPF_PROG_TEST_RUN (the kernel's JIT) and uebpf_prog_test_run
 * (uebpf's interpreter). Each figure is the test run's own mean ns per
 * run, the median over several timed batches of at least target_ns; the
 * table ends with the median and the geometric mean of the ratios
 * uebpf/kernel.
 *
 *   uebpf-pkt-bench [--quick] [--verify] [--filter NAME] [--no-kernel] [-j]
 *
 * --verify runs every program once on each side and checks that both
 * give the same return value, the same packet and the same result (the
 * programs' `result` map); it exits 77 when bpf() is refused.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "bench_util.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"

#define MAX_BATCHES 32

static int quick, json, verify, no_kernel;
static const char *filter;
static uint64_t target_ns = 20000000;
static int batches = 5;

/* ---- the programs ---- */

struct side;
/* Fills the program's maps alike on both sides. */
typedef int (*setup_fn)(struct side *s);

struct prog {
	const char *name; /* the object (NAME.o) and its program */
	const char *what;
	setup_fn setup;
	/* Why uebpf does not load it yet (a gap of uebpf's verifier that
	 * the kernel's does not have), or NULL. */
	const char *uebpf_gap;
};

static int setup_lpm(struct side *s);
static int setup_nat(struct side *s);

static const struct prog progs[] = {
	/* the compute programs of uebpf-bench, as XDP programs */
	{ "xdp_arith_loop", "arith_loop.c: xorshift/multiply mix, 1000 rounds", NULL, NULL },
	{ "xdp_checksum", "checksum.c: RFC 1071 checksum of the 1500-byte packet", NULL, NULL },
	{ "xdp_parse_hash", "parse_hash.c: VLAN/IPv4/TCP parse, jhash-style mix (copy)", NULL, NULL },
	{ "xdp_sieve", "sieve.c: sieve of Eratosthenes below 400, 4 times (copy)", NULL, NULL },
	{ "xdp_state_machine", "state_machine.c: branchy tokenizer over the copy", NULL, NULL },
	{ "xdp_load_store", "load_store.c: copy to stack, byte-reverse, fold 256-byte blocks", NULL, NULL },
	/* packet programs */
	{ "xdp_parse_drop", "XDP: parse Ethernet/VLAN/IPv4/IPv6/TCP/UDP, drop by port/flags", NULL, NULL },
	{ "xdp_fw_lpm", "XDP: source and destination in an LPM trie of 1025 prefixes", setup_lpm, NULL },
	{ "xdp_stats_array", "XDP: per-CPU array counters by protocol and size", NULL, NULL },
	{ "tc_flow_hash", "tc: 5-tuple flow counters in a hash map, atomic adds", NULL, NULL },
	{ "xdp_nat", "XDP: NAT of destination address/port, RFC 1624 checksums", setup_nat, NULL },
	{ "tc_nat", "tc: NAT through skb_store_bytes, l3/l4_csum_replace", setup_nat, NULL },
	{ "socket_filter", "socket filter: LD_ABS/LD_IND, web traffic with data", NULL, NULL },
	{ "xdp_fwd_csum", "XDP: swap MACs, TTL-1, IPv4 checksum in a bounded loop, TX", NULL, NULL },
	{ "xdp_tokens_loop", "XDP: bpf_loop, 64 callbacks scanning payload words", NULL, NULL },
	{ "xdp_tokens_bounded", "XDP: the same scan as a bounded loop", NULL, NULL },
	{ "tc_classify", "tc: __sk_buff fields, DSCP/port class, mark/priority", NULL, NULL },
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

/* ---- one side: the kernel through libbpf, or uebpf ---- */

struct side {
	const char *name;
	int kernel;
	struct bpf_object *kobj;
	struct uebpf_object *uobj;
	int prog_fd;
	char err[2048];
};

static int side_map_fd(struct side *s, const char *name)
{
	if (s->kernel) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->kobj, name);
		return m ? bpf_map__fd(m) : -ENOENT;
	}
	struct uebpf_map *m = uebpf_object_find_map(s->uobj, name);
	return m ? uebpf_map_fd(m) : -ENOENT;
}

static int side_update(struct side *s, const char *map, const void *key, const void *value)
{
	int fd = side_map_fd(s, map);
	if (fd < 0)
		return fd;
	if (s->kernel)
		return bpf_map_update_elem(fd, key, value, BPF_ANY) ? -errno : 0;
	return uebpf_map_update_elem(fd, key, value, BPF_ANY);
}

static int side_result(struct side *s, uint64_t *v)
{
	uint32_t k = 0;
	int fd = side_map_fd(s, "result");
	*v = 0;
	if (fd < 0)
		return fd;
	if (s->kernel)
		return bpf_map_lookup_elem(fd, &k, v) ? -errno : 0;
	return uebpf_map_lookup_elem(fd, &k, v);
}

static void side_close(struct side *s)
{
	if (s->kobj)
		bpf_object__close(s->kobj);
	if (s->uobj)
		uebpf_object_close(s->uobj);
	s->kobj = NULL;
	s->uobj = NULL;
	s->prog_fd = -1;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

/* Opens and loads NAME.o, then fills its maps. */
static int side_load(struct side *s, const struct prog *p)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.o", BENCH_PKT_PROG_DIR, p->name);
	s->err[0] = '\0';
	if (s->kernel) {
		static char log[1 << 16];
		s->kobj = bpf_object__open_file(path, NULL);
		if (!s->kobj) {
			snprintf(s->err, sizeof(s->err), "libbpf cannot open %s: %s", path,
				 strerror(errno));
			return -1;
		}
		struct bpf_program *prog = bpf_object__find_program_by_name(s->kobj, p->name);
		if (!prog) {
			snprintf(s->err, sizeof(s->err), "%s: no program %s", path, p->name);
			return -1;
		}
		log[0] = '\0';
		bpf_program__set_log_buf(prog, log, sizeof(log));
		if (bpf_object__load(s->kobj)) {
			size_t n = strlen(log);
			snprintf(s->err, sizeof(s->err), "the kernel refuses %s (%s): %.300s", p->name,
				 strerror(errno), n > 300 ? log + n - 300 : log);
			return -1;
		}
		s->prog_fd = bpf_program__fd(prog);
	} else {
		struct uebpf_object_open_opts o = {
			.sz = sizeof(o), .err_buf = s->err, .err_size = sizeof(s->err),
		};
		s->uobj = uebpf_object_open_file(path, &o);
		if (!s->uobj) {
			s->err[strcspn(s->err, "\n")] = '\0';
			return -1;
		}
		struct uebpf_program *prog = uebpf_object_find_program(s->uobj, p->name);
		if (!prog) {
			snprintf(s->err, sizeof(s->err), "%s: no program %s", path, p->name);
			return -1;
		}
		if (uebpf_object_load(s->uobj)) {
			s->err[strcspn(s->err, "\n")] = '\0';
			return -1;
		}
		s->prog_fd = uebpf_program_fd(prog);
	}
	if (p->setup && p->setup(s)) {
		snprintf(s->err, sizeof(s->err), "%s: the maps could not be filled", p->name);
		return -1;
	}
	return 0;
}

/* ---- map contents ---- */

/* The LPM firewall's rules: 1024 pseudo-random prefixes /8 to /32, a
 * quarter of them inside 10.0.0.0/8 where the packet's addresses are,
 * then 10.0.0.0/24. The same sequence on both sides. */
static int setup_lpm(struct side *s)
{
	struct { uint32_t prefixlen, addr; } key;
	struct { uint32_t action, id; } rule;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (uint32_t i = 0; i < 1024; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t addr = (uint32_t)x, plen = 8 + (uint32_t)(x >> 32) % 25;
		if (i % 4 == 0)
			addr = 0x0a000000u | (addr & 0xffffffu);
		addr &= plen == 32 ? ~0u : ~(~0u >> plen);
		key.prefixlen = plen;
		key.addr = htobe32(addr);
		rule.action = i % 5 == 0 ? 1 /* XDP_DROP */ : 2 /* XDP_PASS */;
		rule.id = 100 + i;
		if (side_update(s, "rules", &key, &rule))
			return -1;
	}
	key.prefixlen = 24;
	key.addr = htobe32(0x0a000000u);
	rule.action = 2;
	rule.id = 2;
	return side_update(s, "rules", &key, &rule);
}

/* NAT both ways between 10.0.0.2:80 (the packet's destination) and
 * 192.168.1.10:8080, so that every run rewrites the packet. */
static int setup_nat(struct side *s)
{
	struct { uint32_t addr; uint16_t port, pad; } a = { htobe32(0x0a000002u), htobe16(80), 0 },
						     b = { htobe32(0xc0a8010au), htobe16(8080), 0 };
	return side_update(s, "nat", &a, &b) || side_update(s, "nat", &b, &a) ? -1 : 0;
}

/* ---- running ---- */

static uint8_t packet[1500];

struct run_out {
	uint32_t retval, duration;
	uint32_t data_size;
	uint8_t data[4096];
};

static int side_run(struct side *s, int repeat, struct run_out *out)
{
	int err;
	out->data_size = sizeof(out->data);
	if (s->kernel) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = packet, .data_size_in = sizeof(packet),
			    .data_out = out->data, .data_size_out = sizeof(out->data),
			    .repeat = repeat);
		err = bpf_prog_test_run_opts(s->prog_fd, &o) ? -errno : 0;
		out->retval = o.retval;
		out->duration = o.duration;
		out->data_size = o.data_size_out;
	} else {
		struct uebpf_test_run_opts o = {
			.sz = sizeof(o), .data_in = packet, .data_size_in = sizeof(packet),
			.data_out = out->data, .data_size_out = sizeof(out->data),
			.repeat = repeat, .err_buf = s->err, .err_size = sizeof(s->err),
		};
		err = uebpf_prog_test_run(s->prog_fd, &o);
		out->retval = o.retval;
		out->duration = o.duration;
		out->data_size = o.data_size_out;
	}
	if (err && !s->err[0])
		snprintf(s->err, sizeof(s->err), "test run: %s", strerror(-err));
	return err;
}

/* Median of the test run's own mean ns per run over the batches, each
 * batch one test run whose `repeat` makes it last at least target_ns.
 * (Calibrated on the reported figure, not on the call's wall time: the
 * kernel's XDP test run spends milliseconds outside its timed loop.) */
static double time_side(struct side *s, uint32_t *retval)
{
	static struct run_out out;
	int repeat = 16;
	for (;;) {
		if (side_run(s, repeat, &out))
			return -1;
		double spent = (double)out.duration * repeat;
		if (spent >= (double)target_ns / 4 || repeat >= (1 << 28))
			break;
		repeat *= spent < (double)target_ns / 64 ? 8 : 2;
	}
	repeat *= 4;
	double samples[MAX_BATCHES];
	for (int b = 0; b < batches; b++) {
		if (side_run(s, repeat, &out))
			return -1;
		samples[b] = out.duration;
	}
	*retval = out.retval;
	return bench_median(samples, batches);
}

/* ---- checking: both sides compute the same ---- */

/* One run on freshly loaded objects: the same return value, packet and
 * result on both sides. */
static int compare_once(struct side *u, struct side *k, const struct prog *p, char *why,
			size_t why_size)
{
	static struct run_out uo, ko;
	uint64_t ur, kr;
	if (side_run(u, 1, &uo)) {
		snprintf(why, why_size, "uebpf: %s", u->err);
		return -1;
	}
	if (side_run(k, 1, &ko)) {
		snprintf(why, why_size, "kernel: %s", k->err);
		return -1;
	}
	if (uo.retval != ko.retval) {
		snprintf(why, why_size, "return value: uebpf %u, kernel %u", uo.retval, ko.retval);
		return -1;
	}
	if (side_result(u, &ur) || side_result(k, &kr)) {
		snprintf(why, why_size, "the result map cannot be read");
		return -1;
	}
	if (ur != kr) {
		snprintf(why, why_size, "result: uebpf 0x%" PRIx64 ", kernel 0x%" PRIx64, ur, kr);
		return -1;
	}
	if (uo.data_size != ko.data_size || memcmp(uo.data, ko.data, uo.data_size)) {
		snprintf(why, why_size, "the packets differ after the run (%u and %u bytes)",
			 uo.data_size, ko.data_size);
		return -1;
	}
	(void)p;
	return 0;
}

/* ---- output ---- */

static void machine_line(int kernel_ok, const char *why)
{
	struct utsname un;
	char jit[16];
	bench_jit_setting(jit, sizeof(jit));
	uname(&un);
	if (json) {
		printf("{\"machine\": {\"kernel\": \"%s\", \"bpf_jit_enable\": \"%s\", "
		       "\"kernel_columns\": %s, \"batches\": %d, \"target_ns\": %" PRIu64 "}}\n",
		       un.release, jit, kernel_ok ? "true" : "false", batches, target_ns);
		return;
	}
	printf("uebpf-pkt-bench: ns per run, median of %d test runs (each >= %.0f ms); "
	       "kernel %s (JIT: bpf_jit_enable %s), uebpf interpreter\n",
	       batches, (double)target_ns / 1e6, un.release, jit);
	if (!kernel_ok)
		printf("kernel column skipped: %s\n", why);
	printf("packet: %s (%zu bytes)\n\n", BENCH_INPUT, sizeof(packet));
}

static int read_packet(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "uebpf-pkt-bench: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t n = fread(packet, 1, sizeof(packet), f);
	fclose(f);
	if (n != sizeof(packet)) {
		fprintf(stderr, "uebpf-pkt-bench: %s: %zu bytes, expected %zu\n", path, n,
			sizeof(packet));
		return -1;
	}
	return 0;
}

/* Is bpf() there for us? A one-element array map tells. */
static int kernel_available(char *why, size_t size)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "probe", 4, 4, 1, NULL);
	if (fd < 0) {
		snprintf(why, size, "bpf(BPF_MAP_CREATE) is refused (%s)", strerror(errno));
		return 0;
	}
	close(fd);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "verify", no_argument, NULL, 'v' },
		{ "filter", required_argument, NULL, 'f' },
		{ "no-kernel", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quick = 1; break;
		case 'v': verify = 1; break;
		case 'f': filter = optarg; break;
		case 'n': no_kernel = 1; break;
		case 'j': json = 1; break;
		default:
			fprintf(stderr, "usage: uebpf-pkt-bench [--quick] [--verify] [--filter NAME] "
				"[--no-kernel] [-j]\n");
			return 2;
		}
	}
	if (quick) {
		target_ns = 2000000;
		batches = 3;
	}
	if (read_packet(BENCH_INPUT))
		return 1;
	libbpf_set_print(libbpf_quiet);

	char why[256] = "--no-kernel";
	int kernel_ok = !no_kernel && kernel_available(why, sizeof(why));
	if (verify && !kernel_ok) {
		printf("skipped: %s\n", why);
		return 77;
	}
	if (!verify) {
		machine_line(kernel_ok, why);
		if (!json)
			printf("%-19s %10s %10s %12s  %s\n", "program", "kernel ns", "uebpf ns",
			       "uebpf/kernel", "what it does");
	}

	double ratios[NPROGS];
	int nratios = 0, failures = 0, skipped = 0, shown = 0;
	for (size_t i = 0; i < NPROGS; i++) {
		const struct prog *p = &progs[i];
		if (filter && !strstr(p->name, filter))
			continue;
		shown++;
		struct side u = { .name = "uebpf", .prog_fd = -1 };
		struct side k = { .name = "kernel", .kernel = 1, .prog_fd = -1 };
		char msg[2200] = "";
		int uok = 0;
		if (p->uebpf_gap)
			snprintf(u.err, sizeof(u.err), "not loaded: %s", p->uebpf_gap);
		else
			uok = side_load(&u, p) == 0;
		if (!uok)
			snprintf(msg, sizeof(msg), "uebpf: %s", u.err);
		int kok = kernel_ok && side_load(&k, p) == 0;
		if (kernel_ok && !kok)
			snprintf(msg, sizeof(msg), "%s", k.err);
		if (uok && kok && compare_once(&u, &k, p, msg, sizeof(msg))) {
			uok = 0; /* a result that differs is not timed */
		}
		if (verify) {
			int ok = uok && kok;
			/* A helper uebpf does not have yet is a gap, not a wrong
			 * result: reported, not failed. */
			int gap = !uok && (p->uebpf_gap || strstr(u.err, "is not provided by uebpf"));
			printf("%s %s%s%s\n", ok ? "PASS" : gap ? "SKIP" : "FAIL", p->name,
			       ok ? "" : ": ", msg);
			failures += !ok && !gap;
			skipped += gap != 0;
			side_close(&u);
			side_close(&k);
			continue;
		}
		if (msg[0]) {
			fprintf(stderr, "%s: %s\n", p->name, msg);
			failures++;
		}
		uint32_t uret = 0, kret = 0;
		double uns = uok ? time_side(&u, &uret) : -1;
		double kns = kok ? time_side(&k, &kret) : -1;
		if (uok && uns < 0)
			fprintf(stderr, "%s: uebpf: %s\n", p->name, u.err), failures++;
		if (kok && kns < 0)
			fprintf(stderr, "%s: kernel: %s\n", p->name, k.err), failures++;
		double ratio = uns > 0 && kns > 0 ? uns / kns : -1;
		if (ratio > 0)
			ratios[nratios++] = ratio;
		if (json) {
			printf("{\"program\": \"%s\", \"kernel_ns\": ", p->name);
			kns > 0 ? printf("%.1f", kns) : printf("null");
			printf(", \"uebpf_ns\": ");
			uns > 0 ? printf("%.1f", uns) : printf("null");
			printf(", \"ratio\": ");
			ratio > 0 ? printf("%.2f", ratio) : printf("null");
			printf(", \"retval\": %u}\n", uok ? uret : kret);
		} else {
			char kb[16] = "-", ub[16] = "-", rb[16] = "-";
			if (kns > 0)
				snprintf(kb, sizeof(kb), "%.0f", kns);
			if (uns > 0)
				snprintf(ub, sizeof(ub), "%.0f", uns);
			if (ratio > 0)
				snprintf(rb, sizeof(rb), "%.2f", ratio);
			printf("%-19s %10s %10s %12s  %s\n", p->name, kb, ub, rb, p->what);
		}
		fflush(stdout);
		side_close(&u);
		side_close(&k);
	}
	if (shown == 0) {
		fprintf(stderr, "uebpf-pkt-bench: no program matches '%s'\n", filter);
		return 2;
	}
	if (verify) {
		printf("packet programs: %d passed, %d failed, %d skipped (what uebpf lacks)\n",
		       shown - failures - skipped, failures, skipped);
		return failures ? 1 : 0;
	}
	if (nratios) {
		double logs = 0, copy[NPROGS];
		for (int i = 0; i < nratios; i++) {
			logs += log(ratios[i]);
			copy[i] = ratios[i];
		}
		double med = bench_median(copy, nratios), geo = exp(logs / nratios);
		if (json)
			printf("{\"summary\": {\"programs\": %d, \"median_ratio\": %.2f, "
			       "\"geomean_ratio\": %.2f}}\n", nratios, med, geo);
		else
			printf("\nuebpf/kernel over %d programs: median %.2f, geometric mean %.2f\n",
			       nratios, med, geo);
	}
	return failures ? 1 : 0;
}
