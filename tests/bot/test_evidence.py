"""Evidence files kept by baocao, and what an agency has reported, on SQLite and PostgreSQL and
on both channels (Telegram's rendering and the text-only test channel):

- a document with a caption is a report (echoed, confirmed like text) and its evidence;
- a file sent while a draft waits goes with the draft; right after a report, on the report;
  alone, it waits and goes with the report confirmed next within 30 minutes;
- a file over the channel's limit is refused at once, naming the limit, and nothing is kept;
- the bytes are fetched after the turn (bot.evidence), retried when the channel fails;
- /minhchung (coordinators) lists and sends an agency's files; /dabaocao (focal points) shows
  what was stored and what is missing; ``baocao evidence export`` writes the files of a period.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.evidence import EvidenceFetcher, fetch_pending
from bot.guard import REFUSAL
from bot.messages import Attachment
from common.clock import FixedClock
from storage.db import session_scope
from storage.files import FileStore
from storage.models import Contact, Evidence, Obligation, Report
from tests.bot.chat import CHANNELS, Chat, text_of

ICT = timezone(timedelta(hours=7))
FOCAL, COORD = "100", "200"
PDF = b"%PDF-1.4 bien ban kiem tra\n" * 40
LIMITS = {"telegram": "20 MB", "text": "10 MB"}
_refs = itertools.count(1)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=ICT)


@pytest.fixture
def clock():
    return FixedClock(vn(2024, 3, 6, 9, 0))


class Files:
    """What a person uploads, as each channel hands it to the core, and the channel's download."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.served: dict[str, bytes] = {}
        self.downloads: list[str] = []
        self.fail = 0
        channel = chat.channel
        if chat.name == "telegram":
            async def download(attachment: Attachment) -> bytes:  # the Bot API's getFile, served here
                return self._serve(attachment.ref)

            channel.download = download
        else:
            real = channel.download

            async def download(attachment: Attachment) -> bytes:
                self._serve(attachment.ref)
                return await real(attachment)

            channel.download = download

    def _serve(self, ref: str) -> bytes:
        self.downloads.append(ref)
        if self.fail:
            self.fail -= 1
            raise ConnectionError("the channel is away")
        return self.served[ref]

    def attachment(self, data: bytes, name: str | None = "bien-ban.pdf", *, kind: str = "document",
                   mime: str = "application/pdf", size: int | None = None) -> Attachment:
        if self.chat.name == "text":
            att = self.chat.channel.upload(data, name, kind=kind, mime=mime)
        else:
            att = Attachment(kind, f"BQACAgUAA{next(_refs):04d}", name, mime, len(data))
        self.served[att.ref] = data
        return Attachment(att.kind, att.ref, att.filename, att.mime, size if size is not None else att.size)

    def send(self, data: bytes = PDF, name: str | None = "bien-ban.pdf", caption: str = "", user: str = FOCAL, **kw):
        return self.chat.send(caption, user=user, attachment=self.attachment(data, name, **kw))


@pytest.fixture(params=CHANNELS)
def chat(request, engine, clock, tmp_path):
    chat = Chat(engine, clock, request.param, files_path=tmp_path / "files")
    chat.channel.files = chat.services.files  # the one store, as the composition root gives it
    with session_scope(engine, write=True) as session:
        for user, name, agency, role in [
            (FOCAL, "Trần Văn B", "cong-an-tinh", "focal"),
            (COORD, "Phạm Văn Điều", "so-tu-phap", "coordinator"),
        ]:
            session.add(
                Contact(
                    channel=chat.name, chat_id=user, user_id=user, display_name=name, agency_id=agency, role=role,
                    language="vi", created_at=clock.now(),
                )
            )
    return chat


@pytest.fixture
def files(chat):
    return Files(chat)


def rows(engine, model=Evidence):
    with session_scope(engine) as session:
        return list(session.exec(select(model).order_by(model.id)).all())


def police_q1(engine) -> Obligation:
    with session_scope(engine) as session:
        return session.exec(
            select(Obligation).where(Obligation.agency_id == "cong-an-tinh", Obligation.period == "2024-Q1")
        ).one()


