# LLVM syntax: atomics, load-acquire, store-release.
	r2 = 0x5
	lock *(u64 *)(r1 + 0x0) += r2
	lock *(u32 *)(r1 + 0x8) |= w2
	lock *(u64 *)(r10 - 0x8) &= r2
	lock *(u32 *)(r10 - 0x10) ^= w2
	r2 = atomic_fetch_add((u64 *)(r1 + 0x10), r2)
	w2 = atomic_fetch_xor((u32 *)(r1 + 0x18), w2)
	r2 = xchg_64(r1 + 0x18, r2)
	w2 = xchg32_32(r1 + 0x20, w2)
	r0 = cmpxchg_64(r1 + 0x28, r0, r2)
	w0 = cmpxchg32_32(r1 + 0x30, w0, w2)
	r3 = load_acquire((u64 *)(r1 + 0x0))
	w4 = load_acquire((u8 *)(r1 + 0x1))
	store_release((u32 *)(r1 + 0x38), w3)
	store_release((u16 *)(r10 - 0x2), w4)
	exit
