/*
 * record.c - the record stream of DESIGN §1: a header line of names, TAB-
 * separated records with exactly as many fields, `#` comments passed
 * through, a repeated header skipped, columns found by name, owned columns
 * appended or replaced in place.  Lines are split in a private buffer
 * (no per-record allocation); output goes through a private buffer too,
 * flushed at exit even when a tool exits early.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"

#define READ_CHUNK	(256 * 1024)

static struct bh_writer *active_writer;

static void
flush_active(void)
{
	if (active_writer != NULL && active_writer->olen > 0) {
		fwrite(active_writer->obuf, 1, active_writer->olen,
		    active_writer->fp);
		active_writer->olen = 0;
	}
}

/* Open operand r->cur; on failure report it (exit status 2) and return -1. */
static int
open_cur(struct bh_reader *r)
{
	const char *fn = r->files[r->cur];

	r->lineno = 0;
	r->infile_header = 0;
	r->eof = 0;
	r->bufpos = r->buflen = 0;
	if (strcmp(fn, "-") == 0) {
		r->fp = stdin;
		r->name = "-";
		return 0;
	}
	r->name = fn;
	if ((r->fp = fopen(fn, "r")) == NULL) {
		bh_warn("%s", fn);
		r->status = BH_EXIT_FATAL;
		return -1;
	}
	return 0;
}

static void
close_cur(struct bh_reader *r)
{
	if (r->fp != NULL) {
		if (ferror(r->fp)) {
			bh_warnx_at(r->name, 0, "read error");
			r->status = BH_EXIT_FATAL;
		}
		if (r->fp != stdin)
			fclose(r->fp);
		r->fp = NULL;
	}
}

/*
 * Read the next raw line of the stream into r->line (NUL-terminated, LF
 * stripped; a last line without LF counts).  Moves to the next operand at
 * the end of a file.  Returns 0 at the end of all input, 1 otherwise.
 */
static int
read_line(struct bh_reader *r)
{
	char *nl;
	size_t n;

	for (;;) {
		if (r->fp == NULL) {
			if (r->cur >= r->nfiles)
				return 0;
			if (open_cur(r) == -1) {
				r->cur++;
				continue;
			}
		}
		if (r->bufpos < r->buflen) {
			nl = memchr(r->buf + r->bufpos, '\n',
			    r->buflen - r->bufpos);
			if (nl != NULL || r->eof) {
				r->line = r->buf + r->bufpos;
				if (nl == NULL)
					nl = r->buf + r->buflen;
				r->linelen = (size_t)(nl - r->line);
				*nl = '\0';
				r->bufpos = (size_t)(nl - r->buf) + 1;
				r->lineno++;
				return 1;
			}
		}
		if (r->eof) {
			close_cur(r);
			r->cur++;
			continue;
		}
		/* Keep the partial line, make room, read more. */
		if (r->bufpos > 0) {
			memmove(r->buf, r->buf + r->bufpos,
			    r->buflen - r->bufpos);
			r->buflen -= r->bufpos;
			r->bufpos = 0;
		}
		if (r->bufcap - r->buflen < READ_CHUNK + 1) {
			r->bufcap = r->bufcap * 2 + READ_CHUNK + 1;
			r->buf = xrealloc(r->buf, r->bufcap);
		}
		n = fread(r->buf + r->buflen, 1, r->bufcap - r->buflen - 1,
		    r->fp);
		r->buflen += n;
		if (n == 0)
			r->eof = 1;
	}
}

/* Whether line (after '#') is a header: TAB-separated [a-z0-9_]+ names. */
static int
is_header(const char *s, size_t n, size_t *nnames)
{
	size_t i, k = 1, len = 0;

	if (n < 2 || s[0] != '#')
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] == '\t') {
			if (len == 0)
				return 0;
			k++;
			len = 0;
		} else if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_')
			len++;
		else
			return 0;
	}
	if (len == 0)
		return 0;
	*nnames = k;
	return 1;
}

