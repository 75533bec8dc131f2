/*
 * bh-sessions - packets to session records, in one pass, in bounded memory.
 *
 * Reads pcap and pcapng captures (libpcap) from the named files or stdin,
 * several files as one continuous capture; writes one record per TCP, UDP,
 * ICMP or other IP session as the session ends (bh-sessions(1)): counts, TTLs,
 * handshake times, tcptrace-style data-ACK RTT samples, Zeek's conn_state
 * and history, and the first bytes of each side's stream, escaped.
 *
 * Where it deviates from its peers: the originator of a capture that
 * starts mid-handshake is the SYN/ACK's receiver (Zeek keeps the sender
 * unless its port heuristic flips it); a SYN that goes unanswered stays
 * one session until the tcp idle timeout (Zeek ends the attempt after
 * 5 s); *_bytes count every payload byte per the IP length, retransmitted
 * or not (Zeek counts sequence space); RTT samples treat a reordered
 * segment like a retransmission (tcptrace keeps every segment to tell
 * them apart; we keep a few).
 */
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "sessions.h"

#define DEFAULT_HEAD	256
#define DEFAULT_LIVE	100000

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-Bhq] [--strict] [-b KiB] [-f expression] "
	    "[-i interface] [-L net]\n"
	    "       [-m sessions] [-s bytes] [-t name=seconds[,...]] "
	    "[file ...]\n",
	    bh_progname);
	if (full)
		fprintf(fp,
		    "  -B          files are separate captures: time may go "
		    "back between them\n"
		    "  -b KiB      the kernel's capture buffer with -i "
		    "(default libpcap's)\n"
		    "  -f expr     only the packets matching a pcap-filter(7) "
		    "expression\n"
		    "  -i iface    capture live on a network interface until "
		    "SIGINT, SIGTERM, SIGHUP\n"
		    "  -L net      a local (honeypot) network, repeatable "
		    "(also $BH_LOCAL)\n"
		    "  -m sessions the cap on live sessions (default %d)\n"
		    "  -q          no progress and no summary of skipped "
		    "packets\n"
		    "  -s bytes    head bytes per side (default %d)\n"
		    "  -t name=seconds[,...]\n"
		    "              idle timeouts (tcp, udp, other) and the linger "
		    "after a close\n"
		    "  --strict    the first bad packet is fatal (exit 2)\n",
		    DEFAULT_LIVE, DEFAULT_HEAD);
}

/* -t tcp=300,udp=60,other=60,linger=5 (durations as bh_parse_duration). */
static void
parse_timeouts(char *s, struct bh_flow_cfg *cfg)
{
	char *tok, *eq;
	int64_t v;

	for (tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ",")) {
		if ((eq = strchr(tok, '=')) == NULL)
			bh_errx(BH_EXIT_FATAL, "-t %s: want NAME=SECONDS", tok);
		*eq++ = '\0';
		if (bh_parse_duration(eq, &v) == -1)
			bh_errx(BH_EXIT_FATAL, "-t %s=%s: bad duration", tok,
			    eq);
		if (strcmp(tok, "tcp") == 0)
			cfg->tmo_tcp = v;
		else if (strcmp(tok, "udp") == 0)
			cfg->tmo_udp = v;
		else if (strcmp(tok, "other") == 0)
			cfg->tmo_other = v;
		else if (strcmp(tok, "linger") == 0)
			cfg->linger = v;
		else
			bh_errx(BH_EXIT_FATAL, "-t %s: unknown timeout (tcp, "
			    "udp, other, linger)", tok);
	}
}

