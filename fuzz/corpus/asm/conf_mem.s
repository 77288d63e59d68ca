# Conformance syntax: loads and stores on the memory (r1) and the stack.
ldxb %r0, [%r1]
ldxh %r3, [%r1+2]
ldxw %r4, [%r1+4]
ldxdw %r5, [%r1+8]
ldxsb %r6, [%r1+16]
ldxsh %r7, [%r1+18]
ldxsw %r8, [%r1+20]
stb [%r10-1], 0x7f
sth [%r10-4], -1
stw [%r1+24], 0x12345678
stdw [%r10-16], -2
stxb [%r1+32], %r0
stxh [%r10-20], %r3
stxw [%r1+36], %r4
stxdw [%r10-32], %r5
ldxdw %r0, [%r10-32]
add %r0, %r6
exit
