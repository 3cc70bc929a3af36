"""Offline stand-in for the Telegram Bot API, for tests, benchmarks and the offline demo.

``BotApiStandIn`` is a small Bot API server on 127.0.0.1 that the *real* python-telegram-bot
stack (HTTPXRequest, Updater polling, webhook server) talks to, plus a simulation API to play
the users and an observation API to check what the bot sent. It never contacts Telegram.

Example (pytest-asyncio)::

    async with BotApiStandIn() as tg:
        app = (ApplicationBuilder().token(tg.token).base_url(tg.base_url)
               .base_file_url(tg.base_file_url).build())
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.updater.start_polling(poll_interval=0, timeout=1)
            await app.start()
            tg.user(1001).send("xin chào")
            reply = await tg.wait_for(1001, lambda m: "xin chào" in m["text"])
            await app.updater.stop()
            await app.stop()

Set ``NO_PROXY=127.0.0.1,localhost`` in tests: httpx honours proxy variables otherwise.
Sim methods (``user().send()``, ``press()``...) are synchronous, only enqueue updates and must be
called from the event loop thread that runs the stand-in (other threads are tolerated).
"""

# Why tornado and not asyncio stdlib: tornado is already installed as python-telegram-bot's
# webhook dependency, and it gives us a correct HTTP/1.1 server (keep-alive, chunked bodies,
# urlencoded *and* multipart/form-data parsing incl. RFC 2231 filenames) for free; hand-rolling
# multipart parsing on asyncio streams would be the riskiest part of this module. Outgoing webhook
# pushes use httpx (also already installed) with trust_env=False so no proxy can intercept them.

from __future__ import annotations

import asyncio
import bisect
import collections
import copy
import html
import itertools
import json
import logging
import math
import mimetypes
import random
import re
import socket
import struct
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

from baocao.demo.changes import ChangeNotifier

__all__ = ["ApiError", "BotApiStandIn", "SimUser"]

_LOG = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_TEXT_LENGTH = 4096  # characters after entity parsing (code points)
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_POLL_TIMEOUT = 50.0  # seconds; Telegram caps long polls too
SEND_KINDS = ("message", "document", "photo")

# Telegram's default when allowed_updates is empty / never set.
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# How form values (always strings on the wire) are typed. PTB sends strings raw and every other
# value JSON-dumped, so ints arrive as "123", bools as "true", objects as JSON text.
_JSON_FIELDS = frozenset(
    {
        "reply_markup", "reply_parameters", "allowed_updates", "commands", "scope", "entities",
        "caption_entities", "link_preview_options", "menu_button", "media", "results",
        "rights", "options", "reaction", "suggested_post_parameters",
    }
)
_INT_FIELDS = frozenset(
    {
        "offset", "limit", "timeout", "message_id", "reply_to_message_id", "max_connections",
        "cache_time", "message_thread_id", "duration", "width", "height", "until_date",
        "user_id", "direct_messages_topic_id",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "disable_notification", "protect_content", "drop_pending_updates", "show_alert",
        "allow_sending_without_reply", "disable_web_page_preview",
        "disable_content_type_detection", "has_spoiler", "show_caption_above_media",
        "allow_paid_broadcast", "is_personal", "for_channels",
    }
)
_CHAT_ID_FIELDS = frozenset({"chat_id", "from_chat_id"})

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)
_SCOPE_TYPES = frozenset(
    {
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
        "chat_administrators", "chat_member",
    }
)
_INLINE_BUTTON_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)

_HTML_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")
_TAG_NAME_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]*)")
_BOT_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,})?")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ResponseParameters."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict:
        body: dict[str, Any] = {
            "ok": False, "error_code": self.code, "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class _EntityParseError(Exception):
    pass


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _parse_html(text: str) -> str:
    """Return the plain text of Telegram-HTML ``text``; raise _EntityParseError like Telegram.

    Only a tag-balance check of the tags Telegram allows, not a full entity builder.
    """
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "<":
            end = text.find(">", i)
            if end == -1:
                raise _EntityParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(text, i)}"
                )
            inner = text[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _EntityParseError(
                        f'Unexpected end tag "{name}" at byte offset {_byte_offset(text, i)}'
                    )
                if stack[-1][0] != name:
                    raise _EntityParseError(
                        f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                        f'expected "</{stack[-1][0]}>", found "</{name}>"'
                    )
                stack.pop()
            else:
                match = _TAG_NAME_RE.match(inner)
                name = match.group(1).lower() if match else ""
                attrs = inner[match.end() :] if match else inner
                if name not in _HTML_TAGS or attrs.rstrip().endswith("/"):
                    raise _EntityParseError(
                        f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                    )
                if name == "span" and "tg-spoiler" not in attrs:
                    raise _EntityParseError(
                        f'Tag "span" must have class "tg-spoiler" at byte offset '
                        f"{_byte_offset(text, i)}"
                    )
                stack.append((name, i))
            i = end + 1
        elif ch == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match:
                out.append(html.unescape(match.group(0)))
                i = match.end()
            else:  # Telegram keeps unknown entities / bare ampersands as text
                out.append("&")
                i += 1
        else:
            out.append(ch)
            i += 1
    if stack:
        raise _EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
        )
    return "".join(out)


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}


