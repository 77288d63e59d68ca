/* SPDX-License-Identifier: MIT */
/*
 * bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf, bpf_strncmp: what the
 * differential test cannot show (tests/kernel/format_kernel_diff_test.c
 * compares the formats themselves with the kernel): the checked mode's
 * faults, reads that must not fault, pointer ids, and the trace pipe's
 * ring, written by several processes and threads, full, and routed to
 * stderr or nowhere by UEBPF_TRACE_PRINTK.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/check.h"
#include "uebpf/uebpf.h"

static char err[300];
static struct uebpf_vm *vm;
static char pin_dir[64];

static struct uebpf_code *load(const char *text)
{
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_asm(text, &insns, &cnt, &ao)) {
		CHECK_REPORT(0, "assembling: %s", err);
		return NULL;
	}
	struct uebpf_code *code = NULL;
	struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_load(vm, insns, cnt, &lo, &code))
		CHECK_REPORT(0, "loading: %s", err);
	free(insns);
	return code;
}

/* Runs code (checked or not); the run's status, r0 in *r0. */
static int run(struct uebpf_code *code, int checked, uint64_t *r0)
{
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	err[0] = '\0';
	*r0 = 0;
	return code ? uebpf_code_run(code, 0, 0, &o, r0) : -EINVAL;
}

struct text {
	char s[8192];
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

/* Puts the string s (with its NUL) at r10 - *top, *top rounded up to 8. */
static void emit_stack_string(struct text *t, const char *s, size_t *top)
{
	size_t len = strlen(s) + 1;
	*top = (len + 7) & ~(size_t)7;
	char buf[512] = { 0 };
	memcpy(buf, s, len);
	for (size_t i = 0; i < *top; i += 8) {
		uint64_t v;
		memcpy(&v, buf + i, 8);
		emit(t, "r1 = 0x%llx ll\n*(u64 *)(r10 - %zu) = r1\n", (unsigned long long)v,
		     *top - i);
	}
}

/* A program calling bpf_trace_printk(fmt, strlen + 1, a1, a2, a3). */
static struct uebpf_code *printk_prog(const char *fmt, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct text t = { .n = 0 };
	size_t top;
	emit_stack_string(&t, fmt, &top);
	emit(&t, "r1 = r10\nr1 += -%zu\nr2 = %zu\nr3 = 0x%llx ll\nr4 = 0x%llx ll\n"
	     "r5 = 0x%llx ll\ncall bpf_trace_printk\nexit\n", top, strlen(fmt) + 1,
	     (unsigned long long)a1, (unsigned long long)a2, (unsigned long long)a3);
	return load(t.s);
}

/* A read-only-for-programs array holding s, frozen (a format for
 * bpf_snprintf, as the verifier wants it). */
static int rodata(const char *s, uint32_t value_size)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = BPF_F_RDONLY_PROG };
	int fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, ".rodata", 4, value_size, 1, &o);
	char *v = calloc(1, value_size);
	memcpy(v, s, strlen(s) < value_size ? strlen(s) + 1 : value_size);
	uint32_t zero = 0;
	CHECK_EQ(uebpf_map_update_elem(fd, &zero, v, 0), 0);
	CHECK_EQ(uebpf_map_freeze(fd), 0);
	free(v);
	return fd;
}

/* snprintf(out, size, fmt, args) run by a program: r0, and the text. */
static int64_t snprintf_run(const char *fmt, uint32_t size, const uint64_t *args, int nargs,
			    int checked, char *out)
{
	int ffd = rodata(fmt, 256);
	int ofd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, ".bss", 4, 256, 1, NULL);
	struct text t = { .n = 0 };
	for (int i = 0; i < nargs; i++)
		emit(&t, "r1 = 0x%llx ll\n*(u64 *)(r10 - %d) = r1\n",
		     (unsigned long long)args[i], 8 * (nargs - i));
	emit(&t, "r1 = map[fd:%d][0]+0\nr2 = %u\nr3 = map[fd:%d][0]+0\nr4 = r10\n"
	     "r4 += -%d\nr5 = %d\ncall bpf_snprintf\nexit\n", ofd, size, ffd, 8 * nargs,
	     8 * nargs);
	struct uebpf_code *code = load(t.s);
	uint64_t r0 = 0;
	CHECK_EQ(run(code, checked, &r0), 0);
	uint32_t zero = 0;
	char value[256];
	CHECK_EQ(uebpf_map_lookup_elem(ofd, &zero, value), 0);
	memcpy(out, value, sizeof(value));
	uebpf_code_free(code);
	uebpf_map_close(ffd);
	uebpf_map_close(ofd);
	return (int64_t)r0;
}

