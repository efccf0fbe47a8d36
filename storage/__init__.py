"""Persistence: SQLAlchemy 2 async over SQLite (aiosqlite, WAL) or PostgreSQL (asyncpg).

``tables`` (declarative ``Base``), ``engine`` (``create_engine``: SQLite in
WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` transactions, through
``_sqlite_driver``'s one-hop aiosqlite adapter; PostgreSQL through asyncpg),
``uow`` (``UnitOfWorkFactory``), ``migrate`` (Alembic, run from code; first
revision ``0001_core``), ``database`` (engine + unit of work, refusing a schema
that is not current), ``backup``.

All data access is one style: a repository class per module, reached from the
unit of work under the module's name (``storage/tickets.py`` is
``uow.tickets``, ``storage/messaging.py`` is ``uow.messaging``), holding the
unit of work's session and returning ``desk`` objects or small dataclasses.
Modules with a leading underscore are this package's own helpers.

The audit trail is one global hash chain over every event in id order, with
a one-row head (``audit_head``) that appends lock and that remembers the last
event and the count (see ``audit``).

Exceptions (``storage.errors``)::

    StorageError
     ├── SchemaNotCurrent     the database is not at the latest migration
     └── StillReferenced      a row to remove is still referred to

Repositories also raise ``desk.errors.NotFound`` for a missing ticket, client...
"""
