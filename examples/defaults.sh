# defaults.sh - the settings the scripts of examples/ share, in one
# place: sourced by analyse-one.sh, reduce.sh, report.sh and
# score-hosts.sh.  Each may be set in the environment (parallel.sh and
# Slurm pass every BH_ variable on to the jobs).
#
# BH_HOP_TOLERANCE (default 2): a remote party's hop counts more than
# this apart are hops-spread (bh-hosts(1), -t: 2 is the tolerance of
# hop-count filtering).  bh-hosts applies it at output, so the jobs
# (analyse-one.sh) and the merge (reduce.sh) give bh-hosts the same,
# and report.sh says it and score-hosts.sh scores by it.
BH_HOP_TOLERANCE=${BH_HOP_TOLERANCE:-2}
case $BH_HOP_TOLERANCE in
'' | *[!0-9]*)
	echo "BH_HOP_TOLERANCE=$BH_HOP_TOLERANCE: not a number of hops" >&2
	exit 2 ;;
esac
