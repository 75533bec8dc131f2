bats_require_minimum_version 1.5.0

# Loaded by every test file: the binaries just built come first on PATH,
# and the environment is the one the contract promises output for.
BH_BIN=${BH_BIN:-$BATS_TEST_DIRNAME/../build/bin}
PATH="$BH_BIN:$PATH"
export LC_ALL=C TZ=UTC
# bh-ttl reads no p0f.fp unless a test names one (the machine's may differ).
export BH_P0F_FP=
DATA=$BATS_TEST_DIRNAME/data

# golden NAME: compare $output with tests/data/NAME; UPDATE=1 rewrites it.
golden() {
	local want="$DATA/$1"
	if [ -n "${UPDATE:-}" ]; then
		printf '%s\n' "$output" > "$want"
	fi
	diff -u "$want" <(printf '%s\n' "$output")
}

# mkpcap OUT < description: write a fixture capture with bh-mkpcap.
mkpcap() {
	bh-mkpcap -o "$1"
}

# col NAME: print column NAME of the record stream on stdin (no header).
col() {
	awk -F'\t' -v n="$1" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == n || $i == "#" n) c = i; next } /^#/ { next } { print $c }'
}

# ---- hand-written session records (bh-rtt, bh-ttl tests) ----

# The session record of bh-sessions, in its order.
COLS="flow proto ts dur orig_ip orig_port resp_ip resp_port dir state
orig_pkts orig_bytes resp_pkts resp_bytes
orig_ttl orig_ttl_min orig_ttl_max orig_ttl_chg
resp_ttl resp_ttl_min resp_ttl_max resp_ttl_chg
syn_ts synack_ts ack_ts syn_n synack_n syn_ans_ts synack_ans_ts
orig_rtt_n orig_rtt_min_ms orig_rtt_avg_ms orig_rtt_max_ms
resp_rtt_n resp_rtt_min_ms resp_rtt_avg_ms resp_rtt_max_ms
orig_by end history orig_head resp_head"
T0=1262304000

# mkrec [-c "cols"] < description: a header and one record per line of
# `name=value ...` (unnamed columns are `-`; a `#` line is a comment).
# `hs=A/B` is a TCP handshake: SYN at T0, SYN/ACK A ms later, ACK B ms
# after that, each packet sent once (A, B with exactly 3 decimals; the
# sums are exact integers).  One awk for the whole input: bats traces
# every shell command, so shell loops are slow here.
mkrec() {
	local cols=$COLS
	if [ "$1" = -c ]; then cols=$2; fi
	awk -v cols="$cols" -v t0=$T0 '
	function ts(us) { return sprintf("%d.%06d", int(us / 1e6), us % 1e6) }
	BEGIN {
		n = split(cols, c, /[ \n]+/)
		for (i = 1; i <= n; i++) { known[c[i]] = 1; h = h (i > 1 ? "\t" : "#") c[i] }
		print h
	}
	/^#/ { print; next }
	NF == 0 { next }
	{
		delete v
		for (i = 1; i <= NF; i++) {
			k = $i; sub(/=.*/, "", k); val = $i; sub(/^[^=]*=/, "", val)
			if (k == "hs") {
				split(val, ab, "/"); a = ab[1] * 1000; b = ab[2] * 1000
				v["proto"] = "tcp"; v["syn_ts"] = ts(t0 * 1e6)
				v["synack_ts"] = ts(t0 * 1e6 + a)
				v["ack_ts"] = ts(t0 * 1e6 + a + b)
				v["syn_n"] = v["synack_n"] = 1
				continue
			}
			if (!(k in known)) { print "mkrec: no column " k > "/dev/stderr"; exit 1 }
			v[k] = val
		}
		line = ""
		for (i = 1; i <= n; i++) line = line (i > 1 ? "\t" : "") (c[i] in v ? v[c[i]] : "-")
		print line
	}'
}

# vals NAME...: the values of column NAME in the records of $output, each
# followed by a space; for several names, one after the other.
vals() {
	printf '%s\n' "$output" | awk -F'\t' -v names="$*" '
	BEGIN { k = split(names, want, " ") }
	/^#[a-z]/ {
		sub(/^#/, "")
		for (i = 1; i <= NF; i++) for (j = 1; j <= k; j++) if ($i == want[j]) c[j] = i
		next
	}
	/^#/ { next }
	{ for (j = 1; j <= k; j++) out[j] = out[j] $c[j] " " }
	END { for (j = 1; j <= k; j++) printf "%s", out[j] }'
}

# through TOOL DESCRIPTION-FILE [TOOL options]: bh-mkpcap | bh-sessions
# (local networks 192.168.1.0/24 and 2001:db8::/64) | TOOL, into $output;
# skips when bh-sessions or bh-mkpcap has not been built.
through() {
	[ -x "$BH_BIN/bh-sessions" ] && [ -x "$BH_BIN/bh-mkpcap" ] ||
	    skip "bh-sessions or bh-mkpcap not built"
	local tool=$1 d=$2
	shift 2
	bh-mkpcap -o "$T/cap.pcap" "$d"
	run -0 --separate-stderr bash -c \
	    "bh-sessions -L 192.168.1.0/24 -L 2001:db8::/64 '$T/cap.pcap' | $tool $*"
	[ -z "$stderr" ]
}

# mkcap NAME < description: write the capture $T/NAME.pcap with bh-mkpcap.
mkcap() {
	bh-mkpcap -o "$T/$1.pcap"
}

# ---- session records for bh-phase (tests/bh-phase.bats) ----

