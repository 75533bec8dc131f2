/*
 * phase-rec.c - bh-phase's reading of a record: the columns the rules
 * and the linker look at.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bh.h"
#include "phase.h"

/* ---- records -------------------------------------------------------- */

static int
parse_port(const char *s)
{
	int v = 0;

	if (BH_UNSET(s))
		return -1;
	if (*s == '\0')
		return -2;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 6553)
			return -2;
		v = v * 10 + (*s - '0');
	}
	return v <= 65535 ? v : -2;
}

static int
parse_dir(const char *s)
{
	if (BH_UNSET(s))
		return D_UNSET;
	if (strcmp(s, "in") == 0)
		return D_IN;
	if (strcmp(s, "out") == 0)
		return D_OUT;
	return D_OTHER;
}

/* Whether a byte count column says the side sent payload. */
static int
has_bytes(const struct bh_reader *r, int c)
{
	const char *v;

	if (c < 0)
		return 0;
	v = r->f[c];
	return !BH_UNSET(v) && strcmp(v, "0") != 0;
}

/* The item of an evidence column at p: its length, *next the item after
 * it (NULL after the last). */
static size_t
ev_item(const char *p, const char **next)
{
	const char *c = strchr(p, ',');

	*next = c != NULL ? c + 1 : NULL;
	return c != NULL ? (size_t)(c - p) : strlen(p);
}

/* Whether the item p[0..len) is a reference "mOFF/LEN" (bh-sessions(1)):
 * 0 with *off and *rlen set, else -1. */
static int
ev_ref(const char *p, size_t len, uint32_t *off, uint32_t *rlen)
{
	char ref[32];

	if (len >= sizeof(ref))
		return -1;
	memcpy(ref, p, len);
	ref[len] = '\0';
	return bh_ev_ref(ref, off, rlen);
}

/*
 * Split the evidence column v of side d (bh-sessions(1): items
 * "KOFF:TEXT" separated by ',', a last "+N" counting those not kept)
 * into the texts the patterns read, each NUL-terminated, in order, in
 * one buffer.  An item "mOFF/LEN" is a message the head holds whole: its
 * text is the head's, with a comma written \x2c as in an item.  The
 * first BH_EV_READ items that are a text or a reference are read; an
 * item that is neither, a reference outside the head, and items past
 * those are reported (the record is labelled from the others).
 */
static void
ev_split(struct bh_reader *r, struct rec *rc, int d, const char *v)
{
	static const char *const col[2][2] = {
		{ "orig_ev", "orig_head" }, { "resp_ev", "resp_head" }
	};
	size_t bad = 0;
	const char *head = rc->head[d] != NULL ? rc->head[d] : "";
	size_t n = strlen(v) + 1, hn = SIZE_MAX, o = 0, len, taken;
	size_t b, e, raw = 0, at = 0;	/* the head read up to: raw, at */
	const char *p, *next, *colon;
	uint32_t off, rlen;
	char *buf;

	/* room: the texts are shorter than the column; a reference's span
	 * is at most 4 * LEN characters of the head, and all of them (hn)
	 * when every one is a comma (4 for 1) */
	for (p = v, taken = 0; p != NULL && taken < BH_EV_READ; p = next) {
		len = ev_item(p, &next);
		if (p[0] == '+')
			continue;
		if (memchr(p, ':', len) != NULL)
			taken++;
		else if (ev_ref(p, len, &off, &rlen) == 0) {
			if (hn == SIZE_MAX)
				hn = strlen(head);
			n += 4 * (rlen < hn ? rlen : hn) + 1;
			taken++;
		}
	}
	if (n > phst.ev_cap[d]) {
		phst.ev_cap[d] = n;
		phst.ev_buf[d] = xrealloc(phst.ev_buf[d], n);
		phst.ev_lower[d] = xrealloc(phst.ev_lower[d], n);
	}
	buf = phst.ev_buf[d];
	for (p = v, taken = 0; p != NULL && taken < BH_EV_READ; p = next) {
		len = ev_item(p, &next);
		if (p[0] == '+')
			continue;
		colon = memchr(p, ':', len);
		if (colon != NULL) {
			taken++;
			len -= (size_t)(colon + 1 - p);
			memcpy(buf + o, colon + 1, len);
		} else {
			if (ev_ref(p, len, &off, &rlen) == -1) {
				bad++;
				continue;
			}
			taken++;
			/* the items come in stream order: the head is read
			 * on from where the last one ended */
			if (off < raw)
				raw = at = 0;
			b = at;
			if (bh_escaped_skip(head, &b, off - raw) == -1) {
				bad++;
				continue;
			}
			e = b;
			if (bh_escaped_skip(head, &e, rlen) == -1) {
				bad++;
				continue;
			}
			raw = (size_t)off + rlen;
			at = e;
			len = bh_item_text(buf + o, head + b, e - b);
		}
		buf[o + len] = '\0';
		rc->item[d][rc->nitem[d]++] = buf + o;
		o += len + 1;
	}
	if (bad > 0)
		bh_rec_warn(r, "%s: %zu item%s not read (neither KOFF:TEXT "
		    "nor mOFF/LEN inside %s)", col[d][0], bad,
		    bad == 1 ? "" : "s", col[d][1]);
	for (; p != NULL; p = next)
		if (ev_item(p, &next) > 0 && p[0] != '+') {
			bh_rec_warn(r, "%s: items past the first %d not read",
			    col[d][0], BH_EV_READ);
			break;
		}
}

