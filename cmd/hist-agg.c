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

static const char *const rowname[] = { "stat", "hist", "value" };
const char *const reserved[] = {
	"key", "width", "key2", "width2", "weight", "row", "bin", "bin2",
	"n", "w", "min", "q1", "median", "q3", "max", "mean", NULL
};

/* ---- numbers -------------------------------------------------------- */

/* A value in micro-units: "[-]D[.D]", rounded beyond 6 decimals. */
static int
parse_num(const char *s, int64_t *v)
{
	return bh_parse_usec(s, v);
}

/* whole.frac (frac < MICRO: micro-units) at p, as the shortest exact
 * decimal: no trailing zeros, no "." when frac is 0.  Returns the
 * length. */
static int
fmt_micro(char *p, uint64_t whole, uint32_t frac)
{
	char *q = p;
	int i;

	q += bh_fmt_u64(q, whole);
	if (frac != 0) {
		*q++ = '.';
		for (i = 5; i >= 0; i--) {
			q[i] = (char)('0' + frac % 10);
			frac /= 10;
		}
		q += 6;
		while (q[-1] == '0')
			q--;
	}
	*q = '\0';
	return (int)(q - p);
}

/* The canonical text of a micro-unit value: no trailing zeros, no "." for
 * an integer ("40", "0.5", "-12.25"); it reads back as the same value. */
int
hist_fmt_num(char *buf, int64_t v)
{
	uint64_t u;

	if (v < 0) {
		buf[0] = '-';
		u = (uint64_t)0 - (uint64_t)v;
		return 1 + fmt_micro(buf + 1, u / MICRO,
		    (uint32_t)(u % MICRO));
	}
	u = (uint64_t)v;
	return fmt_micro(buf, u / MICRO, (uint32_t)(u % MICRO));
}

/*
 * A weight: a number >= 0 with at most 6 decimals ("12", "0.5").  Returns
 * 0, or -1 when s is not one or is too large.
 */
int
hist_parse_weight(const char *s, struct wsum *w)
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

/* a += b; -1 after reporting a sum of 2^61 or more. */
static int
wsum_add(struct wsum *a, const struct wsum *b)
{
	a->whole += b->whole;
	a->frac += b->frac;
	if (a->frac >= MICRO) {
		a->frac -= MICRO;
		a->whole++;
	}
	if (a->whole >= WMAX) {
		bh_warnx("weight sum overflow (more than 2^61)");
		return -1;
	}
	return 0;
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
hist_fmt_wsum(char *buf, const struct wsum *a)
{
	return fmt_micro(buf, a->whole, a->frac);
}

double
hist_wsum_double(const struct wsum *a)
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

	ka = BH_UNSET(a) ? CK_UNSET : parse_num(a, &x) == 0 ? CK_NUM :
	    CK_TEXT;
	kb = BH_UNSET(b) ? CK_UNSET : parse_num(b, &y) == 0 ? CK_NUM :
	    CK_TEXT;
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (ka == CK_NUM && x != y)
		return x < y ? -1 : 1;
	return strcmp(a, b);
}

/* A field value for a message: escaped, quoted, at most ~60 bytes. */
const char *
hist_quote(struct hist *h, const char *s)
{
	size_t n = strlen(s), used, k;

	h->qbuf[0] = '\'';
	k = bh_escape_bounded(h->qbuf + 1, 60, (const unsigned char *)s, n,
	    &used);
	if (used < n) {
		memcpy(h->qbuf + 1 + k, "...", 3);
		k += 3;
	}
	h->qbuf[1 + k] = '\'';
	h->qbuf[2 + k] = '\0';
	return h->qbuf;
}

/* Report a bad record as bh_rec_bad does, but only the first MAXSHOWN
 * one by one (a wrong -k on a big stream must not flood the terminal);
 * all are counted and summarised by bh_rec_loop.  With --strict the
 * run ends (h->fatal: the caller returns -1). */
void
hist_bad(struct hist *h, struct bh_reader *r, const char *fmt, ...)
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
		h->fatal = 1;
	else if (r->status < BH_EXIT_BAD)
		r->status = BH_EXIT_BAD;
}

/* ---- interned strings ----------------------------------------------- */

