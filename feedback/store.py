"""Feedback items and curated answers, kept in one SQLite file in the data directory (stdlib sqlite3, WAL).

A feedback item is what a trainee saw and said: the question, the answer text, its citations and closest
passages (doc ids, chunk ids, quotes), the role, the time, the verdict (有用 / 没用) and an optional comment.
A teacher's review adds the passages that should have answered (with a snapshot of their text, so an export
never depends on the index), an expected answer or key points, or "资料中没有答案".

A curated answer (教师审定答案) is a question with a teacher's answer text and its cited passages; each citation
keeps a fingerprint of the passage's text and metadata when it was pinned (feedback.curated checks it).
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_COMMENT = 500
MAX_ANSWER = 8000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    role TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL DEFAULT 0,
    citations TEXT NOT NULL,
    related TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('up', 'down')),
    comment TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'reviewed')),
    review TEXT,
    reviewed REAL
);
CREATE INDEX IF NOT EXISTS feedback_status ON feedback (status, id);
CREATE TABLE IF NOT EXISTS curated (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    feedback_id INTEGER,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'flagged')),
    flag_reason TEXT NOT NULL DEFAULT '',
    flagged REAL
);
"""


@dataclass(frozen=True)
class Review:
    """A teacher's verdict on one feedback item."""

    gold: list[dict] = field(default_factory=list)  # {chunk_id, doc_id, title, section, type, text}
    expected_answer: str = ""
    key_points: list[str] = field(default_factory=list)
    unanswerable: bool = False
    note: str = ""


@dataclass
class FeedbackItem:
    id: int
    created: float
    role: str
    question: str
    answer: str
    refused: bool
    citations: list[dict]
    related: list[dict]
    verdict: str
    comment: str
    status: str = "new"
    review: Review | None = None
    reviewed: float | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["verdict_label"] = "有用" if self.verdict == "up" else "没用"
        return data


@dataclass
class Curated:
    id: int
    created: float
    question: str
    answer: str
    citations: list[dict]  # {n, chunk_id, doc_id, title, section, quote, fingerprint}
    feedback_id: int | None = None
    status: str = "active"
    flag_reason: str = ""
    flagged: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class FeedbackStore:
    """The SQLite file; one connection per thread (sqlite3 objects stay in the thread that made them)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._db() as db:
            db.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")  # readers never wait on a writer; a crash loses no commit
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    # feedback
    def add(self, *, role: str, question: str, answer: str, refused: bool, citations: list[dict],
            related: list[dict], verdict: str, comment: str = "") -> FeedbackItem:
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO feedback (created, role, question, answer, refused, citations, related, verdict, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), role, question, answer[:MAX_ANSWER], int(refused), _dump(citations), _dump(related),
                 verdict, comment[:MAX_COMMENT]))
        return self.get(cur.lastrowid)

    def get(self, item_id: int) -> FeedbackItem | None:
        row = self._db().execute("SELECT * FROM feedback WHERE id = ?", (item_id,)).fetchone()
        return _item(row) if row else None

    def items(self, *, status: str | None = None, verdict: str | None = None, limit: int = 100,
              offset: int = 0) -> tuple[list[FeedbackItem], int]:
        where, args = [], []
        if status:
            where.append("status = ?")
            args.append(status)
        if verdict:
            where.append("verdict = ?")
            args.append(verdict)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        db = self._db()
        total = db.execute(f"SELECT count(*) FROM feedback{clause}", args).fetchone()[0]
        rows = db.execute(f"SELECT * FROM feedback{clause} ORDER BY id DESC LIMIT ? OFFSET ?",
                          [*args, limit, offset]).fetchall()
        return [_item(r) for r in rows], total

    def counts(self) -> dict:
        rows = self._db().execute("SELECT status, verdict, count(*) FROM feedback GROUP BY status, verdict").fetchall()
        out = {"new": 0, "reviewed": 0, "up": 0, "down": 0}
        for status, verdict, n in rows:
            out[status] += n
            out[verdict] += n
        return out

    def review(self, item_id: int, review: Review) -> FeedbackItem | None:
        with self._db() as db:
            cur = db.execute("UPDATE feedback SET status = 'reviewed', review = ?, reviewed = ? WHERE id = ?",
                             (_dump(asdict(review)), time.time(), item_id))
        return self.get(item_id) if cur.rowcount else None

    def reviewed(self) -> list[FeedbackItem]:
        rows = self._db().execute("SELECT * FROM feedback WHERE status = 'reviewed' ORDER BY id").fetchall()
        return [_item(r) for r in rows]

    # curated answers
    def pin(self, *, question: str, answer: str, citations: list[dict], feedback_id: int | None = None) -> Curated:
        with self._db() as db:
            cur = db.execute("INSERT INTO curated (created, question, answer, citations, feedback_id) VALUES (?, ?, ?, ?, ?)",
                             (time.time(), question, answer, _dump(citations), feedback_id))
        return self.curated(cur.lastrowid)

    def curated(self, curated_id: int) -> Curated | None:
        row = self._db().execute("SELECT * FROM curated WHERE id = ?", (curated_id,)).fetchone()
        return _curated(row) if row else None

    def all_curated(self, *, status: str | None = None) -> list[Curated]:
        if status:
            rows = self._db().execute("SELECT * FROM curated WHERE status = ? ORDER BY id", (status,)).fetchall()
        else:
            rows = self._db().execute("SELECT * FROM curated ORDER BY id").fetchall()
        return [_curated(r) for r in rows]

    def flag(self, curated_id: int, reason: str) -> None:
        with self._db() as db:
            db.execute("UPDATE curated SET status = 'flagged', flag_reason = ?, flagged = ? "
                       "WHERE id = ? AND status = 'active'", (reason, time.time(), curated_id))

    def confirm(self, curated_id: int, citations: list[dict]) -> Curated | None:
        """A teacher checked a flagged answer against the changed documents: served again, new fingerprints."""
        with self._db() as db:
            cur = db.execute("UPDATE curated SET status = 'active', flag_reason = '', flagged = NULL, citations = ? "
                             "WHERE id = ?", (_dump(citations), curated_id))
        return self.curated(curated_id) if cur.rowcount else None

    def unpin(self, curated_id: int) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM curated WHERE id = ?", (curated_id,)).rowcount > 0


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _item(row: sqlite3.Row) -> FeedbackItem:
    review = json.loads(row["review"]) if row["review"] else None
    return FeedbackItem(
        id=row["id"], created=row["created"], role=row["role"], question=row["question"], answer=row["answer"],
        refused=bool(row["refused"]), citations=json.loads(row["citations"]), related=json.loads(row["related"]),
        verdict=row["verdict"], comment=row["comment"], status=row["status"],
        review=Review(**review) if review else None, reviewed=row["reviewed"])


def _curated(row: sqlite3.Row) -> Curated:
    return Curated(id=row["id"], created=row["created"], question=row["question"], answer=row["answer"],
                   citations=json.loads(row["citations"]), feedback_id=row["feedback_id"], status=row["status"],
                   flag_reason=row["flag_reason"], flagged=row["flagged"])
