"""``searcher.engine.VECTORISE``, as documented before the engine seam: this name is the
Whoosh engine's chooser (``searcher.engines.whoosh.select``) itself, so setting
``searcher.engine.VECTORISE = True`` still takes effect."""

import sys

from searcher.engines.whoosh import select as _select

sys.modules[__name__] = _select
