/*
 * synth-world.c - bh-synth's world: its random numbers (splitmix64), the
 * hosts and their addresses, and the state the modules share.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "synth.h"

const char *const os_name[] = { "windows", "unix", "solaris/network" };
const uint8_t os_ttl[] = { 128, 64, 255 };
const char truth_header[] =
    "#flow\tts\tproto\torig_ip\torig_port\tresp_ip\tresp_port\tdir\tphase\t"
    "app\tlink\tstate\torig_pkts\tresp_pkts\tremote_ip\tremote_pkts\t"
    "remote_ttl\tremote_ttl_init\tremote_hops\tremote_os\trtt_remote_ms\t"
    "rtt_local_ms\trtt_how\tvlan\tnote\tepisode\tevidence\t"
    "remote_stack\tremote_route\n";
const char *const domains[] = { "irc.rizon-bots.net",
    "update.microsofts-dl.com", "x.hacked-box.org", "dl.freeavupdate.info",
    "cc.botnet-irc.cn", "files.fastdl.ru" };

/* All of bh-synth's mutable state, in one place. */
struct synth_state synst = {
	.hp_port = 1025,
	.hp4 = { 192, 168, 56, 101 },
	.hp6 = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x56, 0, 0, 0, 0, 0, 0, 0, 0,
	    0x01, 0x01 },
	.hp_tsbase = 0x1a2b3c,
};

/* ---- deterministic random numbers ----------------------------------- */

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit step of the stream. */
uint64_t
splitmix(uint64_t *s)
{
	uint64_t z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A hash of x: one splitmix64 step from it, a bijection on 64 bits (not
 * lib's bh_mix64, MurmurHash3's finalizer: another function, and the
 * captures must stay as they were). */
uint64_t
splitmix_hash(uint64_t x)
{
	return splitmix(&x);
}

/* Uniform in [0, n) for n < 2^32, by multiply-shift (no modulo bias
 * worth the name, no floating point). */
uint32_t
below(uint32_t n)
{
	return (uint32_t)(((splitmix(&synst.rng) >> 32) * n) >> 32);
}

/* Uniform in [lo, hi]. */
int64_t
range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)below((uint32_t)(hi - lo + 1));
}

/* True with probability permille/1000. */
int
chance(unsigned permille)
{
	return below(1000) < permille;
}

/* ---- hosts ------------------------------------------------------------ */

/*
 * A public-looking IPv4 address for host index idx, unique per index:
 * fmix32 (MurmurHash3's finalizer) is a bijection, and each index owns
 * the 16 inputs idx*16+j, of which the first that does not fall in a
 * reserved or private /8 is taken (RFC 6890).
 */
static void
addr4_of(unsigned char *a, uint32_t idx)
{
	uint32_t x;
	unsigned j, o;

	for (j = 0; j < 16; j++) {
		x = (idx * 16u + j) ^ (uint32_t)(synst.seed * 0x9e3779b9u);
		x ^= x >> 16;
		x *= 0x85ebca6bu;
		x ^= x >> 13;
		x *= 0xc2b2ae35u;
		x ^= x >> 16;
		o = x >> 24;
		if (o == 0 || o == 10 || o == 100 || o == 127 || o == 169 ||
		    o == 172 || o == 192 || o == 198 || o == 203 || o >= 224)
			continue;
		if ((x & 0xff) == 0 || (x & 0xff) == 255)
			continue;
		break;
	}
	a[0] = x >> 24;
	a[1] = x >> 16;
	a[2] = x >> 8;
	a[3] = x;
}

/* 2001:db8:XXXX:XXXX::XXXX (RFC 3849), never in the honeypot's /64. */
static void
addr6_of(unsigned char *a, uint32_t idx)
{
	uint64_t h = splitmix_hash(synst.seed ^ ((uint64_t)idx << 20) ^ 0x6666);

	memset(a, 0, 16);
	a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
	a[4] = (uint8_t)(0x01 + (h >> 56) % 0xfe);
	a[5] = h >> 48;
	a[6] = h >> 40;
	a[7] = h >> 32;
	a[14] = (h >> 8) & 0xff;
	a[15] = (h & 0xff) | 1;
}

/*
 * The host with index idx: address, OS drawn with the given per-mille
 * shares of Windows and Unix (the rest Solaris/network gear), hops
 * spread around 22 (14..30, a sum of three uniforms), and a base RTT
 * that grows with the hops (per-hop 2.5–7 ms plus an access delay of
 * 2–32 ms), all fixed by the index so a host is the same in every
 * session.
 */
void
host_make(struct host *h, int af, uint32_t idx, unsigned win_pm,
    unsigned unix_pm)
{
	uint64_t x = splitmix_hash(synst.seed * 0x2545f4914f6cdd1dULL + idx + 0x51);
	unsigned r;

	memset(h, 0, sizeof(*h));
	h->af = af;
	h->idx = idx;
	if (af == 4)
		addr4_of(h->addr, idx);
	else
		addr6_of(h->addr, idx);
	r = (unsigned)(x % 1000);
	h->os = r < win_pm ? OS_WINDOWS : r < win_pm + unix_pm ? OS_UNIX :
	    OS_SOLARIS;
	h->stack = h->os;
	/* One server in 8 sits behind a NAT router whose TTL is Unix's
	 * while the host's stack is Windows' (the conflict bh-ttl and
	 * bh-hosts flag); one in 8 others has a route that flaps. */
	if (idx >= IDX_SERVER && idx < IDX_RESOLVER) {
		if ((x >> 32) % 8 == 3) {
			h->os = OS_UNIX;
			h->stack = OS_WINDOWS;
		} else if ((x >> 32) % 8 == 5)
			h->flap = 1;
	}
	x = splitmix_hash(x);
	h->hops = (uint8_t)(14 + x % 7 + (x >> 8) % 7 + (x >> 16) % 5);
	h->rtt = 2000 + (int64_t)((x >> 24) % 30000) +
	    h->hops * (2500 + (int64_t)((x >> 40) % 4500));
	x = splitmix_hash(x);
	/* 2..40 Mbit/s bottleneck: 1514-byte frame every 300..6000 µs */
	h->gap = 300 + (int64_t)(x % 5700);
	h->tsbase = (uint32_t)(x >> 20);
	h->portbase = h->os == OS_WINDOWS ? (uint16_t)(1030 + (x >> 52) % 3000) :
	    (uint16_t)(32768 + (x >> 50) % 26000);
}

/*
 * The hops of h at t: its own, or for a host whose route flaps 6 more
 * (or 6 fewer) in every other 2 minutes of the capture (beyond the
 * 2-hop tolerance
 * of hop-count filtering, so bh-hosts flags it).
 */
uint8_t
hops_at(const struct host *h, int64_t t)
{
	if (h->flap && (t - START_USEC) / (120 * SEC) % 2 == 1)
		/* within 30, so that the TTL still tells its initial one */
		return (uint8_t)(h->hops <= 24 ? h->hops + 6 : h->hops - 6);
	return h->hops;
}

/* ---- sessions and their packet scripts -------------------------------- */

/* ---- global state ------------------------------------------------------- */
