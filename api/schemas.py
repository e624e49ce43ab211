"""Request and response models of the API (the OpenAPI docs at /docs come from these)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from qa.records import Citation
from index.filters import Filters
from ingest.metadata import parse_date
from kb.errors import IngestError

DocType = Literal["lecture", "case", "report"]


class FilterIn(BaseModel):
    model_config = {"extra": "forbid"}

    type: list[DocType] | None = Field(None, description="lecture | case | report")
    cohort: str | None = Field(None, max_length=50, description="班次, 如 第33期中青班")
    year_from: int | None = Field(None, ge=1949, le=2100)
    year_to: int | None = Field(None, ge=1949, le=2100)
    topic: str | None = Field(None, max_length=50)
    pishi: bool | None = Field(None, description="是否获得领导批示")

    def to_filters(self) -> Filters:
        return Filters(types=tuple(self.type or ()), cohort=self.cohort, year_from=self.year_from,
                       year_to=self.year_to, topic=self.topic, pishi=self.pishi)


class TurnIn(BaseModel):
    question: str = Field(..., max_length=2000)
    answer: str = Field("", max_length=8000)


class AskIn(BaseModel):
    model_config = {"extra": "forbid"}

    question: str = Field(..., min_length=1, max_length=2000, description="问题 (≤ KB_MAX_QUESTION_CHARS)")
    filters: FilterIn | None = None
    top_k: int | None = Field(None, ge=1, le=20)
    conversation: list[TurnIn] = Field(default_factory=list, max_length=20)
    mode: Literal["dense", "bm25", "hybrid"] | None = None
    answerer: Literal["extractive", "llm"] | None = Field(None, description="默认: 配置了大模型则用 llm")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("问题不能为空 (question is blank)")
        return value.strip()


@dataclass
class CitationOut(Citation):
    """A citation as the API returns it: the answerer's record plus the link that opens the passage."""

    url: str = ""


class AskOut(BaseModel):
    answer: str
    citations: list[CitationOut]
    refused: bool
    related: list[CitationOut]
    notice: str = ""
    evidence: float
    timings: dict[str, float]
    resolved_question: str = ""
    kind: str = ""
    unsupported: list[int] = []
    curated: dict | None = Field(None, description="教师审定答案: id, label, 对应问题, 相似度")


Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class DocumentPatch(BaseModel):
    """Metadata changes of one uploaded document; only the fields sent change ("" clears cohort or date)."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(None, min_length=1, max_length=200)
    type: DocType | None = None
    cohort: str | None = Field(None, max_length=50, description="班次, 如 第33期中青班; \"\" 清除")
    date: str | None = Field(None, max_length=20, description="如 2024-05-20 或 2024-05; \"\" 清除")
    topics: list[Topic] | None = Field(None, max_length=20)
    access: Literal["public", "internal"] | None = None
    pishi: bool | None = Field(None, description="是否获得领导批示")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("标题不能为空 (title is blank)")
        return value.strip() if value is not None else None

    @field_validator("cohort")
    @classmethod
    def _cohort(cls, value: str | None) -> str | None:
        return value.strip() if value is not None else None

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return "" if value is not None else None
        try:
            date = parse_date(value.strip(), "date")[0]
            parts = [int(p) for p in date.split("-")] + [1, 1]
            dt.date(*parts[:3])  # a real calendar day (the ingest pattern alone lets 2024-13-45 through)
        except (IngestError, ValueError) as exc:
            raise ValueError(f"日期应写成 2024-05-20 或 2024-05 (invalid date {value!r})") from exc
        return date

    @field_validator("topics")
    @classmethod
    def _topics(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None

    def changes(self) -> dict:
        return self.model_dump(exclude_none=True)
