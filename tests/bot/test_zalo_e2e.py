"""End to end on Zalo: the real runtime with the real Zalo channel (httpx), against the Zalo Bot
API stand-in on 127.0.0.1, on SQLite and PostgreSQL. Zalo has no buttons: choices are numbered
and answered by typing the number."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from baocao.config import Settings
from baocao.demo.zalo_api import ZaloStandIn
from baocao.runtime import Runtime, WebhookOptions
from baocao.services import Services
from bot.channels.zalo import ZaloChannel
from bot.invitations import create_invitation
from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.plan import load_plan
from storage.db import session_scope
from storage.files import PublicFolder
from storage.models import Contact, Evidence, Inbox, Obligation, Outbox, ReportEntry
from storage.queries import latest_entries

ICT = timezone(timedelta(hours=7))
POLICE, COORDINATOR, STRANGER = "6ede9afa66b88fe6d6a9", "7a1b2c3d4e5f60718293", "99aa88bb77cc66dd55ee"


@pytest.fixture
async def zalo():
    async with ZaloStandIn() as server:
        yield server


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


def make_services(zalo, engine, clock, tmp_path, *, public=True):
    channel = ZaloChannel(
        zalo.token, base_url=zalo.base_url, bot_name=zalo.bot_name, poll_timeout=1, cool_down_s=0.3,
        public=PublicFolder(tmp_path / "public", "https://files.example.vn/baocao") if public else None,
        per_second=1000.0, per_chat_interval=0.0,
    )
    services = Services(
        Settings(spool_path=tmp_path / "spool.jsonl", files_path=tmp_path / "files"),
        clock,
        channels={"zalo": channel},
        engine=engine,
        plans=load_plan(BUNDLED_DATA_DIR / "plan.json"),
        calendar=WorkingCalendar.load(),
    )
    channel.files = services.files
    services.sync()
    return services


@pytest.fixture
def services(zalo, engine, clock, tmp_path):
    return make_services(zalo, engine, clock, tmp_path)


@pytest.fixture
async def bot(services):
    runtime = Runtime(services, tick_interval=0, spool_interval=0.2, plan_interval=None)
    async with asyncio.timeout(30):
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()


def invite(engine, clock, agency="cong-an-tinh", role="focal"):
    with session_scope(engine, write=True) as session:
        _, code = create_invitation(session, agency_id=agency, role=role, created_by="test", now=clock.now())
    return code


async def joined(zalo, engine, clock):
    """Công an tỉnh's focal point, joined with an invitation code and greeted as such."""
    user = zalo.user(POLICE, "Trần Văn B")
    user.send(invite(engine, clock))
    await zalo.wait_for(POLICE, "đầu mối báo cáo")
    return user


def police_q1(engine):
    """Công an tỉnh's latest entries for quý I năm 2024, by task."""
    with session_scope(engine) as session:
        ob = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")).one()
        return latest_entries(session, ob.id)


def number(record, prefix):
    """The number to type for the choice whose label starts with ``prefix``."""
    return next(n for label, n in record["choices"] if label.startswith(prefix))


async def test_code_in_chat_report_confirmed_by_number_and_corrected(zalo, bot, engine, clock):
    code = invite(engine, clock)
    user = zalo.user(POLICE, "Trần Văn B")
    user.send(code)  # the code alone, as a focal point types it
    greeting = await zalo.wait_for(POLICE, "Công an tỉnh")
    assert "trợ lý tự động" in greeting["text"], "the first message says a program answers"
    assert "đầu mối báo cáo" in greeting["text"]
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in greeting["text"]

    user.send("NV4: đang thực hiện 70%, vướng kinh phí")
    echo = await zalo.wait_for(POLICE, "kiểm tra nội dung")
    assert "<b>" not in echo["text"] and "Trả lời bằng số:" in echo["text"]
    assert [label[:2] for label, _ in echo["choices"]][:3] == ["✅ ", "✏️", "✖ "]
    user.send(number(echo, "✅"))
    stored = await zalo.wait_for(POLICE, "Đã ghi nhận")
    assert "quý I năm 2024" in stored["text"] and "trợ lý tự động" not in stored["text"]

    user.send("nv4 hoan thanh 100%")
    echo = await zalo.wait_for(POLICE, "sửa lần 1")
    user.send("Xác nhận")  # the label works as well as the number
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    entry = police_q1(engine)["4"]
    assert (entry.status, entry.percent, entry.revision) == ("done", 100, 2)
    with session_scope(engine) as session:
        contact = session.exec(select(Contact).where(Contact.channel == "zalo")).one()
        assert (contact.chat_id, contact.display_name) == (POLICE, "Trần Văn B")
    assert all(len(r["text"]) <= 2000 for r in zalo.sent)


