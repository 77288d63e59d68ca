/* SPDX-License-Identifier: MIT */
/*
 * Programs: loading, info, tags, ids, the records other processes list.
 *
 *   object_prog_test          the unit tests
 *   object_prog_test kernel   BPF_PROG_LOAD's attribute cases on uebpf and
 *                             on the kernel side by side (same errno), and
 *                             program tags equal to the kernel's; exit 77
 *                             where bpf() is refused
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "object/prog.h"
#include "object/sha256.h"
#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/engine.h"
#include "uebpf/maps.h"

#define ENOTSUPP 524
#define N(a) (sizeof(a) / sizeof((a)[0]))

#define insn(c, d, s, o, i)                                                        \
	((struct uebpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), \
			      .imm = (i) })

#define MOV_IMM(dst, imm) insn(0xb7, dst, 0, 0, imm)
#define EXIT insn(0x95, 0, 0, 0, 0)
#define LDDW(dst, src, imm) insn(0x18, dst, src, 0, imm)
#define LDDW_HI(imm) insn(0, 0, 0, 0, imm)

static const struct uebpf_insn ret0[] = { MOV_IMM(0, 0), EXIT };
static const struct uebpf_insn ret1[] = { MOV_IMM(0, 1), EXIT };

static char pin_dir[64];

/* ---- SHA-256 against the FIPS 180-4 examples ---- */

static void hex(const uint8_t *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void digest_of(const void *data, size_t len, size_t chunk, char out[65])
{
	struct sha256 s;
	uint8_t d[32];
	sha256_init(&s);
	for (size_t off = 0; off < len; off += chunk)
		sha256_update(&s, (const uint8_t *)data + off, len - off < chunk ? len - off : chunk);
	sha256_final(&s, d);
	hex(d, 32, out);
}

static void test_sha256_matches_fips_examples(void)
{
	char out[65];
	digest_of("", 0, 1, out);
	CHECK_STR(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	digest_of("abc", 3, 1, out);
	CHECK_STR(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	digest_of(two, strlen(two), 7, out);
	CHECK_STR(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	digest_of(million, 1000000, 4096, out);
	CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* Chunking must not matter. */
	char again[65];
	digest_of(million, 1000000, 63, again);
	CHECK_STR(again, out);
	free(million);
}

/* ---- loading ---- */

static int load(enum bpf_prog_type type, const char *name, const struct uebpf_insn *insns,
		size_t cnt, char *log, size_t log_size)
{
	struct uebpf_prog_load_opts opts = { .sz = sizeof(opts), .log_buf = log,
					     .log_size = log_size };
	return uebpf_prog_load(type, name, "GPL", insns, cnt, &opts);
}

static void test_load_gives_info_and_runnable_code(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	uint64_t before = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
	const struct uebpf_insn prog[] = { MOV_IMM(0, 7), insn(0x07, 0, 0, 0, 35), EXIT };
	int fd = uebpf_prog_load(BPF_PROG_TYPE_XDP, "answer", "Dual MIT/GPL", prog, N(prog), NULL);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) >= 0); /* a real file descriptor */

	struct uebpf_prog_info info;
	CHECK_EQ(uebpf_prog_get_info(fd, &info), 0);
	CHECK_EQ(info.type, BPF_PROG_TYPE_XDP);
	CHECK_STR(info.name, "answer");
	CHECK_EQ(info.insn_cnt, 3);
	CHECK(info.gpl_compatible);
	CHECK(info.id > 0 && info.id <= 0x7fffffff);
	CHECK_EQ(info.nr_map_ids, 0);
	CHECK(info.load_time >= before && info.load_time < before + 60ull * 1000000000u);

	struct uebpf_code *code = uebpf_prog_code(fd);
	uint64_t r0 = 0;
	CHECK(code != NULL);
	CHECK_EQ(uebpf_code_run(code, 0, 0, NULL, &r0), 0);
	CHECK_EQ(r0, 42);

	CHECK_EQ(uebpf_prog_close(fd), 0);
	CHECK_EQ(uebpf_prog_get_info(fd, &info), -EBADF);
	CHECK_EQ(uebpf_prog_close(fd), -EBADF);
	CHECK(uebpf_prog_code(fd) == NULL && errno == EBADF);
	CHECK_EQ(uebpf_prog_get_info(0, &info), -EINVAL); /* open, not a program */
}

static void test_names_are_cut_to_15_and_checked(void)
{
	struct uebpf_prog_info info;
	int fd = load(BPF_PROG_TYPE_XDP, "a_rather.long_name_indeed", ret0, 2, NULL, 0);
	CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0);
	CHECK_STR(info.name, "a_rather.long_n");
	uebpf_prog_close(fd);
	fd = load(BPF_PROG_TYPE_XDP, NULL, ret0, 2, NULL, 0);
	CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0);
	CHECK_STR(info.name, "");
	uebpf_prog_close(fd);
	char log[256];
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "no-dashes", ret0, 2, log, sizeof(log)), -EINVAL);
	CHECK_CONTAINS(log, "'no-dashes'");
	/* What is cut off is not looked at. */
	fd = load(BPF_PROG_TYPE_XDP, "fifteen_chars_x-", ret0, 2, NULL, 0);
	CHECK(fd >= 0);
	uebpf_prog_close(fd);
}

static void test_gpl_compatible_licenses(void)
{
	static const struct {
		const char *license;
		bool gpl;
	} cases[] = {
		{ "GPL", true }, { "GPL v2", true }, { "GPL and additional rights", true },
		{ "Dual BSD/GPL", true }, { "Dual MIT/GPL", true }, { "Dual MPL/GPL", true },
		{ "gpl", false }, { "GPL ", false }, { "MIT", false }, { "", false },
		{ "Proprietary", false },
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct uebpf_prog_info info;
		int fd = uebpf_prog_load(BPF_PROG_TYPE_XDP, "l", cases[i].license, ret0, 2, NULL);
		CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0);
		CHECK_REPORT(info.gpl_compatible == cases[i].gpl, "license \"%s\"",
			     cases[i].license);
		uebpf_prog_close(fd);
	}
}

