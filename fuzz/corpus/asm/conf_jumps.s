# Conformance syntax: a loop over the memory with labels, 32-bit compares.
mov %r0, 0
mov %r3, 0
loop:
jge %r3, %r2, done
mov %r4, %r1
add %r4, %r3
ldxb %r5, [%r4+0]
jset %r5, 1, odd
add %r0, %r5
ja next
odd:
sub32 %r0, %r5
next:
add %r3, 1
jlt32 %r3, 64, loop
done:
jsgt %r0, -1, +1
neg %r0
jeq %r0, 0x0, +0
jne32 %r0, %r3, exit
ja32 +0
exit
