/*
 * fuzz_rtt - bh-rtt: handshake legs, Karn and the timestamp option, the
 * remote leg and its data-ACK summary, on arbitrary records, through
 * main().
 *
 * Input: the first line holds options (only -T and --strict are taken);
 * the rest is the record stream.
 *
 * Checked besides memory safety (and UBSan: the legs are differences of
 * times the input chooses): exit status 0, 1 or 2; the output is a
 * record stream with as many fields per record as its header, printable
 * whenever the records were.
 */
#include "fz.h"

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#include "../cmd/bh-rtt.c"
#undef main
BH_FUZZ_STATE_END

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_fuzz_result res;
	const char *argv[8];
	const char *p = (const char *)data, *end = p + size;
	char *opts, *tok, *save = NULL;
	int argc = 0;

	opts = bh_fuzz_line(&p, end);
	argv[argc++] = "bh-rtt";
	for (tok = strtok_r(opts, " \t\r", &save); tok != NULL && argc < 5;
	    tok = strtok_r(NULL, " \t\r", &save))
		if (strcmp(tok, "-T") == 0 || strcmp(tok, "--strict") == 0)
			argv[argc++] = tok;
	argv[argc++] = bh_fuzz_file(0, p, (size_t)(end - p));
	bh_fuzz_main(argc, argv, NULL, &res);
	bh_fuzz_check_stream(res.out, res.outlen,
	    bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	bh_fuzz_free(opts);
	return 0;
}
