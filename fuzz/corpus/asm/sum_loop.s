# Sums the 64 bytes at r1 with helper 3, then again by hand; helper 4's
# buffer gets the result.
mov %r6, %r1
mov %r7, %r2
call 3
mov %r8, %r0
mov %r0, 0
mov %r3, 0
loop:
jge %r3, %r7, done
mov %r4, %r6
add %r4, %r3
ldxb %r5, [%r4+0]
add %r0, %r5
add %r3, 1
ja loop
done:
mov %r9, %r0
mov %r1, 0
call 4
jeq %r0, 0, +2
stxdw [%r0+0], %r9
stxdw [%r0+24], %r8
mov %r0, %r9
exit
