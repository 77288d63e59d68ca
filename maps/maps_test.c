/* SPDX-License-Identifier: MIT */
/* Maps: segments, pinning across processes, the fd API's checks, per-CPU
 * layout, memory-mapped arrays, and what a damaged pinned file gets. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/map.h"
#include "tests/check.h"

static char pin_dir[256];

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	return uebpf_map_create(type, "test", ks, vs, max, &opts);
}

static void test_hash_basics(void)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 2, 0);
	CHECK(fd >= 0);
	uint32_t k1 = 1, k2 = 2, k3 = 3, next;
	uint64_t v = 10, out = 0;
	CHECK_EQ(uebpf_map_update_elem(fd, &k1, &v, BPF_NOEXIST), 0);
	CHECK_EQ(uebpf_map_update_elem(fd, &k1, &v, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(uebpf_map_update_elem(fd, &k2, &v, BPF_EXIST), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, &k2, &v, BPF_ANY), 0);
	CHECK_EQ(uebpf_map_update_elem(fd, &k3, &v, BPF_ANY), -E2BIG); /* full */
	v = 11;
	CHECK_EQ(uebpf_map_update_elem(fd, &k2, &v, BPF_ANY), 0); /* full, but exists */
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k2, &out), 0);
	CHECK_EQ(out, 11);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k3, &out), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, &k1, &v, 99), -EINVAL);
	/* Iteration: NULL starts, every key once, then ENOENT. */
	int seen = 0;
	const void *prev = NULL;
	while (uebpf_map_get_next_key(fd, prev, &next) == 0) {
		seen |= 1 << next;
		k3 = next;
		prev = &k3;
	}
	CHECK_EQ(seen, 6);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k1, &out), 0);
	CHECK_EQ(out, 10);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k1), -ENOENT);
	/* A deleted key: iteration starts again from the first key. */
	CHECK_EQ(uebpf_map_get_next_key(fd, &k1, &next), 0);
	CHECK_EQ(next, 2);
	/* The freed element is reused. */
	CHECK_EQ(uebpf_map_update_elem(fd, &k3, &v, BPF_ANY), 0);
	CHECK_EQ(uebpf_map_close(fd), 0);
	CHECK_EQ(uebpf_map_close(fd), -EBADF);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k1, &out), -EBADF);
}

static void test_many_elements_survive_churn(void)
{
	/* Inserts and deletes through the free list many times over. */
	int fd = create(BPF_MAP_TYPE_HASH, 8, 8, 1000, 0);
	uint64_t v;
	int bad = 0;
	for (uint64_t round = 0; round < 5; round++) {
		for (uint64_t k = 0; k < 1000; k++) {
			v = k * 3 + round;
			bad += uebpf_map_update_elem(fd, &k, &v, BPF_NOEXIST) != 0;
		}
		uint64_t extra = 5000;
		bad += uebpf_map_update_elem(fd, &extra, &v, BPF_ANY) != -E2BIG;
		for (uint64_t k = 0; k < 1000; k++) {
			bad += uebpf_map_lookup_elem(fd, &k, &v) != 0 || v != k * 3 + round;
			if ((k + round) % 2 == 0)
				bad += uebpf_map_delete_elem(fd, &k) != 0;
		}
		for (uint64_t k = 0; k < 1000; k++)
			if ((k + round) % 2)
				bad += uebpf_map_delete_elem(fd, &k) != 0;
		bad += uebpf_map_get_next_key(fd, NULL, &v) != -ENOENT;
	}
	CHECK_EQ(bad, 0);
	uebpf_map_close(fd);
}

static void test_percpu_values_are_one_per_cpu(void)
{
	int ncpus = uebpf_num_possible_cpus();
	CHECK(ncpus >= 1);
	if (ncpus < 1 || ncpus > 4096)
		return;
	int fd = create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 2, 0);
	uint32_t k = 1;
	uint64_t *vals = calloc((size_t)ncpus, 8);
	for (int c = 0; c < ncpus; c++)
		vals[c] = 0x100 + (uint64_t)c;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, vals, BPF_ANY), 0);
	memset(vals, 0, (size_t)ncpus * 8);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, vals), 0);
	for (int c = 0; c < ncpus; c++)
		CHECK_EQ(vals[c], 0x100 + (uint64_t)c);
	/* A program on CPU 1 sees its own copy. */
	struct map *map = map_from_fd(fd);
	uint32_t *mine = map->ops->lookup_ptr(map, &k, (uint32_t)(ncpus - 1));
	CHECK_EQ(*mine, 0x100 + (uint64_t)(ncpus - 1));
	struct uebpf_map_info info;
	CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
	CHECK_EQ(info.ncpus, ncpus);
	CHECK_STR(info.name, "test");
	free(vals);
	uebpf_map_close(fd);
}

