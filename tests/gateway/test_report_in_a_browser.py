"""The HTML report as a browser shows it: headless Chromium (Debian's `chromium`) loads the page,
its DOM holds the report's headings and figures, its SVG charts are laid out and visible, and a
screenshot is kept in test-artifacts/."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI installs Chromium and sets this, so there the test cannot quietly skip.
REQUIRED = os.environ.get("STYR_REQUIRE_BROWSER") == "1"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Run by the browser after layout: marks each chart it shows at a real size, so --dump-dom can tell.
VISIBILITY_PROBE = """<script>
for (const chart of document.querySelectorAll("figure.chart svg")) {
  const box = chart.getBoundingClientRect(), style = getComputedStyle(chart);
  if (box.width > 300 && box.height > 100 && style.visibility === "visible" && style.display !== "none") {
    chart.setAttribute("data-visible", `${Math.round(box.width)}x${Math.round(box.height)}`);
  }
}
</script>"""


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    )


@pytest.mark.skipif(CHROMIUM is None and not REQUIRED, reason="Chromium is not installed (apt-get install chromium)")
async def test_the_t2_report_renders_in_chromium(seeded, tmp_path, backend):
    response = await seeded.client.get(
        "/api/reports/interim/2022/T2?format=html", headers=seeded.auth("b", "RS:reader")
    )
    page = tmp_path / "report.html"
    page.write_text(response.text, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(response.text.replace("</body>", VISIBILITY_PROBE + "</body>"), encoding="utf-8")
    dom = chromium(probed, tmp_path / "profile", "--window-size=1200,1800", "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    for heading in ("Måluppfyllelse", "Ekonomi", "Revision"):
        assert f"<h2>{heading}</h2>" in dom.stdout
    assert "6\u202f200,0 mnkr" in dom.stdout
    charts = re.findall(r"<svg [^>]*>", dom.stdout)
    assert len(charts) == 3
    assert all("data-visible=" in chart for chart in charts), charts
    assert "<title>Måluppfyllelse per enhet</title>" in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"interim-2022-T2-{backend}.png"
    screenshot = chromium(page, tmp_path / "profile", "--window-size=1200,1800", f"--screenshot={shot}")
    assert screenshot.returncode == 0, screenshot.stderr
    assert shot.stat().st_size > 10_000
