"""``baocao invite`` and ``baocao contacts``: invite focal points, list and revoke bindings.

``baocao invite AGENCY`` prints a one-time code and, for each configured channel, how to use it
(a deep link such as ``https://t.me/<bot>?start=<code>``, printed last so that a script can take
it with ``| tail -n 1``); the bot binds the invitee's chat to the agency
(``bot.invitations.redeem``). The code is shown only here: the database keeps a hash.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from baocao.context import CliError
from baocao.commands._common import add_plan_argument, match_or_fail, plan_by_id_or_fail, plans_or_fail

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from baocao.context import Context
    from scheduler.plan import Plan
    from storage.models import Contact, Invitation

ROLE_NAMES = {
    "focal": "đầu mối",
    "coordinator": "điều phối (Sở Tư pháp)",
    "admin": "quản trị",
}
MAX_DAYS = 90
CLI_ACTOR = "cli"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    invite = sub.add_parser(
        "invite",
        help="tạo lời mời dùng một lần (mã mời và cách dùng trên từng kênh) cho đầu mối của một cơ quan",
        description=(
            "Tạo lời mời cho một cơ quan. Người được mời mở đường dẫn in ở dòng cuối và được gắn với "
            "cơ quan, vai trò đã chọn. Mã mời chỉ hiện một lần."
        ),
    )
    invite.add_argument("agency", metavar="CƠ_QUAN", help="mã, tên hoặc tên viết tắt của cơ quan (ví dụ \"CA tỉnh\")")
    invite.add_argument(
        "--role",
        choices=list(ROLE_NAMES),
        default="focal",
        help="vai trò: focal (đầu mối, mặc định), coordinator (điều phối, Sở Tư pháp), admin (quản trị)",
    )
    invite.add_argument(
        "--days", type=int, default=14, metavar="SỐ_NGÀY", help=f"số ngày lời mời còn hiệu lực (mặc định 14, tối đa {MAX_DAYS})"
    )
    add_plan_argument(
        invite,
        default="mặc định: tìm cơ quan trong các kế hoạch đang có hiệu lực, rồi các kế hoạch khác; lời mời gắn "
        "đầu mối với cơ quan, dùng cho mọi kế hoạch cơ quan đó tham gia",
    )
    invite.add_argument(
        "--json", action="store_true",
        help='in JSON: {"code", "plan", "agency", "role", "expires_at", "links": {kênh: đường dẫn hoặc cách dùng}}',
    )
    invite.set_defaults(func=run_invite)

    contacts = sub.add_parser(
        "contacts",
        help="danh sách đầu mối đã đăng ký và lời mời chưa dùng; thu hồi đầu mối",
        description="Liệt kê đầu mối đang hoạt động và lời mời chưa dùng; --revoke ID thu hồi một đầu mối.",
    )
    contacts.add_argument("--agency", metavar="CƠ_QUAN", help="chỉ một cơ quan (hoặc các cơ quan của một nhóm)")
    contacts.add_argument("--all", action="store_true", help="kèm đầu mối đã thu hồi và lời mời đã dùng, hết hạn, đã hủy")
    contacts.add_argument("--invitations", action="store_true", help="chỉ liệt kê lời mời")
    contacts.add_argument("--revoke", type=int, metavar="SỐ", help="thu hồi đầu mối số SỐ (ngừng nhận và gửi tin)")
    contacts.add_argument("--revoke-invitation", type=int, metavar="SỐ", help="hủy lời mời số SỐ chưa dùng")
    contacts.add_argument("--reason", default="thu hồi qua dòng lệnh", help="lý do thu hồi (ghi vào nhật ký)")
    contacts.add_argument("--json", action="store_true", help="in JSON")
    contacts.set_defaults(func=run_contacts)


# --- helpers -----------------------------------------------------------------------------




def _open(ctx: Context) -> Engine:
    from storage.db import open_database

    return open_database(ctx.settings.database_url)


def _resolve_agency(plan: Plan, query: str) -> tuple[str, str]:
    """``(id, name)`` of one agency; a group or an unknown name is a CliError."""
    match = match_or_fail(plan, query)
    if match.kind == "group":
        members = plan.expand(match.id)
        names = [f"{plan.agency(m).name} ({m})" for m in members]
        shown = "; ".join(names[:8]) + (f"; và {len(names) - 8} cơ quan khác" if len(names) > 8 else "")
        raise CliError(
            f"'{match.name}' là một nhóm gồm {len(members)} cơ quan; lời mời tạo cho từng cơ quan, "
            f"mỗi cơ quan một đường dẫn. Hãy chọn một cơ quan, ví dụ: {shown}"
        )
    return match.id, match.name


def _plan_of_agency(ctx: Context, plan_text: str | None, query: str) -> Plan:
    """The plan whose directory names the agency: ``--plan``, else the first plan that knows
    it, plans in force today first (agencies are shared by the plans of a province)."""
    from scheduler.plan import find

    plans = plans_or_fail(ctx.settings.plan_path)
    if plan_text:
        return plan_by_id_or_fail(plans, plan_text)
    today = ctx.now().astimezone(ctx.settings.tz).date()
    in_force = plans.in_force(today)
    ordered = in_force + [p for p in plans if p.plan.id not in {q.plan.id for q in in_force}]
    for plan in ordered:
        if find(plan, query) is not None:
            return plan
    return ordered[0]  # match_or_fail says what is closest


def _local(ctx: Context, at: datetime) -> datetime:
    return at.astimezone(ctx.settings.tz)


def _when(ctx: Context, at: datetime) -> str:
    from common.vndate import format_date_vi

    local = _local(ctx, at)
    return f"{format_date_vi(local.date())}, lúc {local:%H:%M}"


def _short(ctx: Context, at: datetime | None) -> str | None:
    if at is None:
        return None
    from common.vndate import format_date_short

    local = _local(ctx, at)
    return f"{format_date_short(local.date())} {local:%H:%M}"


async def _invitation_channels(ctx: Context) -> list[Any]:
    """The channels that can carry an invitation now (each module's ``invitations``); a
    CliError naming what to set when none can."""
    from bot import channels

    usable, problems = [], []
    for name in channels.MODULES:
        links, problem = await channels.module(name).invitations(ctx.settings)
        if links is not None:
            usable.append(links)
        elif problem:
            problems.append(problem)
    if not usable:
        raise CliError("; ".join(problems) or "chưa cấu hình kênh nhắn tin nào. " + "; ".join(channels.how_to()))
    return usable


# --- baocao invite -----------------------------------------------------------------------


def run_invite(args: argparse.Namespace, ctx: Context) -> int:
    from bot.invitations import InvitationError, create_invitation
    from scheduler.dispatch import lock_planning
    from scheduler.sync import sync_agencies
    from storage.db import session_scope

    if not 1 <= args.days <= MAX_DAYS:
        raise CliError(f"--days phải từ 1 đến {MAX_DAYS}, không phải {args.days}")
    plan = _plan_of_agency(ctx, args.plan, args.agency)
    agency_id, agency_name = _resolve_agency(plan, args.agency)
    # Everything that can refuse runs before anything is written: no link, no invitation.
    links = asyncio.run(_invitation_channels(ctx))
    now = ctx.now()
    engine = _open(ctx)
    with session_scope(engine, write=True) as session:
        lock_planning(session)  # the directory is written by one syncing process at a time
        sync_agencies(session, plan, now=now)
        try:
            invitation, code = create_invitation(
                session,
                agency_id=agency_id,
                role=args.role,
                created_by=CLI_ACTOR,
                now=now,
                ttl=timedelta(days=args.days),
            )
        except InvitationError as exc:
            raise CliError(str(exc)) from exc

    agency = plan.agency(agency_id)
    from common.i18n import translator

    t = translator("vi")
    hints = [(item, item.invitation(code, t)) for item in links]
    if getattr(args, "json", False):
        out = {
            "code": code,
            "plan": plan.plan.id,
            "agency": agency_id,
            "agency_name": agency_name,
            "role": args.role,
            "expires_at": invitation.expires_at.isoformat(),
            # A link where the channel has one (Telegram's deep link), else what to do (Zalo).
            "links": {
                item.name: hint.link or (hint.text.plain() if hint.text is not None else None)
                for item, hint in hints
                if hint.problem is None
            },
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    lines = [
        f"Đã tạo lời mời số {invitation.id}.",
        f"Cơ quan: {agency_name} ({agency_id})",
        f"Vai trò: {ROLE_NAMES[args.role]}",
        f"Hết hạn: {_when(ctx, invitation.expires_at)}",
    ]
    if agency.valid_to is not None and agency.valid_to < _local(ctx, invitation.expires_at).date():
        from common.vndate import format_date_vi

        lines.append(f"Lưu ý: cơ quan này chỉ tồn tại đến {format_date_vi(agency.valid_to)}.")
    lines.append(f"Mã mời: {code}")
    lines.append("Gửi cho người được mời cách đăng ký dưới đây; mã chỉ dùng được một lần và sẽ không được in lại.")
    # Links last: a script takes the deep link with `| tail -n 1`.
    lines += [f"{item.title}: {hint.text.plain()}" for item, hint in hints if hint.text is not None and hint.link is None]
    for item, hint in hints:
        if hint.link is not None:
            lines += [f"{item.title}: {hint.text.plain()}" if hint.text is not None else f"{item.title}:", hint.link]
    print("\n".join(lines))
    return 0


# --- baocao contacts ---------------------------------------------------------------------


def _invitation_state(invitation: Invitation, now: datetime) -> str:
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= now:
        return "expired"
    return "pending"


_STATE_NAMES = {"pending": "chưa dùng", "used": "đã dùng", "expired": "hết hạn", "revoked": "đã hủy"}


def _contact_dict(ctx: Context, contact: Contact, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": contact.id,
        "agency_id": contact.agency_id,
        "agency": names.get(contact.agency_id, contact.agency_id),
        "role": contact.role,
        "display_name": contact.display_name,
        "channel": contact.channel,
        "chat_id": contact.chat_id,
        "user_id": contact.user_id,
        "language": contact.language,
        "active": contact.active,
        "since": contact.created_at.isoformat(),
        "deactivated_at": contact.deactivated_at.isoformat() if contact.deactivated_at else None,
        "deactivated_reason": contact.deactivated_reason,
    }


def _invitation_dict(invitation: Invitation, names: dict[str, str], now: datetime) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "agency_id": invitation.agency_id,
        "agency": names.get(invitation.agency_id, invitation.agency_id),
        "role": invitation.role,
        "state": _invitation_state(invitation, now),
        "created_by": invitation.created_by,
        "created_at": invitation.created_at.isoformat(),
        "expires_at": invitation.expires_at.isoformat(),
        "used_at": invitation.used_at.isoformat() if invitation.used_at else None,
        "used_by_contact_id": invitation.used_by_contact_id,
        "revoked_at": invitation.revoked_at.isoformat() if invitation.revoked_at else None,
    }


def _agency_names(session: Any) -> dict[str, str]:
    from sqlmodel import select

    from storage.models import Agency

    return {agency.id: agency.name for agency in session.exec(select(Agency)).all()}


def run_contacts(args: argparse.Namespace, ctx: Context) -> int:
    if args.revoke is not None and args.revoke_invitation is not None:
        raise CliError("dùng --revoke hoặc --revoke-invitation, không dùng cả hai cùng lúc")
    if args.revoke is not None:
        return _revoke_contact(args, ctx)
    if args.revoke_invitation is not None:
        return _revoke_invitation(args, ctx)
    return _list(args, ctx)


def _revoke_contact(args: argparse.Namespace, ctx: Context) -> int:
    from bot.invitations import deactivate_contact
    from storage.db import session_scope
    from storage.models import Contact

    now = ctx.now()
    engine = _open(ctx)
    with session_scope(engine, write=True) as session:
        before = session.get(Contact, args.revoke)
        if before is None:
            raise CliError(f"không có đầu mối số {args.revoke}; xem danh sách bằng `baocao contacts --all`")
        was_active = before.active
        contact = deactivate_contact(session, args.revoke, reason=args.reason, actor=CLI_ACTOR, now=now)
        assert contact is not None
        names = _agency_names(session)
        data = _contact_dict(ctx, contact, names)
    if args.json:
        print(json.dumps({"revoked": was_active, "contact": data}, ensure_ascii=False, indent=2))
        return 0
    who = f"{contact.display_name or 'không tên'} ({ROLE_NAMES.get(contact.role, contact.role)}, {data['agency']})"
    if was_active:
        print(f"Đã thu hồi đầu mối số {contact.id}: {who}.")
    else:
        print(f"Đầu mối số {contact.id}: {who} đã bị thu hồi từ {_short(ctx, contact.deactivated_at)}; không thay đổi gì.")
    return 0


def _revoke_invitation(args: argparse.Namespace, ctx: Context) -> int:
    from bot.invitations import revoke_invitation
    from storage.db import session_scope

    now = ctx.now()
    engine = _open(ctx)
    with session_scope(engine, write=True) as session:
        invitation = revoke_invitation(session, args.revoke_invitation, actor=CLI_ACTOR, now=now)
        if invitation is None:
            raise CliError(f"không có lời mời số {args.revoke_invitation}; xem danh sách bằng `baocao contacts --invitations --all`")
        names = _agency_names(session)
        data = _invitation_dict(invitation, names, now)
    revoked_now = invitation.revoked_at == now
    if args.json:
        print(json.dumps({"revoked": revoked_now, "invitation": data}, ensure_ascii=False, indent=2))
        return 0
    if revoked_now:
        print(f"Đã hủy lời mời số {invitation.id} ({data['agency']}); đường dẫn của lời mời này không dùng được nữa.")
    else:
        print(f"Lời mời số {invitation.id} {_STATE_NAMES[data['state']]}; không hủy được (chỉ hủy lời mời chưa dùng).")
    return 0


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from bot.invitations import list_contacts, list_invitations
    from storage.db import session_scope

    wanted: list[str] | None = None
    if args.agency:
        from baocao.commands._common import agency_ids

        wanted = agency_ids(_plan_of_agency(ctx, None, args.agency), args.agency)
    now = ctx.now()
    engine = _open(ctx)
    with session_scope(engine) as session:
        names = _agency_names(session)
        contacts = [] if args.invitations else list_contacts(session, agency_id=wanted, include_inactive=args.all)
        invitations = list_invitations(session, pending_only=not args.all, now=now, agency_id=wanted)
        contact_rows = [_contact_dict(ctx, c, names) for c in contacts]
        invitation_rows = [_invitation_dict(i, names, now) for i in invitations]

    if args.json:
        out: dict[str, Any] = {"invitations": invitation_rows}
        if not args.invitations:
            out = {"contacts": contact_rows, **out}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    lines: list[str] = []
    if not args.invitations:
        title = "Đầu mối" if args.all else "Đầu mối đang hoạt động"
        lines.append(f"{title} ({len(contacts)}):")
        if not contacts:
            lines.append("  (chưa có; tạo lời mời bằng `baocao invite CƠ_QUAN`)")
        for contact, row in zip(contacts, contact_rows, strict=True):
            line = (
                f"  #{contact.id}  {row['agency']} — {ROLE_NAMES.get(contact.role, contact.role)} — "
                f"{contact.display_name or '(không tên)'} — chat {contact.chat_id} — từ {_short(ctx, contact.created_at)}"
            )
            if not contact.active:
                reason = f": {contact.deactivated_reason}" if contact.deactivated_reason else ""
                line += f" — đã thu hồi {_short(ctx, contact.deactivated_at)}{reason}"
            lines.append(line)
        lines.append("")
    title = "Lời mời" if args.all else "Lời mời chưa dùng"
    lines.append(f"{title} ({len(invitations)}):")
    if not invitations:
        lines.append("  (không có)")
    for invitation, row in zip(invitations, invitation_rows, strict=True):
        state = "" if row["state"] == "pending" else f" — {_STATE_NAMES[row['state']]}"
        lines.append(
            f"  #{invitation.id}  {row['agency']} — {ROLE_NAMES.get(invitation.role, invitation.role)} — "
            f"hết hạn {_short(ctx, invitation.expires_at)} — tạo bởi {invitation.created_by}{state}"
        )
    print("\n".join(lines))
    return 0
