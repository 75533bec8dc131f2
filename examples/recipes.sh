#!/bin/sh
# recipes.sh RECIPE [sessions.tsv] - short recipes that mix the record
# stream with the usual tools.  Each reads the session table (the output
# of bh-sessions | bh-phase | bh-rtt | bh-ttl) from the file or stdin.
#
#   recipes.sh list              the recipes and the tool each needs
#   recipes.sh os-share demo/sessions.tsv
#
# Read them as much as run them: each is a few lines below.  Columns are
# found by name (the header is `#` and the names), `-` means unset, text
# fields are escaped so that a TAB or LF in a payload never splits a
# record.  bh-cut picks columns by name and drops the `#` with -H.
set -eu
export LC_ALL=C
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi

# awk: the share of Windows and Unix per phase, counting the remote
# party's packets (the study's measure), from the OS bh-ttl derived.
os_share() {
	bh-cut -H -f phase,remote_os,remote_pkts "$@" |
	awk -F '\t' '$2 != "-" { w[$1, $2] += $3; t[$1] += $3 }
	END {
		for (k in w) {
			split(k, pk, SUBSEP)
			printf "%s\t%s\t%.1f%%\n", pk[1], pk[2], 100 * w[k] / t[pk[1]]
		}
	}' | sort
}

# sort: the C&C servers, farthest first (hops, then RTT), one line each.
far_cnc() {
	bh-cut -H -f phase,remote_ip,remote_hops,rtt_remote_ms "$@" |
	awk -F '\t' '$1 == "cnc" && $3 != "-"' | cut -f 2- |
	sort -t "$(printf '\t')" -k1,1 -u |
	sort -t "$(printf '\t')" -k2,2nr -k3,3nr
}

# awk: the sessions whose RTT could not be measured, and why (rtt_note),
# per phase: Karn's rule at work.
why_no_rtt() {
	bh-cut -H -f phase,rtt_remote_ms,rtt_note "$@" |
	awk -F '\t' '$2 == "-" { print $1 "\t" $3 }' | sort | uniq -c |
	sort -k2,2 -k1,1nr
}

# Miller: quartiles of hops and RTT per phase (Miller reads TSV with a
# header; drop the `#` and leave out the unset values).
mlr_stats() {
	bh-cut -f phase,remote_hops,rtt_remote_ms "$@" | sed '1s/^#//' |
	mlr --itsv --opprint filter '$rtt_remote_ms != "-"' then \
	    stats1 -a count,p25,median,p75 -f remote_hops,rtt_remote_ms \
	    -g phase then sort -f phase
}

# Miller: the infection sources that came back most often, with their OS.
mlr_top_sources() {
	bh-cut -f phase,remote_ip,remote_os "$@" | sed '1s/^#//' |
	mlr --itsv --opprint filter '$phase == "infection"' then \
	    count -g remote_ip,remote_os then sort -nr count -f remote_ip \
	    then head -n 5
}

# SQLite: the same table in SQL (`-` becomes NULL so aggregates skip it).
sqlite_phases() {
	db=$(mktemp)
	bh-cut -f phase,remote_hops,rtt_remote_ms "$@" | sed '1s/^#//' |
	sqlite3 -batch "$db" '.mode tabs' '.import /dev/stdin s' \
	    "SELECT phase, count(*) AS sessions,
	        round(avg(nullif(remote_hops, '-')), 1) AS mean_hops,
	        round(avg(nullif(rtt_remote_ms, '-')), 3) AS mean_rtt_ms
	     FROM s GROUP BY phase ORDER BY phase;"
	rm -f "$db"
}

# DuckDB: medians per phase, straight from the TSV (nullstr '-'; only
# plain columns are cut, so no quoting rules come into play).
duckdb_phases() {
	bh-cut -f phase,remote_os,remote_hops,rtt_remote_ms "$@" |
	sed '1s/^#//' |
	duckdb -csv -c "
	    SELECT phase, count(*) AS sessions,
	        round(100.0 * count(*) FILTER (WHERE remote_os = 'windows')
	            / count(remote_os), 1) AS windows_pct,
	        median(remote_hops) AS median_hops,
	        median(rtt_remote_ms) AS median_rtt_ms
	    FROM read_csv('/dev/stdin', delim = '\t', header = true,
	        nullstr = '-', types = {'remote_hops': 'INTEGER',
	        'rtt_remote_ms': 'DOUBLE'})
	    GROUP BY phase ORDER BY phase"
}

# bh-filter (jq): the far C&C sessions as JSON lines, numbers typed.
jq_far_cnc() {
	bh-filter -j '.phase == "cnc" and .remote_hops != null and
	    .remote_hops >= 25' "$@" |
	jq -c '{remote_ip, remote_hops, rtt_remote_ms, app}'
}

recipes="os-share:awk far-cnc:sort why-no-rtt:awk mlr-stats:mlr
mlr-top-sources:mlr sqlite-phases:sqlite3 duckdb-phases:duckdb
jq-far-cnc:bh-filter"

[ $# -ge 1 ] || { echo "usage: recipes.sh list | recipe [file]" >&2; exit 2; }
name=$1
shift
case $name in
list)
	for r in $recipes; do
		printf '%s\t%s\n' "${r%%:*}" "${r#*:}"
	done
	exit 0
	;;
esac
for r in $recipes; do
	if [ "${r%%:*}" = "$name" ]; then
		fn=$(echo "$name" | tr - _)
		"$fn" "$@"
		exit
	fi
done
echo "recipes.sh: no recipe $name (recipes.sh list)" >&2
exit 2
