/* SPDX-License-Identifier: MIT */
/*
 * bpf_trace_printk, bpf_trace_vprintk, bpf_snprintf and bpf_strncmp.
 *
 * Formats follow the kernel exactly, in its two passes: a checker
 * (kernel/bpf/helpers.c, bpf_bprintf_prepare) that accepts only %d %i %u
 * %x %X (with l or ll), %c, %s, %%, %p, %pK, %px, %ps, %pS, %pB, %pi4,
 * %pI4, %pi6, %pI6, %pks and %pus, with the flags "0 +-" and a width, at
 * most one conversion per argument, no control characters (UTF-8 text
 * passes, as since Linux 7.0 and its stable updates); it copies the
 * arguments into a 512-byte binary buffer (strings and IP addresses read
 * there, without faulting; -ENOSPC when they do not fit). Then the
 * kernel's bstr_printf renders the buffer: its padding rules, its field
 * width limit, its way of skipping letters after %p conversions and its
 * quirks (a string formatted in advance, %pks, %pus, %pB or %pI4..., met
 * once the output is full is neither counted nor stepped over).
 *
 * What cannot be the kernel's: there is no kernel memory or symbol table,
 * so %s, %pks and %pus all read this process's memory, and %ps/%pS/%pB
 * print "0x" and the address, as the kernel does for an address that is
 * not a symbol; %p and %pK print a 32-bit hash of the pointer with a
 * per-process key (NULL and error values as they are), as the kernel
 * hashes with its boot key.
 *
 * Trace output: each bpf_trace_printk message becomes a record in a ring
 * buffer map pinned as ".trace_pipe" in the pin directory (created by
 * whichever process writes or reads first), read by `uebpf trace pipe`
 * in any process; messages that find the ring full are dropped and
 * counted per CPU in the ".trace_lost" array beside it. The environment
 * variable UEBPF_TRACE_PRINTK=stderr writes the lines, in trace_pipe's
 * layout, to the standard error instead; =off drops them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "helpers/helpers.h"
#include "maps/map.h"
#include "maps/ringbuf.h"
#include "helpers/trace.h"

#define PRINTF_MAX_ARGS 12       /* the kernel's MAX_BPRINTF_VARARGS */
#define TRACE_PRINTK_ARGS 3      /* MAX_TRACE_PRINTK_VARARGS */
#define BIN_SIZE 512             /* MAX_BPRINTF_BIN_ARGS */
#define TRACE_MSG_SIZE 1024      /* MAX_BPRINTF_BUF: the message, NUL included */
#define FIELD_WIDTH_MAX ((1 << 23) - 1)
/* Room past the binary buffer for what the kernel writes beyond its end
 * (a truncated %pB or IP string still advances by its full length). */
#define BIN_SLACK 512

/* ---- the kernel's character classes (lib/ctype.c: ASCII + Latin-1) ---- */

enum { C_UPPER = 1, C_LOWER = 2, C_DIGIT = 4, C_CNTRL = 8, C_PUNCT = 16, C_SPACE = 32,
       C_BLANK = 64 /* ' ' and 0xa0: the spaces that print */ };

static unsigned ctype(unsigned char c)
{
	if (c < 0x20)
		return C_CNTRL | (c >= 9 && c <= 13 ? C_SPACE : 0);
	if (c == ' ')
		return C_SPACE | C_BLANK;
	if (c >= '0' && c <= '9')
		return C_DIGIT;
	if (c >= 'A' && c <= 'Z')
		return C_UPPER;
	if (c >= 'a' && c <= 'z')
		return C_LOWER;
	if (c < 0x7f)
		return C_PUNCT;
	if (c < 0xa0)
		return C_CNTRL;
	if (c == 0xa0)
		return C_SPACE | C_BLANK;
	if (c < 0xc0 || c == 0xd7 || c == 0xf7)
		return C_PUNCT;
	return c < 0xdf ? C_UPPER : C_LOWER;
}

static int k_isspace(unsigned char c) { return ctype(c) & C_SPACE; }
static int k_ispunct(unsigned char c) { return ctype(c) & C_PUNCT; }
static int k_isdigit(unsigned char c) { return ctype(c) & C_DIGIT; }
static int k_isalnum(unsigned char c) { return ctype(c) & (C_UPPER | C_LOWER | C_DIGIT); }

static int k_isprint(unsigned char c)
{
	return ctype(c) & (C_UPPER | C_LOWER | C_DIGIT | C_PUNCT | C_BLANK);
}

