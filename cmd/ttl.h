/*
 * ttl.h - bh-ttl's module ttl-hops.c: initial TTL, hops and OS of each
 * side and of the remote party, per record.
 */
#ifndef BH_TTL_H
#define BH_TTL_H

enum {
	O_ORIG_INIT, O_ORIG_HOPS, O_ORIG_OS, O_ORIG_OSSIG, O_ORIG_OSMATCH,
	O_RESP_INIT, O_RESP_HOPS, O_RESP_OS, O_RESP_OSSIG, O_RESP_OSMATCH,
	O_REM_IP, O_REM_PKTS, O_REM_TTL, O_REM_INIT, O_REM_HOPS, O_REM_OS,
	O_REM_OSSIG, O_REM_OSMATCH,
	O_NOTE,
	O_COUNT
};

/* ttl-p0f.c: how a signature matched (p0f's params). */
enum { P0F_NONE, P0F_EXACT, P0F_GENERIC, P0F_FUZZY };
struct p0f_db;

struct side_cols {
	int	ttl, min, max, chg, ip, pkts;
	int	sig, muon;		/* syn_sig/syn_muon or synack_* */
};

/* One run of bh-ttl: ttl_init() it, then set the options. */
struct ttl {
	FILE		*out;
	unsigned	 init_of[256];	/* per observed TTL: initial TTL, 0 none */
	int		 near_of[256];	/* per observed TTL: near-pair flags */
	unsigned	 maxhops;	/* -d */
	char		*os_of[256];	/* per initial TTL: OS family, or NULL */
	struct side_cols sc[2];
	int		 dircol;
	struct p0f_db	*p0f;		/* -p, or NULL */
	struct bh_writer w;
};

/* The p0f.fp bh-ttl reads when -p is not given: $BH_P0F_FP (empty:
 * none), else Debian's p0f package's file when it is there. */
#define P0F_FP_DEFAULT	"/etc/p0f/p0f.fp"

/* The defaults: candidates 32,64,128,255, their OS names, 35 hops. */
void	ttl_init(struct ttl *t, FILE *out);
/* Candidates "32,64,128,255" (1..255, any order): for each observed TTL
 * the smallest candidate at or above it.  -1 on a malformed list. */
int	ttl_set_candidates(struct ttl *t, const char *list);
/* The OS mapping file (bh-ttl(1) -m): 0, or -1 after reporting. */
int	ttl_read_osmap(struct ttl *t, const char *fn);
/* bh_rec_loop callbacks with arg t; ttl_end flushes and frees. */
void	ttl_loop(struct ttl *t, struct bh_loop *l);
void	ttl_end(struct ttl *t);

/*
 * Read a p0f 3 fingerprint database from fp (named fn in messages):
 * the database, or NULL with *bad set after reporting FILE:LINE: why.
 */
struct p0f_db *ttl_p0f_read_fp(FILE *fp, const char *fn, int *bad);
void	ttl_p0f_free(struct p0f_db *db);
/* Its TCP signatures. */
size_t	ttl_p0f_count(const struct p0f_db *db);
/*
 * Match a SYN's (synack 0) or SYN/ACK's fingerprint as p0f does; syn_mss
 * is the MSS of the SYN a SYN/ACK answers.  Returns P0F_*, with *os the
 * label as p0f prints it and *klass its class ("win", "unix", "!": a
 * userland tool), both NULL for P0F_NONE.
 */
int	ttl_p0f_match(const struct p0f_db *db, const struct bh_tcpfp *ts,
	    int synack, unsigned syn_mss, const char **os,
	    const char **klass);

#endif
