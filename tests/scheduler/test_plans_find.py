"""A plan named by people (issue 12): ``Plans.find`` in a report, ``Plans.find_at_start`` in a
coordinator's command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from common.paths import BUNDLED_DATA_DIR
from scheduler.plan import load_plan, parse_plan
from scheduler.plans import Plans

SEED = load_plan(BUNDLED_DATA_DIR / "plan.json")
PBGDPL = load_plan(Path(__file__).resolve().parents[1] / "fixtures" / "plan_pbgdpl_2024.json")
PLANS = Plans([SEED, PBGDPL])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("KH 124: NV4 hoàn thành", ["124-KH/BCSĐ"]),
        ("kh124 nv4 xong", ["124-KH/BCSĐ"]),
        ("kế hoạch 124-KH/BCSĐ: NV4 đang thực hiện", ["124-KH/BCSĐ"]),
        ("theo kế hoạch số 45/KH-UBND, NV2 đã hoàn thành", ["45/KH-UBND"]),
        ("Theo Kế hoạch số 45, NV2", ["45/KH-UBND"]),
        ("124-KH/BCSĐ NV3", ["124-KH/BCSĐ"]),
        ("NV4: đã xử lý 124 vụ, 45 buổi", []),  # a bare number is a figure, not a plan
        ("KH 46: NV1", []),
        ("NV1 (KH 45) và NV4 (KH 124)", ["124-KH/BCSĐ", "45/KH-UBND"]),
    ],
)
def test_find(text, found):
    assert [p.plan.id for p in PLANS.named_in(text)] == found


@pytest.mark.parametrize(
    ("arg", "plan", "rest"),
    [
        ("124 quý I", "124-KH/BCSĐ", "quý I"),
        ("KH 45 Q1", "45/KH-UBND", "Q1"),
        ("kế hoạch số 124-KH/BCSĐ CA tỉnh", "124-KH/BCSĐ", "CA tỉnh"),
        ("45/KH-UBND", "45/KH-UBND", ""),
        ("Q1", None, "Q1"),
        ("NV4", None, "NV4"),
        ("99 Q1", None, "99 Q1"),
    ],
)
def test_find_at_start(arg, plan, rest):
    found, left = PLANS.find_at_start(arg)
    assert (found.plan.id if found else None, left) == (plan, rest)


def test_two_plans_with_the_same_leading_number_need_the_full_number():
    raw = json.loads((BUNDLED_DATA_DIR / "plan.json").read_text(encoding="utf-8"))
    raw["plan"].update(id="124/KH-UBND", number="124/KH-UBND")
    other = parse_plan(json.dumps(raw, ensure_ascii=False))
    plans = Plans([SEED, other])
    assert [p.plan.id for p in plans.named_in("theo kế hoạch số 124/KH-UBND")] == ["124/KH-UBND"]
    assert [p.plan.id for p in plans.named_in("KH 124")] == ["124-KH/BCSĐ", "124/KH-UBND"]
    assert plans.find_at_start("124 Q1") == (None, "124 Q1")
    assert plans.find_at_start("124/KH-UBND Q1")[0].plan.id == "124/KH-UBND"
