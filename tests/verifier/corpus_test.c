/* SPDX-License-Identifier: MIT */
/*
 * The verifier against the kernel's on compiled programs nobody wrote
 * for it: every program of every BPF object the project builds or finds
 * (the object corpus, the object and CLI test data, the examples, the
 * objects of xdp-tools and libbpf-tools) is loaded alone into the kernel
 * by libbpf and into uebpf by its object API, both with the statistics
 * log (level 4), and the verdicts compared.
 *
 *   verifier_corpus_test [-k NAME] [-v] [-t TYPE] [-o REPORT.tsv]
 *                        (OBJECT.o | DIR | --system)...
 *
 * A directory stands for every *.o in it; the objects after --system are
 * the system's (xdp-tools, libbpf-tools), kept apart in the thresholds
 * because they depend on the packages installed. -k: only the programs
 * whose name contains NAME; -v: every program's log reason; -t: the
 * program type (libbpf's name: xdp, sched_cls, socket_filter, ...) of
 * the objects that follow, for their programs whose section names none
 * (as iproute2's tc takes it on its command line); -o: one line per
 * program in REPORT.tsv (see report_line), and no regression thresholds
 * (the objects are not the project's).
 *
 * Objects libbpf 1.x refuses to open (legacy `maps` sections, programs
 * without function symbols: the objects of older loaders) are listed by
 * uebpf, and the kernel gets the instructions uebpf's loader relocated,
 * with maps created in the kernel as the object defines them.
 *
 * Each load is classified:
 *   kernel: accepted; rejected by the verifier (a verifier log and
 *     EACCES, EINVAL, E2BIG or ENOSPC); or not comparable: the
 *     environment refused it (an attach target or kernel symbol this
 *     kernel lacks, a CO-RE relocation libbpf could not resolve, a map
 *     the kernel would not create, EPERM, ENOENT, ESRCH, EOPNOTSUPP),
 *     with the reason;
 *   uebpf: accepted or rejected with the log's last line; a rejection
 *     for something uebpf does not have (a helper, kfuncs, a program
 *     type, kernel types for CO-RE) counts as "uebpf lacks a feature".
 *
 * uebpf's loads run in a child process: one that does not end in
 * UEBPF_TIMEOUT_SEC counts as a rejection ("did not end"), and a crash is
 * reported as such. A load that fails after the verifier accepted the
 * program (libbpf and uebpf both refuse to fill a program array with
 * programs not loaded) counts as accepted, on both sides.
 *
 * Fails when uebpf accepts a program the kernel's verifier rejects (the
 * unsafe direction) unless it is in known_differences below, or when
 * uebpf accepts fewer of the kernel-accepted programs than it did when
 * the thresholds below were measured.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include <bpf/bpf.h>

#include "object/object.h"
#include "uebpf/maps.h"
#include "uebpf/object.h"
#include "tests/kernel/kernel_bpf.h"

/* Level 4 logs are a few lines; a rejection adds its messages. */
#define LOG_SIZE (1u << 20)
/* uebpf's loads run in a child process given this long (the kernel's
 * slowest loads here, a million instructions, take about a second). */
#define UEBPF_TIMEOUT_SEC 10
/* The kernel's "operation not supported" (not in libc). */
#define ENOTSUPP_KERNEL 524
/* What libbpf writes over an instruction it could not relocate: a call
 * of helper 0xbad2310 (CO-RE), an ldimm64 of map 2001000000 + idx (a map
 * not created), a call of 2002000000 + idx (a kfunc not found). */
#define POISON_CORE "unknown#195896080"
#define POISON_MAP "2001000"
#define POISON_KFUNC "2002000"

/* Programs uebpf deliberately accepts although the kernel's verifier
 * rejects them, with the reason. None so far. */
static const struct {
	const char *object, *program, *reason;
} known_differences[] = {
	{ NULL, NULL, NULL },
};

/*
 * Regression thresholds: of the comparable programs the kernel accepts,
 * how many uebpf accepted when measured (Linux 6.18, Debian 12's
 * xdp-tools and libbpf-tools). With another set of objects (packages not
 * installed, another kernel) the same proportion is required.
 */
struct threshold {
	const char *group;
	int accepted, comparable_kernel_accepts;
};
static const struct threshold thresholds[] = {
	{ "project", 170, 197 },
	{ "system", 164, 262 },
};

enum kverdict { K_ACCEPT, K_REJECT, K_ENV };
enum uverdict { U_ACCEPT, U_REJECT, U_LACKS };

struct result {
	char *object, *program, *path, *section;
	bool system;
	/* libbpf could not open the object: programs listed by uebpf, the
	 * kernel loads what uebpf's loader relocated. */
	bool via_uebpf;
	/* The type given with -t (0: none); the type loaded, or 0. */
	enum bpf_prog_type default_type, type;
	enum kverdict k;
	enum uverdict u;
	char *k_reason, *u_reason, *u_feature;
	long k_insns, u_insns;     /* -1: not in the log */
	long k_usec, u_usec;
};

static char *log_buf;
static char libbpf_msgs[4096];
static size_t libbpf_msgs_len;
static bool verbose;
static FILE *report;
static char bpffs_pin_dir[64];
static char uebpf_pin_dir[] = "/tmp/uebpf-vcorpus-XXXXXX";

static struct result *results;
static size_t nr_results, cap_results;

/* ---- small things ---- */

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || libbpf_msgs_len >= sizeof(libbpf_msgs) - 1)
		return 0;
	int n = vsnprintf(libbpf_msgs + libbpf_msgs_len, sizeof(libbpf_msgs) - libbpf_msgs_len,
			  fmt, ap);
	if (n > 0)
		libbpf_msgs_len += (size_t)n;
	if (libbpf_msgs_len > sizeof(libbpf_msgs) - 1)
		libbpf_msgs_len = sizeof(libbpf_msgs) - 1;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d) {
		perror("strdup");
		exit(2);
	}
	return d;
}

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		perror("vasprintf");
		exit(2);
	}
	va_end(ap);
	return s;
}

