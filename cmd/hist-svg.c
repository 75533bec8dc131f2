/*
 * hist-svg.c - bh-hist --svg: the histograms as an SVG figure (bars for
 * one key, bubbles for two).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

#define FIG_W		640.0
#define PLOT_X0		78.0
#define PLOT_X1		618.0
#define PLOT_H		250.0
#define FONT		"Helvetica, Arial, 'Liberation Sans', " \
			"'DejaVu Sans', sans-serif"

/* Width of s in a sans-serif face at size px, for layout only: average
 * advance widths (em) of Helvetica and DejaVu Sans by class of glyph. */
static double
text_w(const char *s, double size)
{
	double em = 0;

	for (; *s != '\0'; s++) {
		if (strchr("iljtfrI.,:;'|!()[]- ", *s) != NULL)
			em += 0.32;
		else if (strchr("mwMW@", *s) != NULL)
			em += 0.88;
		else if (*s >= 'A' && *s <= 'Z')
			em += 0.68;
		else
			em += 0.57;
	}
	return em * size;
}

static void
text_at(FILE *f, double x, double y, const char *anchor, double size,
    const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\"%s%s%s%s>",
	    x, y, size, anchor != NULL ? " text-anchor=\"" : "",
	    anchor != NULL ? anchor : "", anchor != NULL ? "\"" : "",
	    extra != NULL ? extra : "");
	bh_xml_str(f, s);
	fputs("</text>\n", f);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about
 * target ticks over span. */
static double
nice_step(double span, int target)
{
	double raw, mag, fr;

	if (!(span > 0))
		return 1;
	raw = span / target;
	mag = pow(10, floor(log10(raw)));
	fr = raw / mag;
	return (fr < 1.5 ? 1 : fr < 3.5 ? 2 : fr < 7.5 ? 5 : 10) * mag;
}

static void
fmt_tick(char *buf, size_t cap, double x, double step)
{
	int dec = 0;
	double l = floor(log10(step) + 1e-9);

	if (l < 0)
		dec = (int)-l;
	if (dec > 6)
		dec = 6;
	snprintf(buf, cap, "%.*f", dec, x);
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
}

/*
 * An axis of bins: numeric (a linear scale over the bins' extents) when
 * every bin but "-" is a number, else categorical (one band per bin in
 * output order, "-" included).  On a numeric axis a bin of width w spans
 * [lo, lo + w); a value of a key without width spans +-res/2 around it,
 * res being the finest decimal step its values use (1 for integers).
 */
struct axis {
	int		 numeric;
	double		 lo, hi;
	struct coord	*cat;
	size_t		 ncat;
	double		 p0, p1;	/* pixels of lo and hi / first, last edge */
	int64_t		 width, res;
};

static int
coordp_cmp(const void *pa, const void *pb)
{
	const struct coord *a = pa, *b = pb;

	/* as the cells are sorted: texts bytewise (s is set) */
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	if (a->k == CK_TEXT)
		return strcmp(a->s, b->s);
	if (a->k != CK_NUM)
		return 0;
	return a->v < b->v ? -1 : a->v > b->v;
}

/* Build an axis from the n coordinates c (sorted and made unique here). */
static void
axis_build(struct axis *a, struct coord *c, size_t n, int64_t width)
{
	size_t i, u = 0, nnum = 0, ntext = 0;
	double lo, hi;

	memset(a, 0, sizeof(*a));
	qsort(c, n, sizeof(*c), coordp_cmp);
	for (i = 0; i < n; i++)
		if (u == 0 || coordp_cmp(&c[u - 1], &c[i]) != 0)
			c[u++] = c[i];
	for (i = 0; i < u; i++) {
		nnum += c[i].k == CK_NUM;
		ntext += c[i].k == CK_TEXT;
	}
	a->cat = c;
	a->ncat = u;
	a->width = width;
	a->numeric = nnum > 0 && ntext == 0;
	if (!a->numeric)
		return;
	a->res = MICRO;
	for (i = 0; i < u && width == 0; i++)
		while (c[i].k == CK_NUM && a->res > 1 && c[i].v % a->res != 0)
			a->res /= 10;
	a->lo = HUGE_VAL;
	a->hi = -HUGE_VAL;
	for (i = 0; i < u; i++) {
		if (c[i].k != CK_NUM)
			continue;
		if (width > 0) {
			lo = (double)c[i].v / MICRO;
			hi = (double)(c[i].v + width) / MICRO;
		} else {
			lo = ((double)c[i].v - (double)a->res / 2) / MICRO;
			hi = ((double)c[i].v + (double)a->res / 2) / MICRO;
		}
		if (lo < a->lo)
			a->lo = lo;
		if (hi > a->hi)
			a->hi = hi;
	}
}

