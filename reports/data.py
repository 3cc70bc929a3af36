"""Everything the consolidated report (báo cáo tổng hợp) states, gathered in one place.

:func:`gather` reads the database once per report and returns a :class:`ReportData` that the
renderers (Word, Excel, Markdown, the chart) only format: none of them queries or computes
anything of its own, so the four files always say the same thing.

What it builds on, and the choices made here:

- **States and the latest revision** come from :func:`reports.status.period_status` (three
  queries), the same computation as ``/tinhhinh`` and ``baocao status``: only active
  obligations count; the latest revision of each (agency, task) is what the report states;
  an answer is late only when no revision of it was submitted on time.
- **Every revision** (the Excel annex's second sheet) is one more query: each
  ``report_entry`` row of the period's active obligations with its submission's source, the
  focal point who sent it and the number of evidence files sent with that submission.
- **History** (the chart's bars per period) is ``period_status`` of the year's earlier
  periods, asked only when the chart is drawn.
- **Per task**: the lead agencies' answers (in the plan's order of leads), then the
  coordinating agencies' contributions (directory order), the agencies that owe the task and
  have not answered it, and the difficulties raised on it. A sub-item's answer ("1a") is
  shown under its task with the sub-item named.
- **Khó khăn, vướng mắc** are the answers the reply parser flagged with a difficulty;
  **kiến nghị, đề xuất** are the clauses of any answer that contain "kiến nghị", "đề nghị"
  or "đề xuất" (diacritics optional), cut from that word to the end of the sentence, each
  with the agency that wrote it. A request for more time ("đề nghị gia hạn đến 30/3") is
  neither: the bot takes it as an extension request and never stores it as an answer, and a
  clause of one found in an older answer is left out of both lists.
- **Gia hạn**: the extension requests Sở Tư pháp approved or declined for the period (one
  query), with the dates; an approved one is the agency's new due date in the status.
- **Review**: each agency's latest review (tiếp nhận / yêu cầu bổ sung) comes with its status
  and is shown per agency in the annex.
- Names, numbers and dates come from the plan and the database; the header's issuing body,
  the report's number suffix and the place are derived from ``plan.issuer``,
  ``plan.number`` and ``plan.province``.

Datetimes are aware and in the display time zone (``tz``, default the plan's reminder zone).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from common import tasks as taskrefs
from common.labels import DUTY_ROLES, ENTRY_STATUSES, UNSPECIFIED_LABEL
from common.text import fold, slugify
from common.vndate import format_date_short, format_date_vi
from reports import prose
from reports import status as st
from reports.prose import is_extension_request, xml_safe
from scheduler.calendar import WorkingCalendar
from scheduler.deadlines import period_dates
from scheduler.plan import Plan
from storage.models import Contact, Evidence, ExtensionStatus, Obligation, ObligationStatus, Report, ReportEntry
from storage.queries import task_sort_key

# --- words ----------------------------------------------------------------------------------

STATUS_LABELS: dict[str, str] = {**ENTRY_STATUSES, st.UNSPECIFIED: UNSPECIFIED_LABEL}
STATE_LABELS: dict[str, str] = {
    st.ON_TIME: "đã báo cáo đúng hạn",
    st.LATE: "đã báo cáo, có nhiệm vụ gửi muộn",
    st.PARTIAL: "báo cáo chưa đầy đủ",
    st.MISSING: "chưa báo cáo",
}
ROLE_LABELS: dict[str, str] = DUTY_ROLES
# How a submission came; a chat message is named by its channel ("Telegram", "Zalo").
SOURCE_LABELS: dict[str, str] = {"chat": "tin nhắn", "cli": "dòng lệnh", "import": "nhập từ tệp"}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source) or source.replace("_", " ").title()


REVIEW_LABELS: dict[str, str] = {
    st.ACCEPTED: "tiếp nhận",
    st.RETURNED: "yêu cầu bổ sung",
    st.SUPPLEMENTED: "yêu cầu bổ sung, cơ quan đã gửi bổ sung",
}
EXTENSION_LABELS: dict[str, str] = {
    ExtensionStatus.APPROVED.value: "đồng ý",
    ExtensionStatus.DECLINED.value: "không đồng ý",
    ExtensionStatus.PENDING.value: "đang xem xét",
}

# What marks a recommendation in a reply, folded (no diacritics, lower case).
RECOMMENDATION_WORDS = ("kien nghi", "de nghi", "de xuat")
_RECOMMENDATION = re.compile(r"(?<![a-z])(?:" + "|".join(RECOMMENDATION_WORDS) + r")(?![a-z])")
# "NV4:", "NV 1a -", "Nhiệm vụ 4." at the start of an answer: the report names the task itself.
_TASK_PREFIX = re.compile(r"^\s*(?:nv|nhiệm vụ|nhiem vu)\s*\.?\s*\d+[a-zđ]?\s*[:.)\-–]\s*", re.IGNORECASE)
# Sentence ends; a dot before a digit (2.5, 27-NQ/TW … 09.11) is not one.
_SENTENCE_END = re.compile(r"[;!?\n]+|\.(?![0-9])\s*")


def percent_text(value: float | int | None) -> str:
    """``72.5`` → ``"72,5%"`` (Vietnamese decimal comma); ``None`` → ``""``."""
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",") + "%"


def clean_text(text: str) -> str:
    """An answer's text without its leading task reference, on one line, fit for XML."""
    return " ".join(_TASK_PREFIX.sub("", xml_safe(text), count=1).split())