static long now_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* The number after `key` in the log, or -1. */
static long log_number(const char *log, const char *key)
{
	const char *at = strstr(log, key);
	return at ? strtol(at + strlen(key), NULL, 10) : -1;
}

/* Whether a log line is one of the statistics lines of level 4. */
static bool stats_line(const char *line, size_t len)
{
	static const char *const prefixes[] = { "processed ", "verification time ",
						"stack depth " };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (len >= n && !strncmp(line, prefixes[i], n))
			return true;
	}
	return false;
}

/* The last line of the log that is not a statistics line (the reason for
 * a rejection), or "". */
static char *log_reason(const char *log)
{
	const char *end = log + strlen(log);

	while (end > log) {
		while (end > log && end[-1] == '\n')
			end--;
		const char *start = end;
		while (start > log && start[-1] != '\n')
			start--;
		if (end > start && !stats_line(start, (size_t)(end - start)))
			return xasprintf("%.*s", (int)(end - start), start);
		end = start;
	}
	return xstrdup("");
}

/* What libbpf said went wrong before the kernel saw the program (its
 * last warning that is not the generic "failed to load object" nor a
 * frame of the verifier log it copies), without "libbpf: ", or "". */
static char *libbpf_reason(void)
{
	char *best = xstrdup("");
	char *save, *copy = xstrdup(libbpf_msgs);

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "libbpf: ", 8))
			continue;
		line += 8;
		if (line[0] == '\0' || strstr(line, "failed to load object") ||
		    strstr(line, "PROG LOAD LOG") || strstr(line, "failed to load program"))
			continue;
		free(best);
		best = xstrdup(line);
	}
	free(copy);
	return best;
}

static struct result *new_result(const char *path, const char *program, bool sys)
{
	const char *object = base_name(path);
	if (nr_results == cap_results) {
		cap_results = cap_results ? 2 * cap_results : 256;
		results = realloc(results, cap_results * sizeof(*results));
		if (!results) {
			perror("realloc");
			exit(2);
		}
	}
	struct result *r = &results[nr_results++];
	*r = (struct result){ .object = xstrdup(object), .program = xstrdup(program),
			      .path = xstrdup(path), .section = xstrdup(""),
			      .system = sys, .k_insns = -1, .u_insns = -1,
			      .k_usec = -1, .u_usec = -1 };
	return r;
}

/* Removes what the last load pinned (maps of the same name in other
 * objects have other definitions). */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno == EISDIR) {
			empty_dir(path);
			rmdir(path);
		}
	}
	closedir(d);
}

/* ---- the kernel ---- */

/* Why the environment, not the verifier, refused a load the kernel saw. */
static const char *env_in_log(const char *log)
{
	if (strstr(log, POISON_CORE))
		return "a CO-RE relocation libbpf could not resolve on this kernel";
	if (strstr(log, "#" POISON_KFUNC))
		return "a kfunc this kernel does not have";
	if (strstr(log, POISON_MAP))
		return "a map libbpf did not create";
	if (strstr(log, "attach_btf_id") || strstr(log, "attach to unsupported member") ||
	    strstr(log, "is not a function"))
		return "an attach target this kernel does not have";
	return NULL;
}

static void kernel_verdict(struct result *r, int err, enum bpf_prog_type prog_type);
static const char *reason_core(const char *reason);

static void kernel_load(struct result *r, const char *path)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = bpffs_pin_dir);
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	int err;

	log_buf[0] = '\0';
	libbpf_msgs[0] = '\0';
	libbpf_msgs_len = 0;
	obj = bpf_object__open_file(path, &opts);
	if (!obj) {
		r->k = K_ENV;
		r->k_reason = xasprintf("libbpf cannot open it (%s)", strerror(errno));
		return;
	}
	prog = bpf_object__find_program_by_name(obj, r->program);
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	if (bpf_program__type(prog) == BPF_PROG_TYPE_UNSPEC && r->default_type)
		bpf_program__set_type(prog, r->default_type);
	r->type = bpf_program__type(prog);
	bpf_program__set_log_buf(prog, log_buf, LOG_SIZE);
	bpf_program__set_log_level(prog, 4);
	err = bpf_object__load(obj);
	/* libbpf's own codes (-4000 and beyond) say the load was refused
	 * (LIBBPF_ERRNO__LOAD, __VERIFY...); the log then tells why. */
	if (err <= -__LIBBPF_ERRNO__START)
		err = log_buf[0] ? -EACCES : -EINVAL;
	kernel_verdict(r, err, bpf_program__type(prog));
	bpf_object__close(obj);
}

