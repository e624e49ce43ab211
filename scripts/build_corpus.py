"""Rebuild the bundled PDF, DOCX and GB18030 files of corpus/ from their sources in corpus/_sources/.

Each source is Markdown with YAML front matter; `target` in the front matter says what to build
(pdf | docx | gb18030) and `folder` where (lectures | cases | reports). The front matter (minus
those two keys) becomes a `<file>.meta.yaml` sidecar for PDF/DOCX, and stays as the header of
the GB18030 text file.    Usage: python -m scripts.build_corpus
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

from scripts.render import write_docx, write_pdf

ROOT = Path(__file__).resolve().parent.parent / "corpus"


def build(root: Path = ROOT) -> list[Path]:
    built = []
    for source in sorted((root / "_sources").glob("*.md")):
        text = source.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        _, head, body = text.split("---", 2)
        meta = yaml.safe_load(head)
        target, folder = meta.pop("target", None), meta.pop("folder", None)
        if not target or not folder:
            continue
        out_dir = root / folder
        title, author = meta.get("title", ""), meta.get("author", "") or meta.get("cohort", "")
        if target == "gb18030":
            out = out_dir / f"{source.stem}.txt"
            header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            out.write_bytes(f"---\n{header}---\n{body.lstrip()}".replace("\n", "\r\n").encode("gb18030"))
        else:
            out = out_dir / f"{source.stem}.{target}"
            (write_pdf if target == "pdf" else write_docx)(body, out, title=title, author=author)
            sidecar = out.with_name(out.name + ".meta.yaml")
            sidecar.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        built.append(out)
    return built


if __name__ == "__main__":
    for path in build():
        print(path.relative_to(ROOT.parent))
    sys.exit(0)
