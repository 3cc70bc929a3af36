"""Who may do what: one check for every command and every button, from the tables in
:mod:`bot.handlers`.

A person's rights are the union of their bindings (:class:`~bot.turn.Who`): an admin or a
coordinator who is also a focal point keeps every right of each role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.turn import Turn, Who
from common.i18n import N_

REFUSAL = N_("Lệnh này dành cho cán bộ điều phối của Sở Tư pháp.")
ADMIN_ONLY = N_("Thao tác này chỉ dành cho quản trị viên.")
NOT_FOCAL = N_("Đồng chí không phải đầu mối báo cáo của cơ quan nào.")
STRANGER = N_(
    "Kính chào đồng chí. Tài khoản này chưa được đăng ký với hệ thống nhận báo cáo của Sở Tư pháp. "
    "Đề nghị đồng chí liên hệ Sở Tư pháp để nhận mã mời."
)


class Need(StrEnum):
    ANYONE = "anyone"
    REGISTERED = "registered"
    FOCAL = "focal"
    COORDINATOR = "coordinator"  # a coordinator or an admin
    ADMIN = "admin"


Handler = Callable[[Turn, str], None]


@dataclass(frozen=True)
class Action:
    """A command or a button: what runs, who may, and (commands) the line for menus and help."""

    handler: Handler
    need: Need
    description: str | None = None


def allowed(who: Who, need: Need) -> bool:
    if need is Need.ANYONE:
        return True
    if not who.registered:
        return False
    if need is Need.FOCAL:
        return who.is_focal
    if need is Need.COORDINATOR:
        return who.is_coordinator
    if need is Need.ADMIN:
        return who.is_admin
    return True


def refuse(turn: Turn, need: Need) -> None:
    """The refusal a person gets for an action they may not take."""
    t = turn.t
    who = turn.who
    toast = t.s("Không có quyền") if turn.pressed else None
    if not who.registered and need not in (Need.COORDINATOR, Need.ADMIN):
        turn.say(t(STRANGER))
    elif need is Need.FOCAL:
        turn.say(t(NOT_FOCAL) + (" " + t("Gõ /trogiup để xem các lệnh.") if not turn.pressed else ""), toast=toast)
    elif need is Need.ADMIN and who.is_coordinator:
        # A coordinator learns the button is for admins; anybody else gets the general refusal.
        turn.say(t(ADMIN_ONLY), toast=toast)
    else:
        turn.say(t(REFUSAL), toast=toast)


def run(turn: Turn, action: Action, arg: str) -> None:
    """The action, if the person may take it; the refusal otherwise."""
    if allowed(turn.who, action.need):
        action.handler(turn, arg)
    else:
        refuse(turn, action.need)
