/* SPDX-License-Identifier: MIT */
/* uebpf trace: not written yet. */
#include "cli/cli.h"

int cmd_trace(int argc, char **argv)
{
	return cli_error("uebpf trace is not available yet");
}
