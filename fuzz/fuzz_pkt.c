/*
 * fuzz_pkt - packet decoding (lib/pkt.c) and the session table
 * (lib/flow.c) fed by arbitrary frames of every link type.
 *
 * The input is read like a little-endian pcap file, leniently and without
 * libpcap, so that every record header value reaches the decoder: the
 * 24-byte file header gives the link type (any number: unsupported ones
 * must be refused), then records of ts_sec, ts_usec, caplen, len and
 * caplen bytes (cut at the end of the input).  Seeds are bh-mkpcap
 * captures.  Bytes 8..15 of the file header (thiszone and sigfigs, 0 in
 * real files) choose the table's limits, so the fuzzer also explores tiny
 * session caps, heads, timeouts and segment pools.
 *
 * Checked besides memory safety: the decoder is deterministic and its
 * payload lies inside the captured bytes; every session is emitted
 * exactly once, with heads within the cap that escape to printable text
 * and unescape back; the live count never passes the cap; every TCP
 * packet's fingerprint (lib/tcpfp.c) writes a p0f signature of 8 fields
 * and a MuonFP string of 4 within their bound, and a session's TS-RTT
 * median lies between its minimum and maximum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "fz.h"

struct ctx {
	uint32_t	 head_max;
	unsigned char	*seen;		/* emitted flow ids */
	size_t		 seencap;
	uint64_t	 emitted;
	char		*esc;
	unsigned char	*unesc;
};

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
check_head(struct ctx *c, const unsigned char *h, size_t n)
{
	size_t len;
	long back;

	if (n > c->head_max)
		bh_fuzz_fail("head longer than the cap", NULL, 0);
	if (n == 0)
		return;
	len = bh_escape(c->esc, h, n);
	if (len > 4 * n + 4 || strlen(c->esc) != len)
		bh_fuzz_fail("escaped head has the wrong length", c->esc,
		    len);
	if (!bh_fuzz_is_text(c->esc, len) || memchr(c->esc, '\t', len) ||
	    memchr(c->esc, '\n', len))
		bh_fuzz_fail("escaped head not printable", c->esc, len);
	back = bh_unescape(c->unesc, c->esc);
	if (back != (long)n || memcmp(c->unesc, h, n) != 0)
		bh_fuzz_fail("head does not unescape to its bytes", c->esc,
		    len);
}

/* The evidence columns: within their bound, printable, and each item
 * of the list "KOFF:TEXT" unescapes, or names bytes the head holds
 * ("mOFF/LEN"). */
static void
check_ev(const struct bh_ev *ev, const unsigned char *oh, size_t on,
    const unsigned char *rh, size_t rn)
{
	static char *buf;
	static unsigned char *raw;
	size_t max = bh_ev_format_max(), n;
	char *item, *save;
	int d;

	if (buf == NULL) {
		buf = xmalloc(max + 1);
		raw = xmalloc(max + 1);
	}
	for (d = 0; d < 2; d++) {
		n = bh_ev_format(ev, d, d ? rh : oh, d ? rn : on, buf);
		if (n > max || strlen(buf) != n)
			bh_fuzz_fail("evidence longer than its bound", buf, n);
		if (!bh_fuzz_is_text(buf, n) || strchr(buf, '\t') != NULL)
			bh_fuzz_fail("evidence not printable", buf, n);
		if (strcmp(buf, "-") == 0)
			continue;
		for (item = strtok_r(buf, ",", &save); item != NULL;
		    item = strtok_r(NULL, ",", &save)) {
			char *colon = strchr(item, ':');
			uint32_t o, l;

			if (item[0] == '+')
				continue;
			if (colon == NULL && bh_ev_ref(item, &o, &l) == 0) {
				if ((size_t)o + l > (d ? rn : on))
					bh_fuzz_fail("a reference beyond the head",
					    item, strlen(item));
				continue;
			}
			if (strchr("mhl", item[0]) == NULL || colon == NULL ||
			    bh_unescape(raw, colon + 1) < 0)
				bh_fuzz_fail("evidence item malformed", item,
				    strlen(item));
		}
	}
}

