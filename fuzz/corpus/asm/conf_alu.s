# Conformance syntax: ALU, 64 and 32 bits, immediate and register forms.
mov %r0, 1
mov32 %r3, -7
add %r0, %r3
sub32 %r3, 2
mul %r0, 0x10
div %r0, 3
sdiv32 %r3, -2
mod %r0, %r3
smod %r0, 5
or %r0, 0x80000000
and32 %r0, 0xff
lsh %r3, 33
rsh32 %r3, %r0
arsh %r3, 63
xor %r0, %r3
neg32 %r3
movsx832 %r4, %r0
movsx1664 %r5, %r3
movsx3264 %r0, %r5
be16 %r4
le32 %r5
bswap64 %r0
swap16 %r3
exit
