/*
 * sessions-read.c - bh-sessions' capture reading: libpcap for every
 * format, a fast loop of our own for classic pcap files, each packet
 * decoded (lib/pkt.c) into the session table (lib/flow.c), and the skip
 * summary.  The only file that sees <pcap.h>.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bh.h"
#include "sessions.h"

/* ---- reading ---- */


static void
worse(struct run *r, int st)
{
	if (st > r->status)
		r->status = st;
}

/* The name of a skip reason, for the summary and --strict. */
static const char *
skip_name(int st)
{
	if (st == SKIP_FRAG)
		return "frag-unmatched";
	if (st == SKIP_TIME)
		return "bad-time";
	return bh_pkt_reason((enum bh_pkt_status)st);
}

/*
 * The reader of one file: libpcap for everything, or, for a classic pcap
 * file (version 2.4, little-endian, micro- or nanosecond), our own loop
 * over large blocks of the stream libpcap opened, which saves a copy and
 * two stdio calls per packet.  The fast loop mirrors libpcap 1.10's
 * pcap_next_packet() (sf-pcap.c) to the byte: the same records, the same
 * time stamps (32-bit signed fields, nanoseconds truncated to micro-
 * seconds), the same handling of a capture length above the snapshot
 * length, the same messages; tests compare the two paths.
 * BH_SESSIONS_LIBPCAP=1 in the environment forces libpcap.
 */
#define RD_BLOCK	(1024 * 1024)
#define RD_MAXSNAP	262144	/* libpcap's MAXIMUM_SNAPLEN */

struct reader {
	pcap_t		*pc;
	FILE		*fp;		/* libpcap's stream (fast path) */
	int		 fast, nsec, big;	/* big: big-endian file */
	uint32_t	 snapshot;
	uint64_t	 n;		/* records read */
	uint64_t	 cut, cut_first;	/* records above the snapshot */
	unsigned char	*buf;
	size_t		 len, pos;
	char		 err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr hdr;
};


/* Make n bytes available at rd->pos (n <= RD_BLOCK); returns how many
 * are (fewer only at the end of the file or on a read error). */
static size_t
rd_fill(struct reader *rd, size_t n)
{
	size_t have = rd->len - rd->pos, got;

	if (have >= n)
		return have;
	memmove(rd->buf, rd->buf + rd->pos, have);
	rd->len = have;
	rd->pos = 0;
	while (rd->len < n) {
		got = fread(rd->buf + rd->len, 1, RD_BLOCK - rd->len, rd->fp);
		if (got == 0)
			break;
		rd->len += got;
	}
	return rd->len;
}

