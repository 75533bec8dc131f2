/*
 * hosts-agg.c - bh-hosts' table of remote parties: a labelled session
 * record into its party's row, and a row of an earlier output into the
 * same (--merge); the rows are written by hosts-out.c.
 *
 * Every column written is either a sum, a minimum or maximum, a count
 * list, or computed from those at output time, so the rows of the parts
 * of an input add up to the rows of the whole (bh-hosts(1) "Merging").
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hosts.h"

static const char *const columns[] = {
	"local_ip", "remote_ip", "sessions", "roles", "first_ts", "last_ts",
	"ttl_init", "hops_n", "hops_min", "hops_mode", "hops_max",
	"hops_mode_share", "hops_distinct", "hops", "os_ttl", "os_sig",
	"os_conflict_n", "host_note",
	"rtt_hs_n", "rtt_hs_min_ms", "rtt_hs_med_ms", "rtt_hs_p95_ms",
	"rtt_hs_max_ms", "rtt_hs_hist",
	"rtt_data_n", "rtt_data_min_ms", "rtt_data_med_ms", "rtt_data_p95_ms",
	"rtt_data_max_ms", "rtt_data_hist",
	"rtt_ts_n", "rtt_ts_min_ms", "rtt_ts_med_ms", "rtt_ts_p95_ms",
	"rtt_ts_max_ms", "rtt_ts_hist",
};
#define NCOLUMNS	(sizeof(columns) / sizeof(columns[0]))
/* Output column indexes (with local_ip; without it, one less). */
enum { OC_LOCAL, OC_REMOTE, OC_SESSIONS, OC_ROLES, OC_FIRST, OC_LAST,
	OC_INIT, OC_HOPS_N, OC_HOPS_MIN, OC_HOPS_MODE, OC_HOPS_MAX,
	OC_HOPS_SHARE, OC_HOPS_DISTINCT, OC_HOPS, OC_OS_TTL, OC_OS_SIG,
	OC_CONFLICT, OC_NOTE, OC_RTT };
#define RTT_COLS	6	/* per method: n min med p95 max hist */

const char *const *
hosts_columns(int pair, size_t *n)
{
	*n = NCOLUMNS - !pair;
	return columns + !pair;
}

void
hosts_init(struct hosts *h, FILE *fp)
{
	size_t i, j;

	memset(h, 0, sizeof(*h));
	h->fp = fp;
	h->max = HOSTS_DEF_MAX;
	h->tol = HOSTS_DEF_TOL;
	bh_wr_start(&h->out, fp, NULL, 0, NULL, 0);
	for (i = 0; i < HC_N; i++)
		h->col[i] = -1;
	for (i = 0; i < 3; i++)
		for (j = 0; j < HOSTS_RECENT; j++)
			h->recent[i][j] = -1;
}

int
hosts_open(struct hosts *h, struct bh_reader *r)
{
	static const char *const names[HC_N] = {
		"ts", "dur", "dir", "orig_ip", "resp_ip", "phase",
		"remote_ttl_init", "remote_hops", "remote_os", "remote_os_sig",
		"ttl_note", "rtt_remote_ms", "rtt_remote_data_min_ms",
		"orig_tsrtt_min_ms", "resp_tsrtt_min_ms"
	};
	size_t i;

	for (i = 0; i < HC_N; i++)
		h->col[i] = i == HC_DIR || i == HC_OIP || i == HC_RIP ||
		    i == HC_TS ? bh_rec_need(r, names[i]) :
		    bh_rec_col(r, names[i]);
	for (i = 0; i < HC_N; i++)
		if (h->col[i] == -1 && (i == HC_DIR || i == HC_OIP ||
		    i == HC_RIP || i == HC_TS))
			return -1;
	return 0;
}

/* ---- the table ---- */

static uint64_t
key_hash(const char *local, const char *remote)
{
	uint64_t x = 0x84222325cbf29ce4ULL;
	const char *s;

	for (s = local != NULL ? local : ""; *s != '\0'; s++)
		x = (x ^ (unsigned char)*s) * 0x100000001b3ULL;
	x = (x ^ '\t') * 0x100000001b3ULL;
	for (s = remote; *s != '\0'; s++)
		x = (x ^ (unsigned char)*s) * 0x100000001b3ULL;
	return bh_mix64(x);
}



/* Twice the slots; each party's hash made again from its key (a slot
 * keeps only half of it). */
