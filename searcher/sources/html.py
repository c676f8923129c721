"""Read one saved news web page into one ``Article``.

A page carries its metadata in several overlapping places (JSON-LD, Open Graph and other
``<meta>`` tags, ``<title>``, ``<h1>``, ``<time>``); each field is taken from the most
reliable place that has it. The article text is found by scoring the page's containers by
how much paragraph-like, link-poor text they hold, after skipping navigation, scripts,
share bars, comments and similar furniture.

Every walk over the document is iterative, because hostile pages nest elements thousands of
levels deep and a recursive walk would die with ``RecursionError``.
"""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.exceptions import ParserRejectedMarkup

from searcher.article import Article, Problem, normalise_text
from searcher.dates import date_from_url, parse_date
from searcher.errors import DateError, SourceError

try:
    from searcher.sources._encoding import decode as _decode
except ImportError:  # the shared decoder has not landed yet

    def _decode(data: bytes, *, declared: Optional[str] = None) -> str:
        """BOM, then the declared charset, then UTF-8, then cp1252; never raises."""
        for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
            if data.startswith(bom):
                return data[len(bom):].decode(codec, errors="replace")
        for codec in (declared, "utf-8"):
            if codec:
                try:
                    return data.decode(codec)
                except (LookupError, UnicodeDecodeError):
                    pass
        return data.decode("cp1252", errors="replace")


__all__ = ["read", "extract", "declared_charset"]

# How far into the file a charset declaration is looked for: real heads put it early, but
# some put kilobytes of comments and scripts before it.
_CHARSET_WINDOW = 8192
_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)

# Elements whose content is never text a reader sees.
_NON_TEXT_TAGS = frozenset(
    "script style noscript template iframe svg canvas object embed select textarea input"
    " button head title video audio picture map".split()
)
# Elements that hold page furniture rather than the article, on nearly every site.
_FURNITURE_TAGS = frozenset("nav header footer aside form label figure figcaption menu dialog".split())
# Elements that start a new block of text.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details div dl dt fieldset figcaption"
    " figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary"
    " table tbody td tfoot th thead tr ul caption".split()
)
# Blocks that are paragraphs themselves: their score goes to the element holding them.
_PARAGRAPH_TAGS = frozenset("p pre blockquote li dd td h2 h3 h4 h5 h6".split())
# Never skipped for their class names: they are the page, or are marked as the article.
_KEEP_TAGS = frozenset("html body main article".split())

_JUNK_WORDS = frozenset(
    "nav navbar navigation menu menus share shares sharing social comment comments disqus"
    " footer related recommended recirc promo promos ad ads advert adverts advertisement"
    " sponsor sponsored newsletter subscribe subscription signup cookie cookies consent gdpr"
    " breadcrumb breadcrumbs sidebar popup modal outbrain taboola toolbar pagination pager"
    " masthead byline dateline timestamp caption credit tags trending".split()
)
# Junk even when the element also looks like content ("comment-body", "share-content").
_STRONG_JUNK_WORDS = frozenset(
    "comment comments disqus share sharing social newsletter cookie cookies consent gdpr"
    " outbrain taboola advertisement advert promo related recirc breadcrumb".split()
)
_GOOD_WORDS = frozenset("article body content entry main post story text blog news".split())
_JUNK_ROLES = frozenset("navigation banner contentinfo complementary search menu menubar dialog alert".split())

_WORD_SPLIT = re.compile(r"[^a-zA-Z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_SPACE = re.compile(r"\s+")
_COMMAS = re.compile(r"[,，、،]")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# Shortest block, in characters, that counts as a paragraph when scoring containers.
_MIN_PARAGRAPH = 25
_MAX_LINK_DENSITY = 0.5
# A body shorter than this makes the extractor retry with less skipping (as readability does).
_ENOUGH_TEXT = 500

_LD_ARTICLE_TYPES = ("article", "posting", "report", "newsarticle", "blogposting")

# Where publication dates hide in <meta> tags, in order of trust (keys lower-cased).
_DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article.published",
    "datepublished",
    "article_date_original",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "datecreated",
    "originalpublicationdate",
    "cxenseparse:recs:publishtime",
    "displaydate",
    "article:published",
)


