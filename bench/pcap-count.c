/*
 * pcap-count - the floors the benchmark measures bh-sessions against.
 *
 * Reads one capture file and prints "packets N caplen_bytes C wire_bytes W".
 * By default it is the bare libpcap loop: pcap_open_offline() and
 * pcap_next_ex() until the end, counting packets and bytes and nothing
 * else (pcap and pcapng, whatever libpcap reads).  This loop is the unit
 * of every ratio in bench/RESULTS.md: the least a tool that reads
 * captures through libpcap can cost.  With -r it is the raw floor
 * instead: read(2) into a large buffer and walk the classic pcap record
 * headers (no libpcap, no copy per packet), what reading the file costs
 * before anyone looks at a packet; classic pcap only (either byte order,
 * microsecond or nanosecond magic).
 *
 * -V prints the libpcap version and exits.
 *
 * Not a bh tool: no record stream, no man page.  Exit 0, or 2 with a
 * message when the file cannot be read or is not a capture.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAWBUF		(1 << 20)
#define PCAP_MAGIC_US	0xa1b2c3d4u
#define PCAP_MAGIC_NS	0xa1b23c4du

static const char *progname = "pcap-count";

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-r] file | -V\n", progname);
	exit(2);
}

static void
die(const char *fmt, const char *arg, const char *why)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	if (why != NULL)
		fprintf(stderr, ": %s", why);
	fputc('\n', stderr);
	exit(2);
}

static uint32_t
get32(const unsigned char *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	if (swap)
		v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) |
		    (v << 24);
	return v;
}

/*
 * The bare libpcap loop: every packet through pcap_next_ex(), counted.
 * A truncated file ends the count with a message (exit 2), like libpcap's
 * own tools.
 */
static void
count_pcap(const char *path, uint64_t *np, uint64_t *ncap, uint64_t *nwire)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int r;

	if ((p = pcap_open_offline(path, errbuf)) == NULL)
		die("%s", errbuf, NULL);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		(*np)++;
		*ncap += h->caplen;
		*nwire += h->len;
	}
	if (r == PCAP_ERROR)
		die("%s", path, pcap_geterr(p));
	pcap_close(p);
}

/*
 * The raw floor: read(2) in RAWBUF pieces and step over the 16-byte
 * record headers (ts_sec ts_frac caplen len), the record bodies untouched.
 * A record that straddles the end of the buffer is moved to its front.
 */
static void
count_raw(const char *path, uint64_t *np, uint64_t *ncap, uint64_t *nwire)
{
	static unsigned char buf[RAWBUF];
	size_t have = 0, off = 0, skip = 0;
	uint32_t magic, caplen;
	ssize_t n;
	int fd, swap, eof = 0;

	if ((fd = open(path, O_RDONLY)) == -1)
		die("%s", path, strerror(errno));
	while (have < 24 && (n = read(fd, buf + have, 24 - have)) > 0)
		have += (size_t)n;
	if (have < 24)
		die("%s", path, "not a capture (too short)");
	memcpy(&magic, buf, 4);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS)
		swap = 0;
	else if (get32(buf, 1) == PCAP_MAGIC_US ||
	    get32(buf, 1) == PCAP_MAGIC_NS)
		swap = 1;
	else
		die("%s", path, "not a classic pcap file (-r reads no pcapng)");
	have = 0;
	for (;;) {
		/* Refill: keep the unread tail, then read to fill. */
		if (!eof) {
			memmove(buf, buf + off, have - off);
			have -= off;
			off = 0;
			if ((n = read(fd, buf + have, RAWBUF - have)) == -1)
				die("%s", path, strerror(errno));
			if (n == 0)
				eof = 1;
			have += (size_t)n;
		}
		/* Whole bodies that end beyond the buffer are skipped. */
		if (skip > 0) {
			size_t k = skip < have - off ? skip : have - off;

			off += k;
			skip -= k;
			if (skip > 0) {
				if (eof)
					break;
				continue;
			}
		}
		while (have - off >= 16) {
			caplen = get32(buf + off + 8, swap);
			(*np)++;
			*ncap += caplen;
			*nwire += get32(buf + off + 12, swap);
			off += 16;
			if (caplen > have - off) {
				skip = caplen - (have - off);
				off = have;
				break;
			}
			off += caplen;
		}
		if (eof)
			break;
	}
	if (skip > 0 || have - off != 0)
		die("%s", path, "truncated capture");
	close(fd);
}

int
main(int argc, char *argv[])
{
	uint64_t np = 0, ncap = 0, nwire = 0;
	int c, raw = 0;

	while ((c = getopt(argc, argv, "rV")) != -1) {
		switch (c) {
		case 'r':
			raw = 1;
			break;
		case 'V':
			printf("%s\n", pcap_lib_version());
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage();
	if (raw)
		count_raw(argv[0], &np, &ncap, &nwire);
	else
		count_pcap(argv[0], &np, &ncap, &nwire);
	printf("packets %" PRIu64 " caplen_bytes %" PRIu64 " wire_bytes %"
	    PRIu64 "\n", np, ncap, nwire);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("%s", "stdout", strerror(errno));
	return 0;
}
