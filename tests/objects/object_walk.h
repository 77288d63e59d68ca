/* SPDX-License-Identifier: MIT */
/*
 * Everything a user can ask of an opened (or loaded) object, asked, and
 * the answers checked for consistency: names are strings, instructions
 * and initial values are readable to their last byte (ASan sees an
 * overread), line info is there or -ENOENT, lookups by name find what
 * iteration found, fds exist exactly when loaded. Shared by the
 * malformed-object test and the fuzz target.
 */
#ifndef UEBPF_OBJECT_WALK_H
#define UEBPF_OBJECT_WALK_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "uebpf/maps.h"
#include "uebpf/object.h"

static inline int object_walk_fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* A checksum over bytes, so that reading them cannot be optimised away. */
static inline uint32_t object_walk_touch(const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* 0 if every answer is consistent, else -1 and the first problem in why. */
static inline int object_walk(const struct uebpf_object *obj, bool loaded, char *why, size_t size)
{
	struct uebpf_program *p;
	struct uebpf_map *m;
	uint32_t sink = 0;

	if (!uebpf_object_name(obj))
		return object_walk_fail(why, size, "object without a name");
	sink += object_walk_touch(uebpf_object_name(obj), strlen(uebpf_object_name(obj)));
	if (uebpf_object_license(obj))
		sink += object_walk_touch(uebpf_object_license(obj), strlen(uebpf_object_license(obj)));
	sink += uebpf_object_kversion(obj);

	uebpf_object_for_each_program(p, obj) {
		const char *name = uebpf_program_name(p), *sec = uebpf_program_section_name(p);
		const struct uebpf_insn *insns = uebpf_program_insns(p);
		size_t cnt = uebpf_program_insn_cnt(p);
		struct uebpf_line_info li;

		/* An empty name is what libbpf gives a symbol named "". */
		if (!name || !sec)
			return object_walk_fail(why, size, "program without a name or section");
		sink += object_walk_touch(sec, strlen(sec));
		if (!insns || !cnt)
			return object_walk_fail(why, size, "program %s: %zu instructions at %p", name,
						cnt, (const void *)insns);
		sink += object_walk_touch(insns, cnt * sizeof(*insns));
		if (uebpf_program_attach_target(p))
			sink += object_walk_touch(uebpf_program_attach_target(p),
						  strlen(uebpf_program_attach_target(p)));
		sink += (uint32_t)uebpf_program_type(p) + (uint32_t)uebpf_program_expected_attach_type(p);
		for (size_t i = 0; i <= cnt; i++) {
			memset(&li, 0, sizeof(li));
			int rc = uebpf_program_line_info(p, i, &li);
			if (i == cnt) {
				if (rc >= 0)
					return object_walk_fail(why, size,
								"program %s: line info past the end (%zu)",
								name, i);
				continue;
			}
			if (rc == -ENOENT)
				continue;
			if (rc)
				return object_walk_fail(why, size, "program %s: line info of insn %zu: %d",
							name, i, rc);
			if (li.file)
				sink += object_walk_touch(li.file, strlen(li.file));
			if (li.line_text)
				sink += object_walk_touch(li.line_text, strlen(li.line_text));
			sink += li.line + li.column;
		}
		struct uebpf_program *found = uebpf_object_find_program(obj, name);
		if (!found || strcmp(uebpf_program_name(found), name))
			return object_walk_fail(why, size, "program %s: not found by name", name);
		int fd = uebpf_program_fd(p);
		if (!loaded && fd >= 0)
			return object_walk_fail(why, size, "program %s: fd %d before load", name, fd);
		if (loaded && uebpf_program_autoload(p) != (fd >= 0))
			return object_walk_fail(why, size, "program %s: autoload %d, fd %d after load",
						name, uebpf_program_autoload(p), fd);
		if (fd >= 0) {
			struct uebpf_prog_info info;
			memset(&info, 0, sizeof(info));
			if (uebpf_prog_get_info(fd, &info))
				return object_walk_fail(why, size, "program %s: no info for fd %d", name,
							fd);
			if (!uebpf_prog_code(fd))
				return object_walk_fail(why, size, "program %s: no code for fd %d", name,
							fd);
		}
	}

	uebpf_object_for_each_map(m, obj) {
		const char *name = uebpf_map_name(m);
		size_t isize = 0;
		const void *init;

		if (!name)
			return object_walk_fail(why, size, "map without a name");
		sink += object_walk_touch(name, strlen(name));
		sink += uebpf_map_type(m) + uebpf_map_key_size(m) + uebpf_map_value_size(m) +
			uebpf_map_max_entries(m) + uebpf_map_flags(m) + (uint32_t)uebpf_map_extra(m) +
			uebpf_map_btf_key_type_id(m) + uebpf_map_btf_value_type_id(m) +
			uebpf_map_is_internal(m);
		init = uebpf_map_initial_value(m, &isize);
		if (init)
			sink += object_walk_touch(init, isize);
		if (uebpf_map_pin_path(m))
			sink += object_walk_touch(uebpf_map_pin_path(m), strlen(uebpf_map_pin_path(m)));
		struct uebpf_map *found = uebpf_object_find_map(obj, name);
		if (!found || strcmp(uebpf_map_name(found), name))
			return object_walk_fail(why, size, "map %s: not found by name", name);
		int fd = uebpf_map_fd(m);
		if (loaded != (fd >= 0))
			return object_walk_fail(why, size, "map %s: fd %d %s load", name, fd,
						loaded ? "after" : "before");
		if (fd >= 0) {
			struct uebpf_map_info info;
			memset(&info, 0, sizeof(info));
			if (uebpf_map_get_info(fd, &info))
				return object_walk_fail(why, size, "map %s: no info for fd %d", name, fd);
			if (info.type != uebpf_map_type(m) || info.max_entries != uebpf_map_max_entries(m))
				return object_walk_fail(why, size,
							"map %s: created as type %u with %u entries, "
							"the object says %u, %u",
							name, info.type, info.max_entries,
							uebpf_map_type(m), uebpf_map_max_entries(m));
		}
	}
	(void)sink;
	return 0;
}

/*
 * Whether loading the object would create maps of reasonable size (a
 * mutated max_entries can ask for terabytes, which a kernel refuses
 * with E2BIG or ENOMEM only after trying; tests must not try).
 */
static inline bool object_maps_small(const struct uebpf_object *obj, uint64_t limit)
{
	struct uebpf_map *m;
	uint64_t total = 0;

	uebpf_object_for_each_map(m, obj) {
		uint64_t k = uebpf_map_key_size(m), v = uebpf_map_value_size(m);
		uint64_t n = uebpf_map_max_entries(m);
		uint64_t per = ((k + 7) & ~7ull) + ((v + 7) & ~7ull) * 4 + 64;
		if (k > limit || v > limit || n > limit)
			return false;
		total += per * n + uebpf_map_max_entries(m) /* ring buffers: bytes */;
		if (total > limit)
			return false;
	}
	return true;
}

#endif
