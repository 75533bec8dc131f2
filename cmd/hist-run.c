/*
 * hist-run.c - one run of bh-hist: its options, the callbacks of the
 * record loop (bh_rec_loop), the output at the end of input (the stream,
 * the bars, the SVG) and the freeing of everything the run built.  What
 * bh-hist's main() calls, and the fuzz target with it.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

const struct bh_opt_long hist_longopts[] = {
	{ "bars", 0, HIST_OPT_BARS },
	{ "colors", 1, HIST_OPT_COLORS },
	{ "merge", 0, HIST_OPT_MERGE },
	{ "stacked", 0, HIST_OPT_STACKED },
	{ "svg", 1, HIST_OPT_SVG },
	{ NULL, 0, 0 }
};

void
hist_init(struct hist *h, FILE *fp)
{
	memset(h, 0, sizeof(*h));
	h->fp = fp;
	h->maxcells = DEF_MAXCELLS;
	h->wcol = -1;
}

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
hist_option(struct hist *h, int ch, const char *arg)
{
	unsigned long ul;

	switch (ch) {
	case 'b':
		add_list(&h->gnames, &h->ngcols, arg);
		break;
	case 'k':
		h->kargs = xreallocarray(h->kargs, h->nk + 1,
		    sizeof(*h->kargs));
		h->kargs[h->nk++] = arg;
		break;
	case 'N':
		if (bh_parse_uint(arg, 1UL << 30, &ul) == -1 || ul == 0) {
			bh_warnx("-N %s: a number of cells from 1 to 2^30",
			    arg);
			return HIST_FATAL;
		}
		h->maxcells = ul;
		break;
	case 'S':
		h->statsmode = 1;
		break;
	case 'T':
		h->title = arg;
		break;
	case 'w':
		if (!bh_rec_name_ok(arg, strlen(arg))) {
			bh_warnx("-w %s: not a column name", arg);
			return HIST_FATAL;
		}
		h->weightcol = arg;
		break;
	case 'X':
		h->xlabel = arg;
		break;
	case 'Y':
		h->ylabel = arg;
		break;
	case HIST_OPT_BARS:
		h->bars = 1;
		break;
	case HIST_OPT_COLORS:
		if (hist_colour_arg(h, arg) == -1)
			return HIST_USAGE;
		break;
	case HIST_OPT_MERGE:
		h->merge = 1;
		break;
	case HIST_OPT_STACKED:
		h->stacked = 1;
		break;
	case HIST_OPT_SVG:
		h->svgpath = arg;
		break;
	default:
		return HIST_USAGE;
	}
	return 0;
}

int
hist_setup(struct hist *h)
{
	size_t i, j, k;

	if (h->merge && (h->nk > 0 || h->ngcols > 0 || h->weightcol != NULL ||
	    h->statsmode)) {
		bh_warnx("--merge takes keys, groups, weight and -S from its "
		    "input: no -k, -b, -w or -S");
		return HIST_USAGE;
	}
	if (!h->merge && h->nk == 0) {
		bh_warnx("no key: give -k, or --merge");
		return HIST_USAGE;
	}
	if (h->bars && h->svgpath != NULL && strcmp(h->svgpath, "-") == 0) {
		bh_warnx("--bars and --svg - both write standard output");
		return HIST_USAGE;
	}
	h->stream = !h->bars && (h->svgpath == NULL ||
	    strcmp(h->svgpath, "-") != 0);
	for (i = 0; i < h->ngcols; i++) {
		if (!bh_rec_name_ok(h->gnames[i], strlen(h->gnames[i]))) {
			bh_warnx("-b %s: not a column name", h->gnames[i]);
			return HIST_FATAL;
		}
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(h->gnames[i], reserved[k]) == 0) {
				bh_warnx("-b %s: the output has a column of "
				    "that name", h->gnames[i]);
				return HIST_FATAL;
			}
		for (j = 0; j < i; j++)
			if (strcmp(h->gnames[i], h->gnames[j]) == 0) {
				bh_warnx("-b %s: given twice", h->gnames[i]);
				return HIST_FATAL;
			}
	}
	for (i = 0; i < h->nk; i++)
		if (hist_spec_arg(h, h->kargs[i]) == -1)
			return HIST_FATAL;
	bh_wr_start(&h->out, h->fp, NULL, 0, NULL, 0);
	return 0;
}

/*
 * The header of the input: the columns of the keys, groups and weight
 * (or, with --merge, of the bh-hist stream read).  The output header goes
 * out now, before any comment of the input, so that the output is a
 * stream (a comment may not precede the header unless it is "# text");
 * the rows follow at the end.
 */
