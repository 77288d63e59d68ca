/* SPDX-License-Identifier: MIT */
/*
 * Minimal test harness for the C unit tests: CHECK macros that record
 * failures with file:line and keep going, and a summary line.
 *
 *   static void test_something(void) { CHECK(x == 1); CHECK_STR(s, "..."); }
 *   int main(void) { RUN(test_something); return check_summary("name"); }
 */
#ifndef UEBPF_TESTS_CHECK_H
#define UEBPF_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static const char *check_current = "";

#define CHECK_REPORT(ok, ...)                                               \
	do {                                                                \
		if (ok) {                                                   \
			check_passed++;                                     \
		} else {                                                    \
			check_failed++;                                     \
			printf("FAIL %s (%s:%d): ", check_current, __FILE__, __LINE__); \
			printf(__VA_ARGS__);                                \
			printf("\n");                                       \
		}                                                           \
	} while (0)

#define CHECK(cond) CHECK_REPORT((cond), "%s", #cond)

#define CHECK_EQ(a, b)                                                      \
	do {                                                                \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);            \
		CHECK_REPORT(a_ == b_, "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, \
			     #a, #b, a_, b_);                               \
	} while (0)

#define CHECK_STR(a, b)                                                     \
	do {                                                                \
		const char *a_ = (a), *b_ = (b);                            \
		CHECK_REPORT(a_ && b_ && strcmp(a_, b_) == 0,               \
			     "%s: \"%s\" != \"%s\"", #a, a_ ? a_ : "(null)", b_); \
	} while (0)

/* Substring check, for messages. */
#define CHECK_CONTAINS(hay, needle)                                         \
	do {                                                                \
		const char *h_ = (hay), *n_ = (needle);                     \
		CHECK_REPORT(h_ && strstr(h_, n_), "\"%s\" does not contain \"%s\"", \
			     h_ ? h_ : "(null)", n_);                       \
	} while (0)

#define RUN(fn)                                                             \
	do {                                                                \
		int before_ = check_failed;                                 \
		check_current = #fn;                                        \
		fn();                                                       \
		printf("%s %s\n", check_failed == before_ ? "PASS" : "FAIL", #fn); \
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed || !check_passed ? 1 : 0;
}

#endif
