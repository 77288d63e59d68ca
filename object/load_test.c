// SPDX-License-Identifier: MIT
/*
 * Loading objects (testdata/load.bpf.c): programs with their subprograms
 * run, maps pinned by name are reused by a second object and refused
 * when the definition differs, a failed load leaves nothing pinned, line
 * info covers appended subprograms, and CO-RE against a field uebpf does
 * not have loads only where the program cannot reach it. Relocated
 * instructions themselves are compared with libbpf's in
 * tests/object_libbpf_test.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "uebpf/uebpf.h"

static char err[1024];
static char pin_dir[] = "/tmp/uebpf-load-test-XXXXXX";

static struct uebpf_object *open_obj(const char *pin_root)
{
	struct uebpf_object_open_opts opts = {
		.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
		.pin_root_path = pin_root,
	};
	struct uebpf_object *obj = uebpf_object_open_file(OBJECT_TESTDATA "/load.bpf.o", &opts);

	CHECK_REPORT(obj, "open: %s", err);
	return obj;
}

/* Only the named programs load. */
static void only(struct uebpf_object *obj, const char *a, const char *b)
{
	struct uebpf_program *p;

	uebpf_object_for_each_program(p, obj) {
		const char *n = uebpf_program_name(p);
		uebpf_program_set_autoload(p, (a && !strcmp(n, a)) || (b && !strcmp(n, b)));
	}
}

static uint64_t run(struct uebpf_object *obj, const char *name)
{
	uint8_t ctx[256] = { 0 };
	struct uebpf_program *p = uebpf_object_find_program(obj, name);
	struct uebpf_code *code = p ? uebpf_prog_code(uebpf_program_fd(p)) : NULL;
	struct uebpf_run_opts opts = { .sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0xdead;

	CHECK_REPORT(code, "program %s has no code", name);
	if (code)
		CHECK_REPORT(uebpf_code_run(code, (uintptr_t)ctx, sizeof(ctx), &opts, &r0) == 0,
			     "run %s: %s", name, err);
	return r0;
}

static uint64_t slot(struct uebpf_object *obj, uint32_t key)
{
	uint64_t v = 0;

	CHECK_EQ(uebpf_map_lookup_elem(uebpf_map_fd(uebpf_object_find_map(obj, "shared_counts")),
				       &key, &v), 0);
	return v;
}

static void test_programs_run_with_subprograms_maps_and_global_data(void)
{
	struct uebpf_object *obj = open_obj(NULL);
	char path[256];

	if (!obj)
		return;
	only(obj, "count", "guarded");
	CHECK_REPORT(uebpf_object_load(obj) == 0, "load: %s", err);
	CHECK(uebpf_program_fd(uebpf_object_find_program(obj, "count")) >= 0);
	CHECK(uebpf_program_fd(uebpf_object_find_program(obj, "unguarded")) < 0);
	snprintf(path, sizeof(path), "%s/shared_counts", pin_dir);
	CHECK_REPORT(access(path, F_OK) == 0, "%s not pinned", path);

	/* twice() calls add() twice: step (3) added two times. */
	CHECK_EQ(run(obj, "count"), 6);
	CHECK_EQ(slot(obj, 1), 6);
	struct uebpf_map *m;
	uint64_t calls = 0;
	uint32_t zero = 0;
	uebpf_object_for_each_map(m, obj)
		if (strstr(uebpf_map_name(m), ".bss"))
			CHECK_EQ(uebpf_map_lookup_elem(uebpf_map_fd(m), &zero, &calls), 0);
	CHECK_EQ(calls, 1);
	/* The field exists nowhere: the guarded branch is the one kept. */
	CHECK_EQ(run(obj, "guarded"), 7);

	/* Line info of the loaded program reaches into its subprograms. */
	struct uebpf_program *p = uebpf_object_find_program(obj, "count");
	bool in_add = false, in_count = false;
	for (size_t i = 0; i < uebpf_program_insn_cnt(p); i++) {
		struct uebpf_line_info li;

		if (uebpf_program_line_info(p, i, &li))
			continue;
		CHECK_CONTAINS(li.file, "load.bpf.c");
		in_add |= strstr(li.line_text, "*v += step") != NULL;
		in_count |= strstr(li.line_text, "calls++") != NULL;
	}
	CHECK(in_add && in_count);
	CHECK_EQ(uebpf_program_line_info(p, 100000, &(struct uebpf_line_info){ 0 }), -ENOENT);
	CHECK_EQ(uebpf_object_load(obj), -EBUSY);

	/* A second object reuses the pinned map. */
	struct uebpf_object *again = open_obj(NULL);
	if (again) {
		only(again, "count", NULL);
		CHECK_REPORT(uebpf_object_load(again) == 0, "second load: %s", err);
		CHECK_EQ(run(again, "count"), 12);
		CHECK_EQ(slot(obj, 1), 12);
		uebpf_object_close(again);
	}

	/* ... unless its definition differs; the pin stays. */
	struct uebpf_object *other = open_obj(NULL);
	if (other) {
		only(other, "count", NULL);
		CHECK_EQ(uebpf_map_set_max_entries(uebpf_object_find_map(other, "shared_counts"), 8), 0);
		CHECK(uebpf_object_load(other) < 0);
		CHECK_CONTAINS(err, "map 'shared_counts': the map pinned at");
		CHECK_CONTAINS(err, "is not the one the object defines");
		CHECK_REPORT(access(path, F_OK) == 0, "%s unpinned by a failed load", path);
		uebpf_object_close(other);
	}
	uebpf_object_close(obj);
	unlink(path);
}

static void test_reachable_core_failure_refuses_the_program(void)
{
	struct uebpf_object *obj = open_obj(NULL);

	if (!obj)
		return;
	only(obj, "unguarded", NULL);
	CHECK(uebpf_object_load(obj) < 0);
	CHECK_CONTAINS(err, "program 'unguarded', instruction");
	CHECK_CONTAINS(err, "load.bpf.c:");
	CHECK_CONTAINS(err, "not_a_field");
	CHECK(uebpf_program_fd(uebpf_object_find_program(obj, "unguarded")) < 0);
	uebpf_object_close(obj);
}

static void test_failed_load_releases_and_unpins(void)
{
	char dir[] = "/tmp/uebpf-load-test-root-XXXXXX", path[256];
	struct uebpf_object *obj;

	if (!mkdtemp(dir)) {
		CHECK_REPORT(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	obj = open_obj(dir);
	if (obj) {
		/* The maps are created and pinned before the untyped
		 * program is refused. */
		only(obj, "count", "untyped");
		CHECK(uebpf_object_load(obj) < 0);
		CHECK_CONTAINS(err, "program 'untyped': section 'unknown_section'");
		snprintf(path, sizeof(path), "%s/shared_counts", dir);
		CHECK_REPORT(access(path, F_OK) != 0, "%s still pinned after a failed load", path);
		CHECK(uebpf_program_fd(uebpf_object_find_program(obj, "count")) < 0);
		CHECK(uebpf_map_fd(uebpf_object_find_map(obj, "shared_counts")) < 0);
		CHECK_EQ(uebpf_object_load(obj), -EBUSY);
		uebpf_object_close(obj);
	}
	rmdir(dir);
}

int main(void)
{
	if (!mkdtemp(pin_dir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	RUN(test_programs_run_with_subprograms_maps_and_global_data);
	RUN(test_reachable_core_failure_refuses_the_program);
	RUN(test_failed_load_releases_and_unpins);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pin_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", pin_dir);
	return check_summary("object_load_test");
}
