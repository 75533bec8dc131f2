/*
 * record.c - the record stream of bh(7): a header line of names, TAB-
 * separated records with exactly as many fields, `#` comments passed
 * through, a repeated header skipped, columns found by name, owned columns
 * appended or replaced in place; and the one record loop of the filters
 * (bh_rec_loop, after mblaze's blaze822_loop).  Lines are split in a
 * private buffer (no per-record allocation); output goes through a private
 * buffer too, which the tool flushes before it ends.  Nothing here exits
 * but the x-allocators and a write error on the output: a bad or missing
 * header, a missing column, a bad record under --strict end the reading
 * with exit status 2 for the caller to return.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

#ifdef __SSE2__
#include <immintrin.h>
#endif
/* The pointers split_fields() may store past a record's fields. */
#define SPLIT_SLACK	34

/* The writers started on a stream (not in memory), flushed with stdout
 * before a read that would wait: a filter in a live pipeline passes each
 * record on as it comes, not when a buffer fills. */
#define WR_LIVE	8
static struct bh_writer *wr_live[WR_LIVE];

static void
wr_live_flush(void)
{
	int i;

	for (i = 0; i < WR_LIVE; i++)
		if (wr_live[i] != NULL)
			bh_wr_flush(wr_live[i]);
	if (fflush(stdout) == EOF)
		bh_err(BH_EXIT_FATAL, "write error on standard output");
}

/* Whether a read of fd would wait for input (poll(2), no time). */
static int
would_wait(int fd)
{
	struct pollfd pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 0;
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
		if (r->read_errno != 0) {
			errno = r->read_errno;
			bh_warn("%s: read error", r->name);
			r->status = BH_EXIT_FATAL;
			r->read_errno = 0;
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
	ssize_t nr;

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
		if (r->bufcap - r->buflen < BH_IO_CHUNK + 1) {
			r->bufcap = r->bufcap * 2 + BH_IO_CHUNK + 1;
			r->buf = xrealloc(r->buf, r->bufcap);
		}
		/* read(2), not fread(): take what the pipe holds now, so a
		 * stage of a pipeline starts as soon as its input does. */
		if (would_wait(fileno(r->fp)))
			wr_live_flush();
		do
			nr = read(fileno(r->fp), r->buf + r->buflen,
			    BH_IO_CHUNK);
		while (nr == -1 && errno == EINTR);
		if (nr == -1) {
			r->read_errno = errno;
			nr = 0;
		}
		r->buflen += (size_t)nr;
		if (nr == 0)
			r->eof = 1;
	}
}

/* Whether c may be in a column name: [a-z0-9_]. */
static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

int
bh_rec_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
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
		} else if (name_char(s[i]))
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
	r->f = xreallocarray(NULL, r->ncol + SPLIT_SLACK, sizeof(*r->f));
	r->col[0] = p;
	for (i = 1; *p != '\0'; p++)
		if (*p == '\t') {
			*p = '\0';
			r->col[i++] = p + 1;
		}
}

/* Set r up to read the operands argv[0..argc-1] ("-" = stdin, none =
 * stdin) as one stream. */
static void
rec_init(struct bh_reader *r, int argc, char **argv)
{
	static char *stdin_only[] = { "-", NULL };

	memset(r, 0, sizeof(*r));
	if (argc > 0) {
		r->files = argv;
		r->nfiles = argc;
	} else {
		r->files = stdin_only;
		r->nfiles = 1;
	}
}

/*
 * Read up to and including the first header; comment lines before it go
 * to comment(arg, line, len) (NULL: dropped).  Returns 1 with the header
 * set, 0 at the end of an input without one (empty input is not an error:
 * ncol stays 0), -1 after reporting a bad or missing header or when
 * comment() returned -1 (r->status is then 2).
 */
static int
rec_header(struct bh_reader *r,
    int (*comment)(void *, const char *, size_t), void *arg)
{
	size_t n;

	while (read_line(r)) {
		if (r->linelen > 0 && r->line[0] == '#' &&
		    (r->linelen == 1 || r->line[1] == ' ')) {
			/* "# text" before the header is a comment and
			 * passes through; "#other" must be the header. */
			if (comment != NULL &&
			    comment(arg, r->line, r->linelen) == -1) {
				r->status = BH_EXIT_FATAL;
				return -1;
			}
			continue;
		}
		if (!is_header(r->line, r->linelen, &n)) {
			if (r->linelen > 0 && r->line[0] == '#')
				bh_warnx_at(r->name, r->lineno,
				    "bad header: names must be [a-z0-9_]+");
			else
				bh_warnx_at(r->name, r->lineno,
				    "missing header line (#name<TAB>name...)");
			r->status = BH_EXIT_FATAL;
			r->stop = 1;
			return -1;
		}
		set_header(r);
		r->infile_header = 1;
		return 1;
	}
	return 0;
}