int
main(int argc, char *argv[])
{
	static char stdin_name[] = "-";
	static char *stdin_argv[] = { stdin_name };
	struct sessions_out so;
	struct bh_flow_cfg cfg;
	struct bh_opt o;
	struct run r;
	unsigned long v;
	const char *iface = NULL;
	struct stat sb;
	int c, quiet = 0, k, rc, buffer_kib = 0;

	bh_diag_init(argv[0]);
	memset(&r, 0, sizeof(r));
	memset(&cfg, 0, sizeof(cfg));
	cfg.head_max = DEFAULT_HEAD;
	cfg.max_live = DEFAULT_LIVE;
	cfg.tmo_tcp = 300 * 1000000LL;
	cfg.tmo_udp = 60 * 1000000LL;
	cfg.tmo_other = 60 * 1000000LL;
	cfg.linger = 5 * 1000000LL;
	cfg.ev_pool = EV_SESSIONS;
	cfg.ts_pool = TS_SESSIONS;
	memset(&so, 0, sizeof(so));
	if (sessions_local_env(&so) == -1)
		return BH_EXIT_FATAL;
	bh_opt_init(&o, argc, argv, "Bb:f:i:L:m:qs:t:", NULL);
	while ((c = bh_opt_next(&o)) != -1) {
		switch (c) {
		case 'B':
			r.separate = 1;
			break;
		case 'b':
			if (bh_parse_uint(o.arg, 2097151, &v) == -1 || v == 0)
				bh_errx(BH_EXIT_FATAL, "-b %s: want 1 to 2097151 "
				    "KiB", o.arg);
			buffer_kib = (int)v;
			break;
		case 'f':
			r.filter = o.arg;
			break;
		case 'i':
			iface = o.arg;
			break;
		case 'L':
			if ((rc = sessions_add_net(&so, o.arg)) == -2)
				bh_errx(BH_EXIT_FATAL, "too many local "
				    "networks (at most %d)", MAX_NETS);
			if (rc == -1)
				bh_errx(BH_EXIT_FATAL, "-L %s: bad network",
				    o.arg);
			break;
		case 'm':
			if (bh_parse_uint(o.arg, 100000000, &v) == -1 ||
			    v == 0)
				bh_errx(BH_EXIT_FATAL, "-m %s: want 1 to "
				    "100000000 sessions", o.arg);
			cfg.max_live = (uint32_t)v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (bh_parse_uint(o.arg, BH_FLOW_HEAD_MAX, &v) == -1)
				bh_errx(BH_EXIT_FATAL, "-s %s: want 0 to %d "
				    "bytes", o.arg, BH_FLOW_HEAD_MAX);
			cfg.head_max = (uint32_t)v;
			break;
		case 't':
			parse_timeouts(o.arg, &cfg);
			break;
		default:
			bh_opt_end(c, usage);
		}
	}
	r.strict = o.strict;
	if (r.filter != NULL)
		sessions_filter_check(r.filter);
	argc -= o.ind;
	argv += o.ind;
	if (iface != NULL && argc > 0) {
		bh_warnx("-i %s and files: one or the other", iface);
		usage(stderr, 0);
		return BH_EXIT_FATAL;
	}
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}

	/* The hash key only spreads sessions over buckets; no output
	 * depends on it. */
	if (getentropy(&cfg.seed, sizeof(cfg.seed)) == -1)
		cfg.seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
	if (iface != NULL && sessions_live_open(&r, iface, buffer_kib) == -1)
		return BH_EXIT_FATAL;
	sessions_out_start(&so, stdout, cfg.head_max);
	cfg.emit = sessions_emit;
	cfg.arg = &so;
	r.table = bh_flow_new(&cfg);
	/* Records go out whole; a larger buffer saves write calls.  Live,
	 * each record goes out as its session ends: line by line into a
	 * pipe (and flushed after each batch of packets into a file). */
	if (iface != NULL && (fstat(STDOUT_FILENO, &sb) == -1 ||
	    !S_ISREG(sb.st_mode)))
		setvbuf(stdout, NULL, _IOLBF, BH_IO_CHUNK);
	else if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, BH_IO_CHUNK);
	sessions_out_header(&so);

	if (iface != NULL) {
		if (sessions_live_run(&r) == -1) {
			r.status = BH_EXIT_FATAL;
			quiet = 1;
		}
		argc = 0;
	}
	if (!quiet && argc > 0)
		sessions_progress_start(&r, argv, argc, &so.records);
	for (k = 0; k < argc; k++)
		if (sessions_read(&r, argv[k]) == -1) {
			r.status = BH_EXIT_FATAL;
			quiet = 1;	/* --strict: the reason, not a summary */
			break;
		}
	sessions_progress_end(&r);
	bh_flow_flush(r.table);
	if (!quiet)
		sessions_summary(&r, bh_flow_stats(r.table), cfg.max_live);
	bh_flow_free(r.table);
	sessions_out_free(&so);
	free(r.rd_buf);
	return bh_fshut(r.status);
}
