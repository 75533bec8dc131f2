/*
 * phase-run.c - one run of bh-phase over a record stream: the columns it
 * reads, each record labelled and written at once or held for a link
 * (phase-hold.c), the comments kept in order; the callbacks of
 * bh_rec_loop, so that the tool and its fuzz target run the same code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "phase.h"

static const char *const owned[] = {
	"phase", "app", "rule", "link", "dir", "dir_by",
};

/* Find the columns; start the output (and the pending buffer). */
static int
run_header(void *arg, struct bh_reader *r)
{
	struct phase_run *p = arg;

	phst.col.flow = bh_rec_need(r, "flow");
	phst.col.proto = bh_rec_need(r, "proto");
	phst.col.oip = bh_rec_need(r, "orig_ip");
	phst.col.oport = bh_rec_need(r, "orig_port");
	phst.col.rip = bh_rec_need(r, "resp_ip");
	phst.col.rport = bh_rec_need(r, "resp_port");
	phst.col.ohead = bh_rec_need(r, "orig_head");
	phst.col.rhead = bh_rec_need(r, "resp_head");
	if (phst.col.flow < 0 || phst.col.proto < 0 || phst.col.oip < 0 || phst.col.oport < 0 ||
	    phst.col.rip < 0 || phst.col.rport < 0 || phst.col.ohead < 0 || phst.col.rhead < 0)
		return -1;
	phst.col.ts = bh_rec_col(r, "ts");
	phst.col.dur = bh_rec_col(r, "dur");
	phst.col.dir = bh_rec_col(r, "dir");
	phst.col.obytes = bh_rec_col(r, "orig_bytes");
	phst.col.rbytes = bh_rec_col(r, "resp_bytes");
	phst.col.state = bh_rec_col(r, "state");
	phst.col.oev = bh_rec_col(r, "orig_ev");
	phst.col.rev = bh_rec_col(r, "resp_ev");
	bh_wr_start(&p->w, p->out, r->col, r->ncol, owned, phst.col.dir >= 0 ? 6 : 4);
	if (p->drop) {
		/* The heads are what this filter reads; the later stages
		 * (bh-rtt, bh-ttl, bh-hist) do not, and they are two thirds
		 * of the stream's bytes. */
		bh_wr_drop(&p->w, phst.col.ohead);
		bh_wr_drop(&p->w, phst.col.rhead);
		if (phst.col.oev >= 0)
			bh_wr_drop(&p->w, phst.col.oev);
		if (phst.col.rev >= 0)
			bh_wr_drop(&p->w, phst.col.rev);
	}
	bh_wr_names(&p->w);
	bh_wr_init_mem(&phst.pw, &p->w);
	p->fbuf = xreallocarray(NULL, r->ncol + 1, sizeof(*p->fbuf));
	return 0;
}

static int
run_comment(void *arg, const char *line, size_t len)
{
	struct phase_run *p = arg;

	if (phst.qcount == 0) {
		bh_wr_comment(&p->w, p->out, line, len);
		return 0;
	}
	bh_wr_line(pw_next(), line, len);
	q_release(&p->w, p->fbuf, 0);
	return 0;
}

/*
 * The clock that releases held records: the second latest end among the
 * last CLOCK_RECENT records, when that is later than the clock.  Records
 * come in the order their sessions ended, nearly; one whose end is far
 * ahead of the others (a session emitted late, a bad time stamp, a file
 * out of order) must not release the records behind it before their
 * links came: it takes two records to move the clock.
 */
static void
clock_advance(int64_t end)
{
	int64_t first = INT64_MIN, second = INT64_MIN, e;
	unsigned i, n;

	phst.recent_end[phst.nrecent++ % CLOCK_RECENT] = end;
	n = phst.nrecent < CLOCK_RECENT ? phst.nrecent : CLOCK_RECENT;
	for (i = 0; i < n; i++) {
		e = phst.recent_end[i];
		if (e > first) {
			second = first;
			first = e;
		} else if (e > second)
			second = e;
	}
	if (n < 2)
		return;
	if (!phst.clock_set || second > phst.clock_us) {
		phst.clock_us = second;
		phst.clock_set = 1;
	}
}

static int
run_record(void *arg, struct bh_reader *r)
{
	struct phase_run *p = arg;
	struct rec rc;
	struct slot *s;
	struct ip oip, rip;
	int rule, ctl, data, phase, dirfill, d;
	uint64_t by = 0;

	if (rec_read(r, &rc) == -1)
		return 0;
	if (rc.has_ts)
		clock_advance(rc.end);
	rule = classify(&rc);
	phase = rule >= 0 ? phase_of(rule, rc.dir) : 0;
	dirfill = rule >= 0 ? dirfill_of(rule, rc.dir) : -1;
	ctl = link_role(rule, &rc, &data);
	/* A session that may be a data connection is placed when it is
	 * written: its link, if it gets one, says more than its label. */
	if (rc.dir == D_UNSET && !data) {
		parse_ip(r->f[phst.col.oip], &oip);
		parse_ip(r->f[phst.col.rip], &rip);
		if ((d = hosts_dir(&oip, &rip, rule, r->f[phst.col.flow],
		    &by)) >= 0) {
			dirfill = d;
			if (rule >= 0)
				phase = phase_of(rule, d);
		}
	}
	if (ctl == LK_NONE && !data) {
		write_fields(phst.qcount == 0 ? &p->w : pw_next(), r->f, rule,
		    phase, dirfill, by, NULL);
		if (phst.qcount > 0)
			q_release(&p->w, p->fbuf, 0);
		return 0;
	}
	s = hold_record(r, &rc, rule, ctl != LK_NONE || data);
	s->phase = phase;
	s->dirfill = dirfill;
	s->dir_pending = data && rc.dir == D_UNSET;
	s->dir_by = by;
	s->data = data;
	s->ctl = ctl != LK_NONE;
	if (data)
		link_data(s);
	if (ctl != LK_NONE)
		add_control(s, ctl, &rc);
	q_release(&p->w, p->fbuf, 0);
	return 0;
}

void
phase_loop(struct phase_run *p, struct bh_loop *l)
{
	l->header = run_header;
	l->record = run_record;
	l->comment = run_comment;
	l->arg = p;
}

void
phase_end(struct phase_run *p)
{
	int i;

	if (p->fbuf != NULL)
		q_release(&p->w, p->fbuf, 1);
	bh_wr_free(&phst.pw);
	bh_wr_free(&p->w);
	q_free();
	free(p->fbuf);
	p->fbuf = NULL;
	hosts_summary();
	hosts_free();
	for (i = 0; i < 2; i++) {
		free(phst.ev_buf[i]);
		free(phst.ev_lower[i]);
		phst.ev_buf[i] = phst.ev_lower[i] = NULL;
		phst.ev_cap[i] = 0;
	}
	free(phst.bigrams);
	free(phst.bigrams_gen);
	phst.bigrams = NULL;
	phst.bigrams_gen = NULL;
}

void
phase_reset(void)
{
	static const struct phase_state start = PHASE_STATE_INIT;

	rules_free();
	phst = start;
}
