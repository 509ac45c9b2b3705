"""Bounds on one user query: wall time and memory.

Oxigraph evaluates without holding the GIL, so a watchdog thread beside the
query sees the clock and the process's resident memory while it runs. Past
either bound the process ends at once (nothing half-written: queries only
read), after saying why in one line. ``aikg sparql`` watches its own
process; the server watches each worker process and replaces one that ends.
"""
import os
import resource
import threading
import time

from ..errors import InputError

__all__ = ["OVER_MEMORY", "OVER_TIME", "query_bounds", "watch", "hard_cap"]

OVER_TIME, OVER_MEMORY = 124, 125  # exit codes a watched process ends with
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise InputError(f"{name}={raw!r} must be positive")
    return value


def query_bounds() -> tuple[float, int]:
    """(seconds, bytes) one query may use: $AIKG_QUERY_TIMEOUT (30) and $AIKG_QUERY_MEMORY_MB (4096)."""
    return _number("AIKG_QUERY_TIMEOUT", 30.0), int(_number("AIKG_QUERY_MEMORY_MB", 4096) * 1024 * 1024)


def _resident() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # peak, in KiB on Linux


class watch:
    """Context manager: end the process if the block runs past ``seconds`` or ``max_bytes`` more memory.

    ``say`` gets the one-line reason before the process exits with OVER_TIME or OVER_MEMORY.
    """

    def __init__(self, seconds: float, max_bytes: int, say=None, *, interval: float = 0.05):
        self.seconds, self.max_bytes, self.say, self.interval = seconds, max_bytes, say, interval
        self._done = threading.Event()

    def __enter__(self):
        self._base = _resident()
        self._deadline = time.monotonic() + self.seconds
        threading.Thread(target=self._run, daemon=True, name="aikg-query-watchdog").start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        return False

    def _run(self):
        while not self._done.wait(self.interval):
            if time.monotonic() > self._deadline:
                self._end(OVER_TIME, f"query stopped: it ran longer than the timeout of {self.seconds:g}s")
            if _resident() - self._base > self.max_bytes:
                self._end(OVER_MEMORY, "query stopped: it used more than "
                                       f"{self.max_bytes // (1024 * 1024)} MB (AIKG_QUERY_MEMORY_MB)")

    def _end(self, code: int, message: str):
        if self._done.is_set():
            return
        if self.say:
            self.say(message)
        os._exit(code)


def hard_cap(max_bytes: int) -> None:
    """A kernel bound behind the watchdog: allocations past twice the budget fail."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        cap = 2 * max_bytes + _resident()
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    except (ValueError, OSError):  # not permitted here: the watchdog still holds
        pass
