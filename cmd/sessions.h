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
/* A file may start this much (usec) before the previous one ended: the
 * clock steps of rotated captures written by two sensors. */
#define FILE_BACK_TOLERANCE	1000000LL
/* TCP sessions that hold evidence (orig_ev, resp_ev) at once. */
#define EV_SESSIONS	16384
#define TS_SESSIONS	16384	/* sessions with TS-RTT state at once */

/* A local network (-L, BH_LOCAL). */
struct net {
	int		 af;
	unsigned char	 addr[16];
	unsigned	 bits;
};

#define NCOLUMNS	56
extern const char *const sessions_columns[NCOLUMNS];

/* The output of one run: zero it, add the networks, start it. */
struct sessions_out {
	FILE		*fp;
	struct net	 nets[MAX_NETS];	/* -L, BH_LOCAL */
	int		 nnets;
	char		*obuf;		/* one record */
	size_t		 obufcap;
	char		 esc_str[256][4];	/* each byte of a head, escaped */
	unsigned char	 esc_len[256];
	struct sig_memo	*sigs;		/* SIG_MEMO fingerprints' texts */
	struct sig_memo	*sig_last[2];	/* the last SYN's, SYN/ACK's slot */
};

/* A fingerprint and its texts, remembered: a capture holds few distinct
 * ones, and writing them costs more than finding them again. */
#define SIG_MEMO	256
struct sig_memo {
	struct bh_tcpfp	 fp;
	unsigned	 syn_mss;
	int		 plen, mlen;	/* -1: none; 0: slot empty */
	char		 p0f[BH_TCPFP_SIGMAX], muon[BH_TCPFP_SIGMAX];
};

/* A run over the capture files: zero it, set table and strict. */
struct run {
	struct bh_flow_table *table;
	int		 strict;
	int		 status;
	uint64_t	 skip[NSKIP];
	uint64_t	 backwards;	/* packets older than the one before */
	int64_t		 last_ts;
	const char	*prev_name;	/* the file read before */
	int		 separate;	/* -B: files are separate captures */
	int		 have_ts;
	unsigned char	*rd_buf;	/* one block buffer for every file */
};

/* Output to fp for heads of up to head_max bytes; _header writes the
 * header line; _free frees. */
void	sessions_out_start(struct sessions_out *so, FILE *fp, uint32_t head_max);
void	sessions_out_header(struct sessions_out *so);
void	sessions_out_free(struct sessions_out *so);
/* A local network "addr[/bits]": 0, -1 when it does not parse, -2 when
 * there are MAX_NETS already. */
int	sessions_add_net(struct sessions_out *so, const char *s);
/* The networks of $BH_LOCAL: 0, or -1 after reporting a bad one. */
int	sessions_local_env(struct sessions_out *so);
/* The bh_flow_emit_fn of the table (arg: the sessions_out): one record. */
void	sessions_emit(void *arg, const struct bh_flow *f,
	    const unsigned char *oh, size_t on, const unsigned char *rh,
	    size_t rn, const struct bh_ev *ev);
/* Read one capture file ("-": stdin) into r->table, reporting every
 * problem; 0, or -1 when --strict ends the run there (status 2 for the
 * caller, after it flushed the table). */
int	sessions_read(struct run *r, const char *fn);
/* The end-of-run summary on stderr. */
void	sessions_summary(const struct run *r, const struct bh_flow_stats *fs,
	    uint32_t max_live);

#endif