static void test_errors_name_the_instruction(void)
{
	char log[256];
	const struct uebpf_insn bad_op[] = { MOV_IMM(0, 0), insn(0x8f, 0, 0, 0, 0), EXIT };
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "x", bad_op, N(bad_op), log, sizeof(log)), -EINVAL);
	CHECK_CONTAINS(log, "insn 1: unknown opcode 8f");
	const struct uebpf_insn helper[] = { insn(0x85, 0, 0, 0, 9999), EXIT };
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "x", helper, N(helper), log, sizeof(log)), -EINVAL);
	CHECK_CONTAINS(log, "insn 0: invalid func unknown#9999");
	const struct uebpf_insn map[] = { MOV_IMM(0, 0), LDDW(1, 1, 1000), LDDW_HI(0), EXIT };
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "x", map, N(map), log, sizeof(log)), -EBADF);
	CHECK_CONTAINS(log, "insn 1: fd 1000 is not pointing to valid bpf_map");
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "x", ret0, 0, log, sizeof(log)), -E2BIG);
	CHECK_CONTAINS(log, "not 0");
	/* A buffer without a log level gets the errors (libbpf's way). */
	struct uebpf_prog_load_opts opts = { .sz = sizeof(opts), .log_buf = log,
					     .log_size = sizeof(log), .log_level = 0 };
	CHECK_EQ(uebpf_prog_load(BPF_PROG_TYPE_SYSCALL, "x", "GPL", ret0, 2, &opts), -EINVAL);
	CHECK_CONTAINS(log, "sleepable");
	/* A log too small for the message is cut, not overrun. */
	char small[8];
	memset(small, 'z', sizeof(small));
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "x", bad_op, N(bad_op), small, 4), -EINVAL);
	CHECK(small[3] == '\0' && small[4] == 'z');
	CHECK_EQ(uebpf_prog_load(BPF_PROG_TYPE_XDP, "x", NULL, ret0, 2, NULL), -EFAULT);
	CHECK_EQ(uebpf_prog_load(BPF_PROG_TYPE_XDP, "x", "GPL", NULL, 2, NULL), -EFAULT);
	CHECK_EQ(uebpf_prog_load(BPF_PROG_TYPE_LSM, "x", "GPL", ret0, 2, NULL), -EINVAL);
	struct uebpf_prog_load_opts skb = { .sz = sizeof(skb), .log_buf = log,
					    .log_size = sizeof(log),
					    .expected_attach_type = BPF_CGROUP_INET4_BIND };
	CHECK_EQ(uebpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB, "x", "GPL", ret0, 2, &skb), -EINVAL);
	CHECK_CONTAINS(log, "cgroup_skb programs cannot have expected attach type 8 "
			    "(cgroup_inet4_bind)");
	skb.expected_attach_type = 0;
	CHECK_EQ(uebpf_prog_load(BPF_PROG_TYPE_CGROUP_SKB + 100, "x", "GPL", ret0, 2, &skb),
		 -EINVAL);
	CHECK_CONTAINS(log, "unknown program type 108");
	struct uebpf_prog_load_opts lsm = { .sz = sizeof(lsm), .attach_target = "file_open" };
	int fd = uebpf_prog_load(BPF_PROG_TYPE_LSM, "x", "GPL", ret0, 2, &lsm);
	CHECK(fd >= 0);
	uebpf_prog_close(fd);
}

/* What the verifier refuses loads only on request, and then runs only
 * in the checked interpreter, where the stray read is stopped. */
static void test_unverified_runs_only_checked(void)
{
	/* A load through r2, which is never set. */
	const struct uebpf_insn stray[] = { insn(0x79, 0, 2, 0, 0), EXIT };
	char log[256];
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "stray", stray, N(stray), log, sizeof(log)), -EACCES);
	CHECK_CONTAINS(log, "insn 0: R2 !read_ok");

	struct uebpf_prog_load_opts opts = { .sz = sizeof(opts), .unverified = true };
	int fd = uebpf_prog_load(BPF_PROG_TYPE_XDP, "stray", "GPL", stray, N(stray), &opts);
	CHECK(fd >= 0);
	uint64_t r0 = 0;
	char err[160];
	struct uebpf_run_opts normal = { .sz = sizeof(normal), .err_buf = err,
					 .err_size = sizeof(err) };
	CHECK_EQ(uebpf_code_run(uebpf_prog_code(fd), 0, 0, &normal, &r0), -EPERM);
	CHECK_CONTAINS(err, "only run in checked mode");
	CHECK_EQ(uebpf_code_run(uebpf_prog_code(fd), 0, 0, NULL, &r0), -EPERM);
	struct uebpf_run_opts checked = { .sz = sizeof(checked), .checked = true,
					  .err_buf = err, .err_size = sizeof(err) };
	CHECK_EQ(uebpf_code_run(uebpf_prog_code(fd), 0, 0, &checked, &r0), -EFAULT);
	uebpf_prog_close(fd);
}

static int array_map(uint32_t max_entries)
{
	return uebpf_map_create(BPF_MAP_TYPE_ARRAY, "m", 4, 16, max_entries, NULL);
}

static uint32_t map_id(int fd)
{
	struct uebpf_map_info info;
	return uebpf_map_get_info(fd, &info) ? 0 : info.id;
}

static void test_map_ids_in_order_of_first_use(void)
{
	int a = array_map(1), b = array_map(1), c = array_map(4);
	const struct uebpf_insn prog[] = {
		LDDW(1, 1, c), LDDW_HI(0),
		LDDW(1, 2, a), LDDW_HI(8),
		LDDW(1, 1, c), LDDW_HI(0),
		LDDW(2, 1, b), LDDW_HI(0),
		LDDW(2, 2, a), LDDW_HI(4),
		MOV_IMM(0, 0), EXIT,
	};
	struct uebpf_prog_info info;
	int fd = load(BPF_PROG_TYPE_XDP, "maps", prog, N(prog), NULL, 0);
	CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0);
	CHECK_EQ(info.nr_map_ids, 3);
	CHECK_EQ(info.map_ids[0], map_id(c));
	CHECK_EQ(info.map_ids[1], map_id(a));
	CHECK_EQ(info.map_ids[2], map_id(b));
	/* The program holds the maps: closing their fds does not free them. */
	uebpf_map_close(a);
	uebpf_map_close(b);
	uebpf_map_close(c);
	uint64_t r0 = 1;
	CHECK_EQ(uebpf_code_run(uebpf_prog_code(fd), 0, 0, NULL, &r0), 0);
	CHECK_EQ(r0, 0);
	uebpf_prog_close(fd);
}

