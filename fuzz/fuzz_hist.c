/*
 * fuzz_hist - bh-hist: key and bin specifications, number parsing,
 * binning, grouping, weights, statistics, --merge of its own output, the
 * terminal bars and the SVG figure, on arbitrary records, through main().
 *
 * Input: the first line holds options (-S, -b COLS, -k SPEC, -N N,
 * -w COL, -T/-X/-Y TEXT, --bars, --merge, --stacked, --strict, --svg,
 * which always means --svg=- here; anything else is dropped so no input
 * names a file); the rest is the record stream.
 *
 * Checked besides memory safety: exit status 0, 1 or 2; the output
 * stream (when it is one) has as many fields per record as its header and
 * is printable whenever the input was; bars and SVG carry no control
 * byte but LF (and TAB) when the input had none.
 */
#include "fz.h"

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#include "../cmd/bh-hist.c"
#undef main
BH_FUZZ_STATE_END

#define MAXARGS	32

/* The options of line 1, keeping only the harmless ones; *stream is
 * cleared when the output is not a record stream. */
static int
options(char *line, const char **argv, int argc, int *stream)
{
	static const char *const with_arg[] = {
		"-b", "-k", "-N", "-T", "-w", "-X", "-Y", NULL
	};
	char *tok, *save = NULL;
	int want_arg = 0, i, known;

	for (tok = strtok_r(line, " \t\r", &save); tok != NULL &&
	    argc < MAXARGS - 4; tok = strtok_r(NULL, " \t\r", &save)) {
		if (want_arg) {
			argv[argc++] = tok;
			want_arg = 0;
			continue;
		}
		known = 0;
		for (i = 0; with_arg[i] != NULL; i++)
			if (strncmp(tok, with_arg[i], 2) == 0) {
				argv[argc++] = tok;
				want_arg = tok[2] == '\0';
				known = 1;
				break;
			}
		if (known)
			continue;
		if (strcmp(tok, "-S") == 0 || strcmp(tok, "--merge") == 0 ||
		    strcmp(tok, "--stacked") == 0 ||
		    strcmp(tok, "--strict") == 0)
			argv[argc++] = tok;
		else if (strcmp(tok, "--bars") == 0) {
			argv[argc++] = tok;
			*stream = 0;
		} else if (strncmp(tok, "--svg", 5) == 0) {
			argv[argc++] = "--svg=-";
			*stream = 0;
		}
	}
	if (want_arg)
		argc--;
	return argc;
}

/* No control byte but TAB and LF (bytes >= 0x80 are UTF-8 bars). */
static int
no_controls(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\n' &&
		    p[i] != '\t') || p[i] == 0x7f)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_fuzz_result res;
	const char *argv[MAXARGS];
	const char *p = (const char *)data, *end = p + size;
	char *opts;
	int argc = 0, stream = 1, text = bh_fuzz_is_text(data, size);

	opts = bh_fuzz_line(&p, end);
	argv[argc++] = "bh-hist";
	argc = options(opts, argv, argc, &stream);
	argv[argc++] = bh_fuzz_file(0, p, (size_t)(end - p));
	bh_fuzz_main(argc, argv, NULL, &res);
	if (stream)
		bh_fuzz_check_stream(res.out, res.outlen, text, 0);
	else if (text && !no_controls(res.out, res.outlen))
		bh_fuzz_fail("control byte in bars or SVG", res.out,
		    res.outlen);
	bh_fuzz_free(opts);
	return 0;
}
