/*
 * flow.c - the session table: decoded packets in, one record per session
 * out, in bounded memory.
 *
 * Sessions are found by a keyed hash of the canonical 5-tuple (either
 * direction finds the same session).  Session state is fixed-size (struct
 * bh_flow, under 512 bytes) and lives in chunks of a pool with a free
 * list, so the steady state allocates nothing; the heads live in a
 * parallel pool, head_max bytes per side plus a bitmap for out-of-order
 * segments.  Each session sits on the idle list of its timeout class
 * (tcp, udp, other, closed-and-lingering), ordered by last activity, so
 * expiry and eviction look only at list heads.  A second list keeps flow
 * id order for the flush at end of input.
 *
 * TCP semantics follow Zeek's TCP analyzer (TCPSessionAdapter.cc:
 * endpoint states, history letters, close and reuse rules) so that the
 * conn_state and history columns agree with Zeek's conn.log, and
 * tcptrace's rexmit.c for data-ACK RTT samples (an ACK that exactly
 * covers the last byte of a segment sent once), with Karn's rule
 * extended to "no earlier segment was resent after it".
 *
 * The hash is keyed (cfg.seed) so a hostile capture cannot aim at one
 * chain; nothing that reaches the output depends on hash order.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"

#define CHUNK_SHIFT	10	/* sessions per pool chunk: at most 1024 */
#define FRAG_SLOTS	4096	/* first fragments remembered */
#define TOO_LARGE_SEQ_DELTA 1048576	/* Zeek's TCPSessionAdapter.cc */
#define TMO_MAX		(100LL * 366 * 86400 * 1000000)	/* usec */

/* Timeout classes, one idle list each. */
enum { K_TCP, K_UDP, K_OTHER, K_CLOSED, K_N };

/* Zeek's HIST_* bits (TCP_Endpoint.h), per side here instead of shifted. */
#define HIST_SYN	0x1
#define HIST_FIN	0x2
#define HIST_RST	0x4
#define HIST_FIN_RST	0x8
#define HIST_DATA	0x10
#define HIST_ACK	0x20
#define HIST_MULTI	0x40

struct list {
	uint32_t	 head, tail;
};

/* A first IP fragment: where its later fragments belong. */
struct frag_ent {
	unsigned char	 src[16], dst[16];
	uint64_t	 flow_id;	/* 0 = empty */
	uint32_t	 id;
	uint32_t	 idx;
	uint8_t		 af, proto;
};

/*
 * A closed TCP connection remembered after it left the table, so that its
 * late segments (a slow peer's retransmitted FIN, the last ACKs, a RST)
 * are absorbed instead of opening a session of their own, until the TCP
 * idle timeout from its last packet or a SYN on the same tuple.  One
 * slot per hash value (a collision forgets the older connection): memory
 * is bounded by the session cap.
 */
struct tomb {
	unsigned char	 addr[2][16];	/* [0] orig */
	int64_t		 until;		/* forgotten after (usec) */
	uint32_t	 last_seq[2];	/* one past each side's highest seq */
	uint16_t	 port[2];
	uint8_t		 af, used;
};
#define TOMB_MIN	1024
#define TOMB_MAX	(1u << 16)

/* A block of outstanding segments in the shared pool (64 bytes). */
#define SEGBLK		7
#define BLK_CHUNK_SHIFT	10
#define BLK_CHUNK	(1u << BLK_CHUNK_SHIFT)
#define SIDE_SEG_MAX	2048	/* outstanding segments per side */
#define SEG_POOL_DEFAULT (1u << 20)
#define EV_POOL_DEFAULT	16384	/* sessions with evidence */
#define TSR_POOL_DEFAULT 16384	/* sessions with TS-RTT state */

/*
 * TCP-timestamp RTT (pping's rule, RFC 7323 §4.3): a side's TSval is
 * remembered with the time it was first seen; the first TSecr of the
 * other side that echoes it gives a sample.  Up to TSR_RING TSvals per
 * side wait for their echo (the oldest is forgotten).  The samples go
 * into a log-linear histogram for the median: values below 16 usec
 * exactly, then 8 buckets per octave up to 2^27 usec (134 s, larger
 * samples counted in the last bucket); the median written is its
 * bucket's middle, within 1/16 of the true lower median (bh-sessions(1)).
 * The first TSR_KEEP samples are also kept as they are: up to that
 * many, the median is exact.
 */
#define TSR_RING	8
#define TSR_KEEP	8
#define TSR_EXACT	16
#define TSR_OCT_LO	4		/* 2^4 = TSR_EXACT */
#define TSR_OCT_HI	27
#define TSR_BUCKETS	(TSR_EXACT + (TSR_OCT_HI - TSR_OCT_LO) * 8)
#define TSR_BAD		0x1	/* ring flags: resent, no sample */
#define TSR_USED	0x2	/* echoed once already */

struct tsr {
	uint32_t	 next;		/* pool link */
	struct {
		uint32_t tsval, toff;	/* toff: first seen (mod 2^32) */
		uint8_t	 fl;
	}		 ring[2][TSR_RING];
	uint8_t		 first[2], n[2];
	uint8_t		 has_last[2];
	uint32_t	 last[2];	/* the newest TSval of each side */
	uint32_t	 keep[2][TSR_KEEP];	/* the first samples */
	/* a side's histogram is used from its sample TSR_KEEP + 1 on
	 * (most sessions have fewer), and a bucket's count only once its
	 * bit in hused is set: what is cleared for a session is the state
	 * before hist, and for a histogram the bits, not its 800 bytes */
	uint64_t	 hused[2][(TSR_BUCKETS + 63) / 64];
	uint32_t	 hist[2][TSR_BUCKETS];
};

struct segblk {
	uint32_t	 next;
	uint32_t	 pad;
	struct {
		uint32_t end, toff;
	}		 e[SEGBLK];
};

/*
 * A pool of fixed-size entries in chunks of 2^shift, handed out by index
 * (0 means none): from a free list threaded through a uint32_t link in
 * each entry, else a new one, up to max.  The sessions and the blocks of
 * outstanding segments live in one each.
 */
struct pool {
	unsigned char	**chunk;
	uint32_t	 nchunk, chunk_cap;
	unsigned	 shift;		/* log2 entries per chunk */
	size_t		 size;		/* bytes per entry */
	size_t		 link;		/* offset of the free-list link */
	uint32_t	 free;		/* free list head */
	uint32_t	 next_new;	/* first never-used index */
	uint32_t	 max;		/* largest index handed out */
};

#define POOL_ENTRY(p, i) ((p)->chunk[(i) >> (p)->shift] + \
			    (size_t)((i) & ((1u << (p)->shift) - 1)) * (p)->size)

static void
pool_init(struct pool *p, unsigned shift, size_t size, size_t link,
    uint32_t max)
{
	memset(p, 0, sizeof(*p));
	p->shift = shift;
	p->size = size;
	p->link = link;
	p->next_new = 1;	/* index 0 means "none" */
	p->max = max;
}

/* An entry's index, zeroed when new (recycled ones are as they were
 * left); 0 when the pool is at its max.  *chunk_new is set when a new
 * chunk was made (its number is the index >> shift). */
static uint32_t
pool_get(struct pool *p, int *chunk_new)
{
	uint32_t i, c;

	*chunk_new = 0;
	if (p->free != 0) {
		i = p->free;
		memcpy(&p->free, POOL_ENTRY(p, i) + p->link, sizeof(p->free));
		return i;
	}
	if (p->next_new > p->max)
		return 0;
	i = p->next_new++;
	c = i >> p->shift;
	if (c >= p->nchunk) {
		if (c >= p->chunk_cap) {
			p->chunk_cap = p->chunk_cap ? 2 * p->chunk_cap : 16;
			p->chunk = xreallocarray(p->chunk, p->chunk_cap,
			    sizeof(*p->chunk));
		}
		p->chunk[c] = xcalloc((size_t)1 << p->shift, p->size);
		p->nchunk = c + 1;
		*chunk_new = 1;
	}
	return i;
}

static void
pool_put(struct pool *p, uint32_t i)
{
	memcpy(POOL_ENTRY(p, i) + p->link, &p->free, sizeof(p->free));
	p->free = i;
}

static void
pool_free(struct pool *p)
{
	uint32_t c;

	for (c = 0; c < p->nchunk; c++)
		free(p->chunk[c]);
	free(p->chunk);
	memset(p, 0, sizeof(*p));
}

