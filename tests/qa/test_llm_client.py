"""OpenAICompatibleClient offline, on httpx.MockTransport: the happy path and every way a stream can fail.

Each failure must surface as LLMUnavailable — the only error the answerers catch."""
from __future__ import annotations

import json

import httpx
import pytest

from index.retrieval import Hit
from kb.errors import ConfigError, LLMUnavailable
from qa.llm import LlamaCppClient, OpenAICompatibleClient
from qa.llm_answering import LLMAnswerer

MESSAGES = [{"role": "user", "content": "石门县有多少个网格？"}]


def chunk(content=None, finish=None) -> str:
    delta = {} if content is None else {"content": content}
    return "data: " + json.dumps({"choices": [{"delta": delta, "finish_reason": finish}]}, ensure_ascii=False)


def sse(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def client_for(handler, **kw) -> OpenAICompatibleClient:
    return OpenAICompatibleClient(base_url="http://llm.test/v1/", model="m", api_key=kw.pop("api_key", None),
                                  http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kw)


def replying(body: bytes | str, status: int = 200):
    return lambda request: httpx.Response(status, content=body)


def run(client) -> list[str]:
    return list(client.stream(MESSAGES, max_tokens=50, temperature=0.0))


class _Broken(httpx.SyncByteStream):
    """A body that sends `first` and then fails with `exc` (a dropped or stalled connection)."""

    def __init__(self, first: bytes, exc: Exception) -> None:
        self.first, self.exc = first, exc

    def __iter__(self):
        yield self.first
        raise self.exc


# --- happy path ---------------------------------------------------------------------------------------

def test_pieces_in_order_done_stops_and_other_lines_ignored():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(url=str(request.url), auth=request.headers.get("authorization"), body=json.loads(request.content))
        return httpx.Response(200, content=sse(
            ": ping", "", "event: message", "id: 1", "retry: 1000",
            chunk("石门县"), "", chunk("划分了"), "data:" + chunk("1236个网格")[5:].lstrip(), chunk(None, "stop"),
            "data: [DONE]", chunk("不应出现"), "data: not json at all"))

    pieces = run(client_for(handler, api_key="sk-test"))
    assert pieces == ["石门县", "划分了", "1236个网格"]
    assert seen["url"] == "http://llm.test/v1/chat/completions" and seen["auth"] == "Bearer sk-test"
    assert seen["body"] == {"model": "m", "messages": MESSAGES, "max_tokens": 50, "temperature": 0.0, "stream": True}


def test_finish_reason_without_done_and_usage_only_chunk_are_fine():
    body = sse(chunk("你好"), 'data: {"choices": [], "usage": {"total_tokens": 3}}', chunk(None, "length"))
    assert run(client_for(replying(body))) == ["你好"]


def test_early_close_by_consumer_is_not_an_error():
    stream = client_for(replying(sse(chunk("一"), chunk("二"), "data: [DONE]"))).stream(MESSAGES)
    assert next(stream) == "一"
    stream.close()


# --- HTTP status and transport failures ---------------------------------------------------------------

def test_http_error_status_with_bounded_body_excerpt():
    client = client_for(replying("内部错误" + "x" * 5000, status=500))
    with pytest.raises(LLMUnavailable, match="500") as err:
        run(client)
    assert "内部错误" in str(err.value) and "x" * 200 not in str(err.value) and len(str(err.value)) < 300


def test_unauthorized_names_the_setting():
    with pytest.raises(LLMUnavailable, match="KB_LLM_API_KEY"):
        run(client_for(replying('{"error": "bad key"}', status=401)))


@pytest.mark.parametrize("exc", [httpx.ConnectError("connection refused"), httpx.ConnectTimeout("connect timed out"),
                                 httpx.ReadTimeout("read timed out")])
def test_connect_and_timeout_failures(exc):
    def handler(request):
        raise exc

    with pytest.raises(LLMUnavailable) as err:
        run(client_for(handler))
    assert ("超时" if isinstance(exc, httpx.TimeoutException) else "无法连接") in str(err.value)


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("stalled"), httpx.RemoteProtocolError("peer closed connection")])
def test_failure_mid_stream_after_some_pieces(exc):
    def handler(request):
        return httpx.Response(200, stream=_Broken(sse(chunk("石门县")), exc))

    got = []
    with pytest.raises(LLMUnavailable):
        for piece in client_for(handler).stream(MESSAGES):
            got.append(piece)
    assert got == ["石门县"]


# --- malformed or unexpected stream content -----------------------------------------------------------

def test_malformed_json_line():
    with pytest.raises(LLMUnavailable, match="malformed JSON"):
        run(client_for(replying(sse(chunk("前半"), 'data: {"choices": [{"delta": {"content": "半截', "data: [DONE]"))))


@pytest.mark.parametrize("payload", [
    "[1, 2]",                                           # not an object
    '"just a string"',
    '{"id": "x"}',                                      # choices missing
    '{"choices": null}',
    '{"choices": {"0": {"delta": {"content": "a"}}}}',  # choices not a list
    '{"choices": "abc"}',
    '{"choices": ["abc"]}',                             # choice not an object
    '{"choices": [{"delta": "abc"}]}',                  # delta not an object
    '{"choices": [{"delta": {"content": 5}}]}',         # content not a string
    '{"choices": [{"delta": {"content": ["a"]}}]}',
])
def test_unexpected_chunk_shapes(payload):
    with pytest.raises(LLMUnavailable, match="unexpected chunk"):
        run(client_for(replying(sse(chunk("好"), "data: " + payload, "data: [DONE]"))))


def test_error_payload_inside_the_stream():
    body = sse(chunk("石门"), 'data: {"error": {"message": "model overloaded", "code": 503}}', "data: [DONE]")
    with pytest.raises(LLMUnavailable, match="model overloaded"):
        run(client_for(replying(body)))


@pytest.mark.parametrize("body", [b"", sse("data: [DONE]"), sse(chunk(None, "stop")), sse(chunk(" \n"), "data: [DONE]"),
                                  sse(": ping", "")])
def test_empty_completion(body):
    with pytest.raises(LLMUnavailable) as err:
        run(client_for(replying(body)))
    assert str(err.value) == "大模型没有返回内容 (empty completion)"


def test_stream_cut_off_without_done_or_finish_reason():
    with pytest.raises(LLMUnavailable, match="意外中断"):
        run(client_for(replying(sse(chunk("石门县划分了")))))


def test_answerer_falls_back_when_the_stream_is_malformed():
    from tests.qa.test_llm_answering import _extractive

    hits = [Hit("d:0", "石门县把全县划分为1236个网格。", {"doc_id": "d", "title": "基层治理", "start": 0, "end": 16}, 1.0)]
    llm = LLMAnswerer(client_for(replying(sse("data: {oops", "data: [DONE]"))),
                      fallback=_extractive(0.0))
    answer = llm.answer("石门县有多少个网格？", hits)
    assert "摘录式" in answer.notice and "1236" in answer.answer


# --- ping and the local client ------------------------------------------------------------------------

def test_ping():
    assert client_for(replying(b"{}")).ping() is True

    def refuse(request):
        raise httpx.ConnectError("refused")

    assert client_for(refuse).ping() is False


def test_llama_cpp_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="GGUF"):
        LlamaCppClient(path=str(tmp_path / "absent.gguf"))
