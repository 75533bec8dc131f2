/*
 * sessions-out.c - bh-sessions' output: a session of lib/flow.c to its
 * record (bh-sessions(1) says what each column holds), the escaping of
 * the heads, Zeek's conn_state, and the local networks that decide dir.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "sessions.h"

const char *const sessions_columns[NCOLUMNS] = {
	"flow", "proto", "ts", "dur", "orig_ip", "orig_port", "resp_ip",
	"resp_port", "dir", "state",
	"orig_pkts", "orig_bytes", "resp_pkts", "resp_bytes",
	"orig_ttl", "orig_ttl_min", "orig_ttl_max", "orig_ttl_chg",
	"resp_ttl", "resp_ttl_min", "resp_ttl_max", "resp_ttl_chg",
	"syn_ts", "synack_ts", "ack_ts", "syn_n", "synack_n",
	"syn_ans_ts", "synack_ans_ts",
	"orig_rtt_n", "orig_rtt_min_ms", "orig_rtt_avg_ms", "orig_rtt_max_ms",
	"resp_rtt_n", "resp_rtt_min_ms", "resp_rtt_avg_ms", "resp_rtt_max_ms",
	"orig_by", "end", "history",
	"orig_tsrtt_n", "orig_tsrtt_min_ms", "orig_tsrtt_med_ms",
	"orig_tsrtt_max_ms",
	"resp_tsrtt_n", "resp_tsrtt_min_ms", "resp_tsrtt_med_ms",
	"resp_tsrtt_max_ms",
	"syn_sig", "synack_sig", "syn_muon", "synack_muon",
	"orig_head", "resp_head", "orig_ev", "resp_ev",
};


/* Add "addr[/bits]" to the local networks; -1 when it does not parse. */
int
sessions_add_net(struct sessions_out *so, const char *s)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long bits;
	struct net *n;
	unsigned i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	if (so->nnets >= MAX_NETS)
		return -2;
	strcpy(buf, s);
	n = &so->nets[so->nnets];
	memset(n, 0, sizeof(*n));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1)
		n->af = 4;
	else if (inet_pton(AF_INET6, buf, n->addr) == 1)
		n->af = 6;
	else
		return -1;
	bits = n->af == 4 ? 32 : 128;
	if (slash != NULL &&
	    bh_parse_uint(slash, n->af == 4 ? 32 : 128, &bits) == -1)
		return -1;
	n->bits = (unsigned)bits;
	/* Clear the host bits so matching is a plain compare. */
	for (i = n->bits; i < 128; i++)
		n->addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	so->nnets++;
	return 0;
}

static int
is_local(const struct sessions_out *so, int af, const unsigned char *a)
{
	const struct net *n;
	unsigned full, rest;
	int i;

	for (i = 0; i < so->nnets; i++) {
		n = &so->nets[i];
		if (n->af != af)
			continue;
		full = n->bits / 8;
		rest = n->bits % 8;
		if (memcmp(n->addr, a, full) != 0)
			continue;
		if (rest != 0 && ((a[full] ^ n->addr[full]) &
		    (unsigned char)(0xff00u >> rest)) != 0)
			continue;
		return 1;
	}
	return 0;
}

/* ---- formatting ---- */

struct out {
	char	*p;
};

static void
put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o->p, s, n);
	o->p += n;
}

static void
put_tab(struct out *o)
{
	*o->p++ = '\t';
}

static void
put_u64(struct out *o, uint64_t v)
{
	o->p += bh_fmt_u64(o->p, v);
}

static void
put_ts(struct out *o, int64_t usec)
{
	if (usec == BH_FLOW_UNSET)
		put(o, "-");
	else
		o->p += bh_fmt_usec_s(o->p, usec);
}

static void
put_off(struct out *o, const struct bh_flow *f, uint32_t off)
{
	put_ts(o, off == BH_FLOW_NOOFF ? BH_FLOW_UNSET : f->ts + off);
}

/* Dotted quad by hand (inet_ntop goes through printf); IPv6 in the
 * RFC 5952 form of inet_ntop. */
