"""The one question path used by the API, the CLI and the eval harness: resolve, retrieve, answer.

`ask_stream` yields typed events (qa.records): Stage while retrieving and composing, Token pieces of the
answer, Reset when an LLM failed and the extractive answer replaces the streamed text, then Final.
"""
from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import prompts
from index.access import Role
from index.filters import Filters
from index.kbindex import KnowledgeBase
from index.relevance import lexical_floor
from index.retrieval import SearchResult
from index.tokenize import tagged, tokenizer
from kb.errors import LLMUnavailable
from qa.bridge import EnglishBridge, bridged_query
from qa.extractive import ExtractiveAnswerer
from qa.question import analyse
from qa.llm import make_llm
from qa.llm_answering import LLMAnswerer
from qa.records import Answer, Event, Final, Reset, Stage, Token
from qa.scoring import AnswerModel, load_model
from qa.spelling import notice as spelling_notice, passage_texts, speller_for
from qa.units import DocCache

_FOLLOWUP = re.compile(r"^(那|那么|还有|另外|再|它|其|这个|这些|该|上述|第[一二三四五六七八九十\d]+[条点项个])")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TOKEN_PIECE = re.compile(r"\[\d+\]|[^\[]{1,12}|\[", re.S)


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str = ""


def is_followup(question: str) -> bool:
    q = question.strip()
    return bool(_FOLLOWUP.match(q)) or (len(q) <= 8 and q.endswith(("呢", "呢？", "呢?")))


def resolve_question(question: str, conversation: list[Turn] | None, llm=None, *, max_chars: int = 500) -> str:
    """A follow-up made self-contained: rewritten by the LLM, or else given the previous question's context.
    The result is at most max_chars long (or the question itself, if that is longer)."""
    if not conversation or not is_followup(question):
        return question
    if llm is not None:
        history = "\n".join(f"学员：{t.question}\n助手：{t.answer[:200]}" for t in conversation[-3:])
        prompt = prompts.load("rewrite").format(history=history, question=question)
        try:
            rewritten = "".join(llm.stream([{"role": "user", "content": prompt}], max_tokens=80)).strip()
            rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
            if 2 <= len(rewritten) <= min(200, max_chars):
                return rewritten
        except LLMUnavailable:
            pass
    room = max_chars - len(question) - 1
    return f"{conversation[-1].question[:room]} {question}" if room > 0 else question


class FairSlots:
    """At most n holders at once; the rest are served strictly in arrival order. A released slot is handed to
    the longest waiter, so a thread that just arrived cannot take it first (threading.Semaphore lets it: under
    load some questions then wait several times as long as the rest)."""

    def __init__(self, n: int) -> None:
        self._free = n
        self._waiting: deque[threading.Event] = deque()
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()

    def __exit__(self, *exc) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # handed over: the slot stays taken
            else:
                self._free += 1