async def test_a_message_that_is_no_report_is_answered_and_nothing_drafted(zalo, bot, engine, clock):
    code = invite(engine, clock)
    user = zalo.user(POLICE, "Trần Văn B")
    user.send(code)
    await zalo.wait_for(POLICE, "đầu mối báo cáo")
    # the rules alone would draft it as a report; the learned model (bot/classifier.py) is sure
    user.send("Dạ số liệu quý III bên em còn chờ các phòng gửi lên, đầu tuần sau em tổng hợp rồi gửi Sở ạ.")
    answer = await zalo.wait_for(POLICE, "chưa được ghi nhận là báo cáo")
    assert "Ví dụ: NV4" in answer["text"] and not answer.get("choices")
    with session_scope(engine) as session:
        assert session.exec(select(ReportEntry)).all() == []


async def test_a_part_the_learned_model_is_sure_of_is_drafted_on_its_task(zalo, bot, engine, clock):
    user = await joined(zalo, engine, clock)
    # the rules leave it to task 1 or 4; the model (bot/classifier.py) is sure it is task 4's
    user.send("Về công tác điều tra, xử lý tin báo tội phạm quý I: đã giải quyết 215/240 tin báo, khởi tố 96 vụ.")
    echo = await zalo.wait_for(POLICE, "NV4")
    assert "có thể thuộc một trong các nhiệm vụ" not in echo["text"]
    user.send(number(echo, "✅"))
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    assert set(police_q1(engine)) == {"4"}


async def test_a_chat_list_with_status_signs_is_drafted_task_by_task_and_confirmed_by_its_sign(zalo, bot, engine, clock):
    user = await joined(zalo, engine, clock)
    user.send("✅ NV4\nNV9 ⏳ 60%\nNV11: ❌ chưa làm")
    echo = await zalo.wait_for(POLICE, "kiểm tra nội dung")
    assert "NV4" in echo["text"] and "NV9" in echo["text"] and "NV11" in echo["text"]
    user.send("✅")  # the sign of the choice "✅ Xác nhận", typed
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    assert {no: (e.status, e.percent) for no, e in police_q1(engine).items()} == {
        "4": ("done", None), "9": ("in_progress", 60), "11": ("not_started", None)}


async def test_a_tracking_table_pasted_on_zalo_is_read_by_its_columns(zalo, bot, engine, clock):
    user = await joined(zalo, engine, clock)
    user.send("Nhiệm vụ\tKết quả\tTiến độ (%)\tKhó khăn\nNV4\tKhởi tố 156 vụ\t70\tThiếu điều tra viên\n"
              "NV9\tGỡ 46 tin xấu độc\t100\tKhông")
    await zalo.wait_for(POLICE, "kiểm tra nội dung")
    user.send("✅")
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    assert {no: (e.status, e.percent, e.difficulty) for no, e in police_q1(engine).items()} == {
        "4": ("in_progress", 70, True), "9": ("done", 100, False)}


