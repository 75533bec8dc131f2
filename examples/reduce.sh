#!/bin/sh
# reduce.sh OUTDIR [DEST] - the reducing half of the study: merge what
# analyse-one.sh wrote per capture into OUTDIR, exactly, and draw it.
#
#   OUTDIR/*.KIND.hist  -> DEST/KIND.hist   bh-hist --merge, and the
#                                            figure DEST/KIND.svg
#   OUTDIR/*.hosts      -> DEST/hosts.tsv   bh-hosts --merge, and Figure
#                                            11 (RTT by method against hops)
#   OUTDIR/*.unit       -> DEST/units.tsv   the captures (units) in order
#                                            of their first packet, with
#                                            the numbers their flows and
#                                            episodes are offset by (and
#                                            OUTDIR/*.links, the linked
#                                            sessions, for bh-story's
#                                            "data of flow N")
#   OUTDIR/*.tsv        -> DEST/sessions.tsv the session tables, one unit
#   OUTDIR/*.steps      -> DEST/story.tsv   after the other in that order,
#   OUTDIR/*.bots       -> DEST/bots.tsv    flows and episodes numbered
#                                            across all of them (below)
#   the first capture's story.svg -> DEST/story.svg
#   DEST/captures.txt                        the captures merged, by name
#
# bh-hist and bh-hosts merge exactly: each DEST table is byte for byte
# the one a single run over all the session tables would write, whichever
# machine or job wrote each part and in whatever order.
#
# The numbering rule (examples/README, "One run over all files"): the
# units are taken in order of their first packet (then of their names),
# and each unit's flow ids -- the session table's flow, link and dir_by,
# bh-story's flow and the "data of flow N" of its detail and cnc_detail
# -- are offset by the sessions of the units before it, its episode
# numbers by their episodes.  A session a unit wrote at its end of input
# (end eof) is idle when a later unit begins more than 300 s (the
# longest idle timeout of bh-sessions) after the unit's last packet: one
# bh-sessions over all the files would have timed it out there.  For the
# groups of one link (examples/groups.sh), that is the table one run
# over all its files writes, but for the order of the records and what
# the README lists.  DEST/sessions.tsv is as large as the parts' session
# tables together, and the one output whose cost grows with the sessions
# rather than the parts: BH_SESSIONS=no leaves it out.
#
# DEST defaults to OUTDIR/merged.  Only captures whose NAME.done exists
# are merged.
set -eu
[ $# -eq 1 ] || [ $# -eq 2 ] || {
	echo "usage: reduce.sh outdir [dest]" >&2
	exit 2
}
out=$1
m=${2:-$out/merged}
# a relative path as ./PATH, so that no operand of awk looks like
# NAME=VALUE (an assignment)
case $out in /*) ;; *) out=./$out ;; esac
case $m in /*) ;; *) m=./$m ;; esac
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
export LC_ALL=C
. "$(dirname "$0")/defaults.sh"
mkdir -p "$m"
for d in "$out"/*.done; do
	[ -e "$d" ] || { echo "reduce.sh: no finished capture in $out" >&2; exit 2; }
	d=${d##*/}
	printf '%s\n' "${d%.done}"
done > "$m/captures.txt.tmp"
mv "$m/captures.txt.tmp" "$m/captures.txt"
# (the names reach awk through the environment, unchanged)
BH_REDUCE_OUT=$out BH_REDUCE_DEST=$m
export BH_REDUCE_OUT BH_REDUCE_DEST

# quoted [u]: each line NAME of stdin as the file OUTDIR/NAME (a tab and
# what follows it left out), quoted for eval; with u, each after the
# number of its line (u=I), for the awk below.  One awk, not a process
# per part: the reduce of a thousand parts.
quoted() {
	awk -F '\t' -v u="${1:-}" -v q="'" '
	{
		n = split(ENVIRON["BH_REDUCE_OUT"] "/" $1, a, q)
		p = a[1]
		for (i = 2; i <= n; i++)
			p = p q "\\" q q a[i]
		printf "%s %s%s%s", (u != "" ? " u=" NR : ""), q, p, q
	}'
}

# parts SUFFIX: the files NAME.SUFFIX of the finished captures, quoted
# for eval
parts() {
	sed "s/\$/.$1/" "$m/captures.txt" | quoted
}

