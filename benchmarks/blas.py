"""BLAS threads for the benchmarks: pinned with threadpoolctl, and said so.

On a 2-core machine OpenBLAS's default of one thread per core made the numpy
path at 1000 neurons about 4x slower than one thread, and some runs swung
10x; every benchmark pins the BLAS threads (default 1) and prints the setting.
"""
from __future__ import annotations

import contextlib


def pinned_blas(threads: int):
    """A context in which BLAS uses ``threads`` threads; prints the setting (or that it is not pinned)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        print("BLAS threads: not pinned (install threadpoolctl: python -m pip install threadpoolctl)")
        return contextlib.nullcontext()
    limits = threadpool_limits(limits=threads, user_api="blas")  # applies now; restored when the context exits
    libraries = ", ".join(f"{pool['internal_api']} {pool['num_threads']} thread(s)" for pool in threadpool_info()
                          if pool["user_api"] == "blas")
    print(f"BLAS: {libraries or 'no BLAS library loaded'} (pinned with threadpoolctl)")
    return limits
