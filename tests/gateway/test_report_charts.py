"""The charts of the reports: drawn from the report's JSON only, the same in HTML (SVG) and Word (PNG),
in Swedish by default, the same bytes for the same report, and matplotlib loaded only when drawing."""

import io
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document

from gateway.reports.documents.charts import axis_number, charts_for, draw, png, series_of, svg
from gateway.reports.documents.text import Language, MoneyScale
from gateway.reports.documents.worker import DOCUMENTS, PARENT_CHECK_SECONDS

BOARD = ("board", "RS:reader")
COLOURS = ("green", "yellow", "red", "grey")


async def get_json(stack, path: str) -> dict:
    response = await stack.client.get(path, headers=stack.auth(*BOARD))
    assert response.status_code == 200, response.text
    return response.json()


def council_indicators(report: dict) -> list[dict]:
    return [i for s in report["goals"]["chain"]["strategies"] for i in s["indicators"]]


async def test_each_chart_shows_the_reports_own_figures(seeded):
    report = await get_json(seeded, "/api/reports/interim/2022/T2")
    charts = {chart.key: chart for chart in charts_for(report, MoneyScale.mnkr, Language.sv)}
    assert list(charts) == ["fulfilment", "indicators", "economy"]

    fulfilment = charts["fulfilment"]
    rows = report["goals"]["fulfilment"]["rows"]
    assert set(fulfilment.categories) == {r["unit_code"] for r in rows}
    for colour in COLOURS:
        per_unit = series_of(fulfilment, colour)
        for unit, count in zip(fulfilment.categories, per_unit, strict=True):
            assert count == sum(r[colour] for r in rows if r["unit_code"] == unit)
        assert sum(per_unit) == report["goals"]["fulfilment"]["totals"][colour]

    economy = charts["economy"]
    units = report["economy"]["economy"]["units"]
    assert [c.rstrip(" !") for c in economy.categories] == [u["unit_code"] for u in units]
    million = Decimal(1_000_000)
    assert series_of(economy, "frame") == tuple(Decimal(u["frame"]) / million for u in units)
    assert series_of(economy, "outcome_ytd") == tuple(Decimal(u["outcome_ytd"]["net_cost"]) / million for u in units)
    assert series_of(economy, "forecast") == tuple(Decimal(u["forecast"]["amount"]) / million for u in units)
    flagged = [c for c in economy.categories if c.endswith(" !")]
    assert flagged == [f"{code} !" for code in report["economy"]["economy"]["flagged_units"]]

    [panel] = charts["indicators"].panels
    [indicator] = council_indicators(report)
    assert panel.name == indicator["name"]
    assert panel.target == Decimal(indicator["target"])
    assert panel.values[0] == Decimal(indicator["baseline_value"])
    assert panel.values[-1] == Decimal(indicator["latest"]["value"])
    assert panel.periods[-1] == indicator["latest"]["period"]
    assert len(set(panel.periods)) == len(panel.periods), "each period once"


async def test_money_in_the_chart_follows_the_scale_asked_for(seeded):
    report = await get_json(seeded, "/api/reports/annual/2022")
    [economy] = [c for c in charts_for(report, MoneyScale.tkr, Language.en) if c.key == "economy"]
    units = report["economy"]["economy"]["units"]
    assert series_of(economy, "frame") == tuple(Decimal(u["frame"]) / 1000 for u in units)
    assert economy.title == "Outcome and forecast against frame per unit (tkr)"


async def test_t1_and_a_missing_service_call_for_fewer_charts(seeded):
    t1 = await get_json(seeded, "/api/reports/interim/2022/T1")
    assert [c.key for c in charts_for(t1, MoneyScale.mnkr, Language.sv)] == ["fulfilment", "economy"]
    seeded.transport.down.add("budget")
    draft = await get_json(seeded, "/api/reports/interim/2022/T2")
    assert [c.key for c in charts_for(draft, MoneyScale.mnkr, Language.sv)] == ["fulfilment", "indicators"]


async def test_the_word_document_holds_one_picture_per_chart_with_alt_text_and_caption(seeded):
    for path, down in [("/api/reports/interim/2022/T2", None), ("/api/reports/interim/2022/T1", None),
                       ("/api/reports/interim/2022/T2", "budget")]:  # fmt: skip
        seeded.transport.down.clear()
        if down:
            seeded.transport.down.add(down)
        report = await get_json(seeded, path)
        charts = charts_for(report, MoneyScale.mnkr, Language.sv)
        response = await seeded.client.get(f"{path}?format=docx", headers=seeded.auth(*BOARD))
        document = Document(io.BytesIO(response.content))
        assert len(document.inline_shapes) == len(charts) > 0
        alt_texts = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
        assert alt_texts == [chart.alt for chart in charts]
        captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
        assert captions == [f"Figur {n}. {chart.title}" for n, chart in enumerate(charts, start=1)]


async def test_the_html_holds_each_chart_as_inline_svg_with_its_title(seeded):
    for lang, first_title in [("sv", "Måluppfyllelse per enhet"), ("en", "Goal fulfilment per unit")]:
        page = (
            await seeded.client.get(
                f"/api/reports/interim/2022/T2?format=html&lang={lang}", headers=seeded.auth(*BOARD)
            )
        ).text
        report = await get_json(seeded, "/api/reports/interim/2022/T2")
        charts = charts_for(report, MoneyScale.mnkr, Language(lang))
        assert charts[0].title == first_title
        assert page.count("<svg ") == len(charts) == 3
        for chart in charts:
            assert re.search(f'<svg [^>]*role="img" aria-label="{re.escape(chart.title)}"', page)
            assert f"<title>{chart.title}</title>" in page
        assert "<?xml" not in page  # inline elements, not documents


