#!/usr/bin/env bats
# bh-rtt: handshake legs, Karn and the timestamp option, the remote leg,
# the note vocabulary, the data-ACK summary of the remote leg, and the
# record-filter rules.  Input records are written by hand (mkrec below), so
# these tests do not depend on bh-sessions; the pipeline tests at the end
# run from fixture captures when bh-sessions has been built.

load helper

# The columns the tool owns; COLS, T0, mkrec and vals are in helper.bash.
OWN="rtt_ms rtt_resp_ms rtt_orig_ms rtt_remote_ms rtt_note rtt_remote_data_n rtt_remote_data_min_ms rtt_remote_data_avg_ms rtt_remote_data_max_ms"

setup() {
	T=$BATS_TEST_TMPDIR
}

@test "outbound, 90 ms SYN->SYN/ACK: rtt_resp_ms and rtt_remote_ms 90.000" {
	mkrec > "$T/in.tsv" <<-EOF
	hs=90.000/1.000 dir=out resp_port=80
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_resp_ms rtt_remote_ms)" = "90.000 90.000 " ]
	[ "$(vals rtt_orig_ms rtt_ms rtt_note)" = "1.000 91.000 ok " ]
}

@test "inbound to 445, 180 ms SYN/ACK->ACK: rtt_orig_ms and rtt_remote_ms 180.000" {
	mkrec > "$T/in.tsv" <<-EOF
	hs=0.300/180.000 dir=in resp_port=445
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_orig_ms rtt_remote_ms)" = "180.000 180.000 " ]
	[ "$(vals rtt_resp_ms rtt_ms)" = "0.300 180.300 " ]
}

@test "times are exact integer microseconds, never through double" {
	# 0.1 + 0.2 style differences, and 9-decimal input rounded to the us.
	mkrec > "$T/in.tsv" <<-EOF
	proto=tcp syn_ts=$T0.100000 synack_ts=$T0.300000 ack_ts=$T0.300001 syn_n=1 synack_n=1
	proto=tcp syn_ts=$T0.000000400 synack_ts=$T0.090000600 ack_ts=$T0.090001 syn_n=1 synack_n=1
	proto=tcp syn_ts=1.000000 synack_ts=1.100000 ack_ts=1.100000 syn_n=1 synack_n=1
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_resp_ms)" = "200.000 90.001 100.000 " ]
	[ "$(vals rtt_orig_ms)" = "0.001 0.000 0.000 " ]
}

@test "retransmitted SYN: rtt_resp_ms -, note syn-retx; rtt_orig_ms stands" {
	mkrec > "$T/in.tsv" <<-EOF
	proto=tcp dir=out syn_ts=$T0.000000 synack_ts=$((T0 + 3)).090000 ack_ts=$((T0 + 3)).091000 syn_n=2 synack_n=1
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_resp_ms rtt_remote_ms rtt_ms)" = "- - - " ]
	[ "$(vals rtt_orig_ms rtt_note)" = "1.000 syn-retx " ]
}

@test "retransmitted SYN resolved by the timestamp option: value and note ts" {
	# The SYN/ACK's TSecr echoes the second SYN, sent at T0+3.
	mkrec > "$T/in.tsv" <<-EOF
	proto=tcp dir=out syn_ts=$T0.000000 synack_ts=$((T0 + 3)).090000 ack_ts=$((T0 + 3)).091000 syn_n=2 synack_n=1 syn_ans_ts=$((T0 + 3)).000000
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_resp_ms rtt_remote_ms)" = "90.000 90.000 " ]
	[ "$(vals rtt_ms rtt_note)" = "91.000 ts " ]
	# -T: strict Karn as tcptrace, the option is ignored.
	run -0 bh-rtt -T "$T/in.tsv"
	[ "$(vals rtt_resp_ms rtt_note)" = "- syn-retx " ]
}

@test "retransmitted SYN/ACK: rtt_orig_ms -, note synack-retx; by TSecr: ts" {
	mkrec > "$T/in.tsv" <<-EOF
	hs=90.000/1.000 synack_n=3 dir=in
	hs=90.000/1.000 synack_n=3 dir=in synack_ans_ts=$T0.090500
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_orig_ms)" = "- 0.500 " ]
	[ "$(vals rtt_remote_ms)" = "- 0.500 " ]
	[ "$(vals rtt_note)" = "synack-retx ts " ]
}

