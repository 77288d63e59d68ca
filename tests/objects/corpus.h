/* SPDX-License-Identifier: MIT */
/*
 * Shared by the corpus programs: the headers a libbpf program includes.
 * The programs are compiled for the kernel exactly as users compile
 * theirs (clang -O2 -g -target bpf); the object tests open them with
 * uebpf and with libbpf and compare.
 */
#ifndef UEBPF_CORPUS_H
#define UEBPF_CORPUS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#endif
