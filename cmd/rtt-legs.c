/*
 * rtt-legs.c - bh-rtt's computation: the handshake legs of one session
 * record, Karn's rule and the TSecr resolution, the remote leg and its
 * data-ACK summary (the tool's comment in bh-rtt.c says how it differs
 * from its peers).
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "rtt.h"

static const char *const rtt_owned[O_COUNT] = {
	"rtt_ms", "rtt_resp_ms", "rtt_orig_ms", "rtt_remote_ms", "rtt_note",
	"rtt_remote_data_n", "rtt_remote_data_min_ms",
	"rtt_remote_data_avg_ms", "rtt_remote_data_max_ms",
};

/*
 * rtt_note flags.  The note lists the set flags comma-separated in this
 * order (the order of the handshake), or `ok` when none is set.
 */
enum {
	N_UDP		= 1 << 0,	/* proto udp: no handshake to time */
	N_NOT_TCP	= 1 << 1,	/* any other non-TCP protocol */
	N_NO_HANDSHAKE	= 1 << 2,	/* neither SYN nor SYN/ACK seen */
	N_NO_SYN	= 1 << 3,	/* SYN/ACK but no SYN (mid-handshake) */
	N_SYN_RETX	= 1 << 4,	/* SYN resent, answer ambiguous (Karn) */
	N_NO_SYNACK	= 1 << 5,	/* SYN never answered by a SYN/ACK */
	N_SYNACK_RETX	= 1 << 6,	/* SYN/ACK resent, ambiguous (Karn) */
	N_NO_ACK	= 1 << 7,	/* SYN/ACK never acknowledged */
	N_TS		= 1 << 8,	/* a resent leg resolved by TSecr */
	N_NEGATIVE	= 1 << 9	/* answer timed before its question */
};
static const char *const note_names[] = {
	"udp", "not-tcp", "no-handshake", "no-syn", "syn-retx", "no-synack",
	"synack-retx", "no-ack", "ts", "negative",
};
#define NNOTES	(sizeof(note_names) / sizeof(note_names[0]))

/*
 * One handshake leg: from the question (SYN, or SYN/ACK) at q to the
 * answer (SYN/ACK, or ACK) at a.  n transmissions of the question; when
 * n > 1 only the TSecr-resolved transmission at qans (have_qans) makes
 * the leg unambiguous (Karn, RFC 6298 §3; RFC 7323 §4.1).  Returns 1 with
 * *leg set, or 0 with the reason added to *note.
 */
static int
leg(const struct rtt *t, int64_t q, uint64_t n, int have_qans, int64_t qans,
    int64_t a, int retx_flag, int *note, int64_t *leg_us)
{
	if (n > 1) {
		if (t->no_tsopt || !have_qans) {
			*note |= retx_flag;
			return 0;
		}
		q = qans;
		*note |= N_TS;
	}
	if (a < q) {
		*note |= N_NEGATIVE;
		return 0;
	}
	*leg_us = a - q;
	return 1;
}

/* Format usec as ms into buf and return it (for val[]). */
static const char *
ms(char *buf, int64_t usec)
{
	bh_fmt_usec_ms(buf, usec);
	return buf;
}

/*
 * Compute the owned values of the current record into t->val[] (buffers
 * in t->bufs).  Returns 0, or -1 when the record has a bad value
 * (reported, to be skipped).
 */
