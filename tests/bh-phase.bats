#!/usr/bin/env bats
# bh-phase: the labels of the issue's "done when" list, the rules language
# and its errors, the links and their look-ahead window, dir from the
# phase, and the record-filter rules every tool shares.  Input records are
# written by hand (mkphase below), so these tests do not depend on bh-sessions;
# the pipeline tests at the end run from fixture captures when bh-sessions
# and bh-mkpcap have been built.

load helper

COLS="flow proto ts dur orig_ip orig_port resp_ip resp_port dir state
orig_bytes resp_bytes orig_head resp_head"
OWN="phase app rule link"


# vals is in helper.bash.

setup() {
	T=$BATS_TEST_TMPDIR
}

# ---- the issue's "done when" list ----------------------------------------

@test "IRC on 6667, 5555 and 8080 is cnc/irc; HTTP that merely contains NICK is not" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:6667 oh='NICK bot1\r\nUSER bot 0 * :x\r\n' rh=':irc.example 001 bot1 :Welcome\r\n'
flow=2 o=10.0.0.5:1041 r=198.51.100.7:5555 oh='USER bot 0 * :x\r\nNICK bot2\r\n' rh=':irc.example NOTICE AUTH :*** Looking up\r\n:irc.example 001 bot2 :hi\r\n'
flow=3 o=10.0.0.5:1042 r=198.51.100.7:8080 oh='PASS s3cret\r\nNICK [00|DEU|XP]123\r\nUSER x x x :x\r\n' rh='001 bot3 :Welcome\r\n'
flow=4 o=10.0.0.5:1043 r=198.51.100.8:80 oh='GET /chat?NICK=bot&USER=x HTTP/1.1\r\nHost: a\r\n\r\n' rh='HTTP/1.1 200 OK\r\n\r\nNICK bot\r\nUSER x\r\n:srv 001 x\r\n'
flow=5 o=10.0.0.5:1044 r=198.51.100.8:8080 oh='POST /x HTTP/1.0\r\n\r\nNICK bot\r\nUSER a b c :d\r\n' rh='HTTP/1.0 200 OK\r\n\r\n:srv 001 bot :hi\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals phase app rule link)" = "cnc cnc cnc - - irc irc irc - - irc irc irc - - - - - - - " ]
}

@test "weaker IRC rules: registration without a reply, other verbs, a server first, lower case" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:7777 oh='NICK a\r\nUSER a 0 * :a\r\n'
flow=2 o=10.0.0.5:1041 r=198.51.100.7:7777 oh='PASS x\r\nJOIN #botnet key\r\n'
flow=3 o=10.0.0.5:1042 r=198.51.100.7:7777 rh=':hub.example NOTICE AUTH :*** hello\r\n'
flow=4 o=10.0.0.5:1043 r=198.51.100.7:7777 oh='nick a\r\nuser a 0 * :a\r\n' rh=':s 001 a :hi\r\n'
flow=5 o=10.0.0.5:1044 r=198.51.100.7:110 oh='USER bob\r\nPASS x\r\nSTAT\r\n' rh='+OK POP3 ready\r\n'
flow=6 o=10.0.0.5:1045 r=198.51.100.7:6667 state=S0 orig_bytes=0 resp_bytes=0
flow=7 o=10.0.0.5:1046 r=198.51.100.7:7777 oh='\x01hello' rh=':hub.example NOTICE AUTH :*** hello\r\n'
EOF
	run -0 bh-phase "$T/in"
	# 3: a server that greets a silent client is no C&C; 6: nor is a
	# payload-less session to an IRC port (an attack: 10.0.0.5 is local)
	[ "$(vals phase rule)" = "cnc cnc - cnc - attack cnc irc-client irc-verbs - irc - irc-scan irc-server " ]
}

@test "GET /bot.exe with an MZ body is download/http; without the body a weaker rule" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1050 r=203.0.113.9:80 oh='GET /bot.exe HTTP/1.0\r\nHost: x\r\n\r\n' rh='HTTP/1.0 200 OK\r\nContent-Length: 5000\r\n\r\nMZ\x90\x00\x03\x00'
flow=2 o=10.0.0.5:1051 r=203.0.113.9:80 oh='GET /bot.exe HTTP/1.0\r\n\r\n'
flow=3 o=10.0.0.5:1052 r=203.0.113.9:80 oh='GET /a.php HTTP/1.0\r\n\r\n' rh='HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<b>MZ</b>'
flow=4 o=10.0.0.5:1053 r=203.0.113.9:8000 oh='GET /x HTTP/1.1\r\n\r\n' rh='HTTP/1.1 200 OK\r\n\r\nhello\r\n\r\nMZ'
flow=5 o=10.0.0.5:1054 r=203.0.113.9:80 oh='GET /x HTTP/1.1\r\n\r\n' rh='HTTP/1.1 200 OK\r\nContent-Type: application/x-msdownload\r\n'
flow=6 o=10.0.0.5:1055 r=203.0.113.9:80 oh='GET /x HTTP/1.1\r\n\r\n' rh='HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename="a.scr"\r\n'
flow=7 o=10.0.0.5:1056 r=203.0.113.9:80 oh='GET /x HTTP/1.1\r\n\r\n' rh='HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Len'
EOF
	run -0 bh-phase "$T/in"
	# 2: an executable asked for but never answered; 7: octet-stream
	# without an executable body; 3, 4: dir from 10.0.0.5, local by 1
	[ "$(vals phase app rule dir)" = "download - - - download download - http - - - http http - http-mz - - - http-exe-type http-exe-name - out out out out out out out " ]
}

@test "FTP control and active data with MZ: download/ftp and ftp-data, each naming the other" {
	# The data connection ends, and comes, before its control connection.
	mkphase > "$T/in" <<'EOF'
flow=11 ts=202.000000 o=198.51.100.20:20 r=10.0.0.5:1026 state=SF oh='MZ\x90\x00\x03\x00'
flow=12 ts=203.000000 o=10.0.0.9:5555 r=10.0.0.5:80 oh='GET /index.html HTTP/1.0\r\n\r\n'
flow=10 ts=200.000000 dur=10.000000 o=10.0.0.5:1050 r=198.51.100.20:21 oh='USER anonymous\r\nPASS x\r\nTYPE I\r\nPORT 10,0,0,5,4,2\r\nRETR bot.exe\r\nQUIT\r\n' rh='220 ready\r\n331 ok\r\n230 ok\r\n200 ok\r\n200 PORT ok\r\n150 Opening\r\n226 done\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals flow phase app rule link dir)" = "11 12 10 download - download ftp-data - ftp ftp-data-port - ftp 10 - 11 in - out " ]
	# the other order: control first, data after it
	mkphase > "$T/in2" <<'EOF'
flow=10 ts=200.000000 dur=10.000000 o=10.0.0.5:1050 r=198.51.100.20:21 oh='USER a\r\nPORT 10,0,0,5,4,2\r\nRETR bot.exe\r\n' rh='220 ready\r\n'
flow=11 ts=202.000000 o=198.51.100.20:20 r=10.0.0.5:1026 oh='MZ\x90\x00\x03\x00'
EOF
	run -0 bh-phase "$T/in2"
	[ "$(vals rule link)" = "ftp ftp-data-port 11 10 " ]
}