/* ---- reading memory without faulting ---- */

static int read_nofault(void *dst, uintptr_t src, size_t size)
{
	struct iovec local = { dst, size }, remote = { (void *)src, size };
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)size ? 0 : -EFAULT;
}

/* Copies the string at src into dst (count > 0 bytes): its length with
 * the NUL, or count if it is longer (cut, terminated), or -EFAULT, as the
 * kernel's strncpy_from_*_nofault. */
static long strncpy_nofault(char *dst, uintptr_t src, size_t count)
{
	size_t done = 0;
	while (done < count) {
		/* Page by page: a string may end just before unmapped memory. */
		size_t page = 4096 - ((src + done) & 4095);
		size_t chunk = count - done < page ? count - done : page;
		if (read_nofault(dst + done, src + done, chunk))
			return -EFAULT;
		char *nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return nul - dst + 1;
		done += chunk;
	}
	dst[count - 1] = '\0';
	return (long)count;
}

/* ---- %p: pointer ids, symbols, IP addresses ---- */

static _Atomic uint64_t ptr_key;

/* A 32-bit id of a pointer that does not give the address away (the
 * kernel's ptr_to_id, with a key of this process). */
static uint32_t ptr_hash(uint64_t ptr)
{
	uint64_t key = atomic_load_explicit(&ptr_key, memory_order_relaxed);
	if (!key) {
		uint64_t fresh = 0;
		if (getrandom(&fresh, sizeof(fresh), 0) != sizeof(fresh))
			fresh = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
		fresh |= 1;
		uint64_t expected = 0;
		if (!atomic_compare_exchange_strong(&ptr_key, &expected, fresh))
			fresh = expected;
		key = fresh;
	}
	uint64_t z = ptr ^ key;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z = (z ^ (z >> 31)) + key;
	z = (z ^ (z >> 29)) * 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(z ^ (z >> 32));
}

static const char hex_lower[] = "0123456789abcdef";

/* %pi4 / %pI4 / %pi6 / %pI6 of the bytes at ip, as the kernel's
 * ip4_string / ip6_string write them. Returns the length. */
