/*
 * bh-mkpcap - the fixture writer: turn a readable packet description, one
 * packet per line (bh-mkpcap(1)), into a pcap or pcapng capture, so that
 * every test says what it feeds in.
 *
 * Reads the description from the file operand or stdin; writes the capture
 * to -o FILE or stdout.  Unlike its peers it writes binary, not the record
 * stream, and any error in the description is fatal (exit 2, FILE:LINE),
 * since a half-made fixture is worse than none.  TCP sequence and
 * acknowledgment numbers are kept per connection side, relative to ISNs
 * derived from the 4-tuple (reproducible), the way Wireshark shows them.
 * The frames themselves are made by lib/pktbuild.c.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

#define NS_PER_S	1000000000ull
/* pcap stores 32-bit seconds */
#define MAX_TIME_NS	(4294967296ull * NS_PER_S - 1)

/* One direction of a TCP connection: the sender's state. */
struct side {
	int		 used;
	int		 af;
	unsigned char	 src[16], dst[16];
	uint16_t	 sport, dport;
	uint32_t	 isn;
	uint32_t	 next_rel;	/* next sequence number, relative */
	int		 sent;		/* has sent a packet */
	int		 last_had_ack;	/* for a RST answering it */
	uint32_t	 last_ack;
};

static struct side	*sides;
static size_t		 sides_cap, sides_used;

/* Input position and output, for messages and cleanup. */
static const char	*in_name = "-";
static unsigned long	 lineno;
static const char	*out_path;
static FILE		*out_fp;

/* File settings (directives); fixed once the header is written. */
static uint32_t		 linktype = BH_DLT_EN10MB;
static int		 pcapng, nsec;
static uint32_t		 snaplen = 262144;
static int		 header_written;
static struct bh_pb_writer wr;

static uint64_t		 prev_ns;
static int		 have_prev;
static uint32_t		 ipid_next = 1;

static unsigned char	*pay;		/* decoded payload of the line */
static size_t		 pay_len, pay_cap;
static unsigned char	 frame[BH_PB_MAXFRAME];

static char		**tok;
static size_t		 tok_cap;

/* Remove a partial output file: a broken fixture must not be used. */
static void
discard_output(void)
{
	struct stat st;

	if (out_fp != NULL && out_fp != stdout) {
		fclose(out_fp);
		out_fp = NULL;
		if (stat(out_path, &st) == 0 && S_ISREG(st.st_mode))
			unlink(out_path);
	}
}

/* "bh-mkpcap: FILE:LINE: message", then exit 2. */
static void fail(const char *fmt, ...) BH_NORETURN BH_PRINTF(1, 2);

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(in_name, lineno, fmt, ap);
	va_end(ap);
	discard_output();
	exit(BH_EXIT_FATAL);
}

static void fail_io(void) BH_NORETURN;

static void
fail_io(void)
{
	bh_warn("%s", out_path != NULL ? out_path : "stdout");
	discard_output();
	exit(BH_EXIT_FATAL);
}

static unsigned long
num(const char *what, const char *s, unsigned long max)
{
	unsigned long v;

	if (bh_parse_uint(s, max, &v) == -1)
		fail("%s: bad number '%s' (0..%lu)", what, s, max);
	return v;
}

/* ---- connection sides ------------------------------------------------ */

/* FNV-1a over the directed 4-tuple: the table hash and the default ISN. */
static uint32_t
tuple_hash(int af, const unsigned char *src, uint16_t sport,
    const unsigned char *dst, uint16_t dport)
{
	unsigned char k[38];
	size_t alen = af == 6 ? 16 : 4, n, i;
	uint32_t h = 2166136261u;

	k[0] = (unsigned char)af;
	memcpy(k + 1, src, alen);
	k[1 + alen] = sport >> 8;
	k[2 + alen] = sport & 0xff;
	memcpy(k + 3 + alen, dst, alen);
	n = 3 + 2 * alen;
	k[n++] = dport >> 8;
	k[n++] = dport & 0xff;
	for (i = 0; i < n; i++) {
		h ^= k[i];
		h *= 16777619u;
	}
	return h;
}

static void
sides_grow(void)
{
	struct side *old = sides;
	size_t oldcap = sides_cap, i, j;

	sides_cap = oldcap ? oldcap * 2 : 64;
	sides = xcalloc(sides_cap, sizeof(*sides));
	for (i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		j = tuple_hash(old[i].af, old[i].src, old[i].sport,
		    old[i].dst, old[i].dport) & (sides_cap - 1);
		while (sides[j].used)
			j = (j + 1) & (sides_cap - 1);
		sides[j] = old[i];
	}
	free(old);
}

/* Make room for two new sides, so that two lookups keep both pointers. */
static void
sides_reserve(void)
{
	if ((sides_used + 2) * 2 > sides_cap)
		sides_grow();
}