/* Report a problem of the current record at file:line and make the run
 * end with exit 1, or with strict with 2 and the reading ended. */
static void
rec_report(struct bh_reader *r, const char *fmt, va_list ap)
{
	bh_vwarnx_at(r->name, r->lineno, fmt, ap);
	if (r->strict) {
		r->status = BH_EXIT_FATAL;
		r->stop = 1;
	} else if (r->status < BH_EXIT_BAD)
		r->status = BH_EXIT_BAD;
}

void
bh_rec_bad(struct bh_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rec_report(r, fmt, ap);
	va_end(ap);
	r->nskipped++;
}

void
bh_rec_warn(struct bh_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rec_report(r, fmt, ap);
	va_end(ap);
	/* a record with two parts not read is one record */
	if (r->nwarned == 0 || r->warn_cur != r->cur ||
	    r->warn_line != r->lineno) {
		r->nwarned++;
		r->warn_cur = r->cur;
		r->warn_line = r->lineno;
	}
}

/*
 * Split the line p[0..n) at its TABs in place: each TAB becomes a NUL and
 * f[i] the start of field i.  Returns the number of fields, also when
 * there are more than maxf.  f holds maxf + SPLIT_SLACK pointers: the
 * first maxf are the fields' (when there are as many), those after are
 * scratch, so the vector loops below store a chunk's field starts
 * without a bound check per TAB as long as nf <= maxf + 1 (a chunk holds
 * at most 32 TABs).  Sixteen bytes are compared at a time where SSE2 is
 * there (every x86-64), 32 where the CPU has AVX2 (chosen at run time):
 * the splitting was most of a pass-through filter's time with one
 * memchr() call per field, and a fifth of bh-story's with SSE2
 * (-DBH_NO_AVX2 builds the SSE2 path alone).
 */
#if defined(__SSE2__) && defined(__GNUC__) && defined(__x86_64__) && \
    !defined(BH_NO_AVX2)
#define SPLIT_AVX2	1
#endif
#ifdef __SSE2__
/* The field starts of one chunk at p + i whose TABs are the bits of m
 * (the TABs are NULs already). */
#define SPLIT_MASK(m) do {						\
	if (nf <= maxf + 1)						\
		for (; (m) != 0; (m) &= (m) - 1)			\
			f[nf++] = p + i + (size_t)__builtin_ctz(m) + 1;	\
	else								\
		nf += (size_t)__builtin_popcount(m);			\
} while (0)
#endif

#ifdef SPLIT_AVX2
__attribute__((target("avx2,bmi,popcnt")))
static size_t
split_avx2(char *p, size_t n, char **f, size_t maxf, size_t *at)
{
	const __m256i tab = _mm256_set1_epi8('\t');
	__m256i v, eq;
	unsigned m;
	size_t nf = 1, i;

	for (i = 0; i + 32 <= n; i += 32) {
		v = _mm256_loadu_si256((const __m256i *)(void *)(p + i));
		eq = _mm256_cmpeq_epi8(v, tab);
		if ((m = (unsigned)_mm256_movemask_epi8(eq)) == 0)
			continue;
		_mm256_storeu_si256((__m256i *)(void *)(p + i),
		    _mm256_andnot_si256(eq, v));
		SPLIT_MASK(m);
	}
	*at = i;
	return nf;
}

static int
have_avx2(void)
{
	static int have = -1;

	if (have == -1) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("avx2") &&
		    __builtin_cpu_supports("bmi") &&
		    __builtin_cpu_supports("popcnt");
	}
	return have;
}
#endif

static size_t
split_fields(char *p, size_t n, char **f, size_t maxf)
{
	size_t nf = 1, i = 0;

	f[0] = p;
#ifdef SPLIT_AVX2
	if (have_avx2())
		nf = split_avx2(p, n, f, maxf, &i);
	else
#endif
#ifdef __SSE2__
	{
		const __m128i tab = _mm_set1_epi8('\t');
		__m128i v, eq;
		unsigned m;

		for (; i + 16 <= n; i += 16) {
			v = _mm_loadu_si128((const __m128i *)(void *)(p + i));
			eq = _mm_cmpeq_epi8(v, tab);
			if ((m = (unsigned)_mm_movemask_epi8(eq)) == 0)
				continue;
			_mm_storeu_si128((__m128i *)(void *)(p + i),
			    _mm_andnot_si128(eq, v));
			SPLIT_MASK(m);
		}
	}
#endif
	for (; i < n; i++)
		if (p[i] == '\t') {
			p[i] = '\0';
			if (nf < maxf)
				f[nf] = p + i + 1;
			nf++;
		}
	return nf;
}

