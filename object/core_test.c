/* SPDX-License-Identifier: MIT */
/*
 * CO-RE relocations against uebpf's types.
 *
 *   core_test unit OBJ...    relocates the test objects with uebpf and
 *                            checks chosen results against the host
 *                            compiler's layouts and the kernel's
 *                            definitions, and malformed records
 *   core_test libbpf OBJ...  the oracle: libbpf on this machine relocates
 *                            the same objects against the same target BTF
 *                            (btf_custom_path); every instruction of every
 *                            program must come out the same. libbpf
 *                            relocates during bpf_object__load, so this
 *                            needs bpf() (skipped, 77, where refused); the
 *                            kernel may then refuse the programs (poisoned
 *                            instructions, unused contexts), which does not
 *                            matter: the instructions are read afterwards.
 *
 * Instructions and relocation records come from the object through
 * libbpf's open (programs, one per section here) and a small .BTF.ext
 * reader below, not through uebpf's loader.
 */
#include "object/btf_ext.h"
#include "object/core.h"
#include "progtypes/btf.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"

#include <asm/ptrace.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_RELOS 512
#define MAX_PROGS 32

struct relo_rec {
	char sec[64];
	struct core_relo r;
	char access[64];
	char type_name[64];
	int rc;          /* core_relo_apply's result */
	char msg[512];
};

struct prog {
	char name[64];
	char sec[64];
	size_t cnt;
	struct uebpf_insn *orig;   /* as in the file */
	struct uebpf_insn *mine;   /* relocated by uebpf */
	struct uebpf_insn *theirs; /* relocated by libbpf */
};

struct object {
	const char *path;
	struct btf *btf;
	struct relo_rec relos[MAX_RELOS];
	int relo_cnt;
	struct prog progs[MAX_PROGS];
	int prog_cnt;
};

/* ---- reading the object (not with uebpf's code) ---- */

/* .BTF.ext's CO-RE records: header, then per section a name offset, a
 * count and the records (struct bpf_core_relo). */
static int read_core_relos(struct object *o)
{
	int fd = open(o->path, O_RDONLY);
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf_Data *ext = NULL;
	int err = -ENOENT;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		gelf_getshdr(scn, &sh);
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".BTF.ext"))
			ext = elf_getdata(scn, NULL);
	}
	if (!ext)
		goto out;
	const uint8_t *d = ext->d_buf;
	uint32_t hdr_len, off, len, rec_size;
	memcpy(&hdr_len, d + 4, 4);
	if (hdr_len < 32)
		goto out;
	memcpy(&off, d + 24, 4);
	memcpy(&len, d + 28, 4);
	const uint8_t *p = d + hdr_len + off, *end = p + len;
	memcpy(&rec_size, p, 4);
	p += 4;
	while (p + 8 <= end) {
		uint32_t sec_off, n;
		memcpy(&sec_off, p, 4);
		memcpy(&n, p + 4, 4);
		p += 8;
		for (uint32_t i = 0; i < n && p + rec_size <= end; i++, p += rec_size) {
			struct bpf_core_relo rec;
			memcpy(&rec, p, sizeof(rec));
			if (o->relo_cnt == MAX_RELOS)
				goto out;
			struct relo_rec *r = &o->relos[o->relo_cnt++];
			snprintf(r->sec, sizeof(r->sec), "%s", btf__name_by_offset(o->btf, sec_off));
			snprintf(r->access, sizeof(r->access), "%s",
				 btf__name_by_offset(o->btf, rec.access_str_off));
			const struct btf_type *t = btf__type_by_id(o->btf, rec.type_id);
			snprintf(r->type_name, sizeof(r->type_name), "%s",
				 t ? btf__name_by_offset(o->btf, t->name_off) : "?");
			r->r = (struct core_relo){ rec.insn_off / 8, rec.type_id, r->access, rec.kind };
		}
	}
	err = 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

static struct uebpf_insn *copy_insns(const struct bpf_insn *insns, size_t cnt)
{
	struct uebpf_insn *c = malloc(cnt * sizeof(*c) + 1);
	memcpy(c, insns, cnt * sizeof(*c));
	return c;
}

static char libbpf_log[1 << 20];
static size_t libbpf_log_len;

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (libbpf_log_len < sizeof(libbpf_log) - 1) {
		int n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len,
				  fmt, ap);
		if (n > 0)
			libbpf_log_len += (size_t)n;
		if (libbpf_log_len >= sizeof(libbpf_log))
			libbpf_log_len = sizeof(libbpf_log) - 1;
	}
	return 0;
}

/* Opens the object with libbpf for its programs; with target_path, also
 * loads it, so that libbpf relocates against that BTF. */