/*
 * The side sending from src:sport to dst:dport, created on first use
 * with the ISN hashed from the tuple and nothing sent.  Call
 * sides_reserve() first.
 */
static struct side *
side_get(int af, const unsigned char *src, uint16_t sport,
    const unsigned char *dst, uint16_t dport)
{
	size_t alen = af == 6 ? 16 : 4, j;
	uint32_t h;
	struct side *s;

	h = tuple_hash(af, src, sport, dst, dport);
	for (j = h & (sides_cap - 1);; j = (j + 1) & (sides_cap - 1)) {
		s = &sides[j];
		if (!s->used)
			break;
		if (s->af == af && s->sport == sport && s->dport == dport &&
		    memcmp(s->src, src, alen) == 0 &&
		    memcmp(s->dst, dst, alen) == 0)
			return s;
	}
	memset(s, 0, sizeof(*s));
	s->used = 1;
	s->af = af;
	memcpy(s->src, src, alen);
	memcpy(s->dst, dst, alen);
	s->sport = sport;
	s->dport = dport;
	s->isn = h;
	s->next_rel = 1;
	sides_used++;
	return s;
}

/* ---- tokens and values ----------------------------------------------- */

static void
tok_push(size_t n, char *t)
{
	if (n >= tok_cap) {
		tok_cap = tok_cap ? tok_cap * 2 : 32;
		tok = xreallocarray(tok, tok_cap, sizeof(*tok));
	}
	tok[n] = t;
}

/*
 * Split line in place into blank-separated tokens; '#' outside quotes
 * ends the line.  A quoted token keeps its opening '"' and loses the
 * closing one; backslash escapes inside are left for decode_text().
 * Returns the number of tokens.
 */
static size_t
tokenize(char *p)
{
	size_t n = 0;
	char *q;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (*p == '"') {
			for (q = p + 1; *q != '\0' && *q != '"'; q++)
				if (*q == '\\' && q[1] != '\0')
					q++;
			if (*q == '\0')
				fail("unterminated quoted payload");
			*q++ = '\0';
			if (*q != '\0' && *q != ' ' && *q != '\t' &&
			    *q != '\r' && *q != '#')
				fail("blank expected after closing quote");
			tok_push(n++, p);
			p = q;
			continue;
		}
		tok_push(n++, p);
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p != '\0')
			*p++ = '\0';
	}
}

static void
pay_add(const unsigned char *b, size_t n)
{
	if (pay_len + n > pay_cap) {
		while (pay_len + n > pay_cap)
			pay_cap = pay_cap ? pay_cap * 2 : 1024;
		pay = xrealloc(pay, pay_cap);
	}
	memcpy(pay + pay_len, b, n);
	pay_len += n;
}

/* Append the bytes of "hex:..." (pairs of hex digits). */
static void
decode_hex(const char *s)
{
	unsigned char b;
	int hi, lo;

	for (; *s != '\0'; s += 2) {
		if ((hi = bh_hexval(s[0])) < 0 || (lo = bh_hexval(s[1])) < 0)
			fail("bad hex payload (pairs of hex digits expected)");
		b = (unsigned char)(hi << 4 | lo);
		pay_add(&b, 1);
	}
}

/* Append a quoted text with C escapes \r \n \t \\ \" \xHH \0. */
static void
decode_text(const char *s)
{
	unsigned char b;
	int hi, lo;

	for (; *s != '\0'; s++) {
		b = (unsigned char)*s;
		if (*s == '\\') {
			switch (*++s) {
			case 'r': b = '\r'; break;
			case 'n': b = '\n'; break;
			case 't': b = '\t'; break;
			case '0': b = '\0'; break;
			case '\\': b = '\\'; break;
			case '"': b = '"'; break;
			case 'x':
				if ((hi = bh_hexval(s[1])) < 0 ||
				    (lo = bh_hexval(s[2])) < 0)
					fail("bad \\x escape (two hex digits)");
				b = (unsigned char)(hi << 4 | lo);
				s += 2;
				break;
			default:
				fail("unknown escape '\\%c'", *s);
			}
		}
		pay_add(&b, 1);
	}
}

/*
 * Decimal seconds "S[.F]" to nanoseconds; at most 6 decimals, 9 with
 * nanosecond resolution.  Fails with a message naming what.
 */
static uint64_t
parse_time(const char *what, const char *s)
{
	uint64_t sec = 0, frac = 0;
	const char *p = s;
	int nd = 0, maxd = nsec ? 9 : 6;

	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		sec = sec * 10 + (uint64_t)(*p - '0');
		if (sec > MAX_TIME_NS / NS_PER_S)
			fail("%s: time out of range '%s'", what, s);
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 9)
				frac = frac * 10 + (uint64_t)(*p - '0');
		if (nd == 0)
			goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (nd > maxd)
		fail("%s: more than %d decimals in '%s'%s", what, maxd, s,
		    nsec ? "" : " (tsres ns allows 9)");
	for (; nd < 9; nd++)
		frac *= 10;
	return sec * NS_PER_S + frac;
