/*
 * bh-hist - histograms (1-D and 2-D, grouped, weighted) and summary
 * statistics of a bh record stream, as a record stream that merges
 * exactly; and the figures drawn from it (SVG, terminal bars).
 *
 * Reads the record stream on stdin or the named files, or with --merge
 * the outputs of earlier bh-hist runs.  Writes, at the end of input, one
 * row per cell (key, group, bin[, bin2]) with its record count n and
 * weight sum w, sorted; with -S also the exact value table of binned keys
 * and one row of statistics per group.  Deviates from the filters: it does
 * not pass records through (comments do pass), and it keeps state: memory
 * grows with the cells (keys x groups x bins, plus the distinct values of
 * binned keys with -S), never with the records, and -N bounds it.  In
 * the figures a group's colour depends on its own values only (a table of
 * the suite's vocabulary, else a hash), so it is the same in every figure.
 *
 * Everything that reaches the stream is exact: values are integer
 * micro-units (6 decimals, the finest the stream carries), weight sums are
 * integers plus micro-unit fractions, quantiles are values that occur in
 * the data, and the mean is computed from the merged value table in sorted
 * order.  So `bh-hist OPTS A B` and `bh-hist --merge <(bh-hist OPTS A)
 * <(bh-hist OPTS B)` write the same bytes (the merge law, tested).
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "hist.h"

void
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-S] [-b col[,col...]] [-k key[:width][,key2[:width]]]\n"
	    "\t[-N max] [-T title] [-w col] [-X label] [-Y label] [--bars]\n"
	    "\t[--colors value=#rrggbb,...] [--stacked] [--strict]\n"
	    "\t[--svg file] [file ...]\n"
	    "       %s --merge [-N max] [-T title] [-X label] [-Y label]\n"
	    "\t[--bars] [--colors value=#rrggbb,...] [--stacked] [--strict]\n"
	    "\t[--svg file] [file ...]\n",
	    bh_progname, bh_progname);
	exit(BH_EXIT_FATAL);
}
/* ---- main ----------------------------------------------------------- */