@test "FTP passive (227, 229), EPRT, port 20 and the same-hosts fallback" {
	mkphase > "$T/in" <<'EOF'
flow=1 ts=100.000000 dur=50.000000 o=10.0.0.5:1060 r=198.51.100.40:21 oh='USER a\r\nPASS b\r\nPASV\r\nRETR a.exe\r\nEPSV\r\nRETR b.exe\r\n' rh='220 hi\r\n331 ok\r\n230 ok\r\n227 Entering Passive Mode (198,51,100,40,195,80).\r\n150 ok\r\n226 ok\r\n229 Entering Extended Passive Mode (|||6446|)\r\n'
flow=2 ts=101.000000 o=10.0.0.5:1061 r=198.51.100.40:50000 rh='MZ\x90'
flow=3 ts=102.000000 o=10.0.0.5:1062 r=198.51.100.40:6446 rh='MZ\x90'
flow=4 ts=103.000000 o=10.0.0.5:1063 r=198.51.100.40:7000 rh='MZ\x90'
flow=5 ts=103.000000 o=10.0.0.6:1063 r=198.51.100.40:7000 rh='MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff'
flow=6 ts=300.000000 dur=50.000000 o=10.0.0.7:1070 r=198.51.100.41:21 oh='USER a\r\nEPRT |1|10.0.0.7|6275|\r\nRETR x\r\n' rh='220 hi\r\n'
flow=7 ts=301.000000 o=198.51.100.41:2020 r=10.0.0.7:6275 oh='MZ'
flow=8 ts=302.000000 o=198.51.100.41:20 r=10.0.0.7:6276 oh='MZ'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals rule link)" = "ftp ftp-data-pasv ftp-data-pasv ftp-data-pair exe ftp ftp-data-port ftp-data-20 2 1 1 1 - 7 6 6 " ]
}

@test "overlapping FTP sessions to one server, passive: the 227 that names the data wins over an earlier session's same-hosts guess" {
	# bh-synth -s 1 -n 5000, flows 4813 4816 4817 4827: control 13 (PORT)
	# and its data 16 end first; the passive data 27 starts after 13 has
	# ended (within the 10 s slack) and ends before its control 17.
	mkphase > "$T/in" <<'EOF'
flow=16 ts=660.293790 dur=0.991375 o=198.51.100.20:20 r=10.0.0.5:2320 oh='MZ\x90\x00\x03\x00'
flow=13 ts=659.313546 dur=2.273173 o=10.0.0.5:2319 r=198.51.100.20:21 oh='USER 1\r\nPASS 1\r\nTYPE I\r\nPORT 10,0,0,5,9,16\r\nRETR bot.exe\r\nQUIT\r\n' rh='220 (vsFTPd 2.0.5)\r\n331 Password required\r\n230 User logged in.\r\n200 Type set to I\r\n200 PORT command successful.\r\n'
flow=27 ts=664.142226 dur=0.522578 o=10.0.0.5:2324 r=198.51.100.20:38671 rh='MZ\x90\x00\x03\x00'
flow=17 ts=660.309073 dur=4.671976 o=10.0.0.5:2323 r=198.51.100.20:21 oh='USER 1\r\nPASS 1\r\nTYPE I\r\nPASV\r\nRETR bot.exe\r\nQUIT\r\n' rh='220 (vsFTPd 2.0.5)\r\n331 Password required\r\n230 User logged in.\r\n200 Type set to I\r\n227 Entering Passive Mode (198,51,100,20,151,15)\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals flow rule link)" = "16 13 27 17 ftp-data-port ftp ftp-data-pasv ftp 13 16 17 27 " ]
	# without the 227 (past a short head): the guess, to the only control
	awk -F'\t' '$1 != 17' "$T/in" > "$T/in2"
	run -0 bh-phase "$T/in2"
	[ "$(vals flow rule link)" = "16 13 27 ftp-data-port ftp ftp-data-pair 13 16 13 " ]
}

@test "overlapping FTP sessions to one server, active: the PORT that names the data wins over port 20 of an earlier session" {
	# bh-synth -s 2 -n 100000, flows 86215 86218 86222 86225
	mkphase > "$T/in" <<'EOF'
flow=18 ts=888.063122 dur=0.825263 o=198.51.100.39:20 r=10.0.0.5:24482 oh='MZ\x90\x00\x03\x00'
flow=15 ts=887.319617 dur=1.823052 o=10.0.0.5:24481 r=198.51.100.39:21 oh='USER 1\r\nPASS 1\r\nTYPE I\r\nPORT 10,0,0,5,95,162\r\nRETR bot.exe\r\nQUIT\r\n' rh='220 Serv-U FTP Server v6.0 for WinSock ready...\r\n'
flow=25 ts=889.975463 dur=0.449161 o=198.51.100.39:20 r=10.0.0.5:24487 oh='MZ\x90\x00\x03\x00'
flow=22 ts=889.233677 dur=1.443510 o=10.0.0.5:24486 r=198.51.100.39:21 oh='USER 1\r\nPASS 1\r\nTYPE I\r\nPORT 10,0,0,5,95,167\r\nRETR bot.exe\r\nQUIT\r\n' rh='220 Serv-U FTP Server v6.0 for WinSock ready...\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals flow rule link dir)" = "18 15 25 22 ftp-data-port ftp ftp-data-port ftp 15 18 22 25 in out in out " ]
	# both controls before the data: the one whose PORT names it, not the first
	mkphase > "$T/in2" <<'EOF'
flow=15 ts=887.319617 dur=1.823052 o=10.0.0.5:24481 r=198.51.100.39:21 oh='USER 1\r\nPORT 10,0,0,5,95,162\r\nRETR bot.exe\r\n' rh='220 ready\r\n'
flow=22 ts=889.233677 dur=0.500000 o=10.0.0.5:24486 r=198.51.100.39:21 oh='USER 1\r\nPORT 10,0,0,5,95,167\r\nRETR bot.exe\r\n' rh='220 ready\r\n'
flow=25 ts=889.975463 dur=0.449161 o=198.51.100.39:20 r=10.0.0.5:24487 oh='MZ\x90'
EOF
	run -0 bh-phase "$T/in2"
	[ "$(vals flow rule link)" = "15 22 25 ftp ftp ftp-data-port - 25 22 " ]
}

@test "a guess goes to a control session with no data yet before one that has its own by PORT" {
	# 1 has its data 3 by PORT; 4 from port 20 is named by no PORT: 1 or 2
	mkphase > "$T/in" <<'EOF'
flow=3 ts=101.000000 dur=1.000000 o=198.51.100.20:20 r=10.0.0.5:1026 oh='MZ\x90'
flow=4 ts=103.000000 dur=1.000000 o=198.51.100.20:20 r=10.0.0.5:1030 oh='MZ\x90'
flow=1 ts=100.000000 dur=5.000000 o=10.0.0.5:1040 r=198.51.100.20:21 oh='USER a\r\nPORT 10,0,0,5,4,2\r\nRETR a.exe\r\n' rh='220 hi\r\n'
flow=2 ts=100.500000 dur=10.000000 o=10.0.0.5:1041 r=198.51.100.20:21 oh='USER a\r\nPASS b\r\n' rh='220 hi\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals flow rule link)" = "3 4 1 2 ftp-data-port ftp-data-20 ftp ftp-login 1 2 3 4 " ]
	# the data after the first control and before the second: the same
	awk -F'\t' '$1 == 4 { l = $0; next } { print } $1 == 1 { print l }' "$T/in" > "$T/in2"
	run -0 bh-phase "$T/in2"
	[ "$(vals flow rule link)" = "3 1 4 2 ftp-data-port ftp ftp-data-20 ftp-login 1 3 2 4 " ]
	# no other candidate: the guess takes the control that has its data
	awk -F'\t' '$1 != 2' "$T/in" > "$T/in3"
	run -0 bh-phase "$T/in3"
	[ "$(vals flow rule link)" = "3 4 1 ftp-data-port ftp-data-20 ftp 1 1 3 " ]
}

