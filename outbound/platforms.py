"""What each platform expects: the JSON body, the signature, the size and rate limits,
and how its answer says yes.

- WeCom group robot: POST {"msgtype": "markdown", "markdown": {"content": ...}} to the
  robot's address (its key is in the query); content at most 4096 bytes; 20 messages a
  minute per robot; answers {"errcode": 0, "errmsg": "ok"}.
- DingTalk custom robot, with signing on: the address gets `&timestamp=<ms>&sign=<s>`,
  where s is the HMAC-SHA256 of "<timestamp>\\n<secret>" keyed with the secret, in
  base64, URL-encoded; body {"msgtype": "markdown", "markdown": {"title", "text"}};
  20 messages a minute; answers {"errcode": 0}.
- Feishu custom bot, with signature verification on: the body carries "timestamp"
  (seconds) and "sign", the base64 HMAC-SHA256 of an empty message keyed with
  "<timestamp>\\n<secret>"; a card with one markdown element; body at most 20 KB;
  100 messages a minute; answers {"code": 0}.
- JSON webhook (a zone's own data platform): {"title", "text", "kind", "key"}; with a
  secret, the header X-Signature is sha256=<hex HMAC-SHA256 of the body>; the header
  X-Message-Key lets the receiver drop a message it already has; any 2xx is a yes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.conf import settings

from outbound.models import Platform


@dataclass(frozen=True)
class Limits:
    max_bytes: int  # of the markdown text
    per_minute: int


LIMITS = {
    Platform.WECOM: Limits(max_bytes=4096, per_minute=20),
    Platform.DINGTALK: Limits(max_bytes=4000, per_minute=20),
    # The whole body must stay under 20 KB; the card around the text takes a little.
    Platform.FEISHU: Limits(max_bytes=18000, per_minute=100),
    Platform.WEBHOOK: Limits(max_bytes=60000, per_minute=60),
}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def build_request(*, platform: str, url: str, secret: str, title: str, text: str, kind: str, key: str) -> Request:
    now = time.time()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if platform == Platform.WECOM:
        payload: dict = {"msgtype": "markdown", "markdown": {"content": text}}
    elif platform == Platform.DINGTALK:
        payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
        if secret:
            stamp = int(now * 1000)
            url += ("&" if "?" in url else "?") + f"timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
    elif platform == Platform.FEISHU:
        payload = {
            "msg_type": "interactive",
            "card": {
                "header": {"title": {"tag": "plain_text", "content": title}},
                "elements": [{"tag": "markdown", "content": text}],
            },
        }
        if secret:
            stamp = int(now)
            payload = {"timestamp": str(stamp), "sign": feishu_sign(secret, stamp), **payload}
    else:
        payload = {"title": title, "text": text, "kind": kind, "key": key}
    body = json.dumps(payload, ensure_ascii=False).encode()
    if platform == Platform.WEBHOOK:
        headers["X-Message-Key"] = key
        if secret:
            headers["X-Signature"] = webhook_signature(secret, body)
    return Request(url=url, body=body, headers=headers)


@dataclass(frozen=True)
class Answer:
    ok: bool
    retry: bool  # a timeout, a refused connection, a 5xx or a rate limit: try again later
    status: int | None
    # What to show: the platform's own answer, or the kind of failure. Never the
    # exception's text, which can carry the address and with it the robot's key.
    detail: str


# Platform error codes that mean "too many messages": wait and send again.
RATE_LIMITED = {45009, 130101, 11232}


def _verdict(platform: str, status: int, raw: bytes) -> Answer:
    detail = raw[:300].decode("utf-8", "replace")
    if status >= 500 or status == 429:
        return Answer(ok=False, retry=True, status=status, detail=detail or f"HTTP {status}")
    if platform == Platform.WEBHOOK:
        return Answer(ok=200 <= status < 300, retry=False, status=status, detail=detail or f"HTTP {status}")
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return Answer(ok=False, retry=False, status=status, detail=detail)
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode"))) if isinstance(answer, dict) else None
    ok = status == 200 and code == 0
    return Answer(ok=ok, retry=not ok and code in RATE_LIMITED, status=status, detail=detail)


def post(request: Request, *, platform: str, timeout: float | None = None) -> Answer:
    timeout = timeout or settings.OUTBOUND_HTTP_TIMEOUT
    if not request.url.startswith(("https://", "http://")):
        return Answer(ok=False, retry=False, status=None, detail="not an http(s) address")
    http = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        # Only http(s), checked above; the address is an admin's robot.
        with urllib.request.urlopen(http, timeout=timeout) as response:  # nosec B310
            return _verdict(platform, response.status, response.read(64 * 1024))
    except urllib.error.HTTPError as error:
        return _verdict(platform, error.code, error.read(64 * 1024) if error.fp else b"")
    except TimeoutError:
        return Answer(ok=False, retry=True, status=None, detail="timeout")
    except (urllib.error.URLError, ConnectionError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Answer(ok=False, retry=True, status=None, detail="timeout")
        return Answer(ok=False, retry=True, status=None, detail=f"connection failed ({type(reason).__name__})")


def split_text(lines: list[str], *, max_bytes: int, header: str = "") -> list[str]:
    """Pack lines into texts of at most max_bytes (UTF-8), each starting with the header;
    a single line longer than the limit is cut."""
    budget = max_bytes - len(header.encode()) - 16  # room for a part number
    parts: list[list[str]] = [[]]
    used = 0
    for line in lines:
        encoded = line.encode()
        if len(encoded) > budget:
            line = encoded[: budget - 3].decode("utf-8", "ignore") + "…"
            encoded = line.encode()
        if parts[-1] and used + len(encoded) + 1 > budget:
            parts.append([])
            used = 0
        parts[-1].append(line)
        used += len(encoded) + 1
    texts = []
    for index, chunk in enumerate(parts, start=1):
        number = f" ({index}/{len(parts)})" if len(parts) > 1 else ""
        texts.append(f"{header}{number}\n" + "\n".join(chunk) if header else "\n".join(chunk))
    return texts