/* ---- reading the trace ring ---- */

struct rec {
	uint32_t magic, hdr_size;
	uint64_t ts_ns;
	uint32_t tgid, pid, cpu, reserved;
	char comm[16];
};

struct got {
	int n;
	struct rec last;
	char msg[1100];
	size_t len;
	/* for the threads test */
	int *seen;
	int bad;
};

static int collect(void *ctx, void *data, size_t size)
{
	struct got *g = ctx;
	g->n++;
	if (size < sizeof(struct rec)) {
		g->bad++;
		return 0;
	}
	memcpy(&g->last, data, sizeof(g->last));
	g->len = size - g->last.hdr_size;
	if (g->len >= sizeof(g->msg))
		g->len = sizeof(g->msg) - 1;
	memcpy(g->msg, (char *)data + g->last.hdr_size, g->len);
	g->msg[g->len] = '\0';
	if (g->seen) {
		int th, i;
		if (sscanf(g->msg, "thread %d message %d", &th, &i) == 2 && th >= 0 && th < 4 &&
		    i >= 0 && i < 500)
			g->seen[th * 500 + i]++;
		else
			g->bad++;
	}
	return 0;
}

static struct uebpf_ringbuf *open_ring(struct got *g, int *fd)
{
	*fd = uebpf_obj_get(".trace_pipe");
	if (*fd < 0)
		return NULL;
	return uebpf_ringbuf_new(*fd, collect, g);
}

static void close_ring(struct uebpf_ringbuf *rb, int fd)
{
	uebpf_ringbuf_free(rb);
	if (fd >= 0)
		uebpf_map_close(fd);
}

/* ---- tests ---- */

/* Runs fn in a child process with UEBPF_TRACE_PRINTK=route and its
 * stderr in buf. The child has not traced yet (the route is chosen at
 * the first message). */
