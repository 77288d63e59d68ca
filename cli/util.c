/* SPDX-License-Identifier: MIT */
/* File, hex and program input shared by the subcommands. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("uebpf: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 1;
}

int cli_write_file(const char *path, const void *data, size_t len)
{
	FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (!out)
		return cli_error("cannot create %s: %s", path, strerror(errno));
	size_t written = fwrite(data, 1, len, out);
	int close_err = out == stdout ? fflush(out) : fclose(out);
	if (written != len || close_err)
		return cli_error("cannot write %s: %s", path, strerror(errno));
	return 0;
}

char *cli_read_file(const char *path, size_t *size)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		cli_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (len + 1 >= cap) {
			char *nb = cap > ((size_t)1 << 30) ? NULL : realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				cli_error("%s is too large", path);
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				cli_error("cannot read %s: %s", path, strerror(errno));
				free(buf);
				buf = NULL;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf)
		return NULL;
	buf[len] = '\0';
	*size = len;
	return buf;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

uint8_t *cli_parse_hex(const char *text, size_t *len, const char **bad)
{
	size_t cap = strlen(text) / 2 + 1, n = 0;
	uint8_t *out = malloc(cap);
	if (!out) {
		*bad = text;
		return NULL;
	}
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "hex", 3) == 0 && (isspace((unsigned char)p[3]) || !p[3]))
		p += 3;
	for (;;) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		const char *tok = p;
		while (hexval((unsigned char)*p) >= 0)
			p++;
		/* A token is one byte ("1", "ff") or a run of whole bytes. */
		size_t digits = (size_t)(p - tok);
		if (digits == 0 || (*p && !isspace((unsigned char)*p) && *p != ',') ||
		    (digits > 2 && digits % 2)) {
			*bad = tok;
			free(out);
			return NULL;
		}
		if (digits <= 2) {
			int v = hexval((unsigned char)tok[0]);
			if (digits == 2)
				v = v * 16 + hexval((unsigned char)tok[1]);
			out[n++] = (uint8_t)v;
		} else {
			for (size_t i = 0; i < digits; i += 2)
				out[n++] = (uint8_t)(hexval((unsigned char)tok[i]) * 16 +
						     hexval((unsigned char)tok[i + 1]));
		}
	}
	*len = n;
	return out;
}

/* Text if it has no NUL or other control bytes besides whitespace. */
static bool looks_like_text(const char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c < 0x20 && c != '\n' && c != '\r' && c != '\t')
			return false;
	}
	return true;
}

int cli_load_program(const char *path, struct uebpf_insn **insns, size_t *cnt)
{
	size_t size;
	char *buf = cli_read_file(path, &size);
	if (!buf)
		return 1;
	if (size >= 4 && memcmp(buf, "\x7f" "ELF", 4) == 0) {
		free(buf);
		return cli_error("%s is an ELF object; this build reads raw bytecode and "
				 "assembly text only (the object loader is not built yet)",
				 path);
	}
	if (size > 0 && looks_like_text(buf, size)) {
		char err[300];
		struct uebpf_asm_opts opts = {
			.sz = sizeof(opts), .err_buf = err, .err_size = sizeof(err),
		};
		int ret = uebpf_asm(buf, insns, cnt, &opts);
		free(buf);
		if (ret)
			return cli_error("%s: %s", path, err);
		return 0;
	}
	if (size == 0 || size % sizeof(struct uebpf_insn)) {
		free(buf);
		return cli_error("%s: %zu bytes is not a whole number of 8-byte instructions",
				 path, size);
	}
	*insns = (struct uebpf_insn *)buf; /* malloc'ed, suitably aligned */
	*cnt = size / sizeof(struct uebpf_insn);
	return 0;
}

int cli_parse_syntax(const char *s, bool allow_auto, enum uebpf_syntax *out)
{
	if (strcmp(s, "llvm") == 0)
		*out = UEBPF_SYNTAX_LLVM;
	else if (strcmp(s, "kernel") == 0 || strcmp(s, "bpftool") == 0)
		*out = UEBPF_SYNTAX_KERNEL;
	else if (strcmp(s, "conformance") == 0 || strcmp(s, "ubpf") == 0)
		*out = UEBPF_SYNTAX_CONFORMANCE;
	else if (allow_auto && strcmp(s, "auto") == 0)
		*out = UEBPF_SYNTAX_AUTO;
	else
		return cli_error("unknown syntax '%s' (llvm, kernel, conformance%s)", s,
				 allow_auto ? " or auto" : "");
	return 0;
}

