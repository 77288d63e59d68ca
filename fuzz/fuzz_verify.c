/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the verifier, and whether what it accepts is safe. The
 * input is a header (program type, log level, how to read the rest) and
 * a program: raw 8-byte instructions, or bytes that steer the program
 * generator. The verifier must answer with a rejection code or accept,
 * keep its log NUL-terminated inside the buffer, and never crash, hang
 * or leak. An accepted program must pass the decoder's checks and then
 * run in the checked interpreter, which bounds-checks every access,
 * without a single memory fault: a fault there is a program the
 * verifier should have refused.
 *
 * With F_GEN_VERIFY in data[1] the bytes steer gen_verify.c's generator
 * instead (programs aimed at the verifier, with maps, of every type it
 * writes) and gen_verify_oracle.c judges the result: libFuzzer's
 * coverage of the verifier then guides the generator's choices.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "gen_verify.h"
#include "uebpf/engine.h"
#include "uebpf/progtypes.h"
#include "verifier/verifier.h"

#define HEADER 2
#define MAX_GEN_INSNS 96
#define MAX_RAW_INSNS 512
#define F_STRUCTURED 0x80 /* data[1]: generator bytes follow */
#define F_GEN_VERIFY 0x40 /* data[1]: bytes for gen_verify.c's generator */
#define PKT_LEN 64

