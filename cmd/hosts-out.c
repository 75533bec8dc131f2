/*
 * hosts-out.c - bh-hosts' output: the rows of the table (hosts-agg.c)
 * sorted by address and written, each column computed from what the row
 * keeps (bh-hosts(1) "Columns").
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hosts.h"

#define IS_DIGIT(c)	((unsigned char)((c) - '0') < 10)

/* The four bytes of s when it is a dotted quad in its plain form (each
 * part 0 to 255 without a leading zero, as inet_pton(3) takes them), 1;
 * else 0, and inet_pton() decides. */
static int
quad(const char *s, unsigned char b[4])
{
	unsigned char t[4];
	unsigned v;
	int i;

	for (i = 0; i < 4; i++) {
		if (!IS_DIGIT(*s))
			return 0;
		v = (unsigned)(*s++ - '0');
		if (v != 0 && IS_DIGIT(*s)) {
			v = v * 10 + (unsigned)(*s++ - '0');
			if (IS_DIGIT(*s))
				v = v * 10 + (unsigned)(*s++ - '0');
		}
		if (v > 255 || IS_DIGIT(*s) || *s++ != (i < 3 ? '.' : '\0'))
			return 0;
		t[i] = (unsigned char)v;
	}
	memcpy(b, t, 4);	/* only now: a key is all zeros when it fails */
	return 1;
}

/* An address's sort key: 4 or 6, then its bytes; anything else 255 (and
 * sorted by text after the addresses). */
static void
sort_key(unsigned char k[17], const char *s)
{
	memset(k, 0, 17);
	if (quad(s, k + 1) || inet_pton(AF_INET, s, k + 1) == 1)
		k[0] = 4;
	else if (inet_pton(AF_INET6, s, k + 1) == 1)
		k[0] = 6;
	else
		k[0] = 255;
}

/*
 * What the output's sort moves: the first 8 bytes of the party's first
 * sort key (the local one when per pair) as a number, which orders as
 * the bytes do and tells most parties apart (an IPv4 address is all
 * there), and the index of its row.
 */
struct sortpos {
	uint64_t		 prefix;
	uint32_t		 i;
};

/* A party whose prefix is another's too, with both its sort keys. */
struct sorted {
	unsigned char		 k[2][17];
	uint32_t		 i;
};

static const struct hosts *cmp_hosts;

static int
host_cmp(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	const struct hosts_host *p = HOST(cmp_hosts, x->i),
	    *q = HOST(cmp_hosts, y->i);
	int c;

	if (p->local != NULL && q->local != NULL) {
		if ((c = memcmp(x->k[0], y->k[0], 17)) != 0)
			return c;
		if ((c = strcmp(p->local, q->local)) != 0)
			return c;
	}
	if ((c = memcmp(x->k[1], y->k[1], 17)) != 0)
		return c;
	return strcmp(p->remote, q->remote);
}

static uint64_t
key_prefix(const unsigned char k[17])
{
	uint64_t x = 0;
	int i;

	for (i = 0; i < 8; i++)
		x = x << 8 | k[i];
	return x;
}

/* v[0..n) sorted by prefix, stably: a radix sort, a byte a pass from
 * the lowest (skipped when every prefix has the same byte there),
 * through tmp (n positions). */
