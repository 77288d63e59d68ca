/* SPDX-License-Identifier: MIT */
/* Maps of maps: creation rules, the user-space commands (fds in, ids
 * out), inner maps living while in an outer map (and their hidden link
 * going with the last slot), programs reaching inner maps through outer
 * maps, another process reaching them through a pinned outer map, and
 * threads replacing inner maps under running programs. */
#define _GNU_SOURCE
#include <dirent.h>
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

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags,
		  int inner)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = flags,
					   .inner_map_fd = inner };
	return uebpf_map_create(type, "mim", ks, vs, max, &o);
}

static uint32_t id_of(int fd)
{
	struct uebpf_map_info info;
	return uebpf_map_get_info(fd, &info) ? 0 : info.id;
}

/* Is the map with this id linked under .inner/ in the pin directory? */
static int linked(uint32_t id)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/.inner/%u", pin_dir, id);
	return stat(path, &st) == 0;
}

/* Parked names go once no one has their map open: views let go of maps
 * a second after their last slot, and collection runs at most once a
 * second, on the next insertion or removal. */
static void collect(void)
{
	uint32_t zero = 0;
	for (int i = 0; i < 2; i++) {
		usleep(1100 * 1000);
		int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0);
		int outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, tmpl);
		uebpf_map_update_elem(outer, &zero, &tmpl, 0);
		uebpf_map_close(tmpl); /* not open here: its name goes at once */
		uebpf_map_delete_elem(outer, &zero);
		uebpf_map_close(outer);
	}
}

static struct uebpf_code *load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct uebpf_code *load(const char *fmt, ...)
{
	char text[4096];
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

static bool run_checked; /* run programs in the checked mode */

static uint64_t run(struct uebpf_code *code, uint64_t r1)
{
	uint64_t r0 = 0;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = run_checked,
				    .err_buf = err, .err_size = sizeof(err) };
	if (uebpf_code_run(code, r1, 0, &o, &r0))
		CHECK_REPORT(0, "running: %s", err);
	return r0;
}

/* r1 = outer key: looks up the inner map, then its key 7; adds 1 to the
 * value (inserting 100 when missing) and returns the value before.
 * 1000000 when the outer slot is empty. */
static const char via_outer_prog[] =
	"  *(u32 *)(r10 - 4) = r1\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto empty\n"
	"  r6 = r0\n"
	"  *(u32 *)(r10 - 8) = 7\n"
	"  r1 = r6\n"
	"  r2 = r10\n"
	"  r2 += -8\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto insert\n"
	"  r7 = *(u64 *)(r0 + 0)\n"
	"  r1 = 1\n"
	"  lock *(u64 *)(r0 + 0) += r1\n"
	"  r0 = r7\n"
	"  exit\n"
	"insert:\n"
	"  *(u64 *)(r10 - 16) = 100\n"
	"  r1 = r6\n"
	"  r2 = r10\n"
	"  r2 += -8\n"
	"  r3 = r10\n"
	"  r3 += -16\n"
	"  r4 = 0\n"
	"  call bpf_map_update_elem\n"
	"  r0 += 500000\n"
	"  exit\n"
	"empty:\n"
	"  r0 = 1000000\n"
	"  exit\n";

