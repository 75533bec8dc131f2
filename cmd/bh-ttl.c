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

#define MAXOSNAME	64

enum {
	O_ORIG_INIT, O_ORIG_HOPS, O_ORIG_OS,
	O_RESP_INIT, O_RESP_HOPS, O_RESP_OS,
	O_REM_IP, O_REM_PKTS, O_REM_TTL, O_REM_INIT, O_REM_HOPS, O_REM_OS,
	O_NOTE,
	O_COUNT
};
static const char *const owned[O_COUNT] = {
	"orig_ttl_init", "orig_hops", "orig_os",
	"resp_ttl_init", "resp_hops", "resp_os",
	"remote_ip", "remote_pkts", "remote_ttl", "remote_ttl_init",
	"remote_hops", "remote_os",
	"ttl_note",
};

/*
 * ttl_note flags of one side; the note lists `orig:FLAG` then `resp:FLAG`
 * items in this order, comma-separated, or `ok` when none is set.
 */
enum {
	F_NEAR32	= 1 << 0,	/* 30 and 32 both possible */
	F_NEAR64	= 1 << 1,	/* 60 and 64 both possible */
	F_CHANGED	= 1 << 2,	/* TTL changed within the session */
	F_MIXED		= 1 << 3,	/* max TTL above the initial TTL */
	F_FAR		= 1 << 4,	/* hops above -d: hops `-` */
	F_NO_INIT	= 1 << 5	/* TTL above every candidate */
};
static const char *const flag_names[] = {
	"30/32", "60/64", "changed", "mixed", "far", "no-init",
};
#define NFLAGS	(sizeof(flag_names) / sizeof(flag_names[0]))

/* Per observed TTL 0..255: the initial TTL (0: none) and near flags. */
static unsigned	init_of[256];
static int	near_of[256];
static unsigned	maxhops = 35;
/* Per initial TTL 1..255: the OS family, NULL for none. */
static char	*os_of[256];

struct side_cols {
	int	ttl, min, max, chg, ip, pkts;
};

/* One side's results, formatted. */
struct side {
	int	set;			/* side has a TTL */
	int	flags;
	char	ttl[BH_NUMBUF], init[BH_NUMBUF], hops[BH_NUMBUF];
	const char *init_v, *hops_v, *os_v;
};

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

/*
 * Parse the candidate list "32,64,128,255" (values 1..255, any order,
 * duplicates allowed) and fill init_of[]: for each observed TTL the
 * smallest candidate at or above it.  Returns -1 on a malformed list.
 */
static int
set_candidates(const char *list)
{
	int cand[256] = { 0 };
	unsigned long v;
	char *copy, *tok, *last;
	int t, k, n = 0;

	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &last); tok != NULL;
	    tok = strtok_r(NULL, ",", &last)) {
		if (bh_parse_uint(tok, 255, &v) == -1 || v == 0) {
			free(copy);
			return -1;
		}
		cand[v] = 1;
		n++;
	}
	free(copy);
	if (n == 0 || list[0] == ',' || list[strlen(list) - 1] == ',' ||
	    strstr(list, ",,") != NULL)
		return -1;
	for (t = 255, k = 0; t >= 0; t--) {
		if (t > 0 && cand[t])
			k = t;
		init_of[t] = (unsigned)k;
	}
	return 0;
}

/*
 * The near pairs of the hop-count filtering literature: an observed TTL
 * at or below the lower member of a pair, whose initial TTL was taken to
 * be one of the pair, may have started at either (a stack starting at 60
 * and one starting at 64 both reach 58).  A TTL above the lower member
 * cannot have started there and is not flagged.
 */
static void
set_near(void)
{
	int t;

	for (t = 0; t < 256; t++) {
		near_of[t] = 0;
		if (t <= 30 && (init_of[t] == 30 || init_of[t] == 32))
			near_of[t] |= F_NEAR32;
		if (t <= 60 && (init_of[t] == 60 || init_of[t] == 64))
			near_of[t] |= F_NEAR64;
	}
}

/*
 * Read the OS map: one `TTL NAME` per line (blank lines and `#` comments
 * ignored); NAME is printable ASCII without blanks or backslashes (so it
 * needs no escaping in the stream), at most 64 bytes, and
 * `-` removes the default name.  Entries replace the defaults one by one.
 * Any error is fatal (exit 2) with file:line.
 */
