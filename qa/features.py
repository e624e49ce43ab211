"""Named features of (question, evidence unit) pairs and of a question's whole evidence.

Both feature sets feed small logistic models fitted by scripts/fit_answer_model.py (qa/scoring.py): one says
"this unit answers the question", the other "the retrieved materials answer this question at all". Every
feature is a number in a small range; nothing here is a tuned constant — the weights are learned.
"""
from __future__ import annotations

import math
import re

import numpy as np

from index.bm25 import KeywordIndex
from index.retrieval import Hit
from index.tokenize import fingerprint, keywords, tokenize
from qa.question import Question, char_grams
from qa.slots import fills, value_spans
from qa.units import Unit

UNIT_FEATURES = (
    "cov_idf",  # idf-weighted share of the question's tokens found in the unit
    "cov_idf_ctx",  # … in the unit with its section path and document title
    "cov_char",  # share of the question's character bigrams in the unit (typo- and wording-tolerant)
    "cov_char_ctx",  # … in the unit with its section path and title
    "cov_char_next",  # … in the unit and the unit after it (answers often sit one sentence after the match)
    "rare_ctx",  # share of the question's rarest known words in the whole passage and its title/section
    "quoted_miss",  # the question quotes a term that the passage does not contain
    "sent_sim",  # the unit's own similarity to the question (sentence vectors stored at ingest; else the passage's)
    "sent_sim_gap",  # its gap to the most similar unit
    "dense",  # the passage's cosine similarity to the question (0 when dense retrieval did not find it)
    "dense_gap",  # its gap to the best passage's similarity
    "rank_rr",  # 1 / (1 + the passage's rank)
    "bm25_rel",  # the passage's BM25 score relative to the best one
    "type_match",  # the unit has what the question's kind asks for (a number, a cause, a method, a list item…)
    "has_number",
    "is_heading",
    "is_item",
    "is_idea",
    "ordinal_match",  # the unit is item N of a list and the question asks for item N
    "first_in_line",
    "len_log",  # log of the unit's length in characters, centred on 40
    "heading_cov",  # share of the question's bigrams in the unit's section path
    "english_dense",  # the passage similarity again, for English questions only (words cannot match)
    "english_sent",  # the unit's own similarity, for English questions only
    "dangling",  # the unit ends in ；，： (a fragment of a longer sentence)
    "asks",  # the unit is itself a question ("为什么…？"): its answer stands after it
    "slot_filled",  # the question asks for a value (a count of people, a year, a percentage…) and the unit holds one
    "slot_empty",  # … and the unit holds none (qa/slots.py)
    "numbers_missing_unit",  # share of the question's numbers (years, counts) absent from the unit and its headings
    "slot_focus_dist",  # log(1 + characters between the value asked for and the rarest word of the asking clause)
    #                     in the unit ("召开企业家恳谈会12次": near; a count of something else: far); 0 without a value
    "english_senses",  # English questions: idf-weighted share of their phrases (qa.bridge senses) one of whose
    #                    Chinese words occurs in the unit with its section path and title; 0 for Chinese questions
)

QUESTION_FEATURES = (
    "p_max",  # the best unit's probability of answering
    "p_second",
    "logit_max",
    "dense_top",  # similarity of the best passage
    "dense_top_gap",  # its gap to the fifth passage: a question about nothing in the corpus has a flat top
    "rare_best",  # rare-word coverage of the best unit's passage
    "cov_char_best",  # character coverage of the question by the best unit and its context
    "cov_char_passage",  # … by the best passage as a whole
    "sent_sim_max",  # the best unit's own similarity to the question
    "oov_share",  # share of the question's Chinese words the corpus never uses
    "missing_idf_max",  # the most informative question word (idf, relative to the question's rarest) absent
    #                     from the best passage: a near miss has the subject but not the fact asked for
    "missing_idf_share",  # idf-weighted share of the question's words absent from the best passage
    "missing_top3",  # … absent from all three best passages
    "numbers_missing",  # share of the question's numbers (years, counts) absent from the best passage
    "focus_missing",  # share of the words just before the asking word ("出口额是多少") absent from the best unit
    "english",
    "english_sent_max",  # the best unit's similarity, for English questions only
    "english_dense_top",  # the best passage's similarity, for English questions only
    "n_words_log",
    "slot_empty_best",  # the question asks for a value that neither the best unit nor the one after it holds
    "slot_empty_top3",  # … that none of the three most probable units holds
    "numbers_missing_best",  # share of the question's numbers absent from the best unit, the next and its headings
    "slot_focus_dist_best",  # slot_focus_dist of the best unit
    "english_senses_passage",  # english_senses of the best unit's whole passage and title
)