static struct object *object_open(const char *path, const char *target_path)
{
	struct object *o = calloc(1, sizeof(*o));
	o->path = path;
	o->btf = btf__parse_elf(path, NULL);
	if (!o->btf || read_core_relos(o)) {
		printf("cannot read %s\n", path);
		exit(1);
	}

	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = target_path);
	libbpf_log_len = 0;
	libbpf_log[0] = '\0';
	libbpf_set_print(capture);
	struct bpf_object *obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		printf("libbpf cannot open %s:\n%s\n", path, libbpf_log);
		exit(1);
	}
	struct bpf_program *bp;
	bpf_object__for_each_program(bp, obj) {
		struct prog *p = &o->progs[o->prog_cnt++];
		snprintf(p->name, sizeof(p->name), "%s", bpf_program__name(bp));
		snprintf(p->sec, sizeof(p->sec), "%s", bpf_program__section_name(bp));
		p->cnt = bpf_program__insn_cnt(bp);
		p->orig = copy_insns(bpf_program__insns(bp), p->cnt);
		p->mine = copy_insns(bpf_program__insns(bp), p->cnt);
	}
	if (target_path) {
		int err = bpf_object__load(obj); /* the kernel may refuse: fine */
		(void)err;
		int i = 0;
		bpf_object__for_each_program(bp, obj) {
			struct prog *p = &o->progs[i++];
			if (bpf_program__insn_cnt(bp) != p->cnt) {
				printf("%s: libbpf changed the length of %s\n", path, p->name);
				exit(1);
			}
			p->theirs = copy_insns(bpf_program__insns(bp), p->cnt);
		}
	}
	bpf_object__close(obj);
	libbpf_set_print(NULL);
	return o;
}

static void object_free(struct object *o)
{
	for (int i = 0; i < o->prog_cnt; i++) {
		free(o->progs[i].orig);
		free(o->progs[i].mine);
		free(o->progs[i].theirs);
	}
	btf__free(o->btf);
	free(o);
}

static struct prog *prog_of_section(struct object *o, const char *sec)
{
	for (int i = 0; i < o->prog_cnt; i++)
		if (!strcmp(o->progs[i].sec, sec))
			return &o->progs[i];
	return NULL;
}

/* uebpf relocates every record of every program. */
static void relocate_all(struct object *o)
{
	const struct btf *target = progtypes_btf();
	for (int i = 0; i < o->relo_cnt; i++) {
		struct relo_rec *r = &o->relos[i];
		struct prog *p = prog_of_section(o, r->sec);
		if (!p) {
			printf("%s: no program for section %s\n", o->path, r->sec);
			exit(1);
		}
		r->rc = core_relo_apply(o->btf, target, &r->r, p->mine, p->cnt, r->msg,
					sizeof(r->msg));
	}
}

static struct object *relocated(const char *path)
{
	struct object *o = object_open(path, NULL);
	relocate_all(o);
	return o;
}

static const char *obj_dir;

static char *obj_path(const char *name)
{
	static char buf[8][512];
	static int n;
	char *b = buf[n++ % 8];
	snprintf(b, 512, "%s/%s.bpf.o", obj_dir, name);
	return b;
}

/* The record of the given program, kind, local type and access path. */
static struct relo_rec *find(struct object *o, const char *prog, uint32_t kind,
			     const char *type, const char *access)
{
	for (int i = 0; i < o->relo_cnt; i++) {
		struct relo_rec *r = &o->relos[i];
		struct prog *p = prog_of_section(o, r->sec);
		if (p && !strcmp(p->name, prog) && r->r.kind == kind && !strcmp(r->type_name, type) &&
		    !strcmp(r->access, access))
			return r;
	}
	printf("no relocation %s %s %s in %s\n", btf_ext_core_kind_name(kind), type, access, prog);
	return NULL;
}

static const struct uebpf_insn *patched(struct object *o, struct relo_rec *r)
{
	return &prog_of_section(o, r->sec)->mine[r->r.insn_idx];
}

static bool is_poison(const struct uebpf_insn *insn)
{
	return insn->code == (BPF_JMP | BPF_CALL) && insn->imm == CORE_POISON_HELPER;
}

/* The value a relocated instruction holds: an immediate, an offset, or
 * the 64-bit immediate of an lddw. */