@test "note vocabulary, one reason per leg, in the fixed order" {
	mkrec > "$T/in.tsv" <<-EOF
	proto=tcp syn_ts=$T0.000000 syn_n=3 synack_n=0
	proto=tcp syn_ts=$T0.000000 synack_ts=$T0.090000 syn_n=1 synack_n=1
	proto=tcp synack_ts=$T0.090000 ack_ts=$T0.091000 syn_n=0 synack_n=1
	proto=tcp syn_n=0 synack_n=0
	proto=udp
	proto=icmp
	proto=47
	proto=tcp syn_ts=$T0.000000 synack_ts=$T0.090000 ack_ts=$T0.091000 syn_n=2 synack_n=2
	proto=tcp syn_ts=$T0.000000 synack_ts=$T0.090000 syn_n=2 synack_n=1
	proto=tcp syn_ts=$T0.100000 synack_ts=$T0.090000 ack_ts=$T0.091000 syn_n=1 synack_n=1
	proto=tcp syn_ts=$T0.000000 synack_ts=$T0.090000 ack_ts=$T0.091000 syn_n=2 synack_n=2 syn_ans_ts=$T0.010000
	proto=tcp syn_ts=$T0.000000 synack_ts=$T0.090000 ack_ts=$T0.091000 syn_n=2 synack_n=2 synack_ans_ts=$T0.090000
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_note)" = "no-synack no-ack no-syn no-handshake udp not-tcp not-tcp syn-retx,synack-retx syn-retx,no-ack negative synack-retx,ts syn-retx,ts " ]
	[ "$(vals rtt_resp_ms)" = "- 90.000 - - - - - - - - 80.000 - " ]
	[ "$(vals rtt_orig_ms)" = "- - 1.000 - - - - - - 1.000 - 1.000 " ]
	# No value is ever 0 for "no sample".
	[[ " $(vals rtt_ms rtt_resp_ms rtt_orig_ms)" != *" 0.000 "* ]]
}

@test "rtt_remote_ms follows dir: in -> orig leg, out -> resp leg, else -" {
	mkrec > "$T/in.tsv" <<-EOF
	hs=90.000/180.000 dir=in
	hs=90.000/180.000 dir=out
	hs=90.000/180.000 dir=local
	hs=90.000/180.000 dir=ext
	hs=90.000/180.000 dir=-
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_remote_ms)" = "180.000 90.000 - - - " ]
	[ "$(vals rtt_ms)" = "270.000 270.000 270.000 270.000 270.000 " ]
}

@test "data-ACK summary of the remote leg: out -> orig_rtt_*, in -> resp_rtt_*" {
	d="orig_rtt_n=4 orig_rtt_min_ms=88.5 orig_rtt_avg_ms=90.250 orig_rtt_max_ms=93.000"
	d="$d resp_rtt_n=2 resp_rtt_min_ms=180.000 resp_rtt_avg_ms=181.000 resp_rtt_max_ms=182.000"
	mkrec > "$T/in.tsv" <<-EOF
	hs=90.000/180.000 dir=out $d
	hs=90.000/180.000 dir=in $d
	hs=90.000/180.000 dir=local $d
	hs=90.000/180.000 dir=out orig_rtt_n=0
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals rtt_remote_data_n)" = "4 2 - 0 " ]
	[ "$(vals rtt_remote_data_min_ms)" = "88.500 180.000 - - " ]
	[ "$(vals rtt_remote_data_avg_ms)" = "90.250 181.000 - - " ]
	[ "$(vals rtt_remote_data_max_ms)" = "93.000 182.000 - - " ]
}

@test "minimal input: the five required columns only (no proto, dir, ts option)" {
	printf '#syn_ts\tsynack_ts\tack_ts\tsyn_n\tsynack_n\n%s\t%s\t%s\t1\t1\n' \
	    $T0.000000 $T0.090000 $T0.091000 > "$T/in.tsv"
	run -0 bh-rtt "$T/in.tsv"
	[ "${lines[0]}" = "$(printf '#syn_ts\tsynack_ts\tack_ts\tsyn_n\tsynack_n\t')${OWN// /$'\t'}" ]
	[ "${lines[1]}" = "$(printf '%s.000000\t%s.090000\t%s.091000\t1\t1\t91.000\t90.000\t1.000\t-\tok\t-\t-\t-\t-' $T0 $T0 $T0)" ]
}

