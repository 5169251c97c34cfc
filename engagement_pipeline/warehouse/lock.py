"""One writer at a time: an exclusive OS file lock on the pipeline's store, held for a whole run.

The lock lives beside the store; a second run waits for it (up to a timeout) and then fails
with a plain message instead of ever writing the store alongside another run. The kernel drops
the lock when its holder dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_TIMEOUT_SECONDS = 900.0


class StoreBusyError(RuntimeError):
    """Another run kept the store for longer than we were willing to wait."""


class WriterLock:
    def __init__(self, path: Path, timeout: float = DEFAULT_TIMEOUT_SECONDS, poll: float = 0.2) -> None:
        self.path = path
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    def acquire(self, on_wait: Callable[[], None] | None = None) -> float:
        """Take the lock, waiting if needed; returns the seconds waited (0.0 when it was free).
        ``on_wait`` is called once, when the lock is found taken (to say that this run is waiting)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        started, contended = time.monotonic(), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                contended = True
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                if time.monotonic() - started >= self.timeout:
                    os.close(fd)
                    raise StoreBusyError(
                        f"another pipeline run has been writing {self.path.parent} for over {self.timeout:.0f} s; "
                        "try again when it has finished") from None
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return time.monotonic() - started if contended else 0.0

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
