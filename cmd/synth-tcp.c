/*
 * synth-tcp.c - bh-synth's sessions: the session pool and packet heap, the
 * packet scripts of TCP and UDP (handshakes, data, retransmissions,
 * closes), the truth records and the writing of packets.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "synth.h"

/* ---- the session pool and the packet heap ----------------------------- */

/* A fresh session (from the free list: its arrays keep their capacity,
 * so the steady state allocates nothing). */
struct sess *
sess_new(int af, int proto)
{
	struct sess *s;
	struct step *st;
	struct piece *p0, *p1;
	size_t c0, c1, cs;

	if (synst.nfree > 0) {
		s = synst.freelist[--synst.nfree];
		st = s->st;
		cs = s->capst;
		p0 = s->sd[0].pc;
		c0 = s->sd[0].cappc;
		p1 = s->sd[1].pc;
		c1 = s->sd[1].cappc;
		memset(s, 0, offsetof(struct sess, text));
		memset((char *)s + offsetof(struct sess, textlen), 0,
		    sizeof(*s) - offsetof(struct sess, textlen));
		s->st = st;
		s->capst = cs;
		s->sd[0].pc = p0;
		s->sd[0].cappc = c0;
		s->sd[1].pc = p1;
		s->sd[1].cappc = c1;
	} else
		s = xcalloc(1, sizeof(*s));
	s->uid = synst.nuid++;
	s->af = af;
	s->proto = proto;
	s->remote = -1;
	s->rtt_remote = s->rtt_local = -1;
	s->how = s->note = s->state = s->app = s->phase = "-";
	s->episode = synst.cur_episode;
	s->evidence = "-";
	return s;
}

void
sess_free(struct sess *s)
{
	if (s->partner != NULL)
		s->partner->partner = NULL;
	if (synst.nfree == synst.capfree) {
		synst.capfree = synst.capfree ? synst.capfree * 2 : 256;
		synst.freelist = xreallocarray(synst.freelist, synst.capfree, sizeof(*synst.freelist));
	}
	synst.freelist[synst.nfree++] = s;
}

/* Heap order: time of the next packet, then creation order. */
static int
heap_less(const struct sess *a, const struct sess *b)
{
	int64_t ta = a->st[a->cur].t, tb = b->st[b->cur].t;

	return ta < tb || (ta == tb && a->uid < b->uid);
}

void
heap_set(size_t i, struct sess *s)
{
	synst.heap[i] = s;
	s->heapidx = i;
}

void
heap_down(size_t i)
{
	struct sess *s = synst.heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= synst.nheap)
			break;
		if (c + 1 < synst.nheap && heap_less(synst.heap[c + 1], synst.heap[c]))
			c++;
		if (!heap_less(synst.heap[c], s))
			break;
		heap_set(i, synst.heap[c]);
		i = c;
	}
	heap_set(i, s);
}

