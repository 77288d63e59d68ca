/* SPDX-License-Identifier: MIT */
/*
 * Malformed and hostile objects: the corpus objects (tests/objects/),
 * mutated systematically and at random, are given to
 * uebpf_object_open_mem and, when that succeeds, walked and loaded. Each
 * must end as either
 *   - NULL from open (or a negative errno from load) with errno set and
 *     a non-empty, NUL-terminated message, or
 *   - an object whose every answer is consistent (object_walk.h),
 * without a crash, a sanitizer report, a hang (10 s per input), a
 * leaked fd or a file created outside the pin directory.
 *
 * Systematic: truncation at every section boundary and section header of
 * a few objects; every ELF header field and every field of every section
 * header of one object set to 0, all ones and one past the file. Random:
 * N inputs (default 3000), each one to three structured mutations
 * (elf_mutate.h) of a corpus object; deterministic for a seed. Failing
 * inputs are written to OUT_DIR (default /tmp) and replay with -r.
 *
 * Usage: object_malformed_test CORPUS_DIR CORPUS_LIST [-n N] [-s SEED]
 *                              [-r INDEX] [-o OUT_DIR] [-v]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "uebpf/maps.h"
#include "uebpf/object.h"
#include "tests/check.h"
#include "tests/objects/corpus_elf.h"
#include "tests/objects/elf_mutate.h"
#include "tests/objects/object_walk.h"

/* Maps larger than this are not created (a mutated size can ask for
 * terabytes; see object_maps_small). */
#define MAP_BYTES_LIMIT (64ull << 20)
#define SECONDS_PER_INPUT 10

static bool verbose;
static const char *out_dir = "/tmp";
static char work_dir[] = "/tmp/uebpf-malformed-XXXXXX";
static char pin_dir[sizeof(work_dir) + 8];
static unsigned long long seed = 1;

/* The input being tried, for the crash handlers. */
static const uint8_t *cur_data;
static size_t cur_size;
static char cur_label[128];
static char cur_desc[512];

/* Per mutation kind: inputs, refused at open, refused at load, loaded. */
static unsigned stat_inputs[EM_KINDS + 2], stat_open_refused[EM_KINDS + 2],
	stat_load_refused[EM_KINDS + 2], stat_loaded[EM_KINDS + 2], stat_too_big;
static char sample_msg[EM_KINDS + 2][2][200];
#define KIND_SYSTEMATIC_TRUNC EM_KINDS
#define KIND_SYSTEMATIC_FIELD (EM_KINDS + 1)

static const char *kind_name(int kind)
{
	if (kind == KIND_SYSTEMATIC_TRUNC)
		return "systematic truncation";
	if (kind == KIND_SYSTEMATIC_FIELD)
		return "systematic header field";
	return em_kind_names[kind];
}

/* Writes the input where a person can replay it (the first 20 failing
 * ones); async-signal-safe. */
static void save_input(const char *why)
{
	static volatile sig_atomic_t saved;
	char path[256];
	if (saved >= 20)
		return;
	saved++;
	int n = snprintf(path, sizeof(path), "%s/uebpf-malformed-%llu-%s.o", out_dir, seed,
			 cur_label);
	for (char *p = path + strlen(out_dir) + 1; n > 0 && *p; p++)
		if (*p == ' ' || *p == '/')
			*p = '_';
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		size_t done = 0;
		while (done < cur_size) {
			ssize_t w = write(fd, cur_data + done, cur_size - done);
			if (w <= 0)
				break;
			done += (size_t)w;
		}
		close(fd);
	}
	dprintf(2, "%s: input %s (%s), saved as %s\n", why, cur_label, cur_desc, path);
}

static void on_death(void)
{
	if (cur_data)
		save_input("sanitizer report");
}

static void on_signal(int sig)
{
	if (cur_data)
		save_input(sig == SIGALRM ? "hang (no answer in 10 s)" : "crash");
	signal(sig, SIG_DFL);
	raise(sig);
}

extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void clear_dir(const char *dir)
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
		unlink(path);
	}
	closedir(d);
}

