/* SPDX-License-Identifier: MIT */
/*
 * Context rewriting against the kernel: small programs that read and
 * write context fields (packet pointers, scalar fields whole and narrow,
 * cb[], writable fields read back) run as xdp, sched_cls and
 * socket_filter programs in the kernel (BPF_PROG_TEST_RUN on a packet,
 * with a __sk_buff context in for the skb types) and in uebpf's checked
 * interpreter, after convert_ctx_access rewrote their context accesses,
 * on a runtime context set up as the kernel's test run sets up its own.
 * The return values must be equal.
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progtypes/progtypes.h"
#include "uebpf/progtypes.h"
#include "uebpf/uebpf.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"

#define PKT_LEN 300
static uint8_t packet[PKT_LEN];

/* The __sk_buff the kernel's test run starts from (the fields it takes). */
static struct __sk_buff skb_in;

struct named_off {
	const char *name;
	int off;
};

#define SKB_F(f) { #f, offsetof(struct __sk_buff, f) }
static const struct named_off skb_offs[] = {
	SKB_F(len), SKB_F(pkt_type), SKB_F(mark), SKB_F(queue_mapping), SKB_F(protocol),
	SKB_F(vlan_present), SKB_F(vlan_tci), SKB_F(vlan_proto), SKB_F(priority),
	SKB_F(ingress_ifindex), SKB_F(ifindex), SKB_F(tc_index), SKB_F(cb), SKB_F(hash),
	SKB_F(tc_classid), SKB_F(data), SKB_F(data_end), SKB_F(napi_id), SKB_F(data_meta),
	SKB_F(tstamp), SKB_F(wire_len), SKB_F(gso_segs), SKB_F(gso_size), SKB_F(tstamp_type),
	SKB_F(hwtstamp),
};
#define XDP_F(f) { #f, offsetof(struct xdp_md, f) }
static const struct named_off xdp_offs[] = {
	XDP_F(data), XDP_F(data_end), XDP_F(data_meta), XDP_F(ingress_ifindex),
	XDP_F(rx_queue_index),
};

/* Replaces {field} and {field+N} with the field's offset (+N). */
static int expand(const char *in, const struct named_off *offs, size_t n, char *out,
		  size_t size)
{
	size_t o = 0;
	while (*in && o + 16 < size) {
		if (*in != '{') {
			out[o++] = *in++;
			continue;
		}
		const char *end = strchr(in, '}');
		if (!end)
			return -1;
		char name[32] = { 0 };
		int add = 0;
		size_t len = 0;
		for (in++; in < end && (isalnum((unsigned char)*in) || *in == '_'); in++)
			if (len < sizeof(name) - 1)
				name[len++] = *in;
		if (*in == '+')
			add = atoi(in + 1);
		in = end + 1;
		size_t i;
		for (i = 0; i < n && strcmp(offs[i].name, name); i++)
			;
		if (i == n)
			return -1;
		o += (size_t)snprintf(out + o, size - o, "%d", offs[i].off + add);
	}
	out[o] = '\0';
	return 0;
}

struct probe {
	const char *name;
	const char *text; /* r1 holds the context throughout */
};

static const struct probe xdp_probes[] = {
	{ "data_end - data", "r2 = *(u32 *)(r1 + {data})\nr3 = *(u32 *)(r1 + {data_end})\n"
			     "r3 -= r2\nr0 = r3\nexit\n" },
	{ "data - data_meta", "r2 = *(u32 *)(r1 + {data_meta})\nr3 = *(u32 *)(r1 + {data})\n"
			      "r3 -= r2\nr0 = r3\nexit\n" },
	{ "packet bytes through data",
	  "r2 = *(u32 *)(r1 + {data})\nr3 = *(u32 *)(r1 + {data_end})\nr4 = r2\nr4 += 16\n"
	  "if r4 > r3 goto out\nr0 = *(u32 *)(r2 + 12)\nexit\nout:\nr0 = 77\nexit\n" },
	{ "packet write through data",
	  "r2 = *(u32 *)(r1 + {data})\nr3 = *(u32 *)(r1 + {data_end})\nr4 = r2\nr4 += 16\n"
	  "if r4 > r3 goto out\nr5 = 0xabcd\n*(u16 *)(r2 + 2) = r5\nr0 = *(u32 *)(r2 + 0)\n"
	  "exit\nout:\nr0 = 77\nexit\n" },
	{ "ingress_ifindex", "r0 = *(u32 *)(r1 + {ingress_ifindex})\nexit\n" },
	{ "rx_queue_index", "r0 = *(u32 *)(r1 + {rx_queue_index})\nexit\n" },
	{ "same register for ctx and result", "r1 = *(u32 *)(r1 + {ingress_ifindex})\nr0 = r1\nexit\n" },
};

