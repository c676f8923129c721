"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one article per item or entry.

Parsed with the standard library's ``xml.etree``. Safety: a feed whose DOCTYPE carries an
internal subset (``<!DOCTYPE x [ ... ]>``, where entity declarations live) is refused
outright, so entity-expansion ("billion laughs") and external-entity tricks never reach the
parser; feeds have no use for one. HTML entity names that real feeds use without declaring
them (``&nbsp;``, ``&mdash;``) are replaced by their characters first, and bare ``&`` in text
("AT&T") is escaped when the first parse fails on it.

Fields: title; link (Atom ``rel="alternate"``, RSS ``link``, else a permalink ``guid``); date
from published/pubDate/dc:date/issued/created/updated; author from author/dc:creator;
body as the longest of content:encoded/content/description/summary with HTML turned into
plain text; the channel or feed title as source.
"""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Dict, Iterator, List, Mapping, Optional, Tuple, Union

from searcher.article import Article, Problem
from searcher.dates import first_usable_date
from searcher.errors import SourceError
from searcher.sources._encoding import decode

__all__ = ["read", "strip_tags"]

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_INTERNAL_DTD = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset(("amp", "lt", "gt", "quot", "apos"))
_BARE_AMPERSAND = re.compile(r"&(?!#\d+;|#x[0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)")
_PREFIX = re.compile(r"<(/?)[\w.-]+:")
_FEED_ROOTS = ("rss", "feed", "RDF", "channel")

_DATE_TAGS = ("published", "pubDate", "date", "issued", "created", "updated", "modified")
_BODY_TAGS = ("encoded", "content", "description", "summary")

_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote pre tr table section article header "
    "footer figure figcaption hr dd dt dl".split()
)
_MARKUP = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_PARAGRAPHS = re.compile(r"\s*\n\s*\n\s*")


def read(
    data: bytes, *, path: str, mapping: Mapping[str, str]
) -> Iterator[Union[Article, Problem]]:
    """The articles of an RSS or Atom feed (``mapping`` is for tabular files; ignored)."""
    root = _parse(data)
    if _local(root.tag) not in _FEED_ROOTS:
        raise SourceError(f"XML root <{_local(root.tag)}> is not an RSS or Atom feed")
    source = _feed_title(root)
    position = 0
    for element in root.iter():
        if _local(element.tag) in ("item", "entry"):
            yield _article(element, source, position)
            position += 1


def strip_tags(markup: str) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, scripts dropped,
    block elements as paragraph breaks, runs of spaces folded. Text without markup is only
    whitespace-folded, so the common case stays cheap."""
    if not _MARKUP.search(markup):
        return _fold(markup)
    from bs4 import BeautifulSoup  # imported on first use: it takes a while to load

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "iframe"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        if tag.name == "br":
            tag.replace_with("\n")
        else:
            tag.insert_before("\n\n")
            tag.insert_after("\n\n")
    return _fold(soup.get_text())


def _fold(text: str) -> str:
    """Fold spaces inside paragraphs; keep one blank line between paragraphs."""
    paragraphs = (_SPACES.sub(" ", part).strip() for part in _PARAGRAPHS.split(text))
    return "\n\n".join(
        "\n".join(line.strip() for line in part.split("\n")) for part in paragraphs if part
    )


def _parse(data: bytes) -> ET.Element:
    """The root element, after decoding and the safety checks described above."""
    declared = _DECLARATION.match(data[:200])
    text = decode(data, declared=declared.group(1).decode("ascii") if declared else None)
    text = _DECLARATION_TEXT.sub("", text.lstrip("\ufeff"), count=1)
    if _INTERNAL_DTD.search(text):
        raise SourceError(
            "refusing a feed with an inline DTD (<!DOCTYPE ... [ ]>): its entity "
            "declarations could expand without bound"
        )
    text = _NAMED_ENTITY.sub(_entity_as_character, text)
    try:
        return ET.fromstring(text)
    except ET.ParseError as first:
        repaired = _BARE_AMPERSAND.sub("&amp;", text)
        if repaired != text:
            try:
                return ET.fromstring(repaired)
            except ET.ParseError:
                pass
        raise SourceError(f"malformed XML: {first}") from None


