#!/usr/bin/env bats
# bh-mkpcap: the fixture writer.  Golden hex dumps (od) pin the bytes;
# where tshark/tcpdump are installed they cross-check the decoding and
# every checksum, and are skipped otherwise.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
}

# hex FILE: the bytes of FILE, 16 a line
hex() {
	od -An -tx1 -v "$1"
}

# mkcap NAME < description: write $T/NAME.pcap, fail the test on error

# bytes FILE OFFSET COUNT: COUNT bytes at OFFSET as one hex string
bytes() {
	od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'
}

# frames FILE: the data of each record of a pcap file, one hex line each
frames() {
	local h p=48 n
	h=$(od -An -tx1 -v "$1" | tr -d ' \n')
	while [ $p -lt ${#h} ]; do
		n=$((16#${h:p+22:2}${h:p+20:2}${h:p+18:2}${h:p+16:2}))
		echo "${h:p+32:n*2}"
		p=$((p + 32 + n * 2))
	done
}

need() {
	command -v "$1" >/dev/null || skip "$1 not installed"
}

# tshark with every checksum verified; prints nothing on stderr noise
tsh() {
	tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
	    -o udp.check_checksum:TRUE "$@" 2>/dev/null
}

http_example() {
	cat <<'EOF'
# outbound HTTP download, 90 ms to the server, server 20 hops away (TTL 44)
1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128 mss=1460
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 FA ttl=128
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 FA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
EOF
}

# One packet of each kind, for the link type / format matrix.
every_kind() {
	cat <<'EOF'
1262304000.000000 tcp 10.0.0.1:1055 > 10.0.0.2:445 S ttl=128 mss=1460 wscale=7 sackok ts=100/0
+0.010 tcp 10.0.0.2:445 > 10.0.0.1:1055 SA mss=1440 sackok ts=500/100 wscale=2 df
+0.001 tcp 10.0.0.1:1055 > 10.0.0.2:445 . ts=101/500
+0.001 tcp 10.0.0.1:1055 > 10.0.0.2:445 PA "hello\x00\xff" pad=100
+0.001 udp 10.0.0.1:5353 > 10.0.0.2:69 hex:0001666f6f006f6374657400
+0.001 icmp 10.0.0.1 > 10.0.0.2 "ping"
+0.001 icmp 10.0.0.2 > 10.0.0.1 type=0 "ping"
+0.001 ip:47 10.0.0.1 > 10.0.0.2 hex:00000800
+0.001 tcp [2001:db8::1]:40000 > [2001:db8::2]:80 S mss=1220
+0.001 tcp [2001:db8::2]:80 > [2001:db8::1]:40000 SA hbh dstopt
+0.001 udp [2001:db8::1]:5000 > [2001:db8::2]:6000 v6frag id=77 "x"
+0.001 icmp6 2001:db8::1 > 2001:db8::2 "ping6"
+0.001 udp 10.0.0.1:1000 > 10.0.0.2:2000 frag=0 mf id=99 pad=24
+0.001 udp 10.0.0.1:1000 > 10.0.0.2:2000 frag=32 id=99 pad=16
+0.001 tcp 10.0.0.9:1 > 10.0.0.1:2 S
+0.001 tcp 10.0.0.1:2 > 10.0.0.9:1 RA
EOF
}

@test "the HTTP example: golden bytes" {
	http_example | mkcap http
	run -0 hex "$T/http.pcap"
	golden mkpcap/http.hex
}

@test "the HTTP example: tshark decodes it with relative seq/ack and good checksums" {
	need tshark
	http_example | mkcap http
	run -0 tsh -r "$T/http.pcap" -T fields -e tcp.flags -e tcp.seq \
	    -e tcp.ack -e tcp.len -e ip.ttl -e ip.checksum.status \
	    -e tcp.checksum.status
	golden mkpcap/http.tshark
}

@test "empty input: just the pcap header (Ethernet, snaplen 262144, us)" {
	run -0 bash -c 'bh-mkpcap </dev/null | od -An -tx1'
	[ "$output" = " d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00
 00 00 04 00 01 00 00 00" ]
}

@test "comments and blank lines only, no final newline: header only" {
	printf '# nothing\n\n   \t\n# but comments' | mkcap c
	run -0 bytes "$T/c.pcap" 0 100
	[ "$output" = d4c3b2a10200040000000000000000000000040001000000 ]
}

@test "no final newline: the last packet is written" {
	printf '1 udp 10.0.0.1:1 > 10.0.0.2:2' | mkcap a
	printf '1 udp 10.0.0.1:1 > 10.0.0.2:2\n' | mkcap b
	cmp "$T/a.pcap" "$T/b.pcap"
	# ts 1.000000, caplen = len = 14 + 20 + 8
	run -0 bytes "$T/a.pcap" 24 16
	[ "$output" = 01000000000000002a0000002a000000 ]
}

@test "directives: link, format, snaplen, tsres in the file header" {
	printf 'link sll2\nsnaplen 96\ntsres ns\n' | mkcap a
	run -0 hex "$T/a.pcap"
	[ "$output" = " 4d 3c b2 a1 02 00 04 00 00 00 00 00 00 00 00 00
 60 00 00 00 14 01 00 00" ]
	printf 'format pcapng\nlink raw\n' | mkcap b
	run -0 hex "$T/b.pcap"
	golden mkpcap/pcapng-header.hex
	printf 'format pcapng\ntsres ns\nlink 147\n' | mkcap c
	run -0 hex "$T/c.pcap"
	golden mkpcap/pcapng-ns-header.hex
}

@test "link types: one UDP packet on each, golden bytes" {
	for l in ether sll sll2 raw null loop; do
		printf 'link %s\n1262304000.25 udp 10.0.0.1:53 > 10.0.0.2:1024 "q"\n' \
		    "$l" | mkcap "$l"
		echo "# $l"
		hex "$T/$l.pcap"
	done > "$T/all"
	run -0 cat "$T/all"
	golden mkpcap/links.hex
}

@test "link types, formats, resolutions: tshark decodes every kind with good checksums" {
	need tshark
	need mergecap
	# one file per combination, read by wiretap in mergecap, then one
	# tshark pass over the merged pcapng (one interface per file)
	for l in ether sll sll2 raw null loop; do
	for f in pcap pcapng; do
	for r in us ns; do
		{ printf 'link %s\nformat %s\ntsres %s\n' $l $f $r; every_kind; } |
		    mkcap "$l-$f-$r"
	done; done; done
	mergecap -a -F pcapng -w "$T/all.pcapng" "$T"/*-pcap*-*s.pcap
	run -0 bash -c "tshark -o tcp.check_checksum:TRUE \
	    -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
	    -r '$T/all.pcapng' -T fields -e frame.interface_id \
	    -e frame.protocols -e ip.checksum.status -e tcp.checksum.status \
	    -e udp.checksum.status -e icmp.checksum.status \
	    -e icmpv6.checksum.status -e _ws.malformed 2>/dev/null |
	    awk -F'\t' '{ n++; if (\$2 ~ /_ws.malformed/ || \$8 != \"\") bad++
		for (i = 3; i <= 7; i++) if (\$i ~ /(^|,)0(,|\$)/) bad++ }
		END { print n, bad + 0 }'"
	[ "$output" = "384 0" ]
}

@test "link types: tcpdump reads every kind" {
	need tcpdump
	for l in ether sll sll2 raw null loop; do
		{ printf 'link %s\nformat pcapng\n' $l; every_kind; } | mkcap m
		tcpdump -nn -vv -r "$T/m.pcap" > "$T/o" 2>/dev/null
		run -1 grep 'bad cksum\|incorrect' "$T/o"
		run -0 grep -c ' > ' "$T/o"
		[ "$output" -ge 16 ]
	done
}

@test "capinfos: packet count, encapsulation, ns precision" {
	need capinfos
	{ printf 'format pcapng\ntsres ns\nlink sll\n'; every_kind; } | mkcap m
	run -0 capinfos -c -E -a "$T/m.pcap"
	[[ "$output" == *"Number of packets:   16"* ]]
	[[ "$output" == *"Linux cooked-mode capture v1"* ]]
	[[ "$output" == *"2010-01-01 00:00:00.000000000"* ]]
}

@test "every kind of packet: golden bytes (Ethernet pcap)" {
	every_kind | mkcap m
	run -0 hex "$T/m.pcap"
	golden mkpcap/every-kind.hex
}

@test "time: absolute, relative, ns decimals, pcapng 64-bit units" {
	printf 'tsres ns\n1262304000.123456789 ip:253 1.1.1.1 > 2.2.2.2\n+0.000000011 ip:253 1.1.1.1 > 2.2.2.2\n' | mkcap a
	run -0 bytes "$T/a.pcap" 24 8
	[ "$output" = 003b3d4b15cd5b07 ]
	run -0 bytes "$T/a.pcap" 74 8
	[ "$output" = 003b3d4b20cd5b07 ]
	printf 'format pcapng\n1262304000.5 ip:253 1.1.1.1 > 2.2.2.2\n' | mkcap b
	# EPB: type, len, ifid, ts high, ts low (microseconds)
	run -0 bytes "$T/b.pcap" 48 20
	[ "$output" = 0600000044000000000000000f7c040020618c0d ]
}

@test "TCP auto seq/ack: golden seq/ack and a tshark cross-check" {
	cat > "$T/d" <<'EOF'
1 tcp 10.0.0.1:1000 > 10.0.0.2:80 S
+1 tcp 10.0.0.2:80 > 10.0.0.1:1000 SA
+1 tcp 10.0.0.1:1000 > 10.0.0.2:80 . 
+1 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA "abcde"
+1 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA "fgh"
+1 tcp 10.0.0.1:1000 > 10.0.0.2:80 PA "abcde" seq=1
+1 tcp 10.0.0.2:80 > 10.0.0.1:1000 . 
+1 tcp 10.0.0.2:80 > 10.0.0.1:1000 PA "0123456789" ack=6
+1 tcp 10.0.0.1:1000 > 10.0.0.2:80 FA
+1 tcp 10.0.0.2:80 > 10.0.0.1:1000 FA
+1 tcp 10.0.0.1:1000 > 10.0.0.2:80 . aseq=7 aack=4294967295
EOF
	mkcap d < "$T/d"
	# absolute seq and ack of each packet (frame bytes 38..45)
	frames "$T/d.pcap" | cut -c77-92 > "$T/o"
	run -0 cat "$T/o"
	golden mkpcap/seqack.hex
	command -v tshark >/dev/null || skip "tshark not installed"
	run -0 tsh -r "$T/d.pcap" -T fields -e tcp.seq -e tcp.ack -e tcp.len \
	    -e tcp.checksum.status
	golden mkpcap/seqack.tshark
}

@test "TCP: the ISN is a hash of the 4-tuple, the same in any order" {
	printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2 S\n' | mkcap a
	printf '1 tcp 10.9.9.9:7 > 10.0.0.2:2 S\n2 tcp 10.0.0.1:1 > 10.0.0.2:2 S\n' | mkcap b
	run -0 bytes "$T/a.pcap" 78 4
	a=$output
	run -0 bytes "$T/b.pcap" 148 4
	[ "$output" = "$a" ]
}

@test "isn directive: fixes a side's ISN; between packets it restarts the side" {
	cat <<'EOF' | mkcap i
isn 10.0.0.1:1 > 10.0.0.2:2 1000
isn 10.0.0.2:2 > 10.0.0.1:1 4294967295
1 tcp 10.0.0.1:1 > 10.0.0.2:2 S
2 tcp 10.0.0.2:2 > 10.0.0.1:1 SA
3 tcp 10.0.0.1:1 > 10.0.0.2:2 PA "xy"
isn 10.0.0.1:1 > 10.0.0.2:2 5000
4 tcp 10.0.0.1:1 > 10.0.0.2:2 S
EOF
	# seq and ack of the four packets (54-byte frames)
	run -0 bash -c "for o in 78 148 218 290; do od -An -tx1 -j \$o -N 8 '$T/i.pcap' | tr -d ' \n'; echo; done"
	[ "$output" = "000003e800000000
ffffffff000003e9
000003e900000000
0000138800000000" ]
}

@test "RST answering a SYN takes seq 0 and acks the SYN (RFC 9293 reset generation)" {
	printf 'isn 10.0.0.9:1 > 10.0.0.1:2 99\n1 tcp 10.0.0.9:1 > 10.0.0.1:2 S\n2 tcp 10.0.0.1:2 > 10.0.0.9:1 RA\n' | mkcap r
	run -0 bytes "$T/r.pcap" 148 8
	[ "$output" = 0000000000000064 ]
}

@test "TCP flags: letters, tcpdump dot, none" {
	for f in S SA . P. FA R RA U E C SAFRPUEC; do
		printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2 %s seq=0 ack=0\n' "$f" | mkcap f
		bytes "$T/f.pcap" 87 1; echo " $f"
	done > "$T/o"
	printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2\n' | mkcap n
	{ bytes "$T/n.pcap" 87 1; echo " none"; } >> "$T/o"
	run -0 cat "$T/o"
	[ "$output" = "02 S
12 SA
10 .
18 P.
11 FA
04 R
14 RA
20 U
40 E
80 C
ff SAFRPUEC
00 none" ]
}

@test "TCP options: mss, sackok, ts, wscale laid out as Linux does; win" {
	printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2 S mss=1460 sackok ts=1/2 wscale=7 win=29200\n' | mkcap o
	run -0 bytes "$T/o.pcap" 86 4
	[ "$output" = a0027210 ]
	run -0 bytes "$T/o.pcap" 94 20
	[ "$output" = 020405b40402080a000000010000000201030307 ]
	printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2 S ts=1/2\n' | mkcap t
	run -0 bytes "$T/t.pcap" 94 12
	[ "$output" = 0101080a0000000100000002 ]
	printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2 S sackok\n' | mkcap s
	run -0 bytes "$T/s.pcap" 94 4
	[ "$output" = 01010402 ]
}

@test "IPv4 fields: ttl, id counter and id=, df, frag and mf" {
	cat <<'EOF' | mkcap v
1 ip:253 10.0.0.1 > 10.0.0.2
1 ip:253 10.0.0.1 > 10.0.0.2 ttl=1 id=4660 df
1 ip:253 10.0.0.1 > 10.0.0.2
1 ip:253 10.0.0.1 > 10.0.0.2 frag=1480 mf
EOF
	# id, flags + offset, ttl, protocol; id= does not use up the counter
	frames "$T/v.pcap" | cut -c37-48 > "$T/o"
	run -0 cat "$T/o"
	[ "$output" = "0001000040fd
1234400001fd
0002000040fd
000320b940fd" ]
}

@test "IPv4 fragments: later fragments carry only payload" {
	printf '1 udp 10.0.0.1:1 > 10.0.0.2:2 frag=0 mf id=9 pad=8\n1 udp 10.0.0.1:1 > 10.0.0.2:2 frag=16 id=9 pad=4\n' | mkcap f
	# frame lengths: 14+20+8+8 = 50, then 14+20+4 = 38
	run -0 bytes "$T/f.pcap" 32 4
	[ "$output" = 32000000 ]
	run -0 bytes "$T/f.pcap" 98 4
	[ "$output" = 26000000 ]
	run -0 bytes "$T/f.pcap" 126 2
	[ "$output" = 0002 ]
	run -0 bytes "$T/f.pcap" 140 4
	[ "$output" = 41414141 ]
}

@test "VLAN: 802.1Q, QinQ with 802.1ad outer, qinq=8100, on sll too" {
	cat <<'EOF' | mkcap v
1 udp 10.0.0.1:1 > 10.0.0.2:2 vlan=10
1 udp 10.0.0.1:1 > 10.0.0.2:2 vlan=10,20
1 udp 10.0.0.1:1 > 10.0.0.2:2 vlan=4095,1,2 qinq=9100
EOF
	run -0 bytes "$T/v.pcap" 52 6
	[ "$output" = 8100000a0800 ]
	run -0 bytes "$T/v.pcap" 114 10
	[ "$output" = 88a8000a810000140800 ]
	run -0 bytes "$T/v.pcap" 180 14
	[ "$output" = 91000fff81000001810000020800 ]
	printf 'link sll\n1 udp 10.0.0.1:1 > 10.0.0.2:2 vlan=7\n' | mkcap s
	run -0 bytes "$T/s.pcap" 54 6
	[ "$output" = 810000070800 ]
}

@test "IPv6: hop limit, hbh, v6frag with id, dstopt, in RFC 8200 order" {
	printf '1 udp [2001:db8::1]:1 > [2001:db8::2]:2 ttl=3 hbh v6frag id=305419896 dstopt "z"\n' | mkcap v
	# payload length, next header, hop limit
	run -0 bytes "$T/v.pcap" 58 4
	[ "$output" = 00210003 ]
	# HBH -> fragment (44) -> dstopt (60) -> UDP (17)
	run -0 bytes "$T/v.pcap" 94 24
	[ "$output" = 2c000104000000003c000000123456781100010400000000 ]
}

@test "ICMP and ICMPv6: echo defaults, type/code, icmpid/icmpseq" {
	printf '1 icmp 10.0.0.1 > 10.0.0.2\n1 icmp 10.0.0.1 > 10.0.0.2 type=3 code=3\n1 icmp6 ::1 > ::2 icmpid=258 icmpseq=772\n' | mkcap i
	run -0 bytes "$T/i.pcap" 74 8
	[ "$output" = 0800f7fd00010001 ]
	run -0 bytes "$T/i.pcap" 132 8
	[ "$output" = 0303fcfc00000000 ]
	run -0 bytes "$T/i.pcap" 210 8
	[ "${output:0:4}" = 8000 ]
	[ "${output:8:8}" = 01020304 ]
}

@test "ARP request and reply; raw frames as given" {
	printf '1 arp 10.0.0.1 > 10.0.0.2\n1 arp 10.0.0.2 > 10.0.0.1 type=2\n1 raw hex:0011 "ab"\n' | mkcap a
	run -0 hex "$T/a.pcap"
	golden mkpcap/arp-raw.hex
}

@test "snaplen, snap=, caplen=, len=: record headers" {
	printf 'snaplen 40\n1 udp 10.0.0.1:1 > 10.0.0.2:2 pad=100\n1 udp 10.0.0.1:1 > 10.0.0.2:2 snap=20\n1 udp 10.0.0.1:1 > 10.0.0.2:2 caplen=60 len=10\n' | mkcap s
	run -0 bytes "$T/s.pcap" 32 8
	[ "$output" = 280000008e000000 ]
	run -0 bytes "$T/s.pcap" 88 8
	[ "$output" = 140000002a000000 ]
	run -0 bytes "$T/s.pcap" 124 8
	[ "$output" = 3c0000000a000000 ]
	# 60 bytes follow: 42 of the frame, 18 zeros; the file ends there
	run -0 bash -c "wc -c < '$T/s.pcap'"
	[ "$output" = 192 ]
	run -0 bytes "$T/s.pcap" 174 18
	[ "$output" = 000000000000000000000000000000000000 ]
}

@test "hostile overrides: iplen, ihl, doff" {
	printf '1 tcp 10.0.0.1:1 > 10.0.0.2:2 . iplen=9999 ihl=15 doff=1\n' | mkcap h
	run -0 bytes "$T/h.pcap" 54 4
	[ "$output" = 4f00270f ]
	run -0 bytes "$T/h.pcap" 86 1
	[ "$output" = 10 ]
	need tshark
	run -0 tsh -r "$T/h.pcap" -T fields -e ip.hdr_len -e ip.len
	[ "$output" = "60	9999" ]
}

@test "payload: quoted escapes, hex, several pieces, pad, # inside quotes" {
	printf '%s\n' '1 udp 10.0.0.1:1 > 10.0.0.2:2 "a b#\r\n\t\\\"\x7f\0" hex:FF00 "z" pad=3 # comment' | mkcap p
	run -0 bytes "$T/p.pcap" 82 100
	[ "$output" = 612062230d0a095c227f00ff007a414141 ]
}

@test "repeat=, every=: times, seq and id advance" {
	printf 'isn 10.0.0.1:1 > 10.0.0.2:2 0\n1 tcp 10.0.0.1:1 > 10.0.0.2:2 PA pad=10 repeat=3 every=0.25\n+1 tcp 10.0.0.1:1 > 10.0.0.2:2 PA pad=1\n' | mkcap r
	frames "$T/r.pcap" | cut -c37-40,77-84 > "$T/o"
	run -0 cat "$T/o"
	[ "$output" = "000100000001
00020000000b
000300000015
00040000001f" ]
	for o in 24 104 184 264; do bytes "$T/r.pcap" $o 8; echo; done > "$T/o"
	run -0 cat "$T/o"
	[ "$output" = "0100000000000000
0100000090d00300
0100000020a10700
0200000020a10700" ]
	need tshark
	run -0 tsh -r "$T/r.pcap" -T fields -e frame.time_epoch -e tcp.seq -e ip.id
	[ "$output" = "1.000000000	1	0x0001
1.250000000	11	0x0002
1.500000000	21	0x0003
2.500000000	31	0x0004" ]
}

@test "reproducible: two runs, file or stdin, -o or stdout, byte-identical" {
	every_kind > "$T/d"
	bh-mkpcap -o "$T/a.pcap" "$T/d"
	bh-mkpcap < "$T/d" > "$T/b.pcap"
	bh-mkpcap -o - - < "$T/d" > "$T/c.pcap"
	cmp "$T/a.pcap" "$T/b.pcap"
	cmp "$T/a.pcap" "$T/c.pcap"
}

@test "errors: FILE:LINE: message, exit 2, no partial output" {
	printf '1 udp 10.0.0.1:1 > 10.0.0.2:2\n\n1 udp 10.0.0.1:1 > 10.0.0.2:2 bogus=1\n' > "$T/bad"
	run --separate-stderr -2 bh-mkpcap -o "$T/o.pcap" "$T/bad"
	[ "$stderr" = "bh-mkpcap: $T/bad:3: unknown key 'bogus'" ]
	[ ! -e "$T/o.pcap" ]
}

@test "errors: stdin is named '-'" {
	run --separate-stderr -2 bash -c 'printf "x\n" | bh-mkpcap'
	[ "$stderr" = "bh-mkpcap: -:1: unknown directive 'x'" ]
}

@test "errors: each kind is reported with its line" {
	while IFS='|' read -r line msg; do
		printf '%s\n' "$line" > "$T/e"
		run --separate-stderr -2 bh-mkpcap "$T/e"
		[ "$stderr" = "bh-mkpcap: $T/e:1: $msg" ] ||
		    { echo "line: $line"; echo "got:  $stderr"; echo "want: $msg"; false; }
	done <<'EOF'
1 tcp 1.2.3.4:1 > 1.2.3.5:2 S foo=1|unknown key 'foo'
1 tcp 1.2.3.4:1 > 1.2.3.5:2 S nope|unknown keyword 'nope'
+1 udp 1.2.3.4:1 > 1.2.3.5:2|relative time '+1' before the first packet
1 udp 1.2.3.4 > 1.2.3.5:2|address:port expected, got '1.2.3.4'
1 tcp 1.2.3.4:1 > ::1:2|IPv6 address with a port needs brackets: [::1]:2
1 tcp 1.2.3.4:1 > [::1]:2|source and destination families differ
1 udp 1.2.3.4:1 > 1.2.3.5:2 "abc|unterminated quoted payload
1 udp 1.2.3.4:1 > 1.2.3.5:2 "a\q"|unknown escape '\q'
1 udp 1.2.3.4:1 > 1.2.3.5:2 hex:abc|bad hex payload (pairs of hex digits expected)
1.1234567 udp 1.2.3.4:1 > 1.2.3.5:2|time: more than 6 decimals in '1.1234567' (tsres ns allows 9)
1x udp 1.2.3.4:1 > 1.2.3.5:2|time: bad time '1x'
1 udp 1.2.3.4:1 > 1.2.3.5:2 ttl=256|ttl: bad number '256' (0..255)
1 udp 1.2.3.4:1 > 1.2.3.5:2 seq=1|seq applies to tcp only, not to udp
1 udp 1.2.3.4:1 > 1.2.3.5:2 S|TCP flags 'S' on a non-tcp packet
1 tcp 1.2.3.4:1 > 1.2.3.5:2 "x" S|TCP flags 'S' must follow the destination
1 icmp ::1 > ::2|icmp needs IPv4 addresses (use icmp6)
1 icmp6 1.2.3.4 > 1.2.3.5|icmp6 needs IPv6 addresses (use icmp)
1 udp 1.2.3.4:1 > 1.2.3.5:2 pad=70000|packet too large (70000 payload bytes)
1 udp 1.2.3.4:1 > 1.2.3.5:2 frag=3|frag: offset 3 is not a multiple of 8
1 udp 1.2.3.4:1 > 1.2.3.5:2 hbh|hbh applies to IPv6 only, not to udp
1 raw hex:00 ttl=1|ttl: raw packets take only snap caplen len repeat every
1 sctp 1.2.3.4 > 1.2.3.5|unknown protocol 'sctp'
1 udp 1.2.3.4:1 1.2.3.5:2|expected SRC > DST after 'udp'
link ether extra|link: expected 1 argument
link fddi|link: unknown link type 'fddi'
format pcapx|format: pcap or pcapng expected, got 'pcapx'
tsres ms|tsres: us or ns expected, got 'ms'
snaplen 0|snaplen: must be at least 1
EOF
}

@test "errors: file directives after the first packet; link N takes raw only" {
	run --separate-stderr -2 bash -c 'printf "1 udp 1.2.3.4:1 > 1.2.3.5:2\nformat pcapng\n" | bh-mkpcap'
	[ "$stderr" = "bh-mkpcap: -:2: format must come before the first packet" ]
	run --separate-stderr -2 bash -c 'printf "link 147\n1 udp 1.2.3.4:1 > 1.2.3.5:2\n" | bh-mkpcap'
	[ "$stderr" = "bh-mkpcap: -:2: link 147: only raw packets can be written" ]
	run --separate-stderr -2 bash -c 'printf "link raw\n1 arp 1.2.3.4 > 1.2.3.5\n" | bh-mkpcap'
	[ "$stderr" = "bh-mkpcap: -:2: arp needs link ether, sll or sll2" ]
	run --separate-stderr -2 bash -c 'printf "link null\n1 udp 1.2.3.4:1 > 1.2.3.5:2 vlan=1\n" | bh-mkpcap'
	[ "$stderr" = "bh-mkpcap: -:2: vlan applies to link ether, sll, sll2 only, not to udp" ]
}

@test "usage and unreadable files: exit 2" {
	run --separate-stderr -2 bh-mkpcap -x
	[ "${lines[0]:-}" = "" ]
	[[ "$stderr" == *"usage: bh-mkpcap [-h] [-o out.pcap] [file]" ]]
	run --separate-stderr -2 bh-mkpcap a b
	run --separate-stderr -2 bh-mkpcap "$T/missing"
	[ "$stderr" = "bh-mkpcap: $T/missing: No such file or directory" ]
	run --separate-stderr -2 bh-mkpcap -o "$T/no/such/dir.pcap" /dev/null
	[ "$stderr" = "bh-mkpcap: $T/no/such/dir.pcap: No such file or directory" ]
}

@test "write error on stdout: exit 2" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr -2 bash -c 'printf "1 udp 1.2.3.4:1 > 1.2.3.5:2\n" | bh-mkpcap > /dev/full'
}
