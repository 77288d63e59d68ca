/* SPDX-License-Identifier: MIT */
/*
 * Just enough ELF for the object tests: the corpus list, whole files in
 * memory, and the sections and symbols of a well-formed 64-bit
 * little-endian object (the corpus's), so that the tests can find what
 * to compare and where to mutate without trusting the code under test.
 * Every offset is checked anyway: a test must not crash on a bad file.
 */
#ifndef UEBPF_CORPUS_ELF_H
#define UEBPF_CORPUS_ELF_H

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct corpus_file {
	char *name; /* file name, no directory */
	char *path;
	uint8_t *data;
	size_t size;
};

struct corpus {
	struct corpus_file *files;
	size_t cnt;
};

static inline int corpus_read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	*data = malloc(n ? (size_t)n : 1);
	if (!*data) {
		fclose(f);
		return -ENOMEM;
	}
	if (fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*size = (size_t)n;
	return 0;
}

static inline int corpus_add(struct corpus *c, const char *dir, const char *name)
{
	struct corpus_file *grown = realloc(c->files, (c->cnt + 1) * sizeof(*grown));
	struct corpus_file *f;
	size_t len = strlen(dir) + strlen(name) + 2;

	if (!grown)
		return -ENOMEM;
	c->files = grown;
	f = &c->files[c->cnt];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->path = malloc(len);
	if (!f->name || !f->path) {
		free(f->name);
		free(f->path);
		return -ENOMEM;
	}
	snprintf(f->path, len, "%s/%s", dir, name);
	int err = corpus_read_file(f->path, &f->data, &f->size);
	if (err) {
		free(f->name);
		free(f->path);
		return err;
	}
	c->cnt++;
	return 0;
}

/* The objects named in `list` (one file name a line) from dir; a missing
 * one is an error (it did not compile). */
static inline int corpus_load_list(struct corpus *c, const char *dir, const char *list)
{
	char line[256];
	FILE *f = fopen(list, "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		int err = corpus_add(c, dir, line);
		if (err) {
			fprintf(stderr, "%s/%s: %s\n", dir, line, strerror(-err));
			fclose(f);
			return err;
		}
	}
	fclose(f);
	return 0;
}

static int corpus_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.o of dir, in name order; a directory that is not there adds
 * nothing. Returns how many were added. */
static inline int corpus_load_dir(struct corpus *c, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cnt = 0, cap = 0;
	int added = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".o"))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown)
				break;
			names = grown;
		}
		names[cnt] = strdup(e->d_name);
		if (names[cnt])
			cnt++;
	}
	closedir(d);
	qsort(names, cnt, sizeof(*names), corpus_name_cmp);
	for (size_t i = 0; i < cnt; i++) {
		if (!corpus_add(c, dir, names[i]))
			added++;
		free(names[i]);
	}
	free(names);
	return added;
}

static inline void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->cnt; i++) {
		free(c->files[i].name);
		free(c->files[i].path);
		free(c->files[i].data);
	}
	free(c->files);
	memset(c, 0, sizeof(*c));
}

/* ---- sections and symbols of a well-formed object ---- */

struct elf_view {
	const uint8_t *data;
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh; /* eh->e_shnum entries */
	const char *shstr;
	size_t shstr_size;
};

/* 0 if the file looks like a 64-bit little-endian ELF whose header,
 * section headers and section name table are inside it. */
static inline int elf_view_init(struct elf_view *v, const uint8_t *data, size_t size)
{
	memset(v, 0, sizeof(*v));
	v->data = data;
	v->size = size;
	if (size < sizeof(Elf64_Ehdr) || memcmp(data, ELFMAG, SELFMAG) ||
	    data[EI_CLASS] != ELFCLASS64 || data[EI_DATA] != ELFDATA2LSB)
		return -1;
	v->eh = (const Elf64_Ehdr *)data;
	if (v->eh->e_shentsize != sizeof(Elf64_Shdr) || v->eh->e_shoff > size ||
	    (size - v->eh->e_shoff) / sizeof(Elf64_Shdr) < v->eh->e_shnum ||
	    v->eh->e_shoff % 8 || v->eh->e_shstrndx >= v->eh->e_shnum)
		return -1;
	v->sh = (const Elf64_Shdr *)(data + v->eh->e_shoff);
	const Elf64_Shdr *s = &v->sh[v->eh->e_shstrndx];
	if (s->sh_offset > size || s->sh_size > size - s->sh_offset)
		return -1;
	v->shstr = (const char *)data + s->sh_offset;
	v->shstr_size = s->sh_size;
	return 0;
}

static inline const char *elf_section_name(const struct elf_view *v, size_t idx)
{
	if (idx >= v->eh->e_shnum || v->sh[idx].sh_name >= v->shstr_size ||
	    !memchr(v->shstr + v->sh[idx].sh_name, '\0', v->shstr_size - v->sh[idx].sh_name))
		return "";
	return v->shstr + v->sh[idx].sh_name;
}

/* Index of the section named name, or -1. */
static inline int elf_find_section(const struct elf_view *v, const char *name)
{
	for (size_t i = 0; i < v->eh->e_shnum; i++)
		if (!strcmp(elf_section_name(v, i), name))
			return (int)i;
	return -1;
}

/* The section's bytes, NULL if it is outside the file (or NOBITS). */
static inline const uint8_t *elf_section_data(const struct elf_view *v, size_t idx, size_t *size)
{
	const Elf64_Shdr *s = &v->sh[idx];
	if (s->sh_type == SHT_NOBITS || s->sh_offset > v->size ||
	    s->sh_size > v->size - s->sh_offset)
		return NULL;
	*size = s->sh_size;
	return v->data + s->sh_offset;
}

#endif
