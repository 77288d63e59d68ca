/* SPDX-License-Identifier: MIT */
/*
 * uebpf map: bpftool's `map` commands on uebpf maps.
 *
 * People type these from bpftool memory, so the grammar (keywords and
 * their prefixes), the plain layout and the JSON shapes (-j, -p) are
 * bpftool's. Maps are reached through the pin directory: `pinned PATH`
 * opens one file; `id ID` and `name NAME` scan the directory's map files,
 * as bpftool walks the kernel's maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

/* ---- errors ---- */

/* cli_fail for uebpf map. */
__attribute__((format(printf, 2, 3)))
static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	status = cli_failv("map", status, fmt, ap);
	va_end(ap);
	return status;
}

static const char *err_text(int err)
{
	err = err < 0 ? -err : err;
	if (err == ERRNO_ENOTSUPP)
		return "Operation not supported";
	return strerror(err);
}

/* ---- map types, by their bpftool (libbpf) names ---- */

static const char *const type_names[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array",
	"percpu_hash", "percpu_array", "stack_trace", "cgroup_array",
	"lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps",
	"hash_of_maps", "devmap", "sockmap", "cpumap", "xskmap", "sockhash",
	"cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage",
	"queue", "stack", "sk_storage", "devmap_hash", "struct_ops", "ringbuf",
	"inode_storage", "task_storage", "bloom_filter", "user_ringbuf",
	"cgrp_storage", "arena",
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *cli_map_type_name(uint32_t type)
{
	return type < N_TYPES ? type_names[type] : NULL;
}

bool cli_map_is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* What a map is called in messages: "hash map counts". */
static const char *describe(const struct uebpf_map_info *info, char *buf, size_t size)
{
	const char *t = cli_map_type_name(info->type);
	char tbuf[24];
	if (!t) {
		snprintf(tbuf, sizeof(tbuf), "type %u", info->type);
		t = tbuf;
	}
	if (info->name[0])
		snprintf(buf, size, "%s map %s", t, info->name);
	else
		snprintf(buf, size, "%s map (id %u)", t, info->id);
	return buf;
}

/* ---- the command line ---- */

static int no_more_args(const struct cli_args *a)
{
	const char *extra = cli_peek_arg(a);
	return extra ? fail(EXIT_USAGE, "unexpected argument '%s'", extra) : 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || errno || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ---- the pin directory ---- */

static char pin_dir_buf[PATH_MAX];

static const char *pin_dir(void)
{
	if (!pin_dir_buf[0]) {
		const char *env = getenv(UEBPF_PIN_DIR_ENV);
		const char *dir = env && *env ? env : UEBPF_PIN_DIR_DEFAULT;
		char cwd[PATH_MAX];
		/* Absolute, so that the paths found in it are too (the library
		 * would resolve relative ones against the pin directory). */
		int n = -1;
		if (dir[0] != '/' && getcwd(cwd, sizeof(cwd)))
			n = snprintf(pin_dir_buf, sizeof(pin_dir_buf), "%s/%s", cwd, dir);
		if (n < 0 || (size_t)n >= sizeof(pin_dir_buf))
			snprintf(pin_dir_buf, sizeof(pin_dir_buf), "%s", dir);
		size_t len = strlen(pin_dir_buf);
		while (len > 1 && pin_dir_buf[len - 1] == '/')
			pin_dir_buf[--len] = '\0';
	}
	return pin_dir_buf;
}

/* A pin path as the library resolves it: relative ones are in the pin
 * directory. */
static int full_path(const char *path, char *buf, size_t size)
{
	int n = path[0] == '/' ? snprintf(buf, size, "%s", path)
			       : snprintf(buf, size, "%s/%s", pin_dir(), path);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Every file under the pin directory, with its inode: a pinned map's
 * names are the hard links of one file. */
struct pin {
	char *path;
	dev_t dev;
	ino_t ino;
};

static struct {
	struct pin *v;
	size_t n, cap;
	bool scanned, failed;
} pins;

static int pin_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (pins.n == pins.cap) {
		size_t cap = pins.cap ? pins.cap * 2 : 64;
		struct pin *v = realloc(pins.v, cap * sizeof(*v));
		if (!v)
			return pins.failed = true, 1;
		pins.v = v;
		pins.cap = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return pins.failed = true, 1;
	pins.v[pins.n++] = (struct pin){ copy, st->st_dev, st->st_ino };
	return 0;
}

static int cmp_pin(const void *a, const void *b)
{
	return strcmp(((const struct pin *)a)->path, ((const struct pin *)b)->path);
}

static int scan_pins(void)
{
	if (pins.scanned)
		return 0;
	pins.scanned = true;
	struct stat st;
	if (stat(pin_dir(), &st))
		return 0; /* no directory, no pinned maps */
	if (nftw(pin_dir(), pin_cb, 16, FTW_PHYS) && pins.failed)
		return fail(EXIT_FAIL, "cannot list %s: out of memory", pin_dir());
	qsort(pins.v, pins.n, sizeof(*pins.v), cmp_pin);
	return 0;
}

static void free_pins(void)
{
	for (size_t i = 0; i < pins.n; i++)
		free(pins.v[i].path);
	free(pins.v);
	memset(&pins, 0, sizeof(pins));
}

/* ---- maps named on the command line ---- */

struct target {
	int fd;
	struct uebpf_map_info info;
	dev_t dev;
	ino_t ino;
	char path[PATH_MAX]; /* the path it was opened by */
};

struct targets {
	struct target *v;
	size_t n;
};

static void close_targets(struct targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].fd >= 0)
			uebpf_map_close(t->v[i].fd);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Opens the map at a full path; a negative errno, no message. */
static int open_map(const char *path, struct target *t)
{
	struct stat st;
	int fd = uebpf_obj_get(path);
	if (fd < 0)
		return fd;
	int err = fstat(fd, &st) ? -errno : uebpf_map_get_info(fd, &t->info);
	if (err) {
		uebpf_map_close(fd);
		return err;
	}
	t->fd = fd;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	snprintf(t->path, sizeof(t->path), "%s", path);
	return 0;
}

static int add_target(struct targets *ts, const struct target *t)
{
	struct target *v = realloc(ts->v, (ts->n + 1) * sizeof(*v));
	if (!v) {
		uebpf_map_close(t->fd);
		return fail(EXIT_FAIL, "out of memory");
	}
	ts->v = v;
	ts->v[ts->n++] = *t;
	return 0;
}

static int open_pinned(const char *path, struct targets *ts)
{
	char full[PATH_MAX];
	struct target t;
	if (full_path(path, full, sizeof(full)))
		return fail(EXIT_FAIL, "path too long: %s", path);
	int err = open_map(full, &t);
	switch (err) {
	case 0:
		return add_target(ts, &t);
	case -ENOENT:
		return fail(EXIT_FAIL, "no map pinned at %s: %s", full, err_text(err));
	case -EINVAL:
		return fail(EXIT_FAIL, "%s is not a uebpf map (or is damaged): %s", full,
			    err_text(err));
	case -EOPNOTSUPP:
		return fail(EXIT_FAIL, "%s: a map of a type or layout this uebpf does not know: %s",
			    full, err_text(err));
	default:
		return fail(EXIT_FAIL, "cannot open the map pinned at %s: %s", full,
			    err_text(err));
	}
}

static int cmp_target_id(const void *a, const void *b)
{
	uint32_t x = ((const struct target *)a)->info.id;
	uint32_t y = ((const struct target *)b)->info.id;
	return x < y ? -1 : x > y;
}

/*
 * Every map pinned in the pin directory (each once, whatever its number
 * of names), or those with the given id or name; sorted by id, as
 * bpftool lists them. Without keep_open only their info is kept (fd -1),
 * so that listing many maps needs few fds.
 */
static int find_maps(const uint32_t *id, const char *name, bool keep_open,
		     struct targets *ts)
{
	int err = scan_pins();
	if (err)
		return err;
	for (size_t i = 0; i < pins.n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = pins.v[j].dev == pins.v[i].dev && pins.v[j].ino == pins.v[i].ino;
		struct target t;
		if (seen || open_map(pins.v[i].path, &t))
			continue; /* another name of a map already seen; not a map */
		bool match = (!id || t.info.id == *id) && (!name || !strcmp(t.info.name, name));
		if (!match || !keep_open) {
			uebpf_map_close(t.fd);
			t.fd = -1;
		}
		if (!match)
			continue;
		err = add_target(ts, &t);
		if (err)
			return err;
	}
	if (ts->n > 1)
		qsort(ts->v, ts->n, sizeof(*ts->v), cmp_target_id);
	return 0;
}

/*
 * MAP := { id MAP_ID | pinned FILE | name MAP_NAME }. A name may match
 * several maps; commands that act on one map pass many = false.
 */
static int parse_map(struct cli_args *a, struct targets *ts, bool many, bool keep_open)
{
	const char *kw = cli_next_arg(a);
	if (!kw)
		return fail(EXIT_USAGE, "expected a map: id MAP_ID, pinned FILE or name MAP_NAME");
	bool by_id = cli_is_prefix(kw, "id"), by_name = cli_is_prefix(kw, "name");
	if (!by_id && !by_name && !cli_is_prefix(kw, "pinned"))
		return fail(EXIT_USAGE, "expected 'id', 'name' or 'pinned', got: '%s'", kw);
	const char *arg = cli_next_arg(a);
	if (!arg)
		return fail(EXIT_USAGE, "'%s' needs an argument", kw);
	if (!by_id && !by_name)
		return open_pinned(arg, ts); /* open: callers close it */

	int err;
	if (by_id) {
		uint64_t v;
		if (parse_u64(arg, UINT32_MAX, &v))
			return fail(EXIT_USAGE, "can't parse %s as ID", arg);
		uint32_t id = (uint32_t)v;
		err = find_maps(&id, NULL, keep_open, ts);
		if (!err && ts->n == 0)
			err = fail(EXIT_FAIL, "no map with id %u is pinned in %s", id, pin_dir());
	} else {
		if (strlen(arg) > 15)
			return fail(EXIT_USAGE, "map name '%s' is too long (at most 15 characters)",
				    arg);
		err = find_maps(NULL, arg, keep_open, ts);
		if (!err && ts->n == 0)
			err = fail(EXIT_FAIL, "no map named '%s' is pinned in %s", arg, pin_dir());
	}
	if (!err && ts->n > 1 && !many) {
		char list[512] = "";
		for (size_t i = 0, len = 0; i < ts->n; i++) {
			int n = snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					 ts->v[i].path);
			if (n < 0 || (size_t)n >= sizeof(list) - len)
				break; /* the message shows the first ones */
			len += (size_t)n;
		}
		err = fail(EXIT_FAIL, "several maps match this handle (%s %s): %s", kw, arg, list);
	}
	return err;
}

/* ---- DATA := { [hex] BYTES } ---- */

/* Words that end a run of bytes (update's grammar). */
static bool is_keyword(const char *s)
{
	return !strcmp(s, "key") || !strcmp(s, "value") || !strcmp(s, "any") ||
	       !strcmp(s, "exist") || !strcmp(s, "noexist");
}

static bool is_keyword_prefix(const char *s)
{
	return cli_is_prefix(s, "key") || cli_is_prefix(s, "value") || cli_is_prefix(s, "any") ||
	       cli_is_prefix(s, "exist") || cli_is_prefix(s, "noexist");
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum { TOK_BYTES, TOK_NOT_BYTES, TOK_RANGE };

/* Appends the bytes of one token to buf (as far as size allows; *got
 * counts them all). bpftool's bytes: strtoul(base 0) numbers, so 10,
 * 0x0a and 012 are all ten; after `hex`, hex digits, also as runs of
 * whole bytes ("hex 01000000"). */
static int data_token(const char *tok, bool hex, uint8_t *buf, size_t size, size_t *got)
{
	if (!hex) {
		uint64_t v;
		if (parse_u64(tok, UINT64_MAX, &v)) {
			/* Larger than 64 bits is still a number, out of range. */
			char *end;
			(void)strtoull(tok, &end, 0);
			return *tok && *tok != '-' && *tok != '+' && !*end ? TOK_RANGE
									: TOK_NOT_BYTES;
		}
		if (v > 0xff)
			return TOK_RANGE;
		if (*got < size)
			buf[*got] = (uint8_t)v;
		++*got;
		return TOK_BYTES;
	}
	const char *p = tok;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	size_t n = strlen(p);
	for (size_t i = 0; i < n; i++)
		if (hexval((unsigned char)p[i]) < 0)
			return TOK_NOT_BYTES;
	if (n == 0 || (n > 2 && n % 2))
		return TOK_NOT_BYTES;
	if (n <= 2) {
		int v = hexval((unsigned char)p[0]);
		if (n == 2)
			v = v * 16 + hexval((unsigned char)p[1]);
		if (*got < size)
			buf[*got] = (uint8_t)v;
		++*got;
		return TOK_BYTES;
	}
	for (size_t i = 0; i < n; i += 2, ++*got)
		if (*got < size)
			buf[*got] = (uint8_t)(hexval((unsigned char)p[i]) * 16 +
					      hexval((unsigned char)p[i + 1]));
	return TOK_BYTES;
}

/* Reads exactly size bytes of DATA for `what` ("key", "value"). */
static int parse_data(struct cli_args *a, const char *what, uint8_t *buf, uint32_t size)
{
	bool hex = false;
	size_t got = 0;
	const char *tok = cli_peek_arg(a);
	if (tok && cli_is_prefix(tok, "hex")) {
		hex = true;
		a->pos++;
	}
	while ((tok = cli_peek_arg(a)) && !is_keyword(tok)) {
		int kind = data_token(tok, hex, buf, size, &got);
		if (kind == TOK_RANGE)
			return fail(EXIT_USAGE, "%s: byte '%s' is out of range (0 to 255; "
				    "'hex' before the data reads runs of bytes)", what, tok);
		if (kind == TOK_NOT_BYTES) {
			/* A short keyword ends the data ("key 1 0 0 0 v 5..."). */
			if (got >= size || is_keyword_prefix(tok))
				break;
			return fail(EXIT_USAGE, "%s: bad byte '%s' (bytes are decimal, 0x hex or "
				    "0 octal as in bpftool; 'hex' before them reads hex)", what, tok);
		}
		a->pos++;
	}
	if (got != size)
		return fail(EXIT_FAIL, "%s: expected %u byte%s, got %zu", what, size,
			    size == 1 ? "" : "s", got);
	return 0;
}

/*
 * The elements of update, lookup, delete, getnext and push, in any order
 * as bpftool takes them: key DATA, value DATA, UPDATE_FLAGS. key, value
 * and flags are NULL where the command takes none; have_key and
 * have_value tell what was given.
 */
struct elem {
	uint8_t *key, *value;
	uint64_t *flags;
	bool have_key, have_value;
};

static int parse_elem(struct cli_args *a, const struct uebpf_map_info *info, struct elem *e,
		      uint32_t value_size)
{
	bool have_flags = false;
	const char *tok;
	char desc[64];
	int err;

	while ((tok = cli_next_arg(a))) {
		if (cli_is_prefix(tok, "key")) {
			if (!info->key_size)
				return fail(EXIT_FAIL, "unnecessary key: the %s has no keys",
					    describe(info, desc, sizeof(desc)));
			if (!e->key)
				return fail(EXIT_USAGE, "unexpected argument 'key'");
			if (e->have_key)
				return fail(EXIT_USAGE, "duplicate key");
			err = parse_data(a, "key", e->key, info->key_size);
			if (err)
				return err;
			e->have_key = true;
		} else if (cli_is_prefix(tok, "value")) {
			if (!e->value)
				return fail(EXIT_USAGE, "unexpected argument 'value'");
			if (e->have_value)
				return fail(EXIT_USAGE, "duplicate value");
			err = parse_data(a, "value", e->value, value_size);
			if (err)
				return err;
			e->have_value = true;
		} else if (e->flags && (cli_is_prefix(tok, "any") || cli_is_prefix(tok, "noexist") ||
					cli_is_prefix(tok, "exist"))) {
			if (have_flags)
				return fail(EXIT_USAGE, "flags specified multiple times: %s", tok);
			have_flags = true;
			*e->flags = cli_is_prefix(tok, "any") ? BPF_ANY
				    : cli_is_prefix(tok, "noexist") ? BPF_NOEXIST : BPF_EXIST;
		} else {
			return fail(EXIT_USAGE, "expected %s, got: '%s'",
				    e->flags ? "key, value or any|exist|noexist"
				    : e->value ? "key or value" : "key", tok);
		}
	}
	return 0;
}

/* ---- printing entries as bpftool does ---- */

/* bpftool's hex dump: bytes separated by spaces, a double space after
 * every 8th byte, 16 per line. */
static void print_hex(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (i && i % 16 == 0)
			putchar('\n');
		else if (i && i % 8 == 0)
			fputs("  ", stdout);
		else if (i)
			putchar(' ');
		printf("%02x", data[i]);
	}
}

static size_t value_stride(const struct uebpf_map_info *info)
{
	return ((size_t)info->value_size + 7) & ~(size_t)7;
}

/* The bytes user space reads and writes per value. */
static size_t user_value_size(const struct uebpf_map_info *info)
{
	return cli_map_is_percpu(info->type) ? value_stride(info) * (info->ncpus ? info->ncpus : 1)
				     : info->value_size;
}

static void print_entry(const struct uebpf_map_info *info, const uint8_t *key,
			const uint8_t *value)
{
	uint32_t ncpus = info->ncpus ? info->ncpus : 1;

	if (cli_js.on) {
		cli_json_begin('{');
		cli_json_name("key");
		cli_json_hex(key, info->key_size);
		if (!cli_map_is_percpu(info->type)) {
			cli_json_name("value");
			cli_json_hex(value, info->value_size);
		} else {
			cli_json_name("values");
			cli_json_begin('[');
			for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
				cli_json_begin('{');
				cli_json_name("cpu");
				cli_json_uint(cpu);
				cli_json_name("value");
				cli_json_hex(value + cpu * value_stride(info), info->value_size);
				cli_json_end('}');
			}
			cli_json_end(']');
		}
		cli_json_end('}');
		return;
	}
	if (!cli_map_is_percpu(info->type)) {
		/* Short entries on one line; long ones put key and value
		 * on their own lines. */
		bool break_names = info->key_size > 16 || info->value_size > 16;
		bool one_line = !break_names && info->key_size + info->value_size <= 24;
		if (info->key_size) {
			printf("key:%c", break_names ? '\n' : ' ');
			print_hex(key, info->key_size);
			fputs(one_line ? "  " : "\n", stdout);
		}
		if (info->value_size) {
			printf("value:%c", break_names ? '\n' : ' ');
			print_hex(value, info->value_size);
		}
		putchar('\n');
		return;
	}
	if (info->key_size) {
		fputs("key:\n", stdout);
		print_hex(key, info->key_size);
		putchar('\n');
	}
	for (uint32_t cpu = 0; cpu < ncpus; cpu++) {
		printf("value (CPU %02u):%c", cpu, info->value_size > 16 ? '\n' : ' ');
		print_hex(value + cpu * value_stride(info), info->value_size);
		putchar('\n');
	}
}

