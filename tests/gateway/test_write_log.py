"""Every write through the gateway leaves a log line with who wrote and the request id."""

import json
import logging
from collections.abc import Iterator

import pytest

from shared.logging import JsonFormatter


class _Lines(logging.Handler):
    """Formats each record as it is written, while the request's id is still the current one."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def gateway_log() -> Iterator[_Lines]:
    handler = _Lines()
    logger = logging.getLogger("styr.gateway")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)  # through setLevel: it clears the cache of earlier "is INFO enabled?" answers
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def _writes(log: _Lines) -> list[dict]:
    return [line for line in log.lines if line["message"] == "write"]


async def test_a_write_is_logged_with_the_caller_and_the_request_id(seeded, gateway_log):
    response = await seeded.client.post(
        "/api/goals/goals",
        json={"unit_code": "HSN", "title": "Loggat mål", "perspective": "citizen", "start_year": 2024},
        headers={**seeded.auth("anna", "HSN:editor"), "X-Request-ID": "write-log-1"},
    )
    assert response.status_code == 201, response.text
    [line] = _writes(gateway_log)
    assert (line["caller"], line["request_id"], line["method"], line["status"]) == ("anna", "write-log-1", "POST", 201)
    assert line["path"] == "/api/goals/goals"


async def test_a_refused_write_is_logged_too(seeded, gateway_log):
    response = await seeded.client.patch(
        "/api/goals/units/HSN",
        json={"name": "X"},
        headers={**seeded.auth("bertil", "HSN:editor"), "X-Request-ID": "write-log-2", "If-Match": '"1"'},
    )
    assert response.status_code == 403
    [line] = _writes(gateway_log)
    assert (line["caller"], line["request_id"], line["status"]) == ("bertil", "write-log-2", 403)


async def test_completing_a_report_edition_at_the_gateway_is_logged(seeded, gateway_log):
    edition = await seeded.client.post(
        "/api/goals/report-editions",
        json={"kind": "interim", "year": 2024, "period": "T1", "unit_code": "HSN"},
        headers=seeded.auth("cecilia", "HSN:editor"),
    )
    assert edition.status_code == 201, edition.text
    gateway_log.lines.clear()
    response = await seeded.client.post(
        f"/api/reports/editions/{edition.json()['id']}/completion",
        headers={**seeded.auth("david", "HSN:registrar"), "X-Request-ID": "write-log-3", "If-Match": '"stale"'},
    )
    assert response.status_code == 412, response.text
    [line] = _writes(gateway_log)
    assert (line["caller"], line["request_id"], line["status"]) == ("david", "write-log-3", 412)
