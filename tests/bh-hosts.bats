#!/usr/bin/env bats
# bh-hosts: one record per remote party over all its sessions; the hop
# counts and their spread, the OS votes and conflicts, the RTT by method
# with its quantiles, per pair with -l, the merge law byte for byte
# (random splits, empty parts, associativity, any order), the cap, and
# every exit code.  Input records are written here by hand, and one run
# goes through the whole pipeline from a bh-mkpcap capture.

load helper

# t: a table written with '|' between the fields, as TSV.
t() {
	tr '|' '\t'
}

H='#flow|ts|dur|dir|orig_ip|resp_ip|phase|remote_ttl_init|remote_hops|remote_os|remote_os_sig|ttl_note|rtt_remote_ms|rtt_remote_data_min_ms|orig_tsrtt_min_ms|resp_tsrtt_min_ms|extra'

setup() {
	T=$BATS_TEST_TMPDIR
	# A download server seen three times (an infection it opened, a
	# download and a C&C the honeypot opened; hops 20, 21, 20); a NATed
	# C&C (a Windows signature behind an initial TTL of 64: bh-ttl's
	# os-conflict); a scanner whose initial TTL and hops change; a
	# local session and one without TTLs.
	t > "$T/s.tsv" <<E
$H
1|1262304000.000000|2.500000|in|198.51.100.7|192.168.56.101|infection|128|20|windows|-|ok|0.500|-|-|0.400|x
2|1262304010.000000|1.000000|out|192.168.56.101|198.51.100.7|download|128|21|windows|-|ok|80.000|81.000|82.000|0.010|x
3|1262304100.000000|-|out|192.168.56.101|198.51.100.7|cnc|128|20|windows|-|ok|90.000|-|-|-|x
4|1262304200.000000|0.000000|out|192.168.56.101|203.0.113.9|cnc|64|14|unix|Windows XP|resp:60/64,resp:os-conflict|150.000|152.000|151.000|-|x
5|1262304300.000000|0.000000|out|192.168.56.101|203.0.113.9|cnc|64|14|unix|Windows XP|resp:60/64,resp:os-conflict|-|-|-|-|x
6|1262304050.000000|1.000000|in|2001:db8::5|192.168.56.101|scan|64|10|unix|Linux 2.6.x|ok|-|-|-|-|x
7|1262304060.000000|1.000000|in|2001:db8::5|192.168.56.101|scan|255|16|solaris/network|-|ok|-|-|-|-|x
8|1262304070.000000|1.000000|local|192.168.56.101|192.168.56.102|-|-|-|-|-|-|-|-|-|-|x
9|1262304080.000000|1.000000|in|10.0.0.1|192.168.56.102|-|-|-|-|-|-|-|-|-|-|x
10|1262304090.000000|1.000000|in|-|192.168.56.102|scan|-|-|-|-|-|-|-|-|-|x
E
}

@test "one record per remote party: roles, first and last, TTLs, hops, OS votes, notes" {
	run -0 --separate-stderr bh-hosts "$T/s.tsv"
	# the local session and the one whose remote address is unset
	[ "$stderr" = "bh-hosts: 2 records without a remote party (dir not in or out, or no address) not counted" ]
	[ "${#lines[@]}" -eq 5 ]
	[ "$(vals remote_ip)" = "10.0.0.1 198.51.100.7 203.0.113.9 2001:db8::5 " ]
	[ "$(vals sessions)" = "1 3 2 2 " ]
	[ "$(vals roles)" = "- cnc:1,download:1,infection:1 cnc:2 scan:2 " ]
	# last_ts is the end of the last session (ts + dur; no dur: ts)
	[ "$(vals first_ts)" = "1262304080.000000 1262304000.000000 1262304200.000000 1262304050.000000 " ]
	[ "$(vals last_ts)" = "1262304081.000000 1262304100.000000 1262304300.000000 1262304061.000000 " ]
	[ "$(vals ttl_init)" = "- 128:3 64:2 64:1,255:1 " ]
	[ "$(vals hops_n hops_min hops_mode hops_max)" = "0 3 2 2 - 20 14 10 - 20 14 10 - 21 14 16 " ]
	# the mode's share; on a tie the fewer hops are the mode
	[ "$(vals hops_mode_share hops_distinct hops)" = "- 0.667 1.000 0.500 0 2 1 2 - 20:2,21:1 14:2 10:1,16:1 " ]
	[ "$(vals os_ttl)" = "- windows:3 unix:2 solaris/network:1,unix:1 " ]
	[ "$(vals os_sig os_conflict_n)" = "- - Windows XP:2 Linux 2.6.x:1 0 0 2 0 " ]
	[ "$(vals host_note)" = "- - os-conflict hops-spread,ttl-init-mixed " ]
}

