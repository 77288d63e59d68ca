// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "maps/fd_table.h"

void *fd_table_get(struct fd_table *t, int fd)
{
	if (fd < 0 || fd >= FD_TABLE_CHUNK * FD_TABLE_CHUNKS)
		return NULL;
	void *_Atomic *chunk = atomic_load(&t->chunks[fd / FD_TABLE_CHUNK]);
	return chunk ? atomic_load(&chunk[fd % FD_TABLE_CHUNK]) : NULL;
}

int fd_table_set(struct fd_table *t, int fd, void *obj)
{
	if (fd < 0 || fd >= FD_TABLE_CHUNK * FD_TABLE_CHUNKS)
		return -EMFILE;
	void *_Atomic *chunk = atomic_load(&t->chunks[fd / FD_TABLE_CHUNK]);
	if (!chunk) {
		pthread_mutex_lock(&t->lock);
		chunk = atomic_load(&t->chunks[fd / FD_TABLE_CHUNK]);
		if (!chunk) {
			chunk = calloc(FD_TABLE_CHUNK, sizeof(*chunk));
			if (chunk)
				atomic_store(&t->chunks[fd / FD_TABLE_CHUNK], chunk);
		}
		pthread_mutex_unlock(&t->lock);
		if (!chunk)
			return -ENOMEM;
	}
	atomic_store(&chunk[fd % FD_TABLE_CHUNK], obj);
	return 0;
}