static void
put_ip(struct out *o, int af, const unsigned char *a)
{
	char buf[INET6_ADDRSTRLEN];
	int i;

	if (af == 4) {
		for (i = 0; i < 4; i++) {
			if (i > 0)
				*o->p++ = '.';
			if (a[i] >= 100)
				*o->p++ = (char)('0' + a[i] / 100);
			if (a[i] >= 10)
				*o->p++ = (char)('0' + a[i] / 10 % 10);
			*o->p++ = (char)('0' + a[i] % 10);
		}
		return;
	}
	if (inet_ntop(AF_INET6, a, buf, sizeof(buf)) == NULL)
		strcpy(buf, "-");
	put(o, buf);
}

static void
put_ttl(struct out *o, const struct bh_flow_side *s)
{
	if (s->pkts == 0) {
		put(o, "-\t-\t-\t-");
		return;
	}
	put_u64(o, s->ttl_first);
	put_tab(o);
	put_u64(o, s->ttl_min);
	put_tab(o);
	put_u64(o, s->ttl_max);
	put_tab(o);
	put_u64(o, s->ttl_chg);
}

static void
put_rtt(struct out *o, const struct bh_flow *f, const struct bh_flow_side *s)
{
	if (f->proto != BH_IPPROTO_TCP) {
		put(o, "-\t-\t-\t-");
		return;
	}
	put_u64(o, s->rtt_n);
	if (s->rtt_n == 0) {
		put(o, "\t-\t-\t-");
		return;
	}
	put_tab(o);
	o->p += bh_fmt_usec_ms(o->p, s->rtt_min);
	put_tab(o);
	o->p += bh_fmt_usec_ms(o->p, (int64_t)((s->rtt_sum + s->rtt_n / 2) /
	    s->rtt_n));
	put_tab(o);
	o->p += bh_fmt_usec_ms(o->p, s->rtt_max);
}

/* n/min/median/max of a side's TS-RTT samples: '-' when not TCP. */
static void
put_tsrtt(struct out *o, const struct bh_flow *f,
    const struct bh_flow_side *s)
{
	if (f->proto != BH_IPPROTO_TCP) {
		put(o, "-\t-\t-\t-");
		return;
	}
	put_u64(o, s->tsr_n);
	if (s->tsr_n == 0) {
		put(o, "\t-\t-\t-");
		return;
	}
	put_tab(o);
	o->p += bh_fmt_usec_ms(o->p, s->tsr_min);
	put_tab(o);
	o->p += bh_fmt_usec_ms(o->p, s->tsr_med);
	put_tab(o);
	o->p += bh_fmt_usec_ms(o->p, s->tsr_max);
}

/* The texts of one fingerprint: from the memo, else written into it.
 * last is the slot of the same kind of packet of the session before:
 * a capture's sessions often share a fingerprint one after the other,
 * and a slot that still holds it needs no hash. */
static const struct sig_memo *
sig_texts(struct sessions_out *so, const struct bh_tcpfp *fp,
    unsigned syn_mss, struct sig_memo **last)
{
	struct sig_memo *m = *last;
	uint64_t h = syn_mss;
	uint64_t w[sizeof(*fp) / 8];
	size_t i;

	if (m != NULL && m->plen != 0 && m->syn_mss == syn_mss &&
	    memcmp(&m->fp, fp, sizeof(*fp)) == 0)
		return m;
	memcpy(w, fp, sizeof(w));
	/* One mix over a multiply-fold of the words: a slot, not a key. */
	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	h = bh_mix64(h);
	*last = m = &so->sigs[h % SIG_MEMO];
	if (m->plen != 0 && m->syn_mss == syn_mss &&
	    memcmp(&m->fp, fp, sizeof(*fp)) == 0)
		return m;
	m->fp = *fp;
	m->syn_mss = syn_mss;
	m->plen = bh_tcpfp_p0f(fp, syn_mss, m->p0f, sizeof(m->p0f));
	m->mlen = bh_tcpfp_muon(fp, m->muon, sizeof(m->muon));
	return m;
}

static void
put_n(struct out *o, const char *s, size_t n)
{
	memcpy(o->p, s, n);
	o->p += n;
}

