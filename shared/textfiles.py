"""Text files as Swedish offices save them: UTF-8 (with or without a byte-order mark) or Windows-1252.

Excel in Swedish saves "Text (tab-separated)" and CSV in Windows-1252, so å, ä and ö arrive as single
bytes that are not UTF-8. A file that decodes as UTF-8 is UTF-8 (Windows-1252 text with any letter
beyond ASCII almost never does); any other is read as Windows-1252, and the import says so in its
notes. A byte that is neither (five of Windows-1252's are undefined) refuses the file with its place.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from shared.errors import Unprocessable

UTF8 = "utf-8-sig"
WINDOWS_1252 = "cp1252"
READ_AS_WINDOWS_1252 = "The file is not UTF-8 and was read as Windows-1252 (Excel's Swedish text format)"
CHUNK = 1 << 20


class NotText(Unprocessable):
    code = "not-text"
    title = "The file is neither UTF-8 nor Windows-1252 text"


def encoding_of(chunks: Iterable[bytes]) -> str:
    """UTF-8 if every chunk decodes as UTF-8, else Windows-1252: one pass, no copy of the text kept."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return WINDOWS_1252
    return UTF8


def note_on(encoding: str) -> str | None:
    """What an import's report says of the encoding: nothing for UTF-8, the expected case."""
    return READ_AS_WINDOWS_1252 if encoding == WINDOWS_1252 else None


def encoding_of_file(path: Path) -> str:
    with path.open("rb") as raw:
        return encoding_of(iter(lambda: raw.read(CHUNK), b""))


def decode(data: bytes) -> tuple[str, str]:
    """The text of a whole body and the encoding it was read in."""
    encoding = encoding_of([data])
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise _not_text(exc) from exc


def lines_of(raw: IO[bytes], encoding: str) -> Iterator[str]:
    """The lines of a binary stream in `encoding`, decoded as they are read (line ends kept as written)."""
    try:
        yield from io.TextIOWrapper(raw, encoding=encoding, newline="")
    except UnicodeDecodeError as exc:
        raise _not_text(exc, where="") from exc


def _not_text(exc: UnicodeDecodeError, where: str | None = None) -> NotText:
    place = f" at offset {exc.start}" if where is None else where
    return NotText(f"Byte {exc.object[exc.start]:#04x}{place} is a character of neither UTF-8 nor Windows-1252")
