#!/usr/bin/env bats
# The capture you have (README, bh-sessions(1)): compressed archives, a
# BPF filter, a live interface, rotated files, the progress line, and
# the record filters passing a live pipeline on.  Every capture is made
# by bh-mkpcap from a description in the test and compressed by the
# test itself.

load helper

T0=1262304000

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	# the live test's processes and namespaces, when it made them
	[ -n "${LIVE_PIDS:-}" ] && kill -9 $LIVE_PIDS 2>/dev/null
	[ -n "${NS_A:-}" ] && ip netns del "$NS_A" 2>/dev/null
	[ -n "${NS_B:-}" ] && ip netns del "$NS_B" 2>/dev/null
	true
}

# A download, a session to port 445, DNS: three kinds of session.
mixed() {
	cat <<EOF
$T0.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128 mss=1460
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
+0.010 tcp 198.51.100.7:4001 > 192.168.1.5:445 S ttl=113
+0.001 tcp 192.168.1.5:445 > 198.51.100.7:4001 SA ttl=128
+0.040 tcp 198.51.100.7:4001 > 192.168.1.5:445 . ttl=113
+0.001 tcp 198.51.100.7:4001 > 192.168.1.5:445 PA ttl=113 hex:00000085ff534d42
+0.001 udp 192.168.1.5:3000 > 192.0.2.53:53 "\x12\x34query"
+0.020 udp 192.0.2.53:53 > 192.168.1.5:3000 "\x12\x34answer"
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 FA ttl=128
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 FA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
+0.001 tcp 198.51.100.7:4002 > 192.168.1.5:445 S ttl=113
EOF
}

# many N: N one-packet UDP sessions, 1 ms apart, each on its own port
many() {
	awk -v n="$1" -v t0=$T0 'BEGIN {
		printf "%d.000000 udp 10.0.0.1:1024 > 10.0.0.2:53 \"q\"\n", t0
		for (i = 1; i < n; i++)
			printf "+0.001 udp 10.0.0.1:%d > 10.0.0.2:53 \"q\"\n", 1024 + i
	}'
}

# The compressor of each format, as the test runs it.
zcmd() {
	case $1 in
	gzip) echo "gzip -c" ;;
	xz) echo "xz -c" ;;
	zstd) echo "zstd -q -c" ;;
	bzip2) echo "bzip2 -c" ;;
	esac
}

