"""The learned second opinion (bot/classifier.py): read as scikit-learn reads, trained on the
corpus as committed, kept from the blind sets, and used by the parser only where it may be."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import classifier, intents
from bot.parser import parse_reply
from common.text import fold

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import train_classifier  # noqa: E402


@pytest.fixture
def no_model(monkeypatch, tmp_path):
    """The model file damaged: the bot must read with its rules alone."""
    broken = tmp_path / "parser-model.json"
    broken.write_text('{"kind": {"classes": ["not_report"', encoding="utf-8")
    monkeypatch.setattr(classifier, "data_file", lambda name: broken)
    classifier.models.cache_clear()
    yield
    classifier.models.cache_clear()


def test_weights_read_without_scikit_learn_give_its_probabilities():
    pytest.importorskip("sklearn")
    texts = ["nv4 dang thuc hien 70%", "nv4 xong", "nv5 hoan thanh", "nv6 dang lam", "nv7 chua trien khai",
             "nv8 khong phat sinh", "nv9 xong roi", "nv10 dang lam tiep", "nv11 chua lam", "nv2 khong phat sinh"]
    labels = ["in_progress", "done", "done", "in_progress", "not_started",
              "not_arisen", "done", "in_progress", "not_started", "not_arisen"]
    binary = ["True" if "dang" in t else "False" for t in texts]
    for y in (labels, binary):
        vec, model = train_classifier._fit(texts, y)
        ours = classifier.LinearModel.from_dict(train_classifier._export(vec, model))
        probe = texts + ["nv4 xong xong xong", "nội dung khác hẳn", "", "nv4 dang lam xong"]
        expected = model.predict_proba(vec.transform(probe))
        for text, row in zip(probe, expected):
            got = ours.proba(text)
            assert [round(got[str(c)], 4) for c in model.classes_] == [round(float(p), 4) for p in row], text


def test_the_committed_model_is_what_the_corpus_trains():
    """A label changed in the corpus without retraining fails here: run
    ``python tools/train_classifier.py``."""
    pytest.importorskip("sklearn")
    assert train_classifier.main(["--check"]) == 0


def test_the_blind_sets_are_not_trained_on():
    reports, replies = train_classifier._rows()
    assert reports and not any(r.get("set") in train_classifier.BLIND for r in reports)
    blind = [line for path in (ROOT / "tests" / "bot").glob("parser_corpus_reports*.jsonl")
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
             and json.loads(line).get("set") in train_classifier.BLIND]
    assert blind, "the blind sets are in the corpus, to be scored"
    kind_texts, _ = train_classifier.training_data()["kind"]
    assert len(kind_texts) == len(reports) + sum(1 for r in replies if r.get("expected"))
    assert classifier.models().trained_on["left_out"] == sorted(train_classifier.BLIND)


@pytest.mark.parametrize(
    "text, statuses",
    [
        # nothing the rules know, the corpus' way of saying it
        ("nv5 nv8 k co", {"5": "not_arisen", "8": "not_arisen"}),
        ("NV9 thu dc 45tr tien an phi", {"9": "in_progress"}),
    ],
)
def test_the_model_reads_what_the_rules_do_not(text, statuses):
    entries = parse_reply(text)
    assert {e.task: e.status for e in entries} == statuses
    assert all(e.learned == ("status",) for e in entries)
    assert all(e.by_rules().status != e.status and not e.by_rules().learned for e in entries)


@pytest.mark.parametrize(
    "text, task, status, difficulty",
    [
        # short replies are the rules': a bag of words sees "hoàn thành" more than "chưa"
        ("NV4 chưa hoàn thành", "4", "in_progress", False),
        ("NV4 sẽ xong vào tháng 6", "4", "in_progress", False),
        # the rules' status stands when the model too finds it likely (classifier.DOUBT)
        ("Nhiệm vụ 7: đã mở 01 lớp cho 40 học viên; lớp thứ hai chưa triển khai do chưa có kinh phí.", "7",
         "in_progress", True),
        # the agency says the task is not its own: no status
        ("NV 10: không thuộc trách nhiệm của đơn vị", "10", None, False),
        ("nv4 co kk phat sinh", "4", "in_progress", True),
        # a part that only denies an obstacle is work going on without one (the rules' reading)
        ("NV5: vướng mắc: không", "5", "in_progress", False),
        ("nv2 k co kk", "2", "in_progress", False),
        # an extension request is its own kind, not work under way
        ("NV4: đề nghị gia hạn đến 30/3", "4", None, False),
        ("Sở Tư pháp cho hỏi NV4 là báo cáo nội dung gì ạ?", "4", None, False),
    ],
)
def test_where_the_rules_are_exact_the_model_does_not_overrule_them(text, task, status, difficulty):
    (entry,) = parse_reply(text)
    assert (entry.task, entry.status, entry.difficulty, entry.learned) == (task, status, difficulty, ())


def test_a_message_the_rules_took_for_a_report_is_answered_as_none():
    text = "Dạ số liệu quý III bên em còn chờ các phòng gửi lên, đầu tuần sau em tổng hợp rồi gửi Sở ạ."
    entries = parse_reply(text)
    assert intents._by_rules(text, entries) is None  # the rules alone would draft a report
    assert intents.classify(text, entries) == "not_report"


def test_a_count_keeps_a_report_whatever_the_model_thinks_of_the_rest():
    text = "Cho em hỏi NV4 có phải báo cáo không? Bên em đã tổ chức 3 hội nghị."
    assert classifier.models().kind.best(fold(text))[0] == "not_report"
    assert intents.classify(text, parse_reply(text)) is None


def test_a_question_stays_a_question_when_the_model_gives_its_task_a_status():
    text = "anh oi nv4 lay so lieu den ngay nao vay anh"
    entries = parse_reply(text)
    assert intents.classify(text, entries) == "question"


def test_without_its_model_file_the_parser_reads_with_its_rules(no_model, caplog):
    assert classifier.models() is None
    assert "the rules read alone" in caplog.text and "parser-model.json" in caplog.text
    entries = parse_reply("nv5 nv8 k co")
    assert [(e.task, e.status, e.learned) for e in entries] == [("5", None, ()), ("8", None, ())]
    text = "Dạ số liệu quý III bên em còn chờ các phòng gửi lên, đầu tuần sau em tổng hợp rồi gửi Sở ạ."
    assert intents.classify(text, parse_reply(text)) is None



WORDS = st.sampled_from(["NV4 ", "nv10 ", "đang thực hiện ", "hoàn thành ", "chưa ", "xong ", "k co ", "kk ",
                         "vướng kinh phí ", "70% ", "đề nghị gia hạn ", "không thuộc trách nhiệm ", "? ", "\n"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(WORDS, st.text(max_size=5)), max_size=40).map("".join))
def test_any_text_gets_a_second_opinion_without_an_error(text):
    # The second opinion called directly, so parse_reply's catch-all cannot hide a bug in it.
    from bot.parser import DEFAULT_TASKS, _read, _second_opinion

    for entry in _read(text, DEFAULT_TASKS, None, None):
        seen = _second_opinion(entry)
        assert seen.status in (None, "done", "in_progress", "not_started", "not_arisen")
        assert seen.by_rules() == entry
        assert set(seen.learned) <= {"status", "difficulty"}
    assert intents.classify(text, parse_reply(text)) in (None, "greeting", "thanks", "later", "deadline", "question",
                                                         "contact", "elsewhere", "not_report")


# --- the task head: which of the tasks the rules would ask about a part is ---------------------

THADS_TASKS = ["1", "1a", "1b", "2", "3", "4", "5", "6", "10"]  # Cục THADS's tasks, points included
SURE = "Về phối hợp vận động thi hành án: đã vận động 07 đương sự tự nguyện thi hành án."


def _as_thads(text):
    from tests.bot.readings import seed_index

    index, refs = seed_index()
    return parse_reply(text, refs, index=index, assigned=THADS_TASKS)


def test_a_part_the_rules_would_ask_about_is_the_task_the_model_is_sure_of():
    (entry,) = _as_thads(SURE)
    assert (entry.task, entry.how, entry.candidates, entry.learned) == ("10", "learned", (), ("task",))
    ruled = entry.by_rules()
    assert ruled.task is None and set(ruled.candidates) == {"4", "10"}  # the rules alone ask


def test_without_its_model_file_the_bot_asks_as_before(no_model):
    (entry,) = _as_thads(SURE)
    assert entry.task is None and set(entry.candidates) == {"4", "10"}


def test_a_part_joining_two_tasks_subjects_is_asked_whatever_the_model_leans_to():
    from tests.bot.readings import seed_index

    index, refs = seed_index()
    text = "Về kiện toàn tổ chức, bộ máy và bồi dưỡng cán bộ các cơ quan tư pháp: đã thực hiện, hoàn thành."
    (entry,) = parse_reply(text, refs, index=index, assigned=["3", "7"])
    assert entry.task is None and set(entry.candidates) == {"3", "7"} and entry.how == "joined"


def test_the_heads_read_from_one_table_give_scikit_learns_probabilities():
    pytest.importorskip("sklearn")
    texts = ["nv4 dang thuc hien 70%", "ve thi hanh an xong 12 viec", "tuyen truyen 5 buoi", "nv6 dang lam",
             "chua trien khai tuyen truyen", "khong phat sinh thi hanh an", "giam dinh xong 3 vu", "nv10 dang lam tiep"]
    ys = {"status": ["in_progress", "done", "done", "in_progress", "not_started", "not_arisen", "done", "in_progress"],
          "difficulty": ["True", "False", "False", "True", "False", "False", "True", "False"],
          "task": ["4", "10", "1", "6", "1", "10", "4", "10"]}
    vec = train_classifier._vectorizer().fit(texts)
    fitted = {name: train_classifier._fit(texts, y, vec)[1] for name, y in ys.items()}
    models = classifier.Models.from_dict({"kind": train_classifier._export(*train_classifier._fit(texts, ys["status"])),
                                        "part": train_classifier._export_heads(vec, fitted)})
    probe = texts + ["thi hanh an tuyen truyen", "nội dung khác hẳn", ""]
    for name, model in fitted.items():
        expected = model.predict_proba(vec.transform(probe))
        for text, row in zip(probe, expected):
            got = models.part_probabilities(classifier.term_counts(fold(text)), table=models.heads[name][0])[name]
            alone = models.head(name).proba(fold(text))
            want = [round(float(p), 3) for p in row]
            assert [round(got[str(c)], 3) for c in model.classes_] == want, (name, text)
            assert [round(alone[str(c)], 3) for c in model.classes_] == want, (name, text)


def test_a_part_table_that_does_not_fit_its_heads_is_a_damaged_file(monkeypatch, tmp_path, caplog):
    data = json.loads((ROOT / "data" / "parser-model.json").read_text(encoding="utf-8"))
    term = next(iter(data["part"]["terms"]))
    data["part"]["terms"][term] = data["part"]["terms"][term][:-1]  # one weight short
    path = tmp_path / "parser-model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(classifier, "data_file", lambda name: path)
    classifier.models.cache_clear()
    try:
        assert classifier.models() is None and "the rules read alone" in caplog.text
        (entry,) = _as_thads(SURE)
        assert entry.task is None  # asked, as the rules read it
    finally:
        classifier.models.cache_clear()
