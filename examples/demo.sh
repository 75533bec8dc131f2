#!/bin/bash
# demo.sh [outdir] - the study, reproduced and extended, on a built-in
# honeypot capture (what `make demo` runs).
#
# Synthesizes a honeypot capture with bh-synth (its truth beside it), runs
#     bh-sessions | bh-phase | bh-rtt | bh-ttl
# once into outdir/sessions.tsv, draws with bh-hist the study's Figures
# 3-5 (TTL of the infection, download and C&C sessions, counting packets)
# and 6-7 (RTT against TTL of the download and C&C servers) and the ones
# it could not make (RTT to the infection sources, hops per phase, RTT
# against hops for all three phases; with bh-hosts, each remote party's
# RTT by method against its hops), and writes outdir/REPORT.md, whose
# numbers all come from the stream.  Progress goes to stderr when it is a
# terminal.
#
# Environment: BH_BIN (the tools; else PATH), BH_DEMO_SESSIONS (4000),
# BH_DEMO_SEED (2010).

set -euo pipefail
export LC_ALL=C TZ=UTC
out=${1:-demo}
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
n=${BH_DEMO_SESSIONS:-4000}
seed=${BH_DEMO_SEED:-2010}
local_nets="-L 192.168.56.0/24 -L 2001:db8:56::/64"

say() {
	if [ -t 2 ]; then
		printf 'demo: %s\n' "$*" >&2
	fi
}

# only [-t] [-r] PHASE...: the records of these phases (header kept) from
# the session table.  -t: only those where the remote party sent packets
# (a TFTP request has no TTL to show).  -r: only TCP, and without the RTTs
# above 1 s (the few handshakes whose first SYN was answered after its
# retransmission: drawn, they would squash the axis; the report counts
# them).
only() {
	local ttl=0 rtt=0
	while :; do
		case $1 in
		-t) ttl=1 ;;
		-r) rtt=1 ;;
		*) break ;;
		esac
		shift
	done
	awk -F '\t' -v want=" $* " -v ttl=$ttl -v rtt=$rtt '
	NR == 1 {
		print
		sub(/^#/, "")
		for (i = 1; i <= NF; i++)
			c[$i] = i
		next
	}
	/^#/ { next }
	!index(want, " " $c["phase"] " ") { next }
	ttl && $c["remote_ttl"] == "-" { next }
	rtt && ($c["proto"] != "tcp" ||
	    ($c["rtt_remote_ms"] != "-" && $c["rtt_remote_ms"] + 0 > 1000)) { next }
	{ print }
	' "$out/sessions.tsv"
}

# figure NAME TITLE XLABEL YLABEL bh-hist-options...: read records on
# stdin, write NAME.svg and the histogram behind it, NAME.tsv.
figure() {
	local name=$1 title=$2 x=$3 y=$4
	shift 4
	bh-hist "$@" -T "$title" -X "$x" -Y "$y" --svg "$out/$name.svg" \
	    > "$out/$name.tsv"
}

mkdir -p "$out"
say "synthesizing a honeypot capture of $n sessions (seed $seed)"
bh-synth -q -n "$n" -s "$seed" -o "$out/honeypot.pcap" -t "$out/truth.tsv"

say "bh-sessions $local_nets | bh-phase | bh-rtt | bh-ttl > $out/sessions.tsv"
# shellcheck disable=SC2086
bh-sessions -q $local_nets "$out/honeypot.pcap" | bh-phase | bh-rtt |
    bh-ttl > "$out/sessions.tsv"

say "scoring the pipeline against the synthesizer's truth"
"$here/score.sh" "$out/truth.tsv" "$out/sessions.tsv" > "$out/score.txt" ||
    say "the pipeline disagrees with the truth: see $out/score.txt"

say "bh-story: the episodes, one summary per bot, the timeline"
bh-story --svg "$out/story.svg" --svg-max 12 "$out/sessions.tsv" \
    > "$out/story.tsv"
bh-story -s "$out/sessions.tsv" > "$out/bots.tsv"
"$here/score-story.sh" "$out/truth.tsv" "$out/story.tsv" \
    > "$out/score-story.txt" ||
    say "bh-story disagrees with the planted episodes: see $out/score-story.txt"

say "bh-hosts: each remote party over all its sessions"
bh-hosts "$out/sessions.tsv" > "$out/hosts.tsv" 2>/dev/null
"$here/score-hosts.sh" "$out/truth.tsv" "$out/hosts.tsv" \
    > "$out/score-hosts.txt" ||
    say "bh-hosts disagrees with the planted parties: see $out/score-hosts.txt"

say "drawing the figures"
# The study's Figures 3-5: TTL as received, counting packets, coloured by
# the OS family the initial TTL gives (so the two groups are named).
only -t infection | figure fig3-ttl-infection \
    "Figure 3. TTL of the infection sessions" "TTL (as received)" packets \
    -k remote_ttl -b remote_os -w remote_pkts
only -t download | figure fig4-ttl-download \
    "Figure 4. TTL of the download sessions" "TTL (as received)" packets \
    -k remote_ttl -b remote_os -w remote_pkts
only -t cnc | figure fig5-ttl-cnc \
    "Figure 5. TTL of the C&C sessions" "TTL (as received)" packets \
    -k remote_ttl -b remote_os -w remote_pkts
# Figures 6-7: handshake RTT (SYN -> SYN/ACK) against TTL, per server.
only -r download | figure fig6-rtt-ttl-download \
    "Figure 6. RTT against TTL, download servers" "TTL (as received)" \
    "RTT (ms)" -k remote_ttl,rtt_remote_ms:5 -b remote_os
only -r cnc | figure fig7-rtt-ttl-cnc \
    "Figure 7. RTT against TTL, C&C servers" "TTL (as received)" \
    "RTT (ms)" -k remote_ttl,rtt_remote_ms:5 -b remote_os
# What the study could not measure: the RTT of the sessions the remote
# side opened (SYN/ACK -> ACK at the honeypot), hops, RTT against hops.
only -r infection | figure fig8-rtt-infection \
    "Figure 8. RTT to the infection sources (SYN/ACK to ACK)" "RTT (ms)" \
    sessions -k rtt_remote_ms:5 -b remote_os
only -t infection download cnc | figure fig9-hops \
    "Figure 9. Hops to the remote party, per phase" "hops" sessions \
    -k remote_hops -b phase
only -r infection download cnc | figure fig10-rtt-hops \
    "Figure 10. RTT against hops, all three phases" "hops" "RTT (ms)" \
    -k remote_hops,rtt_remote_ms:5 -b phase
# Figure 11: per remote party, its median RTT by each method against its
# most frequent hop count (bh-hosts), the methods side by side.
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
}' "$out/hosts.tsv" | figure fig11-rtt-method-hops \
    "Figure 11. RTT by method against hops, per remote party" "hops" \
    "RTT (ms, median per party)" -k hops,rtt_ms:5 -b method \
    --colors handshake=#0072B2,data-ack=#D55E00,timestamps=#009E73

say "writing $out/REPORT.md"
"$here/report.sh" "$out" > "$out/REPORT.md"
say "done: $out/REPORT.md"
