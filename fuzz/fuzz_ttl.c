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
	const char *p = (const char *)data, *end = p + size, *nl, *sep;
	char *opts, *tok, *save = NULL;
	size_t n;
	int argc = 0, want_arg = 0;

	nl = memchr(p, '\n', size);
	n = nl != NULL ? (size_t)(nl - p) : size;
	opts = bh_fuzz_malloc(n + 1);
	memcpy(opts, p, n);
	opts[n] = '\0';
	p = nl != NULL ? nl + 1 : end;
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
	for (sep = p; sep < end; sep = nl + 1) {
		if ((nl = memchr(sep, '\n', (size_t)(end - sep))) == NULL) {
			sep = end;
			break;
		}
		if (nl - sep == 2 && sep[0] == '%' && sep[1] == '%')
			break;
	}
	if (sep < end) {
		argv[argc++] = "-m";
		argv[argc++] = bh_fuzz_file(1, p, (size_t)(sep - p));
		p = sep + 3;
	}
	argv[argc++] = bh_fuzz_file(0, p, (size_t)(end - p));
	bh_fuzz_main(argc, argv, NULL, &res);
	if (res.status < 0 || res.status > 2)
		bh_fuzz_fail("exit status not 0, 1 or 2", res.out, res.outlen);
	bh_fuzz_check_stream(res.out, res.outlen,
	    bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	bh_fuzz_free(opts);
	return 0;
}
