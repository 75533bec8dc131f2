#!/bin/sh
# reduce.sh OUTDIR - the reducing half: merge the partial histograms that
# analyse-one.sh wrote per capture (OUTDIR/*.ttl.hist, ...) with
# `bh-hist --merge`, which is exact (the merged table is the one a single
# bh-hist over all the session tables would write), and draw them.
#
# Writes OUTDIR/merged/{ttl,hops,rtt,rtthops}.hist and .svg.
set -eu
[ $# -eq 1 ] || { echo "usage: reduce.sh outdir" >&2; exit 2; }
out=$1
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
export LC_ALL=C
m=$out/merged
mkdir -p "$m"
merge() {
	# merge NAME TITLE XLABEL YLABEL
	set -- "$1" "$2" "$3" "$4" "$out"/*."$1".hist
	name=$1 title=$2 x=$3 y=$4
	shift 4
	[ -e "$1" ] || { echo "reduce.sh: no $out/*.$name.hist" >&2; exit 2; }
	bh-hist --merge -T "$title" -X "$x" -Y "$y" --svg "$m/$name.svg" \
	    "$@" > "$m/$name.hist"
}
merge ttl "TTL of the remote party, per phase" "TTL (as received)" packets
merge hops "Hops to the remote party, per phase" hops sessions
merge rtt "RTT to the remote party, per phase" "RTT (ms)" sessions
merge rtthops "RTT against hops, per phase" hops "RTT (ms)"