/* The kernel's verdict from a load's error and the log in log_buf. */
static void kernel_verdict(struct result *r, int err, enum bpf_prog_type prog_type)
{
	r->k_insns = log_number(log_buf, "processed ");
	r->k_usec = log_number(log_buf, "verification time ");
	char *why = log_reason(log_buf);

	if (!err || (log_buf[0] && !why[0])) {
		/* A log of statistics only: the verifier accepted it, and
		 * libbpf failed afterwards (filling a program array with
		 * programs not loaded, say). */
		r->k = K_ACCEPT;
		if (err) {
			char *after = libbpf_reason();
			r->k_reason = xasprintf("the verifier accepted it, then libbpf failed "
						"(errno %d): %s", -err, after);
			free(after);
		}
		free(why);
	} else if (log_buf[0] && (err == -EACCES || err == -EINVAL || err == -E2BIG ||
				  err == -ENOSPC)) {
		const char *env = env_in_log(log_buf);

		if (env) {
			r->k = K_ENV;
			r->k_reason = xasprintf("%s: %s", env, why);
			free(why);
		} else {
			r->k = K_REJECT;
			r->k_reason = why;
		}
	} else {
		/* The kernel never verified it, or refused it for something
		 * else than its code. */
		const char *what;

		free(why);
		why = log_buf[0] ? log_reason(log_buf) : libbpf_reason();

		switch (-err) {
		case EPERM: what = "not permitted"; break;
		case ENOENT: what = "not found"; break;
		case ESRCH: what = "attach target or kernel symbol missing"; break;
		case EOPNOTSUPP:
		case ENOTSUPP_KERNEL: what = "not supported by this kernel"; break;
		case EBUSY: what = "busy"; break;
		default: what = log_buf[0] ? strerror(-err) : "refused before verification"; break;
		}
		const char *type = libbpf_bpf_prog_type_str(prog_type);

		r->k = K_ENV;
		r->k_reason = xasprintf("%s programs: %s (errno %d)%s%s", type ? type : "unknown",
					what, -err, why[0] ? ": " : "", why);
		free(why);
	}
}

/* A kernel map as uebpf's loader defines it (for objects libbpf does not
 * open), its initial contents written and .rodata frozen; fd or -errno. */
static int kernel_map_like(const struct uebpf_map *m)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = m->def.map_flags,
		    .numa_node = m->def.numa_node, .map_extra = m->def.map_extra);
	int fd, inner = -1;

	if (m->inner) {
		inner = kernel_map_like(m->inner);
		if (inner < 0)
			return inner;
		opts.inner_map_fd = inner;
	}
	fd = bpf_map_create(m->def.type, m->kern_name, m->def.key_size, m->def.value_size,
			    m->def.max_entries, &opts);
	if (inner >= 0)
		close(inner);
	if (fd < 0)
		return -errno;
	if (m->initial && m->kind != MAP_BSS) {
		uint32_t zero = 0;

		if (bpf_map_update_elem(fd, &zero, m->initial, BPF_ANY) ||
		    ((m->kind == MAP_RODATA || m->kind == MAP_KCONFIG) && bpf_map_freeze(fd))) {
			int err = -errno;
			close(fd);
			return err;
		}
	}
	return fd;
}

/*
 * The kernel's verdict on a program of an object libbpf does not open:
 * uebpf's loader creates its maps and relocates it, the kernel gets the
 * same maps (created in the kernel) and the same instructions.
 */
