#!/usr/bin/env bats
# The pipeline scored against bh-synth's truth, make demo's script, and
# every example in examples/ run on a small synthesized capture.

load helper

EX=$BATS_TEST_DIRNAME/../examples

# The tools this file needs; any missing one skips the test that needs it
# (the tools land at different times).
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || skip "$t is not built"
	done
}

setup_file() {
	export BH_BIN
	F=$BATS_FILE_TMPDIR
	bh-synth -n 5000 -s 13 -o "$F/cap.pcap" -t "$F/truth.tsv"
	if command -v bh-ttl >/dev/null && command -v bh-phase >/dev/null &&
	    command -v bh-rtt >/dev/null; then
		bh-sessions -q -L 192.168.56.0/24 -L 2001:db8:56::/64 \
		    "$F/cap.pcap" | bh-phase | bh-rtt | bh-ttl > "$F/s.tsv"
	fi
}

setup() {
	F=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

@test "the pipeline agrees with the truth: phase, OS, hops, RTT to 1 µs" {
	need bh-sessions bh-phase bh-rtt bh-ttl
	run -0 "$EX/score.sh" "$F/truth.tsv" "$F/s.tsv"
	# every must field agrees, no session missing or extra
	[[ "$output" == *"sessions: 5000 in the truth, 0 missing, 0 extra, 0 duplicate"* ]]
	for f in phase remote_os remote_hops rtt_remote_ms; do
		echo "$output" | grep -Eq "^$f +5000 +0 +\(must\)$"
	done
}

@test "the pipeline agrees with the truth on the other fields" {
	need bh-sessions bh-phase bh-rtt bh-ttl
	run -0 "$EX/score.sh" "$F/truth.tsv" "$F/s.tsv"
	for f in state dir orig_pkts resp_pkts remote_pkts remote_ttl \
	    remote_ttl_init rtt_local_ms flow; do
		echo "$output" | grep -Eq "^$f +5000 +0 *$"
	done
	echo "$output" | grep -Eq "^app +[0-9]+ +0 *$"
}

@test "the truth's hard cases are in the capture the test scores" {
	awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { print "how=" $c["rtt_how"]; print "note=" $c["note"];
	      print "vlan=" $c["vlan"]; if ($c["orig_ip"] ~ /:/) print "v6" }' \
	    "$F/truth.tsv" | sort -u > "$T/cases"
	for c in how=syn-synack how=synack-ack how=ts-syn how=ts-syn-first \
	    how=ts-synack how=karn-syn how=karn-synack how=ts-same how=no-ack \
	    how=no-synack how=udp note=data-retx note=syn-retx note=port-reuse \
	    note=bulk note=ttl-change vlan=mixed vlan=56 v6; do
		grep -qx -- "$c" "$T/cases"
	done
}

@test "score.sh names a disagreement: flow, field, wanted, got" {
	need bh-sessions bh-phase bh-rtt bh-ttl
	# make flow 5's phase wrong and one RTT off by 2 µs
	awk -F '\t' -v OFS='\t' '
	NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "#flow") f = i;
	    if ($i == "phase") p = i; if ($i == "rtt_remote_ms") r = i } }
	NR > 1 && $f == 5 { $p = "cnc" }
	NR > 1 && $r != "-" && !done { $r = sprintf("%.3f", $r + 0.002);
	    done = 1; print $f > "/dev/stderr" }
	{ print }' "$F/s.tsv" > "$T/bad.tsv" 2> "$T/rttflow"
	run -1 "$EX/score.sh" "$F/truth.tsv" "$T/bad.tsv"
	[[ "$output" == *"flow 5 phase: want $(awk -F '\t' '$1 == 5 { print $9 }' "$F/truth.tsv") got cnc"* ]]
	[[ "$output" == *"flow $(cat "$T/rttflow") rtt_remote_ms: want "* ]]
	# a session missing from the stream
	grep -v "^3	" "$F/s.tsv" > "$T/less.tsv"
	run -1 "$EX/score.sh" "$F/truth.tsv" "$T/less.tsv"
	[[ "$output" == *"missing record: flow 3 "* ]]
	run -2 "$EX/score.sh"
}

