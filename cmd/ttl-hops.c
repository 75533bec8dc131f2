/*
 * ttl-hops.c - bh-ttl's computation: the initial TTL of an observed one,
 * the near pairs, the OS names and their mapping file, one side's hops.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "ttl.h"

#define MAXOSNAME	64

static const char *const ttl_owned[O_COUNT] = {
	"orig_ttl_init", "orig_hops", "orig_os", "orig_os_sig",
	"orig_os_match",
	"resp_ttl_init", "resp_hops", "resp_os", "resp_os_sig",
	"resp_os_match",
	"remote_ip", "remote_pkts", "remote_ttl", "remote_ttl_init",
	"remote_hops", "remote_os", "remote_os_sig", "remote_os_match",
	"ttl_note",
};
static const char *const match_names[] = { NULL, "exact", "generic",
    "fuzzy" };

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
	F_NO_INIT	= 1 << 5,	/* TTL above every candidate */
	F_OS_CONFLICT	= 1 << 6,	/* the signature's OS class is not the
					   TTL's family */
	F_MULTICAST	= 1 << 7	/* sent to a group: its TTL is the
					   group's scope, not the stack's */
};
static const char *const flag_names[] = {
	"30/32", "60/64", "changed", "mixed", "far", "no-init",
	"os-conflict", "multicast",
};
#define NFLAGS	(sizeof(flag_names) / sizeof(flag_names[0]))

/* One side's results, formatted. */
struct side {
	int	set;			/* side has a TTL */
	int	flags;
	char	ttl[BH_NUMBUF], init[BH_NUMBUF], hops[BH_NUMBUF];
	const char *init_v, *hops_v, *os_v;
	unsigned init_n;		/* initial TTL, 0 none */
	const char *ossig_v, *osmatch_v;
};



/*
 * Parse the candidate list "32,64,128,255" (values 1..255, any order,
 * duplicates allowed) and fill init_of[]: for each observed TTL the
 * smallest candidate at or above it.  Returns -1 on a malformed list.
 */
