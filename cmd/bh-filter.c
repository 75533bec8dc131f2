/*
 * bh-filter - keep the records of a bh stream for which a jq expression is
 * true, or write them as JSON lines (libjq).
 *
 * Reads the record stream on stdin or the named files; writes the header,
 * the comments and every record kept, unchanged, or with -j each record
 * kept as one JSON object per line (no header, no comments).  The jq
 * program is compiled once and run on each record as an object of its
 * columns, in header order:
 *   - "-" (unset) is null;
 *   - a decimal numeral (-?(0|[1-9][0-9]*)(\.[0-9]+)?, no exponent, no
 *     leading zeros) is a number when a double holds its value exactly as
 *     written (at most 15 significant digits, or 16-17 that a double still
 *     round-trips); so ports, counts, TTLs, ms and epoch times are numbers,
 *     and "007", "1e5", IP addresses or a 20-digit identifier stay strings;
 *   - anything else is a string holding the field exactly as the stream
 *     carries it, still escaped (bh(7)): "\x00" is four characters.
 *     Attacker bytes stay inert, the JSON is ASCII, and an expression
 *     matches the same text bh-phase's rules and a person see.
 * The record is kept when the program's first output is neither false nor
 * null (jq's truth); no output drops it; a run-time error reports and
 * skips the record (exit 1).
 * Deviates from its peers: it adds no columns, and it allocates per record
 * (libjq builds a value per record), so it is slower than the C filters.
 * Built without libjq, it says how to get it and exits 2.
 */
#include <string.h>

#ifdef BH_HAVE_JQ
#include <jq.h>
#endif

#include "bh.h"
#include "filter.h"

#ifndef BH_HAVE_JQ

int
main(int argc, char *argv[])
{
	(void)argc;
	bh_diag_init(argv[0]);
	filter_without_jq();
}

#else /* BH_HAVE_JQ */

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-hj] [--strict] expr [file ...]\n",
	    bh_progname);
	if (full)
		fprintf(fp,
		    "  -j        JSON lines out (one object per record kept)\n"
		    "  --strict  the first bad record or jq error is fatal "
		    "(exit 2)\n");
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct filter f;
	int ch, status;

	bh_diag_init(argv[0]);
	memset(&f, 0, sizeof(f));
	f.out = stdout;
	bh_opt_init(&o, argc, argv, "j", NULL);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case 'j':
			f.json = 1;
			break;
		default:
			bh_opt_end(ch, usage);
		}
	argc -= o.ind;
	argv += o.ind;
	if (argc < 1)
		bh_opt_end(BH_OPT_BAD, usage);

	if ((f.jq = jq_init()) == NULL)
		bh_errx(BH_EXIT_FATAL, "jq_init: out of memory");
	if (filter_compile(f.jq, argv[0]) == -1) {
		jq_teardown(&f.jq);
		return BH_EXIT_FATAL;
	}
	filter_loop(&f, &l);
	status = bh_rec_loop(&r, argc - 1, argv + 1, o.strict, &l);
	filter_end(&f);
	jq_teardown(&f.jq);
	return bh_fshut(status);
}

#endif /* BH_HAVE_JQ */
