"""A focal point's own agency: /nhiemvu (its tasks), /hanchot (its due dates) and /dabaocao
(what it has reported in a period, and what is still missing)."""

from __future__ import annotations

from sqlmodel import col, select

from bot import attribution, obligations
from bot.handlers import evidence
from bot.handlers.periods import resolve, split
from bot.handlers.registration import task_lines
from bot.turn import Turn
from common.labels import ENTRY_STATUSES, UNSPECIFIED_LABEL
from common.message import Message, Text, bold, item
from common.vndate import format_date_vi
from storage.models import Obligation, ObligationStatus
from storage.queries import latest_entries


def agencies(turn: Turn) -> list[str]:
    """The agencies the person is focal point of, oldest binding first (once each)."""
    return list(dict.fromkeys(c.agency_id for c in turn.who.focal_contacts))


def tasks(turn: Turn, _: str) -> None:
    message = Message()
    for index, agency_id in enumerate(agencies(turn)):
        if index:
            message.add("")
        message.add(bold(obligations.agency_name(turn, agency_id)), *task_lines(turn, agency_id))
    turn.say(message=message)


def deadlines(turn: Turn, _: str) -> None:
    t = turn.t
    today = turn.today()
    if not obligations.any_plan_current(turn):
        turn.say(obligations.plan_ended(t, turn.ctx.plan))
        return None
    message = Message()
    for index, agency_id in enumerate(agencies(turn)):
        if index:
            message.add("")
        _deadlines_of(turn, message, agency_id, today)
    turn.say(message=message)
    return None


def _deadlines_of(turn: Turn, message: Message, agency_id: str, today) -> None:  # noqa: ANN001 - a date
    t = turn.t
    message.add(bold(t("Hạn báo cáo của {agency}", agency=obligations.agency_name(turn, agency_id))))
    owed = obligations.of_agency(turn.session, agency_id, turn.ctx.plans.ids)
    if not owed:
        message.add(t("Cơ quan hiện không có kỳ báo cáo nào."))
    for ob in owed:
        plan = turn.ctx.plan_of(ob.plan_id)
        missing = obligations.missing(turn.session, ob)
        due = ob.extended_due or ob.due
        if due < today and not missing:
            mark = t("đã báo cáo")
        elif due < today:
            mark = t("quá hạn, còn thiếu {tasks}", tasks=", ".join(f"NV{no}" for no in missing))
        else:
            left = turn.ctx.calendar.working_days_between(today, due)
            mark = t("còn {n} ngày làm việc", n=left) if missing else t("đã báo cáo")
        extended = t(" (đã gia hạn)") if ob.extended_due else Text()
        message.add(item(plan.period_name(ob.period), ": ", format_date_vi(due), extended, " — ", mark))


def reported(turn: Turn, arg: str) -> None:
    """``/dabaocao [kỳ]``: the agency's stored answers of the period (the latest revision of
    each task), then the tasks still missing. Without a period: the one a report sent now
    would land on (both, when baocao would ask which)."""
    t = turn.t
    subject, period_text = split(arg)
    if subject:
        turn.say(t("Cú pháp: /dabaocao [kỳ], ví dụ: /dabaocao hoặc /dabaocao quý I."))
        return None
    period: str | None = None
    notes: list[Text] = []
    if period_text is not None:
        found = resolve(turn, turn.ctx.plan, period_text)
        if found is None:
            return None
        period, notes = found
    for agency_id in agencies(turn):
        name = obligations.agency_name(turn, agency_id)
        if period is None:
            # With several plans, each plan the agency has duties in shows its own period.
            plan_ids = [None] if len(turn.ctx.plans) <= 1 else (
                [pid for pid in turn.ctx.plans.ids
                 if any(ob.plan_id == pid for ob in obligations.of_agency(turn.session, agency_id, turn.ctx.plans.ids))]
                or [None]
            )
            obs = []
            for plan_id in plan_ids:
                attributed = attribution.period(turn, agency_id, plan_id=plan_id)
                obs += [attributed.obligation] if attributed.obligation is not None else list(attributed.ask)
            if not obs:
                turn.say(*notes, t("{agency} hiện không có kỳ báo cáo nào.", agency=name))
                continue
        else:
            obs = list(
                turn.session.exec(
                    select(Obligation).where(
                        Obligation.agency_id == agency_id,
                        Obligation.period == period,
                        Obligation.status == ObligationStatus.ACTIVE,
                        col(Obligation.plan_id).in_(turn.ctx.plans.ids),
                    )
                ).all()
            )
            if not obs:
                obs = _predecessors_obligations(turn, agency_id, period)
            if not obs:
                turn.say(*notes, t("{agency} không có kỳ báo cáo {period}.", agency=name, period=turn.ctx.plan.period_name(period)))
                continue
        message = Message(*notes)
        for index, ob in enumerate(obs):
            if index:
                message.add("")
            shown = name
            if ob.agency_id != agency_id:
                # a predecessor's report (successor_of): the history the successor inherits
                shown = t(
                    "{predecessor} (nay là {agency})",
                    predecessor=obligations.agency_name(turn, ob.agency_id),
                    agency=name,
                )
            message.add(*_reported_lines(turn, ob, shown))
        if period is None:
            message.add(t("Xem kỳ khác: /dabaocao quý I, /dabaocao 6 tháng, /dabaocao 2024-Q1."))
        turn.say(message=message)
    return None