/* ---- JSON output (bpftool's json_writer layout) ---- */

struct cli_js cli_js;

static void cli_json_newline(void)
{
	if (!cli_js.pretty)
		return;
	putchar('\n');
	for (int i = 0; i < cli_js.depth; i++)
		fputs("    ", stdout);
}

static void cli_json_next(void)
{
	if (cli_js.sep)
		putchar(cli_js.sep);
	cli_js.sep = ',';
}

void cli_json_begin(int c)
{
	cli_json_next();
	putchar(c);
	cli_js.depth++;
	cli_js.sep = 0;
}

void cli_json_end(int c)
{
	cli_js.depth--;
	if (cli_js.sep) /* a non-empty container closes on its own line */
		cli_json_newline();
	putchar(c);
	cli_js.sep = ',';
}

static void cli_json_quoted(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void cli_json_name(const char *name)
{
	cli_json_next();
	cli_json_newline();
	cli_js.sep = 0;
	cli_json_quoted(name);
	putchar(':');
	if (cli_js.pretty)
		putchar(' ');
}

void cli_json_string(const char *s)
{
	cli_json_next();
	cli_json_quoted(s);
}

void cli_json_uint(uint64_t v)
{
	cli_json_next();
	printf("%" PRIu64, v);
}

void cli_json_int(int64_t v)
{
	cli_json_next();
	printf("%" PRId64, v);
}

void cli_json_bool(bool v)
{
	cli_json_next();
	fputs(v ? "true" : "false", stdout);
}

void cli_json_null(void)
{
	cli_json_next();
	fputs("null", stdout);
}

void cli_json_hex(const uint8_t *data, size_t len)
{
	cli_json_begin('[');
	for (size_t i = 0; i < len; i++) {
		cli_json_next();
		printf("\"0x%02x\"", data[i]);
	}
	cli_json_end(']');
}

bool cli_json_empty(void)
{
	return cli_js.depth == 0 && !cli_js.sep;
}

bool cli_is_prefix(const char *arg, const char *keyword)
{
	size_t n = arg ? strlen(arg) : 0;
	return n > 0 && n <= strlen(keyword) && memcmp(arg, keyword, n) == 0;
}

int cli_failv(const char *cmd, int status, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli_js.on && cli_json_empty()) {
		cli_json_begin('{');
		cli_json_name("error");
		cli_json_string(msg);
		cli_json_end('}');
	}
	cli_error("%s: %s", cmd, msg);
	return status;
}

int cli_fail(const char *cmd, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	status = cli_failv(cmd, status, fmt, ap);
	va_end(ap);
	return status;
}

int cli_take_options(const char *cmd, int argc, char **argv, struct cli_args *a,
		     const char *letters)
{
	bool options_end = false;

	a->argc = 0;
	a->argv = argv;
	a->pos = 0;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (options_end || s[0] != '-' || !s[1]) {
			argv[a->argc++] = argv[i];
			continue;
		}
		if (!strcmp(s, "--")) {
			options_end = true;
		} else if (!strcmp(s, "--json")) {
			cli_js.on = true;
		} else if (!strcmp(s, "--pretty")) {
			cli_js.on = cli_js.pretty = true;
		} else if (!strcmp(s, "--bpffs") || !strcmp(s, "--nomount") ||
			   (strchr(letters, 'm') && !strcmp(s, "--mapcompat"))) {
			;
		} else if (s[1] != '-' && strspn(s + 1, letters) == strlen(s + 1)) {
			if (strchr(s, 'j'))
				cli_js.on = true;
			if (strchr(s, 'p'))
				cli_js.on = cli_js.pretty = true;
		} else {
			return cli_fail(cmd, EXIT_USAGE, "unrecognized option '%s'", s);
		}
	}
	return 0;
}
