/*
 * bh-phase - label each session with its botnet phase, the protocol
 * recognised and the rule that fired, by payload first and port second;
 * link FTP and TFTP data sessions to their control sessions.
 *
 * Reads the session records of bh-sessions: flow proto orig_ip orig_port
 * resp_ip resp_port orig_head resp_head are required; ts dur dir
 * orig_bytes resp_bytes are used when present.  Adds phase app rule link
 * (DESIGN §2), and fills dir from the phase where it is `-`.  The phases
 * are BotHunter's dialog (Gu et al., USENIX Security 2007): inbound scan,
 * inbound exploit (infection), egg download, C&C, outbound attack.
 *
 * The rules are data: cmd/bh-phase.rules is compiled in (--print-rules
 * shows it) and -r files add or replace rules by name.  Each rule is a
 * POSIX extended regular expression over the escaped head text that users
 * see, so a rule can be tried with grep -E on the same column.
 *
 * Where it deviates from its peers: it does not always write a record as
 * soon as it has read it.  A record that may be one end of a link (an FTP
 * or TFTP control session, or a session that may be its data connection)
 * is held for a bounded window of capture time (-w) and a bounded number
 * of records (-W), and every record behind it waits with it, so the order
 * is kept.  Zeek expects the FTP data connection from the PORT/227 reply
 * before it starts; here records come when sessions end, and the data
 * connection usually ends first, so the link is made from whichever end
 * arrives second.  A link by address (PORT, EPRT, 227, 229) is made at
 * once; a guess (port 20, the same two hosts) waits until the data record
 * or the guessed control's record is written, for overlapping sessions to
 * one server: the control that names the data's address may end later.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bh.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* cmd/bh-phase.rules, one string per line (made by the Makefile). */
static const char *const default_rules[] = {
#include "bh-phase.rules.h"
	NULL
};

#define DEF_WINDOW_US	(600LL * 1000000)	/* -w: look-ahead window */
#define DEF_HOLD	16384			/* -W: records held at most */
#define LINK_SLACK_US	(10LL * 1000000)	/* data may start this late */
#define NCTL		512			/* control sessions remembered */
#define NEP		8			/* PORT/PASV addresses each */
#define NCAND		8			/* weak controls per data */

enum { PH_SCAN, PH_INFECTION, PH_DOWNLOAD, PH_CNC, PH_ATTACK, PH_COUNT };
static const char *const phase_names[PH_COUNT] = {
	"scan", "infection", "download", "cnc", "attack",
};

enum { SIDE_NONE, SIDE_ORIG, SIDE_RESP, SIDE_LINK };

enum {
	LK_NONE, LK_FTP_PORT, LK_FTP_PASV, LK_FTP_20, LK_FTP_PAIR, LK_TFTP,
	LK_COUNT
};
static const char *const linker_names[LK_COUNT] = {
	"-", "ftp-port", "ftp-pasv", "ftp-20", "ftp-pair", "tftp",
};

#define F_EMPTY		0x1	/* e: no payload either way */
#define F_ICASE		0x2	/* i: patterns ignore case */
#define F_REMOTE	0x4	/* r: the originator is the remote party */

#define HEAD_ORIG	0x1
#define HEAD_RESP	0x2

/* dir values: the input's, and the ones bh-phase writes. */
enum { D_NONE, D_UNSET, D_IN, D_OUT, D_OTHER };

struct prefilter;

struct pat {
	int		 side;		/* SIDE_ORIG or SIDE_RESP */
	regex_t		 re;
	char		*src;
	struct prefilter *pre;
	int		 id;		/* equal patterns share an id */
};

struct rule {
	char		*name, *app, *proto_s, *ports_s, *flags_s;
	int		 phase, proto, flags, side, linker;
	unsigned char	*ports;		/* bitmap of 65536; NULL = any */
	struct pat	*pat;
	size_t		 npat;
	int		 need;		/* HEAD_* the patterns look at */
	char		*doc;		/* comment lines before it */
	char		*file;
	unsigned long	 line;
};

/* Every rule parsed (owner), and the rule set in force (in order). */
static struct rule **all_rules;
static size_t nall_rules;
static struct rule **rules;
static size_t nrules;
static int have_ftp_links, have_tftp_links;
static int first_link = -1;	/* index of the first link rule */

struct ip {
	int		 fam;		/* 0 = unknown */
	unsigned char	 a[16];
};

/* The facts of the current record that the rules look at. */
struct rec {
	int		 proto;		/* IP protocol number */
	int		 oport, rport;	/* -1 for `-` */
	const char	*head[2];	/* orig, resp; NULL for `-` */
	int		 headmask;
	int		 empty;		/* no payload either way */
	int		 has_ts;
	int64_t		 ts, end;
	int		 dir;
};

/* One held record (fields NUL-separated): one that may still be
 * linked.  The records and comments that come behind it are written at
 * once, to the pending buffer (pw), and go out when it does. */
struct slot {
	uint64_t	 seq;
	size_t		 pend_off;	/* pw.olen when it came */
	uint64_t	 pend_n;	/* pend_in when it came */
	char		*buf;
	size_t		 cap, len;
	size_t		*off;		/* field offsets */
	int		 rule, phase, dirfill;
	char		*link;		/* "" for none */
	size_t		 linkcap;
	int		 link_mz;	/* link names a data session with MZ */
	int		 has_end;
	int64_t		 end;
	int		 hold;		/* may still be linked: wait */
	int		 data;		/* may be a data connection */
	int		 ctl;		/* a control session (in ctls) */
	int		 linked;
	/* the controls that name it only weakly (port 20, same hosts),
	 * in arrival order, while it waits for one that names it exactly */
	uint64_t	 cand[NCAND];
	int		 ncand;
	/* what the linker compares */
	int		 proto, oport, rport, dir, has_ts, mz, tftp[2];
	int64_t		 ts;
	struct ip	 oip, rip;
};

struct ep {
	int		 has_ip;
	struct ip	 ip;
	int		 port;
};

/* A control session (FTP, or a TFTP read request) waiting for data. */
struct ctl {
	uint64_t	 seq;		/* its slot */
	int		 kind;		/* LK_FTP_PORT (any FTP) or LK_TFTP */
	struct ip	 cli, srv;
	int		 cport, sport;
	int		 has_ts;
	int64_t		 ts, end;
	struct ep	 act[NEP], pas[NEP];
	int		 nact, npas;
	int		 nexact, nweak;	/* data sessions linked to it */
	int		 npend;		/* data holding it as a candidate */
	uint64_t	 pend_lo;	/* their slots are at this seq or on */
	char		*flow;
	size_t		 flowcap;
};

/* Input columns; -1 when absent (only the optional ones may be). */
static struct {
	int	flow, proto, oip, oport, rip, rport, ohead, rhead;
	int	ts, dur, dir, obytes, rbytes;
} col;

static struct slot *q;
static size_t qcap, qhead, qcount;
/* The pending output: the lines behind held records, labelled already
 * (only held records change).  pw_done bytes of it are out; pend_in and
 * pend_out count the lines into it and out of it. */
static struct bh_writer pw;
static size_t pw_done;
static uint64_t pend_in, pend_out;
static uint64_t qseq;		/* seq of the next slot */
static struct ctl ctls[NCTL];
static size_t ctlhead, nctl;
static int64_t clock_us;	/* greatest record end seen */
static int clock_set;
static int64_t window_us = DEF_WINDOW_US;
static size_t maxhold = DEF_HOLD;

static void
usage(int status)
{
	FILE *fp = status == 0 ? stdout : stderr;

	fprintf(fp, "usage: %s [-dhn] [--print-rules] [--strict] [-r rules] "
	    "[-W records] [-w window]\n\t[file ...]\n", bh_progname);
	if (status == 0)
		fprintf(fp,
		    "  -d             drop orig_head and resp_head from the "
		    "output\n"
		    "  -n             no built-in rules (only the -r files)\n"
		    "  -r rules       add or replace rules by name "
		    "(repeatable)\n"
		    "  -W records     hold at most this many records "
		    "(default %d)\n"
		    "  -w window      look-ahead window in capture time "
		    "(default 600s)\n"
		    "  --print-rules  print the rules in force and exit\n"
		    "  --strict       the first bad record is fatal (exit 2)\n",
		    DEF_HOLD);
	exit(status);
}

/* ---- rules ---------------------------------------------------------- */

static void BH_PRINTF(3, 4) BH_NORETURN
rules_fail(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(file, line, fmt, ap);
	va_end(ap);
	exit(BH_EXIT_FATAL);
}

/* Whether s is a name: [a-z0-9][a-z0-9_.-]*, at most 64 bytes. */
static int
is_name(const char *s)
{
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		    s[i] == '.' || s[i] == '-'))
			return 0;
	return i <= 64;
}

