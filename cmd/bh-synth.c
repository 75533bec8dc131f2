/*
 * bh-synth - synthesize a honeypot capture whose answers are known.
 *
 * Writes a pcap of what a monitor beside a Windows honeypot
 * (192.168.56.101, 2001:db8:56::101) sees over a botnet's life: scans
 * and infection attempts to 135/139/445 from many remote hosts (mostly
 * Windows, some Linux), the honeypot's downloads of the bot (HTTP with an
 * MZ body, FTP with active and passive data connections, TFTP), its IRC
 * C&C on 6667 and odd ports, a few outbound propagation attempts, and
 * background noise (DNS, NetBIOS broadcasts, ARP), with retransmissions,
 * retransmitted SYNs and SYN/ACKs with and without TCP timestamps, some
 * IPv6 and some 802.1Q-tagged frames.  With -t it writes beside it the
 * truth: one record per session bh-sessions will report, in the order of
 * their first packets (line N is flow N), with phase, app, the remote
 * party's TTL, initial TTL, hops and OS, and the RTT planted toward it.
 *
 * How: arrivals of episodes (a scan; an infection, perhaps followed by
 * the download and the C&C it leads to; noise) each build the complete
 * packet script of their sessions at once, and a heap of the live
 * sessions, ordered by the time of their next packet, interleaves the
 * scripts into one capture in time order.  A session's truth is written
 * when its first packet is, so the truth is in flow order.
 *
 * Reads nothing.  Unlike its peers it writes a capture, not a record
 * stream (the truth file is a record stream).  Output is a pure function
 * of the options: its own PRNG (splitmix64), drawn once per statement
 * (C leaves the order of operands open), integer arithmetic only, so the
 * same --seed gives the same bytes on any machine and with any compiler.
 * Fast enough for benchmark captures of many gigabytes: no allocation per
 * packet in the steady state (sessions and their arrays are recycled),
 * one big stdio buffer.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

#define START_USEC	1262304000000000LL	/* 2010-01-01 00:00:00 UTC */
#define SEC		1000000LL
#define MS		1000LL
#define MSS		1460
#define BODY_SIZE	(1 << 20)		/* the largest executable */
#define TFTP_BLOCK	512
#define TEXT_SIZE	3072			/* per-session formatted text */
#define NLAN		24			/* LAN hosts that broadcast */

/* ---- deterministic random numbers ----------------------------------- */

static uint64_t rng;

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit step of the stream. */
static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A hash of x: the splitmix64 finalizer, a bijection on 64 bits. */
static uint64_t
mix64(uint64_t x)
{
	return splitmix(&x);
}

/* Uniform in [0, n) for n < 2^32, by multiply-shift (no modulo bias
 * worth the name, no floating point). */