struct bh_flow_table {
	struct bh_flow_cfg cfg;
	struct pool	 sess;		/* the sessions */
	unsigned char	**hchunk;	/* their heads, chunk by chunk */
	uint32_t	 nhchunk, hchunk_cap;
	uint32_t	 live;
	uint32_t	*bucket;
	uint32_t	 mask;
	struct list	 lists[K_N];
	int64_t		 tmo[K_N];
	uint32_t	 id_head, id_tail;
	uint64_t	 next_id;
	int64_t		 now;		/* capture clock: latest time seen */
	int64_t		 expire_lb;	/* no session expires before this */
	int		 have_now;
	size_t		 head_stride;	/* bytes of heads per session */
	size_t		 bm_bytes;	/* bitmap bytes per side */
	struct frag_ent	*frag;
	struct pool	 blk;		/* blocks of outstanding segments */
	struct pool	 ev;		/* the sessions' evidence */
	struct pool	 tsr;		/* their TS-RTT state */
	struct tomb	*tomb;		/* closed connections */
	uint32_t	 tomb_mask;
	struct bh_flow_stats st;
};

static void	seg_clear(struct bh_flow_table *, struct bh_flow_side *);
struct tsr;
static void	tsr_median(struct bh_flow *, const struct tsr *);

/* Typed, so that the entry size is a constant of the multiplication. */
#define FLOW(t, i)	((struct bh_flow *)(void *)(t)->sess.chunk[(i) >> \
			    (t)->sess.shift] + ((i) & ((1u << (t)->sess.shift) - 1)))
#define BLK(t, i)	((struct segblk *)(void *)(t)->blk.chunk[(i) >> \
			    BLK_CHUNK_SHIFT] + ((i) & (BLK_CHUNK - 1)))

static unsigned char *
head_buf(const struct bh_flow_table *t, uint32_t i, int side)
{
	return t->hchunk[i >> t->sess.shift] +
	    (size_t)(i & ((1u << t->sess.shift) - 1)) * t->head_stride +
	    (size_t)side * t->cfg.head_max;
}

static unsigned char *
head_bm(const struct bh_flow_table *t, uint32_t i, int side)
{
	return t->hchunk[i >> t->sess.shift] +
	    (size_t)(i & ((1u << t->sess.shift) - 1)) * t->head_stride +
	    2 * (size_t)t->cfg.head_max + (size_t)side * t->bm_bytes;
}

/* Serial-number comparison of sequence numbers (RFC 1982). */
static int32_t
seq_delta(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/* ---- hashing ---- */

static uint64_t
endpoint_hash(uint64_t seed, const unsigned char a[16], uint16_t port)
{
	uint64_t w0, w1;

	memcpy(&w0, a, 8);
	memcpy(&w1, a + 8, 8);
	return bh_mix64(bh_mix64(w0 ^ seed) ^ w1 ^ ((uint64_t)port << 40));
}

/* Symmetric in the two endpoints: both directions hash alike. */
static uint64_t
tuple_hash(const struct bh_flow_table *t, const struct bh_pkt *p)
{
	uint64_t a, b, lo, hi;

	a = endpoint_hash(t->cfg.seed, p->src, p->sport);
	b = endpoint_hash(t->cfg.seed, p->dst, p->dport);
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	return bh_mix64(lo + hi * 0x9e3779b97f4a7c15ULL + p->proto + p->af);
}

/* ---- lists ---- */

static void
list_unlink(struct bh_flow_table *t, struct list *l, struct bh_flow *f)
{
	if (f->lprev != 0)
		FLOW(t, f->lprev)->lnext = f->lnext;
	else
		l->head = f->lnext;
	if (f->lnext != 0)
		FLOW(t, f->lnext)->lprev = f->lprev;
	else
		l->tail = f->lprev;
	f->lprev = f->lnext = 0;
}

static void
list_append(struct bh_flow_table *t, int k, struct bh_flow *f, uint32_t idx)
{
	struct list *l = &t->lists[k];

	/* Keep expire_lb a lower bound of every head's expiry. */
	if (f->idle + t->tmo[k] < t->expire_lb)
		t->expire_lb = f->idle + t->tmo[k];
	f->lnext = 0;
	f->lprev = l->tail;
	if (l->tail != 0)
		FLOW(t, l->tail)->lnext = idx;
	else
		l->head = idx;
	l->tail = idx;
}

/* Mark activity: the session moves to the tail of its class list. */
static void
touch(struct bh_flow_table *t, struct bh_flow *f, uint32_t idx, int klass)
{
	f->idle = t->now;
	if (f->klass == klass && t->lists[klass].tail == idx)
		return;
	list_unlink(t, &t->lists[f->klass], f);
	f->klass = (uint8_t)klass;
	list_append(t, klass, f, idx);
}

/* ---- table ---- */

size_t
bh_flow_session_size(uint32_t head_max)
{
	return sizeof(struct bh_flow) + 2 * (size_t)head_max +
	    2 * (((size_t)head_max + 7) / 8);
}

struct bh_flow_table *
bh_flow_new(const struct bh_flow_cfg *cfg)
{
	struct bh_flow_table *t;
	uint64_t nb;
	unsigned shift;
	int k;

	t = xcalloc(1, sizeof(*t));
	t->cfg = *cfg;
	if (t->cfg.head_max > BH_FLOW_HEAD_MAX)
		t->cfg.head_max = BH_FLOW_HEAD_MAX;
	if (t->cfg.max_live == 0)
		t->cfg.max_live = 1;
	if (t->cfg.max_live > UINT32_MAX - (1u << CHUNK_SHIFT))
		t->cfg.max_live = UINT32_MAX - (1u << CHUNK_SHIFT);
	/* Chunks no larger than the cap needs (small tables stay small). */
	for (shift = 4; shift < CHUNK_SHIFT &&
	    (1u << shift) <= t->cfg.max_live; shift++)
		;
	pool_init(&t->sess, shift, sizeof(struct bh_flow),
	    offsetof(struct bh_flow, hnext), UINT32_MAX);
	t->bm_bytes = ((size_t)t->cfg.head_max + 7) / 8;
	t->head_stride = 2 * (size_t)t->cfg.head_max + 2 * t->bm_bytes;
	/* Buckets: a power of two, at least twice the cap (short chains). */
	for (nb = 1024; nb < 2 * (uint64_t)t->cfg.max_live && nb < (1u << 31);
	    nb <<= 1)
		;
	t->bucket = xcalloc((size_t)nb, sizeof(*t->bucket));
	t->mask = (uint32_t)(nb - 1);
	t->tmo[K_TCP] = cfg->tmo_tcp;
	t->tmo[K_UDP] = cfg->tmo_udp;
	t->tmo[K_OTHER] = cfg->tmo_other;
	t->tmo[K_CLOSED] = cfg->linger;
	/* At most a century, so that idle + timeout cannot overflow. */
	for (k = 0; k < K_N; k++)
		if (t->tmo[k] < 0 || t->tmo[k] > TMO_MAX)
			t->tmo[k] = TMO_MAX;
	t->expire_lb = INT64_MAX;
	t->next_id = 1;
	t->frag = xcalloc(FRAG_SLOTS, sizeof(*t->frag));
	pool_init(&t->blk, BLK_CHUNK_SHIFT, sizeof(struct segblk),
	    offsetof(struct segblk, next),
	    (t->cfg.seg_pool ? t->cfg.seg_pool : SEG_POOL_DEFAULT) / SEGBLK);
	for (nb = TOMB_MIN; nb < t->cfg.max_live && nb < TOMB_MAX; nb <<= 1)
		;
	t->tomb = xcalloc((size_t)nb, sizeof(*t->tomb));
	t->tomb_mask = (uint32_t)(nb - 1);
	pool_init(&t->ev, 4, sizeof(struct bh_ev), offsetof(struct bh_ev, next),
	    t->cfg.ev_pool ? t->cfg.ev_pool : EV_POOL_DEFAULT);
	pool_init(&t->tsr, 4, sizeof(struct tsr), offsetof(struct tsr, next),
	    t->cfg.ts_pool ? t->cfg.ts_pool : TSR_POOL_DEFAULT);
	return t;
}

void
bh_flow_free(struct bh_flow_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nhchunk; i++)
		free(t->hchunk[i]);
	free(t->hchunk);
	pool_free(&t->sess);
	pool_free(&t->blk);
	pool_free(&t->ev);
	pool_free(&t->tsr);
	free(t->tomb);
	free(t->bucket);
	free(t->frag);
	free(t);
}

const struct bh_flow_stats *
bh_flow_stats(const struct bh_flow_table *t)
{
	return &t->st;
}

/* A free session slot: from the free list, else a new one (a new chunk
 * of sessions and of their heads every chunk, up to the cap). */
static uint32_t
slot_alloc(struct bh_flow_table *t)
{
	uint32_t idx, c;
	int chunk_new;

	idx = pool_get(&t->sess, &chunk_new);
	if (chunk_new) {
		c = idx >> t->sess.shift;
		if (c >= t->hchunk_cap) {
			t->hchunk_cap = t->hchunk_cap ? 2 * t->hchunk_cap : 16;
			t->hchunk = xreallocarray(t->hchunk, t->hchunk_cap,
			    sizeof(*t->hchunk));
		}
		t->hchunk[c] = xreallocarray(NULL, (size_t)1 << t->sess.shift,
		    t->head_stride ? t->head_stride : 1);
		t->nhchunk = c + 1;
	}
	return idx;
}

