/*
 * evidence.c - the messages of a TCP stream (the orig_ev and resp_ev
 * columns of bh-sessions(1)): where the head keeps the first bytes of
 * each side, this keeps, bounded, the start of every later message, so
 * that a rule can see what the head cannot: the second HTTP transaction
 * of a keep-alive connection, a stage behind a length prefix, the
 * commands typed into a shell, an IRC or FTP command deep in the stream.
 *
 * Three kinds of item, each with the stream offset where it starts:
 *   m  the first BH_EV_ITEM bytes of a message: what a side sends after
 *      the other side spoke (a turn), or after a short pushed binary
 *      message of its own (a stager and the stage after it);
 *   h  an HTTP request or response condensed: its first line, the
 *      headers a rule needs (Host, Content-Type, Content-Length,
 *      Content-Encoding, Content-Disposition, Location, Transfer-
 *      Encoding), the empty line and the first BH_EV_BODY body bytes, so
 *      the patterns written for a head match it (RFC 9112 section 2.1);
 *   l  a text line inside a message that carries a command or a
 *      reference (a URL, a transfer command, a shell prompt, an FTP or
 *      IRC command): the keywords below.
 * An item is kept while the side's arena has room; later ones are
 * counted.  Bytes are taken in stream order only (the caller gives the
 * bytes beyond what it gave before); a hole ends the item in progress.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bh.h"

/* Per-side parse state. */
enum {
	ST_NONE = 0,	/* no message yet */
	ST_TEXT,	/* a text message: lines are scanned */
	ST_SKIP,	/* a text line too long: skipping to its end */
	ST_BIN,		/* a binary message: only its start is kept */
	ST_H_LINE0,	/* HTTP: the request or status line */
	ST_H_HDR,	/* HTTP: header lines */
	ST_H_BODY,	/* HTTP: the first body bytes */
	ST_DONE		/* nothing more to take from this message */
};

#define ITEM_HDR	7	/* kind, offset (4), length (2) */
#define LINE0_MAX	128	/* HTTP first line kept */
#define HDR_LIMIT	16384	/* header bytes looked through */
#define PUSH_SHORT	512	/* a pushed binary message this short ends */

void
bh_ev_init(struct bh_ev *e, uint32_t head_max)
{
	int d;

	/* The buffers (hl, pend, arena: nearly all of the 2.5 KiB) are read
	 * only up to the lengths kept beside them, so only the state before
	 * them is cleared: a session's evidence costs no page of writes. */
	for (d = 0; d < 2; d++)
		memset(&e->side[d], 0, offsetof(struct bh_ev_side, hl));
	e->next = 0;
	e->last = -1;
	e->head_max = head_max;
}

static int
is_text_byte(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' ||
	    c == '\n';
}

/* A byte of a text line: text, or one of IRC's in-line controls (CTCP's
 * 0x01 around "DCC SEND ...", mIRC's bold 0x02, colour 0x03, reset
 * 0x0f, reverse 0x16, italic 0x1d, underline 0x1f), which bots' channels
 * are full of. */
static int
is_line_byte(unsigned char c)
{
	return is_text_byte(c) || c == 0x01 || c == 0x02 || c == 0x03 ||
	    c == 0x0f || c == 0x16 || c == 0x1d || c == 0x1f;
}

