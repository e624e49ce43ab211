"""Metadata filters on type, cohort, year range, topic, access, 批示 and record kind."""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()
    cohort: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    topic: str | None = None
    access: tuple[str, ...] = ()  # empty = any; a trainee gets ("public",)
    pishi: bool | None = None
    kind: str | None = None  # "chunk" | "idea"
    doc_id: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, ()) for f in fields(self))

    def matches(self, meta: dict) -> bool:
        if self.types and meta.get("type") not in self.types:
            return False
        if self.cohort and meta.get("cohort") != self.cohort:
            return False
        year = meta.get("year") or 0
        if self.year_from and year < self.year_from:
            return False
        if self.year_to and year > self.year_to:
            return False
        if self.topic and f"|{self.topic}|" not in (meta.get("topics") or ""):
            return False
        if self.access and meta.get("access") not in self.access:
            return False
        if self.pishi is not None and bool(meta.get("pishi")) != self.pishi:
            return False
        if self.kind and meta.get("kind") != self.kind:
            return False
        return not (self.doc_id and meta.get("doc_id") != self.doc_id)

    def to_chroma(self) -> dict | None:
        """The same conditions as a Chroma `where` clause."""
        clauses: list[dict] = []
        if self.types:
            clauses.append({"type": {"$in": list(self.types)}})
        if self.cohort:
            clauses.append({"cohort": self.cohort})
        if self.year_from:
            clauses.append({"year": {"$gte": self.year_from}})
        if self.year_to:
            clauses.append({"year": {"$lte": self.year_to}})
        if self.topic:
            clauses.append({f"topic:{self.topic}": True})
        if self.access:
            clauses.append({"access": {"$in": list(self.access)}})
        if self.pishi is not None:
            clauses.append({"pishi": self.pishi})
        if self.kind:
            clauses.append({"kind": self.kind})
        if self.doc_id:
            clauses.append({"doc_id": self.doc_id})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}
