"""Settings of the process itself, applied first in every entry point (manage.py, wsgi, asgi, the Celery app).

glibc's malloc hands out every block above its mmap threshold (128 KiB at start, raised as large blocks are
freed, up to 32 MiB) as fresh pages from the kernel and gives them back when freed, and trims the heap's free top
above the trim threshold. The aggregation's bootstrap allocates and frees numpy arrays of a few MiB hundreds of
times per run (entries x resamples of float64): each came back as new pages, 67,000 page faults a run, about a
tenth of its processor time (bench_results, 10,000 entries; the math step 1.50 -> 1.36 s of CPU, 67,000 -> 500
faults). With the thresholds fixed high the freed blocks are reused from the heap. The cost is memory the process
keeps after a large computation, at most TRIM_THRESHOLD above what it uses; web requests never allocate such
blocks, so their workers do not grow.

Nothing happens outside glibc (musl, macOS, Windows): there the allocator is left as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_TRIM_THRESHOLD = -1  # from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest accepted value on 64-bit: blocks up to 32 MiB from the heap
TRIM_THRESHOLD = 128 * 1024 * 1024  # free heap top kept before it is given back

_tuned = False


def tune_process() -> bool:
    """Fix glibc's malloc thresholds (once per process); True when they were set."""
    global _tuned
    if _tuned:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mallopt returns 1 on success, 0 when it refuses a value.
    _tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _tuned
