"""Snippets and phrase-aware highlighting of search hits.

The query module says what to light up (a ``HighlightSpec``: index-form terms and phrases per
field); this module finds those in an article's text with the same analyzer the index uses
(``searcher.analyzer``), so stemmed variants light up and a phrase is marked only where the whole phrase
occurs. It then cuts the most relevant passages (whole sentences where possible) and renders
them as ANSI, HTML or bracketed plain text.

Matching does not analyse a whole long body: a regex finds the few words that could stem to
a wanted term, only those are stemmed, and positions (for phrases) are counted only in the
short gaps between them. The result is the same as analysing the whole text.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import html
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, FrozenSet, List, NamedTuple, Optional, Pattern, Sequence, Set, Tuple

# The token pattern is schema's own: a highlight must see exactly the tokens the index holds.
from searcher.analyzer import ANALYZER, WORD, analyze, terms


@dataclass(frozen=True)
class HighlightSpec:
    """What to light up, per index field, in index-term form (as ``analyzer.analyze`` gives).

    ``terms``: single terms to mark wherever they occur (prefix and fuzzy terms already
    expanded against the index). ``phrases``: term sequences with their slop (0 or 1 means
    adjacent) to mark only where the whole phrase occurs. Negated parts of a query are never
    in a spec.
    """

    terms: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    phrases: Dict[str, Tuple[Tuple[Tuple[str, ...], int], ...]] = field(default_factory=dict)


Span = Tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    """A passage of text (or a whole text) with the character spans to highlight.

    ``highlights`` are sorted, non-overlapping ``[start, end)`` offsets into ``text``.
    """

    text: str
    highlights: Tuple[Span, ...] = ()

    def __post_init__(self) -> None:
        previous = 0
        for start, end in self.highlights:
            if not previous <= start < end <= len(self.text):
                raise ValueError(f"highlight {(start, end)} is out of order or outside the text")
            previous = end

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready form: ``{"text": ..., "highlights": [[start, end], ...]}``."""
        return {"text": self.text, "highlights": [[s, e] for s, e in self.highlights]}


# --------------------------------------------------------------------------- matching


class _Hit(NamedTuple):
    """A token whose term the spec wants: character span, term, (relative) index position
    and (relative) ordinal among indexed tokens, which tells whether only stopwords and
    punctuation lie between two hits."""

    start: int
    end: int
    term: str
    pos: int
    ordinal: int


class _Match(NamedTuple):
    """One term or phrase occurrence, for relevance: its extent and what matched."""

    start: int
    end: int
    key: Tuple[object, ...]


_WORD_CHAR = re.compile(r"\w")
_CONNECTORS = ".'’"


def _prefix_len(term: str) -> int:
    """How much of ``term`` every word stemming to it starts with (lower-cased).

    Porter rewrites only the end of a word, and the letters it writes that the word did not
    have are at most the last two of a stem ending in "le", or the last one of a stem
    ending in "e", "i" or "bl" ("possibility" -> "possibl"). One more letter is given up
    as a margin: a short prefix only costs a few extra words to check.
    """
    if term.endswith(("le", "bl", "e", "i")):
        cut = 3 if term.endswith("le") else 2
    else:
        cut = 1
    return max(1, len(term) - cut)


def _literal(prefix: str) -> str:
    """Regex matching, in the original text, every spelling that lower-cases to ``prefix``
    (the analyzer also folds ’ into ', "İ" into "i" and a combining dot, and final sigma)."""
    out: List[str] = []
    for i, ch in enumerate(prefix):
        if ch == "\u0307" and i and prefix[i - 1] == "i":
            out[-1] = "(?:[Ii]\u0307|\u0130)"
        elif ch == "'":
            out.append("['’]")
        elif ch in "σς":
            out.append("[σςΣ]")
        else:  # re's case folding matches at least every letter that lower-cases to ch
            out.append(f"(?i:{re.escape(ch)})")
    return "".join(out)


@functools.lru_cache(maxsize=256)
def _prefix_regex(prefixes: FrozenSet[str]) -> Pattern[str]:
    """One regex finding every spelling of the prefixes in the original text."""
    return re.compile("|".join(_literal(p) for p in sorted(prefixes, key=len, reverse=True)))


