#!/bin/sh
# parallel.sh [-r | -S sshlogin...] OUTDIR CAPTURE... - examples/Makefile
# with GNU parallel: one job per capture (examples/analyse-one.sh), then the
# exact reduction (examples/reduce.sh) and the report from it
# (examples/report.sh, OUTDIR/merged/REPORT.md).
#
#   examples/parallel.sh out /data/honeypot/*.pcap
#
# -S spreads the jobs over other machines (parallel(1), --sshlogin; `:`
# is this one; repeat -S or give a comma-separated list, e.g.
# `-S 4/alice@node1,4/node2,:`).  Each of them needs bh installed
# (`make install`, or BH_BIN: every BH_ variable is passed on) and this
# tree at the same path, e.g. in a shared home.  parallel copies each capture to a
# job directory of its own on the machine that runs it (--transferfile,
# --workdir ...), the job writes its results there, parallel copies them
# back (--return) and removes both (--cleanup); the results of every
# job are then renamed into OUTDIR, NAME.done last.  A job that runs
# here (`:`) reads the capture where it is.  ssh options (port, key)
# go in ~/.ssh/config, or PARALLEL_SSH (e.g. "ssh -F file").  PARALLEL
# holds further options for every parallel run.
#
# -r: the captures are rotated files; examples/groups.sh puts them in
# groups by their packets' times and each group is one job, one capture
# (on this machine only: over ssh a job is one file).
set -eu
logins=
rotated=0
usage() {
	echo "usage: parallel.sh [-r | -S sshlogin...] outdir capture..." >&2
	exit 2
}
while getopts rS: opt; do
	case $opt in
	r)	rotated=1 ;;
	S)	logins=${logins:+$logins,}$OPTARG ;;
	*)	usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
[ "$rotated" = 0 ] || [ -z "$logins" ] || usage
out=$1
shift
ex=$(cd "$(dirname "$0")" && pwd)
command -v parallel >/dev/null || {
	echo "parallel.sh: GNU parallel is not installed" >&2
	exit 2
}
mkdir -p "$out"
if [ "$rotated" = 1 ]; then
	# a line per group, its files space-separated; the job splits it
	"$ex/groups.sh" "$@" > "$out/.groups"
	parallel --will-cite --halt now,fail=1 -q sh -c '"$0" $1 "$2"' \
	    "$ex/analyse-one.sh" {} "$out" :::: "$out/.groups"
	rm -f "$out/.groups"
	"$ex/reduce.sh" "$out"
	"$ex/report.sh" "$out/merged" > "$out/merged/REPORT.md.tmp"
	exec mv "$out/merged/REPORT.md.tmp" "$out/merged/REPORT.md"
fi
if [ -z "$logins" ]; then
	parallel --will-cite --halt now,fail=1 "$ex/analyse-one.sh" {} "$out" \
	    ::: "$@"
	"$ex/reduce.sh" "$out"
	"$ex/report.sh" "$out/merged" > "$out/merged/REPORT.md.tmp"
	exec mv "$out/merged/REPORT.md.tmp" "$out/merged/REPORT.md"
fi

# Over ssh: each job's results in a directory named by its sequence
# number, here under OUTDIR/.parallel.*; `dir/./name` makes the copy
# on the other machine `name` in the job directory (parallel(1),
# --transferfile).
out=$(cd "$out" && pwd)
stage=$(mktemp -d "$out/.parallel.XXXXXX")
trap 'rm -rf "$stage"' EXIT
n=$#
for c in "$@"; do
	d=$(cd "$(dirname "$c")" && pwd)
	set -- "$@" "$d/./$(basename "$c")"
done
shift "$n"
# every BH_ variable set here is set there too (BH_BIN, BH_LOCAL, ...)
envs=$(env | sed -n 's/^\(BH_[A-Za-z0-9_]*\)=.*/--env \1/p' | tr '\n' ' ')
rc=0
# shellcheck disable=SC2086 # $envs is a list of options
(cd "$stage" && parallel --will-cite --halt now,fail=1 -S "$logins" \
    --workdir ... --transferfile '{}' --return '{#}' --cleanup $envs \
    "if [ -e {/} ]; then '$ex/analyse-one.sh' {/} {#};
    else '$ex/analyse-one.sh' {} '$stage'/{#}; fi" ::: "$@") || rc=$?
# what came back complete (a job that failed wrote no NAME.done), into
# OUTDIR, NAME.done last
for j in "$stage"/*/; do
	set -- "$j"*.done
	[ -f "$1" ] || continue
	for f in "$j"*; do
		case $f in
		*.done)	;;
		*)	mv -f "$f" "$out/" ;;
		esac
	done
	mv -f "$@" "$out/"
done
[ "$rc" -eq 0 ] || exit "$rc"
"$ex/reduce.sh" "$out"
"$ex/report.sh" "$out/merged" > "$out/merged/REPORT.md.tmp"
mv "$out/merged/REPORT.md.tmp" "$out/merged/REPORT.md"
