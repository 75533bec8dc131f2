/*
 * bh-ttl - initial TTL, hop count and OS family of each side of a session
 * and of the remote party, from the observed IP TTL / IPv6 hop limit.
 *
 * Reads the session records of bh-sessions: orig_ttl and resp_ttl are
 * required; orig_ttl_min/_max/_chg, resp_ttl_min/_max/_chg, dir, orig_ip,
 * resp_ip, orig_pkts and resp_pkts are used when present, and syn_sig
 * syn_muon synack_sig synack_muon for the OS by signature.  Adds
 * orig_ttl_init orig_hops orig_os orig_os_sig orig_os_match, the same of
 * resp_, remote_ip remote_pkts remote_ttl remote_ttl_init remote_hops
 * remote_os remote_os_sig remote_os_match, and ttl_note.  The OS by
 * signature matches a p0f 3 database (cmd/ttl-p0f.c) as p0f does.
 *
 * The rule is the hop-count filtering one (Jin, Wang, Shin, CCS 2003):
 * the initial TTL is the smallest candidate at or above the observed TTL,
 * hops = initial - observed, and a count beyond the plausible diameter is
 * rejected.  Where it differs from its peers: p0f takes 32/64/128/255 and
 * the same 35-hop limit but only flags a count beyond it (excess_dist)
 * and counts from the SYN's TTL; Argus counts against the next power of
 * two (TTL 240 is 16 hops, TTL 3 is 1) from the last packet's TTL;
 * Wireshark shows the raw ip.ttl only.  The near pairs 30/32 and
 * 60/64 are flagged in ttl_note when they make the count ambiguous, and a
 * TTL that changed within the session is counted from its minimum.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "ttl.h"

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-hP] [--strict] [-d maxhops] [-i ttl,...] "
	    "[-m mapfile] [-p p0f.fp]\n"
	    "       [file ...]\n", bh_progname);
	if (full)
		fprintf(fp,
		    "  -d maxhops  more hops than this is `-' (default 35)\n"
		    "  -i ttl,...  initial TTL candidates (default "
		    "32,64,128,255)\n"
		    "  -m mapfile  lines `TTL OS' overriding the OS names\n"
		    "  -P          no OS by signature (no p0f.fp)\n"
		    "  -p p0f.fp   p0f 3's fingerprints for the OS by "
		    "signature\n"
		    "              (default $BH_P0F_FP, else "
		    P0F_FP_DEFAULT " if there)\n"
		    "  --strict    the first bad record is fatal (exit 2)\n");
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct ttl t;
	const char *mapfile = NULL, *fpfile = NULL, *env;
	FILE *fp;
	int nofp = 0, bad;
	unsigned long v;
	int ch, status;

	bh_diag_init(argv[0]);
	ttl_init(&t, stdout);
	bh_opt_init(&o, argc, argv, "d:i:m:Pp:", NULL);
	while ((ch = bh_opt_next(&o)) != -1)
		switch (ch) {
		case 'd':
			if (bh_parse_uint(o.arg, 255, &v) == -1)
				bh_errx(BH_EXIT_FATAL, "-d %s: expected hops "
				    "0..255", o.arg);
			t.maxhops = (unsigned)v;
			break;
		case 'i':
			if (ttl_set_candidates(&t, o.arg) == -1)
				bh_errx(BH_EXIT_FATAL, "-i %s: expected a "
				    "comma-separated list of TTLs 1..255",
				    o.arg);
			break;
		case 'm':
			mapfile = o.arg;
			break;
		case 'P':
			nofp = 1;
			break;
		case 'p':
			fpfile = o.arg;
			break;
		default:
			bh_opt_end(ch, usage);
		}
	argc -= o.ind;
	argv += o.ind;
	if (mapfile != NULL && ttl_read_osmap(&t, mapfile) == -1) {
		ttl_end(&t);
		return BH_EXIT_FATAL;
	}
	/* The default database is optional; one that was named is not. */
	if (fpfile == NULL && !nofp) {
		if ((env = getenv("BH_P0F_FP")) != NULL)
			fpfile = *env != '\0' ? env : NULL;
		else if (access(P0F_FP_DEFAULT, R_OK) == 0)
			fpfile = P0F_FP_DEFAULT;
	}
	if (fpfile != NULL && !nofp) {
		if ((fp = fopen(fpfile, "r")) == NULL) {
			bh_warn("%s", fpfile);
			ttl_end(&t);
			return BH_EXIT_FATAL;
		}
		t.p0f = ttl_p0f_read_fp(fp, fpfile, &bad);
		fclose(fp);
		if (bad) {
			ttl_end(&t);
			return BH_EXIT_FATAL;
		}
	}

	ttl_loop(&t, &l);
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	ttl_end(&t);
	return bh_fshut(status);
}
