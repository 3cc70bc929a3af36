"""/start with an invitation code (or the code typed alone), and the greeting that follows."""

from __future__ import annotations

from bot import attribution, obligations
from bot.invitations import RedeemOutcome, looks_like_code, redeem
from bot.turn import FOCAL, Turn
from common import tasks as taskrefs
from common.i18n import translator
from common.labels import CONTACT_ROLES, DUTY_ROLES
from common.message import Message, item
from common.vndate import format_date_vi
from storage.models import Contact, ContactRole

ROLE_LABELS = DUTY_ROLES


def start(turn: Turn, code: str) -> None:
    t = turn.t
    if code:
        return redeem_code(turn, code)
    if turn.who.contacts:
        return greet(turn, turn.who.focal or turn.who.contacts[-1])
    if turn.who.is_config_admin:
        turn.say(t("Kính chào đồng chí quản trị. Gõ /trogiup để xem các lệnh."))
        return None
    turn.say(
        t(
            "Kính chào đồng chí. Để sử dụng hệ thống, đồng chí cần mã mời (hoặc đường dẫn mời) do Sở Tư pháp cấp; "
            "khi nhận được mã, đồng chí gửi mã đó vào đây."
        )
    )
    return None


def is_code(text: str) -> bool:
    return looks_like_code(text)


def redeem_code(turn: Turn, code: str) -> None:
    t = turn.t
    result = redeem(
        turn.session,
        code,
        channel=turn.msg.channel,
        chat_id=turn.msg.chat_id,
        user_id=turn.msg.user_id,
        display_name=turn.msg.display_name,
        language=translator(turn.msg.language_code).lang,
        now=turn.now,
    )
    if result.outcome in (RedeemOutcome.OK, RedeemOutcome.ALREADY):
        contact = result.contact
        assert contact is not None
        turn.who.contacts = [c for c in turn.who.contacts if c.id != contact.id] + [contact]
        turn.roles_changed = True
        return greet(turn, contact)
    reasons = {
        RedeemOutcome.EXPIRED: t("Mã mời đã hết hạn."),
        RedeemOutcome.USED: t("Mã mời đã được sử dụng."),
        RedeemOutcome.REVOKED: t("Mã mời đã bị thu hồi."),
    }
    reason = reasons.get(result.outcome, t("Mã mời không hợp lệ."))
    turn.say(reason + " " + t("Đề nghị đồng chí liên hệ Sở Tư pháp để nhận mã mời mới."))
    return None


def greet(turn: Turn, contact: Contact) -> None:
    t = turn.t
    name = obligations.agency_name(turn, contact.agency_id)
    message = Message(t("Kính chào đồng chí {person}.", person=turn.msg.display_name or ""))
    if contact.role == FOCAL:
        message.add(t("Đồng chí đã được đăng ký là đầu mối báo cáo của <b>{agency}</b>.", agency=name))
        message.add(*task_lines(turn, contact.agency_id))
        message.add(*next_due_lines(turn, contact.agency_id))
        message.add(
            t(
                "Để báo cáo, đồng chí trả lời tin nhắc hạn hoặc gửi tin dạng: NV4: đang thực hiện 70%, vướng kinh phí. "
                "Gõ /trogiup để xem hướng dẫn."
            )
        )
    else:
        role = t("quản trị") if contact.role == ContactRole.ADMIN else t("điều phối")
        message.add(t("Đồng chí đã được đăng ký với vai trò {role} ({agency}).", role=role, agency=name))
        message.add(t("Gõ /trogiup để xem các lệnh."))
    others = [c for c in turn.who.contacts if c.id != contact.id]
    if others:
        held = ", ".join(
            f"{t.s(CONTACT_ROLES.get(str(c.role), str(c.role)))} ({obligations.agency_name(turn, c.agency_id)})"
            for c in [contact, *others]
        )
        message.add(t("Vai trò mới được thêm vào các vai trò đồng chí đang có: {roles}.", roles=held))
    turn.say(message=message)


def task_lines(turn: Turn, agency_id: str) -> list:
    t = turn.t
    obs = obligations.of_agency(turn.session, agency_id, turn.ctx.plans.ids)
    found = attribution.period(turn, agency_id) if obs else None
    ob = (found.obligation or (found.ask[-1] if found.ask else None)) if found is not None else None
    if ob is None:
        return [t("Cơ quan hiện không có nhiệm vụ phải báo cáo theo kế hoạch.")]
    plan = turn.ctx.plan_of(ob.plan_id)
    lines: list = [t("Nhiệm vụ phải báo cáo:")]
    for task in sorted(ob.tasks, key=lambda x: taskrefs.sort_key(x["no"])):
        role = t(ROLE_LABELS.get(task["role"], task["role"]))
        lines.append(item(f"NV{task['no']} (", role, "): ", obligations.task_title(plan, task["no"])))
    return lines


def next_due_lines(turn: Turn, agency_id: str) -> list:
    t = turn.t
    today = turn.today()
    if not obligations.any_plan_current(turn):
        return [obligations.plan_ended(t, turn.ctx.plan)]
    upcoming = [ob for ob in obligations.of_agency(turn.session, agency_id, turn.ctx.plans.ids) if ob.due >= today]
    if not upcoming:
        return [t("Không còn kỳ báo cáo nào phía trước trong kế hoạch.")]
    ob = upcoming[0]
    plan = turn.ctx.plan_of(ob.plan_id)
    return [t("Hạn báo cáo gần nhất ({period}): {date}.", period=plan.period_name(ob.period), date=format_date_vi(ob.due))]


__all__ = ["greet", "is_code", "next_due_lines", "redeem_code", "start", "task_lines"]
