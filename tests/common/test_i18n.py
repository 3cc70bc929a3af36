"""Languages: the English catalog is complete and current, translations reach the user through
the conversation core and the reminders, and a missing catalog falls back to Vietnamese, never
to English.

The catalog checks read ``common/locale/en/LC_MESSAGES/baocao.po`` and run Babel's extractor
in-process with the keywords and the method map (``babel.cfg``) documented in
``common/locale/README.md``, so a message added to the code without a translation fails here.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.util import pathmatch
from sqlmodel import select

from common import i18n
from common.clock import FixedClock
from common.message import Message, Span, Text, italic
from storage.db import session_scope
from storage.models import Contact, Outbox
from tests.bot.chat import Chat, make_channel, text_of

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "common" / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "baocao.po"
POT = LOCALE / "baocao.pot"
# The keywords of `pybabel extract -k t -k s -k n:1,2 -k N_` (added to Babel's defaults):
# t(…) and turn.t(…), t.s(…) through `s`, t.n(…) through `n`, N_(…) for constants.
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "s": None, "n": (1, 2), "N_": None}
PACKAGES = ("baocao", "bot", "common", "reports", "scheduler", "storage")

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# The markup of a template (common.i18n.format_template): only these four tags. Anything else
# that looks like a tag ("/moi <cơ quan>") is literal text and may be translated ("<agency>").
TAG = re.compile(r"</?[bi]>")
# Templates are not HTML: an entity would be shown as it is written.
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+);")
# A module translates when it imports common.i18n or calls one of the keywords
# (t(…), turn.t(…), t.s(…), t.n(…), N_(…)).
TRANSLATES = re.compile(
    r"^\s*from common(?:\.i18n| import i18n)\b|^\s*import common\.i18n\b|(?<!\w)t(?:\.[sn])?\(|\bN_\(",
    re.M,
)

ICT = timezone(timedelta(hours=7))
FOCAL_EN, FOCAL_VI, COORD, STRANGER = "100", "101", "200", "999"


@pytest.fixture(autouse=True)
def _fresh_translations():
    """Each test sees the catalog as it is on disk now (and leaves no cached fake behind)."""
    i18n.translations.cache_clear()
    yield
    i18n.translations.cache_clear()


# --- the catalog ---------------------------------------------------------------------------------


def read_catalog(path: Path):
    with path.open("rb") as fp:
        return read_po(fp, locale="en" if path.suffix == ".po" else None, domain=i18n.DOMAIN)


def messages(catalog) -> dict:
    return {m.id: m for m in catalog if m.id}


def _forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_catalog_is_complete_and_keeps_placeholders_and_tags():
    catalog = read_catalog(PO)
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    entries = messages(catalog)
    assert len(entries) > 150
    problems: list[str] = []
    for msgid, message in entries.items():
        sources = _forms(msgid)
        translations = _forms(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {sources[0]!r}")
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {sources[0]!r}")
            continue
        want_placeholders = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        want_tags = Counter(TAG.findall(sources[0]))
        for text in (*sources, *translations):
            if ENTITY.search(text):
                problems.append(f"HTML entity in a template (write the character): {text!r}")
        for text in translations:
            if set(PLACEHOLDER.findall(text)) != want_placeholders:
                problems.append(f"placeholders differ: {sources[0]!r} → {text!r}")
            if Counter(TAG.findall(text)) != want_tags:
                problems.append(f"markup tags differ: {sources[0]!r} → {text!r}")
            if text[:1].isspace() != sources[0][:1].isspace():
                problems.append(f"leading space differs: {sources[0]!r} → {text!r}")
    # Babel's own checks (python-format and the like), as `pybabel compile` runs them.
    problems += [f"{message.id!r}: {errors}" for message, errors in catalog.check()]
    assert problems == []


def extracted() -> dict:
    """msgid → first location, exactly as `pybabel extract -F babel.cfg -k t -k s -k n:1,2 -k N_`."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fp:
        method_map, options_map = parse_mapping_cfg(fp)
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


