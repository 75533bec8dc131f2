/*
 * ttl.h - bh-ttl's module ttl-hops.c: initial TTL, hops and OS of each
 * side and of the remote party, per record.
 */
#ifndef BH_TTL_H
#define BH_TTL_H

enum {
	O_ORIG_INIT, O_ORIG_HOPS, O_ORIG_OS,
	O_RESP_INIT, O_RESP_HOPS, O_RESP_OS,
	O_REM_IP, O_REM_PKTS, O_REM_TTL, O_REM_INIT, O_REM_HOPS, O_REM_OS,
	O_NOTE,
	O_COUNT
};

struct side_cols {
	int	ttl, min, max, chg, ip, pkts;
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
	struct bh_writer w;
};

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

#endif
