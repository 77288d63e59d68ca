/* SPDX-License-Identifier: MIT */
/*
 * Programs as BPF_PROG_LOAD makes them: the kernel's checks of the load
 * attributes with its errno for each, the decoder's structural checks,
 * preparation to run, the program tag and id, the program fd and the
 * record it publishes (see prog.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maps/fd_table.h"
#include "maps/map.h"
#include "object/prog.h"
#include "object/sec_def.h"
#include "object/sha256.h"
#include "uebpf/engine.h"
#include "uebpf/maps.h"
#include "verifier/verifier.h"

/* The kernel's "operation not supported" errno (not in libc). */
#define ENOTSUPP 524

/* The program types this kernel knows: up to netfilter (Linux 6.4 on). */
#define PROG_TYPE_COUNT (UEBPF_BPF_PROG_TYPE_NETFILTER + 1)

/* Load flags newer than the <linux/bpf.h> installed here. */
#define F_XDP_DEV_BOUND_ONLY (1u << 6)
#define F_TEST_REG_INVARIANTS (1u << 7)
#define F_TOKEN_FD (1u << 16)

/* The flags BPF_PROG_LOAD knows (anything else is EINVAL). */
#define PROG_FLAGS_KNOWN                                                          \
	(BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_RND_HI32 |     \
	 BPF_F_TEST_STATE_FREQ | BPF_F_SLEEPABLE | BPF_F_XDP_HAS_FRAGS |          \
	 F_XDP_DEV_BOUND_ONLY | F_TEST_REG_INVARIANTS | F_TOKEN_FD)

/* bpf_verifier_log's limits: BPF_LOG_LEVEL1 | LEVEL2 | STATS | FIXED, and
 * a size that fits in 30 bits. */
#define LOG_LEVEL_MASK 15u
#define LOG_SIZE_MAX (UINT32_MAX >> 2)

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)

/* One loaded program of this process. */
struct prog {
	int fd; /* the record's file */
	struct uebpf_code *code;
	struct uebpf_prog_info info;
	uint32_t expected_attach_type;
	uint32_t prog_flags;
	bool unverified; /* runs only in the checked interpreter */
	char *record_path; /* where it is published, or NULL */
};

/* ---- the fd registry: fd -> program, for this process ---- */

static struct fd_table prog_fds = FD_TABLE_INIT;

static struct prog *prog_from_fd(int fd)
{
	return fd_table_get(&prog_fds, fd);
}

static int registry_set(int fd, struct prog *prog)
{
	return fd_table_set(&prog_fds, fd, prog);
}

/* Not a program: EBADF for an fd that is not open, EINVAL for another
 * kind of file, as the kernel answers. */
static int not_a_prog(int fd)
{
	return fd < 0 || fcntl(fd, F_GETFD) < 0 ? -EBADF : -EINVAL;
}

/* ---- the helpers programs run with: one table per process ---- */

static struct uebpf_vm *shared_vm;
static pthread_once_t vm_once = PTHREAD_ONCE_INIT;

static void vm_create(void)
{
	struct uebpf_vm *vm = uebpf_vm_new();
	if (vm && uebpf_vm_add_kernel_helpers(vm)) {
		uebpf_vm_free(vm);
		vm = NULL;
	}
	shared_vm = vm;
	/* Program arrays take these programs by fd. */
	uebpf_set_prog_fd_lookup(uebpf_prog_code);
}

static struct uebpf_vm *vm_get(void)
{
	pthread_once(&vm_once, vm_create);
	return shared_vm;
}

/* ---- messages ---- */

struct log {
	char *buf;
	size_t size;
};