# compressed FORMAT: file and stdin give the uncompressed capture's output
compressed() {
	command -v "$1" >/dev/null || skip "$1 not installed"
	mixed | mkcap m
	run -0 --separate-stderr bh-sessions -L 192.168.1.0/24 "$T/m.pcap"
	want=$output
	$(zcmd "$1") < "$T/m.pcap" > "$T/m.z"
	# no name tells: the magic bytes do
	run -0 --separate-stderr bh-sessions -L 192.168.1.0/24 "$T/m.z"
	[ "$output" = "$want" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr bash -c "bh-sessions -L 192.168.1.0/24 < '$T/m.z'"
	[ "$output" = "$want" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr bash -c "bh-sessions -L 192.168.1.0/24 - < '$T/m.z'"
	[ "$output" = "$want" ]
}

@test "compressed: gzip, as a file and on stdin, the same records as the capture" {
	compressed gzip
}

@test "compressed: xz, as a file and on stdin, the same records as the capture" {
	compressed xz
}

@test "compressed: zstd, as a file and on stdin, the same records as the capture" {
	compressed zstd
}

@test "compressed: bzip2, as a file and on stdin, the same records as the capture" {
	compressed bzip2
}

@test "compressed: pcapng, and concatenated streams (cat a.gz b.gz) are one" {
	{ echo "format pcapng"; mixed; } | mkcap ng
	run -0 bh-sessions "$T/ng.pcap"
	want=$output
	head -c 300 "$T/ng.pcap" | gzip -c > "$T/ng.gz"
	tail -c +301 "$T/ng.pcap" | gzip -c >> "$T/ng.gz"
	run -0 bh-sessions "$T/ng.gz"
	[ "$output" = "$want" ]
	for z in xz zstd bzip2; do
		{ head -c 300 "$T/ng.pcap" | $(zcmd $z); tail -c +301 "$T/ng.pcap" | $(zcmd $z); } > "$T/ng.z"
		run -0 bh-sessions "$T/ng.z"
		[ "$output" = "$want" ] || { echo "$z"; false; }
	done
}

@test "compressed: a truncated .gz keeps the records before the cut, exit 1" {
	many 2000 | mkcap u
	run -0 bh-sessions "$T/u.pcap"
	full=$output
	gzip -c < "$T/u.pcap" > "$T/u.gz"
	head -c $(($(wc -c < "$T/u.gz") / 2)) "$T/u.gz" > "$T/cut.gz"
	run -1 --separate-stderr bh-sessions "$T/cut.gz"
	n=$((${#lines[@]} - 1))
	[ "$n" -gt 100 ] && [ "$n" -lt 2000 ]
	# each one-packet session is the full capture's record, in order
	[ "$output" = "$(printf '%s\n' "$full" | head -n $((n + 1)))" ]
	[ "$stderr" = "bh-sessions: $T/cut.gz: truncated or corrupt archive after $n packets: gzip: unexpected end of file (truncated archive)" ]
	run -2 --separate-stderr bh-sessions --strict "$T/cut.gz"
	[ "${#lines[@]}" -eq $((n + 1)) ]
}

@test "compressed: truncated xz, zstd, bzip2 are exit 1 with the records before the cut" {
	many 3000 | mkcap u
	for z in xz zstd bzip2; do
		# bzip2 decodes a block whole: blocks of 100 kB (-1)
		if [ $z = bzip2 ]; then bzip2 -1 -c < "$T/u.pcap" > "$T/u.z"
		else $(zcmd $z) < "$T/u.pcap" > "$T/u.z"; fi
		head -c $(($(wc -c < "$T/u.z") * 3 / 4)) "$T/u.z" > "$T/cut.z"
		run -1 --separate-stderr bh-sessions "$T/cut.z"
		[ "${#lines[@]}" -gt 1 ] || { echo "$z: no record"; false; }
		[[ "$stderr" =~ ^"bh-sessions: $T/cut.z: truncated or corrupt archive "(after\ [0-9]+\ packets|before\ the\ capture\ header):\ $z:\  ]] || { echo "$z: $stderr"; false; }
	done
}

@test "compressed: corrupt data in a .gz is a cut capture (exit 1), not a crash" {
	many 2000 | mkcap u
	gzip -c < "$T/u.pcap" > "$T/bad.gz"
	printf 'XXXXXXXXXXXXXXXX' | dd of="$T/bad.gz" bs=1 seek=4000 conv=notrunc 2>/dev/null
	run -1 --separate-stderr bh-sessions "$T/bad.gz"
	[[ "$stderr" == "bh-sessions: $T/bad.gz: truncated or corrupt archive after "*" packets: gzip: "* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "compressed: an archive of something else, or a file that is none, is exit 2 naming it" {
	echo "hello" | gzip -c > "$T/text.gz"
	run -2 --separate-stderr bh-sessions "$T/text.gz"
	[ "$stderr" = "bh-sessions: $T/text.gz: not a capture file, compressed with gzip: unknown file format" ]
	printf 'BZ no bzip2 here' > "$T/b"
	run -2 --separate-stderr bh-sessions "$T/b"
	[ "$stderr" = "bh-sessions: $T/b: not a capture file: unknown file format" ]
	printf 'not a capture' > "$T/n"
	run -2 --separate-stderr bh-sessions "$T/n"
	[ "$stderr" = "bh-sessions: $T/n: not a capture file: unknown file format" ]
	: | gzip -c > "$T/empty.gz"
	run -1 --separate-stderr bh-sessions "$T/empty.gz"
	[ "$stderr" = "bh-sessions: $T/empty.gz: empty compressed file, no capture header" ]
}

@test "compressed rotated files are one capture: a session spans them" {
	cat > "$T/1.txt" <<EOF
$T0.000000 tcp 10.0.0.1:1025 > 10.0.0.2:80 S
+0.010 tcp 10.0.0.2:80 > 10.0.0.1:1025 SA
+0.001 tcp 10.0.0.1:1025 > 10.0.0.2:80 PA "GET / HTTP/1.0\r\n\r\n"
EOF
	cat > "$T/2.txt" <<EOF
$((T0 + 1)).000000 tcp 10.0.0.2:80 > 10.0.0.1:1025 PA "HTTP/1.0 200 OK\r\n\r\n"
+0.001 tcp 10.0.0.1:1025 > 10.0.0.2:80 FA
+0.001 tcp 10.0.0.2:80 > 10.0.0.1:1025 FA
+0.001 tcp 10.0.0.1:1025 > 10.0.0.2:80 .
EOF
	bh-mkpcap -o "$T/1.pcap" "$T/1.txt"
	bh-mkpcap -o "$T/2.pcap" "$T/2.txt"
	run -0 bh-sessions "$T/1.pcap" "$T/2.pcap"
	want=$output
	[ "${#lines[@]}" -eq 2 ]
	gzip -c < "$T/1.pcap" > "$T/1.pcap.gz"
	zstd -q -c < "$T/2.pcap" > "$T/2.pcap.zst"
	run -0 bh-sessions "$T/1.pcap.gz" "$T/2.pcap.zst"
	[ "$output" = "$want" ]
	run -0 bh-sessions "$T/1.pcap.gz" "$T/2.pcap"
	[ "$output" = "$want" ]
}

# ---- -f: a BPF filter ----

@test "-f 'tcp port 445': exactly the sessions of that port, the rest counted" {
	mixed | mkcap m
	run -0 --separate-stderr bh-sessions -L 192.168.1.0/24 "$T/m.pcap"
	# the 445 sessions of the whole run, but the flow numbers (1, 2 by
	# their first packets among those the filter keeps)
	want=$(printf '%s\n' "$output" | awk -F'\t' 'NR == 1 { print; next } $8 == 445 { $1 = ++n; print }' OFS='\t')
	run -0 --separate-stderr bh-sessions -L 192.168.1.0/24 -f 'tcp port 445' "$T/m.pcap"
	[ "$output" = "$want" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$stderr" = "bh-sessions: 10 of 15 packets did not match -f 'tcp port 445'" ]
	# -q: no summary; the libpcap reader and a compressed stdin filter alike
	run -0 --separate-stderr bash -c "BH_SESSIONS_LIBPCAP=1 bh-sessions -q -L 192.168.1.0/24 -f 'tcp port 445' '$T/m.pcap'"
	[ "$output" = "$want" ]
	[ -z "$stderr" ]
	run -0 --separate-stderr bash -c "gzip -c '$T/m.pcap' | bh-sessions -L 192.168.1.0/24 -f 'tcp port 445'"
	[ "$output" = "$want" ]
}

@test "-f on other link types: the expression is compiled per file" {
	{ echo "link raw"; mixed; } | mkcap raw
	{ echo "link sll"; mixed | sed "s/^$T0\./$((T0 + 1000))./"; } | mkcap sll
	run -0 --separate-stderr bh-sessions -f 'udp' "$T/raw.pcap" "$T/sll.pcap"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "$output" | cut -f2 | sort -u | tr '\n' ' ')" = "proto udp " ]
}

@test "-f: a bad expression is exit 2 with libpcap's message, before any output" {
	mixed | mkcap m
	run -2 --separate-stderr bh-sessions -f 'tcp port' "$T/m.pcap"
	[ -z "$output" ]
	[ "$stderr" = "bh-sessions: -f 'tcp port': can't parse filter expression: syntax error" ]
	run -2 --separate-stderr bh-sessions -f 'no such thing' "$T/m.pcap"
	[ -z "$output" ]
	[[ "$stderr" == "bh-sessions: -f 'no such thing': "* ]]
}

# ---- the progress line ----

@test "progress: on a terminal, bytes of the total, packets, live sessions, rate, time left; erased at the end" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	many 20000 | mkcap big
	run -0 bh-sessions "$T/big.pcap"
	want=$output
	run -0 script -qec "bh-sessions '$T/big.pcap' > '$T/out.tsv'" /dev/null
	[[ "$output" =~ $'\r'"bh-sessions: "[0-9.]+" "[kM]?"B of "[0-9.]+" "[kM]?"B ("[0-9]+"%), "[0-9]+" packets, "[0-9]+" live sessions, "[0-9.]+" "[kMG]?"B/s, "[0-9]+:[0-9][0-9]" left"$'\e[K' ]]
	# erased: the terminal's last bytes clear the line
	[[ "$output" == *$'\r\e[K' ]]
	# the records are the same
	[ "$(cat "$T/out.tsv")" = "$want" ]
	# -q silences it
	run -0 script -qec "bh-sessions -q '$T/big.pcap' > /dev/null" /dev/null
	[ -z "$output" ]
}

@test "progress: never when stderr is a pipe or a file, nor on a pipe's input" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	many 20000 | mkcap big
	run -0 --separate-stderr bash -c "bh-sessions '$T/big.pcap' 2>&1 >/dev/null | cat"
	[ -z "$output" ]
	run -0 bash -c "bh-sessions '$T/big.pcap' 2> '$T/err' >/dev/null"
	[ ! -s "$T/err" ]
	# a terminal, but the input a pipe: no total to show progress of
	run -0 script -qec "cat '$T/big.pcap' | bh-sessions > /dev/null" /dev/null
	[ -z "$output" ]
}

# ---- record filters in a live pipeline ----

@test "bh-phase, bh-rtt, bh-ttl, bh-cut pass a record on before their input ends" {
	mixed | mkcap m
	bh-sessions -L 192.168.1.0/24 "$T/m.pcap" | head -n 2 > "$T/one.tsv"
	for t in bh-phase bh-rtt bh-ttl bh-cut; do
		rm -f "$T/fifo" "$T/out"
		mkfifo "$T/fifo"
		# the writer holds the pipe open for 5 s after the record
		{ cat "$T/one.tsv"; sleep 5; } > "$T/fifo" &
		w=$!
		$t < "$T/fifo" > "$T/out" &
		f=$!
		for i in $(seq 1 40); do
			[ "$(wc -l < "$T/out")" -ge 2 ] && break
			sleep 0.1
		done
		n=$(wc -l < "$T/out")
		kill $w $f 2>/dev/null || true
		wait $f 2>/dev/null || true
		[ "$n" -eq 2 ] || { echo "$t: $n lines before its input ended"; false; }
	done
}

# ---- -i: a live interface ----

@test "-i: usage errors, an unknown interface, no CAP_NET_RAW" {
	run -2 --separate-stderr bh-sessions -i lo "$T/x.pcap"
	[ "${stderr_lines[0]}" = "bh-sessions: -i lo and files: one or the other" ]
	[ -z "$output" ]
	run -2 --separate-stderr bh-sessions -i bh-no-such-if0
	[ -z "$output" ]
	[[ "$stderr" == "bh-sessions: bh-no-such-if0: no such interface"* ]]
	run -2 --separate-stderr bh-sessions -b 0 -i lo
	[ "$stderr" = "bh-sessions: -b 0: want 1 to 2097151 KiB" ]
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null || skip "not root: cannot drop CAP_NET_RAW to test its message"
	run -2 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups bh-sessions -i lo
	[ -z "$output" ]
	[[ "$stderr" == "bh-sessions: lo: capturing needs CAP_NET_RAW (run as root, or setcap cap_net_raw+ep on bh-sessions): "* ]]
}

# The two ends of the live test: a TCP server and a client, each bounded
# (20 s at most, a fixed number of bytes), the client printing the wall
# clock before and after connect().
tcp_pair() {
	cat > "$T/tcp.py" <<'EOF'
import socket, sys, time
role, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
def readn(c, n):
    got = 0
    while got < n:
        b = c.recv(n - got)
        if not b:
            break
        got += len(b)
    return got
if role == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(2); s.settimeout(20)
    # one: 100 bytes in, 200 out, closed; two: 10 in, 20 out, held open
    for want, give in ((100, 200), (10, 20)):
        c, _ = s.accept(); c.settimeout(20)
        readn(c, want); c.sendall(b"s" * give)
        if want == 100:
            readn(c, 1); c.close()
    time.sleep(20)
else:
    for send, recv in ((100, 200), (10, 20)):
        c = socket.socket(); c.settimeout(20)
        t0 = time.time(); c.connect((addr, port)); t1 = time.time()
        c.sendall(b"c" * send); readn(c, recv)
        print("%.6f %.6f" % (t0, t1), flush=True)
        if send == 100:
            c.close(); time.sleep(0.5)
    time.sleep(20)
EOF
}

@test "-i on a veth pair: records as sessions end, SIGINT writes the live ones, exit 0" {
	[ "$(id -u)" = 0 ] || skip "not root: the test makes network namespaces"
	command -v ip >/dev/null || skip "ip (iproute2) not installed"
	command -v python3 >/dev/null || skip "python3 not installed"
	NS_A=bh-live-$$-a NS_B=bh-live-$$-b
	ip netns add "$NS_A" 2>/dev/null || { NS_A=; skip "ip netns unavailable here"; }
	ip netns add "$NS_B"
	ip link add va netns "$NS_A" type veth peer name vb netns "$NS_B"
	ip -n "$NS_A" addr add 10.250.0.1/30 dev va
	ip -n "$NS_B" addr add 10.250.0.2/30 dev vb
	ip -n "$NS_A" link set va up
	ip -n "$NS_B" link set vb up
	tcp_pair
	# -f: only the test's TCP (the veth's own IPv6 chatter aside)
	ip netns exec "$NS_A" bh-sessions -i va -b 1024 -t linger=0.2 \
	    -f 'tcp port 8080' > "$T/live.tsv" 2> "$T/live.err" &
	bp=$!
	LIVE_PIDS=$bp
	for i in $(seq 1 50); do [ -s "$T/live.tsv" ] && break; sleep 0.1; done
	sleep 0.3
	ip netns exec "$NS_B" python3 "$T/tcp.py" server 10.250.0.2 8080 &
	LIVE_PIDS="$LIVE_PIDS $!"
	sleep 0.5
	ip netns exec "$NS_A" python3 "$T/tcp.py" client 10.250.0.2 8080 > "$T/times" &
	LIVE_PIDS="$LIVE_PIDS $!"
	for i in $(seq 1 100); do [ "$(wc -l < "$T/times")" -ge 2 ] && break; sleep 0.1; done
	[ "$(wc -l < "$T/times")" -eq 2 ]
	# the first session ended (FIN, the linger) as the second began:
	# its record is out before the capture ends
	for i in $(seq 1 30); do [ "$(wc -l < "$T/live.tsv")" -ge 2 ] && break; sleep 0.1; done
	[ "$(wc -l < "$T/live.tsv")" -eq 2 ]
	kill -INT $bp
	for i in $(seq 1 50); do kill -0 $bp 2>/dev/null || break; sleep 0.1; done
	run -1 kill -0 $bp	# ended by SIGINT (within 5 s)
	rc=0
	wait $bp || rc=$?
	[ "$rc" -eq 0 ]
	run -0 cat "$T/live.tsv"
	[ "${#lines[@]}" -eq 3 ] || { cat "$T/live.tsv"; false; }
	[ "$(vals orig_ip resp_ip resp_port state)" = "10.250.0.1 10.250.0.1 10.250.0.2 10.250.0.2 8080 8080 SF S1 " ]
	[ "$(vals orig_bytes resp_bytes end)" = "100 10 200 20 fin eof " ]
	# the handshake inside the client's connect(), by the wall clock
	# (the packets' kernel time stamps; 5 ms of slack for the scheduler)
	paste <(printf '%s\n' "$output" | col syn_ts) <(printf '%s\n' "$output" | col synack_ts) \
	    <(printf '%s\n' "$output" | col ack_ts) "$T/times" | awk '
	{
		if (!($1 >= $4 - 0.005 && $2 >= $1 && $3 >= $2 && $2 <= $5 + 0.005 &&
		    $2 - $1 <= $5 - $4 + 0.005)) { print "session " NR ": " $0; bad = 1 }
	}
	END { exit bad }'
	run -0 cat "$T/live.err"
	[[ "$output" =~ ^"bh-sessions: va: "[0-9]+" packets received, 0 dropped by the kernel (ps_drop), 0 dropped by the interface (ps_ifdrop)"$ ]]
}