static void kernel_load_via_uebpf(struct result *r, const char *path)
{
	static char err_buf[4096];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err_buf, .err_size = sizeof(err_buf),
	};
	struct uebpf_object *obj;
	struct uebpf_program *prog, *p;
	struct uebpf_map *m;
	struct uebpf_insn *insns = NULL;
	size_t cnt = 0, nr_maps = 0;
	int *ufd = NULL, *kfd = NULL, err;

	log_buf[0] = '\0';
	err_buf[0] = '\0';
	obj = uebpf_object_open_file(path, &opts);
	prog = obj ? uebpf_object_find_program(obj, r->program) : NULL;
	if (!prog) {
		r->k = K_ENV;
		r->k_reason = xasprintf("libbpf cannot open it, nor uebpf: %s", err_buf);
		uebpf_object_close(obj);
		return;
	}
	uebpf_object_for_each_program(p, obj)
		uebpf_program_set_autoload(p, p == prog);
	if (uebpf_program_type(prog) == BPF_PROG_TYPE_UNSPEC && r->default_type)
		uebpf_program_set_type(prog, r->default_type);
	r->type = uebpf_program_type(prog);
	if (r->type == BPF_PROG_TYPE_UNSPEC) {
		r->k = K_ENV;
		r->k_reason = xasprintf("section '%s' names no program type", r->section);
		uebpf_object_close(obj);
		return;
	}
	/* Maps uebpf has no type for are relocated as hashes of the same
	 * sizes: the kernel gets its own of the real type. */
	uebpf_object_for_each_map(m, obj)
		nr_maps++;
	enum bpf_map_type *types = calloc(nr_maps + 1, sizeof(*types));
	if (!types) {
		perror("calloc");
		exit(2);
	}
	nr_maps = 0;
	uebpf_object_for_each_map(m, obj) {
		types[nr_maps++] = m->def.type;
		if (!uebpf_map_type_supported(m->def.type))
			m->def.type = BPF_MAP_TYPE_HASH;
	}
	err = object_relocate_only(obj, prog, &insns, &cnt);
	nr_maps = 0;
	uebpf_object_for_each_map(m, obj)
		m->def.type = types[nr_maps++];
	free(types);
	if (err) {
		r->k = K_ENV;
		r->k_reason = xasprintf("uebpf's loader cannot relocate it for the kernel: %s",
					reason_core(err_buf));
		uebpf_object_close(obj);
		return;
	}
	ufd = calloc(nr_maps + 1, sizeof(*ufd));
	kfd = calloc(nr_maps + 1, sizeof(*kfd));
	if (!ufd || !kfd) {
		perror("calloc");
		exit(2);
	}
	nr_maps = 0;
	uebpf_object_for_each_map(m, obj) {
		ufd[nr_maps] = uebpf_map_fd(m);
		kfd[nr_maps] = kernel_map_like(m);
		if (kfd[nr_maps] < 0) {
			r->k = K_ENV;
			r->k_reason = xasprintf("the kernel would not create map '%s' (%s)",
						uebpf_map_name(m), strerror(-kfd[nr_maps]));
			goto out;
		}
		nr_maps++;
	}
	/* Map references: uebpf's fds become the kernel's. */
	for (size_t i = 0; i + 1 < cnt; i++) {
		struct uebpf_insn *in = &insns[i];

		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE)
			for (size_t j = 0; j < nr_maps; j++)
				if (in->imm == ufd[j]) {
					in->imm = kfd[j];
					break;
				}
		i++;
	}
	LIBBPF_OPTS(bpf_prog_load_opts, lopts, .log_buf = log_buf, .log_size = LOG_SIZE,
		    .log_level = 4, .kern_version = uebpf_object_kversion(obj),
		    .expected_attach_type = uebpf_program_expected_attach_type(prog));
	char name[BPF_OBJ_NAME_LEN];
	snprintf(name, sizeof(name), "%s", r->program);
	for (char *c = name; *c; c++)
		if (!(*c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
		      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			*c = '_';
	int fd = bpf_prog_load(r->type, name, uebpf_object_license(obj),
			       (const struct bpf_insn *)insns, cnt, &lopts);
	err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	kernel_verdict(r, err, r->type);
out:
	for (size_t j = 0; j < nr_maps; j++)
		close(kfd[j]);
	free(ufd);
	free(kfd);
	free(insns);
	uebpf_object_close(obj);
}

/* ---- uebpf ---- */

/* A reason without what names the place (the object's path, "program
 * 'x', instruction N (source line): "), so that alike reasons group. */
static const char *reason_core(const char *reason)
{
	const char *at = strstr(reason, ".o: ");

	if (at)
		reason = at + 4;
	if (!strncmp(reason, "program '", 9) && (at = strstr(reason, ", instruction "))) {
		at += strcspn(at, "(:");
		if (*at == '(') {
			int depth = 0;
			for (; *at; at++) {
				if (*at == '(')
					depth++;
				else if (*at == ')' && --depth == 0)
					break;
			}
			if (*at)
				at++;
		}
		if (at[0] == ':' && at[1] == ' ')
			reason = at + 2;
	}
	return reason;
}

/* What uebpf does not have, from its rejection, or NULL when the reason
 * is about the program. */
static char *uebpf_lacks(const char *reason)
{
	const char *at;
	char name[64];

	if ((at = strstr(reason, "helper ")) && strstr(reason, "is not provided by uebpf") &&
	    sscanf(at, "helper %63[^#]", name) == 1)
		return xasprintf("helper %s", name);
	if (strstr(reason, "calling kernel functions is not supported") ||
	    strstr(reason, "kfuncs cannot be called"))
		return xstrdup("kfunc calls");
	if (strstr(reason, "is a kernel symbol (.ksyms)"))
		return xstrdup("kernel symbols (.ksyms)");
	if ((at = strstr(reason, "uebpf has no maps of type ")) &&
	    sscanf(at, "uebpf has no maps of type %63s", name) == 1)
		return xasprintf("map type %s", name);
	if ((at = strstr(reason, " is not a type uebpf provides"))) {
		const char *start = at;
		/* "struct NAME is not a type...": two words back. */
		for (int words = 0; start > reason && words < 2; start--)
			if (start[-1] == ' ' && ++words == 2)
				break;
		return xasprintf("kernel type for CO-RE: %.*s", (int)(at - start), start);
	}
	if ((at = strstr(reason, "invalid mem access '")) && strstr(reason, "not supported by uebpf") &&
	    sscanf(at, "invalid mem access '%63[^']", name) == 1)
		return xasprintf("memory access through %s", name);
	if (strstr(reason, "uebpf has no context rules for this program type"))
		return xstrdup("context rules of the program type");
	if (strstr(reason, "struct_ops"))
		return xstrdup("program type struct_ops");
	if (strstr(reason, "extension programs"))
		return xstrdup("program type ext (freplace)");
	if (strstr(reason, "lirc_mode2 programs are not supported"))
		return xstrdup("program type lirc_mode2");
	if (strstr(reason, "not supported by uebpf") || strstr(reason, "not provided by uebpf") ||
	    strstr(reason, "uebpf does not"))
		return xstrdup(reason_core(reason));
	return NULL;
}

/* A rejection from uebpf's log: its last message, with the instruction
 * it was at and the source line ("; text @ file:line" lines). */
static char *uebpf_log_reason(const char *log)
{
	char *msg = log_reason(log);
	const char *insn = NULL, *src = NULL;

	for (const char *line = log; *line; line += strcspn(line, "\n") + (line[strcspn(line, "\n")] != 0)) {
		if (line[0] == ';' && strstr(line, " @ "))
			src = strstr(line, " @ ") + 3;
		else if (line[0] >= '0' && line[0] <= '9' && line[strspn(line, "0123456789")] == ':')
			insn = line;
	}
	if (!insn && !src)
		return msg;
	char *with = xasprintf("%s (insn %ld%s%.*s)", msg, insn ? strtol(insn, NULL, 10) : -1L,
			       src ? ", " : "", src ? (int)strcspn(src, "\n") : 0, src ? src : "");
	free(msg);
	return with;
}

static void uebpf_load_here(struct result *r, const char *path)
{
	static char err_buf[4096];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err_buf, .err_size = sizeof(err_buf),
	};
	struct uebpf_object *obj;
	struct uebpf_program *prog, *p;
	int err;

	log_buf[0] = '\0';
	err_buf[0] = '\0';
	obj = uebpf_object_open_file(path, &opts);
	if (!obj) {
		r->u = U_REJECT;
		r->u_reason = xasprintf("uebpf cannot open it: %s",
					err_buf[0] ? err_buf : strerror(errno));
		r->u_feature = uebpf_lacks(r->u_reason);
		if (r->u_feature)
			r->u = U_LACKS;
		return;
	}
	prog = uebpf_object_find_program(obj, r->program);
	if (!prog) {
		r->u = U_REJECT;
		r->u_reason = xasprintf("uebpf does not list program %s", r->program);
		uebpf_object_close(obj);
		return;
	}
	uebpf_object_for_each_program(p, obj)
		uebpf_program_set_autoload(p, p == prog);
	if (uebpf_program_type(prog) == BPF_PROG_TYPE_UNSPEC && r->default_type)
		uebpf_program_set_type(prog, r->default_type);
	uebpf_program_set_log_buf(prog, log_buf, LOG_SIZE);
	uebpf_program_set_log_level(prog, 4);
	long t0 = now_usec();
	err = uebpf_object_load(obj);
	/* The verifier's own time, as the kernel reports its own; the
	 * whole load's when the log has none. */
	r->u_usec = log_number(log_buf, "verification time ");
	if (r->u_usec < 0)
		r->u_usec = now_usec() - t0;
	r->u_insns = log_number(log_buf, "processed ");
	if (!err) {
		r->u = U_ACCEPT;
	} else if (!strstr(err_buf, "rejected (see its log)") && r->u_insns >= 0) {
		/* The verifier accepted it (its statistics are there) and
		 * the load failed afterwards, as libbpf's does (a program
		 * array slot for a program not loaded). */
		r->u = U_ACCEPT;
		r->u_reason = xasprintf("the verifier accepted it, then the load failed: %s",
					reason_core(err_buf));
	} else if (strstr(err_buf, "rejected (see its log)")) {
		r->u_reason = uebpf_log_reason(log_buf);
		r->u = U_REJECT;
	} else {
		/* Refused before verification: the reason is the object's. */
		r->u_reason = err_buf[0] ? log_reason(err_buf) : xstrdup(strerror(-err));
		r->u_feature = uebpf_lacks(r->u_reason);
		r->u = r->u_feature ? U_LACKS : U_REJECT;
	}
	uebpf_object_close(obj);
}

