/* SPDX-License-Identifier: MIT */
/*
 * Cgroup arrays and the current task's cgroup against the kernel.
 *
 * - Maps: creation attributes, updates (a cgroup2 directory, another
 *   directory, a bad fd, flags, an index past the end), lookups, deletes
 *   and get_next_key give the kernel's return codes.
 * - Helpers: one program, loaded into the kernel as a raw tracepoint (run
 *   by BPF_PROG_TEST_RUN in this thread) and into uebpf (verified as the
 *   same type), writes bpf_get_current_cgroup_id, the ancestors' ids at
 *   levels 0-3 and 100, and bpf_current_task_under_cgroup on every slot of
 *   a cgroup array and one past it into an array map; the two maps must
 *   hold the same numbers. It runs with this process in its own cgroup
 *   and, when cgroup2 is mounted and writable, in a child of a cgroup made
 *   for the test (slots: that cgroup, the child, a sibling, none).
 * - bpf_skb_under_cgroup: a tc program run by BPF_PROG_TEST_RUN and by
 *   uebpf_prog_test_run on a packet asks it for every slot and one past
 *   the array, after the first program, in the same cases (the test
 *   run's socket is in the caller's cgroup).
 *
 *   cgroup_kernel_diff_test        (VERBOSE=1: the kernel's numbers)
 *
 * Skips (exit 77) where bpf() is not permitted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/uebpf.h"

#define SLOTS 4
#define OUT_WORDS (6 + 2 * (SLOTS + 1))
#define SKB_WORD (6 + SLOTS + 1) /* the tc program's first */

static const char prog_text[] =
	"*(u32 *)(r10 - 4) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r7 = r0\n"
	"call bpf_get_current_cgroup_id\n"
	"*(u64 *)(r7 + 0) = r0\n"
	"r1 = 0\n"
	"call bpf_get_current_ancestor_cgroup_id\n"
	"*(u64 *)(r7 + 8) = r0\n"
	"r1 = 1\n"
	"call bpf_get_current_ancestor_cgroup_id\n"
	"*(u64 *)(r7 + 16) = r0\n"
	"r1 = 2\n"
	"call bpf_get_current_ancestor_cgroup_id\n"
	"*(u64 *)(r7 + 24) = r0\n"
	"r1 = 3\n"
	"call bpf_get_current_ancestor_cgroup_id\n"
	"*(u64 *)(r7 + 32) = r0\n"
	"r1 = 100\n"
	"call bpf_get_current_ancestor_cgroup_id\n"
	"*(u64 *)(r7 + 40) = r0\n"
	"r6 = 0\n"
	"loop:\n"
	"r1 = map[fd:%d]\n"
	"r2 = r6\n"
	"call bpf_current_task_under_cgroup\n"
	"r1 = r6\n"
	"r1 <<= 3\n"
	"r2 = r7\n"
	"r2 += r1\n"
	"*(u64 *)(r2 + 48) = r0\n"
	"r6 += 1\n"
	"if r6 < %d goto loop\n"
	"r0 = 0\n"
	"exit\n"
	"fail:\n"
	"r0 = 1\n"
	"exit\n";

/* bpf_skb_under_cgroup on every slot and one past. */
static const char skb_prog_text[] =
	"r9 = r1\n"
	"*(u32 *)(r10 - 4) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -4\n"
	"call bpf_map_lookup_elem\n"
	"if r0 == 0 goto fail\n"
	"r7 = r0\n"
	"r6 = 0\n"
	"loop:\n"
	"r1 = r9\n"
	"r2 = map[fd:%d]\n"
	"r3 = r6\n"
	"call bpf_skb_under_cgroup\n"
	"r1 = r6\n"
	"r1 <<= 3\n"
	"r2 = r7\n"
	"r2 += r1\n"
	"*(u64 *)(r2 + %d) = r0\n"
	"r6 += 1\n"
	"if r6 < %d goto loop\n"
	"r0 = 0\n"
	"exit\n"
	"fail:\n"
	"r0 = 1\n"
	"exit\n";

