"""Stand-ins for the platforms' robot endpoints: a real HTTP server on 127.0.0.1 in a
thread of the test process, checking what each platform checks.

- /wecom/send?key=K: WeCom; markdown content at most 4096 bytes; 20 a minute per key,
  answered with errcode 45009 beyond that.
- /dingtalk/send?access_token=T&timestamp=..&sign=..: DingTalk; the sign must be the
  URL-encoded base64 HMAC-SHA256 of "<timestamp>\\n<secret>" keyed with the secret,
  the timestamp (ms) within an hour; errcode 310000 otherwise; 20 a minute.
- /feishu/hook/ID: Feishu; body "timestamp" (s) and "sign" = base64 HMAC-SHA256 of an
  empty message keyed with "<timestamp>\\n<secret>"; code 19021 otherwise; body at most
  20 KB.
- /webhook: any JSON; with a secret, X-Signature must be sha256=<hex HMAC of the body>.

`script` is a list of what to do with the next requests ("500", "timeout", or "hold":
keep the request unanswered until the test ends, as a platform that took a message
from a sender that died before the answer came);
once it is empty every request is answered as the platform answers a good one.
`received` keeps the messages taken (parsed JSON, with the path and headers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

SECRET = "SECtest-0123456789abcdef"


class Robots:
    def __init__(self, *, secret: str = SECRET, stall_seconds: float = 3.0) -> None:
        self.secret = secret
        self.stall_seconds = stall_seconds
        self.script: list[str] = []
        self.received: list[dict] = []
        self.refused: list[dict] = []
        self.held: list[dict] = []  # taken, but the sender never saw an answer
        self.requests = 0
        self.release = threading.Event()
        self.holding = threading.Event()
        self._sent_at: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        robots = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                robots.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, platform: str) -> str:
        return {
            "wecom": f"{self.base}/wecom/send?key=test-key",
            "dingtalk": f"{self.base}/dingtalk/send?access_token=test-token",
            "feishu": f"{self.base}/feishu/hook/test-hook",
            "webhook": f"{self.base}/webhook",
        }[platform]

    def __enter__(self) -> Robots:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # --- What a platform does ------------------------------------------------------------

    def _answer(self, handler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _rate_limited(self, key: str, per_minute: int) -> bool:
        now = time.time()
        recent = [moment for moment in self._sent_at.get(key, []) if now - moment < 60]
        if len(recent) >= per_minute:
            return True
        self._sent_at[key] = [*recent, now]
        return False

    def handle(self, handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length)
        with self._lock:
            self.requests += 1
            step = self.script.pop(0) if self.script else "ok"
        if step == "500":
            return self._answer(handler, 500, {"error": "internal"})
        if step == "timeout":
            time.sleep(self.stall_seconds)
            return self._answer(handler, 200, {"errcode": 0, "code": 0})
        if step == "hold":
            self.held.append({"body": json.loads(raw), "headers": dict(handler.headers)})
            self.holding.set()
            self.release.wait(60)
            return self._answer(handler, 200, {"errcode": 0, "code": 0})
        parts = urlsplit(handler.path)
        query = parse_qs(parts.query)
        body = json.loads(raw)
        entry = {"path": parts.path, "query": query, "body": body, "headers": dict(handler.headers)}
        with self._lock:
            if parts.path.startswith("/wecom/"):
                return self._wecom(handler, entry)
            if parts.path.startswith("/dingtalk/"):
                return self._dingtalk(handler, entry, handler.path)
            if parts.path.startswith("/feishu/"):
                return self._feishu(handler, entry, raw)
            return self._webhook(handler, entry, raw)

    def _refuse(self, handler, entry, status, body):
        self.refused.append({**entry, "answer": body})
        return self._answer(handler, status, body)

    def _wecom(self, handler, entry):
        content = entry["body"].get("markdown", {}).get("content", "")
        if entry["body"].get("msgtype") != "markdown" or not content:
            return self._refuse(handler, entry, 200, {"errcode": 40008, "errmsg": "invalid message type"})
        if len(content.encode()) > 4096:
            return self._refuse(handler, entry, 200, {"errcode": 40058, "errmsg": "content exceed max length"})
        if self._rate_limited("wecom", 20):
            return self._refuse(handler, entry, 200, {"errcode": 45009, "errmsg": "api freq out of limit"})
        self.received.append(entry)
        return self._answer(handler, 200, {"errcode": 0, "errmsg": "ok"})

    def _dingtalk(self, handler, entry, path):
        # The sign is checked on the raw query, as it was URL-encoded by the sender.
        raw_query = dict(pair.split("=", 1) for pair in urlsplit(path).query.split("&"))
        stamp = raw_query.get("timestamp", "")
        expected = base64.b64encode(
            hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}".encode(), hashlib.sha256).digest()
        ).decode()
        sign = unquote_plus(raw_query.get("sign", ""))
        if not stamp or not hmac.compare_digest(sign, expected) or abs(time.time() * 1000 - int(stamp)) > 3600_000:
            return self._refuse(handler, entry, 200, {"errcode": 310000, "errmsg": "sign not match"})
        markdown = entry["body"].get("markdown", {})
        if entry["body"].get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
            return self._refuse(handler, entry, 200, {"errcode": 40035, "errmsg": "missing parameter"})
        if self._rate_limited("dingtalk", 20):
            return self._refuse(handler, entry, 200, {"errcode": 130101, "errmsg": "send too fast"})
        self.received.append(entry)
        return self._answer(handler, 200, {"errcode": 0, "errmsg": "ok"})

    def _feishu(self, handler, entry, raw):
        body = entry["body"]
        stamp = body.get("timestamp", "")
        key = f"{stamp}\n{self.secret}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        if not stamp or not hmac.compare_digest(body.get("sign", ""), expected) or abs(time.time() - int(stamp)) > 3600:
            return self._refuse(
                handler,
                entry,
                200,
                {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"},
            )
        if len(raw) > 20 * 1024:
            return self._refuse(handler, entry, 200, {"code": 9499, "msg": "request body too large"})
        if body.get("msg_type") != "interactive" or not body.get("card", {}).get("elements"):
            return self._refuse(handler, entry, 200, {"code": 19002, "msg": "params error"})
        self.received.append(entry)
        return self._answer(handler, 200, {"code": 0, "msg": "success", "data": {}})

    def _webhook(self, handler, entry, raw):
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(entry["headers"].get("X-Signature", ""), expected):
            return self._refuse(handler, entry, 401, {"error": "bad signature"})
        self.received.append(entry)
        return self._answer(handler, 200, {"ok": True})

    # --- What tests read ------------------------------------------------------------------

    def texts(self) -> list[str]:
        """The markdown text of each message taken, whatever the platform."""
        out = []
        for entry in self.received:
            body = entry["body"]
            if "markdown" in body:
                out.append(body["markdown"].get("content") or body["markdown"].get("text"))
            elif "card" in body:
                out.append(body["card"]["elements"][0]["content"])
            else:
                out.append(body.get("text", ""))
        return out
