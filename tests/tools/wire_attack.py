#!/usr/bin/env python3
"""wire_attack.py: a hostile host on the link, for test_hostile.sh.

Sends raw Machnet frames from a kernel network namespace through an
AF_PACKET socket, as an attacker on the same link could: it knows the
addresses of the two hosts and the listening port, and guesses the rest.

  wire_attack.py IFACE SRC_MAC DST_MAC SRC_IP DST_IP DST_PORT synflood COUNT
      COUNT SYNs from random source ports of SRC_IP (an address nobody
      answers for), about 50,000 a second.
  wire_attack.py IFACE SRC_MAC DST_MAC SRC_IP DST_IP DST_PORT blind LO HI
      for every source port LO..HI: an RST with a random seq and a SYN
      with a random ISN, claiming to be SRC_IP, which has a real flow to
      DST_PORT from one of those ports.

Frames go only to DST_MAC on IFACE, inside the test's namespaces. Prints
the number of frames sent.
"""
import random
import socket
import struct
import sys
import time

SYN, RST = 1, 5


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def ip_checksum(header):
    total = sum(struct.unpack("!10H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, kind, seq):
    machnet = struct.pack("!HBBBBHIIIIQQQ", 0x4D4E, 1, kind, 0, 0, 64,
                          seq, 0, 0, 0, 0, 0, 0)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(machnet), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(machnet),
                     0, 0x4000, 64, 17, 0, socket.inet_aton(src_ip),
                     socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + udp + machnet


def main():
    if len(sys.argv) < 9:
        sys.exit(__doc__)
    iface, src_mac, dst_mac, src_ip, dst_ip, dport, mode = sys.argv[1:8]
    args = [int(a) for a in sys.argv[8:]]
    src_mac, dst_mac, dport = mac(src_mac), mac(dst_mac), int(dport)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    rnd = random.SystemRandom()
    sent = 0

    def send(sport, kind):
        nonlocal sent
        sock.send(frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, kind,
                        rnd.getrandbits(32)))
        sent += 1
        # Paced, so that the receiving port's ring takes every frame: an
        # attack that only overflows the NIC proves nothing.
        if sent % 64 == 0:
            time.sleep(0.001)

    if mode == "synflood" and len(args) == 1:
        for _ in range(args[0]):
            send(rnd.randrange(1024, 65536), SYN)
    elif mode == "blind" and len(args) == 2:
        for sport in range(args[0], args[1] + 1):
            send(sport, RST)
            send(sport, SYN)
    else:
        sys.exit(__doc__)
    print(f"wire_attack: {mode}: {sent} frames")


if __name__ == "__main__":
    main()
