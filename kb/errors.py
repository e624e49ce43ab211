"""The errors of the knowledge base, each telling the user what to do next.

KBError
├── IngestError(file, reason)      one file could not be read; the rest of the ingest goes on
├── UploadRejected(code, message)  an upload refused before anything is written (type, size, count, body)
├── IndexNotBuilt                  no index yet: run `kb ingest corpus/`
├── EmbedderMismatch               the index was built by another embedder: re-ingest
├── ConfigError                    a KB_* setting is wrong
└── LLMUnavailable                 the LLM endpoint failed: answers fall back to the extractive answerer

Messages never echo unbounded input: quote it through `clip`, and IngestError clips its parts.
"""
from __future__ import annotations

ECHO_CHARS = 200  # the most of any untrusted input (a value, a file name) an error message quotes
MAX_REASON_CHARS = 1000  # a reason is a sentence or two; anything longer is echoed input


def clip(text: str, limit: int = ECHO_CHARS) -> str:
    """text cut to limit characters, marked with … and the full length when cut."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}…(共 {len(text)} 字 / {len(text)} chars)"


class KBError(Exception):
    """Base class; `code` is a stable English identifier, the message is for people."""

    code = "kb_error"


class IngestError(KBError):
    code = "ingest_error"

    def __init__(self, file: str, reason: str) -> None:
        file, reason = clip(file), clip(reason, MAX_REASON_CHARS)
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class UploadRejected(KBError):
    """`code` is one of: unsupported_type, file_too_large, body_too_large, empty_file, bad_upload."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(clip(message, MAX_REASON_CHARS))
        self.code = code


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