enum rec_kind { REC_EOF = 0, REC_RECORD, REC_COMMENT };

/* Next line: a record (fields in r->f, r->nf == r->ncol), a comment
 * (r->line) or EOF.  A record with the wrong field count is reported
 * with file:line, counted, and skipped (exit 1 at the end; with --strict
 * the reading ends: status 2, EOF).  Unreadable files are reported and
 * skipped (status 2); a header that differs from the first ends the
 * reading (status 2). */
static enum rec_kind
rec_next(struct bh_reader *r)
{
	size_t nf, n;
	int prevfile;

	if (r->ncol == 0 || r->stop)
		return REC_EOF;
	for (;;) {
		prevfile = r->cur;
		if (!read_line(r))
			return REC_EOF;
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
				r->status = BH_EXIT_FATAL;
				r->stop = 1;
				return REC_EOF;
			}
			return REC_COMMENT;
		}
		if (!r->infile_header && r->lineno == 1 && r->cur > 0) {
			bh_warnx_at(r->name, r->lineno,
			    "missing header line (#name<TAB>name...)");
			r->status = BH_EXIT_FATAL;
			close_cur(r);
			r->cur++;
			continue;
		}
		nf = split_fields(r->line, r->linelen, r->f, r->ncol);
		if (nf != r->ncol) {
			bh_rec_bad(r, "expected %zu fields, got %zu; "
			    "record skipped", r->ncol, nf);
			if (r->stop)
				return REC_EOF;
			continue;
		}
		r->nf = nf;
		/* the end of the record, as bh_wr_fields() wants it */
		r->f[nf] = r->line + r->linelen + 1;
		return REC_RECORD;
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
bh_rec_need(struct bh_reader *r, const char *name)
{
	int i = bh_rec_col(r, name);

	if (i == -1) {
		bh_warnx("%s: missing column '%s'",
		    r->name != NULL ? r->name : "-", name);
		r->status = BH_EXIT_FATAL;
	}
	return i;
}

/* Print the "N records skipped" summary if any, close the input and free
 * the reader; return the exit status. */
static int
rec_close(struct bh_reader *r)
{
	int status, stop;

	/* A run ended by --strict or a fatal error says why, not how
	 * many were skipped. */
	if (r->nskipped > 0 && !r->stop)
		bh_warnx("%lu bad record%s skipped", r->nskipped,
		    r->nskipped == 1 ? "" : "s");
	if (r->nwarned > 0 && !r->stop)
		bh_warnx("%lu record%s read in part", r->nwarned,
		    r->nwarned == 1 ? "" : "s");
	close_cur(r);
	status = r->status;
	free(r->buf);
	free(r->hdr);
	if (r->col != NULL)
		free(r->col[0]);
	free(r->col);
	free(r->f);
	stop = r->stop;
	memset(r, 0, sizeof(*r));
	r->stop = stop;		/* for the caller of bh_rec_loop */
	return status;
}

int
bh_rec_loop(struct bh_reader *r, int argc, char **argv, int strict,
    const struct bh_loop *l)
{
	enum rec_kind kind;
	int rc;

	rec_init(r, argc, argv);
	r->strict = strict;
	if ((rc = rec_header(r, l->comment, l->arg)) == 1) {
		if (l->header != NULL && l->header(l->arg, r) == -1) {
			r->status = BH_EXIT_FATAL;
			r->stop = 1;
		}
		else
			while ((kind = rec_next(r)) != REC_EOF) {
				if (kind == REC_COMMENT)
					rc = l->comment == NULL ? 0 :
					    l->comment(l->arg, r->line,
					    r->linelen);
				else
					rc = l->record(l->arg, r);
				if (rc == 1)
					break;
				if (rc == -1) {
					r->status = BH_EXIT_FATAL;
					r->stop = 1;
					break;
				}
			}
	}
	return rec_close(r);
}

/* ---- writer ---- */