@test "missing required column: exit 2, named" {
	printf '#syn_ts\tsynack_ts\tack_ts\tsyn_n\n-\t-\t-\t-\n' > "$T/in.tsv"
	run -2 --separate-stderr bh-rtt "$T/in.tsv"
	[ "$stderr" = "bh-rtt: $T/in.tsv: missing column 'synack_n'" ]
	[ -z "$output" ]
}

@test "bad values: reported with file:line, record skipped, exit 1" {
	mkrec > "$T/in.tsv" <<-EOF
	hs=90.000/1.000 flow=1
	hs=90.000/1.000 flow=2 syn_ts=1262304000,5
	hs=90.000/1.000 flow=3 syn_n=two
	hs=90.000/1.000 flow=4 dir=inbound
	hs=90.000/1.000 flow=5 dir=out orig_rtt_min_ms=-1.000
	hs=90.000/1.000 flow=6 ack_ts=$(printf '\033[2J')
	hs=90.000/1.000 flow=7
	EOF
	run -1 --separate-stderr bh-rtt "$T/in.tsv"
	[ "$(vals flow)" = "1 7 " ]
	[ "${stderr_lines[0]}" = "bh-rtt: $T/in.tsv:3: syn_ts: bad timestamp '1262304000,5'; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-rtt: $T/in.tsv:4: syn_n: bad count 'two'; record skipped" ]
	[ "${stderr_lines[2]}" = "bh-rtt: $T/in.tsv:5: dir: bad value 'inbound'; record skipped" ]
	[ "${stderr_lines[3]}" = "bh-rtt: $T/in.tsv:6: orig_rtt_min_ms: bad RTT '-1.000'; record skipped" ]
	# A hostile byte in a bad value is escaped in the message too.
	[ "${stderr_lines[4]}" = "bh-rtt: $T/in.tsv:7: ack_ts: bad timestamp '\\x1b[2J'; record skipped" ]
	[ "${stderr_lines[5]}" = "bh-rtt: 5 bad records skipped" ]
	[ "${#stderr_lines[@]}" -eq 6 ]
}

@test "--strict: the first bad record is exit 2" {
	mkrec > "$T/in.tsv" <<-EOF
	hs=90.000/1.000 flow=1
	hs=90.000/1.000 syn_n=x
	hs=90.000/1.000
	EOF
	run -2 --separate-stderr bh-rtt --strict "$T/in.tsv"
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "bh-rtt: $T/in.tsv:3: syn_n: bad count 'x'; record skipped" ]
}

@test "empty input: no output, exit 0; header only: header with the new columns" {
	run -0 bh-rtt < /dev/null
	[ -z "$output" ]
	mkrec < /dev/null > "$T/in.tsv"
	run -0 bh-rtt "$T/in.tsv"
	[ "$output" = "$(cat "$T/in.tsv")	${OWN// /$'\t'}" ]
}

@test "no final newline: the last record is kept" {
	mkrec <<-EOF | head -c -1 > "$T/in.tsv"
	hs=90.000/1.000 flow=1
	hs=90.000/1.000 flow=2
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(vals flow rtt_ms)" = "1 2 91.000 91.000 " ]
}

@test "unknown columns and comments pass through; a re-run replaces in place" {
	{ echo '# made by hand'
	  printf '#zz\tsyn_ts\tsynack_ts\tack_ts\tsyn_n\tsynack_n\tyy\n'
	  printf 'a b\t%s\t%s\t%s\t1\t1\t7\n' $T0.000000 $T0.090000 $T0.091000
	  echo '# mid'; } > "$T/in.tsv"
	run -0 bh-rtt "$T/in.tsv"
	once=$output
	[ "${lines[0]}" = "# made by hand" ]
	[ "${lines[1]}" = "$(printf '#zz\tsyn_ts\tsynack_ts\tack_ts\tsyn_n\tsynack_n\tyy\t')${OWN// /$'\t'}" ]
	[ "${lines[2]}" = "$(printf 'a b\t%s\t%s\t%s\t1\t1\t7\t91.000\t90.000\t1.000\t-\tok\t-\t-\t-\t-' $T0.000000 $T0.090000 $T0.091000)" ]
	[ "${lines[3]}" = "# mid" ]
	run -0 bash -c "bh-rtt '$T/in.tsv' | bh-rtt"
	[ "$output" = "$once" ]
}

