"""Prompt templates as files (Chinese): the LLM answerer's system and user prompts, the follow-up rewriter."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def load(name: str) -> str:
    """The text of prompts/<name>.txt."""
    return (FOLDER / f"{name}.txt").read_text(encoding="utf-8").strip()
