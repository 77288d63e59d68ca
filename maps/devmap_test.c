/* SPDX-License-Identifier: MIT */
/* Device maps: creation rules, the kernel's update/lookup/delete rules of
 * DEVMAP and DEVMAP_HASH, the hash's walk order, programs reading
 * entries (and not writing them), another process sharing a pinned map,
 * threads changing and reading a hash at once, and a damaged segment. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/map.h"
#include "tests/check.h"
#include "uebpf/uebpf.h"

static char pin_dir[256];
static struct uebpf_vm *vm;
static char err[512];

#define LO 1u                 /* the loopback device: in every namespace */
#define NO_DEV 0x7ffffff0u    /* no such device */

struct val {
	uint32_t ifindex;
	int32_t prog; /* fd in, id out */
};

static int create(uint32_t type, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };
	return uebpf_map_create(type, "dev", 4, vs, max, &o);
}

static int put(int fd, uint32_t key, uint32_t ifindex, int32_t prog, uint64_t flags)
{
	struct val v = { ifindex, prog };
	return uebpf_map_update_elem(fd, &key, &v, flags);
}

static void test_creation_rules(void)
{
	for (uint32_t type = BPF_MAP_TYPE_DEVMAP; type <= BPF_MAP_TYPE_DEVMAP_HASH;
	     type += BPF_MAP_TYPE_DEVMAP_HASH - BPF_MAP_TYPE_DEVMAP) {
		CHECK_EQ(create(type, 6, 4, 0), -EINVAL);
		CHECK_EQ(create(type, 4, 0, 0), -EINVAL);
		CHECK_EQ(uebpf_map_create(type, "dev", 8, 4, 4, NULL), -EINVAL);
		uint32_t refused[] = { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, BPF_F_NO_PREALLOC,
				       BPF_F_MMAPABLE, BPF_F_ZERO_SEED, BPF_F_INNER_MAP };
		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			CHECK_EQ(create(type, 4, 4, refused[i]), -EINVAL);
		int fd = create(type, 8, 4, BPF_F_NUMA_NODE | BPF_F_RDONLY);
		CHECK(fd >= 0);
		struct uebpf_map_info info;
		CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
		/* The kernel adds BPF_F_RDONLY_PROG: programs only read. */
		CHECK_EQ(info.map_flags, BPF_F_NUMA_NODE | BPF_F_RDONLY_PROG);
		uebpf_map_close(fd);
	}
	CHECK_EQ(create(BPF_MAP_TYPE_DEVMAP_HASH, 4, (1u << 31) + 1, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_DEVMAP, 4, (1u << 31) + 1, 0), -ENOMEM);
}

static void test_devmap_commands(void)
{
	int fd = create(BPF_MAP_TYPE_DEVMAP, 8, 4, 0);
	uint32_t k = 1, big = 4, next = 0;
	struct val v = { 0, 0 };
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	CHECK_EQ(put(fd, 1, LO, 0, BPF_NOEXIST), -EEXIST); /* even on an empty slot */
	CHECK_EQ(put(fd, 4, LO, 0, BPF_NOEXIST), -E2BIG);
	CHECK_EQ(put(fd, 1, LO, 0, 3), -EINVAL);
	CHECK_EQ(put(fd, 1, NO_DEV, 0, 0), -EINVAL);
	CHECK_EQ(put(fd, 1, LO, 5, 0), -EINVAL);  /* not an XDP devmap program */
	CHECK_EQ(put(fd, 1, 0, 5, 0), -EINVAL);   /* a program without a device */
	CHECK_EQ(put(fd, 1, LO, -3, BPF_EXIST), 0); /* fd <= 0: no program */
	v.prog = 77;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	CHECK(v.ifindex == LO && v.prog == 0);
	CHECK_EQ(put(fd, 1, 0, 0, 0), 0); /* ifindex 0 empties the slot */
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	CHECK_EQ(put(fd, 1, LO, 0, 0), 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), 0);    /* empty: still 0 */
	CHECK_EQ(uebpf_map_delete_elem(fd, &big), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k, &v), -ENOTSUPP);
	CHECK_EQ(uebpf_map_get_next_key(fd, &big, &next), 0);
	CHECK_EQ(next, 0);
	uint32_t count = 4, keys[4], out;
	struct val vals[4];
	CHECK_EQ(uebpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL), -ENOTSUPP);
	uebpf_map_close(fd);
	/* value_size 4: the ifindex alone. */
	fd = create(BPF_MAP_TYPE_DEVMAP, 4, 2, 0);
	uint32_t ifindex = LO, got = 0;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &ifindex, 0), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &got), 0);
	CHECK_EQ(got, LO);
	uebpf_map_close(fd);
}

