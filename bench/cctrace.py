#!/usr/bin/env python3
"""cctrace.py: the congestion window and round-trip time of a flow over
time, read from machnetd's /machnet/flows telemetry while a bulk run goes.

A bulk flow on an idle link should reach the link's rate; whether the
congestion control lets it is seen in its cwnd and srtt, which the engine
publishes for the telemetry thread every millisecond (ARCHITECTURE.md,
"Telemetry"). This samples them on DPDK's telemetry socket directly (one
connection, no process per sample) and writes one TSV row per sample.

usage: cctrace.py INSTANCE SECONDS INTERVAL_MS OUT.tsv
"""
import json
import os
import socket
import sys
import time


def connect(instance):
    base = "/var/run/dpdk" if os.getuid() == 0 else \
        os.environ.get("XDG_RUNTIME_DIR", "/tmp") + "/dpdk"
    path = os.path.join(base, instance, "dpdk_telemetry.v2")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    greeting = json.loads(s.recv(16384).decode())
    return s, greeting.get("max_output_len", 16384)


def busiest_flow(reply):
    """Column index of the established flow that sent the most bytes."""
    f = reply.get("/machnet/flows") or {}
    best = None
    for i, state in enumerate(f.get("state", [])):
        if state != "established":
            continue
        if best is None or f["tx_bytes"][i] > f["tx_bytes"][best]:
            best = i
    return f, best


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    instance, secs, interval_ms, out = sys.argv[1], float(sys.argv[2]), \
        float(sys.argv[3]), sys.argv[4]
    sock, maxlen = connect(instance)
    start = time.monotonic()
    rows = []
    while time.monotonic() - start < secs:
        sock.send(b"/machnet/flows")
        f, i = busiest_flow(json.loads(sock.recv(maxlen).decode()))
        if i is not None:
            rows.append((round((time.monotonic() - start) * 1000.0, 1),
                         f["cwnd_milli"][i] / 1000.0, f["srtt_us"][i],
                         f["rto_us"][i], f["mss"][i], f["tx_bytes"][i],
                         f["retransmits"][i], f["timeouts"][i]))
        time.sleep(interval_ms / 1000.0)
    with open(out, "w") as o:
        o.write("t_ms\tcwnd\tsrtt_us\trto_us\tmss\ttx_bytes\tretransmits\ttimeouts\n")
        for r in rows:
            o.write("\t".join(str(v) for v in r) + "\n")
    print("cctrace: %d samples" % len(rows))


if __name__ == "__main__":
    main()
