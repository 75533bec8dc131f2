/*
 * hosts-dist.c - what bh-hosts keeps per party, in forms that merge by
 * adding: sorted count lists (hop counts, initial TTLs, the ids of role
 * and OS texts, RTT buckets), the RTT distributions with their exact
 * minimum and maximum, and the interned texts.
 *
 * The RTT buckets are a log-linear histogram with fixed edges (the
 * HdrHistogram idea, Gil Tene): the same value lands in the same bucket
 * in every run, so the buckets of two partial tables add up to those of
 * the whole, and a quantile read from them is the same whatever the
 * split.  Each bucket keeps its smallest sample too (a minimum merges),
 * so a quantile is a sample that occurs: exact below 1.024 ms, above
 * less than 1/64 below the exact quantile (bh-hosts(1) "RTT").
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hosts.h"

uint32_t
hosts_bucket(int64_t v)
{
	uint64_t u = (uint64_t)v;
	int e;

	if (u < (1u << HOSTS_EXACT_BITS))
		return (uint32_t)u;
	e = 63 - __builtin_clzll(u);
	return (1u << HOSTS_EXACT_BITS) +
	    (uint32_t)(e - HOSTS_EXACT_BITS) * (1u << HOSTS_SUB_BITS) +
	    (uint32_t)((u >> (e - HOSTS_SUB_BITS)) &
	    ((1u << HOSTS_SUB_BITS) - 1));
}

/*
 * The item of key in a sorted array *v of *n items of esz bytes whose
 * first member is the uint32_t key (a struct hosts_cnt or hosts_bkt),
 * made when new (zero but for its key): in one, the list's own item,
 * while it is the only one.  *isnew tells which.
 */
static void *
item_get(void **v, uint32_t *n, uint32_t *cap, void *one, size_t esz,
    uint32_t key, int *isnew)
{
	unsigned char *a = *v;
	uint32_t lo = 0, hi = *n, mid, k;

	*isnew = 0;
	/* Most lists hold one or two keys and most additions hit the
	 * last one: look there first. */
	if (*n > 0) {
		memcpy(&k, a + (size_t)(*n - 1) * esz, sizeof(k));
		if (k == key)
			return a + (size_t)(*n - 1) * esz;
	}
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		memcpy(&k, a + (size_t)mid * esz, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n) {
		memcpy(&k, a + (size_t)lo * esz, sizeof(k));
		if (k == key)
			return a + (size_t)lo * esz;
	}
	if (*cap == 0) {
		a = one;
		*cap = 1;
	} else if (*n == *cap) {
		*cap *= 2;
		if (a == one) {
			a = xreallocarray(NULL, *cap, esz);
			memcpy(a, one, esz);
		} else
			a = xreallocarray(a, *cap, esz);
	}
	*v = a;
	memmove(a + (size_t)(lo + 1) * esz, a + (size_t)lo * esz,
	    (size_t)(*n - lo) * esz);
	memset(a + (size_t)lo * esz, 0, esz);
	memcpy(a + (size_t)lo * esz, &key, sizeof(key));
	(*n)++;
	*isnew = 1;
	return a + (size_t)lo * esz;
}

void
hosts_list_add(struct hosts_list *l, uint32_t key, uint64_t n)
{
	void *v = l->v;
	struct hosts_cnt *c;
	int isnew;

	c = item_get(&v, &l->n, &l->cap, &l->one, sizeof(*c), key, &isnew);
	l->v = v;
	c->n += n;
}

void
hosts_list_free(struct hosts_list *l)
{
	if (l->v != &l->one)
		free(l->v);
	memset(l, 0, sizeof(*l));
}

void
hosts_blist_free(struct hosts_blist *l)
{
	if (l->v != &l->one)
		free(l->v);
	memset(l, 0, sizeof(*l));
}

uint64_t
hosts_list_total(const struct hosts_list *l)
{
	uint64_t t = 0;
	uint32_t i;

	for (i = 0; i < l->n; i++)
		t += l->v[i].n;
	return t;
}

void
hosts_rtt_add(struct hosts_rtt *m, int64_t v, uint64_t n)
{
	void *a = m->b.v;
	struct hosts_bkt *k;
	int isnew;

	if (m->n == 0 && m->b.cap == 0) {	/* the first: a new method */
		m->min = m->max = v;
		m->n = n;
		m->b.one.key = hosts_bucket(v);
		m->b.one.n = n;
		m->b.one.least = v;
		m->b.v = &m->b.one;
		m->b.n = m->b.cap = 1;
		return;
	}
	if (m->n == 0 || v < m->min)
		m->min = v;
	if (m->n == 0 || v > m->max)
		m->max = v;
	m->n += n;
	k = item_get(&a, &m->b.n, &m->b.cap, &m->b.one, sizeof(*k),
	    hosts_bucket(v), &isnew);
	m->b.v = a;
	k->n += n;
	if (isnew || v < k->least)
		k->least = v;
}

int64_t
hosts_rtt_quantile(const struct hosts_rtt *m, uint64_t num, uint64_t den)
{
	/* ceil(num * n / den) without overflow (num <= den, small) */
	uint64_t want = m->n / den * num + ((m->n % den) * num + den - 1) / den,
	    cum = 0;
	uint32_t i;

	/* Hyndman and Fan's type 1, as bh-hist(1): the first bucket whose
	 * cumulative count reaches num/den of n. */
	for (i = 0; i < m->b.n; i++) {
		cum += m->b.v[i].n;
		if (cum >= want)
			break;
	}
	if (i == m->b.n)
		return m->max;
	return m->b.v[i].least;
}

/* FNV-1a: the texts are short (phases, OS labels). */
static uint64_t
text_hash(const char *s, size_t n)
{
	uint64_t x = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		x = (x ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return x;
}

static void
texts_grow(struct hosts_texts *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 64, i, j;
	uint32_t *slot = xcalloc(ns, sizeof(*slot));

	for (i = 0; i < t->n; i++) {
		for (j = t->h[i] & (ns - 1); slot[j] != 0; j = (j + 1) & (ns - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = ns;
}

long
hosts_text_id(struct hosts_texts *t, const char *s, size_t n)
{
	uint64_t x = text_hash(s, n);
	size_t j;
	uint32_t id;

	if (2 * (t->n + 1) > t->nslot)
		texts_grow(t);
	for (j = x & (t->nslot - 1); (id = t->slot[j]) != 0;
	    j = (j + 1) & (t->nslot - 1))
		if (t->h[id - 1] == x && strncmp(t->s[id - 1], s, n) == 0 &&
		    t->s[id - 1][n] == '\0')
			return id - 1;
	if (t->n == HOSTS_MAXTEXT)
		return -1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->s = xreallocarray(t->s, t->cap, sizeof(*t->s));
		t->h = xreallocarray(t->h, t->cap, sizeof(*t->h));
	}
	t->s[t->n] = xmalloc(n + 1);
	memcpy(t->s[t->n], s, n);
	t->s[t->n][n] = '\0';
	t->h[t->n] = x;
	t->slot[j] = (uint32_t)++t->n;
	return (long)t->n - 1;
}

void
hosts_texts_free(struct hosts_texts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->h);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
