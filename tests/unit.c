/*
 * unit.c - unit tests of lib/: escaping round trip of every byte value,
 * the spans of an escaped text, strict number parsing and the fixed
 * formats.  Run by tests/lib.bats;
 * prints one line per failure and exits 1 if any.
 */
#include <stdint.h>
#include <stdio.h>
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

/* The span of raw bytes in an escaped text, and the evidence items that
 * name the head's bytes (bh-sessions(1): mOFF/LEN). */
static void
check_span(void)
{
	unsigned char all[256], back[4 * 256 + 8];
	char esc[4 * 256 + 8], sub[4 * 256 + 8], item[64];
	size_t off, len, b = 0, e = 0;
	uint32_t o, l;
	int i;

	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	bh_escape(esc, all, 256);
	for (off = 0; off < 256; off += 7)
		for (len = 1; off + len <= 256; len += 5) {
			b = 0;
			CHECK(bh_escaped_skip(esc, &b, off) == 0);
			e = b;
			CHECK(bh_escaped_skip(esc, &e, len) == 0);
			memcpy(sub, esc + b, e - b);
			sub[e - b] = '\0';
			CHECK(bh_unescape(back, sub) == (long)len &&
			    memcmp(back, all + off, len) == 0);
		}
	b = 0;
	CHECK(bh_escaped_skip(esc, &b, 257) == -1 && b == 0);
	b = 0;
	CHECK(bh_escaped_skip("ab\\qcd", &b, 2) == 0 && b == 2);
	CHECK(bh_escaped_skip("ab\\qcd", &b, 1) == -1 && b == 2);
	b = 0;
	CHECK(bh_escaped_skip("a\\x4", &b, 2) == -1);
	b = 0;
	CHECK(bh_escaped_skip("abc", &b, 3) == 0 && b == 3);
	CHECK(bh_escaped_skip("abc", &b, 1) == -1);

	CHECK(bh_ev_ref("m137/40", &o, &l) == 0 && o == 137 && l == 40);
	CHECK(bh_ev_ref("m4294967295/128", &o, &l) == 0 && o == UINT32_MAX &&
	    l == 128);
	CHECK(bh_ev_ref("m4294967296/1", &o, &l) == -1);
	CHECK(bh_ev_ref("m0/129", &o, &l) == -1);
	CHECK(bh_ev_ref("m0/4294967296", &o, &l) == -1);
	CHECK(bh_ev_ref("m4/0", &o, &l) == -1);
	CHECK(bh_ev_ref("m4/4x", &o, &l) == -1);
	CHECK(bh_ev_ref("m/4", &o, &l) == -1);
	CHECK(bh_ev_ref("m4/", &o, &l) == -1);
	CHECK(bh_ev_ref("h4/4", &o, &l) == -1);
	CHECK(bh_ev_ref("m4:ab", &o, &l) == -1);

	/* a head's span as an item: its commas \x2c, cut at len */
	CHECK(bh_item_text(item, ",a,,b\\x2c,", 10) == 22 &&
	    strcmp(item, "\\x2ca\\x2c\\x2cb\\x2c\\x2c") == 0);
	CHECK(bh_item_text(item, "ab,c", 2) == 2 && strcmp(item, "ab") == 0);
	CHECK(bh_item_text(item, "ab,c", 3) == 6 &&
	    strcmp(item, "ab\\x2c") == 0);
	CHECK(bh_item_text(item, "x", 0) == 0 && item[0] == '\0');
}

/* Every digit count, against the C library. */
static void
check_digits(void)
{
	char buf[32], want[32];
	uint64_t v = 1;
	int k, d;

	for (k = 0; k < 20; k++, v *= 10)
		for (d = -1; d <= 1; d++) {
			uint64_t x = v + (uint64_t)(int64_t)d;

			snprintf(want, sizeof(want), "%llu",
			    (unsigned long long)x);
			CHECK(bh_fmt_u64(buf, x) == (int)strlen(want) &&
			    strcmp(buf, want) == 0);
		}
	CHECK(bh_fmt_usec_s(buf, -1) == 9 && strcmp(buf, "-0.000001") == 0);
	CHECK(bh_fmt_usec_ms(buf, 1000999) == 8 &&
	    strcmp(buf, "1000.999") == 0);
}

int
main(void)
{
	check_escape();
	check_numbers();
	check_span();
	check_digits();
	if (failures == 0)
		printf("ok\n");
	return failures ? 1 : 0;
}
