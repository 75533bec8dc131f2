/*
 * fuzz_pcap - bh-sessions reading an arbitrary file: libpcap's pcap and
 * pcapng readers, the link types, the decoder, the session table and the
 * record formatting, through the tool's own main().
 *
 * The input is the capture file.  Its length modulo 4 picks one of four
 * command lines (defaults with the summary; a tiny session cap and no
 * heads; short timeouts; local networks, --strict and the file given
 * twice, as a rotated capture), so every seed runs under each as it
 * grows or shrinks.  The session cap is kept small in all four: the
 * default's megabytes of tables per run would cost more time than the
 * whole run (tests/hostile.bats runs the default cap).
 *
 * Checked besides memory safety: the exit status is 0, 1 or 2; stdout is
 * a record stream of exactly the 42 session columns whose every record is
 * printable ASCII (no payload byte reaches it unescaped), whatever the
 * file holds; each head is exactly what bh_escape() writes for the bytes
 * it unescapes to (bh-sessions escapes through a table of its own).
 */
#include "fz.h"

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#include "../cmd/bh-sessions.c"
#undef main
BH_FUZZ_STATE_END

#define NCOLUMNS	(sizeof(columns) / sizeof(columns[0]))

/* The heads (the last two columns) are canonical escapes. */
static void
check_heads(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl, *f;
	unsigned char *raw;
	char *field, *esc;
	size_t n;
	long k;
	int tabs, i;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (*p == '#')
			continue;
		/* the start of the second-last field */
		for (f = nl, tabs = 0; f > p && tabs < 2; f--)
			if (f[-1] == '\t')
				tabs++;
		for (i = 0; i < 2; i++) {
			f++;
			n = (size_t)((const char *)memchr(f, i == 0 ? '\t' :
			    '\n', (size_t)(nl + 1 - f)) - f);
			field = bh_fuzz_malloc(n + 1);
			memcpy(field, f, n);
			field[n] = '\0';
			raw = bh_fuzz_malloc(n + 1);
			esc = bh_fuzz_malloc(4 * n + 5);
			if (strcmp(field, "-") != 0) {
				if ((k = bh_unescape(raw, field)) <= 0)
					bh_fuzz_fail("head does not unescape",
					    buf, len);
				bh_escape(esc, raw, (size_t)k);
				if (strcmp(esc, field) != 0)
					bh_fuzz_fail("head is not bh_escape() "
					    "of its bytes", buf, len);
			}
			bh_fuzz_free(field);
			bh_fuzz_free(raw);
			bh_fuzz_free(esc);
			f += n;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_fuzz_result res;
	const char *path = bh_fuzz_file(0, data, size);
	const char *argv[16];
	int argc = 0;

	argv[argc++] = "bh-sessions";
	argv[argc++] = "-q";
	switch (size % 4) {
	case 0:
		argc = 1;			/* with the summary */
		argv[argc++] = "-m";
		argv[argc++] = "64";
		break;
	case 1:
		argv[argc++] = "-m";
		argv[argc++] = "2";
		argv[argc++] = "-s";
		argv[argc++] = "0";
		break;
	case 2:
		argv[argc++] = "-m";
		argv[argc++] = "8";
		argv[argc++] = "-s";
		argv[argc++] = "17";
		argv[argc++] = "-t";
		argv[argc++] = "tcp=1,udp=0.5,other=0.5,linger=0.1";
		break;
	case 3:
		argv[argc++] = "--strict";
		argv[argc++] = "-L";
		argv[argc++] = "10.0.0.0/8";
		argv[argc++] = "-L";
		argv[argc++] = "2001:db8::/32";
		argv[argc++] = "-s";
		argv[argc++] = "1000";
		argv[argc++] = "-m";
		argv[argc++] = "100";
		argv[argc++] = path;
		break;
	}
	argv[argc++] = path;
	bh_fuzz_main(argc, argv, NULL, &res);
	bh_fuzz_check_stream(res.out, res.outlen, 1, NCOLUMNS);
	if (res.outlen == 0)
		bh_fuzz_fail("no header", res.out, res.outlen);
	check_heads(res.out, res.outlen);
	return 0;
}
