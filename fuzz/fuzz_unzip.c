/*
 * fuzz_unzip - bh-sessions reading a compressed capture: the decoders of
 * cmd/sessions-unzip.c (zlib, liblzma, libzstd, libbz2 behind one read
 * function, concatenated streams, the end of an archive told from a cut
 * one), the stdio stream it gives the capture reader, and the reader
 * itself (cmd/sessions-read.c) on what comes out.
 *
 * The input is the file, compressed or not.  It is decompressed twice,
 * in reads of different sizes picked from its bytes; then read by
 * sessions_read() as bh-sessions reads a file.  At most 1 MiB comes out
 * of an archive (unzip_new()'s max_out): a few bytes of bzip2 expand to
 * gigabytes, which says nothing more than the first megabyte.
 *
 * Checked besides memory safety: both decompressions give the same
 * bytes (of a bad archive: one the prefix of the other), the same
 * verdict (bad or not) and the same error; a read never
 * returns more than asked; the exit status of the reading is 0, 1 or 2
 * and its output is a record stream of the session columns, printable.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "sessions.h"
#include "fz.h"

#define OUT_MAX	(1 << 20)

/* Decompress path in reads of sizes from step[] (cycled); the bytes into
 * *out (malloc'd), their number into *len.  Returns 1 when the archive
 * was bad (*why: its error, copied), 0 when it ended well, -1 when the
 * input is no archive. */
static int
unzip_all(const char *path, const unsigned char *step, size_t nstep,
    unsigned char **out, size_t *len, char **why)
{
	struct unzip *u;
	FILE *fp;
	size_t k = 0, want;
	long got;
	int kind, bad;

	*out = NULL;
	*len = 0;
	*why = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		abort();
	if ((u = unzip_new(fp, OUT_MAX, &kind)) == NULL) {
		fclose(fp);
		return -1;
	}
	if ((*out = malloc(OUT_MAX + 1)) == NULL)
		abort();
	for (;;) {
		want = 1 + (size_t)step[k++ % nstep] * 37;
		if (*len + want > OUT_MAX)
			want = OUT_MAX - *len;
		if (want == 0)
			break;
		got = unzip_read(u, *out + *len, want);
		if (got < 0)
			bh_fuzz_fail("read error on a memory file", NULL, 0);
		if ((size_t)got > want)
			bh_fuzz_fail("read more than asked", NULL, 0);
		if (got == 0)
			break;
		*len += (size_t)got;
	}
	bad = unzip_error(u) != NULL;
	if (bad && (*why = strdup(unzip_error(u))) == NULL)
		abort();
	if (unzip_in_bytes(u) > 1ULL << 40)
		bh_fuzz_fail("archive bytes used out of range", NULL, 0);
	unzip_free(u);
	fclose(fp);
	return bad;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char one[] = { 255, 3, 0, 200, 7 };
	const char *path = bh_fuzz_file(0, data, size), *out;
	unsigned char *a, *b;
	size_t alen, blen, outlen;
	char *wa, *wb;
	struct sessions_out so;
	struct bh_flow_cfg cfg;
	struct run r;
	int ra, rb;

	/* two decompressions, in different reads */
	ra = unzip_all(path, size > 0 ? data : one, size == 0 ? sizeof(one) :
	    size < 16 ? size : 16, &a, &alen, &wa);
	rb = unzip_all(path, one, sizeof(one), &b, &blen, &wb);
	if (ra != rb)
		bh_fuzz_fail("verdicts differ by read size", NULL, 0);
	/* A decoder checks a block as a whole when it decodes into the
	 * reader's buffer but may hand out its first bytes when it decodes
	 * into its own (zstd): of a bad archive one is a prefix of the
	 * other. */
	if (ra == 0 && (alen != blen || memcmp(a, b, alen) != 0))
		bh_fuzz_fail("bytes differ by read size", NULL, 0);
	if (ra == 1 && memcmp(a, b, alen < blen ? alen : blen) != 0)
		bh_fuzz_fail("bytes before the error differ by read size",
		    NULL, 0);
	if ((wa == NULL) != (wb == NULL) ||
	    (wa != NULL && strcmp(wa, wb) != 0))
		bh_fuzz_fail("errors differ by read size", NULL, 0);
	free(a);
	free(b);
	free(wa);
	free(wb);

	/* the capture inside, as bh-sessions reads a file */
	memset(&so, 0, sizeof(so));
	memset(&r, 0, sizeof(r));
	memset(&cfg, 0, sizeof(cfg));
	cfg.head_max = 64;
	cfg.max_live = 16;
	cfg.tmo_tcp = 300 * 1000000LL;
	cfg.tmo_udp = 60 * 1000000LL;
	cfg.tmo_other = 60 * 1000000LL;
	cfg.linger = 5 * 1000000LL;
	cfg.seed = 0x5eed;
	r.strict = size % 2;
	r.unzip_max = OUT_MAX;
	sessions_out_start(&so, bh_fuzz_out(), cfg.head_max);
	cfg.emit = sessions_emit;
	cfg.arg = &so;
	r.table = bh_flow_new(&cfg);
	sessions_out_header(&so);
	if (sessions_read(&r, path) == -1)
		r.status = BH_EXIT_FATAL;
	bh_flow_flush(r.table);
	bh_flow_free(r.table);
	sessions_out_free(&so);
	free(r.rd_buf);
	fflush(so.fp);
	out = bh_fuzz_out_take(&outlen);
	bh_fuzz_status(r.status, out, outlen);
	bh_fuzz_check_stream(out, outlen, 1, NCOLUMNS);
	return 0;
}
