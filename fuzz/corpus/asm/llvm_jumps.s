# LLVM syntax: branches, labels, long jumps, may_goto, calls.
	r0 = 0x0
	r3 = 0x0
LBB0_1:
	if r3 >= r2 goto LBB0_4
	r4 = r1
	r4 += r3
	w5 = *(u8 *)(r4 + 0x0)
	if w5 & 0x1 goto LBB0_3
	r0 += r5
	goto LBB0_3
LBB0_3:
	r3 += 0x1
	may_goto +0x1
	if w3 s< 0x40 goto LBB0_1
LBB0_4:
	if r0 != r3 goto +0x1
	gotol +0x0
	call 0x1
	call bpf_map_lookup_elem
	callx r0
	exit
