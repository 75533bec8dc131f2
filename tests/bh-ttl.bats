#!/usr/bin/env bats
# bh-ttl: initial TTL, hops and OS per side and for the remote party, the
# near-pair, changed-TTL and distance flags, -i/-d/-m, and the record-filter
# rules.  Input records are written by hand (mkrec below), so these tests do
# not depend on bh-sessions; the pipeline tests at the end run from fixture
# captures when bh-sessions has been built.

load helper

# The columns the tool owns; COLS, T0, mkrec and vals are in helper.bash.
OWN="orig_ttl_init orig_hops orig_os orig_os_sig orig_os_match resp_ttl_init resp_hops resp_os resp_os_sig resp_os_match remote_ip remote_pkts remote_ttl remote_ttl_init remote_hops remote_os remote_os_sig remote_os_match ttl_note"

setup() {
	T=$BATS_TEST_TMPDIR
}

# side TTL...: records with dir=in whose originator (the remote party)
# sent with each TTL; the responder is a local Windows host.
side() {
	local t
	for t in "$@"; do
		echo "dir=in orig_ip=198.51.100.7 orig_pkts=5 orig_ttl=$t resp_ttl=128"
	done | mkrec
}

@test "the issue's cases: 108 128/20/windows, 42 64/22/unix, 240 255/15, 3 32/29, 200 far" {
	side 108 42 240 3 200 > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals remote_ttl)" = "108 42 240 3 200 " ]
	[ "$(vals remote_ttl_init)" = "128 64 255 32 255 " ]
	[ "$(vals remote_hops)" = "20 22 15 29 - " ]
	[ "$(vals remote_os)" = "windows unix solaris/network windows-old solaris/network " ]
	[ "$(vals ttl_note)" = "ok orig:60/64 ok orig:30/32 orig:far " ]
	# The per-side columns say the same for the originator.
	[ "$(vals orig_ttl_init orig_hops)" = "128 64 255 32 255 20 22 15 29 - " ]
	[ "$(vals resp_ttl_init resp_hops resp_os)" = "128 128 128 128 128 0 0 0 0 0 windows windows windows windows windows " ]
}

@test "near pairs: 58 and 28 are ambiguous and flagged, 62 and 31 are not" {
	# A stack starting at 60 reaches 58 as well as one starting at 64;
	# none starting at 60 can arrive with 62 (TTLs only go down).
	side 58 62 60 61 28 30 31 32 > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals remote_ttl_init)" = "64 64 64 64 32 32 32 32 " ]
	[ "$(vals remote_hops)" = "6 2 4 3 4 2 1 0 " ]
	[ "$(vals ttl_note)" = "orig:60/64 ok orig:60/64 ok orig:30/32 orig:30/32 ok ok " ]
	# With 30 and 60 among the candidates the count starts there; the
	# pair stays flagged.
	run -0 bh-ttl -i 30,32,60,64,128,255 "$T/in.tsv"
	[ "$(vals remote_ttl_init)" = "60 64 60 64 30 30 32 32 " ]
	[ "$(vals remote_hops)" = "2 2 0 3 2 0 1 0 " ]
	[ "$(vals remote_os)" = "- unix - unix - - windows-old windows-old " ]
	[ "$(vals ttl_note)" = "orig:60/64 ok orig:60/64 ok orig:30/32 orig:30/32 ok ok " ]
}

@test "IPv6 hop limit 54: 64/10/unix, as for IPv4" {
	mkrec > "$T/in.tsv" <<-EOF
	dir=out orig_ip=2001:db8::5 resp_ip=2001:db8:1::9 orig_ttl=64 resp_ttl=54 resp_pkts=3
	EOF
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals remote_ip remote_pkts remote_ttl)" = "2001:db8:1::9 3 54 " ]
	[ "$(vals remote_ttl_init remote_hops remote_os)" = "64 10 unix " ]
	[ "$(vals orig_ttl_init orig_hops)" = "64 0 " ]
}

