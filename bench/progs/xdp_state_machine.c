/* SPDX-License-Identifier: MIT */
/* state_machine.c as an XDP program (see pkt_compute.h). */
#include "pkt_compute.h"
#include "state_machine.c"
PKT_COMPUTE_COPY(state_machine)
