/*
 * sessions-progress.c - bh-sessions' progress line on a terminal: bytes
 * read of the total, packets, live sessions, the rate and the time left,
 * redrawn in place on stderr at most four times a second and erased at
 * the end (or before a message).  Only when stderr is a terminal and
 * every input is a regular file, whose sizes give the total; never
 * under -q, never into a pipe or a file.
 */
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bh.h"
#include "sessions.h"

#define REDRAW_NS	250000000LL	/* four times a second at most */

struct progress {
	uint64_t	 total;		/* bytes of every file */
	uint64_t	 done;		/* bytes of the files read before */
	int64_t		 start, last;	/* CLOCK_MONOTONIC, ns */
	int		 shown;		/* a line is on the terminal */
	const uint64_t	*records;	/* written so far */
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
sessions_progress_start(struct run *r, char **files, int n,
    const uint64_t *records)
{
	struct progress *p;
	struct stat sb;
	uint64_t total = 0;
	int i, rc;

	if (!isatty(STDERR_FILENO))
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0)
			rc = fstat(STDIN_FILENO, &sb);
		else
			rc = stat(files[i], &sb);
		if (rc == -1 || !S_ISREG(sb.st_mode))
			return;
		total += (uint64_t)sb.st_size;
	}
	p = xcalloc(1, sizeof(*p));
	p->total = total;
	p->start = now_ns();
	p->last = p->start - REDRAW_NS;
	p->records = records;
	r->progress = p;
}

/* n bytes as "123.4 MB" (powers of 1000, as the rate). */
static void
fmt_bytes(char *buf, size_t len, double n)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;

	while (n >= 1000 && u < 4) {
		n /= 1000;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", n, unit[u]);
}

void
sessions_progress_tick(struct run *r, uint64_t pos, uint64_t packets)
{
	struct progress *p = r->progress;
	const struct bh_flow_stats *fs;
	char at[32], of[32], rate[32], left[32];
	double secs, bps;
	uint64_t done, live, rest;
	int64_t t;

	if (p == NULL || (t = now_ns()) - p->last < REDRAW_NS)
		return;
	p->last = t;
	done = p->done + pos;
	if (done > p->total)
		done = p->total;
	secs = (double)(t - p->start) / 1e9;
	bps = secs > 0 ? (double)done / secs : 0;
	fs = bh_flow_stats(r->table);
	live = fs->sessions > *p->records ? fs->sessions - *p->records : 0;
	fmt_bytes(at, sizeof(at), (double)done);
	fmt_bytes(of, sizeof(of), (double)p->total);
	fmt_bytes(rate, sizeof(rate), bps);
	if (bps > 0) {
		rest = (uint64_t)((double)(p->total - done) / bps);
		snprintf(left, sizeof(left), "%llu:%02llu left",
		    (unsigned long long)(rest / 60),
		    (unsigned long long)(rest % 60));
	} else
		snprintf(left, sizeof(left), "-:-- left");
	fprintf(stderr, "\r%s: %s of %s (%.0f%%), %llu packets, %llu live "
	    "sessions, %s/s, %s\033[K", bh_progname, at, of,
	    p->total > 0 ? 100.0 * (double)done / (double)p->total : 100.0,
	    (unsigned long long)(r->packets + packets),
	    (unsigned long long)live, rate,
	    left);
	fflush(stderr);
	p->shown = 1;
}

void
sessions_progress_file_done(struct run *r, uint64_t bytes)
{
	if (r->progress != NULL)
		r->progress->done += bytes;
}

void
sessions_progress_erase(struct run *r)
{
	struct progress *p = r->progress;

	if (p == NULL || !p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = 0;
	/* the next line after a full interval, not over the message */
	p->last = now_ns();
}

void
sessions_progress_end(struct run *r)
{
	sessions_progress_erase(r);
	free(r->progress);
	r->progress = NULL;
}
