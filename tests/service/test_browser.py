"""The search page end to end: `paravec serve` in a subprocess, driven by headless Chromium.

Uses Debian's /usr/bin/chromium through Playwright's Python API (Playwright's own browser
download is not available here). Outside CI the test is skipped when Chromium is missing; in CI
(``CI=true``) a missing Chromium is a failure, so the page cannot silently go untested.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from gensim.models.doc2vec import Doc2Vec, TaggedDocument
from gensim.test.utils import datapath

from paravec.tokenizer import tokenize

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PARAVEC_CHROMIUM", "/usr/bin/chromium")  # Debian's package
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(os.environ.get("PARAVEC_SCREENSHOT_DIR", "/tmp"))

# A document whose title and text are markup: the page must show it as text and run nothing.
XSS_TAG = "evil/<img>"
XSS_TITLE = '<b id="pwned-title">bold</b> title'
XSS_TEXT = (
    'The xsspayload kangaroo story <img src=x onerror="window.__pwned=1"> continues '
    '<script>window.__pwned=2</script> with more kangaroo words and "quotes" & ampersands.'
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: the browser test must run, not skip)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    # Without the serve extra (e.g. the gensim 4.3 venv) there is no page to test.
    for module in ("fastapi", "uvicorn", "tantivy"):
        pytest.importorskip(module, reason=f"{module} is not installed: pip install 'paravec[serve]'")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _require(False, "the playwright Python package is missing: pip install playwright")
    _require(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium")

    from paravec.search import SearchIndex

    root = tmp_path_factory.mktemp("browser")
    with open(datapath("lee_background.cor"), encoding="latin-1") as fh:
        lines = [line.strip() for line in fh.read().splitlines() if line.strip()]
    texts = [(f"lee/{i:03d}", line) for i, line in enumerate(lines)] + [(XSS_TAG, XSS_TEXT)]
    # A line-based corpus has no titles: only the markup document gets one.
    titles = {XSS_TAG: XSS_TITLE}
    docs = [TaggedDocument(tokenize(text), [tag]) for tag, text in texts]
    model = Doc2Vec(docs, dm=0, dbow_words=1, vector_size=50, epochs=20, min_count=2, workers=2, seed=7)
    model.save(str(root / "lee.model"))
    SearchIndex.build(root / "lee.model", texts, root / "lee.index", titles=titles)

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PARAVEC_TOKEN"}
    with open(root / "server.log", "w+b") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from paravec.cli import main; main()",
                "serve",
                str(root / "lee.index"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    pytest.fail(
                        f"paravec serve exited with {proc.returncode}:\n{log.read().decode(errors='replace')}"
                    )
                try:
                    with urllib.request.urlopen(url + "/", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("paravec serve did not answer within 60 s")
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []  # page errors, dialogs and console errors we did not expect
    page.on("pageerror", lambda err: page.problems.append(f"pageerror: {err}"))
    page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"))
    yield page
    context.close()


def test_search_document_and_word_views(server, page):
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")

    # search: results with highlighted words and why they matched
    page.fill("#q", "bushfires Sydney")
    page.select_option("#mode", "hybrid")
    page.press("#q", "Enter")
    page.wait_for_selector("#results .hit mark")
    hits = page.locator("#results .hit")
    assert hits.count() >= 5
    marked = {m.lower() for m in page.locator("#results .hit mark").all_inner_texts()}
    assert marked & {"bushfires", "sydney"}, marked
    whys = [w.lower() for w in page.locator("#results .hit .why").all_inner_texts()]
    assert len(whys) == hits.count() and set(whys) <= {"keyword", "vector", "both"}
    assert "both" in whys  # hybrid: some documents are found by words and by meaning
    assert all(s.replace(".", "").isdigit() for s in page.locator("#results .hit .score").all_inner_texts())
    assert "bushfires" in page.locator("#summary").inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "paravec-search.png"), full_page=False)

    # keyword mode: changing the mode re-runs the search, every hit now matched by words
    page.select_option("#mode", "keyword")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#results .hit .why')].length > 0 && "
        "[...document.querySelectorAll('#results .hit .why')].every(e => e.textContent === 'keyword')"
    )

    # click a document: its nearest words and similar documents
    first = page.locator("#results .hit").first
    tag = first.get_attribute("data-tag")
    title = first.locator(".doc-link").inner_text()
    first.locator(".doc-link").click()
    page.wait_for_selector("#detail[data-kind='document'] .word")
    assert page.locator("#detail-title").inner_text() == title
    assert page.locator("#detail .detail-head .tag").inner_text() == tag
    words = page.locator("#detail .word")
    assert words.count() >= 5
    similar = page.locator("#detail .doc-list .doc-link")
    assert similar.count() >= 3
    assert tag not in [similar.nth(i).get_attribute("data-tag") for i in range(similar.count())]
    page.screenshot(path=str(SCREENSHOT_DIR / "paravec-document.png"), full_page=False)

    # click a word: its neighbours and documents
    word = words.first.get_attribute("data-word")
    words.first.click()
    page.wait_for_selector("#detail[data-kind='word'] .word")
    assert page.locator("#detail-title").inner_text() == word
    neighbours = page.locator("#detail .word").all_inner_texts()
    assert len(neighbours) >= 5
    assert page.locator("#detail .doc-list .doc-link").count() >= 3
    page.screenshot(path=str(SCREENSHOT_DIR / "paravec-word.png"), full_page=False)

    # a document reached from the word view, then Back returns to the word
    page.locator("#detail .doc-list .doc-link").first.click()
    page.wait_for_selector("#detail[data-kind='document'] .word")
    page.go_back()
    page.wait_for_function(f"() => document.querySelector('#detail-title')?.textContent === {word!r}")

    # free text: nearest words and documents of an inferred vector
    page.click("#explore-box summary")
    page.fill("#explore-text", "Firefighters fought bushfires near Sydney as strong winds spread the blazes.")
    page.click("#explore-form button")
    page.wait_for_selector("#explore-out .word")
    assert page.locator("#explore-out .word").count() == 10
    assert page.locator("#explore-out .doc-link").count() == 10
    assert page.problems == []


def test_markup_in_documents_is_shown_as_text(server, page):
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    page.fill("#q", "xsspayload kangaroo")
    page.select_option("#mode", "keyword")
    page.press("#q", "Enter")
    page.wait_for_selector(f"#results .hit[data-tag='{XSS_TAG}']")
    hit = page.locator(f"#results .hit[data-tag='{XSS_TAG}']")
    assert hit.locator(".doc-link").inner_text() == XSS_TITLE  # the tags are visible text
    assert "<img src=x" in hit.locator(".snippet").inner_text()
    assert page.locator("#pwned-title").count() == 0 and page.locator("#results img").count() == 0
    hit.locator(".doc-link").click()
    page.wait_for_selector("#detail[data-kind='document'] .doc-text")
    assert "<script>" in page.locator("#detail .doc-text").inner_text()
    assert page.locator("#detail img, #detail script").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
    page.screenshot(path=str(SCREENSHOT_DIR / "paravec-markup.png"), full_page=False)
    assert page.problems == []


def test_server_errors_are_shown_not_thrown(server, page):
    page.goto(server + "/#q=%00")  # a control character: the API answers 422
    page.wait_for_selector("#status.error")
    assert "control character" in page.locator("#status").inner_text()
    page.goto(server + "/#doc=no%2Fsuch%2Fdoc")
    page.wait_for_selector("#detail .error")
    assert "404" in page.locator("#detail .error").inner_text()
    # the browser logs failed fetches as console errors; nothing else may go wrong
    assert [p for p in page.problems if "status of 4" not in p] == []


def test_a_one_megabyte_query_gets_a_json_answer_from_the_real_server(server):
    import json
    import urllib.error

    url = server + "/api/search?q=" + "x" * 1_000_000
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(url, timeout=30)
    assert info.value.code == 414
    assert "at most" in json.loads(info.value.read())["detail"]


def test_the_page_opens_with_the_index_and_example_queries_from_it(server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#index-name").inner_text() == "lee.index"
    assert "301 documents" in page.locator("#index-size").inner_text()
    assert "version 1" in page.locator("#index-version").inner_text()
    assert page.locator("#index-info").inner_text().endswith("version 1")  # nothing after it
    examples = page.locator("#examples .example")
    assert examples.count() >= 2 and page.locator("#examples").is_visible()
    query = examples.first.inner_text()
    examples.first.click()
    page.wait_for_selector("#results .hit")
    assert page.locator("#q").input_value() == query and page.locator("#results .hit").count() >= 2
    # titles of a line-based corpus are the start of the text, never the bare tag
    for hit in page.locator("#results .hit").all():
        tag, title = hit.get_attribute("data-tag"), hit.locator(".doc-link").inner_text()
        assert title != tag and len(title) > 10, (tag, title)
    assert all(url.startswith(server) for url in requested), requested
    assert page.problems == []


def test_document_mode_finds_the_pasted_article_first(server, page):
    with open(datapath("lee_background.cor"), encoding="latin-1") as fh:
        article = [line.strip() for line in fh.read().splitlines() if line.strip()][42]
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready='1']")
    assert page.locator("#mode option").all_inner_texts() == ["hybrid", "keyword", "vector", "document"]
    page.select_option("#mode", "document")
    page.fill("#q", article)
    page.press("#q", "Enter")
    # the first document query of an index version measures its calibration: seconds on a busy machine
    page.wait_for_selector("#results .hit", timeout=90_000)
    assert page.locator("#results .hit").first.get_attribute("data-tag") == "lee/042"
    summary = page.locator("#summary").inner_text()
    assert "documents like" in summary and "(document," in summary
    assert len(summary) < 200  # the whole article is not printed as the query
    page.screenshot(path=str(SCREENSHOT_DIR / "paravec-document-mode.png"), full_page=False)
    assert page.problems == []


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")])
def test_api_docs_render_offline(server, page, path, rendered):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(server + path)
    page.wait_for_selector(rendered)
    assert "/api/search" in page.content()
    # everything came from this server: no CDN, and no policy violation in the console
    assert requested and all(url.startswith((server, "blob:", "data:")) for url in requested), requested
    page.screenshot(path=str(SCREENSHOT_DIR / f"paravec{path.replace('/', '-')}.png"), full_page=False)
    assert page.problems == []