/* A fingerprint's texts: within the bound, printable, 8 and 4 fields. */
static void
check_fp(const struct bh_tcpfp *fp, unsigned syn_mss)
{
	char buf[BH_TCPFP_SIGMAX];
	int n, i, colons;

	if (!fp->have)
		return;
	if (fp->ocnt > BH_TCPFP_OPTS)
		bh_fuzz_fail("more option kinds than kept", NULL, 0);
	n = bh_tcpfp_p0f(fp, syn_mss, buf, sizeof(buf));
	if (n <= 0 || (size_t)n != strlen(buf) || !bh_fuzz_is_text(buf, n))
		bh_fuzz_fail("p0f signature cut or not text", buf,
		    n > 0 ? (size_t)n : 0);
	for (i = 0, colons = 0; i < n; i++)
		colons += buf[i] == ':';
	if (colons != 7 || (strcmp(buf + n - 2, ":0") != 0 &&
	    strcmp(buf + n - 2, ":+") != 0))
		bh_fuzz_fail("p0f signature malformed", buf, (size_t)n);
	n = bh_tcpfp_muon(fp, buf, sizeof(buf));
	if (n <= 0 || (size_t)n != strlen(buf) || !bh_fuzz_is_text(buf, n))
		bh_fuzz_fail("MuonFP string cut or not text", buf,
		    n > 0 ? (size_t)n : 0);
	for (i = 0, colons = 0; i < n; i++)
		colons += buf[i] == ':';
	if (colons != 3)
		bh_fuzz_fail("MuonFP string malformed", buf, (size_t)n);
}

static void
emit(void *arg, const struct bh_flow *f, const unsigned char *oh, size_t on,
    const unsigned char *rh, size_t rn, const struct bh_ev *ev)
{
	struct ctx *c = arg;
	int64_t a;

	if (f->id == 0 || f->id >= c->seencap || c->seen[f->id])
		bh_fuzz_fail("flow id emitted twice or out of range", NULL, 0);
	c->seen[f->id] = 1;
	c->emitted++;
	if (f->af != 4 && f->af != 6)
		bh_fuzz_fail("session without an address family", NULL, 0);
	if (f->side[0].pkts + f->side[1].pkts == 0)
		bh_fuzz_fail("session without packets", NULL, 0);
	if (f->end == BH_END_NONE || f->end > BH_END_EOF ||
	    f->orig_by > BH_BY_FIRST)
		bh_fuzz_fail("bad end or orig_by", NULL, 0);
	if (f->hist_len >= BH_FLOW_HISTORY)
		bh_fuzz_fail("history overflows", NULL, 0);
	if (f->side[0].rtt_n > 0 && f->side[0].rtt_min > f->side[0].rtt_max)
		bh_fuzz_fail("rtt min > max", NULL, 0);
	for (a = 0; a < 2; a++) {
		int64_t t = bh_flow_answered_ts(f, (int)a);

		if (t != BH_FLOW_UNSET && t < f->ts)
			bh_fuzz_fail("answered transmission before the "
			    "session", NULL, 0);
	}
	for (a = 0; a < 2; a++) {
		const struct bh_flow_side *sd = &f->side[a];

		if (sd->tsr_n > 0 && (sd->tsr_min > sd->tsr_med ||
		    sd->tsr_med > sd->tsr_max))
			bh_fuzz_fail("TS-RTT median outside min..max", NULL,
			    0);
	}
	if (f->fp[0].have && f->fp[0].synack)
		bh_fuzz_fail("the SYN's fingerprint is a SYN/ACK's", NULL, 0);
	check_fp(&f->fp[0], 0);
	check_fp(&f->fp[1], f->fp[0].have ? f->fp[0].mss : 0);
	check_head(c, oh, on);
	check_head(c, rh, rn);
	check_ev(ev, oh, on, rh, rn);
}