static void test_creation_is_validated(void)
{
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 8, 4, 1, 0), -EINVAL);  /* key must be 4 */
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4, 0, 1, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4, 4, 0, 0), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4, 4, 1, BPF_F_MMAPABLE), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_NO_PREALLOC), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4, 4, 1, BPF_F_RDONLY | BPF_F_WRONLY), -EINVAL);
	CHECK_EQ(create(9999, 4, 4, 1, 0), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_HASH, "bad name!", 4, 4, 1, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_HASH, "a_name_too_long_", 4, 4, 1, NULL), -EINVAL);
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, NULL, 4, 4, 1, NULL);
	CHECK(fd >= 0);
	uebpf_map_close(fd);
}

static void test_access_flags_and_freeze(void)
{
	uint32_t k = 0, v = 1;
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_RDONLY);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, 0), -EPERM);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	CHECK_EQ(uebpf_map_freeze(fd), -EPERM);
	/* The flag restricts that fd, not the map: opened again, it writes. */
	struct uebpf_map_info info;
	CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
	CHECK_EQ(info.map_flags & BPF_F_RDONLY, 0);
	CHECK_EQ(uebpf_obj_pin(fd, "rdonly"), 0);
	int rw = uebpf_obj_get("rdonly");
	CHECK_EQ(uebpf_map_update_elem(rw, &k, &v, 0), 0);
	uebpf_map_close(rw);
	char path[512];
	snprintf(path, sizeof(path), "%s/rdonly", pin_dir);
	unlink(path);
	uebpf_map_close(fd);
	fd = create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, BPF_F_WRONLY);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -EPERM);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, 0), 0);
	uebpf_map_close(fd);
	fd = create(BPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_RDONLY_PROG);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, 0), 0); /* only programs are refused */
	CHECK_EQ(uebpf_map_freeze(fd), 0);
	CHECK_EQ(uebpf_map_freeze(fd), -EPERM); /* frozen maps lost the right to write */
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, 0), -EPERM);
	CHECK_EQ(uebpf_map_delete_elem(fd, &k), -EPERM);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	uebpf_map_get_info(fd, &info);
	CHECK(info.frozen);
	uebpf_map_close(fd);
}

static void test_mmapable_array_values_are_shared(void)
{
	int fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE);
	size_t size = 0;
	uint64_t *values = uebpf_map_mmap(fd, &size);
	CHECK(values != NULL);
	CHECK_EQ(size, 32);
	if (values) {
		values[2] = 0x1234;
		uint32_t k = 2;
		uint64_t v = 0;
		CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
		CHECK_EQ(v, 0x1234);
		v = 99;
		k = 3;
		uebpf_map_update_elem(fd, &k, &v, 0);
		CHECK_EQ(values[3], 99);
	}
	uebpf_map_close(fd);
	fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	CHECK(uebpf_map_mmap(fd, &size) == NULL && errno == EINVAL);
	uebpf_map_close(fd);
	/* A writable mapping is out: the map cannot be frozen any more. */
	fd = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE);
	CHECK(uebpf_map_mmap(fd, &size) != NULL);
	CHECK_EQ(uebpf_map_freeze(fd), -EBUSY);
	uebpf_map_close(fd);
}

static void test_null_pointers_are_efault_not_a_crash(void)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0);
	uint32_t k = 1;
	uint64_t v = 0;
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -EFAULT);
	/* The kernel looks the key up before copying the value out. */
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, NULL), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, 0), -EFAULT);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, NULL, 0), -EFAULT);
	CHECK_EQ(uebpf_map_delete_elem(fd, NULL), -EFAULT);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, NULL, &v), -EFAULT);
	/* The kernel finds the next key before copying it out. */
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, NULL), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, 0), 0);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, NULL), -EFAULT);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, NULL), -EFAULT);
	/* ... and deletes it before failing to copy it out. */
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k, NULL), -EFAULT);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, &k, NULL), -ENOENT);
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	CHECK_EQ(uebpf_map_lookup_elem(-1, &k, &v), -EBADF);
	CHECK_EQ(uebpf_map_lookup_elem(1 << 30, &k, &v), -EBADF);
	uebpf_map_close(fd);
}

