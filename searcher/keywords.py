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

import heapq
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
yourself yourselves shall ought despite amid amidst unto thereof whilst ok okay yes oh um lot lots
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
inc ltd plc corp llc co
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
warned warns warn won win wins beat describe described announce announced claim claims claimed reveal
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
tass itar-tass xinhua interfax dw jazeera
""")

# Name particles ("Jeroen van der Veer", "Al Jazeera"): inside a name, never at its end.
_PARTICLES = _words("""
van von der den de del della da di du la le al el bin ibn san santa los las saint sao
""")

# Hyphenated adjectives ("US-backed", "Kurdish-led"): they may lead a phrase only.
_ADJECTIVE_COMPOUND_ENDS = ("ed", "held", "led", "run", "made", "based", "like", "style")

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
    if tok == "May":
        return (word, _CONTENT, True, False, False)  # "Theresa May", never alone (_Shape)
    if first.isdigit() or len(tok) > _MAX_WORD or "_" in word or not word or word in _HARD:
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
        if not caps and head.endswith(_ADJECTIVE_COMPOUND_ENDS):
            return (word, _MODIFIER, False, False, False)
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
        if chunk.startswith(("@", "http", "www.")):
            infos = (("", _BOUNDARY, False, True, False),)  # a handle or an address
        else:
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
                of_left = last_cap if kind == _OF and last_cap not in _TITLES else ""
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
                if (both and kind != _GENERIC) or (k1 != _GENERIC and kind == _CONTENT):
                    key = f"{w1} {word}"
                    add(key)
                    if both:
                        add_caps(key)
                if w2 and both and c2 and kind != _GENERIC:
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
#: How many candidates are scored in full, at least.
_KEEP = 24


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
        if len(self.words) == 1 and (len(key) < 2 or key in _HARD):
            self.rarity = 0.0  # a stray letter ("Â" of a mis-decoded "£"), or "may"
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
        if len(_SHAPES) >= _MAX_CHUNKS:
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
    score = tf ** 0.8 * (1.0 + proper) * (1.0 + 1.5 / (1.0 + counts.first[key] / 50.0))
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
            if 2 * cand.count >= old.count and not any(
                _overlaps(c.shape.words, shape.words) for c in chosen
            ):
                chosen[i] = cand
            return True
        if _overlaps(prev.words, shape.words) or _same_word("".join(stems), "".join(prev.stems)):
            return True  # "new york" and "york state"; "time warner" and "timewarner"
    return covered > 0 and cand.count - covered < max(3, 0.6 * cand.count)


def _select(ranked: List[_Candidate], want: int, counts: _Counts) -> List[_Candidate]:
    """Greedy choice of the best candidates that say something new.

    A phrase inside an already chosen one ("korea" after "north korea") survives only if
    it mostly occurs on its own; a surname is shown as the full name the article uses
    ("devos" as "betsy devos").
    """
    chosen: List[_Candidate] = []
    names: Optional[_Names] = None
    for cand in ranked:
        if len(chosen) >= want:
            break
        if _redundant(cand, chosen):
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
    prior = None if doc_freq is None else _index_prior(doc_freq)
    ranked = _candidates(counts, title_counts, count, prior)
    return tuple(_display(c.text) for c in _select(ranked, count, counts))
