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

	if (phst.memo_gen[pt->id] == phst.memo_now)
		return phst.memo_val[pt->id];
	for (t = 0, m = 1; m && t < pt->pre->n; t++)
		m = lit_pass(&pt->pre->t[t], pt->side == SIDE_RESP, head,
		    ru->flags & F_ICASE);
	if (m && !pt->pre->exact)
		m = regexec(&pt->re, head, 0, NULL, 0) == 0;
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
		phst.memo_now = 1;
	}
	for (i = 0; i < phst.nrules; i++) {
		ru = phst.rules[i];
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
int
phase_of(int i, int dir)
{
	int ph = phst.rules[i]->phase;

	if ((ph == PH_SCAN || ph == PH_INFECTION) && dir == D_OUT)
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
