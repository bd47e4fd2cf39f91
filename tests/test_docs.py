"""Every setting, command, option and endpoint a user needs is in the README."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from channels.cli import build_parser
from channels.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _settings_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        if name == "config_dir":
            continue
        ann = info.annotation
        if isinstance(info.validation_alias, str):
            out.append(info.validation_alias)  # an environment variable (the secrets)
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _settings_paths(ann, f"{prefix}{name}.")
        else:
            out.append(prefix + name)
    return out


def test_every_setting_is_documented():
    missing = [p for p in _settings_paths(Settings) if f"`{p}`" not in README and f"`{p}`," not in README]
    # server.host and server.port share a row.
    missing = [
        p
        for p in missing
        if not (p in ("server.host", "server.port") and "`server.host`, `server.port`" in README)
    ]
    assert not missing, f"undocumented settings: {missing}"


def test_every_command_and_option_is_documented():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():
        assert f"hotline {name}" in README, name
        for action in subparser._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"hotline {name} {opt} is undocumented"


def _paths(routes, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """Every route path, including those of included routers (FastAPI lists an included
    router as one entry whose own routes carry the full paths)."""
    out: list[str] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            out += _paths(inner.routes, prefix + (getattr(route, "prefix", "") or ""))
            continue
        path = getattr(route, "path", None)
        if path:
            out.append(prefix + path)
    return out


def test_every_endpoint_is_documented(client):
    paths = _paths(client.app.routes)
    assert "/webhooks/telegram" in paths and "/console/api/cases" in paths  # the walk sees routers
    for path in paths:
        if path.startswith(("/docs", "/openapi", "/redoc", "/static")) or path == "/":
            continue
        assert path in README, f"endpoint {path} is undocumented"