/*
 * Emit session idx with reason end and return its slot to the free list.
 * A session that was closed (FIN or RST) keeps that as its end whatever
 * makes it leave the table.
 */
static void
end_flow(struct bh_flow_table *t, uint32_t idx, int end)
{
	struct bh_flow *f = FLOW(t, idx);
	struct bh_ev *ev = NULL;

	f->end = (uint8_t)(f->closed ? f->closed : end);
	if (f->end == BH_END_EVICT)
		t->st.evicted++;
	if (f->ev != 0) {
		ev = (struct bh_ev *)POOL_ENTRY(&t->ev, f->ev);
		bh_ev_end(ev);
	}
	if (f->tsr != 0) {
		tsr_median(f, (struct tsr *)POOL_ENTRY(&t->tsr, f->tsr));
		pool_put(&t->tsr, f->tsr);
		f->tsr = 0;
	}
	if (t->cfg.emit != NULL)
		t->cfg.emit(t->cfg.arg, f, head_buf(t, idx, 0),
		    f->side[0].head_fill, head_buf(t, idx, 1),
		    f->side[1].head_fill, ev);
	if (f->ev != 0) {
		pool_put(&t->ev, f->ev);
		f->ev = 0;
	}
	seg_clear(t, &f->side[0]);
	seg_clear(t, &f->side[1]);
	list_unlink(t, &t->lists[f->klass], f);
	if (f->iprev != 0)
		FLOW(t, f->iprev)->inext = f->inext;
	else
		t->id_head = f->inext;
	if (f->inext != 0)
		FLOW(t, f->inext)->iprev = f->iprev;
	else
		t->id_tail = f->iprev;
	f->id = 0;
	t->live--;
}

static void
hash_unlink(struct bh_flow_table *t, uint32_t idx, uint64_t h)
{
	uint32_t *pp = &t->bucket[h & t->mask];

	while (*pp != 0 && *pp != idx)
		pp = &FLOW(t, *pp)->hnext;
	if (*pp == idx)
		*pp = FLOW(t, idx)->hnext;
}

/* Remember closed TCP session f (see struct tomb). */
static void
bury(struct bh_flow_table *t, const struct bh_flow *f)
{
	struct tomb *b = &t->tomb[f->hash & t->tomb_mask];

	memcpy(b->addr, f->addr, sizeof(b->addr));
	memcpy(b->port, f->port, sizeof(b->port));
	b->last_seq[0] = f->side[0].last_seq;
	b->last_seq[1] = f->side[1].last_seq;
	b->af = f->af;
	b->until = f->idle + t->tmo[K_TCP];
	b->used = 1;
}

/*
 * Is p a late segment of a closed connection: no SYN, no new bytes
 * (nothing beyond what either side had sent), within the idle timeout?
 * A SYN or new data forgets the connection (port reuse, or a connection
 * that went on after a RST its hosts ignored).
 */
static int
late_segment(struct bh_flow_table *t, const struct bh_pkt *p, uint64_t h,
    int64_t ts)
{
	struct tomb *b = &t->tomb[h & t->tomb_mask];
	uint32_t end;
	int d;

	if (!b->used || b->af != p->af)
		return 0;
	if (b->port[0] == p->sport && b->port[1] == p->dport &&
	    memcmp(b->addr[0], p->src, 16) == 0 &&
	    memcmp(b->addr[1], p->dst, 16) == 0)
		d = 0;
	else if (b->port[0] == p->dport && b->port[1] == p->sport &&
	    memcmp(b->addr[0], p->dst, 16) == 0 &&
	    memcmp(b->addr[1], p->src, 16) == 0)
		d = 1;
	else
		return 0;
	end = p->seq + p->payload_len + ((p->tcp_flags & BH_TH_FIN) != 0);
	if (ts > b->until || (p->tcp_flags & BH_TH_SYN) ||
	    (p->payload_len > 0 && seq_delta(end, b->last_seq[d]) > 0)) {
		b->used = 0;
		return 0;
	}
	return 1;
}

/* End session idx: emit, unhash, free. */
static void
retire(struct bh_flow_table *t, uint32_t idx, int end)
{
	struct bh_flow *f = FLOW(t, idx);
	int buried = f->proto == BH_IPPROTO_TCP && f->closed;

	/* The tomb's slot is a cache miss in a table of megabytes: asked
	 * for now, written after the record is made. */
	if (buried)
		__builtin_prefetch(&t->tomb[f->hash & t->tomb_mask], 1);
	hash_unlink(t, idx, f->hash);
	end_flow(t, idx, end);
	if (buried)
		bury(t, f);
	pool_put(&t->sess, idx);
}

/* The list head that expires first, or 0.  Ties go to the lower id. */
static uint32_t
oldest(const struct bh_flow_table *t, int only_expired, int *klass)
{
	uint32_t best = 0, i;
	int64_t best_at = 0, at;
	int k;

	for (k = 0; k < K_N; k++) {
		if ((i = t->lists[k].head) == 0)
			continue;
		at = FLOW(t, i)->idle + t->tmo[k];
		if (only_expired && t->now - FLOW(t, i)->idle <= t->tmo[k])
			continue;
		if (!only_expired)
			at = FLOW(t, i)->idle;
		if (best == 0 || at < best_at || (at == best_at &&
		    FLOW(t, i)->id < FLOW(t, best)->id)) {
			best = i;
			best_at = at;
			*klass = k;
		}
	}
	return best;
}

/*
 * Emit every session idle longer than its timeout at t->now, in order of
 * expiry.  Lists are ordered by idle time, so only their heads matter, and
 * a lower bound of the heads' expiry (lists only ever get later heads,
 * list_append lowers it) skips the look in the common case.
 */
static void
expire(struct bh_flow_table *t)
{
	uint32_t i;
	int64_t at;
	int k;

	if (t->now <= t->expire_lb)
		return;
	while ((i = oldest(t, 1, &k)) != 0)
		retire(t, i, BH_END_IDLE);
	t->expire_lb = INT64_MAX;
	for (k = 0; k < K_N; k++)
		if ((i = t->lists[k].head) != 0) {
			at = FLOW(t, i)->idle + t->tmo[k];
			if (at < t->expire_lb)
				t->expire_lb = at;
		}
}

void
bh_flow_flush(struct bh_flow_table *t)
{
	while (t->id_head != 0)
		retire(t, t->id_head, BH_END_EOF);
}

/* ---- per-side accounting ---- */

static int
both_closed(const struct bh_flow *f)
{
	return (f->side[0].fl & f->side[1].fl & BH_SIDE_DID_CLOSE) != 0;
}

static void
ttl_note(struct bh_flow_side *s, uint8_t ttl)
{
	if (s->pkts == 0) {
		s->ttl_first = s->ttl_min = s->ttl_max = s->ttl_last = ttl;
		return;
	}
	if (ttl != s->ttl_last)
		s->ttl_chg++;
	if (ttl < s->ttl_min)
		s->ttl_min = ttl;
	if (ttl > s->ttl_max)
		s->ttl_max = ttl;
	s->ttl_last = ttl;
}

/* Zeek's history: the letter in upper case for the originator. */
static void
hist_add(struct bh_flow *f, int d, char code)
{
	if (d == 1 && code >= 'A' && code <= 'Z')
		code = (char)(code - 'A' + 'a');
	if (f->hist_len + 1 < BH_FLOW_HISTORY)
		f->history[f->hist_len++] = code;
}

/* Zeek's CheckHistory: add the letter the first time; 1 if seen before. */
static int
hist_check(struct bh_flow *f, int d, uint16_t bit, char code)
{
	if (f->side[d].hist_seen & bit)
		return 1;
	f->side[d].hist_seen |= bit;
	hist_add(f, d, code);
	return 0;
}

/* Zeek's ScaledHistoryEntry: the letter at the 1st, 10th, 100th, ...
 * occurrence. */
static void
hist_scaled(struct bh_flow *f, int d, uint32_t *counter, char code)
{
	uint32_t n = ++*counter;

	while (n % 10 == 0)
		n /= 10;
	if (n == 1)
		hist_add(f, d, code);
}

/* ---- heads ---- */

static void
head_reset(struct bh_flow_table *t, uint32_t idx, int d, uint32_t base)
{
	struct bh_flow_side *s = &FLOW(t, idx)->side[d];

	if (s->fl & BH_SIDE_HEAD_OOO)
		memset(head_bm(t, idx, d), 0, t->bm_bytes);
	s->head_fill = 0;
	s->head_base = base;
	s->fl = (uint8_t)((s->fl & ~BH_SIDE_HEAD_OOO) | BH_SIDE_HEAD_OK);
}

/*
 * Store n bytes at head offset off (off + n <= head_max).  Bytes already
 * stored stay (the first copy wins); the contiguous prefix grows as holes
 * fill.  In-order data takes a memcpy; only out-of-order data uses the
 * bitmap.
 */
