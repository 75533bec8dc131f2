/*
 * hosts-run.c - one run of bh-hosts: its options and the callbacks of
 * the record loop (bh_rec_loop).  What bh-hosts' main() calls, and the
 * fuzz target with it.
 */
#include <string.h>

#include "bh.h"
#include "hosts.h"

const struct bh_opt_long hosts_longopts[] = {
	{ "merge", 0, HOSTS_OPT_MERGE },
	{ NULL, 0, 0 }
};

int
hosts_option(struct hosts *h, int ch, const char *arg)
{
	unsigned long ul;

	switch (ch) {
	case 'l':
		h->pair = 1;
		break;
	case 'N':
		if (bh_parse_uint(arg, 1UL << 30, &ul) == -1 || ul == 0) {
			bh_warnx("-N %s: a number of parties from 1 to 2^30",
			    arg);
			return -1;
		}
		h->max = ul;
		break;
	case 't':
		if (bh_parse_uint(arg, 255, &ul) == -1) {
			bh_warnx("-t %s: a number of hops from 0 to 255", arg);
			return -1;
		}
		h->tol = ul;
		break;
	case HOSTS_OPT_MERGE:
		h->merge = 1;
		break;
	default:
		return HOSTS_USAGE;
	}
	return 0;
}

/* The header: find the columns (or check that it is bh-hosts' own),
 * then write the output header at once, so that the input's comments
 * follow it and the rows come at the end (as bh-hist(1)). */
static int
hosts_header(void *arg, struct bh_reader *r)
{
	struct hosts *h = arg;
	const char *const *cols;
	size_t n, i;

	h->header = 1;
	if ((h->merge ? hosts_merge_open(h, r) : hosts_open(h, r)) == -1) {
		h->fatal = 1;
		return -1;
	}
	cols = hosts_columns(h->pair, &n);
	for (i = 0; i < n; i++) {
		bh_wr_raw(&h->out, i == 0 ? "#" : "\t", 1);
		bh_wr_raw(&h->out, cols[i], strlen(cols[i]));
	}
	bh_wr_raw(&h->out, "\n", 1);
	return 0;
}

static int
hosts_record(void *arg, struct bh_reader *r)
{
	struct hosts *h = arg;
	int rc;

	rc = h->merge ? hosts_merge_record(h, r) : hosts_add_record(h, r);
	if (rc == -1)
		h->fatal = 1;
	return rc;
}

static int
hosts_comment(void *arg, const char *line, size_t len)
{
	struct hosts *h = arg;

	bh_wr_line(&h->out, line, len);
	return 0;
}

void
hosts_loop(struct hosts *h, struct bh_loop *l)
{
	l->header = hosts_header;
	l->record = hosts_record;
	l->comment = hosts_comment;
	l->arg = h;
}
