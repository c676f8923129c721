"""Titles as readers see them: ``clean_title`` (applied by ``Article.finish`` to every
source) and the shipped corpus's titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.article import Article, clean_title
from searcher.sources import read_file

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.parametrize(
    "raw, clean",
    [
        # '"?' where an export lost a dash, an apostrophe or a closing quote (NewsArticles.csv).
        ('North Korean leader attends new rocket engine test "?media', "North Korean leader attends new rocket engine test — media"),
        ('NHL to decide on league players"?availability for 2018 Olympics', "NHL to decide on league players’ availability for 2018 Olympics"),
        ('Israel Accuses Human Rights Watch Of "\ufffdPropaganda,"?Denies Access', 'Israel Accuses Human Rights Watch Of "Propaganda,” Denies Access'),
        # a title that swallowed the next CSV field
        ('Risks of new "Black swans"?,The Bank of Russia usually tries to avoid', 'Risks of new "Black swans”'),
        # separators left at either end, folded whitespace
        ("  » Flood warnings  in the north | ", "Flood warnings in the north"),
        ("Headline ›", "Headline"),
        # left alone: a lost letter inside a word, a question mark, a leading minus, all-separator text
        ("D\ufffd\ufffdil committee to meet", "D\ufffd\ufffdil committee to meet"),
        ('Is it over? "Yes"', 'Is it over? "Yes"'),
        ("-40 degrees in Yakutsk", "-40 degrees in Yakutsk"),
        ("---", "---"),
    ],
)
def test_clean_title(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_finish_cleans_the_title() -> None:
    article = Article(title='Syrian troops deployed "?General Staff', body="Text.").finish()
    assert article.title == "Syrian troops deployed — General Staff"
    assert article.id and article.content_hash


def test_shipped_corpus_titles_have_no_stray_characters() -> None:
    """Every article of corpus/ read as the indexer reads it: no '"?' and no title that
    starts or ends with a separator (the '"?media' title came from corpus/jsonl)."""
    titles = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and not p.name.endswith(".md")):
        titles += [item.title for item in read_file(path) if isinstance(item, Article)]
    assert len(titles) >= 100
    assert "North Korean leader attends new rocket engine test — media" in titles
    stray = [t for t in titles if '"?' in t or t[:1] in "|»›-–—:" or t[-1:] in "|»›-–—:"]
    assert not stray, stray