def _parse_markdown_v2(text: str) -> str:
    """Light MarkdownV2 check: unescaped reserved characters and unclosed entities."""
    out: list[str] = []
    open_marks: dict[str, int] = {}
    i, n = 0, len(text)
    in_link_text = False
    line_start = True
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and 1 <= ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            line_start = False
            continue
        if text.startswith("```", i) or ch == "`":
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            while j < n and not text.startswith(fence, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _EntityParseError(
                    f"Can't find end of {'Pre' if fence == '```' else 'Code'} entity at byte "
                    f"offset {_byte_offset(text, i)}"
                )
            body = text[i + len(fence) : j]
            if fence == "```" and "\n" in body:
                body = body.split("\n", 1)[1]
            out.append(re.sub(r"\\(.)", r"\1", body))
            i = j + len(fence)
            line_start = False
            continue
        mark = None
        for candidate in ("__", "||", "*", "_", "~"):
            if text.startswith(candidate, i):
                mark = candidate
                break
        if mark:
            if mark in open_marks:
                del open_marks[mark]
            else:
                open_marks[mark] = i
            i += len(mark)
            line_start = False
            continue
        if ch == "[" and not in_link_text:
            in_link_text = True
            i += 1
            continue
        if ch == "]" and in_link_text:
            in_link_text = False
            if text.startswith("(", i + 1):
                j = i + 2
                while j < n and text[j] != ")":
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    raise _EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(text, i)}"
                    )
                i = j + 1
            else:
                i += 1
            continue
        if ch == ">" and line_start:
            i += 1
            continue
        if ch in _MDV2_RESERVED:
            raise _EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        line_start = ch == "\n"
        i += 1
    if open_marks:
        mark, pos = min(open_marks.items(), key=lambda item: item[1])
        raise _EntityParseError(
            f"Can't find end of {_MDV2_NAMES[mark]} entity at byte offset {_byte_offset(text, pos)}"
        )
    if in_link_text:
        raise _EntityParseError("Can't find end of a TextUrl entity")
    return "".join(out)


def _parse_markdown_legacy(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if ch in "_*`":
            fence = "```" if text.startswith("```", i) else ch
            j = text.find(fence, i + len(fence))
            if j == -1:
                raise _EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[i + len(fence) : j])
            i = j + len(fence)
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _plain_text(text: str, parse_mode: str | None) -> str:
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown_v2(text)
        if mode == "markdown":
            return _parse_markdown_legacy(text)
    except _EntityParseError as exc:
        raise _bad(f"can't parse entities: {exc}") from None
    raise _bad("unsupported parse_mode")


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/WEBP/BMP image, or None if it is not an image."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(width), abs(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return (512, 512)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
        return None
    return None


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid, minimal grey PNG (used as the default photo a simulated user sends)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str

    def as_file(self) -> dict:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass(eq=False)
class _Pending:
    update: dict
    redelivered: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return self.update["update_id"]

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class _RequestContext:
    closed: bool = False


@dataclass(eq=False)
class SimUser:
    """A simulated Telegram user; create it with ``BotApiStandIn.user()``."""

    standin: BotApiStandIn = field(repr=False)
    id: int
    first_name: str = "Nguyễn Văn A"
    language_code: str | None = "vi"
    username: str | None = None
    last_name: str | None = None
    started: bool = True
    blocked: bool = False

    @property
    def chat_id(self) -> int:
        return self.id

    def as_user(self) -> dict:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def send(self, text: str, reply_to: int | None = None) -> dict:
        """Send a text message to the bot in private; returns the enqueued Update dict."""
        return self.standin._user_message(self, self.id, {"text": text}, reply_to)

    def send_in_group(self, group_chat_id: int, text: str, reply_to: int | None = None) -> dict:
        """Send a text message in a group (created on first use); returns the Update dict."""
        self.standin.group(group_chat_id)
        return self.standin._user_message(self, group_chat_id, {"text": text}, reply_to)

    def press(self, message: dict | int, data: str, *, strict: bool = True) -> dict:
        """Press the inline button with callback ``data`` on a bot message (a ``sent`` record,
        a Message dict or a message id in this user's private chat)."""
        return self.standin._press(self, message, data, strict=strict)

    def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        mime_type: str | None = None,
        chat_id: int | None = None,
    ) -> dict:
        stored = self.standin._store_file(
            data, "documents", filename=filename,
            mime_type=mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
        )
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": filename,
                "mime_type": stored.mime_type,
                "file_size": len(data),
            }
        }
        if caption is not None:
            content["caption"] = caption
        return self.standin._user_message(self, chat_id or self.id, content, None)

    def send_photo(
        self,
        data: bytes | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> dict:
        data = tiny_png() if data is None else data
        content: dict[str, Any] = {"photo": self.standin._photo_sizes(data)}
        if caption is not None:
            content["caption"] = caption
        return self.standin._user_message(self, chat_id or self.id, content, None)

    def send_sticker(self, emoji: str = "👍", chat_id: int | None = None) -> dict:
        stored = self.standin._store_file(b"RIFF\x00\x00\x00\x00WEBPVP8 ", "stickers", ext=".webp")
        content = {
            "sticker": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": emoji,
                "file_size": len(stored.data),
            }
        }
        return self.standin._user_message(self, chat_id or self.id, content, None)

    def send_voice(
        self, data: bytes = b"OggS\x00fake-opus", duration: int = 2, chat_id: int | None = None
    ) -> dict:
        stored = self.standin._store_file(data, "voice", mime_type="audio/ogg", ext=".oga")
        content = {
            "voice": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": len(data),
            }
        }
        return self.standin._user_message(self, chat_id or self.id, content, None)

    def block(self, notify: bool = True) -> dict | None:
        """Block the bot: sends to this user get 403; enqueues a my_chat_member update."""
        return self.standin._set_blocked(self, True, notify)

    def unblock(self, notify: bool = True) -> dict | None:
        return self.standin._set_blocked(self, False, notify)


class _ApiHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        self.ctx = _RequestContext()

    def check_xsrf_cookie(self) -> None:  # pragma: no cover - xsrf is off anyway
        pass

    def on_connection_close(self) -> None:
        self.ctx.closed = True
        self.standin._notify()

    async def get(self, token: str, method: str) -> None:
        status, payload = await self.standin._dispatch(token, method, self.request, self.ctx)
        if self.ctx.closed:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        try:
            await self.finish(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        except tornado.iostream.StreamClosedError:
            pass

    post = get


class _FileHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    def get(self, token: str, path: str) -> None:
        self.standin.requests["file download"] += 1
        if token != self.standin.token:
            self.set_status(401)
            self.finish(b'{"ok":false,"error_code":401,"description":"Unauthorized"}')
            return
        stored = self.standin._files_by_path.get(path)
        if stored is None:
            self.set_status(404)
            self.finish(b'{"ok":false,"error_code":404,"description":"Not Found"}')
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.data)