/*
 * Parse a port list ("*", or "135,139,445,6660-6669") into a bitmap of
 * 65536 bits (*map NULL for "*").  Returns 0, or -1 when malformed.
 */
static int
parse_ports(const char *s, unsigned char **map)
{
	unsigned long lo, hi, p;
	char *end;

	*map = NULL;
	if (strcmp(s, "*") == 0)
		return 0;
	*map = xcalloc(65536 / 8, 1);
	for (;;) {
		if (!isdigit((unsigned char)*s))
			return -1;
		lo = strtoul(s, &end, 10);
		hi = lo;
		if (*end == '-') {
			s = end + 1;
			if (!isdigit((unsigned char)*s))
				return -1;
			hi = strtoul(s, &end, 10);
		}
		if (lo > 65535 || hi > 65535 || lo > hi)
			return -1;
		for (p = lo; p <= hi; p++)
			(*map)[p >> 3] |= (unsigned char)(1 << (p & 7));
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/* IP protocol by name or number (as bh-sessions writes proto), or -1. */
static int
parse_proto(const char *s)
{
	unsigned long v;

	if (strcmp(s, "tcp") == 0)
		return 6;
	if (strcmp(s, "udp") == 0)
		return 17;
	if (strcmp(s, "icmp") == 0)
		return 1;
	if (strcmp(s, "icmp6") == 0)
		return 58;
	if (bh_parse_uint(s, 255, &v) == -1)
		return -1;
	return (int)v;
}

/* End of the bracket expression that starts at p[i] == '['. */
static size_t
skip_bracket(const char *p, size_t i)
{
	i++;
	if (p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	while (p[i] != '\0' && p[i] != ']') {
		if (p[i] == '[' && (p[i + 1] == ':' || p[i + 1] == '.' ||
		    p[i + 1] == '=')) {
			char k = p[i + 1];

			i += 2;
			while (p[i] != '\0' && !(p[i] == k && p[i + 1] == ']'))
				i++;
			if (p[i] != '\0')
				i += 2;
			continue;
		}
		i++;
	}
	return p[i] == ']' ? i + 1 : i;
}

/*
 * Why the ERE p is refused before regcomp() sees it, or NULL.  POSIX
 * leaves two duplication symbols in a row ("a**", "a+?", "a{2}*")
 * undefined, and glibc's regcomp() takes exponential time on some of
 * them (fuzz/README.md, finding 5); a repeat count above 255 (POSIX's
 * RE_DUP_MAX minimum) is refused for the same reason.
 */
static const char *
ere_refused(const char *p)
{
	size_t i = 0;
	unsigned long n;
	int dup = 0;	/* the previous token was a duplication */

	while (p[i] != '\0') {
		if (p[i] == '\\') {
			i += p[i + 1] != '\0' ? 2 : 1;
			dup = 0;
		} else if (p[i] == '[') {
			i = skip_bracket(p, i);
			dup = 0;
		} else if (p[i] == '*' || p[i] == '+' || p[i] == '?' ||
		    (p[i] == '{' && p[i + 1] >= '0' && p[i + 1] <= '9')) {
			if (dup)
				return "two repetitions in a row (undefined "
				    "in POSIX EREs)";
			dup = 1;
			if (p[i++] != '{')
				continue;
			for (n = 0; p[i] != '\0' && p[i] != '}'; i++) {
				if (p[i] == ',')
					n = 0;
				else if (p[i] >= '0' && p[i] <= '9' &&
				    (n = n * 10 + (unsigned long)(p[i] - '0')) >
				    255)
					return "a repeat count above 255";
			}
			if (p[i] == '}')
				i++;
		} else {
			i++;
			dup = 0;
		}
	}
	return NULL;
}

/* End of the group that starts at p[i] == '('. */
static size_t
skip_group(const char *p, size_t i)
{
	int depth = 0;

	while (p[i] != '\0') {
		if (p[i] == '\\' && p[i + 1] != '\0')
			i += 2;
		else if (p[i] == '[')
			i = skip_bracket(p, i);
		else if (p[i] == '(') {
			depth++;
			i++;
		} else if (p[i] == ')') {
			i++;
			if (--depth == 0)
				break;
		} else
			i++;
	}
	return i;
}

/*
 * A prefilter for a pattern: up to PRE_MAX literal tests that every
 * match passes, tried with strncmp/strstr before regexec, which is far
 * dearer (glibc copies the whole text for REG_ICASE).  A test is a set
 * of literals one of which the text contains (at its start when
 * anchored).  exact: the pattern is one literal, the test is the match.
 */
struct lit {
	char		**alt;
	size_t		  n;
	size_t		  minlen;
	int		  anchored;
};

#define PRE_MAX		4
#define LIT_MAXALT	16

struct prefilter {
	struct lit	  t[PRE_MAX];
	int		  n;
	int		  exact;
};

static void
lit_free(struct lit *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->alt[i]);
	free(l->alt);
	memset(l, 0, sizeof(*l));
}

static size_t
lit_score(const struct lit *l)
{
	return l->minlen + (l->anchored ? 8 : 0);
}

/* Add the test c to pf, which keeps its PRE_MAX most selective tests in
 * order (anchored first, then the longer shortest literal); c is taken
 * over or freed. */
static void
pre_offer(struct prefilter *pf, struct lit *c)
{
	int i, j;

	if (c->n == 0) {
		lit_free(c);
		return;
	}
	for (i = 0; i < pf->n; i++)
		if (lit_score(c) > lit_score(&pf->t[i]))
			break;
	if (i == PRE_MAX) {
		lit_free(c);
		return;
	}
	if (pf->n == PRE_MAX)
		lit_free(&pf->t[--pf->n]);
	for (j = pf->n; j > i; j--)
		pf->t[j] = pf->t[j - 1];
	pf->t[i] = *c;
	pf->n++;
	memset(c, 0, sizeof(*c));
}

/*
 * The alternatives of the group p[from..to) when every one is a plain
 * literal (no operator, GNU \w-style escapes count as operators), into
 * *c; c->n stays 0 when not.
 */
static void
group_literals(const char *p, size_t from, size_t to, struct lit *c)
{
	char *cur = xmalloc(to - from + 1);
	size_t i, len = 0;
	int ok = 1;

	memset(c, 0, sizeof(*c));
	c->alt = xreallocarray(NULL, LIT_MAXALT, sizeof(*c->alt));
	for (i = from; ok && i <= to; i++) {
		if (i == to || p[i] == '|') {
			if (len == 0 || c->n == LIT_MAXALT) {
				ok = 0;
				break;
			}
			cur[len] = '\0';
			c->alt[c->n++] = xstrdup(cur);
			if (c->n == 1 || len < c->minlen)
				c->minlen = len;
			len = 0;
		} else if (p[i] == '\\' && i + 1 < to &&
		    !isalnum((unsigned char)p[i + 1])) {
			cur[len++] = p[++i];
		} else if (strchr("\\()[]{}.*+?^$", p[i]) != NULL)
			ok = 0;
		else
			cur[len++] = p[i];
	}
	free(cur);
	if (!ok)
		lit_free(c);
}

/*
 * Build the prefilter of the ERE p from its top-level literal runs and
 * its top-level groups of literal alternatives.  Leaving a character out
 * is always safe, so anything not plainly literal (a quantified atom, a
 * bracket of more than one character, GNU \w) ends a run; a top-level |
 * gives no prefilter at all.
 */
static void
ere_literal(const char *p, struct prefilter *pf)
{
	size_t n = strlen(p), i, j, len = 0;
	char *run = xmalloc(n + 1);
	struct lit c;
	int run_anchored = 0, runs = 0, other = 0;

	memset(pf, 0, sizeof(*pf));
	for (i = 0; i < n; ) {
		if (p[i] == '\\' && p[i + 1] != '\0')
			i += 2;
		else if (p[i] == '[')
			i = skip_bracket(p, i);
		else if (p[i] == '(')
			i = skip_group(p, i);
		else if (p[i] == '|') {
			free(run);
			return;
		} else
			i++;
	}
	i = 0;
	if (p[0] == '^') {
		run_anchored = 1;
		i = 1;
	}
#define END_RUN() do {							\
	if (len > 0) {							\
		run[len] = '\0';					\
		memset(&c, 0, sizeof(c));				\
		c.alt = xmalloc(sizeof(*c.alt));			\
		c.alt[0] = xstrdup(run);				\
		c.n = 1;						\
		c.minlen = len;						\
		c.anchored = run_anchored;				\
		pre_offer(pf, &c);					\
		runs++;							\
	}								\
	len = 0;							\
	run_anchored = 0;						\
} while (0)
	while (i < n) {
		char ch = p[i];

		if (ch == '\\' && p[i + 1] != '\0') {
			if (isalnum((unsigned char)p[i + 1])) {
				END_RUN();
				other = 1;
			} else
				run[len++] = p[i + 1];
			i += 2;
		} else if (ch == '[' && p[i + 1] != '^' && p[i + 1] != '\0' &&
		    p[i + 2] == ']') {
			/* A bracket of one character ([ ], [?]) is it. */
			run[len++] = p[i + 1];
			i += 3;
		} else if (ch == '[') {
			END_RUN();
			other = 1;
			i = skip_bracket(p, i);
		} else if (ch == '(') {
			int at_start = len == 0 && run_anchored;

			END_RUN();
			other = 1;
			j = skip_group(p, i);
			if (j <= n && j >= i + 2 && p[j - 1] == ')' &&
			    p[j] != '*' && p[j] != '?' && p[j] != '{') {
				group_literals(p, i + 1, j - 1, &c);
				c.anchored = at_start;
				pre_offer(pf, &c);
			}
			i = j;
		} else if (ch == '*' || ch == '?' || ch == '{') {
			if (len > 0)
				len--;
			END_RUN();
			other = 1;
			if (ch == '{')
				while (i < n && p[i] != '}')
					i++;
			i++;
		} else if (ch == '+' || ch == '.' || ch == '^' || ch == '$' ||
		    ch == ')') {
			END_RUN();
			other = 1;
			i++;
		} else {
			run[len++] = ch;
			i++;
		}
	}
	END_RUN();
#undef END_RUN
	pf->exact = runs == 1 && !other && pf->n == 1;
	free(run);
}

/* Patterns by text, side and case, so that a pattern that several rules
 * share (irc and irc-client, ftp and ftp-login) runs once per record. */
static char **pat_texts;
static int *pat_keys;
static int npat_ids;
static unsigned *memo_gen;
static unsigned char *memo_val;
static unsigned memo_now;
/* The heads in lower case for the icase prefilters (per record). */
static char *lower_buf[2];
static size_t lower_cap[2];
static unsigned lower_gen[2];

static int
pattern_id(const char *src, int side, int icase)
{
	int i, key = side * 2 + (icase != 0);

	for (i = 0; i < npat_ids; i++)
		if (pat_keys[i] == key && strcmp(pat_texts[i], src) == 0)
			return i;
	pat_texts = xreallocarray(pat_texts, (size_t)npat_ids + 1,
	    sizeof(*pat_texts));
	pat_keys = xreallocarray(pat_keys, (size_t)npat_ids + 1,
	    sizeof(*pat_keys));
	pat_texts[npat_ids] = xstrdup(src);
	pat_keys[npat_ids] = key;
	return npat_ids++;
}

static void
rule_add_pattern(struct rule *ru, int side, const char *src, const char *file,
    unsigned long line)
{
	struct pat *pt;
	const char *why;
	char msg[256], *c;
	size_t k;
	int e, t;

	ru->pat = xreallocarray(ru->pat, ru->npat + 1, sizeof(*ru->pat));
	pt = &ru->pat[ru->npat];
	memset(pt, 0, sizeof(*pt));
	pt->side = side;
	pt->src = xstrdup(src);
	if ((why = ere_refused(src)) != NULL)
		rules_fail(file, line, "rule %s: bad pattern '%s': %s",
		    ru->name, src, why);
	e = regcomp(&pt->re, src, REG_EXTENDED | REG_NOSUB |
	    ((ru->flags & F_ICASE) ? REG_ICASE : 0));
	if (e != 0) {
		regerror(e, &pt->re, msg, sizeof(msg));
		rules_fail(file, line, "rule %s: bad pattern '%s': %s",
		    ru->name, src, msg);
	}
	pt->pre = xmalloc(sizeof(*pt->pre));
	ere_literal(src, pt->pre);
	if (ru->flags & F_ICASE)
		for (t = 0; t < pt->pre->n; t++)
			for (k = 0; k < pt->pre->t[t].n; k++)
				for (c = pt->pre->t[t].alt[k]; *c != '\0'; c++)
					*c = (char)tolower((unsigned char)*c);
	pt->id = pattern_id(src, side, ru->flags & F_ICASE);
	ru->npat++;
	ru->need |= side == SIDE_ORIG ? HEAD_ORIG : HEAD_RESP;
}

static struct rule *
find_rule(struct rule **v, size_t n, const char *name, size_t *at)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i]->name, name) == 0) {
			if (at != NULL)
				*at = i;
			return v[i];
		}
	return NULL;
}

