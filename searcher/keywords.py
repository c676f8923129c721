"""Keyword and keyphrase extraction for news articles.

``extract_keywords(title, body)`` returns a handful of lower-case keywords or keyphrases
("north korea", "ballistic missiles", "betsy devos"), best first. They are stored in the
``keywords`` field, searchable as ``keyword:"north korea"`` and shown with every hit, so
they must read well to a journalist; and extraction runs once per article while
indexing, so it must cost well under a millisecond for a typical article.

Method (chosen over YAKE by measurement, see ``benchmarks/keywords_bench.py``): one regex
pass splits the text into runs of content words between stopwords and punctuation;
every 1-3 word n-gram of a run is a candidate. Candidates are scored by frequency, first
position, presence in the title, capitalisation away from sentence starts (proper nouns
such as "North Korea" or "Pence") and a rarity prior (a built-in lexicon of common
English words, or document frequencies from an index when the caller has them). A
greedy pass then drops near-duplicates ("missile" beside "missiles", "korea" beside
"north korea") and expands a surname to the full name used in the text ("devos" to
"betsy devos").

The word lists below are written for this module from general knowledge of English and
of news copy; they are not taken from any corpus.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Callable, Dict, FrozenSet, List, Optional, Tuple

from whoosh.lang.porter import stem as _porter_stem

__all__ = ["extract_keywords", "DEFAULT_COUNT", "MAX_CHARS"]

#: How many keywords ``extract_keywords`` returns when not told otherwise.
DEFAULT_COUNT = 8
#: Only the first this many characters of a body are read: news puts its subject up
#: front, and it bounds the cost of a pathological multi-megabyte "article".
MAX_CHARS = 20_000


def _words(text: str) -> FrozenSet[str]:
    return frozenset(text.split())


# Never part of a keyword: function words, contractions, reporting verbs, dates and
# numbers in words, and the boilerplate of news pages. They end a candidate run.
_HARD = _words("""
a about above across after afterwards again against ago ahead all almost alone along already
also although always am among amongst an and another any anybody anyone anything anyway
anywhere are aren't around as at away be became because become becomes becoming been before
beforehand behind being below beside besides between beyond both but by can can't cannot
could couldn't did didn't do does doesn't doing don't done down during each either else
elsewhere enough etc even ever every everybody everyone everything everywhere except few for
formerly from further furthermore had hadn't has hasn't have haven't having he he'd he'll
he's hence her here here's hers herself him himself his how however i i'd i'll i'm i've if in
indeed instead into is isn't it it's its itself just least less let let's like many may maybe
me meanwhile might mine more moreover most mostly much must my myself namely neither never
nevertheless no nobody none nor not nothing now nowhere of off often on once one ones only onto
or other others otherwise our ours ourselves out over own per perhaps quite rather really
same several she she'd she'll she's should shouldn't since so some somebody someone something
sometime sometimes somewhat somewhere such than that that's the their theirs them themselves
then there there's thereby therefore these they they'd they'll they're they've this those
though through throughout thus to together too toward towards under unless unlike until up
upon us very via was wasn't we we'd we'll we're we've were weren't what what's whatever when
whenever where whereas wherever whether which while who who's whoever whom whose why will
with within without won't would wouldn't yet you you'd you'll you're you've your yours
yourself yourselves despite amid amidst unto thereof whilst ok okay yes oh um lot lots
said say says saying told tell tells telling according added adding asked ask asks
stated noted explained insisted declined confirmed reportedly allegedly apparently
regarding concerning
year years yr yrs percent cent pct mr mrs ms dr sen rep gov lt gen col st prof jr sr vs
today yesterday tomorrow tonight week weeks weekend month months ago
monday tuesday wednesday thursday friday saturday sunday january february march april june
july august september october november december jan feb mar apr jun jul aug sep sept oct nov
dec zero two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions
billion billions trillion dozen dozens half
click here read image images copyright caption getty photo photos video videos pictured
subscribe newsletter advertisement story stories related email share reuters afp ap
so-called etc. e.g i.e am pm a.m p.m gmt bst est
""")

# Generic words: useless alone or at the edge of a phrase when lower-case, but part of a
# name when capitalised ("New York", "White House", "Prime Minister", "South Korea").
_SOFT = _words("""
new first second third fourth fifth sixth seventh eighth ninth tenth last next daily weekly former latest previous recent current
good better best bad worse worst great greater greatest big bigger biggest small smaller
large larger largest long longer longest high higher highest low lower lowest old older
young younger little important different major likely possible real clear full whole
early earlier late later certain sure free true hard easy strong able available main key
top past following final total various similar simple special general common particular
significant serious huge massive entire additional open close wide short right wrong
nice fine poor only own other another such even still well back far near around away
north south east west northern southern eastern western central
make makes made making take takes took taken taking get gets got getting go goes went gone
going come comes came coming see sees saw seen know knows knew known think thinks thought
want wants wanted need needs needed use uses used using find finds found give gives gave
given show shows showed shown call calls called look looks looked help helps helped try
tries tried keep keeps kept leave leaves left put puts mean means meant begin begins began
begun seem seems seemed turn turns turned start starts started move moves moved run runs ran
hold holds held bring brings brought happen happens happened write writes wrote provide
provides provided sit stand stands lose loses lost pay pays paid meet meets met include
includes included including continue continues continued set learn change changed lead
leads led understand follow follows followed stop stopped create created speak speaks spoke
allow allows allowed add adds spend grow offer offered remember consider considered appear
appears appeared wait expect expects expected remain remains remained suggest suggests
suggested raise raised pass passed require requires required decide decided believe
believes believed feel feels felt become want wanted plan planned hope hoped agree agreed
warned warns warn describe described announce announced claim claims claimed reveal
revealed insist argue argued accept accepted face faces faced deal dealt tend took
announcing including according making taking giving getting saying
people person thing things way ways part parts place places point points case cases fact
facts number numbers kind sort type types area areas side sides end ends level levels form
example examples reason reasons result results idea ideas issue issues problem problems
question questions matter matters position situation course term terms line lines time times
day days moment period something anything everything nothing someone everyone lot
statement comment comments spokesman spokeswoman spokesperson source sources
""")

# Frequent news vocabulary that can be a keyword but is weak evidence on its own.
_COMMON = _words("""
government governments country countries state states city cities police school schools
company companies market markets business businesses money war military law laws court
courts health house home homes world child children woman women man men family families
group groups party parties president minister secretary official officials leader leaders
member members public national international security report reports media news service
services system systems program programs programme plan plans policy policies power water
energy food land job jobs work workers worker team teams game games season club players
player music film films show shows election elections vote votes voting campaign support
talks rights data research study studies price prices cost costs tax taxes bank banks
industry economy economic political social foreign local global private force forces office
administration department agency board council committee director chief executive chairman
head staff community society history information technology development management control
process project care life lives death deaths student students teacher teachers parent
parents friend friends order action actions attack attacks record records deal deals
decision decisions change changes growth rate rates sales profit profits share shares firm
firms customer customers product products bill bills act measure measures move moves
response efforts effort plan move trade trip visit meeting meetings event events series
interview spokesman chance risk risks effect effects impact role interest interests value
support view views concern concerns claim claims evidence investigation case charges
region regions area border borders capital street road building center centre site sites
million age ages term job income pay cash fund funds budget spending debt loan loans
season match matches win wins victory title cup league final round race
film music album band song songs star stars award awards show series book books
phone phones mobile internet online web computer software users user network networks
u.s u.s.a usa u.k uk
country leaders nation nations republic union army troops soldiers weapons
""")

# Generic adjectives that still make a phrase when they lead one ("first lady", "free
# trade", "high school", "central bank"); alone or at a phrase's end they stay generic.
_MODIFIERS = _words("""
first free high open early general special central real hard public
""")

# Honorifics and job titles: a keyphrase may end with one ("vice president", "prime
# minister") but never runs on into the name after it ("president mike pence").
_TITLES = _words("""
president minister secretary senator governor chancellor mayor leader chief chairman
chairwoman chair spokesman spokeswoman spokesperson director judge justice king queen
prince princess pope general commander ambassador envoy official officials coach manager
captain boss founder ceo correspondent editor reporter analyst professor lawmaker
lawmakers senators representative congressman congresswoman
""")

# Words whose trailing "." does not end a sentence.
_ABBREVIATIONS = _words("mr mrs ms dr sen rep gov lt gen col st prof jr sr vs inc co corp ltd no mt ft")

# Words ending in "ly" that are not adverbs.
_LY_NOUNS = _words("""
family supply assembly rally ally anomaly monopoly reply italy july bully jelly belly fly
holy lily oily ugly silly reilly kelly emily sally molly polly billy willy wembley
""")

# Outlets naming themselves ("told ABC News", "BBC Sport"): boilerplate unless in the title.
_MEDIA = _words("""
news sport sports online radio tv television website bbc cnn abc nbc cbs msnbc npr
""")

_TOKEN = re.compile(r"\w+(?:['’\-.&]\w+)*|[.!?]+|[^\w\s]")
_MAX_WORD = 30

# Token kinds. Below _BOUNDARY a token is part of a run: a content word, a generic
# modifier that may lead a phrase, or a generic word that counts only inside a fully
# capitalised phrase. From _BOUNDARY up, a token ends the run.
_CONTENT, _MODIFIER, _GENERIC, _BOUNDARY, _OF, _SENTENCE = range(6)

#: What the scanner needs to know of one token: (lower-case word, kind, capitalised,
#: ends the run after itself, is an abbreviation whose "." does not end a sentence).
_Info = Tuple[str, int, bool, bool, bool]
#: Whitespace-separated chunk of text -> its tokens, classified. News vocabulary repeats
#: so much that nearly every chunk is a hit: one dict lookup instead of a regex match and
#: half a dozen set lookups per word.
_CHUNKS: Dict[str, Tuple[_Info, ...]] = {}
_MAX_CHUNKS = 300_000


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
        return (word, _OF if tok == "of" else _BOUNDARY, caps, True, False)
    if first.isdigit() or len(tok) > _MAX_WORD or "_" in word or not word or word in _HARD:
        return (word, _BOUNDARY, caps, True, abbreviation)
    kind = _CONTENT
    if word in _SOFT or (len(word) > 4 and word.endswith("ly") and word not in _LY_NOUNS):
        if caps:
            kind = _GENERIC
        elif word in _MODIFIERS:
            kind = _MODIFIER
        else:
            kind = _BOUNDARY
    return (word, kind, caps, possessive or word in _TITLES, abbreviation)


def _chunk(chunk: str) -> Tuple[_Info, ...]:
    infos = _CHUNKS.get(chunk)
    if infos is None:
        infos = tuple(_classify(tok) for tok in _TOKEN.findall(chunk))
        if len(_CHUNKS) >= _MAX_CHUNKS:
            _CHUNKS.clear()
        _CHUNKS[chunk] = infos
    return infos


class _Counts:
    """Occurrence statistics of the candidate n-grams of one text, key by key.

    ``first`` is the index of the first occurrence in the sequence of all n-gram
    occurrences, a stand-in for word position. ``caps`` counts occurrences capitalised
    away from a sentence start (for a phrase: every word capitalised), ``initial``
    capitalised ones opening a sentence, where a capital proves nothing.
    """

    __slots__ = ("count", "first", "caps", "initial")

    def __init__(self, keys: List[str], caps: List[str], initial: List[str]) -> None:
        # Counting and first positions in C (Counter, dict over a zip): this runs for
        # every n-gram of every indexed article.
        self.count: Dict[str, int] = Counter(keys)
        self.first: Dict[str, int] = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1)))
        self.caps: Dict[str, int] = Counter(caps)
        self.initial: Dict[str, int] = Counter(initial)


def _scan(text: str, *, title: bool) -> _Counts:
    """Every candidate n-gram occurrence of ``text``, counted.

    A run is a sequence of content words; it ends at punctuation, at a stopword, at a
    number, at a lower-case generic word, after a possessive and after a job title (so
    "president mike pence" never forms). Unigrams and bigrams are counted; trigrams only
    when fully capitalised ("kim jong un"), plus "X of Y" between capitalised words
    ("bank of england"). In a title every word counts as capitalised and sentence-initial:
    headlines are often in Title Case, so their capitals prove nothing.
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
    k1 = _CONTENT  # ... the kind of the previous one
    last_cap = ""  # the previous token, when a capitalised content word
    of_left = ""  # a capitalised word just before "of", waiting for its right side
    for chunk in text.split():
        infos = cache.get(chunk)
        if infos is None:
            infos = _chunk(chunk)
        for word, kind, caps, ends_run, abbreviation in infos:
            if kind >= _BOUNDARY:
                of_left = last_cap if kind == _OF else ""
                last_cap = w1 = w2 = ""
                if kind == _SENTENCE:
                    if not after_abbreviation:
                        initial = True
                else:
                    initial = False
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
                if both or (k1 != _GENERIC and kind == _CONTENT):
                    key = w1 + " " + word
                    add(key)
                    if both:
                        add_caps(key)
                if w2 and both and c2:
                    key = f"{w2} {w1} {word}"
                    add(key)
                    add_caps(key)
            if ends_run:
                w1 = w2 = ""
            else:
                w2, c2 = w1, c1
                w1, c1, k1 = word, caps, kind
    return _Counts(keys, caps_keys, initial_keys)


