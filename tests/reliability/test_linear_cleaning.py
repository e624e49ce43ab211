"""Cleaning is linear: 10× an adversarial line may cost at most ~10× (issue 10, #4).

Work is compared within one run, not against a wall clock: each line is loaded at 16k and at 160k
characters in the same process and the larger may cost at most RATIO_LIMIT times the smaller
(linear: ~10; the former quadratic link pattern: ~100; the former heading pattern was cubic).
The measurement runs in a child process with a timeout because a super-linear regex holds the
GIL and could not be interrupted in this one.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RATIO_LIMIT = 20  # 10× the input at most ~10× the work, plus slack for timer noise on a shared machine

# (prefix, repeated unit, suffix): lines that made some pattern rescan from every position
ADVERSARIAL = {
    "open brackets": ("", "[", ""),
    "image brackets": ("", "![", ""),
    "links without a closing paren": ("", "[a](", ""),
    "empty links": ("", "[](", ""),
    "close-open": ("", "](", ""),
    "emphasis marks": ("", "**a", ""),
    "underscores": ("", "_", ""),
    "backticks": ("", "`a", ""),
    "heading then spaces": ("# a", " ", "x"),
    "heading then hashes": ("## a", " #", "x"),
    "spaces between Chinese": ("", "中 ", ""),
    "ideographic spaces": ("", "a\u3000", ""),
    "unclosed front matter": ("---\n", "x: [\n", ""),
    "list marks": ("", "- ", ""),
}

_MEASURE = """
import json, sys, time
from ingest.loaders import _load_text

def cost(text, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        _load_text(text.encode("utf-8"), "x.md", markdown=True)
        best = min(best, time.perf_counter() - t0)
    return best

out = {}
for name, (prefix, unit, suffix) in json.loads(sys.argv[1]).items():
    small = prefix + unit * (16_000 // len(unit)) + suffix
    large = prefix + unit * (160_000 // len(unit)) + suffix
    out[name] = [cost(small, 5), cost(large, 3)]
print(json.dumps(out))
"""


def _measure(cases: dict) -> dict[str, tuple[float, float]]:
    proc = subprocess.run([sys.executable, "-c", _MEASURE, json.dumps(cases)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_markdown_cleaning_work_grows_linearly():
    # other processes on a shared machine can slow one measurement: a case fails only if it is over
    # the limit in three runs (a quadratic pattern is ~100× in every run, a cubic one times out)
    worst: dict[str, tuple[float, float, float]] = {}
    pending = dict(ADVERSARIAL)
    for _ in range(3):
        costs = _measure(pending)
        for name, (small, large) in costs.items():
            ratio = large / max(small, 1e-6)
            if name not in worst or ratio < worst[name][0]:
                worst[name] = (ratio, small, large)
        pending = {name: ADVERSARIAL[name] for name, (ratio, *_) in worst.items() if ratio > RATIO_LIMIT}
        if not pending:
            break
    slow = {name: f"{r:.0f}× ({a * 1e3:.1f} ms → {b * 1e3:.1f} ms)" for name, (r, a, b) in worst.items() if r > RATIO_LIMIT}
    assert not slow, f"10× input cost more than {RATIO_LIMIT}× the work: {slow}"


def test_a_run_of_one_mark_is_kept_to_three(tmp_path):
    """64k "[" once made 525 chunks of brackets; a run of one mark now says what three of it say."""
    from eval import hostile
    from ingest.cleaning import clean_line
    from ingest.documents import build_document

    assert clean_line("好！！！！！！") == "好！！！" and clean_line("-----") == "---" and clean_line("……——") == "……——"
    path = tmp_path / "brackets.md"
    path.write_bytes(hostile.bracket_lines_md(64_000))
    doc = build_document(path, doc_id="x", source="brackets.md", count_tokens=len, max_tokens=400, overlap=1)
    assert len(doc.chunks) == 1 and "[" * 4 not in doc.text and "正文内容" in doc.text