# A status and percent at the start of an answer ("đang thực hiện 70%, …"): the report shows
# them in their own words already.
_LEADING_STATUS = re.compile(
    r"^(?:(?:đã\s+)?(?:hoàn\s+thành|xong)|đang\s+(?:thực\s+hiện|triển\s+khai)|chưa\s+(?:triển\s+khai|thực\s+hiện))?"
    r"\s*(?:(?:được|đạt)\s*)?(?:\d{1,3}\s*%)?\s*(?:[,;:.\-–]\s*|$)",
    re.IGNORECASE,
)


def narrative(text: str) -> str:
    """What an answer says beyond its status and percent: ``"NV4: đang thực hiện 70%, vướng
    kinh phí"`` → ``"vướng kinh phí"``; ``"NV2: hoàn thành"`` → ``""``."""
    text = clean_text(text)
    match = _LEADING_STATUS.match(text)
    if match is not None and match.end() > 0:
        text = text[match.end() :].strip()
    return text


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def without_extension_requests(text: str) -> str:
    """``text`` without its clauses that ask for more time (comma-separated parts included):
    ``"vướng kinh phí, đề nghị gia hạn đến 30/3"`` → ``"vướng kinh phí"``."""
    kept: list[str] = []
    for sentence in re.split(r"([;\n]+|\.(?![0-9])\s*)", text):
        if not sentence or re.fullmatch(r"[;\n]+|\.(?![0-9])\s*", sentence):
            kept.append(sentence)
            continue
        parts = sentence.split(",")
        start = next((i for i, part in enumerate(parts) if is_extension_request(part)), None)
        kept.append(sentence if start is None else ",".join(parts[:start]))
    out = "".join(kept).strip(" ,;:.-–")
    return re.sub(r"\s*([;.])\s*(?:[;.]\s*)+", r"\1 ", out).strip(" ,;:-–")


def recommendation_clauses(text: str) -> list[str]:
    """The recommendations in an answer: each sentence that contains "kiến nghị", "đề nghị"
    or "đề xuất", from the comma-separated part where that word appears to the end of the
    sentence, capitalised and without final punctuation. A request for more time is not one
    (:func:`is_extension_request`)."""
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = clean_text(sentence).strip(" ,:-–")
        if not sentence or not _RECOMMENDATION.search(fold(sentence)):
            continue
        parts = sentence.split(",")
        cut = next((i for i, part in enumerate(parts) if is_extension_request(part)), None)
        if cut is not None:
            parts = parts[:cut]
            if not parts or not any(_RECOMMENDATION.search(fold(part)) for part in parts):
                continue
        start = next(i for i, part in enumerate(parts) if _RECOMMENDATION.search(fold(part)) or i == len(parts) - 1)
        clause = ",".join(parts[start:]).strip(" ,:-–")
        if clause and clause not in out:
            out.append(_capitalize(clause))
    return out


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One agency's current answer (latest revision) on a task or one of its sub-items."""

    agency_id: str
    agency: str
    role: str  # lead | coordinator
    request: bool  # lead by request ("Đề nghị Hội Luật gia tỉnh")
    entry: st.TaskEntry

    @property
    def text(self) -> str:
        """The answer's own words beyond status and percent (see :func:`narrative`)."""
        return narrative(self.entry.text)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.entry.status or st.UNSPECIFIED, STATUS_LABELS[st.UNSPECIFIED])


