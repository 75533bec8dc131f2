/*
 * story.h - the modules of bh-story: story-refs.c (what one session's
 * payload says: the references that link sessions, the details),
 * story-run.c (hosts, episodes, the hold queue), story-out.c (the
 * records) and story-svg.c (the timeline).
 */
#ifndef BH_STORY_H
#define BH_STORY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bh.h"

#define STORY_WINDOW_US	(600LL * 1000000)	/* -w, as bh-phase's */
#define STORY_HOLD	65536			/* -W: steps held at most */
#define STORY_HOSTS	16384			/* -n: local hosts at most */
#define STORY_SVG_MAX	40			/* --svg-max: episodes drawn */
#define CLOCK_RECENT	4			/* record ends the clock needs */
#define EXPLOIT_GAP_US	(60LL * 1000000)	/* one exploit's connections */
#define LONGEST_MAX_US	(6LL * 3600 * 1000000)	/* late steps waited for */

#define SREF_MAX	8	/* references kept from one session */
#define EREF_MAX	16	/* references an episode remembers */
#define EP_OPEN		64	/* open episodes per host */
#define EP_SRC		4	/* parties an episode remembers */
#define TOMB_MAX	1024	/* closed episodes a host remembers */
#define TOMB_BLOCK	16	/* tombs under one span (divides 16, the first tombcap) */
#define EP_FLOWS	32	/* flows an episode remembers (links) */
#define BT_MAX		32	/* beacon series per host */
#define BT_TIMES	16	/* connection times per series */
#define BEACON_N	4	/* connections before a series is regular */
#define BEACON_BYTES	16384	/* a message at most this long each way */
#define HOSTLEN		64	/* a host name or address, with its NUL */
#define PATHLEN		96
#define DETAIL_MAX	240	/* bytes of detail, escaped */

enum role { R_INFECTION, R_SHELL, R_DOWNLOAD, R_CNC, R_PROPAGATION,
	R_COUNT };
extern const char *const role_names[R_COUNT];

/* The evidence that joins a step to its episode, weakest first. */
enum evk { EV_START, EV_TIME, EV_SAME_SOURCE, EV_BEACON, EV_CMD_URL,
	EV_IRC_URL, EV_HTTP_LOCATION, EV_CMD_FTP, EV_CMD_TFTP, EV_CMD_CONNECT,
	EV_DCC,
	EV_FTP_DATA, EV_TFTP_DATA, EV_COUNT };
extern const char *const ev_names[EV_COUNT];

/* What a reference names. */
enum refk { RK_URL, RK_FTP, RK_TFTP, RK_DCC, RK_CONNECT };

/* A reference one session's payload made to a later session. */
struct sref {
	uint8_t		 kind;		/* enum refk */
	uint8_t		 ev;		/* enum evk when it is matched */
	uint16_t	 port;		/* 0: the kind's default */
	char		 scheme[6];	/* http, https, ftp, tftp (RK_URL) */
	char		 host[HOSTLEN];	/* address (canonical) or name */
	char		 path[PATHLEN];	/* URL path or file name */
	unsigned	 from;		/* step number that made it */
};

/* What a session's payload shows (story-refs.c). */
struct sfacts {
	struct sref	 ref[SREF_MAX];
	unsigned	 nref;
	char		 http_host[HOSTLEN];	/* Host: of its first request */
	char		 http_path[PATHLEN];	/* its path, query cut */
	char		 file[PATHLEN];		/* RETR, STOR or RRQ file */
	char		 irc_srv[HOSTLEN], irc_chan[HOSTLEN], irc_nick[HOSTLEN];
	char		 cmd[DETAIL_MAX + 1];	/* commands, escaped */
	size_t		 cmd_last;		/* where the last one starts */
};

/* The kind of session the texts are read as. */
enum { SK_OTHER, SK_IRC, SK_HTTP, SK_FTP, SK_TFTP, SK_SHELL };

/*
 * Read the facts of one session from its two sides' payload (o, r: the
 * unescaped heads and evidence items, each item after a NUL; cmdside the
 * side whose lines are the commands, 0 or 1).  kind chooses how the
 * references are named (an IRC line's URL is irc-url, a shell's cmd-url).
 */
void	story_facts(struct sfacts *f, int kind, int cmdside,
	    const unsigned char *o, size_t on, const unsigned char *r,
	    size_t rn);
/* Copy the string src into dst of cap bytes, cut to fit (snprintf's
 * "%s" without its cost). */
void	story_cpy(char *dst, size_t cap, const char *src);
/* Canonical text of an address, or the lower-cased name, into dst
 * (HOSTLEN); 0 when s[0..n-1] is neither. */
