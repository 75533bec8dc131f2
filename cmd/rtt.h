/*
 * rtt.h - bh-rtt's module rtt-legs.c: the legs of each record, written out.
 */
#ifndef BH_RTT_H
#define BH_RTT_H

/* Owned columns, in output order. */
enum {
	O_RTT, O_RESP, O_ORIG, O_REMOTE, O_NOTE,
	O_DATA_N, O_DATA_MIN, O_DATA_AVG, O_DATA_MAX,
	O_COUNT
};

/* Input columns; -1 when absent (only the optional ones may be). */
struct rtt_cols {
	int	proto, dir;
	int	syn, synack, ack, syn_n, synack_n;
	int	syn_ans, synack_ans;
	int	data[2][4];	/* [orig|resp][n, min, avg, max] */
};

/* One run of bh-rtt: zero it, set out and the options. */
struct rtt {
	FILE		*out;
	int		 no_tsopt;	/* -T: strict Karn, as tcptrace */
	struct rtt_cols	 c;
	struct bh_writer w;
	const char	*val[O_COUNT];
	char		 bufs[O_COUNT][BH_NUMBUF + 128];
};

/* The bh_rec_loop callbacks with arg t: the header (the columns; -1
 * when a needed one is missing, reported; the output started), each
 * record (its values written, or it is reported and skipped), each
 * comment.  rtt_end flushes and frees. */
void	rtt_loop(struct rtt *t, struct bh_loop *l);
void	rtt_end(struct rtt *t);

#endif
