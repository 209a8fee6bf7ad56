#!/usr/bin/python3
"""echo_server.py: the peer of the binding's tests, on the other host.

It echoes every message on its flow, except b"CLOSE", on which it closes
the flow instead (so that a test sees the peer close it). It prints
"listening" once it does, and runs until SIGTERM.

    echo_server.py IP PORT
"""

import signal
import sys

import machnet


def main():
    ip, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with machnet.Channel() as ch:
        ch.listen(ip, port)
        print("echo_server: listening on %s:%d" % (ip, port), flush=True)
        while True:
            data, flow = ch.recv()
            if data == b"CLOSE":
                ch.close_flow(flow)
            else:
                ch.send(flow, data)


if __name__ == "__main__":
    main()
