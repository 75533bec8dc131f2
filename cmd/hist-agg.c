/*
 * hist-agg.c - bh-hist's aggregation: numbers in micro-units, weights,
 * interned strings, groups, key/bin specs, cells, the records into cells,
 * the output order, exact statistics and the output stream; the cells of
 * each histogram as a panel for the figures.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

const char *const rowname[] = { "stat", "hist", "value" };
const char *const reserved[] = {
	"key", "width", "key2", "width2", "weight", "row", "bin", "bin2",
	"n", "w", "min", "q1", "median", "q3", "max", "mean", NULL
};

struct strtab	 texts, groups, specids;
struct spec	*specs;
size_t		 nspecs;
char		***gpart;	/* group id -> its values */
char		**gnames;	/* group column names */
size_t		 ngcols;
int		*gcol;		/* their input columns */
struct cell	*cells;
size_t		 ncells, cellcap;
uint32_t		*cslot;
size_t		 cmask;
unsigned long	 maxcells = DEF_MAXCELLS;
uint32_t		*specrank, *grouprank, *textrank;
int		 statsmode, has2d;
const char	*weightcol;
int		 wcol = -1;
unsigned long	 nweightless;
struct bh_writer	 out;
struct coord	*kval, *kraw;

/* ---- numbers -------------------------------------------------------- */

/* A value in micro-units: "[-]D[.D]", rounded beyond 6 decimals. */
int
parse_num(const char *s, int64_t *v)
{
	return bh_parse_usec(s, v);
}

/* The canonical text of a micro-unit value: no trailing zeros, no "." for
 * an integer ("40", "0.5", "-12.25"); it reads back as the same value. */
int
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
int
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
int
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

double
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
const char *
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
void
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

uint64_t
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
uint32_t
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
const char *
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
int
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

int
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
void
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
struct cell *
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

void
cell_add(struct cell *c, uint64_t n, const struct wsum *w)
{
	if (c->n > UINT64_MAX - n)
		bh_errx(BH_EXIT_FATAL, "record count overflow");
	c->n += n;
	wsum_add(&c->w, w);
}

/* ---- input ---------------------------------------------------------- */

/* Classify s: "-" unset, a number, or text (interned later). */
void
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

void
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


/*
 * One input record: every key of every spec is checked first, so a bad
 * record adds nothing anywhere (and interns nothing: memory stays bound to
 * the cells); then each spec's cell gets n + 1 and w + weight.
 */
void
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

int
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
void
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
void
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

void
put(const char *s)
{
	bh_wr_raw(&out, s, strlen(s));
}

static void
putc_(char c)
{
	bh_wr_raw(&out, &c, 1);
}

const char *
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

void
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
size_t
block_end(size_t i)
{
	size_t j;

	for (j = i + 1; j < ncells && cells[j].spec == cells[i].spec &&
	    cells[j].group == cells[i].group; j++)
		;
	return j;
}

void
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

struct panel	*panels;
size_t		 npanels;

void
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
const char *
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
const char *
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