static double
axis_px(const struct axis *a, double x)
{
	return a->p0 + (x - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/* Pixel extent of bin v on a numeric axis. */
static void
axis_bin(const struct axis *a, int64_t v, double *pa, double *pb)
{
	if (a->width > 0) {
		*pa = axis_px(a, (double)v / MICRO);
		*pb = axis_px(a, (double)(v + a->width) / MICRO);
	} else {
		*pa = axis_px(a, ((double)v - (double)a->res / 2) / MICRO);
		*pb = axis_px(a, ((double)v + (double)a->res / 2) / MICRO);
	}
}

/* Band index of c on a categorical axis. */
static size_t
axis_band(struct hist *h, const struct axis *a, int k, int64_t v)
{
	struct coord key = { v, k, NULL }, *c;

	if (k == CK_TEXT)
		key.s = h->texts.s[v];
	c = bsearch(&key, a->cat, a->ncat, sizeof(key), coordp_cmp);
	return c != NULL ? (size_t)(c - a->cat) : 0;
}

static double
band_px(const struct axis *a, double i)
{
	return a->p0 + i / (double)a->ncat * (a->p1 - a->p0);
}

/* Whether a categorical x axis needs its labels turned, and the height
 * they take below the axis. */
static double
xcat_height(struct hist *h, const struct axis *a, int *rotate)
{
	char buf[BH_NUMBUF + 8];
	double maxw = 0, w, band;
	size_t i;

	*rotate = 0;
	if (a->numeric)
		return 20;
	band = (PLOT_X1 - PLOT_X0) / (double)a->ncat;
	for (i = 0; i < a->ncat; i++) {
		w = text_w(hist_coord_str(h, buf, a->cat[i].k, a->cat[i].v),
		    11);
		if (w > maxw)
			maxw = w;
	}
	if (maxw > 160)
		maxw = 160;
	if (maxw + 6 <= band)
		return 20;
	*rotate = 1;
	return 14 + maxw * 0.71;
}

/* Ticks, tick labels and the axis line of a horizontal axis at y. */
static void
draw_xaxis(struct hist *h, FILE *f, const struct axis *a, double y, int rotate)
{
	char buf[BH_NUMBUF + 8], lab[64];
	double step, t, x;
	long k, k0, k1;
	size_t i, every;

	fputs("<g class=\"axis x\" stroke=\"#333\" stroke-width=\"1\">\n", f);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
	    PLOT_X0, y, PLOT_X1, y);
	if (a->numeric) {
		step = nice_step(a->hi - a->lo, 7);
		k0 = (long)ceil(a->lo / step - 1e-9);
		k1 = (long)floor(a->hi / step + 1e-9);
		for (k = k0; k <= k1 && k - k0 < 60; k++) {
			t = (double)k * step;
			x = axis_px(a, t);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\"/>\n", x, y, x, y + 5);
			fmt_tick(buf, sizeof(buf), t, step);
			text_at(f, x, y + 17, "middle", 11,
			    " stroke=\"none\" fill=\"#222\"", buf);
		}
		fputs("</g>\n", f);
		return;
	}
	/* Turned labels need about 18 px from one to the next. */
	every = 1;
	if (rotate && (PLOT_X1 - PLOT_X0) / (double)a->ncat < 18)
		every = (size_t)ceil(18 / ((PLOT_X1 - PLOT_X0) /
		    (double)a->ncat));
	for (i = 0; i < a->ncat; i++) {
		if (i % every != 0)
			continue;
		x = band_px(a, (double)i + 0.5);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", x, y, x, y + 4);
		snprintf(lab, sizeof(lab), "%s",
		    hist_coord_str(h, buf, a->cat[i].k, a->cat[i].v));
		if (strlen(lab) > 28)
			memcpy(lab + 25, "...", 4);
		if (rotate) {
			char tr[96];

			snprintf(tr, sizeof(tr), " stroke=\"none\" "
			    "fill=\"#222\" transform=\"rotate(-45 %.1f %.1f)\"",
			    x, y + 12);
			text_at(f, x + 3, y + 12, "end", 11, tr, lab);
		} else
			text_at(f, x, y + 17, "middle", 11,
			    " stroke=\"none\" fill=\"#222\"", lab);
	}
	fputs("</g>\n", f);
}