/*
 * uebpf's load in a child process, so that a verification that does not
 * end in UEBPF_TIMEOUT_SEC is reported instead of stopping the test. The
 * child sends "accepted insns usec reason".
 */
static void uebpf_load(struct result *r, const char *path)
{
	char msg[4096 + 64];
	size_t len = 0;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds)) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(fds[0]);
		uebpf_load_here(r, path);
		int n = snprintf(msg, sizeof(msg), "%d %ld %ld %.4000s", r->u == U_ACCEPT,
				 r->u_insns, r->u_usec, r->u_reason ? r->u_reason : "");
		if (n > 0 && write(fds[1], msg, (size_t)n) != n)
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	long deadline = now_usec() + UEBPF_TIMEOUT_SEC * 1000000L;
	bool timed_out = false;
	for (;;) {
		long left = deadline - now_usec();
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

		if (left <= 0 || poll(&pfd, 1, (int)(left / 1000) + 1) == 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		ssize_t n = read(fds[0], msg + len, sizeof(msg) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	msg[len] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);

	int accepted, off = 0;
	if (timed_out) {
		r->u = U_REJECT;
		r->u_usec = UEBPF_TIMEOUT_SEC * 1000000L;
		r->u_reason = xasprintf("verification did not end in %d s", UEBPF_TIMEOUT_SEC);
	} else if (sscanf(msg, "%d %ld %ld %n", &accepted, &r->u_insns, &r->u_usec, &off) < 3) {
		r->u = U_REJECT;
		r->u_reason = WIFSIGNALED(status)
			? xasprintf("uebpf crashed: %s", strsignal(WTERMSIG(status)))
			: xasprintf("uebpf's load ended without a result (status %d)", status);
	} else if (accepted) {
		r->u = U_ACCEPT;
		if (msg[off])
			r->u_reason = xstrdup(msg + off);
	} else {
		r->u_reason = xstrdup(msg + off);
		r->u_feature = uebpf_lacks(r->u_reason);
		r->u = r->u_feature ? U_LACKS : U_REJECT;
	}
}

/* ---- one object ---- */

static const char *kname(const struct result *r)
{
	static const char *const names[] = { "accept", "reject", "n/a" };
	return names[r->k];
}

static const char *uname(const struct result *r)
{
	static const char *const names[] = { "accept", "reject", "lacks" };
	return names[r->u];
}

static void print_num(char *buf, size_t size, long k, long u)
{
	char a[24], b[24];
	snprintf(a, sizeof(a), k < 0 ? "-" : "%ld", k);
	snprintf(b, sizeof(b), u < 0 ? "-" : "%ld", u);
	snprintf(buf, size, "%.23s/%.23s", a, b);
}

static bool known_difference(const struct result *r, const char **reason)
{
	for (size_t i = 0; i < sizeof(known_differences) / sizeof(known_differences[0]); i++) {
		if (known_differences[i].object && !strcmp(known_differences[i].object, r->object) &&
		    !strcmp(known_differences[i].program, r->program)) {
			*reason = known_differences[i].reason;
			return true;
		}
	}
	return false;
}

/* A report field: no tabs nor newlines. */
static void report_field(const char *s, bool last)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, report);
	fputc(last ? '\n' : '\t', report);
}

/*
 * The report (-o), one line per program, tab-separated: path, program,
 * section, type, kernel verdict (accept, reject, n/a), kernel reason,
 * uebpf verdict (accept, reject, lacks), what uebpf lacks, uebpf's
 * reason, instructions processed by the kernel and by uebpf (-1: none).
 * An object neither opens has one line with program "-" and verdicts
 * "unopened".
 */
