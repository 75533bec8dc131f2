/*
 * unit.c - unit tests of lib/: escaping round trip of every byte value,
 * strict number parsing and the fixed formats.  Run by tests/lib.bats;
 * prints one line per failure and exits 1 if any.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"

static int failures;

#define CHECK(c) do { if (!(c)) { printf("FAIL %s:%d: %s\n", __FILE__, \
	__LINE__, #c); failures++; } } while (0)

static void
check_escape(void)
{
	unsigned char all[256], back[4 * 256 + 8];
	char esc[4 * 256 + 8];
	size_t n, i;
	long m;
	int b;

	/* Every byte alone, and all bytes in one field. */
	for (b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;

		n = bh_escape(esc, &c, 1);
		for (i = 0; i < n; i++)
			CHECK(esc[i] >= 0x20 && esc[i] < 0x7f);
		CHECK(strchr(esc, '\t') == NULL);
		m = bh_unescape(back, esc);
		CHECK(m == 1 && back[0] == c);
		all[b] = c;
	}
	n = bh_escape(esc, all, 256);
	for (i = 0; i < n; i++)
		CHECK(esc[i] >= 0x20 && esc[i] < 0x7f);
	m = bh_unescape(back, esc);
	CHECK(m == 256 && memcmp(back, all, 256) == 0);

	/* The unset marker cannot be forged by a payload. */
	CHECK(bh_escape(esc, (const unsigned char *)"-", 1) == 4);
	CHECK(strcmp(esc, "\\x2d") == 0);
	CHECK(bh_escape(esc, (const unsigned char *)"--", 2) == 2);
	CHECK(strcmp(esc, "--") == 0);
	bh_escape(esc, (const unsigned char *)"a\tb\nc\r\\\x1b[0m", 11);
	CHECK(strcmp(esc, "a\\tb\\nc\\r\\\\\\x1b[0m") == 0);
	CHECK(bh_unescape(back, "\\q") == -1);
	CHECK(bh_unescape(back, "\\x4") == -1);
	CHECK(bh_unescape(back, "abc\\") == -1);

	/* Bounded escaping never splits a sequence. */
	{
		size_t used;

		n = bh_escape_bounded(esc, 5, (const unsigned char *)"ab\x01",
		    3, &used);
		CHECK(n == 2 && used == 2 && strcmp(esc, "ab") == 0);
		n = bh_escape_bounded(esc, 6, (const unsigned char *)"ab\x01",
		    3, &used);
		CHECK(n == 6 && used == 3);
	}
}

static void
check_numbers(void)
{
	char buf[BH_NUMBUF];
	int64_t v;
	uint64_t u;
	unsigned long ul;
	double d;

	CHECK(bh_parse_usec("1262304000.090000", &v) == 0 &&
	    v == 1262304000090000LL);
	CHECK(bh_parse_usec("0.0000005", &v) == 0 && v == 1);
	CHECK(bh_parse_usec("0.0000004", &v) == 0 && v == 0);
	CHECK(bh_parse_usec("12", &v) == 0 && v == 12000000);
	CHECK(bh_parse_usec("-1.5", &v) == 0 && v == -1500000);
	CHECK(bh_parse_usec("", &v) == -1);
	CHECK(bh_parse_usec(".", &v) == -1);
	CHECK(bh_parse_usec("1.2.3", &v) == -1);
	CHECK(bh_parse_usec("1e3", &v) == -1);
	CHECK(bh_parse_usec(" 1", &v) == -1);
	CHECK(bh_parse_usec("-", &v) == -1);
	CHECK(bh_parse_ms_usec("90.000", &v) == 0 && v == 90000);
	CHECK(bh_parse_ms_usec("0.001", &v) == 0 && v == 1);
	CHECK(bh_parse_u64("18446744073709551615", &u) == 0 &&
	    u == UINT64_MAX);
	CHECK(bh_parse_u64("18446744073709551616", &u) == -1);
	CHECK(bh_parse_u64("-1", &u) == -1);
	CHECK(bh_parse_u64("+1", &u) == -1);
	CHECK(bh_parse_u64("0x10", &u) == -1);
	CHECK(bh_parse_i64("-9223372036854775808", &v) == 0 &&
	    v == INT64_MIN);
	CHECK(bh_parse_i64("9223372036854775808", &v) == -1);
	CHECK(bh_parse_uint("255", 255, &ul) == 0 && ul == 255);
	CHECK(bh_parse_uint("256", 255, &ul) == -1);
	CHECK(bh_parse_double("1.5", &d) == 0 && d == 1.5);
	CHECK(bh_parse_double("nan", &d) == -1);
	CHECK(bh_parse_double("inf", &d) == -1);
	CHECK(bh_parse_double("0x1p3", &d) == -1);
	CHECK(bh_parse_double("1 ", &d) == -1);
	CHECK(bh_parse_duration("300", &v) == 0 && v == 300000000);
	CHECK(bh_parse_duration("5m", &v) == 0 && v == 300000000);
	CHECK(bh_parse_duration("1h", &v) == 0 && v == 3600000000LL);
	CHECK(bh_parse_duration("250ms", &v) == 0 && v == 250000);
	CHECK(bh_parse_duration("0.5s", &v) == 0 && v == 500000);
	CHECK(bh_parse_duration("x", &v) == -1);
	CHECK(bh_parse_duration("-1", &v) == -1);

	bh_fmt_usec_s(buf, 1262304000090000LL);
	CHECK(strcmp(buf, "1262304000.090000") == 0);
	bh_fmt_usec_s(buf, 0);
	CHECK(strcmp(buf, "0.000000") == 0);
	bh_fmt_usec_s(buf, -1);
	CHECK(strcmp(buf, "-0.000001") == 0);
	bh_fmt_usec_ms(buf, 90000);
	CHECK(strcmp(buf, "90.000") == 0);
	bh_fmt_usec_ms(buf, 1);
	CHECK(strcmp(buf, "0.001") == 0);
	bh_fmt_usec_ms(buf, 123456789);
	CHECK(strcmp(buf, "123456.789") == 0);
	bh_fmt_u64(buf, UINT64_MAX);
	CHECK(strcmp(buf, "18446744073709551615") == 0);
	bh_fmt_i64(buf, INT64_MIN);
	CHECK(strcmp(buf, "-9223372036854775808") == 0);
}

int
main(void)
{
	check_escape();
	check_numbers();
	if (failures == 0)
		printf("ok\n");
	return failures ? 1 : 0;
}
