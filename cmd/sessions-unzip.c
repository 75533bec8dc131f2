/*
 * sessions-unzip.c - bh-sessions' compressed captures: a stream that
 * starts with the magic bytes of gzip (RFC 1952 §2.3.1: 1f 8b), xz (the
 * .xz file format §2.1.1.1: fd 37 7a 58 5a 00), zstd (RFC 8878 §3.1.1:
 * 28 b5 2f fd) or bzip2 ("BZh" and the block size digit) is read through
 * zlib, liblzma, libzstd or libbz2, and handed to the capture reader as
 * a stdio stream (fopencookie(3)) of the capture inside.  Concatenated
 * streams (`cat a.gz b.gz`, pigz, pbzip2, pzstd, xz's multi-stream
 * files) are one, as their own tools read them.
 *
 * A corrupt or truncated archive ends the decompressed stream there: the
 * capture reader sees a capture cut at that byte, and unzip_error() says
 * why.  A failed read of the archive itself is a read error (errno).
 */
#define _GNU_SOURCE		/* fopencookie */
#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "bh.h"
#include "sessions.h"

#define UNZIP_IN	(128 * 1024)
#define MAGIC_LEN	6	/* bytes read to tell the format (xz's) */
/* liblzma's memory limit: xz -9e needs 674 MiB to compress but 65 MiB
 * to decompress (xz(1) "Memory usage"); a header asking for more is an
 * error, not an allocation. */
#define XZ_MEMLIMIT	(512ULL << 20)

struct unzip {
	FILE		*in;
	int		 kind;		/* UNZIP_* */
	int		 started;	/* a decoder is initialised */
	int		 ended;		/* its stream ended */
	int		 in_eof;
	int		 bad;		/* corrupt or truncated: msg */
	char		 msg[160];
	uint64_t	 in_bytes, out_bytes, max_out;
	z_stream	 gz;
	lzma_stream	 xz;
	ZSTD_DStream	*zs;
	bz_stream	 bz;
	unsigned char	*ibuf;
	size_t		 ilen, ipos;
};

const char *
unzip_name(int kind)
{
	switch (kind) {
	case UNZIP_GZIP:
		return "gzip";
	case UNZIP_XZ:
		return "xz";
	case UNZIP_ZSTD:
		return "zstd";
	case UNZIP_BZIP2:
		return "bzip2";
	}
	return "none";
}

int
unzip_maybe(int c)
{
	return c == 0x1f || c == 0xfd || c == 0x28 || c == 'B';
}

/* The format of the first n bytes (n >= 6 unless the stream is
 * shorter), or UNZIP_NONE. */
static int
magic_kind(const unsigned char *m, size_t n)
{
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return UNZIP_GZIP;
	if (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0)
		return UNZIP_XZ;
	if (n >= 4 && memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0)
		return UNZIP_ZSTD;
	if (n >= 4 && memcmp(m, "BZh", 3) == 0 && m[3] >= '1' && m[3] <= '9')
		return UNZIP_BZIP2;
	return UNZIP_NONE;
}

static void
set_bad(struct unzip *u, const char *fmt, const char *what)
{
	if (u->bad)
		return;
	u->bad = 1;
	snprintf(u->msg, sizeof(u->msg), fmt, unzip_name(u->kind), what);
}

/* Start (or, after a stream ended, restart) the decoder: 0, or -1 with
 * errno ENOMEM. */
static int
dec_start(struct unzip *u)
{
	int rc;

	switch (u->kind) {
	case UNZIP_GZIP:
		if (u->started)
			rc = inflateReset(&u->gz);
		else {
			memset(&u->gz, 0, sizeof(u->gz));
			rc = inflateInit2(&u->gz, 15 + 16);	/* gzip only */
		}
		if (rc != Z_OK)
			goto nomem;
		break;
	case UNZIP_XZ:
		/* LZMA_CONCATENATED: xz(1)'s multi-stream files. */
		if (!u->started) {
			lzma_stream init = LZMA_STREAM_INIT;

			u->xz = init;
			if (lzma_stream_decoder(&u->xz, XZ_MEMLIMIT,
			    LZMA_CONCATENATED) != LZMA_OK)
				goto nomem;
		}
		break;
	case UNZIP_ZSTD:
		/* Frames follow one another in one stream (RFC 8878 §3.1). */
		if (!u->started && (u->zs = ZSTD_createDStream()) == NULL)
			goto nomem;
		if (!u->started)
			ZSTD_initDStream(u->zs);
		break;
	case UNZIP_BZIP2:
		if (u->started)
			BZ2_bzDecompressEnd(&u->bz);
		memset(&u->bz, 0, sizeof(u->bz));
		if (BZ2_bzDecompressInit(&u->bz, 0, 0) != BZ_OK) {
			u->started = 0;
			goto nomem;
		}
		break;
	}
	u->started = 1;
	u->ended = 0;
	return 0;
nomem:
	errno = ENOMEM;
	return -1;
}

