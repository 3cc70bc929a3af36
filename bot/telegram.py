"""The Telegram channel: python-telegram-bot as a thin adapter around the conversation core.

One place builds the Application (:func:`build_application`). Every update goes through one
handler that turns it into an :class:`~bot.messages.Inbound`, runs the core in a worker thread
(the core is synchronous database work) and sends back the :class:`~bot.messages.Outbound`
messages. When the database is away, the update is written to a local spool file and replayed
by a repeating job; the core's inbox makes the replay idempotent, so nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from sqlmodel import select
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults, TypeHandler

from bot.conversation import Conversation
from common.i18n import N_, translator
from scheduler import dispatch
from bot.messages import Attachment, Inbound, Outbound
from storage.db import StorageError, session_scope
from storage.models import Contact, ContactRole
from storage.queries import record_sent

log = logging.getLogger(__name__)

CHANNEL = "telegram"

FOCAL_COMMANDS = [
    ("baocao", N_("Báo cáo từng bước")),
    ("nhiemvu", N_("Nhiệm vụ của cơ quan")),
    ("hanchot", N_("Hạn báo cáo sắp tới")),
    ("trogiup", N_("Hướng dẫn")),
    ("ngonngu", N_("Đổi ngôn ngữ")),
    ("huy", N_("Hủy thao tác đang làm")),
]
COORDINATOR_COMMANDS = [
    ("tinhhinh", N_("Tình hình báo cáo theo kỳ")),
    ("chuabaocao", N_("Cơ quan chưa báo cáo")),
    ("tonghop", N_("Dự thảo báo cáo tổng hợp (Word, Excel, biểu đồ)")),
    ("moi", N_("Mời đầu mối")),
    ("dsdaumoi", N_("Danh sách đầu mối")),
    ("trogiup", N_("Hướng dẫn")),
    ("huy", N_("Hủy thao tác đang làm")),
]
# The menus are registered in Vietnamese for every client, and translated for clients whose
# Telegram language is one of these (setMyCommands' language_code). A user's /ngonngu choice
# does not change the menu Telegram shows.
MENU_LANGUAGES = ("en",)

BUSY_TEXT = (
    "Hệ thống đang tạm thời gián đoạn. Tin nhắn của đồng chí đã được giữ lại và sẽ được xử lý "
    "ngay khi hệ thống hoạt động trở lại."
)


class TokenFilter(logging.Filter):
    """Redacts the bot token from every log record: httpx logs request URLs, which contain it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.pattern = re.compile(re.escape(token)) if token else None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.pattern is not None:
            message = record.getMessage()
            if self.pattern.search(message):
                record.msg = self.pattern.sub("<token>", message)
                record.args = None
        return True


def protect_logs(token: str) -> None:
    token_filter = TokenFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(token_filter)
    # Request URLs at INFO carry the token; they are noise in production anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("httpx", "telegram", "apscheduler"):
        logging.getLogger(name).addFilter(token_filter)


# -- updates in ----------------------------------------------------------------------------------


def to_inbound(update: Update) -> Inbound | None:
    """The channel-agnostic view of an update; None for updates the core has no use for."""
    payload = update.to_dict()
    query = update.callback_query
    if query is not None:
        message = query.message
        chat = message.chat if message is not None else None
        return Inbound(
            channel=CHANNEL,
            update_id=str(update.update_id),
            chat_id=str(chat.id if chat is not None else query.from_user.id),
            user_id=str(query.from_user.id),
            chat_type=chat.type if chat is not None else "private",
            callback_data=query.data or "",
            callback_message_id=str(message.message_id) if message is not None else None,
            language_code=query.from_user.language_code,
            display_name=query.from_user.full_name,
            payload=payload,
        )
    message = update.message
    if message is None or message.from_user is None:
        return None  # edits, channel posts, membership changes: nothing to answer
    return Inbound(
        channel=CHANNEL,
        update_id=str(update.update_id),
        chat_id=str(message.chat.id),
        user_id=str(message.from_user.id),
        chat_type=message.chat.type,
        text=message.text or message.caption or "",
        reply_to=str(message.reply_to_message.message_id) if message.reply_to_message else None,
        language_code=message.from_user.language_code,
        display_name=message.from_user.full_name,
        attachment=_attachment(message),
        payload=payload,
    )