static void
set_header(struct bh_reader *r)
{
	char *p;
	size_t i;

	r->hdrlen = r->linelen;
	r->hdr = xmalloc(r->linelen + 1);
	memcpy(r->hdr, r->line, r->linelen + 1);
	/* Column names point into a second copy split at the TABs. */
	p = xmalloc(r->linelen + 1);
	memcpy(p, r->line + 1, r->linelen);
	r->ncol = 1;
	for (i = 0; p[i] != '\0'; i++)
		if (p[i] == '\t')
			r->ncol++;
	r->col = xreallocarray(NULL, r->ncol, sizeof(*r->col));
	r->f = xreallocarray(NULL, r->ncol + 1, sizeof(*r->f));
	r->col[0] = p;
	for (i = 1; *p != '\0'; p++)
		if (*p == '\t') {
			*p = '\0';
			r->col[i++] = p + 1;
		}
}

void
bh_rec_open(struct bh_reader *r, int argc, char **argv, FILE *out)
{
	static char *stdin_only[] = { "-", NULL };
	size_t n;

	memset(r, 0, sizeof(*r));
	if (argc > 0) {
		r->files = argv;
		r->nfiles = argc;
	} else {
		r->files = stdin_only;
		r->nfiles = 1;
	}
	while (read_line(r)) {
		if (r->linelen > 0 && r->line[0] == '#' &&
		    (r->linelen == 1 || r->line[1] == ' ')) {
			/* "# text" before the header is a comment and
			 * passes through; "#other" must be the header. */
			fwrite(r->line, 1, r->linelen, out);
			fputc('\n', out);
			continue;
		}
		if (!is_header(r->line, r->linelen, &n)) {
			if (r->linelen > 0 && r->line[0] == '#')
				bh_warnx_at(r->name, r->lineno,
				    "bad header: names must be [a-z0-9_]+");
			else
				bh_warnx_at(r->name, r->lineno,
				    "missing header line (#name<TAB>name...)");
			exit(BH_EXIT_FATAL);
		}
		set_header(r);
		r->infile_header = 1;
		return;
	}
	/* Empty input: no header, nothing to do (not an error). */
	if (r->status != 0)
		exit(r->status);
}

void
bh_rec_bad(struct bh_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(r->name, r->lineno, fmt, ap);
	va_end(ap);
	r->nskipped++;
	if (r->strict)
		exit(BH_EXIT_FATAL);
	if (r->status < BH_EXIT_BAD)
		r->status = BH_EXIT_BAD;
}

enum bh_rec_kind
bh_rec_next(struct bh_reader *r)
{
	char *p, *end;
	size_t nf, n;
	int prevfile;

	if (r->ncol == 0)
		return BH_REC_EOF;
	for (;;) {
		prevfile = r->cur;
		if (!read_line(r))
			return BH_REC_EOF;
		if (r->cur != prevfile || r->lineno == 1)
			r->infile_header = 0;
		if (r->linelen > 0 && r->line[0] == '#') {
			if (r->linelen == r->hdrlen &&
			    memcmp(r->line, r->hdr, r->hdrlen) == 0) {
				r->infile_header = 1;
				continue;	/* repeated header */
			}
			if (is_header(r->line, r->linelen, &n) && n > 1) {
				bh_warnx_at(r->name, r->lineno,
				    "header differs from the first one");
				exit(BH_EXIT_FATAL);
			}
			return BH_REC_COMMENT;
		}
		if (!r->infile_header && r->lineno == 1 && r->cur > 0) {
			bh_warnx_at(r->name, r->lineno,
			    "missing header line (#name<TAB>name...)");
			r->status = BH_EXIT_FATAL;
			close_cur(r);
			r->cur++;
			continue;
		}
		/* Split in place. */
		p = r->line;
		end = p + r->linelen;
		nf = 0;
		for (;;) {
			char *t = memchr(p, '\t', (size_t)(end - p));

			if (nf < r->ncol)
				r->f[nf] = p;
			nf++;
			if (t == NULL)
				break;
			*t = '\0';
			p = t + 1;
		}
		if (nf != r->ncol) {
			bh_rec_bad(r, "expected %zu fields, got %zu; "
			    "record skipped", r->ncol, nf);
			continue;
		}
		r->nf = nf;
		return BH_REC_RECORD;
	}
}

int
bh_rec_col(const struct bh_reader *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncol; i++)
		if (strcmp(r->col[i], name) == 0)
			return (int)i;
	return -1;
}

