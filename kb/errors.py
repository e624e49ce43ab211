"""The errors of the knowledge base, each telling the user what to do next.

KBError
├── IngestError(file, reason)      one file could not be read; the rest of the ingest goes on
├── IndexNotBuilt                  no index yet: run `kb ingest corpus/`
├── EmbedderMismatch               the index was built by another embedder: re-ingest
├── ConfigError                    a KB_* setting is wrong
└── LLMUnavailable                 the LLM endpoint failed: answers fall back to the extractive answerer
"""
from __future__ import annotations


class KBError(Exception):
    """Base class; `code` is a stable English identifier, the message is for people."""

    code = "kb_error"


class IngestError(KBError):
    code = "ingest_error"

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class IndexNotBuilt(KBError):
    code = "index_not_built"

    def __init__(self, data_dir: str) -> None:
        super().__init__(f"索引尚未建立 (no index in {data_dir}); 请先运行: kb ingest corpus/")


class EmbedderMismatch(KBError):
    code = "embedder_mismatch"

    def __init__(self, built_with: str, current: str, data_dir: str) -> None:
        super().__init__(
            f"索引由嵌入模型 {built_with} 构建，当前配置为 {current}，不能混用 "
            f"(index built with {built_with}, current embedder is {current}). "
            f"请删除 {data_dir} 后重新运行 kb ingest，或改回原来的 KB_EMBED_* 设置。"
        )
        self.built_with = built_with
        self.current = current


class ConfigError(KBError):
    code = "config_error"


class LLMUnavailable(KBError):
    code = "llm_unavailable"