/*
 * Parse the rules text (len bytes) of file into *v (*n rules): one rule
 * line is `name phase app proto ports side flags pattern`; consecutive
 * lines with the same name add patterns to one rule.  Any error is
 * reported as file:line and exits 2.
 */
static void
rules_parse(const char *text, size_t len, const char *file,
    struct rule ***v, size_t *n)
{
	const char *p = text, *end = text + len, *nl;
	char *line = NULL, *tok[8], *s, *doc = NULL;
	size_t linecap = 0, ll, doclen = 0, k;
	unsigned long lineno = 0;
	struct rule *ru, *prev = NULL;
	int side, flags, linker, phase, proto;
	unsigned char *ports;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		ll = (size_t)((nl != NULL ? nl : end) - p);
		if (memchr(p, '\0', ll) != NULL)
			rules_fail(file, lineno, "NUL byte in rules file");
		if (ll + 1 > linecap) {
			linecap = ll + 1;
			line = xrealloc(line, linecap);
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p += ll + (nl != NULL);
		while (ll > 0 && (line[ll - 1] == ' ' || line[ll - 1] == '\t' ||
		    line[ll - 1] == '\r'))
			line[--ll] = '\0';
		s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#') {
			doc = xrealloc(doc, doclen + ll + 2);
			memcpy(doc + doclen, line, ll);
			doclen += ll;
			doc[doclen++] = '\n';
			doc[doclen] = '\0';
			continue;
		}
		for (k = 0; k < 7; k++) {
			tok[k] = s;
			s += strcspn(s, " \t");
			if (*s == '\0')
				rules_fail(file, lineno, "expected 8 columns: "
				    "name phase app proto ports side flags "
				    "pattern");
			*s++ = '\0';
			s += strspn(s, " \t");
		}
		tok[7] = s;
		if (!is_name(tok[0]))
			rules_fail(file, lineno, "bad rule name '%s' "
			    "([a-z0-9][a-z0-9_.-]*)", tok[0]);
		for (phase = 0; phase < PH_COUNT; phase++)
			if (strcmp(tok[1], phase_names[phase]) == 0)
				break;
		if (phase == PH_COUNT)
			rules_fail(file, lineno, "rule %s: bad phase '%s' "
			    "(scan infection download cnc attack)", tok[0],
			    tok[1]);
		if (!is_name(tok[2]))
			rules_fail(file, lineno, "rule %s: bad app '%s'",
			    tok[0], tok[2]);
		proto = strcmp(tok[3], "*") == 0 ? -1 : parse_proto(tok[3]);
		if (proto == -1 && strcmp(tok[3], "*") != 0)
			rules_fail(file, lineno, "rule %s: bad proto '%s' "
			    "(tcp udp icmp icmp6 0-255 *)", tok[0], tok[3]);
		if (parse_ports(tok[4], &ports) == -1) {
			free(ports);
			rules_fail(file, lineno, "rule %s: bad ports '%s' "
			    "(* or a list of N and N-M)", tok[0], tok[4]);
		}
		if (strcmp(tok[5], "orig") == 0)
			side = SIDE_ORIG;
		else if (strcmp(tok[5], "resp") == 0)
			side = SIDE_RESP;
		else if (strcmp(tok[5], "link") == 0)
			side = SIDE_LINK;
		else if (strcmp(tok[5], "-") == 0)
			side = SIDE_NONE;
		else
			rules_fail(file, lineno, "rule %s: bad side '%s' "
			    "(orig resp link -)", tok[0], tok[5]);
		flags = 0;
		if (strcmp(tok[6], "-") != 0)
			for (s = tok[6]; *s != '\0'; s++) {
				int f = *s == 'e' ? F_EMPTY : *s == 'i' ?
				    F_ICASE : *s == 'r' ? F_REMOTE : 0;

				if (f == 0 || (flags & f))
					rules_fail(file, lineno, "rule %s: bad "
					    "flags '%s' (- or letters of eir)",
					    tok[0], tok[6]);
				flags |= f;
			}
		linker = LK_NONE;
		if (side == SIDE_NONE && strcmp(tok[7], "-") != 0)
			rules_fail(file, lineno, "rule %s: side - takes no "
			    "pattern (write -)", tok[0]);
		if ((side == SIDE_ORIG || side == SIDE_RESP) &&
		    strcmp(tok[7], "-") == 0)
			rules_fail(file, lineno, "rule %s: side %s needs a "
			    "pattern", tok[0], tok[5]);
		if (side == SIDE_LINK) {
			for (linker = 1; linker < LK_COUNT; linker++)
				if (strcmp(tok[7], linker_names[linker]) == 0)
					break;
			if (linker == LK_COUNT)
				rules_fail(file, lineno, "rule %s: bad link "
				    "'%s' (ftp-port ftp-pasv ftp-20 ftp-pair "
				    "tftp)",
				    tok[0], tok[7]);
		}