static void
head_put(struct bh_flow_table *t, uint32_t idx, int d, uint32_t off,
    const unsigned char *data, uint32_t n)
{
	struct bh_flow_side *s = &FLOW(t, idx)->side[d];
	unsigned char *buf = head_buf(t, idx, d), *bm;
	uint32_t k, pos, max = t->cfg.head_max;

	if (off == s->head_fill && !(s->fl & BH_SIDE_HEAD_OOO)) {
		memcpy(buf + off, data, n);
		s->head_fill += n;
		return;
	}
	bm = head_bm(t, idx, d);
	for (k = 0; k < n; k++) {
		pos = off + k;
		if (pos < s->head_fill || (bm[pos >> 3] & (1u << (pos & 7))))
			continue;
		buf[pos] = data[k];
		bm[pos >> 3] |= (unsigned char)(1u << (pos & 7));
	}
	s->fl |= BH_SIDE_HEAD_OOO;
	while (s->head_fill < max &&
	    (bm[s->head_fill >> 3] & (1u << (s->head_fill & 7))))
		s->head_fill++;
}

/* TCP payload at sequence number seq into the head, by stream offset. */
static void
head_tcp(struct bh_flow_table *t, uint32_t idx, int d, uint32_t seq,
    const struct bh_pkt *p)
{
	struct bh_flow_side *s = &FLOW(t, idx)->side[d];
	const unsigned char *data = p->payload;
	uint32_t cap = p->payload_cap, max = t->cfg.head_max, n;
	int32_t off;

	if (!(s->fl & BH_SIDE_HEAD_OK))
		head_reset(t, idx, d, seq);
	if (s->head_fill >= max || cap == 0)
		return;
	off = seq_delta(seq, s->head_base);
	if (off < 0) {
		if ((uint32_t)-(int64_t)off >= cap)
			return;
		data += (uint32_t)-(int64_t)off;
		cap -= (uint32_t)-(int64_t)off;
		off = 0;
	}
	if ((uint32_t)off >= max)
		return;
	n = max - (uint32_t)off;
	if (cap < n)
		n = cap;
	head_put(t, idx, d, (uint32_t)off, data, n);
}

/* TCP payload at sequence number seq into the evidence, by stream
 * offset; the evidence is taken from the pool at the first payload. */
static void
ev_tcp(struct bh_flow_table *t, uint32_t idx, int d, uint32_t seq,
    const struct bh_pkt *p)
{
	struct bh_flow *f = FLOW(t, idx);
	const unsigned char *data = p->payload;
	uint32_t cap = p->payload_cap;
	int32_t off;
	int chunk_new;

	if (cap == 0)
		return;
	if (f->ev == 0) {
		if (f->ev_lost)
			return;
		if ((f->ev = pool_get(&t->ev, &chunk_new)) == 0) {
			f->ev_lost = 1;
			t->st.ev_untracked++;
			return;
		}
		bh_ev_init((struct bh_ev *)POOL_ENTRY(&t->ev, f->ev),
		    t->cfg.head_max);
	}
	off = seq_delta(seq, f->side[d].head_base);
	if (off < 0) {
		if ((uint32_t)-(int64_t)off >= cap)
			return;
		data += (uint32_t)-(int64_t)off;
		cap -= (uint32_t)-(int64_t)off;
		off = 0;
	}
	bh_ev_data((struct bh_ev *)POOL_ENTRY(&t->ev, f->ev), d, (uint32_t)off,
	    data, cap, (p->tcp_flags & BH_TH_PUSH) != 0);
}

/* Datagram payloads in arrival order; a datagram cut by the snaplen ends
 * the head (what follows would not be contiguous). */
static void
head_append(struct bh_flow_table *t, uint32_t idx, int d,
    const struct bh_pkt *p)
{
	struct bh_flow_side *s = &FLOW(t, idx)->side[d];
	uint32_t n, max = t->cfg.head_max;

	if ((s->fl & BH_SIDE_HEAD_OOO) || s->head_fill >= max ||
	    p->payload_len == 0)
		return;
	n = max - s->head_fill;
	if (p->payload_cap < n)
		n = p->payload_cap;
	memcpy(head_buf(t, idx, d) + s->head_fill, p->payload, n);
	s->head_fill += n;
	if (p->payload_cap < p->payload_len)
		s->fl |= BH_SIDE_HEAD_OOO;	/* ends a datagram head */
}

/* ---- RTT samples (tcptrace rexmit.c, Karn) ---- */

/*
 * Each side keeps its outstanding data segments in send order (= sequence
 * order, as only new data is kept): the oldest BH_FLOW_RTT_SEGS inline,
 * the rest in blocks of a pool shared by the table and bounded by
 * cfg.seg_pool, so a bulk transfer with a wide window keeps all its
 * samples while a quiet session costs nothing extra.
 */

static uint32_t
blk_alloc(struct bh_flow_table *t)
{
	int chunk_new;

	return pool_get(&t->blk, &chunk_new);
}

static void
blk_release(struct bh_flow_table *t, uint32_t b)
{
	pool_put(&t->blk, b);
}

/* Return a side's blocks to the pool. */
static void
seg_clear(struct bh_flow_table *t, struct bh_flow_side *sd)
{
	uint32_t b, nb;

	for (b = sd->blk_head; b != 0; b = nb) {
		nb = BLK(t, b)->next;
		blk_release(t, b);
	}
	sd->blk_head = sd->blk_tail = 0;
	sd->blk_n = 0;
	sd->seg_n = 0;
}

static void
seg_push(struct bh_flow_table *t, struct bh_flow_side *sd, uint32_t end,
    uint32_t toff)
{
	struct segblk *bk;
	uint32_t b;

	if (sd->blk_n == 0 && sd->seg_n < BH_FLOW_RTT_SEGS) {
		b = (sd->seg_first + sd->seg_n) % BH_FLOW_RTT_SEGS;
		sd->seg[b].end = end;
		sd->seg[b].toff = toff;
		sd->seg_n++;
		return;
	}
	if (sd->seg_n + sd->blk_n >= SIDE_SEG_MAX) {
		t->st.seg_untracked++;
		return;
	}
	if (sd->blk_tail == 0 || sd->blk_tpos == SEGBLK) {
		if ((b = blk_alloc(t)) == 0) {
			t->st.seg_untracked++;
			return;
		}
		BLK(t, b)->next = 0;
		if (sd->blk_tail != 0)
			BLK(t, sd->blk_tail)->next = b;
		else {
			sd->blk_head = b;
			sd->blk_hpos = 0;
		}
		sd->blk_tail = b;
		sd->blk_tpos = 0;
	}
	bk = BLK(t, sd->blk_tail);
	bk->e[sd->blk_tpos].end = end;
	bk->e[sd->blk_tpos].toff = toff;
	sd->blk_tpos++;
	sd->blk_n++;
}

/* Drop the oldest segment; the oldest block entry moves inline. */
static void
seg_pop(struct bh_flow_table *t, struct bh_flow_side *sd)
{
	struct segblk *bk;
	uint32_t slot, nb;

	sd->seg_first = (uint8_t)((sd->seg_first + 1) % BH_FLOW_RTT_SEGS);
	sd->seg_n--;
	if (sd->blk_n == 0)
		return;
	bk = BLK(t, sd->blk_head);
	slot = (sd->seg_first + sd->seg_n) % BH_FLOW_RTT_SEGS;
	sd->seg[slot].end = bk->e[sd->blk_hpos].end;
	sd->seg[slot].toff = bk->e[sd->blk_hpos].toff;
	sd->seg_n++;
	sd->blk_hpos++;
	sd->blk_n--;
	if (sd->blk_hpos == SEGBLK || sd->blk_n == 0) {
		nb = bk->next;
		blk_release(t, sd->blk_head);
		sd->blk_head = nb;
		sd->blk_hpos = 0;
		if (nb == 0) {
			sd->blk_tail = 0;
			sd->blk_tpos = 0;
		}
	}
}

/* End sequence number of the newest outstanding segment. */
static uint32_t
seg_newest_end(const struct bh_flow_table *t, const struct bh_flow_side *sd)
{
	if (sd->blk_n > 0)
		return BLK(t, sd->blk_tail)->e[sd->blk_tpos - 1].end;
	return sd->seg[(sd->seg_first + sd->seg_n - 1) %
	    BH_FLOW_RTT_SEGS].end;
}

/*
 * Data [s, e) sent at toff.  New data (at or past the highest sequence
 * sent) is remembered.  Anything below it is a retransmission (or a
 * reordered segment, which cannot be told apart without tcptrace's
 * unbounded segment lists, and is treated the same): every outstanding
 * segment ending after s can no longer give a sample -- it was resent, or
 * an earlier segment was resent after it and may be what the ACK answers
 * (Karn).  Those form the range (s, newest end]; ranges are merged, which
 * can only lose samples, never admit a wrong one.
 */
