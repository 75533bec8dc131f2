/*
 * bh-phase - label each session with its botnet phase, the protocol
 * recognised and the rule that fired, by payload first and port second;
 * link FTP and TFTP data sessions to their control sessions.
 *
 * Reads the session records of bh-sessions: flow proto orig_ip orig_port
 * resp_ip resp_port orig_head resp_head are required; ts dur dir
 * orig_bytes resp_bytes are used when present.  Adds phase app rule link
 * (bh-phase(1)), and fills dir from the phase where it is `-`.  The phases
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
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "phase.h"


static void
usage(FILE *fp, int full)
{
	fprintf(fp, "usage: %s [-dhn] [--print-rules] [--strict] [-r rules] "
	    "[-W records] [-w window]\n\t[file ...]\n", bh_progname);
	if (full)
		fprintf(fp,
		    "  -d             drop orig_head and resp_head from the "
		    "output\n"
		    "  -n             no built-in rules (only the -r files)\n"
		    "  -r rules       add or replace rules by name "
		    "(repeatable; bh-phase.rules(5))\n"
		    "  -W records     hold at most this many records "
		    "(default %d)\n"
		    "  -w window      look-ahead window in capture time "
		    "(default 600s)\n"
		    "  --print-rules  print the rules in force and exit\n"
		    "  --strict       the first bad record is fatal (exit 2)\n",
		    DEF_HOLD);
}

int
main(int argc, char *argv[])
{
	static const struct bh_opt_long longs[] = {
		{ "print-rules", 0, 'P' },
		{ NULL, 0, 0 }
	};
	struct phase_run p;
	struct bh_reader r;
	struct bh_loop l;
	struct bh_opt o;
	char **rfiles = NULL;
	int nrfiles = 0, no_builtin = 0, print = 0, c, status;
	unsigned long ul;

	bh_diag_init(argv[0]);
	memset(&p, 0, sizeof(p));
	p.out = stdout;
	bh_opt_init(&o, argc, argv, "dnr:W:w:", longs);
	while ((c = bh_opt_next(&o)) != -1) {
		switch (c) {
		case 'd':
			p.drop = 1;
			break;
		case 'n':
			no_builtin = 1;
			break;
		case 'P':
			print = 1;
			break;
		case 'r':
			rfiles = xreallocarray(rfiles, (size_t)nrfiles + 1,
			    sizeof(*rfiles));
			rfiles[nrfiles++] = o.arg;
			break;
		case 'W':
			if (bh_parse_uint(o.arg, 100000000, &ul) == -1 ||
			    ul == 0) {
				bh_warnx("-W: bad record count '%s'", o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			phst.maxhold = ul;
			break;
		case 'w':
			if (bh_parse_duration(o.arg, &phst.window_us) == -1) {
				bh_warnx("-w: bad duration '%s'", o.arg);
				bh_opt_end(BH_OPT_BAD, usage);
			}
			break;
		default:
			bh_opt_end(c, usage);
		}
	}
	argc -= o.ind;
	argv += o.ind;

	status = rules_load(no_builtin, rfiles, nrfiles);
	free(rfiles);
	if (status == -1) {
		rules_free();
		return BH_EXIT_FATAL;
	}
	if (print) {
		rules_print(stdout);
		rules_free();
		return bh_fshut(BH_EXIT_OK);
	}
	phase_loop(&p, &l);
	status = bh_rec_loop(&r, argc, argv, o.strict, &l);
	phase_end(&p);
	rules_free();
	return bh_fshut(status);
}