		if (prev != NULL && strcmp(prev->name, tok[0]) == 0) {
			/* Another pattern of the rule on the line before. */
			free(ports);
			if (prev->phase != phase ||
			    strcmp(prev->app, tok[2]) != 0 ||
			    strcmp(prev->proto_s, tok[3]) != 0 ||
			    strcmp(prev->ports_s, tok[4]) != 0 ||
			    strcmp(prev->flags_s, tok[6]) != 0)
				rules_fail(file, lineno, "rule %s: phase, app, "
				    "proto, ports and flags differ from line "
				    "%lu", tok[0], prev->line);
			if (side == SIDE_NONE || side == SIDE_LINK ||
			    prev->side == SIDE_NONE || prev->side == SIDE_LINK)
				rules_fail(file, lineno, "rule %s: a rule with "
				    "side - or link has one line", tok[0]);
			rule_add_pattern(prev, side, tok[7], file, lineno);
			continue;
		}
		if (find_rule(*v, *n, tok[0], &k) != NULL)
			rules_fail(file, lineno, "rule %s: its lines must be "
			    "together (first at line %lu)", tok[0],
			    (*v)[k]->line);
		ru = xcalloc(1, sizeof(*ru));
		ru->name = xstrdup(tok[0]);
		ru->phase = phase;
		ru->app = xstrdup(tok[2]);
		ru->proto_s = xstrdup(tok[3]);
		ru->proto = proto;
		ru->ports_s = xstrdup(tok[4]);
		ru->ports = ports;
		ru->side = side;
		ru->flags_s = xstrdup(tok[6]);
		ru->flags = flags;
		ru->linker = linker;
		ru->doc = doc;
		doc = NULL;
		doclen = 0;
		ru->file = xstrdup(file);
		ru->line = lineno;
		if (side == SIDE_ORIG || side == SIDE_RESP)
			rule_add_pattern(ru, side, tok[7], file, lineno);
		all_rules = xreallocarray(all_rules, nall_rules + 1,
		    sizeof(*all_rules));
		all_rules[nall_rules++] = ru;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = ru;
		prev = ru;
	}
	free(doc);
	free(line);
}

/* Read a whole rules file; exits 2 when it cannot. */
static char *
read_file(const char *fn, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if ((fp = fopen(fn, "r")) == NULL)
		bh_err(BH_EXIT_FATAL, "%s", fn);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap * 2 + 4096;
			buf = xrealloc(buf, cap);
		}
		k = fread(buf + n, 1, cap - n, fp);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(fp))
		bh_err(BH_EXIT_FATAL, "%s", fn);
	fclose(fp);
	*len = n;
	return buf;
}

/*
 * Put the rule set in force together: the built-in rules (unless
 * no_builtin), then each -r file in order.  A rule whose name is already
 * there replaces it in place; a new one goes before all built-in rules,
 * after the new rules of earlier files.
 */
static void
rules_load(int no_builtin, char **files, int nfiles)
{
	struct rule **b = NULL, **u = NULL, **t;
	size_t nb = 0, nu = 0, nt, i, j, at;
	char *text;
	size_t len;
	int f;

	if (!no_builtin) {
		for (len = 0, i = 0; default_rules[i] != NULL; i++)
			len += strlen(default_rules[i]);
		text = xmalloc(len + 1);
		for (len = 0, i = 0; default_rules[i] != NULL; i++) {
			memcpy(text + len, default_rules[i],
			    strlen(default_rules[i]));
			len += strlen(default_rules[i]);
		}
		rules_parse(text, len, "(built-in)", &b, &nb);
		free(text);
	}
	for (f = 0; f < nfiles; f++) {
		t = NULL;
		nt = 0;
		text = read_file(files[f], &len);
		rules_parse(text, len, files[f], &t, &nt);
		free(text);
		for (i = 0; i < nt; i++) {
			if (find_rule(u, nu, t[i]->name, &at) != NULL)
				u[at] = t[i];
			else {
				u = xreallocarray(u, nu + 1, sizeof(*u));
				u[nu++] = t[i];
			}
		}
		free(t);
	}
	rules = xreallocarray(NULL, nb + nu + 1, sizeof(*rules));
	nrules = 0;
	for (i = 0; i < nu; i++)
		if (find_rule(b, nb, u[i]->name, NULL) == NULL)
			rules[nrules++] = u[i];
	for (i = 0; i < nb; i++)
		rules[nrules++] = find_rule(u, nu, b[i]->name, &j) != NULL ?
		    u[j] : b[i];
	free(b);
	free(u);
	memo_gen = xcalloc((size_t)npat_ids + 1, sizeof(*memo_gen));
	memo_val = xcalloc((size_t)npat_ids + 1, sizeof(*memo_val));
	for (i = 0; i < nrules; i++) {
		if (rules[i]->linker != LK_NONE && first_link < 0)
			first_link = (int)i;
		if (rules[i]->linker == LK_TFTP)
			have_tftp_links = 1;
		else if (rules[i]->linker != LK_NONE)
			have_ftp_links = 1;
	}
}

static void
rules_print(void)
{
	size_t i, k;
	const struct rule *ru;

	for (i = 0; i < nrules; i++) {
		ru = rules[i];
		if (ru->doc != NULL)
			fputs(ru->doc, stdout);
		for (k = 0; k < (ru->npat > 0 ? ru->npat : 1); k++)
			printf("%-14s %-9s %-9s %-5s %-6s %-5s %-2s %s\n",
			    ru->name, phase_names[ru->phase], ru->app,
			    ru->proto_s, ru->ports_s,
			    ru->npat > 0 ? (ru->pat[k].side == SIDE_ORIG ?
			    "orig" : "resp") : ru->side == SIDE_LINK ? "link" :
			    "-", ru->flags_s,
			    ru->npat > 0 ? ru->pat[k].src :
			    linker_names[ru->linker]);
	}
}

static void
rules_free(void)
{
	size_t i, k;
	struct rule *ru;
	int t;

	for (i = 0; i < nall_rules; i++) {
		ru = all_rules[i];
		for (k = 0; k < ru->npat; k++) {
			regfree(&ru->pat[k].re);
			free(ru->pat[k].src);
			for (t = 0; t < ru->pat[k].pre->n; t++)
				lit_free(&ru->pat[k].pre->t[t]);
			free(ru->pat[k].pre);
		}
		free(ru->pat);
		free(ru->name);
		free(ru->app);
		free(ru->proto_s);
		free(ru->ports_s);
		free(ru->flags_s);
		free(ru->ports);
		free(ru->doc);
		free(ru->file);
		free(ru);
	}
	free(all_rules);
	free(rules);
	for (i = 0; i < (size_t)npat_ids; i++)
		free(pat_texts[i]);
	free(pat_texts);
	free(pat_keys);
	free(memo_gen);
	free(memo_val);
	free(lower_buf[0]);
	free(lower_buf[1]);
}

/* ---- matching ------------------------------------------------------- */

/* The head of a side in lower case, made once per record when a
 * case-insensitive prefilter first needs it. */

/* dst = src[0..n) with A-Z in lower case (the C locale's tolower(), 16
 * bytes at a time with SSE2: this ran over every head byte of every TCP
 * record that an IRC rule looked at). */
static void
lower_ascii(char *dst, const char *src, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i a1 = _mm_set1_epi8('A' - 1), z1 = _mm_set1_epi8('Z' + 1);
	const __m128i bit = _mm_set1_epi8(0x20);
	__m128i v, up;

	for (; i + 16 <= n; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
		/* signed compares: bytes >= 0x80 are below 'A' */
		up = _mm_and_si128(_mm_cmpgt_epi8(v, a1), _mm_cmplt_epi8(v, z1));
		_mm_storeu_si128((__m128i *)(void *)(dst + i),
		    _mm_or_si128(v, _mm_and_si128(up, bit)));
	}
#endif
	for (; i < n; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] + 32 :
		    src[i]);
}

static const char *
lower_head(int side, const char *head)
{
	size_t n = strlen(head) + 1;

	if (lower_gen[side] == memo_now)
		return lower_buf[side];
	if (n > lower_cap[side]) {
		lower_cap[side] = n;
		lower_buf[side] = xrealloc(lower_buf[side], n);
	}
	lower_ascii(lower_buf[side], head, n);
	lower_gen[side] = memo_now;
	return lower_buf[side];
}

/* Whether one of the test's literals is in head (at its start when
 * anchored); icase literals are in lower case already. */
