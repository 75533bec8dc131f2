/*
 * bh.h - the one internal header of the bh suite, grouped by source file.
 *
 * Everything here is used by two or more tools.  Symbols carry the prefix
 * of the file that defines them (bh_diag_*, bh_rec_*, ...); the x-prefixed
 * allocators succeed or exit, as in toybox.
 */
#ifndef BH_H
#define BH_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define BH_NORETURN	__attribute__((__noreturn__))
#define BH_PRINTF(f, a)	__attribute__((__format__(__printf__, f, a)))
#else
#define BH_NORETURN
#define BH_PRINTF(f, a)
#endif

/* Exit codes, the same for every tool (bh(7) EXIT STATUS). */
#define BH_EXIT_OK	0	/* success */
#define BH_EXIT_BAD	1	/* completed, some input was bad and reported */
#define BH_EXIT_FATAL	2	/* usage, missing column, I/O, memory */

/* ---- diag.c: diagnostics and allocation ---------------------------- */

/* Set by bh_diag_init() from argv[0] (basename), used as message prefix. */
extern const char *bh_progname;

/* Call first in main(): sets bh_progname, SIGPIPE to its default action
 * (a closed pipe ends the tool quietly) and the C locale for numbers. */
void	bh_diag_init(const char *argv0);
/* "bh-TOOL: message" */
void	bh_warnx(const char *fmt, ...) BH_PRINTF(1, 2);
/* "bh-TOOL: message: strerror(errno)" */
void	bh_warn(const char *fmt, ...) BH_PRINTF(1, 2);
/* "bh-TOOL: file:line: message"; line 0 omits it, file NULL omits both */
void	bh_warnx_at(const char *file, unsigned long line, const char *fmt, ...)
	    BH_PRINTF(3, 4);
void	bh_vwarnx_at(const char *file, unsigned long line, const char *fmt,
	    va_list ap);
/* Print as bh_warnx / bh_warn and exit with code. */
void	bh_errx(int code, const char *fmt, ...) BH_NORETURN BH_PRINTF(2, 3);
void	bh_err(int code, const char *fmt, ...) BH_NORETURN BH_PRINTF(2, 3);
/* Flush and close stdout; a write error is fatal (exit 2).  Returns
 * status unchanged so a tool can end with return bh_fshut(status). */
int	bh_fshut(int status);

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t n);
/* realloc for n elements of size, overflow-checked */
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);

/* ---- opt.c: the options every tool shares --------------------------- */

/* A tool's own long option; a list of them ends with a NULL name. */
struct bh_opt_long {
	const char	*name;
	int		 has_arg;	/* 0 none, 1 required */
	int		 val;		/* returned by bh_opt_next */
};

struct option;			/* <getopt.h> */
struct bh_opt {
	int		  argc;
	char		**argv;
	char		 *shorts;	/* getopt string (private) */
	struct option	 *longs;	/* (private) */
	int		  strict;	/* --strict was given */
	char		 *arg;		/* the current option's argument */
	int		  ind;		/* at -1: argv[ind] is the first operand */
};

/* What bh_opt_next returns besides the tool's own options (values no
 * option character has). */
#define BH_OPT_HELP	0x100	/* -h, --help */
#define BH_OPT_VERSION	0x101	/* --version */
#define BH_OPT_BAD	0x102	/* reported: unknown, missing argument */
#define BH_OPT_STRICT	0x103	/* (handled inside) */

/* Parse argv with the tool's short options (getopt syntax) and long ones
 * (NULL: none), plus -h, --help, --version and --strict. */
void	bh_opt_init(struct bh_opt *o, int argc, char **argv,
	    const char *shorts, const struct bh_opt_long *longs);
/*
 * The next option: the tool's option character (or long option val) with
 * o->arg set; BH_OPT_HELP, BH_OPT_VERSION; BH_OPT_BAD after reporting an
 * unknown option, a missing argument, or an argument that is itself one
 * of the long options (`bh-cut -f --strict x`); -1 at the end, with the
 * operands from argv[o->ind].  --strict sets o->strict and is not
 * returned.
 */
int	bh_opt_next(struct bh_opt *o);
/* What bh_opt_init allocated, freed (done by bh_opt_next at the end of
 * the options; a caller that stops before calls it). */
void	bh_opt_free(struct bh_opt *o);
/* The default case of every tool's option switch: HELP prints
 * usage(stdout, 1) and exits 0; VERSION prints "bh-TOOL bh VERSION" and
 * exits 0; anything else prints usage(stderr, 0) and exits 2. */
void	bh_opt_end(int ch, void (*usage)(FILE *fp, int full)) BH_NORETURN;

/* ---- num.c: strict number parsing and the fixed formats ------------- */

/* Strict parsers: the whole string must be a number in range; no sign
 * where none makes sense, no spaces, no empty string.  Return 0 on
 * success, -1 on any error (value untouched). */
int	bh_parse_u64(const char *s, uint64_t *v);
int	bh_parse_i64(const char *s, int64_t *v);
int	bh_parse_uint(const char *s, unsigned long max, unsigned long *v);
int	bh_parse_double(const char *s, double *v);
/* Decimal seconds ("1262304000.123456", up to 9 decimals, rounded to the
 * microsecond) to integer microseconds; negative values allowed. */
int	bh_parse_usec(const char *s, int64_t *usec);
/* The largest time, duration or RTT a record may carry, in usec (10^12
 * s, 31700 years): sums and differences of two stay inside int64_t. */
#define BH_USEC_MAX	1000000000000000000LL
/* Decimal milliseconds ("90.000") to integer microseconds. */
int	bh_parse_ms_usec(const char *s, int64_t *usec);
/* Duration with an optional unit: "300", "300s", "5m", "1h", "250ms". */
int	bh_parse_duration(const char *s, int64_t *usec);

