"""The ``hotline telegram`` options, apart from the adapter: building the command line must not
import aiogram (seconds of start-up for every other command)."""

from __future__ import annotations

import argparse
from typing import Any


def add_telegram_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "telegram", help="run the Telegram bot by long polling (development, no public URL)"
    )
    p.add_argument(
        "--polling",
        action="store_true",
        help="delete the webhook and poll getUpdates with the same routers, hub and outbox",
    )
    p.add_argument("--index", help="index folder (default: index.path in config)")
    p.add_argument(
        "--drop-pending-updates", action="store_true", help="discard the updates Telegram queued meanwhile"
    )
    return p