async def test_code_after_start_and_stranger_told_it_is_a_bot(zalo, bot, engine, clock):
    stranger = zalo.user(STRANGER, "Người lạ")
    stranger.send("xin chào")
    refusal = await zalo.wait_for(STRANGER, "chưa được đăng ký")
    assert "trợ lý tự động" in refusal["text"]
    stranger.send("NV4 xong")
    again = await zalo.wait_for(STRANGER, "chưa được đăng ký")
    assert "trợ lý tự động" not in again["text"], "said once, on the first answer"
    code = invite(engine, clock)
    stranger.send(f"/start {code}")
    await zalo.wait_for(STRANGER, "đầu mối báo cáo")


async def test_captioned_picture_is_a_report_with_its_evidence(zalo, bot, engine, clock):
    user = await joined(zalo, engine, clock)
    picture = b"\xff\xd8\xff\xe0" + b"JFIF-test-picture" * 50
    user.send_photo(picture, caption="NV4: hoàn thành, biên bản kèm theo")
    echo = await zalo.wait_for(POLICE, "kiểm tra nội dung")
    user.send(number(echo, "✅"))
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    for _ in range(200):  # the bytes are fetched after the turn, from the picture's URL
        with session_scope(engine) as session:
            evidence = session.exec(select(Evidence)).all()
        if evidence and all(e.sha256 for e in evidence):
            break
        await asyncio.sleep(0.05)
    assert len(evidence) == 1 and evidence[0].size == len(picture)
    assert bot.services.files.get(evidence[0].sha256) == picture


async def test_sticker_and_unsupported_answered_politely(zalo, bot, engine, clock):
    user = await joined(zalo, engine, clock)
    user.send_sticker()
    sticker = await zalo.wait_for(POLICE)
    user.send_unsupported()
    other = await zalo.wait_for(POLICE)
    for answer in (sticker, other):
        assert answer["text"] and "lỗi" not in answer["text"].lower()


LONG_REPORT = "\n\n".join(
    f"{no}. Nhiệm vụ {no}: đang thực hiện {pct}%. Trong kỳ, Công an tỉnh đã tổ chức quán triệt, triển khai kế hoạch "
    f"đến toàn thể cán bộ, chiến sĩ; phối hợp với các cơ quan tư pháp rà soát hồ sơ, tài liệu; tổng hợp số liệu "
    f"phục vụ sơ kết; kiểm tra, đôn đốc các đơn vị trực thuộc thực hiện đúng tiến độ đề ra; tiếp tục hoàn thiện "
    f"quy trình phối hợp trong giải quyết tin báo, tố giác tội phạm. Vướng mắc: thiếu biên chế chuyên trách."
    for no, pct in ((4, 60), (5, 70), (6, 50), (9, 80), (10, 40), (11, 30))
)


async def test_a_long_echo_is_split_at_paragraphs_and_confirmed_by_number(zalo, bot, engine, clock):
    assert len(LONG_REPORT) > 2500
    user = await joined(zalo, engine, clock)
    before = len(zalo.messages_to(POLICE))
    user.send(LONG_REPORT)
    await zalo.wait_for(POLICE, lambda r: bool(r["choices"]))
    parts = zalo.messages_to(POLICE)[before:]
    texts = [r["text"] for r in parts]
    assert len(parts) >= 2 and sum(map(len, texts)) > 2000
    assert all(1 <= len(t) <= 2000 for t in texts)
    for text in texts[:-1]:  # each part ends where a paragraph ends, none starts blank
        assert not text.startswith("\n")
    assert parts[-1]["choices"], "the choices come with the last part"
    user.send(number(parts[-1], "✅"))
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    assert set(police_q1(engine)) >= {"4", "5", "6"}


async def test_slow_commands_show_typing_first(zalo, bot, engine, clock):
    user = zalo.user(COORDINATOR, "Lê Thị C")
    user.send(invite(engine, clock, agency="so-tu-phap", role="coordinator"))
    await zalo.wait_for(COORDINATOR, "điều phối")
    user.send("/chuabaocao")
    answer = await zalo.wait_for(COORDINATOR)
    typing = [a for a in zalo.chat_actions if a["chat_id"] == COORDINATOR and a["action"] == "typing"]
    assert typing and typing[0]["seq"] <= answer["seq"]
    assert all(1 <= len(r["text"]) <= 2000 for r in zalo.messages_to(COORDINATOR))