bad:
	fail("%s: bad time '%s'", what, s);
}

/*
 * Parse an endpoint: "1.2.3.4:80", "[2001:db8::1]:80" with want_port,
 * else "1.2.3.4", "2001:db8::1" or "[2001:db8::1]".  Returns the family
 * (4 or 6).  s is modified.
 */
static int
parse_endpoint(char *s, int want_port, unsigned char *addr, uint16_t *port)
{
	char *a = s, *p = NULL, *e;
	int af;

	if (*s == '[') {
		if ((e = strchr(s, ']')) == NULL)
			fail("bad address '%s'", s);
		a = s + 1;
		*e++ = '\0';
		if (*e == ':')
			p = e + 1;
		else if (*e != '\0')
			fail("bad address '%s]%s'", s, e);
		af = 6;
	} else if (want_port) {
		if ((e = strrchr(s, ':')) == NULL)
			fail("address:port expected, got '%s'", s);
		*e = '\0';
		p = e + 1;
		if (strchr(s, ':') != NULL)
			fail("IPv6 address with a port needs brackets: "
			    "[%s]:%s", s, p);
		af = 4;
	} else
		af = strchr(s, ':') != NULL ? 6 : 4;
	if (inet_pton(af == 6 ? AF_INET6 : AF_INET, a, addr) != 1)
		fail("bad IPv%d address '%s'", af, a);
	if (want_port && p == NULL)
		fail("port missing after '%s'", a);
	if (!want_port && p != NULL)
		fail("no port expected after '%s'", a);
	if (p != NULL)
		*port = (uint16_t)num("port", p, 65535);
	return af;
}

/* ---- directives ------------------------------------------------------ */

static int
known_link(uint32_t lt)
{
	return lt == BH_DLT_EN10MB || lt == BH_DLT_LINUX_SLL ||
	    lt == BH_DLT_LINUX_SLL2 || lt == BH_DLT_RAW ||
	    lt == BH_DLT_NULL || lt == BH_DLT_LOOP;
}

static void
write_header(void)
{
	if (header_written)
		return;
	if (bh_pb_open(&wr, out_fp, pcapng, linktype, snaplen, nsec) == -1)
		fail_io();
	header_written = 1;
}

static void
need_args(size_t ntok, size_t want)
{
	if (ntok != want + 1)
		fail("%s: expected %zu argument%s", tok[0], want,
		    want == 1 ? "" : "s");
	if (header_written && strcmp(tok[0], "isn") != 0)
		fail("%s must come before the first packet", tok[0]);
}

/* link, format, snaplen, tsres, isn.  Returns 0 when tok[0] is none. */
static int
directive(size_t ntok)
{
	static const struct { const char *name; uint32_t lt; } links[] = {
		{ "ether", BH_DLT_EN10MB }, { "sll", BH_DLT_LINUX_SLL },
		{ "sll2", BH_DLT_LINUX_SLL2 }, { "raw", BH_DLT_RAW },
		{ "null", BH_DLT_NULL }, { "loop", BH_DLT_LOOP },
	};
	unsigned char a[16], b[16];
	uint16_t ap = 0, bp = 0;
	struct side *s;
	size_t i;
	int af;

	if (strcmp(tok[0], "link") == 0) {
		need_args(ntok, 1);
		for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
			if (strcmp(tok[1], links[i].name) == 0)
				break;
		if (i < sizeof(links) / sizeof(links[0]))
			linktype = links[i].lt;
		else if (tok[1][0] >= '0' && tok[1][0] <= '9')
			linktype = (uint32_t)num("link", tok[1], 65535);
		else
			fail("link: unknown link type '%s'", tok[1]);
	} else if (strcmp(tok[0], "format") == 0) {
		need_args(ntok, 1);
		if (strcmp(tok[1], "pcap") == 0)
			pcapng = 0;
		else if (strcmp(tok[1], "pcapng") == 0)
			pcapng = 1;
		else
			fail("format: pcap or pcapng expected, got '%s'",
			    tok[1]);
	} else if (strcmp(tok[0], "snaplen") == 0) {
		need_args(ntok, 1);
		snaplen = (uint32_t)num("snaplen", tok[1], 0xffffffffUL);
		if (snaplen == 0)
			fail("snaplen: must be at least 1");
	} else if (strcmp(tok[0], "tsres") == 0) {
		need_args(ntok, 1);
		if (strcmp(tok[1], "us") == 0)
			nsec = 0;
		else if (strcmp(tok[1], "ns") == 0)
			nsec = 1;
		else
			fail("tsres: us or ns expected, got '%s'", tok[1]);
	} else if (strcmp(tok[0], "isn") == 0) {
		/* isn A:P > B:P N: a new ISN restarts that side */
		need_args(ntok, 4);
		if (strcmp(tok[2], ">") != 0)
			fail("isn: expected 'A:P > B:P N'");
		af = parse_endpoint(tok[1], 1, a, &ap);
		if (parse_endpoint(tok[3], 1, b, &bp) != af)
			fail("isn: address families differ");
		sides_reserve();
		s = side_get(af, a, ap, b, bp);
		s->isn = (uint32_t)num("isn", tok[4], 0xffffffffUL);
		s->next_rel = 1;
		s->sent = 0;
		s->last_had_ack = 0;
	} else
		return 0;
	return 1;
}