@dataclass
class _Block:
    """A run of text between block boundaries, with the element that holds it."""

    text: str
    link_chars: int
    owner: Tag

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)


def read(data: bytes, *, path: str, mapping: Mapping[str, str]) -> Iterator[Union[Article, Problem]]:
    """Yield the one article in a saved web page (``mapping`` is unused: HTML needs none).

    Raises ``SourceError`` when the page holds no article text at all. A page too deeply
    nested to walk yields a ``Problem`` and then an article made from its flat text.
    """
    text = _decode(data, declared=declared_charset(data))
    try:
        article = extract(text)
    except RecursionError:
        yield Problem(path=path, reason="page nested too deeply to read its structure; used its plain text")
        article = _flat_article(text)
    yield _with_path(article, path)


def declared_charset(data: bytes) -> Optional[str]:
    """The charset a page declares in ``<meta charset>``, ``http-equiv`` or an XML
    declaration near its start, or ``None``; the decoder needs it before parsing."""
    match = _CHARSET.search(data[:_CHARSET_WINDOW])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii").strip().lower() or None


def extract(html_text: str, *, url: str = "") -> Article:
    """Build an ``Article`` from one page's HTML; ``url`` is used when the page names none.

    Raises ``SourceError`` when the page has no article text.
    """
    try:
        soup = BeautifulSoup(html_text, "html.parser")
    except ParserRejectedMarkup as error:
        raise SourceError(f"not readable as HTML: {error}") from None
    meta = _meta_tags(soup)
    ld_objects = _json_ld(soup)
    page_url = _canonical_url(soup, meta) or url
    source = _source(meta, ld_objects, page_url)
    body = _body(soup, ld_objects)
    if not body:
        raise SourceError("no article text in the page")
    date, date_problem = _date(soup, meta, ld_objects, page_url)
    return Article(
        title=_title(soup, meta, ld_objects, source=source, url=page_url),
        body=body,
        date=date,
        date_problem=date_problem,
        source=source,
        url=page_url,
        author=_author(soup, meta, ld_objects),
    )


def _with_path(article: Article, path: str) -> Article:
    return Article(**{**article.__dict__, "path": path})


# --- metadata -----------------------------------------------------------------------------


def _clean(text: Any) -> str:
    return normalise_text(str(text)) if text else ""


def _meta_tags(soup: BeautifulSoup) -> Dict[str, List[str]]:
    """``<meta>`` contents by lower-cased name/property/itemprop, in page order."""
    found: Dict[str, List[str]] = {}
    for tag in soup.find_all("meta"):
        content = _clean(tag.get("content"))
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = tag.get(attr)
            if isinstance(key, str) and key.strip():
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _first_meta(meta: Mapping[str, List[str]], *keys: str) -> str:
    for key in keys:
        for value in meta.get(key, ()):
            if value:
                return value
    return ""


def _json_ld(soup: BeautifulSoup) -> List[Dict[str, Any]]:
    """Every JSON-LD object on the page, flattened out of lists and ``@graph`` arrays."""
    objects: List[Dict[str, Any]] = []
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.IGNORECASE)):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        pending = [data]
        while pending:
            item = pending.pop(0)
            if isinstance(item, list):
                pending[:0] = item
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, (list, dict)):
                    pending.append(graph)
    return objects


def _ld_type(obj: Mapping[str, Any]) -> str:
    kind = obj.get("@type", "")
    return " ".join(kind) if isinstance(kind, list) else str(kind)


