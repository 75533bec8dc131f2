/*
 * fuzz_phase - bh-phase: its rules parser (the line format, port lists,
 * POSIX EREs and the literal prefilter extracted from them) and the
 * labelling and FTP/TFTP linking of arbitrary records, through main().
 *
 * Input: the first line holds options (only -d, -n, -W N, -w DUR, --strict
 * and --print-rules are taken; anything else is dropped so no input names
 * a file); then a rules file up to a line "%%"; then the record stream.
 * Without a "%%" line there is no -r file and the rest is the records.
 *
 * Checked besides memory safety: exit status 0, 1 or 2 (a bad rules file
 * exits 2 by design); the output is a record stream with as many fields
 * per record as its header, printable whenever the records were.
 *
 * The rules file is the analyst's, not the attacker's, and glibc's
 * regcomp() takes exponential time on some EREs.  bh-phase refuses
 * stacked quantifiers ("a****", this target's first finding, in
 * regress/phase) and counts above 255; rules text with what it still
 * lets through (starred groups nested deeply, counts above 100 that
 * nest) is not run (pathological()).
 */
#include "fz.h"

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#include "../cmd/bh-phase.c"
#undef main
BH_FUZZ_STATE_END

#define MAXARGS	24

/* After exit(): what the harness cannot free by itself (regexes). */
static void
cleanup(void *arg)
{
	(void)arg;
	rules_free();
}

/*
 * Whether rules text holds an ERE that glibc's regcomp() may take
 * exponential time or memory on and bh-phase does not refuse: groups
 * nested deeper than 6, or a repeat count above 100.
 */
static int
pathological(const char *p, size_t n)
{
	size_t i;
	int depth = 0;
	unsigned long count;

	for (i = 0; i < n; i++) {
		if (p[i] == '(' && ++depth > 6)
			return 1;
		if (p[i] == ')' && depth > 0)
			depth--;
		if (p[i] == '\n')
			depth = 0;
		if (p[i] == '{') {
			for (count = 0; i + 1 < n && p[i + 1] >= '0' &&
			    p[i + 1] <= '9' && count <= 100; i++)
				count = count * 10 + (unsigned long)(p[i + 1] - '0');
			if (count > 100)
				return 1;
		}
	}
	return 0;
}

/* The options of line 1, keeping only the harmless ones. */
static int
options(char *line, const char **argv, int argc, int *print)
{
	char *tok, *save = NULL;
	int want_arg = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok != NULL &&
	    argc < MAXARGS - 4; tok = strtok_r(NULL, " \t\r", &save)) {
		if (want_arg) {
			argv[argc++] = tok;
			want_arg = 0;
		} else if (strcmp(tok, "-W") == 0 || strcmp(tok, "-w") == 0) {
			argv[argc++] = tok;
			want_arg = 1;
		} else if (strcmp(tok, "-n") == 0 || strcmp(tok, "-d") == 0 ||
		    strcmp(tok, "--strict") == 0)
			argv[argc++] = tok;
		else if (strcmp(tok, "--print-rules") == 0) {
			argv[argc++] = tok;
			*print = 1;
		}
	}
	if (want_arg)
		argc--;
	return argc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_fuzz_result res;
	const char *argv[MAXARGS];
	const char *p = (const char *)data, *end = p + size, *sep, *next;
	char *opts;
	int argc = 0, print = 0;

	opts = bh_fuzz_line(&p, end);
	argv[argc++] = "bh-phase";
	argc = options(opts, argv, argc, &print);
	/* The rules end at a line "%%". */
	if ((sep = bh_fuzz_part(p, end, &next)) < end) {
		if (pathological(p, (size_t)(sep - p))) {
			bh_fuzz_free(opts);
			return 0;
		}
		argv[argc++] = "-r";
		argv[argc++] = bh_fuzz_file(1, p, (size_t)(sep - p));
		p = next;
	}
	argv[argc++] = bh_fuzz_file(0, p, (size_t)(end - p));
	bh_fuzz_main(argc, argv, cleanup, &res);
	if (!print)
		bh_fuzz_check_stream(res.out, res.outlen,
		    bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	bh_fuzz_free(opts);
	return 0;
}
