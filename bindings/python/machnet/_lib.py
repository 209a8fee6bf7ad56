"""libmachnet, loaded on first use, with the C prototypes of machnet.h.

Loading waits for the first call so that importing the package never
fails: a program can import it, then report a missing library the way it
reports any other error. ctypes releases the GIL for every call, so a
thread waiting in machnet_recv_wait leaves the others running.
"""

import ctypes
import ctypes.util
import os
import threading

# As MACHNET_MSG_MAX_LEN in machnet_common.h.
MSG_MAX_LEN = 8 * 1024 * 1024


class CFlow(ctypes.Structure):
    """struct MachnetFlow: addresses and ports in host byte order."""

    _fields_ = [
        ("src_ip", ctypes.c_uint32),
        ("dst_ip", ctypes.c_uint32),
        ("src_port", ctypes.c_uint16),
        ("dst_port", ctypes.c_uint16),
    ]


_PROTOTYPES = {
    "machnet_init": (ctypes.c_int, []),
    "machnet_attach": (ctypes.c_void_p, []),
    "machnet_detach": (ctypes.c_int, [ctypes.c_void_p]),
    "machnet_listen": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                      ctypes.c_uint16]),
    "machnet_connect": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                       ctypes.c_char_p, ctypes.c_uint16,
                                       ctypes.POINTER(CFlow)]),
    "machnet_send": (ctypes.c_int, [ctypes.c_void_p, CFlow, ctypes.c_void_p,
                                    ctypes.c_size_t]),
    "machnet_recv": (ctypes.c_ssize_t, [ctypes.c_void_p, ctypes.c_void_p,
                                        ctypes.c_size_t,
                                        ctypes.POINTER(CFlow)]),
    "machnet_recv_wait": (ctypes.c_ssize_t, [ctypes.c_void_p, ctypes.c_void_p,
                                             ctypes.c_size_t,
                                             ctypes.POINTER(CFlow),
                                             ctypes.c_int]),
    "machnet_close": (ctypes.c_int, [ctypes.c_void_p, CFlow]),
    "machnet_set_flow_events": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
    "machnet_channel_fd": (ctypes.c_int, [ctypes.c_void_p]),
}

_lock = threading.Lock()
_lib = None


def _candidates():
    if os.environ.get("MACHNET_LIB"):
        return [os.environ["MACHNET_LIB"]]
    found = ctypes.util.find_library("machnet")
    return ([found] if found else []) + ["libmachnet.so.1"]


def _load():
    errors = []
    for name in _candidates():
        try:
            lib = ctypes.CDLL(name, use_errno=True)
        except OSError as e:
            errors.append(str(e))
            continue
        for fn, (restype, argtypes) in _PROTOTYPES.items():
            f = getattr(lib, fn)
            f.restype = restype
            f.argtypes = argtypes
        return lib
    raise ImportError("libmachnet not found (set MACHNET_LIB to its path): "
                      + "; ".join(errors))


def lib():
    """The loaded library; ImportError if there is none."""
    global _lib
    with _lock:
        if _lib is None:
            _lib = _load()
        return _lib
