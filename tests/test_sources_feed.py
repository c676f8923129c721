"""Tests for searcher.sources.feed: RSS 2.0, RSS 1.0/RDF, Atom, and hostile XML."""

from __future__ import annotations

import codecs
from datetime import datetime, timezone
from typing import List, Union

import pytest

from searcher.article import Article, Problem
from searcher.errors import SourceError
from searcher.sources.feed import read, strip_tags


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)  # type: ignore[misc]


def articles(data: bytes) -> List[Article]:
    items: List[Union[Article, Problem]] = list(read(data, path="f.xml", mapping={}))
    assert all(isinstance(item, Article) for item in items)
    return items  # type: ignore[return-value]


RSS = """<?xml version="1.0" encoding="windows-1252"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Example News</title>
  <link>http://example.com/</link>
  <item>
    <title>Rates &amp; markets</title>
    <link>http://example.com/2013/11/27/rates</link>
    <guid isPermaLink="false">abc-1</guid>
    <pubDate>Wed, 27 Nov 2013 10:30:00 -0500</pubDate>
    <dc:creator>Jane Doe</dc:creator>
    <description>Short &lt;b&gt;summary&lt;/b&gt;</description>
    <content:encoded><![CDATA[<p>Full text of the \u201cfirst\u201d story.</p>
      <p>Second para.<br>Next line.</p><script>track()</script>]]></content:encoded>
  </item>
  <item>
    <title>No date here</title>
    <link>http://example.com/2013/11/28/second</link>
    <author>ed@example.com (John Roe)</author>
    <description>Plain text &mdash; with an&nbsp;entity</description>
  </item>
  <item>
    <title>Bad date</title>
    <guid>http://example.com/third</guid>
    <pubDate>Sat, 30 Feb 2013 10:30:00 GMT</pubDate>
    <description>Third body</description>
  </item>
</channel>
</rss>
"""


def test_rss2_items() -> None:
    first, second, third = articles(RSS.encode("cp1252"))
    assert first == Article(
        title="Rates & markets",
        body="Full text of the \u201cfirst\u201d story.\n\nSecond para.\nNext line.",
        date=utc(2013, 11, 27, 15, 30),
        source="Example News",
        url="http://example.com/2013/11/27/rates",
        author="Jane Doe",
        position=0,
    )
    assert second == Article(
        title="No date here",
        body="Plain text \u2014 with an entity",
        date=utc(2013, 11, 28),  # from the link
        source="Example News",
        url="http://example.com/2013/11/28/second",
        author="John Roe",
        position=1,
    )
    assert (third.url, third.date, third.position) == ("http://example.com/third", None, 2)
    assert third.date_problem == "impossible date 'Sat, 30 Feb 2013 10:30:00 GMT'"


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Atom Site</title>
  <entry>
    <title type="html">Caf\u00e9 &amp;amp; bar</title>
    <link rel="self" href="https://a.example/self"/>
    <link rel="alternate" type="text/html" href="https://a.example/story"/>
    <id>urn:uuid:1</id>
    <updated>2013-11-28T10:30:00Z</updated>
    <published>2013-11-27T10:30:00+02:00</published>
    <author><name>Ann</name></author>
    <author><name>Bob</name><email>bob@a.example</email></author>
    <summary>Short summary</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para <b>one</b>.</p><p>Para two.</p></div></content>
  </entry>
  <entry>
    <title>Second</title>
    <link href="https://a.example/two"/>
    <id>https://a.example/two</id>
    <updated>2013-11-29T00:00:00Z</updated>
    <summary type="html">&lt;p&gt;Only a summary&lt;/p&gt;</summary>
  </entry>
</feed>
"""


def test_atom_entries() -> None:
    first, second = articles(ATOM.encode("utf-8"))
    assert first == Article(
        title="Caf\u00e9 & bar",
        body="Para one.\n\nPara two.",
        date=utc(2013, 11, 27, 8, 30),
        source="Atom Site",
        url="https://a.example/story",
        author="Ann, Bob",
        position=0,
    )
    assert (second.title, second.body, second.url) == ("Second", "Only a summary", "https://a.example/two")
    assert second.date == utc(2013, 11, 29)


def test_atom_in_utf16_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + ATOM.replace("utf-8", "utf-16").encode("utf-16-le")
    assert [a.title for a in articles(data)] == ["Caf\u00e9 & bar", "Second"]


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://r.example/"><title>RDF Site</title><link>http://r.example/</link></channel>
  <item rdf:about="http://r.example/1">
    <title>R1</title><link>http://r.example/1</link>
    <description>Desc one</description><dc:date>2013-11-27T09:00:00+01:00</dc:date>
    <dc:creator>C. Writer</dc:creator>
  </item>
  <item rdf:about="http://r.example/2"><title>R2</title><description>Desc two</description></item>
</rdf:RDF>
"""


def test_rss1_rdf_items() -> None:
    first, second = articles(RDF)
    assert first == Article(
        title="R1",
        body="Desc one",
        date=utc(2013, 11, 27, 8, 0),
        source="RDF Site",
        url="http://r.example/1",
        author="C. Writer",
        position=0,
    )
    assert (second.url, second.position) == ("http://r.example/2", 1)


def test_entity_declarations_are_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss><channel><title>&lol2;</title><item><title>x</title></item></channel></rss>"""
    with pytest.raises(SourceError) as caught:
        articles(bomb)
    assert str(caught.value).startswith("refusing a feed with an inline DTD")
    external = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><description>&xxe;</description></item></channel></rss>"""
    with pytest.raises(SourceError):
        articles(external)


def test_rss091_public_doctype_and_bare_ampersands_are_read() -> None:
    data = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old &amp; Gold</title>
<item><title>AT&T news</title><link>http://old.example/a?x=1&y=2</link>
<description>Caf\xe9&nbsp;prices rise</description></item></channel></rss>"""
    (article,) = articles(data)
    assert (article.title, article.url, article.source) == (
        "AT&T news", "http://old.example/a?x=1&y=2", "Old & Gold"
    )
    assert article.body == "Caf\u00e9 prices rise"


def test_malformed_and_non_feed_xml_raise() -> None:
    with pytest.raises(SourceError) as caught:
        articles(b"<rss><channel><item><title>x</item></rss>")
    assert str(caught.value) == "malformed XML: mismatched tag: line 1, column 30"
    with pytest.raises(SourceError) as caught:
        articles(b"<?xml version='1.0'?><catalog><book>x</book></catalog>")
    assert str(caught.value) == "XML root <catalog> is not an RSS or Atom feed"


def test_feed_without_items_gives_nothing() -> None:
    assert articles(b"<rss><channel><title>Empty</title></channel></rss>") == []


def test_strip_tags() -> None:
    assert strip_tags("plain   text\n\n\n  next") == "plain text\n\nnext"
    assert strip_tags("<div><h1>Head</h1><p>One <a href='#'>link</a> two.</p>"
                      "<ul><li>a</li><li>b</li></ul><style>p{}</style></div>") == (
        "Head\n\nOne link two.\n\na\n\nb"
    )
    assert strip_tags("Tom &amp; Jerry &lt;3") == "Tom & Jerry <3"
    assert strip_tags("a < b and c > d") == "a < b and c > d"