__attribute__((format(printf, 3, 4)))
static int log_error(const struct log *log, int err, const char *fmt, ...)
{
	if (log->buf && log->size) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(log->buf, log->size, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* ---- types, attach types, licenses, names ---- */

/* Types that need an expected attach type get a default where the kernel
 * gives one (bpf_prog_load_fixup_attach_type). */
static uint32_t fixup_attach_type(uint32_t type, uint32_t eat)
{
	if (eat)
		return eat;
	if (type == BPF_PROG_TYPE_CGROUP_SOCK)
		return BPF_CGROUP_INET_SOCK_CREATE;
	if (type == BPF_PROG_TYPE_SK_REUSEPORT)
		return BPF_SK_REUSEPORT_SELECT;
	return eat;
}

/* The expected attach types a type accepts (bpf_prog_load_check_attach);
 * types not listed take any. */
static bool attach_type_ok(uint32_t type, uint32_t eat)
{
	switch (type) {
	case BPF_PROG_TYPE_CGROUP_SOCK:
		return eat == BPF_CGROUP_INET_SOCK_CREATE || eat == BPF_CGROUP_INET_SOCK_RELEASE ||
		       eat == BPF_CGROUP_INET4_POST_BIND || eat == BPF_CGROUP_INET6_POST_BIND;
	case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
		switch (eat) {
		case BPF_CGROUP_INET4_BIND: case BPF_CGROUP_INET6_BIND:
		case BPF_CGROUP_INET4_CONNECT: case BPF_CGROUP_INET6_CONNECT:
		case UEBPF_BPF_CGROUP_UNIX_CONNECT:
		case BPF_CGROUP_INET4_GETPEERNAME: case BPF_CGROUP_INET6_GETPEERNAME:
		case UEBPF_BPF_CGROUP_UNIX_GETPEERNAME:
		case BPF_CGROUP_INET4_GETSOCKNAME: case BPF_CGROUP_INET6_GETSOCKNAME:
		case UEBPF_BPF_CGROUP_UNIX_GETSOCKNAME:
		case BPF_CGROUP_UDP4_SENDMSG: case BPF_CGROUP_UDP6_SENDMSG:
		case UEBPF_BPF_CGROUP_UNIX_SENDMSG:
		case BPF_CGROUP_UDP4_RECVMSG: case BPF_CGROUP_UDP6_RECVMSG:
		case UEBPF_BPF_CGROUP_UNIX_RECVMSG:
			return true;
		default:
			return false;
		}
	case BPF_PROG_TYPE_CGROUP_SKB:
		return eat == BPF_CGROUP_INET_INGRESS || eat == BPF_CGROUP_INET_EGRESS;
	case BPF_PROG_TYPE_CGROUP_SOCKOPT:
		return eat == BPF_CGROUP_SETSOCKOPT || eat == BPF_CGROUP_GETSOCKOPT;
	case BPF_PROG_TYPE_SK_LOOKUP:
		return eat == BPF_SK_LOOKUP;
	case BPF_PROG_TYPE_SK_REUSEPORT:
		return eat == BPF_SK_REUSEPORT_SELECT || eat == BPF_SK_REUSEPORT_SELECT_OR_MIGRATE;
	case UEBPF_BPF_PROG_TYPE_NETFILTER:
		return eat == UEBPF_BPF_NETFILTER;
	case BPF_PROG_TYPE_SYSCALL:
	case BPF_PROG_TYPE_EXT:
		return eat == 0;
	default:
		return true;
	}
}

/* The kernel's license_is_gpl_compatible, on what it copies of the
 * license (127 bytes). */
static bool gpl_compatible(const char *license)
{
	static const char *const gpl[] = {
		"GPL", "GPL v2", "GPL and additional rights",
		"Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
	};
	size_t n = strnlen(license, 128);
	if (n > 127)
		return false; /* truncated: none of the names above */
	for (size_t i = 0; i < sizeof(gpl) / sizeof(gpl[0]); i++)
		if (strcmp(license, gpl[i]) == 0)
			return true;
	return false;
}

/* The name as libbpf passes it (the first 15 characters) and as the
 * kernel accepts it: letters, digits, '_' and '.'. */
static int copy_name(char dst[16], const char *name)
{
	memset(dst, 0, 16);
	if (!name)
		return 0;
	size_t n = strnlen(name, 15);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return -EINVAL;
		dst[i] = c;
	}
	return 0;
}

/* ---- the tag ---- */

void prog_tag(const struct uebpf_insn *insns, size_t insn_cnt, uint8_t tag[8])
{
	struct sha256 s;
	uint8_t digest[32];
	bool was_map_ref = false;

	sha256_init(&s);
	for (size_t i = 0; i < insn_cnt; i++) {
		struct uebpf_insn in = insns[i];
		/* Map fds change from run to run: the kernel hashes both halves
		 * of a map reference with their immediates zeroed. */
		if (!was_map_ref && in.code == LDDW &&
		    (in.src_reg == BPF_PSEUDO_MAP_FD || in.src_reg == BPF_PSEUDO_MAP_VALUE)) {
			was_map_ref = true;
			in.imm = 0;
		} else if (was_map_ref && in.code == 0 && in.dst_reg == 0 && in.src_reg == 0 &&
			   in.off == 0) {
			was_map_ref = false;
			in.imm = 0;
		} else {
			was_map_ref = false;
		}
		sha256_update(&s, &in, sizeof(in));
	}
	sha256_final(&s, digest);
	memcpy(tag, digest, 8);
}

/* ---- map references: the kernel's checks, the ids, the xlated copy ---- */

/*
 * Checks the map references (lddw src 1 and 2, by fd) as the kernel's
 * resolve_pseudo_ldimm64 does, with its errno, and fills in the maps'
 * ids by first use and the xlated copy of the instructions (map fds
 * replaced by map ids, as the kernel's dump shows them).
 */
static int resolve_maps(const struct uebpf_insn *insns, size_t insn_cnt,
			struct uebpf_insn *xlated, struct uebpf_prog_info *info,
			const struct log *log)
{
	for (size_t i = 0; i < insn_cnt; i++) {
		const struct uebpf_insn *in = &insns[i];
		if (in->code != LDDW || i + 1 >= insn_cnt)
			continue;
		i++; /* the second half: the checker made sure it is there */
		switch (in->src_reg) {
		case BPF_PSEUDO_MAP_FD:
		case BPF_PSEUDO_MAP_VALUE:
			break;
		case BPF_PSEUDO_MAP_IDX:
		case BPF_PSEUDO_MAP_IDX_VALUE:
			return log_error(log, -EPROTO,
				"insn %zu: map index %d without an fd array: map references "
				"of raw programs are by fd (lddw src 1 or 2)", i - 1, in->imm);
		case BPF_PSEUDO_BTF_ID:
			return log_error(log, -EINVAL,
				"insn %zu: references to kernel variables (BTF id %d) are not "
				"supported", i - 1, in->imm);
		default:
			continue;
		}
		if (in->src_reg == BPF_PSEUDO_MAP_FD && in[1].imm)
			return log_error(log, -EINVAL,
				"insn %zu: unrecognized bpf_ld_imm64 insn: a map reference "
				"has an offset (%d) only with src 2 (map value)", i - 1, in[1].imm);
		struct uebpf_map_info mi;
		int err = uebpf_map_get_info(in->imm, &mi);
		if (err)
			return log_error(log, fcntl(in->imm, F_GETFD) < 0 ? -EBADF : -EINVAL,
				"insn %zu: fd %d is not pointing to valid bpf_map", i - 1,
				in->imm);
		if (in->src_reg == BPF_PSEUDO_MAP_VALUE) {
			uint32_t off = (uint32_t)in[1].imm;
			if (mi.type != BPF_MAP_TYPE_ARRAY)
				return log_error(log, -EINVAL,
					"insn %zu: no direct value access support for this map "
					"type (%u): only one-element arrays", i - 1, mi.type);
			if (mi.max_entries != 1)
				return log_error(log, -ENOTSUPP,
					"insn %zu: invalid access to map value pointer: direct "
					"access needs an array of one element, not %u", i - 1,
					mi.max_entries);
			if (off >= mi.value_size)
				return log_error(log, -EINVAL,
					"insn %zu: invalid access to map value pointer, "
					"value_size=%u off=%u", i - 1, mi.value_size, off);
		}
		uint32_t m;
		for (m = 0; m < info->nr_map_ids && info->map_ids[m] != mi.id; m++)
			;
		if (m == info->nr_map_ids) {
			if (m == PROG_MAX_MAPS)
				return log_error(log, -E2BIG,
					"insn %zu: the total number of maps per program has "
					"reached the limit of %u", i - 1, PROG_MAX_MAPS);
			info->map_ids[info->nr_map_ids++] = mi.id;
		}
		xlated[i - 1].imm = (int32_t)mi.id;
	}
	return 0;
}

/* ---- records ---- */

#define RECORD_MAGIC "uebpfprg"
#define RECORD_VERSION 1
/* A record larger than this is not one (instructions and line info of a
 * program of the largest size fit easily). */
#define RECORD_MAX_SIZE ((uint64_t)256 << 20)

/* The file, as written: this header, the instructions, the line table,
 * then NUL-terminated strings; offsets from the start of the file. */
struct record_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;
	uint32_t id, type, expected_attach_type, prog_flags;
	uint8_t tag[8];
	char name[16];
	char comm[16];
	uint32_t gpl_compatible, uid, pid, nr_map_ids;
	uint64_t load_time;
	uint32_t map_ids[PROG_MAX_MAPS];
	uint32_t insn_cnt, line_cnt;
	uint64_t insns_off, lines_off, strings_off, strings_size;
	uint32_t attach_target; /* string offset + 1; 0: none */
	uint32_t reserved;
	uint64_t total_size;
};

