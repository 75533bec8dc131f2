/*
 * bh-sessions - packets to session records, in one pass, in bounded memory.
 *
 * Reads pcap and pcapng captures (libpcap) from the named files or stdin,
 * several files as one continuous capture; writes one record per TCP, UDP,
 * ICMP or other IP session as the session ends (DESIGN §2): counts, TTLs,
 * handshake times, tcptrace-style data-ACK RTT samples, Zeek's conn_state
 * and history, and the first bytes of each side's stream, escaped.
 *
 * Where it deviates from its peers: the originator of a capture that
 * starts mid-handshake is the SYN/ACK's receiver (Zeek keeps the sender
 * unless its port heuristic flips it); a SYN that goes unanswered stays
 * one session until the tcp idle timeout (Zeek ends the attempt after
 * 5 s); *_bytes count every payload byte per the IP length, retransmitted
 * or not (Zeek counts sequence space); RTT samples treat a reordered
 * segment like a retransmission (tcptrace keeps every segment to tell
 * them apart; we keep a few).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bh.h"

#define DEFAULT_HEAD	256
#define DEFAULT_LIVE	100000
#define MAX_NETS	256
/* Skip reasons beyond the decoder's: a later fragment without a first;
 * a time stamp out of range. */
#define SKIP_FRAG	BH_PKT_NSTATUS
#define SKIP_TIME	(BH_PKT_NSTATUS + 1)
#define NSKIP		(BH_PKT_NSTATUS + 2)
/* A pcapng time stamp is 64 bits of any unit; past 31700 years from the
 * epoch, microseconds (and their sums and differences in the session
 * table) would not fit an int64_t. */
#define MAX_TS_SEC	1000000000000LL

static const char *const columns[] = {
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
	"orig_head", "resp_head",
};

/* A local network (-L, BH_LOCAL). */
struct net {
	int		 af;
	unsigned char	 addr[16];
	unsigned	 bits;
};

static struct net nets[MAX_NETS];
static int nnets;
static char *obuf;		/* one record */
static size_t obufcap;

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-hq] [--strict] [-L net] [-m sessions] "
	    "[-s bytes]\n"
	    "       [-t tcp=SEC,udp=SEC,other=SEC,linger=SEC] [file ...]\n",
	    bh_progname);
	exit(BH_EXIT_FATAL);
}

/* Add "addr[/bits]" to the local networks; -1 when it does not parse. */
static int
add_net(const char *s)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long bits;
	struct net *n;
	unsigned i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	if (nnets >= MAX_NETS)
		bh_errx(BH_EXIT_FATAL, "too many local networks (at most %d)",
		    MAX_NETS);
	strcpy(buf, s);
	n = &nets[nnets];
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
	nnets++;
	return 0;
}

