/*
 * bh-sessions - packets to session records, in one pass, in bounded memory.
 *
 * Reads pcap and pcapng captures (libpcap) from the named files or stdin,
 * several files as one continuous capture; writes one record per TCP, UDP,
 * ICMP or other IP session as the session ends (DESIGN §2): counts, TTLs,
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "sessions.h"

#define DEFAULT_HEAD	256
#define DEFAULT_LIVE	100000

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-hq] [--strict] [-L net] [-m sessions] "
	    "[-s bytes]\n"
	    "       [-t tcp=SEC,udp=SEC,other=SEC,linger=SEC] [file ...]\n",
	    bh_progname);
	exit(BH_EXIT_FATAL);
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
	struct bh_flow_cfg cfg;
	struct run r;
	unsigned long v;
	size_t i;
	int c, quiet = 0, k;

	bh_diag_init(argv[0]);
	memset(&r, 0, sizeof(r));
	for (k = 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (strcmp(argv[k], "--strict") == 0) {
			r.strict = 1;
			memmove(argv + k, argv + k + 1,
			    (size_t)(argc - k) * sizeof(*argv));
			argc--;
			k--;
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.head_max = DEFAULT_HEAD;
	cfg.max_live = DEFAULT_LIVE;
	cfg.tmo_tcp = 300 * 1000000LL;
	cfg.tmo_udp = 60 * 1000000LL;
	cfg.tmo_other = 60 * 1000000LL;
	cfg.linger = 5 * 1000000LL;
	parse_local_env();
	while ((c = getopt(argc, argv, "hL:m:qs:t:")) != -1) {
		switch (c) {
		case 'L':
			if (add_net(optarg) == -1)
				bh_errx(BH_EXIT_FATAL, "-L %s: bad network",
				    optarg);
			break;
		case 'm':
			if (bh_parse_uint(optarg, 100000000, &v) == -1 ||
			    v == 0)
				bh_errx(BH_EXIT_FATAL, "-m %s: want 1 to "
				    "100000000 sessions", optarg);
			cfg.max_live = (uint32_t)v;
			break;
		case 'q':
			quiet = 1;
			break;
		case 's':
			if (bh_parse_uint(optarg, BH_FLOW_HEAD_MAX, &v) == -1)
				bh_errx(BH_EXIT_FATAL, "-s %s: want 0 to %d "
				    "bytes", optarg, BH_FLOW_HEAD_MAX);
			cfg.head_max = (uint32_t)v;
			break;
		case 't':
			parse_timeouts(optarg, &cfg);
			break;
		case 'h':
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		argc = 1;
		argv = stdin_argv;
	}

	/* The hash key only spreads sessions over buckets; no output
	 * depends on it. */
	if (getentropy(&cfg.seed, sizeof(cfg.seed)) == -1)
		cfg.seed = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
	cfg.emit = emit;
	esc_init();
	obufcap = 2 * (4 * (size_t)cfg.head_max + 5) + 2048;
	obuf = xmalloc(obufcap);
	r.table = bh_flow_new(&cfg);
	/* Records go out whole; a larger buffer saves write calls. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, BH_IO_CHUNK);

	putchar('#');
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		if (i > 0)
			putchar('\t');
		fputs(columns[i], stdout);
	}
	putchar('\n');

	for (k = 0; k < argc; k++)
		read_capture(&r, argv[k]);
	bh_flow_flush(r.table);
	if (!quiet)
		summary(&r, bh_flow_stats(r.table), cfg.max_live);
	bh_flow_free(r.table);
	free(obuf);
	free(rd_buf);
	return bh_fshut(r.status);
}
