"""Persistence: SQLAlchemy 2 async over SQLite (aiosqlite, WAL) or PostgreSQL (asyncpg).

``tables`` (declarative ``Base``), ``engine`` (``create_engine``), ``uow``
(``UnitOfWorkFactory``), ``repos`` (repositories returning ``desk`` objects),
``migrate`` (Alembic, run from code), ``database`` (engine + unit of work).

Exceptions (``storage.errors``)::

    StorageError
     ├── SchemaNotCurrent     the database is not at the latest migration
     └── StillReferenced      a row to remove is still referred to

Repositories also raise ``desk.errors.NotFound`` for a missing ticket, client...
"""
