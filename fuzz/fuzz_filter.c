/*
 * fuzz_filter - bh-filter: a record as a JSON object (number typing,
 * escaping of raw bytes) and the TSV and JSON-lines output, on arbitrary
 * records, through main().
 *
 * Input: the first byte picks the jq program from a fixed table (jq's own
 * parser is libjq's business, not ours) and -j; the rest is the record
 * stream.  A later header-like line that differs from the first header
 * ends the input early (bh-filter exits 2 there, by design, with libjq
 * values the harness cannot reclaim; lib/record.c's handling of it is
 * fuzzed by fuzz_record).
 *
 * Checked besides memory safety: exit status 0, 1 or 2; TSV output is a
 * record stream (printable whenever the input was); every JSON line is
 * printable ASCII and parses back (jv_parse) as an object.
 */
#include "fz.h"

#include <jq.h>

static jq_state *live_jq;

static jq_state *
fuzz_jq_init(void)
{
	return live_jq = jq_init();
}

static void
fuzz_jq_teardown(jq_state **jq)
{
	if (*jq == live_jq)
		live_jq = NULL;
	jq_teardown(jq);
}

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#define jq_init fuzz_jq_init
#define jq_teardown fuzz_jq_teardown
#include "../cmd/bh-filter.c"
#undef jq_init
#undef jq_teardown
#undef main
BH_FUZZ_STATE_END

static void
cleanup(void *arg)
{
	jq_state *jq = live_jq;

	(void)arg;
	if (jq != NULL)
		fuzz_jq_teardown(&jq);
}

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

/* Whether a line after the first header is a different header. */
static int
header_changes(const char *p, size_t n)
{
	const char *end = p + n, *nl, *hdr = NULL;
	size_t hlen = 0, len;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len < 2 || p[0] != '#' || p[1] == ' ')
			continue;
		if (hdr == NULL) {
			hdr = p;
			hlen = len;
		} else if (memchr(p, '\t', len) != NULL &&
		    (len != hlen || memcmp(p, hdr, len) != 0))
			return 1;
	}
	return 0;
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
		line = bh_fuzz_malloc((size_t)(nl - p) + 1);
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		v = jv_parse(line);
		if (!jv_is_valid(v) || jv_get_kind(v) != JV_KIND_OBJECT)
			bh_fuzz_fail("JSON line is not an object", line,
			    (size_t)(nl - p));
		jv_free(v);
		bh_fuzz_free(line);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_fuzz_result res;
	const char *argv[6];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	int argc = 0, json;

	if (size < 1 || header_changes(p, n))
		return 0;
	json = (data[0] & 0x80) != 0;
	argv[argc++] = "bh-filter";
	if (json)
		argv[argc++] = "-j";
	argv[argc++] = programs[(data[0] & 0x7f) % NPROG];
	argv[argc++] = bh_fuzz_file(0, p, n);
	bh_fuzz_main(argc, argv, cleanup, &res);
	if (res.status < 0 || res.status > 2)
		bh_fuzz_fail("exit status not 0, 1 or 2", res.out, res.outlen);
	if (json)
		check_json(res.out, res.outlen);
	else
		bh_fuzz_check_stream(res.out, res.outlen,
		    bh_fuzz_is_text(p, n), 0);
	return 0;
}
