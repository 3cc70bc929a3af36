"""The seed plan as data, and what a broken plan file gets told."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from common.paths import BUNDLED_DATA_DIR
from common.text import slugify
from scheduler.plan import PlanError, Role, TimeFrameKind, find, load_plan, parse_plan

PLAN_PATH = BUNDLED_DATA_DIR / "plan.json"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "ke-hoach-124-KH-BCSD-2024.txt"


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN_PATH)


@pytest.fixture
def raw() -> dict:
    return json.loads(PLAN_PATH.read_text(encoding="utf-8"))


def test_plan_identity(plan):
    assert plan.plan.number == "124-KH/BCSĐ"
    assert plan.plan.date.isoformat() == "2024-01-30"
    assert plan.plan.year == 2024
    assert "Ban Cán sự Đảng UBND tỉnh" in plan.plan.issuer
    assert plan.plan.title.endswith("cải cách tư pháp năm 2024")


def test_all_eleven_tasks_with_sub_items(plan):
    assert [t.no for t in plan.tasks] == [str(n) for n in range(1, 12)]
    assert [i.no for i in plan.task_by_no["1"].items] == ["1a", "1b"]
    assert list(plan.task_refs())[:3] == ["1", "1a", "1b"]


def test_task_text_is_verbatim_from_the_seed(plan):
    if not SEED.exists():
        pytest.skip("seed text not beside the checkout")
    seed = " ".join(SEED.read_text(encoding="utf-8").split())
    for task in plan.tasks:
        # Page breaks in the seed split a few sentences; the plan joins them with a space.
        assert " ".join(task.text.split()) in seed, task.no
        for item in task.items:
            assert item.text in seed


def test_leads_and_roles(plan):
    assert plan.task_by_no["5"].lead == ["thanh-tra-tinh", "van-phong-ubnd-tinh"]
    assert plan.task_by_no["8"].lead == ["hoi-luat-gia-tinh"]
    assert plan.task_by_no["8"].lead_is_request
    assert sum(t.lead_is_request for t in plan.tasks) == 1
    assert plan.task_by_no["4"].lead == ["cong-an-tinh"]


def test_time_frames(plan):
    kinds = {t.no: t.time_frame.kind for t in plan.tasks}
    assert kinds["1"] is TimeFrameKind.ONGOING
    assert kinds["8"] is TimeFrameKind.YEAR_ONLY
    assert kinds["4"] is TimeFrameKind.FROM_YEAR
    assert kinds["6"] is TimeFrameKind.UNSTATED
    assert any("NV6" in w for w in plan.warnings())


def test_agency_ids_are_slugs_of_their_names(plan):
    for agency in plan.agencies:
        assert agency.id == slugify(agency.name)
    assert plan.agency("cong-an-tinh").name == "Công an tỉnh"
    assert plan.agency("so-tu-phap").name == "Sở Tư pháp"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CA tỉnh", "cong-an-tinh"),
        ("ca tinh", "cong-an-tinh"),
        ("VKSND tỉnh", "vien-kiem-sat-nhan-dan-tinh"),
        ("Cục THADS", "cuc-thi-hanh-an-dan-su-tinh"),
        ("Sở Tư pháp", "so-tu-phap"),
        ("so tu phap", "so-tu-phap"),
        ("Toà án nhân dân tỉnh", "toa-an-nhan-dan-tinh"),
    ],
)
def test_aliases(plan, typed, expected):
    match = find(plan, typed)
    assert match is not None and match.id == expected


def test_groups_expand_to_members(plan):
    districts = plan.expand("ubnd-cac-huyen-thanh-pho")
    assert len(districts) == 7
    assert "ubnd-thanh-pho-phan-rang-thap-cham" in districts
    assert plan.expand("cac-co-quan-tu-phap-tren-dia-ban-tinh") == [
        "cong-an-tinh",
        "vien-kiem-sat-nhan-dan-tinh",
        "toa-an-nhan-dan-tinh",
        "cuc-thi-hanh-an-dan-su-tinh",
    ]
    assert len(plan.expand("hoi-dong-phoi-hop-pho-bien-giao-duc-phap-luat-cap-huyen")) == 7
    assert "uy-ban-mat-tran-to-quoc-viet-nam-tinh" in plan.expand(
        "mat-tran-to-quoc-va-cac-to-chuc-chinh-tri-xa-hoi-tinh"
    )
    assert "so-tu-phap" in plan.expand("cac-co-quan-chuyen-mon-thuoc-ubnd-tinh")


def test_reporting_section(plan):
    assert [p.code for p in plan.reporting.periods] == ["Q1", "H1", "9M", "FY"]
    assert plan.reporting.recipient == "so-tu-phap"
    assert plan.reporting.consolidation_working_days == 5
    assert any("Ban Nội chính" in o for o in plan.reporting.onward)


def test_ambiguities_are_recorded_in_the_file(plan):
    about = " ".join(n.about for n in plan.notes)
    assert "nhiệm vụ 1" in about and "Thường xuyên" in about


def test_role_enum_values():
    assert str(Role.LEAD) == "lead" and str(Role.COORDINATOR) == "coordinator"


# -- broken plan files: one clear message naming the JSON path ----------------------------


def _error(data: dict | str) -> PlanError:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    with pytest.raises(PlanError) as info:
        parse_plan(text)
    return info.value


def test_broken_json_names_line_and_column():
    err = _error('{"plan": {\n  "id": "x",\n}')
    assert "JSON" in err.message and "dòng 3" in err.message


def test_unknown_agency_suggests_closest_names(raw):
    raw["tasks"][3]["lead"] = ["cong-an-tin"]
    err = _error(raw)
    assert err.path == "tasks[3].lead[0]"
    assert "cong-an-tin" in err.message
    assert "Công an tỉnh (cong-an-tinh)" in err.message


def test_duplicate_agency_id(raw):
    raw["agencies"].append(copy.deepcopy(raw["agencies"][0]))
    err = _error(raw)
    assert err.path == f"agencies[{len(raw['agencies']) - 1}].id"
    assert "trùng" in err.message and "agencies[0]" in err.message


def test_duplicate_task_number(raw):
    raw["tasks"][1]["no"] = "1"
    err = _error(raw)
    assert err.path == "tasks[1].no" and "trùng" in err.message


def test_impossible_date(raw):
    raw["plan"]["date"] = "2024-02-30"
    err = _error(raw)
    assert err.path == "plan.date"
    assert "không tồn tại" in err.message


def test_impossible_day_of_period(raw):
    raw["reporting"]["periods"][0]["due"] = {"month": 2, "day": 30}
    err = _error(raw)
    assert err.path == "reporting.periods[0].due"
    assert "30/2" in err.message


def test_unknown_period(raw):
    raw["reporting"]["periods"][0]["code"] = "Q7"
    err = _error(raw)
    assert err.path == "reporting.periods[0].code"
    assert "Q7" in err.message and "Q1" in err.message


def test_empty_task_list(raw):
    raw["tasks"] = []
    err = _error(raw)
    assert err.path == "tasks" and "trống" in err.message


def test_group_that_contains_itself(raw):
    group = raw["groups"][0]
    group["members"].append(group["id"])
    err = _error(raw)
    assert err.path.startswith("groups[0].members[")
    assert "chứa chính nó" in err.message


def test_group_cycle_through_another_group(raw):
    raw["groups"][0]["members"].append(raw["groups"][1]["id"])
    raw["groups"][1]["members"].append(raw["groups"][0]["id"])
    err = _error(raw)
    assert "chứa chính nó" in err.message


def test_misspelt_key(raw):
    raw["tasks"][0]["leads"] = raw["tasks"][0].pop("lead")
    err = _error(raw)
    assert err.path in ("tasks[0].lead", "tasks[0].leads")


def test_unknown_recipient(raw):
    raw["reporting"]["recipient"] = "so-tu-phapp"
    err = _error(raw)
    assert err.path == "reporting.recipient" and "Sở Tư pháp" in err.message


def test_missing_file(tmp_path):
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "none.json")
    assert "không tìm thấy" in info.value.message


def test_not_utf8(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes("{\"x\": \"Sở\"}".encode("utf-16"))
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert "UTF-8" in info.value.message