_ASCII_HEAD = re.compile(r"[\x00-\x26\x28-\x7f]*")  # ASCII up to any apostrophe


#: How many candidate words go by between two calls of a caller's ``check`` (its deadline).
_CHECK_EVERY = 4096


def _candidate_starts(text: str, wanted: FrozenSet[str], check: Optional[Callable[[], None]] = None) -> List[int]:
    """Sorted offsets where a word stemming to a wanted term might start (a superset).

    Mostly ``bytes.find`` of each prefix's ASCII head in the ASCII-lower-cased UTF-8 bytes,
    many times faster on a long text than a case-insensitive regex (or ``str.lower``), with
    byte offsets turned back into characters. Only two non-ASCII letters lower-case to ASCII:
    the Kelvin sign (swapped for "k" first) and "İ" (whose terms keep a combining dot, and go
    with terms starting with a non-ASCII letter through a regex).
    """
    fast: Set[str] = set()
    slow: Set[str] = set()
    for term in wanted:
        prefix = term[: _prefix_len(term)]
        head = _ASCII_HEAD.match(prefix).group(0)  # type: ignore[union-attr]
        if head and "\u0307" not in term:
            fast.add(head)
        else:
            slow.add(prefix)
    found: Set[int] = set()
    if fast:
        source = text.replace("\u212a", "k") if "\u212a" in text else text
        data = source.encode("utf-8", "surrogatepass").lower()
        offsets: Set[int] = set()
        found_so_far = 0
        for head in fast:
            needle = head.encode("ascii")
            at = data.find(needle)
            while at >= 0:
                offsets.add(at)
                at = data.find(needle, at + 1)
                found_so_far += 1
                if check is not None and not found_so_far % _CHECK_EVERY:
                    check()
        if source.isascii():
            found = offsets
        else:  # count the characters of the stretch between offsets
            done = chars = 0
            for n, at in enumerate(sorted(offsets)):
                if check is not None and not (n + 1) % _CHECK_EVERY:
                    check()
                chars += len(data[done:at].decode("utf-8", "surrogatepass"))
                done = at
                found.add(chars)
    if slow:
        found.update(m.start() for m in _prefix_regex(frozenset(slow)).finditer(text))
    return sorted(found)


def _hits_full(text: str, wanted: FrozenSet[str]) -> List[_Hit]:
    """Reference matcher: analyse the whole text and keep the wanted tokens."""
    return [
        _Hit(s.start, s.end, s.term, s.pos, n) for n, s in enumerate(analyze(text)) if s.term in wanted
    ]


def _hits(text: str, wanted: FrozenSet[str], max_slop: int,
          check: Optional[Callable[[], None]] = None) -> List[_Hit]:
    """The tokens of ``text`` whose term is in ``wanted``, as ``_hits_full`` finds them.

    Positions and ordinals are relative, and only exact between hits at most ``max_slop``
    positions apart: they are read from the analyzer over the stretch between two hits, which
    stops once it is wider than any phrase can bridge.
    """
    if not wanted or not text:
        return []
    seen: Dict[str, Optional[str]] = {}
    hits: List[_Hit] = []
    pos = ordinal = 0
    for n, c in enumerate(_candidate_starts(text, wanted, check)):
        if check is not None and not n % _CHECK_EVERY:
            check()
        if c and _WORD_CHAR.match(text, c - 1):
            continue
        if c >= 2 and text[c - 1] in _CONNECTORS and _WORD_CHAR.match(text, c - 2):
            continue  # inside a token such as "u.s" or "don't": not where a token starts
        word = WORD.match(text, c)
        if word is None:
            continue
        token = word.group(0)
        if token not in seen:
            found = terms(token)
            seen[token] = found[0] if len(found) == 1 else None
        term = seen[token]
        if term is None or term not in wanted:
            continue
        if hits and max_slop:
            stretch = ANALYZER.tokens(text[hits[-1].start : word.end()])
            first = next(stretch).pos
            for n, between in enumerate(stretch, 1):  # ends on this hit, unless too far
                step, steps = between.pos - first, n
                if step > max_slop:
                    step, steps = max_slop + 1, 2
                    break
            pos += step
            ordinal += steps
        hits.append(_Hit(c, word.end(), term, pos, ordinal))
    return hits


