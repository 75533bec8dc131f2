/*
 * phase.h - the modules of bh-phase: phase-rules.c (the rules language),
 * phase-match.c (labelling), phase-link.c (FTP/TFTP links), phase-hold.c
 * (the hold queue), phase-rec.c (a record's facts).
 */
#ifndef BH_PHASE_H
#define BH_PHASE_H

#include <regex.h>

#define DEF_WINDOW_US	(600LL * 1000000)	/* -w: look-ahead window */
#define DEF_HOLD	16384			/* -W: records held at most */
#define LINK_SLACK_US	(10LL * 1000000)	/* data may start this late */
#define NCTL		512			/* control sessions remembered */
#define NEP		8			/* PORT/PASV addresses each */
#define NCAND		8			/* weak controls per data */
#define CLOCK_RECENT	4			/* record ends the clock needs */
#define GREETING_MAX	1024			/* flag o: a greeting's bytes */
#define BIGRAM_WORDS	64			/* 4096 bits: a text's letter pairs */

enum { PH_SCAN, PH_INFECTION, PH_DOWNLOAD, PH_CNC, PH_ATTACK, PH_COUNT };
extern const char *const phase_names[PH_COUNT];

enum { SIDE_NONE, SIDE_ORIG, SIDE_RESP, SIDE_LINK };

enum {
	LK_NONE, LK_FTP_PORT, LK_FTP_PASV, LK_FTP_20, LK_FTP_PAIR, LK_TFTP,
	LK_COUNT
};
extern const char *const linker_names[LK_COUNT];

#define F_EMPTY		0x1	/* e: no payload either way */
#define F_ICASE		0x2	/* i: patterns ignore case */
#define F_REMOTE	0x4	/* r: the originator is the remote party */
#define F_ORIG_EMPTY	0x8	/* o: the originator sent no payload */

#define HEAD_ORIG	0x1
#define HEAD_RESP	0x2

/* dir values: the input's, and the ones bh-phase writes. */
enum { D_NONE, D_UNSET, D_IN, D_OUT, D_OTHER, D_LOCAL, D_EXT };

struct prefilter;

/* A pattern that is a test in C, not an ERE ("@exe"). */
enum { DET_NONE, DET_EXE };

struct pat {
	int		 side;		/* SIDE_ORIG or SIDE_RESP */
	int		 det;		/* DET_*: a test instead of re */
	regex_t		 re;
	char		*src;
	struct prefilter *pre;
	int		 id;		/* equal patterns share an id */
};

struct rule {
	char		*name, *app, *proto_s, *ports_s, *flags_s;
	int		 phase, proto, flags, side, linker;
	unsigned char	*ports;		/* bitmap of 65536; NULL = any */
	struct pat	*pat;
	size_t		 npat;
	int		 need;		/* HEAD_* the patterns look at */
	char		*doc;		/* comment lines before it */
	char		*file;
	unsigned long	 line;
};


struct ip {
	int		 fam;		/* 0 = unknown */
	unsigned char	 a[16];
};

/* The facts of the current record that the rules look at. */
struct rec {
	int		 proto;		/* IP protocol number */
	int		 oport, rport;	/* -1 for `-` */
	const char	*head[2];	/* orig, resp; NULL for `-` */
	const char	*item[2][BH_EV_READ];	/* evidence item texts */
	int		 nitem[2];
	int		 headmask;
	int		 empty;		/* no payload either way */
	int		 oempty;	/* none from the originator */
	int		 greeting;	/* the responder sent one short message */
	int		 midstream;	/* state OTH: no SYN seen */
	int		 has_ts;
	int64_t		 ts, end;
	int		 dir;
};

/* One held record (fields NUL-separated): one that may still be
 * linked.  The records and comments that come behind it are written at
 * once, to the pending buffer (pw), and go out when it does. */