@dataclass(frozen=True)
class Finding:
    """A difficulty or a recommendation raised by an agency on a task."""

    agency_id: str
    agency: str
    task: str
    text: str


@dataclass(frozen=True)
class TaskReport:
    """One task of the period as the report presents it."""

    no: str
    title: str
    time_frame: str | None
    lead_text: str | None  # the plan's own words for the lead ("Đề nghị Hội Luật gia tỉnh")
    lead_is_request: bool
    summary: st.TaskStatus
    leads: tuple[Contribution, ...]
    silent_leads: tuple[str, ...]  # names of lead agencies that owe the task and have not answered
    coordinators: tuple[Contribution, ...]
    silent_coordinators: tuple[str, ...]
    difficulties: tuple[Finding, ...]

    @property
    def reported(self) -> bool:
        return bool(self.leads or self.coordinators)

    @property
    def lead_names(self) -> tuple[str, ...]:
        return self.summary.lead


@dataclass(frozen=True)
class AnnexRow:
    """One agency × one task (or one answered sub-item) for the Excel annex."""

    agency_id: str
    agency: str
    task: str  # "4", or "1a" when the agency answered a sub-item
    task_title: str
    role: str
    request: bool
    agency_state: str
    entry: st.TaskEntry | None
    agency_due: date | None = None  # the agency's due date (an approved extension moves it)
    extended: bool = False
    review_state: str | None = None  # accepted | returned | supplemented | None
    review_reason: str | None = None

    @property
    def revisions(self) -> int:
        """How many times the agency sent this answer (revisions are numbered 1, 2, …)."""
        return 0 if self.entry is None else self.entry.revision


@dataclass(frozen=True)
class Revision:
    """One stored revision of an answer: the annex's second sheet."""

    agency_id: str
    agency: str
    task: str
    revision: int
    status: str | None
    percent: int | None
    difficulty: bool
    text: str
    submitted_at: datetime  # local
    late: bool  # this revision was submitted after the due date
    source: str
    sender: str | None
    evidence: int  # files sent with the same submission
    latest: bool  # the revision the report states


@dataclass(frozen=True)
class ExtensionRow:
    """An extension Sở Tư pháp approved or declined, for the report's "Gia hạn" part."""

    agency_id: str
    agency: str
    plan_due: date  # the due date the request was made against (the plan's)
    info: st.ExtensionInfo

    @property
    def approved(self) -> bool:
        return self.info.status == ExtensionStatus.APPROVED.value


@dataclass(frozen=True)
class NextPeriod:
    key: str
    name: str
    due: date


