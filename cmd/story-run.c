/*
 * story-run.c - bh-story's engine: each labelled session becomes a step
 * of a local host's episode (bh(7), bh-story(1)).
 *
 * A session is a step when its phase gives it a role (an infection or its
 * shell, a download, the C&C, the host's own scans and attacks) or when
 * it belongs to a beacon: connections from the host to one server (and
 * for HTTP one path) at regular intervals carrying small messages both
 * ways, the C&C of HTTP-polling bots and RATs that no single session
 * reveals.  Steps are held until the stream's time has passed their start
 * by the window (records come when sessions end, so an exploit that
 * outlasts the download it caused comes after it) and then placed in
 * start order.  An infection opens an episode; every other step joins the
 * open episode of its host that the strongest evidence names (a link, a
 * reference in an earlier step's payload, the same remote party, the
 * beacon it continues), else the latest by time alone, and opens one
 * when none is open (the capture began later).  An episode stays open
 * while a step can still reach it: until the window has passed the end
 * of its last step.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "story.h"

/* ---- small helpers ------------------------------------------------- */

uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return bh_mix64(h);
}

/* Append item to a comma-separated list (bounded; "+" when full). */
static void
list_add(char *list, const char *item)
{
	size_t have = strlen(list), n = strlen(item);
	const char *p;

	if (n == 0)		/* an empty field: nothing to list */
		return;
	/* already there? */
	for (p = list; (p = strstr(p, item)) != NULL; p += n)
		if ((p == list || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ','))
			return;
	if (have > 0 && list[have - 1] == '+')
		return;
	if (have + n + 2 >= LIST_MAX) {
		if (have + 2 < LIST_MAX)
			memcpy(list + have, have > 0 ? ",+" : "+", have > 0 ?
			    3 : 2);
		return;
	}
	if (have > 0)
		list[have++] = ',';
	memcpy(list + have, item, n + 1);
}

/* ---- the hosts ----------------------------------------------------- */

static void
lru_unlink(struct story *s, struct host *h)
{
	if (h->lru_prev != NULL)
		h->lru_prev->lru_next = h->lru_next;
	else
		s->lru_head = h->lru_next;
	if (h->lru_next != NULL)
		h->lru_next->lru_prev = h->lru_prev;
	else
		s->lru_tail = h->lru_prev;
	h->lru_prev = h->lru_next = NULL;
}

static void
lru_front(struct story *s, struct host *h)
{
	if (s->lru_head == h)
		return;
	if (h->lru_prev != NULL || h->lru_next != NULL || s->lru_tail == h)
		lru_unlink(s, h);
	h->lru_next = s->lru_head;
	if (s->lru_head != NULL)
		s->lru_head->lru_prev = h;
	s->lru_head = h;
	if (s->lru_tail == NULL)
		s->lru_tail = h;
}

static void ep_close(struct story *s, struct host *h, unsigned i);
static void tomb_end(struct story *s, struct tomb *t);

static void
host_forget(struct story *s, struct host *h)
{
	struct host **pp;
	unsigned i, first;

	while (h->nep > 0)
		ep_close(s, h, 0);
	/* the summaries still due, oldest first */
	first = h->ntomb > TOMB_MAX ? h->ntomb % TOMB_MAX : 0;
	for (i = 0; i < h->ntomb && i < TOMB_MAX; i++)
		tomb_end(s, &h->tomb[(first + i) % TOMB_MAX]);
	for (i = 0; i < h->nser; i++)
		free(h->ser[i]);
	free(h->tomb);
	free(h->tspan);
	for (pp = &s->bucket[h->hash & (s->nbucket - 1)]; *pp != h;
	    pp = &(*pp)->next)
		;
	*pp = h->next;
	lru_unlink(s, h);
	free(h);
	s->nhosts--;
}

struct host *
host_get(struct story *s, const char *ip, int create)
{
	uint64_t hv = hash_str(ip);
	struct host *h;

	for (h = s->bucket[hv & (s->nbucket - 1)]; h != NULL; h = h->next)
		if (h->hash == hv && strcmp(h->ip, ip) == 0) {
			lru_front(s, h);
			return h;
		}
	if (!create)
		return NULL;
	if (s->nhosts >= s->hosts_max) {
		host_forget(s, s->lru_tail);
		s->forgotten++;
	}
	h = xcalloc(1, sizeof(*h));
	strcpy(h->ip, ip);
	h->hash = hv;
	h->next = s->bucket[hv & (s->nbucket - 1)];
	s->bucket[hv & (s->nbucket - 1)] = h;
	s->nhosts++;
	lru_front(s, h);
	return h;
}