static void report_line(const struct result *r)
{
	static const char *const knames[] = { "accept", "reject", "n/a" };
	static const char *const unames[] = { "accept", "reject", "lacks" };
	const char *type = r->type ? libbpf_bpf_prog_type_str(r->type) : NULL;
	char num[32];

	report_field(r->path, false);
	report_field(r->program, false);
	report_field(r->section, false);
	report_field(type ? type : "unspec", false);
	report_field(knames[r->k], false);
	report_field(r->k_reason, false);
	report_field(unames[r->u], false);
	report_field(r->u_feature, false);
	report_field(r->u_reason ? reason_core(r->u_reason) : "", false);
	snprintf(num, sizeof(num), "%ld", r->k_insns);
	report_field(num, false);
	snprintf(num, sizeof(num), "%ld", r->u_insns);
	report_field(num, true);
}

static void report_unopened(const char *path, const char *libbpf_why, const char *uebpf_why)
{
	report_field(path, false);
	report_field("-", false);
	report_field("", false);
	report_field("", false);
	report_field("unopened", false);
	report_field(libbpf_why, false);
	report_field("unopened", false);
	report_field("", false);
	report_field(uebpf_why, false);
	report_field("-1", false);
	report_field("-1", true);
}

/* The type given with -t for the objects that follow, or 0. */
static enum bpf_prog_type default_type;

/* The programs of an object libbpf does not open, as uebpf lists them;
 * false when uebpf cannot open it either (with the reason printed). */
static bool list_via_uebpf(const char *path, bool sys, const char *filter, const char *why)
{
	static char err_buf[4096];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err_buf, .err_size = sizeof(err_buf),
	};
	struct uebpf_object *obj;
	struct uebpf_program *p;

	err_buf[0] = '\0';
	obj = uebpf_object_open_file(path, &opts);
	if (!obj) {
		printf("== %s (%s): libbpf cannot open it (%s), nor uebpf: %s\n", base_name(path),
		       path, why, err_buf);
		if (report)
			report_unopened(path, why, err_buf);
		return false;
	}
	uebpf_object_for_each_program(p, obj) {
		if (filter && !strstr(uebpf_program_name(p), filter))
			continue;
		struct result *r = new_result(path, uebpf_program_name(p), sys);
		r->via_uebpf = true;
		r->default_type = default_type;
		free(r->section);
		r->section = xstrdup(uebpf_program_section_name(p));
	}
	uebpf_object_close(obj);
	return true;
}

static void run_object(const char *path, bool sys, const char *filter)
{
	const char *file = base_name(path);
	struct bpf_object *obj;
	struct bpf_program *prog;
	size_t first = nr_results;

	/* The program list from libbpf (uebpf must list the same ones: the
	 * object tests check that). */
	libbpf_msgs[0] = '\0';
	libbpf_msgs_len = 0;
	obj = bpf_object__open_file(path, NULL);
	/* An object whose programs have no function symbols (clang before
	 * 6) opens with no program for libbpf 1.x. */
	if (obj && !bpf_object__next_program(obj, NULL) && !filter) {
		bpf_object__close(obj);
		obj = NULL;
		errno = ENOENT;
		snprintf(libbpf_msgs, sizeof(libbpf_msgs), "libbpf: no program (no function "
			 "symbol)\n");
	}
	if (!obj) {
		char *lwhy = libbpf_reason();
		char *why = xasprintf("%s%s%s", strerror(errno), lwhy[0] ? ": " : "", lwhy);

		free(lwhy);
		bool listed = list_via_uebpf(path, sys, filter, why);
		free(why);
		if (!listed)
			return;
	} else {
		bpf_object__for_each_program(prog, obj) {
			if (filter && !strstr(bpf_program__name(prog), filter))
				continue;
			struct result *r = new_result(path, bpf_program__name(prog), sys);
			r->default_type = default_type;
			free(r->section);
			r->section = xstrdup(bpf_program__section_name(prog));
		}
		bpf_object__close(obj);
	}
	if (first == nr_results)
		return;

	printf("== %s (%s)%s\n", file, path,
	       results[first].via_uebpf ? " (libbpf cannot open it: programs as uebpf lists them)"
					: "");
	printf("  %-28s %-7s %-7s %17s %17s\n", "program", "kernel", "uebpf", "insns k/u",
	       "usec k/u");
	long t0 = now_usec();
	for (size_t i = first; i < nr_results; i++) {
		struct result *r = &results[i];
		char insns[48], usec[48];

		if (r->via_uebpf)
			kernel_load_via_uebpf(r, path);
		else
			kernel_load(r, path);
		empty_dir(bpffs_pin_dir);
		uebpf_load(r, path);
		empty_dir(uebpf_pin_dir);
		print_num(insns, sizeof(insns), r->k_insns, r->u_insns);
		print_num(usec, sizeof(usec), r->k_usec, r->u_usec);
		printf("  %-28s %-7s %-7s %17s %17s\n", r->program, kname(r), uname(r), insns, usec);
		if (r->k == K_ENV)
			printf("      kernel not comparable: %s\n", r->k_reason);
		else if (r->k == K_ACCEPT && r->u == U_LACKS)
			printf("      uebpf lacks %s\n", r->u_feature);
		else if (r->k == K_ACCEPT && r->u != U_ACCEPT)
			printf("      uebpf too strict: %s\n", reason_core(r->u_reason));
		else if (r->k == K_REJECT && r->u == U_ACCEPT)
			printf("      UNSAFE: uebpf accepts, the kernel rejects: %s\n", r->k_reason);
		else if (verbose && r->k == K_REJECT)
			printf("      kernel: %s\n", r->k_reason);
		if (verbose && r->u_reason && !(r->k == K_ACCEPT && r->u != U_ACCEPT))
			printf("      uebpf: %s\n", reason_core(r->u_reason));
		if (verbose && r->k == K_ACCEPT && r->k_reason)
			printf("      kernel: %s\n", r->k_reason);
	}
	long took = now_usec() - t0;
	if (took > 10 * 1000000L)
		printf("  (slow: %.1f s for this object)\n", (double)took / 1e6);
}

