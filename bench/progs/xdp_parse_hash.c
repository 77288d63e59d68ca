/* SPDX-License-Identifier: MIT */
/* parse_hash.c as an XDP program (see pkt_compute.h). */
#include "pkt_compute.h"
#include "parse_hash.c"
PKT_COMPUTE_COPY(parse_hash)
