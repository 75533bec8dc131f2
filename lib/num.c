/*
 * num.c - strict number parsing and the fixed number formats of bh(7):
 * seconds with exactly 6 decimals, milliseconds with exactly 3.  Times are
 * carried as integer microseconds so that no binary fraction ever rounds a
 * planted value (1262304000.090000 - 1262304000.000000 is 90000 us exactly).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"

/* 10^0 .. 10^19 */
static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

int
bh_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	const char *p;
	unsigned d;

	if (s == NULL || *s == '\0')
		return -1;
	for (p = s; *p != '\0'; p++) {
		d = (unsigned char)(*p - '0');
		if (d > 9)
			return -1;
		/* x * 10 + d > UINT64_MAX, without a division */
		if (x > UINT64_MAX / 10 || (x == UINT64_MAX / 10 &&
		    d > UINT64_MAX % 10))
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

int
bh_parse_i64(const char *s, int64_t *v)
{
	uint64_t x;
	int neg = 0;

	if (s == NULL)
		return -1;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (bh_parse_u64(s, &x) == -1)
		return -1;
	if (neg) {
		if (x > (uint64_t)INT64_MAX + 1)
			return -1;
		*v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	} else {
		if (x > (uint64_t)INT64_MAX)
			return -1;
		*v = (int64_t)x;
	}
	return 0;
}

int
bh_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	uint64_t x;

	if (bh_parse_u64(s, &x) == -1 || x > max)
		return -1;
	*v = (unsigned long)x;
	return 0;
}

int
bh_parse_double(const char *s, double *v)
{
	char *end;
	double x;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t')
		return -1;
	errno = 0;
	x = strtod(s, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(x))
		return -1;
	/* strtod takes hex floats, "inf" and "nan"; the stream has none. */
	if (strpbrk(s, "xXiInN") != NULL)
		return -1;
	*v = x;
	return 0;
}

/* Whether c is a decimal digit (one comparison). */
#define IS_DIGIT(c)	((unsigned char)((c) - '0') < 10)

/*
 * Parse "[-]INT[.FRAC]" scaled by 10^scale (6 for seconds -> us, 3 for
 * ms -> us), rounding half away from zero beyond that.  Returns -1 on
 * anything else or on overflow.
 */
static int
parse_fixed(const char *s, int scale, int64_t *out)
{
	int64_t ip = 0, fp = 0;
	int neg = 0, nd = 0, round = 0;
	const char *p = s, *start;

	if (s == NULL)
		return -1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	for (start = p; IS_DIGIT(*p); p++) {
		if (ip > (INT64_MAX / 10 - 9) / 1000000)
			return -1;
		ip = ip * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		for (; nd < scale && IS_DIGIT(*p); p++, nd++)
			fp = fp * 10 + (*p - '0');
		if (nd == scale && IS_DIGIT(*p)) {
			round = *p >= '5';
			for (p++, nd++; IS_DIGIT(*p); p++, nd++)
				if (nd > 30)
					return -1;
		}
	}
	/* at least one digit, before or after the point */
	if (*p != '\0' || p == start || (p == start + 1 && *start == '.'))
		return -1;
	if (nd < scale)
		fp *= (int64_t)pow10_u64[scale - nd];
	*out = ip * (int64_t)pow10_u64[scale] + fp + round;
	if (neg)
		*out = -*out;
	return 0;
}

int
bh_parse_usec(const char *s, int64_t *usec)
{
	return parse_fixed(s, 6, usec);
}

int
bh_parse_ms_usec(const char *s, int64_t *usec)
{
	return parse_fixed(s, 3, usec);
}

int
bh_parse_duration(const char *s, int64_t *usec)
{
	char num[64];
	size_t n = strlen(s), k;
	int64_t v, mul = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	k = n;
	if (n > 2 && strcmp(s + n - 2, "ms") == 0) {
		k = n - 2;
		mul = -1000;	/* divide: value is in ms */
	} else if (s[n - 1] == 's')
		k = n - 1;
	else if (s[n - 1] == 'm') {
		k = n - 1;
		mul = 60;
	} else if (s[n - 1] == 'h') {
		k = n - 1;
		mul = 3600;
	}
	memcpy(num, s, k);
	num[k] = '\0';
	if (num[0] == '-')
		return -1;
	if (mul == -1000) {
		if (parse_fixed(num, 3, &v) == -1)
			return -1;
		*usec = v;
		return 0;
	}
	if (parse_fixed(num, 6, &v) == -1 || v > INT64_MAX / mul)
		return -1;
	*usec = v * mul;
	return 0;
}

/*
 * The decimal digits are written two at a time from a table of the 100
 * pairs, straight into their place (the count of digits found first from
 * the bit length: 1233 / 4096 is just below log10(2)): a row of bh-hosts
 * writes some thirty numbers, and one digit a step, a copy of each
 * number and a division for the fixed formats were most of its output.
 */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";


/* The number of decimal digits of v (1 for 0). */
static int
u64_digits(uint64_t v)
{
	int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	return t + 1 - ((v | 1) < pow10_u64[t]);
}

/* The n digits of v (n == u64_digits(v), or more: leading zeros) at
 * buf[0..n). */
static void
put_digits(char *buf, uint64_t v, int n)
{
	char *p = buf + n;
	unsigned d;

	while (p - buf >= 2) {
		d = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, digit_pairs + 2 * d, 2);
	}
	if (p > buf)
		*--p = (char)('0' + v % 10);
}

int
bh_fmt_u64(char *buf, uint64_t v)
{
	int n = u64_digits(v);

	put_digits(buf, v, n);
	buf[n] = '\0';
	return n;
}

int
bh_fmt_i64(char *buf, int64_t v)
{
	if (v < 0) {
		buf[0] = '-';
		return 1 + bh_fmt_u64(buf + 1, (uint64_t)0 - (uint64_t)v);
	}
	return bh_fmt_u64(buf, (uint64_t)v);
}

/* A sign, the integer part ip, a point and the fraction fp in exactly
 * dec digits. */
static int
fmt_point(char *buf, int neg, uint64_t ip, uint64_t fp, int dec)
{
	char *p = buf;
	int n;

	if (neg)
		*p++ = '-';
	n = u64_digits(ip);
	put_digits(p, ip, n);
	p += n;
	*p++ = '.';
	put_digits(p, fp, dec);
	p += dec;
	*p = '\0';
	return (int)(p - buf);
}

/* |v| (v < 0 tells the sign), for the divisions by a constant below. */
static uint64_t
magnitude(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

int
bh_fmt_usec_s(char *buf, int64_t usec)
{
	uint64_t u = magnitude(usec);

	return fmt_point(buf, usec < 0, u / 1000000, u % 1000000, 6);
}

int
bh_fmt_usec_ms(char *buf, int64_t usec)
{
	uint64_t u = magnitude(usec);

	return fmt_point(buf, usec < 0, u / 1000, u % 1000, 3);
}

uint64_t
bh_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}