static void
read_osmap(const char *fn)
{
	char line[512], *p, *q, *name;
	unsigned long v, lineno = 0;
	FILE *fp;
	size_t n;

	if ((fp = fopen(fn, "r")) == NULL)
		bh_err(BH_EXIT_FATAL, "%s", fn);
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			bh_warnx_at(fn, lineno, "line too long");
			exit(BH_EXIT_FATAL);
		}
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		for (q = p; *q != '\0' && *q != ' ' && *q != '\t'; q++)
			;
		if (*q != '\0')
			*q++ = '\0';
		while (*q == ' ' || *q == '\t')
			q++;
		name = q;
		for (; *q != '\0' && *q != ' ' && *q != '\t'; q++)
			if (!isgraph((unsigned char)*q) || *q == '\\') {
				bh_warnx_at(fn, lineno, "OS name: printable "
				    "ASCII without blanks or backslashes");
				exit(BH_EXIT_FATAL);
			}
		if (*q != '\0') {
			*q++ = '\0';
			while (*q == ' ' || *q == '\t')
				q++;
		}
		if (bh_parse_uint(p, 255, &v) == -1 || v == 0 ||
		    *name == '\0' || (*q != '\0' && *q != '#') ||
		    strlen(name) > MAXOSNAME) {
			bh_warnx_at(fn, lineno, "expected `TTL OS' with TTL "
			    "1..255 and a name of at most %d bytes",
			    MAXOSNAME);
			exit(BH_EXIT_FATAL);
		}
		free(os_of[v]);
		os_of[v] = BH_UNSET(name) ? NULL : xstrdup(name);
	}
	if (ferror(fp))
		bh_err(BH_EXIT_FATAL, "%s", fn);
	fclose(fp);
}

/*
 * Derive one side from its TTL columns: the base for the count is the
 * minimum TTL when known (the farthest the side's packets came from),
 * else the first packet's TTL.  Returns -1 on a bad or inconsistent value
 * (reported), else 0.
 */
static int
ttl_side(struct bh_reader *r, const struct side_cols *sc, struct side *s)
{
	unsigned long ttl, mn, mx, base, top;
	uint64_t chg = 0;
	int h, hmin, hmax, hchg;
	unsigned init;

	s->set = 0;
	s->flags = 0;
	s->init_v = s->hops_v = s->os_v = NULL;
	if ((h = bh_rec_get_uint(r, sc->ttl, 255, "TTL", &ttl)) == -1 ||
	    (hmin = bh_rec_get_uint(r, sc->min, 255, "TTL", &mn)) == -1 ||
	    (hmax = bh_rec_get_uint(r, sc->max, 255, "TTL", &mx)) == -1 ||
	    (hchg = bh_rec_get_u64(r, sc->chg, &chg)) == -1)
		return -1;
	if (h == 0)
		return 0;
	if (hmin && mn > ttl) {
		bh_rec_bad(r, "%s: %lu above %s %lu; record skipped",
		    r->col[sc->min], mn, r->col[sc->ttl], ttl);
		return -1;
	}
	if (hmax && mx < ttl) {
		bh_rec_bad(r, "%s: %lu below %s %lu; record skipped",
		    r->col[sc->max], mx, r->col[sc->ttl], ttl);
		return -1;
	}
	base = hmin ? mn : ttl;
	top = hmax ? mx : ttl;
	s->set = 1;
	bh_fmt_u64(s->ttl, ttl);
	if (chg > 0 || base != top)
		s->flags |= F_CHANGED;
	if ((init = init_of[base]) == 0) {
		s->flags |= F_NO_INIT;
		return 0;
	}
	s->flags |= near_of[base];
	if (top > init)
		s->flags |= F_MIXED;
	bh_fmt_u64(s->init, init);
	s->init_v = s->init;
	s->os_v = os_of[init];
	if (init - base > maxhops)
		s->flags |= F_FAR;
	else {
		bh_fmt_u64(s->hops, init - base);
		s->hops_v = s->hops;
	}
	return 0;
}

/* Append `side:flag` items for the set flags to the note in o. */
static void
note_side(char *o, const char *side, int flags)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (flags & (1 << i)) {
			if (*o != '\0')
				strcat(o, ",");
			strcat(o, side);
			strcat(o, ":");
			strcat(o, flag_names[i]);
		}
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

	bh_wr_init(&w, stdout, &r, owned, O_COUNT);
	bh_wr_header(&w, &r, owned);
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
