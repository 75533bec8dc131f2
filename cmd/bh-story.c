/*
 * bh-story - the life of each bot: the labelled sessions of a local host
 * joined into episodes (infection, shell, download, C&C, propagation),
 * each step with the evidence that joined it (bh-story(1)).
 *
 * Reads the labelled stream (bh-phase, and for the distances bh-rtt and
 * bh-ttl): flow ts proto orig_ip orig_port resp_ip resp_port dir phase
 * app are required; dur rule link orig_head resp_head orig_ev resp_ev
 * orig_bytes resp_bytes remote_hops rtt_remote_ms remote_os are used when
 * present.  Writes a new stream: one record per step, or with -s one per
 * episode.
 *
 * No peer joins the sessions of one infection from a capture: BotHunter
 * (Gu et al., USENIX Security 2007) correlates dialog events per host in
 * a time window, without saying which evidence links them; Zeek's
 * irc.log and ftp.log keep the commands but not the sessions they name.
 * bh-story follows the references a session's payload makes (a shell's
 * "echo open H P", an IRC ".download URL", a Location, a DCC offer) to
 * the sessions they name, and says when time alone joined two.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "story.h"

static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-hs] [--strict] [--svg file] [--svg-max n] "
	    "[-n hosts] [-W steps]\n\t[-w window] [file ...]\n", bh_progname);
	if (full)
		fprintf(fp,
		    "  -s           one summary record per episode instead of "
		    "one per step\n"
		    "  -n hosts     local hosts remembered at most (default "
		    "%d)\n"
		    "  -W steps     steps held for ordering at most (default "
		    "%d)\n"
		    "  -w window    how long an episode stays open after its "
		    "last step, and\n"
		    "               how long a step is held (default 600s)\n"
		    "  --svg file   the timeline of the episodes as SVG\n"
		    "  --svg-max n  episodes drawn at most (default %d)\n"
		    "  --strict     the first bad record is fatal (exit 2)\n",
		    STORY_HOSTS, STORY_HOLD, STORY_SVG_MAX);
}

int
main(int argc, char *argv[])
{
	static const struct bh_opt_long longs[] = {
		{ "svg", 1, 'S' },
		{ "svg-max", 1, 'M' },
		{ NULL, 0, 0 }
	};
	struct story *s;
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	const char *svg = NULL;
	int64_t window = STORY_WINDOW_US;
	unsigned long hold = STORY_HOLD, hosts = STORY_HOSTS,
	    svgmax = STORY_SVG_MAX;
	int c, summary = 0, status;

	bh_diag_init(argv[0]);
	bh_opt_init(&o, argc, argv, "n:sW:w:", longs);
	while ((c = bh_opt_next(&o)) != -1) {
		switch (c) {
		case 'n':
			if (bh_parse_uint(o.arg, 10000000, &hosts) == -1 ||
			    hosts == 0) {
				bh_warnx("-n: bad host count '%s'", o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			break;
		case 's':
			summary = 1;
			break;
		case 'W':
			if (bh_parse_uint(o.arg, 100000000, &hold) == -1 ||
			    hold == 0) {
				bh_warnx("-W: bad step count '%s'", o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			break;
		case 'w':
			if (bh_parse_duration(o.arg, &window) == -1) {
				bh_warnx("-w: bad duration '%s'", o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			break;
		case 'S':
			svg = o.arg;
			break;
		case 'M':
			if (bh_parse_uint(o.arg, 100000, &svgmax) == -1 ||
			    svgmax == 0) {
				bh_warnx("--svg-max: bad episode count '%s'",
				    o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			break;
		default:
			bh_opt_end(c, usage);
		}
	}
	argc -= o.ind;
	argv += o.ind;

	s = story_new(stdout);
	story_set(s, window, hold, hosts, summary);
	if (svg != NULL)
		story_svg(s, svg, (unsigned)svgmax);
	story_loop(s, &l);
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	if (status < BH_EXIT_FATAL || !r.stop) {
		if (story_end(s) == -1)
			status = BH_EXIT_FATAL;
	}
	story_free(s);
	return bh_fshut(status);
}
