/*
 * sessions.h - bh-sessions' modules: sessions-out.c (a session to its
 * record, the local networks) and sessions-read.c (captures to sessions).
 */
#ifndef BH_SESSIONS_H
#define BH_SESSIONS_H

#define MAX_NETS	256
/* Skip reasons beyond the decoder's: a later fragment without a first;
 * a time stamp out of range. */
#define SKIP_FRAG	BH_PKT_NSTATUS
#define SKIP_TIME	(BH_PKT_NSTATUS + 1)
#define NSKIP		(BH_PKT_NSTATUS + 2)
/* A pcapng time stamp is 64 bits of any unit; past 31700 years from the
 * epoch, microseconds (and their sums and differences in the session
 * table) would not fit an int64_t. */
#define MAX_TS_SEC	1000000000000LL

/* A local network (-L, BH_LOCAL). */
struct net {
	int		 af;
	unsigned char	 addr[16];
	unsigned	 bits;
};

#define NCOLUMNS	42
extern const char *const columns[NCOLUMNS];
extern struct net nets[MAX_NETS];
extern int nnets;
extern char *obuf;
extern size_t obufcap;

struct run {
	struct bh_flow_table *table;
	int		 strict;
	int		 status;
	uint64_t	 skip[NSKIP];
	uint64_t	 backwards;	/* packets older than the one before */
	int64_t		 last_ts;
	int		 have_ts;
};

int	add_net(const char *s);
void	esc_init(void);
void	emit(void *arg, const struct bh_flow *f, const unsigned char *oh,
	    size_t on, const unsigned char *rh, size_t rn);
void	parse_local_env(void);
void	read_capture(struct run *r, const char *fn);
void	summary(const struct run *r, const struct bh_flow_stats *fs,
	    uint32_t max_live);
extern unsigned char *rd_buf;

#endif
