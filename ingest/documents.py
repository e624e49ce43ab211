"""A corpus file turned into a cleaned document and its chunk and golden-idea records."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ingest.chunking import Span, chunk_spans
from ingest.ideas import idea_spans, stated_count
from ingest.loaders import load_file
from ingest.metadata import DocMeta, build_meta, read_sidecar
from ingest.sentences import sentence_spans
from ingest.structure import Heading, assemble
from kb.errors import IngestError


@dataclass(frozen=True)
class Chunk:
    """One retrievable record: a passage of a document or one 金点子 of a report."""

    chunk_id: str
    doc_id: str
    ordinal: int
    kind: str  # "chunk" | "idea"
    text: str
    start: int
    end: int
    section: str
    page: int | None
    idea_no: int = 0
    idea_title: str = ""

    def embed_text(self, title: str) -> str:
        """What the embedder sees: the passage headed by its title and section."""
        head = f"{title}｜{self.section}" if self.section else title
        return f"{head}\n{self.text}"


@dataclass
class Document:
    doc_id: str
    source: str  # path relative to the ingested folder, for display
    meta: DocMeta
    text: str
    headings: list[Heading]
    pages: list[tuple[int, int]]
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["meta"]["topics"] = list(self.meta.topics)
        data["meta"]["inferred"] = list(self.meta.inferred)
        data["meta"]["ocr_pages"] = list(self.meta.ocr_pages)
        return data

    def chunk_metadata(self, chunk: Chunk) -> dict:
        """Flat metadata of one record, as stored in Chroma and the keyword index."""
        return {
            **self.meta.flat(),
            "doc_id": self.doc_id,
            "source": self.source,
            "kind": chunk.kind,
            "ordinal": chunk.ordinal,
            "section": chunk.section,
            "page": chunk.page or 0,
            "start": chunk.start,
            "end": chunk.end,
            "idea_no": chunk.idea_no,
            "idea_title": chunk.idea_title,
        }

    def reading_notes(self) -> list[str]:
        """Metadata guessed rather than given (OCR'd pages are reported by the loader's warnings)."""
        if not self.meta.inferred:
            return []
        values = "，".join(f"{INFERRED_LABELS.get(f, f)}={getattr(self.meta, f)}" for f in self.meta.inferred)
        return [f"元数据为推断 (inferred, not given by the file): {values}；可在 {Path(self.source).name}.meta.yaml 中更正"]

    def sentence_spans(self) -> list[tuple[int, int]]:
        """Every sentence of the cleaned text (a line break ends one): what the answer layer scores."""
        return [(s, e) for s, e in sentence_spans(self.text) if e - s >= 2]

    @classmethod
    def from_json(cls, data: dict) -> "Document":
        meta = dict(data["meta"])
        for key in ("topics", "inferred", "ocr_pages"):  # lists in JSON, tuples in the frozen record
            meta[key] = tuple(meta.get(key) or ())
        return cls(
            doc_id=data["doc_id"], source=data["source"], meta=DocMeta(**meta), text=data["text"],
            headings=[Heading(**h) for h in data["headings"]],
            pages=[tuple(p) for p in data["pages"]],
            chunks=[Chunk(**c) for c in data["chunks"]],
            warnings=list(data.get("warnings") or []),
        )


INFERRED_LABELS = {"title": "标题 title", "type": "类型 type", "date": "日期 date", "author": "作者 author",
                   "origin": "来源 origin"}


def doc_id_for(key: str, *, secret: bytes) -> str:
    """Stable id of a file (16 hex digits, used in Chroma, BM25 and URLs): its manifest key keyed with the data
    directory's secret, so that an id cannot be derived from a path."""
    return hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def build_document(
    path: Path,
    *,
    doc_id: str,
    source: str,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    overlap: int,
) -> Document:
    """Load, clean, structure and split one file (raises IngestError for a bad file)."""
    loaded = load_file(path, name=source)
    side = read_sidecar(path, source)
    defaults = side.pop("defaults", None) or {}  # an upload's fallbacks: below the file's own front matter
    if not isinstance(defaults, dict):
        raise IngestError(source, "元数据文件中 defaults 应为 key: value 形式 (sidecar defaults must be a mapping)")
    raw_meta = {**defaults, **loaded.meta, **side}
    structured = assemble(loaded.blocks)
    first = next((h.title for h in structured.headings if h.level == 1), None)
    meta = build_meta(raw_meta, name=source, rel_path=source, first_heading=first,
                      guessed=loaded.inferred, extraction=loaded.extraction)
    doc = Document(
        doc_id=doc_id, source=source, meta=meta, text=structured.text,
        headings=structured.headings, pages=structured.pages, warnings=loaded.warnings,
    )

    def budget(section: str) -> int:
        # title and section head every embedded passage; keep room for them and the special tokens
        return max(32, max_tokens - count_tokens(f"{meta.title}｜{section}") - 4)

    spans = chunk_spans(structured, count_tokens=count_tokens, max_tokens=budget(_longest_section(structured)), overlap=overlap)
    records = [_record(doc, i, "chunk", span) for i, span in enumerate(spans)]
    if meta.type == "report":
        stated = stated_count(structured.text)
        ideas = idea_spans(structured, stated=stated)
        records += [_record(doc, len(records) + i, "idea", span) for i, span in enumerate(ideas)]
        if stated:
            doc.meta = meta = replace(meta, ideas_stated=stated)
            if stated != len(ideas):
                doc.warnings.append(f"报告称提出 {stated} 条建议，识别出 {len(ideas)} 条 (stated {stated} proposals, "
                                    f"found {len(ideas)})：请检查建议的编号格式（如 1．/（一）/建议一：）")
    doc.chunks = records
    return doc


def _longest_section(structured) -> str:
    return max((structured.section_path(h.start) for h in structured.headings), key=len, default="")


def _record(doc: Document, ordinal: int, kind: str, span: Span) -> Chunk:
    suffix = f"idea{span.idea_no}-{ordinal}" if kind == "idea" else str(ordinal)
    return Chunk(
        chunk_id=f"{doc.doc_id}:{suffix}", doc_id=doc.doc_id, ordinal=ordinal, kind=kind,
        text=doc.text[span.start:span.end], start=span.start, end=span.end,
        section=span.section, page=span.page, idea_no=span.idea_no, idea_title=span.idea_title,
    )
