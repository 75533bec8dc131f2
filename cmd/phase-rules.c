/*
 * phase-rules.c - bh-phase's rules language (bh-phase.rules(5)): the
 * rules file, port and protocol sets, the EREs and what is refused of
 * them, the literal prefilter, the rule set in force.
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
#include "phase.h"

/* cmd/bh-phase.rules, one string per line (made by the Makefile). */
static const char *const default_rules[] = {
#include "bh-phase.rules.h"
	NULL
};

const char *const phase_names[PH_COUNT] = {
	"scan", "infection", "download", "cnc", "attack",
};
const char *const linker_names[LK_COUNT] = {
	"-", "ftp-port", "ftp-pasv", "ftp-20", "ftp-pair", "tftp",
};
/* All of bh-phase's mutable state, in one place; phase_reset() puts it
 * back as it starts. */
struct phase_state phst = PHASE_STATE_INIT;
const char *const dir_names[] = { NULL, "-", "in", "out", NULL, "local",
    "ext" };

/* ---- rules ---------------------------------------------------------- */

/* Report an error of a rules file as file:line (the caller fails). */
static void BH_PRINTF(3, 4)
rules_warn(const char *file, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bh_vwarnx_at(file, line, fmt, ap);
	va_end(ap);
}

#define RULES_FAIL(...)	do { rules_warn(__VA_ARGS__); goto fail; } while (0)

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
int
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
 * The literals one of which every match of the group p[from..to)
 * contains: the literal prefix of each alternative (up to its first
 * operator; a character a quantifier makes optional is left out), into
 * *c.  c->n stays 0 when an alternative has no literal prefix (it
 * starts with an operator, a group or a GNU \w-style escape).  The
 * alternatives are split at the group's own '|' only: the rest of an
 * alternative after its prefix (nested groups, brackets) is skipped.
 * The shell rules' "(echo[ ]+(open|user...)[ ]|ftp[ ]+...|tftp...)"
 * gives {echo, ftp, tftp, cmd, start}: without it every head and item
 * of every record went to regexec.
 */
static void
group_literals(const char *p, size_t from, size_t to, struct lit *c)
{
	char *cur = xmalloc(to - from + 1);
	size_t i, len = 0;
	int ok = 1, open = 1, done = 0;

	memset(c, 0, sizeof(*c));
	c->alt = xreallocarray(NULL, LIT_MAXALT, sizeof(*c->alt));
	for (i = from; ok && i <= to; ) {
		if (i == to || p[i] == '|') {
			done = i == to;
			if (len == 0 || c->n == LIT_MAXALT) {
				ok = 0;
				break;
			}
			cur[len] = '\0';
			c->alt[c->n++] = xstrdup(cur);
			if (c->n == 1 || len < c->minlen)
				c->minlen = len;
			len = 0;
			open = 1;
			i++;
		} else if (p[i] == '\\' && i + 1 < to &&
		    !isalnum((unsigned char)p[i + 1])) {
			if (open && i + 2 < to && strchr("*?{", p[i + 2]) != NULL)
				open = 0;
			if (open)
				cur[len++] = p[i + 1];
			i += 2;
		} else if (p[i] == '\\') {
			open = 0;
			i += 2;
		} else if (p[i] == '[') {
			open = 0;
			i = skip_bracket(p, i);
		} else if (p[i] == '(') {
			open = 0;
			i = skip_group(p, i);
		} else if (strchr("*?{", p[i]) != NULL) {
			/* The quantified character is optional. */
			if (open && len > 0)
				len--;
			open = 0;
			i++;
		} else if (strchr(")]}.+^$", p[i]) != NULL) {
			open = 0;
			i++;
		} else {
			if (open)
				cur[len++] = p[i];
			i++;
		}
	}
	free(cur);
	/* A skip that ran past the group's end would leave its last
	 * alternative out: then the test would not be safe. */
	if (!ok || !done)
		lit_free(c);
}

