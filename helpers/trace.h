/* SPDX-License-Identifier: MIT */
/* The trace pipe: bpf_trace_printk's messages, in a ring buffer map pinned
 * in the pin directory, read by `uebpf trace pipe` from any process. */
#ifndef UEBPF_HELPERS_TRACE_H
#define UEBPF_HELPERS_TRACE_H

#include <linux/bpf.h>
#include <stdint.h>

/* A message as it sits in the ring: this header, then the message (from
 * hdr_size bytes on, without its NUL). */
struct trace_rec {
	uint32_t magic;    /* TRACE_REC_MAGIC */
	uint32_t hdr_size; /* sizeof(struct trace_rec): the message starts here */
	uint64_t ts_ns;    /* CLOCK_MONOTONIC */
	uint32_t tgid, pid, cpu, reserved;
	char comm[16];
};

#define TRACE_REC_MAGIC 0x31505455u /* "UTP1" */
#define TRACE_RING_PIN ".trace_pipe" /* the ring */
#define TRACE_LOST_PIN ".trace_lost" /* per-CPU counts of dropped messages */
#define TRACE_RING_SIZE (1u << 20)

/* Opens the pinned map at name, or creates and pins it; a process that
 * loses the race to pin opens the winner's. Returns an fd or -errno. */
int trace_map_open(const char *name, enum bpf_map_type type, const char *map_name,
		   uint32_t value_size, uint32_t max_entries, uint32_t flags);

#endif