/* For both skb types. */
static const struct probe skb_probes[] = {
	{ "len", "r0 = *(u32 *)(r1 + {len})\nexit\n" },
	{ "len byte 0", "r0 = *(u8 *)(r1 + {len})\nexit\n" },
	{ "len byte 1", "r0 = *(u8 *)(r1 + {len+1})\nexit\n" },
	{ "len half 1", "r0 = *(u16 *)(r1 + {len+2})\nexit\n" },
	{ "protocol", "r0 = *(u32 *)(r1 + {protocol})\nexit\n" },
	{ "protocol byte 0", "r0 = *(u8 *)(r1 + {protocol})\nexit\n" },
	{ "protocol byte 1", "r0 = *(u8 *)(r1 + {protocol+1})\nexit\n" },
	{ "protocol byte 2", "r0 = *(u8 *)(r1 + {protocol+2})\nexit\n" },
	{ "protocol half 0", "r0 = *(u16 *)(r1 + {protocol})\nexit\n" },
	{ "protocol half 1", "r0 = *(u16 *)(r1 + {protocol+2})\nexit\n" },
	{ "pkt_type", "r0 = *(u32 *)(r1 + {pkt_type})\nexit\n" },
	{ "pkt_type byte 1", "r0 = *(u8 *)(r1 + {pkt_type+1})\nexit\n" },
	{ "mark", "r0 = *(u32 *)(r1 + {mark})\nexit\n" },
	{ "mark byte 1", "r0 = *(u8 *)(r1 + {mark+1})\nexit\n" },
	{ "mark byte 3", "r0 = *(u8 *)(r1 + {mark+3})\nexit\n" },
	{ "mark half 1", "r0 = *(u16 *)(r1 + {mark+2})\nexit\n" },
	{ "mark half 1 into r1", "r1 = *(u16 *)(r1 + {mark+2})\nr0 = r1\nexit\n" },
	{ "priority", "r0 = *(u32 *)(r1 + {priority})\nexit\n" },
	{ "ingress_ifindex", "r0 = *(u32 *)(r1 + {ingress_ifindex})\nexit\n" },
	{ "ifindex", "r0 = *(u32 *)(r1 + {ifindex})\nexit\n" },
	{ "queue_mapping", "r0 = *(u32 *)(r1 + {queue_mapping})\nexit\n" },
	{ "vlan_present", "r0 = *(u32 *)(r1 + {vlan_present})\nexit\n" },
	{ "vlan_tci", "r0 = *(u32 *)(r1 + {vlan_tci})\nexit\n" },
	{ "vlan_proto", "r0 = *(u32 *)(r1 + {vlan_proto})\nexit\n" },
	{ "tc_index", "r0 = *(u32 *)(r1 + {tc_index})\nexit\n" },
	{ "hash", "r0 = *(u32 *)(r1 + {hash})\nexit\n" },
	{ "napi_id", "r0 = *(u32 *)(r1 + {napi_id})\nexit\n" },
	{ "gso_segs", "r0 = *(u32 *)(r1 + {gso_segs})\nexit\n" },
	{ "gso_size", "r0 = *(u32 *)(r1 + {gso_size})\nexit\n" },
	{ "gso_size byte 1", "r0 = *(u8 *)(r1 + {gso_size+1})\nexit\n" },
	{ "cb[0]", "r0 = *(u32 *)(r1 + {cb})\nexit\n" },
	{ "cb[4]", "r0 = *(u32 *)(r1 + {cb+16})\nexit\n" },
	{ "cb byte 5", "r0 = *(u8 *)(r1 + {cb+5})\nexit\n" },
	{ "cb half 3", "r0 = *(u16 *)(r1 + {cb+6})\nexit\n" },
	{ "cb[2..3] low", "r0 = *(u64 *)(r1 + {cb+8})\nexit\n" },
	{ "cb[2..3] high", "r0 = *(u64 *)(r1 + {cb+8})\nr0 >>= 32\nexit\n" },
	{ "cb[3] write", "r2 = 0x5a5a\n*(u32 *)(r1 + {cb+12}) = r2\nr0 = *(u32 *)(r1 + {cb+12})\nexit\n" },
	{ "cb byte write", "r2 = 0x1ff\n*(u8 *)(r1 + {cb+1}) = r2\nr0 = *(u32 *)(r1 + {cb})\nexit\n" },
	{ "cb 8-byte write",
	  "r2 = 0x1122334455667788 ll\n*(u64 *)(r1 + {cb}) = r2\nr0 = *(u32 *)(r1 + {cb+4})\nexit\n" },
};