/* ---- packet lines ---------------------------------------------------- */

enum ptype { P_TCP, P_UDP, P_ICMP, P_ICMP6, P_IP, P_ARP, P_RAW };

/* Settings of a packet line that are not in struct bh_pb_pkt. */
struct line {
	enum ptype	 type;
	int		 has_seq, has_aseq, has_ack, has_aack, has_id;
	uint32_t	 seq, ack;
	uint32_t	 id;
	int		 has_icmpseq;
	uint16_t	 arp_op;
	unsigned long	 repeat;
	uint64_t	 every_ns;
	long		 snap, caplen, len;
	unsigned long	 pad;
};

static const char *const ptype_name[] = {
	"tcp", "udp", "icmp", "icmp6", "ip:N", "arp", "raw"
};

/* A key that applies only to some packet types / families. */
static void
key_needs(const struct line *l, const char *key, int ok, const char *what)
{
	if (!ok)
		fail("%s applies to %s only, not to %s", key, what,
		    ptype_name[l->type]);
}

/* opts=mss,nop,ws,...: an option layout in p0f's names (eol nop mss ws
 * sok sack ts, or ?N for kind N). */
static void
opt_layout(struct bh_pb_pkt *p, char *v)
{
	static const char *const names[] = { "eol", "nop", "mss", "ws",
	    "sok", "sack", NULL, NULL, "ts" };
	char *o, *save = NULL;
	unsigned k;

	p->optn = 0;
	for (o = strtok_r(v, ",", &save); o != NULL;
	    o = strtok_r(NULL, ",", &save)) {
		if (p->optn >= BH_PB_MAXOPT)
			fail("opts: more than %d options", BH_PB_MAXOPT);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (names[k] != NULL && strcmp(o, names[k]) == 0)
				break;
		if (k == sizeof(names) / sizeof(names[0])) {
			if (o[0] != '?')
				fail("opts: unknown option '%s' (eol nop mss "
				    "ws sok sack ts ?N)", o);
			k = (unsigned)num("opts", o + 1, 255);
		}
		p->optlayout[p->optn++] = (uint8_t)k;
	}
	if (p->optn == 0)
		fail("opts: an option list expected");
}

/* TCP flag letters (tcpdump style, '.' is ACK); -1 if not a flag word. */
static int
parse_flags(const char *s)
{
	static const char letters[] = "FSRPAUEC";
	const char *c;
	int f = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '.') {
			f |= BH_TH_ACK;
			continue;
		}
		if ((c = strchr(letters, *s)) == NULL)
			return -1;
		f |= 1 << (c - letters);
	}
	return f;
}

/* vlan=N[,M...]: 802.1Q VLAN ids, outer first. */
static void
parse_vlans(struct bh_pb_pkt *p, char *v)
{
	char *c;

	p->nvlan = 0;
	for (;;) {
		if ((c = strchr(v, ',')) != NULL)
			*c = '\0';
		if (p->nvlan == BH_PB_MAXVLAN)
			fail("vlan: at most %d tags", BH_PB_MAXVLAN);
		p->vlan[p->nvlan++] = (uint16_t)num("vlan", v, 4095);
		if (c == NULL)
			break;
		v = c + 1;
	}
}

/*
 * One key=value or keyword of a packet line, into p and l.  Checks that
 * the key applies to the packet's type and family.
 */
