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
#include <stdio.h>

#include "bh.h"
#include "hist.h"

static void
usage(FILE *fp, int full)
{
	fprintf(fp,
	    "usage: %s [-hS] [-b col[,col ...]]\n"
	    "\t-k key[:width][,key2[:width]]\n"
	    "\t[-N max] [-T title] [-w col] [-X label] [-Y label] [--bars]\n"
	    "\t[--colors value=colour[,...]] [--stacked] [--strict]\n"
	    "\t[--svg file] [file ...]\n"
	    "       %s --merge [-h] [-N max] [-T title] [-X label] [-Y label]\n"
	    "\t[--bars] [--colors value=colour[,...]] [--stacked] [--strict]\n"
	    "\t[--svg file] [file ...]\n",
	    bh_progname, bh_progname);
	if (full)
		fprintf(fp,
		    "  -b col,...  one histogram per group of these columns\n"
		    "  -k key[:width][,key2[:width]]\n"
		    "              a histogram of key (bins of width; without, "
		    "one per value),\n"
		    "              or of key against key2\n"
		    "  -N max      at most max cells (default 1000000)\n"
		    "  -S          the statistics of each group (min, "
		    "quartiles, max, mean)\n"
		    "  -w col      weigh each record by col\n"
		    "  -T, -X, -Y  the title and axis labels of a figure\n"
		    "  --bars      bars on the terminal instead of the stream\n"
		    "  --colors value=colour[,...]\n"
		    "              a group's colour in the SVG (#rrggbb)\n"
		    "  --merge     add up the outputs of earlier runs\n"
		    "  --stacked   stack the groups' bars in the SVG\n"
		    "  --strict    the first bad record is fatal (exit 2)\n"
		    "  --svg file  the figure as SVG to file (- = standard "
		    "output)\n");
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct hist h;
	int ch, rc, status;

	bh_diag_init(argv[0]);
	hist_init(&h, stdout);
	bh_opt_init(&o, argc, argv, HIST_SHORTOPTS, hist_longopts);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case BH_OPT_HELP:
		case BH_OPT_VERSION:
		case BH_OPT_BAD:
			bh_opt_end(ch, usage);
		default:
			if ((rc = hist_option(&h, ch, o.arg)) == HIST_USAGE)
				bh_opt_end(BH_OPT_BAD, usage);
			if (rc != 0) {
				bh_opt_free(&o);
				hist_free(&h);
				return BH_EXIT_FATAL;
			}
		}
	argc -= o.ind;
	argv += o.ind;
	if ((rc = hist_setup(&h)) == HIST_USAGE)
		bh_opt_end(BH_OPT_BAD, usage);
	if (rc != 0) {
		hist_free(&h);
		return BH_EXIT_FATAL;
	}

	hist_loop(&h, &l);
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	if (hist_output(&h, r.stop) == -1)
		status = BH_EXIT_FATAL;
	hist_free(&h);
	return bh_fshut(status);
}
