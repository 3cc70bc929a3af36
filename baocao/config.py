"""The one settings class: environment variables and ``.env``.

Variables are prefixed ``BAOCAO_``; the Telegram ones also accept the names the Telegram
ecosystem uses (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_BASE_URL``).
"""

from __future__ import annotations

from datetime import time as dt_time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.paths import data_file


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BAOCAO_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default="sqlite:///baocao.sqlite3",
        description="SQLAlchemy URL; default is a SQLite file in the working directory.",
    )
    plan_path: Path = Field(default_factory=lambda: data_file("plan.json"))
    calendar_path: Path = Field(default_factory=lambda: data_file("calendar-vn.json"))
    bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "BAOCAO_BOT_TOKEN"),
    )
    api_base_url: str = Field(
        default="https://api.telegram.org/bot",
        validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "BAOCAO_API_BASE_URL"),
    )
    bot_username: str | None = Field(
        default=None,
        validation_alias=AliasChoices("TELEGRAM_BOT_USERNAME", "BAOCAO_BOT_USERNAME"),
        description="for invitation deep links; asked from Telegram (getMe) when unset",
    )
    locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    admin_chat_ids: list[int] = Field(default_factory=list)
    group_chat_ids: list[int] = Field(
        default_factory=list, description="group chats the bot answers in; all others are ignored"
    )
    spool_path: Path = Field(
        default=Path("baocao-spool.jsonl"),
        description="where updates wait while the database is unreachable",
    )
    webhook_secret: SecretStr | None = None
    send_rate: float = Field(
        default=29.0,
        gt=0,
        le=30,
        description="messages per second this process may send; Telegram allows about 30 per bot, "
        "so with several dispatchers (the bot and a cron 'baocao tick') divide it between them",
    )
    office_hours: str = Field(
        default="08:00-17:00", description="reminders go out only on working days within these local hours"
    )

    @field_validator("office_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        cls.parse_office_hours(value)
        return value

    @staticmethod
    def parse_office_hours(value: str) -> tuple[dt_time, dt_time]:
        try:
            start, end = (dt_time.fromisoformat(part.strip()) for part in value.split("-"))
        except ValueError as exc:
            raise ValueError(f"giờ làm việc phải có dạng 08:00-17:00 (nhận được {value!r})") from exc
        if not start < end:
            raise ValueError(f"giờ bắt đầu phải trước giờ kết thúc ({value!r})")
        return start, end

    @property
    def office_window(self) -> tuple[dt_time, dt_time]:
        return self.parse_office_hours(self.office_hours)

    @field_validator("admin_chat_ids", "group_chat_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        # Accept "123,456" as well as the JSON list pydantic-settings expects.
        if isinstance(value, str) and not value.strip().startswith("["):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"múi giờ không tồn tại: {value!r}") from exc
        return value

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
