// SPDX-License-Identifier: MIT
/*
 * uebpf verify OBJ.o [--prog NAME] [--log-level 1|2] [-j]: runs the
 * verifier on each program of an object (each loaded alone, as the
 * kernel's selftests load them) and says which are accepted, with the
 * verifier's statistics, and for a rejection the reason (the whole log
 * at --log-level 1 or 2). Exit status: 0 all accepted, 1 some rejected,
 * 2 the object could not be read or the command line is wrong.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

#define LOG_SIZE (16u << 20)

struct verdict {
	bool accepted;
	unsigned processed, states, peak;
	const char *reason; /* the log's last line, on rejection */
};

/* The statistics line the verifier ends its log with (level 4). */
static void parse_stats(const char *log, struct verdict *v)
{
	const char *p = strstr(log, "processed ");
	const char *last = NULL;

	while (p) {
		last = p;
		p = strstr(p + 1, "processed ");
	}
	if (last)
		sscanf(last, "processed %u insns (limit %*u) max_states_per_insn %*u total_states %u "
		       "peak_states %u", &v->processed, &v->states, &v->peak);
}

static bool stats_line(const char *l)
{
	return !strncmp(l, "processed ", 10) || !strncmp(l, "verification time ", 18) ||
	       !strncmp(l, "stack depth ", 12);
}

/* The reason for a rejection: the log's last line that is not a
 * statistic (without a log level, the whole reason is on that line). */
static const char *last_line(char *log)
{
	char *end = log + strlen(log);

	for (;;) {
		while (end > log && end[-1] == '\n')
			*--end = '\0';
		char *p = strrchr(log, '\n');
		char *line = p ? p + 1 : log;
		if (!stats_line(line) || line == log)
			return line;
		*line = '\0';
		end = line;
	}
}

static int verify_one(const char *path, const char *pin_dir, const char *name,
		      uint32_t log_level, char *log, struct verdict *v, char *err, size_t err_size)
{
	struct uebpf_object_open_opts oo = { .sz = sizeof(oo), .pin_root_path = pin_dir,
					     .err_buf = err, .err_size = err_size };
	struct uebpf_object *obj = uebpf_object_open_file(path, &oo);
	struct uebpf_program *p;

	if (!obj)
		return -errno;
	for (p = uebpf_object_next_program(obj, NULL); p; p = uebpf_object_next_program(obj, p))
		uebpf_program_set_autoload(p, strcmp(uebpf_program_name(p), name) == 0);
	p = uebpf_object_find_program(obj, name);
	log[0] = '\0';
	uebpf_program_set_log_buf(p, log, LOG_SIZE);
	/* Statistics come with every level; alone, they give the summary. */
	uebpf_program_set_log_level(p, log_level ? log_level : 4);
	int rc = uebpf_object_load(obj);
	memset(v, 0, sizeof(*v));
	v->accepted = rc == 0;
	parse_stats(log, v);
	uebpf_object_close(obj);
	if (!v->accepted && !log[0])
		snprintf(log, LOG_SIZE, "%s\n", err);
	return 0;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(dir);
}

int cmd_verify(int argc, char **argv)
{
	const char *path = NULL, *only = NULL;
	uint32_t log_level = 0;

	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--prog") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(s, "--log-level") && i + 1 < argc) {
			const char *l = argv[++i];
			if (strcmp(l, "1") && strcmp(l, "2"))
				return cli_fail("verify", EXIT_USAGE, "--log-level is 1 or 2, not '%s'", l);
			log_level = (uint32_t)atoi(l);
		} else if (!strcmp(s, "-j") || !strcmp(s, "--json")) {
			cli_js.on = true;
		} else if (!strcmp(s, "-p") || !strcmp(s, "--pretty")) {
			cli_js.on = cli_js.pretty = true;
		} else if (s[0] == '-' && s[1]) {
			return cli_fail("verify", EXIT_USAGE, "unrecognized option '%s' (usage: uebpf "
					"verify OBJ.o [--prog NAME] [--log-level 1|2] [-j])", s);
		} else if (!path) {
			path = s;
		} else {
			return cli_fail("verify", EXIT_USAGE, "one object at a time ('%s' too)", s);
		}
	}
	if (!path)
		return cli_fail("verify", EXIT_USAGE, "which object? (uebpf verify OBJ.o "
				"[--prog NAME] [--log-level 1|2] [-j])");

	/* The names first, from an object opened only for that. */
	char err[512] = "";
	struct uebpf_object_open_opts oo = { .sz = sizeof(oo), .err_buf = err,
					     .err_size = sizeof(err) };
	struct uebpf_object *obj = uebpf_object_open_file(path, &oo);
	if (!obj)
		return cli_fail("verify", EXIT_USAGE, "%s", err[0] ? err : strerror(errno));
	size_t n = 0;
	char **names = NULL;
	for (struct uebpf_program *p = uebpf_object_next_program(obj, NULL); p;
	     p = uebpf_object_next_program(obj, p)) {
		if (only && strcmp(uebpf_program_name(p), only))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(uebpf_program_name(p)))) {
			free(nn ? nn : names);
			uebpf_object_close(obj);
			return cli_fail("verify", EXIT_FAIL, "out of memory");
		}
		names = nn;
		n++;
	}
	uebpf_object_close(obj);
	if (only && !n) {
		free(names);
		return cli_fail("verify", EXIT_USAGE, "%s has no program '%s'", path, only);
	}

	/* Maps pinned by name go to a directory of their own, not the
	 * shared pin directory. */
	char pin_dir[] = "/tmp/uebpf-verify-XXXXXX";
	char *log = malloc(LOG_SIZE);
	if (!mkdtemp(pin_dir) || !log) {
		free(log);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return cli_fail("verify", EXIT_FAIL, "cannot make a pin directory: %s",
				strerror(errno));
	}
	int status = 0;
	if (cli_js.on)
		cli_json_begin('[');
	for (size_t i = 0; i < n; i++) {
		struct verdict v;
		err[0] = '\0';
		if (verify_one(path, pin_dir, names[i], log_level, log, &v, err, sizeof(err))) {
			status = EXIT_USAGE;
			cli_fail("verify", EXIT_USAGE, "%s", err);
			break;
		}
		if (!v.accepted && status == 0)
			status = EXIT_FAIL;
		char *reason = NULL;
		if (!v.accepted) {
			char *copy = strdup(log);
			reason = copy ? strdup(last_line(copy)) : NULL;
			free(copy);
		}
		if (cli_js.on) {
			cli_json_begin('{');
			cli_json_name("name");
			cli_json_string(names[i]);
			cli_json_name("verdict");
			cli_json_string(v.accepted ? "accepted" : "rejected");
			cli_json_name("insns_processed");
			cli_json_uint(v.processed);
			cli_json_name("total_states");
			cli_json_uint(v.states);
			cli_json_name("peak_states");
			cli_json_uint(v.peak);
			if (reason) {
				cli_json_name("reason");
				cli_json_string(reason);
			}
			if (log_level) {
				cli_json_name("log");
				cli_json_string(log);
			}
			cli_json_end('}');
		} else {
			if (log_level)
				fputs(log, stdout);
			if (v.accepted)
				printf("%s: accepted (%u insns processed, %u states, peak %u)\n", names[i],
				       v.processed, v.states, v.peak);
			else
				printf("%s: rejected: %s\n", names[i], reason ? reason : "");
		}
		free(reason);
	}
	if (cli_js.on) {
		cli_json_end(']');
		putchar('\n');
	}
	free(log);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	remove_dir(pin_dir);
	return status;
}