static int ip_string(char *out, const uint8_t *ip, char kind, char version)
{
	char *p = out;
	if (version == '4') {
		for (int i = 0; i < 4; i++) {
			unsigned v = ip[i];
			if (kind == 'i' || v >= 100)
				*p++ = (char)('0' + v / 100);
			if (kind == 'i' || v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			if (i < 3)
				*p++ = '.';
		}
	} else {
		for (int i = 0; i < 16; i++) {
			*p++ = hex_lower[ip[i] >> 4];
			*p++ = hex_lower[ip[i] & 15];
			if (kind == 'I' && i % 2 && i < 15)
				*p++ = ':';
		}
	}
	*p = '\0';
	return (int)(p - out);
}

/* ---- pass 1: check the format, copy the arguments (bpf_bprintf_prepare) ---- */

struct bin {
	uint8_t buf[BIN_SIZE + BIN_SLACK];
	size_t pos; /* may pass BIN_SIZE, as the kernel's pointer may */
};

/* The kernel compares (end - pos) < need with the difference converted to
 * an unsigned size: past the end, there always seems to be room. */
static int bin_short(const struct bin *b, size_t need)
{
	return b->pos <= BIN_SIZE && BIN_SIZE - b->pos < need;
}

/* Room for n more bytes in our buffer (slack included)? */
static int bin_fits(const struct bin *b, size_t n)
{
	return b->pos <= sizeof(b->buf) && sizeof(b->buf) - b->pos >= n;
}

/* The size the kernel would pass to snprintf for text written at pos. */
static size_t bin_text_room(const struct bin *b)
{
	return b->pos <= BIN_SIZE ? BIN_SIZE - b->pos : SIZE_MAX;
}

/* Stores a pre-formatted pointer string (%pB, %pI4, ...) as the kernel's
 * snprintf into the remaining room does: cut to fit, terminated, and the
 * position advanced by the full length + 1 (by 1 when the room is
 * "negative": snprintf refuses sizes above INT_MAX and writes nothing). */
static int bin_put_text(struct bin *b, const char *text, size_t len)
{
	size_t room = bin_text_room(b);
	if (room > INT_MAX)
		len = 0;
	else if (room) {
		size_t n = len < room - 1 ? len : room - 1;
		memcpy(b->buf + b->pos, text, n);
		b->buf[b->pos + n] = '\0';
	}
	if (!bin_fits(b, len + 1))
		return -ENOSPC;
	b->pos += len + 1;
	return 0;
}

static int bin_put_scalar(struct bin *b, uint64_t v, size_t size)
{
	b->pos = (b->pos + 3) & ~(size_t)3;
	if (bin_short(b, size))
		return -ENOSPC;
	if (!bin_fits(b, size))
		return -ENOSPC;
	if (size == 8) {
		memcpy(b->buf + b->pos, &v, 8);
	} else {
		uint32_t v32 = (uint32_t)v;
		memcpy(b->buf + b->pos, &v32, 4);
	}
	b->pos += size;
	return 0;
}

/* %s, %pks, %pus: the string at ptr, or "" when it cannot be read. */
static int bin_put_string(struct bin *b, uint64_t ptr)
{
	if (b->pos == BIN_SIZE)
		return -ENOSPC;
	if (b->pos > BIN_SIZE) {
		/* The kernel's copy gets a negative count: it copies nothing
		 * and the string reads as empty. */
		if (!bin_fits(b, 1))
			return -ENOSPC;
		b->buf[b->pos] = '\0';
		return 0;
	}
	long n = strncpy_nofault((char *)b->buf + b->pos, (uintptr_t)ptr, BIN_SIZE - b->pos);
	if (n < 0) {
		b->buf[b->pos] = '\0';
		n = 1;
	}
	b->pos += (size_t)n;
	return 0;
}

/* Checks fmt (fmt_size bytes, a NUL among them) against the kernel's rules
 * for num_args arguments and copies them into bin. 0, -EINVAL (a bad
 * format, too many conversions, no NUL) or -ENOSPC (arguments too big). */
static int bprintf_prepare(const char *fmt, uint32_t fmt_size, const uint64_t *args,
			   uint32_t num_args, struct bin *bin)
{
	const char *end = memchr(fmt, '\0', fmt_size);
	if (!end)
		return -EINVAL;
	size_t len = (size_t)(end - fmt);
	uint32_t n = 0;
	int err;

	memset(bin->buf, 0, sizeof(bin->buf));
	bin->pos = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)fmt[i];
		/* Control characters are refused; bytes >= 0x80 (UTF-8) pass
		 * in plain text, not inside a conversion. */
		if (c < 0x80 && !k_isprint(c) && !k_isspace(c))
			return -EINVAL;
		if (c != '%')
			continue;
		if (fmt[i + 1] == '%') {
			i++;
			continue;
		}
		if (n >= num_args)
			return -EINVAL;
		/* Lookahead stops at the NUL: none of the tests matches it. */
		i++;
		if ((unsigned char)fmt[i] >= 0x80)
			return -EINVAL;
		while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
			i++;
		if (fmt[i] >= '1' && fmt[i] <= '9') {
			i++;
			while (fmt[i] >= '0' && fmt[i] <= '9')
				i++;
		}
		unsigned char next;
		if (fmt[i] == 'p') {
			/* fmt[i] is not the NUL: fmt[i + 1] is still ours. */
			next = (unsigned char)fmt[i + 1];
			if (next == 0 || k_isspace(next) || k_ispunct(next)) {
				/* %p: a pointer value (the next character is
				 * checked as text: "%p%" is refused). */
				err = bin_put_scalar(bin, args[n], 8);
				if (err)
					return err;
				n++;
				continue;
			}
			if ((next == 'k' || next == 'u') && fmt[i + 2] == 's') {
				i += 2;
				goto string;
			}
			if (next == 'K' || next == 'x' || next == 's' || next == 'S') {
				/* %pK, %px, %ps, %pS: pointer values. */
				i++;
				err = bin_put_scalar(bin, args[n], 8);
				if (err)
					return err;
				n++;
				continue;
			}
			if (next == 'B') {
				char text[24];
				int tl = snprintf(text, sizeof(text), "0x%llx",
						  (unsigned long long)args[n]);
				err = bin_put_text(bin, text, (size_t)tl);
				if (err)
					return err;
				i++;
				n++;
				continue;
			}
			if ((next != 'i' && next != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6'))
				return -EINVAL;
			i += 2;
			size_t ip_size = fmt[i] == '4' ? 4 : 16;
			if (bin_short(bin, ip_size))
				return -ENOSPC;
			uint8_t ip[16];
			char text[48];
			if (read_nofault(ip, (uintptr_t)args[n], ip_size))
				memset(ip, 0, sizeof(ip));
			int tl = ip_string(text, ip, fmt[i - 1], fmt[i]);
			err = bin_put_text(bin, text, (size_t)tl);
			if (err)
				return err;
			n++;
			continue;
		}
		if (fmt[i] == 's') {
string:
			next = (unsigned char)fmt[i + 1];
			if (next != 0 && !k_isspace(next) && !k_ispunct(next))
				return -EINVAL;
			err = bin_put_string(bin, args[n]);
			if (err)
				return err;
			n++;
			continue;
		}
		if (fmt[i] == 'c') {
			if (bin->pos == BIN_SIZE || !bin_fits(bin, 1))
				return -ENOSPC;
			bin->buf[bin->pos++] = (uint8_t)args[n];
			n++;
			continue;
		}
		size_t size = 4;
		if (fmt[i] == 'l') {
			size = 8;
			i++;
		}
		if (fmt[i] == 'l')
			i++;
		if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' &&
		    fmt[i] != 'X')
			return -EINVAL;
		err = bin_put_scalar(bin, args[n], size);
		if (err)
			return err;
		n++;
	}
	return 0;
}

