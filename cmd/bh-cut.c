/*
 * bh-cut - select columns of a bh record stream by name (after zeek-cut).
 *
 * Reads the record stream on stdin or the named files; writes the chosen
 * columns, in the order asked for, with the header (unless -H).  With no
 * -f it passes every column, which validates a stream (field counts,
 * repeated headers) at pass-through speed.  -u unescapes the fields for
 * a human reader (the only bh output that is not a safe record stream).
 * Unlike zeek-cut, columns are named with -f so that operands can be
 * files, and a missing column is an error (exit 2) rather than empty.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-Hnu] [--strict] [-f col[,col...]] "
	    "[file ...]\n", bh_progname);
	exit(BH_EXIT_FATAL);
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_writer w;
	char *fields = NULL, *p, *tok;
	unsigned char *ubuf = NULL;
	size_t ubufcap = 0;
	int *sel = NULL, nsel = 0, noheader = 0, negate = 0, unesc = 0;
	int strict = 0, c, i, j;
	size_t k;

	bh_diag_init(argv[0]);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--strict") == 0) {
			strict = 1;
			memmove(argv + i, argv + i + 1,
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			break;
		}
	while ((c = getopt(argc, argv, "f:hHnu")) != -1) {
		switch (c) {
		case 'f':
			fields = optarg;
			break;
		case 'H':
			noheader = 1;
			break;
		case 'n':
			negate = 1;
			break;
		case 'u':
			unesc = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;

	bh_rec_open(&r, argc, argv, stdout);
	r.strict = strict;
	if (r.ncol == 0)
		return bh_fshut(bh_rec_close(&r));
	bh_wr_init(&w, stdout, &r, NULL, 0);

	/* Resolve the selection to input column indexes. */
	sel = xreallocarray(NULL, r.ncol + 1, sizeof(*sel));
	if (fields != NULL && !negate) {
		p = xstrdup(fields);
		for (tok = strtok(p, ","); tok != NULL; tok = strtok(NULL, ",")) {
			if (nsel >= (int)r.ncol) {
				sel = xreallocarray(sel, (size_t)nsel + 1,
				    sizeof(*sel));
			}
			sel[nsel++] = bh_rec_need(&r, tok);
		}
		free(p);
	} else {
		for (k = 0; k < r.ncol; k++) {
			int skip = 0;

			if (fields != NULL) {
				p = xstrdup(fields);
				for (tok = strtok(p, ","); tok != NULL;
				    tok = strtok(NULL, ","))
					if (strcmp(tok, r.col[k]) == 0)
						skip = 1;
				free(p);
			}
			if (!skip)
				sel[nsel++] = (int)k;
		}
	}
	if (!noheader) {
		bh_wr_raw(&w, "#", 1);
		for (j = 0; j < nsel; j++) {
			if (j > 0)
				bh_wr_raw(&w, "\t", 1);
			bh_wr_raw(&w, r.col[sel[j]], strlen(r.col[sel[j]]));
		}
		bh_wr_raw(&w, "\n", 1);
	}
	for (;;) {
		enum bh_rec_kind kind = bh_rec_next(&r);

		if (kind == BH_REC_EOF)
			break;
		if (kind == BH_REC_COMMENT) {
			if (!noheader)
				bh_wr_line(&w, r.line, r.linelen);
			continue;
		}
		if (fields == NULL && !unesc) {
			bh_wr_record(&w, &r, NULL);
			continue;
		}
		for (j = 0; j < nsel; j++) {
			const char *v = r.f[sel[j]];

			if (j > 0)
				bh_wr_raw(&w, "\t", 1);
			if (unesc && !BH_UNSET(v)) {
				size_t n = strlen(v);
				long m;

				if (n + 1 > ubufcap) {
					ubufcap = n + 1;
					ubuf = xrealloc(ubuf, ubufcap);
				}
				if ((m = bh_unescape(ubuf, v)) < 0) {
					bh_rec_bad(&r, "column %s: bad escape",
					    r.col[sel[j]]);
					bh_wr_raw(&w, v, n);
				} else
					bh_wr_raw(&w, (char *)ubuf, (size_t)m);
			} else
				bh_wr_raw(&w, v, strlen(v));
		}
		bh_wr_raw(&w, "\n", 1);
	}
	bh_wr_free(&w);
	free(sel);
	free(ubuf);
	return bh_fshut(bh_rec_close(&r));
}