async def test_message_sent_while_the_bot_was_down_is_answered_after_restart(zalo, engine, clock, tmp_path):
    services = make_services(zalo, engine, clock, tmp_path)
    code = invite(engine, clock)
    user = zalo.user(POLICE, "Trần Văn B")
    user.send(code)  # nobody polls yet: the platform keeps it
    runtime = Runtime(services, tick_interval=0, spool_interval=0.2, plan_interval=None)
    async with asyncio.timeout(30):
        await runtime.start()
        try:
            await zalo.wait_for(POLICE, "đầu mối báo cáo")
        finally:
            await runtime.stop()
    user.send("NV4: đang thực hiện 50%")  # while it is down again
    await asyncio.sleep(0.3)
    assert len(zalo.pending_updates()) == 1
    services = make_services(zalo, engine, clock, tmp_path)
    runtime = Runtime(services, tick_interval=0, spool_interval=0.2, plan_interval=None)
    async with asyncio.timeout(30):
        await runtime.start()
        try:
            echo = await zalo.wait_for(POLICE, "kiểm tra nội dung")
            assert "50%" in echo["text"]
        finally:
            await runtime.stop()
    with session_scope(engine) as session:
        assert len(session.exec(select(Inbox).where(Inbox.channel == "zalo")).all()) == 2


async def test_webhook_refuses_a_call_without_the_secret(zalo, engine, clock, tmp_path, unused_tcp_port):
    services = make_services(zalo, engine, clock, tmp_path)
    secret = "s3cret-for-zalo-webhook"
    options = WebhookOptions(url=f"http://127.0.0.1:{unused_tcp_port}", secret=secret, port=unused_tcp_port)
    runtime = Runtime(services, webhook=options, tick_interval=0, spool_interval=0.2, plan_interval=None)
    async with asyncio.timeout(30):
        await runtime.start()
        try:
            assert zalo._webhook_url == f"http://127.0.0.1:{unused_tcp_port}/zalo"
            user = zalo.user(POLICE, "Trần Văn B")
            forged = {"event_name": "message.text.received", "message": {
                "from": {"id": POLICE, "display_name": "X", "is_bot": False}, "chat": {"id": POLICE, "chat_type": "PRIVATE"},
                "text": "NV4: hoàn thành", "message_id": "forged0001", "date": 1}}
            assert await zalo.push(forged, secret=None) == 403
            assert await zalo.push(forged, secret="wrong-secret-value") == 403
            user.send(invite(engine, clock))  # through the webhook, with the secret
            await zalo.wait_for(POLICE, "đầu mối báo cáo")
            delivered = user.send("NV4: hoàn thành")
            await zalo.wait_for(POLICE, "kiểm tra nội dung")
            # Zalo calling again with the same message is recognised, not answered twice.
            assert await zalo.push(delivered, secret=secret) == 200
            await asyncio.sleep(0.5)
        finally:
            await runtime.stop()
    with session_scope(engine) as session:
        ids = [row.update_id for row in session.exec(select(Inbox)).all()]
    assert "forged0001" not in ids and len(ids) == len(set(ids)) == 2
    assert len([r for r in zalo.messages_to(POLICE) if "kiểm tra nội dung" in r["text"]]) == 1


