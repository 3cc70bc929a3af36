"""A focal point's own agency: /nhiemvu (its tasks) and /hanchot (its due dates)."""

from __future__ import annotations

from bot import obligations
from bot.handlers.registration import task_lines
from bot.turn import Turn
from common.message import Message, bold, item
from common.vndate import format_date_vi


def tasks(turn: Turn, _: str) -> None:
    contact = turn.who.focal
    assert contact is not None  # the guard lets only focal points in
    name = turn.ctx.plans.agency_name(contact.agency_id)
    turn.say(message=Message(bold(name), *task_lines(turn, contact.agency_id)))


def deadlines(turn: Turn, _: str) -> None:
    t = turn.t
    contact = turn.who.focal
    assert contact is not None
    today = turn.today()
    if not obligations.any_plan_current(turn):
        turn.say(obligations.plan_ended(t, turn.ctx.plan))
        return None
    message = Message(bold(t("Hạn báo cáo của {agency}", agency=turn.ctx.plans.agency_name(contact.agency_id))))
    for ob in obligations.of_agency(turn.session, contact.agency_id, turn.ctx.plans.ids):
        plan = turn.ctx.plan_of(ob.plan_id)
        missing = obligations.missing(turn.session, ob)
        if ob.due < today and not missing:
            mark = t("đã báo cáo")
        elif ob.due < today:
            mark = t("quá hạn, còn thiếu {tasks}", tasks=", ".join(f"NV{no}" for no in missing))
        else:
            left = turn.ctx.calendar.working_days_between(today, ob.due)
            mark = t("còn {n} ngày làm việc", n=left) if missing else t("đã báo cáo")
        message.add(item(plan.period_name(ob.period), ": ", format_date_vi(ob.due), " — ", mark))
    turn.say(message=message)
    return None
