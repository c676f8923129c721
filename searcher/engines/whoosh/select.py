"""Which of the two block engines runs the next query of this process.

``block.Engine`` in pure Python starts at once; ``vector.VectorEngine`` needs numpy, whose
import costs about 0.15 s, and is then faster. This module is the only one that knows
both, so neither imports the other's chooser (the old circle between them).
"""

from __future__ import annotations

import sys
from typing import Any, Optional

from searcher.engines.whoosh.block import SPENT, Engine

#: Whether queries run on numpy arrays (``searcher.vector``): None decides per process,
#: True or False forces one engine (the tests run both).
VECTORISE: Optional[bool] = None
#: Seconds of searching in pure Python after which numpy is imported and used: about what
#: importing it costs here, so that a process never pays much more for the import than it
#: saves (the ski-rental rule). A one-off search (a ``searcher search`` process) stays
#: in pure Python; a long-running process of many searches soon switches.
VECTORISE_AFTER = 0.15


def engine_for(searcher: Any, *, deadline: Optional[float] = None, timeout: float = 0.0) -> Engine:
    """The engine for the next query of this process: ``VectorEngine`` when numpy is
    already imported, or searching has cost ``VECTORISE_AFTER`` seconds, unless
    ``VECTORISE`` says otherwise; ``Engine`` when numpy is not installed."""
    cls = Engine
    if VECTORISE or (VECTORISE is None and ("numpy" in sys.modules or SPENT.seconds >= VECTORISE_AFTER)):
        try:
            from searcher.engines.whoosh.vector import VectorEngine
        except ImportError:  # numpy missing or broken: the pure engine gives the same answers
            pass
        else:
            cls = VectorEngine
    return cls(searcher, deadline=deadline, timeout=timeout)
