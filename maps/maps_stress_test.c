/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: threads (and then two processes on one pinned map) update,
 * delete, look up and iterate one hash map at once. Each worker owns a key
 * range and keeps a model of it: its own keys must always read back as
 * the model says, whatever the others do; iteration must end and never
 * report more than max_entries keys.
 *
 *   maps_stress_test [OPS-PER-WORKER]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uebpf/maps.h"
#include "tests/check.h"

#define WORKERS 4
#define KEYS 100      /* per worker */
#define MAX_ENTRIES 300 /* fewer than all keys: E2BIG happens under contention */

struct worker {
	int fd;
	int id;
	int ops;
	int errors;
	char what[200];
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *work(void *p)
{
	struct worker *w = p;
	uint64_t model[KEYS] = { 0 }; /* 0 = absent, else the value */
	uint64_t rs = 0x1234567 + (uint64_t)w->id * 7919;
	for (int i = 0; i < w->ops && !w->errors; i++) {
		uint64_t r = next_rand(&rs);
		uint32_t slot = (uint32_t)(r % KEYS);
		uint64_t key = (uint64_t)w->id << 32 | slot, value = 0;
		int rc;
		switch ((r >> 16) % 5) {
		case 0: case 1: { /* insert or update */
			uint64_t v = (r >> 20) | 1;
			rc = uebpf_map_update_elem(w->fd, &key, &v, BPF_ANY);
			if (rc == 0)
				model[slot] = v;
			else if (rc != -E2BIG || model[slot])
				goto bad;
			break;
		}
		case 2:
			rc = uebpf_map_delete_elem(w->fd, &key);
			if (rc != (model[slot] ? 0 : -ENOENT))
				goto bad;
			model[slot] = 0;
			break;
		case 3:
			rc = uebpf_map_lookup_elem(w->fd, &key, &value);
			if (model[slot] ? rc != 0 || value != model[slot] : rc != -ENOENT)
				goto bad;
			break;
		default: { /* iterate the whole map */
			uint64_t k, prev;
			int n = 0;
			const void *pk = NULL;
			while (uebpf_map_get_next_key(w->fd, pk, &k) == 0) {
				prev = k;
				pk = &prev;
				/* Keys move under us: an iteration restarts when its key
				 * is deleted, so bound it generously, not exactly. */
				if (++n > 100 * MAX_ENTRIES) {
					rc = -ELOOP;
					goto bad;
				}
			}
			break;
		}
		}
		continue;
bad:
		snprintf(w->what, sizeof(w->what), "worker %d op %d key %u: rc %d, model %llu, read %llu",
			 w->id, i, slot, rc, (unsigned long long)model[slot], (unsigned long long)value);
		w->errors++;
	}
	return NULL;
}

static int run_workers(int fd, int first_id, int ops)
{
	pthread_t t[WORKERS];
	struct worker w[WORKERS];
	int errors = 0;
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .fd = fd, .id = first_id + i, .ops = ops };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], NULL);
		if (w[i].errors) {
			printf("%s\n", w[i].what);
			errors++;
		}
	}
	return errors;
}

static int ops = 20000;

static void test_threads_on_one_map(void)
{
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, "stress", 8, 8, MAX_ENTRIES, NULL);
	CHECK_EQ(run_workers(fd, 0, ops), 0);
	uebpf_map_close(fd);
}

static void test_two_processes_on_one_pinned_map(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/stress", getenv(UEBPF_PIN_DIR_ENV));
	int fd = uebpf_map_create(BPF_MAP_TYPE_HASH, "stress", 8, 8, MAX_ENTRIES, NULL);
	CHECK_EQ(uebpf_obj_pin(fd, path), 0);
	pid_t pids[2];
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			int cfd = uebpf_obj_get(path);
			_exit(cfd < 0 || run_workers(cfd, 10 + p * WORKERS, ops) ? 1 : 0);
		}
	}
	for (int p = 0; p < 2; p++) {
		int status;
		waitpid(pids[p], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	unlink(path);
	uebpf_map_close(fd);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		ops = atoi(argv[1]);
	char dir[128]; /* a private pin directory */
	snprintf(dir, sizeof(dir), "/tmp/uebpf-stress-%d", (int)getpid());
	setenv(UEBPF_PIN_DIR_ENV, dir, 1);
	RUN(test_threads_on_one_map);
	RUN(test_two_processes_on_one_pinned_map);
	rmdir(dir);
	return check_summary("maps_stress_test");
}