/* A vertical axis at PLOT_X0 with horizontal grid lines; a numeric value
 * axis (lo = 0) gets integer ticks when integral is set. */
static void
draw_yaxis(struct hist *h, FILE *f, const struct axis *a, int integral)
{
	char buf[BH_NUMBUF + 8], lab[64];
	double step = 1, t, y;
	long k, k0 = 0, k1 = -1;
	size_t i, every;

	fputs("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"0.8\">\n",
	    f);
	if (a->numeric) {
		step = nice_step(a->hi - a->lo, 5);
		if (integral && step < 1)
			step = 1;
		k0 = (long)ceil(a->lo / step - 1e-9);
		k1 = (long)floor(a->hi / step + 1e-9);
		for (k = k0; k <= k1 && k - k0 < 60; k++) {
			y = axis_px(a, (double)k * step);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\"/>\n", PLOT_X0, y, PLOT_X1, y);
		}
	}
	fputs("</g>\n", f);
	fputs("<g class=\"axis y\" stroke=\"#333\" stroke-width=\"1\">\n", f);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
	    PLOT_X0, a->p0, PLOT_X0, a->p1);
	if (a->numeric) {
		for (k = k0; k <= k1 && k - k0 < 60; k++) {
			t = (double)k * step;
			y = axis_px(a, t);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\"/>\n", PLOT_X0 - 5, y, PLOT_X0, y);
			fmt_tick(buf, sizeof(buf), t, step);
			text_at(f, PLOT_X0 - 8, y + 4, "end", 11,
			    " stroke=\"none\" fill=\"#222\"", buf);
		}
		fputs("</g>\n", f);
		return;
	}
	every = 1;
	if (fabs(a->p1 - a->p0) / (double)a->ncat < 13)
		every = (size_t)ceil(13 / (fabs(a->p1 - a->p0) /
		    (double)a->ncat));
	for (i = 0; i < a->ncat; i++) {
		if (i % every != 0)
			continue;
		y = band_px(a, (double)i + 0.5);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", PLOT_X0 - 4, y, PLOT_X0, y);
		snprintf(lab, sizeof(lab), "%s",
		    hist_coord_str(h, buf, a->cat[i].k, a->cat[i].v));
		if (strlen(lab) > 10)
			memcpy(lab + 7, "...", 4);
		text_at(f, PLOT_X0 - 7, y + 4, "end", 11,
		    " stroke=\"none\" fill=\"#222\"", lab);
	}
	fputs("</g>\n", f);
}

/* Legend: the group column names, then a swatch and label per group,
 * wrapped to the plot width, from y on.  Returns the y below it. */
static double
draw_legend(struct hist *h, FILE *f, const struct panel *p, double y,
    int circles)
{
	char names[256];
	double x = PLOT_X0, w;
	size_t i, n = 0;

	if (h->ngcols == 0)
		return y;
	names[0] = '\0';
	for (i = 0; i < h->ngcols; i++)
		n += (size_t)snprintf(names + n, n < sizeof(names) ?
		    sizeof(names) - n : 0, "%s%s", i > 0 ? ", " : "",
		    h->gnames[i]);
	if (f != NULL) {
		fputs("<g class=\"legend\">\n", f);
		text_at(f, x, y + 11, NULL, 12, " fill=\"#555\"", names);
	}
	x += text_w(names, 12) + 12;
	for (i = 0; i < p->ngrp; i++) {
		const char *lab = hist_group_label(h, p->grp[i]);

		w = 16 + text_w(lab, 12) + 14;
		if (x + w > PLOT_X1 && x > PLOT_X0 + 1) {
			x = PLOT_X0;
			y += 18;
		}
		if (f != NULL) {
			if (circles)
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" "
				    "r=\"5.5\" fill=\"%s\" fill-opacity=\"0.6\" "
				    "stroke=\"%s\"/>\n", x + 6, y + 7,
				    hist_colour_of(h, p->grp[i]),
				    hist_colour_of(h, p->grp[i]));
			else
				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" "
				    "width=\"12\" height=\"12\" fill=\"%s\"/>\n",
				    x, y + 1, hist_colour_of(h, p->grp[i]));
			text_at(f, x + 16, y + 11, NULL, 12, NULL, lab);
		}
		x += w;
	}
	if (f != NULL)
		fputs("</g>\n", f);
	return y + 22;
}