_SIZE_WEIGHT = (0.0, 1.0, 1.7, 2.0)
_ADJECTIVE_ENDINGS = ("ous", "ive", "ful", "less", "able", "ible", "ish")
_COMMON_PRIOR = 0.45
_GENERIC_PRIOR = 0.5
_STEMS: Dict[str, str] = {}


def _stem(word: str) -> str:
    """A crude, cached normal form used only to spot near-duplicates.

    Porter merges inflections ("missile", "missiles"); dropping the "n" of "-an" also
    merges most demonyms with their country ("korean", "korea").
    """
    stem = _STEMS.get(word)
    if stem is None:
        stem = word if "." in word else _porter_stem(word)
        if len(stem) > 4 and stem.endswith("an"):
            stem = stem[:-1]
        if len(_STEMS) > 100_000:
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


class _Candidate:
    """A scored keyword candidate: its displayed form and the figures selection uses."""

    __slots__ = ("text", "score", "words", "stems", "count", "proper")

    def __init__(self, text: str, score: float, count: int, proper: float) -> None:
        self.text = text
        self.score = score
        self.words = tuple(text.split(" "))
        self.stems = tuple(_stem(w) for w in self.words)
        self.count = count
        self.proper = proper

    def rename(self, text: str) -> None:
        self.text = text
        self.words = tuple(text.split(" "))
        self.stems = tuple(_stem(w) for w in self.words)


