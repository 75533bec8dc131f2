/*
 * filter.h - bh-filter's module filter-jq.c: a record as a JSON object,
 * kept when a jq program says so.
 */
#ifndef BH_FILTER_H
#define BH_FILTER_H

#ifdef BH_HAVE_JQ
#include <jq.h>

/* One run of bh-filter: zero it, set out, json and a compiled jq. */
struct filter {
	FILE		*out;
	int		 json;		/* -j: JSON lines, no header */
	jq_state	*jq;		/* the caller's, compiled */
	jv		*keys;		/* the column names as jq strings */
	size_t		 nkeys;
	jv		 tmpl;		/* an object with every key, null */
	int		 have_tmpl;
	char		*esc;		/* a raw field, escaped */
	size_t		 esccap;
	struct bh_writer w;
};

/* Compile prog into jq; -1 after jq's messages (as "bh-filter: jq:
 * error: ..."). */
int	filter_compile(jq_state *jq, const char *prog);
/* bh_rec_loop callbacks with arg f; filter_end frees what the run built
 * (not f->jq) and flushes the output. */
void	filter_loop(struct filter *f, struct bh_loop *l);
void	filter_end(struct filter *f);
#else
/* Say how to get libjq, exit 2. */
void	filter_without_jq(void) BH_NORETURN;
#endif

#endif
