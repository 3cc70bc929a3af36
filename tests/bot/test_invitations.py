"""Registration by invitation, on SQLite and PostgreSQL: codes, redemption outcomes, races,
revocation, and the ``baocao invite`` / ``baocao contacts`` commands."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlmodel import select

from common.paths import BUNDLED_DATA_DIR
from bot.invitations import (
    InvitationError,
    RedeemOutcome,
    contacts_of,
    create_invitation,
    deactivate_contact,
    hash_code,
    looks_like_code,
    list_contacts,
    list_invitations,
    redeem,
    revoke_invitation,
)
from bot.channels.telegram import deep_link
from scheduler.plan import load_plan
from scheduler.sync import sync_agencies
from storage.db import get_session, session_scope
from storage.models import AuditLog, Contact, ContactRole, Invitation

NOW = datetime(2024, 3, 1, 1, 30, tzinfo=UTC)  # 08:30 in Vietnam, Friday 1 March 2024
POLICE = "cong-an-tinh"
JUSTICE = "so-tu-phap"


@pytest.fixture
def plan():
    return load_plan(BUNDLED_DATA_DIR / "plan.json")


@pytest.fixture
def synced(engine, plan):
    """The engine, with the plan's agencies in the database."""
    with session_scope(engine) as session:
        sync_agencies(session, plan, now=NOW)
    return engine


def _identity(user: int, **over):
    values = {
        "channel": "telegram",
        "chat_id": user,
        "user_id": user,
        "display_name": f"Người dùng {user}",
        "language": "vi",
        "now": NOW + timedelta(hours=1),
    }
    values.update(over)
    return values


def _invite(engine, agency=POLICE, role="focal", **kw) -> tuple[Invitation, str]:
    with session_scope(engine) as session:
        return create_invitation(session, agency_id=agency, role=role, created_by="test", now=NOW, **kw)


def _redeem(engine, code, user, **over):
    with session_scope(engine) as session:
        return redeem(session, code, **_identity(user, **over))


# --- creating ----------------------------------------------------------------------------


def test_code_shape_and_deep_link(synced):
    invitation, code = _invite(synced)
    assert 22 <= len(code) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in code)
    assert invitation.code_hash == hash_code(code) != code
    assert invitation.expires_at == NOW + timedelta(days=14)
    assert invitation.created_by == "test" and invitation.role == "focal"
    assert deep_link("baocao_test_bot", code) == f"https://t.me/baocao_test_bot?start={code}"
    assert deep_link("@baocao_test_bot", code) == f"https://t.me/baocao_test_bot?start={code}"
    with pytest.raises(ValueError):
        deep_link("not a name", code)
    other = {_invite(synced)[1] for _ in range(20)}
    assert len(other) == 20 and code not in other
    # Typed alone into a chat without deep links, a code is told apart from words.
    assert all(looks_like_code(c) for c in other if any(ch.isdigit() for ch in c))
    assert not looks_like_code("NV4: hoàn thành") and not looks_like_code("hoanthanhnhiemvuquyI")


def test_create_refuses_unknown_agency_bad_role_and_bad_ttl(synced):
    with get_session(synced) as session:
        with pytest.raises(InvitationError, match="không có cơ quan"):
            create_invitation(session, agency_id="cong-an", role="focal", created_by="t", now=NOW)
        with pytest.raises(InvitationError, match="vai trò"):
            create_invitation(session, agency_id=POLICE, role="boss", created_by="t", now=NOW)
        with pytest.raises(InvitationError, match="thời hạn"):
            create_invitation(session, agency_id=POLICE, role="focal", created_by="t", now=NOW, ttl=timedelta(0))
        with pytest.raises(ValueError):
            create_invitation(session, agency_id=POLICE, role="focal", created_by="t", now=NOW.replace(tzinfo=None))
        session.rollback()
        assert session.exec(select(Invitation)).all() == []


