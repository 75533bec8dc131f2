/*
 * story-rec.c - bh-story's reading of a record: the columns, the role and
 * the local host of a session, its texts unescaped for story-refs.c, its
 * detail, and the step it becomes (held by story-run.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "story.h"

static const char *const in_names[C_COUNT] = {
	"flow", "ts", "proto", "orig_ip", "orig_port", "resp_ip",
	"resp_port", "dir", "phase", "app", "dur", "rule", "link",
	"orig_head", "resp_head", "orig_ev", "resp_ev", "orig_bytes",
	"resp_bytes", "remote_hops", "rtt_remote_ms", "remote_os"
};

const char *const step_cols[NSTEP_COLS] = {
	"episode", "host", "step", "ts", "role", "flow", "remote_ip",
	"remote_port", "app", "evidence", "via_step", "detail",
	"remote_hops", "remote_rtt_ms", "remote_os"
};
const char *const sum_cols[NSUM_COLS] = {
	"episode", "host", "start", "end", "steps", "infection_src",
	"infection_app", "infection_hops", "infection_rtt_ms", "infection_os",
	"download_servers", "download_files", "download_hops",
	"download_rtt_ms", "download_os", "cnc_servers", "cnc_detail",
	"cnc_hops", "cnc_rtt_ms", "cnc_os", "t_download_s", "t_cnc_s",
	"propagation", "evidence"
};

/* ---- reading a record ---------------------------------------------- */

/* The stream's time: the second latest end of the last records (as
 * bh-phase(1): one record far ahead must not release the rest). */
static void
clock_tick(struct story *s, int64_t end)
{
	int64_t a = INT64_MIN, b = INT64_MIN;
	unsigned i;

	s->recent[s->nrecent++ % CLOCK_RECENT] = end;
	if (s->nrecent < 2)
		return;
	for (i = 0; i < CLOCK_RECENT && i < s->nrecent; i++)
		if (s->recent[i] > a) {
			b = a;
			a = s->recent[i];
		} else if (s->recent[i] > b)
			b = s->recent[i];
	if (!s->clock_set || b > s->clock) {
		s->clock = b;
		s->clock_set = 1;
	}
}

/* Whether the item p[0..len) of an evidence column is a reference
 * "mOFF/LEN" (bh-sessions(1)): 0 with *off and *rlen set, else -1. */
static int
ev_ref(const char *p, size_t len, uint32_t *off, uint32_t *rlen)
{
	char ref[32];

	if (len >= sizeof(ref))
		return -1;
	memcpy(ref, p, len);
	ref[len] = '\0';
	return bh_ev_ref(ref, off, rlen);
}

/* Unescape one side's head and evidence items into txt[d]: the head,
 * then each item after a NUL; an item "mOFF/LEN" (bh-sessions(1)) is
 * the head's bytes there.  The first BH_EV_READ items that are a text
 * or a reference are read, and the others reported, as bh-phase(1)
 * reads them. */
