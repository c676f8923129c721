"""Snippets and highlighting (placeholder: the contract shared with query.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Tuple


@dataclass(frozen=True)
class HighlightSpec:
    """What to light up, per index field, in index-term form (as ``schema.analyze`` gives).

    ``terms``: single terms to mark wherever they occur (prefix and fuzzy terms already
    expanded against the index). ``phrases``: term sequences with their slop (0 or 1 means
    adjacent) to mark only where the whole phrase occurs. Negated parts of a query are never
    in a spec.
    """

    terms: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    phrases: Dict[str, Tuple[Tuple[Tuple[str, ...], int], ...]] = field(default_factory=dict)
