#!/usr/bin/env bats
# bh-synth: the honeypot capture synthesizer and its truth file.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
}

@test "same seed, same bytes; another seed, other bytes" {
	bh-synth -n 500 -s 7 -o "$T/a.pcap" -t "$T/a.tsv"
	bh-synth -n 500 -s 7 -o "$T/b.pcap" -t "$T/b.tsv"
	bh-synth -n 500 -s 8 -o "$T/c.pcap" -t "$T/c.tsv"
	cmp "$T/a.pcap" "$T/b.pcap"
	cmp "$T/a.tsv" "$T/b.tsv"
	run -1 cmp -s "$T/a.pcap" "$T/c.pcap"
}

@test "the bytes are the same on every machine (golden checksums)" {
	bh-synth -n 300 -s 1 -o "$T/g.pcap" -t "$T/g.tsv"
	run -0 bash -c "cksum < '$T/g.pcap'; cksum < '$T/g.tsv'"
	golden synth/cksum
}

@test "the truth of a small capture (golden)" {
	run -0 bh-synth -n 25 -s 3 -o /dev/null -t /dev/stdout
	golden synth/truth-25
}

@test "-o - and stdout write the same capture as -o file" {
	bh-synth -n 200 -o "$T/f.pcap"
	bh-synth -n 200 -o - > "$T/o.pcap"
	bh-synth -n 200 | cat > "$T/p.pcap"
	cmp "$T/f.pcap" "$T/o.pcap"
	cmp "$T/f.pcap" "$T/p.pcap"
}

@test "a pcap header: little-endian, microseconds, Ethernet" {
	bh-synth -n 10 -o "$T/h.pcap"
	run -0 od -A n -t x1 -N 24 "$T/h.pcap"
	[ "$(echo $output)" = "d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 01 00 00 00" ]
}

@test "-n: exactly that many sessions in the truth and in bh-sessions" {
	bh-synth -n 1234 -o "$T/n.pcap" -t "$T/n.tsv"
	run -0 bh-cut -H "$T/n.tsv"
	[ "${#lines[@]}" -eq 1234 ]
	run -0 bash -c "bh-sessions -q '$T/n.pcap' | bh-cut -H -f flow | sort -n | tail -n 1"
	[ "$output" = 1234 ]
}

@test "the truth is a record stream numbered in first-packet order" {
	bh-synth -n 800 -o /dev/null -t "$T/t.tsv"
	run -0 bh-cut --strict "$T/t.tsv"
	run -0 bash -c "bh-cut -H -f flow '$T/t.tsv' | awk '\$1 != NR' | head -n 1"
	[ -z "$output" ]
	run -0 bash -c "bh-cut -H -f ts '$T/t.tsv' | sort -c && echo sorted"
	[ "$output" = sorted ]
}

@test "the mix: every phase, both OS groups, IPv6, VLAN, Karn cases" {
	bh-synth -n 3000 -o /dev/null -t "$T/m.tsv"
	# count "column=value" over the truth, once
	awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) { sub(/^#/, "", $i); c[i] = $i }; next }
	    { for (i = 1; i <= NF; i++) n[c[i] "=" $i]++; if ($4 ~ /:/) n["v6"]++ }
	    END { for (k in n) print k, n[k] }' "$T/m.tsv" > "$T/count"
	has() { awk -v k="$1" -v min="${2:-1}" '$1 == k && $2 >= min { f = 1 } END { exit !f }' "$T/count"; }
	for p in scan infection download cnc attack -; do has "phase=$p"; done
	for a in smb dcerpc http ftp ftp-data tftp irc dns netbios; do has "app=$a"; done
	has remote_ttl_init=128 1000
	has remote_ttl_init=64 100
	has v6 20
	has vlan=56 20
	has vlan=mixed 5
	for h in syn-synack synack-ack karn-synack ts-synack no-synack no-ack udp; do
		has "rtt_how=$h"
	done
	# hops spread around 22, inside 14..30 (+1 after a route change)
	col remote_hops < "$T/m.tsv" | grep -v -- - | sort -n > "$T/hops"
	run -0 sed -n '1p;$p' "$T/hops"
	[ "${lines[0]}" -ge 14 ]
	[ "${lines[1]}" -le 31 ]
}

@test "an ambiguous RTT is - in the truth, a resolved one is a number" {
	bh-synth -n 5000 -s 13 -o /dev/null -t "$T/k.tsv"
	run -0 bash -c "bh-cut -H -f rtt_how,rtt_remote_ms '$T/k.tsv' |
	    awk '(\$1 ~ /^karn|ts-same|no-|udp/) != (\$2 == \"-\")' | head -n 3"
	[ -z "$output" ]
	for h in karn-syn ts-syn ts-syn-first ts-same; do
		[ "$(col rtt_how < "$T/k.tsv" | grep -cx -- "$h")" -gt 0 ]
	done
}

@test "links name each other" {
	bh-synth -n 4000 -o /dev/null -t "$T/l.tsv"
	run -0 bash -c "bh-cut -H -f flow,link '$T/l.tsv' | awk '\$2 != \"-\"' |
	    sort -k1,1 > '$T/ab'; awk '{ print \$2, \$1 }' '$T/ab' | sort -k1,1 |
	    tr ' ' '\t' | diff '$T/ab' - && wc -l < '$T/ab'"
	[ "$output" -gt 10 ]
}

@test "-b: stops near the size asked for" {
	bh-synth -b 2MB -o "$T/b.pcap"
	size=$(wc -c < "$T/b.pcap")
	[ "$size" -ge 2000000 ]
	[ "$size" -le 4000000 ]
	bh-synth -b 1M -o "$T/c.pcap"
	[ "$(wc -c < "$T/c.pcap")" -ge 1048576 ]
}

@test "usage errors exit 2" {
	run -2 bh-synth -n 0
	run -2 bh-synth -n x
	run -2 bh-synth -n 10 -b 1M
	run -2 bh-synth -b 1Q
	run -2 bh-synth -s -1
	run -2 bh-synth -z
	run -2 bh-synth extra
	run -2 --separate-stderr bh-synth -n 5 -o /nonexistent/dir/x.pcap
	[ "$stderr" = "bh-synth: /nonexistent/dir/x.pcap: No such file or directory" ]
	run -2 --separate-stderr bh-synth -n 5 -o /dev/null -t /nonexistent/t.tsv
	[ "$stderr" = "bh-synth: /nonexistent/t.tsv: No such file or directory" ]
}

@test "payloads: the MZ body, the bot command, the exploit bytes" {
	bh-synth -n 3000 -o "$T/p.pcap"
	grep -aq 'HTTP/1.1 200 OK' "$T/p.pcap"
	grep -aq 'This program cannot be run in DOS mode' "$T/p.pcap"
	grep -aq 'PRIVMSG\|332' "$T/p.pcap"
	grep -aq 'NICK \[XP|USA|' "$T/p.pcap"
	grep -aq 'PORT 192,168,56,101,' "$T/p.pcap"
	grep -aq 'NT LM 0.12' "$T/p.pcap"
	grep -aq 'msblast.exe' "$T/p.pcap"
}

@test "-g: pcapng with the same packets (the same sessions)" {
	bh-synth -n 300 -o "$T/a.pcap"
	bh-synth -g -n 300 -o "$T/a.pcapng"
	run -0 od -A n -t x1 -N 4 "$T/a.pcapng"
	[ "$(echo $output)" = "0a 0d 0d 0a" ]
	bh-sessions -q "$T/a.pcap" > "$T/s1"
	bh-sessions -q "$T/a.pcapng" > "$T/s2"
	cmp "$T/s1" "$T/s2"
}