static int
is_local(int af, const unsigned char *a)
{
	const struct net *n;
	unsigned full, rest;
	int i;

	for (i = 0; i < nnets; i++) {
		n = &nets[i];
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

/* -t tcp=300,udp=60,other=60,linger=5 (durations as bh_parse_duration). */
static void
parse_timeouts(char *s, struct bh_flow_cfg *cfg)
{
	char *tok, *eq;
	int64_t v;

	for (tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ",")) {
		if ((eq = strchr(tok, '=')) == NULL)
			bh_errx(BH_EXIT_FATAL, "-t %s: want NAME=SECONDS", tok);
		*eq++ = '\0';
		if (bh_parse_duration(eq, &v) == -1)
			bh_errx(BH_EXIT_FATAL, "-t %s=%s: bad duration", tok,
			    eq);
		if (strcmp(tok, "tcp") == 0)
			cfg->tmo_tcp = v;
		else if (strcmp(tok, "udp") == 0)
			cfg->tmo_udp = v;
		else if (strcmp(tok, "other") == 0)
			cfg->tmo_other = v;
		else if (strcmp(tok, "linger") == 0)
			cfg->linger = v;
		else
			bh_errx(BH_EXIT_FATAL, "-t %s: unknown timeout (tcp, "
			    "udp, other, linger)", tok);
	}
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
	if (f->proto != BH_PKT_TCP) {
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
static char esc_str[256][4];
static unsigned char esc_len[256];

static void
esc_init(void)
{
	unsigned char in[2];
	char out[4 * 2 + 5];
	size_t n;
	int c;

	for (c = 0; c < 256; c++) {
		in[0] = 'a';
		in[1] = (unsigned char)c;
		n = bh_escape(out, in, 2) - 1;
		if (n > sizeof(esc_str[c]))
			bh_errx(BH_EXIT_FATAL, "escape of byte %d too long", c);
		memcpy(esc_str[c], out + 1, n);
		esc_len[c] = (unsigned char)n;
	}
}

/*
 * An escaped head, as bh_escape() writes it: printable ASCII other than
 * the backslash (what DESIGN §1 leaves as it is) is copied 8 bytes at a
 * time, other bytes from the table above.  A field that is just "-" is
 * bh_escape()'s to write.
 */
static void
put_head(struct out *o, const unsigned char *h, size_t n)
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
			memcpy(o->p, esc_str[h[i]], 4);
			o->p += esc_len[h[i]];
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
	case BH_PKT_TCP:
		return "tcp";
	case BH_PKT_UDP:
		return "udp";
	case BH_PKT_ICMP:
		return "icmp";
	case BH_PKT_ICMP6:
		return "icmp6";
	}
	bh_fmt_u64(buf, (uint64_t)proto);
	return buf;
}

static const char *
dir_name(const struct bh_flow *f)
{
	int lo, lr;

	if (nnets == 0)
		return "-";
	lo = is_local(f->af, f->addr[0]);
	lr = is_local(f->af, f->addr[1]);
	if (lo && lr)
		return "local";
	if (lo)
		return "out";
	if (lr)
		return "in";
	return "ext";
}

/* The emit callback: one record, formatted only now. */
static void
emit(void *arg, const struct bh_flow *f, const unsigned char *oh, size_t on,
    const unsigned char *rh, size_t rn)
{
	static const char *const by[] = { "-", "syn", "synack", "first" };
	static const char *const ends[] = { "-", "fin", "rst", "idle",
	    "reuse", "evict", "eof" };
	char hist[BH_FLOW_HISTORY + 1], num[BH_NUMBUF];
	struct out o;
	int tcp = f->proto == BH_PKT_TCP, ports;

	(void)arg;
	ports = tcp || f->proto == BH_PKT_UDP;
	memcpy(hist, f->history, f->hist_len);
	hist[f->hist_len] = '\0';
	o.p = obuf;
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
	put(&o, dir_name(f));
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
	put_head(&o, oh, on);
	put_tab(&o);
	put_head(&o, rh, rn);
	*o.p++ = '\n';
	if (fwrite(obuf, 1, (size_t)(o.p - obuf), stdout) !=
	    (size_t)(o.p - obuf))
		bh_err(BH_EXIT_FATAL, "write error on standard output");
}

/* ---- reading ---- */

struct run {
	struct bh_flow_table *table;
	int		 strict;
	int		 status;
	uint64_t	 skip[NSKIP];
	uint64_t	 backwards;	/* packets older than the one before */
	int64_t		 last_ts;
	int		 have_ts;
};

static void
worse(struct run *r, int st)
{
	if (st > r->status)
		r->status = st;
}

/* The name of a skip reason, for the summary and --strict. */
static const char *
skip_name(int st)
{
	if (st == SKIP_FRAG)
		return "frag-unmatched";
	if (st == SKIP_TIME)
		return "bad-time";
	return bh_pkt_reason((enum bh_pkt_status)st);
}

/* End the run at once (--strict): records for everything read, then 2. */
static void
strict_exit(struct run *r)
{
	bh_flow_flush(r->table);
	bh_flow_free(r->table);
	exit(bh_fshut(BH_EXIT_FATAL));
}

/*
 * The reader of one file: libpcap for everything, or, for a classic pcap
 * file (version 2.4, little-endian, micro- or nanosecond), our own loop
 * over large blocks of the stream libpcap opened, which saves a copy and
 * two stdio calls per packet.  The fast loop mirrors libpcap 1.10's
 * pcap_next_packet() (sf-pcap.c) to the byte: the same records, the same
 * time stamps (32-bit signed fields, nanoseconds truncated to micro-
 * seconds), the same handling of a capture length above the snapshot
 * length, the same messages; tests compare the two paths.
 * BH_SESSIONS_LIBPCAP=1 in the environment forces libpcap.
 */
#define RD_BLOCK	(1024 * 1024)
#define RD_MAXSNAP	262144	/* libpcap's MAXIMUM_SNAPLEN */

struct reader {
	pcap_t		*pc;
	FILE		*fp;		/* libpcap's stream (fast path) */
	int		 fast, nsec, big;	/* big: big-endian file */
	uint32_t	 snapshot;
	uint64_t	 n;		/* records read */
	uint64_t	 cut, cut_first;	/* records above the snapshot */
	unsigned char	*buf;
	size_t		 len, pos;
	char		 err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr hdr;
};

static unsigned char *rd_buf;	/* one block buffer for every file */

/* Make n bytes available at rd->pos (n <= RD_BLOCK); returns how many
 * are (fewer only at the end of the file or on a read error). */
static size_t
rd_fill(struct reader *rd, size_t n)
{
	size_t have = rd->len - rd->pos, got;

	if (have >= n)
		return have;
	memmove(rd->buf, rd->buf + rd->pos, have);
	rd->len = have;
	rd->pos = 0;
	while (rd->len < n) {
		got = fread(rd->buf + rd->len, 1, RD_BLOCK - rd->len, rd->fp);
		if (got == 0)
			break;
		rd->len += got;
	}
	return rd->len;
}

/* A 32-bit field of a record header, in the file's byte order. */
static uint32_t
rd32(const struct reader *rd, const unsigned char *b)
{
	if (rd->big)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* As pcap_next_ex(): 1 a packet, -2 the end, -1 an error (rd->err). */
static int
rd_next(struct reader *rd, struct pcap_pkthdr **h, const unsigned char **data)
{
	const unsigned char *b;
	uint32_t caplen;
	size_t got;
	int32_t usec;

	if (!rd->fast) {
		int rc = pcap_next_ex(rd->pc, h, data);

		if (rc == PCAP_ERROR)
			snprintf(rd->err, sizeof(rd->err), "%s",
			    pcap_geterr(rd->pc));
		return rc;
	}
	if ((got = rd_fill(rd, 16)) < 16) {
		if (ferror(rd->fp))
			snprintf(rd->err, sizeof(rd->err), "error reading dump "
			    "file: %s", strerror(errno));
		else if (got != 0)
			snprintf(rd->err, sizeof(rd->err), "truncated dump "
			    "file; tried to read 16 header bytes, only got %zu",
			    got);
		else
			return -2;
		return -1;
	}
	b = rd->buf + rd->pos;
	rd->hdr.ts.tv_sec = (int32_t)rd32(rd, b);
	usec = (int32_t)rd32(rd, b + 4);
	rd->hdr.ts.tv_usec = rd->nsec ? usec / 1000 : usec;
	caplen = rd32(rd, b + 8);
	rd->hdr.len = rd32(rd, b + 12);
	if (caplen > RD_MAXSNAP) {
		if (caplen > rd->snapshot)
			snprintf(rd->err, sizeof(rd->err), "invalid packet "
			    "capture length %u, bigger than snaplen of %d",
			    caplen, (int)rd->snapshot);
		else
			snprintf(rd->err, sizeof(rd->err), "invalid packet "
			    "capture length %u, bigger than maximum of %u",
			    caplen, RD_MAXSNAP);
		return -1;
	}
	got = rd_fill(rd, 16 + (size_t)caplen) - 16;
	if (got < caplen) {
		if (ferror(rd->fp))
			snprintf(rd->err, sizeof(rd->err), "error reading dump "
			    "file: %s", strerror(errno));
		else if (caplen > rd->snapshot && got < rd->snapshot)
			snprintf(rd->err, sizeof(rd->err), "truncated dump "
			    "file; tried to read %d captured bytes, only got "
			    "%zu", (int)rd->snapshot, got);
		else
			snprintf(rd->err, sizeof(rd->err), "truncated dump "
			    "file; tried to read %u captured bytes, only got "
			    "%zu", caplen, got);
		return -1;
	}
	/* A record longer than the snapshot length is cut to it, as
	 * libpcap does; unlike libpcap we say so (read_capture()). */
	rd->n++;
	if (caplen > rd->snapshot) {
		if (rd->cut++ == 0)
			rd->cut_first = rd->n;
		rd->hdr.caplen = rd->snapshot;
	} else
		rd->hdr.caplen = caplen;
	*data = rd->buf + rd->pos + 16;
	*h = &rd->hdr;
	rd->pos += 16 + (size_t)caplen;
	return 1;
}

/*
 * The byte order and resolution of a classic pcap file, from its magic
 * (RFC draft-ietf-opsawg-pcap: a1b2c3d4 microseconds, a1b2 3c4d nano-
 * seconds, in the writer's byte order).  The first byte, read before
 * libpcap opened the file, tells a little-endian file; a big-endian one
 * needs the third, read back from a regular file.  0 when the fast
 * reader can take the file, -1 otherwise (libpcap reads it).
 */
static int
classic_magic(FILE *fp, int first, struct reader *rd)
{
	unsigned char m[4];
	struct stat sb;
	long at;

	if (first == 0xd4 || first == 0x4d) {
		rd->nsec = first == 0x4d;
		return 0;
	}
	if (first != 0xa1 || fstat(fileno(fp), &sb) == -1 ||
	    !S_ISREG(sb.st_mode) || (at = ftell(fp)) < 24 ||
	    pread(fileno(fp), m, 4, (off_t)at - 24) != 4 ||
	    m[0] != 0xa1 || m[1] != 0xb2)
		return -1;
	if (m[2] == 0xc3 && m[3] == 0xd4)
		rd->nsec = 0;
	else if (m[2] == 0x3c && m[3] == 0x4d)
		rd->nsec = 1;
	else
		return -1;
	rd->big = 1;
	return 0;
}

/* Read one capture file into the table; problems are reported here. */
static void
read_capture(struct run *r, const char *fn)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *data;
	const char *name = fn;
	struct reader rd;
	struct bh_pkt p;
	enum bh_pkt_status st;
	FILE *fp;
	int64_t ts;
	uint64_t n = 0;
	int c, dlt, rc, first = 1;

	if (strcmp(fn, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(fn, "rb")) == NULL) {
		bh_warn("%s", fn);
		worse(r, BH_EXIT_FATAL);
		return;
	}
	/* A zero-byte file is a capture cut before its header. */
	if ((c = getc(fp)) == EOF) {
		if (ferror(fp)) {
			bh_warn("%s", name);
			worse(r, BH_EXIT_FATAL);
		} else {
			bh_warnx_at(name, 0, "empty file, no capture header");
			worse(r, BH_EXIT_BAD);
			if (r->strict)
				strict_exit(r);
		}
		if (fp != stdin)
			fclose(fp);
		return;
	}
	ungetc(c, fp);
	errbuf[0] = '\0';
	memset(&rd, 0, sizeof(rd));
	rd.pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (rd.pc == NULL) {
		bh_warnx_at(name, 0, "not a capture file: %s", errbuf);
		worse(r, BH_EXIT_FATAL);
		if (fp != stdin)
			fclose(fp);
		return;
	}
	dlt = pcap_datalink(rd.pc);
	if (!bh_pkt_linktype_ok(dlt)) {
		const char *ln = pcap_datalink_val_to_name(dlt);

		bh_warnx_at(name, 0, "unsupported link type %d (%s)", dlt,
		    ln != NULL ? ln : "unknown");
		worse(r, BH_EXIT_FATAL);
		pcap_close(rd.pc);
		return;
	}
	if (pcap_major_version(rd.pc) == 2 && pcap_minor_version(rd.pc) == 4 &&
	    pcap_snapshot(rd.pc) > 0 && classic_magic(fp, c, &rd) == 0 &&
	    getenv("BH_SESSIONS_LIBPCAP") == NULL) {
		rd.fast = 1;
		rd.snapshot = (uint32_t)pcap_snapshot(rd.pc);
		rd.fp = pcap_file(rd.pc);
		if (rd_buf == NULL)
			rd_buf = xmalloc(RD_BLOCK);
		rd.buf = rd_buf;
	}
	while ((rc = rd_next(&rd, &h, &data)) == 1) {
		n++;
		if (rd.cut > 0 && r->strict) {
			bh_warnx_at(name, 0, "packet %llu: longer than the "
			    "file's snaplen %u", (unsigned long long)n,
			    rd.snapshot);
			pcap_close(rd.pc);
			strict_exit(r);
		}
		if (h->ts.tv_sec > MAX_TS_SEC || h->ts.tv_sec < -MAX_TS_SEC) {
			st = SKIP_TIME;
			goto skip;
		}
		ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		if (r->have_ts && ts < r->last_ts) {
			if (first)
				bh_warnx_at(name, 0, "time goes back %.6f s "
				    "from the previous file",
				    (double)(r->last_ts - ts) / 1e6);
			else
				r->backwards++;
		}
		first = 0;
		r->last_ts = ts;
		r->have_ts = 1;
		st = bh_pkt_decode(dlt, data, h->caplen, h->len, &p);
		if (st == BH_PKT_OK) {
			if (bh_flow_packet(r->table, ts, &p) == 0)
				continue;
			st = SKIP_FRAG;
		}
skip:
		r->skip[st]++;
		if (st == BH_PKT_NOT_IP)
			continue;
		worse(r, BH_EXIT_BAD);
		if (r->strict) {
			bh_warnx_at(name, 0, "packet %llu: %s",
			    (unsigned long long)n, skip_name(st));
			pcap_close(rd.pc);
			strict_exit(r);
		}
	}
	if (rd.cut > 0) {
		bh_warnx_at(name, 0, "%llu records longer than the file's "
		    "snaplen %u, cut to it (the first is packet %llu)",
		    (unsigned long long)rd.cut, rd.snapshot,
		    (unsigned long long)rd.cut_first);
		worse(r, BH_EXIT_BAD);
		if (r->strict) {
			pcap_close(rd.pc);
			strict_exit(r);
		}
	}
	if (rc == PCAP_ERROR) {
		/* libpcap says "truncated dump file" for a cut file and
		 * "error reading dump file" for an I/O error. */
		if (strncmp(rd.err, "error reading", 13) == 0) {
			bh_warnx_at(name, 0, "%s", rd.err);
			worse(r, BH_EXIT_FATAL);
		} else {
			bh_warnx_at(name, 0, "truncated or corrupt capture "
			    "after %llu packets: %s", (unsigned long long)n,
			    rd.err);
			worse(r, BH_EXIT_BAD);
			if (r->strict) {
				pcap_close(rd.pc);
				strict_exit(r);
			}
		}
	}
	pcap_close(rd.pc);	/* closes fp, stdin included */
}

/* The end-of-run summary on stderr. */
static void
summary(const struct run *r, const struct bh_flow_stats *fs,
    uint32_t max_live)
{
	char line[1024];
	uint64_t n = 0;
	size_t len = 0;
	int i;

	for (i = 0; i < NSKIP; i++)
		if (i != BH_PKT_NOT_IP)
			n += r->skip[i];
	if (n > 0) {
		len = (size_t)snprintf(line, sizeof(line), "%llu packets "
		    "skipped:", (unsigned long long)n);
		for (i = 0; i < NSKIP && len < sizeof(line); i++) {
			if (i == BH_PKT_NOT_IP || r->skip[i] == 0)
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    " %llu %s", (unsigned long long)r->skip[i],
			    skip_name(i));
		}
		bh_warnx("%s", line);
	}
	if (r->skip[BH_PKT_NOT_IP] > 0)
		bh_warnx("%llu non-IP frames ignored",
		    (unsigned long long)r->skip[BH_PKT_NOT_IP]);
	if (r->backwards > 0)
		bh_warnx("%llu packets earlier than the packet before them",
		    (unsigned long long)r->backwards);
	if (fs->evicted > 0)
		bh_warnx("%llu sessions evicted early by the cap of %lu live "
		    "sessions (-m)", (unsigned long long)fs->evicted,
		    (unsigned long)max_live);
}

