/*
 * synth-msg.c - bh-synth's application messages: SMB and DCE-RPC, NetBIOS,
 * TFTP blocks, built once into an arena.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh.h"
#include "synth.h"

/* ---- payload messages ------------------------------------------------- */

static unsigned char *
arena_put(const void *p, size_t n)
{
	unsigned char *d = synst.arena + synst.arenalen;

	if (synst.arenalen + n > sizeof(synst.arena))
		bh_errx(BH_EXIT_FATAL, "internal: message arena full");
	memcpy(d, p, n);
	synst.arenalen += n;
	return d;
}

static void
le16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

/*
 * An SMB1 message behind a NetBIOS session header (RFC 1002 §4.3.6,
 * [MS-CIFS] §2.2.3.1): command cmd, a reply when reply, parameter words
 * and data bytes as given.
 */
static struct msg
mk_smb(uint8_t cmd, int reply, const void *words, size_t nw, const void *data,
    size_t nd)
{
	unsigned char b[2048];
	size_t n = 4;
	struct msg m;

	memcpy(b + n, "\xffSMB", 4);
	n += 4;
	b[n++] = cmd;
	memset(b + n, 0, 4);		/* status */
	n += 4;
	b[n++] = reply ? 0x98 : 0x18;	/* flags */
	le16(b + n, reply ? 0x4001 : 0x4001);
	n += 2;
	memset(b + n, 0, 12);		/* pid high, signature, reserved */
	n += 12;
	le16(b + n, reply && cmd != 0x72 ? 0x0800 : 0);	/* tid */
	le16(b + n + 2, 0xfeff);	/* pid */
	le16(b + n + 4, reply && cmd > 0x73 ? 0x0800 : 0);	/* uid */
	le16(b + n + 6, 0x0040 + cmd);	/* mid */
	n += 8;
	b[n++] = (unsigned char)(nw / 2);
	if (nw > 0)
		memcpy(b + n, words, nw);
	n += nw;
	le16(b + n, (unsigned)nd);
	n += 2;
	if (nd > 0)
		memcpy(b + n, data, nd);
	n += nd;
	b[0] = 0;			/* session message */
	b[1] = 0;
	b[2] = (unsigned char)((n - 4) >> 8);
	b[3] = (unsigned char)(n - 4);
	m.p = arena_put(b, n);
	m.n = (uint32_t)n;
	return m;
}

/* A DCE/RPC connection-oriented PDU header (C706 §12.6): type ptype,
 * fragment length set to cover body. */
static size_t
mk_rpc(unsigned char *b, uint8_t ptype, const void *bodyp, size_t nb)
{
	static const unsigned char h[] = { 5, 0, 0, 3, 0x10, 0, 0, 0 };

	memcpy(b, h, 8);
	b[2] = ptype;
	le16(b + 8, (unsigned)(16 + nb));
	le16(b + 10, 0);
	b[12] = 1;
	b[13] = b[14] = b[15] = 0;
	memcpy(b + 16, bodyp, nb);
	return 16 + nb;
}

/* Build the fixed messages, the shellcode and the executable body (from
 * a fixed stream: the content does not depend on --seed). */
