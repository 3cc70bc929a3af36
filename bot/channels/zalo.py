"""The Zalo channel: the Zalo Bot Platform (``https://bot-api.zaloplatforms.com/bot<TOKEN>/<method>``),
on httpx.

The officially linked SDK (``python-zalo-bot``) is a fork of python-telegram-bot with polling
left unimplemented and an old domain hard-coded; the API is small enough to call directly.

- **Receiving.** ``getUpdates`` hands out *one* update per call and has no offset: an update
  handed out is gone from Zalo. So :meth:`ZaloChannel.poll` stores each update (inbox, or the
  spool) before it asks for the next, keeps retrying to store one it holds rather than dropping
  it, and on shutdown lets a call in flight finish and stores what it brought. An empty poll
  answers error 408 "Request timeout": nothing new. Webhook calls (``{"ok": true, "result":
  <update>}`` with the header ``X-Bot-Api-Secret-Token``) are checked in constant time and
  refused without the secret; a refused call is stored nowhere.
- **Reading.** Updates carry no update id: the inbox keys them on Zalo's ``message_id`` (a
  webhook call Zalo repeats is recognised). Text, a picture with its caption (the picture's URL is
  the attachment, fetched as evidence), stickers and "unsupported" messages (the platform hides
  the content of some accounts) are read; the core answers the last two politely.
- **Sending.** No markup, no buttons, no editing: messages are plain text of at most 2 000
  characters, split at paragraph boundaries; choices are numbered lines answered by typing the
  number (:mod:`bot.channels.render`). Pictures go by URL (``sendPhoto``), so a file is first
  published to :class:`storage.files.PublicFolder` when one is configured; a document is sent
  as its link. Errors map onto the outbox's outcomes: 429 "Quota exceeded" (no retry_after) →
  the whole channel cools down, doubling while it lasts; 403 → blocked; 400 naming the
  recipient → blocked; network trouble, 5xx, 401 → transient (a reset token is fixed by the
  operator, and nothing is lost meanwhile).
- **Invitations.** Zalo has no deep links: the invitee types the code to the bot.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx

from bot.channels.base import Channel, Store, UpdateKey, Webhook, pause, protect_logs
from bot.channels.render import Part, render_plain
from bot.context import Capabilities, InvitationHint
from bot.messages import Attachment, Inbound
from common.i18n import Translator
from common.message import Message
from scheduler import dispatch
from scheduler.dispatch import Progress
from storage.files import FileStore, PublicFolder
from storage.models import Outbox

log = logging.getLogger(__name__)

NAME = "zalo"
MAX_CHARS = 2000
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # Zalo states no limit for pictures; this is ours
POLL_TIMEOUT_S = 10
SECRET_HEADER = "X-Bot-Api-Secret-Token"
COOL_DOWN_S = 5.0  # after a 429: Zalo says nothing about when to come back
MAX_COOL_DOWN_S = 120.0
EVENTS = {
    "message.text.received": "text",
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.unsupported.received": "unsupported",
}


class ZaloError(Exception):
    """Zalo answered ``ok: false`` (or not JSON at all)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description


class ZaloNetworkError(Exception):
    """Zalo could not be reached, or did not answer in time."""


# --- reading --------------------------------------------------------------------------------------


def _update(raw: dict[str, Any]) -> dict[str, Any]:
    """The update inside a webhook body (``{"ok": true, "result": …}``) or as polled."""
    inner = raw.get("result")
    return inner if isinstance(inner, dict) and "message" in inner else raw


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _key(raw: dict[str, Any]) -> UpdateKey | None:
    update = _update(raw)
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    message_id = message.get("message_id")
    if isinstance(message_id, str | int) and not isinstance(message_id, bool) and str(message_id).strip():
        update_id = str(message_id).strip()[:64]
    else:
        # No id at all: the content decides, so the same payload twice is still one update.
        canonical = json.dumps(update, sort_keys=True, ensure_ascii=False).encode("utf-8")
        update_id = "h:" + hashlib.sha256(canonical).hexdigest()[:40]
    chat_id = chat.get("id") if chat.get("id") not in (None, "") else sender.get("id")
    user_id = sender.get("id")
    return UpdateKey(update_id, None if chat_id in (None, "") else str(chat_id), None if user_id in (None, "") else str(user_id))