def test_template_and_catalog_match_the_code():
    code = extracted()
    assert len(code) > 150
    pot = set(messages(read_catalog(POT)))
    po = set(messages(read_catalog(PO)))
    hint = "run the `pybabel extract` and `pybabel update` of common/locale/README.md"
    assert {m: code[m] for m in code.keys() - pot} == {}, f"messages missing from baocao.pot: {hint}"
    assert sorted(map(str, pot - code.keys())) == [], f"baocao.pot has messages the code no longer has: {hint}"
    assert {m: code[m] for m in code.keys() - po} == {}, f"messages missing from the English catalog: {hint}"
    assert sorted(map(str, po - code.keys())) == [], f"the English catalog has messages the code no longer has: {hint}"


def test_no_bogus_plural_entries():
    # A name `n` nested inside t(…) (`for n in …`) turns the extractor to the plural keyword n,
    # which yields an entry like ("Còn thiếu: {tasks}.", ", "). Real plurals agree on placeholders.
    for msgid, where in extracted().items():
        if isinstance(msgid, tuple):
            singular, plural = msgid
            assert set(PLACEHOLDER.findall(singular)) == set(PLACEHOLDER.findall(plural)), (
                f"{where}: {msgid!r} is not a plural message; rename the variable `n` inside the t(…) call"
            )


def test_no_subscript_of_t_is_extracted():
    # `t["no"] for t in ob.tasks` in an extracted module reads as a call of t: name the loop
    # variable `task` (see common/locale/README.md).
    junk = {m: where for m, where in extracted().items() if m in ("no", "role", "title", "lead")}
    assert junk == {}


def test_every_module_that_translates_is_extracted():
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fp:
        method_map, _ = parse_mapping_cfg(fp)
    patterns = [pattern for pattern, method in method_map if method != "ignore"]
    users = sorted(
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path != ROOT / "common" / "i18n.py" and TRANSLATES.search(path.read_text(encoding="utf-8"))
    )
    # Importers of common.i18n, and modules that translate only through turn.t.
    assert {"bot/handlers/reporting.py", "bot/channels/telegram.py", "scheduler/reminders.py"} <= set(users)
    assert {"bot/handlers/agency.py", "bot/handlers/periods.py", "bot/state.py"} <= set(users)
    assert [path for path in users if not any(pathmatch(p, path) for p in patterns)] == []


async def test_menu_descriptions_are_registered_in_english_too():
    from bot.handlers import menu

    class Bot:
        def __init__(self) -> None:
            self.calls: list[tuple[str | None, list[tuple[str, str]]]] = []

        async def set_my_commands(self, commands, scope=None, language_code=None):
            self.calls.append((language_code, [(c.command, c.description) for c in commands]))

    channel = make_channel("telegram")
    channel.bot = Bot()
    await channel.set_default_commands()
    menus = dict(channel.bot.calls)
    default = menu(set())
    assert menus[None] == default  # Vietnamese for everybody
    en = i18n.translator("en")
    assert menus["en"] == [(name, en.s(description)) for name, description in default]
    assert "Change language" in [description for _, description in menus["en"]]
    assert not set(description for _, description in menus["en"]) & set(description for _, description in default)


# --- translations through the conversation core ---------------------------------------------------


@pytest.fixture
def clock():
    return FixedClock(datetime(2024, 3, 6, 9, 0, tzinfo=ICT))


def add_people(chat: Chat, engine, clock) -> None:
    people = [
        (FOCAL_EN, "John Smith", "cong-an-tinh", "focal", "en"),
        (FOCAL_VI, "Lê Thị D", "so-noi-vu", "focal", "vi"),
        (COORD, "Phạm Văn Điều", "so-tu-phap", "coordinator", "vi"),
    ]
    with session_scope(engine, write=True) as session:
        for user, name, agency, role, language in people:
            session.add(
                Contact(
                    channel=chat.name, chat_id=user, user_id=user, display_name=name, agency_id=agency, role=role,
                    language=language, created_at=clock.now(),
                )
            )