/* Fixed formats into buf (at least BH_NUMBUF bytes); return length. */
#define BH_NUMBUF 32
/* seconds with exactly 6 decimals: "1262304000.123456" */
int	bh_fmt_usec_s(char *buf, int64_t usec);
/* milliseconds with exactly 3 decimals: "90.000" */
int	bh_fmt_usec_ms(char *buf, int64_t usec);
int	bh_fmt_u64(char *buf, uint64_t v);
int	bh_fmt_i64(char *buf, int64_t v);

/* MurmurHash3's 64-bit finalizer (fmix64): a bijection on 64 bits whose
 * every input bit changes each output bit with probability about 1/2. */
uint64_t bh_mix64(uint64_t x);

/* ---- escape.c: the field escaping of bh(7) -------------------------- */

/* The value of a hex digit, or -1. */
int	bh_hexval(int c);

/* Escape n bytes of src into dst (room for 4*n+5 bytes); NUL-terminates,
 * returns the length.  `\\ \t \n \r`, `\xHH` for other bytes < 0x20,
 * 0x7f and >= 0x80; a value that is exactly "-" becomes "\x2d"; the
 * empty value stays empty. */
size_t	bh_escape(char *dst, const unsigned char *src, size_t n);
/* Like bh_escape, for an item of a list field (bh(7)): a comma is
 * written \x2c and a lone "-" stays itself.  dst needs 4 * n + 1. */
size_t	bh_escape_item(char *dst, const unsigned char *src, size_t n);
/* The escaped text s[0..len) in list-item form, NUL-terminated: a comma
 * becomes \x2c (bh(7) lists); dst needs 4 * len + 1 bytes. */
size_t	bh_item_text(char *dst, const char *s, size_t len);
/* Like bh_escape, but writes at most cap bytes (excluding the NUL) and
 * never splits an escape sequence; *used reports how many source bytes
 * were consumed. */
size_t	bh_escape_bounded(char *dst, size_t cap, const unsigned char *src,
	    size_t n, size_t *used);
/* XML character data / attribute text to f: markup escaped, any byte
 * that is not printable ASCII shown as \xHH (the SVG writers). */
void	bh_xml_str(FILE *f, const char *s);
/* Inverse: unescape src (NUL-terminated) into dst (room for strlen(src)
 * + 1 bytes).  Returns the decoded length, or -1 on a malformed escape. */
long	bh_unescape(unsigned char *dst, const char *src);
/* Move *i, a position in the escaped text t, past the escapes of n raw
 * bytes; -1 (and *i unchanged) when t holds fewer or a malformed one. */
int	bh_escaped_skip(const char *t, size_t *i, size_t n);
/* An evidence item that names bytes of the head instead of holding them
 * (bh-sessions(1): "mOFFSET/LENGTH", NUL-terminated): 0 and its offset
 * and length (1 to BH_EV_ITEM, a message item's most), or -1 when item
 * is not one. */
int	bh_ev_ref(const char *item, uint32_t *off, uint32_t *len);

/*
 * Stream I/O sizes: records are read and written in chunks of
 * BH_IO_CHUNK bytes, and a pipe on stdin or stdout is given BH_PIPE_SIZE
 * bytes (Linux).  Measured on the benchmark pipeline (bench/RESULTS.md):
 * with five stages on two cores, chunks of 64 KiB keep every stage busy
 * sooner than 256 KiB or 1 MiB (1.34x against 1.7x and 2.1x bh-sessions'
 * time), and pipes larger than the chunks only add switches.
 */
#ifndef BH_IO_CHUNK
#define BH_IO_CHUNK	(64 * 1024)
#endif
#ifndef BH_PIPE_SIZE
#define BH_PIPE_SIZE	(256 * 1024)
#endif

/* ---- record.c: the record stream ------------------------------------ */

/*
 * A reader walks the operands (or stdin) as one stream: the first line of
 * each file must be the header (comments may come before it); a later line
 * equal to the header is skipped; other '#' lines are comments.  Fields
 * are split in place (TABs replaced by NULs).
 */
struct bh_reader {
	char		**files;	/* operands; NULL/empty = stdin */
	int		  nfiles;
	int		  cur;		/* index of the open file */
	FILE		 *fp;
	const char	 *name;		/* file name for messages ("-" = stdin) */
	unsigned long	  lineno;
	char		 *buf;		/* input buffer */
	size_t		  bufcap, bufpos, buflen;
	int		  eof;
	int		  read_errno;	/* of a failed read(2) */
	char		 *line;		/* current line (NUL-terminated) */
	size_t		  linelen;
	char		 *hdr;		/* header line as read, without LF */
	size_t		  hdrlen;
	char		**col;		/* column names (into hdr copy) */
	size_t		  ncol;
	char		**f;		/* fields of the current record;
					 * f[ncol]: one past its last NUL */
	size_t		  nf;
	int		  infile_header;/* header of the current file seen */
	int		  status;	/* worst exit status so far */
	unsigned long	  nskipped;	/* records skipped as bad */
	unsigned long	  nwarned;	/* records kept, a part not read */
	int		  warn_cur;	/* the last of them: file, */
	unsigned long	  warn_line;	/* line */
	int		  strict;	/* first bad record is fatal */
	int		  stop;		/* a fatal problem ended the reading */
};

/* Whether s[0..n-1] is a column name: [a-z0-9_]+ (bh(7)). */
int	bh_rec_name_ok(const char *s, size_t n);
/* Index of the named column, or -1. */
int	bh_rec_col(const struct bh_reader *r, const char *name);
/* Index of the named column, or -1 after reporting it missing (status
 * 2: the caller ends the run). */
