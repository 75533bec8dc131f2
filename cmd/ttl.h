/*
 * ttl.h - bh-ttl's module ttl-hops.c.
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
extern const char *const ttl_owned[O_COUNT];

extern unsigned	init_of[256];
extern int	near_of[256];
extern unsigned	maxhops;
extern char	*os_of[256];

struct side_cols {
	int	ttl, min, max, chg, ip, pkts;
};

/* One side's results, formatted. */
struct side {
	int	set;			/* side has a TTL */
	int	flags;
	char	ttl[BH_NUMBUF], init[BH_NUMBUF], hops[BH_NUMBUF];
	const char *init_v, *hops_v, *os_v;
};

int	set_candidates(const char *list);
void	set_near(void);
void	read_osmap(const char *fn);
int	ttl_side(struct bh_reader *r, const struct side_cols *sc, struct side *s);
void	note_side(char *o, const char *side, int flags);

#endif