int	story_host(char *dst, const char *s, size_t n);

/* ---- story-run.c -------------------------------------------------- */

struct story;
struct story *story_new(FILE *out);
void	story_set(struct story *s, int64_t window_us, size_t hold,
	    size_t hosts, int summary);
/* --svg FILE (drawn at the end, at most max episodes) */
void	story_svg(struct story *s, const char *file, unsigned max);
void	story_loop(struct story *s, struct bh_loop *l);
/* Write what is still held and the summary line; returns -1 when the
 * SVG could not be written. */
int	story_end(struct story *s);
void	story_free(struct story *s);

/* ---- the state, shared by story-run.c and story-rec.c ---------------- */

/* The input columns (story-rec.c names them). */
enum { C_FLOW, C_TS, C_PROTO, C_OIP, C_OPORT, C_RIP, C_RPORT, C_DIR,
	C_PHASE, C_APP, C_DUR, C_RULE, C_LINK, C_OHEAD, C_RHEAD, C_OEV,
	C_REV, C_OBYTES, C_RBYTES, C_HOPS, C_RTT, C_OS, C_COUNT };
#define C_REQUIRED	(C_APP + 1)

#define ROLE_BEACON	R_COUNT		/* a step only if a beacon */
#define LIST_MAX	200		/* a summary list's bytes */

struct step {
	int64_t		 ts, end;
	uint64_t	 seq;
	uint8_t		 role, kind;
	uint16_t	 rport;
	char		 host[HOSTLEN], rip[HOSTLEN];
	char		 http_host[HOSTLEN], http_path[PATHLEN];
	/* NUL-separated in str: ts flow link app hops rtt os detail */
	char		*str;
	const char	*f_ts, *f_flow, *f_link, *f_app, *f_hops, *f_rtt,
			*f_os, *f_detail;
	struct sref	*ref;
	unsigned	 nref;
	int64_t		 period;	/* a beacon's, once placed */
	uint64_t	 rip_h, link_h;	/* hashes of rip and the link */
	uint16_t	 lport;		/* the local host's port */
	uint8_t		 small;		/* may be a beacon's */
	char		 det2[PATHLEN + 8];	/* a detail found at placing */
	uint64_t	 remote_sent, local_sent;	/* payload bytes */
};

struct series {				/* a beacon candidate series */
	char		 rip[HOSTLEN];
	uint16_t	 rport;
	uint64_t	 path;		/* hash of the HTTP path, 0 none */
	int64_t		 t[BT_TIMES];	/* start times, ascending */
	unsigned	 n;
	int		 regular;
	int64_t		 period;
	uint64_t	 episode;	/* where its steps went, 0 none */
	unsigned	 last_step;
	uint64_t	 used;
};

struct party {
	char		 ip[HOSTLEN];
	uint64_t	 h;		/* hash of ip: compared first */
	unsigned	 step;
};

struct episode {
	uint64_t	 id;
	int64_t		 start, reach, last_end;
	int64_t		 t_infection, t_download, t_cnc;
	unsigned	 nstep;
	int		 has_dl_cnc;
	unsigned	 roles;		/* 1 << role of each step */
	/* the first start of each role: [0] any step, [1] one joined by
	 * more than time (the dialog's order for time joins) */
	int64_t		 first[2][R_COUNT];
	char		 host[HOSTLEN];
	char		 start_s[24];
	/* the summary */
	char		 inf_src[LIST_MAX], inf_app[LIST_MAX];
	char		 role_hops[R_COUNT][16], role_rtt[R_COUNT][16],
			 role_os[R_COUNT][24];
	int		 role_seen[R_COUNT];
	char		 dl_srv[LIST_MAX], dl_files[LIST_MAX];
	char		 cnc_srv[LIST_MAX], cnc_detail[LIST_MAX];
	char		 evs[LIST_MAX];
	unsigned	 nprop;
	struct svg_ep	*svg;
	int		 closed;	/* (-s) the fields below are gone */
	/* what joins a step to it while it is open (a tomb keeps its
	 * first parties); with -s a closed episode is cut here */
	struct sref	*ref;		/* EREF_MAX, allocated at the first */
	unsigned	 nref;
	struct party	 party[EP_SRC * 2];
	unsigned	 nparty;
	struct {
		char	 flow[24];
		uint64_t h;
		unsigned step;
	}		 flows[EP_FLOWS];
	unsigned	 nflows;
};
/* The size of a closed episode that waits for its summary (-s). */
#define EP_CLOSED_SIZE	offsetof(struct episode, ref)

