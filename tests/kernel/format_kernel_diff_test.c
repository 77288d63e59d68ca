/* SPDX-License-Identifier: MIT */
/*
 * bpf_snprintf, bpf_trace_printk, bpf_trace_vprintk and bpf_strncmp
 * against the kernel: the same program, run by BPF_PROG_TEST_RUN and by
 * the interpreter (checked or not, at random), must return the same r0
 * and produce the same bytes:
 *
 *  - snprintf: the whole output buffer (bytes past the output untouched
 *    alike); the format sits in a frozen BPF_F_RDONLY_PROG array as the
 *    verifier requires, and a format the verifier refuses at load
 *    ("Invalid format string") must give -EINVAL here;
 *  - trace_printk / trace_vprintk: the message the kernel writes to the
 *    trace pipe (a tracefs instance of this test, filtered to this
 *    thread) and the message uebpf puts in its pinned trace ring, read
 *    back by this test; at the end `uebpf trace pipe --once` (when its
 *    path is given) must print lines in the kernel's layout;
 *  - strncmp: r0.
 *
 * Cases: fixed edge cases (every conversion, widths, truncation, the
 * 512-byte argument buffer, bad formats and sizes), then seeded random
 * formats and arguments. Arguments are chosen so that the two can agree:
 * %p/%pK get NULL or error values (others are hashed with a secret key),
 * %s reads map memory (uebpf has no kernel memory), %pus this process's.
 *
 *   format_kernel_diff_test [CASES [SEED [PATH-TO-uebpf]]]
 *
 * Skips (exit 77) where bpf() is not permitted; the trace_printk part is
 * skipped where tracefs cannot be reached.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

/* ---- cases ---- */

enum kind { K_SNPRINTF, K_PRINTK, K_VPRINTK, K_STRNCMP };
static const char *const kind_names[] = { "snprintf", "trace_printk", "trace_vprintk",
					  "strncmp" };

enum arg_kind { A_NUM, A_POOL, A_USER };

#define MAX_ARGS 13
#define POOL_OFF 128
#define POOL_SIZE 896
#define ARGS_VALUE 1024
#define FMT_VALUE 512
#define OUT_VALUE 1024

struct arg {
	int kind;
	uint64_t val; /* A_NUM: the value; A_POOL: offset in the pool; A_USER: address */
};

struct tcase {
	int kind;
	char fmt[FMT_VALUE]; /* NUL-terminated somewhere (fmt_bytes given) */
	size_t fmt_bytes;    /* bytes of fmt to store, NUL(s) included */
	int fmt_delta;       /* printk: fmt_size = fmt_bytes + delta */
	int nargs;
	struct arg args[MAX_ARGS];
	uint32_t data_len;   /* vprintk, snprintf */
	int null_data;       /* data passed as NULL (data_len 0) */
	uint32_t str_size;   /* snprintf; strncmp: s1_sz */
	int null_str;        /* snprintf: str NULL (size 0) */
	uint32_t fmt_off;    /* strncmp: s2 at this offset of the format map */
	uint8_t pool[POOL_SIZE];
	size_t pool_used;
};

/* Strings %pus reads: this process's memory, the same on both sides. */
static const char user_strings[][24] = { "user", "", "a user string", "xyz\t!" };

/* ---- the two sides ---- */

static struct uebpf_vm *vm;
static char errbuf[512];
static char vlog[1 << 16];

static int k_map(uint32_t vs, uint32_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = vs;
	a.max_entries = 1;
	a.map_flags = flags;
	int fd = kernel_bpf(BPF_MAP_CREATE, &a);
	return fd < 0 ? -errno : fd;
}

static int k_set(int fd, const void *value)
{
	union bpf_attr a;
	uint32_t zero = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)&zero;
	a.value = (uintptr_t)value;
	return kernel_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0 ? -errno : 0;
}

static int k_get(int fd, void *value)
{
	union bpf_attr a;
	uint32_t zero = 0;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uintptr_t)&zero;
	a.value = (uintptr_t)value;
	return kernel_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0 ? -errno : 0;
}

static int u_map(uint32_t vs, uint32_t flags)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };
	return uebpf_map_create(BPF_MAP_TYPE_ARRAY, "fmtdiff", 4, vs, 1, &o);
}

static int u_set(int fd, const void *value)
{
	uint32_t zero = 0;
	return uebpf_map_update_elem(fd, &zero, value, 0);
}

static int u_get(int fd, void *value)
{
	uint32_t zero = 0;
	return uebpf_map_lookup_elem(fd, &zero, value);
}

/* ---- program text ---- */

struct text {
	char s[32768];
	size_t n;
};

static void emit(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->s + t->n, sizeof(t->s) - t->n, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(t->s) - t->n)
		t->n += (size_t)n;
}

/* Puts len bytes at r10 - top (top a multiple of 8, len <= top). */
static void emit_stack_bytes(struct text *t, const void *bytes, size_t len, size_t top)
{
	uint8_t buf[FMT_VALUE + 16] = { 0 };
	memcpy(buf, bytes, len);
	for (size_t i = 0; i < top; i += 8) {
		uint64_t v;
		memcpy(&v, buf + i, 8);
		emit(t, "r1 = 0x%" PRIx64 " ll\n*(u64 *)(r10 - %zu) = r1\n", v, top - i);
	}
}