async def fetch(chat):
    return await fetch_pending(chat.engine, {chat.name: chat.channel}, chat.channel.files)


# --- a file with a caption is a report ----------------------------------------------------------


async def test_caption_is_a_report_and_the_file_its_evidence(chat, files, engine):
    out = files.send(caption="NV4: hoàn thành 100%")
    echo = text_of(out)
    assert "Đồng chí kiểm tra nội dung báo cáo" in echo and "NV4" in echo and "100%" in echo
    assert "Kèm theo: 1 tệp minh chứng («bien-ban.pdf»)." in echo
    [waiting] = rows(engine)
    assert waiting.report_id is None and waiting.sha256 is None  # nothing downloaded in the turn

    out = chat.press(out, "✅")
    assert "Đã ghi nhận báo cáo quý I năm 2024 của Công an tỉnh" in text_of(out)
    assert "Đã lưu kèm 1 tệp minh chứng." in text_of(out)
    [report] = rows(engine, Report)
    [row] = rows(engine)
    assert (row.report_id, row.obligation_id, row.task_no) == (report.id, police_q1(engine).id, "4")
    assert (row.filename, row.mime, row.kind, row.channel, row.size) == ("bien-ban.pdf", "application/pdf", "document", chat.name, len(PDF))
    assert row.caption == "NV4: hoàn thành 100%"

    stats = await fetch(chat)
    assert (stats.fetched, stats.failed, stats.bytes) == (1, 0, len(PDF))
    [row] = rows(engine)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest() and row.size == len(PDF)
    assert chat.channel.files.get(row.sha256) == PDF
    assert (await fetch(chat)).fetched == 0  # done once


def test_a_photo_with_a_caption(chat, files, engine):
    out = files.send(b"\xff\xd8\xff jpeg", None, "NV4 đang thực hiện 60%", kind="photo", mime="image/jpeg")
    assert "Kèm theo: 1 tệp minh chứng («anh-" in text_of(out)
    chat.press(out, "✅")
    [row] = rows(engine)
    assert row.kind == "photo" and row.report_id is not None and row.filename is None


def test_caption_that_is_no_report_keeps_the_file_waiting(chat, files, engine):
    out = files.send(caption="NV15: hoàn thành")  # a task the plan does not have
    assert "không có nhiệm vụ 15" in text_of(out)
    assert "được giữ lại" in text_of(out)
    [row] = rows(engine)
    assert row.report_id is None and row.obligation_id == police_q1(engine).id


# --- a file without caption ---------------------------------------------------------------------


def test_file_while_a_draft_waits_goes_with_the_draft(chat, files, engine):
    echo = chat.send("NV4: đang thực hiện 70%")
    out = files.send()
    assert "sẽ được lưu làm minh chứng cùng báo cáo đang chờ" in text_of(out)
    out = chat.press(echo, "✅")
    assert "Đã lưu kèm 1 tệp minh chứng." in text_of(out)
    [row] = rows(engine)
    [report] = rows(engine, Report)
    assert (row.report_id, row.task_no) == (report.id, "4")


def test_file_survives_a_correction_of_the_draft(chat, files, engine):
    chat.send("NV4: đang thực hiện 70%")
    files.send()
    out = chat.send("NV4: đang thực hiện 80%")  # a new draft replaces the first
    assert "Kèm theo: 1 tệp minh chứng" in text_of(out)
    chat.press(out, "✅")
    [row] = rows(engine)
    assert row.report_id is not None


def test_file_before_the_report_is_attached_to_the_report_confirmed_next(chat, files, engine, clock):
    out = files.send()
    assert "được giữ lại" in text_of(out) and "30 phút" in text_of(out)
    [row] = rows(engine)
    assert (row.report_id, row.obligation_id) == (None, police_q1(engine).id)
    clock.set(vn(2024, 3, 6, 9, 20))
    out = chat.send("NV4: hoàn thành 100%")
    assert "Kèm theo: 1 tệp minh chứng («bien-ban.pdf»)." in text_of(out)
    clock.set(vn(2024, 3, 6, 9, 45))  # confirmed later: the draft took the file when it was made
    out = chat.press(out, "✅")
    assert "Đã lưu kèm 1 tệp minh chứng." in text_of(out)
    [row] = rows(engine)
    assert row.report_id == rows(engine, Report)[0].id and row.task_no == "4"


