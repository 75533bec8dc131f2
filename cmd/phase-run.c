/*
 * phase-run.c - one run of bh-phase over a record stream: the columns it
 * reads, each record labelled and written at once or held for a link
 * (phase-hold.c), the comments kept in order; the callbacks of
 * bh_rec_loop, so that the tool and its fuzz target run the same code.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "phase.h"

static const char *const owned[] = {
	"phase", "app", "rule", "link", "dir",
};

/* Find the columns; start the output (and the pending buffer). */
static int
run_header(void *arg, struct bh_reader *r)
{
	struct phase_run *p = arg;

	col.flow = bh_rec_need(r, "flow");
	col.proto = bh_rec_need(r, "proto");
	col.oip = bh_rec_need(r, "orig_ip");
	col.oport = bh_rec_need(r, "orig_port");
	col.rip = bh_rec_need(r, "resp_ip");
	col.rport = bh_rec_need(r, "resp_port");
	col.ohead = bh_rec_need(r, "orig_head");
	col.rhead = bh_rec_need(r, "resp_head");
	if (col.flow < 0 || col.proto < 0 || col.oip < 0 || col.oport < 0 ||
	    col.rip < 0 || col.rport < 0 || col.ohead < 0 || col.rhead < 0)
		return -1;
	col.ts = bh_rec_col(r, "ts");
	col.dur = bh_rec_col(r, "dur");
	col.dir = bh_rec_col(r, "dir");
	col.obytes = bh_rec_col(r, "orig_bytes");
	col.rbytes = bh_rec_col(r, "resp_bytes");
	bh_wr_start(&p->w, p->out, r->col, r->ncol, owned, col.dir >= 0 ? 5 : 4);
	if (p->drop) {
		/* The heads are what this filter reads; the later stages
		 * (bh-rtt, bh-ttl, bh-hist) do not, and they are two thirds
		 * of the stream's bytes. */
		bh_wr_drop(&p->w, col.ohead);
		bh_wr_drop(&p->w, col.rhead);
	}
	bh_wr_names(&p->w);
	bh_wr_init_mem(&pw, &p->w);
	p->fbuf = xreallocarray(NULL, r->ncol + 1, sizeof(*p->fbuf));
	return 0;
}

static int
run_comment(void *arg, const char *line, size_t len)
{
	struct phase_run *p = arg;

	if (qcount == 0) {
		bh_wr_comment(&p->w, p->out, line, len);
		return 0;
	}
	bh_wr_line(pw_next(), line, len);
	q_release(&p->w, p->fbuf, 0);
	return 0;
}

static int
run_record(void *arg, struct bh_reader *r)
{
	struct phase_run *p = arg;
	struct rec rc;
	struct slot *s;
	int rule, ctl, data;

	if (rec_read(r, &rc) == -1)
		return 0;
	if (rc.has_ts && (!clock_set || rc.end > clock_us)) {
		clock_us = rc.end;
		clock_set = 1;
	}
	rule = classify(&rc);
	ctl = link_role(rule, &rc, &data);
	if (ctl == LK_NONE && !data) {
		write_fields(qcount == 0 ? &p->w : pw_next(), r->f, rule,
		    rule >= 0 ? phase_of(rule, rc.dir) : 0,
		    rule >= 0 ? dirfill_of(rule, rc.dir) : -1, NULL);
		if (qcount > 0)
			q_release(&p->w, p->fbuf, 0);
		return 0;
	}
	s = hold_record(r, &rc, rule, ctl != LK_NONE || data);
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
	if (p->fbuf != NULL)
		q_release(&p->w, p->fbuf, 1);
	bh_wr_free(&pw);
	bh_wr_free(&p->w);
	q_free();
	free(p->fbuf);
	p->fbuf = NULL;
}

void
phase_reset(void)
{
	rules_free();
	all_rules = rules = NULL;
	nall_rules = nrules = 0;
	have_ftp_links = have_tftp_links = 0;
	first_link = -1;
	memset(&col, 0, sizeof(col));
	q = NULL;
	qcap = qhead = qcount = 0;
	memset(&pw, 0, sizeof(pw));
	pw_done = 0;
	pend_in = pend_out = 0;
	qseq = 0;
	memset(ctls, 0, sizeof(ctls));
	ctlhead = nctl = 0;
	clock_us = 0;
	clock_set = 0;
	window_us = DEF_WINDOW_US;
	maxhold = DEF_HOLD;
	pat_texts = NULL;
	pat_keys = NULL;
	npat_ids = 0;
	memo_gen = NULL;
	memo_val = NULL;
	memo_now = 0;
	memset(lower_buf, 0, sizeof(lower_buf));
	memset(lower_cap, 0, sizeof(lower_cap));
	memset(lower_gen, 0, sizeof(lower_gen));
}
