# Conformance syntax: helper calls, local calls, callx.
mov %r6, %r1
call 1
mov %r7, %r0
mov %r1, %r6
mov %r2, 16
call 3
add %r7, %r0
call local func
mov %r8, 4
callx %r8
jeq %r0, 0, +2
ldxdw %r3, [%r0+0]
stxdw [%r0+8], %r7
mov %r1, %r7
mov %r9, 2
call %r9
exit
func:
mov %r0, 1
add %r0, %r1
exit