# mkphase [-c "cols"] < description: a header and one record per line of
# `name=value ...`; a value may be quoted '...' or "..." (heads: the
# escaped text, as bh-sessions writes it).  o=IP:PORT and r=IP:PORT set
# the orig_/resp_ address and port, oh= and rh= the orig_/resp_head;
# unnamed columns are `-` (proto tcp,
# ts 100, dur 1); a line that starts with `#` is a comment.
mkphase() {
	local cols=$COLS
	if [ "$1" = -c ]; then cols=$2; fi
	awk -v cols="$cols" '
	BEGIN {
		n = split(cols, c, /[ \n]+/)
		for (i = 1; i <= n; i++) { known[c[i]] = 1; h = h (i > 1 ? "\t" : "#") c[i] }
		print h
	}
	/^#/ { print; next }
	NF == 0 { next }
	{
		delete v
		v["proto"] = "tcp"; v["ts"] = "100.000000"; v["dur"] = "1.000000"
		s = $0
		while (match(s, /[a-z_]+=/)) {
			k = substr(s, RSTART, RLENGTH - 1)
			s = substr(s, RSTART + RLENGTH)
			q = substr(s, 1, 1)
			if (q == "\"" || q == "\x27") {
				e = index(substr(s, 2), q)
				val = substr(s, 2, e - 1); s = substr(s, e + 2)
			} else {
				e = index(s, " "); if (e == 0) e = length(s) + 1
				val = substr(s, 1, e - 1); s = substr(s, e)
			}
			if (k == "oh") k = "orig_head"
			if (k == "rh") k = "resp_head"
			if (k == "o" || k == "r") {
				p = k == "o" ? "orig_" : "resp_"
				a = val; sub(/:[0-9-]+$/, "", a); pt = val; sub(/.*:/, "", pt)
				v[p "ip"] = a; v[p "port"] = pt
				continue
			}
			if (!(k in known)) { print "mkphase: no column " k > "/dev/stderr"; exit 1 }
			v[k] = val
		}
		line = ""
		for (i = 1; i <= n; i++) line = line (i > 1 ? "\t" : "") (c[i] in v ? v[c[i]] : "-")
		print line
	}'
}

# ---- rotated captures (tests/demo.bats, tests/cluster.bats) ----

# split_pcap IN SHIFT OUT:N... [OUT]: IN's packets (a little-endian pcap,
# as bh-synth writes it), every one SHIFT seconds later, dealt in order
# into the OUTs, N packets each; a last OUT without :N takes the rest,
# else the rest is dropped (the sensor stopped).  Rotated files of one
# sensor: the sessions alive at a cut go on in the next file.
split_pcap() {
	perl -e '
	my ($in, $shift, @outs) = @ARGV;
	open(my $fh, "<:raw", $in) or die "$in: $!";
	read($fh, my $gh, 24) == 24 or die "$in: short";
	for my $o (@outs) {
		my ($name, $n) = split /:/, $o;
		open(my $out, ">:raw", $name) or die "$name: $!";
		print $out $gh;
		for (my $k = 0; !defined $n || $k < $n; $k++) {
			last if read($fh, my $h, 16) != 16;
			my ($s, $u, $cl, $ol) = unpack("VVVV", $h);
			read($fh, my $d, $cl) == $cl or die "$in: cut";
			print $out pack("VVVV", $s + $shift, $u, $cl, $ol), $d;
		}
		close $out or die "$name: $!";
	}' "$@"
}

# mkrotated DIR: one sensor's rotated files, named against their time
# order, in two groups a day apart from make's other fixtures and ten
# thousand seconds from each other: sensor-c.pcap sensor-e.pcap (bh-synth
# -s 1, cut after 5000 packets: sessions alive at its end) and
# sensor-a.pcap sensor-b.pcap sensor-d.pcap (bh-synth -s 2, with FTP
# and TFTP links and "data of flow" steps); sessions span the files of
# each group.  ROTATED: the files in time order.
mkrotated() {
	mkdir -p "$1"
	bh-synth -q -n 1000 -s 1 -o "$1/.s1"
	bh-synth -q -n 1000 -s 2 -o "$1/.s2"
	split_pcap "$1/.s1" 100000 "$1/sensor-c.pcap:2500" "$1/sensor-e.pcap:2500"
	split_pcap "$1/.s2" 110000 "$1/sensor-a.pcap:3000" \
	    "$1/sensor-b.pcap:3000" "$1/sensor-d.pcap"
	rm -f "$1/.s1" "$1/.s2"
	ROTATED="$1/sensor-c.pcap $1/sensor-e.pcap $1/sensor-a.pcap $1/sensor-b.pcap $1/sensor-d.pcap"
}

# same_as_one REF OUT: the merged tables in OUT equal those of REF, one
# run over all the files (analyse-one.sh FILE... and reduce.sh): every
# aggregate and figure byte for byte (the timeline story.svg is the
# first unit's), the steps of bh-story byte for byte, the session table
# and bh-story's summaries as sets of records (examples/README, "One run
# over all files").
same_as_one() {
	local f b
	for f in "$1"/*.hist "$1"/*.svg "$1/hosts.tsv" "$1/story.tsv"; do
		b=$(basename "$f")
		[ "$b" = story.svg ] && continue
		cmp "$f" "$2/$b"
	done
	cmp <(sort "$1/sessions.tsv") <(sort "$2/sessions.tsv")
	cmp <(sort "$1/bots.tsv") <(sort "$2/bots.tsv")
}