def _phrase(
    hits: Sequence[_Hit], words: Tuple[str, ...], slop: int
) -> Tuple[List[_Match], List[Span]]:
    """Occurrences of a phrase among the hits, and the spans to mark for them.

    Whoosh's ``Phrase`` (a ``SpanNear2``, ordered, mindist 1) matches when each word follows
    the previous one by 1 to ``slop`` positions (stopwords count); slop 0 means 1 here. Only
    tokens of a complete occurrence are marked; phrase words with no indexed word between
    them are marked as one span, over the stopwords and punctuation between.
    """
    slop = max(1, slop)
    key: Tuple[object, ...] = ("phrase", words, slop)
    reach: List[Set[int]] = [{i for i, h in enumerate(hits) if h.term == words[0]}]
    links: List[Dict[int, List[int]]] = []
    for word in words[1:]:
        step: Dict[int, List[int]] = {}
        nxt: Set[int] = set()
        for i in sorted(reach[-1]):
            j = i + 1
            while j < len(hits) and hits[j].pos - hits[i].pos <= slop:
                if hits[j].term == word:
                    step.setdefault(i, []).append(j)
                    nxt.add(j)
                j += 1
        if not nxt:
            return [], []
        links.append(step)
        reach.append(nxt)
    # Walk back from complete occurrences: keep what reaches the end, and how far it reaches.
    last = len(words) - 1
    ends: Dict[int, int] = {i: hits[i].end for i in reach[last]}
    spans: List[Span] = [(hits[i].start, hits[i].end) for i in reach[last]]
    for k in range(last - 1, -1, -1):
        level: Dict[int, int] = {}
        for i in reach[k]:
            for j in links[k].get(i, ()):
                if j in ends:
                    level[i] = max(level.get(i, 0), ends[j])
                    adjacent = hits[j].ordinal - hits[i].ordinal == 1
                    spans.append((hits[i].start, hits[j].end if adjacent else hits[i].end))
        ends = level
    matches = [_Match(hits[i].start, end, key) for i, end in ends.items()]
    return matches, spans


