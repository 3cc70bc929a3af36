"""The period a coordinator's command means: the one typed ("Q1", "quý 1", "2024-H1", "6
tháng"…), else the one being consolidated (or next due)."""

from __future__ import annotations

import re
from datetime import date

from bot import obligations, state
from bot.turn import Turn
from common.message import Choice, Text, bold
from common.periods import as_text, split_period
from reports import status as st
from scheduler import reminders
from scheduler.plan import Plan
from scheduler.plans import short_title


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


# --- the plan of a coordinator's command, when several plans run ------------------------------

PLAN_COMMAND = "plan_command"  # the key, in the conversation state's data, of a command waiting for its plan


def plan_of_command(turn: Turn, command: str, arg: str) -> tuple[Plan, str, list[Text]] | None:
    """``(plan, the rest of the argument, notes to show first)`` for ``/command arg``; with one
    plan loaded, that plan and ``arg`` untouched. With several: the plan named at the start of
    the argument ("/tinhhinh 124 quý I", "/tonghop KH 45/KH-UBND Q1"), else the only plan in
    force today, else a question with the plans as choices (``None``: asked)."""
    plans = turn.ctx.plans
    if len(plans) <= 1:
        return turn.ctx.plan, arg, []
    named, rest = plans.find_at_start(arg)
    if named is not None:
        return named, rest, [plan_heading(turn, named)]
    candidates = plans.in_force(turn.today(), turn.ctx.calendar) or list(plans)
    if len(candidates) == 1:
        return candidates[0], arg, [plan_heading(turn, candidates[0])]
    token = state.new_token()
    ids = [p.plan.id for p in candidates]
    state.remember(turn, PLAN_COMMAND, {"token": token, "command": command, "arg": arg, "plans": ids})
    turn.say(
        turn.t("Đang có {n} kế hoạch. Đồng chí chọn kế hoạch (hoặc gõ kèm số kế hoạch, ví dụ: /{command} {number} {arg}):",
               n=len(ids), command=command, number=_short_number(candidates[0]), arg=arg or "Q1"),
        choices=[[Choice(_label(turn, p), f"kp:{token}:{i}")] for i, p in enumerate(candidates)],
    )
    return None


def plan_chosen(turn: Turn, arg: str) -> None:
    """A plan chosen for a waiting command: the command runs with it."""
    from bot import guard
    from bot.handlers import COMMANDS

    token, _, index = arg.partition(":")
    waiting = state.recall(turn, PLAN_COMMAND)
    t = turn.t
    if not waiting or waiting.get("token") != token or not (index.isascii() and index.isdigit()):
        turn.say(t("Nút này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    ids = waiting.get("plans") or []
    command = waiting.get("command")
    if int(index) >= len(ids) or ids[int(index)] not in turn.ctx.plans or command not in COMMANDS:
        turn.say(t("Nút này không còn hiệu lực."), toast=t.s("Không hợp lệ"))
        return None
    state.remember(turn, PLAN_COMMAND, None)
    plan = turn.ctx.plans[ids[int(index)]]
    return guard.run(turn, COMMANDS[command], f"{plan.plan.number} {waiting.get('arg') or ''}".strip())


def plan_heading(turn: Turn, plan: Plan) -> Text:
    return bold(_label(turn, plan))


def _label(turn: Turn, plan: Plan) -> str:
    return reminders.plan_line(plan.plan.number, short_title(plan), turn.t).plain()


def _short_number(plan: Plan) -> str:
    digits = re.match(r"\s*(\d+)", plan.plan.number)
    return digits.group(1) if digits else plan.plan.number
