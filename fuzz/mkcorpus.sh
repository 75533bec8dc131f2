#!/bin/sh
# fuzz/mkcorpus.sh [BINDIR] - write the seed corpus fuzz/corpus/TARGET/
# from packet descriptions, with the tools in BINDIR (default build/bin).
#
# The descriptions are fuzz/seeds/*.txt (every feature of bh-mkpcap and
# every protocol bh-phase knows) and every heredoc in tests/*.bats that
# bh-mkpcap accepts (the captures the tests use).  Each becomes a capture,
# also with the other link types and as pcapng; the captures seed pcap and
# pkt (pkt: pcap only, some with the table knobs of fuzz_pkt.c set); the
# records bh-sessions, bh-phase, bh-rtt and bh-ttl make of them seed the
# record-stream targets (bh-story: the whole labelled stream), with the
# options line each of those expects.
# Files are named by their SHA-1, as libFuzzer names its own; with the
# libFuzzer binaries built (make fuzz-build) only the seeds that add
# coverage are kept.
set -eu
cd "$(dirname "$0")/.."
B=$(cd "${1:-build/bin}" && pwd)
PATH=$B:$PATH
export LC_ALL=C TZ=UTC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/desc"

# ---- descriptions -------------------------------------------------------
cp fuzz/seeds/*.txt "$tmp/desc/"
for f in tests/*.bats; do
	awk -v out="$tmp/desc/$(basename "$f" .bats)" '
	!inside && match($0, /<<-?[ ]*['\''"]?[A-Z]+['\''"]?/) {
		d = substr($0, RSTART + 2, RLENGTH - 2)
		strip = d ~ /^-/
		gsub(/[-'\''" ]/, "", d)
		inside = 1; n++; file = out "-" n ".txt"; next
	}
	inside {
		line = $0
		if (strip) sub(/^\t+/, "", line)
		if (line == d) { inside = 0; close(file); next }
		print line > file
	}' "$f"
done
sed -i 's/\${T0}/1262304000/g; s/\$T0/1262304000/g' "$tmp"/desc/*.txt
mkdir -p "$tmp/pcap"
for d in "$tmp"/desc/*.txt; do
	grep -q '\$' "$d" && continue
	n=$(basename "$d" .txt)
	bh-mkpcap -o "$tmp/pcap/$n.pcap" "$d" 2>/dev/null || continue
	[ "$(wc -c < "$tmp/pcap/$n.pcap")" -gt 24 ] || { rm "$tmp/pcap/$n.pcap"; continue; }
	# The same packets on the other link types, and as pcapng.
	grep -qE '^(link|format) ' "$d" && continue
	for l in sll sll2 raw null loop; do
		{ echo "link $l"; cat "$d"; } |
		    bh-mkpcap -o "$tmp/pcap/$n-$l.pcap" 2>/dev/null ||
		    rm -f "$tmp/pcap/$n-$l.pcap"
	done
	{ echo "format pcapng"; cat "$d"; } |
	    bh-mkpcap -o "$tmp/pcap/$n-ng.pcapng" 2>/dev/null ||
	    rm -f "$tmp/pcap/$n-ng.pcapng"
	# Raw IP under its other link type numbers: DLT_RAW 12 and 14,
	# LINKTYPE_IPV4 228, LINKTYPE_IPV6 229 (bytes 20..23, little-endian).
	if [ -f "$tmp/pcap/$n-raw.pcap" ]; then
		for lt in 014 016 344 345; do
			cp "$tmp/pcap/$n-raw.pcap" "$tmp/pcap/$n-raw$lt.pcap"
			printf "\\$lt" | dd of="$tmp/pcap/$n-raw$lt.pcap" bs=1 \
			    seek=20 conv=notrunc 2>/dev/null
		done
	fi
done

# ---- corpora ------------------------------------------------------------
# put TARGET FILE: add FILE to fuzz/corpus/TARGET under its SHA-1.
put() {
	h=$(sha1sum < "$2" | cut -c1-40)
	cp "$2" "fuzz/corpus/$1/$h"
}
for t in pkt ev pcap unzip record phase rtt ttl hist story filter; do
	mkdir -p "fuzz/corpus/$t"
	rm -f "fuzz/corpus/$t"/*
done
# ev_seed SESSIONS: each TCP session's heads as fuzz_ev.c segments, the
# originator's head in two pushed pieces, the responder's, then the
# originator's again (a second message), for the capture's sessions.
ev_seed() {
	bh-cut -H -f proto,orig_head,resp_head "$1" | perl -e '
	sub unesc { my $s = shift; return "" if $s eq "-";
		$s =~ s/\\(x([0-9a-f]{2})|\\|t|n|r)/
		    defined $2 ? chr(hex $2) : $1 eq "\\" ? "\\" :
		    $1 eq "t" ? "\t" : $1 eq "n" ? "\n" : "\r"/ge; $s }
	sub seg { my ($side, $push, $step, $b) = @_;
		$b = substr($b, 0, 255);
		print chr($side | ($push ? 2 : 0)), pack("v", $step & 0xffff),
		    chr(length $b), $b }
	my $k = 0;
	print chr(3);
	while (<STDIN>) {
		chomp; my ($p, $o, $r) = split /\t/;
		next unless $p eq "tcp" && $k++ < 8;
		($o, $r) = (unesc($o), unesc($r));
		my $h = int(length($o) / 2);
		seg(0, 0, 0, substr($o, 0, $h)); seg(0, 1, 0, substr($o, $h));
		seg(1, 1, 0, $r); seg(0, 1, 0, $o);
	}'
}
osmap=$tmp/osmap
printf '# TTL OS\n64 linux\n128 windows\n255 -\n60 aix # old\n' > "$osmap"
rules=$tmp/rules
grep -v '^#' cmd/bh-phase.rules | grep . | head -n 40 > "$rules"
n=0
for p in "$tmp"/pcap/*; do
	n=$((n + 1))
	put pcap "$p"
	# unzip: one capture in eight in each format, whole, cut short,
	# and as two concatenated streams (`cat a.gz b.gz`)
	if [ $((n % 8)) = 0 ]; then
		for z in gzip xz zstd bzip2; do
			$z -c < "$p" > "$tmp/z" 2>/dev/null || continue
			put unzip "$tmp/z"
			head -c $(($(wc -c < "$tmp/z") * 2 / 3)) "$tmp/z" > "$tmp/zc"
			put unzip "$tmp/zc"
			{ head -c 24 "$p" | $z -c; tail -c +25 "$p" | $z -c; } \
			    > "$tmp/z2" 2>/dev/null && put unzip "$tmp/z2"
		done
	fi
	case $p in
	*.pcap)
		put pkt "$p"
		# table knobs (fuzz_pkt.c): tiny cap, head, timeouts, pool
		if [ $((n % 4)) = 0 ]; then
			cp "$p" "$tmp/knob"
			printf '\002\005\011\001' |
			    dd of="$tmp/knob" bs=1 seek=8 conv=notrunc 2>/dev/null
			put pkt "$tmp/knob"
		fi ;;
	esac
	s=$tmp/s.tsv
	bh-sessions -q -L 10.0.0.0/8 -L 192.168.0.0/16 -L 2001:db8::1 "$p" > "$s" 2>/dev/null || true
	[ "$(wc -l < "$s")" -gt 1 ] || continue
	bh-phase < "$s" > "$tmp/ph.tsv" 2>/dev/null || true
	bh-rtt < "$tmp/ph.tsv" 2>/dev/null | bh-ttl > "$tmp/all.tsv" 2>/dev/null || true
	ev_seed "$s" > "$tmp/x"
	[ "$(wc -c < "$tmp/x")" -gt 1 ] && put ev "$tmp/x"
	put record "$s"
	put record "$tmp/all.tsv"
	{ echo; cat "$s"; } > "$tmp/x"; put phase "$tmp/x"
	{ echo; cat "$tmp/ph.tsv"; } > "$tmp/x"; put rtt "$tmp/x"
	{ echo "-T --strict"; cat "$s"; } > "$tmp/x"; put rtt "$tmp/x"
	{ echo; cat "$tmp/ph.tsv"; } > "$tmp/x"; put ttl "$tmp/x"
	{ echo "-i 30,60,64,128,255 -d 20"; cat "$osmap"; echo "%%"; cat "$s"; } > "$tmp/x"
	put ttl "$tmp/x"
	{ echo "-W 3 -w 2s"; cat "$rules"; echo "%%"; cat "$s"; } > "$tmp/x"
	put phase "$tmp/x"
	{ echo; cat "$tmp/all.tsv"; } > "$tmp/x"; put story "$tmp/x"
	{ echo "-s --svg -W 2 -n 2 -w 5s"; cat "$tmp/all.tsv"; } > "$tmp/x"
	put story "$tmp/x"
	case $((n % 4)) in
	0) o="-k orig_ttl -b proto -w orig_pkts -S" ;;
	1) o="-k dur:0.5,orig_bytes:100 -b dir,phase" ;;
	2) o="-k rtt_ms:10 -b phase --bars -T t" ;;
	3) o="-k app -k remote_hops:2 -b phase --svg -X x -Y y" ;;
	esac
	{ echo "$o"; cat "$tmp/all.tsv"; } > "$tmp/x"; put hist "$tmp/x"
	(cd "$tmp" && bh-hist $o < all.tsv > h.tsv 2>/dev/null) &&
	    { echo "--merge"; cat "$tmp/h.tsv"; } > "$tmp/x" && put hist "$tmp/x"
	for b in 0 3 5 133 137; do
		{ printf "\\$(printf %03o "$b")"; cat "$tmp/all.tsv"; } > "$tmp/x"
		put filter "$tmp/x"
	done
done
# Keep only the seeds that add coverage, when the libFuzzer binaries are
# built (make fuzz-build).
for t in pkt ev pcap unzip record phase rtt ttl hist story filter; do
	f=build-fuzz/fuzz/libfuzzer-$t
	if [ -x "$f" ]; then
		mkdir "$tmp/min-$t"
		"$f" -merge=1 -close_fd_mask=2 "$tmp/min-$t" "fuzz/corpus/$t" \
		    > "$tmp/merge.log" 2>&1 || { cat "$tmp/merge.log"; exit 1; }
		rm -f "fuzz/corpus/$t"/*
		cp "$tmp/min-$t"/* "fuzz/corpus/$t/"
	fi
	printf '%s: %s seeds\n' "$t" "$(ls "fuzz/corpus/$t" | wc -l)"
done