int	bh_rec_need(struct bh_reader *r, const char *name);
/* Report a bad record (file:line: message), count it, and make the run
 * end with exit 1 (with strict: status 2 and the reading ends). */
void	bh_rec_bad(struct bh_reader *r, const char *fmt, ...) BH_PRINTF(2, 3);
/* Report a record kept with a part of it not read (a value the tool
 * cannot use but can do without), count it, and make the run end as
 * bh_rec_bad does; the end of the run says how many. */
void	bh_rec_warn(struct bh_reader *r, const char *fmt, ...) BH_PRINTF(2, 3);

/*
 * The record loop every filter shares (after mblaze's blaze822_loop).
 * header: once, after the header is read (find the columns, start the
 * writer); record: each record (r->f); comment: each comment line,
 * without its LF, those before the header too (NULL: dropped).  Each
 * returns 0; -1 after reporting a fatal problem, which ends the run with
 * exit status 2; record may return 1 to end the reading there, the
 * status unchanged (jq's halt).
 */
struct bh_loop {
	int	(*header)(void *arg, struct bh_reader *r);
	int	(*record)(void *arg, struct bh_reader *r);
	int	(*comment)(void *arg, const char *line, size_t len);
	void	 *arg;
};
/* Read the operands argv[0..argc-1] (none or "-": stdin) as one stream
 * through l, with --strict if strict, into the caller's r (valid inside
 * the callbacks), then close and free it.  Returns the exit status: 0;
 * 1 when bad records were reported and skipped or read in part; 2
 * when the input had no header, a file could not be read, a callback
 * failed or strict ended the run.  Empty input calls nothing and returns
 * 0.  Afterwards r->stop tells whether the reading ended early (--strict, a header that
 * differs, a callback's -1) rather than at the end of the input. */
int	bh_rec_loop(struct bh_reader *r, int argc, char **argv, int strict,
	    const struct bh_loop *l);

/*
 * Typed fields of the current record.  Each returns 1 when the value of
 * column c is set and parsed into *v, 0 when it is `-` or the column is
 * absent (c < 0; *v untouched), and -1 after reporting a bad value as
 * "file:line: COL: bad WHAT 'value'; record skipped" (bh_rec_bad: the
 * caller skips the record).  Counts are "count", times "timestamp"
 * (seconds to us), RTTs "RTT" (ms to us, >= 0).
 */
int	bh_rec_get_u64(struct bh_reader *r, int c, uint64_t *v);
int	bh_rec_get_uint(struct bh_reader *r, int c, unsigned long max,
	    const char *what, unsigned long *v);
int	bh_rec_get_usec(struct bh_reader *r, int c, int64_t *usec);
int	bh_rec_get_ms(struct bh_reader *r, int c, int64_t *usec);
/* The dir column (absent = `-`): one of BH_DIR_*, or -1 after reporting
 * a value that is none of `- in out local ext`. */
enum { BH_DIR_NONE, BH_DIR_IN, BH_DIR_OUT, BH_DIR_LOCAL, BH_DIR_EXT };
int	bh_rec_get_dir(struct bh_reader *r, int c);
/* A field for a diagnostic: escaped and cut to a readable length (static
 * buffer, valid until the next call). */
const char *bh_rec_shown(const char *v);

/*
 * A writer holds the output layout: the input columns in order, then the
 * columns the tool owns.  An owned column that is already in the input is
 * replaced in place (re-running a filter does not duplicate columns).
 */
struct bh_wr_seg {
	size_t		  first, last;	/* input columns */
	int		  owner;	/* owned index, or -1: pass through */
};

struct bh_writer {
	FILE		 *fp;
	char *const	 *cols;		/* input column names */
	const char *const *owned;	/* owned column names */
	size_t		  nin;		/* input columns */
	size_t		  nown;		/* owned columns */
	int		 *own_at;	/* output position of owned column i */
	int		 *in_owner;	/* per input column: owned index, -1,
					 * or BH_WR_DROP */
	size_t		  nout;
	struct bh_wr_seg *seg;		/* the input columns as segments */
	size_t		  nseg;
	size_t		 *vlen;		/* lengths of the owned values */
	int		  mem;		/* memory writer: grows, never flushed */
	char		 *obuf;		/* output buffer */
	size_t		  olen, ocap;
};

/* Lay out the output: the input columns cols[0..ncol-1] (pass through)
 * and the owned ones (appended, or in place of an input column of the
 * same name).  The writer keeps both pointers. */
void	bh_wr_start(struct bh_writer *w, FILE *fp, char *const *cols,
	    size_t ncol, const char *const *owned, size_t nowned);
/* Leave input column c out of the output (before the header is
 * written); the column must not be an owned one. */
#define BH_WR_DROP	(-2)
void	bh_wr_drop(struct bh_writer *w, int c);
/* A memory writer with the layout of another: what it is given stays in
 * its growing buffer (obuf, olen) for the caller to take; never flushed. */
void	bh_wr_init_mem(struct bh_writer *w, const struct bh_writer *like);
/* Write the header line. */
void	bh_wr_names(struct bh_writer *w);
/* Write a record: the input fields f[0..ncol-1], laid out as the reader
 * splits them (one buffer, each field ended by one NUL, and f[ncol] one
 * past the last NUL), and the owned values val[0..nown-1] (NULL: "-"). */
void	bh_wr_fields(struct bh_writer *w, char *const *f,
	    const char *const *val);
/* A comment line (without its LF) as it comes: through w once it is
 * started, straight to fp before (w zeroed: a comment before the header,
 * when nothing is laid out yet). */