/* rN = argument i. */
static void emit_arg(struct text *t, int reg, const struct arg *a, int args_fd)
{
	if (a->kind == A_POOL)
		emit(t, "r%d = map[fd:%d][0]+%" PRIu64 "\n", reg, args_fd, POOL_OFF + a->val);
	else
		emit(t, "r%d = 0x%" PRIx64 " ll\n", reg, a->val);
}

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* The program of a case, for the maps of one side. */
static void program(const struct tcase *c, struct text *t, int args_fd, int fmt_fd, int out_fd)
{
	t->n = 0;
	switch (c->kind) {
	case K_SNPRINTF:
		for (int i = 0; i < MAX_ARGS; i++) {
			struct arg zero = { A_NUM, 0 };
			emit_arg(t, 1, i < c->nargs ? &c->args[i] : &zero, args_fd);
			emit(t, "*(u64 *)(r10 - %d) = r1\n", 8 * (MAX_ARGS - i));
		}
		if (c->null_str)
			emit(t, "r1 = 0\n");
		else
			emit(t, "r1 = map[fd:%d][0]+0\n", out_fd);
		emit(t, "r2 = %u\nr3 = map[fd:%d][0]+0\n", c->str_size, fmt_fd);
		if (c->null_data)
			emit(t, "r4 = 0\n");
		else
			emit(t, "r4 = r10\nr4 += -%d\n", 8 * MAX_ARGS);
		emit(t, "r5 = %u\ncall bpf_snprintf\nexit\n", c->data_len);
		break;
	case K_PRINTK:
	case K_VPRINTK: {
		size_t size = c->fmt_bytes + (size_t)(int64_t)c->fmt_delta;
		size_t top = round8(size > c->fmt_bytes ? size : c->fmt_bytes);
		emit_stack_bytes(t, c->fmt, c->fmt_bytes, top);
		if (c->kind == K_PRINTK) {
			for (int i = 0; i < 3; i++) {
				struct arg zero = { A_NUM, 0 };
				emit_arg(t, 3 + i, i < c->nargs ? &c->args[i] : &zero, args_fd);
			}
			emit(t, "r1 = r10\nr1 += -%zu\nr2 = %zu\ncall bpf_trace_printk\nexit\n", top,
			     size);
		} else {
			for (int i = 0; i < MAX_ARGS; i++) {
				struct arg zero = { A_NUM, 0 };
				emit_arg(t, 1, i < c->nargs ? &c->args[i] : &zero, args_fd);
				emit(t, "*(u64 *)(r10 - %zu) = r1\n", top + 8 * (size_t)(MAX_ARGS - i));
			}
			emit(t, "r1 = r10\nr1 += -%zu\nr2 = %zu\n", top, size);
			if (c->null_data)
				emit(t, "r3 = 0\n");
			else
				emit(t, "r3 = r10\nr3 += -%zu\n", top + 8 * MAX_ARGS);
			emit(t, "r4 = %u\ncall bpf_trace_vprintk\nexit\n", c->data_len);
		}
		break;
	}
	case K_STRNCMP:
		emit(t, "r1 = map[fd:%d][0]+%d\nr2 = %u\nr3 = map[fd:%d][0]+%u\n"
		     "call bpf_strncmp\nexit\n", args_fd, POOL_OFF, c->str_size, fmt_fd, c->fmt_off);
		break;
	}
}

static int assemble(const char *text, struct uebpf_insn **insns, size_t *cnt)
{
	struct uebpf_asm_opts o = { .sz = sizeof(o), .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	int rc = uebpf_asm(text, insns, cnt, &o);
	if (rc)
		printf("assembler: %s\n", errbuf);
	return rc;
}

/* ---- the kernel's trace pipe, in an instance of our own ---- */

static struct {
	char root[256];     /* tracefs */
	char mounted[256];  /* our own mount point, to remove */
	char instance[300];
	int pipe_fd;
	int top_was_off; /* loading a printk program turns the event on */
} kt = { .pipe_fd = -1 };

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int trace_setup(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512];
	for (size_t i = 0; i < 2 && !kt.root[0]; i++) {
		snprintf(path, sizeof(path), "%s/instances", roots[i]);
		if (access(path, F_OK) == 0)
			snprintf(kt.root, sizeof(kt.root), "%s", roots[i]);
	}
	if (!kt.root[0]) {
		char dir[] = "/tmp/uebpf-tracefs-XXXXXX";
		if (!mkdtemp(dir))
			return -1;
		if (mount("nodev", dir, "tracefs", 0, NULL)) {
			rmdir(dir);
			return -1;
		}
		snprintf(kt.root, sizeof(kt.root), "%s", dir);
		snprintf(kt.mounted, sizeof(kt.mounted), "%s", dir);
	}
	snprintf(path, sizeof(path), "%s/events/bpf_trace/bpf_trace_printk/enable", kt.root);
	int fd = open(path, O_RDONLY);
	char state = 0;
	if (fd >= 0) {
		kt.top_was_off = read(fd, &state, 1) == 1 && state == '0';
		close(fd);
	}
	snprintf(kt.instance, sizeof(kt.instance), "%s/instances/uebpf_fmt_%d", kt.root,
		 (int)getpid());
	if (mkdir(kt.instance, 0700))
		return -1;
	/* Only this thread's messages (other programs may print too). */
	char filter[64];
	snprintf(filter, sizeof(filter), "common_pid == %d", (int)gettid());
	snprintf(path, sizeof(path), "%s/events/bpf_trace/bpf_trace_printk/filter", kt.instance);
	if (write_file(path, filter))
		return -1;
	snprintf(path, sizeof(path), "%s/events/bpf_trace/bpf_trace_printk/enable", kt.instance);
	if (write_file(path, "1"))
		return -1;
	snprintf(path, sizeof(path), "%s/trace_pipe", kt.instance);
	kt.pipe_fd = open(path, O_RDONLY | O_NONBLOCK);
	return kt.pipe_fd < 0 ? -1 : 0;
}

static void trace_cleanup(void)
{
	if (kt.pipe_fd >= 0)
		close(kt.pipe_fd);
	if (kt.instance[0])
		rmdir(kt.instance);
	if (kt.top_was_off) {
		char path[512];
		snprintf(path, sizeof(path), "%s/events/bpf_trace/bpf_trace_printk/enable", kt.root);
		write_file(path, "0");
	}
	if (kt.mounted[0]) {
		umount(kt.mounted);
		rmdir(kt.mounted);
	}
}

