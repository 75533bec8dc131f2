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

extern struct strtab	 texts, groups, specids;
extern struct spec	*specs;
extern size_t		 nspecs;
extern char		***gpart;
extern char		**gnames;
extern size_t		 ngcols;
extern int		*gcol;
extern struct cell	*cells;
extern size_t		 ncells;
extern unsigned long	 maxcells;
extern uint32_t		*textrank;
extern int		 statsmode, has2d;
extern const char	*weightcol;
extern int		 wcol;
extern unsigned long	 nweightless;
extern struct bh_writer	 out;
extern struct coord	*kval, *kraw;
extern struct panel	*panels;
extern size_t		 npanels;
extern const char	*title, *xlabel, *ylabel;
extern int		 stacked;

/* hist-agg.c */
int	parse_num(const char *s, int64_t *v);
int	fmt_num(char *buf, int64_t v);
int	parse_weight(const char *s, struct wsum *w);
int	fmt_wsum(char *buf, const struct wsum *a);
double	wsum_double(const struct wsum *a);
const char *quote(const char *s);
void	bad(struct bh_reader *r, const char *fmt, ...) BH_PRINTF(2, 3);
uint64_t hash_bytes(const char *p, size_t n);
uint32_t group_id(char *const *f);
const char *group_label(uint32_t g);
int	spec_id(const char *const nm[5], uint32_t *idp);
int	valid_name(const char *s, size_t n);
void	spec_arg(const char *arg);
struct cell *cell_get(uint32_t spec, uint32_t group, int row,
	    const struct coord *a, const struct coord *b);
void	cell_add(struct cell *c, uint64_t n, const struct wsum *w);
void	coord_of(const char *s, struct coord *c);
void	coord_intern(struct coord *c);
void	add_record(struct bh_reader *r);
int	coord_cmp(int ka, int64_t va, int kb, int64_t vb);
void	sort_cells(void);
void	block_stats(const struct spec *sp, const struct cell *c, size_t nc,
	    struct stats *st);
void	put(const char *s);
const char *coord_str(char *buf, int k, int64_t v);
void	write_header(void);
size_t	block_end(size_t i);
void	write_stream(void);
void	make_panels(void);
const char *panel_desc(const struct spec *sp);
const char *safe(const char *s);

/* bh-hist.c */
void	usage(void) BH_NORETURN;

/* hist-merge.c */
void	merge_open(struct bh_reader *r);
void	merge_record(struct bh_reader *r);

/* hist-bars.c */
void	cell_label(char *buf, size_t cap, const struct cell *c);
void	write_bars(void);

/* hist-colour.c */
void	colours_arg(const char *arg);
const char *group_colour(uint32_t g);
void	check_colours(const struct panel *p);

/* hist-svg.c */
void	write_svg(const char *path);

#endif