def _merge(spans: List[Span]) -> List[Span]:
    """Sorted spans with overlapping or touching ones joined."""
    merged: List[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _matches(
    text: str, spec: HighlightSpec, field: str, *, full: bool = False, check: Optional[Callable[[], None]] = None
) -> Tuple[List[_Match], List[Span]]:
    """Every term and phrase occurrence (sorted by start) and the merged spans to mark."""
    single = frozenset(spec.terms.get(field, ()))
    phrases = [(tuple(w), s) for w, s in spec.phrases.get(field, ()) if w]
    wanted = single.union(*(w for w, _ in phrases))
    max_slop = max((max(1, s) for _, s in phrases), default=0)
    hits = _hits_full(text, wanted) if full else _hits(text, wanted, max_slop, check)
    found = [_Match(h.start, h.end, ("term", h.term)) for h in hits if h.term in single]
    spans = [(h.start, h.end) for h in hits if h.term in single]
    for words, slop in phrases:
        occurrences, marked = _phrase(hits, words, slop)
        found.extend(occurrences)
        spans.extend(marked)
    found.sort(key=lambda m: (m.start, m.end))
    return found, _merge(spans)


def find_matches(text: str, spec: HighlightSpec, field: str) -> List[Span]:
    """Character spans of ``text`` to highlight for ``field``: sorted, merged, non-overlapping."""
    return _matches(text, spec, field)[1]


def highlight_whole(text: str, spec: HighlightSpec, *, field: str) -> Snippet:
    """The whole text, unchanged, with its matches (a title, or an article for ``show``)."""
    return Snippet(text, tuple(find_matches(text, spec, field)))


# --------------------------------------------------------------------------- fragments

_WS = re.compile(r"\s+")
_NON_SPACE = re.compile(r"\S")
# A sentence ends at . ! ? or … (with closing quotes or brackets) before whitespace, at
# 。！？ (no space follows in Chinese or Japanese), or at a blank line (headlines and list
# items often have no full stop).
_SENTENCE_END = re.compile(
    r"([.!?…]+[\"'”’»)\]]*)\s+|([。！？]+[」』”’）]*)\s*|\n[^\S\n]*\n\s*"
)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr gen col lt sgt capt gov sen rep prof vs inc corp co ltd"
    " jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_ELLIPSIS = "…"
_MIN_ELLIPSIS_BUDGET = 12  # shorter fragments are cut without ellipses: no room for them


class _Sentence(NamedTuple):
    """A sentence, stripped; ``size`` counts whitespace runs as one character. ``cut_*``:
    cut by the edge of the scanned region, so part of a longer sentence."""

    start: int
    end: int
    size: int
    cut_before: bool
    cut_after: bool


class _Candidate(NamedTuple):
    """A possible fragment, ``text[starts[-1]:ends[-1]]``, grown from its core
    ``text[starts[0]:ends[0]]``; it can shrink back to any entry of ``starts``/``ends``."""

    starts: Tuple[int, ...]
    ends: Tuple[int, ...]
    lead: bool
    trail: bool


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at ``dot`` ends "Mr", "Jan" or an initial ("U.S.", "J. Smith")."""
    begin = dot
    while begin > 0 and dot - begin < 6 and text[begin - 1].isalpha():
        begin -= 1
    word = text[begin:dot]
    return (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS


def _add_sentence(
    out: List[_Sentence], text: str, start: int, end: int, cut_before: bool, cut_after: bool
) -> None:
    """Append ``text[start:end]`` stripped, unless it is only whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        size = len(_WS.sub(" ", text[start:end]))
        out.append(_Sentence(start, end, size, cut_before, cut_after))


def _sentences(text: str, lo: int, hi: int, *, from_start: bool = False) -> List[_Sentence]:
    """The sentences of ``text[lo:hi]``; ``from_start``: only whitespace precedes ``lo``."""
    out: List[_Sentence] = []
    begin, cut = lo, not (lo == 0 or from_start)
    for end in _SENTENCE_END.finditer(text, lo, hi):
        if end.group(1) is not None:
            after = end.end()
            if after < len(text) and text[after].islower():
                continue
            if end.group(1) == "." and _is_abbreviation(text, end.start()):
                continue
            stop = end.end(1)
        elif end.group(2) is not None:
            stop = end.end(2)
        else:
            stop = end.start()
        _add_sentence(out, text, begin, stop, cut, False)
        begin, cut = end.end(), False
    _add_sentence(out, text, begin, hi, cut, hi < len(text))
    return out


def _window(text: str, sentence: _Sentence, at: int, budget: int) -> _Candidate:
    """A stretch of a sentence too long to show whole: from a little before ``at``, cut at
    word boundaries, with an ellipsis on each side where the sentence goes on."""
    ellipses = budget >= _MIN_ELLIPSIS_BUDGET
    start = max(sentence.start, at - budget // 4)
    if start > sentence.start and (text[start].isspace() or not text[start - 1].isspace()):
        gap = _WS.search(text, start, at)
        start = gap.end() if gap else at
    lead = ellipses and (start > sentence.start or sentence.cut_before)
    room = budget - lead
    if sentence.end - start <= room and not sentence.cut_after:
        return _Candidate((start,), (sentence.end,), lead, False)
    room -= ellipses
    end = min(start + room, sentence.end)
    if end < sentence.end:
        last = None
        for last in _WS.finditer(text, start, end + 1):
            pass
        if last is not None and last.start() > at:
            end = last.start()
        while end > start + 1 and text[end - 1].isspace():
            end -= 1
    trail = ellipses and (end < sentence.end or sentence.cut_after)
    return _Candidate((start,), (end,), lead, trail)


def _seeds(matches: Sequence[_Match], budget: int, limit: int) -> List[_Match]:
    """The ``limit`` matches that open the richest stretches of ``budget`` characters.

    Scored like fragments (distinct terms and phrases, then matches, then the earlier), so
    a long body with thousands of matches is split into sentences only where the best
    fragments can be, not everywhere.
    """
    if len(matches) <= limit:
        return list(matches)
    keys: Dict[Tuple[object, ...], int] = {}
    ranked = []
    j = 0
    for i, m in enumerate(matches):
        while j < len(matches) and matches[j].start < m.start + budget:
            keys[matches[j].key] = keys.get(matches[j].key, 0) + 1
            j += 1
        ranked.append(((len(keys), j - i, -m.start), i))
        keys[m.key] -= 1
        if not keys[m.key]:
            del keys[m.key]
    best = sorted(i for _, i in heapq.nlargest(limit, ranked))
    return [matches[i] for i in best]


def _run(sentences: Sequence[_Sentence], index: int, budget: int, *, back: bool) -> _Candidate:
    """Sentence ``index`` and the whole sentences after it that fit in ``budget``, then
    (``back``) the ones before it that still fit."""
    size = sentences[index].size
    ends = [sentences[index].end]
    for following in sentences[index + 1 :]:
        if following.cut_after or size + 1 + following.size > budget:
            break
        size += 1 + following.size
        ends.append(following.end)
    starts = [sentences[index].start]
    for preceding in reversed(sentences[:index] if back else ()):
        if preceding.cut_before or size + 1 + preceding.size > budget:
            break
        size += 1 + preceding.size
        starts.append(preceding.start)
    return _Candidate(tuple(starts), tuple(ends), False, False)


def _candidates(
    text: str, matches: Sequence[_Match], budget: int, *, limit: int
) -> List[_Candidate]:
    """Fragments worth scoring, near the ``limit`` best seeds: from each sentence with a
    match, a run of whole sentences around it (``_run``); in a sentence longer than the
    budget, a window around each match not already inside the previous window."""
    starts = [m.start for m in matches]
    margin = budget + budget // 2
    regions: List[List[int]] = []
    for m in _seeds(matches, budget, limit):
        lo, hi = max(0, m.start - margin), min(len(text), m.end + margin)
        if regions and lo <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], hi)
        else:
            regions.append([lo, hi])
    out: List[_Candidate] = []
    for lo, hi in regions:
        sentences = _sentences(text, lo, hi)
        for index, sentence in enumerate(sentences):
            first = bisect.bisect_left(starts, sentence.start)
            stop = bisect.bisect_left(starts, sentence.end)
            if first == stop:
                continue
            whole = not (sentence.cut_before or sentence.cut_after)
            if whole and sentence.size <= budget:
                out.append(_run(sentences, index, budget, back=True))
                continue
            covered = -1
            for m in matches[first:stop]:
                if m.start >= covered:
                    window = _window(text, sentence, m.start, budget)
                    covered = window.ends[-1]
                    out.append(window)
    return out


