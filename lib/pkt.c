/*
 * pkt.c - bounds-checked packet decoding: a link-layer frame to the few
 * facts bh-sessions keeps (addresses, protocol, ports, TTL, TCP header
 * and timestamp option, payload extent).
 *
 * Every byte is read through a getter that checks it lies inside the
 * captured bytes; no struct is ever laid over packet memory (after
 * tcpdump's GET_ macros).  Lengths in the packet are never trusted: the
 * IP length is clamped to what the frame can hold, header lengths are
 * checked against it.  The function is pure, so fuzz targets call it
 * directly.
 */
#include <string.h>

#include "bh.h"

/* Ethertypes (IEEE 802 numbers). */
#define ET_IPV4		0x0800
#define ET_IPV6		0x86dd
#define ET_VLAN		0x8100	/* 802.1Q */
#define ET_QINQ		0x88a8	/* 802.1ad */
#define ET_QINQ_OLD	0x9100	/* pre-standard QinQ */

/* Big-endian loads; only after a length check covering them. */
#define BE16(b)	((uint16_t)((b)[0] << 8 | (b)[1]))
#define BE32(b)	((uint32_t)(b)[0] << 24 | (uint32_t)(b)[1] << 16 | \
		    (uint32_t)(b)[2] << 8 | (uint32_t)(b)[3])

/* A bounded view of the captured bytes. */
struct cur {
	const unsigned char	*p;
	uint32_t		 n;
};

static int
get8(const struct cur *c, uint32_t off, uint8_t *v)
{
	if (off >= c->n)
		return -1;
	*v = c->p[off];
	return 0;
}

static int
get16(const struct cur *c, uint32_t off, uint16_t *v)
{
	if (off > c->n || c->n - off < 2)
		return -1;
	*v = (uint16_t)(c->p[off] << 8 | c->p[off + 1]);
	return 0;
}

static int
get32(const struct cur *c, uint32_t off, uint32_t *v)
{
	if (off > c->n || c->n - off < 4)
		return -1;
	*v = (uint32_t)c->p[off] << 24 | (uint32_t)c->p[off + 1] << 16 |
	    (uint32_t)c->p[off + 2] << 8 | c->p[off + 3];
	return 0;
}

static int
getbytes(const struct cur *c, uint32_t off, void *dst, uint32_t n)
{
	if (off > c->n || c->n - off < n)
		return -1;
	memcpy(dst, c->p + off, n);
	return 0;
}

int
bh_pkt_linktype_ok(int dlt)
{
	return bh_pkt_linktype_name(dlt) != NULL;
}

const char *
bh_pkt_linktype_name(int dlt)
{
	switch (dlt) {
	case BH_DLT_NULL:
		return "null";
	case BH_DLT_EN10MB:
		return "ether";
	case BH_DLT_RAW12:
	case BH_DLT_RAW14:
	case BH_DLT_RAW:
		return "raw";
	case BH_DLT_LOOP:
		return "loop";
	case BH_DLT_LINUX_SLL:
		return "sll";
	case BH_DLT_IPV4:
		return "ipv4";
	case BH_DLT_IPV6:
		return "ipv6";
	case BH_DLT_LINUX_SLL2:
		return "sll2";
	}
	return NULL;
}

const char *
bh_pkt_reason(enum bh_pkt_status st)
{
	static const char *const names[BH_PKT_NSTATUS] = {
		"ok", "linktype", "short-link", "vlan-depth", "not-ip",
		"short-ip", "bad-ip", "ext-depth", "short-transport",
		"bad-transport",
	};

	if ((unsigned)st >= BH_PKT_NSTATUS)
		return "unknown";
	return names[st];
}

/*
 * Walk Ethernet-style ethertype chains from offset *off: VLAN tags
 * (802.1Q 0x8100, 802.1ad 0x88a8, old QinQ 0x9100) are stepped over, any
 * number of them per packet up to BH_PKT_MAX_VLAN, decided per packet (a
 * capture mixing tagged and untagged frames keeps every flow).  On return
 * *et is the inner ethertype and *off the start of its payload.
 */
static enum bh_pkt_status
skip_vlans(const struct cur *c, uint32_t *off, uint16_t *et,
    struct bh_pkt *out)
{
	while (*et == ET_VLAN || *et == ET_QINQ || *et == ET_QINQ_OLD) {
		if (out->vlan_n >= BH_PKT_MAX_VLAN)
			return BH_PKT_VLAN_DEPTH;
		/* TCI (2 bytes), then the next ethertype. */
		if (get16(c, *off + 2, et) == -1)
			return BH_PKT_SHORT_LINK;
		*off += 4;
		out->vlan_n++;
	}
	return BH_PKT_OK;
}

