/* SPDX-License-Identifier: MIT */
/*
 * A spin lock that works across processes: a 32-bit word in shared
 * memory, taken with an atomic exchange. Held only for a few hundred
 * nanoseconds (a bucket update), so waiters spin, then yield.
 */
#ifndef UEBPF_MAPS_LOCK_H
#define UEBPF_MAPS_LOCK_H

#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static inline void seg_lock(_Atomic uint32_t *lock)
{
	for (unsigned spins = 0;; spins++) {
		if (!atomic_load_explicit(lock, memory_order_relaxed) &&
		    !atomic_exchange_explicit(lock, 1, memory_order_acquire))
			return;
		if (spins < 64)
			cpu_relax();
		else
			sched_yield();
	}
}

static inline void seg_unlock(_Atomic uint32_t *lock)
{
	atomic_store_explicit(lock, 0, memory_order_release);
}

#endif /* UEBPF_MAPS_LOCK_H */
