"""/moi (an invitation for an agency's focal point, or — admins — a coordinator or admin) and
/dsdaumoi (who is registered; admins revoke with a choice that asks to confirm)."""

from __future__ import annotations

from bot import obligations
from bot.handlers.periods import sentence
from bot.handlers.status import row_id, short_name
from bot.invitations import DEFAULT_TTL, InvitationError, create_invitation, deactivate_contact, list_contacts
from bot.turn import Turn
from common.labels import CONTACT_ROLES
from common.message import Choice, Message, Text, bold, gap, item, link
from common.text import fold
from common.vndate import format_date_short, format_date_vi
from scheduler.plan import closest_names, describe_matches, find
from storage.models import Contact, ContactRole

CONTACT_ROLE_LABELS = {ContactRole(role): label for role, label in CONTACT_ROLES.items()}
# What /moi accepts after the agency's name (folded: no diacritics, lower case).
ROLE_WORDS = {
    "dau moi": ContactRole.FOCAL,
    "focal": ContactRole.FOCAL,
    "dieu phoi": ContactRole.COORDINATOR,
    "can bo dieu phoi": ContactRole.COORDINATOR,
    "coordinator": ContactRole.COORDINATOR,
    "quan tri": ContactRole.ADMIN,
    "quan tri vien": ContactRole.ADMIN,
    "admin": ContactRole.ADMIN,
}


def invite(turn: Turn, arg: str) -> None:
    t = turn.t
    words = arg.split()
    role = ContactRole.FOCAL
    for k in (3, 2, 1):
        if len(words) > k and fold(" ".join(words[-k:])) in ROLE_WORDS:
            role = ROLE_WORDS[fold(" ".join(words[-k:]))]
            words = words[:-k]
            break
    query = " ".join(words)
    if not query:
        turn.say(t("Cú pháp: /moi <cơ quan> [đầu mối|điều phối|quản trị]. Ví dụ: /moi CA tỉnh, /moi Sở Tư pháp điều phối."))
        return None
    if role != ContactRole.FOCAL and not turn.who.is_admin:
        turn.say(t("Chỉ quản trị viên được mời cán bộ điều phối hoặc quản trị viên. Đồng chí có thể mời đầu mối: /moi <cơ quan>."))
        return None
    match = agency_of(turn, query, t("Mỗi cơ quan được tạo một lời mời riêng."))
    if match is None:
        return None
    agency_id, agency_name = match
    channels = list(turn.ctx.channels.values())
    problems = [p for p in (c.invitation(None, t).problem for c in channels) if p is not None]
    if not channels or len(problems) == len(channels):
        turn.say(t("Chưa tạo lời mời."), *problems)
        return None
    try:
        invitation, code = create_invitation(
            turn.session, agency_id=agency_id, role=role, created_by=turn.who.actor, now=turn.now, ttl=DEFAULT_TTL
        )
    except InvitationError as exc:
        turn.say(sentence(str(exc)))
        return None
    expires = invitation.expires_at.astimezone(turn.ctx.tz)
    message = Message(
        t("Đã tạo lời mời <b>{role}</b> của <b>{agency}</b>.", role=t(CONTACT_ROLE_LABELS[role]), agency=agency_name),
        t("Hiệu lực đến {time}, {date}; chỉ dùng được một lần.", time=f"{expires:%H:%M}", date=format_date_vi(expires.date())),
        t("Mã mời: <b>{code}</b>", code=code),
        t("Đồng chí chuyển cách đăng ký sau cho người được mời:"),
    )
    for channel in channels:
        hint = channel.invitation(code, t)
        if hint.problem is not None:
            continue
        head = Text(bold(channel.title), ": ")
        if hint.text is not None:
            head = head + hint.text
        if hint.link is not None:
            message.add(item(head, " ", link(hint.link, hint.link)))
        else:
            message.add(item(head))
    turn.say(message=message)
    return None


def agency_of(turn: Turn, query: str, group_hint: Text) -> tuple[str, str] | None:
    """``(id, name)`` of one agency; a group or an unknown name gets an explanation."""
    t = turn.t
    plan = turn.ctx.plan
    match = find(plan, query)
    if match is None:
        near = closest_names(plan, query)
        text = t("Không tìm thấy cơ quan «{query}».", query=query)
        if near:
            text = text + " " + t("Có phải: {names}?", names="; ".join(m.name for m in near))
        turn.say(text)
        return None
    if match.kind == "group":
        members = plan.expand(match.id)
        names = [plan.agency_by_id[m].name for m in members if m in plan.agency_by_id]
        shown = "; ".join(names[:5]) + ("; …" if len(names) > 5 else "")
        turn.say(
            t(
                "«{group}» là một nhóm gồm {n} cơ quan. {hint} Hãy chọn một cơ quan, ví dụ: {names}.",
                group=match.name, n=len(members), hint=group_hint, names=shown,
            )
        )
        return None
    return match.id, match.name


def short_agency(turn: Turn, agency_id: str, name: str) -> str:
    return short_name(turn, agency_id, name)


