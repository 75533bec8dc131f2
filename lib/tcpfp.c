/*
 * tcpfp.c - the fingerprint of a SYN or SYN/ACK: what p0f 3 reads of the
 * packet (IP version, TTL, IP option length, MSS, window and its scale,
 * the TCP option layout, the quirks, the payload class), written as
 * p0f's raw signature (so that a p0f.fp database matches it, see
 * bh-ttl(1)) and as a MuonFP string (window:option kinds:MSS:scale).
 *
 * The rules follow p0f 3.09b's process.c (parse_packet) and fp_tcp.c
 * (detect_win_multi, dump_sig) field by field, including where p0f reads
 * a field in its own way (noted below): the point is that the signature
 * bh writes is the one p0f prints for the same packet.
 */
#include <string.h>

#include "bh.h"

#define OPT_EOL		0
#define OPT_NOP		1
#define OPT_MSS		2
#define OPT_WS		3
#define OPT_SOK		4
#define OPT_SACK	5
#define OPT_TS		8

#define MIN_TCP4	40	/* IPv4 + TCP headers without options */
#define MIN_TCP6	60
#define MAX_DIST	35	/* p0f's config.h: farther is "+?" */
#define SPECIAL_MSS	1331	/* p0f-sendsyn's probe, echoed back */

#define BE16(b)	((uint16_t)((b)[0] << 8 | (b)[1]))
#define BE32(b)	((uint32_t)(b)[0] << 24 | (uint32_t)(b)[1] << 16 | \
		    (uint32_t)(b)[2] << 8 | (uint32_t)(b)[3])

/*
 * The options as p0f walks them: known kinds take their fixed size
 * whatever their length byte says (a wrong length byte is the "bad"
 * quirk), SACK and unknown kinds their length byte within bounds; a
 * walk that cannot go on, or that does not end exactly at the end of
 * the header, is "bad".  At most BH_TCPFP_OPTS kinds are kept.
 */
static void
walk_options(const unsigned char *o, uint32_t n, int syn_only,
    struct bh_tcpfp *fp, uint32_t *ts1)
{
	uint32_t i = 0, left;
	uint8_t kind;

	while (i < n && fp->ocnt < BH_TCPFP_OPTS) {
		kind = o[i++];
		fp->layout[fp->ocnt++] = kind;
		left = n - i;	/* bytes after the kind byte */
		switch (kind) {
		case OPT_EOL:
			fp->eol_pad = (uint8_t)(n - i);
			while (i < n && o[i] == 0)
				i++;
			if (i != n) {
				fp->quirks |= BH_TCPFP_OPT_NZ;
				i = n;
			}
			break;
		case OPT_NOP:
			break;
		case OPT_MSS:
			if (left < 3)
				goto bad;
			if (o[i] != 4)
				fp->quirks |= BH_TCPFP_BAD;
			fp->mss = BE16(o + i + 1);
			fp->has_mss = 1;
			i += 3;
			break;
		case OPT_WS:
			if (left < 2)
				goto bad;
			if (o[i] != 3)
				fp->quirks |= BH_TCPFP_BAD;
			fp->wscale = o[i + 1];
			fp->has_ws = 1;
			if (fp->wscale > 14)
				fp->quirks |= BH_TCPFP_EXWS;
			i += 2;
			break;
		case OPT_SOK:
			if (left < 1)
				goto bad;
			if (o[i] != 2)
				fp->quirks |= BH_TCPFP_BAD;
			i += 1;
			break;
		case OPT_SACK:
			if (left < 1 || o[i] < 10 || o[i] > 34 ||
			    (uint32_t)o[i] - 1 > left)
				goto bad;
			i += (uint32_t)o[i] - 1;
			break;
		case OPT_TS:
			if (left < 9)
				goto bad;
			if (o[i] != 10)
				fp->quirks |= BH_TCPFP_BAD;
			*ts1 = BE32(o + i + 1);
			if (*ts1 == 0)
				fp->quirks |= BH_TCPFP_TS1_ZERO;
			if (syn_only && BE32(o + i + 5) != 0)
				fp->quirks |= BH_TCPFP_TS2_NZ;
			i += 9;
			break;
		default:
			if (left < 1 || o[i] < 2 || o[i] > 40 ||
			    (uint32_t)o[i] - 1 > left)
				goto bad;
			i += (uint32_t)o[i] - 1;
			break;
		}
	}
	if (i == n)
		return;
bad:
	fp->quirks |= BH_TCPFP_BAD;
}

