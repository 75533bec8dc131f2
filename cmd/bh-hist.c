/*
 * bh-hist - histograms (1-D and 2-D, grouped, weighted) and summary
 * statistics of a bh record stream, as a record stream that merges
 * exactly; and the figures drawn from it (SVG, terminal bars).
 *
 * Reads the record stream on stdin or the named files, or with --merge
 * the outputs of earlier bh-hist runs.  Writes, at the end of input, one
 * row per cell (key, group, bin[, bin2]) with its record count n and
 * weight sum w, sorted; with -S also the exact value table of binned keys
 * and one row of statistics per group.  Deviates from the filters: it does
 * not pass records through (comments do pass), and it keeps state: memory
 * grows with the cells (keys x groups x bins, plus the distinct values of
 * binned keys with -S), never with the records, and -N bounds it.  In
 * the figures a group's colour depends on its own values only (a table of
 * the suite's vocabulary, else a hash), so it is the same in every figure.
 *
 * Everything that reaches the stream is exact: values are integer
 * micro-units (6 decimals, the finest the stream carries), weight sums are
 * integers plus micro-unit fractions, quantiles are values that occur in
 * the data, and the mean is computed from the merged value table in sorted
 * order.  So `bh-hist OPTS A B` and `bh-hist --merge <(bh-hist OPTS A)
 * <(bh-hist OPTS B)` write the same bytes (the merge law, tested).
 */
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"

#define MICRO		1000000
#define WMAX		((uint64_t)1 << 61)	/* weight sums stay below */
#define MAXSHOWN	10		/* bad records reported one by one */
#define DEF_MAXCELLS	1000000UL

/* Coordinate kinds, in output order: numbers, text, unset; none = 1-D. */
enum { CK_NUM, CK_TEXT, CK_UNSET, CK_NONE };
/* Row kinds, in output order within a group. */
enum { ROW_STAT, ROW_HIST, ROW_VALUE };
static const char *const rowname[] = { "stat", "hist", "value" };

/* Output columns; a group column may not take one of these names. */
static const char *const reserved[] = {
	"key", "width", "key2", "width2", "weight", "row", "bin", "bin2",
	"n", "w", "min", "q1", "median", "q3", "max", "mean", NULL
};
enum { RC_KEY, RC_WIDTH, RC_KEY2, RC_WIDTH2, RC_WEIGHT, RC_ROW, RC_BIN,
	RC_BIN2, RC_N, RC_W, RC_NRES = 16 };

struct coord {
	int64_t		 v;	/* CK_NUM: micro-units; CK_TEXT: text id */
	int		 k;
	const char	*s;	/* CK_TEXT before interning */
};

/* A weight or weight sum: whole units plus micro-units. */
struct wsum {
	uint64_t	 whole;
	uint32_t	 frac;	/* < MICRO */
};

struct cell {
	uint64_t	 hash;
	uint32_t	 spec, group;
	int64_t		 v1, v2;
	uint64_t	 n;
	struct wsum	 w;
	uint8_t		 row, k1, k2;
};

/*
 * A histogram: key, width, key2, width2, weight as written in the stream
 * ("-" where none); width 0 means one bin per distinct value.
 */
struct spec {
	char		*name[5];
	int64_t		 width[2];
	int		 two;
	int		 col[2];	/* input columns (not with --merge) */
};

/* Interned strings with dense ids (open addressing, ids + 1 in slots). */
struct strtab {
	char		**s;
	size_t		 *len;
	uint64_t	 *h;
	uint32_t	  n, cap;
	uint32_t	 *slot;
	uint32_t	  mask;
};

struct stats {
	uint64_t	 n;
	struct wsum	 w;
	int		 have;
	int64_t		 q[5];		/* min q1 median q3 max */
	int64_t		 mean;		/* micro-units, rounded */
};

static struct strtab	 texts, groups, specids;
static struct spec	*specs;
static size_t		 nspecs;
static char		***gpart;	/* group id -> its values */
static char		**gnames;	/* group column names */
static size_t		 ngcols;
static int		*gcol;		/* their input columns */
static struct cell	*cells;
static size_t		 ncells, cellcap;
static uint32_t		*cslot;
static size_t		 cmask;
static unsigned long	 maxcells = DEF_MAXCELLS;
static uint32_t		*specrank, *grouprank, *textrank;
static int		 statsmode, has2d;
static const char	*weightcol;
static int		 wcol = -1;
static unsigned long	 nweightless;
static struct bh_writer	 out;

/* Figure options. */
static const char	*title, *xlabel, *ylabel;
static int		 stacked;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: %s [-S] [-b col[,col...]] [-k key[:width][,key2[:width]]]\n"
	    "\t[-N max] [-T title] [-w col] [-X label] [-Y label] [--bars]\n"
	    "\t[--colors value=#rrggbb,...] [--stacked] [--strict]\n"
	    "\t[--svg file] [file ...]\n"
	    "       %s --merge [-N max] [-T title] [-X label] [-Y label]\n"
	    "\t[--bars] [--colors value=#rrggbb,...] [--stacked] [--strict]\n"
	    "\t[--svg file] [file ...]\n",
	    bh_progname, bh_progname);
	exit(BH_EXIT_FATAL);
}

/* ---- numbers -------------------------------------------------------- */

/* A value in micro-units: "[-]D[.D]", rounded beyond 6 decimals. */
static int
parse_num(const char *s, int64_t *v)
{
	return bh_parse_usec(s, v);
}

/* The canonical text of a micro-unit value: no trailing zeros, no "." for
 * an integer ("40", "0.5", "-12.25"); it reads back as the same value. */
static int
fmt_num(char *buf, int64_t v)
{
	uint64_t u;
	uint32_t fr;
	char *p = buf;
	int i;

	if (v < 0) {
		*p++ = '-';
		u = (uint64_t)0 - (uint64_t)v;
	} else
		u = (uint64_t)v;
	p += bh_fmt_u64(p, u / MICRO);
	if ((fr = (uint32_t)(u % MICRO)) != 0) {
		*p++ = '.';
		for (i = 5; i >= 0; i--) {
			p[i] = (char)('0' + fr % 10);
			fr /= 10;
		}
		p += 6;
		while (p[-1] == '0')
			p--;
	}
	*p = '\0';
	return (int)(p - buf);
}

/*
 * A weight: a number >= 0 with at most 6 decimals ("12", "0.5").  Returns
 * 0, or -1 when s is not one or is too large.
 */
static int
parse_weight(const char *s, struct wsum *w)
{
	uint64_t whole = 0;
	uint32_t frac = 0;
	int nd = 0, digits = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (whole > (WMAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (nd == 6)
				return -1;
			frac = frac * 10 + (uint32_t)(*p - '0');
			nd++;
		}
	if (*p != '\0' || digits == 0)
		return -1;
	for (; nd < 6; nd++)
		frac *= 10;
	w->whole = whole;
	w->frac = frac;
	return 0;
}

static void
wsum_add(struct wsum *a, const struct wsum *b)
{
	a->whole += b->whole;
	a->frac += b->frac;
	if (a->frac >= MICRO) {
		a->frac -= MICRO;
		a->whole++;
	}
	if (a->whole >= WMAX)
		bh_errx(BH_EXIT_FATAL, "weight sum overflow (more than 2^61)");
}

/* a * m for a small m (m <= 4, a < WMAX: no overflow). */
static struct wsum
wsum_mul(struct wsum a, unsigned m)
{
	uint64_t f = (uint64_t)a.frac * m;
	struct wsum r;

	r.whole = a.whole * m + f / MICRO;
	r.frac = (uint32_t)(f % MICRO);
	return r;
}

static int
wsum_cmp(struct wsum a, struct wsum b)
{
	if (a.whole != b.whole)
		return a.whole < b.whole ? -1 : 1;
	if (a.frac != b.frac)
		return a.frac < b.frac ? -1 : 1;
	return 0;
}

static int
wsum_zero(const struct wsum *a)
{
	return a->whole == 0 && a->frac == 0;
}

/* An integer when the sum is whole, else the shortest exact decimal. */
static int
fmt_wsum(char *buf, const struct wsum *a)
{
	char *p = buf;
	uint32_t fr = a->frac;
	int i;

	p += bh_fmt_u64(p, a->whole);
	if (fr != 0) {
		*p++ = '.';
		for (i = 5; i >= 0; i--) {
			p[i] = (char)('0' + fr % 10);
			fr /= 10;
		}
		p += 6;
		while (p[-1] == '0')
			p--;
	}
	*p = '\0';
	return (int)(p - buf);
}

static double
wsum_double(const struct wsum *a)
{
	return (double)a->whole + (double)a->frac / MICRO;
}

/*
 * The order of every value in the output (bins, groups, key names): numbers
 * by value, then text bytewise, then "-"; numerically equal texts ("40",
 * "40.0") bytewise.  A pure function of the two strings, so --merge, which
 * sees only printed values, sorts exactly as the first pass did.
 */
static int
valcmp(const char *a, const char *b)
{
	int64_t x, y;
	int ka, kb;

	ka = BH_UNSET(a) ? CK_UNSET : parse_num(a, &x) == 0 ? CK_NUM : CK_TEXT;
	kb = BH_UNSET(b) ? CK_UNSET : parse_num(b, &y) == 0 ? CK_NUM : CK_TEXT;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (ka == CK_NUM && x != y)
		return x < y ? -1 : 1;
	return strcmp(a, b);
}

/* A field value for a message: escaped, quoted, at most ~60 bytes. */
static const char *
quote(const char *s)
{
	static char buf[80];
	size_t n = strlen(s), used, k;

	buf[0] = '\'';
	k = bh_escape_bounded(buf + 1, 60, (const unsigned char *)s, n, &used);
	if (used < n) {
		memcpy(buf + 1 + k, "...", 3);
		k += 3;
	}
	buf[1 + k] = '\'';
	buf[2 + k] = '\0';
	return buf;
}

/* Report a bad record as bh_rec_bad does, but only the first MAXSHOWN
 * one by one (a wrong -k on a big stream must not flood the terminal);
 * all are counted and summarised by bh_rec_close. */
static void
bad(struct bh_reader *r, const char *fmt, ...) BH_PRINTF(2, 3);

static void
bad(struct bh_reader *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nskipped < MAXSHOWN || r->strict) {
		va_start(ap, fmt);
		bh_vwarnx_at(r->name, r->lineno, fmt, ap);
		va_end(ap);
	} else if (r->nskipped == MAXSHOWN)
		bh_warnx("more bad records: counted, not shown");
	r->nskipped++;
	if (r->strict)
		exit(BH_EXIT_FATAL);
	if (r->status < BH_EXIT_BAD)
		r->status = BH_EXIT_BAD;
}

/* ---- interned strings ----------------------------------------------- */