/* Everything the kernel's pipe holds now. */
static size_t trace_read(char *buf, size_t size)
{
	size_t n = 0;
	while (n < size) {
		ssize_t r = read(kt.pipe_fd, buf + n, size - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return n;
}

/* ---- uebpf's trace ring ---- */

struct urec {
	uint32_t magic, hdr_size;
	uint64_t ts_ns;
	uint32_t tgid, pid, cpu, reserved;
	char comm[16];
};

static struct {
	int fd;
	struct uebpf_ringbuf *rb;
	int records;
	char msg[2048];
	size_t len;
	struct urec rec;
} ur = { .fd = -1 };

static int ring_cb(void *ctx, void *data, size_t size)
{
	ur.records++;
	if (size < sizeof(struct urec))
		return 0;
	memcpy(&ur.rec, data, sizeof(ur.rec));
	if (ur.rec.hdr_size > size)
		return 0;
	ur.len = size - ur.rec.hdr_size;
	if (ur.len > sizeof(ur.msg))
		ur.len = sizeof(ur.msg);
	memcpy(ur.msg, (char *)data + ur.rec.hdr_size, ur.len);
	return 0;
}

/* The messages uebpf wrote since the last call: their number. */
static int ring_read(void)
{
	ur.records = 0;
	ur.len = 0;
	if (!ur.rb) {
		ur.fd = uebpf_obj_get(".trace_pipe");
		if (ur.fd < 0)
			return 0;
		ur.rb = uebpf_ringbuf_new(ur.fd, ring_cb, NULL);
		if (!ur.rb)
			return -1;
	}
	return uebpf_ringbuf_consume(ur.rb) < 0 ? -1 : ur.records;
}

/* ---- running a case ---- */

static struct side {
	int args_fd, out_fd;
} ks, us;

static unsigned long long ran[4], load_refused[4], checked_runs, trace_compared;
static int trace_ok;

static void show_bytes(const char *label, const void *p, size_t n)
{
	const unsigned char *s = p;
	printf("  %s (%zu): \"", label, n);
	for (size_t i = 0; i < n && i < 300; i++)
		if (s[i] >= 32 && s[i] < 127 && s[i] != '\\')
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	printf("\"%s\n", n > 300 ? "..." : "");
}

static void describe(const char *what, const struct tcase *c)
{
	printf("FAIL %s: %s, format", kind_names[c->kind], what);
	show_bytes("", c->fmt, c->fmt_bytes);
	printf("  fmt_delta %d nargs %d data_len %u str_size %u null_str %d null_data %d\n",
	       c->fmt_delta, c->nargs, c->data_len, c->str_size, c->null_str, c->null_data);
	for (int i = 0; i < c->nargs; i++)
		printf("  arg %d: kind %d value 0x%" PRIx64 "\n", i, c->args[i].kind, c->args[i].val);
}

static int run_case(const struct tcase *c)
{
	uint8_t args_val[ARGS_VALUE] = { 0 }, fmt_val[FMT_VALUE] = { 0 };
	uint8_t kout[OUT_VALUE], uout[OUT_VALUE];
	struct text t;
	struct uebpf_insn *insns;
	size_t cnt;
	int failed = 0;

	memcpy(args_val + POOL_OFF, c->pool, sizeof(c->pool));
	memcpy(fmt_val, c->fmt, c->fmt_bytes);
	memset(kout, 0xaa, sizeof(kout));
	memset(uout, 0xaa, sizeof(uout));
	if (k_set(ks.args_fd, args_val) || k_set(ks.out_fd, kout) || u_set(us.args_fd, args_val) ||
	    u_set(us.out_fd, uout)) {
		describe("setting the maps failed", c);
		return 1;
	}
	int kfmt = -1, ufmt = -1;
	if (c->kind == K_SNPRINTF || c->kind == K_STRNCMP) {
		kfmt = k_map(FMT_VALUE, BPF_F_RDONLY_PROG);
		ufmt = u_map(FMT_VALUE, BPF_F_RDONLY_PROG);
		if (kfmt < 0 || ufmt < 0 || k_set(kfmt, fmt_val) || kernel_map_freeze(kfmt) ||
		    u_set(ufmt, fmt_val) || uebpf_map_freeze(ufmt)) {
			describe("creating the format map failed", c);
			failed = 1;
			goto out;
		}
	}
	ran[c->kind]++;

	/* The kernel. */
	program(c, &t, ks.args_fd, kfmt, ks.out_fd);
	if (assemble(t.s, &insns, &cnt)) {
		failed = 1;
		goto out;
	}
	int prog = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog, sizeof(vlog), 1);
	free(insns);
	uint32_t kr0 = 0;
	int k_refused = 0;
	if (prog < 0) {
		/* The verifier checks the format and data_len of snprintf. */
		if (c->kind == K_SNPRINTF && prog == -EINVAL &&
		    (strstr(vlog, "Invalid format string") || c->data_len % 8)) {
			k_refused = 1;
			kr0 = (uint32_t)-EINVAL;
			load_refused[c->kind]++;
		} else {
			describe("the kernel refused the program", c);
			printf("  %s\n", vlog + (strlen(vlog) > 400 ? strlen(vlog) - 400 : 0));
			failed = 1;
			goto out;
		}
	} else {
		int rc = kernel_test_run(prog, &kr0);
		close(prog);
		if (rc) {
			describe("BPF_PROG_TEST_RUN failed", c);
			failed = 1;
			goto out;
		}
	}
	char ktrace[8192];
	size_t ktrace_len = 0;
	int tracing = (c->kind == K_PRINTK || c->kind == K_VPRINTK) && trace_ok;
	if (tracing)
		ktrace_len = trace_read(ktrace, sizeof(ktrace));
	if (c->kind == K_SNPRINTF && k_get(ks.out_fd, kout)) {
		failed = 1;
		goto out;
	}

	/* uebpf. */
	program(c, &t, us.args_fd, ufmt, us.out_fd);
	if (assemble(t.s, &insns, &cnt)) {
		failed = 1;
		goto out;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
				      .err_size = sizeof(errbuf) };
	int lrc = uebpf_code_load(vm, insns, cnt, &lo, &code);
	free(insns);
	if (lrc) {
		describe("uebpf_code_load failed", c);
		printf("  %s\n", errbuf);
		failed = 1;
		goto out;
	}
	int checked = (int)below(2);
	checked_runs += (unsigned)checked;
	uint64_t ur0 = 0;
	struct uebpf_run_opts ro = { .sz = sizeof(ro), .checked = checked, .err_buf = errbuf,
				     .err_size = sizeof(errbuf) };
	uint8_t pkt[64] = { 0 };
	int rrc = uebpf_code_run(code, (uintptr_t)pkt, sizeof(pkt), &ro, &ur0);
	uebpf_code_free(code);
	if (rrc) {
		describe("the uebpf run failed", c);
		printf("  %s (%s mode)\n", errbuf, checked ? "checked" : "normal");
		failed = 1;
		goto out;
	}
	if ((int32_t)kr0 != (int32_t)ur0) {
		describe("r0 differs", c);
		printf("  kernel %d%s, uebpf %d\n", (int32_t)kr0, k_refused ? " (load refused)" : "",
		       (int32_t)ur0);
		failed = 1;
		if (c->kind == K_SNPRINTF && !k_refused && !u_get(us.out_fd, uout)) {
			size_t n = 0;
			while (n < sizeof(kout) && (kout[n] != 0xaa || uout[n] != 0xaa))
				n++;
			show_bytes("kernel", kout, n);
			show_bytes("uebpf ", uout, n);
		}
		if (c->kind == K_SNPRINTF && !k_refused && c->str_size < OUT_VALUE) {
			/* Once more with the whole buffer, to show the texts. */
			struct tcase *again = malloc(sizeof(*again));
			*again = *c;
			again->str_size = OUT_VALUE;
			again->null_str = 0;
			printf("  again with %u bytes:\n", OUT_VALUE);
			run_case(again);
			free(again);
		}
		goto out;
	}
	if (c->kind == K_SNPRINTF) {
		if (u_get(us.out_fd, uout) || memcmp(kout, uout, sizeof(kout))) {
			describe("the output buffers differ", c);
			size_t n = 0;
			while (n < sizeof(kout) && (kout[n] != 0xaa || uout[n] != 0xaa))
				n++;
			show_bytes("kernel", kout, n);
			show_bytes("uebpf ", uout, n);
			failed = 1;
		}
	}
	if (tracing) {
		int records = ring_read();
		const char *tag = "bpf_trace_printk: ";
		char *at = ktrace_len ? memmem(ktrace, ktrace_len, tag, strlen(tag)) : NULL;
		if ((int32_t)kr0 < 0) {
			if (ktrace_len || records) {
				describe("a failed call printed", c);
				failed = 1;
			}
		} else if (!at || records != 1 || ktrace[ktrace_len - 1] != '\n') {
			describe("messages missing", c);
			printf("  kernel pipe %zu bytes, uebpf records %d\n", ktrace_len, records);
			show_bytes("kernel", ktrace, ktrace_len);
			failed = 1;
		} else {
			size_t klen = ktrace_len - (size_t)(at + strlen(tag) - ktrace) - 1;
			const char *kmsg = at + strlen(tag);
			trace_compared++;
			if (klen != ur.len || memcmp(kmsg, ur.msg, klen)) {
				describe("the messages differ", c);
				show_bytes("kernel", kmsg, klen);
				show_bytes("uebpf ", ur.msg, ur.len);
				failed = 1;
			} else if (ur.rec.pid != (uint32_t)gettid() ||
				   ur.rec.tgid != (uint32_t)getpid()) {
				describe("the record's pid is wrong", c);
				failed = 1;
			}
		}
	}
out:
	if (failed && (c->kind == K_PRINTK || c->kind == K_VPRINTK) && trace_ok) {
		/* Leave nothing behind for the next case. */
		char scratch[8192];
		trace_read(scratch, sizeof(scratch));
		ring_read();
	}
	if (kfmt >= 0)
		close(kfmt);
	if (ufmt >= 0)
		uebpf_map_close(ufmt);
	CHECK_REPORT(!failed, "%s case", kind_names[c->kind]);
	return failed;
}

/* ---- building cases ---- */

static void case_init(struct tcase *c, int kind)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
}

