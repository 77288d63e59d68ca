/* SPDX-License-Identifier: MIT */
/*
 * The verifier case corpus: every program of every tests/verifier/NAME.bpf.o
 * is one case, annotated with BTF decl tags (cases.h) that say whether it
 * must load and which messages the verifier's log must contain.
 *
 *   verifier_cases_test kernel OBJ...   expected verdicts and messages
 *                                       against the kernel (skipped, exit
 *                                       77, where bpf() is refused)
 *   verifier_cases_test uebpf OBJ...    the same against the kernel (when
 *                                       available) and against uebpf
 *
 * Each case is loaded alone: the object is opened, every other program's
 * autoload is turned off and the case's program is loaded with its own
 * log buffer, by libbpf into the kernel and by uebpf's object API into
 * uebpf. The verdict is whether the load succeeded; the messages must
 * appear in the log in the order given, each after the previous one.
 *
 * A case with __uebpf_differs expects from the kernel the other verdict
 * than the one it declares (its declared verdict is uebpf's); its __msg
 * texts are checked against the kernel's log only, and only uebpf's
 * verdict is checked. A case with __uebpf_msg has those texts checked
 * against uebpf's log instead of its __msg texts.
 *
 * Output: a FAIL line per failing case with the end of the log that
 * decided it, a line per object file, and "N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "uebpf/object.h"
#include "tests/kernel/kernel_bpf.h"

#define MAX_MSGS 16
/* Level 2 logs of the cases are a few kilobytes; a load whose log does
 * not fit fails with ENOSPC, so leave ample room. */
#define LOG_SIZE (16u << 20)
#define LOG_TAIL_LINES 15

struct case_spec {
	char *prog;        /* the program (function) name */
	char *description;
	int verdict;       /* 1 success, 0 failure, -1 not said */
	int log_level;     /* -1: the default */
	char *differs;     /* __uebpf_differs reason, or NULL */
	char *msgs[MAX_MSGS];
	int nr_msgs;
	char *uebpf_msgs[MAX_MSGS];
	int nr_uebpf_msgs;
	char *error;       /* a malformed annotation */
};

enum mode { MODE_KERNEL, MODE_UEBPF };

static char *log_buf;
static int total_passed, total_failed;

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void spec_free(struct case_spec *s)
{
	free(s->prog);
	free(s->description);
	free(s->differs);
	free(s->error);
	for (int i = 0; i < s->nr_msgs; i++)
		free(s->msgs[i]);
	for (int i = 0; i < s->nr_uebpf_msgs; i++)
		free(s->uebpf_msgs[i]);
}

static void spec_error(struct case_spec *s, const char *what, const char *tag)
{
	if (s->error)
		return;
	if (asprintf(&s->error, "%s: \"%s\"", what, tag) < 0)
		s->error = NULL;
}

static bool tag_value(const char *tag, const char *key, const char **value)
{
	size_t n = strlen(key);

	if (strncmp(tag, key, n) != 0)
		return false;
	*value = tag + n;
	return true;
}

/* One "comment:..." decl tag of the case's function. */
static void spec_add_tag(struct case_spec *s, const char *tag)
{
	const char *v;

	if (strcmp(tag, "test_expect_success") == 0) {
		s->verdict = 1;
	} else if (strcmp(tag, "test_expect_failure") == 0) {
		s->verdict = 0;
	} else if (tag_value(tag, "test_expect_msg=", &v)) {
		if (s->nr_msgs == MAX_MSGS)
			spec_error(s, "too many __msg", tag);
		else
			s->msgs[s->nr_msgs++] = strdup(v);
	} else if (tag_value(tag, "uebpf_expect_msg=", &v)) {
		if (s->nr_uebpf_msgs == MAX_MSGS)
			spec_error(s, "too many __uebpf_msg", tag);
		else
			s->uebpf_msgs[s->nr_uebpf_msgs++] = strdup(v);
	} else if (tag_value(tag, "test_description=", &v)) {
		free(s->description);
		s->description = strdup(v);
	} else if (tag_value(tag, "test_log_level=", &v)) {
		char *end;
		long level = strtol(v, &end, 0);

		if (*v == '\0' || *end != '\0' || level < 0 || level > 7)
			spec_error(s, "bad __log_level", tag);
		else
			s->log_level = (int)level;
	} else if (tag_value(tag, "uebpf_differs=", &v)) {
		free(s->differs);
		s->differs = strdup(v);
	} else {
		spec_error(s, "unknown annotation", tag);
	}
}

/* The annotations of program `name`: the decl tags "comment:..." on its
 * BTF FUNC, in BTF order (which is the order of the source). */
