"""Evidence files on an action: uploaded through the gateway as multipart, judged by content, kept by hash."""

import hashlib
import io
import zipfile

import pytest

from shared.errors import Unprocessable, UnsupportedMediaType
from shared.evidence import EVIDENCE_MAX_BYTES, clean_filename, content_disposition, media_type_of
from tests.audit.conftest import etag

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _zip(*parts: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts:
            archive.writestr(name, data)
    return out.getvalue()


DOCX = _zip(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"))
XLSX = _zip(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>"))
ODS = _zip(("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<x/>"))


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (PDF, "protokoll.pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "skärmbild.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "foto.jpg", "image/jpeg"),
        (DOCX, "rutin.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "lista.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ODS, "lista.ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("Åtgärd klar 2022-06-30\n".encode(), "notering.txt", "text/plain"),
        (b"a;b\n1;2\n", "uppf\xc3\xb6ljning.csv".encode("latin-1").decode("utf-8"), "text/csv"),
        # The name does not decide: a PDF called .exe is a PDF, served as one and never run.
        (PDF, "protokoll.exe", "application/pdf"),
    ],
)
def test_a_files_type_is_judged_by_its_content(content, name, expected):
    assert media_type_of(content, name) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program
        b"\x7fELF\x02\x01\x01\x00",  # a Linux one
        _zip(("evil.sh", b"#!/bin/sh")),  # a zip that is no office document
        _zip(("[Content_Types].xml", b"<Types/>"), ("word/vbaProject.bin", b"\x00")),  # no document part
        "Texten är Latin-1".encode("latin-1"),  # not UTF-8
        b"GIF89a\x01\x00",
    ],
)
def test_other_content_is_refused_whatever_its_name(content):
    with pytest.raises(UnsupportedMediaType):
        media_type_of(content, "protokoll.pdf")


def test_an_empty_file_is_refused_as_no_evidence():
    with pytest.raises(Unprocessable):
        media_type_of(b"", "tom.txt")


def test_a_name_keeps_its_last_part_without_control_characters():
    assert clean_filename("C:\\Users\\anna\\Protokoll §5.pdf") == "Protokoll §5.pdf"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\r\nc.pdf") == "abc.pdf"
    assert len(clean_filename("x" * 300 + ".pdf")) == 200
    assert clean_filename("x" * 300 + ".pdf").endswith(".pdf")
    with pytest.raises(Unprocessable):
        clean_filename("../")


def test_a_swedish_name_survives_the_download_header():
    assert content_disposition('Åtgärd "klar".pdf') == (
        "attachment; filename=\"_tg_rd 'klar'.pdf\"; filename*=UTF-8''%C3%85tg%C3%A4rd%20%22klar%22.pdf"
    )


async def _action(audit, **fields):
    created = await audit.act("HSN", status="in_progress", **fields)
    assert created.status_code == 201, created.text
    return created.json()


async def _upload(audit, action, content, name="protokoll.pdf", roles=("HSN:editor",), sub="anna"):
    return await audit.stack.client.post(
        f"/api/audit/actions/{action['id']}/evidence",
        headers=audit.stack.auth(sub, *roles, name="Anna Andersson"),
        files={"file": (name, content, "application/octet-stream")},
    )


async def test_an_editor_attaches_a_file_and_a_reader_downloads_it_as_it_was(audit):
    action = await _action(audit)
    added = await _upload(audit, action, PDF, name="Protokoll HSN §5.pdf")
    assert added.status_code == 201, added.text
    item = added.json()
    assert (item["filename"], item["media_type"], item["size_bytes"]) == (
        "Protokoll HSN §5.pdf",
        "application/pdf",
        len(PDF),
    )
    assert item["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (item["added_by"], item["added_by_name"], item["record_kind"]) == ("anna", "Anna Andersson", "action")

    reader = audit.stack.auth("bo", "RS:reader")
    listed = await audit.stack.client.get(f"/api/audit/actions/{action['id']}/evidence", headers=reader)
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["items"]] == [item["id"]]
    got = await audit.stack.client.get(f"/api/audit/actions/{action['id']}/evidence/{item['id']}", headers=reader)
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


async def _rows(stack, model, *where):
    from sqlalchemy import select

    from shared.db import create_engine

    engine = create_engine(stack.database_urls["audit"])
    try:
        async with engine.connect() as conn:
            return (await conn.execute(select(model).where(*where))).all()
    finally:
        await engine.dispose()


async def test_the_same_content_twice_is_stored_once_and_both_files_listed(audit):
    from services.audit.models import EvidenceBlob

    action = await _action(audit)
    first = (await _upload(audit, action, PDF, name="a.pdf")).json()
    second = (await _upload(audit, action, PDF, name="b.pdf")).json()
    assert first["sha256"] == second["sha256"]
    assert first["id"] != second["id"]
    assert len(await _rows(audit.stack, EvidenceBlob)) == 1