/* "not set (-): cnc 3, download 1": the weight a numeric axis cannot
 * show (records whose key is "-"), per group. */
static void
draw_unset_note(struct hist *h, FILE *f, const struct panel *p,
    const double *unset, double y)
{
	char buf[2048], num[BH_NUMBUF + 8];
	size_t i, n;

	n = (size_t)snprintf(buf, sizeof(buf), "not set (-):");
	for (i = 0; i < p->ngrp && n < sizeof(buf); i++) {
		if (unset[i] == 0)
			continue;
		fmt_tick(num, sizeof(num), unset[i], unset[i] ==
		    floor(unset[i]) ? 1 : 0.000001);
		if (h->ngcols > 0)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "%s %s %s", n > 13 ? "," : "",
			    hist_group_label(h, p->grp[i]), num);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    " %s", num);
	}
	text_at(f, PLOT_X0, y, NULL, 11, " fill=\"#555\" class=\"note\"", buf);
}

static size_t
group_index(const struct panel *p, uint32_t g)
{
	size_t i;

	for (i = 0; i < p->ngrp; i++)
		if (p->grp[i] == g)
			return i;
	return 0;
}

/* The y axis label, turned, centred on ymid; lab NULL: "sum of WEIGHT". */
static void
draw_ylabel(FILE *f, double ymid, const char *lab, const char *weight)
{
	fprintf(f, "<text class=\"ylabel\" x=\"20\" y=\"%.1f\" "
	    "font-size=\"13\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 20 %.1f)\">", ymid, ymid);
	if (lab != NULL)
		bh_xml_str(f, lab);
	else {
		bh_xml_str(f, "sum of ");
		bh_xml_str(f, weight);
	}
	fputs("</text>\n", f);
}

static void
bar_rect(struct hist *h, FILE *f, double x0, double x1, double y0, double y1,
    const struct panel *p, const struct cell *c)
{
	char lab[160], num[BH_NUMBUF + 8];
	double w = x1 - x0;

	if (w < 1.2) {
		x0 -= (1.2 - w) / 2;
		w = 1.2;
	}
	fprintf(f, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	    "height=\"%.2f\"><title>", x0, y1, w, y0 - y1);
	if (h->ngcols > 0) {
		bh_xml_str(f, hist_group_label(h, c->group));
		fputs(": ", f);
	}
	hist_cell_label(h, lab, sizeof(lab), c);
	bh_xml_str(f, p->sp->name[0]);
	fputs(" ", f);
	bh_xml_str(f, lab);
	hist_fmt_wsum(num, &c->w);
	fprintf(f, ", w %s", num);
	bh_fmt_u64(num, c->n);
	fprintf(f, ", n %s</title></rect>\n", num);
}

/*
 * A 1-D histogram: bars of height w per bin, one bar per group side by side
 * within the bin (or stacked), one colour per group; "-" in a note.
 */
