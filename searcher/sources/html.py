"""Read one saved news web page into one ``Article``.

A page states its metadata in several overlapping places (JSON-LD, Open Graph and other
``<meta>`` tags, ``<title>``, ``<h1>``, ``<time>``); each field comes from the most reliable
place that has it. The article text is the container that scores best on paragraph-like,
link-poor text, readability-style, after skipping navigation, share bars, comments and
similar furniture.

Every walk over the document is iterative and the document is indexed in one pass, because
hostile pages nest elements tens of thousands of levels deep or run to megabytes.
"""

from __future__ import annotations

import html as _html
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Dict, FrozenSet, Iterator, List, Mapping, Optional, Set, Tuple, Union
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning
from bs4.element import NavigableString
from bs4.exceptions import ParserRejectedMarkup

from searcher.article import Article, Problem, normalise_text
from searcher.dates import date_from_url, dates_in_text, month_from_url, parse_date_local
from searcher.errors import DateError, SourceError
from searcher.sources._encoding import decode

__all__ = ["read", "extract", "decode_page", "publication_date", "FoundDate", "declared_charset", "strip_site_name"]

# Real heads sometimes put kilobytes of comments and scripts before the charset.
_CHARSET_WINDOW = 8192
_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)

# Never text a reader sees.
_NON_TEXT_TAGS = frozenset(
    "script style noscript template iframe svg canvas object embed select textarea input"
    " button head title video audio picture map".split()
)
# Page furniture on nearly every site.
_FURNITURE_TAGS = frozenset("nav header footer aside form label figure figcaption menu dialog".split())
# Elements that start a new block of text.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption"
    " figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary"
    " table tbody td tfoot th thead tr ul caption".split()
)
_HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Blocks that are paragraphs themselves: their score goes to the element holding them.
_PARAGRAPH_TAGS = frozenset("p pre blockquote li dd td h2 h3 h4 h5 h6".split())
# Never skipped for their class names: they are the page, or are marked as the article.
_KEEP_TAGS = frozenset("html body main article".split())
_JUNK_WORDS = frozenset(
    "nav navbar navigation menu menus share shares sharing social comment comments disqus"
    " footer related recommended recirc promo promos ad ads advert adverts advertisement"
    " sponsor sponsored newsletter subscribe subscription signup cookie cookies consent gdpr"
    " breadcrumb breadcrumbs sidebar popup modal outbrain taboola toolbar pagination pager"
    " masthead byline dateline timestamp caption credit tags trending gallery slideshow"
    " carousel".split()
)
# Junk even when the element also looks like content ("comment-body", "share-content").
_STRONG_JUNK_WORDS = frozenset(
    "comment comments disqus share sharing social newsletter cookie cookies consent gdpr"
    " outbrain taboola advertisement advert promo related recirc breadcrumb".split()
)
# Glued class words such as "sharebar", "socialicons", "commentlist" ("commentary" is content).
_STRONG_JUNK_PREFIX = re.compile(
    r"^(share|social|comment(?!ary)|advert|promo|newsletter|breadcrumb|sidebar|navbar|cookie)"
)
_GOOD_WORDS = frozenset("article articlebody body content entry main post story text blog news".split())
_JUNK_ROLES = frozenset(
    "navigation banner contentinfo complementary search menu menubar dialog alert".split()
)
_WORD_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_SPACE = re.compile(r"[\s\ufeff\u200b]+")
_LETTER = re.compile(r"[^\W\d_]")
_COMMAS = re.compile(r"[,，、،]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_BYLINE_CLASS = re.compile(r"(^|[-_ ])(byline|author)(-?name)?($|[-_ ])", re.IGNORECASE)

# A short block that starts by naming the comments is the label of a comment function.
_COMMENT_LABEL = re.compile(
    r"^\W*(\d+\s+)?(kommentar\w*|comments?|commentaires?|comentarios?|commenti|comentários?|reacties?|leave a (comment|reply)"
    r"|schreibe einen kommentar|laisser un commentaire|deja un comentario|lascia un commento|deixe um comentário)\b",
    re.IGNORECASE,
)
_MAX_LABEL = 80
_MIN_LEAD = 80  # characters of a paragraph in an article's <header> to be its lead
_MIN_PARAGRAPH = 25  # characters for a block to count as a paragraph when scoring
_MAX_LINK_DENSITY = 0.5
# What a paragraph adds to the element holding it, that element's parent and grandparent
# (readability's shares). The grandparent's share is kept apart (level ``_DEEP_LEVEL``): it
# does not choose the best box, which it made worse on the reference texts, but gives sibling
# boxes one level up, such as a lead paragraph in a box of its own, a score to compare.
_ANCESTOR_SHARES = (1.0, 0.5, 1 / 6)
_DEEP_LEVEL = 2
_SIBLING_SHARE = 0.2  # a sibling of the best container scoring this share of it joins it
_MIN_SIBLING_SCORE = 3.0  # about one real paragraph
_CLASS_FACTOR = 0.75  # a "content" class adds three quarters, a "sidebar" one takes them away
# A shorter body makes the extractor retry with less skipping, as readability does.
_ENOUGH_TEXT = 500

_LD_ARTICLE_TYPES = ("article", "posting", "report")
# Where publication dates hide in <meta> tags, most trusted first (keys lower-cased).
_DATE_META_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article.published", "datepublished", "article_date_original", "publish-date",
    "publish_date", "publishdate", "published-date", "published_time", "publication_date",
    "pubdate", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued",
    "dc.issued", "dc.date.created", "dcterms.created", "dc:created", "dc.date", "dc:date",
    "dcterms.date", "date", "datecreated", "originalpublicationdate", "rnews:datepublished",
    "citation_publication_date", "citation_date", "bt:pubdate", "article.created",
    "shareaholic:article_published_time", "analyticsattributes.articledate",
    "cxenseparse:recs:publishtime", "displaydate", "article:published", "created",
)  # fmt: skip
# Class or id words of elements that hold a byline's date ("Veröffentlicht am 3. Mai 2019").
_DATE_CLASS_WORDS = frozenset(
    "date dates datum fecha data time timestamp dateline published publish publishing pubdate"
    " posted postdate entrydate byline meta postmeta entry info artikel article".split()
)
_DATE_CLASS_STRONG = frozenset("date datum fecha dateline published pubdate posted postdate entrydate timestamp time".split())
_MAX_DATE_TEXT = 160  # longer text is prose: a byline date sits in a short element
_MAX_DATE_ELEMENTS = 60
_NOT_PUBLICATION_WORDS = frozenset("updated update modified comment comments copyright reply".split())
_NOT_PUBLICATION_TEXT = re.compile(
    r"\b(updated?|modified|aktualisiert|mis à jour|actualizado|aggiornato|atualizado|bijgewerkt)\b|©|\(c\)",
    re.IGNORECASE,
)
# Words that say a nearby date is the publication's, in the languages news archives hold.
_PUBLISHED_PHRASE = re.compile(
    r"\b(published|posted|publié|publiée|publicado|publicada|pubblicato|pubblicata|veröffentlicht"
    r"|erschienen|gepubliceerd|geplaatst)\b",
    re.IGNORECASE,
)
_PHRASE_REACH = 60  # characters either side of the word where its date may be written
_MAX_PHRASE_BLOCK = 600  # a longer block is prose, where "published" dates something else
# Meta keys that may date the page's creation or a generic event rather than publication.
_WEAK_DATE_META_KEYS = frozenset(
    "date datecreated created dc.date dc:date dcterms.date dc.date.created dcterms.created dc:created"
    " article.created displaydate".split()
)
_PUBLISHED_WORDS = frozenset("publish published publishing pubdate publication datepublished posted".split())
# Where dates belong to other articles than the page's own.
_SIDE_TAGS = frozenset("aside nav footer".split())
_SIDE_WORDS = frozenset(
    "sidebar related recommended recirc promo promos teaser teasers widget widgets comment comments"
    " disqus footer nav navbar navigation menu trending popular mostread newsletter more".split()
)
_AUTHOR_META_KEYS = ("author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator")

