/*
 * fuzz_pcap - bh-sessions reading an arbitrary file: libpcap's pcap and
 * pcapng readers, the link types, the decoder, the session table and the
 * record formatting, through the tool's own main().
 *
 * The input is the capture file.  Its length modulo 4 picks one of four
 * command lines (defaults; a tiny session cap and no heads; short
 * timeouts; local networks, --strict and the file given twice, as a
 * rotated capture), so every seed runs under each as it grows or shrinks.
 *
 * Checked besides memory safety: the exit status is 0, 1 or 2; stdout is
 * a record stream of exactly the 42 session columns whose every record is
 * printable ASCII (no payload byte reaches it unescaped), whatever the
 * file holds.
 */
#include "fz.h"

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#include "../cmd/bh-sessions.c"
#undef main
BH_FUZZ_STATE_END

#define NCOLUMNS	(sizeof(columns) / sizeof(columns[0]))

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
		argv[0] = "bh-sessions";	/* defaults, with the summary */
		argc = 1;
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
		argv[argc++] = path;
		break;
	}
	argv[argc++] = path;
	bh_fuzz_main(argc, argv, NULL, &res);
	if (res.status < 0 || res.status > 2)
		bh_fuzz_fail("exit status not 0, 1 or 2", res.out, res.outlen);
	bh_fuzz_check_stream(res.out, res.outlen, 1, NCOLUMNS);
	if (res.outlen == 0)
		bh_fuzz_fail("no header", res.out, res.outlen);
	return 0;
}
