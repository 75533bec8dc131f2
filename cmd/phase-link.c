/*
 * phase-link.c - bh-phase's links: FTP PORT/EPRT/227/229 addresses and
 * TFTP requests, control sessions and the data sessions they name.
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

/* ---- linking ---------------------------------------------------------- */

void
parse_ip(const char *s, struct ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1)
		ip->fam = 4;
	else if (inet_pton(AF_INET6, s, ip->a) == 1)
		ip->fam = 6;
}

static int
ip_eq(const struct ip *a, const struct ip *b)
{
	return a->fam != 0 && a->fam == b->fam &&
	    memcmp(a->a, b->a, a->fam == 4 ? 4 : 16) == 0;
}

/* Parse n comma-separated numbers (each <= 255) at s; returns the length
 * used, or 0.  In an evidence item a comma is written \x2c
 * (bh-sessions(1)), which reads as one. */
static size_t
parse_commas(const char *s, int n, int *v)
{
	const char *p = s;
	int i, k;

	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (*p == ',')
				p++;
			else if (strncmp(p, "\\x2c", 4) == 0)
				p += 4;
			else
				return 0;
		}
		if (!isdigit((unsigned char)*p))
			return 0;
		for (v[i] = 0, k = 0; isdigit((unsigned char)*p) && k < 4;
		    p++, k++)
			v[i] = v[i] * 10 + (*p - '0');
		if (v[i] > 255 || isdigit((unsigned char)*p))
			return 0;
	}
	return (size_t)(p - s);
}

/* h1,h2,h3,h4,p1,p2 (RFC 959 PORT and 227) into ep. */
static int
parse_hostport(const char *s, struct ep *ep)
{
	int v[6];

	if (parse_commas(s, 6, v) == 0)
		return 0;
	ep->has_ip = 1;
	ep->ip.fam = 4;
	memset(ep->ip.a, 0, sizeof(ep->ip.a));
	ep->ip.a[0] = (unsigned char)v[0];
	ep->ip.a[1] = (unsigned char)v[1];
	ep->ip.a[2] = (unsigned char)v[2];
	ep->ip.a[3] = (unsigned char)v[3];
	ep->port = v[4] * 256 + v[5];
	return ep->port > 0;
}

/* <d>proto<d>addr<d>port<d> (RFC 2428 EPRT) or (<d><d><d>port<d>) (229);
 * with_addr chooses.  The delimiter is any printable character. */
static int
parse_ext(const char *s, int with_addr, struct ep *ep)
{
	char d = *s, addr[64];
	const char *p = s + 1, *e;
	unsigned long port = 0;

	if (d <= ' ' || d > '~' || isdigit((unsigned char)d) || d == '\\')
		return 0;
	memset(ep, 0, sizeof(*ep));
	if (with_addr) {
		if ((p[0] != '1' && p[0] != '2') || p[1] != d)
			return 0;
		p += 2;
		if ((e = strchr(p, d)) == NULL || (size_t)(e - p) >= sizeof(addr))
			return 0;
		memcpy(addr, p, (size_t)(e - p));
		addr[e - p] = '\0';
		parse_ip(addr, &ep->ip);
		ep->has_ip = ep->ip.fam != 0;
		p = e + 1;
	} else {
		if (p[0] != d || p[1] != d)
			return 0;
		p += 2;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) && port <= 65535)
		port = port * 10 + (unsigned long)(*p++ - '0');
	if (*p != d || port == 0 || port > 65535)
		return 0;
	ep->port = (int)port;
	return 1;
}

/*
 * The data addresses in one side's escaped text (a head or an evidence
 * item): PORT and EPRT commands of the client (active mode), 227 and 229
 * replies of the server (passive mode; a 229 names only the port, the
 * host is the server).  Lines are found after each escaped \n.
 */
