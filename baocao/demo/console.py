"""The sandbox console (``baocao sandbox``): a terminal in which a developer plays Telegram
users against the real bot.

The bot is the real runtime (:func:`baocao.demo.bot.running_bot`: our polling loop into the
inbox, the inbox worker, the outbox dispatcher) with the real Telegram channel, talking to the
Bot API stand-in (:class:`baocao.demo.telegram_api.BotApiStandIn`) on 127.0.0.1; nothing ever
reaches Telegram. Each line typed is one message of the current simulated user (see
:data:`CONSOLE_HELP`); the bot's answers are printed as they come. Reminders go out only on
``:tick``; the clock (:class:`MovingClock`) keeps moving from where ``:now`` puts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from baocao.demo.bot import buttons as _buttons, sent_rows, settled
from baocao.demo.telegram_api import SEND_KINDS, BotApiStandIn
from baocao.demo.zalo_api import ZaloStandIn
from common.text import fold


class MovingClock:
    """Real time from a settable starting point: the sandbox's clock keeps moving after ``:now``."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("MovingClock needs an aware datetime")
        self._start = at.astimezone(UTC)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


ROLE_WORDS = {
    "focal": "focal", "dau moi": "focal",
    "coordinator": "coordinator", "dieu phoi": "coordinator",
    "admin": "admin", "quan tri": "admin",
}

CONSOLE_HELP = """\
Gõ như một người dùng Telegram:
  văn bản            gửi tin nhắn (ví dụ: NV4: đang thực hiện 70%, vướng kinh phí)
  /lệnh              gửi lệnh (/start, /baocao, /nhiemvu, /hanchot, /tinhhinh, /trogiup…)
  !N                 bấm nút số N của tin nhắn có nút gần nhất
  >văn bản           trả lời (reply) tin nhắn gần nhất của bot (ví dụ tin nhắc hạn)
  :user ID [Tên]     đổi sang người dùng khác (tạo mới nếu chưa có)
  :invite CƠ_QUAN [focal|coordinator|admin]
                     tạo lời mời và dùng ngay cho người dùng hiện tại (ví dụ :invite CA tỉnh)
  :admin             cho người dùng hiện tại quyền quản trị (như BAOCAO_ADMIN_CHAT_IDS)
  :tick [THỜI_ĐIỂM]  chạy bộ nhắc hạn một lần (lúc THỜI_ĐIỂM, ví dụ 2024-03-06T08:30)
  :now THỜI_ĐIỂM     đặt đồng hồ mô phỏng (giờ Việt Nam nếu không ghi múi giờ)
  :help              hướng dẫn này
  :quit              thoát (hoặc Ctrl+D)"""

CONSOLE_HELP_ZALO = """\
Gõ như một người dùng Zalo (Zalo không có nút bấm và không trả lời vào một tin cụ thể):
  văn bản            gửi tin nhắn (ví dụ: NV4: đang thực hiện 70%, vướng kinh phí)
  số                 chọn lựa chọn có số đó trong tin gần nhất của bot (ví dụ 1 để xác nhận)
  /lệnh              gửi lệnh (/baocao, /nhiemvu, /hanchot, /tinhhinh, /trogiup…)
  :photo [chú thích] gửi một ảnh (kèm chú thích, ví dụ :photo NV4: hoàn thành)
  :sticker           gửi một nhãn dán
  :user ID [Tên]     đổi sang người dùng khác (tạo mới nếu chưa có)
  :invite CƠ_QUAN [focal|coordinator|admin]
                     tạo lời mời và nhắn mã cho bot thay người dùng hiện tại (ví dụ :invite CA tỉnh)
  :admin             cho người dùng hiện tại quyền quản trị (như ZALO_ADMIN_IDS)
  :tick [THỜI_ĐIỂM]  chạy bộ nhắc hạn một lần (lúc THỜI_ĐIỂM, ví dụ 2024-03-06T08:30)
  :now THỜI_ĐIỂM     đặt đồng hồ mô phỏng (giờ Việt Nam nếu không ghi múi giờ)
  :help              hướng dẫn này
  :quit              thoát (hoặc Ctrl+D)"""


