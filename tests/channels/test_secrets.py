"""Issue 12, one typed settings tree: secrets are ``SecretStr`` fields of ``Settings`` under
their documented environment names, channels read their typed section, and no module but the
settings reads the process environment."""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from channels.settings import Secrets, load_settings, reveal
from knowledge.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7012345678:AAF3kq9X2v_Rw8Lp0mZt4Yc6Hb1Nd5Je7Qs"
WEBHOOK_SECRET = "s3cr3t-Webhook_9f8e7d6c5b4a"
DB_PASSWORD = "Vq7-xT2p-Lm9z-Rk4w"
ENV = {
    "TELEGRAM_BOT_TOKEN": TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "ZALO_APP_ID": "4321987654",
    "ZALO_OA_SECRET_KEY": "oa-Secret-Key-7f6e5d4c3b2a",
    "ZALO_BOT_TOKEN": "1234567890:zalo-bot-Token-a1b2c3",
    "ZALO_BOT_WEBHOOK_SECRET": "zalo-Bot-Webhook-Secret-99",
    "TWILIO_AUTH_TOKEN": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "PUBLIC_BASE_URL": "https://tongdai.danang.gov.vn",
    "DATABASE_URL": f"postgresql://hotline:{DB_PASSWORD}@db.internal:5432/hotline",
    "DOSSIER_API_KEY": "dossier-Key-5e4d3c2b1a09",
}
SECRET_VALUES = [v for k, v in ENV.items() if k not in ("ZALO_APP_ID", "PUBLIC_BASE_URL", "DATABASE_URL")]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in [*ENV, "ZALO_APP_SECRET_KEY", "TWILIO_ACCOUNT_SID", "HOTLINE_ENVIRONMENT"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return ENV


def _config(tmp_path: Path, text: str = "environment: test\n") -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_secrets_are_read_under_their_documented_names(environment, tmp_path):
    settings = load_settings(_config(tmp_path))
    secrets = settings.secrets
    assert isinstance(secrets.telegram_bot_token, SecretStr)
    assert reveal(secrets.telegram_bot_token) == TOKEN
    assert (
        reveal(secrets.zalo_app_id) == "4321987654"
        and reveal(secrets.public_base_url) == ENV["PUBLIC_BASE_URL"]
    )
    assert settings.database_url == ENV["DATABASE_URL"]  # DATABASE_URL wins over database.url
    assert secrets.by_variable() == ENV


def test_secrets_are_never_shown(environment, tmp_path, caplog):
    settings = load_settings(_config(tmp_path))
    shown = [
        repr(settings),
        str(settings),
        repr(settings.secrets),
        settings.model_dump_json(),
        json.dumps(settings.model_dump(mode="json")),
    ]
    logging.getLogger("test").info("settings: %s", settings)
    shown.append(caplog.text)
    for text in shown:
        for value in [*SECRET_VALUES, DB_PASSWORD]:
            assert value not in text


def test_a_blank_variable_is_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "   ")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(_config(tmp_path))
    assert settings.secrets.telegram_bot_token is None
    assert settings.database_url.startswith("sqlite:///")


def test_secrets_in_the_config_file_are_refused(tmp_path):
    path = _config(tmp_path, f"environment: test\nsecrets:\n  TELEGRAM_BOT_TOKEN: '{TOKEN}'\n")
    with pytest.raises(ConfigError, match="environment variables") as refused:
        load_settings(path)
    assert TOKEN not in str(refused.value)


def test_a_refusal_does_not_print_the_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("HOTLINE_ENVIRONMENT", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "changeme")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1/hotline")
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET holds a placeholder") as refused:
        load_settings(_config(tmp_path, "environment: production\n"))
    assert TOKEN not in str(refused.value) and "postgres:postgres" not in str(refused.value)


def test_secrets_from_a_mapping_ignore_the_process(environment):
    given = Secrets.from_environ({"TELEGRAM_BOT_TOKEN": " other "})
    assert reveal(given.telegram_bot_token) == "other" and given.twilio_auth_token is None