/*
 * Read the facts of the current record into rc.  Returns 0, or -1 after
 * reporting a bad value (the caller skips the record).
 */
int
rec_read(struct bh_reader *r, struct rec *rc)
{
	const char *v;
	int64_t dur = 0;
	unsigned long n;

	memset(rc, 0, sizeof(*rc));
	v = r->f[phst.col.proto];
	if ((rc->proto = parse_proto(v)) == -1) {
		bh_rec_bad(r, "proto: bad value; record skipped");
		return -1;
	}
	if ((rc->oport = parse_port(r->f[phst.col.oport])) == -2 ||
	    (rc->rport = parse_port(r->f[phst.col.rport])) == -2) {
		bh_rec_bad(r, "%s: bad port; record skipped",
		    rc->oport == -2 ? "orig_port" : "resp_port");
		return -1;
	}
	rc->head[0] = BH_UNSET(r->f[phst.col.ohead]) ? NULL : r->f[phst.col.ohead];
	rc->head[1] = BH_UNSET(r->f[phst.col.rhead]) ? NULL : r->f[phst.col.rhead];
	if (phst.col.oev >= 0 && !BH_UNSET(r->f[phst.col.oev]))
		ev_split(r, rc, 0, r->f[phst.col.oev]);
	if (phst.col.rev >= 0 && !BH_UNSET(r->f[phst.col.rev]))
		ev_split(r, rc, 1, r->f[phst.col.rev]);
	rc->headmask = (rc->head[0] != NULL || rc->nitem[0] > 0 ?
	    HEAD_ORIG : 0) | (rc->head[1] != NULL || rc->nitem[1] > 0 ?
	    HEAD_RESP : 0);
	rc->oempty = !(rc->headmask & HEAD_ORIG) &&
	    !has_bytes(r, phst.col.obytes);
	rc->empty = rc->oempty && !(rc->headmask & HEAD_RESP) &&
	    !has_bytes(r, phst.col.rbytes);
	rc->greeting = rc->nitem[1] == 0 && phst.col.rbytes >= 0 &&
	    bh_parse_uint(r->f[phst.col.rbytes], GREETING_MAX - 1, &n) == 0;
	rc->midstream = phst.col.state >= 0 &&
	    strcmp(r->f[phst.col.state], "OTH") == 0;
	if (phst.col.ts >= 0 && !BH_UNSET(v = r->f[phst.col.ts])) {
		if (bh_parse_usec(v, &rc->ts) == -1 ||
		    rc->ts > BH_USEC_MAX || rc->ts < -BH_USEC_MAX) {
			bh_rec_bad(r, "ts: bad timestamp; record skipped");
			return -1;
		}
		rc->has_ts = 1;
	}
	if (phst.col.dur >= 0 && !BH_UNSET(v = r->f[phst.col.dur]) &&
	    (bh_parse_usec(v, &dur) == -1 || dur < 0 || dur > BH_USEC_MAX)) {
		bh_rec_bad(r, "dur: bad duration; record skipped");
		return -1;
	}
	rc->end = rc->ts + dur;
	rc->dir = phst.col.dir >= 0 ? parse_dir(r->f[phst.col.dir]) : D_NONE;
	return 0;
}

