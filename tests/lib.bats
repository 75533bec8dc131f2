#!/usr/bin/env bats
# The shared library: escaping, numbers (tests/unit.c) and the record
# stream semantics of bh(7), exercised through bh-cut.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	printf '#a\tb\tc\n1\t2\t3\n4\t5\t6\n' > "$T/ok.tsv"
}

@test "unit: escaping round trip of every byte, numbers, formats" {
	run -0 "$BH_BIN/../tests/unit"
	[ "$output" = ok ]
}

@test "pass-through keeps records, comments and order" {
	printf '# made by hand\n#a\tb\tc\n1\t2\t3\n# mid comment\n4\t5\t6\n' > "$T/in.tsv"
	run -0 bh-cut "$T/in.tsv"
	[ "$output" = "$(cat "$T/in.tsv")" ]
}

@test "empty input: no output, exit 0" {
	run -0 bh-cut < /dev/null
	[ -z "$output" ]
}

@test "header only: header out, exit 0" {
	run -0 bash -c "printf '#a\tb\n' | bh-cut"
	[ "$output" = "$(printf '#a\tb')" ]
}

@test "missing final newline: last record kept" {
	run -0 bash -c "printf '#a\tb\n1\t2' | bh-cut"
	[ "${lines[1]}" = "$(printf '1\t2')" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "repeated header is skipped (cat a b | tool)" {
	run -0 bash -c "cat '$T/ok.tsv' '$T/ok.tsv' | bh-cut"
	[ "${#lines[@]}" -eq 5 ]
	[ "$(printf '%s\n' "$output" | grep -c '^#')" -eq 1 ]
}

@test "several operands are one stream with one header" {
	run -0 bh-cut "$T/ok.tsv" "$T/ok.tsv"
	[ "${#lines[@]}" -eq 5 ]
}

@test "short and long records: reported with file:line, skipped, exit 1" {
	printf '#a\tb\tc\n1\t2\t3\n4\t5\n6\t7\t8\t9\n10\t11\t12\n' > "$T/bad.tsv"
	run -1 --separate-stderr bh-cut "$T/bad.tsv"
	[ "$output" = "$(printf '#a\tb\tc\n1\t2\t3\n10\t11\t12')" ]
	[ "${stderr_lines[0]}" = "bh-cut: $T/bad.tsv:3: expected 3 fields, got 2; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-cut: $T/bad.tsv:4: expected 3 fields, got 4; record skipped" ]
	[ "${stderr_lines[2]}" = "bh-cut: 2 bad records skipped" ]
}

@test "--strict: the first bad record is fatal, output so far kept" {
	printf '#a\tb\tc\n1\t2\t3\n4\t5\n6\t7\t8\n' > "$T/bad.tsv"
	run -2 --separate-stderr bh-cut --strict "$T/bad.tsv"
	[ "$output" = "$(printf '#a\tb\tc\n1\t2\t3')" ]
}

@test "missing header: exit 2" {
	run -2 --separate-stderr bash -c "printf '1\t2\n' | bh-cut"
	[ "$stderr" = "bh-cut: -:1: missing header line (#name<TAB>name...)" ]
}

@test "bad header names: exit 2" {
	run -2 --separate-stderr bash -c "printf '#A\tb c\n' | bh-cut"
	[ "$stderr" = "bh-cut: -:1: bad header: names must be [a-z0-9_]+" ]
}

@test "a header that differs mid-stream: exit 2" {
	printf '#a\tb\n1\t2\n' > "$T/x.tsv"
	run -2 --separate-stderr bh-cut "$T/ok.tsv" "$T/x.tsv"
	[ "$stderr" = "bh-cut: $T/x.tsv:1: header differs from the first one" ]
}

@test "missing column: exit 2 naming it" {
	run -2 --separate-stderr bh-cut -f a,zz "$T/ok.tsv"
	[ "$stderr" = "bh-cut: $T/ok.tsv: missing column 'zz'" ]
}

@test "unreadable file: reported, the others still read, exit 2" {
	run -2 --separate-stderr bh-cut "$T/nope.tsv" "$T/ok.tsv"
	[ "$stderr" = "bh-cut: $T/nope.tsv: No such file or directory" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "read error (a directory): reported with the reason, what was read is kept, exit 2" {
	run -2 --separate-stderr bh-cut "$T/ok.tsv" "$T"
	[ "$stderr" = "bh-cut: $T: read error: Is a directory" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "write error on stdout: exit 2" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -2 --separate-stderr bash -c "bh-cut '$T/ok.tsv' > /dev/full"
	[[ "$stderr" == "bh-cut: write error on standard output: No space left on device" ]]
}

@test "a closed pipe ends quietly" {
	seq 1 200000 | awk 'BEGIN { print "#n" } { print }' > "$T/big.tsv"
	run -0 --separate-stderr bash -c "bh-cut '$T/big.tsv' | head -1"
	[ "$output" = "#n" ]
	[ -z "$stderr" ]
}

# ---- the common options (bh(7) COMMON OPTIONS), in every tool ----

@test "-h and --help: the usage on stdout, exit 0, in every tool" {
	for c in "$BATS_TEST_DIRNAME"/../cmd/bh-*.c; do
		t=$(basename "$c" .c)
		[ "$t" = bh-filter ] && [ "$BH_HAVE_JQ" = no ] && continue
		for o in -h --help; do
			run -0 --separate-stderr "$t" "$o"
			[[ "${lines[0]}" == "usage: $t "* ]] || { echo "$t $o: ${lines[0]}"; false; }
			[ -z "$stderr" ] || { echo "$t $o: stderr $stderr"; false; }
		done
	done
}

@test "--version in every tool; an unknown option is a usage error, exit 2" {
	for c in "$BATS_TEST_DIRNAME"/../cmd/bh-*.c; do
		t=$(basename "$c" .c)
		[ "$t" = bh-filter ] && [ "$BH_HAVE_JQ" = no ] && continue
		run -0 "$t" --version
		# the Makefile's VERSION, and git describe in a checkout
		[[ "$output" =~ ^$t\ bh\ [0-9]+\.[0-9]+(\ \([0-9a-z.-]+\))?$ ]] || { echo "$t: $output"; false; }
		run -2 --separate-stderr "$t" --no-such-option
		[ -z "$output" ]
		[ "${stderr_lines[0]}" = "$t: unknown option --no-such-option" ] || { echo "$t: $stderr"; false; }
		[[ "${stderr_lines[1]}" == "usage: $t "* ]]
	done
}

# usage TOOL: the usage lines of TOOL --help as one line (the first line
# after "usage: ", and the lines indented by a tab or 3+ spaces after it)
usage_of() {
	"$1" --help | awk 'NR == 1 { sub(/^usage: /, ""); print; next }
	    /^(\t|   )/ { print; next } { exit }' | tr -s ' \t\n' ' ' | sed 's/ $//'
}

# synopsis TOOL: the SYNOPSIS of man/TOOL.1, as mandoc renders it, as one line
synopsis_of() {
	mandoc -Tascii "$BATS_TEST_DIRNAME/../man/$1.1" | sed 's/.\x08//g' |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//'
}

@test "the man page's SYNOPSIS is --help's usage, in every tool" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	for c in "$BATS_TEST_DIRNAME"/../cmd/bh-*.c; do
		t=$(basename "$c" .c)
		[ "$t" = bh-filter ] && [ "$BH_HAVE_JQ" = no ] && continue
		u=$(usage_of "$t")
		m=$(synopsis_of "$t")
		[ -n "$u" ] && [ "$u" = "$m" ] || { printf '%s\n --help: %s\n man:    %s\n' "$t" "$u" "$m"; false; }
	done
}

@test "--help: a line for every option of the usage, in every tool" {
	for c in "$BATS_TEST_DIRNAME"/../cmd/bh-*.c; do
		t=$(basename "$c" .c)
		[ "$t" = bh-filter ] && [ "$BH_HAVE_JQ" = no ] && continue
		# the options of the usage: -abc clusters, -x, --long
		want=$(usage_of "$t" | grep -oE '(^|[[ |])--?[A-Za-z][A-Za-z0-9-]*' |
		    sed 's/^[[ |]//' | awk '/^--/ { print; next } { for (i = 2; i <= length($0); i++) print "-" substr($0, i, 1) }' | sort -u)
		# those an option line names: its first column, before two spaces
		have=$("$t" --help | awk '/^  -/ { sub(/^  /, ""); sub(/  .*/, ""); print }' |
		    grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ ,]//' | sort -u)
		missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$have"))
		[ -z "$missing" ] || { echo "$t --help says nothing of:" $missing; false; }
	done
}

@test "--strict anywhere among the options of every record filter" {
	printf '#flow\tproto\tsyn_ts\tsynack_ts\tack_ts\tsyn_n\tsynack_n\torig_ttl\tresp_ttl\n1\ttcp\t-\t-\t-\t0\t0\t64\t-\nbad\n2\ttcp\t-\t-\t-\t0\t0\t64\t-\n' > "$T/s.tsv"
	for t in bh-rtt bh-ttl bh-cut; do
		run -1 --separate-stderr "$t" "$T/s.tsv"
		[ "${#lines[@]}" -eq 3 ]
		run -2 --separate-stderr "$t" "$T/s.tsv" --strict
		[ "${#lines[@]}" -eq 2 ] || { echo "$t: ${#lines[@]} lines"; false; }
		[ "${stderr_lines[0]}" = "$t: $T/s.tsv:3: expected 9 fields, got 1; record skipped" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
}
