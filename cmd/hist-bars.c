/*
 * hist-bars.c - bh-hist --bars: the histograms as bars of UTF-8 blocks
 * on the terminal.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

/* ---- figures: terminal bars ----------------------------------------- */

#define BARCOLS	40

static void
put_bar(double frac)
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
		put("\xe2\x96\x88");
	put(part[e % 8]);
}

void
cell_label(char *buf, size_t cap, const struct cell *c)
{
	char a[BH_NUMBUF + 8], b[BH_NUMBUF + 8];

	if (c->k2 == CK_NONE)
		snprintf(buf, cap, "%s", coord_str(a, c->k1, c->v1));
	else
		snprintf(buf, cap, "%s, %s", coord_str(a, c->k1, c->v1),
		    coord_str(b, c->k2, c->v2));
}

/*
 * --bars: per histogram a title line, per group a line naming it, per
 * bin its label, a bar of up to 40 columns (eighth blocks; one scale per
 * histogram, so groups compare) and w (and n when weighted); with -S the
 * group's statistics.  UTF-8, on standard output.
 */
void
write_bars(void)
{
	static const char *const stn[] = { "min", "q1", "median", "q3", "max" };
	char lab[160], buf[BH_NUMBUF + 8];
	struct stats st;
	size_t pi, i, j, k, lw;
	double max;
	int weighted;

	for (pi = 0; pi < npanels; pi++) {
		struct panel *p = &panels[pi];

		weighted = !BH_UNSET(p->sp->name[4]);
		if (pi > 0)
			put("\n");
		put(safe(title != NULL && npanels == 1 && *title != '\0' ?
		    title : panel_desc(p->sp)));
		put("\n");
		max = 0;
		lw = 1;
		for (k = p->c0; k < p->c1; k++) {
			if (cells[k].row != ROW_HIST)
				continue;
			if (wsum_double(&cells[k].w) > max)
				max = wsum_double(&cells[k].w);
			cell_label(lab, sizeof(lab), &cells[k]);
			if (strlen(lab) > lw)
				lw = strlen(lab);
		}
		for (i = p->c0; i < p->c1; i = j) {
			j = block_end(i);
			if (ngcols > 0) {
				for (k = 0; k < ngcols; k++) {
					put(k > 0 ? " " : "");
					put(gnames[k]);
					put("=");
					put(safe(gpart[cells[i].group][k]));
				}
				put("\n");
			}
			for (k = i; k < j; k++) {
				if (cells[k].row != ROW_HIST)
					continue;
				cell_label(lab, sizeof(lab), &cells[k]);
				snprintf(buf, sizeof(buf), "%*s", (int)(lw + 2 -
				    strlen(lab)), "");
				put(buf);
				put(safe(lab));
				put(" ");
				put_bar(max > 0 ?
				    wsum_double(&cells[k].w) / max : 0);
				put(" ");
				fmt_wsum(buf, &cells[k].w);
				put(buf);
				if (weighted) {
					put(" (n ");
					bh_fmt_u64(buf, cells[k].n);
					put(buf);
					put(")");
				}
				put("\n");
			}
			if (!statsmode || p->sp->two)
				continue;
			block_stats(p->sp, cells + i, j - i, &st);
			put("  n ");
			bh_fmt_u64(buf, st.n);
			put(buf);
			if (weighted) {
				put("  w ");
				fmt_wsum(buf, &st.w);
				put(buf);
			}
			for (k = 0; k < 6 && st.have; k++) {
				put(k < 5 ? "  " : "  mean ");
				if (k < 5) {
					put(stn[k]);
					put(" ");
				}
				fmt_num(buf, k < 5 ? st.q[k] : st.mean);
				put(buf);
			}
			put("\n");
		}
	}
}