uint64_t
hist_hash_bytes(const char *p, size_t n)
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
	uint64_t h = hist_hash_bytes(s, n);
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
text_id(struct hist *h, const char *s)
{
	int isnew;

	return strtab_intern(&h->texts, s, strlen(s), &isnew);
}

/* ---- groups --------------------------------------------------------- */

/* The id of the group of record fields f (its values joined by TAB, which
 * no field holds). */
uint32_t
hist_group_id(struct hist *h, char *const *f)
{
	size_t i, len = 0, n;
	uint32_t id;
	int isnew;
	char *p;

	for (i = 0; i < h->ngcols; i++) {
		const char *val = f[h->gcol[i]];

		n = strlen(val);
		if (len + n + 1 > h->gbufcap) {
			h->gbufcap = (len + n + 1) * 2;
			h->gbuf = xrealloc(h->gbuf, h->gbufcap);
		}
		memcpy(h->gbuf + len, val, n);
		len += n;
		h->gbuf[len++] = '\t';
	}
	if (len > 0)
		len--;
	id = strtab_intern(&h->groups, h->gbuf != NULL ? h->gbuf : "", len,
	    &isnew);
	if (isnew) {
		h->gpart = xreallocarray(h->gpart, h->groups.cap,
		    sizeof(*h->gpart));
		h->gpart[id] = xreallocarray(NULL, h->ngcols + 1,
		    sizeof(char *));
		p = h->ngcols > 0 ? xstrdup(h->groups.s[id]) : NULL;
		for (i = 0; i < h->ngcols; i++) {
			h->gpart[id][i] = p;
			if ((p = strchr(p, '\t')) != NULL)
				*p++ = '\0';
		}
		h->gpart[id][h->ngcols] = NULL;
	}
	return id;
}

/* Group values joined by ", " for labels, into a static buffer. */
const char *
hist_group_label(struct hist *h, uint32_t g)
{
	size_t i, len = 0, n;

	for (i = 0; i < h->ngcols; i++) {
		n = strlen(h->gpart[g][i]);
		if (len + n + 3 > h->lbufcap) {
			h->lbufcap = (len + n + 3) * 2;
			h->lbuf = xrealloc(h->lbuf, h->lbufcap);
		}
		if (i > 0) {
			memcpy(h->lbuf + len, ", ", 2);
			len += 2;
		}
		memcpy(h->lbuf + len, h->gpart[g][i], n);
		len += n;
	}
	if (h->lbuf == NULL)
		return "";
	h->lbuf[len] = '\0';
	return h->lbuf;
}

/* ---- histograms (specs) --------------------------------------------- */

/* The spec for five names; -1 when a width is not "-" or a number > 0. */
int
hist_spec_id(struct hist *h, const char *const nm[5], uint32_t *idp)
{
	char *j;
	size_t len = 0, i, n;
	int64_t wd[2] = { 0, 0 };
	uint32_t id;
	int isnew;

	for (i = 0; i < 2; i++) {
		const char *w = nm[1 + 2 * i];

		if (!BH_UNSET(w) && (parse_num(w, &wd[i]) == -1 ||
		    wd[i] <= 0))
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
	id = strtab_intern(&h->specids, j, len - 1, &isnew);
	free(j);
	if (isnew) {
		h->specs = xreallocarray(h->specs, h->specids.cap,
		    sizeof(*h->specs));
		for (i = 0; i < 5; i++)
			h->specs[id].name[i] = xstrdup(nm[i]);
		h->specs[id].width[0] = wd[0];
		h->specs[id].width[1] = wd[1];
		h->specs[id].two = !BH_UNSET(nm[2]);
		h->specs[id].col[0] = h->specs[id].col[1] = -1;
		h->nspecs = h->specids.n;
	}
	*idp = id;
	return 0;
}

/* One -k argument, "key[:width][,key2[:width]]", into a spec.  Returns
 * 0, or -1 after reporting a bad one. */
int
hist_spec_arg(struct hist *h, const char *arg)
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
		if (strchr(dim[1], ',') != NULL) {
			bh_warnx("-k %s: one or two keys", arg);
			goto bad;
		}
	}
	nm[2] = nm[3] = "-";
	for (i = 0; i < nd; i++) {
		nm[2 * i + 1] = "-";
		if ((c = strchr(dim[i], ':')) != NULL) {
			*c++ = '\0';
			if (parse_num(c, &wd) == -1 || wd <= 0) {
				bh_warnx("-k %s: width must be a number > 0, "
				    "not '%s'", arg, c);
				goto bad;
			}
			hist_fmt_num(wbuf[i], wd);
			nm[2 * i + 1] = wbuf[i];
		}
		if (!bh_rec_name_ok(dim[i], strlen(dim[i]))) {
			bh_warnx("-k %s: '%s' is not a column name", arg,
			    dim[i]);
			goto bad;
		}
		nm[2 * i] = dim[i];
	}
	nm[4] = h->weightcol != NULL ? h->weightcol : "-";
	if (hist_spec_id(h, nm, &id) == -1) {
		bh_warnx("-k %s: bad width", arg);
		goto bad;
	}
	free(a);
	return 0;