static void test_too_many_maps(void)
{
	struct uebpf_insn prog[65 * 2 + 2];
	int fds[65];
	char log[256];
	for (int i = 0; i < 65; i++) {
		fds[i] = array_map(1);
		prog[2 * i] = LDDW(1, 1, fds[i]);
		prog[2 * i + 1] = LDDW_HI(0);
	}
	prog[130] = MOV_IMM(0, 0);
	prog[131] = EXIT;
	CHECK_EQ(load(BPF_PROG_TYPE_XDP, "x", prog, N(prog), log, sizeof(log)), -E2BIG);
	CHECK_CONTAINS(log, "insn 128: the total number of maps per program has reached the "
			    "limit of 64");
	int fd = load(BPF_PROG_TYPE_XDP, "x", prog + 2, N(prog) - 2, NULL, 0);
	struct uebpf_prog_info info;
	CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0 && info.nr_map_ids == 64);
	uebpf_prog_close(fd);
	for (int i = 0; i < 65; i++)
		uebpf_map_close(fds[i]);
}

/* The tag of a known program: the kernel's rule applied by hand (SHA-256
 * of the bytes with the map references' immediates zeroed). */
static void test_tag_masks_map_references(void)
{
	const struct uebpf_insn with_fd[] = {
		LDDW(1, 1, 7), LDDW_HI(0), LDDW(2, 2, 9), LDDW_HI(8), LDDW(3, 0, 5), LDDW_HI(6),
		MOV_IMM(0, 0), EXIT,
	};
	struct uebpf_insn masked[N(with_fd)];
	memcpy(masked, with_fd, sizeof(masked));
	masked[0].imm = masked[2].imm = masked[3].imm = 0;
	uint8_t tag[8], d[32];
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, masked, sizeof(masked));
	sha256_final(&s, d);
	prog_tag(with_fd, N(with_fd), tag);
	CHECK(memcmp(tag, d, 8) == 0);
	/* Other map fds: the same tag; another constant: another tag. */
	struct uebpf_insn other[N(with_fd)];
	memcpy(other, with_fd, sizeof(other));
	other[0].imm = 100;
	other[2].imm = 200;
	other[3].imm = 16;
	uint8_t tag2[8];
	prog_tag(other, N(other), tag2);
	CHECK(memcmp(tag, tag2, 8) == 0);
	other[5].imm = 7;
	prog_tag(other, N(other), tag2);
	CHECK(memcmp(tag, tag2, 8) != 0);
}

/* Tags the kernel gave (BPF_OBJ_GET_INFO_BY_FD, Linux 6.18) for these
 * programs, its maps' fds in the references: uebpf's must be the same
 * whatever fds it sees. */
static void test_tags_are_the_kernels(void)
{
	static const struct {
		struct uebpf_insn insns[6];
		size_t cnt;
		const char *tag;
	} cases[] = {
		{ { MOV_IMM(0, 42), EXIT }, 2, "76b761cdf4203894" },
		{ { MOV_IMM(0, 0), EXIT }, 2, "59f4a931744dcdc6" },
		{ { MOV_IMM(0, 1), EXIT }, 2, "b11459a0e11ca14c" },
		{ { LDDW(1, 1, 3), LDDW_HI(0), LDDW(2, 2, 4), LDDW_HI(4), MOV_IMM(0, 2), EXIT },
		  6, "f12e41691a99a397" },
		{ { LDDW(1, 1, 77), LDDW_HI(0), LDDW(2, 2, 1234), LDDW_HI(4), MOV_IMM(0, 2), EXIT },
		  6, "f12e41691a99a397" },
	};
	for (size_t i = 0; i < N(cases); i++) {
		uint8_t tag[8];
		char text[17];
		prog_tag(cases[i].insns, cases[i].cnt, tag);
		hex(tag, 8, text);
		CHECK_REPORT(strcmp(text, cases[i].tag) == 0, "case %zu: tag %s, the kernel's %s", i,
			     text, cases[i].tag);
	}
}

/* ---- records ---- */

static int count_records(void)
{
	char dir[256];
	prog_records_dir(NULL, dir, sizeof(dir));
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static struct prog_record *find(uint32_t id)
{
	struct prog_record **recs, *found = NULL;
	size_t n;
	if (prog_records_list(NULL, &recs, &n))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (recs[i]->info.id == id) {
			found = recs[i];
			recs[i] = NULL;
		}
	}
	prog_records_free(recs, n);
	return found;
}

