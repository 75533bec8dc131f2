# bench/report.awk - the tables and the verdicts of bench/run, in one pass.
#
# Input (FS = TAB), written by bench/run:
#	set KEY VALUE			a fact about the run (capture, counts...)
#	ID GROUP UNITS BYTES LABEL CMD	a measured command; its rounds are
#					the lines of W/ID.st, one a round:
#					"wall user sys maxrss_kib status"
# -v W=DIR names the directory of the .st files.  Groups: floor, bh, peer
# (packet tables, ratios to the bare loop "bare"), filter (records),
# growth (gK_bare, gK_sess), mem.
#
# Per command: the median over the rounds of wall and of CPU (user+sys),
# the largest peak RSS, the last nonzero exit status.  A ratio of two
# commands is the median of their per-round ratios (paired: both ran in
# the same round, one after the other).

BEGIN {
	FS = "\t"
}

$1 == "set" {
	V[$2] = $3
	next
}

{
	id = $1
	ids[++nid] = id
	G[id] = $2; U[id] = $3; B[id] = $4; L[id] = $5; C[id] = $6
	load(id)
}

function load(id,    f, line, a, n) {
	f = W "/" id ".st"
	n = 0
	st[id] = 0
	rss[id] = 0
	while ((getline line < f) > 0) {
		split(line, a, " ")
		n++
		w[id, n] = a[1]
		c[id, n] = a[2] + a[3]
		if (a[4] + 0 > rss[id])
			rss[id] = a[4] + 0
		if (a[5] != 0)
			st[id] = a[5]
	}
	close(f)
	nr[id] = n
}