int
bh_tcpfp_take(const struct bh_pkt *p, struct bh_tcpfp *fp)
{
	uint8_t fl = p->tcp_flags;
	uint32_t ts1 = 0;

	memset(fp, 0, sizeof(*fp));
	/* p0f fingerprints a SYN and a SYN/ACK: PSH, URG, ECE, CWR aside,
	 * nothing else may be set.  A fragment or a header not captured
	 * whole is not read (p0f drops both). */
	if ((fl & (BH_TH_SYN | BH_TH_FIN | BH_TH_RST)) != BH_TH_SYN ||
	    p->frag != 0 || !p->tcp_opt_cap)
		return -1;
	fp->synack = (fl & BH_TH_ACK) != 0;
	fp->ver = p->af;
	fp->ttl = p->ttl;
	fp->win = p->win;
	if (p->af == 4) {
		fp->olen = p->ip_optlen;
		fp->tot_hdr = (uint16_t)(20 + p->ip_optlen + 20 +
		    p->tcp_optlen);
		if (p->ip_fl & 0x80)
			fp->quirks |= BH_TCPFP_NZ_MBZ;
		if (p->ip_fl & 0x40) {
			fp->quirks |= BH_TCPFP_DF;
			if (p->frag_id != 0)
				fp->quirks |= BH_TCPFP_NZ_ID;
		} else if (p->frag_id == 0)
			fp->quirks |= BH_TCPFP_ZERO_ID;
	} else {
		fp->tot_hdr = (uint16_t)(40 + 20 + p->tcp_optlen);
		if (p->ip6_flow != 0)
			fp->quirks |= BH_TCPFP_FLOW;
	}
	/* ECN: the IP ECN bits, TCP's ECE or CWR, or the NS bit. */
	if ((p->ip_tos & 3) || (fl & (BH_TH_ECE | BH_TH_CWR)) || (p->tcp_x2 & 1))
		fp->quirks |= BH_TCPFP_ECN;
	if (p->seq == 0)
		fp->quirks |= BH_TCPFP_ZERO_SEQ;
	if (fl & BH_TH_ACK) {
		if (p->ack == 0)
			fp->quirks |= BH_TCPFP_ZERO_ACK;
	} else if (p->ack >> 24 & 1) {
		/* p0f 3.09b tests "RD32(ack) & !(flags & RST)": the raw
		 * field in host order, and-ed with 1.  On the little-endian
		 * machines its database was made on, that is the lowest
		 * bit of the ACK field's first byte on the wire. */
		fp->quirks |= BH_TCPFP_NZ_ACK;
	}
	if (fl & BH_TH_URG)
		fp->quirks |= BH_TCPFP_URG;
	else if (p->tcp_urp != 0)
		fp->quirks |= BH_TCPFP_NZ_URG;
	if (fl & BH_TH_PUSH)
		fp->quirks |= BH_TCPFP_PUSH;
	/* p0f's payload class counts the bytes it has: the captured ones. */
	fp->pclass = p->payload_cap > 0;
	walk_options(p->tcp_opt, p->tcp_optlen, !fp->synack, fp, &ts1);
	fp->ts1_nz = ts1 != 0;
	fp->have = 1;
	return 0;
}

/*
 * p0f's detect_win_multi(): the window as a multiple of the MSS (or of
 * the MSS less 12 when timestamps are on, or of the MSS of a 1500-byte
 * MTU), of the MTU, or on a SYN/ACK of the peer's MSS.  Returns the
 * multiplier (0: none) and sets *mtu when it is of an MTU.
 */