/* A 32-bit field of a record header, in the file's byte order. */
static uint32_t
rd32(const struct reader *rd, const unsigned char *b)
{
	if (rd->big)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* As pcap_next_ex(): 1 a packet, -2 the end, -1 an error (rd->err). */
static int
rd_next(struct reader *rd, struct pcap_pkthdr **h, const unsigned char **data)
{
	const unsigned char *b;
	uint32_t caplen;
	size_t got;
	int32_t usec;

	if (!rd->fast) {
		int rc = pcap_next_ex(rd->pc, h, data);

		if (rc == PCAP_ERROR)
			snprintf(rd->err, sizeof(rd->err), "%s",
			    pcap_geterr(rd->pc));
		return rc;
	}
	if ((got = rd_fill(rd, 16)) < 16) {
		if (ferror(rd->fp))
			snprintf(rd->err, sizeof(rd->err), "error reading dump "
			    "file: %s", strerror(errno));
		else if (got != 0)
			snprintf(rd->err, sizeof(rd->err), "truncated dump "
			    "file; tried to read 16 header bytes, only got %zu",
			    got);
		else
			return -2;
		return -1;
	}
	b = rd->buf + rd->pos;
	rd->hdr.ts.tv_sec = (int32_t)rd32(rd, b);
	usec = (int32_t)rd32(rd, b + 4);
	rd->hdr.ts.tv_usec = rd->nsec ? usec / 1000 : usec;
	caplen = rd32(rd, b + 8);
	rd->hdr.len = rd32(rd, b + 12);
	if (caplen > RD_MAXSNAP) {
		if (caplen > rd->snapshot)
			snprintf(rd->err, sizeof(rd->err), "invalid packet "
			    "capture length %u, bigger than snaplen of %d",
			    caplen, (int)rd->snapshot);
		else
			snprintf(rd->err, sizeof(rd->err), "invalid packet "
			    "capture length %u, bigger than maximum of %u",
			    caplen, RD_MAXSNAP);
		return -1;
	}
	got = rd_fill(rd, 16 + (size_t)caplen) - 16;
	if (got < caplen) {
		if (ferror(rd->fp))
			snprintf(rd->err, sizeof(rd->err), "error reading dump "
			    "file: %s", strerror(errno));
		else if (caplen > rd->snapshot && got < rd->snapshot)
			snprintf(rd->err, sizeof(rd->err), "truncated dump "
			    "file; tried to read %d captured bytes, only got "
			    "%zu", (int)rd->snapshot, got);
		else
			snprintf(rd->err, sizeof(rd->err), "truncated dump "
			    "file; tried to read %u captured bytes, only got "
			    "%zu", caplen, got);
		return -1;
	}
	/* A record longer than the snapshot length is cut to it, as
	 * libpcap does; unlike libpcap we say so (read_capture()). */
	rd->n++;
	if (caplen > rd->snapshot) {
		if (rd->cut++ == 0)
			rd->cut_first = rd->n;
		rd->hdr.caplen = rd->snapshot;
	} else
		rd->hdr.caplen = caplen;
	*data = rd->buf + rd->pos + 16;
	*h = &rd->hdr;
	rd->pos += 16 + (size_t)caplen;
	return 1;
}

/*
 * The byte order and resolution of a classic pcap file, from its magic
 * (RFC draft-ietf-opsawg-pcap: a1b2c3d4 microseconds, a1b2 3c4d nano-
 * seconds, in the writer's byte order).  The first byte, read before
 * libpcap opened the file, tells a little-endian file; a big-endian one
 * needs the third, read back from a regular file.  0 when the fast
 * reader can take the file, -1 otherwise (libpcap reads it).
 */
static int
classic_magic(FILE *fp, int first, struct reader *rd)
{
	unsigned char m[4];
	struct stat sb;
	long at;

	if (first == 0xd4 || first == 0x4d) {
		rd->nsec = first == 0x4d;
		return 0;
	}
	if (first != 0xa1 || fstat(fileno(fp), &sb) == -1 ||
	    !S_ISREG(sb.st_mode) || (at = ftell(fp)) < 24 ||
	    pread(fileno(fp), m, 4, (off_t)at - 24) != 4 ||
	    m[0] != 0xa1 || m[1] != 0xb2)
		return -1;
	if (m[2] == 0xc3 && m[3] == 0xd4)
		rd->nsec = 0;
	else if (m[2] == 0x3c && m[3] == 0x4d)
		rd->nsec = 1;
	else
		return -1;
	rd->big = 1;
	return 0;
}

/*
 * Packet n of the capture name (its link type dlt) into the session
 * table, or counted as skipped, after the checks of its time against the
 * packet before it (*first: the first packet of a file, cleared).  0, or
 * -1 when --strict or files out of time order end the run (reported).
 */
static inline int
packet_in(struct run *r, const char *name, int dlt,
    const struct pcap_pkthdr *h, const unsigned char *data, uint64_t n,
    int *first)
{
	struct bh_pkt p;
	enum bh_pkt_status st;
	int64_t ts;

	if (h->ts.tv_sec > MAX_TS_SEC || h->ts.tv_sec < -MAX_TS_SEC) {
		st = SKIP_TIME;
		goto skip;
	}
	ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	if (r->have_ts && ts < r->last_ts) {
		if (!*first)
			r->backwards++;
		else if (r->last_ts - ts <= FILE_BACK_TOLERANCE)
			;
		else if (!r->separate) {
			/* Rotated files are one capture only in
			 * time order: merging an older file into
			 * the sessions of a newer one would join
			 * what never met. */
			sessions_progress_erase(r);
			bh_warnx_at(name, 0, "starts %.6f s before "
			    "the end of %s: give the files in time "
			    "order, or -B to read them as separate "
			    "captures", (double)(r->last_ts - ts) /
			    1e6, r->prev_name);
			return -1;
		} else
			bh_flow_restart(r->table);
	}
	*first = 0;
	r->last_ts = ts;
	r->have_ts = 1;
	st = bh_pkt_decode(dlt, data, h->caplen, h->len, &p);
	if (st == BH_PKT_OK) {
		if (bh_flow_packet(r->table, ts, &p) == 0)
			return 0;
		st = SKIP_FRAG;
	}
skip:
	r->skip[st]++;
	if (st == BH_PKT_NOT_IP)
		return 0;
	worse(r, BH_EXIT_BAD);
	if (r->strict) {
		sessions_progress_erase(r);
		bh_warnx_at(name, 0, "packet %llu: %s",
		    (unsigned long long)n, skip_name(st));
		return -1;
	}
	return 0;
}

int
sessions_packet(struct run *r, const char *name, int dlt,
    const struct pcap_pkthdr *h, const unsigned char *data, uint64_t n,
    int *first)
{
	return packet_in(r, name, dlt, h, data, n, first);
}

/*
 * The first byte of fp, put back (c), after the checks of an empty file;
 * a compressed file (sessions-unzip.c) is replaced by the stream of its
 * capture, *u its decoder.  0, or 1 when the file is done with (reported,
 * closed), or -1 when --strict ends the run.
 */
static int
open_stream(struct run *r, const char *name, FILE **fpp, struct unzip **u,
    int *cp)
{
	FILE *fp = *fpp, *zfp;
	int c, kind, compressed = 0, bad = 0;

	*u = NULL;
	for (;;) {
		/* A zero-byte file is a capture cut before its header. */
		if ((c = getc(fp)) == EOF) {
			if (ferror(fp)) {
				bh_warn("%s", name);
				worse(r, BH_EXIT_FATAL);
			} else if (*u != NULL && unzip_error(*u) != NULL) {
				bh_warnx_at(name, 0, "truncated or corrupt "
				    "archive before the capture header: %s",
				    unzip_error(*u));
				bad = 1;
			} else {
				bh_warnx_at(name, 0, "empty %sfile, no capture "
				    "header", compressed ? "compressed " : "");
				bad = 1;
			}
			if (bad)
				worse(r, BH_EXIT_BAD);
			if (fp != stdin)
				fclose(fp);
			/* --strict ends the run at this file's bad input,
			 * whatever an earlier file did to the status */
			return r->strict && bad ? -1 : 1;
		}
		ungetc(c, fp);
		if (compressed || !unzip_maybe(c))
			break;
		/* gzip, xz, zstd, bzip2: by the magic bytes, not the name */
		if ((*u = unzip_new(fp, r->unzip_max, &kind)) == NULL) {
			if (kind == -1)
				bh_warn("%s", name);
			else
				bh_warnx_at(name, 0, "not a capture file: "
				    "unknown file format");
			worse(r, BH_EXIT_FATAL);
			if (fp != stdin)
				fclose(fp);
			return 1;
		}
		if ((zfp = unzip_fopen(*u)) == NULL) {
			bh_warn("%s", name);
			worse(r, BH_EXIT_FATAL);
			unzip_free(*u);
			if (fp != stdin)
				fclose(fp);
			return 1;
		}
		*fpp = fp = zfp;
		compressed = 1;
	}
	*cp = c;
	return 0;
}

void
sessions_filter_check(const char *expr)
{
	struct bpf_program prog;
	pcap_t *pc;

	if ((pc = pcap_open_dead(DLT_EN10MB, RD_MAXSNAP)) == NULL)
		bh_errx(BH_EXIT_FATAL, "out of memory");
	if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == -1)
		bh_errx(BH_EXIT_FATAL, "-f '%s': %s", expr, pcap_geterr(pc));
	pcap_freecode(&prog);
	pcap_close(pc);
}

