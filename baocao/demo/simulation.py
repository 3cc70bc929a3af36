"""The offline demo (``baocao demo``): one plan year with the real bot and simulated people.

The bot is the *real* runtime (:mod:`baocao.runtime` through :func:`baocao.demo.bot.running_bot`:
our polling loop stores each update in the inbox before confirming it, the inbox worker handles
them in order and queues the answers in the outbox, the dispatcher sends them) with the real
Telegram channel (python-telegram-bot's HTTP stack) against the Bot API stand-in
(:class:`baocao.demo.telegram_api.BotApiStandIn`) on 127.0.0.1; nothing ever reaches Telegram.

:func:`run_demo` plays one plan year: a focal point for every agency registers through an
invitation (``/start <code>``, really through the bot), the real dispatcher
(:func:`scheduler.dispatch.tick`) sends the reminders at each step of the ladder, and the focal
points answer in Vietnamese, by replying to the reminder or writing freely, then press ✅.
Behaviours are drawn from a seeded random generator (:func:`write_script`): most answer on time,
some late (after D+1), some answer only part of their tasks, some stay silent, some report
difficulties, and exactly one sends a correction. A Sở Tư pháp coordinator asks ``/tinhhinh``
after each consolidation date. The clock (:class:`~common.clock.FixedClock`) jumps between these
moments; before each jump the demo waits until the bot is idle (:func:`baocao.demo.bot.settled`:
every update stored and handled, every due message sent), since outbox leases and receipt times
are reckoned in that clock. The closing table is computed from the database
(:func:`reports.status.period_status`, the outbox, the reports), not from the script.

Choices: the stand-in has no rate limits and the year is compressed into seconds, so the demo's
channel and the reminders' :class:`~scheduler.dispatch.Pacer` are unthrottled; there is no
reminder ticker (the demo ticks with its clock) and no plan watcher; everything else is what
``baocao run`` does. ``--agencies N`` keeps N agencies and withdraws the other agencies'
obligations in the demo's throw-away database, so every count refers to the agencies that take
part.

The hand-driven sandbox (``baocao sandbox``) is :mod:`baocao.demo.console`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import event, func
from sqlmodel import col, select

from baocao.demo.bot import buttons as _buttons, loopback_without_proxy, running_bot, sent_rows, settled, standin_services, unthrottled_pacers
from baocao.demo.telegram_api import BotApiStandIn, SimUser
from baocao.demo.zalo_api import ZaloStandIn
from common.clock import FixedClock

SUMMARY_TITLE = "Tổng kết theo kỳ báo cáo (số liệu lấy từ cơ sở dữ liệu)"
SUMMARY_COLUMNS = (
    ("Kỳ báo cáo", "<"),
    ("Số cơ quan", ">"),
    ("Đúng hạn", ">"),
    ("Muộn", ">"),
    ("Một phần", ">"),
    ("Chưa báo cáo", ">"),
    ("Tin nhắc đã gửi", ">"),
    ("Báo cáo đã lưu", ">"),
    ("Bản sửa", ">"),
)
DEFAULT_SEED = 2024
DEFAULT_TIMEOUT_S = 120.0
WAIT_S = 15.0  # one bot answer; the overall timeout bounds the whole run
CONCURRENT_USERS = 12  # simulated people typing at the same moment (the bot takes them one by one)

# When, after each step's reminder (08:30), the people of a slot answer (local time).
SLOT_TIMES = {
    "D-7": dtime(10, 15),
    "D-3": dtime(14, 30),
    "D-1": dtime(9, 45),
    "D": dtime(10, 0),
    "D+1": dtime(15, 0),
    "D+3": dtime(10, 30),
}
ON_TIME_SLOTS = (("D-7", 35), ("D-3", 30), ("D-1", 20), ("D", 15))
LATE_SLOTS = (("D+1", 60), ("D+3", 40))
CORRECTION_TIME = ("D-1", dtime(16, 0))
ASK_TIME = dtime(9, 0)  # the working day after the consolidation due date

ON_TIME, LATE, PARTIAL, SILENT = "on_time", "late", "partial", "silent"

# Progress of the lead tasks, per period (percent range).
PROGRESS = {"Q1": (30, 55), "H1": (50, 72), "9M": (65, 88), "FY": (85, 100)}

# What an agency has done on a task it leads; {n}, {m}, {x} are filled with numbers.
LEAD_PHRASES = {
    "1": ("đã tổ chức {n} hội nghị tuyên truyền chiến lược cải cách tư pháp cho {m} lượt người",
          "đã phát hành {m} tờ gấp, tổ chức {n} buổi tuyên truyền lưu động"),
    "2": ("đã quán triệt Nghị quyết 27-NQ/TW cho {m} cán bộ, công chức",
          "đã tổ chức {n} hội nghị triển khai Nghị quyết 27-NQ/TW"),
    "3": ("đã rà soát, kiện toàn {n} vị trí lãnh đạo các cơ quan tư pháp",
          "đã bổ sung {n} biên chế cho các cơ quan tư pháp"),
    "4": ("đã phối hợp điều tra, truy tố, xét xử {n} vụ; tiếp {m} lượt công dân",
          "đã xử lý {n} vụ án, số hóa {m} hồ sơ"),
    "5": ("đã tham mưu {n} văn bản chỉ đạo về cải cách tư pháp",
          "đã ban hành quy chế phối hợp giải quyết {n} vụ án hành chính"),
    "6": ("đã thẩm định {n} dự thảo văn bản quy phạm pháp luật",
          "đã thẩm định {n} dự thảo, cấp {m} phiếu lý lịch tư pháp"),
    "7": ("đã cử {n} công chức tham gia bồi dưỡng nghiệp vụ tư pháp",
          "đã tổ chức {n} lớp tập huấn cho {m} cán bộ tư pháp"),
    "8": ("đã tham gia hòa giải {n} vụ việc, phòng ngừa khiếu kiện đông người",
          "đã tư vấn pháp luật miễn phí cho {m} lượt người dân"),
    "9": ("đã đăng {m} tin, bài phổ biến pháp luật; xử lý {n} tin xấu độc trên mạng",
          "đã phát sóng {n} chuyên mục pháp luật, gỡ bỏ {n} tin sai sự thật"),
    "10": ("đã thi hành xong {n} việc, thu {x} tỷ đồng",
           "đã tổ chức cưỡng chế {n} vụ, giải quyết dứt điểm {m} việc tồn đọng"),
    "11": ("đã bố trí {m} triệu đồng kinh phí cho các cơ quan tư pháp",
           "đã thẩm định dự toán, cấp bổ sung {m} triệu đồng"),
}
COORDINATION_PHRASES = (
    "đã phối hợp triển khai theo chức năng, nhiệm vụ",
    "đã lồng ghép tuyên truyền trong {n} buổi sinh hoạt chuyên đề",
    "đã phối hợp cung cấp thông tin, số liệu khi được yêu cầu",
    "đã cử cán bộ tham gia {n} cuộc họp liên ngành",
)
DIFFICULTIES = (
    "vướng kinh phí",
    "vướng kinh phí, đề nghị Sở Tài chính bố trí bổ sung",
    "đề nghị gia hạn đến {date}",
    "khó khăn do thiếu biên chế",
    "còn vướng mắc về cơ chế phối hợp liên ngành",
)
OPENINGS = (
    "{agency} báo cáo {period} như sau:",
    "Kính gửi Sở Tư pháp, {agency} báo cáo {period}:",
    "Dạ, em xin báo cáo:",
    "",
    "",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Quốc", "Thu", "Hoài")
GIVEN_NAMES = (
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Lan", "Linh", "Long",
    "Mai", "Nam", "Nga", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến",
)
# Agencies kept first by --agencies N: the leads of the best-known tasks.
PREFERRED_AGENCIES = ("cong-an-tinh", "so-tu-phap")
FOCAL_USER_BASE = 100_000
COORDINATOR_USER_ID = 99_001
COORDINATOR_NAME = "Phạm Thị Dung"


class DemoError(Exception):
    """The demo could not finish; ``str()`` is one Vietnamese line for the user."""


class DemoTimeout(DemoError):
    pass


# --- the script: who answers what, when -----------------------------------------------------------


@dataclass(frozen=True)
class PeriodInfo:
    key: str  # 2024-Q1
    code: str  # Q1
    name: str  # quý I năm 2024
    due: date
    consolidation_due: date
    steps: tuple[tuple[str, datetime, bool], ...]  # (step, moment, escalates)

    def step_day(self, step: str) -> date:
        return next(at.date() for name, at, _ in self.steps if name == step)


@dataclass(frozen=True)
class Answer:
    agency_id: str
    period: str
    kind: str  # on_time | late | partial
    slot: str  # the reminder step after which it is sent
    tasks: tuple[tuple[str, str], ...]  # (task no, role) it reports on
    difficulty: str | None
    free: bool  # written freely instead of replying to the reminder
    text: str


@dataclass(frozen=True)
class Correction:
    agency_id: str
    period: str
    task: str
    text: str


@dataclass
class Script:
    answers: list[Answer] = field(default_factory=list)
    silent: dict[str, list[str]] = field(default_factory=dict)  # period → agencies
    correction: Correction | None = None

    def kinds(self, period: str) -> Counter[str]:
        counts = Counter(a.kind for a in self.answers if a.period == period)
        counts[SILENT] = len(self.silent.get(period, []))
        return counts


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _quotas(rng: random.Random, n: int) -> tuple[int, int, int]:
    """(silent, late, partial) agencies of a period with ``n`` agencies; the rest answer on time."""
    if n < 4:
        return 0, 0, 0
    silent, late, partial = max(1, round(0.10 * n)), max(1, round(0.15 * n)), max(1, round(0.08 * n))
    if n >= 20:
        silent += rng.choice((-1, 0, 0, 1))
        late += rng.choice((-1, 0, 0, 1))
    return silent, late, partial


def _status(rng: random.Random, code: str) -> str:
    low, high = PROGRESS.get(code, (40, 80))
    percent = min(100, rng.randint(low, high) // 5 * 5)
    return "hoàn thành 100%" if percent >= 100 else f"đang thực hiện {percent}%"


def _fill(rng: random.Random, phrase: str) -> str:
    return phrase.format(n=rng.randint(2, 25), m=rng.randint(40, 900), x=f"{rng.randint(5, 95) / 10:.1f}".replace(".", ","))


def compose(
    rng: random.Random,
    *,
    agency: str,
    period: PeriodInfo,
    tasks: Sequence[tuple[str, str]],
    difficulty: str | None,
    plain: bool = False,
) -> str:
    """A focal point's message on ``tasks`` (lead tasks one by one, coordinated ones grouped).

    ``plain``: a single task written without its number ("Đã tổ chức 3 hội nghị…"), which the
    bot attributes to the agency's only task."""
    lead = [no for no, role in tasks if role == "lead"]
    coordinated = [no for no, role in tasks if role != "lead"]
    parts: list[str] = []
    if plain and len(tasks) == 1:
        no = tasks[0][0]
        phrase = _fill(rng, rng.choice(LEAD_PHRASES.get(no, COORDINATION_PHRASES)))
        text = phrase[0].upper() + phrase[1:] + ", " + _status(rng, period.code)
        return text + (f", {difficulty}" if difficulty else "") + "."
    for no in lead:
        phrase = _fill(rng, rng.choice(LEAD_PHRASES.get(no, COORDINATION_PHRASES)))
        parts.append(f"NV{no} (chủ trì): {_status(rng, period.code)}, {phrase}")
    for start in range(0, len(coordinated), 5):
        group = coordinated[start : start + 5]
        status = "hoàn thành" if period.code == "FY" and rng.random() < 0.4 else "đang thực hiện"
        label = ", ".join(f"NV{no}" for no in group)
        parts.append(f"{label} (phối hợp): {status}, {_fill(rng, rng.choice(COORDINATION_PHRASES))}")
    if difficulty and parts:
        parts[0] += f", {difficulty}"
    opening = rng.choice(OPENINGS).format(agency=agency, period=period.name)
    body = ". ".join(parts) + "."
    return f"{opening} {body}" if opening else body


