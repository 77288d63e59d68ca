// Mixed syntaxes, read line by line with --syntax auto.
.globl entry
entry:  mov %r0, 0        ; conformance
        r6 = r1           # LLVM
        (b7) r7 = 64
top:    if r7 == 0x0 goto out
        ldxb %r3, [%r6+0]
        r0 += r3
        r6 += 1
        r7 += -1
        ja top
out:    mov32 %r1, %r0
        call 2            // stop with r0 = r1
        exit
