#!/usr/bin/env bats
# The scripts of examples/ where they fail: bad input, a tool that fails,
# names that collide or are patterns.  Each error ends the script with
# the status DESIGN.md gives the tools (2: usage, input or a failure
# of a step; 1: some input left out and named) and says why on stderr.
# tests/demo.bats and tests/cluster.bats run them where all goes well.

load helper

EX=$(cd "$BATS_TEST_DIRNAME/../examples" && pwd)

setup_file() {
	export BH_BIN
	F=$BATS_FILE_TMPDIR
	bh-synth -q -n 300 -s 1 -o "$F/c.pcap" -t "$F/truth.tsv"
}

setup() {
	F=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

# awks: the awks to run a script with: this one, and mawk (Debian's
# default awk) when it is installed, as $T/mawk/awk first on PATH
awks() {
	echo "$PATH"
	if command -v mawk >/dev/null; then
		mkdir -p "$T/mawk"
		ln -sf "$(command -v mawk)" "$T/mawk/awk"
		echo "$T/mawk:$PATH"
	fi
}

@test "score.sh, score-hosts.sh: bad input exits 2, whatever END would say" {
	: > "$T/empty"
	printf '#flow\tproto\torig_ip\n1\ttcp\t192.0.2.1\n' > "$T/nokey.tsv"
	cut -f 1-3 "$F/truth.tsv" > "$T/old-truth.tsv"
	printf '#flow\tremote_ip\n1\t192.0.2.1\n' > "$T/not-hosts.tsv"
	while IFS= read -r p; do
		PATH=$p run -2 --separate-stderr "$EX/score.sh" "$T/empty" "$T/empty"
		[ "$stderr" = "score.sh: $T/empty: empty or unreadable" ]
		PATH=$p run -2 --separate-stderr "$EX/score.sh" "$F/truth.tsv" "$T/nokey.tsv"
		[ "$stderr" = "score.sh: no column orig_port" ]
		PATH=$p run -2 --separate-stderr "$EX/score-hosts.sh" "$T/old-truth.tsv" "$T/empty"
		[ "$stderr" = "score-hosts.sh: $T/old-truth.tsv: no remote_stack/remote_route columns (bh-synth too old?)" ]
		PATH=$p run -2 --separate-stderr "$EX/score-hosts.sh" "$T/empty" "$T/empty"
		[ "$stderr" = "score-hosts.sh: $T/empty: no truth header" ]
		PATH=$p run -2 --separate-stderr "$EX/score-hosts.sh" "$F/truth.tsv" "$T/not-hosts.tsv"
		[ "$stderr" = "score-hosts.sh: $T/not-hosts.tsv: not a table of bh-hosts (per party)" ]
	done < <(awks)
}
