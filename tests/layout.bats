#!/usr/bin/env bats
# The shape of the code, checked: each tool links what it uses, only the
# capture reader sees libpcap, the fuzz harness renames nothing, no file
# in cmd/ grows past what a reader can hold (STYLE: thin main()s over
# named modules).

load helper

ROOT=$BATS_TEST_DIRNAME/..

@test "only bh-sessions links libpcap, only bh-filter libjq" {
	command -v readelf >/dev/null || skip "readelf not installed"
	for t in "$BH_BIN"/bh-*; do
		n=$(basename "$t")
		needed=$(readelf -d "$t" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
		case $n in
		bh-sessions)
			[[ "$needed" == *libpcap* ]] || { echo "$n: no libpcap"; false; } ;;
		*)
			[[ "$needed" != *libpcap* ]] || { echo "$n links libpcap"; false; } ;;
		esac
		if [ "$n" != bh-filter ]; then
			[[ "$needed" != *libjq* ]] || { echo "$n links libjq"; false; }
		fi
	done
}

@test "only the capture reader includes <pcap.h>" {
	run -0 grep -lE '<pcap(/pcap)?\.h>' "$ROOT"/cmd/*.c "$ROOT"/lib/*.c "$ROOT"/lib/*.h "$ROOT"/cmd/*.h
	[ "$output" = "$ROOT/cmd/sessions-live.c
$ROOT/cmd/sessions-read.c" ]
}

@test "no file in cmd/ over 1,250 lines" {
	run -0 awk 'FNR == 1 && NR > 1 && n > 1250 { print prev ": " n } { n = FNR; prev = FILENAME } END { if (n > 1250) print prev ": " n }' "$ROOT"/cmd/*.c "$ROOT"/cmd/*.h
	[ -z "$output" ]
}

@test "no file-level mutable state in the modules of the big tools" {
	# a declaration at the left margin (file level: bodies are indented)
	# of a variable that is not const.  Two are known and allowed, one
	# each: bh-phase's and bh-synth's state, gathered in one struct but
	# not yet passed down (phst, synst); nothing may join them.  And what
	# bh-sessions' signal handler sets (it has no argument to be given
	# state by).
	run -0 awk '
	/^(static |extern )?((unsigned|signed|struct|enum|union) )*[a-z_][a-z0-9_]*[ \t*]+[a-z_][^(]*(;|= *\{)[ \t]*(\/\*.*)?$/ &&
	    !/const / && !/^(typedef|struct [a-z_]+ \{|enum [a-z_]+ \{)/ { print FILENAME ":" FNR ": " $0 }
	' "$ROOT"/cmd/phase-*.c "$ROOT"/cmd/hist-*.c "$ROOT"/cmd/synth-*.c \
	    "$ROOT"/cmd/sessions-*.c "$ROOT"/cmd/rtt-*.c "$ROOT"/cmd/ttl-*.c
	[ "$(printf '%s\n' "$output" | sed 's/:[0-9]*: / /')" = "$ROOT/cmd/phase-rules.c struct phase_state phst = PHASE_STATE_INIT;
$ROOT/cmd/synth-world.c struct synth_state synst = {
$ROOT/cmd/sessions-live.c static pcap_t *volatile live_pc;
$ROOT/cmd/sessions-live.c static volatile sig_atomic_t live_stop;" ]
}

@test "fuzz/fz.h renames no C library function" {
	run -1 grep -nE '^#define (malloc|calloc|realloc|free|strdup|exit|atexit|fopen|fclose|pcap_close)\b' "$ROOT"/fuzz/fz.h
	run -1 grep -n 'include "\.\./cmd/' "$ROOT"/fuzz/*.c
}

@test "nothing in lib/ calls exit() but the x-allocators, the fatal diagnostics and bh_opt_end" {
	run -0 awk '/^[a-z_].*\(/ { fn = $0 } /[^_a-z]exit\(/ { print FILENAME ": " fn }' "$ROOT"/lib/*.c
	bad=$(printf '%s\n' "$output" | grep -v -E ': (bh_errx|bh_err|bh_fshut|bh_opt_end|x[a-z]*)\(' || true)
	[ -z "$bad" ] || { echo "$bad"; false; }
}
