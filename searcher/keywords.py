"""Keyword and keyphrase extraction for news articles.

``extract_keywords(title, body)`` returns a handful of lower-case keywords or keyphrases
("north korea", "ballistic missiles", "betsy devos"), best first. They are stored in the
``keywords`` field, searchable as ``keyword:"north korea"`` and shown with every hit, so
they must read well to a journalist; and extraction runs once per article while
indexing, so it must cost well under a millisecond for a typical article.

Method (chosen over YAKE by measurement: YAKE costs 30-50 ms an article and returns
overlapping fragments such as "pence casting historic"; see
``benchmarks/keywords_bench.py``): one pass splits the text into runs of content words
between stopwords and punctuation; the 1-3 word n-grams of a run are the candidates.
Candidates are scored by frequency, first position, presence in the title,
capitalisation away from sentence starts (proper nouns such as "North Korea" or "Pence")
and a rarity prior (a built-in lexicon of common English words, or document frequencies
from an index when the caller has them). A greedy pass then drops near-duplicates
("missile" beside "missiles", "korea" beside "north korea") and shows a surname as the
full name used in the text ("devos" as "betsy devos").

Speed comes from caching what does not depend on the article (the classification of
each whitespace-separated chunk, the shape of each n-gram), counting in C
(``Counter``), and scoring in full only the n-grams whose upper bound can still make the
cut. Everything is pure Python and per process; the caches are bounded.

The word lists (``searcher.keyword_lexicon``) are written for this project from general
knowledge of English and of news copy; they are not taken from any corpus.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from typing import Callable, Dict, List, Optional, Tuple

from searcher.keyword_lexicon import (
    ABBREVIATIONS as _ABBREVIATIONS,
    ADJECTIVE_COMPOUND_ENDS as _ADJECTIVE_COMPOUND_ENDS,
    COMMON as _COMMON,
    HARD as _HARD,
    LY_NOUNS as _LY_NOUNS,
    MEDIA as _MEDIA,
    MODIFIERS as _MODIFIERS,
    PARTICLES as _PARTICLES,
    SOFT as _SOFT,
    TITLES as _TITLES,
)

__all__ = ["extract_keywords", "DEFAULT_COUNT", "MAX_CHARS"]

#: How many keywords ``extract_keywords`` returns when not told otherwise.
DEFAULT_COUNT = 8
#: Only the first this many characters of a body are read: news puts its subject up
#: front, and it bounds the cost of a pathological multi-megabyte "article".
MAX_CHARS = 10_000


_TOKEN = re.compile(r"\w+(?:['’\-.&]\w+)*|[.!?]+|[^\w\s]")
_MAX_WORD = 30

# Token kinds. Below _BOUNDARY a token is part of a run: a content word, a generic
# modifier that may lead a phrase, or a generic word that counts only inside a fully
# capitalised phrase. From _BOUNDARY up, a token ends the run.
_CONTENT, _MODIFIER, _GENERIC, _BOUNDARY, _OF, _SENTENCE, _STOP = range(7)

#: What the scanner needs to know of one token: (lower-case word, kind, capitalised,
#: ends the run after itself, is an abbreviation whose "." does not end a sentence).
_Info = Tuple[str, int, bool, bool, bool]
#: Whitespace-separated chunk of text -> its tokens, classified. News vocabulary repeats
#: so much that nearly every chunk is a hit: one dict lookup instead of a regex match and
#: half a dozen set lookups per word.
_CHUNKS: Dict[str, Tuple[_Info, ...]] = {}
#: Bounds of the caches, in entries; each is cleared (then refilled) when it overflows.
#: Together they hold under 50 MB (measured over 6,000 articles).
_MAX_CHUNKS = 100_000
_MAX_SHAPES = 30_000
# English news has 20-50% stopwords per whitespace-separated chunk; other languages
# (and scripts written without spaces) have next to none. The lexicon and the rules are
# English, and their output on other languages is noise: those texts get no keywords.
_MIN_STOP_SHARE = 0.1
_MIN_CHECKED = 100  # characters: shorter texts are not judged


def _classify(tok: str) -> _Info:
    """Classify one token (a word or a punctuation mark)."""
    first = tok[0]
    if not (first.isalnum() or first == "_"):
        return ("", _SENTENCE if first in ".!?" else _BOUNDARY, False, True, False)
    word = tok.lower().replace("’", "'")
    possessive = word.endswith("'s")
    if possessive:
        word = word[:-2]
    caps = first.isupper()
    abbreviation = word in _ABBREVIATIONS
    if word == "of":
        return (word, _OF if tok == "of" else _STOP, caps, True, False)
    if tok == "May":
        return (word, _CONTENT, True, False, False)  # "Theresa May", never alone (_Shape)
    if word in _HARD:
        return (word, _STOP, caps, True, abbreviation)
    if first.isdigit() or len(tok) > _MAX_WORD or "_" in word or not word:
        return (word, _BOUNDARY, caps, True, abbreviation)
    if "." in word and any(len(part) > 2 for part in word.split(".")):
        return (word, _BOUNDARY, caps, True, False)  # a web address, or "end.Next"
    if word in _PARTICLES:
        return (word, _GENERIC, True, False, False)
    kind = _CONTENT
    if "-" in word:
        # A compound is capitalised when its head is ("Al-Bashir", not "US-backed").
        head = tok.rsplit("-", 1)[1]
        caps = head[:1].isupper()
        if not caps and (
            head.endswith(_ADJECTIVE_COMPOUND_ENDS) or any(p in _HARD for p in word.split("-"))
        ):
            return (word, _MODIFIER, False, False, False)  # "us-backed", "year-earlier"
    if word in _SOFT or (len(word) > 4 and word.endswith("ly") and word not in _LY_NOUNS):
        if caps:
            kind = _GENERIC
        elif word in _MODIFIERS:
            kind = _MODIFIER
        else:
            kind = _BOUNDARY
    return (word, kind, caps, possessive or word in _TITLES, abbreviation)


#: Token -> its classification: the second-level cache, for chunks not seen before
#: ("Korea," after "Korea.") whose words mostly have been.
_TOKENS: Dict[str, _Info] = {}


def _chunk(chunk: str) -> Tuple[_Info, ...]:
    """The classified tokens of a whitespace-separated chunk, through both caches."""
    infos = _CHUNKS.get(chunk)
    if infos is None:
        if chunk.startswith(("@", "http", "www.")):
            infos = (("", _BOUNDARY, False, True, False),)  # a handle or an address
        else:
            tokens = _TOKENS
            found = []
            for tok in _TOKEN.findall(chunk):
                info = tokens.get(tok)
                if info is None:
                    info = tokens[tok] = _classify(tok)
                found.append(info)
            infos = tuple(found)
            if len(tokens) >= _MAX_CHUNKS:
                tokens.clear()
        if len(_CHUNKS) >= _MAX_CHUNKS:
            _CHUNKS.clear()
        _CHUNKS[chunk] = infos
    return infos


class _Counts:
    """Occurrence statistics of the candidate n-grams of one text, key by key.

    ``first`` is the index of the first occurrence in the sequence of all n-gram
    occurrences, a stand-in for word position. ``caps`` counts occurrences capitalised
    away from a sentence start (for a phrase: every word capitalised), ``initial``
    capitalised ones opening a sentence, where a capital proves nothing. ``english`` is
    false for a text long enough to judge with almost no English stopwords.
    """

    __slots__ = ("count", "first", "caps", "initial", "english")

    def __init__(self, keys: List[str], caps: List[str], initial: List[str]) -> None:
        # Counting and first positions in C (Counter, dict over a zip): this runs for
        # every n-gram of every indexed article.
        self.count: Dict[str, int] = Counter(keys)
        self.first: Dict[str, int] = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
        self.caps: Dict[str, int] = Counter(caps)
        self.initial: Dict[str, int] = Counter(initial)
        self.english = True


def _scan(text: str, *, title: bool) -> _Counts:
    """Every candidate n-gram occurrence of ``text``, counted.

    A run is a sequence of content words; it ends at punctuation, at a stopword, at a
    number, at a lower-case generic word, after a possessive and after a job title (so
    "president mike pence" never forms). Unigrams and bigrams are counted, and trigrams
    either fully capitalised ("kim jong un") or fully lower-case ("stamp duty threshold",
    not "white house senior"), plus "X of Y" between capitalised words ("bank of
    england"). In a title every word counts as capitalised and sentence-initial: headlines
    are often in Title Case, so their capitals prove nothing.
    """
    keys: List[str] = []
    caps_keys: List[str] = []
    initial_keys: List[str] = []
    add = keys.append
    add_caps = caps_keys.append
    cache = _CHUNKS
    initial = True
    after_abbreviation = False
    w1 = w2 = ""  # the previous two words of the current run, "" when none
    c1 = c2 = False  # ... whether they were capitalised
    k1 = k2 = _CONTENT  # ... and their kinds
    last_cap = ""  # the previous token, when a capitalised content word
    of_left = ""  # a capitalised word just before "of", waiting for its right side
    chunks = text.split()
    stops = 0  # English stopwords seen: too few, and the text is not English
    for chunk in chunks:
        infos = cache.get(chunk)
        if infos is None:
            infos = _chunk(chunk)
        for word, kind, caps, ends_run, abbreviation in infos:
            if kind >= _BOUNDARY:
                of_left = last_cap if kind == _OF and last_cap not in _TITLES else ""
                last_cap = w1 = w2 = ""
                if kind == _SENTENCE:
                    if not after_abbreviation:
                        initial = True
                else:
                    initial = False
                    if kind != _BOUNDARY:
                        stops += 1
                after_abbreviation = abbreviation
                continue
            after_abbreviation = abbreviation
            caps = caps or title
            if kind == _CONTENT:
                add(word)
                if caps:
                    if initial or title:
                        initial_keys.append(word)
                    else:
                        add_caps(word)
                    if of_left:
                        key = f"{of_left} of {word}"
                        add(key)
                        add_caps(key)
                last_cap = word if caps else ""
            else:
                last_cap = ""
            of_left = ""
            initial = False
            if w1:
                both = c1 and caps
                # Not lower-case into a capital: a verb or a preposition and its object
                # ("endorsing SDF", "visit Moscow"), rarely a name.
                if (both and kind != _GENERIC) or (
                    k1 != _GENERIC and kind == _CONTENT and (c1 or not caps)
                ):
                    key = f"{w1} {word}"
                    add(key)
                    if both:
                        add_caps(key)
                if w2:
                    if both and c2 and kind != _GENERIC:
                        key = f"{w2} {w1} {word}"
                        add(key)
                        add_caps(key)
                    elif not (caps or c1 or c2) and kind == _CONTENT and k2 == _CONTENT:
                        add(f"{w2} {w1} {word}")  # "national wildlife refuges"
            if ends_run:
                w1 = w2 = ""
            else:
                w2, c2, k2 = w1, c1, k1
                w1, c1, k1 = word, caps, kind
    counts = _Counts(keys, caps_keys, initial_keys)
    counts.english = len(text) < _MIN_CHECKED or stops >= _MIN_STOP_SHARE * len(chunks)
    return counts


_SIZE_WEIGHT = (0.0, 1.0, 1.7, 2.0)
_ADJECTIVE_ENDINGS = ("ous", "ive", "ful", "less", "able", "ible", "ish")
_COMMON_PRIOR = 0.45
_GENERIC_PRIOR = 0.5
_STEMS: Dict[str, str] = {}
_pow = math.pow
#: How many candidates are scored in full, and chosen, at least.
_KEEP = 24
_SELECTED = 10


def _stem(word: str) -> str:
    """A crude, cached normal form used only to spot near-duplicates.

    Plurals lose their ending ("missiles", "countries", "taxes"); dropping the "n" of
    "-an" merges most demonyms with their country ("korean", "korea"). Other inflections
    are left to ``_same_word``'s prefix test ("test", "testing"): a full stemmer costs
    more than the rest of the extraction for an article's new words.
    """
    stem = _STEMS.get(word)
    if stem is None:
        stem = word
        n = len(word)
        if (
            word[-1] == "s"
            and ((n > 3 and word[-2] not in "su'") or (n == 3 and word[1] not in "aeiou"))
            and "." not in word
        ):
            if word.endswith("ies") and n > 4:
                stem = word[:-3] + "y"
            elif word.endswith(("ches", "shes", "sses", "xes", "zes")):
                stem = word[:-2]
            else:
                stem = word[:-1]
        if len(stem) > 4 and stem.endswith("an"):
            stem = stem[:-1]
        if len(_STEMS) >= _MAX_SHAPES:
            _STEMS.clear()
        _STEMS[word] = stem
    return stem


def _same_word(a: str, b: str) -> bool:
    """Whether two stems are one word for the reader ("iran" and "iranian")."""
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and len(long_) - len(short) <= 3 and long_.startswith(short)


def _contains(outer: Tuple[str, ...], inner: Tuple[str, ...]) -> bool:
    """Whether ``inner`` is a contiguous part of ``outer``, word by near-identical word."""
    n = len(inner)
    for i in range(len(outer) - n + 1):
        if all(_same_word(outer[i + j], inner[j]) for j in range(n)):
            return True
    return False


def _overlaps(a: Tuple[str, ...], b: Tuple[str, ...]) -> bool:
    """Whether two phrases are pieces of one longer name ("los angeles film" and
    "angeles film critics", "new york" and "york state"): one ends as the other begins."""
    for n in range(1, min(len(a), len(b))):
        if a[-n:] == b[:n] or b[-n:] == a[:n]:
            return True
    return False


class _Shape:
    """What scoring and selection need to know of an n-gram by itself, whatever the
    article: its words, their stems, the lexicon rarity and the part-of-speech hints.
    Cached per n-gram, as the same phrases come back article after article."""

    __slots__ = ("words", "stems", "heads", "rarity", "weak", "media")

    def __init__(self, key: str) -> None:
        self.words = tuple(key.split(" "))
        self.stems = tuple(_stem(w) for w in self.words)
        # Two words can only be "the same" (see _same_word) if they share these.
        self.heads = frozenset(s[:4] for s in self.stems)
        self.rarity = _rarity(self.words, _lexicon_prior)
        if (len(self.words) == 1 and key in _HARD) or len(self.words[-1]) < 2:
            self.rarity = 0.0  # "may" alone; a stray letter ("Â" of a mis-decoded "£")
        elif len(self.words) == 1 and key in _TITLES:
            self.rarity *= 0.5  # "president", "mp": the name or the office says more
        last = self.words[-1]
        # Demotions when the n-gram is not a proper noun: a lone adjective, a phrase
        # ending in a verb ("missiles launched"), a lone word of one or two letters.
        weak = 1.0
        if len(self.words) == 1:
            if len(key) < 3:
                weak = 0.0
            elif key.endswith(_ADJECTIVE_ENDINGS):
                weak = 0.6
        if len(last) > 4 and last.endswith("ed") and not last.endswith("eed"):
            weak *= 0.3
        self.weak = weak
        # Outlets naming themselves ("told ABC News"), unless the article is about one.
        self.media = 0.3 if last in _MEDIA else 1.0


_SHAPES: Dict[str, _Shape] = {}


def _shape(key: str) -> _Shape:
    shape = _SHAPES.get(key)
    if shape is None:
        if len(_SHAPES) >= _MAX_SHAPES:
            _SHAPES.clear()
        shape = _SHAPES[key] = _Shape(key)
    return shape


class _Candidate:
    """A scored keyword candidate: its displayed form and the figures selection uses."""

    __slots__ = ("text", "score", "shape", "count", "proper")

    def __init__(self, text: str, score: float, count: int, proper: float) -> None:
        self.text = text
        self.score = score
        self.shape = _shape(text)
        self.count = count
        self.proper = proper

    def rename(self, text: str) -> None:
        """Show the candidate as ``text`` (and compare it as such)."""
        self.text = text
        self.shape = _shape(text)


def _truncate(body: str) -> str:
    if len(body) <= MAX_CHARS:
        return body
    cut = body.rfind(" ", MAX_CHARS - 200, MAX_CHARS)
    return body[: cut if cut > 0 else MAX_CHARS]


def _lexicon_prior(word: str) -> float:
    """Rarity weight of a word from the built-in lexicon: common words count less."""
    if word in _COMMON:
        return _COMMON_PRIOR
    if word in _SOFT:
        return _GENERIC_PRIOR
    return 1.0


def _index_prior(doc_freq: Callable[[str], float]) -> Callable[[str], float]:
    """Rarity weight in [0.1, 1] from an index's document frequencies (1 below 0.1%)."""
    cache: Dict[str, float] = {}
    scale = math.log(1000.0)

    def prior(word: str) -> float:
        weight = cache.get(word)
        if weight is None:
            df = min(max(float(doc_freq(word)), 1e-6), 1.0)
            weight = cache[word] = min(1.0, max(0.1, math.log(1.0 / df) / scale))
        return weight

    return prior


def _rarity(words: Tuple[str, ...], prior: Callable[[str], float]) -> float:
    """Rarity of an n-gram: between its rarest word's and its words' mean (a phrase of
    common words such as "public schools" stays weaker than "school vouchers")."""
    if len(words) == 1:
        return prior(words[0])
    weights = [prior(w) for w in words if w != "of"]
    return (max(weights) + sum(weights) / len(weights)) / 2


def _proper(key: str, counts: _Counts) -> float:
    """How much ``key`` looks like a proper noun, 0 to 1: its share of capitalised
    occurrences, counting only those away from sentence starts (0.5 when unknown)."""
    caps = counts.caps.get(key, 0)
    if " " in key:
        return caps / counts.count[key]
    seen = counts.count[key] - counts.initial.get(key, 0)
    return caps / seen if seen > 0 else 0.5


def _bound(key: str, counts: _Counts, in_title: bool, proper: float) -> float:
    """The score of ``key`` before the rarity and part-of-speech factors, all of which
    are at most 1: an upper bound of its final score, cheap enough for every n-gram."""
    tf = counts.count[key] + (1 if in_title else 0)
    score = _pow(tf, 0.8) * (1.0 + proper) * (1.0 + 1.5 / (1.0 + counts.first[key] / 50.0))
    score *= _SIZE_WEIGHT[min(key.count(" ") + 1, 3)]
    return score * 2.0 if in_title else score


def _candidates(
    counts: _Counts, title: _Counts, want: int, prior: Optional[Callable[[str], float]]
) -> List[_Candidate]:
    """The best-scoring n-grams, inflections of one phrase merged into one candidate.

    An n-gram seen once is a candidate only when it is in the title or when the text is
    too short to offer enough repeated ones. Scores are computed in full only while an
    n-gram's upper bound can still beat the ``_KEEP``-th best full score (more when
    more keywords are wanted; a fixed floor so that fewer keywords are a prefix of more).
    """
    in_title = title.count
    keys = [k for k, n in counts.count.items() if n >= 2]
    keys.extend(k for k in in_title if counts.count.get(k) == 1)
    if len(keys) < max(_KEEP // 2, 2 * want):
        keys = list(counts.count)
    bounded = []
    for key in keys:
        proper = _proper(key, counts)
        bounded.append((_bound(key, counts, key in in_title, proper), key, proper))
    bounded.sort(reverse=True)
    keep = max(_KEEP, 2 * want + 4)
    best: List[float] = []  # a min-heap of the ``keep`` best full scores so far
    merged: Dict[Tuple[str, ...], _Candidate] = {}
    for bound, key, proper in bounded:
        if len(best) >= keep and bound <= best[0]:
            break
        shape = _shape(key)
        score = bound * (shape.rarity if prior is None else _rarity(shape.words, prior))
        if proper < 0.5:
            score *= shape.weak
        if key not in in_title:
            score *= shape.media
        if score <= 0.0:
            continue
        if len(best) < keep:
            heapq.heappush(best, score)
        elif score > best[0]:
            heapq.heapreplace(best, score)
        other = merged.get(shape.stems)
        if other is None:
            merged[shape.stems] = _Candidate(key, score, counts.count[key], proper)
            continue
        # Inflections of one phrase: keep the commoner spelling, pool the evidence.
        n = counts.count[key]
        if n > other.count or (n == other.count and score > other.score):
            other.rename(key)
        other.score = max(score, other.score) + 0.5 * min(score, other.score)
        other.count += n
        other.proper = max(other.proper, proper)
    return sorted(merged.values(), key=lambda c: -c.score)


def _titled(phrase: str) -> bool:
    """Whether a phrase begins or ends with a job title (not a name, then)."""
    return phrase.partition(" ")[0] in _TITLES or phrase.rpartition(" ")[2] in _TITLES


class _Names:
    """The capitalised two-word names of an article, for showing a proper noun whole.

    ``full[w]`` is the commonest "Forename Surname" ending in ``w`` ("betsy devos" for
    "devos"); ``within[w]`` the commonest capitalised phrase holding ``w`` at all ("north
    korea" for "korea"), and ``inside[w]`` roughly how many of ``w``'s occurrences such
    phrases account for.
    """

    __slots__ = ("full", "within", "inside")

    def __init__(self, counts: _Counts) -> None:
        self.full: Dict[str, str] = {}
        self.within: Dict[str, str] = {}
        self.inside: Dict[str, int] = {}
        count = counts.count
        first = counts.first
        names = [
            key
            for key, caps in counts.caps.items()
            if " " in key and caps == count[key] and not _titled(key)
        ]
        for key in sorted(names, key=lambda k: (-count[k], k.count(" "), first[k])):
            words = key.split(" ")
            for word in words:
                self.inside[word] = self.inside.get(word, 0) + count[key]
                self.within.setdefault(word, key)
            head, tail = words[0], words[-1]
            if len(words) == 2 and not (
                head in _SOFT or head in _COMMON or tail in _COMMON or head in _PARTICLES
            ):
                self.full.setdefault(tail, key)

    def whole(self, word: str, count: int) -> Optional[str]:
        """The name to show for the proper noun ``word`` seen ``count`` times, if any."""
        if 2 * self.inside.get(word, 0) > count:
            return self.within[word]  # mostly a piece of a name ("korea")
        return self.full.get(word)


def _redundant(cand: _Candidate, chosen: List[_Candidate]) -> bool:
    """Whether ``cand`` says nothing new next to ``chosen``; may swap in ``cand`` for a
    chosen word it contains (the phrase is preferred when it covers half the word's uses).
    """
    covered = 0
    shape = cand.shape
    stems = shape.stems
    for i, old in enumerate(chosen):
        prev = old.shape
        if shape.heads.isdisjoint(prev.heads):
            continue
        if len(prev.stems) == len(stems):
            if all(map(_same_word, prev.stems, stems)):
                return True
        elif len(prev.stems) > len(stems):
            if _contains(prev.stems, stems):
                covered += old.count
                continue
        elif _contains(stems, prev.stems):
            if 2 * cand.count >= old.count and shape.weak == 1.0 and not any(
                _overlaps(c.shape.words, shape.words) for c in chosen
            ):
                chosen[i] = cand
                # Drop what the phrase now covers ("protesters" once "killing protesters"
                # replaced "killing"), unless it mostly stands on its own.
                chosen[:] = [
                    c
                    for c in chosen
                    if c is cand
                    or not _contains(stems, c.shape.stems)
                    or c.count - cand.count >= max(3, 0.6 * c.count)
                ]
            return True
        if _overlaps(prev.words, shape.words) or _same_word("".join(stems), "".join(prev.stems)):
            return True  # "new york" and "york state"; "time warner" and "timewarner"
    return covered > 0 and cand.count - covered < max(3, 0.6 * cand.count)


def _select(ranked: List[_Candidate], want: int, counts: _Counts) -> List[_Candidate]:
    """Greedy choice of the best candidates that say something new.

    A phrase inside an already chosen one ("korea" after "north korea") survives only if
    it mostly occurs on its own; a surname is shown as the full name the article uses
    ("devos" as "betsy devos"). Once enough are chosen, a few more candidates are still
    looked at, as they may replace a chosen word by a phrase ("sex" by "sex
    trafficking"). Always choosing at least ``_SELECTED`` makes fewer keywords a prefix
    of more.
    """
    target = max(want, _SELECTED)
    chosen: List[_Candidate] = []
    names: Optional[_Names] = None
    for seen, cand in enumerate(ranked):
        if len(chosen) >= target and seen >= 2 * target:
            break
        if _redundant(cand, chosen) or len(chosen) >= target:
            continue
        if cand.proper >= 0.5 and " " not in cand.text:
            if names is None:
                names = _Names(counts)
            name = names.whole(cand.text, cand.count)
            if name is not None:
                cand.rename(name)
                cand.count = counts.count[name]
                if _redundant(cand, chosen):
                    continue
        chosen.append(cand)
    return chosen[:want]


def _display(phrase: str) -> str:
    """Dotted abbreviations get their final dot back ("u.n" -> "u.n.")."""
    if "." not in phrase:
        return phrase
    return " ".join(
        w + "." if "." in w and all(len(p) <= 2 for p in w.split(".")) else w
        for w in phrase.split(" ")
    )


def extract_keywords(
    title: str,
    body: str,
    *,
    count: int = DEFAULT_COUNT,
    doc_freq: Optional[Callable[[str], float]] = None,
) -> Tuple[str, ...]:
    """The ``count`` best keywords or keyphrases of an article, lower-case, best first.

    Fewer come back for very short texts, and ``()`` for texts with no content words or
    that are not in English (the word lists and rules are English ones).
    ``doc_freq``, when given, maps a lower-case word to the fraction of indexed documents
    that contain it (0 for unknown words); it replaces the built-in rarity lexicon, so
    only pass it once an index holds enough articles (a few hundred) for the figures to
    mean something. Only the first ``MAX_CHARS`` characters of the body are read.
    """
    if count <= 0:
        return ()
    counts = _scan(_truncate(body), title=False)
    title_counts = _scan(title[:1000], title=True)
    if not counts.english:
        return ()
    if not counts.count:
        # A headline-only article: the title is all there is (headline words are often
        # verbs, which is why the title alone never makes a candidate otherwise).
        counts = title_counts
    if not counts.count:
        return ()
    prior = None if doc_freq is None else _index_prior(doc_freq)
    ranked = _candidates(counts, title_counts, count, prior)
    return tuple(dict.fromkeys(_display(c.text) for c in _select(ranked, count, counts)))