struct slot {
	uint64_t	 seq;
	size_t		 pend_off;	/* pw.olen when it came */
	uint64_t	 pend_n;	/* pend_in when it came */
	char		*buf;
	size_t		 cap, len;
	size_t		*off;		/* field offsets */
	int		 rule, phase, dirfill;
	char		*link;		/* "" for none */
	size_t		 linkcap;
	int		 link_mz;	/* link names a data session with MZ */
	int		 has_end;
	int64_t		 end;
	int		 hold;		/* may still be linked: wait */
	int		 data;		/* may be a data connection */
	int		 ctl;		/* a control session (in ctls) */
	int		 linked;
	int		 dir_pending;	/* dir from the hosts when written */
	uint64_t	 dir_by;	/* the flow that placed it, 0 none */
	/* the controls that name it only weakly (port 20, same hosts),
	 * in arrival order, while it waits for one that names it exactly */
	uint64_t	 cand[NCAND];
	int		 ncand;
	/* what the linker compares */
	int		 proto, oport, rport, dir, has_ts, mz, tftp[2];
	int64_t		 ts;
	struct ip	 oip, rip;
};

/* A host whose place was decided without -L (phase-hosts.c). */
#define HOSTS_MAX	65536
#define HOSTS_SLOTS	(2 * HOSTS_MAX)
enum { HOST_UNKNOWN, HOST_LOCAL, HOST_REMOTE };
struct host {
	struct ip	 ip;
	int		 where;		/* HOST_* */
	int		 rule;		/* of the session that decided */
	uint64_t	 flow;
};

struct ep {
	int		 has_ip;
	struct ip	 ip;
	int		 port;
};

/* A control session (FTP, or a TFTP read request) waiting for data. */
struct ctl {
	uint64_t	 seq;		/* its slot */
	int		 kind;		/* LK_FTP_PORT (any FTP) or LK_TFTP */
	struct ip	 cli, srv;
	int		 cport, sport;
	int		 has_ts;
	int64_t		 ts, end;
	struct ep	 act[NEP], pas[NEP];
	int		 nact, npas;
	int		 nexact, nweak;	/* data sessions linked to it */
	int		 npend;		/* data holding it as a candidate */
	uint64_t	 pend_lo;	/* their slots are at this seq or on */
	char		*flow;
	size_t		 flowcap;
};

/* Input columns; -1 when absent (only the optional ones may be). */
struct phase_cols {
	int	flow, proto, oip, oport, rip, rport, ohead, rhead;
	int	ts, dur, dir, obytes, rbytes, oev, rev, state;
};


/*
 * A prefilter for a pattern: up to PRE_MAX literal tests that every
 * match passes, tried with strncmp/strstr before regexec, which is far
 * dearer (glibc copies the whole text for REG_ICASE).  A test is a set
 * of literals one of which the text contains (at its start when
 * anchored).  exact: the pattern is one literal, the test is the match.
 */
struct lit {
	char		**alt;
	size_t		  n;
	size_t		  minlen;
	int		  anchored;
};

#define PRE_MAX		4
#define LIT_MAXALT	16

struct prefilter {
	struct lit	  t[PRE_MAX];
	int		  n;
	int		  exact;
};

extern const char *const dir_names[];