def _predecessors_obligations(turn: Turn, agency_id: str, period: str) -> list[Obligation]:
    """The obligations of ``period`` of the agencies ``agency_id`` succeeds (successor_of), in
    each plan: a successor reads its predecessors' reports of the periods before it existed."""
    out: list[Obligation] = []
    for plan in turn.ctx.plans:
        predecessors = plan.predecessors.get(agency_id, ())
        for predecessor in predecessors:
            found = turn.session.exec(
                select(Obligation).where(
                    Obligation.agency_id == predecessor,
                    Obligation.period == period,
                    Obligation.status == ObligationStatus.ACTIVE,
                    Obligation.plan_id == plan.plan.id,
                )
            ).all()
            if found:
                out.extend(found)
                break  # the nearest predecessor that owed the period
    return out


def _reported_lines(turn: Turn, ob: Obligation, agency: str) -> list:
    t = turn.t
    plan = turn.ctx.plan_of(ob.plan_id)
    lines: list = [
        bold(t("Báo cáo {period} của {agency}", period=plan.period_name(ob.period), agency=agency)),
        t("Hạn gửi: {date}.", date=format_date_vi(ob.extended_due or ob.due)),
    ]
    if len(turn.ctx.plans) > 1:
        lines.insert(1, t("Theo {plan}.", plan=attribution.plan_label(turn, ob.plan_id)))
    entries = latest_entries(turn.session, ob.id)
    files, waiting = evidence.counts(turn, ob)
    if entries:
        lines.append(t("Đã ghi nhận (lần gửi mới nhất của mỗi nhiệm vụ):"))
    else:
        lines.append(t("Cơ quan chưa báo cáo nhiệm vụ nào của kỳ này."))
    for no, entry in entries.items():
        status = t(ENTRY_STATUSES[entry.status]) if entry.status else t(UNSPECIFIED_LABEL)
        if entry.percent is not None:
            status = status + f", {entry.percent}%"
        parts: list = [bold(f"NV{no}"), ": ", status]
        parts += ["; ", t("gửi lúc {time}", time=evidence.local_time(turn, entry.submitted_at))]
        parts += [", ", t("gửi muộn") if entry.late else t("đúng hạn")]
        parts += ["; ", t.n("đã gửi {count} lần", "đã gửi {count} lần", entry.revision)]
        if files.get(no):
            parts += ["; ", evidence.count_text(t, files[no])]
        lines.append(item(*parts))
    missing = obligations.missing(turn.session, ob)
    if missing:
        lines.append(t("Còn thiếu: {tasks}.", tasks=", ".join(f"NV{no}" for no in missing)))
    else:
        lines.append(t("Cơ quan đã báo cáo đủ các nhiệm vụ của kỳ này."))
    if waiting:
        lines.append(t("{files} đang chờ gắn vào báo cáo.", files=evidence.count_text(t, waiting)))
    return lines
