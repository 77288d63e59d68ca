/* SPDX-License-Identifier: MIT */
/*
 * uebpf trace pipe: what programs write with bpf_trace_printk, in any
 * process, as `cat /sys/kernel/tracing/trace_pipe` shows the kernel's.
 *
 * The messages are records of a ring buffer map pinned as ".trace_pipe"
 * in the pin directory (helpers/trace_helpers.c writes them; whichever
 * process comes first creates the ring). Reading consumes them, as
 * reading trace_pipe does: run one reader at a time. Messages dropped
 * because the ring was full are counted per CPU in the ".trace_lost"
 * array and reported as the kernel reports lost events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "helpers/trace.h"

static const char trace_usage[] =
	"usage: uebpf trace pipe [--once] [-j]\n"
	"  prints bpf_trace_printk messages as trace_pipe does, until interrupted;\n"
	"  --once prints those waiting and exits; -j prints one JSON object a message";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct reader {
	bool json;
	_Atomic uint64_t *lost; /* per CPU, shared with the writers */
	size_t lost_cpus;
};

static void json_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c); /* bytes, not UTF-8: keep the JSON valid */
		else
			putchar(c);
	}
	putchar('"');
}

/* Lost messages, as the kernel's trace_pipe reports lost events. */
static void report_lost(struct reader *rd)
{
	for (size_t cpu = 0; rd->lost && cpu < rd->lost_cpus; cpu++) {
		uint64_t n = atomic_exchange(&rd->lost[cpu], 0);
		if (!n)
			continue;
		if (rd->json)
			printf("{\"cpu\":%zu,\"lost\":%" PRIu64 "}\n", cpu, n);
		else
			printf("CPU:%zu [LOST %" PRIu64 " EVENTS]\n", cpu, n);
	}
}

static int print_record(void *ctx, void *data, size_t size)
{
	struct reader *rd = ctx;
	struct trace_rec rec;
	if (size < sizeof(rec))
		return 0; /* not a message: skip it */
	memcpy(&rec, data, sizeof(rec));
	if (rec.magic != TRACE_REC_MAGIC || rec.hdr_size < sizeof(rec) || rec.hdr_size > size)
		return 0;
	const char *msg = (const char *)data + rec.hdr_size;
	size_t len = size - rec.hdr_size;
	char comm[17];
	memcpy(comm, rec.comm, 16);
	comm[16] = '\0';
	unsigned long long sec = rec.ts_ns / 1000000000u, usec = rec.ts_ns % 1000000000u / 1000;
	if (rd->json) {
		printf("{\"comm\":");
		json_string(comm, strlen(comm));
		printf(",\"pid\":%" PRIu32 ",\"tgid\":%" PRIu32 ",\"cpu\":%" PRIu32
		       ",\"timestamp\":%llu.%06llu,\"message\":", rec.pid, rec.tgid, rec.cpu, sec,
		       usec);
		json_string(msg, len);
		printf("}\n");
	} else {
		/* trace_pipe's layout: task-pid, [cpu], flags (irqs-off,
		 * need-resched, hard/softirq, preempt depth, migrate-disable:
		 * none of them in user space), seconds.microseconds. */
		printf("%16s-%-7" PRIu32 " [%03" PRIu32 "] ..... %5llu.%06llu: bpf_trace_printk: ",
		       comm, rec.pid, rec.cpu, sec, usec);
		fwrite(msg, 1, len, stdout);
		putchar('\n');
	}
	return 0;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct reader rd = { 0 };
	bool once = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			once = true;
			break;
		case 'j':
			rd.json = true;
			break;
		case 'h':
			puts(trace_usage);
			return 0;
		default:
			fprintf(stderr, "%s\n", trace_usage);
			return 2;
		}
	}
	if (optind != argc - 1 || strcmp(argv[optind], "pipe") != 0) {
		if (optind < argc)
			cli_error("unknown trace command '%s'", argv[optind]);
		fprintf(stderr, "%s\n", trace_usage);
		return 2;
	}

	int fd = trace_map_open(TRACE_RING_PIN, BPF_MAP_TYPE_RINGBUF, "trace_pipe", 0,
				TRACE_RING_SIZE, 0);
	if (fd < 0)
		return cli_error("cannot open the trace ring %s: %s", TRACE_RING_PIN,
				 strerror(-fd));
	struct uebpf_map_info info;
	if (uebpf_map_get_info(fd, &info) || info.type != BPF_MAP_TYPE_RINGBUF) {
		uebpf_map_close(fd);
		return cli_error("%s is not a ring buffer map", TRACE_RING_PIN);
	}
	int lost_fd = trace_map_open(TRACE_LOST_PIN, BPF_MAP_TYPE_ARRAY, "trace_lost", 8,
				     (uint32_t)uebpf_num_possible_cpus(), BPF_F_MMAPABLE);
	size_t lost_size = 0;
	rd.lost = lost_fd >= 0 ? uebpf_map_mmap(lost_fd, &lost_size) : NULL;
	rd.lost_cpus = rd.lost ? lost_size / 8 : 0;

	struct uebpf_ringbuf *rb = uebpf_ringbuf_new(fd, print_record, &rd);
	if (!rb) {
		int err = errno;
		uebpf_map_close(fd);
		return cli_error("cannot read the trace ring: %s", strerror(err));
	}

	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	int status = 0;
	do {
		report_lost(&rd);
		int n = once ? uebpf_ringbuf_consume(rb) : uebpf_ringbuf_poll(rb, 200);
		if (n < 0) {
			cli_error("reading the trace ring: %s", strerror(-n));
			status = 1;
			break;
		}
		/* A pipe reader sees each batch at once. */
		if (fflush(stdout) || ferror(stdout)) {
			status = 1;
			break;
		}
	} while (!once && !stop);
	uebpf_ringbuf_free(rb);
	if (lost_fd >= 0)
		uebpf_map_close(lost_fd);
	uebpf_map_close(fd);
	return status;
}
