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
static void
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
static int
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
static jv
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
static void
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
static void
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

int
filter_compile(jq_state *jq, const char *prog)
{
	int nerr = 0;

	jq_set_error_cb(jq, jq_message, &nerr);
	return !jq_compile(jq, prog) || nerr > 0 ? -1 : 0;
}

static int
filter_header(void *arg, struct bh_reader *r)
{
	struct filter *f = arg;
	size_t i;

	bh_wr_start(&f->w, f->out, r->col, r->ncol, NULL, 0);
	if (!f->json)
		bh_wr_names(&f->w);
	f->keys = xreallocarray(NULL, r->ncol, sizeof(*f->keys));
	f->nkeys = r->ncol;
	f->tmpl = jv_object();
	for (i = 0; i < r->ncol; i++) {
		f->keys[i] = jv_string(r->col[i]);
		f->tmpl = jv_object_set(f->tmpl, jv_copy(f->keys[i]),
		    jv_null());
	}
	f->have_tmpl = 1;
	return 0;
}

/* Keep or drop one record; 1 when the program halted (the run ends),
 * -1 when that or a run-time error under --strict is fatal. */
static int
filter_record(void *arg, struct bh_reader *r)
{
	struct filter *f = arg;
	jv obj, v, s;
	size_t i;
	int keep;

	/* A copy of the template: one allocation of all the slots, no
	 * rehashing as the fields go in. */
	obj = jv_copy(f->tmpl);
	for (i = 0; i < r->ncol; i++)
		obj = jv_object_set(obj, jv_copy(f->keys[i]),
		    field_value(r->f[i], &f->esc, &f->esccap));
	jq_start(f->jq, jv_copy(obj), 0);
	v = jq_next(f->jq);
	keep = 0;
	if (jv_is_valid(v))
		keep = jv_get_kind(v) != JV_KIND_FALSE &&
		    jv_get_kind(v) != JV_KIND_NULL;
	else if (jv_invalid_has_msg(jv_copy(v))) {
		runtime_error(r, jv_invalid_get_msg(v));
		v = jv_invalid();
		if (r->strict) {
			jv_free(obj);
			return -1;
		}
	}
	jv_free(v);
	if (keep && f->json) {
		s = jv_dump_string(obj, 0);
		bh_wr_line(&f->w, jv_string_value(s),
		    (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
	} else {
		if (keep)
			bh_wr_fields(&f->w, r->f, NULL);
		jv_free(obj);
	}
	/* `halt` and `halt_error` end the run, as in jq(1). */
	if (jq_halted(f->jq)) {
		halted(f->jq, r);
		return 1;
	}
	return 0;
}

/* Comments pass through; -j writes none. */
static int
filter_comment(void *arg, const char *line, size_t len)
{
	struct filter *f = arg;

	if (!f->json)
		bh_wr_comment(&f->w, f->out, line, len);
	return 0;
}

void
filter_loop(struct filter *f, struct bh_loop *l)
{
	l->header = filter_header;
	l->record = filter_record;
	l->comment = filter_comment;
	l->arg = f;
}

void
filter_end(struct filter *f)
{
	size_t i;

	for (i = 0; i < f->nkeys; i++)
		jv_free(f->keys[i]);
	if (f->have_tmpl)
		jv_free(f->tmpl);
	free(f->keys);
	free(f->esc);
	bh_wr_free(&f->w);
	f->keys = NULL;
	f->nkeys = 0;
	f->have_tmpl = 0;
	f->esc = NULL;
}

#else /* !BH_HAVE_JQ */

#include "bh.h"
#include "filter.h"

void
filter_without_jq(void)
{
	bh_errx(BH_EXIT_FATAL, "built without libjq: install it "
	    "(apt-get install libjq-dev) and rebuild (make)");
}

#endif /* BH_HAVE_JQ */