@test "hops: 6 apart is hops-spread, 1 apart is not; -t sets the tolerance; a randomised TTL shows every count" {
	{
		echo "$H"
		echo "1|1262304000.000000|1.000000|in|198.51.100.1|192.168.56.101|scan|64|20|unix|-|ok|-|-|-|-|x"
		echo "2|1262304001.000000|1.000000|in|198.51.100.1|192.168.56.101|scan|64|26|unix|-|ok|-|-|-|-|x"
		echo "3|1262304000.000000|1.000000|in|198.51.100.2|192.168.56.101|scan|64|20|unix|-|ok|-|-|-|-|x"
		echo "4|1262304001.000000|1.000000|in|198.51.100.2|192.168.56.101|scan|64|21|unix|-|ok|-|-|-|-|x"
		# nmap's randomised TTL: 28 hop counts from one scanner
		for h in $(seq 3 30); do
			echo "$((h + 2))|1262304002.000000|0.000000|in|198.51.100.3|192.168.56.101|scan|64|$h|unix|-|ok|-|-|-|-|x"
		done
	} | t > "$T/h.tsv"
	run -0 bh-hosts "$T/h.tsv"
	[ "$(vals remote_ip host_note)" = "198.51.100.1 198.51.100.2 198.51.100.3 hops-spread - hops-spread " ]
	[ "$(vals hops_distinct hops_min hops_max)" = "2 2 28 20 20 3 26 21 30 " ]
	run -0 bh-hosts -t 6 "$T/h.tsv"
	[ "$(vals host_note)" = "- - hops-spread " ]
	run -0 bh-hosts -t 0 "$T/h.tsv"
	[ "$(vals host_note)" = "hops-spread hops-spread hops-spread " ]
}

@test "RTT by method: the remote leg of each (handshake, data-ACK, timestamps by dir); exact quantiles of few samples" {
	run -0 --separate-stderr bh-hosts "$T/s.tsv"
	# 198.51.100.7: handshake 0.5 (in), 80, 90; data-ACK 81; TS: in
	# takes resp_tsrtt (0.400), out takes orig_tsrtt (82.000)
	[ "$(vals rtt_hs_n rtt_hs_min_ms rtt_hs_med_ms rtt_hs_p95_ms rtt_hs_max_ms | cut -d' ' -f2,6,10,14,18)" = "3 0.500 80.000 90.000 90.000" ]
	[ "$(vals rtt_hs_hist | cut -d' ' -f2)" = "0.500:1,80.000:1,90.000:1" ]
	[ "$(vals rtt_data_n rtt_data_min_ms rtt_data_med_ms | cut -d' ' -f2,6,10)" = "1 81.000 81.000" ]
	[ "$(vals rtt_ts_n rtt_ts_min_ms rtt_ts_med_ms rtt_ts_max_ms rtt_ts_hist | cut -d' ' -f2,6,10,14,18)" = "2 0.400 0.400 82.000 0.400:1,82.000:1" ]
	# no sample: n 0 and the rest unset, never 0
	[ "$(vals rtt_hs_n rtt_hs_min_ms rtt_hs_hist | cut -d' ' -f1,4,5,8,9,12)" = "0 0 - - - -" ]
}

@test "RTT in ms with exactly 3 decimals at every width (under a millisecond, a second, and beyond), and counts of every width" {
	{
		echo "$H"
		i=0
		for v in 0.000 0.001 0.010 0.999 9.999 10.000 99.999 100.000 999.999 1000.000 123456.789; do
			i=$((i + 1))
			echo "$i|1262304000.000000|1.000000|out|192.168.56.101|198.51.100.$i|cnc|64|20|unix|-|ok|$v|-|-|-|x"
		done
		for i in $(seq 1 100); do
			echo "$i|1262304000.000000|1.000000|out|192.168.56.101|198.51.100.100|cnc|64|20|unix|-|ok|-|-|-|-|x"
		done
	} | t > "$T/w.tsv"
	run -0 bh-hosts "$T/w.tsv"
	[ "$(vals rtt_hs_min_ms)" = "0.000 0.001 0.010 0.999 9.999 10.000 99.999 100.000 999.999 1000.000 123456.789 - " ]
	[ "$(vals sessions hops)" = "1 1 1 1 1 1 1 1 1 1 1 100 20:1 20:1 20:1 20:1 20:1 20:1 20:1 20:1 20:1 20:1 20:1 20:100 " ]
}

