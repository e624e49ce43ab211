"""The LLM answerer: numbered passages in a Chinese prompt (prompts/), streamed tokens, checked citations.

After generation every [n] is checked: markers that point at no passage are dropped and reported,
and an answer whose sentences cite nothing is flagged. Sentences in passages that look like
instructions to the model are removed before the prompt is built (passages are data).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import prompts
from index.answering import _INJECTION, REFUSAL, Answer, Citation, ExtractiveAnswerer
from index.retrieval import Hit
from ingest.sentences import sentence_spans
from kb.errors import LLMUnavailable

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
    if not _INJECTION.search(text):
        return text
    out, pos = [], 0
    for start, end in sentence_spans(text):
        out.append(text[pos:start])
        out.append("[已移除疑似指令]" if _INJECTION.search(text[start:end]) else text[start:end])
        pos = end
    out.append(text[pos:])
    return "".join(out)


def build_messages(question: str, hits: list[Hit], *, passage_chars: int = 500) -> list[dict]:
    passages = []
    for i, hit in enumerate(hits, 1):
        m = hit.meta
        where = "，".join(x for x in (m.get("title"), m.get("section")) if x)
        passages.append(f"[{i}]（{where}）\n{sanitize(hit.text)[:passage_chars]}")
    user = prompts.load("answer_user").format(passages="\n\n".join(passages), question=question)
    return [{"role": "system", "content": prompts.load("answer_system")}, {"role": "user", "content": user}]


class LLMAnswerer:
    name = "llm"

    def __init__(self, client, *, fallback: ExtractiveAnswerer, max_tokens: int = 300, max_passages: int = 4) -> None:
        self.client = client
        self.fallback = fallback
        self.max_tokens = max_tokens
        self.max_passages = max_passages

    def stream(self, question: str, hits: list[Hit], *, query_vector=None) -> Iterator[tuple[str, object]]:
        """Yields ("token", str) while generating, then ("answer", Answer)."""
        hits = hits[: self.max_passages]
        evidence = self.fallback.assess(question, hits, query_vector=query_vector) if hits else 0.0
        if evidence < self.fallback.min_evidence:
            # the same calibrated gate as the extractive answerer: weak evidence is refused, not generated
            related = [Citation.from_hit(i + 1, h) for i, h in enumerate(hits)]
            yield "answer", Answer(REFUSAL, [], True, related=related, evidence=evidence)
            return
        pieces: list[str] = []
        try:
            for piece in self.client.stream(build_messages(question, hits), max_tokens=self.max_tokens, temperature=0.2):
                pieces.append(piece)
                yield "token", piece
        except LLMUnavailable as exc:
            answer = self.fallback.answer(question, hits, query_vector=query_vector)
            answer.notice = f"大模型暂不可用，已改用摘录式回答 (LLM unavailable, extractive fallback): {exc}"
            yield "reset", answer.answer
            yield "answer", answer
            return
        answer = self.finish("".join(pieces), hits)
        answer.evidence = evidence
        yield "answer", answer

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
        citations = [Citation.from_hit(n, hits[n - 1]) for n in check.cited]
        return Answer(check.text, citations, False, related=related, notice="；".join(notices))

    def answer(self, question: str, hits: list[Hit], *, query_vector=None) -> Answer:
        final = None
        for kind, value in self.stream(question, hits, query_vector=query_vector):
            if kind == "answer":
                final = value
        return final
