/* SPDX-License-Identifier: MIT */
/* CPU maps: the kernel's creation rules and its answers to update,
 * lookup, delete and get_next_key (as Linux 6.18 gives them on this
 * machine), programs' redirects to a CPU. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"
#include "uebpf/maps.h"

static char pin_dir[256];

struct val {
	uint32_t qsize;
	int32_t prog; /* fd in, id out */
};

static int create(uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags };
	return uebpf_map_create(BPF_MAP_TYPE_CPUMAP, "cpus", ks, vs, max, &o);
}

static int put(int fd, uint32_t key, uint32_t qsize, uint64_t flags)
{
	return uebpf_map_update_elem(fd, &key, &qsize, flags);
}

static int get(int fd, uint32_t key)
{
	uint32_t v;
	int err = uebpf_map_lookup_elem(fd, &key, &v);
	return err ? err : (int)v;
}

static void test_creation_rules(void)
{
	CHECK_EQ(create(4, 6, 4, 0), -EINVAL);
	CHECK_EQ(create(4, 12, 4, 0), -EINVAL);
	CHECK_EQ(create(8, 4, 4, 0), -EINVAL);
	CHECK_EQ(create(4, 4, 0, 0), -EINVAL);
	CHECK_EQ(create(4, 4, 9000, 0), -E2BIG);
	uint32_t refused[] = { BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
			       BPF_F_NO_PREALLOC, BPF_F_MMAPABLE };
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_EQ(create(4, 4, 4, refused[i]), -EINVAL);
	int fd = create(4, 8, 4, BPF_F_NUMA_NODE);
	CHECK(fd >= 0);
	struct uebpf_map_info info;
	CHECK_EQ(uebpf_map_get_info(fd, &info), 0);
	CHECK_EQ(info.map_flags, BPF_F_NUMA_NODE);
	uebpf_map_close(fd);
}

static void test_commands(void)
{
	int fd = create(4, 4, 64, 0);
	uint32_t key, next;

	CHECK(fd >= 0);
	CHECK_EQ(get(fd, 0), -ENOENT);
	CHECK_EQ(put(fd, 0, 192, BPF_ANY), 0);
	CHECK_EQ(get(fd, 0), 192);
	CHECK_EQ(put(fd, 64, 192, BPF_ANY), -E2BIG);
	/* Below max_entries but not a CPU of this machine. */
	if (uebpf_num_possible_cpus() < 63)
		CHECK_EQ(put(fd, 63, 192, BPF_ANY), -ENODEV);
	CHECK_EQ(put(fd, 0, 16385, BPF_ANY), -EOVERFLOW);
	CHECK_EQ(put(fd, 0, 10, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(put(fd, 0, 10, BPF_EXIST), 0);
	CHECK_EQ(put(fd, 0, 10, 4), -EINVAL);
	/* A queue of 0 frames deletes the CPU. */
	CHECK_EQ(put(fd, 0, 0, BPF_ANY), 0);
	CHECK_EQ(get(fd, 0), -ENOENT);
	CHECK_EQ(put(fd, 0, 10, BPF_ANY), 0);
	key = 0;
	CHECK_EQ(uebpf_map_delete_elem(fd, &key), 0);
	CHECK_EQ(get(fd, 0), -ENOENT);
	key = 64;
	CHECK_EQ(uebpf_map_delete_elem(fd, &key), -EINVAL);
	CHECK_EQ(get(fd, 64), -ENOENT);
	/* get_next_key walks indexes, as an array's. */
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &next), 0);
	CHECK_EQ(next, 0);
	key = 2;
	CHECK_EQ(uebpf_map_get_next_key(fd, &key, &next), 0);
	CHECK_EQ(next, 3);
	key = 63;
	CHECK_EQ(uebpf_map_get_next_key(fd, &key, &next), -ENOENT);
	key = 100;
	CHECK_EQ(uebpf_map_get_next_key(fd, &key, &next), 0);
	CHECK_EQ(next, 0);
	uebpf_map_close(fd);

	/* With a program: no fd (<= 0) is no program; uebpf has no
	 * program fds to give. */
	fd = create(4, 8, 4, 0);
	struct val v = { 100, 0 };
	key = 0;
	CHECK_EQ(uebpf_map_update_elem(fd, &key, &v, BPF_ANY), 0);
	v.prog = -1;
	CHECK_EQ(uebpf_map_update_elem(fd, &key, &v, BPF_ANY), 0);
	v.prog = 3;
	CHECK_EQ(uebpf_map_update_elem(fd, &key, &v, BPF_ANY), -EINVAL);
	v = (struct val){ 0, 77 };
	CHECK_EQ(uebpf_map_lookup_elem(fd, &key, &v), 0);
	CHECK_EQ(v.qsize, 100);
	CHECK_EQ(v.prog, 0);
	uebpf_map_close(fd);
}

int main(void)
{
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-cpumap-test-%d", (int)getpid());
	mkdir(pin_dir, 0700);
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);

	RUN(test_creation_rules);
	RUN(test_commands);

	rmdir(pin_dir);
	return check_summary("cpumap_test");
}
