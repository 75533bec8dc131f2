#!/bin/sh
# fuzz/figures.sh - the figures table of fuzz/README.md from the sessions
# run.sh logged (build-fuzz/log/sessions.tsv: time, target, seconds,
# executions, cov, ft, exit status): total time and executions per
# target, cov and ft of its last session, sessions that found something.
cd "$(dirname "$0")/.." || exit 2
awk -F'\t' '
{
	t = $2
	if (!(t in secs)) order[++n] = t
	secs[t] += $3; execs[t] += $4; cov[t] = $5; ft[t] = $6
	runs[t]++
	if ($7 != 0) bad[t]++
}
END {
	print "| target | time (total) | sessions | executions (total) | cov | ft | sessions with a finding |"
	print "|--------|--------------|----------|--------------------|-----|----|-------------------------|"
	for (i = 1; i <= n; i++) {
		t = order[i]
		printf "| %s | %d min | %d | %d | %s | %s | %d |\n", t,
		    secs[t] / 60, runs[t], execs[t], cov[t], ft[t], bad[t] + 0
	}
}' build-fuzz/log/sessions.tsv
