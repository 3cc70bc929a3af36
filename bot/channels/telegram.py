"""The Telegram channel, on python-telegram-bot's :class:`telegram.Bot`.

- **Receiving.** baocao runs its own long-polling loop (:meth:`TelegramChannel.poll`) instead of
  python-telegram-bot's Updater: the Updater confirms updates to Telegram (the getUpdates
  offset) as soon as they sit in its in-memory queue, so a crash lost them. Here every update
  of a batch is stored in the inbox (or the spool) first, and only then is the next offset
  asked for, which is what confirms the batch. The raw JSON is stored, so an update the library
  cannot read is kept and skipped instead of blocking the ones after it. Webhook calls are read
  the same way (:meth:`TelegramChannel.webhook`): stored before the HTTP 200.
- **Sending.** Messages are rendered as HTML (``<b>``, ``<i>``, ``<a>``; user text escaped once,
  here), split within 4096 characters with at most 90 inline buttons per message, a button's
  data at most 64 bytes; a file goes as a document or a photo. Telegram's answers map onto
  the outbox's outcomes: 429 → retry after ``retry_after``, 403 or "chat not found" → blocked,
  network trouble → transient, another refusal → rejected.
- **Invitations** are deep links ``https://t.me/<bot>?start=<code>``.
- **Menus.** Commands are registered per role (``setMyCommands`` with scopes) from the core's
  table (:func:`bot.handlers.menu`).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import re
import warnings
from collections.abc import Iterable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message as TgMessage,
    ReplyParameters,
    Update,
)
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot.channels.base import Channel, Store, UpdateKey, Webhook, pause, protect_logs
from bot.channels.render import Line, Part, pack, plain_line
from bot.context import Capabilities, InvitationHint
from bot.messages import Attachment, Inbound
from common.i18n import Translator, translator
from common.message import GAP, ITEM, Block, Message, Text
from scheduler import dispatch
from scheduler.dispatch import Progress
from storage.files import FileStore
from storage.models import Outbox

log = logging.getLogger(__name__)

# getUpdates is called raw on purpose (Bot.get_updates parses the batch and fails on the whole
# of it for one update it cannot read); the library's hint to use get_updates is noise here.
warnings.filterwarnings("ignore", message=r".*Bot\.getUpdates.*", category=PTBUserWarning)

NAME = "telegram"
MAX_CHARS = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 90  # Telegram allows 100 inline buttons per message; keep a margin
MAX_CALLBACK_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile: a bot can download files up to 20 MB
DOWNLOAD_TIMEOUT_S = 120.0  # reading a 20 MB file on a slow line
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
POLL_TIMEOUT_S = 10
MENU_LANGUAGES = ("en",)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# Telegram usernames: 5–32 letters, digits and underscores (bots end in "bot", not enforced).
_USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def normalize_bot_username(username: str) -> str:
    """``@Baocao_bot`` → ``Baocao_bot``; :class:`ValueError` if it cannot be a Telegram username."""
    text = username.strip().removeprefix("@").strip()
    if not _USERNAME_RE.fullmatch(text):
        raise ValueError(
            f"tên bot {username!r} không hợp lệ: tên Telegram gồm 5–32 chữ cái Latinh, chữ số và dấu gạch dưới"
        )
    return text


def deep_link(bot_username: str, code: str) -> str:
    """The link that opens the bot with ``/start <code>`` (Telegram allows ≤ 64 characters of
    ``[A-Za-z0-9_-]`` there, which is what invitation codes are)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code):
        raise ValueError("mã mời không hợp lệ cho đường dẫn /start")
    return f"https://t.me/{normalize_bot_username(bot_username)}?start={code}"


# --- rendering ----------------------------------------------------------------------------------


def html_text(text: Text) -> str:
    out = []
    for span in text.spans:
        piece = html.escape(span.text, quote=False)
        if span.link:
            piece = f'<a href="{html.escape(span.link, quote=True)}">{piece}</a>'
        if span.italic:
            piece = f"<i>{piece}</i>"
        if span.bold:
            piece = f"<b>{piece}</b>"
        out.append(piece)
    return "".join(out)


def html_line(block: Block) -> str:
    if block.kind == GAP:
        return ""
    text = html_text(block.text)
    return "• " + text if block.kind == ITEM else text


