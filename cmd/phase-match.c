/*
 * phase-match.c - bh-phase's matching: a record's heads against the
 * rules, the phase and the dir it fills.
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

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

	if (phst.lower_gen[side] == phst.memo_now)
		return phst.lower_buf[side];
	if (n > phst.lower_cap[side]) {
		phst.lower_cap[side] = n;
		phst.lower_buf[side] = xrealloc(phst.lower_buf[side], n);
	}
	lower_ascii(phst.lower_buf[side], head, n);
	phst.lower_gen[side] = phst.memo_now;
	return phst.lower_buf[side];
}

/* Text k of side (0: the head, else evidence item k - 1) in lower case. */
static const char *
lower_text(int side, const struct rec *rc, int k)
{
	const char *t;
	size_t n;

	if (k == 0)
		return lower_head(side, rc->head[side]);
	t = rc->item[side][k - 1];
	if (phst.ev_lower_gen[side] != phst.memo_now) {
		/* The items are NUL-separated in one buffer: one pass. */
		n = (size_t)(rc->item[side][rc->nitem[side] - 1] -
		    phst.ev_buf[side]) + strlen(rc->item[side][rc->nitem[side] -
		    1]) + 1;
		lower_ascii(phst.ev_lower[side], phst.ev_buf[side], n);
		phst.ev_lower_gen[side] = phst.memo_now;
	}
	return phst.ev_lower[side] + (t - phst.ev_buf[side]);
}

/*
 * Which letter pairs text k of side holds, in lower case: a 4096-bit
 * set made once per text and record.  A literal one of whose pairs is
 * not in the set is not in the text, so most strstr() calls -- some
 * forty rules' literals over every head and evidence item -- end
 * there.  The set is of lower-cased pairs, so it serves the
 * case-sensitive tests as well as the icase ones.
 */
#define BIGRAM(a, b) ((((unsigned)lower_c(a) << 4) ^ (unsigned)lower_c(b)) & \
	(BIGRAM_WORDS * 64 - 1))

static unsigned
lower_c(int c)
{
	return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static const uint64_t *
text_bigrams(int side, const struct rec *rc, int k)
{
	const unsigned char *t;
	size_t slot = (size_t)side * (BH_EV_READ + 1) + (size_t)k, i, n;
	uint64_t *b;

	if (phst.bigrams == NULL) {
		phst.bigrams = xreallocarray(NULL, 2 * (BH_EV_READ + 1),
		    sizeof(*phst.bigrams));
		phst.bigrams_gen = xreallocarray(NULL, 2 * (BH_EV_READ + 1),
		    sizeof(*phst.bigrams_gen));
		memset(phst.bigrams_gen, 0, 2 * (BH_EV_READ + 1) *
		    sizeof(*phst.bigrams_gen));
	}
	b = phst.bigrams[slot];
	if (phst.bigrams_gen[slot] == phst.memo_now)
		return b;
	memset(b, 0, sizeof(phst.bigrams[0]));
	/* From the text in lower case (made with SSE2, and needed by the
	 * icase tests anyway). */
	t = (const unsigned char *)lower_text(side, rc, k);
	n = strlen((const char *)t);
	for (i = 0; i + 1 < n; i++) {
		unsigned h = ((unsigned)t[i] << 4 ^ t[i + 1]) &
		    (BIGRAM_WORDS * 64 - 1);

		b[h >> 6] |= (uint64_t)1 << (h & 63);
	}
	phst.bigrams_gen[slot] = phst.memo_now;
	return b;
}

/* Whether every letter pair of s is in the set b (then s may be in the
 * text; if not, it is not). */
static int
bigrams_admit(const uint64_t *b, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && s[i + 1] != '\0'; i++) {
		unsigned h = BIGRAM(s[i], s[i + 1]);

		if (!(b[h >> 6] & (uint64_t)1 << (h & 63)))
			return 0;
	}
	return 1;
}

