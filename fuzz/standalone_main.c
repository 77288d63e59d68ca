/* SPDX-License-Identifier: MIT */
/*
 * A main() for the fuzz targets that needs no libFuzzer (any compiler):
 *
 *   fuzz_X_standalone [-n ITERATIONS] [-s SEED] [-t SECONDS] [-d DICT]
 *                     [-o CRASH_DIR] [-v] [DIR|FILE]...
 *
 * 1. replays every file given, and every file in every directory given
 *    (in name order): a seed corpus, or a crash reproducer;
 * 2. runs ITERATIONS (default 20000) inputs made with a PRNG seeded with
 *    SEED (default 1): fresh ones from the target's generator (mostly
 *    valid programs), random bytes, and mutations of the corpus and of
 *    recent inputs (bit flips, byte changes, insertions, deletions,
 *    splicing, dictionary tokens, instruction-level edits). The same SEED
 *    gives the same inputs. -t stops earlier after SECONDS.
 *
 * There is no coverage feedback: this is a smoke test that runs in
 * seconds (ctest), not a replacement for the libFuzzer build. When an
 * input crashes or fails a check, it is written to CRASH_DIR (default the
 * current directory) as crash-NAME-SEED-N before the program dies, and
 * printed in hex if it is short. -v lists the files replayed and prints
 * the target's statistics.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- crash capture ---- */

static const uint8_t *cur_data;
static size_t cur_size;
static char crash_path[4096];
static volatile sig_atomic_t dumping;

static void write_str(int fd, const char *s)
{
	ssize_t r = write(fd, s, strlen(s));
	(void)r;
}

/* Async-signal-safe: open, write, no stdio. */
static void dump_input(void)
{
	static const char hex[] = "0123456789abcdef";
	if (dumping || !cur_data)
		return;
	dumping = 1;
	int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		size_t off = 0;
		while (off < cur_size) {
			ssize_t n = write(fd, cur_data + off, cur_size - off);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		close(fd);
		write_str(2, "\n==== input written to ");
		write_str(2, crash_path);
		write_str(2, "\n");
	}
	if (cur_size <= 512) {
		write_str(2, "==== input (hex): ");
		for (size_t i = 0; i < cur_size; i++) {
			char b[2] = { hex[cur_data[i] >> 4], hex[cur_data[i] & 15] };
			ssize_t r = write(2, b, 2);
			(void)r;
		}
		write_str(2, "\n");
	}
}

static void on_signal(int sig)
{
	dump_input();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* With sanitizers, their report ends the process through this callback
 * (declared weak: absent without them). */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void install_crash_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		/* Keep a sanitizer's SIGSEGV handler: it reports, then calls
		 * the death callback. */
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL &&
		    old.sa_handler != SIG_IGN && sigs[i] != SIGABRT)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(dump_input);
}

/* Runs one input from an exactly sized copy (so that reading past its
 * end is a sanitizer report). */
static void run_input(const uint8_t *data, size_t size, const char *crash_dir,
		      unsigned long long seed, const char *label)
{
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(copy, data, size);
	snprintf(crash_path, sizeof(crash_path), "%s/crash-%s-%llu-%s", crash_dir,
		 fuzz_target.name, seed, label);
	cur_data = copy;
	cur_size = size;
	LLVMFuzzerTestOneInput(copy, size);
	cur_data = NULL;
	free(copy);
}

/* ---- inputs ---- */

struct blob {
	uint8_t *data;
	size_t size;
};

struct pool {
	struct blob *items;
	size_t cnt, cap;
};

static void pool_add(struct pool *p, const uint8_t *data, size_t size)
{
	if (p->cnt == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->items = realloc(p->items, p->cap * sizeof(*p->items));
		if (!p->items)
			exit(2);
	}
	struct blob *b = &p->items[p->cnt++];
	b->data = malloc(size ? size : 1);
	if (!b->data)
		exit(2);
	memcpy(b->data, data, size);
	b->size = size;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
	}
	fclose(f);
	*size = len;
	return buf;
}

static int only_files(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Replays a file, or every file of a directory (sorted), and keeps them. */
static size_t replay_path(const char *path, struct pool *seeds, const char *crash_dir,
			  unsigned long long seed, int verbose)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s: %s\n", fuzz_target.name, path, strerror(errno));
		exit(2);
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **names;
		int n = scandir(path, &names, only_files, alphasort);
		if (n < 0) {
			fprintf(stderr, "%s: %s: %s\n", fuzz_target.name, path, strerror(errno));
			exit(2);
		}
		size_t total = 0;
		for (int i = 0; i < n; i++) {
			char sub[4096];
			snprintf(sub, sizeof(sub), "%s/%s", path, names[i]->d_name);
			struct stat sst;
			if (stat(sub, &sst) == 0 && S_ISREG(sst.st_mode))
				total += replay_path(sub, seeds, crash_dir, seed, verbose);
			free(names[i]);
		}
		free(names);
		return total;
	}
	size_t size;
	uint8_t *data = read_file(path, &size);
	if (!data) {
		fprintf(stderr, "%s: cannot read %s\n", fuzz_target.name, path);
		exit(2);
	}
	if (verbose)
		fprintf(stderr, "%s: replaying %s (%zu bytes)\n", fuzz_target.name, path, size);
	run_input(data, size, crash_dir, seed, "replay");
	pool_add(seeds, data, size < fuzz_target.max_input ? size : fuzz_target.max_input);
	free(data);
	return 1;
}