static void
radix_sort(struct sortpos *v, struct sortpos *tmp, size_t n)
{
	struct sortpos *a = v, *b = tmp, *t;
	size_t count[256], i, sum, k;
	int shift, c;

	if (n == 0)
		return;
	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[a[i].prefix >> shift & 0xff]++;
		if (count[a[0].prefix >> shift & 0xff] == n)
			continue;
		for (sum = 0, c = 0; c < 256; c++) {
			k = count[c];
			count[c] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			b[count[a[i].prefix >> shift & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof(*v));
}

/*
 * v[0..n) in the order of the rows: by the prefixes of their first key
 * (radix_sort), then each run of equal ones by what follows.  A run of
 * one IPv4 local party (its prefix holds all of it, and so its text) is
 * sorted the same way by the remote party's prefix; any other run by
 * the full comparison, with both keys made again for it alone.  In
 * place of qsort() over entries with both keys, which was a fifth of
 * the output's time and 48 bytes a party.
 */
static void
sort_positions(const struct hosts *h, struct sortpos *v,
    struct sortpos *tmp, size_t n, int byremote)
{
	struct sorted *e = NULL;
	const struct hosts_host *p;
	unsigned char key[17];
	size_t i, j, k, ne = 0;

	radix_sort(v, tmp, n);
	cmp_hosts = h;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j].prefix == v[i].prefix; j++)
			;
		if (j - i == 1)
			continue;
		if (!byremote && h->pair && v[i].prefix >> 56 == 4) {
			for (k = i; k < j; k++) {
				sort_key(key, HOST(h, v[k].i)->remote);
				v[k].prefix = key_prefix(key);
			}
			sort_positions(h, v + i, tmp, j - i, 1);
			continue;
		}
		if (j - i > ne)
			e = xreallocarray(e, ne = j - i, sizeof(*e));
		for (k = 0; k < j - i; k++) {
			p = HOST(h, v[i + k].i);
			memset(e[k].k[0], 0, sizeof(e[k].k[0]));
			if (p->local != NULL)
				sort_key(e[k].k[0], p->local);
			sort_key(e[k].k[1], p->remote);
			e[k].i = v[i + k].i;
		}
		qsort(e, j - i, sizeof(*e), host_cmp);
		for (k = 0; k < j - i; k++)
			v[i + k].i = e[k].i;
	}
	free(e);
}


/* A row is made in h->row, then written in one copy. */
static void
grow_row(struct hosts *h, size_t n)
{
	while (h->rcap - h->rlen < n)
		h->rcap = h->rcap ? h->rcap * 2 : 4096;
	h->row = xrealloc(h->row, h->rcap);
}

static inline char *
room(struct hosts *h, size_t n)
{
	if (h->rcap - h->rlen <= n)	/* <=: a row exists even for n 0 */
		grow_row(h, n + 1);
	return h->row + h->rlen;
}

static inline void
put_n(struct hosts *h, const char *s, size_t n)
{
	memcpy(room(h, n), s, n);
	h->rlen += n;
}

static void
put(struct hosts *h, const char *s)
{
	put_n(h, s, strlen(s));
}

#define PUTS(h, lit)	put_n((h), (lit), sizeof(lit) - 1)

static void
put_u64(struct hosts *h, uint64_t v)
{
	char *o = room(h, BH_NUMBUF);

	/* most counts are a digit or two: no call for them */
	if (v < 10) {
		o[0] = (char)('0' + v);
		h->rlen++;
	} else if (v < 100) {
		o[0] = (char)('0' + v / 10);
		o[1] = (char)('0' + v % 10);
		h->rlen += 2;
	} else
		h->rlen += (size_t)bh_fmt_u64(o, v);
}

static void
put_ms(struct hosts *h, int64_t v)
{
	char *o = room(h, BH_NUMBUF);
	unsigned ms, us, n = 0;

	/* most RTTs are under a second: written here, without a call */
	if (v < 0 || v >= 1000000) {
		h->rlen += (size_t)bh_fmt_usec_ms(o, v);
		return;
	}
	ms = (unsigned)v / 1000;
	us = (unsigned)v % 1000;
	if (ms >= 100)
		o[n++] = (char)('0' + ms / 100);
	if (ms >= 10)
		o[n++] = (char)('0' + ms / 10 % 10);
	o[n++] = (char)('0' + ms % 10);
	o[n++] = '.';
	o[n++] = (char)('0' + us / 100);
	o[n++] = (char)('0' + us / 10 % 10);
	o[n++] = (char)('0' + us % 10);
	h->rlen += n;
}

static void
put_us(struct hosts *h, int64_t v)
{
	h->rlen += (size_t)bh_fmt_usec_s(room(h, BH_NUMBUF), v);
}

static const struct hosts_texts *cmp_texts;

static int
text_cmp(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return strcmp(cmp_texts->s[*x], cmp_texts->s[*y]);
}

/* Each text's place in byte order (h->rank), so that a list of text ids
 * sorts without reading the texts. */