unsigned
bh_tcpfp_win_multi(const struct bh_tcpfp *fp, unsigned syn_mss, int *mtu)
{
	static const struct {
		int	 what;	/* 0 mss, 1 mss (ts), 3 peer, 5 constant, 6 v6
				   constant, 7 mss + headers, 8 v6 mss */
		int	 add;
		int	 is_mtu;
	} div[] = {
		{ 0, 0, 0 }, { 1, -12, 0 },
		{ 5, 1500 - MIN_TCP4, 0 }, { 5, 1500 - MIN_TCP4 - 12, 0 },
		{ 6, 1500 - MIN_TCP6, 0 }, { 6, 1500 - MIN_TCP6 - 12, 0 },
		{ 0, MIN_TCP4, 1 }, { 7, 0, 1 }, { 8, MIN_TCP6, 1 },
		{ 5, 1500, 1 },
		{ 3, 0, 0 }, { 3, -12, 0 },
	};
	long win = fp->win, mss = fp->mss, d;
	size_t i;

	*mtu = 0;
	if (win == 0 || mss < 100)
		return 0;
	for (i = 0; i < sizeof(div) / sizeof(div[0]); i++) {
		switch (div[i].what) {
		case 0:
			d = mss + div[i].add;
			break;
		case 1:
			if (!fp->ts1_nz)
				continue;
			d = mss + div[i].add;
			break;
		case 3:
			if (syn_mss == 0)
				continue;
			d = (long)syn_mss + div[i].add;
			break;
		case 5:
			d = div[i].add;
			break;
		case 6:
			if (fp->ver != 6)
				continue;
			d = div[i].add;
			break;
		case 7:
			/* Unknown (0) when read back from a signature with
			 * an option of unknown size: then it is the MSS,
			 * which was tried first. */
			d = mss + fp->tot_hdr;
			break;
		default:	/* 8: the IPv6 MTU */
			if (fp->ver != 6)
				continue;
			d = mss + div[i].add;
			break;
		}
		/* p0f stops at the first divisor that divides: a negative
		 * one (the peer's MSS less 12, for an MSS below 12) gives a
		 * negative multiplier, which it prints as the plain window. */
		if (d != 0 && win % d == 0) {
			*mtu = div[i].is_mtu;
			return d < 0 ? 0 : (unsigned)(win / d);
		}
	}
	return 0;
}

/* p0f's guess_dist(): hops below the next initial TTL up. */
static unsigned
guess_dist(unsigned ttl)
{
	if (ttl <= 32)
		return 32 - ttl;
	if (ttl <= 64)
		return 64 - ttl;
	if (ttl <= 128)
		return 128 - ttl;
	return 255 - ttl;
}

/*
 * Appending to buf[*len..n): a text, a number.  A cut is caught by the
 * caller's final check (*len >= n).  No stdio: a record has four of
 * these texts, and bh-sessions writes hundreds of thousands of records.
 */
static void
put_s(char *buf, size_t n, size_t *len, const char *s)
{
	while (*s != '\0' && *len + 1 < n)
		buf[(*len)++] = *s++;
	if (*s != '\0')
		*len = n;
}

static void
put_u(char *buf, size_t n, size_t *len, unsigned v)
{
	char d[12];
	int i = 0;

	do
		d[i++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (i > 0 && *len + 1 < n)
		buf[(*len)++] = d[--i];
	if (i > 0)
		*len = n;
}

static const struct {
	uint32_t	 bit;
	const char	*name;
} quirk_names[] = {	/* p0f's order of printing */
	{ BH_TCPFP_DF, "df" }, { BH_TCPFP_NZ_ID, "id+" },
	{ BH_TCPFP_ZERO_ID, "id-" }, { BH_TCPFP_ECN, "ecn" },
	{ BH_TCPFP_NZ_MBZ, "0+" }, { BH_TCPFP_FLOW, "flow" },
	{ BH_TCPFP_ZERO_SEQ, "seq-" }, { BH_TCPFP_NZ_ACK, "ack+" },
	{ BH_TCPFP_ZERO_ACK, "ack-" }, { BH_TCPFP_NZ_URG, "uptr+" },
	{ BH_TCPFP_URG, "urgf+" }, { BH_TCPFP_PUSH, "pushf+" },
	{ BH_TCPFP_TS1_ZERO, "ts1-" }, { BH_TCPFP_TS2_NZ, "ts2+" },
	{ BH_TCPFP_OPT_NZ, "opt+" }, { BH_TCPFP_EXWS, "exws" },
	{ BH_TCPFP_BAD, "bad" },
};

uint32_t
bh_tcpfp_quirk_bit(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(quirk_names) / sizeof(quirk_names[0]); i++)
		if (strlen(quirk_names[i].name) == len &&
		    memcmp(quirk_names[i].name, name, len) == 0)
			return quirk_names[i].bit;
	return 0;
}

int
bh_tcpfp_kind(const char *name, size_t len, uint8_t *eol_pad)
{
	static const char *const names[] = { "eol", "nop", "mss", "ws",
	    "sok", "sack", NULL, NULL, "ts" };
	unsigned long v;
	size_t k;
	char num[8];

	if (len > 4 && memcmp(name, "eol+", 4) == 0) {
		if (len - 4 >= sizeof(num))
			return -1;
		memcpy(num, name + 4, len - 4);
		num[len - 4] = '\0';
		if (bh_parse_uint(num, 255, &v) == -1)
			return -1;
		*eol_pad = (uint8_t)v;
		return OPT_EOL;
	}
	if (len > 1 && name[0] == '?') {
		if (len - 1 >= sizeof(num))
			return -1;
		memcpy(num, name + 1, len - 1);
		num[len - 1] = '\0';
		if (bh_parse_uint(num, 255, &v) == -1)
			return -1;
		return (int)v;
	}
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (names[k] != NULL && strlen(names[k]) == len &&
		    memcmp(names[k], name, len) == 0 && k != OPT_EOL)
			return (int)k;
	return -1;
}

