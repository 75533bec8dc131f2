#!/usr/bin/env bats
# bh-sessions: packets to session records.  Every capture is written by
# bh-mkpcap from the description in the test, with times, sequence
# numbers, TTLs and payloads planted so that each expected value can be
# read off the description.

load helper

T0=1262304000

setup() {
	T=$BATS_TEST_TMPDIR
}


# get SPEC [FLOW]: the columns named in SPEC (e.g. `orig_ttl/resp_ttl`)
# of record FLOW (default 1) of $output, each name replaced by its value
get() {
	printf '%s\n' "$output" | awk -F'\t' -v spec="$1" -v f="${2:-1}" '
	NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); at[h] = i }; next }
	/^#/ { next }
	$1 == f {
		out = ""; s = spec
		while (match(s, /[a-z][a-z0-9_]*/)) {
			out = out substr(s, 1, RSTART - 1) $(at[substr(s, RSTART, RLENGTH)])
			s = substr(s, RSTART + RLENGTH)
		}
		print out s
	}'
}

# kv: $output as "name=value" lines, one record after the other (for
# golden files a reader can check by eye)
kv() {
	printf '%s\n' "$output" | awk -F'\t' '
	NR == 1 { for (i = 1; i <= NF; i++) { h[i] = $i; sub(/^#/, "", h[i]) } next }
	{ for (i = 1; i <= NF; i++) print h[i] "=" $i; print "" }'
}

# The outbound HTTP download of bh-mkpcap(1): 90 ms to the server, the
# orig leg 1 ms, server TTL 44.
http() {
	cat <<EOF
link ${1:-ether}
$T0.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128 mss=1460
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 FA ttl=128
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 FA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
EOF
}

@test "header: the session columns, in the contract's order" {
	http | mkcap h
	run -0 bh-sessions "$T/h.pcap"
	[ "${lines[0]}" = "$(printf '#%s' "$(printf '%s\t' flow proto ts dur \
	    orig_ip orig_port resp_ip resp_port dir state orig_pkts orig_bytes \
	    resp_pkts resp_bytes orig_ttl orig_ttl_min orig_ttl_max \
	    orig_ttl_chg resp_ttl resp_ttl_min resp_ttl_max resp_ttl_chg \
	    syn_ts synack_ts ack_ts syn_n synack_n syn_ans_ts synack_ans_ts \
	    orig_rtt_n orig_rtt_min_ms orig_rtt_avg_ms orig_rtt_max_ms \
	    resp_rtt_n resp_rtt_min_ms resp_rtt_avg_ms resp_rtt_max_ms \
	    orig_by end history \
	    orig_tsrtt_n orig_tsrtt_min_ms orig_tsrtt_med_ms orig_tsrtt_max_ms \
	    resp_tsrtt_n resp_tsrtt_min_ms resp_tsrtt_med_ms resp_tsrtt_max_ms \
	    syn_sig synack_sig syn_muon synack_muon \
	    orig_head resp_head orig_ev | sed 's/\t$//')")	resp_ev" ]
}

@test "HTTP download: the whole record (golden)" {
	http | mkcap h
	run -0 bh-sessions "$T/h.pcap"
	output=$(kv)
	golden sessions/http.kv
}

@test "every link type gives the same record" {
	http ether | mkcap ref
	run -0 bh-sessions "$T/ref.pcap"
	want=$output
	for l in sll sll2 raw null loop; do
		http $l | mkcap $l
		run -0 bh-sessions "$T/$l.pcap"
		[ "$output" = "$want" ]
	done
}

@test "DLT_IPV4 (228) and DLT_IPV6 (229) raw frames" {
	# A UDP datagram 10.0.0.1:53 > 10.0.0.2:1024 with "hi", TTL 9.
	mkcap v4 <<EOF
link 228
$T0.000000 raw hex:4500001e00010000091100000a0000010a00000200350400000a00006869
EOF
	run -0 bh-sessions "$T/v4.pcap"
	[ "$(get proto/orig_ip/resp_port/orig_ttl/orig_head)" = udp/10.0.0.1/1024/9/hi ]
	mkcap v6 <<EOF
link 229
$T0.000000 raw hex:6000000000081107200106b8000000000000000000000001200106b80000000000000000000000020035040000080000
EOF
	run -0 bh-sessions "$T/v6.pcap"
	[ "$(get proto/orig_ip/orig_ttl)" = udp/2001:6b8::1/7 ]
}

@test "VLAN: tagged, double-tagged and untagged frames of one flow stay one session" {
	mkcap v <<EOF
$T0.000000 tcp 10.1.1.1:4444 > 10.2.2.2:445 S vlan=10
+0.010 tcp 10.2.2.2:445 > 10.1.1.1:4444 SA
+0.001 tcp 10.1.1.1:4444 > 10.2.2.2:445 . vlan=10,20
+0.001 tcp 10.1.1.1:4444 > 10.2.2.2:445 PA vlan=10,20,30 qinq=8100 "x"
$T0.100000 udp 10.1.1.1:53 > 10.2.2.2:53 vlan=7 "q"
+0.001 udp 10.2.2.2:53 > 10.1.1.1:53 "r"
EOF
	run -0 bh-sessions "$T/v.pcap"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(get orig_pkts/resp_pkts/state 1)" = 3/1/S1 ]
	[ "$(get history 2)" = Dd ]
}

@test "IPv6 with hop-by-hop, destination options and fragment headers" {
	mkcap v6 <<EOF
$T0.000000 tcp [2001:db8::1]:5000 > [2001:db8::2]:80 S ttl=57 hbh
+0.030 tcp [2001:db8::2]:80 > [2001:db8::1]:5000 SA ttl=60 hbh v6frag
+0.002 tcp [2001:db8::1]:5000 > [2001:db8::2]:80 . ttl=57 dstopt
+0.001 tcp [2001:db8::1]:5000 > [2001:db8::2]:80 PA ttl=57 hbh dstopt v6frag "GET /"
EOF
	run -0 bh-sessions "$T/v6.pcap"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(get orig_ip)" = 2001:db8::1 ]
	[ "$(get orig_ttl/resp_ttl)" = 57/60 ]
	[ "$(get synack_ts/ack_ts)" = $T0.030000/$T0.032000 ]
	[ "$(get orig_head)" = "GET /" ]
	[ "$(get history)" = ShAD ]
}

@test "handshake: planted times to the microsecond; a resent SYN is syn_n 2" {
	mkcap hs <<EOF
$T0.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S
+3.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S
+0.123457 tcp 10.0.0.2:80 > 10.0.0.1:1025 SA
+0.000321 tcp 10.0.0.1:1025 > 10.0.0.2:80 .
EOF
	run -0 bh-sessions "$T/hs.pcap"
	[ "$(get syn_ts/synack_ts/ack_ts)" = $T0.000000/$((T0 + 3)).123457/$((T0 + 3)).123778 ]
	[ "$(get syn_n/synack_n)" = 2/1 ]
	# No timestamp option: which SYN was answered is unknown.
	[ "$(get syn_ans_ts/synack_ans_ts)" = -/- ]
	[ "$(get history)" = ShA ]
}

@test "timestamp option: the SYN and SYN/ACK transmissions that were answered" {
	mkcap ts <<EOF
$T0.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S ts=100/0
+1.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S ts=1100/0
+2.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S ts=3100/0
+0.090000 tcp 10.0.0.2:80 > 10.0.0.1:1025 SA ts=7/1100
+1.000000 tcp 10.0.0.2:80 > 10.0.0.1:1025 SA ts=1007/1100
+0.020000 tcp 10.0.0.1:1025 > 10.0.0.2:80 . ts=4200/1007
EOF
	run -0 bh-sessions "$T/ts.pcap"
	# The first SYN/ACK echoes the second SYN; the ACK the second SYN/ACK.
	[ "$(get syn_ans_ts/synack_ans_ts)" = $((T0 + 1)).000000/$((T0 + 4)).090000 ]
	[ "$(get syn_n/synack_n)" = 3/2 ]
	[ "$(get synack_ts/ack_ts)" = $((T0 + 3)).090000/$((T0 + 4)).110000 ]
}

@test "timestamp option: two SYNs with the same TSval are ambiguous" {
	mkcap ts <<EOF
$T0.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S ts=100/0
+1.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S ts=100/0
+0.090000 tcp 10.0.0.2:80 > 10.0.0.1:1025 SA ts=7/100
+0.020000 tcp 10.0.0.1:1025 > 10.0.0.2:80 . ts=200/7
EOF
	run -0 bh-sessions "$T/ts.pcap"
	[ "$(get syn_ans_ts/synack_ans_ts)" = -/$((T0 + 1)).090000 ]
}

@test "data-ACK RTT: planted legs come back exactly; a resent segment gives no sample" {
	mkcap rtt <<EOF
$T0.000000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
+0.050 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA
+0.010 tcp 10.0.0.1:1000 > 10.0.0.2:80 .
# orig segment 1..100, acked 50.001 ms later: a sample
+0.001 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=100
+0.050001 tcp 10.0.0.2:80 > 10.0.0.1:1000 . ack=101
# segment 101..200 resent after 200 ms, then acked: no sample
+0.001 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=100
+0.200 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA seq=101 pad=100
+0.050 tcp 10.0.0.2:80 > 10.0.0.1:1000 . ack=201
# segment 201..300 acked 70.002 ms later: a sample
+0.001 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=100
+0.070002 tcp 10.0.0.2:80 > 10.0.0.1:1000 . ack=301
# the other way: 10 ms and 12.5 ms
+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1000 PA pad=10
+0.010 tcp 10.0.0.1:1000 > 10.0.0.2:80 . ack=11
+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1000 PA pad=10
+0.0125 tcp 10.0.0.1:1000 > 10.0.0.2:80 . ack=21
EOF
	run -0 bh-sessions "$T/rtt.pcap"
	[ "$(get orig_rtt_n/orig_rtt_min_ms/orig_rtt_avg_ms/orig_rtt_max_ms)" = 2/50.001/60.002/70.002 ]
	[ "$(get resp_rtt_n/resp_rtt_min_ms/resp_rtt_avg_ms/resp_rtt_max_ms)" = 2/10.000/11.250/12.500 ]
	[ "$(get history)" = ShADaTd ]
}

@test "data-ACK RTT: Karn -- a segment overtaken by an earlier resend gives no sample" {
	mkcap karn <<EOF
$T0.000000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
+0.050 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA
+0.010 tcp 10.0.0.1:1000 > 10.0.0.2:80 .
+0.001 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=100
+0.001 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=100
# 1..100 is resent; the ACK for 101..200 may answer the resend
+0.300 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA seq=1 pad=100
+0.050 tcp 10.0.0.2:80 > 10.0.0.1:1000 . ack=201
# later data is clean again
+0.001 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=100
+0.040 tcp 10.0.0.2:80 > 10.0.0.1:1000 . ack=301
EOF
	run -0 bh-sessions "$T/karn.pcap"
	[ "$(get orig_rtt_n/orig_rtt_min_ms)" = 1/40.000 ]
}

@test "data-ACK RTT: a wide window keeps every sample; a cumulative ACK gives one" {
	# 40 segments in flight, each acked exactly 30 ms after it was sent;
	# then 3 segments and one ACK for all: a sample for the last only.
	{
		echo "$T0.000000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S"
		echo "+0.050 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA"
		echo "+0.010 tcp 10.0.0.1:1000 > 10.0.0.2:80 ."
		echo "+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1000 PA pad=10 repeat=40 every=0.0001"
		awk -v t0=$T0 'BEGIN { for (i = 1; i <= 40; i++)
		    printf "%d.%06d tcp 10.0.0.1:1000 > 10.0.0.2:80 . ack=%d\n",
		    t0, 91000 + (i - 1) * 100, i * 10 + 1 }'
		echo "+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1000 PA pad=10 repeat=3 every=0.001"
		echo "+0.025 tcp 10.0.0.1:1000 > 10.0.0.2:80 . ack=431"
	} | mkcap wide
	run -0 bh-sessions "$T/wide.pcap"
	[ "$(get resp_rtt_n)" = 41 ]
	[ "$(get resp_rtt_min_ms/resp_rtt_max_ms)" = 25.000/30.000 ]
}

@test "TTL: first, min, max and changes per side" {
	mkcap ttl <<EOF
$T0.000000 udp 10.0.0.1:7 > 10.0.0.2:7 ttl=50 "a"
+0.1 udp 10.0.0.1:7 > 10.0.0.2:7 ttl=50 "b"
+0.1 udp 10.0.0.1:7 > 10.0.0.2:7 ttl=47 "c"
+0.1 udp 10.0.0.1:7 > 10.0.0.2:7 ttl=52 "d"
+0.1 udp 10.0.0.1:7 > 10.0.0.2:7 ttl=52 "e"
+0.1 udp 10.0.0.2:7 > 10.0.0.1:7 ttl=128 "f"
EOF
	run -0 bh-sessions "$T/ttl.pcap"
	[ "$(get "orig_ttl orig_ttl_min orig_ttl_max orig_ttl_chg")" = "50 47 52 2" ]
	[ "$(get "resp_ttl resp_ttl_min resp_ttl_max resp_ttl_chg")" = "128 128 128 0" ]
	[ "$(get orig_head)" = abcde ]
}

@test "heads: reordered and resent segments come out in stream order" {
	mkcap ooo <<EOF
$T0.000000 tcp 10.0.0.1:1000 > 10.0.0.2:6667 S
+0.01 tcp 10.0.0.2:6667 > 10.0.0.1:1000 SA
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:6667 .
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:6667 PA seq=6 "USER x\r\n"
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:6667 PA seq=1 "NICK "
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:6667 PA seq=1 "NICK "
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:6667 PA seq=14 "JOIN #c\r\n"
+0.01 tcp 10.0.0.2:6667 > 10.0.0.1:1000 PA ":srv 001 x\r\n"
EOF
	run -0 bh-sessions "$T/ooo.pcap"
	[ "$(get orig_head/resp_head/orig_bytes)" = 'NICK USER x\r\nJOIN #c\r\n'/':srv 001 x\r\n'/27 ]
}

@test "heads: -s cuts each side; -s 0 keeps none" {
	http | mkcap h
	run -0 bh-sessions -s 5 "$T/h.pcap"
	[ "$(get orig_head/resp_head)" = "GET //HTTP/" ]
	run -0 bh-sessions -s 0 "$T/h.pcap"
	[ "$(get orig_head/resp_head)" = "-/-" ]
}

@test "heads: hostile bytes stay one escaped field" {
	mkcap evil <<EOF
$T0.000000 udp 10.6.6.6:31337 > 10.0.0.2:53 "a\tb\nc\x1b[2J\\\\\x00\xff"
$T0.100000 udp 10.6.6.7:31337 > 10.0.0.2:53 "-"
EOF
	run -0 bh-sessions "$T/evil.pcap"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(get orig_head 1)" = 'a\tb\nc\x1b[2J\\\x00\xff' ]
	[ "$(get orig_head 2)" = '\x2d' ]
	printf '%s\n' "$output" | awk -F'\t' 'NF != 56 { exit 1 }'
	printf '%s' "$output" > "$T/out"
	run -1 env LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f-\xff]' "$T/out"
}

@test "heads: every byte value survives escaping (bh-cut -u gives it back)" {
	all=$(awk 'BEGIN { for (i = 0; i < 256; i++) printf "%02x", i }')
	mkcap bytes <<EOF
$T0.000000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA hex:$all "plain text, then a \\\\ backslash" hex:$all
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1000 PA "-"
EOF
	run -0 bh-sessions -s 1024 "$T/bytes.pcap"
	printf '%s\n' "$output" > "$T/out.tsv"
	[ "$(get resp_head)" = '\x2d' ]
	perl -e 'print map(chr, 0..255), "plain text, then a \\ backslash",
	    map(chr, 0..255), "\n"' > "$T/want"
	bh-cut -u -H -f orig_head "$T/out.tsv" > "$T/got"
	cmp "$T/want" "$T/got"
	printf '%s\n' "$output" | awk -F'\t' 'NF != 56 { exit 1 }'
}

@test "Zeek states: SF REJ S0 RSTO RSTR RSTOS0 SH S1 S2 S3 OTH RSTRH SHR" {
	mkcap st <<EOF
# 1 SF: FIN both ways
$T0.000 tcp 10.0.0.1:1001 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1001 SA
+0.01 tcp 10.0.0.1:1001 > 10.0.0.2:80 .
+0.01 tcp 10.0.0.1:1001 > 10.0.0.2:80 FA
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1001 FA
+0.01 tcp 10.0.0.1:1001 > 10.0.0.2:80 .
# 2 REJ: SYN answered by RST
$T0.100 tcp 10.0.0.1:1002 > 10.0.0.2:81 S
+0.01 tcp 10.0.0.2:81 > 10.0.0.1:1002 RA
# 3 S0: a SYN alone
$T0.200 tcp 10.0.0.1:1003 > 10.0.0.2:82 S
# 4 RSTO: established, the originator resets
$T0.300 tcp 10.0.0.1:1004 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1004 SA
+0.01 tcp 10.0.0.1:1004 > 10.0.0.2:80 .
+0.01 tcp 10.0.0.1:1004 > 10.0.0.2:80 R
# 5 RSTR: established, the responder resets
$T0.400 tcp 10.0.0.1:1005 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1005 SA
+0.01 tcp 10.0.0.1:1005 > 10.0.0.2:80 PA "x"
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1005 R
# 6 RSTOS0: SYN then RST from the originator
$T0.500 tcp 10.0.0.1:1006 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.1:1006 > 10.0.0.2:80 R
# 7 SH: SYN then FIN, no answer
$T0.600 tcp 10.0.0.1:1007 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.1:1007 > 10.0.0.2:80 F
# 8 S1: established, no close
$T0.700 tcp 10.0.0.1:1008 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1008 SA
+0.01 tcp 10.0.0.1:1008 > 10.0.0.2:80 .
# 9 S2: the originator closes, no answer
$T0.800 tcp 10.0.0.1:1009 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1009 SA
+0.01 tcp 10.0.0.1:1009 > 10.0.0.2:80 .
+0.01 tcp 10.0.0.1:1009 > 10.0.0.2:80 FA
# 10 S3: the responder closes, no answer
$T0.900 tcp 10.0.0.1:1010 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1010 SA
+0.01 tcp 10.0.0.1:1010 > 10.0.0.2:80 .
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1010 FA
# 11 OTH: midstream data, no SYN
$((T0 + 1)).000 tcp 10.0.0.1:1011 > 10.0.0.2:80 PA "mid"
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1011 .
# 12 RSTRH: a SYN/ACK (its receiver originates), then RST
$((T0 + 1)).100 tcp 10.0.0.2:80 > 10.0.0.1:1012 SA
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1012 R
# 13 SHR: a SYN/ACK, then FIN
$((T0 + 1)).200 tcp 10.0.0.2:80 > 10.0.0.1:1013 SA
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1013 FA
EOF
	run -0 bh-sessions "$T/st.pcap"
	run -0 bash -c "printf '%s\n' \"\$1\" | awk -F'\t' 'NR > 1 { print \$1, \$10, \$39, \$40 }' | sort -n" _ "$output"
	[ "$output" = "1 SF fin ShAFf
2 REJ rst Sr
3 S0 eof S
4 RSTO rst ShAR
5 RSTR rst ShDr
6 RSTOS0 rst SR
7 SH fin SF
8 S1 eof ShA
9 S2 eof ShAF
10 S3 eof ShAf
11 OTH eof Da
12 RSTRH rst ^hr
13 SHR fin ^hf" ]
}

@test "history: zero window, content gap, retransmission, repeated letters" {
	mkcap hist <<EOF
$T0.000 tcp 10.0.0.1:1003 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1003 SA
+0.01 tcp 10.0.0.1:1003 > 10.0.0.2:80 PA "abc"
# acks 6 bytes never seen (a gap), with a zero window
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1003 . ack=10 win=0
+0.01 tcp 10.0.0.1:1003 > 10.0.0.2:80 PA seq=10 "def"
+0.01 tcp 10.0.0.1:1003 > 10.0.0.2:80 PA seq=10 "def"
+0.01 tcp 10.0.0.1:1003 > 10.0.0.2:80 FPA seq=13 "g"
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1003 FA ack=15
+0.01 tcp 10.0.0.1:1003 > 10.0.0.2:80 .
# a SYN again with the same ISN (no letter), then with another: a new
# attempt, a session of its own (Wireshark's tcp.stream does the same)
$((T0 + 1)).000 tcp 10.0.0.1:1004 > 10.0.0.2:80 S
+1 tcp 10.0.0.1:1004 > 10.0.0.2:80 S
+1 tcp 10.0.0.1:1004 > 10.0.0.2:80 S aseq=77
EOF
	run -0 bh-sessions "$T/hist.pcap"
	[ "$(get history/state)" = ShDawGTFfA/SF ]
	[ "$(get history/syn_n/state/end 2)" = S/2/S0/reuse ]
	[ "$(get history/syn_n/state/syn_ts 3)" = S/1/S0/$((T0 + 3)).000000 ]
	# the head stops at the hole
	[ "$(get orig_head/orig_bytes)" = abc/10 ]
}

@test "records come out as sessions end, then the rest by flow id" {
	mkcap order <<EOF
$T0.000 udp 10.0.0.1:1 > 10.0.0.2:1 "a"
$T0.001 tcp 10.0.0.1:1002 > 10.0.0.2:81 S
+0.01 tcp 10.0.0.2:81 > 10.0.0.1:1002 RA
$T0.020 udp 10.0.0.1:3 > 10.0.0.2:3 "c"
+10 udp 10.0.0.1:4 > 10.0.0.2:4 "d"
EOF
	# flow 2 ends 5 s after its RST (the linger), before flow 4 starts
	run -0 bh-sessions "$T/order.pcap"
	[ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 { printf "%s ", $1 }')" = "2 1 3 4 " ]
	run -0 bh-sessions -t linger=20 "$T/order.pcap"
	[ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 { printf "%s ", $1 }')" = "1 2 3 4 " ]
}

@test "idle timeouts in capture time: -t tcp=,udp=,other=" {
	mkcap idle <<EOF
$T0.000 udp 10.0.0.1:53 > 10.0.0.2:53 "q"
$T0.000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
$((T0 + 60)).000 udp 10.0.0.1:53 > 10.0.0.2:53 "q"
$((T0 + 120)).000001 udp 10.0.0.1:53 > 10.0.0.2:53 "q"
$((T0 + 299)).000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
EOF
	run -0 bh-sessions "$T/idle.pcap"
	# udp: 60 s of silence is still one session, a microsecond more is not
	[ "$(get orig_pkts/end 1)" = 2/idle ]
	[ "$(get proto/orig_pkts 3)" = udp/1 ]
	[ "$(get syn_n/end 2)" = 2/eof ]
	run -0 bh-sessions -t udp=200,tcp=100s "$T/idle.pcap"
	[ "$(get orig_pkts 1)" = 3 ]
	[ "$(get syn_n/end/state 2)" = 1/idle/S0 ]
	run -2 bh-sessions -t udp=x "$T/idle.pcap"
	run -2 bh-sessions -t bogus=1 "$T/idle.pcap"
}

@test "port reuse: a new SYN with another ISN after a close is a new session" {
	mkcap reuse <<EOF
isn 10.0.0.1:1000 > 10.0.0.2:445 1000
$T0.000 tcp 10.0.0.1:1000 > 10.0.0.2:445 S
+0.01 tcp 10.0.0.2:445 > 10.0.0.1:1000 RA
+0.5 tcp 10.0.0.1:1000 > 10.0.0.2:445 S aseq=5000
+0.01 tcp 10.0.0.2:445 > 10.0.0.1:1000 SA aack=5001
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:445 . aseq=5001
EOF
	run -0 bh-sessions "$T/reuse.pcap"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(get state/end 1)" = REJ/rst ]
	[ "$(get state/syn_n/ts 2)" = S1/1/$T0.510000 ]
}

@test "mid-stream capture: the SYN/ACK's receiver, else the first sender, originates" {
	mkcap mid <<EOF
$T0.000 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA ttl=50
+0.02 tcp 10.0.0.1:1000 > 10.0.0.2:80 . ttl=60
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA ttl=60 "GET /"
$((T0 + 1)).000 tcp 10.0.0.3:6667 > 10.0.0.1:2000 PA ":irc PING\r\n"
+0.1 tcp 10.0.0.1:2000 > 10.0.0.3:6667 PA "PONG\r\n"
$((T0 + 2)).000 tcp 10.0.0.4:40000 > 10.0.0.5:50000 PA "x"
$((T0 + 3)).000 tcp 10.0.0.6:22 > 10.0.0.7:50022 PA "SSH-2.0-x\r\n"
EOF
	run -0 bh-sessions "$T/mid.pcap"
	[ "${#lines[@]}" -eq 5 ]
	[ "$(get orig_ip:orig_port 1)" = 10.0.0.1:1000 ]
	[ "$(get orig_by/history/state 1)" = synack/^hAD/S1 ]
	[ "$(get syn_ts/synack_ts/ack_ts 1)" = -/$T0.000000/$T0.020000 ]
	[ "$(get orig_ttl/resp_ttl 1)" = 60/50 ]
	# the first packet came from the server's port: its receiver
	# originates (Zeek's likely_server_ports), flipped '^'
	[ "$(get orig_ip:orig_port/orig_by/state/history 2)" = 10.0.0.1:2000/first/OTH/^dD ]
	[ "$(get orig_head/resp_head 2)" = 'PONG\r\n/:irc PING\r\n' ]
	# no service port on either side: the first sender
	[ "$(get orig_ip:orig_port/history 3)" = 10.0.0.4:40000/D ]
	# a well-known port (below 1024) on the sender's side only
	[ "$(get orig_ip:orig_port/resp_port 4)" = 10.0.0.7:50022/22 ]
}

@test "late segments of a closed connection are absorbed, never a new session" {
	# A slow peer: both FINs, then 8 s later (past the 5 s linger) a
	# retransmitted FIN and the last ACKs, as in the DCOM-exploit
	# captures where they opened sessions of their own.
	mkcap late <<EOF
$T0.000 tcp 10.0.0.9:1200 > 10.0.0.1:135 S
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1200 SA
+0.1 tcp 10.0.0.9:1200 > 10.0.0.1:135 A
+0.1 tcp 10.0.0.9:1200 > 10.0.0.1:135 PA "exploit"
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1200 FA
+0.1 tcp 10.0.0.9:1200 > 10.0.0.1:135 FA
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1200 A
+8 tcp 10.0.0.9:1200 > 10.0.0.1:135 FA seq=7
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1200 A
+4 tcp 10.0.0.1:135 > 10.0.0.9:1200 R seq=1
EOF
	run -0 --separate-stderr bh-sessions "$T/late.pcap"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(get orig_pkts/resp_pkts/end 1)" = 4/3/fin ]
	[ "$stderr" = "bh-sessions: 3 late segments of closed connections absorbed (no new sessions)" ]
	# new bytes past the end, or a SYN, are a connection of their own
	mkcap more <<EOF
$T0.000 tcp 10.0.0.9:1200 > 10.0.0.1:135 S
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1200 SA
+0.1 tcp 10.0.0.9:1200 > 10.0.0.1:135 A
+0.1 tcp 10.0.0.9:1200 > 10.0.0.1:135 FA
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1200 FA
+8 tcp 10.0.0.9:1200 > 10.0.0.1:135 PA seq=1 "new data"
+1 tcp 10.0.0.9:1201 > 10.0.0.1:135 S
+0.1 tcp 10.0.0.1:135 > 10.0.0.9:1201 R
+8 tcp 10.0.0.9:1201 > 10.0.0.1:135 S aseq=5000
EOF
	run -0 --separate-stderr bh-sessions "$T/more.pcap"
	[ "${#lines[@]}" -eq 5 ]
	[ "$(get history 2)" = D ]
	[ "$(get orig_port/history 4)" = 1201/S ]
	[ -z "$stderr" ]
	# a late segment past the TCP idle timeout is a session again
	run -0 --separate-stderr bh-sessions -t tcp=10 "$T/late.pcap"
	[ "${#lines[@]}" -eq 3 ]
	[ "$stderr" = "bh-sessions: 2 late segments of closed connections absorbed (no new sessions)" ]
}

@test "orig_ev, resp_ev: the start of every later message, each HTTP transaction condensed" {
	# A keep-alive connection: a 302 first, then the executable; a
	# length-prefixed stage after a turn; a command line deep in text.
	big=$(awk 'BEGIN { for (i = 0; i < 40; i++) printf "X-Filler-%02d: %s\\r\\n", i, "aaaaaaaaaaaaaaaa" }')
	mkcap ev <<EOF
$T0.000 tcp 10.0.0.1:1100 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1100 SA
+0.01 tcp 10.0.0.1:1100 > 10.0.0.2:80 A
+0.01 tcp 10.0.0.1:1100 > 10.0.0.2:80 PA "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1100 PA "HTTP/1.1 302 Found\r\n${big}Location: http://x/b.exe\r\nContent-Length: 0\r\n\r\n"
+0.01 tcp 10.0.0.1:1100 > 10.0.0.2:80 PA "GET /b.exe HTTP/1.1\r\nHost: x\r\n\r\n"
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1100 PA "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nMZ\x90\x00\x03"
+1 tcp 10.0.0.3:4444 > 10.0.0.4:1050 PA "hi"
+0.01 tcp 10.0.0.4:1050 > 10.0.0.3:4444 PA hex:00100000
+0.01 tcp 10.0.0.4:1050 > 10.0.0.3:4444 PA "MZ\x90\x00"
+1 tcp 10.0.0.5:1060 > 10.0.0.6:6667 PA "NICK a\r\nUSER a 0 * :a\r\n${big}:x PRIVMSG #c :.get http://h/x,y.exe\r\nplain line\r\n"
EOF
	run -0 bh-sessions "$T/ev.pcap"
	[ "$(get orig_ev 1)" = 'h28:GET /b.exe HTTP/1.1\r\nHost: x\r\n\r\n' ]
	[ "$(get resp_ev 1)" = 'h0:HTTP/1.1 302 Found\r\nLocation: http://x/b.exe\r\nContent-Length: 0\r\n\r\n,h1307:HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nMZ\x90\x00\x03' ]
	# the stage's 4-byte length is pushed alone: MZ starts a message,
	# which the head holds whole: named by offset and length
	[ "$(get orig_ev/resp_ev 2)" = '-/m4/4' ]
	# a line deep in the stream that names a URL; the plain line is not
	# kept, nor the lines the head shows
	[ "$(get orig_ev/resp_ev 3)" = 'l1263::x PRIVMSG #c :.get http://h/x\x2cy.exe/-' ]
	# a comma inside an item is \x2c, so the list splits at every ','
	run -0 bh-cut -H -f orig_ev <(printf '%s\n' "$output")
	# a head of 6 bytes holds only part of it: its bytes are written
	run -0 bh-sessions -s 6 "$T/ev.pcap"
	[ "$(get orig_ev/resp_ev 2)" = '-/m4:MZ\x90\x00' ]
}


@test "orig_ev, resp_ev: FTP commands and replies deep in a stream are line items, their look-alikes are not" {
	big=$(awk 'BEGIN { for (i = 0; i < 12; i++) printf "220-%s\\r\\n", "welcome welcome welcome" }')
	mkcap ftpev <<EOF
$T0.000 tcp 10.0.0.1:1100 > 10.0.0.2:21 S
+0.01 tcp 10.0.0.2:21 > 10.0.0.1:1100 SA
+0.01 tcp 10.0.0.1:1100 > 10.0.0.2:21 A
+0.01 tcp 10.0.0.2:21 > 10.0.0.1:1100 PA "${big}220 ready\r\n"
+0.01 tcp 10.0.0.1:1100 > 10.0.0.2:21 PA "${big}USER anonymous\r\nUSERS x\r\nPORT 10,0,0,1,4,2\r\nPORTAL x\r\n"
+0.01 tcp 10.0.0.2:21 > 10.0.0.1:1100 PA "${big}227 Entering Passive Mode (10,0,0,2,4,3)\r\n2270 x\r\n530 Login incorrect.\r\n"
EOF
	run -0 bh-sessions "$T/ftpev.pcap"
	[ "$(get orig_ev 1)" = 'l348:USER anonymous,l373:PORT 10\x2c0\x2c0\x2c1\x2c4\x2c2' ]
	# the reply's message starts with its greeting (an m item); then
	# the lines past its first 128 bytes
	[[ "$(get resp_ev 1)" == m359:220-welcome*',l707:227 Entering Passive Mode (10\x2c0\x2c0\x2c2\x2c4\x2c3),l757:530 Login incorrect.' ]]
}

@test "ICMP and other protocols are sessions without ports" {
	mkcap icmp <<EOF
$T0.000 icmp 10.0.0.1 > 10.0.0.2 type=8 "ping"
+0.02 icmp 10.0.0.2 > 10.0.0.1 type=0 "ping"
+0.02 icmp6 2001:db8::1 > 2001:db8::2 type=128
+0.02 ip:47 10.0.0.1 > 10.0.0.9 hex:0000880b
EOF
	run -0 bh-sessions "$T/icmp.pcap"
	[ "$(get proto/orig_port/resp_port/orig_pkts/resp_pkts 1)" = icmp/-/-/1/1 ]
	[ "$(get orig_head/orig_bytes 1)" = ping/4 ]
	[ "$(get state/history/syn_n/orig_rtt_n 1)" = -/-/-/- ]
	[ "$(get proto 2)" = icmp6 ]
	[ "$(get proto/orig_bytes 3)" = 47/4 ]
}

@test "IPv4 fragments: later fragments count toward the session of the first" {
	mkcap frag <<EOF
$T0.000 udp 10.0.0.1:500 > 10.0.0.2:500 id=77 frag=0 mf "0123456789abcdef"
+0.001 udp 10.0.0.1:500 > 10.0.0.2:500 id=77 frag=24 "tail"
+0.001 udp 10.0.0.1:500 > 10.0.0.2:500 id=78 frag=24 "lost"
EOF
	run -1 --separate-stderr bh-sessions "$T/frag.pcap"
	[ "$(get orig_pkts/orig_bytes)" = 2/20 ]
	[ "$stderr" = "bh-sessions: 1 packets skipped: 1 frag-unmatched" ]
}

@test "bytes follow the IP length, not the snap length" {
	mkcap snap <<EOF
snaplen 80
$T0.000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=1000
EOF
	run -0 bh-sessions "$T/snap.pcap"
	[ "$(get orig_bytes)" = 1000 ]
	# 80 - 14 - 20 - 20: the captured part of the stream
	[ "$(get orig_head)" = "$(printf 'A%.0s' $(seq 26))" ]
}

@test "-L and BH_LOCAL fill dir: in, out, local, ext" {
	mkcap dir <<EOF
$T0.000 udp 192.0.2.7:1 > 10.0.0.2:1 "in"
$T0.001 udp 10.0.0.2:2 > 192.0.2.7:2 "out"
$T0.002 udp 10.0.0.2:3 > 10.9.9.9:3 "local"
$T0.003 udp 192.0.2.7:4 > 198.51.100.1:4 "ext"
$T0.004 udp [2001:db8::5]:5 > [2001:db8:1::9]:5 "out6"
EOF
	run -0 bh-sessions "$T/dir.pcap"
	[ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 { printf "%s ", $9 }')" = "- - - - - " ]
	run -0 bh-sessions -L 10.0.0.0/8 -L 2001:db8::/48 "$T/dir.pcap"
	[ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 { printf "%s ", $9 }')" = "in out local ext out " ]
	BH_LOCAL="10.0.0.2/32, 10.9.9.9 2001:db8::5" run -0 bh-sessions "$T/dir.pcap"
	[ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 { printf "%s ", $9 }')" = "in out local ext out " ]
	run -2 bh-sessions -L 10.0.0.0/33 "$T/dir.pcap"
	BH_LOCAL=nonsense run -2 bh-sessions "$T/dir.pcap"
}

@test "-m: the longest-idle session is evicted, emitted and counted" {
	mkcap cap <<EOF
$T0.000 udp 10.0.0.1:1 > 10.0.0.2:1 "a"
$T0.001 udp 10.0.0.1:2 > 10.0.0.2:2 "b"
$T0.002 udp 10.0.0.1:1 > 10.0.0.2:1 "a"
$T0.003 udp 10.0.0.1:3 > 10.0.0.2:3 "c"
EOF
	run -0 --separate-stderr bh-sessions -m 2 "$T/cap.pcap"
	[ "$(printf '%s\n' "$output" | awk -F'\t' 'NR > 1 { printf "%s:%s ", $1, $39 }')" = "2:evict 1:eof 3:eof " ]
	[ "$stderr" = "bh-sessions: 1 sessions evicted early by the cap of 2 live sessions (-m)" ]
	run -0 --separate-stderr bh-sessions -q -m 2 "$T/cap.pcap"
	[ "$stderr" = "" ]
	run -2 bh-sessions -m 0 "$T/cap.pcap"
}

@test "two files split mid-session are one capture and one record" {
	# The capture rotated after the request; the second file goes on
	# with the sequence numbers where the first left them.
	http | head -5 | mkcap a
	mkcap b <<EOF
$T0.182000 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 ack=26 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 FA ttl=128 seq=26
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 FA ttl=44 ack=27
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128 seq=27
EOF
	http | mkcap whole
	run -0 bh-sessions "$T/whole.pcap"
	want=$output
	run -0 bh-sessions "$T/a.pcap" "$T/b.pcap"
	[ "$output" = "$want" ]
	run -0 bash -c "cat '$T/a.pcap' | bh-sessions - '$T/b.pcap'"
	[ "$output" = "$want" ]
}

@test "time going back between files: exit 2 naming both, unless -B" {
	http | mkcap a
	mkcap b <<EOF
$((T0 - 100)).000000 udp 10.0.0.1:1 > 10.0.0.2:1 "x"
EOF
	# rotated files are one capture only in time order: exit 2, the
	# sessions read so far written
	run -2 --separate-stderr bh-sessions "$T/a.pcap" "$T/b.pcap"
	[ "$stderr" = "bh-sessions: $T/b.pcap: starts 100.274000 s before the end of $T/a.pcap: give the files in time order, or -B to read them as separate captures" ]
	[ "${#lines[@]}" -eq 2 ]
	# -B: separate captures, each file's sessions its own
	run -0 --separate-stderr bh-sessions -B "$T/a.pcap" "$T/b.pcap"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(get proto/ts 2)" = udp/$((T0 - 100)).000000 ]
	# one second back is a clock step of two sensors, not an error
	mkcap c <<EOF
$((T0)).500000 tcp 203.0.113.9:80 > 192.168.1.5:1055 . ttl=44
EOF
	run -0 --separate-stderr bh-sessions "$T/a.pcap" "$T/c.pcap"
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "pcapng and nanosecond timestamps read the same" {
	http | mkcap ref
	run -0 bh-sessions "$T/ref.pcap"
	want=$output
	{ echo "format pcapng"; http; } | mkcap ng
	run -0 bh-sessions "$T/ng.pcap"
	[ "$output" = "$want" ]
	{ echo "tsres ns"; http; } | mkcap ns
	run -0 bh-sessions "$T/ns.pcap"
	[ "$output" = "$want" ]
}

@test "stdin: no operand or -" {
	http | mkcap h
	run -0 bash -c "bh-sessions < '$T/h.pcap'"
	want=$output
	run -0 bash -c "bh-sessions - < '$T/h.pcap'"
	[ "$output" = "$want" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "header-only capture: the header, exit 0" {
	: | mkcap empty
	run -0 --separate-stderr bh-sessions "$T/empty.pcap"
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "" ]
}

@test "empty input: a capture cut before its header, exit 1" {
	: > "$T/zero"
	run -1 --separate-stderr bh-sessions "$T/zero"
	[ "$stderr" = "bh-sessions: $T/zero: empty file, no capture header" ]
	[ "${#lines[@]}" -eq 1 ]
	run -1 bash -c ": | bh-sessions"
}

@test "truncated capture: records for everything read, a message naming it, exit 1" {
	http | mkcap h
	size=$(wc -c < "$T/h.pcap")
	head -c $((size - 10)) "$T/h.pcap" > "$T/cut.pcap"
	run -1 --separate-stderr bh-sessions "$T/cut.pcap"
	[[ "$stderr" == "bh-sessions: $T/cut.pcap: truncated or corrupt capture after 7 packets: truncated dump file"* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(get orig_pkts/resp_pkts)" = 4/3 ]
	[ "$(get state/end)" = SF/fin ]
	run -2 --separate-stderr bh-sessions --strict "$T/cut.pcap"
	[ "${#lines[@]}" -eq 2 ]
	# --strict ends the run at an empty file even after a file that
	# could not be read (the capture after it is not read)
	: > "$T/empty.pcap"
	run -2 --separate-stderr bh-sessions --strict "$T/nonexistent" "$T/empty.pcap" "$T/h.pcap"
	[ "${stderr_lines[1]}" = "bh-sessions: $T/empty.pcap: empty file, no capture header" ]
	[ "${#lines[@]}" -le 1 ]
}

@test "unreadable file, a non-capture, an unknown link type: exit 2 naming it" {
	http | mkcap h
	run -2 --separate-stderr bh-sessions "$T/missing.pcap" "$T/h.pcap"
	[ "$stderr" = "bh-sessions: $T/missing.pcap: No such file or directory" ]
	# the other operands are still read
	[ "${#lines[@]}" -eq 2 ]
	printf 'GET / HTTP/1.0\r\n\r\n' > "$T/text"
	run -2 --separate-stderr bh-sessions "$T/text"
	[[ "$stderr" == "bh-sessions: $T/text: not a capture file: "* ]]
	mkcap ppp <<EOF
link 9
$T0.000 raw hex:ff0300214500
EOF
	run -2 --separate-stderr bh-sessions "$T/ppp.pcap"
	[ "$stderr" = "bh-sessions: $T/ppp.pcap: unsupported link type 9 (PPP)" ]
}

@test "skipped packets: counted by reason, non-IP ignored, --strict and -q" {
	mkcap skip <<EOF
$T0.000 arp 10.0.0.1 > 10.0.0.2
+0.001 udp 10.0.0.1:1 > 10.0.0.2:1 "ok"
+0.001 tcp 10.0.0.1:2 > 10.0.0.2:2 S snap=40
+0.001 tcp 10.0.0.1:3 > 10.0.0.2:3 S doff=3
+0.001 raw hex:020000000001
+0.001 udp 10.0.0.1:1 > 10.0.0.2:1 ihl=4
EOF
	run -1 --separate-stderr bh-sessions "$T/skip.pcap"
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "bh-sessions: 4 packets skipped: 1 short-link 1 bad-ip 1 short-transport 1 bad-transport
bh-sessions: 1 non-IP frames ignored" ]
	run -1 --separate-stderr bh-sessions -q "$T/skip.pcap"
	[ "$stderr" = "" ]
	run -2 --separate-stderr bh-sessions --strict "$T/skip.pcap"
	[ "$stderr" = "bh-sessions: $T/skip.pcap: packet 3: short-transport" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "deep VLAN stacks and long IPv6 extension chains are cut and counted" {
	mkcap deep <<EOF
$T0.000 raw hex:020000000001020000000002810000018100000281000003810000048100000581000006810000078100000881000009080045
+0.001 raw hex:0200000000010200000000028100000108004500
EOF
	run -1 --separate-stderr bh-sessions "$T/deep.pcap"
	[ "$stderr" = "bh-sessions: 2 packets skipped: 1 vlan-depth 1 short-ip" ]
}

@test "usage: unknown option or bad number, exit 2" {
	run -2 --separate-stderr bh-sessions -x
	[[ "$stderr" == *"usage: bh-sessions "* ]]
	run -2 bh-sessions -s 70000
	run -2 bh-sessions -s abc
	run -0 --separate-stderr bh-sessions -h
	[[ "${lines[0]}" == "usage: bh-sessions "* ]]
	[ -z "$stderr" ]
}

@test "the output is a pure function of the input" {
	http | mkcap h
	run -0 bh-sessions "$T/h.pcap" "$T/h.pcap"
	a=$output
	run -0 bh-sessions "$T/h.pcap" "$T/h.pcap"
	[ "$output" = "$a" ]
}

@test "fast pcap reader and libpcap give the same bytes, errors included" {
	http | mkcap h
	{ echo "tsres ns"; http; } | mkcap ns
	size=$(wc -c < "$T/h.pcap")
	head -c $((size - 10)) "$T/h.pcap" > "$T/cut.pcap"
	head -c $((size - 60)) "$T/h.pcap" > "$T/cuthdr.pcap"
	mkcap hostile <<EOF
snaplen 100
$T0.000 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=300 caplen=300
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=30 len=20
2200000000.999999 udp 10.0.0.1:1 > 10.0.0.2:1 "2039"
+0.01 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA pad=300 caplen=300000
EOF
	mkcap big <<EOF
snaplen 100
$T0.000 udp 10.0.0.1:1 > 10.0.0.2:1 pad=200 caplen=150
EOF
	size=$(wc -c < "$T/big.pcap")
	head -c $((size - 10)) "$T/big.pcap" > "$T/bigcut.pcap"
	head -c $((size - 70)) "$T/big.pcap" > "$T/bigcut2.pcap"
	for f in h ns cut cuthdr hostile big bigcut bigcut2; do
		run --separate-stderr bh-sessions "$T/$f.pcap"
		fast="$output"
		fast_err="$status $stderr"
		BH_SESSIONS_LIBPCAP=1 run --separate-stderr bh-sessions "$T/$f.pcap"
		[ "$fast" = "$output" ]
		# libpcap cuts a record above the snaplen without a word
		case $f in
		hostile|big) ;;
		*)	[ "$fast_err" = "$status $stderr" ] ;;
		esac
		run --separate-stderr bash -c "bh-sessions < '$T/$f.pcap'"
		[ "$fast" = "$output" ]
		[ "$fast_err" = "$status ${stderr//-:/$T\/$f.pcap:}" ]
	done
}

# be < little-endian pcap > big-endian pcap (the same records)
be() {
	perl -e 'local $/; $_ = <STDIN>;
	    my @h = unpack("VvvVVVV", substr($_, 0, 24));
	    my $o = pack("NnnNNNN", @h);
	    for (my $p = 24; $p + 16 <= length; ) {
		my @r = unpack("VVVV", substr($_, $p, 16));
		$o .= pack("NNNN", @r) . substr($_, $p + 16, $r[2]);
		$p += 16 + $r[2];
	    }
	    print $o'
}

@test "big-endian pcap, micro- and nanoseconds: the same records" {
	http | mkcap le
	run -0 bh-sessions "$T/le.pcap"
	want=$output
	be < "$T/le.pcap" > "$T/be.pcap"
	[ "$(od -An -tx1 -N4 "$T/be.pcap" | tr -d ' ')" = a1b2c3d4 ]
	{ echo "tsres ns"; http; } | mkcap lens
	be < "$T/lens.pcap" > "$T/bens.pcap"
	for f in be bens; do
		run -0 bh-sessions "$T/$f.pcap"
		[ "$output" = "$want" ]
		BH_SESSIONS_LIBPCAP=1 run -0 bh-sessions "$T/$f.pcap"
		[ "$output" = "$want" ]
		run -0 bash -c "cat '$T/$f.pcap' | bh-sessions"
		[ "$output" = "$want" ]
	done
}

@test "a record longer than the file's snaplen is cut, kept and reported" {
	mkcap snap <<EOF
snaplen 64
$T0.000000 udp 10.0.0.1:1 > 10.0.0.2:53 "one"
+1 udp 10.0.0.1:2 > 10.0.0.2:53 pad=80 caplen=100
+1 udp 10.0.0.1:3 > 10.0.0.2:53 "three"
EOF
	run -1 --separate-stderr bh-sessions "$T/snap.pcap"
	[ "$stderr" = "bh-sessions: $T/snap.pcap: 1 records longer than the file's snaplen 64, cut to it (the first is packet 2)" ]
	[ "${#lines[@]}" -eq 4 ]
	# 64 - 14 - 20 - 8 bytes of the datagram's 80 were kept
	[ "$(get orig_bytes/orig_head 2)" = "80/$(printf 'A%.0s' $(seq 22))" ]
	run -2 --separate-stderr bh-sessions --strict "$T/snap.pcap"
	[ "$stderr" = "bh-sessions: $T/snap.pcap: packet 2: longer than the file's snaplen 64" ]
	[ "${#lines[@]}" -eq 2 ]
}

# tsrtt: orig_tsrtt_* then resp_tsrtt_* of $output, space-separated.
tsrtt() {
	printf '%s\n' "$output" | awk -F'\t' 'NR == 1 {
		for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $(c["orig_tsrtt_n"]), $(c["orig_tsrtt_min_ms"]),
	    $(c["orig_tsrtt_med_ms"]), $(c["orig_tsrtt_max_ms"]),
	    $(c["resp_tsrtt_n"]), $(c["resp_tsrtt_min_ms"]),
	    $(c["resp_tsrtt_med_ms"]), $(c["resp_tsrtt_max_ms"]) }'
}

@test "TS-RTT: a TSval timed to its first echo; resent, echoed twice, or TSecr 0 gives no sample" {
	# orig: 100 echoed by the SYN/ACK 50 ms on, 102 after 40 ms (the
	# second echo of 102 is no sample); 103 was resent with the same
	# TSval, so its echo is ambiguous.  resp: 9000 echoed 10 ms on,
	# 9002 100 ms on (the originator waited: pping counts that too),
	# 9004 5 ms on; the PA with TSecr 0 echoes nothing.
	mkcap ts <<EOF
$T0.000000 tcp 10.0.0.1:1001 > 10.0.0.2:80 S ts=100/0
+0.050 tcp 10.0.0.2:80 > 10.0.0.1:1001 SA ts=9000/100
+0.010 tcp 10.0.0.1:1001 > 10.0.0.2:80 . ts=101/9000
+0.001 tcp 10.0.0.1:1001 > 10.0.0.2:80 PA ts=102/9000 "hello"
+0.040 tcp 10.0.0.2:80 > 10.0.0.1:1001 . ts=9001/102
+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1001 . ts=9002/102
+0.100 tcp 10.0.0.1:1001 > 10.0.0.2:80 PA ts=103/9002 "again"
+0.200 tcp 10.0.0.1:1001 > 10.0.0.2:80 PA seq=6 ts=103/9002 "again"
+0.020 tcp 10.0.0.2:80 > 10.0.0.1:1001 . ts=9003/103
+0.030 tcp 10.0.0.2:80 > 10.0.0.1:1001 PA ts=9004/0 "x"
+0.005 tcp 10.0.0.1:1001 > 10.0.0.2:80 . ts=104/9004
EOF
	run -0 bh-sessions "$T/ts.pcap"
	[ "$(tsrtt)" = "2 40.000 40.000 50.000 3 5.000 10.000 100.000" ]
}

@test "TS-RTT: TSvals that wrap past 2^32 are still new; no timestamps, no samples" {
	mkcap w <<EOF
$T0.000000 tcp 10.0.0.1:1001 > 10.0.0.2:80 S ts=4294967295/0
+0.030 tcp 10.0.0.2:80 > 10.0.0.1:1001 SA ts=7/4294967295
+0.002 tcp 10.0.0.1:1001 > 10.0.0.2:80 . ts=1/7
+0.001 tcp 10.0.0.1:1001 > 10.0.0.2:80 PA ts=2/7 "hi"
+0.020 tcp 10.0.0.2:80 > 10.0.0.1:1001 . ts=8/2
+1 tcp 10.0.0.1:1002 > 10.0.0.2:80 S
+0.030 tcp 10.0.0.2:80 > 10.0.0.1:1002 SA
+0.002 tcp 10.0.0.1:1002 > 10.0.0.2:80 .
EOF
	run -0 bh-sessions "$T/w.pcap"
	[ "$(tsrtt | sed -n 1p)" = "2 20.000 20.000 30.000 1 2.000 2.000 2.000" ]
	[ "$(tsrtt | sed -n 2p)" = "0 - - - 0 - - -" ]
}

@test "TS-RTT: past 8 samples the median comes from the histogram, within 1/16" {
	# The SYN's 1 ms, then 20 segments echoed 1, 2, ..., 20 ms on: 21
	# samples, the lower median (rank 11) 10 ms; its bucket
	# [9.216, 10.240) ms has the middle 9.728.
	{
		printf '%s tcp 10.0.0.1:1001 > 10.0.0.2:80 S ts=1/0\n' $T0
		printf '+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1001 SA ts=500/1\n'
		printf '+0.001 tcp 10.0.0.1:1001 > 10.0.0.2:80 . ts=2/500\n'
		for i in $(seq 1 20); do
			printf '+0.1 tcp 10.0.0.1:1001 > 10.0.0.2:80 PA ts=%d/%d "x"\n' $((i + 2)) $((i + 499))
			printf '+0.%03d tcp 10.0.0.2:80 > 10.0.0.1:1001 . ts=%d/%d\n' $i $((i + 500)) $((i + 2))
		done
	} | mkcap h
	run -0 bh-sessions "$T/h.pcap"
	[ "$(tsrtt | cut -d' ' -f1-4)" = "21 1.000 9.728 20.000" ]
}

@test "fingerprints: the SYN's and SYN/ACK's p0f raw signature and MuonFP string" {
	# Each signature is the one p0f 3.09b prints for the same packet
	# (p0f -r): Windows' option layout with TTL 113 (15 hops), a Linux
	# SYN/ACK whose window is 20 times its MSS.
	mkcap fp <<EOF
$T0 tcp 10.0.0.1:1055 > 10.0.0.2:445 S ttl=113 mss=1460 wscale=8 win=8192 df opts=mss,nop,ws,nop,nop,sok
+0.01 tcp 10.0.0.2:445 > 10.0.0.1:1055 SA ttl=64 mss=1460 wscale=7 win=29200 df ts=500/0 sackok
+0.001 tcp 10.0.0.1:1055 > 10.0.0.2:445 . ttl=113
EOF
	run -0 bh-sessions "$T/fp.pcap"
	[ "$(printf '%s\n' "$output" | col syn_sig)" = "4:113+15:0:1460:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0" ]
	[ "$(printf '%s\n' "$output" | col synack_sig)" = "4:64+0:0:1460:mss*20,7:mss,sok,ts,nop,ws:df,id+:0" ]
	[ "$(printf '%s\n' "$output" | col syn_muon)" = "8192:2-1-3-1-1-4:1460:8" ]
	[ "$(printf '%s\n' "$output" | col synack_muon)" = "29200:2-4-8-1-3:1460:7" ]
}

@test "fingerprints: p0f's quirks, distance past 35 hops, a payload, a stray SYN/ACK" {
	# The signatures p0f 3.09b prints for these packets.  ack+ is p0f's
	# own reading: the lowest bit of the ACK field's first byte.
	mkcap q <<EOF
$T0 tcp 10.0.0.1:1001 > 10.0.0.2:80 S ttl=64 id=0 mss=1460 ts=0/7 wscale=15 sackok win=5840
+0.01 tcp 10.0.0.1:1002 > 10.0.0.2:80 SEC ttl=250 aseq=0 aack=16777216 mss=536 win=2144 df opts=mss,nop,?30,nop,sack
+0.01 tcp 10.0.0.1:1003 > 10.0.0.2:80 SPU ttl=80 win=1024 "GET"
+0.01 tcp 10.0.0.3:22 > 10.0.0.1:1004 SA ttl=128 aack=0 win=0
+0.01 tcp 10.0.0.1:1005 > 10.0.0.2:80 S ttl=64 aack=1 win=1024
EOF
	run -0 bh-sessions "$T/q.pcap"
	printf '%s\n' "$output" | col syn_sig > "$T/syn"
	printf '%s\n' "$output" | col synack_sig > "$T/synack"
	printf '%s\n' "$output" | col syn_muon > "$T/muon"
	cat > "$T/want" <<EOF
4:64+0:0:1460:mss*4,15:mss,sok,ts,nop,ws:id-,ts1-,ts2+,exws:0
4:250+5:0:536:mss*4,0:mss,nop,?30,nop,sack,eol+1:df,id+,ecn,seq-,ack+:0
4:80+?:0:0:1024,0::urgf+,pushf+:+
-
4:64+0:0:0:1024,0:::0
EOF
	diff -u "$T/want" "$T/syn"
	[ "$(sed -n 4p "$T/synack")" = "4:128+0:0:0:0,0::ack-:0" ]
	[ "$(sed -n 2p "$T/muon")" = "2144:2-1-30-1-5-0:536:" ]
	[ "$(sed -n 3p "$T/muon")" = "1024:::" ]
}

@test "fingerprints: each session gets its own SYN's and SYN/ACK's texts, however many distinct ones" {
	# 1000 sessions, each with a SYN window and a SYN/ACK window of
	# its own: more fingerprints than the texts remembered, so some
	# SYN and SYN/ACK of one session share a memo slot.
	{
		for i in $(seq 1 1000); do
			printf '%s.%06d tcp 10.0.0.1:%d > 10.0.0.2:80 S win=%d\n' $T0 $i $((i + 1024)) $((i + 1000))
		done
		for i in $(seq 1 1000); do
			printf '%s.%06d tcp 10.0.0.2:80 > 10.0.0.1:%d SA win=%d\n' $T0 $((i + 500000)) $((i + 1024)) $((i + 20000))
		done
	} | mkcap many
	run -0 bh-sessions "$T/many.pcap"
	printf '%s\n' "$output" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{
		p = $(c["orig_port"]) - 1024
		if ($(c["syn_muon"]) != (p + 1000) ":::" ||
		    $(c["synack_muon"]) != (p + 20000) ":::" ||
		    $(c["syn_sig"]) != "4:64+0:0:0:" (p + 1000) ",0:::0" ||
		    $(c["synack_sig"]) != "4:64+0:0:0:" (p + 20000) ",0:::0") {
			print "session " p ": " $(c["syn_sig"]) " " $(c["synack_sig"]); bad++ }
	}
	END { exit bad > 0 || NR != 1001 }'
}
