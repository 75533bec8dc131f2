/*
 * hist-merge.c - bh-hist --merge: the rows of earlier bh-hist outputs
 * (its own stream, bh-hist(1) OUTPUT) added into the cells, so that the
 * merged result is the one a single run over all the inputs writes.
 */
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "hist.h"

/*
 * The header of a --merge input: its columns, whether it has key2 (2-D)
 * and row (-S), and its groups (the columns bh-hist does not own).
 * Returns 0, or -1 after reporting an input that is not a bh-hist stream.
 */
int
hist_merge_open(struct hist *h, struct bh_reader *r)
{
	size_t i, k;
	int isres;

	for (k = 0; k < RC_NRES; k++)
		h->mcol[k] = bh_rec_col(r, reserved[k]);
	for (k = RC_KEY; k <= RC_W; k++) {
		if (k == RC_KEY2 || k == RC_WIDTH2 || k == RC_BIN2 ||
		    k == RC_ROW)
			continue;
		if (h->mcol[k] == -1) {
			bh_warnx("%s: not a bh-hist stream: missing column "
			    "'%s'", r->name, reserved[k]);
			return -1;
		}
	}
	if ((h->mcol[RC_KEY2] == -1) != (h->mcol[RC_WIDTH2] == -1) ||
	    (h->mcol[RC_KEY2] == -1) != (h->mcol[RC_BIN2] == -1)) {
		bh_warnx("%s: not a bh-hist stream: key2, width2 and bin2 go "
		    "together", r->name);
		return -1;
	}
	h->has2d = h->mcol[RC_KEY2] != -1;
	h->statsmode = h->mcol[RC_ROW] != -1;
	h->gcol = xreallocarray(NULL, r->ncol + 1, sizeof(*h->gcol));
	h->gnames = xreallocarray(NULL, r->ncol + 1, sizeof(*h->gnames));
	for (i = 0; i < r->ncol; i++) {
		isres = 0;
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(r->col[i], reserved[k]) == 0)
				isres = 1;
		if (!isres) {
			h->gcol[h->ngcols] = (int)i;
			h->gnames[h->ngcols++] = xstrdup(r->col[i]);
		}
	}
	return 0;
}

/* One row of an earlier bh-hist output: its n and w go to its cell.  Stat
 * rows are dropped: they are recomputed from the merged cells.  Returns
 * 0 (also for a bad row, reported and skipped), or -1 when the run ends
 * (too many cells, an overflow, a bad row with --strict). */
int
hist_merge_record(struct hist *h, struct bh_reader *r)
{
	char **f = r->f;
	const char *nm[5], *s;
	struct coord a, b = { 0, CK_NONE, NULL };
	struct wsum w;
	uint64_t n;
	uint32_t sid;
	int row = ROW_HIST;

	if (h->mcol[RC_ROW] != -1) {
		s = f[h->mcol[RC_ROW]];
		if (strcmp(s, "stat") == 0)
			return 0;
		if (strcmp(s, "value") == 0)
			row = ROW_VALUE;
		else if (strcmp(s, "hist") != 0) {
			hist_bad(h, r, "row: not hist, value or stat: %s; "
			    "record skipped", hist_quote(h, s));
			return h->fatal ? -1 : 0;
		}
	}
	nm[0] = f[h->mcol[RC_KEY]];
	nm[1] = f[h->mcol[RC_WIDTH]];
	nm[2] = h->has2d ? f[h->mcol[RC_KEY2]] : "-";
	nm[3] = h->has2d ? f[h->mcol[RC_WIDTH2]] : "-";
	nm[4] = f[h->mcol[RC_WEIGHT]];
	if (!bh_rec_name_ok(nm[0], strlen(nm[0])) || (!BH_UNSET(nm[2]) &&
	    !bh_rec_name_ok(nm[2], strlen(nm[2])))) {
		hist_bad(h, r, "key: not a column name; record skipped");
		return h->fatal ? -1 : 0;
	}
	if (BH_UNSET(nm[2]) && !BH_UNSET(nm[3])) {
		hist_bad(h, r, "width2 without key2; record skipped");
		return h->fatal ? -1 : 0;
	}
	hist_coord_of(f[h->mcol[RC_BIN]], &a);
	if (!BH_UNSET(nm[2]))
		hist_coord_of(f[h->mcol[RC_BIN2]], &b);
	else if (h->has2d && !BH_UNSET(f[h->mcol[RC_BIN2]])) {
		hist_bad(h, r, "bin2 without key2; record skipped");
		return h->fatal ? -1 : 0;
	}
	if (bh_parse_u64(f[h->mcol[RC_N]], &n) == -1) {
		hist_bad(h, r, "n: not a count: %s; record skipped",
		    hist_quote(h, f[h->mcol[RC_N]]));
		return h->fatal ? -1 : 0;
	}
	if (hist_parse_weight(f[h->mcol[RC_W]], &w) == -1) {
		hist_bad(h, r, "w: not a weight: %s; record skipped",
		    hist_quote(h, f[h->mcol[RC_W]]));
		return h->fatal ? -1 : 0;
	}
	if (hist_spec_id(h, nm, &sid) == -1) {
		hist_bad(h, r, "width: not '-' or a number > 0; record "
		    "skipped");
		return h->fatal ? -1 : 0;
	}
	hist_coord_intern(h, &a);
	hist_coord_intern(h, &b);
	return hist_cell_add(hist_cell_get(h, sid, hist_group_id(h, f), row,
	    &a, &b), n, &w);
}

