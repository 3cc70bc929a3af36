"""The period a reply names at its start, for the monthly and half-yearly codes."""

from __future__ import annotations

import pytest

from bot.attribution import period_in_text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Báo cáo tháng 5: NV1 đã hoàn thành", (None, "M05")),
        ("bao cao thang 5 nam 2026: NV1 xong", (2026, "M05")),
        ("Tháng 5/2026 NV1 đạt 50%", (2026, "M05")),
        ("Kỳ tháng 12: NV1 xong", (None, "M12")),
        ("6 tháng cuối năm 2025: NV1 đạt 80%", (2025, "H2")),
        ("2026-M03 NV1 xong", (2026, "M03")),
        ("H2: NV1 xong", (None, "H2")),
        ("6 tháng: NV10 đạt 35%", (None, "H1")),  # unchanged
        ("NV1: trong tháng 5 đã tổ chức 3 hội nghị", None),  # a month inside the report is no period
    ],
)
def test_period_in_text(text, found):
    assert period_in_text(text) == found
