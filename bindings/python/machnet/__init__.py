"""machnet: Python binding of libmachnet, the client library of machnetd.

    import machnet
    with machnet.Channel() as ch:
        flow = ch.connect("10.0.0.1", "10.0.0.2", 31580)
        ch.send(flow, b"Hello World!")
        data, flow = ch.recv(timeout=5)

The library is found through $MACHNET_LIB, else the system's
libmachnet.so.1; the machnetd instance through $MACHNET_INSTANCE.
"""

from ._lib import MSG_MAX_LEN
from .channel import Channel, init
from .errors import MachnetError
from .flow import Flow

__all__ = ["Channel", "Flow", "MachnetError", "MSG_MAX_LEN", "init"]