static void test_spin_locked_values(void)
{
	/* value: u32 lock at offset 4, counters around it */
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .value_has_spin_lock = true,
					   .spin_lock_off = 4 };
	for (int t = 0; t < 2; t++) {
		int fd = uebpf_map_create(t ? BPF_MAP_TYPE_ARRAY : BPF_MAP_TYPE_HASH, "locked", 4, 16,
					  4, &o);
		CHECK(fd >= 0);
		uint32_t k = 1, v[4] = { 1, 0xffffffff, 3, 4 }, out[4];
		CHECK_EQ(uebpf_map_update_elem(fd, &k, v, BPF_F_LOCK), 0);
		CHECK_EQ(uebpf_map_update_elem(fd, &k, v, BPF_F_LOCK | BPF_NOEXIST), -EEXIST);
		CHECK_EQ(uebpf_map_update_elem(fd, &k, v, BPF_F_LOCK | 8), -EINVAL);
		memset(out, 0xaa, sizeof(out));
		CHECK_EQ(uebpf_map_lookup_elem_flags(fd, &k, out, BPF_F_LOCK), 0);
		/* The lock is never copied in, and reads as zero. */
		CHECK_EQ(out[0], 1);
		CHECK_EQ(out[1], 0);
		CHECK_EQ(out[2], 3);
		CHECK_EQ(uebpf_map_lookup_elem(fd, &k, out), 0);
		CHECK_EQ(out[1], 0);
		CHECK_EQ(uebpf_map_freeze(fd), -524);
		uebpf_map_close(fd);
	}
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "l", 4, 16, 4, &o), -EOPNOTSUPP);
	o.spin_lock_off = 14;
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_HASH, "l", 4, 16, 4, &o), -EINVAL);
	/* Without a lock, BPF_F_LOCK is refused. */
	int fd = create(BPF_MAP_TYPE_HASH, 4, 16, 4, 0);
	uint32_t k = 1, v[4] = { 0 };
	CHECK_EQ(uebpf_map_update_elem(fd, &k, v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_elem_flags(fd, &k, v, BPF_F_LOCK), -EINVAL);
	uebpf_map_close(fd);
}

static void test_large_keys(void)
{
	/* No 512-byte limit: the kernel's is key + value within 4 MiB. */
	int fd = create(BPF_MAP_TYPE_HASH, 1000, 8, 4, 0);
	CHECK(fd >= 0);
	uint8_t key[1000], next[1000];
	memset(key, 0x5a, sizeof(key));
	key[999] = 1;
	uint64_t v = 9;
	CHECK_EQ(uebpf_map_update_elem(fd, key, &v, 0), 0);
	key[999] = 2;
	CHECK_EQ(uebpf_map_lookup_elem(fd, key, &v), -ENOENT);
	key[999] = 1;
	CHECK_EQ(uebpf_map_lookup_elem(fd, key, &v), 0);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, next), 0);
	CHECK(memcmp(next, key, sizeof(key)) == 0);
	uebpf_map_close(fd);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4194200, 56, 1, 0), -E2BIG);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH, 4, 4, (1u << 27) + 1, 0), -E2BIG);
}

/* A child process opens the pinned map by path and changes it. */
static void test_pinned_map_is_shared_across_processes(void)
{
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	uint32_t k = 7;
	uint64_t v = 70;
	CHECK_EQ(uebpf_map_update_elem(fd, &k, &v, 0), 0);
	CHECK_EQ(uebpf_obj_pin(fd, "shared"), 0);
	CHECK_EQ(uebpf_obj_pin(fd, "shared"), -EEXIST);

	char path[512];
	snprintf(path, sizeof(path), "%s/shared", pin_dir);
	struct stat st;
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);

	pid_t pid = fork();
	if (pid == 0) {
		int cfd = uebpf_obj_get(path);
		uint64_t cv = 0;
		uint32_t ck = 7, nk = 8;
		int ok = cfd >= 0 && uebpf_map_lookup_elem(cfd, &ck, &cv) == 0 && cv == 70;
		cv = 80;
		ok = ok && uebpf_map_update_elem(cfd, &nk, &cv, BPF_NOEXIST) == 0;
		_exit(ok ? 0 : 1);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	uint32_t k8 = 8;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k8, &v), 0);
	CHECK_EQ(v, 80);

	/* The map outlives its creator's fd while pinned. */
	uebpf_map_close(fd);
	int again = uebpf_obj_get("shared");
	CHECK(again >= 0);
	CHECK_EQ(uebpf_map_lookup_elem(again, &k8, &v), 0);
	uebpf_map_close(again);
	unlink(path);
	CHECK_EQ(uebpf_obj_get("shared"), -ENOENT);
}