/*
 * TCP options (RFC 9293 §3.1): EOL ends, NOP is one byte, every other
 * kind has a length byte >= 2.  Only the timestamp option (kind 8, length
 * 10, RFC 7323 §3) is kept.  A malformed list stops the walk; what was
 * found before stays.
 */
static void
tcp_options(const struct cur *c, uint32_t off, uint32_t end,
    struct bh_pkt *out)
{
	uint8_t kind, len;

	while (off < end) {
		if (get8(c, off, &kind) == -1 || kind == 0)
			return;
		if (kind == 1) {
			off++;
			continue;
		}
		if (off + 1 >= end || get8(c, off + 1, &len) == -1 || len < 2 ||
		    len > end - off)
			return;
		if (kind == 8 && len == 10 &&
		    get32(c, off + 2, &out->tsval) == 0 &&
		    get32(c, off + 6, &out->tsecr) == 0)
			out->has_ts = 1;
		off += len;
	}
}

/*
 * The transport header at off, l4len bytes of segment on the wire per
 * the IP length.  Fills ports, TCP fields and the payload extent.
 */
static enum bh_pkt_status
transport(const struct cur *c, uint32_t off, uint32_t l4len,
    struct bh_pkt *out)
{
	const unsigned char *h;
	uint32_t hlen = 0;

	switch (out->proto) {
	case BH_IPPROTO_TCP:
		if (l4len < 20)
			return BH_PKT_BAD_L4;
		/* One check covers the fixed fields we read (16 bytes). */
		if (off > c->n || c->n - off < 16)
			return BH_PKT_SHORT_L4;
		h = c->p + off;
		out->sport = BE16(h);
		out->dport = BE16(h + 2);
		out->seq = BE32(h + 4);
		out->ack = BE32(h + 8);
		out->tcp_flags = h[13];
		out->win = BE16(h + 14);
		hlen = (uint32_t)(h[12] >> 4) * 4;
		if (hlen < 20 || hlen > l4len)
			return BH_PKT_BAD_L4;
		/* what only a SYN's fingerprint reads (lib/tcpfp.c) */
		if (out->tcp_flags & BH_TH_SYN) {
			out->tcp_x2 = h[12] & 15;
			(void)get16(c, off + 18, &out->tcp_urp);
			out->tcp_optlen = (uint8_t)(hlen - 20);
			if (c->n - off >= hlen) {
				out->tcp_opt_cap = 1;
				out->tcp_opt = h + 20;
			}
		}
		if (hlen > 20)
			tcp_options(c, off + 20, off + hlen, out);
		break;
	case BH_IPPROTO_UDP:
		if (l4len < 8)
			return BH_PKT_BAD_L4;
		if (get16(c, off, &out->sport) == -1 ||
		    get16(c, off + 2, &out->dport) == -1 ||
		    c->n - off < 8)
			return BH_PKT_SHORT_L4;
		hlen = 8;
		break;
	case BH_IPPROTO_ICMP:
	case BH_IPPROTO_ICMP6:
		/* Type and code when captured; the payload is what follows
		 * the 8-byte header (echo data, the quoted datagram). */
		(void)get8(c, off, &out->icmp_type);
		(void)get8(c, off + 1, &out->icmp_code);
		hlen = l4len < 8 ? l4len : 8;
		break;
	default:
		hlen = 0;
		break;
	}
	out->payload_len = l4len - hlen;
	off += hlen;
	out->payload = c->p + (off < c->n ? off : c->n);
	out->payload_cap = off < c->n ? c->n - off : 0;
	if (out->payload_cap > out->payload_len)
		out->payload_cap = out->payload_len;
	return BH_PKT_OK;
}

/*
 * How many IP bytes the frame really carries: the IP header's length
 * when it is plausible, clamped to the bytes the wire frame has after
 * the link header (a lying length cannot inflate byte counts).  A zero
 * IPv4 length (TSO captures on Linux) takes the frame's length.
 */
static uint32_t
wire_ip_len(uint32_t hdr_len, uint32_t wire_avail)
{
	if (hdr_len == 0 || hdr_len > wire_avail)
		return wire_avail;
	return hdr_len;
}

/* IPv4 at off (RFC 791): IHL >= 5, options skipped, fragments noted. */
static enum bh_pkt_status
ipv4(const struct cur *c, uint32_t off, uint32_t wire_avail,
    struct bh_pkt *out)
{
	const unsigned char *h;
	uint8_t vihl;
	uint16_t tot, id, fr;
	uint32_t hlen, len;

