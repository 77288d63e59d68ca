# Sum of the squares of the input's bytes, through a bpf-to-bpf call.
# The conformance suite's syntax.
    mov %r6, %r1          # r6 = data (callee-saved)
    mov %r7, %r1
    add %r7, %r2          # r7 = end of data
    mov %r8, 0            # r8 = sum
loop:
    jge %r6, %r7, done
    ldxb %r1, [%r6+0]
    call local square
    add %r8, %r0
    add %r6, 1
    ja loop
done:
    mov %r0, %r8
    exit
square:
    mov %r0, %r1
    mul %r0, %r1
    exit