def test_file_older_than_30_minutes_is_not_attached(chat, files, engine, clock):
    files.send()
    clock.set(vn(2024, 3, 6, 9, 31))
    out = chat.send("NV4: hoàn thành 100%")
    assert "Kèm theo" not in text_of(out)
    out = chat.press(out, "✅")
    assert "Đã lưu kèm" not in text_of(out)
    [row] = rows(engine)
    assert row.report_id is None


def test_file_right_after_a_report_is_evidence_on_it(chat, files, engine, clock):
    chat.press(chat.send("NV4: hoàn thành 100%"), "✅")
    clock.set(vn(2024, 3, 6, 9, 10))
    out = files.send()
    assert "Đã lưu tệp làm minh chứng cho báo cáo vừa gửi." in text_of(out)
    assert out[0].buttons == []  # one task: nothing to ask
    [row] = rows(engine)
    assert (row.report_id, row.task_no) == (rows(engine, Report)[0].id, "4")


def test_file_long_after_a_report_waits(chat, files, engine, clock):
    chat.press(chat.send("NV4: hoàn thành 100%"), "✅")
    clock.set(vn(2024, 3, 6, 10, 0))
    assert "được giữ lại" in text_of(files.send())
    assert rows(engine)[0].report_id is None


def test_a_report_on_several_tasks_asks_which_task_the_file_backs(chat, files, engine):
    chat.press(chat.send("NV2, NV6: hoàn thành"), "✅")
    out = files.send()
    assert "thuộc nhiệm vụ nào" in text_of(out)
    assert [c.label for c in out[0].buttons] == ["NV2", "NV6", "Chung cho cả báo cáo"]
    [row] = rows(engine)
    assert row.report_id is not None and row.task_no is None
    out = chat.press(out, "NV6")
    assert "Đã ghi 1 tệp minh chứng cho NV6." in text_of(out)
    assert rows(engine)[0].task_no == "6"


def test_several_tasks_with_the_caption_ask_after_confirmation(chat, files, engine):
    out = chat.press(files.send(caption="NV2, NV6: hoàn thành"), "✅")
    assert "Đã lưu kèm 1 tệp minh chứng." in text_of(out) and "thuộc nhiệm vụ nào" in text_of(out)
    out = chat.press(out, "Chung")
    assert "minh chứng chung cho cả báo cáo" in text_of(out)
    assert rows(engine)[0].task_no is None


# --- limits and odd files -----------------------------------------------------------------------


def test_a_file_over_the_channel_limit_is_refused_and_nothing_kept(chat, files, engine):
    out = files.send(b"x", "ho-so-lon.pdf", size=21 * 1024 * 1024)
    text = text_of(out)
    assert "«ho-so-lon.pdf»" in text and "21 MB" in text and f"giới hạn {LIMITS[chat.name]}" in text
    assert "chưa được lưu" in text
    assert rows(engine) == []


def test_a_caption_on_a_file_too_big_is_still_read_as_a_report(chat, files, engine):
    out = files.send(b"x", "ho-so-lon.pdf", "NV4: hoàn thành 100%", size=21 * 1024 * 1024)
    assert "vượt quá giới hạn" in text_of(out) and "Đồng chí kiểm tra nội dung" in text_of(out)
    assert "Kèm theo" not in text_of(out)
    chat.press(out, "✅")
    assert rows(engine) == [] and len(rows(engine, Report)) == 1


def test_stickers_and_voice_still_answered(chat, engine):
    assert chat.send(attachment=Attachment("sticker"))[0].text
    assert "thoại" in chat.send(attachment=Attachment("voice"))[0].text
    assert rows(engine) == []