@test "sent to a group (LLMNR's TTL 1, mDNS's 255, the broadcast): no initial TTL, hops or OS, note multicast" {
	mkrec > "$T/in.tsv" <<-EOF
	dir=in proto=udp orig_ip=192.168.183.101 resp_ip=224.0.0.252 orig_ttl=1 orig_ttl_min=1 orig_ttl_max=1 orig_pkts=1
	dir=in proto=udp orig_ip=fe80::1 resp_ip=ff02::fb orig_ttl=255 orig_pkts=1
	dir=in proto=udp orig_ip=10.0.0.7 resp_ip=255.255.255.255 orig_ttl=128 orig_pkts=1
	dir=in proto=udp orig_ip=10.0.0.7 resp_ip=10.0.0.255 orig_ttl=128 orig_pkts=1
	dir=in proto=udp orig_ip=10.0.0.7 resp_ip=239.255.255.250 orig_ttl=2 orig_ttl_min=2 orig_ttl_max=4 orig_pkts=2
	EOF
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals remote_ttl)" = "1 255 128 128 2 " ]
	[ "$(vals orig_ttl_init orig_hops orig_os)" = "- - - 128 - - - - 0 - - - - windows - " ]
	[ "$(vals remote_ttl_init remote_hops)" = "- - - 128 - - - - 0 - " ]
	# a subnet broadcast needs the netmask: counted as any address
	[ "$(vals ttl_note)" = "orig:multicast orig:multicast orig:multicast ok orig:multicast " ]
}

@test "remote party follows dir: in -> orig, out -> resp, else -" {
	mkrec > "$T/in.tsv" <<-EOF
	dir=in orig_ip=1.1.1.1 resp_ip=2.2.2.2 orig_pkts=5 resp_pkts=7 orig_ttl=108 resp_ttl=44
	dir=out orig_ip=1.1.1.1 resp_ip=2.2.2.2 orig_pkts=5 resp_pkts=7 orig_ttl=108 resp_ttl=44
	dir=local orig_ip=1.1.1.1 resp_ip=2.2.2.2 orig_pkts=5 resp_pkts=7 orig_ttl=108 resp_ttl=44
	dir=ext orig_ip=1.1.1.1 resp_ip=2.2.2.2 orig_pkts=5 resp_pkts=7 orig_ttl=108 resp_ttl=44
	dir=- orig_ip=1.1.1.1 resp_ip=2.2.2.2 orig_pkts=5 resp_pkts=7 orig_ttl=108 resp_ttl=44
	dir=out orig_ip=1.1.1.1 resp_ip=2.2.2.2 orig_pkts=5 resp_pkts=0 orig_ttl=108 resp_ttl=-
	EOF
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals remote_ip)" = "1.1.1.1 2.2.2.2 - - - 2.2.2.2 " ]
	[ "$(vals remote_pkts)" = "5 7 - - - 0 " ]
	[ "$(vals remote_ttl remote_hops)" = "108 44 - - - - 20 20 - - - - " ]
	[ "$(vals resp_ttl_init resp_hops resp_os)" = "64 64 64 64 64 - 20 20 20 20 20 - unix unix unix unix unix - " ]
}

@test "changed TTL: hops from the minimum, note changed; mixed when above the init" {
	mkrec > "$T/in.tsv" <<-EOF
	dir=in orig_ttl=50 orig_ttl_min=48 orig_ttl_max=50 orig_ttl_chg=2 resp_ttl=128 resp_ttl_min=128 resp_ttl_max=128 resp_ttl_chg=0
	dir=out orig_ttl=128 resp_ttl=50 resp_ttl_min=50 resp_ttl_max=240 resp_ttl_chg=1
	dir=out orig_ttl=128 orig_ttl_chg=0 resp_ttl=50 resp_ttl_chg=3
	EOF
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals remote_ttl remote_ttl_init remote_hops)" = "50 50 50 64 64 64 16 14 14 " ]
	[ "$(vals ttl_note)" = "orig:60/64,orig:changed resp:60/64,resp:changed,resp:mixed resp:60/64,resp:changed " ]
}