class KnowledgeService:
    def __init__(self, kbase: KnowledgeBase, *, llm=None, curated=None) -> None:
        self.kbase = kbase
        self.curated = curated  # feedback.curated.CuratedAnswers: served before retrieval when one matches
        wants_llm = kbase.settings.answerer in ("auto", "llm")
        self.llm = llm if llm is not None else (make_llm(kbase.settings) if wants_llm else None)
        self.docs = DocCache(kbase.docstore)
        self._bridges: dict[tuple[str, int], EnglishBridge] = {}
        self._bridge_lock = threading.Lock()  # one thread builds a view's bridge (~1 s at 10k chunks), the rest wait
        # Searching and composing are CPU work under one GIL: dozens of request threads sharing it make every
        # answer slow and long ones very slow. A few at a time, the rest queued in arrival order, keeps
        # latency even (KB_ANSWER_SLOTS, measured with kb loadtest).
        self._slots = FairSlots(kbase.settings.answer_slots)

    def warm(self) -> None:
        """Build what the first questions would otherwise wait for: each role's keyword view and English
        bridge (this reads the CC-CEDICT dictionary once, ~3 s), its speller and the jieba dictionary its
        questions are cut with (~1.5 s), and jieba's tagger."""
        for role in Role:
            keyword = self.kbase.keyword_index(role)
            self._bridge(keyword)
            speller_for(keyword)
            tokenizer(keyword.words)
        tagged("")  # jieba's part-of-speech table (person names, qa.slots)

    @property
    def settings(self):
        # derived, not copied: the eval harness swaps kbase.settings per configuration
        return self.kbase.settings

    @property
    def answer_model(self) -> AnswerModel:
        return load_model(self.kbase.embedder.fingerprint)

    def search(self, query: str, *, filters: Filters | None = None, mode: str | None = None,
               k: int = 10, per_doc: int | None = 2, role: Role = Role.TEACHER,
               floor: bool = False) -> SearchResult:
        """Passages the role may see; their scores come from that role's view of the index. An English
        question is searched with the Chinese words it names (qa.bridge), from that same view. With
        floor, only passages with lexical evidence for most of the query are kept (index.relevance)."""
        retriever = self.kbase.retriever(role)
        lexical = query
        if analyse(query).english:
            bridge = self._bridge(retriever.keyword)
            query = bridged_query(query, bridge)
            # the English words themselves never occur in the passages: the floor weighs the bridged words
            terms = bridge.terms(lexical) if bridge is not None else []
            lexical = " ".join([*_HAN.findall(lexical), *terms])
        result = retriever.search(query, mode=mode or self.settings.retrieval_mode, k=k,
                                  filters=role.scope(filters), per_doc=per_doc)
        if floor:
            result.hits = lexical_floor(result.hits, lexical, retriever.keyword)
        return result

    def _bridge(self, keyword) -> EnglishBridge | None:
        """The English bridge of one keyword index (version and view), built once on first use."""
        if keyword.bm25 is None:
            return None
        key = (keyword.version, id(keyword))
        bridge = self._bridges.get(key)
        if bridge is None:
            with self._bridge_lock:
                bridge = self._bridges.get(key)
                if bridge is None:
                    bridge = EnglishBridge(keyword.bm25.vocab_dict.keys())
                    kept = {k: v for k, v in self._bridges.items() if k[0] == keyword.version}
                    self._bridges = {**kept, key: bridge}
        return bridge

    def extractive(self, role: Role = Role.TEACHER) -> ExtractiveAnswerer:
        # the answerer's term statistics (idf, known words) come from the records the role may see
        keyword = self.kbase.keyword_index(role)
        self.docs.sync(keyword.version)
        return ExtractiveAnswerer(keyword, self.docs, model=self.answer_model, threshold=self.settings.min_evidence,
                                  embedder=self.kbase.embedder, bridge=self._bridge(keyword))

    def ask_stream(self, question: str, *, filters: Filters | None = None, top_k: int | None = None,
                   conversation: list[Turn] | None = None, mode: str | None = None,
                   answerer: str | None = None, role: Role = Role.TEACHER) -> Iterator[Event]:
        started = time.perf_counter()
        filters = role.scope(filters)
        use_llm = (answerer or self.settings.answerer) != "extractive" and self.llm is not None
        yield Stage("retrieve", "检索中… (searching)")
        query = resolve_question(question, conversation, self.llm if use_llm else None,
                                 max_chars=max(len(question), self.settings.max_question_chars))
        curated: Answer | None = None
        queued = time.perf_counter()
        with self._slots:  # one slot for all the CPU work of a question: it queues once
            queued = time.perf_counter() - queued
            # a one-character typo, corrected from the words of what this role may see (qa.spelling)
            speller = speller_for(self.kbase.keyword_index(role))
            query, fixes = speller.correct(query)
            if self.curated is not None:
                curated = self.curated.answer(query, keyword=self.kbase.keyword_index(Role.TEACHER), role=role,
                                              filters=filters)
            if curated is None:
                result = self.search(query, filters=filters, mode=mode, k=top_k or self.settings.top_k,
                                     per_doc=3, role=role)
                t0 = time.perf_counter()
                # a slip that is a word of the language ("民俗" for 民宿), read from the passages found
                query, more = speller.correct_against(query, passage_texts(result.hits))
                fixes += more
                extractive = self.extractive(role)
                answer = None if use_llm else extractive.answer(query, result.hits, filters=filters,
                                                                query_vector=result.query_vector)
                composed = time.perf_counter() - t0
        if curated is not None:
            yield Stage("curated", "找到教师审定答案 (curated answer)", len(curated.citations))
            for piece in _TOKEN_PIECE.findall(curated.answer):
                yield Token(piece)
            curated.timings = {"total": round((time.perf_counter() - started) * 1000, 1)}
            if query != question:
                curated.resolved_question = query
            yield Final(curated)
            return
        yield Stage("found", f"找到 {len(result.hits)} 段资料 (found {len(result.hits)} passages)", len(result.hits))
        if use_llm:
            t0 = time.perf_counter()
            yield Stage("generate", "正在生成回答… (generating)")
            llm = LLMAnswerer(self.llm, fallback=extractive, max_tokens=self.settings.llm_max_tokens)
            for event in llm.stream(query, result.hits, filters=filters, query_vector=result.query_vector):
                if isinstance(event, Final):
                    answer = event.answer
                else:
                    yield event
            composed = time.perf_counter() - t0
        else:
            yield Stage("compose", "正在整理答案… (composing)")
            for piece in _TOKEN_PIECE.findall(answer.answer):
                yield Token(piece)
        answer.timings = {"queue": round(queued * 1000, 1), **{k: round(v * 1000, 1) for k, v in result.timings.items()},
                          "answer": round(composed * 1000, 1),
                          "total": round((time.perf_counter() - started) * 1000, 1)}
        if query != question:
            answer.resolved_question = query
        if fixes:
            answer.notice = "；".join(n for n in (spelling_notice(fixes), answer.notice) if n)
        yield Final(answer)

    def ask(self, question: str, **options) -> Answer:
        for event in self.ask_stream(question, **options):
            if isinstance(event, Final):
                return event.answer
        raise RuntimeError("answer stream ended without an answer")  # pragma: no cover