# merge KIND [bh-hist figure options]: DEST/KIND.hist and, with options,
# DEST/KIND.svg
merge() {
	k=$1
	shift
	if [ $# -gt 0 ]; then
		eval "bh-hist --merge --svg \"\$m/\$k.svg.tmp\" \"\$@\" $(parts "$k.hist")" \
		    > "$m/$k.hist.tmp"
		mv "$m/$k.svg.tmp" "$m/$k.svg"
	else
		eval "bh-hist --merge $(parts "$k.hist")" > "$m/$k.hist.tmp"
	fi
	mv "$m/$k.hist.tmp" "$m/$k.hist"
}

# figure KIND TITLE XLABEL YLABEL [options]
figure() {
	k=$1 t=$2 x=$3 y=$4
	shift 4
	merge "$k" -T "$t" -X "$x" -Y "$y" "$@"
}

merge os
merge why
merge pkts
merge bytes
figure ttl "TTL of the remote party, per phase" "TTL (as received)" packets
figure hops "Hops to the remote party, per phase" hops sessions
figure rtt "RTT to the remote party, per phase" "RTT (ms)" sessions
figure rtthops "RTT against hops, per phase" hops "RTT (ms)"
figure fig3-ttl-infection "Figure 3. TTL of the infection sessions" \
    "TTL (as received)" packets
figure fig4-ttl-download "Figure 4. TTL of the download sessions" \
    "TTL (as received)" packets
figure fig5-ttl-cnc "Figure 5. TTL of the C&C sessions" \
    "TTL (as received)" packets
figure fig6-rtt-ttl-download "Figure 6. RTT against TTL, download servers" \
    "TTL (as received)" "RTT (ms)"
figure fig7-rtt-ttl-cnc "Figure 7. RTT against TTL, C&C servers" \
    "TTL (as received)" "RTT (ms)"
figure fig8-rtt-infection \
    "Figure 8. RTT to the infection sources (SYN/ACK to ACK)" "RTT (ms)" \
    sessions
figure fig9-hops "Figure 9. Hops to the remote party, per phase" "hops" \
    sessions
figure fig10-rtt-hops "Figure 10. RTT against hops, all three phases" \
    "hops" "RTT (ms)"

# (-t as the jobs had it: bh-hosts applies it at output)
eval "bh-hosts --merge -t \"\$BH_HOP_TOLERANCE\" $(parts hosts)" > "$m/hosts.tsv.tmp"
mv "$m/hosts.tsv.tmp" "$m/hosts.tsv"
# Figure 11: per remote party, its median RTT by each method against its
# most frequent hop count, the methods side by side.
awk -F '\t' '
NR == 1 {
	for (i = 1; i <= NF; i++) { sub(/^#/, "", $i); c[$i] = i }
	print "#method\thops\trtt_ms"
	next
}
/^#/ || $c["hops_mode"] == "-" { next }
{
	m["handshake"] = $c["rtt_hs_med_ms"]
	m["data-ack"] = $c["rtt_data_med_ms"]
	m["timestamps"] = $c["rtt_ts_med_ms"]
	for (k in m)
		if (m[k] != "-" && m[k] + 0 <= 1000)
			print k "\t" $c["hops_mode"] "\t" m[k]
}' "$m/hosts.tsv" > "$m/fig11-rtt-method-hops.in.tmp"
# (into a file first: awk's failure would be lost in `awk | bh-hist`)
bh-hist -k hops,rtt_ms:5 -b method \
    -T "Figure 11. RTT by method against hops, per remote party" \
    -X hops -Y "RTT (ms, median per party)" \
    --colors handshake=#0072B2,data-ack=#D55E00,timestamps=#009E73 \
    --svg "$m/fig11-rtt-method-hops.svg.tmp" \
    < "$m/fig11-rtt-method-hops.in.tmp" > "$m/fig11-rtt-method-hops.hist.tmp"
rm -f "$m/fig11-rtt-method-hops.in.tmp"
mv "$m/fig11-rtt-method-hops.svg.tmp" "$m/fig11-rtt-method-hops.svg"
mv "$m/fig11-rtt-method-hops.hist.tmp" "$m/fig11-rtt-method-hops.hist"

# The units in order of their first packet (a unit without sessions
# last), their offsets, and what their `end eof` becomes.
awk -F '\t' -v OFS='\t' '
{
	f = ENVIRON["BH_REDUCE_OUT"] "/" $0
	if ((getline l < (f ".links")) < 0 || (r = getline l < (f ".unit")) < 0) {
		print "reduce.sh: " f ".unit or .links missing (analysed by an older analyse-one.sh): remove " f ".done and analyse it again" > "/dev/stderr"
		bad = 1
		exit
	}
	close(f ".links")
	while (r > 0) {
		if (l !~ /^#/) {
			split(l, v, "\t")
			print (v[1] == "-" ? 1 : 0), v[1], $0, l
		}
		r = getline l < (f ".unit")
	}
	close(f ".unit")
}
END { exit bad * 2 }' "$m/captures.txt" > "$m/units.tsv.in"
tab=$(printf '\t')
sort -t "$tab" -k1,1n -k2,2n -k3,3 "$m/units.tsv.in" |
awk -F '\t' -v OFS='\t' '
function us(t,  p) {
	split(t, p, ".")
	return p[1] * 1000000 + substr(p[2] "000000", 1, 6)
}
{
	n++
	name[n] = $3; first[n] = $4; last[n] = $5; flows[n] = $6; eps[n] = $7
	if ($4 != "-" && (maxfirst == "" || us($4) > maxfirst))
		maxfirst = us($4)
}
END {
	print "#unit", "first", "last", "sessions", "flow_base", "episodes",
	    "episode_base", "eof"
	fb = eb = 0
	for (i = 1; i <= n; i++) {
		eof = "eof"
		if (last[i] != "-" && maxfirst > us(last[i]) + 300000000)
			eof = "idle"
		print name[i], first[i], last[i], flows[i], sprintf("%.0f", fb),
		    eps[i], sprintf("%.0f", eb), eof
		fb += flows[i]
		eb += eps[i]
	}
}' > "$m/units.tsv.tmp"
rm -f "$m/units.tsv.in"
mv "$m/units.tsv.tmp" "$m/units.tsv"

# unitparts SUFFIX: the files NAME.SUFFIX of the units, in the order of
# units.tsv, each after the number of its unit (u=I), quoted for eval
unitparts() {
	# (a literal tab: \t in a sed regex is GNU's, not POSIX's)
	sed -n "/^#/d; s/$tab.*//; s/\$/.$1/p" "$m/units.tsv" | quoted u
}

# The session tables, bh-story's steps and its summaries, one unit after
# the other, numbered by units.tsv.  A "data of flow N" detail is
# bh-story's name of the session its step's session is linked to (that
# session's link, N: NAME.links), so it is renumbered only when it is
# that.  BH_SESSIONS=no: no DEST/sessions.tsv (the parts' tables are
# the same records, their flows offset by units.tsv's flow_base).
# shellcheck disable=SC2016,SC2034 # awk's program, used by the eval below
renumber='
function num(x) { return sprintf("%.0f", x) }
BEGIN {
	dest = ENVIRON["BH_REDUCE_DEST"]
	while ((getline l < (dest "/units.tsv")) > 0) {
		if (l ~ /^#/)
			continue
		split(l, f, "\t")
		k++
		fb[k] = f[5]; eb[k] = f[7]; idle[k] = f[8] == "idle"
	}
	out["tsv"] = dest "/sessions.tsv.tmp"
	out["steps"] = dest "/story.tsv.tmp"
	out["bots"] = dest "/bots.tsv.tmp"
}
kind == "links" {
	if (!/^#/)
		lk[u, $1] = $2
	next
}
FNR == 1 {
	split("", c)
	for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); c[h] = i }
	if (!(kind in head)) { head[kind] = 1; print > out[kind] }
	next
}
/^#/ { print > out[kind]; next }
kind == "tsv" {
	if (fb[u] != 0) {
		$c["flow"] = num($c["flow"] + fb[u])
		if ($c["link"] != "-")
			$c["link"] = num($c["link"] + fb[u])
		if ($c["dir_by"] != "-")
			$c["dir_by"] = num($c["dir_by"] + fb[u])
	}
	if (idle[u] && $c["end"] == "eof")
		$c["end"] = "idle"
	print > out[kind]
	next
}
kind == "steps" {
	d = $c["detail"]
	if (d ~ /^data of flow [0-9]+$/ && lk[u, $c["flow"]] == substr(d, 14)) {
		dof[u, $c["episode"], substr(d, 14)] = 1
		$c["detail"] = "data of flow " num(substr(d, 14) + fb[u])
	}
	if (eb[u] != 0)
		$c["episode"] = num($c["episode"] + eb[u])
	if (fb[u] != 0)
		$c["flow"] = num($c["flow"] + fb[u])
	print > out[kind]
	next
}
kind == "bots" {
	d = $c["cnc_detail"]
	if (d ~ /^data of flow [0-9]+$/ &&
	    ((u, $c["episode"], substr(d, 14)) in dof))
		$c["cnc_detail"] = "data of flow " num(substr(d, 14) + fb[u])
	if (eb[u] != 0)
		$c["episode"] = num($c["episode"] + eb[u])
	print > out[kind]
}'
tables="kind=tsv $(unitparts tsv)"
if [ "${BH_SESSIONS:-}" = no ]; then
	tables=
	rm -f "$m/sessions.tsv"
fi
: > "$m/story.tsv.tmp"
: > "$m/bots.tsv.tmp"
eval "awk -F '\t' -v OFS='\t' \"\$renumber\" \
    kind=links $(unitparts links) $tables kind=steps $(unitparts steps) \
    kind=bots $(unitparts bots)"
[ -z "$tables" ] || mv "$m/sessions.tsv.tmp" "$m/sessions.tsv"
mv "$m/story.tsv.tmp" "$m/story.tsv"
mv "$m/bots.tsv.tmp" "$m/bots.tsv"
cp "$out/$(head -1 "$m/captures.txt").story.svg" "$m/story.svg"