static void test_record_published_until_close(void)
{
	int m = array_map(1);
	const struct uebpf_insn prog[] = { LDDW(1, 2, m), LDDW_HI(4), MOV_IMM(0, 0), EXIT };
	struct uebpf_prog_load_opts opts = {
		.sz = sizeof(opts), .expected_attach_type = BPF_XDP, .attach_target = "eth0",
		.prog_flags = BPF_F_XDP_HAS_FRAGS,
	};
	int fd = uebpf_prog_load(BPF_PROG_TYPE_XDP, "published", "GPL", prog, N(prog), &opts);
	struct uebpf_prog_info info;
	CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0);

	char path[512];
	snprintf(path, sizeof(path), "%s/.progs/%u", pin_dir, info.id);
	CHECK(access(path, F_OK) == 0);
	struct prog_record *rec = find(info.id);
	CHECK(rec != NULL);
	if (rec) {
		CHECK(memcmp(&rec->info, &info, sizeof(info)) == 0);
		CHECK_EQ(rec->pid, getpid());
		CHECK_EQ(rec->uid, getuid());
		CHECK_STR(rec->comm, "object_prog_tes"); /* 15 characters, as comm keeps */
		CHECK_EQ(rec->expected_attach_type, BPF_XDP);
		CHECK_EQ(rec->prog_flags, BPF_F_XDP_HAS_FRAGS);
		CHECK_STR(rec->attach_target, "eth0");
		CHECK_EQ(rec->insn_cnt, N(prog));
		/* Xlated: map references by id; the rest as given. */
		CHECK_EQ((uint32_t)rec->insns[0].imm, map_id(m));
		CHECK_EQ(rec->insns[0].src_reg, 2);
		CHECK_EQ(rec->insns[1].imm, 4);
		CHECK(memcmp(&rec->insns[2], &prog[2], 2 * sizeof(prog[0])) == 0);
		CHECK_EQ(rec->line_cnt, 0);
	}
	prog_record_free(rec);
	/* The fd is the record. */
	struct prog_record *same;
	CHECK_EQ(prog_record_read(fd, &same), 0);
	CHECK(same && same->info.id == info.id);
	prog_record_free(same);
	CHECK_EQ(prog_record_find(NULL, info.id, &same), 0);
	prog_record_free(same);

	uebpf_prog_close(fd);
	uebpf_map_close(m);
	CHECK(access(path, F_OK) != 0);
	CHECK(find(info.id) == NULL);
	CHECK_EQ(prog_record_find(NULL, info.id, &same), -ENOENT);
}

static void test_records_keep_line_info(void)
{
	const struct prog_line lines[] = {
		{ .insn_off = 0, .line = 3, .col = 2, .file = "a.c", .text = "\tint x = 0;" },
		{ .insn_off = 1, .line = 4, .col = 9, .file = "a.c", .text = NULL },
	};
	struct prog_load_extra extra = { .lines = lines, .line_cnt = 2 };
	int fd = prog_load(BPF_PROG_TYPE_XDP, "lines", "GPL", ret0, 2, NULL, &extra);
	struct prog_record *rec = NULL;
	CHECK(fd >= 0 && prog_record_read(fd, &rec) == 0);
	if (rec) {
		CHECK_EQ(rec->line_cnt, 2);
		CHECK_EQ(rec->lines[1].insn_off, 1);
		CHECK_EQ(rec->lines[1].line, 4);
		CHECK_EQ(rec->lines[1].col, 9);
		CHECK_STR(rec->lines[0].file, "a.c");
		CHECK_STR(rec->lines[0].text, "\tint x = 0;");
		CHECK(rec->lines[1].text == NULL);
		CHECK(rec->attach_target == NULL);
	}
	prog_record_free(rec);
	uebpf_prog_close(fd);
}

/* A child loads a program and reports its id; it either waits to be
 * killed or exits at once, without closing anything. */
static pid_t child_with_program(bool stay, uint32_t *id)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		int fd = load(BPF_PROG_TYPE_XDP, "child", ret0, 2, NULL, 0);
		struct uebpf_prog_info info = { 0 };
		uebpf_prog_get_info(fd, &info);
		if (write(p[1], &info.id, sizeof(info.id)) != sizeof(info.id))
			_exit(1);
		if (stay)
			pause();
		_exit(0);
	}
	close(p[1]);
	*id = 0;
	if (read(p[0], id, sizeof(*id)) != sizeof(*id))
		*id = 0;
	close(p[0]);
	return pid;
}

static void test_records_of_dead_processes_are_removed(void)
{
	uint32_t id;
	pid_t pid = child_with_program(true, &id);
	CHECK(pid > 0 && id != 0);
	struct prog_record *rec = find(id);
	CHECK(rec != NULL && rec->pid == (uint32_t)pid);
	CHECK_STR(rec ? rec->info.name : NULL, "child");
	prog_record_free(rec);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	char path[512];
	snprintf(path, sizeof(path), "%s/.progs/%u", pin_dir, id);
	CHECK(access(path, F_OK) == 0); /* left behind ... */
	CHECK(find(id) == NULL);        /* ... not listed ... */
	CHECK(access(path, F_OK) != 0); /* ... and removed by the lister */

	pid = child_with_program(false, &id);
	waitpid(pid, NULL, 0);
	CHECK(id != 0);
	CHECK_EQ(prog_record_find(NULL, id, &rec), -ENOENT);
	snprintf(path, sizeof(path), "%s/.progs/%u", pin_dir, id);
	CHECK(access(path, F_OK) != 0);
}

/* A live record is parsed whatever it holds: damaged ones are refused,
 * never crash the reader (the ASan build checks the bounds). */