def _ld_articles(objects: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Article-like JSON-LD objects first, then the rest, so an article's own fields win
    over those of the web page or organisation around it."""
    def is_article(obj: Dict[str, Any]) -> bool:
        kind = _ld_type(obj).lower()
        return any(word in kind for word in _LD_ARTICLE_TYPES)

    return [o for o in objects if is_article(o)] + [o for o in objects if not is_article(o)]


def _ld_names(value: Any) -> List[str]:
    """Names out of a JSON-LD person/organisation value (a string, object or list)."""
    names: List[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list):
            name = " ".join(str(part) for part in name)
        name = _clean(name)
        if name and not _looks_like_url(name) and name not in names:
            names.append(name)
    return names


def _looks_like_url(text: str) -> bool:
    return bool(re.match(r"^(https?:)?//|^www\.", text, re.IGNORECASE))


def _canonical_url(soup: BeautifulSoup, meta: Mapping[str, List[str]]) -> str:
    """The page's own address: ``rel=canonical`` when absolute, else ``og:url``."""
    og_url = _first_meta(meta, "og:url", "twitter:url")
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        if "canonical" in [r.lower() for r in rel]:
            href = str(link["href"]).strip()
            if re.match(r"^https?://", href, re.IGNORECASE):
                return href
            if og_url or not href:
                break
    if og_url and re.match(r"^https?://", og_url, re.IGNORECASE):
        return og_url
    return ""


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or "" if url else ""
    return re.sub(r"^www\d*\.", "", host.lower())


def _source(meta: Mapping[str, List[str]], ld_objects: List[Dict[str, Any]], url: str) -> str:
    """The publication: ``og:site_name``, else the JSON-LD publisher, else the domain."""
    name = _first_meta(meta, "og:site_name", "application-name")
    if name:
        return name
    for obj in _ld_articles(ld_objects):
        publisher = _ld_names(obj.get("publisher"))
        if publisher:
            return publisher[0]
    return _domain(url)


def _author(soup: BeautifulSoup, meta: Mapping[str, List[str]], ld_objects: List[Dict[str, Any]]) -> str:
    """The article's author(s), comma-joined: JSON-LD, then meta tags, then bylines."""
    for obj in _ld_articles(ld_objects):
        names = _ld_names(obj.get("author") or obj.get("creator"))
        if names:
            return ", ".join(names)
    for key in ("author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator"):
        for value in meta.get(key, ()):
            if not _looks_like_url(value):
                return re.sub(r"^by\s+", "", value, flags=re.IGNORECASE)
    for tag in soup.find_all(["a", "span", "div", "p"], rel="author") or soup.find_all(
        ["a", "span", "div", "p"], class_=re.compile(r"(^|[-_ ])(byline|author)(-?name)?($|[-_ ])", re.IGNORECASE)
    ):
        text = _clean(tag.get_text(" "))
        if 0 < len(text) <= 80:
            return re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)
    return ""


# --- title --------------------------------------------------------------------------------

# Separators between a headline and the site decorations after it in <title>.
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|\-–—»·/:~•]|--|::)\s+|\s*[|｜»]\s*|(?<=[^\x00-\x7f])\s*[-_：]\s*|　+")
# Separators that never occur inside a headline, so a short segment after one is decoration
# (a dash counts when glued to CJK text, as in "...需求-新华网").
_STRONG_SEPARATOR = re.compile(r"[|｜»/:•：_]|--|　|^-$")


