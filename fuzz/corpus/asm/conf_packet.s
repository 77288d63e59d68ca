# Conformance syntax: legacy packet loads (the packet is the memory's
# initial contents) and 64-bit immediates; runs to the end.
lddw %r6, 0x8000000000000001
lddw %r7, -2
ldabsb 0
mov %r8, %r0
ldabsh 2
add %r8, %r0
ldabsw 60
add %r8, %r0
mov %r3, 4
ldindb %r3, 1
add %r8, %r0
ldindh %r3, 58
add %r8, %r0
ldindw %r3, -4
add %r8, %r0
mov %r0, %r8
add %r0, %r6
xor %r0, %r7
exit
