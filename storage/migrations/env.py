"""Alembic environment, run programmatically by ``storage.migrate``.

``storage.migrate`` opens the connection (async engine, ``run_sync``) and passes
it in ``config.attributes["connection"]``; there is no alembic.ini.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import storage.tables  # noqa: F401  (registers every table on Base)
from storage.tables import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through storage.migrate (supportdesk db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
