#!/bin/bash
# report.sh [-c COMMAND] DIR - write, on stdout, the Markdown report of the study: what
# the captures show in its terms (share of Windows and Unix per phase,
# hops per phase, RTT per phase), the tables behind it, the figures
# (embedded SVGs), the remote parties (bh-hosts), the bots one by one
# (bh-story) and, for make demo, the agreement with the synthesizer's
# truth.
#
# Reads what examples/reduce.sh merged into DIR: the tables KIND.hist
# (os, hops, rtt, why, pkts, bytes), the figures fig*.svg, hosts.tsv,
# bots.tsv, story.svg and captures.txt; and when present (make demo)
# DIR/truth.tsv and the scores DIR/score*.txt.  Every number is computed
# here from the merged tables (bh-hist, bh-hosts, awk), none is typed in,
# so one machine, GNU parallel over ssh and a Slurm array write the same
# report.  Its "Reproduce" section names COMMAND (-c: the command that
# made DIR, as study.sh, parallel.sh and examples/Makefile give it);
# without -c, `make demo` where DIR is the demo's (DIR/truth.tsv), else
# this script on DIR.

set -euo pipefail
export LC_ALL=C
. "$(dirname "$0")/defaults.sh"
usage() {
	echo "usage: report.sh [-c command] dir" >&2
	exit 2
}
cmd=
while getopts c: opt; do
	case $opt in
	c) cmd=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
