/*
 * fuzz_phase - bh-phase: its rules parser (the line format, port lists,
 * POSIX EREs and the literal prefilter extracted from them) and the
 * labelling and FTP/TFTP linking of arbitrary records, through the
 * modules of bh-phase (rules_load, phase_loop) as its main() runs them.
 *
 * Input: the first line holds options (only -d, -n, -W N, -w DUR, --strict
 * and --print-rules are taken; anything else is dropped so no input names
 * a file); then a rules file up to a line "%%"; then the record stream.
 * Without a "%%" line there is no -r file and the rest is the records.
 *
 * Checked besides memory safety: exit status 0, 1 or 2 (a bad rules file
 * is exit 2 by design); the output is a record stream with as many fields
 * per record as its header, printable whenever the records were.
 *
 * The rules file is the analyst's, not the attacker's, and glibc's
 * regcomp() takes exponential time on some EREs.  bh-phase refuses
 * stacked quantifiers ("a****", this target's first finding, in
 * regress/phase) and counts above 255; rules text with what it still
 * lets through (starred groups nested deeply, counts above 100 that
 * nest) is not run (pathological()).
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "phase.h"
#include "fz.h"

/*
 * Whether rules text holds an ERE that glibc's regcomp() may take
 * exponential time or memory on and bh-phase does not refuse: groups
 * nested deeper than 6, or a repeat count above 100.
 */
static int
pathological(const char *p, size_t n)
{
	size_t i;
	int depth = 0;
	unsigned long count;

	for (i = 0; i < n; i++) {
		if (p[i] == '(' && ++depth > 6)
			return 1;
		if (p[i] == ')' && depth > 0)
			depth--;
		if (p[i] == '\n')
			depth = 0;
		if (p[i] == '{') {
			for (count = 0; i + 1 < n && p[i + 1] >= '0' &&
			    p[i + 1] <= '9' && count <= 100; i++)
				count = count * 10 + (unsigned long)(p[i + 1] - '0');
			if (count > 100)
				return 1;
		}
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *sep, *next;
	const char *out;
	char *opts, *tok, *save = NULL, *argv[1], *rfile[1];
	struct phase_run run;
	struct bh_reader r;
	struct bh_loop l;
	unsigned long ul;
	int64_t us;
	size_t outlen;
	int print = 0, no_builtin = 0, strict = 0, nrfiles = 0, status = 0;
	int want = 0;

	memset(&run, 0, sizeof(run));
	opts = bh_fuzz_line(&p, end);
	/* The options of line 1, the harmless ones, as main() takes them
	 * (a bad -W or -w value is a usage error there: ignored here). */
	for (tok = strtok_r(opts, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save)) {
		if (want == 'W') {
			if (bh_parse_uint(tok, 100000000, &ul) == 0 && ul > 0)
				phst.maxhold = ul;
			want = 0;
		} else if (want == 'w') {
			if (bh_parse_duration(tok, &us) == 0)
				phst.window_us = us;
			want = 0;
		} else if (strcmp(tok, "-W") == 0 || strcmp(tok, "-w") == 0)
			want = tok[1];
		else if (strcmp(tok, "-n") == 0)
			no_builtin = 1;
		else if (strcmp(tok, "-d") == 0)
			run.drop = 1;
		else if (strcmp(tok, "--strict") == 0)
			strict = 1;
		else if (strcmp(tok, "--print-rules") == 0)
			print = 1;
	}
	/* The rules end at a line "%%". */
	if ((sep = bh_fuzz_part(p, end, &next)) < end) {
		if (pathological(p, (size_t)(sep - p))) {
			free(opts);
			phase_reset();
			return 0;
		}
		rfile[0] = (char *)bh_fuzz_file(1, p, (size_t)(sep - p));
		nrfiles = 1;
		p = next;
	}
	run.out = bh_fuzz_out();
	if (rules_load(no_builtin, rfile, nrfiles) == -1)
		status = BH_EXIT_FATAL;
	else if (print) {
		/* a rules file, not a stream: run, not checked */
		rules_print(run.out);
	} else {
		argv[0] = (char *)bh_fuzz_file(0, p, (size_t)(end - p));
		phase_loop(&run, &l);
		status = bh_rec_loop(&r, 1, argv, strict, &l);
		phase_end(&run);
	}
	phase_reset();
	out = bh_fuzz_out_take(&outlen);
	bh_fuzz_status(status, out, outlen);
	if (!print)
		bh_fuzz_check_stream(out, outlen,
		    bh_fuzz_is_text(p, (size_t)(end - p)), 0);
	free(opts);
	return 0;
}