/* One input: open, walk, load, walk, close, and the checks. */
static void try_input(const uint8_t *data, size_t size, int kind, const char *label,
		      const char *desc)
{
	char err[512], why[256];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .pin_root_path = pin_dir, .err_buf = err,
		.err_size = sizeof(err),
	};
	/* An exactly sized copy: reading past the end is an ASan report. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy) {
		CHECK_REPORT(0, "out of memory");
		return;
	}
	memcpy(copy, data, size);
	cur_data = copy;
	cur_size = size;
	snprintf(cur_label, sizeof(cur_label), "%s", label);
	snprintf(cur_desc, sizeof(cur_desc), "%s", desc);
	stat_inputs[kind]++;
	clear_dir(pin_dir);
	int fds_before = count_entries("/proc/self/fd");

	alarm(SECONDS_PER_INPUT);
	memset(err, 'x', sizeof(err));
	errno = 0;
	struct uebpf_object *obj = uebpf_object_open_mem(copy, size, &opts);
	int open_errno = errno;
	bool failed = false;
	if (!obj) {
		stat_open_refused[kind]++;
		bool terminated = memchr(err, '\0', sizeof(err)) != NULL;
		if (open_errno <= 0 || !terminated || !err[0]) {
			CHECK_REPORT(0, "%s (%s): refused with errno %d and message '%.100s'", label,
				     desc, open_errno, terminated ? err : "(not terminated)");
			failed = true;
		} else {
			check_passed++;
			for (int k = 0; k < 2; k++) {
				if (!sample_msg[kind][k][0]) {
					snprintf(sample_msg[kind][k], sizeof(sample_msg[kind][k]), "%.199s", err);
					break;
				}
			}
		}
		if (verbose)
			printf("  %s: %s -> refused: %s\n", label, desc, err);
	} else {
		/* A file as good as this is an object like any other. */
		if (object_walk(obj, false, why, sizeof(why))) {
			CHECK_REPORT(0, "%s (%s): opened, then %s", label, desc, why);
			failed = true;
		}
		if (!object_maps_small(obj, MAP_BYTES_LIMIT)) {
			stat_too_big++;
		} else {
			memset(err, 'x', sizeof(err));
			err[0] = '\0';
			int rc = uebpf_object_load(obj);
			if (rc) {
				stat_load_refused[kind]++;
				if (rc > 0 || !memchr(err, '\0', sizeof(err)) || !err[0]) {
					CHECK_REPORT(0, "%s (%s): load returned %d, message '%.100s'",
						     label, desc, rc,
						     memchr(err, '\0', sizeof(err)) ? err : "(not terminated)");
					failed = true;
				}
				if (verbose)
					printf("  %s: %s -> opened, load refused: %s\n", label, desc, err);
			} else {
				stat_loaded[kind]++;
				if (object_walk(obj, true, why, sizeof(why))) {
					CHECK_REPORT(0, "%s (%s): loaded, then %s", label, desc, why);
					failed = true;
				}
				if (verbose)
					printf("  %s: %s -> loaded\n", label, desc);
			}
		}
		uebpf_object_close(obj);
		if (!failed)
			check_passed++;
	}
	alarm(0);

	int fds_after = count_entries("/proc/self/fd");
	if (fds_after != fds_before) {
		CHECK_REPORT(0, "%s (%s): %d fds open before, %d after", label, desc, fds_before,
			     fds_after);
		failed = true;
	}
	/* Only the pin directory may get files (a map name with "../"). */
	if (count_entries(work_dir) != 1) {
		CHECK_REPORT(0, "%s (%s): files created outside the pin directory", label, desc);
		failed = true;
	}
	if (failed)
		save_input("check failed");
	cur_data = NULL;
	free(copy);
}

/* ---- systematic ---- */

static const char *const truncation_objects[] = {
	"globals.o", "subprogs.o", "map_in_map.o", "callbacks.o", "core_ctx.o",
	"legacy_maps.nog.o", "prog_array.o", "usdt_lib.o",
};
static const char *const field_object = "subprogs.o";

static unsigned systematic_index;