bad:
	free(a);
	return -1;
}

/* ---- cells ---------------------------------------------------------- */

static void
cell_rehash(struct hist *h)
{
	size_t nslots = h->cmask == 0 ? 1024 : (h->cmask + 1) * 2, i, j;

	free(h->cslot);
	h->cslot = xcalloc(nslots, sizeof(*h->cslot));
	h->cmask = nslots - 1;
	for (i = 0; i < h->ncells; i++) {
		for (j = h->cells[i].hash & h->cmask; h->cslot[j] != 0;
		    j = (j + 1) & h->cmask)
			;
		h->cslot[j] = (uint32_t)i + 1;
	}
}

/*
 * The cell of (spec, group, row, a, b), created with n = w = 0 when new.
 * More than maxcells cells is fatal (NULL, reported): memory is bounded
 * by -N, and a result silently cut short would not be a histogram.
 */
struct cell *
hist_cell_get(struct hist *h, uint32_t spec, uint32_t group, int row,
    const struct coord *a, const struct coord *b)
{
	uint64_t hv;
	size_t i;
	uint32_t id;
	struct cell *c;

	hv = bh_mix64(((uint64_t)spec << 32 | group) ^
	    (uint64_t)(row << 8 | a->k << 4 | b->k) * 0x9e3779b97f4a7c15ULL);
	hv = bh_mix64(hv ^ (uint64_t)a->v);
	hv = bh_mix64(hv ^ (uint64_t)b->v * 0x9e3779b97f4a7c15ULL);
	if ((h->ncells + 1) * 2 > h->cmask + 1)
		cell_rehash(h);
	for (i = hv & h->cmask; (id = h->cslot[i]) != 0;
	    i = (i + 1) & h->cmask) {
		c = &h->cells[id - 1];
		if (c->hash == hv && c->spec == spec && c->group == group &&
		    c->row == row && c->k1 == a->k && c->v1 == a->v &&
		    c->k2 == b->k && c->v2 == b->v)
			return c;
	}
	if (h->ncells >= h->maxcells) {
		bh_warnx("more than %lu cells (keys x groups x bins%s): use "
		    "wider bins or fewer groups, or raise -N", h->maxcells,
		    h->statsmode ? ", and distinct values with -S" : "");
		return NULL;
	}
	if (h->ncells == h->cellcap) {
		h->cellcap = h->cellcap == 0 ? 1024 : h->cellcap * 2;
		h->cells = xreallocarray(h->cells, h->cellcap,
		    sizeof(*h->cells));
	}
	c = &h->cells[h->ncells++];
	memset(c, 0, sizeof(*c));
	c->hash = hv;
	c->spec = spec;
	c->group = group;
	c->row = (uint8_t)row;
	c->k1 = (uint8_t)a->k;
	c->v1 = a->v;
	c->k2 = (uint8_t)b->k;
	c->v2 = b->v;
	h->cslot[i] = (uint32_t)h->ncells;
	return c;
}

/* Add n records of weight sum w to cell c (NULL: cell_get failed).
 * Returns 0, or -1 after reporting an overflow (or when c is NULL). */