void	bh_wr_comment(struct bh_writer *w, FILE *fp, const char *s, size_t n);
/* Write a line verbatim (comments) followed by LF. */
void	bh_wr_line(struct bh_writer *w, const char *s, size_t n);
/* Append raw bytes to the output buffer / flush it to fp (exit 2 on a
 * write error). */
void	bh_wr_raw(struct bh_writer *w, const char *s, size_t n);
void	bh_wr_flush(struct bh_writer *w);
/* Flush and free; a zeroed writer (never started) is left alone. */
void	bh_wr_free(struct bh_writer *w);

/* A value is "unset" when it is exactly "-". */
#define BH_UNSET(s)	((s)[0] == '-' && (s)[1] == '\0')

/* ---- the numbers of the wire, for pkt.c, pktbuild.c and flow.c ------ */

/*
 * Link types: the DLT_ values pcap_datalink() returns, which are the
 * LINKTYPE_ values of a file header (tcpdump.org linktypes) except for
 * raw IP: DLT_RAW is 12 (14 on BSD/OS) where the file says LINKTYPE_RAW
 * (101).  bh_pb_open() writes LINKTYPE_ values; bh_pkt_decode() reads
 * both.
 */
#define BH_DLT_NULL		0	/* BSD loopback, host-order AF */
#define BH_DLT_EN10MB		1	/* Ethernet */
#define BH_DLT_RAW12		12	/* DLT_RAW */
#define BH_DLT_RAW14		14	/* DLT_RAW on BSD/OS */
#define BH_DLT_RAW		101	/* LINKTYPE_RAW: raw IPv4/IPv6 */
#define BH_DLT_LOOP		108	/* OpenBSD loopback, big-endian AF */
#define BH_DLT_LINUX_SLL	113
#define BH_DLT_IPV4		228
#define BH_DLT_IPV6		229
#define BH_DLT_LINUX_SLL2	276

/* IP protocol numbers (IANA). */
#define BH_IPPROTO_ICMP		1
#define BH_IPPROTO_TCP		6
#define BH_IPPROTO_UDP		17
#define BH_IPPROTO_ICMP6	58

/* TCP flag bits as in the header (RFC 9293, RFC 3168). */
#define BH_TH_FIN	0x01
#define BH_TH_SYN	0x02
#define BH_TH_RST	0x04
#define BH_TH_PUSH	0x08
#define BH_TH_ACK	0x10
#define BH_TH_URG	0x20
#define BH_TH_ECE	0x40
#define BH_TH_CWR	0x80

/* ---- pktbuild.c: pcap/pcapng writer and frame builder --------------- */

/* A buffer of this size holds any frame bh_pb_build() makes. */
#define BH_PB_MAXFRAME		(65536 + 256)
#define BH_PB_MAXVLAN		4

/* An open output file; bh_pb_open() fills it. */
struct bh_pb_writer {
	FILE		*fp;
	int		 pcapng;	/* 0 pcap, 1 pcapng */
	int		 nsec;		/* nanosecond timestamps */
	uint32_t	 linktype;
	uint32_t	 snaplen;
};

/* Write the file header (pcap global header, or pcapng SHB + IDB).
 * Files are little-endian on every host.  0, or -1 on a write error. */
int	bh_pb_open(struct bh_pb_writer *w, FILE *fp, int pcapng,
	    uint32_t linktype, uint32_t snaplen, int nsec);
/* Write a record with header caplen/len as given, followed by exactly
 * caplen bytes (frame[0..n-1] cut or zero-padded): hostile values stay
 * well framed.  ts_ns: nanoseconds since the epoch.  0, or -1. */
int	bh_pb_write(struct bh_pb_writer *w, uint64_t ts_ns,
	    const unsigned char *frame, size_t n, uint32_t caplen, uint32_t len);
/* The usual record: caplen = min(n, snaplen), len = n. */
int	bh_pb_write_frame(struct bh_pb_writer *w, uint64_t ts_ns,
	    const unsigned char *frame, size_t n);

/*
 * One packet for bh_pb_build().  Zero it, then set what matters; the
 * hostile overrides iplen/ihl/doff and wscale are "unset" at -1, so set
 * them to -1 unless wanted.  Addresses are in network order (4 or 16
 * bytes).  af 0 means a non-IP frame: ethertype + payload as the body.
 */
#define BH_PB_MAXOPT	20	/* option kinds of an explicit layout */

struct bh_pb_pkt {
	uint32_t	 linktype;	/* BH_DLT_* (LINKTYPE_ values) */
	int		 nvlan;		/* 802.1Q tags, outer first */
	uint16_t	 vlan[BH_PB_MAXVLAN];
	uint16_t	 qinq_tpid;	/* outer TPID with >= 2 tags (0x88a8) */
	uint8_t		 sll_pkttype;	/* SLL/SLL2 packet type (0 = host) */
	int		 macs;		/* use smac/dmac, else derive from IPs */
	unsigned char	 smac[6], dmac[6];
	uint16_t	 ethertype;	/* af == 0 only */
	int		 af;		/* 4, 6, or 0 for non-IP */
	unsigned char	 src[16], dst[16];
	uint8_t		 ttl;		/* TTL / hop limit */
	uint32_t	 ipid;		/* IPv4 id (16 bits) / IPv6 frag id */
	int		 df, mf;
	uint32_t	 fragoff;	/* bytes, multiple of 8 */
	int		 hbh, dstopt;	/* IPv6 extension headers */
	int		 v6frag;	/* IPv6 fragment header (implied by
					   fragoff or mf on IPv6) */
	uint8_t		 proto;		/* IP protocol / next header */
	int		 noxport;	/* no transport header, whatever proto */
	uint16_t	 sport, dport;
	uint8_t		 tcpflags;	/* BH_TH_* */
	uint32_t	 seq, ack;	/* absolute */
	uint16_t	 win, urp;
	int		 has_mss;
	uint16_t	 mss;
	int		 wscale;	/* -1: no option */
	int		 sackok;
	/* An explicit option layout (kinds in order, 0 = default layout):
	 * the values come from mss, wscale, tsval/tsecr; a SACK block is
	 * empty (length 2 is not valid: 10, one edge pair of zeros). */
	uint8_t		 optlayout[BH_PB_MAXOPT];
	int		 optn;
	int		 has_ts;
	uint32_t	 tsval, tsecr;
	uint8_t		 icmp_type, icmp_code;
	uint16_t	 icmp_id, icmp_seq;	/* bytes 4..7 of the ICMP header */
	const unsigned char *payload;
	size_t		 paylen;
	long		 iplen;		/* -1, or IPv4 total / IPv6 payload len */
	int		 ihl;		/* -1, or the IPv4 IHL nibble */
	int		 doff;		/* -1, or the TCP data offset nibble */
};