def _attachment(message: Message) -> Attachment | None:
    if message.document is not None:
        return Attachment("document", message.document.file_id, message.document.file_name)
    if message.photo:
        return Attachment("photo", message.photo[-1].file_id)
    if message.sticker is not None:
        return Attachment("sticker", message.sticker.file_id)
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return Attachment("voice")
    if message.text is None:
        return Attachment("other")  # video, location, contact, poll…
    return None


# -- messages out ----------------------------------------------------------------------------------


def _markup(out: Outbound) -> InlineKeyboardMarkup | None:
    if not out.choices:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.data) for c in row] for row in out.choices]
    )


async def send_outbound(bot: Any, out: Outbound) -> Message | None:
    markup = _markup(out)
    reply = ReplyParameters(message_id=int(out.reply_to), allow_sending_without_reply=True) if out.reply_to else None
    if out.document is not None:
        return await bot.send_document(
            out.chat_id, InputFile(out.document, filename=out.filename or "baocao"), caption=out.text or None,
            reply_markup=markup, reply_parameters=reply,
        )
    if out.photo is not None:
        return await bot.send_photo(out.chat_id, out.photo, caption=out.text or None, reply_markup=markup, reply_parameters=reply)
    if out.edit_message_id is not None:
        try:
            return await bot.edit_message_text(out.text, chat_id=out.chat_id, message_id=int(out.edit_message_id), reply_markup=markup)
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return None
            raise
    return await bot.send_message(out.chat_id, out.text, reply_markup=markup, reply_parameters=reply)