int
hist_cell_add(struct cell *c, uint64_t n, const struct wsum *w)
{
	if (c == NULL)
		return -1;
	if (c->n > UINT64_MAX - n) {
		bh_warnx("record count overflow");
		return -1;
	}
	c->n += n;
	return wsum_add(&c->w, w);
}

/* ---- input ---------------------------------------------------------- */

/* Classify s: "-" unset, a number, or text (interned later). */
void
hist_coord_of(const char *s, struct coord *c)
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
hist_coord_intern(struct hist *h, struct coord *c)
{
	if (c->k == CK_TEXT && c->s != NULL) {
		c->v = text_id(h, c->s);
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
 * the cells); then each spec's cell gets n + 1 and w + weight.  Returns 0
 * (also for a bad record, reported and skipped), or -1 when the run ends:
 * too many cells, an overflow, a bad record with --strict.
 */
int
hist_add_record(struct hist *h, struct bh_reader *r)
{
	struct wsum wv = { 1, 0 };
	struct coord none = { 0, CK_NONE, NULL };
	size_t i;
	int d, noweight = 0;
	uint32_t g;
	const char *s;

	if (h->wcol >= 0) {
		s = r->f[h->wcol];
		if (BH_UNSET(s)) {
			wv.whole = 0;
			noweight = 1;
		} else if (hist_parse_weight(s, &wv) == -1) {
			hist_bad(h, r, "%s: not a weight (a number >= 0 "
			    "with at most 6 decimals): %s; record skipped",
			    h->weightcol, hist_quote(h, s));
			return h->fatal ? -1 : 0;
		}
	}
	for (i = 0; i < h->nspecs; i++) {
		struct spec *sp = &h->specs[i];

		for (d = 0; d <= sp->two; d++) {
			struct coord *c = &h->kval[2 * i + d];

			s = r->f[sp->col[d]];
			hist_coord_of(s, c);
			if (d == 0)
				h->kraw[i] = *c;
			if (sp->width[d] == 0 || c->k == CK_UNSET)
				continue;
			if (c->k != CK_NUM) {
				hist_bad(h, r, "%s: not a number: %s; "
				    "record skipped", sp->name[2 * d],
				    hist_quote(h, s));
				return h->fatal ? -1 : 0;
			}
			if (bin_edge(c->v, sp->width[d], &c->v) == -1) {
				hist_bad(h, r, "%s: out of range: %s; "
				    "record skipped", sp->name[2 * d],
				    hist_quote(h, s));
				return h->fatal ? -1 : 0;
			}
		}
	}
	h->nweightless += noweight;
	g = hist_group_id(h, r->f);
	for (i = 0; i < h->nspecs; i++) {
		struct spec *sp = &h->specs[i];

		hist_coord_intern(h, &h->kval[2 * i]);
		if (sp->two)
			hist_coord_intern(h, &h->kval[2 * i + 1]);
		if (hist_cell_add(hist_cell_get(h, (uint32_t)i, g, ROW_HIST,
		    &h->kval[2 * i], sp->two ? &h->kval[2 * i + 1] : &none),
		    1, &wv) == -1)
			return -1;
		/* The value table of a binned key, for exact statistics. */
		if (h->statsmode && !sp->two && sp->width[0] != 0 &&
		    h->kraw[i].k == CK_NUM &&
		    hist_cell_add(hist_cell_get(h, (uint32_t)i, g, ROW_VALUE,
		    &h->kraw[i], &none), 1, &wv) == -1)
			return -1;
	}
	return 0;
}

/* ---- order ---------------------------------------------------------- */

/* An id and what it sorts by: a spec, a group's values (NULL-ended) or a
 * text. */
struct rankent {
	const void	*key;
	uint32_t	 id;
};

static int
spec_rank_cmp(const void *pa, const void *pb)
{
	const struct spec *a = ((const struct rankent *)pa)->key;
	const struct spec *b = ((const struct rankent *)pb)->key;
	int i, c;

	for (i = 0; i < 5; i++)
		if ((c = valcmp(a->name[i], b->name[i])) != 0)
			return c;
	return 0;
}

static int
group_rank_cmp(const void *pa, const void *pb)
{
	char *const *a = ((const struct rankent *)pa)->key;
	char *const *b = ((const struct rankent *)pb)->key;
	size_t i;
	int c;

	for (i = 0; a[i] != NULL; i++)
		if ((c = valcmp(a[i], b[i])) != 0)
			return c;
	return 0;
}

static int
text_rank_cmp(const void *pa, const void *pb)
{
	return strcmp(((const struct rankent *)pa)->key,
	    ((const struct rankent *)pb)->key);
}

/* Sort e[0..n-1] by cmp; rank[id] = position of id (returned, with room
 * for n + 1), e[i].id = the id at position i. */
static uint32_t *
ranks(struct rankent *e, uint32_t n, int (*cmp)(const void *, const void *))
{
	uint32_t *rank, i;

	rank = xreallocarray(NULL, n + 1, sizeof(*rank));
	qsort(e, n, sizeof(*e), cmp);
	for (i = 0; i < n; i++)
		rank[e[i].id] = i;
	return rank;
}

/* Cells whose spec, group and text coordinates are ranks: in output
 * order by the numbers alone. */
static int
coord_cmp(int ka, int64_t va, int kb, int64_t vb)
{
	if (ka != kb)
		return ka < kb ? -1 : 1;
	if (ka != CK_NUM && ka != CK_TEXT)
		return 0;
	return va < vb ? -1 : va > vb;
}

static int
cell_cmp(const void *pa, const void *pb)
{
	const struct cell *a = pa, *b = pb;
	int c;

	if (a->spec != b->spec)
		return a->spec < b->spec ? -1 : 1;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	if ((c = coord_cmp(a->k1, a->v1, b->k1, b->v1)) != 0)
		return c;
	return coord_cmp(a->k2, a->v2, b->k2, b->v2);
}

/*
 * Sort the cells into output order: spec, group, row kind, bin, bin2
 * (specs and groups by valcmp of their names and values, texts
 * bytewise).  The ids of specs, groups and texts are turned into their
 * ranks for the sort and back after it.
 */
void
hist_sort_cells(struct hist *h)
{
	struct rankent *se, *ge, *te;
	uint32_t *sr, *gr, *tr, i;
	struct cell *c;
	size_t k;

	se = xreallocarray(NULL, h->nspecs + 1, sizeof(*se));
	for (i = 0; i < h->nspecs; i++) {
		se[i].key = &h->specs[i];
		se[i].id = i;
	}
	ge = xreallocarray(NULL, h->groups.n + 1, sizeof(*ge));
	for (i = 0; i < h->groups.n; i++) {
		ge[i].key = h->gpart[i];
		ge[i].id = i;
	}
	te = xreallocarray(NULL, h->texts.n + 1, sizeof(*te));
	for (i = 0; i < h->texts.n; i++) {
		te[i].key = h->texts.s[i];
		te[i].id = i;
	}
	sr = ranks(se, (uint32_t)h->nspecs, spec_rank_cmp);
	gr = ranks(ge, h->groups.n, group_rank_cmp);
	tr = ranks(te, h->texts.n, text_rank_cmp);
	for (k = 0; k < h->ncells; k++) {
		c = &h->cells[k];
		c->spec = sr[c->spec];
		c->group = gr[c->group];
		if (c->k1 == CK_TEXT)
			c->v1 = tr[c->v1];
		if (c->k2 == CK_TEXT)
			c->v2 = tr[c->v2];
	}
	if (h->ncells > 0)
		qsort(h->cells, h->ncells, sizeof(*h->cells), cell_cmp);
	for (k = 0; k < h->ncells; k++) {
		c = &h->cells[k];
		c->spec = se[c->spec].id;
		c->group = ge[c->group].id;
		if (c->k1 == CK_TEXT)
			c->v1 = te[c->v1].id;
		if (c->k2 == CK_TEXT)
			c->v2 = te[c->v2].id;
	}
	free(se);
	free(ge);
	free(te);
	free(sr);
	free(gr);
	free(tr);
	free(h->cslot);
	h->cslot = NULL;
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
 * and "-" take no part.  Returns 0, or -1 after reporting that the
 * weights sum to 2^61 or more.
 */
int
hist_block_stats(const struct spec *sp, const struct cell *c, size_t nc,
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
			if (wsum_add(&st->w, &c[i].w) == -1)
				return -1;
		}
	if (wsum_zero(&st->w))
		return 0;
	st->have = 1;
	for (i = 0; i < nc; i++) {
		if (c[i].row != src || c[i].k1 != CK_NUM || wsum_zero(&c[i].w))
			continue;
		if (first)
			st->q[0] = c[i].v1;
		first = 0;
		st->q[4] = c[i].v1;
		(void)wsum_add(&cum, &c[i].w);	/* <= st->w */
		while (qi <= 3 && wsum_cmp(wsum_mul(cum, 4),
		    wsum_mul(st->w, qi)) >= 0)
			st->q[qi++] = c[i].v1;
		wd = (long double)c[i].w.whole +
		    (long double)c[i].w.frac / MICRO;
		sum += (long double)c[i].v1 * wd;
	}
	wd = (long double)st->w.whole + (long double)st->w.frac / MICRO;
	st->mean = (int64_t)llroundl(sum / wd);
	return 0;
}

/* ---- the output stream ---------------------------------------------- */

void
hist_put(struct hist *h, const char *s)
{
	bh_wr_raw(&h->out, s, strlen(s));
}

static void
putc_(struct hist *h, char c)
{
	bh_wr_raw(&h->out, &c, 1);
}

const char *
hist_coord_str(struct hist *h, char *buf, int k, int64_t v)
{
	switch (k) {
	case CK_NUM:
		hist_fmt_num(buf, v);
		return buf;
	case CK_TEXT:
		return h->texts.s[v];
	default:
		return "-";
	}
}

void
hist_write_header(struct hist *h)
{
	static const char *const st[] = { "min", "q1", "median", "q3", "max",
	    "mean" };
	size_t i;

	hist_put(h, "#key\twidth");
	if (h->has2d)
		hist_put(h, "\tkey2\twidth2");
	hist_put(h, "\tweight");
	for (i = 0; i < h->ngcols; i++) {
		putc_(h, '\t');
		hist_put(h, h->gnames[i]);
	}
	if (h->statsmode)
		hist_put(h, "\trow");
	hist_put(h, "\tbin");
	if (h->has2d)
		hist_put(h, "\tbin2");
	hist_put(h, "\tn\tw");
	if (h->statsmode)
		for (i = 0; i < 6; i++) {
			putc_(h, '\t');
			hist_put(h, st[i]);
		}
	putc_(h, '\n');
}

/* One output row; c == NULL writes the stat row st of (spec, group). */
static void
write_row(struct hist *h, uint32_t spec, uint32_t group, const struct cell *c,
    const struct stats *st)
{
	const struct spec *sp = &h->specs[spec];
	char buf[BH_NUMBUF + 8];
	size_t i;

	hist_put(h, sp->name[0]);
	putc_(h, '\t');
	hist_put(h, sp->name[1]);
	if (h->has2d) {
		putc_(h, '\t');
		hist_put(h, sp->name[2]);
		putc_(h, '\t');
		hist_put(h, sp->name[3]);
	}
	putc_(h, '\t');
	hist_put(h, sp->name[4]);
	for (i = 0; i < h->ngcols; i++) {
		putc_(h, '\t');
		hist_put(h, h->gpart[group][i]);
	}
	if (h->statsmode) {
		putc_(h, '\t');
		hist_put(h, rowname[c != NULL ? c->row : ROW_STAT]);
	}
	putc_(h, '\t');
	hist_put(h, c != NULL ? hist_coord_str(h, buf, c->k1, c->v1) : "-");
	if (h->has2d) {
		putc_(h, '\t');
		hist_put(h, c != NULL ? hist_coord_str(h, buf, c->k2, c->v2) :
		    "-");
	}
	putc_(h, '\t');
	bh_fmt_u64(buf, c != NULL ? c->n : st->n);
	hist_put(h, buf);
	putc_(h, '\t');
	hist_fmt_wsum(buf, c != NULL ? &c->w : &st->w);
	hist_put(h, buf);
	if (!h->statsmode)
		goto done;
	for (i = 0; i < 6; i++) {
		putc_(h, '\t');
		if (c != NULL || !st->have) {
			putc_(h, '-');
			continue;
		}
		hist_fmt_num(buf, i < 5 ? st->q[i] : st->mean);
		hist_put(h, buf);
	}
done:
	putc_(h, '\n');
}

/* End of block: the cells from i on with the same spec and group. */
size_t
hist_block_end(struct hist *h, size_t i)
{
	size_t j;

	for (j = i + 1; j < h->ncells && h->cells[j].spec == h->cells[i].spec &&
	    h->cells[j].group == h->cells[i].group; j++)
		;
	return j;
}

/* The rows of the sorted cells, each block (spec, group) after its stat
 * row with -S.  Returns 0, or -1 after reporting an overflow. */
int
hist_write_rows(struct hist *h)
{
	const struct cell *c = h->cells;
	struct stats st;
	size_t i, j, k;

	for (i = 0; i < h->ncells; i = j) {
		j = hist_block_end(h, i);
		if (h->statsmode && !h->specs[c[i].spec].two) {
			if (hist_block_stats(&h->specs[c[i].spec], c + i, j - i,
			    &st) == -1)
				return -1;
			write_row(h, c[i].spec, c[i].group, NULL, &st);
		}
		for (k = i; k < j; k++)
			write_row(h, c[k].spec, c[k].group, &c[k], NULL);
	}
	return 0;
}

/* ---- figures: common ------------------------------------------------ */

/* One panel per histogram (spec) of the sorted cells. */
void
hist_make_panels(struct hist *h)
{
	size_t i, j, k;
	struct panel *p;

	for (i = 0; i < h->ncells; i = j) {
		for (j = i; j < h->ncells &&
		    h->cells[j].spec == h->cells[i].spec; j++)
			;
		h->panels = xreallocarray(h->panels, h->npanels + 1,
		    sizeof(*h->panels));
		p = &h->panels[h->npanels++];
		p->sp = &h->specs[h->cells[i].spec];
		p->c0 = i;
		p->c1 = j;
		p->grp = xreallocarray(NULL, j - i, sizeof(*p->grp));
		p->ngrp = 0;
		for (k = i; k < j; k++)
			if (p->ngrp == 0 ||
			    p->grp[p->ngrp - 1] != h->cells[k].group)
				p->grp[p->ngrp++] = h->cells[k].group;
	}
}

/* "remote_ttl by phase, weighted by remote_pkts" */
const char *
hist_panel_desc(struct hist *h, const struct spec *sp)
{
	size_t i, n;

	if (sp->two)
		n = (size_t)snprintf(h->dbuf, sizeof(h->dbuf), "%s against %s",
		    sp->name[2], sp->name[0]);
	else
		n = (size_t)snprintf(h->dbuf, sizeof(h->dbuf), "%s",
		    sp->name[0]);
	for (i = 0; i < h->ngcols && n < sizeof(h->dbuf); i++)
		n += (size_t)snprintf(h->dbuf + n, sizeof(h->dbuf) - n, "%s%s",
		    i == 0 ? " by " : ", ", h->gnames[i]);
	if (!BH_UNSET(sp->name[4]) && n < sizeof(h->dbuf))
		snprintf(h->dbuf + n, sizeof(h->dbuf) - n, ", weighted by %s",
		    sp->name[4]);
	return h->dbuf;
}

/* s with every byte outside printable ASCII as '?' (terminal safety: a
 * --merge input need not come from bh-hist). */
const char *
hist_safe(struct hist *h, const char *s)
{
	size_t i, n = strlen(s);

	if (n + 1 > h->sbufcap) {
		h->sbufcap = n + 1;
		h->sbuf = xrealloc(h->sbuf, h->sbufcap);
	}
	for (i = 0; i < n; i++)
		h->sbuf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	h->sbuf[n] = '\0';
	return h->sbuf;
}

/* The bin(s) of c as a label: "40", "40, 90". */
void
hist_cell_label(struct hist *h, char *buf, size_t cap, const struct cell *c)
{
	char a[BH_NUMBUF + 8], b[BH_NUMBUF + 8];

	if (c->k2 == CK_NONE)
		snprintf(buf, cap, "%s", hist_coord_str(h, a, c->k1, c->v1));
	else
		snprintf(buf, cap, "%s, %s", hist_coord_str(h, a, c->k1, c->v1),
		    hist_coord_str(h, b, c->k2, c->v2));
}