static int
hist_header(void *arg, struct bh_reader *r)
{
	struct hist *h = arg;
	size_t i;

	h->header = 1;
	if (h->merge) {
		if (hist_merge_open(h, r) == -1)
			goto fatal;
	} else {
		for (i = 0; i < h->nspecs; i++) {
			if ((h->specs[i].col[0] = bh_rec_need(r,
			    h->specs[i].name[0])) == -1)
				goto fatal;
			if (h->specs[i].two) {
				if ((h->specs[i].col[1] = bh_rec_need(r,
				    h->specs[i].name[2])) == -1)
					goto fatal;
				h->has2d = 1;
			}
		}
		h->gcol = xreallocarray(NULL, h->ngcols + 1, sizeof(*h->gcol));
		for (i = 0; i < h->ngcols; i++)
			if ((h->gcol[i] = bh_rec_need(r, h->gnames[i])) == -1)
				goto fatal;
		if (h->weightcol != NULL &&
		    (h->wcol = bh_rec_need(r, h->weightcol)) == -1)
			goto fatal;
		h->kval = xreallocarray(NULL, 2 * h->nspecs + 2,
		    sizeof(*h->kval));
		h->kraw = xreallocarray(NULL, h->nspecs + 1, sizeof(*h->kraw));
	}
	if (h->stream)
		hist_write_header(h);
	return 0;
fatal:
	h->fatal = 1;
	return -1;
}

static int
hist_record(void *arg, struct bh_reader *r)
{
	struct hist *h = arg;
	int rc;

	rc = h->merge ? hist_merge_record(h, r) : hist_add_record(h, r);
	if (rc == -1)
		h->fatal = 1;
	return rc;
}

/* Comments pass through to the stream (not to the bars or an SVG on
 * standard output). */
static int
hist_comment(void *arg, const char *line, size_t len)
{
	struct hist *h = arg;

	bh_wr_line(&h->out, line, len);
	return 0;
}

void
hist_loop(struct hist *h, struct bh_loop *l)
{
	l->header = hist_header;
	l->record = hist_record;
	l->comment = h->stream ? hist_comment : NULL;
	l->arg = h;
}

int
hist_output(struct hist *h, int stopped)
{
	if (h->fatal || stopped)
		return -1;
	hist_sort_cells(h);
	if (h->stream && h->header && hist_write_rows(h) == -1)
		return -1;
	hist_make_panels(h);
	if (h->bars && hist_bars_write(h) == -1)
		return -1;
	bh_wr_flush(&h->out);
	if (h->svgpath != NULL && hist_svg_write(h, h->svgpath) == -1)
		return -1;
	if (h->nweightless > 0)
		bh_warnx("%lu record%s with %s '-': counted in n, not in w",
		    h->nweightless, h->nweightless == 1 ? "" : "s",
		    h->weightcol);
	return 0;
}

static void
strtab_free(struct strtab *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->len);
	free(t->h);
	free(t->slot);
}

void
hist_free(struct hist *h)
{
	size_t i, k;

	bh_wr_free(&h->out);
	for (i = 0; i < h->groups.n; i++) {
		if (h->ngcols > 0)
			free(h->gpart[i][0]);
		free(h->gpart[i]);
	}
	free(h->gpart);
	for (i = 0; i < h->nspecs; i++)
		for (k = 0; k < 5; k++)
			free(h->specs[i].name[k]);
	free(h->specs);
	strtab_free(&h->texts);
	strtab_free(&h->groups);
	strtab_free(&h->specids);
	for (i = 0; i < h->ngcols; i++)
		free(h->gnames[i]);
	free(h->gnames);
	for (i = 0; i < h->noverrides; i++)
		free(h->overrides[i].key);
	free(h->overrides);
	for (i = 0; i < h->npanels; i++)
		free(h->panels[i].grp);
	free(h->panels);
	free(h->kargs);
	free(h->gcol);
	free(h->cells);
	free(h->cslot);
	free(h->kval);
	free(h->kraw);
	free(h->gcolour);
	free(h->gcsource);
	free(h->gbuf);
	free(h->lbuf);
	free(h->sbuf);
	memset(h, 0, sizeof(*h));
}