/* One line table entry; file and text are string offsets + 1 (0: none). */
struct record_line {
	uint32_t insn_off, line, col, file, text;
};

struct strtab {
	char *buf;
	size_t len, cap;
	bool failed;
};

/* Adds s; returns its offset + 1 (0 for NULL or on failure). */
static uint32_t str_add(struct strtab *t, const char *s)
{
	if (!s)
		return 0;
	size_t n = strlen(s) + 1;
	if (t->len + n > UINT32_MAX - 1) {
		t->failed = true;
		return 0;
	}
	if (t->len + n > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n)
			cap *= 2;
		char *b = realloc(t->buf, cap);
		if (!b) {
			t->failed = true;
			return 0;
		}
		t->buf = b;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return (uint32_t)(t->len - n + 1);
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Builds the record of a program in memory. */
static void *record_build(const struct uebpf_prog_info *info, uint32_t eat, uint32_t flags,
			  const char *attach_target, const struct uebpf_insn *xlated,
			  const struct prog_load_extra *extra, size_t *size)
{
	struct strtab st = { 0 };
	size_t line_cnt = extra && extra->lines ? extra->line_cnt : 0;
	struct record_line *lines = line_cnt ? calloc(line_cnt, sizeof(*lines)) : NULL;
	struct record_hdr hdr = { 0 };

	if (line_cnt && !lines)
		return NULL;
	for (size_t i = 0; i < line_cnt; i++) {
		const struct prog_line *l = &extra->lines[i];
		lines[i] = (struct record_line){ l->insn_off, l->line, l->col,
						 str_add(&st, l->file), str_add(&st, l->text) };
	}
	hdr.attach_target = str_add(&st, attach_target);
	if (st.failed) {
		free(lines);
		free(st.buf);
		return NULL;
	}

	memcpy(hdr.magic, RECORD_MAGIC, sizeof(hdr.magic));
	hdr.version = RECORD_VERSION;
	hdr.hdr_size = sizeof(hdr);
	hdr.id = info->id;
	hdr.type = info->type;
	hdr.expected_attach_type = eat;
	hdr.prog_flags = flags;
	memcpy(hdr.tag, info->tag, sizeof(hdr.tag));
	memcpy(hdr.name, info->name, sizeof(hdr.name));
	if (prctl(PR_GET_NAME, hdr.comm))
		hdr.comm[0] = '\0';
	hdr.comm[sizeof(hdr.comm) - 1] = '\0';
	hdr.gpl_compatible = info->gpl_compatible;
	hdr.uid = (uint32_t)getuid();
	hdr.pid = (uint32_t)getpid();
	hdr.nr_map_ids = info->nr_map_ids;
	memcpy(hdr.map_ids, info->map_ids, sizeof(hdr.map_ids));
	hdr.load_time = info->load_time;
	hdr.insn_cnt = info->insn_cnt;
	hdr.line_cnt = (uint32_t)line_cnt;
	hdr.insns_off = align8(sizeof(hdr));
	hdr.lines_off = hdr.insns_off + (uint64_t)info->insn_cnt * sizeof(struct uebpf_insn);
	hdr.strings_off = hdr.lines_off + line_cnt * sizeof(struct record_line);
	hdr.strings_size = st.len;
	hdr.total_size = hdr.strings_off + st.len;

	uint8_t *rec = calloc(1, hdr.total_size);
	if (rec) {
		memcpy(rec, &hdr, sizeof(hdr));
		memcpy(rec + hdr.insns_off, xlated, info->insn_cnt * sizeof(*xlated));
		if (line_cnt)
			memcpy(rec + hdr.lines_off, lines, line_cnt * sizeof(*lines));
		if (st.len)
			memcpy(rec + hdr.strings_off, st.buf, st.len);
		*size = hdr.total_size;
	}
	free(lines);
	free(st.buf);
	return rec;
}

static int write_all(int fd, const void *buf, size_t size)
{
	const uint8_t *p = buf;
	off_t off = 0;
	while (size) {
		ssize_t n = pwrite(fd, p, size, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		off += n;
		size -= (size_t)n;
	}
	return 0;
}

static uint32_t random_id(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint32_t)getpid() * 2654435761u ^ (uint32_t)time(NULL);
	v &= 0x7fffffff;
	return v ? v : 1;
}

int prog_records_dir(const char *pin_dir, char *buf, size_t size)
{
	const char *env = getenv(UEBPF_PIN_DIR_ENV);
	const char *dir = pin_dir && *pin_dir ? pin_dir
			  : env && *env ? env : UEBPF_PIN_DIR_DEFAULT;
	int n = snprintf(buf, size, "%s/.progs", dir);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* mkdir -p of the records' directory (the pin directory's modes). */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int err = mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
		*p = '/';
		if (err)
			return err;
	}
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/*
 * Makes the program's fd: a file holding its record, published in the
 * records' directory under a fresh id when that works (prog->info.id and
 * prog->record_path are set then), else a memfd with a random id.
 */