/*
 * The output layout as a list of segments over the input columns: an
 * owned column replaced in place, or a run of pass-through columns that
 * is copied as one span of the input line (the split NULs turned back
 * into TABs), which keeps pass-through near memcpy speed.
 */
static void
wr_layout(struct bh_writer *w)
{
	size_t i, j;

	free(w->seg);
	w->seg = xreallocarray(NULL, w->nin + 1, sizeof(*w->seg));
	w->nseg = 0;
	for (i = 0; i < w->nin; i = j + 1) {
		j = i;
		if (w->in_owner[i] == BH_WR_DROP)
			continue;
		if (w->in_owner[i] < 0)
			while (j + 1 < w->nin && w->in_owner[j + 1] == -1)
				j++;
		w->seg[w->nseg].first = i;
		w->seg[w->nseg].last = j;
		w->seg[w->nseg].owner = w->in_owner[i];
		w->nseg++;
	}
	w->vlen = xreallocarray(w->vlen, w->nown + 1, sizeof(*w->vlen));
}

void
bh_wr_drop(struct bh_writer *w, int c)
{
	if (c < 0 || (size_t)c >= w->nin || w->in_owner[c] != -1)
		return;
	w->in_owner[c] = BH_WR_DROP;
	w->nout--;
	wr_layout(w);
}

void
bh_wr_start(struct bh_writer *w, FILE *fp, char *const *cols, size_t ncol,
    const char *const *owned, size_t nowned)
{
	size_t i, k;
	int at;

	memset(w, 0, sizeof(*w));
	w->fp = fp;
	w->cols = cols;
	w->owned = owned;
	w->nin = ncol;
	w->nown = nowned;
	w->own_at = xreallocarray(NULL, nowned + 1, sizeof(int));
	w->in_owner = xreallocarray(NULL, ncol + 1, sizeof(int));
	for (i = 0; i < ncol; i++)
		w->in_owner[i] = -1;
	w->nout = ncol;
	for (i = 0; i < nowned; i++) {
		for (at = -1, k = 0; k < ncol; k++)
			if (strcmp(cols[k], owned[i]) == 0) {
				at = (int)k;
				break;
			}
		if (at >= 0 && w->in_owner[at] == -1) {
			w->in_owner[at] = (int)i;
			w->own_at[i] = at;
		} else
			w->own_at[i] = (int)w->nout++;
	}
	wr_layout(w);
	w->ocap = BH_IO_CHUNK;
	w->obuf = xmalloc(w->ocap);
	for (i = 0; i < WR_LIVE; i++)
		if (wr_live[i] == NULL) {
			wr_live[i] = w;
			break;
		}
}

void
bh_wr_init_mem(struct bh_writer *w, const struct bh_writer *like)
{
	memset(w, 0, sizeof(*w));
	w->cols = like->cols;
	w->owned = like->owned;
	w->nin = like->nin;
	w->nown = like->nown;
	w->nout = like->nout;
	w->own_at = xreallocarray(NULL, w->nown + 1, sizeof(int));
	memcpy(w->own_at, like->own_at, w->nown * sizeof(int));
	w->in_owner = xreallocarray(NULL, w->nin + 1, sizeof(int));
	memcpy(w->in_owner, like->in_owner, w->nin * sizeof(int));
	wr_layout(w);
	w->mem = 1;
	w->ocap = BH_IO_CHUNK;
	w->obuf = xmalloc(w->ocap);
}

void
bh_wr_flush(struct bh_writer *w)
{
	if (w->mem)
		return;
	if (w->olen > 0 && fwrite(w->obuf, 1, w->olen, w->fp) != w->olen) {
		w->olen = 0;
		bh_err(BH_EXIT_FATAL, "write error on standard output");
	}
	w->olen = 0;
}

/*
 * Make room for n more bytes in the buffer: flush it, or grow it for a
 * memory writer.  Returns 1 when the buffer has room, 0 when n is more
 * than a flushed buffer holds (the caller writes past the buffer).
 */
static int
wr_room(struct bh_writer *w, size_t n)
{
	if (w->ocap - w->olen >= n)
		return 1;
	if (w->mem) {
		while (w->ocap - w->olen < n)
			w->ocap *= 2;
		w->obuf = xrealloc(w->obuf, w->ocap);
		return 1;
	}
	bh_wr_flush(w);
	return n <= w->ocap;
}

