/*
 * sessions.h - bh-sessions' modules: sessions-out.c (a session to its
 * record, the local networks), sessions-read.c (captures to sessions)
 * and sessions-unzip.c (compressed captures).
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
	uint64_t	 records;	/* written */
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
	const char	*filter;	/* -f: a pcap-filter(7) expression */
	uint64_t	 packets;	/* read, of the files done (matching the
					   filter or not) */
	uint64_t	 filtered;	/* not matching it */
	uint64_t	 unzip_max;	/* unzip_new()'s max_out (0: none) */
	struct live	*live;		/* -i: sessions-live.c's capture */
	int		 is_live;	/* -i: the filter runs in the kernel */
	struct progress	*progress;	/* sessions-progress.c's line, or NULL */
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
/* Whether expr compiles as a pcap-filter(7) expression (for Ethernet,
 * before any capture is open); else reports libpcap's message, exit 2. */
void	sessions_filter_check(const char *expr);
struct pcap_pkthdr;		/* libpcap's packet header */
/* Packet n of the capture name (link type dlt) into r->table, or counted
 * as skipped; *first is set for the first packet of a file, and cleared.
 * 0, or -1 when --strict or files out of time order end the run. */
int	sessions_packet(struct run *r, const char *name, int dlt,
	    const struct pcap_pkthdr *h, const unsigned char *data,
	    uint64_t n, int *first);
/* The end-of-run summary on stderr. */
void	sessions_summary(const struct run *r, const struct bh_flow_stats *fs,
	    uint32_t max_live);

/* ---- sessions-progress.c: the progress line on a terminal ---- */

/* Start it when stderr is a terminal and all n files are regular
 * ("-": stdin); records: the count of records written, for the live
 * sessions. */
void	sessions_progress_start(struct run *r, char **files, int n,
	    const uint64_t *records);
/* Redraw (at most four times a second) at pos bytes and packets into
 * this file. */
void	sessions_progress_tick(struct run *r, uint64_t pos, uint64_t packets);
/* A file of so many bytes was read. */
void	sessions_progress_file_done(struct run *r, uint64_t bytes);
/* Take the line off the terminal (before a message); _end for good. */
void	sessions_progress_erase(struct run *r);
void	sessions_progress_end(struct run *r);

/* ---- sessions-live.c: a live capture ---- */

/* Open the capture on iface (-i) for r->table, with a kernel buffer of
 * buffer_kib KiB (0: libpcap's default) and r->filter: 0, or -1 after
 * reporting why not (CAP_NET_RAW, no such interface, the filter). */
int	sessions_live_open(struct run *r, const char *iface, int buffer_kib);
/* Capture until SIGINT, SIGTERM or SIGHUP, flushing stdout after each
 * batch of packets; the drop counts on stderr at the end.  0, or -1
 * when --strict ended it (reported). */
int	sessions_live_run(struct run *r);

/* ---- sessions-unzip.c: compressed captures ---- */

#define UNZIP_NONE	0
#define UNZIP_GZIP	1
#define UNZIP_XZ	2
#define UNZIP_ZSTD	3
#define UNZIP_BZIP2	4
struct unzip;
/* Whether a stream whose first byte is c may be compressed (no capture
 * format starts with these bytes). */
int	unzip_maybe(int c);
/* "gzip", "xz", "zstd", "bzip2". */
const char *unzip_name(int kind);
/* A decoder of the stream in, after reading its first bytes: NULL when
 * they are no format's magic (*kind UNZIP_NONE) or on a read error or
 * no memory (*kind -1, errno set).  max_out: when not 0, no more bytes
 * than that come out (the fuzz target's bound on a decompression bomb). */
struct unzip *unzip_new(FILE *in, uint64_t max_out, int *kind);
/* Up to n decompressed bytes: how many (0: the end, or a bad archive:
 * unzip_error), or -1 on a read error of the archive (errno). */
long	unzip_read(struct unzip *u, void *buf, size_t n);
/* Why the archive ended early (corrupt, truncated), or NULL. */
const char *unzip_error(const struct unzip *u);
/* The format, UNZIP_*. */
int	unzip_kind(const struct unzip *u);
/* Bytes of the archive used so far. */
uint64_t unzip_in_bytes(const struct unzip *u);
/* Free the decoder (not its input). */
void	unzip_free(struct unzip *u);
/* A stdio stream of the decompressed bytes; closing it frees u and
 * closes its input (but stdin).  NULL on failure (errno). */
FILE	*unzip_fopen(struct unzip *u);

#endif