class Console:
    """The sandbox's terminal: lines in, the bot's answers out (see :data:`CONSOLE_HELP`)."""

    def __init__(self, standin: BotApiStandIn, services: Any, clock: MovingClock, out: TextIO, *,
                 echo: bool = True, settle_s: float = 0.35, first_wait_s: float = 5.0) -> None:
        """``services``: the running bot's :class:`~baocao.services.Services` (its clock is
        ``clock``), whose Telegram channel talks to ``standin``."""
        self.standin, self.services, self.clock, self.out = standin, services, clock, out
        self.zalo = isinstance(standin, ZaloStandIn)
        self.channel = "zalo" if self.zalo else "telegram"
        self.help = CONSOLE_HELP_ZALO if self.zalo else CONSOLE_HELP
        self.tz: ZoneInfo = services.settings.tz
        self.echo = echo
        self.settle_s, self.first_wait_s = settle_s, first_wait_s
        self.cursor = len(standin.sent)
        self.with_buttons: dict[int, dict] = {}  # chat → last message that has buttons
        self.last_message: dict[int, dict] = {}  # chat → last message of the bot
        self.user = standin.user(1001, first_name="Nguyễn Văn An")

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def prompt(self) -> str:
        return f"{self.user.first_name}> "

    # -- output

    def _name(self, chat_id: int) -> str:
        user = self.standin.users.get(chat_id)
        return f"{user.first_name} ({chat_id})" if user else str(chat_id)

    def flush(self) -> int:
        records = self.standin.sent[self.cursor:]
        self.cursor += len(records)
        for record in records:
            chat = record["chat_id"]
            if record["kind"] in SEND_KINDS or self.zalo:
                self.last_message[chat] = record
            text = record.get("plain") or record.get("text") or ""
            head = "🤖" if chat == self.user.id else f"🤖 → {self._name(chat)}"
            if record["kind"] in ("edit", "edit_markup"):
                head += f" (sửa tin #{record['message_id']})"
            elif record["kind"] == "delete":
                self.print(f"{head} (xóa tin #{record['message_id']})")
                continue
            if record.get("photo"):
                head += f" [ảnh {record['photo']}]"
            self.print(f"{head}: " + text.replace("\n", "\n   "))
            rows = (record.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(rows):
                self.with_buttons[chat] = record
                number = 0
                for row in rows:  # one line per keyboard row, numbered across rows
                    labels = []
                    for button in row:
                        number += 1
                        labels.append(f"[{number}] {button.get('text', '')}")
                    self.print("   " + "  ".join(labels))
        return len(records)

    async def settle(self) -> None:
        """Wait for the bot's answer (the first record, up to ``first_wait_s``), then until it
        has been quiet for ``settle_s``; print what came."""
        start = len(self.standin.sent)
        deadline = time.monotonic() + self.first_wait_s
        while len(self.standin.sent) == start and time.monotonic() < deadline:
            await self.standin._wait_change(min(0.1, max(0.0, deadline - time.monotonic())))
        with contextlib.suppress(TimeoutError):  # the bot may still be busy: show what came
            await settled(self.services, self.standin, timeout=max(self.first_wait_s, 1.0))
        while True:
            count = len(self.standin.sent)
            await asyncio.sleep(self.settle_s)
            if len(self.standin.sent) == count:
                break
        self.flush()

    # -- input

    async def handle(self, line: str) -> bool:
        """One input line; ``False`` when the console should end."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return True
        if self.echo:
            self.print(f"» {self.user.first_name}: {line}")
        self.flush()
        stripped = line.strip()
        if stripped.startswith(":"):
            command, _, arg = stripped[1:].partition(" ")
            return await self._command(command.lower(), arg.strip())
        if stripped.startswith("!") and stripped[1:].strip().isdigit():
            if self.zalo:  # no buttons: the number itself is what a Zalo user types
                self.user.send(stripped[1:].strip())
                await self.settle()
                return True
            await self._press(int(stripped[1:].strip()))
            return True
        if stripped.startswith(">") and self.zalo:
            self.print("(Zalo không trả lời vào một tin cụ thể; gửi như tin thường)")
            stripped = line = stripped[1:].strip()
        if stripped.startswith(">"):
            target = self.last_message.get(self.user.id)
            if target is None:
                self.print("(chưa có tin nhắn nào của bot để trả lời; gửi như tin thường)")
            self.user.send(stripped[1:].strip(), reply_to=target["message_id"] if target else None)
            await self.settle()
            return True
        self.user.send(line.strip())
        await self.settle()
        return True

    async def _press(self, number: int) -> None:
        record = self.with_buttons.get(self.user.id)
        if record is None:
            self.print("(không có tin nhắn nào có nút bấm)")
            return
        message = self.standin._messages.get((record["chat_id"], record["message_id"])) or {}
        buttons = _buttons(message) if message.get("reply_markup") else _buttons(record)
        if not 1 <= number <= len(buttons):
            self.print(f"(tin nhắn có {len(buttons)} nút; chọn từ 1 đến {len(buttons)})")
            return
        label, data = buttons[number - 1]
        self.print(f"(bấm [{number}] {label})")
        try:
            self.user.press(record, data)
        except ValueError as exc:
            self.print(f"(không bấm được: {exc})")
            return
        await self.settle()

    async def _command(self, command: str, arg: str) -> bool:
        if command in ("quit", "q", "exit", "thoat"):
            return False
        if command in ("help", "h", "?"):
            self.print(self.help)
        elif command in ("photo", "sticker") and self.zalo:
            from baocao.demo.telegram_api import tiny_png

            if command == "photo":
                self.user.send_photo(tiny_png(), caption=arg or None)
            else:
                self.user.send_sticker()
            await self.settle()
        elif command == "user":
            self._switch(arg)
        elif command == "invite":
            await self._invite(arg)
        elif command == "admin":
            config = self.services.context.config
            config.admin_users = frozenset(config.admin_users | {f"{self.channel}:{self.user.id}"})
            self.print(f"({self.user.first_name} là quản trị viên của bot trong phiên này)")
        elif command == "now":
            await self._set_now(arg)
        elif command == "tick":
            if arg and not await self._set_now(arg):
                return True
            await self._tick()
        else:
            self.print(f"(không có lệnh :{command}; gõ :help)")
        return True

    def _switch(self, arg: str) -> None:
        head, _, name = arg.partition(" ")
        valid = head.isalnum() if self.zalo else head.lstrip("-").isdigit() and int(head) > 0
        if not valid:
            self.print("(cú pháp: :user ID [Tên], ví dụ :user 1002 Trần Thị Bình)")
            return
        user_id: Any = head if self.zalo else int(head)
        self.user = self.standin.user(user_id, first_name=name.strip() or f"Người dùng {user_id}")
        self.print(f"(đang là {self.user.first_name}, id {user_id})")

    async def _set_now(self, arg: str) -> bool:
        from common.clock import parse_now

        try:
            moment = parse_now(arg, self.tz)
        except ValueError as exc:
            self.print(f"({exc})")
            return False
        # Nothing in flight when the clock jumps: leases and receipt times are in its time.
        with contextlib.suppress(TimeoutError):
            await settled(self.services, self.standin)
        self.clock.set(moment)
        self.print(f"(đồng hồ: {self.clock.now().astimezone(self.tz):%d/%m/%Y %H:%M})")
        return True

    async def _invite(self, arg: str) -> None:
        from bot.invitations import InvitationError, create_invitation
        from scheduler.plan import closest_names, find
        from storage.db import session_scope

        words = arg.split()
        role = "focal"
        for k in (2, 1):
            if len(words) > k and fold(" ".join(words[-k:])) in ROLE_WORDS:
                role = ROLE_WORDS[fold(" ".join(words[-k:]))]
                words = words[:-k]
                break
        query = " ".join(words)
        plan = self.services.context.plan
        match = find(plan, query) if query else None
        if match is None:
            near = closest_names(plan, query) if query else []
            hint = f" Có phải: {'; '.join(m.name for m in near)}?" if near else ""
            self.print(f"(không tìm thấy cơ quan «{query}».{hint} Cú pháp: :invite CA tỉnh [focal|coordinator|admin])")
            return
        if match.kind != "agency":
            self.print(f"(«{match.name}» là một nhóm; chọn một cơ quan của nhóm)")
            return
        try:
            with session_scope(self.services.engine, write=True) as session:
                _, code = create_invitation(session, agency_id=match.id, role=role, created_by="sandbox", now=self.clock.now())
        except InvitationError as exc:
            self.print(f"({exc})")
            return
        role_name = {"focal": "đầu mối", "coordinator": "điều phối", "admin": "quản trị"}.get(role, role)
        if self.zalo:  # no deep links: the code is typed to the bot
            self.print(f"(lời mời {role_name} của {match.name}: mã {code})")
            self.user.send(code)
        else:
            self.print(f"(lời mời {role_name} của {match.name}: /start {code})")
            self.user.send(f"/start {code}")
        await self.settle()

    async def _tick(self) -> None:
        from scheduler.dispatch import tick

        services = self.services
        with contextlib.suppress(TimeoutError):
            await settled(services, self.standin)
        before = await asyncio.to_thread(sent_rows, services)
        report = await tick(services.engine, services.plans, services.calendar, services.senders(), self.clock,
                            worker_id="sandbox", tz=self.tz, office_hours=services.settings.reminders.office_hours,
                            pacers=services.pacers())
        # The runtime's dispatcher may take some of the rows just planned: count them all.
        with contextlib.suppress(TimeoutError):
            await settled(services, self.standin)
        sent = await asyncio.to_thread(sent_rows, services) - before
        d, e = report.dispatch, report.enqueue
        moment = self.clock.now().astimezone(self.tz)
        self.print(f"(nhắc hạn lúc {moment:%d/%m/%Y %H:%M}: đã gửi {sent} tin; xếp hàng mới {e.enqueued}; "
                   f"bỏ {e.dropped}; chờ gửi sau {d.retried + d.transient}; thất bại {d.failed})")
        self.flush()

    async def run(self, lines: AsyncIterator[str], *, interactive: bool = False) -> None:
        if interactive:
            sys.stdout.write(self.prompt())
            sys.stdout.flush()
        async for line in lines:
            if not await self.handle(line):
                break
            if interactive:
                sys.stdout.write(self.prompt())
                sys.stdout.flush()
        self.flush()


async def stdin_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Lines of ``stream`` (stdin) read by a daemon thread, so that Ctrl+C or ``:quit`` never
    waits for a blocked read; ends at EOF."""
    stream = stream or sys.stdin
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        try:
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=reader, name="sandbox-stdin", daemon=True).start()
    while True:
        line = await queue.get()
        if line is None:
            return
        yield line


