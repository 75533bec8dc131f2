/*
 * synth.h - the modules of bh-synth: synth-world.c (random numbers, hosts,
 * shared state), synth-msg.c (messages), synth-tcp.c (sessions, packets,
 * truth), synth-episode.c (the scenario).
 */
#ifndef BH_SYNTH_H
#define BH_SYNTH_H

#define START_USEC	1262304000000000LL	/* 2010-01-01 00:00:00 UTC */
#define SEC		1000000LL
#define MS		1000LL
#define MSS		1460
#define BODY_SIZE	(1 << 20)		/* the largest executable */
#define TFTP_BLOCK	512
#define TEXT_SIZE	3072			/* per-session formatted text */
#define NLAN		24			/* LAN hosts that broadcast */

enum os_kind { OS_WINDOWS, OS_UNIX, OS_SOLARIS };

struct host {
	int		 af;
	unsigned char	 addr[16];
	int		 os;		/* its TTL's family */
	int		 stack;		/* its TCP stack's: SYN options and
					 * window (another than os behind a
					 * NAT) */
	int		 flap;		/* its route flaps (hops_at()) */
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
	uint8_t		 flags;		/* BH_TH_* */
	uint8_t		 ttl;
	uint8_t		 opt;		/* OPT_* */
};

#define OPT_SYN		0x01	/* MSS, SACK permitted (and wscale) */

#define OPT_TS		0x02	/* timestamp option */

/* What a side has sent that the other has not yet seen: a packet is
 * seen echo_delay after it passed the monitor (its TSval then becomes
 * the other side's TSecr, RFC 7323 section 4.3). */
#define PEND_MAX	64
struct pend {
	int64_t		 t;
	uint32_t	 tsval;
};

struct side {
	unsigned char	 addr[16];
	uint16_t	 port;
	uint8_t		 ttl;		/* TTL of the next packet */
	int		 os;
	int		 stack;		/* OS_*: its SYN option layout */
	int64_t		 echo_delay;	/* µs from the monitor to it and back */
	struct pend	 pend[PEND_MAX];	/* the other side's, in flight */
	unsigned	 npend;
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
	int		 rem_stack;	/* its TCP stack (NAT: not rem_os) */
	int		 rem_flap;	/* its route flaps */
	uint8_t		 rem_hops_base;	/* hops of the first packet */
	struct sess	*partner;	/* linked session (FTP, TFTP) */
	uint32_t	 episode;	/* the bot's life it belongs to, 0 none */
	const char	*evidence;	/* what links it to the episode */
	uint64_t	 flow, link;	/* 0 = not known yet */
	int		 vlan;		/* 0 none, 1 every frame, 2 mixed */
	int		 done, queued, flushed;
};

struct msg {
	const unsigned char	*p;
	uint32_t		 n;
};

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

#define IDX_HTTP	(IDX_SERVER + 0x00000)

#define IDX_FTP		(IDX_SERVER + 0x10000)

#define IDX_IRC		(IDX_SERVER + 0x20000)

#define IDX_RESOLVER	(IDX_SERVER + 0x30000)

enum { DIR_IN, DIR_OUT, DIR_LOCAL };

extern const char *const os_name[];
extern const uint8_t os_ttl[];
extern const char truth_header[];
extern const char *const domains[];