static char errbuf[512], vlog[1 << 16];

struct side {
	int cg_fd, out_fd, prog_fd, skb_prog_fd;
	int kernel;
};

static int assemble(int out_fd, int cg_fd, bool skb, struct uebpf_insn **insns, size_t *cnt)
{
	char text[sizeof(skb_prog_text) + sizeof(prog_text) + 64];
	struct uebpf_asm_opts o = { .sz = sizeof(o), .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	if (skb)
		snprintf(text, sizeof(text), skb_prog_text, out_fd, cg_fd, SKB_WORD * 8, SLOTS + 1);
	else
		snprintf(text, sizeof(text), prog_text, out_fd, cg_fd, SLOTS + 1);
	int rc = uebpf_asm(text, insns, cnt, &o);
	if (rc)
		printf("assembler: %s\n", errbuf);
	return rc;
}

static int side_open(struct side *s, int kernel)
{
	struct uebpf_insn *insns;
	size_t cnt;
	s->kernel = kernel;
	s->prog_fd = -1;
	s->cg_fd = kernel ? kernel_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, SLOTS, 0, 0, 0)
			  : uebpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "cg", 4, 4, SLOTS, NULL);
	s->out_fd = kernel ? kernel_map_create(BPF_MAP_TYPE_ARRAY, 4, OUT_WORDS * 8, 1, 0, 0, 0)
			   : uebpf_map_create(BPF_MAP_TYPE_ARRAY, "out", 4, OUT_WORDS * 8, 1, NULL);
	if (s->cg_fd < 0 || s->out_fd < 0 || assemble(s->out_fd, s->cg_fd, false, &insns, &cnt)) {
		printf("%s: maps: %d %d\n", kernel ? "kernel" : "uebpf", s->cg_fd, s->out_fd);
		return -1;
	}
	if (kernel) {
		s->prog_fd = kernel_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, insns, cnt, vlog,
					      sizeof(vlog), 1);
	} else {
		struct uebpf_prog_load_opts o = { .sz = sizeof(o), .log_buf = vlog,
						  .log_size = sizeof(vlog) };
		s->prog_fd = uebpf_prog_load(BPF_PROG_TYPE_RAW_TRACEPOINT, "cg", "GPL", insns, cnt,
					     &o);
	}
	free(insns);
	if (s->prog_fd < 0) {
		printf("%s refused the program (%d): %s\n", kernel ? "kernel" : "uebpf",
		       s->prog_fd, vlog);
		return -1;
	}
	if (assemble(s->out_fd, s->cg_fd, true, &insns, &cnt))
		return -1;
	if (kernel) {
		s->skb_prog_fd = kernel_prog_load(BPF_PROG_TYPE_SCHED_CLS, insns, cnt, vlog,
						  sizeof(vlog), 1);
	} else {
		struct uebpf_prog_load_opts o = { .sz = sizeof(o), .log_buf = vlog,
						  .log_size = sizeof(vlog) };
		s->skb_prog_fd = uebpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "cg_skb", "GPL", insns,
						 cnt, &o);
	}
	free(insns);
	if (s->skb_prog_fd < 0)
		printf("%s refused the tc program (%d): %s\n", kernel ? "kernel" : "uebpf",
		       s->skb_prog_fd, vlog);
	return s->skb_prog_fd < 0 ? -1 : 0;
}

static int side_update(struct side *s, uint32_t index, int fd, uint64_t flags)
{
	uint32_t v = (uint32_t)fd;
	return s->kernel ? kernel_map_elem(BPF_MAP_UPDATE_ELEM, s->cg_fd, &index, &v, flags)
			 : uebpf_map_update_elem(s->cg_fd, &index, &v, flags);
}

static int side_delete(struct side *s, uint32_t index)
{
	return s->kernel ? kernel_map_elem(BPF_MAP_DELETE_ELEM, s->cg_fd, &index, NULL, 0)
			 : uebpf_map_delete_elem(s->cg_fd, &index);
}

