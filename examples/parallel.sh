#!/bin/sh
# parallel.sh [-r] [-S sshlogin...] OUTDIR CAPTURE... - examples/Makefile
# with GNU parallel: one job per capture (examples/analyse-one.sh), then the
# exact reduction (examples/reduce.sh) and the report from it
# (examples/report.sh, OUTDIR/merged/REPORT.md).
#
#   examples/parallel.sh out /data/honeypot/*.pcap
#
# A job's results are named after its (first) file's name: two jobs of
# one name (a/x.pcap and b/x.pcap) are refused, exit 2, both named.
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
# (analyse-one.sh GROUP...), here or over ssh: there every file of the
# group is copied into the job's directory (the files of a group must
# then have different names).  reduce.sh numbers the flows of all groups
# as one run over all the files would (examples/README, "One run over
# all files").
set -eu
# quote WORD: WORD as sh reads it back (in '...' unless it is plain)
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./,:=@%+-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*)	printf '%s' "$1" ;;
	esac
}
# the command, for the report (report.sh -c)
cmd=examples/parallel.sh
for a; do
	cmd="$cmd $(quote "$a")"
done
logins=
rotated=0
usage() {
	echo "usage: parallel.sh [-r] [-S sshlogin...] outdir capture..." >&2
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
out=$1
shift
ex=$(cd "$(dirname "$0")" && pwd)
command -v parallel >/dev/null || {
	echo "parallel.sh: GNU parallel is not installed" >&2
	exit 2
}
mkdir -p "$out"
# the list of groups is removed however the run ends
trap 'rm -f "$out/.groups"' EXIT
if [ "$rotated" = 1 ]; then
	# a line per group, its files space-separated
	"$ex/groups.sh" "$@" > "$out/.groups"
fi
# analyse-one.sh names a job's results after its first file: two jobs
# whose first files have one name would write over each other
clash=$(if [ "$rotated" = 1 ]; then
	sed 's/ .*//' "$out/.groups"
else
	printf '%s\n' "$@"
fi | awk '{ b = $0; sub(/.*\//, "", b) }
	b in seen { print seen[b] " and " $0; exit }
	{ seen[b] = $0 }')
if [ -n "$clash" ]; then
	echo "parallel.sh: $clash: one name, the results of one would overwrite the other's" >&2
	exit 2
fi
if [ -z "$logins" ]; then
	if [ "$rotated" = 1 ]; then
		# the job splits the group's line into its files (names, not
		# patterns: set -f)
		parallel --will-cite --halt now,fail=1 -q sh -c 'set -f; "$0" $1 "$2"' \
		    "$ex/analyse-one.sh" {} "$out" :::: "$out/.groups"
		rm -f "$out/.groups"
	else
		parallel --will-cite --halt now,fail=1 "$ex/analyse-one.sh" {} \
		    "$out" ::: "$@"
	fi
	"$ex/reduce.sh" "$out"
	"$ex/report.sh" -c "$cmd" "$out/merged" > "$out/merged/REPORT.md.tmp"
	mv "$out/merged/REPORT.md.tmp" "$out/merged/REPORT.md"
	exit 0
fi

# Over ssh: each job's results in a directory named by its sequence
# number, here under OUTDIR/.parallel.*.  The jobs, a line each: the
# files of a capture (one, or a group's), tab-separated (--colsep), each
# as `dir/./name`, which makes its copy on the other machine `name` in
# the job directory (parallel(1), --transferfile: every column of the
# line is sent, and removed by --cleanup).
out=$(cd "$out" && pwd)
stage=$(mktemp -d "$out/.parallel.XXXXXX")
trap 'rm -rf "$stage"; rm -f "$out/.groups"' EXIT
tab=$(printf '\t')
if [ "$rotated" = 1 ]; then
	tr ' ' '\t' < "$out/.groups"
	rm -f "$out/.groups"
else
	printf '%s\n' "$@"
fi | while IFS= read -r job; do
	line="" names=""
	set -f
	IFS=$tab
	for c in $job; do
		d=$(cd "$(dirname "$c")" && pwd)
		b=$(basename "$c")
		case "$tab$names$tab" in
		*"$tab$b$tab"*)
			echo "parallel.sh: $b twice in one group: over ssh a group's files need different names" >&2
			exit 2 ;;
		esac
		names=${names:+$names$tab}$b
		line=${line:+$line$tab}$d/./$b
	done
	unset IFS
	set +f
	printf '%s\n' "$line"
done > "$stage/jobs"
# every BH_ variable set here is set there too (BH_BIN, BH_LOCAL, ...)
envs=$(env | sed -n 's/^\(BH_[A-Za-z0-9_]*\)=.*/--env \1/p' | tr '\n' ' ')
rc=0
# {} is every file of the line, {/} their names, {1/} the first one's: a
# job that runs here (`:`) finds no copy and reads the files where they are
# shellcheck disable=SC2086 # $envs is a list of options
(cd "$stage" && parallel --will-cite --halt now,fail=1 -S "$logins" \
    --colsep '\t' --workdir ... --transferfile '{}' --return '{#}' \
    --cleanup $envs \
    "if [ -e {1/} ]; then '$ex/analyse-one.sh' {/} {#};
    else '$ex/analyse-one.sh' {} '$stage'/{#}; fi" :::: jobs) || rc=$?
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
"$ex/report.sh" -c "$cmd" "$out/merged" > "$out/merged/REPORT.md.tmp"
mv "$out/merged/REPORT.md.tmp" "$out/merged/REPORT.md"
