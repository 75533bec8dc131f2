/*
 * bh-synth - synthesize a honeypot capture whose answers are known.
 *
 * Writes a pcap of what a monitor beside a Windows honeypot
 * (192.168.56.101, 2001:db8:56::101) sees over a botnet's life: scans
 * and infection attempts to 135/139/445 from many remote hosts (mostly
 * Windows, some Linux), the honeypot's downloads of the bot (HTTP with an
 * MZ body, FTP with active and passive data connections, TFTP), its IRC
 * C&C on 6667 and odd ports, a few outbound propagation attempts, and
 * background noise (DNS, NetBIOS broadcasts, ARP), with retransmissions,
 * retransmitted SYNs and SYN/ACKs with and without TCP timestamps, some
 * IPv6 and some 802.1Q-tagged frames.  With -t it writes beside it the
 * truth: one record per session bh-sessions will report, in the order of
 * their first packets (line N is flow N), with phase, app, the remote
 * party's TTL, initial TTL, hops and OS, and the RTT planted toward it.
 *
 * How: arrivals of episodes (a scan; an infection, perhaps followed by
 * the download and the C&C it leads to; noise) each build the complete
 * packet script of their sessions at once, and a heap of the live
 * sessions, ordered by the time of their next packet, interleaves the
 * scripts into one capture in time order.  A session's truth is written
 * when its first packet is, so the truth is in flow order.
 *
 * Reads nothing.  Unlike its peers it writes a capture, not a record
 * stream (the truth file is a record stream).  Output is a pure function
 * of the options: its own PRNG (splitmix64), drawn once per statement
 * (C leaves the order of operands open), integer arithmetic only, so the
 * same --seed gives the same bytes on any machine and with any compiler.
 * Fast enough for benchmark captures of many gigabytes: no allocation per
 * packet in the steady state (sessions and their arrays are recycled),
 * one big stdio buffer.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "synth.h"

/* ---- main ----------------------------------------------------------- */

/* "1500000000", "1.5G" (GiB), "1.5GB" (10^9), K/M/G and KB/MB/GB. */
static int
parse_size(const char *s, uint64_t *v)
{
	char num[64], *end;
	size_t n = strspn(s, "0123456789.");
	double d, mul = 1;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (bh_parse_double(num, &d) != 0 || d < 0)
		return -1;
	end = (char *)s + n;
	if (*end != '\0') {
		switch (*end++) {
		case 'k': case 'K': mul = 1024; break;
		case 'M': mul = 1024.0 * 1024; break;
		case 'G': mul = 1024.0 * 1024 * 1024; break;
		default: return -1;
		}
		if (*end == 'B') {
			mul = mul == 1024 ? 1e3 : mul < 2e6 ? 1e6 : 1e9;
			end++;
		}
		if (*end != '\0')
			return -1;
	}
	*v = (uint64_t)(d * mul);
	return 0;
}

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-ghq] [-n sessions | -b size] [-s seed] "
	    "[-o out.pcap] [-t truth.tsv]\n", bh_progname);
	if (full)
		fprintf(fp,
		    "  -b size      about this many bytes of capture (1.5GB, "
		    "150M, 4096)\n"
		    "  -g, --pcapng write pcapng, not pcap\n"
		    "  -n sessions  this many sessions (default 2000)\n"
		    "  -o out.pcap  the capture (default stdout, not a "
		    "terminal)\n"
		    "  -q           no progress on a terminal\n"
		    "  -s, --seed N the seed: the same seed, the same bytes\n"
		    "  -t truth.tsv the planted truth, one record per "
		    "session\n");
}

