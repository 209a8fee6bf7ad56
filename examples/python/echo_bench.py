#!/usr/bin/python3
"""echo_bench.py: a small echo benchmark of the Python binding.

The server echoes every message on its flow. The client keeps --window
messages of --size bytes in flight on one flow, --count in all, checks
every byte of every echo against what it sent (each message starts with
its sequence number), and prints the rate and the round-trip latency.
Exit status: 0, or 1 on an error or a wrong echo.

    echo_bench.py --server --local IP [--port P]
    echo_bench.py --local IP --remote IP [--port P] [--size B]
                  [--count N] [--window W]
"""

import argparse
import collections
import os
import signal
import sys
import time

import machnet


def serve(ch, a):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ch.listen(a.local, a.port)
    print("echo_bench: listening on %s:%d" % (a.local, a.port), flush=True)
    while True:
        data, flow = ch.recv()
        ch.send(flow, data)


def message(seq, size, pattern):
    head = seq.to_bytes(8, "little")
    return (head + pattern[seq % 251:][:size - 8])[:size]


def percentile(sorted_us, q):
    return sorted_us[min(len(sorted_us) - 1, int(q * len(sorted_us)))]


def run_client(ch, a):
    if a.size < 8 + 1:
        raise SystemExit("echo_bench: --size must be at least 9")
    pattern = os.urandom(a.size + 251)
    flow = ch.connect(a.local, a.remote, a.port)
    inflight = collections.deque()
    rtts = []
    sent = 0
    start = time.monotonic()
    while len(rtts) < a.count:
        while sent < a.count and len(inflight) < a.window:
            m = message(sent, a.size, pattern)
            inflight.append((m, time.monotonic()))
            ch.send(flow, m)
            sent += 1
        data, _ = ch.recv(timeout=10)
        expected, t0 = inflight.popleft()
        rtts.append((time.monotonic() - t0) * 1e6)
        if data != expected:
            print("echo_bench: echo %d differs from what was sent" %
                  (len(rtts) - 1), file=sys.stderr)
            return 1
    secs = time.monotonic() - start
    rtts.sort()
    print("echo_bench: %d messages of %d B, window %d: %.0f msgs/s, "
          "p50 %.0f us, p99 %.0f us; every byte checked" % (
              a.count, a.size, a.window, a.count / secs,
              percentile(rtts, 0.50), percentile(rtts, 0.99)))
    return 0


def main():
    p = argparse.ArgumentParser(description="machnet echo benchmark")
    p.add_argument("--server", action="store_true")
    p.add_argument("--local", required=True)
    p.add_argument("--remote")
    p.add_argument("--port", type=int, default=31581)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--window", type=int, default=1)
    a = p.parse_args()
    if not a.server and not a.remote:
        p.error("a client needs --remote")
    try:
        with machnet.Channel() as ch:
            return serve(ch, a) if a.server else run_client(ch, a)
    except (OSError, ImportError) as e:
        print("echo_bench: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
