"""The page in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium against `searcher serve`'s waitress server on
127.0.0.1.

Searching from the form, paging, the back and forward buttons, the article view, a hostile
article (no script runs, no markup or link comes from it, its text shows as text), errors on
the page, and the documented screenshot command. One browser for the whole session.

Without Chromium these tests skip on a user's machine (saying what to install) but fail in CI
(``CI=true``), where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator, List
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_web import HOSTILE_SOURCE, HOSTILE_TITLE, HOSTILE_URL, build_archive

REPO = Path(__file__).resolve().parents[1]


def _found(env: str, *names: str) -> str:
    """``$env`` or the first of ``names`` on the PATH, when that file exists; else ""."""
    path = os.environ.get(env) or next(filter(None, map(shutil.which, names)), None) or ""
    return path if path and os.path.isfile(path) else ""


CHROMIUM = _found("CHROMIUM", "chromium", "chromium-browser")
CHROMEDRIVER = _found("CHROMEDRIVER", "chromedriver")
INSTALL = "headless Chromium is needed for the browser tests: apt-get install chromium chromium-driver (and pip install selenium)"


def _unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why}; in CI .ci/run installs them ({INSTALL})")
    pytest.skip(f"{why}; {INSTALL}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session, pointed at Debian's binary and driver so that
    Selenium never looks for (or downloads) one of its own."""
    if not CHROMIUM or not CHROMEDRIVER:
        _unavailable("chromium or chromedriver is not installed")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    os.environ.setdefault("SE_OFFLINE", "true")
    from searcher.web.screenshot import CHROMIUM_FLAGS

    profile = tempfile.mkdtemp(prefix="searcher-browser-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,1400")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_archive(tmp_path_factory.mktemp("browser") / "index")


@pytest.fixture(scope="module")
def site(index_dir: Path) -> Iterator[str]:
    from searcher.web.server import running

    with running(index_dir, threads=4) as address:
        yield address


def _css(driver: Any, selector: str) -> List[Any]:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def _titles(driver: Any) -> List[str]:
    return [e.text for e in _css(driver, "li.hit h2 a.title")]


def _submit(driver: Any, field: Any) -> None:
    """Submit a form and wait for the new page (Selenium's ``submit`` runs a script and
    returns before the browser has navigated)."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = driver.current_url
    field.submit()
    WebDriverWait(driver, 20).until(
        lambda d: d.current_url != before and d.execute_script("return document.readyState") == "complete"
    )


def _args(driver: Any) -> dict:
    return parse_qs(urlsplit(driver.current_url).query)


def _no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.accept()  # raises: no script ran, so no alert


def test_search_from_the_form(browser: Any, site: str) -> None:
    from selenium.webdriver.support.ui import Select

    browser.get(site)
    box = _css(browser, "#q")[0]
    box.send_keys("missile")
    Select(_css(browser, "select[name=sort]")[0]).select_by_value("oldest")
    _css(browser, "input[name=from]")[0].send_keys("2017")
    _submit(browser, box)
    assert _args(browser) == {"q": ["missile"], "from": ["2017"], "sort": ["oldest"]}  # empty fields drop out
    assert _titles(browser)[0] == "Missile test over the sea"
    assert _css(browser, "p.count")[0].text.startswith("5 articles, showing 1–5")
    assert [m.text.lower() for m in _css(browser, "li.hit mark")][:1] == ["missile"]
    assert "missil" in _css(browser, "p.parsed code")[0].text


def test_errors_show_on_the_page_in_one_line(browser: Any, site: str) -> None:
    browser.get(site + '?q=%22north+korea')
    errors = _css(browser, "p.error")
    assert len(errors) == 1 and "unclosed quote" in errors[0].text and "\n" not in errors[0].text
    assert _css(browser, "#q")[0].get_attribute("value") == "\"north korea"


def test_paging_and_the_back_button(browser: Any, site: str) -> None:
    browser.get(site + "?q=missile&sort=oldest&limit=2")
    first = _titles(browser)
    assert len(first) == 2 and "page 1 of 3" in _css(browser, "p.count")[0].text
    _css(browser, "a[rel=next]")[0].click()
    second = _titles(browser)
    assert _args(browser)["page"] == ["2"] and len(second) == 2 and not set(first) & set(second)
    _css(browser, "a[rel=next]")[0].click()
    assert _args(browser)["page"] == ["3"] and len(_titles(browser)) == 1
    browser.back()
    assert _titles(browser) == second and _args(browser)["page"] == ["2"]
    browser.back()
    assert _titles(browser) == first and "page" not in _args(browser)
    browser.forward()
    assert _titles(browser) == second


def test_article_view_and_back_to_the_results(browser: Any, site: str) -> None:
    browser.get(site + "?q=%22defence+shield%22")
    results_url = browser.current_url
    _css(browser, "li.hit h2 a.title")[0].click()
    assert urlsplit(browser.current_url).path.startswith("/article/")
    assert _css(browser, "article h1")[0].text == "Missile defence shield talks"
    assert [m.text for m in _css(browser, "article .body mark")] == ["defence shield"]
    browser.back()
    assert browser.current_url == results_url and _titles(browser) == ["Missile defence shield talks"]
    _css(browser, "li.hit h2 a.title")[0].click()
    _css(browser, "p.back a")[0].click()
    assert _args(browser) == {"q": ['"defence shield"']}


def test_a_hostile_article_stays_text(browser: Any, site: str) -> None:
    browser.get(site + "?q=zebra")
    _no_alert(browser)
    assert _titles(browser) == [HOSTILE_TITLE]
    assert HOSTILE_SOURCE in _css(browser, "li.hit .meta")[0].text
    assert browser.execute_script("return document.scripts.length") == 0
    # Nothing the article brought in; the only svg is the page's own timeline chart.
    assert _css(browser, "img, iframe, li.hit b, li.hit svg, article svg") == []
    assert len(_css(browser, "svg")) <= 1 and all(e.get_attribute("role") == "img" for e in _css(browser, "svg"))
    assert _css(browser, "li.hit a.url") == []
    _css(browser, "li.hit h2 a.title")[0].click()
    _no_alert(browser)
    body = _css(browser, "article .body")[0].text
    assert "<img src=x onerror=alert(1)>" in body and '<a href="javascript:alert(2)">click</a>' in body
    assert _css(browser, ".unsafe-url")[0].text == HOSTILE_URL
    hrefs = [a.get_attribute("href") or "" for a in _css(browser, "a")]
    assert hrefs and not [h for h in hrefs if not h.startswith(site)]  # every link stays on this server
    assert browser.execute_script("return document.scripts.length") == 0


def _png_size(path: Path) -> tuple:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_screenshot_command_writes_the_results_page(browser: Any, index_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.png"
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), CHROMIUM=CHROMIUM or "")
    done = subprocess.run(
        [sys.executable, "-m", "searcher.web.screenshot", "--index", str(index_dir), "--query", "missile", "--out", str(out), "--width", "1000", "--height", "900"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert done.returncode == 0, done.stderr
    assert _png_size(out) == (1000, 900) and out.stat().st_size > 20_000  # a page, not a blank