# Separators between a headline and the site decorations after it in <title>.
_TITLE_SEPARATOR = re.compile(
    r"\s+(?:[|\-–—»›·/:~•]|--|::)\s+|\s*[|｜»›]\s*|(?<=[^\x00-\x7f])\s*[-_：]\s*|\u3000+"
)
# Separators that never occur inside a headline, so a short segment after one is decoration
# (a dash counts when glued to CJK text, as in "...需求-新华网").
_STRONG_SEPARATOR = re.compile(r"[|｜»›/:•：_]|--|\u3000|^-$")
_PLAIN_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class FoundDate:
    """A page's publication date: the UTC instant, the offset from UTC (minutes east) the
    page stated with it (``None`` if none), and where on the page it was found."""

    moment: datetime
    utc_offset: Optional[int]
    where: str


@dataclass
class _Block:
    """A run of text between block boundaries, with the element that holds it."""

    text: str
    link_chars: int
    owner: Tag

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)


@dataclass
class _Candidate:
    """An element that holds paragraphs, with what they add up to."""

    tag: Tag
    score: float
    weight: float = 1.0
    paragraphs: int = 0
    chars: int = 0
    link_chars: int = 0
    # What paragraphs one level further down add: not used to pick the best box, only to
    # weigh its siblings (a lead paragraph wrapped in boxes of its own).
    deep: Optional["_Candidate"] = None


@dataclass
class _Page:
    """What one pass over the parsed page collects, so no later step walks it again."""

    soup: BeautifulSoup
    meta: Dict[str, List[str]] = field(default_factory=dict)
    ld: List[Dict[str, Any]] = field(default_factory=list)
    title: str = ""
    canonical: str = ""
    h1s: List[Tag] = field(default_factory=list)
    times: List[Tag] = field(default_factory=list)
    date_props: List[Tag] = field(default_factory=list)
    date_texts: List[Tag] = field(default_factory=list)
    day_first: bool = False
    html_text: str = ""
    bylines: List[Tag] = field(default_factory=list)
    marked_bodies: List[Tag] = field(default_factory=list)
    headline_holders: Optional[Set[int]] = None  # ids of the elements around the <h1>s


def read(data: bytes, *, path: str, mapping: Mapping[str, str]) -> Iterator[Union[Article, Problem]]:
    """Yield the one article in a saved web page (``mapping`` is unused: HTML needs none).

    Raises ``SourceError`` when the page holds no article text at all. A page that still
    defeats the tree walk yields a ``Problem`` and an article made from its flat text.
    """
    text = decode_page(data)
    try:
        article = extract(text)
    except RecursionError:
        yield Problem(path=path, reason="page nested too deeply to read its layout; used its plain text")
        article = _flat_article(text)
    yield replace(article, path=path)