@pytest.fixture
def chat(engine, clock):
    chat = Chat(engine, clock, "telegram")
    add_people(chat, engine, clock)
    return chat


def test_english_contact_gets_english_and_vietnamese_contact_vietnamese(chat):
    [reply] = chat.send("NV4: đang thực hiện 70%", user=FOCAL_EN)
    assert "Please check the content of the report" in reply.text
    assert "in progress" in reply.text and "70%" in reply.text
    assert "Đồng chí" not in reply.text
    assert [c.label for c in reply.buttons] == ["✅ Confirm", "✏️ Edit", "✖ Cancel", "📅 Change reporting period"]
    [stored] = chat.press([reply], "✅", user=FOCAL_EN)
    assert "has been recorded" in stored.text and stored.toast == "Recorded"

    [reply] = chat.send("NV1: đang thực hiện 70%", user=FOCAL_VI)
    assert "Đồng chí kiểm tra nội dung báo cáo" in reply.text and "đang thực hiện" in reply.text


def test_language_switch_persists_in_the_database(chat, engine, clock):
    [menu] = chat.send("/ngonngu", user=FOCAL_VI)
    assert menu.text == "Chọn ngôn ngữ:"
    [switched] = chat.press([menu], "English", user=FOCAL_VI)
    assert switched.text == "Switched to English." and switched.toast == "English"
    with session_scope(engine) as session:
        contact = session.exec(select(Contact).where(Contact.user_id == FOCAL_VI)).one()
        assert contact.language == "en"
    # A new conversation core (a restart) reads the choice from the database.
    again = Chat(engine, clock, "telegram")
    [help_text] = again.send("/trogiup", user=FOCAL_VI)
    assert "<b>Help</b>" in help_text.text and "/ngonngu — change language" in help_text.text
    [back] = again.send("/ngonngu vi", user=FOCAL_VI)
    assert back.text == "Đã chuyển sang tiếng Việt."


def test_unregistered_user_gets_the_refusal_in_the_telegram_language(chat):
    [reply] = chat.send("NV4: hoàn thành", user=STRANGER, language_code="en-US")
    assert "This account is not registered" in reply.text
    [reply] = chat.send("/tinhhinh", user=STRANGER, language_code="en-US")
    assert reply.text == "This command is reserved for the coordinators of the Department of Justice."
    [reply] = chat.send("NV4: hoàn thành", user=STRANGER, language_code="fr")
    assert "chưa được đăng ký" in reply.text  # an unsupported language: Vietnamese


def test_a_nudge_is_written_in_the_focal_points_language(chat):
    out = chat.send("/chuabaocao", user=COORD)
    sent = chat.press(out, "Nhắc Công an tỉnh", user=COORD)
    reminder = text_of(sent, FOCAL_EN)
    assert reminder.startswith("Dear John Smith,")
    assert "The Department of Justice requests Công an tỉnh to submit its report" in reminder
    assert "Kính gửi" not in reminder
    assert "Đã gửi nhắc tới 1 đầu mối của Công an tỉnh" in text_of(sent, COORD)


def test_a_planned_reminder_is_written_in_the_contacts_language(chat, engine, clock):
    from scheduler import dispatch

    with session_scope(engine, write=True) as session:
        dispatch.plan_reminders(session, chat.ctx.plan, chat.ctx.calendar, clock.now())
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == dispatch.REMINDER)).all()
        texts = {row.chat_id: Message.from_json(row.payload["message"]).plain() for row in rows}
    english, vietnamese = texts[FOCAL_EN], texts[FOCAL_VI]
    assert english.startswith("Reminder: report for quý I năm 2024")  # period names stay Vietnamese
    assert "Dear John Smith," in english and "You are the reporting focal point of Công an tỉnh." in english
    assert "Reporting deadline: Thứ Sáu, ngày 15 tháng 3 năm 2024" in english  # so do dates
    assert "Example: NV4: đang thực hiện 70%" in english  # and what a focal point types
    assert "Kính gửi" not in english and "Đồng chí" not in english
    assert "Kính gửi đồng chí Lê Thị D," in vietnamese and "Nhắc gửi báo cáo quý I năm 2024" in vietnamese


