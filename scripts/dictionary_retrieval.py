"""Does a word list help BM25 retrieval on passages it was not made from? (README 词典 · Dictionary)

On the CMRC 2018 trial split (Wikipedia passages and their questions; the training split, never the dev set in
../cmrc2018) one BM25 index per word list, BM25 only, no embedder, two ways: a record per passage, and a record
per chunk of about 150 characters (the passage's rank is its best chunk's: closer to an ingested index, and
further from the ceiling). The title is each record's head.

  * legacy     — the words index/tokenize.py hard-coded before, the bundled corpus's names included
  * general    — index/terms/general.txt (the shipped list)
  * +quoted    — general plus terms discovered in the passages: quoted runs (“…”, 「…」, 『…』)
  * +ngrams    — general plus frequent character n-grams of the passages that jieba splits
  * +both

Discovery reads the passages only (as an ingest would read its corpus), never the questions; its parameters
were fixed before the first run (NGRAM_*), not tuned on these numbers. (After the first run the quote pattern
lost ASCII quotes, which paired across terms: `* 是、` was a "term".)

    .venv/bin/python -m scripts.dictionary_retrieval [--data ../shared/eval-data/cmrc2018-trial]
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from index.bm25 import KeywordIndex, Record
from index.dictionary import DEFAULT_FREQ, WordList, general_words, parse
from index.tokenize import tokenizer

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data" / "cmrc2018-trial"
LEGACY_EXTRA = ("茶产业", "云溪白茶", "民宿")  # what the old hard-coded list held beyond today's general file
QUOTED = re.compile(r"“([^“”\n]{2,8})”|「([^「」\n]{2,8})」|『([^『』\n]{2,8})』")
NGRAM_SIZES = range(3, 7)
NGRAM_MIN_COUNT = 3  # occurrences over the corpus
NGRAM_MIN_DOCS = 2  # passages it occurs in
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_EDGE_STOP = set("的了是在和与及或等有也就都而对为以把被将从向于之其这那个一不上下中")
K = 20
CHUNK_CHARS = 150
_SENTENCE = re.compile(r"(?<=[。！？；!?;])")


def quoted_terms(texts: list[str]) -> set[str]:
    """2–8 characters between “”, 「」 or 『』 that a user dictionary would accept and jieba cuts into pieces."""
    found = {"".join(groups).strip() for text in texts for groups in QUOTED.findall(text)}
    return {t for t in _valid(found) if _splits(t)}


def ngram_terms(texts: list[str]) -> set[str]:
    """Han n-grams (3–6 characters) seen often and in several passages, not starting or ending on a function
    character, jieba splits them, and no longer candidate occurs as often (so a name is kept, not its parts)."""
    count, docs = Counter(), Counter()
    for text in texts:
        seen = set()
        for run in _HAN_RUN.findall(text):
            for n in NGRAM_SIZES:
                for i in range(len(run) - n + 1):
                    gram = run[i:i + n]
                    count[gram] += 1
                    seen.add(gram)
        docs.update(seen)
    frequent = {g for g, c in count.items() if c >= NGRAM_MIN_COUNT and docs[g] >= NGRAM_MIN_DOCS
                and g[0] not in _EDGE_STOP and g[-1] not in _EDGE_STOP}
    return {g for g in _valid(frequent) if not _absorbed(g, frequent, count) and _splits(g)}


def _absorbed(gram: str, frequent: set[str], count: Counter) -> bool:
    # a longer frequent n-gram that occurs as often contains every occurrence of this one
    return any(count[longer] == count[gram] for longer in frequent if len(longer) == len(gram) + 1
               and (longer.startswith(gram) or longer.endswith(gram)))


def _valid(terms: set[str]) -> set[str]:
    """The terms a teacher's user_dict.txt would accept (the same checks, index.dictionary.parse)."""
    words, _ = parse("\n".join(sorted(terms)))
    return {w for w, _ in words}


def _splits(term: str) -> bool:
    return len(tokenizer(WordList(general_words())).lcut(term)) > 1


def chunks(text: str) -> list[str]:
    """Whole sentences packed into pieces of about CHUNK_CHARS."""
    out = [""]
    for sentence in filter(None, _SENTENCE.split(text)):
        if out[-1] and len(out[-1]) + len(sentence) > CHUNK_CHARS:
            out.append("")
        out[-1] += sentence
    return [c for c in out if c]


def ranks(passages: list[dict], questions: list[dict], words: WordList, *, chunked: bool) -> list[int | None]:
    """The gold passage's rank for each question (None: not in the first K)."""
    records = [Record(f"{p['id']}#{n}", text, {"title": p["title"]}) for p in passages
               for n, text in enumerate(chunks(p["text"]) if chunked else [p["text"]])]
    index = KeywordIndex.from_records(records, version="0", words=words)
    out = []
    for q in questions:
        hits = index.search(q["question"], k=K * 8 if chunked else K)
        ranked = list(dict.fromkeys(index.records[i].chunk_id.split("#")[0] for i, _ in hits))[:K]
        out.append(ranked.index(q["gold_passage_id"]) + 1 if q["gold_passage_id"] in ranked else None)
    return out


def metrics(got: list[int | None]) -> str:
    n = len(got)
    hit1 = sum(r == 1 for r in got) / n
    hit5 = sum(r is not None and r <= 5 for r in got) / n
    mrr = sum(1 / r for r in got if r) / n
    return f"{hit1:>7.3f} {hit5:>7.3f} {mrr:>7.3f}"


def _worse(rank: int | None, than: int | None) -> bool:
    return rank != than and (rank is None or (than is not None and rank > than))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if "cmrc2018-trial" not in args.data.name:
        parser.error("only the trial split decides this (the dev set in cmrc2018/ is a test set)")
    passages = [json.loads(line) for line in (args.data / "passages.jsonl").open(encoding="utf-8")]
    questions = [json.loads(line) for line in (args.data / "questions.jsonl").open(encoding="utf-8")]
    texts = [f"{p['title']}\n{p['text']}" for p in passages]
    general = general_words()
    quoted, ngrams = sorted(quoted_terms(texts)), sorted(ngram_terms(texts))
    lists = {
        "legacy": WordList(general + tuple((w, DEFAULT_FREQ) for w in LEGACY_EXTRA)),
        "general": WordList(general),
        "+quoted": WordList(general, tuple((w, DEFAULT_FREQ) for w in quoted)),
        "+ngrams": WordList(general, tuple((w, DEFAULT_FREQ) for w in ngrams)),
        "+both": WordList(general, tuple((w, DEFAULT_FREQ) for w in sorted({*quoted, *ngrams}))),
    }
    print(f"{len(passages)} passages, {len(questions)} questions; discovered: {len(quoted)} quoted "
          f"(e.g. {'、'.join(quoted[:8])}), {len(ngrams)} n-grams (e.g. {'、'.join(ngrams[:8])})")
    for chunked in (False, True):
        print(f"\n{'by chunk' if chunked else 'by passage'}:\n"
              f"{'word list':<10} {'words':>6} {'hit@1':>7} {'hit@5':>7} {'mrr@20':>7}  questions ranked "
              "better / worse than with the general list")
        base = ranks(passages, questions, lists["general"], chunked=chunked)
        for name, words in lists.items():
            got = base if name == "general" else ranks(passages, questions, words, chunked=chunked)
            better = sum(_worse(b, g) for g, b in zip(got, base))
            worse = sum(_worse(g, b) for g, b in zip(got, base))
            print(f"{name:<10} {len(words.entries):>6} {metrics(got)}  {better} / {worse}")


if __name__ == "__main__":
    main()