static int
rtt_values(struct rtt *t, struct bh_reader *r)
{
	const struct rtt_cols *c = &t->c;
	const char **val = t->val;
	char (*bufs)[BH_NUMBUF + 128] = t->bufs;
	int64_t syn = 0, synack = 0, ack = 0, syn_ans = 0, synack_ans = 0;
	int64_t resp_leg = 0, orig_leg = 0, d[3];
	uint64_t syn_n = 0, synack_n = 0, dn = 0;
	int hs, hsa, ha, hsyn_ans, hsynack_ans, have_resp = 0, have_orig = 0;
	int note = 0, side = -1, i, k, hn;
	const char *p;
	char *o;

	for (i = 0; i < O_COUNT; i++)
		val[i] = NULL;

	/* dir picks the remote leg: `in` the orig side, `out` the resp side. */
	switch (bh_rec_get_dir(r, c->dir)) {
	case -1:
		return -1;
	case BH_DIR_IN:
		side = 1;	/* remote = orig: monitor<->orig = resp_rtt_* */
		break;
	case BH_DIR_OUT:
		side = 0;	/* remote = resp: monitor<->resp = orig_rtt_* */
		break;
	}

	/* The remote leg's data-ACK summary, copied in canonical form. */
	if (side >= 0) {
		if ((hn = bh_rec_get_u64(r, c->data[side][0], &dn)) == -1)
			return -1;
		for (k = 0; k < 3; k++)
			if ((i = bh_rec_get_ms(r, c->data[side][k + 1], &d[k])) == -1)
				return -1;
			else if (i == 1)
				val[O_DATA_MIN + k] = ms(bufs[O_DATA_MIN + k],
				    d[k]);
		if (hn == 1) {
			bh_fmt_u64(bufs[O_DATA_N], dn);
			val[O_DATA_N] = bufs[O_DATA_N];
		}
	}

	p = c->proto >= 0 ? r->f[c->proto] : "tcp";
	if (strcmp(p, "tcp") != 0)
		note = strcmp(p, "udp") == 0 ? N_UDP : N_NOT_TCP;
	else {
		if ((hs = bh_rec_get_usec(r, c->syn, &syn)) == -1 ||
		    (hsa = bh_rec_get_usec(r, c->synack, &synack)) == -1 ||
		    (ha = bh_rec_get_usec(r, c->ack, &ack)) == -1 ||
		    (hsyn_ans = bh_rec_get_usec(r, c->syn_ans, &syn_ans)) == -1 ||
		    (hsynack_ans = bh_rec_get_usec(r, c->synack_ans, &synack_ans)) == -1 ||
		    bh_rec_get_u64(r, c->syn_n, &syn_n) == -1 ||
		    bh_rec_get_u64(r, c->synack_n, &synack_n) == -1)
			return -1;
		if (!hs && !hsa)
			note |= N_NO_HANDSHAKE;
		else if (!hs)
			note |= N_NO_SYN;
		else if (!hsa)
			note |= N_NO_SYNACK;
		else
			have_resp = leg(t, syn, syn_n, hsyn_ans, syn_ans, synack,
			    N_SYN_RETX, &note, &resp_leg);
		if (hsa) {
			if (!ha)
				note |= N_NO_ACK;
			else
				have_orig = leg(t, synack, synack_n, hsynack_ans,
				    synack_ans, ack, N_SYNACK_RETX, &note,
				    &orig_leg);
		}
	}
	if (have_resp)
		val[O_RESP] = ms(bufs[O_RESP], resp_leg);
	if (have_orig)
		val[O_ORIG] = ms(bufs[O_ORIG], orig_leg);
	if (have_resp && have_orig)
		val[O_RTT] = ms(bufs[O_RTT], resp_leg + orig_leg);
	if (side == 0)
		val[O_REMOTE] = val[O_RESP];
	else if (side == 1)
		val[O_REMOTE] = val[O_ORIG];

	o = bufs[O_NOTE];
	if (note == 0)
		strcpy(o, "ok");
	else {
		*o = '\0';
		for (i = 0; i < (int)NNOTES; i++)
			if (note & (1 << i)) {
				if (*o != '\0')
					strcat(o, ",");
				strcat(o, note_names[i]);
			}
	}
	val[O_NOTE] = o;
	return 0;
}


/* After the header: find the columns (-1 when a needed one is missing,
 * reported), start the output. */
static int
rtt_header(void *arg, struct bh_reader *r)
{
	static const char *const side_name[2] = { "orig", "resp" };
	static const char *const stat_name[4] = {
		"n", "min_ms", "avg_ms", "max_ms"
	};
	struct rtt *t = arg;
	struct rtt_cols *c = &t->c;
	char name[64];
	int i, k;

	c->syn = bh_rec_need(r, "syn_ts");
	c->synack = bh_rec_need(r, "synack_ts");
	c->ack = bh_rec_need(r, "ack_ts");
	c->syn_n = bh_rec_need(r, "syn_n");
	c->synack_n = bh_rec_need(r, "synack_n");
	if (c->syn < 0 || c->synack < 0 || c->ack < 0 || c->syn_n < 0 ||
	    c->synack_n < 0)
		return -1;
	c->proto = bh_rec_col(r, "proto");
	c->dir = bh_rec_col(r, "dir");
	c->syn_ans = bh_rec_col(r, "syn_ans_ts");
	c->synack_ans = bh_rec_col(r, "synack_ans_ts");
	for (i = 0; i < 2; i++)
		for (k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "%s_rtt_%s",
			    side_name[i], stat_name[k]);
			c->data[i][k] = bh_rec_col(r, name);
		}
	bh_wr_start(&t->w, t->out, r->col, r->ncol, rtt_owned, O_COUNT);
	bh_wr_names(&t->w);
	return 0;
}

/* One record: its values written, or it is reported and skipped. */
static int
rtt_record(void *arg, struct bh_reader *r)
{
	struct rtt *t = arg;

	if (rtt_values(t, r) == 0)
		bh_wr_fields(&t->w, r->f, t->val);
	return 0;
}

static int
rtt_comment(void *arg, const char *line, size_t len)
{
	struct rtt *t = arg;

	bh_wr_comment(&t->w, t->out, line, len);
	return 0;
}

void
rtt_end(struct rtt *t)
{
	bh_wr_free(&t->w);
}

void
rtt_loop(struct rtt *t, struct bh_loop *l)
{
	l->header = rtt_header;
	l->record = rtt_record;
	l->comment = rtt_comment;
	l->arg = t;
}