static int
lit_pass(const struct lit *l, int side, const char *head, int icase)
{
	size_t k;

	if (icase && !l->anchored)
		head = lower_head(side, head);
	for (k = 0; k < l->n; k++) {
		if (l->anchored) {
			if ((icase ? strncasecmp(head, l->alt[k],
			    strlen(l->alt[k])) : strncmp(head, l->alt[k],
			    strlen(l->alt[k]))) == 0)
				return 1;
		} else if (strstr(head, l->alt[k]) != NULL)
			return 1;
	}
	return 0;
}

/* Whether pattern pt matches head, remembered for the current record. */
static int
pat_match(const struct rule *ru, const struct pat *pt, const char *head)
{
	int m, t;

	if (memo_gen[pt->id] == memo_now)
		return memo_val[pt->id];
	for (t = 0, m = 1; m && t < pt->pre->n; t++)
		m = lit_pass(&pt->pre->t[t], pt->side == SIDE_RESP, head,
		    ru->flags & F_ICASE);
	if (m && !pt->pre->exact)
		m = regexec(&pt->re, head, 0, NULL, 0) == 0;
	memo_gen[pt->id] = memo_now;
	memo_val[pt->id] = (unsigned char)m;
	return m;
}

/* Whether the proto, ports and flag e of rule ru admit the record. */
static int
rule_gate(const struct rule *ru, const struct rec *rc)
{
	int port;

	if (ru->proto >= 0 && ru->proto != rc->proto)
		return 0;
	if (ru->ports != NULL) {
		port = (ru->flags & F_REMOTE) ? rc->oport : rc->rport;
		if (port < 0 || !(ru->ports[port >> 3] & (1 << (port & 7))))
			return 0;
	}
	if ((ru->flags & F_EMPTY) && !rc->empty)
		return 0;
	return 1;
}

/* Index of the first rule (not a link rule) that matches, or -1. */
static int
classify(const struct rec *rc)
{
	size_t i, k;
	const struct rule *ru;

	if (++memo_now == 0) {
		memset(memo_gen, 0, (size_t)npat_ids * sizeof(*memo_gen));
		memo_now = 1;
	}
	for (i = 0; i < nrules; i++) {
		ru = rules[i];
		if (ru->linker != LK_NONE || (ru->need & ~rc->headmask) != 0 ||
		    !rule_gate(ru, rc))
			continue;
		for (k = 0; k < ru->npat; k++)
			if (!pat_match(ru, &ru->pat[k],
			    rc->head[ru->pat[k].side == SIDE_RESP]))
				break;
		if (k == ru->npat)
			return (int)i;
	}
	return -1;
}

/* The phase of rule i for a session whose input dir is dir: an inbound
 * phase (scan, infection) of a session the local host opened is an
 * attack (BotHunter's outbound scan/exploit, E5). */
static int
phase_of(int i, int dir)
{
	int ph = rules[i]->phase;

	if ((ph == PH_SCAN || ph == PH_INFECTION) && dir == D_OUT)
		return PH_ATTACK;
	return ph;
}

/* dir to write when the input's is `-`: from the phase, the originator
 * taken as local (flag r: as remote); -1 to keep the input's. */
static int
dirfill_of(int i, int dir)
{
	int in;

	if (dir != D_UNSET)
		return -1;
	in = rules[i]->phase == PH_SCAN || rules[i]->phase == PH_INFECTION;
	if (rules[i]->flags & F_REMOTE)
		in = !in;
	return in ? D_IN : D_OUT;
}

/* ---- linking ---------------------------------------------------------- */

static void
parse_ip(const char *s, struct ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1)
		ip->fam = 4;
	else if (inet_pton(AF_INET6, s, ip->a) == 1)
		ip->fam = 6;
}

static int
ip_eq(const struct ip *a, const struct ip *b)
{
	return a->fam != 0 && a->fam == b->fam &&
	    memcmp(a->a, b->a, a->fam == 4 ? 4 : 16) == 0;
}

/* Parse n comma-separated numbers (each <= 255) at s; returns the length
 * used, or 0. */
static size_t
parse_commas(const char *s, int n, int *v)
{
	const char *p = s;
	int i, k;

	for (i = 0; i < n; i++) {
		if (i > 0) {
			if (*p != ',')
				return 0;
			p++;
		}
		if (!isdigit((unsigned char)*p))
			return 0;
		for (v[i] = 0, k = 0; isdigit((unsigned char)*p) && k < 4;
		    p++, k++)
			v[i] = v[i] * 10 + (*p - '0');
		if (v[i] > 255 || isdigit((unsigned char)*p))
			return 0;
	}
	return (size_t)(p - s);
}

/* h1,h2,h3,h4,p1,p2 (RFC 959 PORT and 227) into ep. */
static int
parse_hostport(const char *s, struct ep *ep)
{
	int v[6];

	if (parse_commas(s, 6, v) == 0)
		return 0;
	ep->has_ip = 1;
	ep->ip.fam = 4;
	memset(ep->ip.a, 0, sizeof(ep->ip.a));
	ep->ip.a[0] = (unsigned char)v[0];
	ep->ip.a[1] = (unsigned char)v[1];
	ep->ip.a[2] = (unsigned char)v[2];
	ep->ip.a[3] = (unsigned char)v[3];
	ep->port = v[4] * 256 + v[5];
	return ep->port > 0;
}

/* <d>proto<d>addr<d>port<d> (RFC 2428 EPRT) or (<d><d><d>port<d>) (229);
 * with_addr chooses.  The delimiter is any printable character. */
static int
parse_ext(const char *s, int with_addr, struct ep *ep)
{
	char d = *s, addr[64];
	const char *p = s + 1, *e;
	unsigned long port = 0;

	if (d <= ' ' || d > '~' || isdigit((unsigned char)d) || d == '\\')
		return 0;
	memset(ep, 0, sizeof(*ep));
	if (with_addr) {
		if ((p[0] != '1' && p[0] != '2') || p[1] != d)
			return 0;
		p += 2;
		if ((e = strchr(p, d)) == NULL || (size_t)(e - p) >= sizeof(addr))
			return 0;
		memcpy(addr, p, (size_t)(e - p));
		addr[e - p] = '\0';
		parse_ip(addr, &ep->ip);
		ep->has_ip = ep->ip.fam != 0;
		p = e + 1;
	} else {
		if (p[0] != d || p[1] != d)
			return 0;
		p += 2;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p) && port <= 65535)
		port = port * 10 + (unsigned long)(*p++ - '0');
	if (*p != d || port == 0 || port > 65535)
		return 0;
	ep->port = (int)port;
	return 1;
}

/*
 * Collect the data addresses of an FTP control session from its escaped
 * heads: PORT and EPRT commands of the client (active mode), 227 and 229
 * replies of the server (passive mode; a 229 names only the port, the
 * host is the server).  Lines are found after each escaped \n.
 */
static void
ftp_addresses(struct ctl *c, const char *ohead, const char *rhead)
{
	const char *p, *s;
	struct ep ep;

	for (p = ohead; p != NULL && *p != '\0'; ) {
		if (c->nact < NEP) {
			if (strncasecmp(p, "PORT ", 5) == 0 &&
			    parse_hostport(p + 5 + strspn(p + 5, " "), &ep))
				c->act[c->nact++] = ep;
			else if (strncasecmp(p, "EPRT ", 5) == 0 &&
			    parse_ext(p + 5 + strspn(p + 5, " "), 1, &ep))
				c->act[c->nact++] = ep;
		}
		if ((p = strstr(p, "\\n")) != NULL)
			p += 2;
	}
	for (p = rhead; p != NULL && *p != '\0'; ) {
		if (c->npas < NEP && strncmp(p, "227", 3) == 0) {
			for (s = p + 3; *s != '\0' && *s != '\\'; s++)
				if (isdigit((unsigned char)*s) &&
				    parse_hostport(s, &ep)) {
					c->pas[c->npas++] = ep;
					break;
				}
		} else if (c->npas < NEP && strncmp(p, "229", 3) == 0) {
			for (s = p + 3; *s != '\0' && *s != '\\'; s++)
				if (*s == '(' && parse_ext(s + 1, 0, &ep)) {
					c->pas[c->npas++] = ep;
					break;
				}
		}
		if ((p = strstr(p, "\\n")) != NULL)
			p += 2;
	}
}

static struct slot *
slot_at(uint64_t seq)
{
	uint64_t first = qseq - qcount;

	if (seq < first || seq >= qseq)
		return NULL;
	return &q[(qhead + (size_t)(seq - first)) % qcap];
}

static const char *
slot_field(const struct slot *s, int c)
{
	return s->buf + s->off[c];
}

static void
set_link(struct slot *s, const char *flow)
{
	size_t n = strlen(flow) + 1;

	if (n > s->linkcap) {
		s->linkcap = n;
		s->link = xrealloc(s->link, n);
	}
	memcpy(s->link, flow, n);
}

/* Which kind of link joins control c and the data candidate d, or 0;
 * only the exact kinds unless weak. */
