"""Records passed from the answer layer to the API, the CLI and the eval: citations, answers, stream events."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from index.retrieval import Hit

REFUSAL = "资料中未找到能够回答这个问题的内容。以下是最接近的段落，供参考。"


@dataclass
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    title: str
    type: str
    section: str
    page: int | None
    start: int
    end: int
    snippet: str
    kind: str = "chunk"
    quote: str = ""  # the sentence of the passage the answer rests on
    quote_start: int = 0  # its offsets in the cleaned document (0, 0 when there is no quote)
    quote_end: int = 0

    @classmethod
    def from_hit(cls, n: int, hit: Hit, quote: str = "") -> "Citation":
        m = hit.meta
        start = int(m.get("start", 0))
        at = hit.text.find(quote) if quote else -1
        return cls(n=n, chunk_id=hit.chunk_id, doc_id=m.get("doc_id", ""), title=m.get("title", ""),
                   type=m.get("type", ""), section=m.get("section", ""), page=m.get("page") or None,
                   start=start, end=int(m.get("end", 0)), snippet=hit.text[:240],
                   kind=m.get("kind", "chunk"), quote=quote,
                   quote_start=start + at if at >= 0 else 0, quote_end=start + at + len(quote) if at >= 0 else 0)


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    refused: bool
    related: list[Citation] = field(default_factory=list)  # closest passages (shown on refusal too)
    notice: str = ""
    timings: dict = field(default_factory=dict)
    evidence: float = 0.0
    resolved_question: str = ""  # a follow-up made self-contained, when it was rewritten
    kind: str = ""  # the question kind the answer was composed for (qa.question.KINDS)
    unsupported: list[int] = field(default_factory=list)  # sentence numbers an LLM wrote without support
    curated: dict | None = None  # a teacher's curated answer (教师审定): its id, label, pinned question, similarity

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Stage:
    """A step of answering, shown while it runs (检索中… → 找到 N 段资料)."""

    name: str  # "retrieve" | "found" | "compose" | "generate"
    message: str
    count: int = 0


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Reset:
    """The streamed text is replaced (the LLM failed and the extractive answer stands in)."""

    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


Event = Stage | Token | Reset | Final