static void
rank_texts(struct hosts *h)
{
	uint32_t *id;
	size_t i;

	id = xreallocarray(NULL, h->texts.n + 1, sizeof(*id));
	for (i = 0; i < h->texts.n; i++)
		id[i] = (uint32_t)i;
	cmp_texts = &h->texts;
	qsort(id, h->texts.n, sizeof(*id), text_cmp);
	h->rank = xreallocarray(h->rank, h->texts.n + 1, sizeof(*h->rank));
	for (i = 0; i < h->texts.n; i++)
		h->rank[id[i]] = (uint32_t)i;
	free(id);
}

#define LIST_STACK	16	/* a text list sorted without allocation */

/* A count list: numbers in order, texts in byte order; "-" if empty. */
static void
put_list(struct hosts *h, const struct hosts_list *l, int text)
{
	struct hosts_cnt stack[LIST_STACK], *v = l->v, c;
	uint32_t i, j;

	if (l->n == 0) {
		PUTS(h, "-");
		return;
	}
	if (text && l->n > 1) {	/* by rank: few items, insertion */
		v = l->n <= LIST_STACK ? stack :
		    xreallocarray(NULL, l->n, sizeof(*v));
		for (i = 0; i < l->n; i++) {
			c = l->v[i];
			for (j = i; j > 0 && h->rank[v[j - 1].key] >
			    h->rank[c.key]; j--)
				v[j] = v[j - 1];
			v[j] = c;
		}
	}
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			PUTS(h, ",");
		if (text)
			put(h, h->texts.s[v[i].key]);
		else
			put_u64(h, v[i].key);
		PUTS(h, ":");
		put_u64(h, v[i].n);
	}
	if (v != l->v && v != stack)
		free(v);
}

static void
put_rtt(struct hosts *h, const struct hosts_rtt *m)
{
	uint32_t i;

	if (m == NULL) {
		PUTS(h, "\t0\t-\t-\t-\t-\t-");
		return;
	}
	PUTS(h, "\t");
	put_u64(h, m->n);
	if (m->n == 0) {
		PUTS(h, "\t-\t-\t-\t-\t-");
		return;
	}
	PUTS(h, "\t");
	put_ms(h, m->min);
	PUTS(h, "\t");
	put_ms(h, hosts_rtt_quantile(m, 1, 2));
	PUTS(h, "\t");
	put_ms(h, hosts_rtt_quantile(m, 95, 100));
	PUTS(h, "\t");
	put_ms(h, m->max);
	PUTS(h, "\t");
	for (i = 0; i < m->b.n; i++) {
		if (i > 0)
			PUTS(h, ",");
		put_ms(h, m->b.v[i].least);
		PUTS(h, ":");
		put_u64(h, m->b.v[i].n);
	}
}

static void
put_row(struct hosts *h, const struct hosts_host *p)
{
	const struct hosts_list *hl = &p->hops;
	uint64_t total = hosts_list_total(hl), mode_n = 0, share;
	uint32_t i, mode = 0;
	char b[8];
	const char *sep = "";
	int spread;

	h->rlen = 0;
	if (p->local != NULL) {
		put(h, p->local);
		PUTS(h, "\t");
	}
	put(h, p->remote);
	PUTS(h, "\t");
	put_u64(h, p->sessions);
	PUTS(h, "\t");
	put_list(h, &p->roles, 1);
	PUTS(h, "\t");
	if (p->first <= p->last) {
		put_us(h, p->first);
		PUTS(h, "\t");
		put_us(h, p->last);
	} else
		PUTS(h, "-\t-");
	PUTS(h, "\t");
	put_list(h, &p->ttl_init, 0);
	PUTS(h, "\t");
	put_u64(h, total);
	/* the mode: most sessions, the fewer hops on a tie */
	for (i = 0; i < hl->n; i++)
		if (hl->v[i].n > mode_n) {
			mode_n = hl->v[i].n;
			mode = hl->v[i].key;
		}
	if (total == 0)
		PUTS(h, "\t-\t-\t-\t-\t0\t-");
	else {
		PUTS(h, "\t");
		put_u64(h, hl->v[0].key);
		PUTS(h, "\t");
		put_u64(h, mode);
		PUTS(h, "\t");
		put_u64(h, hl->v[hl->n - 1].key);
		/* the share in thousandths, rounded half up; counts past
		 * 2^64 / 2001 (merged tables only) are halved together
		 * first, so 2000 * mode_n + total cannot wrap */
		while (total > UINT64_MAX / 2001) {
			total >>= 1;
			mode_n >>= 1;
		}
		share = (mode_n * 2000 + total) / (2 * total);
		b[0] = '\t';
		b[1] = (char)('0' + share / 1000);
		b[2] = '.';
		b[3] = (char)('0' + share / 100 % 10);
		b[4] = (char)('0' + share / 10 % 10);
		b[5] = (char)('0' + share % 10);
		put_n(h, b, 6);
		PUTS(h, "\t");
		put_u64(h, hl->n);
		PUTS(h, "\t");
		put_list(h, hl, 0);
	}
	PUTS(h, "\t");
	put_list(h, &p->os_ttl, 1);
	PUTS(h, "\t");
	put_list(h, &p->os_sig, 1);
	PUTS(h, "\t");
	put_u64(h, p->os_conflict_n);
	PUTS(h, "\t");
	spread = total > 0 && hl->v[hl->n - 1].key - hl->v[0].key > h->tol;
	if (spread) {
		PUTS(h, "hops-spread");
		sep = ",";
	}
	if (p->ttl_init.n > 1) {
		put(h, sep);
		PUTS(h, "ttl-init-mixed");
		sep = ",";
	}
	if (p->os_conflict_n > 0) {
		put(h, sep);
		PUTS(h, "os-conflict");
		sep = ",";
	}
	if (*sep == '\0')
		PUTS(h, "-");
	for (i = 0; i < HM_N; i++)
		put_rtt(h, p->rtt[i]);
	PUTS(h, "\n");
	bh_wr_raw(&h->out, h->row, h->rlen);
}