	if (get8(c, off, &vihl) == -1)
		return BH_PKT_SHORT_IP;
	if (vihl >> 4 != 4)
		return BH_PKT_BAD_IP;
	hlen = (uint32_t)(vihl & 15) * 4;
	if (hlen < 20)
		return BH_PKT_BAD_IP;
	/* The whole header, options included, must have been captured. */
	if (off > c->n || c->n - off < hlen)
		return BH_PKT_SHORT_IP;
	h = c->p + off;
	tot = BE16(h + 2);
	id = BE16(h + 4);
	fr = BE16(h + 6);
	out->ttl = h[8];
	out->proto = h[9];
	out->ip_tos = h[1];
	out->ip_optlen = (uint8_t)(hlen - 20);
	out->ip_fl = (uint8_t)(fr >> 8 & 0xc0);
	memcpy(out->src, h + 12, 4);
	memcpy(out->dst, h + 16, 4);
	out->af = 4;
	len = wire_ip_len(tot, wire_avail);
	if (len < hlen || (tot != 0 && tot < hlen))
		return BH_PKT_BAD_IP;
	out->ip_len = len;
	out->frag_id = id;
	if ((fr & 0x1fff) != 0) {
		/* A later fragment: no transport header of its own. */
		out->frag = 2;
		out->payload_len = len - hlen;
		out->payload = c->p + off + hlen;
		out->payload_cap = c->n - (off + hlen);
		if (out->payload_cap > out->payload_len)
			out->payload_cap = out->payload_len;
		return BH_PKT_OK;
	}
	if (fr & 0x2000)
		out->frag = 1;
	return transport(c, off + hlen, len - hlen, out);
}

/*
 * IPv6 at off (RFC 8200): the extension header chain is walked (hop-by-
 * hop, routing, destination options, mobility, HIP, shim6 by their
 * length byte; AH in 4-byte units, RFC 4302; fragment, 8 bytes) up to
 * BH_PKT_MAX_EXTHDR headers.  ESP and No Next Header end the walk and
 * become the session protocol.  The hop limit is the TTL.
 */
static enum bh_pkt_status
ipv6(const struct cur *c, uint32_t off, uint32_t wire_avail,
    struct bh_pkt *out)
{
	uint8_t v, nh, hl;
	uint16_t plen, fr;
	uint32_t len, pos, end, hlen, id;
	int n;

	if (get8(c, off, &v) == -1)
		return BH_PKT_SHORT_IP;
	if (v >> 4 != 6)
		return BH_PKT_BAD_IP;
	if (get16(c, off + 4, &plen) == -1 || get8(c, off + 6, &nh) == -1 ||
	    get8(c, off + 7, &out->ttl) == -1 ||
	    getbytes(c, off + 8, out->src, 16) == -1 ||
	    getbytes(c, off + 24, out->dst, 16) == -1)
		return BH_PKT_SHORT_IP;
	out->af = 6;
	/* Version, traffic class, flow label: the 4 bytes at off. */
	out->ip_tos = (uint8_t)(c->p[off] << 4 | c->p[off + 1] >> 4);
	out->ip6_flow = (uint32_t)(c->p[off + 1] & 15) << 16 |
	    (uint32_t)c->p[off + 2] << 8 | c->p[off + 3];
	if (wire_avail < 40)
		return BH_PKT_BAD_IP;
	/* Payload length 0 is a jumbogram (RFC 2675) or TSO: use the frame. */
	len = wire_ip_len(plen == 0 ? 0 : (uint32_t)plen + 40, wire_avail);
	out->ip_len = len;
	pos = off + 40;
	end = off + len;
	for (n = 0;; n++) {
		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
		case 135:	/* mobility */
		case 139:	/* HIP */
		case 140:	/* shim6 */
		case 51:	/* AH */
		case 44:	/* fragment */
			break;
		default:
			out->proto = nh;
			return transport(c, pos, end - pos, out);
		}
		if (n >= BH_PKT_MAX_EXTHDR)
			return BH_PKT_EXT_DEPTH;
		if (get8(c, pos, &v) == -1 || get8(c, pos + 1, &hl) == -1)
			return BH_PKT_SHORT_IP;
		if (nh == 44) {
			if (get16(c, pos + 2, &fr) == -1 ||
			    get32(c, pos + 4, &id) == -1)
				return BH_PKT_SHORT_IP;
			hlen = 8;
			out->frag_id = id;
			if ((fr & 0xfff8) != 0) {
				if (end - pos < hlen)
					return BH_PKT_BAD_IP;
				out->frag = 2;
				out->proto = v;
				pos += hlen;
				out->payload_len = end - pos;
				out->payload = c->p + (pos < c->n ? pos : c->n);
				out->payload_cap = pos < c->n ? c->n - pos : 0;
				if (out->payload_cap > out->payload_len)
					out->payload_cap = out->payload_len;
				return BH_PKT_OK;
			}
			if (fr & 1)
				out->frag = 1;
		} else if (nh == 51)
			hlen = ((uint32_t)hl + 2) * 4;
		else
			hlen = ((uint32_t)hl + 1) * 8;
		if (end - pos < hlen)
			return BH_PKT_BAD_IP;
		pos += hlen;
		nh = v;
	}
}