def _title(soup: BeautifulSoup, meta: Mapping[str, List[str]], ld_objects: List[Dict[str, Any]], *, source: str, url: str) -> str:
    """The headline. ``<title>`` minus the site decorations comes first: measured on the
    reference pages it is what the publisher calls the article more often than the display
    headline; JSON-LD, Open Graph and ``<h1>`` fill in when it is missing or only a site name.
    """
    headlines = _headline_candidates(soup, meta, ld_objects, source=source, url=url)
    raw = _clean(soup.title.get_text(" ")) if soup.title else ""
    if raw:
        folded = _fold(raw)
        # A headline followed in <title> by a separator: the rest is decoration.
        for headline in headlines:
            head = _fold(headline)
            if head and folded.startswith(head) and len(folded) > len(head):
                rest = raw[len(headline):] if raw.startswith(headline) else raw[-(len(folded) - len(head)):]
                if _TITLE_SEPARATOR.match(rest) or rest[:1] in " 　":
                    return headline
        stripped = strip_site_name(raw, site_names=[source, _domain(url)])
        if stripped and not _is_site_name(stripped, [source, _domain(url)]):
            return stripped
    return headlines[0] if headlines else raw


def _headline_candidates(soup: BeautifulSoup, meta: Mapping[str, List[str]], ld_objects: List[Dict[str, Any]], *, source: str, url: str) -> List[str]:
    names = [source, _domain(url)]
    found: List[str] = []
    for obj in _ld_articles(ld_objects):
        headline = obj.get("headline")
        if isinstance(headline, str) and _clean(headline):
            found.append(_clean(headline))
    for key in ("og:title", "twitter:title", "title", "headline"):
        found.extend(strip_site_name(value, site_names=names) for value in meta.get(key, ()))
    h1s = soup.find_all("h1", limit=5)
    in_article = [h for h in h1s if h.find_parent("article") is not None]
    for h1 in in_article + h1s:
        text = _clean(h1.get_text(" "))
        if text:
            found.append(text)
    unique: List[str] = []
    for text in found:
        if text and text not in unique and not _is_site_name(text, names):
            unique.append(text)
    return unique


def strip_site_name(title: str, *, site_names: List[str]) -> str:
    """``title`` without trailing site decorations such as `` | TIME``, `` - CNN.com`` or
    `` » Local » Noticias » Ultima Hora Mallorca``.

    A trailing segment goes when it names the site (``site_names``: site name or domain),
    along with everything after it; then short segments after separators that never occur
    inside headlines (``|``, ``»``, ``--``) go too. The headline itself always stays.
    """
    title = _clean(title)
    parts = _TITLE_SEPARATOR.split(title)
    separators = _TITLE_SEPARATOR.findall(title)
    if len(parts) < 2:
        return title
    keep = len(parts)
    for index in range(1, len(parts)):
        if _is_site_name(parts[index], site_names):
            keep = index
            break
    while keep > 1:
        tail, separator = parts[keep - 1], separators[keep - 2]
        head_length = sum(len(p) for p in parts[: keep - 1])
        short = len(tail) <= 30 and len(tail.split()) <= 4 and head_length >= 2 * len(tail)
        if not (short and _STRONG_SEPARATOR.search(separator)):
            break
        keep -= 1
    result = parts[0]
    for index in range(1, keep):
        result += separators[index - 1] + parts[index]
    return result.strip()


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_site_name(text: str, site_names: List[str]) -> bool:
    """Whether ``text`` names the site: it contains the site name or the domain's main
    label, or is contained in the site name (``CNN Politics`` for ``CNN``)."""
    text_letters = _letters(text)
    if not text_letters:
        return False
    for name in site_names:
        if not name:
            continue
        labels = [name] if "." not in name or " " in name else [name, name.split(".")[-2]]
        for label in labels:
            label_letters = _letters(label)
            if len(label_letters) < 2:
                continue
            if text_letters == label_letters or text_letters in label_letters:
                return True
            if text_letters.startswith(label_letters) or text_letters.endswith(label_letters):
                return len(text_letters) <= 3 * len(label_letters) + 12
    return False