static void
rtt_data(struct bh_flow_table *t, struct bh_flow_side *sd, uint32_t s,
    uint32_t e, uint32_t toff)
{
	uint32_t hi;

	if (seq_delta(s, sd->last_seq) < 0) {
		if (sd->seg_n == 0)
			return;
		hi = seg_newest_end(t, sd);
		if (seq_delta(hi, s) <= 0)
			return;
		if (sd->fl & BH_SIDE_BAD_OK) {
			if (seq_delta(s, sd->bad_lo) < 0)
				sd->bad_lo = s;
			if (seq_delta(hi, sd->bad_hi) > 0)
				sd->bad_hi = hi;
		} else {
			sd->bad_lo = s;
			sd->bad_hi = hi;
			sd->fl |= BH_SIDE_BAD_OK;
		}
		return;
	}
	if ((sd->fl & BH_SIDE_ACKED_OK) && seq_delta(e, sd->acked) <= 0)
		return;
	seg_push(t, sd, e, toff);
}

/*
 * ACK a for side d's data at toff: the segments it covers are done; the
 * one whose last byte it covers exactly gives a sample unless Karn's rule
 * rules it out.  Older and duplicate ACKs give nothing (tcptrace counts
 * them as dupacks).
 */
static void
rtt_ack(struct bh_flow_table *t, struct bh_flow *f, int d, uint32_t a,
    uint32_t toff)
{
	struct bh_flow_side *sd = &f->side[d];
	uint32_t sample, end, sent;
	int bad;

	if ((sd->fl & BH_SIDE_ACKED_OK) && seq_delta(a, sd->acked) <= 0)
		return;
	sd->acked = a;
	sd->fl |= BH_SIDE_ACKED_OK;
	while (sd->seg_n > 0) {
		end = sd->seg[sd->seg_first].end;
		sent = sd->seg[sd->seg_first].toff;
		if (seq_delta(end, a) > 0)
			break;
		bad = (sd->fl & BH_SIDE_BAD_OK) &&
		    seq_delta(end, sd->bad_lo) > 0 &&
		    seq_delta(end, sd->bad_hi) <= 0;
		/* Offsets are modulo 2^32; a "negative" sample (capture
		 * time going back) is dropped. */
		sample = toff - sent;
		if (end == a && !bad && sample < 0x80000000u) {
			if (sd->rtt_n == 0 || sample < sd->rtt_min)
				sd->rtt_min = sample;
			if (sd->rtt_n == 0 || sample > sd->rtt_max)
				sd->rtt_max = sample;
			sd->rtt_sum += sample;
			sd->rtt_n++;
		}
		seg_pop(t, sd);
	}
	if ((sd->fl & BH_SIDE_BAD_OK) && seq_delta(a, sd->bad_hi) >= 0)
		sd->fl &= (uint8_t)~BH_SIDE_BAD_OK;
}

/* ---- handshake transmissions ---- */

static void
tx_note(struct bh_flow_side *s, int has_ts, uint32_t tsval, int64_t off)
{
	int n = s->tx_n & 0x7f, i;

	if (!has_ts)
		return;
	if (off < 0 || off >= BH_FLOW_NOOFF) {
		/* Not representable: forget it, but remember we did. */
		if (!(s->tx_n & 0x80) || seq_delta(tsval, s->tx_lost_max) > 0)
			s->tx_lost_max = tsval;
		s->tx_n |= 0x80;
		return;
	}
	if (n == BH_FLOW_HS_TX) {
		if (!(s->tx_n & 0x80) ||
		    seq_delta(s->tx[0].tsval, s->tx_lost_max) > 0)
			s->tx_lost_max = s->tx[0].tsval;
		s->tx_n |= 0x80;
		for (i = 1; i < n; i++)
			s->tx[i - 1] = s->tx[i];
		n--;
		s->tx_n = (uint8_t)((s->tx_n & 0x80) | n);
	}
	s->tx[n].tsval = tsval;
	s->tx[n].toff = (uint32_t)off;
	s->tx_n++;
}

int64_t
bh_flow_answered_ts(const struct bh_flow *f, int side)
{
	const struct bh_flow_side *s = &f->side[side != 0];
	uint32_t tsecr;
	int i, n = s->tx_n & 0x7f, hit = -1, hits = 0;

	if (side == 0) {
		if (!f->has_synack_tsecr)
			return BH_FLOW_UNSET;
		tsecr = f->synack_tsecr;
	} else {
		if (!f->has_ack_tsecr)
			return BH_FLOW_UNSET;
		tsecr = f->ack_tsecr;
	}
	/* A forgotten transmission might carry the same TSval. */
	if ((s->tx_n & 0x80) && seq_delta(tsecr, s->tx_lost_max) <= 0)
		return BH_FLOW_UNSET;
	for (i = 0; i < n; i++)
		if (s->tx[i].tsval == tsecr) {
			hit = i;
			hits++;
		}
	if (hits != 1)
		return BH_FLOW_UNSET;
	return f->ts + s->tx[hit].toff;
}

/* ---- TCP: Zeek's endpoint state machine ---- */

static void
set_state(struct bh_flow_side *s, int st)
{
	if (s->state != st) {
		s->prev_state = s->state;
		s->state = (uint8_t)st;
	}
}

/*
 * Zeek's init_endpoint: fix the sequence base of side d from its packet.
 * A SYN sets it (and re-sets it on a changed ISN); a first packet without
 * SYN starts the numbering as if a SYN had come just before.  The head
 * follows the base as long as it holds no bytes.
 */
static void
init_endpoint(struct bh_flow_table *t, uint32_t idx, int d, uint8_t fl,
    uint32_t seq, uint32_t end_seq)
{
	struct bh_flow_side *s = &FLOW(t, idx)->side[d];
	int syn = fl & BH_TH_SYN, reinit = 0;

	switch (s->state) {
	case BH_TCP_INACTIVE:
		if (syn) {
			s->start_seq = seq;
			s->last_seq = end_seq;
		} else {
			s->start_seq = seq - 1;
			s->last_seq = seq;
		}
		if (s->head_fill == 0 && !(s->fl & BH_SIDE_HEAD_OOO))
			head_reset(t, idx, d, syn ? seq + 1 : seq);
		return;
	case BH_TCP_SYN_SENT:
	case BH_TCP_SYN_ACK_SENT:
		reinit = syn && seq != s->start_seq;
		break;
	case BH_TCP_ESTABLISHED:
	case BH_TCP_PARTIAL:
		reinit = syn;
		break;
	case BH_TCP_RESET:
		reinit = syn && s->prev_state == BH_TCP_INACTIVE;
		break;
	}
	if (reinit) {
		if (seq != s->start_seq)
			head_reset(t, idx, d, seq + 1);
		s->start_seq = seq;
		s->last_seq = end_seq;
	}
}

/* Zeek's update_history: S H F R once, again when the sequence number
 * differs from the last such packet; I Q for multi-flag packets; D A. */
static void
update_history(struct bh_flow *f, int d, uint8_t fl, uint32_t seq,
    uint32_t len)
{
	struct bh_flow_side *s = &f->side[d];
	int syn = (fl & BH_TH_SYN) != 0, fin = (fl & BH_TH_FIN) != 0;
	int rst = (fl & BH_TH_RST) != 0;
	char code;

	if (syn + fin + rst > 1) {
		if (fin && rst)
			hist_check(f, d, HIST_FIN_RST, 'I');
		else
			hist_check(f, d, HIST_MULTI, 'Q');
	} else if (syn) {
		code = (fl & BH_TH_ACK) ? 'H' : 'S';
		if (hist_check(f, d, HIST_SYN, code) && seq != s->hist_syn)
			hist_add(f, d, code);
		s->hist_syn = seq;
	} else if (fin) {
		if (hist_check(f, d, HIST_FIN, 'F') && seq + len != s->hist_fin)
			hist_add(f, d, 'F');
		s->hist_fin = seq + len;
	} else if (rst) {
		if (hist_check(f, d, HIST_RST, 'R') && seq != s->hist_rst)
			hist_add(f, d, 'R');
		s->hist_rst = seq;
	} else if (len > 0)
		hist_check(f, d, HIST_DATA, 'D');
	else if (fl & BH_TH_ACK)
		hist_check(f, d, HIST_ACK, 'A');
}

