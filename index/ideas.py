"""The 金点子 library: idea records of the keyword index as `Idea`s, filtered lists, and 批示 rates by group.

Every function takes records of a role's view of the index (KnowledgeBase.keyword_index(role)), so what a
trainee is listed, counted or exported is what Role.can_see lets through.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from index.filters import Filters

GROUPS = ("topic", "cohort", "year")
_EMPHASIS = re.compile(r"\*\*|__")
_NUMBER = re.compile(r"^\s*\d{1,2}[.、．)]\s*")


def plain_text(text: str) -> str:
    """An idea as a reader sees it: without its number and Markdown emphasis (what novelty compares)."""
    return _NUMBER.sub("", _EMPHASIS.sub("", text)).strip()


@dataclass(frozen=True)
class Idea:
    """One 金点子 with what its report says about it."""

    chunk_id: str
    doc_id: str
    idea_no: int
    title: str  # the idea's own title (text before its colon), may be ""
    text: str  # the idea without its number and emphasis marks
    report: str  # the report's title
    cohort: str
    date: str
    year: int
    topics: tuple[str, ...]
    pishi: bool
    pishi_note: str
    access: str
    start: int
    end: int

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict) -> "Idea":
        return cls(
            chunk_id=chunk_id, doc_id=meta.get("doc_id", ""), idea_no=int(meta.get("idea_no") or 0),
            title=_EMPHASIS.sub("", meta.get("idea_title") or "").strip(),
            text=plain_text(text), report=meta.get("title", ""),
            cohort=meta.get("cohort") or "", date=meta.get("date") or "", year=int(meta.get("year") or 0),
            topics=tuple(t for t in (meta.get("topics") or "").split("|") if t), pishi=bool(meta.get("pishi")),
            pishi_note=meta.get("pishi_note") or "", access=meta.get("access") or "",
            start=int(meta.get("start") or 0), end=int(meta.get("end") or 0),
        )

    @property
    def url(self) -> str:
        return f"/documents/{self.doc_id}#c={self.start}-{self.end}"

    def to_json(self) -> dict:
        return {"chunk_id": self.chunk_id, "doc_id": self.doc_id, "idea_no": self.idea_no, "idea_title": self.title,
                "text": self.text, "report": self.report, "cohort": self.cohort, "date": self.date,
                "year": self.year or None, "topics": list(self.topics), "pishi": self.pishi,
                "pishi_note": self.pishi_note, "access": self.access, "url": self.url}


def all_ideas(records: Iterable, *, filters: Filters | None = None) -> list[Idea]:
    """The idea records that match `filters`, newest report first, then in the report's order."""
    filters = filters or Filters()
    ideas = [Idea.from_record(r.chunk_id, r.text, r.meta) for r in records
             if r.meta.get("kind") == "idea" and filters.matches(r.meta)]
    ideas.sort(key=lambda i: i.idea_no)
    ideas.sort(key=lambda i: (i.date, i.report), reverse=True)  # stable: idea order kept within a report
    return ideas


def finder(keyword, can_see: Callable[[dict], bool]) -> Callable[[str], "Idea | None"]:
    """chunk id → the Idea it stands for, when `keyword` (a published index or role view) serves it, it is an idea
    and can_see lets it through; else None."""
    def find(chunk_id: str) -> Idea | None:
        index = keyword.by_id.get(chunk_id)
        if index is None:
            return None
        record = keyword.records[index]
        if record.meta.get("kind") != "idea" or not can_see(record.meta):
            return None
        return Idea.from_record(record.chunk_id, record.text, record.meta)
    return find


def reports(ideas: Iterable[Idea]) -> list[dict]:
    """The reports the ideas come from (first-seen order), with how many ideas each has."""
    seen: dict[str, dict] = {}
    for idea in ideas:
        entry = seen.setdefault(idea.doc_id, {"doc_id": idea.doc_id, "title": idea.report, "cohort": idea.cohort,
                                              "date": idea.date, "year": idea.year or None, "pishi": idea.pishi,
                                              "access": idea.access, "ideas": 0})
        entry["ideas"] += 1
    return list(seen.values())


def rate_table(ideas: Iterable[Idea], by: str) -> list[dict]:
    """Ideas per topic, cohort or year with the share whose report drew a 批示 (an idea counts under each of its
    report's topics). Largest groups first; years in order."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {GROUPS}")
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for idea in ideas:
        keys = idea.topics if by == "topic" else (idea.cohort or "（未注明）",) if by == "cohort" else \
            (str(idea.year) if idea.year else "（未注明）",)
        for key in keys:
            counts[key][0] += 1
            counts[key][1] += idea.pishi
    rows = [{"key": key, "ideas": n, "with_pishi": p, "rate": round(p / n, 4)} for key, (n, p) in counts.items()]
    if by == "year":
        return sorted(rows, key=lambda r: r["key"])
    return sorted(rows, key=lambda r: (-r["ideas"], r["key"]))


def summary(ideas: list[Idea]) -> dict:
    """Totals and the three rate tables."""
    with_pishi = sum(i.pishi for i in ideas)
    return {"ideas": len(ideas), "reports": len({i.doc_id for i in ideas}), "with_pishi": with_pishi,
            "rate": round(with_pishi / len(ideas), 4) if ideas else 0.0,
            **{by: rate_table(ideas, by) for by in GROUPS}}