static int record_create(struct prog *prog, uint32_t eat, uint32_t flags,
			 const char *attach_target, const struct uebpf_insn *xlated,
			 const struct prog_load_extra *extra)
{
	char dir[PATH_MAX], path[PATH_MAX], proc[64];
	size_t size;
	int fd = -1, err;

	prog->info.id = random_id();
	/* The directory is made when it is not there yet, not at every
	 * load (four mkdir calls of a 20 us load). */
	if (prog_records_dir(NULL, dir, sizeof(dir)) == 0) {
		fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0 && errno == ENOENT && make_dirs(dir) == 0)
			fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	}
	void *rec = record_build(&prog->info, eat, flags, attach_target, xlated, extra, &size);
	if (!rec) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	/* The lock says "alive" to listers: taken before the record has a
	 * name, held until the fd closes. */
	if (fd >= 0 && (fchmod(fd, 0600) || write_all(fd, rec, size) || flock(fd, LOCK_SH))) {
		close(fd);
		fd = -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int tries = 0; fd >= 0 && tries < 64; tries++) {
		if (snprintf(path, sizeof(path), "%s/%u", dir, prog->info.id) >= (int)sizeof(path))
			break;
		if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0) {
			prog->record_path = strdup(path);
			if (!prog->record_path)
				unlink(path);
			break;
		}
		if (errno != EEXIST)
			break;
		/* Taken by another program: another id, written into the
		 * record before it gets its name. */
		prog->info.id = random_id();
		((struct record_hdr *)rec)->id = prog->info.id;
		if (pwrite(fd, &prog->info.id, sizeof(uint32_t),
			   offsetof(struct record_hdr, id)) != sizeof(uint32_t))
			break;
	}
	if (fd >= 0 && !prog->record_path) {
		close(fd); /* unpublished: a memfd does as well */
		fd = -1;
	}
	if (fd < 0) {
		fd = memfd_create("uebpf-prog", MFD_CLOEXEC);
		err = fd < 0 ? -errno : write_all(fd, rec, size);
		if (err) {
			if (fd >= 0)
				close(fd);
			free(rec);
			return err;
		}
	}
	free(rec);
	prog->fd = fd;
	return 0;
}

/* ---- verification ---- */

/* What the verifier learns of the maps a program refers to. */
struct prog_vmaps {
	int fds[PROG_MAX_MAPS];
	struct vmap maps[PROG_MAX_MAPS], inner[PROG_MAX_MAPS];
	uint8_t *rodata[PROG_MAX_MAPS];
	char names[PROG_MAX_MAPS][16];
	size_t n;
};

