"""Readings added while tuning on reports-held-out-8 and -9: which task numbers a part names,
lists and sub-items, and how a message is cut into parts (short examples written for the
test, not corpus rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_scoring import parse_as_bot  # noqa: E402

from bot.parser import parse_reply  # noqa: E402


def tasks(text: str, agency: str | None = None) -> list[str | None]:
    if agency is None:
        entries = parse_reply(text)
    else:
        entries, _ = parse_as_bot({"text": text, "agency": agency})
    return [e.task for e in entries if not e.general]


def read(text: str) -> dict[str | None, str | None]:
    return {e.task: e.status for e in parse_reply(text) if not e.general}


# "I.2. Nhiệm vụ 4: …": a report's own numbering (part I, item 2) before the task it names;
# the named task wins, the numbering is no task 2.
@pytest.mark.parametrize(
    "text, want",
    [
        ("I.1. Nhiệm vụ 3: Kiện toàn xong.\nI.2. Nhiệm vụ 7: Đang thực hiện.", ["3", "7"]),
        ("II.3 - Nhiệm vụ 9 (phối hợp): đang triển khai.\nII.4 - Nhiệm vụ số 10: hoàn thành.", ["9", "10"]),
        ("i.2. nhiem vu 6: dang lam", ["6"]),
    ],
)
def test_a_roman_numbering_before_a_named_task_is_the_reports_own(text, want):
    assert tasks(text) == want


@pytest.mark.parametrize("text, want", [("II.4 - Đang phối hợp giải quyết.", ["4"]), ("Theo mục II.9: đã xong.", ["9"])])
def test_a_roman_numbering_alone_still_names_the_plans_task(text, want):
    assert tasks(text) == want


# "số 10, 11 k phát sinh": "số" opening a clause before a list with commas names those tasks
# (a decimal "số 1,5" is no list).
@pytest.mark.parametrize(
    "text, want",
    [
        ("so 2 xong. So 9, 10 k phat sinh", {"2": "done", "9": "not_arisen", "10": "not_arisen"}),
        ("số 1 đang làm; số 6, 7 chưa phát sinh", {"1": "in_progress", "6": "not_arisen", "7": "not_arisen"}),
    ],
)
def test_so_before_a_comma_list_names_each_task(text, want):
    assert read(text) == want


# "chuyên mục 2 kỳ/tháng", "danh mục 15 văn bản": a column, a list — the word mục of a
# compound, not "mục 2" of the plan.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv9 mo chuyen muc 2 ky/thang", ["9"]),
        ("Nhiệm vụ 9: tăng thời lượng chuyên mục từ 15 lên 20 phút/kỳ.", ["9"]),
        ("nv6: rà soát danh mục 3 văn bản, đang làm", ["6"]),
        ("mục 2 đang làm", ["2"]),
    ],
)
def test_muc_in_a_compound_is_no_task(text, want):
    assert tasks(text) == want