static void test_damaged_records_are_refused(void)
{
	int fd = load(BPF_PROG_TYPE_XDP, "victim", ret1, 2, NULL, 0);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	size_t size = (size_t)st.st_size;
	uint8_t *good = malloc(size + 64), *bad = malloc(size + 64);
	CHECK(pread(fd, good, size, 0) == (ssize_t)size);
	srand(12345);
	int accepted = 0;
	for (int round = 0; round < 3000; round++) {
		size_t n = size;
		memcpy(bad, good, size);
		int kind = round % 3;
		if (kind == 0) {
			n = (size_t)rand() % (size + 1); /* truncated */
		} else {
			/* Bytes changed at random, mostly in the header. */
			for (int k = 0; k < 1 + rand() % 4; k++) {
				size_t at = kind == 1 ? (size_t)rand() % 408 : (size_t)rand() % size;
				bad[at] = (uint8_t)rand();
			}
		}
		int mfd = memfd_create("damaged", 0);
		if (mfd < 0 || (n && write(mfd, bad, n) != (ssize_t)n)) {
			CHECK(0);
			break;
		}
		struct prog_record *rec;
		int err = prog_record_read(mfd, &rec);
		CHECK_REPORT(err == 0 || err == -EINVAL, "round %d: %d", round, err);
		if (!err) {
			accepted++;
			CHECK(rec->insn_cnt >= 1 && rec->insn_cnt <= PROG_MAX_INSNS);
			for (size_t i = 0; i < rec->line_cnt; i++)
				CHECK(!rec->lines[i].file || strlen(rec->lines[i].file) < size);
			prog_record_free(rec);
		}
		close(mfd);
	}
	CHECK(accepted > 0 && accepted < 3000); /* some changes are harmless */

	/* A damaged file that looks alive (locked) is skipped by listers. */
	char path[512];
	snprintf(path, sizeof(path), "%s/.progs/77", pin_dir);
	int gfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(gfd >= 0 && write(gfd, "garbage", 7) == 7 && flock(gfd, LOCK_SH) == 0);
	struct prog_record **recs;
	size_t cnt;
	CHECK_EQ(prog_records_list(NULL, &recs, &cnt), 0);
	for (size_t i = 0; i < cnt; i++)
		CHECK(recs[i]->info.id != 77);
	prog_records_free(recs, cnt);
	CHECK(access(path, F_OK) == 0); /* alive: left alone */
	close(gfd);
	CHECK(find(77) == NULL);
	CHECK(access(path, F_OK) != 0); /* dead now: removed */

	/* Neither a FIFO (opening it would wait for a writer) nor a
	 * directory stops the listing. */
	snprintf(path, sizeof(path), "%s/.progs/78", pin_dir);
	CHECK(mkfifo(path, 0600) == 0);
	char sub[512];
	snprintf(sub, sizeof(sub), "%s/.progs/79", pin_dir);
	CHECK(mkdir(sub, 0700) == 0);
	alarm(20); /* a hang fails the test rather than stalling it */
	CHECK_EQ(prog_records_list(NULL, &recs, &cnt), 0);
	alarm(0);
	CHECK_EQ(cnt, 1); /* the victim only */
	prog_records_free(recs, cnt);
	CHECK(find(78) == NULL && find(79) == NULL);
	unlink(path);
	rmdir(sub);
	free(good);
	free(bad);
	uebpf_prog_close(fd);
}

static void test_loads_where_records_cannot_be_published(void)
{
	char file[128];
	snprintf(file, sizeof(file), "%s/not-a-dir", pin_dir);
	int f = open(file, O_CREAT | O_WRONLY, 0600);
	close(f);
	setenv(UEBPF_PIN_DIR_ENV, file, 1);
	int before = count_records();
	int fd = load(BPF_PROG_TYPE_XDP, "hidden", ret0, 2, NULL, 0);
	struct uebpf_prog_info info;
	CHECK(fd >= 0 && uebpf_prog_get_info(fd, &info) == 0);
	CHECK_STR(info.name, "hidden");
	struct prog_record *rec = NULL;
	CHECK_EQ(prog_record_read(fd, &rec), 0); /* the fd still holds it */
	prog_record_free(rec);
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	CHECK_EQ(count_records(), before);
	CHECK(find(info.id) == NULL);
	uebpf_prog_close(fd);
	unlink(file);
}

static void test_many_programs_get_distinct_ids(void)
{
	enum { COUNT = 200 };
	int fds[COUNT];
	uint32_t ids[COUNT];
	for (int i = 0; i < COUNT; i++) {
		struct uebpf_prog_info info = { 0 };
		fds[i] = load(BPF_PROG_TYPE_SOCKET_FILTER, "many", ret0, 2, NULL, 0);
		uebpf_prog_get_info(fds[i], &info);
		ids[i] = info.id;
	}
	struct prog_record **recs;
	size_t n;
	CHECK_EQ(prog_records_list(NULL, &recs, &n), 0);
	CHECK_EQ(n, COUNT);
	for (size_t i = 1; i < n; i++)
		CHECK(recs[i - 1]->info.id < recs[i]->info.id); /* sorted, distinct */
	prog_records_free(recs, n);
	for (int i = 0; i < COUNT; i++) {
		CHECK(ids[i] != 0);
		uebpf_prog_close(fds[i]);
	}
	CHECK_EQ(count_records(), 0);
}

/* ---- the kernel side by side ---- */

struct attrs {
	uint32_t type, eat, flags;
	const char *name;
	const char *license;
	uint32_t log_level;
	bool log_buf;   /* give a buffer */
	uint32_t log_size;
};

static char klog[1 << 20], ulog[1 << 20];

static int kernel_load(const struct attrs *a, const struct uebpf_insn *insns, size_t cnt)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = a->type;
	attr.expected_attach_type = a->eat;
	attr.prog_flags = a->flags;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = (uint32_t)cnt;
	attr.license = (uintptr_t)a->license;
	attr.log_level = a->log_level;
	attr.log_buf = a->log_buf ? (uintptr_t)klog : 0;
	attr.log_size = a->log_size;
	if (a->name) /* as libbpf passes it: the first 15 characters */
		strncpy(attr.prog_name, a->name, sizeof(attr.prog_name) - 1);
	int fd = kernel_bpf(BPF_PROG_LOAD, &attr);
	return fd < 0 ? -errno : fd;
}

static int user_load(const struct attrs *a, const struct uebpf_insn *insns, size_t cnt)
{
	struct uebpf_prog_load_opts opts = {
		.sz = sizeof(opts), .expected_attach_type = a->eat, .prog_flags = a->flags,
		.log_level = a->log_level, .log_buf = a->log_buf ? ulog : NULL,
		.log_size = a->log_size,
		/* uebpf's stand-in for the BTF ids tracing programs attach by */
		.attach_target = "target",
	};
	return uebpf_prog_load(a->type, a->name, a->license, insns, cnt, &opts);
}

static int kernel_close(int fd)
{
	return fd >= 0 ? close(fd) : 0;
}

static int kernel_map(uint32_t type, uint32_t max_entries)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = 4;
	attr.value_size = 16;
	attr.max_entries = max_entries;
	return kernel_bpf(BPF_MAP_CREATE, &attr);
}

static int same_result(const char *what, int k, int u)
{
	int ok = (k >= 0 && u >= 0) || k == u;
	CHECK_REPORT(ok, "%s: kernel %d, uebpf %d (%s)", what, k < 0 ? k : 0, u < 0 ? u : 0,
		     ulog);
	kernel_close(k);
	if (u >= 0)
		uebpf_prog_close(u);
	return ok;
}