static void test_creation_rules(void)
{
	int hash = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0);
	int pa = create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0);
	int queue = create(BPF_MAP_TYPE_QUEUE, 0, 4, 4, 0, 0);
	CHECK(hash >= 0 && pa >= 0 && queue >= 0);
	for (uint32_t type = BPF_MAP_TYPE_ARRAY_OF_MAPS; type <= BPF_MAP_TYPE_HASH_OF_MAPS; type++) {
		CHECK_EQ(create(type, 4, 4, 4, 0, 0), -EINVAL);       /* no inner map */
		CHECK_EQ(create(type, 4, 8, 4, 0, hash), -EINVAL);    /* value: an fd/id */
		CHECK_EQ(create(type, 4, 4, 0, 0, hash), -EINVAL);
		CHECK_EQ(create(type, 4, 4, 4, 0, pa), -ENOTSUPP);    /* not comparable */
		CHECK_EQ(create(type, 4, 4, 4, BPF_F_MMAPABLE, hash), -EINVAL);
		CHECK_EQ(create(type, 4, 4, 4, BPF_F_INNER_MAP, hash), -EINVAL);
		int fd = create(type, 4, 4, 4, 0, queue);             /* keyless inner: fine */
		CHECK(fd >= 0);
		CHECK_EQ(create(type, 4, 4, 4, 0, fd), -EINVAL);      /* one level only */
		uebpf_map_close(fd);
		fd = create(type, 4, 4, 4, BPF_F_NUMA_NODE | BPF_F_RDONLY, hash);
		CHECK(fd >= 0);
		uebpf_map_close(fd);
	}
	/* Array rules for the array of maps, hash rules for the hash. */
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 8, 4, 4, 0, hash), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPF_F_NO_PREALLOC, hash), -EINVAL);
	CHECK_EQ(create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, BPF_F_RDONLY_PROG, hash), -EINVAL);
	int fd = create(BPF_MAP_TYPE_HASH_OF_MAPS, 16, 4, 4, BPF_F_NO_PREALLOC | BPF_F_ZERO_SEED,
			hash);
	CHECK(fd >= 0);
	uebpf_map_close(fd);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH_OF_MAPS, 4194252, 4, 4, 0, hash), -E2BIG);
	CHECK_EQ(create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, (1u << 27) + 1, 0, hash), -E2BIG);
	/* The size limit comes after the template's rules, as in the kernel. */
	CHECK_EQ(create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, (1u << 27) + 1, 0, pa), -ENOTSUPP);
	uebpf_map_close(hash);
	uebpf_map_close(pa);
	uebpf_map_close(queue);
}

static void test_array_of_maps_commands(void)
{
	int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
	int a = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
	int bigger = create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 0);
	int other_vs = create(BPF_MAP_TYPE_ARRAY, 4, 16, 4, 0, 0);
	int outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3, 0, tmpl);
	CHECK(outer >= 0);
	uint32_t k = 0, big = 3, id = 0, next = 9;
	int closed = 1000;
	CHECK_EQ(uebpf_map_lookup_elem(outer, &k, &id), -ENOENT);
	CHECK_EQ(uebpf_map_delete_elem(outer, &k), -ENOENT);
	CHECK_EQ(uebpf_map_delete_elem(outer, &big), -E2BIG);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, BPF_EXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(outer, &big, &closed, 0), -E2BIG);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &closed, 0), -EBADF);
	int not_a_map = 1; /* stdout */
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &not_a_map, 0), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &bigger, 0), -EINVAL); /* array: max_entries */
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &other_vs, 0), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &outer, 0), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, 0), 0);
	CHECK_EQ(uebpf_map_lookup_elem(outer, &k, &id), 0);
	CHECK_EQ(id, id_of(a));
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(outer, &k, &id), -ENOTSUPP);
	CHECK_EQ(uebpf_map_get_next_key(outer, NULL, &next), 0);
	CHECK_EQ(next, 0);
	k = 2;
	CHECK_EQ(uebpf_map_get_next_key(outer, &k, &next), -ENOENT);
	/* Batches: lookups skip empty slots; updates take fds. */
	uint32_t keys[3] = { 1, 2, 0 }, vals[3], count = 2, out = 0;
	int fds[2] = { tmpl, closed };
	CHECK_EQ(uebpf_map_update_batch(outer, keys, fds, &count, NULL), -EBADF);
	CHECK_EQ(count, 1);
	count = 3;
	CHECK_EQ(uebpf_map_lookup_batch(outer, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	CHECK_EQ(count, 2);
	CHECK(keys[0] == 0 && keys[1] == 1 && vals[0] == id_of(a) && vals[1] == id_of(tmpl));
	count = 3;
	CHECK_EQ(uebpf_map_lookup_and_delete_batch(outer, NULL, &out, keys, vals, &count, NULL),
		 -ENOTSUPP);
	CHECK_EQ(uebpf_map_delete_batch(outer, keys, &count, NULL), -ENOTSUPP);
	k = 0;
	CHECK_EQ(uebpf_map_delete_elem(outer, &k), 0);
	CHECK_EQ(uebpf_map_lookup_elem(outer, &k, &id), -ENOENT);
	k = 1;
	CHECK_EQ(uebpf_map_delete_elem(outer, &k), 0);
	k = 0;
	uebpf_map_close(outer);
	/* BPF_F_INNER_MAP: any max_entries, but the flag itself must match. */
	int flexible = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0);
	int flexible_big = create(BPF_MAP_TYPE_ARRAY, 4, 8, 64, BPF_F_INNER_MAP, 0);
	outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3, 0, flexible);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &flexible_big, 0), 0);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &bigger, 0), -EINVAL);
	CHECK_EQ(uebpf_map_delete_elem(outer, &k), 0);
	uebpf_map_close(outer);
	/* Other types: max_entries is not compared; RDONLY/WRONLY fds are. */
	int htmpl = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0);
	int hbig = create(BPF_MAP_TYPE_HASH, 4, 8, 100, 0, 0);
	int hro = create(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_RDONLY, 0);
	int hrop = create(BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_RDONLY_PROG, 0);
	outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 3, 0, htmpl);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &hbig, 0), 0);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &hro, 0), 0);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &hrop, 0), -EINVAL);
	CHECK_EQ(uebpf_map_delete_elem(outer, &k), 0);
	uebpf_map_close(outer);
	int fds_to_close[] = { tmpl, a, bigger, other_vs, flexible, flexible_big, htmpl, hbig,
			       hro, hrop };
	for (size_t i = 0; i < sizeof(fds_to_close) / sizeof(fds_to_close[0]); i++)
		uebpf_map_close(fds_to_close[i]);
}

