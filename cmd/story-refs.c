/*
 * story-refs.c - what one session's payload says, for bh-story: the
 * references that link it to later sessions (a URL, a host and port an
 * FTP client is told to open, a TFTP server and file, a DCC offer) and
 * the details of its step (the file, the URL, the IRC server, channel and
 * nick, the commands typed).
 *
 * The texts are the unescaped heads and evidence items of bh-sessions(1)
 * (the first bytes of each side, the start of each later message, the
 * command lines deep in a stream); each item follows a NUL.  The forms
 * read, and what they were written from:
 *   - a shell's FTP script, "echo open HOST PORT >> o&echo user ... >>
 *     o&echo get X.exe >> o&ftp -n -s:o" (the bind shells of the
 *     2004-2010 bots after MS04-011/MS08-067 exploits, as the honeynet
 *     papers and the CCC DATAset captures show them): "open HOST [PORT]";
 *   - "tftp -i HOST GET FILE" (Windows tftp.exe, the DCOM worms) and
 *     "tftp -g -r FILE HOST" (busybox, the IoT droppers);
 *   - a URL (RFC 3986 scheme://host[:port]/path) in a shell command
 *     (wget, curl), an IRC line (the bot's ".download http://..." order
 *     or a 332 topic), and an HTTP response's Location header (RFC 9110
 *     §10.2.2: a 302 that names the executable);
 *   - an IRC DCC SEND offer (CTCP, "\x01DCC SEND file ip port size\x01",
 *     the address as a 32-bit decimal number).
 */
#define _GNU_SOURCE	/* memmem */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "story.h"

const char *const role_names[R_COUNT] = {
	"infection", "shell", "download", "cnc", "propagation"
};

const char *const ev_names[EV_COUNT] = {
	"start", "time", "same-source", "beacon", "cmd-url", "irc-url",
	"http-location", "cmd-ftp", "cmd-tftp", "cmd-connect", "dcc",
	"ftp-data",
	"tftp-data"
};

/* A line of text: [p, p + n), never containing NUL, CR or LF. */
struct line {
	const unsigned char *p;
	size_t		 n;
};

/* The next line of [*s, end) into *l; 0 at the end. */
static int
next_line(const unsigned char **s, const unsigned char *end, struct line *l)
{
	const unsigned char *p = *s, *e;

	while (p < end && (*p == '\0' || *p == '\r' || *p == '\n'))
		p++;
	if (p >= end)
		return 0;
	for (e = p; e < end && *e != '\0' && *e != '\r' && *e != '\n'; e++)
		;
	l->p = p;
	l->n = (size_t)(e - p);
	*s = e;
	return 1;
}

/* c lower-cased as in the C locale (bh_diag_init sets it): tolower()'s
 * answer without its call. */
static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Whether the k bytes at p are w's, ignoring case (strncasecmp()'s
 * answer: a NUL in p matches none of w's bytes). */
static int
same_word(const unsigned char *p, const char *w, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (lower(p[i]) != lower((unsigned char)w[i]))
			return 0;
	return 1;
}

/* Whether the n bytes at p begin with the word w, ignoring case. */
static int
has_word(const unsigned char *p, size_t n, const char *w)
{
	size_t k;

	if (n == 0 || lower(p[0]) != lower((unsigned char)w[0]))
		return 0;
	k = strlen(w);
	return n >= k && same_word(p, w, k);
}

/* Where w (lower-case) occurs in [p, p + n), ignoring case, or NULL. */
static const unsigned char *
find_word(const unsigned char *p, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++)
		if (lower(p[i]) == w[0] && same_word(p + i, w, k))
			return p + i;
	return NULL;
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* The length of the token at p (up to n): no blank, quote, angle bracket,
 * control byte or the shell's separators & ; | ) . */
static size_t
token_len(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f || p[i] == '"' ||
		    p[i] == '\'' || p[i] == '<' || p[i] == '>' || p[i] == '&' ||
		    p[i] == ';' || p[i] == '|' || p[i] == '`' || p[i] == ')')
			break;
	return i;
}

/* Skip blanks: the offset of the next non-blank byte. */
static size_t
skip_blank(const unsigned char *p, size_t n, size_t i)
{
	while (i < n && is_blank(p[i]))
		i++;
	return i;
}

