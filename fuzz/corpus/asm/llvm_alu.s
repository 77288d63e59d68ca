# LLVM syntax (llvm-objdump -d, clang -S): ALU.
	r0 = 0x1
	w3 = -0x7
	r0 += r3
	w3 -= 0x2
	r0 *= 0x10
	r0 /= 0x3
	w3 s/= -0x2
	r0 %= r3
	r0 s%= 0x5
	r0 |= 0x7fffffff
	w0 &= 0xff
	r3 <<= 0x21
	w3 >>= w0
	r3 s>>= 0x3f
	r0 ^= r3
	w3 = -w3
	r3 = -r3
	w4 = (s8)w0
	r5 = (s16)r3
	r0 = (s32)r5
	r4 = be16 r4
	r5 = le64 r5
	r0 = bswap32 r0
	r6 = 0x1122334455667788 ll
	exit