def test_the_code_is_not_stored_in_clear(synced):
    _, code = _invite(synced)
    assert _redeem(synced, code, 1001).outcome is RedeemOutcome.OK
    found = []
    with synced.connect() as connection:
        for table in sa_inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                found += [(table, value) for value in row if value is not None and code in str(value)]
    assert found == []


# --- redeeming ---------------------------------------------------------------------------


def test_redeem_binds_the_contact_and_consumes_the_invitation(synced):
    invitation, code = _invite(synced)
    result = _redeem(synced, f"  {code}\n", 1001, display_name="Nguyễn Văn An", chat_id=5551001)
    assert result.ok and result.outcome == "ok" and not result.reactivated
    contact = result.contact
    assert (contact.agency_id, contact.role, contact.user_id, contact.chat_id) == (POLICE, "focal", "1001", "5551001")
    assert contact.display_name == "Nguyễn Văn An" and contact.active

    with get_session(synced) as session:
        stored = session.get(Invitation, invitation.id)
        assert stored.used_at == NOW + timedelta(hours=1) and stored.used_by_contact_id == contact.id
        assert [c.id for c in contacts_of(session, 1001, "telegram")] == [contact.id]
        assert [c.id for c in contacts_of(session, "1001", channel="telegram")] == [contact.id]
        assert list_invitations(session, now=NOW) == []
        audit = session.exec(select(AuditLog).where(AuditLog.action == "invitation.redeem")).one()
        assert audit.actor == "telegram:1001" and audit.target == f"contact:{contact.id}"
        assert audit.detail["invitation_id"] == invitation.id and audit.detail["agency_id"] == POLICE


def test_same_identity_twice_is_already_and_another_user_is_used(synced):
    invitation, code = _invite(synced)
    first = _redeem(synced, code, 1001)
    again = _redeem(synced, code, 1001, now=NOW + timedelta(days=30))  # even after expiry
    assert again.outcome is RedeemOutcome.ALREADY and again.contact.id == first.contact.id
    assert _redeem(synced, code, 2002).outcome is RedeemOutcome.USED

    # An unused invitation for the same agency and role is not consumed by someone already bound.
    spare, spare_code = _invite(synced)
    assert _redeem(synced, spare_code, 1001).outcome is RedeemOutcome.ALREADY
    with get_session(synced) as session:
        assert session.get(Invitation, spare.id).used_at is None
        assert [c.id for c in session.exec(select(Contact)).all()] == [first.contact.id]
        assert len(session.exec(select(AuditLog).where(AuditLog.action == "invitation.redeem")).all()) == 1
    assert _redeem(synced, spare_code, 2002).ok  # still usable by the person it was meant for


def test_expired_and_revoked(synced):
    _, code = _invite(synced, ttl=timedelta(days=1))
    assert _redeem(synced, code, 1001, now=NOW + timedelta(days=1)).outcome is RedeemOutcome.EXPIRED
    assert _redeem(synced, code, 1001, now=NOW + timedelta(days=2)).outcome is RedeemOutcome.EXPIRED

    invitation, code = _invite(synced)
    with session_scope(synced) as session:
        revoked = revoke_invitation(session, invitation.id, actor="test", now=NOW + timedelta(minutes=5))
        assert revoked.revoked_at == NOW + timedelta(minutes=5)
    result = _redeem(synced, code, 1001)
    assert result.outcome is RedeemOutcome.REVOKED and result.contact is None
    with session_scope(synced) as session:
        # Revoking again, or revoking a used invitation, changes nothing.
        assert revoke_invitation(session, invitation.id, actor="test", now=NOW + timedelta(hours=3)).revoked_at == (
            NOW + timedelta(minutes=5)
        )
        assert revoke_invitation(session, 999_999, actor="test", now=NOW) is None
        assert session.exec(select(Contact)).all() == []
        assert len(session.exec(select(AuditLog).where(AuditLog.action == "invitation.revoke")).all()) == 1

    used, used_code = _invite(synced)
    assert _redeem(synced, used_code, 3003).ok
    with session_scope(synced) as session:
        unchanged = revoke_invitation(session, used.id, actor="test", now=NOW + timedelta(hours=2))
        assert unchanged.revoked_at is None and unchanged.used_at is not None