/*
 * The -f expression compiled for the link type of rd->pc (pcap_compile(3):
 * the same expression compiles to different code per link type, so each
 * file gets its own).  0, or -1 after reporting why not (exit 2).
 */
static int
filter_compile(struct run *r, const char *name, pcap_t *pc,
    struct bpf_program *prog)
{
	if (pcap_compile(pc, prog, r->filter, 1, PCAP_NETMASK_UNKNOWN) == -1) {
		bh_warnx_at(name, 0, "-f '%s': %s", r->filter,
		    pcap_geterr(pc));
		r->status = BH_EXIT_FATAL;
		return -1;
	}
	return 0;
}

/* How far into the file (the archive, when compressed) the reading is. */
static uint64_t
raw_pos(const struct reader *rd, const struct unzip *u)
{
	long at;

	if (u != NULL)
		return unzip_in_bytes(u);
	at = ftell(pcap_file(rd->pc));
	return at > 0 ? (uint64_t)at : 0;
}

int
sessions_read(struct run *r, const char *fn)
{
	struct bpf_program prog;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *data;
	const char *name = fn;
	struct reader rd;
	struct unzip *u;
	FILE *fp;
	uint64_t n = 0;
	int c, dlt, rc, first = 1, bad;

	if (strcmp(fn, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(fn, "rb")) == NULL) {
		bh_warn("%s", fn);
		worse(r, BH_EXIT_FATAL);
		return 0;
	}
	if ((rc = open_stream(r, name, &fp, &u, &c)) != 0)
		return rc == -1 ? -1 : 0;
	errbuf[0] = '\0';
	memset(&rd, 0, sizeof(rd));
	rd.pc = pcap_fopen_offline_with_tstamp_precision(fp,
	    PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (rd.pc == NULL) {
		bad = 0;
		if (u != NULL && unzip_error(u) != NULL) {
			bh_warnx_at(name, 0, "truncated or corrupt archive "
			    "before the capture header: %s", unzip_error(u));
			worse(r, BH_EXIT_BAD);
			bad = 1;
		} else {
			bh_warnx_at(name, 0, "not a capture file%s%s: %s",
			    u != NULL ? ", compressed with " : "",
			    u != NULL ? unzip_name(unzip_kind(u)) : "", errbuf);
			worse(r, BH_EXIT_FATAL);
		}
		if (fp != stdin)
			fclose(fp);
		return r->strict && bad ? -1 : 0;
	}
	dlt = pcap_datalink(rd.pc);
	if (!bh_pkt_linktype_ok(dlt)) {
		const char *ln = pcap_datalink_val_to_name(dlt);

		bh_warnx_at(name, 0, "unsupported link type %d (%s)", dlt,
		    ln != NULL ? ln : "unknown");
		worse(r, BH_EXIT_FATAL);
		pcap_close(rd.pc);
		return 0;
	}
	if (pcap_major_version(rd.pc) == 2 && pcap_minor_version(rd.pc) == 4 &&
	    pcap_snapshot(rd.pc) > 0 && classic_magic(fp, c, &rd) == 0 &&
	    getenv("BH_SESSIONS_LIBPCAP") == NULL) {
		rd.fast = 1;
		rd.snapshot = (uint32_t)pcap_snapshot(rd.pc);
		rd.fp = pcap_file(rd.pc);
		if (r->rd_buf == NULL)
			r->rd_buf = xmalloc(RD_BLOCK);
		rd.buf = r->rd_buf;
	}
	if (r->filter != NULL && filter_compile(r, name, rd.pc, &prog) == -1) {
		pcap_close(rd.pc);
		return -1;
	}
	while ((rc = rd_next(&rd, &h, &data)) == 1) {
		n++;
		if ((n & 4095) == 0 && r->progress != NULL)
			sessions_progress_tick(r, raw_pos(&rd, u), n);
		if (rd.cut > 0 && r->strict) {
			sessions_progress_erase(r);
			bh_warnx_at(name, 0, "packet %llu: longer than the "
			    "file's snaplen %u", (unsigned long long)n,
			    rd.snapshot);
			goto stop;
		}
		/* pcap_offline_filter(3): the compiled program on each
		 * packet as read, as the fast reader gives them out too */
		if (r->filter != NULL &&
		    pcap_offline_filter(&prog, h, data) == 0) {
			r->filtered++;
			continue;
		}
		if (packet_in(r, name, dlt, h, data, n, &first) == -1)
			goto stop;
	}
	r->packets += n;
	sessions_progress_file_done(r, raw_pos(&rd, u));
	sessions_progress_erase(r);
	if (rd.cut > 0) {
		bh_warnx_at(name, 0, "%llu records longer than the file's "
		    "snaplen %u, cut to it (the first is packet %llu)",
		    (unsigned long long)rd.cut, rd.snapshot,
		    (unsigned long long)rd.cut_first);
		worse(r, BH_EXIT_BAD);
		if (r->strict)
			goto stop;
	}
	if (u != NULL && unzip_error(u) != NULL &&
	    (rc != PCAP_ERROR || strncmp(rd.err, "error reading", 13) != 0)) {
		/* The capture ends where the archive does; what libpcap
		 * says of the cut is the consequence. */
		bh_warnx_at(name, 0, "truncated or corrupt archive after %llu "
		    "packets: %s", (unsigned long long)n, unzip_error(u));
		worse(r, BH_EXIT_BAD);
		if (r->strict)
			goto stop;
	} else if (rc == PCAP_ERROR) {
		/* libpcap says "truncated dump file" for a cut file and
		 * "error reading dump file" for an I/O error. */
		if (strncmp(rd.err, "error reading", 13) == 0) {
			bh_warnx_at(name, 0, "%s", rd.err);
			worse(r, BH_EXIT_FATAL);
		} else {
			bh_warnx_at(name, 0, "truncated or corrupt capture "
			    "after %llu packets: %s", (unsigned long long)n,
			    rd.err);
			worse(r, BH_EXIT_BAD);
			if (r->strict)
				goto stop;
		}
	}
	if (r->filter != NULL)
		pcap_freecode(&prog);
	pcap_close(rd.pc);	/* closes fp, stdin included */
	r->prev_name = name;
	return 0;
stop:
	r->packets += n;
	if (r->filter != NULL)
		pcap_freecode(&prog);
	pcap_close(rd.pc);
	return -1;
}

/* The end-of-run summary on stderr. */
void
sessions_summary(const struct run *r, const struct bh_flow_stats *fs,
    uint32_t max_live)
{
	char line[1024];
	uint64_t n = 0;
	size_t len = 0;
	int i;

	for (i = 0; i < NSKIP; i++)
		if (i != BH_PKT_NOT_IP)
			n += r->skip[i];
	if (n > 0) {
		len = (size_t)snprintf(line, sizeof(line), "%llu packets "
		    "skipped:", (unsigned long long)n);
		for (i = 0; i < NSKIP && len < sizeof(line); i++) {
			if (i == BH_PKT_NOT_IP || r->skip[i] == 0)
				continue;
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    " %llu %s", (unsigned long long)r->skip[i],
			    skip_name(i));
		}
		bh_warnx("%s", line);
	}
	/* (live, the kernel filters: pcap_stats' ps_recv counts what
	 * matched) */
	if (r->filter != NULL && !r->is_live)
		bh_warnx("%llu of %llu packets did not match -f '%s'",
		    (unsigned long long)r->filtered,
		    (unsigned long long)r->packets, r->filter);
	if (r->skip[BH_PKT_NOT_IP] > 0)
		bh_warnx("%llu non-IP frames ignored",
		    (unsigned long long)r->skip[BH_PKT_NOT_IP]);
	if (r->backwards > 0)
		bh_warnx("%llu packets earlier than the packet before them",
		    (unsigned long long)r->backwards);
	if (fs->late > 0)
		bh_warnx("%llu late segments of closed connections absorbed "
		    "(no new sessions)", (unsigned long long)fs->late);
	if (fs->ev_untracked > 0)
		bh_warnx("%llu TCP sessions without orig_ev/resp_ev: the "
		    "evidence of %u sessions at once was in use",
		    (unsigned long long)fs->ev_untracked, EV_SESSIONS);
	if (fs->tsr_untracked > 0)
		bh_warnx("%llu TCP sessions without TS-RTT samples: the "
		    "timestamp state of %u sessions at once was in use",
		    (unsigned long long)fs->tsr_untracked, TS_SESSIONS);
	if (fs->evicted > 0)
		bh_warnx("%llu sessions evicted early by the cap of %lu live "
		    "sessions (-m)", (unsigned long long)fs->evicted,
		    (unsigned long)max_live);
}