async def test_a_chart_is_the_same_bytes_every_time(seeded):
    report = await get_json(seeded, "/api/reports/interim/2022/T2")
    for chart in charts_for(report, MoneyScale.mnkr, Language.sv):
        assert svg(chart, Language.sv) == svg(chart, Language.sv)
        assert png(chart, Language.sv) == png(chart, Language.sv)
        assert "Date" not in svg(chart, Language.sv)
    pages = [
        (await seeded.client.get("/api/reports/interim/2022/T2?format=html", headers=seeded.auth(*BOARD))).text
        for _ in range(2)
    ]
    figures = [re.findall(r"<figure.*?</figure>", page, flags=re.S) for page in pages]
    assert figures[0] == figures[1]
    assert len(figures[0]) == 3


def test_axis_numbers_are_in_swedish_format():
    assert axis_number(6200.0) == "6\u202f200"
    assert axis_number(57.5) == "57,5"
    assert axis_number(-1250.25) == "−1\u202f250,25"
    assert axis_number(0.0) == "0"


async def test_the_money_axis_is_labelled_in_swedish_format(seeded):
    report = await get_json(seeded, "/api/reports/interim/2022/T2")
    [economy] = [c for c in charts_for(report, MoneyScale.mnkr, Language.sv) if c.key == "economy"]
    figure = draw(economy, Language.sv)
    figure.canvas.draw()
    axes = figure.axes[0]
    ticks = [label.get_text() for label in axes.get_xticklabels()]
    assert "6\u202f000" in ticks
    assert axes.get_xlabel() == "mnkr"


async def test_documents_are_drawn_in_a_worker_process_and_the_gateway_stays_light(seeded):
    response = await seeded.client.get("/api/reports/interim/2022/T2?format=docx", headers=seeded.auth(*BOARD))
    assert response.status_code == 200
    pool = DOCUMENTS._pool
    assert pool is not None
    workers = list(pool._processes.values())  # the worker that drew the document
    assert workers
    assert all(worker.pid != os.getpid() for worker in workers)
    assert len(Document(io.BytesIO(response.content)).inline_shapes) == 3


async def test_a_dead_worker_is_replaced(seeded):
    headers = seeded.auth(*BOARD)
    assert (await seeded.client.get("/api/reports/interim/2022/T1?format=html", headers=headers)).status_code == 200
    pool = DOCUMENTS._pool
    assert pool is not None
    for worker in list(pool._processes.values()):
        worker.kill()
        worker.join()
    again = await seeded.client.get("/api/reports/interim/2022/T1?format=html", headers=headers)
    assert again.status_code == 200
    assert "<svg" in again.text


async def test_a_draft_document_says_so_in_its_headers(seeded):
    whole = await seeded.client.get("/api/reports/interim/2022/T2?format=docx", headers=seeded.auth(*BOARD))
    assert whole.headers["x-report-complete"] == "true"
    assert "x-report-missing" not in whole.headers
    seeded.transport.down.add("audit")
    draft = await seeded.client.get("/api/reports/interim/2022/T2?format=html", headers=seeded.auth(*BOARD))
    assert draft.status_code == 200
    assert draft.headers["x-report-complete"] == "false"
    assert draft.headers["x-report-missing"] == "audit.overview (audit), follow_through (audit)"


@pytest.mark.database_free  # a process of its own, with no database
def test_the_apps_load_matplotlib_and_numpy_only_to_draw():
    # numpy comes with matplotlib, and openpyxl loads it whenever it is installed: neither may weigh on
    # a process that answers JSON (the load benchmark's memory limit), nor may Typst.
    script = (
        "import sys\n"
        "from gateway.app import create_app\n"
        "import gateway.reports.documents.build, gateway.reports.documents.html\n"
        "import gateway.reports.documents.pdf, gateway.reports.documents.word\n"
        "import shared.exports\n"
        "import services.goals.app, services.budget.app, services.audit.app\n"
        "create_app(configure_logs=False)\n"
        "loaded = sorted({'matplotlib', 'numpy', 'PIL', 'typst'} & set(sys.modules))\n"
        "assert not loaded, f'loaded at import: {loaded}'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


@pytest.mark.database_free  # a process of its own, with no database
def test_the_worker_ends_when_its_gateway_is_killed(tmp_path):
    # A gateway process that starts its worker and then dies without any chance to stop it.
    script = tmp_path / "gateway_dies.py"
    script.write_text(
        "import os\n"
        "from gateway.reports.documents.worker import DOCUMENTS\n"
        "if __name__ == '__main__':\n"
        "    print(DOCUMENTS._executor().submit(os.getpid).result(), flush=True)\n"
        "    os._exit(0)\n"
    )
    finished = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True)
    worker = int(finished.stdout.strip())
    deadline = time.monotonic() + 10 * PARENT_CHECK_SECONDS
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker), f"the document worker {worker} outlived its gateway"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected
