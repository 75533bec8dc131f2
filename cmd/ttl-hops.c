/*
 * ttl-hops.c - bh-ttl's computation: the initial TTL of an observed one,
 * the near pairs, the OS names and their mapping file, one side's hops.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "ttl.h"

#define MAXOSNAME	64

const char *const ttl_owned[O_COUNT] = {
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
unsigned	init_of[256];
int	near_of[256];
unsigned	maxhops = 35;
/* Per initial TTL 1..255: the OS family, NULL for none. */
char	*os_of[256];


/*
 * Parse the candidate list "32,64,128,255" (values 1..255, any order,
 * duplicates allowed) and fill init_of[]: for each observed TTL the
 * smallest candidate at or above it.  Returns -1 on a malformed list.
 */
int
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
void
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
void
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
int
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
void
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