/*
 * Build the prefilter of the ERE p from its top-level literal runs and
 * its top-level groups of literal alternatives.  Leaving a character out
 * is always safe, so anything not plainly literal (a quantified atom, a
 * bracket of more than one character, GNU \w) ends a run; a top-level |
 * gives the test of its alternatives' literal prefixes alone.
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
			/* A top-level alternation: the literal prefix of
			 * each alternative, one of which a match holds. */
			group_literals(p, 0, n, &c);
			pre_offer(pf, &c);
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
/* The heads in lower case for the icase prefilters (per record). */

static int
pattern_id(const char *src, int side, int icase)
{
	int i, key = side * 2 + (icase != 0);

	for (i = 0; i < phst.npat_ids; i++)
		if (phst.pat_keys[i] == key && strcmp(phst.pat_texts[i], src) == 0)
			return i;
	phst.pat_texts = xreallocarray(phst.pat_texts, (size_t)phst.npat_ids + 1,
	    sizeof(*phst.pat_texts));
	phst.pat_keys = xreallocarray(phst.pat_keys, (size_t)phst.npat_ids + 1,
	    sizeof(*phst.pat_keys));
	phst.pat_texts[phst.npat_ids] = xstrdup(src);
	phst.pat_keys[phst.npat_ids] = key;
	return phst.npat_ids++;
}

