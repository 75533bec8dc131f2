#!/bin/sh
# submit.sh LISTFILE OUT [sbatch options] - the study on a Slurm cluster:
# an array job with one task per line of LISTFILE (examples/slurm/task.sh:
# examples/analyse-one.sh on that capture or group of rotated files, into
# OUT), then the reduce job (examples/slurm/reduce-job.sh:
# examples/reduce.sh OUT) with --dependency=afterok on the array, so it
# runs once every task has succeeded (sbatch(1)).
#
#   examples/slurm/submit.sh captures.list /shared/out -p batch
#
# A line's results are named after its first file's name: two lines of
# one name (a/x.pcap and b/x.pcap) are refused, exit 2, both named.
#
# Only the lines whose results are not already in OUT are submitted (a
# task whose OUT/NAME.done is newer than its files is done): after a
# failed task, the same command redoes only that one, and the reduce.
# Prints one line per job: `array JOBID INDICES` (none when all is done)
# and `reduce JOBID`.  The sbatch options (partition, account, time,
# memory, ...) go to both jobs; the logs are OUT/log/JOBNAME-JOBID_TASK.out.
#
# Environment: BH_ARRAY_THROTTLE=N runs at most N tasks at once
# (--array=...%N); BH_MAX_ARRAY overrides the cluster's MaxArraySize
# (slurm.conf(5); a list longer than MaxArraySize - 1 lines goes in as
# several arrays, the reduce waits for all of them); BH_BIN, BH_LOCAL
# reach the jobs (sbatch --export=ALL, the default).
set -eu
[ $# -ge 2 ] || {
	echo "usage: submit.sh listfile out [sbatch options]" >&2
	exit 2
}
list=$1
out=$2
shift 2
[ -r "$list" ] || { echo "submit.sh: cannot read $list" >&2; exit 2; }
# analyse-one.sh names a line's results after its first file: two lines
# whose first files have one name would write over each other in OUT
clash=$(awk '/^[ \t]*(#|$)/ { next }
	{ b = $1; sub(/.*\//, "", b) }
	b in seen { print seen[b] " and " $1; exit }
	{ seen[b] = $1 }' "$list")
if [ -n "$clash" ]; then
	echo "submit.sh: $clash: one name, the results of one would overwrite the other's" >&2
	exit 2
fi
command -v sbatch >/dev/null || {
	echo "submit.sh: sbatch is not installed (Slurm)" >&2
	exit 2
}
ex=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/log"
list=$(cd "$(dirname "$list")" && pwd)/$(basename "$list")
out=$(cd "$out" && pwd)
BH_EXAMPLES=$ex
export BH_EXAMPLES

max=${BH_MAX_ARRAY:-$(scontrol show config 2>/dev/null |
    awk '$1 == "MaxArraySize" { print $3 }')}
max=${max:-1001}
chunk=$((max - 1))

# The lines to do, in chunks of array indices 1..chunk: one sbatch each,
# the indices as ranges (1-4,7,9-12).
deps=
"$ex/slurm/task.sh" -n "$list" "$out" |
awk -v c="$chunk" '
function flush() { if (s != "") print base, s (lo < prev ? "-" prev : "") }
{
	b = int(($1 - 1) / c) * c; i = $1 - b
	if (b != base || s == "") { if (s != "") flush(); base = b; s = i; lo = prev = i; next }
	if (i == prev + 1) { prev = i; next }
	s = s (lo < prev ? "-" prev : "") "," i; lo = prev = i
}
END { flush() }' > "$out/log/.pending.$$"
while read -r base indices; do
	throttle=${BH_ARRAY_THROTTLE:+%$BH_ARRAY_THROTTLE}
	id=$(BH_LINE_BASE=$base sbatch --parsable --array="$indices$throttle" \
	    --output="$out/log/%x-%A_%a.out" "$@" \
	    "$ex/slurm/task.sh" "$list" "$out")
	id=${id%%;*}
	echo "array $id $indices"
	deps=$deps:$id
done < "$out/log/.pending.$$"
rm -f "$out/log/.pending.$$"
set -- ${deps:+--dependency=afterok$deps --kill-on-invalid-dep=yes} "$@"
id=$(sbatch --parsable --output="$out/log/%x-%j.out" "$@" \
    "$ex/slurm/reduce-job.sh" "$out")
echo "reduce ${id%%;*}"