static size_t
side_text(struct bh_reader *r, struct story *s, int d, const char *head,
    const char *ev)
{
	static const char *const col[2][2] = {
		{ "orig_ev", "orig_head" }, { "resp_ev", "resp_head" }
	};
	size_t bad = 0;
	size_t hlen = head != NULL ? strlen(head) : 0, n = 0, hn = 0;
	size_t need, len, taken, evlen;
	const char *p, *c, *next;
	uint32_t off, rlen;
	long k;

	if (ev != NULL && BH_UNSET(ev))
		ev = NULL;
	evlen = ev != NULL ? strlen(ev) : 0;
	/* room: the head and the texts unescaped are no longer than
	 * escaped; a reference is a NUL and at most LEN of the head's
	 * bytes, and never more than the head */
	need = hlen + evlen + 2;
	for (p = ev, taken = 0; p != NULL && taken < BH_EV_READ; p = next) {
		c = strchr(p, ',');
		len = c != NULL ? (size_t)(c - p) : strlen(p);
		next = c != NULL ? c + 1 : NULL;
		if (p[0] == '+')
			continue;
		if (memchr(p, ':', len) != NULL)
			taken++;
		else if (ev_ref(p, len, &off, &rlen) == 0) {
			need += (rlen < hlen ? rlen : hlen) + 1;
			taken++;
		}
	}
	if (need > s->txtcap[d]) {
		s->txtcap[d] = need;
		s->txt[d] = xrealloc(s->txt[d], need);
	}
	if (head != NULL && !BH_UNSET(head) &&
	    (k = bh_unescape(s->txt[d], head)) > 0)
		n = hn = (size_t)k;
	if (ev == NULL)
		return n;
	/* bh_unescape() reads up to a NUL: the items are cut in a copy */
	if (evlen + 1 > s->evcap) {
		s->evcap = evlen + 1;
		s->evcopy = xrealloc(s->evcopy, s->evcap);
	}
	memcpy(s->evcopy, ev, evlen + 1);
	for (p = s->evcopy, taken = 0; p != NULL && taken < BH_EV_READ;
	    p = next) {
		char *q = strchr(p, ',');

		len = q != NULL ? (size_t)(q - p) : strlen(p);
		next = q != NULL ? q + 1 : NULL;
		if (p[0] == '+')
			continue;
		if ((c = memchr(p, ':', len)) == NULL) {
			if (ev_ref(p, len, &off, &rlen) == -1) {
				bad++;
				continue;
			}
			taken++;
			if ((uint64_t)off + rlen > hn) {
				bad++;
				continue;
			}
			s->txt[d][n++] = '\0';
			memmove(s->txt[d] + n, s->txt[d] + off, rlen);
			n += rlen;
			continue;
		}
		taken++;
		if (q != NULL)
			*q = '\0';
		s->txt[d][n++] = '\0';
		if ((k = bh_unescape(s->txt[d] + n, c + 1)) > 0)
			n += (size_t)k;
	}
	if (bad > 0)
		bh_rec_warn(r, "%s: %zu item%s not read (neither KOFF:TEXT "
		    "nor mOFF/LEN inside %s)", col[d][0], bad,
		    bad == 1 ? "" : "s", col[d][1]);
	for (; p != NULL; p = next) {
		char *q = strchr(p, ',');

		next = q != NULL ? q + 1 : NULL;
		if (p[0] != '+' && p[0] != ',' && p[0] != '\0') {
			bh_rec_warn(r, "%s: items past the first %d not read",
			    col[d][0], BH_EV_READ);
			break;
		}
	}
	return n;
}

/* Whether p starts with the lower-case word w of 4 letters, in any case
 * (strncasecmp()'s answer; a byte ORed with 0x20 is one of w's letters
 * only when it is that letter in either case, and a NUL never is). */
static int
word4(const char *p, const char *w)
{
	return (p[0] | 0x20) == w[0] && (p[1] | 0x20) == w[1] &&
	    (p[2] | 0x20) == w[2] && (p[3] | 0x20) == w[3];
}

/* Whether an escaped text may hold a reference story-refs.c reads in an
 * exploit's or a shell's payload: a URL, an FTP script's "open", a tftp
 * command. */
static int
may_name(const char *t)
{
	const char *p;

	if (t == NULL || BH_UNSET(t))
		return 0;
	/* strpbrk: the C library's vectorised scan; a hex escape holds
	 * none of these letters */
	for (p = t; (p = strpbrk(p, ":oOtT")) != NULL; p++)
		if ((p[0] == ':' && p[1] == '/' && p[2] == '/') ||
		    word4(p, "open") || word4(p, "tftp"))
			return 1;
	return 0;
}

/* The same for the `l` items of an evidence column (bh-sessions(1):
 * the text lines deep in a stream that carry a command or a reference);
 * an exploit's other messages are binary. */
static int
lines_name(const char *ev)
{
	const char *p, *e;
	char tmp[1024];
	size_t n;

	if (ev == NULL || BH_UNSET(ev))
		return 0;
	for (p = ev; p != NULL && *p != '\0'; p = e != NULL ? e + 1 : NULL) {
		e = strchr(p, ',');
		if (*p != 'l')
			continue;
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof(tmp))
			n = sizeof(tmp) - 1;
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		if (may_name(tmp))
			return 1;
	}
	return 0;
}

