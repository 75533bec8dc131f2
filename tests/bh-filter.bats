#!/usr/bin/env bats
# bh-filter: jq expressions over records (numbers typed, "-" as null, text
# as escaped strings), JSON lines out, jq's compile errors, the build
# without libjq.  Input records are written here by hand.

load helper

# t: a table written with '|' between the fields, as TSV.
t() {
	tr '|' '\t'
}

setup() {
	T=$BATS_TEST_TMPDIR
	# make check exports BH_HAVE_JQ; run alone, ask the binary.
	if [ -z "${BH_HAVE_JQ:-}" ]; then
		if bh-filter true </dev/null 2>&1 | grep -q 'without libjq'; then
			BH_HAVE_JQ=no
		else
			BH_HAVE_JQ=yes
		fi
	fi
	t > "$T/s.tsv" <<'E'
#flow|phase|ts|resp_ip|resp_port|remote_ttl|rtt_ms|orig_head|id
1|cnc|1262304000.123456|10.0.0.1|6667|43|12.500|NICK a\r\n|007
2|download|1262304001.000000|192.0.2.7|80|110|-|GET / HTTP/1.0|12345678901234567890
3|infection|1262304002.500000|10.0.0.9|445|-|30.250|\x00\x1b[2J"\\x|1
4|-|1262304003.000001|10.0.0.3|-|64|0.000|\x2d|-
E
}

needjq() {
	[ "$BH_HAVE_JQ" = yes ] || skip "built without libjq"
}

# flows EXPR FILE: the flow ids bh-filter keeps (its exit status counts).
flows() {
	set -o pipefail
	bh-filter "$@" | col flow
}

@test "select over numbers: kept records unchanged, header first" {
	needjq
	run -0 bh-filter '.remote_ttl > 100' "$T/s.tsv"
	[ "$output" = "$(t <<'E'
#flow|phase|ts|resp_ip|resp_port|remote_ttl|rtt_ms|orig_head|id
2|download|1262304001.000000|192.0.2.7|80|110|-|GET / HTTP/1.0|12345678901234567890
E
)" ]
	run -0 bh-filter 'select(.resp_port == 445 or .rtt_ms == 0)' "$T/s.tsv"
	[ "${#lines[@]}" = 3 ]
	[ "${lines[1]:0:2}" = "$(printf '3\t')" ]
	[ "${lines[2]:0:2}" = "$(printf '4\t')" ]
	run -0 flows '.ts >= 1262304001.5 and .ts < 1262304003.000001' "$T/s.tsv"
	[ "$output" = 3 ]
}

@test "select over strings and nulls" {
	needjq
	run -0 flows '.phase == "cnc" or (.phase // "" | startswith("down"))' "$T/s.tsv"
	[ "$output" = "$(printf '1\n2')" ]
	# "-" is null: the unlabelled phase, the missing RTT and TTL.
	run -0 flows '.phase == null' "$T/s.tsv"
	[ "$output" = 4 ]
	run -0 flows '.rtt_ms == null or .remote_ttl == null' "$T/s.tsv"
	[ "$output" = "$(printf '2\n3')" ]
	# Text is the escaped form, as a person and bh-phase's rules see it.
	run -0 flows '.orig_head | test("\\\\r\\\\n$")' "$T/s.tsv"
	[ "$output" = 1 ]
	run -0 flows '.orig_head == "\\x2d"' "$T/s.tsv"
	[ "$output" = 4 ]
}

@test "typing: numbers when exact, else strings; '-' is null" {
	needjq
	run -0 bash -c "bh-filter -j true '$T/s.tsv' | jq -c '[.ts, .resp_port, .resp_ip, .rtt_ms, .id] | map(type)'"
	[ "$output" = '["number","number","string","number","string"]
["number","number","string","null","string"]
["number","number","string","number","number"]
["number","null","string","number","null"]' ]
	t > "$T/n.tsv" <<'E'
#v
0
-12.5
90.000
007
1e5
1.
.5
+1
12345678901234567
1234567890123456.7
0.000001
E
	run -0 bash -c "bh-filter -j true '$T/n.tsv' | jq -c .v"
	[ "$output" = '0
-12.5
90
"007"
"1e5"
"1."
".5"
"+1"
"12345678901234567"
"1234567890123456.7"
1e-06' ]
}

@test "-j: JSON lines that round-trip through jq -c . byte for byte" {
	needjq
	run -0 bash -c "bh-filter -j 'true' '$T/s.tsv' > '$T/j' && jq -c . '$T/j' | cmp - '$T/j'"
	run -0 cat "$T/j"
	[ "${#lines[@]}" = 4 ]
	[ "${lines[0]}" = '{"flow":1,"phase":"cnc","ts":1262304000.123456,"resp_ip":"10.0.0.1","resp_port":6667,"remote_ttl":43,"rtt_ms":12.5,"orig_head":"NICK a\\r\\n","id":"007"}' ]
}

@test "a hostile payload stays escaped text and valid JSON" {
	needjq
	run -0 bash -c "bh-filter -j '.flow == 3' '$T/s.tsv'"
	[ "$output" = '{"flow":3,"phase":"infection","ts":1262304002.5,"resp_ip":"10.0.0.9","resp_port":445,"remote_ttl":null,"rtt_ms":30.25,"orig_head":"\\x00\\x1b[2J\"\\\\x","id":1}' ]
	run -0 bash -c "bh-filter -j '.flow == 3' '$T/s.tsv' | jq -r .orig_head"
	[ "$output" = '\x00\x1b[2J"\\x' ]
	# TSV out: the record byte for byte.
	run -0 bash -c "bh-filter '.flow == 3' '$T/s.tsv' | tail -1 | cmp - <(sed -n 4p '$T/s.tsv')"
	# Raw control bytes (not a clean stream) are escaped on the way in.
	printf '#h\nA\033[2J\001\377\n' > "$T/raw.tsv"
	run -0 bash -c "bh-filter -j true '$T/raw.tsv'"
	[ "$output" = '{"h":"A\\x1b[2J\\x01\\xff"}' ]
	run -0 bash -c "bh-filter -j true '$T/raw.tsv' | jq -e .h"
}

@test "the first output decides: false, null and no output drop the record" {
	needjq
	run -0 bash -c "bh-filter 'false, true' '$T/s.tsv' | wc -l"
	[ "$output" = 1 ]
	run -0 bash -c "bh-filter 'empty' '$T/s.tsv' | wc -l"
	[ "$output" = 1 ]
	run -0 bash -c "bh-filter '.nosuch' '$T/s.tsv' | wc -l"
	[ "$output" = 1 ]
	run -0 bash -c "bh-filter '0, false' '$T/s.tsv' | wc -l"
	[ "$output" = 5 ]
}

@test "a compile error exits 2 with jq's message" {
	needjq
	run -2 --separate-stderr bh-filter '.a ==' "$T/s.tsv"
	[ "$output" = "" ]
	[ "${stderr_lines[0]}" = "bh-filter: jq: error: syntax error, unexpected \$end (Unix shell quoting issues?) at <top-level>, line 1:" ]
	[ "${stderr_lines[2]}" = "bh-filter: jq: 1 compile error" ]
	run -2 --separate-stderr bh-filter 'nosuchfunc(1)' "$T/s.tsv"
	[ "${stderr_lines[0]}" = "bh-filter: jq: error: nosuchfunc/1 is not defined at <top-level>, line 1:" ]
}

@test "a run-time error skips the record: exit 1, or 2 with --strict" {
	needjq
	run -1 --separate-stderr bh-filter '.rtt_ms * 2 > 20' "$T/s.tsv"
	[ "$output" = "$(t <<'E'
#flow|phase|ts|resp_ip|resp_port|remote_ttl|rtt_ms|orig_head|id
1|cnc|1262304000.123456|10.0.0.1|6667|43|12.500|NICK a\r\n|007
3|infection|1262304002.500000|10.0.0.9|445|-|30.250|\x00\x1b[2J"\\x|1
E
)" ]
	[ "${stderr_lines[0]}" = "bh-filter: $T/s.tsv:3: jq: error: null (null) and number (2) cannot be multiplied; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-filter: 1 bad record skipped" ]
	run -2 bh-filter --strict '.rtt_ms * 2 > 20' "$T/s.tsv"
	# halt_error ends the run with its message: an error of the run.
	run -2 --separate-stderr bh-filter 'if .flow == 2 then "stop" | halt_error else true end' "$T/s.tsv"
	[ "${#lines[@]}" = 2 ]
	[ "$stderr" = "bh-filter: jq: halt_error: stop" ]
}

@test "empty input, header only, no final newline, comments, -j drops them" {
	needjq
	run -0 bash -c ": | bh-filter true"
	[ -z "$output" ]
	run -0 bash -c "printf '#a\tb\n' | bh-filter true"
	[ "$output" = "$(printf '#a\tb')" ]
	run -0 bash -c "printf '# c1\n#a\tb\n1\t2\n# c2\n3\t4' | bh-filter '.a > 2'"
	[ "$output" = "$(printf '# c1\n#a\tb\n# c2\n3\t4')" ]
	run -0 bash -c "printf '# c1\n#a\tb\n1\t2\n# c2\n3\t4' | bh-filter -j '.a > 2'"
	[ "$output" = '{"a":3,"b":4}' ]
}

@test "exit 2: usage, unreadable file, missing header" {
	needjq
	run -2 --separate-stderr bh-filter
	[ "$stderr" = "usage: bh-filter [-hj] [--strict] expr [file ...]" ]
	run -2 --separate-stderr bh-filter true "$T/nofile"
	[ "$stderr" = "bh-filter: $T/nofile: No such file or directory" ]
	run -2 --separate-stderr bash -c "printf '1\t2\n' | bh-filter true"
	[ "$stderr" = "bh-filter: -:1: missing header line (#name<TAB>name...)" ]
}

@test "without libjq: says how to get it, exit 2" {
	[ "$BH_HAVE_JQ" = no ] || skip "built with libjq (build.bats tests WITH_JQ=no)"
	run -2 --separate-stderr bh-filter true "$T/s.tsv"
	[ "$stderr" = "bh-filter: built without libjq: install it (apt-get install libjq-dev) and rebuild (make)" ]
}