static int64_t value_of(const struct uebpf_insn *insn)
{
	switch (BPF_CLASS(insn->code)) {
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return insn->off;
	case BPF_LD:
		return (int64_t)((uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32);
	default:
		return insn->imm;
	}
}

#define CHECK_VALUE(o, prog, kind, type, access, expected)                       \
	do {                                                                     \
		struct relo_rec *r_ = find(o, prog, kind, type, access);         \
		CHECK(r_ != NULL);                                               \
		if (r_) {                                                        \
			CHECK_EQ(r_->rc, 0);                                     \
			CHECK_EQ(value_of(patched(o, r_)), (expected));          \
		}                                                                \
	} while (0)

/* ---- unit: uebpf's results against independent layouts ---- */

/* pt_regs: the host's <asm/ptrace.h> (user-space names) says where each
 * register is; the kernel names are at the same places. */
static void test_pt_regs_fields(void)
{
	struct object *o = relocated(obj_path("core_fields"));
	const char *t = "pt_regs___reordered";

	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:1", offsetof(struct pt_regs, rdi));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:2", offsetof(struct pt_regs, rsi));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:0", offsetof(struct pt_regs, rip));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:3", offsetof(struct pt_regs, rsp));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:4", offsetof(struct pt_regs, rdi));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:5", offsetof(struct pt_regs, orig_rax));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:6", offsetof(struct pt_regs, eflags));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:7", offsetof(struct pt_regs, cs));
	CHECK_VALUE(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:8", offsetof(struct pt_regs, ss));
	CHECK_VALUE(o, "field_info", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:3", offsetof(struct pt_regs, rsp));
	/* The kernel's cs is a u16 (Linux 6.9 and later). */
	CHECK_VALUE(o, "field_info", BPF_CORE_FIELD_BYTE_SIZE, t, "0:7", 2);
	CHECK_VALUE(o, "field_info", BPF_CORE_FIELD_EXISTS, t, "0:4", 1);
	CHECK_VALUE(o, "field_info", BPF_CORE_FIELD_EXISTS, t, "0:6", 1);

	/* Direct loads: offset patched; `unsigned short cs` stays 2 bytes. */
	struct relo_rec *r = find(o, "direct_regs", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:7");
	CHECK(r != NULL);
	if (r) {
		const struct uebpf_insn *insn = patched(o, r);
		CHECK_EQ(insn->off, offsetof(struct pt_regs, cs));
		CHECK_EQ(BPF_SIZE(insn->code), BPF_H);
	}
	object_free(o);
}

/* Tracepoint records, __sk_buff through a pointer, arrays, nesting: the
 * kernel's layouts (include/trace/events/syscalls.h: ent at 0, id at 8,
 * args[6] at 16; trace_entry: pid at 4, flags at 2) and <linux/bpf.h>. */
static void test_records_and_chains(void)
{
	struct object *o = relocated(obj_path("core_fields"));
	const char *t = "trace_event_raw_sys_enter___x";

	CHECK_VALUE(o, "sys_enter", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:0:2", 16 + 2 * 8);
	CHECK_VALUE(o, "sys_enter", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:0:5", 16 + 5 * 8);
	CHECK_VALUE(o, "sys_enter", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:1", 8);
	CHECK_VALUE(o, "sys_enter", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:2:0", 4);
	CHECK_VALUE(o, "sys_enter", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:2:1", 2);
	CHECK_VALUE(o, "field_info", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:0:4", 16 + 4 * 8);
	CHECK_VALUE(o, "field_info", BPF_CORE_FIELD_BYTE_SIZE, t, "0:0", 6 * 8);

	CHECK_VALUE(o, "skb_chain", BPF_CORE_FIELD_BYTE_OFFSET, "__sk_buff___x", "0:2",
		    offsetof(struct __sk_buff, sk));
	CHECK_VALUE(o, "skb_chain", BPF_CORE_FIELD_BYTE_OFFSET, "__sk_buff___x", "0:3:3",
		    offsetof(struct __sk_buff, remote_ip6[3]));
	CHECK_VALUE(o, "skb_chain", BPF_CORE_FIELD_BYTE_OFFSET, "__sk_buff___x", "0:0:1",
		    offsetof(struct __sk_buff, cb[1]));
	CHECK_VALUE(o, "skb_chain", BPF_CORE_FIELD_BYTE_OFFSET, "bpf_sock___x", "0:1",
		    offsetof(struct bpf_sock, family));
	CHECK_VALUE(o, "skb_chain", BPF_CORE_FIELD_BYTE_OFFSET, "bpf_sock___x", "0:0",
		    offsetof(struct bpf_sock, state));
	CHECK_VALUE(o, "xdp_explicit", BPF_CORE_FIELD_BYTE_OFFSET, "xdp_md", "0:1",
		    offsetof(struct xdp_md, data_end));
	CHECK_VALUE(o, "xdp_explicit", BPF_CORE_FIELD_BYTE_OFFSET, "xdp_md", "0:3",
		    offsetof(struct xdp_md, ingress_ifindex));
	object_free(o);
}

/* Every context access of a vmlinux.h-style program lands where
 * <linux/bpf.h> says (the same names, so the same offsets). */
static void test_contexts(void)
{
	struct object *o = relocated(obj_path("core_ctx"));
	int n = 0;

	for (int i = 0; i < o->relo_cnt; i++) {
		struct relo_rec *r = &o->relos[i];
		CHECK_REPORT(r->rc == 0, "%s %s: %s", r->type_name, r->access, r->msg);
		n++;
	}
	CHECK(n >= 40);
	CHECK_VALUE(o, "ctx_skb", BPF_CORE_FIELD_BYTE_OFFSET, "__sk_buff", "0:12:2",
		    offsetof(struct __sk_buff, cb[2]));
	CHECK_VALUE(o, "ctx_sock_ops", BPF_CORE_FIELD_BYTE_OFFSET, "bpf_sock_ops", "0:1:0:1",
		    offsetof(struct bpf_sock_ops, args[1]));
	CHECK_VALUE(o, "ctx_sk_lookup", BPF_CORE_FIELD_BYTE_OFFSET, "bpf_sk_lookup", "0:8",
		    offsetof(struct bpf_sk_lookup, local_port));
	CHECK_VALUE(o, "ctx_perf", BPF_CORE_FIELD_BYTE_OFFSET, "bpf_perf_event_data", "0:1",
		    8 * 21);
	CHECK_VALUE(o, "ctx_regs", BPF_CORE_FIELD_BYTE_OFFSET, "pt_regs", "0:14",
		    offsetof(struct pt_regs, rdi));
	/* Nothing changes where the program already agrees with uebpf. */
	for (int i = 0; i < o->prog_cnt; i++)
		CHECK_REPORT(!memcmp(o->progs[i].orig, o->progs[i].mine,
				     o->progs[i].cnt * sizeof(struct uebpf_insn)),
			     "%s changed", o->progs[i].name);
	object_free(o);
}

/* Values of the host compiler's <linux/bpf.h> and of the kernel's
 * tracepoint records. */
static void test_types_and_enums(void)
{
	struct object *o = relocated(obj_path("core_types"));

	CHECK_VALUE(o, "types", BPF_CORE_TYPE_EXISTS, "xdp_md", "0", 1);
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_EXISTS, "trace_entry___same", "0", 1);
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_EXISTS, "bpf_user_pt_regs_t___x", "0", 1);
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_EXISTS, "bpf_attr___x", "0", 0);
	/* A forward declaration matches no definition. */
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_EXISTS, "pt_regs", "0", 0);
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_SIZE, "__sk_buff", "0", sizeof(struct __sk_buff));
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_SIZE, "pt_regs___ptr", "0", sizeof(struct pt_regs));
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_SIZE, "trace_entry___subset", "0", 8);
	CHECK_VALUE(o, "types", BPF_CORE_TYPE_SIZE, "xdp_action___mine", "0", sizeof(enum xdp_action));

	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "trace_entry___same", "0", 1);
	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "trace_entry___subset", "0", 1);
	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "trace_entry___wide", "0", 0);
	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "pt_regs___ptr", "0", 0);
	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "xdp_action___mine", "0", 1);
	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "xdp_action___big", "0", 0);
	CHECK_VALUE(o, "matches", BPF_CORE_TYPE_MATCHES, "bpf_sock_tuple", "0", 1);

	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_VALUE, "xdp_action___mine", "1", XDP_PASS);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_VALUE, "xdp_action___mine", "2", XDP_TX);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_EXISTS, "xdp_action___mine", "0", 1);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_VALUE, "bpf_func_id", "113", BPF_FUNC_probe_read_kernel);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_VALUE, "bpf_map_type", "27", BPF_MAP_TYPE_RINGBUF);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_VALUE, "xdp_action___big", "1", XDP_REDIRECT);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_EXISTS, "xdp_action___big", "0", 1);

	/* Type ids: the local one unchanged, the target's names uebpf's type. */
	struct relo_rec *r = find(o, "type_ids", BPF_CORE_TYPE_ID_TARGET, "trace_entry___subset", "0");
	CHECK(r != NULL);
	if (r) {
		const struct btf *target = progtypes_btf();
		int64_t id = value_of(patched(o, r));
		const struct btf_type *t = btf__type_by_id(target, (uint32_t)id);
		CHECK(t && btf_is_struct(t));
		CHECK_STR(t ? btf__name_by_offset(target, t->name_off) : NULL, "trace_entry");
	}
	CHECK_VALUE(o, "type_ids", BPF_CORE_TYPE_ID_LOCAL, "trace_entry___subset", "0",
		    find(o, "type_ids", BPF_CORE_TYPE_ID_LOCAL, "trace_entry___subset", "0")->r.type_id);
	object_free(o);
}