static uint64_t
hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (n-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void
strtab_grow(struct strtab *t)
{
	uint32_t i, j, nslots = t->mask == 0 ? 64 : (t->mask + 1) * 2;

	free(t->slot);
	t->slot = xcalloc(nslots, sizeof(*t->slot));
	t->mask = nslots - 1;
	for (i = 0; i < t->n; i++) {
		for (j = (uint32_t)t->h[i] & t->mask; t->slot[j] != 0;
		    j = (j + 1) & t->mask)
			;
		t->slot[j] = i + 1;
	}
}

/* The id of the n bytes at s (a NUL-terminated copy is kept); *isnew
 * tells whether it was added. */
static uint32_t
strtab_intern(struct strtab *t, const char *s, size_t n, int *isnew)
{
	uint64_t h = hash_bytes(s, n);
	uint32_t i, id;

	if ((t->n + 1) * 2 > t->mask + 1)
		strtab_grow(t);
	for (i = (uint32_t)h & t->mask; (id = t->slot[i]) != 0;
	    i = (i + 1) & t->mask) {
		id--;
		if (t->h[id] == h && t->len[id] == n &&
		    memcmp(t->s[id], s, n) == 0) {
			*isnew = 0;
			return id;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 64 : t->cap * 2;
		t->s = xreallocarray(t->s, t->cap, sizeof(*t->s));
		t->len = xreallocarray(t->len, t->cap, sizeof(*t->len));
		t->h = xreallocarray(t->h, t->cap, sizeof(*t->h));
	}
	id = t->n++;
	t->s[id] = xmalloc(n + 1);
	memcpy(t->s[id], s, n);
	t->s[id][n] = '\0';
	t->len[id] = n;
	t->h[id] = h;
	t->slot[i] = id + 1;
	*isnew = 1;
	return id;
}

static uint32_t
text_id(const char *s)
{
	int isnew;

	return strtab_intern(&texts, s, strlen(s), &isnew);
}

/* ---- groups --------------------------------------------------------- */

static char	*gbuf;
static size_t	 gbufcap;

/* The id of the group of record fields f (its values joined by TAB, which
 * no field holds). */
static uint32_t
group_id(char *const *f)
{
	size_t i, len = 0, n;
	uint32_t id;
	int isnew;
	char *p;

	for (i = 0; i < ngcols; i++) {
		const char *val = f[gcol[i]];

		n = strlen(val);
		if (len + n + 1 > gbufcap) {
			gbufcap = (len + n + 1) * 2;
			gbuf = xrealloc(gbuf, gbufcap);
		}
		memcpy(gbuf + len, val, n);
		len += n;
		gbuf[len++] = '\t';
	}
	if (len > 0)
		len--;
	id = strtab_intern(&groups, gbuf != NULL ? gbuf : "", len, &isnew);
	if (isnew) {
		gpart = xreallocarray(gpart, groups.cap, sizeof(*gpart));
		gpart[id] = xreallocarray(NULL, ngcols + 1, sizeof(char *));
		p = ngcols > 0 ? xstrdup(groups.s[id]) : NULL;
		for (i = 0; i < ngcols; i++) {
			gpart[id][i] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
	}
	return id;
}

/* Group values joined by ", " for labels, into a static buffer. */
static const char *
group_label(uint32_t g)
{
	static char *buf;
	static size_t cap;
	size_t i, len = 0, n;

	for (i = 0; i < ngcols; i++) {
		n = strlen(gpart[g][i]);
		if (len + n + 3 > cap) {
			cap = (len + n + 3) * 2;
			buf = xrealloc(buf, cap);
		}
		if (i > 0) {
			memcpy(buf + len, ", ", 2);
			len += 2;
		}
		memcpy(buf + len, gpart[g][i], n);
		len += n;
	}
	if (buf == NULL)
		return "";
	buf[len] = '\0';
	return buf;
}

/* ---- histograms (specs) --------------------------------------------- */

/* The spec for five names; -1 when a width is not "-" or a number > 0. */
static int
spec_id(const char *const nm[5], uint32_t *idp)
{
	char *j;
	size_t len = 0, i, n;
	int64_t wd[2] = { 0, 0 };
	uint32_t id;
	int isnew;

	for (i = 0; i < 2; i++) {
		const char *w = nm[1 + 2 * i];

		if (!BH_UNSET(w) && (parse_num(w, &wd[i]) == -1 || wd[i] <= 0))
			return -1;
	}
	for (i = 0; i < 5; i++)
		len += strlen(nm[i]) + 1;
	j = xmalloc(len);
	for (len = 0, i = 0; i < 5; i++) {
		n = strlen(nm[i]);
		memcpy(j + len, nm[i], n);
		len += n;
		j[len++] = '\t';
	}
	id = strtab_intern(&specids, j, len - 1, &isnew);
	free(j);
	if (isnew) {
		specs = xreallocarray(specs, specids.cap, sizeof(*specs));
		for (i = 0; i < 5; i++)
			specs[id].name[i] = xstrdup(nm[i]);
		specs[id].width[0] = wd[0];
		specs[id].width[1] = wd[1];
		specs[id].two = !BH_UNSET(nm[2]);
		specs[id].col[0] = specs[id].col[1] = -1;
		nspecs = specids.n;
	}
	*idp = id;
	return 0;
}

static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* One -k argument, "key[:width][,key2[:width]]", into a spec. */
static void
spec_arg(const char *arg)
{
	char *a = xstrdup(arg), *dim[2], *c, wbuf[2][BH_NUMBUF];
	const char *nm[5];
	int64_t wd;
	uint32_t id;
	int nd = 1, i;

	dim[0] = a;
	if ((c = strchr(a, ',')) != NULL) {
		*c = '\0';
		dim[1] = c + 1;
		nd = 2;
		if (strchr(dim[1], ',') != NULL)
			bh_errx(BH_EXIT_FATAL, "-k %s: one or two keys", arg);
	}
	nm[2] = nm[3] = "-";
	for (i = 0; i < nd; i++) {
		nm[2 * i + 1] = "-";
		if ((c = strchr(dim[i], ':')) != NULL) {
			*c++ = '\0';
			if (parse_num(c, &wd) == -1 || wd <= 0)
				bh_errx(BH_EXIT_FATAL, "-k %s: width must be "
				    "a number > 0, not '%s'", arg, c);
			fmt_num(wbuf[i], wd);
			nm[2 * i + 1] = wbuf[i];
		}
		if (!valid_name(dim[i], strlen(dim[i])))
			bh_errx(BH_EXIT_FATAL, "-k %s: '%s' is not a column "
			    "name", arg, dim[i]);
		nm[2 * i] = dim[i];
	}
	nm[4] = weightcol != NULL ? weightcol : "-";
	if (spec_id(nm, &id) == -1)
		bh_errx(BH_EXIT_FATAL, "-k %s: bad width", arg);
	free(a);
}

/* ---- cells ---------------------------------------------------------- */

static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void
cell_rehash(void)
{
	size_t nslots = cmask == 0 ? 1024 : (cmask + 1) * 2, i, j;

	free(cslot);
	cslot = xcalloc(nslots, sizeof(*cslot));
	cmask = nslots - 1;
	for (i = 0; i < ncells; i++) {
		for (j = cells[i].hash & cmask; cslot[j] != 0;
		    j = (j + 1) & cmask)
			;
		cslot[j] = (uint32_t)i + 1;
	}
}

/*
 * The cell of (spec, group, row, a, b), created with n = w = 0 when new.
 * More than maxcells cells is fatal: memory is bounded by -N, and a result
 * silently cut short would not be a histogram.
 */
static struct cell *
cell_get(uint32_t spec, uint32_t group, int row, const struct coord *a,
    const struct coord *b)
{
	uint64_t h;
	size_t i;
	uint32_t id;
	struct cell *c;

	h = mix64(((uint64_t)spec << 32 | group) ^
	    (uint64_t)(row << 8 | a->k << 4 | b->k) * 0x9e3779b97f4a7c15ULL);
	h = mix64(h ^ (uint64_t)a->v);
	h = mix64(h ^ (uint64_t)b->v * 0x9e3779b97f4a7c15ULL);
	if ((ncells + 1) * 2 > cmask + 1)
		cell_rehash();
	for (i = h & cmask; (id = cslot[i]) != 0; i = (i + 1) & cmask) {
		c = &cells[id - 1];
		if (c->hash == h && c->spec == spec && c->group == group &&
		    c->row == row && c->k1 == a->k && c->v1 == a->v &&
		    c->k2 == b->k && c->v2 == b->v)
			return c;
	}
	if (ncells >= maxcells)
		bh_errx(BH_EXIT_FATAL, "more than %lu cells (keys x groups x "
		    "bins%s): use wider bins or fewer groups, or raise -N",
		    maxcells, statsmode ? ", and distinct values with -S" : "");
	if (ncells == cellcap) {
		cellcap = cellcap == 0 ? 1024 : cellcap * 2;
		cells = xreallocarray(cells, cellcap, sizeof(*cells));
	}
	c = &cells[ncells++];
	memset(c, 0, sizeof(*c));
	c->hash = h;
	c->spec = spec;
	c->group = group;
	c->row = (uint8_t)row;
	c->k1 = (uint8_t)a->k;
	c->v1 = a->v;
	c->k2 = (uint8_t)b->k;
	c->v2 = b->v;
	cslot[i] = (uint32_t)ncells;
	return c;
}

static void
cell_add(struct cell *c, uint64_t n, const struct wsum *w)
{
	if (c->n > UINT64_MAX - n)
		bh_errx(BH_EXIT_FATAL, "record count overflow");
	c->n += n;
	wsum_add(&c->w, w);
}

/* ---- input ---------------------------------------------------------- */

/* Classify s: "-" unset, a number, or text (interned later). */
static void
coord_of(const char *s, struct coord *c)
{
	c->s = NULL;
	if (BH_UNSET(s)) {
		c->k = CK_UNSET;
		c->v = 0;
	} else if (parse_num(s, &c->v) == 0)
		c->k = CK_NUM;
	else {
		c->k = CK_TEXT;
		c->v = 0;
		c->s = s;
	}
}

static void
coord_intern(struct coord *c)
{
	if (c->k == CK_TEXT && c->s != NULL) {
		c->v = text_id(c->s);
		c->s = NULL;
	}
}

/* floor(v / w) * w: the lower edge of v's bin [lo, lo + w).  -1 when the
 * edge is out of range. */
static int
bin_edge(int64_t v, int64_t w, int64_t *lo)
{
	int64_t q = v / w;

	if (v % w < 0) {
		if (v < INT64_MIN + w)
			return -1;
		q--;
	}
	*lo = q * w;
	return 0;
}

static struct coord	*kval;		/* per spec and axis: the bin */
static struct coord	*kraw;		/* per spec: the value (-S) */

/*
 * One input record: every key of every spec is checked first, so a bad
 * record adds nothing anywhere (and interns nothing: memory stays bound to
 * the cells); then each spec's cell gets n + 1 and w + weight.
 */
static void
add_record(struct bh_reader *r)
{
	struct wsum wv = { 1, 0 };
	struct coord none = { 0, CK_NONE, NULL };
	size_t i;
	int d, noweight = 0;
	uint32_t g;
	const char *s;

	if (wcol >= 0) {
		s = r->f[wcol];
		if (BH_UNSET(s)) {
			wv.whole = 0;
			noweight = 1;
		} else if (parse_weight(s, &wv) == -1) {
			bad(r, "%s: not a weight (a number >= 0 with at most "
			    "6 decimals): %s; record skipped", weightcol,
			    quote(s));
			return;
		}
	}
	for (i = 0; i < nspecs; i++) {
		struct spec *sp = &specs[i];

		for (d = 0; d <= sp->two; d++) {
			struct coord *c = &kval[2 * i + d];

			s = r->f[sp->col[d]];
			coord_of(s, c);
			if (d == 0)
				kraw[i] = *c;
			if (sp->width[d] == 0 || c->k == CK_UNSET)
				continue;
			if (c->k != CK_NUM) {
				bad(r, "%s: not a number: %s; record skipped",
				    sp->name[2 * d], quote(s));
				return;
			}
			if (bin_edge(c->v, sp->width[d], &c->v) == -1) {
				bad(r, "%s: out of range: %s; record skipped",
				    sp->name[2 * d], quote(s));
				return;
			}
		}
	}
	nweightless += noweight;
	g = group_id(r->f);
	for (i = 0; i < nspecs; i++) {
		struct spec *sp = &specs[i];

		coord_intern(&kval[2 * i]);
		if (sp->two)
			coord_intern(&kval[2 * i + 1]);
		cell_add(cell_get((uint32_t)i, g, ROW_HIST, &kval[2 * i],
		    sp->two ? &kval[2 * i + 1] : &none), 1, &wv);
		/* The value table of a binned key, for exact statistics. */
		if (statsmode && !sp->two && sp->width[0] != 0 &&
		    kraw[i].k == CK_NUM)
			cell_add(cell_get((uint32_t)i, g, ROW_VALUE, &kraw[i],
			    &none), 1, &wv);
	}
}

/* Columns of a bh-hist stream read with --merge; -1 when absent. */
static int	mcol[RC_NRES];

static void
merge_open(struct bh_reader *r)
{
	size_t i, k;
	int isres;

	for (k = 0; k < RC_NRES; k++)
		mcol[k] = bh_rec_col(r, reserved[k]);
	for (k = RC_KEY; k <= RC_W; k++) {
		if (k == RC_KEY2 || k == RC_WIDTH2 || k == RC_BIN2 ||
		    k == RC_ROW)
			continue;
		if (mcol[k] == -1)
			bh_errx(BH_EXIT_FATAL, "%s: not a bh-hist stream: "
			    "missing column '%s'", r->name, reserved[k]);
	}
	if ((mcol[RC_KEY2] == -1) != (mcol[RC_WIDTH2] == -1) ||
	    (mcol[RC_KEY2] == -1) != (mcol[RC_BIN2] == -1))
		bh_errx(BH_EXIT_FATAL, "%s: not a bh-hist stream: key2, "
		    "width2 and bin2 go together", r->name);
	has2d = mcol[RC_KEY2] != -1;
	statsmode = mcol[RC_ROW] != -1;
	gcol = xreallocarray(NULL, r->ncol + 1, sizeof(*gcol));
	gnames = xreallocarray(NULL, r->ncol + 1, sizeof(*gnames));
	for (i = 0; i < r->ncol; i++) {
		isres = 0;
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(r->col[i], reserved[k]) == 0)
				isres = 1;
		if (!isres) {
			gcol[ngcols] = (int)i;
			gnames[ngcols++] = r->col[i];
		}
	}
}

/* One row of an earlier bh-hist output: its n and w go to its cell.  Stat
 * rows are dropped: they are recomputed from the merged cells. */
static void
merge_record(struct bh_reader *r)
{
	char **f = r->f;
	const char *nm[5], *s;
	struct coord a, b = { 0, CK_NONE, NULL };
	struct wsum w;
	uint64_t n;
	uint32_t sid;
	int row = ROW_HIST;

	if (mcol[RC_ROW] != -1) {
		s = f[mcol[RC_ROW]];
		if (strcmp(s, "stat") == 0)
			return;
		if (strcmp(s, "value") == 0)
			row = ROW_VALUE;
		else if (strcmp(s, "hist") != 0) {
			bad(r, "row: not hist, value or stat: %s; record "
			    "skipped", quote(s));
			return;
		}
	}
	nm[0] = f[mcol[RC_KEY]];
	nm[1] = f[mcol[RC_WIDTH]];
	nm[2] = has2d ? f[mcol[RC_KEY2]] : "-";
	nm[3] = has2d ? f[mcol[RC_WIDTH2]] : "-";
	nm[4] = f[mcol[RC_WEIGHT]];
	if (!valid_name(nm[0], strlen(nm[0])) || (!BH_UNSET(nm[2]) &&
	    !valid_name(nm[2], strlen(nm[2])))) {
		bad(r, "key: not a column name; record skipped");
		return;
	}
	if (BH_UNSET(nm[2]) && !BH_UNSET(nm[3])) {
		bad(r, "width2 without key2; record skipped");
		return;
	}
	coord_of(f[mcol[RC_BIN]], &a);
	if (!BH_UNSET(nm[2]))
		coord_of(f[mcol[RC_BIN2]], &b);
	else if (has2d && !BH_UNSET(f[mcol[RC_BIN2]])) {
		bad(r, "bin2 without key2; record skipped");
		return;
	}
	if (bh_parse_u64(f[mcol[RC_N]], &n) == -1) {
		bad(r, "n: not a count: %s; record skipped",
		    quote(f[mcol[RC_N]]));
		return;
	}
	if (parse_weight(f[mcol[RC_W]], &w) == -1) {
		bad(r, "w: not a weight: %s; record skipped",
		    quote(f[mcol[RC_W]]));
		return;
	}
	if (spec_id(nm, &sid) == -1) {
		bad(r, "width: not '-' or a number > 0; record skipped");
		return;
	}
	coord_intern(&a);
	coord_intern(&b);
	cell_add(cell_get(sid, group_id(f), row, &a, &b), n, &w);
}

/* ---- order ---------------------------------------------------------- */

static int
specidx_cmp(const void *pa, const void *pb)
{
	const struct spec *a = &specs[*(const uint32_t *)pa];
	const struct spec *b = &specs[*(const uint32_t *)pb];
	int i, c;

	for (i = 0; i < 5; i++)
		if ((c = valcmp(a->name[i], b->name[i])) != 0)
			return c;
	return 0;
}

static int
groupidx_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	size_t i;
	int c;

	for (i = 0; i < ngcols; i++)
		if ((c = valcmp(gpart[a][i], gpart[b][i])) != 0)
			return c;
	return 0;
}

static int
textidx_cmp(const void *pa, const void *pb)
{
	return strcmp(texts.s[*(const uint32_t *)pa],
	    texts.s[*(const uint32_t *)pb]);
}

/* rank[id] = position of id when the ids 0..n-1 are sorted by cmp. */
static uint32_t *
ranks(uint32_t n, int (*cmp)(const void *, const void *))
{
	uint32_t *idx, *rank, i;

	idx = xreallocarray(NULL, n + 1, sizeof(*idx));
	rank = xreallocarray(NULL, n + 1, sizeof(*rank));
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort(idx, n, sizeof(*idx), cmp);
	for (i = 0; i < n; i++)
		rank[idx[i]] = i;
	free(idx);
	return rank;
}

static int
coord_cmp(int ka, int64_t va, int kb, int64_t vb)
{
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (ka == CK_TEXT) {
		va = textrank[va];
		vb = textrank[vb];
	} else if (ka != CK_NUM)
		return 0;
	return va < vb ? -1 : va > vb;
}

static int
cell_cmp(const void *pa, const void *pb)
{
	const struct cell *a = pa, *b = pb;
	int c;

	if (a->spec != b->spec)
		return specrank[a->spec] < specrank[b->spec] ? -1 : 1;
	if (a->group != b->group)
		return grouprank[a->group] < grouprank[b->group] ? -1 : 1;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	if ((c = coord_cmp(a->k1, a->v1, b->k1, b->v1)) != 0)
		return c;
	return coord_cmp(a->k2, a->v2, b->k2, b->v2);
}

/* Sort the cells into output order: spec, group, row kind, bin, bin2. */
static void
sort_cells(void)
{
	specrank = ranks((uint32_t)nspecs, specidx_cmp);
	grouprank = ranks(groups.n, groupidx_cmp);
	textrank = ranks(texts.n, textidx_cmp);
	if (ncells > 0)
		qsort(cells, ncells, sizeof(*cells), cell_cmp);
	free(cslot);
	cslot = NULL;
}

/* ---- statistics ----------------------------------------------------- */

/*
 * Statistics of one block (the cells of one spec and group) from its exact
 * value table: the bins themselves for a key without width, else the
 * `value` rows.  Every value counts with its weight (1 without -w); the
 * quantiles are the inverse of the empirical distribution function (no
 * interpolation: Hyndman & Fan type 1), so q(p) is the smallest value v
 * with weight(<= v) >= p * total; min and max are the extreme values of
 * positive weight; the mean is rounded to the micro-unit.  Text values
 * and "-" take no part.
 */
static void
block_stats(const struct spec *sp, const struct cell *c, size_t nc,
    struct stats *st)
{
	int src = sp->width[0] == 0 ? ROW_HIST : ROW_VALUE;
	struct wsum cum = { 0, 0 };
	long double sum = 0, wd;
	size_t i;
	unsigned qi = 1;
	int first = 1;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < nc; i++)
		if (c[i].row == src && c[i].k1 == CK_NUM) {
			st->n += c[i].n;
			wsum_add(&st->w, &c[i].w);
		}
	if (wsum_zero(&st->w))
		return;
	st->have = 1;
	for (i = 0; i < nc; i++) {
		if (c[i].row != src || c[i].k1 != CK_NUM || wsum_zero(&c[i].w))
			continue;
		if (first)
			st->q[0] = c[i].v1;
		first = 0;
		st->q[4] = c[i].v1;
		wsum_add(&cum, &c[i].w);
		while (qi <= 3 && wsum_cmp(wsum_mul(cum, 4),
		    wsum_mul(st->w, qi)) >= 0)
			st->q[qi++] = c[i].v1;
		wd = (long double)c[i].w.whole +
		    (long double)c[i].w.frac / MICRO;
		sum += (long double)c[i].v1 * wd;
	}
	wd = (long double)st->w.whole + (long double)st->w.frac / MICRO;
	st->mean = (int64_t)llroundl(sum / wd);
}

