"""A fake Zalo (OA API and OAuth v4) on loopback, for tests and ``make run`` demo mode.

A real HTTP server in a thread, speaking the endpoints the client uses with Zalo's envelopes
and error codes (facts.py): access tokens that expire, single-use refresh tokens, article
verification that answers -214 a few times, a monthly broadcast quota, followers who can
unfollow, the 7-day reply window, and injected faults (5xx, 429, -32, slow answers that make
the client time out, before or after the effect is applied). ``outbox`` lists every message
and broadcast sent, for assertions.

    with FakeZalo() as fake:
        settings.ZALO_API_BASE = settings.ZALO_OAUTH_BASE = fake.base_url
        token = fake.issue_refresh_token()
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import secrets
import threading
import time
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import facts

APP_ID = "fake-app-id"
APP_SECRET = "fake-app-secret"
OA_SECRET = "fake-oa-secret"
OA_ID = "1000000000000000001"

# Codes the fake answers that the real API's documentation would name (UNCONFIRMED: chosen
# for the fake only; the client maps any unknown negative code to ZaloError).
ERR_INVALID_PARAM = -201
ERR_QUOTA = -240
ERR_NOT_FOUND = -202


class Fault:
    """One injected fault for requests whose path starts with ``path``."""

    def __init__(self, path: str, kind: str, times: int = 1, delay: float = 0.0):
        self.path = path
        self.kind = kind  # "500", "503", "429", "-32", "not_json", "slow_before", "slow_after"
        self.times = times
        self.delay = delay


class FakeZalo:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, app_id: str = APP_ID,
                 app_secret: str = APP_SECRET, oa_secret: str = OA_SECRET, oa_id: str = OA_ID,
                 access_lifetime: int = facts.ACCESS_TOKEN_DEFAULT_LIFETIME,
                 monthly_quota: int = 4, verify_pending_rounds: int = 0):
        self.app_id = app_id
        self.app_secret = app_secret
        self.oa_secret = oa_secret
        self.oa_id = oa_id
        self.oa_name = "Trung tâm Văn hóa - Thông tin xã (thử nghiệm)"
        self.access_lifetime = access_lifetime
        self.monthly_quota = monthly_quota
        self.verify_pending_rounds = verify_pending_rounds
        self.lock = threading.RLock()
        self.refresh_tokens: set[str] = set()
        self.burnt_refresh_tokens: set[str] = set()
        self.access_tokens: dict[str, float] = {}  # token -> expiry (time.time())
        self.auth_codes: dict[str, dict] = {}
        self.articles: dict[str, dict] = {}
        self.pending_tokens: dict[str, dict] = {}  # token -> {"id", "rounds_left"}
        self.outbox: list[dict] = []
        self.broadcasts_this_month = 0
        self.unfollowed: set[str] = set()
        self.window_closed: set[str] = set()
        self.images: dict[str, bytes] = {}
        self.requests: list[dict] = []
        self.refresh_calls: list[dict] = []
        self.faults: deque[Fault] = deque()
        self.refresh_delay = 0.0
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeZalo:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True,
                                        name="fake-zalo")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- controls for tests ----------------------------------------------------------------
    def issue_refresh_token(self) -> str:
        token = "rt-" + secrets.token_urlsafe(12)
        with self.lock:
            self.refresh_tokens.add(token)
        return token

    def issue_access_token(self, lifetime: int | None = None) -> str:
        token = "at-" + secrets.token_urlsafe(12)
        with self.lock:
            self.access_tokens[token] = time.time() + (lifetime or self.access_lifetime)
        return token

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is expired now (as if 25 h had passed)."""
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0.0

    def fail(self, path: str, kind: str, *, times: int = 1, delay: float = 0.0) -> None:
        with self.lock:
            self.faults.append(Fault(path, kind, times, delay))

    def calls(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["path"] == path]

    def live_articles(self) -> list[dict]:
        return [a for a in self.articles.values() if not a["removed"]]

    def _next_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids):06d}{secrets.randbelow(1000):03d}"

    # --- the server ----------------------------------------------------------------------
    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                return

            def do_GET(self):
                fake._handle(self, "GET")

            def do_POST(self):
                fake._handle(self, "POST")

        return Handler

    def _reply(self, handler, status: int, payload, *, raw: bytes | None = None,
               headers: dict | None = None) -> None:
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        try:
            handler.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout): the effect, if any, stays applied

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in list(self.faults):
                if path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _handle(self, handler, method: str) -> None:
        split = urllib.parse.urlsplit(handler.path)
        path = split.path
        query = dict(urllib.parse.parse_qsl(split.query))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        record = {"method": method, "path": path, "query": query, "at": time.time(),
                  "token": handler.headers.get(facts.ACCESS_TOKEN_HEADER, "")}
        with self.lock:
            self.requests.append(record)
        fault = self._take_fault(path)
        if fault is not None:
            if fault.kind == "slow_before":
                self._stop.wait(fault.delay)
                self._reply(handler, 200, {"error": 0, "message": "late", "data": {}})
                return
            if fault.kind == "not_json":
                self._reply(handler, 200, None, raw=b"<html>Bad gateway</html>")
                return
            if fault.kind.isdigit():
                self._reply(handler, int(fault.kind), {"error": -1, "message": "Server error"})
                return
            if fault.kind.startswith("-"):
                self._reply(handler, 200, {"error": int(fault.kind), "message": "Fault injected"})
                return
        try:
            status, payload = self._route(method, path, query, raw, handler.headers)
        except Exception as err:  # noqa: BLE001 - a fake bug becomes a visible 500
            status, payload = 500, {"error": -1, "message": f"fake crashed: {err!r}"}
        if fault is not None and fault.kind == "slow_after":
            self._stop.wait(fault.delay)  # the effect is applied, the answer comes too late
        location = payload.get("location") if status == 302 else None
        self._reply(handler, status, payload, headers={"Location": location} if location else None)

    # --- routing -------------------------------------------------------------------------
    def _route(self, method, path, query, raw, headers):
        if path == facts.OAUTH_TOKEN_PATH and method == "POST":
            return self._oauth_token(raw, headers)
        if path == facts.OAUTH_PERMISSION_PATH and method == "GET":
            return self._oauth_permission(query)
        token = headers.get(facts.ACCESS_TOKEN_HEADER, "")
        with self.lock:
            expiry = self.access_tokens.get(token)
        if expiry is None:
            return 200, {"error": facts.ERR_ACCESS_TOKEN_INVALID, "message": "Access token is invalid"}
        if expiry < time.time():
            return 200, {"error": facts.ERR_ACCESS_TOKEN_EXPIRED, "message": "Access token has expired"}
        if method == "GET":
            try:
                params = json.loads(query.get(facts.GET_DATA_PARAM) or "{}")
            except ValueError:
                return 200, {"error": ERR_INVALID_PARAM, "message": "data is not JSON"}
            params = {**{k: v for k, v in query.items() if k != facts.GET_DATA_PARAM}, **params}
            routes = {facts.OA_INFO: self._getoa, facts.ARTICLE_DETAIL: self._getdetail,
                      facts.ARTICLE_SLICE: self._getslice}
            if path in routes:
                return routes[path](params)
            return 404, {"error": -404, "message": "Not found"}
        if path == facts.OA_UPLOAD_IMAGE:
            return self._upload(raw, headers)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 200, {"error": ERR_INVALID_PARAM, "message": "Body is not JSON"}
        routes = {
            facts.ARTICLE_CREATE: self._create, facts.ARTICLE_UPDATE: self._update,
            facts.ARTICLE_VERIFY: self._verify, facts.ARTICLE_REMOVE: self._remove,
            facts.OA_BROADCAST: self._broadcast, facts.OA_CS_MESSAGE: self._cs,
        }
        if path in routes:
            with self.lock:
                return routes[path](body)
        return 404, {"error": -404, "message": "Not found"}

    def _oauth_permission(self, query):
        code = "code-" + secrets.token_urlsafe(10)
        with self.lock:
            self.auth_codes[code] = {"challenge": query.get("code_challenge", ""),
                                     "at": time.time()}
        target = query.get("redirect_uri", "")
        sep = "&" if "?" in target else "?"
        location = target + sep + urllib.parse.urlencode(
            {"code": code, "oa_id": self.oa_id, "state": query.get("state", "")})
        return 302, {"location": location}

    def _oauth_token(self, raw, headers):
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        if headers.get(facts.OAUTH_SECRET_HEADER) != self.app_secret or form.get("app_id") != self.app_id:
            return 200, {"error": -14002, "error_name": "Invalid app secret"}
        grant = form.get("grant_type")
        if self.refresh_delay:
            time.sleep(self.refresh_delay)
        with self.lock:
            self.refresh_calls.append({"grant": grant, "at": time.time()})
            if grant == "refresh_token":
                token = form.get("refresh_token", "")
                if token not in self.refresh_tokens:
                    return 200, {"error": -14014, "error_name": "Invalid refresh token",
                                 "error_description": "Refresh token is invalid or used"}
                self.refresh_tokens.discard(token)  # single use
                self.burnt_refresh_tokens.add(token)
            elif grant == "authorization_code":
                entry = self.auth_codes.pop(form.get("code", ""), None)
                if entry is None or time.time() - entry["at"] > facts.AUTHORIZATION_CODE_LIFETIME:
                    return 200, {"error": -14019, "error_name": "Invalid code"}
                if entry["challenge"] and entry["challenge"] != pkce_challenge(form.get("code_verifier", "")):
                    return 200, {"error": -14020, "error_name": "Invalid code verifier"}
            else:
                return 200, {"error": -14001, "error_name": "Invalid grant type"}
        new_refresh = self.issue_refresh_token()
        access = self.issue_access_token()
        # ``expires_in`` is a string of seconds. [facts]
        return 200, {"access_token": access, "refresh_token": new_refresh,
                     "expires_in": str(self.access_lifetime)}

    def _getoa(self, params):
        return 200, {"error": 0, "message": "Success", "data": {
            "oa_id": self.oa_id, "name": self.oa_name, "num_follower": 1234,
            "is_verified": True, "package_name": "basic"}}

    def _getdetail(self, params):
        article = self.articles.get(str(params.get("id", "")))
        if article is None or article["removed"]:
            return 200, {"error": ERR_NOT_FOUND, "message": "Article not found"}
        return 200, {"error": 0, "message": "Success", "data": article}

    def _getslice(self, params):
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 10))
        items = sorted(self.live_articles(), key=lambda a: a["create_date"], reverse=True)
        medias = [{"id": a["id"], "title": a["title"], "create_date": a["create_date"],
                   "status": a["status"], "type": "normal"} for a in items[offset:offset + limit]]
        return 200, {"error": 0, "message": "Success",
                     "data": {"medias": medias, "total": len(items)}}

    def _validate_article(self, body):
        problems = []
        if not body.get("title") or len(body["title"]) > facts.ARTICLE_TITLE_MAX:
            problems.append("title")
        if len(body.get("author", "")) > facts.ARTICLE_AUTHOR_MAX:
            problems.append("author")
        if len(body.get("description", "")) > facts.ARTICLE_DESCRIPTION_MAX:
            problems.append("description")
        cover = body.get("cover") or {}
        if not str(cover.get("photo_url", "")).startswith(("http://", "https://")):
            problems.append("cover")
        items = body.get("body")
        if not isinstance(items, list) or not items:
            problems.append("body")
        else:
            for item in items:
                if item.get("type") not in ("text", "image", "video"):
                    problems.append("body.type")
        return problems

    def _create(self, body):
        problems = self._validate_article(body)
        if problems:
            return 200, {"error": ERR_INVALID_PARAM, "message": "Invalid: " + ",".join(problems)}
        article_id = self._next_id()
        self.articles[article_id] = {
            "id": article_id, "title": body["title"], "body": body["body"],
            "cover": body["cover"], "description": body.get("description", ""),
            "status": body.get("status", "show"), "create_date": time.time(),
            "removed": False, "versions": 1,
        }
        token = "tk-" + secrets.token_urlsafe(10)
        self.pending_tokens[token] = {"id": article_id, "rounds_left": self.verify_pending_rounds}
        return 200, {"error": 0, "message": "Success", "data": {"token": token}}

    def _update(self, body):
        article = self.articles.get(str(body.get("id", "")))
        if article is None or article["removed"]:
            return 200, {"error": ERR_NOT_FOUND, "message": "Article not found"}
        problems = self._validate_article(body)
        if problems:
            return 200, {"error": ERR_INVALID_PARAM, "message": "Invalid: " + ",".join(problems)}
        article.update(title=body["title"], body=body["body"], cover=body["cover"],
                       description=body.get("description", ""),
                       status=body.get("status", "show"), versions=article["versions"] + 1)
        token = "tk-" + secrets.token_urlsafe(10)
        self.pending_tokens[token] = {"id": article["id"], "rounds_left": self.verify_pending_rounds}
        return 200, {"error": 0, "message": "Success", "data": {"token": token}}

    def _verify(self, body):
        entry = self.pending_tokens.get(str(body.get("token", "")))
        if entry is None:
            return 200, {"error": ERR_NOT_FOUND, "message": "Token not found"}
        if entry["rounds_left"] > 0:
            entry["rounds_left"] -= 1
            return 200, {"error": facts.ERR_MEDIA_PROCESSING, "message": "Media is being processed"}
        return 200, {"error": 0, "message": "Success", "data": {"id": entry["id"]}}

    def _remove(self, body):
        article = self.articles.get(str(body.get("id", "")))
        if article is None:
            return 200, {"error": ERR_NOT_FOUND, "message": "Article not found"}
        article["removed"] = True
        return 200, {"error": 0, "message": "Success", "data": {}}

    def _broadcast(self, body):
        try:
            elements = body["message"]["attachment"]["payload"]["elements"]
            ids = [str(e["attachment_id"]) for e in elements]
        except (KeyError, TypeError):
            return 200, {"error": ERR_INVALID_PARAM, "message": "Invalid message"}
        if not ids or len(ids) > facts.BROADCAST_MAX_ARTICLES:
            return 200, {"error": ERR_INVALID_PARAM, "message": "1 to 5 articles"}
        if any(i not in self.articles or self.articles[i]["removed"] for i in ids):
            return 200, {"error": ERR_NOT_FOUND, "message": "Article not found"}
        if self.broadcasts_this_month >= self.monthly_quota:
            return 200, {"error": ERR_QUOTA, "message": "Broadcast quota exceeded"}
        self.broadcasts_this_month += 1
        message_id = self._next_id("bc")
        self.outbox.append({"kind": "broadcast", "article_ids": ids, "message_id": message_id,
                            "target": (body.get("recipient") or {}).get("target", {})})
        return 200, {"error": 0, "message": "Success", "data": {"message_id": message_id}}

    def _cs(self, body):
        user_id = str((body.get("recipient") or {}).get("user_id", ""))
        text = str((body.get("message") or {}).get("text", ""))
        if not user_id or not text:
            return 200, {"error": ERR_INVALID_PARAM, "message": "Missing recipient or text"}
        if user_id in self.unfollowed:
            return 200, {"error": facts.ERR_USER_NOT_FOLLOWING, "message": "User has not followed OA"}
        if user_id in self.window_closed:
            return 200, {"error": facts.ERR_REPLY_WINDOW_CLOSED,
                         "message": "User has not interacted with the OA in the last 7 days"}
        message_id = self._next_id("msg")
        self.outbox.append({"kind": "cs", "user_id": user_id, "text": text,
                            "message_id": message_id})
        return 200, {"error": 0, "message": "Success",
                     "data": {"message_id": message_id, "user_id": user_id}}

    def _upload(self, raw, headers):
        if len(raw) > facts.IMAGE_MAX_BYTES + 4096:
            return 200, {"error": ERR_INVALID_PARAM, "message": "File too large"}
        if b'name="file"' not in raw:
            return 200, {"error": ERR_INVALID_PARAM, "message": "Missing file"}
        attachment_id = "img" + self._next_id()
        self.images[attachment_id] = raw
        return 200, {"error": 0, "message": "Success", "data": {"attachment_id": attachment_id}}

    # --- webhook side (for the feedback inbox's tests and the demo) ------------------------
    def signed_event(self, event: dict) -> tuple[bytes, dict]:
        """A webhook body and its headers, signed as Zalo signs them (facts.webhook_signature)."""
        raw = json.dumps(event, ensure_ascii=False).encode()
        mac = facts.webhook_signature(app_id=self.app_id, raw_body=raw,
                                      timestamp=str(event.get("timestamp", "")),
                                      oa_secret=self.oa_secret)
        return raw, {facts.WEBHOOK_SIGNATURE_HEADER: f"mac={mac}"}


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