def _choose(candidates: List[_Candidate], matches: Sequence[_Match], count: int) -> List[_Candidate]:
    """Up to ``count`` non-overlapping fragments, most relevant first.

    Relevance: distinct terms and phrases matched, then matches, then the earlier. After
    each pick, runs reaching into it lose the sentences that do, and those whose core
    overlaps it are dropped.
    """
    starts = [m.start for m in matches]

    def score(start: int, end: int) -> Tuple[int, int, int]:
        inside = matches[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        return len({m.key for m in inside}), len(inside), -start

    pool = [(c, score(c.starts[-1], c.ends[-1])) for c in candidates]
    chosen: List[_Candidate] = []
    while pool and len(chosen) < count:
        best = max(pool, key=lambda item: item[1])[0]
        chosen.append(best)
        begin, end = best.starts[-1], best.ends[-1]
        kept = []
        for c, rank in pool:
            if c is best or (c.starts[0] < end and c.ends[0] > begin):
                continue  # its core overlaps the pick
            if c.starts[-1] < end and c.ends[-1] > begin:
                c = c._replace(
                    starts=tuple(x for x in c.starts if x >= end or c.starts[0] < begin),
                    ends=tuple(x for x in c.ends if x <= begin or c.ends[0] > end),
                )
                rank = score(c.starts[-1], c.ends[-1])
            kept.append((c, rank))
        pool = kept
    return chosen


def _render(text: str, fragment: _Candidate, spans: Sequence[Span]) -> Snippet:
    """The fragment's text, whitespace runs collapsed and ellipses added, with the spans
    that fall in it moved to the fragment's offsets."""
    start, end = fragment.starts[-1], fragment.ends[-1]
    runs = [(m.start(), m.end()) for m in _WS.finditer(text, start, end)]
    run_starts = [r[0] for r in runs]
    removed = [0]
    for run_start, run_end in runs:
        removed.append(removed[-1] + run_end - run_start - 1)
    shift = start - len(_ELLIPSIS) * fragment.lead

    def place(offset: int) -> int:
        i = bisect.bisect_right(run_starts, offset)
        if i and offset < runs[i - 1][1]:  # inside a run: keep at most its first character
            return offset - shift - removed[i - 1] - max(0, offset - runs[i - 1][0] - 1)
        return offset - shift - removed[i]

    marks: List[Span] = []
    i = max(0, bisect.bisect_left(spans, (start, -1)) - 1)
    while i < len(spans) and spans[i][0] < end:
        s, e = max(spans[i][0], start), min(spans[i][1], end)
        if s < e:
            marks.append((place(s), place(e)))
        i += 1
    body = _WS.sub(" ", text[start:end])
    snippet = _ELLIPSIS * fragment.lead + body + _ELLIPSIS * fragment.trail
    return Snippet(snippet, tuple(marks))


def _lead(text: str, budget: int) -> Optional[Snippet]:
    """The opening sentences that fit (or the start of the first), without highlights."""
    first = _NON_SPACE.search(text)
    if first is None:
        return None
    lo = first.start()
    sentences = _sentences(text, lo, min(len(text), lo + 4 * budget + 64), from_start=True)
    opening = sentences[0]
    if opening.cut_after or opening.size > budget:
        return _render(text, _window(text, opening, opening.start, budget), ())
    return _render(text, _run(sentences, 0, budget, back=False), ())


def snippets(
    text: str, spec: HighlightSpec, *, field: str = "body", count: int = 2, max_chars: int = 240,
    check: Optional[Callable[[], None]] = None,
) -> List[Snippet]:
    """Up to ``count`` passages of ``text`` around its matches, most relevant first.

    Each passage is one or more whole sentences, or a stretch of a long sentence cut at
    word boundaries with "…" where it goes on; its text, ellipses included, is at most
    ``max_chars`` long. Passages never overlap. When nothing in ``text`` matches (the hit
    matched its title or keywords), the one passage is the lead, without highlights; an
    empty or blank text gives no passage. ``check`` is called every few thousand words
    looked at, so that a caller's deadline can stop the work on a very long text (it raises).
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    if count < 1 or not text:
        return []
    matches, spans = _matches(text, spec, field, check=check)
    chosen: List[_Candidate] = []
    if matches:
        candidates = _candidates(text, matches, max_chars, limit=4 * count + 4)
        chosen = _choose(candidates, matches, count)
    if not chosen:
        lead = _lead(text, max_chars)
        return [lead] if lead is not None else []
    return [_render(text, fragment, spans) for fragment in chosen]


# --------------------------------------------------------------------------- formatters

_ANSI_MARK = "\x1b[1;33m"
_ANSI_RESET = "\x1b[0m"
# C0 and C1 controls but tab and line ends: an article must not drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def pieces(snippet: Snippet) -> List[Tuple[str, bool]]:
    """The snippet's text in order, as (piece, highlighted) pairs."""
    out: List[Tuple[str, bool]] = []
    at = 0
    for start, end in snippet.highlights:
        if start > at:
            out.append((snippet.text[at:start], False))
        out.append((snippet.text[start:end], True))
        at = end
    if at < len(snippet.text):
        out.append((snippet.text[at:], False))
    return out


def to_ansi(snippet: Snippet, *, color: bool) -> str:
    """Terminal text: matches in bold yellow when ``color``, plain text otherwise.

    Control characters in the article are replaced by U+FFFD either way, so a crafted
    article cannot move the cursor or change the terminal's colours.
    """
    parts = []
    for piece, marked in pieces(snippet):
        piece = _CONTROL.sub("\ufffd", piece)
        parts.append(_ANSI_MARK + piece + _ANSI_RESET if marked and color else piece)
    return "".join(parts)


def to_html(snippet: Snippet) -> str:
    """HTML: every piece of text escaped, matches wrapped in ``<mark>``."""
    return "".join(
        f"<mark>{html.escape(piece)}</mark>" if marked else html.escape(piece)
        for piece, marked in pieces(snippet)
    )


def to_marked(snippet: Snippet, left: str = "[", right: str = "]") -> str:
    """Plain text with each match between ``left`` and ``right`` (for text files and CSV)."""
    return "".join(left + piece + right if marked else piece for piece, marked in pieces(snippet))