static void test_hash_of_maps_commands(void)
{
	int tmpl = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0);
	int a = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0);
	int b = create(BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 0);
	int outer = create(BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, BPF_F_ZERO_SEED, tmpl);
	CHECK(outer >= 0);
	uint32_t k = 5, k2 = 6, k3 = 7, id = 0;
	int closed = 1000;
	/* The fd is resolved before the hash looks at the flags. */
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &closed, 3), -EBADF);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, 3), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, BPF_EXIST), -ENOENT);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, BPF_NOEXIST), 0);
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &b, BPF_NOEXIST), -EEXIST);
	CHECK_EQ(uebpf_map_update_elem(outer, &k2, &b, 0), 0);
	CHECK_EQ(uebpf_map_update_elem(outer, &k3, &b, 0), -E2BIG);
	CHECK_EQ(uebpf_map_update_elem(outer, &k3, &closed, 0), -EBADF);
	CHECK_EQ(uebpf_map_lookup_elem(outer, &k, &id), 0);
	CHECK_EQ(id, id_of(a));
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(outer, &k, &id), -ENOTSUPP);
	CHECK(linked(id_of(a)) && linked(id_of(b)));
	/* Replacing a's only slot takes a out; a keeps its name while it is
	 * open here (it may go back into an outer map). */
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &b, BPF_EXIST), 0);
	CHECK(linked(id_of(a)) && linked(id_of(b)));
	uint32_t keys[4], vals[4], count = 4, out = 0;
	CHECK_EQ(uebpf_map_lookup_batch(outer, NULL, &out, keys, vals, &count, NULL), -ENOENT);
	CHECK_EQ(count, 2);
	CHECK(vals[0] == id_of(b) && vals[1] == id_of(b));
	count = 4;
	CHECK_EQ(uebpf_map_lookup_and_delete_batch(outer, NULL, &out, keys, vals, &count, NULL),
		 -ENOENT);
	CHECK_EQ(count, 2);
	CHECK_EQ(uebpf_map_get_next_key(outer, NULL, &k), -ENOENT);
	/* Back in after its name was parked: reachable again. */
	CHECK_EQ(uebpf_map_update_elem(outer, &k, &a, 0), 0);
	CHECK_EQ(uebpf_map_delete_elem(outer, &k), 0);
	uint32_t ida = id_of(a), idb = id_of(b);
	uebpf_map_close(outer);
	uebpf_map_close(tmpl);
	uebpf_map_close(a);
	uebpf_map_close(b);
	/* Closed and in no slot: the names are collected a little later. */
	collect();
	CHECK(!linked(ida) && !linked(idb));
}

