/* SPDX-License-Identifier: MIT */
/*
 * Externs: what externs_resolve does, with the kernel config read from a
 * file of the caller's choice (tests give their own).
 */
#ifndef UEBPF_OBJECT_EXTERNS_H
#define UEBPF_OBJECT_EXTERNS_H

#include "object/object.h"

/* The kernel's config, as libbpf looks for it: /boot/config-$(uname -r),
 * else /proc/config.gz. */
#define EXTERNS_BOOT_CONFIG_FMT "/boot/config-%s"
#define EXTERNS_PROC_CONFIG "/proc/config.gz"

/* externs_resolve with CONFIG_* values from config_path (plain or
 * gzip-compressed), or from the kernel's config when it is NULL. */
int externs_resolve_config(struct uebpf_object *obj, const char *config_path);

/* The running kernel's version as libbpf computes LINUX_KERNEL_VERSION
 * (Ubuntu's /proc/version_signature first, then uname); 0 if unknown. */
uint32_t externs_kernel_version(void);

#endif /* UEBPF_OBJECT_EXTERNS_H */