def decode_page(data: bytes) -> str:
    """A saved page's text, decoded by the charset it declares, else by detection."""
    return decode(data, declared=declared_charset(data))


def declared_charset(data: bytes) -> Optional[str]:
    """The charset a page declares near its start (``<meta charset>``, ``http-equiv``
    content type or XML declaration), or ``None``: the decoder needs it before parsing."""
    match = _CHARSET.search(data[:_CHARSET_WINDOW])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii").strip().lower() or None


def extract(html_text: str, *, url: str = "") -> Article:
    """An ``Article`` from one page's HTML; ``url`` is used when the page names none.

    Raises ``SourceError`` when the page has no article text.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(html_text, "html.parser")
    except ParserRejectedMarkup as error:
        raise SourceError(f"not readable as HTML: {error}") from None
    page = _index(soup)
    page.html_text = html_text
    body = _body(page)
    if not body:
        raise SourceError("no article text in the page")
    page_url = _canonical_url(page) or url
    source = _source(page, page_url)
    found, date_problem = _date(page, page_url)
    return Article(
        title=_title(page, site_names=[source, _domain(page_url)]),
        body=body,
        date=found.moment if found else None,
        utc_offset=found.utc_offset if found else None,
        date_problem=date_problem,
        source=source,
        url=page_url,
        author=_author(page),
    )


def _index(soup: BeautifulSoup) -> _Page:
    page = _Page(soup)
    for tag in soup.descendants:
        if not isinstance(tag, Tag):
            continue
        name = tag.name
        if name == "meta":
            content = _clean(tag.get("content"))
            for attr in ("property", "name", "itemprop"):
                key = tag.get(attr)
                if content and isinstance(key, str) and key.strip():
                    page.meta.setdefault(key.strip().lower(), []).append(content)
        elif name == "script" and "ld+json" in str(tag.get("type") or "").lower():
            page.ld.extend(_json_ld(tag.string or ""))
        elif name == "title" and not page.title:
            page.title = _clean(tag.get_text(" "))
        elif name == "link" and not page.canonical:
            if "canonical" in [str(r).lower() for r in tag.get("rel") or []]:
                page.canonical = str(tag.get("href") or "").strip()
        elif name == "h1" and len(page.h1s) < 5:
            page.h1s.append(tag)
        elif name == "time" and len(page.times) < 20:
            page.times.append(tag)
        if len(page.bylines) < 5 and name in ("a", "span", "div", "p"):
            rel = [str(r).lower() for r in tag.get("rel") or []]
            if "author" in rel or _BYLINE_CLASS.search(" ".join(tag.get("class") or [])):
                page.bylines.append(tag)
        itemprop = str(tag.get("itemprop") or "").strip().lower()
        if itemprop == "articlebody":
            page.marked_bodies.append(tag)
        elif itemprop in ("datepublished", "datecreated") and name != "meta" and len(page.date_props) < 5:
            page.date_props.append(tag)
        if name == "html":
            lang = str(tag.get("lang") or tag.get("xml:lang") or "").strip().lower()
            page.day_first = bool(lang) and not lang.startswith("en-us") and lang not in ("en", "en_us")
        elif len(page.date_texts) < _MAX_DATE_ELEMENTS and name not in _NON_TEXT_TAGS and tag.attrs:
            words = set(_attr_words(tag))
            if words & _DATE_CLASS_STRONG or (words & _DATE_CLASS_WORDS and name in ("p", "span", "div", "small", "li", "abbr")):
                page.date_texts.append(tag)
    return page


# --- metadata -----------------------------------------------------------------------------


def _clean(text: Any) -> str:
    return normalise_text(str(text)) if text else ""


def _first_meta(page: _Page, *keys: str) -> str:
    for key in keys:
        for value in page.meta.get(key, ()):
            return value
    return ""


def _json_ld(text: str) -> List[Dict[str, Any]]:
    """The objects of one JSON-LD script, in order, out of lists and ``@graph`` arrays."""
    try:
        pending: List[Any] = [json.loads(text)]
    except (ValueError, RecursionError):
        return []
    objects: List[Dict[str, Any]] = []
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            objects.append(item)
            pending.append(item.get("@graph"))
    return objects


def _ld_articles(page: _Page) -> List[Dict[str, Any]]:
    """Article-like JSON-LD objects first, then the rest, so an article's own fields win
    over those of the web page or organisation around it."""
    def is_article(obj: Dict[str, Any]) -> bool:
        kind = obj.get("@type", "")
        kind = " ".join(map(str, kind)) if isinstance(kind, list) else str(kind)
        return any(word in kind.lower() for word in _LD_ARTICLE_TYPES)

    return [o for o in page.ld if is_article(o)] + [o for o in page.ld if not is_article(o)]


def _ld_names(value: Any) -> List[str]:
    """Names out of a JSON-LD person or organisation value (a string, object or list)."""
    names: List[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = item.get("name") if isinstance(item, dict) else item
        name = _clean(name) if isinstance(name, str) else ""
        if name and not _looks_like_url(name) and name not in names:
            names.append(name)
    return names


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^(https?:)?//|^www\.", text, re.IGNORECASE))


def _canonical_url(page: _Page) -> str:
    """The page's own address: ``rel=canonical`` when absolute, else ``og:url``."""
    for candidate in (page.canonical, _first_meta(page, "og:url", "twitter:url")):
        if re.match(r"^https?://[^/\s]", candidate, re.IGNORECASE) and _domain(candidate):
            return candidate
    return ""