async def test_quota_exceeded_during_reminder_fan_out_loses_nothing(zalo, bot, services, engine, clock):
    from baocao.demo.bot import settled

    agencies = ["cong-an-tinh", "vien-kiem-sat-nhan-dan-tinh", "toa-an-nhan-dan-tinh", "so-noi-vu", "so-tai-chinh"]
    users = {}
    for i, agency in enumerate(agencies):
        users[agency] = zalo.user(f"a{i:019d}", f"Đầu mối {i}")
        users[agency].send(invite(engine, clock, agency=agency))
        await zalo.wait_for(users[agency].id, "đầu mối báo cáo")
    await settled(services, zalo)
    zalo.fail_next("sendMessage", 429, "Quota exceeded", times=2)
    clock.set(datetime(2024, 3, 6, 10, 0, tzinfo=ICT))  # 7 working days before 15/3: the first reminders
    stats = await asyncio.to_thread(services.plan_reminders)
    assert stats.enqueued == len(agencies)
    for _ in range(40):  # the runtime's dispatcher sends; each 429 cools the channel down, then it goes on
        services.dispatcher.wake()
        await asyncio.sleep(0.25)
        with session_scope(engine) as session:
            rows = session.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
        if all(r.status == "sent" for r in rows):
            break
        if not any(r.status == "sending" for r in rows):
            clock.set(clock.now() + timedelta(seconds=2))  # past the retry time, in the bot's clock
    assert [e["code"] for e in zalo.errors].count(429) == 2
    assert rows and all(r.status == "sent" for r in rows), [(r.key, r.status, r.last_error) for r in rows]
    for agency, user in users.items():
        reminders = [r for r in zalo.messages_to(user.id) if r["text"].startswith("Nhắc gửi báo cáo quý I")]
        assert len(reminders) == 1, (agency, [r["text"][:80] for r in zalo.messages_to(user.id)])


async def register_coordinator(zalo, engine, clock):
    user = zalo.user(COORDINATOR, "Lê Thị C")
    user.send(invite(engine, clock, agency="so-tu-phap", role="coordinator"))
    await zalo.wait_for(COORDINATOR, "điều phối")
    return user


async def test_status_chart_and_consolidated_report_as_links(zalo, bot, engine, clock, tmp_path):
    police = zalo.user(POLICE, "Trần Văn B")
    police.send(invite(engine, clock))
    await zalo.wait_for(POLICE, "đầu mối báo cáo")
    police.send("NV4: đang thực hiện 70%")
    police.send("1")
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    user = await register_coordinator(zalo, engine, clock)
    user.send("/tinhhinh")
    chart = await zalo.wait_for(COORDINATOR, lambda r: r["kind"] == "photo", timeout=20)
    assert chart["photo"].startswith("https://files.example.vn/baocao/") and chart["photo"].endswith(".png")
    token, name = chart["photo"].removeprefix("https://files.example.vn/baocao/").split("/")
    assert (tmp_path / "public" / token / name).read_bytes().startswith(b"\x89PNG")
    user.send("/tonghop Q1")
    docx = await zalo.wait_for(COORDINATOR, lambda r: ".docx" in r["text"], timeout=30)
    xlsx = await zalo.wait_for(COORDINATOR, lambda r: ".xlsx" in r["text"], timeout=30)
    for record in (docx, xlsx):
        url = record["text"].split("\n")[-1]
        token, name = url.removeprefix("https://files.example.vn/baocao/").split("/")
        assert (tmp_path / "public" / token / name).read_bytes().startswith(b"PK")
    summary = [r for r in zalo.messages_to(COORDINATOR) if "Báo cáo tổng hợp quý I năm 2024" in r["text"]]
    assert summary and "tải về theo các đường dẫn" in summary[0]["text"]


async def test_without_a_public_folder_status_is_text_and_the_report_points_to_the_command_line(zalo, engine, clock, tmp_path):
    services = make_services(zalo, engine, clock, tmp_path, public=False)
    runtime = Runtime(services, tick_interval=0, spool_interval=0.2, plan_interval=None)
    async with asyncio.timeout(40):
        await runtime.start()
        try:
            user = await register_coordinator(zalo, engine, clock)
            user.send("/tinhhinh")
            await zalo.wait_for(COORDINATOR, "Tình hình báo cáo")
            user.send("/tonghop Q1")
            answer = await zalo.wait_for(COORDINATOR, "Báo cáo tổng hợp quý I năm 2024", timeout=20)
            assert "baocao report --period" in answer["text"]
            await asyncio.sleep(0.5)
        finally:
            await runtime.stop()
    assert not [r for r in zalo.messages_to(COORDINATOR) if r["kind"] == "photo"]