/* ---- the output stream ---------------------------------------------- */

static void
put(const char *s)
{
	bh_wr_raw(&out, s, strlen(s));
}

static void
putc_(char c)
{
	bh_wr_raw(&out, &c, 1);
}

static const char *
coord_str(char *buf, int k, int64_t v)
{
	switch (k) {
	case CK_NUM:
		fmt_num(buf, v);
		return buf;
	case CK_TEXT:
		return texts.s[v];
	default:
		return "-";
	}
}

static void
write_header(void)
{
	static const char *const st[] = { "min", "q1", "median", "q3", "max",
	    "mean" };
	size_t i;

	put("#key\twidth");
	if (has2d)
		put("\tkey2\twidth2");
	put("\tweight");
	for (i = 0; i < ngcols; i++) {
		putc_('\t');
		put(gnames[i]);
	}
	if (statsmode)
		put("\trow");
	put("\tbin");
	if (has2d)
		put("\tbin2");
	put("\tn\tw");
	if (statsmode)
		for (i = 0; i < 6; i++) {
			putc_('\t');
			put(st[i]);
		}
	putc_('\n');
}

/* One output row; c == NULL writes the stat row st of (spec, group). */
static void
write_row(uint32_t spec, uint32_t group, const struct cell *c,
    const struct stats *st)
{
	const struct spec *sp = &specs[spec];
	char buf[BH_NUMBUF + 8];
	size_t i;

	put(sp->name[0]);
	putc_('\t');
	put(sp->name[1]);
	if (has2d) {
		putc_('\t');
		put(sp->name[2]);
		putc_('\t');
		put(sp->name[3]);
	}
	putc_('\t');
	put(sp->name[4]);
	for (i = 0; i < ngcols; i++) {
		putc_('\t');
		put(gpart[group][i]);
	}
	if (statsmode) {
		putc_('\t');
		put(rowname[c != NULL ? c->row : ROW_STAT]);
	}
	putc_('\t');
	put(c != NULL ? coord_str(buf, c->k1, c->v1) : "-");
	if (has2d) {
		putc_('\t');
		put(c != NULL ? coord_str(buf, c->k2, c->v2) : "-");
	}
	putc_('\t');
	bh_fmt_u64(buf, c != NULL ? c->n : st->n);
	put(buf);
	putc_('\t');
	fmt_wsum(buf, c != NULL ? &c->w : &st->w);
	put(buf);
	if (!statsmode)
		goto done;
	for (i = 0; i < 6; i++) {
		putc_('\t');
		if (c != NULL || !st->have) {
			putc_('-');
			continue;
		}
		fmt_num(buf, i < 5 ? st->q[i] : st->mean);
		put(buf);
	}
done:
	putc_('\n');
}

