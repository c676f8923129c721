"""Rebuild ``tests/data/devset/`` from the unpacked source distributions it was taken from.

Nothing here is searcher's output: expected dates come from the assertions in htmldate's own
unit tests, expected text snippets from trafilatura's real-world tests, and the rest of the
annotations (page kind, dates of trafilatura pages) were checked by hand and live in
``HAND`` below. Run once, by hand::

    pip download --no-deps --no-binary :all: htmldate==1.2.3 trafilatura==1.0.0   # into a temp dir
    tar xzf ... ; python benchmarks/build_devset.py --htmldate DIR --trafilatura DIR

The pages are stored gzip-compressed, byte for byte as the packages ship them.
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "devset"

# htmldate pages that are not one article (home pages, terms of use, about pages, lists):
# kept, but scored apart from articles.
HTMLDATE_NOT_ARTICLES = {
    "intel.com.tos.html", "support.wordpress.com.html", "500px.com.spring.html",
    "facebook.com.visitaustria.html", "github.com.html", "blog.wordpress.com.html",
    "austria.info.html", "pixabay.com.tos.html", "bayern.de.html", "creativecommons.org.html",
    "die-partei.net.sh.html", "deutschland.de.en.html", "gnu.org.gpl.html",
    "viehbacher.com.forderungsbetreibung.html", "rosneft.com.licensing.html",
    "hundeverein-kreisunna.de.html", "pferde.projekte.de.html", "stuttgart.de.html",
    "eff.org.2015.html", "greenpeace.org.forests.html", "unexpecteduser.2011.html",
    "exporo.de.ezb.html", "beltz.de.12wege.html", "adac.de.kindersitztest.html",
    "acredis.com.augenlidstraffung.html", "medef.fr.dispute.html", "beltz.de.didakta.html",
    # the cached page shows another post than the one its address names
    "befifty.montauk.html",
}  # fmt: skip

# Pages whose htmldate expectation is its default mode (latest date) and differs from the
# publication date shown on the page, checked by hand: file -> publication date.
HAND_DATES: Dict[str, str] = {
    "channelpartner.de.berufe.html": "2017-08-21",  # htmldate asserts dateModified; datePublished is 2017-08-21
    "pbrunst.de.html": "2011-12-03",  # "Dieser Beitrag wurde ... am Samstag, 3. Dezember 2011 ... veröffentlicht"
}

# trafilatura pages, checked by hand: file -> (kind, publication day or None, title spec).
# The day is the one the page shows next to the headline (its own calendar day); None for an
# article whose page shows no date of its own. The title spec is "h1:N" (the N-th <h1>),
# "og" (og:title), or the headline itself.
HAND_TRAFILATURA: Dict[str, Tuple[str, Optional[str], Optional[str]]] = {
    "adac.de.kindersitze.html": ("other", None, "h1:0"),
    "austria.info.radfahren.html": ("other", None, "h1:0"),
    "basicthinking.de.tweets.html": ("article", "2018-12-05", "h1:0"),
    "bmjv.de.konsum.html": ("other", None, "Transparenz bei Preisanpassungen"),
    "brandenburg.de.homo-brandenburgensis.html": ("other", None, "h1:0"),
    "brigitte.de.ikigai.html": ("article", "2019-06-19", "h1:0"),
    "buchperlen.wordpress.com.html": ("article", "2013-10-20", "h1:1"),
    "caktusgroup.com.django.html": ("article", "2015-06-08", "h1:0"),
    "cdu-fraktion-erfurt.de.waldorfschule.html": ("article", None, "Entwicklung der Waldorfschule ermöglicht"),
    "changelog.blog.zwischenbilanz.html": ("article", "2019-05-20", "Zwischenbilanz: Jan Kegelberg über Tops und Flops bei der Transformation von SportScheck"),
    "chineselyrics4u.com.zhineng.html": ("article", "2011-07-28", "og"),
    "chip.de.beef.html": ("article", "2019-03-19", "h1:0"),
    "cnet.de.schutz.html": ("article", "2014-05-14", "h1:1"),
    "computerbase.de.htc.html": ("article", "2007-06-19", "h1:0"),
    "correctiv.org.zusage.html": ("article", "2019-05-14", "og"),
    "crazy-julia.de.tipps.html": ("article", "2019-05-17", "h1:0"),
    "de.creativecommons.org.endlich.html": ("article", "2014-03-20", "h1:0"),
    "demokratiewebstatt.at.luft.html": ("other", None, "h1:0"),
    "denkanstoos.com.2012.html": ("article", "2012-04-11", "h1:1"),
    "die-partei.net.luebeck.html": ("article", "2012-05-31", "Das Ministerium für Club-Kultur informiert…"),
    "dw.com.uncork.html": ("article", "2013-06-10", "h1:0"),
    "ebrosia.de.zinfandel.html": ("other", None, "h1:0"),
    "en.wikipedia.org.tsne.html": ("other", None, "h1:0"),
    "erp-news.info.interview.html": ("article", "2017-04-20", "h1:0"),
    "fairkom.eu.about.html": ("other", None, "h1:0"),
    "franceculture.fr.idees.html": ("article", "2020-01-14", "h1:0"),
    "franziska-elea.de.vuitton.html": ("article", "2019-02-10", "h1:0"),
    "futurezone.at.lyft.html": ("article", "2019-05-08", "h1:0"),
    "github.blog.spiceland.html": ("article", "2019-03-29", "h1:1"),
    "gofeminin.de.abnehmen.html": ("article", "2019-05-01", "h1:0"),
    "gruen-digital.de.jahrestagung.html": ("article", "2015-01-15", "h1:0"),
    "heise.de.lithium.html": ("article", "2019-06-20", "h1:0"),
    "hundeverein-kreisunna.de.html": ("other", None, None),
    "iloveponysmag.com.barbour.html": ("article", "2018-05-24", "OUTDOOR LOVERS"),
    "incurvy.de.wellness.html": ("article", "2017-01-08", "h1:0"),
    "internet-law.de.pseudonymen.html": ("article", "2011-07-17", "Verstößt der Ausschluss von Pseudonymen bei Google+ gegen deutsches Recht?"),
    "jolie.de.adele.html": ("article", "2019-06-20", "h1:0"),
    "jovelstefan.de.gefallt.html": ("article", "2011-09-11", "h1:0"),
    "knowtechie.com.rally.html": ("article", "2019-08-21", "h1:0"),
    "kulinariaathome.com.mandelplätzchen.html": ("article", "2012-12-08", "h1:0"),
    "lady50plus.de.sekre.html": ("article", "2019-06-19", "h1:0"),
    "landwirt.com.sensortechnik.html": ("article", "2007-10-25", "h1:0"),
    "lemire.me.json.html": ("article", "2019-08-02", "h1:0"),
    "love-hina.ch.0409.html": ("article", "2004-03-24", "Site Update - Leseprobe Band 14 / Kapitel 121"),
    "luxuriousmagazine.com.polo.html": ("article", "2019-06-05", "h1:0"),
    "luxuryhaven.co.hyatt.html": ("article", "2019-05-30", "h1:0"),
    "majkaswelt.com.fashion.html": ("article", "2018-11-27", "h1:1"),
    "meedia.de.freenet.html": ("article", "2016-03-08", "h1:1"),
    "mixed.de.vrodo.html": ("article", "2018-03-02", "h1:0"),
    "modepilot.de.duschkopf.html": ("article", "2019-05-21", "h1:0"),
    "moritz-meyer.net.vreni.html": ("article", None, "h1:0"),
    "novalanalove.com.ear-candy.html": ("article", "2019-06-14", "Ear Candy!"),
    "otto.de.twoforfashion.html": ("article", "2019-06-01", "h1:0"),
    "piratenpartei-mv.de.grundeinkommen.html": ("article", "2013-09-12", "h1:0"),
    "plentylife.blogspot.pamela-reif.html": ("article", "2017-05-03", "h1:1"),
    "psl.eu.luniversite.html": ("article", "2019-11-06", "h1:0"),
    "rechtambild.de.kochbuch.html": ("article", "2011-10-16", "h1:1"),
    "reuters.com.parasite.html": ("article", "2020-01-19", "h1:0"),
    "rnz.de.witzel.html": ("article", "2015-10-12", "h1:0"),
    "rs-ingenieure.de.tragwerksplanung.html": ("other", None, "Tragwerksplanung"),
    "sauvonsluniversite.com.spip.html": ("article", "2019-09-11", "h1:0"),
    "schleifen.ucoz.de.briefe.html": ("article", "2010-10-26", "Briefe"),
    "shingon-reiki.de.schamanismus.html": ("article", "2015-07-06", "h1:1"),
    "simplyscience.ch.erdoel.html": ("article", "2014-11-05", "h1:0"),
    "skateboardmsm.de.dormhagen.html": ("article", "2017-08-03", "h1:1"),
    "sonntag-sachsen.de.emanuel.html": ("article", None, "h1:0"),
    "speicherguide.de.schwierige.html": ("article", "2019-06-14", "h1:0"),
    "spektrum.de.engelbart.html": ("article", "2019-04-08", "h1:1"),
    "spiegel.de.albtraum.html": ("article", "2018-12-22", "h1:0"),
    "spreeblick.com.habeck.html": ("article", "2006-07-29", "og"),
    "stuttgart.de.html": ("other", None, "Bohnenviertel"),
    "sueddeutsche.de.flixtrain.html": ("article", "2019-05-15", "h1:0"),
    "telemedicus.info.rezension.html": ("article", "2014-05-13", "h1:1"),
    "theverge.com.ios13.html": ("article", "2019-07-03", "h1:0"),
    "threatpost.com.android.html": ("article", "2019-07-30", "h1:0"),
    "toralin.de.schmierfett.html": ("other", None, "h1:0"),
    "vancouversun.com.microsoft.html": ("article", "2020-01-16", "og"),
    "vice.com.amazon.html": ("article", "2019-08-21", "h1:0"),
    "viehbacher.com.steuerrecht.html": ("other", None, "h1:0"),
    "wehranlage-horka.de.887.html": ("other", None, "Historischer Markt"),
    "wikimediafoundation.org.turkey.html": ("article", "2020-01-15", "h1:0"),
    "womencantalksports.com.top10.html": ("article", "2014-01-22", "h1:0"),
    "zeit.de.zugverkehr.html": ("article", "2020-01-14", "og"),
}


def _split(name: str) -> str:
    """A fixed half of the pages for tuning, the other half held out (by name hash)."""
    return "tune" if hashlib.sha1(name.encode()).digest()[0] % 2 == 0 else "heldout"


def _literal(node: ast.AST) -> Any:
    return ast.literal_eval(node)


def htmldate_annotations(tests: Path) -> List[Dict[str, Any]]:
    """One record per cached page that htmldate's tests assert a date for."""
    tree = ast.parse((tests / "unit_tests.py").read_text(encoding="utf-8"))
    mock: Dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MOCK_PAGES":
            mock = _literal(node.value)
    found: Dict[str, List[Tuple[Dict[str, Any], Any]]] = {}
    for node in ast.walk(tree):
        call = getattr(node, "left", None)
        if not isinstance(node, ast.Compare) or not isinstance(call, ast.Call):
            continue
        if getattr(call.func, "id", "") != "find_date" or not call.args:
            continue
        inner = call.args[0]
        if not (isinstance(inner, ast.Call) and getattr(inner.func, "id", "") == "load_mock_page"):
            continue
        if type(node.ops[0]).__name__ not in ("Eq", "Is"):
            continue
        kwargs = {k.arg: _literal(k.value) for k in call.keywords}
        if kwargs.get("outputformat") or kwargs.get("extensive_search") is False:
            continue
        found.setdefault(_literal(inner.args[0]), []).append((kwargs, _literal(node.comparators[0])))
    records = []
    for url, asserts in found.items():
        name = mock[url]
        original = [e for k, e in asserts if k.get("original_date") is True]
        default = [e for k, e in asserts if k.get("original_date") is None]
        latest = [e for k, e in asserts if k.get("original_date") is False]
        date = HAND_DATES.get(name) or (original or default or latest)[0]
        how = "hand" if name in HAND_DATES else "htmldate original_date=True" if original else (
            "htmldate default" if default else "htmldate original_date=False")
        records.append({
            "file": f"htmldate/{name}.gz", "url": url, "project": "htmldate 1.2.3",
            "kind": "other" if name in HTMLDATE_NOT_ARTICLES else "article",
            "date": date, "date_annotation": how, "title": None, "with": [], "without": [],
        })
    return records


