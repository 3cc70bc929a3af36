"""Which agency and which period a report is about: the rules, in order, and when to ask.

**Which period** (README "In chat"):

1. a period named in the message ("quý I", "6 tháng", "06 tháng đầu năm", "9 tháng", "cả năm",
   "H1", "Q1", "năm 2024") — at the start of the message, where people name it;
2. a reply to a reminder or a nudge: its period;
3. otherwise the period whose reminders are running now: from its first reminder to its
   consolidation due date (the last step, D+3, lies before it). When an older period is still
   incomplete and inside that window while a newer one is open — or, between two windows, the
   last period is incomplete and the next one is coming — baocao asks, naming both.

**Which plan**, when the agency has duties in several plans in force (issue 12), before the
period: a plan named in the message ("KH 124", "kế hoạch 124-KH/BCSĐ", "theo Kế hoạch số
45/KH-UBND"); else a reply to a reminder or a nudge: its plan; else the only plan in which the
agency has every task the message names (and the period it names); else the only plan whose
reminders are running now; else baocao asks, with the plans as choices. The period is then
looked for in that plan only.

**Which agency**, for a person who is the focal point of several: the agency that has every task
the message names (when only one does), else the one whose reminder is being answered, else ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot import obligations
from bot.turn import Turn
from common import tasks as taskrefs
from common.periods import PERIOD_NAMES, parse_words, period_key
from common.text import fold
from storage.models import Contact, Obligation

# Period words near the start of a message ("6 tháng: NV10 …", "Báo cáo quý I: …").
_HEAD = 80
_PATTERNS = [
    r"\b(?:q|quy)\s*(?:i{1,3}|iv|[1-4])\b(?:\s*(?:nam\s*)?\d{4})?",
    r"\b(?:0?6|sau)\s*thang\s*cuoi\s*nam\b(?:\s*(?:nam\s*)?\d{4})?",
    r"\b0?[69]\s*thang(?:\s*dau\s*nam)?\b(?:\s*(?:nam\s*)?\d{4})?",
    # A month only when the words make it a period ("báo cáo tháng 5", "tháng 5/2025"): a bare
    # "trong tháng 5 đã …" is part of the report.
    r"\b(?:bao\s*cao|ky)\s*thang\s*(?:1[0-2]|0?[1-9])\b(?:\s*(?:nam\s*)?\d{4})?",
    r"\bthang\s*(?:1[0-2]|0?[1-9])\s*(?:/\s*|nam\s*)\d{4}\b",
    r"\b(?:sau|chin)\s*thang\b",
    r"\bnua\s*nam\b",
    r"\bca\s*nam\b(?:\s*\d{4})?",
    r"\b(?:h1|h2|9m|fy)\b",
    r"\bky\s*(?:bao\s*cao\s*)?nam\s*\d{4}\b",
    r"\b\d{4}\s*-\s*(?:q[1-4]|h[12]|9m|fy|m(?:0[1-9]|1[0-2]))\b",
]
_PERIOD_RE = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def period_in_text(text: str) -> tuple[int | None, str] | None:
    """The period a message names at its start, if any: ``(year or None, code)``."""
    head = fold(text)[:_HEAD]
    for match in _PERIOD_RE.finditer(head):
        words = match.group(0)
        words = re.sub(r"^ky\s*(?:bao\s*cao\s*)?", "", words)
        found = parse_words(words, whole=True)
        if found is not None and found[1] in PERIOD_NAMES:
            return found
    return None


@dataclass
class Attribution:
    obligation: Obligation | None = None
    ask: list[Obligation] = field(default_factory=list)  # when two periods are equally likely
    how: str = "none"  # "named", "reply", "open", "next", "last", "ask", "none"
    named_missing: str | None = None  # a named period the agency does not report for


def _due(ob: Obligation) -> date:
    return getattr(ob, "extended_due", None) or ob.due


def _first_reminder(turn: Turn, ob: Obligation) -> date:
    plan = turn.ctx.plan_of(ob.plan_id)
    steps = plan.reporting.reminders.steps
    before = min((s.working_days for s in steps), default=0)
    return turn.ctx.calendar.add_working_days(_due(ob), before) if before else _due(ob)


@dataclass
class PlanAttribution:
    plan_id: str | None = None
    ask: list[str] = field(default_factory=list)  # plan ids, when several are equally likely
    how: str = "none"  # "only", "named", "reply", "tasks", "open", "ask", "none"
    named_missing: str | None = None  # a named plan in which the agency has no duty (its number)


def plan(turn: Turn, agency_id: str, text: str = "", tasks: list[str] | None = None) -> PlanAttribution:
    """The plan a report of ``agency_id`` is about (see the module's rules)."""
    obs = obligations.of_agency(turn.session, agency_id, turn.ctx.plans.ids)
    ids = [pid for pid in turn.ctx.plans.ids if any(ob.plan_id == pid for ob in obs)]
    if len(ids) <= 1:
        return PlanAttribution(ids[0] if ids else None, how="only" if ids else "none")
    result = PlanAttribution()
    named = [p.plan.id for p in turn.ctx.plans.named_in(text)] if text else []
    mine = [pid for pid in named if pid in ids]
    if len(mine) == 1:
        return PlanAttribution(mine[0], how="named")
    if named and not mine:
        result.named_missing = turn.ctx.plans[named[0]].plan.number
    replied = obligations.replied_obligation(turn)
    if replied is not None and replied.agency_id == agency_id and replied.plan_id in ids:
        return PlanAttribution(replied.plan_id, how="reply", named_missing=result.named_missing)
    candidates = mine or ids
    if tasks:
        having = []
        for pid in candidates:
            assigned = {task["no"] for ob in obs if ob.plan_id == pid for task in ob.tasks}
            if all(taskrefs.covers(assigned, no) for no in tasks):
                having.append(pid)
        candidates = having or candidates
    named_period = period_in_text(text) if text else None
    if named_period is not None and len(candidates) > 1:
        year, code = named_period
        with_period = [
            pid for pid in candidates
            if any(ob.plan_id == pid and ob.period.endswith(f"-{code}") and (year is None or ob.period == period_key(year, code))
                   for ob in obs)
        ]
        candidates = with_period or candidates
    if len(candidates) > 1:
        today = turn.today()
        running = [pid for pid in candidates if any(
            ob.plan_id == pid and _first_reminder(turn, ob) <= today <= ob.consolidation_due for ob in obs)]
        if len(running) == 1:
            candidates = running
            result.how = "open"
    if len(candidates) == 1:
        result.plan_id = candidates[0]
        if result.how == "none":
            result.how = "tasks"
        return result
    result.ask, result.how = candidates, "ask"
    return result


def plan_label(turn: Turn, plan_id: str) -> str:
    """"Kế hoạch số 124-KH/BCSĐ (cải cách tư pháp)": a plan as a choice or in a sentence."""
    from scheduler.plans import short_title
    from scheduler.reminders import plan_line

    found = turn.ctx.plans[plan_id]
    return str(plan_line(found.plan.number, short_title(found), turn.t).plain())


def period(turn: Turn, agency_id: str, text: str = "", plan_id: str | None = None) -> Attribution:
    plan_ids = [plan_id] if plan_id is not None and plan_id in turn.ctx.plans else turn.ctx.plans.ids
    obs = obligations.of_agency(turn.session, agency_id, plan_ids)
    if not obs:
        return Attribution()
    today = turn.today()
    named = period_in_text(text) if text else None
    if named is not None:
        year, code = named
        matching = [ob for ob in obs if ob.period.endswith(f"-{code}") and (year is None or ob.period == period_key(year, code))]
        if year is None and len(matching) > 1:
            # "quý I" without a year: the one of this year, else the latest that has begun.
            this_year = [ob for ob in matching if ob.period.startswith(f"{today.year}-")]
            begun = [ob for ob in matching if _first_reminder(turn, ob) <= today] or matching
            matching = this_year or begun[-1:]
        if matching:
            return Attribution(matching[0], how="named")
        label = PERIOD_NAMES[code] if year is None else turn.ctx.plan.period_name(period_key(year, code))
        result = _by_date(turn, obs, today)
        result.named_missing = label
        return result
    replied = obligations.replied_obligation(turn)
    if replied is not None and replied.agency_id == agency_id and replied in obs:
        return Attribution(replied, how="reply")
    return _by_date(turn, obs, today)


def _by_date(turn: Turn, obs: list[Obligation], today: date) -> Attribution:
    session = turn.session
    open_ = [ob for ob in obs if _first_reminder(turn, ob) <= today <= ob.consolidation_due]
    if open_:
        newest = open_[-1]
        candidates = [ob for ob in open_ if ob is newest or obligations.missing(session, ob)]
        if len(candidates) == 1:
            return Attribution(candidates[0], how="open")
        return Attribution(ask=candidates[-2:], how="ask")
    past = [ob for ob in obs if _due(ob) < today]
    upcoming = [ob for ob in obs if _due(ob) >= today]
    if past and upcoming and obligations.missing(session, past[-1]):
        return Attribution(ask=[past[-1], upcoming[0]], how="ask")
    if upcoming:
        return Attribution(upcoming[0], how="next")
    return Attribution(past[-1], how="last")


def choice_label(turn: Turn, ob: Obligation) -> str:
    """"quý I (quá hạn 3 ngày)", "06 tháng (hạn 17/6)": a period as a choice."""
    t = turn.t
    plan = turn.ctx.plan_of(ob.plan_id)
    name = plan.period_name(ob.period)
    if len(turn.ctx.plans) > 1:
        name = f"{name}, KH {plan.plan.number}"
    due = _due(ob)
    today = turn.today()
    if due < today:
        late = -turn.ctx.calendar.working_days_between(today, due)
        return t.s("{period} (quá hạn {n} ngày)", period=name, n=max(late, 1))
    return t.s("{period} (hạn {date})", period=name, date=f"{due.day}/{due.month}")


def agency(turn: Turn, tasks: list[str]) -> tuple[Contact | None, list[Contact]]:
    """``(the focal binding the report is for, or None and the bindings to ask between)``."""
    bindings = turn.who.focal_contacts
    if len(bindings) <= 1:
        return (bindings[0] if bindings else None), []
    # One binding per agency: a person holding two roles for one agency reports once for it.
    by_agency: dict[str, Contact] = {}
    for contact in bindings:
        by_agency.setdefault(contact.agency_id, contact)
    bindings = list(by_agency.values())
    if len(bindings) == 1:
        return bindings[0], []
    if tasks:
        having = []
        for contact in bindings:
            obs = obligations.of_agency(turn.session, contact.agency_id, turn.ctx.plans.ids)
            assigned = {task["no"] for ob in obs for task in ob.tasks}
            if all(taskrefs.covers(assigned, no) for no in tasks):
                having.append(contact)
        if len(having) == 1:
            return having[0], []
        if having:
            bindings = having
    replied = obligations.replied_obligation(turn)
    if replied is not None:
        for contact in bindings:
            if contact.agency_id == replied.agency_id:
                return contact, []
    return None, bindings


__all__ = ["Attribution", "PlanAttribution", "agency", "choice_label", "period", "period_in_text", "plan", "plan_label"]
