/*
 * rtt.h - bh-rtt's modules: rtt-legs.c, the legs of one record.
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
struct cols {
	int	proto, dir;
	int	syn, synack, ack, syn_n, synack_n;
	int	syn_ans, synack_ans;
	int	data[2][4];	/* [orig|resp][n, min, avg, max] */
};

extern int use_tsopt;

int	rtt_record(struct bh_reader *r, const struct cols *c,
	    const char *val[O_COUNT], char bufs[O_COUNT][BH_NUMBUF + 128]);

#endif