static void spec_read(struct case_spec *s, const struct btf *btf, const char *name)
{
	*s = (struct case_spec){ .prog = strdup(name), .verdict = -1, .log_level = -1 };
	if (!btf) {
		spec_error(s, "object has no BTF", name);
		return;
	}
	int func = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	if (func < 0) {
		spec_error(s, "no BTF FUNC for program", name);
		return;
	}
	uint32_t n = btf__type_cnt(btf);
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!btf_is_decl_tag(t) || t->type != (uint32_t)func ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		const char *tag = btf__name_by_offset(btf, t->name_off);
		const char *v;

		if (tag && tag_value(tag, "comment:", &v))
			spec_add_tag(s, v);
	}
	if (s->verdict < 0)
		spec_error(s, "no __success or __failure", name);
}

static int default_log_level(const struct case_spec *s, bool uebpf)
{
	if (s->log_level >= 0)
		return s->log_level;
	if (s->nr_msgs || (uebpf && s->nr_uebpf_msgs))
		return 2;
	return 0;
}

/* The first message of msgs[] that is not in the log in order, or NULL. */
static const char *missing_msg(const char *log, char *const *msgs, int n)
{
	const char *at = log;

	for (int i = 0; i < n; i++) {
		const char *found = strstr(at, msgs[i]);

		if (!found)
			return msgs[i];
		at = found + strlen(msgs[i]);
	}
	return NULL;
}

static void print_log_tail(const char *log)
{
	size_t len = strlen(log);
	const char *start = log + len;
	int lines = 0;

	while (len && log[len - 1] == '\n')
		len--;
	start = log + len;
	while (start > log && lines < LOG_TAIL_LINES) {
		start--;
		if (*start == '\n' && ++lines == LOG_TAIL_LINES) {
			start++;
			break;
		}
	}
	if (len == 0) {
		printf("    (empty log)\n");
		return;
	}
	if (start > log)
		printf("    ...\n");
	while (start < log + len) {
		const char *nl = memchr(start, '\n', (size_t)(log + len - start));
		size_t l = nl ? (size_t)(nl - start) : (size_t)(log + len - start);

		printf("    %.*s\n", (int)l, start);
		start += l + (nl ? 1 : 0);
	}
}

/* Loads program `name` of the object alone into the kernel; 1 loaded, 0
 * rejected, -1 could not try (open failure, in log_buf). */
static int kernel_load(const char *path, const char *name, int level)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog, *p;
	int ok, err;

	log_buf[0] = '\0';
	if (!obj) {
		snprintf(log_buf, LOG_SIZE, "libbpf could not open %s: %s", path, strerror(errno));
		return -1;
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog) {
		snprintf(log_buf, LOG_SIZE, "libbpf does not list program %s", name);
		bpf_object__close(obj);
		return -1;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	bpf_program__set_log_buf(prog, log_buf, LOG_SIZE);
	bpf_program__set_log_level(prog, (uint32_t)level);
	err = bpf_object__load(obj);
	ok = err == 0;
	if (!ok && !log_buf[0])
		snprintf(log_buf, LOG_SIZE, "(no verifier log; libbpf: %s)", strerror(-err));
	bpf_object__close(obj);
	return ok;
}

/* The same with uebpf's object API. */
static int uebpf_load(const char *path, const char *name, int level)
{
	static char err_buf[4096];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err_buf, .err_size = sizeof(err_buf),
	};
	struct uebpf_object *obj;
	struct uebpf_program *prog, *p;
	int ok, err;

	log_buf[0] = '\0';
	err_buf[0] = '\0';
	obj = uebpf_object_open_file(path, &opts);
	if (!obj) {
		snprintf(log_buf, LOG_SIZE, "uebpf could not open %s: %s", path,
			 err_buf[0] ? err_buf : strerror(errno));
		return -1;
	}
	prog = uebpf_object_find_program(obj, name);
	if (!prog) {
		snprintf(log_buf, LOG_SIZE, "uebpf does not list program %s", name);
		uebpf_object_close(obj);
		return -1;
	}
	uebpf_object_for_each_program(p, obj)
		uebpf_program_set_autoload(p, p == prog);
	uebpf_program_set_log_buf(prog, log_buf, LOG_SIZE);
	uebpf_program_set_log_level(prog, (uint32_t)level);
	err = uebpf_object_load(obj);
	ok = err == 0;
	if (!ok && !log_buf[0])
		snprintf(log_buf, LOG_SIZE, "(no verifier log; uebpf: %s)",
			 err_buf[0] ? err_buf : strerror(-err));
	uebpf_object_close(obj);
	return ok;
}

