"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from handoff.db import MIGRATIONS
from handoff.models import Base


def test_schema_matches_models_and_migrate_is_idempotent(db):
    db.migrate()  # a second run changes nothing
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
        assert diff == [], diff
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    columns = {c["name"] for c in inspect(db.engine).get_columns("cases")}
    assert {"queued_at", "closed_at"} <= columns
