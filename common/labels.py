"""The words for roles and statuses, in one place (marked for translation; the message ids are
the Vietnamese words themselves, which the report documents use as they are)."""

from __future__ import annotations

from common.i18n import N_

# An agency's role in a task.
DUTY_ROLES: dict[str, str] = {"lead": N_("chủ trì"), "coordinator": N_("phối hợp")}

# A person's role in baocao.
CONTACT_ROLES: dict[str, str] = {"focal": N_("đầu mối"), "coordinator": N_("điều phối"), "admin": N_("quản trị")}

# Where a task stands, as a focal point reported it.
ENTRY_STATUSES: dict[str, str] = {
    "not_started": N_("chưa triển khai"),
    "in_progress": N_("đang thực hiện"),
    "done": N_("hoàn thành"),
    "not_arisen": N_("không phát sinh"),
}
UNSPECIFIED = "unspecified"
UNSPECIFIED_LABEL = N_("chưa nêu tiến độ")

__all__ = ["CONTACT_ROLES", "DUTY_ROLES", "ENTRY_STATUSES", "UNSPECIFIED", "UNSPECIFIED_LABEL"]
