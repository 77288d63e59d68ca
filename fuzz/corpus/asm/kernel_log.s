; verifier log / bpftool prog dump xlated
0: (b7) r0 = 1
1: (bf) r6 = r1
2: (61) r2 = *(u32 *)(r6 +0)
3: (15) if r2 == 0x0 goto pc+3
4: (07) r0 += -1
5: (63) *(u32 *)(r10 -4) = r0
6: (85) call bpf_get_prandom_u32#7
7: (18) r1 = map[fd:3]
9: (18) r2 = map[idx:0][0]+8
11: (18) r3 = 0x1122334455667788
13: (c3) lock *(u32 *)(r10 -4) += r0
14: (db) r0 = atomic64_fetch_add((u64 *)(r10 -16), r0)
15: (db) r0 = atomic64_cmpxchg((u64 *)(r6 +8), r0, r2)
16: (85) call pc+2
17: (05) goto pc+0
18: (95) exit
19: (b4) w0 = 0
20: (85) call kfunc#12 btf#1
21: (95) exit