static void
ftp_text(struct ctl *c, int side, const char *p)
{
	const char *s;
	struct ep ep;

	while (p != NULL && *p != '\0') {
		if (side == 0 && c->nact < NEP) {
			if (strncasecmp(p, "PORT ", 5) == 0 &&
			    parse_hostport(p + 5 + strspn(p + 5, " "), &ep))
				c->act[c->nact++] = ep;
			else if (strncasecmp(p, "EPRT ", 5) == 0 &&
			    parse_ext(p + 5 + strspn(p + 5, " "), 1, &ep))
				c->act[c->nact++] = ep;
		} else if (side == 1 && c->npas < NEP &&
		    strncmp(p, "227", 3) == 0) {
			for (s = p + 3; *s != '\0' && *s != '\\'; s++)
				if (isdigit((unsigned char)*s) &&
				    parse_hostport(s, &ep)) {
					c->pas[c->npas++] = ep;
					break;
				}
		} else if (side == 1 && c->npas < NEP &&
		    strncmp(p, "229", 3) == 0) {
			for (s = p + 3; *s != '\0' && *s != '\\'; s++)
				if (*s == '(' && parse_ext(s + 1, 0, &ep)) {
					c->pas[c->npas++] = ep;
					break;
				}
		}
		if ((p = strstr(p, "\\n")) != NULL)
			p += 2;
	}
}

/*
 * Collect the data addresses of an FTP control session from its heads
 * and from the lines of its evidence beyond them (bh-sessions(1): an
 * `l` item is a PORT command or a 227 reply deep in the stream; on a
 * real FTP download most 227 replies are past byte 256).
 */
static void
ftp_addresses(struct ctl *c, const struct rec *rc)
{
	int side, k;

	for (side = 0; side < 2; side++) {
		ftp_text(c, side, rc->head[side]);
		for (k = 0; k < rc->nitem[side]; k++)
			ftp_text(c, side, rc->item[side][k]);
	}
}

static struct slot *
slot_at(uint64_t seq)
{
	uint64_t first = phst.qseq - phst.qcount;

	if (seq < first || seq >= phst.qseq)
		return NULL;
	return &phst.q[(phst.qhead + (size_t)(seq - first)) % phst.qcap];
}

static const char *
slot_field(const struct slot *s, int c)
{
	return s->buf + s->off[c];
}

static void
set_link(struct slot *s, const char *flow)
{
	size_t n = strlen(flow) + 1;

	if (n > s->linkcap) {
		s->linkcap = n;
		s->link = xrealloc(s->link, n);
	}
	memcpy(s->link, flow, n);
}

/* Which kind of link joins control c and the data candidate d, or 0;
 * only the exact kinds unless weak. */
static int
ctl_match(const struct ctl *c, const struct slot *d, int weak)
{
	int i;

	if (c->has_ts && d->has_ts &&
	    (d->ts < c->ts || d->ts > c->end + LINK_SLACK_US))
		return LK_NONE;
	if (c->kind == LK_TFTP) {
		if (d->proto != 17)
			return LK_NONE;
		if (ip_eq(&d->oip, &c->srv) && ip_eq(&d->rip, &c->cli) &&
		    d->rport == c->cport && d->oport != c->sport && d->tftp[0])
			return LK_TFTP;
		if (ip_eq(&d->oip, &c->cli) && d->oport == c->cport &&
		    ip_eq(&d->rip, &c->srv) && d->rport != c->sport &&
		    d->tftp[1])
			return LK_TFTP;
		return LK_NONE;
	}
	if (d->proto != 6)
		return LK_NONE;
	for (i = 0; i < c->nact; i++)
		if (d->rport == c->act[i].port && ip_eq(&d->oip, &c->srv) &&
		    (ip_eq(&d->rip, &c->cli) || (c->act[i].has_ip &&
		    ip_eq(&d->rip, &c->act[i].ip))))
			return LK_FTP_PORT;
	for (i = 0; i < c->npas; i++)
		if (d->rport == c->pas[i].port && ip_eq(&d->oip, &c->cli) &&
		    (ip_eq(&d->rip, &c->srv) || (c->pas[i].has_ip &&
		    ip_eq(&d->rip, &c->pas[i].ip))))
			return LK_FTP_PASV;
	if (!weak)
		return LK_NONE;
	if (d->oport == 20 && ip_eq(&d->oip, &c->srv) &&
	    ip_eq(&d->rip, &c->cli))
		return LK_FTP_20;
	/* The PORT/227 line was past the head: any session between the two
	 * hosts on unprivileged ports while the control lasts. */
	if (d->oport >= 1024 && d->rport >= 1024 && c->has_ts && d->has_ts &&
	    ((ip_eq(&d->oip, &c->cli) && ip_eq(&d->rip, &c->srv)) ||
	    (ip_eq(&d->oip, &c->srv) && ip_eq(&d->rip, &c->cli))))
		return LK_FTP_PAIR;
	return LK_NONE;
}