def trafilatura_annotations(tests: Path) -> List[Dict[str, Any]]:
    """One record per cached page of trafilatura's real-world tests, with the snippets its
    tests require in the extracted text ("with") and forbid ("without")."""
    tree = ast.parse((tests / "realworld_tests.py").read_text(encoding="utf-8"))
    mock: Dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MOCK_PAGES":
            mock = _literal(node.value)
    test = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "test_extract")
    records: Dict[str, Dict[str, Any]] = {}
    current = None

    def visit(statements: List[ast.stmt]) -> None:
        nonlocal current
        for stmt in statements:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                call = stmt.value
                if getattr(call.func, "id", "") == "load_mock_page" and isinstance(call.args[0], ast.Constant):
                    url = call.args[0].value
                    current = records.setdefault(url, {"url": url, "with": [], "without": []})
                    continue
            if isinstance(stmt, ast.If):
                text = ast.unparse(stmt.test)
                if text in ("xmloutput is False", "not xmloutput"):
                    visit(stmt.body)
                elif text == "xmloutput is True" or text == "xmloutput":
                    visit(stmt.orelse)
                continue
            if isinstance(stmt, ast.Assert) and current is not None:
                tests_ = stmt.test.values if isinstance(stmt.test, ast.BoolOp) and isinstance(stmt.test.op, ast.And) else [stmt.test]
                for cmp_ in tests_:
                    if not (isinstance(cmp_, ast.Compare) and len(cmp_.ops) == 1):
                        continue
                    right = cmp_.comparators[0]
                    if not (isinstance(right, ast.Name) and right.id == "result" and isinstance(cmp_.left, ast.Constant)):
                        continue
                    op = type(cmp_.ops[0]).__name__
                    if op == "In":
                        current["with"].append(cmp_.left.value)
                    elif op == "NotIn":
                        current["without"].append(cmp_.left.value)

    visit(test.body)
    out = []
    for url, rec in records.items():
        name = mock.get(url)
        if not name or not (rec["with"] or rec["without"]):
            continue
        kind, day, title_spec = HAND_TRAFILATURA[name]
        page = (tests / "cache" / name).read_bytes().decode("utf-8", "replace")
        out.append({
            "file": f"trafilatura/{name}.gz", "url": url, "project": "trafilatura 1.0.0",
            "kind": kind, "date": day, "date_annotation": "hand" if day else None,
            "title": _title(page, title_spec), "with": rec["with"], "without": rec["without"],
        })
    return out