/* An inner map whose fds are all closed lives on in its slot; programs
 * reach it and change it; it goes with its last slot. */
/* In both modes: the checked mode lets a program pass the inner maps it
 * looked up to map helpers, and use their values. */
static void test_programs_use_inner_maps(void)
{
	for (int mode = 0; mode < 4; mode++) {
		uint32_t type = mode & 1 ? BPF_MAP_TYPE_HASH_OF_MAPS : BPF_MAP_TYPE_ARRAY_OF_MAPS;
		run_checked = mode & 2;
		int tmpl = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0);
		int outer = create(type, 4, 4, 4, 0, tmpl);
		struct uebpf_code *code = load(via_outer_prog, outer);
		CHECK(code != NULL);
		if (!code)
			return;
		int inner = create(BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0);
		uint32_t k = 1, three = 3, seven = 7, id = id_of(inner);
		uint64_t v = 41;
		CHECK_EQ(uebpf_map_update_elem(inner, &seven, &v, 0), 0);
		CHECK_EQ(uebpf_map_update_elem(outer, &k, &inner, 0), 0);
		CHECK_EQ(uebpf_map_update_elem(outer, &three, &tmpl, 0), 0);
		uebpf_map_close(inner);
		CHECK(linked(id));
		CHECK_EQ(run(code, 1), 41);
		CHECK_EQ(run(code, 1), 42);
		CHECK_EQ(run(code, 2), 1000000); /* empty slot */
		CHECK_EQ(run(code, 3), 500000);   /* inserted 100 in tmpl */
		CHECK_EQ(run(code, 3), 100);
		v = 0;
		CHECK_EQ(uebpf_map_lookup_elem(tmpl, &seven, &v), 0);
		CHECK_EQ(v, 101);
		CHECK_EQ(uebpf_map_delete_elem(outer, &k), 0);
		CHECK(!linked(id));
		CHECK_EQ(run(code, 1), 1000000);
		CHECK_EQ(uebpf_map_delete_elem(outer, &three), 0);
		uebpf_code_free(code);
		uebpf_map_close(outer);
		uebpf_map_close(tmpl);
	}
	run_checked = false;
}

/* One process builds the maps, pins the outer ones and exits; another,
 * which has never seen the inner maps, opens the outer maps by path and
 * reaches the inner maps' data from a program and by id. */
