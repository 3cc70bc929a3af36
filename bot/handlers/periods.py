"""The period a coordinator's command means: the one typed ("Q1", "quý 1", "2024-H1", "6
tháng"…), else the one being consolidated (or next due)."""

from __future__ import annotations

from datetime import date

from bot import obligations
from bot.turn import Turn
from common.message import Text
from common.periods import as_text, split_period
from reports import status as st
from scheduler.plan import Plan


def sentence(text: str) -> Text:
    """A library message ("kỳ báo cáo … không hợp lệ") as a sentence."""
    text = text.strip()
    if not text:
        return Text()
    text = text[0].upper() + text[1:]
    return Text(text if text.endswith((".", "?", "!")) else text + ".")


def default_year(plan: Plan, today: date) -> int:
    years = list(plan.years_in_force())
    if not years or today.year in years:
        return today.year
    return years[-1] if today.year > years[-1] else years[0]


def split(arg: str) -> tuple[str, str | None]:
    """``(subject, period text or None)`` of what follows a command."""
    rest, found = split_period(arg)
    return rest, as_text(found) if found is not None else None


def resolve(turn: Turn, plan: Plan, given: str | None) -> tuple[str, list[Text]] | None:
    """The period asked (or the default), and notes to show first; ``None`` after telling
    the person what is wrong."""
    t = turn.t
    today = turn.today()
    notes: list[Text] = []
    ended = not obligations.plan_is_current(plan, today, turn.ctx.calendar)
    if given is not None:
        try:
            year, code = st.parse_period(plan, given, default_year=default_year(plan, today))
        except st.PeriodError as exc:
            turn.say(sentence(str(exc)))
            return None
        if ended:
            notes.append(obligations.plan_ended(t, plan))
        return st.period_key(year, code), notes
    key = st.default_period(plan, turn.ctx.calendar, turn.now, tz=turn.ctx.tz)
    if key is None:
        turn.say(obligations.plan_ended(t, plan) if ended else t("Kế hoạch không có kỳ báo cáo nào."))
        return None
    if ended:
        notes += [obligations.plan_ended(t, plan), t("Dưới đây là tình hình kỳ báo cáo cuối cùng của kế hoạch."), Text()]
    return key, notes


def only_period(turn: Turn, plan: Plan, arg: str, usage: Text) -> tuple[str, list[Text]] | None:
    """The period of a command that takes nothing else; its usage line when more was typed."""
    rest, period_text = split(arg)
    if rest:
        turn.say(usage)
        return None
    return resolve(turn, plan, period_text)
