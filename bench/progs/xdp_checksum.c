/* SPDX-License-Identifier: MIT */
/* checksum.c as an XDP program (see pkt_compute.h). */
#include "pkt_compute.h"
#include "checksum.c"
PKT_COMPUTE(checksum)
