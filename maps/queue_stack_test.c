/* SPDX-License-Identifier: MIT */
/*
 * Queues and stacks: FIFO and LIFO order, BPF_EXIST dropping the oldest
 * value when full, the ring wrapping around many times (against a model),
 * the errno of each refusal, threads and two processes pushing and popping
 * one map without losing or duplicating a value, a scribbled index, and
 * push/pop/peek from programs.
 *
 *   queue_stack_test [OPS-PER-WORKER]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps/map.h"
#include "uebpf/uebpf.h"
#include "tests/check.h"

static char pin_dir[128];

static int create(uint32_t type, uint32_t vs, uint32_t max, uint32_t flags)
{
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
	return uebpf_map_create(type, "qs", 0, vs, max, &opts);
}

static int push(int fd, uint64_t v, uint64_t flags)
{
	return uebpf_map_update_elem(fd, NULL, &v, flags);
}

/* Pops a u64; returns it, or a negative errno. */
static int64_t pop(int fd)
{
	uint64_t v = 0;
	int rc = uebpf_map_lookup_and_delete_elem(fd, NULL, &v);
	return rc ? rc : (int64_t)v;
}

static int64_t peek(int fd)
{
	uint64_t v = 0;
	int rc = uebpf_map_lookup_elem(fd, NULL, &v);
	return rc ? rc : (int64_t)v;
}

static void test_queue_is_fifo_and_stack_is_lifo(void)
{
	int q = create(BPF_MAP_TYPE_QUEUE, 8, 4, 0), s = create(BPF_MAP_TYPE_STACK, 8, 4, 0);
	CHECK(q >= 0 && s >= 0);
	for (uint64_t v = 1; v <= 4; v++) {
		CHECK_EQ(push(q, v, BPF_ANY), 0);
		CHECK_EQ(push(s, v, BPF_ANY), 0);
	}
	CHECK_EQ(peek(q), 1);
	CHECK_EQ(peek(s), 4);
	for (int64_t v = 1; v <= 4; v++) {
		CHECK_EQ(pop(q), v);
		CHECK_EQ(pop(s), 5 - v);
	}
	CHECK_EQ(pop(q), -ENOENT);
	CHECK_EQ(pop(s), -ENOENT);
	CHECK_EQ(peek(q), -ENOENT);
	CHECK_EQ(peek(s), -ENOENT);
	uebpf_map_close(q);
	uebpf_map_close(s);
}

/* Full: E2BIG without a flag; BPF_EXIST drops the oldest (a queue's
 * head, a stack's bottom) and pushes. */