/* An element that could be listed but not read (deleted meanwhile). */
static void print_entry_error(const struct uebpf_map_info *info, const uint8_t *key, int err)
{
	if (cli_js.on) {
		cli_json_begin('{');
		cli_json_name("key");
		cli_json_hex(key, info->key_size);
		cli_json_name("value");
		cli_json_begin('{');
		cli_json_name("error");
		cli_json_string(err_text(err));
		cli_json_end('}');
		cli_json_end('}');
		return;
	}
	const char *msg = err == -ENOENT ? "<no entry>" : err_text(err);
	size_t len = strlen(msg);
	bool break_names = info->key_size > 16 || len > 16;
	bool one_line = !break_names && info->key_size + len <= 24;
	printf("key:%c", break_names ? '\n' : ' ');
	print_hex(key, info->key_size);
	fputs(one_line ? "  " : "\n", stdout);
	printf("value:%c%s\n", break_names ? '\n' : ' ', msg);
}

/* Buffers for one key and one value of a map (value: all CPUs' copies). */
static int alloc_elem(const struct uebpf_map_info *info, uint8_t **key, uint8_t **key2,
		      uint8_t **value)
{
	size_t vsize = user_value_size(info);
	*key = calloc(1, info->key_size ? info->key_size : 1);
	*value = calloc(1, vsize ? vsize : 1);
	if (key2)
		*key2 = calloc(1, info->key_size ? info->key_size : 1);
	if (!*key || (key2 && !*key2) || !*value) {
		free(*key);
		free(*value);
		*key = *value = NULL;
		if (key2) {
			free(*key2);
			*key2 = NULL;
		}
		return fail(EXIT_FAIL, "out of memory for a key of %u and a value of %zu bytes",
			    info->key_size, vsize);
	}
	return 0;
}

