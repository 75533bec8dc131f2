/*
 * escape.c - the field escaping of bh(7) (after Zeek's log escaping):
 * a field is always printable ASCII, so payload bytes chosen by an attacker
 * can neither break the record structure nor drive a terminal.
 */
#include <stdint.h>
#include <string.h>

#include "bh.h"

static const char hexdig[] = "0123456789abcdef";

/* Bytes of the escaped form of c: 1 (itself), 2 (\t...) or 4 (\xHH). */
static size_t
esc1(char *d, unsigned char c)
{
	switch (c) {
	case '\\':
		d[0] = '\\';
		d[1] = '\\';
		return 2;
	case '\t':
		d[0] = '\\';
		d[1] = 't';
		return 2;
	case '\n':
		d[0] = '\\';
		d[1] = 'n';
		return 2;
	case '\r':
		d[0] = '\\';
		d[1] = 'r';
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		d[0] = '\\';
		d[1] = 'x';
		d[2] = hexdig[c >> 4];
		d[3] = hexdig[c & 15];
		return 4;
	}
	d[0] = (char)c;
	return 1;
}

size_t
bh_escape(char *dst, const unsigned char *src, size_t n)
{
	size_t i, o = 0;

	if (n == 1 && src[0] == '-') {
		memcpy(dst, "\\x2d", 5);
		return 4;
	}
	for (i = 0; i < n; i++)
		o += esc1(dst + o, src[i]);
	dst[o] = '\0';
	return o;
}

/* Whether one of the 8 bytes of x needs escaping in a list item: < 0x20,
 * >= 0x7f, the backslash or the comma (the zero-byte test of each). */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
static int
word_special_item(uint64_t x)
{
	uint64_t lt20 = (x - 0x20 * ONES) & ~x & HIGHS;
	uint64_t ge7f = (x | (x + ONES)) & HIGHS;
	uint64_t bs = x ^ (0x5c * ONES), cm = x ^ (0x2c * ONES);

	bs = (bs - ONES) & ~bs & HIGHS;
	cm = (cm - ONES) & ~cm & HIGHS;
	return (lt20 | ge7f | bs | cm) != 0;
}

/* The escaped form of every byte in a list item, made once from esc1()
 * (with the comma as \x2c): one 4-byte copy a byte. */
static char item_str[256][4];
static unsigned char item_len[256];

static void
item_init(void)
{
	int c;

	for (c = 0; c < 256; c++)
		item_len[c] = (unsigned char)(c == ',' ?
		    (memcpy(item_str[c], "\\x2c", 4), 4) :
		    esc1(item_str[c], (unsigned char)c));
}

size_t
bh_escape_item(char *dst, const unsigned char *src, size_t n)
{
	size_t i = 0, o = 0;
	uint64_t w;

	if (item_len[0] == 0)
		item_init();
	/* 8 bytes that need no escaping are copied as they are (text);
	 * otherwise each of the 8 goes through the table (binary). */
	while (i < n) {
		size_t end = i + 8 < n ? i + 8 : n;

		if (end - i == 8) {
			memcpy(&w, src + i, 8);
			if (!word_special_item(w)) {
				memcpy(dst + o, src + i, 8);
				o += 8;
				i += 8;
				continue;
			}
		}
		for (; i < end; i++) {
			memcpy(dst + o, item_str[src[i]], 4);
			o += item_len[src[i]];
		}
	}
	dst[o] = '\0';
	return o;
}

size_t
bh_escape_bounded(char *dst, size_t cap, const unsigned char *src, size_t n,
    size_t *used)
{
	char tmp[4];
	size_t i, o = 0, k;

	if (n == 1 && src[0] == '-' && cap >= 4) {
		memcpy(dst, "\\x2d", 5);
		*used = 1;
		return 4;
	}
	for (i = 0; i < n; i++) {
		k = esc1(tmp, src[i]);
		if (o + k > cap)
			break;
		memcpy(dst + o, tmp, k);
		o += k;
	}
	dst[o] = '\0';
	*used = i;
	return o;
}

int
bh_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
bh_unescape(unsigned char *dst, const char *src)
{
	const char *p = src;
	long o = 0;
	int h, l;

	while (*p != '\0') {
		if (*p != '\\') {
			/* the run up to the next escape in one copy */
			size_t n = strcspn(p, "\\");

			memcpy(dst + o, p, n);
			o += (long)n;
			p += n;
			continue;
		}
		p++;
		switch (*p) {
		case '\\':
			dst[o++] = '\\';
			break;
		case 't':
			dst[o++] = '\t';
			break;
		case 'n':
			dst[o++] = '\n';
			break;
		case 'r':
			dst[o++] = '\r';
			break;
		case 'x':
			if ((h = bh_hexval(p[1])) < 0 || (l = bh_hexval(p[2])) < 0)
				return -1;
			dst[o++] = (unsigned char)(h << 4 | l);
			p += 2;
			break;
		default:
			return -1;
		}
		p++;
	}
	dst[o] = '\0';
	return o;
}

size_t
bh_item_text(char *dst, const char *s, size_t len)
{
	const char *end = s + len, *c;
	size_t n = 0;

	/* the runs between commas copied whole */
	for (; s < end; s = c + 1) {
		if ((c = memchr(s, ',', (size_t)(end - s))) == NULL)
			c = end;
		memcpy(dst + n, s, (size_t)(c - s));
		n += (size_t)(c - s);
		if (c == end)
			break;
		memcpy(dst + n, "\\x2c", 4);
		n += 4;
	}
	dst[n] = '\0';
	return n;
}

/* How many characters the escape at p (a backslash) takes for its one
 * raw byte (bh(7)), or 0 when it is not a well-formed one. */
static size_t
esc_width(const char *p)
{
	switch (p[1]) {
	case '\\': case 't': case 'n': case 'r':
		return 2;
	case 'x':
		return bh_hexval(p[2]) >= 0 && bh_hexval(p[3]) >= 0 ? 4 : 0;
	}
	return 0;
}

int
bh_escaped_skip(const char *t, size_t *i, size_t n)
{
	size_t j = *i, w;
	const char *p;

	while (n > 0) {
		if (t[j] != '\\') {
			/* a run of plain characters, each one byte */
			p = t + j;
			while (n > 0 && *p != '\\' && *p != '\0') {
				p++;
				n--;
			}
			if (n > 0 && *p == '\0')
				return -1;
			j = (size_t)(p - t);
			continue;
		}
		if ((w = esc_width(t + j)) == 0)
			return -1;
		j += w;
		n--;
	}
	*i = j;
	return 0;
}

int
bh_ev_ref(const char *item, uint32_t *off, uint32_t *len)
{
	const char *p = item + 1;
	uint64_t v[2] = { 0, 0 };
	int k;

	/* "m" OFFSET "/" LENGTH and nothing else (bh-sessions(1)) */
	if (item[0] != 'm')
		return -1;
	for (k = 0; k < 2; k++) {
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++)
			if ((v[k] = v[k] * 10 + (uint64_t)(*p - '0')) >
			    UINT32_MAX)
				return -1;
		if (*p++ != (k == 0 ? '/' : '\0'))
			return -1;
	}
	if (v[1] == 0 || v[1] > BH_EV_ITEM)
		return -1;
	*off = (uint32_t)v[0];
	*len = (uint32_t)v[1];
	return 0;
}

/* XML character data / attribute text: markup escaped, and any byte that
 * is not printable ASCII shown as \xHH (valid XML whatever the input). */
void
bh_xml_str(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
	}
}
