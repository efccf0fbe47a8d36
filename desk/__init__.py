"""The service-desk domain: plain Python, no database, no Telegram.

Exceptions (``desk.errors``)::

    DeskError
     ├── IllegalTransition      a status change the transition table forbids
     ├── NotAllowed             an actor acting where they may not
     ├── NotFound               a ticket, client, staff member... that does not exist
     ├── NoOwnerAvailable       a team with nobody on shift and no duty person
     └── ConfigError            a bad declarative config (file, line, reason)
"""
