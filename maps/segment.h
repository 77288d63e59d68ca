/* SPDX-License-Identifier: MIT */
/*
 * Memory segments: where maps live. A segment is a region mapped shared,
 * backed by an unnamed file in the pin directory (pinnable later by
 * linking it under a name), a memfd, or anonymous memory. Segments hold
 * offsets only, never pointers, so every process that maps one sees the
 * same data at its own address.
 */
#ifndef UEBPF_MAPS_SEGMENT_H
#define UEBPF_MAPS_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "uebpf/maps.h"

struct segment {
	int fd;          /* backing file, or -1 for anonymous memory */
	void *base;      /* this process's mapping */
	size_t size;     /* bytes mapped */
	enum uebpf_segment_kind kind;
};

/* The pin directory: dir if given, else $UEBPF_PIN_DIR, else the
 * default. Never NULL. */
const char *seg_pin_dir(const char *dir);

/* Creates a zero-filled segment of size bytes (rounded up to pages) with
 * the given file mode (0 = 0600). Returns 0 or a negative errno. */
int seg_create(struct segment *seg, size_t size, enum uebpf_segment_kind kind,
	       const char *pin_dir, mode_t mode);

/* Opens and maps the segment pinned at path (resolved against pin_dir
 * when relative). The caller checks what it finds inside. */
int seg_open(struct segment *seg, const char *path, const char *pin_dir);

/* Gives an unnamed segment a name: path relative to pin_dir, or absolute
 * on the same file system. -EOPNOTSUPP for memfd and anonymous segments,
 * -EEXIST if the name is taken. */
int seg_pin(const struct segment *seg, const char *path, const char *pin_dir);

/* Maps the last len bytes of the segment a second time right after it,
 * so that data wrapping around the end of a ring reads as contiguous
 * memory (seg->base may move; seg->size grows by len). Needs a file. */
int seg_mirror_tail(struct segment *seg, size_t len);

void seg_close(struct segment *seg);

/* Resolves a pin path against the pin directory into buf. */
int seg_path(char *buf, size_t size, const char *path, const char *pin_dir);

#endif /* UEBPF_MAPS_SEGMENT_H */