static void
dec_end(struct unzip *u)
{
	if (!u->started)
		return;
	switch (u->kind) {
	case UNZIP_GZIP:
		inflateEnd(&u->gz);
		break;
	case UNZIP_XZ:
		lzma_end(&u->xz);
		break;
	case UNZIP_ZSTD:
		ZSTD_freeDStream(u->zs);
		break;
	case UNZIP_BZIP2:
		BZ2_bzDecompressEnd(&u->bz);
		break;
	}
	u->started = 0;
}

/* More input, when all of it was used: 0, or -1 on a read error. */
static int
refill(struct unzip *u)
{
	size_t got;

	if (u->ipos < u->ilen || u->in_eof)
		return 0;
	u->ipos = u->ilen = 0;
	got = fread(u->ibuf, 1, UNZIP_IN, u->in);
	if (got == 0) {
		if (ferror(u->in))
			return -1;
		u->in_eof = 1;
	}
	u->ilen = got;
	u->in_bytes += got;
	return 0;
}

/*
 * One step of the decoder over ibuf[ipos..ilen) into out[0..n): how
 * many bytes it wrote (0 is no error: it may have used input only);
 * -1 when the data is bad (set_bad), -2 out of memory.  Sets u->ended
 * at the end of a stream.
 */
static long
dec_step(struct unzip *u, unsigned char *out, size_t n)
{
	size_t avail = u->ilen - u->ipos, wrote = 0;
	int rc;

	switch (u->kind) {
	case UNZIP_GZIP:
		u->gz.next_in = u->ibuf + u->ipos;
		u->gz.avail_in = (uInt)avail;
		u->gz.next_out = out;
		u->gz.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
		rc = inflate(&u->gz, Z_NO_FLUSH);
		u->ipos += avail - u->gz.avail_in;
		wrote = (size_t)(u->gz.next_out - out);
		if (rc == Z_STREAM_END)
			u->ended = 1;
		else if (rc == Z_MEM_ERROR)
			return -2;
		else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT ||
		    rc == Z_STREAM_ERROR) {
			set_bad(u, "%s: %s", u->gz.msg != NULL ? u->gz.msg :
			    "corrupt data");
			return (long)wrote;
		}
		break;
	case UNZIP_XZ:
		u->xz.next_in = u->ibuf + u->ipos;
		u->xz.avail_in = avail;
		u->xz.next_out = out;
		u->xz.avail_out = n;
		rc = lzma_code(&u->xz, u->in_eof ? LZMA_FINISH : LZMA_RUN);
		u->ipos += avail - u->xz.avail_in;
		wrote = (size_t)(u->xz.next_out - out);
		switch (rc) {
		case LZMA_OK:
		case LZMA_NO_CHECK:
		case LZMA_UNSUPPORTED_CHECK:
		case LZMA_GET_CHECK:
			break;
		case LZMA_STREAM_END:
			u->ended = 1;
			break;
		case LZMA_MEM_ERROR:
			return -2;
		case LZMA_MEMLIMIT_ERROR:
			set_bad(u, "%s: %s", "needs more memory than the "
			    "limit of 512 MiB");
			return (long)wrote;
		case LZMA_FORMAT_ERROR:
			set_bad(u, "%s: %s", "file format not recognized");
			return (long)wrote;
		case LZMA_OPTIONS_ERROR:
			set_bad(u, "%s: %s", "unsupported options");
			return (long)wrote;
		case LZMA_BUF_ERROR:
			set_bad(u, "%s: %s", "unexpected end of input");
			return (long)wrote;
		default:
			set_bad(u, "%s: %s", "compressed data is corrupt");
			return (long)wrote;
		}
		break;
	case UNZIP_ZSTD: {
		ZSTD_inBuffer zi = { u->ibuf + u->ipos, avail, 0 };
		ZSTD_outBuffer zo = { out, n, 0 };
		size_t r = ZSTD_decompressStream(u->zs, &zo, &zi);

		u->ipos += zi.pos;
		wrote = zo.pos;
		if (ZSTD_isError(r)) {
			if (ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation)
				return -2;
			set_bad(u, "%s: %s", ZSTD_getErrorName(r));
			return (long)wrote;
		}
		/* 0: a frame ended and is flushed; more frames may follow,
		 * the decoder takes them as they come. */
		if (r == 0)
			u->ended = 1;
		else
			u->ended = 0;
		break;
	}
	case UNZIP_BZIP2:
		u->bz.next_in = (char *)(u->ibuf + u->ipos);
		u->bz.avail_in = (unsigned)(avail > UINT32_MAX ? UINT32_MAX :
		    avail);
		u->bz.next_out = (char *)out;
		u->bz.avail_out = (unsigned)(n > UINT32_MAX ? UINT32_MAX : n);
		rc = BZ2_bzDecompress(&u->bz);
		u->ipos += avail - u->bz.avail_in;
		wrote = (size_t)((unsigned char *)u->bz.next_out - out);
		if (rc == BZ_STREAM_END)
			u->ended = 1;
		else if (rc == BZ_MEM_ERROR)
			return -2;
		else if (rc != BZ_OK) {
			set_bad(u, "%s: %s", rc == BZ_DATA_ERROR_MAGIC ?
			    "not bzip2 data after a stream" :
			    "compressed data is corrupt");
			return (long)wrote;
		}
		break;
	}
	return (long)wrote;
}

