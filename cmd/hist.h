/*
 * hist.h - bh-hist's modules: the aggregation into cells (hist-agg.c),
 * --merge (hist-merge.c), the terminal bars (hist-bars.c), the colours
 * (hist-colour.c) and the SVG figure (hist-svg.c).
 */
#ifndef BH_HIST_H
#define BH_HIST_H

#define MICRO		1000000
#define WMAX		((uint64_t)1 << 61)	/* weight sums stay below */
#define MAXSHOWN	10		/* bad records reported one by one */
#define DEF_MAXCELLS	1000000UL

/* Coordinate kinds, in output order: numbers, text, unset; none = 1-D. */
enum { CK_NUM, CK_TEXT, CK_UNSET, CK_NONE };
/* Row kinds, in output order within a group. */
enum { ROW_STAT, ROW_HIST, ROW_VALUE };

/* Output columns; a group column may not take one of these names. */
extern const char *const reserved[];
enum { RC_KEY, RC_WIDTH, RC_KEY2, RC_WIDTH2, RC_WEIGHT, RC_ROW, RC_BIN,
	RC_BIN2, RC_N, RC_W, RC_NRES = 16 };

struct coord {
	int64_t		 v;	/* CK_NUM: micro-units; CK_TEXT: text id */
	int		 k;
	const char	*s;	/* CK_TEXT before interning */
};

/* A weight or weight sum: whole units plus micro-units. */
struct wsum {
	uint64_t	 whole;
	uint32_t	 frac;	/* < MICRO */
};

struct cell {
	uint64_t	 hash;
	uint32_t	 spec, group;
	int64_t		 v1, v2;
	uint64_t	 n;
	struct wsum	 w;
	uint8_t		 row, k1, k2;
};

/*
 * A histogram: key, width, key2, width2, weight as written in the stream
 * ("-" where none); width 0 means one bin per distinct value.
 */
struct spec {
	char		*name[5];
	int64_t		 width[2];
	int		 two;
	int		 col[2];	/* input columns (not with --merge) */
};

/* Interned strings with dense ids (open addressing, ids + 1 in slots). */
struct strtab {
	char		**s;
	size_t		 *len;
	uint64_t	 *h;
	uint32_t	  n, cap;
	uint32_t	 *slot;
	uint32_t	  mask;
};

struct stats {
	uint64_t	 n;
	struct wsum	 w;
	int		 have;
	int64_t		 q[5];		/* min q1 median q3 max */
	int64_t		 mean;		/* micro-units, rounded */
};

/* One histogram (spec) to draw: its cells [c0, c1) in output order and
 * the groups that have cells in it. */
struct panel {
	const struct spec *sp;
	size_t		 c0, c1;
	uint32_t	*grp;
	size_t		 ngrp;
};

/* --colors: a group's values joined by ',' and its colour; the last given
 * wins. */
struct colour_override {
	char		*key;
	char		 colour[8];	/* "#RRGGBB" */
};

/* Where a group's colour came from. */
enum { CS_OVERRIDE, CS_FIXED, CS_HASH };

/*
 * One run of bh-hist: hist_init, the options (hist_option), hist_setup,
 * bh_rec_loop through hist_loop, hist_output, hist_free.
 */
struct hist {
	FILE		*fp;		/* standard output */
	/* the options */
	const char	**kargs;	/* -k, parsed by hist_setup */
	size_t		 nk;
	unsigned long	 maxcells;	/* -N */
	int		 statsmode;	/* -S, or a row column with --merge */
	const char	*weightcol;	/* -w */
	int		 merge, bars, stacked;
	const char	*svgpath;	/* --svg */
	const char	*title, *xlabel, *ylabel;
	struct colour_override *overrides;	/* --colors */
	size_t		 noverrides;
	int		 stream;	/* the output is the record stream */
	/* the cells */
	struct strtab	 texts, groups, specids;
	struct spec	*specs;
	size_t		 nspecs;
	char		***gpart;	/* group id -> its values, NULL-ended */
	char		**gnames;	/* group column names */
	size_t		 ngcols;
	int		*gcol;		/* their input columns */
	struct cell	*cells;
	size_t		 ncells, cellcap;
	uint32_t	*cslot;
	size_t		 cmask;
	int		 has2d;
	int		 wcol;		/* the weight's input column, or -1 */
	unsigned long	 nweightless;	/* records with the weight "-" */
	struct coord	*kval;		/* per spec and axis: the bin */
	struct coord	*kraw;		/* per spec: the value (-S) */
	int		 mcol[RC_NRES];	/* --merge: its columns, or -1 */
	int		 header;	/* the input had a header */
	int		 fatal;		/* the run ends without output */
	struct bh_writer out;
	/* the figures */
	struct panel	*panels;
	size_t		 npanels;
	const char	**gcolour;	/* group id -> colour, once known */
	uint8_t		*gcsource;	/* ... and where it came from */
	/* buffers the functions that return text keep it in */
	char		*gbuf, *lbuf, *sbuf;
	size_t		 gbufcap, lbufcap, sbufcap;
	char		 qbuf[80];
	char		 dbuf[1024];
};

/* hist-run.c: a run, as main() makes it (hist_option's and hist_setup's
 * results: 0, or one of these after reporting the problem). */
#define HIST_FATAL	(-1)		/* exit 2 */
#define HIST_USAGE	(-2)		/* the usage, exit 2 */
#define HIST_SHORTOPTS	"b:k:N:ST:w:X:Y:"
enum { HIST_OPT_BARS = 0x200, HIST_OPT_COLORS, HIST_OPT_MERGE,
	HIST_OPT_STACKED, HIST_OPT_SVG };