void
story_cpy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
story_host(char *dst, const char *s, size_t n)
{
	unsigned char a[16];
	char tmp[HOSTLEN];
	size_t i;

	if (n > 0 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= HOSTLEN)
		return 0;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, a) == 1)
		return inet_ntop(AF_INET, a, dst, HOSTLEN) != NULL;
	if (inet_pton(AF_INET6, tmp, a) == 1)
		return inet_ntop(AF_INET6, a, dst, HOSTLEN) != NULL;
	/* a name: letters, digits, '-', '.', '_' (RFC 1123 and what bots
	 * use), at least one letter */
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)tmp[i]) && tmp[i] != '-' &&
		    tmp[i] != '.' && tmp[i] != '_')
			return 0;
		tmp[i] = (char)tolower((unsigned char)tmp[i]);
	}
	/* dst is written only for a name: a caller may keep what it had */
	for (i = 0; i < n; i++)
		if (isalpha((unsigned char)tmp[i])) {
			memcpy(dst, tmp, n + 1);
			return 1;
		}
	return 0;
}

static void
copy_text(char *dst, size_t cap, const unsigned char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	/* the text goes into a record field: only printable bytes */
	for (size_t i = 0; i < n; i++)
		if (dst[i] <= ' ' || dst[i] >= 0x7f || dst[i] == '\\')
			dst[i] = '_';
}

/* A port, 1..65535, from the digits at p (up to n); 0 when none. */
static unsigned
parse_port(const unsigned char *p, size_t n, size_t *used)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; i < n && i < 6 && isdigit(p[i]); i++)
		v = v * 10 + (unsigned long)(p[i] - '0');
	*used = i;
	return i > 0 && i < 6 && v >= 1 && v <= 65535 ? (unsigned)v : 0;
}

static void
add_ref(struct sfacts *f, const struct sref *r)
{
	unsigned i;

	for (i = 0; i < f->nref; i++)
		if (f->ref[i].kind == r->kind && f->ref[i].port == r->port &&
		    strcmp(f->ref[i].host, r->host) == 0 &&
		    strcmp(f->ref[i].path, r->path) == 0)
			return;
	if (f->nref < SREF_MAX)
		f->ref[f->nref++] = *r;
}

/*
 * A URL at p (n bytes from "scheme://" on): into *r; returns 1 when it
 * names a host.  The path keeps its query (a bot's gate.php?id=...); the
 * matching cuts it.
 */
static int
parse_url(const unsigned char *p, size_t n, struct sref *r)
{
	static const char *const schemes[] = { "https", "http", "tftp",
	    "ftp" };
	size_t i, k, h, used, tl;
	unsigned s;

	memset(r, 0, sizeof(*r));
	for (s = 0; s < 4; s++)
		if (has_word(p, n, schemes[s]) &&
		    n > strlen(schemes[s]) + 3 &&
		    memcmp(p + strlen(schemes[s]), "://", 3) == 0)
			break;
	if (s == 4)
		return 0;
	strcpy(r->scheme, schemes[s]);
	r->kind = s == 2 ? RK_TFTP : s == 3 ? RK_FTP : RK_URL;
	i = strlen(schemes[s]) + 3;
	tl = i + token_len(p + i, n - i);
	/* user:password@ (RFC 3986 §3.2.1), as in ftp://u:p@host/ */
	for (k = i; k < tl && p[k] != '/'; k++)
		if (p[k] == '@')
			i = k + 1;
	if (i < tl && p[i] == '[') {
		for (h = i; h < tl && p[h] != ']'; h++)
			;
		if (h == tl)
			return 0;
		h++;
	} else
		for (h = i; h < tl && p[h] != ':' && p[h] != '/' &&
		    p[h] != '?' && p[h] != '#'; h++)
			;
	if (!story_host(r->host, (const char *)p + i, h - i))
		return 0;
	if (h < tl && p[h] == ':') {
		r->port = (uint16_t)parse_port(p + h + 1, tl - h - 1, &used);
		if (r->port == 0)
			return 0;
		h += 1 + used;
	}
	if (h < tl && p[h] == '/')
		copy_text(r->path, sizeof(r->path), p + h, tl - h);
	else
		strcpy(r->path, "/");
	return 1;
}

