bats_require_minimum_version 1.5.0

# Loaded by every test file: the binaries just built come first on PATH,
# and the environment is the one the contract promises output for.
BH_BIN=${BH_BIN:-$BATS_TEST_DIRNAME/../build/bin}
PATH="$BH_BIN:$PATH"
export LC_ALL=C TZ=UTC
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

# mk [-c "cols"] < description: a header and one record per line of
# `name=value ...` (unnamed columns are `-`; a `#` line is a comment).
# `hs=A/B` is a TCP handshake: SYN at T0, SYN/ACK A ms later, ACK B ms
# after that, each packet sent once (A, B with exactly 3 decimals; the
# sums are exact integers).  One awk for the whole input: bats traces
# every shell command, so shell loops are slow here.
mk() {
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
			if (!(k in known)) { print "mk: no column " k > "/dev/stderr"; exit 1 }
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