/* libFuzzer dictionary: one "token" per line, with \\, \" and \xNN. */
static void load_dict(const char *path, struct pool *dict)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	if (!f) {
		fprintf(stderr, "%s: cannot read %s\n", fuzz_target.name, path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		char *q = strchr(line, '"'), *end = strrchr(line, '"');
		if (line[0] == '#' || !q || end == q)
			continue;
		uint8_t tok[1024];
		size_t n = 0;
		for (char *c = q + 1; c < end; c++) {
			if (*c == '\\' && c + 1 < end) {
				c++;
				if (*c == 'x' && c + 2 < end) {
					char h[3] = { c[1], c[2], 0 };
					tok[n++] = (uint8_t)strtoul(h, NULL, 16);
					c += 2;
					continue;
				}
			}
			tok[n++] = (uint8_t)*c;
		}
		if (n)
			pool_add(dict, tok, n);
	}
	fclose(f);
}

static uint32_t below(uint64_t *rng, size_t n)
{
	return n <= 1 ? 0 : (uint32_t)((fuzz_rng_next(rng) >> 32) % n);
}

/* Inserts n bytes at pos (room permitting); returns the new length. */
static size_t insert_bytes(uint8_t *buf, size_t len, size_t max, size_t pos,
			   const uint8_t *src, size_t n)
{
	if (len + n > max)
		n = max - len;
	memmove(buf + pos + n, buf + pos, len - pos);
	memcpy(buf + pos, src, n);
	return len + n;
}