/* Every URL in line l, as references of evidence ev. */
static void
line_urls(struct sfacts *f, const struct line *l, int ev, unsigned *found)
{
	const unsigned char *p = l->p, *end = l->p + l->n, *q;
	struct sref r;

	while (p < end && (q = memmem(p, (size_t)(end - p), "://", 3)) != NULL) {
		const unsigned char *s = q;

		while (s > l->p && isalpha(s[-1]))
			s--;
		if (parse_url(s, (size_t)(end - s), &r)) {
			r.ev = (uint8_t)ev;
			add_ref(f, &r);
			(*found)++;
		}
		p = q + 3;
	}
}

/* "open HOST [PORT]" in a shell's FTP script (echo open ... >> o). */
static void
line_ftp_open(struct sfacts *f, const struct line *l)
{
	const unsigned char *p = l->p;
	size_t n = l->n, i, k, used;
	struct sref r;

	for (i = 0; i + 5 < n; i++) {
		if (tolower(p[i]) != 'o' || !has_word(p + i, n - i, "open") ||
		    !is_blank(p[i + 4]))
			continue;
		if (i > 0 && !is_blank(p[i - 1]) && p[i - 1] != '&' &&
		    p[i - 1] != ';' && p[i - 1] != '>' && p[i - 1] != '"')
			continue;
		memset(&r, 0, sizeof(r));
		k = skip_blank(p, n, i + 4);
		if (!story_host(r.host, (const char *)p + k,
		    token_len(p + k, n - k)))
			continue;
		k += token_len(p + k, n - k);
		k = skip_blank(p, n, k);
		r.port = (uint16_t)parse_port(p + k, n - k, &used);
		r.kind = RK_FTP;
		r.ev = EV_CMD_FTP;
		strcpy(r.path, "-");
		add_ref(f, &r);
	}
}

/* "tftp [-i] HOST GET FILE" (Windows) or "tftp -g -r FILE [-l F] HOST"
 * (busybox). */
static void
line_tftp(struct sfacts *f, const struct line *l)
{
	const unsigned char *p = l->p, *w;
	size_t n = l->n, i, k, t;
	struct sref r;
	int want_file = 0, have_host = 0;

	for (i = 0; i < n && (w = find_word(p + i, n - i, "tftp")) != NULL;
	    i = (size_t)(w - p) + 4) {
		k = (size_t)(w - p) + 4;
		if (k < n && (p[k] == '.' || p[k] == ':'))	/* tftp.exe */
			k += has_word(p + k, n - k, ".exe") ? 4 : n;
		if (k >= n || !is_blank(p[k]))
			continue;
		memset(&r, 0, sizeof(r));
		have_host = 0;
		want_file = 0;
		while ((k = skip_blank(p, n, k)) < n &&
		    (t = token_len(p + k, n - k)) > 0) {
			if (want_file) {
				copy_text(r.path, sizeof(r.path), p + k, t);
				want_file = 0;
			} else if (t == 2 && p[k] == '-' &&
			    (p[k + 1] == 'r' || p[k + 1] == 'l'))
				want_file = p[k + 1] == 'r' ? 1 : 2;
			else if (p[k] == '-')
				;
			else if (t == 3 && (has_word(p + k, t, "get") ||
			    has_word(p + k, t, "put")))
				want_file = 1;
			else if (!have_host && story_host(r.host,
			    (const char *)p + k, t))
				have_host = 1;
			k += t;
			if (want_file == 2)
				want_file = 0;	/* -l: the local name */
		}
		if (have_host) {
			r.kind = RK_TFTP;
			r.ev = EV_CMD_TFTP;
			if (r.path[0] == '\0')
				strcpy(r.path, "-");
			add_ref(f, &r);
		}
	}
}

/* "telnet HOST PORT", "nc [-e PROG] HOST PORT", "ncat HOST PORT": a shell
 * told to connect back (the UnrealIRCd 3.2.8.1 backdoor's "sh -c
 * '(sleep 3701|telnet H 4444|while : ; do sh && break; done ...)'"). */
