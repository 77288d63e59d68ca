# Conformance syntax: atomics, load-acquire and store-release.
mov %r2, 5
lock add [%r1+0], %r2
lock add32 [%r1+8], %r2
lock fetch add [%r1+16], %r2
lock or [%r1+0], %r2
lock fetch and32 [%r1+8], %r2
lock xor [%r10-8], %r2
lock fetch xor32 [%r10-16], %r2
lock xchg [%r1+24], %r2
lock xchg32 [%r1+32], %r2
mov %r0, 0
lock cmpxchg [%r1+40], %r2
lock cmpxchg32 [%r1+48], %r2
ldacqdw %r3, [%r1+0]
ldacqb %r4, [%r1+1]
strelw [%r1+56], %r3
strelh [%r10-2], %r4
exit
