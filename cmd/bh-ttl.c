/*
 * bh-ttl - initial TTL, hop count and OS family of each side of a session
 * and of the remote party, from the observed IP TTL / IPv6 hop limit.
 *
 * Reads the session records of bh-sessions: orig_ttl and resp_ttl are
 * required; orig_ttl_min/_max/_chg, resp_ttl_min/_max/_chg, dir, orig_ip,
 * resp_ip, orig_pkts and resp_pkts are used when present.  Adds
 * orig_ttl_init orig_hops orig_os resp_ttl_init resp_hops resp_os
 * remote_ip remote_pkts remote_ttl remote_ttl_init remote_hops remote_os
 * ttl_note.
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
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "ttl.h"

static void
usage(int status)
{
	FILE *fp = status == 0 ? stdout : stderr;

	fprintf(fp, "usage: %s [-h] [--strict] [-d maxhops] [-i ttl,...] "
	    "[-m mapfile] [file ...]\n", bh_progname);
	if (status == 0)
		fprintf(fp,
		    "  -d maxhops  more hops than this is `-' (default 35)\n"
		    "  -i ttl,...  initial TTL candidates (default "
		    "32,64,128,255)\n"
		    "  -m mapfile  lines `TTL OS' overriding the OS names\n"
		    "  --strict    the first bad record is fatal (exit 2)\n");
	exit(status);
}

int
main(int argc, char *argv[])
{
	static const char *const defaults[][2] = {
		{ "32", "windows-old" }, { "64", "unix" },
		{ "128", "windows" }, { "255", "solaris/network" },
	};
	/* static: the reader's buffers stay reachable to the end (the lib
	 * has no bh_rec_free), so LeakSanitizer has nothing to report. */
	static struct bh_reader r;
	struct bh_writer w;
	struct side_cols sc[2];
	struct side sd[2];
	const char *val[O_COUNT], *mapfile = NULL;
	char note[256], pkts[BH_NUMBUF];
	unsigned long v;
	uint64_t npkts;
	int strict = 0, ch, i, rem, hp, dircol;

	bh_diag_init(argv[0]);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--strict") == 0) {
			strict = 1;
			memmove(argv + i, argv + i + 1,
			    (size_t)(argc - i) * sizeof(*argv));
			argc--;
			i--;
		}
	set_candidates("32,64,128,255");
	for (i = 0; i < (int)(sizeof(defaults) / sizeof(defaults[0])); i++)
		os_of[atoi(defaults[i][0])] = xstrdup(defaults[i][1]);
	while ((ch = getopt(argc, argv, "d:hi:m:")) != -1) {
		switch (ch) {
		case 'd':
			if (bh_parse_uint(optarg, 255, &v) == -1)
				bh_errx(BH_EXIT_FATAL, "-d %s: expected hops "
				    "0..255", optarg);
			maxhops = (unsigned)v;
			break;
		case 'h':
			usage(0);
			break;
		case 'i':
			if (set_candidates(optarg) == -1)
				bh_errx(BH_EXIT_FATAL, "-i %s: expected a "
				    "comma-separated list of TTLs 1..255",
				    optarg);
			break;
		case 'm':
			mapfile = optarg;
			break;
		default:
			usage(BH_EXIT_FATAL);
		}
	}
	argc -= optind;
	argv += optind;
	set_near();
	if (mapfile != NULL)
		read_osmap(mapfile);

	bh_rec_open(&r, argc, argv, stdout);
	r.strict = strict;
	if (r.ncol == 0)
		return bh_fshut(bh_rec_close(&r));
	sc[0].ttl = bh_rec_need(&r, "orig_ttl");
	sc[1].ttl = bh_rec_need(&r, "resp_ttl");
	sc[0].min = bh_rec_col(&r, "orig_ttl_min");
	sc[1].min = bh_rec_col(&r, "resp_ttl_min");
	sc[0].max = bh_rec_col(&r, "orig_ttl_max");
	sc[1].max = bh_rec_col(&r, "resp_ttl_max");
	sc[0].chg = bh_rec_col(&r, "orig_ttl_chg");
	sc[1].chg = bh_rec_col(&r, "resp_ttl_chg");
	sc[0].ip = bh_rec_col(&r, "orig_ip");
	sc[1].ip = bh_rec_col(&r, "resp_ip");
	sc[0].pkts = bh_rec_col(&r, "orig_pkts");
	sc[1].pkts = bh_rec_col(&r, "resp_pkts");
	dircol = bh_rec_col(&r, "dir");

	bh_wr_init(&w, stdout, &r, ttl_owned, O_COUNT);
	bh_wr_header(&w, &r, ttl_owned);
	for (;;) {
		enum bh_rec_kind kind = bh_rec_next(&r);

		if (kind == BH_REC_EOF)
			break;
		if (kind == BH_REC_COMMENT) {
			bh_wr_line(&w, r.line, r.linelen);
			continue;
		}
		/* dir `in`: the remote party opened the session (orig). */
		switch (bh_rec_get_dir(&r, dircol)) {
		case -1:
			continue;
		case BH_DIR_IN:
			rem = 0;
			break;
		case BH_DIR_OUT:
			rem = 1;
			break;
		default:
			rem = -1;
			break;
		}
		if (ttl_side(&r, &sc[0], &sd[0]) == -1 ||
		    ttl_side(&r, &sc[1], &sd[1]) == -1)
			continue;
		hp = 0;
		if (rem >= 0 && (hp = bh_rec_get_u64(&r, sc[rem].pkts,
		    &npkts)) == -1)
			continue;
		val[O_ORIG_INIT] = sd[0].init_v;
		val[O_ORIG_HOPS] = sd[0].hops_v;
		val[O_ORIG_OS] = sd[0].os_v;
		val[O_RESP_INIT] = sd[1].init_v;
		val[O_RESP_HOPS] = sd[1].hops_v;
		val[O_RESP_OS] = sd[1].os_v;
		val[O_REM_IP] = val[O_REM_PKTS] = val[O_REM_TTL] = NULL;
		val[O_REM_INIT] = val[O_REM_HOPS] = val[O_REM_OS] = NULL;
		if (rem >= 0) {
			if (sc[rem].ip >= 0)
				val[O_REM_IP] = r.f[sc[rem].ip];
			if (hp == 1) {
				bh_fmt_u64(pkts, npkts);
				val[O_REM_PKTS] = pkts;
			}
			if (sd[rem].set)
				val[O_REM_TTL] = sd[rem].ttl;
			val[O_REM_INIT] = sd[rem].init_v;
			val[O_REM_HOPS] = sd[rem].hops_v;
			val[O_REM_OS] = sd[rem].os_v;
		}
		note[0] = '\0';
		note_side(note, "orig", sd[0].flags);
		note_side(note, "resp", sd[1].flags);
		val[O_NOTE] = note[0] != '\0' ? note : "ok";
		bh_wr_record(&w, &r, val);
	}
	bh_wr_free(&w);
	return bh_fshut(bh_rec_close(&r));
}