/* End of block: the cells from i on with the same spec and group. */
static size_t
block_end(size_t i)
{
	size_t j;

	for (j = i + 1; j < ncells && cells[j].spec == cells[i].spec &&
	    cells[j].group == cells[i].group; j++)
		;
	return j;
}

static void
write_stream(void)
{
	struct stats st;
	size_t i, j, k;

	for (i = 0; i < ncells; i = j) {
		j = block_end(i);
		if (statsmode && !specs[cells[i].spec].two) {
			block_stats(&specs[cells[i].spec], cells + i, j - i,
			    &st);
			write_row(cells[i].spec, cells[i].group, NULL, &st);
		}
		for (k = i; k < j; k++)
			write_row(cells[k].spec, cells[k].group, &cells[k],
			    NULL);
	}
}

/* ---- figures: common ------------------------------------------------ */

/* One histogram (spec) to draw: its cells [c0, c1) in output order and
 * the groups that have cells in it. */
struct panel {
	const struct spec *sp;
	size_t		 c0, c1;
	uint32_t	*grp;
	size_t		 ngrp;
};

static struct panel	*panels;
static size_t		 npanels;

static void
make_panels(void)
{
	size_t i, j, k;
	struct panel *p;

	for (i = 0; i < ncells; i = j) {
		for (j = i; j < ncells && cells[j].spec == cells[i].spec; j++)
			;
		panels = xreallocarray(panels, npanels + 1, sizeof(*panels));
		p = &panels[npanels++];
		p->sp = &specs[cells[i].spec];
		p->c0 = i;
		p->c1 = j;
		p->grp = xreallocarray(NULL, j - i, sizeof(*p->grp));
		p->ngrp = 0;
		for (k = i; k < j; k++)
			if (p->ngrp == 0 ||
			    p->grp[p->ngrp - 1] != cells[k].group)
				p->grp[p->ngrp++] = cells[k].group;
	}
}

/* "remote_ttl by phase, weighted by remote_pkts" */
static const char *
panel_desc(const struct spec *sp)
{
	static char buf[1024];
	size_t i, n;

	if (sp->two)
		n = (size_t)snprintf(buf, sizeof(buf), "%s against %s",
		    sp->name[2], sp->name[0]);
	else
		n = (size_t)snprintf(buf, sizeof(buf), "%s", sp->name[0]);
	for (i = 0; i < ngcols && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
		    i == 0 ? " by " : ", ", gnames[i]);
	if (!BH_UNSET(sp->name[4]) && n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, ", weighted by %s",
		    sp->name[4]);
	return buf;
}

/* s with every byte outside printable ASCII as '?' (terminal safety: a
 * --merge input need not come from bh-hist). */
static const char *
safe(const char *s)
{
	static char *buf;
	static size_t cap;
	size_t i, n = strlen(s);

	if (n + 1 > cap) {
		cap = n + 1;
		buf = xrealloc(buf, cap);
	}
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[n] = '\0';
	return buf;
}

/* ---- figures: terminal bars ----------------------------------------- */

#define BARCOLS	40

static void
put_bar(double frac)
{
	/* U+2588 FULL BLOCK, then U+2589..U+258F: 7/8 .. 1/8 */
	static const char *const part[8] = { "", "\xe2\x96\x8f",
	    "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c", "\xe2\x96\x8b",
	    "\xe2\x96\x8a", "\xe2\x96\x89" };
	long e = lround(frac * BARCOLS * 8);
	long i;

	if (frac > 0 && e == 0)
		e = 1;
	for (i = 0; i < e / 8; i++)
		put("\xe2\x96\x88");
	put(part[e % 8]);
}

static void
cell_label(char *buf, size_t cap, const struct cell *c)
{
	char a[BH_NUMBUF + 8], b[BH_NUMBUF + 8];

	if (c->k2 == CK_NONE)
		snprintf(buf, cap, "%s", coord_str(a, c->k1, c->v1));
	else
		snprintf(buf, cap, "%s, %s", coord_str(a, c->k1, c->v1),
		    coord_str(b, c->k2, c->v2));
}

/*
 * --bars: per histogram a title line, per group a line naming it, per
 * bin its label, a bar of up to 40 columns (eighth blocks; one scale per
 * histogram, so groups compare) and w (and n when weighted); with -S the
 * group's statistics.  UTF-8, on standard output.
 */
static void
write_bars(void)
{
	static const char *const stn[] = { "min", "q1", "median", "q3", "max" };
	char lab[160], buf[BH_NUMBUF + 8];
	struct stats st;
	size_t pi, i, j, k, lw;
	double max;
	int weighted;

	for (pi = 0; pi < npanels; pi++) {
		struct panel *p = &panels[pi];

		weighted = !BH_UNSET(p->sp->name[4]);
		if (pi > 0)
			put("\n");
		put(safe(title != NULL && npanels == 1 && *title != '\0' ?
		    title : panel_desc(p->sp)));
		put("\n");
		max = 0;
		lw = 1;
		for (k = p->c0; k < p->c1; k++) {
			if (cells[k].row != ROW_HIST)
				continue;
			if (wsum_double(&cells[k].w) > max)
				max = wsum_double(&cells[k].w);
			cell_label(lab, sizeof(lab), &cells[k]);
			if (strlen(lab) > lw)
				lw = strlen(lab);
		}
		for (i = p->c0; i < p->c1; i = j) {
			j = block_end(i);
			if (ngcols > 0) {
				for (k = 0; k < ngcols; k++) {
					put(k > 0 ? " " : "");
					put(gnames[k]);
					put("=");
					put(safe(gpart[cells[i].group][k]));
				}
				put("\n");
			}
			for (k = i; k < j; k++) {
				if (cells[k].row != ROW_HIST)
					continue;
				cell_label(lab, sizeof(lab), &cells[k]);
				snprintf(buf, sizeof(buf), "%*s", (int)(lw + 2 -
				    strlen(lab)), "");
				put(buf);
				put(safe(lab));
				put(" ");
				put_bar(max > 0 ?
				    wsum_double(&cells[k].w) / max : 0);
				put(" ");
				fmt_wsum(buf, &cells[k].w);
				put(buf);
				if (weighted) {
					put(" (n ");
					bh_fmt_u64(buf, cells[k].n);
					put(buf);
					put(")");
				}
				put("\n");
			}
			if (!statsmode || p->sp->two)
				continue;
			block_stats(p->sp, cells + i, j - i, &st);
			put("  n ");
			bh_fmt_u64(buf, st.n);
			put(buf);
			if (weighted) {
				put("  w ");
				fmt_wsum(buf, &st.w);
				put(buf);
			}
			for (k = 0; k < 6 && st.have; k++) {
				put(k < 5 ? "  " : "  mean ");
				if (k < 5) {
					put(stn[k]);
					put(" ");
				}
				fmt_num(buf, k < 5 ? st.q[k] : st.mean);
				put(buf);
			}
			put("\n");
		}
	}
}

/* ---- figures: colours ----------------------------------------------- */

/*
 * Okabe & Ito (2008), "Color Universal Design": eight colours that stay
 * apart for the common colour-vision deficiencies.  Yellow (#F0E442) is
 * left out: on white a thin bar or a small circle of it fades.  A group's
 * colour depends on its own values only, never on the other groups of the
 * figure, so that a group has the same colour in every figure (a reader
 * compares Figures 3 and 4 side by side).
 */
#define OI_BLUE		"#0072B2"
#define OI_ORANGE	"#E69F00"
#define OI_GREEN	"#009E73"	/* bluish green */
#define OI_VERMILLION	"#D55E00"
#define OI_SKY		"#56B4E9"	/* sky blue */
#define OI_PURPLE	"#CC79A7"	/* reddish purple */
#define OI_BLACK	"#000000"
#define UNSET_GREY	"#BBBBBB"	/* light: unset is not a finding */

/* Values no rule of the suite names: by hash, in this order. */
static const char *const palette[] = {
	OI_BLUE, OI_ORANGE, OI_GREEN, OI_VERMILLION, OI_SKY, OI_PURPLE,
	OI_BLACK
};
#define NPALETTE	(sizeof(palette) / sizeof(palette[0]))

/*
 * The suite's vocabulary, one colour each, chosen so that the values of
 * one column stay apart for deuteranopia and protanopia as well (CIEDE2000
 * after the simulation of Machado et al. 2009): >= 11 for any two of
 * them or the grey of "-", >= 38 for the three a figure shows most
 * (infection download cnc; unix windows solaris/network; smb dcerpc
 * netbios).  Colours repeat across columns: a figure is grouped by one.
 */
static const struct {
	const char	*value, *colour;
} vocabulary[] = {
	/* bh-phase(1) phase: exploits warm (infection; attack, the bot's
	 * own), the bot's download and C&C blue and black */
	{ "scan",		OI_SKY },
	{ "infection",		OI_VERMILLION },
	{ "download",		OI_BLUE },
	{ "cnc",		OI_BLACK },
	{ "attack",		OI_ORANGE },
	/* bh-ttl(1) remote_os, by initial TTL 64 128 255 32 */
	{ "unix",		OI_ORANGE },
	{ "windows",		OI_BLUE },
	{ "solaris/network",	OI_BLACK },
	{ "windows-old",	OI_SKY },
	/* bh-sessions(1) dir, as the phases: in warm, out blue */
	{ "in",			OI_VERMILLION },
	{ "out",		OI_BLUE },
	{ "local",		OI_ORANGE },
	{ "ext",		OI_SKY },
	/* bh-phase(1) app of the inbound phases, most frequent first */
	{ "smb",		OI_ORANGE },
	{ "dcerpc",		OI_BLACK },
	{ "netbios",		OI_SKY },
	{ "mssql",		OI_BLUE },
	{ "wins",		OI_GREEN },
	{ "upnp",		OI_VERMILLION },
	{ "backdoor",		OI_PURPLE },
	/* ... and of download and cnc */
	{ "http",		OI_ORANGE },
	{ "ftp",		OI_BLACK },
	{ "ftp-data",		OI_SKY },
	{ "tftp",		OI_BLUE },
	{ "irc",		OI_VERMILLION },
	{ "binary",		OI_GREEN },
};