@dataclass(frozen=True)
class ReportData:
    """Everything one period's consolidated report states."""

    plan: Plan
    status: st.PeriodStatus
    generated_at: datetime  # local
    cutoff_from: date
    cutoff_to: date
    tasks: tuple[TaskReport, ...]
    rows: tuple[AnnexRow, ...]
    difficulties: tuple[Finding, ...]
    recommendations: tuple[Finding, ...]
    revisions: tuple[Revision, ...] | None = None  # None: not gathered
    history: tuple[st.PeriodStatus, ...] = ()  # the year's periods up to this one (chart)
    next_period: NextPeriod | None = None
    task_titles: dict[str, str] = field(default_factory=dict)
    extensions: tuple[ExtensionRow, ...] = ()  # approved and declined, in request order

    # -- the plan's words ------------------------------------------------------------------

    @property
    def period(self) -> str:
        return self.status.period

    @property
    def period_name(self) -> str:
        return self.status.period_name

    @property
    def province(self) -> str | None:
        return self.plan.plan.province

    @property
    def issuer(self) -> str:
        """The issuing body as it names itself: "Ban Cán sự Đảng UBND tỉnh" (without the
        province, which the header's first line and the place carry)."""
        issuer = self.plan.plan.issuer.strip()
        province = (self.province or "").strip()
        if province and issuer.endswith(" " + province):
            return issuer[: -len(province) - 1].strip()
        return issuer

    @property
    def number_suffix(self) -> str:
        """``124-KH/BCSĐ`` → ``BCSĐ``: the issuer's part of a document number."""
        number = self.plan.plan.number
        return number.rsplit("/", 1)[1] if "/" in number else ""

    @property
    def file_stem(self) -> str:
        """``bao-cao-124-kh-bcsd-2024-Q1``: ASCII, for file names."""
        return f"bao-cao-{slugify(self.plan.plan.number)}-{self.period}"

    @property
    def silent_tasks(self) -> tuple[TaskReport, ...]:
        """Tasks no agency has answered in the period."""
        return tuple(task for task in self.tasks if not task.reported)

    def by_state(self, state: str) -> list[st.AgencyStatus]:
        return self.status.by_state(state)


# --- gathering ------------------------------------------------------------------------------





class _Refs:
    """Task references of a plan: sub-item → task, titles, time frames."""

    def __init__(self, plan: Plan) -> None:
        self.parent: dict[str, str] = {}
        self.title: dict[str, str] = {}
        for task in plan.tasks:
            self.parent[task.no] = task.no
            self.title[task.no] = task.title
            for item in task.items:
                self.parent[item.no] = task.no
                self.title[item.no] = item.title

    def parent_of(self, ref: str) -> str:
        return self.parent.get(ref) or taskrefs.parent(ref) or ref


def _task_reports(plan: Plan, status: st.PeriodStatus, refs: _Refs) -> tuple[TaskReport, ...]:
    out = []
    for summary in status.tasks:
        no = summary.no
        task = plan.task_by_no.get(no)
        lead_order = {agency_id: i for i, agency_id in enumerate(summary.lead_ids)}
        leads: list[tuple[int, list[Contribution], str]] = []
        coordinators: list[Contribution] = []
        silent_leads: list[tuple[int, str]] = []
        silent_coordinators: list[str] = []
        difficulties: list[Finding] = []
        for index, agency in enumerate(status.agencies):
            duty = agency.role_of(no)
            if duty is None:
                continue
            entries = [e for e in agency.entries if refs.parent_of(e.task) == no]
            contributions = [
                Contribution(agency.agency_id, agency.agency, str(duty.role), duty.request, entry) for entry in entries
            ]
            for entry in entries:
                # The difficulty clauses of the agency's own segment (reports.prose): a request
                # for more time is not one, a result or a recommendation beside it neither.
                for clause in prose.read(entry.text).difficulties:
                    difficulties.append(Finding(agency.agency_id, agency.agency, entry.task, _capitalize(clause)))
            order = lead_order.get(agency.agency_id, len(lead_order) + index)
            if duty.role == "lead":
                if contributions:
                    leads.append((order, contributions, agency.agency))
                else:
                    silent_leads.append((order, agency.agency))
            elif contributions:
                coordinators.extend(contributions)
            else:
                silent_coordinators.append(agency.agency)
        leads.sort(key=lambda item: item[0])
        silent_leads.sort()
        out.append(
            TaskReport(
                no=no,
                title=summary.title,
                time_frame=task.time_frame.text if task is not None else None,
                lead_text=task.lead_text if task is not None else None,
                lead_is_request=summary.lead_is_request,
                summary=summary,
                leads=tuple(c for _, contributions, _ in leads for c in contributions),
                silent_leads=tuple(name for _, name in silent_leads),
                coordinators=tuple(coordinators),
                silent_coordinators=tuple(silent_coordinators),
                difficulties=tuple(difficulties),
            )
        )
    return tuple(out)