@test "-d: the distance limit; -i: a TTL above every candidate is no-init" {
	side 200 70 > "$T/in.tsv"
	run -0 bh-ttl -d 60 "$T/in.tsv"
	[ "$(vals remote_hops ttl_note)" = "55 58 ok ok " ]
	run -0 bh-ttl -d 0 "$T/in.tsv"
	[ "$(vals remote_hops ttl_note)" = "- - orig:far orig:far " ]
	run -0 bh-ttl -i 128,64,32 "$T/in.tsv"
	[ "$(vals remote_ttl_init remote_hops remote_os)" = "- 128 - - - windows " ]
	[ "$(vals ttl_note)" = "orig:no-init orig:far " ]
}

@test "-m: the OS map overrides names one by one; - removes one" {
	cat > "$T/os.map" <<-EOF
	# initial TTL, OS family
	64	linux
	  60 aix/hp-ux   # old stacks
	255 -

	EOF
	side 42 58 240 108 > "$T/in.tsv"
	run -0 bh-ttl -m "$T/os.map" "$T/in.tsv"
	[ "$(vals remote_os)" = "linux linux - windows " ]
	run -0 bh-ttl -i 32,60,64,128,255 -m "$T/os.map" "$T/in.tsv"
	[ "$(vals remote_ttl_init remote_os)" = "60 60 255 128 aix/hp-ux aix/hp-ux - windows " ]
}

@test "bad -i, -d or map file: exit 2 with the reason" {
	run -2 --separate-stderr bh-ttl -i 32,,64 < /dev/null
	[ "$stderr" = "bh-ttl: -i 32,,64: expected a comma-separated list of TTLs 1..255" ]
	run -2 --separate-stderr bh-ttl -i 0,64 < /dev/null
	run -2 --separate-stderr bh-ttl -i 64,256 < /dev/null
	run -2 --separate-stderr bh-ttl -d x < /dev/null
	[ "$stderr" = "bh-ttl: -d x: expected hops 0..255" ]
	printf '64 linux\n300 big\n' > "$T/bad.map"
	run -2 --separate-stderr bh-ttl -m "$T/bad.map" < /dev/null
	[ "$stderr" = "bh-ttl: $T/bad.map:2: expected \`TTL OS' with TTL 1..255 and a name of at most 64 bytes" ]
	printf '64 li\033nux\n' > "$T/bad.map"
	run -2 --separate-stderr bh-ttl -m "$T/bad.map" < /dev/null
	[ "$stderr" = "bh-ttl: $T/bad.map:1: OS name: printable ASCII without blanks or backslashes" ]
	run -2 --separate-stderr bh-ttl -m "$T/none.map" < /dev/null
	[ "$stderr" = "bh-ttl: $T/none.map: No such file or directory" ]
}

@test "minimal input: orig_ttl and resp_ttl, with or without dir" {
	printf '#orig_ttl\tresp_ttl\n108\t44\n' > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	[ "${lines[1]}" = "$(printf '108\t44\t128\t20\twindows\t-\t-\t64\t20\tunix\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tresp:60/64')" ]
	printf '#orig_ttl\tresp_ttl\tdir\n108\t44\tin\n' > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	[ "${lines[1]}" = "$(printf '108\t44\tin\t128\t20\twindows\t-\t-\t64\t20\tunix\t-\t-\t-\t-\t108\t128\t20\twindows\t-\t-\tresp:60/64')" ]
}

@test "missing required column: exit 2, named" {
	printf '#orig_ttl\tdir\n64\tin\n' > "$T/in.tsv"
	run -2 --separate-stderr bh-ttl "$T/in.tsv"
	[ "$stderr" = "bh-ttl: $T/in.tsv: missing column 'resp_ttl'" ]
	[ -z "$output" ]
}

