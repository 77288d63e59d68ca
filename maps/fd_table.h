/* SPDX-License-Identifier: MIT */
/*
 * fd -> object tables of this process (maps here, programs in object/):
 * lookups take no lock and never see the table move (two levels of 1024
 * entries; chunks are added under a lock and never freed).
 */
#ifndef UEBPF_MAPS_FD_TABLE_H
#define UEBPF_MAPS_FD_TABLE_H

#include <pthread.h>

#define FD_TABLE_CHUNK 1024
#define FD_TABLE_CHUNKS 1024

struct fd_table {
	void *_Atomic *_Atomic chunks[FD_TABLE_CHUNKS];
	pthread_mutex_t lock;
};
#define FD_TABLE_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }

/* What fd stands for, or NULL. */
void *fd_table_get(struct fd_table *t, int fd);
/* Sets (or with NULL clears) fd's entry: 0, -EMFILE (fd too large for
 * the table), -ENOMEM. */
int fd_table_set(struct fd_table *t, int fd, void *obj);

#endif /* UEBPF_MAPS_FD_TABLE_H */