extern const struct bh_opt_long hist_longopts[];
/* Zero h; its output goes to fp. */
void	hist_init(struct hist *h, FILE *fp);
/* One option (a character of HIST_SHORTOPTS or HIST_OPT_*) with its
 * argument, which h keeps pointing to. */
int	hist_option(struct hist *h, int ch, const char *arg);
/* After the options: check them together, parse the keys, start the
 * output. */
int	hist_setup(struct hist *h);
/* The callbacks of bh_rec_loop, with arg h.  A fatal problem (a missing
 * column, too many cells, a bad record with --strict) sets h->fatal. */
void	hist_loop(struct hist *h, struct bh_loop *l);
/* At the end of input: the rows, the bars, the SVG.  stopped: the
 * reading ended early (bh_rec_loop's r->stop): like a fatal run, it
 * writes no aggregate, which would look whole.  Returns 0, or -1 when
 * the run was fatal or writing failed (reported). */
int	hist_output(struct hist *h, int stopped);
/* Flush what the output holds and free everything of the run. */
void	hist_free(struct hist *h);

/* hist-agg.c: numbers, weights, groups, specs, cells, order, statistics,
 * the stream, the panels.  Micro-unit values: hist_fmt_num writes the
 * canonical text (no trailing zeros), hist_fmt_wsum a weight sum;
 * hist_parse_weight reads a weight (>= 0, at most 6 decimals; -1 if
 * not one). */
int	hist_fmt_num(char *buf, int64_t v);
int	hist_parse_weight(const char *s, struct wsum *w);
int	hist_fmt_wsum(char *buf, const struct wsum *a);
double	hist_wsum_double(const struct wsum *a);
/* A field for a message, escaped and quoted (in h, until the next). */
const char *hist_quote(struct hist *h, const char *s);
/* Report a bad record (the first ten one by one), count it; with
 * --strict set h->fatal. */
void	hist_bad(struct hist *h, struct bh_reader *r, const char *fmt, ...)
	    BH_PRINTF(3, 4);
/* 64-bit FNV-1a of n bytes. */
uint64_t hist_hash_bytes(const char *p, size_t n);
/* The group of record fields f (by h->gcol), interned. */
uint32_t hist_group_id(struct hist *h, char *const *f);
/* Group g's values joined by ", " (in h, until the next). */
const char *hist_group_label(struct hist *h, uint32_t g);
/* The spec of the five names key width key2 width2 weight; -1 when a
 * width is not "-" or a number > 0. */
int	hist_spec_id(struct hist *h, const char *const nm[5], uint32_t *idp);
/* One -k argument into a spec; -1 after reporting a bad one. */
int	hist_spec_arg(struct hist *h, const char *arg);
/* The cell of (spec, group, row, a, b), new with n = w = 0; NULL after
 * reporting more than -N cells.  hist_cell_add adds n records of weight
 * w to c: 0, or -1 when c is NULL or after reporting an overflow. */
struct cell *hist_cell_get(struct hist *h, uint32_t spec, uint32_t group,
	    int row, const struct coord *a, const struct coord *b);
int	hist_cell_add(struct cell *c, uint64_t n, const struct wsum *w);
/* A value as a coordinate (text not yet interned); interned. */
void	hist_coord_of(const char *s, struct coord *c);
void	hist_coord_intern(struct hist *h, struct coord *c);
/* One input record into the cells: 0 (a bad one reported and skipped),
 * or -1 when the run ends. */
int	hist_add_record(struct hist *h, struct bh_reader *r);
/* The cells into output order (spec, group, row, bin, bin2). */
void	hist_sort_cells(struct hist *h);
/* The statistics of one block of cells; -1 after reporting an
 * overflow. */
int	hist_block_stats(const struct spec *sp, const struct cell *c,
	    size_t nc, struct stats *st);
/* s to the output. */
void	hist_put(struct hist *h, const char *s);
/* The text of a coordinate (a number into buf, BH_NUMBUF + 8 bytes). */
const char *hist_coord_str(struct hist *h, char *buf, int k, int64_t v);
/* The header of the output stream; its rows (0, or -1 after reporting
 * an overflow). */
void	hist_write_header(struct hist *h);
int	hist_write_rows(struct hist *h);
/* Where the block (same spec and group) of sorted cell i ends. */
size_t	hist_block_end(struct hist *h, size_t i);
/* The panels of the sorted cells, one per spec. */
void	hist_make_panels(struct hist *h);
/* "KEY by GROUPS, weighted by W" (in h, until the next). */
const char *hist_panel_desc(struct hist *h, const struct spec *sp);
/* s with bytes outside printable ASCII as '?' (in h, until the next). */
const char *hist_safe(struct hist *h, const char *s);
/* The bin(s) of c as a label into buf. */
void	hist_cell_label(struct hist *h, char *buf, size_t cap,
	    const struct cell *c);

/* hist-merge.c: the header of a --merge input (0, or -1 after reporting
 * that it is not a bh-hist stream), each of its rows (as
 * hist_add_record). */
int	hist_merge_open(struct hist *h, struct bh_reader *r);
int	hist_merge_record(struct hist *h, struct bh_reader *r);

/* hist-bars.c: --bars into the output; 0, or -1 after reporting an
 * overflow. */
int	hist_bars_write(struct hist *h);

/* hist-colour.c: one --colors argument (0, or -1 after reporting a bad
 * one); the colour of group g; the warning when groups of panel p share
 * one. */
int	hist_colour_arg(struct hist *h, const char *arg);
const char *hist_colour_of(struct hist *h, uint32_t g);
void	hist_colour_check(struct hist *h, const struct panel *p);

/* hist-svg.c: --svg to path ("-": h->fp); 0, or -1 after reporting a
 * failure to write. */
int	hist_svg_write(struct hist *h, const char *path);

#endif
