"""The LLM answerer: numbered passages in a Chinese prompt (prompts/), streamed tokens, checked citations.

After generation every [n] is checked: markers that point at no passage are dropped and reported,
and an answer whose sentences cite nothing is flagged; each cited sentence is checked against its passage
(qa/support.py: its numbers, dates and named terms must occur there) and unsupported ones are flagged.
The prompt's length rule depends on the question's kind (a list or a how/why answer may be longer), and a
list question gets the whole section its best evidence stands in as one passage. Sentences in passages that look like
instructions to the model are removed before the prompt is built (passages are data).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import prompts
from index.retrieval import Hit
from ingest.sentences import sentence_spans
from kb.errors import LLMUnavailable
from qa import compose as cp
from qa.extractive import ExtractiveAnswerer
from qa.question import analyse
from qa.injection import looks_like_injection
from qa.records import REFUSAL, Answer, Citation, Final, Reset, Token
from qa.support import check_support, cited_passage, split_cited_sentences

_MARKER = re.compile(r"\[(\d+)\]")
# "132家。资料编号为 [1]。" → "132家[1]。": small models often put the marker in a sentence of its own
_MARKER_PHRASE = re.compile(r"[。.]\s*(?:根据|依据|参见|来源|资料编号)[^。\[]{0,6}?\s*((?:\[\d+\]\s*)+)(?:[。.]|$)")
# "根据资料[1]，王某受贿2,860万元。" → "王某受贿2,860万元[1]。"
_LEADING_MARKER = re.compile(r"(?:根据|依据)资料\s*((?:\[\d+\]\s*)+)[，,：:]\s*([^。！？]*)")
_REFUSAL_HINT = re.compile(r"资料中未找到|资料中没有|未找到能够回答|无法回答")


@dataclass(frozen=True)
class CitationCheck:
    text: str
    cited: list[int]
    dropped: list[int]
    uncited_sentences: int
    sentences: int


def check_citations(text: str, n_passages: int) -> CitationCheck:
    """Drop markers outside 1..n_passages; count the sentences that cite nothing."""
    dropped: list[int] = []

    def keep(match: re.Match) -> str:
        n = int(match.group(1))
        if 1 <= n <= n_passages:
            return match.group(0)
        dropped.append(n)
        return ""

    clean = _MARKER.sub(keep, text).strip()
    clean = _MARKER_PHRASE.sub(lambda mt: mt.group(1).replace(" ", "") + "。", clean).replace("。。", "。")
    clean = _LEADING_MARKER.sub(lambda mt: mt.group(2) + mt.group(1).replace(" ", ""), clean)
    cited = sorted({int(n) for n in _MARKER.findall(clean)})
    sentences: list[bool] = []  # per sentence: does it cite anything?
    for start, end in sentence_spans(clean):
        piece = clean[start:end]
        if _MARKER.sub("", piece).strip(" 。，；") == "" and sentences:
            sentences[-1] = True  # "…。[2]": a marker after the full stop belongs to the sentence before
        else:
            sentences.append(bool(_MARKER.search(piece)))
    return CitationCheck(clean, cited, dropped, sentences.count(False), len(sentences))


def sanitize(text: str) -> str:
    """Passage text with sentences that try to instruct the model replaced by a placeholder."""
    if not looks_like_injection(text):
        return text
    out, pos = [], 0
    for start, end in sentence_spans(text):
        out.append(text[pos:start])
        out.append("[已移除疑似指令]" if looks_like_injection(text[start:end]) else text[start:end])
        pos = end
    out.append(text[pos:])
    return "".join(out)


STYLE = {"list": "style_list", "how": "style_reason", "why": "style_reason", "definition": "style_reason",
         "ordinal": "style_fact"}
PASSAGE_CHARS = 500  # characters of each passage in the prompt (a list's section gets SECTION_CHARS)
SECTION_CHARS = 1500


def build_messages(question: str, hits: list[Hit], *, passage_chars: int = PASSAGE_CHARS, kind: str = "") -> list[dict]:
    passages = []
    for i, hit in enumerate(hits, 1):
        m = hit.meta
        where = "，".join(x for x in (m.get("title"), m.get("section")) if x)
        limit = SECTION_CHARS if m.get("kind") == "section" else passage_chars
        passages.append(f"[{i}]（{where}）\n{sanitize(hit.text)[:limit]}")
    style = prompts.load(STYLE.get(kind, "style_fact"))
    user = prompts.load("answer_user").format(passages="\n\n".join(passages), question=question, style=style)
    return [{"role": "system", "content": prompts.load("answer_system")}, {"role": "user", "content": user}]


class LLMAnswerer:
    name = "llm"

    def __init__(self, client, *, fallback: ExtractiveAnswerer, max_tokens: int = 300, max_passages: int = 4) -> None:
        self.client = client
        self.fallback = fallback
        self.max_tokens = max_tokens
        self.max_passages = max_passages

    def _section_passage(self, ev) -> Hit | None:
        """The whole section of the best evidence unit as one passage (list and how/why questions)."""
        if not ev.units:
            return None
        best = ev.units[ev.ranked()[0]]
        hit = ev.hits[best.hit_rank]
        doc = self.fallback.docs.doc(hit.doc_id)
        if doc is None:
            return None
        start = cp.section_start(doc, best.start)
        end = cp.section_end(doc, best.start)
        if end - start <= len(hit.text):
            return None
        meta = {**hit.meta, "kind": "section", "start": start, "end": end}
        return Hit(hit.chunk_id, doc.text[start:end], meta, hit.score, hit.dense, hit.bm25)

    def stream(self, question: str, hits: list[Hit], *, filters=None, query_vector=None, **_) -> Iterator:
        """Yields Token while generating (Reset on a fallback), then Final."""
        q = analyse(question)
        if q.kind == "collection":
            listed = self.fallback.answer(question, hits, filters=filters, query_vector=query_vector)
            yield Token(listed.answer)
            yield Final(listed)
            return
        hits = hits[: self.max_passages]
        ev = self.fallback.evidence(question, hits, query_vector) if hits else None
        evidence = ev.answerability if ev else 0.0
        if evidence < self.fallback.model.llm_threshold:
            # a floor against nonsense (far looser than the extractive gate): the LLM refuses by its prompt
            related = [Citation.from_hit(i + 1, h) for i, h in enumerate(hits)]
            yield Final(Answer(REFUSAL, [], True, related=related, evidence=evidence, kind=q.kind))
            return
        if q.kind in ("list", "how", "why", "definition"):
            section = self._section_passage(ev)
            if section is not None:
                hits = [section] + [h for h in hits if h.chunk_id != section.chunk_id][: self.max_passages - 1]
        pieces: list[str] = []
        try:
            messages = build_messages(question, hits, kind=q.kind)
            for piece in self.client.stream(messages, max_tokens=self.max_tokens, temperature=0.2):
                pieces.append(piece)
                yield Token(piece)
        except LLMUnavailable as exc:
            answer = self.fallback.answer(question, hits, filters=filters, query_vector=query_vector)
            answer.notice = f"大模型暂不可用，已改用摘录式回答 (LLM unavailable, extractive fallback): {exc}"
            yield Reset(answer.answer)
            yield Final(answer)
            return
        answer = self.finish("".join(pieces), hits)
        answer.evidence = evidence
        answer.kind = q.kind
        yield Final(answer)

    def finish(self, text: str, hits: list[Hit]) -> Answer:
        check = check_citations(text, len(hits))
        related = [Citation.from_hit(i + 1, h) for i, h in enumerate(hits)]
        notices = []
        if check.dropped:
            notices.append(f"已删除指向不存在资料的引用 {', '.join(f'[{n}]' for n in check.dropped)} (dropped bogus citations)")
        if _REFUSAL_HINT.search(check.text) and not check.cited:
            return Answer(check.text, [], True, related=related, notice="；".join(notices))
        if check.sentences and check.uncited_sentences == check.sentences:
            notices.append("该回答没有标注来源，请核对原文 (answer cites no passage)")
        elif check.uncited_sentences:
            notices.append(f"{check.uncited_sentences} 句没有标注来源 (uncited sentences)")
        unsupported = []
        floor = self.fallback.model.support_min_coverage
        for i, (sentence, cited) in enumerate(split_cited_sentences(check.text), 1):
            cited = [n for n in cited if 1 <= n <= len(hits)]
            if cited and not any(check_support(sentence, cited_passage(hits[n - 1].text, hits[n - 1].meta),
                                                       min_coverage=floor).supported
                                 for n in cited):
                unsupported.append(i)
        if unsupported:
            notices.append(f"第 {'、'.join(map(str, unsupported))} 句与所引资料不符，请核对 (unsupported by the cited passage)")
        citations = [Citation.from_hit(n, hits[n - 1]) for n in check.cited]
        return Answer(check.text, citations, False, related=related, notice="；".join(notices), unsupported=unsupported)

    def answer(self, question: str, hits: list[Hit], **options) -> Answer:
        final = None
        for event in self.stream(question, hits, **options):
            if isinstance(event, Final):
                final = event.answer
        return final
