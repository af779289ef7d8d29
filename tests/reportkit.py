"""Reading the report's HTML back in tests: its tables by caption, its verdicts."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """The tables (caption -> rows of cell text, header first), the verdict lines and
    each chart's declared marks."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.verdicts: list[str] = []
        self.marks: dict[str, int] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._in: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag == "caption":
            self._caption = ""
        elif tag == "figure" and found.get("data-chart"):
            self.marks[str(found["data-chart"])] = int(found["data-marks"] or 0)
        elif tag == "li":
            self.verdicts.append("")
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._rows is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption or ""] = self._rows
            self._rows = None
        if self._in:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in and self._in[-1] == "caption" and self._caption is not None:
            self._caption += data
        if "li" in self._in and self.verdicts:
            self.verdicts[-1] += data