@test "bad values: reported with file:line, record skipped, exit 1" {
	mkrec > "$T/in.tsv" <<-EOF
	flow=1 orig_ttl=64 resp_ttl=64
	flow=2 orig_ttl=256 resp_ttl=64
	flow=3 orig_ttl=64 resp_ttl=6x
	flow=4 orig_ttl=64 orig_ttl_min=65 resp_ttl=64
	flow=5 orig_ttl=64 resp_ttl=64 dir=sideways
	flow=6 orig_ttl=64 resp_ttl=64 dir=in orig_pkts=-3
	flow=7 orig_ttl=$(printf '\033[31m') resp_ttl=64
	flow=8 orig_ttl=64 resp_ttl=64 resp_ttl_chg=x
	flow=9 orig_ttl=64 resp_ttl=64
	EOF
	run -1 --separate-stderr bh-ttl "$T/in.tsv"
	[ "$(vals flow)" = "1 9 " ]
	[ "${stderr_lines[0]}" = "bh-ttl: $T/in.tsv:3: orig_ttl: bad TTL '256'; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-ttl: $T/in.tsv:4: resp_ttl: bad TTL '6x'; record skipped" ]
	[ "${stderr_lines[2]}" = "bh-ttl: $T/in.tsv:5: orig_ttl_min: 65 above orig_ttl 64; record skipped" ]
	[ "${stderr_lines[3]}" = "bh-ttl: $T/in.tsv:6: dir: bad value 'sideways'; record skipped" ]
	[ "${stderr_lines[4]}" = "bh-ttl: $T/in.tsv:7: orig_pkts: bad count '-3'; record skipped" ]
	[ "${stderr_lines[5]}" = "bh-ttl: $T/in.tsv:8: orig_ttl: bad TTL '\\x1b[31m'; record skipped" ]
	[ "${stderr_lines[6]}" = "bh-ttl: $T/in.tsv:9: resp_ttl_chg: bad count 'x'; record skipped" ]
	[ "${stderr_lines[7]}" = "bh-ttl: 7 bad records skipped" ]
	[ "${#stderr_lines[@]}" -eq 8 ]
}

@test "--strict: the first bad record is exit 2" {
	mkrec > "$T/in.tsv" <<-EOF
	orig_ttl=64 resp_ttl=64
	orig_ttl=x resp_ttl=64
	orig_ttl=64 resp_ttl=64
	EOF
	run -2 --separate-stderr bh-ttl --strict "$T/in.tsv"
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "bh-ttl: $T/in.tsv:3: orig_ttl: bad TTL 'x'; record skipped" ]
}

@test "empty input: no output, exit 0; header only: header with the new columns" {
	run -0 bh-ttl < /dev/null
	[ -z "$output" ]
	mkrec < /dev/null > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	[ "$output" = "$(cat "$T/in.tsv")	${OWN// /$'\t'}" ]
}

@test "no final newline: the last record is kept" {
	side 108 42 | head -c -1 > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(vals remote_hops)" = "20 22 " ]
}

@test "unknown columns and comments pass through; a re-run replaces in place" {
	{ echo '# made by hand'
	  printf '#zz\torig_ttl\tresp_ttl\tdir\tremote_os\tyy\n'
	  printf 'a b\t108\t44\tout\tstale\t7\n'
	  echo '# mid'; } > "$T/in.tsv"
	run -0 bh-ttl "$T/in.tsv"
	once=$output
	[ "${lines[0]}" = "# made by hand" ]
	# remote_os was in the input: it is replaced where it stands.
	[ "${lines[1]}" = "$(printf '#zz\torig_ttl\tresp_ttl\tdir\tremote_os\tyy\torig_ttl_init\torig_hops\torig_os\torig_os_sig\torig_os_match\tresp_ttl_init\tresp_hops\tresp_os\tresp_os_sig\tresp_os_match\tremote_ip\tremote_pkts\tremote_ttl\tremote_ttl_init\tremote_hops\tremote_os_sig\tremote_os_match\tttl_note')" ]
	[ "${lines[2]}" = "$(printf 'a b\t108\t44\tout\tunix\t7\t128\t20\twindows\t-\t-\t64\t20\tunix\t-\t-\t-\t-\t44\t64\t20\t-\t-\tresp:60/64')" ]
	[ "${lines[3]}" = "# mid" ]
	run -0 bash -c "bh-ttl '$T/in.tsv' | bh-ttl"
	[ "$output" = "$once" ]
}

