#!/bin/bash
# demo.sh [outdir] - the study, reproduced and extended, on a built-in
# honeypot capture (what `make demo` runs).
#
# Synthesizes a honeypot capture with bh-synth (its truth beside it), runs
#     bh-sessions | bh-phase | bh-rtt | bh-ttl
# once (examples/analyse-one.sh, the same job as for every capture of an
# archive), merges its tables into outdir (examples/reduce.sh: the
# session table outdir/sessions.tsv among them), draws with bh-hist the
# study's Figures 3-5 (TTL of the infection, download and C&C sessions,
# counting packets) and 6-7 (RTT against TTL of the download and C&C
# servers) and the ones it could not make (RTT to the infection sources,
# hops per phase, RTT against hops for all three phases; with bh-hosts,
# each remote party's RTT by method against its hops), and writes
# outdir/REPORT.md, whose numbers all come from the stream.  Progress
# goes to stderr when it is a terminal.
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
local_nets=192.168.56.0/24,2001:db8:56::/64

say() {
	if [ -t 2 ]; then
		printf 'demo: %s\n' "$*" >&2
	fi
}

mkdir -p "$out"
say "synthesizing a honeypot capture of $n sessions (seed $seed)"
bh-synth -q -n "$n" -s "$seed" -o "$out/honeypot.pcap" -t "$out/truth.tsv"

# The same two halves as the study of an archive (examples/study.sh):
# the capture's partial tables, then their exact reduction into $out.
say "analyse-one.sh: bh-sessions $local_nets | bh-phase | bh-rtt | bh-ttl, the tables"
BH_LOCAL=$local_nets "$here/analyse-one.sh" "$out/honeypot.pcap" "$out/parts"
say "reduce.sh: the tables merged (one capture: sessions.tsv is its table), the figures drawn"
"$here/reduce.sh" "$out/parts" "$out"

say "scoring the pipeline, the episodes and the parties against the truth"
"$here/score.sh" "$out/truth.tsv" "$out/sessions.tsv" > "$out/score.txt" ||
    say "the pipeline disagrees with the truth: see $out/score.txt"
"$here/score-story.sh" "$out/truth.tsv" "$out/story.tsv" \
    > "$out/score-story.txt" ||
    say "bh-story disagrees with the planted episodes: see $out/score-story.txt"
"$here/score-hosts.sh" "$out/truth.tsv" "$out/hosts.tsv" \
    > "$out/score-hosts.txt" ||
    say "bh-hosts disagrees with the planted parties: see $out/score-hosts.txt"

say "writing $out/REPORT.md"
"$here/report.sh" "$out" > "$out/REPORT.md"
say "done: $out/REPORT.md"
