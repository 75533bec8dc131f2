/*
 * bh-phase - label each session with its botnet phase, the protocol
 * recognised and the rule that fired, by payload first and port second;
 * link FTP and TFTP data sessions to their control sessions.
 *
 * Reads the session records of bh-sessions: flow proto orig_ip orig_port
 * resp_ip resp_port orig_head resp_head are required; ts dur dir
 * orig_bytes resp_bytes are used when present.  Adds phase app rule link
 * (DESIGN §2), and fills dir from the phase where it is `-`.  The phases
 * are BotHunter's dialog (Gu et al., USENIX Security 2007): inbound scan,
 * inbound exploit (infection), egg download, C&C, outbound attack.
 *
 * The rules are data: cmd/bh-phase.rules is compiled in (--print-rules
 * shows it) and -r files add or replace rules by name.  Each rule is a
 * POSIX extended regular expression over the escaped head text that users
 * see, so a rule can be tried with grep -E on the same column.
 *
 * Where it deviates from its peers: it does not always write a record as
 * soon as it has read it.  A record that may be one end of a link (an FTP
 * or TFTP control session, or a session that may be its data connection)
 * is held for a bounded window of capture time (-w) and a bounded number
 * of records (-W), and every record behind it waits with it, so the order
 * is kept.  Zeek expects the FTP data connection from the PORT/227 reply
 * before it starts; here records come when sessions end, and the data
 * connection usually ends first, so the link is made from whichever end
 * arrives second.  A link by address (PORT, EPRT, 227, 229) is made at
 * once; a guess (port 20, the same two hosts) waits until the data record
 * or the guessed control's record is written, for overlapping sessions to
 * one server: the control that names the data's address may end later.
 */
#include <sys/types.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bh.h"
#include "phase.h"


static void
usage(int status)
{
	FILE *fp = status == 0 ? stdout : stderr;

	fprintf(fp, "usage: %s [-dhn] [--print-rules] [--strict] [-r rules] "
	    "[-W records] [-w window]\n\t[file ...]\n", bh_progname);
	if (status == 0)
		fprintf(fp,
		    "  -d             drop orig_head and resp_head from the "
		    "output\n"
		    "  -n             no built-in rules (only the -r files)\n"
		    "  -r rules       add or replace rules by name "
		    "(repeatable)\n"
		    "  -W records     hold at most this many records "
		    "(default %d)\n"
		    "  -w window      look-ahead window in capture time "
		    "(default 600s)\n"
		    "  --print-rules  print the rules in force and exit\n"
		    "  --strict       the first bad record is fatal (exit 2)\n",
		    DEF_HOLD);
	exit(status);
}