@test "a hostile byte in a payload stays escaped" {
	mkrec > "$T/in.tsv" <<-'EOF'
	orig_ttl=64 resp_ttl=64 orig_head=\x1b]0;pwned\x07\t\\ resp_head=\x2d
	EOF
	run -0 bh-ttl "$T/in.tsv"
	[ "$(vals orig_head resp_head)" = '\x1b]0;pwned\x07\t\\ \x2d ' ]
	[[ "$output" != *[$'\x01'-$'\x08'$'\x0b'-$'\x1f'$'\x7f']* ]]
}

@test "options: -h exit 0, unknown option exit 2 with usage, unreadable file 2" {
	run -0 bh-ttl -h
	[ "${lines[0]}" = "usage: bh-ttl [-hP] [--strict] [-d maxhops] [-i ttl,...] [-m mapfile] [-p p0f.fp]" ]
	run -2 --separate-stderr bh-ttl -Z
	[ "${stderr_lines[1]}" = "usage: bh-ttl [-hP] [--strict] [-d maxhops] [-i ttl,...] [-m mapfile] [-p p0f.fp]" ]
	run -2 --separate-stderr bh-ttl "$T/nonexistent"
	[ "$stderr" = "bh-ttl: $T/nonexistent: No such file or directory" ]
}

@test "golden: a mixed session stream" {
	run -0 bh-ttl "$DATA/ttl/sessions.tsv"
	golden ttl/sessions.out
}

# ---- pipeline: fixture captures with planted TTLs through bh-sessions ----

# pipe DESCRIPTION-FILE [bh-ttl options]: the capture through bh-ttl
# (`through` in helper.bash).
pipe() {
	through bh-ttl "$@"
}

@test "pipeline: planted TTLs and hop limits of remote parties" {
	cat > "$T/cap.txt" <<-'EOF'
	# inbound from a Windows host 20 hops away
	1262304000.000000 tcp 198.51.100.7:4431 > 192.168.1.5:445 S ttl=108
	+0.001 tcp 192.168.1.5:445 > 198.51.100.7:4431 SA ttl=128
	+0.100 tcp 198.51.100.7:4431 > 192.168.1.5:445 . ttl=108
	# outbound to a Linux server 22 hops away
	1262304001.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=42
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
	# outbound to a router-like host, 15 hops
	1262304002.000000 tcp 192.168.1.5:1056 > 203.0.113.10:6667 S ttl=128
	+0.090 tcp 203.0.113.10:6667 > 192.168.1.5:1056 SA ttl=240
	# outbound to a host 2 hops away
	1262304003.000000 tcp 192.168.1.5:1057 > 203.0.113.11:80 S ttl=128
	+0.010 tcp 203.0.113.11:80 > 192.168.1.5:1057 SA ttl=62
	# IPv6 inbound, hop limit 54
	1262304004.000000 tcp [2001:db8:1::9]:40000 > [2001:db8::5]:445 S ttl=54
	+0.001 tcp [2001:db8::5]:445 > [2001:db8:1::9]:40000 SA ttl=64
	# TTL 3 over UDP; TTL 200 (55 hops: implausible)
	1262304005.000000 udp 192.168.1.5:1024 > 203.0.113.20:69 ttl=128 "\x00\x01x\x00octet\x00"
	+0.050 udp 203.0.113.20:3445 > 192.168.1.5:1024 ttl=3 "\x00\x03\x00\x01MZ"
	1262304006.000000 tcp 198.51.100.8:3000 > 192.168.1.5:135 S ttl=200
	EOF
	pipe "$T/cap.txt"
	[ "$(vals remote_ttl)" = "108 42 240 62 54 - 3 200 " ]
	[ "$(vals remote_ttl_init)" = "128 64 255 64 64 - 32 255 " ]
	[ "$(vals remote_hops)" = "20 22 15 2 10 - 29 - " ]
	[ "$(vals remote_os)" = "windows unix solaris/network unix unix - windows-old solaris/network " ]
	[ "$(vals ttl_note)" = "ok resp:60/64 ok ok orig:60/64 ok orig:30/32 orig:far " ]
	[ "$(vals remote_pkts)" = "2 1 1 1 1 0 1 1 " ]
}