int
bh_rec_need(const struct bh_reader *r, const char *name)
{
	int i = bh_rec_col(r, name);

	if (i == -1)
		bh_errx(BH_EXIT_FATAL, "%s: missing column '%s'",
		    r->name != NULL ? r->name : "-", name);
	return i;
}

int
bh_rec_close(struct bh_reader *r)
{
	int status;

	if (r->nskipped > 0)
		bh_warnx("%lu bad record%s skipped", r->nskipped,
		    r->nskipped == 1 ? "" : "s");
	close_cur(r);
	status = r->status;
	free(r->buf);
	free(r->hdr);
	if (r->col != NULL)
		free(r->col[0]);
	free(r->col);
	free(r->f);
	memset(r, 0, sizeof(*r));
	return status;
}

/* ---- writer ---- */

void
bh_wr_init(struct bh_writer *w, FILE *fp, const struct bh_reader *r,
    const char *const *owned, size_t nowned)
{
	size_t i;
	int at;

	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->nin = r->ncol;
	w->nown = nowned;
	w->own_at = xreallocarray(NULL, nowned + 1, sizeof(int));
	w->in_owner = xreallocarray(NULL, r->ncol + 1, sizeof(int));
	for (i = 0; i < r->ncol; i++)
		w->in_owner[i] = -1;
	w->nout = r->ncol;
	for (i = 0; i < nowned; i++) {
		at = bh_rec_col(r, owned[i]);
		if (at >= 0 && w->in_owner[at] == -1) {
			w->in_owner[at] = (int)i;
			w->own_at[i] = at;
		} else
			w->own_at[i] = (int)w->nout++;
	}
	w->ocap = 256 * 1024;
	w->obuf = xmalloc(w->ocap);
	active_writer = w;
	{
		static int registered;

		if (!registered) {
			atexit(flush_active);
			registered = 1;
		}
	}
}

void
bh_wr_flush(struct bh_writer *w)
{
	if (w->olen > 0 && fwrite(w->obuf, 1, w->olen, w->fp) != w->olen) {
		w->olen = 0;
		bh_err(BH_EXIT_FATAL, "write error on standard output");
	}
	w->olen = 0;
}

void
bh_wr_raw(struct bh_writer *w, const char *s, size_t n)
{
	if (w->olen + n > w->ocap) {
		bh_wr_flush(w);
		if (n > w->ocap) {
			if (fwrite(s, 1, n, w->fp) != n)
				bh_err(BH_EXIT_FATAL,
				    "write error on standard output");
			return;
		}
	}
	memcpy(w->obuf + w->olen, s, n);
	w->olen += n;
}

void
bh_wr_line(struct bh_writer *w, const char *s, size_t n)
{
	bh_wr_raw(w, s, n);
	bh_wr_raw(w, "\n", 1);
}

void
bh_wr_header(struct bh_writer *w, const struct bh_reader *r,
    const char *const *owned)
{
	size_t i;

	bh_wr_raw(w, "#", 1);
	for (i = 0; i < r->ncol; i++) {
		if (i > 0)
			bh_wr_raw(w, "\t", 1);
		bh_wr_raw(w, r->col[i], strlen(r->col[i]));
	}
	for (i = 0; i < w->nown; i++) {
		if ((size_t)w->own_at[i] < r->ncol)
			continue;
		bh_wr_raw(w, "\t", 1);
		bh_wr_raw(w, owned[i], strlen(owned[i]));
	}
	bh_wr_raw(w, "\n", 1);
}

static void
put_val(struct bh_writer *w, const char *v)
{
	if (v == NULL)
		v = "-";
	bh_wr_raw(w, v, strlen(v));
}

