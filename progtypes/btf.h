/* SPDX-License-Identifier: MIT */
/*
 * The BTF of the types uebpf provides to programs (btf_types.bpf.c):
 * program contexts, pt_regs, tracepoint records, packet headers. CO-RE
 * relocations are resolved against it, where libbpf uses the running
 * kernel's vmlinux BTF.
 */
#ifndef UEBPF_PROGTYPES_BTF_H
#define UEBPF_PROGTYPES_BTF_H

#include <stddef.h>

struct btf;

/* The raw BTF (header, types, strings) as clang emitted it. */
const void *progtypes_btf_data(size_t *size);

/* The same, parsed with libbpf's btf__new on first use (thread-safe);
 * shared and read-only, never freed. NULL with errno set if it does not
 * parse (a broken build). */
const struct btf *progtypes_btf(void);

#endif /* UEBPF_PROGTYPES_BTF_H */
