/* SPDX-License-Identifier: MIT */
/*
 * Device maps against the kernel: the same seeded random sequences on a
 * kernel DEVMAP / DEVMAP_HASH (bpf()) and on a uebpf one. Creation
 * attributes are random (wrong ones must be refused alike; the flags
 * get_info reports must agree, BPF_F_RDONLY_PROG included); then random
 * updates (ifindexes of this namespace's devices, 0, ones that do not
 * exist; program fds of every kind; random flags), lookups (the values
 * must agree), deletes, get_next_key (the hash's walk order included),
 * lookup_and_delete, batches, NULL keys and freeze must give the same
 * results at every step, and the final contents must agree. A program
 * (BPF_PROG_TEST_RUN in the kernel) reads entries through
 * bpf_map_lookup_elem now and then: what it sees must agree too.
 *
 *   devmap_kernel_diff_test [SEQUENCES [SEED]]
 *
 * Without a seed, several seeds run. Skips (exit 77) where bpf() is not
 * permitted.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "tests/kernel/rng.h"
#include "uebpf/uebpf.h"

struct shape {
	uint32_t type, key_size, value_size, max_entries, flags;
	uint64_t map_extra;
};

static int k_create(const struct shape *s)
{
	return kernel_map_create(s->type, s->key_size, s->value_size, s->max_entries, s->flags,
				 s->map_extra, 0);
}

static int u_create(const struct shape *s)
{
	struct uebpf_map_create_opts o = { .sz = sizeof(o), .map_flags = s->flags,
					   .map_extra = s->map_extra };
	return uebpf_map_create(s->type, "devdiff", s->key_size, s->value_size, s->max_entries,
				&o);
}

static int k_batch(int cmd, int fd, void *keys, void *values, uint32_t *count)
{
	uint64_t token = 0;
	return kernel_map_batch(cmd, fd, NULL, &token, keys, values, count, 0);
}

static int u_batch(int cmd, int fd, void *keys, void *values, uint32_t *count)
{
	uint64_t token = 0;
	switch (cmd) {
	case BPF_MAP_LOOKUP_BATCH:
		return uebpf_map_lookup_batch(fd, NULL, &token, keys, values, count, NULL);
	case BPF_MAP_LOOKUP_AND_DELETE_BATCH:
		return uebpf_map_lookup_and_delete_batch(fd, NULL, &token, keys, values, count,
							 NULL);
	case BPF_MAP_UPDATE_BATCH:
		return uebpf_map_update_batch(fd, keys, values, count, NULL);
	default:
		return uebpf_map_delete_batch(fd, keys, count, NULL);
	}
}

static int k_flags(int fd, uint32_t *flags)
{
	struct bpf_map_info info;
	int rc = kernel_map_info(fd, &info);
	*flags = info.map_flags;
	return rc;
}

/* ---- outcomes seen ---- */

static struct {
	const char *what;
	int rc;
	unsigned n;
} seen[64];

static void count(const char *what, int rc)
{
	for (unsigned i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		if (!seen[i].what) {
			seen[i].what = what;
			seen[i].rc = rc;
		}
		if (seen[i].rc == rc && !strcmp(seen[i].what, what)) {
			seen[i].n++;
			return;
		}
	}
}

/* ---- programs: r0 = the ifindex of args' key, 1000 when absent ---- */

static const char prog_text[] =
	"  *(u32 *)(r10 - 4) = 0\n"
	"  r1 = map[fd:%d]\n"
	"  r2 = r10\n"
	"  r2 += -4\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto fail\n"
	"  r2 = r0\n"
	"  r1 = map[fd:%d]\n"
	"  call bpf_map_lookup_elem\n"
	"  if r0 == 0 goto none\n"
	"  r0 = *(u32 *)(r0 + 0)\n"
	"  exit\n"
	"none:\n"
	"  r0 = 1000\n"
	"  exit\n"
	"fail:\n"
	"  r0 = 9999\n"
	"  exit\n";

static struct uebpf_vm *vm;
static char errbuf[512];
static char vlog[1 << 16];

struct progs {
	int kargs, uargs, kprog;
	struct uebpf_code *code;
};

