#!/usr/bin/env bats
# The build: install/uninstall into a DESTDIR, the libjq switch, lint.

load helper

ROOT=$BATS_TEST_DIRNAME/..

@test "make install / uninstall honour DESTDIR, PREFIX, MANDIR" {
	D=$BATS_TEST_TMPDIR/dest
	run -0 make -s -C "$ROOT" O="${BH_O:-build}" install DESTDIR="$D" PREFIX=/opt/bh
	[ -x "$D/opt/bh/bin/bh-cut" ]
	[ -f "$D/opt/bh/share/man/man7/bh.7" ]
	[ -f "$D/opt/bh/share/man/man1/bh-cut.1" ]
	run -0 make -s -C "$ROOT" O="${BH_O:-build}" uninstall DESTDIR="$D" PREFIX=/opt/bh
	[ ! -e "$D/opt/bh/bin/bh-cut" ]
	[ ! -e "$D/opt/bh/share/man/man7/bh.7" ]
}

@test "every tool has a man page, and every page passes mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	for c in "$ROOT"/cmd/bh-*.c; do
		t=$(basename "$c" .c)
		[ -f "$ROOT/man/$t.1" ] || { echo "no man page for $t"; false; }
		grep -q '^\.Sh EXIT STATUS' "$ROOT/man/$t.1" || { echo "$t.1: no EXIT STATUS"; false; }
		grep -q '^\.Sh EXAMPLES' "$ROOT/man/$t.1" || { echo "$t.1: no EXAMPLES"; false; }
		grep -q "^| $t " "$ROOT/README" || { echo "$t: no README line"; false; }
	done
	run -0 mandoc -Tlint -Wwarning "$ROOT"/man/*.1 "$ROOT"/man/*.7
}

@test "every tool has its bats file" {
	for c in "$ROOT"/cmd/bh-*.c; do
		t=$(basename "$c" .c)
		[ -f "$ROOT/tests/$t.bats" ] || { echo "no tests/$t.bats"; false; }
	done
}

@test "WITH_JQ=no builds a bh-filter that says how to get libjq, exit 2" {
	[ -f "$ROOT/cmd/bh-filter.c" ] || skip "bh-filter not written yet"
	O=$BATS_TEST_TMPDIR/nojq
	run -0 make -s -C "$ROOT" O="$O" WITH_JQ=no "$O/bin/bh-filter"
	run -2 --separate-stderr "$O/bin/bh-filter" 'true'
	[[ "$stderr" == *libjq* ]]
}

@test "the build prints no warnings" {
	O=$BATS_TEST_TMPDIR/warn
	run -0 make -C "$ROOT" O="$O" all
	[ -z "$(printf '%s\n' "$output" | grep -i 'warning:')" ]
}

@test "make lint rejects a negated assertion that can never fail" {
	D=$BATS_TEST_TMPDIR/lint
	mkdir -p "$D"
	printf '@test "x" {\n\t! grep -q a "$T/f"\n\ttrue\n}\n' > "$D/dead.bats"
	run -1 "$ROOT/tests/lint-bats" "$D/dead.bats"
	[ "$output" = "$D/dead.bats:2: a negated command that is not the last of its test never fails: ! grep -q a \"\$T/f\"" ]
	# the last command of a test may be negated: set -e sees its status
	printf '@test "x" {\n\ttrue\n\t! grep -q a "$T/f"\n}\n' > "$D/last.bats"
	run -0 "$ROOT/tests/lint-bats" "$D/last.bats"
	# and the real tests pass it, as part of make lint
	run -0 "$ROOT/tests/lint-bats"
	cp -r "$ROOT/tests" "$D/tests"
	cp "$D/dead.bats" "$D/tests/zz-dead.bats"
	run -1 "$D/tests/lint-bats"
}
