"""Text files as Swedish offices save them: UTF-8 with or without a BOM, or Windows-1252 from Excel."""

import io

import pytest

from shared.textfiles import UTF8, WINDOWS_1252, NotText, decode, encoding_of, lines_of, note_on

SWEDISH = "enhet\tdatum\tmått\tvärde\nHSN\t2024-01-31\tVäntetid för åtgärd\t71,4\n"


def test_utf8_split_inside_a_letter_between_chunks_is_still_utf8():
    data = SWEDISH.encode("utf-8")
    cut = data.index("å".encode()) + 1  # between the two bytes of å
    assert encoding_of([data[:cut], data[cut:]]) == UTF8
    assert note_on(UTF8) is None


def test_a_byte_order_mark_is_dropped():
    assert decode(b"\xef\xbb\xbf" + SWEDISH.encode("utf-8")) == (SWEDISH, UTF8)


def test_excels_swedish_text_is_read_as_windows_1252_and_noted():
    text, encoding = decode(SWEDISH.encode("cp1252"))
    assert (text, encoding) == (SWEDISH, WINDOWS_1252)
    assert "Windows-1252" in (note_on(encoding) or "")
    assert list(lines_of(io.BytesIO(SWEDISH.encode("cp1252")), encoding)) == SWEDISH.splitlines(keepends=True)


@pytest.mark.parametrize("undefined", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_a_byte_windows_1252_does_not_define_refuses_the_file_with_its_place(undefined):
    with pytest.raises(NotText) as refused:
        decode(b"HSN\t" + undefined)
    assert refused.value.status == 422
    assert (
        refused.value.detail == f"Byte {undefined[0]:#04x} at offset 4 is a character of neither UTF-8 nor Windows-1252"
    )
    with pytest.raises(NotText):
        list(lines_of(io.BytesIO(b"HSN\n" + undefined), WINDOWS_1252))