@test "a guess waits for the control that names the data until the guessed control is written (-w)" {
	# 4 names data 2 by PORT but ends 55 s after 1, which 2 is guessed to
	mkphase > "$T/in" <<'EOF'
flow=1 ts=100.000000 dur=5.000000 o=10.0.0.5:1040 r=198.51.100.20:21 oh='USER a\r\nPASS b\r\n' rh='220 hi\r\n'
flow=2 ts=104.000000 dur=2.000000 o=198.51.100.20:20 r=10.0.0.5:1030 oh='MZ\x90'
flow=9 ts=156.000000 dur=1.000000 o=10.0.0.9:5555 r=10.0.0.5:80 oh='GET /index.html HTTP/1.0\r\n\r\n'
flow=8 ts=157.500000 dur=1.000000 o=10.0.0.9:5556 r=10.0.0.5:80 oh='GET /index.html HTTP/1.0\r\n\r\n'
flow=4 ts=100.000000 dur=60.000000 o=10.0.0.5:1041 r=198.51.100.20:21 oh='USER a\r\nPORT 10,0,0,5,4,6\r\nRETR a.exe\r\n' rh='220 hi\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals flow rule link)" = "1 2 9 8 4 ftp-login ftp-data-port - - ftp - 4 - - 2 " ]
	run -0 bh-phase -w 60 "$T/in"
	[ "$(vals flow rule link)" = "1 2 9 8 4 ftp-login ftp-data-port - - ftp - 4 - - 2 " ]
	run -0 bh-phase -w 50 "$T/in"
	[ "$(vals flow rule link)" = "1 2 9 8 4 ftp-login ftp-data-20 - - ftp 2 1 - - - " ]
}

@test "TFTP RRQ to udp/69 and its data from port 3001: both download/tftp, linked" {
	mkphase > "$T/in" <<'EOF'
flow=21 proto=udp ts=300.010000 o=198.51.100.30:3001 r=10.0.0.5:2001 oh='\x00\x03\x00\x01MZ\x90\x00' rh='\x00\x04\x00\x01'
flow=20 proto=udp ts=300.000000 dur=0.000000 o=10.0.0.5:2001 r=198.51.100.30:69 oh='\x00\x01bot.exe\x00octet\x00'
flow=22 proto=udp ts=310.000000 o=198.51.100.30:3002 r=10.0.0.5:2009 oh='\x00\x03\x00\x01MZ\x90\x00'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals flow phase app rule link dir)" = "21 20 22 download download - tftp tftp - tftp-data tftp - 20 21 - in out in " ]
}

@test "inbound DCE-RPC to 135 and SMB to 445 are infection; outbound with dir out attack; an unanswered SYN to 445 scan" {
	mkphase > "$T/in" <<'EOF'
flow=1 dir=in state=SF o=203.0.113.9:3333 r=10.0.0.5:135 oh='\x05\x00\x00\x03\x10\x00\x00\x00H\x00\x00\x00\x01\x00\x00\x00' rh='\x05\x00\x0c\x03\x10\x00\x00\x00'
flow=2 dir=in state=SF o=203.0.113.9:3334 r=10.0.0.5:445 oh='\x00\x00\x00\x85\xffSMBr\x00\x00\x00\x00\x18S\xc8\x00\x00\x00\x40\xffSMBs\x00' rh='\x00\x00\x00U\xffSMBr'
flow=3 dir=out state=SF o=10.0.0.5:3333 r=203.0.113.9:135 oh='\x05\x00\x00\x03\x10\x00\x00\x00H\x00\x00\x00\x01\x00\x00\x00'
flow=4 dir=out state=SF o=10.0.0.5:3334 r=203.0.113.9:445 oh='\x00\x00\x00\x85\xffSMBr\x00\x00\x00\x00\x18S\xc8\x00\x00\x00\x40\xffSMBs\x00'
flow=5 dir=in state=S0 o=203.0.113.9:3335 r=10.0.0.5:445 orig_bytes=0 resp_bytes=0
flow=6 dir=out state=REJ o=10.0.0.5:3336 r=203.0.113.10:445 orig_bytes=0 resp_bytes=0
flow=7 dir=in state=SF o=203.0.113.9:3337 r=10.0.0.5:139 oh='\x81\x00\x00D CKFDENECFDEFFCFGEFFCCACACACACACA\x00 EOEBFJFCEJEOEDCACACACACACACACAAA\x00\x00\x00\x00\x85\xffSMBr\x00\x00\x00\x00\x40\xffSMBu\x00' rh='\x82\x00\x00\x00'
flow=8 dir=in state=SF o=203.0.113.9:3338 r=10.0.0.5:445 oh='\x00\x00\x81\x00BAAD\x00\x00\x00\x00'
flow=9 dir=in state=SF o=203.0.113.9:3339 r=10.0.0.5:445 oh='hello'
flow=10 dir=in state=SF o=203.0.113.9:3340 r=10.0.0.5:135 oh='\x05\x00\x0b\x03\x10\x00\x00\x00H\x00\x00\x00\x01\x00\x00\x00' rh='\x05\x00\x0c\x03\x10\x00\x00\x00'
flow=11 dir=in state=SF o=203.0.113.9:3341 r=10.0.0.5:445 oh='\x00\x00\x00\x85\xffSMBr\x00\x00\x00\x00\x18S\xc8' rh='\x00\x00\x00U\xffSMBr'
flow=12 dir=in state=SF o=203.0.113.9:3342 r=10.0.0.5:445 oh='\x00\x00\x00\x40\xfeSMB@\x00\x00\x00\x00\x00\x00\x00\x01\x00'
flow=13 dir=in state=SF o=203.0.113.9:3343 r=10.0.0.5:445 oh='\x00\x00\x00\x40\xfeSMB@\x00\x00\x00\x00\x00\x00\x00\x00\x00'
EOF
	run -0 bh-phase "$T/in"
	# 9: payload that is no SMB is no infection, whatever the port; 10,
	# 11: a bind, a negotiation and nothing more are probes; 12: an SMB2
	# session setup (command 1), 13: an SMB2 negotiate (command 0)
	[ "$(vals phase)" = "infection infection attack attack scan attack infection infection - scan scan infection scan " ]
	[ "$(vals app rule)" = "dcerpc smb dcerpc smb smb smb smb smb - dcerpc smb smb smb dcerpc smb dcerpc smb smb-scan smb-scan smb ms17-010 - dcerpc-bind smb-probe smb smb-probe " ]
}

