#!/usr/bin/env bats
# The scripts of examples/ where they fail: bad input, a tool that fails,
# names that collide or are patterns.  Each error ends the script with
# the status DESIGN.md gives the tools (2: usage, input or a failure
# of a step; 1: some input left out and named) and says why on stderr.
# tests/demo.bats and tests/cluster.bats run them where all goes well.

load helper

EX=$(cd "$BATS_TEST_DIRNAME/../examples" && pwd)

setup_file() {
	export BH_BIN
	F=$BATS_FILE_TMPDIR
	bh-synth -q -n 300 -s 1 -o "$F/c.pcap" -t "$F/truth.tsv"
}

setup() {
	F=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

# awks: the awks to run a script with: this one, and mawk (Debian's
# default awk) when it is installed, as $T/mawk/awk first on PATH
awks() {
	echo "$PATH"
	if command -v mawk >/dev/null; then
		mkdir -p "$T/mawk"
		ln -sf "$(command -v mawk)" "$T/mawk/awk"
		echo "$T/mawk:$PATH"
	fi
}

# faulty [-after] TOOL WORDS: $T/bin holds the tools of $BH_BIN and a
# TOOL that fails (exit 2, "TOOL: injected failure") when its arguments
# contain WORDS, else is the real one; with -after it runs the real one
# first (its output complete, then the status of a late write error).
# TOOL may be one of PATH's (awk): $T/bin goes first as BH_BIN.
faulty() {
	local after=
	if [ "$1" = -after ]; then after=1; shift; fi
	local tool=$1 words=$2 real
	mkdir -p "$T/bin"
	ln -sf "$BH_BIN"/* "$T/bin/"
	real=$(command -v "$tool")
	rm -f "$T/bin/$tool"
	{
		echo '#!/bin/sh'
		echo "case \" \$* \" in *'$words'*) ;; *) exec '$real' \"\$@\" ;; esac"
		[ -z "$after" ] || echo "'$real' \"\$@\""
		echo "echo '$tool: injected failure' >&2"
		echo 'exit 2'
	} > "$T/bin/$tool"
	chmod +x "$T/bin/$tool"
}

@test "score.sh, score-hosts.sh: bad input exits 2, whatever END would say" {
	: > "$T/empty"
	printf '#flow\tproto\torig_ip\n1\ttcp\t192.0.2.1\n' > "$T/nokey.tsv"
	cut -f 1-3 "$F/truth.tsv" > "$T/old-truth.tsv"
	printf '#flow\tremote_ip\n1\t192.0.2.1\n' > "$T/not-hosts.tsv"
	while IFS= read -r p; do
		PATH=$p run -2 --separate-stderr "$EX/score.sh" "$T/empty" "$T/empty"
		[ "$stderr" = "score.sh: $T/empty: empty or unreadable" ]
		PATH=$p run -2 --separate-stderr "$EX/score.sh" "$F/truth.tsv" "$T/nokey.tsv"
		[ "$stderr" = "score.sh: no column orig_port" ]
		PATH=$p run -2 --separate-stderr "$EX/score-hosts.sh" "$T/old-truth.tsv" "$T/empty"
		[ "$stderr" = "score-hosts.sh: $T/old-truth.tsv: no remote_stack/remote_route columns (bh-synth too old?)" ]
		PATH=$p run -2 --separate-stderr "$EX/score-hosts.sh" "$T/empty" "$T/empty"
		[ "$stderr" = "score-hosts.sh: $T/empty: no truth header" ]
		PATH=$p run -2 --separate-stderr "$EX/score-hosts.sh" "$F/truth.tsv" "$T/not-hosts.tsv"
		[ "$stderr" = "score-hosts.sh: $T/not-hosts.tsv: not a table of bh-hosts (per party)" ]
	done < <(awks)
}

@test "analyse-one.sh: what bh-hist and bh-hosts say is in NAME.log; one that fails shows it, exit 2, no NAME.done" {
	run -0 --separate-stderr "$EX/analyse-one.sh" "$F/c.pcap" "$T/ok"
	[ -z "$stderr" ]
	grep -qx "bh-hist: [0-9]* records with remote_pkts '-': counted in n, not in w" "$T/ok/c.pcap.log"
	grep -q "^bh-hosts: [0-9]* records without a remote party" "$T/ok/c.pcap.log"
	[ -e "$T/ok/c.pcap.done" ]
	# a table of its own, a figure's (after a selection) and bh-hosts
	for w in "-S -k remote_hops -b phase:bh-hist (hops)" \
	    "-k remote_ttl -b remote_os -w remote_pkts:bh-hist (fig3-ttl-infection)" \
	    ":bh-hosts"; do
		tool=${w#*:}
		faulty "${tool%% *}" "${w%%:*}"
		BH_BIN=$T/bin run -2 --separate-stderr "$EX/analyse-one.sh" "$F/c.pcap" "$T/out"
		[ "${stderr_lines[${#stderr_lines[@]} - 2]}" = "${tool%% *}: injected failure" ]
		[ "${stderr_lines[${#stderr_lines[@]} - 1]}" = "analyse-one.sh: c.pcap: $tool failed" ]
		[ ! -e "$T/out/c.pcap.done" ]
		[ ! -e "$T/out/c.pcap.log" ]
		rm -rf "$T/bin" "$T/out"
	done
}

@test "groups.sh -f LIST: the files from a file or stdin, the same groups as the operands; a bad list exits 2" {
	mkdir -p "$T/caps"
	bh-synth -q -n 100 -s 2 -o "$T/caps/b.pcap"
	cp "$F/c.pcap" "$T/caps/a.pcap"
	echo junk > "$T/caps/notes.txt"
	printf '%s\n' "$T/caps/b.pcap" "$T/caps/notes.txt" > "$T/list"
	run -1 --separate-stderr "$EX/groups.sh" "$T/caps/a.pcap" "$T/caps/b.pcap" "$T/caps/notes.txt"
	want=$output
	[ "$stderr" = "groups.sh: $T/caps/notes.txt: no session (not a capture, or empty)" ]
	run -1 --separate-stderr "$EX/groups.sh" -f "$T/list" "$T/caps/a.pcap"
	[ "$output" = "$want" ]
	[ "$stderr" = "groups.sh: $T/caps/notes.txt: no session (not a capture, or empty)" ]
	run -1 --separate-stderr "$EX/groups.sh" -f - "$T/caps/a.pcap" < "$T/list"
	[ "$output" = "$want" ]
	run -2 --separate-stderr "$EX/groups.sh" -f "$T/nolist"
	[ "$stderr" = "groups.sh: $T/nolist: cannot read the list" ]
	[ -z "$output" ]
	run -2 --separate-stderr "$EX/groups.sh"
	[ "$stderr" = "usage: groups.sh [-g seconds] [-f list] [file...]" ]
	# a step that fails is fatal: no groups
	TMPDIR=$T/none run -2 --separate-stderr "$EX/groups.sh" "$T/caps/a.pcap"
	[ -z "$output" ]
}

@test "study.sh -r: one groups.sh over the whole list, however long (not one per xargs run); its exit 2 ends the study with 2" {
	# one sensor's rotated files, a packet a second: one group, under
	# names long enough (600 of 240 bytes) to pass xargs' 128 KiB line
	mkdir -p "$T/caps"
	long=$(printf 'r%.0s' $(seq 190))
	for i in $(seq 100 699); do
		echo "$((1262304000 + i)).000000 udp 203.0.113.7:$((1024 + i)) > 192.168.56.5:53 ttl=50 \"q\"" |
		    bh-mkpcap -o "$T/caps/$long-$i.pcap"
	done
	run -0 "$EX/study.sh" -r -j 2 "$T/caps" "$T/st"
	echo "$stderr" | cut -c 1-300 | head -5
	[ "$(cd "$T/st/parts" && ls | grep -c '\.done$')" -eq 1 ]
	[ -e "$T/st/parts/$long-100.pcap.done" ]
	[ "$(grep -vc '^#' "$T/st/sessions.tsv")" -eq 600 ]
	# groups.sh fails (no temporary file): the study stops there, exit 2
	rm -rf "$T/caps"/*-[1-6][0-9][1-9].pcap
	TMPDIR=$T/none run -2 --separate-stderr "$EX/study.sh" -r "$T/caps" "$T/st2"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "mktemp: "* ]]
	[ ! -e "$T/st2/REPORT.md" ]
}

@test "parallel.sh -r, study.sh -r: a group's names are not patterns (set -f); parallel.sh leaves no .groups when it fails" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	mkdir -p "$T/caps"
	# a group of two rotated files, one named with a *, and a capture
	# of its own a day later whose name the * would match
	bh-mkpcap -o "$T/caps/x*.pcap" <<-'EOF2'
	1262304000.000000 udp 203.0.113.7:1024 > 192.168.56.5:53 ttl=50 "q"
	EOF2
	bh-mkpcap -o "$T/caps/y.pcap" <<-'EOF2'
	1262304010.000000 udp 203.0.113.7:1025 > 192.168.56.5:53 ttl=50 "q"
	EOF2
	bh-mkpcap -o "$T/caps/xa.pcap" <<-'EOF2'
	1262400000.000000 udp 203.0.113.8:1026 > 192.168.56.5:53 ttl=50 "q"
	EOF2
	"$EX/analyse-one.sh" "$T/caps/x*.pcap" "$T/caps/y.pcap" "$T/seq"
	HOME=$T run -0 "$EX/parallel.sh" -r "$T/par" "$T"/caps/*
	cmp "$T/seq/x*.pcap.tsv" "$T/par/x*.pcap.tsv"
	[ ! -e "$T/par/.groups" ]
	run -0 "$EX/study.sh" -r "$T/caps" "$T/st"
	cmp "$T/seq/x*.pcap.tsv" "$T/st/parts/x*.pcap.tsv"
	# a job fails: exit 2, and the list of groups is gone
	faulty bh-hosts ""
	HOME=$T BH_BIN=$T/bin run -2 "$EX/parallel.sh" -r "$T/par2" "$T"/caps/*
	[ ! -e "$T/par2/.groups" ]
}

@test "analyse-one.sh, reduce.sh: a stage that fails before the last of a pipe fails the job (exit 2, no NAME.done)" {
	for w in "bh-phase:" "bh-rtt:" "awk:-v ttl=1 -v rtt=0"; do
		faulty -after "${w%%:*}" "${w#*:}"
		BH_BIN=$T/bin run -2 --separate-stderr "$EX/analyse-one.sh" "$F/c.pcap" "$T/out"
		[ "${stderr_lines[0]}" = "${w%%:*}: injected failure" ]
		[[ "${stderr_lines[${#stderr_lines[@]} - 1]}" == "analyse-one.sh: c.pcap: ${w%%:*} "*" failed" ]]
		[ ! -e "$T/out/c.pcap.done" ]
		rm -rf "$T/bin" "$T/out"
	done
	"$EX/analyse-one.sh" "$F/c.pcap" "$T/out"
	faulty -after awk rtt_hs_med_ms
	BH_BIN=$T/bin run -2 --separate-stderr "$EX/reduce.sh" "$T/out" "$T/merged"
	[ "$stderr" = "awk: injected failure" ]
	[ ! -e "$T/merged/fig11-rtt-method-hops.svg" ]
}

@test "examples/: no sed script uses \\t (GNU's, not POSIX's: a literal tab)" {
	run -1 grep -n 'sed .*\\t' "$EX"/*.sh "$EX"/slurm/*.sh
}

@test "parallel.sh, slurm/submit.sh: two captures of one name (in two directories) are refused, exit 2, both named" {
	mkdir -p "$T/a" "$T/b"
	cp "$F/c.pcap" "$T/a/x.pcap"
	cp "$F/c.pcap" "$T/b/x.pcap"
	if command -v parallel >/dev/null; then
		HOME=$T run -2 --separate-stderr "$EX/parallel.sh" "$T/par" "$T/a/x.pcap" "$T/b/x.pcap"
		[ "$stderr" = "parallel.sh: $T/a/x.pcap and $T/b/x.pcap: one name, the results of one would overwrite the other's" ]
		[ ! -e "$T/par/x.pcap.done" ]
	fi
	printf '%s\n' "$T/a/x.pcap" "# b" "$T/b/x.pcap" > "$T/list"
	run -2 --separate-stderr "$EX/slurm/submit.sh" "$T/list" "$T/out"
	[ "$stderr" = "submit.sh: $T/a/x.pcap and $T/b/x.pcap: one name, the results of one would overwrite the other's" ]
}

# demo DIR: a small make demo in DIR (merged tables, truth and scores)
demo() {
	BH_DEMO_SESSIONS=600 "$EX/demo.sh" "$1"
}

@test "report.sh: the servers most sessions first by sort(1), past 10^9 sessions too" {
	demo "$T/d"
	# three servers of 10^9 and more sessions: as text, "%09d" of
	# 999999999 - n put them in the order 10^9, 10^9+9, 10^9+1
	awk -F '\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); c[h] = i } }
	    NR > 1 && $c["roles"] ~ /download|cnc/ && k < 3 { $c["sessions"] = 1000000000 + substr("091", ++k, 1) }
	    { print }' "$T/d/hosts.tsv" > "$T/h" && mv "$T/h" "$T/d/hosts.tsv"
	run -0 "$EX/report.sh" "$T/d"
	printf '%s\n' "$output" | awk -F ' [|] ' '/^[|] server [|]/ { t = 1; next } t && /^[|]---/ { next } t && /^[|]/ { print $3 } t && !/^[|]/ { exit }' > "$T/order"
	[ "$(head -3 "$T/order")" = "1000000009
1000000001
1000000000" ]
	[ "$(sed -n 4p "$T/order")" -lt 1000000000 ]
}

@test "report.sh: no hosts.tsv, or one without bh-hosts' header, exits 2 and says so" {
	demo "$T/d"
	mv "$T/d/hosts.tsv" "$T/hosts.tsv"
	run -2 --separate-stderr "$EX/report.sh" "$T/d"
	[ "$stderr" = "report.sh: no $T/d/hosts.tsv (run examples/reduce.sh)" ]
	[ -z "$output" ]
	sed 1d "$T/hosts.tsv" > "$T/d/hosts.tsv"
	run -2 --separate-stderr "$EX/report.sh" "$T/d"
	[ "$stderr" = "report.sh: $T/d/hosts.tsv: not a table of bh-hosts per party (no header of remote_ip, roles, sessions, first_ts, last_ts, host_note)" ]
	[ -z "$output" ]
}

@test "BH_HOP_TOLERANCE (examples/defaults.sh): one tolerance for bh-hosts in the jobs and the merge, the report and score-hosts.sh" {
	BH_HOP_TOLERANCE=0 demo "$T/d"
	bh-hosts -t 0 "$T/d/sessions.tsv" 2>/dev/null | cmp - "$T/d/hosts.tsv"
	grep -q 'hop counts more than 0 apart (hops-spread)' "$T/d/REPORT.md"
	run -0 awk '$1 == "hops-spread" { ok = $2 == $3 } END { exit !ok }' "$T/d/score-hosts.txt"
	BH_HOP_TOLERANCE=x run -2 --separate-stderr "$EX/score-hosts.sh" "$F/truth.tsv" "$T/d/hosts.tsv"
	[ "$stderr" = "BH_HOP_TOLERANCE=x: not a number of hops" ]
	# the default is 2
	demo "$T/d2"
	bh-hosts -t 2 "$T/d2/sessions.tsv" 2>/dev/null | cmp - "$T/d2/hosts.tsv"
	grep -q 'hop counts more than 2 apart (hops-spread)' "$T/d2/REPORT.md"
}

@test "report.sh: Reproduce names the command that made the report (-c), make demo only for the demo" {
	demo "$T/d"
	grep -q '^    make demo ' "$T/d/REPORT.md"
	mkdir -p "$T/caps"
	cp "$F/c.pcap" "$T/caps/it's.pcap"
	run -0 "$EX/study.sh" "$T/caps" "$T/st"
	run -0 sed -n '/^## Reproduce/,$p' "$T/st/REPORT.md"
	[ "${lines[1]}" = "    examples/study.sh $T/caps $T/st" ]
	run -1 grep -q 'make demo' "$T/st/REPORT.md"
	run -0 "$EX/report.sh" -c "examples/study.sh -r x 'y z'" "$T/st"
	[[ "$output" == *"
## Reproduce

    examples/study.sh -r x 'y z'
"* ]]
	run -0 "$EX/report.sh" "$T/st"
	[[ "$output" == *"
## Reproduce

    examples/report.sh $T/st
"* ]]
	run -2 "$EX/report.sh" -x "$T/st"
}
