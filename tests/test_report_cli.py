"""`styr report …` against the in-process stack: the file it writes is the gateway's report, a refusal
prints the problem details and writes nothing, and a draft is written with a warning and exit code 3."""

import asyncio
import io
import json

import httpx
import pikepdf
import pytest
from docx import Document
from typer.testing import CliRunner

import cli.reports
from cli.main import app as styr
from cli.reports import ExitCode

BOARD = ("board", "RS:reader")


class StackTransport(httpx.BaseTransport):
    """The command's blocking requests, sent to the in-process gateway on the test's event loop."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client = client
        self.loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
            answer = await self.client.request(
                request.method, request.url.raw_path.decode(), headers=headers, content=request.read()
            )
            await answer.aread()
            return answer

        answer = asyncio.run_coroutine_threadsafe(send(), self.loop).result(timeout=120)
        dropped = {"content-encoding", "content-length", "transfer-encoding"}
        headers = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in dropped]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)


@pytest.fixture
def styr_report(seeded, monkeypatch):
    """Runs `styr report …` in a worker thread (it blocks), talking to the seeded stack."""
    monkeypatch.setattr(cli.reports, "gateway_transport", lambda: StackTransport(seeded.client, loop))
    loop = None

    async def run(*args: str, token: str | None = None):
        nonlocal loop
        loop = asyncio.get_running_loop()
        env = {"STYR_TOKEN": token if token is not None else seeded.token(*BOARD)}
        return await asyncio.to_thread(CliRunner().invoke, styr, ["report", *args], env=env)

    return run


async def test_the_report_robot_writes_the_word_document(seeded, styr_report, tmp_path):
    target = tmp_path / "delarsrapport.docx"
    result = await styr_report("interim", "2022", "T2", "--format", "docx", "-o", str(target))
    assert result.exit_code == ExitCode.written, result.output
    document = Document(io.BytesIO(target.read_bytes()))
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == ["Delårsrapport 2 2022"]
    assert len(document.inline_shapes) == 3  # the charts
    size = target.stat().st_size
    assert "asking the gateway: GET http://127.0.0.1:8000/api/reports/interim/2022/T2?format=docx" in result.stderr
    assert f"received {size:,} bytes".replace(",", " ") in result.stderr
    assert f"written to {target}" in result.stderr
    assert result.stdout == ""  # progress goes to stderr only
    assert not list(tmp_path.glob(".*partial"))


async def test_json_is_the_gateways_own_answer(seeded, styr_report, tmp_path):
    target = tmp_path / "report.json"
    result = await styr_report("annual", "2022", "--unit", "HSN", "--format", "json", "-o", str(target))
    assert result.exit_code == ExitCode.written, result.output
    written = json.loads(target.read_text(encoding="utf-8"))
    direct = (await seeded.client.get("/api/reports/annual/2022?unit=HSN", headers=seeded.auth(*BOARD))).json()
    written.pop("generated_at"), direct.pop("generated_at")
    assert written == direct


async def test_the_report_robot_writes_the_pdf(seeded, styr_report, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = await styr_report("annual", "2022", "--unit", "HSN", "--format", "pdf")
    assert result.exit_code == ExitCode.written, result.output
    written = tmp_path / "annual-2022-year-HSN.pdf"
    with pikepdf.open(written) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Årsredovisning 2022"
        assert str(pdf.Root.Lang) == "sv-SE"
    assert f"written to {written.name}" in result.stderr


async def test_language_money_and_the_default_file_name(seeded, styr_report, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = await styr_report("interim", "2022", "T2", "--format", "html", "--lang", "en", "--money", "tkr")
    assert result.exit_code == ExitCode.written, result.output
    page = (tmp_path / "interim-2022-T2.html").read_text(encoding="utf-8")
    assert "<title>Interim report T2 2022</title>" in page
    assert "6\u202f180\u202f000,0 tkr" in page, "HSN's frame as decided when T2 ended"


async def test_a_refusal_prints_the_problem_and_writes_nothing(seeded, styr_report, tmp_path):
    target = tmp_path / "report.docx"
    result = await styr_report("interim", "2022", "T2", "-o", str(target), token="not-a-token")
    assert result.exit_code == ExitCode.refused
    assert "the gateway refused: 401" in result.stderr
    assert "nothing was written" in result.stderr
    assert not target.exists()


async def test_a_bad_request_prints_the_fields_problem(seeded, styr_report, tmp_path):
    result = await styr_report("interim", "2022", "T2", "--unit", "hs n", "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == ExitCode.refused
    assert "the gateway refused: 422" in result.stderr
    assert "unit: String should match pattern" in result.stderr


async def test_an_unknown_unit_is_refused_not_drawn_as_a_draft(seeded, styr_report, tmp_path):
    for args in (("interim", "2022", "T1"), ("interim", "2022", "T2"), ("annual", "2022")):
        target = tmp_path / "nope.docx"
        result = await styr_report(*args, "--unit", "NOPE", "-o", str(target))
        assert result.exit_code == ExitCode.refused, result.output
        assert "the gateway refused: 404 No such org unit" in result.stderr
        assert "There is no org unit NOPE" in result.stderr
        assert not target.exists()


async def test_a_draft_is_written_with_a_warning_and_its_own_exit_code(seeded, styr_report, tmp_path):
    seeded.transport.down.add("audit")
    for report_format in ("docx", "json"):
        target = tmp_path / f"draft.{report_format}"
        result = await styr_report("interim", "2022", "T2", "--format", report_format, "-o", str(target))
        assert result.exit_code == ExitCode.draft == 3, result.output
        assert target.stat().st_size > 0
        assert "warning: the report is a draft; these sections are missing:" in result.stderr
        assert "audit.overview (audit)" in result.stderr


def test_an_unreachable_gateway_has_its_own_exit_code(tmp_path):
    result = CliRunner().invoke(
        styr,
        ["report", "annual", "2022", "--url", "http://127.0.0.1:9", "--token", "t", "-o", str(tmp_path / "r.docx")],
    )
    assert result.exit_code == ExitCode.unreachable
    assert "did not answer" in result.stderr
    assert not (tmp_path / "r.docx").exists()


def test_a_token_is_required(monkeypatch):
    monkeypatch.delenv("STYR_TOKEN", raising=False)
    result = CliRunner().invoke(styr, ["report", "annual", "2022"])
    assert result.exit_code == 2
    assert "STYR_TOKEN" in result.output
