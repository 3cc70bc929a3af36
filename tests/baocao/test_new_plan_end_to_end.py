"""Issue 12, "done when": an admin drops a new plan's .docx into baocao, reviews a short list,
and its deadlines and reminders run beside the other plans, for the province's current
agencies (Khánh Hòa after 1/7/2025), while the seed plan keeps its own."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from baocao.cli import main
from common.clock import FixedClock
from common.paths import BUNDLED_DATA_DIR
from scheduler import dispatch as dp
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.plans import load_plans
from storage.db import session_scope
from storage.models import Contact, Outbox

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar.load(BUNDLED_DATA_DIR / "calendar-vn.json")
NUMBER = "215/KH-UBND"


def _docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "ỦY BAN NHÂN DÂN\nTỈNH KHÁNH HÒA"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    table.cell(1, 0).text = f"Số: {NUMBER}"
    table.cell(1, 1).text = "Khánh Hòa, ngày 15 tháng 01 năm 2026"
    for line in (
        "KẾ HOẠCH",
        "Công tác phổ biến, giáo dục pháp luật năm 2026",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Nâng cao ý thức chấp hành pháp luật của cán bộ và Nhân dân.",
        "II. NHIỆM VỤ",
        "1. Tuyên truyền, phổ biến pháp luật cho người dân ở cơ sở",
        "a) Cơ quan chủ trì: Sở Tư pháp.",
        "b) Cơ quan phối hợp: UBND các xã, phường.",
        "c) Thời gian thực hiện: Năm 2026.",
        "2. Bảo đảm kinh phí cho công tác phổ biến, giáo dục pháp luật",
        "a) Cơ quan chủ trì: Sở Tài chính.",
        "b) Cơ quan phối hợp: Sở Tư pháp.",
        "c) Thời gian thực hiện: Năm 2026.",
        "III. TỔ CHỨC THỰC HIỆN",
        "Các cơ quan, đơn vị báo cáo kết quả thực hiện 6 tháng trước ngày 15/6 và năm trước ngày 15/12 "
        "về Sở Tư pháp để tổng hợp.",
    ):
        document.add_paragraph(line)
    document.save(path)
    return path


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    plans = tmp_path / "plans"
    plans.mkdir()
    shutil.copy(BUNDLED_DATA_DIR / "plan.json", plans / "124-KH-BCSD.json")
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(plans))
    return plans


def test_a_dropped_docx_plan_runs_beside_the_seed_for_khanh_hoa_today(folder, tmp_path, capsys, engine):
    source = _docx(tmp_path / "ke-hoach-215.docx")
    out = folder / "215-KH-UBND.json"
    assert main(["plan", "import", str(source), "-o", str(out), "--directory", "khanh-hoa-2025"]) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err + printed.out
    draft = json.loads(out.read_text(encoding="utf-8"))
    assert draft["plan"]["number"] == NUMBER and draft["directory"] == "khanh-hoa-2025"
    assert [(t["lead"], t["coordinators"]) for t in draft["tasks"]] == [
        (["kh-so-tu-phap"], ["kh-ubnd-cac-xa-phuong-dac-khu"]),
        (["kh-so-tai-chinh"], ["kh-so-tu-phap"]),
    ]

    # The admin checks the folder: both plans pass.
    assert main(["plan", "check", str(folder)]) == 0
    capsys.readouterr()
    assert main(["--now", "2026-06-01T09:00", "plan", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(row["plan"] for row in rows) == sorted(["124-KH/BCSĐ", NUMBER])

    # Its deadlines: Khánh Hòa's current agencies, the 65 communes among them; the seed's 2024
    # deadlines are untouched by the new plan.
    plans, broken = load_plans(folder)
    assert not broken
    new, seed = plans[NUMBER], plans["124-KH/BCSĐ"]
    h1 = [o for o in obligations(new, CAL, 2026) if o.period_code == "H1"]
    assert len(h1) == 2 + 65 and {o.due.isoformat() for o in h1} == {"2026-06-15"}
    assert all(o.agency_id.startswith("kh-") or o.agency_id.startswith("ubnd-") for o in h1)
    alone = obligations(load_plans(BUNDLED_DATA_DIR / "plan.json")[0].default, CAL, 2024)
    assert [o.as_dict() for o in obligations(seed, CAL, 2024)] == [o.as_dict() for o in alone]

    # Its reminders run: a commune's focal point gets the D-7 reminder naming the plan, once.
    commune = next(o for o in h1 if o.agency_id.startswith("ubnd-"))
    d7 = datetime.combine(CAL.add_working_days(commune.due, -7), time(9, 0), tzinfo=VN)
    dp.sync_plans(engine, plans, CAL, datetime(2026, 1, 20, 9, 0, tzinfo=VN))
    with session_scope(engine) as session:
        session.add(Contact(channel="zalo", chat_id="z1", user_id="z1", agency_id=commune.agency_id, role="focal",
                            display_name="Trần Thị Bình", created_at=datetime(2026, 1, 20, tzinfo=VN)))

    sent: list[Outbox] = []

    class Sender:
        async def send(self, row: Outbox, progress=None) -> str:
            sent.append(row)
            return f"m{len(sent)}"

    import asyncio

    async def tick() -> None:
        await dp.tick(engine, plans, CAL, {"zalo": Sender()}, FixedClock(d7), worker_id="t",
                      pacers={"zalo": dp.Pacer(per_second=100_000, per_chat_interval=0)})

    asyncio.run(tick())
    asyncio.run(tick())
    mine = [row for row in sent if row.chat_id == "z1"]
    assert len(mine) == 1 and mine[0].payload["plan_id"] == NUMBER
    from common.message import Message

    text = Message.from_json(mine[0].payload["message"]).text
    assert f"Kế hoạch số {NUMBER}" in text and "15 tháng 6 năm 2026" in text
