/*
 * fuzz_hist - bh-hist's modules (cmd/hist-*.c): key and bin
 * specifications, number parsing, binning, grouping, weights,
 * statistics, --merge of its own output, the terminal bars and the SVG
 * figure, on arbitrary records, through the option helper and
 * bh_rec_loop as bh-hist's main() runs them.
 *
 * Input: the first line holds options (-S, -b COLS, -k SPEC, -N N,
 * -w COL, -T/-X/-Y TEXT, --bars, --merge, --stacked, --strict, --svg,
 * which always means --svg=- here; anything else is dropped so no input
 * names a file); the rest is the record stream.
 *
 * Checked besides memory safety (and leaks: the run frees what it
 * built): exit status 0, 1 or 2; the output stream (when it is one) has
 * as many fields per record as its header and is printable whenever the
 * input was; bars and SVG carry no control byte but LF (and TAB) when
 * the input had none.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"
#include "fz.h"

#define MAXARGS	32

/* The options of line 1 into argv (from argv[argc] on), keeping only the
 * harmless ones; returns the new argc. */
static int
options(char *line, char **argv, int argc)
{
	static const char *const with_arg[] = {
		"-b", "-k", "-N", "-T", "-w", "-X", "-Y", NULL
	};
	static char svg[] = "--svg=-";
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
		    strcmp(tok, "--strict") == 0 ||
		    strcmp(tok, "--bars") == 0)
			argv[argc++] = tok;
		else if (strncmp(tok, "--svg", 5) == 0)
			argv[argc++] = svg;
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
	const char *p = (const char *)data, *end = p + size, *out;
	char *opts, *argv[MAXARGS], *files[1], name[] = "bh-hist";
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct hist h;
	size_t outlen;
	int argc = 0, ch, rc = 0, status = BH_EXIT_FATAL, stream = 0;
	int text = bh_fuzz_is_text(data, size);

	opts = bh_fuzz_line(&p, end);
	argv[argc++] = name;
	argc = options(opts, argv, argc);
	argv[argc] = NULL;
	hist_init(&h, bh_fuzz_out());
	bh_opt_init(&o, argc, argv, HIST_SHORTOPTS, hist_longopts);
	while (rc == 0 && (ch = bh_opt_next(&o)) != -1)
		if (ch == BH_OPT_HELP || ch == BH_OPT_VERSION ||
		    ch == BH_OPT_BAD)
			rc = HIST_USAGE;
		else
			rc = hist_option(&h, ch, o.arg);
	if (rc == 0)	/* bh_opt_next frees its tables at the end */
		rc = hist_setup(&h);
	else
		while (bh_opt_next(&o) != -1)
			;
	if (rc == 0) {
		stream = h.stream;
		files[0] = (char *)bh_fuzz_file(0, p, (size_t)(end - p));
		hist_loop(&h, &l);
		status = bh_rec_loop(&r, 1, files, o.strict, &l);
		if (hist_output(&h, r.stop) == -1)
			status = BH_EXIT_FATAL;
	}
	hist_free(&h);
	out = bh_fuzz_out_take(&outlen);
	bh_fuzz_status(status, out, outlen);
	if (stream)
		bh_fuzz_check_stream(out, outlen, text, 0);
	else if (text && !no_controls(out, outlen))
		bh_fuzz_fail("control byte in bars or SVG", out, outlen);
	free(opts);
	return 0;
}
