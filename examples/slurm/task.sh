#!/bin/sh
# task.sh LISTFILE OUT - one task of the Slurm array job that
# examples/slurm/submit.sh submits (sbatch(1), --array): the per-capture
# half of the analysis (examples/analyse-one.sh) for line
# $BH_LINE_BASE + $SLURM_ARRAY_TASK_ID of LISTFILE, into the shared
# directory OUT.
#
# A line of LISTFILE names one capture, or several rotated files of one
# capture group, space-separated (they are given to analyse-one.sh
# together); blank lines and lines that start with `#` are not counted.
# Relative paths are relative to the directory the job runs in (the one
# submit.sh was started from; sbatch(1), --chdir).
#
# Idempotent and atomic: analyse-one.sh writes into a directory of this
# task's own under OUT/.slurm/, whose files are then renamed into OUT
# (rename(2) on one file system), NAME.done last, so OUT only ever holds
# complete results.  A task whose NAME.done is there and newer than all
# of its input files does nothing (it says so in its log), so a
# resubmission redoes only the tasks that failed or whose outputs were
# removed.  OUT/.slurm/task/ remembers which NAME each line wrote.
#
#   task.sh -n LISTFILE OUT     print the numbers of the lines that are
#                               not done (what submit.sh submits)
#
# Environment: BH_EXAMPLES (this examples/ directory; Slurm runs a copy
# of this script, so submit.sh sets it), and what analyse-one.sh reads
# (BH_BIN, BH_LOCAL).
#
# The resources of one task (sbatch(1); the command line overrides
# them): bh-sessions holds at most ~130 MiB (its cap of live sessions with
# full heads), the filters a few MiB; a pipeline of 4 processes on one CPU.
#SBATCH --job-name=bh-analyse
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=512M
#SBATCH --time=01:00:00
set -eu
# a line's words are file names, never patterns (globbing is turned on
# only where this script means it)
set -f

# line N LISTFILE: the Nth counted line of LISTFILE
line() {
	awk -v n="$1" '/^[ \t]*(#|$)/ { next } ++i == n { print; found = 1; exit }
	    END { exit !found }' "$2"
}

# key LINE: the name of the line's entry in OUT/.slurm/task/
key() {
	printf '%s\n' "$1" | md5sum | cut -c1-32
}

# uptodate LINE: true when the line's outputs are complete and newer than
# every one of its files
uptodate() {
	k=$out/.slurm/task/$(key "$1")
	[ -f "$k" ] || return 1
	d=$out/$(cat "$k").done
	[ -f "$d" ] || return 1
	for f in $1; do
		[ -e "$f" ] || return 1
		[ -z "$(find "$f" -prune -newer "$d")" ] || return 1
	done
	return 0
}

pending=
if [ "${1:-}" = -n ]; then
	pending=1
	shift
fi
[ $# -eq 2 ] || { echo "usage: task.sh [-n] listfile out" >&2; exit 2; }
list=$1
out=$2
[ -r "$list" ] || { echo "task.sh: cannot read $list" >&2; exit 2; }

if [ -n "$pending" ]; then
	awk '/^[ \t]*(#|$)/ { next } { print }' "$list" | {
		i=0
		while IFS= read -r l; do
			i=$((i + 1))
			uptodate "$l" || echo "$i"
		done
	}
	exit 0
fi

ex=${BH_EXAMPLES:-$(cd "$(dirname "$0")/.." && pwd)}
[ -n "${SLURM_ARRAY_TASK_ID:-}" ] || {
	echo "task.sh: SLURM_ARRAY_TASK_ID is not set (run it with sbatch --array)" >&2
	exit 2
}
n=$((${BH_LINE_BASE:-0} + SLURM_ARRAY_TASK_ID))
l=$(line "$n" "$list") || { echo "task.sh: $list has no line $n" >&2; exit 2; }
# shellcheck disable=SC2086 # a line is a list of files
set -- $l
if uptodate "$l"; then
	echo "task.sh: line $n ($l): $(cat "$out/.slurm/task/$(key "$l")") is up to date, skipped"
	exit 0
fi

for f; do
	[ -r "$f" ] || { echo "task.sh: cannot read $f" >&2; exit 2; }
done

mkdir -p "$out/.slurm/task"
tmp=$out/.slurm/tmp.${SLURM_ARRAY_JOB_ID:-0}.$SLURM_ARRAY_TASK_ID.$$
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
mkdir "$tmp"
echo "task.sh: line $n: $l"
"$ex/analyse-one.sh" "$@" "$tmp"
set +f
set -- "$tmp"/*.done
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	echo "task.sh: analyse-one.sh wrote no single NAME.done for $l" >&2
	exit 2
fi
name=$(basename "$1" .done)
# the outputs, NAME.done last (a reader trusts the rest once it is there)
rm -f "$out/$name.done"
for f in "$tmp"/*; do
	[ "$f" = "$tmp/$name.done" ] || mv -f "$f" "$out/"
done
printf '%s\n' "$name" > "$tmp/key"
mv -f "$tmp/key" "$out/.slurm/task/$(key "$l")"
mv -f "$tmp/$name.done" "$out/$name.done"
echo "task.sh: line $n: wrote $out/$name.*"