/* Dispatch on an ethertype (or the IP version of raw IP). */
static enum bh_pkt_status
network(const struct cur *c, uint32_t off, uint16_t et, uint32_t wire_avail,
    struct bh_pkt *out)
{
	if (et == ET_IPV4)
		return ipv4(c, off, wire_avail, out);
	if (et == ET_IPV6)
		return ipv6(c, off, wire_avail, out);
	return BH_PKT_NOT_IP;
}

/* Raw IP: the version nibble says which. */
static enum bh_pkt_status
raw_ip(const struct cur *c, uint32_t off, uint32_t wire_avail,
    struct bh_pkt *out)
{
	uint8_t v;

	if (get8(c, off, &v) == -1)
		return BH_PKT_SHORT_IP;
	if (v >> 4 == 4)
		return ipv4(c, off, wire_avail, out);
	if (v >> 4 == 6)
		return ipv6(c, off, wire_avail, out);
	return BH_PKT_NOT_IP;
}

/*
 * BSD loopback: a 4-byte address family, in the writer's byte order for
 * DLT_NULL (we accept either), big-endian for DLT_LOOP.  AF_INET is 2
 * everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30
 * (Darwin) or 10 (Linux).
 */
static enum bh_pkt_status
null_link(const struct cur *c, int swap_ok, uint32_t wirelen,
    struct bh_pkt *out)
{
	uint32_t af;

	if (get32(c, 0, &af) == -1 || wirelen < 4)
		return BH_PKT_SHORT_LINK;
	if (swap_ok && (af & 0xffff) == 0)
		af = (af >> 24) | ((af >> 8) & 0xff00);
	switch (af) {
	case 2:
		return network(c, 4, ET_IPV4, wirelen - 4, out);
	case 10:
	case 24:
	case 28:
	case 30:
		return network(c, 4, ET_IPV6, wirelen - 4, out);
	}
	return BH_PKT_NOT_IP;
}

enum bh_pkt_status
bh_pkt_decode(int dlt, const unsigned char *data, uint32_t caplen,
    uint32_t wirelen, struct bh_pkt *out)
{
	struct cur c;
	enum bh_pkt_status st;
	uint32_t off;
	uint16_t et;

	memset(out, 0, sizeof(*out));
	c.p = data;
	c.n = caplen;
	/* A wire length below the captured length is a lie; trust the
	 * bytes we have. */
	if (wirelen < caplen)
		wirelen = caplen;
	switch (dlt) {
	case BH_DLT_EN10MB:
		if (get16(&c, 12, &et) == -1 || wirelen < 14)
			return BH_PKT_SHORT_LINK;
		off = 14;
		break;
	case BH_DLT_LINUX_SLL:
		if (get16(&c, 14, &et) == -1 || wirelen < 16)
			return BH_PKT_SHORT_LINK;
		off = 16;
		break;
	case BH_DLT_LINUX_SLL2:
		if (get16(&c, 0, &et) == -1 || caplen < 20 || wirelen < 20)
			return BH_PKT_SHORT_LINK;
		off = 20;
		break;
	case BH_DLT_RAW12:
	case BH_DLT_RAW14:
	case BH_DLT_RAW:
		return raw_ip(&c, 0, wirelen, out);
	case BH_DLT_IPV4:
		return network(&c, 0, ET_IPV4, wirelen, out);
	case BH_DLT_IPV6:
		return network(&c, 0, ET_IPV6, wirelen, out);
	case BH_DLT_NULL:
		return null_link(&c, 1, wirelen, out);
	case BH_DLT_LOOP:
		return null_link(&c, 0, wirelen, out);
	default:
		return BH_PKT_LINKTYPE;
	}
	if ((st = skip_vlans(&c, &off, &et, out)) != BH_PKT_OK)
		return st;
	if (off > wirelen)
		return BH_PKT_SHORT_LINK;
	return network(&c, off, et, wirelen - off, out);
}
