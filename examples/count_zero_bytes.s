# Counts the zero bytes of its input (r1 = data, r2 = length).
# C-like syntax, as llvm-objdump and the kernel's verifier log print it.
    r0 = 0
    r3 = r1
    r3 += r2              # r3 = end of data
loop:
    if r1 >= r3 goto done
    w4 = *(u8 *)(r1 + 0)
    if w4 != 0 goto next
    r0 += 1
next:
    r1 += 1
    goto loop
done:
    exit
