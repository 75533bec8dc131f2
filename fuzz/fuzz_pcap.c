/*
 * fuzz_pcap - bh-sessions reading an arbitrary file: libpcap's pcap and
 * pcapng readers, the link types, the decoder, the session table and the
 * record formatting, through the modules of bh-sessions (cmd/sessions-
 * read.c, cmd/sessions-out.c) the way its main() calls them.
 *
 * The input is the capture file.  Its length modulo 4 picks one of four
 * settings (defaults with the summary; a tiny session cap and no
 * heads; short timeouts; local networks, --strict and the file given
 * twice, as a rotated capture), so every seed runs under each as it
 * grows or shrinks.  The session cap is kept small in all four: the
 * default's megabytes of tables per run would cost more time than the
 * whole run (tests/hostile.bats runs the default cap).
 *
 * Checked besides memory safety: the exit status is 0, 1 or 2; stdout is
 * a record stream of exactly the 44 session columns whose every record is
 * printable ASCII (no payload byte reaches it unescaped), whatever the
 * file holds; each head is exactly what bh_escape() writes for the bytes
 * it unescapes to (bh-sessions escapes through a table of its own); each
 * evidence item unescapes.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "sessions.h"
#include "fz.h"

/*
 * Column c of the record line [p, nl) as a NUL-terminated copy (free
 * it), or NULL when the line has fewer columns.
 */
static char *
column(const char *p, const char *nl, int c)
{
	const char *e;
	char *v;

	for (; c > 0 && p < nl; c--) {
		if ((p = memchr(p, '\t', (size_t)(nl - p))) == NULL)
			return NULL;
		p++;
	}
	if (c > 0)
		return NULL;
	if ((e = memchr(p, '\t', (size_t)(nl - p))) == NULL)
		e = nl;
	if ((v = malloc((size_t)(e - p) + 1)) == NULL)
		abort();
	memcpy(v, p, (size_t)(e - p));
	v[e - p] = '\0';
	return v;
}

/*
 * The heads (orig_head, resp_head) are canonical escapes; the evidence
 * (orig_ev, resp_ev) is "-" or items "KOFF:TEXT" separated by ',' whose
 * every text unescapes, or "mOFF/LEN" naming bytes its side's head has.
 */
static void
check_heads(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned char *raw;
	char *field, *esc, *item, *save, *colon;
	long k, hlen[2];
	uint32_t o, l;
	int i;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (*p == '#')
			continue;
		hlen[0] = hlen[1] = 0;
		for (i = NCOLUMNS - 4; i < NCOLUMNS; i++) {
			if ((field = column(p, nl, i)) == NULL)
				bh_fuzz_fail("record without its heads", buf, len);
			if ((raw = malloc(strlen(field) + 1)) == NULL ||
			    (esc = malloc(4 * strlen(field) + 5)) == NULL)
				abort();
			if (strcmp(field, "-") == 0)
				;
			else if (i < NCOLUMNS - 2) {
				if ((k = bh_unescape(raw, field)) <= 0)
					bh_fuzz_fail("head does not unescape",
					    buf, len);
				bh_escape(esc, raw, (size_t)k);
				if (strcmp(esc, field) != 0)
					bh_fuzz_fail("head is not bh_escape() "
					    "of its bytes", buf, len);
				hlen[i - (NCOLUMNS - 4)] = k;
			} else
				for (item = strtok_r(field, ",", &save);
				    item != NULL;
				    item = strtok_r(NULL, ",", &save)) {
					if (item[0] == '+')
						continue;
					if (bh_ev_ref(item, &o, &l) == 0) {
						if ((long)o + l >
						    hlen[i - (NCOLUMNS - 2)])
							bh_fuzz_fail("a reference "
							    "beyond the head",
							    buf, len);
						continue;
					}
					if (strchr("mhl", item[0]) == NULL ||
					    (colon = strchr(item, ':')) == NULL ||
					    bh_unescape(raw, colon + 1) < 0)
						bh_fuzz_fail("evidence item "
						    "malformed", buf, len);
				}
			free(field);
			free(raw);
			free(esc);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = bh_fuzz_file(0, data, size), *out;
	struct sessions_out so;
	struct bh_flow_cfg cfg;
	struct run r;
	size_t outlen;
	int nfiles = 1, summary = 0, i;

	memset(&so, 0, sizeof(so));
	memset(&r, 0, sizeof(r));
	memset(&cfg, 0, sizeof(cfg));
	/* bh-sessions' defaults, but the cap (see above) */
	cfg.head_max = 256;
	cfg.tmo_tcp = 300 * 1000000LL;
	cfg.tmo_udp = 60 * 1000000LL;
	cfg.tmo_other = 60 * 1000000LL;
	cfg.linger = 5 * 1000000LL;
	cfg.seed = 0x5eed;
	switch (size % 4) {
	case 0:
		summary = 1;
		cfg.max_live = 64;
		break;
	case 1:
		cfg.max_live = 2;
		cfg.head_max = 0;
		break;
	case 2:
		cfg.max_live = 8;
		cfg.head_max = 17;
		cfg.tmo_tcp = 1000000;
		cfg.tmo_udp = cfg.tmo_other = 500000;
		cfg.linger = 100000;
		break;
	case 3:
		r.strict = 1;
		if (sessions_add_net(&so, "10.0.0.0/8") != 0 ||
		    sessions_add_net(&so, "2001:db8::/32") != 0)
			abort();
		cfg.head_max = 1000;
		cfg.max_live = 100;
		nfiles = 2;
		break;
	}
	sessions_out_start(&so, bh_fuzz_out(), cfg.head_max);
	cfg.emit = sessions_emit;
	cfg.arg = &so;
	r.table = bh_flow_new(&cfg);
	sessions_out_header(&so);
	for (i = 0; i < nfiles; i++)
		if (sessions_read(&r, path) == -1) {
			r.status = BH_EXIT_FATAL;
			summary = 0;
			break;
		}
	bh_flow_flush(r.table);
	if (summary)
		sessions_summary(&r, bh_flow_stats(r.table), cfg.max_live);
	bh_flow_free(r.table);
	sessions_out_free(&so);
	free(r.rd_buf);
	fflush(so.fp);
	out = bh_fuzz_out_take(&outlen);
	bh_fuzz_status(r.status, out, outlen);
	bh_fuzz_check_stream(out, outlen, 1, NCOLUMNS);
	if (outlen == 0)
		bh_fuzz_fail("no header", out, outlen);
	check_heads(out, outlen);
	return 0;
}