int
ttl_set_candidates(struct ttl *t, const char *list)
{
	int cand[256] = { 0 };
	unsigned long v;
	char *copy, *tok, *last;
	struct ttl *tt = t;
	int i, k, n = 0;

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
	for (i = 255, k = 0; i >= 0; i--) {
		if (i > 0 && cand[i])
			k = i;
		tt->init_of[i] = (unsigned)k;
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
set_near(struct ttl *t)
{
	int i;

	for (i = 0; i < 256; i++) {
		t->near_of[i] = 0;
		if (i <= 30 && (t->init_of[i] == 30 || t->init_of[i] == 32))
			t->near_of[i] |= F_NEAR32;
		if (i <= 60 && (t->init_of[i] == 60 || t->init_of[i] == 64))
			t->near_of[i] |= F_NEAR64;
	}
}

/*
 * Read the OS map: one `TTL NAME` per line (blank lines and `#` comments
 * ignored); NAME is printable ASCII without blanks or backslashes (so it
 * needs no escaping in the stream), at most 64 bytes, and
 * `-` removes the default name.  Entries replace the defaults one by one.
 * Returns 0, or -1 after reporting the first error with file:line.
 */
int
ttl_read_osmap(struct ttl *t, const char *fn)
{
	char line[512], *p, *q, *name;
	unsigned long v, lineno = 0;
	FILE *fp;
	size_t n;
	int rc = -1;

	if ((fp = fopen(fn, "r")) == NULL) {
		bh_warn("%s", fn);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(fp)) {
			bh_warnx_at(fn, lineno, "line too long");
			goto out;
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
				goto out;
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
			goto out;
		}
		free(t->os_of[v]);
		t->os_of[v] = BH_UNSET(name) ? NULL : xstrdup(name);
	}
	if (ferror(fp))
		bh_warn("%s", fn);
	else
		rc = 0;
out:
	fclose(fp);
	return rc;
}

/*
 * Derive one side from its TTL columns: the base for the count is the
 * minimum TTL when known (the farthest the side's packets came from),
 * else the first packet's TTL.  Returns -1 on a bad or inconsistent value
 * (reported), else 0.
 */
static int
ttl_side(const struct ttl *t, struct bh_reader *r, const struct side_cols *sc,
    struct side *s)
{
	unsigned long ttl, mn, mx, base, top;
	uint64_t chg = 0;
	int h, hmin, hmax, hchg;
	unsigned init;

	s->set = 0;
	s->flags = 0;
	s->init_n = 0;
	s->init_v = s->hops_v = s->os_v = NULL;
	s->ossig_v = s->osmatch_v = NULL;
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
	if ((init = t->init_of[base]) == 0) {
		s->flags |= F_NO_INIT;
		return 0;
	}
	s->flags |= t->near_of[base];
	if (top > init)
		s->flags |= F_MIXED;
	bh_fmt_u64(s->init, init);
	s->init_v = s->init;
	s->init_n = init;
	s->os_v = t->os_of[init];
	if (init - base > t->maxhops)
		s->flags |= F_FAR;
	else {
		bh_fmt_u64(s->hops, init - base);
		s->hops_v = s->hops;
	}
	return 0;
}

/*
 * The OS by signature of side d (0 the SYN, 1 the SYN/ACK) into s, and
 * the conflict with the TTL's family: a Windows signature behind an
 * initial TTL of 64, a Unix one behind 128 or 32 (NAT, a proxy or
 * spoofing; 255 is both network gear and Solaris, so no conflict).
 * A signature that does not read back is no signature.  Returns the
 * signature's MSS (0 when none), for the SYN/ACK's window (syn_mss).
 */
static unsigned
sig_side(const struct ttl *t, struct bh_reader *r, int d, unsigned syn_mss,
    struct side *s)
{
	const struct side_cols *sc = &t->sc[d];
	struct bh_tcpfp fp;
	const char *os, *klass;
	int m;

	if (t->p0f == NULL || sc->sig < 0 || sc->muon < 0 ||
	    BH_UNSET(r->f[sc->sig]) ||
	    bh_tcpfp_parse(r->f[sc->sig], r->f[sc->muon], &fp) == -1)
		return 0;
	fp.synack = (uint8_t)d;
	if ((m = ttl_p0f_match(t->p0f, &fp, d, syn_mss, &os, &klass)) ==
	    P0F_NONE)
		return fp.mss;
	s->ossig_v = os;
	s->osmatch_v = match_names[m];
	if ((strcmp(klass, "win") == 0 && s->init_n == 64) ||
	    (strcmp(klass, "unix") == 0 && (s->init_n == 128 ||
	    s->init_n == 32)))
		s->flags |= F_OS_CONFLICT;
	return fp.mss;
}

/*
 * Whether the address text s is a group or the limited broadcast: IPv4
 * 224.0.0.0/4 or 255.255.255.255, IPv6 ff00::/8.  A sender picks the
 * TTL of such a packet for the group's scope, not its stack's initial
 * TTL (LLMNR sends TTL 1, RFC 4795 section 2.5; mDNS 255, RFC 6762
 * section 11; SSDP 2 or 4, UPnP Device Architecture 1.1 section 1.1.2),
 * so it tells no distance and no OS.
 */
static int
is_group(const char *s)
{
	unsigned char a[16];

	/* Per record: only a text that can be one is parsed (224. to
	 * 239., 255.255.255.255, ff..) */
	if (!(s[0] == '2' && (s[1] == '2' || s[1] == '3' || s[1] == '5')) &&
	    !((s[0] == 'f' || s[0] == 'F') && (s[1] == 'f' || s[1] == 'F')))
		return 0;
	if (inet_pton(AF_INET, s, a) == 1)
		return (a[0] & 0xf0) == 0xe0 || (a[0] == 255 && a[1] == 255 &&
		    a[2] == 255 && a[3] == 255);
	if (inet_pton(AF_INET6, s, a) == 1)
		return a[0] == 0xff;
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


void
ttl_init(struct ttl *t, FILE *out)
{
	static const char *const defaults[][2] = {
		{ "32", "windows-old" }, { "64", "unix" },
		{ "128", "windows" }, { "255", "solaris/network" },
	};
	size_t i;

	memset(t, 0, sizeof(*t));
	t->out = out;
	t->maxhops = 35;
	(void)ttl_set_candidates(t, "32,64,128,255");
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		t->os_of[atoi(defaults[i][0])] = xstrdup(defaults[i][1]);
}

static int
ttl_header(void *arg, struct bh_reader *r)
{
	struct ttl *t = arg;
	struct side_cols *sc = t->sc;

	set_near(t);
	sc[0].ttl = bh_rec_need(r, "orig_ttl");
	sc[1].ttl = bh_rec_need(r, "resp_ttl");
	if (sc[0].ttl < 0 || sc[1].ttl < 0)
		return -1;
	sc[0].min = bh_rec_col(r, "orig_ttl_min");
	sc[1].min = bh_rec_col(r, "resp_ttl_min");
	sc[0].max = bh_rec_col(r, "orig_ttl_max");
	sc[1].max = bh_rec_col(r, "resp_ttl_max");
	sc[0].chg = bh_rec_col(r, "orig_ttl_chg");
	sc[1].chg = bh_rec_col(r, "resp_ttl_chg");
	sc[0].ip = bh_rec_col(r, "orig_ip");
	sc[1].ip = bh_rec_col(r, "resp_ip");
	sc[0].pkts = bh_rec_col(r, "orig_pkts");
	sc[1].pkts = bh_rec_col(r, "resp_pkts");
	t->dircol = bh_rec_col(r, "dir");
	sc[0].sig = bh_rec_col(r, "syn_sig");
	sc[1].sig = bh_rec_col(r, "synack_sig");
	sc[0].muon = bh_rec_col(r, "syn_muon");
	sc[1].muon = bh_rec_col(r, "synack_muon");
	bh_wr_start(&t->w, t->out, r->col, r->ncol, ttl_owned, O_COUNT);
	bh_wr_names(&t->w);
	return 0;
}

/* One record: its owned values written, or it is reported and skipped. */
static int
ttl_record(void *arg, struct bh_reader *r)
{
	struct ttl *t = arg;
	const struct side_cols *sc = t->sc;
	struct side sd[2];
	const char *val[O_COUNT];
	char note[256], pkts[BH_NUMBUF];
	uint64_t npkts;
	int rem, hp;

	/* dir `in`: the remote party opened the session (orig). */
	switch (bh_rec_get_dir(r, t->dircol)) {
	case -1:
		return 0;
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
	if (ttl_side(t, r, &sc[0], &sd[0]) == -1 ||
	    ttl_side(t, r, &sc[1], &sd[1]) == -1)
		return 0;
	if (sd[0].set && sc[1].ip >= 0 && is_group(r->f[sc[1].ip])) {
		sd[0].flags = F_MULTICAST;
		sd[0].init_n = 0;
		sd[0].init_v = sd[0].hops_v = sd[0].os_v = NULL;
	}
	if (t->p0f != NULL) {
		sig_side(t, r, 1, sig_side(t, r, 0, 0, &sd[0]), &sd[1]);
	}
	hp = 0;
	if (rem >= 0 && (hp = bh_rec_get_u64(r, sc[rem].pkts, &npkts)) == -1)
		return 0;
	val[O_ORIG_INIT] = sd[0].init_v;
	val[O_ORIG_HOPS] = sd[0].hops_v;
	val[O_ORIG_OS] = sd[0].os_v;
	val[O_ORIG_OSSIG] = sd[0].ossig_v;
	val[O_ORIG_OSMATCH] = sd[0].osmatch_v;
	val[O_RESP_INIT] = sd[1].init_v;
	val[O_RESP_HOPS] = sd[1].hops_v;
	val[O_RESP_OS] = sd[1].os_v;
	val[O_RESP_OSSIG] = sd[1].ossig_v;
	val[O_RESP_OSMATCH] = sd[1].osmatch_v;
	val[O_REM_IP] = val[O_REM_PKTS] = val[O_REM_TTL] = NULL;
	val[O_REM_INIT] = val[O_REM_HOPS] = val[O_REM_OS] = NULL;
	val[O_REM_OSSIG] = val[O_REM_OSMATCH] = NULL;
	if (rem >= 0) {
		if (sc[rem].ip >= 0)
			val[O_REM_IP] = r->f[sc[rem].ip];
		if (hp == 1) {
			bh_fmt_u64(pkts, npkts);
			val[O_REM_PKTS] = pkts;
		}
		if (sd[rem].set)
			val[O_REM_TTL] = sd[rem].ttl;
		val[O_REM_INIT] = sd[rem].init_v;
		val[O_REM_HOPS] = sd[rem].hops_v;
		val[O_REM_OS] = sd[rem].os_v;
		val[O_REM_OSSIG] = sd[rem].ossig_v;
		val[O_REM_OSMATCH] = sd[rem].osmatch_v;
	}
	note[0] = '\0';
	note_side(note, "orig", sd[0].flags);
	note_side(note, "resp", sd[1].flags);
	val[O_NOTE] = note[0] != '\0' ? note : "ok";
	bh_wr_fields(&t->w, r->f, val);
	return 0;
}

static int
ttl_comment(void *arg, const char *line, size_t len)
{
	struct ttl *t = arg;

	bh_wr_comment(&t->w, t->out, line, len);
	return 0;
}

void
ttl_loop(struct ttl *t, struct bh_loop *l)
{
	l->header = ttl_header;
	l->record = ttl_record;
	l->comment = ttl_comment;
	l->arg = t;
}

void
ttl_end(struct ttl *t)
{
	size_t i;

	bh_wr_free(&t->w);
	ttl_p0f_free(t->p0f);
	t->p0f = NULL;
	for (i = 0; i < 256; i++) {
		free(t->os_of[i]);
		t->os_of[i] = NULL;
	}
}
