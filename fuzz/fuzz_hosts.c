/*
 * fuzz_hosts - bh-hosts' modules (cmd/hosts-*.c): the intake of labelled
 * records (dir, addresses, times, TTLs and hops, texts, RTTs), --merge of
 * its own tables (count lists, RTT buckets, the checks between columns),
 * the cap on parties, the sorted output, through the option helper and
 * bh_rec_loop as bh-hosts' main() runs them.
 *
 * Input: the first line holds options (-l, -N N, -t N, --merge,
 * --strict; anything else is dropped); the rest is the record stream.
 *
 * Checked besides memory safety and leaks: exit status 0, 1 or 2; the
 * output is a record stream of bh-hosts' columns, printable whenever the
 * input was; and the merge law on the run's own output: when a run ends
 * with status 0, --merge of its table writes the same bytes again.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hosts.h"
#include "fz.h"

#define MAXARGS	16

static int
options(char *line, char **argv, int argc)
{
	char *tok, *save = NULL;
	int want_arg = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok != NULL &&
	    argc < MAXARGS - 2; tok = strtok_r(NULL, " \t\r", &save)) {
		if (want_arg) {
			argv[argc++] = tok;
			want_arg = 0;
		} else if (strncmp(tok, "-N", 2) == 0 ||
		    strncmp(tok, "-t", 2) == 0) {
			argv[argc++] = tok;
			want_arg = tok[2] == '\0';
		} else if (strcmp(tok, "-l") == 0 ||
		    strcmp(tok, "--merge") == 0 ||
		    strcmp(tok, "--strict") == 0)
			argv[argc++] = tok;
	}
	if (want_arg)
		argc--;
	return argc;
}

/* One run over the bytes in; its status, and the output in *out (valid
 * until the next run).  merge forces --merge; -1 on a usage error. */
static int
run(int argc, char **argv, const char *in, size_t n, int merge,
    const char **out, size_t *outlen, int *pair)
{
	char *files[1];
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	struct hosts h;
	int ch, rc = 0, status = BH_EXIT_FATAL;

	hosts_init(&h, bh_fuzz_out());
	bh_opt_init(&o, argc, argv, HOSTS_SHORTOPTS, hosts_longopts);
	while (rc == 0 && (ch = bh_opt_next(&o)) != -1)
		if (ch == BH_OPT_HELP || ch == BH_OPT_VERSION ||
		    ch == BH_OPT_BAD)
			rc = HOSTS_USAGE;
		else
			rc = hosts_option(&h, ch, o.arg);
	if (rc != 0)
		while (bh_opt_next(&o) != -1)
			;
	if (merge)
		h.merge = 1;
	if (rc == 0) {
		files[0] = (char *)bh_fuzz_file(merge, in, n);
		hosts_loop(&h, &l);
		status = bh_rec_loop(&r, 1, files, o.strict, &l);
		if (!h.fatal && !r.stop)
			(void)hosts_finish(&h);
		if (h.fatal || r.stop)
			status = BH_EXIT_FATAL;
		else if (h.header && hosts_output(&h) == -1)
			status = BH_EXIT_FATAL;
	}
	*pair = h.pair;
	hosts_free(&h);
	*out = bh_fuzz_out_take(outlen);
	bh_fuzz_status(status, *out, *outlen);
	return rc == 0 ? status : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *out, *again;
	char *opts, *argv[MAXARGS], *argv2[MAXARGS], name[] = "bh-hosts";
	char *copy;
	size_t outlen, againlen, ncols;
	int argc = 0, argc2, i, status, pair, pair2;
	int text = bh_fuzz_is_text(data, size);

	opts = bh_fuzz_line(&p, end);
	argv[argc++] = name;
	argc = options(opts, argv, argc);
	argv[argc] = NULL;
	/* the second run: the same -N and -t, --merge (it reads -l from
	 * the table's header) */
	for (i = argc2 = 0; i < argc; i++)
		if (strcmp(argv[i], "-l") != 0 && strcmp(argv[i], "--strict"))
			argv2[argc2++] = argv[i];
	argv2[argc2] = NULL;

	status = run(argc, argv, p, (size_t)(end - p), 0, &out, &outlen,
	    &pair);
	if (status >= 0 && outlen > 0) {
		(void)hosts_columns(pair, &ncols);
		bh_fuzz_check_stream(out, outlen, text, ncols);
	}
	if (status == 0 && outlen > 0) {
		copy = xmalloc(outlen);
		memcpy(copy, out, outlen);
		if (run(argc2, argv2, copy, outlen, 1, &again,
		    &againlen, &pair2) != 0 || againlen != outlen ||
		    memcmp(again, copy, outlen) != 0)
			bh_fuzz_fail("--merge of a table is not the table",
			    again, againlen);
		free(copy);
	}
	free(opts);
	return 0;
}
