#!/bin/sh
# analyse-one.sh CAPTURE OUTDIR - the per-capture half of the analysis,
# one job of examples/Makefile (make -j) or examples/parallel.sh (GNU
# parallel, also across machines).
#
# Writes, for CAPTURE = .../NAME.pcap (.pcapng, .pcap.gz):
#   OUTDIR/NAME.tsv           the session table (bh-sessions | bh-phase |
#                             bh-rtt | bh-ttl)
#   OUTDIR/NAME.ttl.hist      TTL per phase, counting packets (Figures 3-5)
#   OUTDIR/NAME.hops.hist     hops per phase, with statistics
#   OUTDIR/NAME.rtt.hist      RTT to the remote party per phase, statistics
#   OUTDIR/NAME.rtthops.hist  RTT against hops per phase
#   OUTDIR/NAME.done          when all of the above are complete
# The .hist files are partial results that `bh-hist --merge` reduces
# exactly (examples/reduce.sh).  Captures analysed apart are apart: a
# session that spans two rotated files counts in both; give bh-sessions
# all the files of one link at once when that matters.
#
# Environment: BH_LOCAL (the honeypot networks, default those of bh-synth),
# BH_BIN (the tools; else PATH).
set -eu
[ $# -eq 2 ] || { echo "usage: analyse-one.sh capture outdir" >&2; exit 2; }
cap=$1
out=$2
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
BH_LOCAL=${BH_LOCAL:-192.168.56.0/24,2001:db8:56::/64}
export BH_LOCAL LC_ALL=C
name=$(basename "$cap")
name=${name%.gz}
name=${name%.pcap}
name=${name%.pcapng}
o=$out/$name
mkdir -p "$out"
rm -f "$o.done"
case $cap in
*.gz)	gzip -dc "$cap" | bh-sessions -q - ;;
*)	bh-sessions -q "$cap" ;;
esac | bh-phase | bh-rtt | bh-ttl > "$o.tsv.tmp"
mv "$o.tsv.tmp" "$o.tsv"
bh-hist -k remote_ttl -b phase -w remote_pkts "$o.tsv" > "$o.ttl.hist" 2>/dev/null
bh-hist -S -k remote_hops -b phase "$o.tsv" > "$o.hops.hist"
bh-hist -S -k rtt_remote_ms:5 -b phase "$o.tsv" > "$o.rtt.hist"
bh-hist -k remote_hops,rtt_remote_ms:5 -b phase "$o.tsv" > "$o.rtthops.hist"
: > "$o.done"
