"""LLM clients: any OpenAI-compatible chat endpoint (vLLM, Ollama, DeepSeek, Qwen, llama.cpp server)
and a local GGUF model through llama-cpp-python. Both stream text pieces.

Every failure raises kb.errors.LLMUnavailable, the one error the answerers catch (they fall back to the
extractive answer): an HTTP error status, a timeout, a refused connection, a malformed or unexpectedly
shaped chunk, an {"error": ...} payload inside the stream, an empty completion, or a stream that stops
before it is finished ([DONE] or a finish_reason).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx

from kb.errors import ConfigError, LLMUnavailable
from kb.settings import Settings

_EXCERPT = 200
_STATUS_HINTS = {
    401: "请检查 KB_LLM_API_KEY (check the API key)",
    403: "请检查 KB_LLM_API_KEY (check the API key)",
    404: "请检查 KB_LLM_BASE_URL 和 KB_LLM_MODEL (check the endpoint and model name)",
    429: "请求过多，请稍后再试 (rate limited)",
}


def _excerpt(value: object) -> str:
    """At most _EXCERPT characters of value, on one line."""
    text = " ".join(str(value).split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _error_text(error: object) -> str:
    if isinstance(error, dict) and error.get("message"):
        return _excerpt(error["message"])
    return _excerpt(json.dumps(error, ensure_ascii=False) if isinstance(error, (dict, list)) else error)


def _parse_chunk(chunk: object) -> tuple[str | None, bool]:
    """(text, finished) of one chat-completion chunk; LLMUnavailable when it is an error or has a bad shape.

    Tolerated: `choices: []` (usage-only chunks), a missing or null delta, null content."""
    def bad(what: str) -> LLMUnavailable:
        return LLMUnavailable(f"大模型返回了无法识别的数据：{what} (unexpected chunk shape): {_excerpt(chunk)}")

    if not isinstance(chunk, dict):
        raise bad("不是 JSON 对象")
    if chunk.get("error"):
        raise LLMUnavailable(f"大模型接口报错 (LLM error in stream): {_error_text(chunk['error'])}")
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        raise bad("缺少 choices 列表")
    if not choices:
        return None, False
    choice = choices[0]
    if not isinstance(choice, dict):
        raise bad("choices[0] 不是对象")
    delta = choice.get("delta")
    if delta is None:
        delta = {}
    if not isinstance(delta, dict):
        raise bad("delta 不是对象")
    content = delta.get("content")
    if content is not None and not isinstance(content, str):
        raise bad("content 不是字符串")
    return content, choice.get("finish_reason") is not None


class _Progress:
    """What a stream has delivered so far: any text, and whether it said it was finished."""

    def __init__(self) -> None:
        self.got_text = self.finished = False

    def take(self, chunk) -> str | None:
        piece, done = _parse_chunk(chunk)
        self.finished = self.finished or done
        if piece:
            self.got_text = self.got_text or bool(piece.strip())
        return piece


def _finish(got_text: bool, finished: bool) -> None:
    """After the last chunk: an empty or cut-off completion is a failure too."""
    if not got_text:
        raise LLMUnavailable("大模型没有返回内容 (empty completion)")
    if not finished:
        raise LLMUnavailable("大模型输出意外中断 (stream ended before [DONE] / finish_reason)")


class OpenAICompatibleClient:
    def __init__(self, *, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 http_client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = timeout
        self.name = f"openai-compatible:{model}@{self.base_url}"
        # headers go with each request, so an injected client (tests: httpx.MockTransport) sends them too
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = http_client or httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0))

    def stream(self, messages: list[dict], *, max_tokens: int = 300, temperature: float = 0.1) -> Iterator[str]:
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                "temperature": temperature, "stream": True}
        url = f"{self.base_url}/chat/completions"
        progress = _Progress()
        try:
            with self.http.stream("POST", url, json=body, headers=self._headers) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    hint = "，" + _STATUS_HINTS[resp.status_code] if resp.status_code in _STATUS_HINTS else ""
                    raise LLMUnavailable(f"大模型接口返回 {resp.status_code} (LLM endpoint error){hint}: {_excerpt(resp.text)}")
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue  # blank lines, SSE comments (": ping"), event:/id:/retry: fields
                    data = line[5:].strip()
                    if data == "[DONE]":
                        progress.finished = True
                        break
                    if not data:
                        continue
                    try:
                        chunk = json.loads(data)
                    except ValueError as exc:
                        raise LLMUnavailable(f"大模型返回了无法解析的数据 (malformed JSON in stream): {_excerpt(data)}") from exc
                    piece = progress.take(chunk)
                    if piece:
                        yield piece
        except LLMUnavailable:
            raise
        except httpx.TimeoutException as exc:
            raise LLMUnavailable(f"大模型接口超时 (LLM timed out, {self.timeout:g}s): {url}") from exc
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise LLMUnavailable(f"无法连接大模型接口 {self.base_url} (LLM unreachable): {exc}") from exc
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"大模型接口通信失败 (LLM transport error): {type(exc).__name__}: {exc}") from exc
        except Exception as exc:  # anything else (e.g. httpx.StreamError) still means "no answer from the LLM"
            raise LLMUnavailable(f"大模型调用失败 (LLM call failed): {type(exc).__name__}: {_excerpt(exc)}") from exc
        _finish(progress.got_text, progress.finished)

    def ping(self) -> bool:
        try:
            return self.http.get(f"{self.base_url}/models", headers=self._headers, timeout=3.0).status_code < 500
        except (httpx.HTTPError, httpx.InvalidURL):
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
            try:
                self._model = Llama(model_path=self.path, n_ctx=self.n_ctx, n_threads=self.threads,
                                    chat_format="chatml", verbose=False)
            except Exception as exc:
                raise LLMUnavailable(f"无法加载本地模型 {self.path} (cannot load GGUF): {_excerpt(exc)}") from exc
        return self._model

    def stream(self, messages: list[dict], *, max_tokens: int = 300, temperature: float = 0.1) -> Iterator[str]:
        progress = _Progress()
        with self._lock:
            llama = self._llama()
            try:
                for chunk in llama.create_chat_completion(messages=messages, max_tokens=max_tokens,
                                                          temperature=temperature, stream=True):
                    piece = progress.take(chunk)
                    if piece:
                        yield piece
            except LLMUnavailable:
                raise
            except Exception as exc:
                raise LLMUnavailable(f"本地模型生成失败 (local LLM failed): {type(exc).__name__}: {_excerpt(exc)}") from exc
        _finish(progress.got_text, progress.finished)

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
