"""Flows as values: named from this end, whichever call reported them.

In C a received flow names its sender as src while send, close and
connect name the local end as src. Here every Flow is seen from the local
end, so a received Flow is the one to answer on.
"""

import dataclasses
import ipaddress

from . import _lib


def _ip_str(v):
    return str(ipaddress.IPv4Address(v))


@dataclasses.dataclass(frozen=True)
class Flow:
    """One flow: its local and remote address and port."""

    local_ip: str
    local_port: int
    remote_ip: str
    remote_port: int

    def __str__(self):
        return "%s:%d > %s:%d" % (self.local_ip, self.local_port,
                                  self.remote_ip, self.remote_port)

    def _to_c(self):
        """As send, close and connect take it: src = the local end."""
        return _lib.CFlow(int(ipaddress.IPv4Address(self.local_ip)),
                          int(ipaddress.IPv4Address(self.remote_ip)),
                          self.local_port, self.remote_port)

    @classmethod
    def _from_local(cls, c):
        return cls(_ip_str(c.src_ip), c.src_port, _ip_str(c.dst_ip),
                   c.dst_port)

    @classmethod
    def _from_received(cls, c):
        """As a receive fills it: src = the sender, the remote end."""
        return cls(_ip_str(c.dst_ip), c.dst_port, _ip_str(c.src_ip),
                   c.src_port)
