#!/usr/bin/env bats
# The benchmark machinery (bench/): it must keep running, so it cannot rot
# between the occasional `make bench`.  The quick mode (-q) on tiny
# captures, without the peers; times are never asserted, only that every
# table and verdict is there.

load helper

ROOT=$BATS_TEST_DIRNAME/..

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# `make check` builds no bench helpers; build them here.
	cc -std=c99 -D_DEFAULT_SOURCE -O2 -o "$d/pcap-count" \
	    "$ROOT/bench/pcap-count.c" $(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)
	cc -std=c99 -D_DEFAULT_SOURCE -O2 -o "$d/runstat" "$ROOT/bench/runstat.c"
	"$ROOT/bench/run" -q -P -B "$BH_BIN" -T "$d" -d "$d/data" \
	    -o "$d/RESULTS.md" >"$d/out" 2>"$d/err"
	echo $? >"$d/status"
}

@test "bench/run -q: exit 0, every table and verdict" {
	d=$BATS_FILE_TMPDIR
	run cat "$d/status"
	[ "$output" = 0 ] || { cat "$d/err"; false; }
	run -0 cat "$d/out"
	for h in '## Run' '## Packets' '## Filters alone' '## Growth' \
	    '## Memory' '## Targets'; do
		grep -qF -- "$h" "$d/out"
	done
	for l in '| cat |' '| raw read() walk |' '| bare libpcap loop |' \
	    '| bh-sessions |' '| full pipeline |' \
	    '| pipes only (cat for each filter) |' '| bh-phase |' '| bh-rtt |' \
	    '| bh-ttl |' '| bh-hist |' '| 1× |' '| 4× |' '| 10× |' \
	    '| 200 sequential sessions |' '| 2000 sequential sessions |' \
	    '| 1000 live sessions |' '| 1000 live sessions, no heads |'; do
		grep -qF -- "$l" "$d/out"
	done
	# every command ran and exited 0
	run -1 grep -E '^\| .*\*\*[0-9]+\*\* \|$' "$d/out"
	# every verdict was reached (no "not measured" when nothing is left out)
	run -1 grep -F 'not measured' "$d/out"
	[ "$(grep -c '^- .*: \(\*\*missed\*\*\|met\)' "$d/out")" -ge 12 ]
	# the pipeline's table cell keeps its pipes escaped
	grep -qF '`bh-sessions "$CAP" \| bh-phase \| bh-rtt \| bh-ttl \| bh-hist -k remote_hops -b phase`' "$d/out"
}

@test "bench/run -o: machine, versions, the commands, the tables" {
	d=$BATS_FILE_TMPDIR
	for h in '# bh benchmark results' '## Machine' '## Versions' \
	    '## Reproduce' '- libpcap: ' '## Packets' '## Targets'; do
		grep -qF -- "$h" "$d/RESULTS.md"
	done
	# captures are cached in -d, the work directory is gone
	ls "$d/data"/synth-*.pcap "$d/data"/seq-*.pcap "$d/data"/live-*.pcap
	run -0 find "$d/data" -name 'run.*'
	[ -z "$output" ]
}

@test "bench/run: usage and missing tools exit 2" {
	run -2 --separate-stderr "$ROOT/bench/run" -n 0
	[ "$stderr" = "bench/run: bad round count: 0" ]
	run -2 --separate-stderr "$ROOT/bench/run" -s 12X
	[ "$stderr" = "bench/run: bad size: 12X" ]
	run -2 "$ROOT/bench/run" extra
	run -2 --separate-stderr "$ROOT/bench/run" -q -B "$BATS_TEST_TMPDIR"
	[[ "$stderr" == "bench/run: $BATS_TEST_TMPDIR/bh-synth: not built"* ]]
}

@test "pcap-count: the libpcap loop and the raw walk agree" {
	d=$BATS_FILE_TMPDIR
	mkpcap "$BATS_TEST_TMPDIR/a.pcap" <<-'EOF'
	1262304000.000000 tcp 10.0.0.1:1055 > 10.0.0.2:80 S
	+0.1 tcp 10.0.0.2:80 > 10.0.0.1:1055 SA
	+0.1 tcp 10.0.0.1:1055 > 10.0.0.2:80 PA pad=3000
	+0.1 udp 10.0.0.1:53 > 10.0.0.2:53 "q" snap=40
	EOF
	run -0 "$d/pcap-count" "$BATS_TEST_TMPDIR/a.pcap"
	want=$output
	[[ "$want" == "packets 4 caplen_bytes "* ]]
	run -0 "$d/pcap-count" -r "$BATS_TEST_TMPDIR/a.pcap"
	[ "$output" = "$want" ]
	run -0 "$d/pcap-count" -V
	[[ "$output" == libpcap* ]]
}

@test "pcap-count: truncated file, pcapng in -r, usage exit 2" {
	d=$BATS_FILE_TMPDIR
	mkpcap "$BATS_TEST_TMPDIR/a.pcap" <<-'EOF'
	1262304000.000000 tcp 10.0.0.1:1055 > 10.0.0.2:80 PA pad=1000
	+0.1 tcp 10.0.0.1:1055 > 10.0.0.2:80 PA pad=1000
	EOF
	head -c 1500 "$BATS_TEST_TMPDIR/a.pcap" >"$BATS_TEST_TMPDIR/t.pcap"
	run -2 --separate-stderr "$d/pcap-count" -r "$BATS_TEST_TMPDIR/t.pcap"
	[ "$stderr" = "pcap-count: $BATS_TEST_TMPDIR/t.pcap: truncated capture" ]
	run -2 "$d/pcap-count" "$BATS_TEST_TMPDIR/t.pcap"
	mkpcap "$BATS_TEST_TMPDIR/b.pcapng" <<-'EOF'
	format pcapng
	1262304000.000000 udp 10.0.0.1:53 > 10.0.0.2:53 "q"
	EOF
	run -0 "$d/pcap-count" "$BATS_TEST_TMPDIR/b.pcapng"
	[ "${output%% caplen*}" = "packets 1" ]
	run -2 --separate-stderr "$d/pcap-count" -r "$BATS_TEST_TMPDIR/b.pcapng"
	[ "$stderr" = "pcap-count: $BATS_TEST_TMPDIR/b.pcapng: not a classic pcap file (-r reads no pcapng)" ]
	run -2 "$d/pcap-count"
	run -2 "$d/pcap-count" -r /nonexistent
}

@test "runstat: one line of five fields, the command's exit status" {
	d=$BATS_FILE_TMPDIR
	run -3 "$d/runstat" -o "$BATS_TEST_TMPDIR/st" sh -c 'echo hi; exit 3'
	[ "$output" = hi ]
	run -0 awk 'NF == 5 && $5 == 3 && $1 > 0 { print "ok" }' "$BATS_TEST_TMPDIR/st"
	[ "$output" = ok ]
	run -127 "$d/runstat" -o "$BATS_TEST_TMPDIR/st" /nonexistent/cmd
	run -127 "$d/runstat"
}
