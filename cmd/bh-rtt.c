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
#include <string.h>

#include "bh.h"
#include "rtt.h"

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-hT] [--strict] [file ...]\n", bh_progname);
	if (full)
		fprintf(fp,
		    "  -T        ignore the TCP timestamp option: a leg whose "
		    "opening packet\n"
		    "            was retransmitted is always - (tcptrace's "
		    "rule)\n"
		    "  --strict  the first bad record is fatal (exit 2)\n");
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct rtt t;
	int ch, status;

	bh_diag_init(argv[0]);
	memset(&t, 0, sizeof(t));
	t.out = stdout;
	bh_opt_init(&o, argc, argv, "T", NULL);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case 'T':
			t.no_tsopt = 1;
			break;
		default:
			bh_opt_end(ch, usage);
		}
	argc -= o.ind;
	argv += o.ind;

	rtt_loop(&t, &l);
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	rtt_end(&t);
	return bh_fshut(status);
}