_NUMBERY = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:个|家|项|条|名|人|次|年|亩|元|万|亿|倍|成|所|座|户|批)")
_CUE = {
    "quantity": _NUMBERY,
    "name": re.compile(r"[“「《\"]|称为|叫做|命名|简称|名为|被称|即"),
    "definition": re.compile(r"是指|指的是|就是|即|是一种|是以|本质|核心|内涵|含义|是.{2,24}的"),
    "why": re.compile(r"因为|由于|原因|导致|造成|所以|因此|在于|受制|制约|缺乏|不足|短板|瓶颈|难以|问题"),
    "how": re.compile(r"通过|采取|采用|坚持|推行|建立|实行|实施|探索|推动|健全|完善|做到|依托|统筹|组建|开展"),
    "yesno": re.compile(r"是|有|没有|不"),
}


def _idf_cover(tokens: tuple[str, ...], weights: dict[str, float], total: float, present) -> float:
    return sum(weights[t] for t in tokens if t in present) / total if total else 0.0


def _share(grams: frozenset[str], other: frozenset[str]) -> float:
    return len(grams & other) / len(grams) if grams else 0.0


def _sense_weights(q: Question, keyword: KeywordIndex) -> list[float]:
    """Each sense group's weight: the idf of its rarest word the corpus knows."""
    return [max((keyword.idf(w) for w in group if keyword.knows(w)), default=0.0) for group in q.senses]


def _senses_in(q: Question, weights: list[float], text: str) -> float:
    total = sum(weights)
    if not total:
        return 0.0
    return sum(w for group, w in zip(q.senses, weights) if any(word in text for word in group)) / total


def rare_words(q: Question, keyword: KeywordIndex) -> list[str]:
    """The question's rarest words the corpus knows (names like 桐江市, 冲锋舟)."""
    weights = {t: keyword.idf(t) for t in q.words if keyword.knows(t)}
    if not weights:
        return []
    top = max(weights.values())
    return [t for t, w in weights.items() if w >= 0.8 * top]


def unit_features(q: Question, units: list[Unit], hits: list[Hit], keyword: KeywordIndex,
                  sims: np.ndarray | None = None) -> np.ndarray:
    """One row of UNIT_FEATURES per unit (sims: each unit's sentence similarity, NaN where unknown)."""
    if not units:
        return np.zeros((0, len(UNIT_FEATURES)))
    sims = np.full(len(units), np.nan) if sims is None else sims
    weights = {t: keyword.idf(t) for t in q.tokens}
    total = sum(weights.values())
    rare = rare_words(q, keyword)
    dense_vals = [h.dense for h in hits if h.dense is not None]
    top_dense = max(dense_vals) if dense_vals else 0.0
    floor_dense = min(dense_vals) if dense_vals else 0.0
    top_bm25 = max((h.bm25 for h in hits if h.bm25), default=0.0)
    ctx = []
    for h in hits:
        head = f"{h.meta.get('title', '')} {h.meta.get('section', '')} {h.meta.get('idea_title', '')}"
        ctx.append((head, frozenset(char_grams(head)), f"{head} {h.text}"))
    passage_rare = [sum(1 for t in rare if t in c[2]) / len(rare) if rare else 1.0 for c in ctx]
    passage_quoted = [all(t in c[2] for t in q.quoted) for c in ctx]
    cue = _CUE.get(q.kind)
    unit_sims = np.array([s if not np.isnan(s) else (hits[u.hit_rank].dense or floor_dense)
                          for u, s in zip(units, sims)])
    top_sim = float(unit_sims.max())
    numbers = _QNUM.findall(q.text)
    focus = asking_focus(q, keyword) if q.slot is not None else []
    senses = _sense_weights(q, keyword)
    rows = np.zeros((len(units), len(UNIT_FEATURES)))
    for i, u in enumerate(units):
        h = hits[u.hit_rank]
        head, head_grams, _ = ctx[u.hit_rank]
        sec_grams = char_grams(u.section)
        ctx_grams = u.grams | head_grams | sec_grams
        ctx_tokens = u.tokens | _tokens_of(head, u.section)
        nxt = units[i + 1] if i + 1 < len(units) and units[i + 1].hit_rank == u.hit_rank else None
        dense = h.dense if h.dense is not None else floor_dense
        if q.kind == "list":
            match = u.kind in ("item", "idea") or bool(re.search(r"一是|；|、.+、", u.text))
        elif q.kind == "ordinal":
            match = u.kind in ("item", "idea")
        else:
            match = bool(cue.search(u.text)) if cue else False
        ordinal_match = bool(q.ordinal and u.marker and u.marker[1] == q.ordinal)
        spans = value_spans(q.slot, u.text, q.text)  # where the unit holds a value of the slot
        filled = bool(spans)
        near = f"{head} {u.section} {u.text}"
        rows[i] = (
            _idf_cover(q.tokens, weights, total, u.tokens),
            _idf_cover(q.tokens, weights, total, ctx_tokens),
            _share(q.grams, u.grams),
            _share(q.grams, ctx_grams),
            _share(q.grams, u.grams | (nxt.grams if nxt else frozenset())),
            passage_rare[u.hit_rank],
            0.0 if passage_quoted[u.hit_rank] else 1.0,
            unit_sims[i],
            top_sim - unit_sims[i],
            dense,
            top_dense - dense,
            1.0 / (1 + u.hit_rank),
            (h.bm25 or 0.0) / top_bm25 if top_bm25 else 0.0,
            float(match),
            float(bool(_NUMBERY.search(u.text))),
            float(u.kind == "heading"),
            float(u.kind == "item"),
            float(u.kind == "idea"),
            float(ordinal_match),
            float(u.first),
            math.log(max(4, len(u.text)) / 40),
            _share(q.grams, sec_grams | frozenset(char_grams(h.meta.get("idea_title", "")))),
            dense if q.english else 0.0,
            unit_sims[i] if q.english else 0.0,
            float(u.dangling),
            float(u.asks),
            float(q.slot is not None and filled),
            float(q.slot is not None and not filled),
            sum(1 for n in numbers if n not in near) / len(numbers) if numbers else 0.0,
            _focus_distance(u.text, spans, focus) if filled else 0.0,
            _senses_in(q, senses, near),
        )
    return rows