@test "demo.sh: the session table, the figures and a report from the stream" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist
	run -0 "$EX/demo.sh" "$T/demo"
	[ -z "$output" ]		# quiet unless stderr is a terminal
	for f in fig3-ttl-infection fig4-ttl-download fig5-ttl-cnc \
	    fig6-rtt-ttl-download fig7-rtt-ttl-cnc fig8-rtt-infection \
	    fig9-hops fig10-rtt-hops; do
		[ -s "$T/demo/$f.svg" ]
		grep -q "<svg" "$T/demo/$f.svg"
		grep -q "](${f}.svg)" "$T/demo/REPORT.md"
		if command -v xmllint >/dev/null; then
			xmllint --noout "$T/demo/$f.svg"
		fi
		if command -v rsvg-convert >/dev/null; then
			rsvg-convert "$T/demo/$f.svg" -o "$T/$f.png"
		fi
	done
	# the TTL figures show both OS groups
	for f in fig3-ttl-infection fig4-ttl-download; do
		grep -q 'data-group="windows"' "$T/demo/$f.svg"
		grep -q 'data-group="unix"' "$T/demo/$f.svg"
	done
	# the report's numbers are the stream's
	n=$(col phase < "$T/demo/sessions.tsv" | grep -cx infection)
	grep -q "Infection sources\*\* ($n sessions" "$T/demo/REPORT.md"
	run -0 grep -c "^| " "$T/demo/REPORT.md"
	[ "$output" -ge 20 ]
	run -1 grep -c '| |' "$T/demo/REPORT.md"
	# and the demo capture itself scores clean against its truth
	for f in phase remote_os remote_hops rtt_remote_ms; do
		grep -Eq "^$f +4000 +0 +\(must\)$" "$T/demo/REPORT.md"
		grep -Eq "^$f +4000 +0 +\(must\)$" "$T/demo/score.txt"
	done
	grep -q "^sessions: 4000 in the truth, 0 missing, 0 extra, 0 duplicate" \
	    "$T/demo/score.txt"
	# bh-story's episodes agree with the planted ones, every step
	awk '$1 == "episodes" && $2 > 0 && $2 == $3 { ok = 1 } END { exit !ok }' \
	    "$T/demo/score-story.txt"
	awk '$1 == "steps" && $2 > 0 && $2 == $3 { ok = 1 } END { exit !ok }' \
	    "$T/demo/score-story.txt"
	grep -q '^## The bots, one by one (bh-story)' "$T/demo/REPORT.md"
	grep -q '(story.svg)' "$T/demo/REPORT.md"
	[ -s "$T/demo/story.svg" ]
	# the remote parties: the table, Figure 11 and the score
	grep -q '^## The remote parties (bh-hosts)' "$T/demo/REPORT.md"
	grep -q '^| server | roles | sessions | hops |' "$T/demo/REPORT.md"
	grep -q '(fig11-rtt-method-hops.svg)' "$T/demo/REPORT.md"
	grep -q 'class="series" data-group="timestamps"' "$T/demo/fig11-rtt-method-hops.svg"
	run -0 awk '$1 == "parties" { p = $2 == $3 } $1 == "hops-spread" { s = $2 == $3 } END { exit !(p && s) }' "$T/demo/score-hosts.txt"
	# the figure the README shows is this run's (UPDATE=1 rewrites it)
	if [ -n "${UPDATE:-}" ]; then
		cp "$T/demo/fig10-rtt-hops.svg" "$EX/demo-rtt-hops.svg"
	fi
	cmp "$EX/demo-rtt-hops.svg" "$T/demo/fig10-rtt-hops.svg"
}

@test "demo.sh: the same run writes the same report" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist
	BH_DEMO_SESSIONS=400 "$EX/demo.sh" "$T/a"
	BH_DEMO_SESSIONS=400 "$EX/demo.sh" "$T/b"
	cmp "$T/a/REPORT.md" "$T/b/REPORT.md"
	cmp "$T/a/fig10-rtt-hops.svg" "$T/b/fig10-rtt-hops.svg"
}

# four captures as an archive has them, named as they come (a .cap, a
# pcapng, a gzipped pcap): bh-sessions reads each by its content
mkcaps() {
	mkdir -p "$T/caps"
	bh-synth -n 500 -s 1 -o "$T/caps/day1.pcap"
	bh-synth -n 500 -s 2 -g -o "$T/caps/day.2.pcapng"
	bh-synth -n 300 -s 4 -o "$T/caps/sensor-3.cap"
	bh-synth -n 400 -s 3 | gzip > "$T/caps/day3.pcap.gz"
}

