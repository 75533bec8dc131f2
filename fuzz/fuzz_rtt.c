/*
 * fuzz_rtt - bh-rtt's module (cmd/rtt-legs.c): handshake legs, Karn and
 * the timestamp option, the remote leg and its data-ACK summary, on
 * arbitrary records, through bh_rec_loop as bh-rtt's main() runs it.
 *
 * Input: the first line holds options (only -T and --strict are taken);
 * the rest is the record stream.
 *
 * Checked besides memory safety (and UBSan: the legs are differences of
 * times the input chooses): exit status 0, 1 or 2; the output is a
 * record stream with as many fields per record as its header, printable
 * whenever the records were.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "rtt.h"
#include "fz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *opts, *tok, *save = NULL, *argv[1];
	struct bh_reader r;
	struct bh_loop l;
	struct rtt t;
	int strict = 0, status;

	memset(&t, 0, sizeof(t));
	opts = bh_fuzz_line(&p, end);
	for (tok = strtok_r(opts, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save))
		if (strcmp(tok, "-T") == 0)
			t.no_tsopt = 1;
		else if (strcmp(tok, "--strict") == 0)
			strict = 1;
	argv[0] = (char *)bh_fuzz_file(0, p, (size_t)(end - p));
	t.out = bh_fuzz_out();
	rtt_loop(&t, &l);
	status = bh_rec_loop(&r, 1, argv, strict, &l);
	rtt_end(&t);
	bh_fuzz_out_stream(status, bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	free(opts);
	return 0;
}
