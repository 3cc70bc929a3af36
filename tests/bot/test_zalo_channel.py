"""The Zalo channel module against the Zalo stand-in over HTTP, piece by piece: polling one
update per call, holding an update it could not store, the webhook's secret, splitting, files
as links, and Zalo's errors mapped onto the outbox's outcomes."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from baocao.demo.zalo_api import ZaloStandIn, choices_of
from bot.channels.render import CHOICE_HINT
from bot.channels.zalo import ZaloChannel, render, to_inbound
from common.message import Choice, Message
from scheduler import dispatch
from storage.files import FileStore, PublicFolder


@pytest.fixture
async def zalo():
    async with ZaloStandIn() as server:
        yield server


def channel_for(zalo, tmp_path=None, **options):
    public = PublicFolder(tmp_path / "public", "https://files.example.vn/p") if tmp_path is not None else None
    files = FileStore(tmp_path / "files") if tmp_path is not None else None
    return ZaloChannel(zalo.token, base_url=zalo.base_url, bot_name=zalo.bot_name, poll_timeout=1, files=files,
                       public=public, **options)


def row(chat_id, message=None, file=None, parts_sent=0):
    payload = {"message": (message or Message("Xin chào")).to_json()}
    if file:
        payload["file"] = file
    return SimpleNamespace(chat_id=chat_id, payload=payload, parts_sent=parts_sent, key="k")


async def no_progress(index, message_id):
    return None


# -- rendering ------------------------------------------------------------------------------------


def test_parts_end_at_paragraphs_and_keep_choices_numbered():
    paragraphs = [f"Đoạn {i}: " + "nội dung báo cáo " * 40 for i in range(6)]
    blocks: list = []
    for text in paragraphs:
        blocks += [text, ""]
    message = Message(*blocks, choices=[[Choice("✅ Xác nhận", "ok:1"), Choice("✖ Hủy", "no:1")]])
    parts = render(message)
    assert len(parts) >= 3 and all(len(p.text) <= 2000 for p in parts)
    joined = [p.text for p in parts]
    for text in paragraphs:  # every paragraph whole, in exactly one part
        assert sum(text in part for part in joined) == 1
    assert CHOICE_HINT in parts[-1].text and "1. ✅ Xác nhận" in parts[-1].text
    assert choices_of(parts[-1].text) == [("✅ Xác nhận", "1"), ("✖ Hủy", "2")]


def test_a_paragraph_longer_than_a_message_is_cut_at_spaces():
    parts = render(Message("chữ " * 1200))
    assert len(parts) == 3 and all(len(p.text) <= 2000 for p in parts)
    assert all(not p.text.endswith(" ch") for p in parts)


# -- reading --------------------------------------------------------------------------------------


def test_updates_read_as_the_core_needs_them():
    base = {"from": {"id": "u1", "display_name": "Lan", "is_bot": False}, "chat": {"id": "u1", "chat_type": "PRIVATE"},
            "message_id": "m1", "date": 1750316131602}
    text = to_inbound({"event_name": "message.text.received", "message": {**base, "text": "NV4 xong"}})
    assert (text.update_id, text.chat_id, text.user_id, text.text, text.display_name) == ("m1", "u1", "u1", "NV4 xong", "Lan")
    image = to_inbound({"ok": True, "result": {"event_name": "message.image.received",
                                               "message": {**base, "photo": "https://cdn/x.jpg", "caption": "NV2: hoàn thành"}}})
    assert image.text == "NV2: hoàn thành" and image.attachment.kind == "photo" and image.attachment.ref == "https://cdn/x.jpg"
    sticker = to_inbound({"event_name": "message.sticker.received", "message": {**base, "sticker": "abc"}})
    assert sticker.attachment.kind == "sticker" and sticker.text == ""
    hidden = to_inbound({"event_name": "message.unsupported.received", "message": base})
    assert hidden.attachment.kind == "other"
    assert to_inbound({"event_name": "message.text.received", "message": {**base, "from": {"id": "b", "is_bot": True}}}) is None
    assert to_inbound({"event_name": "something"}) is None


def test_an_update_without_an_id_is_keyed_by_its_content():
    channel = ZaloChannel("1:x", base_url="http://127.0.0.1:9/bot")
    raw = {"event_name": "message.text.received", "message": {"from": {"id": "u"}, "chat": {"id": "u"}, "text": "a"}}
    assert channel.identify(raw) == channel.identify(dict(raw))
    assert channel.identify(raw).update_id.startswith("h:") and len(channel.identify(raw).update_id) <= 64
    other = {**raw, "message": {**raw["message"], "text": "b"}}
    assert channel.identify(other) != channel.identify(raw)


# -- receiving ------------------------------------------------------------------------------------


async def test_polling_stores_one_update_per_call_and_an_empty_poll_is_no_error(zalo):
    channel = channel_for(zalo)
    stored: list[dict] = []
    stop = asyncio.Event()

    async def store(raw):
        stored.append(raw)

    user = zalo.user("u1", "Lan")
    for text in ("một", "hai", "ba"):
        user.send(text)
    task = asyncio.create_task(channel.poll(store, stop))
    await zalo.wait_until(lambda: len(stored) == 3, timeout=5)
    await asyncio.sleep(1.3)  # an empty poll: 408, polled again
    stop.set()
    await asyncio.wait_for(task, 5)
    await channel.stop()
    assert [r["message"]["text"] for r in stored] == ["một", "hai", "ba"]
    assert [e["code"] for e in zalo.errors if e["method"] == "getUpdates"].count(408) >= 1
    assert zalo.requests["deleteWebhook"] == 1, "a webhook left set would stop getUpdates"


async def test_an_update_that_could_not_be_stored_is_held_and_stored_later(zalo):
    channel = channel_for(zalo)
    stored: list[dict] = []
    failures = [RuntimeError("database and spool away")] * 2
    stop = asyncio.Event()

    async def store(raw):
        if failures:
            raise failures.pop()
        stored.append(raw)

    zalo.user("u1", "Lan").send("NV4: hoàn thành")
    task = asyncio.create_task(channel.poll(store, stop))
    await zalo.wait_until(lambda: bool(stored), timeout=10)
    stop.set()
    await asyncio.wait_for(task, 5)
    await channel.stop()
    assert len(zalo.handed_out) == 1, "Zalo hands an update out once: it was never asked for again"
    assert stored[0]["message"]["text"] == "NV4: hoàn thành"


async def test_poll_backs_off_on_errors(zalo):
    channel = channel_for(zalo)
    zalo.fail_next("getUpdates", 500, "Internal error", times=2)
    stop = asyncio.Event()
    stored: list[dict] = []

    async def store(raw):
        stored.append(raw)

    zalo.user("u1", "Lan").send("xin chào")
    task = asyncio.create_task(channel.poll(store, stop))
    await zalo.wait_until(lambda: bool(stored), timeout=10)
    stop.set()
    await asyncio.wait_for(task, 5)
    await channel.stop()
    calls = [c["ts"] for c in zalo.calls if c["method"] == "getUpdates"]
    assert calls[2] - calls[1] >= 1.5, "the second failure waited longer than the first"


def test_webhook_checks_the_secret():
    channel = ZaloChannel("1:x", base_url="http://127.0.0.1:9/bot")
    hook = channel.webhook("a-long-enough-secret")
    body = b'{"ok": true, "result": {"event_name": "message.text.received", "message": {"from": {"id": "u"}, "chat": {"id": "u"}, "message_id": "m", "text": "x"}}}'
    assert hook.path == "zalo"
    assert hook.read({}, body) is None
    assert hook.read({"X-Bot-Api-Secret-Token": "wrong"}, body) is None
    assert hook.read({"x-bot-api-secret-token": "a-long-enough-secret"}, body)[0]["message"]["text"] == "x"
    assert hook.read({"X-Bot-Api-Secret-Token": "a-long-enough-secret"}, b"not json") == []


# -- sending --------------------------------------------------------------------------------------


async def test_errors_map_onto_outcomes(zalo):
    channel = channel_for(zalo, cool_down_s=0.2)
    user = zalo.user("u1", "Lan")
    user.send("xin chào")
    zalo.fail_next("sendMessage", 429, "Quota exceeded")
    with pytest.raises(dispatch.RetryLater):
        await channel.send(row("u1"), no_progress)
    with pytest.raises(dispatch.RetryLater):  # cooling down: not even tried
        await channel.send(row("u1"), no_progress)
    assert zalo.requests["sendMessage"] == 1
    await asyncio.sleep(0.25)
    assert await channel.send(row("u1"), no_progress)
    user.block()
    with pytest.raises(dispatch.Blocked):
        await channel.send(row("u1"), no_progress)
    with pytest.raises(dispatch.Blocked):  # never wrote to the bot
        await channel.send(row("nobody"), no_progress)
    zalo.fail_next("sendMessage", 502, "Bad gateway")
    user.unblock()
    with pytest.raises(dispatch.TransientError):
        await channel.send(row("u1"), no_progress)
    await channel.stop()


async def test_files_go_as_published_links(zalo, tmp_path):
    channel = channel_for(zalo, tmp_path)
    zalo.user("u1", "Lan").send("xin chào")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    digest = channel.files.put(png)
    await channel.send(row("u1", Message("Biểu đồ tình hình báo cáo quý I năm 2024."),
                           {"sha256": digest, "name": "bieu-do-2024-Q1.png", "kind": "photo"}), no_progress)
    photo = zalo.sent[-1]
    assert photo["kind"] == "photo" and photo["caption"] == "Biểu đồ tình hình báo cáo quý I năm 2024."
    token, name = photo["photo"].removeprefix("https://files.example.vn/p/").split("/")
    assert name == "bieu-do-2024-Q1.png" and len(token) >= 20
    assert (tmp_path / "public" / token / name).read_bytes() == png
    doc = channel.files.put(b"PK\x03\x04 word")
    await channel.send(row("u1", Message("Dự thảo (Word)."), {"sha256": doc, "name": "Báo cáo quý I.docx", "kind": "document"}), no_progress)
    link = zalo.sent[-1]["text"]
    assert link.startswith("📎 Báo cáo quý I.docx:") and "https://files.example.vn/p/" in link and link.endswith("Bao-cao-quy-I.docx")
    await channel.stop()


async def test_a_picture_is_downloaded_whole_or_refused(zalo):
    channel = channel_for(zalo)
    from bot.messages import Attachment

    url = zalo._host_image(b"\xff\xd8" + b"x" * 1000)
    assert len(await channel.download(Attachment("photo", url))) == 1002
    with pytest.raises(ValueError):
        await channel.download(Attachment("photo", zalo.root_url + "/img/missing.jpg"))
    with pytest.raises(ValueError):
        await channel.download(Attachment("photo", "file:///etc/passwd"))
    await channel.stop()


async def test_typing_and_getme(zalo):
    channel = ZaloChannel(zalo.token, base_url=zalo.base_url, poll_timeout=1)
    await channel.start()
    assert channel.bot_name == "bot.BaocaoTest"  # without ZALO_BOT_NAME: the account name
    zalo.user("u1", "Lan").send("xin chào")
    await channel.typing("u1")
    await channel.typing("nobody")  # best effort: no error
    assert zalo.chat_actions[0]["action"] == "typing"
    await channel.stop()
