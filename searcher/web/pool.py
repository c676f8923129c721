"""Open archives lent to one request thread at a time.

An ``Archive`` keeps one Whoosh searcher and swaps it for a new one when the index changes;
two threads searching through the same ``Archive`` could close that searcher under each
other, and Whoosh's file readers seek and read a shared file object. So each request borrows
an archive no other thread is using and gives it back: as many archives stay open as requests
ever ran at once (the server's thread count), each reused across requests, so a search pays
neither the open (about a millisecond) nor cold caches. A borrowed archive sees the latest
commit: ``Archive`` refreshes its searcher when the index has changed.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, List


class ArchivePool:
    """Archives of one index, opened on demand with ``opener(path)``, lent one per thread."""

    def __init__(self, path: Path, opener: Callable[[Path], Any]) -> None:
        self.path = path
        self._opener = opener
        self._idle: List[Any] = []
        self._all: List[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def archive(self) -> Iterator[Any]:
        """An archive this thread alone uses until the ``with`` block ends."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the archive pool is closed")
            archive = self._idle.pop() if self._idle else None
        if archive is None:
            archive = self._opener(self.path)
            with self._lock:
                self._all.append(archive)
        try:
            yield archive
        finally:
            with self._lock:
                if self._closed:
                    archive.close()
                else:
                    self._idle.append(archive)

    @property
    def size(self) -> int:
        """How many archives are open (idle or lent)."""
        with self._lock:
            return len(self._all)

    def close(self) -> None:
        """Close the idle archives now and each lent one when it comes back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for archive in idle:
            archive.close()
