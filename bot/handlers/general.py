"""For everybody registered: /trogiup, /huy, /ngonngu."""

from __future__ import annotations

from bot import state
from bot.turn import Turn
from common.i18n import LANGUAGE_NAMES, SUPPORTED, translator
from common.message import Choice, Message, bold


def help_(turn: Turn, _: str) -> None:
    t = turn.t
    message = Message(bold(t("Hướng dẫn")))
    if turn.who.is_focal:
        message.add(
            t(
                "Báo cáo: trả lời tin nhắc hạn, hoặc gửi tin dạng «NV4: đang thực hiện 70%, vướng kinh phí». "
                "Nhiều nhiệm vụ: «NV2, NV6: hoàn thành; NV9 đang thực hiện»."
            ),
            t("/baocao — báo cáo từng bước"),
            t("/nhiemvu — nhiệm vụ của cơ quan"),
            t("/hanchot — hạn báo cáo sắp tới"),
            t("/dabaocao [kỳ] — những gì cơ quan đã báo cáo trong kỳ, và còn thiếu gì"),
            t("Gửi tệp (văn bản, ảnh) kèm hoặc ngay sau báo cáo: lưu làm minh chứng."),
        )
    if turn.who.is_coordinator:
        message.add(
            bold(t("Cán bộ điều phối")),
            t("/tinhhinh [kỳ] — tình hình báo cáo (ví dụ: /tinhhinh Q1)"),
            t("/tinhhinh NV4 hoặc /tinhhinh CA tỉnh — chi tiết một nhiệm vụ, một cơ quan"),
            t("/chuabaocao [kỳ] — cơ quan chưa báo cáo đủ, kèm lựa chọn nhắc"),
            t("/tonghop [kỳ] — dự thảo báo cáo tổng hợp (Word), phụ lục (Excel) và biểu đồ"),
            t("/moi <cơ quan> — tạo lời mời đầu mối"),
            t("/dsdaumoi [cơ quan] — danh sách tài khoản đã đăng ký"),
            t("/minhchung <cơ quan> [kỳ] — tệp minh chứng của cơ quan"),
            t("/tiepnhan <cơ quan> [kỳ], /bosung <cơ quan> [kỳ]: <nội dung> — tiếp nhận báo cáo, hoặc yêu cầu bổ sung"),
        )
    if turn.who.is_admin:
        message.add(
            bold(t("Quản trị")),
            t("/moi <cơ quan> điều phối|quản trị — mời cán bộ điều phối, quản trị viên"),
            t("/dsdaumoi — kèm lựa chọn thu hồi tài khoản"),
        )
    message.add(t("/ngonngu — đổi ngôn ngữ"), t("/huy — hủy thao tác đang làm"), t("/trogiup — hướng dẫn này"))
    turn.say(message=message)


def cancel(turn: Turn, _: str) -> None:
    state.clear(turn)
    turn.say(turn.t("Đã hủy thao tác đang làm."))


def language(turn: Turn, arg: str) -> None:
    if arg.strip().lower() in SUPPORTED:
        return set_language(turn, arg.strip().lower())
    turn.say(turn.t("Chọn ngôn ngữ:"), choices=[[Choice(LANGUAGE_NAMES[code], f"lang:{code}") for code in SUPPORTED]])
    return None


def set_language(turn: Turn, code: str) -> None:
    if code not in SUPPORTED:
        turn.say(turn.t("Nút này không còn hiệu lực."), toast=turn.t.s("Không hợp lệ"))
        return None
    for contact in turn.who.contacts:
        contact.language = code
        turn.session.add(contact)
    turn.t = translator(code)
    turn.say(turn.t("Đã chuyển sang tiếng Việt."), toast=LANGUAGE_NAMES[code])
    return None