int
main(int argc, char *argv[])
{
	struct bh_reader r;
	struct bh_writer w;
	struct rec rc;
	struct slot *s;
	static const char *const owned[] = {
		"phase", "app", "rule", "link", "dir",
	};
	char **rfiles = NULL, **fbuf;
	int nrfiles = 0, no_builtin = 0, print = 0, strict = 0, drop = 0;
	int c, i;
	int rule, ctl, data;
	unsigned long ul;

	bh_diag_init(argv[0]);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--strict") == 0)
			strict = 1;
		else if (strcmp(argv[i], "--print-rules") == 0)
			print = 1;
		else
			continue;
		memmove(argv + i, argv + i + 1,
		    (size_t)(argc - i) * sizeof(*argv));
		argc--;
		i--;
	}
	while ((c = getopt(argc, argv, "dhnr:W:w:")) != -1) {
		switch (c) {
		case 'd':
			drop = 1;
			break;
		case 'h':
			usage(0);
			break;
		case 'n':
			no_builtin = 1;
			break;
		case 'r':
			rfiles = xreallocarray(rfiles, (size_t)nrfiles + 1,
			    sizeof(*rfiles));
			rfiles[nrfiles++] = optarg;
			break;
		case 'W':
			if (bh_parse_uint(optarg, 100000000, &ul) == -1 ||
			    ul == 0) {
				bh_warnx("-W: bad record count '%s'", optarg);
				usage(BH_EXIT_FATAL);
			}
			maxhold = ul;
			break;
		case 'w':
			if (bh_parse_duration(optarg, &window_us) == -1) {
				bh_warnx("-w: bad duration '%s'", optarg);
				usage(BH_EXIT_FATAL);
			}
			break;
		default:
			usage(BH_EXIT_FATAL);
		}
	}
	argc -= optind;
	argv += optind;

	rules_load(no_builtin, rfiles, nrfiles);
	free(rfiles);
	if (print) {
		rules_print();
		rules_free();
		return bh_fshut(BH_EXIT_OK);
	}

	bh_rec_open(&r, argc, argv, stdout);
	r.strict = strict;
	if (r.ncol == 0) {
		rules_free();
		return bh_fshut(bh_rec_close(&r));
	}
	col.flow = bh_rec_need(&r, "flow");
	col.proto = bh_rec_need(&r, "proto");
	col.oip = bh_rec_need(&r, "orig_ip");
	col.oport = bh_rec_need(&r, "orig_port");
	col.rip = bh_rec_need(&r, "resp_ip");
	col.rport = bh_rec_need(&r, "resp_port");
	col.ohead = bh_rec_need(&r, "orig_head");
	col.rhead = bh_rec_need(&r, "resp_head");
	col.ts = bh_rec_col(&r, "ts");
	col.dur = bh_rec_col(&r, "dur");
	col.dir = bh_rec_col(&r, "dir");
	col.obytes = bh_rec_col(&r, "orig_bytes");
	col.rbytes = bh_rec_col(&r, "resp_bytes");
	bh_wr_init(&w, stdout, &r, owned, col.dir >= 0 ? 5 : 4);
	if (drop) {
		/* The heads are what this filter reads; the later stages
		 * (bh-rtt, bh-ttl, bh-hist) do not, and they are two thirds
		 * of the stream's bytes. */
		bh_wr_drop(&w, col.ohead);
		bh_wr_drop(&w, col.rhead);
	}
	bh_wr_header(&w, &r, owned);
	bh_wr_init_mem(&pw, &w);
	fbuf = xreallocarray(NULL, r.ncol + 1, sizeof(*fbuf));

	for (;;) {
		enum bh_rec_kind kind = bh_rec_next(&r);

		if (kind == BH_REC_EOF)
			break;
		if (kind == BH_REC_COMMENT) {
			if (qcount == 0) {
				bh_wr_line(&w, r.line, r.linelen);
				continue;
			}
			bh_wr_line(pw_next(), r.line, r.linelen);
			q_release(&w, &r, fbuf, 0);
			continue;
		}
		if (rec_read(&r, &rc) == -1)
			continue;
		if (rc.has_ts && (!clock_set || rc.end > clock_us)) {
			clock_us = rc.end;
			clock_set = 1;
		}
		rule = classify(&rc);
		ctl = link_role(rule, &rc, &data);
		if (ctl == LK_NONE && !data) {
			write_fields(qcount == 0 ? &w : pw_next(), &r, rule,
			    rule >= 0 ? phase_of(rule, rc.dir) : 0,
			    rule >= 0 ? dirfill_of(rule, rc.dir) : -1, NULL);
			if (qcount > 0)
				q_release(&w, &r, fbuf, 0);
			continue;
		}
		s = hold_record(&r, &rc, rule, ctl != LK_NONE || data);
		s->data = data;
		s->ctl = ctl != LK_NONE;
		if (data)
			link_data(s);
		if (ctl != LK_NONE)
			add_control(s, ctl, &rc);
		q_release(&w, &r, fbuf, 0);
	}
	q_release(&w, &r, fbuf, 1);
	bh_wr_free(&pw);
	bh_wr_free(&w);
	q_free();
	free(fbuf);
	rules_free();
	return bh_fshut(bh_rec_close(&r));
}