static int
ctl_match(const struct ctl *c, const struct slot *d, int weak)
{
	int i;

	if (c->has_ts && d->has_ts &&
	    (d->ts < c->ts || d->ts > c->end + LINK_SLACK_US))
		return LK_NONE;
	if (c->kind == LK_TFTP) {
		if (d->proto != 17)
			return LK_NONE;
		if (ip_eq(&d->oip, &c->srv) && ip_eq(&d->rip, &c->cli) &&
		    d->rport == c->cport && d->oport != c->sport && d->tftp[0])
			return LK_TFTP;
		if (ip_eq(&d->oip, &c->cli) && d->oport == c->cport &&
		    ip_eq(&d->rip, &c->srv) && d->rport != c->sport &&
		    d->tftp[1])
			return LK_TFTP;
		return LK_NONE;
	}
	if (d->proto != 6)
		return LK_NONE;
	for (i = 0; i < c->nact; i++)
		if (d->rport == c->act[i].port && ip_eq(&d->oip, &c->srv) &&
		    (ip_eq(&d->rip, &c->cli) || (c->act[i].has_ip &&
		    ip_eq(&d->rip, &c->act[i].ip))))
			return LK_FTP_PORT;
	for (i = 0; i < c->npas; i++)
		if (d->rport == c->pas[i].port && ip_eq(&d->oip, &c->cli) &&
		    (ip_eq(&d->rip, &c->srv) || (c->pas[i].has_ip &&
		    ip_eq(&d->rip, &c->pas[i].ip))))
			return LK_FTP_PASV;
	if (!weak)
		return LK_NONE;
	if (d->oport == 20 && ip_eq(&d->oip, &c->srv) &&
	    ip_eq(&d->rip, &c->cli))
		return LK_FTP_20;
	/* The PORT/227 line was past the head: any session between the two
	 * hosts on unprivileged ports while the control lasts. */
	if (d->oport >= 1024 && d->rport >= 1024 && c->has_ts && d->has_ts &&
	    ((ip_eq(&d->oip, &c->cli) && ip_eq(&d->rip, &c->srv)) ||
	    (ip_eq(&d->oip, &c->srv) && ip_eq(&d->rip, &c->cli))))
		return LK_FTP_PAIR;
	return LK_NONE;
}

/* Whether a kind of link names the data session's address exactly (a
 * PORT, EPRT, 227, 229 or TFTP request), not by a guess (port 20, the
 * same two hosts). */
static int
link_exact(int kind)
{
	return kind == LK_FTP_PORT || kind == LK_FTP_PASV || kind == LK_TFTP;
}

/*
 * Which kind of link joins control c and the data candidate d (only the
 * exact kinds unless weak), when a link rule of that kind admits d (its
 * index into *rule); LK_NONE when they do not match or no link rule
 * admits d.
 */
static int
link_kind(const struct ctl *c, const struct slot *d, int weak, int *rule)
{
	struct rec rc;
	size_t i;
	int kind;

	if ((kind = ctl_match(c, d, weak)) == LK_NONE)
		return LK_NONE;
	memset(&rc, 0, sizeof(rc));
	rc.proto = d->proto;
	rc.oport = d->oport;
	rc.rport = d->rport;
	for (i = 0; i < nrules; i++)
		if (rules[i]->linker == kind && rule_gate(rules[i], &rc))
			break;
	if (i == nrules)
		return LK_NONE;
	*rule = (int)i;
	return kind;
}

/* The remembered control session of slot seq (ctls is in seq order), or
 * NULL when it has been forgotten. */