def _truncate(body: str) -> str:
    if len(body) <= MAX_CHARS:
        return body
    cut = body.rfind(" ", MAX_CHARS - 200, MAX_CHARS)
    return body[: cut if cut > 0 else MAX_CHARS]


def _make_prior(doc_freq: Optional[Callable[[str], float]]) -> Callable[[str], float]:
    """Per-word rarity weight in (0, 1]: from the index when given, else the lexicon."""
    if doc_freq is None:
        def prior(word: str) -> float:
            if word in _COMMON:
                return _COMMON_PRIOR
            if word in _SOFT:
                return _GENERIC_PRIOR
            return 1.0
        return prior

    cache: Dict[str, float] = {}
    scale = math.log(1000.0)

    def index_prior(word: str) -> float:
        weight = cache.get(word)
        if weight is None:
            df = min(max(float(doc_freq(word)), 1e-6), 1.0)  # type: ignore[misc]
            weight = cache[word] = min(1.0, max(0.1, math.log(1.0 / df) / scale))
        return weight
    return index_prior


def _score(key: str, counts: _Counts, in_title: bool, prior: Callable[[str], float]) -> Tuple[float, float]:
    """Score one candidate; also return how much it looks like a proper noun (0 to 1)."""
    n = counts.count[key]
    caps = counts.caps.get(key, 0)
    words = key.split(" ")
    size = len(words)
    if size == 1:
        seen = n - counts.initial.get(key, 0)
        proper = caps / seen if seen > 0 else 0.5
        rarity = prior(key)
        if len(key) < 3 and proper < 0.5:
            return 0.0, proper
        if proper < 0.5 and key.endswith(_ADJECTIVE_ENDINGS):
            rarity *= 0.6
    else:
        proper = caps / n
        weights = [prior(w) for w in words if w != "of"]
        rarity = (max(weights) + sum(weights) / len(weights)) / 2
    last = words[-1]
    if proper < 0.5 and len(last) > 4 and last.endswith("ed") and not last.endswith("eed"):
        rarity *= 0.3  # a verb, not a noun phrase ("missiles launched")
    if last in _MEDIA and not in_title:
        rarity *= 0.3
    tf = n + (1 if in_title else 0)
    position = 1.0 + 1.5 / (1.0 + counts.first[key] / 50.0)
    score = tf ** 0.8 * rarity * (1.0 + proper) * position * _SIZE_WEIGHT[min(size, 3)]
    if in_title:
        score *= 2.0
    return score, proper