dir=$1
# a relative DIR as ./DIR: no operand of awk may look like NAME=VALUE
case $dir in /*) ;; *) dir=./$dir ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in os hops rtt why pkts bytes; do
	[ -s "$dir/$f.hist" ] || {
		echo "report.sh: no $dir/$f.hist (run examples/reduce.sh)" >&2
		exit 2
	}
done

# hosts.tsv: bh-hosts' table per party (bh-hosts(1)), with the columns
# read below
[ -s "$dir/hosts.tsv" ] || {
	echo "report.sh: no $dir/hosts.tsv (run examples/reduce.sh)" >&2
	exit 2
}
awk -F '\t' 'NR == 1 {
	for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); h[n] = 1 }
	exit !(/^#/ && !("local_ip" in h) && ("remote_ip" in h) &&
	    ("roles" in h) && ("sessions" in h) && ("first_ts" in h) &&
	    ("last_ts" in h) && ("host_note" in h))
}' "$dir/hosts.tsv" || {
	echo "report.sh: $dir/hosts.tsv: not a table of bh-hosts per party (no header of remote_ip, roles, sessions, first_ts, last_ts, host_note)" >&2
	exit 2
}

# scores FILE AWK-PATTERN INTRO: when FILE is there (make demo's
# score*.txt), INTRO and FILE's lines that match AWK-PATTERN in a code
# block
scores() {
	[ -s "$1" ] || return 0
	printf '%s\n\n```\n' "$3"
	awk "$2" "$1"
	printf '```\n\n'
}

cp "$dir/os.hist" "$tmp/os"
cat "$dir/hops.hist" "$dir/rtt.hist" > "$tmp/stat"
# Totals from the merged tables: sessions, packets and bytes per phase,
# the time the remote parties span, the parties per phase (bh-hosts'
# roles), and why an RTT is missing or above 1 s (bh-hist of rtt_note
# against the RTT in bins of 1 s).
{
	awk -F '\t' '
	FNR == 1 { for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); c[FILENAME, n] = i }; next }
	/^#/ { next }
	{ w[FILENAME] += $c[FILENAME, "w"]; cnt[FILENAME] += $c[FILENAME, "n"] }
	END { printf "total\t%d\t%d\t%d\n", cnt[ARGV[1]], w[ARGV[1]], w[ARGV[2]] }
	' "$dir/pkts.hist" "$dir/bytes.hist"
	awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); c[n] = i }; next }
	/^#/ { next }
	{
		if ($c["first_ts"] != "-" && (first == "" || $c["first_ts"] < first)) first = $c["first_ts"]
		if ($c["last_ts"] != "-" && $c["last_ts"] > last) last = $c["last_ts"]
		k = split($c["roles"], r, ",")
		for (i = 1; i <= k; i++) { sub(/:[0-9]+$/, "", r[i]); if (r[i] != "-") hosts[r[i]]++ }
	}
	END {
		printf "span\t%.0f\n", last - first
		printf "first\t%d\nlast\t%d\n", first, last
		for (p in hosts) printf "hosts\t%s\t%d\n", p, hosts[p]
	}' "$dir/hosts.tsv"
	awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) { n = $i; sub(/^#/, "", n); c[n] = i }; next }
	/^#/ { next }
	$c["bin2"] == "-" { why[$c["phase"], $c["bin"]] += $c["n"] }
	$c["bin2"] != "-" && $c["bin2"] + 0 >= 1000 { slow[$c["phase"]] += $c["n"] }
	END {
		for (k in why) {
			split(k, pw, SUBSEP)
			printf "why\t%s\t%s\t%d\n", pw[1], pw[2], why[k]
		}
		for (p in slow) printf "slow\t%s\t%d\n", p, slow[p]
	}' "$dir/why.hist"
} | sort > "$tmp/tot"
demo=0
[ -f "$dir/truth.tsv" ] && demo=1
t_first=$(date -u -d "@$(awk '$1 == "first" { print $2 }' "$tmp/tot")" '+%Y-%m-%d %H:%M')
t_last=$(date -u -d "@$(awk '$1 == "last" { print $2 }' "$tmp/tot")" '+%Y-%m-%d %H:%M')
ncap=$(wc -l < "$dir/captures.txt")

# One awk writes the report from the tables.
awk -F '\t' -v dir="$dir" -v demo=$demo \
    -v t_first="$t_first" -v t_last="$t_last" \
    -v ncap="$ncap" -v caps="$(head -3 "$dir/captures.txt" | tr '\n' ' ')" '
BEGIN { sub(/ $/, "", caps) }
# (pct and ms are given values, never an array element that may not be
# there: gawk 5.2.1 dies of "internal error: segfault" on one)
function pct(a, b) { return b > 0 ? sprintf("%.0f%%", 100 * a / b) : "-" }
function ms(v) { return v == "-" || v == "" ? "-" : sprintf("%.1f", v) }
function head_of(f,   i) {
	for (i = 1; i <= NF; i++) {
		sub(/^#/, "", $i)
		col[f, $i] = i
	}
}
function v(f, name) { return $col[f, name] }
FNR == 1 { f = FILENAME; sub(/.*\//, "", f); if (f != "tot") { head_of(f); next } }
f == "tot" && $1 == "total" { nrec = $2; npk = $3; nby = $4; next }
f == "tot" && $1 == "span" { span = $2; next }
f == "tot" && ($1 == "first" || $1 == "last") { next }
f == "tot" && $1 == "hosts" { hosts[$2] = $3; next }
f == "tot" && $1 == "why" {
	notes[$2] = notes[$2] (notes[$2] == "" ? "" : ", ") $3 " " $4
	next
}
f == "tot" && $1 == "slow" { slow[$2] = $3; next }
f == "os" {
	p = v(f, "phase"); o = v(f, "bin")
	ses[p] += v(f, "n"); pkts[p] += v(f, "w")
	osn[p, o] += v(f, "n"); osw[p, o] += v(f, "w")
	next
}
f == "stat" && v(f, "row") == "stat" {
	k = v(f, "key"); p = v(f, "phase")
	split("n min q1 median q3 max mean", names, " ")
	for (i = 1; i <= 7; i++)
		st[k, p, names[i]] = v(f, names[i])
	next
}
f == "stat" && v(f, "row") == "hist" && v(f, "bin") == "-" {
	unset[v(f, "key"), v(f, "phase")] = v(f, "n")
	next
}
END {
	split("infection download cnc", ph, " ")
	label["infection"] = "Infection"; label["download"] = "Download"
	label["cnc"] = "C&C"; label["scan"] = "Scan"; label["attack"] = "Attack"
	label["-"] = demo ? "Other (DNS, NetBIOS)" : "Other (unlabelled)"
	party["infection"] = "sources"; party["download"] = "servers"
	party["cnc"] = "servers"
	leg["infection"] = "SYN/ACK -> ACK"; leg["download"] = "SYN -> SYN/ACK"
	leg["cnc"] = "SYN -> SYN/ACK"; leg["attack"] = "SYN -> SYN/ACK"

	if (demo) {
		print "# bh demo: how far away is the bot'"'"'s other party?"
		print ""
		printf "A honeypot capture synthesized by `bh-synth` (%d sessions, " \
		    "%d packets, %.1f MB of payload over %.1f hours; the truth of " \
		    "every session is in `truth.tsv`), run once through\n\n", nrec,
		    npk, nby / 1e6, span / 3600
		print "    bh-sessions -L 192.168.56.0/24 -L 2001:db8:56::/64 " \
		    "honeypot.pcap | bh-phase | bh-rtt | bh-ttl > sessions.tsv"
		print ""
	} else {
		print "# How far away is the bot'"'"'s other party?"
		print ""
		printf "%d capture%s (%s%s; %d sessions, %d packets, %.1f MB of " \
		    "payload, the remote parties seen from %s to %s UTC), each " \
		    "run through\n\n", ncap, (ncap == 1 ? "" : "s"), caps,
		    (ncap > 3 ? "..." : ""), nrec, npk, nby / 1e6, t_first,
		    t_last
		print "    bh-sessions CAPTURE | bh-phase | bh-rtt | bh-ttl"
		print ""
	}
	print "and measured as the study of the CCC DATAset 2010 honeypot " \
	    "captures did: initial TTL (hence OS family) and hops of the " \
	    "remote party, and handshake round-trip time, per botnet phase. " \
	    "Every number below is computed from the session records by " \
	    "`bh-hist`, `bh-hosts` and `awk`, per capture and merged " \
	    "exactly (`examples/reduce.sh`)."
	print ""
	print "## What the capture shows"
	print ""
	for (i = 1; i <= 3; i++) {
		p = ph[i]
		w = osw[p, "windows"]; u = osw[p, "unix"]
		t = w + u + osw[p, "solaris/network"]
		most = w > u ? "Windows" : "Unix"
		printf "- **%s %s** (%d sessions, %d hosts): %s of their " \
		    "packets come from Windows hosts (initial TTL 128), %s " \
		    "from Unix hosts (64): mostly **%s**. They are a median " \
		    "of **%s hops** away (quartiles %s-%s), at a median " \
		    "round-trip time of **%s ms** (%s-%s; measured %s on " \
		    "%d sessions).\n", label[p], party[p], ses[p], hosts[p],
		    pct(w, t), pct(u, t), most,
		    st["remote_hops", p, "median"], st["remote_hops", p, "q1"],
		    st["remote_hops", p, "q3"],
		    ms(st["rtt_remote_ms", p, "median"] ""),
		    ms(st["rtt_remote_ms", p, "q1"] ""),
		    ms(st["rtt_remote_ms", p, "q3"] ""), leg[p],
		    st["rtt_remote_ms", p, "n"]
	}
	print ""
	# in short: who is mostly what, and who is nearer
	for (i = 1; i <= 3; i++) {
		p = ph[i]
		w = osw[p, "windows"]; u = osw[p, "unix"]
		fam[p] = w > u ? "Windows" : "Unix"
		share[p] = pct(w > u ? w : u, w + u + osw[p, "solaris/network"])
	}
	printf "In short: the infection sources are mostly %s hosts (%s of " \
	    "the packets), the download servers mostly %s (%s) and the C&C " \
	    "servers mostly %s (%s). %s\n", fam["infection"],
	    share["infection"], fam["download"], share["download"], fam["cnc"],
	    share["cnc"], nearer("download") " " nearer("cnc")
	print ""
	printf "The infection RTT is the figure the study could not make: " \
	    "the monitor sits at the honeypot, so for a session the remote " \
	    "side opens, the leg toward it is SYN/ACK -> ACK, not " \
	    "SYN -> SYN/ACK. Where a retransmission leaves it ambiguous " \
	    "(Karn) and no TCP timestamp resolves it, it is `-`, never " \
	    "a guess.\n"
	print ""
	print "## Table 1. OS family of the remote party (share of its packets)"
	print ""
	print "| phase | sessions | packets | windows | unix | solaris/network | unknown |"
	print "|---|--:|--:|--:|--:|--:|--:|"
	split("infection download cnc scan attack -", all, " ")
	for (i = 1; i <= 6; i++) {
		p = all[i]
		if (!(p in ses))
			continue
		t = pkts[p]
		printf "| %s | %d | %d | %s | %s | %s | %d sessions |\n",
		    label[p], ses[p], t, pct(osw[p, "windows"] + 0, t),
		    pct(osw[p, "unix"] + 0, t), pct(osw[p, "solaris/network"] + 0, t),
		    osn[p, "-"]
	}
	print ""
	print "## Table 2. Hops to the remote party (sessions)"
	print ""
	print "| phase | sessions | min | q1 | median | q3 | max | mean |"
	print "|---|--:|--:|--:|--:|--:|--:|--:|"
	for (i = 1; i <= 6; i++) {
		p = all[i]
		if (!(p in ses))
			continue
		k = "remote_hops"
		printf "| %s | %d | %s | %s | %s | %s | %s | %.1f |\n",
		    label[p], st[k, p, "n"], st[k, p, "min"], st[k, p, "q1"],
		    st[k, p, "median"], st[k, p, "q3"], st[k, p, "max"],
		    st[k, p, "mean"]
	}
	print ""
	print "## Table 3. Round-trip time to the remote party, ms (sessions)"
	print ""
	print "| phase | leg | with RTT | without | min | q1 | median | q3 | max | why without (rtt_note) |"
	print "|---|---|--:|--:|--:|--:|--:|--:|--:|---|"
	for (i = 1; i <= 6; i++) {
		p = all[i]
		if (!(p in ses))
			continue
		k = "rtt_remote_ms"
		printf "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s |\n",
		    label[p], (p in leg) ? leg[p] : "-", st[k, p, "n"],
		    unset[k, p], ms(st[k, p, "min"] ""), ms(st[k, p, "q1"] ""),
		    ms(st[k, p, "median"] ""), ms(st[k, p, "q3"] ""),
		    ms(st[k, p, "max"] ""), notes[p] == "" ? "-" : notes[p]
	}
	print ""
	print "## Figures"
	print ""
	print "The study'"'"'s figures, from the pipeline (TTL as received, " \
	    "counting packets; colour = OS family of the initial TTL):"
	print ""
	fig("fig3-ttl-infection", "Figure 3: TTL of the infection sessions")
	fig("fig4-ttl-download", "Figure 4: TTL of the download sessions")
	fig("fig5-ttl-cnc", "Figure 5: TTL of the C&C sessions")
	fig("fig6-rtt-ttl-download", "Figure 6: RTT against TTL, download servers")
	fig("fig7-rtt-ttl-cnc", "Figure 7: RTT against TTL, C&C servers")
	nslow = 0
	for (p in slow)
		nslow += slow[p]
	printf "The figures the study could not make. The RTT figures leave " \
	    "out the RTTs above 1 s (%d here: handshakes whose first SYN was " \
	    "answered only after its retransmission, resolved by the TCP " \
	    "timestamp echo); the tables include them.\n", nslow
	print ""
	fig("fig8-rtt-infection", "Figure 8: RTT to the infection sources")
	fig("fig9-hops", "Figure 9: hops per phase")
	fig("fig10-rtt-hops", "Figure 10: RTT against hops, all three phases")
}
# how the servers of phase p compare with the infection sources, by hops
# and by RTT (medians)
function nearer(p,   h, hi, r, ri, a, b, name) {
	h = st["remote_hops", p, "median"]; hi = st["remote_hops", "infection", "median"]
	r = st["rtt_remote_ms", p, "median"]; ri = st["rtt_remote_ms", "infection", "median"]
	if (h == "" || hi == "" || h == "-" || hi == "-" || r == "-" || ri == "-")
		return ""
	a = "as near as"
	if (h + 0 != hi + 0)
		a = h + 0 < hi + 0 ? "nearer than" : "farther than"
	b = r + 0 < ri + 0 ? "nearer" : r + 0 > ri + 0 ? "farther" : "as near"
	name = p == "cnc" ? "C&C" : p
	return sprintf("The %s servers are %s the infection sources by " \
	    "hops (median %s against %s) and %s by RTT (%s ms against %s ms).",
	    name, a, h, hi, b, ms(r), ms(ri))
}
function fig(name, caption) {
	printf "![%s](%s.svg)\n\n", caption, name
}
' "$tmp/tot" "$tmp/os" "$tmp/stat"
if [ "$demo" = 1 ]; then
	echo "## Against the truth"
	echo ""
	scores "$dir/score.txt" \
	    '/^(phase|remote_os|remote_hops|rtt_remote_ms|sessions:)/' \
	    '`bh-synth` planted every answer; `examples/score.sh` compares the pipeline with them, session by session:'
fi

# The bots one by one (bh-story -s): each episode that came to a download
# or a C&C, where its infection source, download and C&C servers sit.
if [ -f "$dir/bots.tsv" ]; then
	awk -F '\t' -v score="$dir/score-story.txt" -v max=25 '
	NR == 1 { for (i = 1; i <= NF; i++) { sub(/^#/, "", $i); c[$i] = i }; next }
	/^#/ { next }
	{ n++ }
	$c["download_servers"] != "-" || $c["cnc_servers"] != "-" {
		bots++
		if ($c["infection_src"] != "-" && $c["download_servers"] != "-") full++
		if (shown >= max) next
		shown++
		row[shown] = sprintf("| %s | %s | %s / %s / %s | %s | %s / %s | %s | %s / %s | %s | %s | %s |",
		    $c["episode"], $c["infection_src"], $c["infection_hops"],
		    $c["infection_rtt_ms"], $c["infection_os"], $c["download_servers"],
		    $c["download_hops"], $c["download_rtt_ms"], $c["cnc_servers"],
		    $c["cnc_hops"], $c["cnc_rtt_ms"], $c["t_download_s"], $c["t_cnc_s"],
		    $c["evidence"])
	}
	END {
		print "## The bots, one by one (bh-story)"
		print ""
		printf "`bh-story -s` joins each local host'"'"'s sessions into episodes: " \
		    "%d episodes, %d of them came to a download or a C&C, %d from an " \
		    "infection in the capture to a download.  Where each bot'"'"'s " \
		    "infection source, download server and C&C server sit (hops / " \
		    "RTT ms / OS; times in seconds from the exploit; the first %d):\n\n",
		    n, bots, full, shown
		print "| episode | infection source | hops / RTT / OS | download | hops / RTT | C&C | hops / RTT | to download | to C&C | evidence |"
		print "|---|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= shown; i++)
			print row[i]
		print ""
		print "![Timeline of the first episodes (bh-story --svg)](story.svg)"
		print ""
	}' "$dir/bots.tsv"
	scores "$dir/score-story.txt" '!/^episode /' \
	    'Against the episodes `bh-synth` planted (exploit, shell, the download its order names, C&C), `examples/score-story.sh`, per evidence (steps right, of):'
fi

# The remote parties (bh-hosts): the download and C&C servers over all
# their sessions, by every method.
if [ -f "$dir/hosts.tsv" ]; then
	max=25
	: > "$tmp/servers"
	awk -F '\t' -v srvfile="$tmp/servers" -v max=$max \
	    -v tol="$BH_HOP_TOLERANCE" '
	function ms(v) { return v == "-" || v == "" ? "-" : sprintf("%.1f", v) }
	NR == 1 { for (i = 1; i <= NF; i++) { sub(/^#/, "", $i); c[$i] = i }; next }
	/^#/ { next }
	{
		n++
		note = $c["host_note"]
		if (note ~ /hops-spread/) spread++
		if (note ~ /os-conflict/) conflict++
		if (note ~ /ttl-init-mixed/) mixed++
		if ($c["roles"] !~ /download|cnc/) next
		servers++
		# the sessions and the party, the keys of sort(1) below
		printf "%s\t%s\t| %s | %s | %s | %s / %s / %s (%s) | %s | %s | %s | %s / %s / %s | %s / %s / %s |\n",
		    $c["sessions"], $c["remote_ip"],
		    $c["remote_ip"], $c["roles"], $c["sessions"], $c["hops_min"],
		    $c["hops_mode"], $c["hops_max"], $c["hops_mode_share"],
		    $c["os_ttl"], $c["os_sig"], note,
		    ms($c["rtt_hs_med_ms"]), ms($c["rtt_data_med_ms"]),
		    ms($c["rtt_ts_med_ms"]), $c["rtt_hs_n"], $c["rtt_data_n"],
		    $c["rtt_ts_n"] > srvfile
	}
	END {
		print "## The remote parties (bh-hosts)"
		print ""
		printf "`bh-hosts` joins each remote party'"'"'s sessions: %d parties, " \
		    "%d of them download or C&C servers; %d with hop counts more " \
		    "than %d apart (hops-spread), %d with more than one initial TTL, " \
		    "%d whose SYN or SYN/ACK signature names another OS than its " \
		    "TTL (os-conflict: NAT, a proxy or spoofing).  The download and " \
		    "C&C servers, most sessions first (hops min / mode / max and " \
		    "the share at the mode; RTT medians per party by handshake, " \
		    "data-ACK and TCP timestamps, and their sample counts; the " \
		    "first %d):\n\n", n, servers, spread, tol, mixed, conflict, \
		    servers < max ? servers : max
		print "| server | roles | sessions | hops | OS by TTL | OS by signature | note | RTT ms: handshake / data-ACK / TS | samples |"
		print "|---|---|---|---|---|---|---|---|---|"
	}' "$dir/hosts.tsv"
	# most sessions first, then by the party's name (sort(1): any count,
	# n log n)
	tab=$(printf '\t')
	sort -t "$tab" -k1,1nr -k2,2 "$tmp/servers" > "$tmp/servers.sorted"
	sed -n "1,${max}p" "$tmp/servers.sorted" | cut -f 3-
	echo ""
	echo "![Figure 11: RTT by method against hops, per remote party](fig11-rtt-method-hops.svg)"
	echo ""
	scores "$dir/score-hosts.txt" '!/^party /' \
	    'Against the parties `bh-synth` planted (its NATed servers and flapping routes among them), `examples/score-hosts.sh` (right, of):'
fi

echo "## Reproduce"
echo ""
if [ -n "$cmd" ]; then
	echo "    $cmd"
elif [ "$demo" = 1 ]; then
	echo "    make demo                      # this report, in demo/"
	echo "    BH_DEMO_SESSIONS=20000 BH_DEMO_SEED=7 make demo"
else
	echo "    examples/report.sh $1"
fi
echo ""
echo "The same analysis over a directory of captures, in parallel: see \`examples/README\`."
