#!/usr/bin/env bats
# bh-hist: exact counts (groups, weights, 2-D, "-", bin edges), statistics,
# the merge law byte for byte, the figures (SVG parsed and rendered, terminal
# bars).  Input records are written here by hand.

load helper

# t: a table written with '|' between the fields, as TSV.
t() {
	tr '|' '\t'
}

setup() {
	T=$BATS_TEST_TMPDIR
	# Ten sessions: three phases and one unlabelled, a "-" TTL, a "-"
	# weight, a "-" RTT, a hostile head, and a column bh-hist ignores.
	t > "$T/s.tsv" <<'E'
#flow|phase|dir|remote_ttl|remote_pkts|rtt_remote_ms|orig_head|extra
1|cnc|out|43|10|12.500|NICK a|x
2|cnc|out|47|3|15.000|-|x
3|cnc|out|43|-|12.700|-|x
4|download|out|110|20|100.250|GET /|x
5|download|out|110|5|-|-|x
6|download|out|64|1|30.000|-|x
7|infection|in|-|2|30.000|\x1b[2J\x00|x
8|infection|in|120|4|40.000|-|x
9|infection|in|50|1|20.000|-|x
10|-|-|60|0|-|-|x
E
	{ head -6 "$T/s.tsv"; } > "$T/a.tsv"
	{ head -1 "$T/s.tsv"; tail -n +7 "$T/s.tsv"; } > "$T/b.tsv"
}

@test "1-D, grouped, weighted: exact counts; '-' counted apart, never as 0" {
	run -0 --separate-stderr bh-hist -k remote_ttl -b phase -w remote_pkts "$T/s.tsv"
	[ "$output" = "$(t <<'E'
#key|width|weight|phase|bin|n|w
remote_ttl|-|remote_pkts|cnc|43|2|10
remote_ttl|-|remote_pkts|cnc|47|1|3
remote_ttl|-|remote_pkts|download|64|1|1
remote_ttl|-|remote_pkts|download|110|2|25
remote_ttl|-|remote_pkts|infection|50|1|1
remote_ttl|-|remote_pkts|infection|120|1|4
remote_ttl|-|remote_pkts|infection|-|1|2
remote_ttl|-|remote_pkts|-|60|1|0
E
)" ]
	[ "$stderr" = "bh-hist: 1 record with remote_pkts '-': counted in n, not in w" ]
}

@test "without -w, w = n; several -b columns; no groups" {
	run -0 bh-hist -k remote_ttl:100 -b dir,phase "$T/s.tsv"
	[ "$output" = "$(t <<'E'
#key|width|weight|dir|phase|bin|n|w
remote_ttl|100|-|in|infection|0|1|1
remote_ttl|100|-|in|infection|100|1|1
remote_ttl|100|-|in|infection|-|1|1
remote_ttl|100|-|out|cnc|0|3|3
remote_ttl|100|-|out|download|0|1|1
remote_ttl|100|-|out|download|100|2|2
remote_ttl|100|-|-|-|0|1|1
E
)" ]
	run -0 bh-hist -k phase "$T/s.tsv"
	[ "$output" = "$(t <<'E'
#key|width|weight|bin|n|w
phase|-|-|cnc|3|3
phase|-|-|download|3|3
phase|-|-|infection|3|3
phase|-|-|-|1|1
E
)" ]
}

@test "bin edges: a value on an edge goes to the upper bin [lo, lo+w)" {
	t > "$T/e.tsv" <<'E'
#x
0
9.999999
10
19.5
20
-0.000001
-10
-10.000001
-
0.3
E
	run -0 bh-hist -k x:10 "$T/e.tsv"
	[ "$output" = "$(t <<'E'
#key|width|weight|bin|n|w
x|10|-|-20|1|1
x|10|-|-10|2|2
x|10|-|0|3|3
x|10|-|10|2|2
x|10|-|20|1|1
x|10|-|-|1|1
E
)" ]
	# Decimal widths are exact: 0.3 is in [0.3, 0.4), not [0.2, 0.3).
	run -0 bash -c "printf '#x\n0.3\n0.1\n0.299999\n' | bh-hist -k x:0.1"
	[ "$output" = "$(t <<'E'
#key|width|weight|bin|n|w
x|0.1|-|0.1|1|1
x|0.1|-|0.2|1|1
x|0.1|-|0.3|1|1
E
)" ]
}

@test "bins sort numerically, then text bytewise, then '-'; numbers canonical" {
	t > "$T/c.tsv" <<'E'
#v
100
9
10
9.0
b
-
A
-1.5
10.500
E
	run -0 bh-hist -k v "$T/c.tsv"
	[ "$output" = "$(t <<'E'
#key|width|weight|bin|n|w
v|-|-|-1.5|1|1
v|-|-|9|2|2
v|-|-|10|1|1
v|-|-|10.5|1|1
v|-|-|100|1|1
v|-|-|A|1|1
v|-|-|b|1|1
v|-|-|-|1|1
E
)" ]
}

@test "2-D bins, with '-' on either key" {
	run -0 --separate-stderr bh-hist -k remote_ttl:10,rtt_remote_ms:10 -b phase "$T/s.tsv"
	[ "$output" = "$(t <<'E'
#key|width|key2|width2|weight|phase|bin|bin2|n|w
remote_ttl|10|rtt_remote_ms|10|-|cnc|40|10|3|3
remote_ttl|10|rtt_remote_ms|10|-|download|60|30|1|1
remote_ttl|10|rtt_remote_ms|10|-|download|110|100|1|1
remote_ttl|10|rtt_remote_ms|10|-|download|110|-|1|1
remote_ttl|10|rtt_remote_ms|10|-|infection|50|20|1|1
remote_ttl|10|rtt_remote_ms|10|-|infection|120|40|1|1
remote_ttl|10|rtt_remote_ms|10|-|infection|-|30|1|1
remote_ttl|10|rtt_remote_ms|10|-|-|60|-|1|1
E
)" ]
}

@test "fractional weights sum exactly; bad weights are reported and skipped" {
	t > "$T/w.tsv" <<'E'
#k|w8
a|0.1
a|0.2
a|2
b|1.000001
b|x
b|-3
b|0.0000001
E
	run -1 --separate-stderr bh-hist -k k -w w8 "$T/w.tsv"
	[ "$output" = "$(t <<'E'
#key|width|weight|bin|n|w
k|-|w8|a|3|2.3
k|-|w8|b|1|1.000001
E
)" ]
	[ "${stderr_lines[0]}" = "bh-hist: $T/w.tsv:6: w8: not a weight (a number >= 0 with at most 6 decimals): 'x'; record skipped" ]
	[ "${stderr_lines[3]}" = "bh-hist: 3 bad records skipped" ]
	run -2 bh-hist --strict -k k -w w8 "$T/w.tsv"
}

@test "-S: exact statistics (type 1 quantiles, weighted), value rows, golden" {
	run -0 --separate-stderr bh-hist -S -k remote_ttl:10 -k rtt_remote_ms -b phase -w remote_pkts "$T/s.tsv"
	golden hist/stats.tsv
	# Unweighted: values 12.5 12.7 15 30 20 30 40 100.25 -> sorted
	# 12.5 12.7 15 20 30 30 40 100.25; q1 = 2nd, median = 4th, q3 = 6th.
	run -0 bash -c "bh-hist -S -k rtt_remote_ms '$T/s.tsv' | grep stat"
	[ "$output" = "$(t <<'E'
rtt_remote_ms|-|-|stat|-|8|8|12.5|12.7|20|30|100.25|32.55625
E
)" ]
}

@test "merge law: bh-hist OPTS A B = bh-hist --merge of the parts, byte for byte" {
	for opts in "-k remote_ttl" \
	    "-k remote_ttl -b phase -w remote_pkts" \
	    "-k remote_ttl:10,rtt_remote_ms:5 -b phase,dir -w remote_pkts" \
	    "-S -k rtt_remote_ms:10 -k remote_ttl -b phase -w remote_pkts" \
	    "-S -k remote_ttl -k phase,remote_ttl -b dir" \
	    "-k orig_head -b phase"; do
		bh-hist $opts "$T/a.tsv" "$T/b.tsv" > "$T/direct" 2>/dev/null
		bh-hist $opts "$T/a.tsv" > "$T/pa" 2>/dev/null
		bh-hist $opts "$T/b.tsv" > "$T/pb" 2>/dev/null
		run -0 bh-hist --merge "$T/pa" "$T/pb"
		printf '%s\n' "$output" | cmp - "$T/direct" || {
			echo "merge law broken for: $opts"; return 1; }
		# Associative, and indifferent to empty and header-only parts.
		head -1 "$T/a.tsv" > "$T/h.tsv"
		: > "$T/empty.tsv"
		bh-hist $opts "$T/h.tsv" > "$T/ph" 2>/dev/null
		bh-hist $opts "$T/empty.tsv" > "$T/pe"
		bh-hist --merge "$T/ph" "$T/pa" > "$T/pha"
		run -0 bh-hist --merge "$T/pe" "$T/pha" "$T/pb" "$T/ph"
		printf '%s\n' "$output" | cmp - "$T/direct" || {
			echo "not associative for: $opts"; return 1; }
	done
}

@test "merge law with process substitution, as in the man page" {
	o='-S -k remote_ttl -b phase -w remote_pkts'
	run -0 bash -c "bh-hist $o '$T/a.tsv' '$T/b.tsv' 2>/dev/null |
	    cmp - <(bh-hist --merge <(bh-hist $o '$T/a.tsv' 2>/dev/null) \
	        <(bh-hist $o '$T/b.tsv' 2>/dev/null))"
}

@test "--merge: outputs of different options do not mix; bad rows exit 1" {
	bh-hist -k remote_ttl "$T/a.tsv" > "$T/p1"
	bh-hist -k remote_ttl -b phase "$T/b.tsv" > "$T/p2"
	run -2 --separate-stderr bh-hist --merge "$T/p1" "$T/p2"
	[ "$stderr" = "bh-hist: $T/p2:1: header differs from the first one" ]
	run -2 --separate-stderr bh-hist --merge "$T/s.tsv"
	[ "$stderr" = "bh-hist: $T/s.tsv: not a bh-hist stream: missing column 'key'" ]
	t > "$T/bad" <<'E'
#key|width|weight|bin|n|w
x|-|-|1|2|2
x|-|-|1|two|2
x|0|-|1|2|2
E
	run -1 --separate-stderr bh-hist --merge "$T/bad"
	[ "$output" = "$(printf '#key\twidth\tweight\tbin\tn\tw\nx\t-\t-\t1\t2\t2')" ]
	[ "${stderr_lines[0]}" = "bh-hist: $T/bad:3: n: not a count: 'two'; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-hist: $T/bad:4: width: not '-' or a number > 0; record skipped" ]
	run -2 bh-hist --merge -k x "$T/bad"
}

@test "exit 2: usage, missing column, unreadable file, reserved group name, -N" {
	run -2 --separate-stderr bh-hist "$T/s.tsv"
	[ "${stderr_lines[0]}" = "bh-hist: no key: give -k, or --merge" ]
	run -2 --separate-stderr bh-hist -Z
	run -2 --separate-stderr bh-hist -k nosuch "$T/s.tsv"
	[ "$stderr" = "bh-hist: $T/s.tsv: missing column 'nosuch'" ]
	run -2 --separate-stderr bh-hist -k x:0 "$T/s.tsv"
	[ "$stderr" = "bh-hist: -k x:0: width must be a number > 0, not '0'" ]
	run -2 --separate-stderr bh-hist -k remote_ttl "$T/nofile"
	[ "$stderr" = "bh-hist: $T/nofile: No such file or directory" ]
	run -2 --separate-stderr bh-hist -k remote_ttl -b bin "$T/s.tsv"
	[ "$stderr" = "bh-hist: -b bin: the output has a column of that name" ]
	run -2 --separate-stderr bh-hist -N 3 -k remote_ttl "$T/s.tsv"
	[ "$stderr" = "bh-hist: more than 3 cells (keys x groups x bins): use wider bins or fewer groups, or raise -N" ]
}

@test "exit 1: a non-number in a binned key is reported with file:line" {
	run -1 --separate-stderr bh-hist -k phase:1 "$T/s.tsv"
	[ "${stderr_lines[0]}" = "bh-hist: $T/s.tsv:2: phase: not a number: 'cnc'; record skipped" ]
	[ "${stderr_lines[8]}" = "bh-hist: $T/s.tsv:10: phase: not a number: 'infection'; record skipped" ]
	[ "${stderr_lines[9]}" = "bh-hist: 9 bad records skipped" ]
	[ "$output" = "$(printf '#key\twidth\tweight\tbin\tn\tw\nphase\t1\t-\t-\t1\t1')" ]
	run -2 bh-hist --strict -k phase:1 "$T/s.tsv"
}

@test "empty input, header only, no final newline, comments pass through" {
	run -0 bash -c ": | bh-hist -k x"
	[ -z "$output" ]
	run -0 bash -c "printf '#x\ty\n' | bh-hist -k x,y"
	[ "$output" = "$(printf '#key\twidth\tkey2\twidth2\tweight\tbin\tbin2\tn\tw')" ]
	run -0 bash -c "printf '# made by hand\n#x\n5\n# mid\n5' | bh-hist -k x"
	[ "$output" = "$(printf '# made by hand\n#key\twidth\tweight\tbin\tn\tw\n# mid\nx\t-\t-\t5\t2\t2')" ]
	# a comment of any form after the header stays after ours
	run -0 bash -c "printf '#x\n#note\n5\n' | bh-hist -k x | bh-hist --merge"
	[ "$output" = "$(printf '#key\twidth\tweight\tbin\tn\tw\n#note\nx\t-\t-\t5\t1\t1')" ]
}

@test "a hostile byte stays escaped: in the stream, the bars and the SVG" {
	run -0 bh-hist -k orig_head "$T/s.tsv"
	[ "${lines[2]}" = "$(printf 'orig_head\t-\t-\tNICK a\t1\t1')" ]
	[ "${lines[1]}" = "$(printf 'orig_head\t-\t-\tGET /\t1\t1')" ]
	[ "${lines[3]}" = "$(printf 'orig_head\t-\t-\t\\x1b[2J\\x00\t1\t1')" ]
	# A merge input that is not a clean stream: raw ESC and '<' bytes.
	printf '#key\twidth\tweight\tbin\tn\tw\nh\t-\t-\t\033[2J<&\t1\t1\n' > "$T/raw"
	run -0 bh-hist --merge --bars "$T/raw"
	[ "${lines[1]}" = "  ?[2J<& $(printf '\xe2\x96\x88%.0s' $(seq 40)) 1" ]
	run -0 bh-hist --merge --svg "$T/raw.svg" "$T/raw"
	run -1 grep -c $'\033' "$T/raw.svg"
	grep -q '\\x1b\[2J&lt;&amp;' "$T/raw.svg"
	xml_ok "$T/raw.svg"
}

# xml_ok FILE: FILE parses as XML (xmllint, else Python's minidom).
xml_ok() {
	if command -v xmllint >/dev/null; then
		xmllint --noout "$1"
	elif command -v python3 >/dev/null; then
		python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$1"
	else
		skip "no XML parser (xmllint, python3)"
	fi
}

@test "SVG histogram: valid XML, renders, axes, one bar group per phase" {
	run -0 bh-hist -k remote_ttl -b phase -w remote_pkts --svg "$T/f.svg" "$T/s.tsv"
	[ "${lines[0]}" = "$(printf '#key\twidth\tweight\tphase\tbin\tn\tw')" ]
	xml_ok "$T/f.svg"
	grep -q '^<svg xmlns="http://www.w3.org/2000/svg"' "$T/f.svg"
	[ "$(grep -c '^<g class="axis x"' "$T/f.svg")" = 1 ]
	[ "$(grep -c '^<g class="axis y"' "$T/f.svg")" = 1 ]
	[ "$(grep -c '^<g class="series"' "$T/f.svg")" = 4 ]
	run -0 grep -o 'class="series" data-group="[^"]*"' "$T/f.svg"
	[ "$output" = 'class="series" data-group="cnc"
class="series" data-group="download"
class="series" data-group="infection"
class="series" data-group="-"' ]
	# Bars: every cell with w > 0 and a numeric bin (60 has w 0).
	[ "$(grep -c '<rect class="bar"' "$T/f.svg")" = 6 ]
	grep -q '>remote_ttl</text>' "$T/f.svg"
	grep -q '>sum of remote_pkts</text>' "$T/f.svg"
	grep -q '>not set (-): infection 2</text>' "$T/f.svg"
	grep -q '<text [^>]*>cnc</text>' "$T/f.svg"
	# No scripts, no external references: self-contained.
	run -1 grep -Ec '<script|href=|@import|url\(' "$T/f.svg"
	command -v rsvg-convert >/dev/null || skip "rsvg-convert not installed"
	run -0 rsvg-convert "$T/f.svg" -o "$T/f.png"
	[ -s "$T/f.png" ]
}

@test "SVG: stacked bars, categorical axis, 2-D scatter, several panels, no data" {
	run -0 bh-hist -k phase -b dir --stacked -T 'Sessions' --svg "$T/c.svg" "$T/s.tsv"
	xml_ok "$T/c.svg"
	[ "$(grep -c '<rect class="bar"' "$T/c.svg")" = 4 ]
	grep -q 'class="title">Sessions</text>' "$T/c.svg"
	run -0 bh-hist -k remote_ttl,rtt_remote_ms:10 -b phase --svg "$T/s2.svg" "$T/s.tsv"
	xml_ok "$T/s2.svg"
	[ "$(grep -c '<circle class="point"' "$T/s2.svg")" = 6 ]
	[ "$(grep -c '^<g class="series"' "$T/s2.svg")" = 4 ]
	grep -q '>rtt_remote_ms (bins of 10)</text>' "$T/s2.svg"
	run -0 bh-hist -k remote_ttl -k rtt_remote_ms:20 --svg "$T/p.svg" "$T/s.tsv"
	[ "$(grep -c '^<g class="panel"' "$T/p.svg")" = 2 ]
	run -0 bash -c "printf '#x\n' | bh-hist -k x --svg '$T/n.svg'"
	grep -q '>no data</text>' "$T/n.svg"
	xml_ok "$T/n.svg"
	run -0 bash -c "bh-hist -k phase --svg - '$T/s.tsv' | head -1"
	[ "$output" = '<?xml version="1.0" encoding="UTF-8"?>' ]
	command -v rsvg-convert >/dev/null || skip "rsvg-convert not installed"
	for f in c s2 p n; do
		rsvg-convert "$T/$f.svg" -o "$T/$f.png"
	done
}

@test "--bars: a terminal chart instead of the stream, golden" {
	run -0 --separate-stderr bh-hist -S -k remote_ttl -b phase -w remote_pkts --bars "$T/s.tsv"
	golden hist/bars.txt
	run -2 bh-hist -k x --bars --svg - "$T/s.tsv"
}

# fill GROUP SVG: the fill colour of GROUP's series in SVG.
fill() {
	sed -n "s|^<g class=\"series\" data-group=\"$1\" fill=\"\\(#[0-9A-F]*\\)\".*|\\1|p" "$2"
}

@test "SVG colours: a group's colour does not depend on the other groups" {
	t > "$T/os.tsv" <<'E'
#remote_os|proto|dir|remote_ttl
unix|tcp|out|44
windows|udp|out|108
solaris/network|tcp|in|240
-|icmp|-|60
E
	# unix was orange beside windows and blue beside solaris/network
	head -3 "$T/os.tsv" > "$T/a.tsv"
	{ head -1 "$T/os.tsv"; sed -n '2p;4p' "$T/os.tsv"; } > "$T/b.tsv"
	run -0 bh-hist -k remote_ttl -b remote_os --svg "$T/a.svg" "$T/a.tsv"
	run -0 bh-hist -k remote_ttl -b remote_os --svg "$T/b.svg" "$T/b.tsv"
	run -0 bh-hist -k remote_ttl -b remote_os --svg "$T/all.svg" "$T/os.tsv"
	[ "$(fill unix "$T/a.svg")" = '#E69F00' ]
	[ "$(fill unix "$T/b.svg")" = '#E69F00' ]
	[ "$(fill unix "$T/all.svg")" = '#E69F00' ]
	[ "$(fill windows "$T/a.svg")" = '#0072B2' ]
	[ "$(fill solaris/network "$T/b.svg")" = '#000000' ]
	# "-" is grey, and the legend swatch has the series' colour
	[ "$(fill - "$T/all.svg")" = '#BBBBBB' ]
	grep -q '<rect [^>]*fill="#BBBBBB"/>' "$T/all.svg"
	# the same from --merge, and in a scatter
	bh-hist -k remote_ttl -b remote_os "$T/b.tsv" > "$T/b.hist"
	run -0 bh-hist --merge --svg "$T/m.svg" "$T/b.hist"
	[ "$(fill unix "$T/m.svg")" = '#E69F00' ]
	run -0 bh-hist -k remote_ttl,remote_ttl -b remote_os --svg "$T/s.svg" "$T/b.tsv"
	[ "$(fill unix "$T/s.svg")" = '#E69F00' ]
	# the phases of the suite, from the test's stream
	run -0 bh-hist -k remote_ttl -b phase --svg "$T/p.svg" "$T/s.tsv"
	[ "$(fill infection "$T/p.svg")" = '#D55E00' ]
	[ "$(fill download "$T/p.svg")" = '#0072B2' ]
	[ "$(fill cnc "$T/p.svg")" = '#000000' ]
	# no -b: blue
	run -0 bh-hist -k remote_ttl --svg "$T/n.svg" "$T/os.tsv"
	grep -q '^<g class="series" data-group="" fill="#0072B2"' "$T/n.svg"
}

@test "SVG colours: other values by FNV-1a of their bytes mod 7, as documented" {
	t > "$T/p.tsv" <<'E'
#proto|dir|phase|remote_ttl
tcp|out|cnc|44
udp|out|download|108
icmp|in|infection|60
E
	run -0 bh-hist -k remote_ttl -b proto --svg "$T/a.svg" "$T/p.tsv"
	[ "$(fill tcp "$T/a.svg")" = '#000000' ]
	[ "$(fill udp "$T/a.svg")" = '#009E73' ]
	[ "$(fill icmp "$T/a.svg")" = '#D55E00' ]
	run -0 bh-hist -k remote_ttl -b proto --svg "$T/b.svg" <(sed 3d "$T/p.tsv")
	[ "$(fill tcp "$T/b.svg")" = '#000000' ]
	[ "$(fill icmp "$T/b.svg")" = '#D55E00' ]
	# several -b columns: the hash of the values joined by TAB
	run -0 bh-hist -k remote_ttl -b dir,phase --svg "$T/c.svg" "$T/p.tsv"
	[ "$(fill 'out, cnc' "$T/c.svg")" = '#0072B2' ]
	[ "$(fill 'out, download' "$T/c.svg")" = '#56B4E9' ]
	[ "$(fill 'in, infection' "$T/c.svg")" = '#E69F00' ]
}

@test "SVG colours: --colors overrides; groups that share a colour are named" {
	t > "$T/x.tsv" <<'E'
#x|y|v
tcp|a|1
SF|b|2
unix|a|3
E
	# tcp and SF hash to the same colour: a warning, and the figure
	run -0 --separate-stderr bh-hist -k v -b x --svg "$T/a.svg" "$T/x.tsv"
	[ "$stderr" = "bh-hist: --svg: v by x: groups 'SF' and 'tcp' share the colour #000000 (give --colors)" ]
	[ "$(fill SF "$T/a.svg")" = '#000000' ]
	run -0 --separate-stderr bh-hist -k v -b x --colors 'SF=#cc79a7,unix=#123' --svg "$T/b.svg" "$T/x.tsv"
	[ "$stderr" = "" ]
	[ "$(fill SF "$T/b.svg")" = '#CC79A7' ]
	[ "$(fill tcp "$T/b.svg")" = '#000000' ]
	[ "$(fill unix "$T/b.svg")" = '#112233' ]
	# the last one given wins; the same colour twice by choice is quiet
	run -0 --separate-stderr bh-hist -k v -b x --colors 'SF=#111111' --colors 'SF=#000000,tcp=#000' --svg "$T/c.svg" "$T/x.tsv"
	[ "$stderr" = "" ]
	[ "$(fill SF "$T/c.svg")" = '#000000' ]
	# a group of several columns: its values joined by commas
	run -0 bh-hist -k v -b x,y --colors 'tcp,a=#00ff00,unix,a=#0000FF' --svg "$T/d.svg" "$T/x.tsv"
	[ "$(fill 'tcp, a' "$T/d.svg")" = '#00FF00' ]
	[ "$(fill 'unix, a' "$T/d.svg")" = '#0000FF' ]
	# and with --merge; an entry that matches no group does nothing
	bh-hist -k v -b x "$T/x.tsv" > "$T/x.hist"
	run -0 bh-hist --merge --colors 'unix=#abcdef,nosuch=#000' --svg "$T/e.svg" "$T/x.hist"
	[ "$(fill unix "$T/e.svg")" = '#ABCDEF' ]
	# an empty value: the one group of a figure without -b
	run -0 bh-hist -k v --colors '=#654321' --svg "$T/g.svg" "$T/x.tsv"
	grep -q '^<g class="series" data-group="" fill="#654321"' "$T/g.svg"
	# anything but value=#rgb or #rrggbb is a usage error
	for bad in 'unix' 'unix=red' 'unix=#12' 'unix=#1234567' 'unix=#123,' \
	    'unix=#12345g' '"/><script>=#1;x'; do
		run -2 --separate-stderr bh-hist -k v -b x --colors "$bad" --svg "$T/f.svg" "$T/x.tsv"
		[ "${stderr%%$'\n'*}" = "bh-hist: --colors $bad: not value=#rrggbb[,...]" ]
	done
	[ ! -e "$T/f.svg" ]
}

@test "--strict: a bad record ends the run, exit 2, and no partial aggregate is written" {
	printf '#x\ty\n1\t2\nshort\n3\t4\n' > "$T/h.tsv"
	run -2 --separate-stderr bh-hist -k x --strict "$T/h.tsv"
	[ "$output" = "$(printf '#key\twidth\tweight\tbin\tn\tw')" ]
	[ "$stderr" = "bh-hist: $T/h.tsv:3: expected 2 fields, got 1; record skipped" ]
	printf '#x\ty\n1\tzz\n' > "$T/k.tsv"
	run -2 --separate-stderr bh-hist -k y:1 --strict "$T/k.tsv"
	[ "$output" = "$(printf '#key\twidth\tweight\tbin\tn\tw')" ]
	run -1 --separate-stderr bh-hist -k x "$T/h.tsv"
	[ "${#lines[@]}" -eq 3 ]
}