static void
parse_key(struct bh_pb_pkt *p, struct line *l, char *t)
{
	char *v, *e;
	int tcp = l->type == P_TCP, ip = l->type <= P_IP;
	int icmp = l->type == P_ICMP || l->type == P_ICMP6;
	int link_ok;

	if ((v = strchr(t, '=')) != NULL)
		*v++ = '\0';
	link_ok = l->type == P_RAW ? strcmp(t, "snap") == 0 ||
	    strcmp(t, "caplen") == 0 || strcmp(t, "len") == 0 ||
	    strcmp(t, "repeat") == 0 || strcmp(t, "every") == 0 : 1;
	if (!link_ok)
		fail("%s: raw packets take only snap caplen len repeat every",
		    t);
	if (v == NULL) {
		if (strcmp(t, "df") == 0) {
			key_needs(l, t, ip && p->af == 4, "IPv4");
			p->df = 1;
		} else if (strcmp(t, "mf") == 0) {
			key_needs(l, t, ip, "IP packets");
			p->mf = 1;
		} else if (strcmp(t, "sackok") == 0) {
			key_needs(l, t, tcp, "tcp");
			p->sackok = 1;
		} else if (strcmp(t, "hbh") == 0) {
			key_needs(l, t, ip && p->af == 6, "IPv6");
			p->hbh = 1;
		} else if (strcmp(t, "dstopt") == 0) {
			key_needs(l, t, ip && p->af == 6, "IPv6");
			p->dstopt = 1;
		} else if (strcmp(t, "v6frag") == 0) {
			key_needs(l, t, ip && p->af == 6, "IPv6");
			p->v6frag = 1;
		} else
			fail("unknown keyword '%s'", t);
		return;
	}

	if (strcmp(t, "ttl") == 0) {
		key_needs(l, t, ip, "IP packets");
		p->ttl = (uint8_t)num(t, v, 255);
	} else if (strcmp(t, "seq") == 0 || strcmp(t, "aseq") == 0) {
		key_needs(l, t, tcp, "tcp");
		l->seq = (uint32_t)num(t, v, 0xffffffffUL);
		l->has_seq = t[0] == 's';
		l->has_aseq = t[0] == 'a';
	} else if (strcmp(t, "ack") == 0 || strcmp(t, "aack") == 0) {
		key_needs(l, t, tcp, "tcp");
		l->ack = (uint32_t)num(t, v, 0xffffffffUL);
		l->has_ack = t[0] == 'a' && t[1] == 'c';
		l->has_aack = !l->has_ack;
	} else if (strcmp(t, "win") == 0) {
		key_needs(l, t, tcp, "tcp");
		p->win = (uint16_t)num(t, v, 65535);
	} else if (strcmp(t, "mss") == 0) {
		key_needs(l, t, tcp, "tcp");
		p->mss = (uint16_t)num(t, v, 65535);
		p->has_mss = 1;
	} else if (strcmp(t, "wscale") == 0) {
		key_needs(l, t, tcp, "tcp");
		p->wscale = (int)num(t, v, 255);
	} else if (strcmp(t, "opts") == 0) {
		key_needs(l, t, tcp, "tcp");
		opt_layout(p, v);
	} else if (strcmp(t, "ts") == 0) {
		key_needs(l, t, tcp, "tcp");
		if ((e = strchr(v, '/')) == NULL)
			fail("ts: TSVAL/TSECR expected, got '%s'", v);
		*e++ = '\0';
		p->tsval = (uint32_t)num("ts", v, 0xffffffffUL);
		p->tsecr = (uint32_t)num("ts", e, 0xffffffffUL);
		p->has_ts = 1;
	} else if (strcmp(t, "doff") == 0) {
		key_needs(l, t, tcp, "tcp");
		p->doff = (int)num(t, v, 15);
	} else if (strcmp(t, "id") == 0) {
		key_needs(l, t, ip, "IP packets");
		l->id = (uint32_t)num(t, v, p->af == 4 ? 65535 : 0xffffffffUL);
		l->has_id = 1;
	} else if (strcmp(t, "frag") == 0) {
		key_needs(l, t, ip, "IP packets");
		p->fragoff = (uint32_t)num(t, v, 65528);
		if (p->fragoff % 8 != 0)
			fail("frag: offset %s is not a multiple of 8", v);
	} else if (strcmp(t, "vlan") == 0) {
		key_needs(l, t, p->linktype == BH_DLT_EN10MB ||
		    p->linktype == BH_DLT_LINUX_SLL ||
		    p->linktype == BH_DLT_LINUX_SLL2, "link ether, sll, sll2");
		parse_vlans(p, v);
	} else if (strcmp(t, "qinq") == 0) {
		if (strlen(v) != 4 || bh_hexval(v[0]) < 0 || bh_hexval(v[1]) < 0 ||
		    bh_hexval(v[2]) < 0 || bh_hexval(v[3]) < 0)
			fail("qinq: a TPID of 4 hex digits expected, got '%s'",
			    v);
		p->qinq_tpid = (uint16_t)strtoul(v, NULL, 16);
	} else if (strcmp(t, "type") == 0) {
		key_needs(l, t, icmp || l->type == P_ARP, "icmp, icmp6, arp");
		if (l->type == P_ARP)
			l->arp_op = (uint16_t)num(t, v, 65535);
		else
			p->icmp_type = (uint8_t)num(t, v, 255);
	} else if (strcmp(t, "code") == 0) {
		key_needs(l, t, icmp, "icmp, icmp6");
		p->icmp_code = (uint8_t)num(t, v, 255);
	} else if (strcmp(t, "icmpid") == 0) {
		key_needs(l, t, icmp, "icmp, icmp6");
		p->icmp_id = (uint16_t)num(t, v, 65535);
	} else if (strcmp(t, "icmpseq") == 0) {
		key_needs(l, t, icmp, "icmp, icmp6");
		p->icmp_seq = (uint16_t)num(t, v, 65535);
		l->has_icmpseq = 1;
	} else if (strcmp(t, "snap") == 0) {
		l->snap = (long)num(t, v, 0x7fffffffUL);
	} else if (strcmp(t, "caplen") == 0) {
		l->caplen = (long)num(t, v, 0xffffffffUL);
	} else if (strcmp(t, "len") == 0) {
		l->len = (long)num(t, v, 0xffffffffUL);
	} else if (strcmp(t, "iplen") == 0) {
		key_needs(l, t, ip, "IP packets");
		p->iplen = (long)num(t, v, 65535);
	} else if (strcmp(t, "ihl") == 0) {
		key_needs(l, t, ip && p->af == 4, "IPv4");
		p->ihl = (int)num(t, v, 15);
	} else if (strcmp(t, "pad") == 0) {
		l->pad = num(t, v, 16777216);
	} else if (strcmp(t, "repeat") == 0) {
		l->repeat = num(t, v, 100000000);
		if (l->repeat == 0)
			fail("repeat: must be at least 1");
	} else if (strcmp(t, "every") == 0) {
		l->every_ns = parse_time("every", v);
	} else
		fail("unknown key '%s'", t);
}