/* Whether a kind of link names the data session's address exactly (a
 * PORT, EPRT, 227, 229 or TFTP request), not by a guess (port 20, the
 * same two hosts). */
static int
link_exact(int kind)
{
	return kind == LK_FTP_PORT || kind == LK_FTP_PASV || kind == LK_TFTP;
}

/*
 * Which kind of link joins control c and the data candidate d (only the
 * exact kinds unless weak), when a link rule of that kind admits d (its
 * index into *rule); LK_NONE when they do not match or no link rule
 * admits d.
 */
static int
link_kind(const struct ctl *c, const struct slot *d, int weak, int *rule)
{
	struct rec rc;
	size_t i;
	int kind;

	if ((kind = ctl_match(c, d, weak)) == LK_NONE)
		return LK_NONE;
	memset(&rc, 0, sizeof(rc));
	rc.proto = d->proto;
	rc.oport = d->oport;
	rc.rport = d->rport;
	for (i = 0; i < phst.nrules; i++)
		if (phst.rules[i]->linker == kind && rule_gate(phst.rules[i], &rc))
			break;
	if (i == phst.nrules)
		return LK_NONE;
	*rule = (int)i;
	return kind;
}

/* The remembered control session of slot seq (ctls is in seq order), or
 * NULL when it has been forgotten. */
