/* SPDX-License-Identifier: MIT */
/* uebpf: eBPF in user space. Include this header for the whole API. */
#ifndef UEBPF_UEBPF_H
#define UEBPF_UEBPF_H

#define UEBPF_VERSION "0.1.0"

#include "uebpf/isa.h"
#include "uebpf/engine.h"
#include "uebpf/maps.h"
#include "uebpf/perf_buffer.h"
#include "uebpf/object.h"
#include "uebpf/progtypes.h"

#endif /* UEBPF_UEBPF_H */
