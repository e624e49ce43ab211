"""A per-file parse budget: wall clock, units of work and characters, checked while a loader iterates.

A 9.7 KB .docx holding a million empty paragraphs took 43 s to fail (issue 10, #2). Loaders call
`step()` once per paragraph, line or page, empty ones included, so such a file fails in well under a
second, and a file that is merely slow fails at the deadline instead of holding the ingest lock.
"""
from __future__ import annotations

import time

from kb.errors import IngestError

PARSE_SECONDS = 30.0  # a 300-page document loads in ~3 s on one core; ten times that is not a document
MAX_UNITS = 100_000  # paragraphs, lines or pages; a 2-million-character document has ~40,000 paragraphs


class ParseBudget:
    """Counts one file's work; `step` raises IngestError naming the file once any bound is passed."""

    def __init__(self, name: str, *, max_chars: int, seconds: float | None = None,
                 max_units: int | None = None) -> None:
        self.name = name
        self.seconds = PARSE_SECONDS if seconds is None else seconds
        self.max_units = MAX_UNITS if max_units is None else max_units
        self.max_chars = max_chars
        self.deadline = time.monotonic() + self.seconds
        self.units = 0
        self.chars = 0

    def step(self, chars: int = 0) -> None:
        self.units += 1
        self.chars += chars
        if self.units > self.max_units:
            raise IngestError(self.name, f"段落或行数过多 (超过 {self.max_units}) (too many paragraphs/lines): "
                                         "请删除空段落或拆分成多个文件后重新上传")
        if self.chars > self.max_chars:
            raise IngestError(self.name, f"文本过长 (超过 {self.max_chars} 字)，请拆分成多个文件后导入 (document too long)")
        if (self.units & 63) == 0 or chars > 10_000:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise IngestError(self.name, f"解析超时 (超过 {self.seconds:.0f} 秒) (parse time budget exceeded): "
                                         "文件结构异常，请另存为新文件或拆分后重新上传")