static const struct vmap *vmap_by_fd(void *arg, int fd)
{
	struct prog_vmaps *v = arg;
	struct uebpf_map_info mi;
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->fds[i] == fd)
			return &v->maps[i];
	struct map *map = map_from_fd(fd);
	if (v->n == PROG_MAX_MAPS || !map || uebpf_map_get_info(fd, &mi))
		return NULL;
	struct vmap *m = &v->maps[v->n];
	*m = (struct vmap){
		.type = mi.type, .key_size = mi.key_size, .value_size = mi.value_size,
		.max_entries = mi.max_entries, .flags = mi.map_flags, .id = mi.id,
		.frozen = mi.frozen, .spin_lock_off = map->hdr->spin_lock_off,
	};
	memcpy(v->names[v->n], mi.name, sizeof(mi.name));
	m->name = v->names[v->n];
	if (map->hdr->inner.given) {
		struct vmap *in = &v->inner[v->n];
		*in = (struct vmap){
			.type = map->hdr->inner.type, .key_size = map->hdr->inner.key_size,
			.value_size = map->hdr->inner.value_size,
			.max_entries = map->hdr->inner.max_entries,
			.flags = map->hdr->inner.map_flags, .spin_lock_off = -1,
		};
		m->inner = in;
	}
	/* A frozen read-only global data map: its bytes are known. */
	if (mi.frozen && mi.map_flags & BPF_F_RDONLY_PROG && mi.type == BPF_MAP_TYPE_ARRAY &&
	    mi.max_entries == 1) {
		uint32_t key = 0;
		uint8_t *val = malloc(mi.value_size);
		if (val && !uebpf_map_lookup_elem(fd, &key, val)) {
			v->rodata[v->n] = val;
			m->rodata = val;
		} else {
			free(val);
		}
	}
	v->fds[v->n++] = fd;
	return m;
}

static void vmaps_free(struct prog_vmaps *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->rodata[i]);
}

/* Verifies the program; on acceptance *out holds the instructions to
 * run (context accesses rewritten). */
static int verify(enum bpf_prog_type type, uint32_t eat, uint32_t flags, const char *license,
		  const struct uebpf_insn *insns, size_t insn_cnt,
		  const struct prog_load_extra *extra, const struct log *log, uint32_t log_level,
		  struct uebpf_insn **out, size_t *out_cnt)
{
	struct prog_vmaps *v = calloc(1, sizeof(*v));
	struct verifier_line *lines = NULL;
	size_t line_cnt = extra ? extra->line_cnt : 0;

	if (!v)
		return log_error(log, -ENOMEM, "out of memory");
	if (line_cnt) {
		lines = calloc(line_cnt, sizeof(*lines));
		if (!lines) {
			free(v);
			return log_error(log, -ENOMEM, "out of memory");
		}
		for (size_t i = 0; i < line_cnt; i++)
			lines[i] = (struct verifier_line){
				.insn_off = extra->lines[i].insn_off, .line = extra->lines[i].line,
				.file = extra->lines[i].file, .text = extra->lines[i].text,
			};
	}
	struct verifier_opts vo = {
		.prog_type = type,
		.expected_attach_type = eat,
		.prog_flags = flags,
		.map_by_fd = vmap_by_fd,
		.map_arg = v,
		.gpl = gpl_compatible(license),
		.lines = lines,
		.line_cnt = line_cnt,
		.funcs = extra ? extra->funcs : NULL,
		.func_cnt = extra ? extra->func_cnt : 0,
		.log_buf = log->buf,
		.log_size = log->size,
		.log_level = log_level,
	};
	int err = verify_program(insns, insn_cnt, &vo, out, out_cnt, NULL);
	vmaps_free(v);
	free(v);
	free(lines);
	return err;
}

/* ---- loading ---- */

/* A field of the options if the caller's struct has it, else 0. */
#define OPT(opts, field)                                                          \
	((opts) && (opts)->sz >= offsetof(struct uebpf_prog_load_opts, field) +     \
				  sizeof((opts)->field) ? (opts)->field : 0)

/* What the kernel checks once the verifier has the program
 * (check_attach_btf_id): sleepable programs, and programs that must name
 * what they attach to. uebpf has attach targets by name, not BTF ids. */
static int check_attach_target(uint32_t type, uint32_t flags, const char *target,
			       const struct log *log)
{
	if (type == BPF_PROG_TYPE_SYSCALL && !(flags & BPF_F_SLEEPABLE))
		return log_error(log, -EINVAL, "syscall programs can only be sleepable "
				 "(BPF_F_SLEEPABLE)");
	if (flags & BPF_F_SLEEPABLE && type != BPF_PROG_TYPE_KPROBE &&
	    type != BPF_PROG_TYPE_TRACING && type != BPF_PROG_TYPE_LSM &&
	    type != BPF_PROG_TYPE_STRUCT_OPS && type != BPF_PROG_TYPE_SYSCALL)
		return log_error(log, -EINVAL, "only fentry/fexit/fmod_ret, lsm, iter, uprobe, "
				 "and struct_ops programs can be sleepable");
	if (type == BPF_PROG_TYPE_STRUCT_OPS)
		return log_error(log, -ENOTSUPP, "struct_ops programs are not supported");
	if (type == BPF_PROG_TYPE_EXT)
		return log_error(log, -EINVAL, "extension programs (which replace a function "
				 "of another program) are not supported");
	if ((type == BPF_PROG_TYPE_TRACING || type == BPF_PROG_TYPE_LSM) && !(target && *target))
		return log_error(log, -EINVAL, "%s programs must name what they attach to "
				 "(attach_target: a function, an LSM hook)",
				 type == BPF_PROG_TYPE_LSM ? "lsm" : "tracing");
	return 0;
}

static void prog_free(struct prog *prog)
{
	if (prog->record_path) {
		unlink(prog->record_path);
		free(prog->record_path);
	}
	if (prog->fd >= 0)
		close(prog->fd);
	uebpf_code_free(prog->code);
	free(prog);
}