/* bh-synth's mutable state, all of it. */
struct synth_state {
	uint64_t	 rng;		/* the splitmix64 stream */
	uint64_t	 seed;		/* --seed */
	/* the session pool and the packet heap */
	struct sess	**heap;
	size_t		 nheap, capheap;
	struct sess	**freelist;
	size_t		 nfree, capfree;
	struct sess	**tq;		/* truth lines waiting for a link */
	size_t		 tqhead, tqlen, tqcap;
	uint64_t	 nuid, nflow, nsess_made;
	FILE		*truthfp;
	struct bh_pb_writer pw;
	uint64_t	 bytes_out, pkts_out;
	/* the honeypot */
	uint16_t	 hp_ipid, hp_port;
	unsigned char	 hp4[4];
	unsigned char	 hp6[16];
	uint32_t	 hp_tsbase;
	unsigned char	 body[BODY_SIZE];	/* the executable all bots share */
	unsigned char	 shellcode[4096];	/* NOP sled and code of exploits */
	unsigned char	 frame[BH_PB_MAXFRAME];
	unsigned char	 scratch[65536];
	int64_t		 lan_last[NLAN];
	/* the messages, built once into the arena */
	unsigned char	 arena[16384];
	size_t		 arenalen;
	struct msg	 m_smb_neg, m_smb_neg_r, m_smb_ssx, m_smb_ssx_r,
			 m_smb_tree, m_smb_tree_r, m_smb_ntc, m_smb_ntc_r,
			 m_smb_bind, m_smb_bind_r, m_smb_expl, m_smb_expl_r,
			 m_rpc_bind, m_rpc_bind_r, m_rpc_req, m_nbss_req,
			 m_nbss_ok;
	unsigned char	 tftp_hdr[2048][4], tftp_ack[2048][4];
	/* the scenario's hosts */
	uint32_t	 n_attackers, n_http, n_ftp, n_irc;
	uint16_t	*att_port;	/* per attacker: its last source port */
	/* the planted episodes: the one being written, and how many */
	uint32_t	 cur_episode, n_episodes;
	int64_t		 last_chain;	/* when the last one began */
	int64_t		 now;		/* when the current episode began */
};
extern struct synth_state synst;

uint64_t	splitmix(uint64_t *s);
uint64_t	splitmix_hash(uint64_t x);
uint32_t	below(uint32_t n);
int64_t	range(int64_t lo, int64_t hi);
int	chance(unsigned permille);
void	host_make(struct host *h, int af, uint32_t idx, unsigned win_pm,
	    unsigned unix_pm);
void	messages_init(void);
struct sess *	sess_new(int af, int proto);
void	sess_free(struct sess *s);
void	heap_set(size_t i, struct sess *s);
void	heap_down(size_t i);
void	side_init(struct sess *s, int i, const struct host *h, uint16_t port);
uint8_t	hops_at(const struct host *h, int64_t t);
uint16_t	hp_ephemeral(void);
struct step *	step_add(struct sess *s, int i, int64_t t, uint8_t flags);
void	stream_add(struct sess *s, int i, const void *p, size_t n);
/* The text of address a of family af, into buf (INET6_ADDRSTRLEN). */
void	addr_fmt(char *buf, int af, const unsigned char *a);
const unsigned char *text(struct sess *s, size_t *n, const char *fmt, ...)
	    BH_PRINTF(3, 4);
int64_t	local_delay(void);
int64_t	tcp_send(struct sess *s, int i, int64_t t, int64_t gap);
int64_t	tcp_msg(struct sess *s, int i, int64_t t, const void *p, size_t n);
int64_t	tcp_ack(struct sess *s, int i, int64_t t);
int64_t	tcp_close(struct sess *s, int i, int64_t t, int64_t rtt);
int64_t	tcp_reset(struct sess *s, int i, int64_t t);
int64_t	tcp_handshake(struct sess *s, int64_t t, int64_t rtt, enum hs v);
int64_t	tcp_bulk(struct sess *s, int i, int64_t t, int64_t rtt, int64_t gap, int dup,
	    int lose1);
void	sess_start(struct sess *s);
void	truth_flush(void);
void	truth_enqueue(struct sess *s);
const unsigned char *	payload(const struct side *d, uint32_t off, uint32_t len);
void	emit(struct sess *s, const struct step *st);
int64_t	exploit(struct sess *s, int64_t t, int64_t rtt, uint16_t port, int full);
void	episode(int64_t t, uint64_t room);

#endif