void
bh_wr_record(struct bh_writer *w, const struct bh_reader *r,
    const char *const *val)
{
	size_t i, j, k, n, at;
	const char *start, *end;
	int o;

	for (i = 0; i < r->ncol; i = j + 1) {
		if (i > 0)
			bh_wr_raw(w, "\t", 1);
		o = w->in_owner[i];
		if (o >= 0) {
			put_val(w, val[o]);
			j = i;
			continue;
		}
		/* A run of pass-through columns is one span of the input
		 * line: copy it at once and turn the split NULs back into
		 * TABs (this keeps pass-through near memcpy speed). */
		for (j = i; j + 1 < r->ncol && w->in_owner[j + 1] < 0; j++)
			;
		start = r->f[i];
		end = j + 1 < r->ncol ? r->f[j + 1] - 1 : r->line + r->linelen;
		n = (size_t)(end - start);
		if (w->olen + n > w->ocap)
			bh_wr_flush(w);
		if (n > w->ocap) {
			for (k = i; k <= j; k++) {
				if (k > i)
					bh_wr_raw(w, "\t", 1);
				bh_wr_raw(w, r->f[k], strlen(r->f[k]));
			}
			continue;
		}
		at = w->olen;
		memcpy(w->obuf + at, start, n);
		for (k = i + 1; k <= j; k++)
			w->obuf[at + (size_t)(r->f[k] - 1 - start)] = '\t';
		w->olen += n;
	}
	for (i = 0; i < w->nown; i++) {
		if ((size_t)w->own_at[i] < r->ncol)
			continue;
		bh_wr_raw(w, "\t", 1);
		put_val(w, val[i]);
	}
	bh_wr_raw(w, "\n", 1);
}

void
bh_wr_free(struct bh_writer *w)
{
	bh_wr_flush(w);
	if (active_writer == w)
		active_writer = NULL;
	free(w->own_at);
	free(w->in_owner);
	free(w->obuf);
	memset(w, 0, sizeof(*w));
}

/* ---- typed fields ---- */

const char *
bh_rec_shown(const char *v)
{
	static char buf[72];
	size_t n = strlen(v), used;

	bh_escape_bounded(buf, 64, (const unsigned char *)v, n, &used);
	if (used < n)
		strcat(buf, "...");
	return buf;
}

/*
 * The common frame of the typed getters: the field of column c, or NULL
 * when the column is absent or the value is `-`.
 */
static const char *
field_or_null(const struct bh_reader *r, int c)
{
	if (c < 0 || BH_UNSET(r->f[c]))
		return NULL;
	return r->f[c];
}

static int
bad_value(struct bh_reader *r, int c, const char *what, const char *v)
{
	bh_rec_bad(r, "%s: bad %s '%s'; record skipped", r->col[c], what,
	    bh_rec_shown(v));
	return -1;
}

int
bh_rec_get_u64(struct bh_reader *r, int c, uint64_t *v)
{
	const char *s = field_or_null(r, c);

	if (s == NULL)
		return 0;
	return bh_parse_u64(s, v) == -1 ? bad_value(r, c, "count", s) : 1;
}

int
bh_rec_get_uint(struct bh_reader *r, int c, unsigned long max,
    const char *what, unsigned long *v)
{
	const char *s = field_or_null(r, c);

	if (s == NULL)
		return 0;
	return bh_parse_uint(s, max, v) == -1 ? bad_value(r, c, what, s) : 1;
}

int
bh_rec_get_usec(struct bh_reader *r, int c, int64_t *usec)
{
	const char *s = field_or_null(r, c);

	if (s == NULL)
		return 0;
	if (bh_parse_usec(s, usec) == -1 || *usec > BH_USEC_MAX ||
	    *usec < -BH_USEC_MAX)
		return bad_value(r, c, "timestamp", s);
	return 1;
}

int
bh_rec_get_ms(struct bh_reader *r, int c, int64_t *usec)
{
	const char *s = field_or_null(r, c);

	if (s == NULL)
		return 0;
	if (bh_parse_ms_usec(s, usec) == -1 || *usec < 0 ||
	    *usec > BH_USEC_MAX)
		return bad_value(r, c, "RTT", s);
	return 1;
}

int
bh_rec_get_dir(struct bh_reader *r, int c)
{
	const char *s = c >= 0 ? r->f[c] : "-";

	if (BH_UNSET(s))
		return BH_DIR_NONE;
	if (strcmp(s, "in") == 0)
		return BH_DIR_IN;
	if (strcmp(s, "out") == 0)
		return BH_DIR_OUT;
	if (strcmp(s, "local") == 0)
		return BH_DIR_LOCAL;
	if (strcmp(s, "ext") == 0)
		return BH_DIR_EXT;
	bh_rec_bad(r, "dir: bad value '%s'; record skipped", bh_rec_shown(s));
	return -1;
}
