"""`styr report …`: fetch a report from the gateway into a file, for the report robot and for people.

    styr report interim 2024 T2 --format docx -o delarsrapport.docx
    styr report annual 2024 --unit HSN --lang en --money tkr --format html
    styr report annual 2024 --format pdf -o arsredovisning.pdf

The command talks to a running gateway (--url, or STYR_URL) with a bearer token (--token, or
STYR_TOKEN), like any other client, so the caller's own rights decide what the report shows. It
says on stderr what it does (asking, receiving, written), so a robot's log tells where it stopped.

Exit codes: 0 the whole report was written; 1 the gateway refused (its problem details are printed;
nothing is written); 3 a draft was written: a service did not answer and sections are missing (they
are listed); 4 the gateway could not be reached. Wrong arguments exit 2, as every command does.
"""

from __future__ import annotations

import json
import sys
import time
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import DownloadColumn, Progress, SpinnerColumn, TextColumn, TransferSpeedColumn

app = typer.Typer(help="Fetch reports from the gateway: interim reports T1/T2 and the annual report.")

DEFAULT_URL = "http://127.0.0.1:8000"
CHUNK = 64 * 1024


class ExitCode(IntEnum):
    written = 0
    refused = 1
    draft = 3
    unreachable = 4


class Format(StrEnum):
    json = "json"
    html = "html"
    docx = "docx"
    pdf = "pdf"


class Money(StrEnum):
    tkr = "tkr"
    mnkr = "mnkr"


class Lang(StrEnum):
    sv = "sv"
    en = "en"


class Period(StrEnum):
    T1 = "T1"
    T2 = "T2"


def gateway_transport() -> httpx.BaseTransport | None:
    """How requests reach the gateway: the network (the tests put the in-process stack here)."""
    return None


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def _problem_lines(response: httpx.Response, body: bytes) -> list[str]:
    """The gateway's refusal as a person reads it: status, title, detail and any field errors."""
    try:
        problem: Any = json.loads(body)
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        return [f"the gateway refused: HTTP {response.status_code} {body[:300].decode('utf-8', 'replace')}"]
    lines = [f"the gateway refused: {problem.get('status', response.status_code)} {problem.get('title', '')}".rstrip()]
    if problem.get("detail"):
        lines.append(f"  {problem['detail']}")
    for error in problem.get("errors") or []:
        if isinstance(error, dict):
            loc = list(error.get("loc") or [])
            where = ".".join(str(part) for part in (loc[1:] if loc[:1] in (["query"], ["path"], ["body"]) else loc))
            lines.append(f"  {where}: {error.get('msg', '')}")
    if problem.get("type"):
        lines.append(f"  ({problem['type']})")
    return lines


def _missing(report_format: Format, response: httpx.Response, body: bytes) -> list[str]:
    """The sections a draft lacks: from the JSON itself, or from the gateway's headers for HTML, Word and PDF."""
    if report_format is Format.json:
        report = json.loads(body)
        return [f"{m['section']} ({m['service']}): {m['reason']}" for m in report.get("missing", [])]
    if response.headers.get("x-report-complete", "true") == "true":
        return []
    listed = response.headers.get("x-report-missing", "")
    return [part.strip() for part in listed.split(",") if part.strip()] or ["(the gateway did not say which)"]


def _write(output: Path | None, default_name: str, body: bytes) -> str:
    """Write the file whole or not at all (a temporary file renamed), or to stdout for `-o -`."""
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return "standard output"
    target = output or Path(default_name)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(body)
    partial.replace(target)
    return str(target)