def to_inbound(raw: dict[str, Any]) -> Inbound | None:
    """The channel-neutral view of an update; None for what the core has no use for (a bot's
    message, an event without a message)."""
    update = _update(raw)
    message = update.get("message")
    key = _key(raw)
    if not isinstance(message, dict) or key is None or key.user_id is None:
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    if sender.get("is_bot") is True:
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    kind = EVENTS.get(_text(update.get("event_name")))
    if kind is None:  # an event this version does not know: read what it carries
        kind = "image" if message.get("photo") else "sticker" if message.get("sticker") else "text" if "text" in message else "unsupported"
    attachment: Attachment | None = None
    text = _text(message.get("text"))
    if kind == "image":
        photo = _text(message.get("photo")) or _text(message.get("url"))
        attachment = Attachment("photo", photo or None, None, "image/jpeg", None)
        text = _text(message.get("caption")) or text
    elif kind == "sticker":
        attachment = Attachment("sticker", _text(message.get("sticker")) or None)
        text = ""
    elif kind == "unsupported":
        attachment = Attachment("other")
        text = ""
    return Inbound(
        channel=NAME,
        update_id=key.update_id,
        chat_id=key.chat_id or key.user_id,
        user_id=key.user_id,
        chat_type="group" if _text(chat.get("chat_type")).upper() == "GROUP" else "private",
        text=text,
        display_name=_text(sender.get("display_name")) or None,
        attachment=attachment,
        payload=raw,
    )


def render(message: Message, *, limit: int = MAX_CHARS) -> list[Part]:
    """A message as Zalo messages: plain text, paragraphs kept whole, choices numbered."""
    return render_plain(message, limit=limit, paragraphs=True)


# --- the channel ----------------------------------------------------------------------------------