def render(message: Message, *, limit: int = MAX_CHARS) -> list[Part]:
    """A message as Telegram messages: HTML within ``limit`` characters, inline buttons."""
    for choice in message.all_choices():
        if len(choice.value.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise ValueError(f"a choice value is longer than {MAX_CALLBACK_BYTES} bytes: {choice.value!r}")
    lines = [Line(html_line(b), list(b.choices), fallback=html.escape(plain_line(b), quote=False)) for b in message.blocks]
    return pack(lines, limit=limit, max_choices=MAX_BUTTONS, tail=message.choices, columns=message.columns)


def keyboard(part: Part) -> InlineKeyboardMarkup | None:
    if not part.choices:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.value) for c in row] for row in part.choices])


# --- reading --------------------------------------------------------------------------------------


def _attachment(message: TgMessage) -> Attachment | None:
    if message.document is not None:
        d = message.document
        return Attachment("document", d.file_id, d.file_name, d.mime_type, d.file_size)
    if message.photo:
        p = message.photo[-1]
        return Attachment("photo", p.file_id, None, "image/jpeg", p.file_size)
    if message.sticker is not None:
        return Attachment("sticker", message.sticker.file_id)
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return Attachment("voice")
    if message.text is None:
        return Attachment("other")  # video, location, contact, poll…
    return None


def to_inbound(update: Update) -> Inbound | None:
    """The channel-neutral view of an update; None for updates the core has no use for."""
    payload = update.to_dict()
    query = update.callback_query
    if query is not None:
        message = query.message
        chat = message.chat if message is not None else None
        return Inbound(
            channel=NAME,
            update_id=str(update.update_id),
            chat_id=str(chat.id if chat is not None else query.from_user.id),
            user_id=str(query.from_user.id),
            chat_type=chat.type if chat is not None else "private",
            choice=query.data or "",
            ack=query.id,
            language_code=query.from_user.language_code,
            display_name=query.from_user.full_name,
            payload=payload,
        )
    message = update.message or update.edited_message
    if message is None or message.from_user is None:
        return None  # channel posts, membership changes: nothing to answer
    return Inbound(
        channel=NAME,
        update_id=str(update.update_id),
        chat_id=str(message.chat.id),
        user_id=str(message.from_user.id),
        chat_type=message.chat.type,
        text=message.text or message.caption or "",
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
        language_code=message.from_user.language_code,
        display_name=message.from_user.full_name,
        attachment=_attachment(message),
        edited=update.edited_message is not None,
        payload=payload,
    )


def _key(raw: dict[str, Any]) -> UpdateKey | None:
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    chat = user = None
    for field in ("message", "edited_message"):
        body = raw.get(field)
        if isinstance(body, dict):
            chat = (body.get("chat") or {}).get("id")
            user = (body.get("from") or {}).get("id")
    query = raw.get("callback_query")
    if isinstance(query, dict):
        user = (query.get("from") or {}).get("id")
        chat = ((query.get("message") or {}).get("chat") or {}).get("id", user)
    return UpdateKey(str(update_id), None if chat is None else str(chat), None if user is None else str(user))


# --- the channel ----------------------------------------------------------------------------------


