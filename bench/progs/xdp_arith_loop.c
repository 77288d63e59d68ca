/* SPDX-License-Identifier: MIT */
/* arith_loop.c as an XDP program (see pkt_compute.h). */
#include "pkt_compute.h"
#include "arith_loop.c"
PKT_COMPUTE(arith_loop)
