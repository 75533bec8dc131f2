/*
 * filter-jq.c - bh-filter's module: a record as a JSON object (the typing
 * rules are in bh-filter.c's opening comment and bh-filter(1)) and the
 * program's verdict on it.
 */
#ifdef BH_HAVE_JQ
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "bh.h"
#include "filter.h"

#define MAXSHOWN	10	/* run-time errors reported one by one */

/* jq's compile-time messages ("jq: error: syntax error, ..."), prefixed
 * with our name; *(int *)data counts them. */
void
jq_message(void *data, jv msg)
{
	msg = jq_format_error(msg);
	bh_warnx("%s", jv_string_value(msg));
	jv_free(msg);
	(*(int *)data)++;
}

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * Whether s is a number this tool types as a JSON number (see the top of
 * the file), and its value in *d.  The syntax first; then exactness, so
 * that jq, which prints the shortest decimal that reads back as the same
 * double, prints the number written:
 *   - at most 15 significant digits (DBL_DIG): always;
 *   - 16 or 17: when the step of the last significant digit, 10^e, is
 *     larger than the spacing of doubles at d (ulp).  Then d is within
 *     ulp/2 of the numeral and every other numeral of as many digits, or
 *     fewer (the last digit is not 0), is more than ulp/2 away, so the
 *     shortest form is the numeral itself;
 *   - more: never (a 20-digit identifier stays a string).
 * The value: M / 10^f with M < 2^53 and f <= 22 is one correctly rounded
 * IEEE division of two exact doubles (the classic strtod fast path);
 * anything else goes to strtod.
 */
int
json_number(const char *s, double *d)
{
	const char *p = s, *q, *e;
	uint64_t m = 0;
	int k = 0, f = 0, frac = 0, big = 0, nz = 0, lastpos = 0, pos = 0;
	int exp10, ex;
	double ulp;

	if (*p == '-')
		p++;
	if (*p == '0') {
		if (p[1] >= '0' && p[1] <= '9')
			return 0;
	} else if (*p < '1' || *p > '9')
		return 0;
	for (q = p; *q != '\0'; q++) {
		if (*q == '.') {
			if (frac || q[1] == '\0')
				return 0;
			frac = 1;
			continue;
		}
		if (*q < '0' || *q > '9')
			return 0;
		if (m > (UINT64_MAX - 9) / 10)
			big = 1;
		else
			m = m * 10 + (uint64_t)(*q - '0');
		f += frac;
		/* significant digits: from the first non-zero to the last */
		if (*q != '0') {
			if (!nz)
				k = 0;
			nz = 1;
			lastpos = pos;
		}
		if (nz)
			k++;
		pos++;
	}
	if (nz)
		k -= pos - 1 - lastpos;	/* trailing zeros do not count */
	if (!big && m <= ((uint64_t)1 << 53) && f <= 22) {
		*d = (double)m / pow10tab[f];
		if (*s == '-')
			*d = -*d;
	} else {
		errno = 0;
		*d = strtod(s, (char **)&e);
		if (*e != '\0' || errno == ERANGE)
			return 0;
	}
	if (!nz || k <= 15)
		return 1;
	if (k > 17)
		return 0;
	/* 10^exp10 is the step of the last significant digit. */
	exp10 = (pos - 1 - lastpos) - f;
	if (exp10 < -22 || exp10 > 22)
		return 0;
	(void)frexp(*d, &ex);
	ulp = ldexp(1.0, ex - 53);
	return (exp10 >= 0 ? pow10tab[exp10] : 1 / pow10tab[-exp10]) > ulp;
}

/* The JSON value of a field. */
jv
field_value(const char *s, char **esc, size_t *esccap)
{
	const unsigned char *p;
	size_t n;
	double d;

	if (BH_UNSET(s))
		return jv_null();
	if (json_number(s, &d))
		return jv_number(d);
	for (p = (const unsigned char *)s; *p >= 0x20 && *p < 0x7f; p++)
		;
	n = (size_t)(p - (const unsigned char *)s);
	if (*p == '\0')
		return jv_string_sized(s, (int)n);
	/* Not a valid stream field (raw bytes): escape it as bh-sessions
	 * would have, so the JSON stays ASCII and the bytes inert. */
	n += strlen((const char *)p);
	if (4 * n + 5 > *esccap) {
		*esccap = 4 * n + 5;
		*esc = xrealloc(*esc, *esccap);
	}
	n = bh_escape(*esc, (const unsigned char *)s, n);
	return jv_string_sized(*esc, (int)n);
}

/* A run-time error in the program: report the first MAXSHOWN, count all;
 * the record is skipped (exit 1; the caller ends the run with --strict). */
void
runtime_error(struct bh_reader *r, jv msg)
{
	jv m;

	if (r->nskipped < MAXSHOWN || r->strict) {
		if (jv_get_kind(msg) == JV_KIND_STRING)
			m = jv_copy(msg);
		else
			m = jv_dump_string(jv_copy(msg), 0);
		bh_warnx_at(r->name, r->lineno, "jq: error: %s; record "
		    "skipped", jv_string_value(m));
		jv_free(m);
	} else if (r->nskipped == MAXSHOWN)
		bh_warnx("more jq errors: counted, not shown");
	jv_free(msg);
	r->nskipped++;
	if (r->status < BH_EXIT_BAD)
		r->status = BH_EXIT_BAD;
}

/* The program called halt or halt_error: a non-zero exit code is an
 * error of the run (exit 2), with halt_error's message. */
void
halted(jq_state *jq, struct bh_reader *r)
{
	jv code = jq_get_exit_code(jq), msg;

	if (jv_get_kind(code) == JV_KIND_NUMBER &&
	    jv_number_value(code) != 0) {
		msg = jq_get_error_message(jq);
		if (jv_get_kind(msg) == JV_KIND_STRING)
			bh_warnx("jq: halt_error: %s", jv_string_value(msg));
		else
			bh_warnx("jq: halt_error");
		jv_free(msg);
		r->status = BH_EXIT_FATAL;
	}
	jv_free(code);
}

#endif /* BH_HAVE_JQ */