class ZaloChannel(Channel):
    name = NAME
    title = "Zalo"

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://bot-api.zaloplatforms.com/bot",
        bot_name: str | None = None,
        files: FileStore | None = None,
        public: PublicFolder | None = None,
        poll_timeout: int = POLL_TIMEOUT_S,
        request_timeout: float = 15.0,
        per_second: float = 4.0,
        per_chat_interval: float = 1.05,
        cool_down_s: float = COOL_DOWN_S,
    ) -> None:
        super().__init__(files)
        self.token = token
        protect_logs(token)
        self.base_url = base_url.rstrip("/")
        self.bot_name = bot_name
        self.public = public
        self.poll_timeout = poll_timeout
        self.request_timeout = request_timeout
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        published = public is not None
        self.capabilities = Capabilities(
            buttons=False,
            documents=False,
            photos=published,
            deep_links=False,
            file_links=published,
            automated_notice=True,
            max_file_bytes=MAX_DOWNLOAD_BYTES,
        )
        self._http: httpx.AsyncClient | None = None
        self._cool_until = 0.0  # monotonic time before which Zalo said "Quota exceeded"
        self.cool_down_s = cool_down_s
        self._cool_s = cool_down_s
        self.held: dict[str, Any] | None = None  # an update taken from Zalo, not yet stored

    # -- the API -------------------------------------------------------------------------------

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            # trust_env: a proxy for the way out to Zalo is honoured, as httpx does by default.
            self._http = httpx.AsyncClient(timeout=self.request_timeout, limits=httpx.Limits(max_connections=8))
        return self._http

    async def call(self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """One API call (POST, JSON); its ``result``, or :class:`ZaloError` /
        :class:`ZaloNetworkError`. Method names are case-sensitive."""
        url = f"{self.base_url}{self.token}/{method}"
        try:
            response = await self.http.post(url, json=params or {}, timeout=timeout or self.request_timeout)
        except httpx.HTTPError as exc:
            raise ZaloNetworkError(f"{method}: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            raise ZaloError(response.status_code, f"{method}: answer is not JSON") from None
        if not isinstance(body, dict):
            raise ZaloError(response.status_code, f"{method}: unexpected answer")
        if body.get("ok") is True:
            return body.get("result")
        code = body.get("error_code")
        code = int(code) if isinstance(code, int | str) and str(code).isdigit() else response.status_code
        raise ZaloError(code, _text(body.get("description")))

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self.bot_name:
            return
        try:
            me = await self.call("getMe", timeout=10.0)
        except (ZaloError, ZaloNetworkError) as exc:
            log.warning("Zalo getMe failed (%s); invitations name the bot once ZALO_BOT_NAME is set", exc)
            return
        if isinstance(me, dict):
            self.bot_name = _text(me.get("display_name")) or _text(me.get("name")) or _text(me.get("account_name")) or None

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- receiving ---------------------------------------------------------------------------

    async def _store_held(self, store: Store, stop: asyncio.Event) -> bool:
        """Store the update taken from Zalo; retried until it is stored: Zalo will not hand it
        out again. False when the process stops first (the update is then logged)."""
        delay = 1.0
        while self.held is not None:
            try:
                await store(self.held)
            except Exception as exc:  # noqa: BLE001 - neither the database nor the spool took it
                if stop.is_set():
                    log.error("Zalo update %s could not be stored before shutdown: %s", _key(self.held), exc)
                    return False
                log.error("Zalo update could not be stored (%s); again in %.0f s", exc, delay)
                await pause(stop, delay)
                delay = min(delay * 2, 30.0)
                continue
            self.held = None
        return True

    async def poll(self, store: Store, stop: asyncio.Event) -> None:
        try:
            await self.call("deleteWebhook")  # getUpdates does not work while a webhook is set
        except (ZaloError, ZaloNetworkError) as exc:
            log.warning("Zalo deleteWebhook failed: %s", exc)
        backoff = 1.0
        while not stop.is_set():
            fetch = asyncio.ensure_future(
                self.call("getUpdates", {"timeout": str(self.poll_timeout)}, timeout=self.poll_timeout + 10.0)
            )
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            # A call in flight may be handing out an update: it is not cancelled, but finished
            # and stored (at most one poll timeout after the stop).
            try:
                result = await fetch
            except (ZaloError, ZaloNetworkError) as exc:
                if isinstance(exc, ZaloError) and exc.code == 408:  # nothing new
                    backoff = 1.0
                    continue
                log.warning("Zalo getUpdates failed (%s); again in %.0f s", exc, backoff)
                await pause(stop, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            for raw in _updates(result):
                self.held = raw
                if not await self._store_held(store, stop):
                    return

    def webhook(self, secret: str) -> Webhook:
        def read(headers: dict[str, str], body: bytes) -> list[dict[str, Any]] | None:
            given = next((v for k, v in headers.items() if k.lower() == SECRET_HEADER.lower()), "")
            if not given or not hmac.compare_digest(given.encode(), secret.encode()):
                return None
            try:
                raw = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return []
            return _updates(raw.get("result") if isinstance(raw, dict) and "result" in raw else raw)

        return Webhook(path=NAME, read=read)

    async def register_webhook(self, url: str, secret: str) -> None:
        if not 8 <= len(secret) <= 256:
            raise ValueError("Zalo requires a webhook secret of 8 to 256 characters")
        await self.call("setWebhook", {"url": url, "secret_token": secret})

    # -- reading -----------------------------------------------------------------------------

    def identify(self, raw: dict[str, Any]) -> UpdateKey | None:
        return _key(raw)

    def parse(self, raw: dict[str, Any]) -> Inbound | None:
        return to_inbound(raw)

    # -- sending -----------------------------------------------------------------------------

    async def send(self, row: Outbox, progress: Progress) -> str:
        wait = self._cool_until - time.monotonic()
        if wait > 0:
            raise dispatch.RetryLater(wait)  # the channel cools down: not even one try
        try:
            message_id = await self._send(row, row.payload or {}, progress)
        except ZaloError as exc:
            if exc.code == 429:
                wait = self._cool_s
                self._cool_until = time.monotonic() + wait
                self._cool_s = min(self._cool_s * 2, MAX_COOL_DOWN_S)
                raise dispatch.RetryLater(wait) from exc
            if exc.code == 403 or (exc.code == 400 and _names_recipient(exc.description)):
                raise dispatch.Blocked(str(exc)) from exc
            if exc.code in (400, 404, 413):
                raise dispatch.Rejected(str(exc)) from exc
            raise dispatch.TransientError(str(exc)) from exc
        except ZaloNetworkError as exc:
            raise dispatch.TransientError(str(exc)) from exc
        self._cool_s = self.cool_down_s
        return message_id

    async def _send_text(self, chat_id: str, text: str) -> str:
        result = await self.call("sendMessage", {"chat_id": chat_id, "text": text or "…"})
        return _message_id(result)

    async def _send(self, row: Outbox, payload: dict[str, Any], progress: Progress) -> str:
        message = Message.from_json(payload["message"]) if payload.get("message") else Message()
        parts = render(message) if message.blocks or message.choices else []
        file = payload.get("file")
        caption_part: Part | None = None
        if file and file.get("kind") == "photo" and self.public is not None and parts and not parts[-1].choices:
            caption_part = parts.pop()
        last_id = ""
        for index in range(row.parts_sent, len(parts)):
            last_id = await self._send_text(row.chat_id, parts[index].text)
            if index < len(parts) - 1 or file:
                await progress(index, last_id)
        if file and row.parts_sent <= len(parts):
            last_id = await self._send_file(row.chat_id, file, caption_part.text if caption_part is not None else None)
        return last_id

    async def _send_file(self, chat_id: str, file: dict[str, Any], caption: str | None) -> str:
        name = file.get("name") or "baocao"
        if self.public is None or self.files is None:
            # The core offers files only where they can go; this is a message from before a
            # configuration change.
            return await self._send_text(chat_id, f"(Tệp {name} không gửi được qua Zalo.)")
        try:
            url = await asyncio.to_thread(self.public.publish, self.files.get(file["sha256"]), name)
        except Exception as exc:  # noqa: BLE001 - the folder: an operator's problem, retried
            raise dispatch.TransientError(f"file not published: {exc}") from exc
        if file.get("kind") == "photo":
            params: dict[str, Any] = {"chat_id": chat_id, "photo": url}
            if caption:
                params["caption"] = caption[:MAX_CHARS]
            result = await self.call("sendPhoto", params)
            return _message_id(result)
        return await self._send_text(chat_id, f"📎 {name}:\n{url}")

    async def tell(self, chat_id: str, text: str) -> None:
        try:
            await self._send_text(chat_id, text[:MAX_CHARS])
        except (ZaloError, ZaloNetworkError) as exc:
            log.warning("could not tell %s: %s", chat_id, exc)

    async def typing(self, chat_id: str) -> None:
        try:
            await self.call("sendChatAction", {"chat_id": chat_id, "action": "typing"}, timeout=5.0)
        except (ZaloError, ZaloNetworkError) as exc:
            log.info("typing not shown to %s: %s", chat_id, exc)

    async def download(self, attachment: Attachment) -> bytes:
        """A picture's bytes from its URL (Zalo's CDN). Raises on anything short of the whole
        picture: a size over the limit, a download cut short, an error status."""
        url = attachment.ref or ""
        if not url.startswith(("https://", "http://")):
            raise ValueError("no picture address")
        async with self.http.stream("GET", url, timeout=120.0, follow_redirects=True) as response:
            if response.status_code != 200:
                raise ValueError(f"picture not fetched: HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > MAX_DOWNLOAD_BYTES:
                raise ValueError(f"picture of {declared} bytes is over the {MAX_DOWNLOAD_BYTES} bytes baocao keeps")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise ValueError(f"picture over the {MAX_DOWNLOAD_BYTES} bytes baocao keeps")
                chunks.append(chunk)
        data = b"".join(chunks)
        if declared and declared.isdigit() and len(data) != int(declared):
            raise ValueError(f"download cut short: {len(data)} of {declared} bytes")
        return data

    # -- invitations -------------------------------------------------------------------------

    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        if code is None:
            return InvitationHint()
        return InvitationHint(text=how_to_redeem(t, code, self.bot_name))


def how_to_redeem(t: Translator, code: str, bot_name: str | None) -> Any:
    if bot_name:
        return t("trên Zalo, tìm {bot} và nhắn mã {code} cho bot là đăng ký xong.", bot=bot_name, code=code)
    return t("trên Zalo, nhắn mã {code} cho bot Zalo của Sở Tư pháp là đăng ký xong.", code=code)


def _message_id(result: Any) -> str:
    """The id Zalo gives a message it took (``{"message_id", "date"}``)."""
    return _text(result.get("message_id")) if isinstance(result, dict) else ""


def _names_recipient(description: str) -> bool:
    text = description.lower()
    return any(word in text for word in ("chat_id", "chat not found", "user not found", "recipient", "not follow"))


def _updates(result: Any) -> list[dict[str, Any]]:
    """One update (as Zalo hands them out), or a list of them, whatever came."""
    if isinstance(result, dict):
        return [result] if result else []
    if isinstance(result, list):
        return [item for item in result if isinstance(item, dict)]
    return []


# --- configuration ----------------------------------------------------------------------------


def _token(settings: Any) -> str:
    zalo = settings.zalo
    return zalo.token.get_secret_value().strip() if zalo.token is not None else ""


def public_folder(settings: Any) -> PublicFolder | None:
    public = settings.public_files
    return PublicFolder(public.folder, public.url) if public.configured else None


def from_settings(settings: Any, files: FileStore | None) -> ZaloChannel | None:
    """The channel as configured (``ZALO_BOT_TOKEN`` …), or None without a token."""
    token = _token(settings)
    if not token:
        return None
    zalo = settings.zalo
    return ZaloChannel(
        token, base_url=zalo.api_base_url, bot_name=zalo.bot_name, files=files, public=public_folder(settings),
        per_second=zalo.send_rate,
    )


HOW_TO = (
    "Zalo: trong Zalo, mở Zalo Bot Manager, chọn Tạo bot (tên bắt đầu bằng \"Bot\"); mã (token) "
    "được gửi qua tin nhắn Zalo; đặt biến môi trường ZALO_BOT_TOKEN=<mã> (hoặc ghi vào tệp .env)"
)


def people(settings: Any) -> tuple[set[str], set[str]]:
    return {f"{NAME}:{i}" for i in settings.zalo.admin_ids}, set()


class _Hints:
    """Invitation hints without a running bot (``baocao invite``)."""

    name = NAME
    title = "Zalo"

    def __init__(self, bot_name: str | None) -> None:
        self.bot_name = bot_name

    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        if code is None:
            return InvitationHint()
        return InvitationHint(text=how_to_redeem(t, code, self.bot_name))


async def invitations(settings: Any) -> tuple[_Hints | None, str | None]:
    """``(hints, None)`` when Zalo is configured; the bot's name from ``ZALO_BOT_NAME``, else
    asked from Zalo (getMe), else the invitee is told to write to the Sở's Zalo bot."""
    token = _token(settings)
    if not token:
        return None, None
    name = settings.zalo.bot_name
    if not name:
        channel = ZaloChannel(token, base_url=settings.zalo.api_base_url)
        try:
            await asyncio.wait_for(channel.start(), timeout=12.0)
            name = channel.bot_name
        except Exception as exc:  # noqa: BLE001 - the hint works without the name
            log.info("Zalo getMe failed: %s", exc)
        finally:
            await channel.stop()
    return _Hints(name), None


__all__ = ["HOW_TO", "NAME", "ZaloChannel", "ZaloError", "from_settings", "invitations", "people", "render", "to_inbound"]