/* Build p's frame into buf (cap bytes) with correct checksums; no
 * allocation.  Returns the frame length, or 0 when the link type cannot
 * carry the packet or it is too large.  A fragment with offset > 0
 * carries only payload (no transport header). */
size_t	bh_pb_build(unsigned char *buf, size_t cap, const struct bh_pb_pkt *p);
/* 02:00:a.b.c.d for IPv4, 02:06 + last 4 bytes for IPv6. */
void	bh_pb_mac_from_ip(unsigned char mac[6], int af,
	    const unsigned char *addr);

/* ---- pkt.c: bounds-checked packet decoding ---------------------------- */

#define BH_PKT_MAX_VLAN		8	/* 802.1Q/802.1ad tags followed */
#define BH_PKT_MAX_EXTHDR	8	/* IPv6 extension headers walked */

/* Why a packet did not decode; BH_PKT_OK (0) when it did.  Keep
 * bh_pkt_reason() in step. */
enum bh_pkt_status {
	BH_PKT_OK = 0,
	BH_PKT_LINKTYPE,	/* link type not supported */
	BH_PKT_SHORT_LINK,	/* cut inside the link header */
	BH_PKT_VLAN_DEPTH,	/* more than BH_PKT_MAX_VLAN tags */
	BH_PKT_NOT_IP,		/* ARP, LLC, ...: no IP inside */
	BH_PKT_SHORT_IP,	/* cut inside the IP header */
	BH_PKT_BAD_IP,		/* version, header length or total length */
	BH_PKT_EXT_DEPTH,	/* IPv6 extension chain too long */
	BH_PKT_SHORT_L4,	/* cut inside the TCP/UDP header */
	BH_PKT_BAD_L4,		/* TCP data offset or length impossible */
	BH_PKT_NSTATUS
};

/*
 * One decoded packet.  Everything is copied out of the frame in host
 * order, except payload, which points into it (payload_cap bytes were
 * captured of payload_len on the wire).  Addresses are 16 bytes; IPv4
 * uses the first 4 and zeroes the rest.
 */
struct bh_pkt {
	uint8_t		 af;		/* 4 or 6 */
	uint8_t		 proto;		/* transport protocol (after ext hdrs) */
	uint8_t		 ttl;		/* TTL / hop limit */
	uint8_t		 vlan_n;	/* 802.1Q/ad tags seen */
	uint8_t		 frag;		/* 0 whole, 1 first fragment, 2 later */
	uint8_t		 tcp_flags;
	uint8_t		 has_ts;	/* TCP timestamp option present */
	uint8_t		 icmp_type, icmp_code;
	uint16_t	 sport, dport;	/* 0 unless TCP or UDP */
	uint16_t	 win;
	uint32_t	 frag_id;	/* IPv4 id / IPv6 fragment id */
	uint32_t	 seq, ack;
	uint32_t	 tsval, tsecr;
	/* What a SYN's fingerprint reads (lib/tcpfp.c, p0f 3's fields;
	 * the TCP ones are set for a SYN only, 0 otherwise) */
	uint8_t		 ip_tos;	/* IPv4 TOS / IPv6 traffic class */
	uint8_t		 ip_optlen;	/* IPv4 option bytes */
	uint8_t		 ip_fl;		/* IPv4 flags: 0x40 DF, 0x80 MBZ */
	uint8_t		 tcp_x2;	/* TCP's 4 bits after data offset */
	uint32_t	 ip6_flow;	/* IPv6 flow label */
	uint16_t	 tcp_urp;	/* urgent pointer */
	uint8_t		 tcp_optlen;	/* option bytes (header - 20) */
	uint8_t		 tcp_opt_cap;	/* all option bytes were captured */
	const unsigned char *tcp_opt;	/* the options, when captured */
	uint32_t	 ip_len;	/* IP bytes on the wire (header+payload) */
	uint32_t	 payload_len;	/* transport payload bytes per IP length */
	uint32_t	 payload_cap;	/* of which captured */
	const unsigned char *payload;
	unsigned char	 src[16], dst[16];
};

/* True when bh_pkt_decode() reads link type dlt. */
int	bh_pkt_linktype_ok(int dlt);
/* Short name of a link type for messages ("ether", "sll2", ...), or NULL. */
const char *bh_pkt_linktype_name(int dlt);
/*
 * Decode one frame of link type dlt: caplen bytes of data were captured
 * of a frame wirelen bytes long.  A pure function of its arguments: reads
 * no byte outside data[0..caplen-1], allocates nothing.  Fills *out and
 * returns BH_PKT_OK, or returns why the packet cannot be used (out is then
 * partly filled).  Later IP fragments return BH_PKT_OK with frag 2, no
 * ports and the whole IP payload as payload.
 */
