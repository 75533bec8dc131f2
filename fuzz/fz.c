/*
 * fz.c - what the fuzz targets share: the layout of an input (options
 * line, parts), input files and an output in memory, and the checks of
 * what a module wrote (fz.h).
 */
#define _GNU_SOURCE		/* memfd_create, open_memstream */
#include <sys/mman.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"

static int infd[4] = { -1, -1, -1, -1 };
static char inpath[4][32];

static char *outbuf;
static size_t outlen;
static FILE *outfp;

FILE *
bh_fuzz_out(void)
{
	if (outfp != NULL)
		abort();
	if ((outfp = open_memstream(&outbuf, &outlen)) == NULL) {
		perror("bh-fuzz: open_memstream");
		abort();
	}
	return outfp;
}

const char *
bh_fuzz_out_take(size_t *len)
{
	static char *last;

	if (outfp == NULL || fclose(outfp) != 0)
		abort();
	outfp = NULL;
	free(last);
	last = outbuf;
	outbuf = NULL;
	*len = outlen;
	return last;
}

void
bh_fuzz_out_stream(int status, int printable, size_t want_cols)
{
	const char *out;
	size_t len;

	out = bh_fuzz_out_take(&len);
	bh_fuzz_status(status, out, len);
	bh_fuzz_check_stream(out, len, printable, want_cols);
}

void
bh_fuzz_status(int status, const char *out, size_t len)
{
	/* bh(7): every tool ends with 0, 1 or 2. */
	if (status < 0 || status > 2)
		bh_fuzz_fail("exit status not 0, 1 or 2", out, len);
}

char *
bh_fuzz_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();

	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

const char *
bh_fuzz_part(const char *p, const char *end, const char **next)
{
	const char *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if (nl - p == 2 && p[0] == '%' && p[1] == '%') {
			*next = nl + 1;
			return p;
		}
	}
	*next = end;
	return end;
}

const char *
bh_fuzz_file(int n, const void *data, size_t len)
{
	size_t off = 0;
	ssize_t k;

	if (n < 0 || n > 3)
		abort();
	if (infd[n] == -1) {
		if ((infd[n] = memfd_create("bh-fuzz-in", 0)) == -1) {
			perror("bh-fuzz: memfd");
			abort();
		}
		snprintf(inpath[n], sizeof(inpath[n]), "/proc/self/fd/%d",
		    infd[n]);
	}
	if (ftruncate(infd[n], 0) == -1)
		abort();
	while (off < len) {
		k = pwrite(infd[n], (const char *)data + off, len - off,
		    (off_t)off);
		if (k <= 0)
			abort();
		off += (size_t)k;
	}
	return inpath[n];
}

/* ---- checks ---- */

void
bh_fuzz_fail(const char *what, const char *buf, size_t len)
{
	size_t i;

	fprintf(stderr, "bh-fuzz: INVARIANT BROKEN: %s\n", what);
	if (buf != NULL) {
		fprintf(stderr, "bh-fuzz: output (%zu bytes, escaped):\n",
		    len);
		for (i = 0; i < len && i < 8192; i++) {
			unsigned char c = (unsigned char)buf[i];

			if (c == '\n' || (c >= 0x20 && c < 0x7f))
				fputc(c, stderr);
			else if (c == '\t')
				fputs("<TAB>", stderr);
			else
				fprintf(stderr, "<%02x>", c);
		}
		fputc('\n', stderr);
	}
	abort();
}

int
bh_fuzz_is_text(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (!((p[i] >= 0x20 && p[i] < 0x7f) || p[i] == '\t' ||
		    p[i] == '\n'))
			return 0;
	return 1;
}

void
bh_fuzz_check_stream(const char *buf, size_t len, int printable,
    size_t want_cols)
{
	const char *p = buf, *end = buf + len, *nl, *q;
	size_t ncol = 0, nf;
	int have_header = 0;

	if (len > 0 && buf[len - 1] != '\n')
		bh_fuzz_fail("output does not end in LF", buf, len);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nf = 1;
		for (q = p; q < nl; q++)
			if (*q == '\t')
				nf++;
		if (*p == '#' && !have_header) {
			if (nl - p < 2 || p[1] == ' ')
				continue;	/* a comment before it */
			for (q = p + 1; q < nl; q++)
				if (!(*q == '\t' || *q == '_' ||
				    (*q >= 'a' && *q <= 'z') ||
				    (*q >= '0' && *q <= '9')))
					bh_fuzz_fail("bad header line", buf,
					    len);
			ncol = nf;
			have_header = 1;
			if (want_cols != 0 && ncol != want_cols)
				bh_fuzz_fail("header has the wrong number of "
				    "columns", buf, len);
			continue;
		}
		if (*p == '#')
			continue;	/* comments pass through as read */
		if (!have_header)
			bh_fuzz_fail("record before the header", buf, len);
		if (nf != ncol)
			bh_fuzz_fail("record field count differs from the "
			    "header", buf, len);
		if (printable && !bh_fuzz_is_text(p, (size_t)(nl - p)))
			bh_fuzz_fail("unescaped byte in a record", buf, len);
	}
}