@test "examples/Makefile: make -j per capture whatever its name, reduced exactly, the report" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist bh-hosts bh-story
	mkcaps
	run -0 make -s -f "$EX/Makefile" -j3 CAPTURES="$T/caps" OUT="$T/out"
	for n in day1.pcap day.2.pcapng sensor-3.cap day3.pcap.gz; do
		[ -e "$T/out/parts/$n.done" ]
	done
	# the merge law: the reduction equals one bh-hist over every table,
	# and one bh-hosts
	cat "$T"/out/parts/*.tsv | bh-hist -S -k remote_hops -b phase > "$T/one"
	cmp "$T/one" "$T/out/hops.hist"
	cat "$T"/out/parts/*.tsv | bh-hist -k remote_hops,rtt_remote_ms:5 -b phase > "$T/one"
	cmp "$T/one" "$T/out/rtthops.hist"
	cat "$T"/out/parts/*.tsv | bh-hosts > "$T/one" 2>/dev/null
	cmp "$T/one" "$T/out/hosts.tsv"
	for f in ttl hops rtt rtthops fig3-ttl-infection fig10-rtt-hops fig11-rtt-method-hops; do
		grep -q "<svg" "$T/out/$f.svg"
	done
	grep -q '^# How far away is the bot' "$T/out/REPORT.md"
	grep -q '^4 captures (day.2.pcapng day1.pcap day3.pcap.gz...; ' "$T/out/REPORT.md"
	grep -q '^## The remote parties (bh-hosts)' "$T/out/REPORT.md"
	run -1 grep -q 'Against the truth' "$T/out/REPORT.md"
	# nothing to redo the second time (make -q: exit 0 when up to date;
	# MAKEFLAGS of an outer `make -s check` must not reach it)
	run -0 env -u MAKEFLAGS make -q -f "$EX/Makefile" CAPTURES="$T/caps" \
	    OUT="$T/out"
}

@test "examples/study.sh: the study of a directory, the same report as make's; a new capture is all it redoes" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist bh-hosts bh-story
	mkcaps
	make -s -f "$EX/Makefile" -j2 CAPTURES="$T/caps" OUT="$T/make"
	run -0 "$EX/study.sh" -j 2 "$T/caps" "$T/st"
	# the same report but for the command each names (report.sh -c)
	cmp <(sed '/^## Reproduce/,$d' "$T/make/REPORT.md") \
	    <(sed '/^## Reproduce/,$d' "$T/st/REPORT.md")
	grep -qx "    make -f $EX/Makefile CAPTURES=$T/caps OUT=$T/make" "$T/make/REPORT.md"
	grep -qx "    examples/study.sh -j 2 $T/caps $T/st" "$T/st/REPORT.md"
	run -1 grep -q 'make demo' "$T/st/REPORT.md"
	for f in os why pkts bytes hops rtt fig9-hops; do
		cmp "$T/make/$f.hist" "$T/st/$f.hist"
	done
	# a capture added later: only it is analysed (the others' .done are
	# newer than their captures)
	touch -d '1 hour ago' "$T"/caps/*
	touch "$T/mark"
	bh-synth -n 200 -s 9 -o "$T/caps/late.pcap"
	run -0 "$EX/study.sh" "$T/caps" "$T/st"
	[ "$(find "$T/st/parts" -name '*.done' -newer "$T/mark")" = "$T/st/parts/late.pcap.done" ]
	grep -q '^5 captures ' "$T/st/REPORT.md"
	# not a capture: named and left out, the report written, exit 1
	echo "not a capture" > "$T/caps/notes.txt"
	run -1 --separate-stderr "$EX/study.sh" "$T/caps" "$T/st2"
	[ "${stderr_lines[1]}" = "study.sh: not analysed: $T/caps/notes.txt" ]
	grep -q '^5 captures ' "$T/st2/REPORT.md"
	run -2 "$EX/study.sh" "$T/nonexistent" "$T/st3"
	run -2 "$EX/study.sh" "$T/caps"
}

@test "examples/groups.sh and study.sh -r: rotated files grouped by their packets' times, a session across files one record" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist bh-hosts bh-story bh-mkpcap
	mkdir -p "$T/caps"
	# a download whose session spans two rotated files of one sensor,
	bh-mkpcap -o "$T/caps/b-part1.pcap" <<-'EOF'
	1262304000.000000 tcp 192.168.56.101:1055 > 203.0.113.9:80 S ttl=128 mss=1460
	+0.090 tcp 203.0.113.9:80 > 192.168.56.101:1055 SA ttl=44
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 . ttl=128
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
	EOF
	bh-mkpcap -o "$T/caps/a-part2.pcap" <<-'EOF'
	1262304000.182000 tcp 203.0.113.9:80 > 192.168.56.101:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 FA ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.56.101:1055 FA ttl=44
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 . ttl=128
	EOF
	# another sensor at the same time (its times overlap: its own
	# group), and the first sensor again after a quiet hour
	bh-mkpcap -o "$T/caps/other-sensor.pcap" <<-'EOF'
	1262304000.050000 tcp 10.9.9.9:2000 > 192.168.57.5:445 S ttl=110
	1262304001.000000 tcp 10.9.9.9:2001 > 192.168.57.5:445 S ttl=110
	EOF
	bh-mkpcap -o "$T/caps/c-later.pcap" <<-'EOF'
	1262307600.000000 tcp 198.51.100.4:3000 > 192.168.56.101:135 S ttl=100
	EOF
	run -0 "$EX/groups.sh" "$T"/caps/*
	[ "${lines[0]}" = "$T/caps/b-part1.pcap $T/caps/a-part2.pcap" ]
	[ "${lines[1]}" = "$T/caps/other-sensor.pcap" ]
	[ "${lines[2]}" = "$T/caps/c-later.pcap" ]
	[ "${#lines[@]}" -eq 3 ]
	# -g 3700: the quiet hour parts nothing; of the two groups it could
	# continue, the later file joins the one that ended last
	run -0 "$EX/groups.sh" -g 3700 "$T"/caps/*
	[ "${lines[1]}" = "$T/caps/other-sensor.pcap $T/caps/c-later.pcap" ]
	[ "${#lines[@]}" -eq 2 ]
	run -0 "$EX/study.sh" -r "$T/caps" "$T/st"
	[ "$(ls "$T"/st/parts/*.done | wc -l)" -eq 3 ]
	# the download is one record, whole: SF, the request and the answer
	[ "$(col state < "$T/st/parts/b-part1.pcap.tsv")" = SF ]
	[ "$(col resp_bytes < "$T/st/parts/b-part1.pcap.tsv")" = 25 ]
	# without -r each file is a capture: the download cut in two
	run -0 "$EX/study.sh" "$T/caps" "$T/st2"
	[ "$(col state < "$T/st2/parts/b-part1.pcap.tsv")" != SF ]
	echo junk > "$T/caps/notes.txt"
	run -1 --separate-stderr "$EX/groups.sh" "$T"/caps/*
	[ "$stderr" = "groups.sh: $T/caps/notes.txt: no session (not a capture, or empty)" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "examples/study.sh -r, parallel.sh -r: rotated bh-synth files, the flows numbered as one run over all the files" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist bh-hosts bh-story bh-synth parallel
	export BH_LOCAL=192.168.56.0/24,2001:db8:56::/64
	mkrotated "$T/arch"
	# one run over all the files, in time order
	# shellcheck disable=SC2086
	"$EX/analyse-one.sh" $ROTATED "$T/one"
	"$EX/reduce.sh" "$T/one"
	run -0 "$EX/study.sh" -r -j 2 "$T/arch" "$T/st"
	[ "$(cd "$T/st/parts" && ls *.done)" = "sensor-a.pcap.done
sensor-c.pcap.done" ]
	same_as_one "$T/one/merged" "$T/st"
	# the rule: the groups in time order (not by name), the second's
	# flows after the first's; the first ended with sessions alive
	# (`eof` in its own table), which the one run timed out when the
	# second began (`idle`), and so does the merged table
	run -0 awk -F '\t' -v OFS=' ' '{ print $1, $4, $5, $6, $7, $8 }' "$T/st/units.tsv"
	[ "${lines[0]}" = "#unit sessions flow_base episodes episode_base eof" ]
	read -r u1 n1 b1 e1 eb1 eof1 <<< "${lines[1]}"
	read -r u2 n2 b2 e2 eb2 eof2 <<< "${lines[2]}"
	[ "$u1 $b1 $eb1 $eof1" = "sensor-c.pcap 0 0 idle" ]
	[ "$u2 $b2 $eb2 $eof2" = "sensor-a.pcap $n1 $e1 eof" ]
	[ "$((n1 + n2))" = "$(grep -vc '^#' "$T/one/merged/sessions.tsv")" ]
	[ "$(col end < "$T/st/parts/sensor-c.pcap.tsv" | grep -c '^eof$')" -gt 0 ]
	[ "$(col end < "$T/one/merged/sessions.tsv" | grep -c '^eof$')" = \
	    "$(col end < "$T/st/parts/sensor-a.pcap.tsv" | grep -c '^eof$')" ]
	# links and bh-story's "data of flow N" renumbered in the second
	[ "$(col link < "$T/st/parts/sensor-a.pcap.tsv" | grep -vc '^-$')" -gt 0 ]
	grep -q 'data of flow' "$T/st/parts/sensor-a.pcap.steps"
	# the same with GNU parallel
	HOME=$T run -0 "$EX/parallel.sh" -r "$T/par" "$T"/arch/*
	same_as_one "$T/one/merged" "$T/par/merged"
	cmp "$T/st/units.tsv" "$T/par/merged/units.tsv"
	# sessions span the files: each file a capture, more records
	run -0 "$EX/study.sh" "$T/arch" "$T/st2"
	[ "$(grep -vc '^#' "$T/st2/sessions.tsv")" -gt "$((n1 + n2))" ]
	# BH_SESSIONS=no: no merged session table, the rest the same
	BH_SESSIONS=no run -0 "$EX/reduce.sh" "$T/st/parts" "$T/nos"
	[ ! -e "$T/nos/sessions.tsv" ]
	for f in story.tsv bots.tsv units.tsv hosts.tsv hops.hist; do
		cmp "$T/st/$f" "$T/nos/$f"
	done
}

@test "examples/study.sh: captures and OUT named with blanks, quotes, =" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist bh-hosts bh-story bh-synth
	mkdir -p "$T/c a'p"
	bh-synth -q -n 200 -s 1 -o "$T/c a'p/it's x=1.pcap"
	bh-synth -q -n 200 -s 2 -o "$T/c a'p/b b.pcap"
	cd "$T"
	run -0 "$EX/study.sh" "c a'p" "x=1"
	grep -q "^2 captures (b b.pcap it's x=1.pcap; 400 sessions, " x=1/REPORT.md
	# the units by their first packet, not by name
	[ "$(cut -f1,5 x=1/units.tsv)" = "#unit	flow_base
it's x=1.pcap	0
b b.pcap	200" ]
	[ "$(grep -vc '^#' x=1/sessions.tsv)" -eq 400 ]
	[ -s x=1/pkts.hist ]
	# parts of an older analyse-one.sh (no NAME.unit): reduce.sh says
	# what to do, study.sh analyses them again
	rm "x=1/parts/b b.pcap.unit"
	run -2 --separate-stderr "$EX/reduce.sh" x=1/parts x=1
	[ "$stderr" = "reduce.sh: ./x=1/parts/b b.pcap.unit or .links missing (analysed by an older analyse-one.sh): remove ./x=1/parts/b b.pcap.done and analyse it again" ]
	run -0 "$EX/study.sh" "c a'p" "x=1"
	[ -e "x=1/parts/b b.pcap.unit" ]
}

@test "study.sh -r without -L: as one run over all the files but for dir_by, which names a session of its own group" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist bh-hosts bh-story bh-synth
	unset BH_LOCAL
	mkrotated "$T/arch"
	# shellcheck disable=SC2086
	"$EX/analyse-one.sh" $ROTATED "$T/one"
	"$EX/reduce.sh" "$T/one"
	run -0 "$EX/study.sh" -r "$T/arch" "$T/st"
	# bh-phase places each host once per run: in the one run by its
	# first labelled session over all the files, here by the first of
	# its group (examples/README, "One run over all files")
	c=$(head -1 "$T/st/sessions.tsv" | tr '\t' '\n' | grep -n '^dir_by$' | cut -d: -f1)
	cmp <(cut -f "1-$((c - 1)),$((c + 1))-" "$T/one/merged/sessions.tsv" | sort) \
	    <(cut -f "1-$((c - 1)),$((c + 1))-" "$T/st/sessions.tsv" | sort)
	run -1 cmp -s <(sort "$T/one/merged/sessions.tsv") <(sort "$T/st/sessions.tsv")
	# every dir_by names a flow of its own group, numbered as the rest
	awk -F '\t' 'NR == FNR { if (!/^#/) { lo[++n] = $5 + 1; hi[n] = $5 + $4 }; next }
	    FNR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); c[h] = i }; next }
	    $c["dir_by"] == "-" { next }
	    { for (u = 1; u <= n; u++) if ($c["flow"] >= lo[u] && $c["flow"] <= hi[u]) break
	      if ($c["dir_by"] < lo[u] || $c["dir_by"] > hi[u]) { print "flow " $c["flow"] ": dir_by " $c["dir_by"]; bad = 1 }
	      k++ }
	    END { exit bad || !k }' "$T/st/units.tsv" "$T/st/sessions.tsv"
	for f in "$T"/one/merged/*.hist "$T/one/merged/hosts.tsv" "$T/one/merged/story.tsv"; do
		cmp "$f" "$T/st/$(basename "$f")"
	done
}

@test "examples/parallel.sh: the same result with GNU parallel" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist parallel
	mkcaps
	make -s -f "$EX/Makefile" -j2 CAPTURES="$T/caps" OUT="$T/make"
	run -0 "$EX/parallel.sh" "$T/par" "$T"/caps/*
	for f in ttl hops rtt rtthops; do
		cmp "$T/make/$f.hist" "$T/par/merged/$f.hist"
	done
	run -2 "$EX/parallel.sh" "$T/par"
}

@test "examples/recipes.sh: every recipe runs (those whose tool is here)" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-cut
	run -0 "$EX/recipes.sh" list
	[ "${#lines[@]}" -ge 8 ]
	ran=0
	while IFS="$(printf '\t')" read -r name tool; do
		if [ "$tool" = bh-filter ] && [ "${BH_HAVE_JQ:-}" != yes ]; then
			continue
		fi
		if [ "$tool" = bh-filter ] && ! command -v jq >/dev/null; then
			continue
		fi
		command -v "$tool" >/dev/null || continue
		run -0 "$EX/recipes.sh" "$name" "$F/s.tsv"
		[ -n "$output" ]
		# stdin works too
		"$EX/recipes.sh" "$name" < "$F/s.tsv" > "$T/stdin"
		[ "$output" = "$(cat "$T/stdin")" ]
		ran=$((ran + 1))
	done < <("$EX/recipes.sh" list)
	[ "$ran" -ge 4 ]
	run -2 "$EX/recipes.sh" no-such-recipe
}

@test "recipes: the awk and Miller answers agree with bh-hist" {
	need bh-sessions bh-phase bh-rtt bh-ttl bh-hist mlr
	# Windows share of the infection packets, two ways
	a=$("$EX/recipes.sh" os-share "$F/s.tsv" | awk '$1 == "infection" && $2 == "windows" { print $3 }')
	b=$(bh-hist -k remote_os -b phase -w remote_pkts "$F/s.tsv" 2>/dev/null |
	    awk -F '\t' '$4 == "infection" && $5 != "-" { t += $7; if ($5 == "windows") w = $7 }
	        END { printf "%.1f%%\n", 100 * w / t }')
	[ "$a" = "$b" ]
	# sessions with an RTT per phase: Miller's count and bh-hist -S
	"$EX/recipes.sh" mlr-stats "$F/s.tsv" | awk 'NR > 1 { print $1, $2 }' > "$T/m"
	bh-hist -S -k rtt_remote_ms:5 -b phase "$F/s.tsv" |
	    awk -F '\t' '$5 == "stat" && $7 > 0 { print $4, $7 }' | sort > "$T/h"
	diff "$T/h" "$T/m"
}

@test "examples/README names every example file" {
	for f in "$EX"/*; do
		b=$(basename "$f")
		[ "$b" = README ] && continue
		grep -q "$b" "$EX/README"
	done
}
