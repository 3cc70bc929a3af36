"""Readings added in round 12, on the misses of held-out-38 once it was scored blind."""

from __future__ import annotations

import pytest

from bot.parser import parse_reply


@pytest.mark.parametrize("text, statuses", [
    ("NV1 ok, NV4 ok, NV6 dang gop y 2 du an luat", {"1": "done", "4": "done", "6": "in_progress"}),
    ("nv9 chua xong, con 2 dot ra quet, nv8 ok", {"9": "in_progress", "8": "done"}),
    ("NV4 - ok", {"4": "done"}),
    ("nv3: ok ạ", {"3": "done"}),
])
def test_ok_after_a_tasks_number_is_done(text, statuses):
    assert {e.task: e.status for e in parse_reply(text)} == statuses


def test_ok_asked_is_no_status():
    assert [e.status for e in parse_reply("nv8 ok khong a?")] == [None]


def test_nothing_of_a_kind_with_a_longer_qualifier_has_not_arisen():
    got = {e.task: e.status for e in parse_reply("bao nt bc nv1 ht, nv9 dag lam, con nv4 thi k co tin xet xu luu dong nao de dua")}
    assert got == {"1": "done", "9": "in_progress", "4": "not_arisen"}