/* bh-phase's mutable state, all of it (phase_reset() restores it). */
struct phase_state {
	/* every rule parsed (owner), and the rule set in force, in order */
	struct rule	**all_rules;
	size_t		  nall_rules;
	struct rule	**rules;
	size_t		  nrules;
	int		  have_ftp_links, have_tftp_links;
	int		  first_link;	/* index of the first link rule */
	/* the patterns, deduplicated, and their results per record */
	char		**pat_texts;
	int		 *pat_keys;
	int		  npat_ids;
	unsigned	 *memo_gen;
	unsigned char	 *memo_val;
	unsigned	  memo_now;
	char		 *lower_buf[2];	/* a head in lower case (REG_ICASE) */
	size_t		  lower_cap[2];
	unsigned	  lower_gen[2];
	/* the input columns */
	struct phase_cols col;
	/* the hold queue and the pending output: the lines behind held
	 * records, labelled already (only held records change); pw_done
	 * bytes of pw are out, pend_in and pend_out count the lines into
	 * it and out of it */
	struct slot	 *q;
	size_t		  qcap, qhead, qcount;
	struct bh_writer  pw;
	size_t		  pw_done;
	uint64_t	  pend_in, pend_out;
	uint64_t	  qseq;		/* seq of the next slot */
	/* the control sessions waiting for data */
	struct ctl	  ctls[NCTL];
	size_t		  ctlhead, nctl;
	int64_t		  clock_us;	/* greatest record end seen */
	int		  clock_set;
	int64_t		  window_us;	/* -w */
	/* the ends of the last records, whose least moves the clock */
	int64_t		  recent_end[CLOCK_RECENT];
	unsigned	  nrecent;
	/* the evidence of the current record, split into items, and in
	 * lower case when a case-insensitive test needs it */
	char		 *ev_buf[2], *ev_lower[2];
	size_t		  ev_cap[2];
	unsigned	  ev_lower_gen[2];
	/* per text of the current record (side, then head and items):
	 * which letter pairs it holds, made when a literal test first
	 * needs it (phase-match.c) */
	uint64_t	(*bigrams)[BIGRAM_WORDS];
	unsigned	 *bigrams_gen;
	/* hosts decided without -L */
	struct host	 *hosts;
	size_t		  nhosts, nlocal;
	uint64_t	  hosts_full;
	size_t		  maxhold;	/* -W */
};
#define PHASE_STATE_INIT { .first_link = -1, .window_us = DEF_WINDOW_US, \
	.maxhold = DEF_HOLD }
extern struct phase_state phst;

int	parse_proto(const char *s);
int	hosts_dir(const struct ip *orig, const struct ip *resp, int rule,
	    const char *flow, uint64_t *by);
void	hosts_summary(void);
void	hosts_free(void);
int	rules_load(int no_builtin, char **files, int nfiles);
/* The rules in force as a rules file (--print-rules), to fp. */
void	rules_print(FILE *fp);
void	rules_free(void);
int	rule_gate(const struct rule *ru, const struct rec *rc);
int	classify(const struct rec *rc);
int	phase_of(int i, int dir);
int	dirfill_of(int i, int dir);
void	parse_ip(const char *s, struct ip *ip);
struct ctl	*ctl_find(uint64_t seq);
void	resolve(struct slot *d);
void	ctl_retire(struct ctl *c);
void	link_data(struct slot *d);
void	add_control(struct slot *s, int kind, const struct rec *rc);
struct slot	*q_push(void);
void	slot_copy(struct slot *s, const struct bh_reader *r);
void	write_fields(struct bh_writer *w, char *const *f, int rule, int phase,
	    int dirfill, uint64_t dir_by, const char *link);
struct bh_writer	*pw_next(void);
void	q_release(struct bh_writer *w, char **fbuf, int all);
void	q_free(void);
int	rec_read(struct bh_reader *r, struct rec *rc);
int	link_role(int rule, const struct rec *rc, int *data);
struct slot	*hold_record(const struct bh_reader *r, const struct rec *rc, int rule, int hold);

/* One run (phase-run.c): zero it, set out and drop (-d). */
struct phase_run {
	FILE		*out;
	int		 drop;
	struct bh_writer w;
	char		**fbuf;		/* the fields of a held record */
};
/* The bh_rec_loop callbacks with arg p; phase_end writes what is still
 * held and frees the run; phase_reset frees the rules and puts every
 * module's state back as it was at the start (for the next run in one
 * process). */
void	phase_loop(struct phase_run *p, struct bh_loop *l);
void	phase_end(struct phase_run *p);
void	phase_reset(void);

#endif