static void
table_grow(struct hosts *h)
{
	size_t ns = h->nslot ? h->nslot * 2 : 1024, i, j;
	struct hosts_slot *slot = xcalloc(ns, sizeof(*slot));
	const struct hosts_host *p;
	uint64_t x;

	for (i = 0; i < h->n; i++) {
		p = HOST(h, i);
		x = key_hash(p->local, p->remote);
		for (j = x & (ns - 1); slot[j].idx != 0; j = (j + 1) & (ns - 1))
			;
		slot[j].tag = (uint32_t)(x >> 32);
		slot[j].idx = (uint32_t)i + 1;
	}
	free(h->slot);
	h->slot = slot;
	h->nslot = ns;
}

static int
same_key(const struct hosts_host *p, const char *local, const char *remote)
{
	if (strcmp(p->remote, remote) != 0)
		return 0;
	return local == NULL ? p->local == NULL :
	    p->local != NULL && strcmp(p->local, local) == 0;
}

/* The party's row (x: key_hash of its key), made when new; NULL past
 * -N (reported). */
static struct hosts_host *
host_get(struct hosts *h, const char *local, const char *remote, uint64_t x)
{
	struct hosts_host *p;
	size_t j, n;

	if (2 * (h->n + 1) > h->nslot)
		table_grow(h);
	for (j = x & (h->nslot - 1); h->slot[j].idx != 0;
	    j = (j + 1) & (h->nslot - 1))
		if (h->slot[j].tag == (uint32_t)(x >> 32) &&
		    same_key(p = HOST(h, h->slot[j].idx - 1), local, remote))
			return p;
	if (h->n == h->max) {
		bh_warnx("more than %lu remote parties: no table is written "
		    "rather than a cut one (raise -N)", h->max);
		h->full = 1;
		return NULL;
	}
	if (h->n % HOSTS_SLAB == 0) {
		h->slab = xreallocarray(h->slab, h->nslab + 1,
		    sizeof(*h->slab));
		h->slab[h->nslab++] = xcalloc(HOSTS_SLAB, sizeof(*p));
	}
	p = HOST(h, h->n);
	if ((n = strlen(remote)) < sizeof(p->buf)) {
		memcpy(p->buf, remote, n + 1);
		p->remote = p->buf;
	} else
		p->remote = xstrdup(remote);
	if (local != NULL)
		p->local = xstrdup(local);
	p->first = INT64_MAX;
	p->last = INT64_MIN;
	h->slot[j].tag = (uint32_t)(x >> 32);
	h->slot[j].idx = (uint32_t)++h->n;
	return p;
}

static void
host_free(struct hosts_host *p)
{
	size_t i;

	free(p->local);
	if (p->remote != p->buf)
		free(p->remote);
	hosts_list_free(&p->roles);
	hosts_list_free(&p->ttl_init);
	hosts_list_free(&p->hops);
	hosts_list_free(&p->os_ttl);
	hosts_list_free(&p->os_sig);
	for (i = 0; i < HM_N; i++)
		if (p->rtt[i] != NULL)
			hosts_blist_free(&p->rtt[i]->b);
}

/* Party p's RTT method i, made at its first sample. */
static struct hosts_rtt *
rtt_of(struct hosts *h, struct hosts_host *p, int i)
{
	if (p->rtt[i] != NULL)
		return p->rtt[i];
	if (h->nrtt % HOSTS_SLAB == 0) {
		h->rslab = xreallocarray(h->rslab, h->nrslab + 1,
		    sizeof(*h->rslab));
		h->rslab[h->nrslab++] = xcalloc(HOSTS_SLAB,
		    sizeof(**h->rslab));
	}
	p->rtt[i] = &h->rslab[h->nrtt / HOSTS_SLAB][h->nrtt % HOSTS_SLAB];
	h->nrtt++;
	return p->rtt[i];
}

void
hosts_free(struct hosts *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		host_free(HOST(h, i));
	for (i = 0; i < h->nslab; i++)
		free(h->slab[i]);
	for (i = 0; i < h->nrslab; i++)
		free(h->rslab[i]);
	free(h->slab);
	free(h->rslab);
	free(h->slot);
	h->slab = NULL;
	h->rslab = NULL;
	h->nslab = h->nrslab = h->nrtt = 0;
	hosts_texts_free(&h->texts);
	free(h->mcol);
	free(h->rank);
	free(h->row);
	free(h->kbuf[0]);
	free(h->kbuf[1]);
	h->row = h->kbuf[0] = h->kbuf[1] = NULL;
	h->rank = NULL;
	h->rlen = h->rcap = h->kcap[0] = h->kcap[1] = 0;
	bh_wr_free(&h->out);
	h->slot = NULL;
	h->nslot = h->n = 0;
	h->mcol = NULL;
}