/* Bitfields: iphdr's ihl is bits 0-3 and version bits 4-7 of byte 0
 * (little-endian bitfields of <linux/ip.h>), tos byte 1; tcphdr's flags
 * are in the u16 at 12: ae 0, res1 1-3, doff 4-7, fin 8, syn 9, rst 10, psh 11,
 * ack 12, urg 13, ece 14, cwr 15. Loads are of the field's type (u8 or
 * u16) at its aligned offset; shifts bring the bits to the top, then down. */
static void test_bitfields(void)
{
	struct object *o = relocated(obj_path("core_bitfields"));
	const char *ip = "iphdr___x", *tcp = "tcphdr___x";

	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_BYTE_OFFSET, ip, "0:0", 0);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_BYTE_SIZE, ip, "0:0", 1);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_LSHIFT_U64, ip, "0:0", 64 - 8);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_RSHIFT_U64, ip, "0:0", 64 - 4);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_LSHIFT_U64, ip, "0:1", 64 - 4);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_SIGNED, ip, "0:1", 0);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_BYTE_OFFSET, tcp, "0:6", 12);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_BYTE_SIZE, tcp, "0:6", 2);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_LSHIFT_U64, tcp, "0:6", 64 - 8);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_LSHIFT_U64, tcp, "0:2", 64 - 9);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_RSHIFT_U64, tcp, "0:2", 63);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_SIGNED, tcp, "0:2", 0);
	/* ece is 1 bit in uebpf's tcphdr, 3 bits locally. */
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_LSHIFT_U64, tcp, "0:5", 64 - 15);
	CHECK_VALUE(o, "probed", BPF_CORE_FIELD_RSHIFT_U64, tcp, "0:5", 63);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_BYTE_OFFSET, ip, "0:2", 1);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_RSHIFT_U64, ip, "0:2", 56);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_LSHIFT_U64, tcp, "0:4", 64 - 11);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_LSHIFT_U64, "ipv6hdr___x", "0:1", 64 - 4);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_EXISTS, tcp, "0:7", 0);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_BYTE_SIZE, "ipv6hdr___x", "0:2", 3);
	CHECK_VALUE(o, "direct", BPF_CORE_FIELD_BYTE_OFFSET, "ipv6hdr___x", "0:2:2", 3);
	object_free(o);
}

