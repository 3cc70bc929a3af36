"""Evidence end to end: the real runtime and Telegram channel against the Bot API stand-in, on
SQLite and PostgreSQL. A document with a caption is a report and its evidence; its bytes are
downloaded through getFile after the turn, kept in baocao's file store, and handed back to a
coordinator by /minhchung; a document over Telegram's 20 MB is refused."""

from __future__ import annotations

import asyncio
import hashlib

from sqlmodel import select

from bot.evidence import EvidenceFetcher, fetch_pending
from storage.db import session_scope
from storage.models import Evidence, Report
from tests.bot.test_e2e import POLICE, bot, button, clock, invite, services  # noqa: F401 - fixtures

COORD = 5100
DOCX = b"PK\x03\x04 bien ban nghiem thu " * 500


async def started(standin, engine, clock):  # noqa: F811 - the clock fixture's value
    police, coordinator = standin.user(POLICE, first_name="Trần Văn B"), standin.user(COORD, first_name="Phạm Thị D")
    police.send(f"/start {invite(engine, clock)}")
    await standin.wait_for(POLICE, "Công an tỉnh")
    coordinator.send(f"/start {invite(engine, clock, 'so-tu-phap', 'coordinator')}")
    await standin.wait_for(COORD, "điều phối")
    return police, coordinator


def evidence_rows(engine):
    with session_scope(engine) as session:
        return list(session.exec(select(Evidence)).all())


async def test_document_with_caption_is_a_report_kept_and_handed_to_a_coordinator(standin, bot, services, engine, clock):  # noqa: F811
    police, coordinator = await started(standin, engine, clock)
    update = police.send_document("Biên bản nghiệm thu.docx", DOCX, caption="NV4: hoàn thành 100%")
    file_id = update["message"]["document"]["file_id"]
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung")
    assert "NV4" in echo["plain"] and "100%" in echo["plain"]
    assert "Kèm theo: 1 tệp minh chứng («Biên bản nghiệm thu.docx»)." in echo["plain"]
    police.press(echo, button(echo, "✅"))
    stored = await standin.wait_for(POLICE, "Đã ghi nhận")
    assert "Đã lưu kèm 1 tệp minh chứng." in stored["plain"]

    await fetched(engine, services)  # the runtime's job, run once now
    [row] = evidence_rows(engine)
    with session_scope(engine) as session:
        [report] = session.exec(select(Report)).all()
    assert (row.report_id, row.task_no, row.file_id, row.filename) == (report.id, "4", file_id, "Biên bản nghiệm thu.docx")
    assert row.sha256 == hashlib.sha256(DOCX).hexdigest() and row.size == len(DOCX)
    assert services.files.get(row.sha256) == standin.file_bytes(file_id) == DOCX
    assert standin.requests["file download"] >= 1

    coordinator.send("/minhchung CA tỉnh Q1")
    listing = await standin.wait_for(COORD, "tệp minh chứng")
    assert "cong-an-tinh_NV4_1_Biên bản nghiệm thu.docx" in listing["plain"]
    document = await standin.wait_for(COORD, lambda m: m["kind"] == "document")
    assert document["data"] == DOCX and document["filename"] == "cong-an-tinh_NV4_1_Biên bản nghiệm thu.docx"


async def fetched(engine, services) -> None:
    """Run the fetch now; the running bot's own fetcher job may hold a row meanwhile, so wait
    (bounded) until whichever of the two has fetched every file."""
    for _ in range(50):
        await fetch_pending(engine, services.channels, services.files)
        if all(row.sha256 is not None for row in evidence_rows(engine)):
            return
        await asyncio.sleep(0.2)


async def test_file_before_its_report_and_a_document_too_big(standin, bot, services, engine, clock):  # noqa: F811
    police, _ = await started(standin, engine, clock)
    police.send_photo()
    waiting = await standin.wait_for(POLICE, "được giữ lại")
    assert "30 phút" in waiting["plain"]
    police.send("NV4: đang thực hiện 80%")
    echo = await standin.wait_for(POLICE, "kiểm tra nội dung")
    assert "Kèm theo: 1 tệp minh chứng" in echo["plain"]
    police.press(echo, button(echo, "✅"))
    await standin.wait_for(POLICE, "Đã lưu kèm 1 tệp minh chứng.")

    police.send_document("ho-so-day-du.pdf", b"x" * (21 * 1024 * 1024))
    refusal = await standin.wait_for(POLICE, "vượt quá giới hạn")
    assert "21 MB" in refusal["plain"] and "20 MB" in refusal["plain"] and "Telegram" in refusal["plain"]
    await fetched(engine, services)
    [row] = evidence_rows(engine)  # the photo; nothing of the big document
    # The running bot fetches by itself too: one of its jobs.
    assert [job for job in bot.scheduler.get_jobs() if isinstance(getattr(job.args[0], "__self__", None), EvidenceFetcher)]
    assert row.kind == "photo" and row.report_id is not None and row.sha256 is not None