def _fold(text: str) -> str:
    """Comparable form of a headline: typographic quotes and dashes made plain, case folded."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\xa0": " "})
    return _SPACE.sub(" ", text.translate(table)).strip().casefold()


# --- date ---------------------------------------------------------------------------------


def _date(soup: BeautifulSoup, meta: Mapping[str, List[str]], ld_objects: List[Dict[str, Any]], url: str) -> Tuple[Optional[datetime], str]:
    """The publication date and, when the page states an impossible one, why it is missing.

    The first candidate that reads as a date decides: an impossible date is reported rather
    than replaced by a later, less trusted candidate.
    """
    for where, text in _date_candidates(soup, meta, ld_objects):
        try:
            found = parse_date(text)
        except DateError as error:
            return None, f"impossible date {text!r} in {where}: {error}"
        if found is not None:
            return found, ""
    if url:
        try:
            return date_from_url(url), ""
        except DateError as error:
            return None, f"impossible date in url {url!r}: {error}"
    return None, ""


def _date_candidates(soup: BeautifulSoup, meta: Mapping[str, List[str]], ld_objects: List[Dict[str, Any]]) -> Iterator[Tuple[str, str]]:
    for obj in _ld_articles(ld_objects):
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = obj.get(key)
            if isinstance(value, str) and value.strip():
                yield f"JSON-LD {key}", value.strip()
    for key in _DATE_META_KEYS:
        for value in meta.get(key, ()):
            yield f"meta {key}", value
    times = soup.find_all("time", limit=50)
    marked = [t for t in times if t.has_attr("pubdate") or "publish" in " ".join(_attr_words(t))]
    in_article = [t for t in times if t.find_parent("article") is not None]
    for tag in marked + in_article:
        value = tag.get("datetime") or tag.get("content") or tag.get_text(" ")
        if isinstance(value, str) and value.strip():
            yield "<time>", value.strip()


# --- body ---------------------------------------------------------------------------------


def _attr_words(tag: Tag) -> List[str]:
    """Lower-cased words of an element's class, id and itemprop (camelCase split too)."""
    values: List[str] = []
    for attr in ("class", "id", "itemprop"):
        value = tag.get(attr)
        if isinstance(value, list):
            values.extend(value)
        elif isinstance(value, str):
            values.append(value)
    words: List[str] = []
    for value in values:
        words.extend(word.lower() for word in _WORD_SPLIT.split(value) if word)
    return words


def _is_junk(tag: Tag, strictness: int) -> bool:
    """Whether to skip an element: at strictness 0 only what is never visible text; at 1
    also furniture elements, hidden ones and furniture roles; at 2 also elements whose
    class or id names furniture (navigation, sharing, comments, adverts...)."""
    name = tag.name
    if name in _NON_TEXT_TAGS:
        return True
    if strictness < 1 or name in _KEEP_TAGS:
        return False
    if name in _FURNITURE_TAGS:
        return True
    if tag.has_attr("hidden") or _HIDDEN_STYLE.search(str(tag.get("style") or "")):
        return True
    role = str(tag.get("role") or "").lower()
    if role in _JUNK_ROLES:
        return True
    if strictness < 2:
        return False
    words = set(_attr_words(tag))
    if not words or "articlebody" in words:
        return False
    if words & _STRONG_JUNK_WORDS:
        return True
    return bool(words & _JUNK_WORDS) and not words & _GOOD_WORDS


def _blocks(root: Tag, strictness: int = 2) -> Iterator[_Block]:
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
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                buffer.append(str(child))
                if in_link:
                    link_chars += len(_SPACE.sub(" ", str(child)))
            continue
        if not isinstance(child, Tag) or _is_junk(child, strictness):
            continue
        if child.name == "br" or child.name in _BLOCK_TAGS:
            block = flush()
            if block:
                yield block
            if child.name == "br":
                continue
            owners.append(child)
        stack.append((child, iter(child.contents), in_link or child.name == "a"))
    block = flush()
    if block:
        yield block


def _good(block: _Block) -> bool:
    return len(block.text) >= _MIN_PARAGRAPH and block.link_density < _MAX_LINK_DENSITY