/* What uebpf lacks: existence 0, the rest poisoned with a message. */
static void test_missing(void)
{
	struct object *o = relocated(obj_path("core_missing"));
	struct relo_rec *r;

	CHECK_VALUE(o, "task", BPF_CORE_TYPE_EXISTS, "task_struct", "0", 0);
	CHECK_VALUE(o, "task", BPF_CORE_TYPE_SIZE, "task_struct", "0", 0);
	CHECK_VALUE(o, "task", BPF_CORE_TYPE_ID_TARGET, "task_struct", "0", 0);
	CHECK_VALUE(o, "task", BPF_CORE_FIELD_EXISTS, "task_struct", "0:1", 0);
	r = find(o, "task", BPF_CORE_FIELD_BYTE_OFFSET, "task_struct", "0:0");
	CHECK(r && r->rc == -ESRCH && is_poison(patched(o, r)));
	CHECK_CONTAINS(r ? r->msg : NULL, "struct task_struct is not a type uebpf provides");
	CHECK_CONTAINS(r ? r->msg : NULL, "struct task_struct.pid");

	r = find(o, "unguarded", BPF_CORE_FIELD_BYTE_OFFSET, "task_struct", "0:1");
	CHECK(r && r->rc == -ESRCH && is_poison(patched(o, r)));
	CHECK_CONTAINS(r ? r->msg : NULL, "insn 0: CO-RE byte_off of struct task_struct.tgid");

	CHECK_VALUE(o, "fields", BPF_CORE_FIELD_EXISTS, "pt_regs___extra", "0:1", 0);
	CHECK_VALUE(o, "fields", BPF_CORE_FIELD_BYTE_OFFSET, "pt_regs___extra", "0:0",
		    offsetof(struct pt_regs, rdi));
	r = find(o, "fields", BPF_CORE_FIELD_BYTE_OFFSET, "pt_regs___extra", "0:1");
	CHECK(r && r->rc == -ESRCH && is_poison(patched(o, r)));
	CHECK_CONTAINS(r ? r->msg : NULL, "field nosuch not found in struct pt_regs");

	const char *t = "trace_event_raw_sys_enter___long";
	CHECK_VALUE(o, "beyond", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:1:5", 16 + 5 * 8);
	CHECK_VALUE(o, "beyond", BPF_CORE_FIELD_EXISTS, t, "0:1:6", 0);
	r = find(o, "beyond", BPF_CORE_FIELD_BYTE_OFFSET, t, "0:1:7");
	CHECK(r && r->rc == -ESRCH && is_poison(patched(o, r)));
	CHECK_CONTAINS(r ? r->msg : NULL, "index 7 beyond args[6]");

	r = find(o, "widths", BPF_CORE_FIELD_BYTE_OFFSET, "trace_event_raw_sys_exit___s", "0:0:0");
	CHECK(r && r->rc == -ESRCH && is_poison(patched(o, r)));
	CHECK_CONTAINS(r ? r->msg : NULL, "cannot be resized");

	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_VALUE, "xdp_action___new", "0", XDP_PASS);
	CHECK_VALUE(o, "enums", BPF_CORE_ENUMVAL_EXISTS, "xdp_action___new", "1", 0);
	r = find(o, "enums", BPF_CORE_ENUMVAL_VALUE, "xdp_action___new", "1");
	CHECK(r && r->rc == -ESRCH);
	if (r) {
		/* Both halves of the lddw. */
		CHECK(is_poison(patched(o, r)) && is_poison(patched(o, r) + 1));
		CHECK_CONTAINS(r->msg, "enum value XDP_FUTURE not found in enum xdp_action");
	}
	object_free(o);
}

