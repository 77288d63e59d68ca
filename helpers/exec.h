/* SPDX-License-Identifier: MIT */
/*
 * The state of one run of a program, as helpers see it: the embedder's
 * data, the checked mode's memory rules, and the ways a helper ends the
 * program. The engine owns the run; helpers (this layer and above) use it
 * through the uebpf_exec_* functions of <uebpf/engine.h>, implemented
 * here.
 */
#ifndef UEBPF_HELPERS_EXEC_H
#define UEBPF_HELPERS_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uebpf/engine.h"

/* Values of uebpf_exec.stopped. */
enum { EXEC_RUNNING = 0, EXEC_STOPPED = 1, EXEC_FAULT = 2 };

struct map;

struct uebpf_exec {
	const struct uebpf_code *code;
	/* The maps the program refers to (checked mode validates map
	 * arguments against them). */
	struct map *const *maps;
	size_t map_cnt;
	void *user;
	int stopped;        /* EXEC_STOPPED or EXEC_FAULT, set by a helper */
	uint64_t stop_r0;
	int checked;
	/* Checked mode: the live stack frames and the other regions. */
	uintptr_t stack_lo, stack_hi;
	const struct uebpf_region *regions;
	size_t region_cnt;
	struct uebpf_region *added; /* from helpers, freed after the run */
	size_t added_cnt, added_cap;
	/* Checked mode: inner maps the program got from maps of maps, which
	 * it may then pass to map helpers; freed after the run. */
	struct map **inner_maps;
	size_t inner_cnt, inner_cap;
	uint64_t insn_count, insn_limit;
	/* The packet LD_ABS / LD_IND read: the helpers that move or resize
	 * an skb's data keep it at the new data and len. */
	const uint8_t *packet;
	size_t packet_len;
	uint32_t prog_type; /* enum bpf_prog_type of the running code */
	/* Where bpf_redirect* sent the packet (the kernel's per-CPU
	 * bpf_redirect_info), copied to the run's results. */
	struct uebpf_redirect redirect;
	bool redirect_set;  /* bpf_redirect or _redirect_map recorded a target */
	/* The skb's state the runtime context does not carry: a hash set by
	 * the program or invalidated (SKB_HASH_*), an encapsulation added
	 * by bpf_skb_adjust_room. */
	uint8_t skb_hash_state;
	bool skb_encap;
	/* Packet buffers a helper replaced with larger ones: freed when the
	 * run ends (a checked program may still hold pointers into them). */
	void **retired;
	size_t retired_cnt, retired_cap;
	uint64_t may_goto_left;
	int32_t cpu;         /* the run's CPU: -1 until a helper asks (exec_cpu) */
	uint32_t tail_calls; /* taken so far in this run */
	uint32_t nesting;    /* callbacks running inside helpers */
	/* Run-time error report. */
	char *err_buf;
	size_t err_size;
	int64_t fault_pc;
	char helper_fault[160]; /* what a helper found wrong (EXEC_FAULT) */
};

/* Checked mode: is ptr one of the program's maps? (Always in normal mode,
 * where the verifier has proven it.) */
int exec_map_ok(const struct uebpf_exec *exec, const void *ptr);
/* Checked mode: lets the program use an inner map it looked up. */
int exec_add_inner_map(struct uebpf_exec *exec, struct map *map);

/* Values of uebpf_exec.skb_hash_state. */
enum { SKB_HASH_UNKNOWN = 0, SKB_HASH_SET = 1, SKB_HASH_INVALID = 2 };

/* Makes room to retire one more buffer (0 or -ENOMEM), so that the
 * helper replacing a buffer cannot fail after it has started. */
int exec_retire_reserve(struct uebpf_exec *exec);
/* Frees buf when the run ends (after exec_retire_reserve). */
void exec_retire(struct uebpf_exec *exec, void *buf);
/* The end of a run: frees the retired buffers. */
void exec_retired_free(struct uebpf_exec *exec);

/* The CPU this run is on, asked once per run: the kernel keeps a program
 * on one CPU, so every helper of a run (per-CPU values, the CPU id) sees
 * the same one. */
uint32_t exec_cpu(struct uebpf_exec *exec);
/* The copy of a per-CPU map's value this run uses (0 for shared maps). */
static inline uint32_t exec_map_cpu(struct uebpf_exec *exec, uint32_t ncpus)
{
	return ncpus <= 1 ? 0 : exec_cpu(exec) % ncpus;
}

#endif /* UEBPF_HELPERS_EXEC_H */