static struct ctl *
ctl_find(uint64_t seq)
{
	struct ctl *c;
	size_t lo = 0, hi = nctl, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = &ctls[(ctlhead + mid) % NCTL];
		if (c->seq == seq)
			return c;
		if (c->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Forget the weak candidates of the data slot d. */
static void
drop_cands(struct slot *d)
{
	struct ctl *c;
	int i;

	for (i = 0; i < d->ncand; i++)
		if ((c = ctl_find(d->cand[i])) != NULL)
			c->npend--;
	d->ncand = 0;
}

/*
 * Link control c and the data slot d by a link of kind, whose link rule
 * is rule; final.  The data session takes the link rule's label unless a
 * rule before it labelled it already; its dir, when `-`, says where the
 * control's client (the local host) is.  The control's link names its
 * first data session, or the first that carried an MZ.
 */
static void
make_link(struct ctl *c, struct slot *d, int kind, int rule)
{
	struct slot *cs;

	drop_cands(d);
	set_link(d, c->flow);
	d->linked = 1;
	d->hold = 0;
	if (d->rule < 0 || rule < d->rule) {
		d->rule = rule;
		d->phase = phase_of(rule, d->dir);
		d->dirfill = d->dir != D_UNSET ? -1 :
		    ip_eq(&d->rip, &c->cli) ? D_IN : D_OUT;
	}
	if (link_exact(kind))
		c->nexact++;
	else
		c->nweak++;
	if ((cs = slot_at(c->seq)) != NULL &&
	    (cs->link[0] == '\0' || (!cs->link_mz && d->mz))) {
		set_link(cs, slot_field(d, col.flow));
		cs->link_mz = d->mz;
	}
}

/*
 * Offer the unlinked data slot d to control c.  When c names d exactly
 * they are linked at once.  When c names it only by a guess (port 20,
 * the same two hosts), c becomes one of d's candidates and d stays held:
 * the control that names it exactly may still come (records come when
 * sessions end, and two control sessions to one server overlap), and
 * resolve() decides later.  Returns 1 when linked.
 */
static int
offer(struct ctl *c, struct slot *d)
{
	int kind, rule;

	if ((kind = link_kind(c, d, d->ncand < NCAND, &rule)) == LK_NONE)
		return 0;
	if (link_exact(kind)) {
		make_link(c, d, kind, rule);
		return 1;
	}
	if (d->ncand < NCAND) {
		d->cand[d->ncand++] = c->seq;
		if (c->npend++ == 0 || d->seq < c->pend_lo)
			c->pend_lo = d->seq;
	}
	return 0;
}

/*
 * The fallback for a data slot d that no control named exactly: link it
 * to the best of its weak candidates, which is one with no data session
 * yet, else one with only weakly linked ones, else one that has its own
 * data by PORT or 227 already; the first to come among equals.  Called
 * when d is written or one of its candidates is about to be.
 */
static void
resolve(struct slot *d)
{
	struct ctl *c, *best = NULL;
	int i, kind, rule, score, bkind = LK_NONE, brule = -1, bscore = 3;

	for (i = 0; i < d->ncand; i++) {
		if ((c = ctl_find(d->cand[i])) == NULL ||
		    (kind = link_kind(c, d, 1, &rule)) == LK_NONE)
			continue;
		score = c->nexact > 0 ? 2 : c->nweak > 0 ? 1 : 0;
		if (score < bscore) {
			best = c;
			bkind = kind;
			brule = rule;
			bscore = score;
		}
	}
	if (best != NULL)
		make_link(best, d, bkind, brule);
	else
		drop_cands(d);
}

/* Control c is about to be written or forgotten: settle the held data
 * sessions that have it as a candidate, so that its link is final.  The
 * search starts at the first of them and stops at the last. */
static void
ctl_retire(struct ctl *c)
{
	struct slot *d;
	uint64_t first = qseq - qcount;
	size_t i;
	int k;

	i = c->npend > 0 && c->pend_lo > first ? (size_t)(c->pend_lo - first) :
	    0;
	for (; c->npend > 0 && i < qcount; i++) {
		d = &q[(qhead + i) % qcap];
		if (d->linked)
			continue;
		for (k = 0; k < d->ncand; k++)
			if (d->cand[k] == c->seq) {
				resolve(d);
				break;
			}
	}
}

static int
ctl_live(const struct ctl *c)
{
	return !(c->has_ts && clock_set && clock_us - c->end > window_us);
}

/* A data candidate has arrived: the first live control that names it
 * exactly, else the live controls that name it weakly, as candidates. */
static void
link_data(struct slot *d)
{
	size_t i;

	for (i = 0; i < nctl; i++) {
		struct ctl *c = &ctls[(ctlhead + i) % NCTL];

		if (ctl_live(c) && offer(c, d))
			return;
	}
}

/* A control session has arrived in slot s: remember it (settling the
 * data of the controls it pushes out), and offer it the held data
 * candidates. */
static void
add_control(struct slot *s, int kind, const struct rec *rc)
{
	struct ctl *c;
	struct slot *d;
	size_t i, n;

	while (nctl > 0 && (!ctl_live(&ctls[ctlhead]) || nctl == NCTL)) {
		ctl_retire(&ctls[ctlhead]);
		ctlhead = (ctlhead + 1) % NCTL;
		nctl--;
	}
	c = &ctls[(ctlhead + nctl++) % NCTL];
	c->seq = s->seq;
	c->kind = kind;
	c->cli = s->oip;
	c->srv = s->rip;
	c->cport = s->oport;
	c->sport = s->rport;
	c->has_ts = rc->has_ts;
	c->ts = rc->ts;
	c->end = rc->end;
	c->nact = c->npas = 0;
	c->nexact = c->nweak = c->npend = 0;
	n = strlen(slot_field(s, col.flow)) + 1;
	if (n > c->flowcap) {
		c->flowcap = n;
		c->flow = xrealloc(c->flow, n);
	}
	memcpy(c->flow, slot_field(s, col.flow), n);
	if (kind != LK_TFTP)
		ftp_addresses(c, rc->head[0], rc->head[1]);
	for (i = 0; i < qcount; i++) {
		d = &q[(qhead + i) % qcap];
		if (d->data && !d->linked)
			offer(c, d);
	}
}

/* ---- the queue ---------------------------------------------------- */

static struct slot *
q_push(void)
{
	struct slot *nq, *s;
	size_t i, ncap;

	if (qcount == qcap) {
		ncap = qcap == 0 ? 64 : qcap * 2;
		if (ncap > maxhold + 1)
			ncap = maxhold + 1 > qcap ? maxhold + 1 : qcap + 1;
		nq = xcalloc(ncap, sizeof(*nq));
		for (i = 0; i < qcap; i++)
			nq[i] = q[(qhead + i) % qcap];
		free(q);
		q = nq;
		qcap = ncap;
		qhead = 0;
	}
	s = &q[(qhead + qcount++) % qcap];
	s->seq = qseq++;
	s->pend_off = pw.olen;
	s->pend_n = pend_in;
	s->data = s->ctl = s->linked = s->ncand = 0;
	return s;
}

/* Room for n bytes in the slot's buffer, grown in powers of two so that
 * the slots soon stop growing (no allocation per record then). */
static void
slot_room(struct slot *s, size_t n)
{
	size_t cap = s->cap > 0 ? s->cap : 256;

	if (n <= s->cap)
		return;
	while (cap < n)
		cap *= 2;
	s->cap = cap;
	s->buf = xrealloc(s->buf, cap);
}

static void
slot_copy(struct slot *s, const struct bh_reader *r)
{
	size_t i;

	slot_room(s, r->linelen + 1);
	memcpy(s->buf, r->line, r->linelen + 1);
	s->len = r->linelen;
	if (s->off == NULL)
		s->off = xreallocarray(NULL, r->ncol + 1, sizeof(*s->off));
	for (i = 0; i < r->ncol; i++)
		s->off[i] = (size_t)(r->f[i] - r->line);
	if (s->link == NULL) {
		s->linkcap = 16;
		s->link = xmalloc(s->linkcap);
	}
	s->link[0] = '\0';
	s->link_mz = 0;
	s->linked = 0;
}

static const char *const dir_names[] = { NULL, "-", "in", "out", NULL };

static void
write_fields(struct bh_writer *w, struct bh_reader *r, int rule, int phase,
    int dirfill, const char *link)
{
	const char *val[5];

	if (rule >= 0) {
		val[0] = phase_names[phase];
		val[1] = rules[rule]->app;
		val[2] = rules[rule]->name;
		val[3] = link != NULL && link[0] != '\0' ? link : NULL;
	} else
		val[0] = val[1] = val[2] = val[3] = NULL;
	if (col.dir >= 0)
		val[4] = dirfill >= 0 ? dir_names[dirfill] : r->f[col.dir];
	bh_wr_record(w, r, val);
}

/* Lines held in all: the held records and the lines behind them. */
static uint64_t
q_lines(void)
{
	return qcount + (pend_in - pend_out);
}

/* The pending buffer, for one more line behind a held record; what is
 * out is dropped first when that is most of it (the slots' offsets move
 * with it). */
static struct bh_writer *
pw_next(void)
{
	size_t i;

	if (pw_done >= 1024 * 1024 && pw_done * 2 >= pw.olen) {
		memmove(pw.obuf, pw.obuf + pw_done, pw.olen - pw_done);
		pw.olen -= pw_done;
		for (i = 0; i < qcount; i++)
			q[(qhead + i) % qcap].pend_off -= pw_done;
		pw_done = 0;
	}
	pend_in++;
	return &pw;
}

/* Write the pending lines up to byte off, which ends line n. */
static void
pw_out(struct bh_writer *w, size_t off, uint64_t n)
{
	bh_wr_raw(w, pw.obuf + pw_done, off - pw_done);
	pw_done = off;
	pend_out = n;
}

/* Write the slot at the head of the queue and drop it; its link, and
 * the links of the data sessions that may name it, are settled first. */
static void
q_pop_write(struct bh_writer *w, const struct bh_reader *r, char **fbuf)
{
	struct slot *s = &q[qhead];
	struct bh_reader fr;
	struct ctl *c;
	size_t i;

	if (s->ctl && (c = ctl_find(s->seq)) != NULL)
		ctl_retire(c);
	else if (s->ncand > 0)
		resolve(s);
	fr = *r;
	for (i = 0; i < r->ncol; i++)
		fbuf[i] = s->buf + s->off[i];
	fr.f = fbuf;
	fr.line = s->buf;
	fr.linelen = s->len;
	write_fields(w, &fr, s->rule, s->phase, s->dirfill, s->link);
	qhead = (qhead + 1) % qcap;
	qcount--;
}

/* Write the queue's head records that need not wait any longer, and the
 * pending lines before the first that must. */
static void
q_release(struct bh_writer *w, const struct bh_reader *r, char **fbuf,
    int all)
{
	const struct slot *s;

	while (qcount > 0) {
		s = &q[qhead];
		pw_out(w, s->pend_off, s->pend_n);
		if (!all && s->hold && q_lines() <= maxhold &&
		    !(s->has_end && clock_set && clock_us - s->end > window_us))
			break;
		q_pop_write(w, r, fbuf);
	}
	if (qcount == 0) {
		pw_out(w, pw.olen, pend_in);
		pw.olen = pw_done = 0;
	}
}

static void
q_free(void)
{
	size_t i;

	for (i = 0; i < qcap; i++) {
		free(q[i].buf);
		free(q[i].off);
		free(q[i].link);
	}
	free(q);
	for (i = 0; i < NCTL; i++)
		free(ctls[i].flow);
}

/* ---- records -------------------------------------------------------- */

static int
parse_port(const char *s)
{
	int v = 0;

	if (BH_UNSET(s))
		return -1;
	if (*s == '\0')
		return -2;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 6553)
			return -2;
		v = v * 10 + (*s - '0');
	}
	return v <= 65535 ? v : -2;
}

static int
parse_dir(const char *s)
{
	if (BH_UNSET(s))
		return D_UNSET;
	if (strcmp(s, "in") == 0)
		return D_IN;
	if (strcmp(s, "out") == 0)
		return D_OUT;
	return D_OTHER;
}

/* Whether a byte count column says the side sent payload. */
static int
has_bytes(const struct bh_reader *r, int c)
{
	const char *v;

	if (c < 0)
		return 0;
	v = r->f[c];
	return !BH_UNSET(v) && strcmp(v, "0") != 0;
}

/*
 * Read the facts of the current record into rc.  Returns 0, or -1 after
 * reporting a bad value (the caller skips the record).
 */
static int
rec_read(struct bh_reader *r, struct rec *rc)
{
	const char *v;
	int64_t dur = 0;

	memset(rc, 0, sizeof(*rc));
	v = r->f[col.proto];
	if ((rc->proto = parse_proto(v)) == -1) {
		bh_rec_bad(r, "proto: bad value; record skipped");
		return -1;
	}
	if ((rc->oport = parse_port(r->f[col.oport])) == -2 ||
	    (rc->rport = parse_port(r->f[col.rport])) == -2) {
		bh_rec_bad(r, "%s: bad port; record skipped",
		    rc->oport == -2 ? "orig_port" : "resp_port");
		return -1;
	}
	rc->head[0] = BH_UNSET(r->f[col.ohead]) ? NULL : r->f[col.ohead];
	rc->head[1] = BH_UNSET(r->f[col.rhead]) ? NULL : r->f[col.rhead];
	rc->headmask = (rc->head[0] != NULL ? HEAD_ORIG : 0) |
	    (rc->head[1] != NULL ? HEAD_RESP : 0);
	rc->empty = rc->headmask == 0 && !has_bytes(r, col.obytes) &&
	    !has_bytes(r, col.rbytes);
	if (col.ts >= 0 && !BH_UNSET(v = r->f[col.ts])) {
		if (bh_parse_usec(v, &rc->ts) == -1 ||
		    rc->ts > BH_USEC_MAX || rc->ts < -BH_USEC_MAX) {
			bh_rec_bad(r, "ts: bad timestamp; record skipped");
			return -1;
		}
		rc->has_ts = 1;
	}
	if (col.dur >= 0 && !BH_UNSET(v = r->f[col.dur]) &&
	    (bh_parse_usec(v, &dur) == -1 || dur < 0 || dur > BH_USEC_MAX)) {
		bh_rec_bad(r, "dur: bad duration; record skipped");
		return -1;
	}
	rc->end = rc->ts + dur;
	rc->dir = col.dir >= 0 ? parse_dir(r->f[col.dir]) : D_NONE;
	return 0;
}

