/* SPDX-License-Identifier: MIT */
/* Memory segments: unnamed files in the pin directory, memfds, anonymous. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maps/segment.h"

static size_t page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return (n + page - 1) & ~(page - 1);
}

const char *seg_pin_dir(const char *dir)
{
	if (dir && *dir)
		return dir;
	const char *env = getenv(UEBPF_PIN_DIR_ENV);
	return env && *env ? env : UEBPF_PIN_DIR_DEFAULT;
}

int seg_path(char *buf, size_t size, const char *path, const char *pin_dir)
{
	int n;
	if (!path || !*path)
		return -EINVAL;
	if (path[0] == '/')
		n = snprintf(buf, size, "%s", path);
	else
		n = snprintf(buf, size, "%s/%s", seg_pin_dir(pin_dir), path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* mkdir -p for the pin directory, mode 01777 like /dev/shm itself would
 * be too permissive: 0755, files inside carry their own modes. */
static int make_dir(const char *dir)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int map_fd(struct segment *seg, int fd, size_t size)
{
	void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -errno;
	seg->fd = fd;
	seg->base = base;
	seg->size = size;
	return 0;
}

int seg_create(struct segment *seg, size_t size, enum uebpf_segment_kind kind,
	       const char *pin_dir, mode_t mode)
{
	int fd = -1, err;

	memset(seg, 0, sizeof(*seg));
	seg->fd = -1;
	if (size == 0 || size > ((size_t)1 << 40))
		return -E2BIG;
	size = page_round(size);
	mode = mode ? mode : 0600;

	if (kind == UEBPF_SEGMENT_ANON) {
		void *base = mmap(NULL, size, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (base == MAP_FAILED)
			return -errno;
		seg->base = base;
		seg->size = size;
		seg->kind = kind;
		return 0;
	}
	if (kind == UEBPF_SEGMENT_DEFAULT) {
		const char *dir = seg_pin_dir(pin_dir);
		if (make_dir(dir) == 0)
			fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
		if (fd < 0)
			kind = UEBPF_SEGMENT_MEMFD; /* no usable pin directory */
		else if (fchmod(fd, mode)) /* O_TMPFILE's mode is masked by umask */
			return err = -errno, close(fd), err;
	}
	if (kind == UEBPF_SEGMENT_MEMFD) {
		fd = memfd_create("uebpf-map", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	if (ftruncate(fd, (off_t)size)) {
		err = -errno;
		close(fd);
		return err;
	}
	err = map_fd(seg, fd, size);
	if (err) {
		close(fd);
		return err;
	}
	seg->kind = kind;
	return 0;
}

int seg_open(struct segment *seg, const char *path, const char *pin_dir)
{
	char full[PATH_MAX];
	struct stat st;
	int err = seg_path(full, sizeof(full), path, pin_dir);

	memset(seg, 0, sizeof(*seg));
	seg->fd = -1;
	if (err)
		return err;
	int fd = open(full, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
	} else if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
		err = -EINVAL; /* not a segment */
	} else {
		err = map_fd(seg, fd, (size_t)st.st_size);
	}
	if (err) {
		close(fd);
		return err;
	}
	seg->kind = UEBPF_SEGMENT_DEFAULT;
	return 0;
}

int seg_pin(const struct segment *seg, const char *path, const char *pin_dir)
{
	char full[PATH_MAX], proc[64];
	int err = seg_path(full, sizeof(full), path, pin_dir);
	if (err)
		return err;
	if (seg->kind != UEBPF_SEGMENT_DEFAULT || seg->fd < 0)
		return -EOPNOTSUPP;
	/* Linking an O_TMPFILE file through /proc gives it a name; an
	 * already named (re-opened) segment gets one more hard link. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", seg->fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, full, AT_SYMLINK_FOLLOW))
		return -errno;
	return 0;
}

int seg_mirror_tail(struct segment *seg, size_t len)
{
	if (seg->fd < 0 || len == 0 || len > seg->size || len % 4096)
		return -EINVAL;
	/* Reserve room for both, then place the file and its tail in it. */
	size_t total = seg->size + len;
	uint8_t *base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	if (mmap(base, seg->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, seg->fd, 0) ==
		    MAP_FAILED ||
	    mmap(base + seg->size, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, seg->fd,
		 (off_t)(seg->size - len)) == MAP_FAILED) {
		int err = -errno;
		munmap(base, total);
		return err;
	}
	munmap(seg->base, seg->size);
	seg->base = base;
	seg->size = total;
	return 0;
}

void seg_close(struct segment *seg)
{
	if (seg->base)
		munmap(seg->base, seg->size);
	if (seg->fd >= 0)
		close(seg->fd);
	seg->base = NULL;
	seg->fd = -1;
}