def _difficulty(rng: random.Random, period: PeriodInfo) -> str:
    extended = period.due + timedelta(days=rng.choice((10, 14, 15)))
    return rng.choice(DIFFICULTIES).format(date=f"{extended.day}/{extended.month}")


def write_script(
    seed: int,
    periods: Sequence[PeriodInfo],
    duties: dict[tuple[str, str], list[tuple[str, str]]],
    names: dict[str, str],
) -> Script:
    """Deterministic behaviours for every (agency, period) in ``duties`` ((agency, period) →
    [(task, role)]). Per period: about 10 % silent (one agency silent all year), 15 % late,
    8 % partial (only part of their tasks), the rest on time; about 20 % of the answers report
    a difficulty; exactly one on-time answer of the first period is corrected later."""
    rng = random.Random(seed)
    script = Script()
    agencies = sorted({agency for agency, _ in duties})
    chronic = rng.choice(agencies) if len(agencies) >= 4 else None
    owing: set[str] = set()  # agencies with an earlier period still missing tasks
    for period in periods:
        present = [a for a in agencies if (a, period.key) in duties]
        silent_n, late_n, partial_n = _quotas(rng, len(present))
        pool = list(present)
        rng.shuffle(pool)
        silent: list[str] = []
        if chronic in pool and silent_n:
            pool.remove(chronic)
            silent.append(chronic)
        silent += [pool.pop() for _ in range(max(0, silent_n - len(silent)))]
        late = [pool.pop() for _ in range(min(late_n, len(pool)))]
        splittable = [a for a in pool if len(duties[(a, period.key)]) >= 2]
        partial = splittable[:partial_n]
        for a in partial:
            pool.remove(a)
        on_time = pool
        script.silent[period.key] = sorted(silent)
        answering = [(a, ON_TIME) for a in on_time] + [(a, LATE) for a in late] + [(a, PARTIAL) for a in partial]
        answering.sort()
        troubled = set(rng.sample([a for a, _ in answering], k=min(len(answering), max(1, round(0.2 * len(answering)))))) if answering else set()
        for agency, kind in answering:
            tasks = duties[(agency, period.key)]
            if kind == PARTIAL:
                lead = [t for t in tasks if t[1] == "lead"]
                tasks = lead if lead and len(lead) < len(tasks) else tasks[: max(1, len(tasks) // 2)]
            slot = _weighted(rng, LATE_SLOTS if kind == LATE else ON_TIME_SLOTS)
            difficulty = _difficulty(rng, period) if agency in troubled else None
            free = agency not in owing and rng.random() < 0.3
            plain = free and len(tasks) == 1 and len(duties[(agency, period.key)]) == 1 and rng.random() < 0.6
            text = compose(rng, agency=names[agency], period=period, tasks=tasks, difficulty=difficulty, plain=plain)
            script.answers.append(Answer(agency, period.key, kind, slot, tuple(tasks), difficulty, free, text))
        owing |= set(silent) | set(partial)
    first = periods[0].key if periods else None
    early = [a for a in script.answers if a.period == first and a.kind == ON_TIME]
    if early:
        # Prefer a lead agency answering early, so the correction is about a task it leads.
        early.sort(key=lambda a: (a.slot not in ("D-7", "D-3"), not any(r == "lead" for _, r in a.tasks), a.agency_id))
        chosen = early[0]
        if chosen.slot not in ("D-7", "D-3"):
            index = script.answers.index(chosen)
            chosen = dataclasses.replace(chosen, slot="D-7")
            script.answers[index] = chosen
        task = next((no for no, role in chosen.tasks if role == "lead"), chosen.tasks[0][0])
        period = next(p for p in periods if p.key == first)
        new = _fill(rng, rng.choice(LEAD_PHRASES.get(task, COORDINATION_PHRASES)))
        text = f"Xin sửa lại số liệu NV{task}: {_status(rng, period.code)}, {new} (số liệu gửi trước bị nhầm)."
        script.correction = Correction(chosen.agency_id, first, task, text)
    return script


def person_names(seed: int, count: int) -> list[str]:
    """``count`` distinct Vietnamese full names, deterministic for ``seed``."""
    rng = random.Random(seed * 7919 + 1)
    names: list[str] = []
    seen = {COORDINATOR_NAME}
    while len(names) < count:
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"
        if name not in seen or len(seen) > 3000:
            seen.add(name)
            names.append(name)
    return names


def choose_agencies(plan: Any, present: Sequence[str], limit: int | None, seed: int) -> list[str]:
    """The agencies taking part, in the plan's directory order: all, or ``limit`` of them
    (the leads of the best-known tasks first, the rest drawn with ``seed``)."""
    order = {agency.id: index for index, agency in enumerate(plan.agencies)}
    present = sorted(set(present), key=lambda a: order.get(a, len(order)))
    if limit is None or limit >= len(present):
        return present
    chosen = [a for a in PREFERRED_AGENCIES if a in present][:limit]
    rest = [a for a in present if a not in chosen]
    chosen += random.Random(seed).sample(rest, k=limit - len(chosen))
    return sorted(chosen, key=lambda a: order.get(a, len(order)))


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    name: str
    agencies: int
    on_time: int
    late: int
    partial: int
    missing: int
    reminders: int
    replies: int
    corrections: int

    def row(self) -> tuple[str, ...]:
        return (self.name, *(str(v) for v in (self.agencies, self.on_time, self.late, self.partial,
                                                 self.missing, self.reminders, self.replies, self.corrections)))


@dataclass
class DemoResult:
    seed: int
    agencies: list[str]
    periods: list[PeriodInfo]
    script: Script
    summaries: list[PeriodSummary]
    coordinator_answers: dict[str, str]  # period → the first message /tinhhinh answered
    digests: dict[str, str]  # period → the escalation digest the coordinator received
    elapsed_s: float
    database_url: str
    sent: list[dict]  # everything the bot sent through the stand-in
    reminders_sent: int
    duplicate_reminders: int  # reminders delivered more than once (must be 0)


def summarise(engine: Any, plan: Any, cal: Any, periods: Sequence[PeriodInfo], now: datetime, tz: ZoneInfo) -> list[PeriodSummary]:
    """The closing table, from the database only."""
    from reports import status as st
    from storage.db import session_scope
    from storage.models import Obligation, ObligationStatus, Outbox, OutboxStatus, Report, ReportEntry

    out = []
    with session_scope(engine) as session:
        for period in periods:
            ps = st.period_status(session, plan, period.key, now, tz, cal=cal)
            ids = select(Obligation.id).where(
                Obligation.plan_id == plan.plan.id, Obligation.period == period.key, Obligation.status == ObligationStatus.ACTIVE
            )
            reminders = session.exec(
                select(func.count()).select_from(Outbox).where(
                    Outbox.kind == "reminder", Outbox.status == OutboxStatus.SENT.value, col(Outbox.obligation_id).in_(ids)
                )
            ).one()
            replies = session.exec(select(func.count()).select_from(Report).where(col(Report.obligation_id).in_(ids))).one()
            corrections = session.exec(
                select(func.count(func.distinct(ReportEntry.report_id))).where(
                    col(ReportEntry.obligation_id).in_(ids), ReportEntry.revision > 1
                )
            ).one()
            c = ps.counts
            out.append(PeriodSummary(period.key, period.name, ps.total, c[st.ON_TIME], c[st.LATE], c[st.PARTIAL],
                                     c[st.MISSING], int(reminders), int(replies), int(corrections)))
    return out


def _width(text: str) -> int:
    return len(text)  # NFC Vietnamese: one code point per letter


def write_reports(engine: Any, plan: Any, cal: Any, periods: Sequence[PeriodInfo], now: datetime, tz: ZoneInfo,
                  directory: Path) -> list[Path]:
    """The consolidated report of every period in every format, from the demo's database: what
    Sở Tư pháp would hand upward."""
    from reports import FORMATS, filename, gather, render
    from storage.db import session_scope

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with session_scope(engine) as session:
        for period in periods:
            data = gather(session, plan, period.key, now, tz, cal=cal)
            for fmt in FORMATS:
                path = directory / filename(data, fmt)
                path.write_bytes(render(data, fmt))
                written.append(path)
    return written


def format_summary(summaries: Sequence[PeriodSummary]) -> str:
    rows = [tuple(name for name, _ in SUMMARY_COLUMNS)] + [s.row() for s in summaries]
    if summaries:
        totals = [sum(getattr(s, f) for s in summaries) for f in
                  ("agencies", "on_time", "late", "partial", "missing", "reminders", "replies", "corrections")]
        rows.append(("Cả năm (cộng các kỳ)", *(str(v) for v in totals)))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(SUMMARY_COLUMNS))]

    def line(row: Sequence[str]) -> str:
        cells = []
        for (_, align), width, cell in zip(SUMMARY_COLUMNS, widths, row):
            cells.append(cell.ljust(width) if align == "<" else cell.rjust(width))
        return "  ".join(cells).rstrip()

    rule = "  ".join("─" * w for w in widths)
    body = [line(rows[0]), rule] + [line(r) for r in rows[1:-1]] + ([rule, line(rows[-1])] if summaries else [])
    return "\n".join([SUMMARY_TITLE, "", *body])