void
bh_wr_raw(struct bh_writer *w, const char *s, size_t n)
{
	if (!wr_room(w, n)) {
		if (fwrite(s, 1, n, w->fp) != n)
			bh_err(BH_EXIT_FATAL, "write error on standard output");
		return;
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
bh_wr_names(struct bh_writer *w)
{
	const char *sep = "#";
	size_t i;

	for (i = 0; i < w->nin; i++) {
		if (w->in_owner[i] == BH_WR_DROP)
			continue;
		bh_wr_raw(w, sep, 1);
		bh_wr_raw(w, w->cols[i], strlen(w->cols[i]));
		sep = "\t";
	}
	for (i = 0; i < w->nown; i++) {
		if ((size_t)w->own_at[i] < w->nin)
			continue;
		bh_wr_raw(w, sep, 1);
		bh_wr_raw(w, w->owned[i], strlen(w->owned[i]));
		sep = "\t";
	}
	bh_wr_raw(w, "\n", 1);
}

/* The record field by field, for a record longer than the buffer. */
static void
wr_record_slow(struct bh_writer *w, char *const *f, const char *const *val)
{
	size_t i, n = 0;
	int o;

	for (i = 0; i < w->nin; i++) {
		if ((o = w->in_owner[i]) == BH_WR_DROP)
			continue;
		if (n++ > 0)
			bh_wr_raw(w, "\t", 1);
		if (o >= 0)
			bh_wr_raw(w, val[o] != NULL ? val[o] : "-",
			    w->vlen[o]);
		else
			bh_wr_raw(w, f[i], strlen(f[i]));
	}
	for (i = 0; i < w->nown; i++) {
		if ((size_t)w->own_at[i] < w->nin)
			continue;
		if (n++ > 0)
			bh_wr_raw(w, "\t", 1);
		bh_wr_raw(w, val[i] != NULL ? val[i] : "-", w->vlen[i]);
	}
	bh_wr_raw(w, "\n", 1);
}

void
bh_wr_fields(struct bh_writer *w, char *const *f, const char *const *val)
{
	const struct bh_wr_seg *sg;
	const char *start, *end, *line_end;
	char *o, *first;
	size_t i, k, n, need;
	int v;

	/* The fields lie in one buffer, each ended by a NUL, and f[nin] is
	 * one past the last NUL (as the reader splits them): their span
	 * bounds what the columns take (an owned column replaced in place
	 * is counted twice). */
	line_end = w->nin > 0 ? f[w->nin] - 1 : NULL;
	need = (w->nin > 0 ? (size_t)(line_end - f[0]) : 0) + 1 + w->nown;
	for (i = 0; i < w->nown; i++) {
		w->vlen[i] = val[i] != NULL ? strlen(val[i]) : 1;
		need += w->vlen[i];
	}
	if (!wr_room(w, need)) {
		wr_record_slow(w, f, val);
		return;
	}
	o = w->obuf + w->olen;
	first = o;
	for (sg = w->seg; sg < w->seg + w->nseg; sg++) {
		if (sg != w->seg)
			*o++ = '\t';
		if ((v = sg->owner) >= 0) {
			memcpy(o, val[v] != NULL ? val[v] : "-", w->vlen[v]);
			o += w->vlen[v];
			continue;
		}
		start = f[sg->first];
		end = sg->last + 1 < w->nin ? f[sg->last + 1] - 1 : line_end;
		n = (size_t)(end - start);
		memcpy(o, start, n);
		for (k = sg->first + 1; k <= sg->last; k++)
			o[f[k] - 1 - start] = '\t';
		o += n;
	}
	for (i = 0; i < w->nown; i++) {
		if ((size_t)w->own_at[i] < w->nin)
			continue;
		if (o != first || w->nseg > 0)
			*o++ = '\t';
		memcpy(o, val[i] != NULL ? val[i] : "-", w->vlen[i]);
		o += w->vlen[i];
	}
	*o++ = '\n';
	w->olen = (size_t)(o - w->obuf);
}

void
bh_wr_comment(struct bh_writer *w, FILE *fp, const char *s, size_t n)
{
	if (w->obuf != NULL) {
		bh_wr_line(w, s, n);
		return;
	}
	if (fwrite(s, 1, n, fp) != n || putc('\n', fp) == EOF)
		bh_err(BH_EXIT_FATAL, "write error on standard output");
}

void
bh_wr_free(struct bh_writer *w)
{
	int i;

	if (w->obuf == NULL)
		return;
	bh_wr_flush(w);
	for (i = 0; i < WR_LIVE; i++)
		if (wr_live[i] == w)
			wr_live[i] = NULL;
	free(w->own_at);
	free(w->in_owner);
	free(w->seg);
	free(w->vlen);
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