def contacts(turn: Turn, arg: str) -> None:
    t = turn.t
    plan = turn.ctx.plan
    query = arg.strip()
    ids: list[str] | None = None
    title = bold(t("Tài khoản đã đăng ký"))
    if query:
        match = find(plan, query)
        if match is None:
            near = closest_names(plan, query)
            text = t("Không tìm thấy cơ quan «{query}».", query=query)
            if near:
                text = text + " " + t("Có phải: {names}?", names=describe_matches(near))
            turn.say(text)
            return None
        ids = [match.id] if match.kind == "agency" else plan.expand(match.id)
        title = bold(t("Tài khoản đã đăng ký — {name}", name=match.name))
    rows = list_contacts(turn.session, agency_id=ids)
    if not rows:
        turn.say(title, t("Chưa có ai đăng ký. Tạo lời mời: /moi <cơ quan>."))
        return None
    order = {agency.id: i for i, agency in enumerate(plan.agencies)}
    by_agency: dict[str, list[Contact]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_id, []).append(row)
    names = [c.display_name or "" for c in rows]
    admin = turn.who.is_admin
    message = Message(title, t("{n} tài khoản đang hoạt động.", n=len(rows)), columns=1)
    for agency_id in sorted(by_agency, key=lambda a: (order.get(a, len(order)), a)):
        agency_name = obligations.agency_name(turn, agency_id)
        message.add(gap(), bold(agency_name))
        for contact in by_agency[agency_id]:
            person = contact.display_name or t.s("(chưa có tên)")
            since = format_date_short(contact.created_at.astimezone(turn.ctx.tz).date())
            role = t(CONTACT_ROLE_LABELS.get(ContactRole(contact.role), str(contact.role)))
            choices = []
            if admin:
                label = t.s("Thu hồi {name}", name=person)
                if names.count(contact.display_name or "") > 1:
                    label += f" ({short_agency(turn, agency_id, agency_name)})"
                choices.append(Choice(label, f"rv:{contact.id}"))
            channel = turn.ctx.channels.get(contact.channel)
            via = f", {channel.title}" if channel is not None and len(turn.ctx.channels) > 1 else ""
            message.add(item(person, " — ", role, " (", t("từ {date}", date=since), via, ")", choices=choices))
    if admin:
        message.add(gap(), t("Chọn «Thu hồi …» để thu hồi một tài khoản (sẽ hỏi xác nhận)."))
    turn.say(message=message)
    return None


# --- revoke: choices ----------------------------------------------------------------------------


def _contact_for(turn: Turn, arg: str) -> Contact | None:
    t = turn.t
    contact_id = row_id(arg)
    contact = turn.session.get(Contact, contact_id) if contact_id is not None else None
    if contact is None:
        turn.say(t("Không tìm thấy tài khoản này."), toast=t.s("Không tìm thấy"))
        return None
    if not contact.active:
        turn.say(
            t("Tài khoản {name} đã được thu hồi trước đó.", name=contact.display_name or f"#{contact.id}"),
            toast=t.s("Đã thu hồi trước đó"),
        )
        return None
    if contact.channel == turn.msg.channel and contact.user_id == turn.msg.user_id:
        turn.say(t("Đồng chí không thể tự thu hồi tài khoản của mình."), toast=t.s("Không thực hiện"))
        return None
    return contact


def _describe(turn: Turn, contact: Contact) -> Text:
    return turn.t(
        "{name} ({role} của {agency})",
        name=contact.display_name or f"#{contact.id}",
        role=turn.t(CONTACT_ROLE_LABELS.get(ContactRole(contact.role), str(contact.role))),
        agency=obligations.agency_name(turn, contact.agency_id),
    )


def revoke_ask(turn: Turn, arg: str) -> None:
    t = turn.t
    contact = _contact_for(turn, arg)
    if contact is None:
        return None
    turn.say(
        t(
            "Thu hồi tài khoản {who}? Người này sẽ không báo cáo và không nhận tin nhắc qua bot nữa.",
            who=_describe(turn, contact),
        ),
        choices=[[Choice(t.s("Xác nhận thu hồi"), f"rvok:{contact.id}"), Choice(t.s("Hủy"), f"rvno:{contact.id}")]],
        toast=t.s("Xác nhận thu hồi?"),
    )
    return None


def revoke_do(turn: Turn, arg: str) -> None:
    t = turn.t
    contact = _contact_for(turn, arg)
    if contact is None:
        return None
    assert contact.id is not None
    # deactivate_contact writes the audit row (contact.deactivate, actor = this admin).
    deactivate_contact(turn.session, contact.id, reason="thu hồi qua tin nhắn", actor=turn.who.actor, now=turn.now)
    turn.say(t("Đã thu hồi tài khoản {who}.", who=_describe(turn, contact)), toast=t.s("Đã thu hồi"))
    return None


def revoke_cancel(turn: Turn, arg: str) -> None:
    turn.say(turn.t("Đã hủy; không thu hồi tài khoản nào."), toast=turn.t.s("Đã hủy"))
    return None


__all__ = ["contacts", "invite", "revoke_ask", "revoke_cancel", "revoke_do"]