static int
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
	if (src[0] == '@') {
		/* A test in C (phase-match.c), not an ERE. */
		if (strcmp(src, "@exe") != 0) {
			rules_warn(file, line, "rule %s: unknown test '%s' "
			    "(there is @exe)", ru->name, src);
			free(pt->src);
			return -1;
		}
		pt->det = DET_EXE;
		pt->pre = xcalloc(1, sizeof(*pt->pre));
		pt->id = pattern_id(src, side, 0);
		ru->npat++;
		ru->need |= side == SIDE_ORIG ? HEAD_ORIG : HEAD_RESP;
		return 0;
	}
	if ((why = ere_refused(src)) != NULL) {
		rules_warn(file, line, "rule %s: bad pattern '%s': %s",
		    ru->name, src, why);
		free(pt->src);
		return -1;
	}
	e = regcomp(&pt->re, src, REG_EXTENDED | REG_NOSUB |
	    ((ru->flags & F_ICASE) ? REG_ICASE : 0));
	if (e != 0) {
		regerror(e, &pt->re, msg, sizeof(msg));
		rules_warn(file, line, "rule %s: bad pattern '%s': %s",
		    ru->name, src, msg);
		free(pt->src);
		return -1;
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
	return 0;
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
 * lines with the same name add patterns to one rule.  Returns 0, or -1
 * after reporting the first error as file:line (the rules made so far
 * are in all_rules, for rules_free).
 */
static int
rules_parse(const char *text, size_t len, const char *file,
    struct rule ***v, size_t *n)
{
	const char *p = text, *end = text + len, *nl;
	char *line = NULL, *tok[8], *s, *doc = NULL;
	size_t linecap = 0, ll, doclen = 0, k;
	unsigned long lineno = 0;
	struct rule *ru, *prev = NULL;
	int side, flags, linker, phase, proto;
	unsigned char *ports = NULL;

	while (p < end) {
		lineno++;
		ports = NULL;
		nl = memchr(p, '\n', (size_t)(end - p));
		ll = (size_t)((nl != NULL ? nl : end) - p);
		if (memchr(p, '\0', ll) != NULL)
			RULES_FAIL(file, lineno, "NUL byte in rules file");
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
				RULES_FAIL(file, lineno, "expected 8 columns: "
				    "name phase app proto ports side flags "
				    "pattern");
			*s++ = '\0';
			s += strspn(s, " \t");
		}
		tok[7] = s;
		if (!is_name(tok[0]))
			RULES_FAIL(file, lineno, "bad rule name '%s' "
			    "([a-z0-9][a-z0-9_.-]*)", tok[0]);
		for (phase = 0; phase < PH_COUNT; phase++)
			if (strcmp(tok[1], phase_names[phase]) == 0)
				break;
		if (phase == PH_COUNT)
			RULES_FAIL(file, lineno, "rule %s: bad phase '%s' "
			    "(scan infection download cnc attack)", tok[0],
			    tok[1]);
		if (!is_name(tok[2]))
			RULES_FAIL(file, lineno, "rule %s: bad app '%s'",
			    tok[0], tok[2]);
		proto = strcmp(tok[3], "*") == 0 ? -1 : parse_proto(tok[3]);
		if (proto == -1 && strcmp(tok[3], "*") != 0)
			RULES_FAIL(file, lineno, "rule %s: bad proto '%s' "
			    "(tcp udp icmp icmp6 0-255 *)", tok[0], tok[3]);
		if (parse_ports(tok[4], &ports) == -1) {
			RULES_FAIL(file, lineno, "rule %s: bad ports '%s' "
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
			RULES_FAIL(file, lineno, "rule %s: bad side '%s' "
			    "(orig resp link -)", tok[0], tok[5]);
		flags = 0;
		if (strcmp(tok[6], "-") != 0)
			for (s = tok[6]; *s != '\0'; s++) {
				int f = *s == 'e' ? F_EMPTY : *s == 'i' ?
				    F_ICASE : *s == 'r' ? F_REMOTE : *s == 'o' ?
				    F_ORIG_EMPTY : 0;

				if (f == 0 || (flags & f))
					RULES_FAIL(file, lineno, "rule %s: bad "
					    "flags '%s' (- or letters of eior)",
					    tok[0], tok[6]);
				flags |= f;
			}
		linker = LK_NONE;
		if (side == SIDE_NONE && strcmp(tok[7], "-") != 0)
			RULES_FAIL(file, lineno, "rule %s: side - takes no "
			    "pattern (write -)", tok[0]);
		if ((side == SIDE_ORIG || side == SIDE_RESP) &&
		    strcmp(tok[7], "-") == 0)
			RULES_FAIL(file, lineno, "rule %s: side %s needs a "
			    "pattern", tok[0], tok[5]);
		if (side == SIDE_LINK) {
			for (linker = 1; linker < LK_COUNT; linker++)
				if (strcmp(tok[7], linker_names[linker]) == 0)
					break;
			if (linker == LK_COUNT)
				RULES_FAIL(file, lineno, "rule %s: bad link "
				    "'%s' (ftp-port ftp-pasv ftp-20 ftp-pair "
				    "tftp)",
				    tok[0], tok[7]);
		}

		if (prev != NULL && strcmp(prev->name, tok[0]) == 0) {
			/* Another pattern of the rule on the line before. */
			free(ports);
			ports = NULL;
			if (prev->phase != phase ||
			    strcmp(prev->app, tok[2]) != 0 ||
			    strcmp(prev->proto_s, tok[3]) != 0 ||
			    strcmp(prev->ports_s, tok[4]) != 0 ||
			    strcmp(prev->flags_s, tok[6]) != 0)
				RULES_FAIL(file, lineno, "rule %s: phase, app, "
				    "proto, ports and flags differ from line "
				    "%lu", tok[0], prev->line);
			if (side == SIDE_NONE || side == SIDE_LINK ||
			    prev->side == SIDE_NONE || prev->side == SIDE_LINK)
				RULES_FAIL(file, lineno, "rule %s: a rule with "
				    "side - or link has one line", tok[0]);
			if (rule_add_pattern(prev, side, tok[7], file,
			    lineno) == -1)
				goto fail;
			continue;
		}
		if (find_rule(*v, *n, tok[0], &k) != NULL)
			RULES_FAIL(file, lineno, "rule %s: its lines must be "
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
		ports = NULL;
		ru->side = side;
		ru->flags_s = xstrdup(tok[6]);
		ru->flags = flags;
		ru->linker = linker;
		ru->doc = doc;
		doc = NULL;
		doclen = 0;
		ru->file = xstrdup(file);
		ru->line = lineno;
		/* owned by all_rules from here on, so a failure frees it */
		phst.all_rules = xreallocarray(phst.all_rules, phst.nall_rules + 1,
		    sizeof(*phst.all_rules));
		phst.all_rules[phst.nall_rules++] = ru;
		if ((side == SIDE_ORIG || side == SIDE_RESP) &&
		    rule_add_pattern(ru, side, tok[7], file, lineno) == -1)
			goto fail;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = ru;
		prev = ru;
	}
	free(doc);
	free(line);
	return 0;
fail:
	free(ports);
	free(doc);
	free(line);
	return -1;
}

/* Read a whole rules file; NULL after reporting why it cannot. */
static char *
read_file(const char *fn, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if ((fp = fopen(fn, "r")) == NULL) {
		bh_warn("%s", fn);
		return NULL;
	}
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
	if (ferror(fp)) {
		bh_warn("%s", fn);
		fclose(fp);
		free(buf);
		return NULL;
	}
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
int
rules_load(int no_builtin, char **files, int nfiles)
{
	struct rule **b = NULL, **u = NULL, **t;
	size_t nb = 0, nu = 0, nt, i, j, at;
	char *text;
	size_t len;
	int f, rc;

	if (!no_builtin) {
		for (len = 0, i = 0; default_rules[i] != NULL; i++)
			len += strlen(default_rules[i]);
		text = xmalloc(len + 1);
		for (len = 0, i = 0; default_rules[i] != NULL; i++) {
			memcpy(text + len, default_rules[i],
			    strlen(default_rules[i]));
			len += strlen(default_rules[i]);
		}
		rc = rules_parse(text, len, "(built-in)", &b, &nb);
		free(text);
		if (rc == -1)
			goto fail;
	}
	for (f = 0; f < nfiles; f++) {
		t = NULL;
		nt = 0;
		if ((text = read_file(files[f], &len)) == NULL)
			goto fail;
		rc = rules_parse(text, len, files[f], &t, &nt);
		free(text);
		if (rc == -1) {
			free(t);
			goto fail;
		}
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
	phst.rules = xreallocarray(NULL, nb + nu + 1, sizeof(*phst.rules));
	phst.nrules = 0;
	for (i = 0; i < nu; i++)
		if (find_rule(b, nb, u[i]->name, NULL) == NULL)
			phst.rules[phst.nrules++] = u[i];
	for (i = 0; i < nb; i++)
		phst.rules[phst.nrules++] = find_rule(u, nu, b[i]->name, &j) != NULL ?
		    u[j] : b[i];
	free(b);
	free(u);
	phst.memo_gen = xcalloc((size_t)phst.npat_ids + 1, sizeof(*phst.memo_gen));
	phst.memo_val = xcalloc((size_t)phst.npat_ids + 1, sizeof(*phst.memo_val));
	for (i = 0; i < phst.nrules; i++) {
		if (phst.rules[i]->linker != LK_NONE && phst.first_link < 0)
			phst.first_link = (int)i;
		if (phst.rules[i]->linker == LK_TFTP)
			phst.have_tftp_links = 1;
		else if (phst.rules[i]->linker != LK_NONE)
			phst.have_ftp_links = 1;
	}
	return 0;
fail:
	free(b);
	free(u);
	return -1;
}

void
rules_print(FILE *fp)
{
	size_t i, k;
	const struct rule *ru;

	for (i = 0; i < phst.nrules; i++) {
		ru = phst.rules[i];
		if (ru->doc != NULL)
			fputs(ru->doc, fp);
		for (k = 0; k < (ru->npat > 0 ? ru->npat : 1); k++)
			fprintf(fp, "%-14s %-9s %-9s %-5s %-6s %-5s %-2s %s\n",
			    ru->name, phase_names[ru->phase], ru->app,
			    ru->proto_s, ru->ports_s,
			    ru->npat > 0 ? (ru->pat[k].side == SIDE_ORIG ?
			    "orig" : "resp") : ru->side == SIDE_LINK ? "link" :
			    "-", ru->flags_s,
			    ru->npat > 0 ? ru->pat[k].src :
			    linker_names[ru->linker]);
	}
}

void
rules_free(void)
{
	size_t i, k;
	struct rule *ru;
	int t;

	for (i = 0; i < phst.nall_rules; i++) {
		ru = phst.all_rules[i];
		for (k = 0; k < ru->npat; k++) {
			if (ru->pat[k].det == DET_NONE)
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
	free(phst.all_rules);
	free(phst.rules);
	for (i = 0; i < (size_t)phst.npat_ids; i++)
		free(phst.pat_texts[i]);
	free(phst.pat_texts);
	free(phst.pat_keys);
	free(phst.memo_gen);
	free(phst.memo_val);
	free(phst.lower_buf[0]);
	free(phst.lower_buf[1]);
}
