/*
 * fuzz_ttl - bh-ttl's module (cmd/ttl-hops.c): initial TTL candidates
 * (-i), the OS mapping file (-m), hops and the remote party, on arbitrary
 * records, through bh_rec_loop as bh-ttl's main() runs it.
 *
 * Input: the first line holds options (only -d N, -i LIST, -p and
 * --strict are taken); with -p, a p0f.fp up to a line "%%" (cmd/ttl-
 * p0f.c reads it, and the records' syn_sig/syn_muon/synack_* are read
 * back and matched against it); then a mapping file up to a line "%%"
 * (given as -m); then the record stream.  Without a "%%" line there is
 * no mapping file.
 *
 * Checked besides memory safety: exit status 0, 1 or 2 (a bad mapping
 * file is exit 2 by design); the output is a record stream with as many
 * fields per record as its header, printable whenever the records were.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "ttl.h"
#include "fz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *sep, *next;
	char *opts, *tok, *save = NULL, *argv[1];
	struct bh_reader r;
	struct bh_loop l;
	struct ttl t;
	unsigned long v;
	int strict = 0, status = 0, want = 0, fp = 0, bad;
	FILE *f;

	ttl_init(&t, NULL);
	opts = bh_fuzz_line(&p, end);
	for (tok = strtok_r(opts, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save)) {
		if (want == 'd') {
			/* as main(): a bad -d is a usage error */
			if (bh_parse_uint(tok, 255, &v) == 0)
				t.maxhops = (unsigned)v;
			want = 0;
		} else if (want == 'i') {
			(void)ttl_set_candidates(&t, tok);
			want = 0;
		} else if (strcmp(tok, "-d") == 0)
			want = 'd';
		else if (strcmp(tok, "-i") == 0)
			want = 'i';
		else if (strcmp(tok, "--strict") == 0)
			strict = 1;
		else if (strcmp(tok, "-p") == 0)
			fp = 1;
	}
	if (fp && (sep = bh_fuzz_part(p, end, &next)) < end) {
		/* As main(): a database that does not parse is exit 2. */
		if ((f = fmemopen((void *)(uintptr_t)p, (size_t)(sep - p) +
		    (sep == p), "r")) != NULL) {
			t.p0f = ttl_p0f_read_fp(f, "p0f.fp", &bad);
			fclose(f);
			if (bad)
				status = BH_EXIT_FATAL;
		}
		p = next;
	}
	if ((sep = bh_fuzz_part(p, end, &next)) < end) {
		if (ttl_read_osmap(&t, bh_fuzz_file(1, p,
		    (size_t)(sep - p))) == -1)
			status = BH_EXIT_FATAL;
		p = next;
	}
	t.out = bh_fuzz_out();
	if (status == 0) {
		argv[0] = (char *)bh_fuzz_file(0, p, (size_t)(end - p));
		ttl_loop(&t, &l);
		status = bh_rec_loop(&r, 1, argv, strict, &l);
	}
	ttl_end(&t);
	bh_fuzz_out_stream(status, bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	free(opts);
	return 0;
}