static const enum bpf_prog_type types[] = {
	BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_PROG_TYPE_XDP,
	BPF_PROG_TYPE_SOCKET_FILTER,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static struct {
	unsigned long long inputs, accepted, ran, eloop;
} stats;

static struct uebpf_vm *get_vm(void)
{
	static struct uebpf_vm *vm;
	if (!vm) {
		vm = uebpf_vm_new();
		FUZZ_CHECK(vm && !uebpf_vm_add_kernel_helpers(vm), "no helper table");
	}
	return vm;
}

static void report(const char *what, const struct uebpf_insn *insns, size_t cnt,
		   enum bpf_prog_type type, const char *detail)
{
	struct uebpf_disasm_opts o = { .sz = sizeof(o), .syntax = UEBPF_SYNTAX_KERNEL,
				       .show_raw = true };
	fprintf(stderr, "fuzz_verify: %s (program type %u): %s\n", what, type, detail);
	uebpf_disasm(stderr, insns, cnt, &o);
}

/* Runs an accepted program in the checked interpreter on a context
 * (and a packet) of its type: it may stop at the instruction limit, it
 * may not touch memory it was not given. */
static void run_checked(const struct uebpf_insn *insns, size_t cnt, enum bpf_prog_type type,
			const uint8_t *seed, size_t seed_len)
{
	/* The packet sits in a buffer laid out as a test run lays it out, so
	 * that helpers may move its bounds: a 4096-byte XDP frame with 256
	 * bytes of headroom, an skb buffer from malloc with 64. */
	static uint8_t frame[4096];
	uint8_t ctx[256] = { 0 };
	uint8_t *pkt = frame + 256, *skb_head = NULL;
	struct uebpf_xdp_ctx xdp;
	struct uebpf_skb_ctx skb;
	struct uebpf_region regions[2];
	size_t nregions = 1;
	void *r1 = ctx;

	for (size_t i = 0; i < sizeof(ctx); i++)
		ctx[i] = seed_len ? seed[i % seed_len] : (uint8_t)i;
	memset(frame, 0, sizeof(frame));
	memcpy(pkt, ctx, PKT_LEN);
	regions[0] = (struct uebpf_region){ ctx, sizeof(ctx), UEBPF_MEM_READ };
	if (type == BPF_PROG_TYPE_XDP) {
		memset(&xdp, 0, sizeof(xdp));
		xdp.data = xdp.data_meta = pkt;
		xdp.data_end = pkt + PKT_LEN;
		xdp.buf_start = frame + 40;
		xdp.buf_end = frame + sizeof(frame) - 320;
		r1 = &xdp;
		regions[0] = (struct uebpf_region){ &xdp, sizeof(xdp), UEBPF_MEM_READ };
		regions[1] = (struct uebpf_region){ frame + 40, sizeof(frame) - 360, UEBPF_MEM_RW };
		nregions = 2;
	} else if (type == BPF_PROG_TYPE_SOCKET_FILTER) {
		skb_head = calloc(1, 64 + PKT_LEN);
		FUZZ_CHECK(skb_head, "out of memory");
		memcpy(skb_head + 64, ctx, PKT_LEN);
		pkt = skb_head + 64;
		memset(&skb, 0, sizeof(skb));
		skb.head = skb_head;
		skb.end = skb_head + 64 + PKT_LEN;
		skb.mac_header = pkt;
		skb.network_header = pkt;
		skb.data = skb.data_meta = pkt;
		skb.data_end = pkt + PKT_LEN;
		skb.len = PKT_LEN;
		r1 = &skb;
		regions[0] = (struct uebpf_region){ &skb, sizeof(skb), UEBPF_MEM_RW };
		regions[1] = (struct uebpf_region){ pkt, PKT_LEN, UEBPF_MEM_READ };
		nregions = 2;
	}

	struct uebpf_code *code = NULL;
	char err[200] = "";
	struct uebpf_code_opts copts = { .sz = sizeof(copts), .err_buf = err,
					 .err_size = sizeof(err) };
	int rc = uebpf_code_load(get_vm(), insns, cnt, &copts, &code);
	if (rc) {
		report("the verifier accepted what the engine refuses", insns, cnt, type, err);
		abort();
	}
	struct uebpf_run_opts ro = {
		.sz = sizeof(ro), .checked = true, .regions = regions, .region_cnt = nregions,
		.insn_limit = 200000, .packet = pkt, .packet_len = PKT_LEN,
		.err_buf = err, .err_size = sizeof(err),
	};
	uint64_t ret = 0;
	rc = uebpf_code_run(code, (uintptr_t)r1, 0, &ro, &ret);
	uebpf_code_free(code);
	/* Helpers may have replaced the skb's buffer. */
	free(type == BPF_PROG_TYPE_SOCKET_FILTER ? skb.head : skb_head);
	stats.ran++;
	stats.eloop += rc == -ELOOP;
	if (rc && rc != -ELOOP) {
		report("an accepted program faulted", insns, cnt, type, err);
		abort();
	}
}

/* The generator aimed at the verifier (gen_verify.c) and its oracle: an
 * accepted program runs on random inputs, with maps, and must stay
 * clean (no fault, no uninitialised register, no leaked reservation, no
 * run longer than the verifier's exploration). */
static void gen_verify_input(const uint8_t *data, size_t size)
{
	static struct gv_prog p;
	struct fuzz_src src = { .data = data + HEADER, .size = size - HEADER };
	gv_generate(&src, &p, gv_types[data[0] % gv_ntypes]);
	uint64_t seed = 1;
	for (size_t i = HEADER; i < size; i++)
		seed = seed * 131 + data[i];
	struct gv_result r;
	gv_check(&p, seed, 3, &r, NULL, 0);
	stats.inputs++;
	stats.accepted += r.verdict != GV_REJECTED;
	stats.ran += r.runs;
	if (r.verdict != GV_REJECTED && r.verdict != GV_CLEAN) {
		fprintf(stderr, "fuzz_verify: an accepted program violates safety (%s): %s\n",
			gv_verdict_name(r.verdict), r.why);
		gv_write(stderr, &p, seed, r.why);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HEADER)
		return 0;
	if ((data[1] & (F_STRUCTURED | F_GEN_VERIFY)) == F_GEN_VERIFY) {
		gen_verify_input(data, size);
		return 0;
	}
	enum bpf_prog_type type = types[data[0] % NTYPES];
	uint32_t log_level = (data[0] / NTYPES) % 3;
	size_t log_size = data[1] & 1 ? 64 : 1 << 16;
	struct uebpf_insn *insns;
	size_t cnt;

	if (data[1] & F_STRUCTURED) {
		struct fuzz_src src = { .data = data + HEADER, .size = size - HEADER };
		struct uebpf_insn tmp[MAX_GEN_INSNS];
		cnt = fuzz_gen_program(&src, tmp, MAX_GEN_INSNS);
		insns = malloc(cnt * sizeof(*insns));
		FUZZ_CHECK(insns, "out of memory");
		memcpy(insns, tmp, cnt * sizeof(*insns));
	} else {
		cnt = (size - HEADER) / sizeof(struct uebpf_insn);
		if (!cnt || cnt > MAX_RAW_INSNS)
			return 0;
		insns = malloc(cnt * sizeof(*insns)); /* exact, for ASan */
		FUZZ_CHECK(insns, "out of memory");
		memcpy(insns, data + HEADER, cnt * sizeof(*insns));
	}

	char *log = malloc(log_size);
	FUZZ_CHECK(log, "out of memory");
	memset(log, 'x', log_size);
	struct verifier_opts vo = {
		.prog_type = type, .gpl = true,
		.log_buf = log, .log_size = log_size, .log_level = log_level,
	};
	struct uebpf_insn *out = NULL;
	size_t out_cnt = 0;
	int rc = verify_program(insns, cnt, &vo, &out, &out_cnt, NULL);
	stats.inputs++;
	FUZZ_CHECK(rc == 0 || rc == -EACCES || rc == -EINVAL || rc == -E2BIG || rc == -EBADF ||
		   rc == -EPROTO || rc == -524 /* ENOTSUPP */,
		   "verify_program returned %d: %s", rc, memchr(log, 0, log_size) ? log : "");
	FUZZ_CHECK(memchr(log, '\0', log_size), "log not NUL-terminated in its %zu bytes",
		   log_size);
	if (rc == 0) {
		stats.accepted++;
		FUZZ_CHECK(out && out_cnt, "accepted without a program to run");
		run_checked(out, out_cnt, type, data + HEADER, size - HEADER);
	}
	free(out);
	free(log);
	free(insns);
	return 0;
}

static size_t generate(uint64_t *rng, uint8_t *out, size_t max)
{
	struct fuzz_src s = { .state = fuzz_rng_next(rng) };
	size_t len = 0;

	if (max < HEADER + 8)
		return 0;
	out[len++] = (uint8_t)fuzz_below(&s, 256);
	out[len++] = (uint8_t)(fuzz_below(&s, 256) & ~F_STRUCTURED);
	if (out[1] & F_GEN_VERIFY) { /* bytes for gen_verify.c */
		size_t n = max - len < 512 ? max - len : 512;
		for (size_t i = 0; i < n; i++)
			out[len++] = (uint8_t)fuzz_below(&s, 256);
		return len;
	}
	struct uebpf_insn insns[MAX_GEN_INSNS];
	size_t room = (max - len) / sizeof(struct uebpf_insn);
	size_t cnt = fuzz_gen_program(&s, insns, room < MAX_GEN_INSNS ? room : MAX_GEN_INSNS);
	memcpy(out + len, insns, cnt * sizeof(*insns));
	return len + cnt * sizeof(*insns);
}

static size_t insn_start(const uint8_t *data, size_t size)
{
	return size < HEADER || data[1] & (F_STRUCTURED | F_GEN_VERIFY) ? size : HEADER;
}

static void print_stats(FILE *out)
{
	fprintf(out, "fuzz_verify: %llu programs, %llu accepted, %llu ran in checked mode "
		"(%llu stopped at the instruction limit), no faults\n",
		stats.inputs, stats.accepted, stats.ran, stats.eloop);
}

const struct fuzz_target fuzz_target = {
	.name = "fuzz_verify",
	.max_input = 4096,
	.generate = generate,
	.insn_start = insn_start,
	.print_stats = print_stats,
};
