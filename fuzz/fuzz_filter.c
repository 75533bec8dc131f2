/*
 * fuzz_filter - bh-filter's module (cmd/filter-jq.c): a record as a JSON
 * object (number typing, escaping of raw bytes) and the TSV and JSON-lines
 * output, on arbitrary records, through bh_rec_loop as bh-filter's main()
 * runs it.
 *
 * Input: the first byte picks the jq program from a fixed table (jq's own
 * parser is libjq's business, not ours) and -j; the rest is the record
 * stream.
 *
 * Checked besides memory safety: exit status 0, 1 or 2; TSV output is a
 * record stream (printable whenever the input was); every JSON line is
 * printable ASCII and parses back (jv_parse) as an object.
 */
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "bh.h"
#include "filter.h"
#include "fz.h"
static const char *const programs[] = {
	"true",
	"false",
	".",
	".proto == \"tcp\"",
	".orig_port > 1000",
	".orig_head != null and (.orig_head | test(\"GET\"))",
	"(.dur // 0) > 1 or .flow == 3",
	".syn_n | . > 0",
	"keys | length > 3",
	"[.[] | select(type == \"number\")] | length > 2",
	".orig_bytes + .resp_bytes",
	".x.y",
	"error(\"boom\")",
	"empty",
	"tostring | length > 40",
	"halt_error",
};
#define NPROG	(sizeof(programs) / sizeof(programs[0]))

/*
 * libjq compiles its whole builtin library with every jq_compile(): tens
 * of milliseconds under the sanitizers, for code that is not ours.  So
 * under libFuzzer each of the fixed programs is compiled once into a
 * state that later runs reuse (jq_start resets a state, the halt flag
 * included).  A state kept that way holds its stack through a pointer to
 * the end of the block, which LeakSanitizer takes for a leak: make fuzz
 * runs this target with -detect_leaks=0, and the replay driver (one
 * process per input, ASan and LSan under make sanitize) compiles afresh
 * and tears down, as the tool does, so leaks are still caught there.
 */
int	LLVMFuzzerRunDriver(int *, char ***, int (*)(const uint8_t *, size_t))
	    __attribute__((__weak__));
static jq_state *cache[NPROG];

/* A state with program i compiled, or NULL when it does not compile. */
static jq_state *
program(size_t i)
{
	jq_state *jq;

	if (LLVMFuzzerRunDriver != NULL && cache[i] != NULL)
		return cache[i];
	if ((jq = jq_init()) == NULL)
		abort();
	if (filter_compile(jq, programs[i]) == -1) {
		jq_teardown(&jq);
		return NULL;
	}
	if (LLVMFuzzerRunDriver != NULL)
		cache[i] = jq;
	return jq;
}

static void
check_json(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	char *line;
	jv v;

	if (!bh_fuzz_is_text(buf, len) || memchr(buf, '\t', len) != NULL)
		bh_fuzz_fail("JSON output not printable ASCII", buf, len);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			bh_fuzz_fail("JSON output does not end in LF", buf,
			    len);
		if ((line = malloc((size_t)(nl - p) + 1)) == NULL)
			abort();
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		v = jv_parse(line);
		if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT)
			bh_fuzz_fail("JSON line is not an object", line,
			    (size_t)(nl - p));
		jv_free(v);
		free(line);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *out;
	char *argv[1];
	struct bh_reader r;
	struct bh_loop l;
	struct filter f;
	size_t n = size - 1, outlen, prog;
	int status;

	if (size < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	f.json = (data[0] & 0x80) != 0;
	prog = (size_t)(data[0] & 0x7f) % NPROG;
	if ((f.jq = program(prog)) == NULL)
		abort();	/* every program of the table compiles */
	f.out = bh_fuzz_out();
	argv[0] = (char *)bh_fuzz_file(0, p, n);
	filter_loop(&f, &l);
	status = bh_rec_loop(&r, 1, argv, 0, &l);
	filter_end(&f);
	if (LLVMFuzzerRunDriver == NULL)
		jq_teardown(&f.jq);
	out = bh_fuzz_out_take(&outlen);
	bh_fuzz_status(status, out, outlen);
	if (f.json)
		check_json(out, outlen);
	else
		bh_fuzz_check_stream(out, outlen, bh_fuzz_is_text(p, n), 0);
	return 0;
}