static void test_segment_kinds(void)
{
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .segment = UEBPF_SEGMENT_MEMFD };
	int fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "m", 4, 8, 1, &opts);
	CHECK(fd >= 0);
	CHECK_EQ(uebpf_obj_pin(fd, "memfd"), -EOPNOTSUPP);
	uebpf_map_close(fd);

	/* Anonymous: shared with a child after fork. */
	opts.segment = UEBPF_SEGMENT_ANON;
	fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "a", 4, 8, 1, &opts);
	CHECK(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		uint32_t k = 0;
		uint64_t v = 42;
		_exit(uebpf_map_update_elem(fd, &k, &v, 0) == 0 ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	uint32_t k = 0;
	uint64_t v = 0;
	CHECK_EQ(uebpf_map_lookup_elem(fd, &k, &v), 0);
	CHECK_EQ(v, 42);
	CHECK_EQ(uebpf_obj_pin(fd, "anon"), -EOPNOTSUPP);
	uebpf_map_close(fd);

	/* A file mode asked for. */
	opts.segment = UEBPF_SEGMENT_DEFAULT;
	opts.mode = 0640;
	fd = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "f", 4, 8, 1, &opts);
	CHECK_EQ(uebpf_obj_pin(fd, "mode"), 0);
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/mode", pin_dir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0640);
	unlink(path);
	uebpf_map_close(fd);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		CHECK_EQ(write(fd, data, len), len);
		close(fd);
	}
}

static void test_damaged_pinned_files_are_refused(void)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/junk", pin_dir);
	write_file(path, "not a map at all", 16);
	CHECK_EQ(uebpf_obj_get(path), -EINVAL);
	write_file(path, "", 0);
	CHECK_EQ(uebpf_obj_get(path), -EINVAL);

	/* A real map's header with sizes that do not fit the file. */
	int fd = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0);
	CHECK_EQ(uebpf_obj_pin(fd, "damaged"), 0);
	snprintf(path, sizeof(path), "%s/damaged", pin_dir);
	struct map *map = map_from_fd(fd);
	map->hdr->max_entries = 1u << 30; /* what the sizes were computed from */
	CHECK_EQ(uebpf_obj_get(path), -EINVAL);
	map->hdr->max_entries = 16;
	map->hdr->layout_version = 99;
	CHECK_EQ(uebpf_obj_get(path), -EOPNOTSUPP);
	map->hdr->layout_version = MAP_LAYOUT_VERSION;
	int ok = uebpf_obj_get(path);
	CHECK(ok >= 0);
	uebpf_map_close(ok);
	uebpf_map_close(fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/junk", pin_dir);
	unlink(path);
	CHECK_EQ(uebpf_obj_get("/nonexistent/dir/map"), -ENOENT);
	CHECK_EQ(uebpf_obj_pin(12345, "x"), -EBADF);
}

int main(void)
{
	/* A private pin directory for this run. */
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-maps-test-%d", (int)getpid());
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);

	RUN(test_hash_basics);
	RUN(test_many_elements_survive_churn);
	RUN(test_percpu_values_are_one_per_cpu);
	RUN(test_creation_is_validated);
	RUN(test_access_flags_and_freeze);
	RUN(test_mmapable_array_values_are_shared);
	RUN(test_null_pointers_are_efault_not_a_crash);
	RUN(test_large_keys);
	RUN(test_spin_locked_values);
	RUN(test_pinned_map_is_shared_across_processes);
	RUN(test_segment_kinds);
	RUN(test_damaged_pinned_files_are_refused);
	rmdir(pin_dir);
	return check_summary("maps_test");
}
