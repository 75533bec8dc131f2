/*
 * fuzz_ev - lib/evidence.c, the messages of a TCP stream (orig_ev,
 * resp_ev), driven directly: the stream offsets, the sides, the holes,
 * the retransmissions and the PSH flags of every segment are the
 * input's, as an attacker controls them on the wire (through bh-sessions
 * they are also fuzzed by fuzz_pkt and fuzz_pcap, less directly).
 *
 * Input: byte 0 picks the head size the lines are measured against
 * (0, 1, 64, 256); then segments, each a 4-byte header -- side and PSH
 * (bits 0 and 1 of byte 0), the offset step (bytes 1-2, signed: back for
 * a retransmission, forward for a hole), the length (byte 3) -- and its
 * bytes, cut at the end of the input.
 *
 * Checked besides memory safety: each column is within bh_ev_format_max,
 * printable ASCII without TAB, "-" or a list of items "KOFF:TEXT" of the
 * kinds m, h, l (and a last "+N") whose offset is a 32-bit number, whose
 * text unescapes (bh_unescape) to at most an item's bytes, and which
 * together fit the arena; a line item (l) is text (IRC's in-line
 * controls 0x01-0x03, 0x0f, 0x16, 0x1d and 0x1f allowed); an item
 * "mOFF/LEN" names bytes that the head (made here as bh-sessions makes
 * it: the first copy of each byte, up to the first hole) holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "fz.h"

/* Each side's head as lib/flow.c keeps it: the first copy of each of
 * its bytes; its length is that of the bytes without a hole. */
static unsigned char head[2][256], have[2][256];

static size_t
head_len(int d, uint32_t max)
{
	size_t n = 0;

	while (n < max && have[d][n])
		n++;
	return n;
}

static void
check(const struct bh_ev *e, int d, uint32_t hmax)
{
	static char *buf;
	static unsigned char *raw;
	size_t max = bh_ev_format_max(), n, bytes = 0, j;
	char *item, *save, *colon, *endp;
	unsigned long off;
	long k;

	if (buf == NULL) {
		buf = xmalloc(max + 1);
		raw = xmalloc(max + 1);
	}
	n = bh_ev_format(e, d, head[d], head_len(d, hmax), buf);
	if (n > max || strlen(buf) != n)
		bh_fuzz_fail("evidence longer than its bound", buf, n);
	if (!bh_fuzz_is_text(buf, n) || strchr(buf, '\t') != NULL)
		bh_fuzz_fail("evidence not printable", buf, n);
	if (strcmp(buf, "-") == 0)
		return;
	for (item = strtok_r(buf, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		if (item[0] == '+') {
			if (strtoul(item + 1, &endp, 10) == 0 || *endp != '\0')
				bh_fuzz_fail("bad count of items not kept",
				    item, strlen(item));
			continue;
		}
		off = strtoul(item + 1, &endp, 10);
		colon = endp;
		if (item[0] == 'm' && *endp == '/') {
			uint32_t o, l;

			if (bh_ev_ref(item, &o, &l) == -1 || o != off ||
			    (size_t)o + l > head_len(d, hmax))
				bh_fuzz_fail("a reference beyond the head", item,
				    strlen(item));
			bytes += l;
			continue;
		}
		if (strchr("mhl", item[0]) == NULL || *colon != ':' ||
		    endp == item + 1 || off > UINT32_MAX)
			bh_fuzz_fail("evidence item malformed", item,
			    strlen(item));
		if ((k = bh_unescape(raw, colon + 1)) < 0)
			bh_fuzz_fail("evidence item does not unescape", item,
			    strlen(item));
		if (k > BH_EV_PEND)
			bh_fuzz_fail("evidence item longer than an item", item,
			    strlen(item));
		/* a line item is a text line (a pending line ended by a
		 * turn was once kept untested) */
		for (j = 0; item[0] == 'l' && j < (size_t)k; j++)
			if ((raw[j] < 0x20 || raw[j] >= 0x7f) &&
			    raw[j] != '\t' && raw[j] != '\r' && (raw[j] == 0 ||
			    strchr("\001\002\003\017\026\035\037",
			    raw[j]) == NULL))
				bh_fuzz_fail("line item is not text", item,
				    strlen(item));
		bytes += (size_t)k;
	}
	if (bytes > BH_EV_ARENA)
		bh_fuzz_fail("evidence beyond its arena", NULL, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t heads[] = { 0, 1, 64, 256 };
	struct bh_ev *e;
	uint32_t off[2] = { 0, 0 }, len, j;
	size_t i = 1;
	int16_t step;
	int d;

	if (size < 1)
		return 0;
	e = xmalloc(sizeof(*e));
	bh_ev_init(e, heads[data[0] & 3]);
	memset(have, 0, sizeof(have));
	while (i + 4 <= size) {
		d = data[i] & 1;
		step = (int16_t)(data[i + 1] | data[i + 2] << 8);
		len = data[i + 3];
		i += 4;
		if (len > size - i)
			len = (uint32_t)(size - i);
		off[d] += (uint32_t)(int32_t)step;
		for (j = 0; j < len; j++)
			if (off[d] + j < heads[data[0] & 3] &&
			    !have[d][off[d] + j]) {
				head[d][off[d] + j] = data[i + j];
				have[d][off[d] + j] = 1;
			}
		bh_ev_data(e, d, off[d], data + i, len, (data[i - 4] & 2) != 0);
		off[d] += len;
		i += len;
	}
	bh_ev_end(e);
	for (d = 0; d < 2; d++)
		check(e, d, heads[data[0] & 3]);
	free(e);
	return 0;
}