static void progs_open(struct progs *p, int kfd, int ufd)
{
	struct shape args = { BPF_MAP_TYPE_ARRAY, 4, 4, 1, 0, 0 };
	char text[1024];
	struct uebpf_insn *insns;
	size_t cnt;
	struct uebpf_asm_opts ao = { .sz = sizeof(ao), .err_buf = errbuf, .err_size = sizeof(errbuf) };
	p->kargs = k_create(&args);
	p->uargs = u_create(&args);
	p->kprog = -1;
	p->code = NULL;
	snprintf(text, sizeof(text), prog_text, p->kargs, kfd);
	if (uebpf_asm(text, &insns, &cnt, &ao) == 0) {
		p->kprog = kernel_prog_load(BPF_PROG_TYPE_XDP, insns, cnt, vlog, sizeof(vlog), 1);
		free(insns);
	}
	snprintf(text, sizeof(text), prog_text, p->uargs, ufd);
	if (uebpf_asm(text, &insns, &cnt, &ao) == 0) {
		struct uebpf_code_opts lo = { .sz = sizeof(lo), .err_buf = errbuf,
					      .err_size = sizeof(errbuf) };
		uebpf_code_load(vm, insns, cnt, &lo, &p->code);
		free(insns);
	}
}

static void progs_close(struct progs *p)
{
	if (p->kprog >= 0)
		close(p->kprog);
	uebpf_code_free(p->code);
	close(p->kargs);
	uebpf_map_close(p->uargs);
}

static int run_both(struct progs *p, uint32_t key, int32_t *kr0, int32_t *ur0)
{
	uint8_t pkt[64] = { 0 };
	uint32_t zero = 0;
	union bpf_attr attr;
	if (kernel_map_elem(BPF_MAP_UPDATE_ELEM, p->kargs, &zero, &key, 0) ||
	    uebpf_map_update_elem(p->uargs, &zero, &key, 0))
		return -1;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)p->kprog;
	attr.test.data_in = (uintptr_t)pkt;
	attr.test.data_size_in = sizeof(pkt);
	attr.test.repeat = 1;
	if (kernel_bpf(BPF_PROG_TEST_RUN, &attr) < 0)
		return -1;
	*kr0 = (int32_t)attr.test.retval;
	uint64_t r0 = 0;
	struct uebpf_run_opts o = { .sz = sizeof(o), .checked = (int)below(2),
				    .err_buf = errbuf, .err_size = sizeof(errbuf) };
	if (uebpf_code_run(p->code, (uintptr_t)pkt, sizeof(pkt), &o, &r0))
		return -1;
	*ur0 = (int32_t)r0;
	return 0;
}

/* ---- one sequence ---- */

static int devnull = -1;
static unsigned long long compared[2], refused_alike, prog_runs;

static uint32_t random_key(const struct shape *s)
{
	unsigned r = below(20);
	if (r == 0)
		return (uint32_t)rnd();
	if (r == 1)
		return 0xffffffffu - below(3);
	return below(s->max_entries * 2 + 4);
}

/* Devices: this namespace's first few (those that exist), none (0), ones
 * that do not exist, negative as an int. */
static uint32_t random_ifindex(void)
{
	static const uint32_t odd[] = { 0, 0, 0x7ffffff0, 0x80000001, 0xffffffff, 1000 };
	return below(3) ? 1 + below(6) : odd[below(6)];
}

static int32_t random_prog_fd(void)
{
	unsigned r = below(10);
	return r < 6 ? 0 : r == 6 ? -1 - (int32_t)below(5) : r == 7 ? 999 : r == 8 ? devnull : 1;
}

static int report_fail(int seq, const struct shape *s, int step, const char *what, int krc,
		       int urc, const char *detail)
{
	CHECK_REPORT(0, "sequence %d (%s value %u max %u flags 0x%x), step %d %s: kernel %d, "
		     "uebpf %d%s", seq, s->type == BPF_MAP_TYPE_DEVMAP ? "devmap" : "devmap_hash",
		     s->value_size, s->max_entries, s->flags, step, what, krc, urc, detail);
	return -1;
}