static int
kind_of(const char *app, const char *ohead)
{
	/* a request no rule labelled (a bot's POST check-in) is still read
	 * as HTTP (RFC 9112 §3: method SP target SP version) */
	if (BH_UNSET(app) && ohead != NULL &&
	    (strncmp(ohead, "GET /", 5) == 0 ||
	    strncmp(ohead, "POST /", 6) == 0 ||
	    strncmp(ohead, "HEAD /", 6) == 0 ||
	    strncmp(ohead, "PUT /", 5) == 0))
		return SK_HTTP;
	if (strcmp(app, "irc") == 0)
		return SK_IRC;
	if (strcmp(app, "http") == 0)
		return SK_HTTP;
	if (strcmp(app, "ftp") == 0)
		return SK_FTP;
	if (strcmp(app, "tftp") == 0)
		return SK_TFTP;
	if (strcmp(app, "shell") == 0)
		return SK_SHELL;
	return SK_OTHER;
}

int
story_header(void *arg, struct bh_reader *r)
{
	struct story *s = arg;
	int i;

	for (i = 0; i < C_COUNT; i++)
		if ((s->col[i] = i < C_REQUIRED ? bh_rec_need(r, in_names[i]) :
		    bh_rec_col(r, in_names[i])) < 0 && i < C_REQUIRED)
			return -1;
	if (s->summary)
		bh_wr_start(&s->w, s->out, NULL, 0, sum_cols,
		    NSUM_COLS);
	else
		bh_wr_start(&s->w, s->out, NULL, 0, step_cols,
		    NSTEP_COLS);
	bh_wr_names(&s->w);
	return 0;
}

static const char *
fld(struct bh_reader *r, const struct story *s, int c)
{
	return s->col[c] >= 0 ? r->f[s->col[c]] : "-";
}

/* Cut the escaped text d to at most max bytes, never inside an escape
 * sequence (bh(7): \\ \t \n \r and \xHH). */
static void
cut_escaped(char *d, size_t max)
{
	size_t i, k;

	for (i = 0; d[i] != '\0'; i += k) {
		k = d[i] != '\\' ? 1 : d[i + 1] == 'x' ? 4 : 2;
		if (i + k > max) {
			d[i] = '\0';
			return;
		}
		if (d[i] == '\\')
			for (size_t j = 1; j < k; j++)
				if (d[i + j] == '\0') {
					d[i] = '\0';
					return;
				}
	}
}

/* The detail of a step, into d (DETAIL_MAX + 1 bytes). */
static void
detail(char *d, const struct step *st, const struct sfacts *f,
    const char *rule)
{
	const char *h = f->http_host[0] ? f->http_host : st->rip;
	char b[4 * DETAIL_MAX];

	b[0] = '\0';
	switch (st->kind) {
	case SK_HTTP:
		if (f->http_path[0] != '\0' && st->rport == 80)
			snprintf(b, sizeof(b), "http://%s%s", h, f->http_path);
		else if (f->http_path[0] != '\0')
			snprintf(b, sizeof(b), "http://%s:%u%s", h,
			    (unsigned)st->rport, f->http_path);
		break;
	case SK_FTP:
		if (f->file[0] != '\0')
			snprintf(b, sizeof(b), "ftp://%s:%u/%s", st->rip,
			    (unsigned)st->rport, f->file);
		break;
	case SK_TFTP:
		if (f->file[0] != '\0')
			snprintf(b, sizeof(b), "tftp://%s/%s", st->rip, f->file);
		break;
	case SK_IRC:
		snprintf(b, sizeof(b), "srv=%s chan=%s nick=%s%s%s",
		    f->irc_srv[0] ? f->irc_srv : "-",
		    f->irc_chan[0] ? f->irc_chan : "-",
		    f->irc_nick[0] ? f->irc_nick : "-",
		    f->cmd[0] ? " cmd=" : "", f->cmd);
		break;
	case SK_SHELL:
		story_cpy(b, sizeof(b), f->cmd);
		break;
	}
	if (b[0] == '\0' && st->f_link != NULL && st->f_link[0] != '-')
		snprintf(b, sizeof(b), "data of flow %s", st->f_link);
	if (b[0] == '\0' && !BH_UNSET(rule)) {
		memcpy(b, "rule=", 5);
		story_cpy(b + 5, 65, rule);
		cut_escaped(b + 5, 64);		/* escaped: not inside a \xHH */
	}
	if (b[0] == '\0' && f->cmd[0] != '\0')
		story_cpy(b, sizeof(b), f->cmd);
	cut_escaped(b, DETAIL_MAX);
	memcpy(d, b, strlen(b) + 1);
}

