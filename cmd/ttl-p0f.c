/*
 * ttl-p0f.c - bh-ttl's OS by TCP signature: a p0f 3 fingerprint database
 * (p0f.fp, its [tcp:request] and [tcp:response] sections) read at run
 * time, and a SYN's or SYN/ACK's raw signature matched against it the
 * way p0f 3.09b's fp_tcp.c (tcp_find_match) does: the option layout
 * exactly; the quirks exactly or, fuzzily, with df or id+ gone or id- or
 * ecn come; the TTL at most 35 hops below the signature's (else fuzzy),
 * or below it at all for a random-TTL signature ("64-"); MSS, window
 * scale and payload class unless wildcards; the window as the signature
 * says (a value, a modulus, a multiple of the MSS or the MTU, any).  An
 * exact specific match wins at once; else the first generic one; else
 * the first fuzzy one, except for a userland tool's ('!' class).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "ttl.h"

#define MAX_DIST	35

enum { WIN_NORMAL, WIN_ANY, WIN_MOD, WIN_MSS, WIN_MTU };

struct p0f_sig {
	uint8_t		 synack;	/* [tcp:response] */
	uint8_t		 generic, userland, bad_ttl;
	int8_t		 ver;		/* -1 any */
	int8_t		 pclass;	/* -1 any */
	uint8_t		 ttl, olen, ocnt, eol_pad, win_type;
	int32_t		 mss;		/* -1 any */
	int32_t		 wscale;	/* -1 any */
	uint32_t	 win;
	uint32_t	 quirks;
	uint8_t		 layout[BH_TCPFP_OPTS];
	unsigned	 label;		/* index into db->labels */
};

struct p0f_label {
	char		*os;		/* name and flavour, as p0f prints */
	char		*klass;		/* "win", "unix", "!", ... */
};

struct p0f_db {
	struct p0f_sig	*sig;
	size_t		 nsig, capsig;
	struct p0f_label *labels;
	size_t		 nlabel, caplabel;
};

/* Trim spaces at both ends of s[0..*len) in place; returns the start. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* A decimal field of exactly len bytes, at most max: its value or -1. */
static long
num_field(const char *p, size_t len, unsigned long max)
{
	char num[12];
	unsigned long v;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, p, len);
	num[len] = '\0';
	if (bh_parse_uint(num, max, &v) == -1)
		return -1;
	return (long)v;
}

/* label = type:class:name:flavor; 0, or -1 with *why set. */
static int
parse_label(struct p0f_db *db, char *v, const char **why)
{
	char *cls, *name, *flav;
	struct p0f_label *l;
	size_t n;

	/* The label becomes a field: printable ASCII, no backslash (no
	 * escape to undo), as every label of p0f's own database. */
	for (n = 0; v[n] != '\0'; n++)
		if (v[n] < 0x20 || v[n] > 0x7e || v[n] == '\\') {
			*why = "label: printable ASCII without backslashes "
			    "only";
			return -1;
		}
	if ((v[0] != 's' && v[0] != 'g') || v[1] != ':') {
		*why = "label: want s: or g: first";
		return -1;
	}
	cls = v + 2;
	if ((name = strchr(cls, ':')) == NULL ||
	    (flav = strchr(name + 1, ':')) == NULL) {
		*why = "label: want type:class:name:flavor";
		return -1;
	}
	*name++ = '\0';
	*flav++ = '\0';
	if (*cls == '\0' || *name == '\0') {
		*why = "label: empty class or name";
		return -1;
	}
	if (db->nlabel == db->caplabel) {
		db->caplabel = db->caplabel ? 2 * db->caplabel : 64;
		db->labels = xreallocarray(db->labels, db->caplabel,
		    sizeof(*db->labels));
	}
	l = &db->labels[db->nlabel++];
	n = strlen(name) + 1 + strlen(flav) + 1;
	l->os = xmalloc(n);
	/* p0f prints the name, then a space and the flavour if any. */
	if (*flav != '\0')
		snprintf(l->os, n, "%s %s", name, flav);
	else
		snprintf(l->os, n, "%s", name);
	l->klass = xstrdup(cls);
	return v[0] == 'g';
}