def asking_focus(q: Question, keyword: KeywordIndex, n: int = 2) -> list[str]:
    """The n rarest key words of the clause that asks ("北沙市2022年召开了多少次企业家恳谈会" → 恳谈会, 企业家)."""
    m = _ASK.search(q.text)
    if not m:
        return []
    clauses = re.split(r"[，,。；;？?！!]", q.text)
    pos, clause = 0, q.text
    for c in clauses:
        if pos <= m.start() <= pos + len(c):
            clause = c
            break
        pos += len(c) + 1
    words = [w for w in q.words if w in clause and re.search(r"[\u4e00-\u9fff]", w)]
    return sorted(words, key=lambda w: -keyword.idf(w))[:n]


def _focus_distance(text: str, spans: list[tuple[int, int]], focus: list[str]) -> float:
    """log(1 + the gap in characters between a value of the slot (spans) and a focus word; the unit's length if
    no focus word occurs)."""
    places = [(m.start(), m.end()) for w in focus for m in re.finditer(re.escape(w), text)]
    if not spans or not places:
        return math.log1p(len(text))
    gap = min(max(0, a - d, c - b) for a, b in spans for c, d in places)
    return math.log1p(gap)


_TOKEN_CACHE: dict[tuple[str, str], frozenset[str]] = {}  # keyed by the word list too (index.tokenize.use)


def _tokens_of(head: str, section: str) -> frozenset[str]:
    key = (f"{head}\x00{section}", fingerprint())
    got = _TOKEN_CACHE.get(key)
    if got is None:
        if len(_TOKEN_CACHE) > 20000:
            _TOKEN_CACHE.clear()
        got = _TOKEN_CACHE[key] = frozenset(tokenize(f"{head} {section}"))
    return got