def _class_weight(tag: Tag) -> float:
    words = set(_attr_words(tag))
    weight = 0.0
    if words & _GOOD_WORDS or "articlebody" in words:
        weight += 25
    if words & _JUNK_WORDS:
        weight -= 25
    return weight


def _best_container(root: Tag, strictness: int) -> Optional[Tag]:
    """The element that holds the most paragraph text, readability-style: each paragraph
    scores its holder fully and the holder's parent half, then link-heavy holders lose."""
    scores: Dict[int, float] = {}
    tags: Dict[int, Tag] = {}
    for block in _blocks(root, strictness):
        if not _good(block):
            continue
        holder = block.owner
        if holder.name in _PARAGRAPH_TAGS and holder is not root and holder.parent is not None:
            holder = holder.parent
        score = 1 + len(_COMMAS.findall(block.text)) + min(len(block.text) / 100, 3)
        parent = holder.parent if holder is not root else None
        for tag, share in ((holder, 1.0), (parent, 0.5)):
            if isinstance(tag, Tag):
                if id(tag) not in scores:
                    scores[id(tag)] = _class_weight(tag)
                    tags[id(tag)] = tag
                scores[id(tag)] += score * share
    best: Optional[Tag] = None
    best_score = float("-inf")
    for key in sorted(scores, key=scores.__getitem__, reverse=True)[:5]:
        blocks = list(_blocks(tags[key], strictness))
        total = sum(len(b.text) for b in blocks) or 1
        final = scores[key] * (1 - sum(b.link_chars for b in blocks) / total)
        if final > best_score:
            best, best_score = tags[key], final
    return best


def _text_of(container: Tag, strictness: int) -> str:
    paragraphs: List[str] = []
    for block in _blocks(container, strictness):
        if block.link_density < _MAX_LINK_DENSITY and block.text not in paragraphs[-1:]:
            paragraphs.append(block.text)
    return "\n\n".join(paragraphs)


def _body(soup: BeautifulSoup, ld_objects: List[Dict[str, Any]]) -> str:
    """The article text, paragraphs separated by blank lines.

    An element marked ``itemprop=articleBody`` wins; otherwise the best-scoring container.
    Skipping by class names is tried first and relaxed when it leaves too little text,
    because a page-wide wrapper sometimes carries a furniture-like class (``int-nav``).
    """
    root = soup.body or soup
    text = ""
    for strictness in (2, 1, 0):
        marked = [t for t in root.find_all(attrs={"itemprop": "articleBody"}) if not _is_junk(t, strictness)]
        candidates = [_text_of(t, strictness) for t in marked]
        if not candidates or max(len(c) for c in candidates) < _ENOUGH_TEXT / 2:
            container = _best_container(root, strictness)
            candidates.append(_text_of(container, strictness) if container is not None else "")
        attempt = max(candidates, key=len)
        if len(attempt) > len(text):
            text = attempt
        if len(text) >= _ENOUGH_TEXT:
            break
    ld_body = ""
    for obj in _ld_articles(ld_objects):
        value = obj.get("articleBody")
        if isinstance(value, str) and len(value) > len(ld_body):
            ld_body = value
    if len(text) < len(ld_body.strip()) / 2:
        text = "\n\n".join(_clean(part) for part in ld_body.split("\n") if part.strip())
    return text


# --- last resort --------------------------------------------------------------------------

_FLAT_DROP = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_FLAT_TAG = re.compile(r"<[^>]*>")
_FLAT_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _flat_article(html_text: str) -> Article:
    """An article from the page's text with all structure ignored, for pages too deep to
    walk as a tree: better a noisy body than a lost page."""
    title_match = _FLAT_TITLE.search(html_text)
    title = _clean(_html.unescape(title_match.group(1))) if title_match else ""
    text = _FLAT_TAG.sub(" ", _FLAT_DROP.sub(" ", html_text))
    body = _clean(_html.unescape(text))
    if not body:
        raise SourceError("no article text in the page")
    return Article(title=title, body=body)
