"""The site in a real headless Chromium, as a journalist uses it: search a two-character term and open a
result, open a report and its history link, download the database and query it with sqlite3."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
SCREENSHOT_FOR_README = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=ARGS,
            accept_downloads=True,
            viewport={"width": 1200, "height": 1000},
            locale="zh-CN",
        )
        yield context.new_page()
        context.close()


def test_search_two_characters_and_open_a_result(page, site_url: str) -> None:
    page.goto(f"{site_url}/-/search")
    page.fill("input[name=q]", "复议")
    page.click("input[type=submit]")
    page.wait_for_selector("a.hit")
    count_text = page.inner_text("p.count")
    assert "份报告包含 “复议”" in count_text and not count_text.startswith("0 ")
    assert page.locator("p.snippet mark").first.inner_text() == "复议"
    page.screenshot(path=str(ARTIFACTS / "search.png"))
    first = page.locator("a.hit").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/report/*")
    assert page.inner_text("h1") == title
    marks = page.locator(".fulltext mark")
    assert marks.count() > 0 and {marks.nth(i).inner_text() for i in range(marks.count())} == {"复议"}
    marks.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-from-search.png"))


def test_a_hit_opens_the_report_at_its_first_occurrence(page, site_url: str) -> None:
    """A word printed in a table below the first screen: the report opens scrolled to it, highlighted."""
    page.set_viewport_size({"width": 1200, "height": 400})
    try:
        _open_hits_until_one_scrolls(page, site_url)
    finally:
        page.set_viewport_size({"width": 1200, "height": 1000})


def _open_hits_until_one_scrolls(page, site_url: str) -> None:
    page.goto(f"{site_url}/-/search?q=社会公益组织")
    hits = page.locator("a.hit")
    for i in range(hits.count()):
        page.goto(f"{site_url}/-/search?q=社会公益组织")
        page.locator("a.hit").nth(i).click()
        page.wait_for_url("**/report/*#first-hit")
        first = page.locator("mark#first-hit")
        assert first.inner_text() == "社会公益组织"
        first.wait_for()
        box, height = first.bounding_box(), page.viewport_size["height"]
        assert -1 <= box["y"] < height, box  # on screen (to the subpixel), wherever it is on the page
        if page.evaluate("document.getElementById('first-hit').getBoundingClientRect().top + window.scrollY") > height:
            assert page.evaluate("window.scrollY") > 0
            page.screenshot(path=str(ARTIFACTS / "report-at-first-hit.png"))
            return
    raise AssertionError("no hit below the first screen to scroll to")


def test_home_page_search_box_lands_on_results(page, site_url: str) -> None:
    page.goto(f"{site_url}/")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    page.fill("form.home-search input[name=q]", "疫情")
    page.click("form.home-search input[type=submit]")
    page.wait_for_url("**/-/search?q=*")
    page.wait_for_selector("a.hit")
    assert page.input_value("input[name=q]") == "疫情"
    assert "份报告包含 “疫情”" in page.inner_text("p.count")
    assert page.locator("p.snippet mark").first.inner_text() == "疫情"


def test_table_search_box_keeps_short_terms(page, site_url: str) -> None:
    page.goto(f"{site_url}/nianbao/current_reports")
    page.fill("input#_search", "疫情 复议")
    page.press("input#_search", "Enter")
    page.wait_for_selector("h3")
    assert "疫情 复议" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "table-search.png"))


def test_report_page_and_history_link(page, site_url: str) -> None:
    page.goto(f"{site_url}/report/2")  # a report whose numbers contradict themselves
    assert page.locator("h2", has_text="Numbers that contradict each other").count() == 1
    assert page.locator("tr.fail").count() > 0
    assert page.locator("table.grid").count() >= 2
    # the full text comes below the navigation, the title and the tables, not above the page's header
    top = {name: page.locator(selector).first.bounding_box()["y"]
           for name, selector in {"nav": "header nav", "title": "h1.report-title", "table": "table.grid",
                                  "text": "h2#text"}.items()}
    assert top["nav"] < top["title"] < top["table"] < top["text"], top
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    history = page.locator("a.history")
    assert history.get_attribute("href") == "/report/2/history"
    history.click()
    page.wait_for_url("**/report/2/history")
    page.screenshot(path=str(ARTIFACTS / "history.png"))


def test_report_page_as_seen_first(page, site_url: str) -> None:
    """The top of a report whose text contradicts its table: the picture in the README."""
    page.goto(f"{site_url}/report/4")
    assert "The text and the table disagree" in page.inner_text("ul.failed-checks")
    page.screenshot(path=str(ARTIFACTS / "report-top.png"))
    if not SCREENSHOT_FOR_README.exists():  # the committed picture is kept; delete it to take a new one
        shutil.copy(ARTIFACTS / "report-top.png", SCREENSHOT_FOR_README)


def test_download_database_and_query_it_with_sqlite3(page, site_url: str, tmp_path: Path) -> None:
    page.goto(f"{site_url}/nianbao")
    with page.expect_download() as download_info:
        page.click("a[href$='nianbao.db']")
    path = tmp_path / "nianbao.db"
    download_info.value.save_as(path)
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli is None:
        pytest.skip("no sqlite3 command line")
    for term, index, match in [("疫情", "search_grams", '"疫情"'),  # as docs/journalists.md writes them
                               ("政府信息公开", "search_fivegrams", '"政府信息公" + "府信息公开"')]:
        with sqlite3.connect(path) as conn:
            expected = {r[0] for r in conn.execute(
                "select version_id from search_documents where instr(document, ?) > 0", [term])}
        out = subprocess.run([sqlite3_cli, str(path), f"select rowid from {index} where {index} match '{match}';"],
                             capture_output=True, text=True, check=True).stdout
        assert {int(line) for line in out.split()} == expected and expected, term


def every_page(site_db: Path) -> list[str]:
    """The site's own pages and every table, view and canned query of the archive, with data from it."""
    from nianbao.site import load_metadata

    with sqlite3.connect(site_db) as conn:
        tables = [n for (n,) in conn.execute("select name from sqlite_master where type in ('table', 'view') "
                                             "and name not like 'search_%' and name not like 'sqlite_%'")]
        reports = [r for (r,) in conn.execute("select id from reports where portal_id != 'synthetic'")]
        bodies = [b for (b,) in conn.execute("select id from bodies order by reports desc limit 5")]
    queries = load_metadata()["databases"]["nianbao"]["queries"]
    return [
        "/", "/-/search?q=复议", "/changes", "/changes?agency=1", "/charts", "/charts?agency=中卫市", "/agencies?q=中卫",
        "/compare?" + "&".join(f"body={b}" for b in bodies), "/nianbao",
        *(f"/report/{r}" for r in reports), *(f"/report/{r}/history" for r in reports),
        *(f"/agency/{b}" for b in bodies), *(f"/nianbao/{t}" for t in tables),
        *(f"/nianbao/{q}?" + "&".join(f"{p}=" for p in re.findall(r"(?<!:):(\w+)", query["sql"]))
          for q, query in queries.items()),
    ]


