"""Alembic environment: runs on the connection handed over by ``Database.migrate`` or,
from the alembic command line, on ``sqlalchemy.url`` / ``DATABASE_URL``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from handoff.db import normalise_url
from handoff.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    # Only the alembic command line gets here (the app hands over its connection); the
    # environment is read where every secret is: the settings.
    from channels.settings import read_secrets, reveal

    return reveal(read_secrets().database_url)


def run_migrations_offline() -> None:
    context.configure(url=normalise_url(_url()), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(normalise_url(_url()))
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