/*
 * The ARP body (RFC 826) for an IPv4 src/dst: a request (opcode 1) asks
 * for dst on behalf of src and goes to broadcast; other opcodes are
 * addressed to dst's derived MAC.  The line's payload follows as trailer.
 */
static void
arp_body(struct bh_pb_pkt *p, uint16_t op)
{
	unsigned char b[28];
	size_t n = pay_len;

	bh_pb_mac_from_ip(p->smac, 4, p->src);
	if (op == 1)
		memset(p->dmac, 0xff, 6);
	else
		bh_pb_mac_from_ip(p->dmac, 4, p->dst);
	p->macs = 1;
	p->af = 0;			/* a non-IP frame */
	p->ethertype = 0x0806;
	memcpy(b, "\0\001\010\0\006\004", 6);
	b[6] = op >> 8;
	b[7] = op & 0xff;
	memcpy(b + 8, p->smac, 6);
	memcpy(b + 14, p->src, 4);
	if (op == 1)
		memset(b + 18, 0, 6);
	else
		memcpy(b + 18, p->dmac, 6);
	memcpy(b + 24, p->dst, 4);
	/* prepend: make room, shift the trailer, put the body first */
	pay_add(b, 28);
	memmove(pay + 28, pay, n);
	memcpy(pay, b, 28);
}

/*
 * Sequence and acknowledgment numbers for copy i of a TCP packet from
 * side s to its peer, and the state update after it.  Without seq=, a
 * SYN is relative 0, a RST from a side that never sent takes the peer's
 * last ACK or 0 (RFC 9293 §3.10.7.1, reset generation), anything else
 * the side's next sequence number.  Without ack=, an ACK acknowledges
 * the peer's next sequence number.
 */
static void
tcp_numbers(struct bh_pb_pkt *p, const struct line *l, struct side *s,
    struct side *peer, unsigned long i, int later)
{
	uint32_t rel, space, end;
	int syn = p->tcpflags & BH_TH_SYN, fin = p->tcpflags & BH_TH_FIN;
	int rst = p->tcpflags & BH_TH_RST;

	space = (uint32_t)p->paylen + (syn ? 1 : 0) + (fin ? 1 : 0);
	if (l->has_aseq)
		rel = l->seq + (uint32_t)i * space - s->isn;
	else if (l->has_seq)
		rel = l->seq + (uint32_t)i * space;
	else if (syn)
		rel = 0;
	else if (rst && !s->sent)
		rel = (peer->last_had_ack ? peer->last_ack : 0) - s->isn;
	else
		rel = s->next_rel;
	p->seq = s->isn + rel;
	if (l->has_aack)
		p->ack = l->ack;
	else if (l->has_ack)
		p->ack = peer->isn + l->ack;
	else if (p->tcpflags & BH_TH_ACK)
		p->ack = peer->isn + peer->next_rel;
	else
		p->ack = 0;

