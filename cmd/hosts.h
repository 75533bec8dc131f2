/*
 * hosts.h - bh-hosts' modules: the mergeable distributions and count
 * lists (hosts-dist.c), the table of remote parties with the intake of
 * records and of earlier outputs (hosts-agg.c), the output
 * (hosts-out.c), and one run with its options and the record loop's
 * callbacks (hosts-run.c).
 */
#ifndef BH_HOSTS_H
#define BH_HOSTS_H

#define HOSTS_DEF_MAX	1000000UL	/* remote parties (-N) */
#define HOSTS_MAXTEXT	65536		/* distinct role and OS texts */
#define HOSTS_DEF_TOL	2		/* hops apart before hops-spread */
#define HOSTS_RECENT	8		/* text ids kept per column */

/*
 * The RTT buckets (bh-hosts(1) "RTT"): a value v in microseconds below
 * 2^10 is its own bucket; above, 64 buckets per power of two, so that a
 * bucket's lower edge is less than 1/64 of it below every value in it.
 * The largest value of the stream (BH_USEC_MAX < 2^60) lands in bucket
 * 4223.
 */
#define HOSTS_EXACT_BITS	10
#define HOSTS_SUB_BITS		6

/* A count per key (a value or a text id), sorted by key. */
struct hosts_cnt {
	uint32_t	 key;
	uint64_t	 n;
};

/* An RTT bucket: its samples and the least of them (µs). */
struct hosts_bkt {
	uint32_t	 key;
	uint64_t	 n;
	int64_t		 least;
};

/* Most lists hold one item: it lives in the list itself (v points to
 * one), and only a second makes an array. */
struct hosts_list {
	struct hosts_cnt *v;
	uint32_t	  n, cap;
	struct hosts_cnt  one;
};

struct hosts_blist {
	struct hosts_bkt *v;
	uint32_t	  n, cap;
	struct hosts_bkt  one;
};

/* One RTT method toward a party: a sample per session. */
struct hosts_rtt {
	uint64_t	 n;
	int64_t		 min, max;	/* µs, valid when n > 0 */
	struct hosts_blist b;		/* buckets, in order */
};

enum { HM_HS, HM_DATA, HM_TS, HM_N };	/* the methods, in output order */

struct hosts_host {
	char		*local, *remote;	/* as written; local NULL
						 * unless per pair */
	char		 buf[16];		/* remote, when it fits (an
						 * IPv4 address does) */
	uint64_t	 sessions;
	int64_t		 first, last;		/* µs */
	struct hosts_list roles, ttl_init, hops, os_ttl, os_sig;
	uint64_t	 os_conflict_n;
	struct hosts_rtt *rtt[HM_N];		/* NULL: no sample yet */
};

/* A slot: the high half of the party's hash and its index + 1 (0: an
 * empty slot). */
struct hosts_slot {
	uint32_t	 tag;
	uint32_t	 idx;
};
#define HOSTS_SLAB	1024	/* parties and RTT methods per allocation */
/* Party i of the table. */
#define HOST(h, i)	(&(h)->slab[(i) / HOSTS_SLAB][(i) % HOSTS_SLAB])

/* Interned texts (roles, OS labels) in their list-item form. */
struct hosts_texts {
	char		**s;
	uint64_t	 *h;
	size_t		  n, cap;
	uint32_t	 *slot;		/* open addressing: id + 1, 0 empty */
	size_t		  nslot;
};

/*
 * A session read and waiting for its party's row.  The rows of a large
 * table are far apart in memory, and every record touches one at
 * random: the records wait in a queue of HOSTS_QUEUE while the slot and
 * then the row of each are fetched ahead (about half of the time
 * otherwise, bench/README.md).  Addresses longer than HOSTS_KEYMAX - 1
 * bytes skip the queue.
 */
#define HOSTS_QUEUE	16
#define HOSTS_KEYMAX	48

struct hosts_item {
	uint64_t	 hash;
	const char	*remote, *local;	/* rbuf, lbuf or the record's */
	int64_t		 ts, end;		/* end: INT64_MIN none */
	int64_t		 rtt[HM_N];
	long		 id[3];			/* phase, OS, signature */
	uint8_t		 hts, hinit, hhops, hrtt[HM_N], conflict;
	uint8_t		 init, hops;
	char		 rbuf[HOSTS_KEYMAX], lbuf[HOSTS_KEYMAX];
};

