/* SPDX-License-Identifier: MIT */
/* Helper names by id, from the kernel UAPI's own list, for the assembler
 * (`call bpf_map_lookup_elem`) and the disassemblers. */
#include <linux/bpf.h>
#include <string.h>

#include "uebpf/isa.h"

/* The mapper's entries are comma-separated up to Linux 6.1 and not
 * after (where ___BPF_FUNC_MAPPER exists). */
#ifdef ___BPF_FUNC_MAPPER
#define HELPER_NAME(name, ...) [BPF_FUNC_##name] = "bpf_" #name,
#else
#define HELPER_NAME(name, ...) [BPF_FUNC_##name] = "bpf_" #name
#endif
static const char *const helper_names[__BPF_FUNC_MAX_ID] = {
	__BPF_FUNC_MAPPER(HELPER_NAME)
};
#undef HELPER_NAME

/* Helpers newer than the installed UAPI header. */
static const struct { int32_t id; const char *name; } newer_helpers[] = {
	{ 210, "bpf_cgrp_storage_get" },
	{ 211, "bpf_cgrp_storage_delete" },
};

const char *uebpf_helper_name(int32_t id)
{
	if (id > 0 && id < __BPF_FUNC_MAX_ID)
		return helper_names[id];
	for (size_t i = 0; i < sizeof(newer_helpers) / sizeof(newer_helpers[0]); i++)
		if (newer_helpers[i].id == id)
			return newer_helpers[i].name;
	return NULL;
}

int32_t uebpf_helper_id(const char *name)
{
	const int32_t last = __BPF_FUNC_MAX_ID > 212 ? __BPF_FUNC_MAX_ID : 212;
	const char *bare = strncmp(name, "bpf_", 4) == 0 ? name + 4 : name;

	for (int32_t id = 1; id < last; id++) {
		const char *n = uebpf_helper_name(id);
		if (n && strcmp(n + 4, bare) == 0)
			return id;
	}
	return -1;
}
