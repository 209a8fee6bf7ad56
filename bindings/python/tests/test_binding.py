"""The binding against a real machnetd: every byte of every echo checked,
the waits, the fd in selectors and asyncio, and the errors."""

import asyncio
import errno
import os
import selectors
import signal
import time

import pytest

import machnet


def pattern(size, seed):
    """SIZE bytes that differ per message and per position."""
    block = bytes((seed * 31 + i * 7) & 0xFF for i in range(251))
    return (block * (size // 251 + 1))[:size]


def echo(ch, flow, data, timeout=30):
    ch.send(flow, data)
    got, frm = ch.recv(timeout=timeout)
    assert frm == flow
    return got


def test_hello(ch, flow, peer):
    assert flow.local_ip == peer["local"]
    assert (flow.remote_ip, flow.remote_port) == (peer["remote"], peer["port"])
    assert echo(ch, flow, b"Hello World!") == b"Hello World!"


@pytest.mark.parametrize("size", [1, 63, 1424, 1425, 9000, 65536,
                                  1 << 20, machnet.MSG_MAX_LEN])
def test_sizes(ch, flow, size):
    data = pattern(size, size)
    assert echo(ch, flow, data) == data


def test_many_in_flight(ch, flow):
    sent = [pattern(100 + i * 37, i) for i in range(200)]
    for m in sent:
        ch.send(flow, m)
    for m in sent:
        got, _ = ch.recv(timeout=30)
        assert got == m


def test_send_takes_bytes_like(ch, flow):
    data = pattern(3000, 5)
    for form in (bytearray(data), memoryview(data), memoryview(bytearray(data))):
        assert echo(ch, flow, form) == data


def test_recv_into(ch, flow):
    data = pattern(5000, 9)
    ch.send(flow, data)
    buf = bytearray(8192)
    n, frm = ch.recv_into(buf, timeout=30)
    assert (n, frm) == (len(data), flow)
    assert buf[:n] == data


def test_recv_into_too_small_drops_the_message(ch, flow):
    ch.send(flow, pattern(5000, 1))
    ch.send(flow, b"next")
    with pytest.raises(machnet.MachnetError) as e:
        ch.recv_into(bytearray(100), timeout=30)
    assert e.value.errno == errno.EMSGSIZE
    assert ch.recv(timeout=30)[0] == b"next"


def test_recv_into_needs_a_writable_buffer(ch):
    with pytest.raises(TypeError):
        ch.recv_into(b"read only", timeout=0)


def test_poll_returns_none(ch, flow):
    assert ch.recv(timeout=0) is None
    assert ch.recv_into(bytearray(10), timeout=0) is None


def test_timeout(ch, flow):
    start = time.monotonic()
    with pytest.raises(TimeoutError) as e:
        ch.recv(timeout=0.3)
    took = time.monotonic() - start
    assert isinstance(e.value, machnet.MachnetError)
    assert e.value.errno == errno.ETIMEDOUT
    assert 0.29 <= took < 2.0


def test_wait_ends_when_a_message_comes(ch, flow):
    ch.send(flow, b"x" * 10)
    start = time.monotonic()
    assert ch.recv(timeout=20)[0] == b"x" * 10
    assert time.monotonic() - start < 5


def test_selectors(ch, flow):
    with selectors.DefaultSelector() as sel:
        sel.register(ch, selectors.EVENT_READ)
        while ch.recv(timeout=0) is not None:
            pass
        assert sel.select(timeout=0.2) == []
        ch.send(flow, b"ping")
        ready = sel.select(timeout=10)
        assert [k.fileobj for k, _ in ready] == [ch]
        assert ch.recv(timeout=0)[0] == b"ping"
        assert ch.recv(timeout=0) is None


def test_asyncio(ch, flow):
    async def run():
        loop = asyncio.get_running_loop()
        loop.call_later(0.1, ch.send, flow, b"async")
        return await asyncio.wait_for(ch.recv_async(), 10)

    assert asyncio.run(run()) == (b"async", flow)


def test_fileno_is_stable(ch):
    assert ch.fileno() == ch.fileno()
    os.fstat(ch.fileno())


def test_connect_refused(ch, peer):
    with pytest.raises(ConnectionRefusedError) as e:
        ch.connect(peer["local"], peer["remote"], peer["closed_port"])
    assert isinstance(e.value, machnet.MachnetError)
    assert e.value.errno == errno.ECONNREFUSED


def test_connect_to_no_host_is_einval(ch, peer):
    with pytest.raises(machnet.MachnetError) as e:
        ch.connect(peer["local"], "0.0.0.0", peer["port"])
    assert e.value.errno == errno.EINVAL


def test_send_errors(ch, flow):
    with pytest.raises(machnet.MachnetError) as e:
        ch.send(flow, b"")
    assert e.value.errno == errno.EMSGSIZE
    unknown = machnet.Flow(flow.local_ip, 1, flow.remote_ip, 2)
    with pytest.raises(machnet.MachnetError) as e:
        ch.send(unknown, b"x")
    assert e.value.errno == errno.ENOTCONN


def test_peer_close_is_a_flow_event(ch, flow):
    ch.set_flow_events(True)
    assert echo(ch, flow, b"last") == b"last"
    ch.send(flow, b"CLOSE")
    with pytest.raises(BrokenPipeError) as e:
        ch.recv(timeout=20)
    assert e.value.errno == errno.EPIPE
    assert e.value.flow == flow


def test_close_flow(ch, flow):
    ch.close_flow(flow)
    with pytest.raises(machnet.MachnetError) as e:
        ch.send(flow, b"x")
    assert e.value.errno == errno.ENOTCONN


def test_context_manager_closes(peer):
    with machnet.Channel() as c:
        assert not c.closed
        c.fileno()
    assert c.closed
    c.close()
    with pytest.raises(ValueError):
        c.recv(timeout=0)
    with pytest.raises(ValueError):
        c.listen(peer["local"], 1)


def test_two_channels(peer):
    with machnet.Channel() as a, machnet.Channel() as b:
        fa = a.connect(peer["local"], peer["remote"], peer["port"])
        fb = b.connect(peer["local"], peer["remote"], peer["port"])
        assert fa != fb
        a.send(fa, b"from a")
        b.send(fb, b"from b")
        assert b.recv(timeout=20) == (b"from b", fb)
        assert a.recv(timeout=20) == (b"from a", fa)


class Interrupted(Exception):
    pass


def test_signal_during_wait(ch, flow):
    """PEP 475: a handler that returns leaves the wait going on; one that
    raises ends it with its exception."""
    seen = []
    old = signal.signal(signal.SIGALRM, lambda *_: seen.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            ch.recv(timeout=0.4)
        assert seen == [1] and time.monotonic() - start >= 0.39

        def interrupt(*_):
            raise Interrupted()
        signal.signal(signal.SIGALRM, interrupt)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        start = time.monotonic()
        with pytest.raises(Interrupted):
            ch.recv(timeout=5)
        assert time.monotonic() - start < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