/* --colors: a group's values joined by ',' and its colour; the last given
 * wins. */
struct colour_override {
	char		*key;
	char		 colour[8];	/* "#RRGGBB" */
};
static struct colour_override	*overrides;
static size_t			 noverrides;

enum { CS_OVERRIDE, CS_FIXED, CS_HASH };
static const char	**gcolour;	/* group id -> colour, once known */
static uint8_t		 *gcsource;	/* ... and where it came from */

/* The length of a colour "#rgb" or "#rrggbb" at s (0 when none), which
 * ends the string or an entry (','). */
static size_t
colour_len(const char *s)
{
	size_t n = 0;

	if (*s != '#')
		return 0;
	while (n < 6 && ((s[1 + n] >= '0' && s[1 + n] <= '9') ||
	    (s[1 + n] >= 'a' && s[1 + n] <= 'f') ||
	    (s[1 + n] >= 'A' && s[1 + n] <= 'F')))
		n++;
	if ((n != 3 && n != 6) || (s[1 + n] != ',' && s[1 + n] != '\0'))
		return 0;
	return n + 1;
}

/*
 * --colors VALUE=#RRGGBB[,VALUE=#RRGGBB...]: appended to the overrides.
 * An entry ends at the ',' after its colour, so that VALUE may hold
 * commas (several group columns: "download,unix=#000000"); #rgb is taken
 * as #rrggbb.  Exits 2 (usage) on anything else: the colour reaches the
 * SVG as an attribute, so only hex digits get there.
 */
static void
colours_arg(const char *arg)
{
	const char *p = arg, *eq;
	struct colour_override *o;
	size_t n, i, len;
	char c;

	do {
		for (eq = strchr(p, '='); eq != NULL &&
		    colour_len(eq + 1) == 0; eq = strchr(eq + 1, '='))
			;
		if (eq == NULL) {
			bh_warnx("--colors %s: not value=#rrggbb[,...]", arg);
			usage();
		}
		n = colour_len(eq + 1);
		overrides = xreallocarray(overrides, noverrides + 1,
		    sizeof(*overrides));
		o = &overrides[noverrides++];
		len = (size_t)(eq - p);
		o->key = xmalloc(len + 1);
		memcpy(o->key, p, len);
		o->key[len] = '\0';
		o->colour[0] = '#';
		for (i = 0; i < 6; i++) {
			c = eq[2 + (n == 4 ? i / 2 : i)];
			o->colour[1 + i] = c >= 'a' ? (char)(c - 'a' + 'A') : c;
		}
		o->colour[7] = '\0';
		p = eq + 1 + n;
	} while (*p++ == ',');
}

/*
 * The colour of group g, computed once: a --colors entry for its values
 * (joined by ','); blue for the one group of a figure without -b; grey
 * when every value is "-" (unset); the vocabulary's colour when it is one
 * value the table names; else palette[h % 7], h the 64-bit FNV-1a hash of
 * the group's bytes as written (its values joined by TAB).  Documented in
 * bh-hist(1), so that a reader can tell a value's colour in advance.
 */
static const char *
group_colour(uint32_t g)
{
	size_t i, k;
	int unset = 1;
	const char *key, *c;
	uint8_t src = CS_FIXED;
	char *j;

	if (gcolour == NULL) {
		gcolour = xcalloc(groups.n + 1, sizeof(*gcolour));
		gcsource = xcalloc(groups.n + 1, sizeof(*gcsource));
	}
	if (gcolour[g] != NULL)
		return gcolour[g];
	j = xstrdup(groups.s[g]);
	for (i = 0; j[i] != '\0'; i++)
		if (j[i] == '\t')
			j[i] = ',';
	for (k = noverrides, c = NULL; k > 0 && c == NULL; k--)
		if (strcmp(overrides[k - 1].key, j) == 0)
			c = overrides[k - 1].colour;
	free(j);
	for (i = 0; i < ngcols; i++)
		if (!BH_UNSET(gpart[g][i]))
			unset = 0;
	if (c != NULL)
		src = CS_OVERRIDE;
	else if (ngcols == 0)
		c = OI_BLUE;
	else if (unset)
		c = UNSET_GREY;
	else if (ngcols == 1) {
		key = gpart[g][0];
		for (k = 0; k < sizeof(vocabulary) / sizeof(vocabulary[0]) &&
		    c == NULL; k++)
			if (strcmp(vocabulary[k].value, key) == 0)
				c = vocabulary[k].colour;
	}
	if (c == NULL) {
		c = palette[hash_bytes(groups.s[g], groups.len[g]) %
		    NPALETTE];
		src = CS_HASH;
	}
	gcsource[g] = src;
	return gcolour[g] = c;
}

static const struct panel *sortpanel;

/* Order of group indices of sortpanel: by colour, then by index. */
static int
colouridx_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c;

	if ((c = strcmp(group_colour(sortpanel->grp[a]),
	    group_colour(sortpanel->grp[b]))) != 0)
		return c;
	return a < b ? -1 : a > b;
}

/*
 * Warn when groups of panel p share a colour (a hash can give two values
 * the same one, and seven colours run out), unless all of them got it from
 * --colors, which may mean it: one line per shared colour, naming the
 * first two groups in legend order.  The figure is written all the same.
 */
static void
check_colours(const struct panel *p)
{
	size_t i, k, *idx;
	int chosen;
	char *desc, *first;

	if (p->ngrp < 2)
		return;
	idx = xreallocarray(NULL, p->ngrp, sizeof(*idx));
	for (i = 0; i < p->ngrp; i++)
		idx[i] = i;
	sortpanel = p;
	qsort(idx, p->ngrp, sizeof(*idx), colouridx_cmp);
	for (i = 0; i < p->ngrp; i = k) {
		chosen = gcsource[p->grp[idx[i]]] == CS_OVERRIDE;
		for (k = i + 1; k < p->ngrp &&
		    strcmp(group_colour(p->grp[idx[k]]),
		    group_colour(p->grp[idx[i]])) == 0; k++)
			if (gcsource[p->grp[idx[k]]] != CS_OVERRIDE)
				chosen = 0;
		if (k - i < 2 || chosen)
			continue;
		/* safe() and group_label() share static buffers */
		desc = xstrdup(safe(panel_desc(p->sp)));
		first = xstrdup(safe(group_label(p->grp[idx[i]])));
		bh_warnx("--svg: %s: groups '%s' and '%s'%s share the colour "
		    "%s (give --colors)", desc, first,
		    safe(group_label(p->grp[idx[i + 1]])), k - i > 2 ?
		    " and more" : "", group_colour(p->grp[idx[i]]));
		free(desc);
		free(first);
	}
	free(idx);
}

/* ---- figures: SVG --------------------------------------------------- */

#define FIG_W		640.0
#define PLOT_X0		78.0
#define PLOT_X1		618.0
#define PLOT_H		250.0
#define FONT		"Helvetica, Arial, 'Liberation Sans', " \
			"'DejaVu Sans', sans-serif"

/* XML character data / attribute text: markup escaped, and any byte that
 * is not printable ASCII shown as \xHH (valid XML whatever the input). */
static void
xml_str(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}

/* Width of s in a sans-serif face at size px, for layout only: average
 * advance widths (em) of Helvetica and DejaVu Sans by class of glyph. */
static double
text_w(const char *s, double size)
{
	double em = 0;

	for (; *s != '\0'; s++) {
		if (strchr("iljtfrI.,:;'|!()[]- ", *s) != NULL)
			em += 0.32;
		else if (strchr("mwMW@", *s) != NULL)
			em += 0.88;
		else if (*s >= 'A' && *s <= 'Z')
			em += 0.68;
		else
			em += 0.57;
	}
	return em * size;
}

static void
text_at(FILE *f, double x, double y, const char *anchor, double size,
    const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%g\"%s%s%s%s>",
	    x, y, size, anchor != NULL ? " text-anchor=\"" : "",
	    anchor != NULL ? anchor : "", anchor != NULL ? "\"" : "",
	    extra != NULL ? extra : "");
	xml_str(f, s);
	fputs("</text>\n", f);
}

/* A "nice" tick step (1, 2 or 5 times a power of ten) giving about
 * target ticks over span. */
static double
nice_step(double span, int target)
{
	double raw, mag, fr;

	if (!(span > 0))
		return 1;
	raw = span / target;
	mag = pow(10, floor(log10(raw)));
	fr = raw / mag;
	return (fr < 1.5 ? 1 : fr < 3.5 ? 2 : fr < 7.5 ? 5 : 10) * mag;
}

static void
fmt_tick(char *buf, size_t cap, double x, double step)
{
	int dec = 0;
	double l = floor(log10(step) + 1e-9);

	if (l < 0)
		dec = (int)-l;
	if (dec > 6)
		dec = 6;
	snprintf(buf, cap, "%.*f", dec, x);
	if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
}

/*
 * An axis of bins: numeric (a linear scale over the bins' extents) when
 * every bin but "-" is a number, else categorical (one band per bin in
 * output order, "-" included).  On a numeric axis a bin of width w spans
 * [lo, lo + w); a value of a key without width spans +-res/2 around it,
 * res being the finest decimal step its values use (1 for integers).
 */
struct axis {
	int		 numeric;
	double		 lo, hi;
	struct coord	*cat;
	size_t		 ncat;
	double		 p0, p1;	/* pixels of lo and hi / first, last edge */
	int64_t		 width, res;
};

static int
coordp_cmp(const void *pa, const void *pb)
{
	const struct coord *a = pa, *b = pb;

	return coord_cmp(a->k, a->v, b->k, b->v);
}

/* Build an axis from the n coordinates c (sorted and made unique here). */
static void
axis_build(struct axis *a, struct coord *c, size_t n, int64_t width)
{
	size_t i, u = 0, nnum = 0, ntext = 0;
	double lo, hi;

	memset(a, 0, sizeof(*a));
	qsort(c, n, sizeof(*c), coordp_cmp);
	for (i = 0; i < n; i++)
		if (u == 0 || coordp_cmp(&c[u - 1], &c[i]) != 0)
			c[u++] = c[i];
	for (i = 0; i < u; i++) {
		nnum += c[i].k == CK_NUM;
		ntext += c[i].k == CK_TEXT;
	}
	a->cat = c;
	a->ncat = u;
	a->width = width;
	a->numeric = nnum > 0 && ntext == 0;
	if (!a->numeric)
		return;
	a->res = MICRO;
	for (i = 0; i < u && width == 0; i++)
		while (c[i].k == CK_NUM && a->res > 1 && c[i].v % a->res != 0)
			a->res /= 10;
	a->lo = HUGE_VAL;
	a->hi = -HUGE_VAL;
	for (i = 0; i < u; i++) {
		if (c[i].k != CK_NUM)
			continue;
		if (width > 0) {
			lo = (double)c[i].v / MICRO;
			hi = (double)(c[i].v + width) / MICRO;
		} else {
			lo = ((double)c[i].v - (double)a->res / 2) / MICRO;
			hi = ((double)c[i].v + (double)a->res / 2) / MICRO;
		}
		if (lo < a->lo)
			a->lo = lo;
		if (hi > a->hi)
			a->hi = hi;
	}
}