@test "dir '-' is filled from the phase: infection and scan in, download and cnc out; flag r reverses" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=203.0.113.9:3333 r=10.0.0.5:135 oh='\x05\x00\x00\x03\x10\x00\x00\x00'
flow=2 state=S0 o=203.0.113.9:3335 r=10.0.0.5:445 orig_bytes=0 resp_bytes=0
flow=3 o=10.0.0.5:1040 r=198.51.100.7:6667 oh='NICK a\r\nUSER a 0 * :a\r\n'
flow=4 o=10.0.0.5:1041 r=198.51.100.7:4444 rh='MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff'
flow=5 o=198.51.100.7:4445 r=10.0.0.5:1042 oh='MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff'
flow=6 o=10.0.0.5:1043 r=198.51.100.7:4446 oh='hello'
flow=7 dir=ext o=203.0.113.9:3333 r=203.0.113.10:135 oh='\x05\x00\x00\x03\x10\x00\x00\x00'
EOF
	run -0 bh-phase "$T/in"
	# 6 has no label, but both its hosts were placed by 1 and 3
	[ "$(vals dir phase dir_by)" = "in in out out in out ext infection scan cnc download download - infection 1 1 1 1 3 1 - " ]
}

@test "a user rules file adds a phase for a new port and pattern, and replaces a rule by name" {
	cat > "$T/my.rules" <<'EOF'
# A bot that polls its controller over HTTP on 8888.
mybot-poll   cnc        http  tcp  8888  orig  -  ^GET /gate\.php\?id=[0-9]+[ ]
# SMB on a second port, in place of the built-in rule.
smb-scan     scan       smb   tcp  445,1445  -  e  -
EOF
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:8888 oh='GET /gate.php?id=42 HTTP/1.0\r\n\r\n'
flow=2 o=10.0.0.5:1041 r=198.51.100.7:8888 oh='GET /index.html HTTP/1.0\r\n\r\n'
flow=3 o=10.0.0.5:1042 r=198.51.100.7:8080 oh='GET /gate.php?id=42 HTTP/1.0\r\n\r\n'
flow=4 dir=in state=S0 o=203.0.113.9:1043 r=10.0.0.5:1445 orig_bytes=0 resp_bytes=0
EOF
	run -0 bh-phase -r "$T/my.rules" "$T/in"
	[ "$(vals phase app rule)" = "cnc - - scan http - - smb mybot-poll - - smb-scan " ]
	run -0 bh-phase "$T/in"
	[ "$(vals phase rule)" = "- - - scan - - - probe " ]
	# New rules go first; a replacement keeps the built-in's place.
	run -0 bash -c "bh-phase -r '$T/my.rules' --print-rules | grep -v '^#' | grep . | awk '{print \$1}' | uniq"
	[ "${lines[0]}" = mybot-poll ]
	want=$(bh-phase --print-rules | grep -v '^#' | grep . | awk '{print $1}' | uniq | grep -n '^smb-scan$')
	got=$(printf '%s\n' "${lines[@]}" | grep -n '^smb-scan$')
	[ "${got%%:*}" -eq $(( ${want%%:*} + 1 )) ]
}