/*
 * A party's text as a key: as written, but a leading `#` as `\x23` (the
 * same byte, bh(7)): the first column of a row must not make it a
 * comment, and the key must be the same whichever column it came from,
 * so that a table merged is the table.  which: 0 local, 1 remote.
 */
static const char *
key_of(struct hosts *h, int which, const char *s)
{
	size_t n;

	if (s[0] != '#')
		return s;
	n = strlen(s);
	if (h->kcap[which] < n + 4) {
		h->kcap[which] = n + 4;
		h->kbuf[which] = xrealloc(h->kbuf[which], h->kcap[which]);
	}
	memcpy(h->kbuf[which], "\\x23", 4);
	memcpy(h->kbuf[which] + 4, s + 1, n);
	return h->kbuf[which];
}

/* A text field's id in list-item form; -1 fatal (reported).  recent
 * holds the ids this column had last (-1 none), the latest first: a
 * column repeats a few values, and a comparison or two is cheaper than
 * hashing. */
static long
text_id(struct hosts *h, const char *s, long *recent)
{
	char stack[256], *buf = stack;
	size_t n, i;
	long id;

	for (i = 0; i < HOSTS_RECENT && recent[i] >= 0; i++)
		if (h->texts.s[recent[i]][0] == s[0] &&
		    strcmp(h->texts.s[recent[i]], s) == 0) {
			id = recent[i];
			recent[i] = recent[0];
			recent[0] = id;
			return id;
		}
	n = strlen(s);
	if (memchr(s, ',', n) == NULL) {	/* already its item form */
		if ((id = hosts_text_id(&h->texts, s, n)) == -1)
			goto full;
		memmove(recent + 1, recent, (HOSTS_RECENT - 1) *
		    sizeof(*recent));
		return recent[0] = id;
	}
	if (4 * n + 1 > sizeof(stack))
		buf = xmalloc(4 * n + 1);
	n = bh_item_text(buf, s, n);
	id = hosts_text_id(&h->texts, buf, n);
	if (buf != stack)
		free(buf);
	if (id == -1)
		goto full;
	return id;	/* not kept: its item form is not s */
full:
	bh_warnx("more than %d distinct roles and OS labels", HOSTS_MAXTEXT);
	h->full = 1;
	return -1;
}