static void test_exist_overwrites_the_oldest_when_full(void)
{
	int q = create(BPF_MAP_TYPE_QUEUE, 8, 3, 0), s = create(BPF_MAP_TYPE_STACK, 8, 3, 0);
	for (uint64_t v = 1; v <= 3; v++) {
		CHECK_EQ(push(q, v, BPF_EXIST), 0); /* not full: a plain push */
		CHECK_EQ(push(s, v, BPF_EXIST), 0);
	}
	CHECK_EQ(push(q, 9, BPF_ANY), -E2BIG);
	CHECK_EQ(push(s, 9, BPF_ANY), -E2BIG);
	CHECK_EQ(push(q, 4, BPF_EXIST), 0);
	CHECK_EQ(push(s, 4, BPF_EXIST), 0);
	CHECK_EQ(push(q, 5, BPF_EXIST), 0);
	CHECK_EQ(push(s, 5, BPF_EXIST), 0);
	CHECK_EQ(pop(q), 3);
	CHECK_EQ(pop(q), 4);
	CHECK_EQ(pop(q), 5);
	CHECK_EQ(pop(q), -ENOENT);
	CHECK_EQ(pop(s), 5);
	CHECK_EQ(pop(s), 4);
	CHECK_EQ(pop(s), 3);
	CHECK_EQ(pop(s), -ENOENT);
	uebpf_map_close(q);
	uebpf_map_close(s);
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Random pushes (plain and BPF_EXIST), pops and peeks against a model,
 * long enough for the ring to wrap thousands of times; an odd value size
 * checks that slots do not overlap. */
static void wrap_against_model(uint32_t type, uint32_t max)
{
	enum { VS = 13, OPS = 200000 };
	int fd = create(type, VS, max, 0);
	uint64_t *model = calloc(max, sizeof(*model)); /* oldest first */
	uint32_t n = 0;
	uint64_t pushed = 0;
	int bad = 0;
	for (int i = 0; i < OPS && !bad; i++) {
		uint64_t r = next_rand();
		uint8_t in[VS], out[VS];
		memset(out, 0xee, VS);
		unsigned op = (unsigned)(r % 100);
		/* Phases of mostly pushing and mostly popping. */
		unsigned push_pct = (i / 1000) % 2 ? 70 : 30;
		if (op < push_pct) {
			uint64_t v = ++pushed;
			uint64_t flags = r >> 32 & 1 ? BPF_EXIST : BPF_ANY;
			memcpy(in, &v, 8);
			memset(in + 8, (int)(v & 0xff), VS - 8);
			int rc = uebpf_map_update_elem(fd, NULL, in, flags);
			if (n == max && flags == BPF_ANY) {
				bad |= rc != -E2BIG;
				continue;
			}
			bad |= rc != 0;
			if (n == max) { /* the oldest goes */
				memmove(model, model + 1, (max - 1) * sizeof(*model));
				n--;
			}
			model[n++] = v;
		} else {
			int take = op < 90;
			int rc = take ? uebpf_map_lookup_and_delete_elem(fd, NULL, out)
				      : uebpf_map_lookup_elem(fd, NULL, out);
			if (!n) {
				bad |= rc != -ENOENT || out[0] != 0xee;
				continue;
			}
			uint64_t want = type == BPF_MAP_TYPE_QUEUE ? model[0] : model[n - 1], got;
			memcpy(&got, out, 8);
			bad |= rc != 0 || got != want || out[VS - 1] != (uint8_t)want;
			if (take && type == BPF_MAP_TYPE_QUEUE)
				memmove(model, model + 1, (n - 1) * sizeof(*model));
			n -= take;
		}
		if (bad)
			CHECK_REPORT(0, "%s max %u: op %d (%u) differs from the model",
				     type == BPF_MAP_TYPE_QUEUE ? "queue" : "stack", max, i, op);
	}
	/* Far more values went through than the ring holds: it wrapped. */
	CHECK(pushed > 1000 * (uint64_t)max);
	free(model);
	uebpf_map_close(fd);
}

static void test_wraparound_many_times(void)
{
	static const uint32_t maxes[] = { 1, 2, 5, 64 };
	for (unsigned i = 0; i < 4; i++) {
		wrap_against_model(BPF_MAP_TYPE_QUEUE, maxes[i]);
		wrap_against_model(BPF_MAP_TYPE_STACK, maxes[i]);
	}
}

static void test_refusals(void)
{
	struct uebpf_map_create_opts opts = { .sz = sizeof(opts) };
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 4, 8, 4, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 0, 0, 4, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_STACK, "q", 0, 8, 0, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_STACK, "q", 0, (4u << 20) + 1, 4, NULL), -E2BIG);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_STACK, "q", 4, (4u << 20) + 1, 4, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 0, 4u << 20, 1u << 20, NULL), -ENOMEM);
	static const uint32_t bad_flags[] = { BPF_F_NO_PREALLOC, BPF_F_ZERO_SEED, BPF_F_MMAPABLE,
					      BPF_F_INNER_MAP, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG };
	for (unsigned i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		opts.map_flags = bad_flags[i];
		CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 0, 8, 4, &opts), -EINVAL);
	}
	opts.map_flags = 0;
	opts.map_extra = 1;
	CHECK_EQ(uebpf_map_create(BPF_MAP_TYPE_QUEUE, "q", 0, 8, 4, &opts), -EINVAL);
	opts.map_extra = 0;
	opts.map_flags = BPF_F_NUMA_NODE | BPF_F_RDONLY_PROG;
	int fd = uebpf_map_create(BPF_MAP_TYPE_STACK, "q", 0, 8, 4, &opts);
	CHECK(fd >= 0);
	uebpf_map_close(fd);

	fd = create(BPF_MAP_TYPE_QUEUE, 8, 2, 0);
	uint32_t key = 0;
	uint64_t v = 7, out = 0x1234;
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_NOEXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_EXIST | BPF_NOEXIST), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_F_LOCK), -EINVAL);
	CHECK_EQ(uebpf_map_update_elem(fd, &key, &v, BPF_ANY), -EINVAL);
	CHECK_EQ(uebpf_map_delete_elem(fd, NULL), -EINVAL);
	CHECK_EQ(uebpf_map_get_next_key(fd, NULL, &key), -EINVAL);
	CHECK_EQ(uebpf_map_lookup_elem_flags(fd, NULL, &out, BPF_F_LOCK), -EINVAL);
	/* Empty: ENOENT, and the buffer is left as it was. */
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, NULL, &out), -ENOENT);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &out), -ENOENT);
	CHECK_EQ(out, 0x1234);

	/* Frozen: no push or pop from user space; peek still works. */
	CHECK_EQ(push(fd, 7, 0), 0);
	CHECK_EQ(uebpf_map_freeze(fd), 0);
	CHECK_EQ(push(fd, 8, 0), -EPERM);
	CHECK_EQ(pop(fd), -EPERM);
	CHECK_EQ(peek(fd), 7);
	CHECK_EQ(uebpf_map_freeze(fd), -EPERM);
	uebpf_map_close(fd);
}