static void in_child_with_route(const char *route, void (*fn)(void), char *buf, size_t size)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	fflush(stdout); /* the child must not print it again */
	pid_t pid = fork();
	if (pid == 0) {
		setenv("UEBPF_TRACE_PRINTK", route, 1);
		dup2(p[1], 2);
		close(p[0]);
		prctl(PR_SET_NAME, "routed");
		fn();
		fflush(stdout);
		_exit(check_failed ? 1 : 0);
	}
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < size && (r = read(p[0], buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void print_two(void)
{
	struct uebpf_code *code = printk_prog("to stderr %d\n", 7, 0, 0);
	uint64_t r0;
	CHECK_EQ(run(code, 1, &r0), 0);
	CHECK_EQ(r0, 12);
	CHECK_EQ(run(code, 0, &r0), 0);
	uebpf_code_free(code);
}

static void test_stderr_and_off_routes(void)
{
	char buf[1024], *want;
	in_child_with_route("stderr", print_two, buf, sizeof(buf));
	/* "          routed-1234    [001] ..... 12345.678901: bpf_trace_printk: to stderr 7\n\n" */
	const char *tag = ": bpf_trace_printk: to stderr 7\n\n";
	char *first = strstr(buf, tag);
	CHECK(first && strstr(first + 1, tag));
	CHECK(strncmp(buf, "          routed-", 17) == 0);
	char *cpu = strstr(buf, "] ..... ");
	CHECK(cpu && cpu[-4] == '[' && cpu - buf == 16 + 1 + 7 + 1 + 4);
	want = buf + 16 + 1 + 7 + 1 + 4 + 8;
	CHECK(strlen(want) > 13 && want[5] == '.' && want[12] == ':'); /* %5lu.%06lu */
	/* Nothing went to the ring. */
	int fd = uebpf_obj_get(".trace_pipe");
	if (fd >= 0) {
		struct got g = { 0 };
		struct uebpf_ringbuf *rb = uebpf_ringbuf_new(fd, collect, &g);
		uebpf_ringbuf_consume(rb);
		CHECK_EQ(g.n, 0);
		close_ring(rb, fd);
	}

	in_child_with_route("off", print_two, buf, sizeof(buf));
	CHECK_STR(buf, "");
}

static void test_snprintf_from_programs(void)
{
	char out[256];
	uint64_t a[4] = { (uint64_t)-42, 255, 'Z', 0 };
	CHECK_EQ(snprintf_run("[%5d][%-4x][%c][%s]", 64, a, 4, 1, out), 19);
	CHECK_STR(out, "[  -42][ff  ][Z][]");
	/* Cut, terminated, the full length returned. */
	CHECK_EQ(snprintf_run("[%5d][%-4x][%c][%s]", 6, a, 4, 0, out), 19);
	CHECK_STR(out, "[  -4");
	/* A bad format, too many conversions, too few arguments. */
	CHECK_EQ(snprintf_run("%q", 64, a, 1, 1, out), -EINVAL);
	CHECK_EQ(snprintf_run("%d %d", 64, a, 1, 1, out), -EINVAL);
	CHECK_EQ(snprintf_run("%d%d%d%d%d%d%d%d%d%d%d%d%d", 64, a, 4, 1, out), -EINVAL);
	/* An IP address read from program memory; an unreadable one. */
	uint8_t ip[4] = { 192, 168, 0, 1 };
	uint64_t ipa[2] = { (uintptr_t)ip, 0x1000 };
	CHECK_EQ(snprintf_run("%pI4 %pi4", 64, ipa, 2, 1, out), 28);
	CHECK_STR(out, "192.168.0.1 000.000.000.000");
}

static void test_strings_that_cannot_be_read_print_empty(void)
{
	char out[256];
	static const char ok[] = "readable";
	/* Unmapped, NULL, in the middle of nowhere: never a fault, even
	 * checked; the kernel prints them empty. */
	uint64_t a[5] = { 0x1000, 0, (uint64_t)-1, 0xdead000000000000ull, (uintptr_t)ok };
	CHECK_EQ(snprintf_run("[%s][%pks][%pus][%s][%s]", 64, a, 5, 1, out), 19);
	CHECK_STR(out, "[][][][][readable]");
	/* A string that runs into unmapped memory reads as empty too. */
	char *pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(pages != MAP_FAILED);
	munmap(pages + 4096, 4096);
	memset(pages, 'x', 4096);
	uint64_t edge[2] = { (uintptr_t)(pages + 4090), (uintptr_t)(pages + 4095) };
	CHECK_EQ(snprintf_run("[%s]", 64, edge, 1, 1, out), 3);
	pages[4095] = '\0';
	CHECK_EQ(snprintf_run("[%s][%s]", 64, edge, 2, 1, out), 10);
	CHECK_STR(out, "[xxxxx][]");
	munmap(pages, 4096);
}

static void test_pointer_ids(void)
{
	char out[256], first[32];
	int x, y;
	uint64_t same[2] = { (uintptr_t)&x, (uintptr_t)&x };
	CHECK_EQ(snprintf_run("%p %pK", 64, same, 2, 1, out), 34);
	/* A 32-bit id in 16 digits, the same for the same pointer. */
	CHECK(strncmp(out, "00000000", 8) == 0 && strncmp(out + 17, "00000000", 8) == 0);
	CHECK(strncmp(out, out + 17, 16) == 0);
	CHECK(strtoull(out, NULL, 16) != (uintptr_t)&x);
	memcpy(first, out, 16);
	uint64_t other[1] = { (uintptr_t)&y };
	snprintf_run("%p", 64, other, 1, 1, out);
	CHECK(strncmp(out, first, 16) != 0);
	/* NULL and error values as they are; %px the address. */
	uint64_t raw[3] = { 0, (uint64_t)-22, 0x1234 };
	CHECK_EQ(snprintf_run("%p|%p|%px", 64, raw, 3, 1, out), 51);
	CHECK_STR(out, "0000000000000000|ffffffffffffffea|0000000000001234");
	/* No symbols here: %ps prints the address. */
	CHECK_EQ(snprintf_run("%ps %pS %pB", 64, (uint64_t[3]){ 0x401000, 0x401000, 0x401000 },
			      3, 1, out), 27);
	CHECK_STR(out, "0x401000 0x401000 0x401000");
}

static void test_strncmp(void)
{
	int sfd = rodata("abc", 16);
	struct uebpf_map_create_opts o = { .sz = sizeof(o) };
	int dfd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, ".data", 4, 16, 1, &o);
	uint32_t zero = 0;
	static const struct { const char *s1; uint32_t size; int64_t want; } cases[] = {
		{ "abc", 3, 0 }, { "abd", 3, 1 }, { "abb", 3, -1 }, { "ab", 3, -1 },
		{ "abcd", 4, 1 }, { "abz", 2, 0 }, { "\xff", 1, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char v[16] = { 0 };
		memcpy(v, cases[i].s1, strlen(cases[i].s1));
		uebpf_map_update_elem(dfd, &zero, v, 0);
		char text[256];
		snprintf(text, sizeof(text), "r1 = map[fd:%d][0]+0\nr2 = %u\n"
			 "r3 = map[fd:%d][0]+0\ncall bpf_strncmp\nexit\n", dfd, cases[i].size, sfd);
		struct uebpf_code *code = load(text);
		uint64_t r0;
		CHECK_EQ(run(code, 1, &r0), 0);
		CHECK_EQ((int64_t)r0, cases[i].want);
		uebpf_code_free(code);
	}
	uebpf_map_close(sfd);
	uebpf_map_close(dfd);
}

/* Runs text checked (must stop with a fault naming what) and, when
 * normal is set, normally (must succeed). */
static void expect_fault(const char *text, const char *what)
{
	struct uebpf_code *code = load(text);
	uint64_t r0;
	CHECK_EQ(run(code, 1, &r0), -EFAULT);
	CHECK_CONTAINS(err, what);
	uebpf_code_free(code);
}

static void test_checked_mode_faults(void)
{
	char text[1024];
	int fd = rodata("%d", 8);
	int full = rodata("12345678", 8); /* no NUL in the value */
	/* trace_printk: the format outside the program's memory, or longer
	 * than what the program may read. */
	expect_fault("r1 = 0x1000\nr2 = 8\ncall bpf_trace_printk\nexit\n",
		     "insn 2: trace_printk format: 8 bytes at 0x1000 are not readable");
	expect_fault("*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\nr2 = 16\n"
		     "call bpf_trace_printk\nexit\n", "trace_printk format: 16 bytes at");
	/* trace_vprintk: the data. */
	expect_fault("*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = 0x2000\nr4 = 16\n"
		     "call bpf_trace_vprintk\nexit\n", "format data: 16 bytes at 0x2000");
	/* snprintf: the destination, a format without its NUL, the data. */
	snprintf(text, sizeof(text), "r1 = 0x3000\nr2 = 8\nr3 = map[fd:%d][0]+0\nr4 = 0\n"
		 "r5 = 0\ncall bpf_snprintf\nexit\n", fd);
	expect_fault(text, "snprintf destination: 8 bytes at 0x3000 are not writable");
	snprintf(text, sizeof(text), "r1 = r10\nr1 += -8\nr2 = 8\nr3 = map[fd:%d][0]+0\nr4 = 0\n"
		 "r5 = 0\ncall bpf_snprintf\nexit\n", full);
	expect_fault(text, "snprintf format at");
	snprintf(text, sizeof(text), "r1 = r10\nr1 += -8\nr2 = 8\nr3 = map[fd:%d][0]+0\n"
		 "r4 = 0x4000\nr5 = 8\ncall bpf_snprintf\nexit\n", fd);
	expect_fault(text, "format data: 8 bytes at 0x4000");
	/* The read-only format is not a destination. */
	snprintf(text, sizeof(text), "r1 = map[fd:%d][0]+0\nr2 = 8\nr3 = map[fd:%d][0]+0\n"
		 "r4 = 0\nr5 = 0\ncall bpf_snprintf\nexit\n", fd, fd);
	expect_fault(text, "snprintf destination");
	/* strncmp: s1 and s2. */
	snprintf(text, sizeof(text), "r1 = 0x5000\nr2 = 4\nr3 = map[fd:%d][0]+0\n"
		 "call bpf_strncmp\nexit\n", fd);
	expect_fault(text, "strncmp s1: 4 bytes at 0x5000");
	snprintf(text, sizeof(text), "*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\nr2 = 8\n"
		 "r3 = map[fd:%d][0]+0\ncall bpf_strncmp\nexit\n", full);
	expect_fault(text, "strncmp s2 at");

	/* Bad sizes are errors, not faults. */
	struct uebpf_code *code = load("*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\nr2 = 0\n"
				       "call bpf_trace_printk\nexit\n");
	uint64_t r0;
	CHECK_EQ(run(code, 1, &r0), 0);
	CHECK_EQ((int64_t)r0, -EINVAL);
	uebpf_code_free(code);
	code = load("*(u64 *)(r10 - 8) = 0x6425\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = r10\n"
		    "r3 += -8\nr4 = 12\ncall bpf_trace_vprintk\nexit\n");
	CHECK_EQ(run(code, 1, &r0), 0);
	CHECK_EQ((int64_t)r0, -EINVAL);
	uebpf_code_free(code);
	uebpf_map_close(fd);
	uebpf_map_close(full);
}

static void test_trace_ring_across_processes(void)
{
	/* A process writes first and creates the ring. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "tracechild");
		struct uebpf_code *code = printk_prog("from the child %d", 1, 0, 0);
		uint64_t r0;
		int ok = run(code, 1, &r0) == 0 && r0 == 16;
		_exit(ok ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	struct got g = { 0 };
	int fd;
	struct uebpf_ringbuf *rb = open_ring(&g, &fd);
	CHECK(rb != NULL);
	if (!rb)
		return;
	CHECK_EQ(uebpf_ringbuf_consume(rb), 1);
	CHECK_STR(g.msg, "from the child 1");
	CHECK_EQ(g.last.magic, 0x31505455);
	CHECK_EQ(g.last.hdr_size, sizeof(struct rec));
	CHECK_EQ(g.last.pid, (uint32_t)pid);
	CHECK_EQ(g.last.tgid, (uint32_t)pid);
	CHECK_STR(g.last.comm, "tracechild");
	CHECK(g.last.ts_ns > 0);

	/* This process writes to the same ring; a message is cut at 1023
	 * bytes and at a NUL. */
	struct uebpf_code *code = printk_prog("%1100d|", 5, 0, 0);
	uint64_t r0;
	CHECK_EQ(run(code, 0, &r0), 0);
	CHECK_EQ(r0, 1101);
	uebpf_code_free(code);
	code = printk_prog("ab%ccd", 0, 0, 0);
	CHECK_EQ(run(code, 1, &r0), 0);
	CHECK_EQ(r0, 5);
	uebpf_code_free(code);
	g.n = 0;
	CHECK_EQ(uebpf_ringbuf_consume(rb), 2);
	CHECK_STR(g.msg, "ab");
	CHECK_EQ(g.last.pid, (uint32_t)gettid());
	close_ring(rb, fd);
}

static void test_full_ring_drops_and_counts(void)
{
	struct got g = { 0 };
	int fd;
	struct uebpf_ringbuf *rb = open_ring(&g, &fd);
	CHECK(rb != NULL);
	if (!rb)
		return;
	uebpf_ringbuf_consume(rb);
	int lfd = uebpf_obj_get(".trace_lost");
	size_t size = 0;
	_Atomic uint64_t *lost = lfd >= 0 ? uebpf_map_mmap(lfd, &size) : NULL;
	CHECK(lost != NULL && size >= 8);
	if (!lost) {
		close_ring(rb, fd);
		return;
	}
	for (size_t i = 0; i < size / 8; i++)
		atomic_store(&lost[i], 0);

	/* 1000-byte messages: about 970 fit in the 1 MiB ring. */
	struct uebpf_code *code = printk_prog("%1000d", 7, 0, 0);
	const int sent = 1300;
	for (int i = 0; i < sent; i++) {
		uint64_t r0;
		run(code, 0, &r0);
		if (r0 != 1000) {
			CHECK_EQ(r0, 1000); /* the length, whether kept or not */
			break;
		}
	}
	uebpf_code_free(code);
	g.n = 0;
	int kept = uebpf_ringbuf_consume(rb);
	uint64_t dropped = 0;
	for (size_t i = 0; i < size / 8; i++)
		dropped += atomic_exchange(&lost[i], 0);
	CHECK(kept > 900 && kept < sent);
	CHECK_EQ((uint64_t)kept + dropped, (uint64_t)sent);
	CHECK_EQ(g.len, 1000);
	/* Room again once read. */
	code = printk_prog("after", 0, 0, 0);
	uint64_t r0;
	run(code, 1, &r0);
	uebpf_code_free(code);
	g.n = 0;
	CHECK_EQ(uebpf_ringbuf_consume(rb), 1);
	CHECK_STR(g.msg, "after");
	uebpf_map_close(lfd);
	close_ring(rb, fd);
}

struct writer {
	struct uebpf_code *code;
	int thread, fails;
};

static void *write_messages(void *p)
{
	struct writer *w = p;
	for (int i = 0; i < 500; i++) {
		struct uebpf_run_opts o = { .sz = sizeof(o), .checked = (i & 1) != 0 };
		uint64_t r0;
		/* r1: the thread, r2: the message number, into r3 and r4. */
		if (uebpf_code_run(w->code, (uint64_t)w->thread, (uint64_t)i, &o, &r0) || r0 < 18)
			w->fails++;
	}
	return NULL;
}

static atomic_int writers_done;

static void *read_messages(void *p)
{
	struct uebpf_ringbuf *rb = p;
	while (!atomic_load(&writers_done))
		uebpf_ringbuf_poll(rb, 10);
	uebpf_ringbuf_consume(rb);
	return NULL;
}

/* Four threads print while another reads: every message arrives once,
 * whole. */
static void test_threads_print_while_one_reads(void)
{
	static int seen[4 * 500];
	struct got g = { .seen = seen };
	int fd;
	struct uebpf_ringbuf *rb = open_ring(&g, &fd);
	CHECK(rb != NULL);
	if (!rb)
		return;
	g.seen = NULL;
	uebpf_ringbuf_consume(rb); /* what earlier tests left */
	g.seen = seen;
	g.n = 0;

	struct text t = { .n = 0 };
	size_t top;
	emit_stack_string(&t, "thread %d message %d", &top);
	/* emit_stack_string clobbers r1: keep the arguments first. */
	char text[sizeof(t.s) + 256];
	snprintf(text, sizeof(text), "r6 = r1\nr7 = r2\n%sr1 = r10\nr1 += -%zu\nr2 = %zu\n"
		 "r3 = r6\nr4 = r7\nr5 = 0\ncall bpf_trace_printk\nexit\n", t.s, top,
		 strlen("thread %d message %d") + 1);
	struct uebpf_code *code = load(text);
	struct writer w[4];
	pthread_t th[4], reader;
	atomic_store(&writers_done, 0);
	pthread_create(&reader, NULL, read_messages, rb);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){ code, i, 0 };
		pthread_create(&th[i], NULL, write_messages, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(w[i].fails, 0);
	}
	atomic_store(&writers_done, 1);
	pthread_join(reader, NULL);
	int missing = 0, twice = 0;
	for (int i = 0; i < 4 * 500; i++) {
		missing += seen[i] == 0;
		twice += seen[i] > 1;
	}
	CHECK_EQ(missing, 0);
	CHECK_EQ(twice, 0);
	CHECK_EQ(g.bad, 0);
	CHECK_EQ(g.n, 4 * 500);
	uebpf_code_free(code);
	close_ring(rb, fd);
}

static void remove_pins(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/.trace_pipe", pin_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/.trace_lost", pin_dir);
	unlink(path);
	rmdir(pin_dir);
}

int main(void)
{
	/* The trace ring of these tests lives in a pin directory of theirs. */
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-trace-test-%d", (int)getpid());
	setenv("UEBPF_PIN_DIR", pin_dir, 1);
	unsetenv("UEBPF_TRACE_PRINTK");
	vm = uebpf_vm_new();
	if (!vm || uebpf_vm_add_kernel_helpers(vm)) {
		printf("FAIL: no vm\n");
		return 1;
	}
	/* Children choose their route at their first message: before this
	 * process prints anything. */
	RUN(test_stderr_and_off_routes);
	RUN(test_trace_ring_across_processes);
	RUN(test_snprintf_from_programs);
	RUN(test_strings_that_cannot_be_read_print_empty);
	RUN(test_pointer_ids);
	RUN(test_strncmp);
	RUN(test_checked_mode_faults);
	RUN(test_full_ring_drops_and_counts);
	RUN(test_threads_print_while_one_reads);
	uebpf_vm_free(vm);
	remove_pins();
	return check_summary("trace_helpers_test");
}
