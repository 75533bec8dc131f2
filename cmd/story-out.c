/*
 * story-out.c - bh-story's records (bh-story(1)): one per step as it is
 * placed, or with -s one per episode when it can take no more steps.
 * A record is laid out in a line buffer of its own and goes to the
 * writer in one copy, not field by field.
 */
#include <limits.h>
#include <string.h>

#include "story.h"

/* A record being laid out; what does not fit goes to the writer first. */
struct line {
	struct story	*s;
	char		*p;
	char		 buf[2048];
};

static void
line_flush(struct line *l)
{
	if (l->p > l->buf)
		bh_wr_raw(&l->s->w, l->buf, (size_t)(l->p - l->buf));
	l->p = l->buf;
}

static void
line_add(struct line *l, const char *v, size_t n)
{
	if (n > (size_t)(l->buf + sizeof(l->buf) - l->p)) {
		line_flush(l);
		if (n > sizeof(l->buf)) {
			bh_wr_raw(&l->s->w, v, n);
			return;
		}
	}
	memcpy(l->p, v, n);
	l->p += n;
}

static void
line_str(struct line *l, const char *v)
{
	line_add(l, v, strlen(v));
}

/* A TAB and the field v: `-' when it is unset or empty. */
static void
line_field(struct line *l, const char *v)
{
	if (v == NULL || *v == '\0')
		v = "-";
	if (l->p < l->buf + sizeof(l->buf))
		*l->p++ = '\t';
	else
		line_add(l, "\t", 1);
	line_str(l, v);
}

static void
line_u(struct line *l, uint64_t v, int tab)
{
	char b[BH_NUMBUF + 1];
	int n;

	b[0] = '\t';
	n = bh_fmt_u64(b + 1, v);
	line_add(l, tab ? b : b + 1, (size_t)n + (tab ? 1 : 0));
}

/* The seconds from a to b, signed; `-' when either is unknown. */
static void
line_secs(struct line *l, int64_t a, int64_t b)
{
	char t[BH_NUMBUF + 1];

	if (a == INT64_MIN || b == INT64_MIN) {
		line_field(l, "-");
		return;
	}
	if (b < a) {
		bh_fmt_usec_s(t + 1, a - b);
		t[0] = '-';
	} else
		bh_fmt_usec_s(t, b - a);
	line_field(l, t);
}

void
story_step_out(struct story *s, uint64_t id, unsigned n,
    const struct step *st, int ev, unsigned via)
{
	struct line l;

	l.s = s;
	l.p = l.buf;
	line_u(&l, id, 0);
	line_field(&l, st->host);
	line_u(&l, n, 1);
	line_field(&l, st->f_ts);
	line_field(&l, role_names[st->role]);
	line_field(&l, st->f_flow);
	line_field(&l, st->rip);
	line_u(&l, st->rport, 1);
	line_field(&l, st->f_app);
	line_field(&l, ev_names[ev]);
	if (via)
		line_u(&l, via, 1);
	else
		line_field(&l, "-");
	if (st->period > 0) {
		char b[BH_NUMBUF];

		line_str(&l, "\tbeacon every ");
		line_add(&l, b, (size_t)bh_fmt_i64(b, st->period / 1000000));
		line_add(&l, "s", 1);
		if (!BH_UNSET(st->f_detail)) {
			line_add(&l, " ", 1);
			line_str(&l, st->f_detail);
		}
	} else
		line_field(&l, st->det2[0] != '\0' && BH_UNSET(st->f_detail) ?
		    st->det2 : st->f_detail);
	line_field(&l, st->f_hops);
	line_field(&l, st->f_rtt);
	line_field(&l, st->f_os);
	line_add(&l, "\n", 1);
	line_flush(&l);
}

void
story_summary_out(struct story *s, const struct episode *e)
{
	const int R[3] = { R_INFECTION, R_DOWNLOAD, R_CNC };
	char end[BH_NUMBUF];
	struct line l;
	int k;

	l.s = s;
	l.p = l.buf;
	line_u(&l, e->id, 0);
	line_field(&l, e->host);
	line_field(&l, e->start_s);
	bh_fmt_usec_s(end, e->last_end);
	line_field(&l, end);
	line_u(&l, e->nstep, 1);
	line_field(&l, e->inf_src);
	line_field(&l, e->inf_app);
	for (k = 0; k < 3; k++) {
		if (R[k] == R_DOWNLOAD) {
			line_field(&l, e->dl_srv);
			line_field(&l, e->dl_files);
		} else if (R[k] == R_CNC) {
			line_field(&l, e->cnc_srv);
			line_field(&l, e->cnc_detail);
		}
		line_field(&l, e->role_hops[R[k]]);
		line_field(&l, e->role_rtt[R[k]]);
		line_field(&l, e->role_os[R[k]]);
	}
	line_secs(&l, e->t_infection, e->t_download);
	line_secs(&l, e->t_infection, e->t_cnc);
	line_u(&l, e->nprop, 1);
	line_field(&l, e->evs);
	line_add(&l, "\n", 1);
	line_flush(&l);
}
