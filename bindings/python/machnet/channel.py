"""Channel: one application's connection to machnetd, as a Python object.

A channel belongs to the thread that made it, as in C. Receives wait
without using the CPU (machnet_recv_wait) and release the GIL while they
wait; fileno() gives the channel's fd for selectors and asyncio.
"""

import asyncio
import ctypes
import errno
import math
import time

from . import _lib
from .errors import error
from .flow import Flow

# A send the channel has no room for is retried: at once a few times,
# then after pauses growing to this, since room frees as acks arrive.
_SEND_PAUSE_MAX_S = 0.001
_FLOW_EVENTS = (errno.ECONNRESET, errno.EPIPE)


def _fail(what, flow=None):
    raise error(ctypes.get_errno(), what, flow)


def init():
    """Joins machnetd ($MACHNET_INSTANCE, default "machnet"); a second call
    does nothing. Channel() calls it."""
    if _lib.lib().machnet_init() != 0:
        _fail("machnet_init")


def _wait_ms(deadline):
    """What is left until DEADLINE (None: no limit), in whole ms."""
    if deadline is None:
        return -1
    return max(0, math.ceil((deadline - time.monotonic()) * 1000))


def _deadline(timeout):
    if timeout is None:
        return None
    if timeout < 0:
        raise ValueError("timeout must be None or >= 0")
    return time.monotonic() + timeout


def _writable(buffer):
    mv = memoryview(buffer).cast("B")
    if mv.readonly:
        raise TypeError("recv_into needs a writable buffer")
    return (ctypes.c_char * len(mv)).from_buffer(mv), len(mv)


def _readable(data):
    if isinstance(data, bytes):
        return data, len(data)
    mv = memoryview(data).cast("B")
    if mv.readonly:
        return bytes(mv), len(mv)
    return (ctypes.c_char * len(mv)).from_buffer(mv), len(mv)


class Channel:
    """A machnet channel: listen, connect, send and receive messages of
    1 byte to 8 MiB on flows. Use it as a context manager, or close() it."""

    def __init__(self):
        init()
        self._c = _lib.lib()
        self._h = self._c.machnet_attach()
        if not self._h:
            _fail("machnet_attach")
        self._buf = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<machnet.Channel %s>" % ("closed" if self.closed else
                                         "fd=%d" % self.fileno())

    @property
    def closed(self):
        return self._h is None

    def _handle(self):
        if self._h is None:
            raise ValueError("operation on a closed machnet channel")
        return self._h

    def close(self):
        """Gives the channel back (its flows are closed); again: nothing."""
        if self._h is None:
            return
        h, self._h = self._h, None
        if self._c.machnet_detach(h) != 0:
            _fail("machnet_detach")

    def listen(self, local_ip, port):
        """Accepts the flows remote applications open to local_ip:port."""
        if self._c.machnet_listen(self._handle(), local_ip.encode(),
                                  port) != 0:
            _fail("machnet_listen")

    def connect(self, local_ip, remote_ip, remote_port):
        """Opens a flow and returns it once the handshake completes;
        ConnectionRefusedError, TimeoutError or MachnetError if not."""
        c = _lib.CFlow()
        if self._c.machnet_connect(self._handle(), local_ip.encode(),
                                   remote_ip.encode(), remote_port,
                                   ctypes.byref(c)) != 0:
            _fail("machnet_connect")
        return Flow._from_local(c)

    def close_flow(self, flow):
        """Closes FLOW; what was already sent on it is still delivered."""
        if self._c.machnet_close(self._handle(), flow._to_c()) != 0:
            _fail("machnet_close")

    def set_flow_events(self, enable=True):
        """With it, a receive raises ConnectionResetError (the flow failed)
        or BrokenPipeError (the peer closed it), with the Flow as .flow,
        once per ended flow after its last message."""
        if self._c.machnet_set_flow_events(self._handle(), int(enable)) != 0:
            _fail("machnet_set_flow_events")

    def fileno(self):
        """The channel's fd: readable while a message may be pending. Once
        it is, receive with timeout=0 until None before waiting again. The
        channel owns it: do not read or close it."""
        fd = self._c.machnet_channel_fd(self._handle())
        if fd < 0:
            _fail("machnet_channel_fd")
        return fd

    def send(self, flow, data, timeout=None):
        """Queues DATA (bytes-like, 1 byte to 8 MiB) as one message on
        FLOW. While the channel has no room it retries, up to TIMEOUT
        seconds (None: until it fits, 0: BlockingIOError at once)."""
        h = self._handle()
        buf, n = _readable(data)
        c = flow._to_c()
        deadline = _deadline(timeout)
        pause = 0.0
        while self._c.machnet_send(h, c, buf, n) != 0:
            err = ctypes.get_errno()
            if err != errno.EAGAIN or timeout == 0:
                raise error(err, "machnet_send", flow)
            if deadline is not None and time.monotonic() >= deadline:
                raise error(errno.ETIMEDOUT, "machnet_send", flow)
            time.sleep(pause)
            pause = min(_SEND_PAUSE_MAX_S, pause * 2 or 1e-5)

    def _receive(self, ptr, size, timeout):
        """(length, Flow) of the next message put at PTR, or None."""
        h = self._handle()
        c = _lib.CFlow()
        deadline = _deadline(timeout)
        while True:
            if timeout == 0:
                n = self._c.machnet_recv(h, ptr, size, ctypes.byref(c))
            else:
                n = self._c.machnet_recv_wait(h, ptr, size, ctypes.byref(c),
                                              _wait_ms(deadline))
            if n > 0:
                return n, Flow._from_received(c)
            if n == 0:
                if timeout == 0:
                    return None
                if deadline is not None and time.monotonic() >= deadline:
                    raise error(errno.ETIMEDOUT, "machnet_recv_wait")
                continue
            err = ctypes.get_errno()
            if err == errno.EINTR:
                continue  # PEP 475: a handler that raises has run by now
            raise error(err, "machnet_recv",
                        Flow._from_received(c) if err in _FLOW_EVENTS
                        else None)

    def recv(self, timeout=None):
        """The next message as (bytes, Flow). Waits up to TIMEOUT seconds
        (None: until one comes; on expiry TimeoutError); with timeout=0
        it does not wait and returns None when nothing is pending."""
        if self._buf is None:
            self._buf = ctypes.create_string_buffer(_lib.MSG_MAX_LEN)
        got = self._receive(self._buf, _lib.MSG_MAX_LEN, timeout)
        if got is None:
            return None
        n, flow = got
        return ctypes.string_at(self._buf, n), flow

    def recv_into(self, buffer, timeout=None):
        """As recv, into a writable BUFFER: (length, Flow) or None. A
        message longer than BUFFER is dropped with an OSError (EMSGSIZE)."""
        ptr, size = _writable(buffer)
        return self._receive(ptr, size, timeout)

    async def recv_async(self):
        """As recv, awaited on the running asyncio loop (through fileno)."""
        loop = asyncio.get_running_loop()
        fd = self.fileno()
        while True:
            got = self.recv(timeout=0)
            if got is not None:
                return got
            ready = loop.create_future()
            loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
            try:
                await ready
            finally:
                loop.remove_reader(fd)
