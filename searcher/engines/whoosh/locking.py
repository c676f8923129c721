"""The index write lock, with a note naming its holder.

Whoosh's own ``WRITELOCK`` is an ``fcntl`` lock: the kernel releases it when its process
dies, so a lock left by a killed run can never block anyone. What Whoosh lacks is a way to
say *who* holds the lock; ``writer.json`` beside it records pid, command and start time so
that a waiting process can name the other one, and a note whose process is gone is
recognised as stale and overwritten.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from searcher.engines.whoosh import fixes  # noqa: F401,I001  (first: Whoosh imported lean and corrected)
from whoosh.filedb.filestore import FileStorage

from searcher.errors import IndexLocked, SearcherError

_NOTE = "writer.json"
#: The lock file of Whoosh's write lock (``Index.lock("WRITELOCK")`` of the index "MAIN"):
#: taken through the storage, so a folder whose table of contents cannot be read is still
#: locked the same way as a healthy one.
LOCK_FILE = "MAIN_WRITELOCK"
#: Files of the lock itself, which emptying or cleaning a folder must leave alone.
LOCK_FILES = frozenset({LOCK_FILE, _NOTE, _NOTE + ".tmp"})


#: The Whoosh file locks this process holds (see ``_forget_in_child``).
_HELD: List[Any] = []


def _forget_in_child() -> None:
    """In a forked child (an indexing worker), close its copy of each held lock's file
    without unlocking: a ``flock`` lasts while any copy is open, so a worker outliving its
    SIGKILLed parent kept the folder locked ("being written by another process")."""
    for lock in _HELD:
        if lock.fd is not None:
            try:
                os.close(lock.fd)
            except OSError:
                pass
            lock.fd = None
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder(index_dir: Path) -> Optional[Dict[str, Any]]:
    """The note of the process holding the lock, or None when there is none or it is stale."""
    try:
        note = json.loads((index_dir / _NOTE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict):
        return None
    same_host = note.get("host") == socket.gethostname()
    if same_host and isinstance(note.get("pid"), int) and not _pid_alive(note["pid"]):
        return None
    return note


def describe_holder(index_dir: Path) -> str:
    note = holder(index_dir)
    if note is None:
        return "another process"
    started = time.strftime("%H:%M:%S", time.localtime(note.get("started", 0)))
    return f"process {note.get('pid')} ({note.get('command', '?')}, started {started})"


def cannot_write(index_dir: Path, exc: OSError) -> SearcherError:
    """The one-line error for a write the file system refused (disk full, read-only, ...)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "free some disk space"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        fix = "make the folder writable or name another one with --index"
    else:
        fix = "fix the cause"
    return SearcherError(
        f"cannot write to index '{index_dir}': {exc.strerror or exc}; {fix}, then run again "
        "(every batch committed before is kept)"
    )


class WriteLock:
    """Holds Whoosh's write lock for the life of a writing session."""

    def __init__(self, index_dir: Path, *, wait: float) -> None:
        self._lock = FileStorage(str(index_dir)).lock(LOCK_FILE)
        self._dir = index_dir
        deadline = time.monotonic() + max(0.0, wait)
        while not self._try():
            if time.monotonic() >= deadline:
                raise IndexLocked(
                    f"index '{index_dir}' is being written by {describe_holder(index_dir)}; "
                    f"wait for it to finish or pass --wait SECONDS"
                )
            time.sleep(0.1)
        _HELD.append(self._lock)
        self._write_note()

    def _try(self) -> bool:
        try:
            return bool(self._lock.acquire(False))
        except OSError as exc:  # the lock file cannot even be opened: a read-only folder
            raise cannot_write(self._dir, exc) from exc

    def _write_note(self) -> None:
        """Name this process as the holder; the note is only informative, so a full disk
        that refuses it does not stop the run (the write that follows says why)."""
        note = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200],
            "started": time.time(),
        }
        tmp = self._dir / (_NOTE + ".tmp")
        try:
            tmp.write_text(json.dumps(note), encoding="utf-8")
            os.replace(tmp, self._dir / _NOTE)
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass

    def release(self) -> None:
        try:
            (self._dir / _NOTE).unlink()
        except OSError:
            pass
        if self._lock in _HELD:
            _HELD.remove(self._lock)
        self._lock.release()
