/*
 * fuzz_story - bh-story's modules (cmd/story-run.c, cmd/story-refs.c,
 * cmd/story-svg.c): the references read from the unescaped heads and
 * evidence items, the hold queue, the hosts, the episodes, the beacon
 * series and the timeline, on arbitrary records, through bh_rec_loop as
 * bh-story's main() runs it.
 *
 * Input: the first line holds options (-s, -w SECONDS, -W N, -n N,
 * --svg, --strict; small caps so that the limits are reached); the rest
 * is the record stream.
 *
 * Checked besides memory safety: exit status 0, 1 or 2; the output is a
 * record stream with as many fields per record as its header (15 steps
 * or 24 summary columns), printable whenever the records were.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "story.h"
#include "fz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char *opts, *tok, *save = NULL, *argv[1];
	struct bh_reader r;
	struct bh_loop l;
	struct story *s;
	unsigned long hold = STORY_HOLD, hosts = STORY_HOSTS, v;
	int64_t window = STORY_WINDOW_US;
	int strict = 0, summary = 0, svg = 0, want = 0, status;

	opts = bh_fuzz_line(&p, end);
	for (tok = strtok_r(opts, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save)) {
		if (want != 0) {
			if (want == 'w')
				(void)bh_parse_duration(tok, &window);
			else if (bh_parse_uint(tok, 64, &v) == 0 && v > 0)
				*(want == 'W' ? &hold : &hosts) = v;
			want = 0;
		} else if (strcmp(tok, "-s") == 0)
			summary = 1;
		else if (strcmp(tok, "--svg") == 0)
			svg = 1;
		else if (strcmp(tok, "--strict") == 0)
			strict = 1;
		else if (tok[0] == '-' && strchr("wWn", tok[1]) != NULL &&
		    tok[1] != '\0' && tok[2] == '\0')
			want = tok[1];
	}
	s = story_new(bh_fuzz_out());
	story_set(s, window, hold, hosts, summary);
	if (svg)
		story_svg(s, "/dev/null", 4);
	argv[0] = (char *)bh_fuzz_file(0, p, (size_t)(end - p));
	story_loop(s, &l);
	status = bh_rec_loop(&r, 1, argv, strict, &l);
	if (status < BH_EXIT_FATAL || !r.stop)
		if (story_end(s) == -1)
			status = BH_EXIT_FATAL;
	story_free(s);
	bh_fuzz_out_stream(status, bh_fuzz_is_text(p, (size_t)(end - p)),
	    summary ? NSUM_COLS : NSTEP_COLS);
	free(opts);
	return 0;
}
