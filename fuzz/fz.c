/*
 * fz.c - the fuzz harness of fz.h: one run of a tool's main() or of
 * library code per input, in one process, with exit() caught, leftover
 * memory and files reclaimed, static state restored and standard output
 * captured and checked.
 *
 * Compiled without the renaming macros (BH_FUZZ_IMPL): the functions here
 * call the real malloc, exit, fopen, ...
 */
#define _GNU_SOURCE
#define BH_FUZZ_IMPL
#include <sys/mman.h>
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"

/* ---- remembered blocks: a set of pointers (open addressing) ---- */

#define TOMB	((uintptr_t)1)

static uintptr_t *aset;
static size_t acap, aused, alive;	/* slots, non-empty, live */
static int in_run;

static size_t
aslot(uintptr_t p, size_t cap)
{
	uint64_t h = (uint64_t)p * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & (cap - 1);
}

static void
aset_grow(void)
{
	uintptr_t *old = aset;
	size_t oldcap = acap, i, j;

	acap = acap ? (alive * 4 > acap ? acap * 2 : acap) : 4096;
	if ((aset = calloc(acap, sizeof(*aset))) == NULL)
		abort();
	aused = alive;
	for (i = 0; i < oldcap; i++) {
		if (old[i] <= TOMB)
			continue;
		for (j = aslot(old[i], acap); aset[j] != 0;
		    j = (j + 1) & (acap - 1))
			;
		aset[j] = old[i];
	}
	free(old);
}

static void
aset_add(void *p)
{
	size_t j;

	if (p == NULL || !in_run)
		return;
	if ((aused + 1) * 2 > acap)
		aset_grow();
	for (j = aslot((uintptr_t)p, acap); aset[j] > TOMB;
	    j = (j + 1) & (acap - 1))
		;
	if (aset[j] == 0)
		aused++;
	aset[j] = (uintptr_t)p;
	alive++;
}

/* Forget p; 0 when it was not remembered. */
static int
aset_del(void *p)
{
	size_t j;

	if (p == NULL || acap == 0)
		return 0;
	for (j = aslot((uintptr_t)p, acap); aset[j] != 0;
	    j = (j + 1) & (acap - 1))
		if (aset[j] == (uintptr_t)p) {
			aset[j] = TOMB;
			alive--;
			return 1;
		}
	return 0;
}

static void
aset_free_all(void)
{
	size_t i;

	for (i = 0; i < acap; i++) {
		if (aset[i] > TOMB)
			free((void *)aset[i]);
		aset[i] = 0;
	}
	aused = alive = 0;
}

void *
bh_fuzz_malloc(size_t n)
{
	void *p = malloc(n);

	aset_add(p);
	return p;
}

void *
bh_fuzz_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	aset_add(p);
	return p;
}

void *
bh_fuzz_realloc(void *p, size_t n)
{
	void *q;
	int known = aset_del(p);

	if ((q = realloc(p, n)) == NULL) {
		if (known)
			aset_add(p);
		return NULL;
	}
	aset_add(q);
	return q;
}

void
bh_fuzz_free(void *p)
{
	/* Blocks from the C library (open_memstream) are not remembered
	 * but are freed the same way. */
	(void)aset_del(p);
	free(p);
}

char *
bh_fuzz_strdup(const char *s)
{
	char *p = strdup(s);

	aset_add(p);
	return p;
}

/* ---- files ---- */

#define MAXFILES 64

static FILE *files[MAXFILES];
static int nfiles;

static void
file_forget(FILE *f)
{
	int i;

	for (i = 0; i < nfiles; i++)
		if (files[i] == f) {
			files[i] = files[--nfiles];
			return;
		}
}

FILE *
bh_fuzz_fopen(const char *path, const char *mode)
{
	FILE *f = fopen(path, mode);

	if (f != NULL && in_run) {
		if (nfiles == MAXFILES)
			bh_fuzz_fail("more than 64 files open in one run",
			    NULL, 0);
		files[nfiles++] = f;
	}
	return f;
}

int
bh_fuzz_fclose(FILE *f)
{
	/* The harness owns the standard streams. */
	if (f == stdout || f == stderr)
		return fflush(f) != 0 || ferror(f) ? EOF : 0;
	if (f == stdin)
		return 0;
	file_forget(f);
	return fclose(f);
}

void
bh_fuzz_pcap_close(struct pcap *pc)
{
	file_forget(pcap_file(pc));
	pcap_close(pc);
}

/* ---- exit and atexit ---- */

#define MAXHANDLERS 32

static void (*handlers[MAXHANDLERS])(void);
static int nhandlers, handlers_ran;
static jmp_buf *run_jb;
static int run_status;

int
bh_fuzz_atexit(void (*fn)(void))
{
	int i;

	/* lib/record.c registers once per process; its static flag is
	 * reset with the rest of the state, so it registers again. */
	for (i = 0; i < nhandlers; i++)
		if (handlers[i] == fn)
			return 0;
	if (nhandlers == MAXHANDLERS)
		return -1;
	handlers[nhandlers++] = fn;
	return 0;
}

static void
run_handlers(void)
{
	int i;

	if (handlers_ran)
		return;
	handlers_ran = 1;
	for (i = nhandlers - 1; i >= 0; i--)
		handlers[i]();
}

void
bh_fuzz_exit(int status)
{
	if (run_jb == NULL)
		exit(status);
	/* As exit(3): the handlers run while the caller's frames live. */
	run_handlers();
	run_status = status;
	longjmp(*run_jb, 1);
}

/* ---- static state (clang: sections bh_fuzz_data, bh_fuzz_bss) ---- */