/* RFC 9110 section 9 methods, and WebDAV's, followed by a blank. */
static int
is_http_start(const unsigned char *p, size_t n)
{
#define STARTS(s) (n >= sizeof(s) - 1 && memcmp(p, s, sizeof(s) - 1) == 0)
	/* Every start is upper case: the first letter ends most tests. */
	if (n == 0)
		return 0;
	switch (p[0]) {
	case 'C':
		return STARTS("CONNECT ");
	case 'D':
		return STARTS("DELETE ");
	case 'G':
		return STARTS("GET ");
	case 'H':
		return STARTS("HTTP/1.") || STARTS("HEAD ");
	case 'O':
		return STARTS("OPTIONS ");
	case 'P':
		return STARTS("POST ") || STARTS("PUT ") || STARTS("PATCH ") ||
		    STARTS("PROPFIND ");
	case 'T':
		return STARTS("TRACE ");
	}
	return 0;
#undef STARTS
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Does p[0..n) start with s (lower case) without regard to case? */
static int
has_prefix(const unsigned char *p, size_t n, const char *s)
{
	size_t j;

	for (j = 0; s[j] != '\0'; j++)
		if (j >= n || lower(p[j]) != s[j])
			return 0;
	return 1;
}

/*
 * Does a text line carry a command or a reference?  The keywords were
 * read from the payloads of public captures: a Windows bind shell after
 * MS08-067 (its "C:\...>" prompt, "echo open HOST PORT >> o", "ftp -n
 * -s:o", "tftp -i HOST GET FILE"), the UnrealIRCd backdoor's "sh -c" and
 * a Unix dropper ("cd /tmp; wget http://...; chmod +x ..."), the IRC of
 * a bot (a 332 topic or PRIVMSG carrying "!cmd http://..."), a DCC SEND
 * offer, and FTP (the 227 reply and PORT command that name the data
 * address, 530 refusals of a brute force, RETR and STOR).
 */
static int
line_wanted(const unsigned char *p, size_t n)
{
	static const char *const word[] = {
		"http://", "https://", "ftp://", "tftp", "wget ", "curl ",
		"echo ", "ftp ", "cmd ", "cmd.exe", "chmod ", "/bin/", "sh -c",
		"busybox", ".exe", "powershell", "cd /tmp", "dcc send",
		"privmsg", "topic", "nc -", "net user", "start ",
	};
	/* FTP and IRC commands (4 letters) and replies (3 digits), each
	 * with its blank */
	static const char verb[][5] = {
		"PORT", "EPRT", "RETR", "STOR", "USER", "PASS",
	};
	static const char reply[][4] = {
		"227", "229", "332", "530", "230", "150", "226",
	};
	static unsigned char first[256];
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_line_byte(p[i]))
			return 0;
	/* A drive-letter prompt, "C:\WINDOWS\system32>". */
	if (n >= 3 && ((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') &&
	    p[1] == ':' && p[2] == '\\')
		return 1;
	for (i = 0; n >= 5 && p[4] == ' ' &&
	    i < sizeof(verb) / sizeof(verb[0]); i++)
		if (memcmp(p, verb[i], 4) == 0)
			return 1;
	for (i = 0; n >= 4 && p[3] == ' ' &&
	    i < sizeof(reply) / sizeof(reply[0]); i++)
		if (memcmp(p, reply[i], 3) == 0)
			return 1;
	/* One pass: the words are tried only where their first letter
	 * stands (a line is at most BH_EV_ITEM bytes). */
	if (!first[(unsigned char)word[0][0]])
		for (i = 0; i < sizeof(word) / sizeof(word[0]); i++)
			first[(unsigned char)word[i][0]] = 1;
	for (i = 0; i < n; i++) {
		int c = lower(p[i]);
		size_t w;

		if (!first[c])
			continue;
		for (w = 0; w < sizeof(word) / sizeof(word[0]); w++)
			if (word[w][0] == c && has_prefix(p + i, n - i, word[w]))
				return 1;
	}
	return 0;
}

/* Keep the pending item of s (if any) in the arena, or count it.  An
 * HTTP message that the head holds whole needs no item. */
static void
commit(const struct bh_ev *e, struct bh_ev_side *s)
{
	size_t need;

	if (s->pend_kind == 0)
		return;
	if (s->pend_kind == 'h' && s->pend_off == 0 &&
	    s->msg_len <= e->head_max) {
		s->pend_kind = 0;
		s->pend_len = 0;
		return;
	}
	need = ITEM_HDR + s->pend_len;
	if (s->pend_len > 0 && s->used + need <= BH_EV_ARENA) {
		unsigned char *a = s->arena + s->used;

		a[0] = s->pend_kind;
		memcpy(a + 1, &s->pend_off, 4);
		memcpy(a + 5, &s->pend_len, 2);
		memcpy(a + ITEM_HDR, s->pend, s->pend_len);
		s->used = (uint16_t)(s->used + need);
		s->kept++;
	} else if (s->pend_len > 0 && s->dropped < UINT16_MAX)
		s->dropped++;
	s->pend_kind = 0;
	s->pend_len = 0;
}

static void
pend_start(struct bh_ev_side *s, int kind, uint32_t off)
{
	s->pend_kind = (uint8_t)kind;
	s->pend_off = off;
	s->pend_len = 0;
}

static void
pend_add(struct bh_ev_side *s, const void *p, size_t n)
{
	if (n > BH_EV_PEND - (size_t)s->pend_len)
		n = BH_EV_PEND - (size_t)s->pend_len;
	memcpy(s->pend + s->pend_len, p, n);
	s->pend_len = (uint16_t)(s->pend_len + n);
}

/* The end of a text line of an 'l' item: keep it if it is wanted. */
static void
line_end(struct bh_ev *e, struct bh_ev_side *s)
{
	size_t n = s->pend_len;

	while (n > 0 && (s->pend[n - 1] == '\r' || s->pend[n - 1] == '\n'))
		n--;
	s->pend_len = (uint16_t)n;
	/* A line the head shows whole needs no item. */
	if ((uint64_t)s->pend_off + s->pend_len + 1 > e->head_max &&
	    line_wanted(s->pend, n))
		commit(e, s);
	else {
		s->pend_kind = 0;
		s->pend_len = 0;
	}
}

/* End the pending item where it stands: a line is tested first. */
static void
finish(struct bh_ev *e, struct bh_ev_side *s)
{
	if (s->pend_kind == 'l')
		line_end(e, s);
	else
		commit(e, s);
}

/* An HTTP header line of interest (RFC 9110 field names). */
static int
header_wanted(const unsigned char *p, size_t n)
{
	static const char *const name[] = {
		"host:", "content-type:", "content-length:",
		"content-encoding:", "content-disposition:", "location:",
		"transfer-encoding:",
	};
	size_t i, k, j;

	for (i = 0; i < sizeof(name) / sizeof(name[0]); i++) {
		k = strlen(name[i]);
		if (n < k)
			continue;
		for (j = 0; j < k && lower(p[j]) == name[i][j]; j++)
			;
		if (j == k)
			return 1;
	}
	return 0;
}

/* One byte at offset off of an HTTP message of side s. */
static void
http_byte(const struct bh_ev *e, struct bh_ev_side *s, unsigned char c)
{
	switch (s->st) {
	case ST_H_LINE0:
		if (c == '\n') {
			if (s->pend_len > 0 && s->pend[s->pend_len - 1] == '\r')
				s->pend_len--;
			s->st = ST_H_HDR;
			s->hl_len = 0;
		} else if (s->pend_len < LINE0_MAX)
			pend_add(s, &c, 1);
		break;
	case ST_H_HDR:
		if (++s->hdr_bytes > HDR_LIMIT) {
			commit(e, s);
			s->st = ST_DONE;
			break;
		}
		if (c != '\n') {
			if (s->hl_len < sizeof(s->hl))
				s->hl[s->hl_len++] = c;
			break;
		}
		if (s->hl_len > 0 && s->hl[s->hl_len - 1] == '\r')
			s->hl_len--;
		if (s->hl_len == 0) {
			pend_add(s, "\r\n\r\n", 4);
			s->st = ST_H_BODY;
			s->body = 0;
		} else if (header_wanted(s->hl, s->hl_len)) {
			pend_add(s, "\r\n", 2);
			pend_add(s, s->hl, s->hl_len);
		}
		s->hl_len = 0;
		break;
	case ST_H_BODY:
		pend_add(s, &c, 1);
		if (++s->body >= BH_EV_BODY) {
			commit(e, s);
			s->st = ST_DONE;
		}
		break;
	}
}

/* A new message of side s at offset off, whose first bytes are p. */
static void
message_start(struct bh_ev *e, struct bh_ev_side *s, uint32_t off,
    const unsigned char *p, size_t n)
{
	finish(e, s);
	s->msg_off = off;
	s->msg_len = 0;
	s->hdr_bytes = 0;
	if (is_http_start(p, n)) {
		pend_start(s, 'h', off);
		s->st = ST_H_LINE0;
		return;
	}
	s->st = is_text_byte(p[0]) ? ST_TEXT : ST_BIN;
	s->bol = 1;
	/* The message at offset 0 is the head already. */
	if (off != 0 || e->head_max == 0)
		pend_start(s, 'm', off);
}

void
bh_ev_data(struct bh_ev *e, int d, uint32_t off, const unsigned char *p,
    size_t n, int push)
{
	struct bh_ev_side *s = &e->side[d & 1];
	size_t i, k;
	int turn;

	if (n == 0)
		return;
	if (s->st != ST_NONE && (int32_t)(s->end - off) > 0) {
		/* Bytes given before (a retransmission) are not new. */
		k = s->end - off;
		if (k >= n)
			return;
		p += k;
		n -= k;
		off = s->end;
	}
	if (s->st != ST_NONE && off != s->end) {
		/* A hole (bytes not captured): what follows it is no
		 * longer known to start a line or a message. */
		finish(e, s);
		if (s->st == ST_TEXT)
			s->st = ST_SKIP;
		else if (s->st != ST_SKIP)
			s->st = ST_DONE;
	}
	s->end = off + (uint32_t)n;
	turn = e->last != d || s->st == ST_NONE || s->split;
	s->split = 0;
	if (turn) {
		if (e->last >= 0 && e->last != d)
			finish(e, &e->side[!d]);
		e->last = (int8_t)d;
		message_start(e, s, off, p, n);
	}
	/* Each state takes the bytes it can in one step (memchr for the
	 * line ends, one copy for the kept bytes): every payload byte of
	 * the capture passes here. */
	for (i = 0; i < n; i += k) {
		const unsigned char *nl;
		size_t room;

		k = n - i;
		switch (s->st) {
		case ST_TEXT:
			if (s->pend_kind == 'm') {
				room = BH_EV_ITEM - (size_t)s->pend_len;
				if (k > room)
					k = room;
				pend_add(s, p + i, k);
				s->bol = p[i + k - 1] == '\n';
				if (s->pend_len >= BH_EV_ITEM) {
					commit(e, s);
					if (!s->bol)
						s->st = ST_SKIP;
				}
			} else if (s->pend_kind == 'l') {
				room = BH_EV_ITEM - (size_t)s->pend_len;
				if (k > room)
					k = room;
				nl = memchr(p + i, '\n', k);
				if (nl != NULL)
					k = (size_t)(nl - (p + i)) + 1;
				pend_add(s, p + i, k);
				s->bol = nl != NULL;
				if (nl != NULL)
					line_end(e, s);
				else if (s->pend_len >= BH_EV_ITEM) {
					line_end(e, s);
					s->st = ST_SKIP;
				}
			} else if (!s->bol) {
				nl = memchr(p + i, '\n', k);
				if (nl != NULL) {
					k = (size_t)(nl - (p + i)) + 1;
					s->bol = 1;
				}
			} else if (p[i] == '\n')
				k = 1;
			else {
				/* A line starts: the 'l' case takes it. */
				pend_start(s, 'l', off + (uint32_t)i);
				k = 0;
			}
			break;
		case ST_SKIP:
			nl = memchr(p + i, '\n', k);
			if (nl != NULL) {
				k = (size_t)(nl - (p + i)) + 1;
				s->st = ST_TEXT;
				s->bol = 1;
			}
			break;
		case ST_BIN:
			if (s->pend_kind == 'm') {
				room = BH_EV_ITEM - (size_t)s->pend_len;
				if (k > room)
					k = room;
				pend_add(s, p + i, k);
				if (s->pend_len >= BH_EV_ITEM)
					commit(e, s);
			}
			break;
		case ST_H_LINE0:
		case ST_H_HDR:
		case ST_H_BODY:
			http_byte(e, s, p[i]);
			k = 1;
			break;
		default:
			break;
		}
		s->msg_len += (uint32_t)k;
	}
	/* A short pushed binary message ends there: a stager, then the
	 * stage it reads, both from the same side. */
	if (push && s->st == ST_BIN && s->msg_len <= PUSH_SHORT)
		s->split = 1;
}

void
bh_ev_end(struct bh_ev *e)
{
	int d;

	for (d = 0; d < 2; d++)
		finish(e, &e->side[d]);
}

size_t
bh_ev_format_max(void)
{
	/* Every byte as \xHH, and per item its kind, offset and colon,
	 * its separator, and the count of the items not kept. */
	return 4 * (size_t)BH_EV_ARENA +
	    (BH_EV_ARENA / ITEM_HDR + 1) * 14 + 24;
}

size_t
bh_ev_format(const struct bh_ev *e, int d, const unsigned char *head,
    size_t head_len, char *dst)
{
	const struct bh_ev_side *s;
	char *o = dst;
	size_t pos = 0;
	uint32_t off;
	uint16_t len;

	if (e == NULL || (e->side[d & 1].kept == 0 &&
	    e->side[d & 1].dropped == 0)) {
		memcpy(dst, "-", 2);
		return 1;
	}
	s = &e->side[d & 1];
	while (pos + ITEM_HDR <= s->used) {
		memcpy(&off, s->arena + pos + 1, 4);
		memcpy(&len, s->arena + pos + 5, 2);
		if (o != dst)
			*o++ = ',';
		*o++ = (char)s->arena[pos];
		o += bh_fmt_u64(o, off);
		/* A message the head holds whole: where, and how long. */
		if (s->arena[pos] == 'm' && head != NULL &&
		    (uint64_t)off + len <= head_len &&
		    memcmp(head + off, s->arena + pos + ITEM_HDR, len) == 0) {
			*o++ = '/';
			o += bh_fmt_u64(o, len);
		} else {
			*o++ = ':';
			o += bh_escape_item(o, s->arena + pos + ITEM_HDR, len);
		}
		pos += ITEM_HDR + len;
	}
	if (s->dropped > 0)
		o += sprintf(o, "%s+%u", o == dst ? "" : ",",
		    (unsigned)s->dropped);
	*o = '\0';
	return (size_t)(o - dst);
}
