#!/usr/bin/env bats
# The study on many machines, run for real on this one: examples/slurm/
# on a one-node Slurm cluster (munged, slurmctld, slurmd, all on
# localhost; three captures and a group of two rotated files with a
# session across them) and examples/parallel.sh -S through an sshd on
# 127.0.0.1, each checked byte for byte against one sequential run of
# the same scripts (analyse-one.sh per capture, then reduce.sh).  With
# the rotated groups of groups.sh (parallel.sh -r -S, a Slurm list), the
# merged tables are also checked against one run over all the files
# (analyse-one.sh FILE...): the aggregates byte for byte, the session
# table as a set of records (tests/helper.bash, same_as_one).  The daemons
# need root and the Debian packages (slurm-wlm munge; openssh-server
# parallel rsync), which a test installs when it is root and apt-get
# works; otherwise it is skipped and says why.  Every daemon is started
# in the foreground by the test, with its files in a directory of its
# own, and killed by its pid in teardown, whatever the test's outcome.

load helper

EX=$(cd "$BATS_TEST_DIRNAME/../examples" && pwd)

setup_file() {
	export BH_BIN
	# the honeypot's networks (they reach the jobs: sbatch's --export,
	# parallel's --env)
	export BH_LOCAL=192.168.56.0/24,2001:db8:56::/64
	F=$BATS_FILE_TMPDIR
	mkdir -p "$F/caps" "$F/rot"
	for s in 1 2 3; do
		bh-synth -n 300 -s "$s" -o "$F/caps/c$s.pcap"
	done
	# and a rotated capture group: an outbound HTTP download whose
	# session spans the two files
	bh-mkpcap -o "$F/rot/r1.pcap" <<-'EOF'
	1262304000.000000 tcp 192.168.56.101:1055 > 203.0.113.9:80 S ttl=128 mss=1460
	+0.090 tcp 203.0.113.9:80 > 192.168.56.101:1055 SA ttl=44
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 . ttl=128
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
	EOF
	bh-mkpcap -o "$F/rot/r2.pcap" <<-'EOF'
	1262304000.182000 tcp 203.0.113.9:80 > 192.168.56.101:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 FA ttl=128
	+0.090 tcp 203.0.113.9:80 > 192.168.56.101:1055 FA ttl=44
	+0.001 tcp 192.168.56.101:1055 > 203.0.113.9:80 . ttl=128
	EOF
	# the references: one sequential run of the same scripts over the
	# captures ($F/seq), and over them and the group ($F/seqg)
	for c in "$F"/caps/c*.pcap; do
		"$EX/analyse-one.sh" "$c" "$F/seq"
		"$EX/analyse-one.sh" "$c" "$F/seqg"
	done
	"$EX/analyse-one.sh" "$F/rot/r1.pcap" "$F/rot/r2.pcap" "$F/seqg"
	for d in seq seqg; do
		"$EX/reduce.sh" "$F/$d"
		"$EX/report.sh" "$F/$d/merged" > "$F/$d/merged/REPORT.md"
	done
	printf '%s\n' "$F/caps/c1.pcap" "# a comment" "" "$F/caps/c2.pcap" \
	    "$F/caps/c3.pcap" "$F/rot/r1.pcap $F/rot/r2.pcap" > "$F/list"
	# rotated bh-synth files of the same sensor, later: with r1 and r2,
	# three groups ($F/rlist); the sequential run of the scripts over
	# each group ($F/seqr), and one run over all the files ($F/one)
	mkrotated "$F/arch"
	"$EX/groups.sh" "$F"/rot/* "$F"/arch/* > "$F/rlist"
	[ "$(wc -l < "$F/rlist")" -eq 3 ]
	local g
	while read -r g; do
		# shellcheck disable=SC2086
		"$EX/analyse-one.sh" $g "$F/seqr"
	done < "$F/rlist"
	"$EX/reduce.sh" "$F/seqr"
	"$EX/report.sh" "$F/seqr/merged" > "$F/seqr/merged/REPORT.md"
	# shellcheck disable=SC2086
	"$EX/analyse-one.sh" "$F/rot/r1.pcap" "$F/rot/r2.pcap" $ROTATED "$F/one"
	"$EX/reduce.sh" "$F/one"
}

setup() {
	F=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
	PIDS=$T/pids
	: > "$PIDS"
}

teardown() {
	# our cluster's jobs first (a job step outlives slurmd), then every
	# daemon by its pid, the last started first
	if [ -n "${CLUSTER:-}" ]; then
		timeout 10 scancel --quiet --full --user=root 2>/dev/null || true
		waitfor 10 no_jobs || true
	fi
	local p
	for p in $(tac "$PIDS" 2>/dev/null); do
		kill "$p" 2>/dev/null || true
	done
	for p in $(tac "$PIDS" 2>/dev/null); do
		waitfor 10 gone "$p" || kill -9 "$p" 2>/dev/null || true
	done
	[ -z "${RUNSSHD:-}" ] || rmdir /run/sshd 2>/dev/null || true
	[ -z "${C:-}" ] || rm -rf "$C"
}

# waitfor SECONDS COMMAND...: true once COMMAND succeeds, false when it
# has not within SECONDS
waitfor() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.3
	done
}

gone() { ! kill -0 "$1" 2>/dev/null; }
no_jobs() { [ -z "$(squeue -h -o %i 2>/dev/null)" ]; }

# daemon LOG COMMAND...: start COMMAND in the background (in its own
# foreground mode), its pid remembered for teardown; no fd of bats'
# stays open in it
daemon() {
	local log=$1
	shift
	"$@" > "$log" 2>&1 < /dev/null 3>&- &
	echo $! >> "$PIDS"
}

# need_pkgs PROGRAM... -- PACKAGE...: skip unless root and every PROGRAM
# is there, installing the PACKAGEs with apt-get when one is missing
need_pkgs() {
	local progs=() p missing=
	while [ "$1" != -- ]; do progs+=("$1"); shift; done
	shift
	[ "$(id -u)" = 0 ] || skip "not root: the daemons of $* need root"
	for p in "${progs[@]}"; do
		command -v "$p" >/dev/null || missing=1
	done
	[ -n "$missing" ] || return 0
	command -v apt-get >/dev/null || skip "$* not installed and no apt-get"
	export DEBIAN_FRONTEND=noninteractive
	timeout 150 apt-get install -y -qq "$@" > "$T/apt.log" 2>&1 ||
	    { timeout 120 apt-get update -qq > "$T/apt.log" 2>&1 &&
	    timeout 150 apt-get install -y -qq "$@" > "$T/apt.log" 2>&1; } ||
	    skip "$* not installed, and apt-get could not install them"
	for p in "${progs[@]}"; do
		command -v "$p" >/dev/null || skip "$p missing after installing $*"
	done
}

# free_port: a TCP port of 127.0.0.1 nothing listens on
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		(exec 3<> "/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}

# start_cluster: munged, slurmctld and slurmd of a one-node cluster, with
# their keys, sockets, state and logs under $C; SLURM_CONF names its
# slurm.conf (slurm.conf(5)) for the Slurm commands
start_cluster() {
	need_pkgs munged slurmctld slurmd sbatch -- slurm-wlm munge
	# nothing of a cluster this may run inside reaches ours
	unset $(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO|SCONTROL)_') || true
	C=$(mktemp -d /tmp/bh-cluster.XXXXXX)
	# munged wants its socket's directory searchable by all
	chmod 755 "$C"
	mkdir -p "$C/munge" "$C/state" "$C/spool" "$C/log"
	chmod 755 "$C/munge"
	head -c 1024 /dev/urandom > "$C/munge/munge.key"
	chmod 400 "$C/munge/munge.key"
	daemon "$C/log/munged.out" munged -F --socket="$C/munge/socket" \
	    --key-file="$C/munge/munge.key" --pid-file="$C/munge/pid" \
	    --log-file="$C/log/munged.log" --seed-file="$C/munge/seed"
	waitfor 10 test -S "$C/munge/socket" ||
	    { cat "$C/log/munged"*; false; }
	# this machine's CPUs and memory, as slurmd sees them
	local node ctldport dport
	ctldport=$(free_port)
	dport=$(free_port)
	while [ "$dport" = "$ctldport" ]; do dport=$(free_port); done
	node=$(slurmd -C | sed -n 's/^NodeName=[^ ]* /NodeName=localhost NodeAddr=127.0.0.1 /p')
	[ -n "$node" ]
	cat > "$C/slurm.conf" <<-EOF
	ClusterName=bhtest
	SlurmctldHost=localhost(127.0.0.1)
	SlurmctldPort=$ctldport
	SlurmdPort=$dport
	SlurmUser=root
	SlurmdUser=root
	AuthType=auth/munge
	CredType=cred/munge
	AuthInfo=socket=$C/munge/socket
	StateSaveLocation=$C/state
	SlurmdSpoolDir=$C/spool
	SlurmctldPidFile=$C/slurmctld.pid
	SlurmdPidFile=$C/slurmd.pid
	SlurmctldLogFile=$C/log/slurmctld.log
	SlurmdLogFile=$C/log/slurmd.log
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	SelectType=select/cons_tres
	SelectTypeParameters=CR_Core
	JobAcctGatherType=jobacct_gather/none
	AccountingStorageType=accounting_storage/none
	MpiDefault=none
	ReturnToService=2
	MinJobAge=600
	$node State=UNKNOWN
	PartitionName=bh Nodes=localhost Default=YES MaxTime=INFINITE State=UP
	EOF
	export SLURM_CONF=$C/slurm.conf
	CLUSTER=1
	daemon "$C/log/slurmctld.out" slurmctld -D -i
	daemon "$C/log/slurmd.out" slurmd -D -N localhost
	waitfor 30 node_idle || { tail -n 20 "$C"/log/*; false; }
}

node_idle() { [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; }

# submit [LIST OUT]: examples/slurm/submit.sh on LIST ($F/list) into OUT
# ($T/out); the array's job id in $array ("" when nothing was
# submitted), its indices in $indices, the reduce's in $reduce; then wait
# for both (at most 60 s: the jobs take a few)
submit() {
	run -0 --separate-stderr "$EX/slurm/submit.sh" "${1:-$F/list}" \
	    "${2:-$T/out}"
	[ -z "$stderr" ] || { echo "$stderr"; false; }
	array=$(printf '%s\n' "$output" | awk '$1 == "array" { print $2 }')
	indices=$(printf '%s\n' "$output" | awk '$1 == "array" { print $3 }')
	reduce=$(printf '%s\n' "$output" | awk '$1 == "reduce" { print $2 }')
	[ -n "$reduce" ]
	waitfor 60 no_jobs || { squeue; tail -n 20 "$C"/log/*; false; }
}

# states JOBID: "TASK STATE" for every task of an array job (or "- STATE")
states() {
	scontrol -o show job "$1" | awk '{
		t = "-"; s = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^ArrayTaskId=/) t = substr($i, 13)
			if ($i ~ /^JobState=/) s = substr($i, 10)
		}
		print t, s }' | sort -n
}

# same_as_seq [REF [OUT]]: every file of the run in OUT ($T/out), partial
# and merged, equals the sequential run's ($F/seq, or $F/REF) byte for
# byte (the logs and task.sh's notes aside, and the command the report
# names)
same_as_seq() {
	diff -rq -x log -x .slurm -x REPORT.md "$F/${1:-seq}" "${2:-$T/out}"
	# the report but for the command that made it (report.sh -c)
	cmp <(sed '/^## Reproduce/,$d' "$F/${1:-seq}/merged/REPORT.md") \
	    <(sed '/^## Reproduce/,$d' "${2:-$T/out}/merged/REPORT.md")
}

@test "slurm: the array and the reduce equal the sequential run; a resubmission redoes only what failed or is gone" {
	start_cluster
	# a task that fails: its capture is not there
	mv "$F/caps/c2.pcap" "$F/c2.away"
	submit
	[ "$indices" = 1-4 ]
	[ "$(states "$array")" = "1 COMPLETED
2 FAILED
3 COMPLETED
4 COMPLETED" ]
	# sbatch(1) --kill-on-invalid-dep: the reduce is cancelled, not left
	# waiting
	[ "$(states "$reduce")" = "- CANCELLED" ]
	[ ! -e "$T/out/merged" ]
	grep -q "task.sh: cannot read $F/caps/c2.pcap" \
	    "$T/out/log/bh-analyse-${array}_2.out"
	[ -z "$(ls "$T/out/.slurm" | grep -v '^task$')" ]
	stat -c '%n %i %Y' "$T"/out/c1.* "$T"/out/c3.* > "$T/before"

	# resubmitted: only the failed task runs, then the reduce
	mv "$F/c2.away" "$F/caps/c2.pcap"
	submit
	[ "$indices" = 2 ]
	[ "$(states "$array")" = "2 COMPLETED" ]
	[ "$(states "$reduce")" = "- COMPLETED" ]
	same_as_seq seqg
	stat -c '%n %i %Y' "$T"/out/c1.* "$T"/out/c3.* | diff -u "$T/before" -

	# one task's outputs removed: only that task runs again
	stat -c '%n %i %Y' "$T"/out/c1.* "$T"/out/c2.* > "$T/before"
	rm "$T"/out/c3.*
	submit
	[ "$indices" = 3 ]
	[ "$(states "$array")" = "3 COMPLETED" ]
	[ "$(states "$reduce")" = "- COMPLETED" ]
	same_as_seq seqg
	stat -c '%n %i %Y' "$T"/out/c1.* "$T"/out/c2.* | diff -u "$T/before" -

	# all done: only the reduce
	submit
	[ -z "$array" ]
	[ "$(states "$reduce")" = "- COMPLETED" ]
	same_as_seq seqg
	# the group is one capture: the session across its files is one
	# record, a whole download
	run -0 col state < "$T/out/r1.pcap.tsv"
	[ "$output" = SF ]
	run -0 col phase < "$T/out/r1.pcap.tsv"
	[ "$output" = download ]

	# the list groups.sh makes of rotated files: a task per group, and
	# the merged tables numbered as one run over all the files
	submit "$F/rlist" "$T/outr"
	[ "$indices" = 1-3 ]
	[ "$(states "$array")" = "1 COMPLETED
2 COMPLETED
3 COMPLETED" ]
	[ "$(states "$reduce")" = "- COMPLETED" ]
	same_as_seq seqr "$T/outr"
	same_as_one "$F/one/merged" "$T/outr/merged"
}

@test "slurm: a task whose results are newer than its capture does nothing; -n lists the lines to do" {
	for c in "$F"/caps/c*.pcap; do
		"$EX/analyse-one.sh" "$c" "$T/out"
	done
	# no notes yet of which line wrote what: every line is to do
	run -0 "$EX/slurm/task.sh" -n "$F/list" "$T/out"
	[ "$output" = "$(printf '1\n2\n3\n4')" ]
	local line names=(- c1.pcap c2.pcap c3.pcap r1.pcap)
	for line in 1 2 3 4; do
		SLURM_ARRAY_TASK_ID=$line run -0 "$EX/slurm/task.sh" "$F/list" "$T/out"
		[[ "$output" == *"line $line: wrote $T/out/${names[line]}.*"* ]]
	done
	run -0 "$EX/slurm/task.sh" -n "$F/list" "$T/out"
	[ "$output" = "" ]
	SLURM_ARRAY_TASK_ID=2 run -0 "$EX/slurm/task.sh" "$F/list" "$T/out"
	[ "$output" = "task.sh: line 2 ($F/caps/c2.pcap): c2.pcap is up to date, skipped" ]
	# a capture changed after its results: to do again
	touch -d "@$(($(stat -c %Y "$T/out/c2.pcap.done") + 2))" "$F/caps/c2.pcap"
	run -0 "$EX/slurm/task.sh" -n "$F/list" "$T/out"
	[ "$output" = 2 ]
	touch -d "@$(($(stat -c %Y "$T/out/c2.pcap.done") - 2))" "$F/caps/c2.pcap"
	diff -rq -x .slurm -x merged "$F/seqg" "$T/out"
}

@test "slurm: a line of rotated files goes to analyse-one.sh together; a task that fails leaves nothing in OUT" {
	# a stand-in analyse-one.sh: logs its operands to $ARGS, writes
	# NAME.part, then NAME.done unless told to fail half-way
	mkdir -p "$T/ex" "$T/out" "$T/caps"
	cat > "$T/ex/analyse-one.sh" <<-'EOF'
	#!/bin/sh
	eval "out=\${$#}"
	echo "$*" >> "$ARGS"
	name=$(basename "$1" .pcap)
	echo part > "$out/$name.part"
	[ -z "${FAIL:-}" ] || exit 1
	: > "$out/$name.done"
	EOF
	chmod +x "$T/ex/analyse-one.sh"
	cp "$F/caps/c1.pcap" "$F/caps/c2.pcap" "$T/caps/"
	echo "$T/caps/c1.pcap $T/caps/c2.pcap" > "$T/list"
	export ARGS=$T/args BH_EXAMPLES=$T/ex SLURM_ARRAY_TASK_ID=1
	FAIL=1 run -1 "$EX/slurm/task.sh" "$T/list" "$T/out"
	[[ "$(cat "$T/args")" == "$T/caps/c1.pcap $T/caps/c2.pcap $T/out/.slurm/tmp.0.1."* ]]
	[ "$(ls -A "$T/out")" = .slurm ]
	# no temporary directory left, no note of a result
	[ "$(ls -A "$T/out/.slurm")" = task ]
	[ -z "$(ls -A "$T/out/.slurm/task")" ]
	run -0 "$EX/slurm/task.sh" "$T/list" "$T/out"
	[ "$(ls "$T/out")" = "c1.done
c1.part" ]
	run -0 "$EX/slurm/task.sh" -n "$T/list" "$T/out"
	[ "$output" = "" ]
	# the group's second file changed after its results: to do again
	touch -d "@$(($(stat -c %Y "$T/out/c1.done") + 2))" "$T/caps/c2.pcap"
	run -0 "$EX/slurm/task.sh" -n "$T/list" "$T/out"
	[ "$output" = 1 ]
}

@test "slurm: submit.sh splits a list longer than MaxArraySize, throttles, and makes the reduce wait for every array" {
	# a stand-in sbatch that logs its arguments and BH_LINE_BASE and
	# answers with job ids 101, 102, ...
	mkdir -p "$T/bin"
	cat > "$T/bin/sbatch" <<-EOF
	#!/bin/sh
	n=\$(( \$(wc -l < "$T/sbatch.log") + 101 ))
	echo "base=\${BH_LINE_BASE:--} \$*" >> "$T/sbatch.log"
	echo "\$n;cluster"
	EOF
	chmod +x "$T/bin/sbatch"
	: > "$T/sbatch.log"
	PATH=$T/bin:$PATH BH_MAX_ARRAY=3 BH_ARRAY_THROTTLE=1 run -0 \
	    "$EX/slurm/submit.sh" "$F/list" "$T/out" -p batch
	[ "$output" = "array 101 1-2
array 102 1-2
reduce 103" ]
	o=$T/out/log
	[ "$(cat "$T/sbatch.log")" = "base=0 --parsable --array=1-2%1 --output=$o/%x-%A_%a.out -p batch $EX/slurm/task.sh $F/list $T/out
base=2 --parsable --array=1-2%1 --output=$o/%x-%A_%a.out -p batch $EX/slurm/task.sh $F/list $T/out
base=- --parsable --output=$o/%x-%j.out --dependency=afterok:101:102 --kill-on-invalid-dep=yes -p batch $EX/slurm/reduce-job.sh $T/out" ]
}

@test "slurm: task.sh and submit.sh usage errors exit 2" {
	run -2 "$EX/slurm/task.sh"
	[ "$output" = "usage: task.sh [-n] listfile out" ]
	run -2 "$EX/slurm/task.sh" "$T/nolist" "$T/out"
	[ "$output" = "task.sh: cannot read $T/nolist" ]
	run -2 env -u SLURM_ARRAY_TASK_ID "$EX/slurm/task.sh" "$F/list" "$T/out"
	[[ "$output" == "task.sh: SLURM_ARRAY_TASK_ID is not set"* ]]
	SLURM_ARRAY_TASK_ID=9 run -2 "$EX/slurm/task.sh" "$F/list" "$T/out"
	[ "$output" = "task.sh: $F/list has no line 9" ]
	run -2 "$EX/slurm/submit.sh" "$F/list"
	[ "$output" = "usage: submit.sh listfile out [sbatch options]" ]
	run -2 "$EX/slurm/reduce-job.sh"
	[ "$output" = "usage: reduce-job.sh out" ]
}

# start_sshd: an sshd of the test's own on 127.0.0.1 (sshd_config(5): its
# host key, authorized keys, pid file in $C; the system's ssh
# configuration untouched) and an ssh client configuration for it,
# host "bhtest", through $C/ssh, which logs every command it is given
start_sshd() {
	need_pkgs sshd ssh parallel rsync -- openssh-server parallel rsync
	C=$(mktemp -d /tmp/bh-ssh.XXXXXX)
	ssh-keygen -q -t ed25519 -N '' -f "$C/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$C/id"
	cp "$C/id.pub" "$C/authorized_keys"
	local port
	port=$(free_port)
	cat > "$C/sshd_config" <<-EOF
	Port $port
	ListenAddress 127.0.0.1
	HostKey $C/host_key
	PidFile $C/sshd.pid
	AuthorizedKeysFile $C/authorized_keys
	StrictModes no
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	PermitRootLogin prohibit-password
	EOF
	cat > "$C/ssh_config" <<-EOF
	Host bhtest
		HostName 127.0.0.1
		Port $port
		User $(id -un)
		IdentityFile $C/id
		IdentitiesOnly yes
		UserKnownHostsFile $C/known_hosts
		StrictHostKeyChecking yes
		BatchMode yes
	EOF
	echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$C/host_key.pub")" > "$C/known_hosts"
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >> %s/ssh.log\nexec ssh -F %s/ssh_config "$@"\n' \
	    "$C" "$C" > "$C/ssh"
	chmod +x "$C/ssh"
	# the privilege separation directory sshd insists on
	if [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd
		RUNSSHD=1
	fi
	daemon "$C/sshd.out" /usr/sbin/sshd -D -f "$C/sshd_config" -E "$C/sshd.log"
	waitfor 10 ssh_ok || { cat "$C"/sshd.*; false; }
}

ssh_ok() { "$C/ssh" bhtest true 2>/dev/null; }

@test "parallel.sh -S: over ssh to localhost, the capture sent and the results returned, equal to the local run" {
	start_sshd
	local home
	home=$(getent passwd "$(id -un)" | cut -d: -f6)
	ls "$home/.parallel/tmp" 2>/dev/null > "$T/work.before" || true
	: > "$C/ssh.log"
	HOME=$T PARALLEL_SSH=$C/ssh run -0 "$EX/parallel.sh" -S bhtest "$T/out" "$F"/caps/c*.pcap
	same_as_seq
	# each capture went over (rsync --server) and its results came back
	# (rsync --server --sender); no job directory is left there
	[ "$(grep -c 'rsync --server -[^-]' "$C/ssh.log")" -eq 3 ]
	[ "$(grep -c 'rsync --server --sender' "$C/ssh.log")" -eq 3 ]
	# and the copy was removed there (--cleanup)
	for n in 1 2 3; do
		grep -q "rm -f ./.parallel/tmp/[^ /]*/c$n.pcap" "$C/ssh.log"
	done
	ls "$home/.parallel/tmp" 2>/dev/null | diff -u "$T/work.before" -
	[ -z "$(ls -A "$T/out" | grep '^\.parallel')" ]
}