/* The next ':' field of *s, or NULL. */
static char *
next_field(char **s, size_t *len)
{
	char *p = *s, *e;

	if (p == NULL)
		return NULL;
	if ((e = strchr(p, ':')) == NULL) {
		*len = strlen(p);
		*s = NULL;
	} else {
		*len = (size_t)(e - p);
		*s = e + 1;
	}
	return p;
}

/*
 * sig = ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass (p0f's
 * README, "TCP signatures"); fills *g.  0, or -1 with *why set.
 */
static int
parse_sig(char *v, struct p0f_sig *g, const char **why)
{
	char *s = v, *f, *c, *e;
	size_t len, l;
	long x, add;
	int k;

	*why = "malformed signature";
	if ((f = next_field(&s, &len)) == NULL || len != 1)
		return -1;
	if (f[0] == '4' || f[0] == '6')
		g->ver = (int8_t)(f[0] - '0');
	else if (f[0] == '*')
		g->ver = -1;
	else {
		*why = "unknown IP version";
		return -1;
	}
	/* ittl, ittl+add, or ittl- (a tool that randomises the TTL) */
	if ((f = next_field(&s, &len)) == NULL)
		return -1;
	for (l = 0; l < len && isdigit((unsigned char)f[l]); l++)
		;
	if ((x = num_field(f, l, 255)) < 1) {
		*why = "bad initial TTL";
		return -1;
	}
	if (l + 1 == len && f[l] == '-')
		g->bad_ttl = 1;
	else if (l < len && f[l] == '+') {
		if ((add = num_field(f + l + 1, len - l - 1, 255)) < 0 ||
		    x + add > 255) {
			*why = "bad initial TTL";
			return -1;
		}
		x += add;
	} else if (l != len) {
		*why = "bad initial TTL";
		return -1;
	}
	g->ttl = (uint8_t)x;
	if ((f = next_field(&s, &len)) == NULL ||
	    (x = num_field(f, len, 255)) < 0) {
		*why = "bad IP option length";
		return -1;
	}
	g->olen = (uint8_t)x;
	if ((f = next_field(&s, &len)) == NULL)
		return -1;
	if (len == 1 && f[0] == '*')
		g->mss = -1;
	else if ((g->mss = (int32_t)num_field(f, len, 65535)) < 0) {
		*why = "bad MSS";
		return -1;
	}
	/* wsize,scale */
	if ((f = next_field(&s, &len)) == NULL ||
	    (c = memchr(f, ',', len)) == NULL)
		return -1;
	l = (size_t)(c - f);
	*why = "bad window";
	if (l == 1 && f[0] == '*')
		g->win_type = WIN_ANY;
	else if (l > 1 && f[0] == '%') {
		g->win_type = WIN_MOD;
		if ((x = num_field(f + 1, l - 1, 65535)) < 2)
			return -1;
		g->win = (uint32_t)x;
	} else if (l > 4 && (memcmp(f, "mss*", 4) == 0 ||
	    memcmp(f, "mtu*", 4) == 0)) {
		g->win_type = f[1] == 's' ? WIN_MSS : WIN_MTU;
		if ((x = num_field(f + 4, l - 4, 1000)) < 1)
			return -1;
		g->win = (uint32_t)x;
	} else {
		g->win_type = WIN_NORMAL;
		if ((x = num_field(f, l, 65535)) < 0)
			return -1;
		g->win = (uint32_t)x;
	}
	l = len - l - 1;
	if (l == 1 && c[1] == '*')
		g->wscale = -1;
	else if ((g->wscale = (int32_t)num_field(c + 1, l, 255)) < 0) {
		*why = "bad window scale";
		return -1;
	}
	/* olayout: eol+N only last */
	if ((f = next_field(&s, &len)) == NULL)
		return -1;
	for (e = f + len; f < e; f = c + 1) {
		if ((c = memchr(f, ',', (size_t)(e - f))) == NULL)
			c = e;
		if (g->ocnt >= BH_TCPFP_OPTS) {
			*why = "too many TCP options";
			return -1;
		}
		if ((k = bh_tcpfp_kind(f, (size_t)(c - f), &g->eol_pad)) < 0) {
			*why = "unknown TCP option";
			return -1;
		}
		if (k == 0 && c != e) {
			*why = "EOL must be the last option";
			return -1;
		}
		g->layout[g->ocnt++] = (uint8_t)k;
	}
	/* quirks */
	if ((f = next_field(&s, &len)) == NULL)
		return -1;
	for (e = f + len; f < e; f = c + 1) {
		uint32_t bit;

		if ((c = memchr(f, ',', (size_t)(e - f))) == NULL)
			c = e;
		if ((bit = bh_tcpfp_quirk_bit(f, (size_t)(c - f))) == 0) {
			*why = "unknown quirk";
			return -1;
		}
		if ((g->ver == 6 && (bit & (BH_TCPFP_DF | BH_TCPFP_NZ_ID |
		    BH_TCPFP_ZERO_ID | BH_TCPFP_NZ_MBZ))) ||
		    (g->ver == 4 && bit == BH_TCPFP_FLOW)) {
			*why = "quirk not valid for the IP version";
			return -1;
		}
		g->quirks |= bit;
	}
	if ((f = next_field(&s, &len)) == NULL || s != NULL || len != 1) {
		*why = "bad payload class";
		return -1;
	}
	if (f[0] == '*')
		g->pclass = -1;
	else if (f[0] == '0' || f[0] == '+')
		g->pclass = f[0] == '+';
	else {
		*why = "bad payload class";
		return -1;
	}
	return 0;
}

