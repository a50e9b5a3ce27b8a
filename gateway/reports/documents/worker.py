"""Documents are drawn in a worker process of their own, never in the gateway's.

Drawing charts, writing Word and laying out PDF is CPU work that would hold the gateway's interpreter lock while
requests wait, and matplotlib with numpy and Pillow weighs some 50 MB that would stay resident in a
process that otherwise only forwards JSON. One worker, started the first time a document is asked
for, draws them one at a time; it is replaced after a number of documents so that what matplotlib
caches cannot grow without bound, and started again if it dies. Its PDFs are laid out by Typst, in the
worker's own process (pdf.py).
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from pydantic import BaseModel

from gateway.reports.documents.build import build
from gateway.reports.documents.html import render
from gateway.reports.documents.pdf import render_pdf
from gateway.reports.documents.text import Language, MoneyScale
from gateway.reports.documents.trace import build_trace
from gateway.reports.documents.word import render_docx
from shared.errors import ServiceUnavailable

# A report (gateway.reports.building.Report), named by its base: building imports the trace, which draws its
# documents here too, so naming it would import in a circle.
Report = BaseModel

# Each document leaves a little behind in matplotlib's caches; a fresh worker now and then keeps the
# worker's resident memory flat (measured: about 10 MB of growth over twenty documents).
DOCUMENTS_PER_WORKER = 50

# How often the worker looks whether the gateway that started it still lives.
PARENT_CHECK_SECONDS = 1.0

T = TypeVar("T")


def html_page(report: Report, money: MoneyScale, lang: Language) -> str:
    """Run in the worker: the report as its HTML page."""
    return render(build(report.model_dump(mode="json"), money, lang), lang)


def word_file(report: Report, money: MoneyScale, lang: Language) -> bytes:
    """Run in the worker: the report as a Word document."""
    return render_docx(build(report.model_dump(mode="json"), money, lang), lang)


def pdf_file(report: Report, money: MoneyScale, lang: Language) -> bytes:
    """Run in the worker: the report as a tagged PDF."""
    return render_pdf(build(report.model_dump(mode="json"), money, lang), lang)


def trace_html_page(kind: str, data: dict[str, Any], lang: Language) -> str:
    """Run in the worker: a trace (its JSON) as its HTML page."""
    return render(build_trace(kind, data, lang), lang)


def trace_word_file(kind: str, data: dict[str, Any], lang: Language) -> bytes:
    """Run in the worker: a trace (its JSON) as a Word document."""
    return render_docx(build_trace(kind, data, lang), lang)


def trace_pdf_file(kind: str, data: dict[str, Any], lang: Language) -> bytes:
    """Run in the worker: a trace (its JSON) as a tagged PDF."""
    return render_pdf(build_trace(kind, data, lang), lang)


TRACE_RENDERERS: dict[str, Callable[[str, dict[str, Any], Language], str | bytes]] = {
    "html": trace_html_page,
    "docx": trace_word_file,
    "pdf": trace_pdf_file,
}


def resident_bytes() -> int:
    """This process's resident memory now (Linux), or its peak where /proc is not there."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _drawn(render: Callable[..., T], *args: Any) -> tuple[T, float, int]:
    """Run in the worker: `render`'s document, the seconds it took to draw, and the worker's memory after."""
    started = time.perf_counter()
    document = render(*args)
    return document, time.perf_counter() - started, resident_bytes()