static double
axis_px(const struct axis *a, double x)
{
	return a->p0 + (x - a->lo) / (a->hi - a->lo) * (a->p1 - a->p0);
}

/* Pixel extent of bin v on a numeric axis. */
static void
axis_bin(const struct axis *a, int64_t v, double *pa, double *pb)
{
	if (a->width > 0) {
		*pa = axis_px(a, (double)v / MICRO);
		*pb = axis_px(a, (double)(v + a->width) / MICRO);
	} else {
		*pa = axis_px(a, ((double)v - (double)a->res / 2) / MICRO);
		*pb = axis_px(a, ((double)v + (double)a->res / 2) / MICRO);
	}
}

/* Band index of c on a categorical axis. */
static size_t
axis_band(const struct axis *a, int k, int64_t v)
{
	struct coord key = { v, k, NULL };
	struct coord *c = bsearch(&key, a->cat, a->ncat, sizeof(key),
	    coordp_cmp);

	return c != NULL ? (size_t)(c - a->cat) : 0;
}

static double
band_px(const struct axis *a, double i)
{
	return a->p0 + i / (double)a->ncat * (a->p1 - a->p0);
}

/* Whether a categorical x axis needs its labels turned, and the height
 * they take below the axis. */
static double
xcat_height(const struct axis *a, int *rotate)
{
	char buf[BH_NUMBUF + 8];
	double maxw = 0, w, band;
	size_t i;

	*rotate = 0;
	if (a->numeric)
		return 20;
	band = (PLOT_X1 - PLOT_X0) / (double)a->ncat;
	for (i = 0; i < a->ncat; i++) {
		w = text_w(coord_str(buf, a->cat[i].k, a->cat[i].v), 11);
		if (w > maxw)
			maxw = w;
	}
	if (maxw > 160)
		maxw = 160;
	if (maxw + 6 <= band)
		return 20;
	*rotate = 1;
	return 14 + maxw * 0.71;
}

/* Ticks, tick labels and the axis line of a horizontal axis at y. */
static void
draw_xaxis(FILE *f, const struct axis *a, double y, int rotate)
{
	char buf[BH_NUMBUF + 8], lab[64];
	double step, t, x;
	long k, k0, k1;
	size_t i, every;

	fputs("<g class=\"axis x\" stroke=\"#333\" stroke-width=\"1\">\n", f);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
	    PLOT_X0, y, PLOT_X1, y);
	if (a->numeric) {
		step = nice_step(a->hi - a->lo, 7);
		k0 = (long)ceil(a->lo / step - 1e-9);
		k1 = (long)floor(a->hi / step + 1e-9);
		for (k = k0; k <= k1 && k - k0 < 60; k++) {
			t = (double)k * step;
			x = axis_px(a, t);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\"/>\n", x, y, x, y + 5);
			fmt_tick(buf, sizeof(buf), t, step);
			text_at(f, x, y + 17, "middle", 11,
			    " stroke=\"none\" fill=\"#222\"", buf);
		}
		fputs("</g>\n", f);
		return;
	}
	/* Turned labels need about 18 px from one to the next. */
	every = 1;
	if (rotate && (PLOT_X1 - PLOT_X0) / (double)a->ncat < 18)
		every = (size_t)ceil(18 / ((PLOT_X1 - PLOT_X0) /
		    (double)a->ncat));
	for (i = 0; i < a->ncat; i++) {
		if (i % every != 0)
			continue;
		x = band_px(a, (double)i + 0.5);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", x, y, x, y + 4);
		snprintf(lab, sizeof(lab), "%s",
		    coord_str(buf, a->cat[i].k, a->cat[i].v));
		if (strlen(lab) > 28)
			memcpy(lab + 25, "...", 4);
		if (rotate) {
			char tr[96];

			snprintf(tr, sizeof(tr), " stroke=\"none\" "
			    "fill=\"#222\" transform=\"rotate(-45 %.1f %.1f)\"",
			    x, y + 12);
			text_at(f, x + 3, y + 12, "end", 11, tr, lab);
		} else
			text_at(f, x, y + 17, "middle", 11,
			    " stroke=\"none\" fill=\"#222\"", lab);
	}
	fputs("</g>\n", f);
}

/* A vertical axis at PLOT_X0 with horizontal grid lines; a numeric value
 * axis (lo = 0) gets integer ticks when integral is set. */
static void
draw_yaxis(FILE *f, const struct axis *a, int integral)
{
	char buf[BH_NUMBUF + 8], lab[64];
	double step = 1, t, y;
	long k, k0 = 0, k1 = -1;
	size_t i, every;

	fputs("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"0.8\">\n",
	    f);
	if (a->numeric) {
		step = nice_step(a->hi - a->lo, 5);
		if (integral && step < 1)
			step = 1;
		k0 = (long)ceil(a->lo / step - 1e-9);
		k1 = (long)floor(a->hi / step + 1e-9);
		for (k = k0; k <= k1 && k - k0 < 60; k++) {
			y = axis_px(a, (double)k * step);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\"/>\n", PLOT_X0, y, PLOT_X1, y);
		}
	}
	fputs("</g>\n", f);
	fputs("<g class=\"axis y\" stroke=\"#333\" stroke-width=\"1\">\n", f);
	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
	    PLOT_X0, a->p0, PLOT_X0, a->p1);
	if (a->numeric) {
		for (k = k0; k <= k1 && k - k0 < 60; k++) {
			t = (double)k * step;
			y = axis_px(a, t);
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\"/>\n", PLOT_X0 - 5, y, PLOT_X0, y);
			fmt_tick(buf, sizeof(buf), t, step);
			text_at(f, PLOT_X0 - 8, y + 4, "end", 11,
			    " stroke=\"none\" fill=\"#222\"", buf);
		}
		fputs("</g>\n", f);
		return;
	}
	every = 1;
	if (fabs(a->p1 - a->p0) / (double)a->ncat < 13)
		every = (size_t)ceil(13 / (fabs(a->p1 - a->p0) /
		    (double)a->ncat));
	for (i = 0; i < a->ncat; i++) {
		if (i % every != 0)
			continue;
		y = band_px(a, (double)i + 0.5);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", PLOT_X0 - 4, y, PLOT_X0, y);
		snprintf(lab, sizeof(lab), "%s",
		    coord_str(buf, a->cat[i].k, a->cat[i].v));
		if (strlen(lab) > 10)
			memcpy(lab + 7, "...", 4);
		text_at(f, PLOT_X0 - 7, y + 4, "end", 11,
		    " stroke=\"none\" fill=\"#222\"", lab);
	}
	fputs("</g>\n", f);
}

/* Legend: the group column names, then a swatch and label per group,
 * wrapped to the plot width, from y on.  Returns the y below it. */
static double
draw_legend(FILE *f, const struct panel *p, double y, int circles)
{
	char names[256];
	double x = PLOT_X0, w;
	size_t i, n = 0;

	if (ngcols == 0)
		return y;
	names[0] = '\0';
	for (i = 0; i < ngcols; i++)
		n += (size_t)snprintf(names + n, n < sizeof(names) ?
		    sizeof(names) - n : 0, "%s%s", i > 0 ? ", " : "",
		    gnames[i]);
	if (f != NULL) {
		fputs("<g class=\"legend\">\n", f);
		text_at(f, x, y + 11, NULL, 12, " fill=\"#555\"", names);
	}
	x += text_w(names, 12) + 12;
	for (i = 0; i < p->ngrp; i++) {
		const char *lab = group_label(p->grp[i]);

		w = 16 + text_w(lab, 12) + 14;
		if (x + w > PLOT_X1 && x > PLOT_X0 + 1) {
			x = PLOT_X0;
			y += 18;
		}
		if (f != NULL) {
			if (circles)
				fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" "
				    "r=\"5.5\" fill=\"%s\" fill-opacity=\"0.6\" "
				    "stroke=\"%s\"/>\n", x + 6, y + 7,
				    group_colour(p->grp[i]),
				    group_colour(p->grp[i]));
			else
				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" "
				    "width=\"12\" height=\"12\" fill=\"%s\"/>\n",
				    x, y + 1, group_colour(p->grp[i]));
			text_at(f, x + 16, y + 11, NULL, 12, NULL, lab);
		}
		x += w;
	}
	if (f != NULL)
		fputs("</g>\n", f);
	return y + 22;
}

/* "not set (-): cnc 3, download 1": the weight a numeric axis cannot
 * show (records whose key is "-"), per group. */
static void
draw_unset_note(FILE *f, const struct panel *p, const double *unset,
    double y)
{
	char buf[2048], num[BH_NUMBUF + 8];
	size_t i, n;

	n = (size_t)snprintf(buf, sizeof(buf), "not set (-):");
	for (i = 0; i < p->ngrp && n < sizeof(buf); i++) {
		if (unset[i] == 0)
			continue;
		fmt_tick(num, sizeof(num), unset[i], unset[i] ==
		    floor(unset[i]) ? 1 : 0.000001);
		if (ngcols > 0)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "%s %s %s", n > 13 ? "," : "",
			    group_label(p->grp[i]), num);
		else
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    " %s", num);
	}
	text_at(f, PLOT_X0, y, NULL, 11, " fill=\"#555\" class=\"note\"", buf);
}

static size_t
group_index(const struct panel *p, uint32_t g)
{
	size_t i;

	for (i = 0; i < p->ngrp; i++)
		if (p->grp[i] == g)
			return i;
	return 0;
}

/* The y axis label, turned, centred on ymid; lab NULL: "sum of WEIGHT". */
static void
draw_ylabel(FILE *f, double ymid, const char *lab, const char *weight)
{
	fprintf(f, "<text class=\"ylabel\" x=\"20\" y=\"%.1f\" "
	    "font-size=\"13\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 20 %.1f)\">", ymid, ymid);
	if (lab != NULL)
		xml_str(f, lab);
	else {
		xml_str(f, "sum of ");
		xml_str(f, weight);
	}
	fputs("</text>\n", f);
}

static void
bar_rect(FILE *f, double x0, double x1, double y0, double y1,
    const struct panel *p, const struct cell *c)
{
	char lab[160], num[BH_NUMBUF + 8];
	double w = x1 - x0;

	if (w < 1.2) {
		x0 -= (1.2 - w) / 2;
		w = 1.2;
	}
	fprintf(f, "<rect class=\"bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	    "height=\"%.2f\"><title>", x0, y1, w, y0 - y1);
	if (ngcols > 0) {
		xml_str(f, group_label(c->group));
		fputs(": ", f);
	}
	cell_label(lab, sizeof(lab), c);
	xml_str(f, p->sp->name[0]);
	fputs(" ", f);
	xml_str(f, lab);
	fmt_wsum(num, &c->w);
	fprintf(f, ", w %s", num);
	bh_fmt_u64(num, c->n);
	fprintf(f, ", n %s</title></rect>\n", num);
}