static const struct attrs base = { .type = BPF_PROG_TYPE_SOCKET_FILTER, .name = "x",
				   .license = "GPL", .log_buf = true, .log_size = sizeof(klog),
				   .log_level = 1 };

/* Every program type with every expected attach type: the attach checks
 * (the kernel's verifier may want r0 = 1 at exit for some: a pair of
 * programs tells its attach check apart from that). */
static void test_kernel_types_and_attach_types(void)
{
	int cases = 0, same = 0;
	for (uint32_t type = 0; type <= 40; type++) {
		/* Attach by BTF id in the kernel, by name in uebpf. */
		if (type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_STRUCT_OPS ||
		    type == BPF_PROG_TYPE_EXT || type == BPF_PROG_TYPE_LSM)
			continue;
		for (uint32_t eat = 0; eat < 64; eat++) {
			struct attrs a = base;
			a.type = type;
			a.eat = eat;
			int k = kernel_load(&a, ret0, 2);
			if (k < 0) {
				int k1 = kernel_load(&a, ret1, 2);
				if (k1 >= 0)
					k = k1;
			}
			if (type == BPF_PROG_TYPE_LIRC_MODE2 && k >= 0) {
				kernel_close(k); /* a kernel with infrared remotes */
				continue;
			}
			int u = user_load(&a, ret0, 2);
			if (u < 0) {
				int u1 = user_load(&a, ret1, 2);
				if (u1 >= 0)
					u = u1;
			}
			char what[64];
			snprintf(what, sizeof(what), "type %u attach type %u", type, eat);
			cases++;
			same += same_result(what, k, u);
		}
	}
	printf("  types x attach types: %d of %d cases alike\n", same, cases);
}

static void test_kernel_flags(void)
{
	static const uint32_t types[] = {
		BPF_PROG_TYPE_SOCKET_FILTER, BPF_PROG_TYPE_XDP, BPF_PROG_TYPE_KPROBE,
		BPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_CGROUP_SKB,
	};
	int cases = 0, same = 0;
	for (size_t t = 0; t < N(types); t++) {
		for (int bit = -1; bit < 32; bit++) {
			struct attrs a = base;
			a.type = types[t];
			a.flags = bit < 0 ? 0 : 1u << bit;
			char what[64];
			snprintf(what, sizeof(what), "type %u flags 0x%x", a.type, a.flags);
			cases++;
			same += same_result(what, kernel_load(&a, ret0, 2), user_load(&a, ret0, 2));
		}
	}
	struct attrs a = base;
	a.type = BPF_PROG_TYPE_SYSCALL;
	a.flags = BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS;
	cases++;
	same += same_result("sleepable syscall with frags", kernel_load(&a, ret0, 2),
			    user_load(&a, ret0, 2));
	printf("  flags: %d of %d cases alike\n", same, cases);
}

static void test_kernel_names_licenses_logs(void)
{
	static const char *const names[] = {
		"", "a", "abcdefghijklmno", "abcdefghijklmnop", "a.b_c.9", "a-b", "a b", "caf\xc3\xa9",
		"fifteen_chars_x-", "x/y", "\t",
	};
	for (size_t i = 0; i < N(names); i++) {
		struct attrs a = base;
		a.name = names[i];
		char what[64];
		snprintf(what, sizeof(what), "name \"%s\"", names[i]);
		same_result(what, kernel_load(&a, ret0, 2), user_load(&a, ret0, 2));
	}

	char long_gpl[200];
	memset(long_gpl, ' ', sizeof(long_gpl));
	memcpy(long_gpl, "GPL", 3);
	long_gpl[199] = '\0';
	char gpl127[130];
	memset(gpl127, 'x', sizeof(gpl127));
	gpl127[127] = '\0';
	static const char *licenses[] = {
		"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL",
		"Dual MPL/GPL", "Dual MIT/GPL ", "gpl", "BSD", "", "Proprietary", NULL, NULL,
	};
	licenses[N(licenses) - 2] = long_gpl;
	licenses[N(licenses) - 1] = gpl127;
	for (size_t i = 0; i < N(licenses); i++) {
		struct attrs a = base;
		a.license = licenses[i];
		int k = kernel_load(&a, ret0, 2), u = user_load(&a, ret0, 2);
		struct bpf_prog_info kinfo;
		struct uebpf_prog_info uinfo;
		memset(&kinfo, 0, sizeof(kinfo));
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (uint32_t)k;
		attr.info.info_len = sizeof(kinfo);
		attr.info.info = (uintptr_t)&kinfo;
		CHECK(k >= 0 && kernel_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0);
		CHECK(u >= 0 && uebpf_prog_get_info(u, &uinfo) == 0);
		CHECK_REPORT(kinfo.gpl_compatible == uinfo.gpl_compatible,
			     "license \"%.20s\": kernel gpl %u, uebpf %u", licenses[i],
			     kinfo.gpl_compatible, uinfo.gpl_compatible);
		same_result("license", k, u);
	}
	struct attrs a = base;
	a.license = NULL;
	same_result("no license", kernel_load(&a, ret0, 2), user_load(&a, ret0, 2));

	static const struct {
		const char *what;
		uint32_t level;
		bool buf;
		uint32_t size;
	} logs[] = {
		{ "level 1", 1, true, 4096 },
		{ "level 2", 2, true, 4096 },
		{ "level 4 (stats)", 4, true, 4096 },
		{ "level 8 (fixed)", 8, true, 4096 },
		{ "level 16", 16, true, 4096 },
		{ "level 1 without buffer", 1, false, 0 },
		{ "level 1, buffer of size 0", 1, true, 0 },
		{ "level 1, size without buffer", 1, false, 100 },
		{ "size 2^30", 1, true, 1u << 30 },
		{ "size 2^30 - 1", 1, true, (1u << 30) - 1 },
		{ "level 0, size without buffer", 0, false, 100 },
	};
	for (size_t i = 0; i < N(logs); i++) {
		struct attrs la = base;
		la.log_level = logs[i].level;
		la.log_buf = logs[i].buf;
		la.log_size = logs[i].size;
		/* The kernel writes its whole log size: give it a big enough
		 * buffer for the large sizes (never written beyond the log). */
		same_result(logs[i].what, kernel_load(&la, ret0, 2), user_load(&la, ret0, 2));
	}
	/* The documented difference: a buffer without a level is refused by
	 * the kernel, used for errors by uebpf (as libbpf does). */
	struct attrs la = base;
	la.log_level = 0;
	CHECK_EQ(kernel_load(&la, ret0, 2), -EINVAL);
	int u = user_load(&la, ret0, 2);
	CHECK(u >= 0);
	uebpf_prog_close(u);
}

