; type sched_cls
; map 0 percpu_array key 4 value 12 entries 2
; seed 4294969798
; found (with an off-by-one injected into check_mem_bounds, to test the fuzzer): run 0 (packet 60 bytes): insn 7: invalid write of 2 bytes at 0x7ff52492601b: outside the stack and the memory given to the program
mov %r6, %r1
stw [%r10-4], 0
lddw %r1, map_fd(0)
mov %r2, %r10
add %r2, -4
call 1
stxh [%r0+11], %r6
exit
