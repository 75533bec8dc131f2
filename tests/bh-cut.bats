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
	[ "${stderr_lines[1]}" = "usage: bh-cut [-Hnu] [--strict] [-f col[,col...]] [file ...]" ]
}
