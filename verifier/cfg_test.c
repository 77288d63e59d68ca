// SPDX-License-Identifier: MIT
/*
 * The control-flow pass: each case has the verdict and message written
 * here from the kernel's rules; with bpf() permitted, each is also loaded
 * into the kernel, which must reject exactly the cases rejected here,
 * with the same message (cases the kernel rejects later, in its
 * abstract interpretation, must pass here).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/check.h"
#include "tests/kernel/kernel_bpf.h"
#include "uebpf/uebpf.h"
#include "verifier/cfg.h"

static const struct {
	const char *name, *text;
	const char *msg; /* NULL: accepted by this pass */
	size_t subprogs;
} cases[] = {
	{ "straight line", "r0 = 0\nexit\n", NULL, 1 },
	{ "dead code after exit", "r0 = 0\nexit\nr0 = 1\nexit\n", "unreachable insn 2", 0 },
	{ "dead branch target",
	  "r0 = 0\ngoto l\nr0 = 1\nl:\nexit\n", "unreachable insn 2", 0 },
	{ "falls off the end", "r0 = 0\nif r0 == 0 goto l\nexit\nl:\nr0 = 1\n",
	  "last insn is not an exit or jmp", 0 },
	{ "a called subprogram", "r0 = 0\ncall f\nexit\nf:\nr0 = 1\nexit\n", NULL, 2 },
	{ "a subprogram nobody calls", "r0 = 0\nexit\nr0 = 1\nexit\n", "unreachable insn 2", 0 },
	{ "a jump out of a subprogram",
	  "call f\nr0 = 0\nexit\nf:\nr0 = 1\nif r0 == 1 goto -4\nexit\n",
	  "jump out of range from insn 4 to 1", 0 },
	{ "main ends in a jump into a subprogram",
	  "r0 = 0\ncall f\ngoto f\nf:\nr0 = 1\nexit\n", "jump out of range from insn 2 to 3", 0 },
	{ "a bounded loop (a back-edge)",
	  "r0 = 0\nl:\nr0 += 1\nif r0 < 10 goto l\nexit\n", NULL, 1 },
	{ "an endless loop (refused later, not here)", "r0 = 0\nl:\ngoto l\n", NULL, 1 },
	{ "lddw then exit", "r0 = 0x100000000 ll\nr0 = 0\nexit\n", NULL, 1 },
	{ "two subprograms, nested calls",
	  "r0 = 0\ncall f\nexit\nf:\ncall g\nr0 = 0\nexit\ng:\nr0 = 2\nexit\n", NULL, 3 },
	{ "a subprogram that falls off the end",
	  "r0 = 0\ncall f\nexit\nf:\nr0 = 1\n", "last insn is not an exit or jmp", 0 },
};

static const char *const cfg_messages[] = {
	"unreachable insn", "last insn is not an exit or jmp", "jump out of range",
	"call to invalid destination", "jump into the middle of ldimm64",
};

static bool is_cfg_message(const char *log)
{
	for (size_t i = 0; i < sizeof(cfg_messages) / sizeof(cfg_messages[0]); i++)
		if (strstr(log, cfg_messages[i]))
			return true;
	return false;
}

int main(void)
{
	static char klog[65536];
	bool kernel = geteuid() == 0;
	int compared = 0;

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct uebpf_insn *insns;
		size_t cnt;
		char err[256];
		struct uebpf_asm_opts aopts = { .sz = sizeof(aopts), .err_buf = err,
						.err_size = sizeof(err) };
		struct cfg cfg;

		if (uebpf_asm(cases[c].text, &insns, &cnt, &aopts)) {
			CHECK_REPORT(0, "%s: does not assemble: %s", cases[c].name, err);
			continue;
		}
		CHECK_REPORT(uebpf_insns_check(insns, cnt, err, sizeof(err)) == 0,
			     "%s: the decoder refuses it: %s", cases[c].name, err);
		int ret = cfg_check(insns, cnt, &cfg, err, sizeof(err));
		if (cases[c].msg) {
			CHECK_REPORT(ret == -EINVAL && !strcmp(err, cases[c].msg),
				     "%s: returned %d '%s', expected '%s'", cases[c].name, ret, err,
				     cases[c].msg);
		} else {
			CHECK_REPORT(ret == 0, "%s: refused: %s", cases[c].name, err);
			CHECK_REPORT(cfg.nr_subprogs == cases[c].subprogs, "%s: %zu subprograms, "
				     "expected %zu", cases[c].name, cfg.nr_subprogs, cases[c].subprogs);
			cfg_free(&cfg);
		}

		/* The kernel's verdict on the same instructions. */
		int fd = kernel ? kernel_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, insns, cnt, klog,
						   sizeof(klog), 1)
				: -EPERM;
		if (fd >= 0) {
			close(fd);
			CHECK_REPORT(!cases[c].msg, "%s: the kernel accepts it", cases[c].name);
			compared++;
		} else if (fd != -EPERM) {
			if (cases[c].msg)
				CHECK_REPORT(strstr(klog, cases[c].msg), "%s: the kernel says: %.300s",
					     cases[c].name, klog);
			else
				CHECK_REPORT(!is_cfg_message(klog), "%s: the kernel refuses its "
					     "control flow: %.300s", cases[c].name, klog);
			compared++;
		}
		free(insns);
	}
	if (kernel && !compared)
		printf("NOTE bpf() refused: the kernel's verdicts not compared\n");
	else
		printf("%d cases compared with the kernel's verifier\n", compared);
	return check_summary("verifier_cfg_test");
}