@test "parallel.sh -r -S: over ssh a job per rotated group, all its files sent and removed there, equal to the sequential run, numbered as one run over all the files" {
	start_sshd
	local home f
	home=$(getent passwd "$(id -un)" | cut -d: -f6)
	ls "$home/.parallel/tmp" 2>/dev/null > "$T/work.before" || true
	: > "$C/ssh.log"
	HOME=$T PARALLEL_SSH=$C/ssh run -0 "$EX/parallel.sh" -r -S bhtest \
	    "$T/out" "$F"/rot/* "$F"/arch/*
	same_as_seq seqr
	# the download across r1 and r2 came back one record, whole
	run -0 col state < "$T/out/r1.pcap.tsv"
	[ "$output" = SF ]
	# three jobs: every file of each went over (rsync --server), each
	# job's results came back (--sender), the copies were removed there
	[ "$(grep -c 'rsync --server -[^-]' "$C/ssh.log")" -eq 7 ]
	[ "$(grep -c 'rsync --server --sender' "$C/ssh.log")" -eq 3 ]
	for f in "$F"/rot/* "$F"/arch/*; do
		grep -q "rm -f ./.parallel/tmp/[^ /]*/${f##*/}" "$C/ssh.log"
	done
	ls "$home/.parallel/tmp" 2>/dev/null | diff -u "$T/work.before" -
	[ -z "$(ls -A "$T/out" | grep '^\.parallel')" ]
	same_as_one "$F/one/merged" "$T/out/merged"
	# over ssh a group's files share the job's directory: one name twice
	# is refused
	mkdir -p "$T/x"
	cp "$F/rot/r2.pcap" "$T/x/r1.pcap"
	HOME=$T PARALLEL_SSH=$C/ssh run -2 --separate-stderr "$EX/parallel.sh" \
	    -r -S bhtest "$T/out2" "$F/rot/r1.pcap" "$T/x/r1.pcap"
	[ "$stderr" = "parallel.sh: r1.pcap twice in one group: over ssh a group's files need different names" ]
}

@test "parallel.sh: without -S, the local run; usage errors exit 2" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	HOME=$T run -0 "$EX/parallel.sh" "$T/out" "$F"/caps/c*.pcap
	same_as_seq
	run -2 "$EX/parallel.sh" "$T/out"
	[ "$output" = "usage: parallel.sh [-r] [-S sshlogin...] outdir capture..." ]
	run -2 "$EX/parallel.sh" -x "$T/out" "$F/caps/c1.pcap"
	[[ "$output" == *"usage: parallel.sh [-r] [-S sshlogin...] outdir capture..." ]]
}

@test "parallel.sh -r: the rotated group is one job, as the sequential run over the group" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	# the rotated files named against their time order: groups.sh
	# orders them by their packets
	mkdir -p "$T/in"
	cp "$F/rot/r1.pcap" "$T/in/r1.pcap"
	cp "$F/rot/r2.pcap" "$T/in/a-r2.pcap"
	HOME=$T run -0 "$EX/parallel.sh" -r "$T/out" "$T"/in/*
	# the group's files were one capture: its session table is the
	# sequential run's over r1 and r2, the download one SF record
	cmp "$F/seqg/r1.pcap.tsv" "$T/out/r1.pcap.tsv"
	[ ! -e "$T/out/a-r2.pcap.done" ]
	[ -s "$T/out/merged/REPORT.md" ]
	# without -r the files are two captures, the download cut in two
	HOME=$T run -0 "$EX/parallel.sh" "$T/out2" "$T"/in/*
	[ -e "$T/out2/a-r2.pcap.done" ]
	run -1 cmp -s "$F/seqg/r1.pcap.tsv" "$T/out2/r1.pcap.tsv"
}
