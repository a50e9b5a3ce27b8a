"""A report document as an ordered list of sections and blocks, with no format of its own.

build.py makes it from the report's JSON; html.py, word.py and pdf.py draw it. Every text in it is
final (labels chosen, numbers formatted), so the renderers decide only how it looks: a tone says what
deviates from goal or target (red) and what meets it (green), a column's kind how it is aligned, and
its width how much of the page it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from gateway.reports.documents.charts import Chart

# A column is never narrower than this many characters, nor given room for more than this many:
# long texts wrap, short headers' words must not.
MIN_COLUMN_CHARACTERS = 4
MAX_COLUMN_CHARACTERS = 48
# About how many characters of a table's text fit across a page (A4, 2.5 cm margins, 9–10 pt).
PAGE_CHARACTERS = 90


class Tone(StrEnum):
    """How a text reads against its goal or target: in words and in colour."""

    normal = "normal"
    deviation = "deviation"
    good = "good"
    partly = "partly"
    neutral = "neutral"


class ColumnKind(StrEnum):
    text = "text"
    number = "number"  # counts, amounts, percentages: right-aligned, never wrapped


@dataclass(frozen=True)
class Cell:
    text: str
    tone: Tone = Tone.normal


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind = ColumnKind.text


@dataclass(frozen=True)
class Heading:
    """A heading below the section's own: level 2 is a subsection, 3 a part of one."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    tone: Tone = Tone.normal
    strong: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    footer: tuple[tuple[Cell, ...], ...] = ()
    # A table of label–value pairs reads down its first column: that column is a header too.
    row_headers: bool = False

    def widths(self, capacity: int = PAGE_CHARACTERS) -> tuple[float, ...]:
        """Each column's share of the table's width, fitted to what it holds.

        Every column first gets what it cannot do without: its header's longest word (a header is never
        broken inside a word: "Helårspr/ognos"), and a number column its longest figure (figures do not
        wrap). What the page has left goes to the columns whose texts would wrap, in proportion to how
        much more they would like."""
        least: list[float] = []
        wish: list[float] = []
        for index, column in enumerate(self.columns):
            cells = [len(row[index].text) for row in (*self.rows, *self.footer)]
            header_word = max((len(word) for word in column.header.split()), default=0)
            longest = min(max(cells, default=0), MAX_COLUMN_CHARACTERS)
            minimum = max(header_word, MIN_COLUMN_CHARACTERS, longest if column.kind is ColumnKind.number else 0)
            least.append(minimum + 1)
            wish.append(max(minimum, longest) + 1)
        if sum(wish) <= capacity or sum(least) >= capacity:
            chosen = wish if sum(wish) <= capacity else least
        else:
            room = capacity - sum(least)
            extra = sum(w - m for w, m in zip(wish, least, strict=True))
            chosen = [m + room * (w - m) / extra for w, m in zip(wish, least, strict=True)]
        total = sum(chosen)
        return tuple(width / total for width in chosen)


@dataclass(frozen=True)
class BulletList:
    items: tuple[Paragraph, ...]


@dataclass(frozen=True)
class Figure:
    """A chart, numbered in the order the document shows it; its alt text and caption come with it."""

    chart: Chart
    number: int
    caption: str


@dataclass(frozen=True)
class Note:
    """A boxed note: that the report is a draft, or which sections have nothing for the period."""

    title: str
    lines: tuple[str, ...]
    tone: Tone = Tone.normal


Block = Heading | Paragraph | Table | BulletList | Figure | Note


@dataclass(frozen=True)
class Section:
    """One chapter of the report: its key (from the JSON), its title, the date it speaks for."""

    key: str
    title: str
    blocks: tuple[Block, ...]
    as_of: str | None = None


@dataclass(frozen=True)
class Document:
    language: str  # the language tag: sv-SE, en-GB
    title: str  # 'Delårsrapport 2 2022'
    region: str  # who publishes it: the region, or the unit the report is for
    period: str  # 'januari–augusti 2022'
    as_of: str
    subtitle: str
    notes: tuple[Note, ...]
    sections: tuple[Section, ...]
    labels: dict[str, str] = field(default_factory=dict)
    created: str = ""  # ISO date-time the report was put together

    def figures(self) -> Sequence[Figure]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Figure)]
