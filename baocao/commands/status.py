"""``baocao status``: who has reported, who is late, and each task's status in a period."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from baocao.context import Context
from baocao.commands._common import (
    add_period_argument,
    add_plan_argument,
    calendar_or_fail,
    period_or_fail,
    plans_for_period_or_fail,
)

if TYPE_CHECKING:
    from reports.status import AgencyStatus, PeriodStatus, TaskStatus
    from scheduler.calendar import WorkingCalendar

# Keyed by reports.status.STATES and STATUS_KEYS, spelled out so that registering the command
# does not import reports.status (and SQLAlchemy with it); a test checks that the keys agree.
STATE_TITLES = {
    "on_time": "Đã báo cáo đúng hạn",
    "late": "Đã báo cáo nhưng muộn",
    "partial": "Báo cáo một phần",
    "missing": "Chưa báo cáo",
}

# Sở Tư pháp's review (reports.status.REVIEW_STATES but "unreviewed", which is only counted).
REVIEW_TITLES = {
    "accepted": "Sở Tư pháp đã tiếp nhận",
    "returned": "Sở Tư pháp yêu cầu bổ sung",
    "supplemented": "Sở Tư pháp yêu cầu bổ sung, cơ quan đã gửi bổ sung",
}

STATUS_LABELS = {
    "done": "đã hoàn thành",
    "in_progress": "đang thực hiện",
    "not_started": "chưa thực hiện",
    "not_arisen": "không phát sinh",
    "unspecified": "chưa nêu tiến độ",
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "status",
        help="tình hình báo cáo của một kỳ: cơ quan nào đã báo cáo, muộn, còn thiếu; tiến độ từng nhiệm vụ",
        description=(
            "Tình hình báo cáo của một kỳ. Trước khi tính, đồng bộ danh mục cơ quan và nghĩa vụ báo cáo "
            "của năm từ tệp kế hoạch vào cơ sở dữ liệu (BAOCAO_DATABASE_URL)."
        ),
    )
    add_period_argument(parser, default="không kèm năm là năm hiện tại; mặc định: kỳ đang tổng hợp hoặc kỳ sắp đến hạn")
    parser.add_argument("--json", action="store_true", help="in JSON")
    add_plan_argument(
        parser,
        default="mặc định: mọi kế hoạch đang có hiệu lực, lần lượt từng kế hoạch (JSON: một đối tượng cho mỗi "
        "kế hoạch, thành danh sách khi có nhiều kế hoạch)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from reports.status import period_status
    from scheduler.deadlines import obligations
    from scheduler.sync import sync_agencies, sync_obligations
    from storage.db import get_session, open_database

    plans = plans_for_period_or_fail(ctx, args.plan, args.period, several=True)
    cal = calendar_or_fail(ctx)
    periods = [(plan, *period_or_fail(ctx, plan, cal, args.period)) for plan in plans]
    now = ctx.now()
    engine = open_database(ctx.settings.database_url)
    statuses = []
    with get_session(engine) as session:
        for plan, year, code in periods:
            # The plan file is the truth: a fresh database gets its obligations, an edited plan
            # is reflected (withdrawn obligations stop counting) before anything is counted.
            sync_agencies(session, plan, now=now)
            sync_obligations(session, plan, obligations(plan, cal, year), years=[year], now=now)
            session.commit()
            statuses.append((plan, period_status(session, plan, f"{year}-{code}", now, ctx.settings.tz, cal=cal)))
            session.rollback()  # read-only from here; end the transaction
    if args.json:
        rows = [{"plan": plan.plan.id, **status.as_dict()} for plan, status in statuses]
        print(json.dumps(rows[0] if len(rows) == 1 else rows, ensure_ascii=False, indent=2))
    elif len(statuses) == 1:
        print(render(statuses[0][1], cal))
    else:
        print("\n\n".join(f"Kế hoạch số {plan.plan.number}: {plan.plan.title}\n{render(status, cal)}" for plan, status in statuses))
    return 0


# --- text --------------------------------------------------------------------------------


def _tasks(numbers: tuple[str, ...] | list[str]) -> str:
    return "NV " + ", ".join(numbers)


def _contacts(agency: AgencyStatus) -> str:
    if not agency.contacts:
        return "chưa có đầu mối"
    names = [c.display_name or f"chat {c.chat_id}" for c in agency.contacts]
    return "đầu mối: " + ", ".join(names)


def _agency_line(agency: AgencyStatus) -> str:
    from common.vndate import format_date_short
    from reports.status import LATE, ON_TIME, PARTIAL

    last = agency.last_submitted_at
    sent = f"gửi lần cuối {format_date_short(last.date())}" if last is not None else None
    if agency.state == ON_TIME:
        detail = [sent]
    elif agency.state == LATE:
        detail = [sent, f"muộn {_tasks(agency.late_tasks)}"]
    elif agency.state == PARTIAL:
        detail = [f"còn thiếu {_tasks(agency.missing_tasks)}", sent, _contacts(agency)]
    else:
        detail = [_contacts(agency)]
    if agency.extended:
        detail.append(f"gia hạn đến {format_date_short(agency.due)}")
    state = agency.review_state
    if state in REVIEW_TITLES:
        review = REVIEW_TITLES[state]
        if state == "returned" and agency.review is not None and agency.review.reason:
            review += f": {' '.join(agency.review.reason.split())}"
        detail.append(review)
    text = "; ".join(part for part in detail if part)
    return f"  - {agency.agency}" + (f" ({text})" if text else "")


def _task_line(task: TaskStatus) -> str:
    parts = [f"{task.reported_by}/{task.assigned_to} cơ quan đã báo cáo"]
    statuses = [f"{STATUS_LABELS.get(key, key)} {n}" for key, n in task.statuses.items() if n]
    if statuses:
        parts.append(", ".join(statuses))
    if task.average_percent is not None:
        parts.append(f"tiến độ bình quân {task.average_percent:g}%".replace(".", ","))
    if task.difficulties:
        parts.append(f"{task.difficulties} cơ quan nêu khó khăn, vướng mắc")
    return f"  NV{task.no}. {task.title}: " + "; ".join(parts)


def _timing(status: PeriodStatus, cal: WorkingCalendar | None) -> str:
    from common.vndate import format_date_short

    today = status.now.date()
    at = f"Tính đến {status.now:%H:%M} ngày {format_date_short(today)}"
    if today == status.due:
        return f"{at}: hôm nay là hạn gửi báo cáo."
    if cal is None:
        return f"{at}: {'đã quá hạn gửi báo cáo' if status.overdue else 'chưa đến hạn gửi báo cáo'}."
    days = cal.working_days_between(today, status.due)
    if days > 0:
        return f"{at}: còn {days} ngày làm việc đến hạn gửi báo cáo."
    if days < 0:
        return f"{at}: đã quá hạn gửi báo cáo {-days} ngày làm việc."
    # Today is a day off and the due date the last working day before it.
    return f"{at}: đã quá hạn gửi báo cáo." if status.overdue else f"{at}: chưa đến hạn gửi báo cáo."


def render(status: PeriodStatus, cal: WorkingCalendar | None = None) -> str:
    """The period's status in formal Vietnamese, for a terminal or a chat message."""
    from common.vndate import format_date_short, format_date_vi
    from reports.status import LATE, MISSING, ON_TIME, PARTIAL, STATES

    counts = status.counts
    lines = [
        f"Tình hình báo cáo {status.period_name} — hạn {format_date_vi(status.due)}",
        f"Hạn Sở Tư pháp tổng hợp: {format_date_vi(status.consolidation_due)}",
        _timing(status, cal),
        f"Đã báo cáo: {status.reported}/{status.total} (đúng hạn {counts[ON_TIME]}, muộn {counts[LATE]}); "
        f"báo cáo một phần: {counts[PARTIAL]}; chưa báo cáo: {counts[MISSING]}",
    ]
    reviews = status.review_counts
    if reviews["accepted"] or reviews["returned"] or reviews["supplemented"]:
        lines.append(
            f"Sở Tư pháp đã tiếp nhận: {reviews['accepted']}; yêu cầu bổ sung: {reviews['returned'] + reviews['supplemented']} "
            f"(đã gửi bổ sung: {reviews['supplemented']}); chưa xem xét: {reviews['unreviewed']}"
        )
    extended = status.extended
    if extended:
        lines.append(
            f"Được gia hạn ({len(extended)}): " + ", ".join(f"{a.agency} đến {format_date_short(a.due)}" for a in extended)
        )
    if not status.agencies:
        lines.append("")
        lines.append("Không có cơ quan nào phải báo cáo trong kỳ này.")
        return "\n".join(lines)
    for state in STATES:
        agencies = status.by_state(state)
        if not agencies:
            continue
        lines.append("")
        lines.append(f"{STATE_TITLES[state]} ({len(agencies)}):")
        lines.extend(_agency_line(agency) for agency in agencies)
    if status.tasks:
        lines.append("")
        lines.append("Theo nhiệm vụ:")
        lines.extend(_task_line(task) for task in status.tasks)
    return "\n".join(lines)