static void test_devmap_hash_commands(void)
{
	int fd = create(BPF_MAP_TYPE_DEVMAP_HASH, 8, 4, 0);
	struct val v;
	uint32_t k = 9;
	CHECK_EQ(put(fd, 9, 0, 0, 0), -EINVAL);         /* ifindex 0 */
	CHECK_EQ(put(fd, 9, LO, 0, 3), -EINVAL);
	CHECK_EQ(put(fd, 9, NO_DEV, 0, 0), -EINVAL);
	CHECK_EQ(put(fd, 9, LO, 0, BPF_EXIST), 0);      /* EXIST on a missing key: inserted */
	CHECK_EQ(put(fd, 9, NO_DEV, 0, BPF_NOEXIST), -EEXIST); /* EEXIST comes first */
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	CHECK(v.ifindex == LO && v.prog == 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), 0);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -ENOENT);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	/* Keys pick buckets by their low bits (4 buckets), newest first. */
	uint32_t keys[] = { 1, 5, 2, 9, 0 };
	for (size_t i = 0; i < 4; i++)
		CHECK_EQ(put(fd, keys[i], LO, 0, 0), 0);
	CHECK_EQ(put(fd, 100, LO, 0, 0), -E2BIG);
	CHECK_EQ(put(fd, 100, NO_DEV, 0, 0), -EINVAL); /* the device is checked first */
	CHECK_EQ(put(fd, 1, LO, 0, 0), 0);              /* replacing: fine when full */
	uint32_t order[4], n = 0, cur, *prev = NULL;
	while (n < 4 && uebpf_map_get_next_key(fd, prev, &cur) == 0) {
		order[n++] = cur;
		prev = &order[n - 1];
	}
	/* Bucket 1: 1 (replaced: moved to the head), 9, 5; bucket 2: 2. */
	CHECK_EQ(n, 4);
	CHECK(order[0] == 1 && order[1] == 9 && order[2] == 5 && order[3] == 2);
	k = 77; /* not in the map: the walk starts again */
	CHECK_EQ(uebpf_map_get_next_key(fd, &k, &cur), 0);
	CHECK_EQ(cur, 1);
	k = 2;
	CHECK_EQ(uebpf_map_get_next_key(fd, &k, &cur), -ENOENT);
	uebpf_map_close(fd);
}