function median(a, n,    i, j, x) {
	if (n == 0)
		return ""
	for (i = 2; i <= n; i++) {
		x = a[i]
		for (j = i - 1; j >= 1 && a[j] > x; j--)
			a[j + 1] = a[j]
		a[j + 1] = x
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# The median wall ("w") or CPU ("c") seconds of id; "" when not measured.
function med(id, what,    t, i) {
	if (!(id in nr))
		return ""
	for (i = 1; i <= nr[id]; i++)
		t[i] = what == "w" ? w[id, i] : c[id, i]
	return median(t, nr[id])
}

# The median of the per-round ratios id/ref, of wall or CPU.
function ratio(id, ref, what,    t, i, n, x, y) {
	if (!(id in nr) || !(ref in nr) || nr[id] != nr[ref] || nr[id] == 0)
		return ""
	n = 0
	for (i = 1; i <= nr[id]; i++) {
		x = what == "w" ? w[id, i] : c[id, i]
		y = what == "w" ? w[ref, i] : c[ref, i]
		if (y > 0)
			t[++n] = x / y
	}
	return median(t, n)
}

function fm(fmt, x) {
	return x == "" ? "-" : sprintf(fmt, x)
}

function mib(kib) {
	return sprintf("%.1f", kib / 1024)
}

function human(b) {
	if (b >= 1e9)
		return sprintf("%.2f GB", b / 1e9)
	if (b >= 1e6)
		return sprintf("%.1f MB", b / 1e6)
	return sprintf("%.1f kB", b / 1e3)
}

function rate(n, secs) {
	return secs > 0 ? sprintf("%.2f M", n / secs / 1e6) : "-"
}

function mbs(b, secs) {
	return secs > 0 ? sprintf("%.0f", b / secs / 1e6) : "-"
}

# A command as a table cell: a code span, the pipes escaped (GFM).
function cell(s) {
	gsub(/\|/, "\\|", s)
	return "`" s "`"
}

function exitcell(id) {
	return st[id] == 0 ? "0" : "**" st[id] + 0 "**"
}

function verdict(x, op, limit) {
	if (x == "")
		return "not measured"
	if (op == "<=" ? x + 0 <= limit : x + 0 >= limit)
		return "met"
	return "**missed**"
}

# One line of the verdict list: met when x op limit.
function check(text, x, op, limit) {
	printf "- %s: %s\n", text, verdict(x, op, limit)
}

# The same judged twice, by wall time (xw) and by CPU time (xc): on a
# shared machine the wall clock also counts the time others had the CPU.
function check2(text, xw, xc, op, limit) {
	printf "- %s: %s by wall, %s by CPU\n", text, verdict(xw, op, limit),
	    verdict(xc, op, limit)
}

# Scale a per-slice ratio to the whole capture (tshark read a slice).
function scaled(x) {
	return x == "" ? "" : x * V["pkts"] / V["slice_pkts"]
}

END {
	for (i = 1; i <= nid; i++) {
		id = ids[i]
		W_[id] = med(id, "w")
		C_[id] = med(id, "c")
		if (G[id] == "floor" || G[id] == "bh" || G[id] == "peer") {
			RW[id] = ratio(id, "bare", "w")
			RC[id] = ratio(id, "bare", "c")
			SW[id] = ratio(id, "sessions", "w")
			SC[id] = ratio(id, "sessions", "c")
		} else if (G[id] == "growth") {
			ref = id
			sub(/_.*/, "_bare", ref)
			RW[id] = ratio(id, ref, "w")
			RC[id] = ratio(id, ref, "c")
		}
	}
	if ("tshark" in G) {
		RW["tshark"] = scaled(RW["tshark"])
		RC["tshark"] = scaled(RC["tshark"])
		SW["tshark"] = scaled(SW["tshark"])
		SC["tshark"] = scaled(SC["tshark"])
	}

	print "## Run"
	print ""
	printf "- capture: `%s` (%s, %d packets, %d sessions; `bh-synth -b %s --seed %s`)\n",
	    V["cap"], human(V["cap_size"]), V["pkts"], V["nrec"], V["size_b"],
	    V["seed"]
	printf "- $TSV: the session TSV, %s, %d records (`bh-sessions \"$CAP\"`); $FULL: $TSV through `bh-phase | bh-rtt | bh-ttl` (%s)\n",
	    human(V["tsv_size"]), V["nrec"], human(V["full_size"])
	if ("tshark" in G)
		printf "- $SLICECAP: the first %d packets of $CAP (`editcap -r \"$CAP\" \"$SLICECAP\" 1-%d`); tshark's ratios are per packet, scaled to the whole capture\n",
		    V["slice_pkts"], V["slice_pkts"]
	printf "- BH_LOCAL=%s; rounds: %d; load average (1, 5, 15 min) before: %s, after: %s\n",
	    V["local"], V["rounds"], V["load0"], V["load1"]
	print "- wall and CPU: medians over the rounds; × bare: the median of the per-round ratios to the bare libpcap loop of the same round; CPU: user + sys of every process of the command; peak RSS: of its largest process, the most over the rounds; stdout to /dev/null"

	print ""
	print "## Packets"
	print ""
	print "| what | command | wall s | × bare (wall) | × bare (CPU) | packets/s | MB/s | peak RSS MiB | exit |"
	print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
	for (i = 1; i <= nid; i++) {
		id = ids[i]
		if (G[id] != "floor" && G[id] != "bh" && G[id] != "peer")
			continue
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    L[id], cell(C[id]), fm("%.3f", W_[id]),
		    id == "bare" ? "1" : fm("%.2f×", RW[id]),
		    id == "bare" ? "1" : fm("%.2f×", RC[id]),
		    rate(U[id], W_[id]), mbs(B[id], W_[id]), mib(rss[id]),
		    exitcell(id)
	}

	print ""
	print "## Filters alone (on the session TSV)"
	print ""
	print "| filter | command | wall s | CPU s | records/s (wall) | records/s (CPU) | MB/s (wall) | peak RSS MiB | exit |"
	print "|---|---|--:|--:|--:|--:|--:|--:|--:|"
	for (i = 1; i <= nid; i++) {
		id = ids[i]
		if (G[id] != "filter")
			continue
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		    L[id], cell(C[id]), fm("%.3f", W_[id]), fm("%.3f", C_[id]),
		    rate(U[id], W_[id]), rate(U[id], C_[id]),
		    mbs(B[id], W_[id]), mib(rss[id]), exitcell(id)
	}

	if ("g1_sess" in G) {
		print ""
		printf "## Growth (base %s; bh-sessions at 1×, 4×, 10×)\n",
		    human(V["gbase_b"])
		print ""
		print "| size | capture | packets | sessions | bare loop s | bh-sessions s | × bare (wall) | × bare (CPU) | CPU ns/packet | vs 1× | peak RSS MiB | vs 1× |"
		print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		c1 = C_["g1_sess"] / U["g1_sess"]
		for (k = 1; k <= 10; k++) {
			id = "g" k "_sess"
			if (!(id in G))
				continue
			ck = C_[id] / U[id]
			printf "| %d× | `$G%d` %s | %d | %d | %s | %s | %s | %s | %.0f | %.2f× | %s | %.2f× |\n",
			    k, k, human(B[id]), U[id], V["grec" k],
			    fm("%.3f", W_["g" k "_bare"]), fm("%.3f", W_[id]),
			    fm("%.2f×", RW[id]), fm("%.2f×", RC[id]), ck * 1e9,
			    (c1 > 0 ? ck / c1 : 0), mib(rss[id]),
			    (rss["g1_sess"] > 0 ? rss[id] / rss["g1_sess"] : 0)
		}
	}

	if (("seq_s" in G) || ("live_s" in G)) {
		print ""
		print "## Memory (bh-sessions, default settings: -m 100000 live sessions, -s 256 head bytes a side)"
		print ""
		print "| capture | command | packets | wall s | peak RSS MiB | exit |"
		print "|---|---|--:|--:|--:|--:|"
		for (i = 1; i <= nid; i++) {
			id = ids[i]
			if (G[id] != "mem")
				continue
			printf "| %s | %s | %d | %s | %s | %s |\n", L[id],
			    cell(C[id]), U[id], fm("%.3f", W_[id]),
			    mib(rss[id]), exitcell(id)
		}
	}

	print ""
	print "## Targets (the performance targets and the memory-scaling check)"
	print ""
	if (V["quick"])
		print "(Quick mode: the captures are too small for these verdicts to mean anything; fixed costs dominate.)\n"
	check2(sprintf("bh-sessions within 2.5× of the bare libpcap loop: wall %s, CPU %s",
	    fm("%.2f×", RW["sessions"]), fm("%.2f×", RC["sessions"])),
	    RW["sessions"], RC["sessions"], "<=", 2.5)
	check2(sprintf("bh-sessions within 3× of the bare libpcap loop (must): wall %s, CPU %s",
	    fm("%.2f×", RW["sessions"]), fm("%.2f×", RC["sessions"])),
	    RW["sessions"], RC["sessions"], "<=", 3)
	check(sprintf("full pipeline within 1.5× of bh-sessions alone: wall %s (CPU, all stages: %s)",
	    fm("%.2f×", SW["pipeline"]), fm("%.2f×", SC["pipeline"])),
	    SW["pipeline"], "<=", 1.5)
	if ("pipes" in G) {
		x = 0
		for (i = 1; i <= nid; i++)
			if (G[ids[i]] == "filter")
				x += C_[ids[i]]
		printf "  - why: the same pipeline with `cat` for each filter (the cost of the four pipes alone) takes %s the wall time of bh-sessions alone and %s its CPU; the four filters alone take %s CPU s together, bh-sessions alone %s; the whole pipeline %s CPU s on %d cores\n",
		    fm("%.2f×", SW["pipes"]), fm("%.2f×", SC["pipes"]),
		    fm("%.3f", x), fm("%.3f", C_["sessions"]),
		    fm("%.3f", C_["pipeline"]), V["ncpu"]
	}
	if ("pipeline_d" in G)
		check(sprintf("the same with the heads dropped after labelling (bh-phase -d; the later stages do not read them): wall %s (CPU, all stages: %s)",
		    fm("%.2f×", SW["pipeline_d"]), fm("%.2f×", SC["pipeline_d"])),
		    SW["pipeline_d"], "<=", 1.5)
	for (i = 1; i <= nid; i++) {
		id = ids[i]
		if (G[id] != "filter")
			continue
		xw = W_[id] > 0 ? U[id] / W_[id] / 1e6 : ""
		xc = C_[id] > 0 ? U[id] / C_[id] / 1e6 : ""
		check2(sprintf("%s alone at least 1 M records/s: %s M by wall, %s M by CPU",
		    L[id], fm("%.2f", xw), fm("%.2f", xc)), xw, xc, ">=", 1)
	}
	if (V["peers"]) {
		check2(sprintf("at least 12× faster than tcptrace: wall %s, CPU %s",
		    fm("%.1f×", SW["tcptrace"]), fm("%.1f×", SC["tcptrace"])),
		    SW["tcptrace"], SC["tcptrace"], ">=", 12)
		check2(sprintf("at least 5× faster than argus: wall %s, CPU %s",
		    fm("%.1f×", SW["argus"]), fm("%.1f×", SC["argus"])),
		    SW["argus"], SC["argus"], ">=", 5)
	}
	check(sprintf("bh-sessions peak RSS on the benchmark capture at most 64 MiB: %s MiB",
	    mib(rss["sessions"])), rss["sessions"] / 1024, "<=", 64)
	if ("g1_sess" in G) {
		x = rss["g1_sess"] > 0 ? rss["g10_sess"] / rss["g1_sess"] : ""
		check(sprintf("peak RSS flat (within 10%%) from 1× to 10×: %s MiB at 10×, %s MiB at 1× (%s)",
		    mib(rss["g10_sess"]), mib(rss["g1_sess"]), fm("%.3f", x)),
		    x, "<=", 1.10)
		x = C_["g1_sess"] > 0 ? (C_["g10_sess"] / U["g10_sess"]) / \
		    (C_["g1_sess"] / U["g1_sess"]) : ""
		check(sprintf("CPU per packet within 1.2× from 1× to 10×: 10×/1× = %s",
		    fm("%.3f", x)), x, "<=", 1.2)
	}
	if ("seq_s" in G) {
		x = rss["seq_s"] > 0 ? rss["seq_l"] / rss["seq_s"] : ""
		check(sprintf("memory scaling: %d sequential short sessions vs %d, peak RSS within 10%%: %s vs %s MiB (%s)",
		    V["seqn"], V["seqn"] / 10, mib(rss["seq_l"]),
		    mib(rss["seq_s"]), fm("%.3f", x)), x, "<=", 1.10)
	}
	if ("live_s" in G) {
		n = V["liven"] - int(V["liven"] / 10)
		x = n > 0 ? (rss["live0_l"] - rss["live0_s"]) * 1024 / n : ""
		check(sprintf("at most 512 bytes per live session plus the heads: %s bytes per session with -s 0 (peak RSS %s MiB at %d open sessions, %s MiB at %d)",
		    fm("%.0f", x), mib(rss["live0_l"]), V["liven"],
		    mib(rss["live0_s"]), V["liven"] / 10), x, "<=", 512)
		y = n > 0 ? (rss["live_l"] - rss["live_s"]) * 1024 / n : ""
		printf "- the heads, both in use (default -s 256: 2 × 256 bytes and 2 × 32 bytes of bitmap = 576): %s bytes per session more; peak RSS with %d open sessions and default settings: %s MiB\n",
		    (x == "" || y == "") ? "-" : sprintf("%.0f", y - x),
		    V["liven"], mib(rss["live_l"])
	}

	# The raw rounds, so the noise can be judged.
	print ""
	print "## Every round (wall s / CPU s)"
	print ""
	print "| command | rounds |"
	print "|---|---|"
	for (i = 1; i <= nid; i++) {
		id = ids[i]
		line = ""
		for (r = 1; r <= nr[id]; r++)
			line = line (r > 1 ? ", " : "") sprintf("%.3f / %.3f",
			    w[id, r], c[id, r])
		printf "| %s | %s |\n", L[id], line
	}
}
