"""The exceptions of the binding: OSError subclasses that carry the errno.

Every failure of a libmachnet call raises MachnetError, made also an
instance of the builtin OSError subclass Python gives that errno
(TimeoutError for ETIMEDOUT, ConnectionRefusedError for ECONNREFUSED,
BlockingIOError for EAGAIN, ...), so that code written for sockets
catches what it expects.
"""

import os


class MachnetError(OSError):
    """A libmachnet call failed; errno and strerror say why."""


_classes = {}


def _class_for(err):
    builtin = type(OSError(err, ""))
    if builtin is OSError:
        return MachnetError
    cls = _classes.get(builtin)
    if cls is None:
        cls = type("Machnet" + builtin.__name__, (MachnetError, builtin),
                   {"__module__": __name__})
        _classes[builtin] = cls
    return cls


def error(err, what, flow=None):
    """The exception for errno ERR of the call WHAT; FLOW, if the error is
    about a flow (a flow's end reported by a receive), as .flow."""
    e = _class_for(err)(err, "%s: %s" % (what, os.strerror(err)))
    e.flow = flow
    return e