@test "a rules file with a broken regex exits 2 naming its line" {
	printf '# comment\nok  cnc  x  tcp  *  orig  -  ^abc\nbad  cnc  x  tcp  *  orig  -  ^GET (x\n' > "$T/bad.rules"
	run -2 --separate-stderr bh-phase -r "$T/bad.rules" < /dev/null
	[ -z "$output" ]
	[[ "$stderr" == "bh-phase: $T/bad.rules:3: rule bad: bad pattern '^GET (x': "?* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "every labelled session has a rule; every unlabelled one is - in phase, app, rule, link" {
	mkphase < "$DATA/phase/mixed.desc" > "$T/in"
	run -0 bh-phase "$T/in"
	printf '%s\n' "$output" | awk -F'\t' '
	/^#/ { next }
	{
		n++
		ph = $(NF-4); app = $(NF-3); rule = $(NF-2); link = $(NF-1)
		if (ph == "" || app == "" || rule == "" || link == "") bad = bad " empty:" NR
		if ((ph == "-") != (rule == "-") || (ph == "-") != (app == "-")) bad = bad " mixed:" NR
		if (ph == "-" && link != "-") bad = bad " link:" NR
		if (ph != "-") lab++
	}
	END { if (bad != "" || lab < 10 || lab == n) { print bad, lab, n; exit 1 } }'
}

@test "golden: a mixed honeypot day" {
	mkphase < "$DATA/phase/mixed.desc" > "$T/in"
	run -0 bh-phase "$T/in"
	golden phase/mixed.out
}

# ---- the rules language --------------------------------------------------

@test "--print-rules prints a rules file that reads back the same" {
	run -0 bh-phase --print-rules
	[ "${#lines[@]}" -gt 60 ]
	printf '%s\n' "$output" > "$T/all.rules"
	run -0 bh-phase -n -r "$T/all.rules" --print-rules
	diff -u "$T/all.rules" <(printf '%s\n' "$output")
	run -0 bh-phase -n --print-rules
	[ -z "$output" ]
}

@test "bh-phase.rules(5) lists every built-in rule" {
	local man=$BATS_TEST_DIRNAME/../man/bh-phase.rules.5 r missing=
	for r in $(bh-phase --print-rules | grep -v '^#' | grep . | awk '{print $1}' | uniq); do
		grep -q "^\.It Li $r\$" "$man" || missing="$missing $r"
	done
	[ -z "$missing" ]
}

@test "rules errors: exit 2 with file:line and what is wrong" {
	p() { printf '%s\n' "$@" > "$T/r"; }
	p 'a cnc x tcp *'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: expected 8 columns: name phase app proto ports side flags pattern" ]
	p '' 'a egg x tcp * orig - x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:2: rule a: bad phase 'egg' (scan infection download cnc attack)" ]
	p 'A cnc x tcp * orig - x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: bad rule name 'A' ([a-z0-9][a-z0-9_.-]*)" ]
	p 'a cnc x sctp * orig - x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad proto 'sctp' (tcp udp icmp icmp6 0-255 *)" ]
	p 'a cnc x tcp 80,70000 orig - x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad ports '80,70000' (* or a list of N and N-M)" ]
	p 'a cnc x tcp * both - x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad side 'both' (orig resp link -)" ]
	p 'a cnc x tcp * orig ii x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad flags 'ii' (- or letters of eior)" ]
	p 'a cnc x tcp * - - x'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: side - takes no pattern (write -)" ]
	p 'a cnc x tcp * orig - -'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: side orig needs a pattern" ]
	p 'a cnc x tcp * link - ftp-psv'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad link 'ftp-psv' (ftp-port ftp-pasv ftp-20 ftp-pair tftp)" ]
	p 'a cnc x tcp * orig - x' 'a cnc y tcp * resp - y'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:2: rule a: phase, app, proto, ports and flags differ from line 1" ]
	p 'a cnc x tcp * orig - x' 'b cnc x tcp * orig - x' 'a cnc x tcp * resp - y'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:3: rule a: its lines must be together (first at line 1)" ]
	p 'a cnc x tcp * - - -' 'a cnc x tcp * - - -'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:2: rule a: a rule with side - or link has one line" ]
	run -2 --separate-stderr bh-phase -r "$T/nonexistent" --print-rules
	[ "$stderr" = "bh-phase: $T/nonexistent: No such file or directory" ]
	# EREs that glibc's regcomp() may take exponential time on
	p 'a cnc x tcp * orig - (a*)*b+?'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad pattern '(a*)*b+?': two repetitions in a row (undefined in POSIX EREs)" ]
	p 'a cnc x tcp * orig - x{2}{3}'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad pattern 'x{2}{3}': two repetitions in a row (undefined in POSIX EREs)" ]
	p 'a cnc x tcp * orig - x{1,256}'
	run -2 --separate-stderr bh-phase -r "$T/r" --print-rules
	[ "$stderr" = "bh-phase: $T/r:1: rule a: bad pattern 'x{1,256}': a repeat count above 255" ]
	# ... but not what only looks like them: escaped, bracketed, a bound
	p 'a cnc x tcp * orig - a\*+[*+?]*b{2,255}'
	run -0 bh-phase -r "$T/r" --print-rules
}

@test "lines of one rule must all match; flag i ignores case; a missing head matches no pattern" {
	cat > "$T/r" <<'EOF'
both   cnc  two  tcp  *  orig  -  ^A
both   cnc  two  tcp  *  resp  -  ^B
ci     cnc  ci   tcp  *  orig  i  ^hello[ ]world$
EOF
	mkphase > "$T/in" <<'EOF'
flow=1 oh=Ax rh=Bx
flow=2 oh=Ax rh=Cx
flow=3 oh=Ax
flow=4 oh='HeLLo WORLD'
EOF
	run -0 bh-phase -n -r "$T/r" "$T/in"
	[ "$(vals rule)" = "both - - ci " ]
}

@test "a pattern matches the escaped text, as grep -E does on the column" {
	cat > "$T/r" <<'EOF'
tab   cnc  t  tcp  *  orig  -  a\\tb
esc   cnc  e  tcp  *  orig  -  ^\\x1b\[
EOF
	mkphase > "$T/in" <<'EOF'
flow=1 oh='a\tb'
flow=2 oh='\x1b[2Jx'
flow=3 oh='a\\tb'
EOF
	run -0 bh-phase -n -r "$T/r" "$T/in"
	[ "$(vals rule)" = "tab esc - " ]
	run -0 bash -c "cut -f13 '$T/in' | grep -cE '^\\\\x1b\\['"
	[ "$output" = 1 ]
}

@test "the literal prefilter never hides a match: alternatives, optional letters, case, evidence items" {
	# Each pattern is tried with its literals first (strstr and a
	# letter-pair set per text) and regexec only when they pass: every
	# record below matches by regexec, so a prefilter that demanded a
	# letter the match does not hold would leave it unlabelled.
	cat > "$T/r" <<'EOF'
top    cnc  a  tcp  *  orig  -  xyzzy[0-9]|plugh
grp    cnc  b  tcp  *  orig  -  (^|;)[ ]*(colou?r:|ab+c|q\.z?w)
grp2   cnc  b  tcp  *  orig  -  (^|;)((de)?fg[ ]h|nope)
opt    cnc  c  tcp  *  orig  -  ^kk(lm)*n{0,2}o
ci     cnc  d  tcp  *  orig  i  (^|\\n)(WhoAmI|uname[ ]+-a)
EOF
	mkphase -c "$COLS orig_ev" > "$T/in" <<'EOF'
flow=1 oh=xyzzy7
flow=2 oh='..plugh..'
flow=3 oh='a; color:'
flow=4 oh=abbbc
flow=5 oh='fg h'
flow=6 oh=q.w
flow=7 oh=kko
flow=8 oh='x\nUNAME  -A'
flow=9 oh=x orig_ev='m300:whoami'
flow=10 oh='colr: ab c q.zzw'
EOF
	run -0 bh-phase -n -r "$T/r" "$T/in"
	[ "$(vals rule)" = "top top grp grp grp2 grp opt ci ci - " ]
}

@test "an evidence item that names the head's bytes is read from the head" {
	# bh-sessions(1) writes a message the head holds whole as mOFF/LEN:
	# a stager's 4-byte length, then the PE stage, in one head; a
	# comma of the head reads \x2c, as in an item.
	cat > "$T/r" <<'EOF'
start  cnc  a  tcp  *  resp  -  ^MZ
comma  cnc  b  tcp  *  resp  -  ^ab\\x2ccd$
EOF
	mkphase -c "$COLS resp_ev" > "$T/in" <<'EOF'
flow=1 rh='\x10\x00\x00\x00MZ\x90\x00' resp_ev='m4/4'
flow=2 rh='\x10\x00\x00\x00MZ\x90\x00' resp_ev='m4/5'
flow=3 rh='\x10\x00\x00\x00MZ\x90\x00' resp_ev='m5/3'
flow=4 rh='xyab,cd' resp_ev='m2/5'
flow=5 rh='xyab,cd' resp_ev='m2/4,m2:ab\x2ccd'
flow=6 rh=- resp_ev='m0/1,m4/4x,m/4,m4/0,x4/4'
EOF
	run --separate-stderr -1 bh-phase -n -r "$T/r" "$T/in"
	# 2: past the head's end; 3: not where the stage starts; 6: no
	# head, and items that are no reference
	[ "$(vals rule)" = "start - - comma comma - " ]
	[ "$stderr" = "bh-phase: $T/in:3: resp_ev: 1 item not read (neither KOFF:TEXT nor mOFF/LEN inside resp_head)
bh-phase: $T/in:7: resp_ev: 5 items not read (neither KOFF:TEXT nor mOFF/LEN inside resp_head)
bh-phase: 2 records read in part" ]
}

@test "evidence items that cannot be read: reported with file and line, the record labelled from the others; --strict ends the run" {
	# bh-sessions(1) writes at most 96 items a side, each a text or a
	# reference of 1 to 128 head bytes: what else comes is reported,
	# not dropped unsaid.
	cat > "$T/r" <<'EOF'
shell  infection  sh  tcp  *  orig  -  ^wget[ ]
EOF
	items() {
		awk -v n=$1 'BEGIN { for (i = 0; i < n; i++) printf "%sl%d:x", i ? "," : "", 10 + i }'
	}
	mkphase -c "$COLS orig_ev" > "$T/in" <<EOF
flow=1 oh='cd /tmp\n' orig_ev='m0/3,l9:wget http://a/b'
flow=2 oh='cd /tmp\n' orig_ev='m0/129,m7/2,m0/x,,l9:wget http://a/b,+3'
flow=3 oh='cd /tmp\n' orig_ev='$(items 130),l200:wget http://a/b'
flow=4 oh='cd /tmp\n' orig_ev='$(items 128),+2'
EOF
	run --separate-stderr -1 bh-phase -n -r "$T/r" "$T/in"
	# 2: past 128 bytes, past the head (8 bytes), not a number, empty;
	# 3: the wget is item 131; 4: 128 items and the count of the others
	[ "$(vals rule)" = "shell shell - - " ]
	[ "$stderr" = "bh-phase: $T/in:3: orig_ev: 4 items not read (neither KOFF:TEXT nor mOFF/LEN inside orig_head)
bh-phase: $T/in:4: orig_ev: items past the first 128 not read
bh-phase: 2 records read in part" ]
	run --separate-stderr -2 bh-phase -n --strict -r "$T/r" "$T/in"
	[ "$stderr" = "bh-phase: $T/in:3: orig_ev: 4 items not read (neither KOFF:TEXT nor mOFF/LEN inside orig_head)" ]
	[ "$(vals flow)" = "1 2 " ]
}

# ---- links and the look-ahead window -----------------------------------

@test "the window bounds the look-ahead: -w in capture time, -W in records" {
	mkphase > "$T/in" <<'EOF'
flow=11 ts=99.000000 o=198.51.100.20:20 r=10.0.0.5:1026 oh='MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff'
flow=12 ts=199.000000 o=10.0.0.9:5555 r=10.0.0.5:80 oh='GET /index.html HTTP/1.0\r\n\r\n'
flow=13 ts=199.500000 o=10.0.0.9:5556 r=10.0.0.5:80 oh='GET /index.html HTTP/1.0\r\n\r\n'
flow=10 ts=95.000000 dur=110.000000 o=10.0.0.5:1050 r=198.51.100.20:21 oh='USER a\r\nPORT 10,0,0,5,4,2\r\nRETR bot.exe\r\n' rh='220 ready\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals rule link)" = "ftp-data-port - - ftp 10 - - 11 " ]
	run -0 bh-phase -w 60s "$T/in"
	[ "$(vals rule link)" = "exe-push - - ftp - - - - " ]
	run -0 bh-phase -w 100 "$T/in"
	[ "$(vals rule link)" = "ftp-data-port - - ftp 10 - - 11 " ]
	run -0 bh-phase -W 1 "$T/in"
	[ "$(vals rule link)" = "exe-push - - ftp - - - - " ]
	run -0 bh-phase -W 3 "$T/in"
	[ "$(vals rule link)" = "ftp-data-port - - ftp 10 - - 11 " ]
	# one record far ahead of the others does not move the clock:
	# without 13, 12 alone would have released 11 before 10 came
	grep -v '^13' "$T/in" > "$T/in1"
	run -0 bh-phase -w 60s "$T/in1"
	[ "$(vals rule link)" = "ftp-data-port - ftp 10 - 11 " ]
}

@test "held records keep their order, comments too" {
	mkphase > "$T/in" <<'EOF'
flow=1 ts=100.000000 o=10.0.0.5:1041 r=198.51.100.40:50000 rh='MZ\x90'
# a comment between held records
flow=2 ts=100.500000 o=10.0.0.5:1042 r=198.51.100.40:80
flow=3 ts=100.000000 dur=5.000000 o=10.0.0.5:1040 r=198.51.100.40:21 oh='USER a\r\nPASV\r\n' rh='220 hi\r\n227 Entering Passive Mode (198,51,100,40,195,80).\r\n'
flow=4 ts=105.000000 o=10.0.0.5:1043 r=198.51.100.40:80
EOF
	run -0 bh-phase "$T/in"
	[ "${lines[2]}" = "# a comment between held records" ]
	# 3 transfers nothing: a probe (ftp-login), and so is its data
	[ "$(vals flow rule link)" = "1 2 3 4 ftp-data-pasv probe ftp-login probe 3 - 1 - " ]
	# 2, a payload-less probe, is the first to place 10.0.0.5: remote
	[ "$(vals flow phase)" = "1 2 3 4 scan scan scan scan " ]
}

@test "a comment in a slot that a data session held before is not linked" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1041 r=198.51.100.40:50000 rh=MZ
flow=2 o=10.0.0.9:1041 r=198.51.100.41:50000 rh=x
flow=3 o=10.0.0.9:1042 r=198.51.100.41:50000 rh=x
# a comment
flow=4 dur=5.000000 o=10.0.0.5:1040 r=198.51.100.40:21 oh='USER a\r\nPASV\r\n' rh='220 hi\r\n227 Entering Passive Mode (198,51,100,40,195,80).\r\n'
EOF
	run -0 bh-phase -W 2 "$T/in"
	[ "$(vals flow rule link)" = "1 2 3 4 - - - ftp-login - - - - " ]
}

@test "-d drops the heads: every other column as without -d, held records and comments too" {
	mkphase < "$DATA/phase/mixed.desc" > "$T/in"
	mkphase <<'EOF' | tail -n +2 >> "$T/in"
flow=101 ts=100.000000 o=10.0.0.5:1041 r=198.51.100.40:50000 rh='MZ\x90'
# a comment between held records
flow=102 ts=100.500000 o=10.0.0.5:1042 r=198.51.100.40:80
flow=103 ts=100.000000 dur=5.000000 o=10.0.0.5:1040 r=198.51.100.40:21 oh='USER a\r\nPASV\r\n' rh='220 hi\r\n227 Entering Passive Mode (198,51,100,40,195,80).\r\n'
EOF
	# without the heads, by awk, from the output with them
	bh-phase "$T/in" | awk -F'\t' -v OFS='\t' '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == "orig_head" || $i == "resp_head") drop[i] = 1 }
	    /^# / { print; next }
	    { s = ""; n = 0; for (i = 1; i <= NF; i++) if (!(i in drop)) s = s (n++ ? OFS : "") $i; print s }' > "$T/want"
	grep -q '^# a comment' "$T/want"
	grep -q 'ftp-data-pasv' "$T/want"
	[[ "$(head -n 1 "$T/want")" != *_head* ]]
	run -0 bh-phase -d "$T/in"
	diff -u "$T/want" <(printf '%s\n' "$output")
	# a valid stream (bh-cut checks every field count)
	run -0 bh-cut <(printf '%s\n' "$output")
}

# ---- the record stream -----------------------------------------------

@test "empty input: no output, exit 0; header only: the header with phase app rule link dir_by" {
	run -0 bh-phase < /dev/null
	[ -z "$output" ]
	mkphase < /dev/null > "$T/h"
	run -0 bh-phase "$T/h"
	[ "$output" = "$(head -1 "$T/h")	phase	app	rule	link	dir_by" ]
}

@test "no final newline: the last record is kept" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:6667 state=S0 orig_bytes=0 resp_bytes=0
EOF
	printf '%s' "$(cat "$T/in")" > "$T/nonl"
	run -0 bh-phase "$T/nonl"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(vals rule)" = "irc-scan " ]
}

@test "unknown columns pass through, in order; re-running replaces the columns in place" {
	mkphase -c "note flow proto orig_ip orig_port extra resp_ip resp_port orig_head resp_head" > "$T/in" <<'EOF'
note=n1 flow=1 o=10.0.0.5:1040 extra=x1 r=198.51.100.7:6667 oh='NICK a\r\nUSER a 0 * :a\r\n'
note=n2 flow=2 o=10.0.0.5:1041 extra=x2 r=198.51.100.7:80
EOF
	run -0 bh-phase "$T/in"
	[ "${lines[0]}" = "$(printf '#note\tflow\tproto\torig_ip\torig_port\textra\tresp_ip\tresp_port\torig_head\tresp_head\tphase\tapp\trule\tlink')" ]
	[ "$(vals note extra phase)" = "n1 n2 x1 x2 cnc scan " ]
	first=$output
	run -0 bash -c "bh-phase '$T/in' | bh-phase"
	[ "$output" = "$first" ]
}

@test "a hostile byte in a head stays escaped" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:6667 oh='NICK \x1b[2J\x07\r\nUSER a 0 * :\xff\t\\\r\n' rh=':s 001 \x1b]0;pwn\x07 :hi\r\n'
EOF
	run -0 bh-phase "$T/in"
	[ "$(vals rule)" = "irc " ]
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f13,14)" = "$(sed -n 2p "$T/in" | cut -f13,14)" ]
	printf '%s' "$output" > "$T/out"
	run -1 env LC_ALL=C grep -c '[^[:print:]	]' "$T/out"
}

@test "a missing column: exit 2 naming it" {
	mkphase -c "flow proto orig_ip orig_port resp_ip resp_port orig_head" > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:6667
EOF
	run -2 --separate-stderr bh-phase "$T/in"
	[ "$stderr" = "bh-phase: $T/in: missing column 'resp_head'" ]
}

@test "a bad record is reported and skipped, exit 1; --strict exits 2 at the first" {
	mkphase > "$T/in" <<'EOF'
flow=1 o=10.0.0.5:1040 r=198.51.100.7:http
flow=2 proto=sctp o=10.0.0.5:1040 r=198.51.100.7:80
flow=3 ts=yesterday o=10.0.0.5:1040 r=198.51.100.7:80
flow=4 o=10.0.0.5:1040 r=198.51.100.7:6667 state=S0 orig_bytes=0 resp_bytes=0
EOF
	run -1 --separate-stderr bh-phase "$T/in"
	[ "$(vals flow rule)" = "4 irc-scan " ]
	[ "${stderr_lines[0]}" = "bh-phase: $T/in:2: resp_port: bad port; record skipped" ]
	[ "${stderr_lines[1]}" = "bh-phase: $T/in:3: proto: bad value; record skipped" ]
	[ "${stderr_lines[2]}" = "bh-phase: $T/in:4: ts: bad timestamp; record skipped" ]
	[ "${stderr_lines[3]}" = "bh-phase: 3 bad records skipped" ]
	run -2 --separate-stderr bh-phase --strict "$T/in"
	[ "$stderr" = "bh-phase: $T/in:2: resp_port: bad port; record skipped" ]
}

@test "usage errors exit 2; -h prints the options, exit 0" {
	run -2 --separate-stderr bh-phase -Z
	[ "${stderr_lines[1]}" = "usage: bh-phase [-dhn] [--print-rules] [--strict] [-r rules] [-W records] [-w window]" ]
	run -2 --separate-stderr bh-phase -W 0
	[ "${stderr_lines[0]}" = "bh-phase: -W: bad record count '0'" ]
	run -2 --separate-stderr bh-phase -w soon
	[ "${stderr_lines[0]}" = "bh-phase: -w: bad duration 'soon'" ]
	run -2 --separate-stderr bh-phase "$T/nonexistent"
	[ "$stderr" = "bh-phase: $T/nonexistent: No such file or directory" ]
	run -0 bh-phase -h
	[[ "$output" == *"--print-rules"* ]]
}

# ---- pipeline: fixture captures through bh-sessions --------------------

# pipe NAME [bh-sessions options] < description: bh-mkpcap into
# $T/NAME.pcap, then bh-sessions | bh-phase.
pipe() {
	[ -x "$BH_BIN/bh-sessions" ] && [ -x "$BH_BIN/bh-mkpcap" ] ||
	    skip "bh-sessions or bh-mkpcap not built"
	local name=$1
	shift
	bh-mkpcap -o "$T/$name.pcap"
	run -0 bash -c "bh-sessions $* '$T/$name.pcap' | bh-phase"
}

@test "pipeline: IRC on 6667, 5555 and 8080 is cnc/irc, HTTP with NICK is not" {
	pipe irc <<'EOF'
1262304000.000000 tcp 192.168.1.5:1040 > 198.51.100.7:6667 S
+0.090 tcp 198.51.100.7:6667 > 192.168.1.5:1040 SA
+0.001 tcp 192.168.1.5:1040 > 198.51.100.7:6667 .
+0.001 tcp 192.168.1.5:1040 > 198.51.100.7:6667 PA "NICK a1\r\nUSER x 0 0 :x\r\n"
+0.090 tcp 198.51.100.7:6667 > 192.168.1.5:1040 PA ":irc.example 001 a1 :Welcome\r\n"
+0.001 tcp 192.168.1.5:1040 > 198.51.100.7:6667 FA
+0.090 tcp 198.51.100.7:6667 > 192.168.1.5:1040 FA
+0.001 tcp 192.168.1.5:1040 > 198.51.100.7:6667 .
+1.000 tcp 192.168.1.5:1041 > 198.51.100.7:5555 S
+0.090 tcp 198.51.100.7:5555 > 192.168.1.5:1041 SA
+0.001 tcp 192.168.1.5:1041 > 198.51.100.7:5555 .
+0.001 tcp 192.168.1.5:1041 > 198.51.100.7:5555 PA "USER x 0 0 :x\r\nNICK a2\r\n"
+0.090 tcp 198.51.100.7:5555 > 192.168.1.5:1041 PA ":irc.example 001 a2 :Welcome\r\n"
+0.001 tcp 192.168.1.5:1041 > 198.51.100.7:5555 FA
+0.090 tcp 198.51.100.7:5555 > 192.168.1.5:1041 FA
+0.001 tcp 192.168.1.5:1041 > 198.51.100.7:5555 .
+1.000 tcp 192.168.1.5:1042 > 198.51.100.7:8080 S
+0.090 tcp 198.51.100.7:8080 > 192.168.1.5:1042 SA
+0.001 tcp 192.168.1.5:1042 > 198.51.100.7:8080 .
+0.001 tcp 192.168.1.5:1042 > 198.51.100.7:8080 PA "PASS k\r\nNICK a3\r\nUSER x 0 0 :x\r\n"
+0.090 tcp 198.51.100.7:8080 > 192.168.1.5:1042 PA ":irc.example 001 a3 :Welcome\r\n"
+0.001 tcp 192.168.1.5:1042 > 198.51.100.7:8080 FA
+0.090 tcp 198.51.100.7:8080 > 192.168.1.5:1042 FA
+0.001 tcp 192.168.1.5:1042 > 198.51.100.7:8080 .
+1.000 tcp 192.168.1.5:1043 > 198.51.100.8:8080 S
+0.090 tcp 198.51.100.8:8080 > 192.168.1.5:1043 SA
+0.001 tcp 192.168.1.5:1043 > 198.51.100.8:8080 .
+0.001 tcp 192.168.1.5:1043 > 198.51.100.8:8080 PA "GET /?NICK=a4 HTTP/1.0\r\n\r\n"
+0.090 tcp 198.51.100.8:8080 > 192.168.1.5:1043 PA "HTTP/1.0 200 OK\r\n\r\nNICK a4\r\nUSER x\r\n:s 001 a4 :hi\r\n"
+0.001 tcp 192.168.1.5:1043 > 198.51.100.8:8080 FA
+0.090 tcp 198.51.100.8:8080 > 192.168.1.5:1043 FA
+0.001 tcp 192.168.1.5:1043 > 198.51.100.8:8080 .
EOF
	[ "$(vals phase app rule dir)" = "cnc cnc cnc - irc irc irc - irc irc irc - out out out out " ]
}

@test "pipeline: GET /bot.exe with an MZ body is download/http" {
	pipe http -L 192.168.1.0/24 <<'EOF'
1262304000.000000 tcp 192.168.1.5:1055 > 203.0.113.9:80 S ttl=128 mss=1460
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 SA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 PA ttl=128 "GET /bot.exe HTTP/1.0\r\n\r\n"
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 PA ttl=44 "HTTP/1.0 200 OK\r\n\r\nMZ" hex:90000300
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 FA ttl=128
+0.090 tcp 203.0.113.9:80 > 192.168.1.5:1055 FA ttl=44
+0.001 tcp 192.168.1.5:1055 > 203.0.113.9:80 . ttl=128
EOF
	[ "$(vals phase app rule dir)" = "download http http-mz out " ]
}

@test "pipeline: FTP control and active data with MZ, linked both ways" {
	pipe ftp <<'EOF'
1262304000.000000 tcp 192.168.1.5:1050 > 198.51.100.20:21 S
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 SA
+0.001 tcp 192.168.1.5:1050 > 198.51.100.20:21 .
+0.010 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "220 ready\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "USER anonymous\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "331 ok\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "PASS x\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "230 ok\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "PORT 192,168,1,5,4,2\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "200 ok\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "RETR bot.exe\r\n"
+0.010 tcp 198.51.100.20:20 > 192.168.1.5:1026 S
+0.050 tcp 192.168.1.5:1026 > 198.51.100.20:20 SA
+0.050 tcp 198.51.100.20:20 > 192.168.1.5:1026 .
+0.001 tcp 198.51.100.20:20 > 192.168.1.5:1026 PA "MZ" hex:90000300
+0.001 tcp 198.51.100.20:20 > 192.168.1.5:1026 FA
+0.050 tcp 192.168.1.5:1026 > 198.51.100.20:20 FA
+0.050 tcp 198.51.100.20:20 > 192.168.1.5:1026 .
+0.010 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "150 ok\r\n226 done\r\n"
+5.000 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "QUIT\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 FA "221 bye\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 FA
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 .
EOF
	# bh-sessions emits the data connection (flow 2) first
	[ "$(vals flow orig_port phase app rule link dir)" = "2 1 20 1050 download download ftp-data ftp ftp-data-port ftp 1 2 in out " ]
}

@test "pipeline: a 227 reply past the head links the passive data by its address (the evidence), not by the same-hosts guess" {
	# A multi-line 220 greeting, as real servers send, puts the 227 reply
	# past byte 256 of the server's stream: it is an l item of resp_ev.
	pipe ftp-late <<'EOF'
1262304000.000000 tcp 192.168.1.5:1050 > 198.51.100.20:21 S
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 SA
+0.001 tcp 192.168.1.5:1050 > 198.51.100.20:21 .
+0.010 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "220-Welcome to the archive of the example project. All transfers are logged.\r\n220-Please read the file README it explains the layout of the mirror and its rules\r\n220-for anonymous users, and the addresses of our other mirrors near you.\r\n220 ready\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "USER anonymous\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "331 ok\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "PASS x\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "230 ok\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "PASV\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "227 Entering Passive Mode (198,51,100,20,195,80).\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "RETR bot.exe\r\n"
+0.010 tcp 192.168.1.5:1027 > 198.51.100.20:50000 S
+0.050 tcp 198.51.100.20:50000 > 192.168.1.5:1027 SA
+0.001 tcp 192.168.1.5:1027 > 198.51.100.20:50000 .
+0.050 tcp 198.51.100.20:50000 > 192.168.1.5:1027 PA "MZ" hex:90000300
+0.001 tcp 198.51.100.20:50000 > 192.168.1.5:1027 FA
+0.050 tcp 192.168.1.5:1027 > 198.51.100.20:50000 FA
+0.050 tcp 198.51.100.20:50000 > 192.168.1.5:1027 .
+0.010 tcp 198.51.100.20:21 > 192.168.1.5:1050 PA "150 ok\r\n226 done\r\n"
+1.000 tcp 192.168.1.5:1050 > 198.51.100.20:21 PA "QUIT\r\n"
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 FA "221 bye\r\n"
+0.010 tcp 192.168.1.5:1050 > 198.51.100.20:21 FA
+0.050 tcp 198.51.100.20:21 > 192.168.1.5:1050 .
EOF
	[ "$(vals flow resp_port rule link)" = "1 2 21 50000 ftp ftp-data-pasv 2 1 " ]
	# the 227 is not in the head
	[ "$(bh-sessions "$T/ftp-late.pcap" | col resp_head | grep -c 227)" = 0 ]
}

@test "pipeline: TFTP RRQ and data from port 3001, both download/tftp, linked" {
	pipe tftp <<'EOF'
1262304000.000000 udp 192.168.1.5:2001 > 198.51.100.30:69 "\0\x01bot.exe\0octet\0"
+0.050 udp 198.51.100.30:3001 > 192.168.1.5:2001 "\0\x03\0\x01MZ" hex:90000300
+0.001 udp 192.168.1.5:2001 > 198.51.100.30:3001 "\0\x04\0\x01"
+0.050 udp 198.51.100.30:3001 > 192.168.1.5:2001 "\0\x03\0\x02" pad=100
+0.001 udp 192.168.1.5:2001 > 198.51.100.30:3001 "\0\x04\0\x02"
EOF
	[ "$(vals resp_port phase app rule link dir)" = "69 2001 download download tftp tftp tftp tftp-data 2 1 out in " ]
}

@test "pipeline: inbound DCE-RPC and SMB infection, outbound attack, unanswered SYNs to 445 scan" {
	desc='
1262304000.000000 tcp 203.0.113.9:3333 > 192.168.1.5:135 S ttl=113
+0.001 tcp 192.168.1.5:135 > 203.0.113.9:3333 SA ttl=128
+0.180 tcp 203.0.113.9:3333 > 192.168.1.5:135 . ttl=113
+0.001 tcp 203.0.113.9:3333 > 192.168.1.5:135 PA ttl=113 hex:05000b0310000000480000007f000000
+0.001 tcp 192.168.1.5:135 > 203.0.113.9:3333 PA ttl=128 hex:05000c0310000000
+0.001 tcp 203.0.113.9:3333 > 192.168.1.5:135 PA ttl=113 hex:05000003100000001800000001000000
+0.180 tcp 203.0.113.9:3333 > 192.168.1.5:135 R ttl=113
+1.000 tcp 203.0.113.9:3334 > 192.168.1.5:445 S ttl=113
+0.001 tcp 192.168.1.5:445 > 203.0.113.9:3334 SA ttl=128
+0.180 tcp 203.0.113.9:3334 > 192.168.1.5:445 . ttl=113
+0.001 tcp 203.0.113.9:3334 > 192.168.1.5:445 PA ttl=113 hex:00000085ff534d4272000000001853c8
+0.001 tcp 192.168.1.5:445 > 203.0.113.9:3334 PA ttl=128 hex:00000055ff534d4272
+0.001 tcp 203.0.113.9:3334 > 192.168.1.5:445 PA ttl=113 hex:00000040ff534d4273000000001853c8
+0.180 tcp 203.0.113.9:3334 > 192.168.1.5:445 R ttl=113
+1.000 tcp 192.168.1.5:1040 > 203.0.113.70:445 S ttl=128
+0.200 tcp 203.0.113.70:445 > 192.168.1.5:1040 SA ttl=50
+0.001 tcp 192.168.1.5:1040 > 203.0.113.70:445 . ttl=128
+0.001 tcp 192.168.1.5:1040 > 203.0.113.70:445 PA ttl=128 hex:00000085ff534d4272000000001853c8
+0.001 tcp 192.168.1.5:1040 > 203.0.113.70:445 PA ttl=128 hex:00000040ff534d4273000000001853c8
+0.200 tcp 203.0.113.70:445 > 192.168.1.5:1040 R ttl=50
+1.000 tcp 203.0.113.50:4101 > 192.168.1.5:445 S ttl=113
+3.000 tcp 203.0.113.50:4101 > 192.168.1.5:445 S ttl=113
+1.000 tcp 192.168.1.5:1041 > 203.0.113.71:445 S ttl=128
'
	pipe smb -L 192.168.1.0/24 <<< "$desc"
	[ "$(vals dir phase rule)" = "in in out in out infection infection attack scan attack dcerpc smb smb smb-scan smb-scan " ]
	# without -L the first labelled session places both its hosts, and
	# then every session of theirs: the same as -L here
	pipe smb <<< "$desc"
	[ "$(vals dir phase dir_by)" = "in in out in out infection infection attack scan attack 1 1 1 1 1 " ]
}
