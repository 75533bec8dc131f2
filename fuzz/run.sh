#!/bin/sh
# fuzz/run.sh SECONDS "LIBFUZZER FLAGS" TARGET... - run each libFuzzer
# target (built by `make fuzz-build` in build-fuzz/fuzz/) for SECONDS,
# one after the other, and print its final figures.
#
# The working corpus grows in build-fuzz/corpus/TARGET (seeded from
# fuzz/corpus/TARGET, which is never written); a finding lands in
# build-fuzz/crash/TARGET/ -- minimise it (-minimize_crash=1), copy it to
# fuzz/regress/TARGET/ and it is replayed by `make check` from then on.
# The log of each run is build-fuzz/log/TARGET.log (and a dated copy);
# build-fuzz/log/sessions.tsv gets one line per run (time, target,
# seconds, executions, cov, ft, exit status).  Exit 1 when a target
# found something.
set -u
[ $# -ge 2 ] || { echo "usage: $0 seconds flags target..." >&2; exit 2; }
secs=$1 flags=$2
shift 2
cd "$(dirname "$0")/.." || exit 2
B=build-fuzz
status=0
printf '%-8s %6s %12s %8s %8s %8s  %s\n' target secs execs exec/s cov ft result
for t in "$@"; do
	mkdir -p "$B/corpus/$t" "$B/crash/$t" "$B/log"
	dict=
	[ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
	case $t in
	pkt|pcap|unzip)	maxlen=16384 ;;
	*)		maxlen=8192 ;;
	esac
	# fuzz_filter.c keeps compiled jq states across runs (see there)
	# (-detect_leaks=0 stops libFuzzer's per-input check; LSan's report
	# at exit is switched off through ASAN_OPTIONS as well).
	leaks=
	asan=${ASAN_OPTIONS:-}
	if [ "$t" = filter ]; then
		leaks=-detect_leaks=0
		asan="${asan:+$asan:}detect_leaks=0"
	fi
	# stderr of the tools is closed (-close_fd_mask=2); libFuzzer and
	# the sanitizers keep a copy for their reports.
	start=$(date +%s)
	# shellcheck disable=SC2086
	ASAN_OPTIONS=$asan "$B/fuzz/libfuzzer-$t" -max_total_time="$secs" -timeout=10 \
	    -rss_limit_mb=2048 -max_len=$maxlen -close_fd_mask=2 \
	    -print_final_stats=1 -artifact_prefix="$B/crash/$t/" \
	    $dict $leaks $flags "$B/corpus/$t" "fuzz/corpus/$t" \
	    > "$B/log/$t.log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$B/log/$t.log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$B/log/$t.log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$B/log/$t.log" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	if [ "$rc" -eq 0 ]; then
		result=ok
	else
		result="FINDING (exit $rc): see $B/log/$t.log, $B/crash/$t/"
		status=1
	fi
	printf '%-8s %6s %12s %8s %8s %8s  %s\n' "$t" "$took" "${execs:--}" \
	    "${rate:--}" "${cov:--}" "${ft:--}" "$result"
	# every session, for the totals in fuzz/README.md
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" \
	    "$took" "${execs:--}" "${cov:--}" "${ft:--}" "$rc" \
	    >> "$B/log/sessions.tsv"
	cp "$B/log/$t.log" "$B/log/$t.$(date -u +%Y%m%d%H%M%S).log"
done
exit $status
