"""The test runner's summary names the files the suite's time goes to, read from each half's JUnit report."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from run_tests import slowest_files

pytestmark = pytest.mark.database_free

REPORT = """<testsuites><testsuite name="pytest" tests="4" time="9">
<testcase classname="tests.gateway.test_trace" name="test_a" time="1.5"/>
<testcase classname="tests.gateway.test_trace" name="test_b" time="2"/>
<testcase classname="tests.shared.test_money.TestRounding" name="test_c" time="4"/>
<testcase classname="tests.test_architecture" name="test_d" time="0.25"/>
</testsuite></testsuites>"""


def test_the_slowest_files_are_summed_by_module_with_classes_folded_in():
    suite = ET.fromstring(REPORT)[0]
    assert slowest_files(suite, count=2) == [("tests/shared/test_money.py", 4.0), ("tests/gateway/test_trace.py", 3.5)]
    assert slowest_files(suite)[-1] == ("tests/test_architecture.py", 0.25)