/* ---- show / list ---- */

static void show_header_plain(const struct uebpf_map_info *info)
{
	const char *t = cli_map_type_name(info->type);
	printf("%u: ", info->id);
	if (t)
		printf("%s  ", t);
	else
		printf("type %u  ", info->type);
	if (info->name[0])
		printf("name %s  ", info->name);
	printf("flags 0x%x\n", info->map_flags);
}

static void show_header_json(const struct uebpf_map_info *info)
{
	const char *t = cli_map_type_name(info->type);
	cli_json_name("id");
	cli_json_uint(info->id);
	cli_json_name("type");
	if (t)
		cli_json_string(t);
	else
		cli_json_uint(info->type);
	if (info->name[0]) {
		cli_json_name("name");
		cli_json_string(info->name);
	}
	cli_json_name("flags");
	cli_json_uint(info->map_flags);
}

/* Calls fn for each path the map is pinned at. */
static void for_each_pin(const struct target *t, void (*fn)(const char *path))
{
	bool opened_path_seen = false;
	for (size_t i = 0; i < pins.n; i++) {
		if (pins.v[i].dev != t->dev || pins.v[i].ino != t->ino)
			continue;
		fn(pins.v[i].path);
		opened_path_seen |= strcmp(pins.v[i].path, t->path) == 0;
	}
	/* Opened by a path outside the pin directory. */
	size_t n = strlen(pin_dir());
	if (!opened_path_seen && (strncmp(t->path, pin_dir(), n) || t->path[n] != '/'))
		fn(t->path);
}