enum bh_pkt_status bh_pkt_decode(int dlt, const unsigned char *data,
	    uint32_t caplen, uint32_t wirelen, struct bh_pkt *out);
/* Short name of a status for the skip summary ("not-ip", ...). */
const char *bh_pkt_reason(enum bh_pkt_status st);

/* ---- tcpfp.c: the fingerprint of a SYN or SYN/ACK (p0f 3, MuonFP) ---- */

#define BH_TCPFP_OPTS	24	/* option kinds kept (p0f's MAX_TCP_OPT) */
#define BH_TCPFP_SIGMAX	320	/* a signature's longest text, NUL too */

/* p0f 3's quirks (p0f's README, "quirks"), in its order of printing */
#define BH_TCPFP_DF		0x00001	/* df: IPv4 don't fragment */
#define BH_TCPFP_NZ_ID		0x00002	/* id+: DF and a nonzero IP id */
#define BH_TCPFP_ZERO_ID	0x00004	/* id-: no DF and IP id 0 */
#define BH_TCPFP_ECN		0x00008	/* ecn */
#define BH_TCPFP_NZ_MBZ		0x00010	/* 0+: IPv4's reserved flag */
#define BH_TCPFP_FLOW		0x00020	/* flow: IPv6 flow label */
#define BH_TCPFP_ZERO_SEQ	0x00040	/* seq-: sequence number 0 */
#define BH_TCPFP_NZ_ACK		0x00080	/* ack+: ACK field without ACK */
#define BH_TCPFP_ZERO_ACK	0x00100	/* ack-: ACK flag, field 0 */
#define BH_TCPFP_NZ_URG		0x00200	/* uptr+: urgent ptr without URG */
#define BH_TCPFP_URG		0x00400	/* urgf+ */
#define BH_TCPFP_PUSH		0x00800	/* pushf+ */
#define BH_TCPFP_TS1_ZERO	0x01000	/* ts1-: own timestamp 0 */
#define BH_TCPFP_TS2_NZ		0x02000	/* ts2+: echo nonzero on a SYN */
#define BH_TCPFP_OPT_NZ		0x04000	/* opt+: data after EOL */
#define BH_TCPFP_EXWS		0x08000	/* exws: window scale above 14 */
#define BH_TCPFP_BAD		0x10000	/* bad: malformed options */

struct bh_tcpfp {
	uint8_t		 have, synack, ver, ttl;
	uint8_t		 olen;		/* IPv4 option bytes */
	uint8_t		 ocnt, eol_pad, wscale;
	uint8_t		 pclass, has_mss, has_ws, ts1_nz;
	uint16_t	 mss, win;
	uint16_t	 tot_hdr;	/* IP + TCP header bytes */
	uint32_t	 quirks;	/* BH_TCPFP_* */
	uint8_t		 layout[BH_TCPFP_OPTS];	/* option kinds */
};

/*
 * Take the fingerprint of p, a decoded SYN or SYN/ACK, into *fp.
 * Returns 0, or -1 (fp->have 0) when p is none or p0f would not read
 * it (a fragment, flags beside SYN/ACK/PSH/URG/ECE/CWR, options not
 * captured whole).
 */
int	bh_tcpfp_take(const struct bh_pkt *p, struct bh_tcpfp *fp);
/*
 * Write fp as p0f 3's raw signature (ver:ttl+dist:olen:mss:wsize,scale:
 * olayout:quirks:pclass, the TTL as seen) into buf[n], NUL-terminated;
 * syn_mss is the MSS of the SYN a SYN/ACK answers (0: none).  Returns
 * the length, or -1 when fp has none or n is too small.
 */
int	bh_tcpfp_p0f(const struct bh_tcpfp *fp, unsigned syn_mss, char *buf,
	    size_t n);
/* The same as MuonFP's window:kinds:mss:scale (kinds joined by '-'). */
int	bh_tcpfp_muon(const struct bh_tcpfp *fp, char *buf, size_t n);
/* p0f's name of one quirk bit, or NULL; the bit of a name, or 0. */
const char *bh_tcpfp_quirk_name(uint32_t bit);
uint32_t bh_tcpfp_quirk_bit(const char *name, size_t len);
/* The option kind of a layout name ("mss", "eol+3" setting *eol_pad,
 * "?30"), or -1. */
int	bh_tcpfp_kind(const char *name, size_t len, uint8_t *eol_pad);
/*
 * p0f's reading of the window as a multiple (detect_win_multi): the
 * multiplier, 0 when none, *mtu set when it is of an MTU.
 */
unsigned bh_tcpfp_win_multi(const struct bh_tcpfp *fp, unsigned syn_mss,
	    int *mtu);
/*
 * Read back a fingerprint from a raw signature and the MuonFP string of
 * the same packet (the signature has the window only as a multiple).
 * synack is left 0.  Returns 0, or -1 when either text is malformed.
 */
int	bh_tcpfp_parse(const char *sig, const char *muon,
	    struct bh_tcpfp *fp);

/* ---- evidence.c: the messages of a TCP stream -------------------------- */

#define BH_EV_ITEM	128	/* bytes of a message or line kept */
#define BH_EV_BODY	32	/* HTTP body bytes kept */
#define BH_EV_PEND	384	/* an item in the making */
#define BH_EV_ARENA	768	/* items kept, per side */
/* Items a reader of orig_ev / resp_ev takes from one side: more than an
 * arena holds (an item is 8 bytes or more in it, so 96 at most). */
#define BH_EV_READ	128