static int run_sequence(int seq, const struct shape *s, int kfd, int ufd, int steps)
{
	uint32_t vs = s->value_size;
	int frozen_at = below(12) == 0 ? (int)below((unsigned)steps) : -1;
	struct progs p = { .kprog = -1 };
	int use_progs = below(4) == 0;
	if (use_progs)
		progs_open(&p, kfd, ufd);
	if (use_progs && (p.kprog < 0) != (p.code == NULL)) {
		CHECK_REPORT(0, "sequence %d: program loads: kernel %d (%s), uebpf %s", seq, p.kprog,
			     vlog, p.code ? "ok" : errbuf);
		progs_close(&p);
		return -1;
	}
	use_progs = use_progs && p.kprog >= 0;

	for (int step = 0; step < steps; step++) {
		const char *what;
		int krc, urc, differ = 0;
		uint32_t key = random_key(s);
		uint8_t kv[16], uv[16];
		memset(kv, 0x5a, sizeof(kv));
		memset(uv, 0x5a, sizeof(uv));
		unsigned op = below(100);
		if (step == frozen_at) {
			what = "freeze";
			krc = kernel_map_freeze(kfd);
			urc = uebpf_map_freeze(ufd);
		} else if (op < 45) {
			static const uint64_t flags[] = { BPF_ANY, BPF_ANY, BPF_ANY, BPF_NOEXIST,
							  BPF_EXIST, BPF_EXIST, 3, BPF_F_LOCK, 8 };
			uint64_t f = flags[below(sizeof(flags) / sizeof(flags[0]))];
			struct { uint32_t ifindex; int32_t prog; } v = { random_ifindex(),
									 random_prog_fd() };
			what = "update";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, &key, &v, f);
			urc = uebpf_map_update_elem(ufd, &key, &v, f);
		} else if (op < 65) {
			what = "lookup";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &key, kv, 0);
			urc = uebpf_map_lookup_elem(ufd, &key, uv);
			differ = memcmp(kv, uv, sizeof(kv)) != 0; /* nothing past the value either */
		} else if (op < 77) {
			what = "delete";
			krc = kernel_map_elem(BPF_MAP_DELETE_ELEM, kfd, &key, NULL, 0);
			urc = uebpf_map_delete_elem(ufd, &key);
		} else if (op < 89) {
			const void *from = below(4) == 0 ? NULL : &key;
			uint32_t kn = 0x5a5a5a5a, un = 0x5a5a5a5a;
			what = "get_next_key";
			krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, from, &kn, 0);
			urc = uebpf_map_get_next_key(ufd, from, &un);
			differ = kn != un;
		} else if (op < 91) {
			what = "lookup_and_delete";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_AND_DELETE_ELEM, kfd, &key, kv, 0);
			urc = uebpf_map_lookup_and_delete_elem(ufd, &key, uv);
		} else if (op < 93) {
			static const int cmds[] = { BPF_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_AND_DELETE_BATCH,
						    BPF_MAP_UPDATE_BATCH, BPF_MAP_DELETE_BATCH };
			static const char *const names[] = { "lookup_batch", "lookup_and_delete_batch",
							     "update_batch", "delete_batch" };
			unsigned c = below(4);
			uint32_t keys[2] = { key, key + 1 }, vals[4] = { 1, 0, 1, 0 };
			uint32_t kc = 1 + below(2), uc = kc;
			what = names[c];
			krc = k_batch(cmds[c], kfd, keys, vals, &kc);
			urc = u_batch(cmds[c], ufd, keys, vals, &uc);
			differ = kc != uc;
		} else if (op < 95) {
			what = "lookup(NULL key)";
			krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, NULL, kv, 0);
			urc = uebpf_map_lookup_elem(ufd, NULL, uv);
		} else if (op < 97) {
			what = "update(NULL value)";
			krc = kernel_map_elem(BPF_MAP_UPDATE_ELEM, kfd, &key, NULL, 0);
			urc = uebpf_map_update_elem(ufd, &key, NULL, 0);
		} else {
			int32_t kr0 = 0, ur0 = 0;
			if (!use_progs)
				continue;
			what = "program lookup";
			krc = urc = run_both(&p, key, &kr0, &ur0);
			if (krc) {
				CHECK_REPORT(0, "sequence %d: program run failed (%s)", seq, errbuf);
				break;
			}
			prog_runs++;
			differ = kr0 != ur0;
		}
		count(what, krc);
		if (krc != urc || differ) {
			if (use_progs)
				progs_close(&p);
			return report_fail(seq, s, step, what, krc, urc,
					   differ ? " (different outputs)" : "");
		}
	}
	if (use_progs)
		progs_close(&p);

	/* The final contents: the walk, and every key around it. */
	uint32_t kcur = 0, ucur = 0, n = 0;
	for (;;) {
		int krc = kernel_map_elem(BPF_MAP_GET_NEXT_KEY, kfd, n ? &kcur : NULL, &kcur, 0);
		int urc = uebpf_map_get_next_key(ufd, n ? &ucur : NULL, &ucur);
		if (krc != urc || (krc == 0 && kcur != ucur))
			return report_fail(seq, s, steps, "final walk", krc, urc, "");
		if (krc || ++n > s->max_entries + 1)
			break;
		uint8_t kv[8] = { 0 }, uv[8] = { 0 };
		krc = kernel_map_elem(BPF_MAP_LOOKUP_ELEM, kfd, &kcur, kv, 0);
		urc = uebpf_map_lookup_elem(ufd, &ucur, uv);
		if (krc != urc || memcmp(kv, uv, vs))
			return report_fail(seq, s, steps, "final lookup", krc, urc, "");
	}
	return 0;
}

