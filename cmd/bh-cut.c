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

#include "bh.h"

struct cut {
	char		*fields;	/* -f list, or NULL */
	int		 noheader, negate, unesc;
	int		*sel;		/* output column i is input sel[i] */
	int		 nsel;
	unsigned char	*ubuf;		/* -u: one unescaped field */
	size_t		 ubufcap;
	struct bh_writer w;
};

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-hHnu] [--strict] [-f col[,col ...]] "
	    "[file ...]\n", bh_progname);
	if (full)
		fprintf(fp,
		    "  -f cols   the columns to keep, in this order\n"
		    "  -n        keep every column but those of -f\n"
		    "  -H        no header line, no comments\n"
		    "  -u        unescape the fields, for reading (not a "
		    "record stream)\n"
		    "  --strict  the first bad record is fatal (exit 2)\n");
}

/* Whether every name of the list "a,b,c" is a column name (empty items,
 * which strtok skips, aside). */
static int
names_ok(const char *list)
{
	size_t n;

	for (; *list != '\0'; list += n + (list[n] == ',')) {
		n = strcspn(list, ",");
		if (n > 0 && !bh_rec_name_ok(list, n))
			return 0;
	}
	return 1;
}

/* Resolve the selection to input column indexes; -1 when a column is
 * missing (reported). */
static int
cut_header(void *arg, struct bh_reader *r)
{
	struct cut *c = arg;
	char *p, *tok;
	size_t k;
	int j, rc = 0;

	bh_wr_start(&c->w, stdout, r->col, r->ncol, NULL, 0);
	c->sel = xreallocarray(NULL, r->ncol + 1, sizeof(*c->sel));
	if (c->fields != NULL && !c->negate) {
		p = xstrdup(c->fields);
		for (tok = strtok(p, ","); tok != NULL; tok = strtok(NULL, ",")) {
			if (c->nsel >= (int)r->ncol)
				c->sel = xreallocarray(c->sel,
				    (size_t)c->nsel + 1, sizeof(*c->sel));
			if ((c->sel[c->nsel++] = bh_rec_need(r, tok)) < 0)
				rc = -1;
		}
		free(p);
		if (rc == -1)
			return -1;
	} else {
		for (k = 0; k < r->ncol; k++) {
			int skip = 0;

			if (c->fields != NULL) {
				p = xstrdup(c->fields);
				for (tok = strtok(p, ","); tok != NULL;
				    tok = strtok(NULL, ","))
					if (strcmp(tok, r->col[k]) == 0)
						skip = 1;
				free(p);
			}
			if (!skip)
				c->sel[c->nsel++] = (int)k;
		}
	}
	if (!c->noheader) {
		bh_wr_raw(&c->w, "#", 1);
		for (j = 0; j < c->nsel; j++) {
			if (j > 0)
				bh_wr_raw(&c->w, "\t", 1);
			bh_wr_raw(&c->w, r->col[c->sel[j]],
			    strlen(r->col[c->sel[j]]));
		}
		bh_wr_raw(&c->w, "\n", 1);
	}
	return 0;
}

static int
cut_record(void *arg, struct bh_reader *r)
{
	struct cut *c = arg;
	int j;

	if (c->fields == NULL && !c->unesc) {
		bh_wr_fields(&c->w, r->f, NULL);
		return 0;
	}
	for (j = 0; j < c->nsel; j++) {
		const char *v = r->f[c->sel[j]];

		if (j > 0)
			bh_wr_raw(&c->w, "\t", 1);
		if (c->unesc && !BH_UNSET(v)) {
			size_t n = strlen(v);
			long m;

			if (n + 1 > c->ubufcap) {
				c->ubufcap = n + 1;
				c->ubuf = xrealloc(c->ubuf, c->ubufcap);
			}
			if ((m = bh_unescape(c->ubuf, v)) < 0) {
				bh_rec_bad(r, "column %s: bad escape",
				    r->col[c->sel[j]]);
				bh_wr_raw(&c->w, v, n);
			} else
				bh_wr_raw(&c->w, (char *)c->ubuf, (size_t)m);
		} else
			bh_wr_raw(&c->w, v, strlen(v));
	}
	bh_wr_raw(&c->w, "\n", 1);
	return 0;
}

/* Comments before the header pass through; later ones unless -H. */
static int
cut_comment(void *arg, const char *line, size_t len)
{
	struct cut *c = arg;

	if (c->w.obuf == NULL || !c->noheader)
		bh_wr_comment(&c->w, stdout, line, len);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct bh_loop l = { cut_header, cut_record, cut_comment, NULL };
	struct bh_reader r;
	struct bh_opt o;
	struct cut c;
	int ch, status;

	bh_diag_init(argv[0]);
	memset(&c, 0, sizeof(c));
	bh_opt_init(&o, argc, argv, "f:Hnu", NULL);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case 'f':
			if (!names_ok(o.arg)) {
				bh_warnx("-f %s: column names are [a-z0-9_]+, "
				    "separated by commas", o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			c.fields = o.arg;
			break;
		case 'H':
			c.noheader = 1;
			break;
		case 'n':
			c.negate = 1;
			break;
		case 'u':
			c.unesc = 1;
			break;
		default:
			bh_opt_end(ch, usage);
		}
	argc -= o.ind;
	argv += o.ind;

	l.arg = &c;
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	bh_wr_free(&c.w);
	free(c.sel);
	free(c.ubuf);
	return bh_fshut(status);
}
