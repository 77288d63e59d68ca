// SPDX-License-Identifier: MIT
/*
 * Embedding uebpf: an object compiled with clang -target bpf is opened,
 * a read-only global set before load, loaded, and what was loaded shown
 * (then, with the path of the uebpf CLI, dumped by another process with
 * `uebpf prog dump xlated ... linum` while this one holds it).
 *
 *   load-object OBJ.o [UEBPF_CLI]
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uebpf/uebpf.h"

int main(int argc, char **argv)
{
	char err[1024] = "";
	struct uebpf_object_open_opts opts = { .sz = sizeof(opts), .err_buf = err,
					       .err_size = sizeof(err) };
	struct uebpf_program *prog;
	struct uebpf_map *map;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJ.o [UEBPF_CLI]\n", argv[0]);
		return 2;
	}
	struct uebpf_object *obj = uebpf_object_open_file(argv[1], &opts);
	if (!obj) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("object %s, license \"%s\"\n", uebpf_object_name(obj), uebpf_object_license(obj));
	uebpf_object_for_each_program(prog, obj)
		printf("  program %-12s section %-10s %zu instructions in the file\n",
		       uebpf_program_name(prog), uebpf_program_section_name(prog),
		       uebpf_program_insn_cnt(prog));
	uebpf_object_for_each_map(map, obj) {
		printf("  map     %-12s %-6s key %u value %u max_entries %u%s\n", uebpf_map_name(map),
		       libbpf_bpf_map_type_str(uebpf_map_type(map)), uebpf_map_key_size(map),
		       uebpf_map_value_size(map), uebpf_map_max_entries(map),
		       uebpf_map_is_internal(map) ? " (global data)" : "");
		/* const volatile globals are set before load, as with libbpf. */
		size_t size;
		const void *init = uebpf_map_initial_value(map, &size);
		if (init && strstr(uebpf_map_name(map), ".rodata") && size >= 4) {
			uint8_t *v = malloc(size);
			uint32_t min_len = 64;
			memcpy(v, init, size);
			memcpy(v, &min_len, 4); /* min_len is the first .rodata variable */
			uebpf_map_set_initial_value(map, v, size);
			free(v);
		}
	}
	if (uebpf_object_load(obj)) {
		fprintf(stderr, "%s\n", err);
		uebpf_object_close(obj);
		return 1;
	}
	printf("loaded:\n");
	uebpf_object_for_each_program(prog, obj) {
		struct uebpf_prog_info info;
		if (uebpf_program_fd(prog) < 0 || uebpf_prog_get_info(uebpf_program_fd(prog), &info))
			continue;
		printf("  program %s: id %u, %u instructions with its subprograms, %u maps, tag ",
		       info.name, info.id, info.insn_cnt, info.nr_map_ids);
		for (int i = 0; i < 8; i++)
			printf("%02x", info.tag[i]);
		printf("\n");
		if (argc > 2) {
			char cmd[512];
			snprintf(cmd, sizeof(cmd), "%s prog dump xlated id %u linum | head -n 24",
				 argv[2], info.id);
			printf("$ uebpf prog dump xlated id %u linum   (another process)\n", info.id);
			fflush(stdout);
			if (system(cmd) != 0)
				fprintf(stderr, "%s failed\n", argv[2]);
		}
	}
	uebpf_object_close(obj);
	return 0;
}