/* ---- pass 2: render (the kernel's bstr_printf) ---- */

struct out {
	char *buf;
	size_t size;
	uint64_t len; /* what would be written: may pass size */
};

static void put_char(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_chars(struct out *o, char c, int64_t n)
{
	if (n <= 0)
		return;
	if (o->len < o->size) {
		uint64_t room = o->size - o->len;
		memset(o->buf + o->len, c, (size_t)((uint64_t)n < room ? (uint64_t)n : room));
	}
	o->len += (uint64_t)n;
}

static void put_bytes(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		uint64_t room = o->size - o->len;
		memcpy(o->buf + o->len, s, (size_t)(n < room ? n : room));
	}
	o->len += n;
}

enum { F_SIGN = 1, F_LEFT = 2, F_PLUS = 4, F_SPACE = 8, F_ZEROPAD = 16, F_SMALL = 32,
       F_SPECIAL = 64 };

struct spec {
	int flags;
	int width;     /* -1: none */
	int precision; /* -1: none */
	int base;
};

/* The kernel's number(): sign, "0x" prefix, padding, precision. */
static void put_number(struct out *o, uint64_t num, struct spec sp)
{
	char digits[24];
	int n = 0, width = sp.width, precision = sp.precision;
	char sign = 0, locase = (char)(sp.flags & F_SMALL);
	int is_zero = num == 0;
	int prefix = (sp.flags & F_SPECIAL) && sp.base != 10;

	if (sp.flags & F_LEFT)
		sp.flags &= ~F_ZEROPAD;
	if (sp.flags & F_SIGN) {
		if ((int64_t)num < 0) {
			sign = '-';
			num = -num;
			width--;
		} else if (sp.flags & F_PLUS) {
			sign = '+';
			width--;
		} else if (sp.flags & F_SPACE) {
			sign = ' ';
			width--;
		}
	}
	if (prefix)
		width -= sp.base == 16 ? 2 : !is_zero;
	do {
		digits[n++] = (char)("0123456789ABCDEF"[num % (unsigned)sp.base] | locase);
		num /= (unsigned)sp.base;
	} while (num);
	if (n > precision)
		precision = n;
	width -= precision;
	if (!(sp.flags & (F_ZEROPAD | F_LEFT))) {
		put_chars(o, ' ', width);
		width = width > 0 ? 0 : width;
	}
	if (sign)
		put_char(o, sign);
	if (prefix) {
		if (sp.base == 16 || !is_zero)
			put_char(o, '0');
		if (sp.base == 16)
			put_char(o, (char)('X' | locase));
	}
	if (!(sp.flags & F_LEFT)) {
		put_chars(o, sp.flags & F_ZEROPAD ? '0' : ' ', width);
		width = width > 0 ? 0 : width;
	}
	put_chars(o, '0', precision - n);
	while (n > 0)
		put_char(o, digits[--n]);
	put_chars(o, ' ', width);
}

/* The kernel's string(): at most precision characters, padded to width. */
static void put_string(struct out *o, const char *s, size_t max, struct spec sp)
{
	size_t n = strnlen(s, max);
	if (sp.precision >= 0 && (size_t)sp.precision < n)
		n = (size_t)sp.precision;
	int64_t pad = (int64_t)sp.width - (int64_t)n;
	if (!(sp.flags & F_LEFT))
		put_chars(o, ' ', pad);
	put_bytes(o, s, n);
	if (sp.flags & F_LEFT)
		put_chars(o, ' ', pad);
}

