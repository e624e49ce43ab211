"""Tables (DOCX, PDF, slides) as one line per row, each cell beside its column name: "指标：值；指标：值"."""
from __future__ import annotations

from ingest.cleaning import clean_line

MAX_CELL_CHARS = 400  # a cell longer than this is a paragraph laid out in a box, not a value


def table_lines(rows: list[list[str]]) -> list[str]:
    """Lines for a table given as rows of cell texts; the first row with two filled cells names the columns.

    A retrieved row then carries its own headings, so a question about one cell ("2023年补偿资金") finds
    the row that answers it. A table of one column or one row is a layout box: its cells come back as lines.
    """
    rows = [[clean_line(cell.replace("\n", " ")) for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    width = max((len(row) for row in rows), default=0)
    if width < 2 or len(rows) < 2 or any(len(cell) > MAX_CELL_CHARS for row in rows for cell in row):
        return _dedupe([cell for row in rows for cell in row if cell])
    header, body = rows[0], rows[1:]
    names = [name or (f"第{i + 1}列" if i else "") for i, name in enumerate(header + [""] * (width - len(header)))]
    lines = []
    for row in body:
        pairs, seen = [], set()
        for name, value in zip(names, row):
            if not value or (name, value) in seen:  # a merged cell repeats its value in every column it spans
                continue
            seen.add((name, value))
            pairs.append(f"{name}：{value}" if name and name != value else value)
        if pairs:
            lines.append("；".join(pairs))
    return lines


def _dedupe(cells: list[str]) -> list[str]:
    out: list[str] = []
    for cell in cells:
        if not out or out[-1] != cell:
            out.append(cell)
    return out