async def test_download_failure_is_retried_later(chat, files, engine):
    chat.press(files.send(caption="NV4: hoàn thành 100%"), "✅")
    now = [1000.0]
    fetcher = EvidenceFetcher(engine, {chat.name: chat.channel}, chat.channel.files, monotonic=lambda: now[0])
    files.fail = 1
    stats = await fetcher.run_once()
    assert (stats.fetched, stats.failed) == (0, 1)
    assert rows(engine)[0].sha256 is None
    stats = await fetcher.run_once()  # backing off: not tried again at once
    assert (stats.fetched, stats.failed, stats.waiting) == (0, 0, 1) and len(files.downloads) == 1
    now[0] += 61
    stats = await fetcher.run_once()
    assert stats.fetched == 1 and rows(engine)[0].sha256 == hashlib.sha256(PDF).hexdigest()


# --- /minhchung -----------------------------------------------------------------------------------


async def test_coordinator_gets_the_files(chat, files, engine):
    chat.press(files.send(caption="NV4: hoàn thành 100%"), "✅")
    await fetch(chat)
    out = chat.send("/minhchung CA tỉnh Q1", user=COORD)
    listing = out[0].text
    assert "Công an tỉnh" in listing and "quý I năm 2024" in listing and "1 tệp minh chứng" in listing
    assert "cong-an-tinh_NV4_1_bien-ban.pdf" in listing and "06/03/2024 09:00" in listing
    documents = [o for o in out if o.document is not None]
    if chat.name == "telegram":
        [doc] = documents
        assert doc.document == PDF and doc.filename == "cong-an-tinh_NV4_1_bien-ban.pdf"
        assert doc.reply.file.mime == "application/pdf"
        assert "baocao evidence export" not in listing
    else:  # the text channel sends no files: how to get them
        assert documents == []
        assert "baocao evidence export --period 2024-Q1 --agency cong-an-tinh -o THƯ_MỤC" in listing


def test_minhchung_before_the_download_and_without_files(chat, files, engine):
    assert "chưa gửi tệp minh chứng nào" in text_of(chat.send("/minhchung CA tỉnh Q1", user=COORD))
    chat.press(files.send(caption="NV4: hoàn thành 100%"), "✅")
    out = chat.send("/minhchung cong-an-tinh", user=COORD)
    assert "đang tải về" in out[0].text
    assert all(o.document is None for o in out)


def test_minhchung_is_for_coordinators_and_needs_an_agency(chat):
    assert text_of(chat.send("/minhchung CA tỉnh")) == REFUSAL
    assert "Cú pháp: /minhchung CƠ_QUAN [kỳ]" in text_of(chat.send("/minhchung", user=COORD))
    out = text_of(chat.send("/minhchung Công an tnh", user=COORD))
    assert "Không tìm thấy cơ quan «Công an tnh»" in out and "Công an tỉnh" in out
    assert "không có kỳ báo cáo" in text_of(chat.send("/minhchung CA tỉnh 2025-Q1", user=COORD))


# --- /dabaocao ----------------------------------------------------------------------------------


async def test_dabaocao_shows_the_latest_entries_and_what_is_missing(chat, files, engine, clock):
    out = text_of(chat.send("/dabaocao"))
    assert "Báo cáo quý I năm 2024 của Công an tỉnh" in out and "chưa báo cáo nhiệm vụ nào" in out
    chat.press(chat.send("NV4: đang thực hiện 70%"), "✅")
    clock.set(vn(2024, 3, 6, 9, 5))
    chat.press(files.send(caption="NV4: hoàn thành 100%"), "✅")
    clock.set(vn(2024, 3, 18, 8, 30))  # after the due date (15/3)
    chat.press(chat.send("NV2: đang thực hiện"), "✅")

    out = text_of(chat.send("/dabaocao quý I"))
    assert "Hạn gửi: Thứ Sáu, ngày 15 tháng 3 năm 2024." in out
    assert "NV4" in out and "hoàn thành, 100%; gửi lúc 06/03/2024 09:05, đúng hạn; đã gửi 2 lần; 1 tệp minh chứng" in out
    assert "đang thực hiện; gửi lúc 18/03/2024 08:30, gửi muộn; đã gửi 1 lần" in out
    assert "Còn thiếu: NV1, NV3, NV5, NV6, NV9, NV10, NV11." in out
    assert text_of(chat.send("/dabaocao 2024-Q1")) == out