/* Checks one side; prints the FAIL line and returns false on a mismatch. */
static bool check_side(const char *file, const struct case_spec *s, const char *side,
		       int got, int want, char *const *msgs, int nr_msgs)
{
	const char *missing;

	if (got < 0) {
		printf("FAIL %s:%s: %s\n", file, s->prog, log_buf);
		return false;
	}
	if (got != want) {
		printf("FAIL %s:%s: expected %s, %s %s\n", file, s->prog,
		       want ? "success" : "failure", side, got ? "accepted" : "rejected");
		print_log_tail(log_buf);
		return false;
	}
	missing = missing_msg(log_buf, msgs, nr_msgs);
	if (missing) {
		printf("FAIL %s:%s: message \"%s\" not in %s log%s\n", file, s->prog, missing,
		       side, nr_msgs > 1 ? " (after the previous ones)" : "");
		print_log_tail(log_buf);
		return false;
	}
	return true;
}

static bool run_case(const char *path, const struct case_spec *s, enum mode mode, bool kernel)
{
	const char *file = base_name(path);
	bool ok = true;

	if (s->error) {
		printf("FAIL %s:%s: %s\n", file, s->prog, s->error);
		return false;
	}
	if (kernel) {
		/* A case that differs on purpose expects the kernel to say the
		 * opposite of what uebpf says. */
		int want = s->differs ? !s->verdict : s->verdict;
		int got = kernel_load(path, s->prog, default_log_level(s, false));

		ok &= check_side(file, s, "kernel", got, want, s->msgs, s->nr_msgs);
	}
	if (mode == MODE_UEBPF) {
		int got = uebpf_load(path, s->prog, default_log_level(s, true));

		if (s->differs)
			ok &= check_side(file, s, "uebpf", got, s->verdict, NULL, 0);
		else if (s->nr_uebpf_msgs)
			ok &= check_side(file, s, "uebpf", got, s->verdict, s->uebpf_msgs,
					 s->nr_uebpf_msgs);
		else
			ok &= check_side(file, s, "uebpf", got, s->verdict, s->msgs, s->nr_msgs);
	}
	return ok;
}

static void run_file(const char *path, enum mode mode, bool kernel, const char *filter)
{
	const char *file = base_name(path);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	int passed = 0, failed = 0;

	if (!obj) {
		printf("FAIL %s: libbpf could not open it: %s\n", file, strerror(errno));
		total_failed++;
		return;
	}
	const struct btf *btf = bpf_object__btf(obj);

	bpf_object__for_each_program(prog, obj) {
		struct case_spec s;

		if (filter && !strstr(bpf_program__name(prog), filter))
			continue;
		spec_read(&s, btf, bpf_program__name(prog));
		if (run_case(path, &s, mode, kernel))
			passed++;
		else
			failed++;
		spec_free(&s);
	}
	bpf_object__close(obj);
	printf("%s: %d cases, %d passed, %d failed\n", file, passed + failed, passed, failed);
	total_passed += passed;
	total_failed += failed;
}

/* Whether this process may load programs into the kernel: a trivial
 * socket filter (r0 = 0; exit). */
static bool kernel_available(void)
{
	int err = kernel_probe_prog_load();

	if (err)
		printf("kernel side skipped: %s: %s\n",
		       kernel_bpf_refused(err) ? "bpf(BPF_PROG_LOAD) refused"
					       : "the probe program was refused",
		       strerror(-err));
	return !err;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s kernel|uebpf [-k NAME] OBJECT.bpf.o...\n"
		"  kernel  check each case's expected verdict and messages against the kernel\n"
		"  uebpf   also check them against uebpf\n"
		"  -k NAME only the programs whose name contains NAME\n",
		argv0);
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	enum mode mode;
	bool kernel;
	int i = 2;

	if (argc < 2) {
		usage(argv[0]);
		return 2;
	}
	if (strcmp(argv[1], "kernel") == 0) {
		mode = MODE_KERNEL;
	} else if (strcmp(argv[1], "uebpf") == 0) {
		mode = MODE_UEBPF;
	} else {
		usage(argv[0]);
		return 2;
	}
	if (i + 1 < argc && strcmp(argv[i], "-k") == 0) {
		filter = argv[i + 1];
		i += 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(quiet_print);
	kernel = kernel_available();
	if (!kernel && mode == MODE_KERNEL)
		return KERNEL_TEST_SKIP;
	log_buf = malloc(LOG_SIZE);
	if (!log_buf) {
		perror("malloc");
		return 1;
	}
	for (; i < argc; i++)
		run_file(argv[i], mode, kernel, filter);
	free(log_buf);
	printf("%d passed, %d failed\n", total_passed, total_failed);
	return total_failed ? 1 : 0;
}