int
story_record(void *arg, struct bh_reader *r)
{
	struct story *s = arg;
	struct step *st;
	struct sfacts f;
	const char *phase = fld(r, s, C_PHASE), *app = fld(r, s, C_APP);
	const char *rule = fld(r, s, C_RULE);
	int64_t ts, dur = 0;
	unsigned long op = 0, rp = 0, ob = 0, rb = 0;
	int dir, role, orig_local, small = 0, k;
	size_t on, rn, len[8], off;
	const char *oh, *rh, *oe, *re;
	int kind;
	const char *v[8];
	char det[DETAIL_MAX + 1];
	struct host *h;
	struct series *sr;

	if (bh_rec_get_usec(r, s->col[C_TS], &ts) != 1) {
		if (!BH_UNSET(fld(r, s, C_TS)))
			return 0;	/* reported */
		return 0;		/* no time: nothing to place */
	}
	if (bh_rec_get_usec(r, s->col[C_DUR], &dur) == -1)
		return 0;
	if (dur < 0 || dur > INT64_MAX / 4 || ts > INT64_MAX / 4 ||
	    ts < -(INT64_MAX / 4)) {
		bh_rec_bad(r, "dur: out of range; record skipped");
		return 0;
	}
	if ((dir = bh_rec_get_dir(r, s->col[C_DIR])) == -1)
		return 0;
	if (bh_rec_get_uint(r, s->col[C_OPORT], 65535, "port", &op) == -1 ||
	    bh_rec_get_uint(r, s->col[C_RPORT], 65535, "port", &rp) == -1)
		return 0;
	if (bh_rec_get_uint(r, s->col[C_OBYTES], ULONG_MAX, "count", &ob) ==
	    -1 || bh_rec_get_uint(r, s->col[C_RBYTES], ULONG_MAX, "count",
	    &rb) == -1)
		return 0;
	clock_tick(s, ts + dur);
	if (dur > s->longest)
		s->longest = dur < LONGEST_MAX_US ? dur : LONGEST_MAX_US;

	/* the role, and which side is the local host */
	role = -1;
	if (strcmp(phase, "infection") == 0)
		role = strcmp(app, "shell") == 0 ? R_SHELL : R_INFECTION;
	else if (strcmp(phase, "download") == 0)
		role = R_DOWNLOAD;
	else if (strcmp(phase, "cnc") == 0)
		role = R_CNC;
	else if (strcmp(phase, "attack") == 0)
		role = R_PROPAGATION;
	else if (strcmp(phase, "scan") == 0 && dir == BH_DIR_OUT)
		role = R_PROPAGATION;
	switch (dir) {
	case BH_DIR_IN:
		orig_local = 0;
		break;
	case BH_DIR_OUT:
		orig_local = 1;
		break;
	case BH_DIR_LOCAL:
		orig_local = role != R_INFECTION && role != R_SHELL;
		break;
	default:
		if (role >= 0)
			s->unplaced++;
		release(s, 0);
		return 0;
	}
	if (role < 0) {
		/* a candidate: an unlabelled TCP session with payload, a step
		 * if a beacon (the host's own connection with small messages
		 * both ways) or if a reference of its episode names it (a DCC
		 * offer, a shell's telnet or nc) */
		int tcp = strcmp(fld(r, s, C_PROTO), "tcp") == 0;

		small = orig_local && tcp && ob > 0 && rb > 0 &&
		    ob <= BEACON_BYTES && rb <= BEACON_BYTES &&
		    strcmp(phase, "scan") != 0;
		if (!tcp || (ob == 0 && rb == 0) || strcmp(phase, "scan") == 0) {
			release(s, 0);
			return 0;
		}
		role = ROLE_BEACON;
	}

	st = xcalloc(1, sizeof(*st));
	st->ts = ts;
	st->end = ts + dur;
	st->seq = ++s->seq;
	st->role = (uint8_t)role;
	st->kind = (uint8_t)kind_of(app, fld(r, s, C_OHEAD));
	st->rport = (uint16_t)(orig_local ? rp : op);
	st->lport = (uint16_t)(orig_local ? op : rp);
	st->small = (uint8_t)small;
	st->remote_sent = orig_local ? rb : ob;
	st->local_sent = orig_local ? ob : rb;
	story_cpy(st->host, sizeof(st->host),
	    fld(r, s, orig_local ? C_OIP : C_RIP));
	story_cpy(st->rip, sizeof(st->rip),
	    fld(r, s, orig_local ? C_RIP : C_OIP));
	/* only the texts that can say something are unescaped and read: an
	 * exploit's binary payload only when it holds a URL, "open" or
	 * "tftp" (it passes the escaping unchanged); a beacon candidate's
	 * request line and Host only */
	oh = s->col[C_OHEAD] >= 0 ? fld(r, s, C_OHEAD) : NULL;
	rh = s->col[C_RHEAD] >= 0 ? fld(r, s, C_RHEAD) : NULL;
	oe = s->col[C_OEV] >= 0 ? fld(r, s, C_OEV) : NULL;
	re = s->col[C_REV] >= 0 ? fld(r, s, C_REV) : NULL;
	kind = st->kind;
	if (kind == SK_OTHER && role != R_INFECTION && role != R_SHELL)
		kind = -1;
	else if (kind == SK_OTHER && !may_name(oh) && !may_name(rh) &&
	    !lines_name(oe) && !lines_name(re))
		kind = -1;
	if (kind == -1) {
		f.nref = 0;
		f.http_host[0] = f.http_path[0] = f.file[0] = f.cmd[0] = '\0';
		f.irc_srv[0] = f.irc_chan[0] = f.irc_nick[0] = '\0';
	} else {
		if (role == ROLE_BEACON)
			re = oe = rh = NULL;
		on = side_text(r, s, 0, oh, oe);
		rn = side_text(r, s, 1, rh, re);
		/* the commands are the remote party's: the originator's in a
		 * bind shell, the responder's in a reverse one */
		story_facts(&f, kind, orig_local ? 1 : 0, s->txt[0], on,
		    s->txt[1], rn);
	}
	memcpy(st->http_host, f.http_host, sizeof(st->http_host));
	memcpy(st->http_path, f.http_path, sizeof(st->http_path));
	if (f.nref > 0 && (role == R_INFECTION || role == R_SHELL ||
	    role == R_CNC || role == R_DOWNLOAD)) {
		st->ref = xreallocarray(NULL, f.nref, sizeof(*st->ref));
		memcpy(st->ref, f.ref, f.nref * sizeof(*st->ref));
		st->nref = f.nref;
	}
	st->f_link = fld(r, s, C_LINK);	/* for detail(); copied below */
	h = host_get(s, st->host, 0);
	sr = NULL;
	if (small || (role == R_CNC || role == R_DOWNLOAD)) {
		if (h == NULL && small)
			h = host_get(s, st->host, 1);
		if (h != NULL && (st->kind == SK_HTTP || st->kind == SK_OTHER ||
		    st->kind == SK_IRC) && (sr = series_get(s, h, st,
		    small)) != NULL)
			series_add(sr, ts);
	}
	detail(det, st, &f, rule);

	v[0] = fld(r, s, C_TS);
	v[1] = fld(r, s, C_FLOW);
	v[2] = fld(r, s, C_LINK);
	v[3] = app;
	v[4] = fld(r, s, C_HOPS);
	v[5] = fld(r, s, C_RTT);
	v[6] = fld(r, s, C_OS);
	v[7] = det[0] ? det : "-";
	for (off = 0, k = 0; k < 8; k++)
		off += (len[k] = strlen(v[k])) + 1;
	st->str = xmalloc(off);
	for (off = 0, k = 0; k < 8; k++) {
		memcpy(st->str + off, v[k], len[k] + 1);
		off += len[k] + 1;
	}
	st->f_ts = st->str;
	st->f_flow = st->f_ts + len[0] + 1;
	st->f_link = st->f_flow + len[1] + 1;
	st->f_app = st->f_link + len[2] + 1;
	st->f_hops = st->f_app + len[3] + 1;
	st->f_rtt = st->f_hops + len[4] + 1;
	st->f_os = st->f_rtt + len[5] + 1;
	st->f_detail = st->f_os + len[6] + 1;
	st->rip_h = hash_str(st->rip);
	st->link_h = hash_str(st->f_link);
	heap_push(s, st);
	release(s, 0);
	return 0;
}