static void systematic(const struct corpus *c, long only)
{
	char label[64], desc[256];

	for (size_t i = 0; i < c->cnt; i++) {
		const struct corpus_file *f = &c->files[i];
		struct elf_view v;
		bool trunc = false;
		for (size_t k = 0; k < sizeof(truncation_objects) / sizeof(truncation_objects[0]); k++)
			trunc |= !strcmp(f->name, truncation_objects[k]);
		if (elf_view_init(&v, f->data, f->size))
			continue;
		if (trunc) {
			for (size_t s = 0; s < v.eh->e_shnum; s++) {
				size_t cuts[3] = { v.sh[s].sh_offset, v.sh[s].sh_offset + v.sh[s].sh_size,
						   v.eh->e_shoff + s * sizeof(Elf64_Shdr) + 8 };
				for (int k = 0; k < 3; k++) {
					unsigned idx = systematic_index++;
					if (cuts[k] >= f->size || (only >= 0 && (unsigned long)only != idx))
						continue;
					snprintf(label, sizeof(label), "s%u", idx);
					snprintf(desc, sizeof(desc), "%s truncated to %zu (section %zu %s, %s)",
						 f->name, cuts[k], s, elf_section_name(&v, s),
						 k == 0 ? "start" : k == 1 ? "end" : "its header");
					try_input(f->data, cuts[k], KIND_SYSTEMATIC_TRUNC, label, desc);
				}
			}
		}
		if (strcmp(f->name, field_object))
			continue;
		uint8_t *buf = malloc(f->size);
		if (!buf)
			return;
		static const uint64_t values[] = { 0, ~0ull, 1 };
		for (size_t k = 0; k < EM_NFIELDS(em_ehdr_fields); k++) {
			for (int vi = 0; vi < 3; vi++) {
				const struct em_field *fl = &em_ehdr_fields[k];
				unsigned idx = systematic_index++;
				if (only >= 0 && (unsigned long)only != idx)
					continue;
				uint64_t val = vi == 2 ? em_get(f->data + fl->off, fl->width) + f->size : values[vi];
				memcpy(buf, f->data, f->size);
				em_put(buf + fl->off, fl->width, val);
				snprintf(label, sizeof(label), "s%u", idx);
				snprintf(desc, sizeof(desc), "%s: %s = %#llx", f->name, fl->name,
					 (unsigned long long)em_get(buf + fl->off, fl->width));
				try_input(buf, f->size, KIND_SYSTEMATIC_FIELD, label, desc);
			}
		}
		for (size_t s = 0; s < v.eh->e_shnum; s++) {
			for (size_t k = 0; k < EM_NFIELDS(em_shdr_fields); k++) {
				for (int vi = 0; vi < 3; vi++) {
					const struct em_field *fl = &em_shdr_fields[k];
					unsigned idx = systematic_index++;
					if (only >= 0 && (unsigned long)only != idx)
						continue;
					size_t at = v.eh->e_shoff + s * sizeof(Elf64_Shdr) + fl->off;
					uint64_t val = vi == 2 ? em_get(f->data + at, fl->width) + f->size :
						       values[vi];
					memcpy(buf, f->data, f->size);
					em_put(buf + at, fl->width, val);
					snprintf(label, sizeof(label), "s%u", idx);
					snprintf(desc, sizeof(desc), "%s: section %zu (%s) %s = %#llx", f->name, s,
						 elf_section_name(&v, s), fl->name,
						 (unsigned long long)em_get(buf + at, fl->width));
					try_input(buf, f->size, KIND_SYSTEMATIC_FIELD, label, desc);
				}
			}
		}
		free(buf);
	}
}

/* ---- random ---- */

static void random_input(const struct corpus *c, unsigned long n)
{
	uint64_t rng = seed * 0x9e3779b97f4a7c15ull ^ (n + 1) * 0xd1b54a32d192ed03ull;
	char label[64], desc[512], one[200];
	/* Big objects (hundreds of KB) are slow to mutate many times: rarer. */
	const struct corpus_file *f;
	do
		f = &c->files[em_below(&rng, c->cnt)];
	while (f->size > 100000 && em_below(&rng, 8));
	uint8_t *buf = malloc(f->size ? f->size : 1);
	if (!buf)
		return;
	memcpy(buf, f->data, f->size);
	size_t len = f->size;
	unsigned stack = em_below(&rng, 4) ? 1 : 2 + em_below(&rng, 2);
	int kind = 0;
	int at = snprintf(desc, sizeof(desc), "%s:", f->name);
	for (unsigned k = 0; k < stack; k++) {
		int this_kind;
		len = elf_mutate(&rng, buf, len, one, sizeof(one), &this_kind);
		if (k == 0)
			kind = this_kind;
		if (at > 0 && (size_t)at < sizeof(desc))
			at += snprintf(desc + at, sizeof(desc) - (size_t)at, " [%s] %s",
				       em_kind_names[this_kind], one);
	}
	snprintf(label, sizeof(label), "r%lu", n);
	try_input(buf, len, kind, label, desc);
	free(buf);
}