/* Programs built around maps of each side. */
enum prog_kind {
	P_NULL_INSNS, P_NO_INSNS, P_TOO_MANY, P_BAD_OPCODE, P_BAD_REG, P_JUMP_OUT,
	P_HALF_LDDW, P_LDDW_BAD_HI, P_HELPER_UNKNOWN, P_MAP_CLOSED_FD, P_MAP_NOT_MAP,
	P_MAP_HI_SET, P_VALUE_PAST_END, P_VALUE_LAST_BYTE, P_VALUE_BIG_ARRAY, P_VALUE_HASH,
	P_MAP_IDX, P_MAP_IDX_VALUE, P_BTF_ID, P_64_MAPS, P_65_MAPS, P_SLEEPABLE_BAD_FD,
	P_SLEEPABLE_BAD_OP, P__COUNT
};

static const char *const kind_names[] = {
	"insns NULL", "0 insns", "1000001 insns", "unknown opcode", "register 11",
	"jump out of range", "lddw without second half", "lddw second half with opcode",
	"unknown helper", "map fd closed", "map fd not a map", "map fd with offset",
	"map value past the end", "map value last byte", "map value of a 4-element array",
	"map value of a hash", "map index", "map index value", "BTF id", "64 maps", "65 maps",
	"sleepable with a bad fd", "sleepable with a bad opcode",
};

/* Fills insns for a case; maps are created with mk(type, max_entries). */
static size_t build(enum prog_kind kind, struct uebpf_insn *p, int (*mk)(uint32_t, uint32_t),
		    int *fds, int *nfds, int not_a_map, uint32_t *flags)
{
	size_t n = 0;
	*nfds = 0;
	*flags = 0;
	switch (kind) {
	case P_NULL_INSNS: return 2;
	case P_NO_INSNS: p[n++] = MOV_IMM(0, 0); return 0;
	case P_TOO_MANY: p[n++] = MOV_IMM(0, 0); p[n++] = EXIT; return 1000001;
	case P_SLEEPABLE_BAD_OP:
		*flags = BPF_F_SLEEPABLE;
		/* fall through */
	case P_BAD_OPCODE: p[n++] = insn(0x8f, 0, 0, 0, 0); break;
	case P_BAD_REG: p[n++] = insn(0xb7, 11, 0, 0, 0); break;
	case P_JUMP_OUT: p[n++] = insn(0x05, 0, 0, 5, 0); break;
	case P_HALF_LDDW: p[n++] = MOV_IMM(0, 0); p[n++] = EXIT; p[n++] = LDDW(1, 0, 1); return n;
	case P_LDDW_BAD_HI: p[n++] = LDDW(1, 0, 1); p[n++] = insn(0xb7, 0, 0, 0, 0); break;
	case P_HELPER_UNKNOWN: p[n++] = insn(0x85, 0, 0, 0, 9999); break;
	case P_SLEEPABLE_BAD_FD:
		*flags = BPF_F_SLEEPABLE;
		/* fall through */
	case P_MAP_CLOSED_FD: p[n++] = LDDW(1, 1, 1000); p[n++] = LDDW_HI(0); break;
	case P_MAP_NOT_MAP: p[n++] = LDDW(1, 1, not_a_map); p[n++] = LDDW_HI(0); break;
	case P_MAP_HI_SET:
		fds[(*nfds)++] = mk(BPF_MAP_TYPE_ARRAY, 1);
		p[n++] = LDDW(1, 1, fds[0]);
		p[n++] = LDDW_HI(5);
		break;
	case P_VALUE_PAST_END:
	case P_VALUE_LAST_BYTE:
	case P_VALUE_BIG_ARRAY:
	case P_VALUE_HASH:
		fds[(*nfds)++] = mk(kind == P_VALUE_HASH ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY,
				    kind == P_VALUE_BIG_ARRAY ? 4 : 1);
		p[n++] = LDDW(1, 2, fds[0]);
		p[n++] = LDDW_HI(kind == P_VALUE_PAST_END ? 16 : kind == P_VALUE_LAST_BYTE ? 15 : 0);
		break;
	case P_MAP_IDX: p[n++] = LDDW(1, 5, 0); p[n++] = LDDW_HI(0); break;
	case P_MAP_IDX_VALUE: p[n++] = LDDW(1, 6, 0); p[n++] = LDDW_HI(0); break;
	case P_BTF_ID: p[n++] = LDDW(1, 3, 1); p[n++] = LDDW_HI(0); break;
	case P_64_MAPS:
	case P_65_MAPS:
		for (int i = 0; i < (kind == P_64_MAPS ? 64 : 65); i++) {
			fds[(*nfds)++] = mk(BPF_MAP_TYPE_ARRAY, 1);
			p[n++] = LDDW(1, 1, fds[i]);
			p[n++] = LDDW_HI(0);
		}
		break;
	default: break;
	}
	p[n++] = MOV_IMM(0, 0);
	p[n++] = EXIT;
	return n;
}

static int user_map(uint32_t type, uint32_t max_entries)
{
	return uebpf_map_create(type, NULL, 4, 16, max_entries, NULL);
}