@test "a hostile byte in a payload stays escaped" {
	mkrec > "$T/in.tsv" <<-'EOF'
	hs=90.000/1.000 orig_head=\x1b]0;pwned\x07\t\\ resp_head=\x2d
	EOF
	run -0 bh-rtt "$T/in.tsv"
	[ "$(vals orig_head resp_head)" = '\x1b]0;pwned\x07\t\\ \x2d ' ]
	[[ "$output" != *[$'\x01'-$'\x08'$'\x0b'-$'\x1f'$'\x7f']* ]]
}

@test "options: -h exit 0, unknown option exit 2 with usage, unreadable file 2" {
	run -0 bh-rtt -h
	[ "${lines[0]}" = "usage: bh-rtt [-hT] [--strict] [file ...]" ]
	run -2 --separate-stderr bh-rtt -Z
	[ "${stderr_lines[1]}" = "usage: bh-rtt [-hT] [--strict] [file ...]" ]
	run -2 --separate-stderr bh-rtt "$T/nonexistent"
	[ "$stderr" = "bh-rtt: $T/nonexistent: No such file or directory" ]
}

@test "golden: a mixed session stream" {
	run -0 bh-rtt "$DATA/rtt/sessions.tsv"
	golden rtt/sessions.out
}

# ---- pipeline: fixture captures with planted RTTs through bh-sessions ----

# pipe DESCRIPTION-FILE [bh-rtt options]: the capture through bh-rtt
# (`through` in helper.bash).
pipe() {
	through bh-rtt "$@"
}

@test "pipeline: outbound 90 ms and inbound 180 ms legs from a capture" {
	cat > "$T/cap.txt" <<-'EOF'
	# outbound download: the server is 90 ms from the monitor
	1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=44
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
	+0.095 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ"
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 FA ttl=128
	+0.092 tcp 203.0.113.9:80 > 192.168.1.5:1055 FA ttl=44
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
	# inbound exploit to 445: the attacker is 180 ms from the monitor
	1262304010.000000 tcp 198.51.100.7:4431 > 192.168.1.5:445 S ttl=108
	+0.000300 tcp 192.168.1.5:445 > 198.51.100.7:4431 SA ttl=128
	+0.180 tcp 198.51.100.7:4431 > 192.168.1.5:445 . ttl=108
	+0.001 tcp 198.51.100.7:4431 > 192.168.1.5:445 PA ttl=108 hex:00000085ff534d4272
	+0.000200 tcp 192.168.1.5:445 > 198.51.100.7:4431 PA ttl=128 hex:00000055ff534d4272
	+0.182 tcp 198.51.100.7:4431 > 192.168.1.5:445 R ttl=108
	EOF
	pipe "$T/cap.txt"
	[ "$(vals dir resp_port)" = "out in 80 445 " ]
	[ "$(vals rtt_resp_ms rtt_orig_ms)" = "90.000 0.300 1.000 180.000 " ]
	[ "$(vals rtt_remote_ms rtt_ms rtt_note)" = "90.000 180.000 91.000 180.300 ok ok " ]
}

@test "pipeline: retransmitted SYN is - (syn-retx); with timestamps it is 90.000 (ts)" {
	cat > "$T/cap.txt" <<-'EOF'
	1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S
	+3.000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S seq=0
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 .
	1262304010.000000 tcp 192.168.1.5:1056 > 203.0.113.9:80 S ts=100/0
	+3.000 tcp 192.168.1.5:1056 > 203.0.113.9:80 S seq=0 ts=400/0
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1056 SA ts=900/400
	+0.001 tcp 192.168.1.5:1056 > 203.0.113.9:80 . ts=409/900
	EOF
	pipe "$T/cap.txt"
	[ "$(vals syn_n rtt_resp_ms rtt_remote_ms)" = "2 2 - 90.000 - 90.000 " ]
	[ "$(vals rtt_orig_ms rtt_ms rtt_note)" = "1.000 1.000 - 91.000 syn-retx ts " ]
	pipe "$T/cap.txt" -T
	[ "$(vals rtt_resp_ms rtt_note)" = "- - syn-retx syn-retx " ]
}