def _title(page: str, spec: Optional[str]) -> Optional[str]:
    """The headline a hand-written spec points at (see ``HAND_TRAFILATURA``)."""
    from bs4 import BeautifulSoup

    if spec is None:
        return None
    soup = BeautifulSoup(page, "html.parser")
    if spec == "og":
        return " ".join(soup.find("meta", property="og:title")["content"].split())
    if spec.startswith("h1:"):
        return " ".join(soup.find_all("h1")[int(spec[3:])].get_text(" ").split())
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--htmldate", type=Path, required=True, help="unpacked htmldate sdist")
    parser.add_argument("--trafilatura", type=Path, required=True, help="unpacked trafilatura sdist")
    args = parser.parse_args()
    records = htmldate_annotations(args.htmldate / "tests") + trafilatura_annotations(args.trafilatura / "tests")
    for rec in records:
        project_dir = args.htmldate if rec["project"].startswith("htmldate") else args.trafilatura
        source = project_dir / "tests" / "cache" / rec["file"].split("/", 1)[1][:-3]
        target = OUT / "pages" / rec["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(source.read_bytes(), mtime=0))
        rec["split"] = _split(rec["file"])
    records.sort(key=lambda r: r["file"])
    with open(OUT / "expected.jsonl", "w", encoding="utf-8") as out:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(records)} pages written to {OUT}")


if __name__ == "__main__":
    main()