GARBAGE = [
    "",
    " ",
    "x" * 500,
    "💥",
    "💥" * 30,
    "'; DROP TABLE invitation; --",
    "abc",
    "A" * 65,
    "A" * 22 + "\x00",
    "%00%00",
    None,
    0,
    12345678901234567890,
    b"bytesbytesbytesbytesbytes",
    ["list"],
    {"code": "x"},
    object(),
]


@pytest.mark.parametrize("code", GARBAGE, ids=lambda c: repr(c)[:20])
def test_garbage_codes_are_unknown(synced, code):
    _invite(synced)
    result = _redeem(synced, code, 1001)
    assert result.outcome is RedeemOutcome.UNKNOWN and result.contact is None and result.invitation is None


def test_well_formed_but_unknown_code(synced):
    _invite(synced)
    assert _redeem(synced, "A" * 22, 1001).outcome is RedeemOutcome.UNKNOWN
    with get_session(synced) as session:
        assert session.exec(select(Invitation)).one().used_at is None
        assert session.exec(select(Invitation)).one().code_hash != hash_code("A" * 22)


def test_long_display_name_and_language_are_cut_not_refused(synced):
    _, code = _invite(synced)
    result = _redeem(synced, code, 1001, display_name="Ư" * 1000, language="vi-VN-x-" + "z" * 50)
    assert result.ok and len(result.contact.display_name) == 255 and len(result.contact.language) == 16


# --- races -------------------------------------------------------------------------------


def test_two_concurrent_redemptions_exactly_one_wins(synced):
    """Session A has claimed but not committed; session B runs meanwhile and must lose."""
    invitation, code = _invite(synced)
    session_a = get_session(synced)
    result_a = redeem(session_a, code, **_identity(1001))
    assert result_a.ok

    results = {}

    def contender() -> None:
        with get_session(synced) as session_b:
            results["b"] = redeem(session_b, code, **_identity(2002))
            session_b.commit()

    thread = threading.Thread(target=contender)
    thread.start()
    time.sleep(0.5)  # B blocks: on the row lock (PostgreSQL) or the write lock (SQLite)
    assert thread.is_alive()
    session_a.commit()
    session_a.close()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert results["b"].outcome is RedeemOutcome.USED

    with get_session(synced) as session:
        contacts = session.exec(select(Contact)).all()
        assert [c.user_id for c in contacts] == ["1001"]
        assert session.get(Invitation, invitation.id).used_by_contact_id == contacts[0].id