def sandbox_start(plan: Any, cal: Any, tz: ZoneInfo, now: datetime) -> tuple[datetime, str | None]:
    """Where the sandbox's clock starts: ``now`` when the plan is in force then, else the first
    reminder of the plan's first period (with a note saying so)."""
    from scheduler.deadlines import obligations, reminder_schedule

    info = plan.plan
    if info.in_force.start <= now.astimezone(tz).date() <= info.in_force.end:
        return now, None
    years = list(plan.years_in_force())
    obs = obligations(plan, cal, years[0]) if years else []
    if not obs:
        return now, None
    settings = plan.reporting.reminders
    first = min(obs, key=lambda o: o.due)
    ladder = reminder_schedule(first.due, settings.steps, settings.time, ZoneInfo(settings.timezone), cal)
    at = ladder[0].at.astimezone(UTC)
    return at, (f"Kế hoạch số {info.number} có hiệu lực từ {info.in_force.start:%d/%m/%Y} đến {info.in_force.end:%d/%m/%Y}; "
                f"đồng hồ mô phỏng bắt đầu lúc {ladder[0].at:%H:%M %d/%m/%Y} (nhắc hạn đầu tiên). Đổi bằng :now.")


__all__ = ["CONSOLE_HELP", "ROLE_WORDS", "Console", "MovingClock", "sandbox_start", "stdin_lines"]