def question_features(q: Question, units: list[Unit], rows: np.ndarray, probs: np.ndarray, logits: np.ndarray,
                      hits: list[Hit], keyword: KeywordIndex) -> np.ndarray:
    """QUESTION_FEATURES of the whole evidence, given each unit's probability of answering."""
    dense_vals = sorted((h.dense for h in hits if h.dense is not None), reverse=True)
    dense_top = dense_vals[0] if dense_vals else 0.0
    dense_5 = dense_vals[min(4, len(dense_vals) - 1)] if dense_vals else 0.0
    han_words = [w for w in q.words if re.search(r"[\u4e00-\u9fff]", w)]
    oov = sum(1 for w in han_words if not keyword.knows(w) and not _known_by_parts(w, keyword)) / len(han_words) \
        if han_words else 0.0
    if len(probs):
        order = np.argsort(-probs)
        best = int(order[0])
        p_max, p_second = float(probs[best]), float(probs[order[1]]) if len(order) > 1 else 0.0
        logit_max = float(logits[best])
        rare_best = float(rows[best, UNIT_FEATURES.index("rare_ctx")])
        cov_best = float(rows[best, UNIT_FEATURES.index("cov_char_ctx")])
        rank = units[best].hit_rank
        passage = hits[rank]
        cov_passage = _share(q.grams, char_grams(f"{passage.meta.get('title', '')} {passage.text}"))
        missing_max, missing_share, missing_top3 = _missing(q, keyword, hits, rank)
        sent_max = float(rows[:, UNIT_FEATURES.index("sent_sim")].max())
        context = f"{passage.meta.get('title', '')} {passage.meta.get('section', '')} {passage.text}"
        numbers = _QNUM.findall(q.text)
        numbers_missing = sum(1 for n in numbers if n not in context) / len(numbers) if numbers else 0.0
        nxt = units[best + 1].text if best + 1 < len(units) and units[best + 1].hit_rank == rank else ""
        focus = focus_words(q)
        near = f"{units[best].text}{nxt}{units[best].section}"
        focus_missing = sum(1 for w in focus if w not in near) / len(focus) if focus else 0.0
        empty = UNIT_FEATURES.index("slot_empty")
        slot_empty_best = float(q.slot is not None and not fills(q.slot, units[best].text, q.text, thorough=True)
                                and not fills(q.slot, nxt, q.text, thorough=True))
        slot_empty_top3 = float(q.slot is not None and all(rows[int(i), empty] > 0 for i in order[:3]))
        numbers_missing_best = sum(1 for n in numbers if n not in f"{near} {passage.meta.get('title', '')}") \
            / len(numbers) if numbers else 0.0
        focus_dist_best = float(rows[best, UNIT_FEATURES.index("slot_focus_dist")])
        senses_passage = _senses_in(q, _sense_weights(q, keyword), context)
    else:
        p_max = p_second = rare_best = cov_best = cov_passage = 0.0
        logit_max = -10.0
        missing_max = missing_share = missing_top3 = 1.0
        sent_max = 0.0
        numbers_missing = focus_missing = 1.0
        slot_empty_best = slot_empty_top3 = float(q.slot is not None)
        numbers_missing_best = 1.0
        focus_dist_best = senses_passage = 0.0
    lexical = 0.0 if q.english else 1.0  # an English question's words cannot match Chinese passages: no evidence
    return np.array([
        p_max, p_second, max(-10.0, min(10.0, logit_max)), dense_top, dense_top - dense_5, lexical * rare_best,
        lexical * cov_best, lexical * cov_passage, sent_max, oov, lexical * missing_max, lexical * missing_share,
        lexical * missing_top3, lexical * numbers_missing, lexical * focus_missing, float(q.english),
        sent_max * (1 - lexical), dense_top * (1 - lexical), math.log(1 + len(q.words)),
        slot_empty_best, slot_empty_top3, numbers_missing_best, focus_dist_best, senses_passage,
    ])


_QNUM = re.compile(r"\d+(?:\.\d+)?")
_ASK = re.compile(r"多少|几[个名家项次条年月天万亿人位所座户倍岁]?|什么|哪|是否|有没有|如何|怎样|为什么")
FOCUS_CHARS = 8  # characters before the asking word that name what is asked ("…的出口额是多少")


def focus_words(q: Question) -> list[str]:
    """Key words of the few characters before the first asking word: the attribute the question wants."""
    m = _ASK.search(q.text)
    if not m:
        return []
    head = re.split(r"[，,。；;？?！!]", q.text[:m.start()])[-1][-FOCUS_CHARS:]
    return [w for w in keywords(head) if re.search(r"[\u4e00-\u9fff]", w)]


def _missing(q: Question, keyword: KeywordIndex, hits: list[Hit], rank: int) -> tuple[float, float, float]:
    """How much of what the question names is absent from the best passage (and from the best three)."""
    weights = {w: keyword.idf(w) for w in q.words if re.search(r"[\u4e00-\u9fff]", w)}
    if not weights:
        return 0.0, 0.0, 0.0
    top, total = max(weights.values()), sum(weights.values())

    def context(h: Hit) -> str:
        return f"{h.meta.get('title', '')} {h.meta.get('section', '')} {h.meta.get('idea_title', '')} {h.text}"

    best = context(hits[rank])
    three = " ".join(context(h) for h in hits[:3])
    absent = [w for w in weights if w not in best]
    absent3 = [w for w in weights if w not in three]
    return (max((weights[w] for w in absent), default=0.0) / top, sum(weights[w] for w in absent) / total,
            sum(weights[w] for w in absent3) / total)


def _known_by_parts(word: str, keyword: KeywordIndex) -> bool:
    # jieba's search mode splits long words; a word whose parts all occur is not out of vocabulary
    parts = [p for p in tokenize(word) if p != word]
    return bool(parts) and all(keyword.knows(p) for p in parts)