@pytest.mark.parametrize("same_person", [False, True], ids=["different-people", "double-tap"])
def test_many_racers_one_winner(synced, same_person):
    _, code = _invite(synced)
    racers = 6
    barrier = threading.Barrier(racers)
    outcomes: list[RedeemOutcome] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def race(user: int) -> None:
        try:
            with get_session(synced) as session:
                barrier.wait(timeout=10)
                result = redeem(session, code, **_identity(1001 if same_person else user))
                session.commit()
            with lock:
                outcomes.append(result.outcome)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(4000 + i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert outcomes.count(RedeemOutcome.OK) == 1
    loser = RedeemOutcome.ALREADY if same_person else RedeemOutcome.USED
    assert outcomes.count(loser) == racers - 1
    with get_session(synced) as session:
        assert len(session.exec(select(Contact)).all()) == 1


# --- contacts: several per agency, several agencies per person, revoke, re-activate --------


def test_several_focal_points_per_agency_and_several_agencies_per_person(synced):
    for user in (1001, 1002, 1003):
        assert _redeem(synced, _invite(synced)[1], user).ok
    assert _redeem(synced, _invite(synced, agency=JUSTICE, role="coordinator")[1], 1001).ok
    with get_session(synced) as session:
        police = list_contacts(session, agency_id=POLICE)
        assert [c.user_id for c in police] == ["1001", "1002", "1003"]
        assert [c.agency_id for c in contacts_of(session, 1001, "telegram")] == [POLICE, JUSTICE]
        assert [c.user_id for c in list_contacts(session, role=ContactRole.COORDINATOR)] == ["1001"]
        assert len(list_contacts(session)) == 4
        assert len(list_contacts(session, agency_id=[POLICE, JUSTICE], role="focal")) == 3


def test_revoke_then_reactivate_with_a_new_invitation(synced):
    first = _redeem(synced, _invite(synced)[1], 1001, display_name="Cũ")
    with session_scope(synced) as session:
        gone = deactivate_contact(session, first.contact.id, reason="chuyển công tác", actor="test", now=NOW + timedelta(days=1))
        assert gone.active is False and gone.deactivated_reason == "chuyển công tác"
        # Idempotent: the first deactivation's time and reason stay.
        again = deactivate_contact(session, first.contact.id, reason="khác", actor="test", now=NOW + timedelta(days=2))
        assert again.deactivated_at == NOW + timedelta(days=1) and again.deactivated_reason == "chuyển công tác"
        assert deactivate_contact(session, 999_999, reason="x", actor="test", now=NOW) is None
    with get_session(synced) as session:
        assert contacts_of(session, 1001, "telegram") == []
        assert [c.id for c in contacts_of(session, 1001, "telegram", active_only=False)] == [first.contact.id]
        assert list_contacts(session) == [] and len(list_contacts(session, include_inactive=True)) == 1
        assert len(session.exec(select(AuditLog).where(AuditLog.action == "contact.deactivate")).all()) == 1

    # The old link stays spent; a new invitation for the same role re-activates the row.
    _, code = _invite(synced)
    result = _redeem(synced, code, 1001, display_name="Mới", chat_id=777, now=NOW + timedelta(days=3))
    assert result.ok and result.reactivated and result.contact.id == first.contact.id
    contact = result.contact
    assert (contact.active, contact.role, contact.chat_id, contact.display_name) == (True, "focal", "777", "Mới")
    assert contact.deactivated_at is None and contact.deactivated_reason is None


def test_old_link_of_a_revoked_contact_is_used(synced):
    _, code = _invite(synced)
    first = _redeem(synced, code, 1001)
    with session_scope(synced) as session:
        deactivate_contact(session, first.contact.id, reason="r", actor="test", now=NOW + timedelta(hours=2))
    assert _redeem(synced, code, 1001, now=NOW + timedelta(hours=3)).outcome is RedeemOutcome.USED


def test_a_new_role_adds_up_and_the_old_one_stays(synced):
    first = _redeem(synced, _invite(synced)[1], 1001)
    result = _redeem(synced, _invite(synced, role="coordinator")[1], 1001)
    assert result.ok and not result.reactivated and result.previous_role is None
    assert result.contact.id != first.contact.id and result.contact.role == "coordinator"
    with session_scope(synced) as session:
        roles = sorted(c.role for c in contacts_of(session, 1001, "telegram"))
    assert roles == ["coordinator", "focal"]


def test_list_invitations(synced):
    pending, _ = _invite(synced)
    used, used_code = _invite(synced, agency=JUSTICE)
    expired, _ = _invite(synced, ttl=timedelta(hours=1))
    _redeem(synced, used_code, 1001)
    later = NOW + timedelta(hours=2)
    with get_session(synced) as session:
        assert [i.id for i in list_invitations(session, now=later)] == [pending.id]
        assert [i.id for i in list_invitations(session, now=later, agency_id=JUSTICE)] == []
        assert {i.id for i in list_invitations(session, pending_only=False)} == {pending.id, used.id, expired.id}


# --- the command line --------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, tmp_path, database_url, engine):
    """``baocao.cli.main`` on the test database, from tmp_path.

    ``engine`` has migrated the database (PostgreSQL needs `baocao db upgrade` first)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAOCAO_DATABASE_URL", database_url)
    for name in (
        "BAOCAO_PLAN_PATH",
        "TELEGRAM_BOT_TOKEN",
        "BAOCAO_BOT_TOKEN",
        "TELEGRAM_BOT_USERNAME",
        "BAOCAO_BOT_USERNAME",
        "TELEGRAM_API_BASE_URL",
        "BAOCAO_API_BASE_URL",
        "ZALO_BOT_TOKEN",
        "BAOCAO_ZALO_BOT_TOKEN",
        "ZALO_BOT_NAME",
        "BAOCAO_ZALO_BOT_NAME",
        "ZALO_API_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)

    from baocao.cli import main

    return main


def _run(capsys, main, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _invitations(engine) -> list[Invitation]:
    with get_session(engine) as session:
        return list(session.exec(select(Invitation)).all())


def test_cli_invite_prints_the_deep_link_last(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    code, out, err = _run(capsys, cli, "--now", "2024-03-01T08:30", "invite", "CA tỉnh", "--role", "focal")
    assert code == 0, err
    lines = out.strip().splitlines()
    stored = _invitations(engine)
    assert len(stored) == 1 and stored[0].agency_id == POLICE and stored[0].created_by == "cli"
    link = lines[-1]
    assert link.startswith("https://t.me/baocao_test_bot?start=")
    secret = link.rsplit("=", 1)[1]
    assert stored[0].code_hash == hash_code(secret)
    assert "Công an tỉnh" in out and "đầu mối" in out
    assert "Thứ Sáu, ngày 15 tháng 3 năm 2024, lúc 08:30" in out  # 14 days after Friday 1/3
    assert f"Mã mời: {secret}" in out

    # The link works once.
    with session_scope(engine) as session:
        assert redeem(session, secret, **_identity(1001)).ok


def test_cli_invite_on_zalo_alone_says_to_type_the_code(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("ZALO_BOT_TOKEN", "3141592653:zalo-secret")
    monkeypatch.setenv("ZALO_BOT_NAME", "Bot Báo cáo Sở Tư pháp")
    code, out, err = _run(capsys, cli, "--now", "2024-03-01T08:30", "invite", "CA tỉnh")
    assert code == 0, err
    secret = next(line for line in out.splitlines() if line.startswith("Mã mời: ")).removeprefix("Mã mời: ")
    assert f"Zalo: trên Zalo, tìm Bot Báo cáo Sở Tư pháp và nhắn mã {secret} cho bot là đăng ký xong." in out
    assert "t.me" not in out and "zalo-secret" not in out
    with session_scope(engine) as session:
        assert redeem(session, secret, **_identity(1001)).ok


def test_cli_invite_json_names_every_channel(cli, engine, capsys, monkeypatch):
    import json

    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "3141592653:zalo-secret")
    monkeypatch.setenv("ZALO_BOT_NAME", "Bot Báo cáo Sở Tư pháp")
    code, out, err = _run(capsys, cli, "--now", "2024-03-01T08:30", "invite", "CA tỉnh", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"code", "agency", "role", "expires_at", "links"}
    assert (data["agency"], data["role"]) == (POLICE, "focal")
    assert data["expires_at"].startswith("2024-03-15T01:30")
    assert data["links"]["telegram"] == f"https://t.me/baocao_test_bot?start={data['code']}"
    assert data["code"] in data["links"]["zalo"] and "Bot Báo cáo Sở Tư pháp" in data["links"]["zalo"]
    assert _invitations(engine)[0].code_hash == hash_code(data["code"])


def test_cli_invite_roles_and_days(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@baocao_test_bot")
    code, out, err = _run(capsys, cli, "--now", "2024-03-01T08:30", "invite", "so-tu-phap", "--role", "coordinator", "--days", "3")
    assert code == 0, err
    assert "điều phối (Sở Tư pháp)" in out and "Thứ Hai, ngày 4 tháng 3 năm 2024" in out
    assert out.strip().splitlines()[-1].startswith("https://t.me/baocao_test_bot?start=")
    code, out, _ = _run(capsys, cli, "invite", "Sở Tư pháp", "--role", "admin")
    assert code == 0 and "quản trị" in out
    assert _run(capsys, cli, "invite", "CA tỉnh", "--days", "0")[0] == 2
    assert len(_invitations(engine)) == 2


def test_cli_invite_unknown_agency_suggests(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    code, out, err = _run(capsys, cli, "invite", "Cong an tin")
    assert code == 2 and out == ""
    assert "không tìm thấy cơ quan 'Cong an tin'" in err and "Công an tỉnh (cong-an-tinh)" in err
    assert len(err.strip().splitlines()) == 1
    assert _invitations(engine) == []


def test_cli_invite_refuses_a_group(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    code, _, err = _run(capsys, cli, "invite", "UBND các huyện, thành phố")
    assert code == 2 and "là một nhóm" in err and "từng cơ quan" in err and "(ubnd-" in err
    assert _invitations(engine) == []


def test_cli_invite_without_username_or_token_creates_nothing(cli, engine, capsys):
    code, out, err = _run(capsys, cli, "invite", "CA tỉnh")
    assert code == 2 and out == ""
    assert "đặt TELEGRAM_BOT_USERNAME (tên bot, ví dụ baocao_ninhthuan_bot) để tạo đường dẫn mời" in err
    assert _invitations(engine) == []


def test_cli_invite_getme_failure_creates_nothing(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:SECRET-TOKEN")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:1/bot")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    code, _, err = _run(capsys, cli, "invite", "CA tỉnh")
    assert code == 2 and "TELEGRAM_BOT_USERNAME" in err and "getMe" in err
    assert "SECRET-TOKEN" not in err and len(err.strip().splitlines()) == 1
    assert _invitations(engine) == []


async def test_cli_invite_asks_telegram_for_the_username(cli, engine, capsys, monkeypatch, standin):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", standin.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", standin.base_url)
    # The CLI runs its own event loop (asyncio.run), so it runs beside the stand-in's, in a thread.
    code = await asyncio.to_thread(cli, ["invite", "CA tỉnh"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith(f"https://t.me/{standin.bot_username}?start=")
    assert standin.requests["getMe"] >= 1

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:WRONG")  # the stand-in answers 401
    code = await asyncio.to_thread(cli, ["invite", "CA tỉnh"])
    assert code == 2 and "TELEGRAM_BOT_USERNAME" in capsys.readouterr().err
    assert len(_invitations(engine)) == 1


def test_cli_contacts_list_json_and_revoke(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    code, out, _ = _run(capsys, cli, "--now", "2024-03-01T08:30", "invite", "CA tỉnh")
    secret = out.strip().splitlines()[-1].rsplit("=", 1)[1]
    assert _run(capsys, cli, "--now", "2024-03-01T08:30", "invite", "Sở Tư pháp", "--role", "coordinator")[0] == 0
    with session_scope(engine) as session:
        contact = redeem(session, secret, **_identity(1001, display_name="Trần Thị Bình")).contact

    code, out, err = _run(capsys, cli, "--now", "2024-03-02T08:30", "contacts", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [(c["id"], c["agency_id"], c["role"], c["display_name"], c["chat_id"]) for c in data["contacts"]] == [
        (contact.id, POLICE, "focal", "Trần Thị Bình", "1001")
    ]
    assert data["contacts"][0]["agency"] == "Công an tỉnh" and data["contacts"][0]["active"] is True
    assert [(i["agency_id"], i["role"], i["state"]) for i in data["invitations"]] == [(JUSTICE, "coordinator", "pending")]
    assert all("code" not in key for i in data["invitations"] for key in i)

    code, out, _ = _run(capsys, cli, "--now", "2024-03-02T08:30", "contacts")
    assert code == 0 and "Trần Thị Bình" in out and "Công an tỉnh — đầu mối" in out and "chat 1001" in out
    assert "Lời mời chưa dùng (1)" in out and "Sở Tư pháp — điều phối (Sở Tư pháp)" in out

    code, out, _ = _run(capsys, cli, "--now", "2024-03-02", "contacts", "--agency", "Sở Tư pháp", "--json")
    assert json.loads(out)["contacts"] == [] and len(json.loads(out)["invitations"]) == 1
    code, out, _ = _run(capsys, cli, "--now", "2024-03-02", "contacts", "--invitations", "--json")
    assert list(json.loads(out)) == ["invitations"]

    code, out, err = _run(capsys, cli, "--now", "2024-03-05T09:00", "contacts", "--revoke", str(contact.id), "--reason", "nghỉ hưu")
    assert code == 0, err
    assert f"Đã thu hồi đầu mối số {contact.id}" in out
    with get_session(engine) as session:
        stored = session.get(Contact, contact.id)
        assert stored.active is False and stored.deactivated_reason == "nghỉ hưu"
        audit = session.exec(select(AuditLog).where(AuditLog.action == "contact.deactivate")).one()
        assert audit.actor == "cli" and audit.target == f"contact:{contact.id}"
    assert json.loads(_run(capsys, cli, "contacts", "--json")[1])["contacts"] == []
    every = json.loads(_run(capsys, cli, "--now", "2024-03-05", "contacts", "--all", "--json")[1])
    assert [c["active"] for c in every["contacts"]] == [False]
    assert {i["state"] for i in every["invitations"]} == {"used", "pending"}

    code, out, _ = _run(capsys, cli, "contacts", "--revoke", str(contact.id))
    assert code == 0 and "không thay đổi gì" in out
    code, _, err = _run(capsys, cli, "contacts", "--revoke", "424242")
    assert code == 2 and "không có đầu mối số 424242" in err


def test_cli_contacts_revoke_invitation(cli, engine, capsys, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    out = _run(capsys, cli, "invite", "CA tỉnh")[1]
    secret = out.strip().splitlines()[-1].rsplit("=", 1)[1]
    invitation = _invitations(engine)[0]
    code, out, _ = _run(capsys, cli, "contacts", "--revoke-invitation", str(invitation.id))
    assert code == 0 and "Đã hủy lời mời" in out
    with session_scope(engine) as session:
        assert redeem(session, secret, **_identity(1001, now=datetime.now(UTC))).outcome is RedeemOutcome.REVOKED
    assert _run(capsys, cli, "contacts", "--revoke-invitation", "424242")[0] == 2


def test_cli_unreachable_database_is_one_line(cli, capsys, monkeypatch):
    url = "postgresql://postgres@127.0.0.1:1/baocao"
    monkeypatch.setenv("BAOCAO_DATABASE_URL", url)
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "baocao_test_bot")
    from storage.db import dispose_engine

    try:
        for argv in (["invite", "CA tỉnh"], ["contacts"]):
            code, _, err = _run(capsys, cli, *argv)
            assert code == 2 and "Không kết nối được cơ sở dữ liệu" in err and len(err.strip().splitlines()) == 1
    finally:
        dispose_engine(url)


def test_invite_parser_on_its_own():
    """The module registers on any sub-parser set (how baocao.cli wires it)."""
    import argparse

    from baocao.commands import invite

    parser = argparse.ArgumentParser()
    invite.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["invite", "CA tỉnh", "--role", "coordinator", "--days", "7"])
    assert (args.agency, args.role, args.days, args.func) == ("CA tỉnh", "coordinator", 7, invite.run_invite)
    args = parser.parse_args(["contacts", "--agency", "CAT", "--all", "--json"])
    assert (args.agency, args.all, args.json, args.revoke, args.func) == ("CAT", True, True, None, invite.run_contacts)
    with pytest.raises(SystemExit):
        parser.parse_args(["invite", "CA tỉnh", "--role", "boss"])