static void print_pin_plain(const char *path)
{
	printf("\n\tpinned %s", path);
}

static void show_map(const struct target *t)
{
	const struct uebpf_map_info *info = &t->info;
	if (cli_js.on) {
		cli_json_begin('{');
		show_header_json(info);
		cli_json_name("bytes_key");
		cli_json_uint(info->key_size);
		cli_json_name("bytes_value");
		cli_json_uint(info->value_size);
		cli_json_name("max_entries");
		cli_json_uint(info->max_entries);
		cli_json_name("bytes_memlock");
		cli_json_uint(info->memory_size);
		cli_json_name("frozen");
		cli_json_uint(info->frozen);
		cli_json_name("pinned");
		cli_json_begin('[');
		for_each_pin(t, cli_json_string);
		cli_json_end(']');
		cli_json_end('}');
		return;
	}
	show_header_plain(info);
	printf("\tkey %uB  value %uB  max_entries %u  memlock %" PRIu64 "B", info->key_size,
	       info->value_size, info->max_entries, info->memory_size);
	for_each_pin(t, print_pin_plain);
	if (info->frozen)
		fputs("\n\tfrozen", stdout);
	putchar('\n');
}

static int do_show(struct cli_args *a)
{
	struct targets ts = { 0 };
	bool all = !cli_peek_arg(a);
	int err = all ? find_maps(NULL, NULL, false, &ts) : parse_map(a, &ts, true, false);
	if (!err)
		err = no_more_args(a);
	if (!err)
		err = scan_pins();
	if (!err) {
		/* One map named: an object; a list: an array. */
		bool array = all || ts.n > 1;
		if (cli_js.on && array)
			cli_json_begin('[');
		for (size_t i = 0; i < ts.n; i++)
			show_map(&ts.v[i]);
		if (cli_js.on && array)
			cli_json_end(']');
	}
	close_targets(&ts);
	return err;
}

