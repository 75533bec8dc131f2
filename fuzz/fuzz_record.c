/*
 * fuzz_record - the record stream reader and writer (lib/record.c) and
 * the field escaping (lib/escape.c) on arbitrary text.
 *
 * The input is a record stream.  It is read as one operand and as two
 * (the same file twice: the repeated header is skipped), with and without
 * --strict (by the input's length), and written back with two owned
 * columns, one of which may replace an input column in place.
 *
 * It goes through bh_rec_loop, as every filter's main() does.
 *
 * Checked besides memory safety: exit status 0, 1 or 2 (2 on a missing
 * or changed header is the documented behaviour); the output is a
 * record stream with as many fields per record as its header, printable
 * whenever the input was; every field escapes to printable text that
 * unescapes back to its bytes, a bounded escape is a prefix of the whole
 * one that never splits a sequence, and a field that unescapes re-escapes
 * to a field that unescapes to the same bytes; the typed getters
 * (bh_rec_get_*) take every field, and bh_rec_shown(), which quotes
 * fields in diagnostics, is printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "fz.h"

struct job {
	FILE		*out;
	struct bh_writer w, mw;		/* the output; a memory writer */
};

static const char *const owned[] = { "flow", "fuzz_new" };

static void
check_field(const char *f)
{
	size_t n = strlen(f), len, used, cap, k;
	char *esc = malloc(4 * n + 5), *b = malloc(4 * n + 5);
	unsigned char *un = malloc(4 * n + 5), *un2 = malloc(4 * n + 5);
	long back, m;

	len = bh_escape(esc, (const unsigned char *)f, n);
	if (!bh_fuzz_is_text(esc, len) || memchr(esc, '\t', len) ||
	    memchr(esc, '\n', len) || strlen(esc) != len)
		bh_fuzz_fail("escape is not printable", esc, len);
	if ((n == 1 && f[0] == '-') != (strcmp(esc, "\\x2d") == 0 && n == 1))
		bh_fuzz_fail("'-' not escaped as \\x2d", esc, len);
	back = bh_unescape(un, esc);
	if (back != (long)n || memcmp(un, f, n) != 0)
		bh_fuzz_fail("unescape(escape(x)) != x", esc, len);
	for (cap = 0; cap <= len; cap += 1 + cap / 3) {
		k = bh_escape_bounded(b, cap, (const unsigned char *)f, n,
		    &used);
		if (k > cap || used > n || strlen(b) != k)
			bh_fuzz_fail("bounded escape overruns", b, k);
		if (!(n == 1 && f[0] == '-') && (memcmp(b, esc, k) != 0 ||
		    (used < n && k + 4 <= cap)))
			bh_fuzz_fail("bounded escape is not a maximal prefix",
			    b, k);
	}
	/* Fields as they come (escaped by a writer, or not at all). */
	if ((m = bh_unescape(un2, f)) >= 0) {
		len = bh_escape(esc, un2, (size_t)m);
		if (bh_unescape(un, esc) != m ||
		    memcmp(un, un2, (size_t)m) != 0)
			bh_fuzz_fail("re-escaped field differs", esc, len);
	}
	free(esc);
	free(b);
	free(un);
	free(un2);
}

/* Every typed getter on field c (a bad value is reported and counted,
 * as the tools do; with --strict the first one ends the run). */
static void
typed(struct bh_reader *r, int c)
{
	const char *shown = bh_rec_shown(r->f[c]);
	unsigned long ul;
	uint64_t u;
	int64_t us;

	if (!bh_fuzz_is_text(shown, strlen(shown)) || strchr(shown, '\t') ||
	    strchr(shown, '\n'))
		bh_fuzz_fail("bh_rec_shown() is not printable", shown,
		    strlen(shown));
	(void)bh_rec_get_u64(r, c, &u);
	(void)bh_rec_get_uint(r, c, 65535, "port", &ul);
	(void)bh_rec_get_usec(r, c, &us);
	(void)bh_rec_get_ms(r, c, &us);
	(void)bh_rec_get_dir(r, c);
}

static int
job_header(void *arg, struct bh_reader *r)
{
	struct job *j = arg;

	(void)bh_rec_col(r, "flow");
	bh_wr_start(&j->w, j->out, r->col, r->ncol, owned, 2);
	/* columns left out: one named "drop", and the second of a wide
	 * stream (a no-op when it is owned) */
	bh_wr_drop(&j->w, bh_rec_col(r, "drop"));
	if (r->ncol > 3)
		bh_wr_drop(&j->w, 1);
	bh_wr_names(&j->w);
	/* a memory writer of the same layout must write the same bytes */
	bh_wr_init_mem(&j->mw, &j->w);
	return 0;
}

static int
job_record(void *arg, struct bh_reader *r)
{
	struct job *j = arg;
	const char *val[2];
	size_t i, need;
	int c;

	if (r->nf != r->ncol)
		bh_fuzz_fail("record with the wrong field count returned",
		    NULL, 0);
	for (i = 0; i < r->nf; i++) {
		check_field(r->f[i]);
		typed(r, (int)i);
	}
	c = bh_rec_col(r, "flow");
	val[0] = NULL;
	val[1] = c >= 0 ? r->f[c] : "x";
	/* what bh_wr_fields() makes room for: within the buffer, the
	 * record ends the buffer (it may have been flushed) */
	need = r->linelen + 1 + 2 + 1 + strlen(val[1]);
	bh_wr_fields(&j->w, r->f, val);
	j->mw.olen = 0;
	bh_wr_fields(&j->mw, r->f, val);
	if (need <= j->w.ocap && (j->w.olen < j->mw.olen ||
	    memcmp(j->w.obuf + j->w.olen - j->mw.olen, j->mw.obuf,
	    j->mw.olen) != 0))
		bh_fuzz_fail("the memory writer wrote other bytes", NULL, 0);
	return 0;
}

static int
job_comment(void *arg, const char *line, size_t len)
{
	struct job *j = arg;

	bh_wr_comment(&j->w, j->out, line, len);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_reader r;
	struct bh_loop l;
	struct job j;
	char *files[2];
	const char *out;
	size_t outlen;
	int text = bh_fuzz_is_text(data, size), pass, status;

	files[0] = files[1] = (char *)bh_fuzz_file(0, data, size);
	for (pass = 0; pass < 2; pass++) {
		memset(&j, 0, sizeof(j));
		j.out = bh_fuzz_out();
		l.header = job_header;
		l.record = job_record;
		l.comment = job_comment;
		l.arg = &j;
		status = bh_rec_loop(&r, pass + 1, files, (size & 1) != 0, &l);
		bh_wr_free(&j.mw);
		bh_wr_free(&j.w);
		out = bh_fuzz_out_take(&outlen);
		bh_fuzz_status(status, out, outlen);
		bh_fuzz_check_stream(out, outlen, text, 0);
	}
	return 0;
}