static void
line_connect(struct sfacts *f, const struct line *l)
{
	static const char *const words[] = { "telnet", "ncat", "nc" };
	const unsigned char *p = l->p;
	size_t n = l->n, i, k, t, used;
	struct sref r;
	unsigned w;

	for (i = 0; i < n; i++) {
		/* every word begins with t or n */
		if (lower(p[i]) != 't' && lower(p[i]) != 'n')
			continue;
		for (w = 0; w < 3; w++)
			if (has_word(p + i, n - i, words[w]) &&
			    i + strlen(words[w]) < n &&
			    is_blank(p[i + strlen(words[w])]) &&
			    (i == 0 || !isalnum(p[i - 1])))
				break;
		if (w == 3)
			continue;
		memset(&r, 0, sizeof(r));
		k = i + strlen(words[w]);
		/* options, and the argument of -e */
		while ((k = skip_blank(p, n, k)) < n && p[k] == '-') {
			t = token_len(p + k, n - k);
			k += t;
			if (t == 2 && p[k - 1] == 'e') {
				k = skip_blank(p, n, k);
				k += token_len(p + k, n - k);
			}
		}
		t = token_len(p + k, n - k);
		if (t == 0 || !story_host(r.host, (const char *)p + k, t))
			continue;
		k = skip_blank(p, n, k + t);
		if ((r.port = (uint16_t)parse_port(p + k, n - k, &used)) == 0)
			continue;
		r.kind = RK_CONNECT;
		r.ev = EV_CMD_CONNECT;
		strcpy(r.path, "-");
		add_ref(f, &r);
	}
}

/* "DCC SEND file ip port [size]" or "DCC CHAT chat ip port" (CTCP, as
 * in Zeek's irc-dcc-send trace); the address as a decimal 32-bit number
 * or dotted. */
static void
line_dcc(struct sfacts *f, const struct line *l)
{
	const unsigned char *p = l->p, *w;
	size_t n = l->n, k, t;
	struct sref r;
	unsigned long v = 0;
	char tmp[16];
	unsigned char a[4];
	size_t used;

	/* CTCP writes the command in capitals; "DCC CHAT chat ip port" has
	 * the protocol where SEND has the file name */
	memset(&r, 0, sizeof(r));
	if ((w = memmem(p, n, "DCC SEND ", 9)) != NULL) {
		k = skip_blank(p, n, (size_t)(w - p) + 9);
		t = token_len(p + k, n - k);
		if (t == 0)
			return;
		copy_text(r.path, sizeof(r.path), p + k, t);
	} else if ((w = memmem(p, n, "DCC CHAT ", 9)) != NULL) {
		k = skip_blank(p, n, (size_t)(w - p) + 9);
		t = token_len(p + k, n - k);
		strcpy(r.path, "/chat");	/* no file name has a '/' */
	} else
		return;
	k = skip_blank(p, n, k + t);
	t = token_len(p + k, n - k);
	if (t == 0 || t >= sizeof(tmp))
		return;
	memcpy(tmp, p + k, t);
	tmp[t] = '\0';
	if (strspn(tmp, "0123456789") == t && t <= 10) {
		for (size_t i = 0; i < t; i++)
			v = v * 10 + (unsigned long)(tmp[i] - '0');
		if (v == 0 || v > 0xffffffffUL)
			return;
		a[0] = (unsigned char)(v >> 24);
		a[1] = (unsigned char)(v >> 16);
		a[2] = (unsigned char)(v >> 8);
		a[3] = (unsigned char)v;
		if (inet_ntop(AF_INET, a, r.host, HOSTLEN) == NULL)
			return;
	} else if (!story_host(r.host, tmp, t))
		return;
	k = skip_blank(p, n, k + t);
	if ((r.port = (uint16_t)parse_port(p + k, n - k, &used)) == 0)
		return;
	r.kind = RK_DCC;
	r.ev = EV_DCC;
	add_ref(f, &r);
}

/* The word after "KEY " in line l (KEY at its start, or after a
 * ":prefix "), into dst. */
