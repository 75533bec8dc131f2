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
