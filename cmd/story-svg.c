/*
 * story-svg.c - bh-story's timeline (--svg): one panel per episode, one
 * lane per role, a bar per step from its start to its end, the remote
 * party, its hops and RTT beside it, and a line from the step its
 * evidence points to (dashed: time alone).  Time runs on a logarithmic
 * scale from the episode's start, log(1 + t / 1 s), so that the seconds
 * from an exploit to its download and the hour of its C&C both show.
 * The SVG is written by hand, as bh-hist's (SVG 1.1, no script).
 */
#include <math.h>
#include <string.h>

#include "story.h"

#define W		960
#define LEFT		96
#define RIGHT		24
#define LANE		20
#define HEAD		28
#define GAP		18

static const char *const colour[R_COUNT] = {
	"#c0392b", "#8e44ad", "#2471a3", "#d68910", "#566573"
};

/* x of t (us after the start) on the log scale up to span */
static double
xpos(int64_t t, int64_t span)
{
	double a = t > 0 ? log1p((double)t / 1e6) : 0,
	    b = log1p((double)(span > 1000000 ? span : 1000000) / 1e6);

	return LEFT + (W - LEFT - RIGHT) * (a / b);
}

int
story_svg_write(FILE *fp, const struct svg_ep *ep, size_t n, uint64_t more)
{
	static const struct { int64_t us; const char *s; } ticks[] = {
		{ 1000000, "1 s" }, { 10000000, "10 s" }, { 60000000, "1 min" },
		{ 600000000, "10 min" }, { 3600000000LL, "1 h" },
		{ 21600000000LL, "6 h" }, { 86400000000LL, "1 d" }
	};
	const int ph = HEAD + R_COUNT * LANE + GAP;
	int height = 40 + (int)n * ph + (more ? 24 : 0), y0, r;
	size_t i, k, t;

	if (n == 0)
		height = 80;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"10\">\n<rect width=\"100%%\" height=\"100%%\" "
	    "fill=\"white\"/>\n<text x=\"8\" y=\"18\" font-size=\"13\">"
	    "bh-story: the episodes, one lane per role; time since the "
	    "episode's first step, log scale</text>\n", W, height, W, height);
	if (n == 0)
		fputs("<text x=\"8\" y=\"48\">no episode</text>\n", fp);
	for (i = 0; i < n; i++) {
		const struct svg_ep *e = &ep[i];
		int64_t span = 1000000;

		for (k = 0; k < e->nstep; k++)
			if (e->step[k].end - e->start > span)
				span = e->step[k].end - e->start;
		y0 = 40 + (int)i * ph;
		fprintf(fp, "<g>\n<text x=\"8\" y=\"%d\" font-weight=\"bold\">"
		    "episode %llu, host ", y0 + 12, (unsigned long long)e->id);
		bh_xml_str(fp, e->host);
		fprintf(fp, ", %u steps</text>\n", e->nstep);
		for (r = 0; r < R_COUNT; r++) {
			int y = y0 + HEAD + r * LANE;

			fprintf(fp, "<text x=\"8\" y=\"%d\" fill=\"%s\">%s"
			    "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" "
			    "y2=\"%d\" stroke=\"#ddd\"/>\n", y + 4,
			    colour[r], role_names[r], LEFT, y, W - RIGHT, y);
		}
		for (t = 0; t < sizeof(ticks) / sizeof(ticks[0]); t++) {
			double x;

			if (ticks[t].us > span)
				break;
			x = xpos(ticks[t].us, span);
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			    "y2=\"%d\" stroke=\"#eee\"/><text x=\"%.1f\" "
			    "y=\"%d\" fill=\"#888\" text-anchor=\"middle\">%s"
			    "</text>\n", x, y0 + HEAD - 8, x,
			    y0 + HEAD + R_COUNT * LANE - 10, x, y0 + 20,
			    ticks[t].s);
		}
		/* the links first, under the bars */
		for (k = 0; k < e->nstep; k++) {
			const struct svg_step *s = &e->step[k], *v;

			if (s->via == 0 || s->via > e->nstep)
				continue;
			v = &e->step[s->via - 1];
			fprintf(fp, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			    "y2=\"%d\" stroke=\"#444\" stroke-width=\"1\"%s>"
			    "<title>%s</title></line>\n",
			    xpos(v->ts - e->start, span),
			    y0 + HEAD + v->role * LANE,
			    xpos(s->ts - e->start, span),
			    y0 + HEAD + s->role * LANE,
			    s->ev == EV_TIME ? " stroke-dasharray=\"3,3\"" : "",
			    ev_names[s->ev]);
		}
		for (k = 0; k < e->nstep; k++) {
			const struct svg_step *s = &e->step[k];
			double x1 = xpos(s->ts - e->start, span),
			    x2 = xpos(s->end - e->start, span);
			int y = y0 + HEAD + s->role * LANE;

			if (x2 < x1 + 3)
				x2 = x1 + 3;
			fprintf(fp, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			    "height=\"8\" fill=\"%s\"><title>step %zu: %s, ",
			    x1, y - 4, x2 - x1, colour[s->role], k + 1,
			    ev_names[s->ev]);
			bh_xml_str(fp, s->label);
			fputs("</title></rect>\n", fp);
			/* a label for the first steps of a lane only */
			if (k < 24) {
				fprintf(fp, "<text x=\"%.1f\" y=\"%d\" "
				    "fill=\"#333\" font-size=\"8\">", x1 + 2,
				    y - 6);
				bh_xml_str(fp, s->label);
				fprintf(fp, " (%s)</text>\n", ev_names[s->ev]);
			}
		}
		fputs("</g>\n", fp);
	}
	if (more)
		fprintf(fp, "<text x=\"8\" y=\"%d\">%llu more episodes not "
		    "drawn (--svg-max)</text>\n", height - 8,
		    (unsigned long long)more);
	fputs("</svg>\n", fp);
	return ferror(fp) ? -1 : 0;
}
