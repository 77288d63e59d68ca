/* SPDX-License-Identifier: MIT */
/*
 * uebpf prog: bpftool's `prog show | list | dump xlated` on the programs
 * processes have loaded with uebpf.
 *
 * Programs live in the process that loaded them; each publishes a record
 * in the pin directory (object/prog.h) that this command reads, as
 * bpftool walks the kernel's program ids. The grammar (keywords and
 * their prefixes), the plain layout and the JSON shapes (-j, -p) are
 * bpftool's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "object/prog.h"
#include "object/sec_def.h"

#define LDDW (BPF_LD | BPF_IMM | BPF_DW)

/* cli_fail for uebpf prog. */
__attribute__((format(printf, 2, 3)))
static int fail(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	status = cli_failv("prog", status, fmt, ap);
	va_end(ap);
	return status;
}

/* ---- the command line ---- */

static int parse_id(const char *s, uint32_t *id)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || errno || v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* A tag as bpftool takes it: 16 hex digits, or 8 bytes "c1 3f ...". */
static int parse_tag(struct cli_args *a, uint8_t tag[8])
{
	char hex[17] = "";
	size_t len = 0;
	while (len < 16) {
		const char *s = cli_next_arg(a);
		if (!s)
			return -1;
		size_t n = strlen(s);
		if (len + n > 16)
			return -1;
		memcpy(hex + len, s, n);
		len += n;
		hex[len] = '\0';
	}
	for (int i = 0; i < 8; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF",
								    hex[2 * i + 1]))
			return -1;
		tag[i] = (uint8_t)v;
	}
	return 0;
}