def _entity_as_character(match: "re.Match[str]") -> str:
    """An HTML named entity as its character; XML's own five and unknown names unchanged."""
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    codepoint = html.entities.name2codepoint.get(name)
    if codepoint is None:
        return match.group(0)
    character = chr(codepoint)
    return {"<": "&lt;", "&": "&amp;", ">": "&gt;"}.get(character, character)


def _local(tag: object) -> str:
    """A tag's name without its namespace ("{http://...}title" -> "title")."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: ET.Element) -> Dict[str, List[ET.Element]]:
    """Direct children grouped by local name, in document order."""
    grouped: Dict[str, List[ET.Element]] = {}
    for child in element:
        grouped.setdefault(_local(child.tag), []).append(child)
    return grouped


def _feed_title(root: ET.Element) -> str:
    """The channel (RSS) or feed (Atom) title, used as every item's source."""
    candidates = [root] + [child for child in root if _local(child.tag) == "channel"]
    for element in candidates:
        titles = _children(element).get("title")
        if titles:
            return _text(titles[0])
    return ""


def _text(element: ET.Element) -> str:
    """Plain text of an element, whether it holds escaped HTML, XHTML children or text."""
    if len(element):
        inner = (element.text or "") + "".join(
            ET.tostring(child, encoding="unicode") for child in element
        )
        inner = _PREFIX.sub(r"<\1", inner)  # "<ns0:p>" of Atom XHTML -> "<p>"
        return strip_tags(inner)
    return strip_tags(element.text or "")


def _article(item: ET.Element, source: str, position: int) -> Article:
    """One item or entry as an Article."""
    children = _children(item)
    url = _link(item, children)
    date, problem = _date(children, url)
    bodies = [_text(element) for tag in _BODY_TAGS for element in children.get(tag, ())]
    body = max(bodies, key=len) if bodies else ""
    titles = children.get("title")
    return Article(
        title=_text(titles[0]) if titles else "",
        body=body,
        date=date,
        source=source,
        url=url,
        author=_authors(children),
        position=position,
        date_problem=problem,
    )


def _link(item: ET.Element, children: Dict[str, List[ET.Element]]) -> str:
    """The item's web address."""
    for element in children.get("origLink", ()):
        if (element.text or "").strip():
            return (element.text or "").strip()
    links = children.get("link", ())
    for element in links:
        href = element.get("href")
        if href and element.get("rel", "alternate") == "alternate":
            return href.strip()
    for element in links:
        if (element.text or "").strip():
            return (element.text or "").strip()
        if element.get("href"):
            return element.get("href", "").strip()
    for element in children.get("guid", []) + children.get("id", []):
        value = (element.text or "").strip()
        if value.startswith(("http://", "https://")) and element.get("isPermaLink") != "false":
            return value
    about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about", "")
    return about.strip()


def _date(
    children: Dict[str, List[ET.Element]], url: str
) -> Tuple[Optional[datetime], str]:
    """The first usable date of the item, else the url's date; and the reason if unusable."""
    values = (element.text for tag in _DATE_TAGS for element in children.get(tag, ()))
    return first_usable_date(values, url=url)


def _authors(children: Dict[str, List[ET.Element]]) -> str:
    """Author names from RSS author, Atom author/name and dc:creator, comma-separated."""
    names: List[str] = []
    for element in children.get("author", []) + children.get("creator", []):
        name_elements = _children(element).get("name")
        name = _text(name_elements[0]) if name_elements else _text(element)
        match = re.fullmatch(r"\S+@\S+\s*\((.+)\)", name)
        if match:
            name = match.group(1).strip()  # RSS: "editor@example.com (Jane Doe)"
        if name and name not in names:
            names.append(name)
    return ", ".join(names)
