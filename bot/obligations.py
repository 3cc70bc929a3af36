"""What an agency owes and which period a report lands on: the questions several handlers ask."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.turn import Turn
from common import tasks as taskrefs
from common.i18n import Translator
from common.message import Text
from common.vndate import format_date_vi
from scheduler.plan import Plan
from storage.models import Obligation, ObligationStatus, Outbox, OutboxMessage
from storage.queries import missing_tasks


def of_agency(session: Session, agency_id: str, plan_ids: list[str] | None = None) -> list[Obligation]:
    """The agency's active obligations, by due date."""
    statement = select(Obligation).where(Obligation.agency_id == agency_id, Obligation.status == ObligationStatus.ACTIVE)
    if plan_ids is not None:
        statement = statement.where(col(Obligation.plan_id).in_(plan_ids))
    return sorted(session.exec(statement).all(), key=lambda o: (o.due, o.id or 0))


def agency_name(turn: Turn, agency_id: str) -> str:
    """The agency's name: from the plans, else from the directory kept in the database (an
    agency an edited plan no longer names), else its id."""
    name = turn.ctx.plans.agency_name(agency_id)
    if name != agency_id:
        return name
    from storage.models import Agency

    row = turn.session.get(Agency, agency_id)
    return row.name if row is not None else agency_id


def missing(session: Session, ob: Obligation) -> list[str]:
    return missing_tasks(session, ob)


def replied_obligation(turn: Turn) -> Obligation | None:
    """The obligation of the reminder or nudge this message replies to, if any."""
    msg = turn.msg
    if not msg.reply_to:
        return None
    outbox_id = turn.session.exec(
        select(OutboxMessage.outbox_id).where(
            OutboxMessage.channel == msg.channel, OutboxMessage.chat_id == msg.chat_id, OutboxMessage.message_id == msg.reply_to
        )
    ).first()
    row = turn.session.get(Outbox, outbox_id) if outbox_id is not None else None
    if row is None or row.obligation_id is None:
        return None
    return turn.session.get(Obligation, row.obligation_id)


def task_title(plan: Plan, no: str) -> str:
    task = plan.task_by_no.get(no)
    if task is not None:
        return task.title
    parent = plan.task_by_no.get(taskrefs.parent(no))
    if parent is not None:
        return next((i.title for i in parent.items if i.no == no), parent.title)
    return ""


def plan_ended(t: Translator, plan: Plan) -> Text:
    info = plan.plan
    return t(
        "Kế hoạch số {number} đã hết hiệu lực từ {date}; không còn kỳ báo cáo nào. "
        "Đề nghị quản trị viên nạp kế hoạch mới (BAOCAO_PLAN_PATH).",
        number=info.number,
        date=format_date_vi(info.in_force.end, weekday=False),
    )


def plan_is_current(plan: Plan, today, cal=None) -> bool:  # noqa: ANN001 - a date, a WorkingCalendar
    """Whether the plan still has an obligation open on ``today``: with the calendar, until its
    last period's reminders and consolidation are over (an annual report due in January after
    the plan's last day); without, until ``in_force.end``."""
    if cal is None:
        return today <= plan.plan.in_force.end
    from scheduler.deadlines import open_until

    return today <= open_until(plan, cal)


def any_plan_current(turn: Turn) -> bool:
    today = turn.today()
    return any(plan_is_current(p, today, turn.ctx.calendar) for p in turn.ctx.plans)