/* ---- the summary ---- */

struct count {
	char *key;
	int n;
	char *example; /* object:program */
};

static void count_add(struct count **list, size_t *cnt, const char *key, const char *example)
{
	for (size_t i = 0; i < *cnt; i++) {
		if (!strcmp((*list)[i].key, key)) {
			(*list)[i].n++;
			return;
		}
	}
	*list = realloc(*list, (*cnt + 1) * sizeof(**list));
	if (!*list) {
		perror("realloc");
		exit(2);
	}
	(*list)[(*cnt)++] = (struct count){ xstrdup(key), 1, xstrdup(example) };
}

static int count_cmp(const void *a, const void *b)
{
	const struct count *x = a, *y = b;
	return x->n != y->n ? y->n - x->n : strcmp(x->key, y->key);
}

static void count_print(struct count *list, size_t cnt)
{
	qsort(list, cnt, sizeof(*list), count_cmp);
	for (size_t i = 0; i < cnt; i++) {
		printf("  %4d  %s  (e.g. %s)\n", list[i].n, list[i].key, list[i].example);
		free(list[i].key);
		free(list[i].example);
	}
	free(list);
}

/* A message with its numbers (registers, offsets, sizes, instruction
 * indexes) written as N and, with `names`, what it quotes as '*', so that
 * alike messages group. */
static char *message_shape(const char *msg, bool names)
{
	char *s = xstrdup(msg), *o = s;

	for (const char *p = msg; *p;) {
		if (names && *p == '\'' && strchr(p + 1, '\'')) {
			p = strchr(p + 1, '\'') + 1;
			memcpy(o, "'*'", 3);
			o += 3;
			continue;
		}
		if (*p >= '0' && *p <= '9' && !(p > msg && ((p[-1] >= 'a' && p[-1] <= 'z') ||
							    (p[-1] >= 'A' && p[-1] <= 'Z') ||
							    p[-1] == '_'))) {
			*o++ = 'N';
			while ((*p >= '0' && *p <= '9') || *p == 'x' ||
			       (*p >= 'a' && *p <= 'f'))
				p++;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return s;
}

struct group_stats {
	int comparable, both_accept, both_reject, kernel_only, kernel_only_lacks, uebpf_only;
	int not_comparable, kernel_accepts;
	long k_insns, u_insns, k_usec, u_usec;
	int timed;
};

static int summarize(void)
{
	struct group_stats g[2] = { 0 };
	struct count *lacks = NULL, *strict = NULL, *env = NULL;
	size_t nr_lacks = 0, nr_strict = 0, nr_env = 0;
	int failures = 0;

	printf("\n==== disagreements\n");
	for (size_t i = 0; i < nr_results; i++) {
		struct result *r = &results[i];
		struct group_stats *s = &g[r->system];
		char example[256];

		snprintf(example, sizeof(example), "%s:%s", r->object, r->program);
		if (r->k == K_ENV) {
			s->not_comparable++;
			char *shape = message_shape(r->k_reason, true);
			count_add(&env, &nr_env, shape, example);
			free(shape);
			continue;
		}
		s->comparable++;
		if (r->k == K_ACCEPT)
			s->kernel_accepts++;
		if (r->k == K_ACCEPT && r->u == U_ACCEPT) {
			s->both_accept++;
			/* The work and time of programs both accept. */
			if (r->k_insns >= 0 && r->u_insns >= 0) {
				s->k_insns += r->k_insns;
				s->u_insns += r->u_insns;
			}
			if (r->k_usec >= 0 && r->u_usec >= 0) {
				s->k_usec += r->k_usec;
				s->u_usec += r->u_usec;
				s->timed++;
			}
		} else if (r->k == K_REJECT && r->u != U_ACCEPT) {
			s->both_reject++;
		} else if (r->k == K_ACCEPT) {
			s->kernel_only++;
			if (r->u == U_LACKS) {
				s->kernel_only_lacks++;
				count_add(&lacks, &nr_lacks, r->u_feature, example);
				printf("  kernel only (uebpf lacks %s) %s\n", r->u_feature, example);
			} else {
				char *shape = message_shape(reason_core(r->u_reason), false);
				char *where = strstr(shape, " (insn ");

				if (where)
					*where = '\0';
				count_add(&strict, &nr_strict, shape, example);
				free(shape);
				printf("  kernel only %s: uebpf: %s\n", example, r->u_reason);
			}
		} else {
			const char *why;

			s->uebpf_only++;
			if (known_difference(r, &why)) {
				printf("  uebpf only (known: %s) %s: kernel: %s\n", why, example,
				       r->k_reason);
			} else {
				printf("  FAIL uebpf only (unsafe) %s: kernel: %s\n", example,
				       r->k_reason);
				failures++;
			}
		}
	}

	printf("\n==== not comparable (the kernel's environment refused them), by reason\n");
	count_print(env, nr_env);
	printf("\n==== uebpf lacks a feature (kernel-accepted programs), by feature\n");
	count_print(lacks, nr_lacks);
	printf("\n==== uebpf rejects kernel-accepted programs, by message\n");
	count_print(strict, nr_strict);

	printf("\n==== summary\n");
	for (int i = 0; i < 2; i++) {
		struct group_stats *s = &g[i];
		const struct threshold *t = &thresholds[i];

		printf("%s objects: %d programs comparable (%d not), both accept %d, both reject %d,"
		       " kernel only %d (%d of them uebpf lacks a feature), uebpf only %d\n",
		       t->group, s->comparable, s->not_comparable, s->both_accept, s->both_reject,
		       s->kernel_only, s->kernel_only_lacks, s->uebpf_only);
		if (s->both_accept)
			printf("  on the %d both accept: processed insns kernel %ld, uebpf %ld"
			       " (uebpf/kernel %.2f); verification time kernel %ld us, uebpf %ld us"
			       " (uebpf/kernel %.2f)\n",
			       s->both_accept, s->k_insns, s->u_insns,
			       s->k_insns ? (double)s->u_insns / (double)s->k_insns : 0.0,
			       s->k_usec, s->u_usec,
			       s->k_usec ? (double)s->u_usec / (double)s->k_usec : 0.0);
		/* The regression threshold, scaled when the kernel accepts
		 * another number of programs than when it was measured. */
		int want = t->accepted;
		if (t->comparable_kernel_accepts && s->kernel_accepts != t->comparable_kernel_accepts)
			want = (int)((long)t->accepted * s->kernel_accepts /
				     t->comparable_kernel_accepts);
		if (report) {
			/* Not the project's objects: no threshold. */
			printf("  uebpf accepts %d of the %d the kernel accepts\n", s->both_accept,
			       s->kernel_accepts);
			continue;
		}
		printf("  uebpf accepts %d of the %d the kernel accepts (at least %d wanted)\n",
		       s->both_accept, s->kernel_accepts, want);
		if (s->both_accept < want) {
			printf("  FAIL %s: uebpf accepts fewer kernel-accepted programs than the %d"
			       " measured\n", t->group, want);
			failures++;
		}
	}
	return failures;
}

/* ---- main ---- */

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.o of dir, in name order. */
static void run_dir(const char *dir, bool sys, const char *filter)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **paths = NULL;
	size_t cnt = 0;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".o"))
			continue;
		paths = realloc(paths, (cnt + 1) * sizeof(*paths));
		if (!paths) {
			perror("realloc");
			exit(2);
		}
		paths[cnt++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (cnt)
		qsort(paths, cnt, sizeof(*paths), path_cmp);
	for (size_t i = 0; i < cnt; i++) {
		run_object(paths[i], sys, filter);
		free(paths[i]);
	}
	free(paths);
}

