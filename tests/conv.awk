# conv.awk: a conversation description to bh-mkpcap lines.
#   session T ORIG:PORT RESP:PORT [ttl=A/B]   handshake at time T
#   c PAYLOAD / s PAYLOAD                    a message of the originator /
#                                            responder (mkpcap's payload)
#   end                                      FIN both ways
# Other lines pass through unchanged.
function pkt(from, to, flags, ttl, rest) {
	printf "+%s tcp %s > %s %s ttl=%d%s\n", gap, from, to, flags, ttl, rest
}
$1 == "session" {
	o = $3; r = $4; to = 64; tr = 64
	if ($5 ~ /^ttl=/) { split(substr($5, 5), tt, "/"); to = tt[1]; tr = tt[2] }
	printf "%s tcp %s > %s S ttl=%d\n", $2, o, r, to
	gap = "0.050"; pkt(r, o, "SA", tr, "")
	gap = "0.001"; pkt(o, r, ".", to, "")
	next
}
$1 == "c" || $1 == "s" {
	line = $0; sub(/^[cs] /, "", line)
	gap = "0.020"
	if ($1 == "c") pkt(o, r, "PA", to, " " line)
	else pkt(r, o, "PA", tr, " " line)
	next
}
$1 == "end" {
	gap = "0.020"; pkt(o, r, "FA", to, "")
	gap = "0.050"; pkt(r, o, "FA", tr, "")
	gap = "0.001"; pkt(o, r, ".", to, "")
	next
}
{ print }