def _domain(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # a malformed address such as "http://[oops"
        return ""
    return re.sub(r"^www\d*\.", "", host.lower())


def _source(page: _Page, url: str) -> str:
    """The publication: ``og:site_name``, else the JSON-LD publisher, else the domain."""
    name = _first_meta(page, "og:site_name", "application-name")
    if name:
        return name
    for obj in _ld_articles(page):
        publisher = _ld_names(obj.get("publisher"))
        if publisher:
            return publisher[0]
    return _domain(url)


def _author(page: _Page) -> str:
    """The article's author(s), comma-joined: JSON-LD, then meta tags, then bylines."""
    for obj in _ld_articles(page):
        names = _ld_names(obj.get("author") or obj.get("creator"))
        if names:
            return ", ".join(names)
    values = [v for key in _AUTHOR_META_KEYS for v in page.meta.get(key, ())]
    values += [_clean(tag.get_text(" ")) for tag in page.bylines]
    for value in values:
        if 0 < len(value) <= 100 and not _looks_like_url(value):
            return re.sub(r"^by\s+", "", value, flags=re.IGNORECASE)
    return ""


# --- title --------------------------------------------------------------------------------


def _title(page: _Page, *, site_names: List[str]) -> str:
    """The headline. ``<title>`` minus the site decorations comes first: on the reference
    pages it is what the publisher calls the article more often than the display headline
    (og:title or ``<h1>``), which fill in when ``<title>`` is missing or only a site name.
    """
    headlines = _headlines(page, site_names)
    raw = page.title
    if raw:
        # <title> is a headline plus decorations: the headline's own spelling wins.
        plain = raw.translate(_PLAIN_QUOTES)
        for headline in headlines:
            head = headline.translate(_PLAIN_QUOTES)
            rest = raw[len(head):]
            # CJK titles may use a bare space (once an ideographic one) as the separator.
            cjk_space = rest[:1] == " " and not rest[1:2].isascii()
            if len(head) < len(plain) and plain.startswith(head) and (_TITLE_SEPARATOR.match(rest) or cjk_space):
                return headline
        stripped = strip_site_name(raw, site_names=site_names)
        if stripped and not _is_site_name(stripped, site_names):
            return stripped
    return headlines[0] if headlines else raw


def _headlines(page: _Page, site_names: List[str]) -> List[str]:
    """Display headlines, most trusted first: JSON-LD, Open Graph, Twitter, ``<h1>``."""
    found = [_clean(obj.get("headline")) for obj in _ld_articles(page) if isinstance(obj.get("headline"), str)]
    for key in ("og:title", "twitter:title", "title", "headline"):
        found += [strip_site_name(value, site_names=site_names) for value in page.meta.get(key, ())]
    in_article = [h for h in page.h1s if h.find_parent("article") is not None]
    found += [_clean(h1.get_text(" ")) for h1 in in_article + page.h1s]
    unique: List[str] = []
    for text in found:
        if text and text not in unique and not _is_site_name(text, site_names):
            unique.append(text)
    return unique


def strip_site_name(title: str, *, site_names: List[str]) -> str:
    """``title`` without trailing site decorations such as `` | TIME``, `` - CNN.com`` or
    `` » Local » Noticias » Ultima Hora Mallorca``.

    The first segment after a separator that names the site (``site_names``: its name or
    domain) goes, with everything after it; then short segments after separators that never
    occur inside headlines (``|``, ``»``, ``--``) go too. The first segment always stays.
    """
    title = _clean(title)
    parts = _TITLE_SEPARATOR.split(title)
    separators = _TITLE_SEPARATOR.findall(title)
    keep = next((i for i in range(1, len(parts)) if _is_site_name(parts[i], site_names)), len(parts))
    while keep > 1:
        tail, separator = parts[keep - 1], separators[keep - 2]
        head_length = sum(len(part) for part in parts[: keep - 1])
        short = len(tail) <= 30 and len(tail.split()) <= 4 and head_length >= 2 * len(tail)
        if not (short and _STRONG_SEPARATOR.search(separator)):
            break
        keep -= 1
    return "".join(parts[0:1] + [separators[i - 1] + parts[i] for i in range(1, keep)]).strip()


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_site_name(text: str, site_names: List[str]) -> bool:
    """Whether ``text`` names the site: it is part of a site name, or starts or ends with
    one (or with a domain's main label) and has at most one word more (``CNN Politics``,
    ``CNN.com``, ``BBC中文网``), so that "CNN wins award" stays a headline."""
    letters = _letters(text)
    if len(letters) < 2:
        return False
    for name in filter(None, site_names):
        labels = [name] if " " in name or "." not in name else [name, name.split(".")[-2]]
        for label in map(_letters, labels):
            if len(label) < 2:
                continue
            if letters in label:
                return True
            if letters.startswith(label) or letters.endswith(label):
                return len(text.split()) <= len(name.split()) + 1
        if _names_hyphenated_domain(text, name):
            return True
    return False


def _names_hyphenated_domain(text: str, name: str) -> bool:
    """Whether a short ``text`` holds every word of a hyphenated domain label
    (``wehranlage-horka.de`` in "Historische Wehranlage in Horka e.V")."""
    if " " in name or name.count(".") < 1:
        return False
    words = [w for w in name.rsplit(".", 1)[0].split(".")[-1].split("-") if len(w) >= 3]
    found = set(re.findall(r"\w+", text.casefold()))
    return len(words) >= 2 and len(found) <= len(words) + 4 and all(w in found for w in words)


# --- date ---------------------------------------------------------------------------------


def publication_date(html_text: str, *, url: str = "") -> Optional[FoundDate]:
    """Where and when a page says it was published (``None`` if it does not say): the
    date part of ``extract``, for tools that need only the date and its source."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        page = _index(BeautifulSoup(html_text, "html.parser"))
    page.html_text = html_text
    return _date(page, _canonical_url(page) or url)[0]


def _date(page: _Page, url: str) -> Tuple[Optional[FoundDate], str]:
    """The publication date and, when the page states an impossible one, why it is missing.

    Structured data decides first (JSON-LD, ``<meta>``, microdata, ``<time>``): the first
    candidate there that reads as a date wins, and an impossible one is reported rather
    than replaced by a less trusted guess. A key that may name the creation of the page
    rather than of the article (``dateCreated``, a bare ``date``) gives way to a visible
    byline date that disagrees with it by more than a day. Pages without structured dates
    go to htmldate, which reads bylines, urls and dates in the text in many languages and
    measured better on the dev set than our own byline reading (benchmarks/README.md);
    that stays as a check and a last resort.
    """
    for where, text, weak in _date_candidates(page):
        try:
            found = parse_date_local(text, day_first=page.day_first)
        except DateError as error:
            return None, f"impossible date {text!r} in {where}: {error}"
        if found is None:
            continue
        if weak:
            byline = _first_byline_date(page)
            if byline is not None and abs((byline.date() - found.date()).days) > 1:
                return _found(byline, "byline text"), ""
        return _found(found, where), ""
    day = _htmldate_day(page.html_text, url)
    byline = _first_byline_date(page)
    stated = _published_phrase_date(page)
    # A date the page's own words call the publication ("Dieser Beitrag wurde am 3. Dezember
    # 2011 veröffentlicht") beats htmldate's guess, which may come from a copyright line.
    if stated is not None and (day is None or stated.date() != day.date()):
        return _found(stated, "byline text"), ""
    month = month_from_url(url) if url else None
    if day is not None and month is not None and (day.year, day.month) != month:
        # htmldate contradicts the address (a copyright year, a date in a sidebar): a date
        # written in the page that falls in the address's month is the byline it missed.
        in_month = byline if byline is not None and (byline.year, byline.month) == month else _text_date_in(page, month)
        if in_month is not None:
            return _found(in_month, "byline text"), ""
    # htmldate falls back on a bare year (a copyright line) when it cannot read the byline,
    # as with "19 de noviembre de 2019": a byline date we can read is better than that.
    if day is not None and not (byline is not None and (day.month, day.day) == (1, 1)):
        return FoundDate(day, None, "htmldate"), ""
    if byline is not None:
        return _found(byline, "byline text"), ""
    moment = date_from_url(url) if url else None
    return (FoundDate(moment, None, "url") if moment else None), ""


def _published_phrase_date(page: _Page) -> Optional[datetime]:
    """A date the visible text calls the publication date: "Published on ...",
    "veröffentlicht am ...", "... Uhr veröffentlicht", "publié le ..." within a few words
    of it, in a short block outside sidebars and lists of other stories."""
    root = page.soup.body or page.soup
    for block in _blocks(root, 0):
        if len(block.text) > _MAX_PHRASE_BLOCK:
            continue
        for word in _PUBLISHED_PHRASE.finditer(block.text):
            # The date after the word ("Published on ...") first, else the last one before it.
            after = block.text[word.end() : word.end() + _PHRASE_REACH]
            before = block.text[max(word.start() - _PHRASE_REACH, 0) : word.start()]
            found = next(dates_in_text(after, day_first=page.day_first), None)
            if found is None:
                found = next(reversed(list(dates_in_text(before, day_first=page.day_first))), None)
            if found is not None and not _is_side_content(block.owner, page):
                return found
    return None


def _text_date_in(page: _Page, month: Tuple[int, int]) -> Optional[datetime]:
    """The first date in the page's visible text that falls in ``month`` (year, month)."""
    root = page.soup.body or page.soup
    for block in _blocks(root, 1):
        for found in dates_in_text(block.text, day_first=page.day_first):
            if (found.year, found.month) == month:
                return found
    return None


def _htmldate_day(html_text: str, url: str) -> Optional[datetime]:
    """The publication day htmldate finds (original date, extensive search), as midnight
    UTC of that day, or ``None``. htmldate gives a day without a zone: the page's own day."""
    if not html_text:
        return None
    from htmldate import find_date  # here: 0.1 s to import, and only pages need it

    try:
        found = find_date(html_text, url=url or None, original_date=True, extensive_search=True)
    except Exception:  # htmldate is a fallback: whatever defeats it means no date from it
        return None
    if not found:
        return None
    try:
        return datetime.strptime(found, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _found(moment: datetime, where: str) -> FoundDate:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else None
    return FoundDate(moment.astimezone(timezone.utc), minutes or None, where)


def _first_byline_date(page: _Page) -> Optional[datetime]:
    """The first date in the text of a byline-like element (date classes first), outside
    sidebars, footers and lists of other stories."""
    own = [t for t in page.date_texts if not _is_side_content(t, page)]
    strong = [t for t in own if set(_attr_words(t)) & _DATE_CLASS_STRONG]
    for tag in strong + [t for t in own if t not in strong]:
        found = _byline_date(tag, page.day_first)
        if found is not None:
            return found
    return None


def _byline_date(tag: Tag, day_first: bool) -> Optional[datetime]:
    """A date written in the short visible text of a byline-like element, unless the
    element is about an update, a comment or a copyright."""
    words = set(_attr_words(tag))
    if words & _NOT_PUBLICATION_WORDS:
        return None
    text = _clean(tag.get_text(" "))
    if not text or len(text) > _MAX_DATE_TEXT or _NOT_PUBLICATION_TEXT.search(text):
        return None
    try:
        return parse_date_local(text, day_first=day_first)
    except DateError:
        return None


def _date_candidates(page: _Page) -> Iterator[Tuple[str, str, bool]]:
    """Dates stated in structured places, most trusted first, each with where it was found
    and whether that place may hold the creation of the page rather than the article's
    publication (weak)."""
    for obj in _ld_articles(page):
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if isinstance(obj.get(key), str) and obj[key].strip():
                yield f"JSON-LD {key}", obj[key].strip(), key == "dateCreated"
    for key in _DATE_META_KEYS:
        for value in page.meta.get(key, ()):
            yield f"meta {key}", value, key in _WEAK_DATE_META_KEYS
    for tag in page.date_props:
        stated: object = tag.get("content") or tag.get("datetime") or tag.get_text(" ")
        if isinstance(stated, str) and stated.strip():
            yield "microdata", stated.strip(), False
    for tag in _publication_times(page):
        stated = tag.get("datetime") or tag.get("content") or ""
        visible = _clean(tag.get_text(" "))
        if isinstance(stated, str) and stated.strip():
            yield "<time>", _time_or_visible(stated.strip(), visible, page.day_first), False
        elif visible:
            yield "<time>", visible, False


def _publication_times(page: _Page) -> List[Tag]:
    """The ``<time>`` elements that may date the article, best first: those marked as the
    publication (``pubdate``, ``published`` classes), then those in the article that holds
    the headline, then those in any article; never one in a sidebar, a navigation bar, a
    footer, a list of related stories or comments, nor one marked as an update."""
    usable = [t for t in page.times if not _is_side_content(t, page) and not set(_attr_words(t)) & _NOT_PUBLICATION_WORDS]
    marked = [t for t in usable if t.has_attr("pubdate") or set(_attr_words(t)) & _PUBLISHED_WORDS]
    headline = page.h1s[0] if page.h1s else None
    main = headline.find_parent("article") if headline is not None else None
    in_main = [t for t in usable if main is not None and any(p is main for p in t.parents)]
    near_headline = [t for t in usable if headline is not None and t.find_parent("header") is not None
                     and t.find_parent("header") is headline.find_parent("header")]  # fmt: skip
    in_article = [t for t in usable if t.find_parent("article") is not None]
    ordered: List[Tag] = []
    for tag in marked + in_main + near_headline + in_article:
        if not any(tag is seen for seen in ordered):
            ordered.append(tag)
    return ordered


def _time_or_visible(stated: str, visible: str, day_first: bool) -> str:
    """A ``<time>``'s machine date, unless its visible text writes a full date more than a
    day away from it: readers see the visible one ("Publié le 29 juin 2019" over a
    ``datetime`` that a publishing system later stamped with its own date)."""
    try:
        machine = parse_date_local(stated, day_first=day_first)
        shown = parse_date_local(visible, day_first=day_first) if visible else None
    except DateError:
        return stated
    if machine is not None and shown is not None and abs((shown.date() - machine.date()).days) > 1:
        return visible
    return stated


def _is_side_content(tag: Tag, page: _Page) -> bool:
    """Whether an element sits in a sidebar, navigation, footer, comments or a list of
    related stories, where dates belong to other articles. An element that holds a
    headline (``<h1>``) is the page's own content whatever its name or class: some sites
    wrap the whole article in an ``<aside>``."""
    if page.headline_holders is None:
        page.headline_holders = {id(parent) for h1 in page.h1s for parent in h1.parents}
    for parent in tag.parents:
        if id(parent) in page.headline_holders:
            return False
        name = parent.name
        if name in _SIDE_TAGS or str(parent.get("role") or "").lower() in _JUNK_ROLES:
            return True
        if name not in _KEEP_TAGS and parent.attrs and set(_attr_words(parent)) & _SIDE_WORDS:
            return True
    return False


# --- body ---------------------------------------------------------------------------------


def _attr_words(tag: Tag) -> List[str]:
    """Lower-cased words of an element's class, id and itemprop (camelCase split too). A
    heading's id is left out: it is an anchor made from the heading's own words
    (``id="nav_nur_die_folie__1"``), not a name for what the element is."""
    values: List[str] = []
    for attr in ("class", "itemprop") if tag.name in _HEADING_TAGS else ("class", "id", "itemprop"):
        value = tag.get(attr)
        values.extend(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return [word.lower() for value in values for word in _WORD_SPLIT.split(value) if word]


def _is_junk(tag: Tag, strictness: int) -> bool:
    """Whether to skip an element: at strictness 0 only what is never visible text; at 1
    also furniture elements, hidden ones and furniture roles; at 2 also elements whose
    class or id names furniture (navigation, sharing, comments, adverts...)."""
    name = tag.name
    if name in _NON_TEXT_TAGS:
        return True
    if strictness < 1 or name in _KEEP_TAGS:
        return False
    parent = tag.parent
    if name == "header" and isinstance(parent, Tag) and parent.name == "article":
        return False  # an article's own header: walked for its lead, see below
    if isinstance(parent, Tag) and parent.name == "header" and isinstance(parent.parent, Tag) and parent.parent.name == "article":
        # In it only a lead paragraph is text: not the headline (the title has it), the
        # subtitle or the byline and date.
        return not (name == "p" and tag.find("time") is None and len(tag.get_text()) >= _MIN_LEAD)
    if name in _FURNITURE_TAGS or not tag.attrs:
        return name in _FURNITURE_TAGS
    if tag.has_attr("hidden"):
        return True
    if _HIDDEN_STYLE.search(str(tag.get("style") or "")):
        return True
    if str(tag.get("role") or "").lower() in _JUNK_ROLES:
        return True
    if strictness < 2:
        return False
    words = set(_attr_words(tag))
    if not words or "articlebody" in words:
        return False
    if words & _STRONG_JUNK_WORDS or any(_STRONG_JUNK_PREFIX.match(word) for word in words):
        return True
    return bool(words & _JUNK_WORDS) and not words & _GOOD_WORDS


def _blocks(root: Tag, strictness: int) -> Iterator[_Block]:
    """The text blocks under ``root`` in document order, skipping junk, without recursion."""
    buffer: List[str] = []
    link_chars = 0
    owners: List[Tag] = [root]

    def flush() -> Optional[_Block]:
        nonlocal link_chars
        text = _SPACE.sub(" ", "".join(buffer)).strip()
        block = _Block(text, min(link_chars, len(text)), owners[-1]) if text else None
        buffer.clear()
        link_chars = 0
        return block

    stack: List[Tuple[Tag, Iterator[Any], bool]] = [(root, iter(root.contents), False)]
    while stack:
        node, children, in_link = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if node.name in _BLOCK_TAGS and len(owners) > 1:
                block = flush()
                if block:
                    yield block
                owners.pop()
        elif isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a comment, CDATA or script text
                buffer.append(child)
                link_chars += len(_SPACE.sub(" ", child)) if in_link else 0
        elif isinstance(child, Tag) and not _is_junk(child, strictness):
            if child.name == "br" or child.name in _BLOCK_TAGS:
                block = flush()
                if block:
                    yield block
                if child.name == "br":
                    continue
                owners.append(child)
            stack.append((child, iter(child.contents), in_link or _is_link(child)))
    block = flush()
    if block:
        yield block


def _is_link(tag: Tag) -> bool:
    """Whether an element is a link away from the text: an e-mail address written as a
    link is part of the sentence that gives it."""
    return tag.name == "a" and not str(tag.get("href") or "").lower().startswith("mailto:")


def _readable(block: _Block) -> bool:
    """Whether a block of the chosen container belongs in the body: not mostly links, made
    of words rather than pager arrows and numbers, and not a comment function's label
    ("Kommentare schreiben", "3 Comments", "Kommentarfeed | Kommentare geschlossen")."""
    if len(block.text) < _MAX_LABEL and _COMMENT_LABEL.match(block.text):
        return False
    return block.link_density < _MAX_LINK_DENSITY and _LETTER.search(block.text) is not None


def _class_weight(tag: Tag) -> float:
    """How much an element's class and id names count for it: a factor on the score of the
    text it holds, so that a name never outweighs the text (a one-paragraph box called
    "content" does not beat a three-paragraph article)."""
    words = set(_attr_words(tag))
    return 1.0 + _CLASS_FACTOR * (bool(words & _GOOD_WORDS) - bool(words & _JUNK_WORDS))


def _best_container(root: Tag, strictness: int) -> List[Tag]:
    """The elements holding the article text, in document order (empty when none): the
    element holding the most paragraph text, readability-style (each paragraph scores its
    holder fully and the holder's parent half; link-heavy holders lose), with those of its
    siblings that score at least a fifth as well, since some sites split one article over
    several sibling boxes (text, image, text)."""
    candidates: Dict[int, _Candidate] = {}
    for block in _blocks(root, strictness):
        holder = block.owner
        if holder.name in _PARAGRAPH_TAGS and holder is not root and holder.parent is not None:
            holder = holder.parent
        good = len(block.text) >= _MIN_PARAGRAPH and block.link_density < _MAX_LINK_DENSITY
        score = 1 + len(_COMMAS.findall(block.text)) + min(len(block.text) / 100, 3) if good else 0
        tag: Optional[Tag] = holder
        for level, share in enumerate(_ANCESTOR_SHARES):
            if not isinstance(tag, Tag):
                break
            entry = candidates.setdefault(id(tag), _Candidate(tag, 0.0, weight=_class_weight(tag)))
            if level == _DEEP_LEVEL:
                entry.deep = entry.deep or _Candidate(tag, 0.0, weight=entry.weight)
                entry = entry.deep
            entry.score += score * share
            entry.paragraphs += good
            entry.chars += len(block.text)
            entry.link_chars += block.link_chars
            tag = tag.parent if tag is not root else None
    ranked = [c for c in candidates.values() if c.paragraphs]
    if not ranked:
        return []
    best = max(ranked, key=_rank)
    top, top_rank = best.tag, _rank(best)
    # A box that is its parent's only child is the same text as the parent: go up to the
    # level where its siblings are (readability does the same) before looking at them.
    while top is not root and isinstance(top.parent, Tag) and top.parent is not root and _only_child(top):
        top = top.parent
    parent = top.parent
    if top is root or not isinstance(parent, Tag):
        return [top]
    threshold = max(top_rank * _SIBLING_SHARE, _MIN_SIBLING_SCORE)
    kind = _class_key(top)
    chosen: List[Tag] = []
    for child in parent.children:
        if child is top:
            chosen.append(child)
        elif isinstance(child, Tag) and id(child) in candidates and child.name not in _PARAGRAPH_TAGS:
            sibling = _with_deep(candidates[id(child)])
            # A box of the same kind as the best one (same class names) is another part of
            # the same text, as readability has it: a lead paragraph, a second text widget.
            same_kind = bool(kind) and _class_key(child) == kind
            score = _rank(sibling) + (top_rank * _SIBLING_SHARE if same_kind else 0.0)
            if sibling.paragraphs and score >= threshold and sibling.link_chars < 0.25 * sibling.chars:
                chosen.append(child)
    return chosen


def _with_deep(candidate: _Candidate) -> _Candidate:
    """A candidate with what its deeper paragraphs add counted in."""
    deep = candidate.deep
    if deep is None:
        return candidate
    return _Candidate(candidate.tag, candidate.score + deep.score, candidate.weight, candidate.paragraphs + deep.paragraphs,
                      candidate.chars + deep.chars, candidate.link_chars + deep.link_chars)  # fmt: skip


def _only_child(tag: Tag) -> bool:
    """Whether ``tag`` is the only element in its parent (scripts and the like aside)."""
    return all(child is tag for child in tag.parent.children if isinstance(child, Tag) and child.name not in _NON_TEXT_TAGS)


def _class_key(tag: Tag) -> FrozenSet[str]:
    """An element's class names without the numbered ones that make each box unique
    (``elementor-element-20948f76``): what kind of box it is."""
    return frozenset(c for c in tag.get("class") or [] if not any(ch.isdigit() for ch in c))


def _rank(candidate: _Candidate) -> float:
    return candidate.score * candidate.weight * (1 - candidate.link_chars / max(candidate.chars, 1))


def _text_of(container: Tag, strictness: int) -> str:
    paragraphs: List[str] = []
    for block in _blocks(container, strictness):
        if _readable(block) and block.text not in paragraphs[-1:]:
            paragraphs.append(block.text)
    return "\n\n".join(paragraphs)


def _body(page: _Page) -> str:
    """The article text, paragraphs separated by blank lines.

    An element marked ``itemprop=articleBody`` wins, else the best-scoring container. Class
    names are trusted first; when that leaves too little text the walk is retried trusting
    less, since a page-wide wrapper sometimes has a furniture-like class (``int-nav``).
    JSON-LD ``articleBody`` stands in when the page's own markup yields far less.
    """
    root = page.soup.body or page.soup
    text = ""
    for strictness in (2, 1, 0):
        candidates = [_text_of(t, strictness) for t in page.marked_bodies if not _is_junk(t, strictness)]
        if not candidates or max(map(len, candidates)) < _ENOUGH_TEXT / 2:
            containers = _best_container(root, strictness)
            candidates.append("\n\n".join(filter(None, (_text_of(c, strictness) for c in containers))))
        attempt = max(candidates, key=len)
        if len(attempt) > 2 * len(text):
            text = attempt
        if len(text) >= _ENOUGH_TEXT:
            break
    ld_bodies = [o["articleBody"] for o in _ld_articles(page) if isinstance(o.get("articleBody"), str)]
    ld_body = max(ld_bodies, key=len, default="")
    if len(text) < len(ld_body.strip()) / 2:
        text = "\n\n".join(_clean(part) for part in ld_body.split("\n") if part.strip())
    return text or _text_of(root, 0)


# --- last resort --------------------------------------------------------------------------

_FLAT_DROP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_FLAT_TAG = re.compile(r"<[^>]*>")
_FLAT_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _flat_article(html_text: str) -> Article:
    """An article from the page's text with all structure ignored, for pages too deep to
    walk as a tree: better a noisy body than a lost page."""
    title_match = _FLAT_TITLE.search(html_text)
    title = _clean(_html.unescape(title_match.group(1))) if title_match else ""
    body = _clean(_html.unescape(_FLAT_TAG.sub(" ", _FLAT_DROP.sub(" ", html_text))))
    if not body:
        raise SourceError("no article text in the page")
    return Article(title=title, body=body)