@test "pipeline: a TTL that changes within the session counts from its minimum" {
	cat > "$T/cap.txt" <<-'EOF'
	1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=50
	+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 R ttl=240
	1262304001.000000 tcp 192.168.1.5:1056 > 203.0.113.9:80 S ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1056 SA ttl=50
	+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1056 PA ttl=48 "x"
	EOF
	pipe "$T/cap.txt"
	[ "$(vals remote_ttl remote_ttl_init remote_hops)" = "50 50 64 64 14 16 " ]
	[ "$(vals ttl_note)" = "resp:60/64,resp:changed,resp:mixed resp:60/64,resp:changed " ]
}

# A p0f.fp of the tests' own (p0f 3's format): a specific and a generic
# SYN signature, a userland tool with a random TTL, a SYN/ACK.
testfp() {
	cat > "$T/test.fp" <<-'EOF'
	; the tests' fingerprints
	classes = win,unix,other

	[mtu]
	label = Ethernet
	sig = 1500

	[tcp:request]
	label = s:unix:TestLinux:3.x
	sig = *:64:0:*:mss*10,7:mss,sok,ts,nop,ws:df,id+:0
	label = g:win:TestWindows:NT
	sig = *:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0
	label = s:!:TestScanner:
	sys = @unix
	sig = *:64-:0:1460:1024,0:mss::0

	[tcp:response]
	label = s:unix:TestLinuxSrv:
	sig = *:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0
	EOF
}

@test "-p p0f.fp: the OS by signature, exact, generic or fuzzy as p0f 3 matches; a Windows layout behind TTL 64 is a conflict" {
	# p0f 3.09b -f test.fp -r on the same capture names the same: the
	# Linux SYN and SYN/ACK (exact), the Windows SYN (generic), the
	# Windows SYN at TTL 50 (generic fuzzy: 78 hops below 128), the
	# Linux SYN without DF (fuzzy), the scanner (app, random_ttl), and
	# the scanner's SYN with ECE (nothing: no fuzzy match for a tool),
	# and a SYN/ACK whose window is 20 times the SYN's MSS, not its own
	# (p0f's detect_win_multi tries the peer's MSS last).
	testfp
	mkcap c <<EOF
$T0 tcp 10.0.0.1:1001 > 10.0.0.2:80 S ttl=64 mss=1460 wscale=7 sackok ts=1/0 win=14600 df
+0.01 tcp 10.0.0.2:80 > 10.0.0.1:1001 SA ttl=64 mss=1460 wscale=7 win=29200 df ts=5/1 sackok
+0.01 tcp 10.0.0.3:1002 > 10.0.0.2:80 S ttl=113 win=8192 wscale=8 mss=1460 df opts=mss,nop,ws,nop,nop,sok
+0.01 tcp 10.0.0.4:1003 > 10.0.0.2:80 S ttl=50 win=8192 wscale=8 mss=1460 df opts=mss,nop,ws,nop,nop,sok
+0.01 tcp 10.0.0.5:1004 > 10.0.0.2:80 S ttl=64 mss=1460 wscale=7 sackok ts=1/0 win=14600
+0.01 tcp 10.0.0.6:1005 > 10.0.0.2:80 S ttl=50 win=1024 mss=1460
+0.01 tcp 10.0.0.7:1006 > 10.0.0.2:80 SE ttl=50 win=1024 mss=1460
+0.01 tcp 10.0.0.8:1007 > 10.0.0.2:80 S ttl=64 mss=1380 wscale=7 sackok ts=1/0 win=13800 df
+0.01 tcp 10.0.0.2:80 > 10.0.0.8:1007 SA ttl=64 mss=1400 wscale=7 win=27600 df ts=5/1 sackok
EOF
	bh-sessions "$T/c.pcap" > "$T/s.tsv"
	run -0 bh-ttl -p "$T/test.fp" "$T/s.tsv"
	printf '%s\n' "$output" | awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $(c["orig_port"]), $(c["orig_os_sig"]) "/" $(c["orig_os_match"]), $(c["resp_os_sig"]) "/" $(c["resp_os_match"]), $(c["ttl_note"]) }' > "$T/got"
	cat > "$T/want" <<-'EOF'
	1001 TestLinux 3.x/exact TestLinuxSrv/exact ok
	1002 TestWindows NT/generic -/- ok
	1003 TestWindows NT/fuzzy -/- orig:60/64,orig:os-conflict
	1004 TestLinux 3.x/fuzzy -/- ok
	1005 TestScanner/exact -/- orig:60/64
	1006 -/- -/- orig:60/64
	1007 TestLinux 3.x/exact TestLinuxSrv/exact ok
	EOF
	diff -u "$T/want" "$T/got"
	# The remote party's: dir `in' makes the originator remote.
	bh-sessions -L 10.0.0.2/32 "$T/c.pcap" > "$T/l.tsv"
	run -0 bh-ttl -p "$T/test.fp" "$T/l.tsv"
	[ "$(printf '%s\n' "$output" | col remote_os_sig | sed -n 3p)" = "TestWindows NT" ]
	[ "$(printf '%s\n' "$output" | col remote_os_match | sed -n 3p)" = "fuzzy" ]
	# -P, and BH_P0F_FP, choose the database; no database, no OS.
	run -0 bh-ttl -P -p "$T/test.fp" "$T/s.tsv"
	[ "$(printf '%s\n' "$output" | col orig_os_sig | sort -u)" = "-" ]
	BH_P0F_FP=$T/test.fp run -0 bh-ttl "$T/s.tsv"
	[ "$(printf '%s\n' "$output" | col orig_os_sig | sed -n 1p)" = "TestLinux 3.x" ]
}

