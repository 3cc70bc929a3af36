"""Where a conversation stands, in the database (``conversation_state``), so that a restart
loses nothing: a draft waiting for confirmation, a guided report half-way, and the choices
last offered (for channels without buttons)."""

from __future__ import annotations

import secrets
from typing import Any

from sqlmodel import select

from bot.turn import Turn
from common.message import Choice
from common.text import fold
from storage.models import ConversationState


def get(turn: Turn) -> ConversationState | None:
    return turn.session.exec(
        select(ConversationState).where(
            ConversationState.channel == turn.msg.channel,
            ConversationState.chat_id == turn.msg.chat_id,
            ConversationState.user_id == turn.msg.user_id,
        )
    ).first()


def _row(turn: Turn) -> ConversationState:
    row = get(turn)
    if row is None:
        row = ConversationState(
            channel=turn.msg.channel, chat_id=turn.msg.chat_id, user_id=turn.msg.user_id, state="idle", data={}, updated_at=turn.now
        )
    return row


def put(turn: Turn, state: str, data: dict[str, Any]) -> None:
    row = _row(turn)
    row.state, row.data, row.updated_at = state, dict(data), turn.now
    turn.session.add(row)


def clear(turn: Turn) -> None:
    row = get(turn)
    if row is not None:
        # The row stays for the offered choices; only the draft goes.
        row.state, row.data, row.updated_at = "idle", {}, turn.now
        turn.session.add(row)


def remember(turn: Turn, key: str, value: Any) -> None:
    """Keep ``value`` under ``key`` beside whatever the conversation is in (a draft stays);
    ``None`` forgets it. Gone with the next :func:`put` or :func:`clear`."""
    row = _row(turn)
    data = dict(row.data or {})
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    row.data, row.updated_at = data, turn.now
    turn.session.add(row)


def recall(turn: Turn, key: str) -> Any:
    row = get(turn)
    return (row.data or {}).get(key) if row is not None else None


def new_token() -> str:
    """Each draft carries a token in its buttons, so a press on an older draft changes nothing."""
    return secrets.token_hex(4)


def live(turn: Turn, token: str, then: object) -> ConversationState | None:
    """The state a button belongs to, or None (and a word to the user) when the button is from
    an older draft."""
    row = get(turn)
    if row is None or row.data.get("token") != token:
        t = turn.t
        turn.say(t("Nội dung này đã được xử lý hoặc đã hết hiệu lực.") + " " + then, toast=t.s("Đã hết hiệu lực"))
        return None
    return row


# --- choices offered on a channel without buttons ------------------------------------------------


def remember_offered(turn: Turn, choices: list[Choice]) -> None:
    row = _row(turn)
    row.offered = [[c.number, c.value, c.label] for c in choices]
    row.updated_at = turn.now
    turn.session.add(row)


def typed_choice(turn: Turn, text: str) -> str | None:
    """The value of an offered choice a person typed: its number ("1", "1."), or its label
    ("Xác nhận", "xac nhan"); None when the text is not one."""
    row = get(turn)
    if row is None or not row.offered:
        return None
    wanted = fold(text).strip(" .)")
    if not wanted:
        return None
    for number, value, label in row.offered:
        if wanted == str(number):
            return str(value)
    for _, value, label in row.offered:
        folded = fold(label)
        # "✅ Xác nhận" is typed "xac nhan": compare without the emoji and punctuation; or the
        # emoji alone ("✅", as the sign of a chat list reads "done" to the parser: here it answers the choice)
        bare = "".join(ch for ch in folded if ch.isalnum() or ch == " ").strip()
        sign = folded.split(" ", 1)[0] if folded and not folded[0].isalnum() else None
        if wanted in (folded, bare) or (sign and wanted in (sign, sign.rstrip("\ufe0f"))):
            return str(value)
    return None