def test_dabaocao_usage_refusals_and_other_periods(chat):
    assert "chưa báo cáo nhiệm vụ nào" in text_of(chat.send("/dabaocao 6 tháng"))
    assert "06 tháng năm 2024" in text_of(chat.send("/dabaocao 6 tháng"))
    assert "Cú pháp: /dabaocao [kỳ]" in text_of(chat.send("/dabaocao linh tinh"))
    assert "không phải đầu mối" in text_of(chat.send("/dabaocao", user=COORD))


# --- baocao evidence export -------------------------------------------------------------------------


@pytest.mark.parametrize("chat", ["telegram"], indirect=True)
async def test_cli_export_writes_every_file_of_the_period(chat, files, engine, database_url, tmp_path, monkeypatch, capsys):
    from baocao.cli import main

    chat.press(files.send(caption="NV4: hoàn thành 100%"), "✅")
    photo = b"\xff\xd8\xff photo"
    files.send(photo, None, kind="photo", mime="image/jpeg")  # right after: on the same report
    chat.press(chat.send("NV2, NV6: hoàn thành"), "✅")
    files.send(b"%PDF chung", "Biên bản: họp/ngày 1.pdf")  # on both tasks of the second report
    files.send(b"later")  # the same report still (within 30 minutes); below, not downloaded yet
    await fetch(chat)
    with session_scope(engine, write=True) as session:
        last = session.exec(select(Evidence).order_by(Evidence.id.desc())).first()
        last.sha256 = None  # as if the download had not happened yet

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)
    monkeypatch.setenv("BAOCAO_FILES_PATH", str(tmp_path / "files"))
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH"):
        monkeypatch.delenv(name, raising=False)
    out_dir = tmp_path / "minh-chung"
    code = main(["--now", "2024-03-20T09:00", "evidence", "export", "--period", "quý I", "-o", str(out_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    photo_row = next(r for r in rows(engine) if r.kind == "photo")
    assert names == sorted([
        "cong-an-tinh_NV4_1_bien-ban.pdf",
        f"cong-an-tinh_NV4_2_anh-{photo_row.id}.jpg",
        "cong-an-tinh_NV2-6_1_Biên bản_ họp_ngày 1.pdf",
    ])
    assert (out_dir / "cong-an-tinh_NV4_1_bien-ban.pdf").read_bytes() == PDF
    assert (out_dir / f"cong-an-tinh_NV4_2_anh-{photo_row.id}.jpg").read_bytes() == photo
    assert "Đã ghi 3 tệp minh chứng của quý I năm 2024 (1 cơ quan," in out
    assert "1 tệp chưa được tải về" in out and "cong-an-tinh_NV2-6_2_bien-ban.pdf" in out

    code = main(["--now", "2024-03-20T09:00", "evidence", "export", "--period", "Q1", "--agency", "Sở Tư pháp", "-o", str(out_dir)])
    assert code == 0 and "Không có tệp minh chứng nào của Sở Tư pháp trong quý I năm 2024." in capsys.readouterr().out
    code = main(["--now", "2024-03-20T09:00", "evidence", "export", "--period", "Q1", "--agency", "khong-co", "-o", str(out_dir)])
    assert code == 2 and "không tìm thấy cơ quan" in capsys.readouterr().err


def test_an_edited_caption_brings_the_same_file_once(chat, files, engine):
    attachment = files.attachment(PDF)
    chat.send("NV4: đang thực hiện 70%", attachment=attachment)
    out = chat.send("NV4: hoàn thành 100%", attachment=attachment, edited=True)
    assert "Kèm theo: 1 tệp minh chứng" in text_of(out)
    chat.press(out, "✅")
    [row] = rows(engine)
    assert row.report_id is not None