/* sched_cls only: packet pointers, writable fields, tc's own fields. */
static const struct probe tc_probes[] = {
	{ "data_end - data", "r2 = *(u32 *)(r1 + {data})\nr3 = *(u32 *)(r1 + {data_end})\n"
			     "r3 -= r2\nr0 = r3\nexit\n" },
	{ "data - data_meta", "r2 = *(u32 *)(r1 + {data_meta})\nr3 = *(u32 *)(r1 + {data})\n"
			      "r3 -= r2\nr0 = r3\nexit\n" },
	{ "packet bytes through data",
	  "r2 = *(u32 *)(r1 + {data})\nr3 = *(u32 *)(r1 + {data_end})\nr4 = r2\nr4 += 16\n"
	  "if r4 > r3 goto out\nr0 = *(u32 *)(r2 + 12)\nexit\nout:\nr0 = 77\nexit\n" },
	{ "mark write", "r2 = 0xdead\n*(u32 *)(r1 + {mark}) = r2\nr0 = *(u32 *)(r1 + {mark})\nexit\n" },
	{ "priority write", "r2 = 9\n*(u32 *)(r1 + {priority}) = r2\nr0 = *(u32 *)(r1 + {priority})\nexit\n" },
	{ "tc_classid write (16 bits kept)",
	  "r2 = 0x12345\n*(u32 *)(r1 + {tc_classid}) = r2\nr0 = *(u32 *)(r1 + {tc_classid})\nexit\n" },
	{ "tc_index write (16 bits kept)",
	  "r2 = 0x10005\n*(u32 *)(r1 + {tc_index}) = r2\nr0 = *(u32 *)(r1 + {tc_index})\nexit\n" },
	{ "queue_mapping write",
	  "r2 = 3\n*(u32 *)(r1 + {queue_mapping}) = r2\nr0 = *(u32 *)(r1 + {queue_mapping})\nexit\n" },
	{ "queue_mapping write of 0xffff ignored",
	  "r2 = 3\n*(u32 *)(r1 + {queue_mapping}) = r2\nr2 = 0xffff\n"
	  "*(u32 *)(r1 + {queue_mapping}) = r2\nr0 = *(u32 *)(r1 + {queue_mapping})\nexit\n" },
	{ "wire_len", "r0 = *(u32 *)(r1 + {wire_len})\nexit\n" },
	{ "hwtstamp low", "r0 = *(u64 *)(r1 + {hwtstamp})\nexit\n" },
	{ "hwtstamp high", "r0 = *(u64 *)(r1 + {hwtstamp})\nr0 >>= 32\nexit\n" },
	{ "tc_classid", "r0 = *(u32 *)(r1 + {tc_classid})\nexit\n" },
};

static char err[512];

/* Marks the context accesses (loads and stores based on r1). */
static bool is_ctx_access(const struct uebpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code);
	if (cls == BPF_LDX)
		return in->src_reg == 1;
	if (cls == BPF_STX || cls == BPF_ST)
		return in->dst_reg == 1 && BPF_MODE(in->code) == BPF_MEM;
	return false;
}

#define MAX_INSNS 64

/* Rewrites the context accesses of in (n instructions) into out and
 * fixes the jumps around them; the new count, or 0 on error. */