struct bh_ev_side {
	uint32_t	 end;		/* stream offset of the next byte */
	uint32_t	 pend_off;	/* where the pending item starts */
	uint32_t	 msg_off, msg_len;	/* the current message */
	uint32_t	 hdr_bytes;	/* HTTP header bytes seen */
	uint16_t	 pend_len, used, kept, dropped;
	uint8_t		 pend_kind;	/* 0, 'm', 'h', 'l' */
	uint8_t		 st, bol, split, hl_len, body;
	unsigned char	 hl[96];	/* an HTTP header line */
	unsigned char	 pend[BH_EV_PEND];
	unsigned char	 arena[BH_EV_ARENA];
};

struct bh_ev {
	struct bh_ev_side side[2];
	uint32_t	 head_max;	/* lines inside the head need no item */
	uint32_t	 next;		/* free-list link of the table's pool */
	int8_t		 last;		/* side of the last new bytes, or -1 */
};

/* Start e for a table whose heads hold head_max bytes. */
void	bh_ev_init(struct bh_ev *e, uint32_t head_max);
/* n bytes of side d at stream offset off (bytes already given are
 * skipped; a hole ends the item in progress); push: the segment had
 * PSH. */
void	bh_ev_data(struct bh_ev *e, int d, uint32_t off,
	    const unsigned char *p, size_t n, int push);
/* The end of the stream: keep the items in progress. */
void	bh_ev_end(struct bh_ev *e);
/* Side d's items as the column bh-sessions(1) describes ("-" when none,
 * e may be NULL) into dst (bh_ev_format_max() + 1 bytes); the length.
 * head: the side's head_len bytes, which an m item it holds names
 * instead of repeating. */
size_t	bh_ev_format(const struct bh_ev *e, int d, const unsigned char *head,
	    size_t head_len, char *dst);
size_t	bh_ev_format_max(void);

/* ---- flow.c: the session table ---------------------------------------- */

#define BH_FLOW_UNSET		INT64_MIN	/* a time not seen */
#define BH_FLOW_NOOFF		UINT32_MAX	/* an offset not seen */
#define BH_FLOW_RTT_SEGS	4	/* outstanding segments kept inline */
#define BH_FLOW_HS_TX		3	/* SYN / SYN-ACK transmissions remembered */
#define BH_FLOW_HISTORY		20	/* history letters kept (with NUL) */
#define BH_FLOW_HEAD_MAX	65536	/* largest head (-s) */

/* Why a session record was emitted (the `end` column). */
enum bh_flow_end {
	BH_END_NONE = 0, BH_END_FIN, BH_END_RST, BH_END_IDLE, BH_END_REUSE,
	BH_END_EVICT, BH_END_EOF
};
/* How the originator was decided (the `orig_by` column). */
enum bh_flow_by { BH_BY_NONE = 0, BH_BY_SYN, BH_BY_SYNACK, BH_BY_FIRST };
/* Zeek's TCP endpoint states (analyzer/protocol/tcp/TCP_Endpoint.h). */
enum bh_flow_tcpstate {
	BH_TCP_INACTIVE = 0, BH_TCP_SYN_SENT, BH_TCP_SYN_ACK_SENT,
	BH_TCP_PARTIAL, BH_TCP_ESTABLISHED, BH_TCP_CLOSED, BH_TCP_RESET
};

/*
 * One side of a session: side[0] is the originator, side[1] the
 * responder.  Times inside are microsecond offsets from the session's
 * first packet (struct bh_flow ts), modulo 2^32 where noted.
 */
struct bh_flow_side {
	uint64_t	 pkts, bytes;	/* packets, transport payload bytes */
	uint64_t	 rtt_sum;	/* data-ACK RTT samples: sum (usec) */
	uint32_t	 ttl_chg;	/* TTL changes packet to packet */
	uint32_t	 rxmit_n, zwin_n, gap_n;	/* for T, W, G letters */
	uint32_t	 start_seq;	/* ISN, or first seq - 1 (Zeek) */
	uint32_t	 last_seq;	/* one past the highest seq sent */
	uint32_t	 acked;		/* highest ack the peer sent us */
	uint32_t	 hist_syn, hist_fin, hist_rst;	/* repeated S/F/R */
	uint32_t	 head_base;	/* sequence number of head byte 0 */
	uint32_t	 head_fill;	/* contiguous head bytes */
	uint32_t	 rtt_n;		/* samples */
	uint32_t	 rtt_min, rtt_max;	/* microseconds */
	uint32_t	 bad_lo, bad_hi;	/* segments ending in (lo, hi]
					   give no sample (Karn) */
	/* Outstanding data segments, oldest first: BH_FLOW_RTT_SEGS
	 * inline, the rest in blocks of the table's shared pool. */
	struct {
		uint32_t end, toff;	/* last byte + 1; sent at (mod 2^32) */
	}		 seg[BH_FLOW_RTT_SEGS];
	uint32_t	 blk_head, blk_tail;	/* overflow blocks, 0 none */
	uint16_t	 blk_n;		/* entries in the blocks */
	uint8_t		 blk_hpos, blk_tpos;
	uint8_t		 seg_first, seg_n;	/* inline ring */
	uint8_t		 ttl_first, ttl_min, ttl_max, ttl_last;
	uint8_t		 state, prev_state;	/* enum bh_flow_tcpstate */
	uint8_t		 fl;		/* BH_SIDE_* */
	uint8_t		 tx_n;		/* tx[] entries in use; bit 7: some
					   transmission was forgotten */
	uint16_t	 hist_seen;	/* Zeek's HIST_* bits, this side */
	/* SYN (orig) or SYN/ACK (resp) transmissions carrying a TSval */
	struct {
		uint32_t tsval, toff;
	}		 tx[BH_FLOW_HS_TX];
	uint32_t	 tx_lost_max;	/* highest TSval forgotten */
	/* TCP-timestamp RTT samples of this side's TSvals (usec); the
	 * median is set when the session ends (lib/flow.c, ts_rtt) */
	uint32_t	 tsr_n, tsr_min, tsr_max, tsr_med;
};
#define BH_SIDE_DID_CLOSE	0x01	/* Zeek: this side closed (FIN/RST) */
#define BH_SIDE_HEAD_OK		0x02	/* head_base known */
#define BH_SIDE_HEAD_OOO	0x04	/* head bytes stored past head_fill */
#define BH_SIDE_ACKED_OK	0x08	/* acked valid */
#define BH_SIDE_BAD_OK		0x10	/* bad_lo/bad_hi valid */