/* Whether the list field s holds the item w (bh(7): comma-separated). */
static int
has_item(const char *s, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = s; (p = strstr(p, w)) != NULL; p += n)
		if ((p == s || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

/* One more of key in l: hosts_list_add() but for the common cases first,
 * an empty list (a new party's) and the key of the last item (most lists
 * hold one). */
static void
list_add1(struct hosts_list *l, uint32_t key)
{
	if (l->n == 0 && l->cap == 0) {
		l->one.key = key;
		l->one.n = 1;
		l->v = &l->one;
		l->n = l->cap = 1;
	} else if (l->n > 0 && l->v[l->n - 1].key == key)
		l->v[l->n - 1].n++;
	else
		hosts_list_add(l, key, 1);
}

/* The session it into its party's row: 0, or -1 past -N. */
static int
apply(struct hosts *h, const struct hosts_item *it)
{
	struct hosts_host *p;
	int i;

	if ((p = host_get(h, h->pair ? it->local : NULL, it->remote,
	    it->hash)) == NULL)
		return -1;
	p->sessions++;
	if (it->hts) {
		if (it->ts < p->first)
			p->first = it->ts;
		if (it->end > p->last)
			p->last = it->end;
	}
	if (it->id[0] >= 0)
		list_add1(&p->roles, (uint32_t)it->id[0]);
	if (it->hinit)
		list_add1(&p->ttl_init, it->init);
	if (it->hhops)
		list_add1(&p->hops, it->hops);
	if (it->id[1] >= 0)
		list_add1(&p->os_ttl, (uint32_t)it->id[1]);
	if (it->id[2] >= 0)
		list_add1(&p->os_sig, (uint32_t)it->id[2]);
	p->os_conflict_n += it->conflict;
	for (i = 0; i < HM_N; i++)
		if (it->hrtt[i])
			hosts_rtt_add(rtt_of(h, p, i), it->rtt[i], 1);
	return 0;
}

/* Fetch ahead what it will touch: its slot, and once the slot is near,
 * the row it names (a hint only: the table may grow meanwhile). */
static void
fetch_slot(const struct hosts *h, const struct hosts_item *it)
{
	if (h->nslot > 0)
		__builtin_prefetch(&h->slot[it->hash & (h->nslot - 1)]);
}

static void
fetch_row(const struct hosts *h, const struct hosts_item *it)
{
	const struct hosts_slot *sl;
	const struct hosts_host *p;

	if (h->nslot == 0)
		return;
	sl = &h->slot[it->hash & (h->nslot - 1)];
	if (sl->idx != 0 && sl->tag == (uint32_t)(it->hash >> 32)) {
		p = HOST(h, sl->idx - 1);
		__builtin_prefetch(p);
		__builtin_prefetch((const char *)p + 64);
		__builtin_prefetch((const char *)p + 128);
		__builtin_prefetch((const char *)p + 192);
	}
}

/* The waiting sessions into their rows: 0, or -1 past -N. */
static int
drain(struct hosts *h)
{
	for (; h->qn > 0; h->qn--, h->qhead = (h->qhead + 1) % HOSTS_QUEUE)
		if (apply(h, &h->q[h->qhead]) == -1) {
			h->qn = 0;
			return -1;
		}
	return 0;
}

int
hosts_finish(struct hosts *h)
{
	if (drain(h) == -1) {
		h->fatal = 1;
		return -1;
	}
	return 0;
}

int
hosts_add_record(struct hosts *h, struct bh_reader *r)
{
	static const int rttcol[HM_N] = { HC_HS, HC_DATA, HC_OTS };
	const char *local, *remote, *phase = NULL, *os = NULL, *sig = NULL;
	struct hosts_item one, *it;
	unsigned long init = 0, hops = 0;
	int64_t dur = 0;
	int dir, hts, hdur, hinit, hhops, i, c;
	size_t rn, ln;

	if ((dir = bh_rec_get_dir(r, h->col[HC_DIR])) == -1)
		return 0;
	if (dir != BH_DIR_IN && dir != BH_DIR_OUT) {
		h->nolocal++;
		return 0;
	}
	/* the remote party and the columns of its leg (bh-rtt(1):
	 * with dir in the remote party opened the session) */
	remote = key_of(h, 1, r->f[h->col[dir == BH_DIR_IN ? HC_OIP : HC_RIP]]);
	local = key_of(h, 0, r->f[h->col[dir == BH_DIR_IN ? HC_RIP : HC_OIP]]);
	if (BH_UNSET(remote) || (h->pair && BH_UNSET(local))) {
		h->nolocal++;	/* no address: no party to count it for */
		return 0;
	}
	rn = strlen(remote);
	ln = h->pair ? strlen(local) : 0;
	if (rn < HOSTS_KEYMAX && ln < HOSTS_KEYMAX) {
		if (h->qn == HOSTS_QUEUE) {	/* the oldest goes in */
			if (apply(h, &h->q[h->qhead]) == -1)
				return -1;
			h->qhead = (h->qhead + 1) % HOSTS_QUEUE;
			h->qn--;
		}
		it = &h->q[(h->qhead + h->qn) % HOSTS_QUEUE];
	} else {
		if (drain(h) == -1)
			return -1;
		it = &one;
	}
	it->ts = 0;	/* the rest is set below, or unread while its flag is 0 */
	it->local = NULL;
	if ((hts = bh_rec_get_usec(r, h->col[HC_TS], &it->ts)) == -1 ||
	    (hdur = bh_rec_get_usec(r, h->col[HC_DUR], &dur)) == -1 ||
	    (hinit = bh_rec_get_uint(r, h->col[HC_INIT], 255, "TTL",
	    &init)) == -1 ||
	    (hhops = bh_rec_get_uint(r, h->col[HC_HOPS], 255, "hop count",
	    &hops)) == -1)
		return 0;
	for (i = 0; i < HM_N; i++) {
		/* The timestamp leg toward the remote party: its echoes of
		 * the local side's TSvals (bh-sessions(1) orig_tsrtt_*). */
		c = i == HM_TS && dir == BH_DIR_IN ? HC_RTS : rttcol[i];
		it->rtt[i] = 0;
		if ((c = bh_rec_get_ms(r, h->col[c], &it->rtt[i])) == -1)
			return 0;
		it->hrtt[i] = (uint8_t)c;
	}
	if (hdur == 1 && dur < 0) {
		bh_rec_bad(r, "dur: negative '%s'; record skipped",
		    bh_rec_shown(r->f[h->col[HC_DUR]]));
		return 0;
	}
	it->hts = (uint8_t)hts;
	it->end = hts == 1 ? it->ts : INT64_MIN;
	if (hts == 1 && hdur == 1 && it->ts <= BH_USEC_MAX - dur)
		it->end = it->ts + dur;
	it->hinit = (uint8_t)hinit;
	it->init = (uint8_t)init;
	it->hhops = (uint8_t)hhops;
	it->hops = (uint8_t)hops;
	it->id[0] = it->id[1] = it->id[2] = -1;
	if (h->col[HC_PHASE] >= 0 && !BH_UNSET(r->f[h->col[HC_PHASE]]))
		phase = r->f[h->col[HC_PHASE]];
	if (h->col[HC_OS] >= 0 && !BH_UNSET(r->f[h->col[HC_OS]]))
		os = r->f[h->col[HC_OS]];
	if (h->col[HC_OSSIG] >= 0 && !BH_UNSET(r->f[h->col[HC_OSSIG]]))
		sig = r->f[h->col[HC_OSSIG]];
	if ((phase != NULL &&
	    (it->id[0] = text_id(h, phase, h->recent[0])) == -1) ||
	    (os != NULL && (it->id[1] = text_id(h, os, h->recent[1])) == -1) ||
	    (sig != NULL && (it->id[2] = text_id(h, sig, h->recent[2])) == -1))
		return -1;
	/* bh-ttl(1) names the side: the remote party's signature against
	 * its own initial TTL */
	it->conflict = h->col[HC_NOTE] >= 0 && has_item(r->f[h->col[HC_NOTE]],
	    dir == BH_DIR_IN ? "orig:os-conflict" : "resp:os-conflict");
	it->hash = key_hash(h->pair ? local : NULL, remote);
	if (it == &one) {
		one.remote = remote;
		one.local = local;
		return apply(h, &one);
	}
	memcpy(it->rbuf, remote, rn + 1);
	it->remote = it->rbuf;
	if (h->pair) {
		memcpy(it->lbuf, local, ln + 1);
		it->local = it->lbuf;
	}
	h->qn++;
	fetch_slot(h, it);
	if (h->qn > HOSTS_QUEUE / 2)
		fetch_row(h, &h->q[(h->qhead + h->qn - 1 - HOSTS_QUEUE / 2) %
		    HOSTS_QUEUE]);
	return 0;
}

/* ---- --merge ---- */

int
hosts_merge_open(struct hosts *h, struct bh_reader *r)
{
	const char *const *cols;
	size_t n, i;
	int pair;

	pair = r->ncol > 0 && strcmp(r->col[0], "local_ip") == 0;
	cols = hosts_columns(pair, &n);
	if (r->ncol != n)
		goto notours;
	for (i = 0; i < n; i++)
		if (strcmp(r->col[i], cols[i]) != 0)
			goto notours;
	if (h->pair && !pair) {
		bh_warnx_at(r->name, r->lineno, "-l: this table is per remote "
		    "party, not per pair");
		return -1;
	}
	h->pair = pair;
	return 0;
notours:
	bh_warnx_at(r->name, r->lineno, "not the output of bh-hosts: "
	    "--merge reads its own tables");
	return -1;
}

/* A list "item:count,..." (or "-") into l: text items interned, or
 * numbers up to maxkey, the counts adding up to at most limit (the
 * record's sessions, so no sum of them can wrap); 0, or -1 on a
 * malformed list. */
static int
parse_list(struct hosts *h, struct hosts_list *l, const char *s, int text,
    unsigned long maxkey, uint64_t limit, int *fatal)
{
	const char *item, *end, *colon;
	unsigned long key;
	uint64_t n, total = 0;
	char num[BH_NUMBUF];
	long id;

	if (BH_UNSET(s))
		return 0;
	for (item = s; ; item = end + 1) {
		if ((end = strchr(item, ',')) == NULL)
			end = item + strlen(item);
		for (colon = end; colon > item && colon[-1] != ':'; colon--)
			;
		if (colon == item || (size_t)(end - colon) >= sizeof(num))
			return -1;
		memcpy(num, colon, (size_t)(end - colon));
		num[end - colon] = '\0';
		if (bh_parse_u64(num, &n) == -1 || n == 0 ||
		    n > limit - total)
			return -1;
		total += n;
		if (text) {
			if ((colon - 1 - item == 1 && item[0] == '-'))
				return -1;
			id = hosts_text_id(&h->texts, item,
			    (size_t)(colon - 1 - item));
			if (id == -1) {
				bh_warnx("more than %d distinct roles and OS "
				    "labels", HOSTS_MAXTEXT);
				*fatal = 1;
				return -1;
			}
			key = (unsigned long)id;
		} else {
			if ((size_t)(colon - 1 - item) >= sizeof(num))
				return -1;
			memcpy(num, item, (size_t)(colon - 1 - item));
			num[colon - 1 - item] = '\0';
			if (bh_parse_uint(num, maxkey, &key) == -1)
				return -1;
		}
		hosts_list_add(l, (uint32_t)key, n);
		if (*end == '\0')
			return 0;
	}
}

/* One method's columns (n, min, max, hist) into m: 0, or -1.  The
 * hist items are the least sample of a bucket and its count. */
static int
parse_rtt(struct bh_reader *r, const int *c, struct hosts_rtt *m)
{
	const char *s = r->f[c[5]], *item, *end, *colon;
	char num[BH_NUMBUF];
	int64_t v, min = 0, max = 0;
	uint64_t n, want;
	int hn, hmin, hmax;

	if ((hn = bh_rec_get_u64(r, c[0], &want)) == -1 ||
	    (hmin = bh_rec_get_ms(r, c[1], &min)) == -1 ||
	    (hmax = bh_rec_get_ms(r, c[4], &max)) == -1)
		return -1;
	if (hn == 0 || (want == 0) != (hmin == 0) ||
	    (want == 0) != (hmax == 0) || (want == 0) != BH_UNSET(s))
		goto bad;
	if (want == 0)
		return 0;
	for (item = s; ; item = end + 1) {
		if ((end = strchr(item, ',')) == NULL)
			end = item + strlen(item);
		if ((colon = memchr(item, ':', (size_t)(end - item))) == NULL ||
		    (size_t)(colon - item) >= sizeof(num) ||
		    (size_t)(end - colon) > sizeof(num))
			goto bad;
		memcpy(num, item, (size_t)(colon - item));
		num[colon - item] = '\0';
		if (bh_parse_ms_usec(num, &v) == -1 || v < 0 ||
		    v > BH_USEC_MAX)
			goto bad;
		memcpy(num, colon + 1, (size_t)(end - colon - 1));
		num[end - colon - 1] = '\0';
		if (bh_parse_u64(num, &n) == -1 || n == 0 ||
		    n > UINT64_MAX / 4 - m->n)
			goto bad;
		hosts_rtt_add(m, v, n);
		if (*end == '\0')
			break;
	}
	/* the least sample is the minimum, the maximum lies in the last
	 * bucket, and the buckets hold every sample */
	if (m->n != want || m->min != min || max < m->max ||
	    hosts_bucket(max) != m->b.v[m->b.n - 1].key)
		goto bad;
	m->max = max;
	return 0;
bad:
	bh_rec_bad(r, "%s: not a distribution of bh-hosts; record skipped",
	    r->col[c[5]]);
	return -1;
}

static void
list_merge(struct hosts_list *to, const struct hosts_list *from)
{
	uint32_t i;

	for (i = 0; i < from->n; i++)
		hosts_list_add(to, from->v[i].key, from->v[i].n);
}

int
hosts_merge_record(struct hosts *h, struct bh_reader *r)
{
	struct hosts_host t, *p;
	struct hosts_rtt tr[HM_N];
	const char *rk, *lk;
	struct hosts_list *lists[5];
	int c[NCOLUMNS], off = !h->pair, fatal = 0, hf, hl, rc = 0;
	size_t i, j;
	static const int listcol[5] = { OC_ROLES, OC_INIT, OC_HOPS, OC_OS_TTL,
	    OC_OS_SIG };

	for (i = 0; i < NCOLUMNS; i++)
		c[i] = (int)i - off;
	memset(&t, 0, sizeof(t));
	memset(tr, 0, sizeof(tr));
	lists[0] = &t.roles;
	lists[1] = &t.ttl_init;
	lists[2] = &t.hops;
	lists[3] = &t.os_ttl;
	lists[4] = &t.os_sig;
	if ((hf = bh_rec_get_u64(r, c[OC_SESSIONS], &t.sessions)) == -1 ||
	    (hl = bh_rec_get_u64(r, c[OC_CONFLICT], &t.os_conflict_n)) == -1)
		goto skip;
	if (hf == 0 || hl == 0) {
		bh_rec_bad(r, "sessions or os_conflict_n unset; record skipped");
		goto skip;
	}
	if ((hf = bh_rec_get_usec(r, c[OC_FIRST], &t.first)) == -1 ||
	    (hl = bh_rec_get_usec(r, c[OC_LAST], &t.last)) == -1)
		goto skip;
	if (t.sessions > UINT64_MAX / 2) {
		bh_rec_bad(r, "sessions: more than 2^63 - 1; record skipped");
		goto skip;
	}
	if (t.sessions == 0 || hf != hl || (hf == 1 && t.first > t.last) ||
	    t.os_conflict_n > t.sessions) {
		bh_rec_bad(r, "sessions, first_ts, last_ts or os_conflict_n "
		    "do not agree; record skipped");
		goto skip;
	}
	if (hf == 0) {
		t.first = INT64_MAX;
		t.last = INT64_MIN;
	}
	for (i = 0; i < 5; i++)
		if (parse_list(h, lists[i], r->f[c[listcol[i]]],
		    i == 0 || i >= 3, 255, t.sessions, &fatal) == -1) {
			if (fatal) {
				h->full = 1;
				rc = -1;
				goto skip;
			}
			bh_rec_bad(r, "%s: not a list of bh-hosts; record "
			    "skipped", r->col[c[listcol[i]]]);
			goto skip;
		}
	for (i = 0; i < HM_N; i++) {
		int mc[RTT_COLS];

		for (j = 0; j < RTT_COLS; j++)
			mc[j] = c[OC_RTT + i * RTT_COLS + j];
		if (parse_rtt(r, mc, &tr[i]) == -1)
			goto skip;
		if (tr[i].n > t.sessions) {
			bh_rec_bad(r, "%s: more samples than sessions; record "
			    "skipped", r->col[mc[0]]);
			goto skip;
		}
	}
	if (BH_UNSET(r->f[c[OC_REMOTE]]) ||
	    (h->pair && BH_UNSET(r->f[c[OC_LOCAL]]))) {
		bh_rec_bad(r, "no party named; record skipped");
		goto skip;
	}
	rk = key_of(h, 1, r->f[c[OC_REMOTE]]);
	lk = h->pair ? key_of(h, 0, r->f[c[OC_LOCAL]]) : NULL;
	if ((p = host_get(h, lk, rk, key_hash(lk, rk))) == NULL) {
		rc = -1;
		goto skip;
	}
	if (p->sessions > UINT64_MAX / 2 - t.sessions) {
		bh_rec_bad(r, "sessions: too many to add; record skipped");
		goto skip;
	}
	p->sessions += t.sessions;
	p->os_conflict_n += t.os_conflict_n;
	if (t.first < p->first)
		p->first = t.first;
	if (t.last > p->last)
		p->last = t.last;
	list_merge(&p->roles, &t.roles);
	list_merge(&p->ttl_init, &t.ttl_init);
	list_merge(&p->hops, &t.hops);
	list_merge(&p->os_ttl, &t.os_ttl);
	list_merge(&p->os_sig, &t.os_sig);
	for (i = 0; i < HM_N; i++) {
		struct hosts_rtt *m, *f = &tr[i];
		int64_t max;
		uint32_t k;

		if (f->n == 0)
			continue;
		m = rtt_of(h, p, i);
		max = m->n == 0 || f->max > m->max ? f->max : m->max;
		for (k = 0; k < f->b.n; k++)
			hosts_rtt_add(m, f->b.v[k].least, f->b.v[k].n);
		m->max = max;
	}
skip:
	t.local = NULL;
	t.remote = t.buf;
	host_free(&t);
	for (i = 0; i < HM_N; i++)
		hosts_blist_free(&tr[i].b);
	return rc;
}