class DocumentMetrics(Collector):
    """The worker's queue, drawing time and memory, for the gateway's metrics. One per process, like the
    worker, registered in the registry of each gateway app the process runs."""

    def __init__(self) -> None:
        self.queue = Gauge(
            "styr_document_queue", "Documents asked for and not yet drawn (waiting or drawing)", registry=None
        )
        self.drawing_seconds = Histogram(
            "styr_document_drawing_seconds",
            "Time the worker took to draw one document, by format",
            ["format"],
            buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
            registry=None,
        )
        self.resident_bytes = Gauge(
            "styr_document_worker_resident_bytes", "The worker's resident memory after its last document", registry=None
        )
        self.failures = Counter(
            "styr_document_worker_failures",
            "Times the worker died while drawing (killed for memory, say)",
            registry=None,
        )

    def _parts(self) -> list[Gauge | Histogram | Counter]:
        return [self.queue, self.drawing_seconds, self.resident_bytes, self.failures]

    def describe(self) -> Iterable[Metric]:
        return [family for part in self._parts() for family in part.describe()]

    def collect(self) -> Iterable[Metric]:
        return [family for part in self._parts() for family in part.collect()]


def _leave_with_parent(parent: int) -> None:
    """Run in the worker: end it once the gateway that started it is gone.

    A gateway killed, or stopped before concurrent.futures could send the worker its stop signal,
    would otherwise leave the worker behind for good: it holds both ends of its own task pipe, so it
    never sees the pipe close.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _freeze_what_drawing_imports() -> None:
    """Run in the worker: import matplotlib and python-docx, then move every object alive so
    far out of the cycle collector's reach.

    charts.py collects after each chart, which keeps the worker's memory flat (a figure is a web of
    reference cycles); with matplotlib's and numpy's 150,000 long-lived objects to walk each time,
    that cost 0.1 s or more per chart, frozen some 0.03 s."""
    import docx  # noqa: F401
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401

    gc.collect()
    gc.freeze()


def _start_worker(parent: int) -> None:
    _leave_with_parent(parent)
    _freeze_what_drawing_imports()


class DocumentWorker:
    """The one process that draws this gateway's documents, started when first needed."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.metrics = DocumentMetrics()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: a forked child would inherit the event loop and open sockets.
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    max_tasks_per_child=DOCUMENTS_PER_WORKER,
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    async def html(self, report: Report, money: MoneyScale, lang: Language) -> str:
        """The report as an HTML page with its charts."""
        return await self._run("html", html_page, report, money, lang)

    async def docx(self, report: Report, money: MoneyScale, lang: Language) -> bytes:
        """The report as a Word document with its charts."""
        return await self._run("docx", word_file, report, money, lang)

    async def pdf(self, report: Report, money: MoneyScale, lang: Language) -> bytes:
        """The report as a tagged PDF with its charts."""
        return await self._run("pdf", pdf_file, report, money, lang)

    async def trace(self, document_format: str, kind: str, data: dict[str, Any], lang: Language) -> str | bytes:
        """A trace (its JSON; kind recommendation, grant or risk) as an HTML page, Word document or PDF."""
        return await self._run(document_format, TRACE_RENDERERS[document_format], kind, data, lang)

    async def _run(self, document_format: str, render: Callable[..., T], *args: Any) -> T:
        self.metrics.queue.inc()
        try:
            document, seconds, resident = await self._drawn_with_one_retry(render, *args)
        finally:
            self.metrics.queue.dec()
        self.metrics.drawing_seconds.labels(document_format).observe(seconds)
        self.metrics.resident_bytes.set(resident)
        return document

    async def _drawn_with_one_retry(self, render: Callable[..., T], *args: Any) -> tuple[T, float, int]:
        loop = asyncio.get_running_loop()
        for attempt in range(2):
            pool = self._executor()
            try:
                return await loop.run_in_executor(pool, _drawn, render, *args)
            except BrokenProcessPool:
                # The worker died (killed for memory, say): one fresh worker gets one more try.
                self.metrics.failures.inc()
                self._discard(pool)
                if attempt:
                    break
        raise ServiceUnavailable("The document could not be drawn; ask again in a moment")

    def close(self) -> None:
        """Stop the worker, if one was started."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


# One per process: a deployed gateway is one app per process, and apps made in one process (the tests')
# share the worker instead of each starting its own. concurrent.futures stops it when the process ends.
DOCUMENTS = DocumentWorker()
