"""The one settings class: environment variables and ``.env``, grouped by concern.

Variables are prefixed ``BAOCAO_``; a channel's own also go by the names its ecosystem uses
(``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_BASE_URL``). Each concern has a property that hands the
part it needs to the code that needs it (``settings.database``, ``settings.reminders``,
``settings.telegram``…): the channel modules and the composition root read those, nothing
else reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time as dt_time
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.paths import data_file


def default_plan_path() -> Path:
    """``data/plans/`` (the working directory's, else the bundled one holding the seed plan);
    a working directory with its own ``data/plan.json`` but no ``data/plans/`` keeps that file."""
    local = Path.cwd() / "data"
    if not (local / "plans").exists() and (local / "plan.json").exists():
        return local / "plan.json"
    return data_file("plans")


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    timeout_s: float
    spool_path: Path
    files_path: Path | None


@dataclass(frozen=True)
class PlanSettings:
    plan_path: Path
    calendar_path: Path
    timezone: str
    locale: str


@dataclass(frozen=True)
class ReminderSettings:
    office_hours: tuple[dt_time, dt_time]
    tick_interval_s: float


@dataclass(frozen=True)
class ConversationSettings:
    rate_limit: int
    rate_window_s: float


@dataclass(frozen=True)
class TelegramSettings:
    token: SecretStr | None
    username: str | None
    api_base_url: str
    send_rate: float
    admin_ids: tuple[int, ...]
    group_ids: tuple[int, ...]


@dataclass(frozen=True)
class ZaloSettings:
    token: SecretStr | None
    bot_name: str | None
    api_base_url: str
    send_rate: float
    admin_ids: tuple[str, ...]


@dataclass(frozen=True)
class PublicFileSettings:
    """Where files a channel cannot send (Zalo sends only pictures, by URL) are put for people
    to fetch: a folder a web server publishes, and its public address."""

    folder: Path | None
    url: str | None

    @property
    def configured(self) -> bool:
        return self.folder is not None and bool(self.url)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BAOCAO_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # -- database ------------------------------------------------------------------------------
    database_url: str = Field(
        default="sqlite:///baocao.sqlite3",
        description="SQLAlchemy URL; default is a SQLite file in the working directory.",
    )
    db_timeout: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="seconds a database call may take (connect, statement, a hung server) before "
        "updates are spooled instead",
    )
    spool_path: Path = Field(
        default=Path("baocao-spool.jsonl"),
        description="where updates wait while the database is unreachable",
    )
    files_path: Path | None = Field(default=None, description="where baocao keeps files; default next to the database")

    # -- plans ---------------------------------------------------------------------------------
    plan_path: Path = Field(
        default_factory=lambda: default_plan_path(),
        description="one plan file, or a folder of plan files (every *.json in it, in name order)",
    )
    calendar_path: Path = Field(default_factory=lambda: data_file("calendar-vn.json"))
    locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    # -- reminders -----------------------------------------------------------------------------
    office_hours: str = Field(
        default="08:00-17:00", description="reminders go out only on working days within these local hours"
    )
    tick_interval: float = Field(default=60.0, gt=0, description="seconds between two planning passes of the bot")

    # -- conversation --------------------------------------------------------------------------
    rate_limit: int = Field(default=20, ge=1, description="messages per minute one person may send")

    # -- Telegram ------------------------------------------------------------------------------
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
    admin_chat_ids: list[int] = Field(default_factory=list)
    group_chat_ids: list[int] = Field(
        default_factory=list, description="group chats the bot answers in; all others are ignored"
    )
    webhook_secret: SecretStr | None = None
    send_rate: float = Field(
        default=29.0,
        gt=0,
        le=30,
        description="messages per second this process may send; Telegram allows about 30 per bot, "
        "so with several dispatchers (the bot and a cron 'baocao tick') divide it between them",
    )

    # -- Zalo ----------------------------------------------------------------------------------
    zalo_bot_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ZALO_BOT_TOKEN", "BAOCAO_ZALO_BOT_TOKEN"),
        description="the token Zalo Bot Creator sends (id:secret)",
    )
    zalo_api_base_url: str = Field(
        default="https://bot-api.zaloplatforms.com/bot",
        validation_alias=AliasChoices("ZALO_API_BASE_URL", "BAOCAO_ZALO_API_BASE_URL"),
    )
    zalo_bot_name: str | None = Field(
        default=None,
        validation_alias=AliasChoices("ZALO_BOT_NAME", "BAOCAO_ZALO_BOT_NAME"),
        description="the bot's name as people find it in Zalo (\"Bot …\"), for invitations",
    )
    zalo_send_rate: float = Field(
        default=4.0,
        gt=0,
        le=30,
        description="messages per second sent to Zalo; Zalo publishes no rate, so stay low",
    )
    zalo_admin_ids: list[str] = Field(default_factory=list)

    # -- files published for channels that cannot send them ---------------------------------
    public_files_dir: Path | None = Field(
        default=None, description="a folder a web server publishes at BAOCAO_PUBLIC_FILES_URL"
    )
    public_files_url: str | None = Field(default=None, description="the public address of BAOCAO_PUBLIC_FILES_DIR")

    @field_validator("zalo_admin_ids", mode="before")
    @classmethod
    def _split_strings(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [str(value)]
        return value

    @field_validator("public_files_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"BAOCAO_PUBLIC_FILES_URL phải bắt đầu bằng https:// (nhận được {value!r})")
        return value

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

    # -- by concern ----------------------------------------------------------------------------

    @property
    def database(self) -> DatabaseSettings:
        return DatabaseSettings(self.database_url, self.db_timeout, self.spool_path, self.files_path)

    @property
    def plans(self) -> PlanSettings:
        return PlanSettings(self.plan_path, self.calendar_path, self.timezone, self.locale)

    @property
    def reminders(self) -> ReminderSettings:
        return ReminderSettings(self.office_window, self.tick_interval)

    @property
    def conversation(self) -> ConversationSettings:
        return ConversationSettings(self.rate_limit, 60.0)

    @property
    def telegram(self) -> TelegramSettings:
        return TelegramSettings(
            token=self.bot_token,
            username=self.bot_username,
            api_base_url=self.api_base_url,
            send_rate=self.send_rate,
            admin_ids=tuple(self.admin_chat_ids),
            group_ids=tuple(self.group_chat_ids),
        )

    @property
    def zalo(self) -> ZaloSettings:
        return ZaloSettings(
            token=self.zalo_bot_token,
            bot_name=self.zalo_bot_name,
            api_base_url=self.zalo_api_base_url,
            send_rate=self.zalo_send_rate,
            admin_ids=tuple(self.zalo_admin_ids),
        )

    @property
    def public_files(self) -> PublicFileSettings:
        return PublicFileSettings(self.public_files_dir, self.public_files_url)


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
