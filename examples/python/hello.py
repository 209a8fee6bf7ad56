#!/usr/bin/python3
"""hello.py: examples/hello_world in Python, the smallest machnet program.

Both sides listen on port 31580; the client (--remote given) connects,
sends "Hello World!" and prints the echo; the server prints every message
it receives and echoes it on its flow, until SIGINT or SIGTERM.

    hello.py --local IP                 server
    hello.py --local IP --remote IP     client

Needs the binding on the path (PYTHONPATH=bindings/python from a
checkout) and a running machnetd ($MACHNET_INSTANCE).
"""

import argparse
import signal
import sys

import machnet

PORT = 31580
MSG = b"Hello World!"


def serve(ch):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("hello: listening", flush=True)
    while True:
        data, flow = ch.recv()
        print('hello: received "%s" from %s:%d' % (
            data.decode(errors="replace"), flow.remote_ip, flow.remote_port),
            flush=True)
        ch.send(flow, data)


def client(ch, local, remote):
    flow = ch.connect(local, remote, PORT)
    ch.send(flow, MSG)
    data, flow = ch.recv(timeout=10)
    print('hello: reply "%s" from %s:%d' % (
        data.decode(errors="replace"), flow.remote_ip, flow.remote_port))


def main():
    p = argparse.ArgumentParser(description="machnet hello world")
    p.add_argument("--local", required=True)
    p.add_argument("--remote")
    a = p.parse_args()
    try:
        with machnet.Channel() as ch:
            ch.listen(a.local, PORT)
            if a.remote:
                client(ch, a.local, a.remote)
            else:
                serve(ch)
    except (OSError, ImportError) as e:
        print("hello: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
