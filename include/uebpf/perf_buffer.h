/* SPDX-License-Identifier: MIT */
/*
 * Perf event arrays (BPF_MAP_TYPE_PERF_EVENT_ARRAY) and their consumers.
 *
 * A program writes samples with bpf_perf_event_output(ctx, &map, flags,
 * data, size) into the perf event in slot `flags & BPF_F_INDEX_MASK` (or
 * the current CPU's with BPF_F_CURRENT_CPU). In the kernel that event is a
 * PERF_COUNT_SW_BPF_OUTPUT event opened with perf_event_open() and mapped
 * with mmap(); in uebpf it is a ring made by uebpf_perf_event_open(), with
 * the kernel's mmap layout: a struct perf_event_mmap_page, then 2^n data
 * pages of PERF_RECORD_SAMPLE (PERF_SAMPLE_RAW) and PERF_RECORD_LOST
 * records, exactly as the kernel writes them, so a reader of kernel perf
 * rings reads these too.
 *
 * uebpf_perf_buffer is libbpf's perf_buffer: one ring per CPU put into the
 * map's slots, callbacks for samples and for lost samples.
 */
#ifndef UEBPF_PERF_BUFFER_H
#define UEBPF_PERF_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A perf event in user space: a ring of page_cnt data pages (a power of
 * two) that programs running on CPU cpu (-1: any CPU) may write into.
 * Returns an fd, or a negative errno. mmap((1 + page_cnt) * 4096 bytes,
 * MAP_SHARED) of the fd gives the ring. Put it into a perf event array
 * with uebpf_map_update_elem(map_fd, &index, &fd, BPF_ANY); programs in
 * any process using the map then find it there, for as long as the fd
 * stays open in the process that put it in (or until the slot is deleted
 * or replaced). Close it with close().
 */
int uebpf_perf_event_open(int cpu, size_t page_cnt);

struct uebpf_perf_buffer;

/* A sample: data points at the raw bytes in the ring (valid during the
 * call), size is the raw size the record declares, which includes the
 * padding up to a multiple of 8 of the whole record (as libbpf passes it). */
typedef void (*uebpf_perf_buffer_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
/* cnt samples were dropped because the ring of cpu was full. */
typedef void (*uebpf_perf_buffer_lost_fn)(void *ctx, int cpu, uint64_t cnt);

/*
 * One ring of page_cnt pages (a power of two) for each CPU, up to the
 * map's max_entries, put into slot i for CPU i. NULL with errno set on
 * failure (EINVAL, EBADF, EPERM for a read-only fd or a frozen map, ...).
 */
struct uebpf_perf_buffer *uebpf_perf_buffer_new(int map_fd, size_t page_cnt,
						uebpf_perf_buffer_sample_fn sample_cb,
						uebpf_perf_buffer_lost_fn lost_cb, void *ctx);
/* Hands every record there is to the callbacks; returns how many (samples
 * and lost records), or -EINVAL if a ring was found damaged (its records
 * are then skipped). */
int uebpf_perf_buffer_consume(struct uebpf_perf_buffer *pb);
/* Consumes, waiting up to timeout_ms (-1: forever) for a record when there
 * is none. Wake-ups work across processes. */
int uebpf_perf_buffer_poll(struct uebpf_perf_buffer *pb, int timeout_ms);
/* An fd that becomes readable (poll/epoll) when a producer in this process
 * writes into a ring whose consumer had caught up; call consume then. */
int uebpf_perf_buffer_epoll_fd(const struct uebpf_perf_buffer *pb);
/* Number of rings (ring i is CPU i's, in slot i). */
size_t uebpf_perf_buffer_buffer_cnt(const struct uebpf_perf_buffer *pb);
/* Ring i's fd (uebpf_perf_event_open's), or -EINVAL. */
int uebpf_perf_buffer_buffer_fd(const struct uebpf_perf_buffer *pb, size_t i);
/* Ring i as mapped by the consumer: the control page and the data pages
 * (*size bytes; the data pages follow once more, so records that wrap are
 * contiguous). 0 or -EINVAL. */
int uebpf_perf_buffer_buffer(const struct uebpf_perf_buffer *pb, size_t i, void **buf,
			     size_t *size);
/* Takes the rings out of the map's slots (those still holding them) and
 * frees them. */
void uebpf_perf_buffer_free(struct uebpf_perf_buffer *pb);

#ifdef __cplusplus
}
#endif
#endif /* UEBPF_PERF_BUFFER_H */