int prog_load(enum bpf_prog_type type, const char *name, const char *license,
	      const struct uebpf_insn *insns, size_t insn_cnt,
	      const struct uebpf_prog_load_opts *opts, const struct prog_load_extra *extra)
{
	struct log log = { OPT(opts, log_buf), OPT(opts, log_size) };
	uint32_t eat = OPT(opts, expected_attach_type);
	uint32_t flags = OPT(opts, prog_flags);
	uint32_t log_level = OPT(opts, log_level);
	const char *target = OPT(opts, attach_target);
	char msg[256];
	int err;

	if (opts && opts->sz < sizeof(size_t))
		return -EINVAL;
	if (log.buf && log.size)
		log.buf[0] = '\0';

	/* The attributes, in the order bpf_prog_load checks them. */
	if (flags & ~PROG_FLAGS_KNOWN)
		return log_error(&log, -EINVAL, "unknown program flags 0x%x",
				 flags & ~PROG_FLAGS_KNOWN);
	eat = fixup_attach_type(type, eat);
	if (flags & F_TOKEN_FD)
		return log_error(&log, -EINVAL, "BPF tokens (BPF_F_TOKEN_FD) are not supported");
	if (insn_cnt == 0 || insn_cnt > PROG_MAX_INSNS)
		return log_error(&log, -E2BIG, "a program has 1 to %u instructions, not %zu",
				 PROG_MAX_INSNS, insn_cnt);
	if (!attach_type_ok(type, eat)) {
		const char *tname = sec_def_prog_type_name(type);
		const char *aname = sec_def_attach_type_name(eat);
		return log_error(&log, -EINVAL, "%s programs cannot have expected attach type "
				 "%u (%s)", tname ? tname : "these", eat, aname ? aname : "unknown");
	}
	if (!insns)
		return log_error(&log, -EFAULT, "no instructions (NULL)");
	if (!license)
		return log_error(&log, -EFAULT, "no license (NULL); \"GPL\" lets a program "
				 "use every helper");
	if (type == BPF_PROG_TYPE_UNSPEC || (uint32_t)type >= PROG_TYPE_COUNT)
		return log_error(&log, -EINVAL, "unknown program type %u", type);
	if (type == BPF_PROG_TYPE_LIRC_MODE2)
		return log_error(&log, -EINVAL, "lirc_mode2 programs are not supported "
				 "(no infrared remote controls in user space)");

	struct prog *prog = calloc(1, sizeof(*prog));
	if (!prog)
		return log_error(&log, -ENOMEM, "out of memory");
	prog->fd = -1;
	if (copy_name(prog->info.name, name)) {
		free(prog);
		return log_error(&log, -EINVAL, "program name '%.15s' may only have letters, "
				 "digits, '_' and '.'", name);
	}
	/* The verifier's log attributes. A buffer without a level is taken
	 * for errors only (the kernel refuses it), as libbpf's bpf_prog_load
	 * gives it. */
	if (log_level & ~LOG_LEVEL_MASK || !log.buf != !log.size || log.size > LOG_SIZE_MAX) {
		free(prog);
		return log_error(&log, -EINVAL, "bad log attributes: level %u (at most %u), "
				 "a buffer and its size (at most %u) go together",
				 log_level, LOG_LEVEL_MASK, LOG_SIZE_MAX);
	}

	/* The instructions: the decoder's checks, the maps, then what the
	 * verifier asks before it starts. */
	struct uebpf_insn *xlated = NULL, *run = NULL;
	err = uebpf_insns_check(insns, insn_cnt, msg, sizeof(msg));
	if (err) {
		/* The verifier says what is wrong as the kernel says it; the
		 * decoder's reason stands if the verifier has none. */
		if (!OPT(opts, unverified) &&
		    verify(type, eat, flags, license, insns, insn_cnt, extra, &log, log_level, NULL,
			   NULL) < 0) {
			err = -EINVAL;
			goto fail;
		}
		log_error(&log, err, "%s", msg);
		goto fail;
	}
	xlated = malloc(insn_cnt * sizeof(*xlated));
	if (!xlated) {
		err = log_error(&log, -ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(xlated, insns, insn_cnt * sizeof(*xlated));
	prog->info.type = type;
	prog->info.insn_cnt = (uint32_t)insn_cnt;
	prog->info.gpl_compatible = gpl_compatible(license);
	err = resolve_maps(insns, insn_cnt, xlated, &prog->info, &log);
	if (!err)
		err = check_attach_target(type, flags, target, &log);
	if (err)
		goto fail;

	struct uebpf_vm *vm = vm_get();
	if (!vm) {
		err = log_error(&log, -ENOMEM, "out of memory (helper table)");
		goto fail;
	}
	bool unverified = OPT(opts, unverified);
	prog->expected_attach_type = eat;
	prog->prog_flags = flags;
	prog->unverified = unverified;
	size_t run_cnt = insn_cnt;
	if (!unverified) {
		err = verify(type, eat, flags, license, insns, insn_cnt, extra, &log, log_level, &run,
			     &run_cnt);
		if (err)
			goto fail;
	}
	struct uebpf_code_opts copts = { .sz = sizeof(copts), .err_buf = msg,
					 .err_size = sizeof(msg), .checked_only = unverified,
					 .prog_type = type };
	msg[0] = '\0';
	err = uebpf_code_load(vm, run ? run : insns, run_cnt, &copts, &prog->code);
	if (err) {
		/* An unknown or unavailable helper is the kernel's EINVAL
		 * ("invalid func"). */
		if (err == -ENOENT)
			err = -EINVAL;
		log_error(&log, err, "%s", msg);
		goto fail;
	}

	prog_tag(insns, insn_cnt, prog->info.tag);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	prog->info.load_time = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	err = record_create(prog, eat, flags, target, xlated, extra);
	if (err) {
		log_error(&log, err, "cannot make the program's fd: %s", strerror(-err));
		goto fail;
	}
	uebpf_code_set_id(prog->code, prog->info.id);
	err = registry_set(prog->fd, prog);
	if (err) {
		log_error(&log, err, "cannot register the program's fd");
		goto fail;
	}
	free(xlated);
	free(run);
	return prog->fd;

fail:
	free(xlated);
	free(run);
	prog_free(prog);
	return err;
}

int uebpf_prog_load(enum bpf_prog_type type, const char *name, const char *license,
		    const struct uebpf_insn *insns, size_t insn_cnt,
		    const struct uebpf_prog_load_opts *opts)
{
	return prog_load(type, name, license, insns, insn_cnt, opts, NULL);
}

int uebpf_prog_get_info(int prog_fd, struct uebpf_prog_info *info)
{
	struct prog *prog = prog_from_fd(prog_fd);
	if (!prog)
		return not_a_prog(prog_fd);
	if (!info)
		return -EFAULT;
	*info = prog->info;
	return 0;
}

struct uebpf_code *uebpf_prog_code(int prog_fd)
{
	struct prog *prog = prog_from_fd(prog_fd);
	if (!prog) {
		errno = -not_a_prog(prog_fd);
		return NULL;
	}
	return prog->code;
}

int prog_run_target(int prog_fd, struct prog_run_target *t)
{
	struct prog *prog = prog_from_fd(prog_fd);
	if (!prog)
		return not_a_prog(prog_fd);
	t->code = prog->code;
	t->type = prog->info.type;
	t->expected_attach_type = prog->expected_attach_type;
	t->prog_flags = prog->prog_flags;
	t->checked_only = prog->unverified;
	return 0;
}

int uebpf_prog_close(int prog_fd)
{
	struct prog *prog = prog_from_fd(prog_fd);
	if (!prog)
		return not_a_prog(prog_fd);
	registry_set(prog_fd, NULL);
	prog_free(prog);
	return 0;
}

/* ---- reading records ---- */

/* The string at offset + 1 off in the strings, or NULL. */
static const char *record_str(const uint8_t *strings, uint64_t size, uint32_t off)
{
	return off && off <= size ? (const char *)strings + off - 1 : NULL;
}

int prog_record_read(int fd, struct prog_record **out)
{
	struct stat st;
	*out = NULL;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct record_hdr) ||
	    (uint64_t)st.st_size > RECORD_MAX_SIZE)
		return -EINVAL;
	size_t size = (size_t)st.st_size;
	struct prog_record *rec = calloc(1, sizeof(*rec));
	uint8_t *mem = malloc(size);
	if (!rec || !mem) {
		free(rec);
		free(mem);
		return -ENOMEM;
	}
	rec->mem = mem;
	for (size_t got = 0; got < size;) {
		ssize_t n = pread(fd, mem + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EINVAL; /* shrank: not a record */
			prog_record_free(rec);
			return err;
		}
		got += (size_t)n;
	}

	/* Anyone who can write the directory can put a file there: check
	 * every size and offset before use. */
	struct record_hdr hdr;
	memcpy(&hdr, mem, sizeof(hdr));
	bool ok = !memcmp(hdr.magic, RECORD_MAGIC, 8) && hdr.version == RECORD_VERSION &&
		  hdr.hdr_size == sizeof(hdr) && hdr.total_size == size && hdr.insn_cnt &&
		  hdr.insn_cnt <= PROG_MAX_INSNS && hdr.line_cnt <= hdr.insn_cnt &&
		  hdr.nr_map_ids <= PROG_MAX_MAPS && hdr.insns_off % 8 == 0 &&
		  hdr.lines_off % 4 == 0 && hdr.insns_off >= sizeof(hdr) && hdr.insns_off <= size &&
		  hdr.lines_off <= size && hdr.strings_off <= size;
	/* Offsets within the file and counts bounded: no overflow below. */
	uint64_t insns_end = hdr.insns_off + (uint64_t)hdr.insn_cnt * sizeof(struct uebpf_insn);
	uint64_t lines_end = hdr.lines_off + (uint64_t)hdr.line_cnt * sizeof(struct record_line);
	if (!ok || insns_end > hdr.lines_off || lines_end > hdr.strings_off ||
	    hdr.strings_size != size - hdr.strings_off ||
	    (hdr.strings_size && mem[size - 1] != '\0')) {
		prog_record_free(rec);
		return -EINVAL;
	}
	const uint8_t *strings = mem + hdr.strings_off;
	struct prog_line *lines = hdr.line_cnt ? calloc(hdr.line_cnt, sizeof(*lines)) : NULL;
	if (hdr.line_cnt && !lines) {
		prog_record_free(rec);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < hdr.line_cnt; i++) {
		struct record_line rl;
		memcpy(&rl, mem + hdr.lines_off + i * sizeof(rl), sizeof(rl));
		lines[i] = (struct prog_line){
			.insn_off = rl.insn_off, .line = rl.line, .col = rl.col,
			.file = record_str(strings, hdr.strings_size, rl.file),
			.text = record_str(strings, hdr.strings_size, rl.text),
		};
	}

	struct uebpf_prog_info *info = &rec->info;
	info->type = hdr.type;
	info->id = hdr.id;
	memcpy(info->tag, hdr.tag, sizeof(info->tag));
	info->insn_cnt = hdr.insn_cnt;
	memcpy(info->name, hdr.name, sizeof(info->name));
	info->name[sizeof(info->name) - 1] = '\0';
	info->nr_map_ids = hdr.nr_map_ids;
	memcpy(info->map_ids, hdr.map_ids, sizeof(info->map_ids));
	info->load_time = hdr.load_time;
	info->gpl_compatible = hdr.gpl_compatible != 0;
	rec->expected_attach_type = hdr.expected_attach_type;
	rec->prog_flags = hdr.prog_flags;
	rec->uid = hdr.uid;
	rec->pid = hdr.pid;
	memcpy(rec->comm, hdr.comm, sizeof(rec->comm));
	rec->comm[sizeof(rec->comm) - 1] = '\0';
	rec->attach_target = record_str(strings, hdr.strings_size, hdr.attach_target);
	rec->insns = (const struct uebpf_insn *)(mem + hdr.insns_off);
	rec->insn_cnt = hdr.insn_cnt;
	rec->lines = lines;
	rec->line_cnt = hdr.line_cnt;
	*out = rec;
	return 0;
}