/* The bytes an option of kind k takes, 0 when its size is not known. */
static unsigned
kind_size(uint8_t k, uint8_t eol_pad)
{
	switch (k) {
	case OPT_EOL:
		return 1u + eol_pad;
	case OPT_NOP:
		return 1;
	case OPT_MSS:
		return 4;
	case OPT_WS:
		return 3;
	case OPT_SOK:
		return 2;
	case OPT_TS:
		return 10;
	}
	return 0;
}

/* The next ':'-ended field of *s (or to the end); NULL when none. */
static const char *
field(const char **s, size_t *len)
{
	const char *p = *s, *e;

	if (p == NULL)
		return NULL;
	if ((e = strchr(p, ':')) == NULL) {
		*len = strlen(p);
		*s = NULL;
	} else {
		*len = (size_t)(e - p);
		*s = e + 1;
	}
	return p;
}

/* A decimal number of exactly len bytes, at most max; -1 if not one. */
static long
number(const char *p, size_t len, unsigned long max)
{
	char num[12];
	unsigned long v;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, p, len);
	num[len] = '\0';
	if (bh_parse_uint(num, max, &v) == -1)
		return -1;
	return (long)v;
}

int
bh_tcpfp_parse(const char *sig, const char *muon, struct bh_tcpfp *fp)
{
	const char *s = sig, *f, *c, *e;
	size_t len, l;
	long v;
	unsigned opt_bytes = 0, known = 1;
	int k;

	memset(fp, 0, sizeof(*fp));
	/* ver */
	if ((f = field(&s, &len)) == NULL || len != 1 ||
	    (f[0] != '4' && f[0] != '6'))
		return -1;
	fp->ver = (uint8_t)(f[0] - '0');
	/* ttl+dist: the TTL; the distance follows from it */
	if ((f = field(&s, &len)) == NULL ||
	    (c = memchr(f, '+', len)) == NULL ||
	    (v = number(f, (size_t)(c - f), 255)) < 0)
		return -1;
	fp->ttl = (uint8_t)v;
	/* olen */
	if ((f = field(&s, &len)) == NULL || (v = number(f, len, 255)) < 0)
		return -1;
	fp->olen = (uint8_t)v;
	/* mss ('*': p0f-sendsyn's echo, 1331 on a SYN/ACK) */
	if ((f = field(&s, &len)) == NULL)
		return -1;
	if (len == 1 && f[0] == '*')
		fp->mss = SPECIAL_MSS;
	else if ((v = number(f, len, 65535)) < 0)
		return -1;
	else
		fp->mss = (uint16_t)v;
	/* wsize,scale: the window is read from the MuonFP string */
	if ((f = field(&s, &len)) == NULL ||
	    (c = memchr(f, ',', len)) == NULL ||
	    (v = number(c + 1, len - (size_t)(c + 1 - f), 255)) < 0)
		return -1;
	fp->wscale = (uint8_t)v;
	/* olayout */
	if ((f = field(&s, &len)) == NULL)
		return -1;
	for (e = f + len; f < e; f = c + 1) {
		if ((c = memchr(f, ',', (size_t)(e - f))) == NULL)
			c = e;
		l = (size_t)(c - f);
		if (fp->ocnt >= BH_TCPFP_OPTS ||
		    (k = bh_tcpfp_kind(f, l, &fp->eol_pad)) < 0)
			return -1;
		fp->layout[fp->ocnt++] = (uint8_t)k;
		if (k == OPT_MSS)
			fp->has_mss = 1;
		if (k == OPT_WS)
			fp->has_ws = 1;
		if (kind_size((uint8_t)k, fp->eol_pad) == 0)
			known = 0;
		opt_bytes += kind_size((uint8_t)k, fp->eol_pad);
	}
	/* quirks */
	if ((f = field(&s, &len)) == NULL)
		return -1;
	for (e = f + len; f < e; f = c + 1) {
		uint32_t bit;

		if ((c = memchr(f, ',', (size_t)(e - f))) == NULL)
			c = e;
		if ((bit = bh_tcpfp_quirk_bit(f, (size_t)(c - f))) == 0)
			return -1;
		fp->quirks |= bit;
	}
	/* pclass, the last field */
	if ((f = field(&s, &len)) == NULL || s != NULL || len != 1 ||
	    (f[0] != '0' && f[0] != '+'))
		return -1;
	fp->pclass = f[0] == '+';
	fp->synack = 0;
	for (k = 0; k < fp->ocnt; k++)
		if (fp->layout[k] == OPT_TS && !(fp->quirks &
		    BH_TCPFP_TS1_ZERO))
			fp->ts1_nz = 1;
	if (known)
		fp->tot_hdr = (uint16_t)((fp->ver == 4 ? 40 + fp->olen : 60) +
		    opt_bytes);
	/* The raw window: MuonFP's first field. */
	s = muon;
	if ((f = field(&s, &len)) == NULL || (v = number(f, len, 65535)) < 0)
		return -1;
	fp->win = (uint16_t)v;
	fp->have = 1;
	return 0;
}