class TelegramChannel:
    """Glue between PTB and the core; one instance per Application."""

    def __init__(self, conversation: Conversation, spool_path: Path) -> None:
        self.conversation = conversation
        self.spool_path = spool_path
        self._spool_lock = asyncio.Lock()

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inbound = to_inbound(update)
        if inbound is None:
            return
        try:
            outbound = await asyncio.to_thread(self.conversation.handle, inbound)
        except StorageError as exc:
            log.error("database unavailable (%s); update %s spooled", exc, update.update_id)
            await self._spool(update)
            await self._tell(context.bot, inbound, BUSY_TEXT)
            return
        if update.callback_query is not None:
            toast = next((o.answer_callback for o in outbound if o.answer_callback), None)
            try:
                await update.callback_query.answer(toast)
            except TelegramError as exc:  # a stale query (> 15 min) cannot be answered; harmless
                log.info("could not answer callback query: %s", exc)
        await self.deliver(context.bot, outbound)
        if inbound.command and inbound.command[0] == "start":
            await self.refresh_commands(context.bot, inbound.chat_id)

    async def deliver(self, bot: Any, outbound: Iterable[Outbound]) -> None:
        for out in outbound:
            try:
                message = await send_outbound(bot, out)
                if message is not None and out.obligation_id is not None:
                    await asyncio.to_thread(self._remember, out, str(message.message_id))
            except Forbidden as exc:
                log.warning("chat %s cannot be reached (%s)", out.chat_id, exc)
            except BadRequest as exc:
                log.error("Telegram refused a message to %s: %s", out.chat_id, exc)

    def _remember(self, out: Outbound, message_id: str) -> None:
        now = self.conversation.clock.now()
        with session_scope(self.conversation.engine) as session:
            record_sent(
                session,
                key=f"direct:{CHANNEL}:{out.chat_id}:{message_id}",
                channel=CHANNEL,
                chat_id=out.chat_id,
                message_id=message_id,
                kind="nudge",
                now=now,
                obligation_id=out.obligation_id,
                contact_id=out.contact_id,
                payload={"text": out.text},
            )

    async def _tell(self, bot: Any, inbound: Inbound, text: str) -> None:
        try:
            await bot.send_message(inbound.chat_id, text)
        except TelegramError as exc:
            log.warning("could not tell %s: %s", inbound.chat_id, exc)

    # The spool: updates that arrived while the database was away, one JSON object a line.

    async def _spool(self, update: Update) -> None:
        async with self._spool_lock:
            line = json.dumps(update.to_dict(), ensure_ascii=False)
            await asyncio.to_thread(_append_line, self.spool_path, line)

    async def replay_spool(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self._spool_lock:
            if not self.spool_path.exists():
                return
            lines = [line for line in self.spool_path.read_text(encoding="utf-8").splitlines() if line.strip()]
            remaining: list[str] = []
            for index, line in enumerate(lines):
                update = Update.de_json(json.loads(line), context.bot)
                inbound = to_inbound(update)
                if inbound is None:
                    continue
                try:
                    outbound = await asyncio.to_thread(self.conversation.handle, inbound)
                except StorageError:
                    remaining = lines[index:]  # still away: keep this one and the rest, in order
                    break
                await self.deliver(context.bot, outbound)
            if remaining:
                await asyncio.to_thread(self.spool_path.write_text, "\n".join(remaining) + "\n", "utf-8")
            else:
                self.spool_path.unlink(missing_ok=True)
                if lines:
                    log.info("replayed %d spooled updates", len(lines))

    # Command menus per role (setMyCommands with scopes).

    async def set_default_commands(self, bot: Any) -> None:
        scope = BotCommandScopeAllPrivateChats()
        await bot.set_my_commands(_menu(FOCAL_COMMANDS), scope=scope)
        for lang in MENU_LANGUAGES:
            await bot.set_my_commands(_menu(FOCAL_COMMANDS, lang), scope=scope, language_code=lang)

    async def refresh_commands(self, bot: Any, chat_id: str) -> None:
        roles = await asyncio.to_thread(roles_of_chat, self.conversation.engine, chat_id)
        if roles & {"coordinator", "admin"}:
            commands = COORDINATOR_COMMANDS + [c for c in FOCAL_COMMANDS if "focal" in roles and c not in COORDINATOR_COMMANDS]
            scope = BotCommandScopeChat(int(chat_id))
            try:
                await bot.set_my_commands(_menu(commands), scope=scope)
                for lang in MENU_LANGUAGES:
                    await bot.set_my_commands(_menu(commands, lang), scope=scope, language_code=lang)
            except TelegramError as exc:
                log.warning("could not set commands for %s: %s", chat_id, exc)


def _menu(commands: Iterable[tuple[str, str]], lang: str | None = None) -> list[BotCommand]:
    t = translator(lang)
    return [BotCommand(name, t(description)) for name, description in commands]


def roles_of_chat(engine: Any, chat_id: str) -> set[str]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(Contact.role).where(Contact.channel == CHANNEL, Contact.chat_id == chat_id, Contact.active == True)  # noqa: E712
        ).all()
    return {str(role) for role in rows}


def coordinator_chats(engine: Any) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(Contact.chat_id).where(
                Contact.channel == CHANNEL,
                Contact.active == True,  # noqa: E712
                Contact.role.in_([ContactRole.COORDINATOR, ContactRole.ADMIN]),  # type: ignore[attr-defined]
            )
        ).all()
    return sorted(set(rows))


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fp:
        fp.write(line + "\n")


class TelegramSender:
    """Sends outbox rows (reminders, digests, notices) and maps Telegram's answers onto the
    dispatcher's outcomes: 429 → retry later, 403 → blocked, network trouble → transient."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def send(self, row: Any) -> str:
        payload = row.payload or {}
        try:
            message = await self.bot.send_message(
                row.chat_id, payload.get("text", ""), parse_mode=payload.get("parse_mode", ParseMode.HTML)
            )
        except RetryAfter as exc:
            retry = exc.retry_after
            raise dispatch.RetryLater(retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)) from exc
        except Forbidden as exc:
            raise dispatch.Blocked() from exc
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                raise dispatch.Blocked() from exc
            raise
        except (TimedOut, NetworkError) as exc:
            raise dispatch.TransientError() from exc
        return str(message.message_id)


async def tick_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The in-process ticker: plan due reminders and send them. APScheduler is only the clock
    here; the outbox in the database is the durable state (DESIGN.md §4)."""
    conversation: Conversation = context.application.bot_data["conversation"]
    try:
        report = await dispatch.tick(
            conversation.engine,
            conversation.plan,
            conversation.cal,
            TelegramSender(context.bot),
            conversation.clock,
            worker_id=context.application.bot_data["worker_id"],
            tz=conversation.tz,
            office_hours=conversation.config.office_hours,
            pacer=context.application.bot_data["pacer"],
        )
    except StorageError as exc:
        log.error("reminder tick skipped: %s", exc)
        return
    if report.dispatch.claimed or report.enqueue.dropped:
        log.info("reminder tick: %s", report.as_dict())