@test "RTT quantiles: type 1 over buckets of 1/64 of a power of two, each keeping its least sample" {
	{
		echo "$H"
		# 100 handshake legs 100.000 .. 199.000 ms toward one party
		for i in $(seq 0 99); do
			echo "$i|1262304000.000000|1.000000|out|192.168.56.101|198.51.100.9|cnc|64|20|unix|-|ok|$((100 + i)).000|-|-|-|x"
		done
	} | t > "$T/q.tsv"
	run -0 bh-hosts "$T/q.tsv"
	# exact: the median is the 50th value (149), p95 the 95th (194);
	# 100 to 127 ms share buckets 2 ms wide (2^16..2^17 us in 64), 128
	# to 199 buckets 2.048 ms wide (a bucket's least is its first value)
	[ "$(vals rtt_hs_n rtt_hs_min_ms rtt_hs_max_ms)" = "100 100.000 199.000 " ]
	med=$(vals rtt_hs_med_ms) p95=$(vals rtt_hs_p95_ms)
	[ "$med" = "148.000 " ] || [ "$med" = "149.000 " ]
	[ "$p95" = "194.000 " ] || [ "$p95" = "193.000 " ]
	# never above the exact value, and less than 1/64 below it
	awk -v m="${med% }" -v p="${p95% }" 'BEGIN { exit !(m <= 149 && m > 149 * 63 / 64 && p <= 194 && p > 194 * 63 / 64) }'
	# the buckets hold every sample
	[ "$(vals rtt_hs_hist | tr ',' '\n' | awk -F: '{ n += $2 } END { print n }')" = 100 ]
}

@test "-l: one record per local and remote pair" {
	{
		echo "$H"
		echo "1|1262304000.000000|1.000000|out|192.168.56.101|198.51.100.7|cnc|64|20|unix|-|ok|80.000|-|-|-|x"
		echo "2|1262304000.000000|1.000000|out|192.168.56.102|198.51.100.7|cnc|64|22|unix|-|ok|90.000|-|-|-|x"
		echo "3|1262304000.000000|1.000000|in|198.51.100.7|192.168.56.101|scan|64|20|unix|-|ok|-|-|-|-|x"
	} | t > "$T/p.tsv"
	run -0 bh-hosts -l "$T/p.tsv"
	[ "${lines[0]%%	remote_ip*}" = "#local_ip" ]
	[ "$(vals local_ip remote_ip sessions hops)" = "192.168.56.101 192.168.56.102 198.51.100.7 198.51.100.7 2 1 20:2 22:1 " ]
	run -0 bh-hosts "$T/p.tsv"
	[ "$(vals remote_ip sessions hops host_note)" = "198.51.100.7 3 20:2,22:1 - " ]
}

@test "the order: IPv4 by its bytes, then IPv6, then any other text in byte order; per pair by the local party first" {
	{
		echo "$H"
		for r in 10.0.0.1000 zz 10.0.0.1 ::1 01.2.3.4 1.2.3.4 10.0.0 2001:db8::1 10.0.0.10 9.255.255.255 1.2.3.256; do
			echo "1|1262304000.000000|1.000000|in|$r|192.168.56.101|scan|-|-|-|-|-|-|-|-|-|x"
		done
		# locals that are no address, one of them a dotted quad
		# but for its last part
		for l in 192.168.56.1011 '#x' 192.168.56.101; do
			echo "2|1262304000.000000|1.000000|out|$l|1.2.3.4|cnc|-|-|-|-|-|-|-|-|-|x"
		done
	} | t > "$T/o.tsv"
	run -0 bh-hosts "$T/o.tsv"
	[ "$(vals remote_ip)" = "1.2.3.4 9.255.255.255 10.0.0.1 10.0.0.10 ::1 2001:db8::1 01.2.3.4 1.2.3.256 10.0.0 10.0.0.1000 zz " ]
	run -0 bh-hosts -l "$T/o.tsv"
	l=$(printf '192.168.56.101 %.0s' $(seq 11))
	[ "$(vals local_ip remote_ip)" = "$l"'192.168.56.1011 \x23x 1.2.3.4 9.255.255.255 10.0.0.1 10.0.0.10 ::1 2001:db8::1 01.2.3.4 1.2.3.256 10.0.0 10.0.0.1000 zz 1.2.3.4 1.2.3.4 ' ]
}

