/* SPDX-License-Identifier: MIT */
/*
 * uebpf maps: the bpf() map commands, on maps that live in shared memory
 * segments.
 *
 * Like libbpf's bpf.h: maps are named by file descriptors, functions
 * mirror the kernel's commands one to one and return 0 (or an fd) or a
 * negative errno, with the kernel's errno for each case. The fd is the
 * map's memory segment; another process reaches the same map by opening
 * its pinned path (uebpf_obj_get) and sees and changes the same data.
 *
 * Map types, flags and update flags are the kernel's (<linux/bpf.h>).
 */
#ifndef UEBPF_MAPS_H
#define UEBPF_MAPS_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a map's memory lives. */
enum uebpf_segment_kind {
	/* Default: an unnamed file in the pin directory (tmpfs), which can
	 * be pinned later (linked under a name) without copying. Falls back
	 * to a memfd where the pin directory cannot be used. */
	UEBPF_SEGMENT_DEFAULT = 0,
	/* A memfd: shared with processes the fd is passed to; not pinnable. */
	UEBPF_SEGMENT_MEMFD,
	/* Anonymous shared memory: shared with children after fork only; no
	 * fd to pass or pin (the map's fd is a memfd-less placeholder). */
	UEBPF_SEGMENT_ANON,
};

/* Default pin directory, and the environment variable that overrides it. */
#define UEBPF_PIN_DIR_DEFAULT "/dev/shm/uebpf"
#define UEBPF_PIN_DIR_ENV "UEBPF_PIN_DIR"

struct uebpf_map_create_opts {
	size_t sz; /* size of this struct, for compatibility */
	uint32_t map_flags;       /* BPF_F_* */
	uint32_t numa_node;       /* accepted, not used */
	uint64_t map_extra;       /* bloom filter: number of hash functions */
	int inner_map_fd;         /* map-in-map: the template inner map */
	enum uebpf_segment_kind segment;
	/* Directory for pinned and pinnable maps; NULL: $UEBPF_PIN_DIR or
	 * UEBPF_PIN_DIR_DEFAULT. */
	const char *pin_dir;
	/* File mode of the segment; 0 means 0600. */
	mode_t mode;
	/* The value holds a struct bpf_spin_lock at spin_lock_off (the
	 * kernel learns this from BTF): BPF_F_LOCK and bpf_spin_lock() use
	 * it, and user-space copies never touch it. */
	bool value_has_spin_lock;
	uint32_t spin_lock_off;
};
#define UEBPF_MAP_CREATE_OPTS_SZ sizeof(struct uebpf_map_create_opts)

/* Creates a map; returns its fd or a negative errno (EINVAL for a bad
 * combination of type, sizes and flags, as the kernel decides it). */
int uebpf_map_create(enum bpf_map_type type, const char *name,
		     uint32_t key_size, uint32_t value_size,
		     uint32_t max_entries,
		     const struct uebpf_map_create_opts *opts);

/* Element commands. Per-CPU maps take and give value_size rounded up to 8
 * bytes times uebpf_num_possible_cpus(), one copy per CPU. */
int uebpf_map_lookup_elem(int fd, const void *key, void *value);
int uebpf_map_lookup_elem_flags(int fd, const void *key, void *value,
				uint64_t flags);
int uebpf_map_update_elem(int fd, const void *key, const void *value,
			  uint64_t flags);
int uebpf_map_delete_elem(int fd, const void *key);
int uebpf_map_lookup_and_delete_elem(int fd, const void *key, void *value);
int uebpf_map_get_next_key(int fd, const void *key, void *next_key);
int uebpf_map_freeze(int fd);

struct uebpf_map_batch_opts {
	size_t sz;
	uint64_t elem_flags;
	uint64_t flags;
};
#define UEBPF_MAP_BATCH_OPTS_SZ sizeof(struct uebpf_map_batch_opts)

/* Batch commands, with the kernel's token protocol: in_batch NULL starts,
 * out_batch receives where to continue, *count is the room on input and
 * the number processed on output, -ENOENT when the end is reached. */
int uebpf_map_lookup_batch(int fd, void *in_batch, void *out_batch,
			   void *keys, void *values, uint32_t *count,
			   const struct uebpf_map_batch_opts *opts);
int uebpf_map_lookup_and_delete_batch(int fd, void *in_batch, void *out_batch,
				      void *keys, void *values, uint32_t *count,
				      const struct uebpf_map_batch_opts *opts);
int uebpf_map_update_batch(int fd, const void *keys, const void *values,
			   uint32_t *count,
			   const struct uebpf_map_batch_opts *opts);
int uebpf_map_delete_batch(int fd, const void *keys, uint32_t *count,
			   const struct uebpf_map_batch_opts *opts);

struct uebpf_map_info {
	uint32_t type;
	uint32_t id;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t map_flags;
	char name[16];
	uint64_t map_extra;
	bool frozen;
	uint32_t ncpus;       /* copies of each per-CPU value */
	uint64_t memory_size; /* bytes of the segment */
};

int uebpf_map_get_info(int fd, struct uebpf_map_info *info);

/* Pinning: gives the map's segment a name (relative names are inside the
 * pin directory); uebpf_obj_get opens it again, here or in another
 * process, and returns a new fd. A map lives while it is pinned or any
 * process has it open. */
int uebpf_obj_pin(int fd, const char *path);
int uebpf_obj_get(const char *path);

/* Closes a map fd (use this rather than close(): it also drops uebpf's
 * view of the map). */
int uebpf_map_close(int fd);

/* For BPF_F_MMAPABLE arrays: the values, max_entries times value_size
 * rounded up to 8, in the map's shared mapping (valid while the map is
 * open; do not unmap it); *size receives their length. NULL and errno
 * otherwise. */
void *uebpf_map_mmap(int fd, size_t *size);

/*
 * Ring buffer consumers, like libbpf's ring_buffer: each committed record
 * of the rings added is handed to its callback, in order. A callback
 * returning a negative value stops consumption (returned to the caller).
 */
struct uebpf_ringbuf;
typedef int (*uebpf_ringbuf_sample_fn)(void *ctx, void *data, size_t size);

struct uebpf_ringbuf *uebpf_ringbuf_new(int map_fd, uebpf_ringbuf_sample_fn fn, void *ctx);
int uebpf_ringbuf_add(struct uebpf_ringbuf *rb, int map_fd, uebpf_ringbuf_sample_fn fn,
		      void *ctx);
/* Consumes what is there; returns the number of records or a negative
 * errno. */
int uebpf_ringbuf_consume(struct uebpf_ringbuf *rb);
/* Consumes, waiting up to timeout_ms (-1: forever) for a record when
 * there is none. Wake-ups work across processes. */
int uebpf_ringbuf_poll(struct uebpf_ringbuf *rb, int timeout_ms);
/* An fd that becomes readable (poll/epoll) when a producer in this
 * process commits a record that needs a wake-up; call consume then. */
int uebpf_ringbuf_epoll_fd(const struct uebpf_ringbuf *rb);
void uebpf_ringbuf_free(struct uebpf_ringbuf *rb);

/* Number of possible CPUs (the per-CPU copies of per-CPU maps). */
int uebpf_num_possible_cpus(void);
/* Whether uebpf has maps of this type (the others: EINVAL at create). */
bool uebpf_map_type_supported(enum bpf_map_type type);

#ifdef __cplusplus
}
#endif
#endif /* UEBPF_MAPS_H */
