"""The province's agency directory (data/directories/), plans that refer to it, validity on
the due date, successors inheriting duties, and what plan check says about them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import obligations
from scheduler.directory import DirectoryError, load_directory
from scheduler.plan import PlanError, Role, find, load_plan

PLAN_PATH = BUNDLED_DATA_DIR / "plan.json"
DIRS = BUNDLED_DATA_DIR / "directories"


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar.load()


@pytest.fixture(scope="module")
def khanh_hoa():
    return load_directory("khanh-hoa-2025")


def _directory(**over) -> dict:
    data = {
        "schema_version": 1,
        "id": "thu-nghiem",
        "name": "Danh mục thử",
        "province": "Khánh Hòa",
        "agencies": [
            {"id": "so-a", "name": "Sở A", "kind": "co-quan-chuyen-mon", "valid_to": "2025-06-30", "source": "thử"},
            {"id": "so-b", "name": "Sở B", "kind": "co-quan-chuyen-mon", "valid_from": "2025-07-01",
             "successor_of": ["so-a"], "source": "thử"},
            {"id": "so-tu-phap", "name": "Sở Tư pháp", "kind": "co-quan-chuyen-mon"},
        ],
        "groups": [{"id": "cac-so", "name": "Các sở", "rule": "kind", "kinds": ["co-quan-chuyen-mon"]}],
    }
    data.update(over)
    return data


def _write(folder: Path, data: dict | str, name: str = "thu-nghiem.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _plan(directory: str | None, tasks: list[dict], *, in_force=("2025-01-01", "2025-12-31"), recipient="so-tu-phap",
          agencies: list | None = None, groups: list | None = None) -> dict:
    raw = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    raw["plan"].update(id="T-2025", number="T-2025", year=int(in_force[0][:4]),
                       in_force={"from": in_force[0], "to": in_force[1]})
    if directory is not None:
        raw["directory"] = directory
    raw["agencies"] = agencies or []
    raw["groups"] = groups or []
    raw["tasks"] = tasks
    raw["reporting"]["recipient"] = recipient
    raw["reporting"]["onward"] = []
    return raw


def _task(no: str, lead: list[str], coordinators: list[str] = (), year: int = 2025) -> dict:
    return {"no": no, "title": f"Nhiệm vụ {no}", "text": f"Nội dung nhiệm vụ {no}.", "lead": lead,
            "coordinators": list(coordinators), "time_frame": {"kind": "from_year", "year": year}}


def _load(tmp_path: Path, raw: dict) -> object:
    path = tmp_path / "plans" / "ke-hoach.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return load_plan(path)


# --- the shipped directories ---------------------------------------------------------------


def test_khanh_hoa_has_its_65_communes_generated(khanh_hoa):
    communes = [a for a in khanh_hoa.agencies if a.kind == "ubnd-cap-xa"]
    assert len(communes) == 65
    by_id = {a.id: a for a in communes}
    assert by_id["ubnd-phuong-nha-trang"].name == "UBND phường Nha Trang"
    assert by_id["ubnd-dac-khu-truong-sa"].name == "UBND đặc khu Trường Sa"
    assert sum(a.name.startswith("UBND xã ") for a in communes) == 48
    assert sum(a.name.startswith("UBND phường ") for a in communes) == 16
    assert all(a.valid_from == date(2025, 7, 1) and a.source for a in communes)
    group = {g.id: g for g in khanh_hoa.groups}["kh-ubnd-cac-xa-phuong-dac-khu"]
    assert len(group.members) == 65 and group.rule == "commune_level"


def test_every_entry_has_its_source_and_successors_are_ninh_thuan_agencies(khanh_hoa):
    own = [a for a in khanh_hoa.agencies if a.id not in khanh_hoa.inherited]
    assert all(a.source for a in khanh_hoa.agencies)
    by_id = {a.id: a for a in khanh_hoa.agencies}
    assert by_id["kh-so-tu-phap"].successor_of == ["so-tu-phap"]
    assert by_id["kh-so-tai-chinh"].successor_of == ["so-tai-chinh"]
    # Sở Kế hoạch và Đầu tư went into Sở Tài chính on 1/3/2025 (Ninh Thuận), then Khánh Hòa's.
    assert by_id["so-tai-chinh"].successor_of == ["so-ke-hoach-va-dau-tu"]
    assert by_id["so-ke-hoach-va-dau-tu"].valid_to == date(2025, 2, 28)
    assert set(by_id["nt-so-nong-nghiep-va-moi-truong"].successor_of) == {
        "so-nong-nghiep-va-phat-trien-nong-thon", "so-tai-nguyen-va-moi-truong"}
    assert by_id["ubnd-huyen-ninh-hai"].valid_to == date(2025, 6, 30)
    names = {a.name for a in own}
    for expected in ("Sở Nội vụ", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Khoa học và Công nghệ",
                     "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Tòa án nhân dân tỉnh", "Viện Kiểm sát nhân dân tỉnh",
                     "Công an tỉnh", "Thi hành án dân sự tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                     "Hội Luật gia tỉnh", "Đoàn Luật sư tỉnh"):
        assert expected in names


def test_ninh_thuan_directory_has_the_seed_agencies_with_the_same_ids():
    seed = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    directory = load_directory("ninh-thuan-2024")
    ids = [a.id for a in directory.agencies]
    assert ids[: len(seed["agencies"])] == [a["id"] for a in seed["agencies"]]
    assert {g.id for g in directory.groups} == {g["id"] for g in seed["groups"]}
    assert all(a.valid_to is not None and a.valid_to <= date(2025, 6, 30) for a in directory.agencies)


# --- errors: one clear message ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda d: d["agencies"][1].update(successor_of=["so-c"]), "agencies[1].successor_of[0]", "không có cơ quan mã 'so-c'"),
        (lambda d: d["agencies"][0].update(successor_of=["so-b"]), "successor_of", "kế thừa vòng tròn"),
        (lambda d: d["agencies"].append({"id": "so-a", "name": "Sở A khác"}), "agencies[3].id", "bị trùng"),
        (lambda d: d["groups"][0].update(rule="tat_ca"), "groups[0].rule", "quy tắc nhóm không được hỗ trợ"),
        (lambda d: d["groups"][0].update(members=["so-a"]), "groups[0]", "không kèm danh sách 'members'"),
        (lambda d: d["agencies"][0].update(succesor_of=["so-b"]), "agencies[0].succesor_of", "gõ nhầm tên"),
        (lambda d: d.update(province="Ninh Thuận", communes={}), "province", "không có tỉnh"),
    ],
)
def test_directory_errors_name_the_place(tmp_path, change, where, message):
    data = _directory()
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(DirectoryError) as info:
        load_directory(path)
    assert where in info.value.path and message in info.value.message
    assert info.value.file == str(path)


def test_broken_json_and_unknown_id_through_a_plan(tmp_path):
    _write(tmp_path / "directories", "{ khong phai json", "hong.json")
    with pytest.raises(PlanError) as info:
        _load(tmp_path, _plan("hong", [_task("1", ["so-tu-phap"])]))
    assert info.value.path == "directory" and "không phải JSON hợp lệ: dòng 1" in str(info.value)
    with pytest.raises(PlanError) as info:
        _load(tmp_path, _plan("khong-co", [_task("1", ["so-tu-phap"])]))
    assert "không có danh mục cơ quan 'khong-co'" in str(info.value) and "khanh-hoa-2025" in str(info.value)


def test_a_plan_naming_an_unknown_agency_of_its_directory_gets_the_closest_names(tmp_path):
    with pytest.raises(PlanError) as info:
        _load(tmp_path, _plan("khanh-hoa-2025", [_task("1", ["kh-so-tu-phapp"])], recipient="kh-so-tu-phap"))
    assert info.value.path == "tasks[0].lead[0]" and "kh-so-tu-phap" in info.value.message


# --- a plan that refers to a directory ----------------------------------------------------------


def test_khanh_hoa_plan_obligations_include_the_communes(tmp_path, cal):
    raw = _plan("khanh-hoa-2025", [_task("1", ["kh-so-tu-phap"], ["kh-ubnd-cac-xa-phuong-dac-khu", "kh-so-tai-chinh"])],
                in_force=("2025-07-01", "2025-12-31"), recipient="kh-so-tu-phap")
    plan = _load(tmp_path, raw)
    assert find(plan, "Sở Tư pháp").id == "kh-so-tu-phap"  # the current agency, not Ninh Thuận's
    assert find(plan, "UBND các xã, phường").id == "kh-ubnd-cac-xa-phuong-dac-khu"
    fy = [o for o in obligations(plan, cal, 2025) if o.period_code == "FY"]
    assert len(fy) == 67
    assert {o.agency_id for o in fy} >= {"ubnd-phuong-nha-trang", "ubnd-dac-khu-truong-sa", "kh-so-tai-chinh"}
    lead = next(o for o in fy if o.agency_id == "kh-so-tu-phap")
    assert [d.role for d in lead.tasks] == [Role.LEAD]
    # The directory's agencies are not "involved in no task" warnings.
    assert not any("không chủ trì hay phối hợp" in w for w in plan.warnings())


def test_plan_entries_add_to_and_override_the_directory(tmp_path, cal):
    raw = _plan(
        "khanh-hoa-2025",
        [_task("1", ["kh-so-tu-phap"], ["kh-cac-co-quan-chuyen-mon-thuoc-ubnd-tinh"])],
        in_force=("2025-07-01", "2025-12-31"), recipient="kh-so-tu-phap",
        agencies=[
            {"id": "kh-so-y-te", "name": "Sở Y tế tỉnh Khánh Hòa", "kind": "co-quan-chuyen-mon", "valid_from": "2025-07-01"},
            {"id": "kh-so-ngoai-vu", "name": "Sở Ngoại vụ", "kind": "co-quan-chuyen-mon", "valid_from": "2025-07-01"},
        ],
    )
    plan = _load(tmp_path, raw)
    assert plan.agency("kh-so-y-te").name == "Sở Y tế tỉnh Khánh Hòa"
    # A new agency of the rule's kind is in the rule group without editing it.
    members = plan.expand("kh-cac-co-quan-chuyen-mon-thuoc-ubnd-tinh")
    assert "kh-so-ngoai-vu" in members and "so-y-te" not in members  # Ninh Thuận's is not
    assert any(o.agency_id == "kh-so-ngoai-vu" for o in obligations(plan, cal, 2025, periods=["FY"]))


def test_the_seed_plan_is_unchanged_by_the_directories(cal):
    plan = load_plan(PLAN_PATH)
    assert plan.directory is None and len(plan.agencies) == 47
    assert len(obligations(plan, cal, 2024)) == 188  # as on main (tests/scheduler/test_deadlines.py has the figures)


# --- validity on the due date, successors -------------------------------------------------------


def _successor_plan(tmp_path: Path, **a_over) -> object:
    agencies = [
        {"id": "so-tu-phap", "name": "Sở Tư pháp"},
        {"id": "so-a", "name": "Sở A", "valid_to": "2025-06-30", **a_over},
        {"id": "so-b", "name": "Sở B", "valid_from": "2025-07-01", "successor_of": ["so-a"]},
        {"id": "so-c", "name": "Sở C"},
    ]
    return _load(tmp_path, _plan(None, [_task("1", ["so-a"], ["so-c", "so-b"]), _task("2", ["so-c"], ["so-a"])],
                                 agencies=agencies))


def test_successor_inherits_the_duties_from_its_start_date(tmp_path, cal):
    plan = _successor_plan(tmp_path)
    got = {(o.period_code, o.agency_id): o.tasks for o in obligations(plan, cal, 2025)}
    assert {p for p, a in got if a == "so-a"} == {"Q1", "H1"}  # due 15/6 ≤ 30/6
    assert {p for p, a in got if a == "so-b"} == {"9M", "FY"}  # due 15/9 ≥ 1/7
    # B coordinated NV1 itself: the lead it inherits outranks that; NV2 comes as A's coordinator role.
    assert got[("9M", "so-b")] == (
        got[("H1", "so-a")][0].__class__("1", Role.LEAD), got[("H1", "so-a")][0].__class__("2", Role.COORDINATOR)
    )
    assert plan.predecessors["so-b"] == ("so-a",)
    assert not any("NV1" in w for w in plan.warnings())


def test_an_agency_reports_when_it_is_valid_on_the_due_date(tmp_path, cal):
    # Q1 2025: cut-off 14/3, due 15/3 (a Saturday) → Monday 17/3.
    ended_at_cutoff = _successor_plan(tmp_path, valid_to="2025-03-14")
    q1 = {o.agency_id for o in obligations(ended_at_cutoff, cal, 2025, periods=["Q1"])}
    assert "so-a" not in q1  # valid on the cut-off, gone by the due date
    started_late = _load(tmp_path, _plan(None, [_task("1", ["so-tu-phap"], ["so-d"])], agencies=[
        {"id": "so-tu-phap", "name": "Sở Tư pháp"},
        {"id": "so-d", "name": "Sở D", "valid_from": "2025-03-17"},
    ]))
    q1 = {o.agency_id for o in obligations(started_late, cal, 2025, periods=["Q1"])}
    assert "so-d" in q1  # not yet there at the cut-off, there on the due date


def test_plan_check_warns_about_leads_reporters_and_successors(tmp_path):
    plan = _load(tmp_path, _plan(None, [_task("1", ["so-a"], ["so-c"])], agencies=[
        {"id": "so-tu-phap", "name": "Sở Tư pháp"},
        {"id": "so-a", "name": "Sở A", "valid_to": "2025-06-30"},
        {"id": "so-c", "name": "Sở C", "valid_to": "2025-09-30"},
    ]))
    warnings = "\n".join(plan.warnings())
    assert "tasks[0] (NV1): không có cơ quan chủ trì hoạt động vào hạn báo cáo kỳ 2025-9M, 2025-FY" in warnings
    assert "kỳ 2025-FY không có cơ quan nào phải báo cáo" in warnings
    assert "kỳ 2025-9M không có cơ quan nào" not in warnings  # Sở C still reports then
    assert "agencies[1] (Sở A): hết hiệu lực từ sau ngày 30/06/2025" in warnings
    assert "không có cơ quan kế thừa" in warnings


def test_plan_check_command_shows_the_directory(tmp_path, capsys):
    from baocao.cli import main

    raw = _plan("khanh-hoa-2025", [_task("1", ["kh-so-tu-phap"], ["kh-ubnd-cac-xa-phuong-dac-khu"])],
                in_force=("2025-07-01", "2025-12-31"), recipient="kh-so-tu-phap")
    path = tmp_path / "kh.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert main(["plan", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "danh mục khanh-hoa-2025" in out
    assert "UBND các xã, phường, đặc khu: 65 cơ quan (theo quy tắc)" in out
    assert "UBND các huyện, thành phố" not in out  # a directory group the plan does not name


# --- plan import against the Khánh Hòa directory -----------------------------------------------

KH_PLAN = """ỦY BAN NHÂN DÂN
TỈNH KHÁNH HÒA
Số: 12/KH-UBND
Khánh Hòa, ngày 10 tháng 8 năm 2025
KẾ HOẠCH
Triển khai công tác hòa giải ở cơ sở năm 2025
I. MỤC ĐÍCH, YÊU CẦU
1. Nâng cao hiệu quả công tác hòa giải ở cơ sở.
II. NHIỆM VỤ
1. Hướng dẫn nghiệp vụ hòa giải ở cơ sở
a) Cơ quan chủ trì: Sở Tư pháp.
b) Cơ quan phối hợp: UBND các xã, phường.
c) Thời gian thực hiện: Năm 2025.
2. Bảo đảm kinh phí cho công tác hòa giải
a) Cơ quan chủ trì: Sở Tài chính.
b) Cơ quan phối hợp: Sở Tư pháp, UBND các xã, phường.
c) Thời gian thực hiện: Năm 2025.
III. TỔ CHỨC THỰC HIỆN
Các cơ quan, đơn vị báo cáo kết quả thực hiện 6 tháng trước ngày 15/6 và năm trước ngày 15/12 về Sở Tư pháp để tổng hợp.
"""


@pytest.mark.parametrize("directory", ["khanh-hoa-2025", str(DIRS / "khanh-hoa-2025.json")])
def test_import_resolves_names_against_the_khanh_hoa_directory(tmp_path, capsys, directory, cal):
    from baocao.cli import main

    source = tmp_path / "hoa-giai.txt"
    source.write_text(KH_PLAN, encoding="utf-8")
    assert main(["plan", "import", str(source), "--directory", directory]) == 0
    draft = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
    assert draft["directory"] == "khanh-hoa-2025" and draft["agencies"] == []
    assert [(t["lead"], t["coordinators"]) for t in draft["tasks"]] == [
        (["kh-so-tu-phap"], ["kh-ubnd-cac-xa-phuong-dac-khu"]),
        (["kh-so-tai-chinh"], ["kh-so-tu-phap", "kh-ubnd-cac-xa-phuong-dac-khu"]),
    ]
    assert draft["reporting"]["recipient"] == "kh-so-tu-phap"
    plan = load_plan(source.with_suffix(".json"))
    assert len([o for o in obligations(plan, cal, 2025) if o.period_code == "FY"]) == 67


def test_import_directory_errors_are_one_line(tmp_path, capsys):
    from baocao.cli import main

    source = tmp_path / "hoa-giai.txt"
    source.write_text(KH_PLAN, encoding="utf-8")
    assert main(["plan", "import", str(source), "--directory", "khong-co-danh-muc"]) == 2
    err = capsys.readouterr().err
    assert "không có danh mục cơ quan 'khong-co-danh-muc'" in err and "Traceback" not in err


# --- into the database ---------------------------------------------------------------------------


def test_sync_a_directory_plan_into_the_agency_table(tmp_path, session):
    from scheduler.sync import sync_agencies
    from storage.models import Agency

    raw = _plan("khanh-hoa-2025", [_task("1", ["kh-so-tu-phap"], ["kh-ubnd-cac-xa-phuong-dac-khu"])],
                in_force=("2025-07-01", "2025-12-31"), recipient="kh-so-tu-phap")
    plan = _load(tmp_path, raw)
    now = datetime(2025, 8, 1, 1, 30, tzinfo=UTC)
    first = sync_agencies(session, plan, now=now)
    session.commit()
    assert len(first.inserted) == len(plan.agencies) == 141
    rows = {a.id: a for a in session.exec(select(Agency)).all()}
    assert rows["ubnd-phuong-nha-trang"].name == "UBND phường Nha Trang"
    assert rows["ubnd-phuong-nha-trang"].valid_from == date(2025, 7, 1)
    assert rows["kh-lien-doan-lao-dong-tinh"].parent_id == "kh-uy-ban-mat-tran-to-quoc-viet-nam-tinh"
    assert rows["so-ke-hoach-va-dau-tu"].valid_to == date(2025, 2, 28)
    again = sync_agencies(session, plan, now=now)
    session.commit()
    assert again.inserted == [] and again.updated == []


# --- the successor reads its predecessor's history ---------------------------------------------


def test_successor_status_shows_the_predecessor_reports_of_its_earlier_periods(tmp_path, session, cal):
    from reports import status as st
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.models import Obligation, ReportSource
    from storage.queries import add_report

    plan = _successor_plan(tmp_path)
    synced = datetime(2025, 1, 5, 1, 0, tzinfo=UTC)
    sync_agencies(session, plan, now=synced)
    sync_obligations(session, plan, obligations(plan, cal, 2025), years=[2025], now=synced)
    session.commit()
    h1 = session.exec(select(Obligation).where(Obligation.agency_id == "so-a", Obligation.period == "2025-H1")).one()
    add_report(session, h1.id, [{"task_no": "1", "status": "in_progress", "percent": 60, "text": "NV1: 60%"}],
               source=ReportSource.CLI, submitted_at=datetime(2025, 6, 10, 2, 0, tzinfo=UTC))
    session.commit()
    now = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)
    inherited = st.agency_detail(session, plan, "so-b", "2025-H1", now)
    assert inherited.agency_id == "so-a" and [e.task for e in inherited.entries] == ["1"]
    own = st.agency_detail(session, plan, "so-b", "2025-9M", now)
    assert own.agency_id == "so-b" and own.missing_tasks == ("1", "2")
    with pytest.raises(st.NotFound):
        st.agency_detail(session, plan, "so-a", "2025-9M", now)  # a predecessor does not read forward


def test_directories_that_include_each_other_are_refused(tmp_path):
    folder = tmp_path / "directories"
    _write(folder, _directory(id="mot", includes=["hai"]), "mot.json")
    _write(folder, _directory(id="hai", includes=["mot"], agencies=[{"id": "so-x", "name": "Sở X"}], groups=[]), "hai.json")
    with pytest.raises(DirectoryError) as info:
        load_directory(folder / "mot.json")
    assert "bao gồm lại chính nó" in info.value.message


def test_a_plan_without_directory_may_use_a_rule_group(tmp_path, cal):
    plan = _load(tmp_path, _plan(None, [_task("1", ["so-tu-phap"], ["cac-so"])], agencies=[
        {"id": "so-tu-phap", "name": "Sở Tư pháp", "kind": "co-quan-chuyen-mon"},
        {"id": "so-moi", "name": "Sở Mới", "kind": "co-quan-chuyen-mon"},
        {"id": "ubnd-xa-a", "name": "UBND xã A", "kind": "ubnd-cap-xa"},
    ], groups=[{"id": "cac-so", "name": "Các sở", "rule": "kind", "kinds": ["co-quan-chuyen-mon"]}]))
    assert plan.expand("cac-so") == ["so-tu-phap", "so-moi"]


def test_a_ninh_thuan_2025_plan_passes_to_khanh_hoa_along_the_mergers(tmp_path, cal):
    plan = _load(tmp_path, _plan("khanh-hoa-2025", [
        _task("1", ["so-ke-hoach-va-dau-tu"], ["ubnd-cac-huyen-thanh-pho"]),
        _task("2", ["so-nong-nghiep-va-phat-trien-nong-thon"]),
    ], recipient="so-tu-phap"))
    leads = {(o.period_code, d.no): o.agency_id for o in obligations(plan, cal, 2025) for d in o.tasks if d.role is Role.LEAD}
    # KH&ĐT ended 28/2/2025: Sở Tài chính Ninh Thuận took it over, then Khánh Hòa's from 1/7/2025.
    assert [leads[(p, "1")] for p in ("Q1", "H1", "9M", "FY")] == ["so-tai-chinh", "so-tai-chinh", "kh-so-tai-chinh", "kh-so-tai-chinh"]
    assert [leads[(p, "2")] for p in ("Q1", "H1", "9M", "FY")] == [
        "nt-so-nong-nghiep-va-moi-truong", "nt-so-nong-nghiep-va-moi-truong",
        "kh-so-nong-nghiep-va-moi-truong", "kh-so-nong-nghiep-va-moi-truong"]
    reporters = {o.agency_id for o in obligations(plan, cal, 2025, periods=["9M"])}
    assert not reporters & set(plan.expand("ubnd-cac-huyen-thanh-pho"))  # districts gone, no successor
    warnings = "\n".join(plan.warnings())
    assert "(UBND huyện Ninh Hải): hết hiệu lực từ sau ngày 30/06/2025" in warnings
    assert "ninh-thuan-2024.json" in warnings  # the warning names where the agency is defined
