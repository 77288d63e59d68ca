// SPDX-License-Identifier: MIT
/*
 * Reading a program's events: syn_logger.bpf.o runs on every frame of a
 * capture (uebpf_prog_test_run, as BPF_PROG_TEST_RUN), and the
 * connection attempts it writes into its ring buffer are read back with
 * the ring buffer consumer and printed.
 *
 *   syn-logger syn_logger.bpf.o CAPTURE.pcap
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Only libpcap's capture file API: its struct bpf_insn clashes with the
 * kernel's. */
#define lib_pcap_bpf_h
#include <pcap/dlt.h>
#include <pcap/pcap.h>

#include "uebpf/uebpf.h"

struct syn_event { /* as in syn_logger.bpf.c */
	uint8_t family, ttl;
	uint16_t sport, dport; /* network byte order */
	uint16_t len;
	uint8_t saddr[16], daddr[16];
};

static size_t frame_no;

static int print_event(void *ctx, void *data, size_t size)
{
	const struct syn_event *e = data;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	(void)ctx;
	if (size < sizeof(*e))
		return 0;
	int af = e->family == 6 ? AF_INET6 : AF_INET;
	inet_ntop(af, e->saddr, src, sizeof(src));
	inet_ntop(af, e->daddr, dst, sizeof(dst));
	printf("frame %3zu: SYN %s%s%s:%u -> %s%s%s:%u  (ttl %u, %u bytes)\n", frame_no,
	       af == AF_INET6 ? "[" : "", src, af == AF_INET6 ? "]" : "", ntohs(e->sport),
	       af == AF_INET6 ? "[" : "", dst, af == AF_INET6 ? "]" : "", ntohs(e->dport), e->ttl,
	       e->len);
	return 0;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE > 512 ? PCAP_ERRBUF_SIZE : 512] = "";
	if (argc != 3) {
		fprintf(stderr, "usage: %s syn_logger.bpf.o CAPTURE.pcap\n", argv[0]);
		return 2;
	}
	struct uebpf_object_open_opts oo = { .sz = sizeof(oo), .err_buf = err,
					     .err_size = sizeof(err) };
	struct uebpf_object *obj = uebpf_object_open_file(argv[1], &oo);
	if (!obj) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int rc = 1;
	struct uebpf_ringbuf *rb = NULL;
	pcap_t *cap = NULL;
	struct uebpf_program *prog = uebpf_object_find_program(obj, "syn_logger");
	struct uebpf_map *events = uebpf_object_find_map(obj, "events");
	if (!prog || !events || uebpf_object_load(obj)) {
		fprintf(stderr, "%s: not the syn_logger object, or it does not load\n", argv[1]);
		goto out;
	}
	rb = uebpf_ringbuf_new(uebpf_map_fd(events), print_event, NULL);
	cap = pcap_open_offline(argv[2], err);
	if (!rb || !cap) {
		fprintf(stderr, "%s\n", cap ? "cannot read the ring buffer" : err);
		goto out;
	}
	struct pcap_pkthdr *h;
	const u_char *bytes;
	size_t events_seen = 0;
	while (pcap_next_ex(cap, &h, &bytes) == 1) {
		struct uebpf_test_run_opts run = { .sz = sizeof(run), .data_in = bytes,
						   .data_size_in = h->caplen };
		frame_no++;
		int e = uebpf_prog_test_run(uebpf_program_fd(prog), &run);
		if (e) {
			printf("frame %3zu: not run: %s\n", frame_no, strerror(-e));
			continue;
		}
		int n = uebpf_ringbuf_consume(rb);
		if (n > 0)
			events_seen += (size_t)n;
	}
	printf("%zu frames, %zu connection attempts\n", frame_no, events_seen);
	rc = 0;
out:
	if (cap)
		pcap_close(cap);
	uebpf_ringbuf_free(rb);
	uebpf_object_close(obj);
	return rc;
}