static void
parse_local_env(void)
{
	const char *env = getenv("BH_LOCAL");
	char *s, *tok;

	if (env == NULL)
		return;
	s = xstrdup(env);
	for (tok = strtok(s, " ,\t\n"); tok != NULL;
	    tok = strtok(NULL, " ,\t\n"))
		if (add_net(tok) == -1)
			bh_errx(BH_EXIT_FATAL, "BH_LOCAL: bad network: %s",
			    tok);
	free(s);
}

int
main(int argc, char *argv[])
{
	static char stdin_name[] = "-";
	static char *stdin_argv[] = { stdin_name };
	struct bh_flow_cfg cfg;
	struct run r;
	unsigned long v;
	size_t i;
	int c, quiet = 0, k;

	bh_diag_init(argv[0]);
	memset(&r, 0, sizeof(r));
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (strcmp(argv[k], "--strict") == 0) {
			r.strict = 1;
			memmove(argv + k, argv + k + 1,
			    (size_t)(argc - k) * sizeof(*argv));
			argc--;
			k--;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.head_max = DEFAULT_HEAD;
	cfg.max_live = DEFAULT_LIVE;
	cfg.tmo_tcp = 300 * 1000000LL;
	cfg.tmo_udp = 60 * 1000000LL;
	cfg.tmo_other = 60 * 1000000LL;
	cfg.linger = 5 * 1000000LL;
	parse_local_env();
	while ((c = getopt(argc, argv, "hL:m:qs:t:")) != -1) {
		switch (c) {
		case 'L':
			if (add_net(optarg) == -1)
				bh_errx(BH_EXIT_FATAL, "-L %s: bad network",
				    optarg);
			break;
		case 'm':
			if (bh_parse_uint(optarg, 100000000, &v) == -1 ||
			    v == 0)
				bh_errx(BH_EXIT_FATAL, "-m %s: want 1 to "
				    "100000000 sessions", optarg);
			cfg.max_live = (uint32_t)v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (bh_parse_uint(optarg, BH_FLOW_HEAD_MAX, &v) == -1)
				bh_errx(BH_EXIT_FATAL, "-s %s: want 0 to %d "
				    "bytes", optarg, BH_FLOW_HEAD_MAX);
			cfg.head_max = (uint32_t)v;
			break;
		case 't':
			parse_timeouts(optarg, &cfg);
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}

	/* The hash key only spreads sessions over buckets; no output
	 * depends on it. */
	if (getentropy(&cfg.seed, sizeof(cfg.seed)) == -1)
		cfg.seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
	cfg.emit = emit;
	esc_init();
	obufcap = 2 * (4 * (size_t)cfg.head_max + 5) + 2048;
	obuf = xmalloc(obufcap);
	r.table = bh_flow_new(&cfg);
	/* Records go out whole; a larger buffer saves write calls. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, BH_IO_CHUNK);

	putchar('#');
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		if (i > 0)
			putchar('\t');
		fputs(columns[i], stdout);
	}
	putchar('\n');

	for (k = 0; k < argc; k++)
		read_capture(&r, argv[k]);
	bh_flow_flush(r.table);
	if (!quiet)
		summary(&r, bh_flow_stats(r.table), cfg.max_live);
	bh_flow_free(r.table);
	free(obuf);
	free(rd_buf);
	return bh_fshut(r.status);
}
