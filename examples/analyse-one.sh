#!/bin/sh
# analyse-one.sh CAPTURE... OUTDIR - the per-capture half of the study,
# one job of examples/study.sh, examples/Makefile (make -j),
# examples/parallel.sh (GNU parallel, also over ssh) or a Slurm array
# task.  Several CAPTUREs are one capture: the rotated files of one link,
# read as one stream (a session may span them).
#
# Writes, for the first CAPTURE's file name NAME (whatever it is: .pcap,
# .pcapng, .cap, .dmp, compressed -- bh-sessions reads it by content):
#   OUTDIR/NAME.tsv            the session table (bh-sessions | bh-phase |
#                              bh-rtt | bh-ttl)
#   OUTDIR/NAME.KIND.hist      the partial tables of the study and its
#                              figures, each a bh-hist table (the kinds
#                              below), merged exactly by bh-hist --merge
#   OUTDIR/NAME.hosts          the remote parties (bh-hosts), merged
#                              exactly by bh-hosts --merge
#   OUTDIR/NAME.steps, NAME.bots, NAME.story.svg
#                              the bots' episodes (bh-story), their
#                              summaries (-s) and the timeline
#   OUTDIR/NAME.unit           the capture's first and last packet, its
#                              sessions and episodes, and
#   OUTDIR/NAME.links          its linked sessions (flow, link): what
#                              reduce.sh numbers the flows and episodes of
#                              all captures by (examples/README, "One run
#                              over all files")
#   OUTDIR/NAME.log            what bh-hist and bh-hosts said (the
#                              records they counted without a value:
#                              bh-hist(1), bh-hosts(1))
#   OUTDIR/NAME.done           last, when all of the above are complete
# Each file is written to a temporary name and renamed, so a job that is
# killed leaves no partial result under a final name, and a job run again
# writes the same bytes.  examples/reduce.sh merges them.  Exit 2, and
# no NAME.done, when a capture cannot be read or a step fails (any exit
# status but 0 of bh-hist or bh-hosts: they read this script's own
# records, so a bad one is a failure here); the diagnostics of the step,
# and NAME.log's so far, are on stderr.
#
# Environment: BH_LOCAL (the honeypot networks as for bh-sessions -L,
# comma-separated; unset: bh-phase infers them), BH_BIN (the tools; else
# PATH), BH_HOP_TOLERANCE (bh-hosts -t: examples/defaults.sh).
set -eu
[ $# -ge 2 ] || {
	echo "usage: analyse-one.sh capture... outdir" >&2
	exit 2
}
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
export LC_ALL=C
[ -n "${BH_LOCAL:-}" ] && export BH_LOCAL
. "$(dirname "$0")/defaults.sh"
eval "out=\${$#}"
# a relative OUTDIR as ./OUTDIR: no operand of awk may look like NAME=VALUE
case $out in /*) ;; *) out=./$out ;; esac
name=$(basename "$1")
caps=
while [ $# -gt 1 ]; do
	caps="$caps $(printf '%s' "$1" | sed "s/'/'\\\\''/g; s/^/'/; s/\$/'/")"
	shift
done
o=$out/$name
mkdir -p "$out"
rm -f "$o.done"

# put FILE: rename FILE.tmp to FILE
put() {
	mv "$1.tmp" "$1"
}

# fail STEP: the job fails: NAME.log so far on stderr, exit 2 (no
# NAME.done)
log=$o.log
: > "$log.tmp"
fail() {
	cat "$log.tmp" >&2
	echo "analyse-one.sh: $name: $1 failed" >&2
	exit 2
}

# (sh has no pipefail: each stage's status, when not 0, is kept in a
# file; bh-sessions' 1 means some packets were bad and reported, the
# rest read: a result; anything else fails the job)
rm -f "$o.status"
{ eval "bh-sessions -q $caps" || echo "bh-sessions $?" >> "$o.status"; } |
    { bh-phase || echo "bh-phase $?" >> "$o.status"; } |
    { bh-rtt || echo "bh-rtt $?" >> "$o.status"; } |
    { bh-ttl || echo "bh-ttl $?" >> "$o.status"; } > "$o.tsv.tmp"
if [ -s "$o.status" ]; then
	while read -r tool st; do
		[ "$tool" = bh-sessions ] && [ "$st" -lt 2 ] && continue
		rm -f "$o.status" "$o.tsv.tmp"
		# (bh-sessions named the capture it cannot read)
		[ "$tool" = bh-sessions ] && exit 2
		fail "$tool (exit $st)"
	done < "$o.status"
fi
rm -f "$o.status"
put "$o.tsv"
s=$o.tsv

# only [-t] [-r] PHASE...: the records of these phases (header kept).
# -t: only those where the remote party sent packets (a TFTP request has
# no TTL to show).  -r: only TCP, and without the RTTs above 1 s (the few
# handshakes whose first SYN was answered after its retransmission:
# drawn, they would squash the axis; the report counts them).
only() {
	ttl=0 rtt=0
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
	' "$s"
}

# hist KIND bh-hist-options...: the records on stdin into NAME.KIND.hist
hist() {
	k=$1
	shift
	bh-hist "$@" > "$o.$k.hist.tmp" 2>> "$log.tmp" || fail "bh-hist ($k)"
	put "$o.$k.hist"
}

# The tables of the report: the OS family per phase (counting packets),
# hops and RTT per phase with their statistics, RTT against hops, why an
# RTT is missing or above 1 s, and the packets and bytes per phase.
hist ttl -k remote_ttl -b phase -w remote_pkts < "$s"
hist os -k remote_os -b phase -w remote_pkts < "$s"
hist hops -S -k remote_hops -b phase < "$s"
hist rtt -S -k rtt_remote_ms:5 -b phase < "$s"
hist rtthops -k remote_hops,rtt_remote_ms:5 -b phase < "$s"
hist why -k rtt_note,rtt_remote_ms:1000 -b phase < "$s"
awk -F '\t' -v OFS='\t' '
NR == 1 {
	for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); c[n] = i }
	print "#phase", "pkts", "bytes"
	next
}
/^#/ { next }
{
	print $c["phase"], $c["orig_pkts"] + $c["resp_pkts"],
	    $c["orig_bytes"] + $c["resp_bytes"]
}' "$s" > "$o.sizes.tmp"
hist pkts -k phase -w pkts < "$o.sizes.tmp"
hist bytes -k phase -w bytes < "$o.sizes.tmp"
rm -f "$o.sizes.tmp"

# The study's Figures 3-5 (TTL as received, counting packets, coloured by
# the OS family the initial TTL gives), 6-7 (handshake RTT against TTL,
# per server), and what it could not measure: 8 (the RTT of the sessions
# the remote side opened), 9 (hops per phase), 10 (RTT against hops).
# (each selection into NAME.sel.tmp first: in `only | hist` only hist's
# status would be seen)
sel() {
	only "$@" > "$o.sel.tmp" || fail "awk (only $*)"
}
sel -t infection; hist fig3-ttl-infection -k remote_ttl -b remote_os -w remote_pkts < "$o.sel.tmp"
sel -t download; hist fig4-ttl-download -k remote_ttl -b remote_os -w remote_pkts < "$o.sel.tmp"
sel -t cnc; hist fig5-ttl-cnc -k remote_ttl -b remote_os -w remote_pkts < "$o.sel.tmp"
sel -r download; hist fig6-rtt-ttl-download -k remote_ttl,rtt_remote_ms:5 -b remote_os < "$o.sel.tmp"
sel -r cnc; hist fig7-rtt-ttl-cnc -k remote_ttl,rtt_remote_ms:5 -b remote_os < "$o.sel.tmp"
sel -r infection; hist fig8-rtt-infection -k rtt_remote_ms:5 -b remote_os < "$o.sel.tmp"
sel -t infection download cnc; hist fig9-hops -k remote_hops -b phase < "$o.sel.tmp"
sel -r infection download cnc; hist fig10-rtt-hops -k remote_hops,rtt_remote_ms:5 -b phase < "$o.sel.tmp"
rm -f "$o.sel.tmp"

# Each remote party over all its sessions, and the bots' lives.
bh-hosts -t "$BH_HOP_TOLERANCE" "$s" > "$o.hosts.tmp" 2>> "$log.tmp" || fail bh-hosts
put "$o.hosts"
bh-story --svg "$o.story.svg.tmp" --svg-max 12 "$s" > "$o.steps.tmp"
put "$o.story.svg"
put "$o.steps"
bh-story -s "$s" > "$o.bots.tmp"
put "$o.bots"

# The unit: the start of its first session and the end (ts + dur) of its
# last, to the microsecond ("-" without sessions), the highest flow and
# the highest episode; and the sessions that bh-phase linked.
awk -F '\t' -v OFS='\t' -v links="$o.links.tmp" '
BEGIN { print "#flow", "link" > links }
function us(t,  p) {
	if (t == "-") return 0
	split(t, p, ".")
	return p[1] * 1000000 + substr(p[2] "000000", 1, 6)
}
function sec(u,  f) {
	f = u % 1000000
	return sprintf("%.0f.%06.0f", (u - f) / 1000000, f)
}
FNR == 1 {
	split("", c)
	for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); c[n] = i }
	next
}
/^#/ { next }
FILENAME == ARGV[1] {
	t = us($c["ts"]); e = t + us($c["dur"])
	if (!n1 || t < first) first = t
	if (!n1 || e > last) last = e
	n1 = 1
	if ($c["flow"] + 0 > flows) flows = $c["flow"] + 0
	if ($c["link"] != "-") print $c["flow"], $c["link"] > links
	next
}
$c["episode"] + 0 > eps { eps = $c["episode"] + 0 }
END {
	print "#first", "last", "sessions", "episodes"
	print n1 ? sec(first) : "-", n1 ? sec(last) : "-", flows + 0, eps + 0
}' "$s" "$o.steps" > "$o.unit.tmp"
put "$o.links"
put "$o.unit"
put "$o.log"
: > "$o.done"
