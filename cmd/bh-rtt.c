/*
 * bh-rtt - handshake RTT per leg, attributed to the remote party, with the
 * reason for every value that could not be measured.
 *
 * Reads the session records of bh-sessions: syn_ts synack_ts ack_ts syn_n
 * synack_n are required; proto, dir, syn_ans_ts, synack_ans_ts and the
 * data-ACK summaries orig_rtt_* / resp_rtt_* are used when present.
 * Adds rtt_ms rtt_resp_ms rtt_orig_ms rtt_remote_ms rtt_note and the
 * remote leg's whole-session data-ACK summary rtt_remote_data_{n,min_ms,
 * avg_ms,max_ms}.
 *
 * Where it differs from its peers: tcptrace's RTT_from_3WHS applies Karn
 * (no value when the SYN was sent more than once) and prints 0.0 for "no
 * sample"; Wireshark's tcp.analysis.initial_rtt measures from the most
 * recent SYN, so a retransmitted SYN gives it a value that ignores Karn.
 * Here a leg whose opening packet was retransmitted is `-` unless the TCP
 * timestamp option (RFC 7323 TSecr, resolved by bh-sessions into
 * syn_ans_ts / synack_ans_ts) names the transmission that was answered;
 * no value is ever 0 for "no sample".  All times are integer microseconds.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "rtt.h"

static void
usage(int status)
{
	FILE *fp = status == 0 ? stdout : stderr;

	fprintf(fp, "usage: %s [-hT] [--strict] [file ...]\n", bh_progname);
	if (status == 0)
		fprintf(fp,
		    "  -T        ignore the TCP timestamp option: a leg whose "
		    "opening packet\n"
		    "            was retransmitted is always - (tcptrace's "
		    "rule)\n"
		    "  --strict  the first bad record is fatal (exit 2)\n");
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const char *const side_name[2] = { "orig", "resp" };
	static const char *const stat_name[4] = {
		"n", "min_ms", "avg_ms", "max_ms"
	};
	static char bufs[O_COUNT][BH_NUMBUF + 128];
	/* static: the reader's buffers stay reachable to the end (the lib
	 * has no bh_rec_free), so LeakSanitizer has nothing to report. */
	static struct bh_reader r;
	struct bh_writer w;
	struct cols c;
	const char *val[O_COUNT];
	char name[64];
	int strict = 0, ch, i, k;

	bh_diag_init(argv[0]);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--strict") == 0) {
			strict = 1;
			memmove(argv + i, argv + i + 1,
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	while ((ch = getopt(argc, argv, "hT")) != -1) {
		switch (ch) {
		case 'h':
			usage(0);
			break;
		case 'T':
			use_tsopt = 0;
			break;
		default:
			usage(BH_EXIT_FATAL);
		}
	}
	argc -= optind;
	argv += optind;

	bh_rec_open(&r, argc, argv, stdout);
	r.strict = strict;
	if (r.ncol == 0)
		return bh_fshut(bh_rec_close(&r));

	c.syn = bh_rec_need(&r, "syn_ts");
	c.synack = bh_rec_need(&r, "synack_ts");
	c.ack = bh_rec_need(&r, "ack_ts");
	c.syn_n = bh_rec_need(&r, "syn_n");
	c.synack_n = bh_rec_need(&r, "synack_n");
	c.proto = bh_rec_col(&r, "proto");
	c.dir = bh_rec_col(&r, "dir");
	c.syn_ans = bh_rec_col(&r, "syn_ans_ts");
	c.synack_ans = bh_rec_col(&r, "synack_ans_ts");
	for (i = 0; i < 2; i++)
		for (k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "%s_rtt_%s",
			    side_name[i], stat_name[k]);
			c.data[i][k] = bh_rec_col(&r, name);
		}

	bh_wr_init(&w, stdout, &r, rtt_owned, O_COUNT);
	bh_wr_header(&w, &r, rtt_owned);
	for (;;) {
		enum bh_rec_kind kind = bh_rec_next(&r);

		if (kind == BH_REC_EOF)
			break;
		if (kind == BH_REC_COMMENT) {
			bh_wr_line(&w, r.line, r.linelen);
			continue;
		}
		if (rtt_record(&r, &c, val, bufs) == -1)
			continue;
		bh_wr_record(&w, &r, val);
	}
	bh_wr_free(&w);
	return bh_fshut(bh_rec_close(&r));
}