int
main(int argc, char *argv[])
{
	static const struct bh_opt_long longs[] = {
		{ "pcapng", 0, 'g' },
		{ "seed", 1, 's' },
		{ NULL, 0, 0 }
	};
	struct bh_opt o;
	static char obuf[1 << 22];
	const char *out = "-", *truth = NULL;
	uint64_t nmax = 0, bmax = 0, est, lastprog = 0;
	unsigned long v;
	int64_t next;
	struct sess *s;
	FILE *fp;
	int c, quiet = 0, stopped = 0, prog, queued, pcapng = 0;

	bh_diag_init(argv[0]);
	bh_opt_init(&o, argc, argv, "b:gn:o:qs:t:", longs);
	while ((c = bh_opt_next(&o)) != -1) {
		switch (c) {
		case 'b':
			if (parse_size(o.arg, &bmax) != 0 || bmax == 0)
				bh_errx(BH_EXIT_FATAL, "bad size: %s", o.arg);
			break;
		case 'g':
			pcapng = 1;
			break;
		case 'n':
			if (bh_parse_uint(o.arg, 4000000000UL, &v) != 0 ||
			    v == 0)
				bh_errx(BH_EXIT_FATAL, "bad session count: %s",
				    o.arg);
			nmax = v;
			break;
		case 'o':
			out = o.arg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (bh_parse_u64(o.arg, &synst.seed) != 0)
				bh_errx(BH_EXIT_FATAL, "bad seed: %s", o.arg);
			break;
		case 't':
			truth = o.arg;
			break;
		default:
			bh_opt_end(c, usage);
		}
	}
	argc -= o.ind;
	argv += o.ind;
	if (argc != 0 || (nmax != 0 && bmax != 0))
		bh_opt_end(BH_OPT_BAD, usage);
	if (nmax == 0 && bmax == 0)
		nmax = 2000;

	if (strcmp(out, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			bh_errx(BH_EXIT_FATAL, "will not write a capture to a "
			    "terminal (use -o)");
		fp = stdout;
	} else if ((fp = fopen(out, "wb")) == NULL)
		bh_err(BH_EXIT_FATAL, "%s", out);
	setvbuf(fp, obuf, _IOFBF, sizeof(obuf));
	if (truth != NULL) {
		if ((synst.truthfp = fopen(truth, "w")) == NULL)
			bh_err(BH_EXIT_FATAL, "%s", truth);
		fputs(truth_header, synst.truthfp);
	}
	prog = !quiet && isatty(STDERR_FILENO);

	/* pools grow with the capture: ~4 KB a session */
	est = nmax != 0 ? nmax : bmax / 4096;
	synst.n_attackers = (uint32_t)(est / 3 < 200 ? 200 : est / 3 > 0x7fffff ?
	    0x7fffff : est / 3);
	synst.n_http = (uint32_t)(8 + (est / 5000 > 4000 ? 4000 : est / 5000));
	synst.n_ftp = (uint32_t)(4 + (est / 20000 > 4000 ? 4000 : est / 20000));
	synst.n_irc = (uint32_t)(4 + (est / 20000 > 4000 ? 4000 : est / 20000));
	synst.att_port = xcalloc(synst.n_attackers, sizeof(*synst.att_port));
	synst.rng = splitmix_hash(synst.seed ^ 0xb07f00dULL);
	messages_init();

	if (bh_pb_open(&synst.pw, fp, pcapng, BH_DLT_EN10MB, 65535, 0) != 0)
		bh_err(BH_EXIT_FATAL, "%s", out);
	synst.bytes_out = pcapng ? 48 : 24;
	next = START_USEC + range(0, SEC);
	for (;;) {
		if (!stopped && (synst.nheap == 0 ||
		    next <= synst.heap[0]->st[synst.heap[0]->cur].t)) {
			if ((nmax != 0 && synst.nsess_made >= nmax) ||
			    (bmax != 0 && synst.bytes_out >= bmax))
				stopped = 1;
			else {
				episode(next, nmax != 0 ? nmax - synst.nsess_made :
				    UINT64_MAX);
				next += range(0, 600 * MS);
			}
			continue;
		}
		if (synst.nheap == 0)
			break;
		s = synst.heap[0];
		if (s->cur == 0 && s->truth)
			truth_enqueue(s);
		emit(s, &s->st[s->cur]);
		queued = s->queued;
		if (++s->cur == s->nst) {
			s->done = 1;
			heap_set(0, synst.heap[--synst.nheap]);
			if (synst.nheap > 0)
				heap_down(0);
			if (!s->truth || s->flushed)
				sess_free(s);
		} else
			heap_down(0);
		if (queued && synst.tqlen > 0)
			truth_flush();
		if (prog && synst.bytes_out - lastprog >= (64u << 20)) {
			lastprog = synst.bytes_out;
			fprintf(stderr, "\r%s: %llu MB, %llu packets, %llu "
			    "sessions", bh_progname,
			    (unsigned long long)(synst.bytes_out >> 20),
			    (unsigned long long)synst.pkts_out,
			    (unsigned long long)synst.nflow);
		}
	}
	truth_flush();
	if (prog && lastprog != 0)
		fputc('\n', stderr);
	if (fp != stdout && fclose(fp) != 0)
		bh_err(BH_EXIT_FATAL, "%s", out);
	if (synst.truthfp != NULL && fclose(synst.truthfp) != 0)
		bh_err(BH_EXIT_FATAL, "%s", truth);
	return bh_fshut(BH_EXIT_OK);
}