/* Whether the escaped head starts a TFTP DATA packet (RFC 1350 §5). */
static int
is_tftp_data(const char *h)
{
	return h != NULL && strncmp(h, "\\x00\\x03", 8) == 0;
}

/*
 * The part the current record, labelled by rule (or -1), may play in a
 * link: returns LK_FTP_PORT for an FTP control session (any FTP), LK_TFTP
 * for a TFTP read request, else LK_NONE with *data set when it may be a
 * data connection.  A session that a rule before the first link rule
 * labels (IRC, FTP control) is nobody's data connection.
 */
static int
link_role(int rule, const struct rec *rc, int *data)
{
	const struct rule *ru = rule >= 0 ? rules[rule] : NULL;

	*data = 0;
	if (ru != NULL && ru->linker == LK_NONE) {
		if (have_ftp_links && rc->proto == 6 &&
		    strcmp(ru->app, "ftp") == 0)
			return LK_FTP_PORT;
		if (have_tftp_links && rc->proto == 17 &&
		    strcmp(ru->app, "tftp") == 0 && rc->head[0] != NULL &&
		    strncmp(rc->head[0], "\\x00\\x01", 8) == 0)
			return LK_TFTP;
	}
	if (rule >= 0 && rule < first_link)
		return LK_NONE;
	*data = (have_ftp_links && rc->proto == 6 && rc->headmask != 0 &&
	    (rc->oport == 20 || rc->rport >= 1024)) ||
	    (have_tftp_links && rc->proto == 17 &&
	    (is_tftp_data(rc->head[0]) || is_tftp_data(rc->head[1])));
	return LK_NONE;
}

/* Whether the escaped head of a data session starts an executable: MZ,
 * or MZ in the first TFTP DATA block. */
static int
starts_mz(const char *h)
{
	if (h == NULL)
		return 0;
	if (is_tftp_data(h)) {
		if (strncmp(h + 8, "\\x00\\x01", 8) != 0)
			return 0;	/* not block 1 */
		h += 16;
	}
	return strncmp(h, "MZ", 2) == 0;
}

/*
 * Copy the current record into a new slot at the tail of the queue, with
 * its label, and, when it is to wait for a link (hold), the facts the
 * linker compares.  Returns the slot.
 */
static struct slot *
hold_record(const struct bh_reader *r, const struct rec *rc, int rule,
    int hold)
{
	struct slot *s = q_push();

	slot_copy(s, r);
	s->data = 0;
	s->rule = rule;
	s->phase = rule >= 0 ? phase_of(rule, rc->dir) : 0;
	s->dirfill = rule >= 0 ? dirfill_of(rule, rc->dir) : -1;
	s->has_end = rc->has_ts || clock_set;
	s->end = rc->has_ts ? rc->end : clock_us;
	s->hold = hold;
	s->proto = rc->proto;
	s->oport = rc->oport;
	s->rport = rc->rport;
	s->dir = rc->dir;
	s->has_ts = rc->has_ts;
	s->ts = rc->ts;
	if (hold) {
		parse_ip(r->f[col.oip], &s->oip);
		parse_ip(r->f[col.rip], &s->rip);
		s->tftp[0] = is_tftp_data(rc->head[0]);
		s->tftp[1] = is_tftp_data(rc->head[1]);
		s->mz = starts_mz(rc->head[0]) || starts_mz(rc->head[1]);
	}
	return s;
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_writer w;
	struct rec rc;
	struct slot *s;
	static const char *const owned[] = {
		"phase", "app", "rule", "link", "dir",
	};
	char **rfiles = NULL, **fbuf;
	int nrfiles = 0, no_builtin = 0, print = 0, strict = 0, drop = 0;
	int c, i;
	int rule, ctl, data;
	unsigned long ul;

	bh_diag_init(argv[0]);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--strict") == 0)
			strict = 1;
		else if (strcmp(argv[i], "--print-rules") == 0)
			print = 1;
		else
			continue;
		memmove(argv + i, argv + i + 1,
		    (size_t)(argc - i) * sizeof(*argv));
		argc--;
		i--;
	}
	while ((c = getopt(argc, argv, "dhnr:W:w:")) != -1) {
		switch (c) {
		case 'd':
			drop = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'n':
			no_builtin = 1;
			break;
		case 'r':
			rfiles = xreallocarray(rfiles, (size_t)nrfiles + 1,
			    sizeof(*rfiles));
			rfiles[nrfiles++] = optarg;
			break;
		case 'W':
			if (bh_parse_uint(optarg, 100000000, &ul) == -1 ||
			    ul == 0) {
				bh_warnx("-W: bad record count '%s'", optarg);
				usage(BH_EXIT_FATAL);
			}
			maxhold = ul;
			break;
		case 'w':
			if (bh_parse_duration(optarg, &window_us) == -1) {
				bh_warnx("-w: bad duration '%s'", optarg);
				usage(BH_EXIT_FATAL);
			}
			break;
		default:
			usage(BH_EXIT_FATAL);
		}
	}
	argc -= optind;
	argv += optind;

	rules_load(no_builtin, rfiles, nrfiles);
	free(rfiles);
	if (print) {
		rules_print();
		rules_free();
		return bh_fshut(BH_EXIT_OK);
	}

	bh_rec_open(&r, argc, argv, stdout);
	r.strict = strict;
	if (r.ncol == 0) {
		rules_free();
		return bh_fshut(bh_rec_close(&r));
	}
	col.flow = bh_rec_need(&r, "flow");
	col.proto = bh_rec_need(&r, "proto");
	col.oip = bh_rec_need(&r, "orig_ip");
	col.oport = bh_rec_need(&r, "orig_port");
	col.rip = bh_rec_need(&r, "resp_ip");
	col.rport = bh_rec_need(&r, "resp_port");
	col.ohead = bh_rec_need(&r, "orig_head");
	col.rhead = bh_rec_need(&r, "resp_head");
	col.ts = bh_rec_col(&r, "ts");
	col.dur = bh_rec_col(&r, "dur");
	col.dir = bh_rec_col(&r, "dir");
	col.obytes = bh_rec_col(&r, "orig_bytes");
	col.rbytes = bh_rec_col(&r, "resp_bytes");
	bh_wr_init(&w, stdout, &r, owned, col.dir >= 0 ? 5 : 4);
	if (drop) {
		/* The heads are what this filter reads; the later stages
		 * (bh-rtt, bh-ttl, bh-hist) do not, and they are two thirds
		 * of the stream's bytes. */
		bh_wr_drop(&w, col.ohead);
		bh_wr_drop(&w, col.rhead);
	}
	bh_wr_header(&w, &r, owned);
	bh_wr_init_mem(&pw, &w);
	fbuf = xreallocarray(NULL, r.ncol + 1, sizeof(*fbuf));

	for (;;) {
		enum bh_rec_kind kind = bh_rec_next(&r);

		if (kind == BH_REC_EOF)
			break;
		if (kind == BH_REC_COMMENT) {
			if (qcount == 0) {
				bh_wr_line(&w, r.line, r.linelen);
				continue;
			}
			bh_wr_line(pw_next(), r.line, r.linelen);
			q_release(&w, &r, fbuf, 0);
			continue;
		}
		if (rec_read(&r, &rc) == -1)
			continue;
		if (rc.has_ts && (!clock_set || rc.end > clock_us)) {
			clock_us = rc.end;
			clock_set = 1;
		}
		rule = classify(&rc);
		ctl = link_role(rule, &rc, &data);
		if (ctl == LK_NONE && !data) {
			write_fields(qcount == 0 ? &w : pw_next(), &r, rule,
			    rule >= 0 ? phase_of(rule, rc.dir) : 0,
			    rule >= 0 ? dirfill_of(rule, rc.dir) : -1, NULL);
			if (qcount > 0)
				q_release(&w, &r, fbuf, 0);
			continue;
		}
		s = hold_record(&r, &rc, rule, ctl != LK_NONE || data);
		s->data = data;
		s->ctl = ctl != LK_NONE;
		if (data)
			link_data(s);
		if (ctl != LK_NONE)
			add_control(s, ctl, &rc);
		q_release(&w, &r, fbuf, 0);
	}
	q_release(&w, &r, fbuf, 1);
	bh_wr_free(&pw);
	bh_wr_free(&w);
	q_free();
	free(fbuf);
	rules_free();
	return bh_fshut(bh_rec_close(&r));
}
