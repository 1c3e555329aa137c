"""A local fake LLM server speaking the OpenAI chat-completions and Anthropic messages wire
formats, so tests drive the real SDKs over real HTTP.

    with FakeLLMServer(answer=lambda body: "hello") as server:
        server.script.append(Status(429, retry_after=1))   # the next request gets a 429
        ... OpenAI base URL: server.openai_url (".../v1"); Anthropic base URL: server.url
        server.count("chat/completions")                   # requests seen

Behaviour per request: the next scripted item (`Status`, `Hang`, `Reply`, `Drop`) if any, else the
default `answer(body)` (a string or a `Reply`) after `latency` seconds. Streaming (`"stream":
true`) is answered as server-sent events in either format.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str | None = "ok"
    finish_reason: str = "stop"  # stop | length | content_filter | refusal
    refusal: str | None = None
    reasoning: str | None = None
    choices: int | None = None  # OpenAI: how many choices to return (default: the request's n)


@dataclass
class Status:
    code: int
    retry_after: float | None = None
    message: str = "scripted failure"


@dataclass
class Hang:
    seconds: float  # sleep before answering normally (the client should time out first)


@dataclass
class Drop:
    """Close the connection without an answer."""


Script = Reply | Status | Hang | Drop


@dataclass
class Seen:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


def _tokens(text: str | None) -> int:
    return max(1, len(text or "") // 4)


def _prompt_tokens(body: dict[str, Any]) -> int:
    parts = [m.get("content") or "" for m in body.get("messages", [])]
    system = body.get("system")
    if isinstance(system, str):
        parts.append(system)
    return sum(_tokens(p if isinstance(p, str) else json.dumps(p)) for p in parts)


class FakeLLMServer:
    def __init__(self, answer: Callable[[dict[str, Any]], str | Reply] | None = None,
                 latency: float = 0.0) -> None:
        self.answer = answer or (lambda body: "ok")
        self.latency = latency
        self.script: deque[Script] = deque()
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0  # most requests handled at the same time
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeLLMServer:
        owner = self

        class Handler(_Handler):
            server_owner = owner

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    # --- inspection ---------------------------------------------------------------------------

    def count(self, path_suffix: str = "") -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path.endswith(path_suffix))

    def bodies(self, path_suffix: str = "") -> list[dict[str, Any]]:
        with self._lock:
            return [r.body for r in self.requests if r.path.endswith(path_suffix)]

    def _record(self, seen: Seen) -> Script | None:
        with self._lock:
            self.requests.append(seen)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.script.popleft() if self.script else None

    def _done(self) -> None:
        with self._lock:
            self.in_flight -= 1


class _Handler(BaseHTTPRequestHandler):
    server_owner: FakeLLMServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        owner = self.server_owner
        scripted = owner._record(Seen(self.path, body, dict(self.headers.items())))
        try:
            self._respond(owner, body, scripted)
        finally:
            owner._done()

    def _respond(self, owner: FakeLLMServer, body: dict[str, Any],
                 scripted: Script | None) -> None:
        anthropic = self.path.rstrip("/").endswith("/messages")
        if not self.path.rstrip("/").endswith(("/chat/completions", "/messages")):
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if owner.latency:
            time.sleep(owner.latency)
        if isinstance(scripted, Drop):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if isinstance(scripted, Status):
            self._status(scripted, anthropic)
            return
        if isinstance(scripted, Hang):
            time.sleep(scripted.seconds)
            scripted = None
        reply = scripted if isinstance(scripted, Reply) else owner.answer(body)
        if isinstance(reply, str):
            reply = Reply(reply)
        try:
            if anthropic:
                self._anthropic(body, reply)
            else:
                self._openai(body, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    # --- OpenAI -------------------------------------------------------------------------------

    def _openai(self, body: dict[str, Any], reply: Reply) -> None:
        n = reply.choices if reply.choices is not None else int(body.get("n") or 1)
        model = body.get("model", "fake")
        finish = "stop" if reply.finish_reason == "refusal" else reply.finish_reason
        messages = []
        for _ in range(n):
            message: dict[str, Any] = {"role": "assistant", "content": reply.text,
                                       "refusal": reply.refusal}
            if reply.reasoning:
                message["reasoning_content"] = reply.reasoning
            messages.append(message)
        completion_tokens = sum(_tokens(reply.text) + _tokens(reply.reasoning) for _ in messages)
        usage = {
            "prompt_tokens": _prompt_tokens(body),
            "completion_tokens": completion_tokens,
            "total_tokens": _prompt_tokens(body) + completion_tokens,
            "completion_tokens_details": {
                "reasoning_tokens": n * _tokens(reply.reasoning) if reply.reasoning else 0},
        }
        rid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        if body.get("stream"):
            events = []
            for i, m in enumerate(messages):
                base = {"id": rid, "object": "chat.completion.chunk", "created": 0,
                        "model": model}
                deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
                if m.get("reasoning_content"):
                    deltas.append({"reasoning_content": m["reasoning_content"]})
                text = m["content"] or ""
                half = len(text) // 2
                deltas += [{"content": text[:half]}, {"content": text[half:]}]
                if m["refusal"]:
                    deltas.append({"refusal": m["refusal"]})
                for d in deltas:
                    events.append({**base, "choices": [
                        {"index": i, "delta": d, "finish_reason": None}]})
                events.append({**base, "choices": [
                    {"index": i, "delta": {}, "finish_reason": finish}]})
            events.append({"id": rid, "object": "chat.completion.chunk", "created": 0,
                           "model": model, "choices": [], "usage": usage})
            payload = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
            self._raw(200, payload.encode(), "text/event-stream")
            return
        self._json(200, {
            "id": rid, "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": i, "message": m, "finish_reason": finish, "logprobs": None}
                        for i, m in enumerate(messages)],
            "usage": usage,
        }, {"x-request-id": f"req_{rid}"})

    # --- Anthropic ----------------------------------------------------------------------------

    def _anthropic(self, body: dict[str, Any], reply: Reply) -> None:
        stop = {"stop": "end_turn", "length": "max_tokens", "refusal": "refusal",
                "content_filter": "refusal"}.get(reply.finish_reason, reply.finish_reason)
        content: list[dict[str, Any]] = []
        if reply.reasoning:
            content.append({"type": "thinking", "thinking": reply.reasoning, "signature": "sig"})
        text = reply.text if reply.text is not None else (reply.refusal or "")
        content.append({"type": "text", "text": text})
        out_tokens = _tokens(text) + (_tokens(reply.reasoning) if reply.reasoning else 0)
        usage = {"input_tokens": _prompt_tokens(body), "output_tokens": out_tokens}
        msg = {"id": f"msg_{uuid.uuid4().hex[:12]}", "type": "message", "role": "assistant",
               "model": body.get("model", "fake"), "content": content, "stop_reason": stop,
               "stop_sequence": None, "usage": usage}
        if not body.get("stream"):
            self._json(200, msg, {"request-id": f"req_{msg['id']}"})
            return
        start = {**msg, "content": [], "stop_reason": None,
                 "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}
        events: list[tuple[str, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": start})]
        for i, block in enumerate(content):
            if block["type"] == "thinking":
                empty: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": ""}
                deltas = [{"type": "thinking_delta", "thinking": block["thinking"]},
                          {"type": "signature_delta", "signature": "sig"}]
            else:
                empty = {"type": "text", "text": ""}
                half = len(block["text"]) // 2
                deltas = [{"type": "text_delta", "text": block["text"][:half]},
                          {"type": "text_delta", "text": block["text"][half:]}]
            events.append(("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": empty}))
            events += [("content_block_delta", {"type": "content_block_delta", "index": i,
                                                "delta": d}) for d in deltas]
            events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
        events.append(("message_delta", {"type": "message_delta",
                                         "delta": {"stop_reason": stop, "stop_sequence": None},
                                         "usage": {"output_tokens": out_tokens}}))
        events.append(("message_stop", {"type": "message_stop"}))
        payload = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
        self._raw(200, payload.encode(), "text/event-stream")

    # --- plumbing -----------------------------------------------------------------------------

    def _status(self, status: Status, anthropic: bool) -> None:
        headers = {}
        if status.retry_after is not None:
            headers["retry-after"] = f"{status.retry_after:g}"
        if anthropic:
            kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status.code, "api_error")
            payload: dict[str, Any] = {"type": "error",
                                       "error": {"type": kind, "message": status.message}}
        else:
            payload = {"error": {"message": status.message, "type": "fake", "code": status.code}}
        self._json(status.code, payload, headers)

    def _json(self, code: int, payload: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        self._raw(code, json.dumps(payload).encode(), "application/json", headers)

    def _raw(self, code: int, data: bytes, ctype: str,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    """Serve in a process of its own (benchmarks): prints the base URL, runs until stdin closes.

    python tests/fake_llm_server.py --latency 0.2 --answer "<CODE>...</CODE>"
    """
    import argparse
    import sys

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--answer", default="ok")
    args = ap.parse_args()
    with FakeLLMServer(answer=lambda body: args.answer, latency=args.latency) as server:
        print(server.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
