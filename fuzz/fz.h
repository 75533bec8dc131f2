/*
 * fz.h - the fuzz harness: run a tool's main(), or library code that may
 * exit, many times in one process, as if each run were a process of its
 * own.
 *
 * Every lib/ and cmd/ source file that goes into a fuzz binary is compiled
 * with `-include fuzz/fz.h`, which renames, by macro, the few C library
 * calls that end or outlive a process:
 *   exit        longjmps back to bh_fuzz_run() after running the atexit
 *               handlers, as exit(3) would (so "exit 2" stays the correct,
 *               tested behaviour and is not a finding);
 *   atexit      handlers are kept and run at the end of every run;
 *   malloc, calloc, realloc, free, strdup
 *               every live block is remembered and whatever a run leaves
 *               behind (it exited, or relied on exit to clean up) is freed
 *               after it, so a long fuzzing session does not grow;
 *   fopen, fclose, pcap_close
 *               files left open are closed after the run; fclose(stdout)
 *               (bh_fshut) only flushes, since the harness reads stdout.
 * The tool's file is #included into its fuzz target between
 * BH_FUZZ_STATE_BEGIN and BH_FUZZ_STATE_END: with clang its static
 * variables (and those of lib/, see the Makefile) go into sections that
 * are restored to their initial bytes before every run.  The gcc replay
 * driver (replay.c) runs each input in a fresh process instead.
 *
 * Standard output (fd 1) is a memory file; bh_fuzz_run() hands what a
 * run wrote to the target, which checks its structure.
 */
#ifndef BH_FUZZ_FZ_H
#define BH_FUZZ_FZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap;

void	*bh_fuzz_malloc(size_t);
void	*bh_fuzz_calloc(size_t, size_t);
void	*bh_fuzz_realloc(void *, size_t);
void	 bh_fuzz_free(void *);
char	*bh_fuzz_strdup(const char *);
void	 bh_fuzz_exit(int) __attribute__((__noreturn__));
int	 bh_fuzz_atexit(void (*)(void));
FILE	*bh_fuzz_fopen(const char *, const char *);
int	 bh_fuzz_fclose(FILE *);
void	 bh_fuzz_pcap_close(struct pcap *);

/* Each tool's main(), renamed by its fuzz target. */
int	 bh_fuzz_tool_main(int, char **);

#ifndef BH_FUZZ_IMPL
#define malloc		bh_fuzz_malloc
#define calloc		bh_fuzz_calloc
#define realloc		bh_fuzz_realloc
#define free		bh_fuzz_free
#define strdup		bh_fuzz_strdup
#define exit		bh_fuzz_exit
#define atexit		bh_fuzz_atexit
#define fopen		bh_fuzz_fopen
#define fclose		bh_fuzz_fclose
#define pcap_close	bh_fuzz_pcap_close
#endif

/* Static state that is reset before each run (clang; see above). */
#if defined(__clang__)
#define BH_FUZZ_STATE_BEGIN \
	_Pragma("clang section bss=\"bh_fuzz_bss\" data=\"bh_fuzz_data\"")
#define BH_FUZZ_STATE_END \
	_Pragma("clang section bss=\"\" data=\"\"")
#else
#define BH_FUZZ_STATE_BEGIN
#define BH_FUZZ_STATE_END
#endif
/* A lib/ file in a fuzz build: all of its static state is reset per run. */
#ifdef BH_FUZZ_LIB
BH_FUZZ_STATE_BEGIN
#endif

/* ---- the harness API (fz.c) ---- */

/* What one run did. */
struct bh_fuzz_result {
	int		 status;	/* exit status or main's return */
	int		 exited;	/* ended by exit() */
	const char	*out;		/* what it wrote on stdout */
	size_t		 outlen;
};

/*
 * Run fn(arg) as one process would: exit() inside it ends the run with
 * that status.  Afterwards (in this order): cleanup(arg) if the run
 * exited and cleanup is not NULL (a tool's own free function, for
 * resources the harness cannot see, such as compiled regexes), the atexit
 * handlers, stdout flushed into res->out (valid until the next run), open
 * files closed, remembered blocks freed, static state restored.  An exit
 * status other than 0, 1 or 2 is a failure (bh_fuzz_fail).
 */
void	bh_fuzz_run(int (*fn)(void *), void *arg, void (*cleanup)(void *),
	    struct bh_fuzz_result *res);
/* Run the tool's main with argv (argc entries, copied: main may permute
 * them); argv[0] is the tool name. */
void	bh_fuzz_main(int argc, const char *const *argv,
	    void (*cleanup)(void *), struct bh_fuzz_result *res);

/* Input files: write data to the n-th (0..3) input file and return its
 * path (a memory file, "/proc/self/fd/N"). */
const char *bh_fuzz_file(int n, const void *data, size_t len);

/* Report a broken invariant (with the output of the run) and abort. */
void	bh_fuzz_fail(const char *what, const char *buf, size_t len)
	    __attribute__((__noreturn__));

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
/*
 * The layout of a fuzz input: options on the first line, then parts
 * separated by lines "%%".  bh_fuzz_line: a NUL-terminated copy of the
 * first line of [*p, end) (bh_fuzz_free it), *p moved past it.
 * bh_fuzz_part: where the part that starts at p ends (the "%%" line, or
 * end); *next is where the part after it starts (end when there is none).
 */
char	*bh_fuzz_line(const char **p, const char *end);
const char *bh_fuzz_part(const char *p, const char *end, const char **next);
/* Whether len bytes are printable ASCII, TAB or LF only. */
int	bh_fuzz_is_text(const void *buf, size_t len);

#endif /* BH_FUZZ_FZ_H */