def _rows(status: st.PeriodStatus, refs: _Refs) -> tuple[AnnexRow, ...]:
    out: list[AnnexRow] = []
    for agency in status.agencies:
        for duty in agency.tasks:
            entries = [e for e in agency.entries if refs.parent_of(e.task) == duty.no]
            common = dict(
                agency_id=agency.agency_id,
                agency=agency.agency,
                role=str(duty.role),
                request=duty.request,
                agency_state=agency.state,
                agency_due=agency.due,
                extended=agency.extended,
                review_state=agency.review_state,
                review_reason=agency.review.reason if agency.review is not None and agency.review.decision == st.RETURNED else None,
            )
            if not entries:
                out.append(AnnexRow(task=duty.no, task_title=refs.title.get(duty.no, ""), entry=None, **common))  # type: ignore[arg-type]
            for entry in entries:
                out.append(AnnexRow(task=entry.task, task_title=refs.title.get(entry.task, ""), entry=entry, **common))  # type: ignore[arg-type]
    return tuple(out)


def _findings(tasks: Sequence[TaskReport]) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    difficulties = tuple(f for task in tasks for f in task.difficulties)
    recommendations: list[Finding] = []
    for task in tasks:
        for contribution in (*task.leads, *task.coordinators):
            for clause in prose.read(contribution.entry.text).recommendations:
                recommendations.append(Finding(contribution.agency_id, contribution.agency, contribution.entry.task, _capitalize(clause)))
    return difficulties, tuple(recommendations)


def _general_difficulties(session: Session, status: st.PeriodStatus) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    """The "Khó khăn, vướng mắc" part of each agency's latest report that names no task (task
    "" in the finding: the agency's, for the period): its recommendations ("Kiến nghị …") as
    recommendations, everything else in it as difficulties."""
    by_obligation = {a.obligation_id: a for a in status.agencies}
    if not by_obligation:
        return (), ()
    rows = session.exec(
        select(Report.obligation_id, Report.general_text, Report.submitted_at, Report.id)
        .where(Report.obligation_id.in_(list(by_obligation)), Report.general_difficulty == True)  # type: ignore[attr-defined]  # noqa: E712
        .where(Report.submitted_at <= status.now)  # type: ignore[operator]
        .order_by(Report.submitted_at, Report.id)  # type: ignore[arg-type]
    ).all()
    latest: dict[int, str] = {}
    for obligation_id, text, _at, _id in rows:
        latest[obligation_id] = text or ""
    difficulties: list[Finding] = []
    recommendations: list[Finding] = []
    for obligation_id, text in latest.items():
        agency = by_obligation[obligation_id]
        body = " ".join(_GENERAL_HEADING.sub(" ", text).split())
        said = prose.read(body)
        for clause in (*said.difficulties, *said.results):
            difficulties.append(Finding(agency.agency_id, agency.agency, "", _capitalize(clause)))
        for clause in said.recommendations:
            recommendations.append(Finding(agency.agency_id, agency.agency, "", _capitalize(clause)))
    return tuple(difficulties), tuple(recommendations)


# "II. KHÓ KHĂN, VƯỚNG MẮC", "Khó khăn, vướng mắc:" opening the general part: the report has its own heading
_GENERAL_HEADING = re.compile(
    r"^\s*(?:[IVXivx]+\s*[.)]|[A-Ea-e]\s*[.)]|\d+\s*[.)])?\s*(?:Khó khăn|Vướng mắc|KHÓ KHĂN|VƯỚNG MẮC)"
    r"[^\n:]{0,40}(?::|\n)", re.MULTILINE,
)