/* The table's limits from the knob bytes (0: bh-sessions' defaults). */
static void
config(struct bh_flow_cfg *cfg, const uint8_t *k)
{
	static const uint32_t heads[] = {
		0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 64, 255, 256, 300, 1500,
		BH_FLOW_HEAD_MAX
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_live = k[0] != 0 ? k[0] : 64;
	cfg->head_max = k[1] != 0 ? heads[k[1] % 16] : 256;
	if (k[2] == 0) {
		cfg->tmo_tcp = 300 * 1000000LL;
		cfg->tmo_udp = cfg->tmo_other = 60 * 1000000LL;
		cfg->linger = 5 * 1000000LL;
	} else {
		cfg->tmo_tcp = (int64_t)(k[2] & 7) * 1000000;
		cfg->tmo_udp = (int64_t)((k[2] >> 3) & 3) * 500000;
		cfg->tmo_other = cfg->tmo_udp;
		cfg->linger = (int64_t)(k[2] >> 5) * 100000;
	}
	cfg->seg_pool = k[3] != 0 ? (uint32_t)k[3] * 3 : 0;
	cfg->ts_pool = (uint32_t)(k[1] >> 4);
	cfg->seed = le32(k + 4);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_flow_cfg cfg;
	struct bh_flow_table *t;
	const struct bh_flow_stats *st;
	struct bh_pkt p, p2;
	struct ctx c;
	enum bh_pkt_status s, s2;
	const uint8_t *q = data, *end = data + size;
	unsigned char *frame;
	uint32_t caplen, wirelen;
	int64_t ts;
	int dlt;

	if (size < 24)
		return 0;
	dlt = (int)le32(data + 20);
	config(&cfg, data + 8);
	memset(&c, 0, sizeof(c));
	c.head_max = cfg.head_max;
	c.seencap = size / 16 + 2;
	c.seen = calloc(c.seencap, 1);
	c.esc = malloc(4 * (size_t)cfg.head_max + 5);
	c.unesc = malloc((size_t)cfg.head_max * 4 + 5);
	cfg.emit = emit;
	cfg.arg = &c;
	t = bh_flow_new(&cfg);
	(void)bh_pkt_linktype_name(dlt);
	for (q = data + 24; end - q >= 16; q += caplen) {
		ts = (int64_t)le32(q) * 1000000 + le32(q + 4);
		caplen = le32(q + 8);
		wirelen = le32(q + 12);
		q += 16;
		if (caplen > (size_t)(end - q))
			caplen = (uint32_t)(end - q);
		/* An exact copy: a read past caplen is a heap overflow. */
		frame = malloc(caplen ? caplen : 1);
		memcpy(frame, q, caplen);
		s = bh_pkt_decode(dlt, frame, caplen, wirelen, &p);
		s2 = bh_pkt_decode(dlt, frame, caplen, wirelen, &p2);
		if (s != s2 || (s == BH_PKT_OK && memcmp(&p, &p2,
		    sizeof(p)) != 0))
			bh_fuzz_fail("decoder is not deterministic", NULL, 0);
		(void)bh_pkt_reason(s);
		if (s == BH_PKT_OK) {
			if (p.payload_cap > p.payload_len ||
			    (p.payload_cap > 0 && (p.payload < frame ||
			    p.payload + p.payload_cap > frame + caplen)))
				bh_fuzz_fail("payload outside the captured "
				    "bytes", NULL, 0);
			if ((p.af != 4 && p.af != 6) ||
			    p.vlan_n > BH_PKT_MAX_VLAN || p.frag > 2)
				bh_fuzz_fail("decoded fields out of range",
				    NULL, 0);
			if (p.tcp_opt != NULL && (p.tcp_opt < frame ||
			    p.tcp_opt + p.tcp_optlen > frame + caplen))
				bh_fuzz_fail("TCP options outside the "
				    "captured bytes", NULL, 0);
			if (p.proto == BH_IPPROTO_TCP) {
				struct bh_tcpfp fp;

				if (bh_tcpfp_take(&p, &fp) == 0)
					check_fp(&fp, (unsigned)(ts & 0xffff));
			}
			(void)bh_flow_packet(t, ts, &p);
		}
		free(frame);
	}
	bh_flow_flush(t);
	st = bh_flow_stats(t);
	if (c.emitted != st->sessions)
		bh_fuzz_fail("sessions created and emitted differ", NULL, 0);
	if (st->live_max > cfg.max_live || st->evicted > st->sessions)
		bh_fuzz_fail("live sessions above the cap", NULL, 0);
	bh_flow_free(t);
	free(c.seen);
	free(c.esc);
	free(c.unesc);
	return 0;
}