/* Whether the escaped head starts a TFTP DATA packet (RFC 1350 §5). */
static int
is_tftp_data(const char *h)
{
	return h != NULL && strncmp(h, "\\x00\\x03", 8) == 0;
}

/*
 * The part the current record, labelled by rule (or -1), may play in a
 * link: returns LK_FTP_PORT for an FTP control session (any FTP), LK_TFTP
 * for a TFTP read request, else LK_NONE with *data set when it may be a
 * data connection.  A session that a rule before the first link rule
 * labels (IRC, FTP control) is nobody's data connection.
 */
int
link_role(int rule, const struct rec *rc, int *data)
{
	const struct rule *ru = rule >= 0 ? phst.rules[rule] : NULL;

	*data = 0;
	if (ru != NULL && ru->linker == LK_NONE) {
		if (phst.have_ftp_links && rc->proto == 6 &&
		    strcmp(ru->app, "ftp") == 0)
			return LK_FTP_PORT;
		if (phst.have_tftp_links && rc->proto == 17 &&
		    strcmp(ru->app, "tftp") == 0 && rc->head[0] != NULL &&
		    strncmp(rc->head[0], "\\x00\\x01", 8) == 0)
			return LK_TFTP;
	}
	if (rule >= 0 && rule < phst.first_link)
		return LK_NONE;
	*data = (phst.have_ftp_links && rc->proto == 6 && rc->headmask != 0 &&
	    (rc->oport == 20 || rc->rport >= 1024)) ||
	    (phst.have_tftp_links && rc->proto == 17 &&
	    (is_tftp_data(rc->head[0]) || is_tftp_data(rc->head[1])));
	return LK_NONE;
}

/* Whether the escaped head of a data session starts an executable: MZ,
 * or MZ in the first TFTP DATA block. */
static int
starts_mz(const char *h)
{
	if (h == NULL)
		return 0;
	if (is_tftp_data(h)) {
		if (strncmp(h + 8, "\\x00\\x01", 8) != 0)
			return 0;	/* not block 1 */
		h += 16;
	}
	return strncmp(h, "MZ", 2) == 0;
}

/*
 * Copy the current record into a new slot at the tail of the queue, with
 * its label, and, when it is to wait for a link (hold), the facts the
 * linker compares.  Returns the slot.
 */
struct slot *
hold_record(const struct bh_reader *r, const struct rec *rc, int rule,
    int hold)
{
	struct slot *s = q_push();

	slot_copy(s, r);
	s->data = 0;
	s->rule = rule;
	s->phase = rule >= 0 ? phase_of(rule, rc->dir) : 0;
	s->dirfill = rule >= 0 ? dirfill_of(rule, rc->dir) : -1;
	s->has_end = rc->has_ts || phst.clock_set;
	s->end = rc->has_ts ? rc->end : phst.clock_us;
	s->hold = hold;
	s->proto = rc->proto;
	s->oport = rc->oport;
	s->rport = rc->rport;
	s->dir = rc->dir;
	s->has_ts = rc->has_ts;
	s->ts = rc->ts;
	if (hold) {
		parse_ip(r->f[phst.col.oip], &s->oip);
		parse_ip(r->f[phst.col.rip], &s->rip);
		s->tftp[0] = is_tftp_data(rc->head[0]);
		s->tftp[1] = is_tftp_data(rc->head[1]);
		s->mz = starts_mz(rc->head[0]) || starts_mz(rc->head[1]);
	}
	return s;
}
