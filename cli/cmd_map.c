/* SPDX-License-Identifier: MIT */
/* uebpf map: not written yet. */
#include "cli/cli.h"

int cmd_map(int argc, char **argv)
{
	return cli_error("uebpf map is not available yet");
}
