/*
 * bh-hosts - the distance to each remote party, over all its sessions:
 * the roles it played, when it was seen, its initial TTLs and hop counts
 * with their consistency, its OS by TTL and by signature, and its RTT by
 * every method (handshake leg, data-ACK, TCP timestamps) as
 * n/min/median/p95/max; one record per party (or per local/remote pair),
 * as a record stream that merges exactly.
 *
 * Reads the labelled stream (after bh-phase, bh-rtt and bh-ttl; only
 * dir, orig_ip, resp_ip and ts are required), or with --merge earlier
 * outputs of bh-hosts.  Deviates from the filters as bh-hist does: a
 * reducer, it does not pass records through (comments do pass) and its
 * memory grows with the parties, bounded by -N (exit 2 beyond it rather
 * than a cut table).  No peer gives this from a capture: tcptrace and
 * tstat summarise per connection, ePPing per /24 and live only, p0f per
 * host but without RTT or hop consistency.
 */
#include <stdio.h>

#include "bh.h"
#include "hosts.h"

static void
usage(FILE *fp, int full)
{
	fprintf(fp,
	    "usage: %s [-hl] [-N max] [-t hops] [--strict] [file ...]\n"
	    "       %s --merge [-h] [-N max] [-t hops] [--strict] [file ...]\n",
	    bh_progname, bh_progname);
	if (full)
		fprintf(fp,
		    "  -l          one record per local and remote pair\n"
		    "  -N max      at most max parties (default 1000000)\n"
		    "  -t hops     hop counts further apart are hops-spread "
		    "(default 2)\n"
		    "  --merge     add up the outputs of earlier runs\n"
		    "  --strict    the first bad record is fatal (exit 2)\n");
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct hosts h;
	int ch, rc, status;

	bh_diag_init(argv[0]);
	hosts_init(&h, stdout);
	bh_opt_init(&o, argc, argv, HOSTS_SHORTOPTS, hosts_longopts);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case BH_OPT_HELP:
		case BH_OPT_VERSION:
		case BH_OPT_BAD:
			bh_opt_end(ch, usage);
		default:
			if ((rc = hosts_option(&h, ch, o.arg)) == HOSTS_USAGE)
				bh_opt_end(BH_OPT_BAD, usage);
			if (rc != 0) {
				bh_opt_free(&o);
				hosts_free(&h);
				return BH_EXIT_FATAL;
			}
		}
	argc -= o.ind;
	argv += o.ind;

	hosts_loop(&h, &l);
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	if (!h.fatal && !r.stop)
		(void)hosts_finish(&h);
	if (!h.fatal) {
		if (h.nolocal > 0)
			bh_warnx("%llu records without a remote party (dir "
			    "not in or out, or no address) not counted",
			    (unsigned long long)h.nolocal);
	}
	if (h.fatal || r.stop)
		status = BH_EXIT_FATAL;
	else if (h.header && hosts_output(&h) == -1)
		status = BH_EXIT_FATAL;
	hosts_free(&h);
	return bh_fshut(status);
}
