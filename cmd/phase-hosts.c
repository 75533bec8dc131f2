/*
 * phase-hosts.c - which hosts are local when no local networks were
 * given (dir `-`): decided once per host, for the whole run, by the first
 * labelled session it takes part in (the host that receives an exploit,
 * a shell or an executable, or that sends IRC NICK/USER, is local; the
 * other party is remote), and then kept, so that no host is local in one
 * session and remote in another.  A session between two decided hosts
 * gets the dir their decisions give (`local` or `ext` when they agree),
 * and its phase is then read in that direction (BotHunter's inbound and
 * outbound dialog).  At most HOSTS_MAX hosts are remembered; the sessions
 * of the others are filled from their own label, as before, and counted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bh.h"
#include "phase.h"

static uint64_t
ip_hash(const struct ip *ip)
{
	uint64_t h = (uint64_t)ip->fam, w;
	int i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, ip->a + i, 8);
		h = bh_mix64(h ^ w);
	}
	return h;
}

/* The entry of ip, made when add and there is room; NULL otherwise. */
static struct host *
host_slot(const struct ip *ip, int add)
{
	size_t i, mask;

	if (ip->fam == 0)
		return NULL;
	if (phst.hosts == NULL) {
		if (!add)
			return NULL;
		phst.hosts = xcalloc(HOSTS_SLOTS, sizeof(*phst.hosts));
	}
	mask = HOSTS_SLOTS - 1;
	for (i = ip_hash(ip) & mask;; i = (i + 1) & mask) {
		struct host *h = &phst.hosts[i];

		if (h->where == 0) {
			if (!add)
				return NULL;
			if (phst.nhosts >= HOSTS_MAX) {
				phst.hosts_full++;
				return NULL;
			}
			h->ip = *ip;
			phst.nhosts++;
			return h;
		}
		if (h->ip.fam == ip->fam && memcmp(h->ip.a, ip->a, 16) == 0)
			return h;
	}
}

static void
decide(struct host *h, int where, const char *flow, int rule)
{
	if (h == NULL || h->where != 0)
		return;
	h->where = where;
	h->rule = rule;
	h->flow = strtoull(flow, NULL, 10);
	if (where == HOST_LOCAL)
		phst.nlocal++;
}

/*
 * The dir of a record whose input dir is `-`, between orig and resp,
 * labelled by rule (or -1): from the hosts' decisions when either has
 * one (deciding the other), else from the rule (deciding both); *by is
 * the flow of the session whose label decided.  -1 when nothing says.
 */
int
hosts_dir(const struct ip *orig, const struct ip *resp, int rule,
    const char *flow, uint64_t *by)
{
	struct host *o, *r;
	int ow, rw, fill;

	/* One address at both ends (a capture on "any" sees loopback):
	 * that host talking to itself, local. */
	if (orig->fam != 0 && orig->fam == resp->fam &&
	    memcmp(orig->a, resp->a, 16) == 0) {
		o = host_slot(orig, 1);
		*by = strtoull(flow, NULL, 10);
		if (o == NULL)
			return -1;
		if (o->where == 0)
			decide(o, HOST_LOCAL, flow, rule);
		*by = o->flow;
		return o->where == HOST_LOCAL ? D_LOCAL : D_EXT;
	}
	o = host_slot(orig, 0);
	r = host_slot(resp, 0);
	ow = o != NULL ? o->where : 0;
	rw = r != NULL ? r->where : 0;
	*by = ow != 0 ? o->flow : rw != 0 ? r->flow : strtoull(flow, NULL, 10);
	if (ow == 0 && rw == 0) {
		if (rule < 0)
			return -1;
		fill = dirfill_of(rule, D_UNSET);
		decide(host_slot(orig, 1), fill == D_OUT ? HOST_LOCAL :
		    HOST_REMOTE, flow, rule);
		decide(host_slot(resp, 1), fill == D_OUT ? HOST_REMOTE :
		    HOST_LOCAL, flow, rule);
		return fill;
	}
	if (ow == 0) {
		ow = rw == HOST_LOCAL ? HOST_REMOTE : HOST_LOCAL;
		decide(host_slot(orig, 1), ow, flow, rule);
	} else if (rw == 0) {
		rw = ow == HOST_LOCAL ? HOST_REMOTE : HOST_LOCAL;
		decide(host_slot(resp, 1), rw, flow, rule);
	}
	if (ow == rw)
		return ow == HOST_LOCAL ? D_LOCAL : D_EXT;
	return ow == HOST_LOCAL ? D_OUT : D_IN;
}

/* The hosts not remembered, on stderr. */
void
hosts_summary(void)
{
	if (phst.hosts_full > 0)
		bh_warnx("%llu hosts beyond the %d remembered: the dir of "
		    "their sessions from their own label",
		    (unsigned long long)phst.hosts_full, HOSTS_MAX);
}

void
hosts_free(void)
{
	free(phst.hosts);
	phst.hosts = NULL;
}
