/* SPDX-License-Identifier: MIT */
/* load_store.c as an XDP program (see pkt_compute.h). */
#include "pkt_compute.h"
#include "load_store.c"
PKT_COMPUTE(load_store)
