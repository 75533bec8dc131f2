#!/usr/bin/env bats
# bh-cut: columns by name, negation, unescaping.  The record stream rules
# it shares with every tool are tested in lib.bats.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
	printf '#a\tb\tc\n1\t2\t3\n4\t5\t6\n' > "$T/ok.tsv"
}

@test "columns selected by name, in the order asked" {
	run -0 bh-cut -f c,a "$T/ok.tsv"
	[ "$output" = "$(printf '#c\ta\n3\t1\n6\t4')" ]
	run -0 bh-cut -n -f b "$T/ok.tsv"
	[ "$output" = "$(printf '#a\tc\n1\t3\n4\t6')" ]
	run -0 bh-cut -H -f b "$T/ok.tsv"
	[ "$output" = "$(printf '2\n5')" ]
}

@test "-u unescapes; a bad escape is reported, exit 1" {
	printf '#a\tb\n\\x41\\t\\x2d\tok\n\\q\tx\n' > "$T/e.tsv"
	run -1 --separate-stderr bh-cut -u -H -f a "$T/e.tsv"
	[ "${lines[0]}" = "$(printf 'A\t-')" ]
	[ "${stderr_lines[0]}" = "bh-cut: $T/e.tsv:3: column a: bad escape" ]
}

@test "unknown options: usage, exit 2" {
	run -2 --separate-stderr bh-cut -Z
	[ "${stderr_lines[0]}" = "bh-cut: unknown option -Z" ]
	[ "${stderr_lines[1]}" = "usage: bh-cut [-hHnu] [--strict] [-f col[,col ...]] [file ...]" ]
}

@test "-f takes column names: -f --strict is a usage error, exit 2" {
	printf '#a\tb\n1\t2\n' > "$T/s.tsv"
	run -2 --separate-stderr bh-cut -f --strict "$T/s.tsv"
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "bh-cut: option -f needs an argument, not '--strict'" ]
	run -2 --separate-stderr bh-cut -f 'a;b' "$T/s.tsv"
	[ "${stderr_lines[0]}" = "bh-cut: -f a;b: column names are [a-z0-9_]+, separated by commas" ]
	run -0 bh-cut --strict -f b "$T/s.tsv"
	[ "$output" = "$(printf '#b\n2')" ]
}
