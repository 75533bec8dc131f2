/*
 * fuzz_ttl - bh-ttl: initial TTL candidates (-i), the OS mapping file
 * (-m), hops and the remote party, on arbitrary records, through main().
 *
 * Input: the first line holds options (only -d N, -i LIST and --strict
 * are taken); then a mapping file up to a line "%%" (given with -m); then
 * the record stream.  Without a "%%" line there is no -m file.
 *
 * Checked besides memory safety: exit status 0, 1 or 2 (a bad mapping
 * file exits 2 by design); the output is a record stream with as many
 * fields per record as its header, printable whenever the records were.
 */
#include "fz.h"

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#include "../cmd/bh-ttl.c"
#undef main
BH_FUZZ_STATE_END

#define MAXARGS	16

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_fuzz_result res;
	const char *argv[MAXARGS];
	const char *p = (const char *)data, *end = p + size, *sep, *next;
	char *opts, *tok, *save = NULL;
	int argc = 0, want_arg = 0;

	opts = bh_fuzz_line(&p, end);
	argv[argc++] = "bh-ttl";
	for (tok = strtok_r(opts, " \t\r", &save); tok != NULL &&
	    argc < MAXARGS - 4; tok = strtok_r(NULL, " \t\r", &save)) {
		if (want_arg) {
			argv[argc++] = tok;
			want_arg = 0;
		} else if (strcmp(tok, "-d") == 0 || strcmp(tok, "-i") == 0) {
			argv[argc++] = tok;
			want_arg = 1;
		} else if (strcmp(tok, "--strict") == 0)
			argv[argc++] = tok;
	}
	if (want_arg)
		argc--;
	if ((sep = bh_fuzz_part(p, end, &next)) < end) {
		argv[argc++] = "-m";
		argv[argc++] = bh_fuzz_file(1, p, (size_t)(sep - p));
		p = next;
	}
	argv[argc++] = bh_fuzz_file(0, p, (size_t)(end - p));
	bh_fuzz_main(argc, argv, NULL, &res);
	bh_fuzz_check_stream(res.out, res.outlen,
	    bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	bh_fuzz_free(opts);
	return 0;
}
