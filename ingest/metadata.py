"""Document metadata: front matter, a `<file>.meta.yaml` sidecar, or the file's own properties."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.safeyaml import load_mapping
from kb.errors import IngestError, clip

TYPES = ("lecture", "case", "report")
ACCESS = ("public", "internal")
TYPE_LABELS = {"lecture": "讲稿", "case": "案例", "report": "调研报告"}
_FOLDER_TYPES = {"lectures": "lecture", "lecture": "lecture", "cases": "case", "case": "case",
                 "reports": "report", "report": "report"}
_DATE = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2}))?(?:[-/.月](\d{1,2}))?日?$")


@dataclass(frozen=True)
class DocMeta:
    title: str
    type: str
    category: str = ""
    author: str = ""
    cohort: str = ""
    group: str = ""
    date: str = ""
    year: int = 0
    topics: tuple[str, ...] = ()
    access: str = "public"
    pishi: bool = False
    pishi_note: str = ""
    origin: str = ""  # 来源: where a saved article was published (学习时报)
    inferred: tuple[str, ...] = ()  # fields guessed from the text or folder, not given by the file or sidecar
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (a scan has no text layer)
    ocr_confidence: float = 0.0  # tesseract's mean word confidence over those pages, 0–100
    ideas_stated: int = 0  # "提出了31条对策建议": the count a report states, checked against the ideas found

    def flat(self) -> dict:
        """Chroma-safe metadata (str/int/bool only): topics as '|a|b|' plus one `topic:<name>` flag each."""
        data = asdict(self)
        data["inferred"] = "|" + "|".join(self.inferred) + "|" if self.inferred else ""
        data["ocr_pages"] = ",".join(map(str, self.ocr_pages))
        data["topics"] = "|" + "|".join(self.topics) + "|" if self.topics else ""
        data.update({f"topic:{topic}": True for topic in self.topics})  # exact-match filter key per topic
        return data


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.yaml")


def read_sidecar(path: Path, name: str) -> dict:
    side = sidecar_path(path)
    if not side.exists():
        return {}
    try:
        text = side.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(name, f"元数据文件 {side.name} 不是 UTF-8 编码 (sidecar is not UTF-8): 请另存为 UTF-8") from exc
    return load_mapping(text, name=name, what=f"元数据文件 {clip(side.name)} (sidecar) ")


INFERABLE = ("title", "type", "date", "author", "origin")


def build_meta(raw: dict, *, name: str, rel_path: str, first_heading: str | None,
               guessed: dict | None = None, extraction: dict | None = None) -> DocMeta:
    """Validate raw metadata; a wrong value is an IngestError naming the field and the fix.

    `guessed` (values read from the text) fills what `raw` lacks, and every field not given by `raw`
    is listed in `inferred`; a title from the first heading or the file name, and a type from the
    folder (default lecture, 讲稿) count as inferred too. `extraction` carries ocr_pages/ocr_confidence.
    """
    guessed = {k: v for k, v in (guessed or {}).items() if k in INFERABLE and v and not raw.get(k)}
    inferred = tuple(k for k in INFERABLE if k in guessed or (k in ("title", "type") and not raw.get(k)))
    raw = {**raw, **guessed}
    extraction = extraction or {}
    title = str(raw.get("title") or first_heading or Path(rel_path).stem).strip()
    doc_type = str(raw.get("type") or _type_from_path(rel_path)).strip().lower()
    if doc_type not in TYPES:
        raise IngestError(name, f"元数据 type={clip(doc_type)!r} 无效 (invalid type): 应为 {' | '.join(TYPES)}")
    access = str(raw.get("access") or "public").strip().lower()
    if access not in ACCESS:
        raise IngestError(name, f"元数据 access={clip(access)!r} 无效 (invalid access): 应为 public 或 internal")
    date, year = parse_date(raw.get("date"), name)
    topics = raw.get("topics") or []
    if isinstance(topics, str):
        topics = re.split(r"[,，、;；|\s]+", topics)
    if not isinstance(topics, list):
        raise IngestError(name, "元数据 topics 应为列表 (topics must be a list), 如 [乡村振兴, 产业发展]")
    pishi = raw.get("pishi", False)
    if isinstance(pishi, str):
        pishi = pishi.strip().lower() in {"true", "yes", "1", "是", "有"}
    return DocMeta(
        title=title,
        type=doc_type,
        category=str(raw.get("category") or ""),
        author=str(raw.get("author") or ""),
        cohort=str(raw.get("cohort") or ""),
        group=str(raw.get("group") or ""),
        date=date,
        year=year,
        topics=tuple(str(t).strip() for t in topics if str(t).strip()),
        access=access,
        pishi=bool(pishi),
        pishi_note=str(raw.get("pishi_note") or ""),
        origin=str(raw.get("origin") or ""),
        inferred=inferred,
        ocr_pages=tuple(int(n) for n in extraction.get("ocr_pages") or ()),
        ocr_confidence=float(extraction.get("ocr_confidence") or 0.0),
    )


def _type_from_path(rel_path: str) -> str:
    for part in Path(rel_path).parts[:-1]:
        if part.lower() in _FOLDER_TYPES:
            return _FOLDER_TYPES[part.lower()]
    return "lecture"


def parse_date(value, name: str) -> tuple[str, int]:
    if value in (None, ""):
        return "", 0
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%Y-%m-%d"), value.year
    match = _DATE.match(str(value).strip())
    if not match:
        raise IngestError(name, f"元数据 date={clip(value)!r} 无效 (invalid date): 应写成 2024-05-20")
    year, month, day = match.groups()
    parts = [year] + [f"{int(p):02d}" for p in (month, day) if p]
    return "-".join(parts), int(year)
