"""Two plans in force at once, sharing Công an tỉnh (issue 12): a report finds its plan as it
finds its period — the plan named in the text, the reminder it answers, the only plan with the
tasks it names — else baocao asks with the plans as choices; the choice survives a restart.
Coordinators' commands take a plan. On SQLite and PostgreSQL, on Telegram's rendering and on
the text-only channel (numbered choices)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch as dp
from scheduler.plan import load_plan
from scheduler.plans import Plans
from storage.db import session_scope
from storage.models import Contact, Obligation, Outbox, Report
from storage.queries import latest_entries
from tests.bot.chat import CHANNELS, Chat, text_of

ICT = timezone(timedelta(hours=7))
FOCAL, COORD = "100", "900"
SEED = load_plan(BUNDLED_DATA_DIR / "plan.json")
PBGDPL = load_plan(Path(__file__).resolve().parents[1] / "fixtures" / "plan_pbgdpl_2024.json")
KH124, KH45 = SEED.plan.id, PBGDPL.plan.id


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


def make_chat(engine, clock, channel):
    return Chat(engine, clock, channel, plan=Plans([SEED, PBGDPL]))


@pytest.fixture(params=CHANNELS)
def chat(request, engine, clock):
    chat = make_chat(engine, clock, request.param)
    with session_scope(engine, write=True) as session:
        for user, agency, role, name in ((FOCAL, "cong-an-tinh", "focal", "Trần Văn B"), (COORD, "so-tu-phap", "coordinator", "Phạm Thị D")):
            session.add(Contact(channel=chat.name, chat_id=user, user_id=user, display_name=name, agency_id=agency, role=role,
                                language="vi", created_at=clock.now()))
    return chat


def police_entries(session, plan_id, period="2024-Q1"):
    session.rollback()  # a fresh snapshot: the chat wrote in its own transactions
    ob = session.exec(select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == period,
                                               Obligation.plan_id == plan_id)).one()
    return latest_entries(session, ob.id)


def reports_of(session, plan_id):
    session.rollback()
    return session.exec(select(Report).join(Obligation, Obligation.id == Report.obligation_id)
                        .where(Obligation.plan_id == plan_id)).all()


def test_plan_named_in_the_text(chat, session):
    out = chat.send("KH 45: NV1 đang thực hiện 50%, đã tổ chức 3 buổi")
    assert "Theo Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)." in out[0].text
    assert "quý I năm 2024" in out[0].text
    stored = chat.press(out, "✅")
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in stored[0].text
    assert "Kế hoạch số 45/KH-UBND" in stored[0].text
    entry = police_entries(session, KH45)["1"]
    assert (entry.status, entry.percent) == ("in_progress", 50)
    assert "1" not in police_entries(session, KH124), "the other plan's NV1 is untouched"


@pytest.mark.parametrize("text", ["kế hoạch 124-KH/BCSĐ: NV1 hoàn thành 100%", "Theo kế hoạch số 124, NV1 hoàn thành 100%"])
def test_full_number_or_bare_number_after_ke_hoach(chat, session, text):
    out = chat.send(text)
    assert "Theo Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)." in out[0].text
    chat.press(out, "✅")
    assert police_entries(session, KH124)["1"].percent == 100
    assert not reports_of(session, KH45)


def test_the_only_plan_with_the_task(chat, session):
    out = chat.send("NV4: đang thực hiện 70%")  # NV4: only 124-KH/BCSĐ gives Công an tỉnh a NV4
    assert "Theo Kế hoạch số 124-KH/BCSĐ" in out[0].text
    chat.press(out, "✅")
    assert police_entries(session, KH124)["4"].percent == 70
    assert not reports_of(session, KH45)


def test_asks_with_the_plans_as_choices_and_the_choice_survives_a_restart(chat, engine, clock, session):
    out = chat.send("NV1: đang thực hiện 30%")  # NV1 in both plans, both open now
    assert "Báo cáo này theo kế hoạch nào?" in out[0].text
    labels = [c.label for c in out[0].buttons]
    assert labels == ["Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)", "Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)"]
    if chat.name == "text":
        assert "2. Kế hoạch số 45/KH-UBND" in out[0].text
    restarted = make_chat(engine, clock, chat.name)  # a new process: only the database remembers
    choice = next(c for c in out[0].buttons if c.label.startswith("Kế hoạch số 45"))
    echo = restarted.choose(choice)
    assert "kiểm tra nội dung" in echo[0].text and "Theo Kế hoạch số 45/KH-UBND" in echo[0].text
    restarted.press(echo, "✅")
    assert police_entries(session, KH45)["1"].percent == 30
    assert not reports_of(session, KH124)


class Sender:
    def __init__(self) -> None:
        self.sent: list[Outbox] = []

    async def send(self, row, progress=None) -> str:
        self.sent.append(row)
        return f"m-{len(self.sent)}"


async def test_a_reply_to_a_plans_reminder_goes_to_that_plan(chat, engine, clock, session):
    sender = Sender()
    await dp.tick(engine, chat.services.plans, chat.services.calendar, {chat.name: sender}, clock, worker_id="t",
                  pacers={chat.name: dp.Pacer(per_second=100_000, per_chat_interval=0)})
    mine = {row.payload["plan_id"]: i for i, row in enumerate(sender.sent, start=1) if row.chat_id == FOCAL}
    assert set(mine) == {KH124, KH45}
    out = chat.send("NV1: đang thực hiện 40%", reply_to=f"m-{mine[KH45]}")
    assert "Theo Kế hoạch số 45/KH-UBND" in out[0].text
    chat.press(out, "✅")
    assert police_entries(session, KH45)["1"].percent == 40
    out = chat.send("NV1: hoàn thành 100%", reply_to=f"m-{mine[KH124]}")
    assert "Theo Kế hoạch số 124-KH/BCSĐ" in out[0].text
    stored = chat.press(out, "✅")
    assert "Đã ghi nhận" in stored[0].text, stored[0].text
    assert police_entries(session, KH124)["1"].percent == 100


def test_kh_number_is_not_a_task(chat, session):
    out = chat.send("KH 45 NV2 đang thực hiện 20%")
    assert "NV2" in out[0].text and "NV45" not in out[0].text
    chat.press(out, "✅")
    assert set(police_entries(session, KH45)) == {"2"}


# --- coordinators ----------------------------------------------------------------------------------


def test_tinhhinh_with_the_plan_given(chat):
    out = chat.send("/tinhhinh 45 quý I", user=COORD)
    text = text_of(out)
    assert "Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)" in text
    assert "Tình hình báo cáo quý I năm 2024" in text
    assert "NV3: " in text and "NV11: " not in text, "the second plan's tasks, not the seed's"


def test_tinhhinh_without_the_plan_asks_and_runs_once_chosen(chat, engine, clock):
    out = chat.send("/tinhhinh NV4", user=COORD)
    assert "Đồng chí chọn kế hoạch" in out[0].text
    labels = [c.label for c in out[0].buttons]
    assert labels == ["Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)", "Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)"]
    restarted = make_chat(engine, clock, chat.name)  # the question survives a restart
    choice = next(c for c in out[0].buttons if c.label.startswith("Kế hoạch số 124"))
    answer = text_of(restarted.choose(choice, user=COORD))
    assert "Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)" in answer
    assert "NV4. Phối hợp trong điều tra" in answer


def test_chuabaocao_and_tonghop_take_a_plan(chat):
    text = text_of(chat.send("/chuabaocao KH 45 Q1", user=COORD))
    assert "Kế hoạch số 45/KH-UBND" in text and "Cơ quan chưa báo cáo đủ — quý I năm 2024" in text
    assert "Công an tỉnh" in text and "Sở Giáo dục và Đào tạo" in text
    assert "Hội Luật gia tỉnh" not in text, "no duty in the second plan"
    out = chat.send("/chuabaocao", user=COORD)
    assert "Đồng chí chọn kế hoạch" in out[0].text
    text = text_of(chat.send("/tonghop 124-KH/BCSĐ Q1", user=COORD))
    assert "Kế hoạch số 124-KH/BCSĐ" in text and "Báo cáo tổng hợp quý I năm 2024" in text
    out = chat.send("/tonghop Q1", user=COORD)
    assert "Đồng chí chọn kế hoạch" in out[0].text
    picked = text_of(chat.press(out, "Kế hoạch số 45", user=COORD))
    assert "Kế hoạch số 45/KH-UBND" in picked and "Báo cáo tổng hợp quý I năm 2024" in picked


def test_a_stale_plan_choice_changes_nothing(chat):
    out = chat.press_value("kp:deadbeef:0", user=COORD)
    assert "không còn hiệu lực" in out[0].text


def test_a_nudge_names_its_plan(chat, session):
    out = chat.send("/chuabaocao 45 Q1", user=COORD)
    sent = chat.press(out, "Nhắc Công an tỉnh", user=COORD)
    nudge = next(o for o in sent if o.chat_id == FOCAL)
    assert "Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)" in nudge.text
    assert nudge.reply.plan_id == KH45


def test_dabaocao_shows_each_plans_period_naming_the_plan(chat):
    chat.press(chat.send("KH 45: NV1 đang thực hiện 50%"), "✅")
    text = text_of(chat.send("/dabaocao"))
    assert "Theo Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)." in text
    assert "Theo Kế hoạch số 45/KH-UBND (phổ biến, giáo dục pháp luật)." in text
    assert text.count("Báo cáo quý I năm 2024 của Công an tỉnh") == 2
    text = text_of(chat.send("/dabaocao quý I"))
    assert text.count("Báo cáo quý I năm 2024 của Công an tỉnh") == 2 and "Kế hoạch số 45/KH-UBND" in text


def test_guided_report_offers_each_plans_period(chat, session):
    out = chat.send("/baocao")
    labels = [c.label for c in out[0].buttons]
    assert labels == ["quý I năm 2024, KH 124-KH/BCSĐ (hạn 15/3)", "quý I năm 2024, KH 45/KH-UBND (hạn 15/3)"]
    out = chat.press(out, "quý I năm 2024, KH 45")
    assert [c.label for c in out[0].buttons] == ["NV1", "NV2"]


def test_an_extension_request_needs_its_plan(chat, session):
    from storage.models import Extension

    out = chat.send("đề nghị gia hạn đến 29/3")
    assert "Cơ quan có nhiệm vụ trong nhiều kế hoạch" in out[0].text and "KH 124-KH/BCSĐ: đề nghị gia hạn" in out[0].text
    session.rollback()
    assert not session.exec(select(Extension)).all()
    chat.send("KH 45: đề nghị gia hạn đến 29/3")
    session.rollback()
    [request] = session.exec(select(Extension)).all()
    assert session.get(Obligation, request.obligation_id).plan_id == KH45


def test_a_deadline_question_answers_for_each_plan(chat):
    text = text_of(chat.send("hạn nộp báo cáo quý I là ngày nào ạ?"))
    assert "(Kế hoạch số 124-KH/BCSĐ)" in text and "(Kế hoạch số 45/KH-UBND)" in text