@test "-p p0f.fp: a database that cannot be read or parsed is exit 2, naming the file and line" {
	run -2 --separate-stderr bh-ttl -p "$T/none.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/none.fp: No such file or directory" ]
	printf '[tcp:request]\nsig = 4:64:0:*:mss*10,7:mss:df:0\n' > "$T/b1.fp"
	run -2 --separate-stderr bh-ttl -p "$T/b1.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/b1.fp:2: sig before any label" ]
	printf '[tcp:request]\nlabel = s:unix:X:1\nsig = 4:64:0:*:mss*10,7:mss:df:9\n' > "$T/b2.fp"
	run -2 --separate-stderr bh-ttl -p "$T/b2.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/b2.fp:3: bad payload class" ]
	printf '[tcp:request]\nlabel = s:unix:X:1\nsig = 6:64:0:*:mss*10,7:mss:df:0\n' > "$T/b3.fp"
	run -2 --separate-stderr bh-ttl -p "$T/b3.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/b3.fp:3: quirk not valid for the IP version" ]
	printf '[tcp:request]\nlabel = s:unix:X:1\nsig = 4:64:0:*:mss*10,7:eol+1,mss:df:0\n' > "$T/b4.fp"
	run -2 --separate-stderr bh-ttl -p "$T/b4.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/b4.fp:3: EOL must be the last option" ]
	printf '[tcp:request]\nlabel = x:unix:X:1\n' > "$T/b5.fp"
	run -2 --separate-stderr bh-ttl -p "$T/b5.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/b5.fp:2: label: want s: or g: first" ]
	# A label is written as a field: no tab, no control byte.
	printf '[tcp:request]\nlabel = s:unix:X\tY:1\n' > "$T/b6.fp"
	run -2 --separate-stderr bh-ttl -p "$T/b6.fp" < /dev/null
	[ "$stderr" = "bh-ttl: $T/b6.fp:2: label: printable ASCII without backslashes only" ]
}
