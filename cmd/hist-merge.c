/*
 * hist-merge.c - bh-hist --merge: the rows of earlier bh-hist outputs
 * added into the cells.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

static int	mcol[RC_NRES];

void
merge_open(struct bh_reader *r)
{
	size_t i, k;
	int isres;

	for (k = 0; k < RC_NRES; k++)
		mcol[k] = bh_rec_col(r, reserved[k]);
	for (k = RC_KEY; k <= RC_W; k++) {
		if (k == RC_KEY2 || k == RC_WIDTH2 || k == RC_BIN2 ||
		    k == RC_ROW)
			continue;
		if (mcol[k] == -1)
			bh_errx(BH_EXIT_FATAL, "%s: not a bh-hist stream: "
			    "missing column '%s'", r->name, reserved[k]);
	}
	if ((mcol[RC_KEY2] == -1) != (mcol[RC_WIDTH2] == -1) ||
	    (mcol[RC_KEY2] == -1) != (mcol[RC_BIN2] == -1))
		bh_errx(BH_EXIT_FATAL, "%s: not a bh-hist stream: key2, "
		    "width2 and bin2 go together", r->name);
	has2d = mcol[RC_KEY2] != -1;
	statsmode = mcol[RC_ROW] != -1;
	gcol = xreallocarray(NULL, r->ncol + 1, sizeof(*gcol));
	gnames = xreallocarray(NULL, r->ncol + 1, sizeof(*gnames));
	for (i = 0; i < r->ncol; i++) {
		isres = 0;
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(r->col[i], reserved[k]) == 0)
				isres = 1;
		if (!isres) {
			gcol[ngcols] = (int)i;
			gnames[ngcols++] = r->col[i];
		}
	}
}

/* One row of an earlier bh-hist output: its n and w go to its cell.  Stat
 * rows are dropped: they are recomputed from the merged cells. */
void
merge_record(struct bh_reader *r)
{
	char **f = r->f;
	const char *nm[5], *s;
	struct coord a, b = { 0, CK_NONE, NULL };
	struct wsum w;
	uint64_t n;
	uint32_t sid;
	int row = ROW_HIST;

	if (mcol[RC_ROW] != -1) {
		s = f[mcol[RC_ROW]];
		if (strcmp(s, "stat") == 0)
			return;
		if (strcmp(s, "value") == 0)
			row = ROW_VALUE;
		else if (strcmp(s, "hist") != 0) {
			bad(r, "row: not hist, value or stat: %s; record "
			    "skipped", quote(s));
			return;
		}
	}
	nm[0] = f[mcol[RC_KEY]];
	nm[1] = f[mcol[RC_WIDTH]];
	nm[2] = has2d ? f[mcol[RC_KEY2]] : "-";
	nm[3] = has2d ? f[mcol[RC_WIDTH2]] : "-";
	nm[4] = f[mcol[RC_WEIGHT]];
	if (!valid_name(nm[0], strlen(nm[0])) || (!BH_UNSET(nm[2]) &&
	    !valid_name(nm[2], strlen(nm[2])))) {
		bad(r, "key: not a column name; record skipped");
		return;
	}
	if (BH_UNSET(nm[2]) && !BH_UNSET(nm[3])) {
		bad(r, "width2 without key2; record skipped");
		return;
	}
	coord_of(f[mcol[RC_BIN]], &a);
	if (!BH_UNSET(nm[2]))
		coord_of(f[mcol[RC_BIN2]], &b);
	else if (has2d && !BH_UNSET(f[mcol[RC_BIN2]])) {
		bad(r, "bin2 without key2; record skipped");
		return;
	}
	if (bh_parse_u64(f[mcol[RC_N]], &n) == -1) {
		bad(r, "n: not a count: %s; record skipped",
		    quote(f[mcol[RC_N]]));
		return;
	}
	if (parse_weight(f[mcol[RC_W]], &w) == -1) {
		bad(r, "w: not a weight: %s; record skipped",
		    quote(f[mcol[RC_W]]));
		return;
	}
	if (spec_id(nm, &sid) == -1) {
		bad(r, "width: not '-' or a number > 0; record skipped");
		return;
	}
	coord_intern(&a);
	coord_intern(&b);
	cell_add(cell_get(sid, group_id(f), row, &a, &b), n, &w);
}

