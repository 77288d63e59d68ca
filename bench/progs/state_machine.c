/* SPDX-License-Identifier: MIT */
/* Branchy state machine: tokenises the 1500-byte frame as text (words,
 * numbers, hex escapes, separators) and folds the token counts. */
#include "bench_prog.h"

enum { START, WORD, NUMBER, HEX0, HEX1, SPACE };

BENCH_ENTRY(bench_state_machine)
{
	u32 state = START, words = 0, numbers = 0, hexes = 0, other = 0;
	if (len < BENCH_INPUT_LEN)
		return 0;
	for (int i = 0; i < BENCH_INPUT_LEN; i++) {
		u8 c = mem[i];
		u8 lower = c | 0x20;
		int alpha = lower >= 'a' && lower <= 'z';
		int digit = c >= '0' && c <= '9';
		switch (state) {
		case START:
		case SPACE:
			if (c == '\\')
				state = HEX0;
			else if (alpha)
				state = WORD, words++;
			else if (digit)
				state = NUMBER, numbers++;
			else
				state = SPACE, other++;
			break;
		case WORD:
			if (!alpha && !digit)
				state = SPACE;
			break;
		case NUMBER:
			if (alpha)
				state = WORD, words++;
			else if (!digit)
				state = SPACE;
			break;
		case HEX0:
			state = digit || (lower >= 'a' && lower <= 'f') ? HEX1 : SPACE;
			break;
		case HEX1:
			if (digit || (lower >= 'a' && lower <= 'f'))
				hexes++;
			state = START;
			break;
		}
	}
	return (u64)words << 48 | (u64)numbers << 32 | (u64)hexes << 16 | other;
}