async def test_guided_report_with_numbered_steps_and_the_focal_commands(zalo, bot, engine, clock):
    user = zalo.user(POLICE, "Trần Văn B")
    user.send(f"/start {invite(engine, clock)}")
    await zalo.wait_for(POLICE, "đầu mối báo cáo")
    user.send("/baocao")
    step1 = await zalo.wait_for(POLICE, "Bước 1/3")
    assert ("NV9", "9") in step1["choices"], "a task is typed by its own number"
    user.send("9")
    step2 = await zalo.wait_for(POLICE, "Bước 2/3")
    assert "NV9" in step2["text"]
    user.send(number(step2, "hoàn thành"))
    await zalo.wait_for(POLICE, "Bước 3/3")
    user.send("đã tổ chức 5 hội nghị")
    echo = await zalo.wait_for(POLICE, "kiểm tra nội dung")
    user.send(number(echo, "✅"))
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    user.send("/hanchot")
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024" in (await zalo.wait_for(POLICE))["text"]
    user.send("/nhiemvu")
    assert "NV4 (chủ trì)" in (await zalo.wait_for(POLICE))["text"]
    user.send("/dabaocao")
    done = await zalo.wait_for(POLICE, "Đã ghi nhận (lần gửi mới nhất")
    assert "NV9: hoàn thành" in done["text"]


async def test_a_person_who_blocked_the_bot_is_deactivated_and_the_coordinators_told(zalo, bot, services, engine, clock):
    from baocao.demo.bot import settled

    police = zalo.user(POLICE, "Trần Văn B")
    police.send(invite(engine, clock))
    await zalo.wait_for(POLICE, "đầu mối báo cáo")
    await register_coordinator(zalo, engine, clock)
    await settled(services, zalo)
    police.block()
    clock.set(datetime(2024, 3, 6, 10, 0, tzinfo=ICT))
    await asyncio.to_thread(services.plan_reminders)
    services.dispatcher.wake()
    notice = await zalo.wait_for(COORDINATOR, "Công an tỉnh", timeout=15)
    assert "chặn" in notice["text"] or "không nhận" in notice["text"]
    with session_scope(engine) as session:
        contact = session.exec(select(Contact).where(Contact.chat_id == POLICE)).one()
        assert not contact.active


async def test_coordinator_invites_and_gets_evidence_as_links(zalo, bot, engine, clock, tmp_path):
    police = zalo.user(POLICE, "Trần Văn B")
    police.send(invite(engine, clock))
    await zalo.wait_for(POLICE, "đầu mối báo cáo")
    picture = b"\xff\xd8\xff\xe0" + b"bien-ban" * 100
    police.send_photo(picture, caption="NV4: hoàn thành")
    police.send("1")
    await zalo.wait_for(POLICE, "Đã ghi nhận")
    user = await register_coordinator(zalo, engine, clock)
    user.send("/moi Sở Tài chính")
    invitation = await zalo.wait_for(COORDINATOR, "Mã mời")
    code = invitation["text"].split("Mã mời: ", 1)[1].split()[0]
    assert f"Zalo: trên Zalo, tìm {zalo.bot_name} và nhắn mã {code} cho bot" in invitation["text"]
    for _ in range(200):
        with session_scope(engine) as session:
            if all(e.sha256 for e in session.exec(select(Evidence)).all()):
                break
        await asyncio.sleep(0.05)
    user.send("/minhchung CA tỉnh")
    link = await zalo.wait_for(COORDINATOR, lambda r: r["text"].startswith("📎 "), timeout=15)
    url = link["text"].split("\n")[-1]
    token, name = url.removeprefix("https://files.example.vn/baocao/").split("/")
    assert (tmp_path / "public" / token / name).read_bytes() == picture