static double
draw_hist(struct hist *h, FILE *f, const struct panel *p, double y)
{
	struct axis ax, ay;
	struct coord *cs;
	double *unset, *stack, ymax = 0, x0, x1, ya, yb, v, xh, sub, xlab_h;
	double minw = 0, gap, pa, pb;
	size_t i, k, n = 0, ng = p->ngrp, b, gi, *nin, *slot;
	int rotate, integral = 1, apart;
	const char *xl;
	char xbuf[512];

	cs = xreallocarray(NULL, p->c1 - p->c0 + 1, sizeof(*cs));
	unset = xcalloc(ng + 1, sizeof(*unset));
	for (k = p->c0; k < p->c1; k++) {
		if (h->cells[k].row != ROW_HIST)
			continue;
		cs[n].k = h->cells[k].k1;
		cs[n].v = h->cells[k].v1;
		cs[n++].s = h->cells[k].k1 == CK_TEXT ?
		    h->texts.s[h->cells[k].v1] : NULL;
		if (h->cells[k].w.frac != 0)
			integral = 0;
	}
	axis_build(&ax, cs, n, p->sp->width[0]);
	stack = xcalloc(ax.ncat + 1, sizeof(*stack));
	nin = xcalloc(ax.ncat + 1, sizeof(*nin));
	slot = xcalloc(p->c1 - p->c0 + 1, sizeof(*slot));
	for (k = p->c0; k < p->c1; k++) {
		if (h->cells[k].row != ROW_HIST)
			continue;
		v = hist_wsum_double(&h->cells[k].w);
		if (ax.numeric && h->cells[k].k1 == CK_UNSET) {
			unset[group_index(p, h->cells[k].group)] += v;
			continue;
		}
		b = axis_band(h, &ax, h->cells[k].k1, h->cells[k].v1);
		/* Side by side, a bin is shared by the groups that have
		 * weight in it (cells come group by group, in order). */
		if (v > 0)
			slot[k - p->c0] = nin[b]++;
		stack[b] += v;
		if ((h->stacked ? stack[b] : v) > ymax)
			ymax = h->stacked ? stack[b] : v;
	}
	if (ax.numeric) {
		xh = (ax.hi - ax.lo) * 0.02;
		ax.lo -= xh;
		ax.hi += xh;
	}
	ax.p0 = PLOT_X0;
	ax.p1 = PLOT_X1;
	/*
	 * A bar of a key without width stands for one value, not an
	 * interval: make it at least 8 px wide where its neighbours leave
	 * room (at most 80 % of the gap to the nearest one), so that sparse
	 * values stay visible.
	 */
	if (ax.numeric && ax.width == 0) {
		minw = 8;
		for (i = 1; i < ax.ncat && ax.cat[i].k == CK_NUM; i++) {
			gap = axis_px(&ax, (double)ax.cat[i].v / MICRO) -
			    axis_px(&ax, (double)ax.cat[i - 1].v / MICRO);
			if (gap * 0.8 < minw)
				minw = gap * 0.8;
		}
	}
	/*
	 * Bins 6 px wide or more keep 15 % free (7.5 % each side) where
	 * touching bars would merge into one block: a bar per value (not an
	 * interval), or groups side by side (a group's bar at the right of
	 * one bin and the same group's alone in the next).  A histogram of
	 * one group, or stacked, keeps its intervals touching.
	 */
	apart = ax.numeric && (ax.width == 0 || (ng > 1 && !h->stacked));
	memset(&ay, 0, sizeof(ay));
	ay.numeric = 1;
	ay.lo = 0;
	/* a little headroom, so that the highest bar does not touch the top */
	ymax = ymax > 0 ? ymax * 1.03 : 1;
	sub = nice_step(ymax, 5);
	if (integral && sub < 1)
		sub = 1;
	ay.hi = ceil(ymax / sub - 1e-9) * sub;
	y = draw_legend(h, f, p, y, 0);
	ay.p0 = y + PLOT_H;
	ay.p1 = y + 6;
	draw_yaxis(h, f, &ay, integral);
	memset(stack, 0, (ax.ncat + 1) * sizeof(*stack));
	for (gi = 0; gi < ng; gi++) {
		fprintf(f, "<g class=\"series\" data-group=\"");
		bh_xml_str(f, hist_group_label(h, p->grp[gi]));
		fprintf(f, "\" fill=\"%s\" shape-rendering=\"crispEdges\">\n",
		    hist_colour_of(h, p->grp[gi]));
		for (k = p->c0; k < p->c1; k++) {
			const struct cell *c = &h->cells[k];

			if (c->row != ROW_HIST || c->group != p->grp[gi] ||
			    (ax.numeric && c->k1 == CK_UNSET))
				continue;
			b = axis_band(h, &ax, c->k1, c->v1);
			if (ax.numeric) {
				axis_bin(&ax, c->v1, &x0, &x1);
				if (apart && x1 - x0 >= 6) {
					gap = (x1 - x0) * 0.075;
					x0 += gap;
					x1 -= gap;
				}
				if (x1 - x0 < minw) {
					pa = (x0 + x1 - minw) / 2;
					pb = pa + minw;
					x0 = pa;
					x1 = pb;
				}
			} else {
				x0 = band_px(&ax, (double)b + 0.1);
				x1 = band_px(&ax, (double)b + 0.9);
			}
			if (!h->stacked && nin[b] > 1) {
				double wd = (x1 - x0) / (double)nin[b];

				x0 += wd * (double)slot[k - p->c0];
				x1 = x0 + wd;
			}
			v = hist_wsum_double(&c->w);
			ya = axis_px(&ay, h->stacked ? stack[b] : 0);
			yb = axis_px(&ay, (h->stacked ? stack[b] : 0) + v);
			stack[b] += v;
			if (v > 0)
				bar_rect(h, f, x0, x1, ya, yb, p, c);
		}
		fputs("</g>\n", f);
	}
	xlab_h = xcat_height(h, &ax, &rotate);
	draw_xaxis(h, f, &ax, ay.p0, rotate);
	y = ay.p0;
	xl = h->xlabel != NULL ? h->xlabel : p->sp->name[0];
	if (h->xlabel == NULL && p->sp->width[0] > 0) {
		snprintf(xbuf, sizeof(xbuf), "%s (bins of %s)", xl,
		    p->sp->name[1]);
		xl = xbuf;
	}
	text_at(f, (PLOT_X0 + PLOT_X1) / 2, y + xlab_h + 18, "middle", 13,
	    " class=\"xlabel\"", xl);
	y += xlab_h + 22;
	draw_ylabel(f, ay.p1 + (ay.p0 - ay.p1) / 2, h->ylabel != NULL ?
	    h->ylabel : BH_UNSET(p->sp->name[4]) ? "records" : NULL,
	    p->sp->name[4]);
	for (i = 0; i < ng; i++)
		if (unset[i] != 0) {
			draw_unset_note(h, f, p, unset, y + 16);
			y += 18;
			break;
		}
	free(cs);
	free(stack);
	free(nin);
	free(slot);
	free(unset);
	return y + 10;
}

