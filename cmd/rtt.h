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
extern const char *const rtt_owned[O_COUNT];

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

/* The bh_loop callbacks: the header (find the columns, -1 when a needed
 * one is missing, reported; start the output), each record (its values
 * written, or the record reported and skipped), each comment; rtt_end
 * flushes and frees. */
int	rtt_header(struct rtt *t, struct bh_reader *r);
int	rtt_record(struct rtt *t, struct bh_reader *r);
int	rtt_comment(struct rtt *t, const char *line, size_t len);
void	rtt_end(struct rtt *t);
/* The four above as the callbacks of bh_rec_loop, with arg t. */
void	rtt_loop(struct rtt *t, struct bh_loop *l);

#endif
