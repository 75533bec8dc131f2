/*
 * phase-hold.c - bh-phase's hold queue: the records that may still be
 * linked, held in order with everything behind them, and written out.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bh.h"
#include "phase.h"

/* ---- the queue ---------------------------------------------------- */

struct slot *
q_push(void)
{
	struct slot *nq, *s;
	size_t i, ncap;

	if (phst.qcount == phst.qcap) {
		ncap = phst.qcap == 0 ? 64 : phst.qcap * 2;
		if (ncap > phst.maxhold + 1)
			ncap = phst.maxhold + 1 > phst.qcap ? phst.maxhold + 1 : phst.qcap + 1;
		nq = xcalloc(ncap, sizeof(*nq));
		for (i = 0; i < phst.qcap; i++)
			nq[i] = phst.q[(phst.qhead + i) % phst.qcap];
		free(phst.q);
		phst.q = nq;
		phst.qcap = ncap;
		phst.qhead = 0;
	}
	s = &phst.q[(phst.qhead + phst.qcount++) % phst.qcap];
	s->seq = phst.qseq++;
	s->pend_off = phst.pw.olen;
	s->pend_n = phst.pend_in;
	s->data = s->ctl = s->linked = s->ncand = 0;
	return s;
}

/* Room for n bytes in the slot's buffer, grown in powers of two so that
 * the slots soon stop growing (no allocation per record then). */
static void
slot_room(struct slot *s, size_t n)
{
	size_t cap = s->cap > 0 ? s->cap : 256;

	if (n <= s->cap)
		return;
	while (cap < n)
		cap *= 2;
	s->cap = cap;
	s->buf = xrealloc(s->buf, cap);
}

void
slot_copy(struct slot *s, const struct bh_reader *r)
{
	size_t i;

	slot_room(s, r->linelen + 1);
	memcpy(s->buf, r->line, r->linelen + 1);
	s->len = r->linelen;
	if (s->off == NULL)
		s->off = xreallocarray(NULL, r->ncol + 1, sizeof(*s->off));
	for (i = 0; i < r->ncol; i++)
		s->off[i] = (size_t)(r->f[i] - r->line);
	if (s->link == NULL) {
		s->linkcap = 16;
		s->link = xmalloc(s->linkcap);
	}
	s->link[0] = '\0';
	s->link_mz = 0;
	s->linked = 0;
}


void
write_fields(struct bh_writer *w, char *const *f, int rule, int phase,
    int dirfill, uint64_t dir_by, const char *link)
{
	const char *val[6];
	char by[24];

	if (rule >= 0) {
		val[0] = phase_names[phase];
		val[1] = phst.rules[rule]->app;
		val[2] = phst.rules[rule]->name;
		val[3] = link != NULL && link[0] != '\0' ? link : NULL;
	} else
		val[0] = val[1] = val[2] = val[3] = NULL;
	if (phst.col.dir >= 0) {
		val[4] = dirfill >= 0 ? dir_names[dirfill] : f[phst.col.dir];
		val[5] = NULL;
		if (dirfill >= 0 && dir_by > 0) {
			snprintf(by, sizeof(by), "%llu",
			    (unsigned long long)dir_by);
			val[5] = by;
		}
	}
	bh_wr_fields(w, f, val);
}

/* Lines held in all: the held records and the lines behind them. */
static uint64_t
q_lines(void)
{
	return phst.qcount + (phst.pend_in - phst.pend_out);
}

/* The pending buffer, for one more line behind a held record; what is
 * out is dropped first when that is most of it (the slots' offsets move
 * with it). */
struct bh_writer *
pw_next(void)
{
	size_t i;

	if (phst.pw_done >= 1024 * 1024 && phst.pw_done * 2 >= phst.pw.olen) {
		memmove(phst.pw.obuf, phst.pw.obuf + phst.pw_done, phst.pw.olen - phst.pw_done);
		phst.pw.olen -= phst.pw_done;
		for (i = 0; i < phst.qcount; i++)
			phst.q[(phst.qhead + i) % phst.qcap].pend_off -= phst.pw_done;
		phst.pw_done = 0;
	}
	phst.pend_in++;
	return &phst.pw;
}

/* Write the pending lines up to byte off, which ends line n. */
static void
pw_out(struct bh_writer *w, size_t off, uint64_t n)
{
	bh_wr_raw(w, phst.pw.obuf + phst.pw_done, off - phst.pw_done);
	phst.pw_done = off;
	phst.pend_out = n;
}

/* Write the slot at the head of the queue and drop it; its link, and
 * the links of the data sessions that may name it, are settled first. */
static void
q_pop_write(struct bh_writer *w, char **fbuf)
{
	struct slot *s = &phst.q[phst.qhead];
	struct ctl *c;
	size_t i;
	int d;

	if (s->ctl && (c = ctl_find(s->seq)) != NULL)
		ctl_retire(c);
	else if (s->ncand > 0)
		resolve(s);
	if (s->dir_pending && !s->linked && (d = hosts_dir(&s->oip, &s->rip,
	    s->rule, s->buf + s->off[phst.col.flow], &s->dir_by)) >= 0) {
		s->dirfill = d;
		if (s->rule >= 0)
			s->phase = phase_of(s->rule, d);
	}
	for (i = 0; i < w->nin; i++)
		fbuf[i] = s->buf + s->off[i];
	fbuf[w->nin] = s->buf + s->len + 1;
	write_fields(w, fbuf, s->rule, s->phase, s->dirfill, s->dir_by,
	    s->link);
	phst.qhead = (phst.qhead + 1) % phst.qcap;
	phst.qcount--;
}

/* Write the queue's head records that need not wait any longer, and the
 * pending lines before the first that must. */
void
q_release(struct bh_writer *w, char **fbuf, int all)
{
	const struct slot *s;

	while (phst.qcount > 0) {
		s = &phst.q[phst.qhead];
		pw_out(w, s->pend_off, s->pend_n);
		if (!all && s->hold && q_lines() <= phst.maxhold &&
		    !(s->has_end && phst.clock_set && phst.clock_us - s->end > phst.window_us))
			break;
		q_pop_write(w, fbuf);
	}
	if (phst.qcount == 0) {
		pw_out(w, phst.pw.olen, phst.pend_in);
		phst.pw.olen = phst.pw_done = 0;
	}
}

void
q_free(void)
{
	size_t i;

	for (i = 0; i < phst.qcap; i++) {
		free(phst.q[i].buf);
		free(phst.q[i].off);
		free(phst.q[i].link);
	}
	free(phst.q);
	for (i = 0; i < NCTL; i++)
		free(phst.ctls[i].flow);
}
