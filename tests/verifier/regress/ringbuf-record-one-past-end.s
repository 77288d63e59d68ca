; type kprobe
; map 0 ringbuf key 0 value 0 entries 4096
; seed 4294968774
; found (with an off-by-one injected into check_mem_bounds, to test the fuzzer): run 0 (packet 0 bytes): insn 6: invalid write of 1 bytes at 0x7ff524921010: outside the stack and the memory given to the program
lddw %r1, map_fd(0)
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, +4
stb [%r0+8], 1
mov %r1, %r0
mov %r2, 0
call 132
mov %r0, 0
exit
