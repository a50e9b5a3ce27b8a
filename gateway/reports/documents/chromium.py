"""The print HTML as a tagged PDF drawn by Chromium's print (Playwright), where Chromium is installed.

WeasyPrint lays out a region's forty-page report in some 10 s of CPU, table cell by table cell, in
Python; Chromium prints the same page in a second or two. Chromium tags what the HTML says: the
document's language, headings H1–H4, tables with their header cells, lists, links, and each chart as a
Figure with its alt text; pdf.py adds what it leaves out (author, subject, the PDF/UA claim).

One browser is started the first time a PDF is asked for and kept for the worker's life; each PDF is
printed in a context of its own, with scripts off and every request refused (the page holds all it shows
as data: URLs). Its renderer ends with it: a tab kept from one PDF to the next kept the region's page
and its renderer's 650 MB with it (measured on the ten-times benchmark). A browser that cannot be
started or dies is reported, and the PDF drawn by WeasyPrint.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from typing import Any

log = logging.getLogger(__name__)

# "none" turns the Chromium path off (the PDF is then drawn by WeasyPrint); a path chooses the binary.
CHROMIUM_SETTING = "STYR_PDF_CHROMIUM"
PRINT_TIMEOUT_MS = 60_000
FLAGS = [
    "--no-sandbox",  # the worker may run as root in a container; the page runs no script and loads nothing
    "--disable-gpu",
    "--disable-extensions",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Fewer processes, less memory: nothing is composited on a GPU to print.
    "--in-process-gpu",
    "--disable-software-rasterizer",
]


def chromium_binary() -> str | None:
    """The Chromium to print with, or None to draw with WeasyPrint."""
    chosen = os.environ.get(CHROMIUM_SETTING, "")
    if chosen.lower() == "none":
        return None
    return chosen or shutil.which("chromium") or shutil.which("chromium-browser")


class ChromiumPrinter:
    """A browser kept for this process's PDFs, started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._failed = False

    def _started(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        binary = chromium_binary()
        if binary is None or self._failed:
            return None
        try:
            from playwright.sync_api import sync_playwright

            if self._playwright is None:
                self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=binary, args=FLAGS)
        except Exception:
            # Not installed as expected, or no room to start: say so once, and let WeasyPrint draw.
            log.exception("Chromium could not be started; PDFs are drawn by WeasyPrint")
            self._failed = True
            self._stop_driver()
            return None
        return self._browser

    def pdf(self, page: str) -> bytes | None:
        """The page printed as a tagged PDF with an outline, or None where there is no Chromium to print it."""
        with self._lock:
            browser = self._started()
            if browser is None:
                return None
            try:
                return self._print(browser, page)
            except Exception:
                # The browser died or hung: WeasyPrint draws this PDF, a new browser the next one.
                log.exception("Chromium could not print the report; this PDF is drawn by WeasyPrint")
                self._browser = None
                return None

    @staticmethod
    def _print(browser: Any, page: str) -> bytes:
        context = browser.new_context(java_script_enabled=False, offline=True)
        try:
            context.route("**/*", lambda route: route.abort())
            tab = context.new_page()
            tab.set_content(page, wait_until="load", timeout=PRINT_TIMEOUT_MS)
            return bytes(tab.pdf(prefer_css_page_size=True, print_background=True, tagged=True, outline=True))
        finally:
            context.close()

    def _stop_driver(self) -> None:
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None

    def close(self) -> None:
        """Stop the browser and Playwright's driver; from the thread that printed (Playwright's sync API is
        bound to it)."""
        with self._lock:
            if self._browser is not None and self._browser.is_connected():
                self._browser.close()
            self._stop_driver()


# One per process: the document worker's.
PRINTER = ChromiumPrinter()
