"""Ordinal 金点子 questions of the training set (eval/sets/train, never the eval set) through the service:
answered with the named report's item N, or refused when the report has no such item.

    .venv/bin/python -m scripts.ordinal_check
"""
import json
import re
from pathlib import Path

from index.kbindex import KnowledgeBase
from kb.settings import Settings
from qa.service import KnowledgeService
from eval import metrics as m
svc = KnowledgeService(KnowledgeBase.open(Settings()))
qs = [json.loads(l) for l in (Path(__file__).resolve().parent.parent / 'eval' / 'sets' / 'train' / 'questions.jsonl').open(encoding='utf-8')]
qs = [q for q in qs if re.search(r"第.{1,3}[条个项位]|最后一条|头一条", q['question']) and re.search("金点子|建议", q['question'])]
ok = 0
for q in qs:
    a = svc.ask(q['question'])
    ans = bool(q.get('gold_passage_ids') or q.get('gold_passage_id'))
    good = (not a.refused and m.contains_answer(a.answer, q['answers'])) if ans else a.refused
    ok += good
    print('OK ' if good else 'BAD', 'ans' if ans else 'neg', q['question'][:50], '|', a.answer[:60])
print(ok, len(qs))