#if defined(__clang__)
extern char __start_bh_fuzz_data[] __attribute__((__weak__));
extern char __stop_bh_fuzz_data[] __attribute__((__weak__));
extern char __start_bh_fuzz_bss[] __attribute__((__weak__));
extern char __stop_bh_fuzz_bss[] __attribute__((__weak__));

static unsigned char *data_copy;

/* Byte loops the sanitizers do not see: ASan pads globals with poisoned
 * red zones, which are part of the section. */
__attribute__((__no_sanitize__("address")))
static void
copy_bytes(volatile unsigned char *d, const volatile unsigned char *s,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = s != NULL ? s[i] : 0;
}

__attribute__((__constructor__))
static void
state_save(void)
{
	size_t n;

	if (__start_bh_fuzz_data == NULL)
		return;
	n = (size_t)(__stop_bh_fuzz_data - __start_bh_fuzz_data);
	if ((data_copy = malloc(n ? n : 1)) == NULL)
		abort();
	copy_bytes(data_copy, (unsigned char *)__start_bh_fuzz_data, n);
}

static void
state_restore(void)
{
	if (__start_bh_fuzz_data != NULL)
		copy_bytes((unsigned char *)__start_bh_fuzz_data, data_copy,
		    (size_t)(__stop_bh_fuzz_data - __start_bh_fuzz_data));
	if (__start_bh_fuzz_bss != NULL)
		copy_bytes((unsigned char *)__start_bh_fuzz_bss, NULL,
		    (size_t)(__stop_bh_fuzz_bss - __start_bh_fuzz_bss));
}
#else
static void
state_restore(void)
{
	/* gcc: replay.c runs every input in a process of its own. */
}
#endif

/* ---- standard output and input files ---- */

static int out_ready;
static char *outbuf;
static size_t outcap;
static int infd[4] = { -1, -1, -1, -1 };
static char inpath[4][32];

static void
out_setup(void)
{
	int fd;

	if (out_ready)
		return;
	fflush(stdout);
	if ((fd = memfd_create("bh-fuzz-stdout", 0)) == -1 ||
	    dup2(fd, STDOUT_FILENO) == -1) {
		perror("bh-fuzz: memfd for stdout");
		abort();
	}
	close(fd);
	out_ready = 1;
}

/* What the run wrote; the memory file is emptied for the next one. */
static size_t
out_collect(void)
{
	off_t end;
	ssize_t k;
	size_t n = 0;

	fflush(stdout);
	clearerr(stdout);
	if ((end = lseek(STDOUT_FILENO, 0, SEEK_CUR)) < 0)
		abort();
	if ((size_t)end + 1 > outcap) {
		outcap = (size_t)end + 1;
		if ((outbuf = realloc(outbuf, outcap)) == NULL)
			abort();
	}
	while (n < (size_t)end) {
		k = pread(STDOUT_FILENO, outbuf + n, (size_t)end - n,
		    (off_t)n);
		if (k <= 0)
			abort();
		n += (size_t)k;
	}
	outbuf[n] = '\0';
	if (ftruncate(STDOUT_FILENO, 0) == -1 ||
	    lseek(STDOUT_FILENO, 0, SEEK_SET) == -1)
		abort();
	return n;
}

char *
bh_fuzz_line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl != NULL ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = bh_fuzz_malloc(n + 1);

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

/* ---- runs ---- */

void
bh_fuzz_run(int (*fn)(void *), void *arg, void (*cleanup)(void *),
    struct bh_fuzz_result *res)
{
	jmp_buf jb;
	int i;

	out_setup();
	clearerr(stdout);
	memset(res, 0, sizeof(*res));
	in_run = 1;
	handlers_ran = 0;
	run_jb = &jb;
	if (setjmp(jb) == 0) {
		res->status = fn(arg);
	} else {
		res->status = run_status;
		res->exited = 1;
	}
	run_jb = NULL;
	if (res->exited && cleanup != NULL)
		cleanup(arg);
	run_handlers();
	res->outlen = out_collect();
	res->out = outbuf;
	for (i = nfiles - 1; i >= 0; i--)
		fclose(files[i]);
	nfiles = 0;
	in_run = 0;
	aset_free_all();
	state_restore();
	/* DESIGN §1: every tool exits 0, 1 or 2. */
	if (res->status < 0 || res->status > 2)
		bh_fuzz_fail("exit status not 0, 1 or 2", res->out,
		    res->outlen);
}

struct mainarg {
	int	 argc;
	char	**argv;
};

/* Targets of library code have no tool. */
int	bh_fuzz_tool_main(int, char **) __attribute__((__weak__));

static int
call_main(void *p)
{
	struct mainarg *m = p;

	if (bh_fuzz_tool_main == NULL)
		abort();
	optind = 0;	/* glibc: start getopt afresh */
	return bh_fuzz_tool_main(m->argc, m->argv);
}

void
bh_fuzz_main(int argc, const char *const *argv, void (*cleanup)(void *),
    struct bh_fuzz_result *res)
{
	struct mainarg m;
	char **copy;
	int i;

	m.argc = argc;
	if ((m.argv = calloc((size_t)argc + 1, sizeof(*m.argv))) == NULL ||
	    (copy = calloc((size_t)argc + 1, sizeof(*copy))) == NULL)
		abort();
	for (i = 0; i < argc; i++)
		if ((m.argv[i] = copy[i] = strdup(argv[i])) == NULL)
			abort();
	/* The copies outlive the run (getopt may point into them); main may
	 * permute or drop entries of m.argv, so they are freed from copy. */
	bh_fuzz_run(call_main, &m, cleanup, res);
	for (i = 0; i < argc; i++)
		free(copy[i]);
	free(copy);
	free(m.argv);
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
