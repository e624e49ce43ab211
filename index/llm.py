"""LLM clients: any OpenAI-compatible chat endpoint (vLLM, Ollama, DeepSeek, Qwen, llama.cpp server)
and a local GGUF model through llama-cpp-python. Both stream text pieces; failures raise LLMUnavailable."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx

from kb.errors import ConfigError, LLMUnavailable
from kb.settings import Settings


class OpenAICompatibleClient:
    def __init__(self, *, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = f"openai-compatible:{model}@{self.base_url}"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0), headers=headers)

    def stream(self, messages: list[dict], *, max_tokens: int = 300, temperature: float = 0.1) -> Iterator[str]:
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                "temperature": temperature, "stream": True}
        try:
            with self.http.stream("POST", f"{self.base_url}/chat/completions", json=body) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise LLMUnavailable(f"大模型接口返回 {resp.status_code} (LLM endpoint error): {resp.text[:200]}")
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    choices = json.loads(data).get("choices") or [{}]
                    piece = (choices[0].get("delta") or {}).get("content")
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"无法连接大模型接口 {self.base_url} (LLM unreachable): {exc}") from exc

    def ping(self) -> bool:
        try:
            return self.http.get(f"{self.base_url}/models", timeout=3.0).status_code < 500
        except httpx.HTTPError:
            return False


class LlamaCppClient:
    """A local GGUF chat model (Qwen2.5 uses the ChatML format); one generation at a time."""

    def __init__(self, *, path: str, n_ctx: int = 4096, threads: int = 2) -> None:
        if not Path(path).is_file():
            raise ConfigError(f"KB_LLM_GGUF={path!r} 文件不存在 (no such GGUF file): 运行 make llm 安装本地模型")
        self.path = path
        self.name = f"llama-cpp:{Path(path).name}"
        self.n_ctx = n_ctx
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _llama(self):
        if self._model is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LLMUnavailable("未安装 llama-cpp-python (not installed): 运行 make llm") from exc
            self._model = Llama(model_path=self.path, n_ctx=self.n_ctx, n_threads=self.threads,
                                chat_format="chatml", verbose=False)
        return self._model

    def stream(self, messages: list[dict], *, max_tokens: int = 300, temperature: float = 0.1) -> Iterator[str]:
        with self._lock:
            llama = self._llama()
            for chunk in llama.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                      temperature=temperature, stream=True):
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece

    def ping(self) -> bool:
        return Path(self.path).is_file()


def make_llm(settings: Settings):
    """The configured LLM client, or None when no LLM is configured."""
    if settings.llm_base_url:
        if not settings.llm_model:
            raise ConfigError("KB_LLM_BASE_URL 需要同时设置 KB_LLM_MODEL (set the model name)")
        return OpenAICompatibleClient(base_url=settings.llm_base_url, model=settings.llm_model,
                                      api_key=settings.llm_api_key, timeout=settings.llm_timeout)
    if settings.llm_gguf:
        return LlamaCppClient(path=settings.llm_gguf)
    return None