class PlanWatcher:
    """Reloads plan.json when it changes on disk. A broken edit is logged and ignored: the
    bot keeps working with the plan it has rather than stopping over a typo."""

    def __init__(self, conversation: Conversation, path: Path) -> None:
        self.conversation = conversation
        self.path = path
        self.mtime = self._mtime()

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def check(self) -> bool:
        """Reload if the file changed; True when a new plan was taken."""
        from scheduler.plan import PlanError, load_plan

        mtime = self._mtime()
        if mtime is None or mtime == self.mtime:
            return False
        self.mtime = mtime
        try:
            plan = load_plan(self.path)
        except PlanError as exc:
            log.error("edited plan %s not loaded, keeping the previous one: %s", self.path, exc)
            return False
        self.conversation.replace_plan(plan)
        log.info("plan %s reloaded", self.path)
        return True

    async def job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await asyncio.to_thread(self.check)
        except StorageError as exc:
            self.mtime = None  # try again next time
            log.error("plan reload postponed: %s", exc)


async def _error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with context; tell the user something went wrong rather than staying silent."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                "Xin lỗi, hệ thống gặp lỗi khi xử lý tin nhắn này. Đề nghị đồng chí thử lại sau ít phút.",
            )
        except TelegramError:
            pass


def build_application(
    conversation: Conversation,
    *,
    token: str,
    base_url: str = "https://api.telegram.org/bot",
    base_file_url: str | None = None,
    timezone: Any = None,
    spool_path: Path = Path("baocao-spool.jsonl"),
    spool_interval_s: float = 30.0,
    tick_interval_s: float | None = 60.0,
    plan_path: Path | None = None,
    plan_check_interval_s: float = 30.0,
    rate_limiter: bool = True,
) -> Application:
    """The one place that builds the Application: Defaults, handlers, error handler, jobs."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=timezone))
        # Ordered per chat and simple: the core works on one update at a time.
        .concurrent_updates(False)
    )
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if rate_limiter:
        # Telegram's limits (≈30 msg/s overall, 1/s per chat); retry after a 429 instead of failing.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    channel = TelegramChannel(conversation, spool_path)

    async def post_init(app: Application) -> None:
        try:
            await channel.set_default_commands(app.bot)
            for chat_id in await asyncio.to_thread(coordinator_chats, conversation.engine):
                await channel.refresh_commands(app.bot, chat_id)
        except (TelegramError, StorageError) as exc:
            log.warning("command menus not set: %s", exc)

    app = builder.post_init(post_init).build()
    app.bot_data["channel"] = channel
    app.bot_data["conversation"] = conversation
    # One pacer for the life of the bot, so consecutive ticks share the per-chat spacing.
    app.bot_data["pacer"] = dispatch.Pacer(per_second=conversation.config.send_rate)
    app.bot_data["worker_id"] = f"bot-{os.getpid()}-{secrets.token_hex(3)}"
    app.add_handler(TypeHandler(Update, channel.on_update))
    app.add_error_handler(_error_handler)
    if app.job_queue is not None:
        app.job_queue.run_repeating(channel.replay_spool, interval=spool_interval_s, first=spool_interval_s, name="spool")
        if tick_interval_s:
            app.job_queue.run_repeating(tick_job, interval=tick_interval_s, first=1, name="reminders")
        if plan_path is not None:
            watcher = PlanWatcher(conversation, plan_path)
            app.job_queue.run_repeating(watcher.job, interval=plan_check_interval_s, first=plan_check_interval_s, name="plan")
    return app