/* Runs the program; 0 with its numbers in out, or -1. */
static int side_run(struct side *s, uint64_t out[OUT_WORDS])
{
	uint32_t zero = 0;
	/* An IPv4 frame for the tc program. */
	uint8_t pkt[64] = { [12] = 0x08, [14] = 0x45 };
	if (s->kernel) {
		uint64_t ctx[1] = { 0 };
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)s->prog_fd;
		a.test.ctx_in = (uintptr_t)ctx;
		a.test.ctx_size_in = sizeof(ctx);
		if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0 || a.test.retval != 0)
			return -1;
		memset(&a, 0, sizeof(a));
		a.test.prog_fd = (uint32_t)s->skb_prog_fd;
		a.test.data_in = (uintptr_t)pkt;
		a.test.data_size_in = sizeof(pkt);
		if (kernel_bpf(BPF_PROG_TEST_RUN, &a) < 0 || a.test.retval != 0)
			return -1;
		return kernel_map_elem(BPF_MAP_LOOKUP_ELEM, s->out_fd, &zero, out, 0) ? -1 : 0;
	}
	uint64_t ctx[1] = { 0 }, r0 = 1;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = true, .err_buf = errbuf,
				    .err_size = sizeof(errbuf) };
	if (uebpf_code_run(uebpf_prog_code(s->prog_fd), (uintptr_t)ctx, 0, &o, &r0) || r0) {
		printf("uebpf run: %s\n", errbuf);
		return -1;
	}
	struct uebpf_test_run_opts t = { .sz = sizeof(t), .data_in = pkt,
					 .data_size_in = sizeof(pkt) };
	if (uebpf_prog_test_run(s->skb_prog_fd, &t) || t.retval != 0) {
		printf("uebpf test run of the tc program failed\n");
		return -1;
	}
	return uebpf_map_lookup_elem(s->out_fd, &zero, out) ? -1 : 0;
}

static struct side k, u;

static void compare_runs(const char *where)
{
	uint64_t ko[OUT_WORDS], uo[OUT_WORDS];
	static const char *const what[OUT_WORDS] = {
		"cgroup id", "ancestor 0", "ancestor 1", "ancestor 2", "ancestor 3", "ancestor 100",
		"under slot 0", "under slot 1", "under slot 2", "under slot 3", "under slot 4",
		"skb under slot 0", "skb under slot 1", "skb under slot 2", "skb under slot 3",
		"skb under slot 4",
	};
	CHECK(side_run(&k, ko) == 0);
	CHECK(side_run(&u, uo) == 0);
	if (getenv("VERBOSE")) {
		printf("%s:", where);
		for (int i = 0; i < OUT_WORDS; i++)
			printf(" %lld", (long long)ko[i]);
		printf("\n");
	}
	for (int i = 0; i < OUT_WORDS; i++)
		CHECK_REPORT(ko[i] == uo[i], "%s: %s: kernel %lld, uebpf %lld", where, what[i],
			     (long long)ko[i], (long long)uo[i]);
}

static void test_map_commands(void)
{
	int tmp = open("/tmp", O_RDONLY | O_DIRECTORY);
	uint32_t key = 0, next = 0, v = 0;

	/* creation attributes */
	CHECK_EQ(kernel_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, 8, 4, 2, 0, 0, 0),
		 uebpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "c", 8, 4, 2, NULL));
	CHECK_EQ(kernel_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 8, 2, 0, 0, 0),
		 uebpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "c", 4, 8, 2, NULL));
	CHECK_EQ(kernel_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 0, 0, 0, 0),
		 uebpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "c", 4, 4, 0, NULL));
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = BPF_F_NO_PREALLOC };
	CHECK_EQ(kernel_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 2, BPF_F_NO_PREALLOC, 0, 0),
		 uebpf_map_create(BPF_MAP_TYPE_CGROUP_ARRAY, "c", 4, 4, 2, &o));
	/* updates that fail; an empty array */
	CHECK_EQ(side_update(&k, 0, tmp, 0), side_update(&u, 0, tmp, 0));
	CHECK_EQ(side_update(&k, 0, 100000, 0), side_update(&u, 0, 100000, 0));
	CHECK_EQ(side_update(&k, 0, tmp, BPF_NOEXIST), side_update(&u, 0, tmp, BPF_NOEXIST));
	CHECK_EQ(side_update(&k, SLOTS, tmp, 0), side_update(&u, SLOTS, tmp, 0));
	CHECK_EQ(kernel_map_elem(BPF_MAP_LOOKUP_ELEM, k.cg_fd, &key, &v, 0),
		 uebpf_map_lookup_elem(u.cg_fd, &key, &v));
	CHECK_EQ(side_delete(&k, 0), side_delete(&u, 0));
	CHECK_EQ(side_delete(&k, SLOTS), side_delete(&u, SLOTS));
	CHECK_EQ(kernel_map_elem(BPF_MAP_GET_NEXT_KEY, k.cg_fd, NULL, &next, 0),
		 uebpf_map_get_next_key(u.cg_fd, NULL, &next));
	CHECK_EQ(next, 0);
	close(tmp);
}