static void set_fmt(struct tcase *c, const char *fmt, size_t bytes)
{
	memcpy(c->fmt, fmt, bytes);
	c->fmt[bytes] = '\0';
	c->fmt_bytes = bytes + 1;
}

static uint64_t pool_put(struct tcase *c, const void *data, size_t len)
{
	size_t off = (c->pool_used + 7) & ~(size_t)7;
	if (off + len > POOL_SIZE)
		off = POOL_SIZE - len; /* tests keep within the pool */
	memcpy(c->pool + off, data, len);
	c->pool_used = off + len;
	return off;
}

static void add_arg(struct tcase *c, int kind, uint64_t val)
{
	if (c->nargs < MAX_ARGS)
		c->args[c->nargs++] = (struct arg){ kind, val };
}

/* Arguments written as words: "s:TEXT" a string in the pool, "b:HEX" bytes
 * in the pool, "u:N" user string N, "N" a number. */
static void add_args(struct tcase *c, va_list ap)
{
	const char *a;
	while ((a = va_arg(ap, const char *))) {
		if (!strncmp(a, "s:", 2)) {
			add_arg(c, A_POOL, pool_put(c, a + 2, strlen(a + 2) + 1));
		} else if (!strncmp(a, "b:", 2)) {
			uint8_t bytes[64];
			size_t n = 0;
			for (const char *p = a + 2; p[0] && p[1] && n < sizeof(bytes); p += 2) {
				unsigned v;
				sscanf(p, "%2x", &v);
				bytes[n++] = (uint8_t)v;
			}
			add_arg(c, A_POOL, pool_put(c, bytes, n));
		} else if (!strncmp(a, "u:", 2)) {
			add_arg(c, A_USER, (uintptr_t)user_strings[atoi(a + 2)]);
		} else {
			add_arg(c, A_NUM, strtoull(a, NULL, 0));
		}
	}
}

static int fixed_failures;

/* snprintf into str_size bytes. */
static void snp(uint32_t str_size, const char *fmt, ...)
{
	struct tcase c;
	va_list ap;
	case_init(&c, K_SNPRINTF);
	set_fmt(&c, fmt, strlen(fmt));
	c.str_size = str_size;
	va_start(ap, fmt);
	add_args(&c, ap);
	va_end(ap);
	c.data_len = 8 * (uint32_t)c.nargs;
	fixed_failures += run_case(&c);
}

/* trace_printk (vprintk: vp) with fmt_size = strlen + 1 + delta. */
static void prk(int vp, int delta, const char *fmt, ...)
{
	struct tcase c;
	va_list ap;
	case_init(&c, vp ? K_VPRINTK : K_PRINTK);
	set_fmt(&c, fmt, strlen(fmt));
	c.fmt_delta = delta;
	va_start(ap, fmt);
	add_args(&c, ap);
	va_end(ap);
	c.data_len = 8 * (uint32_t)c.nargs;
	fixed_failures += run_case(&c);
}

static void cmp(const char *s1, uint32_t size, const char *s2)
{
	struct tcase c;
	case_init(&c, K_STRNCMP);
	set_fmt(&c, s2, strlen(s2));
	pool_put(&c, s1, strlen(s1) + 1);
	c.str_size = size;
	fixed_failures += run_case(&c);
}