class TelegramChannel(Channel):
    name = NAME
    title = "Telegram"
    capabilities = Capabilities(buttons=True, documents=True, photos=True, deep_links=True, max_file_bytes=MAX_DOWNLOAD_BYTES)

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://api.telegram.org/bot",
        base_file_url: str | None = None,
        username: str | None = None,
        files: FileStore | None = None,
        poll_timeout: int = POLL_TIMEOUT_S,
        request_timeout: float = 10.0,
        per_second: float = 29.0,
    ) -> None:
        super().__init__(files)
        self.per_second = per_second
        self.token = token
        protect_logs(token)
        self.username = username
        self.poll_timeout = poll_timeout
        self.bot = Bot(
            token,
            base_url=base_url,
            base_file_url=base_file_url or base_url.replace("/bot", "/file/bot"),
            request=HTTPXRequest(connection_pool_size=16, read_timeout=request_timeout, connect_timeout=request_timeout),
            get_updates_request=HTTPXRequest(connection_pool_size=2, read_timeout=poll_timeout + 10.0, connect_timeout=request_timeout),
        )
        self.offset: int | None = None

    # -- life ------------------------------------------------------------------------------

    async def start(self) -> None:
        for request in (self.bot._request[0], self.bot._request[1]):  # noqa: SLF001 - no public way without getMe
            await request.initialize()
        if not self.username:
            try:
                async with asyncio.timeout(10):
                    me = await self.bot.get_me()
                self.username = me.username
            except (TelegramError, TimeoutError) as exc:
                log.warning("Telegram getMe failed (%s); invitation links need TELEGRAM_BOT_USERNAME", exc)
        try:
            await self.set_default_commands()
        except (TelegramError, TimeoutError) as exc:
            log.warning("command menus not set: %s", exc)

    async def stop(self) -> None:
        await self.bot.shutdown()

    # -- receiving ---------------------------------------------------------------------------

    async def _get_updates(self, timeout: int, limit: int = 100) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"timeout": timeout, "limit": limit, "allowed_updates": ALLOWED_UPDATES}
        if self.offset is not None:
            kwargs["offset"] = self.offset
        result = await self.bot.do_api_request("getUpdates", api_kwargs=kwargs, read_timeout=timeout + 10.0)
        return [item for item in (result or []) if isinstance(item, dict)]

    async def poll(self, store: Store, stop: asyncio.Event) -> None:
        try:
            await self.bot.delete_webhook()
        except TelegramError as exc:
            log.warning("deleteWebhook failed: %s", exc)
        backoff = 1.0
        while not stop.is_set():
            fetch = asyncio.ensure_future(self._get_updates(self.poll_timeout))
            stopped = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if fetch not in done:
                # Anything Telegram handed out in this call was not confirmed: it comes again.
                fetch.cancel()
                await asyncio.gather(fetch, return_exceptions=True)
                break
            stopped.cancel()
            try:
                updates = fetch.result()
            except RetryAfter as exc:
                await pause(stop, _retry_after(exc))
                continue
            except (TelegramError, OSError) as exc:
                log.warning("getUpdates failed (%s); again in %.0f s", exc, backoff)
                await pause(stop, backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 1.0
            for raw in sorted(updates, key=lambda u: u.get("update_id", 0)):
                try:
                    await store(raw)
                except Exception as exc:  # noqa: BLE001 - nowhere to keep it: do not confirm it
                    log.error("update %s could not be stored (%s); Telegram will hand it out again", raw.get("update_id"), exc)
                    await pause(stop, 2.0)
                    break
                update_id = raw.get("update_id")
                if isinstance(update_id, int):
                    self.offset = update_id + 1
        # Confirm what was stored, as python-telegram-bot's Updater does on shutdown.
        if self.offset is not None:
            try:
                async with asyncio.timeout(5):
                    await self._get_updates(0, limit=1)
            except (TelegramError, TimeoutError, OSError) as exc:
                log.info("final getUpdates failed (%s); stored updates will be redelivered and recognised", exc)

    def webhook(self, secret: str) -> Webhook:
        def read(headers: dict[str, str], body: bytes) -> list[dict[str, Any]] | None:
            given = next((v for k, v in headers.items() if k.lower() == SECRET_HEADER.lower()), "")
            if not given or not hmac.compare_digest(given.encode(), secret.encode()):
                return None
            try:
                raw = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return []
            return [raw] if isinstance(raw, dict) else []

        return Webhook(path=NAME, read=read)

    async def register_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    # -- reading -----------------------------------------------------------------------------

    def identify(self, raw: dict[str, Any]) -> UpdateKey | None:
        return _key(raw)

    def parse(self, raw: dict[str, Any]) -> Inbound | None:
        update = Update.de_json(raw, self.bot)
        return to_inbound(update) if update is not None else None

    # -- sending -----------------------------------------------------------------------------

    async def send(self, row: Outbox, progress: Progress) -> str:
        payload = row.payload or {}
        try:
            return await self._send(row, payload, progress)
        except RetryAfter as exc:
            raise dispatch.RetryLater(_retry_after(exc)) from exc
        except Forbidden as exc:
            raise dispatch.Blocked(str(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise dispatch.Blocked(str(exc)) from exc
            raise dispatch.Rejected(str(exc)) from exc
        except (TimedOut, NetworkError) as exc:
            raise dispatch.TransientError(str(exc)) from exc

    async def _send(self, row: Outbox, payload: dict[str, Any], progress: Progress) -> str:
        ack = payload.get("ack")
        if ack and row.parts_sent == 0:
            try:
                await self.bot.answer_callback_query(ack.get("ref"), text=(ack.get("text") or None))
            except TelegramError as exc:  # a stale press (> 15 min) cannot be acknowledged; harmless
                log.info("could not acknowledge a press: %s", exc)
        message = Message.from_json(payload["message"]) if payload.get("message") else Message()
        parts = render(message) if message.blocks or message.choices else []
        file = payload.get("file")
        reply = payload.get("reply_to")
        last_id = ""
        caption_part: Part | None = None
        if file and parts and len(parts[-1].text) <= MAX_CAPTION and not parts[-1].choices:
            caption_part = parts.pop()
        for index in range(row.parts_sent, len(parts)):
            part = parts[index]
            sent = await self.bot.send_message(
                row.chat_id,
                part.text or "…",
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(part),
                reply_parameters=_reply(reply) if index == 0 else None,
            )
            last_id = str(sent.message_id)
            if index < len(parts) - 1 or file:
                await progress(index, last_id)
        if file and row.parts_sent <= len(parts):
            if self.files is None:
                raise dispatch.Rejected("no file store configured")
            data = self.files.get(file["sha256"])
            caption = caption_part.text if caption_part is not None else None
            if file.get("kind") == "photo":
                sent = await self.bot.send_photo(row.chat_id, data, caption=caption, parse_mode=ParseMode.HTML)
            else:
                sent = await self.bot.send_document(
                    row.chat_id, InputFile(data, filename=file.get("name") or "baocao"), caption=caption, parse_mode=ParseMode.HTML
                )
            last_id = str(sent.message_id)
        return last_id

    async def tell(self, chat_id: str, text: str) -> None:
        try:
            await self.bot.send_message(chat_id, text)
        except TelegramError as exc:
            log.warning("could not tell %s: %s", chat_id, exc)

    async def typing(self, chat_id: str) -> None:
        try:
            await self.bot.send_chat_action(chat_id, "typing")
        except TelegramError as exc:
            log.info("typing not shown to %s: %s", chat_id, exc)

    async def download(self, attachment: Attachment) -> bytes:
        """The file's bytes (getFile, then the file URL). Raises on anything short of the whole
        file: a size over the Bot API's limit, a download cut short, Telegram's errors."""
        if not attachment.ref:
            raise ValueError("no file reference")
        if attachment.size is not None and attachment.size > MAX_DOWNLOAD_BYTES:
            raise ValueError(f"file of {attachment.size} bytes is over the {MAX_DOWNLOAD_BYTES} bytes a bot may download")
        file = await self.bot.get_file(attachment.ref)
        expected = file.file_size if file.file_size is not None else attachment.size
        data = bytes(await file.download_as_bytearray(read_timeout=DOWNLOAD_TIMEOUT_S))
        if expected is not None and len(data) != expected:
            raise ValueError(f"download cut short: {len(data)} of {expected} bytes")
        return data

    # -- menus -------------------------------------------------------------------------------

    async def set_default_commands(self) -> None:
        from bot.handlers import menu

        scope = BotCommandScopeAllPrivateChats()
        await self.bot.set_my_commands(_menu(menu(set())), scope=scope)
        for lang in MENU_LANGUAGES:
            await self.bot.set_my_commands(_menu(menu(set()), lang), scope=scope, language_code=lang)

    async def roles_changed(self, chat_id: str, roles: set[str]) -> None:
        from bot.handlers import menu

        if not roles & {"coordinator", "admin"}:
            return
        scope = BotCommandScopeChat(int(chat_id))
        try:
            await self.bot.set_my_commands(_menu(menu(roles)), scope=scope)
            for lang in MENU_LANGUAGES:
                await self.bot.set_my_commands(_menu(menu(roles), lang), scope=scope, language_code=lang)
        except TelegramError as exc:
            log.warning("could not set commands for %s: %s", chat_id, exc)

    # -- invitations -------------------------------------------------------------------------

    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        username = None
        if self.username:
            try:
                username = normalize_bot_username(self.username)
            except ValueError:
                username = None
        if username is None:
            return InvitationHint(
                problem=t(
                    "Hệ thống chưa biết tên bot Telegram để lập đường dẫn mời. "
                    "Đề nghị quản trị viên đặt biến TELEGRAM_BOT_USERNAME rồi khởi động lại bot."
                )
            )
        if code is None:
            return InvitationHint()
        return InvitationHint(
            text=t("mở đường dẫn sau và bấm Bắt đầu (Start) là đăng ký xong:"),
            link=deep_link(username, code),
        )


def _menu(commands: Iterable[tuple[str, str]], lang: str | None = None) -> list[BotCommand]:
    t = translator(lang)
    return [BotCommand(name, t.s(description)) for name, description in commands]


def _reply(message_id: str | None) -> ReplyParameters | None:
    if not message_id or not str(message_id).isdigit():
        return None
    return ReplyParameters(message_id=int(message_id), allow_sending_without_reply=True)


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def _retry_after(exc: RetryAfter) -> float:
    # The stored timedelta, read without the library's deprecation warning about the int form.
    raw = getattr(exc, "_retry_after", None)
    return _seconds(raw if raw is not None else exc.retry_after)


def from_settings(settings: Any, files: FileStore | None) -> TelegramChannel | None:
    """The channel as configured (``TELEGRAM_BOT_TOKEN`` …), or None without a token."""
    telegram = settings.telegram
    token = telegram.token.get_secret_value().strip() if telegram.token is not None else ""
    if not token:
        return None
    return TelegramChannel(
        token, base_url=telegram.api_base_url, username=telegram.username, files=files, per_second=telegram.send_rate
    )


__all__ = ["NAME", "TelegramChannel", "deep_link", "from_settings", "normalize_bot_username", "protect_logs", "render", "to_inbound"]


HOW_TO = (
    "Telegram: tạo bot với @BotFather (lệnh /newbot), rồi đặt biến môi trường "
    "TELEGRAM_BOT_TOKEN=<mã> (hoặc ghi vào tệp .env)"
)


def people(settings: Any) -> tuple[set[str], set[str]]:
    telegram = settings.telegram
    return {f"{NAME}:{i}" for i in telegram.admin_ids}, {f"{NAME}:{i}" for i in telegram.group_ids}

USERNAME_HINT = "đặt TELEGRAM_BOT_USERNAME (tên bot, ví dụ baocao_ninhthuan_bot) để tạo đường dẫn mời"
GET_ME_TIMEOUT_S = 10.0


class _Links:
    """Invitation links without a running bot (``baocao invite``): only the username matters."""

    name = NAME
    title = "Telegram"

    def __init__(self, username: str) -> None:
        self.username = username

    def invitation(self, code: str | None, t: Translator) -> InvitationHint:
        if code is None:
            return InvitationHint()
        return InvitationHint(text=t("mở đường dẫn sau và bấm Bắt đầu (Start) là đăng ký xong:"), link=deep_link(self.username, code))


async def invitations(settings: Any) -> tuple[_Links | None, str | None]:
    """``(links, None)`` when invitation links can be made, ``(None, why not)`` otherwise:
    the username from the settings, else asked from Telegram (getMe) with the token."""
    telegram = settings.telegram
    if telegram.username and telegram.username.strip():
        try:
            return _Links(normalize_bot_username(telegram.username)), None
        except ValueError as exc:
            return None, f"TELEGRAM_BOT_USERNAME: {exc}"
    token = telegram.token.get_secret_value().strip() if telegram.token is not None else ""
    if not token:
        return None, USERNAME_HINT

    def request() -> HTTPXRequest:
        return HTTPXRequest(connection_pool_size=1, connect_timeout=5.0, read_timeout=5.0, write_timeout=5.0, pool_timeout=5.0)

    try:
        async with asyncio.timeout(GET_ME_TIMEOUT_S):
            # Entering the context initialises the bot, which is a getMe call.
            async with Bot(token, base_url=telegram.api_base_url, request=request(), get_updates_request=request()) as bot:
                username = bot.username
    except Exception as exc:  # noqa: BLE001 - any failure ends in the same advice
        reason = (str(exc) or type(exc).__name__).replace(token, "***").splitlines()[0]
        return None, f"không hỏi được Telegram tên của bot (getMe: {reason}); {USERNAME_HINT}"
    if not username:
        return None, f"Telegram không trả về tên của bot; {USERNAME_HINT}"
    try:
        return _Links(normalize_bot_username(username)), None
    except ValueError as exc:
        return None, f"{exc}; {USERNAME_HINT}"