static int
irc_arg(const struct line *l, const char *key, char *dst, size_t cap)
{
	const unsigned char *p = l->p;
	size_t n = l->n, k = 0, t;

	if (n > 0 && p[0] == ':') {
		k = token_len(p, n);
		k = skip_blank(p, n, k);
	}
	if (!has_word(p + k, n - k, key))
		return 0;
	k = skip_blank(p, n, k + strlen(key));
	if (k < n && p[k] == ':')
		k++;
	/* a nick or channel may hold | & ; (RFC 2812 §2.3.1) */
	for (t = 0; k + t < n && p[k + t] > ' ' && p[k + t] < 0x7f; t++)
		;
	if (t == 0)
		return 0;
	copy_text(dst, cap, p + k, t);
	return 1;
}

/* Append a line (escaped) to the commands, " ; " between them; a line
 * gives at most CMD_LINE bytes ("..." after a cut), so that one long
 * line does not hide the orders after it. */
#define CMD_LINE	72
static void
add_cmd(struct sfacts *f, const unsigned char *p, size_t n)
{
	size_t have = strlen(f->cmd), used, cap;

	char esc[4 * CMD_LINE + 1];
	size_t k;

	if (n == 0)
		return;
	/* the head ends inside a line and the evidence item repeats it
	 * whole: the whole line replaces the cut one */
	k = bh_escape_bounded(esc, CMD_LINE, p, n, &used);
	if (f->cmd_last < have && have - f->cmd_last <= k &&
	    memcmp(f->cmd + f->cmd_last, esc, have - f->cmd_last) == 0) {
		have = f->cmd_last >= 3 ? f->cmd_last - 3 : 0;
		f->cmd[have] = '\0';
	}
	if (have + 8 > DETAIL_MAX)
		return;
	if (have > 0) {
		memcpy(f->cmd + have, " ; ", 3);
		have += 3;
	}
	f->cmd_last = have;
	cap = DETAIL_MAX - have;
	if (cap > CMD_LINE)
		cap = CMD_LINE;
	have += bh_escape_bounded(f->cmd + have, cap, p, n, &used);
	if (used < n && have + 3 <= DETAIL_MAX)
		memcpy(f->cmd + have, "...", 4);
}

/* The HTTP request's path (query cut) and Host header. */
static void
http_request(struct sfacts *f, const struct line *l, int first)
{
	static const char *const methods[] = { "GET ", "POST ", "HEAD ",
	    "PUT " };
	size_t k, t, q;
	unsigned m;

	if (first) {
		for (m = 0; m < 4; m++)
			if (l->n > strlen(methods[m]) &&
			    memcmp(l->p, methods[m], strlen(methods[m])) == 0)
				break;
		if (m == 4)
			return;
		k = strlen(methods[m]);
		t = token_len(l->p + k, l->n - k);
		for (q = 0; q < t && l->p[k + q] != '?'; q++)
			;
		if (q > 0 && l->p[k] == '/')
			copy_text(f->http_path, sizeof(f->http_path), l->p + k, q);
		else if (q > 0) {
			/* a proxy request: the absolute URL */
			struct sref r;

			if (parse_url(l->p + k, t, &r)) {
				strcpy(f->http_host, r.host);
				for (q = 0; r.path[q] != '\0' && r.path[q] != '?';
				    q++)
					;
				r.path[q] = '\0';
				strcpy(f->http_path, r.path);
			}
		}
		return;
	}
	if (f->http_host[0] == '\0' && has_word(l->p, l->n, "host:")) {
		k = skip_blank(l->p, l->n, 5);
		for (t = k; t < l->n && l->p[t] != ':' && !is_blank(l->p[t]);
		    t++)
			;
		if (l->p[k] == '[')
			for (t = k; t < l->n && l->p[t] != ']'; t++)
				;
		if (t < l->n && l->p[t] == ']')
			t++;
		(void)story_host(f->http_host, (const char *)l->p + k, t - k);
	}
}

/*
 * One IRC line (RFC 2812 §2.3.1: [":" prefix SPACE] command params): the
 * client's NICK and JOIN; the server's name from its 001 reply; the
 * topic (332, TOPIC) and the orders (PRIVMSG, a user's NOTICE), whose text is the
 * commands and whose URLs and DCC offers are references.  The command
 * word is read in place, so a line costs one pass.
 */