static void fixed_cases(void)
{
	char big[700];

	/* Every conversion, with and without widths and flags. */
	snp(256, "hello %d %i %u %x %X|", "-5", "-6", "-7", "255", "255", NULL);
	snp(256, "%ld %li %lu %lx %lX|", "-5", "-6", "-7", "0xdeadbeefcafe", "0xdeadbeefcafe", NULL);
	snp(256, "%lld %lli %llu %llx %llX", "0x8000000000000000", "-1", "-1", "-1", "0x7fff", NULL);
	snp(256, "%d %u %x", "0xffffffff80000000", "0x1ffffffff", "0x123456789", NULL);
	snp(256, "[%5d][%-5d][%05d][%+d][% d][%+5d][%-+5d][%0-5d]", "42", "42", "42", "42", "42",
	    "-42", "42", "42", NULL);
	snp(256, "[%5u][%+u][% x][%08x][%-8X][%+08lx]", "7", "7", "171", "171", "171", "171",
	    NULL);
	snp(256, "[%c][%5c][%-5c][%05c][%c]", "65", "66", "67", "68", "0x1234", NULL);
	snp(256, "[%s][%10s][%-10s][%05s][%s]", "s:abc", "s:abc", "s:abc", "s:abc", "s:", NULL);
	snp(256, "[%s][%s][%s]", "0", "1", "0x1000", NULL);
	snp(256, "[%pks][%pus][%pus][%pus]", "s:kernel", "u:0", "u:2", "0", NULL);
	snp(256, "[%p][%pK][%p][%20p][%-20pK][%p]", "0", "0", "-1", "0", "-22", "-4095", NULL);
	snp(256, "[%px][%20px][%-20px][%020px][%4px]", "0x1234", "0x1234", "0x1234", "0x1234",
	    "0xffffffffffff", NULL);
	snp(256, "[%ps][%pS][%pB][%20ps][%-20pS][%pSR]", "0x1234", "0", "0x10", "0x5", "-1",
	    "0x77", NULL);
	snp(256, "[%pi4][%pI4][%pi6][%pI6][%pI6c][%pI4x]", "b:01020304", "b:0a00ff01",
	    "b:000102030405060708090a0b0c0d0e0f", "b:20010db8000000000000000000000001",
	    "b:20010db8000000000000000000000001", "b:c0a80001", NULL);
	snp(256, "[%20pI4][%-20pi4][%pi4][%pI6]", "b:01020304", "b:01020304", "0", "0x1000", NULL);
	snp(256, "[%pxabc][%pKdef][%pSxyz1][%ps.]", "1", "0", "2", "3", NULL);
	snp(256, "%%%d%%%%%c%%", "5", "37", NULL);
	snp(256, "", NULL);
	snp(256, "no conversions at all\n", NULL);
	/* Truncation: the length counts everything, the buffer is cut. */
	for (uint32_t size = 0; size < 14; size++)
		snp(size, "abc%5d|%s|%pI4", "12", "s:xyz", "b:01020304", NULL);
	snp(1, "%s", "s:abcdef", NULL);
	snp(4, "abcd%pI4%d", "b:41424344", "42", NULL); /* the kernel's skip of %pI4 */
	snp(6, "abcd%pI4|%d", "b:41424344", "42", NULL);
	snp(3, "ab%pB%d", "0x1234", "7", NULL);
	/* Field widths: the kernel's limit, ints that wrap. */
	snp(64, "%8388607d|", "1", NULL);
	snp(64, "%8388608d|", "1", NULL);
	snp(64, "%2147483647d|", "1", NULL);
	snp(64, "%2147483648d|%4294967295x|%4294967303u|", "1", "2", "3", NULL);
	snp(64, "%4294967295px|%4294967295p|%2147483648px|", "0x41", "0", "0x42", NULL);
	snp(64, "%99999999999999999999d|", "1", NULL);
	snp(64, "%-8388609c|%8388608s|", "65", "s:x", NULL);
	/* Bad formats. */
	static const char *const bad[] = {
		"%o", "%ho", "%hd", "%hhd", "%Lu", "%zu", "%td", "%5.3d", "%#x", "%*d", "%lc",
		"%ls", "%sa", "%s1", "%lll", "%", "%l", "%ll", "abc%", "%-5%", "%pa", "%pI5",
		"%pi", "%pk", "%pu", "%pks1", "%pusa", "%pE", "%pM", "%pU", "%n", "%q", "\x01",
		"tab\tok %d \x7f", "\x80", "caf\xc3\xa9", "%d %d %d %d %d %d %d %d %d %d %d %d %d",
		"%05.2d", "%+#d", "%p%", "%pF", "%pf",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		snp(64, bad[i], "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", NULL);
	/* More conversions than arguments. */
	snp(64, "%d %d", "1", NULL);
	snp(64, "%s", NULL);
	/* The 512-byte argument buffer. */
	memset(big, 'x', sizeof(big));
	big[600] = '\0';
	char sbig[sizeof(big) + 2];
	snprintf(sbig, sizeof(sbig), "s:%s", big);
	snp(16, "%s", sbig, NULL);
	snp(16, "%s%s", sbig, "s:y", NULL);
	snp(16, "%s%c", sbig, "65", NULL);
	snp(16, "%s%d", sbig, "65", NULL);
	snp(16, "%s%pI4", sbig, "b:01020304", NULL);
	snp(16, "%s%px", sbig, "5", NULL);
	big[508] = '\0';
	snprintf(sbig, sizeof(sbig), "s:%s", big);
	snp(16, "%s%d", sbig, "65", NULL); /* aligned past the end */
	snp(16, "%s%c%c%c%c", sbig, "65", "66", "67", "68", NULL);
	snp(16, "%s%c%c%c%c%c", sbig, "65", "66", "67", "68", "69", NULL);
	snp(16, "%s%pB", sbig, "5", NULL);
	big[505] = '\0';
	snprintf(sbig, sizeof(sbig), "s:%s", big);
	snp(16, "%s%pI4", sbig, "b:01020304", NULL);
	snp(16, "%s%pi4", sbig, "b:01020304", NULL);
	snp(16, "%s%s", sbig, "s:abcdefgh", NULL);
	/* A long output. */
	snp(1024, "%500d|%400s|%100x", "1", "s:end", "255", NULL);

	/* trace_printk and trace_vprintk. */
	prk(0, 0, "hello %d %s x\n", "42", "s:str", NULL);
	prk(0, 0, "real nl\n", NULL);
	prk(0, 0, "two\n\n", NULL);
	prk(0, 0, "mid\nline", NULL);
	prk(0, 0, "", NULL);
	prk(0, 0, "tab\there %c%c", "0x41", "0", NULL); /* cut at the NUL */
	prk(0, 0, "%d %d %d", "1", "2", "3", NULL);
	prk(0, 0, "%d %d %d %d", "1", "2", "3", NULL);
	prk(0, -1, "abc", NULL); /* no NUL within fmt_size */
	prk(0, 5, "abc %u", "7", NULL);
	prk(0, 0, "%s|%pks|%pus|%pus", "0", "0", "u:2", NULL);
	prk(0, 0, "%1100d|", "1", NULL); /* longer than the message buffer */
	prk(0, 0, "%-1500s|%d", "s:x", "5", NULL);
	prk(0, 0, "%pi6 %pI6", "b:000102030405060708090a0b0c0d0e0f",
	    "b:fe800000000000000000000000000001", NULL);
	prk(0, 0, "bad %y", "1", NULL);
	prk(0, 0, "%p %px %pK", "0", "0xffff", "-5", NULL);
	prk(1, 0, "v %d %d %d %d %d", "1", "2", "3", "4", "5", NULL);
	prk(1, 0, "%d %d %d %d %d %d %d %d %d %d %d %d", "1", "2", "3", "4", "5", "6", "7",
	    "8", "9", "10", "11", "12", NULL);
	prk(1, 0, "%d %d %d %d %d %d %d %d %d %d %d %d %d", "1", "2", "3", "4", "5", "6", "7",
	    "8", "9", "10", "11", "12", "13", NULL);
	prk(1, 0, "%s %s %s %s %s", "s:a", "s:bb", "s:ccc", "u:0", "u:3", NULL);
	prk(1, 0, "no args", NULL);
	prk(1, 0, "%d", NULL);
	prk(1, -2, "xy", NULL);
	{
		/* data_len not a multiple of 8, too long, NULL data. */
		struct tcase c;
		case_init(&c, K_VPRINTK);
		set_fmt(&c, "%d %d", 5);
		add_arg(&c, A_NUM, 1);
		add_arg(&c, A_NUM, 2);
		static const uint32_t lens[] = { 12, 15, 16, 17, 100, 104, 0 };
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			c.data_len = lens[i];
			fixed_failures += run_case(&c);
		}
		set_fmt(&c, "none", 4);
		c.data_len = 0;
		c.null_data = 1;
		fixed_failures += run_case(&c);
	}
	{
		struct tcase c;
		case_init(&c, K_SNPRINTF);
		set_fmt(&c, "%d %d", 5);
		add_arg(&c, A_NUM, 1);
		add_arg(&c, A_NUM, 2);
		c.str_size = 64;
		static const uint32_t lens[] = { 12, 15, 16, 17, 100, 104 };
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			c.data_len = lens[i];
			fixed_failures += run_case(&c);
		}
		set_fmt(&c, "none", 4);
		c.data_len = 0;
		c.null_data = 1;
		fixed_failures += run_case(&c);
		c.str_size = 0;
		c.null_str = 1;
		fixed_failures += run_case(&c);
		/* Text after the NUL does not count. */
		memcpy(c.fmt, "ab\0%zz", 7);
		c.fmt_bytes = 7;
		c.null_str = 0;
		c.null_data = 0;
		c.str_size = 16;
		fixed_failures += run_case(&c);
	}

	/* strncmp. */
	cmp("abc", 3, "abd");
	cmp("abz", 3, "abd");
	cmp("abc", 2, "abd");
	cmp("abc", 4, "abc");
	cmp("ab", 4, "abc");
	cmp("abc", 4, "ab");
	cmp("\xff", 2, "a");
	cmp("a", 2, "\xff");
	cmp("", 1, "");
	cmp("abc", 1, "");
	cmp("", 1, "abc");
	cmp("same prefix", 6, "same other");
}