def _revisions(session: Session, plan: Plan, status: st.PeriodStatus, zone: ZoneInfo) -> tuple[Revision, ...]:
    """Every revision of every answer of the period's active obligations: one query."""
    if not status.agencies:
        return ()
    obligations = select(Obligation.id).where(
        Obligation.plan_id == plan.plan.id,
        Obligation.period == status.period,
        Obligation.status == ObligationStatus.ACTIVE,
    )
    evidence = (
        select(Evidence.report_id.label("report_id"), func.count().label("files"))  # type: ignore[attr-defined]
        .group_by(Evidence.report_id)
        .subquery()
    )
    statement = (
        select(ReportEntry, Report.source, Report.channel, Contact.display_name, evidence.c.files)
        .join(Report, Report.id == ReportEntry.report_id)  # type: ignore[arg-type]
        .join(Contact, Contact.id == Report.contact_id, isouter=True)  # type: ignore[arg-type]
        .join(evidence, evidence.c.report_id == Report.id, isouter=True)
        .where(ReportEntry.obligation_id.in_(obligations))  # type: ignore[attr-defined]
        .where(ReportEntry.submitted_at <= status.now)  # type: ignore[operator]  # as of the report's moment
    )
    by_obligation = {a.obligation_id: (index, a) for index, a in enumerate(status.agencies)}
    rows = [row for row in session.exec(statement).all() if row[0].obligation_id in by_obligation]
    newest: dict[tuple[int, str], int] = {}
    for entry, *_ in rows:
        key = (entry.obligation_id, entry.task_no)
        newest[key] = max(newest.get(key, 0), entry.revision)
    rows.sort(key=lambda row: (by_obligation[row[0].obligation_id][0], task_sort_key(row[0].task_no), row[0].revision))
    out = []
    for entry, source, channel, sender, files in rows:
        agency = by_obligation[entry.obligation_id][1]
        out.append(
            Revision(
                agency_id=agency.agency_id,
                agency=agency.agency,
                task=entry.task_no,
                revision=entry.revision,
                status=None if entry.status is None else str(entry.status),
                percent=entry.percent,
                difficulty=bool(entry.difficulty),
                text=entry.text,
                submitted_at=st.to_local(entry.submitted_at, zone),
                late=bool(entry.late),
                source=str(channel) if str(source) == "chat" and channel else str(source),
                sender=None if sender is None else xml_safe(sender),
                evidence=int(files or 0),
                latest=entry.revision == newest[(entry.obligation_id, entry.task_no)],
            )
        )
    return tuple(out)


def _extensions(session: Session, plan: Plan, status: st.PeriodStatus, zone: ZoneInfo) -> tuple[ExtensionRow, ...]:
    """The period's extension requests, decided or not: one query."""
    if not status.agencies:
        return ()
    by_obligation = {a.obligation_id: (index, a) for index, a in enumerate(status.agencies)}
    found = st.extensions(session, list(by_obligation), zone)
    rows = []
    for obligation_id, infos in found.items():
        index, agency = by_obligation[obligation_id]
        plan_due = agency.plan_due if agency.plan_due is not None else agency.due
        for info in infos:
            if info.requested_at > status.now:
                continue  # asked after the report's moment
            if info.decided_at is not None and info.decided_at > status.now:
                info = dataclasses.replace(info, status=ExtensionStatus.PENDING.value, decided_at=None, decided_by=None)
            rows.append((info.requested_at, index, ExtensionRow(agency.agency_id, agency.agency, plan_due, info)))
    rows.sort(key=lambda row: (row[0], row[1], row[2].info.id))
    return tuple(row for _, _, row in rows)


def period_history(
    session: Session,
    plan: Plan,
    status: st.PeriodStatus,
    now: datetime,
    tz: ZoneInfo | str | None = None,
    *,
    cal: WorkingCalendar | None = None,
) -> tuple[st.PeriodStatus, ...]:
    """The year's periods, in the plan's order, up to and including ``status``'s own."""
    out: list[st.PeriodStatus] = []
    for period in plan.periods_of(status.year) or plan.reporting.periods:
        if period.code == status.period_code:
            out.append(status)
            break
        out.append(st.period_status(session, plan, f"{status.year}-{period.code}", now, tz, cal=cal, as_of=True))
    return tuple(out)