struct p0f_db *
ttl_p0f_read_fp(FILE *fp, const char *fn, int *bad)
{
	struct p0f_db *db = xcalloc(1, sizeof(*db));
	char *line = NULL, *p, *key, *v, *eq;
	const char *why = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int section = -1, have_label = 0, generic = 0;
	ssize_t n;

	*bad = 0;
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {
			why = "a NUL byte";
			goto fail;
		}
		p = trim(line);
		if (*p == '\0' || *p == ';' || *p == '#')
			continue;
		if (*p == '[') {
			section = strcmp(p, "[tcp:request]") == 0 ? 0 :
			    strcmp(p, "[tcp:response]") == 0 ? 1 : -1;
			have_label = 0;
			continue;
		}
		if (section < 0)
			continue;	/* [mtu], [http:*]: not ours */
		if ((eq = strchr(p, '=')) == NULL) {
			why = "want `key = value'";
			goto fail;
		}
		*eq = '\0';
		key = trim(p);
		v = trim(eq + 1);
		if (strcmp(key, "label") == 0) {
			if ((generic = parse_label(db, v, &why)) < 0)
				goto fail;
			have_label = 1;
		} else if (strcmp(key, "sig") == 0) {
			struct p0f_sig *g;

			if (!have_label) {
				why = "sig before any label";
				goto fail;
			}
			if (db->nsig == db->capsig) {
				db->capsig = db->capsig ? 2 * db->capsig : 256;
				db->sig = xreallocarray(db->sig, db->capsig,
				    sizeof(*db->sig));
			}
			g = &db->sig[db->nsig];
			memset(g, 0, sizeof(*g));
			if (parse_sig(v, g, &why) == -1)
				goto fail;
			g->synack = (uint8_t)section;
			g->generic = (uint8_t)generic;
			g->label = (unsigned)(db->nlabel - 1);
			g->userland = strcmp(db->labels[g->label].klass,
			    "!") == 0;
			db->nsig++;
		} else if (strcmp(key, "sys") != 0) {
			why = "unknown key (label, sys, sig)";
			goto fail;
		}
	}
	free(line);
	if (ferror(fp)) {
		bh_warn("%s", fn);
		*bad = 1;
		ttl_p0f_free(db);
		return NULL;
	}
	return db;
