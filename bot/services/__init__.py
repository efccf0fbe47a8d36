"""Application services: each operation runs inside the caller's unit of work.

The caller opens the transaction (``async with uow_factory() as uow``), calls
the service, adds what else belongs to the same change (e.g. outbox messages)
and leaves the block to commit; a raised error rolls all of it back.

- ``tickets.TicketService``: create, status, priority, category, owner,
  escalation, reaction, resolve/close/reopen, route out -- each re-checks the
  actor and the transition and appends a hash-chained audit event;
- ``config.apply_config``: sync a ``DeskConfig`` into the database with audit events;
- ``actors.Actor``: who acts (staff, user, system, config).
"""