static struct uebpf_code *load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct uebpf_code *load(const char *fmt, ...)
{
	char text[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
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

/* r1 = key: the entry's ifindex, or 1000 when there is none. */
static const char read_prog[] =
	"  *(u32 *)(r10 - 4) = r1\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto none\n"
	"  r0 = *(u32 *)(r0 + 0)\n"
	"  exit\n"
	"none:\n"
	"  r0 = 1000\n"
	"  exit\n";

/* Tries to write an entry: the helper's answer. */
static const char write_prog[] =
	"  *(u32 *)(r10 - 4) = 0\n"
	"  *(u32 *)(r10 - 8) = 1\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  r3 = r10\n"
	"  r3 += -8\n"
	"  r4 = 0\n"
	"  call bpf_map_update_elem\n"
	"  exit\n";

static uint64_t run(struct uebpf_code *code, uint64_t r1, int checked)
{
	uint64_t r0 = 0;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_run(code, r1, 0, &o, &r0))
		CHECK_REPORT(0, "running: %s", err);
	return r0;
}

static void test_programs_read_entries(void)
{
	for (uint32_t type = BPF_MAP_TYPE_DEVMAP; type <= BPF_MAP_TYPE_DEVMAP_HASH;
	     type += BPF_MAP_TYPE_DEVMAP_HASH - BPF_MAP_TYPE_DEVMAP) {
		int fd = create(type, 4, 8, 0);
		struct uebpf_code *rd = load(read_prog, fd), *wr = load(write_prog, fd);
		CHECK(rd && wr);
		if (!rd || !wr)
			return;
		CHECK_EQ(put(fd, 3, LO, 0, 0), 0);
		for (int checked = 0; checked < 2; checked++) {
			CHECK_EQ(run(rd, 3, checked), LO);
			CHECK_EQ(run(rd, 4, checked), 1000);
			CHECK_EQ(run(rd, 100, checked), 1000);
			CHECK_EQ(run(wr, 0, checked), (uint64_t)-EPERM); /* read-only to programs */
		}
		uebpf_code_free(rd);
		uebpf_code_free(wr);
		uebpf_map_close(fd);
	}
}

static void test_shared_between_processes(void)
{
	int fd = create(BPF_MAP_TYPE_DEVMAP_HASH, 8, 64, 0);
	CHECK_EQ(uebpf_obj_pin(fd, "devs"), 0);
	pid_t pid = fork();
	if (pid == 0) {
		int failures = 0, child = uebpf_obj_get("devs");
		for (uint32_t k = 0; k < 64; k++)
			failures += put(child, k * 7, LO, 0, BPF_NOEXIST) != 0;
		failures += put(child, 1000, LO, 0, 0) != -E2BIG;
		_exit(failures ? 1 : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	uint32_t n = 0, cur, prev, found = 0;
	struct val v;
	while (uebpf_map_get_next_key(fd, n ? &prev : NULL, &cur) == 0 && n < 100) {
		found += cur % 7 == 0 && uebpf_map_lookup_elem(fd, &cur, &v) == 0 && v.ifindex == LO;
		prev = cur;
		n++;
	}
	CHECK_EQ(n, 64);
	CHECK_EQ(found, 64);
	char path[512];
	snprintf(path, sizeof(path), "%s/devs", pin_dir);
	unlink(path);
	uebpf_map_close(fd);
}

/* Writers insert and delete keys while readers look them up and walk
 * the map: a reader finds an entry holding lo or none, and never loses a
 * key no writer touches. */
struct worker {
	int fd, id, stop;
	uint32_t bad;
};

static void *writer(void *arg)
{
	struct worker *w = arg;
	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t key = 1000 + (i * 2654435761u >> 20) % 64 * 2 + (uint32_t)w->id;
		int rc = i % 3 == 2 ? uebpf_map_delete_elem(w->fd, &key) : put(w->fd, key, LO, 0, 0);
		w->bad += rc != 0 && rc != -ENOENT && rc != -E2BIG;
	}
	return NULL;
}

static void *reader(void *arg)
{
	struct worker *w = arg;
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		struct val v;
		for (uint32_t key = 0; key < 16; key++) /* never touched: always there */
			w->bad += uebpf_map_lookup_elem(w->fd, &key, &v) != 0 || v.ifindex != LO;
		uint32_t key = 1000 + (uint32_t)(w->bad % 128);
		int rc = uebpf_map_lookup_elem(w->fd, &key, &v);
		w->bad += rc == 0 ? v.ifindex != LO : rc != -ENOENT;
		uint32_t cur, prev = 0, n = 0;
		while (uebpf_map_get_next_key(w->fd, n ? &prev : NULL, &cur) == 0 && n < 10000) {
			prev = cur;
			n++;
		}
		w->bad += n >= 10000;
	}
	return NULL;
}

static void test_threads_change_and_read(void)
{
	int fd = create(BPF_MAP_TYPE_DEVMAP_HASH, 8, 200, 0);
	for (uint32_t key = 0; key < 16; key++)
		put(fd, key, LO, 0, 0);
	struct worker w[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .fd = fd, .id = i % 2 };
		pthread_create(&t[i], NULL, i < 2 ? writer : reader, &w[i]);
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	for (int i = 2; i < 4; i++) {
		__atomic_store_n(&w[i].stop, 1, __ATOMIC_RELEASE);
		pthread_join(t[i], NULL);
	}
	for (int i = 0; i < 4; i++)
		CHECK_EQ(w[i].bad, 0);
	uebpf_map_close(fd);
}

/* Another process scribbling on the segment: answers, never a crash. */
static void test_damaged_segment(void)
{
	int fd = create(BPF_MAP_TYPE_DEVMAP_HASH, 8, 8, 0);
	for (uint32_t key = 0; key < 8; key++)
		put(fd, key, LO, 0, 0);
	struct map *map = map_from_fd(fd);
	uint32_t *words = (uint32_t *)map->data;
	size_t n = (size_t)map->hdr->data_size / 4;
	for (uint32_t round = 0; round < 200; round++) {
		for (size_t i = 0; i < n; i++)
			if ((i * 2654435761u ^ round * 40503u) % 5 == 0)
				words[i] = round & 1 ? 0xffffffffu - (uint32_t)i : (uint32_t)(i * round) % 20;
		words[0] = 0; /* the lock word */
		struct val v;
		uint32_t cur, prev = 0;
		for (uint32_t key = 0; key < 12; key++) {
			int rc = uebpf_map_lookup_elem(fd, &key, &v);
			CHECK(rc == 0 || rc == -ENOENT);
			rc = put(fd, key, LO, 0, 0);
			CHECK(rc == 0 || rc == -E2BIG);
			rc = uebpf_map_delete_elem(fd, &key);
			CHECK(rc == 0 || rc == -ENOENT);
		}
		for (int i = 0; i < 50 && uebpf_map_get_next_key(fd, i ? &prev : NULL, &cur) == 0; i++)
			prev = cur;
	}
	uebpf_map_close(fd);
}

int main(void)
{
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-devmap-test-%d", (int)getpid());
	mkdir(pin_dir, 0700);
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	vm = uebpf_vm_new();
	CHECK_EQ(uebpf_vm_add_kernel_helpers(vm), 0);

	RUN(test_creation_rules);
	RUN(test_devmap_commands);
	RUN(test_devmap_hash_commands);
	RUN(test_programs_read_entries);
	RUN(test_shared_between_processes);
	RUN(test_threads_change_and_read);
	RUN(test_damaged_segment);

	uebpf_vm_free(vm);
	rmdir(pin_dir);
	return check_summary("devmap_test");
}