/* ---- random cases ---- */

static uint64_t random_number(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 9, 10, 99, 100, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		(uint64_t)-1, (uint64_t)-2, (uint64_t)-10, (uint64_t)-100, 1000000000000ull,
	};
	switch (below(4)) {
	case 0:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return below(1000);
	case 2:
		return (uint64_t)-(int64_t)below(100000);
	default:
		return rnd() >> below(64);
	}
}

static void random_string(struct tcase *c, int printable)
{
	char s[32];
	size_t n = below(5) == 0 ? 0 : below(25);
	for (size_t i = 0; i < n; i++)
		s[i] = printable ? (char)(32 + below(95)) : (char)(1 + below(255));
	s[n] = '\0';
	add_arg(c, A_POOL, pool_put(c, s, n + 1));
}

/* An address that cannot be read on either side (in the kernel: not in
 * its memory either). */
static uint64_t bad_pointer(void)
{
	static const uint64_t bad[] = { 0, 1, 0x1000, 0xfff, 0xdead000000000000ull,
					0x8000000000000000ull, (uint64_t)-1, (uint64_t)-4096 };
	return bad[below(sizeof(bad) / sizeof(bad[0]))];
}

struct textbuf {
	char s[FMT_VALUE];
	size_t n, limit; /* the stack holds printk's format and vprintk's data */
};

static void tb_add(struct textbuf *b, const char *s)
{
	size_t n = strlen(s);
	if (b->n + n < b->limit) {
		memcpy(b->s + b->n, s, n);
		b->n += n;
	}
}

static void random_literal(struct textbuf *b)
{
	size_t n = below(8);
	char s[16];
	for (size_t i = 0; i < n; i++) {
		unsigned r = below(20);
		/* Bytes >= 0x80 are plain text (UTF-8) to the kernel. */
		s[i] = r == 0 ? '\n' : r == 1 ? '\t' : r < 5 ? ' ' : r == 5 ? (char)(0x80 + below(128)) :
		       (char)(33 + below(94));
		if (s[i] == '%')
			s[i] = '.';
	}
	s[n] = '\0';
	tb_add(b, s);
}

static const char *const bad_specs[] = {
	"%o", "%hd", "%#x", "%.3d", "%*d", "%lc", "%ls", "%sa", "%lll", "%Lu", "%pX", "%pI5",
	"%zd", "\x01", "%\x80", "%-\xc3", "%-5%", "%pk", "%pu", "%q", "%pks2",
};

/* What a random format holds, for the cases the kernel cannot answer
 * alike twice: once the output is full, bstr_printf neither counts nor
 * steps over a string formatted in advance (%pks, %pus, %pB, %pI4...),
 * and the conversions after it read the bytes the kernel left in its
 * per-CPU buffer from earlier calls. Such a conversion followed by others
 * goes only where the output cannot fill up. */
struct shape {
	int bad;          /* a conversion the kernel refuses */
	int wide;         /* a width of 100 or more */
	int preformatted; /* the last conversion was formatted in advance */
	int pre_not_last; /* one such conversion before another */
};

/* One random conversion and its argument. Returns 1 if it was a plain %p
 * (kept apart from a following '%', as older kernels skipped it), 2 if
 * it wants no letter after it (%s, %pks, %pus). */
