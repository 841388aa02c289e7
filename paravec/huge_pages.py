"""Back a large array with 2 MB pages (Linux transparent huge pages), in place, best effort.

Random reads of rows spread over tens of megabytes (the output weights during inference) miss
the processor's address translation cache when memory is mapped in 4 KB pages: a 23 MB table is
5,700 pages, more than the translation cache holds, so most rows cost a page-table walk (two
nested walks in a virtual machine) before the data itself. In 2 MB pages the same table is 12.
Linux backs memory with huge pages only where asked (``transparent_hugepage=madvise``, the usual
setting) and only for memory touched after asking; ``MADV_COLLAPSE`` (Linux 6.1) moves memory
already in use onto huge pages now. Contents, addresses and ownership do not change; where the
system cannot (another OS, an old kernel, a file mapping, no free huge pages) nothing happens.

Examples
--------
>>> import numpy as np
>>> from paravec.huge_pages import use_huge_pages
>>> table = np.ones((20_000, 300), dtype=np.float32)
>>> use_huge_pages(table) in (True, False)
True
>>> float(table.sum())
6000000.0
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import numpy.typing as npt

__all__ = ["use_huge_pages"]

_HUGE_PAGE = 2 << 20
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25
_libc: Any = None


def use_huge_pages(array: npt.NDArray[Any]) -> bool:
    """Ask Linux to move the whole 2 MB pages inside ``array``'s memory onto huge pages.

    Returns whether the kernel did (False elsewhere than Linux, for arrays under 4 MB, and when
    it refused). Costs about a millisecond per megabyte moved, once: call it for arrays that are
    then read many times.
    """
    global _libc
    if sys.platform != "linux" or array.nbytes < 2 * _HUGE_PAGE or not array.flags.c_contiguous:
        return False
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _libc.madvise.restype = ctypes.c_int
    start = array.ctypes.data
    lo = -(-start // _HUGE_PAGE) * _HUGE_PAGE
    hi = (start + array.nbytes) // _HUGE_PAGE * _HUGE_PAGE
    if hi <= lo:
        return False
    _libc.madvise(lo, hi - lo, _MADV_HUGEPAGE)  # later faults in the range get huge pages too
    return bool(_libc.madvise(lo, hi - lo, _MADV_COLLAPSE) == 0)