/* The cgroup2 mount, from mountinfo; "" when there is none. */
static void cgroup2_mount(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], root[PATH_MAX], point[PATH_MAX];
	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, " - cgroup2 ") &&
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, point) == 2 &&
		    !strcmp(root, "/") && strlen(point) < size) {
			snprintf(out, size, "%s", point);
			break;
		}
	if (f)
		fclose(f);
}

static int write_pid(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = fprintf(f, "%d\n", getpid()) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static void test_helpers(void)
{
	char mount[PATH_MAX], base[PATH_MAX + 32], child[PATH_MAX + 40], sibling[PATH_MAX + 40];
	char original[PATH_MAX * 2] = "";

	compare_runs("own cgroup, empty array");
	cgroup2_mount(mount, sizeof(mount));
	if (!mount[0]) {
		printf("no cgroup2 mount: the cgroup hierarchy part is not run\n");
		return;
	}
	/* Where this process is now, to come back to. */
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(original, sizeof(original), "%s%s", mount,
				 strcmp(line + 3, "/") ? line + 3 : "");
		}
	if (f)
		fclose(f);
	snprintf(base, sizeof(base), "%s/uebpf_test_%d", mount, getpid());
	snprintf(child, sizeof(child), "%s/a", base);
	snprintf(sibling, sizeof(sibling), "%s/b", base);
	if (!original[0] || mkdir(base, 0755) || mkdir(child, 0755) || mkdir(sibling, 0755)) {
		printf("cannot make cgroups under %s (%s): the hierarchy part is not run\n", mount,
		       strerror(errno));
		rmdir(sibling), rmdir(child), rmdir(base);
		return;
	}
	const char *dirs[3] = { base, child, sibling };
	for (uint32_t i = 0; i < 3; i++) {
		int fd = open(dirs[i], O_RDONLY | O_DIRECTORY);
		CHECK_EQ(side_update(&k, i, fd, 0), 0);
		CHECK_EQ(side_update(&u, i, fd, 0), 0);
		close(fd);
	}
	compare_runs("own cgroup, three cgroups in the array");
	if (write_pid(child) == 0) {
		compare_runs("in the child cgroup");
		CHECK_EQ(side_delete(&k, 1), side_delete(&u, 1));
		compare_runs("in the child cgroup, its slot deleted");
		CHECK(write_pid(original) == 0);
	} else {
		printf("cannot move into %s (%s): that part is not run\n", child, strerror(errno));
	}
	CHECK(rmdir(sibling) == 0 && rmdir(child) == 0 && rmdir(base) == 0);
}

int main(void)
{
	int err = kernel_probe_prog_load();
	if (err) {
		printf("SKIP: bpf() refused (%s): no kernel to compare with\n", strerror(-err));
		return KERNEL_TEST_SKIP;
	}
	if (side_open(&k, 1) || side_open(&u, 0)) {
		printf("FAIL: the programs did not load\n");
		return 1;
	}
	RUN(test_map_commands);
	RUN(test_helpers);
	return check_summary("cgroup_kernel_diff_test");
}