/*
 * The SYN's and the SYN/ACK's p0f signature and MuonFP string.  The two
 * may share a memo slot: the SYN's MuonFP text is kept before the
 * SYN/ACK's are looked up.
 */
static void
put_sigs(struct sessions_out *so, struct out *o, const struct bh_flow *f)
{
	const struct sig_memo *m;
	char muon0[BH_TCPFP_SIGMAX];
	size_t n0 = 1;

	muon0[0] = '-';
	if (f->fp[0].have && (m = sig_texts(so, &f->fp[0], 0,
	    &so->sig_last[0]))->plen > 0) {
		put_n(o, m->p0f, (size_t)m->plen);
		if (m->mlen > 0)
			memcpy(muon0, m->muon, n0 = (size_t)m->mlen);
	} else
		put_n(o, "-", 1);
	put_tab(o);
	m = f->fp[1].have ? sig_texts(so, &f->fp[1], f->fp[0].have ?
	    f->fp[0].mss : 0, &so->sig_last[1]) : NULL;
	if (m != NULL && m->plen > 0)
		put_n(o, m->p0f, (size_t)m->plen);
	else
		put_n(o, "-", 1);
	put_tab(o);
	put_n(o, muon0, n0);
	put_tab(o);
	if (m != NULL && m->mlen > 0)
		put_n(o, m->muon, (size_t)m->mlen);
	else
		put_n(o, "-", 1);
}

/*
 * Does any of the 8 bytes in x need escaping: < 0x20, >= 0x7f, or the
 * backslash?  (SWAR tests after "Bit Twiddling Hacks": a byte below n,
 * a zero byte; a false alarm only makes the caller look byte by byte.)
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static int
word_special(uint64_t x)
{
	uint64_t lt20 = (x - 0x20 * ONES) & ~x & HIGHS;
	uint64_t ge7f = (x | (x + ONES)) & HIGHS;
	uint64_t bs = x ^ (0x5c * ONES);

	bs = (bs - ONES) & ~bs & HIGHS;
	return (lt20 | ge7f | bs) != 0;
}

/* The escaped form of each byte, taken from bh_escape() itself (as the
 * second byte of a two-byte field, so '-' stays '-'). */

static void
esc_init(struct sessions_out *so)
{
	unsigned char in[2];
	char out[4 * 2 + 5];
	size_t n;
	int c;

	for (c = 0; c < 256; c++) {
		in[0] = 'a';
		in[1] = (unsigned char)c;
		n = bh_escape(out, in, 2) - 1;
		if (n > sizeof(so->esc_str[c]))
			bh_errx(BH_EXIT_FATAL, "escape of byte %d too long", c);
		memcpy(so->esc_str[c], out + 1, n);
		so->esc_len[c] = (unsigned char)n;
	}
}

/*
 * An escaped head, as bh_escape() writes it: printable ASCII other than
 * the backslash (what bh(7) leaves as it is) is copied 8 bytes at a
 * time, other bytes from the table above.  A field that is just "-" is
 * bh_escape()'s to write.
 */
static void
put_head(const struct sessions_out *so, struct out *o, const unsigned char *h,
    size_t n)
{
	uint64_t w;
	size_t i = 0, end;

	if (n == 0) {
		put(o, "-");
		return;
	}
	if (n == 1) {
		o->p += bh_escape(o->p, h, n);
		return;
	}
	while (i < n) {
		end = n - i >= 8 ? i + 8 : n;
		if (end - i == 8) {
			memcpy(&w, h + i, 8);
			if (!word_special(w)) {
				memcpy(o->p, h + i, 8);
				o->p += 8;
				i += 8;
				continue;
			}
		}
		for (; i < end; i++) {
			memcpy(o->p, so->esc_str[h[i]], 4);
			o->p += so->esc_len[h[i]];
		}
	}
	*o->p = '\0';
}

/* Zeek's RSTOS0 test: history matches /^\^?S[^HAFGIQ]*R.*$/. */
static int
rstos0_history(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return 0;
	for (; *h != '\0'; h++) {
		if (*h == 'R')
			return 1;
		if (strchr("HAFGIQ", *h) != NULL)
			return 0;
	}
	return 0;
}