@test "pipeline: the remote leg's data-ACK samples next to the handshake" {
	# Two data segments to the server, acked after 95 and 105 ms.
	cat > "$T/cap.txt" <<-'EOF'
	1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:6667 S
	+0.100 tcp 203.0.113.9:6667 > 192.168.1.5:1055 SA
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:6667 .
	+0.010 tcp 192.168.1.5:1055 > 203.0.113.9:6667 PA "NICK bot\r\n"
	+0.095 tcp 203.0.113.9:6667 > 192.168.1.5:1055 .
	+0.010 tcp 192.168.1.5:1055 > 203.0.113.9:6667 PA "USER bot 0 * :bot\r\n"
	+0.105 tcp 203.0.113.9:6667 > 192.168.1.5:1055 .
	EOF
	pipe "$T/cap.txt"
	[ "$(vals rtt_remote_ms rtt_remote_data_n)" = "100.000 2 " ]
	[ "$(vals rtt_remote_data_min_ms rtt_remote_data_avg_ms rtt_remote_data_max_ms)" = "95.000 100.000 105.000 " ]
}

@test "pipeline: capture from the SYN/ACK on, unanswered SYN, UDP" {
	cat > "$T/cap.txt" <<-'EOF'
	1262304000.000000 tcp 198.51.100.7:80 > 192.168.1.5:1055 SA
	+0.070 tcp 192.168.1.5:1055 > 198.51.100.7:80 .
	1262304001.000000 tcp 198.51.100.8:3000 > 192.168.1.5:135 S ttl=110
	+3.000 tcp 198.51.100.8:3000 > 192.168.1.5:135 S seq=0 ttl=110
	1262304005.000000 udp 192.168.1.5:1024 > 203.0.113.20:69 "\x00\x01bot.exe\x00octet\x00"
	EOF
	pipe "$T/cap.txt"
	[ "$(vals rtt_note)" = "no-syn no-synack udp " ]
	[ "$(vals rtt_orig_ms rtt_resp_ms)" = "70.000 - - - - - " ]
}

@test "bench/compare-peers: agrees with tcptrace, tshark and p0f on a fixture" {
	have=
	for p in tcptrace tshark p0f; do
		command -v $p >/dev/null 2>&1 && have="$have $p"
	done
	[ -n "$have" ] || skip "none of tcptrace, tshark, p0f installed"
	[ -x "$BH_BIN/bh-sessions" ] && [ -x "$BH_BIN/bh-mkpcap" ] ||
	    skip "bh-sessions or bh-mkpcap not built"
	bh-mkpcap -o "$T/cap.pcap" <<-'EOF'
	1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=44
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 PA ttl=128 "GET / HTTP/1.0\r\n\r\n"
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\n"
	1262304010.000000 tcp 198.51.100.7:4431 > 192.168.1.5:445 S ttl=108
	+0.000300 tcp 192.168.1.5:445 > 198.51.100.7:4431 SA ttl=128
	+0.180 tcp 198.51.100.7:4431 > 192.168.1.5:445 . ttl=108
	EOF
	run -0 "$BATS_TEST_DIRNAME/../bench/compare-peers" -L 192.168.1.0/24 "$T/cap.pcap"
	[ "${lines[0]}" = "== $T/cap.pcap: 2 sessions (2 tcp), 0 address/port pairs with several sessions left out" ]
	case $have in *tcptrace*)
		[[ "$output" == *"tcptrace RTT_from_3WHS vs rtt_resp_ms/rtt_orig_ms: agree 4, disagree 0,"* ]] ;;
	esac
	case $have in *tshark*)
		[[ "$output" == *"tshark tcp.analysis.initial_rtt vs rtt_ms: agree 2, disagree 0,"* ]]
		[[ "$output" == *"tshark ip.ttl/ipv6.hlim vs orig_ttl/resp_ttl: agree 4, disagree 0,"* ]] ;;
	esac
	case $have in *p0f*)
		[[ "$output" == *"p0f dist vs orig_hops/resp_hops: agree 4, disagree 0,"* ]] ;;
	esac
}