static uint32_t
below(uint32_t n)
{
	return (uint32_t)(((splitmix(&rng) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
static int64_t
range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)below((uint32_t)(hi - lo + 1));
}

/* True with probability permille/1000. */
static int
chance(unsigned permille)
{
	return below(1000) < permille;
}

/* ---- hosts ------------------------------------------------------------ */

enum os_kind { OS_WINDOWS, OS_UNIX, OS_SOLARIS };

static const char *const os_name[] = { "windows", "unix", "solaris/network" };
static const uint8_t os_ttl[] = { 128, 64, 255 };

struct host {
	int		 af;
	unsigned char	 addr[16];
	int		 os;
	uint8_t		 hops;
	int64_t		 rtt;		/* base round trip from the monitor, µs */
	int64_t		 gap;		/* bottleneck spacing of full segments */
	uint32_t	 tsbase;	/* TCP timestamp clock offset */
	uint16_t	 portbase;	/* first ephemeral port it uses */
	uint32_t	 idx;		/* its index */
};

/* Address-space layout of the host indexes (disjoint, so unique IPs). */
#define IDX_ATTACKER	0x00000000u
#define IDX_SERVER	0x08000000u

static uint64_t seed;

/*
 * A public-looking IPv4 address for host index idx, unique per index:
 * fmix32 (MurmurHash3's finalizer) is a bijection, and each index owns
 * the 16 inputs idx*16+j, of which the first that does not fall in a
 * reserved or private /8 is taken (RFC 6890).
 */
static void
addr4_of(unsigned char *a, uint32_t idx)
{
	uint32_t x;
	unsigned j, o;

	for (j = 0; j < 16; j++) {
		x = (idx * 16u + j) ^ (uint32_t)(seed * 0x9e3779b9u);
		x ^= x >> 16;
		x *= 0x85ebca6bu;
		x ^= x >> 13;
		x *= 0xc2b2ae35u;
		x ^= x >> 16;
		o = x >> 24;
		if (o == 0 || o == 10 || o == 100 || o == 127 || o == 169 ||
		    o == 172 || o == 192 || o == 198 || o == 203 || o >= 224)
			continue;
		if ((x & 0xff) == 0 || (x & 0xff) == 255)
			continue;
		break;
	}
	a[0] = x >> 24;
	a[1] = x >> 16;
	a[2] = x >> 8;
	a[3] = x;
}

/* 2001:db8:XXXX:XXXX::XXXX (RFC 3849), never in the honeypot's /64. */
static void
addr6_of(unsigned char *a, uint32_t idx)
{
	uint64_t h = mix64(seed ^ ((uint64_t)idx << 20) ^ 0x6666);

	memset(a, 0, 16);
	a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
	a[4] = (uint8_t)(0x01 + (h >> 56) % 0xfe);
	a[5] = h >> 48;
	a[6] = h >> 40;
	a[7] = h >> 32;
	a[14] = (h >> 8) & 0xff;
	a[15] = (h & 0xff) | 1;
}

/*
 * The host with index idx: address, OS drawn with the given per-mille
 * shares of Windows and Unix (the rest Solaris/network gear), hops
 * spread around 22 (14..30, a sum of three uniforms), and a base RTT
 * that grows with the hops (per-hop 2.5–7 ms plus an access delay of
 * 2–32 ms), all fixed by the index so a host is the same in every
 * session.
 */
static void
host_make(struct host *h, int af, uint32_t idx, unsigned win_pm,
    unsigned unix_pm)
{
	uint64_t x = mix64(seed * 0x2545f4914f6cdd1dULL + idx + 0x51);
	unsigned r;

	memset(h, 0, sizeof(*h));
	h->af = af;
	h->idx = idx;
	if (af == 4)
		addr4_of(h->addr, idx);
	else
		addr6_of(h->addr, idx);
	r = (unsigned)(x % 1000);
	h->os = r < win_pm ? OS_WINDOWS : r < win_pm + unix_pm ? OS_UNIX :
	    OS_SOLARIS;
	x = mix64(x);
	h->hops = (uint8_t)(14 + x % 7 + (x >> 8) % 7 + (x >> 16) % 5);
	h->rtt = 2000 + (int64_t)((x >> 24) % 30000) +
	    h->hops * (2500 + (int64_t)((x >> 40) % 4500));
	x = mix64(x);
	/* 2..40 Mbit/s bottleneck: 1514-byte frame every 300..6000 µs */
	h->gap = 300 + (int64_t)(x % 5700);
	h->tsbase = (uint32_t)(x >> 20);
	h->portbase = h->os == OS_WINDOWS ? (uint16_t)(1030 + (x >> 52) % 3000) :
	    (uint16_t)(32768 + (x >> 50) % 26000);
}

/* ---- sessions and their packet scripts -------------------------------- */

/* A piece of a side's byte stream: n bytes at p, from stream offset off. */
struct piece {
	const unsigned char	*p;
	uint32_t		 off, n;
};

/* One packet of a script. */
struct step {
	int64_t		 t;		/* capture time, µs */
	uint32_t	 seq, ack;	/* relative to the ISNs (SYN is 0) */
	uint32_t	 off, len;	/* payload: stream offset and length */
	uint32_t	 tsval, tsecr;
	uint8_t		 side;		/* 0 orig, 1 resp */
	uint8_t		 flags;		/* BH_PB_TH_* */
	uint8_t		 ttl;
	uint8_t		 opt;		/* OPT_* */
};

#define OPT_SYN		0x01	/* MSS, SACK permitted (and wscale) */
#define OPT_TS		0x02	/* timestamp option */

struct side {
	unsigned char	 addr[16];
	uint16_t	 port;
	uint8_t		 ttl;		/* TTL of the next packet */
	int		 os;
	int		 ts;		/* sends the timestamp option */
	uint32_t	 tsbase, ts_recent;
	uint32_t	 isn;
	uint32_t	 nxt;		/* next relative seq */
	uint32_t	 slen;		/* stream bytes queued */
	uint32_t	 sent;		/* stream bytes sent once */
	uint16_t	 ipid, win;
	struct piece	*pc;
	size_t		 npc, cappc;
	unsigned	 npkts;
	int		 vlan;		/* its packets carry 802.1Q tag 56 */
};

enum { DIR_IN, DIR_OUT, DIR_LOCAL };

struct sess {
	uint64_t	 uid;		/* creation order: ties in the heap */
	int		 af;
	int		 proto;		/* 6, 17, or 0 for ARP */
	struct side	 sd[2];
	int		 remote;	/* side index of the remote party, -1 */
	struct step	*st;
	size_t		 nst, capst, cur;
	size_t		 heapidx;
	unsigned char	 text[TEXT_SIZE];
	size_t		 textlen;
	/* the truth */
	int		 truth;		/* reported by bh-sessions */
	int		 dir;
	const char	*phase, *app, *state, *how, *note;
	int64_t		 rtt_remote, rtt_local;	/* µs, -1 unset */
	int		 rem_os;
	uint8_t		 rem_hops_base;	/* hops of the first packet */
	struct sess	*partner;	/* linked session (FTP, TFTP) */
	uint64_t	 flow, link;	/* 0 = not known yet */
	int		 vlan;		/* 0 none, 1 every frame, 2 mixed */
	int		 done, queued, flushed;
};

/* ---- global state ------------------------------------------------------- */

static struct sess **heap;
static size_t nheap, capheap;
static struct sess **freelist;
static size_t nfree, capfree;
static struct sess **tq;		/* truth lines waiting for a link */
static size_t tqhead, tqlen, tqcap;
static uint64_t nuid, nflow, nsess_made;
static FILE *truthfp;
static struct bh_pb_writer pw;
static uint64_t bytes_out, pkts_out;
static uint16_t hp_ipid, hp_port = 1025;
static unsigned char hp4[4] = { 192, 168, 56, 101 };
static unsigned char hp6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x56,
    0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01 };
static uint32_t hp_tsbase = 0x1a2b3c;
static unsigned char body[BODY_SIZE];	/* the executable all bots share */
static unsigned char shellcode[4096];	/* NOP sled and code of exploits */
static unsigned char frame[BH_PB_MAXFRAME];
static unsigned char scratch[65536];
static int64_t lan_last[NLAN];

/* ---- payload messages ------------------------------------------------- */

struct msg {
	const unsigned char	*p;
	uint32_t		 n;
};

static unsigned char arena[16384];
static size_t arenalen;

static struct msg m_smb_neg, m_smb_neg_r, m_smb_ssx, m_smb_ssx_r, m_smb_tree,
    m_smb_tree_r, m_smb_ntc, m_smb_ntc_r, m_smb_bind, m_smb_bind_r,
    m_smb_expl, m_smb_expl_r, m_rpc_bind, m_rpc_bind_r, m_rpc_req,
    m_nbss_req, m_nbss_ok;
static unsigned char tftp_hdr[2048][4], tftp_ack[2048][4];

static unsigned char *
arena_put(const void *p, size_t n)
{
	unsigned char *d = arena + arenalen;

	if (arenalen + n > sizeof(arena))
		bh_errx(BH_EXIT_FATAL, "internal: message arena full");
	memcpy(d, p, n);
	arenalen += n;
	return d;
}

static void
le16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

/*
 * An SMB1 message behind a NetBIOS session header (RFC 1002 §4.3.6,
 * [MS-CIFS] §2.2.3.1): command cmd, a reply when reply, parameter words
 * and data bytes as given.
 */
static struct msg
mk_smb(uint8_t cmd, int reply, const void *words, size_t nw, const void *data,
    size_t nd)
{
	unsigned char b[2048];
	size_t n = 4;
	struct msg m;

	memcpy(b + n, "\xffSMB", 4);
	n += 4;
	b[n++] = cmd;
	memset(b + n, 0, 4);		/* status */
	n += 4;
	b[n++] = reply ? 0x98 : 0x18;	/* flags */
	le16(b + n, reply ? 0x4001 : 0x4001);
	n += 2;
	memset(b + n, 0, 12);		/* pid high, signature, reserved */
	n += 12;
	le16(b + n, reply && cmd != 0x72 ? 0x0800 : 0);	/* tid */
	le16(b + n + 2, 0xfeff);	/* pid */
	le16(b + n + 4, reply && cmd > 0x73 ? 0x0800 : 0);	/* uid */
	le16(b + n + 6, 0x0040 + cmd);	/* mid */
	n += 8;
	b[n++] = (unsigned char)(nw / 2);
	if (nw > 0)
		memcpy(b + n, words, nw);
	n += nw;
	le16(b + n, (unsigned)nd);
	n += 2;
	if (nd > 0)
		memcpy(b + n, data, nd);
	n += nd;
	b[0] = 0;			/* session message */
	b[1] = 0;
	b[2] = (unsigned char)((n - 4) >> 8);
	b[3] = (unsigned char)(n - 4);
	m.p = arena_put(b, n);
	m.n = (uint32_t)n;
	return m;
}

/* A DCE/RPC connection-oriented PDU header (C706 §12.6): type ptype,
 * fragment length set to cover body. */
static size_t
mk_rpc(unsigned char *b, uint8_t ptype, const void *bodyp, size_t nb)
{
	static const unsigned char h[] = { 5, 0, 0, 3, 0x10, 0, 0, 0 };

	memcpy(b, h, 8);
	b[2] = ptype;
	le16(b + 8, (unsigned)(16 + nb));
	le16(b + 10, 0);
	b[12] = 1;
	b[13] = b[14] = b[15] = 0;
	memcpy(b + 16, bodyp, nb);
	return 16 + nb;
}

/* Build the fixed messages, the shellcode and the executable body (from
 * a fixed stream: the content does not depend on --seed). */
static void
messages_init(void)
{
	static const unsigned char dialects[] =
	    "\002PC NETWORK PROGRAM 1.0\0\002LANMAN1.0\0"
	    "\002Windows for Workgroups 3.1a\0\002LM1.2X002\0"
	    "\002LANMAN2.1\0\002NT LM 0.12";
	/* bind: max xmit/recv, assoc, one context: ISystemActivator
	 * 000001a0-0000-0000-c000-000000000046 v0.0 over NDR 8a885d04-
	 * 1ceb-11c9-9fe8-08002b104860 v2 (the MS03-026 interface) */
	static const unsigned char bind_act[] = {
	    0xd0, 0x16, 0xd0, 0x16, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0,
	    0xa0, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46,
	    0, 0, 0, 0,
	    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	    0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };
	/* the same for DSSETUP 3919286a-b10c-11d0-9ba8-00c04fd92ef5
	 * (MS04-011, Sasser) */
	static const unsigned char bind_ds[] = {
	    0xb8, 0x10, 0xb8, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0,
	    0x6a, 0x28, 0x19, 0x39, 0x0c, 0xb1, 0xd0, 0x11, 0x9b, 0xa8,
	    0x00, 0xc0, 0x4f, 0xd9, 0x2e, 0xf5, 0, 0, 0, 0,
	    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	    0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };
	static const unsigned char bind_ack[] = {
	    0xb8, 0x10, 0xb8, 0x10, 0x12, 0x34, 0, 0, 4, 0, '1', '3', '5',
	    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
	    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	    0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };
	static const unsigned char neg_r_words[34] = { 5, 0, 3, 0x32, 0, 1, 0,
	    0x04, 0x41, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0xfd, 0xe3, 0, 0x80 };
	static const unsigned char ssx_words[26] = { 0xff, 0, 0, 0, 0x04,
	    0x11, 0x0a, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
	    0xd4, 0, 0, 0 };
	static const unsigned char ssx_data[] =
	    "\0\0\0Windows 2000 2195\0Windows 2000 5.0";
	static const unsigned char ssx_r_data[] =
	    "Windows 5.1\0Windows 2000 LAN Manager\0WORKGROUP";
	static const unsigned char tree_words[8] = { 0xff, 0, 0, 0, 0, 0, 1, 0 };
	static const unsigned char tree_data[] =
	    "\0\\\\192.168.56.101\\IPC$\0?????";
	static const unsigned char ntc_words[48] = { 0xff, 0, 0, 0, 0, 0x0e,
	    0, 0x16, 0, 0, 0, 0, 0, 0, 0, 0x9f, 0x01, 0x02, 0 };
	static const unsigned char ntc_data[] = "\\lsarpc";
	static const unsigned char trans_words[32] = { 0, 0, 0x48, 0, 0, 0,
	    0xb8, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x48, 0,
	    0x52, 0, 2, 0, 0x26, 0, 0x00, 0x40 };
	static const unsigned char nbss_req[] = {
	    0x81, 0, 0, 0x44, 0x20, 'C', 'K', 'F', 'D', 'E', 'N', 'E', 'C',
	    'F', 'D', 'E', 'F', 'F', 'C', 'F', 'G', 'E', 'F', 'F', 'C', 'C',
	    'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 0, 0x20,
	    'E', 'N', 'E', 'B', 'F', 'D', 'E', 'F', 'E', 'E', 'C', 'A', 'C',
	    'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A',
	    'C', 'A', 'C', 'A', 0 };
	static const unsigned char nbss_ok[] = { 0x82, 0, 0, 0 };
	static const unsigned char opnum4[] = { 0x10, 0x06, 0, 0, 0, 0, 4, 0 };
	unsigned char b[2048], c[2048];
	uint64_t s = 0x5eed0f0b07ULL;
	size_t i, n;

	/* shellcode: a NOP sled, a decoder loop, an encoded body */
	memset(shellcode, 0x90, 600);
	for (i = 600; i < sizeof(shellcode); i++)
		shellcode[i] = (unsigned char)(splitmix(&s) >> 56);
	memcpy(shellcode + 600, "\xeb\x10\x5a\x4a\x33\xc9\x66\xb9\x7d\x01"
	    "\x80\x34\x0a\x99\xe2\xfa", 16);
	/* the executable: a DOS stub and a PE header, then random bytes
	 * (packed executables look random) */
	for (i = 0; i < sizeof(body); i++)
		body[i] = (unsigned char)(splitmix(&s) >> 56);
	memcpy(body, "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0"
	    "@\0\0\0\0\0\0\0", 32);
	memset(body + 32, 0, 32);
	body[60] = 0x80;
	memcpy(body + 64, "\x0e\x1f\xba\x0e\0\xb4\x09\xcd\x21\xb8\x01\x4c"
	    "\xcd\x21This program cannot be run in DOS mode.\r\r\n$", 53);
	memset(body + 117, 0, 11);
	memcpy(body + 128, "PE\0\0\x4c\x01\x03\0", 8);

	m_nbss_req.p = arena_put(nbss_req, sizeof(nbss_req));
	m_nbss_req.n = sizeof(nbss_req);
	m_nbss_ok.p = arena_put(nbss_ok, sizeof(nbss_ok));
	m_nbss_ok.n = sizeof(nbss_ok);
	m_smb_neg = mk_smb(0x72, 0, NULL, 0, dialects, sizeof(dialects));
	memcpy(b, "\x1f\x8a\x3c\x55\x0e\x77\x21\x90", 8);
	memcpy(b + 8, "WORKGROUP\0", 10);
	m_smb_neg_r = mk_smb(0x72, 1, neg_r_words, sizeof(neg_r_words), b, 18);
	m_smb_ssx = mk_smb(0x73, 0, ssx_words, sizeof(ssx_words), ssx_data,
	    sizeof(ssx_data));
	m_smb_ssx_r = mk_smb(0x73, 1, "\xff\0\0\0\0\0", 6, ssx_r_data,
	    sizeof(ssx_r_data));
	m_smb_tree = mk_smb(0x75, 0, tree_words, sizeof(tree_words), tree_data,
	    sizeof(tree_data));
	m_smb_tree_r = mk_smb(0x75, 1, "\xff\0\0\0\1\0", 6, "IPC\0", 4);
	m_smb_ntc = mk_smb(0xa2, 0, ntc_words, sizeof(ntc_words), ntc_data,
	    sizeof(ntc_data));
	memset(c, 0, 68);
	c[0] = 0xff;
	c[5] = 0x00;
	c[6] = 0x40;
	m_smb_ntc_r = mk_smb(0xa2, 1, c, 68, NULL, 0);
	n = mk_rpc(b, 0x0b, bind_ds, sizeof(bind_ds));
	m_smb_bind = mk_smb(0x25, 0, trans_words, sizeof(trans_words), b, n);
	n = mk_rpc(b, 0x0c, bind_ack, sizeof(bind_ack));
	m_smb_bind_r = mk_smb(0x25, 1, trans_words, 20, b, n);
	/* the exploit: a DsRolerUpgradeDownlevelServer request whose stub
	 * is the sled and shellcode (MS04-011) */
	memcpy(c, opnum4, 8);
	c[6] = 9;
	memcpy(c + 8, shellcode, 1900);
	n = mk_rpc(b, 0x00, c, 1908);
	m_smb_expl = mk_smb(0x25, 0, trans_words, sizeof(trans_words), b, n);
	m_smb_expl_r = mk_smb(0x25, 1, trans_words, 20, "\5\0\3\3", 4);
	n = mk_rpc(b, 0x0b, bind_act, sizeof(bind_act));
	m_rpc_bind.p = arena_put(b, n);
	m_rpc_bind.n = (uint32_t)n;
	n = mk_rpc(b, 0x0c, bind_ack, sizeof(bind_ack));
	m_rpc_bind_r.p = arena_put(b, n);
	m_rpc_bind_r.n = (uint32_t)n;
	/* RemoteActivation with an overlong server name (MS03-026) */
	memcpy(c, opnum4, 8);
	memcpy(c + 8, shellcode, 1690);
	n = mk_rpc(b, 0x00, c, 1698);
	m_rpc_req.p = arena_put(b, n);
	m_rpc_req.n = (uint32_t)n;

	for (i = 0; i < 2048; i++) {
		tftp_hdr[i][0] = 0;
		tftp_hdr[i][1] = 3;	/* DATA (RFC 1350) */
		tftp_hdr[i][2] = (unsigned char)(i >> 8);
		tftp_hdr[i][3] = (unsigned char)i;
		tftp_ack[i][0] = 0;
		tftp_ack[i][1] = 4;	/* ACK */
		tftp_ack[i][2] = (unsigned char)(i >> 8);
		tftp_ack[i][3] = (unsigned char)i;
	}
}

/* ---- the session pool and the packet heap ----------------------------- */

/* A fresh session (from the free list: its arrays keep their capacity,
 * so the steady state allocates nothing). */
static struct sess *
sess_new(int af, int proto)
{
	struct sess *s;
	struct step *st;
	struct piece *p0, *p1;
	size_t c0, c1, cs;

	if (nfree > 0) {
		s = freelist[--nfree];
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
	s->uid = nuid++;
	s->af = af;
	s->proto = proto;
	s->remote = -1;
	s->rtt_remote = s->rtt_local = -1;
	s->how = s->note = s->state = s->app = s->phase = "-";
	return s;
}

static void
sess_free(struct sess *s)
{
	if (s->partner != NULL)
		s->partner->partner = NULL;
	if (nfree == capfree) {
		capfree = capfree ? capfree * 2 : 256;
		freelist = xreallocarray(freelist, capfree, sizeof(*freelist));
	}
	freelist[nfree++] = s;
}

/* Heap order: time of the next packet, then creation order. */
static int
heap_less(const struct sess *a, const struct sess *b)
{
	int64_t ta = a->st[a->cur].t, tb = b->st[b->cur].t;

	return ta < tb || (ta == tb && a->uid < b->uid);
}

static void
heap_set(size_t i, struct sess *s)
{
	heap[i] = s;
	s->heapidx = i;
}

static void
heap_down(size_t i)
{
	struct sess *s = heap[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= nheap)
			break;
		if (c + 1 < nheap && heap_less(heap[c + 1], heap[c]))
			c++;
		if (!heap_less(heap[c], s))
			break;
		heap_set(i, heap[c]);
		i = c;
	}
	heap_set(i, s);
}

static void
heap_push(struct sess *s)
{
	size_t i;

	if (nheap == capheap) {
		capheap = capheap ? capheap * 2 : 1024;
		heap = xreallocarray(heap, capheap, sizeof(*heap));
	}
	i = nheap++;
	while (i > 0 && heap_less(s, heap[(i - 1) / 2])) {
		heap_set(i, heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(i, s);
}

/* ---- building a script ------------------------------------------------ */

/* Set up side i of s from a host (or the honeypot when h is NULL). */
static void
side_init(struct sess *s, int i, const struct host *h, uint16_t port)
{
	struct side *d = &s->sd[i];

	if (h == NULL) {
		memcpy(d->addr, s->af == 4 ? hp4 : hp6, s->af == 4 ? 4 : 16);
		d->os = OS_WINDOWS;
		d->ttl = 128;
		d->tsbase = hp_tsbase;
		d->win = 64240;
	} else {
		memcpy(d->addr, h->addr, 16);
		d->os = h->os;
		d->ttl = (uint8_t)(os_ttl[h->os] - h->hops);
		d->tsbase = h->tsbase;
		d->win = h->os == OS_WINDOWS ? 65535 : 5840;
		s->remote = i;
		s->rem_os = h->os;
		s->rem_hops_base = h->hops;
	}
	d->port = port;
	d->isn = (uint32_t)(splitmix(&rng) >> 32);
	d->ipid = (uint16_t)below(65536);
	d->nxt = 0;
}

static uint16_t
hp_ephemeral(void)
{
	uint16_t p = hp_port;

	hp_port = hp_port >= 65000 ? 1025 : hp_port + 1;
	return p;
}

/* Append a packet from side i at t; seq/ack from the sides' state. */
static struct step *
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
	p->ack = flags & BH_PB_TH_ACK ? o->nxt : 0;
	p->ttl = d->ttl;
	if (d->ts) {
		p->opt |= OPT_TS;
		p->tsval = d->tsbase + (uint32_t)((t - START_USEC) / MS);
		p->tsecr = (flags & BH_PB_TH_ACK) ? d->ts_recent : 0;
		o->ts_recent = p->tsval;
	}
	d->npkts++;
	return p;
}

/* Queue n bytes at p on side i's stream. */
static void
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
static const unsigned char *
text(struct sess *s, size_t *n, const char *fmt, ...) BH_PRINTF(3, 4);

static const unsigned char *
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
static int64_t
local_delay(void)
{
	return range(60, 420);
}

/*
 * Send the queued, unsent bytes of side i's stream at t as full-size
 * segments gap apart, PSH on the last.  Returns the time of the last.
 */
static int64_t
tcp_send(struct sess *s, int i, int64_t t, int64_t gap)
{
	struct side *d = &s->sd[i];
	struct step *p;
	uint32_t len;

	while (d->sent < d->slen) {
		len = d->slen - d->sent < MSS ? d->slen - d->sent : MSS;
		p = step_add(s, i, t, BH_PB_TH_ACK);
		p->seq = 1 + d->sent;
		p->off = d->sent;
		p->len = len;
		d->sent += len;
		d->nxt = 1 + d->sent;
		if (d->sent == d->slen)
			p->flags |= BH_PB_TH_PUSH;
		else
			t += gap;
	}
	return t;
}

/* Queue a message on side i and send it at t; returns the last time. */
static int64_t
tcp_msg(struct sess *s, int i, int64_t t, const void *p, size_t n)
{
	stream_add(s, i, p, n);
	return tcp_send(s, i, t, 12);
}

static int64_t
tcp_ack(struct sess *s, int i, int64_t t)
{
	step_add(s, i, t, BH_PB_TH_ACK);
	return t;
}

/* A FIN from side i; the other side answers with FIN/ACK after its
 * delay and i acknowledges it.  Returns the time of the last packet. */
static int64_t
tcp_close(struct sess *s, int i, int64_t t, int64_t rtt)
{
	int64_t di = i == s->remote ? rtt : local_delay();
	int64_t dj = i == s->remote ? local_delay() : rtt;

	step_add(s, i, t, BH_PB_TH_FIN | BH_PB_TH_ACK);
	s->sd[i].nxt++;
	t += dj;
	step_add(s, !i, t, BH_PB_TH_FIN | BH_PB_TH_ACK);
	s->sd[!i].nxt++;
	t += di;
	step_add(s, i, t, BH_PB_TH_ACK);
	return t;
}

static int64_t
tcp_reset(struct sess *s, int i, int64_t t)
{
	step_add(s, i, t, BH_PB_TH_RST | BH_PB_TH_ACK);
	return t;
}

/* Handshake variants (the RTT cases the truth distinguishes). */
enum hs {
	HS_PLAIN,
	HS_SYN_RETX,		/* SYN sent twice, no timestamps: Karn */
	HS_SYN_RETX_TS,		/* ... timestamps: the answer echoes SYN 2 */
	HS_SYN_RETX_TS_FIRST,	/* ... the answer echoes SYN 1 (slow) */
	HS_SYN_RETX_TS_SAME,	/* ... both SYNs carry the same TSval */
	HS_SYNACK_RETX,		/* SYN/ACK sent twice, no timestamps */
	HS_SYNACK_RETX_TS,	/* ... timestamps: the ACK echoes #2 */
	HS_SYN_RETX_IN		/* inbound: honeypot answered SYN 2 only */
};

/*
 * The handshake of s opened by side 0 at t, with the remote RTT rtt and
 * the honeypot's local delay, per variant v.  The monitor sits at the
 * honeypot, so when the honeypot opens (outbound) SYN→SYN/ACK is the
 * remote RTT and SYN/ACK→ACK the local delay; when the remote opens
 * (inbound) it is the other way round.  Sets the truth of both legs
 * (-1 where Karn's rule leaves a leg ambiguous) and returns the time of
 * the handshake's ACK.
 */
static int64_t
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

	syn = step_add(s, 0, t, BH_PB_TH_SYN);
	syn->opt |= OPT_SYN;
	s->sd[0].nxt = 1;
	if (v == HS_SYN_RETX || v == HS_SYN_RETX_TS ||
	    v == HS_SYN_RETX_TS_SAME || v == HS_SYN_RETX_IN) {
		t += retx;
		syn2 = step_add(s, 0, t, BH_PB_TH_SYN);
		syn2->seq = 0;
		syn2->opt |= OPT_SYN;
		if (v == HS_SYN_RETX_TS_SAME)
			syn2->tsval = syn->tsval;
		s->sd[1].ts_recent = syn2->tsval;
	} else if (v == HS_SYN_RETX_TS_FIRST) {
		/* SYN 2 after a 1 s RTO; the server, busy, answers SYN 1
		 * only after it (so the last SYN is the wrong reference) */
		syn2 = step_add(s, 0, t + SEC, BH_PB_TH_SYN);
		syn2->seq = 0;
		syn2->opt |= OPT_SYN;
		s->sd[1].ts_recent = syn->tsval;
		d0 = SEC + rtt + range(20 * MS, 400 * MS);
	}
	t += d0;
	sa = step_add(s, 1, t, BH_PB_TH_SYN | BH_PB_TH_ACK);
	sa->opt |= OPT_SYN;
	s->sd[1].nxt = 1;
	if (v == HS_SYNACK_RETX || v == HS_SYNACK_RETX_TS) {
		t += retx;
		sa2 = step_add(s, 1, t, BH_PB_TH_SYN | BH_PB_TH_ACK);
		sa2->seq = 0;
		sa2->opt |= OPT_SYN;
		s->sd[0].ts_recent = sa2->tsval;
	}
	t += d1;
	step_add(s, 0, t, BH_PB_TH_ACK);
	if (v == HS_SYN_RETX_TS_FIRST) {
		/* then it answers SYN 2 too, half a second later (another
		 * TSval); the honeypot acknowledges the duplicate */
		sa2 = step_add(s, 1, sa->t + 500 * MS, BH_PB_TH_SYN |
		    BH_PB_TH_ACK);
		sa2->seq = 0;
		sa2->tsecr = syn2->tsval;
		sa2->opt |= OPT_SYN;
		t = sa2->t + d1;
		step_add(s, 0, t, BH_PB_TH_ACK);
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
static int64_t
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
			p = step_add(s, i, ts, BH_PB_TH_ACK);
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
				p->flags |= BH_PB_TH_PUSH;
			last = ts;
			k++;
			if (k % 2 == 0 || d->sent == end || lost) {
				p = step_add(s, r, ts + (rl ? rtt :
				    local_delay()), BH_PB_TH_ACK);
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
			p = step_add(s, i, last + rtt + 200 * MS, BH_PB_TH_ACK);
			p->seq = 1 + first_off;
			p->off = first_off;
			p->len = first_len;
			p = step_add(s, r, p->t + (rl ? rtt : local_delay()),
			    BH_PB_TH_ACK);
			last = p->t;
			ts = last;
			dup = 0;
		}
		if (lost) {
			/* three duplicate ACKs went out; fast retransmit */
			ts = last + rtt;
			p = step_add(s, i, ts, BH_PB_TH_ACK | BH_PB_TH_PUSH);
			p->seq = 1 + lost_off;
			p->off = lost_off;
			p->len = lost_len;
			p = step_add(s, r, ts + local_delay(), BH_PB_TH_ACK);
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
static void
sess_start(struct sess *s)
{
	script_sort(s);
	if (s->vlan == 1)
		s->sd[0].vlan = s->sd[1].vlan = 1;
	else if (s->vlan == 2)
		s->sd[s->remote == 0 ? 1 : 0].vlan = 1;
	if (s->truth)
		nsess_made++;
	heap_push(s);
}

/* ---- the truth -------------------------------------------------------- */

static void
addr_fmt(char *buf, int af, const unsigned char *a)
{
	inet_ntop(af == 4 ? AF_INET : AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const char truth_header[] =
    "#flow\tts\tproto\torig_ip\torig_port\tresp_ip\tresp_port\tdir\tphase\t"
    "app\tlink\tstate\torig_pkts\tresp_pkts\tremote_ip\tremote_pkts\t"
    "remote_ttl\tremote_ttl_init\tremote_hops\tremote_os\trtt_remote_ms\t"
    "rtt_local_ms\trtt_how\tvlan\tnote\n";

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
	char ttl[16], init[16], hops[16], rp[16];
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
	fprintf(truthfp, "%llu\t%s\t%s\t%s\t%u\t%s\t%u\t%s\t%s\t%s\t%s\t%s\t"
	    "%u\t%u\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
	    (unsigned long long)s->flow, ts, s->proto == 6 ? "tcp" : "udp",
	    a0, s->sd[0].port, a1, s->sd[1].port, dirs[s->dir], s->phase,
	    s->app, lk, s->state, s->sd[0].npkts, s->sd[1].npkts, ar, rp,
	    ttl, init, hops, first != 0 ? os_name[s->rem_os] : "-", r1, r2,
	    s->how, s->vlan == 0 ? "-" : s->vlan == 1 ? "56" : "mixed",
	    s->note);
}

/* Write the waiting truth lines, in flow order, as far as their links
 * are known; free the sessions that are also done. */
static void
truth_flush(void)
{
	struct sess *s;

	while (tqlen > 0) {
		s = tq[tqhead];
		if (s->partner != NULL && s->link == 0)
			break;
		if (truthfp != NULL)
			truth_write(s);
		s->flushed = 1;
		tqhead = (tqhead + 1) % tqcap;
		tqlen--;
		if (s->done)
			sess_free(s);
	}
}

/* s sends its first packet: it becomes flow N (bh-sessions numbers
 * flows by first packet), and its line waits in the queue. */
static void
truth_enqueue(struct sess *s)
{
	size_t i;
	struct sess **n;

	s->flow = ++nflow;
	if (s->partner != NULL) {
		s->partner->link = s->flow;
		if (s->partner->flow != 0)
			s->link = s->partner->flow;
	}
	if (tqlen == tqcap) {
		n = xreallocarray(NULL, tqcap ? tqcap * 2 : 256, sizeof(*n));
		for (i = 0; i < tqlen; i++)
			n[i] = tq[(tqhead + i) % tqcap];
		free(tq);
		tq = n;
		tqhead = 0;
		tqcap = tqcap ? tqcap * 2 : 256;
	}
	tq[(tqhead + tqlen) % tqcap] = s;
	tqlen++;
	s->queued = 1;
}

/* ---- writing packets -------------------------------------------------- */

/* The len bytes at stream offset off of side d (copied together when
 * they span pieces). */
static const unsigned char *
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
		memcpy(scratch + k, d->pc[lo].p + (off + k - d->pc[lo].off), n);
	}
	return scratch;
}

static void
emit(struct sess *s, const struct step *st)
{
	struct bh_pb_pkt p;
	struct side *d = &s->sd[st->side], *o = &s->sd[!st->side];
	size_t n;

	memset(&p, 0, sizeof(p));
	p.linktype = BH_PB_DLT_EN10MB;
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
	p.ipid = s->remote >= 0 && st->side != s->remote ? hp_ipid++ :
	    d->ipid++;
	p.proto = (uint8_t)s->proto;
	p.sport = d->port;
	p.dport = o->port;
	if (s->proto == BH_PB_TCP) {
		p.df = 1;
		p.tcpflags = st->flags;
		p.seq = d->isn + st->seq;
		p.ack = st->flags & BH_PB_TH_ACK ? o->isn + st->ack : 0;
		p.win = d->win;
		if (st->opt & OPT_SYN) {
			p.has_mss = 1;
			p.mss = s->af == 4 ? 1460 : 1440;
			p.sackok = 1;
			if (d->os == OS_UNIX)
				p.wscale = 7;
		}
		if (st->opt & OPT_TS) {
			p.has_ts = 1;
			p.tsval = st->tsval;
			p.tsecr = st->tsecr;
		}
	}
	if (st->len > 0) {
		p.payload = payload(d, st->off, st->len);
		p.paylen = st->len;
	}
write:
	n = bh_pb_build(frame, sizeof(frame), &p);
	if (n == 0)
		bh_errx(BH_EXIT_FATAL, "internal: cannot build a packet");
	if (bh_pb_write_frame(&pw, (uint64_t)st->t * 1000u, frame, n) != 0)
		bh_err(BH_EXIT_FATAL, "write");
	bytes_out += pw.pcapng ? 32 + ((n + 3) & ~(size_t)3) : 16 + n;
	pkts_out++;
}

/* ---- the hosts of the scenario ---------------------------------------- */

static uint32_t n_attackers, n_http, n_ftp, n_irc;
static uint16_t *att_port;	/* per attacker: its last source port */

#define IDX_HTTP	(IDX_SERVER + 0x00000)
#define IDX_FTP		(IDX_SERVER + 0x10000)
#define IDX_IRC		(IDX_SERVER + 0x20000)
#define IDX_RESOLVER	(IDX_SERVER + 0x30000)

/* An attacker: the pool is skewed (u^2) so some hosts come back often;
 * mostly Windows, some Unix, a few other. */
static void
pick_attacker(struct host *h, int af)
{
	uint32_t a = below(n_attackers), b = below(n_attackers);

	host_make(h, af, IDX_ATTACKER + (uint32_t)((uint64_t)a * b /
	    n_attackers), 850, 130);
}

/*
 * The next source port of attacker h, like a stack's ephemeral port
 * counter (Windows 1025-5000, Linux 32768-61000): a host that comes
 * back within the idle timeout never reuses a live session's port.
 */
static uint16_t
attacker_port(const struct host *h)
{
	uint32_t idx = h->idx - IDX_ATTACKER, lo, n;

	lo = h->os == OS_WINDOWS ? 1025 : 32768;
	n = h->os == OS_WINDOWS ? 3976 : 28233;
	if (att_port[idx] == 0)
		att_port[idx] = h->portbase;
	att_port[idx] = (uint16_t)(lo + (att_port[idx] + 1 - lo) % n);
	return att_port[idx];
}

/* A download server: mostly Unix. */
static void
pick_http(struct host *h, int af)
{
	host_make(h, af, IDX_HTTP + below(n_http), 120, 800);
}

static void
pick_ftp(struct host *h, int af)
{
	host_make(h, af, IDX_FTP + below(n_ftp), 300, 650);
}

/* A C&C server, its port: 6667 for most, odd ports for the rest. */
static uint16_t
pick_irc(struct host *h, int af)
{
	static const uint16_t odd[] = { 6668, 7000, 5555, 8080, 1863, 3127,
	    6666, 9999, 1337, 28000 };
	uint32_t k = below(n_irc);
	uint64_t x = mix64(seed ^ (0x1cc0000ULL + k));

	host_make(h, af, IDX_IRC + k, 100, 850);
	return x % 10 < 6 ? 6667 : odd[(x >> 8) % 10];
}

/* How a handshake goes: mostly plainly, a few of each Karn case. */
static enum hs
pick_hs(int out)
{
	unsigned r = below(1000);

	if (out) {
		if (r < 15)
			return HS_SYN_RETX;
		if (r < 30)
			return HS_SYN_RETX_TS;
		if (r < 42)
			return HS_SYN_RETX_TS_FIRST;
		if (r < 54)
			return HS_SYN_RETX_TS_SAME;
	} else {
		if (r < 12)
			return HS_SYNACK_RETX;
		if (r < 24)
			return HS_SYNACK_RETX_TS;
		if (r < 36)
			return HS_SYN_RETX_IN;
	}
	return HS_PLAIN;
}

/*
 * A TCP session between the honeypot and host h: out when the honeypot
 * opens it.  Draws the RTT of this session (the host's base plus up to
 * 10% jitter), the VLAN case and whether both ends use timestamps.
 */
static struct sess *
tcp_new(const struct host *h, int out, uint16_t rport, uint16_t lport,
    int64_t *rtt)
{
	struct sess *s = sess_new(h->af, BH_PB_TCP);

	if (out) {
		side_init(s, 0, NULL, lport);
		side_init(s, 1, h, rport);
		s->dir = DIR_OUT;
	} else {
		side_init(s, 0, h, rport);
		side_init(s, 1, NULL, lport);
		s->dir = DIR_IN;
	}
	s->truth = 1;
	s->state = "SF";
	*rtt = h->rtt + range(0, h->rtt / 10);
	if (h->os == OS_UNIX && chance(400))
		s->sd[0].ts = s->sd[1].ts = 1;
	s->vlan = chance(40) ? 1 : chance(15) ? 2 : 0;
	return s;
}

/* ---- episodes --------------------------------------------------------- */

static int
pick_af(void)
{
	return chance(30) ? 6 : 4;
}

/* An inbound scan of a Windows port: unanswered (S0, the SYN perhaps
 * retried after 3 and 6 s), refused (REJ), or half-open (S SA R). */
static void
ep_scan(int64_t t)
{
	static const uint16_t ports[] = { 445, 445, 445, 139, 135 };
	static const char *const apps[] = { "smb", "smb", "smb", "netbios",
	    "dcerpc" };
	struct host h;
	struct sess *s, *s2;
	struct step *p;
	int64_t rtt;
	unsigned k = below(5), r = below(100);

	pick_attacker(&h, pick_af());
	s = tcp_new(&h, 0, attacker_port(&h), ports[k],
	    &rtt);
	s->sd[0].ts = s->sd[1].ts = 0;
	s->phase = "scan";
	s->app = apps[k];
	s->how = "no-synack";
	p = step_add(s, 0, t, BH_PB_TH_SYN);
	p->opt = OPT_SYN;
	s->sd[0].nxt = 1;
	if (r < 50) {
		s->state = "S0";
		if (chance(400)) {
			p = step_add(s, 0, t + 3 * SEC, BH_PB_TH_SYN);
			p->seq = 0;
			p->opt = OPT_SYN;
			if (chance(500)) {
				p = step_add(s, 0, t + 9 * SEC, BH_PB_TH_SYN);
				p->seq = 0;
				p->opt = OPT_SYN;
			}
		}
	} else if (r < 80) {
		s->state = "REJ";
		tcp_reset(s, 1, t + local_delay());
		if (chance(30)) {
			/* probed again from the same port, a new ISN: port
			 * reuse after the reset, a second session */
			s2 = tcp_new(&h, 0, s->sd[0].port, ports[k], &rtt);
			s2->sd[0].ts = s2->sd[1].ts = 0;
			s2->vlan = s->vlan;
			s2->phase = "scan";
			s2->app = apps[k];
			s2->how = "no-synack";
			s2->state = "REJ";
			s2->note = "port-reuse";
			p = step_add(s2, 0, t + range(SEC, 3 * SEC),
			    BH_PB_TH_SYN);
			p->opt = OPT_SYN;
			s2->sd[0].nxt = 1;
			tcp_reset(s2, 1, p->t + local_delay());
			sess_start(s2);
		}
	} else {
		s->state = "RSTO";
		s->how = "no-ack";
		s->rtt_local = local_delay();
		p = step_add(s, 1, t + s->rtt_local, BH_PB_TH_SYN |
		    BH_PB_TH_ACK);
		p->opt = OPT_SYN;
		s->sd[1].nxt = 1;
		step_add(s, 0, p->t + rtt, BH_PB_TH_RST);
	}
	sess_start(s);
}

/*
 * The exploit dialogue on port (445 SMB with an MS04-011 DCE/RPC
 * request inside, 139 the same behind a NetBIOS session request, 135 a
 * bare DCE/RPC bind and the MS03-026 request) from side c to the
 * honeypot's side, or from the honeypot when it propagates.  full: the
 * whole exploit, else the attacker gives up after the negotiation.
 * Returns the time after the last message.
 */
static int64_t
exploit(struct sess *s, int64_t t, int64_t rtt, uint16_t port, int full)
{
	int c = s->remote == 0 ? 0 : 1;
	struct step *p;
	int64_t rt = s->remote == c ? rtt : local_delay();
	int64_t lt = s->remote == c ? local_delay() : rtt;
	uint32_t off;

	if (port == 135) {
		t = tcp_msg(s, c, t, m_rpc_bind.p, m_rpc_bind.n);
		t = tcp_msg(s, !c, t + lt, m_rpc_bind_r.p, m_rpc_bind_r.n);
		if (!full)
			return t + rt;
		t += rt + range(200, 3000);
		stream_add(s, c, m_rpc_req.p, m_rpc_req.n);
		off = s->sd[c].sent;
		t = tcp_send(s, c, t, 30);
		t = tcp_ack(s, !c, t + lt);
		if (chance(40)) {
			/* the ACK was lost upstream: the first segment again */
			p = step_add(s, c, t + rt + 300 * MS, BH_PB_TH_ACK);
			p->seq = 1 + off;
			p->off = off;
			p->len = MSS;
			t = tcp_ack(s, !c, p->t + lt);
			s->note = "data-retx";
		}
		return t + rt;
	}
	if (port == 139) {
		t = tcp_msg(s, c, t, m_nbss_req.p, m_nbss_req.n);
		t = tcp_msg(s, !c, t + lt, m_nbss_ok.p, m_nbss_ok.n);
		t += rt + range(200, 3000);
	}
	t = tcp_msg(s, c, t, m_smb_neg.p, m_smb_neg.n);
	t = tcp_msg(s, !c, t + lt, m_smb_neg_r.p, m_smb_neg_r.n);
	t += rt + range(200, 3000);
	if (!full)
		return t;
	t = tcp_msg(s, c, t, m_smb_ssx.p, m_smb_ssx.n);
	t = tcp_msg(s, !c, t + lt, m_smb_ssx_r.p, m_smb_ssx_r.n);
	t += rt + range(200, 3000);
	t = tcp_msg(s, c, t, m_smb_tree.p, m_smb_tree.n);
	t = tcp_msg(s, !c, t + lt, m_smb_tree_r.p, m_smb_tree_r.n);
	t += rt + range(200, 3000);
	t = tcp_msg(s, c, t, m_smb_ntc.p, m_smb_ntc.n);
	t = tcp_msg(s, !c, t + lt, m_smb_ntc_r.p, m_smb_ntc_r.n);
	t += rt + range(200, 3000);
	t = tcp_msg(s, c, t, m_smb_bind.p, m_smb_bind.n);
	t = tcp_msg(s, !c, t + lt, m_smb_bind_r.p, m_smb_bind_r.n);
	t += rt + range(200, 3000);
	stream_add(s, c, m_smb_expl.p, m_smb_expl.n);
	off = s->sd[c].sent;
	t = tcp_send(s, c, t, 30);
	t = tcp_ack(s, !c, t + lt);
	if (chance(40)) {
		p = step_add(s, c, t + rt + 300 * MS, BH_PB_TH_ACK);
		p->seq = 1 + off;
		p->off = off;
		p->len = MSS;
		t = tcp_ack(s, !c, p->t + lt);
		s->note = "data-retx";
	}
	t = tcp_msg(s, !c, t + 2 * MS, m_smb_expl_r.p, m_smb_expl_r.n);
	return t + rt;
}

/* An infection attempt by h at t; returns when it ended. */
static int64_t
ep_infection(int64_t t, const struct host *h, int full)
{
	static const uint16_t ports[] = { 445, 445, 445, 445, 135, 135, 135,
	    139 };
	struct sess *s;
	int64_t rtt;
	uint16_t port = ports[below(8)];
	unsigned r;

	s = tcp_new(h, 0, attacker_port(h), port, &rtt);
	s->phase = "infection";
	s->app = port == 135 ? "dcerpc" : "smb";
	t = tcp_handshake(s, t, rtt, pick_hs(0));
	/* one draw per statement: C leaves the order of the operands open,
	 * and the bytes must not depend on the compiler */
	t += range(100, 2000);
	full = full || chance(400);
	t = exploit(s, t, rtt, port, full);
	r = below(100);
	if (r < 70)
		t = tcp_close(s, 0, t, rtt);
	else if (r < 85) {
		t = tcp_reset(s, 0, t);
		s->state = "RSTO";
	} else
		t = tcp_close(s, 1, t + 2 * SEC, rtt);
	sess_start(s);
	return t;
}

/* A DNS lookup of name by the honeypot (RFC 1035 §4.1). */
static int64_t
ep_dns(int64_t t, const char *name, const unsigned char *answer)
{
	struct host h;
	struct sess *s = sess_new(4, BH_PB_UDP);
	unsigned char q[300], *r;
	size_t n = 12, l;
	const char *dot;
	uint16_t id = (uint16_t)below(65536);
	int64_t rtt;

	host_make(&h, 4, IDX_RESOLVER, 0, 1000);
	side_init(s, 0, NULL, hp_ephemeral());
	side_init(s, 1, &h, 53);
	s->truth = 1;
	s->dir = DIR_OUT;
	s->app = "dns";
	s->how = "udp";
	rtt = h.rtt / 4 + range(0, 400);
	memset(q, 0, 12);
	q[0] = id >> 8;
	q[1] = id & 0xff;
	q[2] = 0x01;
	q[5] = 1;
	while (*name != '\0') {
		dot = strchr(name, '.');
		l = dot != NULL ? (size_t)(dot - name) : strlen(name);
		q[n++] = (unsigned char)l;
		memcpy(q + n, name, l);
		n += l;
		name += l + (dot != NULL);
	}
	q[n++] = 0;
	memcpy(q + n, "\0\1\0\1", 4);
	n += 4;
	r = s->text;
	memcpy(r, q, n);
	memcpy(r + n, q, n);
	r[n + 2] = 0x81;
	r[n + 3] = 0x80;
	r[n + 7] = 1;
	memcpy(r + 2 * n, "\xc0\x0c\0\1\0\1\0\0\x0e\x10\0\4", 12);
	memcpy(r + 2 * n + 12, answer, 4);
	s->textlen = 2 * n + 16;
	stream_add(s, 0, r, n);
	stream_add(s, 1, r + n, n + 16);
	step_add(s, 0, t, 0)->len = (uint32_t)n;
	step_add(s, 1, t + rtt, 0)->len = (uint32_t)n + 16;
	s->st[1].off = 0;
	sess_start(s);
	return t + rtt;
}

static const char *const domains[] = { "irc.rizon-bots.net",
    "update.microsofts-dl.com", "x.hacked-box.org", "dl.freeavupdate.info",
    "cc.botnet-irc.cn", "files.fastdl.ru" };

/* An HTTP download of the bot from a server (RFC 7230). */
static int64_t
dl_http(int64_t t, int af)
{
	static const char *const paths[] = { "/x.exe", "/bot.exe",
	    "/msupd.exe", "/win32.exe", "/sys/svchost.exe",
	    "/images/mslaugh.exe", "/dl/setup.exe" };
	static const char *const servers[] = { "Microsoft-IIS/6.0",
	    "Apache/2.2.3 (CentOS)", "Sun-ONE-Web-Server/6.1" };
	struct host h;
	struct sess *s;
	const unsigned char *p;
	size_t n;
	int64_t rtt;
	uint32_t size;
	int dup, lose1;
	const char *dom = domains[1 + below(5)];

	pick_http(&h, af);
	if (af == 4 && chance(500)) {
		t = ep_dns(t, dom, h.addr);
		t += local_delay();
		t += range(0, 20 * MS);
	}
	s = tcp_new(&h, 1, 80, hp_ephemeral(), &rtt);
	s->phase = "download";
	s->app = "http";
	t = tcp_handshake(s, t, rtt, pick_hs(1));
	p = text(s, &n, "GET %s HTTP/1.1\r\nAccept: */*\r\nUser-Agent: "
	    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)\r\nHost: %s"
	    "\r\nConnection: close\r\n\r\n", paths[below(7)], dom);
	t = tcp_msg(s, 0, t + local_delay(), p, n);
	size = (uint32_t)range(13000, 64000);
	size <<= below(3);
	p = text(s, &n, "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Length: %u"
	    "\r\nConnection: close\r\nContent-Type: application/octet-stream"
	    "\r\n\r\n", servers[h.os], size);
	stream_add(s, 1, p, n);
	stream_add(s, 1, body, size);
	dup = chance(80);
	lose1 = chance(20);
	t = tcp_bulk(s, 1, t + rtt + range(1 * MS, 40 * MS), rtt, h.gap, dup,
	    lose1);
	/* (a short body has no segment to lose: tcp_bulk says when) */
	if (s->note[0] == '-')
		s->note = lose1 && size > 2 * MSS ? "reorder" : dup ? "data-retx" :
		    "bulk";
	t = tcp_close(s, 1, t + 1, rtt);
	sess_start(s);
	return t;
}

/*
 * An FTP download (RFC 959; EPSV per RFC 2428 on IPv6): from the
 * attacker's own bot FTP server on a high port, or from a server on 21;
 * the data connection active (the server connects from port-1 to the
 * PORT address) or passive.  Both sessions are download, linked.
 */
static int64_t
dl_ftp(int64_t t, const struct host *attacker)
{
	struct host h;
	struct sess *c, *d;
	const unsigned char *p;
	size_t n;
	int64_t rtt, drtt, td;
	uint16_t port, dport, lport;
	int passive, botftp;
	uint32_t size;

	botftp = chance(500);
	size = (uint32_t)range(13000, 64000);
	size <<= below(3);
	if (botftp) {
		h = *attacker;
		port = (uint16_t)range(1024, 40000);
	} else {
		pick_ftp(&h, attacker->af);
		port = 21;
	}
	passive = h.af == 6 || chance(400);
	c = tcp_new(&h, 1, port, hp_ephemeral(), &rtt);
	c->phase = "download";
	c->app = "ftp";
	t = tcp_handshake(c, t, rtt, pick_hs(1));
	p = text(c, &n, botftp ? "220 StnyFtpd 0wns j0\r\n" :
	    h.os == OS_WINDOWS ? "220 Serv-U FTP Server v6.0 for WinSock "
	    "ready...\r\n" : "220 (vsFTPd 2.0.5)\r\n");
	t = tcp_msg(c, 1, t + rtt, p, n);
	t += local_delay();
	t = tcp_msg(c, 0, t + range(0, 5 * MS), "USER 1\r\n", 8);
	t = tcp_msg(c, 1, t + rtt + range(0, 3 * MS),
	    "331 Password required\r\n", 23);
	t = tcp_msg(c, 0, t + local_delay(), "PASS 1\r\n", 8);
	t = tcp_msg(c, 1, t + rtt + range(0, 3 * MS), "230 User logged in.\r\n",
	    21);
	t = tcp_msg(c, 0, t + local_delay(), "TYPE I\r\n", 8);
	t = tcp_msg(c, 1, t + rtt, "200 Type set to I\r\n", 19);
	lport = hp_ephemeral();
	d = tcp_new(&h, passive, 0, lport, &drtt);
	d->phase = "download";
	d->app = "ftp-data";
	d->vlan = c->vlan;
	if (passive) {
		/* the client connects to the announced port, then asks */
		dport = (uint16_t)range(1024, 60000);
		if (h.af == 6) {
			t = tcp_msg(c, 0, t + local_delay(), "EPSV\r\n", 6);
			p = text(c, &n, "229 Entering Extended Passive Mode "
			    "(|||%u|)\r\n", dport);
		} else {
			t = tcp_msg(c, 0, t + local_delay(), "PASV\r\n", 6);
			p = text(c, &n, "227 Entering Passive Mode (%u,%u,%u,"
			    "%u,%u,%u)\r\n", h.addr[0], h.addr[1], h.addr[2],
			    h.addr[3], dport >> 8, dport & 0xff);
		}
		t = tcp_msg(c, 1, t + rtt, p, n);
		d->sd[1].port = dport;
		t = tcp_handshake(d, t + local_delay(), drtt, HS_PLAIN);
		t = tcp_msg(c, 0, t + local_delay(), "RETR bot.exe\r\n", 14);
		td = t + drtt + range(100, 2 * MS);
		t = tcp_msg(c, 1, t + rtt, "150 Opening BINARY mode data "
		    "connection.\r\n", 42);
	} else {
		/* the server connects from port-1 to the PORT address */
		dport = botftp ? (uint16_t)(port - 1) : 20;
		d->sd[0].port = dport;
		p = text(c, &n, "PORT 192,168,56,101,%u,%u\r\n", lport >> 8,
		    lport & 0xff);
		t = tcp_msg(c, 0, t + local_delay(), p, n);
		t = tcp_msg(c, 1, t + rtt, "200 PORT command successful.\r\n",
		    30);
		t = tcp_msg(c, 0, t + local_delay(), "RETR bot.exe\r\n", 14);
		t = tcp_msg(c, 1, t + rtt, "150 Opening BINARY mode data "
		    "connection.\r\n", 42);
		td = tcp_handshake(d, t + range(100, 2 * MS), drtt, HS_PLAIN);
		td += range(100, 2 * MS);
	}
	stream_add(d, d->remote, body, size);
	t = tcp_bulk(d, d->remote, td, drtt, h.gap, chance(60), 0);
	t = tcp_close(d, d->remote, t + 1, drtt);
	c->partner = d;
	d->partner = c;
	sess_start(d);
	t = tcp_msg(c, 1, t + range(100, 3000), "226 Transfer complete.\r\n",
	    24);
	t += local_delay();
	t = tcp_msg(c, 0, t + range(0, 50 * MS), "QUIT\r\n", 6);
	t = tcp_msg(c, 1, t + rtt, "221 Goodbye.\r\n", 14);
	t = tcp_close(c, 1, t + 1, rtt);
	sess_start(c);
	return t;
}

/*
 * A TFTP download (RFC 1350) from the attacker: the RRQ to port 69,
 * then DATA from another port of the server, each block acknowledged.
 * Two UDP sessions, both download/tftp, linked.
 */
static int64_t
dl_tftp(int64_t t, const struct host *h)
{
	struct sess *q, *d;
	uint16_t lport = hp_ephemeral();
	uint32_t size = (uint32_t)range(6000, 40000), blocks, b, len;
	int64_t rtt = h->rtt + range(0, h->rtt / 10);
	struct step *p;
	size_t n;
	const unsigned char *rrq;

	q = sess_new(h->af, BH_PB_UDP);
	side_init(q, 0, NULL, lport);
	side_init(q, 1, h, 69);
	q->truth = 1;
	q->dir = DIR_OUT;
	q->phase = "download";
	q->app = "tftp";
	q->how = "udp";
	rrq = text(q, &n, "%c%cmsblast.exe%coctet%c", 0, 1, 0, 0);
	stream_add(q, 0, rrq, n);
	step_add(q, 0, t, 0)->len = (uint32_t)n;

	d = sess_new(h->af, BH_PB_UDP);
	side_init(d, 0, h, (uint16_t)range(1024, 5000));
	side_init(d, 1, NULL, lport);
	d->truth = 1;
	d->dir = DIR_IN;
	d->phase = "download";
	d->app = "tftp";
	d->how = "udp";
	blocks = size / TFTP_BLOCK + 1;
	t += rtt + range(0, 2 * MS);
	for (b = 1; b <= blocks; b++) {
		len = b < blocks ? TFTP_BLOCK : size % TFTP_BLOCK;
		p = step_add(d, 0, t, 0);
		p->off = d->sd[0].slen;
		p->len = 4 + len;
		stream_add(d, 0, tftp_hdr[b], 4);
		stream_add(d, 0, body + (b - 1) * TFTP_BLOCK, len);
		t += local_delay();
		p = step_add(d, 1, t, 0);
		p->off = d->sd[1].slen;
		p->len = 4;
		stream_add(d, 1, tftp_ack[b], 4);
		t += rtt;
	}
	q->partner = d;
	d->partner = q;
	sess_start(q);
	sess_start(d);
	return t;
}

/*
 * The bot's IRC session to its C&C server (RFC 1459/2812): the server's
 * NOTICE AUTH (sometimes), NICK/USER, the welcome numerics, JOIN, the
 * channel topic carrying the bot command, then PING/PONG every 90–180 s,
 * now and then a command in a PRIVMSG; closed by either side or reset.
 * Some servers' route changes once (TTL one lower from then on).
 */
static int64_t
ep_cnc(int64_t t, int af)
{
	static const char *const cmds[] = { ".advscan lsass 200 5 0 -r -s",
	    ".advscan dcom135 100 3 0 -b", ".download http://%s/x.exe c:\\x.exe 1",
	    ".update http://%s/bot.exe", ".asc asn445 50 5 0 -r -b" };
	static const char *const chans[] = { "#mipsel", "#s", "#x#", "##bots",
	    "#exploit" };
	struct host h;
	struct sess *s;
	const unsigned char *p, *ping, *pong;
	size_t n, npi, npo;
	int64_t rtt;
	uint16_t port = pick_irc(&h, af);
	unsigned i, rounds = 1 + below(24), nick = below(100000);
	const char *chan = chans[below(5)];
	char srv[64], cmd[128], user[5];
	unsigned r;

	if (af == 4 && chance(600)) {
		t = ep_dns(t, domains[0], h.addr);
		t += local_delay();
	}
	s = tcp_new(&h, 1, port, hp_ephemeral(), &rtt);
	s->phase = "cnc";
	s->app = "irc";
	snprintf(srv, sizeof(srv), "irc%u.%s", below(9), domains[0] + 4);
	snprintf(cmd, sizeof(cmd), cmds[below(5)], "1.2.3.4");
	t = tcp_handshake(s, t, rtt, pick_hs(1));
	if (chance(500)) {
		p = text(s, &n, ":%s NOTICE AUTH :*** Looking up your "
		    "hostname...\r\n", srv);
		t = tcp_msg(s, 1, t + rtt, p, n);
	}
	for (i = 0; i < 4; i++)
		user[i] = (char)('a' + below(26));
	user[4] = '\0';
	p = text(s, &n, "NICK [XP|USA|%05u]\r\nUSER %s 0 0 :%05u\r\n",
	    nick, user, nick);
	t += local_delay();
	t = tcp_msg(s, 0, t + range(0, 10 * MS), p, n);
	p = text(s, &n, ":%s 001 [XP|USA|%05u] :Welcome to the IRC Network\r\n"
	    ":%s 005 [XP|USA|%05u] NETWORK=bots :are supported\r\n"
	    ":%s 376 [XP|USA|%05u] :End of /MOTD command.\r\n",
	    srv, nick, srv, nick, srv, nick);
	t = tcp_msg(s, 1, t + rtt + range(0, 20 * MS), p, n);
	p = text(s, &n, "JOIN %s k3y\r\n", chan);
	t = tcp_msg(s, 0, t + local_delay(), p, n);
	p = text(s, &n, ":[XP|USA|%05u]!x@192.168.56.101 JOIN :%s\r\n"
	    ":%s 332 [XP|USA|%05u] %s :%s\r\n", nick, chan, srv, nick,
	    chan, cmd);
	t = tcp_msg(s, 1, t + rtt, p, n);
	t = tcp_ack(s, 0, t + 200 * MS);
	ping = text(s, &npi, "PING :%s\r\n", srv);
	pong = text(s, &npo, "PONG :%s\r\n", srv);
	for (i = 0; i < rounds; i++) {
		t += range(90 * SEC, 180 * SEC);
		if (chance(250)) {
			p = text(s, &n, ":boss!b@cc PRIVMSG %s :%s\r\n", chan,
			    cmd);
			t = tcp_msg(s, 1, t, p, n);
			t = tcp_ack(s, 0, t + 200 * MS);
			t += range(SEC, 20 * SEC);
		}
		t = tcp_msg(s, 1, t, ping, npi);
		t = tcp_msg(s, 0, t + local_delay(), pong, npo);
		t = tcp_ack(s, 1, t + rtt);
		if (i == 0 && chance(30)) {
			s->sd[1].ttl--;
			s->note = "ttl-change";
		}
	}
	r = below(100);
	if (r < 40) {
		p = text(s, &n, "ERROR :Closing Link: 192.168.56.101 (Ping "
		    "timeout)\r\n");
		t = tcp_msg(s, 1, t + range(SEC, 60 * SEC), p, n);
		t = tcp_close(s, 1, t + 1, rtt);
	} else if (r < 60) {
		t = tcp_reset(s, 0, t + range(SEC, 60 * SEC));
		s->state = "RSTO";
	} else {
		t = tcp_msg(s, 0, t + range(SEC, 60 * SEC), "QUIT\r\n", 6);
		t = tcp_close(s, 0, t + local_delay(), rtt);
	}
	sess_start(s);
	return t;
}

/* The honeypot, now a bot, propagating: an outbound exploit. */
static void
ep_attack(int64_t t)
{
	struct host h;
	struct sess *s;
	int64_t rtt;
	uint16_t port = chance(700) ? 445 : 135;

	pick_attacker(&h, 4);
	h.os = OS_WINDOWS;
	s = tcp_new(&h, 1, port, hp_ephemeral(), &rtt);
	s->phase = "attack";
	s->app = port == 135 ? "dcerpc" : "smb";
	t = tcp_handshake(s, t, rtt, HS_PLAIN);
	t = exploit(s, t + local_delay(), rtt, port, 1);
	t = tcp_close(s, 0, t, rtt);
	sess_start(s);
}

/*
 * A NetBIOS name registration broadcast by a LAN host (RFC 1002
 * §4.2.2), three times 750 ms apart.  A host broadcasts at most every
 * two minutes, so each burst is one UDP session (idle timeout 60 s).
 */
static void
ep_netbios(int64_t t)
{
	static const unsigned char hdr[] = { 0x80, 0x01, 0x29, 0x10, 0, 1,
	    0, 0, 0, 0, 0, 1, 0x20 };
	static const unsigned char tail[] = { 0, 0, 0x20, 0, 1, 0xc0, 0x0c,
	    0, 0x20, 0, 1, 0, 4, 0x93, 0xe0, 0, 6, 0x60, 0 };
	struct sess *s;
	unsigned k = below(NLAN), i;
	unsigned char *q;
	char name[16];

	if (lan_last[k] != 0 && t - lan_last[k] < 120 * SEC)
		return;
	lan_last[k] = t;
	s = sess_new(4, BH_PB_UDP);
	side_init(s, 0, NULL, 137);
	side_init(s, 1, NULL, 137);
	s->sd[0].addr[3] = (unsigned char)(2 + k);
	s->sd[1].addr[3] = 255;
	s->truth = 1;
	s->dir = DIR_LOCAL;
	s->app = "netbios";
	s->how = "udp";
	s->sd[0].ttl = 128;
	snprintf(name, sizeof(name), "PC-%02u          ", k);
	q = s->text;
	memcpy(q, hdr, sizeof(hdr));
	for (i = 0; i < 16; i++) {
		unsigned char ch = i < 15 ? (unsigned char)name[i] : 0;

		q[13 + 2 * i] = (unsigned char)('A' + (ch >> 4));
		q[14 + 2 * i] = (unsigned char)('A' + (ch & 0xf));
	}
	memcpy(q + 45, tail, sizeof(tail));
	q[64] = 192;
	q[65] = 168;
	q[66] = 56;
	q[67] = (unsigned char)(2 + k);
	s->textlen = 68;
	stream_add(s, 0, q, 68);
	for (i = 0; i < 3; i++)
		step_add(s, 0, t + i * 750 * MS, 0)->len = 68;
	sess_start(s);
}

/* ARP for the gateway and its reply (not IP: no session). */
static void
ep_arp(int64_t t)
{
	struct sess *s = sess_new(4, 0);
	unsigned char *q = s->text;
	static const unsigned char gw[4] = { 192, 168, 56, 1 };

	side_init(s, 0, NULL, 0);
	side_init(s, 1, NULL, 0);
	memcpy(s->sd[1].addr, gw, 4);
	s->dir = DIR_LOCAL;
	memcpy(q, "\0\1\x08\0\6\4\0\1", 8);
	bh_pb_mac_from_ip(q + 8, 4, hp4);
	memcpy(q + 14, hp4, 4);
	memset(q + 18, 0, 6);
	memcpy(q + 24, gw, 4);
	memcpy(q + 28, "\0\1\x08\0\6\4\0\2", 8);
	bh_pb_mac_from_ip(q + 36, 4, gw);
	memcpy(q + 42, gw, 4);
	bh_pb_mac_from_ip(q + 46, 4, hp4);
	memcpy(q + 52, hp4, 4);
	s->textlen = 56;
	stream_add(s, 0, q, 28);
	stream_add(s, 1, q + 28, 28);
	step_add(s, 0, t, 0)->len = 28;
	step_add(s, 1, t + range(200, 900), 0)->len = 28;
	sess_start(s);
}

/*
 * One arrival of the scenario at t.  room: how many more sessions -n
 * allows (a large number without -n); the multi-session episodes need
 * up to 7.  The mix is tuned so that a capture has about 10 packets and
 * 4 KB per session, like issue 8's benchmark capture.
 */
static void
episode(int64_t t, uint64_t room)
{
	struct host h;
	unsigned r = below(1000);
	int af;

	if (room < 8 && r >= 330 && r < 580)
		r = 600;
	if (r < 330)
		ep_scan(t);
	else if (r < 560) {
		pick_attacker(&h, pick_af());
		ep_infection(t, &h, 0);
	} else if (r < 580) {
		/* a successful infection: the exploit, the download, C&C */
		af = pick_af();
		pick_attacker(&h, af);
		t = ep_infection(t, &h, 1);
		t += range(SEC, 5 * SEC);
		r = below(100);
		if (r < 50)
			t = dl_http(t, af);
		else if (r < 80)
			t = dl_ftp(t, &h);
		else
			t = dl_tftp(t, &h);
		ep_cnc(t + range(2 * SEC, 20 * SEC), af);
	} else if (r < 590 && room >= 8)
		dl_http(t, pick_af());
	else if (r < 600 && room >= 8)
		ep_cnc(t, pick_af());
	else if (r < 610)
		ep_attack(t);
	else if (r < 740) {
		pick_http(&h, 4);
		ep_dns(t, domains[below(6)], h.addr);
	}
	else if (r < 880)
		ep_netbios(t);
	else
		ep_arp(t);
}

/* ---- main ----------------------------------------------------------- */

/* "1500000000", "1.5G" (GiB), "1.5GB" (10^9), K/M/G and KB/MB/GB. */
static int
parse_size(const char *s, uint64_t *v)
{
	char num[64], *end;
	size_t n = strspn(s, "0123456789.");
	double d, mul = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (bh_parse_double(num, &d) != 0 || d < 0)
		return -1;
	end = (char *)s + n;
	if (*end != '\0') {
		switch (*end++) {
		case 'k': case 'K': mul = 1024; break;
		case 'M': mul = 1024.0 * 1024; break;
		case 'G': mul = 1024.0 * 1024 * 1024; break;
		default: return -1;
		}
		if (*end == 'B') {
			mul = mul == 1024 ? 1e3 : mul < 2e6 ? 1e6 : 1e9;
			end++;
		}
		if (*end != '\0')
			return -1;
	}
	*v = (uint64_t)(d * mul);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-gq] [-n sessions | -b bytes] [-s seed] "
	    "[-o out.pcap] [-t truth.tsv]\n", bh_progname);
	exit(BH_EXIT_FATAL);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "pcapng", no_argument, NULL, 'g' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	static char obuf[1 << 22];
	const char *out = "-", *truth = NULL;
	uint64_t nmax = 0, bmax = 0, est, lastprog = 0;
	unsigned long v;
	int64_t next;
	struct sess *s;
	FILE *fp;
	int c, quiet = 0, stopped = 0, prog, queued, pcapng = 0;

	bh_diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "b:gn:o:qs:t:", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'b':
			if (parse_size(optarg, &bmax) != 0 || bmax == 0)
				bh_errx(BH_EXIT_FATAL, "bad size: %s", optarg);
			break;
		case 'g':
			pcapng = 1;
			break;
		case 'n':
			if (bh_parse_uint(optarg, 4000000000UL, &v) != 0 ||
			    v == 0)
				bh_errx(BH_EXIT_FATAL, "bad session count: %s",
				    optarg);
			nmax = v;
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (bh_parse_u64(optarg, &seed) != 0)
				bh_errx(BH_EXIT_FATAL, "bad seed: %s", optarg);
			break;
		case 't':
			truth = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 0 || (nmax != 0 && bmax != 0))
		usage();
	if (nmax == 0 && bmax == 0)
		nmax = 2000;

	if (strcmp(out, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			bh_errx(BH_EXIT_FATAL, "will not write a capture to a "
			    "terminal (use -o)");
		fp = stdout;
	} else if ((fp = fopen(out, "wb")) == NULL)
		bh_err(BH_EXIT_FATAL, "%s", out);
	setvbuf(fp, obuf, _IOFBF, sizeof(obuf));
	if (truth != NULL) {
		if ((truthfp = fopen(truth, "w")) == NULL)
			bh_err(BH_EXIT_FATAL, "%s", truth);
		fputs(truth_header, truthfp);
	}
	prog = !quiet && isatty(STDERR_FILENO);

	/* pools grow with the capture: ~4 KB a session */
	est = nmax != 0 ? nmax : bmax / 4096;
	n_attackers = (uint32_t)(est / 3 < 200 ? 200 : est / 3 > 0x7fffff ?
	    0x7fffff : est / 3);
	n_http = (uint32_t)(8 + (est / 5000 > 4000 ? 4000 : est / 5000));
	n_ftp = (uint32_t)(4 + (est / 20000 > 4000 ? 4000 : est / 20000));
	n_irc = (uint32_t)(4 + (est / 20000 > 4000 ? 4000 : est / 20000));
	att_port = xcalloc(n_attackers, sizeof(*att_port));
	rng = mix64(seed ^ 0xb07f00dULL);
	messages_init();

	if (bh_pb_open(&pw, fp, pcapng, BH_PB_DLT_EN10MB, 65535, 0) != 0)
		bh_err(BH_EXIT_FATAL, "%s", out);
	bytes_out = pcapng ? 48 : 24;
	next = START_USEC + range(0, SEC);
	for (;;) {
		if (!stopped && (nheap == 0 ||
		    next <= heap[0]->st[heap[0]->cur].t)) {
			if ((nmax != 0 && nsess_made >= nmax) ||
			    (bmax != 0 && bytes_out >= bmax))
				stopped = 1;
			else {
				episode(next, nmax != 0 ? nmax - nsess_made :
				    UINT64_MAX);
				next += range(0, 600 * MS);
			}
			continue;
		}
		if (nheap == 0)
			break;
		s = heap[0];
		if (s->cur == 0 && s->truth)
			truth_enqueue(s);
		emit(s, &s->st[s->cur]);
		queued = s->queued;
		if (++s->cur == s->nst) {
			s->done = 1;
			heap_set(0, heap[--nheap]);
			if (nheap > 0)
				heap_down(0);
			if (!s->truth || s->flushed)
				sess_free(s);
		} else
			heap_down(0);
		if (queued && tqlen > 0)
			truth_flush();
		if (prog && bytes_out - lastprog >= (64u << 20)) {
			lastprog = bytes_out;
			fprintf(stderr, "\r%s: %llu MB, %llu packets, %llu "
			    "sessions", bh_progname,
			    (unsigned long long)(bytes_out >> 20),
			    (unsigned long long)pkts_out,
			    (unsigned long long)nflow);
		}
	}
	truth_flush();
	if (prog && lastprog != 0)
		fputc('\n', stderr);
	if (fp != stdout && fclose(fp) != 0)
		bh_err(BH_EXIT_FATAL, "%s", out);
	if (truthfp != NULL && fclose(truthfp) != 0)
		bh_err(BH_EXIT_FATAL, "%s", truth);
	return bh_fshut(BH_EXIT_OK);
}