static void test_corpus_opens(const struct corpus *c)
{
	char err[512];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .pin_root_path = pin_dir, .err_buf = err, .err_size = sizeof(err),
	};
	for (size_t i = 0; i < c->cnt; i++) {
		if (!strncmp(c->files[i].name, "edge_", 5))
			continue; /* refused on purpose */
		err[0] = '\0';
		struct uebpf_object *obj = uebpf_object_open_mem(c->files[i].data, c->files[i].size,
								 &opts);
		CHECK_REPORT(obj, "%s: open_mem refuses the unmodified object: %s", c->files[i].name,
			     err);
		uebpf_object_close(obj);
	}
	/* Nothing at all, and less than an ELF header. */
	errno = 0;
	CHECK(!uebpf_object_open_mem(NULL, 0, &opts) && errno > 0);
	errno = 0;
	CHECK(!uebpf_object_open_mem("\177ELF", 4, &opts) && errno > 0);
	errno = 0;
	CHECK(!uebpf_object_open_mem("\177ELF", 4, NULL) && errno > 0);
}

int main(int argc, char **argv)
{
	unsigned long iterations = 3000;
	long only = -1;
	bool only_random = false;
	struct corpus corpus = { 0 };
	int opt;

	while ((opt = getopt(argc, argv, "n:s:r:o:v")) != -1) {
		switch (opt) {
		case 'n': iterations = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'r':
			only_random = optarg[0] == 'r';
			only = strtol(optarg + (optarg[0] == 'r' || optarg[0] == 's'), NULL, 0);
			break;
		case 'o': out_dir = optarg; break;
		case 'v': verbose = true; break;
		default:
			fprintf(stderr, "usage: %s CORPUS_DIR CORPUS_LIST [-n N] [-s SEED] "
					"[-r sINDEX|rINDEX] [-o OUT_DIR] [-v]\n", argv[0]);
			return 2;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR CORPUS_LIST [options]\n", argv[0]);
		return 2;
	}
	if (corpus_load_list(&corpus, argv[optind], argv[optind + 1]) || !corpus.cnt) {
		fprintf(stderr, "the corpus is incomplete\n");
		return 1;
	}
	if (!mkdtemp(work_dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(pin_dir, sizeof(pin_dir), "%s/pins", work_dir);
	if (mkdir(pin_dir, 0700)) {
		perror("mkdir");
		return 2;
	}
	/* Maps' segments, pinned or not, live in the pin directory. */
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	signal(SIGABRT, on_signal);
	signal(SIGALRM, on_signal);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_death);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	check_current = "the corpus opens from memory";
	if (only < 0)
		test_corpus_opens(&corpus);
	check_current = "systematic";
	if (only < 0 || !only_random)
		systematic(&corpus, only);
	check_current = "random";
	if (only < 0 || only_random) {
		for (unsigned long n = 0; n < iterations; n++)
			if (only < 0 || (unsigned long)only == n)
				random_input(&corpus, n);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	unsigned total = 0, refused = 0, load_refused = 0, loaded = 0;
	printf("%-34s %7s %7s %7s %7s\n", "mutation", "inputs", "refused", "load-no", "loaded");
	for (int k = 0; k < EM_KINDS + 2; k++) {
		if (!stat_inputs[k])
			continue;
		printf("%-34s %7u %7u %7u %7u\n", kind_name(k), stat_inputs[k], stat_open_refused[k],
		       stat_load_refused[k], stat_loaded[k]);
		total += stat_inputs[k];
		refused += stat_open_refused[k];
		load_refused += stat_load_refused[k];
		loaded += stat_loaded[k];
	}
	printf("%u inputs (seed %llu) in %.1f s: %u refused at open, %u at load, %u loaded, "
	       "%u not loaded (maps too big)\n",
	       total, seed, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       refused, load_refused, loaded, stat_too_big);
	printf("sample messages:\n");
	for (int k = 0; k < EM_KINDS + 2; k++)
		for (int m = 0; m < 2; m++)
			if (sample_msg[k][m][0])
				printf("  [%s] %s\n", kind_name(k), sample_msg[k][m]);

	corpus_free(&corpus);
	rmdir(pin_dir);
	rmdir(work_dir);
	return check_summary("object_malformed_test");
}
