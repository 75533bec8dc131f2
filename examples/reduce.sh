#!/bin/sh
# reduce.sh OUTDIR [DEST] - the reducing half of the study: merge what
# analyse-one.sh wrote per capture into OUTDIR, exactly, and draw it.
#
#   OUTDIR/*.KIND.hist  -> DEST/KIND.hist   bh-hist --merge, and the
#                                            figure DEST/KIND.svg
#   OUTDIR/*.hosts      -> DEST/hosts.tsv   bh-hosts --merge, and Figure
#                                            11 (RTT by method against hops)
#   OUTDIR/*.bots       -> DEST/bots.tsv    bh-story's summaries, one
#   OUTDIR/*.steps      -> DEST/story.tsv   capture after the other (the
#                                            episodes of different captures
#                                            are apart), in file-name order
#   the first capture's story.svg -> DEST/story.svg
#   DEST/captures.txt                        the captures merged
#
# bh-hist and bh-hosts merge exactly: each DEST table is byte for byte
# the one a single run over all the session tables would write, whichever
# machine or job wrote each part and in whatever order.  DEST defaults to
# OUTDIR/merged.  Only captures whose NAME.done exists are merged.
set -eu
[ $# -eq 1 ] || [ $# -eq 2 ] || {
	echo "usage: reduce.sh outdir [dest]" >&2
	exit 2
}
out=$1
m=${2:-$out/merged}
if [ -n "${BH_BIN:-}" ]; then
	PATH=$BH_BIN:$PATH
fi
export LC_ALL=C
mkdir -p "$m"
: > "$m/captures.txt.tmp"
for d in "$out"/*.done; do
	[ -e "$d" ] || { echo "reduce.sh: no finished capture in $out" >&2; exit 2; }
	basename "$d" .done >> "$m/captures.txt.tmp"
done
mv "$m/captures.txt.tmp" "$m/captures.txt"

# parts SUFFIX: the files NAME.SUFFIX of the finished captures, quoted
# for eval
parts() {
	while IFS= read -r n; do
		printf " '%s'" "$(printf '%s' "$out/$n.$1" | sed "s/'/'\\\\''/g")"
	done < "$m/captures.txt"
}

# merge KIND [bh-hist figure options]: DEST/KIND.hist and, with options,
# DEST/KIND.svg
merge() {
	k=$1
	shift
	if [ $# -gt 0 ]; then
		eval "bh-hist --merge --svg '$m/$k.svg.tmp' \"\$@\" $(parts "$k.hist")" \
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

eval "bh-hosts --merge $(parts hosts)" > "$m/hosts.tsv.tmp"
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
}' "$m/hosts.tsv" | bh-hist -k hops,rtt_ms:5 -b method \
    -T "Figure 11. RTT by method against hops, per remote party" \
    -X hops -Y "RTT (ms, median per party)" \
    --colors handshake=#0072B2,data-ack=#D55E00,timestamps=#009E73 \
    --svg "$m/fig11-rtt-method-hops.svg.tmp" > "$m/fig11-rtt-method-hops.hist.tmp"
mv "$m/fig11-rtt-method-hops.svg.tmp" "$m/fig11-rtt-method-hops.svg"
mv "$m/fig11-rtt-method-hops.hist.tmp" "$m/fig11-rtt-method-hops.hist"

eval "cat $(parts bots)" > "$m/bots.tsv.tmp"
mv "$m/bots.tsv.tmp" "$m/bots.tsv"
eval "cat $(parts steps)" > "$m/story.tsv.tmp"
mv "$m/story.tsv.tmp" "$m/story.tsv"
cp "$out/$(head -1 "$m/captures.txt").story.svg" "$m/story.svg"