/*
 * A 1-D histogram: bars of height w per bin, one bar per group side by side
 * within the bin (or stacked), one colour per group; "-" in a note.
 */
static double
draw_hist(FILE *f, const struct panel *p, double y)
{
	struct axis ax, ay;
	struct coord *cs;
	double *unset, *stack, ymax = 0, x0, x1, ya, yb, v, xh, sub, h;
	double minw = 0, gap, pa, pb;
	size_t i, k, n = 0, ng = p->ngrp, b, gi, *nin, *slot;
	int rotate, integral = 1, apart;
	const char *xl;
	char xbuf[512];

	cs = xreallocarray(NULL, p->c1 - p->c0 + 1, sizeof(*cs));
	unset = xcalloc(ng + 1, sizeof(*unset));
	for (k = p->c0; k < p->c1; k++) {
		if (cells[k].row != ROW_HIST)
			continue;
		cs[n].k = cells[k].k1;
		cs[n].v = cells[k].v1;
		cs[n++].s = NULL;
		if (cells[k].w.frac != 0)
			integral = 0;
	}
	axis_build(&ax, cs, n, p->sp->width[0]);
	stack = xcalloc(ax.ncat + 1, sizeof(*stack));
	nin = xcalloc(ax.ncat + 1, sizeof(*nin));
	slot = xcalloc(p->c1 - p->c0 + 1, sizeof(*slot));
	for (k = p->c0; k < p->c1; k++) {
		if (cells[k].row != ROW_HIST)
			continue;
		v = wsum_double(&cells[k].w);
		if (ax.numeric && cells[k].k1 == CK_UNSET) {
			unset[group_index(p, cells[k].group)] += v;
			continue;
		}
		b = axis_band(&ax, cells[k].k1, cells[k].v1);
		/* Side by side, a bin is shared by the groups that have
		 * weight in it (cells come group by group, in order). */
		if (v > 0)
			slot[k - p->c0] = nin[b]++;
		stack[b] += v;
		if ((stacked ? stack[b] : v) > ymax)
			ymax = stacked ? stack[b] : v;
	}
	if (ax.numeric) {
		xh = (ax.hi - ax.lo) * 0.02;
		ax.lo -= xh;
		ax.hi += xh;
	}
	ax.p0 = PLOT_X0;
	ax.p1 = PLOT_X1;
	/*
	 * A bar of a key without width stands for one value, not an
	 * interval: make it at least 8 px wide where its neighbours leave
	 * room (at most 80 % of the gap to the nearest one), so that sparse
	 * values stay visible.
	 */
	if (ax.numeric && ax.width == 0) {
		minw = 8;
		for (i = 1; i < ax.ncat && ax.cat[i].k == CK_NUM; i++) {
			gap = axis_px(&ax, (double)ax.cat[i].v / MICRO) -
			    axis_px(&ax, (double)ax.cat[i - 1].v / MICRO);
			if (gap * 0.8 < minw)
				minw = gap * 0.8;
		}
	}
	/*
	 * Bins 6 px wide or more keep 15 % free (7.5 % each side) where
	 * touching bars would merge into one block: a bar per value (not an
	 * interval), or groups side by side (a group's bar at the right of
	 * one bin and the same group's alone in the next).  A histogram of
	 * one group, or stacked, keeps its intervals touching.
	 */
	apart = ax.numeric && (ax.width == 0 || (ng > 1 && !stacked));
	memset(&ay, 0, sizeof(ay));
	ay.numeric = 1;
	ay.lo = 0;
	/* a little headroom, so that the highest bar does not touch the top */
	ymax = ymax > 0 ? ymax * 1.03 : 1;
	sub = nice_step(ymax, 5);
	if (integral && sub < 1)
		sub = 1;
	ay.hi = ceil(ymax / sub - 1e-9) * sub;
	y = draw_legend(f, p, y, 0);
	ay.p0 = y + PLOT_H;
	ay.p1 = y + 6;
	draw_yaxis(f, &ay, integral);
	memset(stack, 0, (ax.ncat + 1) * sizeof(*stack));
	for (gi = 0; gi < ng; gi++) {
		fprintf(f, "<g class=\"series\" data-group=\"");
		xml_str(f, group_label(p->grp[gi]));
		fprintf(f, "\" fill=\"%s\" shape-rendering=\"crispEdges\">\n",
		    group_colour(p->grp[gi]));
		for (k = p->c0; k < p->c1; k++) {
			const struct cell *c = &cells[k];

			if (c->row != ROW_HIST || c->group != p->grp[gi] ||
			    (ax.numeric && c->k1 == CK_UNSET))
				continue;
			b = axis_band(&ax, c->k1, c->v1);
			if (ax.numeric) {
				axis_bin(&ax, c->v1, &x0, &x1);
				if (apart && x1 - x0 >= 6) {
					gap = (x1 - x0) * 0.075;
					x0 += gap;
					x1 -= gap;
				}
				if (x1 - x0 < minw) {
					pa = (x0 + x1 - minw) / 2;
					pb = pa + minw;
					x0 = pa;
					x1 = pb;
				}
			} else {
				x0 = band_px(&ax, (double)b + 0.1);
				x1 = band_px(&ax, (double)b + 0.9);
			}
			if (!stacked && nin[b] > 1) {
				double wd = (x1 - x0) / (double)nin[b];

				x0 += wd * (double)slot[k - p->c0];
				x1 = x0 + wd;
			}
			v = wsum_double(&c->w);
			ya = axis_px(&ay, stacked ? stack[b] : 0);
			yb = axis_px(&ay, (stacked ? stack[b] : 0) + v);
			stack[b] += v;
			if (v > 0)
				bar_rect(f, x0, x1, ya, yb, p, c);
		}
		fputs("</g>\n", f);
	}
	h = xcat_height(&ax, &rotate);
	draw_xaxis(f, &ax, ay.p0, rotate);
	y = ay.p0;
	xl = xlabel != NULL ? xlabel : p->sp->name[0];
	if (xlabel == NULL && p->sp->width[0] > 0) {
		snprintf(xbuf, sizeof(xbuf), "%s (bins of %s)", xl,
		    p->sp->name[1]);
		xl = xbuf;
	}
	text_at(f, (PLOT_X0 + PLOT_X1) / 2, y + h + 18, "middle", 13,
	    " class=\"xlabel\"", xl);
	y += h + 22;
	draw_ylabel(f, ay.p1 + (ay.p0 - ay.p1) / 2, ylabel != NULL ? ylabel :
	    BH_UNSET(p->sp->name[4]) ? "records" : NULL, p->sp->name[4]);
	for (i = 0; i < ng; i++)
		if (unset[i] != 0) {
			draw_unset_note(f, p, unset, y + 16);
			y += 18;
			break;
		}
	free(cs);
	free(stack);
	free(nin);
	free(slot);
	free(unset);
	return y + 10;
}

#define RMAX	11.0
#define RMIN	1.8

/* Centre of bin v on axis a (numeric or categorical). */
static double
axis_centre(const struct axis *a, int k, int64_t v)
{
	double pa, pb;

	if (!a->numeric)
		return band_px(a, (double)axis_band(a, k, v) + 0.5);
	axis_bin(a, v, &pa, &pb);
	return (pa + pb) / 2;
}

static void
axis_pad(struct axis *a, double frac)
{
	double pad;

	if (!a->numeric)
		return;
	pad = (a->hi - a->lo) * frac;
	a->lo -= pad;
	a->hi += pad;
}

/* An axis label with its bin width when it has one. */
static const char *
axis_label(char *buf, size_t cap, const char *given, const char *key,
    const char *width)
{
	if (given != NULL)
		return given;
	if (BH_UNSET(width))
		return key;
	snprintf(buf, cap, "%s (bins of %s)", key, width);
	return buf;
}

/*
 * A 2-D histogram as a bubble scatter: a circle per (bin, bin2, group) at
 * the bins' centres, its area proportional to w, one colour per group,
 * translucent so that overlaps show.  Cells with "-" on either key go to
 * a note.
 */
static double
draw_scatter(FILE *f, const struct panel *p, double y)
{
	struct axis ax, ay;
	struct coord *cx, *cy;
	double *unset, wmax = 0, v, r, h;
	size_t k, n = 0, gi, ng = p->ngrp;
	int rotate, anyunset = 0;
	char xb[512], yb[512], num[BH_NUMBUF + 8], lab[160], note[600];

	cx = xreallocarray(NULL, p->c1 - p->c0 + 1, sizeof(*cx));
	cy = xreallocarray(NULL, p->c1 - p->c0 + 1, sizeof(*cy));
	unset = xcalloc(ng + 1, sizeof(*unset));
	for (k = p->c0; k < p->c1; k++) {
		const struct cell *c = &cells[k];

		if (c->row != ROW_HIST)
			continue;
		v = wsum_double(&c->w);
		if (c->k1 == CK_UNSET || c->k2 == CK_UNSET) {
			unset[group_index(p, c->group)] += v;
			anyunset = 1;
			continue;
		}
		cx[n].k = c->k1;
		cx[n].v = c->v1;
		cy[n].k = c->k2;
		cy[n].v = c->v2;
		cx[n].s = cy[n].s = NULL;
		n++;
		if (v > wmax)
			wmax = v;
	}
	axis_build(&ax, cx, n, p->sp->width[0]);
	axis_build(&ay, cy, n, p->sp->width[1]);
	if (n == 0) {
		ax.numeric = ay.numeric = 1;
		ax.lo = ay.lo = 0;
		ax.hi = ay.hi = 1;
	}
	axis_pad(&ax, 0.04);
	axis_pad(&ay, 0.06);
	y = draw_legend(f, p, y, 1);
	ax.p0 = PLOT_X0;
	ax.p1 = PLOT_X1;
	/* y runs up; categorical bands from the bottom, in output order */
	ay.p0 = y + PLOT_H;
	ay.p1 = y + 6;
	draw_yaxis(f, &ay, 0);
	for (gi = 0; gi < ng; gi++) {
		fprintf(f, "<g class=\"series\" data-group=\"");
		xml_str(f, group_label(p->grp[gi]));
		fprintf(f, "\" fill=\"%s\" fill-opacity=\"0.55\" stroke=\"%s\" "
		    "stroke-width=\"0.9\">\n", group_colour(p->grp[gi]),
		    group_colour(p->grp[gi]));
		for (k = p->c0; k < p->c1; k++) {
			const struct cell *c = &cells[k];

			if (c->row != ROW_HIST || c->group != p->grp[gi] ||
			    c->k1 == CK_UNSET || c->k2 == CK_UNSET)
				continue;
			v = wsum_double(&c->w);
			if (v <= 0)
				continue;
			r = RMAX * sqrt(v / wmax);
			if (r < RMIN)
				r = RMIN;
			fprintf(f, "<circle class=\"point\" cx=\"%.2f\" "
			    "cy=\"%.2f\" r=\"%.2f\"><title>",
			    axis_centre(&ax, c->k1, c->v1),
			    axis_centre(&ay, c->k2, c->v2), r);
			if (ngcols > 0) {
				xml_str(f, group_label(c->group));
				fputs(": ", f);
			}
			cell_label(lab, sizeof(lab), c);
			xml_str(f, lab);
			fmt_wsum(num, &c->w);
			fprintf(f, ", w %s", num);
			bh_fmt_u64(num, c->n);
			fprintf(f, ", n %s</title></circle>\n", num);
		}
		fputs("</g>\n", f);
	}
	h = xcat_height(&ax, &rotate);
	draw_xaxis(f, &ax, ay.p0, rotate);
	y = ay.p0;
	text_at(f, (PLOT_X0 + PLOT_X1) / 2, y + h + 18, "middle", 13,
	    " class=\"xlabel\"", axis_label(xb, sizeof(xb), xlabel,
	    p->sp->name[0], p->sp->name[1]));
	y += h + 22;
	draw_ylabel(f, ay.p1 + (ay.p0 - ay.p1) / 2, axis_label(yb, sizeof(yb),
	    ylabel, p->sp->name[2], p->sp->name[3]), NULL);
	fmt_tick(num, sizeof(num), wmax, wmax == floor(wmax) ? 1 : 0.000001);
	snprintf(note, sizeof(note), "circle area: %s%s (largest %s)",
	    BH_UNSET(p->sp->name[4]) ? "records" : "sum of ",
	    BH_UNSET(p->sp->name[4]) ? "" : p->sp->name[4], num);
	text_at(f, PLOT_X0, y + 16, NULL, 11, " fill=\"#555\" class=\"note\"",
	    note);
	y += 18;
	if (anyunset) {
		draw_unset_note(f, p, unset, y + 16);
		y += 18;
	}
	free(cx);
	free(cy);
	free(unset);
	return y + 10;
}