/* The kernel's pointer_string(): hex, 16 digits zero-padded by default. */
static void put_pointer_hex(struct out *o, uint64_t v, struct spec sp)
{
	sp.base = 16;
	sp.flags |= F_SMALL;
	if (sp.width == -1) {
		sp.width = 16;
		sp.flags |= F_ZEROPAD;
	}
	put_number(o, v, sp);
}

/* Reads the binary arguments as bstr_printf does (aligned like the
 * copies; zeros past our buffer). */
struct bin_reader {
	const struct bin *bin;
	size_t pos;
};

static uint64_t get_arg(struct bin_reader *r, size_t size)
{
	size_t align = size == 8 ? 4 : size;
	r->pos = (r->pos + align - 1) & ~(align - 1);
	uint64_t v = 0;
	if (r->pos < sizeof(r->bin->buf)) {
		size_t n = sizeof(r->bin->buf) - r->pos;
		memcpy(&v, r->bin->buf + r->pos, n < size ? n : size); /* little endian */
	}
	r->pos += size;
	return v;
}

static const char *get_text(struct bin_reader *r, size_t *len)
{
	static const char empty[1];
	if (r->pos >= sizeof(r->bin->buf)) {
		*len = 0;
		return empty;
	}
	const char *s = (const char *)r->bin->buf + r->pos;
	*len = strnlen(s, sizeof(r->bin->buf) - r->pos);
	return s;
}

/* Parses a width or precision as the kernel does: an int that wraps. */
static int parse_int(const char **p)
{
	uint32_t v = 0;
	while (k_isdigit((unsigned char)**p))
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	return (int)v;
}

static int clamp_width(int w)
{
	return w > FIELD_WIDTH_MAX ? FIELD_WIDTH_MAX : w < -FIELD_WIDTH_MAX ? -FIELD_WIDTH_MAX : w;
}

/* Renders fmt with the arguments in bin into buf (size bytes, NUL
 * terminated when size > 0); returns the full length. */
static int bstr_printf(char *buf, size_t size, const char *fmt, const struct bin *bin)
{
	struct out o = { buf, size, 0 };
	struct bin_reader r = { bin, 0 };

	if (size > INT_MAX)
		return 0;
	while (*fmt) {
		const char *lit = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt != lit) {
			put_bytes(&o, lit, (size_t)(fmt - lit));
			continue;
		}
		struct spec sp = { 0, -1, -1, 10 };
		for (;;) {
			char f = *++fmt;
			int flag = f == '-' ? F_LEFT : f == '+' ? F_PLUS : f == ' ' ? F_SPACE :
				   f == '#' ? F_SPECIAL : f == '0' ? F_ZEROPAD : 0;
			if (!flag)
				break;
			sp.flags |= flag;
		}
		if (k_isdigit((unsigned char)*fmt)) {
			sp.width = clamp_width(parse_int(&fmt));
		} else if (*fmt == '*') {
			fmt++;
			sp.width = clamp_width((int)get_arg(&r, 4));
			if (sp.width < 0) {
				sp.width = -sp.width;
				sp.flags |= F_LEFT;
			}
		}
		if (*fmt == '.') {
			fmt++;
			if (k_isdigit((unsigned char)*fmt)) {
				sp.precision = parse_int(&fmt);
				if (sp.precision < 0)
					sp.precision = 0;
			} else if (*fmt == '*') {
				fmt++;
				int p = (int)get_arg(&r, 4);
				sp.precision = p < 0 ? 0 : p > 32767 ? 32767 : p;
			}
		}
		char qual = 0;
		if (*fmt == 'h' || *fmt == 'l' || *fmt == 'L' || *fmt == 'z' || *fmt == 't') {
			qual = *fmt++;
			if (qual == *fmt && (qual == 'l' || qual == 'h')) {
				qual = qual == 'l' ? 'L' : 'H';
				fmt++;
			}
		}
		char conv = *fmt;
		switch (conv) {
		case 'c': {
			fmt++;
			int w = sp.width;
			if (!(sp.flags & F_LEFT))
				put_chars(&o, ' ', (int64_t)w - 1);
			put_char(&o, (char)get_arg(&r, 1));
			if (sp.flags & F_LEFT)
				put_chars(&o, ' ', (int64_t)w - 1);
			continue;
		}
		case 's': {
			fmt++;
			size_t n;
			const char *s = get_text(&r, &n);
			r.pos += n + 1;
			put_string(&o, s, n, sp);
			continue;
		}
		case '%':
			fmt++;
			put_char(&o, '%');
			continue;
		case 'p': {
			char kind = *++fmt;
			if (kind == 'S' || kind == 's') {
				char text[24];
				snprintf(text, sizeof(text), "0x%llx",
					 (unsigned long long)get_arg(&r, 8));
				put_string(&o, text, sizeof(text), sp);
			} else if (kind == 'x') {
				put_pointer_hex(&o, get_arg(&r, 8), sp);
			} else if (kind == 'K' || !k_isalnum((unsigned char)kind)) {
				uint64_t v = get_arg(&r, 8);
				/* NULL and error values print as they are. */
				put_pointer_hex(&o, v && v < (uint64_t)-4095 ? ptr_hash(v) : v, sp);
			} else if (o.len < o.size) {
				/* Formatted by pass 1. The kernel skips it, without
				 * counting it, once the output is full. */
				size_t n;
				const char *s = get_text(&r, &n);
				put_bytes(&o, s, n);
				r.pos += n + 1;
			}
			while (k_isalnum((unsigned char)*fmt))
				fmt++;
			continue;
		}
		case 'o':
			sp.base = 8;
			break;
		case 'x':
			sp.flags |= F_SMALL;
			/* fall through */
		case 'X':
			sp.base = 16;
			break;
		case 'd':
		case 'i':
			sp.flags |= F_SIGN;
			break;
		case 'u':
			break;
		default:
			/* Unknown: the kernel stops here. */
			goto out;
		}
		fmt++;
		uint64_t num;
		int sign = sp.flags & F_SIGN;
		switch (qual) {
		case 'L':
		case 'l':
		case 'z':
		case 't':
			num = get_arg(&r, 8);
			break;
		case 'H':
			num = get_arg(&r, 1);
			num = sign ? (uint64_t)(int64_t)(int8_t)num : (uint8_t)num;
			break;
		case 'h':
			num = get_arg(&r, 2);
			num = sign ? (uint64_t)(int64_t)(int16_t)num : (uint16_t)num;
			break;
		default:
			num = get_arg(&r, 4);
			num = sign ? (uint64_t)(int64_t)(int32_t)num : (uint32_t)num;
		}
		put_number(&o, num, sp);
	}