def _next_period(plan: Plan, status: st.PeriodStatus, cal: WorkingCalendar | None) -> NextPeriod | None:
    codes = [p.code for p in plan.periods_of(status.year)]
    index = codes.index(status.period_code) if status.period_code in codes else len(codes)
    following = [p.code for p in plan.periods_of(status.year + 1)]
    if index + 1 < len(codes):
        year, code = status.year, codes[index + 1]
    elif following:
        year, code = status.year + 1, following[0]
    else:
        return None
    cal = cal if cal is not None else WorkingCalendar.load()
    _, _, _, due, _ = period_dates(plan.period_by_code[code], year, cal, plan.reporting.consolidation_working_days)
    key = f"{year}-{code}"
    return NextPeriod(key, plan.period_name(key), due)


def gather(
    session: Session,
    plan: Plan,
    period: str,
    now: datetime,
    tz: ZoneInfo | str | None = None,
    *,
    cal: WorkingCalendar | None = None,
    revisions: bool = True,
    history: bool = True,
) -> ReportData:
    """What the report of ``period`` (``"2024-Q1"``) states, as of ``now``.

    ``revisions`` (the annex's second sheet) and ``history`` (the chart's earlier periods)
    cost one and three queries per period; leave them out for a format that does not show
    them; the extensions granted and declined are one more query, the agencies' general parts
    ("Khó khăn, vướng mắc" naming no task) one more. Raises
    :class:`reports.status.PeriodError` for a period the plan does not have.
    """
    zone = plan.zone(tz)
    # As of ``now``: a draft made for an earlier moment states the situation then.
    status = st.period_status(session, plan, period, now, zone, cal=cal, as_of=True)
    refs = _Refs(plan)
    tasks = _task_reports(plan, status, refs)
    difficulties, recommendations = _findings(tasks)
    general_difficulties, general_recommendations = _general_difficulties(session, status)
    difficulties += general_difficulties
    recommendations += general_recommendations
    definition = plan.period_by_code[status.period_code]
    return ReportData(
        plan=plan,
        status=status,
        generated_at=st.to_local(now, zone),
        cutoff_from=definition.cutoff_from.in_year(status.year),
        cutoff_to=definition.cutoff_to.in_year(status.year),
        tasks=tasks,
        rows=_rows(status, refs),
        difficulties=difficulties,
        recommendations=recommendations,
        revisions=_revisions(session, plan, status, zone) if revisions else None,
        history=period_history(session, plan, status, now, zone, cal=cal) if history else (status,),
        next_period=_next_period(plan, status, cal),
        task_titles=dict(refs.title),
        extensions=_extensions(session, plan, status, zone),
    )


def extension_text(row: ExtensionRow) -> tuple[str, str]:
    """``(agency with the task, what was asked and answered)`` of one extension, e.g.
    ``("Công an tỉnh (nhiệm vụ 4)", "đề nghị ngày 18/03/2024 gia hạn đến ngày 30 tháng 3 năm
    2024 (hạn gửi ngày 15 tháng 3 năm 2024); Sở Tư pháp đồng ý ngày 19/03/2024")``."""
    info = row.info
    head = row.agency + (f" (nhiệm vụ {info.task})" if info.task else "")
    text = (
        f"đề nghị ngày {format_date_short(info.requested_at.date())} gia hạn đến "
        f"{format_date_vi(info.until, weekday=False)} (hạn gửi {format_date_vi(row.plan_due, weekday=False)})"
    )
    answer = "đồng ý" if row.approved else "không đồng ý"
    when = f" ngày {format_date_short(info.decided_at.date())}" if info.decided_at is not None else ""
    return head, f"{text}; Sở Tư pháp {answer}{when}"


def names(items: Iterable[str]) -> str:
    """"A, B và C"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " và " + items[-1]


__all__ = [
    "EXTENSION_LABELS",
    "REVIEW_LABELS",
    "ROLE_LABELS",
    "SOURCE_LABELS",
    "source_label",
    "STATE_LABELS",
    "STATUS_LABELS",
    "AnnexRow",
    "Contribution",
    "ExtensionRow",
    "Finding",
    "NextPeriod",
    "ReportData",
    "Revision",
    "TaskReport",
    "clean_text",
    "extension_text",
    "gather",
    "is_extension_request",
    "names",
    "narrative",
    "percent_text",
    "period_history",
    "recommendation_clauses",
    "without_extension_requests",
    "xml_safe",
]