fail:
	bh_warnx_at(fn, lineno, "%s", why);
	free(line);
	*bad = 1;
	ttl_p0f_free(db);
	return NULL;
}

void
ttl_p0f_free(struct p0f_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->nlabel; i++) {
		free(db->labels[i].os);
		free(db->labels[i].klass);
	}
	free(db->labels);
	free(db->sig);
	free(db);
}

size_t
ttl_p0f_count(const struct p0f_db *db)
{
	return db != NULL ? db->nsig : 0;
}

int
ttl_p0f_match(const struct p0f_db *db, const struct bh_tcpfp *ts,
    int synack, unsigned syn_mss, const char **os, const char **klass)
{
	const struct p0f_sig *fmatch = NULL, *gmatch = NULL, *m = NULL;
	unsigned multi;
	size_t i;
	int use_mtu, fuzzy;

	*os = *klass = NULL;
	if (db == NULL || !ts->have)
		return P0F_NONE;
	multi = bh_tcpfp_win_multi(ts, syn_mss, &use_mtu);
	for (i = 0; i < db->nsig; i++) {
		const struct p0f_sig *g = &db->sig[i];
		uint32_t rq = g->quirks, del, add;

		if (g->synack != synack || g->ocnt != ts->ocnt ||
		    memcmp(g->layout, ts->layout, g->ocnt) != 0)
			continue;
		fuzzy = 0;
		/* A signature for either version drops the quirks of the
		 * other one. */
		if (g->ver == -1)
			rq &= ts->ver == 4 ? ~(uint32_t)BH_TCPFP_FLOW :
			    ~(uint32_t)(BH_TCPFP_DF | BH_TCPFP_NZ_ID |
			    BH_TCPFP_ZERO_ID);
		if (rq != ts->quirks) {
			del = (rq ^ ts->quirks) & rq;
			add = (rq ^ ts->quirks) & ts->quirks;
			if (fmatch != NULL ||
			    (del & ~(uint32_t)(BH_TCPFP_DF | BH_TCPFP_NZ_ID)) ||
			    (add & ~(uint32_t)(BH_TCPFP_ZERO_ID |
			    BH_TCPFP_ECN)))
				continue;
			fuzzy = 1;
		}
		if (g->eol_pad != ts->eol_pad || g->olen != ts->olen)
			continue;
		if (g->bad_ttl) {
			if (g->ttl < ts->ttl)
				continue;
		} else if (g->ttl < ts->ttl || g->ttl - ts->ttl > MAX_DIST)
			fuzzy = 1;
		if ((g->mss != -1 && g->mss != ts->mss) ||
		    (g->wscale != -1 && g->wscale != ts->wscale) ||
		    (g->pclass != -1 && g->pclass != ts->pclass))
			continue;
		switch (g->win_type) {
		case WIN_NORMAL:
			if (g->win != ts->win)
				continue;
			break;
		case WIN_MOD:
			if (ts->win % g->win != 0)
				continue;
			break;
		case WIN_MSS:
			if (use_mtu || g->win != multi)
				continue;
			break;
		case WIN_MTU:
			if (!use_mtu || g->win != multi)
				continue;
			break;
		default:
			break;
		}
		if (!fuzzy) {
			if (!g->generic) {
				m = g;
				break;
			}
			if (gmatch == NULL)
				gmatch = g;
		} else if (fmatch == NULL)
			fmatch = g;
	}
	if (m != NULL)
		fuzzy = 0;
	else if (gmatch != NULL) {
		m = gmatch;
		fuzzy = 0;
	} else if (fmatch != NULL && !fmatch->userland) {
		m = fmatch;
		fuzzy = 1;
	} else
		return P0F_NONE;
	*os = db->labels[m->label].os;
	*klass = db->labels[m->label].klass;
	if (fuzzy)
		return P0F_FUZZY;
	return m->generic ? P0F_GENERIC : P0F_EXACT;
}
