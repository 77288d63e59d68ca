; type kprobe
; seed 47244662272
; found (kernel agreement run, seed 11; fixed: a callback address must be unmodified): run 0 (packet 0 bytes): insn 6: in callback, insn 7: reads r0, which is uninitialised
mov %r3, 0
mov %r1, 5
lddw %r2, func(+5)
add %r2, -16
mov %r4, 0
call 181
exit
mov %r0, 0
exit
