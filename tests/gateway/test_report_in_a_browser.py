"""The HTML report as a browser shows it: headless Chromium (Debian's `chromium`) loads the page,
its DOM holds the report's headings and figures, and a screenshot is kept in test-artifacts/."""

import os
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
    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    for heading in ("Måluppfyllelse", "Ekonomi", "Revision"):
        assert f"<h2>{heading}</h2>" in dom.stdout
    assert "6\u202f200,0 mnkr" in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"interim-2022-T2-{backend}.png"
    screenshot = chromium(page, tmp_path / "profile", "--window-size=1200,1800", f"--screenshot={shot}")
    assert screenshot.returncode == 0, screenshot.stderr
    assert shot.stat().st_size > 10_000