/* The input columns a run reads (-1 absent). */
enum { HC_TS, HC_DUR, HC_DIR, HC_OIP, HC_RIP, HC_PHASE, HC_INIT, HC_HOPS,
	HC_OS, HC_OSSIG, HC_NOTE, HC_HS, HC_DATA, HC_OTS, HC_RTS, HC_N };

struct hosts {
	/* options */
	int		  pair;		/* -l: per local/remote pair */
	int		  merge;	/* --merge */
	unsigned long	  max;		/* -N */
	unsigned long	  tol;		/* -t */
	/* the table: open addressing over the parties, which are
	 * allocated HOSTS_SLAB at a time */
	struct hosts_slot *slot;
	size_t		  nslot, n;
	struct hosts_host **slab;
	size_t		  nslab;
	struct hosts_rtt **rslab;	/* the RTT methods in use */
	size_t		  nrslab, nrtt;
	struct hosts_texts texts;
	long		  recent[3][HOSTS_RECENT];	/* the last text ids
					 * of phase, OS and signature, the
					 * latest first; -1 none */
	/* the run */
	FILE		 *fp;
	struct bh_writer  out;
	int		  col[HC_N];
	int		 *mcol;		/* --merge: input column per output */
	int		  header, fatal, full;
	uint64_t	  nolocal;	/* records with no remote party */
	uint32_t	 *rank;		/* output: each text's byte order */
	char		 *row;		/* the row being written */
	size_t		  rlen, rcap;
	struct hosts_item q[HOSTS_QUEUE];	/* the sessions waiting */
	char		 *kbuf[2];	/* a key rewritten (key_of) */
	size_t		  kcap[2];
	unsigned	  qhead, qn;
};

/* ---- hosts-dist.c --------------------------------------------------- */

/* The bucket of v (0 <= v <= BH_USEC_MAX). */
uint32_t hosts_bucket(int64_t v);
/* Add n to key's count (kept sorted). */
void	 hosts_list_add(struct hosts_list *l, uint32_t key, uint64_t n);
void	 hosts_list_free(struct hosts_list *l);
void	 hosts_blist_free(struct hosts_blist *l);
uint64_t hosts_list_total(const struct hosts_list *l);
/* n samples into an RTT method, the least of them v. */
void	 hosts_rtt_add(struct hosts_rtt *m, int64_t v, uint64_t n);
/* The p = num/den quantile (num <= den <= 1000) read from the buckets:
 * the smallest sample of the first bucket whose cumulative count
 * reaches p of the samples (Hyndman and Fan's type 1 over buckets). */
int64_t	 hosts_rtt_quantile(const struct hosts_rtt *m, uint64_t num,
	    uint64_t den);
/* The text id of s (list-item form), interning it; -1 beyond
 * HOSTS_MAXTEXT texts. */
long	 hosts_text_id(struct hosts_texts *t, const char *s, size_t n);
void	 hosts_texts_free(struct hosts_texts *t);

/* ---- hosts-agg.c ---------------------------------------------------- */

void	 hosts_init(struct hosts *h, FILE *fp);
/* The output columns (with local_ip first when per pair). */
const char *const *hosts_columns(int pair, size_t *n);
/* Find the input columns; 0, or -1 after reporting (exit 2). */
int	 hosts_open(struct hosts *h, struct bh_reader *r);
/* A record into the table: 0; -1 fatal (cap, texts) after reporting;
 * a bad record is reported and skipped (0). */
int	 hosts_add_record(struct hosts *h, struct bh_reader *r);
/* --merge: the header must be bh-hosts' own. */
int	 hosts_merge_open(struct hosts *h, struct bh_reader *r);
int	 hosts_merge_record(struct hosts *h, struct bh_reader *r);
/* The end of the input: the sessions still waiting go into their rows;
 * 0, or -1 past -N (reported, h->fatal set). */
int	 hosts_finish(struct hosts *h);
void	 hosts_free(struct hosts *h);

/* ---- hosts-out.c ---------------------------------------------------- */

/* Write the rows, sorted (after hosts_finish); 0 or -1. */
int	 hosts_output(struct hosts *h);

/* ---- hosts-run.c ---------------------------------------------------- */

#define HOSTS_SHORTOPTS	"lN:t:"
#define HOSTS_OPT_MERGE	0x200
#define HOSTS_USAGE	3		/* hosts_option: a usage error */
extern const struct bh_opt_long hosts_longopts[];
/* One option: 0, HOSTS_USAGE, or -1 after reporting a bad value. */
int	 hosts_option(struct hosts *h, int ch, const char *arg);
void	 hosts_loop(struct hosts *h, struct bh_loop *l);

#endif