# --- fallbacks -------------------------------------------------------------------------------------


def test_missing_catalog_falls_back_to_vietnamese(monkeypatch, tmp_path, chat):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    assert i18n.translator("en")("Đã ghi nhận") == "Đã ghi nhận"
    [reply] = chat.send("NV4: đang thực hiện 70%", user=FOCAL_EN)
    assert "Đồng chí kiểm tra nội dung báo cáo" in reply.text


def test_broken_catalog_falls_back_to_vietnamese(monkeypatch, tmp_path, caplog):
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "baocao.mo").write_bytes(b"not a catalog")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n.translator("en")("Đã ghi nhận") == "Đã ghi nhận"
    assert "falling back to Vietnamese" in caplog.text


def test_a_stale_mo_is_ignored_for_the_po(monkeypatch, tmp_path):
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po, mo = folder / "baocao.po", folder / "baocao.mo"
    po.write_bytes(PO.read_bytes())
    catalog = read_catalog(PO)
    catalog["Đã ghi nhận"].string = "Recorded (old build)"
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    mo.write_bytes(buffer.getvalue())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    os.utime(mo, (1_000_000, 1_000_000))  # older than the .po: ignored
    assert i18n.translator("en")("Đã ghi nhận") == "Recorded"
    i18n.translations.cache_clear()
    os.utime(mo, None)
    os.utime(po, (1_000_000, 1_000_000))  # newer than the .po: used
    assert i18n.translator("en")("Đã ghi nhận") == "Recorded (old build)"


# --- the Translator ---------------------------------------------------------------------------------


def test_translator_formats_after_translating_and_counts():
    en, vi = i18n.translator("en"), i18n.translator(None)
    assert en("Hạn gửi: {due}.", due="15/3/2024") == "Deadline: 15/3/2024."
    assert vi("Hạn gửi: {due}.", due="15/3/2024") == "Hạn gửi: 15/3/2024."
    assert isinstance(en("Hạn gửi: {due}.", due="15/3/2024"), Text)
    assert en.s("Hạn gửi: {due}.", due="15/3/2024") == "Deadline: 15/3/2024." and isinstance(en.s("Hủy"), str)
    assert vi.lang == "vi" and i18n.translator("en-GB").lang == "en"
    # No plural message in the catalog yet: t.n falls back to the ids, with {count} filled in.
    assert vi.n("{count} cơ quan", "{count} cơ quan", 3) == "3 cơ quan"
    assert en.n("{count} agency", "{count} agencies", 1) == "1 agency"


def test_markup_of_the_template_is_styled_and_values_are_never_parsed():
    t = i18n.translator("vi")
    text = t("<b>{x}</b>", x="<i>y</i>")
    assert text.spans == (Span("<i>y</i>", bold=True),)
    assert i18n.format_template("<b>{x}</b>", {"x": "<i>y</i>"}) == text
    # A Text value keeps its own styles inside the template's.
    assert t("<b>{x}</b> z", x=italic("y")).spans == (Span("y", bold=True, italic=True), Span(" z"))
    # Only <b> and <i> are markup: anything else in a template is literal text.
    assert t("/moi <cơ quan> — tạo lời mời đầu mối").spans == (Span("/moi <cơ quan> — tạo lời mời đầu mối"),)
    assert i18n.translator("en")("/moi <cơ quan> — tạo lời mời đầu mối") == "/moi <agency> — create an invitation for a focal point"
    # The channel escapes the value once: it reads as typed.
    from bot.channels.telegram import render

    [part] = render(Message(text))
    assert part.text == "<b>&lt;i&gt;y&lt;/i&gt;</b>"
    with pytest.raises(KeyError):
        t("Hạn gửi: {due}.")