/* Zeek's update_last_seq; returns nothing, counts retransmissions (T). */
static void
update_last_seq(struct bh_flow *f, int d, uint32_t end_seq, uint8_t fl,
    uint32_t len)
{
	struct bh_flow_side *s = &f->side[d];
	int32_t delta = seq_delta(end_seq, s->last_seq);

	if ((fl & (BH_TH_SYN | BH_TH_RST)) &&
	    (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
		;
	else if ((fl & BH_TH_FIN) && s->last_seq == s->start_seq + 1)
		s->last_seq = end_seq;
	else if (s->state == BH_TCP_RESET)
		;
	else if (delta > 0)
		s->last_seq = end_seq;
	else if (len > 0)
		hist_scaled(f, d, &s->rxmit_n, 'T');
}

/*
 * Zeek's UpdateStateMachine (UpdateInactiveState, UpdateSYN_SentState,
 * UpdateEstablishedState, UpdateClosedState, UpdateResetState) for a
 * packet from side d.  Returns 1 when the packet closes its side.
 */
static int
update_state(struct bh_flow *f, int d, uint8_t fl, uint32_t seq,
    uint32_t len)
{
	struct bh_flow_side *ep = &f->side[d], *peer = &f->side[!d];
	int syn = fl & BH_TH_SYN, ack = fl & BH_TH_ACK, fin = fl & BH_TH_FIN;
	int rst = fl & BH_TH_RST, do_close = 0;

	switch (ep->state) {
	case BH_TCP_INACTIVE:
		if (syn) {
			if (d == 0)
				set_state(ep, ack ? BH_TCP_SYN_ACK_SENT :
				    BH_TCP_SYN_SENT);
			else {
				/* A SYN/SYN-ACK reversal; Zeek flips the
				 * roles here, our roles are fixed. */
				if (!ack &&
				    peer->state == BH_TCP_SYN_ACK_SENT &&
				    seq == ep->start_seq)
					set_state(peer, BH_TCP_ESTABLISHED);
				if (peer->state == BH_TCP_SYN_SENT)
					set_state(peer, BH_TCP_ESTABLISHED);
				set_state(ep, BH_TCP_ESTABLISHED);
			}
		}
		if (fin) {
			set_state(ep, BH_TCP_CLOSED);
			do_close = 1;
		}
		if (rst) {
			set_state(ep, BH_TCP_RESET);
			do_close = 1;
		}
		if (ep->state == BH_TCP_INACTIVE) {
			if (d == 1 && len == 0 &&
			    f->side[0].state == BH_TCP_SYN_SENT)
				;	/* an ACK before the SYN reply */
			else if (ack && peer->state == BH_TCP_ESTABLISHED)
				set_state(ep, BH_TCP_ESTABLISHED);
			else
				set_state(ep, BH_TCP_PARTIAL);
		}
		break;
	case BH_TCP_SYN_SENT:
	case BH_TCP_SYN_ACK_SENT:
		if (fin) {
			set_state(ep, BH_TCP_CLOSED);
			do_close = 1;
		}
		if (rst) {
			set_state(ep, BH_TCP_RESET);
			do_close = 1;
		}
		break;
	case BH_TCP_ESTABLISHED:
	case BH_TCP_PARTIAL:
		if (syn && ep->state == BH_TCP_PARTIAL &&
		    peer->state == BH_TCP_INACTIVE && !ack)
			set_state(ep, BH_TCP_SYN_SENT);
		if (fin && !rst) {
			set_state(ep, BH_TCP_CLOSED);
			/* A FIN then RST from the peer was a normal close. */
			if (peer->state == BH_TCP_RESET &&
			    peer->prev_state == BH_TCP_CLOSED)
				set_state(peer, BH_TCP_CLOSED);
			do_close = 1;
		}
		if (rst) {
			set_state(ep, BH_TCP_RESET);
			do_close = 1;
		}
		break;
	case BH_TCP_CLOSED:
		if (rst && peer->state != BH_TCP_CLOSED) {
			set_state(ep, BH_TCP_RESET);
			if (!(ep->fl & BH_SIDE_DID_CLOSE))
				do_close = 1;
		}
		break;
	case BH_TCP_RESET:
		break;
	}
	return do_close;
}

/* Zeek's IsReuse: a new SYN with another ISN on a closed connection;
 * and one after an attempt that was never answered. */
static int
is_reuse(const struct bh_flow *f, const struct bh_pkt *p)
{
	const struct bh_flow_side *o = &f->side[0];

	if (!(p->tcp_flags & BH_TH_SYN))
		return 0;
	if (p->tcp_flags & BH_TH_ACK) {
		if (f->side[0].state != BH_TCP_INACTIVE)
			return 0;
		o = &f->side[1];
	}
	/* An attempt given up: a SYN with a new ISN from the originator
	 * whose earlier SYNs were never answered starts a connection of its
	 * own, as Wireshark's tcp.stream has it (its handshake times are its
	 * own, not the old attempt's retransmissions). */
	if (!(p->tcp_flags & BH_TH_ACK) && f->side[0].state ==
	    BH_TCP_SYN_SENT && f->side[1].state == BH_TCP_INACTIVE &&
	    p->sport == f->port[0] && memcmp(p->src, f->addr[0], 16) == 0 &&
	    p->seq != f->side[0].start_seq)
		return 1;
	if (!((f->side[0].fl | f->side[1].fl) & BH_SIDE_DID_CLOSE))
		return 0;
	if (p->seq == o->start_seq)
		return 0;
	if (!(p->tcp_flags & BH_TH_ACK) && o->state == BH_TCP_SYN_ACK_SENT &&
	    f->side[1].state == BH_TCP_INACTIVE &&
	    p->seq == f->side[1].start_seq)
		return 0;
	return 1;
}

/* Offset of ts from the session start, or BH_FLOW_NOOFF. */
static uint32_t
flow_off(const struct bh_flow *f, int64_t ts)
{
	int64_t off = ts - f->ts;

	if (off < 0)
		return 0;
	if (off >= BH_FLOW_NOOFF)
		return BH_FLOW_NOOFF;
	return (uint32_t)off;
}

/* The histogram bucket of v usec, and the middle of bucket b. */
static unsigned
tsr_bucket(uint32_t v)
{
	unsigned k;

	if (v < TSR_EXACT)
		return v;
	/* the octave: v's highest bit (at least TSR_OCT_LO, as v >= 16) */
	k = 31 - (unsigned)__builtin_clz(v);
	if (k >= TSR_OCT_HI)	/* beyond the last octave */
		return TSR_BUCKETS - 1;
	return TSR_EXACT + (k - TSR_OCT_LO) * 8 + ((v >> (k - 3)) & 7);
}

static uint32_t
tsr_middle(unsigned b)
{
	unsigned k, j;

	if (b < TSR_EXACT)
		return b;
	k = TSR_OCT_LO + (b - TSR_EXACT) / 8;
	j = (b - TSR_EXACT) % 8;
	return ((uint32_t)(8 + j) << (k - 3)) + ((uint32_t)1 << (k - 4));
}

/* One more sample of v usec in side d's histogram. */
static void
tsr_hist_add(struct tsr *r, int d, uint32_t v)
{
	unsigned j = tsr_bucket(v);
	uint64_t bit = (uint64_t)1 << (j & 63);

	if (!(r->hused[d][j >> 6] & bit)) {
		r->hused[d][j >> 6] |= bit;
		r->hist[d][j] = 0;
	}
	if (r->hist[d][j] < UINT32_MAX)
		r->hist[d][j]++;
}

/* Side d's histogram begins: empty, then its TSR_KEEP kept samples. */
static void
tsr_hist_start(struct tsr *r, int d)
{
	unsigned i;

	memset(r->hused[d], 0, sizeof(r->hused[d]));
	for (i = 0; i < TSR_KEEP; i++)
		tsr_hist_add(r, d, r->keep[d][i]);
}

/* The lower median of side d's samples into the side, when it ends. */
static void
tsr_median(struct bh_flow *f, const struct tsr *r)
{
	uint32_t want, seen, m;
	unsigned b;
	int d;

	for (d = 0; d < 2; d++) {
		struct bh_flow_side *s = &f->side[d];

		if (s->tsr_n == 0)
			continue;
		want = (s->tsr_n + 1) / 2;
		if (s->tsr_n <= TSR_KEEP) {
			uint32_t v[TSR_KEEP], x;
			unsigned i, j;

			/* Few: sort them (insertion, at most 8). */
			for (i = 0; i < s->tsr_n; i++) {
				x = r->keep[d][i];
				for (j = i; j > 0 && v[j - 1] > x; j--)
					v[j] = v[j - 1];
				v[j] = x;
			}
			s->tsr_med = v[want - 1];
			continue;
		}
		for (b = 0, seen = 0; b < TSR_BUCKETS; b++)
			if ((r->hused[d][b >> 6] >> (b & 63) & 1) &&
			    (seen += r->hist[d][b]) >= want)
				break;
		m = tsr_middle(b < TSR_BUCKETS ? b : TSR_BUCKETS - 1);
		if (m < s->tsr_min)
			m = s->tsr_min;
		if (m > s->tsr_max)
			m = s->tsr_max;
		s->tsr_med = m;
	}
}

/*
 * The timestamps of a packet from side d seen at toff: its TSval waits
 * for an echo (a TSval seen again in a retransmission, resent, gives
 * no sample: which copy the echo answers is unknown), its TSecr may
 * answer one of the other side's.  A TSval or TSecr of 0 is none (RFC
 * 7323 §3.2: a SYN's TSecr; p0f's ts1-).
 */
static void
ts_rtt(struct bh_flow_table *t, struct bh_flow *f, int d,
    const struct bh_pkt *p, uint32_t toff, int resent)
{
	struct bh_flow_side *s = &f->side[!d];
	struct tsr *r;
	unsigned i, k;
	int chunk_new;
	uint32_t v;

	if (f->tsr == 0) {
		if (f->tsr_lost)
			return;
		if ((f->tsr = pool_get(&t->tsr, &chunk_new)) == 0) {
			f->tsr_lost = 1;
			t->st.tsr_untracked++;
			return;
		}
		r = (struct tsr *)POOL_ENTRY(&t->tsr, f->tsr);
		if (!chunk_new)
			memset(r, 0, offsetof(struct tsr, hist));
	}
	r = (struct tsr *)POOL_ENTRY(&t->tsr, f->tsr);
	if (p->tsval != 0) {
		if (!r->has_last[d] || seq_delta(p->tsval, r->last[d]) > 0) {
			if (r->n[d] == TSR_RING) {
				r->first[d] = (r->first[d] + 1) % TSR_RING;
				r->n[d]--;
			}
			k = (r->first[d] + r->n[d]++) % TSR_RING;
			r->ring[d][k].tsval = p->tsval;
			r->ring[d][k].toff = toff;
			r->ring[d][k].fl = 0;
			r->last[d] = p->tsval;
			r->has_last[d] = 1;
		} else if (resent) {
			for (i = 0; i < r->n[d]; i++) {
				k = (r->first[d] + i) % TSR_RING;
				if (r->ring[d][k].tsval == p->tsval)
					r->ring[d][k].fl |= TSR_BAD;
			}
		}
	}
	if (!(p->tcp_flags & BH_TH_ACK) || p->tsecr == 0)
		return;
	for (i = 0; i < r->n[!d]; i++) {
		k = (r->first[!d] + i) % TSR_RING;
		if (r->ring[!d][k].tsval != p->tsecr)
			continue;
		if (!(r->ring[!d][k].fl & (TSR_BAD | TSR_USED))) {
			v = toff - r->ring[!d][k].toff;
			if (s->tsr_n == 0 || v < s->tsr_min)
				s->tsr_min = v;
			if (s->tsr_n == 0 || v > s->tsr_max)
				s->tsr_max = v;
			if (s->tsr_n < TSR_KEEP)
				r->keep[!d][s->tsr_n] = v;
			else {
				if (s->tsr_n == TSR_KEEP)
					tsr_hist_start(r, !d);
				tsr_hist_add(r, !d, v);
			}
			s->tsr_n++;
		}
		r->ring[!d][k].fl |= TSR_USED;
		/* The echo only moves forward: older TSvals are done. */
		r->first[!d] = (uint8_t)k;
		r->n[!d] = (uint8_t)(r->n[!d] - i);
		return;
	}
}

/* syn_ts, synack_ts, ack_ts and the transmissions they may answer. */
static void
handshake(struct bh_flow *f, int d, int64_t ts, const struct bh_pkt *p)
{
	uint8_t fl = p->tcp_flags;

	if (d == 0 && (fl & (BH_TH_SYN | BH_TH_ACK)) == BH_TH_SYN) {
		f->syn_n++;
		if (f->syn_off == BH_FLOW_NOOFF)
			f->syn_off = flow_off(f, ts);
		if (!f->fp[0].have)
			(void)bh_tcpfp_take(p, &f->fp[0]);
		tx_note(&f->side[0], p->has_ts, p->tsval, ts - f->ts);
	} else if (d == 1 && (fl & (BH_TH_SYN | BH_TH_ACK)) ==
	    (BH_TH_SYN | BH_TH_ACK)) {
		f->synack_n++;
		if (!f->fp[1].have)
			(void)bh_tcpfp_take(p, &f->fp[1]);
		if (f->synack_off == BH_FLOW_NOOFF && (f->syn_off ==
		    BH_FLOW_NOOFF || p->ack == f->side[0].start_seq + 1)) {
			f->synack_off = flow_off(f, ts);
			if (p->has_ts) {
				f->synack_tsecr = p->tsecr;
				f->has_synack_tsecr = 1;
			}
		}
		tx_note(&f->side[1], p->has_ts, p->tsval, ts - f->ts);
	} else if (d == 0 && (fl & (BH_TH_SYN | BH_TH_ACK | BH_TH_RST)) ==
	    BH_TH_ACK && f->synack_off != BH_FLOW_NOOFF &&
	    f->ack_off == BH_FLOW_NOOFF) {
		int32_t k = seq_delta(p->ack, f->side[1].start_seq + 1);

		if (k >= 0 && k < TOO_LARGE_SEQ_DELTA) {
			f->ack_off = flow_off(f, ts);
			if (p->has_ts) {
				f->ack_tsecr = p->tsecr;
				f->has_ack_tsecr = 1;
			}
		}
	}
}

/* One TCP packet from side d, after Zeek's TCPSessionAdapter::Process. */
static void
tcp_packet(struct bh_flow_table *t, uint32_t idx, int d, int64_t ts,
    const struct bh_pkt *p)
{
	struct bh_flow *f = FLOW(t, idx);
	struct bh_flow_side *ep = &f->side[d], *peer = &f->side[!d];
	uint8_t fl = p->tcp_flags;
	uint32_t len = p->payload_len, seg_len, end_seq, data_seq, toff;
	int peer_was_inactive, close_complete;

	seg_len = len + ((fl & BH_TH_SYN) != 0) + ((fl & BH_TH_FIN) != 0);
	if (fl & BH_TH_RST)
		seg_len -= len;
	end_seq = p->seq + seg_len;
	data_seq = (fl & BH_TH_SYN) ? p->seq + 1 : p->seq;
	toff = (uint32_t)(ts - f->ts);	/* modulo 2^32, for RTT deltas */

	init_endpoint(t, idx, d, fl, p->seq, end_seq);
	update_history(f, d, fl, p->seq, len);
	/* Zeek's update_window: a zero window not after a RST or the
	 * peer's FIN. */
	if (p->win == 0 && !(fl & BH_TH_RST) && peer->state != BH_TCP_CLOSED &&
	    ep->state != BH_TCP_RESET)
		hist_scaled(f, d, &ep->zwin_n, 'W');
	/* Zeek's duration ends when both sides have closed. */
	if (!both_closed(f) && ts > f->dur_end)
		f->dur_end = ts;

	peer_was_inactive = peer->state == BH_TCP_INACTIVE;
	if ((fl & BH_TH_ACK) && peer_was_inactive) {
		/* Zeek's init_peer: number the peer from what we ack. */
		peer->start_seq = p->ack - 1;
		peer->last_seq = p->ack - 1;
		if (peer->head_fill == 0 && !(peer->fl & BH_SIDE_HEAD_OOO))
			head_reset(t, idx, !d, p->ack);
	}
	if (len > 0 && !(fl & BH_TH_RST))
		rtt_data(t, ep, data_seq, data_seq + len, toff);
	if ((fl & BH_TH_ACK) && !(fl & BH_TH_RST)) {
		/* A content gap (Zeek's G): the peer's bytes acked but
		 * never seen; not at a FIN (Zeek does not trust those). */
		if (!peer_was_inactive && !(fl & BH_TH_FIN) &&
		    seq_delta(p->ack, peer->last_seq) > 0 &&
		    (!(peer->fl & BH_SIDE_ACKED_OK) ||
		    seq_delta(p->ack, peer->acked) > 0))
			hist_scaled(f, !d, &peer->gap_n, 'G');
		rtt_ack(t, f, !d, p->ack, toff);
	}
	if (p->has_ts)
		ts_rtt(t, f, d, p, toff, (fl & BH_TH_SYN) ? (d == 0 ?
		    f->syn_n : f->synack_n) > 0 : len > 0 &&
		    seq_delta(end_seq, ep->last_seq) <= 0 &&
		    ep->state != BH_TCP_RESET);
	handshake(f, d, ts, p);
	update_last_seq(f, d, end_seq, fl, len);
	if (update_state(f, d, fl, p->seq, len) &&
	    !(ep->fl & BH_SIDE_DID_CLOSE)) {
		/* Zeek's ConnectionClosed. */
		ep->fl |= BH_SIDE_DID_CLOSE;
		close_complete = ep->state == BH_TCP_RESET ||
		    (peer->fl & BH_SIDE_DID_CLOSE) ||
		    peer->state == BH_TCP_INACTIVE;
		if (close_complete && !f->closed)
			f->closed = (ep->state == BH_TCP_RESET ||
			    peer->state == BH_TCP_RESET) ? BH_END_RST :
			    BH_END_FIN;
	}
	if (len > 0 && !(fl & BH_TH_RST)) {
		head_tcp(t, idx, d, data_seq, p);
		ev_tcp(t, idx, d, data_seq, p);
	}
}

/* ---- fragments ---- */

static struct frag_ent *
frag_slot(struct bh_flow_table *t, const struct bh_pkt *p)
{
	uint64_t h;

	h = bh_mix64(endpoint_hash(t->cfg.seed, p->src, (uint16_t)p->frag_id) ^
	    endpoint_hash(t->cfg.seed ^ 1, p->dst,
	    (uint16_t)(p->frag_id >> 16)) ^ p->proto);
	return &t->frag[h & (FRAG_SLOTS - 1)];
}

static void
frag_first(struct bh_flow_table *t, const struct bh_pkt *p, uint32_t idx)
{
	struct frag_ent *e = frag_slot(t, p);

	memcpy(e->src, p->src, 16);
	memcpy(e->dst, p->dst, 16);
	e->id = p->frag_id;
	e->af = p->af;
	e->proto = p->proto;
	e->idx = idx;
	e->flow_id = FLOW(t, idx)->id;
}

/* A later fragment: counted on the session of its first fragment. */
static int
frag_later(struct bh_flow_table *t, int64_t ts, const struct bh_pkt *p)
{
	struct frag_ent *e = frag_slot(t, p);
	struct bh_flow *f;
	struct bh_flow_side *s;
	int d;

	if (e->flow_id == 0 || e->id != p->frag_id || e->af != p->af ||
	    e->proto != p->proto || memcmp(e->src, p->src, 16) != 0 ||
	    memcmp(e->dst, p->dst, 16) != 0 ||
	    FLOW(t, e->idx)->id != e->flow_id) {
		t->st.frag_unmatched++;
		return -1;
	}
	f = FLOW(t, e->idx);
	d = memcmp(f->addr[0], p->src, 16) == 0 ? 0 : 1;
	s = &f->side[d];
	ttl_note(s, p->ttl);
	s->pkts++;
	s->bytes += p->payload_len;
	if (ts > f->dur_end && !both_closed(f))
		f->dur_end = ts;
	touch(t, f, e->idx, f->klass);
	return 0;
}

/* ---- sessions ---- */

static uint32_t
lookup(struct bh_flow_table *t, const struct bh_pkt *p, uint64_t h, int *dir)
{
	struct bh_flow *f;
	uint32_t i;

	for (i = t->bucket[h & t->mask]; i != 0; i = f->hnext) {
		f = FLOW(t, i);
		if (f->proto != p->proto || f->af != p->af)
			continue;
		if (f->port[0] == p->sport && f->port[1] == p->dport &&
		    memcmp(f->addr[0], p->src, 16) == 0 &&
		    memcmp(f->addr[1], p->dst, 16) == 0) {
			*dir = 0;
			return i;
		}
		if (f->port[0] == p->dport && f->port[1] == p->sport &&
		    memcmp(f->addr[0], p->dst, 16) == 0 &&
		    memcmp(f->addr[1], p->src, 16) == 0) {
			*dir = 1;
			return i;
		}
	}
	return 0;
}

/*
 * A port a server listens on: the well-known ports (RFC 6335 section 6)
 * and the registered ones of the services bh-phase(1) names (MS SQL,
 * MySQL, RDP, PostgreSQL, VNC, IRC, HTTP alternates, SOCKS, proxies).
 */
static int
service_port(uint16_t port)
{
	static const uint16_t reg[] = {
		1080, 1433, 1521, 2323, 3128, 3306, 3389, 5432, 5900, 6660,
		6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668, 6669, 6697,
		7000, 8000, 8008, 8080, 8443, 8888,
	};
	size_t i;

	if (port > 0 && port < 1024)
		return 1;
	for (i = 0; i < sizeof(reg) / sizeof(reg[0]); i++)
		if (reg[i] == port)
			return 1;
	return 0;
}

/*
 * A new session for p.  The originator is the SYN sender, else the
 * receiver of a SYN/ACK (Zeek marks such a flip '^'), else the sender of
 * the first packet, unless that one sends from a service port to
 * another (then its receiver, also marked '^').  At the cap, the longest-idle session goes first.
 */
static uint32_t
new_flow(struct bh_flow_table *t, const struct bh_pkt *p, uint64_t h,
    int64_t ts, int *dir)
{
	struct bh_flow *f;
	uint32_t idx;
	int k, flip = 0;

	if (t->live >= t->cfg.max_live && (idx = oldest(t, 0, &k)) != 0)
		retire(t, idx, BH_END_EVICT);
	idx = slot_alloc(t);
	f = FLOW(t, idx);
	memset(f, 0, sizeof(*f));
	f->id = t->next_id++;
	f->ts = f->dur_end = ts;
	f->proto = p->proto;
	f->af = p->af;
	f->syn_off = f->synack_off = f->ack_off = BH_FLOW_NOOFF;
	if (p->proto == BH_IPPROTO_TCP) {
		if ((p->tcp_flags & (BH_TH_SYN | BH_TH_ACK)) == BH_TH_SYN)
			f->orig_by = BH_BY_SYN;
		else if ((p->tcp_flags & (BH_TH_SYN | BH_TH_ACK)) ==
		    (BH_TH_SYN | BH_TH_ACK)) {
			f->orig_by = BH_BY_SYNACK;
			flip = 1;
		} else {
			f->orig_by = BH_BY_FIRST;
			/* Mid-stream: the side on a service port is the
			 * responder (Zeek's likely_server_ports). */
			flip = service_port(p->sport) &&
			    !service_port(p->dport);
		}
		f->klass = K_TCP;
	} else
		f->klass = p->proto == BH_IPPROTO_UDP ? K_UDP : K_OTHER;
	memcpy(f->addr[flip], p->src, 16);
	memcpy(f->addr[!flip], p->dst, 16);
	f->port[flip] = p->sport;
	f->port[!flip] = p->dport;
	if (flip)
		f->history[f->hist_len++] = '^';
	*dir = flip;
	/* Heads: the bitmaps start clear (head_reset clears on reuse). */
	if (t->bm_bytes > 0) {
		memset(head_bm(t, idx, 0), 0, t->bm_bytes);
		memset(head_bm(t, idx, 1), 0, t->bm_bytes);
	}
	f->hash = (uint32_t)h;
	f->hnext = t->bucket[h & t->mask];
	t->bucket[h & t->mask] = idx;
	f->idle = t->now;
	list_append(t, f->klass, f, idx);
	f->iprev = t->id_tail;
	f->inext = 0;
	if (t->id_tail != 0)
		FLOW(t, t->id_tail)->inext = idx;
	else
		t->id_head = idx;
	t->id_tail = idx;
	t->live++;
	t->st.sessions++;
	if (t->live > t->st.live_max)
		t->st.live_max = t->live;
	return idx;
}

void
bh_flow_restart(struct bh_flow_table *t)
{
	bh_flow_flush(t);
	memset(t->tomb, 0, ((size_t)t->tomb_mask + 1) * sizeof(*t->tomb));
	t->have_now = 0;
	t->expire_lb = INT64_MAX;
}

int
bh_flow_packet(struct bh_flow_table *t, int64_t ts, const struct bh_pkt *p)
{
	struct bh_flow *f;
	struct bh_flow_side *s;
	uint64_t h;
	uint32_t idx;
	int d = 0;

	if (!t->have_now || ts > t->now) {
		t->now = ts;
		t->have_now = 1;
	}
	expire(t);
	if (p->frag == 2)
		return frag_later(t, ts, p);
	h = tuple_hash(t, p);
	/* A SYN mostly opens a session, whose test for a closed one
	 * (late_segment) reads a tomb slot: asked for before the lookup's
	 * own miss, so the two overlap. */
	if (p->proto == BH_IPPROTO_TCP && (p->tcp_flags & BH_TH_SYN))
		__builtin_prefetch(&t->tomb[h & t->tomb_mask]);
	idx = lookup(t, p, h, &d);
	if (idx != 0 && p->proto == BH_IPPROTO_TCP && is_reuse(FLOW(t, idx), p)) {
		retire(t, idx, BH_END_REUSE);
		idx = 0;
	}
	if (idx == 0 && p->proto == BH_IPPROTO_TCP && late_segment(t, p, h, ts)) {
		t->st.late++;
		return 0;
	}
	if (idx == 0)
		idx = new_flow(t, p, h, ts, &d);
	f = FLOW(t, idx);
	s = &f->side[d];
	ttl_note(s, p->ttl);
	s->pkts++;
	s->bytes += p->payload_len;
	if (p->frag == 1)
		frag_first(t, p, idx);
	if (p->proto == BH_IPPROTO_TCP)
		tcp_packet(t, idx, d, ts, p);
	else {
		if (ts > f->dur_end)
			f->dur_end = ts;
		/* Zeek's UDP analyzer marks each direction once: D, d. */
		if (p->proto == BH_IPPROTO_UDP)
			hist_check(f, d, HIST_DATA, 'D');
		head_append(t, idx, d, p);
	}
	touch(t, f, idx, f->closed ? K_CLOSED : f->klass);
	return 0;
}
