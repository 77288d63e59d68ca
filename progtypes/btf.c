/* SPDX-License-Identifier: MIT */
/* The program types' BTF, embedded at build time (see CMakeLists.txt). */
#include "progtypes/btf.h"

#include <bpf/btf.h>
#include <errno.h>
#include <pthread.h>

/* PROGTYPES_BTF_FILE: the .BTF section of btf_types.bpf.o, as a file. */
__asm__(".pushsection .rodata, \"a\"\n"
	".balign 8\n"
	".globl uebpf_progtypes_btf_start\n"
	".hidden uebpf_progtypes_btf_start\n"
	"uebpf_progtypes_btf_start:\n"
	".incbin \"" PROGTYPES_BTF_FILE "\"\n"
	".globl uebpf_progtypes_btf_end\n"
	".hidden uebpf_progtypes_btf_end\n"
	"uebpf_progtypes_btf_end:\n"
	".popsection\n");

extern const unsigned char uebpf_progtypes_btf_start[] __attribute__((visibility("hidden")));
extern const unsigned char uebpf_progtypes_btf_end[] __attribute__((visibility("hidden")));

const void *progtypes_btf_data(size_t *size)
{
	*size = (size_t)(uebpf_progtypes_btf_end - uebpf_progtypes_btf_start);
	return uebpf_progtypes_btf_start;
}

static pthread_once_t parse_once = PTHREAD_ONCE_INIT;
static struct btf *parsed;
static int parse_errno;

static void parse(void)
{
	size_t size;
	const void *data = progtypes_btf_data(&size);

	parsed = btf__new(data, (__u32)size);
	if (!parsed)
		parse_errno = errno ? errno : EINVAL;
}

const struct btf *progtypes_btf(void)
{
	pthread_once(&parse_once, parse);
	if (!parsed)
		errno = parse_errno;
	return parsed;
}