/* A closed episode, as a late step needs it. */
struct tomb {
	struct episode	*ep;		/* -s: the episode, its summary due */
	uint64_t	 id, party[EP_SRC];	/* parties: hashed addresses */
	int64_t		 start, reach;
	unsigned	 nstep, roles, nparty, pstep[EP_SRC];
	int64_t		 first[2][R_COUNT];
};

struct host {
	char		 ip[HOSTLEN];
	uint64_t	 hash;
	struct host	*next;		/* bucket chain */
	struct host	*lru_prev, *lru_next;
	struct episode	*ep[EP_OPEN];	/* oldest first */
	unsigned	 nep;
	struct series	*ser[BT_MAX];
	unsigned	 nser;
	struct tomb	*tomb;		/* the last TOMB_MAX closed */
	unsigned	 ntomb, tombcap;
	int64_t		 tomb_reach;	/* the furthest reach of a tomb */
	/* per TOMB_BLOCK slots of tomb[], what its tombs may offer a late
	 * step: the earliest start, the latest start, the furthest reach,
	 * the parties (one bit of each hash), the earliest download and
	 * C&C (what dialog_rank() asks); a block that cannot beat the best
	 * found is passed over */
	struct tomb_span {
		int64_t	 start, start_max, reach;
		uint64_t party;
		int64_t	 first[2][R_COUNT];
	}		*tspan;
	int64_t		 reach_low;	/* no open episode reaches less */
};

struct story {
	FILE		*out;
	struct bh_writer w;
	int		 summary;
	int64_t		 window;
	size_t		 hold_max, hosts_max;
	int		 col[C_COUNT];
	/* the clock */
	int64_t		 clock, recent[CLOCK_RECENT], last_sweep;
	int64_t		 longest;	/* the longest session seen */
	unsigned	 nrecent;
	int		 clock_set;
	/* the hold queue: a binary heap by (ts, seq) */
	struct step	**heap;
	size_t		 nheap, capheap;
	uint64_t	 seq;
	/* the hosts: chained hash, LRU list (head = most recent) */
	struct host	**bucket;
	size_t		 nbucket, nhosts;
	struct host	*lru_head, *lru_tail;
	uint64_t	 next_episode, use;
	/* scratch: a record's unescaped texts */
	unsigned char	*txt[2];
	size_t		 txtcap[2];
	char		*evcopy;	/* an evidence column, cut into items */
	size_t		 evcap;
	/* counts for the end */
	uint64_t	 early, forgotten, unplaced;
	/* --svg */
	const char	*svg_file;
	unsigned	 svg_max;
	struct svg_ep	*svg;
	size_t		 nsvg;
	uint64_t	 svg_more;
	char		 buf[8192];
};

/* story-run.c */
uint64_t hash_str(const char *s);
struct host *host_get(struct story *s, const char *ip, int create);
struct series *series_get(struct story *s, struct host *h,
	    const struct step *st, int create);
void	series_add(struct series *sr, int64_t ts);
void	heap_push(struct story *s, struct step *st);
/* Place the held steps whose time has come (all: every one). */
void	release(struct story *s, int all);
/* story-out.c: the record of a step placed in episode id as its n-th
 * (ev: the evidence, via: the step it points to, 0 none), and the
 * summary of an episode (-s) */
void	story_step_out(struct story *s, uint64_t id, unsigned n,
	    const struct step *st, int ev, unsigned via);
void	story_summary_out(struct story *s, const struct episode *e);
/* story-rec.c: the bh_loop callbacks */
int	story_header(void *arg, struct bh_reader *r);
int	story_record(void *arg, struct bh_reader *r);
extern const char *const step_cols[];
extern const char *const sum_cols[];
#define NSTEP_COLS	15
#define NSUM_COLS	24

/* ---- story-svg.c -------------------------------------------------- */

/* One step as the timeline draws it. */
struct svg_step {
	int64_t		 ts, end;
	uint8_t		 role, ev;
	unsigned	 via;		/* step its evidence points to, 0 none */
	char		 label[112];	/* remote, hops, RTT */
};
struct svg_ep {
	uint64_t	 id;
	char		 host[HOSTLEN];
	int64_t		 start;
	struct svg_step	*step;
	unsigned	 nstep, cap;
};
/* Write the timeline of n episodes (more: how many were not drawn) to
 * fp; -1 on a write error. */
int	story_svg_write(FILE *fp, const struct svg_ep *ep, size_t n,
	    uint64_t more);

#endif /* BH_STORY_H */