/* ---- dump ---- */

static int dump_map(const struct target *t, bool header)
{
	const struct uebpf_map_info *info = &t->info;
	uint8_t *key, *next, *value;
	unsigned int count = 0;
	char desc[64];
	int err;

	if (info->type == BPF_MAP_TYPE_BLOOM_FILTER)
		return fail(EXIT_FAIL, "%s: a bloom filter's values cannot be listed "
			    "(lookup MAP value DATA tests one)", describe(info, desc, sizeof(desc)));
	if (info->key_size == 0 && info->type != BPF_MAP_TYPE_QUEUE &&
	    info->type != BPF_MAP_TYPE_STACK)
		return fail(EXIT_FAIL, "%s has no elements to list",
			    describe(info, desc, sizeof(desc)));
	err = alloc_elem(info, &key, &next, &value);
	if (err)
		return err;
	if (cli_js.on) {
		if (header) {
			cli_json_begin('{');
			show_header_json(info);
			cli_json_name("elements");
		}
		cli_json_begin('[');
	} else if (header) {
		show_header_plain(info);
	}

	if (info->key_size == 0) {
		/* Queue, stack: only the next value can be read without
		 * taking it out (peek). */
		err = uebpf_map_lookup_elem(t->fd, NULL, value);
		if (err == 0) {
			print_entry(info, key, value);
			count = 1;
		} else if (err != -ENOENT) {
			fail(EXIT_FAIL, "%s: cannot peek: %s", describe(info, desc, sizeof(desc)),
			     err_text(err));
		} else {
			err = 0;
		}
	} else {
		/* A hash map restarts the walk when the previous key goes
		 * away meanwhile: bound the walk if another process keeps
		 * changing the map. */
		uint64_t steps = (uint64_t)info->max_entries * 4 + 64;
		bool first = true;
		for (;;) {
			err = uebpf_map_get_next_key(t->fd, first ? NULL : key, next);
			if (err) {
				if (err == -ENOENT)
					err = 0;
				else
					fail(EXIT_FAIL, "can't get next key: %s", err_text(err));
				break;
			}
			if (steps-- == 0) {
				cli_error("map: %s changed during the dump; stopped after %u elements",
					  describe(info, desc, sizeof(desc)), count);
				break;
			}
			first = false;
			uint8_t *tmp = key;
			key = next;
			next = tmp;
			int lerr = uebpf_map_lookup_elem(t->fd, key, value);
			if (lerr) {
				print_entry_error(info, key, lerr);
				continue;
			}
			print_entry(info, key, value);
			count++;
		}
	}

	if (cli_js.on) {
		cli_json_end(']');
		if (header)
			cli_json_end('}');
	} else if (info->key_size == 0 && count) {
		printf("Found 1 element (the next one: a %s shows no others "
		       "without taking them out)\n", cli_map_type_name(info->type));
	} else {
		printf("Found %u element%s\n", count, count == 1 ? "" : "s");
	}
	free(key);
	free(next);
	free(value);
	return err ? EXIT_FAIL : 0;
}

static int do_dump(struct cli_args *a)
{
	struct targets ts = { 0 };
	int err = parse_map(a, &ts, true, true);
	if (!err)
		err = no_more_args(a);
	if (!err) {
		bool many = ts.n > 1;
		if (cli_js.on && many)
			cli_json_begin('[');
		for (size_t i = 0; i < ts.n && !err; i++) {
			if (!cli_js.on && i)
				putchar('\n');
			err = dump_map(&ts.v[i], many);
		}
		if (cli_js.on && many)
			cli_json_end(']');
	}
	close_targets(&ts);
	return err;
}

/* ---- element commands ---- */

/* Opens the one map of a command; *t is valid when 0 is returned. */
static int open_one(struct cli_args *a, struct targets *ts, struct target **t)
{
	int err = parse_map(a, ts, false, true);
	*t = err ? NULL : &ts->v[0];
	return err;
}

/* Why an update failed, in words, after the errno's own text. */
static const char *update_hint(const struct uebpf_map_info *info, int err)
{
	if (err == -EPERM && info->frozen)
		return " (the map is frozen)";
	if (err == -E2BIG && (info->type == BPF_MAP_TYPE_ARRAY ||
			      info->type == BPF_MAP_TYPE_PERCPU_ARRAY))
		return " (the index is past max_entries)";
	if (err == -E2BIG)
		return " (the map is full)";
	if (err == -EEXIST)
		return " (the key exists and noexist was given)";
	if (err == -ENOENT)
		return " (no such key and exist was given)";
	return "";
}