void prog_record_free(struct prog_record *rec)
{
	if (!rec)
		return;
	free((void *)rec->lines);
	free(rec->mem);
	free(rec);
}

/*
 * Opens the record at path if a live process holds it: 0 and the fd,
 * -ENOENT when there is none or its process is gone (the record is then
 * removed), another negative errno when it cannot be opened.
 */
static int open_live_record(const char *path, int *fdp)
{
	struct stat st, now;
	/* O_NONBLOCK: a FIFO someone put there must not hang the lister
	 * (reading checks for a regular file). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		/* Nobody holds it: its process died without closing it. Remove
		 * it, unless a new record took the name meanwhile. */
		if (fstat(fd, &st) == 0 && stat(path, &now) == 0 && st.st_ino == now.st_ino &&
		    st.st_dev == now.st_dev)
			unlink(path);
		close(fd);
		return -ENOENT;
	}
	if (errno != EWOULDBLOCK) {
		/* No locks on this file system: ask whether the pid lives. */
		struct prog_record *rec;
		int err = prog_record_read(fd, &rec);
		bool alive = !err && (kill((pid_t)rec->pid, 0) == 0 || errno == EPERM);
		prog_record_free(rec);
		if (!alive) {
			close(fd);
			return -ENOENT;
		}
	}
	*fdp = fd;
	return 0;
}