struct bh_flow {
	uint64_t	 id;		/* 1, 2, ... in order of first packet */
	int64_t		 ts;		/* first packet */
	int64_t		 dur_end;	/* last packet before both sides
					   closed (Zeek's duration) */
	int64_t		 idle;		/* table clock at the last packet */
	uint32_t	 syn_off, synack_off, ack_off;	/* or BH_FLOW_NOOFF */
	uint32_t	 syn_n, synack_n;
	uint32_t	 synack_tsecr, ack_tsecr;	/* echoed TSvals */
	uint8_t		 has_synack_tsecr, has_ack_tsecr;
	uint8_t		 af, proto;
	uint8_t		 orig_by;	/* enum bh_flow_by */
	uint8_t		 end;		/* enum bh_flow_end */
	uint8_t		 closed;	/* 0, BH_END_FIN or BH_END_RST */
	uint8_t		 klass;		/* timeout list */
	uint16_t	 port[2];
	unsigned char	 addr[2][16];	/* [0] orig, [1] resp */
	uint8_t		 hist_len;
	char		 history[BH_FLOW_HISTORY];
	uint32_t	 hnext;		/* hash chain */
	uint32_t	 hash;		/* of the tuple (low bits) */
	uint32_t	 lprev, lnext;	/* idle list of its class */
	uint32_t	 iprev, inext;	/* flow id order */
	uint32_t	 ev;		/* its evidence in the table's pool,
					   0 none */
	uint8_t		 ev_lost;	/* the pool was full */
	uint8_t		 tsr_lost;	/* the TS-RTT pool was full */
	uint32_t	 tsr;		/* its TS-RTT state in the table's
					   pool, 0 none */
	struct bh_flow_side side[2];
	/* the first SYN's and SYN/ACK's (after what every packet uses) */
	struct bh_tcpfp	 fp[2];
};

/* Called for every session as it ends, in emission order. */
typedef void	bh_flow_emit_fn(void *arg, const struct bh_flow *f,
		    const unsigned char *orig_head, size_t orig_len,
		    const unsigned char *resp_head, size_t resp_len,
		    const struct bh_ev *ev);

struct bh_flow_cfg {
	uint32_t	 head_max;	/* head bytes per side (-s) */
	uint32_t	 max_live;	/* live-session cap (-m) */
	int64_t		 tmo_tcp, tmo_udp, tmo_other;	/* idle, usec */
	int64_t		 linger;	/* after a close, usec */
	uint32_t	 seg_pool;	/* outstanding segments beyond the
					   inline ones, all sessions (0: a
					   default of 1 M) */
	uint32_t	 ev_pool;	/* sessions with evidence at once
					   (0: a default of 16384) */
	uint32_t	 ts_pool;	/* sessions with TS-RTT state at once
					   (0: a default of 16384) */
	uint64_t	 seed;		/* hash key */
	bh_flow_emit_fn	*emit;
	void		*arg;
};

struct bh_flow_stats {
	uint64_t	 sessions;	/* created */
	uint64_t	 evicted;	/* emitted early by the cap */
	uint64_t	 frag_unmatched;	/* later fragments without a first */
	uint64_t	 live_max;	/* peak live sessions */
	uint64_t	 seg_untracked;	/* data segments not remembered for
					   RTT samples (segment pool full) */
	uint64_t	 late;		/* late segments of closed connections,
					   absorbed */
	uint64_t	 ev_untracked;	/* TCP sessions with payload but no
					   evidence (evidence pool full) */
	uint64_t	 tsr_untracked;	/* TCP sessions with timestamps but
					   no TS-RTT (its pool full) */
};

struct bh_flow_table;

/* A table for cfg (copied); exits 2 when memory runs out. */
struct bh_flow_table *bh_flow_new(const struct bh_flow_cfg *cfg);
/*
 * Account one decoded packet seen at ts (usec).  Sessions idle past
 * their timeout at ts are emitted first.  Returns 0, or -1 when the
 * packet belongs to no session (a later fragment whose first fragment
 * was not seen: counted in the stats, the caller reports the skip).
 */
int	bh_flow_packet(struct bh_flow_table *t, int64_t ts,
	    const struct bh_pkt *p);
/* Emit every live session in flow id order (end of input). */
void	bh_flow_flush(struct bh_flow_table *t);
/* Flush, forget the closed connections and the clock: a new capture
 * whose time may be earlier follows. */
void	bh_flow_restart(struct bh_flow_table *t);
const struct bh_flow_stats *bh_flow_stats(const struct bh_flow_table *t);
/* Bytes one live session costs (state + heads), for the man page. */
size_t	bh_flow_session_size(uint32_t head_max);
void	bh_flow_free(struct bh_flow_table *t);
/* Resolve syn_ans_ts (side 0) / synack_ans_ts (side 1): the time of the
 * transmission whose TSval the answer echoed, or BH_FLOW_UNSET. */
int64_t	bh_flow_answered_ts(const struct bh_flow *f, int side);

#endif /* BH_H */
