"""The HTML report as a board member opens it: served by a real gateway (uvicorn, with its security
headers), signed in, in headless Chromium driven by Playwright. Any console error or blocked resource
fails the test (a Content-Security-Policy that blocks the page's own styles turned every chart into a
black rectangle, which a saved file could not show); a screenshot of each page is kept in
test-artifacts/."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET
from tests.reliability.processes import Processes, processes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("STYR_REQUIRE_BROWSER") == "1"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The region's and a unit's report, T1, T2 and annual, in Swedish and English: (path, language, title, charts).
TITLES = {
    ("interim/2022/T1", "sv"): "Delårsrapport 1 2022",
    ("interim/2022/T2", "sv"): "Delårsrapport 2 2022",
    ("annual/2022", "sv"): "Årsredovisning 2022",
    ("interim/2022/T1", "en"): "Interim report T1 2022",
    ("interim/2022/T2", "en"): "Interim report T2 2022",
    ("annual/2022", "en"): "Annual report 2022",
}
CHARTS = {"interim/2022/T1": 2, "interim/2022/T2": 3, "annual/2022": 3}  # as charts_for draws them
PAGES = [
    (f"{report}{scope}", lang, title, CHARTS[report])
    for (report, lang), title in TITLES.items()
    for scope in ("", "?unit=HSN")
]
# What every page shows first (the board's summary) and its core sections, in either language.
SECTIONS = {"sv": ["Sammanfattning", "Måluppfyllelse", "Ekonomi"], "en": ["Summary", "Goal fulfilment", "Economy"]}
RED = "rgb(207, 34, 46)"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRED, reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture
async def served(database_urls: dict[str, str], snapshots: Any) -> AsyncIterator[Processes]:
    await snapshots.restore("seeded")
    with processes(database_urls) as running:
        yield running


def _board_token() -> str:
    return mint_dev_token(DEV_SECRET, subject="styrelse", roles=["RS:reader"])


async def test_every_report_page_works_as_served(served: Processes, backend: str) -> None:
    from playwright.async_api import async_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM or "chromium", args=FLAGS)
        context = await browser.new_context(
            extra_http_headers={"Authorization": f"Bearer {_board_token()}"}, viewport={"width": 1200, "height": 1800}
        )
        try:
            for path, lang, title, charts in PAGES:
                await _check_page(context, served.gateway_url, path, lang, title, charts, backend)
        finally:
            await browser.close()


async def _check_page(context: Any, base: str, path: str, lang: str, title: str, charts: int, backend: str) -> None:
    page = await context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"blocked: {r.url} {r.failure}"))
    separator = "&" if "?" in path else "?"
    response = await page.goto(f"{base}/api/reports/{path}{separator}format=html&lang={lang}")
    assert response is not None
    assert response.status == 200, path
    assert "style-src 'sha256-" in response.headers["content-security-policy"]
    assert await page.title() == title
    assert problems == [], (path, problems)
    headings = await page.locator("h2").all_inner_texts()
    assert headings[:3] == SECTIONS[lang], (path, headings)
    # What deviates is marked in colour as well as in words: the stylesheet's red reaches it.
    deviations = await page.evaluate(_DEVIATION_PROBE)
    assert deviations, f"{path}: nothing is marked as deviating"
    assert all(colour == RED for colour in deviations), (path, deviations)
    # The page's own stylesheet applies: the body font and the table layout come from it.
    font = await page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Arial" in font, font
    shown = await page.evaluate(_CHART_PROBE)
    assert len(shown) == charts, (path, shown)
    for chart in shown:
        assert chart["width"] > 300, (path, chart)
        assert chart["height"] > 100, (path, chart)
        assert chart["coloured"], f"{path}: chart {chart['label']} is drawn in black only"
    name = path.replace("/", "-").replace("?unit=", "-")
    await page.screenshot(path=str(ARTIFACTS / f"served-{name}-{lang}-{backend}.png"), full_page=True)
    await page.close()


# The colour of every text marked as deviating from its goal or target.
_DEVIATION_PROBE = """() => [...document.querySelectorAll(".tone-deviation")].map(e => getComputedStyle(e).color)"""

# Each chart's size, and whether any of its shapes is filled with a colour other than black: with its
# styles blocked, every shape falls back to black.
_CHART_PROBE = """() => [...document.querySelectorAll("figure.chart svg")].map(svg => {
  const box = svg.getBoundingClientRect();
  const fills = [...svg.querySelectorAll("path, rect")].map(e => getComputedStyle(e).fill);
  return {
    label: svg.getAttribute("aria-label"),
    width: box.width,
    height: box.height,
    coloured: fills.some(f => f && f !== "none" && f !== "rgb(0, 0, 0)"),
  };
})"""