static int read_live_record(const char *dir, const char *name, struct prog_record **out)
{
	char path[PATH_MAX];
	int fd = -1;
	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	int err = open_live_record(path, &fd);
	if (err)
		return err;
	err = prog_record_read(fd, out);
	close(fd);
	return err;
}

/* A record's file name: the id in decimal, no leading zero. */
static bool id_name(const char *s, uint32_t *id)
{
	uint64_t v = 0;
	if (!*s || *s == '0' || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static int cmp_record_id(const void *a, const void *b)
{
	uint32_t x = (*(struct prog_record *const *)a)->info.id;
	uint32_t y = (*(struct prog_record *const *)b)->info.id;
	return x < y ? -1 : x > y;
}

int prog_records_list(const char *pin_dir, struct prog_record ***recs, size_t *cnt)
{
	char dir[PATH_MAX];
	struct prog_record **v = NULL;
	size_t n = 0, cap = 0;
	int err = prog_records_dir(pin_dir, dir, sizeof(dir));

	*recs = NULL;
	*cnt = 0;
	if (err)
		return err;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	struct dirent *de;
	while ((de = readdir(d))) {
		uint32_t id;
		struct prog_record *rec;
		if (!id_name(de->d_name, &id) || read_live_record(dir, de->d_name, &rec))
			continue; /* not a record, gone, damaged or not ours to read */
		if (rec->info.id != id) {
			prog_record_free(rec);
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			struct prog_record **nv = realloc(v, ncap * sizeof(*nv));
			if (!nv) {
				prog_record_free(rec);
				err = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = rec;
	}
	closedir(d);
	if (err) {
		prog_records_free(v, n);
		return err;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_record_id);
	*recs = v;
	*cnt = n;
	return 0;
}

void prog_records_free(struct prog_record **recs, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		prog_record_free(recs[i]);
	free(recs);
}

int prog_record_find(const char *pin_dir, uint32_t id, struct prog_record **out)
{
	char dir[PATH_MAX], name[16];
	int err = prog_records_dir(pin_dir, dir, sizeof(dir));
	*out = NULL;
	if (err)
		return err;
	snprintf(name, sizeof(name), "%u", id);
	err = read_live_record(dir, name, out);
	if (!err && (*out)->info.id != id) {
		prog_record_free(*out);
		*out = NULL;
		err = -ENOENT;
	}
	return err == -EINVAL || err == -ELOOP ? -ENOENT : err;
}
