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
 *     carries it, still escaped (DESIGN §1): "\x00" is four characters.
 *     Attacker bytes stay inert, the JSON is ASCII, and an expression
 *     matches the same text bh-phase's rules and a person see.
 * The record is kept when the program's first output is neither false nor
 * null (jq's truth); no output drops it; a run-time error reports and
 * skips the record (exit 1).
 * Deviates from its peers: it adds no columns, and it allocates per record
 * (libjq builds a value per record), so it is slower than the C filters.
 * Built without libjq, it says how to get it and exits 2.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

#ifndef BH_HAVE_JQ

int
main(int argc, char *argv[])
{
	(void)argc;
	bh_diag_init(argv[0]);
	bh_errx(BH_EXIT_FATAL, "built without libjq: install it "
	    "(apt-get install libjq-dev) and rebuild (make)");
}

#else /* BH_HAVE_JQ */

#include <jq.h>

#include "filter.h"

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-j] [--strict] expr [file ...]\n",
	    bh_progname);
	exit(BH_EXIT_FATAL);
}

int
main(int argc, char *argv[])
{
	/* static: the reader's buffers stay reachable to the end (the lib
	 * has no bh_rec_free), so LeakSanitizer has nothing to report. */
	static struct bh_reader r;
	struct bh_writer w;
	enum bh_rec_kind kind;
	jq_state *jq;
	jv *keys, tmpl, obj, v, s;
	char *esc = NULL;
	size_t esccap = 0, i;
	int c, json = 0, strict = 0, nerr = 0, keep;
	FILE *cmt;

	bh_diag_init(argv[0]);
	for (c = 1; c < argc; c++) {
		if (strcmp(argv[c], "--") == 0)
			break;
		if (strcmp(argv[c], "--strict") == 0) {
			strict = 1;
			memmove(argv + c, argv + c + 1,
			    (size_t)(argc - c) * sizeof(*argv));
			argc--;
			c--;
		}
	}
	while ((c = getopt(argc, argv, "j")) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	if ((jq = jq_init()) == NULL)
		bh_errx(BH_EXIT_FATAL, "jq_init: out of memory");
	jq_set_error_cb(jq, jq_message, &nerr);
	if (!jq_compile(jq, argv[0]) || nerr > 0)
		exit(BH_EXIT_FATAL);
	argc--;
	argv++;

	if (!json)
		cmt = stdout;
	else if ((cmt = fopen("/dev/null", "w")) == NULL)
		bh_err(BH_EXIT_FATAL, "/dev/null");
	bh_rec_open(&r, argc, argv, cmt);
	r.strict = strict;
	if (r.ncol == 0) {
		jq_teardown(&jq);
		return bh_fshut(bh_rec_close(&r));
	}
	bh_wr_init(&w, stdout, &r, NULL, 0);
	if (!json)
		bh_wr_header(&w, &r, NULL);
	keys = xreallocarray(NULL, r.ncol, sizeof(*keys));
	tmpl = jv_object();
	for (i = 0; i < r.ncol; i++) {
		keys[i] = jv_string(r.col[i]);
		tmpl = jv_object_set(tmpl, jv_copy(keys[i]), jv_null());
	}
	while ((kind = bh_rec_next(&r)) != BH_REC_EOF) {
		if (kind == BH_REC_COMMENT) {
			if (!json)
				bh_wr_line(&w, r.line, r.linelen);
			continue;
		}
		/* A copy of the template: one allocation of all the slots,
		 * no rehashing as the fields go in. */
		obj = jv_copy(tmpl);
		for (i = 0; i < r.ncol; i++)
			obj = jv_object_set(obj, jv_copy(keys[i]),
			    field_value(r.f[i], &esc, &esccap));
		jq_start(jq, jv_copy(obj), 0);
		v = jq_next(jq);
		keep = 0;
		if (jv_is_valid(v))
			keep = jv_get_kind(v) != JV_KIND_FALSE &&
			    jv_get_kind(v) != JV_KIND_NULL;
		else if (jv_invalid_has_msg(jv_copy(v))) {
			runtime_error(&r, jv_invalid_get_msg(v));
			v = jv_invalid();
			if (r.strict) {
				jv_free(obj);
				jq_teardown(&jq);
				exit(BH_EXIT_FATAL);
			}
		}
		jv_free(v);
		if (keep && json) {
			s = jv_dump_string(obj, 0);
			bh_wr_line(&w, jv_string_value(s),
			    (size_t)jv_string_length_bytes(jv_copy(s)));
			jv_free(s);
		} else {
			if (keep)
				bh_wr_record(&w, &r, NULL);
			jv_free(obj);
		}
		/* `halt` and `halt_error` end the run, as in jq(1). */
		if (jq_halted(jq)) {
			halted(jq, &r);
			break;
		}
	}
	for (i = 0; i < r.ncol; i++)
		jv_free(keys[i]);
	jv_free(tmpl);
	free(keys);
	free(esc);
	jq_teardown(&jq);
	bh_wr_free(&w);
	if (cmt != stdout)
		fclose(cmt);
	return bh_fshut(bh_rec_close(&r));
}

#endif /* BH_HAVE_JQ */