static void test_kernel_instructions_and_maps(void)
{
	static struct uebpf_insn p[200];
	int fds[70], nfds, pipefd[2];
	uint32_t flags;
	if (pipe(pipefd))
		return;
	for (int kind = 0; kind < P__COUNT; kind++) {
		struct attrs a = base;
		size_t cnt = build(kind, p, kernel_map, fds, &nfds, pipefd[0], &a.flags);
		int k = kernel_load(&a, kind == P_NULL_INSNS ? NULL : p, cnt);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		cnt = build(kind, p, user_map, fds, &nfds, pipefd[0], &flags);
		a.flags = flags;
		ulog[0] = '\0';
		int u = user_load(&a, kind == P_NULL_INSNS ? NULL : p, cnt);
		for (int i = 0; i < nfds; i++)
			uebpf_map_close(fds[i]);
		same_result(kind_names[kind], k, u);
	}
	close(pipefd[0]);
	close(pipefd[1]);
}

/* The kernel's tag for a program and uebpf's, with maps of each side. */
static void test_kernel_tags(void)
{
	int km1 = kernel_map(BPF_MAP_TYPE_ARRAY, 1), km2 = kernel_map(BPF_MAP_TYPE_HASH, 8);
	int um1 = user_map(BPF_MAP_TYPE_ARRAY, 1), um2 = user_map(BPF_MAP_TYPE_HASH, 8);
	struct uebpf_insn progs[6][16];
	size_t lens[6];
	int t = 0;
	for (int side = 0; side < 2; side++) {
		int m1 = side ? um1 : km1, m2 = side ? um2 : km2;
		struct uebpf_insn maps[] = {
			LDDW(1, 1, m2), LDDW_HI(0),
			insn(0xbf, 2, 10, 0, 0), insn(0x07, 2, 0, 0, -4),
			insn(0x62, 10, 0, -4, 0), insn(0x85, 0, 0, 0, 1),
			LDDW(1, 2, m1), LDDW_HI(8),
			insn(0x61, 0, 1, 0, 0), EXIT,
		};
		struct uebpf_insn imm64[] = { LDDW(0, 0, 0x12345678), LDDW_HI(0x0abcdef0),
					      insn(0x77, 0, 0, 0, 32), EXIT };
		struct uebpf_insn call[] = { MOV_IMM(1, 3), insn(0x85, 0, 1, 0, 1), EXIT,
					     insn(0xbf, 0, 1, 0, 0), insn(0x27, 0, 0, 0, 5), EXIT };
		t = side * 3;
		memcpy(progs[t], maps, sizeof(maps));
		lens[t] = N(maps);
		memcpy(progs[t + 1], imm64, sizeof(imm64));
		lens[t + 1] = N(imm64);
		memcpy(progs[t + 2], call, sizeof(call));
		lens[t + 2] = N(call);
	}
	for (int i = 0; i < 3; i++) {
		struct attrs a = base;
		int k = kernel_load(&a, progs[i], lens[i]);
		int u = user_load(&a, progs[i + 3], lens[i + 3]);
		struct bpf_prog_info kinfo;
		struct uebpf_prog_info uinfo;
		memset(&kinfo, 0, sizeof(kinfo));
		union bpf_attr attr;
		memset(&attr, 0, sizeof(attr));
		attr.info.bpf_fd = (uint32_t)k;
		attr.info.info_len = sizeof(kinfo);
		attr.info.info = (uintptr_t)&kinfo;
		CHECK_REPORT(k >= 0, "program %d: the kernel refuses it: %d %s", i, k, klog);
		CHECK_REPORT(u >= 0, "program %d: uebpf refuses it: %d %s", i, u, ulog);
		if (k >= 0 && u >= 0 && kernel_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0 &&
		    uebpf_prog_get_info(u, &uinfo) == 0) {
			char kt[17], ut[17];
			hex(kinfo.tag, 8, kt);
			hex(uinfo.tag, 8, ut);
			CHECK_REPORT(strcmp(kt, ut) == 0, "program %d: kernel tag %s, uebpf %s", i,
				     kt, ut);
			CHECK_EQ(kinfo.nr_map_ids, uinfo.nr_map_ids);
			printf("  program %d: tag %s on both\n", i, ut);
		}
		kernel_close(k);
		if (u >= 0)
			uebpf_prog_close(u);
	}
	close(km1);
	close(km2);
	uebpf_map_close(um1);
	uebpf_map_close(um2);
}

/* ---- main ---- */

static void remove_pin_dir(void)
{
	char progs[128];
	snprintf(progs, sizeof(progs), "%s/.progs", pin_dir);
	DIR *d = opendir(progs);
	for (struct dirent *de; d && (de = readdir(d));) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", progs, de->d_name);
		if (de->d_name[0] != '.')
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(progs);
	rmdir(pin_dir);
}

int main(int argc, char **argv)
{
	bool kernel = argc > 1 && strcmp(argv[1], "kernel") == 0;
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-prog-test-XXXXXX");
	if (!mkdtemp(pin_dir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	if (kernel) {
		int fd = kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, ret0, 2, NULL, 0, 0);
		if (fd < 0 && kernel_bpf_refused(fd)) {
			printf("object_prog_test kernel: SKIP, bpf() refused: %s\n", strerror(-fd));
			remove_pin_dir();
			return KERNEL_TEST_SKIP;
		}
		close(fd);
		RUN(test_kernel_types_and_attach_types);
		RUN(test_kernel_flags);
		RUN(test_kernel_names_licenses_logs);
		RUN(test_kernel_instructions_and_maps);
		RUN(test_kernel_tags);
	} else {
		RUN(test_sha256_matches_fips_examples);
		RUN(test_load_gives_info_and_runnable_code);
		RUN(test_names_are_cut_to_15_and_checked);
		RUN(test_gpl_compatible_licenses);
		RUN(test_errors_name_the_instruction);
		RUN(test_map_ids_in_order_of_first_use);
		RUN(test_unverified_runs_only_checked);
		RUN(test_too_many_maps);
		RUN(test_tag_masks_map_references);
		RUN(test_tags_are_the_kernels);
		RUN(test_record_published_until_close);
		RUN(test_records_keep_line_info);
		RUN(test_records_of_dead_processes_are_removed);
		RUN(test_damaged_records_are_refused);
		RUN(test_loads_where_records_cannot_be_published);
		RUN(test_many_programs_get_distinct_ids);
	}
	remove_pin_dir();
	return check_summary(kernel ? "object_prog_test kernel" : "object_prog_test");
}