/* One mutation of buf[0..len) in place; returns the new length. */
static size_t mutate(uint64_t *rng, uint8_t *buf, size_t len, size_t max,
		     const struct pool *pool, const struct pool *dict)
{
	static const uint8_t interesting[] = {
		0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, ' ', '%', '+', '-', '0', 'x',
	};
	size_t insn_at = fuzz_target.insn_start ? fuzz_target.insn_start(buf, len) : len;
	size_t insn_cnt = (len - insn_at) / 8;
	uint8_t tmp[64];

	switch (below(rng, insn_cnt ? 12 : 10)) {
	case 0: /* flip a bit */
		if (len)
			buf[below(rng, len)] ^= (uint8_t)(1u << below(rng, 8));
		return len;
	case 1: /* a random byte */
		if (len)
			buf[below(rng, len)] = (uint8_t)fuzz_rng_next(rng);
		return len;
	case 2: /* an interesting byte, or a small step */
		if (len) {
			size_t i = below(rng, len);
			if (below(rng, 2))
				buf[i] = interesting[below(rng, sizeof(interesting))];
			else
				buf[i] = (uint8_t)(buf[i] + below(rng, 33) - 16);
		}
		return len;
	case 3: { /* insert random bytes */
		size_t n = 1 + below(rng, 8);
		for (size_t i = 0; i < n; i++)
			tmp[i] = (uint8_t)fuzz_rng_next(rng);
		return insert_bytes(buf, len, max, below(rng, len + 1), tmp, n);
	}
	case 4: { /* delete a range */
		if (!len)
			return len;
		size_t pos = below(rng, len), n = 1 + below(rng, len - pos < 16 ? len - pos : 16);
		memmove(buf + pos, buf + pos + n, len - pos - n);
		return len - n;
	}
	case 5: { /* copy a range somewhere else in the input */
		if (!len)
			return len;
		size_t from = below(rng, len), n = 1 + below(rng, len - from < 64 ? len - from : 64);
		memcpy(tmp, buf + from, n);
		if (below(rng, 2))
			return insert_bytes(buf, len, max, below(rng, len + 1), tmp, n);
		size_t to = below(rng, len);
		if (n > len - to)
			n = len - to;
		memcpy(buf + to, tmp, n);
		return len;
	}
	case 6: { /* splice with another input */
		if (!pool->cnt)
			return len;
		const struct blob *o = &pool->items[below(rng, pool->cnt)];
		size_t cut = below(rng, len + 1), from = below(rng, o->size + 1);
		size_t n = o->size - from;
		if (cut + n > max)
			n = max - cut;
		memcpy(buf + cut, o->data + from, n);
		return cut + n;
	}
	case 7: { /* a piece of another input, inserted */
		if (!pool->cnt)
			return len;
		const struct blob *o = &pool->items[below(rng, pool->cnt)];
		if (!o->size)
			return len;
		size_t from = below(rng, o->size);
		size_t n = 1 + below(rng, o->size - from < 64 ? o->size - from : 64);
		return insert_bytes(buf, len, max, below(rng, len + 1), o->data + from, n);
	}
	case 8: /* a dictionary token */
	case 9: {
		if (!dict->cnt)
			return len;
		const struct blob *t = &dict->items[below(rng, dict->cnt)];
		return insert_bytes(buf, len, max, below(rng, len + 1), t->data, t->size);
	}
	case 10: { /* an instruction replaced by a generated one */
		struct fuzz_src s = { .state = fuzz_rng_next(rng) };
		size_t i = below(rng, insn_cnt);
		struct uebpf_insn in = fuzz_gen_insn(&s, i, insn_cnt);
		memcpy(buf + insn_at + 8 * i, &in, 8);
		return len;
	}
	default: { /* an instruction's field tweaked */
		struct uebpf_insn in;
		uint8_t *p = buf + insn_at + 8 * below(rng, insn_cnt);
		memcpy(&in, p, 8);
		switch (below(rng, 5)) {
		case 0: in.dst_reg = (uint8_t)below(rng, 11); break;
		case 1: in.src_reg = (uint8_t)below(rng, 11); break;
		case 2: in.off = (int16_t)(in.off + (int)below(rng, 17) - 8); break;
		case 3: in.imm = (int32_t)((uint32_t)in.imm + below(rng, 17) - 8); break;
		default: in.imm = (int32_t)(fuzz_rng_next(rng) >> 32); break;
		}
		memcpy(p, &in, 8);
		return len;
	}
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s_standalone [-n ITERATIONS] [-s SEED] [-t SECONDS] [-d DICT]\n"
		"       [-o CRASH_DIR] [-v] [DIR|FILE]...\n", fuzz_target.name);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long iterations = 20000, seed = 1;
	double max_seconds = 0;
	const char *crash_dir = ".";
	int verbose = 0, c;
	struct pool seeds = { 0 }, recent = { 0 }, dict = { 0 };

	while ((c = getopt(argc, argv, "n:s:t:d:o:vh")) != -1) {
		switch (c) {
		case 'n': iterations = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 't': max_seconds = strtod(optarg, NULL); break;
		case 'd': load_dict(optarg, &dict); break;
		case 'o': crash_dir = optarg; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	install_crash_handlers();
	double start = now();

	size_t replayed = 0;
	for (int i = optind; i < argc; i++)
		replayed += replay_path(argv[i], &seeds, crash_dir, seed, verbose);
	if (optind < argc)
		printf("%s: replayed %zu corpus files\n", fuzz_target.name, replayed);

	size_t max = fuzz_target.max_input;
	uint8_t *buf = malloc(max);
	uint64_t rng = seed;
	unsigned long long done = 0;
	if (!buf)
		return 2;
	for (; done < iterations; done++) {
		if (max_seconds > 0 && (done & 63) == 0 && now() - start > max_seconds)
			break;
		size_t len = 0;
		unsigned how = below(&rng, 100);
		int fresh = 0;
		if (fuzz_target.generate && how < 25) {
			len = fuzz_target.generate(&rng, buf, max);
			fresh = 1;
			if (below(&rng, 3) == 0) /* and mutated a little */
				len = mutate(&rng, buf, len, max, &seeds, &dict);
		} else if (how < 32 || (!seeds.cnt && !recent.cnt)) {
			len = below(&rng, below(&rng, 4) ? 64 : max + 1);
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)fuzz_rng_next(&rng);
		} else {
			const struct pool *from = recent.cnt && (below(&rng, 3) == 0 || !seeds.cnt) ?
						  &recent : &seeds;
			const struct blob *b = &from->items[below(&rng, from->cnt)];
			len = b->size < max ? b->size : max;
			memcpy(buf, b->data, len);
			unsigned n = 1 + below(&rng, below(&rng, 2) ? 4 : 16);
			for (unsigned k = 0; k < n; k++)
				len = mutate(&rng, buf, len, max, below(&rng, 4) ? &seeds : &recent,
					     &dict);
		}
		char label[32];
		snprintf(label, sizeof(label), "%llu", done);
		run_input(buf, len, crash_dir, seed, label);
		/* Generated inputs are good material for later mutations. */
		if (fresh) {
			if (recent.cnt < 256) {
				pool_add(&recent, buf, len);
			} else {
				struct blob *b = &recent.items[below(&rng, recent.cnt)];
				free(b->data);
				b->data = malloc(len ? len : 1);
				if (!b->data)
					return 2;
				memcpy(b->data, buf, len);
				b->size = len;
			}
		}
	}
	if (verbose && fuzz_target.print_stats)
		fuzz_target.print_stats(stdout);
	printf("%s: %llu inputs, 0 crashes (seed %llu, %.2f s)\n", fuzz_target.name,
	       done, seed, now() - start);

	free(buf);
	for (size_t i = 0; i < seeds.cnt; i++)
		free(seeds.items[i].data);
	for (size_t i = 0; i < recent.cnt; i++)
		free(recent.items[i].data);
	for (size_t i = 0; i < dict.cnt; i++)
		free(dict.items[i].data);
	free(seeds.items);
	free(recent.items);
	free(dict.items);
	return 0;
}
