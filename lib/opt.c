/*
 * opt.c - the options every tool shares, so that they behave the same in
 * every tool: -h and --help (the usage on stdout, exit 0), --version, and
 * --strict (the first bad input is fatal, bh(7) EXIT STATUS).  Parsing is
 * getopt_long(3)'s, with glibc's permutation (options may follow the
 * operands, `--` ends them), which is what the tools had with getopt(3).
 */
#define _GNU_SOURCE		/* getopt_long */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "version.h"	/* BH_VERSION, made by the Makefile */

/* The long options of every tool, after the tool's own. */
static const struct bh_opt_long common[] = {
	{ "help", 0, BH_OPT_HELP },
	{ "version", 0, BH_OPT_VERSION },
	{ "strict", 0, BH_OPT_STRICT },
	{ NULL, 0, 0 }
};

void
bh_opt_init(struct bh_opt *o, int argc, char **argv, const char *shorts,
    const struct bh_opt_long *longs)
{
	size_t n = 0, i, k = 0;

	memset(o, 0, sizeof(*o));
	o->argc = argc;
	o->argv = argv;
	/* ':' first: a missing argument is told apart from an unknown
	 * option; 'h' is everyone's. */
	o->shorts = xmalloc(strlen(shorts) + 3);
	strcpy(o->shorts, ":h");
	strcat(o->shorts, shorts);
	if (longs != NULL)
		while (longs[n].name != NULL)
			n++;
	o->longs = xreallocarray(NULL, n + 4, sizeof(struct option));
	for (i = 0; i < n; i++, k++) {
		o->longs[k].name = longs[i].name;
		o->longs[k].has_arg = longs[i].has_arg ? required_argument :
		    no_argument;
		o->longs[k].flag = NULL;
		o->longs[k].val = longs[i].val;
	}
	for (i = 0; common[i].name != NULL; i++, k++) {
		o->longs[k].name = common[i].name;
		o->longs[k].has_arg = no_argument;
		o->longs[k].flag = NULL;
		o->longs[k].val = common[i].val;
	}
	memset(&o->longs[k], 0, sizeof(o->longs[k]));
	o->ind = 1;
	/* 0, not 1: glibc then starts afresh, its permutation state too
	 * (a second parse in one process, as the fuzz targets do) */
	optind = 0;
	opterr = 0;
}

/* Whether s is "--NAME" for one of the long options. */
static int
is_long_option(const struct bh_opt *o, const char *s)
{
	const struct option *lo;
	size_t n;

	if (s[0] != '-' || s[1] != '-' || s[2] == '\0')
		return 0;
	for (lo = o->longs; lo->name != NULL; lo++) {
		n = strlen(lo->name);
		if (strncmp(s + 2, lo->name, n) == 0 &&
		    (s[2 + n] == '\0' || s[2 + n] == '='))
			return 1;
	}
	return 0;
}

int
bh_opt_next(struct bh_opt *o)
{
	const struct option *lo;
	int ch;

	for (;;) {
		ch = getopt_long(o->argc, o->argv, o->shorts, o->longs, NULL);
		o->ind = optind;
		o->arg = optarg;
		switch (ch) {
		case -1:
			bh_opt_free(o);
			return -1;
		case BH_OPT_STRICT:
			o->strict = 1;
			continue;
		case 'h':
			return BH_OPT_HELP;
		case ':':
			if (optopt != 0)
				bh_warnx("option -%c needs an argument", optopt);
			else
				bh_warnx("option %s needs an argument",
				    o->argv[optind - 1]);
			return BH_OPT_BAD;
		case '?':
			if (optopt != 0)
				bh_warnx("unknown option -%c", optopt);
			else
				bh_warnx("unknown option %s",
				    o->argv[optind - 1]);
			return BH_OPT_BAD;
		}
		/* `-f --strict`: getopt takes the long option as -f's
		 * argument; a user never means that. */
		if (optarg != NULL && is_long_option(o, optarg)) {
			for (lo = o->longs; lo->name != NULL; lo++)
				if (lo->val == ch)
					break;
			if (lo->name != NULL)
				bh_warnx("option --%s needs an argument, not "
				    "'%s'", lo->name, optarg);
			else
				bh_warnx("option -%c needs an argument, not "
				    "'%s'", ch, optarg);
			return BH_OPT_BAD;
		}
		return ch;
	}
}

void
bh_opt_free(struct bh_opt *o)
{
	free(o->shorts);
	free(o->longs);
	o->shorts = NULL;
	o->longs = NULL;
}

void
bh_opt_end(int ch, void (*usage)(FILE *fp, int full))
{
	switch (ch) {
	case BH_OPT_HELP:
		/* the tool's usage and options, then everyone's */
		usage(stdout, 1);
		printf("  -h, --help  this help\n"
		    "  --version   the version of bh\n");
		exit(bh_fshut(BH_EXIT_OK));
	case BH_OPT_VERSION:
		printf("%s bh %s\n", bh_progname, BH_VERSION);
		exit(bh_fshut(BH_EXIT_OK));
	default:
		usage(stderr, 0);
		exit(BH_EXIT_FATAL);
	}
}
