"""Settings of the operations features (metrics, logs), kept beside the main ``Settings``."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator


def networks(value: list[str], setting: str) -> list[str]:
    """IP addresses or CIDRs, stripped; a clear error naming the setting otherwise."""
    for item in value:
        try:
            ipaddress.ip_network(item.strip(), strict=False)
        except ValueError as exc:
            raise ValueError(f"{setting}: {item!r} is not an IP address or CIDR") from exc
    return [item.strip() for item in value]


class MetricsSettings(BaseModel):
    """``GET /metrics`` (Prometheus). Not public by default: loopback only, or a bearer token."""

    enabled: bool = True
    # Networks (IPs or CIDRs) that may scrape without a token; the client address is the one
    # server.trusted_proxies resolves (a proxy's X-Forwarded-For is believed only from them).
    allow_from: list[str] = Field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])
    # Scrapers elsewhere send "Authorization: Bearer <token>"; set it in the environment
    # (HOTLINE_METRICS__TOKEN), never in config.yml.
    token: SecretStr | None = None

    @field_validator("allow_from")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return networks(value, "metrics.allow_from")


class LogSettings(BaseModel):
    """How ``hotline`` commands and servers log (to standard error)."""

    # json: one JSON object a line (for a log collector); text: for a person reading a terminal;
    # auto: text in development, json otherwise.
    format: Literal["auto", "json", "text"] = "auto"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
