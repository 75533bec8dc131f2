#!/bin/sh
# study.sh [-j jobs] [-L nets] CAPDIR OUT - the study on your own archive:
# what `make demo` writes, for a directory of captures.
#
#   examples/study.sh /data/honeypot out
#   examples/study.sh -j 8 -L 192.168.56.0/24 /data/honeypot out
#
# Every regular file in CAPDIR is a capture, whatever its name (.pcap,
# .pcapng, .cap, .dmp, compressed): bh-sessions reads it by its content;
# a file that is no capture (a README beside them) is named and left out,
# and the study ends with exit 1 instead of 0.  Each is
# analysed apart (examples/analyse-one.sh, up to -j at once, default the
# number of CPUs) into OUT/parts/, the partial tables are merged exactly
# (examples/reduce.sh) into OUT/, and OUT/REPORT.md is written from the
# merged tables (examples/report.sh): the study's tables and Figures
# 3-10, the remote parties (bh-hosts) and Figure 11, the bots one by one
# (bh-story).  A capture whose OUT/parts/NAME.done is newer than it is not
# analysed again, so a study interrupted or extended by new captures
# redoes only what is missing.
#
# -L: the honeypot (local) networks, comma-separated (also BH_LOCAL);
# without them bh-phase infers which side is local.  To spread the jobs
# over machines, run analyse-one.sh there (examples/parallel.sh over ssh,
# examples/slurm/) and reduce.sh and report.sh on the results: the same
# report, byte for byte.
set -eu
jobs=$(nproc 2>/dev/null || echo 2)
usage() {
	echo "usage: study.sh [-j jobs] [-L nets] capdir out" >&2
	exit 2
}
while getopts j:L: c; do
	case $c in
	j) jobs=$OPTARG ;;
	L) BH_LOCAL=$OPTARG; export BH_LOCAL ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
caps=$1
out=$2
ex=$(cd "$(dirname "$0")" && pwd)
[ -d "$caps" ] || { echo "study.sh: $caps: not a directory" >&2; exit 2; }
mkdir -p "$out/parts"
find "$caps" -maxdepth 1 -type f ! -name '.*' -print | LC_ALL=C sort > "$out/parts/.list"
[ -s "$out/parts/.list" ] || { echo "study.sh: $caps: no captures" >&2; exit 2; }
# the captures not yet analysed, or changed since; one that cannot be
# read (bh-sessions names it) is listed and the others go on
rm -f "$out/parts/.failed"
while IFS= read -r f; do
	d=$out/parts/$(basename "$f").done
	[ -e "$d" ] && [ "$d" -nt "$f" ] && continue
	printf '%s\0' "$f"
done < "$out/parts/.list" |
    xargs -0 -r -n 1 -P "$jobs" sh -c \
    '"$0" "$2" "$1" || printf "%s\n" "$2" >> "$1/.failed"' \
    "$ex/analyse-one.sh" "$out/parts"
rm -f "$out/parts/.list"
"$ex/reduce.sh" "$out/parts" "$out"
"$ex/report.sh" "$out" > "$out/REPORT.md.tmp"
mv "$out/REPORT.md.tmp" "$out/REPORT.md"
if [ -s "$out/parts/.failed" ]; then
	LC_ALL=C sort "$out/parts/.failed" | while IFS= read -r f; do
		echo "study.sh: not analysed: $f" >&2
	done
	rm -f "$out/parts/.failed"
	exit 1
fi