	s->sent = 1;
	s->last_had_ack = (p->tcpflags & BH_TH_ACK) != 0;
	s->last_ack = p->ack;
	if (rst || later)
		return;
	end = rel + space;
	if ((int32_t)(end - s->next_rel) > 0)
		s->next_rel = end;
}

/* Write one record: the frame, cut by snaplen and snap=, or caplen=. */
static void
emit(uint64_t ts, const unsigned char *f, size_t n, const struct line *l)
{
	uint32_t cap, len;

	if (l->caplen >= 0)
		cap = (uint32_t)l->caplen;
	else {
		cap = n < snaplen ? (uint32_t)n : snaplen;
		if (l->snap >= 0 && (unsigned long)l->snap < cap)
			cap = (uint32_t)l->snap;
	}
	len = l->len >= 0 ? (uint32_t)l->len : (uint32_t)n;
	if (bh_pb_write(&wr, ts, f, n, cap, len) == -1)
		fail_io();
}

/* A packet line: TIME PROTO SRC > DST [FLAGS] [key=value ...] [PAYLOAD] */
static void
packet(size_t ntok)
{
	static const char *const names[] = {
		"tcp", "udp", "icmp", "icmp6", NULL, "arp", "raw"
	};
	struct bh_pb_pkt p;
	struct line l;
	struct side *s = NULL, *peer = NULL;
	unsigned long i;
	uint64_t t0, ts;
	uint16_t sport = 0, dport = 0;
	size_t k, n;
	int f, af2, later;
	unsigned char pad[256];

	if ((tok[0][0] < '0' || tok[0][0] > '9') && tok[0][0] != '+')
		fail("unknown directive '%s'", tok[0]);
	if (ntok < 2)
		fail("protocol expected after the time");
	if (tok[0][0] == '+') {
		if (!have_prev)
			fail("relative time '%s' before the first packet",
			    tok[0]);
		t0 = prev_ns + parse_time("time", tok[0] + 1);
		if (t0 > MAX_TIME_NS)
			fail("time out of range");
	} else
		t0 = parse_time("time", tok[0]);

	memset(&p, 0, sizeof(p));
	memset(&l, 0, sizeof(l));
	p.linktype = linktype;
	p.qinq_tpid = 0x88a8;
	p.ttl = 64;
	p.win = 65535;
	p.wscale = -1;
	p.iplen = -1;
	p.ihl = -1;
	p.doff = -1;
	l.repeat = 1;
	l.every_ns = 1000000;
	l.snap = l.caplen = l.len = -1;
	pay_len = 0;

	for (l.type = P_TCP; l.type <= P_RAW; l.type++)
		if (names[l.type] != NULL && strcmp(tok[1], names[l.type]) == 0)
			break;
	if (l.type > P_RAW) {
		if (strncmp(tok[1], "ip:", 3) != 0)
			fail("unknown protocol '%s'", tok[1]);
		l.type = P_IP;
		p.proto = (uint8_t)num("ip", tok[1] + 3, 255);
	}
	if (!known_link(linktype) && l.type != P_RAW)
		fail("link %lu: only raw packets can be written",
		    (unsigned long)linktype);

	k = 2;
	if (l.type != P_RAW) {
		if (ntok < 5 || strcmp(tok[3], ">") != 0)
			fail("expected SRC > DST after '%s'", tok[1]);
		p.af = parse_endpoint(tok[2], l.type <= P_UDP, p.src, &sport);
		af2 = parse_endpoint(tok[4], l.type <= P_UDP, p.dst, &dport);
		if (p.af != af2)
			fail("source and destination families differ");
		p.sport = sport;
		p.dport = dport;
		switch (l.type) {
		case P_TCP: p.proto = BH_IPPROTO_TCP; break;
		case P_UDP: p.proto = BH_IPPROTO_UDP; break;
		case P_ICMP: p.proto = BH_IPPROTO_ICMP; break;
		case P_ICMP6: p.proto = BH_IPPROTO_ICMP6; break;
		default: break;
		}
		if (l.type == P_ICMP && p.af != 4)
			fail("icmp needs IPv4 addresses (use icmp6)");
		if (l.type == P_ICMP6 && p.af != 6)
			fail("icmp6 needs IPv6 addresses (use icmp)");
		if (l.type == P_ARP && p.af != 4)
			fail("arp needs IPv4 addresses");
		if (l.type == P_ARP && linktype != BH_DLT_EN10MB &&
		    linktype != BH_DLT_LINUX_SLL &&
		    linktype != BH_DLT_LINUX_SLL2)
			fail("arp needs link ether, sll or sll2");
		p.icmp_type = p.af == 6 ? 128 : 8;	/* echo request */
		l.arp_op = 1;				/* ARP request */
		k = 5;
		if (l.type == P_TCP && k < ntok && tok[k][0] != '"' &&
		    (f = parse_flags(tok[k])) >= 0) {
			p.tcpflags = (uint8_t)f;
			k++;
		}
	}
	for (; k < ntok; k++) {
		if (tok[k][0] == '"')
			decode_text(tok[k] + 1);
		else if (strncmp(tok[k], "hex:", 4) == 0)
			decode_hex(tok[k] + 4);
		else if (parse_flags(tok[k]) >= 0)
			fail(l.type == P_TCP ? "TCP flags '%s' must follow the "
			    "destination" : "TCP flags '%s' on a non-tcp packet",
			    tok[k]);
		else
			parse_key(&p, &l, tok[k]);
	}
	memset(pad, 'A', sizeof(pad));
	for (; l.pad > 0; l.pad -= n) {
		n = l.pad < sizeof(pad) ? l.pad : sizeof(pad);
		pay_add(pad, n);
	}
	if (l.type == P_ARP)
		arp_body(&p, l.arp_op);
	p.noxport = l.type == P_IP;
	/* echo request/reply carry identifier and sequence number 1 */
	if ((l.type == P_ICMP && (p.icmp_type == 8 || p.icmp_type == 0)) ||
	    (l.type == P_ICMP6 && (p.icmp_type == 128 ||
	    p.icmp_type == 129))) {
		if (p.icmp_id == 0)
			p.icmp_id = 1;
		if (!l.has_icmpseq)
			p.icmp_seq = 1;
	}
	p.payload = pay;
	p.paylen = pay_len;
	later = p.fragoff > 0;
	if (l.type == P_TCP) {
		sides_reserve();
		s = side_get(p.af, p.src, p.sport, p.dst, p.dport);
		peer = side_get(p.af, p.dst, p.dport, p.src, p.sport);
	}

	write_header();
	for (i = 0; i < l.repeat; i++) {
		ts = t0 + i * l.every_ns;
		if (ts > MAX_TIME_NS || ts < t0)
			fail("time out of range");
		if (l.type == P_RAW) {
			emit(ts, pay, pay_len, &l);
			prev_ns = ts;
			continue;
		}
		if (l.type != P_ARP)
			p.ipid = l.has_id ? l.id + (uint32_t)i : ipid_next++;
		if (l.type == P_TCP)
			tcp_numbers(&p, &l, s, peer, i, later);
		if ((n = bh_pb_build(frame, sizeof(frame), &p)) == 0)
			fail("packet too large (%zu payload bytes)", pay_len);
		emit(ts, frame, n, &l);
		if (l.has_icmpseq || p.icmp_seq != 0)
			p.icmp_seq++;
		prev_ns = ts;
	}
	have_prev = 1;
}

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-h] [-o out.pcap] [file]\n", bh_progname);
	if (full)
		fprintf(fp, "  -o out.pcap  write here, not to stdout "
		    "(removed again on an error)\n"
		    "The description format is in bh-mkpcap(1).\n");
}

