#!/bin/sh
# parallel.sh OUTDIR CAPTURE... - examples/Makefile with GNU parallel:
# one job per capture (examples/analyse-one.sh), then the exact reduction
# (examples/reduce.sh).
#
#   examples/parallel.sh out /data/honeypot/*.pcap
#
# To spread the captures over several machines (each with bh installed by
# `make install` and this tree at the same path, e.g. a shared home), let
# parallel copy each capture there and the partial results back; with
# relative paths, from the directory that holds them:
#
#   PARALLEL='--sshlogin 4/alice@node1,4/node2,: --transferfile {}
#       --return out/{/.}.tsv --return out/{/.}.ttl.hist
#       --return out/{/.}.hops.hist --return out/{/.}.rtt.hist
#       --return out/{/.}.rtthops.hist --return out/{/.}.done --cleanup'
#   export PARALLEL
#   examples/parallel.sh out captures/*.pcap
#
# (`:` is this machine; PARALLEL holds options for every parallel run; only
# the small .hist files are needed for the figures.)
set -eu
[ $# -ge 2 ] || { echo "usage: parallel.sh outdir capture..." >&2; exit 2; }
out=$1
shift
ex=$(cd "$(dirname "$0")" && pwd)
command -v parallel >/dev/null || {
	echo "parallel.sh: GNU parallel is not installed" >&2
	exit 2
}
mkdir -p "$out"
parallel --will-cite --halt now,fail=1 "$ex/analyse-one.sh" {} "$out" ::: "$@"
"$ex/reduce.sh" "$out"
