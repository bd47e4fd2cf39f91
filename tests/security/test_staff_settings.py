"""Issue 9, item 13: the start-up guard. Outside development the settings refuse placeholder
or missing secrets of enabled channels, a default database password and cookies without
Secure; `.env` is read only in development; the environment is production unless a config
or HOTLINE_ENVIRONMENT says otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import channels.settings as settings_module
from channels.cli import main
from channels.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
SECRETS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "ZALO_APP_ID",
    "ZALO_OA_SECRET_KEY",
    "ZALO_BOT_TOKEN",
    "ZALO_BOT_WEBHOOK_SECRET",
    "TWILIO_AUTH_TOKEN",
    "PUBLIC_BASE_URL",
    "DATABASE_URL",
    "DOSSIER_API_KEY",
    "HOTLINE_ENVIRONMENT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRETS:
        # set, then delete: the monkeypatch restores the real value (or absence) afterwards,
        # also of what a .env file sets in the test below
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def _config(tmp_path: Path, text: str = "") -> Path:
    path = tmp_path / "config.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(ValueError) as refused:
        load_settings(path)
    message = str(refused.value)
    assert "refusing to start with environment: production" in message
    return message


def test_production_is_the_default_and_safe_defaults_pass(tmp_path):
    assert load_settings(_config(tmp_path)).environment == "production"
    project = load_settings(ROOT / "config.yml")  # what a fresh clone deploys
    assert project.environment == "production"
    assert project.handoff.secure_cookies(project.environment) is True


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"TELEGRAM_BOT_TOKEN": "123456:AAE-real-looking-token"}, "TELEGRAM_WEBHOOK_SECRET is missing"),
        (
            {"TELEGRAM_BOT_TOKEN": "123456:AAE-real-looking-token", "TELEGRAM_WEBHOOK_SECRET": "CHANGE_ME"},
            "TELEGRAM_WEBHOOK_SECRET holds a placeholder",
        ),
        ({"ZALO_APP_ID": "1234567890"}, "ZALO_OA_SECRET_KEY is missing"),
        ({"ZALO_BOT_TOKEN": "your-zalo-bot-token"}, "ZALO_BOT_TOKEN holds a placeholder"),
        ({"TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef"}, "PUBLIC_BASE_URL is missing"),
        (
            {
                "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
                "PUBLIC_BASE_URL": "http://hotline.gov.vn",
            },
            "https://",
        ),
        ({"DATABASE_URL": "postgresql://postgres:postgres@db:5432/hotline"}, "database password"),
        ({"DATABASE_URL": "postgresql://hotline:password@db/hotline"}, "database password"),
        ({"DATABASE_URL": "postgresql://hotline:CHANGE_ME@127.0.0.1:5432/hotline"}, "database password"),
    ],
)
def test_production_refuses_unsafe_secrets(tmp_path, monkeypatch, env, needle):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert needle in _refusal(_config(tmp_path, "environment: production\n"))
    # The same settings start in development (a local trial).
    monkeypatch.setenv("HOTLINE_ENVIRONMENT", "development")
    assert load_settings(_config(tmp_path, "environment: production\n")).environment == "development"


def test_production_refuses_cookies_without_secure(tmp_path):
    assert "cookie_secure" in _refusal(_config(tmp_path, "handoff:\n  cookie_secure: false\n"))


def test_a_real_deployment_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "7012345678:AAF3kq9X2v_Rw8Lp0mZt4Yc6Hb1Nd5Je7Qs")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cr3t-Webhook_9f8e7d6c5b4a")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://tongdai.danang.gov.vn")
    monkeypatch.setenv("DATABASE_URL", "postgresql://hotline:Vq7-xT2p-Lm9z-Rk4w@db.internal:5432/hotline")
    settings = load_settings(_config(tmp_path, "server:\n  trusted_proxies: [127.0.0.1, 10.0.0.0/8]\n"))
    assert settings.environment == "production" and settings.server.trusted_proxies == [
        "127.0.0.1",
        "10.0.0.0/8",
    ]


def test_bad_trusted_proxy_fails_fast(tmp_path):
    with pytest.raises(ValueError, match="trusted_proxies"):
        load_settings(_config(tmp_path, "environment: test\nserver:\n  trusted_proxies: [proxy.local]\n"))


def test_dotenv_is_read_only_in_development(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=from-dotenv\n", encoding="utf-8")
    monkeypatch.setattr(settings_module, "PROJECT_ROOT", tmp_path)
    load_settings(_config(tmp_path, "environment: test\n"))
    load_settings(_config(tmp_path))  # production by default
    assert "TELEGRAM_BOT_TOKEN" not in os.environ
    load_settings(_config(tmp_path, "environment: development\n"))
    assert os.environ["TELEGRAM_BOT_TOKEN"] == "from-dotenv"


def test_the_command_line_refuses_with_a_clear_message(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1/hotline")
    code = main(["serve", "--config", str(_config(tmp_path, "environment: production\n"))])
    assert code == 2
    assert "database password" in caplog.text and "Production checklist" in caplog.text