static void
irc_line(struct sfacts *f, const struct line *l, int side, unsigned *found)
{
	const unsigned char *p = l->p, *c;
	size_t n = l->n, k = 0, t;

	if (side == 0) {
		if (f->irc_nick[0] == '\0')
			irc_arg(l, "NICK", f->irc_nick, sizeof(f->irc_nick));
		if (f->irc_chan[0] == '\0')
			irc_arg(l, "JOIN", f->irc_chan, sizeof(f->irc_chan));
		/* the client's own offer: the other party connects to it */
		if (has_word(p, n, "PRIVMSG "))
			line_dcc(f, l);
		return;
	}
	if (n > 0 && p[0] == ':')
		k = skip_blank(p, n, token_len(p, n));
	t = token_len(p + k, n - k);
	if (t == 3 && memcmp(p + k, "001", 3) == 0) {
		if (f->irc_srv[0] == '\0' && k > 1)
			copy_text(f->irc_srv, sizeof(f->irc_srv), p + 1,
			    token_len(p + 1, n - 1));
		return;
	}
	if (!((t == 3 && memcmp(p + k, "332", 3) == 0) ||
	    (t == 5 && memcmp(p + k, "TOPIC", 5) == 0) ||
	    (t == 6 && memcmp(p + k, "NOTICE", 6) == 0 && k > 0 &&
	    memchr(p, '!', k) != NULL) ||	/* a user's, not the server's */
	    (t == 7 && memcmp(p + k, "PRIVMSG", 7) == 0)))
		return;
	line_urls(f, l, EV_IRC_URL, found);
	line_dcc(f, l);
	if ((c = memchr(p + k, ':', n - k)) != NULL)
		add_cmd(f, c + 1, (size_t)(p + n - c - 1));
}

void
story_facts(struct sfacts *f, int kind, int cmdside, const unsigned char *o,
    size_t on, const unsigned char *r, size_t rn)
{
	const unsigned char *s, *end;
	struct line l;
	unsigned found = 0;
	int side, first;

	/* not memset: the struct is 2 KiB and most of it stays unused */
	f->nref = 0;
	f->http_host[0] = f->http_path[0] = f->file[0] = '\0';
	f->irc_srv[0] = f->irc_chan[0] = f->irc_nick[0] = f->cmd[0] = '\0';
	f->cmd_last = 0;
	for (side = 0; side < 2; side++) {
		s = side == 0 ? o : r;
		end = s + (side == 0 ? on : rn);
		if (s == NULL)
			continue;
		/* TFTP (RFC 1350): an RRQ or WRQ is opcode 1 or 2, the file
		 * name, NUL, the mode */
		if (kind == SK_TFTP && side == 0 && on > 3 && s[0] == 0 &&
		    (s[1] == 1 || s[1] == 2)) {
			size_t k;

			for (k = 2; k < on && s[k] != 0; k++)
				;
			copy_text(f->file, sizeof(f->file), s + 2, k - 2);
			continue;
		}
		first = 1;
		while (next_line(&s, end, &l)) {
			switch (kind) {
			case SK_IRC:
				irc_line(f, &l, side, &found);
				break;
			case SK_HTTP:
				if (side == 0)
					http_request(f, &l, first);
				else if (has_word(l.p, l.n, "location:")) {
					struct line u = { l.p + 9, l.n - 9 };

					line_urls(f, &u, EV_HTTP_LOCATION,
					    &found);
				}
				break;
			case SK_FTP:
				if (side == 0 && f->file[0] == '\0' &&
				    (has_word(l.p, l.n, "RETR ") ||
				    has_word(l.p, l.n, "STOR "))) {
					size_t k = skip_blank(l.p, l.n, 5);

					copy_text(f->file, sizeof(f->file),
					    l.p + k, token_len(l.p + k, l.n - k));
				}
				break;
			case SK_SHELL:
			case SK_OTHER:
				line_urls(f, &l, EV_CMD_URL, &found);
				line_ftp_open(f, &l);
				line_tftp(f, &l);
				line_connect(f, &l);
				if (kind == SK_SHELL && side == cmdside)
					add_cmd(f, l.p, l.n);
				break;
			}
			first = 0;
		}
	}
}