static int do_update(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	uint64_t flags = BPF_ANY;
	uint8_t *key = NULL, *value = NULL;
	int err = open_one(a, &ts, &t);
	if (err)
		goto out;
	const struct uebpf_map_info *info = &t->info;
	err = alloc_elem(info, &key, NULL, &value);
	if (err)
		goto out;
	struct elem e = { .key = key, .value = value, .flags = &flags };
	err = parse_elem(a, info, &e, info->value_size);
	if (err)
		goto out;
	if (info->key_size && !e.have_key) {
		err = fail(EXIT_USAGE, "did not find key");
		goto out;
	}
	if (!e.have_value) {
		err = fail(EXIT_USAGE, "did not find value");
		goto out;
	}
	/* Per-CPU maps: the one value given goes to every CPU, as in bpftool. */
	if (cli_map_is_percpu(info->type))
		for (uint32_t cpu = 1; cpu < info->ncpus; cpu++)
			memcpy(value + cpu * value_stride(info), value, info->value_size);
	err = uebpf_map_update_elem(t->fd, info->key_size ? key : NULL, value, flags);
	if (err) {
		err = fail(EXIT_FAIL, "update failed: %s%s", err_text(err), update_hint(info, err));
		goto out;
	}
	if (cli_js.on)
		cli_json_null();
out:
	free(key);
	free(value);
	close_targets(&ts);
	return err;
}

/* lookup and peek: a key's value; keyless maps' next value; a bloom
 * filter's answer for a value. */
static int do_lookup(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	uint8_t *key = NULL, *value = NULL;
	char desc[64];
	int err = open_one(a, &ts, &t);
	if (err)
		goto out;
	const struct uebpf_map_info *info = &t->info;
	bool bloom = info->type == BPF_MAP_TYPE_BLOOM_FILTER;
	err = alloc_elem(info, &key, NULL, &value);
	if (err)
		goto out;
	struct elem e = { .key = key, .value = bloom ? value : NULL };
	err = parse_elem(a, info, &e, info->value_size);
	if (err)
		goto out;
	if (info->key_size && !e.have_key) {
		err = fail(EXIT_USAGE, "did not find key");
		goto out;
	}
	if (bloom && !e.have_value) {
		err = fail(EXIT_USAGE, "did not find value (a bloom filter is asked about a value)");
		goto out;
	}
	err = uebpf_map_lookup_elem(t->fd, info->key_size ? key : NULL, value);
	if (err == -ENOENT) {
		if (cli_js.on) {
			cli_json_null();
		} else if (info->key_size) {
			fputs("key:\n", stdout);
			print_hex(key, info->key_size);
			fputs("\n\nNot found\n", stdout);
		} else if (bloom) {
			fputs("value:\n", stdout);
			print_hex(value, info->value_size);
			fputs("\n\nNot found\n", stdout);
		} else {
			cli_error("map: %s is empty", describe(info, desc, sizeof(desc)));
		}
		err = EXIT_FAIL;
		goto out;
	}
	if (err) {
		err = fail(EXIT_FAIL, "lookup failed: %s", err_text(err));
		goto out;
	}
	print_entry(info, key, value);
out:
	free(key);
	free(value);
	close_targets(&ts);
	return err;
}

static int do_getnext(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	uint8_t *key = NULL, *next = NULL, *value = NULL;
	char desc[64];
	int err = open_one(a, &ts, &t);
	if (err)
		goto out;
	const struct uebpf_map_info *info = &t->info;
	if (!info->key_size) {
		err = fail(EXIT_FAIL, "%s has no keys", describe(info, desc, sizeof(desc)));
		goto out;
	}
	err = alloc_elem(info, &key, &next, &value);
	if (err)
		goto out;
	struct elem e = { .key = key };
	err = parse_elem(a, info, &e, 0);
	if (err)
		goto out;
	err = uebpf_map_get_next_key(t->fd, e.have_key ? key : NULL, next);
	if (err) {
		err = fail(EXIT_FAIL, "can't get next key: %s%s", err_text(err),
			   err == -ENOENT ? (e.have_key ? " (that was the last key)"
					     : " (the map is empty)") : "");
		goto out;
	}
	if (cli_js.on) {
		cli_json_begin('{');
		cli_json_name("key");
		if (e.have_key)
			cli_json_hex(key, info->key_size);
		else
			cli_json_null();
		cli_json_name("next_key");
		cli_json_hex(next, info->key_size);
		cli_json_end('}');
	} else {
		if (e.have_key) {
			fputs("key:\n", stdout);
			print_hex(key, info->key_size);
			putchar('\n');
		} else {
			fputs("key: None\n", stdout);
		}
		fputs("next key:\n", stdout);
		print_hex(next, info->key_size);
		putchar('\n');
	}
out:
	free(key);
	free(next);
	free(value);
	close_targets(&ts);
	return err;
}

static int do_delete(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	uint8_t *key = NULL, *value = NULL;
	char desc[64];
	int err = open_one(a, &ts, &t);
	if (err)
		goto out;
	const struct uebpf_map_info *info = &t->info;
	if (!info->key_size) {
		err = fail(EXIT_FAIL, "%s has no keys to delete (pop takes a value out)",
			   describe(info, desc, sizeof(desc)));
		goto out;
	}
	err = alloc_elem(info, &key, NULL, &value);
	if (err)
		goto out;
	struct elem e = { .key = key };
	err = parse_elem(a, info, &e, 0);
	if (err)
		goto out;
	if (!e.have_key) {
		err = fail(EXIT_USAGE, "did not find key");
		goto out;
	}
	err = uebpf_map_delete_elem(t->fd, key);
	if (err) {
		const char *hint = err == -EPERM ? update_hint(info, err) : "";
		if (err == -EINVAL && (info->type == BPF_MAP_TYPE_ARRAY ||
				       info->type == BPF_MAP_TYPE_PERCPU_ARRAY))
			hint = " (array elements cannot be deleted)";
		err = fail(EXIT_FAIL, "delete failed: %s%s", err_text(err), hint);
		goto out;
	}
	if (cli_js.on)
		cli_json_null();
out:
	free(key);
	free(value);
	close_targets(&ts);
	return err;
}

