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
 * the tool's jq_state is a stand-in, and under libFuzzer each of the
 * fixed programs is compiled once into a real state that later runs
 * reuse (jq_start resets a state, the halt flag included).  A state kept
 * that way holds its stack through a pointer to the end of the block,
 * which LeakSanitizer takes for a leak: make fuzz runs this target with
 * -detect_leaks=0, and the replay driver (one process per input, ASan
 * and LSan under make sanitize) compiles afresh and tears down, as the
 * tool does, so leaks are still caught there.
 */
int	LLVMFuzzerRunDriver(int *, char ***, int (*)(const uint8_t *, size_t))
	    __attribute__((__weak__));
#define NCACHE	32

static struct {
	const char	*prog;
	jq_state	*jq;
} cache[NCACHE];
static int ncache, standin;
static jq_state *cur;
static jq_msg_cb cur_cb;
static void *cur_cb_data;

static jq_state *
fz_jq_init(void)
{
	cur = NULL;
	return (jq_state *)&standin;
}

static void
fz_jq_set_error_cb(jq_state *jq, jq_msg_cb cb, void *data)
{
	(void)jq;
	cur_cb = cb;
	cur_cb_data = data;
}

/* prog is a copy of one of programs[], which is what the cache keeps. */
static int
fz_jq_compile(jq_state *jq, const char *prog)
{
	jq_state *real;
	size_t k;
	int i;

	(void)jq;
	if (LLVMFuzzerRunDriver == NULL) {
		/* the replay driver: as the tool does */
		if ((cur = jq_init()) == NULL)
			return 0;
		jq_set_error_cb(cur, cur_cb, cur_cb_data);
		return jq_compile(cur, prog);
	}
	for (k = 0; k < NPROG && strcmp(programs[k], prog) != 0; k++)
		;
	if (k == NPROG)
		abort();
	for (i = 0; i < ncache; i++)
		if (cache[i].prog == programs[k]) {
			cur = cache[i].jq;
			jq_set_error_cb(cur, cur_cb, cur_cb_data);
			return 1;
		}
	if ((real = jq_init()) == NULL)
		return 0;
	jq_set_error_cb(real, cur_cb, cur_cb_data);
	if (!jq_compile(real, prog) || ncache == NCACHE) {
		jq_teardown(&real);
		return 0;
	}
	cache[ncache].prog = programs[k];
	cache[ncache++].jq = cur = real;
	return 1;
}

static void
fz_jq_teardown(jq_state **jq)
{
	*jq = NULL;
	if (LLVMFuzzerRunDriver == NULL && cur != NULL)
		jq_teardown(&cur);
	cur = NULL;
}

static void
fz_jq_start(jq_state *jq, jv v, int flags)
{
	(void)jq;
	jq_start(cur, v, flags);
}

static jv
fz_jq_next(jq_state *jq)
{
	(void)jq;
	return jq_next(cur);
}

static int
fz_jq_halted(jq_state *jq)
{
	(void)jq;
	return jq_halted(cur);
}

static jv
fz_jq_get_exit_code(jq_state *jq)
{
	(void)jq;
	return jq_get_exit_code(cur);
}

static jv
fz_jq_get_error_message(jq_state *jq)
{
	(void)jq;
	return jq_get_error_message(cur);
}

BH_FUZZ_STATE_BEGIN
#define main bh_fuzz_tool_main
#define jq_init fz_jq_init
#define jq_set_error_cb fz_jq_set_error_cb
#define jq_compile fz_jq_compile
#define jq_teardown fz_jq_teardown
#define jq_start fz_jq_start
#define jq_next fz_jq_next
#define jq_halted fz_jq_halted
#define jq_get_exit_code fz_jq_get_exit_code
#define jq_get_error_message fz_jq_get_error_message
#include "../cmd/bh-filter.c"
#undef jq_init
#undef jq_set_error_cb
#undef jq_compile
#undef jq_teardown
#undef jq_start
#undef jq_next
#undef jq_halted
#undef jq_get_exit_code
#undef jq_get_error_message
#undef main
BH_FUZZ_STATE_END


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
	bh_fuzz_main(argc, argv, NULL, &res);
	if (json)
		check_json(res.out, res.outlen);
	else
		bh_fuzz_check_stream(res.out, res.outlen,
		    bh_fuzz_is_text(p, n), 0);
	return 0;
}