static void test_another_process_reaches_inner_maps(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 0);
		int aom = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 4, 0, tmpl);
		int hom = create(BPF_MAP_TYPE_HASH_OF_MAPS, 8, 4, 4, 0, tmpl);
		int ok = aom >= 0 && hom >= 0;
		for (uint32_t i = 0; i < 3; i++) {
			int inner = create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 0);
			uint32_t seven = 7;
			uint64_t v = 1000 * (i + 1), hk = 0xabc0 + i;
			ok &= uebpf_map_update_elem(inner, &seven, &v, 0) == 0;
			ok &= uebpf_map_update_elem(aom, &i, &inner, 0) == 0;
			ok &= uebpf_map_update_elem(hom, &hk, &inner, 0) == 0;
			uebpf_map_close(inner);
		}
		ok &= uebpf_obj_pin(aom, "aom") == 0 && uebpf_obj_pin(hom, "hom") == 0;
		_exit(ok ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	pid = fork();
	if (pid == 0) {
		int failures = 0;
		int aom = uebpf_obj_get("aom"), hom = uebpf_obj_get("hom");
		struct uebpf_code *code = load(via_outer_prog, aom);
		failures += aom < 0 || hom < 0 || !code;
		for (uint32_t i = 0; code && i < 3; i++)
			failures += run(code, i) != 1000 * (i + 1);
		failures += code && run(code, 3) != 1000000;
		/* By id, as user space would with BPF_MAP_GET_FD_BY_ID. */
		for (uint32_t i = 0; i < 3; i++) {
			uint64_t hk = 0xabc0 + i, v = 0;
			uint32_t id = 0, seven = 7, aid = 0;
			char name[64];
			failures += uebpf_map_lookup_elem(hom, &hk, &id) != 0;
			failures += uebpf_map_lookup_elem(aom, &i, &aid) != 0 || aid != id;
			snprintf(name, sizeof(name), ".inner/%u", id);
			int inner = uebpf_obj_get(name);
			failures += inner < 0 || uebpf_map_lookup_elem(inner, &seven, &v) != 0 ||
				    v != 1000 * (i + 1) + 1; /* the program added 1 */
			uebpf_map_close(inner);
		}
		/* Taking a map out of both outer maps lets it go. */
		uint32_t zero = 0, id = 0;
		uint64_t hk = 0xabc0;
		failures += uebpf_map_lookup_elem(aom, &zero, &id) != 0;
		failures += !linked(id);
		failures += uebpf_map_delete_elem(aom, &zero) != 0;
		failures += !linked(id);
		failures += uebpf_map_delete_elem(hom, &hk) != 0;
		failures += linked(id);
		uebpf_code_free(code);
		_exit(failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* Clean up: empty the outer maps so the inner maps go too. */
	int aom = uebpf_obj_get("aom"), hom = uebpf_obj_get("hom");
	for (uint32_t i = 0; i < 4; i++) {
		uint64_t hk = 0xabc0 + i;
		uebpf_map_delete_elem(aom, &i);
		uebpf_map_delete_elem(hom, &hk);
	}
	uebpf_map_close(aom);
	uebpf_map_close(hom);
	char path[512];
	snprintf(path, sizeof(path), "%s/aom", pin_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/hom", pin_dir);
	unlink(path);
}

/* Threads run a program looking up inner maps while others replace and
 * delete them: every answer is one of the inner maps' values. */
struct runner {
	struct uebpf_code *code;
	int stop;
	uint32_t bad, runs;
};

static const char read_prog[] =
	"  *(u32 *)(r10 - 4) = 0\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto empty\n"
	"  r1 = r0\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto empty\n"
	"  r0 = *(u64 *)(r0 + 0)\n"
	"  exit\n"
	"empty:\n"
	"  r0 = 0\n"
	"  exit\n";

static void *runner(void *arg)
{
	struct runner *r = arg;
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t r0 = 0;
		struct uebpf_run_opts o = { .sz = sizeof(o) };
		if (uebpf_code_run(r->code, 0, 0, &o, &r0) || (r0 != 0 && (r0 < 1 || r0 > 4)))
			r->bad++;
		r->runs++;
	}
	return NULL;
}

static void test_threads_replace_inner_maps(void)
{
	int inner[4];
	uint32_t zero = 0;
	for (int i = 0; i < 4; i++) {
		inner[i] = create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0);
		uint64_t v = (uint64_t)i + 1;
		uebpf_map_update_elem(inner[i], &zero, &v, 0);
	}
	int outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, inner[0]);
	struct uebpf_code *code = load(read_prog, outer);
	CHECK(code != NULL);
	if (!code)
		return;
	struct runner r[3] = { { .code = code }, { .code = code }, { .code = code } };
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, runner, &r[i]);
	int failures = 0;
	for (int round = 0; round < 3000; round++) {
		int rc = round % 5 == 4 ? uebpf_map_delete_elem(outer, &zero)
					: uebpf_map_update_elem(outer, &zero, &inner[round % 4], 0);
		failures += rc != 0 && rc != -ENOENT;
	}
	for (int i = 0; i < 3; i++) {
		__atomic_store_n(&r[i].stop, 1, __ATOMIC_RELEASE);
		pthread_join(t[i], NULL);
		CHECK_EQ(r[i].bad, 0);
	}
	CHECK_EQ(failures, 0);
	uebpf_code_free(code);
	uebpf_map_delete_elem(outer, &zero);
	uebpf_map_close(outer);
	for (int i = 0; i < 4; i++)
		uebpf_map_close(inner[i]);
}