/*
 * --svg: one panel per histogram, stacked vertically, each drawn into
 * memory at y = 0 and placed with a translate, so the figure's height is
 * known before its header is written.  Self-contained: no scripts, no
 * external fonts or images; sans-serif text, white background.
 */
static void
write_svg(const char *path)
{
	FILE *f, **mem;
	char **buf;
	size_t *len, i;
	double *hgt, y, total;
	const char *ttl;
	int tofile = strcmp(path, "-") != 0;

	mem = xcalloc(npanels + 1, sizeof(*mem));
	buf = xcalloc(npanels + 1, sizeof(*buf));
	len = xcalloc(npanels + 1, sizeof(*len));
	hgt = xcalloc(npanels + 1, sizeof(*hgt));
	ttl = title != NULL ? title : npanels == 1 ?
	    panel_desc(panels[0].sp) : "";
	total = *ttl != '\0' ? 34 : 8;
	for (i = 0; i < npanels; i++) {
		if ((mem[i] = open_memstream(&buf[i], &len[i])) == NULL)
			bh_err(BH_EXIT_FATAL, "open_memstream");
		y = 4;
		if (npanels > 1) {
			text_at(mem[i], PLOT_X0, y + 14, NULL, 13,
			    " font-weight=\"bold\" class=\"subtitle\"",
			    panel_desc(panels[i].sp));
			y += 24;
		}
		check_colours(&panels[i]);
		y = panels[i].sp->two ? draw_scatter(mem[i], &panels[i], y) :
		    draw_hist(mem[i], &panels[i], y);
		if (fclose(mem[i]) != 0)
			bh_err(BH_EXIT_FATAL, "open_memstream");
		hgt[i] = y;
		total += y;
	}
	if (npanels == 0)
		total += 80;
	if (!tofile)
		f = stdout;
	else if ((f = fopen(path, "w")) == NULL)
		bh_err(BH_EXIT_FATAL, "%s", path);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"%s\" fill=\"#222\">\n", FIG_W, ceil(total), FIG_W,
	    ceil(total), FONT);
	fputs("<title>", f);
	xml_str(f, *ttl != '\0' ? ttl : "bh-hist");
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n",
	    FIG_W, ceil(total));
	y = 8;
	if (*ttl != '\0') {
		text_at(f, FIG_W / 2, 24, "middle", 15,
		    " font-weight=\"bold\" class=\"title\"", ttl);
		y = 34;
	}
	if (npanels == 0)
		text_at(f, FIG_W / 2, y + 40, "middle", 13, " fill=\"#555\"",
		    "no data");
	for (i = 0; i < npanels; i++) {
		fprintf(f, "<g class=\"panel\" data-key=\"");
		xml_str(f, panels[i].sp->name[0]);
		if (panels[i].sp->two) {
			fputs(",", f);
			xml_str(f, panels[i].sp->name[2]);
		}
		fprintf(f, "\" transform=\"translate(0 %.1f)\">\n", y);
		fwrite(buf[i], 1, len[i], f);
		fputs("</g>\n", f);
		y += hgt[i];
		free(buf[i]);
	}
	fputs("</svg>\n", f);
	if (tofile) {
		if (ferror(f) | fclose(f))
			bh_err(BH_EXIT_FATAL, "%s", path);
	} else if (fflush(f) != 0 || ferror(f))
		bh_err(BH_EXIT_FATAL, "write error on standard output");
	free(mem);
	free(buf);
	free(len);
	free(hgt);
}

/* ---- main ----------------------------------------------------------- */

/* Split a comma list into *v (appending). */
static void
add_list(char ***v, size_t *n, const char *arg)
{
	char *a = xstrdup(arg), *t, *save = NULL;

	for (t = strtok_r(a, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = xstrdup(t);
	}
	free(a);
}

int
main(int argc, char *argv[])
{
	enum { OPT_BARS = 256, OPT_COLORS, OPT_MERGE, OPT_STACKED, OPT_STRICT,
		OPT_SVG };
	static const struct option lopts[] = {
		{ "bars", no_argument, NULL, OPT_BARS },
		{ "colors", required_argument, NULL, OPT_COLORS },
		{ "merge", no_argument, NULL, OPT_MERGE },
		{ "stacked", no_argument, NULL, OPT_STACKED },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ NULL, 0, NULL, 0 }
	};
	/* static: the reader's buffers stay reachable to the end (the lib
	 * has no bh_rec_free), so LeakSanitizer has nothing to report. */
	static struct bh_reader r;
	static char **kargs;
	struct bh_reader none;
	enum bh_rec_kind kind;
	const char *svgpath = NULL;
	size_t nk = 0, i, j, k;
	unsigned long ul;
	int c, merge = 0, bars = 0, strict = 0, stream;
	FILE *cmt;

	bh_diag_init(argv[0]);
	while ((c = getopt_long(argc, argv, "b:k:N:ST:w:X:Y:", lopts,
	    NULL)) != -1) {
		switch (c) {
		case 'b':
			add_list(&gnames, &ngcols, optarg);
			break;
		case 'k':
			kargs = xreallocarray(kargs, nk + 1, sizeof(*kargs));
			kargs[nk++] = optarg;
			break;
		case 'N':
			if (bh_parse_uint(optarg, 1UL << 30, &ul) == -1 ||
			    ul == 0)
				bh_errx(BH_EXIT_FATAL, "-N %s: a number of "
				    "cells from 1 to 2^30", optarg);
			maxcells = ul;
			break;
		case 'S':
			statsmode = 1;
			break;
		case 'T':
			title = optarg;
			break;
		case 'w':
			if (!valid_name(optarg, strlen(optarg)))
				bh_errx(BH_EXIT_FATAL, "-w %s: not a column "
				    "name", optarg);
			weightcol = optarg;
			break;
		case 'X':
			xlabel = optarg;
			break;
		case 'Y':
			ylabel = optarg;
			break;
		case OPT_BARS:
			bars = 1;
			break;
		case OPT_COLORS:
			colours_arg(optarg);
			break;
		case OPT_MERGE:
			merge = 1;
			break;
		case OPT_STACKED:
			stacked = 1;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_SVG:
			svgpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (merge && (nk > 0 || ngcols > 0 || weightcol != NULL ||
	    statsmode)) {
		bh_warnx("--merge takes keys, groups, weight and -S from its "
		    "input: no -k, -b, -w or -S");
		usage();
	}
	if (!merge && nk == 0) {
		bh_warnx("no key: give -k, or --merge");
		usage();
	}
	if (bars && svgpath != NULL && strcmp(svgpath, "-") == 0) {
		bh_warnx("--bars and --svg - both write standard output");
		usage();
	}
	stream = !bars && (svgpath == NULL || strcmp(svgpath, "-") != 0);
	for (i = 0; i < ngcols; i++) {
		if (!valid_name(gnames[i], strlen(gnames[i])))
			bh_errx(BH_EXIT_FATAL, "-b %s: not a column name",
			    gnames[i]);
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(gnames[i], reserved[k]) == 0)
				bh_errx(BH_EXIT_FATAL, "-b %s: the output has "
				    "a column of that name", gnames[i]);
		for (j = 0; j < i; j++)
			if (strcmp(gnames[i], gnames[j]) == 0)
				bh_errx(BH_EXIT_FATAL, "-b %s: given twice",
				    gnames[i]);
	}
	for (i = 0; i < nk; i++)
		spec_arg(kargs[i]);

	if (stream)
		cmt = stdout;
	else if ((cmt = fopen("/dev/null", "w")) == NULL)
		bh_err(BH_EXIT_FATAL, "/dev/null");
	bh_rec_open(&r, argc, argv, cmt);
	r.strict = strict;
	memset(&none, 0, sizeof(none));
	bh_wr_init(&out, stdout, &none, NULL, 0);
	if (r.ncol > 0 && merge)
		merge_open(&r);
	else if (r.ncol > 0) {
		for (i = 0; i < nspecs; i++) {
			specs[i].col[0] = bh_rec_need(&r, specs[i].name[0]);
			if (specs[i].two) {
				specs[i].col[1] = bh_rec_need(&r,
				    specs[i].name[2]);
				has2d = 1;
			}
		}
		gcol = xreallocarray(NULL, ngcols + 1, sizeof(*gcol));
		for (i = 0; i < ngcols; i++)
			gcol[i] = bh_rec_need(&r, gnames[i]);
		if (weightcol != NULL)
			wcol = bh_rec_need(&r, weightcol);
		kval = xreallocarray(NULL, 2 * nspecs + 2, sizeof(*kval));
		kraw = xreallocarray(NULL, nspecs + 1, sizeof(*kraw));
	}
	/* The header goes out before any comment of the input, so that the
	 * output is a stream (a comment may not precede the header unless
	 * it is "# text"); the rows follow at the end. */
	if (stream && r.ncol > 0)
		write_header();
	while ((kind = bh_rec_next(&r)) != BH_REC_EOF) {
		if (kind == BH_REC_COMMENT) {
			if (stream)
				bh_wr_line(&out, r.line, r.linelen);
			continue;
		}
		if (merge)
			merge_record(&r);
		else
			add_record(&r);
	}
	sort_cells();
	if (stream && r.ncol > 0)
		write_stream();
	make_panels();
	if (bars)
		write_bars();
	bh_wr_flush(&out);
	if (svgpath != NULL)
		write_svg(svgpath);
	if (nweightless > 0)
		bh_warnx("%lu record%s with %s '-': counted in n, not in w",
		    nweightless, nweightless == 1 ? "" : "s", weightcol);
	bh_wr_free(&out);
	if (cmt != stdout)
		fclose(cmt);
	return bh_fshut(bh_rec_close(&r));
}