long
unzip_read(struct unzip *u, void *buf, size_t n)
{
	unsigned char *out = buf;
	size_t done = 0, at;
	int at_end;
	long w;

	if (u->max_out > 0 && u->out_bytes + n > u->max_out)
		n = u->out_bytes < u->max_out ?
		    (size_t)(u->max_out - u->out_bytes) : 0;
	while (done < n && !u->bad) {
		if (refill(u) == -1) {
			if (done > 0)
				break;
			return -1;
		}
		at_end = u->ipos == u->ilen && u->in_eof;
		if (u->ended) {
			if (at_end)
				break;		/* the end, after a whole stream */
			/* Another gzip member or bzip2 stream follows (xz
			 * and zstd decoders go on by themselves). */
			if ((u->kind == UNZIP_GZIP || u->kind == UNZIP_BZIP2) &&
			    dec_start(u) == -1)
				return -1;
		}
		at = u->ipos;
		if ((w = dec_step(u, out + done, n - done)) == -2) {
			errno = ENOMEM;
			return -1;
		}
		done += (size_t)w;
		if (w == 0 && !u->ended) {
			if (at_end)
				set_bad(u, "%s: %s", "unexpected end of file "
				    "(truncated archive)");
			else if (u->ipos == at && at < u->ilen)
				set_bad(u, "%s: %s", "corrupt data (the "
				    "decoder makes no progress)");
		}
	}
	u->out_bytes += done;
	return (long)done;
}

const char *
unzip_error(const struct unzip *u)
{
	return u->bad ? u->msg : NULL;
}

int
unzip_kind(const struct unzip *u)
{
	return u->kind;
}

uint64_t
unzip_in_bytes(const struct unzip *u)
{
	return u->in_bytes - (u->ilen - u->ipos);
}

struct unzip *
unzip_new(FILE *in, uint64_t max_out, int *kind)
{
	struct unzip *u;
	size_t got;

	u = xcalloc(1, sizeof(*u));
	u->in = in;
	u->max_out = max_out;
	u->ibuf = xmalloc(UNZIP_IN);
	got = fread(u->ibuf, 1, MAGIC_LEN, in);
	if (got < MAGIC_LEN && ferror(in)) {
		*kind = -1;
		goto fail;
	}
	u->ilen = got;
	u->in_bytes = got;
	if ((*kind = u->kind = magic_kind(u->ibuf, got)) == UNZIP_NONE)
		goto fail;
	if (dec_start(u) == -1) {
		*kind = -1;
		goto fail;
	}
	return u;
fail:
	free(u->ibuf);
	free(u);
	return NULL;
}

void
unzip_free(struct unzip *u)
{
	if (u == NULL)
		return;
	dec_end(u);
	free(u->ibuf);
	free(u);
}

/* ---- the stdio stream (fopencookie(3)) ---- */

/* A bad archive reads as an end of file (the capture reader reports a
 * cut capture, then unzip_error()); a read error as an error. */
static ssize_t
cookie_read(void *arg, char *buf, size_t n)
{
	return unzip_read(arg, buf, n);
}

static int
cookie_close(void *arg)
{
	struct unzip *u = arg;
	FILE *in = u->in;

	unzip_free(u);
	if (in != stdin)
		return fclose(in);
	return 0;
}

FILE *
unzip_fopen(struct unzip *u)
{
	cookie_io_functions_t io = { cookie_read, NULL, NULL, cookie_close };
	FILE *fp;

	if ((fp = fopencookie(u, "rb", io)) == NULL)
		return NULL;
	/* Decompressed data is read in the capture reader's blocks. */
	setvbuf(fp, NULL, _IOFBF, 256 * 1024);
	return fp;
}
