/*
 * sessions-live.c - bh-sessions on a network interface (-i): libpcap's
 * live capture (pcap_create(3), pcap_activate(3)) in immediate mode
 * (pcap_set_immediate_mode(3): each packet as it comes, not a buffer's
 * worth), each packet through sessions_packet() as from a file; the
 * records are flushed after each batch pcap_dispatch(3) hands over.
 * SIGINT, SIGTERM and SIGHUP end the capture (pcap_breakloop(3)); the
 * caller then writes every live session, and libpcap's counts of what
 * the kernel and the interface dropped (pcap_stats(3)) go to stderr.
 */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "sessions.h"

/* The handle the signal handler breaks the loop of, and its flag: a
 * signal handler has no argument to find them by. */
static pcap_t *volatile live_pc;
static volatile sig_atomic_t live_stop;

static void
on_signal(int sig)
{
	(void)sig;
	live_stop = 1;
	if (live_pc != NULL)
		pcap_breakloop(live_pc);
}

struct live {
	struct run	*r;
	const char	*name;
	int		 dlt, first, failed;
	uint64_t	 n;
	pcap_t		*pc;
};

static void
live_packet(unsigned char *arg, const struct pcap_pkthdr *h,
    const unsigned char *data)
{
	struct live *l = (struct live *)arg;

	l->n++;
	l->r->packets++;
	if (sessions_packet(l->r, l->name, l->dlt, h, data, l->n,
	    &l->first) == -1) {
		l->failed = 1;
		pcap_breakloop(l->pc);
	}
}

/* Why pcap_activate(3) failed, in words a user can act on. */
static void
activate_error(const char *iface, pcap_t *pc, int rc)
{
	switch (rc) {
	case PCAP_ERROR_PERM_DENIED:
		bh_warnx("%s: capturing needs CAP_NET_RAW (run as root, or "
		    "setcap cap_net_raw+ep on bh-sessions): %s", iface,
		    pcap_geterr(pc));
		break;
	case PCAP_ERROR_NO_SUCH_DEVICE:
		bh_warnx("%s: no such interface: %s", iface, pcap_geterr(pc));
		break;
	case PCAP_ERROR_IFACE_NOT_UP:
		bh_warnx("%s: the interface is down", iface);
		break;
	default:
		bh_warnx("%s: %s: %s", iface, pcap_statustostr(rc),
		    pcap_geterr(pc));
	}
}

int
sessions_live_open(struct run *r, const char *iface, int buffer_kib)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	struct live *live;
	pcap_t *pc;
	int rc;

	errbuf[0] = '\0';
	if ((pc = pcap_create(iface, errbuf)) == NULL) {
		bh_warnx("%s: %s", iface, errbuf);
		return -1;
	}
	pcap_set_snaplen(pc, 262144);
	pcap_set_promisc(pc, 1);
	pcap_set_immediate_mode(pc, 1);
	if (buffer_kib > 0)
		pcap_set_buffer_size(pc, buffer_kib * 1024);
	if ((rc = pcap_activate(pc)) < 0) {
		activate_error(iface, pc, rc);
		pcap_close(pc);
		return -1;
	}
	if (rc > 0)
		bh_warnx("%s: %s: %s", iface, pcap_statustostr(rc),
		    pcap_geterr(pc));
	live = xcalloc(1, sizeof(*live));
	r->live = live;
	r->is_live = 1;
	live->r = r;
	live->name = iface;
	live->pc = pc;
	live->first = 1;
	live->dlt = pcap_datalink(pc);
	if (!bh_pkt_linktype_ok(live->dlt)) {
		const char *ln = pcap_datalink_val_to_name(live->dlt);

		bh_warnx("%s: unsupported link type %d (%s)", iface, live->dlt,
		    ln != NULL ? ln : "unknown");
		goto fail;
	}
	/* In the kernel (pcap_setfilter(3)): what does not match is never
	 * copied to us. */
	if (r->filter != NULL) {
		if (pcap_compile(pc, &prog, r->filter, 1,
		    PCAP_NETMASK_UNKNOWN) == -1 ||
		    pcap_setfilter(pc, &prog) == -1) {
			bh_warnx("%s: -f '%s': %s", iface, r->filter,
			    pcap_geterr(pc));
			goto fail;
		}
		pcap_freecode(&prog);
	}
	return 0;
fail:
	pcap_close(pc);
	free(r->live);
	r->live = NULL;
	return -1;
}

int
sessions_live_run(struct run *r)
{
	struct live *live = r->live;
	struct sigaction sa;
	struct pcap_stat ps;
	pcap_t *pc = live->pc;
	int rc, failed;

	live_pc = pc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (!live_stop && !live->failed) {
		rc = pcap_dispatch(pc, -1, live_packet,
		    (unsigned char *)live);
		if (fflush(stdout) == EOF)
			bh_err(BH_EXIT_FATAL, "write error on standard output");
		if (rc == PCAP_ERROR_BREAK)
			break;
		if (rc == PCAP_ERROR) {
			bh_warnx("%s: %s", live->name, pcap_geterr(pc));
			r->status = BH_EXIT_FATAL;
			break;
		}
	}
	/* ps_recv counts what the filter passed; ps_drop what the kernel
	 * had no buffer for; ps_ifdrop what the interface dropped (not
	 * every platform counts it: pcap_stats(3)). */
	if (pcap_stats(pc, &ps) == 0)
		bh_warnx("%s: %u packets received, %u dropped by the kernel "
		    "(ps_drop), %u dropped by the interface (ps_ifdrop)",
		    live->name, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
	else
		bh_warnx("%s: no drop counts: %s", live->name, pcap_geterr(pc));
	live_pc = NULL;
	pcap_close(pc);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	failed = live->failed;
	free(live);
	r->live = NULL;
	return failed ? -1 : 0;
}