/* Zeek's conn_state() (base/protocols/conn/main.zeek), from the endpoint
 * states; payload bytes stand in for Zeek's sequence-space sizes. */
static const char *
conn_state(const struct bh_flow *f, const char *history)
{
	int os = f->side[0].state, rs = f->side[1].state;
	int o_inactive = os == BH_TCP_INACTIVE || os == BH_TCP_PARTIAL;
	int r_inactive = rs == BH_TCP_INACTIVE || rs == BH_TCP_PARTIAL;

	if (rs == BH_TCP_RESET) {
		if (os == BH_TCP_SYN_SENT || os == BH_TCP_SYN_ACK_SENT ||
		    (os == BH_TCP_RESET && f->side[0].bytes == 0 &&
		    f->side[1].bytes == 0))
			return "REJ";
		return o_inactive ? "RSTRH" : "RSTR";
	}
	if (os == BH_TCP_RESET) {
		if (r_inactive)
			return rstos0_history(history) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (rs == BH_TCP_CLOSED && os == BH_TCP_CLOSED)
		return "SF";
	if (os == BH_TCP_CLOSED)
		return r_inactive ? "SH" : "S2";
	if (rs == BH_TCP_CLOSED)
		return o_inactive ? "SHR" : "S3";
	if (os == BH_TCP_SYN_SENT && rs == BH_TCP_INACTIVE)
		return "S0";
	if (os == BH_TCP_ESTABLISHED && rs == BH_TCP_ESTABLISHED)
		return "S1";
	return "OTH";
}

static const char *
proto_name(int proto, char *buf)
{
	switch (proto) {
	case BH_IPPROTO_TCP:
		return "tcp";
	case BH_IPPROTO_UDP:
		return "udp";
	case BH_IPPROTO_ICMP:
		return "icmp";
	case BH_IPPROTO_ICMP6:
		return "icmp6";
	}
	bh_fmt_u64(buf, (uint64_t)proto);
	return buf;
}

static const char *
dir_name(const struct sessions_out *so, const struct bh_flow *f)
{
	int lo, lr;

	if (so->nnets == 0)
		return "-";
	lo = is_local(so, f->af, f->addr[0]);
	lr = is_local(so, f->af, f->addr[1]);
	if (lo && lr)
		return "local";
	if (lo)
		return "out";
	if (lr)
		return "in";
	return "ext";
}

/* The emit callback: one record, formatted only now. */
void
sessions_emit(void *arg, const struct bh_flow *f, const unsigned char *oh,
    size_t on, const unsigned char *rh, size_t rn, const struct bh_ev *ev)
{
	struct sessions_out *so = arg;
	static const char *const by[] = { "-", "syn", "synack", "first" };
	static const char *const ends[] = { "-", "fin", "rst", "idle",
	    "reuse", "evict", "eof" };
	char hist[BH_FLOW_HISTORY + 1], num[BH_NUMBUF];
	struct out o;
	int tcp = f->proto == BH_IPPROTO_TCP, ports;

	ports = tcp || f->proto == BH_IPPROTO_UDP;
	memcpy(hist, f->history, f->hist_len);
	hist[f->hist_len] = '\0';
	o.p = so->obuf;
	put_u64(&o, f->id);
	put_tab(&o);
	put(&o, proto_name(f->proto, num));
	put_tab(&o);
	put_ts(&o, f->ts);
	put_tab(&o);
	o.p += bh_fmt_usec_s(o.p, f->dur_end > f->ts ? f->dur_end - f->ts : 0);
	put_tab(&o);
	put_ip(&o, f->af, f->addr[0]);
	put_tab(&o);
	if (ports)
		put_u64(&o, f->port[0]);
	else
		put(&o, "-");
	put_tab(&o);
	put_ip(&o, f->af, f->addr[1]);
	put_tab(&o);
	if (ports)
		put_u64(&o, f->port[1]);
	else
		put(&o, "-");
	put_tab(&o);
	put(&o, dir_name(so, f));
	put_tab(&o);
	put(&o, tcp ? conn_state(f, hist) : "-");
	put_tab(&o);
	put_u64(&o, f->side[0].pkts);
	put_tab(&o);
	put_u64(&o, f->side[0].bytes);
	put_tab(&o);
	put_u64(&o, f->side[1].pkts);
	put_tab(&o);
	put_u64(&o, f->side[1].bytes);
	put_tab(&o);
	put_ttl(&o, &f->side[0]);
	put_tab(&o);
	put_ttl(&o, &f->side[1]);
	put_tab(&o);
	if (tcp) {
		put_off(&o, f, f->syn_off);
		put_tab(&o);
		put_off(&o, f, f->synack_off);
		put_tab(&o);
		put_off(&o, f, f->ack_off);
		put_tab(&o);
		put_u64(&o, f->syn_n);
		put_tab(&o);
		put_u64(&o, f->synack_n);
		put_tab(&o);
		put_ts(&o, bh_flow_answered_ts(f, 0));
		put_tab(&o);
		put_ts(&o, bh_flow_answered_ts(f, 1));
	} else
		put(&o, "-\t-\t-\t-\t-\t-\t-");
	put_tab(&o);
	put_rtt(&o, f, &f->side[0]);
	put_tab(&o);
	put_rtt(&o, f, &f->side[1]);
	put_tab(&o);
	put(&o, by[f->orig_by < 4 ? f->orig_by : 0]);
	put_tab(&o);
	put(&o, ends[f->end < 7 ? f->end : 0]);
	put_tab(&o);
	put(&o, f->hist_len > 0 ? hist : "-");
	put_tab(&o);
	put_tsrtt(&o, f, &f->side[0]);
	put_tab(&o);
	put_tsrtt(&o, f, &f->side[1]);
	put_tab(&o);
	put_sigs(so, &o, f);
	put_tab(&o);
	put_head(so, &o, oh, on);
	put_tab(&o);
	put_head(so, &o, rh, rn);
	put_tab(&o);
	o.p += bh_ev_format(ev, 0, oh, on, o.p);
	put_tab(&o);
	o.p += bh_ev_format(ev, 1, rh, rn, o.p);
	*o.p++ = '\n';
	if (fwrite(so->obuf, 1, (size_t)(o.p - so->obuf), so->fp) !=
	    (size_t)(o.p - so->obuf))
		bh_err(BH_EXIT_FATAL, "write error on standard output");
	so->records++;
}

int
sessions_local_env(struct sessions_out *so)
{
	const char *env = getenv("BH_LOCAL");
	char *s, *tok;
	int rc = 0;

	if (env == NULL)
		return 0;
	s = xstrdup(env);
	for (tok = strtok(s, " ,\t\n"); tok != NULL && rc == 0;
	    tok = strtok(NULL, " ,\t\n"))
		if ((rc = sessions_add_net(so, tok)) == -1)
			bh_warnx("BH_LOCAL: bad network: %s", tok);
		else if (rc == -2)
			bh_warnx("BH_LOCAL: too many local networks (at most "
			    "%d)", MAX_NETS);
	free(s);
	return rc == 0 ? 0 : -1;
}

void
sessions_out_start(struct sessions_out *so, FILE *fp, uint32_t head_max)
{
	so->fp = fp;
	esc_init(so);
	so->obufcap = 2 * (4 * (size_t)head_max + 5) +
	    2 * (bh_ev_format_max() + 1) + 4 * BH_TCPFP_SIGMAX + 2048;
	so->obuf = xmalloc(so->obufcap);
	so->sigs = xcalloc(SIG_MEMO, sizeof(*so->sigs));
	so->sig_last[0] = so->sig_last[1] = NULL;
}

void
sessions_out_header(struct sessions_out *so)
{
	size_t i;

	putc('#', so->fp);
	for (i = 0; i < NCOLUMNS; i++) {
		if (i > 0)
			putc('\t', so->fp);
		fputs(sessions_columns[i], so->fp);
	}
	putc('\n', so->fp);
}

void
sessions_out_free(struct sessions_out *so)
{
	free(so->obuf);
	so->obuf = NULL;
	free(so->sigs);
	so->sigs = NULL;
}
