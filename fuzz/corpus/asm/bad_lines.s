# Lines the assembler must reject cleanly (one error is enough to stop it).
r11 = 1
mov %r0, 0x1ffffffff