static void
heap_push(struct sess *s)
{
	size_t i;

	if (synst.nheap == synst.capheap) {
		synst.capheap = synst.capheap ? synst.capheap * 2 : 1024;
		synst.heap = xreallocarray(synst.heap, synst.capheap, sizeof(*synst.heap));
	}
	i = synst.nheap++;
	while (i > 0 && heap_less(s, synst.heap[(i - 1) / 2])) {
		heap_set(i, synst.heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(i, s);
}

/* ---- building a script ------------------------------------------------ */

/* Set up side i of s from a host (or the honeypot when h is NULL). */
void
side_init(struct sess *s, int i, const struct host *h, uint16_t port)
{
	struct side *d = &s->sd[i];

	if (h == NULL) {
		memcpy(d->addr, s->af == 4 ? synst.hp4 : synst.hp6, s->af == 4 ? 4 : 16);
		d->os = d->stack = OS_WINDOWS;
		d->ttl = 128;
		d->tsbase = synst.hp_tsbase;
		d->win = 64240;
		/* next to the monitor: it sees a packet tens of µs later
		 * (less than local_delay()) */
		d->echo_delay = 50;
	} else {
		memcpy(d->addr, h->addr, 16);
		d->os = h->os;
		d->stack = h->stack;
		d->ttl = (uint8_t)(os_ttl[h->os] - hops_at(h, synst.now));
		d->tsbase = h->tsbase;
		d->win = h->stack == OS_WINDOWS ? 65535 : 5840;
		/* a session's RTT is at least the host's (tcp_new) */
		d->echo_delay = h->rtt;
		s->remote = i;
		s->rem_os = h->os;
		s->rem_stack = h->stack;
		s->rem_flap = h->flap;
		s->rem_hops_base = hops_at(h, synst.now);
	}
	d->npend = 0;
	d->port = port;
	d->isn = (uint32_t)(splitmix(&synst.rng) >> 32);
	d->ipid = (uint16_t)below(65536);
	d->nxt = 0;
}

uint16_t
hp_ephemeral(void)
{
	uint16_t p = synst.hp_port;

	synst.hp_port = synst.hp_port >= 65000 ? 1025 : synst.hp_port + 1;
	return p;
}

/*
 * The timestamps in flight.  A side's TSecr echoes the newest TSval of
 * the other side that has reached it (RFC 7323 section 4.3): one that
 * passed the monitor at least its echo_delay ago.  Without this a
 * remote host would echo the honeypot's ACK of a moment before, which
 * it cannot have seen, and every TS-RTT sample would be near zero.
 */
static void
ts_seen(struct side *d, int64_t t)
{
	int64_t best = INT64_MIN;
	unsigned i, k = 0;

	for (i = 0; i < d->npend; i++)
		if (d->pend[i].t <= t - d->echo_delay) {
			if (d->pend[i].t >= best) {
				best = d->pend[i].t;
				d->ts_recent = d->pend[i].tsval;
			}
		} else
			d->pend[k++] = d->pend[i];
	d->npend = k;
}

/* A TSval sent toward d at t: in flight until d sees it (the oldest is
 * taken as seen when more are in flight than d keeps). */
static void
ts_sent(struct side *d, int64_t t, uint32_t tsval)
{
	if (d->npend == PEND_MAX) {
		d->ts_recent = d->pend[0].tsval;
		memmove(d->pend, d->pend + 1, (PEND_MAX - 1) * sizeof(d->pend[0]));
		d->npend--;
	}
	d->pend[d->npend].t = t;
	d->pend[d->npend].tsval = tsval;
	d->npend++;
}

/* Append a packet from side i at t; seq/ack from the sides' state. */
struct step *
step_add(struct sess *s, int i, int64_t t, uint8_t flags)
{
	struct step *p;
	struct side *d = &s->sd[i], *o = &s->sd[!i];

	if (s->nst == s->capst) {
		s->capst = s->capst ? s->capst * 2 : 64;
		s->st = xreallocarray(s->st, s->capst, sizeof(*s->st));
	}
	p = &s->st[s->nst++];
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->side = (uint8_t)i;
	p->flags = flags;
	p->seq = d->nxt;
	p->ack = flags & BH_TH_ACK ? o->nxt : 0;
	p->ttl = d->ttl;
	if (d->ts) {
		p->opt |= OPT_TS;
		p->tsval = d->tsbase + (uint32_t)((t - START_USEC) / MS);
		ts_seen(d, t);
		p->tsecr = (flags & BH_TH_ACK) ? d->ts_recent : 0;
		ts_sent(o, t, p->tsval);
	}
	d->npkts++;
	return p;
}

/* Queue n bytes at p on side i's stream. */
void
stream_add(struct sess *s, int i, const void *p, size_t n)
{
	struct side *d = &s->sd[i];

	if (n == 0)
		return;
	if (d->npc == d->cappc) {
		d->cappc = d->cappc ? d->cappc * 2 : 16;
		d->pc = xreallocarray(d->pc, d->cappc, sizeof(*d->pc));
	}
	d->pc[d->npc].p = p;
	d->pc[d->npc].off = d->slen;
	d->pc[d->npc].n = (uint32_t)n;
	d->npc++;
	d->slen += (uint32_t)n;
}

/* printf into the session's text buffer; returns the text and its
 * length in *n. */
const unsigned char *
text(struct sess *s, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;
	unsigned char *p = s->text + s->textlen;

	va_start(ap, fmt);
	k = vsnprintf((char *)p, TEXT_SIZE - s->textlen, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= TEXT_SIZE - s->textlen)
		bh_errx(BH_EXIT_FATAL, "internal: session text full");
	s->textlen += (size_t)k;
	*n = (size_t)k;
	return p;
}

/* A local delay: the honeypot's stack or application answering. */
int64_t
local_delay(void)
{
	return range(60, 420);
}

/*
 * Send the queued, unsent bytes of side i's stream at t as full-size
 * segments gap apart, PSH on the last.  Returns the time of the last.
 */
int64_t
tcp_send(struct sess *s, int i, int64_t t, int64_t gap)
{
	struct side *d = &s->sd[i];
	struct step *p;
	uint32_t len;

	while (d->sent < d->slen) {
		len = d->slen - d->sent < MSS ? d->slen - d->sent : MSS;
		p = step_add(s, i, t, BH_TH_ACK);
		p->seq = 1 + d->sent;
		p->off = d->sent;
		p->len = len;
		d->sent += len;
		d->nxt = 1 + d->sent;
		if (d->sent == d->slen)
			p->flags |= BH_TH_PUSH;
		else
			t += gap;
	}
	return t;
}

/* Queue a message on side i and send it at t; returns the last time. */
int64_t
tcp_msg(struct sess *s, int i, int64_t t, const void *p, size_t n)
{
	stream_add(s, i, p, n);
	return tcp_send(s, i, t, 12);
}

int64_t
tcp_ack(struct sess *s, int i, int64_t t)
{
	step_add(s, i, t, BH_TH_ACK);
	return t;
}

/* A FIN from side i; the other side answers with FIN/ACK after its
 * delay and i acknowledges it.  Returns the time of the last packet. */
int64_t
tcp_close(struct sess *s, int i, int64_t t, int64_t rtt)
{
	int64_t di = i == s->remote ? rtt : local_delay();
	int64_t dj = i == s->remote ? local_delay() : rtt;

	step_add(s, i, t, BH_TH_FIN | BH_TH_ACK);
	s->sd[i].nxt++;
	t += dj;
	step_add(s, !i, t, BH_TH_FIN | BH_TH_ACK);
	s->sd[!i].nxt++;
	t += di;
	step_add(s, i, t, BH_TH_ACK);
	return t;
}

int64_t
tcp_reset(struct sess *s, int i, int64_t t)
{
	step_add(s, i, t, BH_TH_RST | BH_TH_ACK);
	return t;
}

/*
 * The handshake of s opened by side 0 at t, with the remote RTT rtt and
 * the honeypot's local delay, per variant v.  The monitor sits at the
 * honeypot, so when the honeypot opens (outbound) SYN→SYN/ACK is the
 * remote RTT and SYN/ACK→ACK the local delay; when the remote opens
 * (inbound) it is the other way round.  Sets the truth of both legs
 * (-1 where Karn's rule leaves a leg ambiguous) and returns the time of
 * the handshake's ACK.
 */
int64_t
tcp_handshake(struct sess *s, int64_t t, int64_t rtt, enum hs v)
{
	int out = s->remote == 1;
	int64_t d0 = out ? rtt : local_delay();	/* SYN → SYN/ACK */
	int64_t d1 = out ? local_delay() : rtt;	/* SYN/ACK → ACK */
	int64_t retx = 3 * SEC;			/* Windows' initial RTO */
	struct step *syn, *syn2 = NULL, *sa, *sa2 = NULL;

	s->how = out ? "syn-synack" : "synack-ack";
	if (v >= HS_SYN_RETX && v <= HS_SYNACK_RETX_TS)
		s->sd[0].ts = s->sd[1].ts = v != HS_SYN_RETX &&
		    v != HS_SYNACK_RETX;

	syn = step_add(s, 0, t, BH_TH_SYN);
	syn->opt |= OPT_SYN;
	s->sd[0].nxt = 1;
	if (v == HS_SYN_RETX || v == HS_SYN_RETX_TS ||
	    v == HS_SYN_RETX_TS_SAME || v == HS_SYN_RETX_IN) {
		t += retx;
		syn2 = step_add(s, 0, t, BH_TH_SYN);
		syn2->seq = 0;
		syn2->opt |= OPT_SYN;
		if (v == HS_SYN_RETX_TS_SAME)
			syn2->tsval = syn->tsval;
		s->sd[1].ts_recent = syn2->tsval;
		s->sd[1].npend = 0;
	} else if (v == HS_SYN_RETX_TS_FIRST) {
		/* SYN 2 after a 1 s RTO; the server, busy, answers SYN 1
		 * only after it (so the last SYN is the wrong reference) */
		syn2 = step_add(s, 0, t + SEC, BH_TH_SYN);
		syn2->seq = 0;
		syn2->opt |= OPT_SYN;
		s->sd[1].ts_recent = syn->tsval;
		s->sd[1].npend = 0;
		d0 = SEC + rtt + range(20 * MS, 400 * MS);
	}
	t += d0;
	sa = step_add(s, 1, t, BH_TH_SYN | BH_TH_ACK);
	sa->opt |= OPT_SYN;
	s->sd[1].nxt = 1;
	if (v == HS_SYNACK_RETX || v == HS_SYNACK_RETX_TS) {
		t += retx;
		sa2 = step_add(s, 1, t, BH_TH_SYN | BH_TH_ACK);
		sa2->seq = 0;
		sa2->opt |= OPT_SYN;
		s->sd[0].ts_recent = sa2->tsval;
		s->sd[0].npend = 0;
	}
	t += d1;
	step_add(s, 0, t, BH_TH_ACK);
	if (v == HS_SYN_RETX_TS_FIRST) {
		/* then it answers SYN 2 too, half a second later (another
		 * TSval); the honeypot acknowledges the duplicate */
		sa2 = step_add(s, 1, sa->t + 500 * MS, BH_TH_SYN |
		    BH_TH_ACK);
		sa2->seq = 0;
		sa2->tsecr = syn2->tsval;
		sa2->opt |= OPT_SYN;
		t = sa2->t + d1;
		step_add(s, 0, t, BH_TH_ACK);
	}

	/* the truth of the two legs */
	if (out) {
		s->rtt_remote = d0;
		s->rtt_local = d1;
		if (v == HS_SYN_RETX || v == HS_SYN_RETX_TS_SAME) {
			s->rtt_remote = -1;
			s->how = v == HS_SYN_RETX ? "karn-syn" : "ts-same";
		} else if (v == HS_SYN_RETX_TS)
			s->how = "ts-syn";
		else if (v == HS_SYN_RETX_TS_FIRST)
			s->how = "ts-syn-first";
	} else {
		s->rtt_remote = d1;
		s->rtt_local = d0;
		if (v == HS_SYNACK_RETX) {
			s->rtt_remote = -1;
			s->how = "karn-synack";
		} else if (v == HS_SYNACK_RETX_TS)
			s->how = "ts-synack";
		else if (v == HS_SYN_RETX_IN) {
			/* the local leg is Karn's case unless timestamps
			 * tell which SYN the SYN/ACK answers */
			if (!s->sd[0].ts)
				s->rtt_local = -1;
			s->note = s->sd[0].ts ? "syn-retx-ts" : "syn-retx";
		}
	}
	return t;
}

/*
 * Send n queued bytes of side i's stream as a bulk transfer from t: slow
 * start from 3 segments, doubling each round trip up to 44, segments gap
 * apart at the bottleneck; the receiver acknowledges every second
 * segment after its delay.  dup: one segment of round 2 is sent again
 * (its ACK was lost upstream; the monitor sees it twice).  lose1: the
 * first segment was lost upstream of the monitor and is resent after
 * the rest of its round (it arrives out of order).  Returns the time of
 * the last packet.
 */
int64_t
tcp_bulk(struct sess *s, int i, int64_t t, int64_t rtt, int64_t gap, int dup,
    int lose1)
{
	struct side *d = &s->sd[i];
	int r = !i, rl = r == s->remote;
	uint32_t end = d->slen, len, cwnd = 3, k = 0, lost_off = 0, lost_len = 0;
	uint32_t first_off = 0, first_len = 0;
	int64_t tr = t, ts, last = t;
	struct step *p;
	int round = 0, lost = 0;
	uint32_t j;

	while (d->sent < end) {
		ts = tr;
		for (j = 0; j < cwnd && d->sent < end; j++) {
			len = end - d->sent < MSS ? end - d->sent : MSS;
			if (k == 0 && lose1 && end - d->sent > 2 * MSS) {
				lost = 1;
				lost_off = d->sent;
				lost_len = len;
				d->sent += len;
				d->nxt = 1 + d->sent;
				k++;
				ts += gap;
				continue;
			}
			p = step_add(s, i, ts, BH_TH_ACK);
			p->seq = 1 + d->sent;
			p->off = d->sent;
			p->len = len;
			if (j == 0) {
				first_off = d->sent;
				first_len = len;
			}
			d->sent += len;
			d->nxt = 1 + d->sent;
			if (d->sent == end || j + 1 == cwnd)
				p->flags |= BH_TH_PUSH;
			last = ts;
			k++;
			if (k % 2 == 0 || d->sent == end || lost) {
				p = step_add(s, r, ts + (rl ? rtt :
				    local_delay()), BH_TH_ACK);
				if (lost)
					p->ack = 1 + lost_off;
				if (p->t > last)
					last = p->t;
			}
			ts += gap;
		}
		if (dup && round == 2) {
			/* the round's first segment again: its ACK was lost
			 * upstream, the sender's timer fired */
			p = step_add(s, i, last + rtt + 200 * MS, BH_TH_ACK);
			p->seq = 1 + first_off;
			p->off = first_off;
			p->len = first_len;
			p = step_add(s, r, p->t + (rl ? rtt : local_delay()),
			    BH_TH_ACK);
			last = p->t;
			ts = last;
			dup = 0;
		}
		if (lost) {
			/* three duplicate ACKs went out; fast retransmit */
			ts = last + rtt;
			p = step_add(s, i, ts, BH_TH_ACK | BH_TH_PUSH);
			p->seq = 1 + lost_off;
			p->off = lost_off;
			p->len = lost_len;
			p = step_add(s, r, ts + local_delay(), BH_TH_ACK);
			last = p->t;
			lost = 0;
			lose1 = 0;
			ts = last;
		}
		round++;
		tr = tr + rtt > ts ? tr + rtt : ts;
		if (tr < last)
			tr = last + 1;
		cwnd = cwnd * 2 > 44 ? 44 : cwnd * 2;
	}
	return last;
}

/* Sort the script by time (stable: insertion sort, nearly sorted). */
static void
script_sort(struct sess *s)
{
	size_t i, j;
	struct step x;

	for (i = 1; i < s->nst; i++) {
		if (s->st[i].t >= s->st[i - 1].t)
			continue;
		x = s->st[i];
		for (j = i; j > 0 && s->st[j - 1].t > x.t; j--)
			s->st[j] = s->st[j - 1];
		s->st[j] = x;
	}
}

/* Hand a built session to the scheduler (and count it toward -n). */
void
sess_start(struct sess *s)
{
	script_sort(s);
	if (s->vlan == 1)
		s->sd[0].vlan = s->sd[1].vlan = 1;
	else if (s->vlan == 2)
		s->sd[s->remote == 0 ? 1 : 0].vlan = 1;
	if (s->truth)
		synst.nsess_made++;
	heap_push(s);
}

/* ---- the truth -------------------------------------------------------- */

void
addr_fmt(char *buf, int af, const unsigned char *a)
{
	inet_ntop(af == 4 ? AF_INET : AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/*
 * Write the truth line of s: its flow and (when linked) its partner's
 * flow are known.  The remote TTL is that of the remote party's first
 * packet; its hops count from the smallest TTL it showed (bh-ttl's
 * rule), so a route change mid-session shows as one more hop.
 */
static void
truth_write(struct sess *s)
{
	char ts[BH_NUMBUF], r1[BH_NUMBUF], r2[BH_NUMBUF], lk[BH_NUMBUF];
	char a0[INET6_ADDRSTRLEN], a1[INET6_ADDRSTRLEN], ar[INET6_ADDRSTRLEN];
	char ttl[16], init[16], hops[16], rp[16], ep[16];
	static const char *const dirs[] = { "in", "out", "local" };
	unsigned first = 0, min = 256;
	size_t i;

	bh_fmt_usec_s(ts, s->st[0].t);
	addr_fmt(a0, s->af, s->sd[0].addr);
	addr_fmt(a1, s->af, s->sd[1].addr);
	strcpy(r1, "-");
	strcpy(r2, "-");
	if (s->rtt_remote >= 0)
		bh_fmt_usec_ms(r1, s->rtt_remote);
	if (s->rtt_local >= 0)
		bh_fmt_usec_ms(r2, s->rtt_local);
	strcpy(lk, "-");
	if (s->link != 0)
		bh_fmt_u64(lk, s->link);
	strcpy(ar, "-");
	strcpy(rp, "-");
	strcpy(ttl, "-");
	strcpy(init, "-");
	strcpy(hops, "-");
	if (s->remote >= 0) {
		addr_fmt(ar, s->af, s->sd[s->remote].addr);
		snprintf(rp, sizeof(rp), "%u", s->sd[s->remote].npkts);
		for (i = 0; i < s->nst; i++)
			if (s->st[i].side == s->remote) {
				if (first == 0)
					first = s->st[i].ttl;
				if (s->st[i].ttl < min)
					min = s->st[i].ttl;
			}
		if (first != 0) {
			snprintf(ttl, sizeof(ttl), "%u", first);
			snprintf(init, sizeof(init), "%u", os_ttl[s->rem_os]);
			snprintf(hops, sizeof(hops), "%u",
			    os_ttl[s->rem_os] - min);
		}
	}
	strcpy(ep, "-");
	if (s->episode != 0)
		snprintf(ep, sizeof(ep), "%u", (unsigned)s->episode);
	fprintf(synst.truthfp, "%llu\t%s\t%s\t%s\t%u\t%s\t%u\t%s\t%s\t%s\t%s\t%s\t"
	    "%u\t%u\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t"
	    "%s\t%s\n",
	    (unsigned long long)s->flow, ts, s->proto == 6 ? "tcp" : "udp",
	    a0, s->sd[0].port, a1, s->sd[1].port, dirs[s->dir], s->phase,
	    s->app, lk, s->state, s->sd[0].npkts, s->sd[1].npkts, ar, rp,
	    ttl, init, hops, first != 0 ? os_name[s->rem_os] : "-", r1, r2,
	    s->how, s->vlan == 0 ? "-" : s->vlan == 1 ? "56" : "mixed",
	    s->note, ep, s->evidence,
	    s->remote >= 0 ? os_name[s->rem_stack] : "-",
	    s->remote < 0 ? "-" : s->rem_flap ? "flap" : "fixed");
}

/* Write the waiting truth lines, in flow order, as far as their links
 * are known; free the sessions that are also done. */
void
truth_flush(void)
{
	struct sess *s;

	while (synst.tqlen > 0) {
		s = synst.tq[synst.tqhead];
		if (s->partner != NULL && s->link == 0)
			break;
		if (synst.truthfp != NULL)
			truth_write(s);
		s->flushed = 1;
		synst.tqhead = (synst.tqhead + 1) % synst.tqcap;
		synst.tqlen--;
		if (s->done)
			sess_free(s);
	}
}

/* s sends its first packet: it becomes flow N (bh-sessions numbers
 * flows by first packet), and its line waits in the queue. */
void
truth_enqueue(struct sess *s)
{
	size_t i;
	struct sess **n;

	s->flow = ++synst.nflow;
	if (s->partner != NULL) {
		s->partner->link = s->flow;
		if (s->partner->flow != 0)
			s->link = s->partner->flow;
	}
	if (synst.tqlen == synst.tqcap) {
		n = xreallocarray(NULL, synst.tqcap ? synst.tqcap * 2 : 256, sizeof(*n));
		for (i = 0; i < synst.tqlen; i++)
			n[i] = synst.tq[(synst.tqhead + i) % synst.tqcap];
		free(synst.tq);
		synst.tq = n;
		synst.tqhead = 0;
		synst.tqcap = synst.tqcap ? synst.tqcap * 2 : 256;
	}
	synst.tq[(synst.tqhead + synst.tqlen) % synst.tqcap] = s;
	synst.tqlen++;
	s->queued = 1;
}

/* ---- writing packets -------------------------------------------------- */

/* The len bytes at stream offset off of side d (copied together when
 * they span pieces). */
const unsigned char *
payload(const struct side *d, uint32_t off, uint32_t len)
{
	size_t lo = 0, hi = d->npc, m;
	uint32_t k, n;

	while (hi - lo > 1) {
		m = (lo + hi) / 2;
		if (d->pc[m].off <= off)
			lo = m;
		else
			hi = m;
	}
	if (off + len <= d->pc[lo].off + d->pc[lo].n)
		return d->pc[lo].p + (off - d->pc[lo].off);
	for (k = 0; k < len; k += n, lo++) {
		n = d->pc[lo].off + d->pc[lo].n - (off + k);
		if (n > len - k)
			n = len - k;
		memcpy(synst.scratch + k, d->pc[lo].p + (off + k - d->pc[lo].off), n);
	}
	return synst.scratch;
}

/*
 * The SYN and SYN/ACK options of a stack, as its p0f 3 signature in
 * Debian's p0f.fp has them: Windows XP `mss,nop,nop,sok' (with
 * timestamps `mss,nop,ws,nop,nop,ts,nop,nop,sok'), Linux 2.6 and later
 * `mss,sok,ts,nop,ws' with a window scale of 7 (`mss,nop,nop,sok,nop,ws'
 * without timestamps), Solaris 10 `nop,ws,nop,nop,ts,nop,nop,sok,mss'
 * or `mss,nop,ws,nop,nop,sok'.
 */
static void
syn_options(struct bh_pb_pkt *p, int stack, int af)
{
	static const uint8_t win[] = { 2, 1, 1, 4 };
	static const uint8_t win_ts[] = { 2, 1, 3, 1, 1, 8, 1, 1, 4 };
	static const uint8_t lin[] = { 2, 1, 1, 4, 1, 3 };
	static const uint8_t lin_ts[] = { 2, 4, 8, 1, 3 };
	static const uint8_t sol[] = { 2, 1, 3, 1, 1, 4 };
	static const uint8_t sol_ts[] = { 1, 3, 1, 1, 8, 1, 1, 4, 2 };
	const uint8_t *l;
	size_t n;

	p->has_mss = 1;
	p->mss = af == 4 ? 1460 : 1440;
	p->sackok = 1;
	switch (stack) {
	case OS_WINDOWS:
		l = p->has_ts ? win_ts : win;
		n = p->has_ts ? sizeof(win_ts) : sizeof(win);
		p->wscale = p->has_ts ? 0 : -1;
		break;
	case OS_UNIX:
		l = p->has_ts ? lin_ts : lin;
		n = p->has_ts ? sizeof(lin_ts) : sizeof(lin);
		p->wscale = 7;
		break;
	default:
		l = p->has_ts ? sol_ts : sol;
		n = p->has_ts ? sizeof(sol_ts) : sizeof(sol);
		p->wscale = 0;
		break;
	}
	memcpy(p->optlayout, l, n);
	p->optn = (int)n;
}

void
emit(struct sess *s, const struct step *st)
{
	struct bh_pb_pkt p;
	struct side *d = &s->sd[st->side], *o = &s->sd[!st->side];
	size_t n;

	memset(&p, 0, sizeof(p));
	p.linktype = BH_DLT_EN10MB;
	p.wscale = -1;
	p.iplen = -1;
	p.ihl = -1;
	p.doff = -1;
	if (d->vlan) {
		p.nvlan = 1;
		p.vlan[0] = 56;
	}
	if (s->proto == 0) {
		/* ARP (RFC 826): who-has from the honeypot, or the reply */
		p.af = 0;
		p.macs = 1;
		p.ethertype = 0x0806;
		bh_pb_mac_from_ip(p.smac, 4, d->addr);
		if (st->side == 0)
			memset(p.dmac, 0xff, 6);
		else
			bh_pb_mac_from_ip(p.dmac, 4, o->addr);
		p.payload = payload(d, st->off, st->len);
		p.paylen = st->len;
		goto write;
	}
	p.af = s->af;
	memcpy(p.src, d->addr, 16);
	memcpy(p.dst, o->addr, 16);
	if (s->dir == DIR_LOCAL && o->addr[3] == 255) {
		p.macs = 1;
		bh_pb_mac_from_ip(p.smac, 4, d->addr);
		memset(p.dmac, 0xff, 6);
	}
	p.ttl = st->ttl;
	p.ipid = s->remote >= 0 && st->side != s->remote ? synst.hp_ipid++ :
	    d->ipid++;
	p.proto = (uint8_t)s->proto;
	p.sport = d->port;
	p.dport = o->port;
	if (s->proto == BH_IPPROTO_TCP) {
		p.df = 1;
		p.tcpflags = st->flags;
		p.seq = d->isn + st->seq;
		p.ack = st->flags & BH_TH_ACK ? o->isn + st->ack : 0;
		p.win = d->win;
		if (st->opt & OPT_TS) {
			p.has_ts = 1;
			p.tsval = st->tsval;
			p.tsecr = st->tsecr;
		}
		if (st->opt & OPT_SYN)
			syn_options(&p, d->stack, s->af);
		/* Linux answers a SYN with IP id 0 under DF (p0f.fp's Linux
		 * SYN/ACK signatures: quirk df, not id+) */
		if ((st->opt & OPT_SYN) && (st->flags & BH_TH_ACK) &&
		    d->stack == OS_UNIX)
			p.ipid = 0;
	}
	if (st->len > 0) {
		p.payload = payload(d, st->off, st->len);
		p.paylen = st->len;
	}
write:
	n = bh_pb_build(synst.frame, sizeof(synst.frame), &p);
	if (n == 0)
		bh_errx(BH_EXIT_FATAL, "internal: cannot build a packet");
	if (bh_pb_write_frame(&synst.pw, (uint64_t)st->t * 1000u, synst.frame, n) != 0)
		bh_err(BH_EXIT_FATAL, "write");
	synst.bytes_out += synst.pw.pcapng ? 32 + ((n + 3) & ~(size_t)3) : 16 + n;
	synst.pkts_out++;
}
