/* SPDX-License-Identifier: MIT */
/*
 * For cli/prog_test.sh: loads three programs (one using two maps, one
 * not GPL, one with source lines), prints "ready" with their ids and the
 * maps' ids, then keeps them until it is killed.
 */
#include <stdio.h>
#include <unistd.h>

#include "object/prog.h"
#include "uebpf/maps.h"

#define INSN(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

static unsigned id_of(int fd)
{
	struct uebpf_prog_info info = { 0 };
	return uebpf_prog_get_info(fd, &info) ? 0 : info.id;
}

static unsigned map_id(int fd)
{
	struct uebpf_map_info info = { 0 };
	return uebpf_map_get_info(fd, &info) ? 0 : info.id;
}

int main(void)
{
	int hash = uebpf_map_create(BPF_MAP_TYPE_HASH, "counts", 4, 8, 16, NULL);
	int array = uebpf_map_create(BPF_MAP_TYPE_ARRAY, "config", 4, 8, 1, NULL);
	const struct uebpf_insn counter[] = {
		INSN(0x18, 1, 1, 0, hash), INSN(0, 0, 0, 0, 0),
		INSN(0x18, 2, 2, 0, array), INSN(0, 0, 0, 0, 4),
		INSN(0xb7, 0, 0, 0, 2), INSN(0x95, 0, 0, 0, 0),
	};
	const struct uebpf_insn ret0[] = { INSN(0xb7, 0, 0, 0, 0), INSN(0x95, 0, 0, 0, 0) };
	const struct uebpf_insn ret1[] = { INSN(0xb7, 0, 0, 0, 1), INSN(0x95, 0, 0, 0, 0) };
	const struct prog_line lines[] = {
		{ .insn_off = 0, .line = 3, .col = 6, .file = "/src/lines.c", .text = "\tint x = 1;" },
		{ .insn_off = 1, .line = 4, .col = 2, .file = "/src/lines.c", .text = "return x;" },
	};
	struct prog_load_extra extra = { .lines = lines, .line_cnt = 2 };

	int p1 = uebpf_prog_load(BPF_PROG_TYPE_XDP, "counter", "GPL", counter, 6, NULL);
	int p2 = uebpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "filter", "MIT", ret0, 2, NULL);
	int p3 = prog_load(BPF_PROG_TYPE_KPROBE, "with_lines", "GPL", ret1, 2, NULL, &extra);
	if (hash < 0 || array < 0 || p1 < 0 || p2 < 0 || p3 < 0) {
		fprintf(stderr, "prog_test_helper: cannot load: %d %d %d %d %d\n", hash, array,
			p1, p2, p3);
		return 1;
	}
	printf("ready %u %u %u %u %u\n", id_of(p1), id_of(p2), id_of(p3), map_id(hash),
	       map_id(array));
	fflush(stdout);
	for (;;)
		pause();
}