/* A slot id scribbled by another process names no map, or a map that
 * does not match the template: programs get NULL, never a wrong map. */
static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* An outer map closed while it still holds maps lets go of them, as the
 * kernel frees an outer map's slots; in whichever order user space
 * closes outer and inner maps, no file stays open here. */
static void test_closing_an_outer_map_releases_its_slots(void)
{
	uint32_t zero = 0, one = 1;
	for (int outer_first = 0; outer_first < 2; outer_first++) {
		for (int hash = 0; hash < 2; hash++) {
			int before = open_fds();
			int a = create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0);
			int b = create(BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0);
			int outer = create(hash ? BPF_MAP_TYPE_HASH_OF_MAPS : BPF_MAP_TYPE_ARRAY_OF_MAPS,
					   4, 4, 2, 0, a);
			CHECK_EQ(uebpf_map_update_elem(outer, &zero, &a, 0), 0);
			CHECK_EQ(uebpf_map_update_elem(outer, &one, &b, 0), 0);
			uint32_t ida = id_of(a);
			if (outer_first)
				uebpf_map_close(outer);
			uebpf_map_close(a);
			uebpf_map_close(b);
			if (!outer_first) {
				CHECK(linked(ida)); /* still in a slot */
				uebpf_map_close(outer);
			}
			CHECK_REPORT(open_fds() == before, "%s of maps closed %s: %d fds open before, %d after",
				     hash ? "hash" : "array", outer_first ? "first" : "last", before,
				     open_fds());
		}
	}
}

static void test_scribbled_slots(void)
{
	int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 8, 8, 0, 0);
	int other = create(BPF_MAP_TYPE_ARRAY, 4, 16, 8, 0, 0);
	int other_outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 1, 0, other);
	int outer = create(BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, tmpl);
	uint32_t zero = 0, one = 1;
	CHECK_EQ(uebpf_map_update_elem(other_outer, &zero, &other, 0), 0); /* known here */
	struct map *map = map_from_fd(outer);
	uint32_t *slots = (uint32_t *)(map->data + 64);
	slots[0] = 0x7ffffff0; /* no such map */
	slots[1] = id_of(other); /* a map of another shape */
	CHECK(map->ops->lookup_ptr(map, &zero, 0) == NULL);
	CHECK(map->ops->lookup_ptr(map, &one, 0) == NULL);
	slots[0] = slots[1] = 0;
	uebpf_map_delete_elem(other_outer, &zero);
	uebpf_map_close(outer);
	uebpf_map_close(other_outer);
	uebpf_map_close(other);
	uebpf_map_close(tmpl);
}

int main(void)
{
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-mim-test-%d", (int)getpid());
	mkdir(pin_dir, 0700);
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	vm = uebpf_vm_new();
	CHECK_EQ(uebpf_vm_add_kernel_helpers(vm), 0);

	RUN(test_creation_rules);
	RUN(test_array_of_maps_commands);
	RUN(test_hash_of_maps_commands);
	RUN(test_programs_use_inner_maps);
	RUN(test_another_process_reaches_inner_maps);
	RUN(test_threads_replace_inner_maps);
	RUN(test_scribbled_slots);
	RUN(test_closing_an_outer_map_releases_its_slots);

	uebpf_vm_free(vm);
	collect();
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/.inner", pin_dir);
	CHECK_EQ(rmdir(dir), 0); /* every inner map's name is gone */
	rmdir(pin_dir);
	return check_summary("map_in_map_test");
}