def test_channels_take_their_secrets_from_the_settings(environment, tmp_path, monkeypatch):
    """Loaded once: clearing the environment afterwards changes nothing (no module reads it)."""
    from channels import telegram, voice, zalo_bot
    from channels.runtime import make_dossier_source

    config = "environment: test\ndossiers:\n  source: http\n  url: https://dvc.example.gov.vn/api/{code}\n"
    settings = load_settings(_config(tmp_path, config + "  api_key_header: X-API-Key\n"))
    for name in ENV:
        monkeypatch.delenv(name)
    tg = telegram.TelegramConfig.from_settings(settings)
    assert tg is not None and (tg.token, tg.webhook_secret) == (TOKEN, WEBHOOK_SECRET)
    assert tg.webhook_url == "https://tongdai.danang.gov.vn/webhooks/telegram"
    phone = voice.VoiceConfig.from_settings(settings)
    assert phone is not None and phone.auth_token == ENV["TWILIO_AUTH_TOKEN"]
    bot = zalo_bot.ZaloBotConfig.from_settings(settings)
    assert bot is not None and bot.webhook_secret == ENV["ZALO_BOT_WEBHOOK_SECRET"]
    source: Any = make_dossier_source(settings)
    assert source._client.headers["X-API-Key"] == ENV["DOSSIER_API_KEY"]
    # Without the secrets, each channel is disabled (None), whatever the environment holds.
    bare = settings.model_copy(update={"secrets": Secrets.from_environ({})})
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert telegram.TelegramConfig.from_settings(bare) is None
    assert (
        voice.VoiceConfig.from_settings(bare) is None and zalo_bot.ZaloBotConfig.from_settings(bare) is None
    )


def test_settings_sections_are_typed_for_the_channels():
    """The channels' configuration reads typed fields: a misspelt option is an AttributeError
    at once, not a default silently used (the old ``getattr(settings, ..., default)``)."""
    from channels import telegram, voice, zalo, zalo_bot

    for module in (telegram, voice, zalo, zalo_bot):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "getattr(settings" not in source and "settings: Any" not in source, module.__name__


# -- no direct environment reads outside the settings ------------------------------------------------
PACKAGES = ("knowledge", "bot", "channels", "handoff")
SETTINGS_MODULES = {"channels/settings.py"}
# (file, variable) pairs a module may SET (never read) for the libraries or child processes.
ALLOWED_WRITES = {
    ("knowledge/dense.py", "HF_HUB_OFFLINE"),  # sentence-transformers must never download
    ("knowledge/dense.py", "TRANSFORMERS_OFFLINE"),
    ("knowledge/dense.py", "TOKENIZERS_PARALLELISM"),
    ("channels/cli.py", "HOTLINE_SERVE_INDEX"),  # for the workers of `serve --workers N`
    ("channels/cli.py", "HOTLINE_CONFIG"),
    ("channels/cli.py", "MALLOC_ARENA_MAX"),
    # Read by torch and transformers when imported: commands stay quiet (channels/logs.py).
    ("channels/logs.py", "TORCH_CPP_LOG_LEVEL"),
    ("channels/logs.py", "TRANSFORMERS_VERBOSITY"),
    ("channels/logs.py", "HF_HUB_DISABLE_PROGRESS_BARS"),
}


def _environment_uses(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, kind, variable) of each use of ``os.environ`` / ``os.getenv`` in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    uses: list[tuple[int, str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "getenv":
            uses.append((node.lineno, "read", None))
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            names = {a.name for a in node.names}
            if names & {"environ", "getenv", "environb"}:
                uses.append((node.lineno, "import", None))
        if not (isinstance(node, ast.Attribute) and node.attr == "environ"):
            continue
        parent = parents.get(node)
        kind, variable = "read", None
        if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store):
            kind = "write"
            if isinstance(parent.slice, ast.Constant):
                variable = str(parent.slice.value)
        elif isinstance(parent, ast.Attribute) and parent.attr == "setdefault":
            call = parents.get(parent)
            if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Constant):
                kind, variable = "write", str(call.args[0].value)
        uses.append((node.lineno, kind, variable))
    return uses


def test_no_module_but_the_settings_reads_the_environment():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in SETTINGS_MODULES:
                continue
            for line, kind, variable in _environment_uses(path):
                if kind == "write" and (rel, variable) in ALLOWED_WRITES:
                    continue
                offenders.append(f"{rel}:{line} ({kind} {variable or ''})".strip())
    assert not offenders, "read the environment through channels.settings: " + ", ".join(offenders)


def test_the_scan_sees_reads_and_writes(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text(
        "import os\nfrom os import getenv\na = os.environ.get('X')\nb = os.environ['Y']\n"
        "os.environ['Z'] = '1'\nos.environ.setdefault('W', '1')\nc = os.getenv('V')\n",
        encoding="utf-8",
    )
    kinds = [(k, v) for _, k, v in _environment_uses(sample)]
    assert kinds.count(("read", None)) == 3 and ("write", "Z") in kinds and ("write", "W") in kinds
    assert ("import", None) in kinds
