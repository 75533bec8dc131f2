/*
 * pktbuild.c - write pcap and pcapng files and build link-layer frames
 * (Ethernet with 802.1Q/802.1ad tags, Linux SLL and SLL2, raw IP, BSD
 * NULL and LOOP) carrying IPv4/IPv6 with TCP, UDP, ICMP, ICMPv6 or any
 * other protocol, with correct checksums.  Used by the fixture writer
 * bh-mkpcap and the demo-capture synthesizer bh-synth.
 *
 * Files are always written little-endian, whatever the host, so that the
 * same description gives the same bytes everywhere.  The frame builder
 * writes into a caller buffer and never allocates.
 */
#include <string.h>

#include "bh.h"

/* ---- byte order helpers -------------------------------------------- */

static void
put_be16(unsigned char *p, uint32_t v)
{
	p[0] = (v >> 8) & 0xff;
	p[1] = v & 0xff;
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (v >> 24) & 0xff;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static void
put_le16(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

/* ---- file writer ---------------------------------------------------- */

/*
 * Write the file header for w's settings: the pcap global header
 * (magic a1b2c3d4, or a1b23c4d for nanoseconds, version 2.4), or for
 * pcapng a Section Header Block and one Interface Description Block
 * (with if_tsresol = 9 for nanoseconds).  Returns 0, or -1 on a write
 * error (errno set by stdio).
 */
int
bh_pb_open(struct bh_pb_writer *w, FILE *fp, int pcapng, uint32_t linktype,
    uint32_t snaplen, int nsec)
{
	unsigned char h[64];
	size_t n;

	w->fp = fp;
	w->pcapng = pcapng;
	w->nsec = nsec;
	w->linktype = linktype;
	w->snaplen = snaplen;
	if (!pcapng) {
		put_le32(h, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
		put_le16(h + 4, 2);
		put_le16(h + 6, 4);
		put_le32(h + 8, 0);		/* thiszone */
		put_le32(h + 12, 0);		/* sigfigs */
		put_le32(h + 16, snaplen);
		put_le32(h + 20, linktype);
		n = 24;
	} else {
		/* Section Header Block, section length unknown (-1). */
		put_le32(h, 0x0a0d0d0a);
		put_le32(h + 4, 28);
		put_le32(h + 8, 0x1a2b3c4d);
		put_le16(h + 12, 1);
		put_le16(h + 14, 0);
		put_le32(h + 16, 0xffffffff);
		put_le32(h + 20, 0xffffffff);
		put_le32(h + 24, 28);
		/* Interface Description Block. */
		n = nsec ? 32 : 20;
		put_le32(h + 28, 1);
		put_le32(h + 32, n);
		put_le16(h + 36, linktype);
		put_le16(h + 38, 0);
		put_le32(h + 40, snaplen);
		if (nsec) {
			put_le16(h + 44, 9);	/* if_tsresol */
			put_le16(h + 46, 1);
			h[48] = 9;		/* 10^-9 */
			h[49] = h[50] = h[51] = 0;
			put_le32(h + 52, 0);	/* opt_endofopt */
		}
		put_le32(h + 28 + n - 4, n);
		n += 28;
	}
	if (fwrite(h, 1, n, fp) != n)
		return -1;
	return 0;
}

/*
 * Write one record: the timestamp ts_ns (nanoseconds since the epoch,
 * truncated to microseconds for a microsecond file), the header fields
 * caplen and len as given, and exactly caplen data bytes: the first
 * caplen bytes of frame, padded with zeros when caplen > n.  So the
 * record is always well framed, even with hostile header values.
 * Returns 0, or -1 on a write error.
 */
int
bh_pb_write(struct bh_pb_writer *w, uint64_t ts_ns, const unsigned char *frame,
    size_t n, uint32_t caplen, uint32_t len)
{
	static const unsigned char zero[256];
	unsigned char h[28];
	uint64_t t;
	size_t hn, dn, pad, k;

	if (!w->pcapng) {
		put_le32(h, (uint32_t)(ts_ns / 1000000000u));
		put_le32(h + 4, (uint32_t)(ts_ns % 1000000000u /
		    (w->nsec ? 1 : 1000)));
		put_le32(h + 8, caplen);
		put_le32(h + 12, len);
		hn = 16;
		pad = 0;
	} else {
		t = w->nsec ? ts_ns : ts_ns / 1000;
		pad = (4 - caplen % 4) % 4;
		put_le32(h, 6);			/* Enhanced Packet Block */
		put_le32(h + 4, 32 + caplen + pad);
		put_le32(h + 8, 0);		/* interface 0 */
		put_le32(h + 12, (uint32_t)(t >> 32));
		put_le32(h + 16, (uint32_t)t);
		put_le32(h + 20, caplen);
		put_le32(h + 24, len);
		hn = 28;
	}
	if (fwrite(h, 1, hn, w->fp) != hn)
		return -1;
	dn = caplen < n ? caplen : n;
	if (dn > 0 && fwrite(frame, 1, dn, w->fp) != dn)
		return -1;
	/* zero fill up to caplen, then the pcapng 32-bit padding */
	for (k = caplen - dn + pad; k > 0; k -= hn) {
		hn = k < sizeof(zero) ? k : sizeof(zero);
		if (fwrite(zero, 1, hn, w->fp) != hn)
			return -1;
	}
	if (w->pcapng) {
		put_le32(h, 32 + caplen + pad);
		if (fwrite(h, 1, 4, w->fp) != 4)
			return -1;
	}
	return 0;
}

/* The usual record: cut to the file snaplen, original length n. */
int
bh_pb_write_frame(struct bh_pb_writer *w, uint64_t ts_ns,
    const unsigned char *frame, size_t n)
{
	uint32_t cap;

	cap = n < w->snaplen ? (uint32_t)n : w->snaplen;
	return bh_pb_write(w, ts_ns, frame, n, cap, (uint32_t)n);
}

/* ---- frame builder -------------------------------------------------- */

/* One's complement sum (RFC 1071) of n bytes, added to sum. */
static uint64_t
csum_add(uint64_t sum, const unsigned char *p, size_t n)
{
	while (n >= 2) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		n -= 2;
	}
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Sum of the pseudo header for an upper-layer checksum: RFC 793 §3.1
 * (IPv4: src, dst, zero, protocol, length) or RFC 8200 §8.1 (IPv6: src,
 * dst, 32-bit length, zeros, next header).
 */
static uint64_t
csum_pseudo(const struct bh_pb_pkt *p, uint8_t proto, size_t len)
{
	uint64_t sum;

	if (p->af == 4) {
		sum = csum_add(0, p->src, 4);
		sum = csum_add(sum, p->dst, 4);
	} else {
		sum = csum_add(0, p->src, 16);
		sum = csum_add(sum, p->dst, 16);
		sum += (uint32_t)(len >> 16);
	}
	return sum + proto + (len & 0xffff);
}

/*
 * Locally administered MAC derived from an address: 02:00 and the IPv4
 * address, or 02:06 and the last four bytes of the IPv6 address.
 */
void
bh_pb_mac_from_ip(unsigned char mac[6], int af, const unsigned char *addr)
{
	mac[0] = 0x02;
	mac[1] = af == 6 ? 0x06 : 0x00;
	memcpy(mac + 2, af == 6 ? addr + 12 : addr, 4);
}

/*
 * The link-layer header and any VLAN tag stack for a payload of
 * ethertype et, written at b.  Returns its length, or -1 when the link
 * type cannot carry this packet (tags or non-IP on raw/NULL/LOOP).
 */
static int
link_header(unsigned char *b, const struct bh_pb_pkt *p, uint16_t et)
{
	unsigned char smac[6], dmac[6];
	size_t n;
	int i;
	uint32_t afv;

	if (p->macs) {
		memcpy(smac, p->smac, 6);
		memcpy(dmac, p->dmac, 6);
	} else {
		bh_pb_mac_from_ip(smac, p->af, p->src);
		bh_pb_mac_from_ip(dmac, p->af, p->dst);
	}
	switch (p->linktype) {
	case BH_DLT_EN10MB:
		memcpy(b, dmac, 6);
		memcpy(b + 6, smac, 6);
		n = 12;
		break;
	case BH_DLT_LINUX_SLL:
		/* packet type, ARPHRD_ETHER, address length, address */
		put_be16(b, p->sll_pkttype);
		put_be16(b + 2, 1);
		put_be16(b + 4, 6);
		memcpy(b + 6, smac, 6);
		b[12] = b[13] = 0;
		n = 14;
		break;
	case BH_DLT_LINUX_SLL2:
		/* protocol, reserved, ifindex, ARPHRD_ETHER, pkttype, addrlen, addr */
		put_be16(b + 2, 0);
		put_be32(b + 4, 1);
		put_be16(b + 8, 1);
		b[10] = p->sll_pkttype;
		b[11] = 6;
		memcpy(b + 12, smac, 6);
		b[18] = b[19] = 0;
		put_be16(b, p->nvlan > 0 ? (p->nvlan > 1 ? p->qinq_tpid :
		    0x8100) : et);
		n = 20;
		goto tags;
	case BH_DLT_NULL:
	case BH_DLT_LOOP:
		if (p->nvlan > 0 || p->af == 0)
			return -1;
		/* AF_INET 2, AF_INET6 24 as on OpenBSD/NetBSD */
		afv = p->af == 6 ? 24 : 2;
		if (p->linktype == BH_DLT_NULL)
			put_le32(b, afv);
		else
			put_be32(b, afv);
		return 4;
	case BH_DLT_RAW:
		if (p->nvlan > 0 || p->af == 0)
			return -1;
		return 0;
	default:
		return -1;
	}
	/* The type slot, then per tag its TCI and the next type. */
	put_be16(b + n, p->nvlan > 0 ? (p->nvlan > 1 ? p->qinq_tpid :
	    0x8100) : et);
	n += 2;
tags:
	for (i = 0; i < p->nvlan; i++) {
		put_be16(b + n, p->vlan[i] & 0x0fff);
		put_be16(b + n + 2, i + 1 < p->nvlan ? 0x8100 : et);
		n += 4;
	}
	return (int)n;
}

/*
 * TCP options in the order Linux sends them on a SYN: MSS, SACK
 * permitted and timestamps (NOP-padded), window scale (RFC 9293 §3.2,
 * RFC 2018, RFC 7323).  Returns their length, a multiple of 4.
 */
static size_t
tcp_options(unsigned char *o, const struct bh_pb_pkt *p)
{
	size_t n = 0;
	int i;

	if (p->optn > 0) {
		/* The layout given, then zeros (EOL) to a multiple of 4;
		 * at most 40 bytes (the builder's caller checks). */
		for (i = 0; i < p->optn && n < 40; i++) {
			switch (p->optlayout[i]) {
			case 0:
			case 1:
				o[n++] = p->optlayout[i];
				break;
			case 2:
				if (n + 4 > 40)
					return n;
				o[n++] = 2;
				o[n++] = 4;
				put_be16(o + n, p->mss);
				n += 2;
				break;
			case 3:
				if (n + 3 > 40)
					return n;
				o[n++] = 3;
				o[n++] = 3;
				o[n++] = (unsigned char)(p->wscale < 0 ? 0 :
				    p->wscale);
				break;
			case 4:
				if (n + 2 > 40)
					return n;
				o[n++] = 4;
				o[n++] = 2;
				break;
			case 5:
				if (n + 10 > 40)
					return n;
				o[n++] = 5;
				o[n++] = 10;
				memset(o + n, 0, 8);
				n += 8;
				break;
			case 8:
				if (n + 10 > 40)
					return n;
				o[n++] = 8;
				o[n++] = 10;
				put_be32(o + n, p->tsval);
				put_be32(o + n + 4, p->tsecr);
				n += 8;
				break;
			default:	/* an unknown kind, 2 bytes */
				if (n + 2 > 40)
					return n;
				o[n++] = p->optlayout[i];
				o[n++] = 2;
				break;
			}
		}
		while (n % 4 != 0)
			o[n++] = 0;
		return n;
	}

	if (p->has_mss) {
		o[n++] = 2;
		o[n++] = 4;
		put_be16(o + n, p->mss);
		n += 2;
	}
	if (p->has_ts) {
		if (p->sackok) {
			o[n++] = 4;
			o[n++] = 2;
		} else {
			o[n++] = 1;
			o[n++] = 1;
		}
		o[n++] = 8;
		o[n++] = 10;
		put_be32(o + n, p->tsval);
		put_be32(o + n + 4, p->tsecr);
		n += 8;
	} else if (p->sackok) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	if (p->wscale >= 0) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = (unsigned char)p->wscale;
	}
	return n;
}

/*
 * Build the frame described by p into buf (cap bytes; BH_PB_MAXFRAME is
 * always enough).  Returns the frame length, or 0 when the packet cannot
 * be built: the link type cannot carry it, or the IP packet would exceed
 * 65535 bytes, or it does not fit in cap.
 *
 * A fragment with a non-zero offset (IPv4 frag, or IPv6 with a fragment
 * header) carries only the payload bytes after the IP headers.  The
 * first fragment carries the transport header, whose length and checksum
 * cover the bytes given (the builder cannot see the rest).
 */
size_t
bh_pb_build(unsigned char *buf, size_t cap, const struct bh_pb_pkt *p)
{
	unsigned char *ip, *l4, *nhp;
	size_t hl, off, iphl, l4hl, l4len, total;
	int lh, later, v6frag;
	uint16_t et, c;
	uint64_t sum;

	if (cap < 128)
		return 0;
	if (p->af == 0)
		et = p->ethertype;
	else
		et = p->af == 4 ? 0x0800 : 0x86dd;
	if ((lh = link_header(buf, p, et)) < 0)
		return 0;
	hl = (size_t)lh;
	if (p->af == 0) {
		if (hl + p->paylen > cap)
			return 0;
		if (p->paylen > 0)	/* payload may be NULL then */
			memcpy(buf + hl, p->payload, p->paylen);
		return hl + p->paylen;
	}

	ip = buf + hl;
	later = p->fragoff > 0;
	v6frag = p->af == 6 && (p->v6frag || p->fragoff > 0 || p->mf);
	iphl = p->af == 4 ? 20 : 40;
	if (p->af == 6)
		iphl += (p->hbh ? 8 : 0) + (v6frag ? 8 : 0) +
		    (p->dstopt && !later ? 8 : 0);
	if (later || p->noxport)
		l4hl = 0;
	else if (p->proto == BH_IPPROTO_TCP)
		l4hl = 20 + tcp_options(ip + iphl + 20, p);
	else if (p->proto == BH_IPPROTO_UDP || p->proto == BH_IPPROTO_ICMP ||
	    p->proto == BH_IPPROTO_ICMP6)
		l4hl = 8;
	else
		l4hl = 0;
	l4len = l4hl + p->paylen;
	total = iphl + l4len;
	if (total > 65535 + (p->af == 6 ? 40 : 0) || hl + total > cap)
		return 0;
	l4 = ip + iphl;
	if (p->paylen > 0)
		memcpy(l4 + l4hl, p->payload, p->paylen);

	/* IP header (RFC 791 §3.1, RFC 8200 §3) and extension headers. */
	if (p->af == 4) {
		ip[0] = 0x40 | (p->ihl >= 0 ? (p->ihl & 0x0f) : 5);
		ip[1] = 0;
		put_be16(ip + 2, p->iplen >= 0 ? (uint32_t)p->iplen : total);
		put_be16(ip + 4, p->ipid & 0xffff);
		put_be16(ip + 6, (p->df ? 0x4000 : 0) | (p->mf ? 0x2000 : 0) |
		    ((p->fragoff / 8) & 0x1fff));
		ip[8] = p->ttl;
		ip[9] = p->proto;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, p->src, 4);
		memcpy(ip + 16, p->dst, 4);
		c = csum_fold(csum_add(0, ip, 20));
		put_be16(ip + 10, c);
	} else {
		put_be32(ip, 0x60000000);
		put_be16(ip + 4, p->iplen >= 0 ? (uint32_t)p->iplen :
		    total - 40);
		ip[7] = p->ttl;
		memcpy(ip + 8, p->src, 16);
		memcpy(ip + 24, p->dst, 16);
		nhp = ip + 6;
		off = 40;
		if (p->hbh) {
			/* hop-by-hop options: one PadN option (RFC 8200 §4.2) */
			*nhp = 0;
			nhp = ip + off;
			memcpy(ip + off + 1, "\0\001\004\0\0\0\0", 7);
			off += 8;
		}
		if (v6frag) {
			*nhp = 44;
			nhp = ip + off;
			ip[off + 1] = 0;
			put_be16(ip + off + 2, (p->fragoff & 0xfff8) |
			    (p->mf ? 1 : 0));
			put_be32(ip + off + 4, p->ipid);
			off += 8;
		}
		if (p->dstopt && !later) {
			*nhp = 60;
			nhp = ip + off;
			memcpy(ip + off + 1, "\0\001\004\0\0\0\0", 7);
			off += 8;
		}
		*nhp = p->proto;
	}
	if (later || p->noxport)
		return (size_t)(l4 - buf) + l4len;

	/* Transport header and checksum. */
	switch (p->proto) {
	case BH_IPPROTO_TCP:
		put_be16(l4, p->sport);
		put_be16(l4 + 2, p->dport);
		put_be32(l4 + 4, p->seq);
		put_be32(l4 + 8, p->ack);
		l4[12] = (unsigned char)((p->doff >= 0 ? (p->doff & 0x0f) :
		    (int)(l4hl / 4)) << 4);
		l4[13] = p->tcpflags;
		put_be16(l4 + 14, p->win);
		l4[16] = l4[17] = 0;
		put_be16(l4 + 18, p->urp);
		sum = csum_pseudo(p, BH_IPPROTO_TCP, l4len);
		put_be16(l4 + 16, csum_fold(csum_add(sum, l4, l4len)));
		break;
	case BH_IPPROTO_UDP:
		put_be16(l4, p->sport);
		put_be16(l4 + 2, p->dport);
		put_be16(l4 + 4, l4len & 0xffff);
		l4[6] = l4[7] = 0;
		sum = csum_pseudo(p, BH_IPPROTO_UDP, l4len);
		c = csum_fold(csum_add(sum, l4, l4len));
		put_be16(l4 + 6, c == 0 ? 0xffff : c);	/* RFC 768 */
		break;
	case BH_IPPROTO_ICMP:
	case BH_IPPROTO_ICMP6:
		l4[0] = p->icmp_type;
		l4[1] = p->icmp_code;
		l4[2] = l4[3] = 0;
		put_be16(l4 + 4, p->icmp_id);
		put_be16(l4 + 6, p->icmp_seq);
		/* ICMPv6 has a pseudo header (RFC 4443 §2.3), ICMP none */
		sum = p->af == 6 ? csum_pseudo(p, BH_IPPROTO_ICMP6, l4len) : 0;
		put_be16(l4 + 2, csum_fold(csum_add(sum, l4, l4len)));
		break;
	}
	return (size_t)(l4 - buf) + l4len;
}