# --- progress ---------------------------------------------------------------------------------


class Progress:
    """A plain text bar on stderr: redrawn in place on a terminal, a line per stage otherwise."""

    def __init__(self, total: int, stream: TextIO, *, enabled: bool = True, width: int = 30) -> None:
        self.total = max(1, total)
        self.done = 0
        self.stream = stream
        self.enabled = enabled
        self.width = width
        self.label = ""
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._shown = False

    def _bar(self) -> str:
        share = min(1.0, self.done / self.total)
        filled = int(share * self.width)
        return f"[{'#' * filled}{'.' * (self.width - filled)}] {share * 100:3.0f}%  {self.label}"

    def stage(self, label: str) -> None:
        self.label = label
        if self.enabled and not self.tty:
            print(self._bar(), file=self.stream, flush=True)
        self._draw()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def _draw(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K" + self._bar())
            self.stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    def finish(self) -> None:
        self.done = self.total
        self.label = "xong"
        if self.tty:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
        elif self.enabled:
            print(self._bar(), file=self.stream, flush=True)


# --- the simulation ------------------------------------------------------------------------------


@dataclass
class DemoOptions:
    seed: int = DEFAULT_SEED
    agencies: int | None = None
    quiet: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    plan_path: Path | str | None = None
    calendar_path: Path | str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    output_dir: Path | None = None  # where the consolidated reports of each period are written
    channel: str = "telegram"  # or "zalo": the people use the Zalo stand-in, choices are numbered


def _short(moment: datetime) -> str:
    return f"{moment:%d/%m %H:%M}"


def _cut(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def _first_lines(text: str, n: int, limit: int = 110) -> list[str]:
    lines = [_cut(line, limit) for line in (text or "").splitlines() if line.strip()]
    return lines[:n] + (["…"] if len(lines) > n else [])


class _Simulation:
    def __init__(self, *, standin: BotApiStandIn, services: Any, clock: FixedClock, periods: list[PeriodInfo],
                 script: Script, focal: dict[str, SimUser], coordinator: SimUser, progress: Progress,
                 say: Callable[[str], None], output_dir: Path | None = None) -> None:
        self.standin, self.services, self.clock = standin, services, clock
        # Each period's report files are written when a coordinator would make them: right
        # after the period's consolidation date, dated then and stating the situation then.
        self.output_dir: Path | None = output_dir
        self.written: list[Path] = []
        self.engine, self.plan, self.cal = services.engine, services.plans.default, services.calendar
        self.periods, self.script, self.focal, self.coordinator = periods, script, focal, coordinator
        self.progress, self.say = progress, say
        self.tz: ZoneInfo = services.settings.tz
        self.coordinator_answers: dict[str, str] = {}
        self.digests: dict[str, str] = {}
        self.examples: dict[str, tuple[Answer, bool, dict, dict]] = {}  # period → one exchange, shown
        self.gate = asyncio.Semaphore(CONCURRENT_USERS)
        # The stand-in has no rate limits and the year is compressed: no pacing between sends.
        self.pacers = unthrottled_pacers(services)

    def at(self, day: date, moment: dtime) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    async def jump(self, moment: datetime) -> None:
        """Move the clock, once the bot is idle (leases and receipt times are in its time)."""
        await settled(self.services, self.standin)
        self.clock.set(moment)

    async def _wait(self, chat: int, predicate: Any) -> dict:
        return await self.standin.wait_for(chat, predicate, timeout=WAIT_S)

    # -- registration: invitations redeemed through the bot

    async def register(self, agencies: Iterable[str]) -> None:
        from bot.invitations import create_invitation
        from storage.db import session_scope

        codes: dict[str, str] = {}
        with session_scope(self.engine, write=True) as session:
            for agency in agencies:
                _, codes[agency] = create_invitation(session, agency_id=agency, role="focal", created_by="demo", now=self.clock.now())
            _, coordinator_code = create_invitation(
                session, agency_id=self.plan.reporting.recipient, role="coordinator", created_by="demo", now=self.clock.now()
            )

        async def start(user: SimUser, code: str, expect: str) -> None:
            async with self.gate:
                # Telegram: the deep link sends "/start <code>"; Zalo has none: the code is typed.
                user.send(code if isinstance(self.standin, ZaloStandIn) else f"/start {code}")
                await self._wait(user.id, expect)
                self.progress.advance()

        async with asyncio.TaskGroup() as group:
            for agency, code in codes.items():
                group.create_task(start(self.focal[agency], code, "đầu mối báo cáo"))
            group.create_task(start(self.coordinator, coordinator_code, "điều phối"))

    # -- reminders: the real dispatcher with the simulated clock

    async def tick(self) -> tuple[int, int]:
        """Plan and send what is due now; (reminders sent, messages the coordinator received)."""
        from scheduler.dispatch import tick

        services = self.services
        await settled(services, self.standin)
        before, reminders = len(self.standin.sent), await asyncio.to_thread(sent_rows, services, kinds=("reminder",))
        await tick(self.engine, services.plans, self.cal, services.senders(), self.clock, worker_id="demo", tz=self.tz,
                   office_hours=services.settings.reminders.office_hours, pacers=self.pacers)
        # The runtime's dispatcher may send some of the rows this tick planned: wait for all of
        # them and count them in the database.
        await settled(services, self.standin)
        reminders = await asyncio.to_thread(sent_rows, services, kinds=("reminder",)) - reminders
        to_coordinator = [r for r in self.standin.sent[before:] if r["chat_id"] == self.coordinator.id]
        return reminders, len(to_coordinator)

    # -- answers

    def _latest_reminders(self, period: str) -> dict[str, int]:
        """agency → message id of the latest reminder of ``period`` it received (from the outbox)."""
        from storage.db import session_scope
        from storage.models import Obligation, Outbox, OutboxStatus

        with session_scope(self.engine) as session:
            rows = session.exec(
                select(Obligation.agency_id, Outbox.message_id, Outbox.sent_at)
                .select_from(Outbox)
                .join(Obligation, col(Obligation.id) == col(Outbox.obligation_id))
                .where(Obligation.period == period, Outbox.kind == "reminder", Outbox.status == OutboxStatus.SENT.value)
                .order_by(col(Outbox.sent_at), col(Outbox.id))
            ).all()
        # Telegram's message ids are numbers (a reply names one); Zalo's are strings, and Zalo
        # has no replies: its simulated people ignore them.
        return {agency: int(m) if str(m).isdigit() else m for agency, m, _ in rows if m}

    async def _report(self, user: SimUser, text: str, reply_to: int | None) -> tuple[dict, dict]:
        """Send, confirm with ✅ (choosing the task if asked); return the bot's confirmation
        question and its 'Đã ghi nhận'."""
        user.send(text, reply_to=reply_to)
        for _ in range(3):
            answer = await self._wait(user.id, lambda r: bool(_buttons(r)) or "Đã ghi nhận" in (r.get("plain") or ""))
            buttons = _buttons(answer)
            if not buttons:
                return answer, answer
            ok = next((data for label, data in buttons if label.startswith("✅")), None)
            user.press(answer, ok or buttons[0][1])  # a task question: its first task
            if ok:
                return answer, await self._wait(user.id, "Đã ghi nhận")
        raise DemoError(f"bot không xác nhận báo cáo của người dùng {user.id}")

    async def answer_all(self, answers: Sequence[Answer], period: str) -> tuple[int, int]:
        latest = self._latest_reminders(period)
        replied = 0
        # One exchange per period is shown in the narrative: preferably about a task the agency leads.
        example = None
        if period not in self.examples and answers:
            example = next((a for a in answers if any(role == "lead" for _, role in a.tasks)), answers[0])

        async def one(answer: Answer) -> None:
            nonlocal replied
            async with self.gate:
                # Zalo has no reply to a message: there every answer is a message of its own.
                free = answer.free or isinstance(self.standin, ZaloStandIn)
                reply_to = None if free else latest.get(answer.agency_id)
                replied += reply_to is not None
                echo, stored = await self._report(self.focal[answer.agency_id], answer.text, reply_to)
                if answer is example:
                    self.examples[period] = (answer, reply_to is not None, echo, stored)
                self.progress.advance()

        async with asyncio.TaskGroup() as group:
            for answer in answers:
                group.create_task(one(answer))
        return replied, len(answers) - replied

    async def correct(self, correction: Correction) -> dict:
        echo, stored = await self._report(self.focal[correction.agency_id], correction.text, None)
        self.progress.advance()
        return echo

    # -- the coordinator

    async def ask(self, period: PeriodInfo) -> str:
        self.coordinator.send(f"/tinhhinh {period.code}")
        answer = await self._wait(self.coordinator.id, None)
        self.progress.advance()
        return answer.get("plain") or answer.get("text") or ""

    # -- the year

    async def run_period(self, period: PeriodInfo) -> None:
        progress, say = self.progress, self.say
        progress.stage(period.name)
        say("")
        say(f"{period.name[0].upper()}{period.name[1:]} — hạn gửi {period.due:%d/%m/%Y}, Sở Tư pháp tổng hợp đến {period.consolidation_due:%d/%m/%Y}")
        answers = [a for a in self.script.answers if a.period == period.key]
        events: list[tuple[datetime, int, str, Any]] = []
        for step, moment, escalates in period.steps:
            events.append((moment, 0, "tick", (step, escalates)))
            slot = [a for a in answers if a.slot == step]
            if slot:
                events.append((self.at(moment.date(), SLOT_TIMES[step]), 1, "answers", slot))
        correction = self.script.correction
        if correction is not None and correction.period == period.key:
            step, moment = CORRECTION_TIME
            events.append((self.at(period.step_day(step), moment), 2, "correction", correction))
        ask_day = self.cal.add_working_days(period.consolidation_due, 1)
        events.append((self.at(ask_day, ASK_TIME), 3, "ask", period))
        for moment, _, kind, payload in sorted(events, key=lambda e: (e[0], e[1])):
            await self.jump(moment)
            if kind == "tick":
                step, escalates = payload
                reminders, digests = await self.tick()
                progress.advance()
                note = f"{_short(moment)}  {step:<4} nhắc hạn: {reminders} tin"
                if digests:
                    digest = self.standin.messages_to(self.coordinator.id)[-1]
                    self.digests[period.key] = digest.get("plain") or ""
                    first = _first_lines(self.digests[period.key], 1)
                    note += f"; Sở Tư pháp nhận bản tổng hợp cơ quan chậm báo cáo: «{first[0] if first else ''}»"
                say("  " + note)
            elif kind == "answers":
                replied, free = await self.answer_all(payload, period.key)
                kinds = Counter(a.kind for a in payload)
                late = f", {kinds[LATE]} muộn" if kinds[LATE] else ""
                partial = f", {kinds[PARTIAL]} chỉ báo cáo một phần" if kinds[PARTIAL] else ""
                trouble = sum(1 for a in payload if a.difficulty)
                trouble_text = f", {trouble} nêu khó khăn" if trouble else ""
                say(f"  {_short(moment)}       {len(payload)} đầu mối báo cáo ({replied} trả lời tin nhắc, {free} nhắn tự do{late}{partial}{trouble_text})")
                shown = self.examples.get(period.key)
                if shown is not None and shown[0] in payload:
                    self._show_example(*shown)
            elif kind == "correction":
                echo = await self.correct(payload)
                agency = self.plan.agency_by_id[payload.agency_id].name
                revision = next((line for line in _first_lines(echo.get("plain") or "", 8, 200) if "sửa lần" in line), "")
                say(f"  {_short(moment)}       {agency} gửi bản sửa: «{_cut(payload.text, 80)}»")
                say(f"                     bot: «{_cut(revision, 90)}» → ✅ → bản sửa được lưu, bản cũ giữ lại")
            else:
                text = await self.ask(period)
                self.coordinator_answers[period.key] = text
                if self.output_dir is not None:
                    self.written += write_reports(self.engine, self.plan, self.cal, [period], self.clock.now(), self.tz, self.output_dir)
                say(f"  {_short(moment)}       Sở Tư pháp hỏi /tinhhinh {period.code}; bot trả lời:")
                for line in _first_lines(text, 7):
                    say(f"      │ {line}")
        silent = self.script.silent.get(period.key, [])
        if silent:
            order = {agency.id: i for i, agency in enumerate(self.plan.agencies)}
            names = "; ".join(self.plan.agency_by_id[a].name for a in sorted(silent, key=lambda a: order.get(a, 0)))
            say(f"  Không trả lời cả kỳ: {names}")

    def _show_example(self, answer: Answer, replied: bool, echo: dict, stored: dict) -> None:
        say = self.say
        person = self.focal[answer.agency_id].first_name
        agency = self.plan.agency_by_id[answer.agency_id].name
        how = "trả lời tin nhắc" if replied else "nhắn"
        say(f"                     ví dụ — {person} ({agency}) {how}: «{_cut(answer.text, 90)}»")
        question = _first_lines(echo.get("plain") or "", 1)
        say(f"                     bot: «{question[0] if question else ''}» → ✅ → «{_first_lines(stored.get('plain') or '', 1)[0]}»")


def telegram_texts(row: Any, channel: str = "telegram") -> list[str]:
    """The texts of the messages an outbox row goes out as, part by part, as the channel
    renders it (Telegram: HTML; Zalo: plain text)."""
    from common.message import Message

    if channel == "zalo":
        from bot.channels.zalo import render
    else:
        from bot.channels.telegram import render

    payload = row.payload or {}
    message = Message.from_json(payload["message"]) if payload.get("message") else Message()
    return [part.text or "…" for part in render(message)] if message.blocks or message.choices else []


def clock_seconds(clock: Any) -> Any:
    """The stand-ins' clock (epoch seconds) from the simulation's."""
    return lambda: clock.now().timestamp()


def _no_sync(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA synchronous=OFF")
    finally:
        cursor.close()


def _scratch_dir() -> str | None:
    """Where the throw-away database goes: memory-backed /dev/shm when there is one."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) else None


def _periods(plan: Any, cal: Any, obligations: Sequence[Any], year: int) -> list[PeriodInfo]:
    from scheduler.deadlines import reminder_schedule

    settings = plan.reporting.reminders
    zone = ZoneInfo(settings.timezone)
    first: dict[str, Any] = {}
    for ob in sorted(obligations, key=lambda o: o.due):
        if ob.period.startswith(f"{year}-"):
            first.setdefault(ob.period, ob)
    out = []
    for key, ob in first.items():
        ladder = reminder_schedule(ob.due, settings.steps, settings.time, zone, cal)
        out.append(PeriodInfo(key, key.partition("-")[2], plan.period_name(key), ob.due, ob.consolidation_due,
                              tuple((r.step, r.at, r.escalate) for r in ladder)))
    return out


async def _simulate(options: DemoOptions, url: str, workdir: Path, out: TextIO, err: TextIO) -> DemoResult:
    from baocao.config import Settings
    from common.paths import data_file
    from scheduler.calendar import WorkingCalendar
    from scheduler.plan import load_plan
    from storage.db import get_engine, open_database, session_scope
    from storage.models import Obligation, ObligationStatus, Outbox, OutboxStatus

    started = time.monotonic()
    quiet = options.quiet

    def say(line: str) -> None:
        if not quiet:
            progress.clear()
            print(line, file=out, flush=True)

    plan_path = Path(options.plan_path or data_file("plan.json"))
    if plan_path.is_dir():  # a folder of plans (BAOCAO_PLAN_PATH): the demo runs its default plan
        from scheduler.plans import load_plans

        plan = load_plans(plan_path, skip_broken=True)[0].default
    else:
        plan = load_plan(plan_path)
    cal = WorkingCalendar.load(options.calendar_path) if options.calendar_path else WorkingCalendar.load()
    years = list(plan.years_in_force())
    if not years:
        raise DemoError("kế hoạch không có năm hiệu lực nào để mô phỏng")
    year = years[0]
    tz = ZoneInfo(options.timezone)
    engine = get_engine(url)
    # A throw-away database: no fsync per commit (a shared disk's fsync stalls would dominate).
    event.listen(engine, "connect", _no_sync)
    engine = open_database(url)
    clock = FixedClock(datetime(year, 1, 2, 8, 0, tzinfo=tz))
    zalo = options.channel == "zalo"
    standin: Any = ZaloStandIn(clock=clock_seconds(clock)) if zalo else BotApiStandIn(clock=clock_seconds(clock))
    # Everything the demo depends on is set here, so that the environment (BAOCAO_…, .env)
    # cannot change its course: no admins, the default office hours and rate limit.
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        spool_path=workdir / "spool.jsonl",
        files_path=workdir / "files",
        plan_path=plan_path,
        timezone=options.timezone,
        office_hours="08:00-17:00",
        rate_limit=20,
        admin_chat_ids=[],
        group_chat_ids=[],
        **({"calendar_path": Path(options.calendar_path)} if options.calendar_path else {}),
    )
    async with standin:  # started first: the channel is built with its address
        services = standin_services(settings, clock, standin, unthrottled=True, engine=engine, plans=plan, calendar=cal)
        services.sync()

        with session_scope(engine, write=True) as session:
            obligations = list(session.exec(select(Obligation).where(
                Obligation.plan_id == plan.plan.id, Obligation.status == ObligationStatus.ACTIVE)).all())
            periods = _periods(plan, cal, obligations, year)
            in_year = [ob for ob in obligations if ob.period.startswith(f"{year}-")]
            chosen = choose_agencies(plan, [ob.agency_id for ob in in_year], options.agencies, options.seed)
            keep = set(chosen)
            for ob in obligations:  # --agencies: the others take no part in this throw-away database
                if ob.agency_id not in keep:
                    ob.status = ObligationStatus.WITHDRAWN
                    session.add(ob)
            duties = {(ob.agency_id, ob.period): [(t["no"], t["role"]) for t in ob.tasks] for ob in in_year if ob.agency_id in keep}
        if not periods or not chosen:
            raise DemoError(f"kế hoạch không có kỳ báo cáo nào trong năm {year}")

        names = {a: plan.agency_by_id[a].name for a in chosen}
        script = write_script(options.seed, periods, duties, names)
        people = person_names(options.seed, len(chosen))
        start = datetime.combine(cal.add_working_days(periods[0].steps[0][1].date(), -3), dtime(9, 0), tzinfo=tz)
        clock.set(start)

        total = len(chosen) + 1 + sum(len(p.steps) + 1 for p in periods) + len(script.answers) + (1 if script.correction else 0)
        progress = Progress(total, err, enabled=not quiet)
        info = plan.plan
        say(f"baocao demo — Kế hoạch số {info.number}, năm {year}: {len(chosen)}"
            + (f"/{len({ob.agency_id for ob in in_year})}" if options.agencies else "")
            + f" cơ quan, {len(periods)} kỳ báo cáo, hạt giống {options.seed}")
        if zalo:
            say("Bot thật (kênh Zalo, SQLite tạm) chạy với máy chủ Zalo Bot API giả lập trên 127.0.0.1; không kết nối Zalo. "
                "Zalo không có nút bấm: người dùng trả lời lựa chọn bằng số.")
        else:
            say("Bot thật (python-telegram-bot, SQLite tạm) chạy với máy chủ Bot API giả lập trên 127.0.0.1; không kết nối Telegram.")

        async with running_bot(services):
            focal = {agency: standin.user(FOCAL_USER_BASE + i, first_name=people[i]) for i, agency in enumerate(chosen)}
            coordinator = standin.user(COORDINATOR_USER_ID, first_name=COORDINATOR_NAME)
            sim = _Simulation(standin=standin, services=services, clock=clock, periods=periods, script=script,
                              focal=focal, coordinator=coordinator, progress=progress, say=say, output_dir=options.output_dir)
            progress.stage("đăng ký đầu mối")
            await sim.register(chosen)
            say(f"{_short(start)}  {len(chosen)} đầu mối và cán bộ điều phối Sở Tư pháp ({COORDINATOR_NAME}) "
                + ("đăng ký bằng cách nhắn mã mời cho bot" if zalo else "đăng ký qua đường dẫn mời (/start <mã>)"))
            for period in periods:
                await sim.run_period(period)
            await settled(services, standin)
        progress.finish()
        sent = list(standin.sent)

    summaries = summarise(engine, plan, cal, periods, clock.now(), tz)
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "reminder", Outbox.status == OutboxStatus.SENT.value)).all()
        texts = Counter(
            (r.chat_id if zalo else int(r.chat_id), text) for r in rows for text in telegram_texts(r, options.channel)
        )
    # Each sent outbox row must have reached its chat exactly once (the outbox keys are unique):
    # every part of it, as the channel renders it.
    if zalo:
        delivered = Counter((r["chat_id"], r["text"]) for r in sent if r["kind"] == "message")
    else:
        delivered = Counter((r["chat_id"], r.get("params", {}).get("text", "")) for r in sent if r["kind"] == "message")
    duplicates = sum(max(0, delivered[key] - n) for key, n in texts.items())
    elapsed = time.monotonic() - started
    if not quiet:
        print("", file=out)
    print(format_summary(summaries), file=out)
    written = sim.written
    if written:
        print("", file=out)
        print(f"Dự thảo báo cáo tổng hợp (Word, Excel, biểu đồ, Markdown) của từng kỳ đã ghi vào {options.output_dir}:", file=out)
        for path in written:
            print(f"  {path.name}", file=out)
    if not quiet:
        digests = len(sim.digests)
        print("", file=out)
        print(f"Sở Tư pháp nhận {digests} bản tổng hợp cơ quan chậm báo cáo (bước D+3) và {len(sim.coordinator_answers)} "
              f"câu trả lời /tinhhinh. Tin nhắc gửi trùng: {duplicates}.", file=out)
        print(f"Thời gian chạy: {elapsed:.1f} giây.".replace(".", ",", 1), file=out)
    out.flush()
    return DemoResult(
        seed=options.seed, agencies=chosen, periods=periods, script=script, summaries=summaries,
        coordinator_answers=dict(sim.coordinator_answers), digests=dict(sim.digests), elapsed_s=elapsed,
        database_url=url, sent=sent, reminders_sent=len(rows), duplicate_reminders=duplicates,
    )


async def run_demo(options: DemoOptions | None = None, *, out: TextIO | None = None, err: TextIO | None = None,
                   workdir: Path | None = None) -> DemoResult:
    """Run the demo; print the narrative (unless ``quiet``) and the summary table to ``out``,
    the progress bar to ``err``. The database lives in ``workdir`` when given (kept, for tests),
    else in a temporary directory removed at the end. Raises :class:`DemoTimeout` after
    ``options.timeout_s`` and :class:`DemoError` when the bot does not answer as expected; the
    bot and the stand-in are stopped in every case."""
    from storage.db import dispose_engine

    options = options or DemoOptions()
    out = out or sys.stdout
    err = err or sys.stderr
    loopback_without_proxy()
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="baocao-demo-", dir=_scratch_dir())))
        url = f"sqlite:///{workdir / 'demo.sqlite3'}"
        limit = asyncio.timeout(options.timeout_s)
        try:
            async with limit:
                return await _simulate(options, url, workdir, out, err)
        except Exception as exc:  # noqa: BLE001 - sorted out below; anything else is re-raised
            if limit.expired():
                raise DemoTimeout(
                    f"bản chạy thử vượt quá {options.timeout_s:g} giây nên đã dừng (bot và máy chủ giả lập đã tắt); "
                    "thử lại với --agencies nhỏ hơn hoặc khi máy bớt tải"
                ) from exc
            leaf = _leaf(exc)
            if isinstance(leaf, DemoError):
                raise leaf from exc
            if isinstance(leaf, TimeoutError):  # the stand-in's wait_for: the bot did not answer
                raise DemoError(f"bot không trả lời như mong đợi: {str(leaf).splitlines()[0]}") from exc
            raise
        finally:
            dispose_engine(url)


def _leaf(exc: BaseException) -> BaseException:
    """The first exception inside (nested) exception groups (a TaskGroup wraps its tasks' errors)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


__all__ = [
    "DemoError",
    "DemoOptions",
    "DemoResult",
    "DemoTimeout",
    "PeriodInfo",
    "PeriodSummary",
    "Progress",
    "SUMMARY_TITLE",
    "Script",
    "choose_agencies",
    "compose",
    "format_summary",
    "person_names",
    "run_demo",
    "summarise",
    "telegram_texts",
    "write_reports",
    "write_script",
]