/* Random creation attributes, mostly valid. */
static struct shape random_shape(void)
{
	static const uint32_t good_flags[] = { BPF_F_RDONLY, BPF_F_WRONLY, BPF_F_NUMA_NODE };
	static const uint32_t bad_flags[] = { BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG,
					      BPF_F_NO_PREALLOC, BPF_F_MMAPABLE, BPF_F_ZERO_SEED,
					      BPF_F_INNER_MAP, BPF_F_NO_COMMON_LRU, 1u << 20 };
	struct shape s = { below(2) ? BPF_MAP_TYPE_DEVMAP : BPF_MAP_TYPE_DEVMAP_HASH, 4,
			   below(2) ? 4 : 8, 1 + below(12), 0, 0 };
	switch (below(30)) {
	case 0: s.value_size = below(2) ? 0 : 6 + 6 * below(2); break;
	case 1: s.key_size = below(2) ? 0 : 8; break;
	case 2: s.max_entries = 0; break;
	case 3: /* too many for the hash: EINVAL before any memory is taken
		 * (a huge array would take it: never tried) */
		if (s.type == BPF_MAP_TYPE_DEVMAP_HASH)
			s.max_entries = (1u << 31) + 1 + below(2);
		break;
	case 4: s.map_extra = 1; break;
	case 5: case 6: s.flags |= bad_flags[below(sizeof(bad_flags) / 4)]; break;
	case 7: s.flags |= BPF_F_RDONLY | BPF_F_WRONLY; break;
	case 8: s.max_entries = 1000 + below(5000); break;
	default: break;
	}
	if (below(5) == 0)
		s.flags |= good_flags[below(sizeof(good_flags) / 4)];
	return s;
}

int main(int argc, char **argv)
{
	int sequences = argc > 1 ? atoi(argv[1]) : 1200;
	static const uint64_t default_seeds[] = { 0xde7, 0x1f00, 0x7a5c };
	uint64_t seeds[3] = { default_seeds[0], default_seeds[1], default_seeds[2] };
	int nseeds = 3;
	if (argc > 2) {
		seeds[0] = strtoull(argv[2], NULL, 0);
		nseeds = 1;
	}
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	vm = uebpf_vm_new();
	uebpf_vm_add_kernel_helpers(vm);

	for (int si = 0; si < nseeds; si++)
		for (int seq = 0; seq < sequences; seq++) {
			rng_state = seeds[si] * 0x9e3779b97f4a7c15ull + (uint64_t)seq + 1;
			struct shape s = random_shape();
			int kfd = k_create(&s);
			if (kernel_bpf_refused(kfd)) {
				printf("SKIP: bpf(BPF_MAP_CREATE) is not permitted here (%s)\n",
				       strerror(-kfd));
				return KERNEL_TEST_SKIP;
			}
			int ufd = u_create(&s);
			check_current = "create";
			uint32_t kflags = 0, uflags = 0;
			struct uebpf_map_info info;
			if (kfd >= 0 && ufd >= 0 && k_flags(kfd, &kflags) == 0 &&
			    uebpf_map_get_info(ufd, &info) == 0)
				uflags = info.map_flags;
			CHECK_REPORT((kfd >= 0) == (ufd >= 0) && (kfd >= 0 || kfd == ufd) &&
					     kflags == uflags,
				     "seed 0x%" PRIx64 " sequence %d: create type %u key %u value %u max %u "
				     "flags 0x%x extra %" PRIu64 ": kernel %d (flags 0x%x), uebpf %d "
				     "(flags 0x%x)", seeds[si], seq, s.type, s.key_size, s.value_size,
				     s.max_entries, s.flags, s.map_extra, kfd >= 0 ? 0 : kfd, kflags,
				     ufd >= 0 ? 0 : ufd, uflags);
			if (kfd >= 0 && ufd >= 0) {
				check_current = "sequence";
				run_sequence(seq, &s, kfd, ufd, 200);
				compared[s.type == BPF_MAP_TYPE_DEVMAP_HASH]++;
			} else {
				refused_alike++;
			}
			if (kfd >= 0)
				close(kfd);
			if (ufd >= 0)
				uebpf_map_close(ufd);
		}
	printf("%llu devmap and %llu devmap_hash sequences compared with the kernel (%d seed%s), "
	       "%llu creations refused by both, %llu program runs\n", compared[0], compared[1],
	       nseeds, nseeds > 1 ? "s" : "", refused_alike, prog_runs);
	for (unsigned i = 0; i < sizeof(seen) / sizeof(seen[0]) && seen[i].what; i++)
		printf("  %-24s %4d (%s): %u\n", seen[i].what, seen[i].rc,
		       seen[i].rc == -524 ? "ENOTSUPP" : strerror(-seen[i].rc), seen[i].n);
	uebpf_vm_free(vm);
	close(devnull);
	return check_summary("devmap_kernel_diff_test");
}