const char *
bh_tcpfp_quirk_name(uint32_t bit)
{
	size_t i;

	for (i = 0; i < sizeof(quirk_names) / sizeof(quirk_names[0]); i++)
		if (quirk_names[i].bit == bit)
			return quirk_names[i].name;
	return NULL;
}

int
bh_tcpfp_p0f(const struct bh_tcpfp *fp, unsigned syn_mss, char *buf,
    size_t n)
{
	static const char *kinds[] = { "eol", "nop", "mss", "ws", "sok",
	    "sack", NULL, NULL, "ts" };
	size_t len = 0, i;
	unsigned dist = guess_dist(fp->ttl), m;
	int mtu, first = 1;

	if (!fp->have || n == 0)
		return -1;
	put_u(buf, n, &len, fp->ver);
	put_s(buf, n, &len, ":");
	put_u(buf, n, &len, fp->ttl);
	put_s(buf, n, &len, "+");
	if (dist > MAX_DIST)
		put_s(buf, n, &len, "?");
	else
		put_u(buf, n, &len, dist);
	put_s(buf, n, &len, ":");
	put_u(buf, n, &len, fp->olen);
	put_s(buf, n, &len, ":");
	if (fp->mss == SPECIAL_MSS && fp->synack)
		put_s(buf, n, &len, "*");
	else
		put_u(buf, n, &len, fp->mss);
	put_s(buf, n, &len, ":");
	if ((m = bh_tcpfp_win_multi(fp, syn_mss, &mtu)) > 0) {
		put_s(buf, n, &len, mtu ? "mtu*" : "mss*");
		put_u(buf, n, &len, m);
	} else
		put_u(buf, n, &len, fp->win);
	put_s(buf, n, &len, ",");
	put_u(buf, n, &len, fp->wscale);
	put_s(buf, n, &len, ":");
	for (i = 0; i < fp->ocnt; i++) {
		uint8_t k = fp->layout[i];

		if (i > 0)
			put_s(buf, n, &len, ",");
		if (k == OPT_EOL) {
			put_s(buf, n, &len, "eol+");
			put_u(buf, n, &len, fp->eol_pad);
		} else if (k < sizeof(kinds) / sizeof(kinds[0]) &&
		    kinds[k] != NULL)
			put_s(buf, n, &len, kinds[k]);
		else {
			put_s(buf, n, &len, "?");
			put_u(buf, n, &len, k);
		}
	}
	put_s(buf, n, &len, ":");
	for (i = 0; i < sizeof(quirk_names) / sizeof(quirk_names[0]); i++)
		if (fp->quirks & quirk_names[i].bit) {
			if (!first)
				put_s(buf, n, &len, ",");
			put_s(buf, n, &len, quirk_names[i].name);
			first = 0;
		}
	put_s(buf, n, &len, fp->pclass ? ":+" : ":0");
	if (len >= n)
		return -1;
	buf[len] = '\0';
	return (int)len;
}

int
bh_tcpfp_muon(const struct bh_tcpfp *fp, char *buf, size_t n)
{
	size_t len = 0, i;

	if (!fp->have || n == 0)
		return -1;
	put_u(buf, n, &len, fp->win);
	put_s(buf, n, &len, ":");
	for (i = 0; i < fp->ocnt; i++) {
		if (i > 0)
			put_s(buf, n, &len, "-");
		put_u(buf, n, &len, fp->layout[i]);
	}
	put_s(buf, n, &len, ":");
	if (fp->has_mss)
		put_u(buf, n, &len, fp->mss);
	put_s(buf, n, &len, ":");
	if (fp->has_ws)
		put_u(buf, n, &len, fp->wscale);
	if (len >= n)
		return -1;
	buf[len] = '\0';
	return (int)len;
}