static int random_spec(struct tcase *c, struct textbuf *b, struct shape *sh)
{
	if (sh->preformatted)
		sh->pre_not_last = 1;
	sh->preformatted = 0;
	char spec[64];
	size_t n = 0;
	spec[n++] = '%';
	for (unsigned f = below(4) == 0 ? 1 + below(3) : 0; f; f--)
		spec[n++] = "0+- "[below(4)];
	unsigned w = below(10);
	if (w >= 6) {
		n += (size_t)sprintf(spec + n, "%u", 1 + below(25));
	} else if (w == 5 && below(4) == 0) {
		static const char *const wide[] = { "100", "1000", "8388607", "8388608",
						    "2147483648", "4294967295", "4294967303",
						    "99999999999" };
		n += (size_t)sprintf(spec + n, "%s", wide[below(8)]);
		sh->wide = 1;
	}
	spec[n] = '\0';
	int plain_p = 0;
	unsigned r = below(100);
	if (r < 3) {
		tb_add(b, bad_specs[below(sizeof(bad_specs) / sizeof(bad_specs[0]))]);
		sh->bad = 1;
		add_arg(c, A_NUM, random_number());
		return 0;
	}
	if (r < 45) {
		static const char *const q[] = { "", "", "", "l", "ll" };
		strcat(spec, q[below(5)]);
		strncat(spec, &"diuxX"[below(5)], 1);
		add_arg(c, A_NUM, random_number());
	} else if (r < 53) {
		strcat(spec, "c");
		add_arg(c, A_NUM, below(3) ? 32 + below(95) : rnd());
	} else if (r < 70) {
		int pks = below(4) == 0;
		strcat(spec, pks ? "pks" : "s");
		sh->preformatted = pks;
		if (below(6))
			random_string(c, (int)below(3));
		else
			add_arg(c, A_NUM, bad_pointer());
		tb_add(b, spec);
		return 2;
	} else if (r < 73) {
		strcat(spec, "pus");
		sh->preformatted = 1;
		if (below(3))
			add_arg(c, A_USER, (uintptr_t)user_strings[below(4)]);
		else
			add_arg(c, A_NUM, bad_pointer());
		tb_add(b, spec);
		return 2;
	} else if (r < 78) {
		strcat(spec, below(2) ? "p" : "pK");
		plain_p = spec[n + 1] == '\0';
		add_arg(c, A_NUM, below(2) ? 0 : (uint64_t)-(int64_t)(1 + below(4095)));
	} else if (r < 84) {
		strcat(spec, "px");
		add_arg(c, A_NUM, random_number());
	} else if (r < 90) {
		static const char *const sym[] = { "ps", "pS", "pB", "pSR" };
		const char *which = sym[below(4)];
		strcat(spec, which);
		sh->preformatted = which[1] == 'B';
		uint64_t v = random_number();
		if (v >= 0xffff800000000000ull && v < (uint64_t)-4095)
			v >>= 1; /* not a kernel address: no symbol */
		add_arg(c, A_NUM, v);
	} else {
		static const char *const ip[] = { "pi4", "pI4", "pi6", "pI6", "pI6c", "pI4h" };
		const char *which = ip[below(6)];
		strcat(spec, which);
		sh->preformatted = 1;
		if (below(6)) {
			uint8_t bytes[16];
			for (int i = 0; i < 16; i++)
				bytes[i] = below(3) ? (uint8_t)rnd() : 0;
			add_arg(c, A_POOL, pool_put(c, bytes, 16));
		} else {
			add_arg(c, A_NUM, bad_pointer());
		}
	}
	tb_add(b, spec);
	return plain_p;
}

static void random_case(struct tcase *c, int kind)
{
	struct textbuf b;
	struct shape sh;
	int max_specs = kind == K_PRINTK ? 4 : 13;
	int want = (int)below((unsigned)max_specs + 1);
	if (want > (kind == K_PRINTK ? 3 : 12) && below(2))
		want--;

	do {
		b = (struct textbuf){ .n = 0, .limit = kind == K_VPRINTK ? 390 : 480 };
		memset(&sh, 0, sizeof(sh));
		case_init(c, kind);
		if (below(3))
			random_literal(&b);
		for (int specs = 0; specs < want; specs++) {
			if (below(10) == 0)
				tb_add(&b, "%%");
			int after = random_spec(c, &b, &sh), plain_p = after == 1;
			/* Mostly what the kernel accepts after a string. */
			if (after && below(4))
				tb_add(&b, (const char[]){ " .,:;|-)"[below(8)], 0 });
			if (plain_p || below(2))
				random_literal(&b);
			if (plain_p && b.n && b.s[b.n - 1] == 'p')
				tb_add(&b, " ");
		}
		if (below(3))
			random_literal(&b);
	} while (sh.pre_not_last && sh.wide);
	set_fmt(c, b.s, b.n);
	/* Now and then text after the NUL, which must not count. */
	if (below(10) == 0 && c->fmt_bytes + 8 < sizeof(c->fmt)) {
		memcpy(c->fmt + c->fmt_bytes, "%zq\x01", 4);
		c->fmt_bytes += 4;
	}

	switch (kind) {
	case K_SNPRINTF: {
		unsigned r = below(20);
		if (r == 0 && c->nargs)
			c->nargs--; /* too few: refused at load */
		else if (r == 1)
			while (c->nargs < MAX_ARGS - 1 && below(2))
				add_arg(c, A_NUM, random_number());
		c->data_len = 8 * (uint32_t)c->nargs;
		if (below(25) == 0)
			c->data_len += 1 + below(7);
		static const uint32_t sizes[] = { 0, 1, 2, 3, 5, 8, 16, 32, 64, 128, 256, 1024 };
		c->str_size = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
		if (sh.pre_not_last)
			c->str_size = OUT_VALUE; /* the output never fills up */
		c->null_str = c->str_size == 0 && below(2);
		c->null_data = c->data_len == 0 && below(2);
		break;
	}
	case K_PRINTK:
		c->fmt_delta = below(15) == 0 ? -(int)below((unsigned)c->fmt_bytes) : 0;
		if (below(10) == 0)
			c->fmt_delta = (int)below(9);
		break;
	case K_VPRINTK:
		if (below(15) == 0 && c->nargs)
			c->nargs--;
		c->data_len = 8 * (uint32_t)c->nargs;
		if (below(25) == 0)
			c->data_len += 1 + below(7);
		c->null_data = c->data_len == 0 && below(2);
		if (below(15) == 0)
			c->fmt_delta = -(int)below((unsigned)c->fmt_bytes);
		break;
	}
}

static void random_strncmp(struct tcase *c)
{
	char s1[40], s2[40];
	static const char alphabet[] = "ab\xff\x01 ";
	size_t n2 = below(12);
	for (size_t i = 0; i < n2; i++)
		s2[i] = alphabet[below(5)];
	s2[n2] = '\0';
	memcpy(s1, s2, n2 + 1);
	size_t n1 = n2;
	switch (below(4)) {
	case 0:
		if (n1)
			s1[below((unsigned)n1)] = alphabet[below(5)];
		break;
	case 1:
		n1 = n1 ? below((unsigned)n1) : 0;
		s1[n1] = '\0';
		break;
	case 2:
		while (n1 < 20 && below(2))
			s1[n1++] = alphabet[below(5)];
		s1[n1] = '\0';
		break;
	default:
		break;
	}
	case_init(c, K_STRNCMP);
	c->fmt_off = below(64);
	memset(c->fmt, 'q', c->fmt_off);
	memcpy(c->fmt + c->fmt_off, s2, n2 + 1);
	c->fmt_bytes = c->fmt_off + n2 + 1;
	pool_put(c, s1, n1 + 1);
	c->str_size = 1 + below(24);
}

/* ---- `uebpf trace pipe` prints the kernel's layout ---- */

/* The line with what legitimately differs masked: cpu digits, the flags
 * and the timestamp digits. */
