#!/bin/sh
# reduce-job.sh OUT - the Slurm job that examples/slurm/submit.sh submits
# after the array (sbatch(1), --dependency=afterok:JOBID): the exact
# reduction of the tasks' partial results, examples/reduce.sh OUT, into
# OUT/merged/, and the study's report from them, OUT/merged/REPORT.md
# (examples/report.sh: the same as on one machine).
#
# Environment: BH_EXAMPLES (this examples/ directory; Slurm runs a copy
# of this script, so submit.sh sets it), BH_BIN.
#
# bh-hist --merge holds one merged table, not the partials: a few MiB.
#SBATCH --job-name=bh-reduce
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --mem=512M
#SBATCH --time=01:00:00
set -eu
[ $# -eq 1 ] || { echo "usage: reduce-job.sh out" >&2; exit 2; }
ex=${BH_EXAMPLES:-$(cd "$(dirname "$0")/.." && pwd)}
"$ex/reduce.sh" "$1"
"$ex/report.sh" "$1/merged" > "$1/merged/REPORT.md.tmp"
mv "$1/merged/REPORT.md.tmp" "$1/merged/REPORT.md"