def test_no_page_scrolls_sideways_on_a_phone(page, site_url: str, site_db: Path) -> None:
    """At 420px nothing pushes any page sideways; a wide table scrolls inside itself."""
    page.set_viewport_size({"width": 420, "height": 900})
    too_wide = {}
    try:
        for path in every_page(site_db):
            page.goto(site_url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                too_wide[path] = overflow
            if path.startswith(("/report/1", "/agency/", "/nianbao/contradictions_by_region")):
                name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0]).strip("-") or "home"
                page.screenshot(path=str(ARTIFACTS / f"narrow-{name}.png"))
    finally:
        page.set_viewport_size({"width": 1200, "height": 1000})
    assert not too_wide, f"wider than a 420px screen: {too_wide}"


# WCAG 2 contrast of every piece of text against the background it is drawn on (the first opaque one up the tree)
CONTRAST = """() => {
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
                                if (c.length === 3 || c[3] > 0.5) return c; } return [255, 255, 255]; };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const text = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join("");
    if (!text || !el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    const style = getComputedStyle(el);
    const fg = rgb(el instanceof SVGElement ? (style.fill.startsWith("rgb") ? style.fill : style.color) : style.color);
    const [a, b] = [lum(fg.slice(0, 3)), lum(background(el).slice(0, 3))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${el.tagName}.${el.className} "${text.slice(0, 20)}" ${ratio.toFixed(2)}`);
  }
  return low;
}"""


@pytest.mark.parametrize("path", ["/", "/report/2", "/report/1/history", "/changes", "/charts?agency=中卫市人民政府",
                                  "/agency/1", "/compare?body=1&body=2", "/nianbao/contradictions_by_region?province=&city="])
def test_pages_declare_their_language_and_text_is_readable(page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    english = page.locator("[lang=en]")
    assert path.startswith("/nianbao/") or english.count() > 0  # the English passages say so
    assert page.evaluate(CONTRAST) == []


def test_no_page_breaks_the_content_security_policy(page, site_url: str, site_db: Path) -> None:
    """script-src has no 'unsafe-inline': every script a page needs is a file or an allowed Datasette inline
    script, so the browser reports no violation, and those scripts really run."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(f"{page.url}: {message.text}"))
    for path in [*every_page(site_db), "/nianbao/reports/1", "/nianbao?sql=select+1"]:
        response = page.goto(site_url + path)
        assert response is not None and response.status == 200, path
        assert "unsafe-inline" not in response.headers["content-security-policy"].split("style-src")[0]
        page.wait_for_load_state("load")
    assert not [m for m in messages if "Content Security Policy" in m or "Refused to" in m], messages
    page.goto(f"{site_url}/nianbao/current_reports")  # the site's script folds the column descriptions away
    page.wait_for_selector("details > dl.column-descriptions", state="attached")
    page.goto(f"{site_url}/nianbao?sql=select+1")  # Datasette's inline script starts the SQL editor
    page.wait_for_selector(".CodeMirror")


def test_an_injected_inline_script_does_not_run(page, site_url: str) -> None:
    """What the policy is for: a script that got into a page (here added by hand) is refused."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{site_url}/report/1")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'document.body.dataset.injected = "ran"'; document.body.append(s); }""")
    assert page.evaluate("document.body.dataset.injected") is None
    assert [m for m in messages if "Content Security Policy" in m]
