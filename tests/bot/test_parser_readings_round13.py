"""Readings added in round 13, on the misses of held-out-40/-41 once they were scored blind."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply
from tests.bot.readings import kind as _kind


@pytest.mark.parametrize("text, statuses", [
    ("✅ NV2\n✅ NV3\nNV7 ⏳ 60%\nNV11: ❌ chưa làm", {"2": "done", "3": "done", "7": "in_progress", "11": "not_started"}),
    ("Hội LHPN: NV6 ✅ 18 buổi sinh hoạt CLB pháp luật; NV4 ✅; NV10 ⏳; NV11 ❌",
     {"6": "done", "4": "done", "10": "in_progress", "11": "not_started"}),
    ("NV4 ✔️", {"4": "done"}),
])
def test_status_signs_of_a_chat_list(text, statuses):
    assert {e.task: e.status for e in parse_reply(text)} == statuses


def test_a_status_sign_keeps_its_segment_as_written():
    got = parse_reply("NV7 ⏳ 60%\nNV11: ❌")
    assert [e.text for e in got] == ["NV7 ⏳ 60%", "NV11: ❌"] and got[0].percent == 60


def test_nothing_new_is_work_going_on():
    got = {e.task: e.status for e in parse_reply("nv4 vẫn làm bình thường, nv9 nv11 k co gi moi")}
    assert got == {"4": "in_progress", "9": "in_progress", "11": "in_progress"}
    # "không có gì" alone, without "mới", stays as it was read: nothing arose
    assert [e.status for e in parse_reply("nv9 k co gi")] == ["not_arisen"]


@pytest.mark.parametrize("text", ["đã nộp", "em đã nộp báo cáo rồi ạ", "Đã gửi ạ"])
def test_only_saying_it_was_sent_is_no_report(text):
    assert _kind(text) == "elsewhere"


def test_saying_what_was_sent_is_still_read():
    assert _kind("nv4 đã nộp 3 hồ sơ, đang làm") is None


def test_a_message_opening_on_bare_task_numbers_and_their_status():
    got = {e.task: e.status for e in parse_reply("KHĐT: 2,3,7 hoàn thành; 11 đang phối hợp STC cân đối vốn")}
    assert got == {"2": "done", "3": "done", "7": "done", "11": "in_progress"}
    # an amount is no list of tasks
    assert [e.task for e in parse_reply("3,5 tỷ đồng đã giải ngân")] == [None]
