/*
 * diag.c - diagnostics in the form "bh-TOOL: [file:line: ]message" and the
 * x-allocators that succeed or exit 2 (bh(7), EXIT STATUS).
 */
#define _GNU_SOURCE		/* F_SETPIPE_SZ (Linux) */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

const char *bh_progname = "bh";

void
bh_diag_init(const char *argv0)
{
	const char *p;

	if (argv0 != NULL && *argv0 != '\0') {
		p = strrchr(argv0, '/');
		bh_progname = p != NULL ? p + 1 : argv0;
	}
#ifdef F_SETPIPE_SZ
	/* Pipes of BH_PIPE_SIZE (bh.h says why that size).  Not a pipe,
	 * or not allowed: nothing changes. */
	(void)fcntl(STDIN_FILENO, F_SETPIPE_SZ, BH_PIPE_SIZE);
	(void)fcntl(STDOUT_FILENO, F_SETPIPE_SZ, BH_PIPE_SIZE);
#endif
	/* A reader that went away (head, less) ends us quietly, like cat. */
	signal(SIGPIPE, SIG_DFL);
	setlocale(LC_ALL, "C");
}

void
bh_vwarnx_at(const char *file, unsigned long line, const char *fmt,
    va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", bh_progname);
	if (file != NULL) {
		if (line > 0)
			fprintf(stderr, "%s:%lu: ", file, line);
		else
			fprintf(stderr, "%s: ", file);
	}
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
bh_warnx_at(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(file, line, fmt, ap);
	va_end(ap);
}

void
bh_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(NULL, 0, fmt, ap);
	va_end(ap);
}

static void
vwarn_errno(const char *fmt, va_list ap)
{
	int e = errno;

	fprintf(stderr, "%s: ", bh_progname);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s\n", strerror(e));
}

void
bh_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(fmt, ap);
	va_end(ap);
}

void
bh_errx(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(NULL, 0, fmt, ap);
	va_end(ap);
	exit(code);
}

void
bh_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(fmt, ap);
	va_end(ap);
	exit(code);
}

int
bh_fshut(int status)
{
	/* fflush then ferror catches both a failed flush and an earlier
	 * failed write that stdio only remembered. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			exit(status);
		bh_err(BH_EXIT_FATAL, "write error on standard output");
	}
	if (fclose(stdout) != 0 && errno != EPIPE)
		bh_err(BH_EXIT_FATAL, "write error on standard output");
	return status;
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		bh_err(BH_EXIT_FATAL, "malloc %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		bh_err(BH_EXIT_FATAL, "calloc %zu x %zu bytes", n, size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		bh_err(BH_EXIT_FATAL, "realloc %zu bytes", n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		bh_err(BH_EXIT_FATAL, "realloc %zu x %zu bytes", n, size);
	}
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}