/* Whether one of the test's literals is in text k of side (at its start
 * when anchored); icase literals are in lower case already. */
static int
lit_pass(const struct lit *l, int side, const struct rec *rc, int k,
    const char *text, int icase)
{
	const uint64_t *bg = NULL;
	size_t j;

	if (!l->anchored)
		bg = text_bigrams(side, rc, k);
	if (icase && !l->anchored)
		text = lower_text(side, rc, k);
	for (j = 0; j < l->n; j++) {
		if (bg != NULL && !bigrams_admit(bg, l->alt[j]))
			continue;
		if (l->anchored) {
			if ((icase ? strncasecmp(text, l->alt[j],
			    strlen(l->alt[j])) : strncmp(text, l->alt[j],
			    strlen(l->alt[j]))) == 0)
				return 1;
		} else if (strstr(text, l->alt[j]) != NULL)
			return 1;
	}
	return 0;
}

/*
 * The bytes an escaped text starts with, up to cap: the inverse of
 * bh(7)'s escaping, stopping at the end or at a malformed escape.
 */
static size_t
unescape_prefix(unsigned char *dst, size_t cap, const char *s)
{
	size_t n = 0;
	int hi, lo;

	while (*s != '\0' && n < cap) {
		if (*s != '\\') {
			dst[n++] = (unsigned char)*s++;
			continue;
		}
		switch (s[1]) {
		case '\\': dst[n++] = '\\'; s += 2; break;
		case 't': dst[n++] = '\t'; s += 2; break;
		case 'n': dst[n++] = '\n'; s += 2; break;
		case 'r': dst[n++] = '\r'; s += 2; break;
		case 'x':
			if ((hi = bh_hexval(s[2])) < 0 || s[2] == '\0' ||
			    (lo = bh_hexval(s[3])) < 0)
				return n;
			dst[n++] = (unsigned char)(hi << 4 | lo);
			s += 4;
			break;
		default:
			return n;
		}
	}
	return n;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * "@exe": the text starts with an executable, after a length prefix of
 * up to 4 bytes (Metasploit's stages are sent as a 4-byte length and the
 * image: the Meterpreter stage after EternalRomance starts "/&\x12\x00MZ").
 * ELF: the magic, a class and a byte order that exist, version 1 (the
 * ELF specification, e_ident).  PE (Microsoft PE/COFF specification
 * 3.0): "MZ", then where e_lfanew (offset 0x3c) points, when that is in
 * the bytes at hand, "PE\0\0"; when it is not, the DOS stub's message or,
 * with too few bytes for either, a DOS header whose header size
 * (e_cparhdr, offset 8) is at least the 4 paragraphs of its fields.
 */
static int
det_exe(const char *text)
{
	unsigned char b[BH_EV_PEND > 256 ? BH_EV_PEND + 64 : 320];
	size_t n = unescape_prefix(b, sizeof(b), text), k, i;
	uint32_t lfa;
	static const char stub[] = "This program ";

	for (k = 0; k <= 4 && k + 4 <= n; k++) {
		const unsigned char *m = b + k, *end = b + n;

		if (m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F')
			return n >= k + 7 && (m[4] == 1 || m[4] == 2) &&
			    (m[5] == 1 || m[5] == 2) && m[6] == 1;
		if (m[0] != 'M' || m[1] != 'Z')
			continue;
		if (end - m < 0x40)
			return end - m >= 10 && (m[8] | m[9] << 8) >= 4;
		lfa = le32(m + 0x3c);
		if (lfa < 0x40 || lfa > 0x10000)
			return 0;
		if ((size_t)(end - m) >= (size_t)lfa + 4)
			return memcmp(m + lfa, "PE\0\0", 4) == 0;
		for (i = 0x40; m + i + sizeof(stub) - 1 <= end; i++)
			if (memcmp(m + i, stub, sizeof(stub) - 1) == 0)
				return 1;
		return 0;
	}
	return 0;
}

/* Whether pattern pt matches text k of its side (the head or an item). */
static int
text_match(const struct rule *ru, const struct pat *pt, const struct rec *rc,
    int k, const char *text)
{
	int m, t;

	if (pt->det == DET_EXE)
		return det_exe(text);
	for (t = 0, m = 1; m && t < pt->pre->n; t++)
		m = lit_pass(&pt->pre->t[t], pt->side == SIDE_RESP, rc, k, text,
		    ru->flags & F_ICASE);
	if (m && !pt->pre->exact)
		m = regexec(&pt->re, text, 0, NULL, 0) == 0;
	return m;
}

/* Whether pattern pt matches the head or an evidence item of its side,
 * remembered for the current record. */
static int
pat_match(const struct rule *ru, const struct pat *pt, const struct rec *rc)
{
	int side = pt->side == SIDE_RESP, m = 0, k;

	if (phst.memo_gen[pt->id] == phst.memo_now)
		return phst.memo_val[pt->id];
	if (rc->head[side] != NULL)
		m = text_match(ru, pt, rc, 0, rc->head[side]);
	for (k = 0; !m && k < rc->nitem[side]; k++)
		m = text_match(ru, pt, rc, k + 1, rc->item[side][k]);
	phst.memo_gen[pt->id] = phst.memo_now;
	phst.memo_val[pt->id] = (unsigned char)m;
	return m;
}

/* Whether the proto, ports and flag e of rule ru admit the record. */
int
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
	if ((ru->flags & F_ORIG_EMPTY) && (!rc->oempty || !rc->greeting))
		return 0;
	/* A payload-less piece of a connection whose SYN was not seen (a
	 * stray RST, the last ACKs) is no probe. */
	if ((ru->flags & (F_EMPTY | F_ORIG_EMPTY)) && rc->midstream)
		return 0;
	return 1;
}

/* Index of the first rule (not a link rule) that matches, or -1. */
int
classify(const struct rec *rc)
{
	size_t i, k;
	const struct rule *ru;

	if (++phst.memo_now == 0) {
		memset(phst.memo_gen, 0, (size_t)phst.npat_ids * sizeof(*phst.memo_gen));
		if (phst.bigrams_gen != NULL)
			memset(phst.bigrams_gen, 0, 2 * (BH_EV_READ + 1) *
			    sizeof(*phst.bigrams_gen));
		phst.memo_now = 1;
	}
	for (i = 0; i < phst.nrules; i++) {
		ru = phst.rules[i];
		if (ru->linker != LK_NONE || (ru->need & ~rc->headmask) != 0 ||
		    !rule_gate(ru, rc))
			continue;
		for (k = 0; k < ru->npat; k++)
			if (!pat_match(ru, &ru->pat[k], rc))
				break;
		if (k == ru->npat)
			return (int)i;
	}
	return -1;
}

/* The phase of rule i for a session whose input dir is dir: an inbound
 * phase (scan, infection) of a session the local host opened is an
 * attack (BotHunter's outbound scan/exploit, E5). */
int
phase_of(int i, int dir)
{
	int ph = phst.rules[i]->phase;
	/* flag r: the remote party opened it (a shell the victim opens to
	 * its attacker is inbound in this sense) */
	int out = (phst.rules[i]->flags & F_REMOTE) ? D_IN : D_OUT;

	if ((ph == PH_SCAN || ph == PH_INFECTION) && dir == out)
		return PH_ATTACK;
	return ph;
}

/* dir to write when the input's is `-`: from the phase, the originator
 * taken as local (flag r: as remote); -1 to keep the input's. */
int
dirfill_of(int i, int dir)
{
	int in;

	if (dir != D_UNSET)
		return -1;
	in = phst.rules[i]->phase == PH_SCAN || phst.rules[i]->phase == PH_INFECTION;
	if (phst.rules[i]->flags & F_REMOTE)
		in = !in;
	return in ? D_IN : D_OUT;
}
