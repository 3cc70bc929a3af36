"""The command line as an admin uses it: plan check and deadlines."""

from __future__ import annotations

import copy
import json

import pytest

from baocao.cli import main
from common.paths import BUNDLED_DATA_DIR

PLAN_PATH = BUNDLED_DATA_DIR / "plan.json"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    # Run from an empty directory so that no local .env or data/ changes the result.
    monkeypatch.chdir(tmp_path)
    for name in ("BAOCAO_PLAN_PATH", "BAOCAO_CALENDAR_PATH", "BAOCAO_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_check_summary(capsys):
    code, out, err = run(capsys, "plan", "check", str(PLAN_PATH))
    assert code == 0, err
    assert "124-KH/BCSĐ" in out
    assert "Nhiệm vụ: 11" in out
    assert "Cơ quan trong danh mục: 47; nhóm: 5" in out
    assert "Q1 (quý I), H1 (06 tháng), 9M (09 tháng), FY (năm): 47 cơ quan" in out
    assert "NV6" in out  # the warning about the task without a time frame


def test_plan_check_uses_configured_path(capsys, monkeypatch):
    monkeypatch.setenv("BAOCAO_PLAN_PATH", str(PLAN_PATH))
    code, out, _ = run(capsys, "plan", "check")
    assert code == 0 and "hợp lệ" in out


def _bad_plan(tmp_path, mutate) -> str:
    data = json.loads(PLAN_PATH.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _set(path, value):
    def mutate(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


BAD_PLANS = {
    "unknown agency": (_set(["tasks", 3, "lead"], ["cong-an"]), "tasks[3].lead[0]", "Công an tỉnh"),
    "duplicate id": (lambda d: d["agencies"].append(copy.deepcopy(d["agencies"][2])), "agencies[47].id", "trùng"),
    "impossible date": (_set(["plan", "date"], "2024-02-30"), "plan.date", "không tồn tại"),
    "unknown period": (_set(["reporting", "periods", 1, "code"], "6T"), "reporting.periods[1].code", "6T"),
    "empty task list": (_set(["tasks"], []), "tasks", "trống"),
    "group contains itself": (
        lambda d: d["groups"][2]["members"].append(d["groups"][2]["id"]),
        "groups[2].members[7]",
        "chứa chính nó",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PLANS))
def test_bad_plan_gets_one_clear_line_and_exit_2(capsys, tmp_path, case):
    mutate, path, words = BAD_PLANS[case]
    code, out, err = run(capsys, "plan", "check", _bad_plan(tmp_path, mutate))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert path in err and words in err


def test_broken_json(capsys, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"plan": ', encoding="utf-8")
    code, _, err = run(capsys, "plan", "check", str(path))
    assert code == 2 and "JSON" in err and "dòng 1" in err and "Traceback" not in err


def test_missing_plan_file(capsys, tmp_path):
    code, _, err = run(capsys, "plan", "check", str(tmp_path / "nope.json"))
    assert code == 2 and "không tìm thấy" in err


def test_deadlines_json_2024(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 47 * 4
    dues = sorted({r["due"] for r in rows})
    assert dues == ["2024-03-15", "2024-06-17", "2024-09-16", "2024-12-16"]
    police_q1 = next(r for r in rows if r["agency_id"] == "cong-an-tinh" and r["period"] == "2024-Q1")
    assert police_q1["agency"] == "Công an tỉnh"
    assert police_q1["cutoff"] == "2024-03-14"
    assert police_q1["consolidation_due"] == "2024-03-22"
    assert {"no": "4", "role": "lead"} in police_q1["tasks"]
    assert "reminders" not in police_q1


def test_deadlines_agency_by_alias_with_reminders(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--agency", "CA tinh", "--period", "Q1", "--reminders", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["agency_id"] == "cong-an-tinh"
    assert [r["at"] for r in row["reminders"]] == [
        "2024-03-06T08:30:00+07:00",
        "2024-03-12T08:30:00+07:00",
        "2024-03-14T08:30:00+07:00",
        "2024-03-15T08:30:00+07:00",
        "2024-03-18T08:30:00+07:00",
        "2024-03-20T08:30:00+07:00",
    ]


def test_deadlines_agency_by_full_name_and_group(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--agency", "Sở Tư pháp", "--json")
    assert code == 0 and {r["agency_id"] for r in json.loads(out)} == {"so-tu-phap"}
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--agency", "UBND các huyện, thành phố", "--period", "FY", "--json")
    assert code == 0 and len(json.loads(out)) == 7


def test_deadlines_text_table(capsys):
    code, out, _ = run(capsys, "deadlines", "--year", "2024", "--period", "H1")
    assert code == 0
    assert "Hạn gửi báo cáo: Thứ Hai, ngày 17 tháng 6 năm 2024" in out
    assert "Thứ Bảy" in out  # why it moved
    assert "Hạn Sở Tư pháp tổng hợp: Thứ Hai, ngày 24 tháng 6 năm 2024" in out
    assert "Công an tỉnh" in out and "chủ trì NV 4" in out


def test_unknown_agency_suggests(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--agency", "Cong an tin")
    assert code == 2 and out == ""
    assert "Công an tỉnh (cong-an-tinh)" in err


def test_default_year_comes_from_now(capsys):
    code, out, _ = run(capsys, "--now", "2024-05-01T09:00", "deadlines", "--json", "--agency", "so-tu-phap")
    assert code == 0 and {r["period"][:4] for r in json.loads(out)} == {"2024"}


def test_plan_past_its_end_says_so(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2026")
    assert code == 0
    assert "chỉ có hiệu lực" in out and "năm 2026 không có kỳ báo cáo" in out
    code, out, err = run(capsys, "deadlines", "--year", "2026", "--json")
    assert code == 0 and json.loads(out) == [] and "chỉ có hiệu lực" in err


def test_bad_now_is_a_clear_error(capsys):
    code, _, err = run(capsys, "--now", "hôm qua", "deadlines")
    assert code == 2 and "hôm qua" in err
    assert "Traceback" not in err


def test_broken_calendar_override_file(capsys, monkeypatch, tmp_path):
    path = tmp_path / "cal.json"
    path.write_text("{", encoding="utf-8")
    monkeypatch.setenv("BAOCAO_CALENDAR_PATH", str(path))
    code, _, err = run(capsys, "deadlines", "--year", "2024")
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_setting_is_one_clear_line(capsys, monkeypatch):
    monkeypatch.setenv("BAOCAO_OFFICE_HOURS", "17:00-08:00")
    code, out, err = run(capsys, "deadlines", "--year", "2024")
    assert code == 2 and out == ""
    assert "office_hours" in err and "giờ bắt đầu phải trước giờ kết thúc" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


# --- one vocabulary: the common options go before or after the command -------------------


def _namespace(*argv: str) -> dict:
    from baocao.cli import build_parser

    return vars(build_parser().parse_args(list(argv)))


NOW = "2024-03-06T08:30"


@pytest.mark.parametrize(
    "command",
    [("tick",), ("tick", "--json"), ("parse", "NV4", "xong"), ("plan", "check"), ("db", "current"), ("calendar", "--year", "2024")],
    ids=lambda c: " ".join(c),
)
def test_common_options_before_or_after_the_command(command):
    before = _namespace("--now", NOW, "--debug", *command)
    assert before["now"] == NOW and before["debug"] is True
    assert _namespace(*command, "--now", NOW, "--debug") == before
    assert _namespace(*command[:1], "--now", NOW, *command[1:], "--debug") == before
    # Not given at all: the defaults, not missing attributes.
    plain = _namespace(*command)
    assert plain["now"] is None and plain["debug"] is False


def test_now_after_a_sub_sub_command():
    assert _namespace("plan", "check", "--now", NOW)["now"] == NOW
    assert _namespace("plan", "--now", NOW, "check")["now"] == NOW


def test_now_after_the_command_is_used(capsys):
    args = ("deadlines", "--json", "--agency", "so-tu-phap")
    code, after, err = run(capsys, *args, "--now", "2024-05-01T09:00")
    assert code == 0, err
    assert {r["period"][:4] for r in json.loads(after)} == {"2024"}
    code, before, _ = run(capsys, "--now", "2024-05-01T09:00", *args)
    assert code == 0 and before == after
    code, _, err = run(capsys, *args, "--now", "hôm qua")
    assert code == 2 and "hôm qua" in err and len(err.strip().splitlines()) == 1


# --- one vocabulary: --period ------------------------------------------------------------


PERIOD_WORDS = {
    "Q1": ["Q1", "q1", "2024-Q1", "quý I", "quy 1", "Quý 1", "quý I năm 2024"],
    "H1": ["H1", "2024-H1", "6 tháng", "06 tháng", "06 tháng đầu năm", "6 thang dau nam"],
    "9M": ["9M", "9 tháng", "09 tháng đầu năm"],
    "FY": ["FY", "cả năm", "năm", "năm 2024"],
}


@pytest.mark.parametrize(
    ("code", "words"), [(code, words) for code, all_words in PERIOD_WORDS.items() for words in all_words]
)
def test_deadlines_period_in_any_form(capsys, code, words):
    rc, out, err = run(capsys, "--now", "2024-05-01T09:00", "deadlines", "--period", words, "--json")
    assert rc == 0, err
    rows = json.loads(out)
    assert len(rows) == 47 and {r["period"] for r in rows} == {f"2024-{code}"}


def test_period_of_several_words_needs_no_quotes(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--period", "06", "tháng", "đầu", "năm", "--json")
    assert code == 0, err
    assert {r["period"] for r in json.loads(out)} == {"2024-H1"}


def test_deadlines_refuses_a_period_the_plan_does_not_have(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--period", "quý II")
    assert code == 2 and out == ""
    assert err == (
        "baocao: kế hoạch không có kỳ báo cáo Q2 (quý II); "
        "các kỳ: Q1 (quý I), H1 (06 tháng), 9M (09 tháng), FY (năm)\n"
    )


def test_deadlines_refuses_words_that_name_no_period(capsys):
    code, out, err = run(capsys, "deadlines", "--year", "2024", "--period", "quý 5")
    assert code == 2 and out == ""
    assert err.startswith("baocao: kỳ báo cáo 'quý 5' không hợp lệ;") and len(err.strip().splitlines()) == 1
    assert "Q1 (quý I), H1 (06 tháng), 9M (09 tháng), FY (năm)" in err  # the plan's periods


def test_deadlines_period_year_and_year_must_agree(capsys):
    # The year of --period is the year, whatever today is...
    code, out, err = run(capsys, "--now", "2025-05-01T09:00", "deadlines", "--period", "2024-Q1", "--json")
    assert code == 0, err
    assert {r["period"] for r in json.loads(out)} == {"2024-Q1"}
    # ...and --year may repeat it...
    code, same, err = run(capsys, "deadlines", "--period", "2024-Q1", "--year", "2024", "--json")
    assert code == 0 and same == out, err
    # ...but not contradict it.
    code, out, err = run(capsys, "deadlines", "--period", "2024-Q1", "--year", "2025")
    assert code == 2 and out == ""
    assert err == (
        "baocao: kỳ báo cáo '2024-Q1' thuộc năm 2024, không khớp với --year 2025; "
        "hãy bỏ một trong hai hoặc sửa cho khớp\n"
    )


def test_deadlines_period_of_a_year_out_of_force_says_so(capsys):
    code, out, _ = run(capsys, "deadlines", "--period", "quý I năm 2026")
    assert code == 0 and "năm 2026 không có kỳ báo cáo nào" in out


def test_period_examples_in_the_help_are_all_understood():
    from baocao.commands._common import PERIOD_EXAMPLES
    from common.periods import parse_words

    assert all(parse_words(words) is not None for words in PERIOD_EXAMPLES.split(", "))


@pytest.fixture
def database(monkeypatch, sqlite_url):
    monkeypatch.setenv("BAOCAO_DATABASE_URL", sqlite_url)
    return sqlite_url


def test_status_and_report_take_the_same_words(capsysbinary, database):
    def run_bytes(*argv):
        code = main(list(argv))
        out, err = capsysbinary.readouterr()
        return code, out.decode("utf-8"), err.decode("utf-8")

    code, out, err = run_bytes("--now", "2024-03-20T09:00", "status", "--period", "quy 1", "--json")
    assert code == 0, err
    assert json.loads(out)["period"] == "2024-Q1"
    code, out, err = run_bytes("status", "--now", "2024-03-20T09:00", "--period", "2024-Q1", "--json")
    assert code == 0 and json.loads(out)["period"] == "2024-Q1", err

    code, out, err = run_bytes("report", "--now", "2024-07-01T09:00", "--period", "06 tháng đầu năm", "-o", "-")
    assert code == 0, err
    assert out.startswith("# Báo cáo kết quả thực hiện Kế hoạch số 124-KH/BCSĐ — 06 tháng đầu năm 2024")


@pytest.mark.parametrize("command", ["status", "report"])
def test_status_and_report_refuse_a_period_the_plan_does_not_have(capsys, tmp_path, database, command):
    code, out, err = run(capsys, "--now", "2024-03-20T09:00", command, "--period", "quý III")
    assert code == 2 and out == ""
    assert err.startswith("baocao: kế hoạch không có kỳ báo cáo Q3 (quý III); các kỳ: Q1 (quý I), H1 (06 tháng)")
    assert not (tmp_path / "baocao.sqlite3").exists()  # refused before the database is opened


# --- argparse in Vietnamese --------------------------------------------------------------


USAGE_ERRORS = {
    (): "baocao: thiếu tham số bắt buộc: LỆNH (xem: baocao --help)",
    ("stauts",): "baocao: không có lệnh 'stauts'. Có phải: status? Các lệnh: plan, calendar, deadlines, parse, "
    "status, report, evidence, invite, contacts, run, tick, demo, sandbox, db (xem: baocao --help)",
    ("plan",): "baocao: thiếu tham số bắt buộc: LỆNH (xem: baocao plan --help)",
    ("plan", "chek"): "baocao: không có lệnh 'chek'. Có phải: check? Các lệnh: list, check, import (xem: baocao plan --help)",
    ("parse",): "baocao: thiếu tham số bắt buộc: NỘI_DUNG (xem: baocao parse --help)",
    ("deadlines", "--foo"): "baocao: không nhận ra tham số: --foo (xem: baocao deadlines --help)",
    ("--foo", "deadlines"): "baocao: không nhận ra tham số: --foo (xem: baocao --help)",
    ("plan", "check", "a.json", "b.json"): "baocao: không nhận ra tham số: b.json (xem: baocao plan check --help)",
    ("tick", "--now"): "baocao: tham số --now: thiếu giá trị đi kèm (xem: baocao tick --help)",
    ("deadlines", "--period"): "baocao: tham số --period: thiếu giá trị đi kèm (xem: baocao deadlines --help)",
    ("deadlines", "--year", "abc"): "baocao: tham số --year: 'abc' không phải số nguyên (xem: baocao deadlines --help)",
    ("demo", "--timeout", "lâu"): "baocao: tham số --timeout: 'lâu' không phải số (xem: baocao demo --help)",
    ("report", "--format", "pdf"): "baocao: tham số --format: giá trị 'pdf' không hợp lệ; "
    "chọn một trong: docx, xlsx, png, md (xem: baocao report --help)",
    ("contacts", "--rev", "3"): "baocao: tùy chọn --rev chưa rõ, có thể là: --revoke, --revoke-invitation "
    "(xem: baocao contacts --help)",
    ("deadlines", "--json=yes"): "baocao: tham số --json: không nhận giá trị 'yes' (xem: baocao deadlines --help)",
    ("calendar", "--year", "x"): "baocao: tham số --year: năm phải là số nguyên, ví dụ 2024 (nhận được 'x') "
    "(xem: baocao calendar --help)",
}


@pytest.mark.parametrize("argv", list(USAGE_ERRORS), ids=lambda argv: " ".join(argv) or "(nothing)")
def test_usage_errors_are_one_vietnamese_line(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err == USAGE_ERRORS[argv] + "\n"


ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:", "argument", "required", "invalid")


def _every_parser():
    from baocao.cli import build_parser

    todo = [build_parser()]
    while todo:
        parser = todo.pop()
        yield parser
        for action in parser._actions:
            if action.choices and isinstance(action.choices, dict):
                todo.extend(action.choices.values())


def test_help_is_vietnamese(capsys):
    code, out, err = run(capsys, "--help")
    assert code == 0 and err == ""
    assert out.startswith("Cách dùng: baocao [-h] [--now ISO] [--debug] LỆNH ...")
    for words in ("tùy chọn:", "-h, --help  in hướng dẫn này rồi thoát", "tùy chọn chung (đặt trước hoặc sau tên lệnh):", "các lệnh:"):
        assert words in out
    code, out, _ = run(capsys, "parse", "--help")
    assert code == 0 and out.startswith("Cách dùng: baocao parse [-h] [--now ISO] [--debug] [--json]")
    assert "tham số:\n  NỘI_DUNG" in out and "70%, vướng kinh phí" in out
    # A period is one value, which may be typed as several words.
    code, out, _ = run(capsys, "status", "--help")
    assert code == 0 and "[--period KỲ] [--json]" in out and "KỲ [KỲ ...]" not in out


def test_no_english_in_any_help():
    parsers = list(_every_parser())
    assert len(parsers) > 15  # baocao, its commands, plan check, db upgrade/current
    for parser in parsers:
        text = parser.format_help().lower()
        assert not [word for word in ENGLISH if word in text], parser.prog


def test_translate_known_patterns():
    from baocao.cli import translate

    assert translate("argument --x: expected 2 arguments") == "tham số --x: cần 2 giá trị đi kèm"
    assert translate("argument --x: expected at most one argument") == "tham số --x: chỉ nhận tối đa một giá trị"
    assert translate("argument --a: not allowed with argument --b") == "tham số --a: không dùng được cùng với --b"
    assert translate("one of the arguments --a --b is required") == "cần một trong các tham số: --a --b"
    # Python ≥ 3.12.8 lists the choices without quotes.
    assert translate("argument --f: invalid choice: 'pdf' (choose from docx, md)") == (
        "tham số --f: giá trị 'pdf' không hợp lệ; chọn một trong: docx, md"
    )
    assert translate("argument --p: invalid Path value: 'x'") == "tham số --p: giá trị 'x' không hợp lệ"
    assert translate("something argparse may say one day") == "something argparse may say one day"
