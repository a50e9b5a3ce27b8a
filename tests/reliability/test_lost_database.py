"""Which database failures are a 503 to retry (the server is away) and which stay a 500 (a bug)."""

import pytest
from sqlalchemy.exc import DBAPIError

from shared.errors import _lost_database


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "lost"),
    [
        ("57P01", True),  # admin shutdown: the server is stopping
        ("57P03", True),  # cannot connect now: shutting down or starting up
        ("08006", True),  # connection failure
        ("42601", False),  # a syntax error is a bug, not an outage
        ("23505", False),
    ],
)
def test_a_server_away_is_told_from_a_bug_by_its_sqlstate(sqlstate, lost):
    error = DBAPIError("SELECT 1", {}, DriverError(sqlstate))
    assert _lost_database(error) is lost


def test_a_refused_connection_is_a_lost_database():
    assert _lost_database(ConnectionRefusedError())
    assert not _lost_database(ValueError())