out:
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

/* ---- checked mode: the arguments a verifier would have proven ---- */

static int readable(struct uebpf_exec *exec, const void *p, uint64_t size, const char *what)
{
	if (uebpf_exec_check_mem(exec, p, size, UEBPF_MEM_READ) == 0)
		return 1;
	uebpf_exec_fault(exec, "%s: %llu bytes at %p are not readable", what,
			 (unsigned long long)size, p);
	return 0;
}

/* A NUL-terminated string the program must be able to read: its length,
 * or -1 after a fault. */
static int64_t checked_strlen(struct uebpf_exec *exec, const char *s, const char *what)
{
	if (!exec->checked)
		return (int64_t)strlen(s);
	for (int64_t i = 0;; i++) {
		if (uebpf_exec_check_mem(exec, s + i, 1, UEBPF_MEM_READ)) {
			uebpf_exec_fault(exec, "%s at %p: no NUL-terminated string the "
					 "program may read", what, (const void *)s);
			return -1;
		}
		if (!s[i])
			return i;
	}
}

/* ---- the trace pipe ---- */

enum { ROUTE_RING, ROUTE_STDERR, ROUTE_OFF };

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int trace_ready;
static int trace_route;
static struct map *trace_ring;
static _Atomic uint64_t *trace_lost; /* per CPU */
static uint32_t trace_lost_cpus;

int trace_map_open(const char *name, enum bpf_map_type type, const char *map_name,
		   uint32_t value_size, uint32_t max_entries, uint32_t flags)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = uebpf_obj_get(name);
		if (fd != -ENOENT)
			return fd;
		struct uebpf_map_create_opts opts = { .sz = sizeof(opts), .map_flags = flags };
		fd = uebpf_map_create(type, map_name, type == BPF_MAP_TYPE_ARRAY ? 4 : 0,
				      value_size, max_entries, &opts);
		if (fd < 0)
			return fd;
		int err = uebpf_obj_pin(fd, name);
		if (!err)
			return fd;
		uebpf_map_close(fd);
		if (err != -EEXIST)
			return err;
	}
	return -EAGAIN;
}