class _NotFoundHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE")

    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(b'{"ok":false,"error_code":404,"description":"Not Found"}')


def _quiet_log(handler: tornado.web.RequestHandler) -> None:
    _LOG.debug(
        "%s %s -> %s (%.1f ms)", handler.request.method, handler.request.uri,
        handler.get_status(), 1000 * handler.request.request_time(),
    )


class BotApiStandIn(ChangeNotifier):
    """A Telegram Bot API server for offline tests; see the module docstring.

    ``rate_limit=True`` answers 429 (``retry_after`` = whole seconds until a slot frees) when a
    send (sendMessage/sendDocument/sendPhoto; not edits) exceeds ``global_per_second`` overall
    or ``per_chat_per_second`` in one chat, over a sliding window. ``clock`` gives the epoch
    seconds used for message dates. Webhook updates are pushed one at a time, in order, with
    ``webhook_attempts`` tries each (linear back-off ``webhook_retry_delay``), then dropped
    into ``webhook_failures``. Outgoing messages carry the plain text (tags parsed away) but no
    ``entities``.

    Faults, for the fault suite (``tests/faults``), both settable while running:
    ``send_delay`` seconds pass between accepting a send (recorded in ``sent``) and answering
    it, as on a slow link: a sender killed meanwhile never learns that the message went out.
    ``storm_share`` of the sendMessage calls (drawn with ``storm_seed``) are answered 429 with
    ``retry_after`` = ``storm_retry_after``, whatever the rate; counted in ``stormed``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "baocao_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_limit: bool = False,
        global_per_second: float = 30,
        per_chat_per_second: float = 1.0,
        bot_first_name: str = "Báo cáo (thử nghiệm)",
        clock: Callable[[], float] = time.time,
        webhook_attempts: int = 4,
        webhook_retry_delay: float = 0.1,
        webhook_timeout: float = 5.0,
        send_delay: float = 0.0,
        storm_share: float = 0.0,
        storm_retry_after: int = 1,
        storm_seed: int = 0,
    ) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the stand-in only listens on loopback, not {host!r}")
        self.token = token
        self.bot_username = bot_username
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self.rate_limit = rate_limit
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self._clock = clock
        self.webhook_attempts = max(1, webhook_attempts)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.send_delay = send_delay
        self.storm_share = storm_share
        self.storm_retry_after = storm_retry_after
        self._storm_random = random.Random(storm_seed)
        self.stormed = 0
        self.sends_in_flight = 0
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 123456
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }

        # observation
        self.sent: list[dict] = []
        self.callback_answers: list[dict] = []
        self.chat_actions: list[dict] = []
        self.menu_buttons: dict[int | None, dict] = {}
        self.requests: collections.Counter[str] = collections.Counter()
        self.calls: collections.deque[dict] = collections.deque(maxlen=10_000)
        self.errors: list[dict] = []
        self.rate_limited = 0
        self.webhook_deliveries: list[dict] = []
        self.webhook_failures: list[dict] = []

        # state
        self.users: dict[int, SimUser] = {}
        self._chats: dict[int, dict] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._next_message_id: dict[int, int] = collections.defaultdict(lambda: 1)
        self._update_ids = itertools.count(700_000_001)
        self._history: dict[int, dict] = {}
        self._pending: list[_Pending] = []
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._callback_queries: dict[str, dict] = {}
        self._cq_ids = itertools.count(4_382_000_000_000_000_001)
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._global_sends: collections.deque[float] = collections.deque()
        self._chat_sends: dict[int, collections.deque[float]] = collections.defaultdict(
            collections.deque
        )
        self._cursor: dict[int, int] = {}
        self._webhook_url = ""
        self._webhook_secret: str | None = None
        self._webhook_max_connections = 40
        self._webhook_last_error: tuple[int, str] | None = None
        self._webhook_task: asyncio.Task | None = None
        self._http: httpx.AsyncClient | None = None

        # runtime
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._waiters: set[asyncio.Future] = set()
        self._stopping = False
        self._methods: dict[str, tuple[str, Callable]] = {
            name[3:].lower(): (name[3:], getattr(self, name))
            for name in dir(self)
            if name.startswith("_m_")
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> BotApiStandIn:
        if self._server is not None:
            return self
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/?]+)/?", _ApiHandler, {"standin": self}),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, {"standin": self}),
                (r".*", _NotFoundHandler),
            ],
            log_function=_quiet_log,
        )
        family = socket.AF_INET6 if self.host == "::1" else socket.AF_INET
        sockets = tornado.netutil.bind_sockets(self._requested_port, self.host, family=family)
        self._server = tornado.httpserver.HTTPServer(
            app, max_body_size=64 * 1024 * 1024, idle_connection_timeout=30, body_timeout=30
        )
        self._server.add_sockets(sockets)
        self._port = sockets[0].getsockname()[1]
        self._http = httpx.AsyncClient(trust_env=False, timeout=self.webhook_timeout)
        if self._webhook_url:
            self._ensure_webhook_worker()
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
        await asyncio.sleep(0)  # let woken long-polls answer
        try:
            await asyncio.wait_for(server.close_all_connections(), 5)
        except (TimeoutError, asyncio.TimeoutError):
            _LOG.warning("stand-in: connections did not close within 5 s")
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> BotApiStandIn:
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
        host = "[::1]" if self.host == "::1" else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``; PTB appends the token."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    # ------------------------------------------------------------------ HTTP dispatch

    async def _dispatch(
        self, token: str, method: str, request: Any, ctx: _RequestContext
    ) -> tuple[int, dict]:
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        self.requests[name] += 1
        try:
            if urllib.parse.unquote(token) != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            params, files = self._parse_request(request)
            self.calls.append(
                {
                    "method": name,
                    "http_method": request.method,
                    "content_type": request.headers.get("Content-Type", ""),
                    "params": params,
                    "raw_fields": self._raw_fields(request),
                    "files": {key: (f[0], len(f[1]), f[2]) for key, f in files.items()},
                    "ts": time.monotonic(),
                }
            )
            result = entry[1](params, files, ctx)
            if asyncio.iscoroutine(result):
                result = await result
            if self.send_delay > 0 and name in ("sendMessage", "sendDocument", "sendPhoto"):
                # Accepted (recorded) already; the answer is late.
                self.sends_in_flight += 1
                try:
                    await asyncio.sleep(self.send_delay)
                finally:
                    self.sends_in_flight -= 1
        except ApiError as exc:
            self.errors.append(
                {"method": name, "code": exc.code, "description": exc.description,
                 "ts": time.monotonic()}
            )
            self._notify()
            return exc.code, exc.payload()
        except Exception as exc:  # a stand-in bug: answer JSON so PTB shows it, and log it
            _LOG.exception("stand-in: %s failed", name)
            description = f"Internal Server Error: stand-in bug: {exc!r}"
            self.errors.append(
                {"method": name, "code": 500, "description": description, "ts": time.monotonic()}
            )
            self._notify()
            return 500, {"ok": False, "error_code": 500, "description": description}
        body: dict[str, Any] = {"ok": True, "result": result}
        return 200, body

    @staticmethod
    def _raw_fields(request: Any) -> dict[str, str]:
        raw: dict[str, str] = {}
        for source in (request.query_arguments, request.body_arguments):
            for key, values in source.items():
                raw[key] = values[-1].decode("utf-8", "replace")
        return raw

    def _parse_request(self, request: Any) -> tuple[dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, tuple[str | None, bytes, str | None]] = {}
        for source in (request.query_arguments, request.body_arguments):
            for key, values in source.items():
                try:
                    params[key] = values[-1].decode("utf-8")
                except UnicodeDecodeError:
                    raise _bad(f"field {key!r} is not valid UTF-8") from None
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/json" and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise _bad("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise _bad("JSON request body must be an object")
            params.update(body)
        for key, parts in request.files.items():
            part = parts[-1]
            filename = part.filename.replace("%22", '"') if part.filename else None
            files[key] = (filename, bytes(part.body), part.content_type or None)
        return {key: self._coerce(key, value) for key, value in params.items()}, files

    @staticmethod
    def _coerce(name: str, value: Any) -> Any:
        if not isinstance(value, str):
            if name in _CHAT_ID_FIELDS and isinstance(value, float) and value.is_integer():
                return int(value)
            return value
        if name in _CHAT_ID_FIELDS:
            return int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
        if name in _INT_FIELDS:
            try:
                return int(value)
            except ValueError:
                raise _bad(f'field "{name}" must be of type Integer') from None
        if name in _BOOL_FIELDS:
            lowered = value.strip().lower()
            if lowered in ("true", "1"):
                return True
            if lowered in ("false", "0", ""):
                return False
            raise _bad(f'field "{name}" must be of type Boolean')
        if name in _JSON_FIELDS:
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise _bad("can't parse reply keyboard markup JSON object") from None
                raise _bad(f"can't parse {name} JSON object") from None
        return value

    # ------------------------------------------------------------------ helpers

    def _now(self) -> int:
        return int(self._clock())

    def _chat(self, params: dict, key: str = "chat_id", required: bool = True) -> dict | None:
        if key not in params or params[key] in ("", None):
            if required:
                raise _bad(f"{key} is empty")
            return None
        value = params[key]
        if isinstance(value, str):
            if value.startswith("@"):
                for chat in self._chats.values():
                    if chat.get("username", "").lower() == value[1:].lower():
                        return chat
            raise _bad("chat not found")
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad("chat not found")
        chat = self._chats.get(value)
        if chat is None:
            raise _bad("chat not found")
        return chat

    def _check_reachable(self, chat: dict) -> None:
        if chat["type"] != "private":
            return
        user = self.users.get(chat["id"])
        if user is None:
            return
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")

    @staticmethod
    def _window(rate: float) -> tuple[int, float]:
        if rate >= 1:
            return int(rate), 1.0
        return 1, 1.0 / rate

    def _check_rate(self, chat_id: int) -> None:
        if not self.rate_limit:
            return
        now = time.monotonic()
        checks = []
        if self.global_per_second and self.global_per_second > 0:
            checks.append((self._global_sends, *self._window(self.global_per_second)))
        if self.per_chat_per_second and self.per_chat_per_second > 0:
            checks.append((self._chat_sends[chat_id], *self._window(self.per_chat_per_second)))
        for stamps, capacity, window in checks:
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= capacity:
                retry_after = max(1, math.ceil(stamps[0] + window - now))
                self.rate_limited += 1
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )
        for stamps, _capacity, _window in checks:
            stamps.append(now)

    def _check_storm(self) -> None:
        if self.storm_share > 0 and self._storm_random.random() < self.storm_share:
            self.stormed += 1
            retry_after = max(1, int(self.storm_retry_after))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    @staticmethod
    def _shallow(message: dict) -> dict:
        out = copy.deepcopy(message)
        out.pop("reply_to_message", None)
        return out

    def _validate_reply_markup(self, markup: Any) -> dict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardMarkup must be an "
                           "Array of Arrays")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _bad("can't parse inline keyboard button: Text buttons are "
                                   "unallowed in the inline keyboard")
                    actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
                    if len(actions) != 1:
                        raise _bad("can't parse inline keyboard button: Text buttons are "
                                   "unallowed in the inline keyboard")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        size = len(str(data).encode("utf-8"))
                        if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                            raise _bad("BUTTON_DATA_INVALID")
            return markup
        if "keyboard" in markup or "remove_keyboard" in markup or "force_reply" in markup:
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_target(self, params: dict, chat: dict) -> dict | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply"))
            target_chat = reply.get("chat_id", chat["id"])
        elif params.get("reply_to_message_id"):
            message_id = params["reply_to_message_id"]
            allow_missing = bool(params.get("allow_sending_without_reply"))
            target_chat = chat["id"]
        else:
            return None
        if isinstance(target_chat, str) and re.fullmatch(r"-?\d+", target_chat):
            target_chat = int(target_chat)
        target = self._messages.get((target_chat, message_id))
        if target is None:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return target

    def _build_outgoing(self, chat: dict, params: dict, content: dict) -> dict:
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat["id"]),
            "from": dict(self.bot_user),
            "chat": dict(chat),
            "date": self._now(),
        }
        message.update(content)
        target = self._reply_target(params, chat)
        if target is not None:
            message["reply_to_message"] = self._shallow(target)
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._messages[(chat["id"], message["message_id"])] = message
        return message

    def _record(self, kind: str, method: str, chat_id: int, message: dict | None,
                params: dict, **extra: Any) -> dict:
        target = (message or {}).get("reply_to_message") or {}
        record: dict[str, Any] = {
            "seq": len(self.sent),
            "kind": kind,
            "method": method,
            "chat_id": chat_id,
            "message_id": (message or {}).get("message_id", params.get("message_id")),
            "text": params.get("text", params.get("caption")),
            "plain": None,
            "parse_mode": params.get("parse_mode"),
            "reply_markup": params.get("reply_markup"),
            "reply_to_message_id": target.get("message_id"),
            "disable_notification": bool(params.get("disable_notification", False)),
            "date": self._now(),
            "ts": time.monotonic(),
            "params": params,
            "message": copy.deepcopy(message) if message is not None else None,
        }
        record.update(extra)
        self.sent.append(record)
        self._notify()
        return record

    def _store_file(
        self,
        data: bytes,
        folder: str,
        *,
        filename: str | None = None,
        mime_type: str | None = None,
        ext: str | None = None,
    ) -> _StoredFile:
        number = next(self._file_seq)
        prefix = {"documents": "BQACAgUAAxkBAAI", "photos": "AgACAgUAAxkBAAI",
                  "stickers": "CAACAgIAAxkBAAI", "voice": "AwACAgIAAxkBAAI"}.get(folder, "BAAC")
        if ext is None:
            ext = ""
            if filename and "." in filename:
                ext = "." + filename.rsplit(".", 1)[1][:10]
        stored = _StoredFile(
            file_id=f"{prefix}{self.bot_id:x}_{number:06d}",
            file_unique_id=f"AgAD{number:06d}",
            data=bytes(data),
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{number}{ext}",
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _photo_sizes(self, data: bytes) -> list[dict]:
        width, height = _image_size(data) or (100, 100)
        stored = self._store_file(data, "photos", mime_type="image/jpeg", ext=".jpg")
        full = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "width": width, "height": height, "file_size": len(data)}
        scale = min(1.0, 90 / max(width, height, 1))
        thumb_file = self._store_file(data, "photos", mime_type="image/jpeg", ext=".jpg")
        thumb = {"file_id": thumb_file.file_id, "file_unique_id": thumb_file.file_unique_id,
                 "width": max(1, round(width * scale)), "height": max(1, round(height * scale)),
                 "file_size": len(data)}
        return [thumb, full]

    def _input_file(self, params: dict, files: dict, field_name: str) -> tuple:
        """Return (stored_or_None, filename, data, mime) for an InputFile-typed parameter."""
        if field_name in files:
            filename, data, mime = files[field_name]
        elif isinstance(params.get(field_name), str):
            value = params[field_name]
            if value.startswith("attach://"):
                name = value[len("attach://") :]
                if name not in files:
                    raise _bad(f"file {name!r} is not found in the request")
                filename, data, mime = files[name]
            elif value in self._files:
                stored = self._files[value]
                return stored, stored.filename, stored.data, stored.mime_type
            elif value.startswith(("http://", "https://")):
                raise _bad("failed to get HTTP URL content")
            else:
                raise _bad("wrong file identifier/HTTP URL specified")
        else:
            raise _bad(f"there is no {field_name} in the request")
        if not data:
            raise _bad("file must be non-empty")
        return None, filename, data, mime

    # ------------------------------------------------------------------ updates

    def _enqueue(self, kind: str, payload: dict, chat_id: int | None = None) -> dict:
        update = {"update_id": next(self._update_ids), kind: payload}
        self._history[update["update_id"]] = update
        self._pending.append(_Pending(copy.deepcopy(update)))
        if chat_id is not None:
            self._cursor[chat_id] = max(self._cursor.get(chat_id, 0), len(self.sent))
        self._notify()
        return update

    def redeliver(self, update_id: int) -> dict:
        """Enqueue an already delivered update again, same update_id (idempotency tests)."""
        update = self._history.get(update_id)
        if update is None:
            raise KeyError(f"unknown update_id {update_id}")
        entry = _Pending(copy.deepcopy(update), redelivered=True)
        ids = [pending.update_id for pending in self._pending]
        self._pending.insert(bisect.bisect_right(ids, update_id), entry)
        self._notify()
        return update

    def pending_updates(self) -> list[dict]:
        """Updates not yet confirmed by an offset (delivered-but-unconfirmed included)."""
        return [copy.deepcopy(entry.update) for entry in self._pending]

    def _allowed(self, kind: str) -> bool:
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [
                entry for entry in self._pending
                if entry.update_id >= offset or (entry.redelivered and not entry.delivered)
            ]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _select(self, limit: int) -> list[_Pending]:
        kept = [entry for entry in self._pending if self._allowed(entry.kind)]
        self._pending = kept
        return kept[:limit]

    # ------------------------------------------------------------------ Bot API methods

    def _m_getMe(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_getUpdates(self, params: dict, files: dict, ctx: _RequestContext) -> list:
        if self._webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = min(MAX_POLL_TIMEOUT, max(0.0, float(params.get("timeout") or 0)))
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            if isinstance(allowed, list):
                self._allowed_updates = [str(item) for item in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # terminates an older long poll, as Telegram does
        self._confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            batch = self._select(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._stopping or ctx.closed:
                break
            await self._wait_change(remaining)
            if self._poll_generation != generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make "
                                    "sure that only one bot instance is running")
            if self._webhook_url:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is "
                                    "active; use deleteWebhook to delete the webhook first")
        if ctx.closed:
            return []
        for entry in batch:
            entry.delivered = True
        return [copy.deepcopy(entry.update) for entry in batch]

    def _m_setWebhook(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._m_deleteWebhook(params, files, ctx)
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise _bad("bad webhook: invalid webhook URL specified")
        if parsed.hostname not in LOOPBACK_HOSTS:
            raise _bad("bad webhook: the stand-in only delivers to loopback addresses")
        secret = params.get("secret_token")
        if secret is not None and secret != "" and not _SECRET_TOKEN_RE.match(str(secret)):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(item) for item in params["allowed_updates"]]
        if params.get("max_connections"):
            self._webhook_max_connections = int(params["max_connections"])
        self._webhook_url = url
        self._webhook_secret = str(secret) if secret else None
        self._webhook_last_error = None
        self._ensure_webhook_worker()
        self._notify()
        return True

    def _m_deleteWebhook(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        self._webhook_url = ""
        self._webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._notify()
        return True

    def _m_getWebhookInfo(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._webhook_url:
            info["max_connections"] = self._webhook_max_connections
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_last_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_last_error
        return info

    def _m_sendMessage(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        chat = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("message text is empty")
        plain = _plain_text(text, params.get("parse_mode"))
        if not plain.strip():
            raise _bad("message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = self._validate_reply_markup(params.get("reply_markup"))
        params["reply_markup"] = markup
        self._check_reachable(chat)
        self._check_storm()
        self._check_rate(chat["id"])
        message = self._build_outgoing(chat, params, {"text": plain})
        self._record("message", "sendMessage", chat["id"], message, params, plain=plain)
        return message

    def _send_media(self, params: dict, files: dict, field_name: str) -> tuple[dict, dict]:
        chat = self._chat(params)
        caption = params.get("caption")
        plain_caption = None
        if caption:
            plain_caption = _plain_text(str(caption), params.get("parse_mode"))
            if len(plain_caption) > MAX_CAPTION_LENGTH:
                raise _bad("message caption is too long")
        params["reply_markup"] = self._validate_reply_markup(params.get("reply_markup"))
        reused, filename, data, mime = self._input_file(params, files, field_name)
        self._check_reachable(chat)
        self._check_rate(chat["id"])
        return chat, {"reused": reused, "filename": filename, "data": data, "mime": mime,
                      "caption": plain_caption}

    def _m_sendDocument(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        chat, media = self._send_media(params, files, "document")
        stored = media["reused"] or self._store_file(
            media["data"], "documents", filename=media["filename"],
            mime_type=media["mime"] or mimetypes.guess_type(media["filename"] or "")[0]
            or "application/octet-stream",
        )
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.filename:
            document["file_name"] = stored.filename
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        content: dict[str, Any] = {"document": document}
        if media["caption"] is not None:
            content["caption"] = media["caption"]
        message = self._build_outgoing(chat, params, content)
        self._record(
            "document", "sendDocument", chat["id"], message, params, plain=media["caption"],
            caption=params.get("caption"),
            filename=stored.filename, data=stored.data, mime_type=stored.mime_type,
            file_id=stored.file_id,
        )
        return message

    def _m_sendPhoto(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        chat, media = self._send_media(params, files, "photo")
        if media["reused"] is None and _image_size(media["data"]) is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        sizes = self._photo_sizes(media["data"])
        content: dict[str, Any] = {"photo": sizes}
        if media["caption"] is not None:
            content["caption"] = media["caption"]
        message = self._build_outgoing(chat, params, content)
        self._record(
            "photo", "sendPhoto", chat["id"], message, params, plain=media["caption"],
            caption=params.get("caption"),
            filename=media["filename"], data=media["data"], mime_type=media["mime"],
            file_id=sizes[-1]["file_id"],
        )
        return message

    def _editable(self, params: dict) -> dict:
        if params.get("inline_message_id"):
            raise _bad("inline messages are not supported by the stand-in")
        chat = self._chat(params)
        message = self._messages.get((chat["id"], params.get("message_id")))
        if message is None:
            raise _bad("message to edit not found")
        if not message.get("from", {}).get("is_bot"):
            raise _bad("message can't be edited")
        return message

    def _m_editMessageText(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        message = self._editable(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("message text is empty")
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        plain = _plain_text(text, params.get("parse_mode"))
        if len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = self._validate_reply_markup(params.get("reply_markup"))
        params["reply_markup"] = markup
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if message["text"] == plain and message.get("reply_markup") == new_markup:
            raise _bad("message is not modified: specified new message content and reply "
                       "markup are exactly the same as a current content and reply markup "
                       "of the message")
        message["text"] = plain
        message["edit_date"] = self._now()
        if new_markup is None:  # editing text without reply_markup removes the keyboard
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        self._record("edit", "editMessageText", message["chat"]["id"], message, params,
                     plain=plain)
        return copy.deepcopy(message)

    def _m_editMessageReplyMarkup(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        message = self._editable(params)
        markup = self._validate_reply_markup(params.get("reply_markup"))
        params["reply_markup"] = markup
        new_markup = markup if markup and "inline_keyboard" in markup else None
        if message.get("reply_markup") == new_markup:
            raise _bad("message is not modified: specified new message content and reply "
                       "markup are exactly the same as a current content and reply markup "
                       "of the message")
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup
        message["edit_date"] = self._now()
        self._record("edit_markup", "editMessageReplyMarkup", message["chat"]["id"], message,
                     params, text=message.get("text", message.get("caption")))
        return copy.deepcopy(message)

    def _m_deleteMessage(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        chat = self._chat(params)
        message = self._messages.pop((chat["id"], params.get("message_id")), None)
        if message is None:
            raise _bad("message to delete not found")
        self._record("delete", "deleteMessage", chat["id"], message, params,
                     text=message.get("text", message.get("caption")))
        return True

    def _m_answerCallbackQuery(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._callback_queries.get(query_id)
        if query is None or query["answered"]:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        query["answered"] = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": bool(params.get("show_alert", False)),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
                "data": query["data"],
                "chat_id": query["chat_id"],
                "message_id": query["message_id"],
                "ts": time.monotonic(),
            }
        )
        self._notify()
        return True

    def _scope_key(self, params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad("can't parse BotCommandScope")
        scope = dict(scope)
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            self._chat(scope)
            if isinstance(scope["chat_id"], str) and re.fullmatch(r"-?\d+", scope["chat_id"]):
                scope["chat_id"] = int(scope["chat_id"])
        language = str(params.get("language_code") or "")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return json.dumps(scope, sort_keys=True, separators=(",", ":")), language

    def _m_setMyCommands(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND_RE.match(str(item.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            description = str(item.get("description", ""))
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": item["command"], "description": description})
        key = self._scope_key(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        self._notify()
        return True

    def _m_getMyCommands(self, params: dict, files: dict, ctx: _RequestContext) -> list:
        return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    def _m_deleteMyCommands(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        self._commands.pop(self._scope_key(params), None)
        self._notify()
        return True

    def _m_sendChatAction(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        chat = self._chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._check_reachable(chat)
        self.chat_actions.append(
            {"chat_id": chat["id"], "action": params["action"], "ts": time.monotonic()}
        )
        self._notify()
        return True

    def _m_setChatMenuButton(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        chat = self._chat(params, required=False)
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands",
                                                                       "web_app"):
            raise _bad("can't parse menu button")
        self.menu_buttons[chat["id"] if chat else None] = button
        return True

    def _m_getChatMenuButton(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        chat = self._chat(params, required=False)
        key = chat["id"] if chat else None
        return copy.deepcopy(
            self.menu_buttons.get(key) or self.menu_buttons.get(None) or {"type": "commands"}
        )

    def _m_getChat(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        chat = self._chat(params)
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                "premium_subscription": False, "gifts_from_channels": False,
            },
        }

    def _m_getFile(self, params: dict, files: dict, ctx: _RequestContext) -> dict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return stored.as_file()

    def _m_close(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        return True

    def _m_logOut(self, params: dict, files: dict, ctx: _RequestContext) -> bool:
        return True

    # ------------------------------------------------------------------ webhook delivery

    def _ensure_webhook_worker(self) -> None:
        if self._server is None or self._loop is None:
            return  # started later by start()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = self._loop.create_task(self._webhook_loop())

    async def _push(self, url: str, secret: str | None, update: dict) -> tuple[int | None, str]:
        headers = {"Content-Type": "application/json"}  # PTB requires exactly this value
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        client = self._http or httpx.AsyncClient(trust_env=False, timeout=self.webhook_timeout)
        try:
            response = await client.post(
                url, content=json.dumps(update, ensure_ascii=False).encode("utf-8"),
                headers=headers,
            )
            return response.status_code, response.reason_phrase
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        finally:
            if client is not self._http:
                await client.aclose()

    async def _webhook_loop(self) -> None:
        while self._webhook_url and not self._stopping:
            batch = self._select(1)
            if not batch:
                await self._wait_change(1.0)
                continue
            entry = batch[0]
            url, secret = self._webhook_url, self._webhook_secret
            delivered = False
            for attempt in range(1, self.webhook_attempts + 1):
                status, reason = await self._push(url, secret, entry.update)
                self.webhook_deliveries.append(
                    {"update_id": entry.update_id, "attempt": attempt, "status": status,
                     "reason": reason, "ts": time.monotonic()}
                )
                if status is not None and 200 <= status < 300:
                    delivered = True
                    break
                self._webhook_last_error = (
                    self._now(),
                    f"Wrong response from the webhook: {status} {reason}" if status
                    else f"Connection failed: {reason}",
                )
                if self._webhook_url != url or self._stopping:
                    break
                if attempt < self.webhook_attempts:
                    await asyncio.sleep(self.webhook_retry_delay * attempt)
            if not delivered and (self._webhook_url != url or self._stopping):
                continue  # keep it pending for whoever consumes next
            if entry in self._pending:
                self._pending.remove(entry)
            if not delivered:
                self.webhook_failures.append(
                    {"update": entry.update, "error": self._webhook_last_error}
                )
            self._notify()

    _USE_CONFIGURED = object()

    async def post_to_webhook(
        self, update: dict, *, secret_token: Any = _USE_CONFIGURED, url: str | None = None
    ) -> int | None:
        """One raw push (no retry, no bookkeeping) to the webhook URL; returns the HTTP status.

        Use it to check the receiving side, e.g. that a wrong secret token is refused.
        """
        secret = self._webhook_secret if secret_token is self._USE_CONFIGURED else secret_token
        target = url or self._webhook_url
        if not target:
            raise RuntimeError("no webhook is set")
        status, _reason = await self._push(target, secret, update)
        return status

    # ------------------------------------------------------------------ simulation API

    def user(
        self,
        user_id: int,
        first_name: str = "Nguyễn Văn A",
        language_code: str | None = "vi",
        username: str | None = None,
        *,
        last_name: str | None = None,
        started: bool = True,
    ) -> SimUser:
        """Get or create a simulated user (and their private chat with the bot).

        ``started=False`` models a user who never opened the bot: sends get 403 until the user
        writes first.
        """
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        sim = SimUser(self, user_id, first_name, language_code, username, last_name,
                      started=started)
        self.users[user_id] = sim
        chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name:
            chat["last_name"] = last_name
        if username:
            chat["username"] = username
        self._chats[user_id] = chat
        return sim

    def group(self, chat_id: int, title: str | None = None) -> dict:
        """Get or create a group (``-100…`` ids become supergroups)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            chat = {"id": chat_id, "type": kind, "title": title or f"Nhóm {abs(chat_id)}"}
            self._chats[chat_id] = chat
        return chat

    def _entities_for(self, text: str) -> list[dict]:
        entities = []
        for match in _BOT_COMMAND_RE.finditer(text):
            entities.append(
                {
                    "type": "bot_command",
                    "offset": _utf16_len(text[: match.start()]),
                    "length": _utf16_len(match.group(0)),
                }
            )
        return entities

    def _user_message(self, sim: SimUser, chat_id: int, content: dict,
                      reply_to: int | None) -> dict:
        chat = self._chats[chat_id]
        if chat["type"] == "private":
            if sim.blocked:  # writing to a blocked bot means pressing "Restart"
                self._set_blocked(sim, False, True)
            sim.started = True
        message: dict[str, Any] = {
            "message_id": self._new_message_id(chat_id),
            "from": sim.as_user(),
            "chat": dict(chat),
            "date": self._now(),
        }
        message.update(copy.deepcopy(content))
        if "text" in content:
            entities = self._entities_for(content["text"])
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            target = self._messages.get((chat_id, reply_to))
            if target is None:
                raise ValueError(f"no message {reply_to} in chat {chat_id} to reply to")
            message["reply_to_message"] = self._shallow(target)
        self._messages[(chat_id, message["message_id"])] = message
        return self._enqueue("message", message, chat_id)

    def _press(self, sim: SimUser, message: dict | int, data: str, *, strict: bool) -> dict:
        if isinstance(message, int):
            chat_id, message_id = sim.id, message
        else:
            chat_id = message.get("chat_id", (message.get("chat") or {}).get("id"))
            message_id = message["message_id"]
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if not stored.get("from", {}).get("is_bot"):
            raise ValueError("only buttons on the bot's messages can be pressed")
        if strict:
            buttons = [
                button.get("callback_data")
                for row in (stored.get("reply_markup") or {}).get("inline_keyboard", [])
                for button in row
            ]
            if data not in buttons:
                raise ValueError(
                    f"message {message_id} has no button with callback_data {data!r}; "
                    f"it has {buttons}"
                )
        query_id = str(next(self._cq_ids))
        self._callback_queries[query_id] = {
            "answered": False, "data": data, "chat_id": chat_id, "message_id": message_id,
        }
        query = {
            "id": query_id,
            "from": sim.as_user(),
            "message": copy.deepcopy(stored),
            "chat_instance": str(abs(hash((self.bot_id, chat_id)))),
            "data": data,
        }
        return self._enqueue("callback_query", query, chat_id)

    def _set_blocked(self, sim: SimUser, blocked: bool, notify: bool) -> dict | None:
        if sim.blocked == blocked:
            return None
        sim.blocked = blocked
        if not notify:
            return None
        member = {"status": "member", "user": dict(self.bot_user)}
        kicked = {"status": "kicked", "user": dict(self.bot_user), "until_date": 0}
        return self._enqueue(
            "my_chat_member",
            {
                "chat": dict(self._chats[sim.id]),
                "from": sim.as_user(),
                "date": self._now(),
                "old_chat_member": member if blocked else kicked,
                "new_chat_member": kicked if blocked else member,
            },
        )

    # ------------------------------------------------------------------ observation API

    @property
    def commands(self) -> dict[tuple[str, str], list[dict]]:
        """What setMyCommands stored: {(scope JSON with sorted keys, language_code): [...]}."""
        return copy.deepcopy(self._commands)

    def commands_for(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        key = json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))
        return copy.deepcopy(self._commands.get((key, language_code), []))

    def messages_to(self, chat_id: int, kinds: Iterable[str] | None = None) -> list[dict]:
        wanted = set(kinds) if kinds is not None else None
        return [
            record for record in self.sent
            if record["chat_id"] == chat_id and (wanted is None or record["kind"] in wanted)
        ]

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[dict], bool] | str | None = None,
        timeout: float = 5.0,
        *,
        after: int | None = None,
        kind: str | Iterable[str] | None = SEND_KINDS,
    ) -> dict:
        """Wait for a NEW outgoing record to ``chat_id`` matching ``predicate``.

        "New" means: at ``sent`` index >= ``after`` if given; otherwise after both the last
        simulated input in that chat and the last record ``wait_for`` returned for it, so
        successive calls walk the conversation. ``predicate`` may be a callable on the record or
        a substring of its text. ``kind`` filters record kinds (default: sent messages, not
        edits; pass "edit" or None). Raises TimeoutError with a dump of what was sent.
        """
        if isinstance(predicate, str):
            needle = predicate

            def matches(record: dict) -> bool:
                return needle in (record.get("text") or "")
        else:
            matches = predicate or (lambda record: True)
        kinds = {kind} if isinstance(kind, str) else (set(kind) if kind is not None else None)
        start = after if after is not None else self._cursor.get(chat_id, 0)
        first_start = start
        deadline = time.monotonic() + timeout
        while True:
            end = len(self.sent)
            for record in self.sent[start:end]:
                if record["chat_id"] != chat_id:
                    continue
                if kinds is not None and record["kind"] not in kinds:
                    continue
                if matches(record):
                    self._cursor[chat_id] = max(self._cursor.get(chat_id, 0), record["seq"] + 1)
                    return record
            start = end
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"no new matching message to chat {chat_id} within {timeout}s "
                    f"(looked at sent[{first_start}:])\n{self.dump(chat_id)}"
                )
            await self._wait_change(remaining)

    def dump(self, chat_id: int | None = None, last: int = 15) -> str:
        """Human-readable summary of what happened (used in timeout errors)."""
        lines = []
        records = self.sent if chat_id is None else self.messages_to(chat_id)
        title = "all chats" if chat_id is None else f"chat {chat_id}"
        lines.append(f"sent to {title}: {len(records)} record(s); last {min(last, len(records))}:")
        for record in records[-last:]:
            text = (record.get("text") or "").replace("\n", "\\n")
            if len(text) > 120:
                text = text[:117] + "..."
            buttons = ""
            markup = record.get("reply_markup") or {}
            if "inline_keyboard" in markup:
                buttons = " buttons=" + str(
                    [b.get("callback_data") or b.get("url") for r in markup["inline_keyboard"]
                     for b in r]
                )
            lines.append(
                f"  [{record['seq']}] {record['kind']} chat={record['chat_id']} "
                f"id={record['message_id']} {text!r}{buttons}"
            )
        if chat_id is not None:
            others = len(self.sent) - len(records)
            lines.append(f"records to other chats: {others}")
        if self.errors:
            lines.append(f"API errors ({len(self.errors)}), last 5:")
            for error in self.errors[-5:]:
                lines.append(f"  {error['method']} -> {error['code']} {error['description']}")
        lines.append(
            "requests: " + ", ".join(f"{k}={v}" for k, v in sorted(self.requests.items()))
        )
        lines.append(f"pending updates: {len(self._pending)}")
        return "\n".join(lines)