/* ---- the beacon series --------------------------------------------- */

struct series *
series_get(struct story *s, struct host *h, const struct step *st,
    int create)
{
	uint64_t path = st->kind == SK_HTTP && st->http_path[0] != '\0' ?
	    hash_str(st->http_path) : 0;
	struct series *sr;
	unsigned i, old = 0;

	for (i = 0; i < h->nser; i++) {
		sr = h->ser[i];
		if (sr->rport == st->rport && sr->path == path &&
		    strcmp(sr->rip, st->rip) == 0) {
			sr->used = ++s->use;
			return sr;
		}
		if (sr->used < h->ser[old]->used)
			old = i;
	}
	if (!create)
		return NULL;
	if (h->nser < BT_MAX)
		sr = h->ser[h->nser++] = xmalloc(sizeof(*sr));
	else
		sr = h->ser[old];
	memset(sr, 0, sizeof(*sr));
	strcpy(sr->rip, st->rip);
	sr->rport = st->rport;
	sr->path = path;
	sr->used = ++s->use;
	return sr;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Add a connection time to its series and decide whether the series is
 * regular: at least BEACON_N connections whose gaps (the last up to 8)
 * all lie within half of their median either way, the median at least a
 * second (parallel connections are no beacon).  Once regular, a series
 * stays so.
 */
void
series_add(struct series *sr, int64_t ts)
{
	int64_t gap[BT_TIMES], med;
	unsigned i, n, first;

	if (sr->n == BT_TIMES) {
		memmove(sr->t, sr->t + 1, (BT_TIMES - 1) * sizeof(sr->t[0]));
		sr->n--;
	}
	for (i = sr->n; i > 0 && sr->t[i - 1] > ts; i--)
		sr->t[i] = sr->t[i - 1];
	sr->t[i] = ts;
	sr->n++;
	if (sr->regular || sr->n < BEACON_N)
		return;
	first = sr->n > 9 ? sr->n - 9 : 0;
	for (n = 0, i = first + 1; i < sr->n; i++)
		gap[n++] = sr->t[i] - sr->t[i - 1];
	qsort(gap, n, sizeof(gap[0]), cmp_i64);
	med = gap[n / 2];
	if (med < 1000000)
		return;
	for (i = 0; i < n; i++)
		if (gap[i] * 2 < med || gap[i] * 2 > med * 3)
			return;
	sr->regular = 1;
	sr->period = med;
}

/* ---- the hold queue ------------------------------------------------ */

static int
heap_less(const struct step *a, const struct step *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

void
heap_push(struct story *s, struct step *st)
{
	size_t i;

	if (s->nheap == s->capheap) {
		s->capheap = s->capheap ? s->capheap * 2 : 256;
		s->heap = xreallocarray(s->heap, s->capheap, sizeof(*s->heap));
	}
	for (i = s->nheap++; i > 0 && heap_less(st, s->heap[(i - 1) / 2]);
	    i = (i - 1) / 2)
		s->heap[i] = s->heap[(i - 1) / 2];
	s->heap[i] = st;
}

static struct step *
heap_pop(struct story *s)
{
	struct step *top = s->heap[0], *last = s->heap[--s->nheap];
	size_t i = 0, c;

	while ((c = 2 * i + 1) < s->nheap) {
		if (c + 1 < s->nheap && heap_less(s->heap[c + 1], s->heap[c]))
			c++;
		if (!heap_less(s->heap[c], last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->nheap > 0)
		s->heap[i] = last;
	return top;
}

static void
step_free(struct step *st)
{
	free(st->str);
	free(st->ref);
	free(st);
}

/* ---- episodes ------------------------------------------------------ */

/* The span of block b of h's tombs, from the tombs it holds now. */
static void
tomb_span(struct host *h, unsigned b)
{
	unsigned i, k, n = h->ntomb < TOMB_MAX ? h->ntomb : TOMB_MAX,
	    end = (b + 1) * TOMB_BLOCK < n ? (b + 1) * TOMB_BLOCK : n;
	struct tomb_span *sp = &h->tspan[b];
	const struct tomb *t;

	sp->start = INT64_MAX;
	sp->start_max = sp->reach = INT64_MIN;
	sp->party = 0;
	for (k = 0; k < R_COUNT; k++)
		sp->first[0][k] = sp->first[1][k] = INT64_MAX;
	for (i = b * TOMB_BLOCK; i < end; i++) {
		t = &h->tomb[i];
		if (t->start < sp->start)
			sp->start = t->start;
		if (t->start > sp->start_max)
			sp->start_max = t->start;
		if (t->reach > sp->reach)
			sp->reach = t->reach;
		for (k = 0; k < t->nparty; k++)
			sp->party |= 1ULL << (t->party[k] & 63);
		/* the roles dialog_rank() asks for */
		for (k = R_DOWNLOAD; k <= R_CNC; k++) {
			if (t->first[0][k] < sp->first[0][k])
				sp->first[0][k] = t->first[0][k];
			if (t->first[1][k] < sp->first[1][k])
				sp->first[1][k] = t->first[1][k];
		}
	}
}

/* Close episode i of host h: its slot freed, a tomb kept. */
static void
ep_close(struct story *s, struct host *h, unsigned i)
{
	struct episode *e = h->ep[i];
	struct tomb *t;
	unsigned k, slot;

	/* what a step that comes late (a session longer than the window,
	 * which comes when it ends) still needs to join it; with -s the
	 * whole episode, whose summary waits until its tomb goes */
	if (h->ntomb == h->tombcap && h->tombcap < TOMB_MAX) {
		h->tombcap = h->tombcap ? h->tombcap * 2 : 16;
		h->tomb = xreallocarray(h->tomb, h->tombcap, sizeof(*h->tomb));
		h->tspan = xreallocarray(h->tspan, h->tombcap / TOMB_BLOCK,
		    sizeof(*h->tspan));
	}
	slot = h->ntomb++ % TOMB_MAX;
	t = &h->tomb[slot];
	if (h->ntomb > TOMB_MAX)
		tomb_end(s, t);
	t->ep = NULL;
	t->id = e->id;
	t->start = e->start;
	t->reach = e->reach;
	if (e->reach > h->tomb_reach)
		h->tomb_reach = e->reach;
	t->nstep = e->nstep;
	t->roles = e->roles;
	memcpy(t->first, e->first, sizeof(t->first));
	for (k = 0; k < EP_SRC && k < e->nparty; k++) {
		t->party[k] = e->party[k].h;
		t->pstep[k] = e->party[k].step;
	}
	t->nparty = k;
	tomb_span(h, slot / TOMB_BLOCK);
	memmove(h->ep + i, h->ep + i + 1, (h->nep - i - 1) * sizeof(h->ep[0]));
	h->nep--;
	free(e->ref);
	if (s->summary) {
		/* only the summary and what a late step changes in it are
		 * needed now: copied into a block of their size, the whole
		 * one freed for the next episode (not cut by realloc(),
		 * whose leftover pieces cost more to manage than the copy) */
		e->closed = 1;
		t->ep = xmalloc(EP_CLOSED_SIZE);
		memcpy(t->ep, e, EP_CLOSED_SIZE);
		free(e);
		return;
	}
	free(e);
}

/* A tomb goes: the summary of its episode (-s) is written. */
static void
tomb_end(struct story *s, struct tomb *t)
{
	if (t->ep != NULL) {
		if (s->summary)		/* (not when freeing after an error) */
			story_summary_out(s, t->ep);
		free(t->ep);
		t->ep = NULL;
	}
}


static struct episode *
ep_open(struct story *s, struct host *h, const struct step *st)
{
	struct episode *e;
	int k;

	if (h->nep == EP_OPEN)
		ep_close(s, h, 0);
	/* zeroed up to the arrays of the open episode, which are used
	 * as they fill (a capture has many short episodes) */
	e = h->ep[h->nep++] = xmalloc(sizeof(*e));
	memset(e, 0, EP_CLOSED_SIZE);
	e->ref = NULL;
	e->nref = e->nparty = e->nflows = 0;
	e->id = ++s->next_episode;
	e->start = st->ts;
	e->reach = st->end;
	if (h->nep == 1 || e->reach < h->reach_low)
		h->reach_low = e->reach;
	e->t_infection = e->t_download = e->t_cnc = INT64_MIN;
	for (k = 0; k < R_COUNT; k++)
		e->first[0][k] = e->first[1][k] = INT64_MAX;
	strcpy(e->host, h->ip);
	story_cpy(e->start_s, sizeof(e->start_s), st->f_ts);
	if (s->svg_file != NULL) {
		if (s->nsvg < s->svg_max) {
			e->svg = &s->svg[s->nsvg++];
			e->svg->id = e->id;
			strcpy(e->svg->host, h->ip);
			e->svg->start = st->ts;
		} else
			s->svg_more++;
	}
	return e;
}

static void
ep_party(struct episode *e, const char *ip, uint64_t h, unsigned step)
{
	unsigned i;

	for (i = 0; i < e->nparty; i++)
		if (e->party[i].h == h && strcmp(e->party[i].ip, ip) == 0)
			return;
	if (e->nparty < EP_SRC * 2) {
		strcpy(e->party[e->nparty].ip, ip);
		e->party[e->nparty].h = h;
		e->party[e->nparty++].step = step;
	}
}

/* The step number of ip's first step in e, or 0. */
static unsigned
ep_has_party(const struct episode *e, const char *ip, uint64_t h)
{
	unsigned i;

	for (i = 0; i < e->nparty; i++)
		if (e->party[i].h == h && strcmp(e->party[i].ip, ip) == 0)
			return e->party[i].step;
	return 0;
}

static int
ref_matches(const struct sref *r, const struct step *st)
{
	unsigned port = r->port;
	int host_ok = strcmp(r->host, st->rip) == 0 ||
	    (st->http_host[0] != '\0' && strcmp(r->host, st->http_host) == 0);

	/* a DCC offer of the local host's own: the other party connects
	 * to the offered address and port */
	if (r->kind == RK_DCC && port == st->lport &&
	    strcmp(r->host, st->host) == 0)
		return 1;
	if (!host_ok)
		return 0;
	switch (r->kind) {
	case RK_FTP:
		return st->kind == SK_FTP && (port ? port : 21) == st->rport;
	case RK_TFTP:
		return st->kind == SK_TFTP;
	case RK_DCC:
		return port == st->rport;
	case RK_CONNECT:
		return port == st->rport;
	default:
		if (port == 0)
			port = strcmp(r->scheme, "https") == 0 ? 443 : 80;
		if (port != st->rport)
			return 0;
		/* the path too, when both are known (the query cut) */
		if (r->path[0] == '/' && r->path[1] != '\0' &&
		    r->path[1] != '?' && st->http_path[0] != '\0') {
			size_t n = strcspn(r->path, "?#");

			return strlen(st->http_path) == n &&
			    strncmp(r->path, st->http_path, n) == 0;
		}
		return 1;
	}
}

/*
 * The strongest evidence that joins st to e, and the step it points to;
 * EV_TIME when nothing but time does.
 */
static int
ep_evidence(const struct episode *e, const struct step *st,
    const struct series *sr, unsigned *via)
{
	unsigned i, k;
	int best = EV_TIME;

	*via = 0;
	if (st->f_link[0] != '-')
		for (i = 0; i < e->nflows; i++)
			if (e->flows[i].h == st->link_h &&
			    strcmp(e->flows[i].flow, st->f_link) == 0) {
				*via = e->flows[i].step;
				return st->kind == SK_TFTP ? EV_TFTP_DATA :
				    EV_FTP_DATA;
			}
	for (i = 0; i < e->nref; i++)
		if (ref_matches(&e->ref[i], st) && e->ref[i].ev > best) {
			best = e->ref[i].ev;
			*via = e->ref[i].from;
		}
	if (best > EV_TIME)
		return best;
	if (sr != NULL && sr->regular && sr->episode == e->id) {
		*via = sr->last_step;
		return EV_BEACON;
	}
	if ((k = ep_has_party(e, st->rip, st->rip_h)) != 0) {
		*via = k;
		return EV_SAME_SOURCE;
	}
	return EV_TIME;
}


/* What joins a later step to open episode e that st, its n-th step
 * joined by ev, brings: its party, its flow, its references. */
static void
ep_link(struct episode *e, const struct step *st, int ev, unsigned n)
{
	unsigned i;
	int r = st->role;

	/* a party joined by time alone is no source for same-source */
	if ((r == R_INFECTION || r == R_SHELL || r == R_DOWNLOAD ||
	    r == R_CNC) && ev != EV_TIME)
		ep_party(e, st->rip, st->rip_h, n);
	if (st->f_flow[0] != '-' && strlen(st->f_flow) < sizeof(e->flows[0].flow)) {
		i = e->nflows < EP_FLOWS ? e->nflows++ : EP_FLOWS - 1;
		strcpy(e->flows[i].flow, st->f_flow);
		e->flows[i].h = hash_str(st->f_flow);
		e->flows[i].step = n;
	}
	for (i = 0; i < st->nref; i++) {
		unsigned k = e->nref < EREF_MAX ? e->nref++ : EREF_MAX - 1;

		if (e->ref == NULL)
			e->ref = xreallocarray(NULL, EREF_MAX, sizeof(*e->ref));
		e->ref[k] = st->ref[i];
		e->ref[k].from = n;
	}
}

/* st joins e with evidence ev (via: the step it points to). */
static void
ep_add(struct story *s, struct episode *e, struct step *st, struct series *sr,
    int ev, unsigned via)
{
	char item[HOSTLEN + 32];
	unsigned i, n;
	int r = st->role;

	n = ++e->nstep;
	if (st->ts < e->start) {
		e->start = st->ts;
		story_cpy(e->start_s, sizeof(e->start_s), st->f_ts);
	}
	if (r < R_COUNT)
		e->roles |= 1u << r;
	if (r < R_COUNT && st->ts < e->first[0][r])
		e->first[0][r] = st->ts;
	if (r < R_COUNT && ev != EV_TIME && st->ts < e->first[1][r])
		e->first[1][r] = st->ts;
	if (st->end > e->last_end || n == 1)
		e->last_end = st->end;
	if (st->end + s->window > e->reach)
		e->reach = st->end + s->window;
	if (!s->summary)
		story_step_out(s, e->id, e->nstep, st, ev, via);
	if (e->svg != NULL) {
		struct svg_ep *v = e->svg;
		struct svg_step *p;

		if (v->nstep == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 8;
			v->step = xreallocarray(v->step, v->cap, sizeof(*p));
		}
		p = &v->step[v->nstep++];
		p->ts = st->ts;
		p->end = st->end;
		p->role = (uint8_t)r;
		p->ev = (uint8_t)ev;
		p->via = via;
		snprintf(p->label, sizeof(p->label), "%s %sh %sms", st->rip,
		    st->f_hops, st->f_rtt);
	}
	if (ev != EV_START)
		list_add(e->evs, ev_names[ev]);
	if (!e->closed)
		ep_link(e, st, ev, n);
	if (sr != NULL && sr->regular) {
		sr->episode = e->id;
		sr->last_step = n;
	}
	/* "rip:port" (rip is shorter than HOSTLEN) */
	i = (unsigned)strlen(st->rip);
	memcpy(item, st->rip, i);
	item[i] = ':';
	bh_fmt_u64(item + i + 1, st->rport);
	switch (r) {
	case R_INFECTION:
		if (e->t_infection == INT64_MIN)
			e->t_infection = st->ts;
		list_add(e->inf_src, item);
		list_add(e->inf_app, st->f_app);
		break;
	case R_DOWNLOAD:
		if (e->t_download == INT64_MIN)
			e->t_download = st->ts;
		e->has_dl_cnc = 1;
		if (st->kind != SK_OTHER || st->f_link[0] == '-')
			list_add(e->dl_srv, item);
		{
			const char *d = st->f_detail, *f = strrchr(d, '/');

			if (f != NULL && f[1] != '\0' && st->kind != SK_OTHER)
				list_add(e->dl_files, f + 1);
		}
		break;
	case R_CNC:
		if (e->t_cnc == INT64_MIN)
			e->t_cnc = st->ts;
		e->has_dl_cnc = 1;
		list_add(e->cnc_srv, item);
		if (e->cnc_detail[0] == '\0')
			story_cpy(e->cnc_detail, sizeof(e->cnc_detail),
			    st->f_detail);
		break;
	case R_PROPAGATION:
		e->nprop++;
		break;
	}
	if (r < R_COUNT && !e->role_seen[r]) {
		e->role_seen[r] = 1;
		story_cpy(e->role_hops[r], sizeof(e->role_hops[r]),
		    st->f_hops);
		story_cpy(e->role_rtt[r], sizeof(e->role_rtt[r]), st->f_rtt);
		story_cpy(e->role_os[r], sizeof(e->role_os[r]), st->f_os);
	}
}

/* Close the episodes that no step still to come can reach: one held for
 * the window, or one as long as the longest session seen so far, which
 * comes when it ends (a C&C of an hour comes an hour after its
 * infection's download). */
static void
sweep(struct story *s, struct host *h, int64_t now)
{
	unsigned i;
	int64_t low = INT64_MAX;

	/* reach_low is at most every open episode's reach (a reach only
	 * grows): when it is not past, none is */
	if (h->nep == 0 || h->reach_low + s->window + s->longest >= now)
		return;
	for (i = 0; i < h->nep; )
		if (h->ep[i]->reach + s->window + s->longest < now)
			ep_close(s, h, i);
		else {
			if (h->ep[i]->reach < low)
				low = h->ep[i]->reach;
			i++;
		}
	h->reach_low = low;
}

/*
 * How well an episode with roles (those joined by evidence: roles_ev)
 * fits a step of role r that only time joins, by the order of a bot's
 * dialog (BotHunter, Gu et al. 2007: infection, egg download, C&C,
 * outbound scan): a C&C fits an episode that downloaded a bot, best by
 * evidence; a scan or attack one that has a C&C.
 */
static int
dialog_rank(int64_t first[2][R_COUNT], const struct step *st)
{
	int want = st->role == R_CNC ? R_DOWNLOAD :
	    st->role == R_PROPAGATION ? R_CNC : -1;

	/* as the episode was when the step began (a late step comes after
	 * steps that began after it) */
	if (want < 0)
		return 0;
	return first[1][want] < st->ts ? 2 : first[0][want] < st->ts ? 1 : 0;
}

/* Order of two (evidence, rank, start): <0, 0, >0. */
static int
tuple_cmp(int ev, int rank, int64_t start, int ev2, int rank2,
    int64_t start2)
{
	if (ev != ev2)
		return ev < ev2 ? -1 : 1;
	if (rank != rank2)
		return rank < rank2 ? -1 : 1;
	return (start > start2) - (start < start2);
}

/*
 * A step that comes after its episode closed (a C&C of an hour comes when
 * it ends): the closed episodes it falls in, by the same source or by
 * time and the dialog's order, when one beats the best open one (bev,
 * brank, bstart).  Its record names the closed episode; a summary (-s)
 * written already does not count it (counted).  Returns 1 when placed.
 */
static int
late_join(struct story *s, struct host *h, const struct step *st, int bev,
    int brank, int64_t bstart)
{
	struct tomb_span *sp;
	struct tomb *t, *best = NULL;
	uint64_t hv = st->rip_h;
	unsigned b, nb, j, i, end, k, n, via = 0, bvia = 0;
	int ev, rank, tev = -1, trank = 0, c;

	/* The best tomb is the greatest by (evidence, rank, start), the
	 * first slot of equals; the blocks go newest first, which finds a
	 * late start soon, and each is passed over when the most its
	 * tombs could offer does not beat the best so far, or the best
	 * open episode (which a tomb must beat). */
	n = h->ntomb < TOMB_MAX ? h->ntomb : TOMB_MAX;
	nb = (n + TOMB_BLOCK - 1) / TOMB_BLOCK;
	b = ((h->ntomb - 1) % TOMB_MAX) / TOMB_BLOCK;
	for (j = 0; j < nb; j++, b = b > 0 ? b - 1 : nb - 1) {
		sp = &h->tspan[b];
		if (st->ts < sp->start || st->ts > sp->reach)
			continue;
		ev = sp->party & (1ULL << (hv & 63)) ? EV_SAME_SOURCE :
		    EV_TIME;
		rank = ev != EV_TIME ? 0 : dialog_rank(sp->first, st);
		if (tuple_cmp(ev, rank, sp->start_max, bev, brank,
		    bstart) <= 0)
			continue;
		if (best != NULL && ((c = tuple_cmp(ev, rank, sp->start_max,
		    tev, trank, best->start)) < 0 || (c == 0 &&
		    b * TOMB_BLOCK > (unsigned)(best - h->tomb))))
			continue;
		end = (b + 1) * TOMB_BLOCK < n ? (b + 1) * TOMB_BLOCK : n;
		for (i = b * TOMB_BLOCK; i < end; i++) {
			t = &h->tomb[i];
			if (st->ts < t->start || st->ts > t->reach)
				continue;
			ev = EV_TIME;
			via = 0;
			for (k = 0; k < t->nparty; k++)
				if (t->party[k] == hv) {
					ev = EV_SAME_SOURCE;
					via = t->pstep[k];
				}
			rank = ev != EV_TIME ? 0 : dialog_rank(t->first, st);
			if (best == NULL || (c = tuple_cmp(ev, rank, t->start,
			    tev, trank, best->start)) > 0 ||
			    (c == 0 && t < best)) {
				tev = ev;
				trank = rank;
				best = t;
				bvia = via;
			}
		}
	}
	if (best == NULL || tev < bev || (tev == bev && (trank < brank ||
	    (trank == brank && best->start <= bstart))))
		return 0;
	if (best->ep != NULL) {
		ep_add(s, best->ep, (struct step *)st, NULL, tev, bvia);
		return 1;
	}
	best->nstep++;
	best->roles |= 1u << st->role;
	if (st->ts < best->first[0][st->role]) {
		best->first[0][st->role] = st->ts;
		b = (unsigned)(best - h->tomb) / TOMB_BLOCK;
		if (st->ts < h->tspan[b].first[0][st->role])
			h->tspan[b].first[0][st->role] = st->ts;
	}
	story_step_out(s, best->id, best->nstep, st, tev, bvia);
	return 1;
}

/*
 * An unlabelled session that a reference of an open episode names (a DCC
 * offer, a shell's telnet or nc, a URL) is a step: its role from what
 * named it and which way its bytes went.  Returns 1 when it is.
 */
static int
named(struct host *h, struct step *st)
{
	unsigned i, k;

	for (i = h->nep; i-- > 0; ) {
		struct episode *e = h->ep[i];

		if (st->ts < e->start || st->ts > e->reach)
			continue;
		for (k = 0; k < e->nref; k++) {
			const struct sref *r = &e->ref[k];

			if (!ref_matches(r, st))
				continue;
			if (r->kind == RK_CONNECT)
				st->role = R_SHELL;
			else if (r->kind == RK_DCC && strcmp(r->path,
			    "/chat") == 0)
				st->role = R_CNC;
			else
				st->role = st->remote_sent >= st->local_sent ?
				    R_DOWNLOAD : R_PROPAGATION;
			if (r->kind == RK_DCC)
				snprintf(st->det2, sizeof(st->det2), "dcc %s",
				    r->path[0] == '/' ? "chat" : r->path);
			return 1;
		}
	}
	return 0;
}

/* Place a released step. */
static void
place(struct story *s, struct step *st)
{
	struct host *h;
	struct series *sr = NULL;
	struct episode *e, *best = NULL;
	unsigned i, via = 0, bvia = 0;
	int ev, bev = -1, rank, brank = 0;

	h = host_get(s, st->host, st->role != ROLE_BEACON);
	if (h != NULL && st->kind != SK_FTP && st->kind != SK_TFTP)
		sr = series_get(s, h, st, 0);
	if (st->role == ROLE_BEACON) {
		if (h == NULL)
			return;
		if (st->small && sr != NULL && sr->regular) {
			st->role = R_CNC;
			st->period = sr->period;
		} else if (!named(h, st))
			return;
	}
	sweep(s, h, st->ts);
	if (st->role == R_INFECTION) {
		/* an exploit in several connections from one source, before
		 * anything came of it and within a minute, is one infection */
		for (i = h->nep; i-- > 0; ) {
			e = h->ep[i];
			if (!e->has_dl_cnc &&
			    st->ts <= e->last_end + EXPLOIT_GAP_US &&
			    (via = ep_has_party(e, st->rip, st->rip_h)) != 0) {
				ep_add(s, e, st, sr, EV_SAME_SOURCE, via);
				return;
			}
		}
		ep_add(s, ep_open(s, h, st), st, sr, EV_START, 0);
		return;
	}
	for (i = 0; i < h->nep; i++) {
		e = h->ep[i];
		if (st->ts > e->reach)
			continue;
		ev = ep_evidence(e, st, sr, &via);
		/* a step that began before the episode (a session that came
		 * late, longer than the others) joins it only by evidence */
		if (st->ts < e->start && ev == EV_TIME)
			continue;
		/* time alone: the dialog's order decides first (BotHunter,
		 * Gu et al. 2007: infection, egg download, C&C, outbound
		 * scan), so a bot's C&C goes to the episode that downloaded
		 * a bot, its scans to one that has a C&C */
		rank = ev != EV_TIME ? 0 : dialog_rank(e->first, st);
		if (ev > bev || (ev == bev && rank >= brank)) {
			/* the later of equals */
			bev = ev;
			brank = rank;
			best = e;
			bvia = via;
		}
	}
	/* a closed episode can take the step only when one reached as far
	 * as its start */
	if (st->ts <= h->tomb_reach && late_join(s, h, st, bev, brank,
	    best != NULL ? best->start : INT64_MIN))
		return;
	if (best == NULL)
		ep_add(s, ep_open(s, h, st), st, sr, EV_START, 0);
	else
		ep_add(s, best, st, sr, bev, bvia);
}

void
release(struct story *s, int all)
{
	struct step *st;
	struct host *h, *prev;

	/* now and then, close the episodes of the hosts gone quiet */
	if (s->clock_set && s->clock - s->last_sweep > s->window / 4) {
		s->last_sweep = s->clock;
		for (h = s->lru_tail; h != NULL; h = prev) {
			prev = h->lru_prev;
			sweep(s, h, s->clock);
		}
	}

	while (s->nheap > 0 && (all || s->nheap > s->hold_max ||
	    (s->clock_set && s->heap[0]->ts + s->window <= s->clock))) {
		if (!all && s->nheap > s->hold_max &&
		    !(s->clock_set && s->heap[0]->ts + s->window <= s->clock))
			s->early++;
		st = heap_pop(s);
		place(s, st);
		step_free(st);
	}
}

/* ---- the whole run ------------------------------------------------- */

struct story *
story_new(FILE *out)
{
	struct story *s = xcalloc(1, sizeof(*s));

	s->out = out;
	s->window = STORY_WINDOW_US;
	s->hold_max = STORY_HOLD;
	s->hosts_max = STORY_HOSTS;
	s->nbucket = 1024;
	s->bucket = xcalloc(s->nbucket, sizeof(*s->bucket));
	return s;
}

void
story_set(struct story *s, int64_t window_us, size_t hold, size_t hosts,
    int summary)
{
	size_t nb = 1024;

	s->window = window_us;
	s->hold_max = hold;
	s->hosts_max = hosts;
	s->summary = summary;
	while (nb < hosts && nb < (1u << 20))
		nb *= 2;
	free(s->bucket);
	s->nbucket = nb;
	s->bucket = xcalloc(nb, sizeof(*s->bucket));
}

void
story_svg(struct story *s, const char *file, unsigned max)
{
	s->svg_file = file;
	s->svg_max = max;
	free(s->svg);
	s->svg = xcalloc(max ? max : 1, sizeof(*s->svg));
}

void
story_loop(struct story *s, struct bh_loop *l)
{
	memset(l, 0, sizeof(*l));
	l->header = story_header;
	l->record = story_record;
	l->arg = s;
}

int
story_end(struct story *s)
{
	struct host *h;
	int status = 0;
	FILE *fp;

	if (s->w.fp == NULL && s->out != NULL) {
		/* empty input: nothing was laid out */
		return 0;
	}
	release(s, 1);
	while ((h = s->lru_tail) != NULL) {
		while (h->nep > 0)
			ep_close(s, h, 0);
		host_forget(s, h);
	}
	bh_wr_flush(&s->w);
	if (s->early > 0)
		bh_warnx("%llu steps placed before the window had passed "
		    "(more than %zu held; -W)", (unsigned long long)s->early,
		    s->hold_max);
	if (s->forgotten > 0)
		bh_warnx("%llu hosts forgotten, their episodes closed early "
		    "(more than %zu hosts; -n)",
		    (unsigned long long)s->forgotten, s->hosts_max);
	if (s->unplaced > 0)
		bh_warnx("%llu labelled sessions with no local side skipped "
		    "(dir `-' or ext: run bh-phase, or bh-sessions -L)",
		    (unsigned long long)s->unplaced);
	if (s->svg_file != NULL) {
		if ((fp = fopen(s->svg_file, "w")) == NULL) {
			bh_warn("%s", s->svg_file);
			return -1;
		}
		if (story_svg_write(fp, s->svg, s->nsvg, s->svg_more) == -1 ||
		    fclose(fp) == EOF) {
			bh_warn("%s", s->svg_file);
			status = -1;
		}
	}
	return status;
}

void
story_free(struct story *s)
{
	struct host *h;
	size_t i;

	if (s == NULL)
		return;
	while (s->nheap > 0)
		step_free(heap_pop(s));
	while ((h = s->lru_tail) != NULL) {
		int sum = s->summary;

		s->summary = 0;	/* nothing more is written */
		host_forget(s, h);
		s->summary = sum;
	}
	for (i = 0; i < s->nsvg; i++)
		free(s->svg[i].step);
	free(s->svg);
	free(s->heap);
	free(s->bucket);
	free(s->txt[0]);
	free(s->txt[1]);
	free(s->evcopy);
	bh_wr_free(&s->w);
	free(s);
}