void
messages_init(void)
{
	static const unsigned char dialects[] =
	    "\002PC NETWORK PROGRAM 1.0\0\002LANMAN1.0\0"
	    "\002Windows for Workgroups 3.1a\0\002LM1.2X002\0"
	    "\002LANMAN2.1\0\002NT LM 0.12";
	/* bind: max xmit/recv, assoc, one context: ISystemActivator
	 * 000001a0-0000-0000-c000-000000000046 v0.0 over NDR 8a885d04-
	 * 1ceb-11c9-9fe8-08002b104860 v2 (the MS03-026 interface) */
	static const unsigned char bind_act[] = {
	    0xd0, 0x16, 0xd0, 0x16, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0,
	    0xa0, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46,
	    0, 0, 0, 0,
	    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	    0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };
	/* the same for DSSETUP 3919286a-b10c-11d0-9ba8-00c04fd92ef5
	 * (MS04-011, Sasser) */
	static const unsigned char bind_ds[] = {
	    0xb8, 0x10, 0xb8, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0,
	    0x6a, 0x28, 0x19, 0x39, 0x0c, 0xb1, 0xd0, 0x11, 0x9b, 0xa8,
	    0x00, 0xc0, 0x4f, 0xd9, 0x2e, 0xf5, 0, 0, 0, 0,
	    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	    0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };
	static const unsigned char bind_ack[] = {
	    0xb8, 0x10, 0xb8, 0x10, 0x12, 0x34, 0, 0, 4, 0, '1', '3', '5',
	    0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
	    0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8,
	    0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };
	static const unsigned char neg_r_words[34] = { 5, 0, 3, 0x32, 0, 1, 0,
	    0x04, 0x41, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0xfd, 0xe3, 0, 0x80 };
	static const unsigned char ssx_words[26] = { 0xff, 0, 0, 0, 0x04,
	    0x11, 0x0a, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
	    0xd4, 0, 0, 0 };
	static const unsigned char ssx_data[] =
	    "\0\0\0Windows 2000 2195\0Windows 2000 5.0";
	static const unsigned char ssx_r_data[] =
	    "Windows 5.1\0Windows 2000 LAN Manager\0WORKGROUP";
	static const unsigned char tree_words[8] = { 0xff, 0, 0, 0, 0, 0, 1, 0 };
	static const unsigned char tree_data[] =
	    "\0\\\\192.168.56.101\\IPC$\0?????";
	static const unsigned char ntc_words[48] = { 0xff, 0, 0, 0, 0, 0x0e,
	    0, 0x16, 0, 0, 0, 0, 0, 0, 0, 0x9f, 0x01, 0x02, 0 };
	static const unsigned char ntc_data[] = "\\lsarpc";
	static const unsigned char trans_words[32] = { 0, 0, 0x48, 0, 0, 0,
	    0xb8, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x48, 0,
	    0x52, 0, 2, 0, 0x26, 0, 0x00, 0x40 };
	static const unsigned char nbss_req[] = {
	    0x81, 0, 0, 0x44, 0x20, 'C', 'K', 'F', 'D', 'E', 'N', 'E', 'C',
	    'F', 'D', 'E', 'F', 'F', 'C', 'F', 'G', 'E', 'F', 'F', 'C', 'C',
	    'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 0, 0x20,
	    'E', 'N', 'E', 'B', 'F', 'D', 'E', 'F', 'E', 'E', 'C', 'A', 'C',
	    'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A',
	    'C', 'A', 'C', 'A', 0 };
	static const unsigned char nbss_ok[] = { 0x82, 0, 0, 0 };
	static const unsigned char opnum4[] = { 0x10, 0x06, 0, 0, 0, 0, 4, 0 };
	unsigned char b[2048], c[2048];
	uint64_t s = 0x5eed0f0b07ULL;
	size_t i, n;

	/* shellcode: a NOP sled, a decoder loop, an encoded body */
	memset(synst.shellcode, 0x90, 600);
	for (i = 600; i < sizeof(synst.shellcode); i++)
		synst.shellcode[i] = (unsigned char)(splitmix(&s) >> 56);
	memcpy(synst.shellcode + 600, "\xeb\x10\x5a\x4a\x33\xc9\x66\xb9\x7d\x01"
	    "\x80\x34\x0a\x99\xe2\xfa", 16);
	/* the executable: a DOS stub and a PE header, then random bytes
	 * (packed executables look random) */
	for (i = 0; i < sizeof(synst.body); i++)
		synst.body[i] = (unsigned char)(splitmix(&s) >> 56);
	memcpy(synst.body, "MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0"
	    "@\0\0\0\0\0\0\0", 32);
	memset(synst.body + 32, 0, 32);
	synst.body[60] = 0x80;
	memcpy(synst.body + 64, "\x0e\x1f\xba\x0e\0\xb4\x09\xcd\x21\xb8\x01\x4c"
	    "\xcd\x21This program cannot be run in DOS mode.\r\r\n$", 53);
	memset(synst.body + 117, 0, 11);
	memcpy(synst.body + 128, "PE\0\0\x4c\x01\x03\0", 8);

	synst.m_nbss_req.p = arena_put(nbss_req, sizeof(nbss_req));
	synst.m_nbss_req.n = sizeof(nbss_req);
	synst.m_nbss_ok.p = arena_put(nbss_ok, sizeof(nbss_ok));
	synst.m_nbss_ok.n = sizeof(nbss_ok);
	synst.m_smb_neg = mk_smb(0x72, 0, NULL, 0, dialects, sizeof(dialects));
	memcpy(b, "\x1f\x8a\x3c\x55\x0e\x77\x21\x90", 8);
	memcpy(b + 8, "WORKGROUP\0", 10);
	synst.m_smb_neg_r = mk_smb(0x72, 1, neg_r_words, sizeof(neg_r_words), b, 18);
	synst.m_smb_ssx = mk_smb(0x73, 0, ssx_words, sizeof(ssx_words), ssx_data,
	    sizeof(ssx_data));
	synst.m_smb_ssx_r = mk_smb(0x73, 1, "\xff\0\0\0\0\0", 6, ssx_r_data,
	    sizeof(ssx_r_data));
	synst.m_smb_tree = mk_smb(0x75, 0, tree_words, sizeof(tree_words), tree_data,
	    sizeof(tree_data));
	synst.m_smb_tree_r = mk_smb(0x75, 1, "\xff\0\0\0\1\0", 6, "IPC\0", 4);
	synst.m_smb_ntc = mk_smb(0xa2, 0, ntc_words, sizeof(ntc_words), ntc_data,
	    sizeof(ntc_data));
	memset(c, 0, 68);
	c[0] = 0xff;
	c[5] = 0x00;
	c[6] = 0x40;
	synst.m_smb_ntc_r = mk_smb(0xa2, 1, c, 68, NULL, 0);
	n = mk_rpc(b, 0x0b, bind_ds, sizeof(bind_ds));
	synst.m_smb_bind = mk_smb(0x25, 0, trans_words, sizeof(trans_words), b, n);
	n = mk_rpc(b, 0x0c, bind_ack, sizeof(bind_ack));
	synst.m_smb_bind_r = mk_smb(0x25, 1, trans_words, 20, b, n);
	/* the exploit: a DsRolerUpgradeDownlevelServer request whose stub
	 * is the sled and shellcode (MS04-011) */
	memcpy(c, opnum4, 8);
	c[6] = 9;
	memcpy(c + 8, synst.shellcode, 1900);
	n = mk_rpc(b, 0x00, c, 1908);
	synst.m_smb_expl = mk_smb(0x25, 0, trans_words, sizeof(trans_words), b, n);
	synst.m_smb_expl_r = mk_smb(0x25, 1, trans_words, 20, "\5\0\3\3", 4);
	n = mk_rpc(b, 0x0b, bind_act, sizeof(bind_act));
	synst.m_rpc_bind.p = arena_put(b, n);
	synst.m_rpc_bind.n = (uint32_t)n;
	n = mk_rpc(b, 0x0c, bind_ack, sizeof(bind_ack));
	synst.m_rpc_bind_r.p = arena_put(b, n);
	synst.m_rpc_bind_r.n = (uint32_t)n;
	/* RemoteActivation with an overlong server name (MS03-026) */
	memcpy(c, opnum4, 8);
	memcpy(c + 8, synst.shellcode, 1690);
	n = mk_rpc(b, 0x00, c, 1698);
	synst.m_rpc_req.p = arena_put(b, n);
	synst.m_rpc_req.n = (uint32_t)n;

	for (i = 0; i < 2048; i++) {
		synst.tftp_hdr[i][0] = 0;
		synst.tftp_hdr[i][1] = 3;	/* DATA (RFC 1350) */
		synst.tftp_hdr[i][2] = (unsigned char)(i >> 8);
		synst.tftp_hdr[i][3] = (unsigned char)i;
		synst.tftp_ack[i][0] = 0;
		synst.tftp_ack[i][1] = 4;	/* ACK */
		synst.tftp_ack[i][2] = (unsigned char)(i >> 8);
		synst.tftp_ack[i][3] = (unsigned char)i;
	}
}