/* Malformed records and instructions: refused with -EINVAL and a
 * message, nothing patched. */
static void test_malformed(void)
{
	struct object *o = object_open(obj_path("core_fields"), NULL);
	const struct btf *target = progtypes_btf();
	struct relo_rec *good = find(o, "read_regs", BPF_CORE_FIELD_BYTE_OFFSET,
				     "pt_regs___reordered", "0:1");
	if (!good) {
		CHECK(good != NULL);
		object_free(o);
		return;
	}
	struct prog *p = prog_of_section(o, good->sec);
	const struct { uint32_t insn, type; const char *access; uint32_t kind; int rc; } cases[] = {
		{ 1, good->r.type_id, "", 0, -EINVAL },
		{ 1, good->r.type_id, ":1", 0, -EINVAL },
		{ 1, good->r.type_id, "0:", 0, -EINVAL },
		{ 1, good->r.type_id, "0::1", 0, -EINVAL },
		{ 1, good->r.type_id, "0:x", 0, -EINVAL },
		{ 1, good->r.type_id, "0:-1", 0, -EINVAL },
		{ 1, good->r.type_id, "0:99", 0, -EINVAL },
		{ 1, good->r.type_id, "0:99999999999", 0, -EINVAL },
		{ 1, good->r.type_id, "0:1:0", 0, -EINVAL },  /* into an unsigned long */
		{ 1, good->r.type_id, "1", BPF_CORE_TYPE_EXISTS, -EINVAL },
		{ 1, good->r.type_id, "0", 13, -EINVAL },
		{ 1, good->r.type_id, "0", BPF_CORE_ENUMVAL_VALUE, -EINVAL },
		{ 1, 0, "0", BPF_CORE_TYPE_EXISTS, -EINVAL },
		{ 1, 100000, "0:1", 0, -EINVAL },
		{ (uint32_t)p->cnt, good->r.type_id, "0:1", 0, -EINVAL },
		{ 0, good->r.type_id, "0:1", 0, -EINVAL },   /* r7 = r1: no immediate */
		{ 1, good->r.type_id, "0:2", 0, -EINVAL },   /* holds 8, not 16 */
		{ 7, good->r.type_id, "0:1", 0, -EINVAL },   /* a helper call */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct core_relo r = { cases[i].insn, cases[i].type, cases[i].access, cases[i].kind };
		char msg[256] = "";
		int rc = core_relo_apply(o->btf, target, &r, p->mine, p->cnt, msg, sizeof(msg));
		CHECK_REPORT(rc == cases[i].rc, "case %zu (%s): %d", i, cases[i].access, rc);
		CHECK_REPORT(!strncmp(msg, "insn ", 5), "case %zu: message \"%s\"", i, msg);
		CHECK_REPORT(!memcmp(p->mine, p->orig, p->cnt * sizeof(*p->mine)),
			     "case %zu patched something", i);
	}
	/* A 64-bit immediate cut off at the end of the program. */
	struct uebpf_insn lddw = { .code = BPF_LD | BPF_IMM | BPF_DW, .imm = 8 };
	char msg[256];
	CHECK_EQ(core_relo_apply(o->btf, target, &(struct core_relo){ 0, good->r.type_id, "0:1", 0 },
				 &lddw, 1, msg, sizeof(msg)), -EINVAL);
	CHECK_CONTAINS(msg, "lddw");
	/* No message buffer: still the error. */
	CHECK_EQ(core_relo_apply(o->btf, target, &(struct core_relo){ 1, good->r.type_id, "", 0 },
				 p->mine, p->cnt, NULL, 0), -EINVAL);
	/* The good record does its job once. */
	CHECK_EQ(core_relo_apply(o->btf, target, &good->r, p->mine, p->cnt, msg, sizeof(msg)), 0);
	CHECK_EQ(p->mine[1].imm, offsetof(struct pt_regs, rdi));
	object_free(o);
}

/* A program's BTF built to loop: typedefs and arrays that refer to
 * themselves, a struct that contains itself, deep anonymous nesting.
 * Every relocation ends, with an error or a value. */