#define RMAX	11.0
#define RMIN	1.8

/* Centre of bin v on axis a (numeric or categorical). */
static double
axis_centre(struct hist *h, const struct axis *a, int k, int64_t v)
{
	double pa, pb;

	if (!a->numeric)
		return band_px(a, (double)axis_band(h, a, k, v) + 0.5);
	axis_bin(a, v, &pa, &pb);
	return (pa + pb) / 2;
}

static void
axis_pad(struct axis *a, double frac)
{
	double pad;

	if (!a->numeric)
		return;
	pad = (a->hi - a->lo) * frac;
	a->lo -= pad;
	a->hi += pad;
}

/* An axis label with its bin width when it has one. */
static const char *
axis_label(char *buf, size_t cap, const char *given, const char *key,
    const char *width)
{
	if (given != NULL)
		return given;
	if (BH_UNSET(width))
		return key;
	snprintf(buf, cap, "%s (bins of %s)", key, width);
	return buf;
}

/*
 * A 2-D histogram as a bubble scatter: a circle per (bin, bin2, group) at
 * the bins' centres, its area proportional to w, one colour per group,
 * translucent so that overlaps show.  Cells with "-" on either key go to
 * a note.
 */
static double
draw_scatter(struct hist *h, FILE *f, const struct panel *p, double y)
{
	struct axis ax, ay;
	struct coord *cx, *cy;
	double *unset, wmax = 0, v, r, xlab_h;
	size_t k, n = 0, gi, ng = p->ngrp;
	int rotate, anyunset = 0;
	char xb[512], yb[512], num[BH_NUMBUF + 8], lab[160], note[600];

	cx = xreallocarray(NULL, p->c1 - p->c0 + 1, sizeof(*cx));
	cy = xreallocarray(NULL, p->c1 - p->c0 + 1, sizeof(*cy));
	unset = xcalloc(ng + 1, sizeof(*unset));
	for (k = p->c0; k < p->c1; k++) {
		const struct cell *c = &h->cells[k];

		if (c->row != ROW_HIST)
			continue;
		v = hist_wsum_double(&c->w);
		if (c->k1 == CK_UNSET || c->k2 == CK_UNSET) {
			unset[group_index(p, c->group)] += v;
			anyunset = 1;
			continue;
		}
		cx[n].k = c->k1;
		cx[n].v = c->v1;
		cy[n].k = c->k2;
		cy[n].v = c->v2;
		cx[n].s = c->k1 == CK_TEXT ? h->texts.s[c->v1] : NULL;
		cy[n].s = c->k2 == CK_TEXT ? h->texts.s[c->v2] : NULL;
		n++;
		if (v > wmax)
			wmax = v;
	}
	axis_build(&ax, cx, n, p->sp->width[0]);
	axis_build(&ay, cy, n, p->sp->width[1]);
	if (n == 0) {
		ax.numeric = ay.numeric = 1;
		ax.lo = ay.lo = 0;
		ax.hi = ay.hi = 1;
	}
	axis_pad(&ax, 0.04);
	axis_pad(&ay, 0.06);
	y = draw_legend(h, f, p, y, 1);
	ax.p0 = PLOT_X0;
	ax.p1 = PLOT_X1;
	/* y runs up; categorical bands from the bottom, in output order */
	ay.p0 = y + PLOT_H;
	ay.p1 = y + 6;
	draw_yaxis(h, f, &ay, 0);
	for (gi = 0; gi < ng; gi++) {
		fprintf(f, "<g class=\"series\" data-group=\"");
		bh_xml_str(f, hist_group_label(h, p->grp[gi]));
		fprintf(f, "\" fill=\"%s\" fill-opacity=\"0.55\" stroke=\"%s\" "
		    "stroke-width=\"0.9\">\n", hist_colour_of(h, p->grp[gi]),
		    hist_colour_of(h, p->grp[gi]));
		for (k = p->c0; k < p->c1; k++) {
			const struct cell *c = &h->cells[k];

			if (c->row != ROW_HIST || c->group != p->grp[gi] ||
			    c->k1 == CK_UNSET || c->k2 == CK_UNSET)
				continue;
			v = hist_wsum_double(&c->w);
			if (v <= 0)
				continue;
			r = RMAX * sqrt(v / wmax);
			if (r < RMIN)
				r = RMIN;
			fprintf(f, "<circle class=\"point\" cx=\"%.2f\" "
			    "cy=\"%.2f\" r=\"%.2f\"><title>",
			    axis_centre(h, &ax, c->k1, c->v1),
			    axis_centre(h, &ay, c->k2, c->v2), r);
			if (h->ngcols > 0) {
				bh_xml_str(f, hist_group_label(h, c->group));
				fputs(": ", f);
			}
			hist_cell_label(h, lab, sizeof(lab), c);
			bh_xml_str(f, lab);
			hist_fmt_wsum(num, &c->w);
			fprintf(f, ", w %s", num);
			bh_fmt_u64(num, c->n);
			fprintf(f, ", n %s</title></circle>\n", num);
		}
		fputs("</g>\n", f);
	}
	xlab_h = xcat_height(h, &ax, &rotate);
	draw_xaxis(h, f, &ax, ay.p0, rotate);
	y = ay.p0;
	text_at(f, (PLOT_X0 + PLOT_X1) / 2, y + xlab_h + 18, "middle", 13,
	    " class=\"xlabel\"", axis_label(xb, sizeof(xb), h->xlabel,
	    p->sp->name[0], p->sp->name[1]));
	y += xlab_h + 22;
	draw_ylabel(f, ay.p1 + (ay.p0 - ay.p1) / 2, axis_label(yb, sizeof(yb),
	    h->ylabel, p->sp->name[2], p->sp->name[3]), NULL);
	fmt_tick(num, sizeof(num), wmax, wmax == floor(wmax) ? 1 : 0.000001);
	snprintf(note, sizeof(note), "circle area: %s%s (largest %s)",
	    BH_UNSET(p->sp->name[4]) ? "records" : "sum of ",
	    BH_UNSET(p->sp->name[4]) ? "" : p->sp->name[4], num);
	text_at(f, PLOT_X0, y + 16, NULL, 11, " fill=\"#555\" class=\"note\"",
	    note);
	y += 18;
	if (anyunset) {
		draw_unset_note(h, f, p, unset, y + 16);
		y += 18;
	}
	free(cx);
	free(cy);
	free(unset);
	return y + 10;
}

