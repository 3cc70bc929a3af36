"""The words people use for reporting periods (common.periods): one vocabulary for the chat,
the command line and the reply parser."""

from __future__ import annotations

import pytest

from common.periods import as_text, parse_words, period_label, split_key, split_period


@pytest.mark.parametrize(
    ("text", "whole", "found"),
    [
        ("q1", True, (None, "Q1")),
        ("Q1", True, (None, "Q1")),
        ("2024-q1", True, (2024, "Q1")),
        ("2024-Q1", True, (2024, "Q1")),
        ("quy 1", True, (None, "Q1")),
        ("quý I", True, (None, "Q1")),
        ("quy iv", True, (None, "Q4")),
        ("kỳ quý 1 năm 2024", True, (2024, "Q1")),
        ("6 thang", True, (None, "H1")),
        ("6 tháng", True, (None, "H1")),
        ("06 tháng đầu năm", True, (None, "H1")),
        ("09 thang 2024", True, (2024, "9M")),
        ("9 tháng", True, (None, "9M")),
        ("nam 2024", True, (2024, "FY")),
        ("năm 2024", True, (2024, "FY")),
        ("cả năm", True, (None, "FY")),
        ("ca nam", False, (None, "FY")),
        ("nam", True, (None, "FY")),
        ("nam", False, None),  # "UBND huyện Thuận Nam"
        ("nv4", True, None),
        ("2024", True, None),
        ("", True, None),
        ("Công an tỉnh", True, None),
    ],
)
def test_period_words(text, whole, found):
    assert parse_words(text, whole=whole) == found


@pytest.mark.parametrize(
    ("arg", "rest", "found"),
    [
        ("UBND huyện Thuận Nam", "UBND huyện Thuận Nam", None),
        ("UBND huyện Thuận Nam Q1", "UBND huyện Thuận Nam", (None, "Q1")),
        ("nv4 quý 1 năm 2024", "nv4", (2024, "Q1")),
        ("Q1 NV4", "NV4", (None, "Q1")),
        ("CA tỉnh quý 1", "CA tỉnh", (None, "Q1")),
        ("6 tháng", "", (None, "H1")),
        ("", "", None),
    ],
)
def test_subject_and_period_are_told_apart(arg, rest, found):
    assert split_period(arg) == (rest, found)


def test_keys_and_labels():
    assert split_key("2024-q1") == (2024, "Q1") and split_key("Q1") is None
    assert as_text((2024, "Q1")) == "2024-Q1" and as_text((None, "H1")) == "H1"
    assert period_label("quý I", 2024) == "quý I năm 2024" and period_label("năm", 2024) == "năm 2024"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("tháng 5", (None, "M05")),
        ("thang 5", (None, "M05")),
        ("Tháng 05", (None, "M05")),
        ("T5", (None, "M05")),
        ("t12", (None, "M12")),
        ("M05", (None, "M05")),
        ("2025-M05", (2025, "M05")),
        ("tháng 5 năm 2025", (2025, "M05")),
        ("T5/2025", (2025, "M05")),
        ("báo cáo tháng 1 năm 2026", (2026, "M01")),
        ("tháng 13", None),
        ("5 tháng", None),
        ("6 tháng cuối năm", (None, "H2")),
        ("06 thang cuoi nam 2025", (2025, "H2")),
        ("H2", (None, "H2")),
        ("2025-h2", (2025, "H2")),
        ("6 tháng đầu năm", (None, "H1")),  # unchanged
    ],
)
def test_months_and_the_second_half_year(text, found):
    assert parse_words(text) == found


def test_new_codes_have_names_and_sort_in_calendar_order():
    from common.periods import PERIOD_NAMES, key_order

    assert PERIOD_NAMES["M01"] == "tháng 1" and PERIOD_NAMES["H2"] == "06 tháng cuối năm"
    assert PERIOD_NAMES["H1"] == "06 tháng"  # the seed's label
    assert period_label(PERIOD_NAMES["M05"], 2025) == "tháng 5 năm 2025"
    keys = ["2025-FY", "2025-H1", "2025-M07", "2024-FY", "2025-Q1", "2025-M01", "2025-H2", "2025-9M"]
    assert sorted(keys, key=key_order) == ["2024-FY", "2025-M01", "2025-Q1", "2025-H1", "2025-M07", "2025-9M", "2025-H2", "2025-FY"]
