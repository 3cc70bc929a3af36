"""The conversation's features, one module each, and the one table of what runs for which
command or button and who may use it (checked by :func:`bot.guard.run`).

=============  ==============================================  ==================
module         what                                            who
=============  ==============================================  ==================
registration   /start, an invitation code typed alone           anyone
general        /trogiup, /huy, /ngonngu                        registered
agency         /nhiemvu, /hanchot, /dabaocao                   focal points
reporting      reports in a sentence, ✅/✏️/✖                   focal points
evidence       files as evidence; /minhchung for coordinators  focal points
guided         /baocao step by step                            focal points
status         /tinhhinh, /chuabaocao, nudges                  coordinators
review         tiếp nhận / yêu cầu bổ sung (/tiepnhan,          coordinators;
               /bosung), gia hạn: requested, approved          requests: focal points
consolidated   /tonghop                                        coordinators
contacts       /moi, /dsdaumoi, revocation                     coordinators, admins
=============  ==============================================  ==================
"""

from __future__ import annotations

from bot.guard import Action, Need
from bot.handlers import agency, consolidated, contacts, evidence, general, guided, periods, registration, reporting, review, status
from common.i18n import N_

# Commands in the order menus list them.
COMMANDS: dict[str, Action] = {
    "start": Action(registration.start, Need.ANYONE),
    "baocao": Action(guided.start, Need.FOCAL, N_("Báo cáo từng bước")),
    "nhiemvu": Action(agency.tasks, Need.FOCAL, N_("Nhiệm vụ của cơ quan")),
    "hanchot": Action(agency.deadlines, Need.FOCAL, N_("Hạn báo cáo sắp tới")),
    "dabaocao": Action(agency.reported, Need.FOCAL, N_("Những gì cơ quan đã báo cáo trong kỳ")),
    "tinhhinh": Action(status.overview, Need.COORDINATOR, N_("Tình hình báo cáo theo kỳ")),
    "chuabaocao": Action(status.not_reported, Need.COORDINATOR, N_("Cơ quan chưa báo cáo")),
    "tiepnhan": Action(review.accept_command, Need.COORDINATOR),
    "bosung": Action(review.supplement, Need.COORDINATOR),
    "tonghop": Action(consolidated.consolidated, Need.COORDINATOR, N_("Dự thảo báo cáo tổng hợp (Word, Excel, biểu đồ)")),
    "moi": Action(contacts.invite, Need.COORDINATOR, N_("Mời đầu mối")),
    "dsdaumoi": Action(contacts.contacts, Need.COORDINATOR, N_("Danh sách đầu mối")),
    "minhchung": Action(evidence.files, Need.COORDINATOR, N_("Tệp minh chứng của một cơ quan")),
    "trogiup": Action(general.help_, Need.REGISTERED, N_("Hướng dẫn")),
    "help": Action(general.help_, Need.REGISTERED),
    "ngonngu": Action(general.language, Need.REGISTERED, N_("Đổi ngôn ngữ")),
    "huy": Action(general.cancel, Need.REGISTERED, N_("Hủy thao tác đang làm")),
}

# Commands whose answer takes a while (a report drawn, files made): the channel shows "typing".
SLOW_COMMANDS = frozenset({"tinhhinh", "tonghop", "minhchung", "chuabaocao"})

# Buttons: the value's first part ("ok" of "ok:3fa1c2d0").
CALLBACKS: dict[str, Action] = {
    "t": Action(reporting.pick_task, Need.FOCAL),
    "ok": Action(reporting.confirm_pressed, Need.FOCAL),
    "fix": Action(reporting.fix_pressed, Need.FOCAL),
    "no": Action(reporting.cancel_pressed, Need.FOCAL),
    "mc": Action(evidence.task_chosen, Need.FOCAL),
    "pa": Action(reporting.agency_picked, Need.FOCAL),
    "pk": Action(reporting.plan_picked, Need.FOCAL),
    "pp": Action(reporting.period_picked, Need.FOCAL),
    "chp": Action(reporting.change_period, Need.FOCAL),
    "hv": Action(reporting.value_picked, Need.FOCAL),
    "ga": Action(guided.agency_chosen, Need.FOCAL),
    "gp": Action(guided.period_chosen, Need.FOCAL),
    "gt": Action(guided.task_chosen, Need.FOCAL),
    "gs": Action(guided.status_chosen, Need.FOCAL),
    "gn": Action(guided.notes_skipped, Need.FOCAL),
    "lang": Action(general.set_language, Need.REGISTERED),
    "nudge": Action(status.nudge, Need.COORDINATOR),
    "kp": Action(periods.plan_chosen, Need.COORDINATOR),
    "rva": Action(review.accept_pressed, Need.COORDINATOR),
    "rvr": Action(review.return_pressed, Need.COORDINATOR),
    "exa": Action(review.approve, Need.COORDINATOR),
    "exd": Action(review.decline, Need.COORDINATOR),
    "rv": Action(contacts.revoke_ask, Need.ADMIN),
    "rvok": Action(contacts.revoke_do, Need.ADMIN),
    "rvno": Action(contacts.revoke_cancel, Need.ADMIN),
}

_MENU_ORDER_FOCAL = ("baocao", "dabaocao", "nhiemvu", "hanchot", "trogiup", "ngonngu", "huy")
_MENU_ORDER_STAFF = ("tinhhinh", "chuabaocao", "tonghop", "minhchung", "moi", "dsdaumoi")


def menu(roles: set[str]) -> list[tuple[str, str]]:
    """``(command, description)`` for a person with ``roles`` (empty: the default menu of a
    focal point), in menu order; descriptions untranslated (``N_``)."""
    staff = bool(roles & {"coordinator", "admin"})
    names: list[str] = []
    if staff:
        names += _MENU_ORDER_STAFF
    if "focal" in roles or not staff:
        names += [n for n in _MENU_ORDER_FOCAL if n not in names]
    else:
        names += [n for n in ("trogiup", "huy") if n not in names]
    return [(name, COMMANDS[name].description or name) for name in names]


__all__ = ["CALLBACKS", "COMMANDS", "SLOW_COMMANDS", "menu"]