int
main(int argc, char *argv[])
{
	FILE *in;
	char *line = NULL;
	size_t cap = 0, ntok;
	ssize_t len;
	struct bh_opt o;
	int ch;

	bh_diag_init(argv[0]);
	bh_opt_init(&o, argc, argv, "o:", NULL);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case 'o':
			out_path = o.arg;
			break;
		default:
			bh_opt_end(ch, usage);
		}
	argc -= o.ind;
	argv += o.ind;
	if (argc > 1)
		bh_opt_end(BH_OPT_BAD, usage);

	if (argc == 1 && strcmp(argv[0], "-") != 0) {
		in_name = argv[0];
		if ((in = fopen(in_name, "r")) == NULL)
			bh_err(BH_EXIT_FATAL, "%s", in_name);
	} else
		in = stdin;
	if (out_path != NULL && strcmp(out_path, "-") != 0) {
		if ((out_fp = fopen(out_path, "wb")) == NULL)
			bh_err(BH_EXIT_FATAL, "%s", out_path);
	} else {
		out_path = NULL;
		out_fp = stdout;
	}

	while ((len = getline(&line, &cap, in)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len != strlen(line))
			fail("NUL byte in the description");
		if ((ntok = tokenize(line)) == 0)
			continue;
		if (!directive(ntok))
			packet(ntok);
	}
	if (ferror(in)) {
		lineno = 0;
		bh_warn("%s", in_name);
		discard_output();
		exit(BH_EXIT_FATAL);
	}
	lineno = 0;
	write_header();
	free(line);
	if (out_fp != stdout) {
		if (fclose(out_fp) == EOF) {
			out_fp = NULL;
			fail_io();
		}
		out_fp = NULL;
	}
	return bh_fshut(BH_EXIT_OK);
}