def fetch(
    path: str,
    query: dict[str, str],
    report_format: Format,
    output: Path | None,
    default_name: str,
    url: str,
    token: str | None,
    timeout: float,
) -> ExitCode:
    """Ask the gateway for one report, save it and say how it went; the exit code tells a robot the same."""
    # Plain lines for a robot's log: no wrapping, no markup read into paths or problem details.
    console = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
    if not token:
        raise typer.BadParameter("give --token or set STYR_TOKEN (a token from your identity provider)")
    target = f"{url.rstrip('/')}{path}"
    console.print(f"asking the gateway: GET {target}?{httpx.QueryParams(query)}")
    started = time.monotonic()
    headers = {"authorization": f"Bearer {token}", "accept": "*/*"}
    try:
        with (
            httpx.Client(transport=gateway_transport(), timeout=timeout) as client,
            client.stream("GET", target, params=query, headers=headers) as response,
            _progress(console) as progress,
        ):
            size = int(response.headers.get("content-length", 0)) or None
            task = progress.add_task("receiving", total=size)
            chunks = []
            for chunk in response.iter_bytes(CHUNK):
                chunks.append(chunk)
                progress.advance(task, len(chunk))
    except httpx.HTTPError as exc:
        console.print(f"error: the gateway at {url} did not answer: {exc or type(exc).__name__}")
        return ExitCode.unreachable
    body = b"".join(chunks)
    seconds = time.monotonic() - started
    console.print(f"received {len(body):,} bytes in {seconds:.1f} s (HTTP {response.status_code})".replace(",", " "))
    if response.status_code != 200:
        for line in _problem_lines(response, body):
            console.print(line)
        console.print("nothing was written")
        return ExitCode.refused
    missing = _missing(report_format, response, body)
    console.print(f"written to {_write(output, default_name, body)}")
    if missing:
        console.print("warning: the report is a draft; these sections are missing:")
        for section in missing:
            console.print(f"  {section}")
        return ExitCode.draft
    return ExitCode.written


UrlOption = Annotated[str, typer.Option(envvar="STYR_URL", help="The gateway's address")]
TokenOption = Annotated[
    str | None, typer.Option(envvar="STYR_TOKEN", help="Bearer token (from your identity provider)", show_default=False)
]
UnitOption = Annotated[str | None, typer.Option(help="One unit and the units below it", show_default="the region")]
FormatOption = Annotated[
    Format, typer.Option("--format", help="json for systems, html to read, docx to edit, pdf to publish")
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="File to write, or - for standard output", show_default="named after the report"
    ),
]
MoneyOption = Annotated[Money, typer.Option(help="Money in thousands or millions of kronor (html, docx, pdf)")]
LangOption = Annotated[Lang, typer.Option(help="Language of the document (html, docx, pdf)")]
TimeoutOption = Annotated[float, typer.Option(min=1, max=600, help="Seconds to wait for the gateway")]
YearArgument = Annotated[int, typer.Argument(min=1990, max=2100)]


def _query(unit: str | None, report_format: Format, money: Money, lang: Lang) -> dict[str, str]:
    query = {"format": report_format.value, "money": money.value, "lang": lang.value}
    return {**query, "unit": unit} if unit else query


def _name(kind: str, year: int, period: str, unit: str | None, report_format: Format) -> str:
    return f"{kind}-{year}-{period}{'-' + unit if unit else ''}.{report_format.value}"


@app.command()
def interim(
    year: YearArgument,
    period: Annotated[Period, typer.Argument(help="T1 (economy and employees) or T2 (everything)")],
    unit: UnitOption = None,
    report_format: FormatOption = Format.docx,
    output: OutputOption = None,
    money: MoneyOption = Money.mnkr,
    lang: LangOption = Lang.sv,
    url: UrlOption = DEFAULT_URL,
    token: TokenOption = None,
    timeout: TimeoutOption = 120.0,
) -> None:
    """Fetch an interim report (delårsrapport) T1 or T2."""
    code = fetch(
        f"/api/reports/interim/{year}/{period.value}",
        _query(unit, report_format, money, lang),
        report_format,
        output,
        _name("interim", year, period.value, unit, report_format),
        url,
        token,
        timeout,
    )
    raise typer.Exit(int(code))


@app.command()
def annual(
    year: YearArgument,
    unit: UnitOption = None,
    report_format: FormatOption = Format.docx,
    output: OutputOption = None,
    money: MoneyOption = Money.mnkr,
    lang: LangOption = Lang.sv,
    url: UrlOption = DEFAULT_URL,
    token: TokenOption = None,
    timeout: TimeoutOption = 120.0,
) -> None:
    """Fetch the annual report (årsredovisning)."""
    code = fetch(
        f"/api/reports/annual/{year}",
        _query(unit, report_format, money, lang),
        report_format,
        output,
        _name("annual", year, "year", unit, report_format),
        url,
        token,
        timeout,
    )
    raise typer.Exit(int(code))