/* Split a comma list into *v (appending). */
static void
add_list(char ***v, size_t *n, const char *arg)
{
	char *a = xstrdup(arg), *t, *save = NULL;

	for (t = strtok_r(a, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = xstrdup(t);
	}
	free(a);
}

int
main(int argc, char *argv[])
{
	enum { OPT_BARS = 256, OPT_COLORS, OPT_MERGE, OPT_STACKED, OPT_STRICT,
		OPT_SVG };
	static const struct option lopts[] = {
		{ "bars", no_argument, NULL, OPT_BARS },
		{ "colors", required_argument, NULL, OPT_COLORS },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "stacked", no_argument, NULL, OPT_STACKED },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ NULL, 0, NULL, 0 }
	};
	/* static: the reader's buffers stay reachable to the end (the lib
	 * has no bh_rec_free), so LeakSanitizer has nothing to report. */
	static struct bh_reader r;
	static char **kargs;
	struct bh_reader none;
	enum bh_rec_kind kind;
	const char *svgpath = NULL;
	size_t nk = 0, i, j, k;
	unsigned long ul;
	int c, merge = 0, bars = 0, strict = 0, stream;
	FILE *cmt;

	bh_diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "b:k:N:ST:w:X:Y:", lopts,
	    NULL)) != -1) {
		switch (c) {
		case 'b':
			add_list(&gnames, &ngcols, optarg);
			break;
		case 'k':
			kargs = xreallocarray(kargs, nk + 1, sizeof(*kargs));
			kargs[nk++] = optarg;
			break;
		case 'N':
			if (bh_parse_uint(optarg, 1UL << 30, &ul) == -1 ||
			    ul == 0)
				bh_errx(BH_EXIT_FATAL, "-N %s: a number of "
				    "cells from 1 to 2^30", optarg);
			maxcells = ul;
			break;
		case 'S':
			statsmode = 1;
			break;
		case 'T':
			title = optarg;
			break;
		case 'w':
			if (!valid_name(optarg, strlen(optarg)))
				bh_errx(BH_EXIT_FATAL, "-w %s: not a column "
				    "name", optarg);
			weightcol = optarg;
			break;
		case 'X':
			xlabel = optarg;
			break;
		case 'Y':
			ylabel = optarg;
			break;
		case OPT_BARS:
			bars = 1;
			break;
		case OPT_COLORS:
			colours_arg(optarg);
			break;
		case OPT_MERGE:
			merge = 1;
			break;
		case OPT_STACKED:
			stacked = 1;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_SVG:
			svgpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (merge && (nk > 0 || ngcols > 0 || weightcol != NULL ||
	    statsmode)) {
		bh_warnx("--merge takes keys, groups, weight and -S from its "
		    "input: no -k, -b, -w or -S");
		usage();
	}
	if (!merge && nk == 0) {
		bh_warnx("no key: give -k, or --merge");
		usage();
	}
	if (bars && svgpath != NULL && strcmp(svgpath, "-") == 0) {
		bh_warnx("--bars and --svg - both write standard output");
		usage();
	}
	stream = !bars && (svgpath == NULL || strcmp(svgpath, "-") != 0);
	for (i = 0; i < ngcols; i++) {
		if (!valid_name(gnames[i], strlen(gnames[i])))
			bh_errx(BH_EXIT_FATAL, "-b %s: not a column name",
			    gnames[i]);
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(gnames[i], reserved[k]) == 0)
				bh_errx(BH_EXIT_FATAL, "-b %s: the output has "
				    "a column of that name", gnames[i]);
		for (j = 0; j < i; j++)
			if (strcmp(gnames[i], gnames[j]) == 0)
				bh_errx(BH_EXIT_FATAL, "-b %s: given twice",
				    gnames[i]);
	}
	for (i = 0; i < nk; i++)
		spec_arg(kargs[i]);

	if (stream)
		cmt = stdout;
	else if ((cmt = fopen("/dev/null", "w")) == NULL)
		bh_err(BH_EXIT_FATAL, "/dev/null");
	bh_rec_open(&r, argc, argv, cmt);
	r.strict = strict;
	memset(&none, 0, sizeof(none));
	bh_wr_init(&out, stdout, &none, NULL, 0);
	if (r.ncol > 0 && merge)
		merge_open(&r);
	else if (r.ncol > 0) {
		for (i = 0; i < nspecs; i++) {
			specs[i].col[0] = bh_rec_need(&r, specs[i].name[0]);
			if (specs[i].two) {
				specs[i].col[1] = bh_rec_need(&r,
				    specs[i].name[2]);
				has2d = 1;
			}
		}
		gcol = xreallocarray(NULL, ngcols + 1, sizeof(*gcol));
		for (i = 0; i < ngcols; i++)
			gcol[i] = bh_rec_need(&r, gnames[i]);
		if (weightcol != NULL)
			wcol = bh_rec_need(&r, weightcol);
		kval = xreallocarray(NULL, 2 * nspecs + 2, sizeof(*kval));
		kraw = xreallocarray(NULL, nspecs + 1, sizeof(*kraw));
	}
	/* The header goes out before any comment of the input, so that the
	 * output is a stream (a comment may not precede the header unless
	 * it is "# text"); the rows follow at the end. */
	if (stream && r.ncol > 0)
		write_header();
	while ((kind = bh_rec_next(&r)) != BH_REC_EOF) {
		if (kind == BH_REC_COMMENT) {
			if (stream)
				bh_wr_line(&out, r.line, r.linelen);
			continue;
		}
		if (merge)
			merge_record(&r);
		else
			add_record(&r);
	}
	sort_cells();
	if (stream && r.ncol > 0)
		write_stream();
	make_panels();
	if (bars)
		write_bars();
	bh_wr_flush(&out);
	if (svgpath != NULL)
		write_svg(svgpath);
	if (nweightless > 0)
		bh_warnx("%lu record%s with %s '-': counted in n, not in w",
		    nweightless, nweightless == 1 ? "" : "s", weightcol);
	bh_wr_free(&out);
	if (cmt != stdout)
		fclose(cmt);
	return bh_fshut(bh_rec_close(&r));
}