def _candidates(
    counts: _Counts, title: _Counts, want: int, prior: Callable[[str], float]
) -> List[_Candidate]:
    """Score the plausible n-grams and merge inflections of one phrase into one candidate.

    An n-gram seen once is a candidate only when it is in the title or when the text is
    too short to offer enough repeated ones.
    """
    in_title = title.count
    keys = [k for k, n in counts.count.items() if n >= 2 or k in in_title]
    if len(keys) < 2 * want:
        keys = list(counts.count)
    merged: Dict[Tuple[str, ...], _Candidate] = {}
    for key in keys:
        score, proper = _score(key, counts, key in in_title, prior)
        if score <= 0.0:
            continue
        cand = _Candidate(key, score, counts.count[key], proper)
        other = merged.get(cand.stems)
        if other is None:
            merged[cand.stems] = cand
            continue
        # Inflections of one phrase: keep the commoner spelling, pool the evidence.
        if cand.count > other.count or (cand.count == other.count and score > other.score):
            other.rename(key)
        other.score = max(score, other.score) + 0.5 * min(score, other.score)
        other.count += cand.count
        other.proper = max(other.proper, proper)
    return sorted(merged.values(), key=lambda c: -c.score)


def _full_names(counts: _Counts) -> Dict[str, str]:
    """Surname -> the commonest always-capitalised "Forename Surname" bigram using it."""
    best: Dict[str, Tuple[int, str]] = {}
    count = counts.count
    for key, caps in counts.caps.items():
        if key.count(" ") != 1 or caps != count[key]:
            continue
        head, _, tail = key.partition(" ")
        if head in _TITLES or head in _SOFT or head in _COMMON or tail in _COMMON:
            continue
        if caps > best.get(tail, (0, ""))[0]:
            best[tail] = (caps, key)
    return {tail: key for tail, (_, key) in best.items()}