# split IN SEED K: IN's records dealt at random into $T/part1..K (each
# with the header; some may get none).
split_parts() {
	local in=$1 seed=$2 k=$3 i
	for i in $(seq 1 "$k"); do head -1 "$in" > "$T/part$i"; done
	tail -n +2 "$in" | awk -v s="$seed" -v k="$k" -v d="$T" \
	    'BEGIN { srand(s) } { print >> (d "/part" (int(rand() * k) + 1)) }'
}

@test "merge law: bh-hosts of the whole = --merge of the parts, byte for byte (random splits, any order, associative, empty parts)" {
	# the fixture and a bigger stream: bh-synth's capture through the
	# pipeline, when the tools are built
	cp "$T/s.tsv" "$T/all.tsv"
	if [ -x "$BH_BIN/bh-synth" ] && [ -x "$BH_BIN/bh-sessions" ]; then
		bh-synth -q -n 1500 -s 7 | bh-sessions -L 192.168.56.0/24 \
		    -L 2001:db8:56::/64 2>/dev/null | bh-phase | bh-rtt |
		    bh-ttl > "$T/all.tsv"
	fi
	for opts in "" "-l" "-t 0"; do
		# --merge takes -l from the tables, -t as given (it acts at
		# the output)
		mopts=${opts#-l}
		bh-hosts $opts "$T/all.tsv" > "$T/direct" 2>/dev/null
		[ "$(wc -l < "$T/direct")" -gt 3 ]
		for seed in 1 2 3; do
			split_parts "$T/all.tsv" $seed 4
			for i in 1 2 3 4; do
				bh-hosts $opts "$T/part$i" > "$T/h$i" 2>/dev/null
			done
			bh-hosts --merge $mopts "$T/h1" "$T/h2" "$T/h3" "$T/h4" > "$T/m"
			cmp "$T/m" "$T/direct" || { echo "split $seed: $opts"; return 1; }
			# any order, any grouping
			bh-hosts --merge $mopts "$T/h4" "$T/h2" > "$T/m42"
			bh-hosts --merge $mopts "$T/h3" "$T/h1" > "$T/m31"
			bh-hosts --merge $mopts "$T/m31" "$T/m42" | cmp - "$T/direct"
			bh-hosts --merge $mopts "$T/m42" <(bh-hosts --merge $mopts "$T/h1" "$T/m31" "$T/h3" /dev/null) > /dev/null
		done
		# an empty part and a header-only part change nothing; a table
		# merged alone is itself
		head -1 "$T/all.tsv" > "$T/hdr"
		bh-hosts $opts "$T/hdr" > "$T/ph"
		[ "$(wc -l < "$T/ph")" -eq 1 ]
		: > "$T/empty"
		bh-hosts --merge $mopts "$T/ph" "$T/direct" "$T/empty" | cmp - "$T/direct"
		bh-hosts --merge $mopts "$T/direct" | cmp - "$T/direct"
	done
}

@test "merge law holds for what a merge adds up twice: counts, least samples, extremes" {
	# the same party in both parts, with samples in shared buckets
	{
		echo "$H"
		echo "1|1262304000.000000|1.000000|out|192.168.56.101|198.51.100.9|cnc|64|20|unix|-|ok|150.500|-|-|-|x"
		echo "2|1262304100.000000|1.000000|out|192.168.56.101|198.51.100.9|cnc|64|20|unix|-|ok|150.100|-|-|-|x"
	} | t > "$T/a.tsv"
	{
		echo "$H"
		echo "3|1262304050.000000|9.000000|out|192.168.56.101|198.51.100.9|download|128|26|windows|-|ok|151.000|-|-|-|x"
	} | t > "$T/b.tsv"
	bh-hosts "$T/a.tsv" "$T/b.tsv" > "$T/direct"
	run -0 bh-hosts --merge <(bh-hosts "$T/b.tsv") <(bh-hosts "$T/a.tsv")
	printf '%s\n' "$output" | cmp - "$T/direct"
	[ "$(vals rtt_hs_hist first_ts last_ts host_note)" = "150.100:3 1262304000.000000 1262304101.000000 hops-spread,ttl-init-mixed " ]
}

@test "--merge: not bh-hosts' table, or -l on a table per party, is exit 2; a bad row is exit 1 and skipped" {
	run -2 --separate-stderr bh-hosts --merge "$T/s.tsv"
	[ "$stderr" = "bh-hosts: $T/s.tsv:1: not the output of bh-hosts: --merge reads its own tables" ]
	bh-hosts "$T/s.tsv" > "$T/h" 2>/dev/null
	run -2 --separate-stderr bh-hosts --merge -l "$T/h"
	[ "$stderr" = "bh-hosts: $T/h:1: -l: this table is per remote party, not per pair" ]
	# a histogram that does not hold n samples, a malformed list, a
	# count of 0, first after last, a hist item below the minimum
	awk -F'\t' -v OFS='\t' 'NR == 3 { $18 = 4 } NR == 4 { $13 = "14:x" } NR == 5 { $6 = "64:0,255:2" } { print }' "$T/h" > "$T/bad"
	awk -F'\t' -v OFS='\t' 'NR == 3 { $4 = "1262309999.000000" } NR == 4 { $23 = "149.000:1" } { print }' "$T/h" > "$T/bad2"
	run -1 --separate-stderr bh-hosts --merge "$T/bad"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(vals remote_ip)" = "10.0.0.1 " ]
	[ "${stderr_lines[0]}" = "bh-hosts: $T/bad:3: rtt_hs_hist: not a distribution of bh-hosts; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-hosts: $T/bad:4: hops: not a list of bh-hosts; record skipped" ]
	[ "${stderr_lines[2]}" = "bh-hosts: $T/bad:5: ttl_init: not a list of bh-hosts; record skipped" ]
	run -1 --separate-stderr bh-hosts --merge "$T/bad2"
	[ "$(vals remote_ip)" = "10.0.0.1 2001:db8::5 " ]
	[ "${stderr_lines[0]}" = "bh-hosts: $T/bad2:3: sessions, first_ts, last_ts or os_conflict_n do not agree; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-hosts: $T/bad2:4: rtt_hs_hist: not a distribution of bh-hosts; record skipped" ]
}

@test "--merge: counts near 2^64 are bounded, never wrapped: sessions past 2^63 - 1 and lists adding up past the sessions are skipped; a merged share of 2^63 - 1 is 1.000" {
	printf '#flow\tts\tdur\tdir\torig_ip\tresp_ip\tremote_ttl_init\tremote_hops\n1\t1.0\t0.1\tin\t192.0.2.4\t10.0.0.1\t128\t20\n' |
	    bh-hosts > "$T/h"
	# sessions 2^63, and each list as many: 2 * hops_n wrapped to 0
	awk -F'\t' -v OFS='\t' -v B=9223372036854775808 'NR > 1 { $2 = B; $6 = "128:" B; $13 = "20:" B } { print }' "$T/h" > "$T/big"
	run -1 --separate-stderr bh-hosts --merge "$T/big"
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "bh-hosts: $T/big:2: sessions: more than 2^63 - 1; record skipped
bh-hosts: 1 bad record skipped" ]
	# one session whose hop counts add up to 2^64 + 1: wrapped, 1
	awk -F'\t' -v OFS='\t' 'NR > 1 { $13 = "20:18446744073709551615,21:2" } { print }' "$T/h" > "$T/wrap"
	run -1 --separate-stderr bh-hosts --merge "$T/wrap"
	[ "${#lines[@]}" -eq 1 ]
	[ "${stderr_lines[0]}" = "bh-hosts: $T/wrap:2: hops: not a list of bh-hosts; record skipped" ]
	# 2^63 - 1 sessions at 20 hops: 2000 times the mode's count is past
	# 2^64, the share is still all of them
	awk -F'\t' -v OFS='\t' -v B=9223372036854775807 'NR > 1 { $2 = B; $6 = "128:" B; $7 = B; $13 = "20:" B } { print }' "$T/h" > "$T/most"
	run -0 bh-hosts --merge "$T/most"
	[ "$(vals sessions)" = "9223372036854775807 " ]
	[ "$(vals hops_mode_share)" = "1.000 " ]
	# and one more session to it does not fit
	run -1 --separate-stderr bh-hosts --merge "$T/most" "$T/h"
	[ "$(vals sessions)" = "9223372036854775807 " ]
	[ "$stderr" = "bh-hosts: $T/h:2: sessions: too many to add; record skipped
bh-hosts: 1 bad record skipped" ]
}

@test "-N: more remote parties than allowed is exit 2 and no rows, not a cut table" {
	run -2 --separate-stderr bh-hosts -N 3 "$T/s.tsv"
	[ "$stderr" = "bh-hosts: more than 3 remote parties: no table is written rather than a cut one (raise -N)" ]
	[ "${#lines[@]}" -eq 1 ]
	run -0 --separate-stderr bh-hosts -N 4 "$T/s.tsv"
	[ "${#lines[@]}" -eq 5 ]
	bh-hosts "$T/s.tsv" > "$T/h" 2>/dev/null
	run -2 bh-hosts --merge -N 2 "$T/h"
}

@test "exit 2: usage, bad option values, missing column, unreadable file" {
	run -2 --separate-stderr bh-hosts -x "$T/s.tsv"
	[ "${stderr_lines[1]}" = "usage: bh-hosts [-hl] [-N max] [-t hops] [--strict] [file ...]" ]
	run -2 --separate-stderr bh-hosts -N 0 "$T/s.tsv"
	[ "$stderr" = "bh-hosts: -N 0: a number of parties from 1 to 2^30" ]
	run -2 --separate-stderr bh-hosts -t 256 "$T/s.tsv"
	[ "$stderr" = "bh-hosts: -t 256: a number of hops from 0 to 255" ]
	printf '#flow\tts\torig_ip\tresp_ip\n1\t1.000000\ta\tb\n' > "$T/nodir"
	run -2 --separate-stderr bh-hosts "$T/nodir"
	[ "$stderr" = "bh-hosts: $T/nodir: missing column 'dir'" ]
	run -2 --separate-stderr bh-hosts "$T/nonexistent"
	[[ "$stderr" == "bh-hosts: $T/nonexistent: No such file or directory"* ]]
	run -0 bh-hosts --help
	[ "${lines[0]}" = "usage: bh-hosts [-hl] [-N max] [-t hops] [--strict] [file ...]" ]
}

@test "exit 1: a bad value is reported with file:line and its record skipped; --strict makes it exit 2" {
	awk -F'\t' -v OFS='\t' 'NR == 3 { $9 = "x" } NR == 4 { $13 = "-5.000" } { print }' "$T/s.tsv" > "$T/b.tsv"
	run -1 --separate-stderr bh-hosts "$T/b.tsv"
	[ "${stderr_lines[0]}" = "bh-hosts: $T/b.tsv:3: remote_hops: bad hop count 'x'; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-hosts: $T/b.tsv:4: rtt_remote_ms: bad RTT '-5.000'; record skipped" ]
	[ "$(vals remote_ip sessions | cut -d' ' -f2,6)" = "198.51.100.7 1" ]
	run -2 --separate-stderr bh-hosts --strict "$T/b.tsv"
	[ "$stderr" = "bh-hosts: $T/b.tsv:3: remote_hops: bad hop count 'x'; record skipped" ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "empty input, header only, no final newline, comments pass through, unknown columns ignored" {
	run -0 bh-hosts < /dev/null
	[ -z "$output" ]
	head -1 "$T/s.tsv" > "$T/h.tsv"
	run -0 bh-hosts "$T/h.tsv"
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]%%	*}" = "#remote_ip" ]
	{ echo "# a comment"; head -3 "$T/s.tsv"; echo "# later"; sed -n 4p "$T/s.tsv" | tr -d '\n'; } > "$T/c.tsv"
	run -0 bh-hosts "$T/c.tsv"
	[ "${lines[0]}" = "# a comment" ]
	[ "${lines[2]}" = "# later" ]
	[ "$(vals remote_ip sessions)" = "198.51.100.7 3 " ]
}

@test "a hostile byte stays escaped, and a comma inside a role or label becomes \\x2c in the list (and merges)" {
	{
		echo "$H"
		echo '1|1262304000.000000|1.000000|in|198.51.100.7|192.168.56.101|\x1b[2J|64|20|unix|Win,dows|ok|-|-|-|-|x'
		echo '2|1262304000.000000|1.000000|in|198.51.100.7|192.168.56.101|\x1b[2J|64|20|unix|Win\x2cdows|ok|-|-|-|-|x'
	} | t > "$T/e.tsv"
	run -0 bh-hosts "$T/e.tsv"
	[ "$(vals roles os_sig)" = '\x1b[2J:2 Win\x2cdows:2 ' ]
	printf '%s\n' "$output" | LC_ALL=C grep -qv $'\x1b'
	run -0 bh-hosts --merge <(bh-hosts "$T/e.tsv") <(bh-hosts "$T/e.tsv")
	[ "$(vals roles os_sig)" = '\x1b[2J:4 Win\x2cdows:4 ' ]
}

@test "a party whose text begins with # is written \\x23 (a row is not a comment), and merges as itself" {
	{
		echo "$H"
		echo '1|1262304000.000000|1.000000|out|#x|198.51.100.7|cnc|64|20|unix|-|ok|-|-|-|-|x'
		echo '2|1262304000.000000|1.000000|out|192.168.56.101|#y|cnc|64|20|unix|-|ok|-|-|-|-|x'
	} | t > "$T/e.tsv"
	run -0 bh-hosts -l "$T/e.tsv"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(vals local_ip remote_ip)" = '192.168.56.101 \x23x \x23y 198.51.100.7 ' ]
	bh-hosts -l "$T/e.tsv" > "$T/h"
	run -0 bh-hosts --merge "$T/h"
	printf '%s\n' "$output" | cmp - "$T/h"
}

@test "through the pipeline: timestamps on both sides give the TS leg, and a Windows signature behind TTL 64 is a conflict" {
	[ -x "$BH_BIN/bh-sessions" ] && [ -x "$BH_BIN/bh-mkpcap" ] ||
	    skip "bh-sessions or bh-mkpcap not built"
	# p0f 3's format: a Windows XP layout (mss,nop,nop,sok)
	cat > "$T/p0f.fp" <<'E'
[tcp:response]
label = s:win:Windows:XP
sig   = *:128:0:*:65535,0:mss,nop,nop,sok:df,id+:0
E
	# the honeypot 192.168.1.5 fetches from 198.51.100.20 twice; the
	# server answers with TTL 50 (init 64, 14 hops) and an XP layout;
	# timestamps on the first session only; the second 6 hops further
	bh-mkpcap -o "$T/cap.pcap" <<'E'
1262304000.000 tcp 192.168.1.5:1040 > 198.51.100.20:80 S ttl=128 mss=1460 ts=100/0
+0.080 tcp 198.51.100.20:80 > 192.168.1.5:1040 SA ttl=50 win=65535 mss=1460 sackok opts=mss,nop,nop,sok
+0.001 tcp 192.168.1.5:1040 > 198.51.100.20:80 . ttl=128
+0.001 tcp 192.168.1.5:1040 > 198.51.100.20:80 P. ttl=128 ts=101/0 "GET / HTTP/1.0\r\n\r\n"
+0.088 tcp 198.51.100.20:80 > 192.168.1.5:1040 P. ttl=50 ts=900/101 "HTTP/1.0 200 OK\r\n\r\n"
+0.001 tcp 192.168.1.5:1040 > 198.51.100.20:80 F. ttl=128
+0.079 tcp 198.51.100.20:80 > 192.168.1.5:1040 F. ttl=50
+0.001 tcp 192.168.1.5:1040 > 198.51.100.20:80 . ttl=128
1262304010.000 tcp 192.168.1.5:1041 > 198.51.100.20:80 S ttl=128 mss=1460
+0.090 tcp 198.51.100.20:80 > 192.168.1.5:1041 SA ttl=44 win=65535 mss=1460 sackok opts=mss,nop,nop,sok
+0.001 tcp 192.168.1.5:1041 > 198.51.100.20:80 . ttl=128
+0.001 tcp 192.168.1.5:1041 > 198.51.100.20:80 F. ttl=128
+0.088 tcp 198.51.100.20:80 > 192.168.1.5:1041 F. ttl=44
+0.001 tcp 192.168.1.5:1041 > 198.51.100.20:80 . ttl=128
E
	run -0 --separate-stderr bash -c "bh-sessions -L 192.168.1.0/24 '$T/cap.pcap' | bh-phase | bh-rtt | bh-ttl -p '$T/p0f.fp' | bh-hosts"
	[ "$(vals remote_ip sessions ttl_init hops)" = "198.51.100.20 2 64:2 14:1,20:1 " ]
	[ "$(vals os_sig os_conflict_n host_note)" = "Windows XP:2 2 hops-spread,os-conflict " ]
	[ "$(vals rtt_hs_n rtt_hs_min_ms rtt_hs_max_ms)" = "2 80.000 90.000 " ]
	[ "$(vals rtt_ts_n rtt_ts_min_ms)" = "1 88.000 " ]
}

@test "bh-synth's planted parties: every NATed server is an os-conflict, every flapping route seen in both states hops-spread, nothing else" {
	for t in bh-synth bh-sessions bh-phase bh-rtt bh-ttl; do
		[ -x "$BH_BIN/$t" ] || skip "$t not built"
	done
	# p0f 3's format: the Windows XP and Linux 2.6 layouts bh-synth writes
	cat > "$T/p0f.fp" <<'E'
[tcp:request]
label = s:win:Windows:XP
sig   = *:128:0:*:65535,0:mss,nop,nop,sok:df,id+:0
label = s:unix:Linux:2.6.x
sig   = *:64:0:*:mss*4,7:mss,sok,ts,nop,ws:df,id+:0
sig   = *:64:0:*:mss*4,7:mss,nop,nop,sok,nop,ws:df,id+:0
[tcp:response]
label = s:win:Windows:XP
sig   = *:128:0:*:65535,0:mss,nop,nop,sok:df,id+:0
label = s:unix:Linux:2.6.x
sig   = *:64:0:*:mss*4,*:mss,sok,ts,nop,ws:df:0
sig   = *:64:0:*:mss*4,*:mss,nop,nop,sok,nop,ws:df:0
E
	bh-synth -q -n 4000 -s 2010 -o "$T/cap.pcap" -t "$T/truth.tsv"
	bh-sessions -q -L 192.168.56.0/24 -L 2001:db8:56::/64 "$T/cap.pcap" |
	    bh-phase | bh-rtt | bh-ttl -p "$T/p0f.fp" | bh-hosts > "$T/hosts.tsv" 2>/dev/null
	run -0 "$BATS_TEST_DIRNAME/../examples/score-hosts.sh" "$T/truth.tsv" "$T/hosts.tsv"
	[ "${lines[0]%% *}" = parties ]
	[[ "${lines[2]}" =~ ^hops-spread\ ([0-9]+)\ ([0-9]+)\ \(([0-9]+)\ planted\)$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[3]}" -gt 0 ]
	[[ "${lines[3]}" =~ ^os-conflict\ ([0-9]+)\ ([0-9]+)\ \(([0-9]+)\ planted\)$ ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[3]}" -gt 0 ]
	# without a p0f.fp the conflict cannot be seen, and the score says so
	bh-sessions -q -L 192.168.56.0/24 -L 2001:db8:56::/64 "$T/cap.pcap" |
	    bh-phase | bh-rtt | bh-ttl -P | bh-hosts > "$T/hosts-p.tsv" 2>/dev/null
	run -0 "$BATS_TEST_DIRNAME/../examples/score-hosts.sh" "$T/truth.tsv" "$T/hosts-p.tsv"
	[[ "${lines[3]}" == "os-conflict not scored: no OS by signature (give bh-ttl a p0f.fp); "*" NATed parties planted" ]]
	# a table that misses a party's flag is scored wrong, exit 1
	awk -F'\t' -v OFS='\t' '$17 == "os-conflict" && !done { $17 = "-"; done = 1 } { print }' "$T/hosts.tsv" > "$T/bad.tsv"
	run -1 "$BATS_TEST_DIRNAME/../examples/score-hosts.sh" "$T/truth.tsv" "$T/bad.tsv"
	[[ "${lines[0]}" == "party "*": os-conflict want 1 got 0" ]]
}