static int trace_open(void)
{
	int fd = trace_map_open(TRACE_RING_PIN, BPF_MAP_TYPE_RINGBUF, "trace_pipe", 0,
				TRACE_RING_SIZE, 0);
	if (fd < 0)
		return fd;
	struct map *ring = map_from_fd(fd);
	if (!ring || ring->hdr->type != BPF_MAP_TYPE_RINGBUF) {
		uebpf_map_close(fd);
		return -EINVAL;
	}
	trace_ring = ring;
	/* Without the counters, messages are still written. */
	int lfd = trace_map_open(TRACE_LOST_PIN, BPF_MAP_TYPE_ARRAY, "trace_lost", 8,
				 (uint32_t)uebpf_num_possible_cpus(), BPF_F_MMAPABLE);
	size_t size;
	void *lost = lfd >= 0 ? uebpf_map_mmap(lfd, &size) : NULL;
	if (lost && size >= 8) {
		trace_lost = lost;
		trace_lost_cpus = (uint32_t)(size / 8);
	}
	return 0;
}

static void trace_setup(void)
{
	pthread_mutex_lock(&trace_lock);
	if (!atomic_load(&trace_ready)) {
		const char *env = getenv("UEBPF_TRACE_PRINTK");
		if (env && strcmp(env, "stderr") == 0) {
			trace_route = ROUTE_STDERR;
		} else if (env && strcmp(env, "off") == 0) {
			trace_route = ROUTE_OFF;
		} else {
			int err = trace_open();
			if (err) {
				fprintf(stderr, "uebpf: bpf_trace_printk: cannot open the trace "
					"pipe ring %s (%s); messages go to stderr\n",
					TRACE_RING_PIN, strerror(-err));
				trace_route = ROUTE_STDERR;
			}
		}
		atomic_store(&trace_ready, 1);
	}
	pthread_mutex_unlock(&trace_lock);
}

static void fill_rec(struct trace_rec *rec)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int cpu = sched_getcpu();
	memset(rec, 0, sizeof(*rec));
	rec->magic = TRACE_REC_MAGIC;
	rec->hdr_size = sizeof(*rec);
	rec->ts_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	rec->tgid = (uint32_t)getpid();
	rec->pid = (uint32_t)gettid();
	rec->cpu = cpu < 0 ? 0 : (uint32_t)cpu;
	prctl(PR_GET_NAME, rec->comm);
	rec->comm[15] = '\0';
}

/* The kernel's trace_pipe line for a message. */
static void trace_to_stderr(const char *msg, size_t len)
{
	struct trace_rec rec;
	fill_rec(&rec);
	char line[TRACE_MSG_SIZE + 128];
	int n = snprintf(line, sizeof(line), "%16s-%-7u [%03u] ..... %5llu.%06llu: "
			 "bpf_trace_printk: ", rec.comm, rec.pid, rec.cpu,
			 (unsigned long long)(rec.ts_ns / 1000000000u),
			 (unsigned long long)(rec.ts_ns % 1000000000u / 1000));
	if (n < 0 || (size_t)n + len + 1 > sizeof(line))
		return;
	memcpy(line + n, msg, len);
	line[(size_t)n + len] = '\n';
	ssize_t w = write(STDERR_FILENO, line, (size_t)n + len + 1);
	(void)w;
}

static void trace_emit(const char *msg)
{
	if (!atomic_load_explicit(&trace_ready, memory_order_acquire))
		trace_setup();
	size_t len = strlen(msg);
	if (trace_route == ROUTE_OFF)
		return;
	if (trace_route == ROUTE_STDERR) {
		trace_to_stderr(msg, len);
		return;
	}
	struct trace_rec *rec = ringbuf_reserve(trace_ring, sizeof(*rec) + len, 0);
	if (!rec) {
		/* Full: dropped, as the kernel's buffer overruns, and counted. */
		if (trace_lost) {
			int cpu = sched_getcpu();
			uint32_t i = cpu < 0 ? 0 : (uint32_t)cpu % trace_lost_cpus;
			atomic_fetch_add_explicit(&trace_lost[i], 1, memory_order_relaxed);
		}
		return;
	}
	fill_rec(rec);
	memcpy(rec + 1, msg, len);
	ringbuf_commit(trace_ring, rec, 0, 0);
}

/* Formats into the message buffer and sends it; returns the helper's
 * result (the full length, as bstr_printf returns it). */