async def test_a_reader_may_not_attach_and_another_bodys_editor_is_refused(audit):
    action = await _action(audit)
    as_reader = await _upload(audit, action, PDF, roles=("HSN:reader",))
    assert as_reader.status_code == 403
    assert as_reader.headers["content-type"].startswith("application/problem+json")
    assert "editor" in as_reader.json()["required"]
    as_other = await _upload(audit, action, PDF, roles=("RUN:editor",))
    assert as_other.status_code == 403


async def test_a_forbidden_type_is_a_415_problem_and_nothing_is_kept(audit):
    action = await _action(audit)
    refused = await _upload(audit, action, b"MZ\x90\x00" + b"\x00" * 100, name="faktura.pdf")
    assert refused.status_code == 415
    assert refused.json()["code"] == "unsupported-media-type"
    listed = await audit.stack.client.get(
        f"/api/audit/actions/{action['id']}/evidence", headers=audit.stack.auth("bo", "RS:reader")
    )
    assert listed.json()["items"] == []


async def test_a_file_over_the_limit_is_a_413_problem(audit):
    action = await _action(audit)
    too_large = await _upload(audit, action, PDF + b"\x00" * EVIDENCE_MAX_BYTES)
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "payload-too-large"


async def test_a_finished_actions_evidence_cannot_change(audit):
    action = await _action(audit)
    item = (await _upload(audit, action, PDF)).json()
    done = await audit.stack.client.patch(
        f"/api/audit/actions/{action['id']}",
        headers={**audit.auth("HSN:editor"), **etag(action)},
        json={"status": "done", "finished_on": "2022-06-30"},
    )
    assert done.status_code == 200, done.text
    upload = await _upload(audit, action, PDF, name="sent.pdf")
    assert upload.status_code == 409
    assert upload.json()["code"] == "locked"
    removal = await audit.stack.client.delete(
        f"/api/audit/actions/{action['id']}/evidence/{item['id']}",
        headers={**audit.auth("HSN:editor"), **etag(item)},
    )
    assert removal.status_code == 409


async def test_removal_needs_the_etag_and_history_keeps_who_added_and_removed_what(audit):
    action = await _action(audit)
    item = (await _upload(audit, action, PDF)).json()
    path = f"/api/audit/actions/{action['id']}/evidence/{item['id']}"
    history = await audit.stack.client.get(f"{path}/history", headers=audit.auth("RS:reader"))
    assert history.status_code == 200, history.text
    assert [(e["action"], e["actor"], e["after"]["filename"]) for e in history.json()["items"]] == [
        ("create", "anna", "protokoll.pdf")
    ]
    without = await audit.stack.client.delete(path, headers=audit.auth("HSN:editor", sub="bertil"))
    assert without.status_code == 428
    removed = await audit.stack.client.delete(path, headers={**audit.auth("HSN:editor", sub="bertil"), **etag(item)})
    assert removed.status_code == 204
    assert (await audit.stack.client.get(path, headers=audit.auth("HSN:reader"))).status_code == 404

    from services.audit.models import HistoryEntry

    entries = sorted(
        await _rows(audit.stack, HistoryEntry.__table__, HistoryEntry.entity_id == item["id"]), key=lambda e: e.id
    )
    assert [(e.action, e.actor) for e in entries] == [("create", "anna"), ("delete", "bertil")]
    assert entries[1].before["filename"] == "protokoll.pdf"
    assert entries[1].before["sha256"] == hashlib.sha256(PDF).hexdigest()


async def test_a_file_on_another_action_is_not_found_through_this_one(audit):
    first = await _action(audit)
    second = await _action(audit, title="En annan åtgärd")
    item = (await _upload(audit, first, PDF)).json()
    crossed = await audit.stack.client.get(
        f"/api/audit/actions/{second['id']}/evidence/{item['id']}", headers=audit.auth("HSN:reader")
    )
    assert crossed.status_code == 404


async def test_a_response_takes_files_while_a_draft_and_keeps_them_once_decided(audit):
    answer = (await audit.respond("RS")).json()
    path = f"/api/audit/responses/{answer['id']}/evidence"
    editor = audit.stack.auth("anna", "RS:editor", name="Anna Andersson")
    added = await audit.stack.client.post(path, headers=editor, files={"file": ("underlag.pdf", PDF)})
    assert added.status_code == 201, added.text
    assert (await audit.decide(answer)).status_code == 200
    locked = await audit.stack.client.post(path, headers=editor, files={"file": ("sent.pdf", PDF)})
    assert locked.status_code == 409
    assert locked.json()["code"] == "locked"
    reader = audit.stack.auth("bo", "HSN:reader")
    listed = await audit.stack.client.get(path, headers=reader)
    assert [e["filename"] for e in listed.json()["items"]] == ["underlag.pdf"]