/*
 * Fetch ahead what put_row() will read of a party, in three steps: its
 * row, then what the row points to, then the RTT buckets (the rows are
 * in the order they were made, the output in the order of their
 * addresses, so each row is far from the last).  OUT_AHEAD rows ahead,
 * half as many and a quarter.
 */
#define OUT_AHEAD	16

static void
fetch_out(const struct hosts_host *p, int step)
{
	int i;

	switch (step) {
	case 0:
		__builtin_prefetch(p);
		__builtin_prefetch((const char *)p + 64);
		__builtin_prefetch((const char *)p + 128);
		__builtin_prefetch((const char *)p + 192);
		break;
	case 1:
		for (i = 0; i < HM_N; i++)
			if (p->rtt[i] != NULL) {
				__builtin_prefetch(p->rtt[i]);
				__builtin_prefetch((const char *)p->rtt[i] +
				    sizeof(*p->rtt[i]) - 1);
			}
		if (p->hops.n > 1)
			__builtin_prefetch(p->hops.v);
		if (p->roles.n > 1)
			__builtin_prefetch(p->roles.v);
		break;
	default:
		for (i = 0; i < HM_N; i++)
			if (p->rtt[i] != NULL && p->rtt[i]->b.n > 1)
				__builtin_prefetch(p->rtt[i]->b.v);
	}
}

int
hosts_output(struct hosts *h)
{
	struct sortpos *v, *tmp;
	const struct hosts_host *p;
	unsigned char k[17];
	size_t i;

	if (h->full || hosts_finish(h) == -1)
		return -1;
	v = xreallocarray(NULL, h->n + 1, sizeof(*v));
	for (i = 0; i < h->n; i++) {
		p = HOST(h, i);
		sort_key(k, p->local != NULL ? p->local : p->remote);
		v[i].prefix = key_prefix(k);
		v[i].i = (uint32_t)i;
	}
	tmp = xreallocarray(NULL, h->n + 1, sizeof(*tmp));
	sort_positions(h, v, tmp, h->n, 0);
	free(tmp);
	rank_texts(h);
	for (i = 0; i < h->n; i++) {
		if (i + OUT_AHEAD < h->n)
			fetch_out(HOST(h, v[i + OUT_AHEAD].i), 0);
		if (i + OUT_AHEAD / 2 < h->n)
			fetch_out(HOST(h, v[i + OUT_AHEAD / 2].i), 1);
		if (i + OUT_AHEAD / 4 < h->n)
			fetch_out(HOST(h, v[i + OUT_AHEAD / 4].i), 2);
		put_row(h, HOST(h, v[i].i));
	}
	free(v);
	bh_wr_flush(&h->out);
	return 0;
}