static void test_hostile_btf(void)
{
	const struct btf *target = progtypes_btf();
	struct btf *b = btf__new_empty();
	int ul = btf__add_int(b, "unsigned long", 8, 0);                /* 1 */
	int td = btf__add_typedef(b, "pt_regs", 2);                      /* 2: itself */
	int arr = btf__add_array(b, ul, 3, 4);                           /* 3: of itself */
	int self = btf__add_struct(b, "pt_regs", 8);                     /* 4 */
	btf__add_field(b, "di", self, 0, 0);                             /* contains itself */
	btf__add_field(b, "si", arr, 0, 0);
	int anon = btf__add_struct(b, NULL, 8);                          /* 5 */
	btf__add_field(b, NULL, anon, 0, 0);                             /* anonymous in itself */
	int outer = btf__add_struct(b, "trace_entry", 8);                /* 6 */
	btf__add_field(b, NULL, anon, 0, 0);
	btf__add_field(b, "pid", 99, 0, 0);                              /* bad type id */
	int e = btf__add_enum(b, "xdp_action", 4);                       /* 7 */
	btf__add_enum_value(b, "XDP_PASS", 2);
	int ptr = btf__add_ptr(b, 8);                                    /* 8: to itself */
	int fp = btf__add_func_proto(b, self);                           /* 9 */
	btf__add_func_param(b, "x", fp);
	CHECK(td == 2 && arr == 3 && self == 4 && anon == 5 && outer == 6 && e == 7 && ptr == 8 &&
	      fp == 9);

	static const struct { uint32_t type; const char *access; } cases[] = {
		{ 2, "0" }, { 2, "0:0" }, { 3, "0" }, { 3, "0:1" }, { 4, "0:0:0:0:0:0:0:0:0:0:0" },
		{ 4, "0:1:2" }, { 4, "0:0:1:3" }, { 5, "0:0:0:0:0:0:0:0" }, { 6, "0:1" },
		{ 6, "0:0:0:0" }, { 7, "0" }, { 8, "0" }, { 9, "0" },
	};
	int done = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (uint32_t kind = 0; kind <= BPF_CORE_TYPE_MATCHES; kind++) {
			struct uebpf_insn insns[2] = {
				{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .imm = 0 },
				{ .code = BPF_JMP | BPF_EXIT },
			};
			struct core_relo r = { 0, cases[i].type, cases[i].access, kind };
			char msg[256];
			int rc = core_relo_apply(b, target, &r, insns, 2, msg, sizeof(msg));
			if (getenv("CORE_TEST_VERBOSE"))
				printf("%d %s\n", rc, msg);
			CHECK_REPORT(rc <= 0 && rc > -4096, "type %u %s kind %u: %d", cases[i].type,
				     cases[i].access, kind, rc);
			CHECK_REPORT(rc == 0 || !strncmp(msg, "insn 0: CO-RE ", 14),
				     "type %u %s kind %u: message \"%s\"", cases[i].type,
				     cases[i].access, kind, msg);
			done++;
		}
	}
	CHECK_EQ(done, 13 * 13);
	btf__free(b);
}

/* Random records over a real program's BTF: never a crash (ASan builds),
 * always 0 or a negative errno with a message. */
static void test_random_records(void)
{
	struct object *o = object_open(obj_path("core_bitfields"), NULL);
	const struct btf *target = progtypes_btf();
	struct prog *p = &o->progs[0];
	struct uebpf_insn *insns = malloc(p->cnt * sizeof(*insns));
	uint32_t ntypes = btf__type_cnt(o->btf);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int ok = 0, errors = 0, bad = 0;

	for (int i = 0; i < 20000; i++) {
		char access[64];
		size_t n = 0;
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		int steps = 1 + (int)(seed >> 60) % 5;
		for (int s = 0; s < steps; s++)
			n += (size_t)snprintf(access + n, sizeof(access) - n, "%s%u", s ? ":" : "",
					      (unsigned)(seed >> (8 * s)) % (s ? 12 : 2));
		struct core_relo r = {
			.insn_idx = (uint32_t)(seed >> 20) % (uint32_t)(p->cnt + 1),
			.type_id = (uint32_t)(seed >> 32) % (ntypes + 2),
			.access_str = access,
			.kind = (uint32_t)(seed >> 40) % 14,
		};
		char msg[256] = "";
		memcpy(insns, p->orig, p->cnt * sizeof(*insns));
		int rc = core_relo_apply(o->btf, target, &r, insns, p->cnt, msg, sizeof(msg));
		if (rc == 0) {
			ok++;
		} else if (rc < 0 && msg[0]) {
			errors++;
		} else if (bad++ == 0) {
			printf("rc %d for type %u %s kind %u: \"%s\"\n", rc, r.type_id, access,
			       r.kind, msg);
		}
	}
	printf("random records: %d relocated, %d refused\n", ok, errors);
	CHECK_EQ(bad, 0);
	CHECK(ok > 100 && errors > 100);
	free(insns);
	object_free(o);
}

