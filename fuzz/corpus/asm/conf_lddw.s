# Conformance syntax: 64-bit immediates with pseudo sources (map and BTF
# references: the decoder accepts them, the loader refuses them), legacy
# packet loads, a kfunc call.
lddw %r0, 0x123456789abcdef0
lddw %r3, -1
lddw %r4, map_fd(3)
lddw %r5, map_value(3, 8)
lddw %r6, btf_id(7, 0)
lddw %r7, func(+5)
lddw %r8, map_idx(0)
lddw %r9, map_idx_value(1, 16)
ldabsb 0
ldabsh 2
ldabsw 60
ldindb %r3, 1
ldindw %r2, -64
call runtime 12, 1
exit