/*
 * --svg: one panel per histogram, stacked vertically, each drawn into
 * memory at y = 0 and placed with a translate, so the figure's height is
 * known before its header is written.  Self-contained: no scripts, no
 * external fonts or images; sans-serif text, white background.  To the
 * file path, or h->fp for "-".  Returns 0, or -1 after reporting a
 * failure to write.
 */
int
hist_svg_write(struct hist *h, const char *path)
{
	FILE *f = NULL, **mem;
	char **buf;
	size_t *len, i;
	double *hgt, y, total;
	const char *ttl;
	int tofile = strcmp(path, "-") != 0, rc = -1;

	mem = xcalloc(h->npanels + 1, sizeof(*mem));
	buf = xcalloc(h->npanels + 1, sizeof(*buf));
	len = xcalloc(h->npanels + 1, sizeof(*len));
	hgt = xcalloc(h->npanels + 1, sizeof(*hgt));
	ttl = h->title != NULL ? h->title : h->npanels == 1 ?
	    hist_panel_desc(h, h->panels[0].sp) : "";
	total = *ttl != '\0' ? 34 : 8;
	for (i = 0; i < h->npanels; i++) {
		const struct panel *p = &h->panels[i];

		if ((mem[i] = open_memstream(&buf[i], &len[i])) == NULL) {
			bh_warn("open_memstream");
			goto done;
		}
		y = 4;
		if (h->npanels > 1) {
			text_at(mem[i], PLOT_X0, y + 14, NULL, 13,
			    " font-weight=\"bold\" class=\"subtitle\"",
			    hist_panel_desc(h, p->sp));
			y += 24;
		}
		hist_colour_check(h, p);
		y = p->sp->two ? draw_scatter(h, mem[i], p, y) :
		    draw_hist(h, mem[i], p, y);
		if (fclose(mem[i]) != 0) {
			mem[i] = NULL;
			bh_warn("open_memstream");
			goto done;
		}
		mem[i] = NULL;
		hgt[i] = y;
		total += y;
	}
	if (h->npanels == 0)
		total += 80;
	if (!tofile)
		f = h->fp;
	else if ((f = fopen(path, "w")) == NULL) {
		bh_warn("%s", path);
		goto done;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"%s\" fill=\"#222\">\n", FIG_W, ceil(total), FIG_W,
	    ceil(total), FONT);
	fputs("<title>", f);
	bh_xml_str(f, *ttl != '\0' ? ttl : "bh-hist");
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
	    FIG_W, ceil(total));
	y = 8;
	if (*ttl != '\0') {
		text_at(f, FIG_W / 2, 24, "middle", 15,
		    " font-weight=\"bold\" class=\"title\"", ttl);
		y = 34;
	}
	if (h->npanels == 0)
		text_at(f, FIG_W / 2, y + 40, "middle", 13, " fill=\"#555\"",
		    "no data");
	for (i = 0; i < h->npanels; i++) {
		fprintf(f, "<g class=\"panel\" data-key=\"");
		bh_xml_str(f, h->panels[i].sp->name[0]);
		if (h->panels[i].sp->two) {
			fputs(",", f);
			bh_xml_str(f, h->panels[i].sp->name[2]);
		}
		fprintf(f, "\" transform=\"translate(0 %.1f)\">\n", y);
		fwrite(buf[i], 1, len[i], f);
		fputs("</g>\n", f);
		y += hgt[i];
	}
	fputs("</svg>\n", f);
	if (tofile) {
		if (ferror(f) | fclose(f))
			bh_warn("%s", path);
		else
			rc = 0;
	} else if (fflush(f) != 0 || ferror(f))
		bh_warn("write error on standard output");
	else
		rc = 0;
done:
	for (i = 0; i < h->npanels; i++) {
		if (mem[i] != NULL)
			fclose(mem[i]);
		free(buf[i]);
	}
	free(mem);
	free(buf);
	free(len);
	free(hgt);
	return rc;
}
