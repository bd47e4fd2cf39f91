"""The one-shot migration job of compose.yaml: bring the database schema to the latest
revision and exit, before any replica starts (replicas then find nothing to migrate).

    python deploy/migrate.py        # DATABASE_URL / config.yml as `hotline serve` reads them
"""

from __future__ import annotations

import logging
import sys


def main() -> int:
    from channels.settings import load_settings
    from handoff.db import Database

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    database = Database(load_settings().database_url)
    try:
        database.migrate()
    finally:
        database.dispose()
    logging.getLogger("deploy.migrate").info("database schema is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