def _redundant(cand: _Candidate, chosen: List[_Candidate]) -> bool:
    """Whether ``cand`` says nothing new next to ``chosen``; may swap in ``cand`` for a
    chosen word it contains (the phrase is preferred when it covers half the word's uses).
    """
    covered = 0
    joined = "".join(cand.stems)
    for i, old in enumerate(chosen):
        if len(old.stems) == len(cand.stems):
            if all(map(_same_word, old.stems, cand.stems)):
                return True
        elif len(old.stems) > len(cand.stems):
            if _contains(old.stems, cand.stems):
                covered += old.count
                continue
        elif _contains(cand.stems, old.stems):
            if 2 * cand.count >= old.count and not any(
                _overlaps(c.words, cand.words) for c in chosen
            ):
                chosen[i] = cand
            return True
        if joined == "".join(old.stems) or _overlaps(old.words, cand.words):
            return True  # "time warner" and "timewarner"; "new york" and "york state"
    return covered > 0 and cand.count - covered < max(3, 0.6 * cand.count)


def _select(ranked: List[_Candidate], want: int, counts: _Counts) -> List[_Candidate]:
    """Greedy choice of the best candidates that say something new.

    A phrase inside an already chosen one ("korea" after "north korea") survives only if
    it mostly occurs on its own; a surname is shown as the full name the article uses
    ("devos" as "betsy devos").
    """
    chosen: List[_Candidate] = []
    names: Optional[Dict[str, str]] = None
    for cand in ranked:
        if len(chosen) >= want:
            break
        if _redundant(cand, chosen):
            continue
        if len(cand.words) == 1 and cand.proper >= 0.5:
            if names is None:
                names = _full_names(counts)
            name = names.get(cand.text)
            if name is not None and all(name != c.text for c in chosen):
                cand.rename(name)
        chosen.append(cand)
    return chosen


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

    Fewer come back for very short texts, and ``()`` for texts with no content words.
    ``doc_freq``, when given, maps a lower-case word to the fraction of indexed documents
    that contain it (0 for unknown words); it replaces the built-in rarity lexicon, so
    only pass it once an index holds enough articles (a few hundred) for the figures to
    mean something. Only the first ``MAX_CHARS`` characters of the body are read.
    """
    if count <= 0:
        return ()
    counts = _scan(_truncate(body), title=False)
    title_counts = _scan(title[:1000], title=True)
    if not counts.count:
        # A headline-only article: the title is all there is (headline words are often
        # verbs, which is why the title alone never makes a candidate otherwise).
        counts = title_counts
    if not counts.count:
        return ()
    ranked = _candidates(counts, title_counts, count, _make_prior(doc_freq))
    return tuple(_display(c.text) for c in _select(ranked, count, counts))
