/*
 * fz.h - what the fuzz targets share.  A target calls the functions of a
 * tool's modules (or of lib/) the way main() does, on an input it lays
 * out as options, parts and records; the modules return errors instead of
 * exiting and free what they allocate, so a run in libFuzzer's process is
 * a run as a process would have it (LeakSanitizer checks each input).
 * The gcc replay driver (replay.c) runs each saved input in a process of
 * its own.
 */
#ifndef BH_FUZZ_FZ_H
#define BH_FUZZ_FZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The layout of a fuzz input: options on the first line, then parts
 * separated by lines "%%".  bh_fuzz_line: a NUL-terminated copy of the
 * first line of [*p, end) (free it), *p moved past it.  bh_fuzz_part:
 * where the part that starts at p ends (the "%%" line, or end); *next is
 * where the part after it starts (end when there is none).
 */
char	*bh_fuzz_line(const char **p, const char *end);
const char *bh_fuzz_part(const char *p, const char *end, const char **next);

/* Input files: write data to the n-th (0..3) input file and return its
 * path (a memory file, "/proc/self/fd/N"), for code that opens by name. */
const char *bh_fuzz_file(int n, const void *data, size_t len);

/* The output of one run: bh_fuzz_out() opens a memory FILE for the
 * module to write to; bh_fuzz_out_take() closes it and returns what was
 * written (valid until the next take). */
FILE	*bh_fuzz_out(void);
const char *bh_fuzz_out_take(size_t *len);

/* Report a broken invariant (with the output of the run) and abort. */
void	bh_fuzz_fail(const char *what, const char *buf, size_t len)
	    __attribute__((__noreturn__));
/* An exit status must be 0, 1 or 2 (bh(7)); else bh_fuzz_fail. */
void	bh_fuzz_status(int status, const char *out, size_t len);

/*
 * Check a record stream: every line ends in LF, the first line that is
 * not a comment is a header (#name<TAB>name...), every later non-comment
 * line has as many fields as the header.  printable: every byte of every
 * record is printable ASCII or TAB (comments are passed through as read
 * and not checked).  want_cols: the header must have this many columns
 * (0: any).  Aborts via bh_fuzz_fail on a violation.
 */
void	bh_fuzz_check_stream(const char *buf, size_t len, int printable,
	    size_t want_cols);
/* The usual end of a run: take the output, check the status and that
 * the output is a record stream (bh_fuzz_check_stream's arguments). */
void	bh_fuzz_out_stream(int status, int printable, size_t want_cols);
/* Whether len bytes are printable ASCII, TAB or LF only. */
int	bh_fuzz_is_text(const void *buf, size_t len);

#endif /* BH_FUZZ_FZ_H */