/* A program type by libbpf's name for it ("sched_cls"), or 0. */
static enum bpf_prog_type prog_type_by_name(const char *name)
{
	for (int t = 1; t < 64; t++) {
		const char *n = libbpf_bpf_prog_type_str((enum bpf_prog_type)t);

		if (n && !strcmp(n, name))
			return (enum bpf_prog_type)t;
	}
	return BPF_PROG_TYPE_UNSPEC;
}

/* Whether this process may load programs into the kernel. */
static bool kernel_available(void)
{
	int err = kernel_probe_prog_load();

	if (err)
		printf("skipped: bpf(BPF_PROG_LOAD) refused: %s\n", strerror(-err));
	return !err;
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	bool sys_objs = false;
	int failures, missing = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: %s [-k NAME] [-v] [-t TYPE] [-o REPORT.tsv] "
			"(OBJECT.o | DIR | --system)...\n",
			argv[0]);
		return 2;
	}
	if (!kernel_available())
		return KERNEL_TEST_SKIP;
	libbpf_set_print(libbpf_print);
	log_buf = malloc(LOG_SIZE);
	if (!log_buf) {
		perror("malloc");
		return 2;
	}
	/* Pinned maps: uebpf's in a private directory, the kernel's in one
	 * of bpffs, both removed at the end. */
	if (!mkdtemp(uebpf_pin_dir)) {
		perror("mkdtemp");
		return 2;
	}
	setenv(UEBPF_PIN_DIR_ENV, uebpf_pin_dir, 1);
	snprintf(bpffs_pin_dir, sizeof(bpffs_pin_dir), "/sys/fs/bpf/uebpf-vcorpus-%d", getpid());
	if (mkdir(bpffs_pin_dir, 0700) && errno != EEXIST)
		fprintf(stderr, "mkdir %s: %s (pinned maps will not load)\n", bpffs_pin_dir,
			strerror(errno));

	long t0 = now_usec();
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (!strcmp(argv[i], "-k") && i + 1 < argc) {
			filter = argv[++i];
		} else if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
			default_type = prog_type_by_name(argv[++i]);
			if (default_type == BPF_PROG_TYPE_UNSPEC) {
				fprintf(stderr, "-t %s: not a program type libbpf names\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			report = fopen(argv[++i], "w");
			if (!report) {
				perror(argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--system")) {
			sys_objs = true;
		} else if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			run_dir(argv[i], sys_objs, filter);
		} else if (!access(argv[i], R_OK)) {
			run_object(argv[i], sys_objs, filter);
		} else if (!sys_objs) {
			/* A project object that is missing did not build. */
			printf("FAIL %s: %s\n", argv[i], strerror(errno));
			missing++;
		}
	}
	failures = summarize() + missing;
	if (report) {
		for (size_t i = 0; i < nr_results; i++)
			report_line(&results[i]);
		fclose(report);
	}
	printf("%zu programs in %.1f s\n", nr_results, (double)(now_usec() - t0) / 1e6);

	for (size_t i = 0; i < nr_results; i++) {
		free(results[i].object);
		free(results[i].program);
		free(results[i].path);
		free(results[i].section);
		free(results[i].k_reason);
		free(results[i].u_reason);
		free(results[i].u_feature);
	}
	free(results);
	free(log_buf);
	empty_dir(uebpf_pin_dir);
	empty_dir(bpffs_pin_dir);
	rmdir(uebpf_pin_dir);
	rmdir(bpffs_pin_dir);
	return failures ? 1 : 0;
}
