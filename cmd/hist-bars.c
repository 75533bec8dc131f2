/*
 * hist-bars.c - bh-hist --bars: the histograms as bars of UTF-8 blocks
 * on the terminal.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

#define BARCOLS	40

static void
put_bar(struct hist *h, double frac)
{
	/* U+2588 FULL BLOCK, then U+2589..U+258F: 7/8 .. 1/8 */
	static const char *const part[8] = { "", "\xe2\x96\x8f",
	    "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c", "\xe2\x96\x8b",
	    "\xe2\x96\x8a", "\xe2\x96\x89" };
	long e = lround(frac * BARCOLS * 8);
	long i;

	if (frac > 0 && e == 0)
		e = 1;
	for (i = 0; i < e / 8; i++)
		hist_put(h, "\xe2\x96\x88");
	hist_put(h, part[e % 8]);
}

/*
 * --bars: per histogram a title line, per group a line naming it, per
 * bin its label, a bar of up to 40 columns (eighth blocks; one scale per
 * histogram, so groups compare) and w (and n when weighted); with -S the
 * group's statistics.  UTF-8, on standard output.  Returns 0, or -1
 * after reporting an overflow.
 */
int
hist_bars_write(struct hist *h)
{
	static const char *const stn[] = { "min", "q1", "median", "q3", "max" };
	char lab[160], buf[BH_NUMBUF + 8];
	struct stats st;
	size_t pi, i, j, k, lw;
	double max;
	int weighted;

	for (pi = 0; pi < h->npanels; pi++) {
		struct panel *p = &h->panels[pi];

		weighted = !BH_UNSET(p->sp->name[4]);
		if (pi > 0)
			hist_put(h, "\n");
		hist_put(h, hist_safe(h, h->title != NULL && h->npanels == 1 &&
		    *h->title != '\0' ? h->title : hist_panel_desc(h, p->sp)));
		hist_put(h, "\n");
		max = 0;
		lw = 1;
		for (k = p->c0; k < p->c1; k++) {
			if (h->cells[k].row != ROW_HIST)
				continue;
			if (hist_wsum_double(&h->cells[k].w) > max)
				max = hist_wsum_double(&h->cells[k].w);
			hist_cell_label(h, lab, sizeof(lab), &h->cells[k]);
			if (strlen(lab) > lw)
				lw = strlen(lab);
		}
		for (i = p->c0; i < p->c1; i = j) {
			j = hist_block_end(h, i);
			if (h->ngcols > 0) {
				for (k = 0; k < h->ngcols; k++) {
					hist_put(h, k > 0 ? " " : "");
					hist_put(h, h->gnames[k]);
					hist_put(h, "=");
					hist_put(h, hist_safe(h,
					    h->gpart[h->cells[i].group][k]));
				}
				hist_put(h, "\n");
			}
			for (k = i; k < j; k++) {
				if (h->cells[k].row != ROW_HIST)
					continue;
				hist_cell_label(h, lab, sizeof(lab),
				    &h->cells[k]);
				snprintf(buf, sizeof(buf), "%*s", (int)(lw + 2 -
				    strlen(lab)), "");
				hist_put(h, buf);
				hist_put(h, hist_safe(h, lab));
				hist_put(h, " ");
				put_bar(h, max > 0 ?
				    hist_wsum_double(&h->cells[k].w) / max : 0);
				hist_put(h, " ");
				hist_fmt_wsum(buf, &h->cells[k].w);
				hist_put(h, buf);
				if (weighted) {
					hist_put(h, " (n ");
					bh_fmt_u64(buf, h->cells[k].n);
					hist_put(h, buf);
					hist_put(h, ")");
				}
				hist_put(h, "\n");
			}
			if (!h->statsmode || p->sp->two)
				continue;
			if (hist_block_stats(p->sp, h->cells + i, j - i,
			    &st) == -1)
				return -1;
			hist_put(h, "  n ");
			bh_fmt_u64(buf, st.n);
			hist_put(h, buf);
			if (weighted) {
				hist_put(h, "  w ");
				hist_fmt_wsum(buf, &st.w);
				hist_put(h, buf);
			}
			for (k = 0; k < 6 && st.have; k++) {
				hist_put(h, k < 5 ? "  " : "  mean ");
				if (k < 5) {
					hist_put(h, stn[k]);
					hist_put(h, " ");
				}
				hist_fmt_num(buf, k < 5 ? st.q[k] : st.mean);
				hist_put(h, buf);
			}
			hist_put(h, "\n");
		}
	}
	return 0;
}