static void mask_line(char *line)
{
	char *cpu = strstr(line, " [");
	char *ts_end = strstr(line, ": bpf_trace_printk: ");
	if (!cpu || !ts_end)
		return;
	char *p = cpu + 2;
	while (p < ts_end && *p != ']')
		*p++ = 'N';
	p += 2; /* "] " */
	for (int i = 0; i < 5 && p < ts_end; i++)
		*p++ = 'F';
	for (; p < ts_end; p++)
		if (*p >= '0' && *p <= '9')
			*p = 'N';
}

static void check_cli_layout(const char *cli)
{
	static const char *const msgs[] = { "layout one", "layout %d two", "x" };
	char kernel_lines[3][2048], line[4096];
	int kn = 0;

	for (int i = 0; i < 3; i++) {
		struct tcase c;
		case_init(&c, K_PRINTK);
		set_fmt(&c, msgs[i], strlen(msgs[i]));
		add_arg(&c, A_NUM, 1234567);
		/* Run both without reading uebpf's ring: the CLI reads it. */
		struct text t;
		struct uebpf_insn *insns;
		size_t cnt;
		program(&c, &t, ks.args_fd, -1, ks.out_fd);
		if (assemble(t.s, &insns, &cnt))
			return;
		int prog = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog, sizeof(vlog), 1);
		struct uebpf_code *code = NULL;
		struct uebpf_code_opts lo = { .sz = sizeof(lo) };
		uebpf_code_load(vm, insns, cnt, &lo, &code);
		free(insns);
		uint32_t kr0;
		uint64_t ur0;
		struct uebpf_run_opts ro = { .sz = sizeof(ro), .checked = true };
		if (prog < 0 || !code || kernel_test_run(prog, &kr0) ||
		    uebpf_code_run(code, 0, 0, &ro, &ur0)) {
			CHECK_REPORT(0, "layout: running the programs failed");
			return;
		}
		close(prog);
		uebpf_code_free(code);
		size_t n = trace_read(kernel_lines[kn], sizeof(kernel_lines[kn]) - 1);
		kernel_lines[kn][n] = '\0';
		if (n && kernel_lines[kn][n - 1] == '\n')
			kernel_lines[kn][n - 1] = '\0';
		kn++;
	}
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "'%s' trace pipe --once", cli);
	FILE *f = popen(cmd, "r");
	if (!f) {
		CHECK_REPORT(0, "layout: cannot run %s", cmd);
		return;
	}
	int un = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (un < kn) {
			char k[2048];
			snprintf(k, sizeof(k), "%s", kernel_lines[un]);
			char *kept = strdup(line);
			mask_line(k);
			mask_line(line);
			CHECK_REPORT(strcmp(k, line) == 0,
				     "layout: kernel line\n  \"%s\"\n  uebpf line\n  \"%s\"\n  masked "
				     "\"%s\" vs \"%s\"", kernel_lines[un], kept, k, line);
			free(kept);
		}
		un++;
	}
	int status = pclose(f);
	CHECK_REPORT(status == 0 && un == kn, "layout: uebpf trace pipe --once printed %d "
		     "lines (status %d), the kernel %d", un, status, kn);
	if (un == kn)
		printf("trace pipe layout: %d lines as the kernel's, e.g.\n  %s\n", un,
		       kernel_lines[0]);
}

int main(int argc, char **argv)
{
	int cases = argc > 1 ? atoi(argv[1]) : 700;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5f0a7;
	const char *cli = argc > 3 ? argv[3] : NULL;

	int probe = k_map(8, 0);
	if (kernel_bpf_refused(probe)) {
		printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n", strerror(-probe));
		return KERNEL_TEST_SKIP;
	}
	if (probe >= 0)
		close(probe);

	/* uebpf's trace ring goes to a pin directory of this test. */
	char pins[] = "/tmp/uebpf-fmtdiff-XXXXXX";
	if (!mkdtemp(pins)) {
		printf("FAIL: mkdtemp\n");
		return 1;
	}
	setenv("UEBPF_PIN_DIR", pins, 1);
	unsetenv("UEBPF_TRACE_PRINTK");

	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm)) {
		printf("FAIL: no vm\n");
		return 1;
	}
	ks.args_fd = k_map(ARGS_VALUE, 0);
	ks.out_fd = k_map(OUT_VALUE, 0);
	us.args_fd = u_map(ARGS_VALUE, 0);
	us.out_fd = u_map(OUT_VALUE, 0);
	if (ks.args_fd < 0 || ks.out_fd < 0 || us.args_fd < 0 || us.out_fd < 0) {
		printf("FAIL: creating the maps\n");
		return 1;
	}
	trace_ok = trace_setup() == 0;
	if (!trace_ok)
		printf("SKIP (part): no tracefs instance here; trace_printk's messages are not "
		       "compared, only its results\n");

	check_current = "fixed cases";
	rng_state = seed | 1;
	fixed_cases();
	printf("%s fixed cases (%d failed)\n", fixed_failures ? "FAIL" : "PASS", fixed_failures);

	check_current = "random cases";
	int random_failures = 0;
	for (int i = 0; i < cases && random_failures < 10; i++) {
		rng_state = seed * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1;
		struct tcase c;
		unsigned r = below(20);
		if (r < 10)
			random_case(&c, K_SNPRINTF);
		else if (r < 14)
			random_case(&c, K_PRINTK);
		else if (r < 17)
			random_case(&c, K_VPRINTK);
		else
			random_strncmp(&c);
		if (run_case(&c)) {
			printf("  (random case %d, seed 0x%" PRIx64 ")\n", i, seed);
			random_failures++;
		}
	}
	printf("%s %d random cases (seed 0x%" PRIx64 ", %d failed)\n",
	       random_failures ? "FAIL" : "PASS", cases, seed, random_failures);

	if (cli && trace_ok) {
		check_current = "uebpf trace pipe layout";
		if (ur.rb)
			ring_read(); /* nothing left behind */
		check_cli_layout(cli);
	}
	printf("ran: snprintf %llu (%llu refused at load), trace_printk %llu, trace_vprintk %llu, "
	       "strncmp %llu; %llu in checked mode; %llu trace messages compared\n",
	       ran[K_SNPRINTF], load_refused[K_SNPRINTF], ran[K_PRINTK], ran[K_VPRINTK],
	       ran[K_STRNCMP], checked_runs, trace_compared);

	trace_cleanup();
	if (ur.rb)
		uebpf_ringbuf_free(ur.rb);
	char path[600];
	snprintf(path, sizeof(path), "%s/.trace_pipe", pins);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.trace_lost", pins);
	unlink(path);
	rmdir(pins);
	return check_summary("format_kernel_diff_test");
}
