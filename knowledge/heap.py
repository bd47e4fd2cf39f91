"""Memory the C heap keeps after a load."""

from __future__ import annotations


def release_heap() -> None:
    """Give the C heap's free memory back to the system (glibc's ``malloc_trim``).

    Arrays of a few megabytes freed after a load stay in the heap: the model's float32 weights,
    converted one layer at a time, left a worker 50 MB larger than what it kept."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)
