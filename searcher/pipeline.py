"""Reading files in worker processes while the main process writes the index.

Parsing, keyword extraction (``indexing.read_one``) and the engine's own preparation of
each article (``Engine.preparer``: the Whoosh engine analyses every indexed field into
postings) take about half of indexing time and need nothing from the index, so on a machine
with more than one CPU they run in worker processes, overlapping with the writer (the
preparation reaches the engine's writer as ``FileResult.prepared``). Results come back in the order of ``todo``
(the incremental rules depend on it) and at most ``AHEAD`` files or parts per worker ahead
of the writer, so memory stays flat however many files there are. Workers run at a lower
priority than the writer, whose pace sets the run's.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections import deque
from dataclasses import replace
from typing import Any, Callable, Deque, Iterator, Mapping, Optional, Sequence

from searcher.article import Article
from searcher.gctune import fewer_collections_now
from searcher.indexing import FileResult, read_one, read_parts, with_keywords

#: An engine's preparation of a batch of articles, run in a worker (``Engine.preparer``).
Preparer = Optional[Callable[[Sequence[Article]], Any]]

#: Fewer files than this are read in this process: starting workers would cost more.
MIN_FILES = 4
#: Files larger than this are parsed here in parts rather than read whole by a worker.
STREAM_BYTES = 1024 * 1024
#: Files (or parts) read ahead of the writer, per worker (each holds a file's postings in
#: memory, pickled: about 1.5 MB for a part of 250 articles). Enough to keep the workers busy
#: while the writer commits, which takes seconds.
AHEAD = 8
#: How much workers lower their scheduling priority (``os.nice``). The writer is the critical
#: path; at equal priority it waited 4-6 s of a 23 s run (10k articles) for a CPU taken by a
#: worker, and with a longer look-ahead the workers slowed its commits. At a lower priority
#: they use the CPU the writer leaves, commits included (paired runs: wall −3 to −17%,
#: median −6%; peak RSS +10-14 MB for the look-ahead).
WORKER_NICENESS = 10
#: prctl(2) option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def workers_for(files: int) -> int:
    """How many reader processes to use: none for small runs or a single CPU, otherwise one
    per CPU, up to 4 (readers take about as much CPU as the writer, and the writer mostly
    waits for them; ``SEARCHER_WORKERS`` overrides)."""
    env = os.environ.get("SEARCHER_WORKERS")
    if env is not None and env.strip().isdigit():
        return min(int(env), files)
    if files < MIN_FILES:
        return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(0, min(cpus, 4, files)) if cpus > 1 else 0


#: In a worker: the pid of the process that started it.
_PARENT: Optional[int] = None


def _start_worker(parent: int) -> None:
    """Set up a worker process: fewer garbage collections, a lower priority, and an end
    together with the ``parent`` process."""
    global _PARENT
    _PARENT = parent
    _die_with_parent(parent)
    fewer_collections_now()
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no os.nice (Windows), or not allowed
        pass


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this worker when its parent dies (Linux), so that after a
    ``kill -9`` of the indexer its workers stop at once and silently: a worker that
    outlived it printed a BrokenPipeError traceback, and held the index's write lock (an
    inherited open file), so the next run failed with "being written by another process"."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl in this C library
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def _exit_if_orphaned() -> None:
    """End this worker quietly when the process that started it has died (elsewhere than
    on Linux a worker outlives it): its result could only fail to send, with a traceback."""
    if _PARENT is not None and os.getppid() != _PARENT:
        os._exit(0)


def _prepared(result: FileResult, prepare: Preparer) -> bytes:
    """The result with the engine's preparation, pickled here: the parent then holds
    results read ahead as compact bytes, and unpickles each only when it writes it."""
    if prepare is not None and result.articles:
        result = replace(result, prepared=prepare(result.articles))
    _exit_if_orphaned()
    return pickle.dumps(result, pickle.HIGHEST_PROTOCOL)


def _read_and_prepare(path: str, signature: str, fmt: str, mapping: Mapping[str, str], prepare: Preparer) -> bytes:
    """In a worker: read one (small) file and prepare its articles."""
    return _prepared(read_one(path, signature, fmt, mapping), prepare)


def _prepare_part(part: FileResult, prepare: Preparer) -> bytes:
    """In a worker: keywords and preparation for one part of a large file read by the parent."""
    return _prepared(replace(part, articles=with_keywords(part.articles)), prepare)


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _tasks(todo: Sequence[tuple], fmt: str, mapping: Mapping[str, str], prepare: Preparer) -> Iterator[tuple]:
    """Work for the pool, in file order: a small file is read whole by a worker; a large one
    is parsed here part by part (parsing is the cheap step) and each part's keywords and
    analysis go to a worker, so no process ever holds a whole large file."""
    for path, signature in todo:
        if _size(path) > STREAM_BYTES:
            for part in read_parts(path, signature, fmt, mapping, keywords=False):
                yield _prepare_part, (part, prepare)
        else:
            yield _read_and_prepare, (path, signature, fmt, dict(mapping), prepare)


def read_all(todo: Sequence[tuple], fmt: str, mapping: Mapping[str, str], *, prepare: Preparer = None,
             workers: Optional[int] = None) -> Iterator[FileResult]:
    """The parts of each (path, signature) of ``todo``, in order (see ``indexing.read_parts``),
    each with ``prepare(articles)`` in ``prepared`` when read by a worker (the writer
    prepares what is read in this process itself)."""
    # A large file counts as several units of work: it is handed out in parts.
    units = sum(1 + _size(path) // STREAM_BYTES for path, _ in todo)
    n = workers_for(units) if workers is None else workers
    if n <= 0:
        for path, signature in todo:
            yield from read_parts(path, signature, fmt, mapping)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pool = ctx.Pool(n, initializer=_start_worker, initargs=(os.getpid(),))
    try:
        pending: Deque = deque()
        tasks = _tasks(todo, fmt, mapping, prepare)
        for fn, args in tasks:
            pending.append(pool.apply_async(fn, args))
            if len(pending) >= n * AHEAD:
                break
        while pending:
            result = pending.popleft().get()
            nxt = next(tasks, None)
            if nxt is not None:
                pending.append(pool.apply_async(nxt[0], nxt[1]))
            yield pickle.loads(result)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