static int do_pop(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	uint8_t *key = NULL, *value = NULL;
	char desc[64];
	int err = open_one(a, &ts, &t);
	if (err)
		goto out;
	const struct uebpf_map_info *info = &t->info;
	err = no_more_args(a);
	if (err)
		goto out;
	if (info->key_size || info->type == BPF_MAP_TYPE_BLOOM_FILTER) {
		err = fail(EXIT_FAIL, "%s: pop and dequeue take values out of queues and stacks",
			   describe(info, desc, sizeof(desc)));
		goto out;
	}
	err = alloc_elem(info, &key, NULL, &value);
	if (err)
		goto out;
	err = uebpf_map_lookup_and_delete_elem(t->fd, NULL, value);
	if (err == -ENOENT) {
		if (cli_js.on)
			cli_json_null();
		cli_error("map: %s is empty", describe(info, desc, sizeof(desc)));
		err = EXIT_FAIL;
		goto out;
	}
	if (err) {
		err = fail(EXIT_FAIL, "pop failed: %s%s", err_text(err),
			   err == -EPERM ? update_hint(info, err) : "");
		goto out;
	}
	print_entry(info, key, value);
out:
	free(key);
	free(value);
	close_targets(&ts);
	return err;
}

static int do_freeze(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	int err = open_one(a, &ts, &t);
	if (!err)
		err = no_more_args(a);
	if (!err) {
		err = uebpf_map_freeze(t->fd);
		if (err)
			err = fail(EXIT_FAIL, "failed to freeze map: %s%s", err_text(err),
				   err == -EPERM && t->info.frozen ? " (it is frozen already)" : "");
		else if (cli_js.on)
			cli_json_null();
	}
	close_targets(&ts);
	return err;
}

static int pin_error(const char *path, int err)
{
	char full[PATH_MAX];
	if (full_path(path, full, sizeof(full)))
		snprintf(full, sizeof(full), "%s", path);
	const char *hint = "";
	if (err == -EXDEV)
		hint = " (pins must be on the file system of the pin directory)";
	else if (err == -EOPNOTSUPP)
		hint = " (the map is not in a file: is the pin directory usable?)";
	return fail(EXIT_FAIL, "can't pin the object (%s): %s%s", full, err_text(err), hint);
}

static int do_pin(struct cli_args *a)
{
	struct targets ts = { 0 };
	struct target *t;
	int err = open_one(a, &ts, &t);
	if (!err) {
		const char *file = cli_next_arg(a);
		if (!file)
			err = fail(EXIT_USAGE, "expected the FILE to pin the map at");
		else if (!(err = no_more_args(a)) && (err = uebpf_obj_pin(t->fd, file)))
			err = pin_error(file, err);
		else if (!err && cli_js.on)
			cli_json_null();
	}
	close_targets(&ts);
	return err;
}

/* ---- create ---- */

static bool valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n > 15)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int parse_u32_field(struct cli_args *a, const char *what, bool *seen, uint64_t max,
			   uint64_t *out)
{
	const char *arg = cli_next_arg(a);
	if (*seen)
		return fail(EXIT_USAGE, "%s already specified", what);
	if (!arg)
		return fail(EXIT_USAGE, "%s: missing number", what);
	if (parse_u64(arg, max, out))
		return fail(EXIT_USAGE, "can't parse %s as %s", arg, what);
	*seen = true;
	return 0;
}

static int do_create(struct cli_args *a)
{
	uint64_t key_size = 0, value_size = 0, max_entries = 0, flags = 0, extra = 0;
	bool seen_key = false, seen_value = false, seen_entries = false, seen_flags = false,
	     seen_extra = false;
	int type = -1;
	const char *name = NULL, *tok;
	int err;

	const char *file = cli_next_arg(a);
	if (!file)
		return fail(EXIT_USAGE, "expected FILE type TYPE key KEY_SIZE value VALUE_SIZE "
			    "entries MAX_ENTRIES name NAME");
	while ((tok = cli_next_arg(a))) {
		if (cli_is_prefix(tok, "type")) {
			const char *t = cli_next_arg(a);
			if (type >= 0)
				return fail(EXIT_USAGE, "map type already specified");
			if (!t)
				return fail(EXIT_USAGE, "type: missing map type");
			for (size_t i = 1; i < N_TYPES && type < 0; i++)
				if (!strcmp(t, type_names[i]))
					type = (int)i;
			if (type < 0)
				return fail(EXIT_USAGE, "unrecognized map type: %s", t);
		} else if (cli_is_prefix(tok, "name")) {
			name = cli_next_arg(a);
			if (!name)
				return fail(EXIT_USAGE, "name: missing map name");
		} else if (cli_is_prefix(tok, "key")) {
			err = parse_u32_field(a, "key size", &seen_key, UINT32_MAX, &key_size);
			if (err)
				return err;
		} else if (cli_is_prefix(tok, "value")) {
			err = parse_u32_field(a, "value size", &seen_value, UINT32_MAX, &value_size);
			if (err)
				return err;
		} else if (cli_is_prefix(tok, "entries")) {
			err = parse_u32_field(a, "max entries", &seen_entries, UINT32_MAX,
					      &max_entries);
			if (err)
				return err;
		} else if (cli_is_prefix(tok, "flags")) {
			err = parse_u32_field(a, "flags", &seen_flags, UINT32_MAX, &flags);
			if (err)
				return err;
		} else if (cli_is_prefix(tok, "extra")) {
			err = parse_u32_field(a, "map extra", &seen_extra, UINT64_MAX, &extra);
			if (err)
				return err;
		} else if (cli_is_prefix(tok, "inner_map") || cli_is_prefix(tok, "dev")) {
			return fail(EXIT_USAGE, "%s is not supported by uebpf (no map-in-map, "
				    "no offload)", tok);
		} else {
			return fail(EXIT_USAGE, "unknown arg %s", tok);
		}
	}
	if (type < 0)
		return fail(EXIT_USAGE, "map type not specified");
	if (!name)
		return fail(EXIT_USAGE, "map name not specified");
	if (!valid_name(name))
		return fail(EXIT_USAGE, "invalid map name '%s': at most 15 characters among "
			    "A-Z a-z 0-9 _ .", name);

	struct uebpf_map_create_opts opts = {
		.sz = sizeof(opts), .map_flags = (uint32_t)flags, .map_extra = extra,
	};
	int fd = uebpf_map_create((enum bpf_map_type)type, name, (uint32_t)key_size,
				  (uint32_t)value_size, (uint32_t)max_entries, &opts);
	if (fd < 0)
		return fail(EXIT_FAIL, "map create failed: %s (%s map, key %" PRIu64 "B, value %"
			    PRIu64 "B, max_entries %" PRIu64 ", flags 0x%" PRIx64 "%s)",
			    err_text(fd), type_names[type], key_size, value_size, max_entries,
			    flags, fd == -EINVAL ? ": sizes, flags or type refused" : "");
	err = uebpf_obj_pin(fd, file);
	uebpf_map_close(fd);
	if (err)
		return pin_error(file, err);
	if (cli_js.on)
		cli_json_null();
	return 0;
}

