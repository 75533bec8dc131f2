/*
 * hist-colour.c - bh-hist's group colours: the suite's vocabulary, a hash
 * into the Okabe-Ito palette, --colors, and the warning when groups of a
 * figure share one.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

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
 * as #rrggbb.  Returns 0, or -1 after reporting anything else (a usage
 * error): the colour reaches the SVG as an attribute, so only hex digits
 * get there.
 */
int
hist_colour_arg(struct hist *h, const char *arg)
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
			return -1;
		}
		n = colour_len(eq + 1);
		h->overrides = xreallocarray(h->overrides, h->noverrides + 1,
		    sizeof(*h->overrides));
		o = &h->overrides[h->noverrides++];
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
	return 0;
}

/*
 * The colour of group g, computed once: a --colors entry for its values
 * (joined by ','); blue for the one group of a figure without -b; grey
 * when every value is "-" (unset); the vocabulary's colour when it is one
 * value the table names; else palette[h % 7], h the 64-bit FNV-1a hash of
 * the group's bytes as written (its values joined by TAB).  Documented in
 * bh-hist(1), so that a reader can tell a value's colour in advance.
 */
const char *
hist_colour_of(struct hist *h, uint32_t g)
{
	size_t i, k;
	int unset = 1;
	const char *key, *c;
	uint8_t src = CS_FIXED;
	char *j;

	if (h->gcolour == NULL) {
		h->gcolour = xcalloc(h->groups.n + 1, sizeof(*h->gcolour));
		h->gcsource = xcalloc(h->groups.n + 1, sizeof(*h->gcsource));
	}
	if (h->gcolour[g] != NULL)
		return h->gcolour[g];
	j = xstrdup(h->groups.s[g]);
	for (i = 0; j[i] != '\0'; i++)
		if (j[i] == '\t')
			j[i] = ',';
	for (k = h->noverrides, c = NULL; k > 0 && c == NULL; k--)
		if (strcmp(h->overrides[k - 1].key, j) == 0)
			c = h->overrides[k - 1].colour;
	free(j);
	for (i = 0; i < h->ngcols; i++)
		if (!BH_UNSET(h->gpart[g][i]))
			unset = 0;
	if (c != NULL)
		src = CS_OVERRIDE;
	else if (h->ngcols == 0)
		c = OI_BLUE;
	else if (unset)
		c = UNSET_GREY;
	else if (h->ngcols == 1) {
		key = h->gpart[g][0];
		for (k = 0; k < sizeof(vocabulary) / sizeof(vocabulary[0]) &&
		    c == NULL; k++)
			if (strcmp(vocabulary[k].value, key) == 0)
				c = vocabulary[k].colour;
	}
	if (c == NULL) {
		c = palette[hist_hash_bytes(h->groups.s[g], h->groups.len[g]) %
		    NPALETTE];
		src = CS_HASH;
	}
	h->gcsource[g] = src;
	return h->gcolour[g] = c;
}

/* A group of a panel by its colour, for finding the ones that share. */
struct colourent {
	const char	*colour;
	size_t		 idx;		/* in the panel's groups */
};

/* By colour, then by index. */
static int
colourent_cmp(const void *pa, const void *pb)
{
	const struct colourent *a = pa, *b = pb;
	int c;

	if ((c = strcmp(a->colour, b->colour)) != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Warn when groups of panel p share a colour (a hash can give two values
 * the same one, and seven colours run out), unless all of them got it from
 * --colors, which may mean it: one line per shared colour, naming the
 * first two groups in legend order.  The figure is written all the same.
 */
void
hist_colour_check(struct hist *h, const struct panel *p)
{
	struct colourent *e;
	size_t i, k;
	int chosen;
	char *desc, *first;

	if (p->ngrp < 2)
		return;
	e = xreallocarray(NULL, p->ngrp, sizeof(*e));
	for (i = 0; i < p->ngrp; i++) {
		e[i].colour = hist_colour_of(h, p->grp[i]);
		e[i].idx = i;
	}
	qsort(e, p->ngrp, sizeof(*e), colourent_cmp);
	for (i = 0; i < p->ngrp; i = k) {
		chosen = h->gcsource[p->grp[e[i].idx]] == CS_OVERRIDE;
		for (k = i + 1; k < p->ngrp &&
		    strcmp(e[k].colour, e[i].colour) == 0; k++)
			if (h->gcsource[p->grp[e[k].idx]] != CS_OVERRIDE)
				chosen = 0;
		if (k - i < 2 || chosen)
			continue;
		/* hist_safe() and hist_group_label() reuse their buffers */
		desc = xstrdup(hist_safe(h, hist_panel_desc(h, p->sp)));
		first = xstrdup(hist_safe(h, hist_group_label(h,
		    p->grp[e[i].idx])));
		bh_warnx("--svg: %s: groups '%s' and '%s'%s share the colour "
		    "%s (give --colors)", desc, first,
		    hist_safe(h, hist_group_label(h, p->grp[e[i + 1].idx])),
		    k - i > 2 ? " and more" : "", e[i].colour);
		free(desc);
		free(first);
	}
	free(e);
}

