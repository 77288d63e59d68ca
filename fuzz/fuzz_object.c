/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the object loader. The input is an ELF file, opened with
 * uebpf_object_open_mem from an exactly sized copy. Refused: errno must
 * be set and the message non-empty. Opened: everything a user can ask is
 * asked and must be consistent (tests/objects/object_walk.h: names,
 * instructions, line info of every instruction, maps, initial values,
 * lookups by name); then the object is loaded (unless its maps would be
 * huge) and walked again, and closed. No crash, no sanitizer report, no
 * leaked fd.
 *
 * Maps live in a private pin directory, emptied before each input.
 * Seeds: the compiled corpus (tests/objects/), without DWARF, built at
 * build time into BUILD/fuzz/corpus-object. With libFuzzer, half of the
 * mutations are structure-aware (tests/objects/elf_mutate.h: section and
 * symbol fields, relocations, BTF records, instructions, truncations);
 * the standalone driver generates such mutations of the seeds it finds
 * in FUZZ_OBJECT_SEEDS and edits the first code section's instructions.
 * UEBPF_FUZZ_VERBOSE=1 prints what each input did.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uebpf/maps.h>
#include <uebpf/object.h>

#include "fuzz.h"
#include "tests/objects/corpus_elf.h"
#include "tests/objects/elf_mutate.h"
#include "tests/objects/object_walk.h"

#define MAP_BYTES_LIMIT (64ull << 20)
#define OBJECT_MAX_INPUT 65536

static char pin_dir[64];
static int verbose = -1;
static unsigned long n_inputs, n_opened, n_loaded, n_load_refused, n_too_big;

static void clear_pin_dir(void)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	char path[sizeof(pin_dir) + 256];
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void remove_pin_dir(void)
{
	clear_pin_dir();
	rmdir(pin_dir);
}

static void setup(void)
{
	if (pin_dir[0])
		return;
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-fuzz-object-%d", (int)getpid());
	if (mkdir(pin_dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "fuzz_object: cannot create %s\n", pin_dir);
		abort();
	}
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	atexit(remove_pin_dir);
	const char *v = getenv("UEBPF_FUZZ_VERBOSE");
	verbose = v && *v && strcmp(v, "0");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], why[256];
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .pin_root_path = NULL, .err_buf = err, .err_size = sizeof(err),
	};

	setup();
	opts.pin_root_path = pin_dir;
	clear_pin_dir();
	n_inputs++;
	int fds = count_fds();

	memset(err, 'x', sizeof(err));
	errno = 0;
	struct uebpf_object *obj = uebpf_object_open_mem(data, size, &opts);
	if (!obj) {
		int e = errno;
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "open: message not NUL-terminated");
		FUZZ_CHECK(e > 0 && err[0], "open refused with errno %d, message '%s'", e, err);
		if (verbose)
			fprintf(stderr, "refused: %s\n", err);
	} else {
		n_opened++;
		FUZZ_CHECK(object_walk(obj, false, why, sizeof(why)) == 0, "opened, then %s", why);
		if (!object_maps_small(obj, MAP_BYTES_LIMIT)) {
			n_too_big++;
		} else {
			memset(err, 'x', sizeof(err));
			err[0] = '\0';
			int rc = uebpf_object_load(obj);
			FUZZ_CHECK(rc <= 0, "load returned %d", rc);
			FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "load: message not NUL-terminated");
			if (rc) {
				n_load_refused++;
				FUZZ_CHECK(err[0], "load refused (%d) without a message", rc);
				if (verbose)
					fprintf(stderr, "opened, load refused: %s\n", err);
			} else {
				n_loaded++;
				FUZZ_CHECK(object_walk(obj, true, why, sizeof(why)) == 0,
					   "loaded, then %s", why);
				if (verbose)
					fprintf(stderr, "loaded\n");
			}
		}
		uebpf_object_close(obj);
	}
	int fds_after = count_fds();
	FUZZ_CHECK(fds_after == fds, "%d fds open before, %d after", fds, fds_after);
	return 0;
}

/* ---- libFuzzer: structure-aware mutations half of the time ---- */

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) __attribute__((weak));
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	uint64_t rng = seed;
	if (LLVMFuzzerMutate && (em_next(&rng) & 1))
		return LLVMFuzzerMutate(data, size, max_size);
	size_t len = size < max_size ? size : max_size;
	unsigned n = 1 + em_below(&rng, 3);
	for (unsigned i = 0; i < n; i++)
		len = elf_mutate(&rng, data, len, NULL, 0, NULL);
	return len;
}

/* ---- the standalone driver ---- */

#ifdef FUZZ_OBJECT_SEEDS
static struct corpus seeds;
static bool seeds_loaded;
#endif

/* A structured mutation of a seed object (random bytes without seeds). */
static size_t generate(uint64_t *rng, uint8_t *out, size_t max)
{
#ifdef FUZZ_OBJECT_SEEDS
	if (!seeds_loaded) {
		seeds_loaded = true;
		corpus_load_dir(&seeds, FUZZ_OBJECT_SEEDS);
	}
	if (seeds.cnt) {
		const struct corpus_file *f = &seeds.files[em_below(rng, seeds.cnt)];
		size_t len = f->size < max ? f->size : max;
		memcpy(out, f->data, len);
		unsigned n = 1 + em_below(rng, 3);
		for (unsigned i = 0; i < n; i++)
			len = elf_mutate(rng, out, len, NULL, 0, NULL);
		return len;
	}
#endif
	size_t len = em_below(rng, max < 4096 ? max : 4096);
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)em_next(rng);
	return len;
}

/* Where the first code section starts, for instruction-level edits. */
static size_t insn_start(const uint8_t *data, size_t size)
{
	struct elf_view v;
	if (elf_view_init(&v, data, size))
		return size;
	for (size_t i = 1; i < v.eh->e_shnum; i++) {
		size_t sz = 0;
		if ((v.sh[i].sh_flags & SHF_EXECINSTR) && elf_section_data(&v, i, &sz) && sz >= 8)
			return v.sh[i].sh_offset;
	}
	return size;
}

static void print_stats(FILE *out)
{
	fprintf(out, "fuzz_object: %lu inputs: %lu opened (%lu loaded, %lu refused at load, "
		     "%lu with maps too big to create), %lu refused at open\n",
		n_inputs, n_opened, n_loaded, n_load_refused, n_too_big, n_inputs - n_opened);
}

const struct fuzz_target fuzz_target = {
	.name = "fuzz_object",
	.max_input = OBJECT_MAX_INPUT,
	.generate = generate,
	.insn_start = insn_start,
	.print_stats = print_stats,
};