/* ---- help and dispatch ---- */

static int do_help(struct cli_args *a)
{
	if (cli_js.on) {
		cli_json_null();
		return 0;
	}
	printf("Usage: uebpf map { show | list }   [MAP]\n"
	       "       uebpf map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n"
	       "                                  entries MAX_ENTRIES name NAME [flags FLAGS] \\\n"
	       "                                  [extra MAP_EXTRA]\n"
	       "       uebpf map dump       MAP\n"
	       "       uebpf map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n"
	       "       uebpf map lookup     MAP [key DATA]\n"
	       "       uebpf map getnext    MAP [key DATA]\n"
	       "       uebpf map delete     MAP  key DATA\n"
	       "       uebpf map pin        MAP  FILE\n"
	       "       uebpf map peek       MAP\n"
	       "       uebpf map push       MAP value VALUE\n"
	       "       uebpf map pop        MAP\n"
	       "       uebpf map enqueue    MAP value VALUE\n"
	       "       uebpf map dequeue    MAP\n"
	       "       uebpf map freeze     MAP\n"
	       "       uebpf map help\n"
	       "\n"
	       "       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
	       "       FILE := a path; relative paths are in the pin directory\n"
	       "               ($" UEBPF_PIN_DIR_ENV ", else " UEBPF_PIN_DIR_DEFAULT "; now %s)\n"
	       "       DATA := { [hex] BYTES }\n"
	       "       VALUE := DATA\n"
	       "       UPDATE_FLAGS := { any | exist | noexist }\n"
	       "       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |\n"
	       "                 percpu_array | stack_trace | cgroup_array | lru_hash |\n"
	       "                 lru_percpu_hash | lpm_trie | array_of_maps | hash_of_maps |\n"
	       "                 devmap | devmap_hash | sockmap | cpumap | xskmap | sockhash |\n"
	       "                 cgroup_storage | reuseport_sockarray | percpu_cgroup_storage |\n"
	       "                 queue | stack | sk_storage | struct_ops | ringbuf | inode_storage |\n"
	       "                 task_storage | bloom_filter | user_ringbuf }\n"
	       "       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n"
	       "\n"
	       "       BYTES are decimal, 0x hex or 0 octal (as in bpftool): key 1 0 0 0,\n"
	       "       key 0x01 0x00 0x00 0x00; after 'hex', hex: key hex 01 00 00 00, key hex 01000000.\n"
	       "       Per-CPU maps take one value and store it for every CPU.\n"
	       "       A bloom filter is asked with: lookup MAP value DATA.\n",
	       pin_dir());
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct cli_args *a);
} map_cmds[] = {
	/* bpftool's order: a prefix picks the first command it matches. */
	{ "show", do_show },
	{ "list", do_show },
	{ "help", do_help },
	{ "dump", do_dump },
	{ "update", do_update },
	{ "lookup", do_lookup },
	{ "getnext", do_getnext },
	{ "delete", do_delete },
	{ "pin", do_pin },
	{ "event_pipe", NULL },
	{ "create", do_create },
	{ "peek", do_lookup },
	{ "push", do_update },
	{ "enqueue", do_update },
	{ "pop", do_pop },
	{ "dequeue", do_pop },
	{ "freeze", do_freeze },
};


int cmd_map(int argc, char **argv)
{
	struct cli_args a;
	memset(&cli_js, 0, sizeof(cli_js));
	int err = cli_take_options("map", argc, argv, &a, "jpfn");
	if (!err) {
		const char *cmd = cli_next_arg(&a);
		size_t i, n = sizeof(map_cmds) / sizeof(map_cmds[0]);
		if (!cmd) {
			err = do_show(&a); /* bare `map`: bpftool shows them all */
		} else {
			for (i = 0; i < n && !cli_is_prefix(cmd, map_cmds[i].name); i++)
				;
			if (i == n) {
				err = fail(EXIT_USAGE, "unknown command '%s' (uebpf map help lists them)",
					   cmd);
			} else if (!map_cmds[i].run) {
				err = fail(EXIT_USAGE, "%s is not supported by uebpf "
					   "(no perf event arrays)", map_cmds[i].name);
			} else {
				err = map_cmds[i].run(&a);
			}
		}
	}
	if (cli_js.on)
		putchar('\n'); /* bpftool ends its JSON with a newline */
	free_pins();
	if (fflush(stdout) && !err)
		err = cli_error("map: cannot write the output: %s", strerror(errno));
	return err;
}