static void tag_text(const uint8_t tag[8], char out[17])
{
	for (int i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", tag[i]);
}

struct progs {
	struct prog_record **v;
	size_t n;
};

static void free_progs(struct progs *ps)
{
	prog_records_free(ps->v, ps->n);
	ps->v = NULL;
	ps->n = 0;
}

/* Keeps only the records keep() accepts. */
static void filter(struct progs *ps, bool (*keep)(const struct prog_record *, const void *),
		   const void *arg)
{
	size_t kept = 0;
	for (size_t i = 0; i < ps->n; i++) {
		if (keep(ps->v[i], arg))
			ps->v[kept++] = ps->v[i];
		else
			prog_record_free(ps->v[i]);
	}
	ps->n = kept;
}

static bool same_tag(const struct prog_record *r, const void *tag)
{
	return memcmp(r->info.tag, tag, 8) == 0;
}

static bool same_name(const struct prog_record *r, const void *name)
{
	return strcmp(r->info.name, name) == 0;
}

static int list_all(struct progs *ps)
{
	int err = prog_records_list(NULL, &ps->v, &ps->n);
	if (err) {
		char dir[512];
		prog_records_dir(NULL, dir, sizeof(dir));
		return fail(EXIT_FAIL, "cannot list the programs in %s: %s", dir, strerror(-err));
	}
	return 0;
}

/*
 * PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }.
 * Tags and names may match several programs; commands that want one
 * pass many = false.
 */
static int parse_prog(struct cli_args *a, struct progs *ps, bool many)
{
	const char *kw = cli_next_arg(a);
	if (!kw)
		return fail(EXIT_USAGE, "expected a program: id PROG_ID, tag PROG_TAG or "
			    "name PROG_NAME");
	if (cli_is_prefix(kw, "id")) {
		uint32_t id;
		const char *arg = cli_next_arg(a);
		if (parse_id(arg, &id))
			return fail(EXIT_USAGE, "can't parse %s as ID", arg ? arg : "nothing");
		struct prog_record *rec;
		int err = prog_record_find(NULL, id, &rec);
		if (err == -ENOENT)
			return fail(EXIT_FAIL, "no program with id %u (a program is listed while "
				    "the process that loaded it runs)", id);
		if (err)
			return fail(EXIT_FAIL, "cannot read program %u: %s", id, strerror(-err));
		ps->v = malloc(sizeof(*ps->v));
		if (!ps->v) {
			prog_record_free(rec);
			return fail(EXIT_FAIL, "out of memory");
		}
		ps->v[0] = rec;
		ps->n = 1;
		return 0;
	}
	if (cli_is_prefix(kw, "pinned"))
		return fail(EXIT_FAIL, "programs cannot be pinned yet: use id, tag or name");
	bool by_tag = cli_is_prefix(kw, "tag");
	if (!by_tag && !cli_is_prefix(kw, "name"))
		return fail(EXIT_USAGE, "expected 'id', 'tag', 'name' or 'pinned', got: '%s'", kw);
	uint8_t tag[8];
	const char *name = NULL;
	if (by_tag && parse_tag(a, tag))
		return fail(EXIT_USAGE, "can't parse tag (16 hex digits, as bpftool prints it)");
	if (!by_tag) {
		name = cli_next_arg(a);
		if (!name)
			return fail(EXIT_USAGE, "'name' needs an argument");
		if (strlen(name) > 15)
			return fail(EXIT_USAGE, "program name '%s' is too long (at most 15 "
				    "characters, as the kernel keeps them)", name);
	}
	int err = list_all(ps);
	if (err)
		return err;
	if (by_tag)
		filter(ps, same_tag, tag);
	else
		filter(ps, same_name, name);
	char tag_hex[17];
	tag_text(tag, tag_hex);
	if (ps->n == 0)
		return fail(EXIT_FAIL, "no program with %s %s", by_tag ? "tag" : "name",
			    by_tag ? tag_hex : name);
	if (ps->n > 1 && !many)
		return fail(EXIT_FAIL, "several programs match this handle; use its id");
	return 0;
}

/* ---- show ---- */

static void header_plain(const struct prog_record *r)
{
	const char *type = sec_def_prog_type_name(r->info.type);
	char tag[17];
	printf("%u: ", r->info.id);
	if (type)
		printf("%s  ", type);
	else
		printf("type %u  ", r->info.type);
	if (r->info.name[0])
		printf("name %s  ", r->info.name);
	tag_text(r->info.tag, tag);
	printf("tag %s%s\n", tag, r->info.gpl_compatible ? "  gpl" : "");
}

static void header_json(const struct prog_record *r)
{
	const char *type = sec_def_prog_type_name(r->info.type);
	char tag[17];
	cli_json_name("id");
	cli_json_uint(r->info.id);
	cli_json_name("type");
	if (type)
		cli_json_string(type);
	else
		cli_json_uint(r->info.type);
	if (r->info.name[0]) {
		cli_json_name("name");
		cli_json_string(r->info.name);
	}
	tag_text(r->info.tag, tag);
	cli_json_name("tag");
	cli_json_string(tag);
	cli_json_name("gpl_compatible");
	cli_json_bool(r->info.gpl_compatible);
}

static void show_prog(const struct prog_record *r)
{
	time_t secs = (time_t)(r->info.load_time / 1000000000u);
	size_t xlated = r->insn_cnt * sizeof(struct uebpf_insn);
	struct tm tm;

	if (cli_js.on) {
		cli_json_begin('{');
		header_json(r);
		cli_json_name("loaded_at");
		cli_json_uint((uint64_t)secs);
		cli_json_name("uid");
		cli_json_uint(r->uid);
		cli_json_name("bytes_xlated");
		cli_json_uint(xlated);
		cli_json_name("jited");
		cli_json_bool(false);
		if (r->info.nr_map_ids) {
			cli_json_name("map_ids");
			cli_json_begin('[');
			for (uint32_t i = 0; i < r->info.nr_map_ids; i++)
				cli_json_uint(r->info.map_ids[i]);
			cli_json_end(']');
		}
		cli_json_name("pids");
		cli_json_begin('[');
		cli_json_begin('{');
		cli_json_name("pid");
		cli_json_uint(r->pid);
		cli_json_name("comm");
		cli_json_string(r->comm);
		cli_json_end('}');
		cli_json_end(']');
		cli_json_end('}');
		return;
	}
	char when[64] = "";
	if (localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%FT%T%z", &tm);
	header_plain(r);
	printf("\tloaded_at %s  uid %u\n", when, r->uid);
	printf("\txlated %zuB  not jited", xlated);
	for (uint32_t i = 0; i < r->info.nr_map_ids; i++)
		printf("%s%u", i ? "," : "  map_ids ", r->info.map_ids[i]);
	printf("\n\tpids %s(%u)\n", r->comm, r->pid);
}

static int do_show(struct cli_args *a)
{
	struct progs ps = { 0 };
	bool all = !cli_peek_arg(a);
	int err = all ? list_all(&ps) : parse_prog(a, &ps, true);
	if (!err && cli_peek_arg(a))
		err = fail(EXIT_USAGE, "unexpected argument '%s'", cli_peek_arg(a));
	if (!err) {
		/* One program named: an object; a list: an array. */
		bool array = all || ps.n > 1;
		if (cli_js.on && array)
			cli_json_begin('[');
		for (size_t i = 0; i < ps.n; i++)
			show_prog(ps.v[i]);
		if (cli_js.on && array)
			cli_json_end(']');
	}
	free_progs(&ps);
	return err;
}

/* ---- dump xlated ---- */

/* One instruction as bpftool's xlated dump prints it: the kernel syntax,
 * map references by id. */
static void insn_text(const struct prog_record *r, size_t i, char *buf, size_t size)
{
	const struct uebpf_insn *in = &r->insns[i];
	if (in->code == LDDW && i + 1 < r->insn_cnt && in->src_reg == BPF_PSEUDO_MAP_FD) {
		snprintf(buf, size, "(18) r%d = map[id:%u]", in->dst_reg, (uint32_t)in->imm);
		return;
	}
	if (in->code == LDDW && i + 1 < r->insn_cnt && in->src_reg == BPF_PSEUDO_MAP_VALUE) {
		snprintf(buf, size, "(18) r%d = map[id:%u][0]+%u", in->dst_reg, (uint32_t)in->imm,
			 (uint32_t)in[1].imm);
		return;
	}
	struct uebpf_disasm_opts opts = { .sz = sizeof(opts), .syntax = UEBPF_SYNTAX_KERNEL };
	if (uebpf_disasm_insn(r->insns, r->insn_cnt, i, buf, size, &opts) < 0)
		snprintf(buf, size, "<invalid>");
}

/* The line info entry that starts at instruction i, if any (the table
 * is in instruction order; *next walks it). */
static const struct prog_line *line_at(const struct prog_record *r, size_t i, size_t *next)
{
	const struct prog_line *found = NULL;
	while (*next < r->line_cnt && r->lines[*next].insn_off <= i) {
		if (r->lines[*next].insn_off == i && !found)
			found = &r->lines[*next];
		++*next;
	}
	return found;
}

static const char *ltrim(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
		s++;
	return s;
}

static void dump_plain(const struct prog_record *r, bool opcodes, bool linum)
{
	size_t next_line = 0;
	char text[256];
	for (size_t i = 0; i < r->insn_cnt; i++) {
		const struct prog_line *l = line_at(r, i, &next_line);
		if (l && l->text) {
			if (linum)
				printf("; %s [file:%s line_num:%u line_col:%u]\n", ltrim(l->text),
				       l->file ? l->file : "", l->line, l->col);
			else
				printf("; %s\n", ltrim(l->text));
		}
		bool wide = r->insns[i].code == LDDW && i + 1 < r->insn_cnt;
		insn_text(r, i, text, sizeof(text));
		printf("% 4d: %s\n", (int)i, text);
		if (opcodes) {
			const uint8_t *b = (const uint8_t *)&r->insns[i];
			fputs("      ", stdout);
			for (size_t k = 0; k < (wide ? 16u : 8u); k++)
				printf(" %02x", b[k]);
			putchar('\n');
		}
		i += wide;
	}
}

static void dump_json(const struct prog_record *r, bool opcodes, bool linum)
{
	size_t next_line = 0;
	char text[256], num[8];
	cli_json_begin('[');
	for (size_t i = 0; i < r->insn_cnt; i++) {
		const struct prog_line *l = line_at(r, i, &next_line);
		bool wide = r->insns[i].code == LDDW && i + 1 < r->insn_cnt;
		cli_json_begin('{');
		if (l && l->text) {
			cli_json_name("src");
			cli_json_string(ltrim(l->text));
		}
		if (l && linum) {
			if (l->file) {
				cli_json_name("file");
				cli_json_string(l->file);
			}
			if (l->line) {
				cli_json_name("line_num");
				cli_json_uint(l->line);
			}
			if (l->col) {
				cli_json_name("line_col");
				cli_json_uint(l->col);
			}
		}
		insn_text(r, i, text, sizeof(text));
		cli_json_name("disasm");
		cli_json_string(text);
		if (opcodes) {
			const struct uebpf_insn *in = &r->insns[i];
			const uint8_t *b = (const uint8_t *)in;
			cli_json_name("opcodes");
			cli_json_begin('{');
			cli_json_name("code");
			snprintf(num, sizeof(num), "0x%02x", in->code);
			cli_json_string(num);
			cli_json_name("src_reg");
			snprintf(num, sizeof(num), "0x%x", in->src_reg);
			cli_json_string(num);
			cli_json_name("dst_reg");
			snprintf(num, sizeof(num), "0x%x", in->dst_reg);
			cli_json_string(num);
			cli_json_name("off");
			cli_json_hex(b + 2, 2);
			cli_json_name("imm"); /* a 64-bit immediate's: both halves' */
			cli_json_hex(b + 4, wide ? 12 : 4);
			cli_json_end('}');
		}
		cli_json_end('}');
		i += wide;
	}
	cli_json_end(']');
}

static int dump_file(const struct prog_record *r, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(EXIT_FAIL, "can't open file %s: %s", path, strerror(errno));
	size_t size = r->insn_cnt * sizeof(struct uebpf_insn);
	ssize_t n = write(fd, r->insns, size);
	int err = n < 0 ? errno : 0;
	if (close(fd) && !err)
		err = errno;
	if (err || (size_t)n != size)
		return fail(EXIT_FAIL, "error writing %s: %s", path,
			    err ? strerror(err) : "short write");
	if (cli_js.on)
		cli_json_null();
	return 0;
}

static int do_dump(struct cli_args *a)
{
	const char *what = cli_next_arg(a);
	if (!what)
		return fail(EXIT_USAGE, "expected 'xlated' or 'jited'");
	if (cli_is_prefix(what, "jited"))
		return fail(EXIT_FAIL, "uebpf programs are not JIT-compiled yet (the interpreter "
			    "runs them): dump xlated shows them");
	if (!cli_is_prefix(what, "xlated"))
		return fail(EXIT_USAGE, "expected 'xlated' or 'jited', got: %s", what);

	struct progs ps = { 0 };
	int err = parse_prog(a, &ps, true);
	bool opcodes = false, linum = false;
	const char *file = NULL;
	while (!err && cli_peek_arg(a)) {
		const char *kw = cli_next_arg(a);
		if (cli_is_prefix(kw, "file")) {
			file = cli_next_arg(a);
			if (!file)
				err = fail(EXIT_USAGE, "expected file path");
			else if (ps.n > 1)
				err = fail(EXIT_FAIL, "several programs matched");
		} else if (cli_is_prefix(kw, "opcodes")) {
			opcodes = true;
		} else if (cli_is_prefix(kw, "linum")) {
			linum = true;
		} else if (cli_is_prefix(kw, "visual")) {
			err = fail(EXIT_FAIL, "'visual' (a control flow graph) is not supported");
		} else {
			err = fail(EXIT_USAGE, "expected 'file', 'opcodes' or 'linum', got: '%s'", kw);
		}
	}
	if (!err && file && (opcodes || linum))
		err = fail(EXIT_USAGE, "'file' is not compatible with 'opcodes', 'visual', or "
			   "'linum'");
	if (err) {
		free_progs(&ps);
		return err;
	}

	bool several = ps.n > 1;
	if (cli_js.on && several)
		cli_json_begin('[');
	for (size_t i = 0; i < ps.n && !err; i++) {
		const struct prog_record *r = ps.v[i];
		if (cli_js.on && several) {
			cli_json_begin('{');
			header_json(r);
			cli_json_name("insns");
		} else if (several) {
			header_plain(r);
		}
		if (file)
			err = dump_file(r, file);
		else if (cli_js.on)
			dump_json(r, opcodes, linum);
		else
			dump_plain(r, opcodes, linum);
		if (cli_js.on && several)
			cli_json_end('}');
		else if (several && i + 1 < ps.n)
			putchar('\n');
	}
	if (cli_js.on && several)
		cli_json_end(']');
	free_progs(&ps);
	return err;
}

/* ---- help and dispatch ---- */

static int do_help(struct cli_args *a)
{
	char dir[512];
	(void)a;
	prog_records_dir(NULL, dir, sizeof(dir));
	printf("Usage: uebpf prog { show | list } [PROG]\n"
	       "       uebpf prog dump xlated PROG [{ file FILE | [opcodes] [linum] }]\n"
	       "       uebpf prog help\n"
	       "\n"
	       "       PROG := { id PROG_ID | tag PROG_TAG | name PROG_NAME }\n"
	       "       OPTIONS := { {-j|--json} [{-p|--pretty}] }\n"
	       "\n"
	       "       Programs are those loaded with uebpf by processes that still run;\n"
	       "       each is listed from the record it publishes in %s.\n", dir);
	return 0;
}

static int not_supported(struct cli_args *a)
{
	return fail(EXIT_FAIL, "'%s' is not supported by uebpf yet", a->argv[a->pos - 1]);
}

static const struct {
	const char *name;
	int (*run)(struct cli_args *a);
} prog_cmds[] = {
	/* bpftool's order: a prefix picks the first command it matches. */
	{ "show", do_show },
	{ "list", do_show },
	{ "help", do_help },
	{ "dump", do_dump },
	{ "pin", not_supported },
	{ "load", not_supported },
	{ "loadall", not_supported },
	{ "attach", not_supported },
	{ "detach", not_supported },
	{ "tracelog", not_supported },
	{ "run", not_supported },
	{ "profile", not_supported },
};


int cmd_prog(int argc, char **argv)
{
	struct cli_args a;
	memset(&cli_js, 0, sizeof(cli_js));
	int err = cli_take_options("prog", argc, argv, &a, "jpfnm");
	if (!err) {
		const char *cmd = cli_next_arg(&a);
		size_t i, n = sizeof(prog_cmds) / sizeof(prog_cmds[0]);
		if (!cmd) {
			err = do_show(&a); /* bare `prog`: bpftool shows them all */
		} else {
			for (i = 0; i < n && !cli_is_prefix(cmd, prog_cmds[i].name); i++)
				;
			if (i == n)
				err = fail(EXIT_USAGE, "unknown command '%s' (uebpf prog help lists "
					   "them)", cmd);
			else
				err = prog_cmds[i].run(&a);
		}
	}
	if (cli_js.on)
		putchar('\n'); /* bpftool ends its JSON with a newline */
	if (fflush(stdout) && !err)
		err = cli_error("prog: cannot write the output: %s", strerror(errno));
	return err;
}