struct ctl *
ctl_find(uint64_t seq)
{
	struct ctl *c;
	size_t lo = 0, hi = phst.nctl, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = &phst.ctls[(phst.ctlhead + mid) % NCTL];
		if (c->seq == seq)
			return c;
		if (c->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Forget the weak candidates of the data slot d. */
static void
drop_cands(struct slot *d)
{
	struct ctl *c;
	int i;

	for (i = 0; i < d->ncand; i++)
		if ((c = ctl_find(d->cand[i])) != NULL)
			c->npend--;
	d->ncand = 0;
}

/*
 * Link control c and the data slot d by a link of kind, whose link rule
 * is rule; final.  The data session takes the link rule's label unless a
 * rule before it labelled it already; its dir, when `-`, says where the
 * control's client (the local host) is.  The control's link names its
 * first data session, or the first that carried an MZ.
 */
static void
make_link(struct ctl *c, struct slot *d, int kind, int rule)
{
	struct slot *cs;
	int k;

	drop_cands(d);
	set_link(d, c->flow);
	d->linked = 1;
	d->hold = 0;
	cs = slot_at(c->seq);
	if (d->rule < 0 || rule < d->rule) {
		d->rule = rule;
		d->phase = phase_of(rule, d->dir);
		d->dirfill = d->dir != D_UNSET ? -1 :
		    ip_eq(&d->rip, &c->cli) ? D_IN : D_OUT;
		if (d->dir == D_UNSET && (k = hosts_dir(&d->oip, &d->rip, rule,
		    slot_field(d, phst.col.flow), &d->dir_by)) >= 0) {
			d->dirfill = k;
			d->phase = phase_of(rule, k);
		}
		/* The data of a control that transferred nothing (an
		 * anonymous LIST, a probe) is what its control is. */
		if (cs != NULL && cs->rule >= 0 && cs->phase != PH_DOWNLOAD)
			d->phase = cs->phase;
	}
	if (link_exact(kind))
		c->nexact++;
	else
		c->nweak++;
	if (cs != NULL &&
	    (cs->link[0] == '\0' || (!cs->link_mz && d->mz))) {
		set_link(cs, slot_field(d, phst.col.flow));
		cs->link_mz = d->mz;
	}
}

/*
 * Offer the unlinked data slot d to control c.  When c names d exactly
 * they are linked at once.  When c names it only by a guess (port 20,
 * the same two hosts), c becomes one of d's candidates and d stays held:
 * the control that names it exactly may still come (records come when
 * sessions end, and two control sessions to one server overlap), and
 * resolve() decides later.  Returns 1 when linked.
 */
static int
offer(struct ctl *c, struct slot *d)
{
	int kind, rule;

	if ((kind = link_kind(c, d, d->ncand < NCAND, &rule)) == LK_NONE)
		return 0;
	if (link_exact(kind)) {
		make_link(c, d, kind, rule);
		return 1;
	}
	if (d->ncand < NCAND) {
		d->cand[d->ncand++] = c->seq;
		if (c->npend++ == 0 || d->seq < c->pend_lo)
			c->pend_lo = d->seq;
	}
	return 0;
}

/*
 * The fallback for a data slot d that no control named exactly: link it
 * to the best of its weak candidates, which is one with no data session
 * yet, else one with only weakly linked ones, else one that has its own
 * data by PORT or 227 already; the first to come among equals.  Called
 * when d is written or one of its candidates is about to be.
 */
void
resolve(struct slot *d)
{
	struct ctl *c, *best = NULL;
	int i, kind, rule, score, bkind = LK_NONE, brule = -1, bscore = 3;

	for (i = 0; i < d->ncand; i++) {
		if ((c = ctl_find(d->cand[i])) == NULL ||
		    (kind = link_kind(c, d, 1, &rule)) == LK_NONE)
			continue;
		score = c->nexact > 0 ? 2 : c->nweak > 0 ? 1 : 0;
		if (score < bscore) {
			best = c;
			bkind = kind;
			brule = rule;
			bscore = score;
		}
	}
	if (best != NULL)
		make_link(best, d, bkind, brule);
	else
		drop_cands(d);
}

/* Control c is about to be written or forgotten: settle the held data
 * sessions that have it as a candidate, so that its link is final.  The
 * search starts at the first of them and stops at the last. */
void
ctl_retire(struct ctl *c)
{
	struct slot *d;
	uint64_t first = phst.qseq - phst.qcount;
	size_t i;
	int k;

	i = c->npend > 0 && c->pend_lo > first ? (size_t)(c->pend_lo - first) :
	    0;
	for (; c->npend > 0 && i < phst.qcount; i++) {
		d = &phst.q[(phst.qhead + i) % phst.qcap];
		if (d->linked)
			continue;
		for (k = 0; k < d->ncand; k++)
			if (d->cand[k] == c->seq) {
				resolve(d);
				break;
			}
	}
}

static int
ctl_live(const struct ctl *c)
{
	return !(c->has_ts && phst.clock_set && phst.clock_us - c->end > phst.window_us);
}

/* A data candidate has arrived: the first live control that names it
 * exactly, else the live controls that name it weakly, as candidates. */
void
link_data(struct slot *d)
{
	size_t i;

	for (i = 0; i < phst.nctl; i++) {
		struct ctl *c = &phst.ctls[(phst.ctlhead + i) % NCTL];

		if (ctl_live(c) && offer(c, d))
			return;
	}
}

/* A control session has arrived in slot s: remember it (settling the
 * data of the controls it pushes out), and offer it the held data
 * candidates. */
void
add_control(struct slot *s, int kind, const struct rec *rc)
{
	struct ctl *c;
	struct slot *d;
	size_t i, n;

	while (phst.nctl > 0 && (!ctl_live(&phst.ctls[phst.ctlhead]) || phst.nctl == NCTL)) {
		ctl_retire(&phst.ctls[phst.ctlhead]);
		phst.ctlhead = (phst.ctlhead + 1) % NCTL;
		phst.nctl--;
	}
	c = &phst.ctls[(phst.ctlhead + phst.nctl++) % NCTL];
	c->seq = s->seq;
	c->kind = kind;
	c->cli = s->oip;
	c->srv = s->rip;
	c->cport = s->oport;
	c->sport = s->rport;
	c->has_ts = rc->has_ts;
	c->ts = rc->ts;
	c->end = rc->end;
	c->nact = c->npas = 0;
	c->nexact = c->nweak = c->npend = 0;
	n = strlen(slot_field(s, phst.col.flow)) + 1;
	if (n > c->flowcap) {
		c->flowcap = n;
		c->flow = xrealloc(c->flow, n);
	}
	memcpy(c->flow, slot_field(s, phst.col.flow), n);
	if (kind != LK_TFTP)
		ftp_addresses(c, rc);
	for (i = 0; i < phst.qcount; i++) {
		d = &phst.q[(phst.qhead + i) % phst.qcap];
		if (d->data && !d->linked)
			offer(c, d);
	}
}