/* max_entries 0xffffffff: the kernel's ring size (max_entries + 1, in
 * 32 bits) is 0, and its map is then always full and always empty (seen
 * on Linux 6.18 through bpf()). The slots are never touched here, so the
 * sparse 4 GiB segment costs nothing. */
static void test_largest_max_entries_quirk(void)
{
	int fd = create(BPF_MAP_TYPE_QUEUE, 1, 0xffffffffu, 0);
	CHECK(fd >= 0);
	uint8_t v = 5;
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_ANY), -E2BIG);
	CHECK_EQ(uebpf_map_update_elem(fd, NULL, &v, BPF_EXIST), 0);
	CHECK_EQ(uebpf_map_lookup_elem(fd, NULL, &v), -ENOENT);
	CHECK_EQ(uebpf_map_lookup_and_delete_elem(fd, NULL, &v), -ENOENT);
	uebpf_map_close(fd);
}

/* Another process scribbles on the ring's indices: the ring is emptied,
 * nothing outside it is touched, and it works again. */
static void test_scribbled_indices(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/scribbled", pin_dir);
	int fd = create(BPF_MAP_TYPE_STACK, 8, 4, 0);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	CHECK_EQ(push(fd, 1, 0), 0);
	int file = open(path, O_RDWR);
	CHECK(file >= 0);
	uint8_t *seg = mmap(NULL, MAP_HDR_SIZE + 64, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	CHECK(seg != MAP_FAILED);
	if (seg != MAP_FAILED) {
		const struct map_hdr *hdr = (const struct map_hdr *)seg;
		uint32_t *indices = (uint32_t *)(seg + hdr->data_off + 4); /* head, tail */
		indices[0] = 0x7fffffff;
		CHECK_EQ(pop(fd), -ENOENT);
		CHECK_EQ(push(fd, 2, 0), 0);
		CHECK_EQ(pop(fd), 2);
		indices[1] = 5; /* one past the last slot */
		CHECK_EQ(peek(fd), -ENOENT);
		CHECK_EQ(push(fd, 3, 0), 0);
		CHECK_EQ(peek(fd), 3);
		munmap(seg, MAP_HDR_SIZE + 64);
	}
	if (file >= 0)
		close(file);
	unlink(path);
	uebpf_map_close(fd);
}

/* ---- several pushers and poppers at once ---- */

#define WORKERS 4
#define CAPACITY 8 /* small: full and empty happen all the time */

static int ops = 50000;

/* Shared with child processes: workers waiting to start together, and
 * how often each value (worker << 32 | sequence) was popped. */
static struct shared {
	_Atomic int ready;
	_Atomic uint8_t popped[];
} *shared;

static void start_together(void)
{
	atomic_fetch_add(&shared->ready, 1);
	while (atomic_load(&shared->ready) < WORKERS)
		sched_yield();
}

static int record(uint32_t type, uint64_t v, uint32_t *last_seen)
{
	uint32_t w = (uint32_t)(v >> 32), i = (uint32_t)v;
	if (w >= WORKERS || i >= (uint32_t)ops)
		return -1;
	atomic_fetch_add(&shared->popped[w * (size_t)ops + i], 1);
	/* One worker's values leave a queue in the order it pushed them. */
	if (type == BPF_MAP_TYPE_QUEUE && last_seen) {
		if (i + 1 <= last_seen[w])
			return -1;
		last_seen[w] = i + 1;
	}
	return 0;
}

struct worker {
	int fd;
	uint32_t type, id;
	int errors;
};

/* Pushes its own values (popping one when the map is full) and pops
 * about as often. */
static void *work(void *p)
{
	struct worker *w = p;
	uint32_t last_seen[WORKERS] = { 0 };
	uint64_t rs = 0x9e3779b9u + w->id;
	start_together();
	for (uint32_t i = 0; i < (uint32_t)ops && !w->errors;) {
		rs ^= rs << 13;
		rs ^= rs >> 7;
		rs ^= rs << 17;
		uint64_t v;
		int rc;
		if (rs % 2) {
			rc = push(w->fd, (uint64_t)w->id << 32 | i, BPF_ANY);
			if (rc == 0) {
				i++;
				continue;
			}
			if (rc != -E2BIG)
				w->errors++;
		}
		rc = uebpf_map_lookup_and_delete_elem(w->fd, NULL, &v);
		if (rc == 0)
			w->errors += record(w->type, v, last_seen) != 0;
		else if (rc != -ENOENT)
			w->errors++;
	}
	return NULL;
}

/* After the workers: what is left, then every value exactly once. */
static void check_all_popped_once(int fd, uint32_t type)
{
	int64_t v;
	while ((v = pop(fd)) >= 0)
		CHECK_EQ(record(type, (uint64_t)v, NULL), 0);
	CHECK_EQ(v, -ENOENT);
	size_t lost = 0, doubled = 0;
	for (size_t i = 0; i < (size_t)WORKERS * ops; i++) {
		lost += shared->popped[i] == 0;
		doubled += shared->popped[i] > 1;
	}
	CHECK_EQ(lost, 0);
	CHECK_EQ(doubled, 0);
}

static void test_threads_push_and_pop(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	for (int t = 0; t < 2; t++) {
		memset((void *)shared->popped, 0, (size_t)WORKERS * ops);
		atomic_store(&shared->ready, 0);
		int fd = create(types[t], 8, CAPACITY, 0);
		pthread_t th[WORKERS];
		struct worker w[WORKERS];
		for (uint32_t i = 0; i < WORKERS; i++) {
			w[i] = (struct worker){ fd, types[t], i, 0 };
			pthread_create(&th[i], NULL, work, &w[i]);
		}
		for (int i = 0; i < WORKERS; i++) {
			pthread_join(th[i], NULL);
			CHECK_EQ(w[i].errors, 0);
		}
		check_all_popped_once(fd, types[t]);
		uebpf_map_close(fd);
	}
}

/* Two processes (two workers each) on one pinned queue, and stack. */
static void test_two_processes_push_and_pop(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	char path[256];
	snprintf(path, sizeof(path), "%s/shared", pin_dir);
	for (int t = 0; t < 2; t++) {
		memset((void *)shared->popped, 0, (size_t)WORKERS * ops);
		atomic_store(&shared->ready, 0);
		int fd = create(types[t], 8, CAPACITY, 0);
		CHECK_EQ(uebpf_obj_pin(fd, path), 0);
		pid_t pids[2];
		for (int p = 0; p < 2; p++) {
			pids[p] = fork();
			if (pids[p] == 0) {
				int cfd = uebpf_obj_get(path);
				if (cfd < 0)
					_exit(2);
				pthread_t th;
				struct worker a = { cfd, types[t], 2 * (uint32_t)p, 0 };
				struct worker b = { cfd, types[t], 2 * (uint32_t)p + 1, 0 };
				pthread_create(&th, NULL, work, &a);
				work(&b);
				pthread_join(th, NULL);
				_exit(a.errors || b.errors ? 1 : 0);
			}
		}
		for (int p = 0; p < 2; p++) {
			int status = -1;
			waitpid(pids[p], &status, 0);
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		check_all_popped_once(fd, types[t]);
		unlink(path);
		uebpf_map_close(fd);
	}
}

/* ---- from programs ---- */

static struct uebpf_vm *vm;
static char err[300];

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

/* Runs a program with r1 = arg; its r0 as a signed number. */
static int64_t run(struct uebpf_code *code, uint64_t arg, int checked)
{
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = checked,
				    .err_buf = err, .err_size = sizeof(err) };
	uint64_t r0 = 0xdead;
	if (!code || uebpf_code_run(code, arg, 0, &o, &r0)) {
		CHECK_REPORT(0, "run: %s", err);
		return INT64_MIN;
	}
	return (int64_t)r0;
}

/* push(r1 as the value, flags): returns the helper's result. */
static const char push_prog[] =
	"*(u64 *)(r10 - 8) = r1\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"r3 = %d\n"
	"call bpf_map_push_elem\n"
	"exit\n";

/* pop or peek: the value, or the helper's (negative) error. */
static const char get_prog[] =
	"*(u64 *)(r10 - 8) = 0\n"
	"r1 = map[fd:%d]\n"
	"r2 = r10\n"
	"r2 += -8\n"
	"call %s\n"
	"if r0 != 0 goto out\n"
	"r0 = *(u64 *)(r10 - 8)\n"
	"out:\n"
	"exit\n";

static void test_programs_push_pop_and_peek(void)
{
	static const uint32_t types[] = { BPF_MAP_TYPE_QUEUE, BPF_MAP_TYPE_STACK };
	for (int t = 0; t < 2; t++) {
		int queue = types[t] == BPF_MAP_TYPE_QUEUE;
		int fd = create(types[t], 8, 3, 0);
		struct uebpf_code *push_any = load(push_prog, fd, BPF_ANY);
		struct uebpf_code *push_exist = load(push_prog, fd, BPF_EXIST);
		struct uebpf_code *push_noexist = load(push_prog, fd, BPF_NOEXIST);
		struct uebpf_code *push_lock = load(push_prog, fd, BPF_F_LOCK);
		struct uebpf_code *pop_code = load(get_prog, fd, "bpf_map_pop_elem");
		struct uebpf_code *peek_code = load(get_prog, fd, "bpf_map_peek_elem");
		for (int checked = 0; checked < 2; checked++) {
			CHECK_EQ(run(pop_code, 0, checked), -ENOENT);
			CHECK_EQ(run(peek_code, 0, checked), -ENOENT);
			CHECK_EQ(run(push_noexist, 1, checked), -EINVAL);
			CHECK_EQ(run(push_lock, 1, checked), -EINVAL);
			for (uint64_t v = 1; v <= 3; v++)
				CHECK_EQ(run(push_any, v, checked), 0);
			CHECK_EQ(run(push_any, 4, checked), -E2BIG);
			CHECK_EQ(run(push_exist, 4, checked), 0); /* 1 goes */
			CHECK_EQ(run(peek_code, 0, checked), queue ? 2 : 4);
			/* What programs pushed, user space pops, and back. */
			CHECK_EQ(pop(fd), queue ? 2 : 4);
			CHECK_EQ(push(fd, 5, 0), 0);
			CHECK_EQ(run(pop_code, 0, checked), queue ? 3 : 5);
			CHECK_EQ(run(pop_code, 0, checked), queue ? 4 : 3);
			CHECK_EQ(run(pop_code, 0, checked), queue ? 5 : 2);
			CHECK_EQ(run(pop_code, 0, checked), -ENOENT);
		}
		/* A frozen map is read-only for user space only. */
		CHECK_EQ(uebpf_map_freeze(fd), 0);
		CHECK_EQ(run(push_any, 6, 1), 0);
		CHECK_EQ(push(fd, 7, 0), -EPERM);
		CHECK_EQ(run(pop_code, 0, 1), 6);
		uebpf_code_free(push_any);
		uebpf_code_free(push_exist);
		uebpf_code_free(push_noexist);
		uebpf_code_free(push_lock);
		uebpf_code_free(pop_code);
		uebpf_code_free(peek_code);
		uebpf_map_close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		ops = atoi(argv[1]);
	snprintf(pin_dir, sizeof(pin_dir), "/tmp/uebpf-queue-stack-test-%d", (int)getpid());
	setenv(UEBPF_PIN_DIR_ENV, pin_dir, 1);
	shared = mmap(NULL, sizeof(*shared) + (size_t)WORKERS * ops, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	vm = uebpf_vm_new();
	CHECK_EQ(uebpf_vm_add_kernel_helpers(vm), 0);
	RUN(test_queue_is_fifo_and_stack_is_lifo);
	RUN(test_exist_overwrites_the_oldest_when_full);
	RUN(test_wraparound_many_times);
	RUN(test_refusals);
	RUN(test_largest_max_entries_quirk);
	RUN(test_scribbled_indices);
	RUN(test_threads_push_and_pop);
	RUN(test_two_processes_push_and_pop);
	RUN(test_programs_push_pop_and_peek);
	uebpf_vm_free(vm);
	rmdir(pin_dir);
	return check_summary("queue_stack_test");
}