static uint64_t trace_vprintk(const char *fmt, uint32_t fmt_size, const uint64_t *args,
			      uint32_t num_args)
{
	struct bin bin;
	char msg[TRACE_MSG_SIZE];
	int err = bprintf_prepare(fmt, fmt_size, args, num_args, &bin);
	if (err)
		return (uint64_t)(int64_t)err;
	int ret = bstr_printf(msg, sizeof(msg), fmt, &bin);
	trace_emit(msg);
	return (uint64_t)(int64_t)ret;
}

/* ---- the helpers ---- */

HELPER(trace_printk)
{
	const char *fmt = (const char *)(uintptr_t)r1;
	uint32_t fmt_size = (uint32_t)r2;
	uint64_t args[TRACE_PRINTK_ARGS] = { r3, r4, r5 };
	if (fmt_size == 0)
		return (uint64_t)-EINVAL;
	if (!readable(exec, fmt, fmt_size, "trace_printk format"))
		return 0;
	return trace_vprintk(fmt, fmt_size, args, TRACE_PRINTK_ARGS);
}

/* The u64 arguments of vprintk and snprintf: data_len a multiple of 8, at
 * most PRINTF_MAX_ARGS of them. 0 and *n, -EINVAL, or 1 after a fault. */
static int data_args(struct uebpf_exec *exec, uint64_t data, uint32_t data_len,
		     uint64_t *args, uint32_t *n)
{
	if (data_len % 8 || data_len > PRINTF_MAX_ARGS * 8 || (data_len && !data))
		return -EINVAL;
	if (data_len && !readable(exec, (const void *)(uintptr_t)data, data_len, "format data"))
		return 1;
	if (data_len)
		memcpy(args, (const void *)(uintptr_t)data, data_len);
	*n = data_len / 8;
	return 0;
}

HELPER(trace_vprintk)
{
	const char *fmt = (const char *)(uintptr_t)r1;
	uint32_t fmt_size = (uint32_t)r2;
	uint64_t args[PRINTF_MAX_ARGS];
	uint32_t n = 0;
	if (fmt_size == 0)
		return (uint64_t)-EINVAL;
	if (!readable(exec, fmt, fmt_size, "trace_vprintk format"))
		return 0;
	int err = data_args(exec, r3, (uint32_t)r4, args, &n);
	if (err)
		return err > 0 ? 0 : (uint64_t)(int64_t)err;
	return trace_vprintk(fmt, fmt_size, args, n);
}

HELPER(snprintf)
{
	char *str = (char *)(uintptr_t)r1;
	uint32_t str_size = (uint32_t)r2;
	const char *fmt = (const char *)(uintptr_t)r3;
	uint64_t args[PRINTF_MAX_ARGS];
	uint32_t n = 0;

	if (exec->checked && str_size &&
	    uebpf_exec_check_mem(exec, str, str_size, UEBPF_MEM_WRITE)) {
		uebpf_exec_fault(exec, "snprintf destination: %u bytes at %p are not writable",
				 str_size, (void *)str);
		return 0;
	}
	int64_t fmt_len = checked_strlen(exec, fmt, "snprintf format");
	if (fmt_len < 0)
		return 0;
	int err = data_args(exec, r4, (uint32_t)r5, args, &n);
	if (err)
		return err > 0 ? 0 : (uint64_t)(int64_t)err;
	struct bin bin;
	/* The format is known to end: its size is only a bound. */
	err = bprintf_prepare(fmt, fmt_len >= UINT32_MAX ? UINT32_MAX : (uint32_t)fmt_len + 1,
			      args, n, &bin);
	if (err)
		return (uint64_t)(int64_t)err;
	return (uint64_t)(int64_t)(bstr_printf(str, str_size, fmt, &bin) + 1);
}

/* The kernel's strncmp: -1, 0 or 1, comparing bytes as unsigned. */
HELPER(strncmp)
{
	const unsigned char *s1 = (const unsigned char *)(uintptr_t)r1;
	const unsigned char *s2 = (const unsigned char *)(uintptr_t)r3;
	uint32_t size = (uint32_t)r2;
	if (exec->checked) {
		if (size && !readable(exec, s1, size, "strncmp s1"))
			return 0;
		if (checked_strlen(exec, (const char *)s2, "strncmp s2") < 0)
			return 0;
	}
	for (uint32_t i = 0; i < size; i++) {
		if (s1[i] != s2[i])
			return s1[i] < s2[i] ? (uint64_t)-1 : 1;
		if (!s1[i])
			break;
	}
	return 0;
}
