#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the demo's captures (deterministic: run it again, same bytes).

  traffic.pcap  a mix from a small office network: TCP (SYNs, data, FINs),
                UDP (DNS, NTP), ICMP echo, IPv6 (TCP, UDP, ICMPv6), a VLAN-
                tagged frame, ARP; some from 192.168.66.0/24 and
                2001:db8:bad::/48, which the firewall example blocks.
"""
import os
import struct
import sys

LINKTYPE_ETHERNET = 1


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    head, _, tail = a.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


def eth(dst, src, proto, payload, vlan=None):
    hdr = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", ""))
    if vlan is not None:
        hdr += struct.pack("!HH", 0x8100, vlan)
    return hdr + struct.pack("!H", proto) + payload


def ipv4(src, dst, proto, payload, ident=1, ttl=64):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl,
                      proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def l4_v4(src, dst, proto, seg):
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def l4_v6(src, dst, proto, seg):
    pseudo = ip6(src) + ip6(dst) + struct.pack("!IxxxB", len(seg), proto)
    return csum(pseudo + seg)


def tcp(sport, dport, flags, payload=b"", seq=1000, ack=0):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def with_csum(seg, off, value):
    return seg[:off] + struct.pack("!H", value) + seg[off + 2:]


def tcp4(src, dst, sport, dport, flags, payload=b"", ident=1):
    seg = tcp(sport, dport, flags, payload)
    seg = with_csum(seg, 16, l4_v4(src, dst, 6, seg))
    return ipv4(src, dst, 6, seg, ident)


def udp4(src, dst, sport, dport, payload, ident=1):
    seg = udp(sport, dport, payload)
    seg = with_csum(seg, 6, l4_v4(src, dst, 17, seg))
    return ipv4(src, dst, 17, seg, ident)


def icmp4(src, dst, ident, seq):
    msg = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + bytes(range(32))
    msg = with_csum(msg, 2, csum(msg))
    return ipv4(src, dst, 1, msg)


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + ip6(src) + ip6(dst) + payload


def tcp6(src, dst, sport, dport, flags, payload=b""):
    seg = tcp(sport, dport, flags, payload)
    return ipv6(src, dst, 6, with_csum(seg, 16, l4_v6(src, dst, 6, seg)))


def udp6(src, dst, sport, dport, payload):
    seg = udp(sport, dport, payload)
    return ipv6(src, dst, 17, with_csum(seg, 6, l4_v6(src, dst, 17, seg)))


def icmp6(src, dst, ident, seq):
    msg = struct.pack("!BBHHH", 128, 0, 0, ident, seq) + b"ping"
    return ipv6(src, dst, 58, with_csum(msg, 2, l4_v6(src, dst, 58, msg)))


GW = "00:00:5e:00:53:01"
HOSTS = {  # address -> MAC
    "10.0.0.2": "02:00:00:00:00:02",
    "10.0.0.3": "02:00:00:00:00:03",
    "10.0.0.7": "02:00:00:00:00:07",
}
SERVER = "02:00:00:00:00:aa"
SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


def frames():
    f = []
    web, dns, ntp = "10.0.0.80", "10.0.0.53", "10.0.0.123"
    for n, (host, mac) in enumerate(HOSTS.items()):
        sport = 40000 + n
        f.append(eth(SERVER, mac, 0x0800, tcp4(host, web, sport, 80, SYN, ident=n)))
        f.append(eth(SERVER, mac, 0x0800,
                     tcp4(host, web, sport, 80, PSH | ACK,
                          b"GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n", ident=n + 10)))
        f.append(eth(mac, SERVER, 0x0800,
                     tcp4(web, host, 80, sport, PSH | ACK, b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 400,
                          ident=n + 20)))
        f.append(eth(SERVER, mac, 0x0800,
                     udp4(host, dns, 5300 + n, 53, b"\x12\x34\x01\x00\x00\x01" + b"\0" * 6 +
                          b"\x07example\x03com\x00\x00\x01\x00\x01", ident=n + 30)))
        f.append(eth(SERVER, mac, 0x0800, icmp4(host, web, n, 1)))
        f.append(eth(SERVER, mac, 0x0800, tcp4(host, web, sport, 80, FIN | ACK, ident=n + 40)))
    # NTP and a VLAN-tagged frame (voice VLAN 20).
    f.append(eth(SERVER, HOSTS["10.0.0.3"], 0x0800,
                 udp4("10.0.0.3", ntp, 123, 123, b"\x23" + b"\0" * 47)))
    f.append(eth(SERVER, HOSTS["10.0.0.7"], 0x0800,
                 udp4("10.0.0.7", "10.0.0.20", 5060, 5060, b"INVITE sip:20@pbx SIP/2.0\r\n"),
                 vlan=20))
    # Traffic the firewall blocks: a scan from 192.168.66.0/24, IPv6 from
    # 2001:db8:bad::/48.
    for port in (22, 23, 80, 443, 3389):
        f.append(eth(SERVER, GW, 0x0800, tcp4("192.168.66.6", web, 61000, port, SYN)))
    f.append(eth(SERVER, GW, 0x86DD, tcp6("2001:db8:bad::66", "2001:db8:1::80", 61001, 443, SYN)))
    # IPv6 that is allowed.
    f.append(eth(SERVER, GW, 0x86DD, tcp6("2001:db8:2::5", "2001:db8:1::80", 50000, 443, SYN)))
    f.append(eth(SERVER, GW, 0x86DD, udp6("2001:db8:2::5", "2001:db8:1::53", 5353, 53, b"\0" * 12)))
    f.append(eth(SERVER, GW, 0x86DD, icmp6("2001:db8:2::5", "2001:db8:1::80", 7, 1)))
    # ARP who-has 10.0.0.80.
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes.fromhex("020000000002"),
                      ip4("10.0.0.2"), b"\0" * 6, ip4(web))
    f.append(eth("ff:ff:ff:ff:ff:ff", HOSTS["10.0.0.2"], 0x0806, arp + b"\0" * 18))
    # A second SYN from 10.0.0.2, to another server (the flow table grows).
    f.append(eth(SERVER, HOSTS["10.0.0.2"], 0x0800,
                 tcp4("10.0.0.2", "10.0.0.81", 40100, 8080, SYN, ident=99)))
    return f


def write_pcap(path, packets):
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET))
        for i, p in enumerate(packets):
            # One packet every 10 ms from 2026-01-01.
            out.write(struct.pack("<IIII", 1767225600 + i // 100, (i % 100) * 10000, len(p), len(p)))
            out.write(p)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__)) if len(sys.argv) < 2 else sys.argv[1]
    write_pcap(os.path.join(here, "traffic.pcap"), frames())