static size_t convert_program(const struct progtype *pt, const struct prog_target *t,
			      const struct uebpf_insn *in, size_t n, struct uebpf_insn *out)
{
	struct uebpf_insn conv[MAX_INSNS][8];
	int len[MAX_INSNS];
	size_t pos[MAX_INSNS + 1];
	if (n > MAX_INSNS)
		return 0;
	pos[0] = 0;
	for (size_t i = 0; i < n; i++) {
		len[i] = 0;
		if (is_ctx_access(&in[i])) {
			len[i] = pt->convert_ctx_access(t, &in[i], conv[i], 8);
			if (len[i] < 0) {
				CHECK_REPORT(0, "insn %zu: convert_ctx_access: %d", i, len[i]);
				return 0;
			}
		}
		if (len[i] == 0) {
			conv[i][0] = in[i];
			len[i] = 1;
		}
		pos[i + 1] = pos[i] + (size_t)len[i];
	}
	if (pos[n] > MAX_INSNS * 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t cls = BPF_CLASS(in[i].code), op = BPF_OP(in[i].code);
		bool jump = (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT;
		for (int k = 0; k < len[i]; k++)
			out[pos[i] + (size_t)k] = conv[i][k];
		if (jump && !is_ctx_access(&in[i])) {
			size_t target = i + 1 + (size_t)(ptrdiff_t)in[i].off;
			out[pos[i]].off = (int16_t)((ptrdiff_t)pos[target] - (ptrdiff_t)pos[i] - 1);
		}
	}
	return pos[n];
}

/* The kernel's result of the probe, or -1 (and a FAIL). */
static int64_t kernel_result(enum bpf_prog_type type, const struct uebpf_insn *insns, size_t n,
			     const void *data, uint32_t data_len, const void *ctx_in,
			     uint32_t ctx_size)
{
	static char vlog[1 << 16];
	int fd = kernel_prog_load(type, insns, n, vlog, sizeof(vlog), 1);
	if (fd < 0) {
		CHECK_REPORT(0, "kernel load: %d\n%s", fd, vlog);
		return -1;
	}
	uint8_t out[PKT_LEN + 64];
	uint8_t ctx_out[256];
	uint32_t retval = 0;
	int ret = kernel_test_run_ctx(fd, data, data_len, out, sizeof(out), ctx_in,
				      ctx_in ? ctx_out : NULL, ctx_size, &retval);
	close(fd);
	if (ret) {
		CHECK_REPORT(0, "kernel test run: %d", ret);
		return -1;
	}
	return retval;
}

/* uebpf's result of the converted probe on the runtime context, or -1. */
static int64_t uebpf_result(struct uebpf_vm *vm, const struct uebpf_insn *insns, size_t n,
			    void *ctx, size_t ctx_size, void *pkt, size_t pkt_len)
{
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_load(vm, insns, n, &lo, &code)) {
		CHECK_REPORT(0, "uebpf load: %s", err);
		return -1;
	}
	struct uebpf_region regions[2] = {
		{ ctx, ctx_size, UEBPF_MEM_RW },
		{ pkt, pkt_len, UEBPF_MEM_RW },
	};
	struct uebpf_run_opts ro = { .sz = sizeof(ro), .checked = true, .regions = regions,
				     .region_cnt = 2, .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0;
	int ret = uebpf_code_run(code, (uintptr_t)ctx, 0, &ro, &r0);
	uebpf_code_free(code);
	if (ret) {
		CHECK_REPORT(0, "uebpf run: %s", err);
		return -1;
	}
	return (int64_t)(uint32_t)r0; /* test runs report 32 bits */
}

static unsigned long compared;

static void run_probes(struct uebpf_vm *vm, enum bpf_prog_type type, const struct probe *probes,
		       size_t count, const struct named_off *offs, size_t noffs,
		       void (*setup)(void *ctx, uint8_t *pkt), size_t rt_size, const void *ctx_in,
		       uint32_t ctx_in_size)
{
	const struct progtype *pt = progtype_get(type);
	struct prog_target t = { type, 0 };
	for (size_t i = 0; i < count; i++) {
		char text[2048];
		check_current = probes[i].name;
		if (expand(probes[i].text, offs, noffs, text, sizeof(text))) {
			CHECK_REPORT(0, "bad probe text");
			continue;
		}
		struct uebpf_insn *insns = NULL;
		size_t n = 0;
		struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
		if (uebpf_asm(text, &insns, &n, &ao)) {
			CHECK_REPORT(0, "assembling: %s", err);
			continue;
		}
		int64_t want = kernel_result(type, insns, n, packet, PKT_LEN, ctx_in, ctx_in_size);
		struct uebpf_insn conv[MAX_INSNS * 2];
		size_t cn = convert_program(pt, &t, insns, n, conv);
		uint8_t pkt[PKT_LEN];
		memcpy(pkt, packet, sizeof(pkt));
		uint64_t ctx[64]; /* aligned storage for the runtime context */
		memset(ctx, 0, sizeof(ctx));
		setup(ctx, pkt);
		int64_t got = cn ? uebpf_result(vm, conv, cn, ctx, rt_size, pkt, sizeof(pkt)) : -1;
		compared++;
		CHECK_REPORT(want >= 0 && got == want, "%s %s: kernel 0x%llx, uebpf 0x%llx", pt->name,
			     probes[i].name, (long long)want, (long long)got);
		free(insns);
	}
}

/* As the kernel's XDP test run without a context: the loopback device's
 * first receive queue, no metadata. */
static void xdp_setup(void *ctx_mem, uint8_t *pkt)
{
	struct uebpf_xdp_ctx *ctx = ctx_mem;
	ctx->data = pkt;
	ctx->data_end = pkt + PKT_LEN;
	ctx->data_meta = pkt;
	ctx->ingress_ifindex = 1;
	ctx->rx_queue_index = 0;
}

/* As the kernel's skb test run: the loopback device, the Ethernet header
 * parsed (protocol, pkt_type), the fields of skb_in taken over. */
static void skb_common_setup(struct uebpf_skb_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->protocol = (uint16_t)(packet[12] | packet[13] << 8);
	/* PACKET_MULTICAST: ff:ff:ff:ff:ff:ff is a group address and not the
	 * loopback device's broadcast address (which is all zeros). */
	ctx->pkt_type = 2;
	ctx->mark = skb_in.mark;
	ctx->priority = skb_in.priority;
	ctx->ingress_ifindex = skb_in.ingress_ifindex;
	ctx->ifindex = 1;
	memcpy(ctx->cb, skb_in.cb, sizeof(ctx->cb));
	ctx->wire_len = skb_in.wire_len;
	ctx->gso_segs = (uint16_t)skb_in.gso_segs;
	ctx->gso_size = (uint16_t)skb_in.gso_size;
	ctx->hwtstamp = skb_in.hwtstamp;
}

static void tc_setup(void *ctx_mem, uint8_t *pkt)
{
	struct uebpf_skb_ctx *ctx = ctx_mem;
	skb_common_setup(ctx);
	ctx->data = pkt;
	ctx->data_end = pkt + PKT_LEN;
	ctx->data_meta = pkt;
	ctx->len = PKT_LEN;
}

/* A socket filter sees the packet from its network header on. */
static void sk_filter_setup(void *ctx_mem, uint8_t *pkt)
{
	struct uebpf_skb_ctx *ctx = ctx_mem;
	skb_common_setup(ctx);
	ctx->data = pkt + 14;
	ctx->data_end = pkt + PKT_LEN;
	ctx->data_meta = pkt + 14;
	ctx->len = PKT_LEN - 14;
}

int main(void)
{
	int refused = kernel_probe_prog_load();
	if (refused) {
		printf("bpf() refused (%s): skipped\n", strerror(-refused));
		return KERNEL_TEST_SKIP;
	}

	/* A broadcast IPv4 frame with a recognisable body. */
	memset(packet, 0xff, 6);
	for (int i = 6; i < PKT_LEN; i++)
		packet[i] = (uint8_t)(i * 7 + 3);
	packet[12] = 0x08;
	packet[13] = 0x00;
	skb_in.mark = 0x11223344;
	skb_in.priority = 5;
	skb_in.ingress_ifindex = 7;
	for (int i = 0; i < 5; i++)
		skb_in.cb[i] = 0xa0b0c0d0u + (uint32_t)i * 0x01010101u;
	skb_in.wire_len = PKT_LEN + 20;
	skb_in.gso_segs = 3;
	skb_in.gso_size = 1400;
	skb_in.hwtstamp = 0x1122334455667788ull;

	struct uebpf_vm *vm = uebpf_vm_new();
	if (!vm)
		return 1;
#define N(a) (sizeof(a) / sizeof(a[0]))
	run_probes(vm, BPF_PROG_TYPE_XDP, xdp_probes, N(xdp_probes), xdp_offs, N(xdp_offs),
		   xdp_setup, sizeof(struct uebpf_xdp_ctx), NULL, 0);
	run_probes(vm, BPF_PROG_TYPE_SCHED_CLS, skb_probes, N(skb_probes), skb_offs, N(skb_offs),
		   tc_setup, sizeof(struct uebpf_skb_ctx), &skb_in, sizeof(skb_in));
	run_probes(vm, BPF_PROG_TYPE_SCHED_CLS, tc_probes, N(tc_probes), skb_offs, N(skb_offs),
		   tc_setup, sizeof(struct uebpf_skb_ctx), &skb_in, sizeof(skb_in));
	run_probes(vm, BPF_PROG_TYPE_SOCKET_FILTER, skb_probes, N(skb_probes), skb_offs,
		   N(skb_offs), sk_filter_setup, sizeof(struct uebpf_skb_ctx), &skb_in,
		   sizeof(skb_in));
	uebpf_vm_free(vm);
	printf("%lu programs compared with the kernel's test runs\n", compared);
	return check_summary("progtypes_convert_kernel_diff_test");
}
