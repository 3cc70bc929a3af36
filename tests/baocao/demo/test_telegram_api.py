"""The Bot API stand-in driven by the real python-telegram-bot stack (HTTP, polling, webhook)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    MenuButtonCommands,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from baocao.demo.telegram_api import BotApiStandIn, tiny_png

TOKEN = "123456:TEST-TOKEN"
TEST_TIMEOUT = 20  # seconds; every test body runs under asyncio.timeout(TEST_TIMEOUT)


def _builder(standin: BotApiStandIn):  # type: ignore[no-untyped-def]
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(standin.base_url)
        .base_file_url(standin.base_file_url)
    )


@asynccontextmanager
async def polling_app(
    standin: BotApiStandIn, *handlers, builder=None  # type: ignore[no-untyped-def]
) -> AsyncIterator[Application]:
    app = (builder or _builder(standin)).build()
    for handler in handlers:
        app.add_handler(handler)
    async with app:
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            yield app
        finally:
            await asyncio.wait_for(app.updater.stop(), 10)
            await asyncio.wait_for(app.stop(), 10)


@asynccontextmanager
async def bare_bot(standin: BotApiStandIn, token: str = TOKEN) -> AsyncIterator[Bot]:
    bot = Bot(token, base_url=standin.base_url, base_file_url=standin.base_file_url)
    async with bot:
        yield bot


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------- polling


async def test_echo_and_command_over_polling(standin: BotApiStandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"start:{' '.join(context.args)}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Đã nhận: {update.message.text}", do_quote=True)

    async with asyncio.timeout(TEST_TIMEOUT):
        async with polling_app(
            standin,
            CommandHandler("start", start),
            MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        ):
            user = standin.user(1001)
            user.send("/start abc")
            reply = await standin.wait_for(1001)
            assert reply["text"] == "start:abc"
            assert reply["kind"] == "message"

            update = user.send("NV4: đang thực hiện 70%")
            reply = await standin.wait_for(1001, "Đã nhận")
            assert reply["text"] == "Đã nhận: NV4: đang thực hiện 70%"
            assert reply["reply_to_message_id"] == update["message"]["message_id"]
            assert reply["message"]["reply_to_message"]["text"] == "NV4: đang thực hiện 70%"
            assert standin.requests["getMe"] >= 1
            assert standin.requests["deleteWebhook"] >= 1  # start_polling clears any webhook
    # message ids in one chat are shared by both sides and increase
    ids = [record["message_id"] for record in standin.messages_to(1001)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert abs(standin.sent[-1]["date"] - time.time()) < 60


async def test_inline_keyboard_press_and_callback_answer(standin: BotApiStandIn) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Đúng", callback_data="confirm:yes"),
              InlineKeyboardButton("Sửa", callback_data="confirm:no")]]
        )
        await update.message.reply_text("Xác nhận <b>NV4</b>: 70%?", reply_markup=keyboard,
                                         parse_mode=ParseMode.HTML)

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("Đã lưu")
        await query.edit_message_text(f"Đã xác nhận ({query.data})")

    async with asyncio.timeout(TEST_TIMEOUT):
        async with polling_app(
            standin, MessageHandler(filters.TEXT, ask), CallbackQueryHandler(on_press)
        ):
            user = standin.user(1002)
            user.send("NV4 70%")
            question = await standin.wait_for(1002)
            assert question["parse_mode"] == "HTML"
            assert question["plain"] == "Xác nhận NV4: 70%?"
            buttons = question["reply_markup"]["inline_keyboard"][0]
            assert [b["callback_data"] for b in buttons] == ["confirm:yes", "confirm:no"]

            with pytest.raises(ValueError, match="no button"):
                user.press(question, "stale:data")
            press = user.press(question, "confirm:yes")
            edit = await standin.wait_for(1002, kind="edit")
            assert edit["message_id"] == question["message_id"]
            assert edit["text"] == "Đã xác nhận (confirm:yes)"
            # editing text without reply_markup removes the inline keyboard, as Telegram does
            assert "reply_markup" not in edit["message"]
            await standin.wait_until(lambda: len(standin.callback_answers) == 1)
            answer = standin.callback_answers[0]
            assert answer["callback_query_id"] == press["callback_query"]["id"]
            assert answer["text"] == "Đã lưu" and answer["data"] == "confirm:yes"
            # the button is gone now, so pressing it again is a test error
            with pytest.raises(ValueError):
                user.press(question, "confirm:yes")


async def test_updates_processed_once_and_redelivered_with_same_id(
    standin: BotApiStandIn,
) -> None:
    seen: list[int] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)

    async with asyncio.timeout(TEST_TIMEOUT):
        async with polling_app(standin, MessageHandler(filters.ALL, record)):
            user = standin.user(1003)
            sent_ids = [user.send(f"tin {i}")["update_id"] for i in range(3)]
            await standin.wait_until(lambda: len(seen) == 3)
            await standin.wait_until(lambda: not standin.pending_updates())
            await asyncio.sleep(0.3)  # a few more polls: nothing comes twice
            assert seen == sent_ids

            standin.redeliver(sent_ids[1])
            await standin.wait_until(lambda: len(seen) == 4)
            assert seen[-1] == sent_ids[1]
            await standin.wait_until(lambda: not standin.pending_updates())

            later = user.send("tin sau")["update_id"]
            await standin.wait_until(lambda: len(seen) == 5)
            assert seen[-1] == later
            await asyncio.sleep(0.3)
            assert len(seen) == 5


async def test_get_updates_offset_limit_long_poll_and_conflict(standin: BotApiStandIn) -> None:
    async with asyncio.timeout(TEST_TIMEOUT), bare_bot(standin) as bot:
        user = standin.user(1004)
        ids = [user.send(f"m{i}")["update_id"] for i in range(3)]

        first = await bot.get_updates(limit=2)
        assert [u.update_id for u in first] == ids[:2]
        again = await bot.get_updates()  # nothing confirmed yet: everything comes again
        assert [u.update_id for u in again] == ids
        rest = await bot.get_updates(offset=ids[1] + 1)  # confirms the first two
        assert [u.update_id for u in rest] == ids[2:]
        assert [u["update_id"] for u in standin.pending_updates()] == ids[2:]
        assert await bot.get_updates(offset=-1) == rest  # negative offset: the last one

        # long poll wakes as soon as an update arrives
        started = time.monotonic()
        poll = asyncio.create_task(bot.get_updates(offset=ids[2] + 1, timeout=5))
        await asyncio.sleep(0.2)
        new_id = user.send("muộn")["update_id"]
        result = await poll
        assert [u.update_id for u in result] == [new_id]
        assert time.monotonic() - started < 2

        # an empty long poll returns [] after its timeout
        started = time.monotonic()
        assert await bot.get_updates(offset=new_id + 1, timeout=1) == ()
        assert 0.8 < time.monotonic() - started < 3

        # a second poller (another process; one Bot has a single getUpdates connection)
        # terminates the first long poll with 409, as Telegram does
        older = asyncio.create_task(bot.get_updates(offset=new_id + 1, timeout=5))
        await asyncio.sleep(0.2)
        async with bare_bot(standin) as other:
            assert await other.get_updates(offset=new_id + 1, timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await older

        # allowed_updates filters (and drops) other update types
        user.block()  # enqueues my_chat_member
        user.send("lại đây")  # writing again unblocks: another my_chat_member + message
        got = await bot.get_updates(offset=new_id + 1, allowed_updates=["message"])
        assert [u.message.text for u in got] == ["lại đây"]


# ---------------------------------------------------------------------------- rate limits


async def test_429_raises_retry_after_on_bare_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    async with asyncio.timeout(TEST_TIMEOUT):
        async with BotApiStandIn(rate_limit=True, per_chat_per_second=0.5) as standin:
            standin.user(2001)
            async with bare_bot(standin) as bot:
                await bot.send_message(2001, "một")
                with pytest.raises(RetryAfter) as caught:
                    await bot.send_message(2001, "hai")
                assert caught.value.retry_after == dtm.timedelta(seconds=2)
                assert standin.rate_limited == 1
                assert standin.errors[-1]["description"] == "Too Many Requests: retry after 2"
                assert len(standin.messages_to(2001)) == 1

        async with BotApiStandIn(
            rate_limit=True, global_per_second=3, per_chat_per_second=100
        ) as standin:
            for chat_id in range(3001, 3005):
                standin.user(chat_id)
            async with bare_bot(standin) as bot:
                for chat_id in range(3001, 3004):
                    await bot.send_message(chat_id, "ok")
                with pytest.raises(RetryAfter) as caught:
                    await bot.send_message(3004, "quá nhanh")
                assert caught.value.retry_after == dtm.timedelta(seconds=1)
                assert standin.rate_limited == 1


async def test_aioratelimiter_retries_until_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with asyncio.timeout(TEST_TIMEOUT):
        async with BotApiStandIn(rate_limit=True, per_chat_per_second=1.0) as standin:
            standin.user(2002)
            app = _builder(standin).rate_limiter(AIORateLimiter(max_retries=3)).build()
            async with app:
                started = time.monotonic()
                await asyncio.gather(
                    *(app.bot.send_message(2002, f"nhắc {i}") for i in range(3))
                )
                elapsed = time.monotonic() - started
            assert len(standin.messages_to(2002)) == 3
            assert standin.rate_limited >= 1
            assert elapsed >= 1.0  # waited out at least one retry_after


# ---------------------------------------------------------------------------- reachability


async def test_blocked_and_never_started_users_are_forbidden(standin: BotApiStandIn) -> None:
    async with asyncio.timeout(TEST_TIMEOUT), bare_bot(standin) as bot:
        user = standin.user(1005)
        await bot.send_message(1005, "trước khi chặn")
        notice = user.block()
        assert notice["my_chat_member"]["new_chat_member"]["status"] == "kicked"
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(1005, "sau khi chặn")
        with pytest.raises(Forbidden):
            await bot.send_chat_action(1005, ChatAction.TYPING)
        user.unblock()
        await bot.send_message(1005, "đã bỏ chặn")
        assert [r["text"] for r in standin.messages_to(1005)] == ["trước khi chặn", "đã bỏ chặn"]

        shy = standin.user(1006, "Trần Thị B", started=False)
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_message(1006, "xin chào")
        shy.send("/start")
        await bot.send_message(1006, "xin chào")

        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(999999, "ai đó")


# ---------------------------------------------------------------------------- files


async def test_send_document_and_photo_roundtrip(standin: BotApiStandIn) -> None:
    data = "Báo cáo quý I — NV4: 70%\n".encode() * 100 + bytes(range(256))
    async with asyncio.timeout(TEST_TIMEOUT), bare_bot(standin) as bot:
        standin.user(1007)
        message = await bot.send_document(
            1007,
            document=InputFile(io.BytesIO(data), filename="Báo cáo quý I.docx"),
            caption="<b>Báo cáo</b> tổng hợp",
            parse_mode=ParseMode.HTML,
        )
        record = standin.sent[-1]
        assert record["kind"] == "document"
        assert record["data"] == data
        assert record["filename"] == "Báo cáo quý I.docx"
        assert record["text"] == "<b>Báo cáo</b> tổng hợp"
        assert record["plain"] == "Báo cáo tổng hợp"
        assert message.document.file_name == "Báo cáo quý I.docx"
        assert message.document.file_size == len(data)
        assert message.caption == "Báo cáo tổng hợp"
        call = [c for c in standin.calls if c["method"] == "sendDocument"][-1]
        assert call["content_type"].startswith("multipart/form-data")
        assert call["files"]["document"][0] == "Báo cáo quý I.docx"

        downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
        assert bytes(downloaded) == data
        # resending by file_id needs no upload
        again = await bot.send_document(1007, document=message.document.file_id)
        assert again.document.file_unique_id == message.document.file_unique_id

        png = tiny_png(3, 2)
        photo = await bot.send_photo(1007, photo=png, caption="Biểu đồ")
        assert (photo.photo[-1].width, photo.photo[-1].height) == (3, 2)
        assert standin.sent[-1]["kind"] == "photo" and standin.sent[-1]["data"] == png
        with pytest.raises(BadRequest, match="(?i)image_process_failed"):
            await bot.send_photo(1007, photo=b"not an image")


async def test_user_uploads_reach_handlers_and_can_be_downloaded(standin: BotApiStandIn) -> None:
    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        document = update.message.document
        content = await (await document.get_file()).download_as_bytearray()
        await update.message.reply_text(
            f"{document.file_name}|{document.mime_type}|{len(content)}|{update.message.caption}"
        )

    async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        kind = ("photo" if message.photo else "sticker" if message.sticker
                else "voice" if message.voice else "?")
        await message.reply_text(kind)

    async with asyncio.timeout(TEST_TIMEOUT):
        async with polling_app(
            standin,
            MessageHandler(filters.Document.ALL, on_document),
            MessageHandler(filters.PHOTO | filters.Sticker.ALL | filters.VOICE, on_other),
        ):
            user = standin.user(1008)
            payload = b"PK\x03\x04" + b"x" * 5000
            user.send_document("bao-cao-NV4.xlsx", payload, caption="Số liệu quý I")
            reply = await standin.wait_for(1008)
            assert reply["text"] == (
                "bao-cao-NV4.xlsx|application/vnd.openxmlformats-officedocument."
                f"spreadsheetml.sheet|{len(payload)}|Số liệu quý I"
            )
            user.send_photo()
            assert (await standin.wait_for(1008))["text"] == "photo"
            user.send_sticker()
            assert (await standin.wait_for(1008))["text"] == "sticker"
            user.send_voice()
            assert (await standin.wait_for(1008))["text"] == "voice"
    assert standin.requests["getFile"] == 1
    assert standin.requests["file download"] == 1


# ---------------------------------------------------------------------------- commands


async def test_set_my_commands_is_stored_per_scope_and_language(standin: BotApiStandIn) -> None:
    async with asyncio.timeout(TEST_TIMEOUT), bare_bot(standin) as bot:
        standin.user(1009)
        await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("baocao", "Gửi")])
        chat_scope = BotCommandScopeChat(chat_id=1009)
        await bot.set_my_commands(
            [BotCommand("tonghop", "Tổng hợp báo cáo")], scope=chat_scope, language_code="vi"
        )
        assert [c.command for c in await bot.get_my_commands()] == ["start", "baocao"]
        scoped = await bot.get_my_commands(scope=chat_scope, language_code="vi")
        assert [(c.command, c.description) for c in scoped] == [("tonghop", "Tổng hợp báo cáo")]
        assert await bot.get_my_commands(scope=chat_scope) == ()  # other language: nothing

        assert standin.commands_for({"type": "chat", "chat_id": 1009}, "vi") == [
            {"command": "tonghop", "description": "Tổng hợp báo cáo"}
        ]
        assert set(standin.commands) == {
            ('{"type":"default"}', ""),
            ('{"chat_id":1009,"type":"chat"}', "vi"),
        }
        await bot.delete_my_commands(scope=chat_scope, language_code="vi")
        assert standin.commands_for({"type": "chat", "chat_id": 1009}, "vi") == []
        with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Bao-Cao", "sai")])

        assert await bot.set_chat_menu_button(1009, MenuButtonCommands())
        assert standin.menu_buttons[1009] == {"type": "commands"}
        assert await bot.send_chat_action(1009, ChatAction.TYPING)
        assert standin.chat_actions[-1]["action"] == "typing"


# ---------------------------------------------------------------------------- webhook


async def test_webhook_push_reaches_handler_and_wrong_secret_is_refused(
    standin: BotApiStandIn,
) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"webhook: {update.message.text}")

    port = _free_port()
    async with asyncio.timeout(TEST_TIMEOUT):
        app = _builder(standin).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="tg/hook",
                webhook_url=f"http://127.0.0.1:{port}/tg/hook",
                secret_token="s3cret",
            )
            await app.start()
            try:
                info = await app.bot.get_webhook_info()
                assert info.url == f"http://127.0.0.1:{port}/tg/hook"
                user = standin.user(1010)
                update = user.send("qua webhook")
                reply = await standin.wait_for(1010)
                assert reply["text"] == "webhook: qua webhook"
                assert standin.webhook_deliveries[-1]["status"] == 200
                assert not standin.pending_updates()

                assert await standin.post_to_webhook(update, secret_token="wrong") == 403
                assert await standin.post_to_webhook(update, secret_token=None) == 403
                with pytest.raises(Conflict, match="webhook is active"):
                    await app.bot.get_updates()

                standin.redeliver(update["update_id"])  # webhook redelivery, same update_id
                again = await standin.wait_for(1010)
                assert again["text"] == "webhook: qua webhook"
            finally:
                await asyncio.wait_for(app.updater.stop(), 10)
                await asyncio.wait_for(app.stop(), 10)


async def test_webhook_retries_then_gives_up() -> None:
    dead_port = _free_port()  # nothing listens there
    async with asyncio.timeout(TEST_TIMEOUT):
        async with BotApiStandIn(webhook_attempts=3, webhook_retry_delay=0.01) as standin:
            async with bare_bot(standin) as bot:
                await bot.set_webhook(f"http://127.0.0.1:{dead_port}/hook", secret_token="abc")
                standin.user(1011).send("không ai nghe")
                await standin.wait_until(lambda: standin.webhook_failures)
                assert [d["attempt"] for d in standin.webhook_deliveries] == [1, 2, 3]
                info = await bot.get_webhook_info()
                assert info.last_error_message.startswith("Connection failed")
                with pytest.raises(BadRequest, match="(?i)loopback"):
                    await bot.set_webhook("https://example.org/hook")
                with pytest.raises(BadRequest, match="(?i)secret token"):
                    await bot.set_webhook(f"http://127.0.0.1:{dead_port}/h", secret_token="a b")
                assert await bot.delete_webhook()
                assert (await bot.get_webhook_info()).url == ""


# ---------------------------------------------------------------------------- validation


async def test_validation_errors_like_telegram(standin: BotApiStandIn) -> None:
    async with asyncio.timeout(TEST_TIMEOUT), bare_bot(standin) as bot:
        standin.user(1012)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(1012, "   ")
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(1012, "a" * 4097)
        await bot.send_message(1012, "ă" * 4096)
        # the limit applies after entity parsing: tags do not count
        await bot.send_message(1012, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
        for bad_html in ("<b>đậm", "<b><i>x</b></i>", "a < b", "<br/>", "<div>x</div>"):
            with pytest.raises(BadRequest, match="(?i)can't parse entities"):
                await bot.send_message(1012, bad_html, parse_mode=ParseMode.HTML)
        ok = await bot.send_message(1012, "a &lt; b &amp; <i>c</i>", parse_mode=ParseMode.HTML)
        assert ok.text == "a < b & c"
        with pytest.raises(BadRequest, match="(?i)reserved"):
            await bot.send_message(1012, "Hạn 15.3!", parse_mode=ParseMode.MARKDOWN_V2)
        await bot.send_message(1012, r"Hạn *15\.3*\!", parse_mode=ParseMode.MARKDOWN_V2)
        with pytest.raises(BadRequest, match="(?i)unsupported parse_mode"):
            await bot.send_message(1012, "x", parse_mode="Textile")
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(
                1012, "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("quá dài", callback_data="đ" * 33)]]  # 66 bytes
                ),
            )
        message = await bot.send_message(1012, "giữ nguyên")
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("giữ nguyên", chat_id=1012, message_id=message.message_id)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=1012, message_id=9999)
        with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
            await bot.send_message(1012, "trả lời", reply_to_message_id=9999)
        assert await bot.delete_message(1012, message.message_id)
        assert standin.sent[-1]["kind"] == "delete"
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query("123")
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("fooBar")
        assert standin.errors and standin.errors[-1]["code"] == 404

    wrong = Bot("123456:WRONG", base_url=standin.base_url)
    with pytest.raises(InvalidToken):
        await asyncio.wait_for(wrong.initialize(), 10)
    await wrong.shutdown()


async def test_raw_http_encodings(standin: BotApiStandIn) -> None:
    """GET with query string, JSON bodies and case-insensitive method names also work."""
    standin.user(1013)
    base = f"{standin.base_url}{TOKEN}"
    async with asyncio.timeout(TEST_TIMEOUT), httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(f"{base}/getme")
        assert response.status_code == 200
        assert response.json()["result"]["username"] == "baocao_test_bot"

        keyboard = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        response = await client.post(
            f"{base}/sendMessage",
            json={"chat_id": "1013", "text": "json", "reply_markup": keyboard},
        )
        assert response.json()["ok"], response.text
        assert standin.sent[-1]["reply_markup"] == keyboard

        response = await client.get(
            f"{base}/sendMessage",
            params={"chat_id": 1013, "text": "query", "reply_markup": json.dumps(keyboard),
                    "disable_notification": "true"},
        )
        assert response.json()["result"]["reply_markup"] == keyboard
        assert standin.sent[-1]["disable_notification"] is True

        response = await client.post(f"{standin.base_url}999:BAD/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        response = await client.post(f"{base}/noSuchMethod")
        assert response.status_code == 404
        response = await client.get(f"{standin.root_url}/elsewhere")
        assert response.status_code == 404

    # what python-telegram-bot itself sends: urlencoded form, complex values as JSON strings
    async with asyncio.timeout(TEST_TIMEOUT), bare_bot(standin) as bot:
        await bot.send_message(
            1013, "form",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="b")]]),
            disable_notification=True,
        )
    call = [c for c in standin.calls if c["method"] == "sendMessage"][-1]
    assert call["http_method"] == "POST"
    assert call["content_type"] == "application/x-www-form-urlencoded"
    assert call["raw_fields"]["chat_id"] == "1013"
    assert call["raw_fields"]["disable_notification"] == "true"
    assert json.loads(call["raw_fields"]["reply_markup"]) == {
        "inline_keyboard": [[{"text": "B", "callback_data": "b"}]]
    }


async def test_group_messages_and_wait_for_timeout(standin: BotApiStandIn) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_chat.send_message(f"nhóm {update.effective_chat.type}")

    async with asyncio.timeout(TEST_TIMEOUT):
        async with polling_app(standin, CommandHandler("start", start)):
            user = standin.user(1014)
            update = user.send_in_group(-1001234567890, "/start@baocao_test_bot")
            assert update["message"]["entities"][0] == {
                "type": "bot_command", "offset": 0, "length": len("/start@baocao_test_bot")
            }
            reply = await standin.wait_for(-1001234567890)
            assert reply["text"] == "nhóm supergroup"

            user.send("không có handler cho tin này")
            with pytest.raises(TimeoutError) as caught:
                await standin.wait_for(1014, timeout=0.5)
            assert "sent to chat 1014: 0 record(s)" in str(caught.value)
            assert "requests:" in str(caught.value)