/* ---- libbpf: the same instructions ---- */

static char target_file[] = "/tmp/uebpf-core-target-XXXXXX";

static int write_target(void)
{
	size_t size;
	const void *data = progtypes_btf_data(&size);
	int fd = mkstemp(target_file);
	if (fd < 0)
		return -errno;
	int ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok ? 0 : -EIO;
}

static int relocs_total, relocs_poisoned, insns_total, insns_changed;

static void compare_with_libbpf(const char *path)
{
	struct object *o = object_open(path, target_file);
	relocate_all(o);

	/* libbpf relocated every record (and none failed outright). */
	int patched_n = 0;
	for (const char *s = libbpf_log; (s = strstr(s, ": relo #")); s++)
		if (!strncmp(strchr(s + 8, ':'), ": patched insn", 14) ||
		    !strncmp(strchr(s + 8, ':'), ": substituting insn", 19))
			patched_n++;
	CHECK_REPORT(strstr(libbpf_log, "failed to relocate") == NULL, "%s: libbpf:\n%s", path,
		     libbpf_log);
	CHECK_REPORT(patched_n >= o->relo_cnt, "%s: libbpf patched %d of %d records", path,
		     patched_n, o->relo_cnt);

	for (int i = 0; i < o->prog_cnt; i++) {
		struct prog *p = &o->progs[i];
		for (size_t k = 0; k < p->cnt; k++) {
			const struct uebpf_insn *a = &p->mine[k], *b = &p->theirs[k];
			CHECK_REPORT(!memcmp(a, b, sizeof(*a)),
				     "%s %s insn %zu: uebpf %02x %x %x %d %d, libbpf %02x %x %x %d %d",
				     path, p->name, k, a->code, a->dst_reg, a->src_reg, a->off, a->imm,
				     b->code, b->dst_reg, b->src_reg, b->off, b->imm);
			insns_changed += memcmp(b, &p->orig[k], sizeof(*b)) != 0;
		}
		insns_total += (int)p->cnt;
	}
	/* Poisoned where libbpf poisoned, and only there reported. */
	for (int i = 0; i < o->relo_cnt; i++) {
		struct relo_rec *r = &o->relos[i];
		struct prog *p = prog_of_section(o, r->sec);
		bool poisoned = is_poison(&p->theirs[r->r.insn_idx]) &&
				!is_poison(&p->orig[r->r.insn_idx]);
		CHECK_REPORT(r->rc == (poisoned ? -ESRCH : 0), "%s %s %s %s: rc %d: %s", path,
			     p->name, btf_ext_core_kind_name(r->r.kind), r->access, r->rc, r->msg);
		relocs_total++;
		relocs_poisoned += poisoned;
	}
	object_free(o);
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "unit") && strcmp(argv[1], "libbpf"))) {
		fprintf(stderr, "usage: %s unit|libbpf OBJDIR\n", argv[0]);
		return 2;
	}
	obj_dir = argv[2];
	if (!progtypes_btf()) {
		printf("uebpf's program type BTF does not parse: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "unit")) {
		RUN(test_pt_regs_fields);
		RUN(test_records_and_chains);
		RUN(test_contexts);
		RUN(test_types_and_enums);
		RUN(test_bitfields);
		RUN(test_missing);
		RUN(test_malformed);
		RUN(test_hostile_btf);
		RUN(test_random_records);
		return check_summary("core_test unit");
	}

	/* libbpf loads (and so relocates) only where bpf() works. */
	static const struct uebpf_insn ret0[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K }, { .code = BPF_JMP | BPF_EXIT } };
	int fd = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, NULL, 0, 0);
	if (fd < 0 && kernel_bpf_refused(fd)) {
		printf("SKIP: bpf() refused (%s): libbpf relocates only while loading\n",
		       strerror(-fd));
		return KERNEL_TEST_SKIP;
	}
	if (fd >= 0)
		close(fd);
	if (write_target()) {
		printf("cannot write the target BTF to %s\n", target_file);
		return 1;
	}
	static const char *const objs[] = { "core_fields", "core_ctx", "core_types",
					    "core_bitfields", "core_missing" };
	for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		check_current = objs[i];
		int before = check_failed;
		compare_with_libbpf(obj_path(objs[i]));
		printf("%s %s\n", check_failed == before ? "PASS" : "FAIL", objs[i]);
	}
	unlink(target_file);
	printf("%d relocations (%d poisoned) in %d instructions compared with libbpf, "
	       "which changed %d of them\n",
	       relocs_total, relocs_poisoned, insns_total, insns_changed);
	/* The comparison means something only if libbpf did relocate. */
	CHECK(insns_changed >= 50 && relocs_poisoned >= 5);
	return check_summary("core_test libbpf");
}
