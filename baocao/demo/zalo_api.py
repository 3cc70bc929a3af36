"""Offline stand-in for the Zalo Bot Platform API, for tests, the demo and the sandbox.

``ZaloStandIn`` is a small server on 127.0.0.1 speaking the Zalo Bot API as its documentation
describes it (``/bot<TOKEN>/<method>``; ``{"ok", "result" | "error_code", "description"}``), that
the real :class:`bot.channels.zalo.ZaloChannel` talks to, plus a simulation API to play the
people (:meth:`ZaloStandIn.user`) and an observation API (:attr:`ZaloStandIn.sent`,
:meth:`ZaloStandIn.wait_for`). It never contacts Zalo.

What it keeps of the real platform, because the bot must cope with it:

- ``getUpdates`` hands out **one** update per call and forgets it; an empty poll waits up to
  ``timeout`` seconds and answers error 408 "Request timeout"; it refuses while a webhook is set;
- ``setWebhook`` takes ``url`` and a ``secret_token`` of 8–256 characters; updates are then
  POSTed there as ``{"ok": true, "result": update}`` with ``X-Bot-Api-Secret-Token``;
- ``sendMessage`` takes 1–2 000 characters and only a chat whose person has written first;
  ``sendPhoto`` takes a photo *URL*; no buttons, no documents, no editing;
- string ids, dates in milliseconds; a person who blocked the bot gets 403; ``quota`` sends a
  second answer 429 "Quota exceeded" (no retry_after); :meth:`ZaloStandIn.fail_next` injects
  any error for the next calls of a method.

Pictures a simulated person sends are served by the stand-in at ``/img/<id>.jpg``, as Zalo's CDN
serves them.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import re
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

from baocao.demo.changes import ChangeNotifier

_LOG = logging.getLogger(__name__)

MAX_TEXT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
CHOICE_HINT = "Trả lời bằng số:"  # what bot.channels.render writes before numbered choices
_CHOICE = re.compile(r"(\d+)\. (.+?)(?=\s{3}\d+\. |$)")


class ZaloApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def choices_of(text: str) -> list[tuple[str, str]]:
    """``(label, number)`` of the numbered choices under the hint, as a person reads them."""
    lines = text.splitlines()
    try:
        start = max(i for i, line in enumerate(lines) if line.strip() == CHOICE_HINT)
    except ValueError:
        return []
    found: list[tuple[str, str]] = []
    for line in lines[start + 1 :]:
        for number, label in _CHOICE.findall(line.strip()):
            found.append((label.strip(), number))
    return found


@dataclass
class ZaloUser:
    """A simulated Zalo user and their private chat with the bot."""

    standin: ZaloStandIn
    id: str
    display_name: str
    blocked: bool = False
    wrote: bool = False  # the bot learns a chat only when its person writes first

    @property
    def chat_id(self) -> str:
        return self.id

    @property
    def first_name(self) -> str:
        return self.display_name

    def _message(self, event: str, **content: Any) -> dict:
        self.wrote = True
        # What the bot sent before this message is not an answer to it (see wait_for).
        self.standin._cursor[self.id] = len(self.standin.sent)
        message = {
            "from": {"id": self.id, "display_name": self.display_name, "is_bot": False},
            "chat": {"id": self.id, "chat_type": "PRIVATE"},
            "message_id": secrets.token_hex(10),
            "date": self.standin._now_ms(),
            **content,
        }
        return self.standin._enqueue({"event_name": event, "message": message})

    def send(self, text: str, reply_to: Any = None) -> dict:
        """A text message (Zalo has no replies to a message: ``reply_to`` is ignored)."""
        return self._message("message.text.received", text=text)

    def send_photo(self, data: bytes, caption: str | None = None) -> dict:
        url = self.standin._host_image(data)
        content: dict[str, Any] = {"photo": url}
        if caption:
            content["caption"] = caption
        return self._message("message.image.received", **content)

    def send_sticker(self, sticker: str = "0e078a2fb66a5f34067b") -> dict:
        return self._message("message.sticker.received", sticker=sticker, url=f"https://stickers.example/{sticker}")

    def send_unsupported(self) -> dict:
        return self._message("message.unsupported.received")

    def press(self, message: Any, value: str, *, strict: bool = True) -> dict:
        """Answer a numbered choice: type its number (``value``, from :func:`choices_of`)."""
        return self.send(str(value))

    def block(self) -> None:
        self.blocked = True

    def unblock(self) -> None:
        self.blocked = False


class _ApiHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, standin: ZaloStandIn) -> None:
        self.standin = standin

    def check_xsrf_cookie(self) -> None:  # pragma: no cover - xsrf is off anyway
        pass

    async def get(self, token: str, method: str) -> None:
        status, payload = await self.standin._dispatch(token, method, self.request)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        try:
            await self.finish(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        except tornado.iostream.StreamClosedError:
            pass

    post = get


class _ImageHandler(tornado.web.RequestHandler):
    def initialize(self, standin: ZaloStandIn) -> None:
        self.standin = standin

    def get(self, name: str) -> None:
        data = self.standin.images.get(name)
        if data is None:
            self.set_status(404)
            self.finish(b"not found")
            return
        self.set_header("Content-Type", "image/jpeg")
        self.finish(data)


class _NotFound(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE")

    def prepare(self) -> None:
        self.set_status(404)
        self.finish(b'{"ok":false,"error_code":404,"description":"Not Found"}')


def _quiet(handler: tornado.web.RequestHandler) -> None:
    _LOG.debug("%s %s -> %s", handler.request.method, handler.request.uri, handler.get_status())


class ZaloStandIn(ChangeNotifier):
    """A Zalo Bot API server for offline use; see the module docstring."""

    def __init__(
        self,
        token: str = "3141592653589793238:zalo-test-secret",
        bot_name: str = "Bot Báo cáo (thử nghiệm)",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.time,
        quota_per_second: float | None = None,
        webhook_attempts: int = 3,
        webhook_retry_delay: float = 0.1,
    ) -> None:
        self.token = token
        self.bot_name = bot_name
        self.bot_id = "".join(ch for ch in token.split(":")[0] if ch.isdigit()) or "1459232241454765289"
        self.host = host
        self._requested_port = port
        self.clock = clock
        self.quota_per_second = quota_per_second
        self.webhook_attempts = webhook_attempts
        self.webhook_retry_delay = webhook_retry_delay
        self.users: dict[str, ZaloUser] = {}
        self.sent: list[dict] = []
        self.chat_actions: list[dict] = []
        self.calls: list[dict] = []
        self.errors: list[dict] = []
        self.requests: collections.Counter[str] = collections.Counter()
        self.images: dict[str, bytes] = {}
        self.handed_out: list[dict] = []  # every update getUpdates handed out, in order
        self.webhook_deliveries: list[dict] = []
        self.webhook_failures: list[dict] = []
        self.quota_hits = 0
        self._pending: collections.deque[dict] = collections.deque()
        self._faults: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
        self._sends: collections.deque[float] = collections.deque()
        self._webhook_url: str | None = None
        self._webhook_secret: str | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._seq = itertools.count()
        self._cursor: dict[str, int] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._http: httpx.AsyncClient | None = None
        self._port: int | None = None
        self._stopping = False

    # -- life --------------------------------------------------------------------------------

    async def start(self) -> ZaloStandIn:
        if self._server is not None:
            return self
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/?]+)/?", _ApiHandler, {"standin": self}),
                (r"/img/([A-Za-z0-9_.-]+)", _ImageHandler, {"standin": self}),
                (r".*", _NotFound),
            ],
            log_function=_quiet,
        )
        sockets = tornado.netutil.bind_sockets(self._requested_port, self.host, family=socket.AF_INET)
        self._server = tornado.httpserver.HTTPServer(app, idle_connection_timeout=30, body_timeout=30)
        self._server.add_sockets(sockets)
        self._port = sockets[0].getsockname()[1]
        self._http = httpx.AsyncClient(trust_env=False, timeout=5.0)
        return self

    async def stop(self) -> None:
        if self._server is None:
            return
        self._stopping = True
        self._notify()
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        server, self._server = self._server, None
        server.stop()
        await asyncio.sleep(0)
        try:
            await asyncio.wait_for(server.close_all_connections(), 5)
        except TimeoutError:
            _LOG.warning("Zalo stand-in: connections did not close within 5 s")
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> ZaloStandIn:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the stand-in is not started")
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ZALO_API_BASE_URL``: the channel appends the token and the method."""
        return f"{self.root_url}/bot"

    # -- HTTP ------------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    @staticmethod
    def _params(request: Any) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for source in (request.query_arguments, request.body_arguments):
            for key, values in source.items():
                params[key] = values[-1].decode("utf-8", "replace")
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise ZaloApiError(400, "Bad Request: invalid JSON") from None
            if not isinstance(body, dict):
                raise ZaloApiError(400, "Bad Request: JSON body must be an object")
            params.update(body)
        return params

    async def _dispatch(self, token: str, method: str, request: Any) -> tuple[int, dict]:
        self.requests[method] += 1
        try:
            if token != self.token:
                raise ZaloApiError(401, "Unauthorized")
            handler = getattr(self, f"_m_{method}", None)  # method names are case-sensitive
            if handler is None:
                raise ZaloApiError(404, "Not Found")
            params = self._params(request)
            self.calls.append({"method": method, "params": params, "ts": time.monotonic()})
            faults = self._faults.get(method)
            if faults:
                code, description = faults.pop(0)
                raise ZaloApiError(code, description)
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ZaloApiError as exc:
            self.errors.append({"method": method, "code": exc.code, "description": exc.description})
            self._notify()
            return exc.code, {"ok": False, "error_code": exc.code, "description": exc.description}
        return 200, {"ok": True, "result": result}

    # -- methods ---------------------------------------------------------------------------

    def _m_getMe(self, params: dict) -> dict:
        return {"id": self.bot_id, "account_name": "bot.BaocaoTest", "account_type": "BASIC", "can_join_groups": False}

    async def _m_getUpdates(self, params: dict) -> dict:
        if self._webhook_url:
            raise ZaloApiError(400, "Bad Request: webhook is set, use deleteWebhook first")
        try:
            timeout = float(params.get("timeout", 30))
        except (TypeError, ValueError):
            raise ZaloApiError(400, "Bad Request: timeout must be a number of seconds") from None
        deadline = time.monotonic() + max(0.0, min(timeout, 60.0))
        while not self._pending and not self._stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            await self._wait_change(remaining)
        if not self._pending:
            raise ZaloApiError(408, "Request timeout")
        update = self._pending.popleft()  # handed out: gone, whatever happens to the answer
        self.handed_out.append(update)
        self._notify()
        return update

    def _m_setWebhook(self, params: dict) -> dict:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith(("https://", "http://")):
            raise ZaloApiError(400, "Bad Request: url must be an HTTPS address")
        if not 8 <= len(secret) <= 256:
            raise ZaloApiError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self._webhook_url, self._webhook_secret = url, secret
        if self._loop is not None and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = self._loop.create_task(self._webhook_loop())
        self._notify()
        return {"url": url, "updated_at": self._now_ms()}

    def _m_deleteWebhook(self, params: dict) -> dict:
        self._webhook_url = self._webhook_secret = None
        self._notify()
        return {"url": "", "updated_at": self._now_ms()}

    def _m_getWebhookInfo(self, params: dict) -> dict:
        return {"url": self._webhook_url or "", "updated_at": self._now_ms()}

    def _recipient(self, params: dict) -> ZaloUser:
        chat_id = str(params.get("chat_id") or "")
        user = self.users.get(chat_id)
        if user is None or not user.wrote:
            raise ZaloApiError(400, "Bad Request: invalid chat_id")
        if user.blocked:
            raise ZaloApiError(403, "Forbidden: the user has blocked the bot")
        return user

    def _check_quota(self) -> None:
        if self.quota_per_second is None:
            return
        now = time.monotonic()
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        if len(self._sends) >= self.quota_per_second:
            self.quota_hits += 1
            raise ZaloApiError(429, "Quota exceeded")
        self._sends.append(now)

    def _record(self, kind: str, user: ZaloUser, **content: Any) -> dict:
        message_id = secrets.token_hex(10)
        text = content.get("text") or content.get("caption") or ""
        record = {
            "seq": next(self._seq), "kind": kind, "chat_id": user.id, "message_id": message_id,
            "date": self._now_ms(), "text": text, "plain": text, "choices": choices_of(text), **content,
        }
        self.sent.append(record)
        self._notify()
        return {"message_id": message_id, "date": record["date"]}

    def _m_sendMessage(self, params: dict) -> dict:
        user = self._recipient(params)
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            raise ZaloApiError(400, f"Bad Request: text must be 1 to {MAX_TEXT} characters")
        self._check_quota()
        return self._record("message", user, text=text)

    def _m_sendPhoto(self, params: dict) -> dict:
        user = self._recipient(params)
        photo = str(params.get("photo") or "")
        if not photo.startswith(("https://", "http://")):
            raise ZaloApiError(400, "Bad Request: photo must be a URL")
        caption = params.get("caption")
        if caption is not None and not 1 <= len(str(caption)) <= MAX_TEXT:
            raise ZaloApiError(400, f"Bad Request: caption must be 1 to {MAX_TEXT} characters")
        self._check_quota()
        return self._record("photo", user, photo=photo, caption=caption)

    def _m_sendSticker(self, params: dict) -> dict:
        user = self._recipient(params)
        self._check_quota()
        return self._record("sticker", user, sticker=str(params.get("sticker") or ""))

    def _m_sendChatAction(self, params: dict) -> bool:
        user = self._recipient(params)
        action = params.get("action")
        if action not in ("typing", "upload_photo"):
            raise ZaloApiError(400, "Bad Request: unknown action")
        self.chat_actions.append({"chat_id": user.id, "action": action, "seq": len(self.sent)})
        self._notify()
        return True

    # -- webhook ---------------------------------------------------------------------------

    async def push(self, update: dict, *, secret: str | None = None, url: str | None = None) -> int | None:
        """One raw webhook call (no retry); its HTTP status, None when unreachable."""
        target = url or self._webhook_url
        if not target:
            raise RuntimeError("no webhook is set")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        assert self._http is not None
        try:
            response = await self._http.post(target, content=json.dumps({"ok": True, "result": update}, ensure_ascii=False).encode(), headers=headers)
        except httpx.HTTPError:
            return None
        return response.status_code

    async def _webhook_loop(self) -> None:
        while self._webhook_url and not self._stopping:
            if not self._pending:
                await self._wait_change(1.0)
                continue
            update = self._pending[0]
            url, secret = self._webhook_url, self._webhook_secret
            delivered = False
            for attempt in range(1, self.webhook_attempts + 1):
                status = await self.push(update, secret=secret, url=url)
                self.webhook_deliveries.append({"message_id": update["message"]["message_id"], "attempt": attempt, "status": status})
                if status is not None and 200 <= status < 300:
                    delivered = True
                    break
                await asyncio.sleep(self.webhook_retry_delay * attempt)
            if self._pending and self._pending[0] is update:
                self._pending.popleft()
            if not delivered:
                self.webhook_failures.append(update)
            self._notify()

    # -- simulation and observation ---------------------------------------------------------

    def user(self, user_id: Any, display_name: str = "Nguyễn Văn A", *, first_name: str | None = None, **_: Any) -> ZaloUser:
        """Get or create a simulated person (``first_name`` is taken as the display name, for
        callers written for the Telegram stand-in)."""
        key = str(user_id)
        existing = self.users.get(key)
        if existing is not None:
            return existing
        user = ZaloUser(self, key, first_name or display_name)
        self.users[key] = user
        return user

    def _enqueue(self, update: dict) -> dict:
        self._pending.append(update)
        if self._webhook_url and self._loop is not None and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = self._loop.create_task(self._webhook_loop())
        self._notify()
        return update

    def _host_image(self, data: bytes) -> str:
        name = f"{secrets.token_hex(8)}.jpg"
        self.images[name] = bytes(data)
        return f"{self.root_url}/img/{name}"

    def fail_next(self, method: str, code: int = 429, description: str = "Quota exceeded", times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer this error."""
        self._faults[method].extend([(code, description)] * times)

    def pending_updates(self) -> list[dict]:
        return list(self._pending)

    def messages_to(self, chat_id: Any, kinds: Iterable[str] | None = None) -> list[dict]:
        wanted = set(kinds) if kinds is not None else None
        return [r for r in self.sent if r["chat_id"] == str(chat_id) and (wanted is None or r["kind"] in wanted)]

    async def wait_for(self, chat_id: Any, predicate: Callable[[dict], bool] | str | None = None, timeout: float = 5.0,
                       *, after: int | None = None) -> dict:
        """Wait for a NEW message to ``chat_id`` matching ``predicate`` (a callable on the record
        or a substring of its text); successive calls walk the conversation."""
        chat = str(chat_id)
        if isinstance(predicate, str):
            needle = predicate

            def matches(record: dict) -> bool:
                return needle in (record.get("text") or "")
        else:
            matches = predicate or (lambda record: True)
        start = after if after is not None else self._cursor.get(chat, 0)
        deadline = time.monotonic() + timeout
        while True:
            end = len(self.sent)
            for record in self.sent[start:end]:
                if record["chat_id"] == chat and matches(record):
                    self._cursor[chat] = max(self._cursor.get(chat, 0), record["seq"] + 1)
                    return record
            start = end
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no new matching message to chat {chat} within {timeout}s\n{self.dump(chat)}")
            await self._wait_change(remaining)

    def dump(self, chat_id: Any = None, last: int = 15) -> str:
        records = self.sent if chat_id is None else self.messages_to(chat_id)
        lines = [f"sent to {'all chats' if chat_id is None else chat_id}: {len(records)}; last {min(last, len(records))}:"]
        for record in records[-last:]:
            text = (record.get("text") or "").replace("\n", "\\n")
            lines.append(f"  [{record['seq']}] {record['kind']} chat={record['chat_id']} {text[:117]!r}")
        if self.errors:
            lines.append("API errors, last 5: " + "; ".join(f"{e['method']} {e['code']} {e['description']}" for e in self.errors[-5:]))
        lines.append("requests: " + ", ".join(f"{k}={v}" for k, v in sorted(self.requests.items())))
        lines.append(f"pending updates: {len(self._pending)}")
        return "\n".join(lines)


__all__ = ["ZaloStandIn", "ZaloUser", "choices_of"]
